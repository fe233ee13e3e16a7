//! Sorted sets: ZADD and its options, scores and ranks, one generic range command behind ZRANGE and its six
//! older spellings, range removal, pops, random members, the algebra (ZUNION/ZINTER/ZDIFF, their STORE and
//! CARD variants) and ZSCAN. Semantics follow Redis 7.0's t_zset.c, argument-parsing order included (it decides
//! which error wins); the encodings live in `storage/zset.rs`, whose API is in ranks: every range below becomes
//! a rank interval first.

use super::{arg_i64, is, parse_cursor, reply_draws, reply_scan_header, Args, ScanOptions};
use crate::engine::flags::*;
use crate::engine::state::State;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::{number, Out};
use crate::pubsub::keyspace::class;
use crate::storage::random;
use crate::storage::set::Member;
use crate::storage::zset::{self, Bounds, LexBound, Limits};
use crate::storage::{RSet, RZSet, Value};
use std::collections::HashMap;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("zadd", -4, WRITE | DENYOOM | FAST, (1, 1, 1), zadd).group("sorted-set"),
    CommandSpec::new("zincrby", 4, WRITE | DENYOOM | FAST, (1, 1, 1), zincrby).group("sorted-set"),
    CommandSpec::new("zrem", -3, WRITE | FAST, (1, 1, 1), zrem).group("sorted-set"),
    CommandSpec::new("zcard", 2, READONLY | FAST, (1, 1, 1), zcard).group("sorted-set"),
    CommandSpec::new("zscore", 3, READONLY | FAST, (1, 1, 1), zscore).group("sorted-set"),
    CommandSpec::new("zmscore", -3, READONLY | FAST, (1, 1, 1), zmscore).group("sorted-set"),
    CommandSpec::new("zrank", 3, READONLY | FAST, (1, 1, 1), zrank).group("sorted-set"),
    CommandSpec::new("zrevrank", 3, READONLY | FAST, (1, 1, 1), zrevrank).group("sorted-set"),
    CommandSpec::new("zcount", 4, READONLY | FAST, (1, 1, 1), zcount).group("sorted-set"),
    CommandSpec::new("zlexcount", 4, READONLY | FAST, (1, 1, 1), zlexcount).group("sorted-set"),
    CommandSpec::new("zrange", -4, READONLY, (1, 1, 1), zrange).group("sorted-set"),
    CommandSpec::new("zrangestore", -5, WRITE | DENYOOM, (1, 2, 1), zrangestore).group("sorted-set"),
    CommandSpec::new("zrevrange", -4, READONLY, (1, 1, 1), zrevrange).group("sorted-set"),
    CommandSpec::new("zrangebyscore", -4, READONLY, (1, 1, 1), zrangebyscore).group("sorted-set"),
    CommandSpec::new("zrevrangebyscore", -4, READONLY, (1, 1, 1), zrevrangebyscore).group("sorted-set"),
    CommandSpec::new("zrangebylex", -4, READONLY, (1, 1, 1), zrangebylex).group("sorted-set"),
    CommandSpec::new("zrevrangebylex", -4, READONLY, (1, 1, 1), zrevrangebylex).group("sorted-set"),
    CommandSpec::new("zremrangebyscore", 4, WRITE, (1, 1, 1), zremrangebyscore).group("sorted-set"),
    CommandSpec::new("zremrangebyrank", 4, WRITE, (1, 1, 1), zremrangebyrank).group("sorted-set"),
    CommandSpec::new("zremrangebylex", 4, WRITE, (1, 1, 1), zremrangebylex).group("sorted-set"),
    CommandSpec::new("zpopmin", -2, WRITE | FAST, (1, 1, 1), zpopmin).group("sorted-set"),
    CommandSpec::new("zmpop", -4, WRITE, (0, 0, 0), zmpop).numkeys_at(1).group("sorted-set"),
    CommandSpec::new("zpopmax", -2, WRITE | FAST, (1, 1, 1), zpopmax).group("sorted-set"),
    CommandSpec::new("zrandmember", -2, READONLY, (1, 1, 1), zrandmember).group("sorted-set"),
    CommandSpec::new("zunion", -3, READONLY, (0, 0, 0), zunion).numkeys_at(1).group("sorted-set"),
    CommandSpec::new("zunionstore", -4, WRITE | DENYOOM, (1, 1, 1), zunionstore).numkeys_at(2).group("sorted-set"),
    CommandSpec::new("zinter", -3, READONLY, (0, 0, 0), zinter).numkeys_at(1).group("sorted-set"),
    CommandSpec::new("zinterstore", -4, WRITE | DENYOOM, (1, 1, 1), zinterstore).numkeys_at(2).group("sorted-set"),
    CommandSpec::new("zintercard", -3, READONLY, (0, 0, 0), zintercard).numkeys_at(1).group("sorted-set"),
    CommandSpec::new("zdiff", -3, READONLY, (0, 0, 0), zdiff).numkeys_at(1).group("sorted-set"),
    CommandSpec::new("zdiffstore", -4, WRITE | DENYOOM, (1, 1, 1), zdiffstore).numkeys_at(2).group("sorted-set"),
    CommandSpec::new("zscan", -3, READONLY, (1, 1, 1), zscan).group("sorted-set"),
];

// --- lookups, storing and replies ---

/// The listpack thresholds, read before the database is borrowed.
fn limits(ctx: &Ctx) -> Limits {
    let c = &ctx.state.config;
    let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    Limits { max_entries: size(c.zset_max_listpack_entries), max_value: size(c.zset_max_listpack_value) }
}

/// Limits nothing exceeds.
#[cfg(test)]
const NO_LIMITS: Limits = Limits { max_entries: usize::MAX, max_value: usize::MAX };

/// A command's result as a new sorted set, in the encoding Redis gives a stored result (by its size and longest
/// member). `items` are distinct members.
fn build(items: &[(Vec<u8>, f64)], limits: Limits) -> RZSet {
    let longest = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    let mut z = RZSet::with_capacity(items.len(), longest, limits);
    for (m, s) in items {
        z.insert(m, *s, limits);
    }
    z
}

