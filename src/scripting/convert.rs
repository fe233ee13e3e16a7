//! Conversions between RESP replies and Lua values, as script_lua.c does them.

use crate::protocol::number::{format_g17, parse_i64};
use crate::protocol::Out;
use mlua::{Lua, Table, Value};

/// Deepest Lua table a reply may nest (Redis stops at the Lua stack limit with this error).
const MAX_DEPTH: usize = 1000;

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
        v.extend_from_slice(b"ERR ");
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

fn text_field(t: &Table, name: &str) -> Option<mlua::String> {
    match t.raw_get::<Value>(name) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A script's return value as a reply (luaReplyToRedisReply). `resp3` is the script's `redis.setresp`.
pub fn lua_to_resp(v: &Value, out: &mut Out, resp3: bool, depth: usize) {
    if depth > MAX_DEPTH {
        return raw_error(out, &[b"ERR reached lua stack limit"]);
    }
    match v {
        Value::String(s) => out.bulk(&s.as_bytes()),
        Value::Boolean(b) if resp3 => out.boolean(*b),
        Value::Boolean(true) => out.int(1),
        Value::Boolean(false) => out.null(),
        Value::Integer(i) => out.int(*i),
        Value::Number(n) => out.int(double_to_i64(*n)),
        Value::Table(t) => table_to_resp(t, out, resp3, depth),
        _ => out.null(),
    }
}

fn table_to_resp(t: &Table, out: &mut Out, resp3: bool, depth: usize) {
    if let Some(err) = text_field(t, "err") {
        return raw_error(out, &[&err.as_bytes()]);
    }
    if let Some(ok) = text_field(t, "ok") {
        let mut text = ok.as_bytes().to_vec();
        text.iter_mut().filter(|b| **b == b'\r' || **b == b'\n').for_each(|b| *b = b' ');
        return out.simple(&text);
    }
    match t.raw_get::<Value>("double") {
        Ok(Value::Number(d)) => return out.double(d),
        Ok(Value::Integer(i)) => return out.double(i as f64),
        _ => {}
    }
    // Every Lua value held on the Rust side takes a slot of mlua's auxiliary stack (about 8000, and running out
    // aborts the process), so tables are walked twice, counting then converting, never collected.
    if let Ok(Value::Table(map)) = t.raw_get::<Value>("map") {
        out.map(map.pairs::<Value, Value>().filter(Result::is_ok).count());
        for (k, v) in map.pairs::<Value, Value>().filter_map(Result::ok) {
            lua_to_resp(&k, out, resp3, depth + 1);
            lua_to_resp(&v, out, resp3, depth + 1);
        }
        return;
    }
    if let Ok(Value::Table(set)) = t.raw_get::<Value>("set") {
        out.set(set.pairs::<Value, Value>().filter(Result::is_ok).count());
        for (k, _) in set.pairs::<Value, Value>().filter_map(Result::ok) {
            lua_to_resp(&k, out, resp3, depth + 1);
        }
        return;
    }
    // An array, up to the first nil.
    let len = (1..).take_while(|i| t.raw_get::<Value>(*i).is_ok_and(|v| !v.is_nil())).count();
    out.array(len);
    for i in 1..=len {
        let v = t.raw_get::<Value>(i).unwrap_or(Value::Nil);
        lua_to_resp(&v, out, resp3, depth + 1);
    }
}

/// A failed run's reply: the error's text, then where it happened (`script: <sha>, on @user_script:1.`).
pub fn script_error(err: &Value, sha: &str, out: &mut Out) {
    let Value::Table(t) = err else {
        let msg = match err {
            Value::String(s) => s.to_string_lossy(),
            _ => "execution failure".to_string(),
        };
        return raw_error(out, &[format!("ERR Error running script {sha}, {msg:.100}").as_bytes()]);
    };
    let msg = text_field(t, "err").map(|m| m.as_bytes().to_vec()).unwrap_or_default();
    let source = text_field(t, "source");
    let line = match t.raw_get::<Value>("line") {
        Ok(Value::Integer(i)) => Some(i.to_string()),
        Ok(Value::Number(n)) => Some(format!("{n}")),
        _ => None,
    };
    match (source, line) {
        (Some(source), Some(line)) => {
            let suffix = format!(" script: {sha}, on {}:{line}.", source.to_string_lossy());
            raw_error(out, &[&msg, suffix.as_bytes()])
        }
        _ => raw_error(out, &[&msg]),
    }
}
