//! The hash type: `listpack` (fields and values in one compact buffer) while small, `hashtable` past
//! `hash-max-listpack-entries` / `hash-max-listpack-value`, converting one way as Redis 7.0 does.
//!
//! When Redis converts (t_hash.c): HSET/HSETNX check every argument's length before writing
//! (`hashTypeTryConversion`), and every write checks the field and value lengths again (HINCRBY's field,
//! HINCRBYFLOAT's result) and the field count after an insert (`hashTypeSet`). Deleting never converts back.

use super::listpack::{Listpack, Offset};
use super::scan;
use super::Key;
use foldhash::fast::RandomState;
use indexmap::IndexMap;

pub type Table = IndexMap<Key, Key, RandomState>;

#[derive(Clone, Debug)]
pub enum RHash {
    Listpack(Listpack),
    Table(Box<Table>),
}

/// The conversion thresholds, read from the configuration by the caller.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `hash-max-listpack-entries`: most fields a listpack may hold.
    pub entries: u64,
    /// `hash-max-listpack-value`: longest field or value a listpack may hold.
    pub value: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { entries: 512, value: 64 }
    }
}

/// Redis's `LISTPACK_MAX_SAFETY_SIZE` (`lpSafeToAdd`): a listpack never grows past 1 GiB.
const LISTPACK_MAX_BYTES: usize = 1 << 30;

/// Our listpack counts entries in a u16: a hash of more fields than that is a table whatever the configuration.
const LISTPACK_MAX_FIELDS: u64 = u16::MAX as u64 / 2;

impl Default for RHash {
    fn default() -> Self {
        RHash::Listpack(Listpack::new())
    }
}

impl RHash {
    pub fn new() -> RHash {
        RHash::default()
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            RHash::Listpack(_) => "listpack",
            RHash::Table(_) => "hashtable",
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            RHash::Listpack(lp) => lp.len() / 2,
            RHash::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            RHash::Listpack(lp) => find(lp, field).map(|(_, v)| v),
            RHash::Table(t) => t.get(field).map(|v| &v[..]),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// `hashTypeTryConversion`: a listpack becomes a table before a write whose arguments (of these lengths)
    /// include one longer than `hash-max-listpack-value`, or that would make the buffer unsafe to grow.
    pub fn prepare_write(&mut self, arg_lens: impl IntoIterator<Item = usize>, limits: Limits) {
        let RHash::Listpack(lp) = self else { return };
        let bytes = lp.bytes();
        let mut sum = 0usize;
        for len in arg_lens {
            if len as u64 > limits.value {
                return self.convert();
            }
            sum = sum.saturating_add(len);
        }
        if bytes.saturating_add(sum) > LISTPACK_MAX_BYTES {
            self.convert();
        }
    }

    /// A hash loaded whole as a listpack of field-value pairs: kept as it is unless it has more fields than
    /// `limits.entries` (a loaded listpack keeps long values, as Redis 7.0 keeps them). None if a field repeats
    /// or the entries do not pair up.
    pub fn from_listpack(lp: Listpack, limits: Limits) -> Option<RHash> {
        if !lp.len().is_multiple_of(2) {
            return None;
        }
        let mut fields: Vec<&[u8]> = lp.pairs().map(|(_, f, _)| f).collect();
        fields.sort_unstable();
        if fields.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        if (lp.len() / 2) as u64 > limits.entries.min(LISTPACK_MAX_FIELDS) {
            let pairs: Vec<&[u8]> = lp.iter().map(|(_, e)| e).collect();
            return RHash::from_pairs(&pairs, limits);
        }
        Some(RHash::Listpack(lp))
    }

    /// A hash of `pairs` (field, value, field, value...) loaded whole, as a listpack unless it has more fields
    /// than `limits.entries` (a loaded listpack keeps long values, as Redis 7.0 keeps them). None if a field
    /// repeats.
    pub fn from_pairs(pairs: &[&[u8]], limits: Limits) -> Option<RHash> {
        let fields = pairs.len() / 2;
        if fields as u64 > limits.entries.min(LISTPACK_MAX_FIELDS) {
            let mut h = RHash::Table(Box::default());
            for p in pairs.chunks_exact(2) {
                if !h.set(p[0], p[1], limits) {
                    return None;
                }
            }
            return Some(h);
        }
        let mut sorted: Vec<&[u8]> = pairs.iter().step_by(2).copied().collect();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        Some(RHash::Listpack(Listpack::from_entries(pairs)))
    }

    /// `hashTypeSet`: sets `field` to `value`; true if the field is new. A listpack keeps its order (an update
    /// replaces the value in place, a new field goes at the end) and converts when the pair is too long or
    /// the hash too big.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: Limits) -> bool {
        if matches!(self, RHash::Listpack(_))
            && (field.len() as u64 > limits.value || value.len() as u64 > limits.value)
        {
            self.convert();
        }
        match self {
            RHash::Listpack(lp) => {
                if let Some((at, _)) = find(lp, field) {
                    // `at` is the value's offset.
                    lp.replace(at, value);
                    return false;
                }
                lp.insert(lp.end(), &[field, value]);
                if (lp.len() / 2) as u64 > limits.entries.min(LISTPACK_MAX_FIELDS) {
                    self.convert();
                }
                true
            }
            RHash::Table(t) => match t.get_mut(field) {
                Some(v) => {
                    *v = Key::from(value);
                    false
                }
                None => {
                    t.insert(Key::from(field), Key::from(value));
                    true
                }
            },
        }
    }