/// A STORE variant's ending: the result replaces the destination (any type, TTL cleared) and is announced as
/// `event`, or an empty result deletes it (`del`). Replies with the result's size.
fn store(ctx: &mut Ctx, dst: &[u8], items: &[(Vec<u8>, f64)], event: &str) {
    let (limits, now) = (limits(ctx), ctx.now);
    let db = ctx.db();
    if !items.is_empty() {
        db.set(dst, Value::ZSet(build(items, limits)), false, now);
        ctx.changed(class::ZSET, event, dst);
    } else if db.remove(dst).is_some() {
        // Redis's dbDelete: a destination whose TTL passed but was not reaped yet counts as deleted too.
        ctx.changed(class::GENERIC, "del", dst);
    }
    ctx.out.int(items.len() as i64);
}

/// How a list of elements is replied: members only, member/score pairs flattened (RESP2, or ZPOP* without a
/// count), or each pair as a two-element array (RESP3).
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Members,
    Flat,
    Nested,
}

impl Shape {
    fn new(withscores: bool, out: &Out) -> Shape {
        match (withscores, out.resp3) {
            (false, _) => Shape::Members,
            (true, false) => Shape::Flat,
            (true, true) => Shape::Nested,
        }
    }

    fn header(self, out: &mut Out, n: usize) {
        out.array(if self == Shape::Flat { n.saturating_mul(2) } else { n });
    }

    fn element(self, out: &mut Out, member: &[u8], score: f64) {
        if self == Shape::Nested {
            out.array(2);
        }
        out.bulk(member);
        if self != Shape::Members {
            out.double(score);
        }
    }
}

// --- ZADD / ZINCRBY ---

/// ZADD's options.
#[derive(Clone, Copy, Default)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
    ch: bool,
}

/// What `zsetAdd` did with one element.
enum Added {
    New(f64),
    Updated(f64),
    /// The score was set to what it already was (counts as processed, not as changed).
    Same(f64),
    /// NX/XX/GT/LT left it alone.
    Nop,
}

/// Redis's `zsetAdd` for one element.
fn add_one(z: &mut RZSet, member: &[u8], score: f64, f: AddFlags, limits: Limits) -> Result<Added, CmdError> {
    let Some(current) = z.score(member) else {
        if f.xx {
            return Ok(Added::Nop);
        }
        z.insert(member, score, limits);
        return Ok(Added::New(score));
    };
    if f.nx {
        return Ok(Added::Nop);
    }
    let score = if f.incr { score + current } else { score };
    if score.is_nan() {
        return Err(error::ZSET_SCORE_NAN);
    }
    if (f.lt && score >= current) || (f.gt && score <= current) {
        return Ok(Added::Nop);
    }
    // -0 and 0 compare equal: no update, as in Redis.
    if score == current {
        return Ok(Added::Same(score));
    }
    z.insert(member, score, limits);
    Ok(Added::Updated(score))
}

/// `zaddGenericCommand`: options, then the pairs' count, the option conflicts, every score, and only then the
/// key. ZINCRBY is this with INCR set.
fn zadd_generic(ctx: &mut Ctx, argv: Args, incr: bool) -> Result<(), CmdError> {
    let mut f = AddFlags { incr, ..AddFlags::default() };
    let mut at = 2;
    while let Some(&opt) = argv.get(at) {
        let flag = match opt {
            o if is(o, "nx") => &mut f.nx,
            o if is(o, "xx") => &mut f.xx,
            o if is(o, "ch") => &mut f.ch,
            o if is(o, "incr") => &mut f.incr,
            o if is(o, "gt") => &mut f.gt,
            o if is(o, "lt") => &mut f.lt,
            _ => break,
        };
        *flag = true;
        at += 1;
    }
    let pairs = &argv[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    if f.nx && f.xx {
        return Err(error::ZSET_XX_AND_NX);
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Err(error::ZSET_GT_LT_NX);
    }
    if f.incr && pairs.len() > 2 {
        return Err(error::ZSET_INCR_SINGLE_PAIR);
    }
    let scores = pairs
        .chunks_exact(2)
        .map(|p| number::parse_f64(p[0]).ok_or(CmdError::NotFloat))
        .collect::<Result<Vec<f64>, _>>()?;
    let (key, now, limits) = (argv[1], ctx.now, limits(ctx));
    let db = ctx.db();
    let tally = match db.write::<RZSet>(key, now)? {
        Some(z) => add_all(z, pairs, &scores, f, limits)?,
        // XX adds nothing, so a missing key stays missing.
        None if f.xx => Tally::default(),
        None => {
            let mut z = RZSet::new();
            let tally = add_all(&mut z, pairs, &scores, f, limits)?;
            db.set(key, Value::ZSet(z), false, now);
            tally
        }
    };
    let changes = tally.added + tally.updated;
    if changes > 0 {
        ctx.changed(class::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
        ctx.state.dirty += changes as u64 - 1;
    }
    let out = &mut *ctx.out;
    match (f.incr, tally.last) {
        // INCR: the new score, or nil when an option stopped it.
        (true, Some(score)) => out.double(score),
        (true, None) => out.null(),
        (false, _) => out.int(if f.ch { tally.added + tally.updated } else { tally.added }),
    }
    Ok(())
}

/// What ZADD did to its elements.
#[derive(Default)]
struct Tally {
    added: i64,
    updated: i64,
    /// The score of the last element processed (not stopped by an option).
    last: Option<f64>,
}

fn add_all(z: &mut RZSet, pairs: Args, scores: &[f64], f: AddFlags, limits: Limits) -> Result<Tally, CmdError> {
    let mut t = Tally::default();
    for (pair, &score) in pairs.chunks_exact(2).zip(scores) {
        match add_one(z, pair[1], score, f, limits)? {
            Added::New(s) => (t.added, t.last) = (t.added + 1, Some(s)),
            Added::Updated(s) => (t.updated, t.last) = (t.updated + 1, Some(s)),
            Added::Same(s) => t.last = Some(s),
            Added::Nop => {}
        }
    }
    Ok(t)
}

fn zadd(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zadd_generic(ctx, argv, false)
}

fn zincrby(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zadd_generic(ctx, argv, true)
}

// --- single-element reads and ZREM ---

fn zrem(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    let Some(z) = db.write::<RZSet>(key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut removed = 0;
    let mut emptied = false;
    for m in &argv[2..] {
        removed += z.remove(m).is_some() as u64;
        if z.is_empty() {
            db.remove(key);
            emptied = true;
            break;
        }
    }
    removed_signals(ctx, key, "zrem", removed, emptied);
    ctx.out.int(removed as i64);
    Ok(())
}

fn zcard(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let n = ctx.db().read::<RZSet>(argv[1], now)?.map_or(0, |z| z.len());
    ctx.out.int(n as i64);
    Ok(())
}

fn zscore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    match ctx.db().read::<RZSet>(argv[1], now)?.and_then(|z| z.score(argv[2])) {
        Some(score) => ctx.out.double(score),
        None => ctx.out.null(),
    }
    Ok(())
}

fn zmscore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let z = state.dbs[client.db].read::<RZSet>(argv[1], now)?;
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.and_then(|z| z.score(m)) {
            Some(score) => out.double(score),
            None => out.null(),
        }
    }
    Ok(())
}

