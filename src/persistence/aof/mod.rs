//! The append-only file (Redis 7.0's multi-part AOF): a directory holding a manifest, one base file and
//! incremental files of RESP commands. This module ties the parts together: loading at startup, turning the
//! AOF on and off at runtime, rewrites (BGREWRITEAOF and automatic), and what INFO persistence reports.
//! The effects stream (`persistence::effects`) is what gets written; `writer` writes it.

pub mod dir;
pub mod load;
pub mod manifest;
pub mod parse;
pub mod rewrite;
pub mod snapshot;
pub mod state;
pub mod writer;

use crate::engine::state::{Shared, State};
use crate::persistence::child::Outcome;
use dir::AofDir;
use manifest::{base_name, FileKind};
use rewrite::{BaseFormat, Rewrite};

/// Startup with `appendonly yes`: loads the directory (or migrates a Redis 6 single file, or creates a fresh
/// one), then appends from here on.
pub fn open_at_startup(shared: &Shared) -> Result<(), String> {
    let mut guard = shared.state.lock();
    let state = &mut *guard;
    if !state.config.appendonly {
        return Ok(());
    }
    let mut dir = AofDir::new(&state.config);
    std::fs::create_dir_all(&dir.path)
        .map_err(|e| format!("Can't open or create append-only dir {}: {e}", dir.path.display()))?;
    remove_temporary_files(&dir);
    let started = std::time::Instant::now();
    if dir.read_manifest()? {
        let _ = dir.delete_history();
        let loaded = load::load_dir(state, shared, &dir)?;
        shared.log.notice(&format!(
            "DB loaded from append only file: {:.3} seconds ({} commands)",
            started.elapsed().as_secs_f64(),
            loaded.commands
        ));
    } else if migrate_single_file(&mut dir, state).map_err(|e| e.to_string())? {
        let loaded = load::load_dir(state, shared, &dir)?;
        shared.log.notice(&format!(
            "Successfully migrated an old-style AOF into the AOF directory ({} commands)",
            loaded.commands
        ));
    } else {
        let format = base_format(state);
        let name = base_name(&dir.prefix, 1, matches!(format, BaseFormat::Rdb(_)));
        // Redis writes this base as a rewrite of the empty dataset: an RDB file with no keys, or commands
        // (nothing, or just a timestamp annotation).
        if let BaseFormat::Commands { timestamp: true } = format {
            state.effects.annotated_at(shared.clock.now_ms() / 1000);
        }
        rewrite::write_base(&[], shared.clock.now_ms(), &format, &dir.file_path(&name)).map_err(|e| e.to_string())?;
        dir.manifest.base = Some(manifest::AofFile { name: name.clone(), seq: 1, kind: FileKind::Base });
        shared.log.notice(&format!("Creating AOF base file {name} on server start"));
    }
    let file = match dir.manifest.incrs.last() {
        Some(last) => dir.open_for_append(&last.name.clone()),
        None => {
            let file = dir.new_incr(true);
            if let Some(f) = dir.manifest.incrs.last() {
                shared.log.notice(&format!("Creating AOF incr file {} on server start", f.name));
            }
            file
        }
    }
    .map_err(|e| format!("Can't open the append-only file: {e}"))?;
    dir.persist_manifest().map_err(|e| e.to_string())?;
    let sizes = dir.sizes();
    shared.aof.enable(file, state.config.appendfsync, sizes, shared.clock.now_ms());
    state.aof.rewrite_base_size = sizes.0;
    state.aof.dir = Some(dir);
    state.effects.enabled = true;
    state.effects.reset_selected();
    Ok(())
}

/// How a base is written now: as RDB with `aof-use-rdb-preamble yes` (the default), else as commands.
fn base_format(state: &State) -> BaseFormat {
    if state.config.aof_use_rdb_preamble() {
        BaseFormat::Rdb(crate::persistence::save::save_options(state, true))
    } else {
        BaseFormat::Commands { timestamp: state.config.aof_timestamp_enabled }
    }
}

