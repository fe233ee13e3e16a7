//! The AOF readers: the loader's `next_command` (always moves forward, arguments within the file) and
//! redis-check-aof's `check_file` (its offsets within the file). Neither panics nor allocates by a length
//! read from the file.
#![no_main]

use embedis::internals::aof::parse::{check_file, next_command, CheckState, Next};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|buf: &[u8]| {
    let mut at = 0;
    loop {
        match next_command(buf, at) {
            Next::Command(args, end) => {
                assert!(end > at && end <= buf.len(), "{at} -> {end} of {}", buf.len());
                assert!(args.iter().map(|a| a.len()).sum::<usize>() <= buf.len());
                at = end;
            }
            Next::Truncated { at: t } | Next::Corrupt { at: t, .. } => {
                assert!(t <= buf.len());
                break;
            }
            Next::End => break,
        }
    }
    for to_timestamp in [0, 1_700_000_000] {
        let check = check_file(buf, "fuzz.aof", to_timestamp, &mut CheckState::default());
        assert!(check.ok_up_to <= buf.len());
    }
});