fn rank_generic(ctx: &mut Ctx, argv: Args, rev: bool) -> Result<(), CmdError> {
    let now = ctx.now;
    let rank = ctx.db().read::<RZSet>(argv[1], now)?.and_then(|z| Some((z.rank(argv[2])?, z.len())));
    match rank {
        Some((r, len)) => ctx.out.int(if rev { len - 1 - r } else { r } as i64),
        None => ctx.out.null(),
    }
    Ok(())
}

fn zrank(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    rank_generic(ctx, argv, false)
}

fn zrevrank(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    rank_generic(ctx, argv, true)
}

// --- ranges: parsing the bounds (their meaning is storage/zset.rs's `Bounds`) ---

/// A score bound as `zslParseRange` reads it: an optional `(` for exclusive, then C `strtod` over the rest as a
/// C string. Looser than scores elsewhere: leading spaces, an empty string (0) and overflow (±inf) pass; only
/// trailing garbage and NaN fail.
fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let (text, exclusive) = match arg {
        [b'(', rest @ ..] => (rest, true),
        _ => (arg, false),
    };
    // The C string ends at the first NUL.
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let (value, consumed) = number::strtod_c(text);
    (consumed == text.len() && !value.is_nan()).then_some((value, exclusive))
}

fn parse_score_range<'a>(min: &[u8], max: &[u8]) -> Result<Bounds<'a>, CmdError> {
    match (parse_score_bound(min), parse_score_bound(max)) {
        (Some(min), Some(max)) => Ok(Bounds::Score(min, max)),
        _ => Err(error::ZSET_MIN_MAX_NOT_FLOAT),
    }
}

/// A lex bound (`zslParseLexRangeItem`): `+`, `-`, `[inclusive` or `(exclusive`. Redis tests `+`/`-` on the C
/// string, so a NUL right after them still counts as the end.
fn parse_lex_bound(arg: &[u8]) -> Option<LexBound<'_>> {
    let alone = arg.get(1).is_none_or(|&b| b == 0);
    match arg.first()? {
        b'+' if alone => Some(LexBound::Max),
        b'-' if alone => Some(LexBound::Min),
        b'(' => Some(LexBound::Exclusive(&arg[1..])),
        b'[' => Some(LexBound::Inclusive(&arg[1..])),
        _ => None,
    }
}

fn parse_lex_range<'a>(min: &'a [u8], max: &'a [u8]) -> Result<Bounds<'a>, CmdError> {
    match (parse_lex_bound(min), parse_lex_bound(max)) {
        (Some(min), Some(max)) => Ok(Bounds::Lex(min, max)),
        _ => Err(error::ZSET_MIN_MAX_NOT_STRING),
    }
}

fn zcount_generic(ctx: &mut Ctx, key: &[u8], bounds: Bounds) -> Result<(), CmdError> {
    let now = ctx.now;
    let n = ctx.db().read::<RZSet>(key, now)?.map_or(0, |z| {
        let (start, end) = bounds.interval(z, false);
        end.saturating_sub(start)
    });
    ctx.out.int(n as i64);
    Ok(())
}

fn zcount(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let bounds = parse_score_range(argv[2], argv[3])?;
    zcount_generic(ctx, argv[1], bounds)
}

fn zlexcount(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let bounds = parse_lex_range(argv[2], argv[3])?;
    zcount_generic(ctx, argv[1], bounds)
}

// --- ZRANGE and friends: one generic command ---

