//! Generic key commands: deletion, existence, renaming, copying between databases, iteration and expiry.
//! Semantics follow Redis 7.0's db.c and expire.c.

use super::{arg_i64, is, parse_cursor, reply_scan_header, Args, ScanOptions};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::CmdError;
use crate::glob;
use crate::pubsub::keyspace::class;
use crate::storage::{Db, Key};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", -2, WRITE, (1, -1, 1), del).group("generic"),
    CommandSpec::new("unlink", -2, WRITE | FAST, (1, -1, 1), del).group("generic"),
    CommandSpec::new("exists", -2, READONLY | FAST, (1, -1, 1), exists).group("generic"),
    CommandSpec::new("type", 2, READONLY | FAST, (1, 1, 1), type_).group("generic"),
    CommandSpec::new("keys", 2, READONLY, (0, 0, 0), keys).group("generic"),
    CommandSpec::new("scan", -2, READONLY, (0, 0, 0), scan).group("generic"),
    CommandSpec::new("randomkey", 1, READONLY, (0, 0, 0), randomkey).group("generic"),
    CommandSpec::new("rename", 3, WRITE, (1, 2, 1), rename).group("generic"),
    CommandSpec::new("renamenx", 3, WRITE | FAST, (1, 2, 1), renamenx).group("generic"),
    CommandSpec::new("copy", -3, WRITE | DENYOOM, (1, 2, 1), copy).group("generic"),
    CommandSpec::new("move", 3, WRITE | FAST, (1, 1, 1), move_).group("generic"),
    CommandSpec::new("swapdb", 3, WRITE | FAST, (0, 0, 0), swapdb).group("keyspace"),
    CommandSpec::new("dbsize", 1, READONLY | FAST, (0, 0, 0), dbsize).group("server"),
    CommandSpec::new("flushdb", -1, WRITE, (0, 0, 0), flushdb).group("server"),
    CommandSpec::new("flushall", -1, WRITE, (0, 0, 0), flushall).group("server"),
    CommandSpec::new("expire", -3, WRITE | FAST, (1, 1, 1), expire).group("generic"),
    CommandSpec::new("pexpire", -3, WRITE | FAST, (1, 1, 1), pexpire).group("generic"),
    CommandSpec::new("expireat", -3, WRITE | FAST, (1, 1, 1), expireat).group("generic"),
    CommandSpec::new("pexpireat", -3, WRITE | FAST, (1, 1, 1), pexpireat).group("generic"),
    CommandSpec::new("ttl", 2, READONLY | FAST, (1, 1, 1), ttl).group("generic"),
    CommandSpec::new("pttl", 2, READONLY | FAST, (1, 1, 1), pttl).group("generic"),
    CommandSpec::new("expiretime", 2, READONLY | FAST, (1, 1, 1), expiretime).group("generic"),
    CommandSpec::new("pexpiretime", 2, READONLY | FAST, (1, 1, 1), pexpiretime).group("generic"),
    CommandSpec::new("persist", 2, WRITE | FAST, (1, 1, 1), persist).group("generic"),
    CommandSpec::new("touch", -2, READONLY | FAST, (1, -1, 1), touch).group("generic"),
    CommandSpec::container("object", OBJECT),
];

const OBJECT: &[CommandSpec] = &[
    CommandSpec::new("object|encoding", 3, READONLY, (2, 2, 1), object_encoding).group("generic"),
    CommandSpec::new("object|refcount", 3, READONLY, (2, 2, 1), object_refcount).group("generic"),
    CommandSpec::new("object|idletime", 3, READONLY, (2, 2, 1), object_idletime).group("generic"),
    CommandSpec::new("object|freq", 3, READONLY, (2, 2, 1), object_freq).group("generic"),
    CommandSpec::new("object|help", 2, LOADING | STALE, (0, 0, 0), object_help).group("generic"),
];

fn del(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let mut deleted = 0;
    for key in &argv[1..] {
        // Key by key, so that the `expired` of a key found expired comes before the next key's `del`.
        if ctx.db().delete(key, now) {
            ctx.changed(class::GENERIC, "del", key);
            deleted += 1;
        }
    }
    ctx.out.int(deleted);
    Ok(())
}

