//! The AOF's bookkeeping as the engine's State holds it: which directory, which rewrite, and the numbers INFO
//! persistence reports. Plain data: the orchestration that changes it is `aof/mod.rs`.

use super::dir::AofDir;
use super::rewrite::Rewrite;

/// The AOF's bookkeeping in the State (the writer itself is in `Shared`, used without the state lock).
pub struct Aof {
    /// The directory, while the AOF is on (or a rewrite of an off AOF runs).
    pub dir: Option<AofDir>,
    pub rewrite: Option<Rewrite>,
    /// A rewrite asked for inside a transaction or script, started by the cron (Redis: "scheduled").
    pub rewrite_scheduled: bool,
    /// Turned on at runtime and waiting for its first base (Redis's AOF_WAIT_REWRITE): until the base is
    /// installed, the manifest on disk does not name the new incremental file.
    pub waiting_first_base: bool,
    pub last_rewrite_ok: bool,
    pub last_rewrite_time_sec: i64,
    pub rewrites: u64,
    pub consecutive_failures: u64,
    /// The AOF's size after the last load or rewrite: automatic rewrites measure growth from it.
    pub rewrite_base_size: u64,
    /// What copy-on-write cost the last successful rewrite's child (INFO `aof_last_cow_size`).
    pub last_cow_bytes: u64,
    /// SHUTDOWN already flushed and fsynced it (and said so in the log) before the final snapshot.
    pub flushed_for_shutdown: bool,
}

impl Default for Aof {
    fn default() -> Self {
        Aof {
            dir: None,
            rewrite: None,
            rewrite_scheduled: false,
            waiting_first_base: false,
            last_rewrite_ok: true,
            last_rewrite_time_sec: -1,
            rewrites: 0,
            consecutive_failures: 0,
            rewrite_base_size: 0,
            last_cow_bytes: 0,
            flushed_for_shutdown: false,
        }
    }
}
