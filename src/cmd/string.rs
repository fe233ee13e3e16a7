//! Strings: GET/SET and their variants, counters, ranges. Semantics follow Redis 7.0's t_string.c; every
//! variant is a thin adapter over one generic operation (SET/SETNX/SETEX/PSETEX -> `set_generic`).

use super::{arg_i64, reply_string, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::CmdError;
use crate::protocol::number::{self, LongDoubleError};
use crate::pubsub::keyspace::class;
use crate::storage::{RString, Value};

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, (1, 1, 1), get).group("string"),
    CommandSpec::new("set", -3, WRITE | DENYOOM, (1, 1, 1), set).group("string"),
    CommandSpec::new("setnx", 3, WRITE | DENYOOM | FAST, (1, 1, 1), setnx).group("string"),
    CommandSpec::new("setex", 4, WRITE | DENYOOM, (1, 1, 1), setex).group("string"),
    CommandSpec::new("psetex", 4, WRITE | DENYOOM, (1, 1, 1), psetex).group("string"),
    CommandSpec::new("getset", 3, WRITE | DENYOOM | FAST, (1, 1, 1), getset).group("string"),
    CommandSpec::new("getdel", 2, WRITE | FAST, (1, 1, 1), getdel).group("string"),
    CommandSpec::new("getex", -2, WRITE | FAST, (1, 1, 1), getex).group("string"),
    CommandSpec::new("mget", -2, READONLY | FAST, (1, -1, 1), mget).group("string"),
    CommandSpec::new("mset", -3, WRITE | DENYOOM, (1, -1, 2), mset).group("string"),
    CommandSpec::new("msetnx", -3, WRITE | DENYOOM, (1, -1, 2), msetnx).group("string"),
    CommandSpec::new("append", 3, WRITE | DENYOOM | FAST, (1, 1, 1), append).group("string"),
    CommandSpec::new("strlen", 2, READONLY | FAST, (1, 1, 1), strlen).group("string"),
    CommandSpec::new("incr", 2, WRITE | DENYOOM | FAST, (1, 1, 1), incr).group("string"),
    CommandSpec::new("decr", 2, WRITE | DENYOOM | FAST, (1, 1, 1), decr).group("string"),
    CommandSpec::new("incrby", 3, WRITE | DENYOOM | FAST, (1, 1, 1), incrby).group("string"),
    CommandSpec::new("decrby", 3, WRITE | DENYOOM | FAST, (1, 1, 1), decrby).group("string"),
    CommandSpec::new("incrbyfloat", 3, WRITE | DENYOOM | FAST, (1, 1, 1), incrbyfloat).group("string"),
    CommandSpec::new("getrange", 4, READONLY, (1, 1, 1), getrange).group("string"),
    CommandSpec::new("substr", 4, READONLY, (1, 1, 1), getrange).group("string"),
    CommandSpec::new("setrange", 4, WRITE | DENYOOM, (1, 1, 1), setrange).group("string"),
];

/// SET's options, folded from the arguments (`parseExtendedStringArgumentsOrReply`).
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct SetFlags {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<Expire>,
}

/// A TTL option as given: its unit and whether it is absolute.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Expire {
    kind: ExpireKind,
    /// None when the argument is not an integer (reported after the option syntax is checked).
    value: Option<i64>,
}

#[derive(PartialEq, Clone, Copy)]
enum Syntax {
    Set,
    GetEx,
}

