//! Long scripts without a frozen server: a command flagged OFFLOAD (EVAL and friends) runs on a blocking thread
//! holding the state lock, while the event loop keeps serving everyone else. Other clients wait for the script
//! while it is young; once it has run past `busy-reply-threshold` they get Redis's BUSY error, and SCRIPT KILL and
//! SHUTDOWN NOSAVE are answered without touching the data, as Redis answers them from inside its Lua hook.
//!
//! Invariant: the running flag is set on the event-loop thread *before* the job is spawned, and every lock the
//! event loop takes checks it first, so the event loop never blocks on the lock a script holds.
//!
//! The hand-off costs two thread switches, several times a short script's run time, so a script runs on the
//! event loop directly unless its last run was slow. Every run happens in a Lua coroutine: one that turns slow on
//! the event loop (past INLINE_LIMIT) is yielded by its interrupt hook and resumed, from where it stopped, off
//! the event loop (`ScriptSuspended`; the connection re-dispatches the command, which finds the run in the
//! engine). A script cannot yield while a C function is on its stack (a `pcall`, a metamethod, a sort
//! comparator): there, a script that has called no command with side effects is stopped and run again from the
//! start off the event loop (`MovedOffEventLoop`; its statistics then show the abandoned run too); one that has
//! holds the event loop until it leaves that C call, where it yields. A transaction that runs a script is
//! offloaded whole (EXEC).

use super::script_id::ScriptId;
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

/// What a script's interrupt hook does (csrc/lua_sandbox.c reads the numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Interrupt {
    GoOn = 0,
    /// Raise Redis's "Script killed by user" error (at every line from then on).
    Kill = 1,
    /// Yield the script: it goes on off the event loop.
    Yield = 2,
    /// Raise an error (at every line from then on): the script runs again from the start off the event loop.
    Move = 3,
    /// Check at every line: the script turned slow where it cannot yield nor start again.
    Watch = 4,
}

impl Signals {
    /// The hook's decision at `now_ms`; `yieldable`: the script may yield where it is.
    pub fn decide(&self, yieldable: bool, now_ms: i64) -> Interrupt {
        if self.stop.load(Ordering::Relaxed) {
            return Interrupt::Kill;
        }
        if self.moved.load(Ordering::Relaxed) {
            return Interrupt::Move;
        }
        let since = self.inline_since_ms.load(Ordering::Relaxed);
        if since == 0 || now_ms - since < self.inline_limit_ms.load(Ordering::Relaxed) {
            Interrupt::GoOn
        } else if yieldable {
            Interrupt::Yield
        } else if !self.inline_side_effects.load(Ordering::Relaxed) {
            self.moved.store(true, Ordering::Relaxed);
            Interrupt::Move
        } else {
            Interrupt::Watch
        }
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
    /// SHA1s of scripts whose last run was slow: they run off the event loop.
    slow: Mutex<std::collections::HashSet<ScriptId, foldhash::fast::RandomState>>,
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
        self.wrote.store(false, Ordering::SeqCst);
        self.signals.inline_since_ms.store(now_ms, Ordering::SeqCst);
    }

    /// The inline script ended or was suspended; true if its hook stopped it to run again off the event loop.
    pub fn end_inline(&self) -> bool {
        self.signals.inline_since_ms.store(0, Ordering::SeqCst);
        self.signals.moved.swap(false, Ordering::SeqCst)
    }

    /// The inline script was suspended: it is running, since it started on the event loop (call on the event-loop
    /// thread, before the job that resumes it is spawned, and before `end_inline`).
    pub fn continue_off_loop(&self, busy_threshold_ms: u64) {
        let since = self.signals.inline_since_ms.load(Ordering::SeqCst);
        self.started_ms.store(since, Ordering::SeqCst);
        self.busy_after_ms.store(busy_threshold_ms.min(i64::MAX as u64) as i64, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
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

    /// A write command ran: if a script runs (here or off the event loop), it can no longer be killed.
    pub fn note_write(&self) {
        if self.running() || self.signals.inline_since_ms.load(Ordering::Relaxed) != 0 {
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

    /// Was this script's last run slow?
    pub fn is_slow(&self, id: &ScriptId) -> bool {
        self.slow.lock().contains(id)
    }

    /// Remembers how long a script took, to decide where it runs next time.
    pub fn record(&self, id: ScriptId, took: Duration) {
        let mut slow = self.slow.lock();
        if took < FAST_SCRIPT {
            if !slow.is_empty() {
                slow.remove(&id);
            }
        } else {
            slow.insert(id);
        }
    }
}
