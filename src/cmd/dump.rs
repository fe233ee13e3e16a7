//! Moving values between servers in Redis's serialized form (cluster.c): DUMP, RESTORE (and RESTORE-ASKING, the
//! form cluster migrations send) and MIGRATE. A payload is the value's RDB encoding, the RDB version (2 bytes)
//! and a CRC-64 (8 bytes); RESTORE checks all of it before anything changes.

use super::{is, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::persistence::rdb::{crc64, decode::Reader, encode, format, object};
use crate::protocol::number;
use crate::pubsub::keyspace::class;
use crate::storage::db::{lru_clock, LRU_RESOLUTION_MS};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("dump", 2, READONLY, (1, 1, 1), dump).group("generic"),
    CommandSpec::new("restore", -4, WRITE | DENYOOM, (1, 1, 1), restore).group("generic"),
    CommandSpec::new("restore-asking", -4, WRITE | DENYOOM | ASKING, (1, 1, 1), restore).group("generic"),
    CommandSpec::new("migrate", -6, WRITE | MOVABLEKEYS, (3, 3, 1), migrate).group("generic"),
];

/// DUMP key: the value as Redis serializes it, or nil.
fn dump(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let compress = ctx.state.config.rdb_compression();
    let now = ctx.now;
    match ctx.db().get(argv[1], now) {
        Some(e) => {
            let payload = encode::dump_payload(&e.value, compress);
            ctx.out.bulk(&payload);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

/// verifyDumpPayload: the body of a payload whose version this server reads and whose checksum matches.
pub fn payload_body(payload: &[u8]) -> Option<&[u8]> {
    let body_len = payload.len().checked_sub(10)?;
    let version = u16::from_le_bytes([payload[body_len], payload[body_len + 1]]);
    if version > format::RDB_VERSION {
        return None;
    }
    let crc = u64::from_le_bytes(payload[body_len + 2..].try_into().ok()?);
    (crc64::crc64(0, &payload[..body_len + 2]) == crc).then_some(&payload[..body_len])
}

/// The value of a verified payload, read as restoreCommand reads it: from a buffer over the whole payload, so a
/// value whose lengths run past its body goes on into the trailer's bytes (RDB version and CRC), as in Redis,
/// and whatever follows the value is ignored. Only the types redis-server 7.0 knows (rdbIsObjectType: not the
/// set listpack of RDB 11, which no payload of version 10 or below holds); an empty aggregate is no value.
fn load_payload_value(payload: &[u8], limits: &object::Limits) -> Option<crate::storage::Value> {
    let (&rdb_type, encoded) = payload.split_first()?;
    if rdb_type > 19 {
        return None;
    }
    object::load_object(&mut Reader::new(encoded), rdb_type, limits).ok().flatten()
}

/// RESTORE's options after the payload.
#[derive(Default)]
struct RestoreOptions {
    replace: bool,
    absttl: bool,
    idle_secs: Option<i64>,
    freq: Option<i64>,
}

fn restore_options(args: Args) -> Result<RestoreOptions, CmdError> {
    let mut o = RestoreOptions::default();
    let mut i = 0;
    while i < args.len() {
        let more = i + 1 < args.len();
        match args[i] {
            a if is(a, "replace") => o.replace = true,
            a if is(a, "absttl") => o.absttl = true,
            a if is(a, "idletime") && more && o.freq.is_none() => {
                let idle = super::arg_i64(args[i + 1])?;
                if idle < 0 {
                    return Err(error::RESTORE_INVALID_IDLETIME);
                }
                o.idle_secs = Some(idle);
                i += 1;
            }
            a if is(a, "freq") && more && o.idle_secs.is_none() => {
                let freq = super::arg_i64(args[i + 1])?;
                if !(0..=255).contains(&freq) {
                    return Err(error::RESTORE_INVALID_FREQ);
                }
                o.freq = Some(freq);
                i += 1;
            }
            _ => return Err(CmdError::Syntax),
        }
        i += 1;
    }
    Ok(o)
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked in restoreCommand's
/// order: options, an existing key, the TTL, the payload's trailer, then its value.
fn restore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let key = argv[1];
    let opts = restore_options(&argv[4..])?;
    let now = ctx.now;
    if !opts.replace && ctx.db().get_no_touch(key, now, false).is_some() {
        return Err(error::BUSYKEY);
    }
    let ttl = number::parse_i64(argv[2]).ok_or(CmdError::NotInteger)?;
    if ttl < 0 {
        return Err(error::RESTORE_INVALID_TTL);
    }
    let body = payload_body(argv[3]).ok_or(error::RESTORE_BAD_PAYLOAD)?;
    if body.is_empty() {
        return Err(error::RESTORE_BAD_DATA);
    }
    let value = load_payload_value(argv[3], &object::Limits::of(&ctx.state.config)).ok_or(error::RESTORE_BAD_DATA)?;
    let deleted = opts.replace && ctx.db().delete(key, now);
    let at = if ttl > 0 && !opts.absttl { ttl.saturating_add(now) } else { ttl };
    if at != 0 && ctx.state.already_expired(at, now) {
        if deleted {
            let del: &[u8] = if ctx.state.config.is_yes("lazyfree-lazy-server-del") { b"UNLINK" } else { b"DEL" };
            ctx.changed(class::GENERIC, "del", key);
            ctx.propagate_as(&[del, key]);
        }
        ctx.out.ok();
        return Ok(());
    }
    let lfu = ctx.state.config.lfu_policy();
    let db = ctx.db();
    db.set(key, value, false, now);
    if at != 0 {
        db.set_expire(key, at);
    }
    match (lfu, opts.freq, opts.idle_secs) {
        (true, Some(freq), _) => db.set_lru(key, crate::storage::lfu::lfu_with_counter(now, freq as u32)),
        (false, _, Some(idle)) => {
            let ticks = (idle as u64).saturating_mul(1000) / LRU_RESOLUTION_MS as u64;
            db.set_lru(key, lru_clock(now).wrapping_sub(ticks as u32));
        }
        _ => {}
    }
    ctx.changed(class::GENERIC, "restore", key);
    if at != 0 && !opts.absttl {
        // The TTL is recorded as the absolute time it became, as Redis rewrites the command.
        let mut argv: Vec<&[u8]> = argv.to_vec();
        let absolute = at.to_string();
        argv[2] = absolute.as_bytes();
        argv.push(b"ABSTTL");
        ctx.propagate_as(&argv);
    }
    ctx.out.ok();
    Ok(())
}

/// Connections MIGRATE keeps open (Redis's migrate_cached_sockets): at most 64, closed after 10 s unused.
#[derive(Default)]
pub struct MigrateSockets {
    by_target: Vec<CachedSocket>,
}

struct CachedSocket {
    /// `host:port` as given.
    target: String,
    stream: std::io::BufReader<std::net::TcpStream>,
    /// The database last selected on it (-1: unknown, SELECT again).
    last_dbid: i64,
    last_use_secs: i64,
}

const MIGRATE_SOCKET_CACHE_ITEMS: usize = 64;
const MIGRATE_SOCKET_CACHE_TTL_SECS: i64 = 10;

fn sockets(state: &mut crate::engine::state::State) -> &mut MigrateSockets {
    let slot = state.migrate_sockets.get_or_insert_with(|| Box::new(MigrateSockets::default()));
    if !slot.is::<MigrateSockets>() {
        *slot = Box::new(MigrateSockets::default());
    }
    slot.downcast_mut::<MigrateSockets>().expect("just made one")
}

/// INFO's `migrate_cached_sockets`.
pub fn cached_sockets(state: &crate::engine::state::State) -> usize {
    state.migrate_sockets.as_ref().and_then(|s| s.downcast_ref::<MigrateSockets>()).map_or(0, |s| s.by_target.len())
}

/// The cron's part (migrateCloseTimedoutSockets): sockets unused for 10 seconds are closed.
pub fn close_idle_migrate_sockets(state: &mut crate::engine::state::State, now_secs: i64) {
    if state.migrate_sockets.is_some() {
        sockets(state).by_target.retain(|s| now_secs - s.last_use_secs <= MIGRATE_SOCKET_CACHE_TTL_SECS);
    }
}

/// MIGRATE's options after the fixed arguments.
struct MigrateOptions<'a> {
    copy: bool,
    replace: bool,
    auth: Option<(Option<&'a [u8]>, &'a [u8])>,
    keys: Vec<&'a [u8]>,
}

fn migrate_options<'a>(argv: Args<'a, '_>) -> Result<MigrateOptions<'a>, CmdError> {
    let mut o = MigrateOptions { copy: false, replace: false, auth: None, keys: vec![argv[3]] };
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        match argv[j] {
            a if is(a, "copy") => o.copy = true,
            a if is(a, "replace") => o.replace = true,
            a if is(a, "auth") => {
                if more < 1 {
                    return Err(CmdError::Syntax);
                }
                o.auth = Some((None, argv[j + 1]));
                j += 1;
            }
            a if is(a, "auth2") => {
                if more < 2 {
                    return Err(CmdError::Syntax);
                }
                o.auth = Some((Some(argv[j + 1]), argv[j + 2]));
                j += 2;
            }
            a if is(a, "keys") => {
                if !argv[3].is_empty() {
                    return Err(error::MIGRATE_KEYS_NEEDS_EMPTY_KEY);
                }
                o.keys = argv[j + 1..].to_vec();
                break;
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 1;
    }
    Ok(o)
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 user password]
/// [KEYS key ...]: the keys sent as RESTORE commands over a (cached) connection, waiting for the target's
/// answers as Redis does (the server is blocked meanwhile, up to `timeout` ms per step); without COPY the keys
/// the target acknowledged are deleted here, recorded as a DEL.
fn migrate(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let opts = migrate_options(argv)?;
    let timeout = super::arg_i64(argv[5])?;
    let dbid = super::arg_i64(argv[4])?;
    let timeout = std::time::Duration::from_millis(if timeout <= 0 { 1000 } else { timeout as u64 });
    let now = ctx.now;
    let present: Vec<&[u8]> = opts.keys.iter().copied().filter(|k| ctx.db().get(k, now).is_some()).collect();
    if present.is_empty() {
        ctx.out.simple(b"NOKEY");
        return Ok(());
    }
    let target = format!("{}:{}", String::from_utf8_lossy(argv[1]), String::from_utf8_lossy(argv[2]));
    let mut may_retry = true;
    loop {
        let attempt = migrate_once(ctx, &target, argv, &opts, &present, dbid, timeout);
        match attempt {
            Attempt::Done(result) => return result,
            Attempt::SocketError { write, retry } => {
                sockets(ctx.state).by_target.retain(|s| s.target != target);
                if retry && may_retry {
                    may_retry = false;
                    continue;
                }
                return Err(error::migrate_io_error(write));
            }
        }
    }
}

enum Attempt {
    Done(Result<(), CmdError>),
    /// The connection failed; `retry` when nothing can have been processed (no reply read yet, no timeout).
    SocketError {
        write: bool,
        retry: bool,
    },
}

/// How getting a connection went.
enum Connection {
    Ready(usize),
    /// The name did not resolve, or the connection timed out (Redis's "connecting" error).
    Failed,
    /// Refused at once: Redis's non-blocking connect takes this for a connection and fails writing to it.
    Refused,
}

/// The socket cached for `target`, or a new one.
fn connect(ctx: &mut Ctx, target: &str, argv: Args, timeout: std::time::Duration) -> Connection {
    let now_secs = ctx.now / 1000;
    let cache = sockets(ctx.state);
    if let Some(i) = cache.by_target.iter().position(|s| s.target == target) {
        cache.by_target[i].last_use_secs = now_secs;
        return Connection::Ready(i);
    }
    if cache.by_target.len() == MIGRATE_SOCKET_CACHE_ITEMS {
        let victim = ctx.state.rng.usize(..MIGRATE_SOCKET_CACHE_ITEMS);
        sockets(ctx.state).by_target.swap_remove(victim);
    }
    let host = String::from_utf8_lossy(argv[1]).into_owned();
    let port: u16 = number::parse_i64(argv[2]).and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
    use std::net::ToSocketAddrs;
    let Some(addr) = (host.as_str(), port).to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return Connection::Failed;
    };
    let stream = match std::net::TcpStream::connect_timeout(&addr, timeout) {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Connection::Failed,
        Err(_) => return Connection::Refused,
    };
    let _ = stream.set_nodelay(true);
    let cache = sockets(ctx.state);
    cache.by_target.push(CachedSocket {
        target: target.to_string(),
        stream: std::io::BufReader::new(stream),
        last_dbid: -1,
        last_use_secs: now_secs,
    });
    Connection::Ready(cache.by_target.len() - 1)
}

/// One line of the target's reply (connSyncReadLine): None on error or timeout.
fn read_line(stream: &mut std::io::BufReader<std::net::TcpStream>) -> Option<Vec<u8>> {
    use std::io::BufRead;
    let mut line = Vec::new();
    match stream.read_until(b'\n', &mut line) {
        Ok(n) if n > 0 && line.ends_with(b"\n") => {
            line.pop();
            if line.ends_with(b"\r") {
                line.pop();
            }
            Some(line)
        }
        _ => None,
    }
}

fn migrate_once(
    ctx: &mut Ctx,
    target: &str,
    argv: Args,
    opts: &MigrateOptions,
    present: &[&[u8]],
    dbid: i64,
    timeout: std::time::Duration,
) -> Attempt {
    let i = match connect(ctx, target, argv, timeout) {
        Connection::Ready(i) => i,
        Connection::Failed => return Attempt::Done(Err(error::MIGRATE_CONNECT_FAILED)),
        Connection::Refused => return Attempt::SocketError { write: true, retry: true },
    };
    let now = ctx.now;
    let compress = ctx.state.config.rdb_compression();
    let select = sockets(ctx.state).by_target[i].last_dbid != dbid;
    // The whole request, as Redis builds it: AUTH, SELECT, then one RESTORE per key still alive.
    let mut request = Vec::new();
    let encode = crate::persistence::effects::encode_command;
    if let Some((user, password)) = opts.auth {
        match user {
            Some(user) => encode(&mut request, &[b"AUTH", user, password]),
            None => encode(&mut request, &[b"AUTH", password]),
        }
    }
    let dbid_text = dbid.to_string();
    if select {
        encode(&mut request, &[b"SELECT", dbid_text.as_bytes()]);
    }
    let mut sent: Vec<&[u8]> = Vec::new();
    for &key in present {
        let Some(e) = ctx.db().get_no_touch(key, now, false) else { continue };
        let ttl = match e.expire_at() {
            Some(at) if at - now < 0 => continue,
            Some(at) => (at - now).max(1),
            None => 0,
        };
        let payload = encode::dump_payload(&e.value, compress);
        let ttl = ttl.to_string();
        let mut args: Vec<&[u8]> = vec![b"RESTORE", key, ttl.as_bytes(), &payload];
        if opts.replace {
            args.push(b"REPLACE");
        }
        encode(&mut request, &args);
        sent.push(key);
    }
    let socket = &mut sockets(ctx.state).by_target[i];
    let stream = socket.stream.get_mut();
    let _ = stream.set_write_timeout(Some(timeout));
    let _ = stream.set_read_timeout(Some(timeout));
    use std::io::Write;
    if request.chunks(64 * 1024).any(|chunk| stream.write_all(chunk).is_err()) {
        return Attempt::SocketError { write: true, retry: true };
    }
    let auth_reply = match opts.auth {
        Some(_) => match read_line(&mut socket.stream) {
            Some(line) => Some(line),
            None => return Attempt::SocketError { write: false, retry: true },
        },
        None => None,
    };
    let select_reply = if select {
        match read_line(&mut socket.stream) {
            Some(line) => Some(line),
            None => return Attempt::SocketError { write: false, retry: true },
        }
    } else {
        None
    };
    let mut target_error: Option<Vec<u8>> = None;
    let mut acknowledged: Vec<&[u8]> = Vec::new();
    let mut socket_error = None;
    for (j, key) in sent.iter().enumerate() {
        let Some(reply) = read_line(&mut sockets(ctx.state).by_target[i].stream) else {
            socket_error = Some(j);
            break;
        };
        let failed = [auth_reply.as_deref(), select_reply.as_deref(), Some(&reply[..])]
            .into_iter()
            .flatten()
            .find(|line| line.first() == Some(&b'-'));
        match failed {
            Some(line) if target_error.is_none() => {
                sockets(ctx.state).by_target[i].last_dbid = -1;
                target_error = Some(line[1..].to_vec());
            }
            Some(_) => {}
            None if !opts.copy => {
                ctx.db().delete(key, now);
                ctx.changed(crate::pubsub::keyspace::class::GENERIC, "del", key);
                acknowledged.push(key);
            }
            None => {}
        }
    }
    if target_error.is_none() && socket_error == Some(0) {
        return Attempt::SocketError { write: false, retry: true };
    }
    if !acknowledged.is_empty() {
        let mut del: Vec<&[u8]> = vec![b"DEL"];
        del.extend(acknowledged);
        ctx.propagate_as(&del);
    }
    if let Some(why) = target_error {
        return Attempt::Done(Err(error::migrate_target_error(&why)));
    }
    if socket_error.is_some() {
        return Attempt::SocketError { write: false, retry: false };
    }
    sockets(ctx.state).by_target[i].last_dbid = dbid;
    ctx.out.ok();
    Attempt::Done(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(value: &[u8]) -> Vec<u8> {
        let mut payload = value.to_vec();
        payload.extend_from_slice(&format::RDB_VERSION.to_le_bytes());
        let crc = crc64::crc64(0, &payload);
        payload.extend_from_slice(&crc.to_le_bytes());
        payload
    }

    #[test]
    fn values_are_read_as_restore_command_reads_them() {
        let limits = object::Limits::of(&crate::config::Config::default());
        let string = |payload: &[u8]| match load_payload_value(payload, &limits) {
            Some(crate::storage::Value::String(s)) => Some(s.to_vec()),
            _ => None,
        };
        // A string of 4 bytes with 2 in the body: the rest comes from the trailer, as in Redis.
        let payload = sealed(&[0, 4, b'a', b'b']);
        assert!(payload_body(&payload).is_some());
        assert_eq!(string(&payload), Some([b"ab", &payload[4..6]].concat()));
        // Bytes after the value are ignored.
        assert_eq!(string(&sealed(&[0, 1, b'a', 7, 7])), Some(b"a".to_vec()));
        // RDB 11's set listpack is no type of redis-server 7.0.
        let lp = super::super::super::persistence::rdb::listpack::write([&b"a"[..]].into_iter());
        let mut set = vec![format::TYPE_SET_LISTPACK];
        encode::save_string(&mut set, &lp, false);
        assert!(load_payload_value(&sealed(&set), &limits).is_none());
    }
}