/// Parses SET / GETEX options with Redis's rules: NX and XX exclude each other, one TTL option at most (the same
/// one may repeat, the last wins), KEEPTTL and PERSIST exclude every TTL option.
fn parse_set_flags(opts: Args, syntax: Syntax) -> Result<SetFlags, CmdError> {
    let mut f = SetFlags::default();
    let mut i = 0;
    while i < opts.len() {
        let opt = opts[i];
        let has_next = i + 1 < opts.len();
        let ttl_kind = f.expire.map(|e| e.kind);
        let other_ttl = |k: ExpireKind| ttl_kind.is_some_and(|t| t != k);
        let is = |name: &str| opt.eq_ignore_ascii_case(name.as_bytes());
        let ttl = |k: ExpireKind| -> Option<ExpireKind> {
            (!f.keep_ttl && !f.persist && !other_ttl(k) && has_next).then_some(k)
        };
        let kind = if is("ex") {
            ttl(ExpireKind::Ex)
        } else if is("px") {
            ttl(ExpireKind::Px)
        } else if is("exat") {
            ttl(ExpireKind::ExAt)
        } else if is("pxat") {
            ttl(ExpireKind::PxAt)
        } else {
            None
        };
        if let Some(kind) = kind {
            // The value is validated later, once the whole syntax is known good, as Redis does.
            i += 1;
            f.expire = Some(Expire { kind, value: number::parse_i64(opts[i]) });
        } else if syntax == Syntax::Set && is("nx") && !f.xx {
            f.nx = true;
        } else if syntax == Syntax::Set && is("xx") && !f.nx {
            f.xx = true;
        } else if syntax == Syntax::Set && is("get") {
            f.get = true;
        } else if syntax == Syntax::Set && is("keepttl") && ttl_kind.is_none() {
            f.keep_ttl = true;
        } else if syntax == Syntax::GetEx && is("persist") && ttl_kind.is_none() {
            f.persist = true;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    Ok(f)
}

/// The absolute expiry time in ms for a TTL option (`getExpireMillisecondsOrReply`).
fn expire_at_ms(e: Expire, now: i64, cmd: &'static str) -> Result<i64, CmdError> {
    let value = e.value.ok_or(CmdError::NotInteger)?;
    let seconds = matches!(e.kind, ExpireKind::Ex | ExpireKind::ExAt);
    if value <= 0 || (seconds && value > i64::MAX / 1000) {
        return Err(CmdError::InvalidExpire(cmd));
    }
    let mut ms = if seconds { value * 1000 } else { value };
    if matches!(e.kind, ExpireKind::Ex | ExpireKind::Px) {
        ms = ms.checked_add(now).ok_or(CmdError::InvalidExpire(cmd))?;
    }
    Ok(ms)
}

/// What SET answers when NX/XX stops it.
#[derive(Clone, Copy)]
enum Aborted {
    Null,
    Zero,
}

/// The one SET: every SET-like command adapts to it. Returns whether it set the key. A TTL is recorded for the
/// AOF as `SET key value PXAT <ms>`, absolute, whatever form it was given in (as Redis propagates it).
fn set_generic(
    ctx: &mut Ctx,
    cmd: &'static str,
    key: &[u8],
    value: &[u8],
    f: SetFlags,
    aborted: Aborted,
) -> Result<bool, CmdError> {
    let at = match f.expire {
        Some(e) => Some(expire_at_ms(e, ctx.now, cmd)?),
        None => None,
    };
    let now = ctx.now;
    if f.get {
        // Reply with the old value first (and refuse other types before changing anything).
        let Ctx { state, client, out, .. } = ctx;
        match state.dbs[client.db].get(key, now) {
            None => out.null(),
            Some(e) => reply_string(out, e.value.as_string().ok_or(CmdError::WrongType)?),
        }
    }
    // Only NX/XX need to know whether the key exists; a plain SET is one hash lookup.
    let found = (f.nx || f.xx) && ctx.db().get_mut(key, now).is_some();
    if (f.nx && found) || (f.xx && !found) {
        if !f.get {
            match aborted {
                Aborted::Null => ctx.out.null(),
                Aborted::Zero => ctx.out.int(0),
            }
        }
        return Ok(false);
    }
    let db = ctx.db();
    db.set(key, Value::String(RString::from_bytes(value)), f.keep_ttl, now);
    if let Some(at) = at {
        db.set_expire(key, at);
    }
    ctx.changed(class::STRING, "set", key);
    if let Some(at) = at {
        ctx.notify(class::GENERIC, "expire", key);
        ctx.propagate_as(&[b"SET", key, value, b"PXAT", itoa::Buffer::new().format(at).as_bytes()]);
    }
    if !f.get {
        match aborted {
            Aborted::Null => ctx.out.ok(),
            Aborted::Zero => ctx.out.int(1),
        }
    }
    Ok(true)
}

fn get(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    match state.dbs[client.db].get(argv[1], *now) {
        None => out.null(),
        Some(e) => reply_string(out, e.value.as_string().ok_or(CmdError::WrongType)?),
    }
    Ok(())
}

fn set(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let f = parse_set_flags(&argv[3..], Syntax::Set)?;
    let done = set_generic(ctx, "set", argv[1], argv[2], f, Aborted::Null)?;
    if done && f.get && f.expire.is_none() && ctx.state.effects.enabled {
        // Recorded without its GET options, which only shaped the reply (Redis matches exactly `get`, any case).
        let kept: Vec<&[u8]> = argv
            .iter()
            .enumerate()
            .filter(|(i, a)| *i < 3 || !a.eq_ignore_ascii_case(b"get"))
            .map(|(_, a)| *a)
            .collect();
        ctx.propagate_as(&kept);
    }
    Ok(())
}

fn setnx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let f = SetFlags { nx: true, ..SetFlags::default() };
    set_generic(ctx, "setnx", argv[1], argv[2], f, Aborted::Zero).map(drop)
}

fn setex_generic(ctx: &mut Ctx, argv: Args, cmd: &'static str, kind: ExpireKind) -> Result<(), CmdError> {
    let value = number::parse_i64(argv[2]);
    let f = SetFlags { expire: Some(Expire { kind, value }), ..SetFlags::default() };
    set_generic(ctx, cmd, argv[1], argv[3], f, Aborted::Null).map(drop)
}

fn setex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    setex_generic(ctx, argv, "setex", ExpireKind::Ex)
}