/// EXISTS: a counted lookup that leaves the keys' idle times alone (Redis's LOOKUP_NOTOUCH).
fn exists(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let db = ctx.db();
    let n = argv[1..].iter().filter(|k| db.get_no_touch(k, now, true).is_some()).count();
    ctx.out.int(n as i64);
    Ok(())
}

fn touch(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    exists(ctx, argv)
}

fn type_(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let name = ctx.db().get_no_touch(argv[1], now, true).map_or("none", |e| e.value.type_name());
    ctx.out.simple(name.as_bytes());
    Ok(())
}

fn keys(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (pattern, now) = (argv[1], ctx.now);
    let all = pattern == b"*";
    let Ctx { state, client, out, .. } = ctx;
    let matched: Vec<&Key> =
        state.dbs[client.db].live_keys(now).map(|(k, _)| k).filter(|k| all || glob::matches(pattern, k)).collect();
    out.array(matched.len());
    for k in matched {
        out.bulk(k);
    }
    Ok(())
}

fn scan(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let cursor = parse_cursor(argv[1])?;
    let opts = ScanOptions::parse(&argv[2..], true)?;
    let now = ctx.now;
    let db = ctx.db();
    let mut found = Vec::new();
    let next = db.scan(cursor, opts.count, &mut found);
    found.retain(|k| {
        opts.matches(k)
            && match db.peek(k, now) {
                None => false,
                Some(e) => opts.type_name.is_none_or(|t| t.eq_ignore_ascii_case(e.value.type_name().as_bytes())),
            }
    });
    reply_scan_header(ctx.out, next, found.len());
    for k in &found {
        ctx.out.bulk(k);
    }
    Ok(())
}

fn randomkey(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let Ctx { state, client, out, .. } = ctx;
    match state.dbs[client.db].random_key(&mut state.rng, now) {
        Some(k) => out.bulk(&k),
        None => out.null(),
    }
    Ok(())
}

