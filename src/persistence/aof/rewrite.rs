//! Rewriting the AOF without stopping clients (BGREWRITEAOF, automatic rewrites, turning the AOF on), as Redis
//! does it: a forked child writes the keyspace as it was at the fork (the kernel's copy-on-write keeps it
//! frozen for the child) into a temporary base file, while the server goes on appending new writes to a fresh
//! incremental file. When the child is done, the manifest switches to the new base plus the incremental files
//! opened since the fork, atomically; the old files are deleted.

use super::snapshot::write_snapshot;
use crate::persistence::child::{self, Child};
use crate::storage::Db;
use std::path::{Path, PathBuf};

/// A rewrite in progress: the child writing the base.
pub struct Rewrite {
    pub child: Child,
    /// The temporary base file the child writes.
    pub temp: PathBuf,
    /// The first incremental file written after the fork: it and later ones stay after the switch.
    pub first_kept_incr: u64,
    pub started_ms: i64,
}

/// Forks a child that writes `dbs` (live keys at `now`, after a `#TS:` annotation if `timestamp`) to `temp`
/// and fsyncs it. The caller holds the state lock (see `child::fork`).
pub fn fork_writer(dbs: &[Db], now: i64, timestamp: bool, temp: &Path) -> std::io::Result<Child> {
    child::fork(|| write_base(dbs, now, timestamp, temp))
}

fn write_base(dbs: &[Db], now: i64, timestamp: bool, temp: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::create(temp)?;
    write_snapshot(dbs, now, timestamp, &mut file)?;
    file.sync_all()
}

/// Stops a child (shutdown, CONFIG SET appendonly no) and removes its file.
pub fn kill(rewrite: &Rewrite) {
    rewrite.child.kill();
    let _ = std::fs::remove_file(&rewrite.temp);
}
