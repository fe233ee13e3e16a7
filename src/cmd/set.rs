//! Sets: membership, random members, the algebra (SINTER/SUNION/SDIFF and their STORE/CARD variants) and SSCAN.
//! Semantics follow Redis 7.0's t_set.c, including which strategy SPOP and SDIFF pick, since that decides the
//! encoding of what they leave behind.

use super::{arg_i64, is, parse_cursor, reply_draws, reply_scan_header, Args, ScanOptions};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::Out;
use crate::pubsub::keyspace::class;
use crate::storage::random;
use crate::storage::set::{Intset, Member};
use crate::storage::{Db, RSet, Value};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("sadd", -3, WRITE | DENYOOM | FAST, (1, 1, 1), sadd).group("set"),
    CommandSpec::new("srem", -3, WRITE | FAST, (1, 1, 1), srem).group("set"),
    CommandSpec::new("smembers", 2, READONLY, (1, 1, 1), smembers).group("set"),
    CommandSpec::new("sismember", 3, READONLY | FAST, (1, 1, 1), sismember).group("set"),
    CommandSpec::new("smismember", -3, READONLY | FAST, (1, 1, 1), smismember).group("set"),
    CommandSpec::new("scard", 2, READONLY | FAST, (1, 1, 1), scard).group("set"),
    CommandSpec::new("spop", -2, WRITE | FAST, (1, 1, 1), spop).group("set"),
    CommandSpec::new("srandmember", -2, READONLY, (1, 1, 1), srandmember).group("set"),
    CommandSpec::new("smove", 4, WRITE | FAST, (1, 2, 1), smove).group("set"),
    CommandSpec::new("sinter", -2, READONLY, (1, -1, 1), sinter).group("set"),
    CommandSpec::new("sintercard", -3, READONLY, (0, 0, 0), sintercard).numkeys_at(1).group("set"),
    CommandSpec::new("sinterstore", -3, WRITE | DENYOOM, (1, -1, 1), sinterstore).group("set"),
    CommandSpec::new("sunion", -2, READONLY, (1, -1, 1), sunion).group("set"),
    CommandSpec::new("sunionstore", -3, WRITE | DENYOOM, (1, -1, 1), sunionstore).group("set"),
    CommandSpec::new("sdiff", -2, READONLY, (1, -1, 1), sdiff).group("set"),
    CommandSpec::new("sdiffstore", -3, WRITE | DENYOOM, (1, -1, 1), sdiffstore).group("set"),
    CommandSpec::new("sscan", -3, READONLY, (1, 1, 1), sscan).group("set"),
];

// --- lookups and replies ---

fn reply_member(out: &mut Out, m: Member) {
    match m {
        Member::Int(n) => out.bulk_i64(n),
        Member::Bytes(b) => out.bulk(b),
    }
}

/// A whole set as a set reply (`~` in RESP3), in the set's own order: ascending for an intset.
fn reply_set(out: &mut Out, set: &RSet) {
    out.set(set.len());
    set.iter().for_each(|m| reply_member(out, m));
}

// --- single-key commands ---

fn sadd(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, members, now) = (argv[1], &argv[2..], ctx.now);
    let max = ctx.state.config.set_max_intset_entries;
    let db = ctx.db();
    let add_all = |set: &mut RSet| members.iter().filter(|m| set.add(Member::Bytes(m), max)).count();
    let added = match db.write::<RSet>(key, now)? {
        Some(set) => add_all(set),
        None => {
            let mut set = RSet::new_for(Member::Bytes(members[0]));
            let added = add_all(&mut set);
            db.set(key, Value::Set(set), false, now);
            added
        }
    };
    if added > 0 {
        ctx.changed(class::SET, "sadd", key);
        ctx.state.dirty += added as u64 - 1;
    }
    ctx.out.int(added as i64);
    Ok(())
}

