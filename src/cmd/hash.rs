//! Hashes: field reads and writes, counters, whole-hash replies, random fields and HSCAN. Semantics follow Redis
//! 7.0's t_hash.c; the encodings and when they convert live in `storage/hash.rs`.

use super::{arg_i64, is, parse_cursor, reply_draws, reply_scan_header, Args, ScanOptions};
use crate::engine::flags::*;
use crate::engine::state::State;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::number::{self, LongDoubleError};
use crate::protocol::Out;
use crate::pubsub::keyspace::class;
use crate::storage::hash::{Indexed, Limits};
use crate::storage::random;
use crate::storage::{RHash, Value};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("hset", -4, WRITE | DENYOOM | FAST, (1, 1, 1), hset).group("hash"),
    CommandSpec::new("hsetnx", 4, WRITE | DENYOOM | FAST, (1, 1, 1), hsetnx).group("hash"),
    CommandSpec::new("hmset", -4, WRITE | DENYOOM | FAST, (1, 1, 1), hmset).group("hash"),
    CommandSpec::new("hget", 3, READONLY | FAST, (1, 1, 1), hget).group("hash"),
    CommandSpec::new("hmget", -3, READONLY | FAST, (1, 1, 1), hmget).group("hash"),
    CommandSpec::new("hgetall", 2, READONLY, (1, 1, 1), hgetall).group("hash"),
    CommandSpec::new("hkeys", 2, READONLY, (1, 1, 1), hkeys).group("hash"),
    CommandSpec::new("hvals", 2, READONLY, (1, 1, 1), hvals).group("hash"),
    CommandSpec::new("hdel", -3, WRITE | FAST, (1, 1, 1), hdel).group("hash"),
    CommandSpec::new("hlen", 2, READONLY | FAST, (1, 1, 1), hlen).group("hash"),
    CommandSpec::new("hexists", 3, READONLY | FAST, (1, 1, 1), hexists).group("hash"),
    CommandSpec::new("hstrlen", 3, READONLY | FAST, (1, 1, 1), hstrlen).group("hash"),
    CommandSpec::new("hincrby", 4, WRITE | DENYOOM | FAST, (1, 1, 1), hincrby).group("hash"),
    CommandSpec::new("hincrbyfloat", 4, WRITE | DENYOOM | FAST, (1, 1, 1), hincrbyfloat).group("hash"),
    CommandSpec::new("hrandfield", -2, READONLY, (1, 1, 1), hrandfield).group("hash"),
    CommandSpec::new("hscan", -3, READONLY, (1, 1, 1), hscan).group("hash"),
];

/// The conversion thresholds, read before the database is borrowed.
fn limits(ctx: &Ctx) -> Limits {
    let c = &ctx.state.config;
    Limits { entries: c.hash_max_listpack_entries, value: c.hash_max_listpack_value }
}

/// `hashTypeLookupWriteOrCreate`, then `op` on the hash. A missing key gets a new hash, stored once `op`
/// succeeds (Redis stores it first, but no operation can fail on an empty hash, so nobody can tell).
fn write<T>(ctx: &mut Ctx, key: &[u8], op: impl FnOnce(&mut RHash) -> Result<T, CmdError>) -> Result<T, CmdError> {
    let now = ctx.now;
    let db = ctx.db();
    if let Some(e) = db.get_mut(key, now) {
        return op(e.value.as_hash_mut().ok_or(CmdError::WrongType)?);
    }
    let mut h = RHash::new();
    let result = op(&mut h)?;
    if !h.is_empty() {
        db.set(key, Value::Hash(h), false, now);
    }
    Ok(result)
}

/// HSET and HMSET: every pair written, after one length check of all of them. Returns the new fields.
fn hset_generic(ctx: &mut Ctx, argv: Args, name: &str) -> Result<i64, CmdError> {
    if argv.len() % 2 == 1 {
        return Err(CmdError::arity(name));
    }
    let limits = limits(ctx);
    let pairs = &argv[2..];
    let created = write(ctx, argv[1], |h| {
        h.prepare_write(pairs.iter().map(|a| a.len()), limits);
        Ok(pairs.chunks_exact(2).map(|fv| h.set(fv[0], fv[1], limits) as i64).sum())
    })?;
    // Announced even when every value was already there; Redis counts one change per pair.
    ctx.changed(class::HASH, "hset", argv[1]);
    ctx.state.dirty += (pairs.len() / 2) as u64 - 1;
    Ok(created)
}

fn hset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let created = hset_generic(ctx, argv, "hset")?;
    ctx.out.int(created);
    Ok(())
}

