//! Writing the effects stream to the current incremental file, under the fsync policy.
//!
//! Batches hand their effects over with `append` (under the state lock, so the file's order is the execution
//! order) and get an offset; a connection whose batch wrote waits for `persisted(offset)` before sending its
//! replies, so an acknowledged write is in the file (`everysec`, `no`: written, it survives the process being
//! killed) or on the disk (`always`: fsynced). One flusher task writes whatever all clients appended since its
//! last turn in one write, and with `always` one fsync covers them all (group commit). The fsync runs on a
//! blocking thread, so the event loop keeps executing commands meanwhile; `everysec` fsyncs from the cron.

use crate::config::AppendFsync;
use crate::log::Logger;
use parking_lot::Mutex;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Default)]
pub struct Writer {
    inner: Mutex<Inner>,
    /// Write and fsync errors and their recovery are logged as redis-server logs them.
    log: Option<Arc<Logger>>,
    /// Bytes appended since startup that are written (or fsynced, with `always`): waiters compare with this.
    persisted: AtomicU64,
    /// Wakes the connections waiting in `persisted`.
    progress: Notify,
    /// Wakes the flusher task.
    kick: Notify,
    /// The last write or fsync failed: write commands get MISCONF until one succeeds.
    failing: AtomicBool,
    /// The test kit's crash happened (or its crash point was reached): nothing more is written.
    crashed: AtomicBool,
}

#[derive(Default)]
struct Inner {
    /// The incremental file commands are appended to; None while the AOF is off. Shared with the background
    /// fsync of `everysec`.
    file: Option<Arc<File>>,
    policy: Option<AppendFsync>,
    /// Appended, not yet written.
    pending: Vec<u8>,
    /// Bytes ever appended (the offset of the end of `pending`).
    appended: u64,
    /// Written bytes not yet fsynced.
    unsynced: bool,
    fsync_running: bool,
    last_fsync_ms: i64,
    /// The last write error, for MISCONF and INFO (`aof_last_write_status`).
    error: Option<String>,
    /// Bytes of the current incremental file known to hold complete commands.
    file_len: u64,
    /// Bytes in the files of the manifest (INFO `aof_current_size`) and in its base (`aof_base_size`).
    current_size: u64,
    base_size: u64,
    /// Bytes of the current incremental file an fsync has made durable: what a power loss leaves of it (the
    /// test kit's `crash` cuts the file back to this, showing what each fsync policy promises).
    durable_len: u64,
    /// When a write error was last logged (wall clock, ms): at most one line per 30 s, as Redis.
    last_error_log_ms: i64,
    /// The test kit's crash point, in `current_size` bytes: a write reaching it stops there and the server
    /// crashes (`crash_at_aof_offset`).
    crash_at: Option<u64>,
}

/// `write_whole` stopped at the crash point.
const CRASH_POINT: &str = "crash point reached";

/// What INFO persistence shows of the writer.
pub struct WriterInfo {
    pub enabled: bool,
    pub pending: usize,
    pub current_size: u64,
    pub base_size: u64,
    pub error: Option<String>,
    pub fsync_running: bool,
}

/// The system's text for an I/O error, as C's strerror gives it (without Rust's " (os error N)").
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Writes all of `pending`. After a failure part of a command may be in the file: it is cut back to its last
/// complete command so that the retry does not follow half a command, or, if that fails too, what did reach the
/// file is dropped from `pending` (as Redis's flushAppendOnlyFile does).
fn write_whole(inner: &mut Inner) -> Result<(), WriteFailure> {
    let Inner { file, pending, file_len, current_size, crash_at, .. } = inner;
    let Some(file) = file.as_deref() else { return Ok(()) };
    let mut file = file;
    let end = match *crash_at {
        Some(at) => pending.len().min(at.saturating_sub(*current_size) as usize),
        None => pending.len(),
    };
    let mut written = 0;
    while written < end {
        let failure = match file.write(&pending[written..end]) {
            Ok(0) => WriteFailure::new("short write".into(), written, end),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => WriteFailure::new(strerror(&e), written, end),
            Ok(n) => {
                written += n;
                continue;
            }
        };
        cut_back(&mut file, pending, file_len, current_size, written);
        return Err(failure);
    }
    *file_len += written as u64;
    *current_size += written as u64;
    if end < pending.len() || crash_at.is_some_and(|at| *current_size >= at) {
        // The torn write is what the disk keeps of it.
        inner.durable_len = inner.file_len;
        return Err(WriteFailure::new(CRASH_POINT.into(), 0, 0));
    }
    pending.clear();
    Ok(())
}

