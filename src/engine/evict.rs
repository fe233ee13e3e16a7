//! Choosing keys to evict under `maxmemory` (Redis's evict.c): approximated LRU, LFU and TTL by sampling
//! `maxmemory-samples` keys per database into a pool of the best candidates seen so far, or a random key.

use crate::config::MaxmemoryPolicy;
use crate::storage::lfu::{lfu_counter, DEFAULT_LFU};
use crate::storage::{Db, Key};

/// Candidates kept between evictions (Redis's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

/// The candidates sampled so far, best (most evictable) last.
#[derive(Default)]
pub struct Pool {
    candidates: Vec<(u64, usize, Key)>,
    /// The database the random policies look at next.
    next_db: usize,
    /// Draws the samples (seeded by `State::seed`).
    pub rng: crate::storage::random::Rng,
}

impl Pool {
    /// Samples keys of database `index` into the pool (Redis's evictionPoolPopulate).
    fn populate(&mut self, index: usize, db: &Db, policy: MaxmemoryPolicy, samples: usize, now_ms: i64) {
        use MaxmemoryPolicy::*;
        let volatile_only = matches!(policy, VolatileLru | VolatileLfu | VolatileTtl);
        db.sample_entries(volatile_only, samples, &mut self.rng, |key, entry| {
            let score = score(db, entry, policy, now_ms);
            if self.candidates.iter().any(|(_, d, k)| *d == index && k[..] == key[..]) {
                return;
            }
            let at = self.candidates.partition_point(|(s, _, _)| *s <= score);
            if self.candidates.len() == POOL_SIZE {
                if at == 0 {
                    return;
                }
                self.candidates.remove(0);
                self.candidates.insert(at - 1, (score, index, key.clone()));
            } else {
                self.candidates.insert(at, (score, index, key.clone()));
            }
        });
    }

    /// The next key to evict under `policy`: (database, key), or None if no database has a candidate.
    pub fn choose(&mut self, dbs: &[Db], policy: MaxmemoryPolicy, samples: usize, now_ms: i64) -> Option<(usize, Key)> {
        use MaxmemoryPolicy::*;
        match policy {
            NoEviction => None,
            AllkeysRandom | VolatileRandom => {
                for _ in 0..dbs.len() {
                    let i = self.next_db % dbs.len();
                    self.next_db = self.next_db.wrapping_add(1);
                    if let Some((key, _)) = dbs[i].random_entry(policy == VolatileRandom, &mut self.rng) {
                        return Some((i, key.clone()));
                    }
                }
                None
            }
            _ => loop {
                for (i, db) in dbs.iter().enumerate() {
                    self.populate(i, db, policy, samples.max(1), now_ms);
                }
                // Best first; a candidate deleted since it was sampled is skipped.
                let mut found = None;
                while let Some((sampled, i, key)) = self.candidates.pop() {
                    let volatile_only = matches!(policy, VolatileLru | VolatileLfu | VolatileTtl);
                    // A candidate read since it was sampled is no longer one (Redis evicts it anyway; under
                    // heavy churn that evicts the hottest keys).
                    let current = dbs[i].candidate(&key, volatile_only).map(|e| score(&dbs[i], e, policy, now_ms));
                    if current.is_some_and(|now| now >= sampled) {
                        found = Some((i, key));
                        break;
                    }
                }
                match found {
                    Some(found) => return Some(found),
                    None if dbs.iter().all(|db| {
                        db.random_entry(matches!(policy, VolatileLru | VolatileLfu | VolatileTtl), &mut self.rng)
                            .is_none()
                    }) =>
                    {
                        return None
                    }
                    None => continue,
                }
            },
        }
    }

    /// Forgets every candidate (FLUSHALL, a policy change).
    pub fn clear(&mut self) {
        self.candidates.clear();
    }
}

/// How evictable an entry is under `policy`: larger goes first.
fn score(db: &Db, entry: &crate::storage::db::Entry, policy: MaxmemoryPolicy, now_ms: i64) -> u64 {
    use MaxmemoryPolicy::*;
    match policy {
        AllkeysLru | VolatileLru => crate::storage::db::idle_ms(entry.lru, now_ms),
        AllkeysLfu | VolatileLfu => 255 - u64::from(lfu_counter(entry.lru, db.lfu.unwrap_or(DEFAULT_LFU), now_ms)),
        VolatileTtl => u64::MAX - entry.expire_at().unwrap_or(i64::MAX).max(0) as u64,
        _ => 0,
    }
}
