//! The sorted set type: `listpack` (member/score pairs in (score, member) order in one compact buffer) while
//! small, `skiplist` past `zset-max-listpack-entries` / `zset-max-listpack-value`, converting one way as Redis
//! does. The large encoding keeps a member -> score map (O(1) ZSCORE, ZSCAN positions, random picks) and an
//! order-statistic index of (score, member) for ranks.
//!
//! The API is in ranks (0-based, ascending): every range command turns its bounds into a rank interval with
//! `count_below_score` / `count_below_lex` / plain indexes, then reads or removes that interval.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use super::listpack::Listpack;
use super::Key;
use foldhash::fast::RandomState;
use indexmap::IndexMap;
use std::cmp::Ordering;

/// Encoding thresholds, read from the config by the caller.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

#[derive(Clone, Debug)]
pub enum RZSet {
    Listpack(Listpack),
    Skiplist(Box<Large>),
}

/// The large encoding.
#[derive(Clone, Debug, Default)]
pub struct Large {
    scores: IndexMap<Key, f64, RandomState>,
    order: Ordered,
}

impl Large {
    /// Estimated bytes held (see storage/memory.rs), reading at most `samples` members.
    pub fn memory(&self, samples: usize) -> usize {
        use super::memory::{alloc_size, key_heap, large_zset_size, sampled};
        let heap =
            sampled(self.scores.len(), samples, |i| self.scores.get_index(i).map_or(0, |(m, _)| key_heap(m.len())));
        alloc_size(std::mem::size_of::<Large>()) + large_zset_size(self.scores.len(), self.scores.capacity(), heap)
    }
}

/// Redis's element order: score, then member bytes.
pub fn cmp(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    a_score.partial_cmp(&b_score).unwrap_or(Ordering::Equal).then_with(|| a_member.cmp(b_member))
}

/// A lexicographic range bound (`[a`, `(a`, `-`, `+`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LexBound<'a> {
    Min,
    Max,
    Inclusive(&'a [u8]),
    Exclusive(&'a [u8]),
}

impl LexBound<'_> {
    /// Is `member` strictly below this bound when the bound is a range start (`start = true`: elements below
    /// the start are outside), or at/below it when it is a range end?
    fn below(&self, member: &[u8], start: bool) -> bool {
        match *self {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Inclusive(b) => {
                if start {
                    member < b
                } else {
                    member <= b
                }
            }
            LexBound::Exclusive(b) => {
                if start {
                    member <= b
                } else {
                    member < b
                }
            }
        }
    }
}

fn decode_score(b: &[u8]) -> f64 {
    let mut bytes = [0u8; 8];
    if b.len() == 8 {
        bytes.copy_from_slice(b);
    }
    f64::from_le_bytes(bytes)
}

impl Default for RZSet {
    fn default() -> Self {
        RZSet::Listpack(Listpack::new())
    }
}

