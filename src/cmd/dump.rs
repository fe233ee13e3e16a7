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