fn rename_generic(ctx: &mut Ctx, argv: Args, nx: bool) -> Result<(), CmdError> {
    let (src, dst, now) = (argv[1], argv[2], ctx.now);
    let db = ctx.db();
    if db.get_mut(src, now).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    // Renaming a key to itself changes nothing: no event, no propagation.
    let done = src != dst && {
        // A write lookup of the destination, as Redis does even without NX: an expired one is deleted
        // (and announced) before the rename's events.
        let dst_exists = db.get_mut(dst, now).is_some();
        !(nx && dst_exists)
    };
    if done {
        if let Some(entry) = db.remove(src) {
            db.remove(dst);
            db.insert_entry(dst, entry);
        }
        ctx.db().touch(src);
        ctx.notify(class::GENERIC, "rename_from", src);
        ctx.changed(class::GENERIC, "rename_to", dst);
    }
    if nx {
        ctx.out.int(done as i64);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

fn rename(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    rename_generic(ctx, argv, false)
}

fn renamenx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    rename_generic(ctx, argv, true)
}

/// A database index argument (`getIntFromObjectOrReply` + `selectDb`).
pub fn db_index(ctx: &Ctx, arg: &[u8]) -> Result<usize, CmdError> {
    let id = arg_i64(arg)?;
    if id < i32::MIN as i64 || id > i32::MAX as i64 {
        return Err(crate::error::INT_RANGE);
    }
    if id < 0 || id as usize >= ctx.state.dbs.len() {
        return Err(CmdError::DbIndexOutOfRange);
    }
    Ok(id as usize)
}

/// A change to `key` in database `db`, maybe not the client's (COPY ... DB, MOVE): breaks its watches and
/// publishes the event there. Counts no change (`dirty`): the caller counts the command once.
fn signal_in(ctx: &mut Ctx, db: usize, event: &str, key: &[u8]) {
    ctx.state.dbs[db].touch(key);
    ctx.state.notify(class::GENERIC, event, key, db, ctx.now);
}

/// Two distinct databases borrowed at once.
fn two_dbs(dbs: &mut [Db], a: usize, b: usize) -> (&mut Db, &mut Db) {
    if a < b {
        let (lo, hi) = dbs.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = dbs.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}

fn copy(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (src_key, dst_key, now) = (argv[1], argv[2], ctx.now);
    let (mut replace, mut dst_db) = (false, ctx.client.db);
    let mut i = 3;
    while i < argv.len() {
        if is(argv[i], "replace") {
            replace = true;
        } else if is(argv[i], "db") && i + 1 < argv.len() {
            dst_db = db_index(ctx, argv[i + 1])?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    let src_db = ctx.client.db;
    if src_db == dst_db && src_key == dst_key {
        return Err(CmdError::SameObject);
    }
    let Some(entry) = ctx.state.dbs[src_db].get(src_key, now).cloned() else {
        ctx.out.int(0);
        return Ok(());
    };
    let exists = ctx.state.dbs[dst_db].get_mut(dst_key, now).is_some();
    // An expiry the lookup met in the other database is announced now, as it happened.
    ctx.state.settle_key_events(dst_db, now);
    let dst = &mut ctx.state.dbs[dst_db];
    if exists {
        if !replace {
            ctx.out.int(0);
            return Ok(());
        }
        dst.remove(dst_key);
    }
    dst.insert_entry(dst_key, entry);
    signal_in(ctx, dst_db, "copy_to", dst_key);
    ctx.state.dirty += 1;
    ctx.out.int(1);
    Ok(())
}

fn move_(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let dst_id = db_index(ctx, argv[2])?;
    let src_id = ctx.client.db;
    if src_id == dst_id {
        return Err(CmdError::SameObject);
    }
    let (src, dst) = two_dbs(&mut ctx.state.dbs, src_id, dst_id);
    let moved = src.get_mut(key, now).is_some() && dst.get_mut(key, now).is_none();
    if moved {
        if let Some(entry) = src.remove(key) {
            dst.insert_entry(key, entry);
        }
    }
    // What the lookups and the insert did in the other database (an expiry, a new key) comes first.
    ctx.state.settle_key_events(dst_id, now);
    if moved {
        signal_in(ctx, src_id, "move_from", key);
        signal_in(ctx, dst_id, "move_to", key);
        ctx.state.dirty += 1;
    }
    ctx.out.int(moved as i64);
    Ok(())
}

fn swapdb(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let a = arg_i64(argv[1]).ok().filter(|n| i32::try_from(*n).is_ok()).ok_or(CmdError::InvalidFirstDbIndex)?;
    let b = arg_i64(argv[2]).ok().filter(|n| i32::try_from(*n).is_ok()).ok_or(CmdError::InvalidSecondDbIndex)?;
    let n = ctx.state.dbs.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        return Err(CmdError::DbIndexOutOfRange);
    }
    if a != b {
        let (x, y) = two_dbs(&mut ctx.state.dbs, a as usize, b as usize);
        let now = ctx.now;
        x.touch_existing(Some((y, now)));
        y.touch_existing(Some((x, now)));
        x.swap_contents(y);
    }
    // Counted even when a == b, as Redis does; no key events.
    ctx.state.dirty += 1;
    ctx.out.ok();
    Ok(())
}

fn dbsize(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let n = ctx.db().len();
    ctx.out.int(n as i64);
    Ok(())
}

/// FLUSHDB / FLUSHALL's optional ASYNC|SYNC (both free synchronously here: the memory is released at once).
fn flush_mode(argv: Args) -> Result<(), CmdError> {
    match argv {
        [_] => Ok(()),
        [_, mode] if is(mode, "sync") || is(mode, "async") => Ok(()),
        _ => Err(CmdError::Syntax),
    }
}

fn flushdb(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    flush_mode(argv)?;
    // No key events; `dirty` counts the keys removed, and the AOF records even a FLUSHDB that removed nothing
    // (Redis's forceCommandPropagation).
    let db = ctx.db();
    let removed = db.len() as u64;
    db.clear();
    ctx.state.dirty += removed;
    ctx.force_propagate = true;
    ctx.out.ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    flush_mode(argv)?;
    // No key events; `dirty` counts the keys removed.
    let mut removed = 0;
    for db in &mut ctx.state.dbs {
        removed += db.len() as u64;
        db.clear();
    }
    // As flushAllDataAndResetRDB: a background save of the old data is stopped, and with save points the
    // (empty) dataset is saved at once. FLUSHALL always reaches the AOF, even when it removed nothing.
    ctx.state.dirty += removed;
    crate::persistence::save::stop_bgsave_for_flush(ctx.state, ctx.shared, ctx.now);
    if !ctx.state.config.save.is_empty() {
        let _ = crate::persistence::save::save(ctx.state, ctx.shared, ctx.now);
    }
    ctx.force_propagate = true;
    ctx.out.ok();
    Ok(())
}

/// EXPIRE's NX/XX/GT/LT.
#[derive(Default)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_expire_flags(opts: Args) -> Result<ExpireFlags, CmdError> {
    let mut f = ExpireFlags::default();
    for opt in opts {
        match () {
            _ if is(opt, "nx") => f.nx = true,
            _ if is(opt, "xx") => f.xx = true,
            _ if is(opt, "gt") => f.gt = true,
            _ if is(opt, "lt") => f.lt = true,
            _ => return Err(CmdError::UnsupportedOption(opt.to_vec())),
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        return Err(CmdError::ExpireOptionsNxXx);
    }
    if f.gt && f.lt {
        return Err(CmdError::ExpireOptionsGtLt);
    }
    Ok(f)
}

/// The one EXPIRE: `base` is now for relative forms, 0 for absolute ones.
fn expire_generic(
    ctx: &mut Ctx,
    argv: Args,
    name: &'static str,
    seconds: bool,
    relative: bool,
) -> Result<(), CmdError> {
    let f = parse_expire_flags(&argv[3..])?;
    let mut when = arg_i64(argv[2])?;
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return Err(CmdError::InvalidExpire(name));
        }
        when *= 1000;
    }
    let base = if relative { ctx.now } else { 0 };
    when = when.checked_add(base).filter(|_| when <= i64::MAX - base).ok_or(CmdError::InvalidExpire(name))?;
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    let Some(entry) = db.get_mut(key, now) else {
        ctx.out.int(0);
        return Ok(());
    };
    let current = entry.expire_at();
    let refused = (f.nx && current.is_some())
        || (f.xx && current.is_none())
        || (f.gt && current.is_none_or(|c| when <= c))
        || (f.lt && current.is_some_and(|c| when >= c));
    if refused {
        ctx.out.int(0);
        return Ok(());
    }
    if ctx.state.already_expired(when, now) {
        ctx.db().remove(key);
        ctx.changed(class::GENERIC, "del", key);
        ctx.propagate_as(&[expired_delete(ctx), key]);
    } else {
        ctx.db().set_expire(key, when);
        ctx.changed(class::GENERIC, "expire", key);
        // Recorded as PEXPIREAT with the absolute time and the options as sent; PEXPIREAT itself as sent.
        // (Checked first so that the argument vector is built only for a consumer.)
        if (seconds || relative) && ctx.state.effects.enabled {
            let mut recorded: Vec<&[u8]> = Vec::with_capacity(argv.len());
            let mut digits = itoa::Buffer::new();
            recorded.extend_from_slice(&[b"PEXPIREAT", key, digits.format(when).as_bytes()]);
            recorded.extend_from_slice(&argv[3..]);
            ctx.propagate_as(&recorded);
        }
    }
    ctx.out.int(1);
    Ok(())
}

/// How a deletion of a key whose new expiry time has already passed is recorded: UNLINK under
/// `lazyfree-lazy-expire yes`, DEL otherwise (EXPIRE, GETEX).
pub fn expired_delete(ctx: &Ctx) -> &'static [u8] {
    if ctx.state.config.lazyfree_lazy_expire {
        b"UNLINK"
    } else {
        b"DEL"
    }
}

