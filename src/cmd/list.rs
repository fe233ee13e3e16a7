//! List commands (t_list.c of Redis 7.0): pushes and pops at both ends, indexes, ranges, LPOS, LMOVE, LMPOP.
//! Replies, errors, keyspace events and what is recorded for the AOF follow Redis's. Blocking forms come with the
//! blocking machinery's list support.

use super::{arg_i64, is, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::pubsub::keyspace::class;
use crate::storage::list::Fill;
use crate::storage::{RList, Value};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("lpush", -3, WRITE | DENYOOM | FAST, (1, 1, 1), lpush).group("list"),
    CommandSpec::new("rpush", -3, WRITE | DENYOOM | FAST, (1, 1, 1), rpush).group("list"),
    CommandSpec::new("lpushx", -3, WRITE | DENYOOM | FAST, (1, 1, 1), lpushx).group("list"),
    CommandSpec::new("rpushx", -3, WRITE | DENYOOM | FAST, (1, 1, 1), rpushx).group("list"),
    CommandSpec::new("lpop", -2, WRITE | FAST, (1, 1, 1), lpop).group("list"),
    CommandSpec::new("rpop", -2, WRITE | FAST, (1, 1, 1), rpop).group("list"),
    CommandSpec::new("llen", 2, READONLY | FAST, (1, 1, 1), llen).group("list"),
    CommandSpec::new("lindex", 3, READONLY, (1, 1, 1), lindex).group("list"),
    CommandSpec::new("lset", 4, WRITE | DENYOOM, (1, 1, 1), lset).group("list"),
    CommandSpec::new("lrange", 4, READONLY, (1, 1, 1), lrange).group("list"),
    CommandSpec::new("ltrim", 4, WRITE, (1, 1, 1), ltrim).group("list"),
    CommandSpec::new("lrem", 4, WRITE, (1, 1, 1), lrem).group("list"),
    CommandSpec::new("linsert", 5, WRITE | DENYOOM, (1, 1, 1), linsert).group("list"),
    CommandSpec::new("lpos", -3, READONLY, (1, 1, 1), lpos).group("list"),
    CommandSpec::new("lmove", 5, WRITE | DENYOOM, (1, 2, 1), lmove).group("list"),
    CommandSpec::new("rpoplpush", 3, WRITE | DENYOOM, (1, 2, 1), rpoplpush).group("list"),
    CommandSpec::new("lmpop", -4, WRITE, (0, 0, 0), lmpop).numkeys_at(1).group("list"),
];

fn fill(ctx: &Ctx) -> Fill {
    Fill(ctx.state.config.list_max_listpack_size)
}

/// A list index from the end when negative (-1 is the last); None outside the list.
fn resolve(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { len as i64 + index } else { index };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// LPUSH/RPUSH/LPUSHX/RPUSHX: pushes each element in turn; replies the new length.
fn push(ctx: &mut Ctx, argv: Args, head: bool, only_existing: bool) -> Result<(), CmdError> {
    let (key, now, fill) = (argv[1], ctx.now, fill(ctx));
    let db = ctx.db();
    let len = match db.write::<RList>(key, now)? {
        Some(list) => {
            for e in &argv[2..] {
                if head {
                    list.push_front(e, fill)
                } else {
                    list.push_back(e, fill)
                }
            }
            list.len()
        }
        None if only_existing => {
            ctx.out.int(0);
            return Ok(());
        }
        None => {
            let mut list = RList::new();
            for e in &argv[2..] {
                if head {
                    list.push_front(e, fill)
                } else {
                    list.push_back(e, fill)
                }
            }
            let len = list.len();
            db.set(key, Value::List(Box::new(list)), false, now);
            len
        }
    };
    ctx.changed(class::LIST, if head { "lpush" } else { "rpush" }, key);
    ctx.state.dirty += argv.len() as u64 - 3;
    ctx.out.int(len as i64);
    Ok(())
}

fn lpush(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    push(ctx, argv, true, false)
}

fn rpush(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    push(ctx, argv, false, false)
}

fn lpushx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    push(ctx, argv, true, true)
}