impl RZSet {
    pub fn new() -> RZSet {
        RZSet::default()
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            RZSet::Listpack(_) => "listpack",
            RZSet::Skiplist(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            RZSet::Listpack(lp) => lp.len() / 2,
            RZSet::Skiplist(l) => l.scores.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new set that will hold `len` elements whose longest member has `max_member` bytes: the encoding
    /// Redis would pick for a command's result (ZUNIONSTORE, ZRANGESTORE...).
    pub fn with_capacity(len: usize, max_member: usize, limits: Limits) -> RZSet {
        if len > limits.max_entries || max_member > limits.max_value {
            RZSet::Skiplist(Box::default())
        } else {
            RZSet::new()
        }
    }

    /// A sorted set of `pairs` loaded whole (a compact RDB encoding): a listpack built in one go unless it has
    /// more members than `limits.max_entries`. None if a member repeats.
    pub fn from_pairs(mut pairs: Vec<(&[u8], f64)>, limits: Limits) -> Option<RZSet> {
        if pairs.len() > limits.max_entries {
            let mut z = RZSet::Skiplist(Box::default());
            for (member, score) in pairs {
                if z.insert(member, score, limits).is_some() {
                    return None;
                }
            }
            return Some(z);
        }
        let mut members: Vec<&[u8]> = pairs.iter().map(|p| p.0).collect();
        members.sort_unstable();
        if members.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        pairs.sort_by(|a, b| cmp(a.1, a.0, b.1, b.0));
        // As `insert`: a listpack keeps -0 as 0.
        let scores: Vec<[u8; 8]> = pairs.iter().map(|p| (if p.1 == 0.0 { 0.0 } else { p.1 }).to_le_bytes()).collect();
        let entries: Vec<&[u8]> = pairs.iter().zip(&scores).flat_map(|(p, s)| [p.0, &s[..]]).collect();
        Some(RZSet::Listpack(Listpack::from_entries(&entries)))
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            RZSet::Listpack(lp) => lp.pairs().find(|(_, m, _)| *m == member).map(|(_, _, s)| decode_score(s)),
            RZSet::Skiplist(l) => l.scores.get(member).copied(),
        }
    }

    /// Sets `member`'s score, adding it if new. Returns the previous score. As Redis's `zsetAdd`, only a new
    /// member can push a listpack past `limits` and convert it (an update never does, even after CONFIG SET
    /// lowered them), and a listpack keeps whole scores as integers, so -0 is stored as 0 there.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) -> Option<f64> {
        // A large set changes a score in place: the member keeps its position in `scores`, so a ZSCAN under way
        // still returns it (removing and re-adding would move it past the cursor).
        if let RZSet::Skiplist(l) = self {
            use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
            // One hash lookup, and the key copied only when it is new.
            return match l.scores.raw_entry_mut_v1().from_key(member) {
                RawEntryMut::Occupied(mut o) => {
                    let old = std::mem::replace(o.get_mut(), score);
                    l.order.remove(old, member);
                    l.order.insert(score, member);
                    Some(old)
                }
                RawEntryMut::Vacant(v) => {
                    v.insert(Key::from(member), score);
                    l.order.insert(score, member);
                    None
                }
            };
        }
        let old = self.remove(member);
        if let RZSet::Listpack(lp) = self {
            if old.is_none() && (lp.len() / 2 + 1 > limits.max_entries || member.len() > limits.max_value) {
                self.convert();
            }
        }
        match self {
            RZSet::Listpack(lp) => {
                let score = if score == 0.0 { 0.0 } else { score };
                let at = lp
                    .pairs()
                    .find(|(_, m, s)| cmp(decode_score(s), m, score, member) == Ordering::Greater)
                    .map_or(lp.end(), |(at, _, _)| at);
                lp.insert(at, &[member, &score.to_le_bytes()]);
            }
            RZSet::Skiplist(l) => {
                l.scores.insert(Key::from(member), score);
                l.order.insert(score, member);
            }
        }
        old
    }