/// A rewrite or manifest update that a crash interrupted leaves `temp-*` files: nothing reads them.
fn remove_temporary_files(dir: &AofDir) {
    let Ok(entries) = std::fs::read_dir(&dir.path) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("temp-") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Redis 6 kept the AOF in one file, `<dir>/<appendfilename>`: it becomes the base of a new directory.
fn migrate_single_file(dir: &mut AofDir, state: &State) -> std::io::Result<bool> {
    let old = state.config.dir.join(&dir.prefix);
    if !old.is_file() {
        return Ok(false);
    }
    let name = base_name(&dir.prefix, 1, false);
    std::fs::rename(&old, dir.file_path(&name))?;
    dir.manifest.base = Some(manifest::AofFile { name, seq: 1, kind: FileKind::Base });
    dir.persist_manifest()?;
    Ok(true)
}

/// BGREWRITEAOF's answer.
pub enum Started {
    Started,
    Scheduled,
}

/// Starts a rewrite: new writes go to a fresh incremental file, and a child writes the keyspace as the new base.
pub fn start_rewrite(state: &mut State, shared: &Shared, now: i64) -> Result<Started, String> {
    if state.aof.rewrite.is_some() {
        return Err(crate::error::AOF_REWRITE_IN_PROGRESS.into());
    }
    if state.effects.in_unit() || state.rdb.bgsave.is_some() {
        // Inside EXEC or a script the effects of the unit are still being gathered, and one child at a time
        // writes the dataset: start after them.
        state.aof.rewrite_scheduled = true;
        return Ok(Started::Scheduled);
    }
    let on = shared.aof.enabled();
    if state.aof.dir.is_none() {
        // A rewrite with the AOF off still writes a base (and the manifest naming only it), as Redis does.
        let mut dir = AofDir::new(&state.config);
        std::fs::create_dir_all(&dir.path).map_err(|e| e.to_string())?;
        let _ = dir.read_manifest();
        state.aof.dir = Some(dir);
    }
    let Some(dir) = state.aof.dir.as_mut() else { return Err(crate::error::AOF_NO_DIRECTORY.into()) };
    let first_kept_incr = if on {
        // What earlier batches appended goes to the old file, which the new base will replace.
        state.effects.publish();
        let file = dir.new_incr(!state.aof.waiting_first_base).map_err(|e| e.to_string())?;
        shared.aof.switch_file(file).map_err(|e| e.to_string())?;
        state.effects.reset_selected();
        dir.manifest.incrs.last().map_or(u64::MAX, |f| f.seq)
    } else {
        u64::MAX
    };
    let temp = dir.path.join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
    let format = base_format(state);
    let rdb = matches!(format, BaseFormat::Rdb(_));
    let child = rewrite::fork_writer(&state.dbs, now, &format, &temp).map_err(crate::error::aof_rewrite_fork_failed)?;
    shared.log.notice(&format!("Background append only file rewriting started by pid {}", child.pid));
    state.aof.rewrite = Some(Rewrite { child, temp, rdb, first_kept_incr, started_ms: now });
    state.sync_child_active();
    state.aof.rewrite_scheduled = false;
    Ok(Started::Started)
}

/// The cron's part: reaps a finished rewrite and installs its base, starts scheduled and automatic rewrites,
/// and drives the writer's background fsync and retries.
pub fn cron(state: &mut State, shared: &Shared, now: i64) {
    shared.aof.tick(now);
    if let Some(rw) = &state.aof.rewrite {
        match rw.child.poll() {
            Outcome::Running => return,
            Outcome::Succeeded { cow_bytes } => {
                state.aof.last_cow_bytes = cow_bytes;
                finish_rewrite(state, shared, now)
            }
            Outcome::Failed { why, .. } => {
                shared.log.warning(&format!("Background AOF rewrite failed: {why}"));
                if let Some(rw) = state.aof.rewrite.take() {
                    let _ = std::fs::remove_file(&rw.temp);
                }
                note_rewrite(state, false, now);
            }
        }
    }
    if state.rdb.bgsave.is_some() {
        return;
    }
    if state.aof.rewrite_scheduled || (state.aof.waiting_first_base && state.aof.rewrite.is_none()) {
        let _ = start_rewrite(state, shared, now);
        return;
    }
    let info = shared.aof.info();
    let (perc, min) = (state.config.auto_aof_rewrite_percentage, state.config.auto_aof_rewrite_min_size);
    let base = state.aof.rewrite_base_size.max(1);
    if info.enabled && perc > 0 && info.current_size > min {
        let growth = (info.current_size.saturating_sub(base)) * 100 / base;
        if growth >= perc {
            shared.log.notice(&format!("Starting automatic rewriting of AOF on {growth}% growth"));
            let _ = start_rewrite(state, shared, now);
        }
    }
}

fn finish_rewrite(state: &mut State, shared: &Shared, now: i64) {
    let (Some(rw), Some(dir)) = (state.aof.rewrite.take(), state.aof.dir.as_mut()) else { return };
    match dir.install_base(&rw.temp, rw.first_kept_incr, rw.rdb) {
        Ok(()) => {
            let (current, base) = dir.sizes();
            shared.aof.set_sizes(current, base);
            state.aof.rewrite_base_size = current;
            state.aof.waiting_first_base = false;
            if !shared.aof.enabled() {
                // A rewrite of an off AOF leaves nothing open.
                state.aof.dir = None;
            }
            shared.log.notice("Background AOF rewrite terminated with success");
            shared.log.notice("Background AOF rewrite finished successfully");
            note_rewrite(state, true, now);
        }
        Err(e) => {
            shared.log.warning(&format!("Error trying to rename the temporary AOF base file: {e}"));
            let _ = std::fs::remove_file(&rw.temp);
            note_rewrite(state, false, now);
        }
    }
}

fn note_rewrite(state: &mut State, ok: bool, now: i64) {
    let started = state.aof.rewrite.as_ref().map_or(now, |r| r.started_ms);
    state.aof.last_rewrite_ok = ok;
    state.aof.last_rewrite_time_sec = (now - started).max(0) / 1000;
    state.aof.rewrites += ok as u64;
    state.aof.consecutive_failures = if ok { 0 } else { state.aof.consecutive_failures + 1 };
}

/// CONFIG SET appendonly yes: new writes are appended from now on, and a rewrite writes the full base first.
pub fn enable_at_runtime(state: &mut State, shared: &Shared, now: i64) -> Result<(), String> {
    if shared.aof.enabled() {
        return Ok(());
    }
    let mut dir = AofDir::new(&state.config);
    std::fs::create_dir_all(&dir.path).map_err(|e| e.to_string())?;
    // An earlier directory's files become history once the new base is in place.
    let _ = dir.read_manifest();
    let file = dir.new_incr(false).map_err(|e| e.to_string())?;
    shared.aof.enable(file, state.config.appendfsync, dir.sizes(), now);
    state.aof.dir = Some(dir);
    state.aof.waiting_first_base = true;
    state.effects.enabled = true;
    state.effects.reset_selected();
    if let Some(rw) = state.aof.rewrite.take() {
        rewrite::kill(&rw);
    }
    start_rewrite(state, shared, now).map(|_| ())
}

/// CONFIG SET appendonly no (and shutdown): what is pending is written and fsynced, then nothing more.
pub fn disable(state: &mut State, shared: &Shared) {
    if let Some(rw) = state.aof.rewrite.take() {
        rewrite::kill(&rw);
    }
    state.effects.publish();
    if let Err(e) = shared.aof.disable() {
        shared.log.warning(&format!("Error flushing the AOF before stopping it: {e}"));
    }
    state.effects.enabled = false;
    state.effects.buf.clear();
    state.aof.dir = None;
    state.aof.waiting_first_base = false;
}

/// SHUTDOWN, SIGTERM, SIGINT: the AOF is flushed and fsynced before the process exits.
pub fn shutdown(state: &mut State, shared: &Shared) {
    if shared.aof.enabled() && !state.aof.flushed_for_shutdown {
        shared.log.notice("Calling fsync() on the AOF file.");
    }
    disable(state, shared);
}
