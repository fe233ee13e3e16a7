//! Conversions between RESP replies and Lua values, as script_lua.c does them.

use crate::protocol::number::{format_g17, parse_i64};
use crate::protocol::Out;
use mlua::{ffi, Lua, Table, Value};

/// Appends a redis.call argument to `buf`: strings as they are, numbers as `%.17g`; false for anything else.
pub fn push_lua_arg(v: &Value, buf: &mut Vec<u8>) -> bool {
    match v {
        Value::String(s) => buf.extend_from_slice(&s.as_bytes()),
        Value::Integer(i) => format_g17(*i as f64, buf),
        Value::Number(n) => format_g17(*n, buf),
        _ => return false,
    }
    true
}

/// An error table `{err = text}` (luaPushError), with the flag Redis sets on errors of executed commands.
pub fn error_table(lua: &Lua, text: &[u8], ignore_stats: bool) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(text)?)?;
    if ignore_stats {
        t.raw_set("ignore_error_stats_update", true)?;
    }
    Ok(t)
}

/// Parses a command's reply into a Lua value; true when it is an error reply.
pub fn resp_to_lua(lua: &Lua, buf: &[u8]) -> mlua::Result<(Value, bool)> {
    let is_error = buf.first() == Some(&b'-');
    let mut at = 0;
    let v = parse(lua, buf, &mut at)?;
    Ok((v, is_error))
}

fn line<'a>(buf: &'a [u8], at: &mut usize) -> &'a [u8] {
    let start = (*at + 1).min(buf.len());
    let end = buf[start..].windows(2).position(|w| w == b"\r\n").map_or(buf.len(), |p| start + p);
    *at = (end + 2).min(buf.len());
    &buf[start..end]
}

fn single_field(lua: &Lua, name: &str, v: impl mlua::IntoLua) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(name, v)?;
    Ok(Value::Table(t))
}

fn parse(lua: &Lua, buf: &[u8], at: &mut usize) -> mlua::Result<Value> {
    let kind = buf.get(*at).copied().unwrap_or(b'_');
    let head = line(buf, at);
    let count = || parse_i64(head).unwrap_or(-1);
    Ok(match kind {
        b':' => Value::Number(count() as f64),
        b'+' => single_field(lua, "ok", lua.create_string(head)?)?,
        b'-' => Value::Table(error_table(lua, &error_text(head), true)?),
        b'$' | b'=' => {
            let n = count();
            if n < 0 {
                return Ok(Value::Boolean(false));
            }
            let end = (*at + n as usize).min(buf.len());
            let body = &buf[*at..end];
            *at = (end + 2).min(buf.len());
            if kind == b'=' && body.len() >= 4 {
                let t = lua.create_table()?;
                t.raw_set("format", lua.create_string(&body[..3])?)?;
                t.raw_set("string", lua.create_string(&body[4..])?)?;
                single_field(lua, "verbatim_string", t)?
            } else {
                Value::String(lua.create_string(body)?)
            }
        }
        b'*' | b'~' | b'%' => {
            let n = count();
            if n < 0 {
                return Ok(Value::Boolean(false));
            }
            let n = n as usize;
            let t = lua.create_table_with_capacity(if kind == b'*' { n.min(1024) } else { 0 }, 0)?;
            for i in 0..n {
                match kind {
                    b'*' => t.raw_set(i + 1, parse(lua, buf, at)?)?,
                    b'~' => t.raw_set(parse(lua, buf, at)?, true)?,
                    _ => {
                        let k = parse(lua, buf, at)?;
                        t.raw_set(k, parse(lua, buf, at)?)?
                    }
                }
            }
            match kind {
                b'*' => Value::Table(t),
                b'~' => single_field(lua, "set", t)?,
                _ => single_field(lua, "map", t)?,
            }
        }
        b'#' => Value::Boolean(head == b"t"),
        b',' => {
            let d = std::str::from_utf8(head).ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
            single_field(lua, "double", d)?
        }
        b'(' => single_field(lua, "big_number", lua.create_string(head)?)?,
        _ => Value::Nil,
    })
}

