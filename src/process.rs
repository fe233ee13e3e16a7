//! What this process tells or reads of its environment, for INFO, MEMORY and the supervisor: its resident
//! size and CPU time, its allocator's name, and systemd's readiness protocol.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

/// Resident set size of this process, from /proc.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// (user, system) CPU seconds of this process.
pub fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_utime), secs(usage.ru_stime))
}

/// `supervised systemd` (or `auto`) with systemd's notification socket in the environment: the binary told
/// systemd it started, and the server tells it when it stops.
pub fn supervised_by_systemd(config: &crate::config::Config) -> bool {
    let mode = config.value("supervised").unwrap_or_default();
    (mode == "systemd" || mode == "auto") && std::env::var_os("NOTIFY_SOCKET").is_some_and(|s| !s.is_empty())
}

/// sd_notify(3) without libsystemd: one datagram to `$NOTIFY_SOCKET` (a path, or `@name` in the abstract
/// namespace). Ok(false) when the variable is not set.
pub fn sd_notify(message: &str) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let Some(path) = std::env::var_os("NOTIFY_SOCKET").filter(|p| !p.is_empty()) else { return Ok(false) };
    let socket = std::os::unix::net::UnixDatagram::unbound()?;
    match path.as_bytes().strip_prefix(b"@") {
        #[cfg(target_os = "linux")]
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            socket.send_to_addr(message.as_bytes(), &addr)?;
        }
        _ => {
            socket.send_to(message.as_bytes(), &path)?;
        }
    }
    Ok(true)
}

/// The allocator INFO names: the host's (`libc`) unless the process says it installed another (the binary
/// installs jemalloc and names it with `set_allocator_name`).
static ALLOCATOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the process's global allocator for INFO `mem_allocator` and MEMORY DOCTOR (e.g. `jemalloc-5.3.0`).
pub fn set_allocator_name(name: String) {
    let _ = ALLOCATOR.set(name);
}

/// The allocator INFO `mem_allocator` names.
pub fn allocator_name() -> &'static str {
    ALLOCATOR.get().map_or("libc", String::as_str)
}
