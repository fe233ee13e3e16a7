//! Rewriting the AOF without stopping clients (BGREWRITEAOF, automatic rewrites, turning the AOF on), as Redis
//! does it: a forked child writes the keyspace as it was at the fork (the kernel's copy-on-write keeps it
//! frozen for the child) into a temporary base file, while the server goes on appending new writes to a fresh
//! incremental file. When the child is done, the manifest switches to the new base plus the incremental files
//! opened since the fork, atomically; the old files are deleted.

use super::snapshot::write_snapshot;
use crate::persistence::child::{self, Child};
use crate::persistence::rdb::file::{write_rdb, SaveOptions};
use crate::storage::Db;
use std::path::{Path, PathBuf};

/// A rewrite in progress: the child writing the base.
pub struct Rewrite {
    pub child: Child,
    /// The temporary base file the child writes.
    pub temp: PathBuf,
    /// The base is written as an RDB file (`aof-use-rdb-preamble yes`).
    pub rdb: bool,
    /// The first incremental file written after the fork: it and later ones stay after the switch.
    pub first_kept_incr: u64,
    pub started_ms: i64,
}

/// What a base holds: the keyspace as commands, or as an RDB file (Redis 7.0's default).
pub enum BaseFormat {
    /// Commands, after a `#TS:` annotation if `timestamp`.
    Commands {
        timestamp: bool,
    },
    Rdb(SaveOptions),
}

/// Forks a child that writes `dbs` (as of `now`) to `temp` in `format` and fsyncs it. The caller holds the
/// state lock (see `child::fork`).
pub fn fork_writer(dbs: &[Db], now: i64, format: &BaseFormat, temp: &Path) -> std::io::Result<Child> {
    child::fork(|| write_base(dbs, now, format, temp))
}

/// Writes a base file (the rewrite's child, and the empty base of a fresh directory).
pub fn write_base(dbs: &[Db], now: i64, format: &BaseFormat, temp: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::create(temp)?;
    match format {
        BaseFormat::Commands { timestamp } => write_snapshot(dbs, now, *timestamp, &mut file).map(|_| ())?,
        BaseFormat::Rdb(opts) => write_rdb(dbs, now, opts, &mut file).map(|_| ())?,
    }
    file.sync_all()
}

/// Stops a child (shutdown, CONFIG SET appendonly no) and removes its file.
pub fn kill(rewrite: &Rewrite) {
    rewrite.child.kill();
    let _ = std::fs::remove_file(&rewrite.temp);
}
