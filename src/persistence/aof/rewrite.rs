//! Rewriting the AOF without stopping clients (BGREWRITEAOF, automatic rewrites, turning the AOF on), as Redis
//! does it: a forked child writes the keyspace as it was at the fork (the kernel's copy-on-write keeps it
//! frozen for the child) into a temporary base file, while the server goes on appending new writes to a fresh
//! incremental file. When the child is done, the manifest switches to the new base plus the incremental files
//! opened since the fork, atomically; the old files are deleted.

use super::snapshot::write_snapshot;
use crate::storage::Db;
use std::path::{Path, PathBuf};

/// A rewrite in progress: the child writing the base.
pub struct Rewrite {
    pub pid: libc::pid_t,
    /// The temporary base file the child writes.
    pub temp: PathBuf,
    /// The first incremental file written after the fork: it and later ones stay after the switch.
    pub first_kept_incr: u64,
    pub started_ms: i64,
}

/// How a finished child ended.
pub enum Outcome {
    Running,
    Succeeded,
    Failed(String),
}

/// Forks a child that writes `dbs` (live keys at `now`, after a `#TS:` annotation if `timestamp`) to `temp`,
/// fsyncs it and exits.
///
/// The caller holds the state lock, so no other thread is changing `dbs` at the moment of the fork; the child
/// only reads `dbs`, writes one file and leaves with `_exit`, touching nothing else of the process.
pub fn fork_writer(dbs: &[Db], now: i64, timestamp: bool, temp: &Path) -> std::io::Result<libc::pid_t> {
    // SAFETY: fork in a multi-threaded process is sound for a child that, as here, only uses memory it owns
    // (the allocator is fork-safe: jemalloc and glibc malloc both reset their locks in the child), does file
    // I/O and ends with _exit, never returning into code that other threads' state may have left inconsistent.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_base(dbs, now, timestamp, temp)));
        let code = if matches!(written, Ok(Ok(()))) { 0 } else { 1 };
        // SAFETY: ends the child without running the parent's destructors or atexit handlers.
        unsafe { libc::_exit(code) };
    }
    Ok(pid)
}

fn write_base(dbs: &[Db], now: i64, timestamp: bool, temp: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::create(temp)?;
    write_snapshot(dbs, now, timestamp, &mut file)?;
    file.sync_all()
}

/// Has the child finished? (Non-blocking.)
pub fn poll(pid: libc::pid_t) -> Outcome {
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if r == 0 {
        return Outcome::Running;
    }
    if r < 0 {
        return Outcome::Failed(format!("waitpid: {}", std::io::Error::last_os_error()));
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Outcome::Succeeded
    } else if libc::WIFSIGNALED(status) {
        Outcome::Failed(format!("terminated by signal {}", libc::WTERMSIG(status)))
    } else {
        Outcome::Failed(format!("exited with code {}", libc::WEXITSTATUS(status)))
    }
}

/// Stops a child (shutdown, CONFIG SET appendonly no) and removes its file.
pub fn kill(rewrite: &Rewrite) {
    // SAFETY: signals and reaps our own child.
    unsafe {
        libc::kill(rewrite.pid, libc::SIGKILL);
        let mut status = 0;
        libc::waitpid(rewrite.pid, &mut status, 0);
    }
    let _ = std::fs::remove_file(&rewrite.temp);
}
