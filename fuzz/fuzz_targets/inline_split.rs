//! Redis's sdssplitargs (inline commands, config lines): never panics; what it returns, quoted back, splits
//! to the same words.
#![no_main]

use embedis::internals::protocol::split_args;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    let Some(words) = split_args(line) else { return };
    let mut quoted = Vec::new();
    for word in &words {
        quoted.push(b'"');
        for &c in word {
            match c {
                b'"' | b'\\' => quoted.extend([b'\\', c]),
                c if c.is_ascii_graphic() || c == b' ' => quoted.push(c),
                c => quoted.extend(format!("\\x{c:02x}").as_bytes()),
            }
        }
        quoted.extend(b"\" ");
    }
    assert_eq!(split_args(&quoted).as_ref(), Some(&words), "requoted: {:?}", quoted.escape_ascii().to_string());
});
