//! RDB snapshots' bookkeeping as the engine's State holds it: the background save in progress, what the save
//! points and MISCONF read, and the numbers INFO persistence reports. Plain data: `persistence/save.rs`
//! changes it.

use crate::persistence::child::Child;
use std::path::PathBuf;

/// A BGSAVE in progress: the child writing the file.
pub struct Bgsave {
    pub child: Child,
    /// The temporary file the child writes (`temp-<child pid>.rdb`) before renaming it over the dump.
    pub temp: PathBuf,
    pub started_ms: i64,
    /// `State::dirty` at the fork: what the file holds, so what is unsaved once it succeeds.
    pub dirty_at_fork: u64,
}

pub struct Rdb {
    pub bgsave: Option<Bgsave>,
    /// BGSAVE SCHEDULE (or BGSAVE inside MULTI) while another child ran: started by the cron when it can.
    pub scheduled: bool,
    /// `State::dirty` when the last save succeeded: `rdb_changes_since_last_save` is the difference.
    pub dirty_at_last_save: u64,
    pub last_bgsave_ok: bool,
    /// When the last BGSAVE was tried (ms): a failed one is retried by the save points after 5 seconds.
    pub last_bgsave_try_ms: i64,
    pub last_bgsave_time_sec: i64,
    /// Saves started (SAVE, BGSAVE, save points): INFO `rdb_saves`.
    pub saves: u64,
    /// Background saves forked (INFO `total_forks` adds the AOF's).
    pub forks: u64,
    pub last_cow_bytes: u64,
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
}

impl Default for Rdb {
    fn default() -> Self {
        Rdb {
            bgsave: None,
            scheduled: false,
            dirty_at_last_save: 0,
            last_bgsave_ok: true,
            last_bgsave_try_ms: 0,
            last_bgsave_time_sec: -1,
            saves: 0,
            forks: 0,
            last_cow_bytes: 0,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
        }
    }
}
