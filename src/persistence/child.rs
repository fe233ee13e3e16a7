//! Background children (Redis's fork-based BGSAVE and BGREWRITEAOF): the child sees the dataset as it was at the
//! fork (the kernel's copy-on-write keeps it frozen for the child), writes one file and exits; the parent reaps
//! it from the cron. Before exiting, the child reports through a pipe how much memory copy-on-write cost it
//! (its private dirty pages), which INFO shows as `rdb_last_cow_size` / `aof_last_cow_size`.

use std::io;

/// A running child.
#[derive(Debug)]
pub struct Child {
    pub pid: libc::pid_t,
    /// The read end of the pipe the child reports its copy-on-write bytes through.
    report: libc::c_int,
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
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills the two descriptors on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fork in a multi-threaded process is sound for a child that, as here, only uses memory it owns
    // (the allocator is fork-safe: jemalloc and glibc malloc both reset their locks in the child), does file
    // I/O and ends with _exit, never returning into code that other threads' state may have left inconsistent.
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
    // SAFETY: the parent keeps only the read end.
    unsafe { libc::close(fds[1]) };
    Ok(Child { pid, report: fds[0] })
}

/// What copy-on-write cost this process: its private dirty memory (Redis's zmalloc_get_private_dirty).
fn private_dirty_bytes() -> u64 {
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
        // SAFETY: signals and reaps our own child.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            let mut status = 0;
            libc::waitpid(self.pid, &mut status, 0);
        }
        self.close();
    }
}