    /// Removes `member`; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            RZSet::Listpack(lp) => {
                let (at, score) = lp.pairs().find(|(_, m, _)| *m == member).map(|(at, _, s)| (at, decode_score(s)))?;
                lp.remove(at, 2);
                Some(score)
            }
            RZSet::Skiplist(l) => {
                let score = l.scores.swap_remove(member)?;
                l.order.remove(score, member);
                Some(score)
            }
        }
    }

    fn convert(&mut self) {
        let mut large = Large::default();
        for (m, s) in self.iter() {
            large.scores.insert(Key::from(m), s);
            large.order.insert(s, m);
        }
        *self = RZSet::Skiplist(Box::new(large));
    }

    /// 0-based ascending rank of `member`.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match self {
            RZSet::Listpack(lp) => lp.pairs().position(|(_, m, _)| m == member),
            RZSet::Skiplist(l) => {
                let score = *l.scores.get(member)?;
                Some(l.order.count_below(|s, m| cmp(s, m, score, member) == Ordering::Less))
            }
        }
    }

    /// The element at ascending rank `rank`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        match self {
            RZSet::Listpack(lp) => lp.pairs().nth(rank).map(|(_, m, s)| (m, decode_score(s))),
            RZSet::Skiplist(l) => l.order.get(rank),
        }
    }

    /// Number of elements below a score bound: with `or_equal`, elements with score <= `score`; otherwise
    /// elements with score < `score`. A range [min, max] is the rank interval
    /// `count_below_score(min, min_exclusive) .. count_below_score(max, !max_exclusive)`.
    pub fn count_below_score(&self, score: f64, or_equal: bool) -> usize {
        let below = |s: f64| if or_equal { s <= score } else { s < score };
        match self {
            RZSet::Listpack(lp) => lp.pairs().take_while(|(_, _, s)| below(decode_score(s))).count(),
            RZSet::Skiplist(l) => l.order.count_below(|s, _| below(s)),
        }
    }

    /// Number of elements before a lex bound (assumes equal scores, as Redis's lex commands do). For a range
    /// start, the elements outside below it; for a range end, the elements up to and including it.
    pub fn count_below_lex(&self, bound: LexBound, start: bool) -> usize {
        match self {
            RZSet::Listpack(lp) => lp.pairs().take_while(|(_, m, _)| bound.below(m, start)).count(),
            RZSet::Skiplist(l) => l.order.count_below(|_, m| bound.below(m, start)),
        }
    }

    /// Calls `f` for ranks `start..end` in ascending order, or descending with `rev`.
    pub fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let end = end.min(self.len());
        if start >= end {
            return;
        }
        match self {
            RZSet::Listpack(lp) => {
                let items: Vec<(&[u8], f64)> =
                    lp.pairs().skip(start).take(end - start).map(|(_, m, s)| (m, decode_score(s))).collect();
                if rev {
                    items.into_iter().rev().for_each(|(m, s)| f(m, s));
                } else {
                    items.into_iter().for_each(|(m, s)| f(m, s));
                }
            }
            RZSet::Skiplist(l) => l.order.for_range(start, end, rev, f),
        }
    }

    /// Removes ranks `start..end`; returns how many were removed.
    pub fn remove_range(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        let mut doomed: Vec<Vec<u8>> = Vec::with_capacity(end - start);
        self.for_range(start, end, false, |m, _| doomed.push(m.to_vec()));
        for m in &doomed {
            self.remove(m);
        }
        doomed.len()
    }

    /// Every element in ascending order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        match self {
            RZSet::Listpack(lp) => Box::new(lp.pairs().map(|(_, m, s)| (m, decode_score(s)))),
            RZSet::Skiplist(l) => Box::new((0..l.order.len()).filter_map(move |i| l.order.get(i))),
        }
    }

    /// One ZSCAN step: the listpack returns everything with cursor 0 (as Redis); the large encoding walks the
    /// member map's positions (storage::scan).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            RZSet::Listpack(_) => {
                self.iter().for_each(|(m, s)| f(m, s));
                0
            }
            RZSet::Skiplist(l) => super::scan::step(l.scores.len(), cursor, count, |i| {
                if let Some((m, s)) = l.scores.get_index(i) {
                    f(m, *s);
                }
            }),
        }
    }

    /// A uniformly random element.
    pub fn random(&self, rng: &mut fastrand::Rng) -> Option<(&[u8], f64)> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let i = rng.usize(..n);
        match self {
            RZSet::Listpack(_) => self.get(i),
            RZSet::Skiplist(l) => l.scores.get_index(i).map(|(m, s)| (&m[..], *s)),
        }
    }
}

/// Elements per chunk after a split; a chunk splits when it passes twice this.
const LOAD: usize = 256;

/// The order-statistic index of the large encoding: (score, member) in Redis's order, as a two-level counted
/// B-tree: sorted leaf chunks of LOAD..2*LOAD elements, the last element of each chunk to find a chunk by value,
/// and a Fenwick tree of chunk sizes to find a chunk by rank. Rank, select and bound queries are O(log n);
/// an insert or delete moves at most 2*LOAD entries within one chunk (a bounded memmove), and a split or a
/// chunk removal, once per LOAD updates at most, rebuilds the chunk-level arrays.
#[derive(Clone, Debug, Default)]
struct Ordered {
    chunks: Vec<Vec<(f64, Key)>>,
    /// The last (largest) element of each chunk.
    maxes: Vec<(f64, Key)>,
    /// 1-based Fenwick tree over chunk lengths.
    fenwick: Vec<usize>,
    len: usize,
}

impl Ordered {
    fn len(&self) -> usize {
        self.len
    }

    /// The chunk where (score, member) is or would go: the first whose max is not below it, else the last.
    fn chunk_for(&self, score: f64, member: &[u8]) -> usize {
        let i = self.maxes.partition_point(|(s, m)| cmp(*s, m, score, member) == Ordering::Less);
        i.min(self.chunks.len().saturating_sub(1))
    }

    fn rebuild_fenwick(&mut self) {
        let n = self.chunks.len();
        self.fenwick = vec![0; n + 1];
        for (i, c) in self.chunks.iter().enumerate() {
            let mut j = i + 1;
            self.fenwick[j] += c.len();
            j += j & j.wrapping_neg();
            if j <= n {
                let v = self.fenwick[i + 1];
                self.fenwick[j] += v;
            }
        }
    }

