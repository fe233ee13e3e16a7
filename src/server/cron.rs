//! Background work, `hz` times a second: the active expiry cycle, the AOF's rewrites and background fsync,
//! and idle-client timeouts.

use crate::engine::state::Shared;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Keys sampled per round (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
const KEYS_PER_LOOP: usize = 20;
/// Another round follows while more than this percentage of a sample had expired.
const ACCEPTABLE_STALE: usize = 10;
/// Share of each cron period the expiry cycle may use (Redis: 25% CPU).
const CYCLE_CPU_PERCENT: u32 = 25;

pub async fn run(shared: Arc<Shared>) {
    let mut last_timeout_check = Instant::now();
    let mut hz = 10;
    loop {
        // Never wait for the lock a running script holds (script_gate.rs): keep the last hz meanwhile.
        if !shared.script.running() {
            hz = shared.state.lock().config.hz.clamp(1, 500);
        }
        let period = Duration::from_millis(1000 / hz as u64);
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = shared.shutdown_notify.notified() => return,
        }
        if shared.shutting_down() {
            return;
        }
        if shared.script.running() {
            // The data belongs to the script until it ends (script_gate.rs).
            continue;
        }
        active_expire_cycle(&shared, period * CYCLE_CPU_PERCENT / 100);
        {
            let mut state = shared.state.lock();
            let now = shared.clock.now_ms();
            // The expiry cycle's deletions go to the AOF too, without anyone waiting for them.
            let state = &mut *state;
            state.effects.now_secs = now / 1000;
            // Evictions a command's time budget left unfinished go on here (Redis's eviction time proc).
            if state.config.maxmemory > 0 {
                state.evict_to_fit(now);
            }
            state.stats.used_memory_peak = state.stats.used_memory_peak.max(state.used_memory());
            state.effects.publish();
            crate::persistence::aof::cron(state, &shared, now);
        }
        shared.aof.kick();
        if last_timeout_check.elapsed() >= Duration::from_secs(1) {
            last_timeout_check = Instant::now();
            close_idle_clients(&shared);
        }
    }
}

/// The clock was moved (the test kit, DEBUG ADVANCE-TIME / SET-TIME): what the time that passed makes due
/// happens now rather than at the next tick, so a test sees its effect when the move returns: an expiry cycle
/// (its deletions written to the AOF) and `everysec`'s fsync.
pub fn clock_moved(shared: &Shared) {
    active_expire_cycle(shared, Duration::from_secs(1));
    let mut state = shared.state.lock();
    clock_moved_locked(&mut state, shared);
}

/// `clock_moved`'s file work, for a caller holding the state lock (a DEBUG subcommand).
pub fn clock_moved_locked(state: &mut crate::engine::state::State, shared: &Shared) {
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

fn close_idle_clients(shared: &Shared) {
    let state = shared.state.lock();
    let timeout_ms = state.config.timeout as i64 * 1000;
    if timeout_ms == 0 {
        return;
    }
    let now = shared.clock.now_ms();
    for c in state.clients.iter() {
        // As in Redis, subscribers and monitors wait for messages as long as they like, and a client held by
        // CLIENT PAUSE is not idle.
        let waits = state.pubsub.total(c.id) > 0 || c.live.monitor || c.live.blocked;
        if now - c.last_interaction_ms > timeout_ms && !waits {
            state.clients.kill(c.id);
        }
    }
}