#[derive(Clone, Copy, PartialEq)]
enum RangeBy {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Redis's `zrangeGenericCommand`. `first` is the source key's position (1, or 2 for ZRANGESTORE); the older
/// commands fix `by` and/or `rev` (ZREVRANGE = Rank + rev), which then are not accepted as options.
fn zrange_generic(ctx: &mut Ctx, argv: Args, first: usize, by: RangeBy, rev: Option<bool>) -> Result<(), CmdError> {
    let dst = (first == 2).then(|| argv[1]);
    // None until the REV option (or the command) decides; options may not repeat what is already decided.
    let (mut by, mut rev) = (by, rev);
    let (mut withscores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut j = first + 3;
    while j < argv.len() {
        let (opt, left) = (argv[j], argv.len() - j - 1);
        if dst.is_none() && is(opt, "withscores") {
            withscores = true;
        } else if is(opt, "limit") && left >= 2 {
            offset = arg_i64(argv[j + 1])?;
            limit = arg_i64(argv[j + 2])?;
            j += 2;
        } else if rev.is_none() && is(opt, "rev") {
            rev = Some(true);
        } else if by == RangeBy::Auto && is(opt, "bylex") {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && is(opt, "byscore") {
            by = RangeBy::Score;
        } else {
            return Err(CmdError::Syntax);
        }
        j += 1;
    }
    let rev = rev.unwrap_or(false);
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    // A LIMIT of -1 counts as none, so ZRANGE k 0 -1 LIMIT 5 -1 is accepted (and ignored) as in Redis.
    if limit != -1 && by == RangeBy::Rank {
        return Err(error::ZSET_LIMIT_NEEDS_BY);
    }
    if withscores && by == RangeBy::Lex {
        return Err(error::ZSET_WITHSCORES_BYLEX);
    }
    // With REV, BYSCORE and BYLEX take the range as max then min.
    let (mut lo, mut hi) = (argv[first + 1], argv[first + 2]);
    if rev && by != RangeBy::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let bounds = match by {
        RangeBy::Score => parse_score_range(lo, hi)?,
        RangeBy::Lex => parse_lex_range(lo, hi)?,
        _ => Bounds::Rank(arg_i64(lo)?, arg_i64(hi)?),
    };
    let window = Window { rev, offset, limit: (by != RangeBy::Rank).then_some(limit) };
    match dst {
        Some(dst) => zrangestore_run(ctx, dst, argv[first], bounds, window),
        None => zrange_run(ctx, argv[first], bounds, window, withscores),
    }
}

/// Where a range is read from and how much of it: direction, and for BYSCORE/BYLEX the LIMIT.
#[derive(Clone, Copy)]
struct Window {
    rev: bool,
    offset: i64,
    /// None for rank ranges; a negative count means no limit.
    limit: Option<i64>,
}

impl Window {
    /// The ranks `start..end` to read (ascending), after LIMIT. A negative offset selects nothing: Redis walks
    /// past the end looking for it.
    fn apply(self, (start, end): (usize, usize)) -> (usize, usize) {
        let Some(limit) = self.limit else { return (start, end) };
        if self.offset < 0 || start >= end {
            return (0, 0);
        }
        let skip = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(limit).unwrap_or(usize::MAX);
        let available = (end - start).saturating_sub(skip);
        let n = available.min(take);
        if self.rev {
            let top = end - (end - start).min(skip);
            (top - n, top)
        } else {
            let from = start + (end - start).min(skip);
            (from, from + n)
        }
    }
}

/// The elements of a range, in reply order.
fn range_items(z: &RZSet, bounds: Bounds, w: Window) -> Vec<(Vec<u8>, f64)> {
    let (start, end) = w.apply(bounds.interval(z, w.rev));
    let mut items = Vec::with_capacity(end.saturating_sub(start).min(1024));
    z.for_range(start, end, w.rev, |m, s| items.push((m.to_vec(), s)));
    items
}

fn zrange_run(ctx: &mut Ctx, key: &[u8], bounds: Bounds, w: Window, withscores: bool) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(z) = state.dbs[client.db].read::<RZSet>(key, now)? else {
        out.array(0);
        return Ok(());
    };
    let (start, end) = w.apply(bounds.interval(z, w.rev));
    let shape = Shape::new(withscores, out);
    shape.header(out, end.saturating_sub(start));
    z.for_range(start, end, w.rev, |m, s| shape.element(out, m, s));
    Ok(())
}

fn zrangestore_run(ctx: &mut Ctx, dst: &[u8], key: &[u8], bounds: Bounds, w: Window) -> Result<(), CmdError> {
    let now = ctx.now;
    let items = ctx.db().read::<RZSet>(key, now)?.map(|z| range_items(z, bounds, w)).unwrap_or_default();
    store(ctx, dst, &items, "zrangestore");
    Ok(())
}

fn zrange(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Auto, None)
}

fn zrangestore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 2, RangeBy::Auto, None)
}

fn zrevrange(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Rank, Some(true))
}

fn zrangebyscore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Score, Some(false))
}

fn zrevrangebyscore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Score, Some(true))
}

fn zrangebylex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Lex, Some(false))
}

fn zrevrangebylex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zrange_generic(ctx, argv, 1, RangeBy::Lex, Some(true))
}

// --- range removal ---

/// `zremrangeGenericCommand`: bounds parsed first, then a write lookup; an emptied set is deleted.
fn zremrange_generic(ctx: &mut Ctx, key: &[u8], bounds: Bounds) -> Result<(), CmdError> {
    let now = ctx.now;
    let db = ctx.db();
    let Some(z) = db.write::<RZSet>(key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let event = match bounds {
        Bounds::Rank(..) => "zremrangebyrank",
        Bounds::Score(..) => "zremrangebyscore",
        Bounds::Lex(..) => "zremrangebylex",
    };
    let (start, end) = bounds.interval(z, false);
    let removed = z.remove_range(start, end);
    let emptied = z.is_empty();
    if emptied {
        db.remove(key);
    }
    removed_signals(ctx, key, event, removed as u64, emptied);
    ctx.out.int(removed as i64);
    Ok(())
}

fn zremrangebyscore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let bounds = parse_score_range(argv[2], argv[3])?;
    zremrange_generic(ctx, argv[1], bounds)
}

fn zremrangebyrank(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let bounds = Bounds::Rank(arg_i64(argv[2])?, arg_i64(argv[3])?);
    zremrange_generic(ctx, argv[1], bounds)
}

fn zremrangebylex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let bounds = parse_lex_range(argv[2], argv[3])?;
    zremrange_generic(ctx, argv[1], bounds)
}

/// The signals of a removal: `event` and a change per member removed, then `del` if the set went away;
/// nothing when nothing was removed.
fn removed_signals(ctx: &mut Ctx, key: &[u8], event: &str, removed: u64, emptied: bool) {
    if removed == 0 {
        return;
    }
    ctx.changed(class::ZSET, event, key);
    ctx.state.dirty += removed - 1;
    if emptied {
        ctx.notify(class::GENERIC, "del", key);
    }
}

// --- ZPOPMIN / ZPOPMAX ---

/// `zpopMinMaxCommand`: one optional count (any invalid one is "out of range, must be positive"). Without a
/// count the reply is one flat pair; with one, RESP3 nests each pair.
fn zpop_generic(ctx: &mut Ctx, argv: Args, max: bool) -> Result<(), CmdError> {
    if argv.len() > 3 {
        return Err(CmdError::Syntax);
    }
    let count = match argv.get(2).map(|c| arg_i64(c)) {
        None => None,
        Some(Ok(n)) if n >= 0 => Some(n as u64),
        Some(_) => return Err(error::NOT_POSITIVE),
    };
    let key = argv[1];
    let now = ctx.now;
    if ctx.db().write::<RZSet>(key, now)?.is_none() || count == Some(0) {
        ctx.out.array(0);
        return Ok(());
    }
    let shape = if ctx.out.resp3 && count.is_some() { Shape::Nested } else { Shape::Flat };
    pop(ctx, key, count.unwrap_or(1), max, shape);
    Ok(())
}