    /// Deletes `field`; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            RHash::Listpack(lp) => match find_field(lp, field) {
                Some(at) => {
                    lp.remove(at, 2);
                    true
                }
                None => false,
            },
            RHash::Table(t) => {
                // swap_remove keeps the HSCAN cursor's guarantee (see storage/scan.rs).
                let removed = t.swap_remove(field).is_some();
                shrink(t);
                removed
            }
        }
    }

    /// Every (field, value), in storage order: insertion order for a listpack, table positions otherwise.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            RHash::Listpack(lp) => Iter::Listpack(lp.iter()),
            RHash::Table(t) => Iter::Table(t.iter()),
        }
    }

    /// The pair at position `i` in storage order: O(1) in a table, a walk in a listpack.
    pub fn nth(&self, i: usize) -> Option<(&[u8], &[u8])> {
        match self {
            RHash::Listpack(_) => self.iter().nth(i),
            RHash::Table(t) => t.get_index(i).map(|(f, v)| (&f[..], &v[..])),
        }
    }

    /// Random access to the fields by position (HRANDFIELD): a table indexes itself; a listpack is walked
    /// once into a vector of borrowed pairs, which is small by definition.
    pub fn indexed(&self) -> Indexed<'_> {
        match self {
            RHash::Listpack(_) => Indexed::Pairs(self.iter().collect()),
            RHash::Table(t) => Indexed::Table(t),
        }
    }

    /// One HSCAN step. A listpack is returned whole with cursor 0, as Redis does for compact encodings; a table
    /// is walked with the shared position cursor (`storage::scan`).
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, mut visit: impl FnMut(&'a [u8], &'a [u8])) -> u64 {
        match self {
            RHash::Listpack(_) => {
                self.iter().for_each(|(f, v)| visit(f, v));
                0
            }
            RHash::Table(t) => scan::step(t.len(), cursor, count, |i| {
                if let Some((f, v)) = t.get_index(i) {
                    visit(f, v)
                }
            }),
        }
    }

    /// listpack -> hashtable, presized, fields in listpack order.
    fn convert(&mut self) {
        if let RHash::Listpack(lp) = self {
            let mut t = Table::with_capacity_and_hasher(lp.len() / 2, RandomState::default());
            t.extend(lp.pairs().map(|(_, f, v)| (Key::from(f), Key::from(v))));
            *self = RHash::Table(Box::new(t));
        }
    }
}

