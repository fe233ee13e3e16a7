//! Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and MONITOR (CLIENT is client.rs).

use super::keyspace::db_index;
use super::{arg_i64, is, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::pubsub::Mailbox;
use crate::REDIS_VERSION;
use std::sync::Arc;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST, (0, 0, 0), ping).group("connection"),
    CommandSpec::new("echo", 2, LOADING | STALE | FAST, (0, 0, 0), echo).group("connection"),
    CommandSpec::new("quit", -1, ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH, (0, 0, 0), quit)
        .group("connection"),
    CommandSpec::new("reset", 1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, (0, 0, 0), reset)
        .group("connection"),
    CommandSpec::new("hello", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, (0, 0, 0), hello)
        .group("connection"),
    CommandSpec::new("auth", -2, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, (0, 0, 0), auth)
        .group("connection"),
    CommandSpec::new("select", 2, LOADING | STALE | FAST, (0, 0, 0), select).group("connection"),
    CommandSpec::new("monitor", 1, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), monitor).group("server"),
];

fn ping(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    // A RESP2 subscriber's PING is answered in the shape of a message, so its reader can tell it apart.
    if ctx.client.subscriptions > 0 && !ctx.out.resp3 {
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(argv.get(1).copied().unwrap_or_default());
        return Ok(());
    }
    match argv {
        [_] => ctx.out.raw(b"+PONG\r\n"),
        [_, msg] => ctx.out.bulk(msg),
        _ => return Err(CmdError::arity("ping")),
    }
    Ok(())
}

fn echo(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ctx.out.bulk(argv[1]);
    Ok(())
}

fn quit(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.client.close_after_reply = true;
    ctx.out.ok();
    Ok(())
}

fn reset(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    super::transactions::discard_transaction(ctx);
    stop_monitoring(ctx);
    // Redis's clearClientConnectionState clears OFF and a pending SKIP, not a SKIP of this very command.
    ctx.client.reply.off = false;
    ctx.client.reply.skip_next = false;
    ctx.client.db = 0;
    ctx.out.resp3 = false;
    ctx.state.pubsub.remove_client(ctx.client.id);
    ctx.client.subscriptions = 0;
    if let Some(mailbox) = &ctx.client.mailbox {
        mailbox.set_resp3(false);
    }
    ctx.client.authenticated = ctx.state.config.requirepass.is_none();
    if let Some(info) = ctx.state.clients.get_mut(ctx.client.id) {
        info.name = None;
        info.no_evict = false;
        info.resp = 2;
    }
    ctx.out.simple(b"RESET");
    Ok(())
}

/// Checks credentials for the one user, `default`: any password when none is required, else `requirepass`.
fn password_ok(ctx: &Ctx, user: &[u8], pass: &[u8]) -> bool {
    crate::engine::client::credentials_ok(ctx.state.config.requirepass.as_deref(), user, pass)
}

fn auth(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (user, pass) = match argv {
        [_, pass] => {
            if ctx.state.config.requirepass.is_none() {
                return Err(CmdError::AuthNotConfigured);
            }
            (&b"default"[..], *pass)
        }
        [_, user, pass] => (*user, *pass),
        _ => return Err(CmdError::Syntax),
    };
    if !password_ok(ctx, user, pass) {
        return Err(CmdError::WrongPass);
    }
    ctx.client.authenticated = true;
    ctx.out.ok();
    Ok(())
}

/// Client names and library attributes: printable ASCII without spaces.
pub(crate) fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}

fn hello(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let mut version = None;
    let mut i = 1;
    if argv.len() >= 2 {
        let v = arg_i64(argv[1]).map_err(|_| CmdError::ProtoVersionNotInteger)?;
        if !(2..=3).contains(&v) {
            return Err(CmdError::NoProto);
        }
        version = Some(v);
        i = 2;
    }
    let (mut credentials, mut name) = (None, None);
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(argv[i], "auth") && more >= 2 {
            credentials = Some((argv[i + 1], argv[i + 2]));
            i += 3;
        } else if is(argv[i], "setname") && more >= 1 {
            if !valid_name(argv[i + 1]) {
                return Err(CmdError::ClientNameInvalid);
            }
            name = Some(argv[i + 1]);
            i += 2;
        } else {
            return Err(CmdError::HelloSyntax(argv[i].to_vec()));
        }
    }
    if let Some((user, pass)) = credentials {
        if !password_ok(ctx, user, pass) {
            return Err(CmdError::WrongPass);
        }
        ctx.client.authenticated = true;
    }
    if !ctx.client.authenticated && ctx.state.config.requirepass.is_some() {
        return Err(CmdError::HelloNoAuth);
    }
    ctx.client.authenticated = true;
    if let Some(info) = ctx.state.clients.get_mut(ctx.client.id) {
        if let Some(name) = name {
            info.name = (!name.is_empty()).then(|| name.to_vec());
        }
        if let Some(v) = version {
            info.resp = v as u8;
        }
    }
    if let Some(v) = version {
        ctx.out.resp3 = v == 3;
        if let Some(mailbox) = &ctx.client.mailbox {
            mailbox.set_resp3(v == 3);
        }
    }
    let out = &mut *ctx.out;
    out.map(7);
    for (k, v) in [("server", "redis"), ("version", REDIS_VERSION)] {
        out.bulk(k.as_bytes());
        out.bulk(v.as_bytes());
    }
    out.bulk(b"proto");
    out.int(if out.resp3 { 3 } else { 2 });
    out.bulk(b"id");
    out.int(ctx.client.id as i64);
    for (k, v) in [("mode", "standalone"), ("role", "master")] {
        out.bulk(k.as_bytes());
        out.bulk(v.as_bytes());
    }
    out.bulk(b"modules");
    out.array(0);
    Ok(())
}

fn select(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ctx.client.db = db_index(ctx, argv[1])?;
    ctx.out.ok();
    Ok(())
}

/// MONITOR: from now on the client's mailbox receives a line for every command run (observe.rs formats them).
fn monitor(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    // Run by EXEC (the command dispatched last): Redis refuses it to a client expecting one reply per command.
    if ctx.client.last_cmd == "exec" {
        return Err(error::MONITOR_DENY_BLOCKING);
    }
    if ctx.client.monitor {
        // Already monitoring: Redis ignores the command, without a reply.
        return Ok(());
    }
    ctx.client.monitor = true;
    if !ctx.client.reply.off {
        start_feed(ctx);
    }
    ctx.out.ok();
    Ok(())
}

/// Adds the client's mailbox to the monitors fed (once monitoring, while its replies are on).
pub(super) fn start_feed(ctx: &mut Ctx) {
    let resp3 = ctx.out.resp3;
    let mailbox = ctx.client.mailbox.get_or_insert_with(|| Arc::new(Mailbox::new(resp3))).clone();
    let id = ctx.client.id;
    if !ctx.state.observe.monitors.iter().any(|(m, _)| *m == id) {
        ctx.state.observe.monitors.push((id, mailbox));
    }
}

/// Stops feeding the client's mailbox (CLIENT REPLY OFF drops what a monitor would be sent, as in Redis).
pub(super) fn stop_feed(ctx: &mut Ctx) {
    let id = ctx.client.id;
    ctx.state.observe.monitors.retain(|(m, _)| *m != id);
}

/// RESET ends MONITOR mode.
fn stop_monitoring(ctx: &mut Ctx) {
    ctx.client.monitor = false;
    stop_feed(ctx);
}
