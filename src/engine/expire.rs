//! The active expiry cycle (Redis's activeExpireCycle), run by the cron and at once when the clock is moved.

use super::state::Shared;
use std::time::{Duration, Instant};

/// Keys sampled per round (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
const KEYS_PER_LOOP: usize = 20;
/// Another round follows while more than this percentage of a sample had expired.
const ACCEPTABLE_STALE: usize = 10;

/// The clock was moved (the test kit, DEBUG ADVANCE-TIME / SET-TIME): what the time that passed makes due
/// happens now rather than at the next tick, so a test sees its effect when the move returns: an expiry cycle
/// (its deletions written to the AOF) and `everysec`'s fsync.
pub fn clock_moved(shared: &Shared) {
    active_expire_cycle(shared, Duration::from_secs(1));
    let mut state = shared.state.lock();
    clock_moved_locked(&mut state, shared);
}

/// `clock_moved`'s file work, for a caller holding the state lock (a DEBUG subcommand).
pub fn clock_moved_locked(state: &mut super::state::State, shared: &Shared) {
    state.effects.publish();
    shared.aof.write_now();
    shared.aof.fsync_if_due(shared.clock.now_ms());
}

/// Samples keys with a TTL in every database and deletes the expired ones, repeating while a sample was mostly
/// stale, within a time budget: keys nobody reads again are reclaimed without stalling clients.
pub fn active_expire_cycle(shared: &Shared, budget: Duration) {
    let start = Instant::now();
    let mut state = shared.state.lock();
    if !state.active_expire {
        return;
    }
    let now = shared.clock.now_ms();
    let state = &mut *state;
    state.effects.now_secs = now / 1000;
    let (mut sampled_total, mut expired_total) = (0usize, 0usize);
    for db in state.dbs.iter_mut() {
        loop {
            let (sampled, expired) = db.expire_sample(&mut state.rng, KEYS_PER_LOOP, now);
            sampled_total += sampled;
            expired_total += expired;
            if sampled == 0 || expired * 100 / sampled <= ACCEPTABLE_STALE || start.elapsed() >= budget {
                break;
            }
        }
    }
    state.settle_all_key_events(now);
    if sampled_total > 0 {
        let stale = expired_total as f64 * 100.0 / sampled_total as f64;
        state.stats.expired_stale_perc = state.stats.expired_stale_perc * 0.95 + stale * 0.05;
    }
    let took_ms = start.elapsed().as_millis() as u64;
    state.stats.expire_cycle_cpu_ms += took_ms;
    // A slow cycle is a latency event, as Redis's activeExpireCycle reports it.
    let threshold = state.config.latency_monitor_threshold;
    if threshold > 0 {
        state.observe.maybe_latency(threshold, "expire-cycle", took_ms, now / 1000);
    }
}
