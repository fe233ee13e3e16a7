//! A compact sequence of byte strings in one allocation: the `listpack` encoding of small hashes and sorted sets.
//!
//! Layout: a u16 entry count, then each entry as a LEB128 length and its bytes. A hash of ten short fields takes
//! one allocation of a few hundred bytes instead of twenty; lookups scan linearly, which for the sizes Redis
//! allows here (`*-max-listpack-entries`, 128-512) is faster than hashing. Edits rebuild the buffer (as Redis's
//! listpack reallocs on every insert), so every operation is O(size of the listpack).

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Listpack(Box<[u8]>);

/// Position of an entry: its byte offset in the buffer (stable until the next edit).
pub type Offset = usize;

const HEADER: usize = 2;

fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

impl Listpack {
    pub fn new() -> Listpack {
        Listpack(vec![0u8; HEADER].into_boxed_slice())
    }

    /// A listpack of `entries` in one allocation (loading a value whole, instead of one rebuild per entry).
    pub fn from_entries(entries: &[&[u8]]) -> Listpack {
        let size: usize = entries.iter().map(|e| varint_len(e.len()) + e.len()).sum();
        let mut out = Vec::with_capacity(HEADER + size);
        out.extend_from_slice(&(entries.len().min(u16::MAX as usize) as u16).to_le_bytes());
        for e in entries {
            put_varint(&mut out, e.len());
            out.extend_from_slice(e);
        }
        Listpack(out.into_boxed_slice())
    }

    /// A builder appending entries into one buffer of about `capacity` bytes (loading a value whole).
    pub fn builder(capacity: usize) -> Builder {
        let mut buf = Vec::with_capacity(HEADER + capacity);
        buf.extend_from_slice(&[0; HEADER]);
        Builder { buf, count: 0 }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &*self.0 {
            [lo, hi, ..] => u16::from_le_bytes([*lo, *hi]) as usize,
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes used (MEMORY USAGE, and a cheap size check).
    pub fn bytes(&self) -> usize {
        self.0.len()
    }

    /// The entry at `at` and the offset of the next one.
    fn read(&self, at: Offset) -> Option<(&[u8], Offset)> {
        let buf = &self.0;
        let (mut len, mut shift, mut i) = (0usize, 0u32, at);
        loop {
            let b = *buf.get(i)?;
            len |= ((b & 0x7f) as usize) << shift;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return None;
            }
        }
        let end = i.checked_add(len)?;
        Some((buf.get(i..end)?, end))
    }

    /// Every entry with its offset, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { lp: self, at: if self.0.len() >= HEADER { HEADER } else { self.0.len() } }
    }

    /// Entries grouped in pairs (field/value, member/score).
    pub fn pairs(&self) -> impl Iterator<Item = (Offset, &[u8], &[u8])> {
        let mut it = self.iter();
        std::iter::from_fn(move || {
            let (at, a) = it.next()?;
            let (_, b) = it.next()?;
            Some((at, a, b))
        })
    }

    /// Offset just past the last entry: where `insert` appends.
    pub fn end(&self) -> Offset {
        self.0.len()
    }

    /// Inserts `entries` before the entry at `at` (or at `end()`).
    pub fn insert(&mut self, at: Offset, entries: &[&[u8]]) {
        self.splice(at, at, entries, entries.len() as isize);
    }

    /// Removes `count` entries starting at `at`.
    pub fn remove(&mut self, at: Offset, count: usize) {
        let mut end = at;
        for _ in 0..count {
            match self.read(end) {
                Some((_, next)) => end = next,
                None => break,
            }
        }
        self.splice(at, end, &[], -(count as isize));
    }

    /// Replaces the one entry at `at` with `entry`.
    pub fn replace(&mut self, at: Offset, entry: &[u8]) {
        let end = self.read(at).map_or(at, |(_, next)| next);
        self.splice(at, end, &[entry], 0);
    }

    fn splice(&mut self, from: Offset, to: Offset, entries: &[&[u8]], delta: isize) {
        let added: usize = entries.iter().map(|e| varint_len(e.len()) + e.len()).sum();
        let mut out = Vec::with_capacity(self.0.len() - (to - from) + added);
        out.extend_from_slice(&self.0[..from]);
        for e in entries {
            put_varint(&mut out, e.len());
            out.extend_from_slice(e);
        }
        out.extend_from_slice(&self.0[to..]);
        let count = (self.len() as isize + delta).clamp(0, u16::MAX as isize) as u16;
        out[..HEADER].copy_from_slice(&count.to_le_bytes());
        self.0 = out.into_boxed_slice();
    }
}

/// Entries appended one after the other, then sealed into a `Listpack`.
pub struct Builder {
    buf: Vec<u8>,
    count: usize,
}

impl Builder {
    pub fn push(&mut self, entry: &[u8]) {
        put_varint(&mut self.buf, entry.len());
        self.buf.extend_from_slice(entry);
        self.count += 1;
    }

    /// The listpack, or None when it holds more entries than its count can say (the caller keeps the value
    /// in its large encoding then).
    pub fn finish(mut self) -> Option<Listpack> {
        let count = u16::try_from(self.count).ok()?;
        self.buf[..HEADER].copy_from_slice(&count.to_le_bytes());
        Some(Listpack(self.buf.into_boxed_slice()))
    }
}

pub struct Iter<'a> {
    lp: &'a Listpack,
    at: Offset,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Offset, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let at = self.at;
        let (entry, next) = self.lp.read(at)?;
        self.at = next;
        Some((at, entry))
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter().map(|(_, e)| String::from_utf8_lossy(e))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_replace_keep_order_and_count() {
        let mut lp = Listpack::new();
        lp.insert(lp.end(), &[b"f1", b"v1", b"f2", b"v2"]);
        let long = vec![b'x'; 300];
        lp.insert(lp.end(), &[b"f3", &long]);
        assert_eq!(lp.len(), 6);
        let pairs: Vec<_> = lp.pairs().map(|(_, a, b)| (a.to_vec(), b.len())).collect();
        assert_eq!(pairs, vec![(b"f1".to_vec(), 2), (b"f2".to_vec(), 2), (b"f3".to_vec(), 300)]);
        let (at, _, _) = lp.pairs().nth(1).unwrap();
        lp.remove(at, 2);
        assert_eq!(lp.len(), 4);
        let (at, _) = lp.iter().nth(1).unwrap();
        lp.replace(at, b"");
        let all: Vec<Vec<u8>> = lp.iter().map(|(_, e)| e.to_vec()).collect();
        assert_eq!(all, vec![b"f1".to_vec(), b"".to_vec(), b"f3".to_vec(), long]);
        let (first, _) = lp.iter().next().unwrap();
        lp.insert(first, &[b"z"]);
        assert_eq!(lp.iter().next().unwrap().1, b"z");
        assert_eq!(lp.len(), 5);
    }
}