/// Pops up to `count` elements from the low (or high, `max`) end of the sorted set at `key`, which exists, as an
/// array of `shape`d elements; deletes the key once empty and signals the change. Returns how many it popped.
fn pop(ctx: &mut Ctx, key: &[u8], count: u64, max: bool, shape: Shape) -> usize {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let db = &mut state.dbs[client.db];
    let Ok(Some(z)) = db.write::<RZSet>(key, now) else { return 0 };
    let len = z.len();
    let n = count.min(len as u64) as usize;
    shape.header(out, n);
    let (start, end) = if max { (len - n, len) } else { (0, n) };
    z.for_range(start, end, max, |m, s| shape.element(out, m, s));
    z.remove_range(start, end);
    let emptied = z.is_empty();
    if emptied {
        db.remove(key);
    }
    removed_signals(ctx, key, if max { "zpopmax" } else { "zpopmin" }, n as u64, emptied);
    n
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first of the keys holding a sorted set, as
/// `[key, [[member, score], ...]]`, or a null array when none does. Recorded as ZPOPMIN/ZPOPMAX of that key.
fn zmpop(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (max, where_at, count) = super::mpop_args(argv, |w| match w {
        w if is(w, "min") => Ok(false),
        w if is(w, "max") => Ok(true),
        _ => Err(CmdError::Syntax),
    })?;
    let count = count as u64;
    let now = ctx.now;
    for key in &argv[2..where_at] {
        if ctx.db().write::<RZSet>(key, now)?.is_none() {
            continue;
        }
        ctx.out.array(2);
        ctx.out.bulk(key);
        let popped = pop(ctx, key, count, max, Shape::Nested);
        let mut digits = itoa::Buffer::new();
        let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
        ctx.propagate_as(&[name, key, digits.format(popped).as_bytes()]);
        return Ok(());
    }
    ctx.out.null_array();
    Ok(())
}

fn zpopmin(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zpop_generic(ctx, argv, false)
}

fn zpopmax(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    zpop_generic(ctx, argv, true)
}

// --- ZRANDMEMBER ---

/// The largest |count| accepted with WITHSCORES (Redis guards the doubled reply length: ±LONG_MAX/2).
const WITHSCORES_MAX_COUNT: i64 = i64::MAX / 2;

fn zrandmember(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Some(count) = argv.get(2) else {
        let Ctx { state, client, out, .. } = ctx;
        match state.dbs[client.db].read::<RZSet>(argv[1], now)?.and_then(|z| z.random(&mut state.rng)) {
            Some((m, _)) => out.bulk(m),
            None => out.null(),
        }
        return Ok(());
    };
    let count = match arg_i64(count)? {
        i64::MIN => return Err(error::COUNT_RANGE),
        n => n,
    };
    let withscores = match argv.get(3) {
        None => false,
        Some(opt) if argv.len() == 4 && is(opt, "withscores") => true,
        Some(_) => return Err(CmdError::Syntax),
    };
    if withscores && !(-WITHSCORES_MAX_COUNT..=WITHSCORES_MAX_COUNT).contains(&count) {
        return Err(error::HASH_WITHVALUES_COUNT_RANGE);
    }
    zrandmember_count(ctx, argv[1], count, withscores)
}

/// `zrandmemberWithCountCommand`'s cases: a negative count (or 1) draws independently; a count covering the set
/// returns it whole (in descending order: Redis iterates from the tail); otherwise `count` distinct members.
fn zrandmember_count(ctx: &mut Ctx, key: &[u8], count: i64, withscores: bool) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    let State { dbs, rng, config, .. } = &mut **state;
    let Some(z) = dbs[client.db].read::<RZSet>(key, *now)? else {
        out.array(0);
        return Ok(());
    };
    let (n, distinct) = (count.unsigned_abs(), count >= 0);
    let shape = Shape::new(withscores, out);
    if n == 0 {
        out.array(0);
        return Ok(());
    }
    if !distinct || n == 1 {
        let draw = |out: &mut Out| {
            if let Some((m, s)) = z.random(rng) {
                shape.element(out, m, s);
            }
        };
        reply_draws(config, out, client, n, |out, n| shape.header(out, n), draw);
        return Ok(());
    }
    let size = z.len();
    if n >= size as u64 {
        shape.header(out, size);
        z.for_range(0, size, true, |m, s| shape.element(out, m, s));
        return Ok(());
    }
    // From here n < size: every buffer is bounded by the set's own size.
    let picked = distinct_members(z, n as usize, rng);
    shape.header(out, picked.len());
    picked.into_iter().for_each(|(m, s)| shape.element(out, m, s));
    Ok(())
}

/// `count < z.len()` distinct random elements; a listpack replies them in its own order (as Redis's
/// `lpRandomPairsUnique` picks them), a skiplist in random order.
fn distinct_members<'a>(z: &'a RZSet, count: usize, rng: &mut fastrand::Rng) -> Vec<(&'a [u8], f64)> {
    let mut picked = random::distinct_positions(z.len(), count, rng);
    if z.encoding() == "listpack" {
        picked.sort_unstable();
    }
    picked.into_iter().filter_map(|rank| z.get(rank)).collect()
}

// --- the algebra: ZUNION / ZINTER / ZDIFF and their STORE / CARD variants ---