/// Offset of `field`'s entry in a listpack of pairs.
fn find_field(lp: &Listpack, field: &[u8]) -> Option<Offset> {
    lp.pairs().find(|(_, f, _)| *f == field).map(|(at, _, _)| at)
}

/// The offset and bytes of `field`'s value.
fn find<'a>(lp: &'a Listpack, field: &[u8]) -> Option<(Offset, &'a [u8])> {
    let mut it = lp.iter();
    while let Some((_, f)) = it.next() {
        let (at, v) = it.next()?;
        if f == field {
            return Some((at, v));
        }
    }
    None
}

/// Gives memory back when a table is mostly empty (Redis's `htNeedsResize`: under 10% full).
fn shrink(t: &mut Table) {
    if t.capacity() > 64 && t.len() * 10 < t.capacity() {
        t.shrink_to_fit();
    }
}

/// Iterator over (field, value) of either encoding.
pub enum Iter<'a> {
    Listpack(super::listpack::Iter<'a>),
    Table(indexmap::map::Iter<'a, Key, Key>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(it) => {
                let (_, f) = it.next()?;
                let (_, v) = it.next()?;
                Some((f, v))
            }
            Iter::Table(it) => it.next().map(|(f, v)| (&f[..], &v[..])),
        }
    }
}

/// A hash's pairs by position.
pub enum Indexed<'a> {
    Pairs(Vec<(&'a [u8], &'a [u8])>),
    Table(&'a Table),
}

