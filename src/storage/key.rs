//! Keys: binary-safe, and short ones (most keys: `session:8f3a…`, `user:42:sessions`) stored inline, so a
//! lookup compares bytes that sit next to the hash it just matched instead of chasing a pointer, and a key costs
//! no allocation of its own.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Longest key stored inline: the size of a boxed slice plus 8 bytes, minus the length byte.
const INLINE: usize = 22;

#[derive(Clone)]
pub struct Key(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Key {
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(b) => b,
        }
    }
}

impl From<&[u8]> for Key {
    fn from(b: &[u8]) -> Key {
        if b.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..b.len()].copy_from_slice(b);
            Key(Repr::Inline { len: b.len() as u8, bytes })
        } else {
            Key(Repr::Heap(b.into()))
        }
    }
}

impl Deref for Key {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Hashes exactly as `[u8]` does, so maps keyed by `Key` can be searched with a `&[u8]`.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn inline_and_heap_keys_behave_as_bytes() {
        assert_eq!(std::mem::size_of::<Key>(), 24);
        let short = Key::from(&b"user:42"[..]);
        let long = Key::from(&b"a-key-that-is-longer-than-twenty-two-bytes"[..]);
        let edge = Key::from(&[7u8; INLINE][..]);
        assert_eq!(&*short, b"user:42");
        assert_eq!(long.len(), 42);
        assert_eq!(&*edge, &[7u8; INLINE]);
        let mut m: HashMap<Key, i32> = HashMap::new();
        m.insert(short.clone(), 1);
        m.insert(long.clone(), 2);
        assert_eq!(m.get(&b"user:42"[..]), Some(&1));
        assert_eq!(m.get(&*long), Some(&2));
        assert_eq!(m.get(&b""[..]), None);
    }
}
