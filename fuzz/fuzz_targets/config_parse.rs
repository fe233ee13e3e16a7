//! redis.conf parsing: any text is accepted or refused with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    let _ = embedis::fuzzing::config_text(text);
});
