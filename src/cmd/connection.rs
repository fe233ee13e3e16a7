//! Connection commands: PING, ECHO, QUIT, RESET, HELLO, AUTH, SELECT and CLIENT.

use super::keyspace::db_index;
use super::{arg_i64, is, reply_help, Args};
use crate::command::flags::*;
use crate::command::{CommandSpec, Ctx};
use crate::error::CmdError;
use crate::server::client::ClientInfo;

/// The version clients see: embedis answers as the Redis release whose behaviour it matches.
pub const REDIS_VERSION: &str = "7.0.15";

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
    CommandSpec::container("client", CLIENT),
];

const CLIENT: &[CommandSpec] = &[
    CommandSpec::new("client|id", 2, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_id).group("connection"),
    CommandSpec::new("client|setname", 3, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_setname).group("connection"),
    CommandSpec::new("client|getname", 2, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_getname).group("connection"),
    CommandSpec::new("client|setinfo", 4, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_setinfo).group("connection"),
    CommandSpec::new("client|list", -2, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_list).group("connection"),
    CommandSpec::new("client|info", 2, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_info).group("connection"),
    CommandSpec::new("client|kill", -3, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_kill).group("connection"),
    CommandSpec::new("client|no-evict", 3, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_no_evict)
        .group("connection"),
    CommandSpec::new("client|help", 2, LOADING | STALE, (0, 0, 0), client_help).group("connection"),
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
    user == b"default"
        && match &ctx.state.config.requirepass {
            None => true,
            Some(expected) => constant_time_eq(expected, pass),
        }
}

