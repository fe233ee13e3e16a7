//! RDB snapshots (Redis's rdbSave, rdbSaveBackground and the save points of serverCron): SAVE writes the file
//! on the event loop; BGSAVE and the save points fork a child that writes it from the dataset as it was at the
//! fork. Either way the file is written to a temporary name, fsynced, renamed over `dbfilename` and the directory
//! fsynced, so a crash at any moment leaves the previous file or the new one, whole.

use crate::config::MaxmemoryPolicy;
use crate::engine::state::{Shared, State};
use crate::error::{self, CmdError};
use crate::persistence::child::{self, ChildLog, Outcome};
use crate::persistence::rdb::file::{write_rdb, Access, SaveOptions};
use crate::persistence::rdb::state::Bgsave;
use crate::storage::lfu::Lfu;
use crate::storage::Db;
use std::path::Path;

/// A failed background save is retried by the save points only after this many seconds
/// (CONFIG_BGSAVE_RETRY_DELAY), counted as Redis counts them: in whole seconds of the clock.
const BGSAVE_RETRY_DELAY_SECS: i64 = 5;

/// How this server writes RDB files now (its configuration and memory).
pub fn save_options(state: &State, aof_base: bool) -> SaveOptions {
    let c = &state.config;
    let access = match c.maxmemory_policy {
        MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru => Access::Lru,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu => {
            Access::Lfu(Lfu { log_factor: c.lfu_log_factor, decay_minutes: c.lfu_decay_time })
        }
        _ => Access::None,
    };
    SaveOptions {
        compress: c.rdb_compression(),
        checksum: c.rdb_checksum(),
        used_mem: state.used_memory(),
        aof_base,
        access,
        key_delay_us: c.rdb_key_save_delay(),
    }
}

/// Writes `dbs` to `temp`, fsyncs it, renames it to `path` and fsyncs the directory (Redis's rdbSave). Returns
/// the keys written, or why it failed as redis-server logs it; the temporary file is removed on failure.
/// `may_rename` is asked last: a background child whose server died answers no (see `child::orphaned`).
pub fn write_atomically(
    dbs: &[Db],
    now: i64,
    opts: &SaveOptions,
    temp: &Path,
    path: &Path,
    may_rename: impl Fn() -> bool,
) -> Result<u64, String> {
    let name = |p: &Path| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let root = || std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()).display().to_string();
    let mut file = std::fs::File::create(temp).map_err(|e| {
        format!(
            "Failed opening the temp RDB file {} (in server root dir {}) for saving: {}",
            name(temp),
            root(),
            strerror(&e)
        )
    })?;
    let written = (|| {
        let keys = write_rdb(dbs, now, opts, &mut file).map_err(|e| write_error(&e))?;
        file.sync_all().map_err(|e| write_error(&e))?;
        drop(file);
        if !may_rename() {
            return Err("Child failed reporting info to parent, exiting. Broken pipe".to_string());
        }
        std::fs::rename(temp, path).map_err(|e| {
            format!(
                "Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
                name(temp),
                name(path),
                root(),
                strerror(&e)
            )
        })?;
        Ok(keys)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    let keys = written?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("Failed to fsync directory while saving DB: {}", strerror(&e)))?;
    Ok(keys)
}

fn write_error(e: &std::io::Error) -> String {
    format!("Write error saving DB on disk: {}", strerror(e))
}

/// The system's text for an I/O error, as C's strerror gives it (without Rust's " (os error N)").
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// SAVE (and FLUSHALL, SHUTDOWN, DEBUG RELOAD): the file written now, on the event loop.
pub fn save(state: &mut State, shared: &Shared, now: i64) -> Result<(), ()> {
    let opts = save_options(state, false);
    let path = state.config.rdb_path();
    let temp = state.config.dir.join(format!("temp-{}.rdb", std::process::id()));
    match write_atomically(&state.dbs, now, &opts, &temp, &path, || true) {
        Ok(_) => {
            shared.log.notice("DB saved on disk");
            state.rdb.dirty_at_last_save = state.dirty;
            state.lastsave = now / 1000;
            state.rdb.last_bgsave_ok = true;
            Ok(())
        }
        Err(why) => {
            shared.log.warning(&why);
            Err(())
        }
    }
}

/// BGSAVE's answer.
pub enum Started {
    Started,
    Scheduled,
}

/// BGSAVE [SCHEDULE]: a child writes the file. While another child runs (an AOF rewrite) it is refused, or
/// with SCHEDULE (or inside MULTI / a script) started by the cron once it can.
pub fn bgsave(state: &mut State, shared: &Shared, now: i64, schedule: bool) -> Result<Started, CmdError> {
    if state.rdb.bgsave.is_some() {
        return Err(error::BGSAVE_IN_PROGRESS);
    }
    if state.aof.rewrite.is_some() || state.effects.in_unit() {
        if schedule || state.effects.in_unit() {
            state.rdb.scheduled = true;
            return Ok(Started::Scheduled);
        }
        return Err(error::BGSAVE_OTHER_CHILD);
    }
    start_bgsave(state, shared, now).map(|()| Started::Started).map_err(|()| error::SAVE_FAILED)
}