impl<'a> Indexed<'a> {
    pub fn len(&self) -> usize {
        match self {
            Indexed::Pairs(p) => p.len(),
            Indexed::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<(&'a [u8], &'a [u8])> {
        match self {
            Indexed::Pairs(p) => p.get(i).copied(),
            Indexed::Table(t) => t.get_index(i).map(|(f, v)| (&f[..], &v[..])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(entries: u64, value: u64) -> Limits {
        Limits { entries, value }
    }

    #[test]
    fn loaded_whole_as_set_one_by_one_would_build_it() {
        let items: [&[u8]; 6] = [b"a", b"1", b"b", &[b'x'; 100], b"c", b"3"];
        let h = RHash::from_pairs(&items, limits(3, 64)).unwrap();
        assert_eq!(h.encoding(), "listpack", "a loaded listpack keeps its long value");
        assert_eq!(pairs(&h)[1], ("b".into(), "x".repeat(100)));
        assert_eq!(RHash::from_pairs(&items, limits(2, 64)).unwrap().encoding(), "hashtable");
        assert!(RHash::from_pairs(&[b"a", b"1", b"a", b"2"], limits(3, 64)).is_none(), "a repeated field");
        assert!(RHash::from_pairs(&[b"a", b"1", b"b", b"2", b"a", b"3"], limits(1, 64)).is_none());
    }

    fn pairs(h: &RHash) -> Vec<(String, String)> {
        h.iter()
            .map(|(f, v)| (String::from_utf8_lossy(f).into_owned(), String::from_utf8_lossy(v).into_owned()))
            .collect()
    }

    fn sorted_pairs(h: &RHash) -> Vec<(String, String)> {
        let mut p = pairs(h);
        p.sort();
        p
    }

    #[test]
    fn listpack_keeps_insertion_order_and_updates_in_place() {
        let mut h = RHash::new();
        let l = Limits::default();
        assert!(h.set(b"a", b"1", l));
        assert!(h.set(b"b", b"2", l));
        assert!(h.set(b"c", b"3", l));
        assert!(!h.set(b"a", b"10", l));
        assert_eq!(h.encoding(), "listpack");
        let expected: Vec<(String, String)> =
            [("a", "10"), ("b", "2"), ("c", "3")].iter().map(|(f, v)| (f.to_string(), v.to_string())).collect();
        assert_eq!(pairs(&h), expected);
        assert_eq!(h.get(b"b"), Some(&b"2"[..]));
        assert_eq!(h.get(b"2"), None, "values are not fields");
        assert!(h.remove(b"b") && !h.remove(b"b"));
        assert_eq!(h.len(), 2);
        assert!(h.set(b"", b"", l));
        assert_eq!(h.get(b""), Some(&b""[..]));
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn converts_past_entries_and_never_back() {
        let mut h = RHash::new();
        let l = limits(3, 64);
        for f in ["a", "b", "c"] {
            h.set(f.as_bytes(), b"v", l);
        }
        assert_eq!(h.encoding(), "listpack");
        // Updating an existing field at the limit does not convert.
        h.set(b"c", b"w", l);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"d", b"v", l);
        assert_eq!((h.encoding(), h.len()), ("hashtable", 4));
        assert_eq!(
            sorted_pairs(&h),
            vec![
                ("a".into(), "v".into()),
                ("b".into(), "v".into()),
                ("c".into(), "w".into()),
                ("d".into(), "v".into())
            ]
        );
        for f in ["a", "b", "c"] {
            assert!(h.remove(f.as_bytes()));
        }
        assert_eq!((h.encoding(), h.len()), ("hashtable", 1));
        // A limit of 0: the first field converts.
        let mut h = RHash::new();
        h.set(b"a", b"1", limits(0, 64));
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn converts_on_long_fields_and_values_at_the_boundary() {
        let l = Limits::default();
        let at = vec![b'x'; 64];
        let over = vec![b'x'; 65];
        let mut h = RHash::new();
        h.set(&at, &at, l);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f", &over, l);
        assert_eq!(h.encoding(), "hashtable");
        let mut h = RHash::new();
        h.set(&over, b"v", l);
        assert_eq!(h.encoding(), "hashtable");
        // HSET's pre-check looks at every argument, even of a field that ends up not written.
        let mut h = RHash::new();
        h.prepare_write([1, 64], l);
        assert_eq!(h.encoding(), "listpack");
        h.prepare_write([1, 65], l);
        assert_eq!(h.encoding(), "hashtable");
        // A value limit of 0 still allows empty strings.
        let mut h = RHash::new();
        h.set(b"", b"", limits(512, 0));
        assert_eq!(h.encoding(), "listpack");
        h.set(b"a", b"", limits(512, 0));
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn scan_and_indexed_cover_both_encodings() {
        for l in [Limits::default(), limits(0, 64)] {
            let mut h = RHash::new();
            for i in 0..20 {
                h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), l);
            }
            let (mut cursor, mut seen) = (0, Vec::new());
            loop {
                cursor = h.scan(cursor, 3, |f, v| seen.push((f.to_vec(), v.to_vec())));
                if cursor == 0 {
                    break;
                }
            }
            seen.sort();
            let mut all: Vec<_> = h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            all.sort();
            assert_eq!(seen, all, "{}", h.encoding());
            assert_eq!(h.nth(0), h.iter().next());
            assert_eq!(h.nth(19), h.iter().last());
            assert_eq!(h.nth(20), None);
            let ix = h.indexed();
            assert_eq!(ix.len(), 20);
            let mut by_index: Vec<_> =
                (0..20).filter_map(|i| ix.get(i)).map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            by_index.sort();
            assert_eq!(by_index, all);
            assert!(ix.get(20).is_none());
        }
    }

    #[test]
    fn table_shrinks_when_mostly_empty() {
        let mut h = RHash::new();
        let l = limits(0, 64);
        for i in 0..1000 {
            h.set(i.to_string().as_bytes(), b"v", l);
        }
        for i in 0..995 {
            h.remove(i.to_string().as_bytes());
        }
        let RHash::Table(t) = &h else { panic!("table expected") };
        assert!(t.capacity() < 1000);
        assert_eq!(h.len(), 5);
    }
}
