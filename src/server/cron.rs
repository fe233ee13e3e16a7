//! Background work, `hz` times a second: the active expiry cycle, the AOF's rewrites and background fsync,
//! and idle-client timeouts.

use crate::engine::expire::active_expire_cycle;
use crate::engine::state::Shared;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
            crate::persistence::save::cron(state, &shared, now);
            crate::persistence::aof::cron(state, &shared, now);
            state.sync_child_active();
        }
        shared.aof.kick();
        if last_timeout_check.elapsed() >= Duration::from_secs(1) {
            last_timeout_check = Instant::now();
            let mut state = shared.state.lock();
            let now_secs = shared.clock.now_ms() / 1000;
            crate::cmd::dump::close_idle_migrate_sockets(&mut state, now_secs);
            drop(state);
            close_idle_clients(&shared);
        }
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