/// luaPushErrorBuff's text for an error reply line (without its `-`): the code is kept, or ERR is added.
fn error_text(line: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(line.len() + 4);
    if !line.contains(&b' ') {
        v.extend_from_slice(crate::error::DEFAULT_CODE);
    }
    v.extend_from_slice(line);
    v
}

/// Writes `-text` with CR/LF inside turned into spaces and trailing ones trimmed (addReplyErrorFormat).
fn raw_error(out: &mut Out, parts: &[&[u8]]) {
    out.buf.push(b'-');
    let start = out.buf.len();
    for p in parts {
        out.buf.extend_from_slice(p);
    }
    while matches!(out.buf.last(), Some(b'\r' | b'\n')) && out.buf.len() > start {
        out.buf.pop();
    }
    for b in &mut out.buf[start..] {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
    out.raw(b"\r\n");
}

/// C's `(long long)` of a double on x86-64: out of range and NaN give LLONG_MIN.
fn double_to_i64(n: f64) -> i64 {
    // 2^63 as a double: the first value past i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// A script's return value as a reply (luaReplyToRedisReply). `resp3` is the script's `redis.setresp`.
///
/// Walks the value on the Lua stack with the C API, as Redis does: Lua's own stack limit then bounds the
/// nesting exactly where Redis's does ("reached lua stack limit" for a value inside 7995 tables), and no
/// handle per level is held on the Rust side (mlua's handles are limited to about 8000).
pub fn lua_to_resp(lua: &Lua, v: Value, out: &mut Out, resp3: bool) {
    // SAFETY: the closure only calls Lua API functions that do not raise (raw gets, lua_next on keys that
    // Lua handed out, pushes of short strings) on the stack exec_raw gives it, with the value at its top.
    let converted = unsafe { lua.exec_raw::<()>(v, |l| reply_from_top(l, out, resp3)) };
    if converted.is_err() {
        raw_error(out, &[crate::error::LUA_REPLY_TOO_DEEP]);
    }
}

/// Converts the value on top of `l`'s stack and pops it.
unsafe fn reply_from_top(l: *mut ffi::lua_State, out: &mut Out, resp3: bool) {
    // Redis reserves room for 4 more values per level; past Lua's limit (LUAI_MAXCSTACK) the value becomes
    // this error. One more here: Redis's stack also holds its error handler below the value.
    if ffi::lua_checkstack(l, 5) == 0 {
        raw_error(out, &[crate::error::LUA_REPLY_TOO_DEEP]);
        ffi::lua_pop(l, 1);
        return;
    }
    match ffi::lua_type(l, -1) {
        ffi::LUA_TSTRING => out.bulk(stack_bytes(l, -1)),
        ffi::LUA_TBOOLEAN => {
            let b = ffi::lua_toboolean(l, -1) != 0;
            match (resp3, b) {
                (true, b) => out.boolean(b),
                (false, true) => out.int(1),
                (false, false) => out.null(),
            }
        }
        ffi::LUA_TNUMBER => out.int(double_to_i64(ffi::lua_tonumber(l, -1))),
        ffi::LUA_TTABLE => table_from_top(l, out, resp3),
        _ => out.null(),
    }
    ffi::lua_pop(l, 1);
}

/// The bytes of the string at `idx` (valid while it stays on the stack).
unsafe fn stack_bytes<'a>(l: *mut ffi::lua_State, idx: std::os::raw::c_int) -> &'a [u8] {
    let mut len = 0;
    let p = ffi::lua_tolstring(l, idx, &mut len);
    if p.is_null() {
        return &[];
    }
    std::slice::from_raw_parts(p as *const u8, len)
}

/// Pushes `t[name]` (raw) for the table on top and returns its type.
unsafe fn push_field(l: *mut ffi::lua_State, name: &std::ffi::CStr, table: std::os::raw::c_int) -> std::os::raw::c_int {
    ffi::lua_pushstring(l, name.as_ptr());
    ffi::lua_rawget(l, table - 1);
    ffi::lua_type(l, -1)
}

/// A table: an error, a status, a double, a big number, a verbatim string, a map, a set, or an array up to
/// its first nil, checked in Redis's order. The table stays on the stack.
unsafe fn table_from_top(l: *mut ffi::lua_State, out: &mut Out, resp3: bool) {
    if push_field(l, c"err", -1) == ffi::LUA_TSTRING {
        raw_error(out, &[c_text(stack_bytes(l, -1))]);
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"ok", -1) == ffi::LUA_TSTRING {
        out.simple(&spaced(c_text(stack_bytes(l, -1))));
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"double", -1) == ffi::LUA_TNUMBER {
        out.double(ffi::lua_tonumber(l, -1));
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"big_number", -1) == ffi::LUA_TSTRING {
        out.big_number(&spaced(stack_bytes(l, -1)));
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"verbatim_string", -1) == ffi::LUA_TTABLE {
        let format = push_field(l, c"format", -1) == ffi::LUA_TSTRING;
        if format && push_field(l, c"string", -2) == ffi::LUA_TSTRING {
            // Three characters of format, padded with spaces (addReplyVerbatim).
            let mut ext = [b' '; 3];
            for (slot, b) in ext.iter_mut().zip(stack_bytes(l, -2).iter().take_while(|b| **b != 0)) {
                *slot = *b;
            }
            out.verbatim_as(&ext, stack_bytes(l, -1));
            return ffi::lua_pop(l, 3);
        }
        ffi::lua_pop(l, if format { 2 } else { 1 });
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"map", -1) == ffi::LUA_TTABLE {
        out.map(count_pairs(l));
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, -2) != 0 {
            // Stack: map, key, value. The key is converted from a copy: lua_next needs it back.
            ffi::lua_pushvalue(l, -2);
            reply_from_top(l, out, resp3);
            reply_from_top(l, out, resp3);
        }
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    if push_field(l, c"set", -1) == ffi::LUA_TTABLE {
        out.set(count_pairs(l));
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, -2) != 0 {
            ffi::lua_pop(l, 1);
            ffi::lua_pushvalue(l, -1);
            reply_from_top(l, out, resp3);
        }
        return ffi::lua_pop(l, 1);
    }
    ffi::lua_pop(l, 1);
    let mut len = 0;
    while {
        ffi::lua_rawgeti(l, -1, len + 1);
        let present = ffi::lua_type(l, -1) != ffi::LUA_TNIL;
        ffi::lua_pop(l, 1);
        present
    } {
        len += 1;
    }
    out.array(len as usize);
    for i in 1..=len {
        ffi::lua_rawgeti(l, -1, i);
        reply_from_top(l, out, resp3);
    }
}

/// The number of pairs of the table on top of the stack.
unsafe fn count_pairs(l: *mut ffi::lua_State) -> usize {
    let mut n = 0;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pop(l, 1);
        n += 1;
    }
    n
}

