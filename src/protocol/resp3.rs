//! Reading recorded RESP3 frames back (command metadata copied from redis-server) and re-encoding them for a
//! client's protocol: maps become flat arrays in RESP2, sets become arrays, and so on.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use super::number::parse_i64;
use super::Out;

/// Index just past the frame starting at `i`, or None if the bytes are not one well-formed frame.
pub fn frame_end(buf: &[u8], i: usize) -> Option<usize> {
    let (kind, head, body) = header(buf, i)?;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(body),
        b'$' | b'=' | b'!' => {
            let n = parse_i64(head)?;
            let end = if n < 0 { body } else { body.checked_add(n as usize)?.checked_add(2)? };
            // A bulk string is complete only with its payload and CRLF.
            (end <= buf.len()).then_some(end)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = parse_i64(head)?.max(0) as usize * if matches!(kind, b'%' | b'|') { 2 } else { 1 };
            (0..n).try_fold(body, |at, _| frame_end(buf, at))
        }
        _ => None,
    }
}

/// (type byte, header text, index after the header line).
fn header(buf: &[u8], i: usize) -> Option<(u8, &[u8], usize)> {
    let kind = *buf.get(i)?;
    let nl = buf[i..].windows(2).position(|w| w == b"\r\n")? + i;
    Some((kind, &buf[i + 1..nl], nl + 2))
}

/// Writes the frame at `i` to `out` in the client's protocol. Returns the index after it.
pub fn transcode(buf: &[u8], i: usize, out: &mut Out) -> Option<usize> {
    let (kind, head, body) = header(buf, i)?;
    match kind {
        b'+' | b'-' | b':' => {
            out.raw(&buf[i..body]);
            Some(body)
        }
        b'_' => {
            out.null();
            Some(body)
        }
        b'#' => {
            out.boolean(head == b"t");
            Some(body)
        }
        b'$' => {
            let end = frame_end(buf, i)?;
            out.raw(&buf[i..end]);
            Some(end)
        }
        b'*' | b'~' | b'%' => {
            let n = parse_i64(head)?.max(0) as usize;
            let items = match kind {
                b'*' => {
                    out.array(n);
                    n
                }
                b'~' => {
                    out.set(n);
                    n
                }
                _ => {
                    out.map(n);
                    2 * n
                }
            };
            (0..items).try_fold(body, |at, _| transcode(buf, at, out))
        }
        _ => None,
    }
}

/// A parsed frame, for code that needs to look inside recorded or produced replies.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// Simple strings, errors, bulk strings, doubles and big numbers, as text.
    Text(Vec<u8>),
    Int(i64),
    Null,
    /// Arrays, sets, pushes, and maps flattened as key, value, key, value.
    List(Vec<Frame>),
}

impl Frame {
    pub fn int(&self) -> Option<i64> {
        match self {
            Frame::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The recorded metadata's tests read them.
    #[cfg(test)]
    pub fn text(&self) -> Option<&[u8]> {
        match self {
            Frame::Text(t) => Some(t),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn list(&self) -> Option<&[Frame]> {
        match self {
            Frame::List(l) => Some(l),
            _ => None,
        }
    }
}

/// Parses the frame at `i`: the frame and the index after it.
pub fn parse(buf: &[u8], i: usize) -> Option<(Frame, usize)> {
    let (kind, head, body) = header(buf, i)?;
    match kind {
        b'+' | b'-' | b',' | b'(' => Some((Frame::Text(head.to_vec()), body)),
        b'#' => Some((Frame::Int((head == b"t") as i64), body)),
        b':' => Some((Frame::Int(parse_i64(head)?), body)),
        b'_' => Some((Frame::Null, body)),
        b'$' | b'=' | b'!' => {
            let n = parse_i64(head)?;
            if n < 0 {
                return Some((Frame::Null, body));
            }
            let end = body.checked_add(n as usize)?;
            Some((Frame::Text(buf.get(body..end)?.to_vec()), end + 2))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = parse_i64(head)?;
            if n < 0 {
                return Some((Frame::Null, body));
            }
            let n = n as usize * if matches!(kind, b'%' | b'|') { 2 } else { 1 };
            let mut items = Vec::with_capacity(n.min(1024));
            let mut at = body;
            for _ in 0..n {
                let (f, next) = parse(buf, at)?;
                items.push(f);
                at = next;
            }
            Some((Frame::List(items), at))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_flatten_in_resp2() {
        let frame = b"%1\r\n+a\r\n~2\r\n:1\r\n$1\r\nx\r\n";
        assert_eq!(frame_end(frame, 0), Some(frame.len()));
        let mut out = Out::new(false);
        transcode(frame, 0, &mut out);
        assert_eq!(out.buf, b"*2\r\n+a\r\n*2\r\n:1\r\n$1\r\nx\r\n");
        let mut out = Out::new(true);
        transcode(frame, 0, &mut out);
        assert_eq!(out.buf, frame);
    }
}
