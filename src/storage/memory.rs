//! Memory accounting: the bytes a key and its value hold, estimated from their sizes and shapes as the
//! allocator would round them. Each database keeps the running sum of its entries' estimates (updated when an
//! entry is stored, changed or removed), which is what INFO `used_memory`, MEMORY USAGE and eviction read.
//!
//! Aggregates in their large encodings estimate the heap bytes of their elements from up to `samples` of them
//! (Redis's MEMORY USAGE does the same), so an estimate costs O(samples), not O(elements).

use super::{RHash, RSet, RString, RZSet, Value};

/// Elements sampled per estimate of a large aggregate (MEMORY USAGE's default SAMPLES).
pub const DEFAULT_SAMPLES: usize = 5;

/// Bytes of one slot of an `IndexMap` / `IndexSet` index table (hashbrown: the index and a control byte, at its
/// 7/8 load factor).
const INDEX_SLOT: usize = 10;

/// One keyspace bucket: hash, key, value, expiry, LRU.
pub const KEYSPACE_ENTRY: usize = 8 + 24 + 48;

/// One bucket of the set of keys with a TTL.
pub const VOLATILE_ENTRY: usize = 8 + 24;

/// An index map or set holding `len` buckets of `bucket` bytes, with room for `cap`. A small table costs its
/// whole allocation; a large one what it has touched (the untouched tail of a big bucket array is reserved
/// address space, not memory).
pub fn table(len: usize, cap: usize, bucket: usize) -> usize {
    let buckets = if cap * bucket <= LARGE_ALLOCATION { alloc_size(cap * bucket) } else { len * bucket };
    buckets + alloc_size(cap * INDEX_SLOT)
}

/// Past this size an allocation gets pages of its own, which hold memory only once touched.
const LARGE_ALLOCATION: usize = 64 * 1024;

/// What the allocator hands out for a request of `n` bytes (jemalloc's size classes: steps of 16 up to 128,
/// then four classes per doubling).
pub fn alloc_size(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    let step = (n.next_power_of_two() / 8).max(16);
    n.div_ceil(step) * step
}

/// Heap bytes of a key or member stored as `Key` (up to 22 bytes live inline).
pub fn key_heap(len: usize) -> usize {
    if len <= 22 {
        0
    } else {
        alloc_size(len)
    }
}

/// A key's cost beyond its value: its heap bytes (the keyspace's buckets are counted from the map's capacity).
pub fn key_cost(key: &[u8]) -> usize {
    key_heap(key.len())
}

/// Estimated bytes a value holds, reading at most `samples` elements of a large aggregate.
pub fn value_size(value: &Value, samples: usize) -> usize {
    match value {
        Value::String(s) => string_size(s),
        Value::Hash(h) => hash_size(h, samples),
        Value::Set(s) => set_size(s, samples),
        Value::ZSet(z) => zset_size(z, samples),
        Value::List(l) => alloc_size(std::mem::size_of::<super::RList>()) + l.heap_size(),
    }
}

fn string_size(s: &RString) -> usize {
    match s {
        RString::Int(_) => 0,
        RString::Embstr(b) => alloc_size(b.len()),
        RString::Raw(v) => alloc_size(24) + alloc_size(v.capacity()),
    }
}

/// The average of `f` over up to `samples` elements spread over `len`, times `len`.
pub(super) fn sampled(len: usize, samples: usize, f: impl Fn(usize) -> usize) -> usize {
    if len == 0 {
        return 0;
    }
    let n = samples.clamp(1, len);
    let step = len / n;
    let total: usize = (0..n).map(|i| f(i * step)).sum();
    total * len / n
}

fn hash_size(h: &RHash, samples: usize) -> usize {
    match h {
        RHash::Listpack(lp) => alloc_size(lp.bytes()),
        RHash::Table(t) => {
            let heap =
                sampled(t.len(), samples, |i| t.get_index(i).map_or(0, |(f, v)| key_heap(f.len()) + key_heap(v.len())));
            alloc_size(std::mem::size_of_val(&**t)) + table(t.len(), t.capacity(), 8 + 24 + 24) + heap
        }
    }
}

fn set_size(s: &RSet, samples: usize) -> usize {
    match s {
        RSet::Intset(i) => alloc_size(i.bytes()),
        RSet::Table(t) => {
            let heap = sampled(t.len(), samples, |i| t.get_index(i).map_or(0, |m| key_heap(m.len())));
            alloc_size(std::mem::size_of_val(&**t)) + table(t.len(), t.capacity(), 8 + 24) + heap
        }
    }
}

fn zset_size(z: &RZSet, samples: usize) -> usize {
    match z {
        RZSet::Listpack(lp) => alloc_size(lp.bytes()),
        RZSet::Skiplist(large) => large.memory(samples),
    }
}

/// The large sorted set's share: its member -> score map, and the ordered index holding each member again.
pub fn large_zset_size(len: usize, map_cap: usize, member_heap: usize) -> usize {
    // The ordered index keeps (score, member) pairs in chunks that are on average half full.
    table(len, map_cap, 8 + 24 + 8) + len * (8 + 24) * 2 + 2 * member_heap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_size_classes() {
        assert_eq!(alloc_size(0), 0);
        assert_eq!(alloc_size(1), 16);
        assert_eq!(alloc_size(33), 48);
        assert_eq!(alloc_size(129), 160);
        assert_eq!(alloc_size(1000), 1024);
        assert_eq!(alloc_size(1025), 1280);
    }

    #[test]
    fn strings_cost_their_bytes_rounded() {
        assert_eq!(value_size(&Value::String(RString::from_bytes(b"12345")), 5), 0, "integers live inline");
        assert_eq!(value_size(&Value::String(RString::from_bytes(&[b'x'; 100])), 5), 112);
    }

    #[test]
    fn sampling_extrapolates_from_spread_elements() {
        assert_eq!(sampled(1000, 5, |_| 10), 10_000);
        assert_eq!(sampled(3, 5, |i| i), 3);
        assert_eq!(sampled(0, 5, |_| 10), 0);
    }
}
