//! Long scripts without a frozen server: a command flagged OFFLOAD (EVAL and friends) runs on a blocking thread
//! holding the state lock, while the event loop keeps serving everyone else. Other clients wait for the script
//! while it is young; once it has run past `busy-reply-threshold` they get Redis's BUSY error, and SCRIPT KILL and
//! SHUTDOWN NOSAVE are answered without touching the data, as Redis answers them from inside its Lua hook.
//!
//! Invariant: the running flag is set on the event-loop thread *before* the job is spawned, and every lock the
//! event loop takes checks it first, so the event loop never blocks on the lock a script holds.
//!
//! The hand-off costs two thread switches, several times a short script's run time, so a script whose last run
//! was quick (under FAST_SCRIPT) runs on the event loop directly. A first run, and any run after a slow one, is
//! offloaded; `while true do end` is always caught that way.
//! FIXME: a script that was quick before and now loops (it waits on data) blocks the event loop without BUSY
//! replies; the complete answer is an interrupt hook that serves other clients from inside the script, as Redis.

use crate::scripting::ScriptId;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Runs shorter than this count as quick.
const FAST_SCRIPT: Duration = Duration::from_millis(1);
use tokio::sync::Notify;

#[derive(Default)]
pub struct ScriptGate {
    running: AtomicBool,
    started_ms: AtomicI64,
    busy_after_ms: AtomicI64,
    /// SCRIPT KILL or a shutdown asked the running script to stop: its interrupt hook polls this.
    stop: Arc<AtomicBool>,
    /// The running script has executed a write: SCRIPT KILL answers UNKILLABLE.
    wrote: AtomicBool,
    done: Notify,
    /// Serializes jobs: one script at a time, in the order their clients sent them.
    turn: Mutex<()>,
    /// SHA1s of scripts whose last run was quick: they run on the event loop.
    quick: Mutex<std::collections::HashSet<ScriptId, foldhash::fast::RandomState>>,
}

impl ScriptGate {
    /// Marks a script as running (call on the event-loop thread, before spawning the job).
    pub fn begin(&self, now_ms: i64, busy_threshold_ms: u64) {
        self.started_ms.store(now_ms, Ordering::SeqCst);
        self.busy_after_ms.store(busy_threshold_ms.min(i64::MAX as u64) as i64, Ordering::SeqCst);
        self.stop.store(false, Ordering::SeqCst);
        self.wrote.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
    }

    /// Called by the job once it has released the state lock.
    pub fn end(&self) {
        self.running.store(false, Ordering::SeqCst);
        self.done.notify_waiters();
    }

    pub fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Has the running script passed the busy threshold?
    pub fn busy(&self, now_ms: i64) -> bool {
        self.running() && now_ms - self.started_ms.load(Ordering::SeqCst) >= self.busy_after_ms.load(Ordering::SeqCst)
    }

    /// Resolves when no script is running.
    pub async fn idle(&self) {
        loop {
            let done = self.done.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            if !self.running() {
                return;
            }
            done.await;
        }
    }

    pub fn note_write(&self) {
        if self.running() {
            self.wrote.store(true, Ordering::SeqCst);
        }
    }

    pub fn wrote(&self) -> bool {
        self.wrote.load(Ordering::SeqCst)
    }

    /// SCRIPT KILL (and a shutdown): the running script stops at its next interrupt check.
    pub fn request_kill(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// The flag a script's interrupt hook polls (shared with the hook, which must own what it reads).
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    pub fn turn(&self) -> parking_lot::MutexGuard<'_, ()> {
        self.turn.lock()
    }

    /// Was this script's last run quick?
    pub fn is_quick(&self, id: &ScriptId) -> bool {
        self.quick.lock().contains(id)
    }

    /// Remembers how long a script took, to decide where it runs next time.
    pub fn record(&self, id: ScriptId, took: Duration) {
        let mut quick = self.quick.lock();
        if took < FAST_SCRIPT {
            quick.insert(id);
        } else {
            quick.remove(&id);
        }
    }
}