/// A failed write: the error MISCONF shows, and the line redis-server logs for it.
struct WriteFailure {
    message: String,
    log_line: String,
}

impl WriteFailure {
    fn new(message: String, written: usize, expected: usize) -> WriteFailure {
        let log_line = match written {
            0 => format!("Error writing to the AOF file: {message}"),
            _ => format!("Short write while writing to the AOF file: (nwritten={written}, expected={expected})"),
        };
        WriteFailure { message, log_line }
    }
}

fn cut_back(file: &mut &File, pending: &mut Vec<u8>, file_len: &mut u64, current_size: &mut u64, written: usize) {
    if written > 0 && file.set_len(*file_len).is_err() {
        pending.drain(..written);
        *file_len += written as u64;
        *current_size += written as u64;
    }
}

impl Writer {
    pub fn new(log: Arc<Logger>) -> Writer {
        Writer { log: Some(log), ..Default::default() }
    }

    fn warn(&self, line: &str) {
        if let Some(log) = &self.log {
            log.warning(line);
        }
    }

    /// Starts appending to `file` (the last incremental file, opened for appending) with `policy`, at the
    /// server's `now_ms` (`everysec` counts its first second from it).
    pub fn enable(&self, file: File, policy: AppendFsync, (current_size, base_size): (u64, u64), now_ms: i64) {
        let mut inner = self.inner.lock();
        inner.last_fsync_ms = now_ms;
        inner.file_len = file.metadata().map_or(0, |m| m.len());
        inner.file = Some(Arc::new(file));
        inner.policy = Some(policy);
        inner.current_size = current_size;
        inner.base_size = base_size;
        inner.unsynced = false;
        inner.durable_len = inner.file_len;
    }

    /// Stops appending: what is pending is written and fsynced first (CONFIG SET appendonly no, shutdown).
    pub fn disable(&self) -> std::io::Result<()> {
        let result = self.sync_now();
        let mut inner = self.inner.lock();
        inner.file = None;
        inner.policy = None;
        inner.pending.clear();
        // With the AOF off there is nothing to fail writing (Redis checks the status only while it is on).
        inner.error = None;
        self.failing.store(false, Ordering::SeqCst);
        self.persisted.store(inner.appended, Ordering::SeqCst);
        drop(inner);
        self.progress.notify_waiters();
        result
    }

    pub fn set_policy(&self, policy: AppendFsync) {
        let mut inner = self.inner.lock();
        if inner.policy.is_some() {
            inner.policy = Some(policy);
        }
    }

    pub fn enabled(&self) -> bool {
        self.inner.lock().file.is_some()
    }

    /// Takes `bytes` (a batch's effects) for the file; returns the offset to wait for before replying, or None
    /// when the AOF is off.
    pub fn append(&self, bytes: &[u8]) -> Option<u64> {
        if bytes.is_empty() {
            return None;
        }
        let mut inner = self.inner.lock();
        // No file (the AOF is off): the batch is dropped.
        inner.file.as_ref()?;
        inner.pending.extend_from_slice(bytes);
        inner.appended += bytes.len() as u64;
        Some(inner.appended)
    }

    /// Resolves once everything up to `offset` is persisted as the policy promises.
    pub async fn persisted(&self, offset: u64) {
        loop {
            let progress = self.progress.notified();
            tokio::pin!(progress);
            progress.as_mut().enable();
            if self.persisted.load(Ordering::SeqCst) >= offset {
                return;
            }
            self.kick.notify_one();
            progress.await;
        }
    }

    /// Is everything up to `offset` persisted as the policy promises? (`persisted` without waiting.)
    pub fn is_persisted(&self, offset: u64) -> bool {
        self.persisted.load(Ordering::SeqCst) >= offset
    }

    /// Asks the flusher to write what is pending without anyone waiting (the cron's expiries).
    pub fn kick(&self) {
        self.kick.notify_one();
    }