fn start_bgsave(state: &mut State, shared: &Shared, now: i64) -> Result<(), ()> {
    state.rdb.saves += 1;
    state.rdb.last_bgsave_try_ms = now;
    let opts = save_options(state, false);
    let (path, dir) = (state.config.rdb_path(), state.config.dir.clone());
    let log = ChildLog::new(&state.config.logfile, |level| shared.log.enabled(level));
    let dbs = &state.dbs;
    let forked = child::fork(|| {
        // In the child: Redis's child logs the outcome itself (role C), then the copy-on-write it cost.
        let temp = dir.join(format!("temp-{}.rdb", std::process::id()));
        match write_atomically(dbs, now, &opts, &temp, &path, || !child::orphaned()) {
            Ok(_) => {
                log.notice("DB saved on disk");
                let mb = child::private_dirty_bytes() >> 20;
                log.notice(&format!("Fork CoW for RDB: current {mb} MB, peak {mb} MB, average {mb} MB"));
                Ok(())
            }
            Err(why) => {
                log.warning(&why);
                Err(std::io::Error::other(why))
            }
        }
    });
    match forked {
        Ok(child) => {
            state.rdb.forks += 1;
            shared.log.notice(&format!("Background saving started by pid {}", child.pid));
            let temp = dir.join(format!("temp-{}.rdb", child.pid));
            state.rdb.bgsave = Some(Bgsave { child, temp, started_ms: now, dirty_at_fork: state.dirty });
            state.sync_child_active();
            Ok(())
        }
        Err(e) => {
            state.rdb.last_bgsave_ok = false;
            shared.log.warning(&format!("Can't save in background: fork: {e}"));
            Err(())
        }
    }
}

/// Stops a background save (SHUTDOWN, FLUSHALL) and removes its temporary file.
/// FLUSHALL's killRDBChild: the child is stopped with SIGUSR1 (not an error: the status stays), and reaped at
/// once, with the line and timing Redis's next cron would give it.
pub fn stop_bgsave_for_flush(state: &mut State, shared: &Shared, now: i64) {
    if let Some(bg) = state.rdb.bgsave.take() {
        bg.child.stop(libc::SIGUSR1);
        shared.log.warning(&format!("Background saving terminated by signal {}", libc::SIGUSR1));
        let _ = std::fs::remove_file(&bg.temp);
        state.rdb.last_bgsave_time_sec = (now - bg.started_ms).max(0) / 1000;
    }
}

pub fn kill_bgsave(state: &mut State) {
    if let Some(bg) = state.rdb.bgsave.take() {
        bg.child.kill();
        let _ = std::fs::remove_file(&bg.temp);
    }
}

/// The cron's part: reaps a finished background save, then (with no child running) starts a scheduled one
/// or one a save point asks for.
pub fn cron(state: &mut State, shared: &Shared, now: i64) {
    if let Some(bg) = &state.rdb.bgsave {
        let outcome = bg.child.poll();
        let (started, dirty_at_fork) = (bg.started_ms, bg.dirty_at_fork);
        match outcome {
            Outcome::Running => return,
            Outcome::Succeeded { cow_bytes } => {
                shared.log.notice("Background saving terminated with success");
                state.rdb.dirty_at_last_save = dirty_at_fork;
                state.lastsave = now / 1000;
                state.rdb.last_bgsave_ok = true;
                state.rdb.last_cow_bytes = cow_bytes;
            }
            Outcome::Failed { signal, .. } => {
                match signal {
                    Some(s) => shared.log.warning(&format!("Background saving terminated by signal {s}")),
                    None => shared.log.warning("Background saving error"),
                }
                // SIGUSR1 is how Redis stops a child on purpose: not an error.
                if signal != Some(libc::SIGUSR1) {
                    state.rdb.last_bgsave_ok = false;
                }
            }
        }
        if let Some(bg) = state.rdb.bgsave.take() {
            let _ = std::fs::remove_file(&bg.temp);
        }
        state.rdb.last_bgsave_time_sec = (now - started).max(0) / 1000;
    }
    if state.aof.rewrite.is_some() {
        return;
    }
    let may_retry =
        now / 1000 - state.rdb.last_bgsave_try_ms / 1000 > BGSAVE_RETRY_DELAY_SECS || state.rdb.last_bgsave_ok;
    if !may_retry {
        return;
    }
    let changes = state.dirty - state.rdb.dirty_at_last_save;
    let elapsed = now / 1000 - state.lastsave;
    let due = state.config.save.iter().find(|&&(secs, min)| changes >= min && elapsed > secs as i64).copied();
    if let Some((secs, min)) = due {
        shared.log.notice(&format!("{min} changes in {secs} seconds. Saving..."));
        let _ = start_bgsave(state, shared, now);
    } else if state.rdb.scheduled && start_bgsave(state, shared, now).is_ok() {
        state.rdb.scheduled = false;
    }
}
