//! `RList`: Redis 7.0's list, a quicklist: a deque of nodes, each a compact buffer of entries filled up to
//! `list-max-listpack-size` (a count of entries, or with a negative value a byte size: -1 4 KB ... -5 64 KB),
//! which is also where Redis splits its nodes, so a list saved to RDB has Redis's nodes.
//!
//! A node's entry is its length (LEB128), its bytes, then its length again written backwards (readable from the
//! entry's end, as listpack's backlen), so both ends of a node are reached without a scan: LPUSH/RPUSH/LPOP/RPOP
//! touch one node, LINDEX and LRANGE skip whole nodes by their counts.

use std::collections::VecDeque;

/// `list-max-listpack-size`: positive = most entries a node holds, negative = its size class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill(pub i32);

/// Redis's optimization_level: the byte limits of the negative fills.
const SIZE_CLASSES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// A node limited by count still stays under this size (SIZE_SAFETY_LIMIT).
const SIZE_SAFETY_LIMIT: usize = 8192;

impl Fill {
    /// Redis 7.0's _quicklistNodeAllowInsert: may a node of `count` entries and `node_bytes` (its listpack size)
    /// take an entry of `len` bytes? The new size is estimated as Redis estimates it (the length plus 8), so
    /// nodes split exactly where Redis splits them.
    fn allows(self, count: usize, node_bytes: usize, len: usize) -> bool {
        let new_size = node_bytes + len + SIZE_ESTIMATE_OVERHEAD;
        if self.0 >= 0 {
            let count_limit = self.0.max(1) as usize;
            new_size <= SIZE_SAFETY_LIMIT && count < count_limit
        } else {
            let level = ((-(self.0 as i64) - 1) as usize).min(SIZE_CLASSES.len() - 1);
            new_size <= SIZE_CLASSES[level]
        }
    }
}

/// What Redis adds to an entry's length to estimate its size in a listpack (SIZE_ESTIMATE_OVERHEAD).
const SIZE_ESTIMATE_OVERHEAD: usize = 8;

