//! The set type: `intset` (sorted integers, compact) while every member is an integer and there are at most
//! `set-max-intset-entries`, `hashtable` otherwise, converting one way as Redis 7.0 does.
//!
//! Members cross this API as `Member`: an integer (what an intset holds, printed only when replied) or bytes.
//! A byte member is an integer exactly when Redis's `string2ll` accepts it, so `"01"`, `"-0"` and
//! `"9223372036854775808"` are strings, and an `Int(5)` and the bytes `"5"` are the same member everywhere.

use super::scan;
use super::Key;
use crate::protocol::number;
use foldhash::fast::RandomState;
use indexmap::IndexSet;

pub type Table = IndexSet<Key, RandomState>;

#[derive(Clone, Debug)]
pub enum RSet {
    Intset(Intset),
    Table(Box<Table>),
}

/// One member, borrowed from a set or an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

/// A member taken out of a set (SPOP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedMember {
    Int(i64),
    Bytes(Key),
}

impl OwnedMember {
    pub fn as_member(&self) -> Member<'_> {
        match self {
            OwnedMember::Int(n) => Member::Int(*n),
            OwnedMember::Bytes(k) => Member::Bytes(k),
        }
    }
}

impl<'a> Member<'a> {
    /// The integer an intset would store for this member, if any.
    fn as_int(self) -> Option<i64> {
        match self {
            Member::Int(n) => Some(n),
            Member::Bytes(b) => number::parse_i64(b),
        }
    }

    /// The bytes a hashtable stores for this member (an integer printed into `scratch`).
    pub fn as_bytes<'s>(self, scratch: &'s mut itoa::Buffer) -> &'s [u8]
    where
        'a: 's,
    {
        match self {
            Member::Int(n) => scratch.format(n).as_bytes(),
            Member::Bytes(b) => b,
        }
    }
}

impl RSet {
    /// An empty set of the encoding that can hold `first` (Redis's `setTypeCreate`).
    pub fn new_for(first: Member) -> RSet {
        match first.as_int() {
            Some(_) => RSet::Intset(Intset::default()),
            None => RSet::Table(Box::default()),
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            RSet::Intset(_) => "intset",
            RSet::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            RSet::Intset(i) => i.len(),
            RSet::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `m`; false if it was already there. An intset turns into a hashtable on a non-integer member or
    /// past `max_intset` members.
    pub fn add(&mut self, m: Member, max_intset: u64) -> bool {
        if let RSet::Intset(i) = self {
            match m.as_int() {
                Some(n) => {
                    if !i.insert(n) {
                        return false;
                    }
                    if i.len() as u64 > max_intset {
                        self.convert();
                    }
                    return true;
                }
                None => self.convert(),
            }
        }
        let RSet::Table(t) = self else { return false };
        let mut scratch = itoa::Buffer::new();
        let b = m.as_bytes(&mut scratch);
        if t.contains(b) {
            return false;
        }
        t.insert(Key::from(b))
    }

    pub fn remove(&mut self, m: Member) -> bool {
        match self {
            RSet::Intset(i) => m.as_int().is_some_and(|n| i.remove(n)),
            RSet::Table(t) => {
                let removed = t.swap_remove(m.as_bytes(&mut itoa::Buffer::new()));
                shrink(t);
                removed
            }
        }
    }

    pub fn contains(&self, m: Member) -> bool {
        match self {
            RSet::Intset(i) => m.as_int().is_some_and(|n| i.find(n).is_ok()),
            RSet::Table(t) => t.contains(m.as_bytes(&mut itoa::Buffer::new())),
        }
    }

    /// The member at position `i` (`i < len()`): intsets in ascending order, tables in storage order.
    pub fn get(&self, i: usize) -> Option<Member<'_>> {
        match self {
            RSet::Intset(s) => (i < s.len()).then(|| Member::Int(s.get(i))),
            RSet::Table(t) => t.get_index(i).map(|k| Member::Bytes(k)),
        }
    }

    /// A uniformly random member of a non-empty set.
    pub fn random(&self, rng: &mut fastrand::Rng) -> Option<Member<'_>> {
        if self.is_empty() {
            return None;
        }
        self.get(rng.usize(..self.len()))
    }

