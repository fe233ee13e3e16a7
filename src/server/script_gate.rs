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
//! offloaded; `while true do end` is always caught that way. A quick script that turns slow on the event loop
//! (it loops waiting on data) is stopped by its interrupt hook after INLINE_LIMIT, as long as it has called no
//! command with side effects, and run again from the start off the event loop (`Signals::should_move`). Its
//! statistics (INFO commandstats, MONITOR) then show the first, abandoned run too.
//! A transaction that runs a script is offloaded whole (EXEC). FIXME: a quick script that turns slow after a
//! write still holds the event loop until it ends; the complete answer is an interrupt hook that serves other
//! clients from inside the script, as Redis does.

use crate::scripting::ScriptId;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Runs shorter than this count as quick.
const FAST_SCRIPT: Duration = Duration::from_millis(1);
/// A quick script still running on the event loop after this long (or after `busy-reply-threshold`, if
/// shorter) moves off it, if it can.
const INLINE_LIMIT_MS: i64 = 100;
use tokio::sync::Notify;

/// What a script's interrupt hook reads (it owns a reference: the hook outlives any one run).
#[derive(Default)]
pub struct Signals {
    /// SCRIPT KILL or a shutdown asked the running script to stop.
    pub stop: AtomicBool,
    /// A quick script runs on the event loop: since when (wall ms; 0: none), and for how long it may.
    inline_since_ms: AtomicI64,
    inline_limit_ms: AtomicI64,
    /// The inline script called a command that is not read-only: running it again would repeat that.
    inline_side_effects: AtomicBool,
    /// The hook stopped the inline script so that it runs again off the event loop.
    pub moved: AtomicBool,
}

impl Signals {
    /// Should the inline script running since `inline_since_ms` stop, to run again off the event loop?
    pub fn should_move(&self, now_ms: i64) -> bool {
        let since = self.inline_since_ms.load(Ordering::Relaxed);
        since != 0
            && !self.inline_side_effects.load(Ordering::Relaxed)
            && now_ms - since >= self.inline_limit_ms.load(Ordering::Relaxed)
    }
}

#[derive(Default)]
pub struct ScriptGate {
    running: AtomicBool,
    started_ms: AtomicI64,
    busy_after_ms: AtomicI64,
    /// Polled by the running script's interrupt hook.
    signals: Arc<Signals>,
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
        self.signals.stop.store(false, Ordering::SeqCst);
        self.wrote.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
    }

    /// A quick script starts on the event loop (see the module's comment).
    pub fn begin_inline(&self, now_ms: i64, busy_threshold_ms: u64) {
        let limit = (busy_threshold_ms.min(i64::MAX as u64) as i64).min(INLINE_LIMIT_MS);
        self.signals.inline_limit_ms.store(limit, Ordering::SeqCst);
        self.signals.inline_side_effects.store(false, Ordering::SeqCst);
        self.signals.moved.store(false, Ordering::SeqCst);
        self.signals.inline_since_ms.store(now_ms, Ordering::SeqCst);
    }

    /// The inline script ended; true if its hook stopped it to run again off the event loop.
    pub fn end_inline(&self) -> bool {
        self.signals.inline_since_ms.store(0, Ordering::SeqCst);
        self.signals.moved.swap(false, Ordering::SeqCst)
    }

    /// A script called a command that is not read-only (an inline script can no longer be run again).
    pub fn note_side_effect(&self) {
        self.signals.inline_side_effects.store(true, Ordering::Relaxed);
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
        self.running()
            && now_ms.saturating_sub(self.started_ms.load(Ordering::SeqCst))
                >= self.busy_after_ms.load(Ordering::SeqCst)
    }

    /// Resolves when no script is running, or once the running one has passed the busy threshold (a client
    /// waiting for it then gets BUSY, as Redis answers it once a script turns slow).
    pub async fn idle_or_busy(&self) {
        self.wait(true).await;
    }

    /// Resolves when no script is running.
    pub async fn idle(&self) {
        self.wait(false).await;
    }

    async fn wait(&self, until_busy: bool) {
        loop {
            let done = self.done.notified();
            tokio::pin!(done);
            done.as_mut().enable();
            if !self.running() {
                return;
            }
            if !until_busy {
                done.await;
                continue;
            }
            let busy_at =
                self.started_ms.load(Ordering::SeqCst).saturating_add(self.busy_after_ms.load(Ordering::SeqCst));
            let wait = busy_at.saturating_sub(crate::storage::clock::wall_ms());
            if wait <= 0 {
                return;
            }
            tokio::select! {
                () = done => return,
                () = tokio::time::sleep(Duration::from_millis(wait as u64)) => {}
            }
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
        self.signals.stop.store(true, Ordering::SeqCst);
    }

    /// What a script's interrupt hook polls (shared with the hook, which must own what it reads).
    pub fn signals(&self) -> Arc<Signals> {
        self.signals.clone()
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
