//! Reply encoding: the only place RESP2/RESP3 reply bytes are produced.
//!
//! Handlers write straight into the client's output buffer through `Out` (as Redis's `addReply*`), so a GET
//! copies the value once, from the keyspace into the buffer, and builds no intermediate reply value. Callers that
//! need structured replies (MULTI, scripts) read these bytes back, as Redis does.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use super::number;
use crate::error::CmdError;

/// A reply buffer plus the protocol version the client negotiated.
#[derive(Debug, Default)]
pub struct Out {
    pub buf: Vec<u8>,
    pub resp3: bool,
}

impl Out {
    pub fn new(resp3: bool) -> Self {
        Out { buf: Vec::with_capacity(16 * 1024), resp3 }
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    #[inline]
    pub fn ok(&mut self) {
        self.raw(b"+OK\r\n");
    }

    /// `+text` (the text must not contain CR or LF).
    pub fn simple(&mut self, text: &[u8]) {
        self.buf.push(b'+');
        self.raw(text);
        self.raw(b"\r\n");
    }

    /// `-text`, as Redis's addReplyErrorFormat writes it: CR and LF at the end trimmed, the others turned into
    /// spaces, so user text cannot break the framing.
    pub fn error(&mut self, e: &CmdError) {
        self.buf.push(b'-');
        let start = self.buf.len();
        e.write_to(&mut self.buf);
        while self.buf.len() > start && matches!(self.buf.last(), Some(b'\r' | b'\n')) {
            self.buf.pop();
        }
        for b in &mut self.buf[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        self.raw(b"\r\n");
    }

    #[inline]
    fn header(&mut self, prefix: u8, n: i64) {
        self.buf.push(prefix);
        number::push_i64(n, &mut self.buf);
        self.raw(b"\r\n");
    }

    #[inline]
    pub fn int(&mut self, n: i64) {
        self.header(b':', n);
    }

    #[inline]
    pub fn bulk(&mut self, b: &[u8]) {
        self.header(b'$', b.len() as i64);
        self.raw(b);
        self.raw(b"\r\n");
    }

    /// An integer sent as a bulk string (a string value stored as `int`).
    pub fn bulk_i64(&mut self, n: i64) {
        let mut buf = itoa::Buffer::new();
        self.bulk(buf.format(n).as_bytes());
    }

    /// The null bulk string (`$-1`, RESP3 `_`).
    pub fn null(&mut self) {
        self.raw(if self.resp3 { b"_\r\n" } else { b"$-1\r\n" });
    }

    /// The null array (`*-1`, RESP3 `_`).
    pub fn null_array(&mut self) {
        self.raw(if self.resp3 { b"_\r\n" } else { b"*-1\r\n" });
    }

    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// A map of `n` pairs (RESP2: a flat array of 2n).
    pub fn map(&mut self, n: usize) {
        if self.resp3 {
            self.header(b'%', n as i64);
        } else {
            self.header(b'*', 2 * n as i64);
        }
    }

    /// A set of `n` elements (RESP2: an array).
    pub fn set(&mut self, n: usize) {
        self.header(if self.resp3 { b'~' } else { b'*' }, n as i64);
    }

    /// An out-of-band push of `n` elements (RESP2: an array).
    pub fn push(&mut self, n: usize) {
        self.header(if self.resp3 { b'>' } else { b'*' }, n as i64);
    }

    /// A double as Redis 7.0 prints it: `%.17g`, `inf`/`-inf` (RESP2 bulk, RESP3 `,`).
    pub fn double(&mut self, d: f64) {
        let mut text = Vec::with_capacity(24);
        if d.is_infinite() {
            text.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
        } else {
            number::format_g17(d, &mut text);
        }
        if self.resp3 {
            self.buf.push(b',');
            self.raw(&text);
            self.raw(b"\r\n");
        } else {
            self.bulk(&text);
        }
    }

    pub fn boolean(&mut self, b: bool) {
        if self.resp3 {
            self.raw(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(b as i64);
        }
    }

    /// A verbatim string (`=len\r\ntxt:...`), a plain bulk string in RESP2.
    pub fn verbatim(&mut self, text: &[u8]) {
        self.verbatim_as(b"txt", text);
    }

    /// A verbatim string of another format (`mkd`...).
    pub fn verbatim_as(&mut self, format: &[u8; 3], text: &[u8]) {
        if self.resp3 {
            self.header(b'=', text.len() as i64 + 4);
            self.raw(format);
            self.raw(b":");
            self.raw(text);
            self.raw(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// A big number (`(digits`), a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp3 {
            self.buf.push(b'(');
            self.raw(digits);
            self.raw(b"\r\n");
        } else {
            self.bulk(digits);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_shapes() {
        let mut o = Out::new(false);
        o.null();
        o.null_array();
        o.map(2);
        o.double(0.1);
        o.double(f64::NEG_INFINITY);
        o.boolean(true);
        assert_eq!(o.buf, b"$-1\r\n*-1\r\n*4\r\n$19\r\n0.10000000000000001\r\n$4\r\n-inf\r\n:1\r\n");
        let mut o = Out::new(true);
        o.null();
        o.map(2);
        o.double(1.5);
        o.boolean(false);
        assert_eq!(o.buf, b"_\r\n%2\r\n,1.5\r\n#f\r\n");
    }

    #[test]
    fn errors_stay_on_one_line() {
        let mut o = Out::new(false);
        o.error(&CmdError::unknown_command(&[b"a\r\nb"]));
        assert_eq!(o.buf, b"-ERR unknown command 'a  b', with args beginning with: \r\n");
    }
}