fn srem(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    let Some(set) = db.write::<RSet>(key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let removed = argv[2..].iter().filter(|m| set.remove(Member::Bytes(m))).count();
    let emptied = set.is_empty();
    if emptied {
        db.remove(key);
    }
    if removed > 0 {
        ctx.changed(class::SET, "srem", key);
        ctx.state.dirty += removed as u64 - 1;
        if emptied {
            ctx.notify(class::GENERIC, "del", key);
        }
    }
    ctx.out.int(removed as i64);
    Ok(())
}

/// SINTER of one key (Redis 7.0 runs SMEMBERS as SINTER), without the multi-key machinery.
fn smembers(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    match state.dbs[client.db].read::<RSet>(argv[1], now)? {
        Some(set) => reply_set(out, set),
        None => out.set(0),
    }
    Ok(())
}

fn sismember(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let found = ctx.db().read::<RSet>(argv[1], now)?.is_some_and(|s| s.contains(Member::Bytes(argv[2])));
    ctx.out.int(found as i64);
    Ok(())
}

fn smismember(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let set = state.dbs[client.db].read::<RSet>(argv[1], now)?;
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        out.int(set.is_some_and(|s| s.contains(Member::Bytes(m))) as i64);
    }
    Ok(())
}

fn scard(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let n = ctx.db().read::<RSet>(argv[1], now)?.map_or(0, |s| s.len());
    ctx.out.int(n as i64);
    Ok(())
}

fn smove(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (src, dst, member, now) = (argv[1], argv[2], Member::Bytes(argv[3]), ctx.now);
    let max = ctx.state.config.set_max_intset_entries;
    let db = ctx.db();
    // A missing source answers 0 before the destination's type is looked at.
    if db.write::<RSet>(src, now)?.is_none() {
        ctx.out.int(0);
        return Ok(());
    }
    let dst_exists = db.write::<RSet>(dst, now)?.is_some();
    if src == dst {
        let found = db.read::<RSet>(src, now)?.is_some_and(|s| s.contains(member));
        ctx.out.int(found as i64);
        return Ok(());
    }
    let Some(moved) = move_member(db, src, dst, dst_exists, member, max, now) else {
        ctx.out.int(0);
        return Ok(());
    };
    // The source always changed; the destination only if it did not hold the member already.
    ctx.notify(class::SET, "srem", src);
    if moved.src_emptied {
        ctx.notify(class::GENERIC, "del", src);
    }
    ctx.modified(src);
    if moved.dst_added {
        ctx.changed(class::SET, "sadd", dst);
    }
    ctx.out.int(1);
    Ok(())
}

/// What SMOVE did to its two keys.
struct Moved {
    src_emptied: bool,
    dst_added: bool,
}

/// SMOVE between two distinct keys whose types have been checked. None if the source lacks the member.
fn move_member(db: &mut Db, src: &[u8], dst: &[u8], dst_exists: bool, m: Member, max: u64, now: i64) -> Option<Moved> {
    let set = db.write::<RSet>(src, now).ok()??;
    if !set.remove(m) {
        return None;
    }
    let src_emptied = set.is_empty();
    if src_emptied {
        db.remove(src);
    }
    if !dst_exists {
        db.set(dst, Value::Set(RSet::new_for(m)), false, now);
    }
    let dst_added = db.write::<RSet>(dst, now).ok().flatten().is_some_and(|set| set.add(m, max));
    Some(Moved { src_emptied, dst_added })
}

// --- random members ---

/// SPOP's and SRANDMEMBER's optional count: only one argument after the key.
fn random_count<'b>(argv: Args<'_, 'b>) -> Result<Option<&'b [u8]>, CmdError> {
    match argv.len() {
        2 => Ok(None),
        3 => Ok(Some(argv[2])),
        _ => Err(CmdError::Syntax),
    }
}