/// Compares without an early exit, so the time taken does not tell how many leading bytes matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
fn valid_name(name: &[u8]) -> bool {
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

fn client_id(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(ctx.client.id as i64);
    Ok(())
}

fn client_setname(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if !valid_name(argv[2]) {
        return Err(CmdError::ClientNameInvalid);
    }
    if let Some(info) = ctx.state.clients.get_mut(ctx.client.id) {
        info.name = (!argv[2].is_empty()).then(|| argv[2].to_vec());
    }
    ctx.out.ok();
    Ok(())
}

fn client_getname(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    match ctx.state.clients.get(ctx.client.id).and_then(|c| c.name.as_deref()) {
        Some(name) => ctx.out.bulk(name),
        None => ctx.out.null(),
    }
    Ok(())
}

/// CLIENT SETINFO (Redis 7.2; clients such as go-redis v9 and redis-py 5 send it on connect).
fn client_setinfo(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (attr, value) = (argv[2], argv[3]);
    let lib_name = is(attr, "lib-name");
    if !lib_name && !is(attr, "lib-ver") {
        return Err(CmdError::UnrecognizedOption(attr.to_vec()));
    }
    if !valid_name(value) {
        return Err(CmdError::ClientSetinfoInvalid(if lib_name { "lib-name" } else { "lib-ver" }));
    }
    if let Some(info) = ctx.state.clients.get_mut(ctx.client.id) {
        let slot = if lib_name { &mut info.lib_name } else { &mut info.lib_ver };
        *slot = (!value.is_empty()).then(|| value.to_vec());
    }
    ctx.out.ok();
    Ok(())
}

/// One CLIENT LIST line, with Redis 7.0's fields (buffer sizes are ours, the names and order are Redis's).
fn client_line(c: &ClientInfo, pubsub: &crate::pubsub::PubSub, now: i64, out: &mut Vec<u8>) {
    use std::io::Write;
    let name = String::from_utf8_lossy(c.name.as_deref().unwrap_or_default());
    let (sub, psub, ssub) = pubsub.counts(c.id);
    let mut flags = String::new();
    if sub + psub + ssub > 0 {
        flags.push('P');
    }
    if c.no_evict {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi=-1 \
         qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={} tot-mem=0 events=r cmd={} \
         user=default redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        name,
        (now - c.created_ms).max(0) / 1000,
        (now - c.last_interaction_ms).max(0) / 1000,
        flags,
        c.db,
        sub,
        psub,
        ssub,
        pubsub.unsent(c.id),
        c.last_cmd,
        c.resp,
    );
    if c.lib_name.is_some() || c.lib_ver.is_some() {
        let _ = write!(
            out,
            " lib-name={} lib-ver={}",
            String::from_utf8_lossy(c.lib_name.as_deref().unwrap_or_default()),
            String::from_utf8_lossy(c.lib_ver.as_deref().unwrap_or_default())
        );
    }
    out.push(b'\n');
}

/// Brings the registry's copy of this client up to date before it is shown.
fn sync_self(ctx: &mut Ctx) {
    let (id, db, cmd, now) = (ctx.client.id, ctx.client.db, ctx.client.last_cmd, ctx.now);
    if let Some(info) = ctx.state.clients.get_mut(id) {
        info.db = db;
        info.last_cmd = cmd;
        info.last_interaction_ms = now;
    }
}

fn client_list(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let mut ids: Option<Vec<u64>> = None;
    match &argv[2..] {
        [] => {}
        [t, kind] if is(t, "type") => {
            if !["normal", "master", "replica", "slave", "pubsub"].iter().any(|k| is(kind, k)) {
                return Err(CmdError::UnknownClientType(kind.to_vec()));
            }
            if !is(kind, "normal") {
                ids = Some(Vec::new());
            }
        }
        [t, rest @ ..] if is(t, "id") && !rest.is_empty() => {
            let mut v = Vec::new();
            for id in rest {
                match arg_i64(id) {
                    Ok(n) if n > 0 => v.push(n as u64),
                    _ => return Err(CmdError::InvalidClientId),
                }
            }
            ids = Some(v);
        }
        _ => return Err(CmdError::Syntax),
    }
    sync_self(ctx);
    let mut text = Vec::new();
    for c in ctx.state.clients.iter() {
        if ids.as_ref().map_or(true, |ids| ids.contains(&c.id)) {
            client_line(c, &ctx.state.pubsub, ctx.now, &mut text);
        }
    }
    ctx.out.verbatim(&text);
    Ok(())
}

fn client_info(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    sync_self(ctx);
    let mut text = Vec::new();
    if let Some(c) = ctx.state.clients.get(ctx.client.id) {
        client_line(c, &ctx.state.pubsub, ctx.now, &mut text);
    }
    ctx.out.verbatim(&text);
    Ok(())
}

fn client_kill(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    // Old form: CLIENT KILL addr -> OK or an error.
    if argv.len() == 3 {
        let id = ctx.state.clients.iter().find(|c| c.addr.as_bytes() == argv[2]).map(|c| c.id);
        let Some(id) = id else {
            return Err(CmdError::NoSuchClient);
        };
        kill_one(ctx, id);
        ctx.out.ok();
        return Ok(());
    }
    // New form: filters, the count of killed clients.
    let (mut id, mut addr, mut laddr, mut skipme) = (None, None, None, true);
    let mut normal_type = true;
    let mut i = 2;
    while i < argv.len() {
        let Some(value) = argv.get(i + 1) else {
            return Err(CmdError::Syntax);
        };
        match () {
            _ if is(argv[i], "id") => match arg_i64(value) {
                Ok(n) if n > 0 => id = Some(n as u64),
                _ => return Err(CmdError::ClientIdNotPositive),
            },
            _ if is(argv[i], "addr") => addr = Some(*value),
            _ if is(argv[i], "laddr") => laddr = Some(*value),
            _ if is(argv[i], "type") => {
                if !["normal", "master", "replica", "slave", "pubsub"].iter().any(|k| is(value, k)) {
                    return Err(CmdError::UnknownClientType(value.to_vec()));
                }
                normal_type = is(value, "normal");
            }
            _ if is(argv[i], "user") => {
                if *value != b"default" {
                    return Err(CmdError::NoSuchUser(value.to_vec()));
                }
            }
            _ if is(argv[i], "skipme") => {
                skipme = match () {
                    _ if is(value, "yes") => true,
                    _ if is(value, "no") => false,
                    _ => return Err(CmdError::Syntax),
                }
            }
            _ => return Err(CmdError::Syntax),
        }
        i += 2;
    }
    let me = ctx.client.id;
    let victims: Vec<u64> = ctx
        .state
        .clients
        .iter()
        .filter(|_| normal_type)
        .filter(|c| id.map_or(true, |id| c.id == id))
        .filter(|c| addr.map_or(true, |a| c.addr.as_bytes() == a))
        .filter(|c| laddr.map_or(true, |a| c.laddr.as_bytes() == a))
        .filter(|c| !(skipme && c.id == me))
        .map(|c| c.id)
        .collect();
    for &v in &victims {
        kill_one(ctx, v);
    }
    ctx.out.int(victims.len() as i64);
    Ok(())
}

/// Closes a client: this one after its reply, another one at once.
fn kill_one(ctx: &mut Ctx, id: u64) {
    if id == ctx.client.id {
        ctx.client.close_after_reply = true;
    } else {
        ctx.state.clients.kill(id);
    }
}

fn client_no_evict(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let on = match () {
        _ if is(argv[2], "on") => true,
        _ if is(argv[2], "off") => false,
        _ => return Err(CmdError::Syntax),
    };
    if let Some(info) = ctx.state.clients.get_mut(ctx.client.id) {
        info.no_evict = on;
    }
    ctx.out.ok();
    Ok(())
}

fn client_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    );
    Ok(())
}