    fn fenwick_add(&mut self, chunk: usize, grow: bool) {
        let mut j = chunk + 1;
        while j < self.fenwick.len() {
            if grow {
                self.fenwick[j] += 1;
            } else {
                self.fenwick[j] -= 1;
            }
            j += j & j.wrapping_neg();
        }
    }

    /// Elements in chunks `0..chunk`.
    fn prefix(&self, chunk: usize) -> usize {
        let (mut j, mut sum) = (chunk, 0);
        while j > 0 {
            sum += self.fenwick[j];
            j -= j & j.wrapping_neg();
        }
        sum
    }

    /// (chunk, offset) of the element at `rank` (< len).
    fn locate(&self, rank: usize) -> (usize, usize) {
        let n = self.chunks.len();
        let (mut pos, mut rem) = (0, rank);
        let mut step = if n == 0 { 0 } else { 1 << (usize::BITS - 1 - n.leading_zeros()) };
        while step > 0 {
            if pos + step <= n && self.fenwick[pos + step] <= rem {
                pos += step;
                rem -= self.fenwick[pos];
            }
            step >>= 1;
        }
        (pos, rem)
    }

    fn insert(&mut self, score: f64, member: &[u8]) {
        if self.chunks.is_empty() {
            self.chunks.push(Vec::with_capacity(2 * LOAD + 1));
            self.maxes.push((score, Key::from(member)));
            self.rebuild_fenwick();
        }
        let c = self.chunk_for(score, member);
        let chunk = &mut self.chunks[c];
        let Err(pos) = chunk.binary_search_by(|(s, m)| cmp(*s, m, score, member)) else { return };
        chunk.insert(pos, (score, Key::from(member)));
        if pos + 1 == chunk.len() {
            self.maxes[c] = (score, Key::from(member));
        }
        self.len += 1;
        if chunk.len() > 2 * LOAD {
            let mut tail = Vec::with_capacity(2 * LOAD + 1);
            tail.extend(chunk.drain(LOAD..));
            if let Some(last) = chunk.last() {
                self.maxes[c] = last.clone();
            }
            if let Some(last) = tail.last() {
                self.maxes.insert(c + 1, last.clone());
            }
            self.chunks.insert(c + 1, tail);
            self.rebuild_fenwick();
        } else {
            self.fenwick_add(c, true);
        }
    }

    fn remove(&mut self, score: f64, member: &[u8]) {
        if self.chunks.is_empty() {
            return;
        }
        let c = self.chunk_for(score, member);
        let chunk = &mut self.chunks[c];
        let Ok(pos) = chunk.binary_search_by(|(s, m)| cmp(*s, m, score, member)) else { return };
        chunk.remove(pos);
        self.len -= 1;
        match chunk.last() {
            None => {
                self.chunks.remove(c);
                self.maxes.remove(c);
                self.rebuild_fenwick();
            }
            Some(last) => {
                if pos == chunk.len() {
                    self.maxes[c] = last.clone();
                }
                self.fenwick_add(c, false);
            }
        }
    }

    /// Number of leading elements for which `below` holds (it must hold for a prefix of the order).
    fn count_below(&self, below: impl Fn(f64, &[u8]) -> bool) -> usize {
        let c = self.maxes.partition_point(|(s, m)| below(*s, m));
        match self.chunks.get(c) {
            None => self.len,
            Some(chunk) => self.prefix(c) + chunk.partition_point(|(s, m)| below(*s, m)),
        }
    }

    fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        if rank >= self.len {
            return None;
        }
        let (c, off) = self.locate(rank);
        self.chunks.get(c)?.get(off).map(|(s, m)| (&m[..], *s))
    }

    /// Ranks `start..end` (end <= len), ascending or descending.
    fn for_range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        if start >= end || end > self.len {
            return;
        }
        let mut left = end - start;
        if rev {
            let (mut c, off) = self.locate(end - 1);
            let mut items = &self.chunks[c][..=off];
            loop {
                for (s, m) in items.iter().rev().take(left) {
                    f(m, *s);
                }
                left = left.saturating_sub(items.len());
                if left == 0 || c == 0 {
                    return;
                }
                c -= 1;
                items = &self.chunks[c];
            }
        } else {
            let (mut c, off) = self.locate(start);
            let mut items = &self.chunks[c][off..];
            loop {
                for (s, m) in items.iter().take(left) {
                    f(m, *s);
                }
                left = left.saturating_sub(items.len());
                c += 1;
                if left == 0 || c >= self.chunks.len() {
                    return;
                }
                items = &self.chunks[c];
            }
        }
    }
}