fn spop(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if let Some(count) = random_count(argv)? {
        return spop_count(ctx, argv[1], count);
    }
    let (key, now) = (argv[1], ctx.now);
    let Ctx { state, client, out, .. } = ctx;
    let db = &mut state.dbs[client.db];
    let Some(set) = db.write::<RSet>(key, now)? else {
        out.null();
        return Ok(());
    };
    let member = set.pop_random(&mut state.rng);
    if let Some(m) = &member {
        reply_member(out, m.as_member());
    }
    let emptied = set.is_empty();
    if emptied {
        db.remove(key);
    }
    popped(ctx, key, 1, emptied);
    if let Some(m) = member {
        // Recorded as what it removed: a replay must not choose again.
        ctx.propagate_as(&[b"SREM", key, m.as_member().as_bytes(&mut itoa::Buffer::new())]);
    }
    Ok(())
}

/// SPOP's signals: `spop`, then `del` when the set went away; one change per member popped.
fn popped(ctx: &mut Ctx, key: &[u8], n: u64, emptied: bool) {
    ctx.changed(class::SET, "spop", key);
    ctx.state.dirty += n - 1;
    if emptied {
        ctx.notify(class::GENERIC, "del", key);
    }
}

/// When the set is more than this many times larger than what stays, SPOP pops members one by one; otherwise
/// it builds a new set of the members that stay (Redis's SPOP_MOVE_STRATEGY_MUL).
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

fn spop_count(ctx: &mut Ctx, key: &[u8], count: &[u8]) -> Result<(), CmdError> {
    let count = match super::arg_i64(count) {
        Ok(n) if n >= 0 => n as u64,
        _ => return Err(error::NOT_POSITIVE),
    };
    let (now, max) = (ctx.now, ctx.state.config.set_max_intset_entries);
    let Ctx { state, client, out, .. } = ctx;
    let db = &mut state.dbs[client.db];
    let Some(set) = db.write::<RSet>(key, now)? else {
        out.set(0);
        return Ok(());
    };
    if count == 0 {
        out.set(0);
        return Ok(());
    }
    let size = set.len();
    if count >= size as u64 {
        // Everything: replied as SUNION would (re-encoded under the current limit), then the key goes.
        let all = union(&[Some(&*set)], max);
        reply_set(out, &all);
        db.remove(key);
        popped(ctx, key, size as u64, true);
        ctx.propagate_as(&[b"DEL", key]);
        return Ok(());
    }
    let count = count as usize;
    let remaining = size - count;
    let rng = &mut state.rng;
    // The members taken, for the AOF: one `SREM key member` each, as Redis records it (the unit makes them
    // one MULTI/EXEC). Kept only while effects are recorded.
    let mut taken: Option<Vec<Vec<u8>>> = state.effects.enabled.then(|| Vec::with_capacity(count.min(1024)));
    out.set(count);
    let mut take = |m: Member| {
        reply_member(out, m);
        if let Some(taken) = &mut taken {
            taken.push(m.as_bytes(&mut itoa::Buffer::new()).to_vec());
        }
    };
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        for _ in 0..count {
            if let Some(m) = set.pop_random(rng) {
                take(m.as_member());
            }
        }
    } else {
        // Move the few members that stay to a new set (whose encoding starts over: a hashtable of integers
        // can come back as an intset), reply with what is left in the old one.
        let mut kept: Option<RSet> = None;
        for _ in 0..remaining {
            if let Some(m) = set.pop_random(rng) {
                kept.get_or_insert_with(|| RSet::new_for(m.as_member())).add(m.as_member(), max);
            }
        }
        set.iter().for_each(&mut take);
        if let Some(kept) = kept {
            *set = kept;
        }
    }
    popped(ctx, key, count as u64, false);
    for member in taken.into_iter().flatten() {
        ctx.propagate_as(&[b"SREM", key, &member]);
    }
    Ok(())
}

fn srandmember(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if let Some(count) = random_count(argv)? {
        return srandmember_count(ctx, argv[1], count);
    }
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    match state.dbs[client.db].read::<RSet>(argv[1], now)?.and_then(|s| s.random(&mut state.rng)) {
        Some(m) => reply_member(out, m),
        None => out.null(),
    }
    Ok(())
}