/// The size an entry takes in Redis's listpack (lpEncodeGetType + backlen), for the node size limits.
pub fn listpack_entry_size(entry: &[u8]) -> usize {
    let data = match crate::protocol::number::canonical_i64(entry) {
        Some(v) if (0..=127).contains(&v) => 1,
        Some(v) if (-4096..=4095).contains(&v) => 2,
        Some(v) if i16::try_from(v).is_ok() => 3,
        Some(v) if (-8_388_608..=8_388_607).contains(&v) => 4,
        Some(v) if i32::try_from(v).is_ok() => 5,
        Some(_) => 9,
        None if entry.len() < 64 => 1 + entry.len(),
        None if entry.len() < 4096 => 2 + entry.len(),
        None => 5 + entry.len(),
    };
    let backlen = match data {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    data + backlen
}

/// One node: entries laid out as `len, bytes, backlen`.
#[derive(Clone, Debug, Default)]
struct Node {
    buf: Vec<u8>,
    count: usize,
    /// The size of this node as a Redis listpack (6-byte header, entries, end byte): the fill limits apply to it.
    lp_bytes: usize,
}

fn varint_len(n: usize) -> usize {
    let mut len = 1;
    let mut n = n >> 7;
    while n > 0 {
        n >>= 7;
        len += 1;
    }
    len
}

fn put_entry(out: &mut Vec<u8>, entry: &[u8]) {
    let mut n = entry.len();
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(entry);
    // Backwards: the most significant group first (no mark), then the others marked, least significant last.
    let groups = varint_len(entry.len());
    for g in (0..groups).rev() {
        let part = ((entry.len() >> (7 * g)) & 0x7f) as u8;
        out.push(if g == groups - 1 { part } else { part | 0x80 });
    }
}

fn encoded_len(entry: &[u8]) -> usize {
    2 * varint_len(entry.len()) + entry.len()
}

impl Node {
    fn new() -> Node {
        Node { buf: Vec::new(), count: 0, lp_bytes: 7 }
    }

    /// The entry starting at `at`: its bytes and the offset after it.
    fn entry_at(&self, at: usize) -> (&[u8], usize) {
        let (mut len, mut shift, mut i) = (0usize, 0, at);
        loop {
            let b = self.buf[i];
            len |= usize::from(b & 0x7f) << shift;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        (&self.buf[i..i + len], i + len + varint_len(len))
    }

    /// The entry ending at `end`: its start offset.
    fn entry_before(&self, end: usize) -> usize {
        let (mut len, mut shift, mut i) = (0usize, 0, end);
        loop {
            i -= 1;
            let b = self.buf[i];
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        i - len - varint_len(len)
    }

    /// Offset of entry `index` (from whichever end is nearer).
    fn offset_of(&self, index: usize) -> usize {
        if index <= self.count / 2 {
            let mut at = 0;
            for _ in 0..index {
                at = self.entry_at(at).1;
            }
            at
        } else {
            let mut at = self.buf.len();
            for _ in index..self.count {
                at = self.entry_before(at);
            }
            at
        }
    }

    fn get(&self, index: usize) -> &[u8] {
        self.entry_at(self.offset_of(index)).0
    }

    fn insert(&mut self, index: usize, entry: &[u8]) {
        let at = if index == self.count { self.buf.len() } else { self.offset_of(index) };
        let mut encoded = Vec::with_capacity(encoded_len(entry));
        put_entry(&mut encoded, entry);
        self.buf.splice(at..at, encoded);
        self.count += 1;
        self.lp_bytes += listpack_entry_size(entry);
    }

    fn push_back(&mut self, entry: &[u8]) {
        self.buf.reserve_exact(encoded_len(entry));
        put_entry(&mut self.buf, entry);
        self.count += 1;
        self.lp_bytes += listpack_entry_size(entry);
    }

    /// Removes entry `index`; returns it.
    fn remove(&mut self, index: usize) -> Vec<u8> {
        let at = self.offset_of(index);
        let (bytes, end) = self.entry_at(at);
        let entry = bytes.to_vec();
        self.buf.drain(at..end);
        self.count -= 1;
        self.lp_bytes -= listpack_entry_size(&entry);
        entry
    }

    fn replace(&mut self, index: usize, entry: &[u8]) {
        let at = self.offset_of(index);
        let (old, end) = self.entry_at(at);
        self.lp_bytes = self.lp_bytes - listpack_entry_size(old) + listpack_entry_size(entry);
        let mut encoded = Vec::with_capacity(encoded_len(entry));
        put_entry(&mut encoded, entry);
        self.buf.splice(at..end, encoded);
    }

    fn iter(&self) -> NodeIter<'_> {
        NodeIter { node: self, front: 0, back: self.buf.len() }
    }
}

struct NodeIter<'a> {
    node: &'a Node,
    front: usize,
    back: usize,
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.front >= self.back {
            return None;
        }
        let (bytes, next) = self.node.entry_at(self.front);
        self.front = next;
        Some(bytes)
    }
}

impl DoubleEndedIterator for NodeIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let start = self.node.entry_before(self.back);
        self.back = start;
        Some(self.node.entry_at(start).0)
    }
}

/// A list value.
#[derive(Clone, Debug, Default)]
pub struct RList {
    nodes: VecDeque<Node>,
    len: usize,
    /// The nodes' heap bytes (buffers and node records), kept as they change: the keyspace re-measures a list
    /// after every write, which must not walk its nodes.
    bytes: usize,
}

const NODE_BYTES: usize = std::mem::size_of::<Node>();