fn psetex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    setex_generic(ctx, argv, "psetex", ExpireKind::Px)
}

fn getset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let f = SetFlags { get: true, ..SetFlags::default() };
    if set_generic(ctx, "getset", argv[1], argv[2], f, Aborted::Null)? {
        ctx.propagate_as(&[b"SET", argv[1], argv[2]]);
    }
    Ok(())
}

fn getdel(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    // GET has already expired the key if its time had come, and refused other types.
    get(ctx, argv)?;
    if ctx.db().remove(argv[1]).is_some() {
        ctx.changed(class::GENERIC, "del", argv[1]);
        ctx.propagate_as(&[b"DEL", argv[1]]);
    }
    Ok(())
}

fn getex(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let f = parse_set_flags(&argv[2..], Syntax::GetEx)?;
    let (key, now) = (argv[1], ctx.now);
    let (at, had_ttl) = {
        let Ctx { state, client, out, .. } = &mut *ctx;
        let Some(e) = state.dbs[client.db].get(key, now) else {
            out.null();
            return Ok(());
        };
        let s = e.value.as_string().ok_or(CmdError::WrongType)?;
        // The TTL is validated after the type, before the reply.
        let at = match f.expire {
            Some(e) => Some(expire_at_ms(e, now, "getex")?),
            None => None,
        };
        reply_string(out, s);
        (at, e.expire_at().is_some())
    };
    let absolute = matches!(f.expire.map(|e| e.kind), Some(ExpireKind::ExAt | ExpireKind::PxAt));
    // Redis propagates GETEX as DEL, PEXPIREAT or PERSIST, and only when it changed something.
    match at {
        Some(at) if absolute && ctx.state.already_expired(at, now) => {
            ctx.db().remove(key);
            ctx.changed(class::GENERIC, "del", key);
            ctx.propagate_as(&[super::keyspace::expired_delete(ctx), key]);
        }
        Some(at) => {
            ctx.db().set_expire(key, at);
            ctx.changed(class::GENERIC, "expire", key);
            ctx.propagate_as(&[b"PEXPIREAT", key, itoa::Buffer::new().format(at).as_bytes()]);
        }
        None if f.persist && had_ttl => {
            ctx.db().persist(key);
            ctx.changed(class::GENERIC, "persist", key);
            ctx.propagate_as(&[b"PERSIST", key]);
        }
        None => {}
    }
    Ok(())
}

fn mget(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let Ctx { state, client, out, now, .. } = ctx;
    let db = &mut state.dbs[client.db];
    out.array(argv.len() - 1);
    for key in &argv[1..] {
        match db.get(key, *now).and_then(|e| e.value.as_string()) {
            Some(s) => reply_string(out, s),
            None => out.null(),
        }
    }
    Ok(())
}

