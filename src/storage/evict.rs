//! Choosing keys to evict under `maxmemory` (Redis's evict.c): approximated LRU, LFU and TTL by sampling
//! `maxmemory-samples` keys per database into a pool of the best candidates seen so far, or a random key.
//! Also the LFU counter: a logarithmic 8-bit counter with a 16-bit minute clock of its last decrement, kept in
//! the entry's `lru` field as Redis keeps it in the object's.

use super::{Db, Key};
use crate::config::MaxmemoryPolicy;

/// Candidates kept between evictions (Redis's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

/// A new key's LFU counter, so it is not evicted before it had a chance to be read (LFU_INIT_VAL).
pub const LFU_INIT_VAL: u32 = 5;

/// The LFU parameters (`lfu-log-factor`, `lfu-decay-time`), set on a database while an LFU policy is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lfu {
    pub log_factor: u32,
    pub decay_minutes: u32,
}

/// Minutes of the clock, as the 16 bits LFU keeps.
fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u32) & 0xffff
}

/// The `lru` field of a new entry under LFU.
pub fn lfu_new(now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// Redis's LFUDecrAndReturn: the counter after the decay for the minutes elapsed since its last decrement.
pub fn lfu_counter(lru: u32, lfu: Lfu, now_ms: i64) -> u32 {
    let (ldt, counter) = (lru >> 8, lru & 0xff);
    let now = minutes(now_ms);
    let elapsed = if now >= ldt { now - ldt } else { 65535 - ldt + now };
    let periods = elapsed.checked_div(lfu.decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// An access under LFU (Redis's updateLFU): decay, then a logarithmic increment.
pub fn lfu_touch(lru: u32, lfu: Lfu, rng: &mut fastrand::Rng, now_ms: i64) -> u32 {
    let mut counter = lfu_counter(lru, lfu, now_ms);
    if counter < 255 {
        let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
        let p = 1.0 / (base * lfu.log_factor as f64 + 1.0);
        if rng.f64() < p {
            counter += 1;
        }
    }
    (minutes(now_ms) << 8) | counter
}

/// The candidates sampled so far, best (most evictable) last.
#[derive(Default)]
pub struct Pool {
    candidates: Vec<(u64, usize, Key)>,
    /// The database the random policies look at next.
    next_db: usize,
    /// Draws the samples (seeded by `State::seed`).
    pub rng: super::random::Rng,
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
fn score(db: &Db, entry: &super::db::Entry, policy: MaxmemoryPolicy, now_ms: i64) -> u64 {
    use MaxmemoryPolicy::*;
    match policy {
        AllkeysLru | VolatileLru => super::db::idle_ms(entry.lru, now_ms),
        AllkeysLfu | VolatileLfu => 255 - u64::from(lfu_counter(entry.lru, db.lfu.unwrap_or(DEFAULT_LFU), now_ms)),
        VolatileTtl => u64::MAX - entry.expire_at().unwrap_or(i64::MAX).max(0) as u64,
        _ => 0,
    }
}

/// The defaults of `lfu-log-factor` and `lfu-decay-time`.
pub const DEFAULT_LFU: Lfu = Lfu { log_factor: 10, decay_minutes: 1 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_counter_decays_one_per_period() {
        let lfu = Lfu { log_factor: 10, decay_minutes: 1 };
        let lru = lfu_new(0);
        assert_eq!(lfu_counter(lru, lfu, 0), LFU_INIT_VAL);
        assert_eq!(lfu_counter(lru, lfu, 3 * 60_000), LFU_INIT_VAL - 3);
        assert_eq!(lfu_counter(lru, lfu, 60 * 60_000), 0);
        assert_eq!(lfu_counter(lru, Lfu { decay_minutes: 0, ..lfu }, 60 * 60_000), LFU_INIT_VAL, "no decay");
    }

    #[test]
    fn lfu_counter_grows_logarithmically() {
        let lfu = Lfu { log_factor: 10, decay_minutes: 1 };
        let mut lru = lfu_new(0);
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..1000 {
            lru = lfu_touch(lru, lfu, &mut rng, 0);
        }
        let c = lfu_counter(lru, lfu, 0);
        assert!((10..40).contains(&c), "1000 hits with factor 10 give a counter around 20, got {c}");
    }
}