fn expire(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    expire_generic(ctx, argv, "expire", true, true)
}

fn pexpire(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    expire_generic(ctx, argv, "pexpire", false, true)
}

fn expireat(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    expire_generic(ctx, argv, "expireat", true, false)
}

fn pexpireat(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    expire_generic(ctx, argv, "pexpireat", false, false)
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 no TTL, else remaining (or absolute) time, rounded to
/// the nearest second for the second forms.
fn ttl_generic(ctx: &mut Ctx, key: &[u8], ms: bool, absolute: bool) -> Result<(), CmdError> {
    let now = ctx.now;
    let reply = match ctx.db().get_no_touch(key, now, true) {
        None => -2,
        Some(e) => match e.expire_at() {
            None => -1,
            Some(at) => {
                let t = if absolute { at } else { (at - now).max(0) };
                if ms {
                    t
                } else {
                    // Rounded without overflowing next to i64::MAX (PEXPIREAT k 9223372036854775807).
                    ((i128::from(t) + 500) / 1000) as i64
                }
            }
        },
    };
    ctx.out.int(reply);
    Ok(())
}

fn ttl(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ttl_generic(ctx, argv[1], false, false)
}

fn pttl(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ttl_generic(ctx, argv[1], true, false)
}

fn expiretime(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ttl_generic(ctx, argv[1], false, true)
}

fn pexpiretime(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ttl_generic(ctx, argv[1], true, true)
}

fn persist(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let db = ctx.db();
    // Only a TTL actually removed counts (and touches the key's watches).
    let removed = db.get_mut(key, now).is_some_and(|e| e.expire_at().is_some()) && db.persist(key);
    if removed {
        ctx.changed(class::GENERIC, "persist", key);
    }
    ctx.out.int(removed as i64);
    Ok(())
}

fn object_encoding(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    match ctx.db().get_no_touch(argv[2], now, false).map(|e| e.value.encoding()) {
        Some(enc) => ctx.out.bulk(enc.as_bytes()),
        None => ctx.out.null(),
    }
    Ok(())
}

fn object_refcount(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let shared = ctx.state.config.shares_integers();
    match ctx.db().get_no_touch(argv[2], now, false) {
        None => ctx.out.null(),
        Some(e) => {
            // Redis shares the objects of small integers (0..9999) unless an LRU/LFU policy needs per-key
            // metadata; their refcount reads as INT_MAX.
            let is_shared = shared
                && matches!(e.value.as_string(), Some(crate::storage::RString::Int(n)) if (0..10000).contains(n));
            ctx.out.int(if is_shared { i32::MAX as i64 } else { 1 });
        }
    }
    Ok(())
}

fn object_idletime(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let lfu = ctx.state.config.lfu_policy();
    let Some(e) = ctx.db().get_no_touch(argv[2], now, false) else {
        ctx.out.null();
        return Ok(());
    };
    if lfu {
        return Err(CmdError::IdletimeUnderLfu);
    }
    let idle = crate::storage::db::idle_ms(e.lru, now) / 1000;
    ctx.out.int(idle as i64);
    Ok(())
}

fn object_freq(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let lfu = ctx.state.config.lfu_policy();
    if ctx.db().get_no_touch(argv[2], now, false).is_none() {
        ctx.out.null();
        return Ok(());
    }
    if !lfu {
        return Err(CmdError::FreqUnderLru);
    }
    let db = &ctx.state.dbs[ctx.client.db];
    let lfu = db.lfu.unwrap_or(crate::storage::lfu::DEFAULT_LFU);
    let freq = db.get_ref(argv[2], now).map_or(0, |e| crate::storage::lfu::lfu_counter(e.lru, lfu, now));
    ctx.out.int(i64::from(freq));
    Ok(())
}

fn object_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    super::reply_help(
        ctx.out,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_parses_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Ok(0));
        assert_eq!(parse_cursor(b""), Ok(0));
        assert_eq!(parse_cursor(b"+5"), Ok(5));
        assert_eq!(parse_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(parse_cursor(b"x"), Err(CmdError::InvalidCursor));
        assert_eq!(parse_cursor(b"18446744073709551616"), Err(CmdError::InvalidCursor));
    }

    #[test]
    fn expire_flag_conflicts() {
        let f = |s: &[&[u8]]| parse_expire_flags(s).err();
        assert_eq!(f(&[b"nx", b"xx"]), Some(CmdError::ExpireOptionsNxXx));
        assert_eq!(f(&[b"gt", b"lt"]), Some(CmdError::ExpireOptionsGtLt));
        assert_eq!(f(&[b"xx", b"gt"]), None);
        assert_eq!(f(&[b"foo"]), Some(CmdError::UnsupportedOption(b"foo".to_vec())));
    }
}
