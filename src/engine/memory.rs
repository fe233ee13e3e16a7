//! `maxmemory`: the server's memory number and eviction (Redis's performEvictions). Before a command runs while
//! the estimate is over the limit, keys chosen by the policy are deleted until it fits; each eviction is
//! recorded as a DEL for the AOF, counted in `evicted_keys` and announced as an `evicted` keyspace event.

use super::state::State;
use crate::config::MaxmemoryPolicy;
use crate::pubsub::keyspace::class;
use crate::storage::lfu::Lfu;
use std::time::{Duration, Instant};

/// What the server holds outside the keyspace (command table, configuration, scripting, structures): counted
/// so `used_memory` starts where Redis's does.
pub const BASE_OVERHEAD: u64 = 900 * 1024;

/// Each connection's read and write buffers.
pub const PER_CLIENT: u64 = 32 * 1024;

/// How an attempt to get under `maxmemory` ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Eviction {
    /// Under the limit (or no limit).
    Fits,
    /// Still over, but evicting within its time budget; the cron goes on (Redis: EVICT_RUNNING). Commands
    /// are not refused meanwhile.
    Running,
    /// Over the limit with nothing left to evict: commands that may grow memory get the OOM error.
    Failed,
}

impl State {
    /// The server's memory estimate: the databases, the clients' buffers, a fixed base.
    pub fn used_memory(&self) -> u64 {
        self.dataset_memory() + self.clients.len() as u64 * PER_CLIENT + BASE_OVERHEAD
    }

    /// The databases' share of `used_memory`.
    pub fn dataset_memory(&self) -> u64 {
        self.dbs.iter().map(|db| db.used_memory()).sum()
    }

    /// Brings the databases' LFU mode in line with the configuration (called before evictions and lookups
    /// that depend on it).
    pub fn sync_eviction_settings(&mut self) {
        let lfu = self
            .config
            .lfu_policy()
            .then_some(Lfu { log_factor: self.config.lfu_log_factor, decay_minutes: self.config.lfu_decay_time });
        if self.dbs.first().is_some_and(|db| db.lfu != lfu) {
            for db in &mut self.dbs {
                db.lfu = lfu;
            }
            self.eviction_pool.clear();
        }
    }

    /// Evicts until `used_memory` fits `maxmemory`, within the time `maxmemory-eviction-tenacity` allows.
    pub fn evict_to_fit(&mut self, now_ms: i64) -> Eviction {
        let limit = self.config.maxmemory;
        if limit == 0 || self.used_memory() <= limit {
            return Eviction::Fits;
        }
        self.sync_eviction_settings();
        let policy = self.config.maxmemory_policy;
        if policy == MaxmemoryPolicy::NoEviction {
            return Eviction::Failed;
        }
        let started = Instant::now();
        let budget = time_budget(self.config.maxmemory_eviction_tenacity);
        let samples = self.config.maxmemory_samples as usize;
        let mut evicted = 0u32;
        while self.used_memory() > limit {
            let Some((db, key)) = self.eviction_pool.choose(&self.dbs, policy, samples, now_ms) else {
                return Eviction::Failed;
            };
            self.evict(db, &key, now_ms);
            evicted += 1;
            // Check the clock every 16 evictions, as Redis does.
            if evicted.is_multiple_of(16) && started.elapsed() > budget {
                return Eviction::Running;
            }
        }
        Eviction::Fits
    }

    /// Deletes one key for eviction, recorded and announced as Redis does.
    fn evict(&mut self, db: usize, key: &[u8], now_ms: i64) {
        if self.dbs[db].remove(key).is_none() {
            return;
        }
        self.stats.evicted_keys += 1;
        if self.effects.enabled {
            let del: &[u8] = if self.config.lazyfree_lazy_eviction { b"UNLINK" } else { b"DEL" };
            self.effects.record(db, &[del, key]);
        }
        self.notify(class::EVICTED, "evicted", key, db, now_ms);
    }
}

/// Redis's evictionTimeLimitUs: 50 us per tenacity step up to 10 (500 us), then growing 15% a step; 100 means
/// no limit.
fn time_budget(tenacity: u32) -> Duration {
    if tenacity <= 10 {
        return Duration::from_micros(50 * u64::from(tenacity));
    }
    if tenacity < 100 {
        return Duration::from_micros((500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64);
    }
    Duration::MAX
}