// --- ranges: the bounds a range command gives, as rank intervals ---

/// A range's bounds, parsed.
#[derive(Clone, Copy)]
pub enum Bounds<'a> {
    /// Inclusive indexes, negative from the end.
    Rank(i64, i64),
    /// (value, exclusive) for min and max.
    Score((f64, bool), (f64, bool)),
    Lex(LexBound<'a>, LexBound<'a>),
}

impl Bounds<'_> {
    /// The ascending rank interval `start..end` the bounds select (`start >= end` when empty). Rank bounds
    /// count from the end of the order with `rev`.
    pub fn interval(self, z: &RZSet, rev: bool) -> (usize, usize) {
        match self {
            Bounds::Rank(start, end) => match rank_interval(z.len(), start, end) {
                None => (0, 0),
                Some((s, e)) if rev => (z.len() - e, z.len() - s),
                Some(interval) => interval,
            },
            Bounds::Score((min, min_ex), (max, max_ex)) => {
                (z.count_below_score(min, min_ex), z.count_below_score(max, !max_ex))
            }
            Bounds::Lex(min, max) if z.encoding() == "listpack" => lex_walk(z, min, max, rev),
            Bounds::Lex(min, max) => (z.count_below_lex(min, true), z.count_below_lex(max, false)),
        }
    }
}

fn lex_gte_min(member: &[u8], min: LexBound) -> bool {
    match min {
        LexBound::Min => true,
        LexBound::Max => false,
        LexBound::Inclusive(b) => member >= b,
        LexBound::Exclusive(b) => member > b,
    }
}

fn lex_lte_max(member: &[u8], max: LexBound) -> bool {
    match max {
        LexBound::Min => false,
        LexBound::Max => true,
        LexBound::Inclusive(b) => member <= b,
        LexBound::Exclusive(b) => member < b,
    }
}

/// Can the lex range hold anything at all (`zslIsInLexRange`'s first test, with `sdscmplex` on the bounds)?
fn lex_range_possible(min: LexBound, max: LexBound) -> bool {
    use std::cmp::Ordering::*;
    use LexBound::*;
    let cmp = match (min, max) {
        (Min, Min) | (Max, Max) => Equal,
        (Min, _) | (_, Max) => Less,
        (Max, _) | (_, Min) => Greater,
        (Inclusive(a) | Exclusive(a), Inclusive(b) | Exclusive(b)) => a.cmp(b),
    };
    cmp == Less || (cmp == Equal && matches!((min, max), (Inclusive(_), Inclusive(_))))
}

/// Redis's listpack walk for a lex range: the first member (from the head, or the last from the tail with `rev`)
/// inside the range, then onwards while still inside. With equal scores this is the rank API's interval; with
/// mixed scores (unspecified, but deterministic for a listpack) it is still Redis's exact answer.
fn lex_walk(z: &RZSet, min: LexBound, max: LexBound, rev: bool) -> (usize, usize) {
    let members: Vec<&[u8]> = z.iter().map(|(m, _)| m).collect();
    let (Some(first), Some(last)) = (members.first(), members.last()) else { return (0, 0) };
    if !lex_range_possible(min, max) || !lex_gte_min(last, min) || !lex_lte_max(first, max) {
        return (0, 0);
    }
    if rev {
        let Some(end) = members.iter().rposition(|m| lex_lte_max(m, max)) else { return (0, 0) };
        let start = members[..=end].iter().rposition(|m| !lex_gte_min(m, min)).map_or(0, |i| i + 1);
        (start, end + 1)
    } else {
        let Some(start) = members.iter().position(|m| lex_gte_min(m, min)) else { return (0, 0) };
        let end = members[start..].iter().position(|m| !lex_lte_max(m, max)).map_or(members.len(), |i| start + i);
        (start, end)
    }
}