    /// The flusher task: one write for everything appended since its last turn, then the fsync `always` needs.
    /// Returns when the test kit's crash point is reached (the server then crashes).
    pub async fn run_flusher(self: Arc<Self>) {
        loop {
            self.kick.notified().await;
            if self.crashed() {
                return;
            }
            let Some((end, policy)) = self.write_pending() else { continue };
            // `always`: fsync here, on the event loop, as Redis does in beforeSleep. Commands arriving meanwhile
            // wait in the sockets and are all executed in the next round, so they share the next fsync.
            if policy == AppendFsync::Always && self.fsync().is_err() {
                // Acknowledging now would promise what the disk did not keep: the waiters wait for a retry.
                continue;
            }
            self.persisted.fetch_max(end, Ordering::SeqCst);
            self.progress.notify_waiters();
        }
    }

    /// Writes what is pending now, on this thread, with the fsync `always` needs (the test kit's clock moves).
    pub fn write_now(&self) {
        if let Some((end, policy)) = self.write_pending() {
            if policy == AppendFsync::Always && self.fsync().is_err() {
                return;
            }
            self.persisted.fetch_max(end, Ordering::SeqCst);
            self.progress.notify_waiters();
        }
    }

    /// Writes `pending` to the file. Returns the offset now written and the policy, or None if nothing was
    /// written (off, or the write failed: the bytes stay pending for the next try).
    fn write_pending(&self) -> Option<(u64, AppendFsync)> {
        let mut inner = self.inner.lock();
        let policy = inner.policy?;
        if !inner.pending.is_empty() {
            if let Err(failure) = write_whole(&mut inner) {
                if failure.message == CRASH_POINT {
                    self.stop_as_crashed(&mut inner);
                } else {
                    let now = crate::storage::clock::wall_ms();
                    if now - inner.last_error_log_ms > 30_000 {
                        inner.last_error_log_ms = now;
                        self.warn(&failure.log_line);
                    }
                    self.fail(&mut inner, failure.message);
                }
                return None;
            }
            inner.unsynced = true;
        }
        if inner.error.take().is_some() {
            self.failing.store(false, Ordering::SeqCst);
            self.warn("AOF write error looks solved, Redis can write again.");
        }
        Some((inner.appended, policy))
    }

    fn fail(&self, inner: &mut Inner, message: String) {
        inner.error = Some(message);
        self.failing.store(true, Ordering::SeqCst);
    }