fn mset_generic(ctx: &mut Ctx, argv: Args, nx: bool) -> Result<(), CmdError> {
    if argv.len().is_multiple_of(2) {
        return Err(CmdError::arity(if nx { "msetnx" } else { "mset" }));
    }
    let now = ctx.now;
    let db = ctx.db();
    if nx && argv[1..].chunks(2).any(|kv| db.peek(kv[0], now).is_some()) {
        ctx.out.int(0);
        return Ok(());
    }
    for kv in argv[1..].chunks(2) {
        ctx.db().set(kv[0], Value::String(RString::from_bytes(kv[1])), false, now);
        ctx.changed(class::STRING, "set", kv[0]);
    }
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

fn mset(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    mset_generic(ctx, argv, false)
}

fn msetnx(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    mset_generic(ctx, argv, true)
}

/// `checkStringLength`: a string may not grow past `proto-max-bulk-len`.
fn check_length(ctx: &Ctx, total: u64) -> Result<(), CmdError> {
    if total > ctx.state.config.proto_max_bulk_len {
        return Err(CmdError::StringTooLong);
    }
    Ok(())
}

fn append(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let max = ctx.state.config.proto_max_bulk_len;
    let db = ctx.db();
    let len = match db.get_mut(key, now) {
        None => {
            db.set(key, Value::String(RString::from_bytes(argv[2])), false, now);
            argv[2].len()
        }
        Some(e) => {
            let s = e.value.as_string_mut().ok_or(CmdError::WrongType)?;
            if (s.len() + argv[2].len()) as u64 > max {
                return Err(CmdError::StringTooLong);
            }
            let raw = s.make_raw();
            raw.extend_from_slice(argv[2]);
            raw.len()
        }
    };
    // Even an empty append counts as a change (and creates an empty key), as in Redis.
    ctx.changed(class::STRING, "append", key);
    ctx.out.int(len as i64);
    Ok(())
}

fn strlen(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let now = ctx.now;
    let len = match ctx.db().get(argv[1], now) {
        None => 0,
        Some(e) => e.value.as_string().ok_or(CmdError::WrongType)?.len(),
    };
    ctx.out.int(len as i64);
    Ok(())
}

/// INCR/DECR/INCRBY/DECRBY: the TTL is kept; the result is stored as an `int`.
fn incr_by(ctx: &mut Ctx, key: &[u8], by: i64) -> Result<(), CmdError> {
    let now = ctx.now;
    let db = ctx.db();
    let new = match db.get_mut(key, now) {
        Some(e) => {
            let s = e.value.as_string_mut().ok_or(CmdError::WrongType)?;
            let old = match &*s {
                RString::Int(n) => *n,
                other => number::parse_i64(other.as_bytes(&mut itoa::Buffer::new())).ok_or(CmdError::NotInteger)?,
            };
            let new = old.checked_add(by).ok_or(CmdError::Overflow)?;
            *s = RString::Int(new);
            new
        }
        None => {
            db.set(key, Value::String(RString::Int(by)), false, now);
            by
        }
    };
    ctx.changed(class::STRING, "incrby", key);
    ctx.out.int(new);
    Ok(())
}

fn incr(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    incr_by(ctx, argv[1], 1)
}

fn decr(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    incr_by(ctx, argv[1], -1)
}

fn incrby(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    incr_by(ctx, argv[1], arg_i64(argv[2])?)
}

fn decrby(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let by = arg_i64(argv[2])?;
    if by == i64::MIN {
        return Err(CmdError::DecrementOverflow);
    }
    incr_by(ctx, argv[1], -by)
}

fn incrbyfloat(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (key, now) = (argv[1], ctx.now);
    let float_error = |e| match e {
        LongDoubleError::NotFloat => CmdError::NotFloat,
        LongDoubleError::NanOrInfinity => CmdError::NanOrInfinity,
    };
    let db = ctx.db();
    let sum = match db.get_mut(key, now) {
        Some(e) => {
            let s = e.value.as_string_mut().ok_or(CmdError::WrongType)?;
            let sum = number::add_long_double(s.as_bytes(&mut itoa::Buffer::new()), argv[2]).map_err(float_error)?;
            // Stored as a plain string, never `int`, as createStringObjectFromLongDouble does; the TTL stays.
            *s = RString::Embstr(sum.as_slice().into());
            sum
        }
        None => {
            let sum = number::add_long_double(b"0", argv[2]).map_err(float_error)?;
            db.set(key, Value::String(RString::Embstr(sum.as_slice().into())), false, now);
            sum
        }
    };
    ctx.changed(class::STRING, "incrbyfloat", key);
    // Recorded as the value it computed, so a replay cannot round differently; the TTL stays.
    ctx.propagate_as(&[b"SET", key, &sum, b"KEEPTTL"]);
    ctx.out.bulk(&sum);
    Ok(())
}

fn getrange(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let (mut start, mut end) = (arg_i64(argv[2])?, arg_i64(argv[3])?);
    let Ctx { state, client, out, now, .. } = ctx;
    let Some(e) = state.dbs[client.db].get(argv[1], *now) else {
        out.bulk(b"");
        return Ok(());
    };
    let mut scratch = itoa::Buffer::new();
    let s = e.value.as_string().ok_or(CmdError::WrongType)?.as_bytes(&mut scratch);
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        out.bulk(b"");
        return Ok(());
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0).min(len - 1);
    if start > end || len == 0 {
        out.bulk(b"");
    } else {
        out.bulk(&s[start as usize..=end as usize]);
    }
    Ok(())
}

