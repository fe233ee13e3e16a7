//! Background children (Redis's fork-based BGSAVE and BGREWRITEAOF): the child sees the dataset as it was at the
//! fork (the kernel's copy-on-write keeps it frozen for the child), writes one file and exits; the parent reaps
//! it from the cron. Before exiting, the child reports through a pipe how much memory copy-on-write cost it
//! (its private dirty pages), which INFO shows as `rdb_last_cow_size` / `aof_last_cow_size`.
//!
//! A child never outlives its server: Redis's child exits when it can no longer report its progress to a parent
//! that died ("Child failed reporting info to parent, exiting."), so a server killed during a BGSAVE never has its
//! `dump.rdb` replaced later by an orphan, perhaps after a restarted server saved newer data there. Here the
//! child checks ten times a second (a SIGALRM timer) that its parent is still the server, and exits at once when
//! it is not, leaving its temporary file as Redis's does; the writer asks [`orphaned`] once more just before its
//! rename. A `Child` dropped while it runs (its server's state gone without anything stopping it) is killed.

use crate::config::LogLevel;
use std::io;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// A running child.
#[derive(Debug)]
pub struct Child {
    pub pid: libc::pid_t,
    /// The read end of the pipe the child reports its copy-on-write bytes through.
    report: libc::c_int,
    /// Reaped (by `poll` or `kill`): its pid may belong to another process now, so it is never signalled again.
    reaped: AtomicBool,
    /// How long the fork itself took (INFO's `latest_fork_usec`): the event loop stands still meanwhile.
    pub fork_usec: u64,
}

/// How a child ended.
pub enum Outcome {
    Running,
    /// Exit status 0, with the copy-on-write bytes it reported.
    Succeeded {
        cow_bytes: u64,
    },
    /// Killed by `signal`, or exited with an error.
    Failed {
        signal: Option<i32>,
        why: String,
    },
}

/// Forks a child that runs `job` and exits: 0 if it returned Ok, 1 otherwise.
///
/// The caller holds the state lock, so no other thread is changing the data `job` reads at the moment of the
/// fork; the child only reads that data, writes its file and leaves with `_exit`, touching nothing else.
pub fn fork(job: impl FnOnce() -> io::Result<()>) -> io::Result<Child> {
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two descriptors on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fork in a multi-threaded process is sound for a child that, as here, only uses memory it owns
    // (the allocator is fork-safe: jemalloc and glibc malloc both reset their locks in the child), does file
    // I/O and ends with _exit, never returning into code that other threads' state may have left inconsistent.
    let started = std::time::Instant::now();
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = io::Error::last_os_error();
        // SAFETY: closing the descriptors pipe2 gave us.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Err(e);
    }
    if pid == 0 {
        watch_parent(parent);
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        let code = if matches!(done, Ok(Ok(()))) { 0 } else { 1 };
        let cow = private_dirty_bytes().to_le_bytes();
        // SAFETY: writes 8 bytes we own to our end of the pipe, then ends the child without running the
        // parent's destructors or atexit handlers.
        unsafe {
            libc::write(fds[1], cow.as_ptr() as *const libc::c_void, cow.len());
            libc::_exit(code);
        }
    }
    let fork_usec = started.elapsed().as_micros() as u64;
    // SAFETY: the parent keeps only the read end.
    unsafe { libc::close(fds[1]) };
    Ok(Child { pid, report: fds[0], reaped: AtomicBool::new(false), fork_usec })
}

/// The server's pid, in a child (0 in the server itself).
static PARENT: AtomicI32 = AtomicI32::new(0);

/// In a child: has the server that forked it died (the child was handed to another parent)?
pub fn orphaned() -> bool {
    let parent = PARENT.load(Ordering::Relaxed);
    // SAFETY: getppid has no preconditions.
    parent != 0 && unsafe { libc::getppid() } != parent
}

/// The SIGALRM handler of a child: exits (status 1) as soon as the server is gone. Only async-signal-safe calls.
extern "C" fn exit_if_orphaned(_signal: libc::c_int) {
    if orphaned() {
        // SAFETY: _exit is async-signal-safe and ends the child without running anything of the parent's.
        unsafe { libc::_exit(1) };
    }
}

/// In a new child: checks every 100 ms that `parent` is still its parent (see the module's doc).
fn watch_parent(parent: libc::pid_t) {
    PARENT.store(parent, Ordering::Relaxed);
    if orphaned() {
        // The server died between the fork and now.
        // SAFETY: ends the child at once, as above.
        unsafe { libc::_exit(1) };
    }
    // SAFETY: installs a handler that makes only async-signal-safe calls (SA_RESTART: the writer's system calls
    // go on after it), unblocks SIGALRM (the forking thread may have had it blocked) and arms this process's
    // real-time timer, which no one else in the child uses.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = exit_if_orphaned as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGALRM, &action, std::ptr::null_mut());
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGALRM);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        let period = libc::timeval { tv_sec: 0, tv_usec: 100_000 };
        let timer = libc::itimerval { it_interval: period, it_value: period };
        libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut());
    }
}