/// An input of the algebra: a sorted set, or a set whose members all score 1, as Redis allows.
#[derive(Clone, Copy)]
enum Source<'a> {
    Missing,
    ZSet(&'a RZSet),
    Set(&'a RSet),
}

impl Source<'_> {
    fn len(self) -> usize {
        match self {
            Source::Missing => 0,
            Source::ZSet(z) => z.len(),
            Source::Set(s) => s.len(),
        }
    }

    fn score(self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::ZSet(z) => z.score(member),
            Source::Set(s) => s.contains(Member::Bytes(member)).then_some(1.0),
        }
    }

    fn for_each(self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Source::Missing => {}
            Source::ZSet(z) => z.iter().for_each(|(m, s)| f(m, s)),
            Source::Set(s) => {
                let mut scratch = itoa::Buffer::new();
                s.iter().for_each(|m| f(m.as_bytes(&mut scratch), 1.0));
            }
        }
    }

    /// The same key given twice (Redis compares the objects).
    fn same(self, other: Source) -> bool {
        match (self, other) {
            (Source::ZSet(a), Source::ZSet(b)) => std::ptr::eq(a, b),
            (Source::Set(a), Source::Set(b)) => std::ptr::eq(a, b),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// `zunionInterAggregate`: a NaN sum (inf + -inf) is 0; MIN/MAX keep the target when `v` is NaN.
    fn apply(self, target: &mut f64, v: f64) {
        match self {
            Aggregate::Sum => {
                *target += v;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => *target = if v < *target { v } else { *target },
            Aggregate::Max => *target = if v > *target { v } else { *target },
        }
    }
}

/// What the command does with the result.
#[derive(Clone, Copy, PartialEq)]
enum Output<'a> {
    Reply,
    Store(&'a [u8]),
    /// ZINTERCARD.
    Card,
}

/// The options after the keys.
struct AlgebraOptions {
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    /// ZINTERCARD's LIMIT, 0 = none.
    limit: usize,
}

/// Redis's `zunionInterDiffGenericCommand`: numkeys, then every key's type (WRONGTYPE wins over option errors),
/// then the options, then the operation.
fn algebra_generic(
    ctx: &mut Ctx,
    argv: Args,
    numkeys_at: usize,
    op: SetOp,
    output: Output,
    no_keys: CmdError,
) -> Result<(), CmdError> {
    let numkeys = arg_i64(argv[numkeys_at])?;
    if numkeys < 1 {
        return Err(no_keys);
    }
    let first_key = numkeys_at + 1;
    if numkeys as u64 > (argv.len() - first_key) as u64 {
        return Err(CmdError::Syntax);
    }
    let keys = &argv[first_key..first_key + numkeys as usize];
    let now = ctx.now;
    let db = ctx.db();
    for key in keys {
        if db.get(key, now).is_some_and(|e| !matches!(e.value, Value::ZSet(_) | Value::Set(_))) {
            return Err(CmdError::WrongType);
        }
    }
    let opts = parse_algebra_options(&argv[first_key + keys.len()..], keys.len(), op, output)?;
    let db = &ctx.state.dbs[ctx.client.db];
    let sources: Vec<Source> = keys
        .iter()
        .map(|k| match db.get_ref(k, now).map(|e| &e.value) {
            Some(Value::ZSet(z)) => Source::ZSet(z),
            Some(Value::Set(s)) => Source::Set(s),
            _ => Source::Missing,
        })
        .collect();
    if output == Output::Card {
        let n = intersection_card(&sources, opts.limit);
        ctx.out.int(n as i64);
        return Ok(());
    }
    let items = match op {
        SetOp::Union => union(&sources, &opts),
        SetOp::Inter => intersection(&sources, &opts),
        SetOp::Diff => difference(&sources),
    };
    match output {
        Output::Store(dst) => {
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            store(ctx, dst, &items, event)
        }
        _ => {
            let shape = Shape::new(opts.withscores, ctx.out);
            shape.header(ctx.out, items.len());
            items.iter().for_each(|(m, s)| shape.element(ctx.out, m, *s));
        }
    }
    Ok(())
}

fn parse_algebra_options(args: Args, numkeys: usize, op: SetOp, output: Output) -> Result<AlgebraOptions, CmdError> {
    let mut o = AlgebraOptions { weights: vec![1.0; numkeys], aggregate: Aggregate::Sum, withscores: false, limit: 0 };
    let scored = op != SetOp::Diff && output != Output::Card;
    let mut j = 0;
    while j < args.len() {
        let (opt, remaining) = (args[j], args.len() - j);
        if scored && remaining > numkeys && is(opt, "weights") {
            for (w, arg) in o.weights.iter_mut().zip(&args[j + 1..]) {
                *w = number::parse_f64(arg).ok_or(error::ZSET_WEIGHT_NOT_FLOAT)?;
            }
            j += 1 + numkeys;
        } else if scored && remaining >= 2 && is(opt, "aggregate") {
            o.aggregate = match args[j + 1] {
                a if is(a, "sum") => Aggregate::Sum,
                a if is(a, "min") => Aggregate::Min,
                a if is(a, "max") => Aggregate::Max,
                _ => return Err(CmdError::Syntax),
            };
            j += 2;
        } else if output == Output::Reply && is(opt, "withscores") {
            o.withscores = true;
            j += 1;
        } else if output == Output::Card && remaining >= 2 && is(opt, "limit") {
            o.limit = match arg_i64(args[j + 1]) {
                Ok(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                _ => return Err(error::SET_LIMIT_NEGATIVE),
            };
            j += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(o)
}

/// A weighted score; NaN (0 * inf) counts as 0.
fn weighted(score: f64, weight: f64) -> f64 {
    let v = score * weight;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// Sorts a result into Redis's order.
fn sorted(mut items: Vec<(Vec<u8>, f64)>) -> Vec<(Vec<u8>, f64)> {
    items.sort_by(|a, b| zset::cmp(a.1, &a.0, b.1, &b.0));
    items
}

/// The inputs with their weights, smallest first (a stable sort, as glibc's qsort: the order in which scores are
/// summed decides the last bits of a SUM).
fn by_size<'a>(sources: &[Source<'a>], weights: &[f64]) -> Vec<(Source<'a>, f64)> {
    let mut inputs: Vec<(Source, f64)> = sources.iter().copied().zip(weights.iter().copied()).collect();
    inputs.sort_by_key(|(s, _)| s.len());
    inputs
}

fn union(sources: &[Source], o: &AlgebraOptions) -> Vec<(Vec<u8>, f64)> {
    let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
    for (src, weight) in by_size(sources, &o.weights) {
        src.for_each(|m, s| {
            let v = weighted(s, weight);
            match acc.get_mut(m) {
                Some(target) => o.aggregate.apply(target, v),
                None => {
                    acc.insert(m.to_vec(), v);
                }
            }
        });
    }
    sorted(acc.into_iter().collect())
}

/// Calls `f` with each element of the smallest input that every input holds, and its aggregated score.
fn for_each_common(inputs: &[(Source, f64)], aggregate: Aggregate, mut f: impl FnMut(&[u8], f64) -> bool) {
    let Some(&(first, w0)) = inputs.first() else { return };
    let mut go_on = true;
    first.for_each(|m, s| {
        if !go_on {
            return;
        }
        let mut score = weighted(s, w0);
        for &(src, w) in &inputs[1..] {
            // Not NaN-cleaned here, as in Redis: MIN/MAX then keep the score so far.
            let value = match if src.same(first) { Some(s) } else { src.score(m) } {
                Some(v) => v * w,
                None => return,
            };
            aggregate.apply(&mut score, value);
        }
        go_on = f(m, score);
    });
}

fn intersection(sources: &[Source], o: &AlgebraOptions) -> Vec<(Vec<u8>, f64)> {
    let inputs = by_size(sources, &o.weights);
    let mut items = Vec::new();
    for_each_common(&inputs, o.aggregate, |m, s| {
        items.push((m.to_vec(), s));
        true
    });
    sorted(items)
}

fn intersection_card(sources: &[Source], limit: usize) -> usize {
    let inputs = by_size(sources, &vec![1.0; sources.len()]);
    let mut n = 0;
    for_each_common(&inputs, Aggregate::Sum, |_, _| {
        n += 1;
        limit == 0 || n < limit
    });
    n
}

/// The first input's elements that no other input holds (nothing when the first key is repeated).
fn difference(sources: &[Source]) -> Vec<(Vec<u8>, f64)> {
    let Some((&first, others)) = sources.split_first() else { return Vec::new() };
    if others.iter().any(|o| o.same(first)) {
        return Vec::new();
    }
    let mut items = Vec::new();
    first.for_each(|m, s| {
        if others.iter().all(|o| o.score(m).is_none()) {
            items.push((m.to_vec(), s));
        }
    });
    sorted(items)
}

fn zunion(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 1, SetOp::Union, Output::Reply, error::ZSET_ZUNION_NO_KEYS)
}

fn zunionstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 2, SetOp::Union, Output::Store(argv[1]), error::ZSET_ZUNIONSTORE_NO_KEYS)
}

fn zinter(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 1, SetOp::Inter, Output::Reply, error::ZSET_ZINTER_NO_KEYS)
}