fn setrange(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let offset = arg_i64(argv[2])?;
    if offset < 0 {
        return Err(CmdError::OffsetOutOfRange);
    }
    let (key, value, now) = (argv[1], argv[3], ctx.now);
    let exists = match ctx.db().get_mut(key, now) {
        None => None,
        Some(e) => Some(e.value.as_string().ok_or(CmdError::WrongType)?.len()),
    };
    if value.is_empty() {
        ctx.out.int(exists.unwrap_or(0) as i64);
        return Ok(());
    }
    check_length(ctx, offset as u64 + value.len() as u64)?;
    let db = ctx.db();
    if exists.is_none() {
        db.set(key, Value::String(RString::Raw(Box::default())), false, now);
    }
    let Some(s) = db.get_mut(key, now).and_then(|e| e.value.as_string_mut()) else {
        return Err(CmdError::WrongType);
    };
    let raw = s.make_raw();
    let end = offset as usize + value.len();
    if raw.len() < end {
        raw.resize(end, 0);
    }
    raw[offset as usize..end].copy_from_slice(value);
    let len = raw.len();
    ctx.changed(class::STRING, "setrange", key);
    ctx.out.int(len as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<SetFlags, CmdError> {
        let words: Vec<&[u8]> = s.split_whitespace().map(|w| w.as_bytes()).collect();
        parse_set_flags(&words, Syntax::Set)
    }

    #[test]
    fn set_option_rules() {
        assert!(parse("NX GET EX 10").is_ok());
        assert_eq!(parse("NX XX"), Err(CmdError::Syntax));
        assert_eq!(parse("EX 10 PX 10"), Err(CmdError::Syntax));
        assert_eq!(parse("KEEPTTL EX 10"), Err(CmdError::Syntax));
        assert_eq!(parse("EX"), Err(CmdError::Syntax));
        assert_eq!(parse("EX 1 EX 2").unwrap().expire.unwrap().value, Some(2));
        assert_eq!(parse("PERSIST"), Err(CmdError::Syntax));
    }

    #[test]
    fn expire_validation() {
        let e = |kind, value| Expire { kind, value: Some(value) };
        assert_eq!(expire_at_ms(e(ExpireKind::Ex, 10), 1000, "set"), Ok(11_000));
        assert_eq!(expire_at_ms(e(ExpireKind::PxAt, 5), 1000, "set"), Ok(5));
        assert_eq!(expire_at_ms(e(ExpireKind::Ex, 0), 0, "set"), Err(CmdError::InvalidExpire("set")));
        assert_eq!(expire_at_ms(e(ExpireKind::Ex, i64::MAX), 0, "set"), Err(CmdError::InvalidExpire("set")));
        assert_eq!(expire_at_ms(e(ExpireKind::Px, i64::MAX), 5, "set"), Err(CmdError::InvalidExpire("set")));
    }
}