impl RList {
    pub fn new() -> RList {
        RList::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// OBJECT ENCODING: Redis 7.0 reports every list as a quicklist.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// LPUSH: a new head node when the head cannot take the entry (quicklistPushHead).
    pub fn push_front(&mut self, entry: &[u8], fill: Fill) {
        match self.nodes.front_mut() {
            Some(n) if fill.allows(n.count, n.lp_bytes, entry.len()) => {
                let before = n.buf.capacity();
                n.insert(0, entry);
                self.bytes = self.bytes + n.buf.capacity() - before;
            }
            _ => {
                let mut n = Node::new();
                n.push_back(entry);
                self.bytes += NODE_BYTES + n.buf.capacity();
                self.reserve_node();
                self.nodes.push_front(n);
            }
        }
        self.len += 1;
    }

    /// RPUSH (quicklistPushTail).
    pub fn push_back(&mut self, entry: &[u8], fill: Fill) {
        match self.nodes.back_mut() {
            Some(n) if fill.allows(n.count, n.lp_bytes, entry.len()) => {
                let before = n.buf.capacity();
                n.push_back(entry);
                self.bytes = self.bytes + n.buf.capacity() - before;
            }
            _ => {
                let mut n = Node::new();
                n.push_back(entry);
                self.bytes += NODE_BYTES + n.buf.capacity();
                self.reserve_node();
                self.nodes.push_back(n);
            }
        }
        self.len += 1;
    }

    /// Room for one more node: exactly one for a list's first (most lists are one node; the deque's default
    /// first allocation holds four), doubling after.
    fn reserve_node(&mut self) {
        if self.nodes.capacity() == 0 {
            self.nodes.reserve_exact(1);
        }
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        self.remove(0)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        self.len.checked_sub(1).and_then(|i| self.remove(i))
    }

    /// The node holding `index` and the index inside it.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.len {
            return None;
        }
        if index < self.len / 2 {
            let mut left = index;
            for (i, n) in self.nodes.iter().enumerate() {
                if left < n.count {
                    return Some((i, left));
                }
                left -= n.count;
            }
        } else {
            let mut from_end = self.len - 1 - index;
            for (i, n) in self.nodes.iter().enumerate().rev() {
                if from_end < n.count {
                    return Some((i, n.count - 1 - from_end));
                }
                from_end -= n.count;
            }
        }
        None
    }

    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let (n, i) = self.locate(index)?;
        Some(self.nodes[n].get(i))
    }

    /// LSET.
    pub fn set(&mut self, index: usize, entry: &[u8]) -> bool {
        match self.locate(index) {
            Some((n, i)) => {
                let node = &mut self.nodes[n];
                let before = node.buf.capacity();
                node.replace(i, entry);
                self.bytes = self.bytes + node.buf.capacity() - before;
                true
            }
            None => false,
        }
    }

    /// Removes the entry at `index`; a node left empty goes.
    pub fn remove(&mut self, index: usize) -> Option<Vec<u8>> {
        let (n, i) = self.locate(index)?;
        let node = &mut self.nodes[n];
        let before = node.buf.capacity();
        let entry = node.remove(i);
        self.bytes = self.bytes + node.buf.capacity() - before;
        if node.count == 0 {
            self.bytes -= NODE_BYTES + node.buf.capacity();
            self.nodes.remove(n);
        }
        self.len -= 1;
        Some(entry)
    }

    /// Appends a whole node as saved (RDB's quicklist keeps Redis's node boundaries); an empty one is skipped.
    pub fn push_node<'a>(&mut self, entries: impl IntoIterator<Item = &'a [u8]>) {
        let mut node = Node::new();
        for e in entries {
            node.push_back(e);
        }
        if node.count > 0 {
            self.len += node.count;
            self.bytes += NODE_BYTES + node.buf.capacity();
            self.nodes.push_back(node);
        }
    }

    /// LINSERT: `entry` at position `index` (0..=len), into the node there when it has room, else into a new
    /// node beside it.
    pub fn insert(&mut self, index: usize, entry: &[u8], fill: Fill) {
        if index == 0 {
            return self.push_front(entry, fill);
        }
        if index >= self.len {
            return self.push_back(entry, fill);
        }
        let Some((n, i)) = self.locate(index) else { return };
        let node = &mut self.nodes[n];
        let before = node.buf.capacity();
        if fill.allows(node.count, node.lp_bytes, entry.len()) {
            node.insert(i, entry);
            self.bytes = self.bytes + node.buf.capacity() - before;
        } else {
            // Split at the insertion point: the entry starts the second half.
            let mut tail = Node::new();
            let rest: Vec<Vec<u8>> = node.iter().skip(i).map(<[u8]>::to_vec).collect();
            for _ in i..node.count {
                node.remove(i);
            }
            tail.push_back(entry);
            for e in &rest {
                tail.push_back(e);
            }
            self.bytes = self.bytes + node.buf.capacity() - before + NODE_BYTES + tail.buf.capacity();
            self.nodes.insert(n + 1, tail);
        }
        self.len += 1;
    }

    /// LTRIM: keeps `start..end` (a valid, non-empty range).
    pub fn keep_range(&mut self, start: usize, end: usize) {
        for _ in 0..self.len - end {
            self.pop_back();
        }
        for _ in 0..start {
            self.pop_front();
        }
    }

    /// Every entry from the head.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.nodes.iter().flat_map(Node::iter)
    }

    /// Entries `start..end`, skipping whole nodes before `start`.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let mut skip = start;
        let mut first = 0;
        for n in &self.nodes {
            if skip < n.count {
                break;
            }
            skip -= n.count;
            first += 1;
        }
        self.nodes.iter().skip(first).flat_map(Node::iter).skip(skip).take(end.saturating_sub(start))
    }

    /// The nodes' entries, node by node (RDB's quicklist encoding saves one listpack per node).
    pub fn nodes(&self) -> impl Iterator<Item = impl Iterator<Item = &[u8]> + '_> + '_ {
        self.nodes.iter().map(Node::iter)
    }

    /// Bytes held (MEMORY USAGE, the keyspace's accounting).
    pub fn heap_size(&self) -> usize {
        self.bytes + (self.nodes.capacity() - self.nodes.len()) * NODE_BYTES
    }

    /// Removes the entries for which `remove` says so, visiting from the head (or from the tail with `rev`), up
    /// to `limit` removals (0 = all): LREM. Returns how many went.
    pub fn remove_matching(&mut self, rev: bool, limit: usize, mut remove: impl FnMut(&[u8]) -> bool) -> usize {
        let indexes: Vec<usize> = if rev {
            let mut found: Vec<usize> =
                self.iter().rev().enumerate().filter(|(_, e)| remove(e)).map(|(i, _)| self.len - 1 - i).collect();
            if limit > 0 {
                found.truncate(limit);
            }
            found
        } else {
            let mut found: Vec<usize> = self.iter().enumerate().filter(|(_, e)| remove(e)).map(|(i, _)| i).collect();
            if limit > 0 {
                found.truncate(limit);
            }
            found.reverse();
            found
        };
        // From the highest index down, so the others do not move.
        let mut sorted = indexes;
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        for &i in &sorted {
            self.remove(i);
        }
        sorted.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &RList) -> Vec<String> {
        l.iter().map(|e| String::from_utf8_lossy(e).into_owned()).collect()
    }

    #[test]
    fn pushes_pops_and_indexes_across_nodes() {
        let fill = Fill(3);
        let mut l = RList::new();
        for i in 0..10 {
            l.push_back(i.to_string().as_bytes(), fill);
        }
        l.push_front(b"a", fill);
        assert_eq!(l.len(), 11);
        assert_eq!(l.nodes.len(), 5, "nodes of at most 3");
        assert_eq!(items(&l)[..3], ["a", "0", "1"]);
        assert_eq!(l.get(10), Some(&b"9"[..]));
        assert_eq!(l.get(5), Some(&b"4"[..]));
        assert!(l.set(5, &[b'x'; 300]));
        assert_eq!(l.get(5).map(<[u8]>::len), Some(300));
        assert_eq!(l.pop_back(), Some(b"9".to_vec()));
        assert_eq!(l.pop_front(), Some(b"a".to_vec()));
        assert_eq!(l.range(2, 5).collect::<Vec<_>>(), [&b"2"[..], b"3", &[b'x'; 300][..]]);
        assert_eq!(l.iter().next_back(), Some(&b"8"[..]));
        l.insert(1, b"ins", fill);
        assert_eq!(items(&l)[..3], ["0", "ins", "1"]);
        assert_eq!(l.remove_matching(false, 0, |e| e == b"ins"), 1);
        l.keep_range(1, 3);
        assert_eq!(items(&l), ["1", "2"]);
        let walked: usize = l.nodes.iter().map(|n| NODE_BYTES + n.buf.capacity()).sum();
        assert_eq!(l.bytes, walked, "the running count of bytes is the nodes' own");
    }

    #[test]
    fn long_entries_read_back_from_both_ends() {
        let mut l = RList::new();
        let big = vec![b'q'; 20_000];
        for e in [&b""[..], &big, b"x", &[b'z'; 200]] {
            l.push_back(e, Fill(-2));
        }
        assert_eq!(l.iter().rev().map(<[u8]>::len).collect::<Vec<_>>(), [200, 1, 20_000, 0]);
        assert_eq!(l.iter().map(<[u8]>::len).collect::<Vec<_>>(), [0, 20_000, 1, 200]);
    }

    #[test]
    fn byte_fill_splits_nodes_where_redis_does() {
        // -2: 8 KB nodes; an entry of 100 bytes takes 103 in a listpack (estimated 103), a node starts at 7:
        // redis-server 7.0.15's first node of such a list is a listpack of 8144 bytes, 79 entries.
        let mut l = RList::new();
        for _ in 0..200 {
            l.push_back(&[b'v'; 100], Fill(-2));
        }
        assert_eq!((l.nodes[0].count, l.nodes[0].lp_bytes), (79, 8144));
        assert_eq!(l.nodes.len(), 3);
    }
}
