//! Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF, and INFO's persistence section.

use super::{is, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use std::fmt::Write;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("save", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI, (0, 0, 0), save).group("server"),
    CommandSpec::new("bgsave", -1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, (0, 0, 0), bgsave).group("server"),
    CommandSpec::new("lastsave", 1, LOADING | STALE | FAST, (0, 0, 0), lastsave).group("server"),
    CommandSpec::new("bgrewriteaof", 1, ADMIN | NOSCRIPT | NO_ASYNC_LOADING, (0, 0, 0), bgrewriteaof).group("server"),
];

/// SAVE: the RDB file written now, while every other client waits (refused while a BGSAVE runs).
fn save(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    if ctx.state.rdb.bgsave.is_some() {
        return Err(error::BGSAVE_IN_PROGRESS);
    }
    ctx.state.rdb.saves += 1;
    crate::persistence::save::save(ctx.state, ctx.shared, ctx.now).map_err(|()| error::SAVE_FAILED)?;
    ctx.out.ok();
    Ok(())
}

/// BGSAVE [SCHEDULE].
fn bgsave(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let schedule = match argv {
        [_] => false,
        [_, opt] if is(opt, "schedule") => true,
        _ => return Err(CmdError::Syntax),
    };
    use crate::persistence::save::{bgsave, Started};
    match bgsave(ctx.state, ctx.shared, ctx.now, schedule)? {
        Started::Started => ctx.out.simple(b"Background saving started"),
        Started::Scheduled => ctx.out.simple(b"Background saving scheduled"),
    }
    Ok(())
}

fn lastsave(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(ctx.state.lastsave);
    Ok(())
}

fn bgrewriteaof(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    use crate::persistence::aof::{start_rewrite, Started};
    match start_rewrite(ctx.state, ctx.shared, ctx.now).map_err(CmdError::Coded)? {
        Started::Started => ctx.out.simple(b"Background append only file rewriting started"),
        Started::Scheduled => ctx.out.simple(b"Background append only file rewriting scheduled"),
    }
    Ok(())
}

/// INFO persistence: Redis 7.0's fields.
pub fn write_info(
    s: &mut String,
    st: &crate::engine::state::State,
    w: &crate::persistence::aof::writer::WriterInfo,
    now: i64,
) -> std::fmt::Result {
    let (aof, rdb) = (&st.aof, &st.rdb);
    let rewriting = aof.rewrite.as_ref();
    let saving = rdb.bgsave.as_ref();
    let status = |ok: bool| if ok { "ok" } else { "err" };
    let forking = rewriting.is_some() || saving.is_some();
    write!(
        s,
        "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n\
         current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n\
         current_save_keys_total:{}\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\n\
         rdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\n\
         rdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\nrdb_last_cow_size:{}\r\n\
         rdb_last_load_keys_expired:{}\r\nrdb_last_load_keys_loaded:{}\r\naof_enabled:{}\r\n\
         aof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\naof_last_rewrite_time_sec:{}\r\n\
         aof_current_rewrite_time_sec:{}\r\naof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\n\
         aof_rewrites_consecutive_failures:{}\r\naof_last_write_status:{}\r\naof_last_cow_size:{}\r\n\
         module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
        if forking { st.dbs.iter().map(|d| d.len() as u64).sum() } else { 0 },
        st.dirty - rdb.dirty_at_last_save,
        saving.is_some() as u8,
        st.lastsave,
        status(rdb.last_bgsave_ok),
        rdb.last_bgsave_time_sec,
        saving.map_or(-1, |b| (now - b.started_ms).max(0) / 1000),
        rdb.saves,
        rdb.last_cow_bytes,
        rdb.last_load_keys_expired,
        rdb.last_load_keys_loaded,
        w.enabled as u8,
        rewriting.is_some() as u8,
        aof.rewrite_scheduled as u8,
        aof.last_rewrite_time_sec,
        rewriting.map_or(-1, |r| (now - r.started_ms).max(0) / 1000),
        status(aof.last_rewrite_ok),
        aof.rewrites,
        aof.consecutive_failures,
        status(w.error.is_none()),
        aof.last_cow_bytes,
    )?;
    if w.enabled {
        write!(
            s,
            "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:0\r\naof_buffer_length:{}\r\n\
             aof_pending_bio_fsync:{}\r\naof_delayed_fsync:0\r\n",
            w.current_size, w.base_size, w.pending, w.fsync_running as u8
        )?;
    }
    Ok(())
}