/// Redis's index sanitizing for rank ranges (inclusive, negative from the end): the interval `start..end`, or
/// None when it is empty.
pub fn rank_interval(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { (len + start).max(0) } else { start };
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_whole_in_order_as_inserts_would_build_it() {
        let limits = Limits { max_entries: 3, max_value: 64 };
        let z = RZSet::from_pairs(vec![(b"b", 2.0), (b"a", 2.0), (b"c", -0.0)], limits).unwrap();
        assert_eq!(z.encoding(), "listpack");
        let items: Vec<(Vec<u8>, f64)> = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(items, vec![(b"c".to_vec(), 0.0), (b"a".to_vec(), 2.0), (b"b".to_vec(), 2.0)]);
        assert!(z.score(b"c").unwrap().is_sign_positive(), "-0 is kept as 0, as insert keeps it");
        let four = vec![(&b"a"[..], 1.0), (b"b", 2.0), (b"c", 3.0), (b"d", 4.0)];
        assert_eq!(RZSet::from_pairs(four, limits).unwrap().encoding(), "skiplist");
        assert!(RZSet::from_pairs(vec![(&b"a"[..], 1.0), (b"b", 2.0), (b"a", 3.0)], limits).is_none());
    }

    #[test]
    fn rank_intervals_sanitize_like_redis() {
        assert_eq!(rank_interval(5, 0, -1), Some((0, 5)));
        assert_eq!(rank_interval(5, -100, 100), Some((0, 5)));
        assert_eq!(rank_interval(5, 3, 1), None);
        assert_eq!(rank_interval(5, 5, 10), None);
        assert_eq!(rank_interval(5, -2, -1), Some((3, 5)));
        assert_eq!(rank_interval(0, 0, -1), None);
        assert_eq!(rank_interval(5, i64::MIN, i64::MAX), Some((0, 5)));
    }

    const SMALL: Limits = Limits { max_entries: 4, max_value: 64 };

    #[test]
    fn order_ranks_and_conversion() {
        let mut z = RZSet::new();
        for (m, s) in [("b", 2.0), ("a", 2.0), ("c", 1.0), ("d", f64::INFINITY)] {
            z.insert(m.as_bytes(), s, SMALL);
        }
        assert_eq!(z.encoding(), "listpack");
        let order: Vec<String> = z.iter().map(|(m, _)| String::from_utf8_lossy(m).into_owned()).collect();
        assert_eq!(order, ["c", "a", "b", "d"]);
        assert_eq!(z.rank(b"b"), Some(2));
        z.insert(b"e", -1.0, SMALL);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.rank(b"e"), Some(0));
        assert_eq!(z.rank(b"b"), Some(3));
        assert_eq!(z.count_below_score(2.0, false), 2);
        assert_eq!(z.count_below_score(2.0, true), 4);
        assert_eq!(z.insert(b"a", 10.0, SMALL), Some(2.0));
        assert_eq!(z.get(3), Some((&b"a"[..], 10.0)));
        assert_eq!(z.remove_range(0, 2), 2);
        assert_eq!(z.len(), 3);
    }

    /// The counted B-tree against a sorted Vec, through thousands of random inserts, removes and queries.
    #[test]
    fn ordered_index_matches_a_sorted_vec() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut tree = Ordered::default();
        let mut oracle: Vec<(f64, Vec<u8>)> = Vec::new();
        let sort = |v: &mut Vec<(f64, Vec<u8>)>| v.sort_by(|a, b| cmp(a.0, &a.1, b.0, &b.1));
        for round in 0..20_000 {
            let score = match rng.u8(..10) {
                0 => f64::INFINITY,
                1 => f64::NEG_INFINITY,
                2 => -0.0,
                _ => rng.i32(-50..50) as f64,
            };
            let member = format!("m{}", rng.u32(..3000)).into_bytes();
            if let Some(i) = oracle.iter().position(|(_, m)| *m == member) {
                let (s, m) = oracle.remove(i);
                tree.remove(s, &m);
            } else {
                oracle.push((score, member.clone()));
                sort(&mut oracle);
                tree.insert(score, &member);
            }
            assert_eq!(tree.len(), oracle.len());
            if round % 97 == 0 && !oracle.is_empty() {
                let r = rng.usize(..oracle.len());
                assert_eq!(tree.get(r).map(|(m, s)| (s, m.to_vec())), Some(oracle[r].clone()));
                let bound = rng.i32(-60..60) as f64;
                assert_eq!(tree.count_below(|s, _| s < bound), oracle.iter().filter(|(s, _)| *s < bound).count());
                let (a, b) = (rng.usize(..oracle.len()), rng.usize(..=oracle.len()));
                let (a, b) = (a.min(b), a.max(b));
                let mut fwd = Vec::new();
                tree.for_range(a, b, false, |m, s| fwd.push((s, m.to_vec())));
                assert_eq!(fwd, oracle[a..b].to_vec());
                let mut back = Vec::new();
                tree.for_range(a, b, true, |m, s| back.push((s, m.to_vec())));
                back.reverse();
                assert_eq!(back, oracle[a..b].to_vec());
            }
        }
    }
}