/// A Lua string as Redis reads it with lua_tostring into a C string: up to its first NUL.
fn c_text(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or_default()
}

/// CR and LF turned into spaces (status and big number replies cannot hold them).
fn spaced(text: &[u8]) -> Vec<u8> {
    text.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }).collect()
}

/// A failed run's reply: the error's text, then where it happened (`script: <sha>, on @user_script:1.`).
pub fn script_error(lua: &Lua, err: &Value, sha: &str, out: &mut Out) {
    let Value::Table(t) = err else {
        let msg = match err {
            Value::String(s) => s.to_string_lossy(),
            _ => "execution failure".to_string(),
        };
        return raw_error(out, &[crate::error::script_failed_with(sha, &msg).as_bytes()]);
    };
    // luaExtractErrorInformation: lua_getfield (metamethods apply) and lua_isstring (numbers are text too:
    // `error({err = 1})` answers `-1 ...`).
    let text = |name: &str| match t.get::<Value>(name) {
        Ok(v @ (Value::String(_) | Value::Number(_) | Value::Integer(_))) => {
            lua.coerce_string(v).ok().flatten().map(|m| m.as_bytes().to_vec())
        }
        _ => None,
    };
    // Without one, redis-server 7.0.15 crashes (it formats a NULL message); the message is then left empty.
    let msg = text("err").unwrap_or_default();
    let (source, line) = (text("source"), text("line"));
    match (source, line) {
        (Some(source), Some(line)) => {
            raw_error(out, &[&msg, b" script: ", sha.as_bytes(), b", on ", &source, b":", &line, b"."])
        }
        _ => raw_error(out, &[&msg]),
    }
}
