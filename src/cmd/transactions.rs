//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's multi.c).
//!
//! Queuing happens in the dispatcher (every command but these and QUIT/RESET is queued inside MULTI, and a
//! command refused by a gate dooms the transaction). EXEC runs the queue through the same `execute` as a
//! client's command, inside one dispatch and so under one lock: no other client runs in between.

use super::Args;
use crate::engine::dispatch::{execute, lookup};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::storage::Key;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("multi", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, (0, 0, 0), multi)
        .group("transactions"),
    CommandSpec::new("exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG | PROPAGATES_PARTS, (0, 0, 0), exec)
        .group("transactions"),
    CommandSpec::new("discard", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, (0, 0, 0), discard)
        .group("transactions"),
    CommandSpec::new("watch", -2, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, (1, -1, 1), watch)
        .group("transactions"),
    CommandSpec::new("unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, (0, 0, 0), unwatch)
        .group("transactions"),
];

fn multi(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    if ctx.client.multi.is_some() {
        return Err(error::MULTI_NESTED);
    }
    ctx.client.multi = Some(Vec::new());
    ctx.client.multi_aborted = false;
    ctx.client.multi_flags = 0;
    ctx.out.ok();
    Ok(())
}

/// Ends the transaction without running it.
pub fn discard_transaction(ctx: &mut Ctx) {
    ctx.client.discard_transaction(&mut ctx.state.dbs);
}

/// Forgets every key the client watches.
pub fn unwatch_all(ctx: &mut Ctx) {
    ctx.client.unwatch_all(&mut ctx.state.dbs);
}

/// Did something break the client's watch: a change to a watched key, or a watched key that was live when
/// watched and has since expired (even if nobody deleted it yet), as `isWatchedKeyExpired`?
fn watch_broken(ctx: &Ctx) -> bool {
    let id = ctx.client.id;
    ctx.client.watched.iter().any(|(db, key)| {
        let db = &ctx.state.dbs[*db];
        db.watch_broken(id) || (!db.watched_as_expired(key, id) && db.is_expired(key, ctx.now))
    })
}

fn exec(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let Some(queue) = ctx.client.multi.take() else {
        return Err(error::EXEC_WITHOUT_MULTI);
    };
    let aborted = std::mem::take(&mut ctx.client.multi_aborted);
    let broken = watch_broken(ctx);
    unwatch_all(ctx);
    if aborted {
        return Err(error::EXEC_ABORT);
    }
    if broken {
        ctx.out.null_array();
        return Ok(());
    }
    ctx.out.array(queue.len());
    ctx.client.in_exec = true;
    for argv in &queue {
        let args: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        // The gates ran when the command was queued; only the lookup is needed again.
        match lookup(&ctx.state.commands, &args) {
            Ok(cmd) => execute(ctx.state, ctx.shared, ctx.client, cmd, &args, ctx.out),
            Err(e) => ctx.out.error(&e),
        }
    }
    ctx.client.in_exec = false;
    Ok(())
}

fn discard(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    if ctx.client.multi.is_none() {
        return Err(error::DISCARD_WITHOUT_MULTI);
    }
    discard_transaction(ctx);
    ctx.out.ok();
    Ok(())
}

fn watch(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if ctx.client.multi.is_some() {
        return Err(error::WATCH_INSIDE_MULTI);
    }
    let (db, id, now) = (ctx.client.db, ctx.client.id, ctx.now);
    for key in &argv[1..] {
        if ctx.client.watched.iter().any(|(d, k)| *d == db && &k[..] == *key) {
            continue;
        }
        let expired = ctx.state.dbs[db].is_expired(key, now);
        ctx.state.dbs[db].watch(key, id, expired);
        ctx.client.watched.push((db, Key::from(*key)));
    }
    ctx.out.ok();
    Ok(())
}

fn unwatch(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    unwatch_all(ctx);
    ctx.out.ok();
    Ok(())
}