fn zinterstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 2, SetOp::Inter, Output::Store(argv[1]), error::ZSET_ZINTERSTORE_NO_KEYS)
}

fn zintercard(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 1, SetOp::Inter, Output::Card, error::ZSET_ZINTERCARD_NO_KEYS)
}

fn zdiff(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 1, SetOp::Diff, Output::Reply, error::ZSET_ZDIFF_NO_KEYS)
}

fn zdiffstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    algebra_generic(ctx, argv, 2, SetOp::Diff, Output::Store(argv[1]), error::ZSET_ZDIFFSTORE_NO_KEYS)
}

// --- ZSCAN ---

/// A score as ZSCAN prints it: a listpack returns the stored text, where integral scores within ±2^62 are
/// integers (`double2ll`); the large encoding prints `%.17g`. Bulk strings in RESP3 too.
fn scan_score(score: f64, listpack: bool, buf: &mut Vec<u8>) {
    const INT_RANGE: f64 = (i64::MAX / 2) as f64;
    buf.clear();
    if score.is_infinite() {
        buf.extend_from_slice(if score > 0.0 { b"inf" } else { b"-inf" });
    } else if listpack && (-INT_RANGE..=INT_RANGE).contains(&score) && score == (score as i64) as f64 {
        number::push_i64(score as i64, buf);
    } else {
        number::format_g17(score, buf);
    }
}

