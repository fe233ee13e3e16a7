//! CLIENT and its subcommands: the registry of connections as commands see it (LIST, INFO, KILL), a
//! connection's own settings (SETNAME, REPLY, NO-EVICT, TRACKING) and CLIENT PAUSE.

use super::connection::{start_feed, stop_feed, valid_name};
use super::{arg_i64, is, reply_help, Args};
use crate::engine::client::{Client, ClientInfo, LiveInfo};
use crate::engine::flags::*;
use crate::engine::state::State;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::number::parse_i64;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::container("client", CLIENT)];

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
    CommandSpec::new("client|pause", -3, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_pause)
        .group("connection"),
    CommandSpec::new("client|unpause", 2, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_unpause)
        .group("connection"),
    CommandSpec::new("client|reply", 3, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_reply).group("connection"),
    CommandSpec::new("client|unblock", -3, ADMIN | NOSCRIPT | LOADING | STALE, (0, 0, 0), client_unblock)
        .group("connection"),
    CommandSpec::new("client|tracking", -3, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_tracking).group("connection"),
    CommandSpec::new("client|caching", 3, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_caching).group("connection"),
    CommandSpec::new("client|getredir", 2, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_getredir).group("connection"),
    CommandSpec::new("client|trackinginfo", 2, NOSCRIPT | LOADING | STALE, (0, 0, 0), client_trackinginfo)
        .group("connection"),
    CommandSpec::new("client|help", 2, LOADING | STALE, (0, 0, 0), client_help).group("connection"),
];

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

/// CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as in Redis.
fn client_pause(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() > 4 {
        return Err(CmdError::UnknownSubcommandOrArity { sub: argv[1].to_vec(), command: "client" });
    }
    let all = match argv.get(3) {
        None => true,
        Some(mode) if is(mode, "write") => false,
        Some(mode) if is(mode, "all") => true,
        Some(_) => return Err(error::CLIENT_PAUSE_MODE),
    };
    let ms = parse_i64(argv[2]).ok_or(error::CLIENT_TIMEOUT_NOT_INTEGER)?;
    if ms < 0 {
        return Err(error::CLIENT_TIMEOUT_NEGATIVE);
    }
    // Redis adds without an overflow check: a huge timeout wraps to the past and pauses nothing.
    let until = if ms > 0 { ctx.now.wrapping_add(ms) } else { 0 };
    let now = ctx.now;
    ctx.state.clients.pause.pause(until, all, now);
    ctx.out.ok();
    Ok(())
}

fn client_unpause(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.state.clients.pause.unpause();
    ctx.out.ok();
    Ok(())
}

/// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing; the connection drops the replies (connection.rs).
fn client_reply(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let reply = &mut ctx.client.reply;
    match () {
        _ if is(argv[2], "on") => {
            // Cleared before the reply is written, so ON is answered even after OFF or SKIP.
            reply.off = false;
            reply.skip = false;
            if ctx.client.monitor {
                start_feed(ctx);
            }
            ctx.out.ok();
        }
        _ if is(argv[2], "off") => {
            reply.off = true;
            if ctx.client.monitor {
                stop_feed(ctx);
            }
        }
        _ if is(argv[2], "skip") => {
            if !reply.off {
                reply.skip_next = true;
            }
        }
        _ => return Err(CmdError::Syntax),
    }
    Ok(())
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: there are no blocking commands here; a client held by CLIENT PAUSE counts
/// as blocked (as Redis's postponed clients), and goes on waiting for the pause, as it would there.
fn client_unblock(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() > 4 {
        return Err(CmdError::UnknownSubcommandOrArity { sub: argv[1].to_vec(), command: "client" });
    }
    if let Some(reason) = argv.get(3) {
        if !is(reason, "timeout") && !is(reason, "error") {
            return Err(error::CLIENT_UNBLOCK_REASON);
        }
    }
    let id = arg_i64(argv[2])?;
    let blocked = u64::try_from(id).ok().and_then(|id| ctx.state.clients.get(id)).is_some_and(|c| c.live.blocked);
    ctx.out.int(blocked as i64);
    Ok(())
}

/// CLIENT TRACKING on|off [options]: the options are checked as Redis checks them, then ON is refused (client-side
/// caching is not implemented) and OFF, which tracking always is, succeeds.
fn client_tracking(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (mut redirect, mut bcast, mut optin, mut optout, mut prefixes) = (false, false, false, false, 0);
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        match () {
            _ if is(argv[j], "redirect") && more => {
                j += 1;
                if redirect {
                    return Err(error::TRACKING_ONE_REDIRECT);
                }
                redirect = true;
                let id = arg_i64(argv[j])?;
                if u64::try_from(id).ok().and_then(|id| ctx.state.clients.get(id)).is_none() {
                    return Err(error::TRACKING_REDIRECT_MISSING);
                }
            }
            _ if is(argv[j], "bcast") => bcast = true,
            _ if is(argv[j], "optin") => optin = true,
            _ if is(argv[j], "optout") => optout = true,
            _ if is(argv[j], "noloop") => {}
            _ if is(argv[j], "prefix") && more => {
                j += 1;
                prefixes += 1;
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 1;
    }
    if is(argv[2], "on") {
        if !bcast && prefixes > 0 {
            return Err(error::TRACKING_PREFIX_NEEDS_BCAST);
        }
        if bcast && (optin || optout) {
            return Err(error::TRACKING_BCAST_OPTIN);
        }
        if optin && optout {
            return Err(error::TRACKING_OPTIN_OPTOUT);
        }
        return Err(error::TRACKING_UNSUPPORTED);
    }
    if !is(argv[2], "off") {
        return Err(CmdError::Syntax);
    }
    ctx.out.ok();
    Ok(())
}

/// Tracking is never on, so CLIENT CACHING gets Redis's error for a client that does not track.
fn client_caching(_ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    Err(error::TRACKING_CACHING_OFF)
}

fn client_getredir(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(-1);
    Ok(())
}

/// What Redis answers for a client that does not track.
fn client_trackinginfo(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let out = &mut *ctx.out;
    out.map(3);
    out.bulk(b"flags");
    out.set(1);
    out.bulk(b"off");
    out.bulk(b"redirect");
    out.int(-1);
    out.bulk(b"prefixes");
    out.array(0);
    Ok(())
}

/// Client types, as CLIENT LIST TYPE and CLIENT KILL TYPE name them. Monitors count as normal clients (as in
/// Redis); there are no masters or replicas.
#[derive(Clone, Copy, PartialEq)]
enum ClientType {
    Normal,
    Pubsub,
    Replica,
    Master,
}

fn client_type_named(name: &[u8]) -> Result<ClientType, CmdError> {
    match () {
        _ if is(name, "normal") => Ok(ClientType::Normal),
        _ if is(name, "slave") || is(name, "replica") => Ok(ClientType::Replica),
        _ if is(name, "pubsub") => Ok(ClientType::Pubsub),
        _ if is(name, "master") => Ok(ClientType::Master),
        _ => Err(CmdError::UnknownClientType(name.to_vec())),
    }
}

fn client_type(state: &State, c: &ClientInfo) -> ClientType {
    let (sub, psub, ssub) = state.pubsub.counts(c.id);
    if sub + psub + ssub > 0 {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

/// What only the calling client's handler knows of its own line: its arguments' bytes (`argv-mem`) and the
/// replies of earlier commands waiting in its buffer (`obl`).
#[derive(Clone, Copy)]
struct Caller {
    id: u64,
    argv_mem: usize,
    obl: usize,
}

impl Caller {
    fn of(ctx: &Ctx, argv: Args) -> Caller {
        Caller { id: ctx.client.id, argv_mem: argv.iter().map(|a| a.len()).sum(), obl: ctx.out.buf.len() }
    }
}

/// One CLIENT LIST line, with Redis 7.0's fields in its order and its flag letters (O monitor, P subscriber,
/// x in MULTI, b held by CLIENT PAUSE, d a watched key changed, U unix socket, e no-evict; N none). Buffer sizes
/// are ours; `tot-mem` adds up what this connection holds.
fn client_line(state: &State, c: &ClientInfo, now: i64, caller: Option<Caller>, out: &mut Vec<u8>) {
    use std::io::Write;
    let live = &c.live;
    let name = String::from_utf8_lossy(c.name.as_deref().unwrap_or_default());
    let (sub, psub, ssub) = state.pubsub.counts(c.id);
    let mut flags = String::new();
    for (on, letter) in [
        (live.monitor, 'O'),
        (sub + psub + ssub > 0, 'P'),
        (live.multi.is_some(), 'x'),
        (live.blocked, 'b'),
        (state.dbs.iter().any(|db| db.watch_broken(c.id)), 'd'),
        (c.unix, 'U'),
        (c.no_evict, 'e'),
    ] {
        if on {
            flags.push(letter);
        }
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let monitor_unsent = state.observe.monitors.iter().find(|(id, _)| *id == c.id).map_or(0, |(_, m)| m.unsent());
    // A client that both subscribes and monitors has one mailbox: count it once.
    let omem = state.pubsub.unsent(c.id).max(monitor_unsent);
    let (argv_mem, obl) = caller.filter(|me| me.id == c.id).map_or((0, 0), |me| (me.argv_mem, me.obl));
    let tot_mem = live.qbuf + live.qbuf_free + live.rbs + omem + argv_mem + live.multi_mem + CLIENT_STRUCT_BYTES;
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll=0 omem={} tot-mem={} events=r \
         cmd={} user=default redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        name,
        // Whole seconds of the clock, as Redis subtracts unix times.
        now / 1000 - c.created_ms / 1000,
        now / 1000 - c.last_interaction_ms / 1000,
        flags,
        c.db,
        sub,
        psub,
        ssub,
        live.multi.map_or(-1, |n| n as i64),
        live.qbuf,
        live.qbuf_free,
        argv_mem,
        live.multi_mem,
        live.rbs,
        live.rbp,
        obl,
        omem,
        tot_mem,
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

/// The memory of a connection beyond its buffers: its task's and its registry entry's state.
const CLIENT_STRUCT_BYTES: usize = std::mem::size_of::<Client>() + std::mem::size_of::<ClientInfo>();

/// Brings the registry's copy of this client up to date before it is shown (others' copies are as of their
/// last batch).
fn sync_self(ctx: &mut Ctx) {
    let (id, db, cmd, now) = (ctx.client.id, ctx.client.db, ctx.client.last_cmd, ctx.now);
    let client = &*ctx.client;
    let live = LiveInfo {
        multi: client.multi.as_ref().map(Vec::len),
        multi_mem: client.multi_mem(),
        qbuf: client.query_buf.0,
        qbuf_free: client.query_buf.1,
        rbs: ctx.out.buf.capacity(),
        rbp: ctx.out.buf.len(),
        monitor: client.monitor,
        blocked: false,
        blocked_with_timeout: false,
    };
    if let Some(info) = ctx.state.clients.get_mut(id) {
        info.db = db;
        info.last_cmd = cmd;
        info.last_interaction_ms = now;
        info.live = LiveInfo { rbp: live.rbp.max(info.live.rbp), ..live };
    }
}

/// CLIENT LIST [TYPE type | ID id...]: IDs are listed in the order given (repeats too), as in Redis.
fn client_list(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let mut ids: Option<Vec<i64>> = None;
    let mut kind = None;
    match &argv[2..] {
        [] => {}
        [t, name] if is(t, "type") => kind = Some(client_type_named(name)?),
        [t, rest @ ..] if is(t, "id") && !rest.is_empty() => {
            let parsed: Option<Vec<i64>> = rest.iter().map(|id| parse_i64(id)).collect();
            ids = Some(parsed.ok_or(CmdError::InvalidClientId)?);
        }
        _ => return Err(CmdError::Syntax),
    }
    sync_self(ctx);
    let caller = Some(Caller::of(ctx, argv));
    let state = &*ctx.state;
    let mut text = Vec::new();
    match ids {
        Some(ids) => {
            for id in ids {
                if let Some(c) = u64::try_from(id).ok().and_then(|id| state.clients.get(id)) {
                    client_line(state, c, ctx.now, caller, &mut text);
                }
            }
        }
        None => {
            for c in state.clients.iter() {
                if kind.is_none_or(|k| client_type(state, c) == k) {
                    client_line(state, c, ctx.now, caller, &mut text);
                }
            }
        }
    }
    ctx.out.verbatim(&text);
    Ok(())
}

fn client_info(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    sync_self(ctx);
    let caller = Some(Caller::of(ctx, argv));
    let mut text = Vec::new();
    if let Some(c) = ctx.state.clients.get(ctx.client.id) {
        client_line(ctx.state, c, ctx.now, caller, &mut text);
    }
    ctx.out.verbatim(&text);
    Ok(())
}

/// CLIENT KILL's filters, all of which a client must match.
#[derive(Default)]
struct KillFilter<'a> {
    id: Option<u64>,
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    kind: Option<ClientType>,
    /// Seconds (Redis 7.4's MAXAGE): only clients connected longer than this.
    max_age: Option<i64>,
    skip_me: bool,
}

impl KillFilter<'_> {
    fn matches(&self, state: &State, c: &ClientInfo, me: u64, now: i64) -> bool {
        self.addr.is_none_or(|a| c.addr.as_bytes() == a)
            && self.laddr.is_none_or(|a| c.laddr.as_bytes() == a)
            && self.kind.is_none_or(|k| client_type(state, c) == k)
            && self.id.is_none_or(|id| c.id == id)
            && self.max_age.is_none_or(|age| now / 1000 - c.created_ms / 1000 > age)
            && !(self.skip_me && c.id == me)
    }
}

/// CLIENT KILL addr (the old form: OK or an error, and it may kill the caller) or CLIENT KILL <filter> <value>...
/// (the number of clients killed; SKIPME defaults to yes).
fn client_kill(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let old_form = argv.len() == 3;
    let filter =
        if old_form { KillFilter { addr: Some(argv[2]), ..KillFilter::default() } } else { kill_filter(&argv[2..])? };
    let (me, now) = (ctx.client.id, ctx.now);
    let state = &*ctx.state;
    let victims: Vec<u64> = state.clients.iter().filter(|c| filter.matches(state, c, me, now)).map(|c| c.id).collect();
    if old_form {
        if victims.is_empty() {
            return Err(CmdError::NoSuchClient);
        }
        ctx.out.ok();
    } else {
        ctx.out.int(victims.len() as i64);
    }
    for id in victims {
        if id == me {
            ctx.client.close_after_reply = true;
        } else {
            ctx.state.clients.kill(id);
        }
    }
    Ok(())
}

/// The new form's `<filter> <value>` pairs, parsed in order: the first bad one is the error.
fn kill_filter<'a>(pairs: &[&'a [u8]]) -> Result<KillFilter<'a>, CmdError> {
    let mut filter = KillFilter { skip_me: true, ..KillFilter::default() };
    for pair in pairs.chunks(2) {
        let &[option, value] = pair else { return Err(CmdError::Syntax) };
        match () {
            _ if is(option, "id") => match parse_i64(value) {
                Some(n) if n > 0 => filter.id = Some(n as u64),
                _ => return Err(CmdError::ClientIdNotPositive),
            },
            _ if is(option, "type") => filter.kind = Some(client_type_named(value)?),
            _ if is(option, "addr") => filter.addr = Some(value),
            _ if is(option, "laddr") => filter.laddr = Some(value),
            // Every connection is the `default` user's; no other user exists.
            _ if is(option, "user") => {
                if value != b"default" {
                    return Err(CmdError::NoSuchUser(value.to_vec()));
                }
            }
            _ if is(option, "skipme") => {
                filter.skip_me = match () {
                    _ if is(value, "yes") => true,
                    _ if is(value, "no") => false,
                    _ => return Err(CmdError::Syntax),
                }
            }
            // Redis 7.4's filter (7.0 has none): 0 filters nothing.
            _ if is(option, "maxage") => {
                let age = parse_i64(value).ok_or(error::CLIENT_MAXAGE_NOT_INTEGER)?;
                filter.max_age = (age != 0).then_some(age);
            }
            _ => return Err(CmdError::Syntax),
        }
    }
    Ok(filter)
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