fn srandmember_count(ctx: &mut Ctx, key: &[u8], count: &[u8]) -> Result<(), CmdError> {
    let n = arg_i64(count)?;
    if n == i64::MIN {
        return Err(error::COUNT_RANGE);
    }
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let crate::engine::state::State { dbs, rng, config, .. } = &mut **state;
    let Some(set) = dbs[client.db].read::<RSet>(key, now)? else {
        out.array(0);
        return Ok(());
    };
    let (count, distinct) = (n.unsigned_abs(), n >= 0);
    if count == 0 {
        out.array(0);
        return Ok(());
    }
    if !distinct || count == 1 {
        let draw = |out: &mut Out| {
            if let Some(m) = set.random(rng) {
                reply_member(out, m);
            }
        };
        reply_draws(config, out, client, count, |out, n| out.array(n), draw);
        return Ok(());
    }
    let size = set.len();
    if count >= size as u64 {
        out.array(size);
        set.iter().for_each(|m| reply_member(out, m));
        return Ok(());
    }
    // From here count < size: every buffer below is bounded by the set's own size.
    let picked = random::distinct_positions(size, count as usize, rng);
    out.array(picked.len());
    for i in picked {
        if let Some(m) = set.get(i) {
            reply_member(out, m);
        }
    }
    Ok(())
}

// --- the algebra ---

/// Runs `f` over the sets at `keys` (None for a missing key; the same key twice gives the same set), after
/// checking every key's type as Redis does before computing anything. Sources are read lookups, STORE variants
/// included, as in Redis 7.0.
fn with_sets<R>(db: &mut Db, keys: &[&[u8]], now: i64, f: impl FnOnce(&[Option<&RSet>]) -> R) -> Result<R, CmdError> {
    for key in keys {
        db.read::<RSet>(key, now)?;
    }
    let db = &*db;
    let sets: Vec<Option<&RSet>> = keys.iter().map(|k| db.get_ref(k, now).and_then(|e| e.value.as_set())).collect();
    Ok(f(&sets))
}

/// What SINTER's family does with the intersection.
#[derive(Clone, Copy, PartialEq)]
enum InterMode {
    Reply,
    Store,
    /// SINTERCARD: count up to the limit (0 = no limit).
    Card(u64),
}

/// The result of an intersection, as each mode needs it.
enum Inter<'a> {
    Members(Vec<Member<'a>>),
    Set(RSet),
    Card(u64),
}

/// Redis's `sinterGenericCommand`: any missing key makes the result empty; otherwise the smallest set's
/// members are tested against the others, in the smallest set's order.
fn intersect<'a>(sets: &[Option<&'a RSet>], mode: InterMode, max: u64) -> Inter<'a> {
    let mut present: Vec<&'a RSet> = sets.iter().copied().collect::<Option<_>>().unwrap_or_default();
    present.sort_by_key(|s| s.len());
    let (first, rest) = match present.split_first() {
        Some((first, rest)) => (Some(*first), rest),
        None => (None, &[][..]),
    };
    // The same key given twice is the same set: no need to test it against itself.
    let common = first
        .into_iter()
        .flat_map(|f| f.iter())
        .filter(|m| rest.iter().all(|s| first.is_some_and(|f| std::ptr::eq(*s, f)) || s.contains(*m)));
    match mode {
        InterMode::Reply => Inter::Members(common.collect()),
        InterMode::Store => {
            let mut out = RSet::Intset(Intset::default());
            common.for_each(|m| {
                out.add(m, max);
            });
            Inter::Set(out)
        }
        InterMode::Card(0) => Inter::Card(common.count() as u64),
        InterMode::Card(limit) => Inter::Card(common.take(limit as usize).count() as u64),
    }
}

/// Every member of every set, re-encoded from an empty intset (so the result's encoding is Redis's).
fn union(sets: &[Option<&RSet>], max: u64) -> RSet {
    let mut out = RSet::Intset(Intset::default());
    for set in sets.iter().flatten() {
        set.iter().for_each(|m| {
            out.add(m, max);
        });
    }
    out
}