fn zscan(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let cursor = parse_cursor(argv[2])?;
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(z) = state.dbs[client.db].read::<RZSet>(argv[1], now)? else {
        // A missing key ends the scan before the options are read, as in Redis.
        reply_scan_header(out, 0, 0);
        return Ok(());
    };
    let opts = ScanOptions::parse(&argv[3..], false)?;
    let mut found = Vec::new();
    let next = z.scan(cursor, opts.count, |m, s| {
        if opts.matches(m) {
            found.push((m.to_vec(), s));
        }
    });
    let listpack = z.encoding() == "listpack";
    reply_scan_header(out, next, found.len() * 2);
    let mut text = Vec::new();
    for (m, s) in found {
        out.bulk(&m);
        scan_score(s, listpack, &mut text);
        out.bulk(&text);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits { max_entries: 3, max_value: 8 };

    fn zset(items: &[(&str, f64)], limits: Limits) -> RZSet {
        let mut z = RZSet::new();
        for (m, s) in items {
            z.insert(m.as_bytes(), *s, limits);
        }
        z
    }

    fn members(z: &RZSet, bounds: Bounds, w: Window) -> Vec<String> {
        range_items(z, bounds, w).into_iter().map(|(m, _)| String::from_utf8(m).unwrap()).collect()
    }

    #[test]
    fn score_bounds_follow_strtod() {
        assert_eq!(parse_score_bound(b"1.5"), Some((1.5, false)));
        assert_eq!(parse_score_bound(b"(1"), Some((1.0, true)));
        assert_eq!(parse_score_bound(b" 1"), Some((1.0, false)));
        assert_eq!(parse_score_bound(b""), Some((0.0, false)));
        assert_eq!(parse_score_bound(b"("), Some((0.0, true)));
        assert_eq!(parse_score_bound(b"-inf"), Some((f64::NEG_INFINITY, false)));
        assert_eq!(parse_score_bound(b"1e400"), Some((f64::INFINITY, false)));
        assert_eq!(parse_score_bound(b"1\x00junk"), Some((1.0, false)));
        for bad in [&b"nan"[..], b"(nan", b"1x", b"[1", b"1 "] {
            assert_eq!(parse_score_bound(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn lex_bounds() {
        assert_eq!(parse_lex_bound(b"+"), Some(LexBound::Max));
        assert_eq!(parse_lex_bound(b"-"), Some(LexBound::Min));
        assert_eq!(parse_lex_bound(b"+\x00x"), Some(LexBound::Max));
        assert_eq!(parse_lex_bound(b"[a"), Some(LexBound::Inclusive(b"a")));
        assert_eq!(parse_lex_bound(b"("), Some(LexBound::Exclusive(b"")));
        for bad in [&b""[..], b"a", b"+a", b"-a"] {
            assert_eq!(parse_lex_bound(bad), None);
        }
    }

    #[test]
    fn ranges_in_both_encodings() {
        let items = [("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)];
        for limits in [NO_LIMITS, SMALL] {
            let z = zset(&items, limits);
            let all = Window { rev: false, offset: 0, limit: Some(-1) };
            let score = Bounds::Score((2.0, false), (4.0, true));
            assert_eq!(members(&z, score, all), ["b", "c"]);
            assert_eq!(members(&z, score, Window { rev: true, ..all }), ["c", "b"]);
            let wide = Bounds::Score((f64::NEG_INFINITY, false), (f64::INFINITY, false));
            assert_eq!(members(&z, wide, Window { offset: 1, limit: Some(2), ..all }), ["b", "c"]);
            assert_eq!(members(&z, wide, Window { rev: true, offset: 1, limit: Some(2) }), ["d", "c"]);
            assert!(members(&z, wide, Window { offset: -1, ..all }).is_empty());
            assert!(members(&z, wide, Window { offset: 9, ..all }).is_empty());
            let ranks = Window { rev: true, offset: 0, limit: None };
            assert_eq!(members(&z, Bounds::Rank(0, 1), ranks), ["e", "d"]);
            assert_eq!(members(&z, Bounds::Rank(-2, -1), Window { rev: false, ..ranks }), ["d", "e"]);
            let lex = Bounds::Lex(LexBound::Exclusive(b"a"), LexBound::Inclusive(b"c"));
            assert_eq!(lex.interval(&zset(&items.map(|(m, _)| (m, 0.0)), limits), false), (1, 3));
        }
    }

    #[test]
    fn listpack_drops_the_sign_of_zero() {
        let z = zset(&[("a", -0.0)], NO_LIMITS);
        assert!(z.score(b"a").unwrap().is_sign_positive());
        let z = zset(&[("a", -0.0), ("b", 1.0), ("c", 2.0), ("d", 3.0)], SMALL);
        assert_eq!(z.encoding(), "skiplist");
        assert!(z.score(b"a").unwrap().is_sign_positive(), "converted from the listpack that stored 0");
        let mut z = zset(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)], SMALL);
        z.insert(b"a", -0.0, SMALL);
        assert!(z.score(b"a").unwrap().is_sign_negative());
    }

    #[test]
    fn updates_never_convert() {
        let mut z = zset(&[("a", 1.0), ("b", 2.0), ("c", 3.0)], SMALL);
        let lower = Limits { max_entries: 1, max_value: 1 };
        assert!(matches!(add_one(&mut z, b"c", 9.0, AddFlags::default(), lower), Ok(Added::Updated(_))));
        assert_eq!(z.encoding(), "listpack");
        assert!(matches!(add_one(&mut z, b"dd", 9.0, AddFlags::default(), lower), Ok(Added::New(_))));
        assert_eq!(z.encoding(), "skiplist");
    }

    #[test]
    fn scan_scores_print_like_redis() {
        let text = |s: f64, lp: bool| {
            let mut v = Vec::new();
            scan_score(s, lp, &mut v);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(text(123456789012345678.0, true), "123456789012345680");
        assert_eq!(text(123456789012345678.0, false), "1.2345678901234568e+17");
        assert_eq!(text(4611686018427387904.0, true), "4611686018427387904");
        assert_eq!(text(1e19, true), "1e+19");
        assert_eq!(text(0.1, true), "0.10000000000000001");
        assert_eq!(text(f64::NEG_INFINITY, true), "-inf");
        assert_eq!(text(-0.0, false), "-0");
    }

    #[test]
    fn aggregates() {
        let mut t = f64::INFINITY;
        Aggregate::Sum.apply(&mut t, f64::NEG_INFINITY);
        assert_eq!(t, 0.0);
        let mut t = 1.0;
        Aggregate::Min.apply(&mut t, f64::NAN);
        assert_eq!(t, 1.0);
        Aggregate::Max.apply(&mut t, 3.0);
        assert_eq!(t, 3.0);
        assert_eq!(weighted(f64::INFINITY, 0.0), 0.0);
    }

    #[test]
    fn distinct_members_are_distinct_and_uniform() {
        let items: Vec<(String, f64)> = (0..12).map(|i| (format!("m{i}"), i as f64)).collect();
        let refs: Vec<(&str, f64)> = items.iter().map(|(m, s)| (m.as_str(), *s)).collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for limits in [NO_LIMITS, SMALL] {
            let z = zset(&refs, limits);
            // Both strategies: count*3 > size (drop from a copy) and count*3 <= size (draw until distinct).
            for count in [9, 3] {
                let mut hits: HashMap<Vec<u8>, u32> = HashMap::new();
                let rounds = 6000;
                for _ in 0..rounds {
                    let picked = distinct_members(&z, count, &mut rng);
                    let unique: std::collections::HashSet<_> = picked.iter().map(|(m, _)| *m).collect();
                    assert_eq!((picked.len(), unique.len()), (count, count));
                    for (m, s) in picked {
                        assert_eq!(z.score(m), Some(s));
                        *hits.entry(m.to_vec()).or_default() += 1;
                    }
                }
                let expected = rounds as f64 * count as f64 / 12.0;
                for h in hits.values() {
                    assert!((*h as f64 - expected).abs() < 5.0 * expected.sqrt(), "{h} vs {expected}");
                }
            }
        }
    }
}