    /// fsync of the current file (blocking: call from a blocking thread or at shutdown).
    fn fsync(&self) -> std::io::Result<()> {
        let (file, written) = {
            let mut inner = self.inner.lock();
            if !inner.unsynced {
                return Ok(());
            }
            inner.unsynced = false;
            match &inner.file {
                Some(f) => (f.clone(), inner.file_len),
                None => return Ok(()),
            }
        };
        let result = file.sync_data();
        let mut inner = self.inner.lock();
        match &result {
            Err(e) => {
                inner.unsynced = true;
                if inner.error.is_none() {
                    self.warn(&format!("Fail to fsync the AOF file: {}", strerror(e)));
                }
                self.fail(&mut inner, strerror(e));
            }
            // Unless a rewrite switched files meanwhile.
            Ok(()) if inner.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &file)) => {
                inner.durable_len = inner.durable_len.max(written);
            }
            Ok(()) => {}
        }
        result
    }

    /// The test kit's crash: as SIGKILL followed by a power loss, the current incremental file keeps only
    /// what an fsync made durable, and nothing more is written.
    pub fn crash(&self) {
        let mut inner = self.inner.lock();
        if let Some(file) = &inner.file {
            let _ = file.set_len(inner.durable_len);
            let _ = file.sync_data();
        }
        self.stop_as_crashed(&mut inner);
    }

    /// The test kit's kill: as SIGKILL alone, what was written stays (the kernel's page cache survives the
    /// process), what was still waiting to be written is lost, and nothing more is written.
    pub fn kill(&self) {
        let mut inner = self.inner.lock();
        self.stop_as_crashed(&mut inner);
    }

    fn stop_as_crashed(&self, inner: &mut Inner) {
        inner.file = None;
        inner.policy = None;
        inner.pending.clear();
        self.crashed.store(true, Ordering::SeqCst);
        // The flusher returns and the server crashes (see `run_flusher`).
        self.kick.notify_one();
    }

    pub fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }

    /// `crash_at_aof_offset`: the server crashes when the AOF (`aof_current_size`) reaches `offset` bytes; what
    /// would go past it is never written. Ok(true): the AOF is already there (it is cut back to `offset` now
    /// and the caller crashes the server). The offset must lie in the current incremental file.
    pub fn crash_at(&self, offset: u64) -> Result<bool, String> {
        let mut inner = self.inner.lock();
        if inner.file.is_none() {
            return Err("the AOF is off (appendonly no)".into());
        }
        let incr_start = inner.current_size - inner.file_len;
        if offset < incr_start {
            return Err(format!(
                "offset {offset} is before the current incremental file, which starts at {incr_start}"
            ));
        }
        if offset > inner.current_size {
            inner.crash_at = Some(offset);
            return Ok(false);
        }
        inner.durable_len = offset - incr_start;
        drop(inner);
        self.crash();
        Ok(true)
    }

    /// Writes what is pending and fsyncs, now, on this thread (SHUTDOWN, SIGTERM, switching files).
    pub fn sync_now(&self) -> std::io::Result<()> {
        if let Some((end, _)) = self.write_pending() {
            self.fsync()?;
            self.persisted.fetch_max(end, Ordering::SeqCst);
            self.progress.notify_waiters();
        }
        let inner = self.inner.lock();
        match &inner.error {
            Some(e) => Err(std::io::Error::other(e.clone())),
            None => Ok(()),
        }
    }

    /// `everysec` from the cron: retry a failed write, and fsync in the background once a second, never with
    /// two fsyncs at once.
    pub fn tick(self: &Arc<Self>, now_ms: i64) {
        let due = self.claim_fsync(now_ms);
        if self.failing.load(Ordering::SeqCst) || !self.inner.lock().pending.is_empty() {
            self.kick();
        }
        if due {
            let writer = self.clone();
            std::thread::spawn(move || {
                let _ = writer.fsync();
                writer.inner.lock().fsync_running = false;
            });
        }
    }

    /// `everysec`'s fsync, on this thread, if a second of the server's clock has passed since the last one: the
    /// test kit moves the clock and wants the fsync that move makes due to have happened when it returns.
    pub fn fsync_if_due(&self, now_ms: i64) {
        if self.claim_fsync(now_ms) {
            let _ = self.fsync();
            self.inner.lock().fsync_running = false;
        }
    }

    /// Is an `everysec` fsync due at `now_ms`? If so it is marked running (the caller runs it).
    fn claim_fsync(&self, now_ms: i64) -> bool {
        let mut inner = self.inner.lock();
        let due = inner.policy == Some(AppendFsync::EverySec)
            && inner.unsynced
            && !inner.fsync_running
            && now_ms - inner.last_fsync_ms >= 1000;
        if due {
            inner.fsync_running = true;
            inner.last_fsync_ms = now_ms;
        }
        due
    }

    /// Swaps in a new incremental file (a rewrite started): everything pending goes to the old one first.
    pub fn switch_file(&self, file: File) -> std::io::Result<()> {
        self.sync_now()?;
        if self.crashed() {
            // The crash point was reached on the way: nothing more is written anywhere.
            return Err(std::io::Error::other("the server crashed (test kit)"));
        }
        let mut inner = self.inner.lock();
        inner.file_len = 0;
        inner.durable_len = 0;
        inner.file = Some(Arc::new(file));
        Ok(())
    }

    /// After a rewrite: the files of the manifest now hold this many bytes, the base this many.
    pub fn set_sizes(&self, current_size: u64, base_size: u64) {
        let mut inner = self.inner.lock();
        inner.current_size = current_size;
        inner.base_size = base_size;
    }

    /// Writes are refused with this error (Redis's MISCONF) while the AOF cannot be written.
    pub fn write_error(&self) -> Option<String> {
        if !self.failing.load(Ordering::Relaxed) {
            return None;
        }
        self.inner.lock().error.clone()
    }

    pub fn info(&self) -> WriterInfo {
        let inner = self.inner.lock();
        WriterInfo {
            enabled: inner.file.is_some(),
            pending: inner.pending.len(),
            current_size: inner.current_size,
            base_size: inner.base_size,
            error: inner.error.clone(),
            fsync_running: inner.fsync_running,
        }
    }
}

/// The AOF is the effects stream's first subscriber: each batch is appended to the current file.
impl crate::persistence::effects::EffectsSubscriber for Writer {
    fn feed(&self, batch: &[u8]) -> Option<u64> {
        self.append(batch)
    }
}