/// What copy-on-write cost this process: its private dirty memory (Redis's zmalloc_get_private_dirty).
pub fn private_dirty_bytes() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/smaps_rollup") else { return 0 };
    text.lines()
        .filter_map(|l| l.strip_prefix("Private_Dirty:"))
        .filter_map(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .sum::<u64>()
        * 1024
}

impl Child {
    /// Has the child finished? (Non-blocking.)
    pub fn poll(&self) -> Outcome {
        let mut status = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(self.pid, &mut status, libc::WNOHANG) };
        if r == 0 {
            return Outcome::Running;
        }
        self.reaped.store(true, Ordering::Relaxed);
        let outcome = if r < 0 {
            Outcome::Failed { signal: None, why: format!("waitpid: {}", io::Error::last_os_error()) }
        } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            Outcome::Succeeded { cow_bytes: self.read_report() }
        } else if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            Outcome::Failed { signal: Some(signal), why: format!("terminated by signal {signal}") }
        } else {
            Outcome::Failed { signal: None, why: format!("exited with code {}", libc::WEXITSTATUS(status)) }
        };
        self.close();
        outcome
    }

    fn read_report(&self) -> u64 {
        let mut buf = [0u8; 8];
        // SAFETY: reads at most 8 bytes into our buffer; the child has exited, so this never blocks.
        let n = unsafe { libc::read(self.report, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n == 8 {
            u64::from_le_bytes(buf)
        } else {
            0
        }
    }

    fn close(&self) {
        // SAFETY: our own descriptor, closed once (poll and kill are each the child's last call).
        unsafe { libc::close(self.report) };
    }

    /// Stops the child and reaps it.
    pub fn kill(&self) {
        self.stop(libc::SIGKILL);
    }

    /// Sends `signal` (which ends it) and reaps it.
    pub fn stop(&self, signal: libc::c_int) {
        if self.reaped.swap(true, Ordering::Relaxed) {
            return;
        }
        // SAFETY: signals and reaps our own child, not reaped yet (so its pid is still its own).
        unsafe {
            libc::kill(self.pid, signal);
            let mut status = 0;
            libc::waitpid(self.pid, &mut status, 0);
        }
        self.close();
    }
}

impl Drop for Child {
    /// A child still running when its server's state goes (without SHUTDOWN or FLUSHALL stopping it) dies with
    /// it, as Redis's child does once its parent is gone.
    fn drop(&mut self) {
        self.kill();
    }
}

/// Log lines written by a child (role `C`, its own pid), as Redis's child logs "DB saved on disk" or why it could
/// not save. Taken before the fork: the child writes each line with one `write` to the log file opened anew, and
/// computes the local time from the offset read here, so it takes no lock another thread of the server might
/// have held at the fork (the logger's, or the C library's time zone lock).
pub struct ChildLog {
    /// None: standard output.
    file: Option<PathBuf>,
    notice: bool,
    warning: bool,
    /// Seconds east of UTC.
    utc_offset: i64,
}

impl ChildLog {
    pub fn new(logfile: &str, enabled: impl Fn(LogLevel) -> bool) -> ChildLog {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let secs = now.as_secs() as libc::time_t;
        // SAFETY: localtime_r writes only into the zeroed struct we own (in the server, before the fork).
        let utc_offset = unsafe {
            let mut tm: libc::tm = std::mem::zeroed();
            libc::localtime_r(&secs, &mut tm);
            tm.tm_gmtoff
        };
        ChildLog {
            file: (!logfile.is_empty()).then(|| PathBuf::from(logfile)),
            notice: enabled(LogLevel::Notice),
            warning: enabled(LogLevel::Warning),
            utc_offset,
        }
    }

    pub fn notice(&self, msg: &str) {
        if self.notice {
            self.write('*', msg);
        }
    }

    pub fn warning(&self, msg: &str) {
        if self.warning {
            self.write('#', msg);
        }
    }

    fn write(&self, mark: char, msg: &str) {
        let line = format!("{}:C {} {mark} {msg}\n", std::process::id(), self.timestamp());
        let _ = match &self.file {
            Some(path) => {
                std::fs::OpenOptions::new().append(true).open(path).and_then(|mut f| f.write_all(line.as_bytes()))
            }
            None => {
                // Not through std's stdout, whose lock another thread may have held at the fork.
                // SAFETY: writes our own buffer to descriptor 1.
                unsafe { libc::write(1, line.as_ptr() as *const libc::c_void, line.len()) };
                Ok(())
            }
        };
    }

    /// `26 Nov 2026 06:46:28.123` in the server's local time.
    fn timestamp(&self) -> String {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let local = now.as_secs() as i64 + self.utc_offset;
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        format!(
            "{day:02} {} {year} {:02}:{:02}:{:02}.{:03}",
            MONTHS[(month - 1) as usize],
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            now.subsec_millis()
        )
    }
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_819), (2027, 1, 1));
    }
}