/// Redis's SDIFF, with its choice between two algorithms: it decides the result's encoding too, since the
/// second one adds the whole first set before removing (a large first set turns the result into a hashtable).
fn difference(sets: &[Option<&RSet>], max: u64) -> RSet {
    let mut out = RSet::Intset(Intset::default());
    let Some(first) = sets.first().copied().flatten() else { return out };
    let others = &sets[1..];
    let present = sets.iter().flatten();
    let one_work = present.clone().count() * first.len() / 2;
    let two_work: usize = present.map(|s| s.len()).sum();
    if one_work <= two_work {
        // Algorithm 1: each member of the first set, unless another set has it; biggest sets first.
        let mut others: Vec<&RSet> = others.iter().flatten().copied().collect();
        others.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for m in first.iter() {
            if !others.iter().any(|s| std::ptr::eq(*s, first) || s.contains(m)) {
                out.add(m, max);
            }
        }
    } else {
        // Algorithm 2: the first set whole, minus every member of the others.
        first.iter().for_each(|m| {
            out.add(m, max);
        });
        for set in others.iter().flatten() {
            if out.is_empty() {
                break;
            }
            set.iter().for_each(|m| {
                out.remove(m);
            });
        }
    }
    out
}

/// A STORE variant's ending: the result replaces the destination (whatever its type, TTL cleared) and is
/// announced as `event`, or an empty result deletes it (`del`). Replies with the result's size.
fn store(ctx: &mut Ctx, dst: &[u8], result: RSet, event: &str) {
    let (n, now) = (result.len(), ctx.now);
    let db = ctx.db();
    if n > 0 {
        db.set(dst, Value::Set(result), false, now);
        ctx.changed(class::SET, event, dst);
    } else if db.remove(dst).is_some() {
        // Redis's dbDelete: a destination whose TTL passed but was not reaped yet counts as deleted too.
        ctx.changed(class::GENERIC, "del", dst);
    }
    ctx.out.int(n as i64);
}

fn inter_generic(ctx: &mut Ctx, keys: Args, dst: Option<&[u8]>, mode: InterMode) -> Result<(), CmdError> {
    let (now, max) = (ctx.now, ctx.state.config.set_max_intset_entries);
    let Ctx { state, client, out, .. } = ctx;
    let result = with_sets(&mut state.dbs[client.db], keys, now, |sets| match intersect(sets, mode, max) {
        Inter::Members(members) => {
            out.set(members.len());
            members.into_iter().for_each(|m| reply_member(out, m));
            None
        }
        Inter::Card(n) => {
            out.int(n as i64);
            None
        }
        Inter::Set(set) => Some(set),
    })?;
    if let (Some(dst), Some(set)) = (dst, result) {
        store(ctx, dst, set, "sinterstore");
    }
    Ok(())
}

fn sinter(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    inter_generic(ctx, &argv[1..], None, InterMode::Reply)
}

fn sinterstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    inter_generic(ctx, &argv[2..], Some(argv[1]), InterMode::Store)
}

