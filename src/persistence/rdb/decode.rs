//! Reading RDB's building blocks (rdbLoadLen, rdbGenericLoadStringObject): never trusting a length before
//! checking it against what remains, never allocating by a length read from the input beyond that. RESTORE and
//! the RDB loader build on it (issue 17).

use super::lzf;
use crate::protocol::number;
use std::borrow::Cow;

/// Why reading stopped: what was expected, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub expected: Cow<'static, str>,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at offset {}: expected {}", self.offset, self.expected)
    }
}

/// LZF's best ratio: a 3-byte back reference copies 264 bytes. A longer claimed output is a lie.
const LZF_MAX_RATIO: usize = 88;

/// A cursor over RDB bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

/// A length, or the marker of a specially encoded string (integer or LZF) in the low bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Plain(u64),
    Encoded(u8),
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn offset(&self) -> usize {
        self.pos
    }

    /// An error at the current offset.
    pub fn fail<T>(&self, expected: impl Into<Cow<'static, str>>) -> Result<T, DecodeError> {
        Err(DecodeError { offset: self.pos, expected: expected.into() })
    }

    /// An error at `offset` (the start of what turned out wrong).
    pub fn fail_at<T>(&self, offset: usize, expected: impl Into<Cow<'static, str>>) -> Result<T, DecodeError> {
        Err(DecodeError { offset, expected: expected.into() })
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// A fixed-size field (little endian, as rdbLoadMillisecondTime, rdbLoadType's u32s).
    pub fn array<const N: usize>(&mut self, expected: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, expected)?);
        Ok(out)
    }

    /// rdbLoadBinaryDoubleValue: 8 bytes, little endian (ZSET_2 scores).
    pub fn binary_double(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_le_bytes(self.array("a binary double")?))
    }

    /// rdbLoadDoubleValue (RDB type ZSET, before 3.2): a length byte, 253 NaN, 254 +inf, 255 -inf, else that
    /// many bytes of `%.17g` text.
    pub fn text_double(&mut self) -> Result<f64, DecodeError> {
        let at = self.pos;
        match self.byte("a double")? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.bytes(usize::from(n), "the text of a double")?;
                number::scan_double(text).map_or_else(|| self.fail_at(at, "a double written as text"), Ok)
            }
        }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize, expected: &'static str) -> Result<&'a [u8], DecodeError> {
        match self.data.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(b) => {
                self.pos += n;
                Ok(b)
            }
            None => self.fail(expected),
        }
    }

    pub fn byte(&mut self, expected: &'static str) -> Result<u8, DecodeError> {
        Ok(self.bytes(1, expected)?[0])
    }

    /// rdbLoadLenByRef.
    pub fn len(&mut self) -> Result<Len, DecodeError> {
        let first = self.byte("a length")?;
        Ok(match first >> 6 {
            0 => Len::Plain(u64::from(first & 0x3f)),
            1 => Len::Plain((u64::from(first & 0x3f) << 8) | u64::from(self.byte("a 14-bit length")?)),
            2 if first == 0x80 => {
                let b = self.bytes(4, "a 32-bit length")?;
                Len::Plain(u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
            }
            2 if first == 0x81 => {
                let b = self.bytes(8, "a 64-bit length")?;
                let mut be = [0u8; 8];
                be.copy_from_slice(b);
                Len::Plain(u64::from_be_bytes(be))
            }
            2 => return self.fail("a length (unknown length encoding)"),
            _ => Len::Encoded(first & 0x3f),
        })
    }

    /// rdbLoadLen(rdb, NULL): a length where no string can be, so the marker of an encoded string (11xxxxxx)
    /// reads as its low 6 bits, as in Redis.
    fn plain_len(&mut self) -> Result<u64, DecodeError> {
        Ok(match self.len()? {
            Len::Plain(n) => n,
            Len::Encoded(n) => u64::from(n),
        })
    }

    /// A length no larger than what remains: a count of items, each at least one byte.
    pub fn count(&mut self) -> Result<usize, DecodeError> {
        match self.plain_len()? {
            n if n <= (self.data.len() - self.pos) as u64 => Ok(n as usize),
            _ => self.fail("a count within the remaining bytes"),
        }
    }

    /// A length with no bound but its encoding (database numbers, table sizes, idle seconds).
    pub fn count_any(&mut self) -> Result<u64, DecodeError> {
        self.plain_len()
    }

    /// A string, borrowed from the input when stored plain (keys and values of files read whole).
    pub fn string_cow(&mut self) -> Result<Cow<'a, [u8]>, DecodeError> {
        let at = self.pos;
        if let Len::Plain(n) = self.len()? {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            return Ok(Cow::Borrowed(self.bytes(n, "the bytes of a string")?));
        }
        self.pos = at;
        self.string(usize::MAX).map(Cow::Owned)
    }

    /// rdbGenericLoadStringObject: a string stored plain, as an 8/16/32-bit integer, or LZF-compressed. `max` bounds
    /// the decompressed length (the caller's limit, e.g. `proto-max-bulk-len`).
    pub fn string(&mut self, max: usize) -> Result<Vec<u8>, DecodeError> {
        match self.len()? {
            Len::Plain(n) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                Ok(self.bytes(n, "the bytes of a string")?.to_vec())
            }
            Len::Encoded(0) => Ok((self.byte("an 8-bit integer")? as i8).to_string().into_bytes()),
            Len::Encoded(1) => {
                let b = self.bytes(2, "a 16-bit integer")?;
                Ok(i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes())
            }
            Len::Encoded(2) => {
                let b = self.bytes(4, "a 32-bit integer")?;
                Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_string().into_bytes())
            }
            Len::Encoded(3) => {
                let (clen, len) = (self.plain_len()?, self.plain_len()?);
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                let clen = usize::try_from(clen).unwrap_or(usize::MAX);
                if len > max || len / LZF_MAX_RATIO > clen {
                    return self.fail("an LZF string within the size limit");
                }
                let at = self.pos;
                let packed = self.bytes(clen, "the bytes of an LZF string")?;
                if len == 0 {
                    // lzf_decompress returns 0 on any error, which Redis takes for the 0 bytes it expected: a
                    // string of length 0 is empty whatever its compressed bytes.
                    return Ok(Vec::new());
                }
                lzf::decompress(packed, len).map_or_else(|| self.fail_at(at, "valid LZF data"), Ok)
            }
            Len::Encoded(_) => self.fail("a string (unknown string encoding)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::encode::{save_len, save_string};
    use super::*;

    #[test]
    fn reads_what_the_writer_writes() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut samples: Vec<Vec<u8>> = vec![b"".to_vec(), b"0".to_vec(), b"-128".to_vec(), b"2147483647".to_vec()];
        samples.extend((0..300).map(|_| {
            let n = rng.usize(0..3000);
            let alphabet = [1, 2, 10, 255][rng.usize(0..4)];
            (0..n).map(|_| b'a'.wrapping_add(rng.u8(0..alphabet))).collect()
        }));
        let mut all = Vec::new();
        for s in &samples {
            save_string(&mut all, s, true);
        }
        for n in [0u64, 63, 64, 16383, 16384, u64::from(u32::MAX), 1 << 40] {
            save_len(&mut all, n);
        }
        let mut r = Reader::new(&all);
        for s in &samples {
            assert_eq!(&r.string(1 << 20).unwrap(), s);
        }
        for n in [0u64, 63, 64, 16383, 16384, u64::from(u32::MAX), 1 << 40] {
            assert_eq!(r.len().unwrap(), Len::Plain(n));
        }
        assert_eq!(r.offset(), all.len());
    }

    #[test]
    fn truncated_or_lying_input_is_an_error_never_a_panic() {
        let mut full = Vec::new();
        save_string(&mut full, &[b'x'; 500], true);
        save_string(&mut full, b"hello", true);
        for cut in 0..full.len() {
            let mut r = Reader::new(&full[..cut]);
            let read = r.string(1 << 20).and_then(|_| r.string(1 << 20));
            assert!(read.is_err(), "cut at {cut}");
        }
        // A length claiming more than there is, an LZF string over the limit, an unknown encoding.
        assert!(Reader::new(&[0x80, 0xff, 0xff, 0xff, 0xff, b'a']).string(1 << 20).is_err());
        assert!(Reader::new(&[0x80, 0xff, 0xff, 0xff, 0xff]).count().is_err());
        assert_eq!(
            Reader::new(&full).string(100).map(|s| s.len()),
            Err(DecodeError { offset: 4, expected: "an LZF string within the size limit".into() })
        );
        assert!(Reader::new(&[0xc5]).string(10).is_err());
    }

    #[test]
    fn lengths_and_text_doubles_read_as_redis_reads_them() {
        // rdbLoadLen(rdb, NULL) takes an encoded-string marker for the 6-bit length it carries.
        assert_eq!(Reader::new(&[0xc2, b'a', b'b']).count(), Ok(2));
        assert_eq!(Reader::new(&[0xc5]).count_any(), Ok(5));
        // LZF lengths too; and an LZF string of length 0 is empty whatever its compressed bytes.
        assert_eq!(Reader::new(&[0xc3, 0xc2, 0xc1, 0, b'a', 0xff]).string(10), Ok(b"a".to_vec()));
        assert_eq!(Reader::new(&[0xc3, 2, 0, 9, 9]).string(10), Ok(Vec::new()));
        // sscanf("%lg"): space before, bytes after, out of range; nothing converted is an error.
        let text = |t: &[u8]| {
            let mut b = vec![t.len() as u8];
            b.extend_from_slice(t);
            Reader::new(&b).text_double().ok()
        };
        assert_eq!(text(b" 2"), Some(2.0));
        assert_eq!(text(b"1.5abc"), Some(1.5));
        assert_eq!(text(b"1e400"), Some(f64::INFINITY));
        assert_eq!(text(b"1e-400"), Some(0.0));
        assert_eq!(text(b"0x10"), Some(16.0));
        assert_eq!(text(b"abc"), None);
        assert_eq!(text(b""), None);
        assert_eq!(text(b"0x"), None);
        assert!(text(b"nan").unwrap().is_nan());
        assert_eq!(number::strtod_prefix(b"abc"), None);
        assert_eq!(number::strtod_prefix(b"0x"), Some(0.0));
        assert_eq!(number::strtod_prefix(b"-2.5xyz"), Some(-2.5));
    }
}
