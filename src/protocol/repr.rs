//! Redis's sdscatrepr: bytes as a double-quoted string with C escapes (MONITOR lines, the AOF manifest's
//! file names, the command line shown by INFO).

/// Appends `bytes` quoted, with `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` and `\xHH` for other unprintable bytes.
pub fn repr_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b' '..=b'~' => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// `repr_into` as a new buffer.
pub fn repr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    repr_into(bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_sdscatrepr() {
        assert_eq!(repr(b"a \"b\"\n\x01\\\x7f"), b"\"a \\\"b\\\"\\n\\x01\\\\\\x7f\"");
    }
}