    /// Removes and returns a uniformly random member.
    pub fn pop_random(&mut self, rng: &mut fastrand::Rng) -> Option<OwnedMember> {
        if self.is_empty() {
            return None;
        }
        let at = rng.usize(..self.len());
        match self {
            RSet::Intset(s) => {
                let n = s.get(at);
                s.remove(n);
                Some(OwnedMember::Int(n))
            }
            RSet::Table(t) => {
                let k = t.swap_remove_index(at);
                shrink(t);
                k.map(OwnedMember::Bytes)
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// One SSCAN step. An intset is returned whole with cursor 0, as Redis does for compact encodings; a table
    /// is walked with the shared position cursor (`storage::scan`).
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, mut visit: impl FnMut(Member<'a>)) -> u64 {
        match self {
            RSet::Intset(_) => {
                self.iter().for_each(visit);
                0
            }
            RSet::Table(t) => scan::step(t.len(), cursor, count, |i| {
                if let Some(k) = t.get_index(i) {
                    visit(Member::Bytes(k))
                }
            }),
        }
    }

    /// intset -> hashtable, presized, members in ascending order.
    fn convert(&mut self) {
        if let RSet::Intset(i) = self {
            let mut t = Table::with_capacity_and_hasher(i.len(), RandomState::default());
            let mut scratch = itoa::Buffer::new();
            t.extend(i.iter().map(|n| Key::from(scratch.format(n).as_bytes())));
            *self = RSet::Table(Box::new(t));
        }
    }
}

/// Gives memory back when a table is mostly empty (Redis's `htNeedsResize`: under 10% full).
fn shrink(t: &mut Table) {
    if t.capacity() > 64 && t.len() * 10 < t.capacity() {
        t.shrink_to_fit();
    }
}

/// Redis's intset: sorted distinct integers, each stored in the narrowest width (2, 4 or 8 bytes) that fits
/// every member, in one allocation: the width byte, then the members little-endian. The width only grows.
/// The empty intset holds no allocation at all.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Intset(Box<[u8]>);

fn width_for(n: i64) -> usize {
    if i16::try_from(n).is_ok() {
        2
    } else if i32::try_from(n).is_ok() {
        4
    } else {
        8
    }
}

fn encode(n: i64, width: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&n.to_le_bytes()[..width]);
}

impl Intset {
    fn width(&self) -> usize {
        self.0.first().map_or(2, |w| *w as usize)
    }

    pub fn len(&self) -> usize {
        self.0.len().saturating_sub(1) / self.width()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The member at `i < len()`.
    pub fn get(&self, i: usize) -> i64 {
        let w = self.width();
        let at = 1 + i * w;
        let Some(b) = self.0.get(at..at + w) else { return 0 };
        match w {
            2 => i16::from_le_bytes([b[0], b[1]]) as i64,
            4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    }

    /// Binary search: Ok(position) if present, Err(insertion point) otherwise.
    pub fn find(&self, n: i64) -> Result<usize, usize> {
        if width_for(n) > self.width() {
            // Out of range of every member: before all of them if negative, after all if positive.
            return Err(if n < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(&n) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Inserts `n`; false if present. Rebuilds the buffer (as Redis reallocs and moves), widening every member
    /// when `n` needs more bytes.
    pub fn insert(&mut self, n: i64) -> bool {
        let Err(at) = self.find(n) else { return false };
        let (old, new) = (self.width(), self.width().max(width_for(n)));
        let len = self.len();
        let mut buf = std::mem::take(&mut self.0).into_vec();
        if old == new && !buf.is_empty() {
            // Same width: grow in place and shift the tail, one realloc.
            buf.reserve_exact(new);
            let mut bytes = Vec::with_capacity(8);
            encode(n, new, &mut bytes);
            let pos = 1 + at * new;
            buf.splice(pos..pos, bytes);
        } else {
            let old_set = Intset(buf.into_boxed_slice());
            let mut out = Vec::with_capacity(1 + (len + 1) * new);
            out.push(new as u8);
            for i in 0..len {
                if i == at {
                    encode(n, new, &mut out);
                }
                encode(old_set.get(i), new, &mut out);
            }
            if at == len {
                encode(n, new, &mut out);
            }
            buf = out;
        }
        self.0 = buf.into_boxed_slice();
        true
    }

    pub fn remove(&mut self, n: i64) -> bool {
        let Ok(at) = self.find(n) else { return false };
        let w = self.width();
        let mut buf = std::mem::take(&mut self.0).into_vec();
        let pos = 1 + at * w;
        buf.drain(pos..pos + w);
        self.0 = buf.into_boxed_slice();
        true
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Bytes used (MEMORY USAGE).
    pub fn bytes(&self) -> usize {
        self.0.len()
    }
}

impl std::fmt::Debug for Intset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Member<'_> {
        Member::Bytes(s.as_bytes())
    }

    fn members(s: &RSet) -> Vec<String> {
        let mut scratch = itoa::Buffer::new();
        s.iter().map(|m| String::from_utf8_lossy(m.as_bytes(&mut scratch)).into_owned()).collect()
    }

    #[test]
    fn intset_widens_and_stays_sorted() {
        let mut i = Intset::default();
        assert!(i.is_empty());
        for n in [5, -3, 100, 5, 70000, -9_000_000_000, i64::MAX, i64::MIN, 0] {
            i.insert(n);
        }
        assert_eq!(i.iter().collect::<Vec<_>>(), vec![i64::MIN, -9_000_000_000, -3, 0, 5, 100, 70000, i64::MAX]);
        assert_eq!(i.width(), 8);
        assert_eq!(i.bytes(), 1 + 8 * 8);
        assert!(!i.insert(70000));
        assert!(i.remove(-3));
        assert!(!i.remove(-3));
        assert!(!i.remove(42));
        assert_eq!(i.find(i64::MAX), Ok(6));
        // The width never shrinks, as in Redis.
        assert!(i.remove(i64::MAX) && i.remove(i64::MIN) && i.remove(-9_000_000_000));
        assert_eq!(i.width(), 8);
        assert_eq!(i.iter().collect::<Vec<_>>(), vec![0, 5, 100, 70000]);
    }

    #[test]
    fn intset_width_boundaries() {
        let mut i = Intset::default();
        for n in [i16::MAX as i64, i16::MIN as i64] {
            i.insert(n);
        }
        assert_eq!(i.width(), 2);
        i.insert(i16::MAX as i64 + 1);
        assert_eq!(i.width(), 4);
        i.insert(i32::MIN as i64 - 1);
        assert_eq!(i.width(), 8);
        assert_eq!(i.iter().collect::<Vec<_>>(), vec![i32::MIN as i64 - 1, -32768, 32767, 32768]);
        // Searching for a value wider than the set: never found, no panic.
        let mut small = Intset::default();
        small.insert(1);
        assert_eq!(small.find(1 << 40), Err(1));
        assert_eq!(small.find(-(1 << 40)), Err(0));
    }

    #[test]
    fn intset_converts_on_non_integers_and_size() {
        let mut s = RSet::new_for(b("1"));
        assert_eq!(s.encoding(), "intset");
        for m in ["3", "1", "2", "2"] {
            s.add(b(m), 3);
        }
        assert_eq!((s.encoding(), s.len()), ("intset", 3));
        assert!(s.add(Member::Int(4), 3));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(members(&s), vec!["1", "2", "3", "4"]);
        assert!(s.contains(Member::Int(4)) && s.contains(b("4")) && !s.contains(b("04")));
        // Never converts back.
        assert!(s.remove(b("4")) && s.remove(Member::Int(3)));
        assert_eq!(s.encoding(), "hashtable");

        for weird in ["01", "-0", "9223372036854775808", " 1", "1.0", "+1", ""] {
            let mut s = RSet::new_for(b(weird));
            assert_eq!(s.encoding(), "hashtable", "{weird:?}");
            let mut t = RSet::new_for(b("7"));
            t.add(b("7"), 512);
            t.add(b(weird), 512);
            assert_eq!(t.encoding(), "hashtable", "{weird:?}");
            assert!(t.contains(b(weird)) && t.contains(Member::Int(7)));
            assert!(s.add(b(weird), 512) && !s.add(b(weird), 512));
        }
        let mut s = RSet::new_for(b("-9223372036854775808"));
        s.add(b("-9223372036854775808"), 512);
        assert_eq!(s.encoding(), "intset");
        // A limit of 0: the first integer already converts.
        let mut s = RSet::new_for(b("1"));
        s.add(b("1"), 0);
        assert_eq!((s.encoding(), s.len()), ("hashtable", 1));
    }

    #[test]
    fn random_and_pop_cover_both_encodings() {
        let mut rng = fastrand::Rng::with_seed(7);
        for max in [512, 0] {
            let mut s = RSet::new_for(Member::Int(0));
            for n in 0..50 {
                s.add(Member::Int(n), max);
            }
            let mut seen = std::collections::HashSet::new();
            for _ in 0..2000 {
                let mut scratch = itoa::Buffer::new();
                seen.insert(s.random(&mut rng).map(|m| m.as_bytes(&mut scratch).to_vec()));
            }
            assert_eq!(seen.len(), 50, "every member gets picked ({})", s.encoding());
            let mut popped = Vec::new();
            while let Some(m) = s.pop_random(&mut rng) {
                assert!(!s.contains(m.as_member()));
                popped.push(m);
            }
            assert_eq!(popped.len(), 50);
            assert!(s.random(&mut rng).is_none());
        }
    }

    #[test]
    fn scan_intset_whole_table_by_position() {
        let mut s = RSet::new_for(Member::Int(1));
        for n in 0..10 {
            s.add(Member::Int(n), 512);
        }
        let mut seen = 0;
        assert_eq!(s.scan(0, 1, |_| seen += 1), 0);
        assert_eq!(seen, 10);
        s.add(b("x"), 512);
        let (mut cursor, mut seen) = (0, 0);
        loop {
            cursor = s.scan(cursor, 3, |_| seen += 1);
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen, 11);
    }
}