fn rpushx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    push(ctx, argv, false, true)
}

/// listElementsRemoved: the pop event, and the key deleted (with its event) once the list is empty.
fn removed(ctx: &mut Ctx, key: &[u8], head: bool, count: usize, emptied: bool) {
    ctx.changed(class::LIST, if head { "lpop" } else { "rpop" }, key);
    if emptied {
        ctx.db().remove(key);
        ctx.notify(class::GENERIC, "del", key);
    }
    ctx.state.dirty += count as u64 - 1;
}

/// Pops up to `count` elements from one end of `key` (which holds a non-empty list).
fn pop_some(ctx: &mut Ctx, key: &[u8], head: bool, count: usize) -> Vec<Vec<u8>> {
    let now = ctx.now;
    let mut popped = Vec::new();
    let mut emptied = false;
    if let Ok(Some(list)) = ctx.db().write::<RList>(key, now) {
        for _ in 0..count {
            match if head { list.pop_front() } else { list.pop_back() } {
                Some(e) => popped.push(e),
                None => break,
            }
        }
        emptied = list.is_empty();
    }
    if !popped.is_empty() {
        removed(ctx, key, head, popped.len(), emptied);
    }
    popped
}

/// LPOP/RPOP key [count].
fn pop(ctx: &mut Ctx, argv: Args, head: bool) -> Result<(), CmdError> {
    if argv.len() > 3 {
        return Err(CmdError::WrongArity(if head { "lpop" } else { "rpop" }.into()));
    }
    let count = match argv.get(2) {
        // getPositiveLongFromObjectOrReply: one message for negative numbers and non-numbers alike.
        Some(c) => Some(positive(c, error::NOT_POSITIVE)? as usize),
        None => None,
    };
    let (key, now) = (argv[1], ctx.now);
    if ctx.db().write::<RList>(key, now)?.is_none() {
        match count {
            Some(_) => ctx.out.null_array(),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    match count {
        Some(0) => ctx.out.array(0),
        Some(n) => {
            let popped = pop_some(ctx, key, head, n);
            ctx.out.array(popped.len());
            for e in &popped {
                ctx.out.bulk(e);
            }
        }
        None => {
            let popped = pop_some(ctx, key, head, 1);
            ctx.out.bulk(&popped[0]);
        }
    }
    Ok(())
}

fn lpop(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    pop(ctx, argv, true)
}

fn rpop(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    pop(ctx, argv, false)
}

fn llen(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let len = ctx.db().read::<RList>(argv[1], now)?.map_or(0, RList::len);
    ctx.out.int(len as i64);
    Ok(())
}

fn lindex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(list) = state.dbs[client.db].read::<RList>(argv[1], now)? else {
        out.null();
        return Ok(());
    };
    let index = arg_i64(argv[2])?;
    match resolve(index, list.len()).and_then(|i| list.get(i)) {
        Some(e) => out.bulk(e),
        None => out.null(),
    }
    Ok(())
}

fn lset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let Some(list) = ctx.db().write::<RList>(key, now)? else { return Err(CmdError::NoSuchKey) };
    let index = arg_i64(argv[2])?;
    let i = resolve(index, list.len()).ok_or(error::INDEX_OUT_OF_RANGE)?;
    list.set(i, argv[3]);
    ctx.changed(class::LIST, "lset", key);
    ctx.out.ok();
    Ok(())
}

/// Redis's range rule (LRANGE, LTRIM): negative from the end, clamped; None when empty.
fn range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { (len + start).max(0) } else { start };
    let end = if end < 0 { len + end } else { end.min(len - 1) };
    (start <= end && start < len).then(|| (start as usize, end as usize + 1))
}