fn sintercard(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let numkeys = match arg_i64(argv[1]) {
        Ok(n) if n >= 1 => n as u64,
        _ => return Err(error::SET_NUMKEYS_NOT_POSITIVE),
    };
    if numkeys > (argv.len() - 2) as u64 {
        return Err(error::NUMKEYS_TOO_MANY);
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0;
    let mut i = keys_end;
    while i < argv.len() {
        if is(argv[i], "limit") && i + 1 < argv.len() {
            limit = match arg_i64(argv[i + 1]) {
                Ok(n) if n >= 0 => n as u64,
                _ => return Err(error::SET_LIMIT_NEGATIVE),
            };
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    inter_generic(ctx, &argv[2..keys_end], None, InterMode::Card(limit))
}

#[derive(Clone, Copy)]
enum SetOp {
    Union,
    Diff,
}

fn union_diff_generic(ctx: &mut Ctx, keys: Args, dst: Option<&[u8]>, op: SetOp) -> Result<(), CmdError> {
    let (now, max) = (ctx.now, ctx.state.config.set_max_intset_entries);
    let result = with_sets(ctx.db(), keys, now, |sets| match op {
        SetOp::Union => union(sets, max),
        SetOp::Diff => difference(sets, max),
    })?;
    let event = match op {
        SetOp::Union => "sunionstore",
        SetOp::Diff => "sdiffstore",
    };
    match dst {
        Some(dst) => store(ctx, dst, result, event),
        None => reply_set(ctx.out, &result),
    }
    Ok(())
}

fn sunion(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    union_diff_generic(ctx, &argv[1..], None, SetOp::Union)
}

fn sunionstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    union_diff_generic(ctx, &argv[2..], Some(argv[1]), SetOp::Union)
}

fn sdiff(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    union_diff_generic(ctx, &argv[1..], None, SetOp::Diff)
}

fn sdiffstore(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    union_diff_generic(ctx, &argv[2..], Some(argv[1]), SetOp::Diff)
}

// --- SSCAN ---

fn sscan(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let cursor = parse_cursor(argv[2])?;
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(set) = state.dbs[client.db].read::<RSet>(argv[1], now)? else {
        // A missing key ends the scan before the options are read, as in Redis.
        out.array(2);
        out.bulk(b"0");
        out.array(0);
        return Ok(());
    };
    let opts = ScanOptions::parse(&argv[3..], false)?;
    let mut found = Vec::new();
    let mut scratch = itoa::Buffer::new();
    let next = set.scan(cursor, opts.count, |m| {
        if opts.matches(m.as_bytes(&mut scratch)) {
            found.push(m);
        }
    });
    reply_scan_header(out, next, found.len());
    found.into_iter().for_each(|m| reply_member(out, m));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_picks_redis_algorithm_and_encoding() {
        let ints = |r: std::ops::Range<i64>| {
            let mut s = RSet::Intset(Intset::default());
            r.for_each(|n| {
                s.add(Member::Int(n), 512);
            });
            s
        };
        let (x, y, z) = (ints(1..11), ints(1..2), ints(2..3));
        // Algorithm 2 (10*3/2 > 12): the whole first set goes in, past a limit of 5, then members come out.
        let d = difference(&[Some(&x), Some(&y), Some(&z)], 5);
        assert_eq!((d.len(), d.encoding()), (8, "hashtable"));
        // Algorithm 1: only the difference is added.
        let (a, b) = (ints(1..601), ints(1..596));
        let d = difference(&[Some(&a), Some(&b)], 512);
        assert_eq!((d.len(), d.encoding()), (5, "intset"));
        // The same set twice, or a missing first set: empty.
        assert!(difference(&[Some(&x), Some(&x)], 512).is_empty());
        assert!(difference(&[None, Some(&x)], 512).is_empty());
    }

    #[test]
    fn intersection_modes() {
        let mut a = RSet::new_for(Member::Int(1));
        let mut b = RSet::new_for(Member::Int(1));
        for n in 1..=6 {
            a.add(Member::Int(n), 512);
            if n % 2 == 0 {
                b.add(Member::Int(n), 512);
            }
        }
        b.add(Member::Bytes(b"x"), 512);
        match intersect(&[Some(&a), Some(&b)], InterMode::Reply, 512) {
            // In the order of the smallest set, b: a hashtable, so its members come as bytes.
            Inter::Members(m) => assert_eq!(m, vec![Member::Bytes(b"2"), Member::Bytes(b"4"), Member::Bytes(b"6")]),
            _ => unreachable!(),
        }
        match intersect(&[Some(&a), Some(&b)], InterMode::Card(2), 512) {
            Inter::Card(n) => assert_eq!(n, 2),
            _ => unreachable!(),
        }
        match intersect(&[Some(&a), None], InterMode::Store, 512) {
            Inter::Set(s) => assert!(s.is_empty()),
            _ => unreachable!(),
        }
        match intersect(&[Some(&b), Some(&b)], InterMode::Store, 512) {
            Inter::Set(s) => assert_eq!((s.len(), s.encoding()), (4, "hashtable")),
            _ => unreachable!(),
        }
    }
}
