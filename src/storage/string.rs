//! The string type: Redis's three encodings behind one API.
//!
//! `Int` holds canonical integers (`int`), `Embstr` holds short strings set whole (`embstr`, or `raw` past 44
//! bytes, as Redis reports them), `Raw` holds strings modified in place (APPEND, SETRANGE), which grow
//! geometrically like an sds.

use crate::protocol::number;

/// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const EMBSTR_MAX: usize = 44;

#[derive(Clone, Debug, PartialEq)]
// `Raw` boxes its Vec on purpose: the enum stays as small as `Embstr`'s boxed slice makes it (a Vec inline would
// make every string value in the keyspace 8 bytes larger); only values grown in place (APPEND, SETRANGE) pay the
// extra pointer.
#[allow(clippy::box_collection)]
pub enum RString {
    Int(i64),
    Embstr(Box<[u8]>),
    Raw(Box<Vec<u8>>),
}

impl RString {
    /// A string set whole by a client (SET, MSET, ...): integers become `int`, as `tryObjectEncoding` does.
    pub fn from_bytes(b: &[u8]) -> RString {
        match number::canonical_i64(b) {
            Some(n) => RString::Int(n),
            None => RString::Embstr(b.into()),
        }
    }

    /// Bytes as stored, or the decimal text of an integer written into `scratch`.
    pub fn as_bytes<'a>(&'a self, scratch: &'a mut itoa::Buffer) -> &'a [u8] {
        match self {
            RString::Int(n) => scratch.format(*n).as_bytes(),
            RString::Embstr(b) => b,
            RString::Raw(v) => v,
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.as_bytes(&mut itoa::Buffer::new()).to_vec()
    }

    pub fn len(&self) -> usize {
        match self {
            RString::Int(n) => itoa::Buffer::new().format(*n).len(),
            RString::Embstr(b) => b.len(),
            RString::Raw(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            RString::Int(_) => "int",
            RString::Embstr(b) if b.len() <= EMBSTR_MAX => "embstr",
            _ => "raw",
        }
    }

    /// The mutable buffer for in-place edits (APPEND, SETRANGE); the value becomes `raw`.
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, RString::Raw(_)) {
            *self = RString::Raw(Box::new(self.to_vec()));
        }
        match self {
            RString::Raw(v) => v,
            _ => unreachable!("converted to Raw above"),
        }
    }

    /// Bytes of heap memory this value holds (memory accounting).
    pub fn heap_size(&self) -> usize {
        match self {
            RString::Int(_) => 0,
            RString::Embstr(b) => b.len(),
            RString::Raw(v) => v.capacity() + std::mem::size_of::<Vec<u8>>(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_as_redis_reports_them() {
        assert_eq!(RString::from_bytes(b"123").encoding(), "int");
        assert_eq!(RString::from_bytes(b"-9223372036854775808").encoding(), "int");
        assert_eq!(RString::from_bytes(b"0123").encoding(), "embstr");
        assert_eq!(RString::from_bytes(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(RString::from_bytes(&[b'a'; 45]).encoding(), "raw");
        let mut s = RString::from_bytes(b"12");
        s.make_raw().extend_from_slice(b"3");
        assert_eq!(s.encoding(), "raw");
        assert_eq!(s.to_vec(), b"123");
    }
}
