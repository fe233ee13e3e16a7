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
    let (&rdb_type, encoded) = body.split_first().ok_or(error::RESTORE_BAD_DATA)?;
    let limits = object::Limits::of(&ctx.state.config);
    let value = match object::load_object(&mut Reader::new(encoded), rdb_type, &limits) {
        Ok(Some(value)) => value,
        _ => return Err(error::RESTORE_BAD_DATA),
    };
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