fn lrange(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (start, end) = (arg_i64(argv[2])?, arg_i64(argv[3])?);
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(list) = state.dbs[client.db].read::<RList>(argv[1], now)? else {
        out.array(0);
        return Ok(());
    };
    match range(start, end, list.len()) {
        Some((from, to)) => {
            out.array(to - from);
            for e in list.range(from, to) {
                out.bulk(e);
            }
        }
        None => out.array(0),
    }
    Ok(())
}

fn ltrim(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (start, end) = (arg_i64(argv[2])?, arg_i64(argv[3])?);
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    let Some(list) = db.write::<RList>(key, now)? else {
        ctx.out.ok();
        return Ok(());
    };
    let before = list.len();
    let emptied = match range(start, end, list.len()) {
        Some((from, to)) => {
            list.keep_range(from, to);
            false
        }
        None => true,
    };
    let trimmed = if emptied { before } else { before - list.len() };
    if emptied {
        db.remove(key);
    }
    // The event and the touch always; the change counts as many as the elements trimmed (none: not recorded),
    // as Redis's.
    ctx.db().touch(key);
    ctx.notify(class::LIST, "ltrim", key);
    ctx.state.dirty += trimmed as u64;
    if emptied {
        ctx.notify(class::GENERIC, "del", key);
    }
    ctx.out.ok();
    Ok(())
}