fn hmset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    hset_generic(ctx, argv, "hmset")?;
    ctx.out.ok();
    Ok(())
}

fn hsetnx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (field, value, limits) = (argv[2], argv[3], limits(ctx));
    let set = write(ctx, argv[1], |h| {
        if h.contains(field) {
            return Ok(false);
        }
        h.prepare_write([field.len(), value.len()], limits);
        Ok(h.set(field, value, limits))
    })?;
    if set {
        ctx.changed(class::HASH, "hset", argv[1]);
    }
    ctx.out.int(set as i64);
    Ok(())
}

fn hget(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    match state.dbs[client.db].read::<RHash>(argv[1], *now)?.and_then(|h| h.get(argv[2])) {
        Some(v) => out.bulk(v),
        None => out.null(),
    }
    Ok(())
}

fn hmget(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    let h = state.dbs[client.db].read::<RHash>(argv[1], *now)?;
    out.array(argv.len() - 2);
    for field in &argv[2..] {
        match h.and_then(|h| h.get(field)) {
            Some(v) => out.bulk(v),
            None => out.null(),
        }
    }
    Ok(())
}

/// HGETALL (a map), HKEYS and HVALS (arrays), in storage order.
fn getall_generic(ctx: &mut Ctx, key: &[u8], fields: bool, values: bool) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    let h = state.dbs[client.db].read::<RHash>(key, *now)?;
    let len = h.map_or(0, RHash::len);
    if fields && values {
        out.map(len);
    } else {
        out.array(len);
    }
    for (f, v) in h.into_iter().flat_map(RHash::iter) {
        if fields {
            out.bulk(f);
        }
        if values {
            out.bulk(v);
        }
    }
    Ok(())
}

fn hgetall(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    getall_generic(ctx, argv[1], true, true)
}

fn hkeys(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    getall_generic(ctx, argv[1], true, false)
}

fn hvals(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    getall_generic(ctx, argv[1], false, true)
}

fn hdel(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    let Some(e) = db.get_mut(key, now) else {
        ctx.out.int(0);
        return Ok(());
    };
    let h = e.value.as_hash_mut().ok_or(CmdError::WrongType)?;
    let mut deleted: u64 = 0;
    for field in &argv[2..] {
        if h.remove(field) {
            deleted += 1;
            if h.is_empty() {
                break;
            }
        }
    }
    // An emptied hash is deleted, as Redis does.
    let emptied = h.is_empty();
    if emptied {
        db.remove(key);
    }
    if deleted > 0 {
        ctx.changed(class::HASH, "hdel", key);
        ctx.state.dirty += deleted - 1;
        if emptied {
            ctx.notify(class::GENERIC, "del", key);
        }
    }
    ctx.out.int(deleted as i64);
    Ok(())
}

/// HLEN, HEXISTS, HSTRLEN: one integer about the hash, 0 for a missing key.
fn int_generic(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(&RHash) -> usize) -> Result<(), CmdError> {
    let now = ctx.now;
    let n = ctx.db().read::<RHash>(key, now)?.map_or(0, f);
    ctx.out.int(n as i64);
    Ok(())
}

fn hlen(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    int_generic(ctx, argv[1], RHash::len)
}

fn hexists(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    int_generic(ctx, argv[1], |h| h.contains(argv[2]) as usize)
}

fn hstrlen(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    int_generic(ctx, argv[1], |h| h.get(argv[2]).map_or(0, <[u8]>::len))
}

fn hincrby(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (field, incr, limits) = (argv[2], arg_i64(argv[3])?, limits(ctx));
    let new = write(ctx, argv[1], |h| {
        let old = match h.get(field) {
            Some(v) => number::parse_i64(v).ok_or(error::HASH_NOT_INTEGER)?,
            None => 0,
        };
        let new = old.checked_add(incr).ok_or(CmdError::Overflow)?;
        h.set(field, itoa::Buffer::new().format(new).as_bytes(), limits);
        Ok(new)
    })?;
    ctx.changed(class::HASH, "hincrby", argv[1]);
    ctx.out.int(new);
    Ok(())
}

fn hincrbyfloat(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (field, incr, limits) = (argv[2], argv[3], limits(ctx));
    // The increment is checked before the key is looked up: not a float, then NaN or infinite.
    match number::add_long_double(b"0", incr) {
        Err(LongDoubleError::NotFloat) => return Err(CmdError::NotFloat),
        Err(LongDoubleError::NanOrInfinity) => return Err(error::HASH_INCR_NAN_OR_INFINITY),
        Ok(_) => {}
    }
    let sum = write(ctx, argv[1], |h| {
        let sum = number::add_long_double(h.get(field).unwrap_or(b"0"), incr).map_err(|e| match e {
            // The increment is known good, so the stored value is the bad operand.
            LongDoubleError::NotFloat => error::HASH_NOT_FLOAT,
            LongDoubleError::NanOrInfinity => CmdError::NanOrInfinity,
        })?;
        h.set(field, &sum, limits);
        Ok(sum)
    })?;
    ctx.changed(class::HASH, "hincrbyfloat", argv[1]);
    // Recorded as the value it computed, so a replay cannot round differently.
    ctx.propagate_as(&[b"HSET", argv[1], field, &sum]);
    ctx.out.bulk(&sum);
    Ok(())
}

fn hrandfield(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() >= 3 {
        // `getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)`, then the option, then the WITHVALUES range
        // (count * 2 must not overflow).
        let count = arg_i64(argv[2])?;
        if count == i64::MIN {
            return Err(error::COUNT_RANGE);
        }
        if argv.len() > 4 || (argv.len() == 4 && !is(argv[3], "withvalues")) {
            return Err(CmdError::Syntax);
        }
        let with_values = argv.len() == 4;
        if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(error::HASH_WITHVALUES_COUNT_RANGE);
        }
        return hrandfield_count(ctx, argv[1], count, with_values);
    }
    let Ctx { state, client, out, now, .. } = ctx;
    let State { dbs, rng, .. } = &mut **state;
    let Some(h) = dbs[client.db].read::<RHash>(argv[1], *now)? else {
        out.null();
        return Ok(());
    };
    match h.nth(rng.usize(..h.len().max(1))) {
        Some((f, _)) => out.bulk(f),
        None => out.null(),
    }
    Ok(())
}

/// The reply of HRANDFIELD with a count: `n` fields, or `n` [field, value] pairs (RESP2: flat).
struct RandomReply {
    with_values: bool,
}

impl RandomReply {
    fn header(&self, out: &mut Out, n: usize) {
        out.array(if self.with_values && !out.resp3 { n * 2 } else { n });
    }

    fn pair(&self, out: &mut Out, (f, v): (&[u8], &[u8])) {
        if self.with_values && out.resp3 {
            out.array(2);
        }
        out.bulk(f);
        if self.with_values {
            out.bulk(v);
        }
    }
}

/// `hrandfieldWithCountCommand`'s cases: a negative count (or 1) picks independently; a count covering the
/// hash returns it whole in storage order; otherwise `count` distinct fields, in listpack order for a
/// listpack and in random order for a table.
fn hrandfield_count(ctx: &mut Ctx, key: &[u8], count: i64, with_values: bool) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    let State { dbs, rng, config, .. } = &mut **state;
    let Some(h) = dbs[client.db].read::<RHash>(key, *now)? else {
        out.array(0);
        return Ok(());
    };
    let (n, unique) = (count.unsigned_abs(), count >= 0);
    if n == 0 {
        out.array(0);
        return Ok(());
    }
    let reply = RandomReply { with_values };
    let ix = h.indexed();
    let size = ix.len();
    if !unique || n == 1 {
        let draw = |out: &mut Out| {
            if let Some(pair) = ix.get(rng.usize(..size)) {
                reply.pair(out, pair);
            }
        };
        reply_draws(config, out, client, n, |out, n| reply.header(out, n), draw);
        return Ok(());
    }
    if n as usize >= size {
        reply.header(out, size);
        for pair in h.iter() {
            reply.pair(out, pair);
        }
        return Ok(());
    }
    let mut picked = random::distinct_positions(size, n as usize, rng);
    if matches!(ix, Indexed::Pairs(_)) {
        picked.sort_unstable();
    }
    reply.header(out, picked.len());
    for i in picked {
        if let Some(pair) = ix.get(i) {
            reply.pair(out, pair);
        }
    }
    Ok(())
}

fn hscan(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let cursor = parse_cursor(argv[2])?;
    let Ctx { state, client, out, now, .. } = ctx;
    // The key is looked up before the options are parsed, as in Redis.
    let Some(h) = state.dbs[client.db].read::<RHash>(argv[1], *now)? else {
        out.array(2);
        out.bulk(b"0");
        out.array(0);
        return Ok(());
    };
    let opts = ScanOptions::parse(&argv[3..], false)?;
    let mut found = Vec::new();
    let next = h.scan(cursor, opts.count, |f, v| {
        if opts.matches(f) {
            found.push((f, v));
        }
    });
    reply_scan_header(out, next, found.len() * 2);
    for (f, v) in found {
        out.bulk(f);
        out.bulk(v);
    }
    Ok(())
}