fn lrem(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let count = arg_i64(argv[2])?;
    let (key, element, now) = (argv[1], argv[3], ctx.now);
    let db = ctx.db();
    let Some(list) = db.write::<RList>(key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let limit = count.unsigned_abs().min(usize::MAX as u64) as usize;
    let n = list.remove_matching(count < 0, limit, |e| e == element);
    let emptied = list.is_empty();
    if emptied {
        db.remove(key);
    }
    if n > 0 {
        ctx.changed(class::LIST, "lrem", key);
        ctx.state.dirty += n as u64 - 1;
        if emptied {
            ctx.notify(class::GENERIC, "del", key);
        }
    }
    ctx.out.int(n as i64);
    Ok(())
}

fn linsert(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let after = match argv[2] {
        w if is(w, "after") => true,
        w if is(w, "before") => false,
        _ => return Err(CmdError::Syntax),
    };
    let (key, pivot, element, now, fill) = (argv[1], argv[3], argv[4], ctx.now, fill(ctx));
    let Some(list) = ctx.db().write::<RList>(key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let Some(at) = list.iter().position(|e| e == pivot) else {
        ctx.out.int(-1);
        return Ok(());
    };
    list.insert(at + usize::from(after), element, fill);
    let len = list.len();
    ctx.changed(class::LIST, "linsert", key);
    ctx.out.int(len as i64);
    Ok(())
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
fn lpos(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (mut rank, mut count, mut maxlen) = (1i64, None::<u64>, 0u64);
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        match argv[j] {
            o if is(o, "rank") && more => {
                j += 1;
                rank = arg_i64(argv[j])?;
                if rank == 0 {
                    return Err(error::LPOS_RANK_ZERO);
                }
            }
            o if is(o, "count") && more => {
                j += 1;
                count = Some(positive(argv[j], error::LPOS_COUNT_NEGATIVE)?);
            }
            o if is(o, "maxlen") && more => {
                j += 1;
                maxlen = positive(argv[j], error::LPOS_MAXLEN_NEGATIVE)?;
            }
            _ => return Err(CmdError::Syntax),
        }
        j += 1;
    }
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    let Some(list) = state.dbs[client.db].read::<RList>(argv[1], now)? else {
        match count {
            Some(_) => out.array(0),
            None => out.null(),
        }
        return Ok(());
    };
    let len = list.len();
    let from_tail = rank < 0;
    // Redis negates the rank in a C long: the lowest one stays negative, so every match counts from the first.
    let rank = if rank == i64::MIN { 0 } else { rank.unsigned_abs() };
    let scanned: Box<dyn Iterator<Item = &[u8]>> =
        if from_tail { Box::new(list.iter().rev()) } else { Box::new(list.iter()) };
    let limit = if maxlen == 0 { usize::MAX } else { maxlen.min(usize::MAX as u64) as usize };
    let mut found = Vec::new();
    let mut matches = 0u64;
    for (index, e) in scanned.take(limit).enumerate() {
        if e != argv[2] {
            continue;
        }
        matches += 1;
        if matches >= rank {
            found.push(if from_tail { len - index - 1 } else { index });
            match count {
                None => break,
                Some(c) if c > 0 && found.len() as u64 >= c => break,
                Some(_) => {}
            }
        }
    }
    match count {
        Some(_) => {
            out.array(found.len());
            for i in found {
                out.int(i as i64);
            }
        }
        None => match found.first() {
            Some(&i) => out.int(i as i64),
            None => out.null(),
        },
    }
    Ok(())
}

/// getPositiveLongFromObjectOrReply with its message, given for negative values and non-numbers alike.
fn positive(arg: &[u8], message: CmdError) -> Result<u64, CmdError> {
    match crate::protocol::number::parse_i64(arg) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(message),
    }
}

fn side(arg: &[u8]) -> Result<bool, CmdError> {
    match arg {
        a if is(a, "left") => Ok(true),
        a if is(a, "right") => Ok(false),
        _ => Err(CmdError::Syntax),
    }
}

/// lmoveGenericCommand: pops from one end of `src`, pushes at one end of `dst`, replies the element.
fn move_one(ctx: &mut Ctx, src: &[u8], dst: &[u8], from_head: bool, to_head: bool) -> Result<(), CmdError> {
    let now = ctx.now;
    let fill = fill(ctx);
    if ctx.db().write::<RList>(src, now)?.is_none() {
        ctx.out.null();
        return Ok(());
    }
    // The destination's type is checked before anything moves.
    ctx.db().write::<RList>(dst, now)?;
    let Some(Some(element)) =
        ctx.db().write::<RList>(src, now)?.map(|l| if from_head { l.pop_front() } else { l.pop_back() })
    else {
        ctx.out.null();
        return Ok(());
    };
    let db = ctx.db();
    match db.write::<RList>(dst, now)? {
        Some(list) => {
            if to_head {
                list.push_front(&element, fill)
            } else {
                list.push_back(&element, fill)
            }
        }
        None => {
            let mut list = RList::new();
            list.push_back(&element, fill);
            db.set(dst, Value::List(Box::new(list)), false, now);
        }
    }
    // One change in all, both keys touched: the push's event first, then the pop's (and `del`), as Redis.
    ctx.changed(class::LIST, if to_head { "lpush" } else { "rpush" }, dst);
    let emptied = matches!(ctx.db().write::<RList>(src, now), Ok(Some(l)) if l.is_empty());
    ctx.notify(class::LIST, if from_head { "lpop" } else { "rpop" }, src);
    if emptied {
        ctx.db().remove(src);
        ctx.notify(class::GENERIC, "del", src);
    }
    ctx.db().touch(src);
    ctx.out.bulk(&element);
    Ok(())
}

fn lmove(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (from_head, to_head) = (side(argv[3])?, side(argv[4])?);
    move_one(ctx, argv[1], argv[2], from_head, to_head)
}

fn rpoplpush(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    move_one(ctx, argv[1], argv[2], false, true)
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first non-empty list, as `[key,
/// [elements]]`, or a null array. Recorded as LPOP/RPOP of that key with the count popped.
fn lmpop(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (head, where_at, count) = super::mpop_args(argv, side)?;
    let now = ctx.now;
    for key in &argv[2..where_at] {
        if ctx.db().write::<RList>(key, now)?.is_none() {
            continue;
        }
        let popped = pop_some(ctx, key, head, count);
        ctx.out.array(2);
        ctx.out.bulk(key);
        ctx.out.array(popped.len());
        for e in &popped {
            ctx.out.bulk(e);
        }
        let n = popped.len().to_string();
        ctx.propagate_as(&[if head { b"LPOP" } else { b"RPOP" }, key, n.as_bytes()]);
        return Ok(());
    }
    ctx.out.null_array();
    Ok(())
}
