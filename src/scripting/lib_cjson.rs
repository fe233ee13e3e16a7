//! The `cjson` library: lua-cjson 2.1.0 as Redis 7.0 bundles it (deps/lua/src/lua_cjson.c). Each module table
//! (`cjson`, and any `cjson.new()`) has its own settings.

use super::lib_bit::{arg_error, lua_error, type_error, type_name};
use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy)]
struct Config {
    sparse_convert: i64,
    sparse_ratio: i64,
    sparse_safe: i64,
    encode_max_depth: i64,
    decode_max_depth: i64,
    /// 0: refuse NaN/Inf, 1: encode them, 2: encode them as null.
    encode_invalid_numbers: i64,
    decode_invalid_numbers: i64,
    encode_keep_buffer: i64,
    precision: i64,
}

const DEFAULTS: Config = Config {
    sparse_convert: 0,
    sparse_ratio: 2,
    sparse_safe: 10,
    encode_max_depth: 1000,
    decode_max_depth: 1000,
    encode_invalid_numbers: 0,
    decode_invalid_numbers: 1,
    encode_keep_buffer: 1,
    precision: 14,
};

/// Lua's stack limit (LUAI_MAXCSTACK): lua-cjson checks it with lua_checkstack as it descends, and raises its
/// nesting error when it runs out whatever the depth setting. Each open array holds one stack slot, each open
/// object two (key and value); the argument holds one.
const MAX_STACK: i64 = 8000;

/// Deepest nesting walked whatever the settings: each open container holds mlua references (a table, a key),
/// and mlua's reference stack is as small as Lua's. Below Redis's own limits (7998 arrays, 4000 objects), which
/// only settings above this depth reach.
const HARD_DEPTH: i64 = 2500;

/// Stack slots an open container holds.
fn slots(is_object: bool) -> i64 {
    if is_object {
        2
    } else {
        1
    }
}

type Shared = Arc<Mutex<Config>>;

fn config(cfg: &Shared) -> Config {
    match cfg.lock() {
        Ok(c) => *c,
        Err(poisoned) => *poisoned.into_inner(),
    }
}

fn update(cfg: &Shared, f: impl FnOnce(&mut Config)) {
    match cfg.lock() {
        Ok(mut c) => f(&mut c),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// The JSON null: a NULL light userdata, as `cjson.null`.
fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

/// C's `%.{prec}g`.
fn format_g(n: f64, prec: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 64];
    // SAFETY: the buffer holds any %.14g output (at most ~25 bytes); snprintf NUL-terminates within it.
    let len = unsafe {
        libc::snprintf(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), c"%.*g".as_ptr(), prec as libc::c_int, n)
    };
    out.extend_from_slice(&buf[..(len.max(0) as usize).min(buf.len() - 1)]);
}

/// The escape lua-cjson writes for a byte, if any.
fn escape(b: u8) -> Option<&'static [u8]> {
    Some(match b {
        b'\x08' => b"\\b",
        b'\t' => b"\\t",
        b'\n' => b"\\n",
        b'\x0c' => b"\\f",
        b'\r' => b"\\r",
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'/' => b"\\/",
        _ => return None,
    })
}

fn append_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        if let Some(e) = escape(b) {
            out.extend_from_slice(e);
        } else if b < 0x20 || b == 0x7f {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out.push(b'"');
}

struct Encoder<'a> {
    lua: &'a Lua,
    bridge: &'a Table,
    cfg: Config,
    /// Lua's raw `next`: objects are walked one key at a time, so no more references are held than open tables.
    next: &'a Function,
    out: Vec<u8>,
}

/// An open array or object: what is left to write of it.
enum Open {
    Array { t: Table, len: i64, next: i64 },
    Object { t: Table, key: Value },
}

/// The largest JSON text built: past it the allocation fails in Redis too ("not enough memory").
const MAX_OUTPUT: usize = 512 << 20;

impl Encoder<'_> {
    fn fail<T>(&self, v: &Value, reason: &str) -> mlua::Result<T> {
        lua_error(self.lua, self.bridge, &format!("Cannot serialise {}: {reason}", type_name(Some(v))))
    }

    fn number(&mut self, v: &Value) -> mlua::Result<()> {
        // mlua hands integral-looking numbers over as integers: -0 and |n| < 2^-52 arrive as 0 (see report).
        let n = as_number(v).unwrap_or(0.0);
        if n.is_finite() {
            format_g(n, self.cfg.precision, &mut self.out);
            return Ok(());
        }
        match self.cfg.encode_invalid_numbers {
            0 => self.fail(v, "must not be NaN or Inf"),
            1 if n.is_nan() => {
                self.out.extend_from_slice(b"nan");
                Ok(())
            }
            1 => {
                format_g(n, self.cfg.precision, &mut self.out);
                Ok(())
            }
            _ => {
                self.out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }

    /// Writes a value; a table is opened (pushed on `stack`) rather than written, so nesting needs no recursion.
    fn value(&mut self, v: &Value, stack: &mut Vec<Open>) -> mlua::Result<()> {
        match v {
            Value::String(s) => append_string(&s.as_bytes(), &mut self.out),
            Value::Integer(_) | Value::Number(_) => self.number(v)?,
            Value::Boolean(b) => self.out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Nil => self.out.extend_from_slice(b"null"),
            Value::LightUserData(p) if p.0.is_null() => self.out.extend_from_slice(b"null"),
            Value::Table(t) => {
                let depth = stack.len() as i64 + 1;
                let held: i64 = 1 + stack.iter().map(|o| slots(matches!(o, Open::Object { .. }))).sum::<i64>();
                if depth > self.cfg.encode_max_depth || held + 3 > MAX_STACK || depth > HARD_DEPTH {
                    return lua_error(self.lua, self.bridge, &format!("Cannot serialise, excessive nesting ({depth})"));
                }
                match self.array_length(v, t)? {
                    Some(len) if len > 0 => {
                        self.out.push(b'[');
                        stack.push(Open::Array { t: t.clone(), len, next: 1 });
                    }
                    _ => {
                        self.out.push(b'{');
                        stack.push(Open::Object { t: t.clone(), key: Value::Nil });
                    }
                }
            }
            _ => return self.fail(v, "type not supported"),
        }
        if self.out.len() > MAX_OUTPUT {
            return lua_error(self.lua, self.bridge, "not enough memory");
        }
        Ok(())
    }

    /// lua_array_length: Some(max index) when every key is a positive integer and the array is not too sparse.
    fn array_length(&self, v: &Value, t: &Table) -> mlua::Result<Option<i64>> {
        let (mut max, mut items) = (0i64, 0i64);
        for pair in t.pairs::<Value, Value>() {
            let (k, _) = pair?;
            match as_number(&k) {
                Some(k) if k != 0.0 && k.floor() == k && k >= 1.0 => {
                    // C stores the index in an int: a too large one (inf included) converts to INT_MIN.
                    let k = if k < 2_147_483_648.0 { k as i64 } else { i64::from(i32::MIN) };
                    max = max.max(k);
                    items += 1;
                }
                _ => return Ok(None),
            }
        }
        let c = &self.cfg;
        if c.sparse_ratio > 0 && max > items * c.sparse_ratio && max > c.sparse_safe {
            if c.sparse_convert == 0 {
                return self.fail(v, "excessively sparse array");
            }
            return Ok(None);
        }
        Ok(Some(max))
    }

    fn key(&mut self, k: &Value) -> mlua::Result<()> {
        match k {
            Value::Integer(_) | Value::Number(_) => {
                self.out.push(b'"');
                self.number(k)?;
                self.out.extend_from_slice(b"\":");
            }
            Value::String(s) => {
                append_string(&s.as_bytes(), &mut self.out);
                self.out.push(b':');
            }
            _ => return self.fail(k, "table key must be a number or string"),
        }
        Ok(())
    }

    fn run(&mut self, root: &Value) -> mlua::Result<()> {
        let mut stack = Vec::new();
        self.value(root, &mut stack)?;
        while let Some(top) = stack.last_mut() {
            match top {
                Open::Array { t, len, next } => {
                    if *next > *len {
                        self.out.push(b']');
                        stack.pop();
                        continue;
                    }
                    if *next > 1 {
                        self.out.push(b',');
                    }
                    let item: Value = t.raw_get(*next)?;
                    *next += 1;
                    self.value(&item, &mut stack)?;
                }
                Open::Object { t, key } => {
                    let (k, v): (Value, Value) = self.next.call((t.clone(), key.clone()))?;
                    if k.is_nil() {
                        self.out.push(b'}');
                        stack.pop();
                        continue;
                    }
                    if !key.is_nil() {
                        self.out.push(b',');
                    }
                    *key = k.clone();
                    self.key(&k)?;
                    self.value(&v, &mut stack)?;
                }
            }
        }
        Ok(())
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        _ => None,
    }
}

fn encode(lua: &Lua, bridge: &Table, cfg: &Shared, next: &Function, args: MultiValue) -> mlua::Result<mlua::String> {
    if args.len() != 1 {
        return arg_error(lua, bridge, 1, "expected 1 argument");
    }
    let mut enc = Encoder { lua, bridge, cfg: config(cfg), next, out: Vec::new() };
    enc.run(&args[0])?;
    lua.create_string(&enc.out)
}

// ===== Decoding =====

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    /// A token error, with its text.
    Error(&'static str),
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num(_) => "T_NUMBER",
            Tok::Bool(_) => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(text) => text,
        }
    }
}

struct Parser<'a> {
    lua: &'a Lua,
    bridge: &'a Table,
    cfg: Config,
    data: &'a [u8],
    ptr: usize,
    depth: i64,
    /// The text of the last string token.
    tmp: Vec<u8>,
}

fn hex_digit(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

impl Parser<'_> {
    /// The byte at `i`, 0 past the end: the C parser reads a NUL-terminated string.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn hex4(&self, i: usize) -> Option<u32> {
        (0..4).try_fold(0, |acc, k| Some((acc << 4) | hex_digit(self.at(i + k))?))
    }

    /// A \uXXXX escape (or a surrogate pair) at ptr, appended as UTF-8.
    fn unicode_escape(&mut self) -> Option<()> {
        let mut cp = self.hex4(self.ptr + 2)?;
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 || self.at(self.ptr + 6) != b'\\' || self.at(self.ptr + 7) != b'u' {
                return None;
            }
            let low = self.hex4(self.ptr + 8)?;
            if low & 0xFC00 != 0xDC00 {
                return None;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        let mut utf8 = [0u8; 4];
        let n = match cp {
            0..=0x7F => {
                utf8[0] = cp as u8;
                1
            }
            0x80..=0x7FF => {
                utf8[..2].copy_from_slice(&[(cp >> 6) as u8 | 0xC0, (cp & 0x3F) as u8 | 0x80]);
                2
            }
            0x800..=0xFFFF => {
                utf8[..3].copy_from_slice(&[
                    (cp >> 12) as u8 | 0xE0,
                    ((cp >> 6) & 0x3F) as u8 | 0x80,
                    (cp & 0x3F) as u8 | 0x80,
                ]);
                3
            }
            _ => {
                utf8.copy_from_slice(&[
                    (cp >> 18) as u8 | 0xF0,
                    ((cp >> 12) & 0x3F) as u8 | 0x80,
                    ((cp >> 6) & 0x3F) as u8 | 0x80,
                    (cp & 0x3F) as u8 | 0x80,
                ]);
                4
            }
        };
        self.tmp.extend_from_slice(&utf8[..n]);
        self.ptr += len;
        Some(())
    }

    fn string_token(&mut self) -> Tok {
        self.ptr += 1;
        self.tmp.clear();
        loop {
            let mut ch = self.at(self.ptr);
            match ch {
                b'"' => break,
                0 => return Tok::Error("unexpected end of string"),
                b'\\' => {
                    ch = match self.at(self.ptr + 1) {
                        b'u' => {
                            if self.unicode_escape().is_none() {
                                return Tok::Error("invalid unicode escape code");
                            }
                            continue;
                        }
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => b'\x08',
                        b't' => b'\t',
                        b'n' => b'\n',
                        b'f' => b'\x0c',
                        b'r' => b'\r',
                        _ => return Tok::Error("invalid escape code"),
                    };
                    self.ptr += 1;
                }
                _ => {}
            }
            self.tmp.push(ch);
            self.ptr += 1;
        }
        self.ptr += 1;
        Tok::Str
    }

    /// json_is_invalid_number: what strtod takes but strict JSON does not (+, hex, leading zeros, inf, nan).
    fn is_invalid_number(&self) -> bool {
        let mut p = self.ptr;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        if self.at(p) == b'0' {
            let c2 = self.at(p + 1);
            return c2 | 0x20 == b'x' || c2.is_ascii_digit();
        }
        if self.at(p) <= b'9' {
            return false;
        }
        let word: Vec<u8> = (0..3).map(|k| self.at(p + k).to_ascii_lowercase()).collect();
        word == b"inf" || word == b"nan"
    }

    /// strtod at ptr. The characters strtod can take are copied (NUL-terminated) first, so the call reads
    /// only the token.
    fn number_token(&mut self) -> Tok {
        let start = self.ptr;
        let mut end = start;
        while matches!(self.at(end), b'0'..=b'9' | b'+' | b'-' | b'.' | b'a'..=b'z' | b'A'..=b'Z' | b'(' | b')' | b'_')
        {
            end += 1;
        }
        let mut text = self.data[start..end.min(self.data.len())].to_vec();
        text.push(0);
        let mut endptr: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: `text` is NUL-terminated and outlives the call; endptr points into it.
        let n = unsafe { libc::strtod(text.as_ptr() as *const libc::c_char, &mut endptr) };
        let used = (endptr as usize).saturating_sub(text.as_ptr() as usize).min(text.len() - 1);
        if used == 0 {
            return Tok::Error("invalid number");
        }
        self.ptr += used;
        Tok::Num(n)
    }

    /// The next token, and where it starts (0-based).
    fn next(&mut self) -> (Tok, usize) {
        while matches!(self.at(self.ptr), b' ' | b'\t' | b'\n' | b'\r') {
            self.ptr += 1;
        }
        let index = self.ptr;
        let ch = self.at(self.ptr);
        let single = match ch {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(tok) = single {
            self.ptr += 1;
            return (tok, index);
        }
        let rest = &self.data[self.ptr.min(self.data.len())..];
        let tok = match ch {
            0 => Tok::End,
            b'"' => self.string_token(),
            b'-' | b'0'..=b'9' => {
                if self.cfg.decode_invalid_numbers == 0 && self.is_invalid_number() {
                    Tok::Error("invalid number")
                } else {
                    self.number_token()
                }
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => {
                if rest.starts_with(b"true") {
                    self.ptr += 4;
                    Tok::Bool(true)
                } else if rest.starts_with(b"false") {
                    self.ptr += 5;
                    Tok::Bool(false)
                } else if rest.starts_with(b"null") {
                    self.ptr += 4;
                    Tok::Null
                } else if self.cfg.decode_invalid_numbers != 0 && self.is_invalid_number() {
                    self.number_token()
                } else {
                    Tok::Error("invalid token")
                }
            }
            _ => Tok::Error("invalid token"),
        };
        // A token error is reported where the parser stopped (inside a string for string errors).
        let index = if matches!(tok, Tok::Error(_)) { self.ptr } else { index };
        (tok, index)
    }

    fn fail<T>(&self, expected: &str, (tok, index): (Tok, usize)) -> mlua::Result<T> {
        let msg = format!("Expected {expected} but found {} at character {}", tok.name(), index + 1);
        lua_error(self.lua, self.bridge, &msg)
    }

    /// json_decode_descend, with the slots the open containers hold and the ones the new one needs.
    fn descend(&mut self, held: i64, needed: i64) -> mlua::Result<()> {
        self.depth += 1;
        if self.depth <= self.cfg.decode_max_depth && held + needed <= MAX_STACK && self.depth <= HARD_DEPTH {
            return Ok(());
        }
        let msg = format!("Found too many nested data structures ({}) at character {}", self.depth, self.ptr);
        lua_error(self.lua, self.bridge, &msg)
    }

    /// A scalar token's value, or None for `[` and `{`.
    fn scalar(&mut self, tok: (Tok, usize)) -> mlua::Result<Option<Value>> {
        Ok(Some(match tok.0 {
            Tok::Str => Value::String(self.lua.create_string(&self.tmp)?),
            Tok::Num(n) => Value::Number(n),
            Tok::Bool(b) => Value::Boolean(b),
            Tok::Null => null(),
            Tok::ObjBegin | Tok::ArrBegin => return Ok(None),
            _ => return self.fail("value", tok),
        }))
    }

    /// The first key of an object (after `{`) or the next one (after `,`); None at the `}` of an empty object.
    fn key(&mut self, allow_end: bool) -> mlua::Result<Option<mlua::String>> {
        let tok = self.next();
        if allow_end && tok.0 == Tok::ObjEnd {
            return Ok(None);
        }
        if tok.0 != Tok::Str {
            return self.fail("object key string", tok);
        }
        let key = self.lua.create_string(&self.tmp)?;
        let colon = self.next();
        if colon.0 != Tok::Colon {
            return self.fail("colon", colon);
        }
        Ok(Some(key))
    }

    /// Parses one value; containers are kept on an explicit stack, so nesting needs no recursion.
    fn parse(&mut self) -> mlua::Result<Value> {
        let mut stack: Vec<Container> = Vec::new();
        let mut tok = self.next();
        loop {
            // Parse a value starting at `tok`: a scalar, or open a container.
            let mut done = match self.scalar(tok)? {
                Some(v) => v,
                None => {
                    let held = 1 + stack.iter().map(|c| slots(c.key.is_some())).sum::<i64>();
                    self.descend(held, if tok.0 == Tok::ObjBegin { 3 } else { 2 })?;
                    let t = self.lua.create_table()?;
                    let opened = if tok.0 == Tok::ObjBegin {
                        self.key(true)?.map(|k| Container { t: t.clone(), key: Some(k), index: 0 })
                    } else {
                        let first = self.next();
                        (first.0 != Tok::ArrEnd).then(|| {
                            tok = first;
                            Container { t: t.clone(), key: None, index: 1 }
                        })
                    };
                    match opened {
                        Some(c) => {
                            let is_object = c.key.is_some();
                            stack.push(c);
                            if is_object {
                                tok = self.next();
                            }
                            continue;
                        }
                        None => {
                            self.depth -= 1;
                            Value::Table(t)
                        }
                    }
                }
            };
            // Store the finished value in its container, closing containers that end here.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(done);
                };
                if let Some(key) = top.key.take() {
                    top.t.raw_set(key, done)?;
                    let sep = self.next();
                    if sep.0 == Tok::Comma {
                        top.key = self.key(false)?;
                        tok = self.next();
                        break;
                    }
                    if sep.0 != Tok::ObjEnd {
                        return self.fail("comma or object end", sep);
                    }
                } else {
                    top.t.raw_set(top.index, done)?;
                    top.index += 1;
                    let sep = self.next();
                    if sep.0 == Tok::Comma {
                        tok = self.next();
                        break;
                    }
                    if sep.0 != Tok::ArrEnd {
                        return self.fail("comma or array end", sep);
                    }
                }
                self.depth -= 1;
                done = match stack.pop() {
                    Some(c) => Value::Table(c.t),
                    None => return Ok(Value::Nil),
                };
            }
        }
    }
}

/// An open array or object while decoding: the key its next value goes to, or the array index.
struct Container {
    t: Table,
    key: Option<mlua::String>,
    index: i64,
}

fn decode(lua: &Lua, bridge: &Table, cfg: &Shared, args: MultiValue) -> mlua::Result<Value> {
    if args.len() != 1 {
        return arg_error(lua, bridge, 1, "expected 1 argument");
    }
    let text = match &args[0] {
        Value::String(s) => s.as_bytes().to_vec(),
        v @ (Value::Integer(_) | Value::Number(_)) => match lua.coerce_string(v.clone())? {
            Some(s) => s.as_bytes().to_vec(),
            None => Vec::new(),
        },
        v => return type_error(lua, bridge, 1, "string", Some(v)),
    };
    if text.len() >= 2 && (text[0] == 0 || text[1] == 0) {
        return lua_error(lua, bridge, "JSON parser does not support UTF-16 or UTF-32");
    }
    let mut p = Parser { lua, bridge, cfg: config(cfg), data: &text, ptr: 0, depth: 0, tmp: Vec::new() };
    let v = p.parse()?;
    let end = p.next();
    if end.0 != Tok::End {
        return p.fail("the end", end);
    }
    Ok(v)
}

// ===== Settings =====

/// json_arg_init: at most `n` arguments; missing ones read as nil.
fn arg_init(lua: &Lua, bridge: &Table, args: &MultiValue, n: usize) -> mlua::Result<Vec<Value>> {
    if args.len() > n {
        return arg_error(lua, bridge, n + 1, "found too many arguments");
    }
    let mut v: Vec<Value> = args.iter().cloned().collect();
    v.resize(n, Value::Nil);
    Ok(v)
}

/// json_integer_option: sets the value when given (the range error always names argument #1, as in C).
fn integer_option(
    lua: &Lua,
    bridge: &Table,
    args: &[Value],
    i: usize,
    setting: &mut i64,
    (min, max): (i64, i64),
) -> mlua::Result<Value> {
    if !args[i].is_nil() {
        let n = match super::lib_bit::to_number(lua, Some(&args[i])) {
            Some(n) => n,
            None => return type_error(lua, bridge, i + 1, "number", Some(&args[i])),
        };
        // luaL_checkinteger casts to a 64-bit integer, then the C code keeps an int.
        let value = i64::from((if n.is_finite() { n as i64 } else { i64::MIN }) as i32);
        if value < min || value > max {
            return arg_error(lua, bridge, 1, &format!("expected integer between {min} and {max}"));
        }
        *setting = value;
    }
    Ok(Value::Integer(*setting))
}

/// json_enum_option with `bool_true` 1: a boolean or one of `options`; replies true/false or the option name.
fn enum_option(
    lua: &Lua,
    bridge: &Table,
    args: &[Value],
    i: usize,
    setting: &mut i64,
    options: &[&str],
) -> mlua::Result<Value> {
    match &args[i] {
        Value::Nil => {}
        Value::Boolean(b) => *setting = i64::from(*b),
        v @ (Value::String(_) | Value::Integer(_) | Value::Number(_)) => {
            let s = lua.coerce_string(v.clone())?.map(|s| s.as_bytes().to_vec()).unwrap_or_default();
            match options.iter().position(|o| o.as_bytes() == &s[..]) {
                Some(p) => *setting = p as i64,
                None => {
                    let shown = String::from_utf8_lossy(&s).into_owned();
                    return arg_error(lua, bridge, i + 1, &format!("invalid option '{shown}'"));
                }
            }
        }
        v => return type_error(lua, bridge, i + 1, "string", Some(v)),
    }
    Ok(match *setting {
        0 => Value::Boolean(false),
        1 => Value::Boolean(true),
        s => Value::String(lua.create_string(options.get(s as usize).copied().unwrap_or(""))?),
    })
}

type SettingFn = fn(&Lua, &Table, &[Value], &mut Config) -> mlua::Result<MultiValue>;

const BOOL: &[&str] = &["off", "on"];

fn settings() -> [(&'static str, usize, SettingFn); 7] {
    [
        ("encode_sparse_array", 3, |l, b, a, c| {
            let convert = enum_option(l, b, a, 0, &mut c.sparse_convert, BOOL)?;
            let ratio = integer_option(l, b, a, 1, &mut c.sparse_ratio, (0, i32::MAX as i64))?;
            let safe = integer_option(l, b, a, 2, &mut c.sparse_safe, (0, i32::MAX as i64))?;
            Ok(MultiValue::from_iter([convert, ratio, safe]))
        }),
        ("encode_max_depth", 1, |l, b, a, c| {
            Ok(MultiValue::from_iter([integer_option(l, b, a, 0, &mut c.encode_max_depth, (1, i32::MAX as i64))?]))
        }),
        ("decode_max_depth", 1, |l, b, a, c| {
            Ok(MultiValue::from_iter([integer_option(l, b, a, 0, &mut c.decode_max_depth, (1, i32::MAX as i64))?]))
        }),
        ("encode_number_precision", 1, |l, b, a, c| {
            Ok(MultiValue::from_iter([integer_option(l, b, a, 0, &mut c.precision, (1, 14))?]))
        }),
        ("encode_keep_buffer", 1, |l, b, a, c| {
            Ok(MultiValue::from_iter([enum_option(l, b, a, 0, &mut c.encode_keep_buffer, BOOL)?]))
        }),
        ("encode_invalid_numbers", 1, |l, b, a, c| {
            let opts = &["off", "on", "null"];
            Ok(MultiValue::from_iter([enum_option(l, b, a, 0, &mut c.encode_invalid_numbers, opts)?]))
        }),
        ("decode_invalid_numbers", 1, |l, b, a, c| {
            Ok(MultiValue::from_iter([enum_option(l, b, a, 0, &mut c.decode_invalid_numbers, BOOL)?]))
        }),
    ]
}

/// Builds the `cjson` table; called before init.lua replaces the global `next`.
pub fn create(lua: &Lua, bridge: &Table) -> mlua::Result<Table> {
    let next: Function = lua.globals().raw_get("next")?;
    create_with(lua, bridge, next)
}

/// A `cjson` table with fresh settings (the global one, and each `cjson.new()`).
fn create_with(lua: &Lua, bridge: &Table, next: Function) -> mlua::Result<Table> {
    let lib = lua.create_table()?;
    let cfg: Shared = Arc::new(Mutex::new(DEFAULTS));
    let (b, c, n) = (bridge.clone(), cfg.clone(), next.clone());
    lib.raw_set("encode", lua.create_function(move |lua, args: MultiValue| encode(lua, &b, &c, &n, args))?)?;
    let (b, c) = (bridge.clone(), cfg.clone());
    lib.raw_set("decode", lua.create_function(move |lua, args: MultiValue| decode(lua, &b, &c, args))?)?;
    for (name, nargs, f) in settings() {
        let (b, c) = (bridge.clone(), cfg.clone());
        let func = lua.create_function(move |lua, args: MultiValue| {
            let args = arg_init(lua, &b, &args, nargs)?;
            // Work on a copy: a failing option leaves the earlier ones of the same call set, as in C.
            let mut copy = config(&c);
            let result = f(lua, &b, &args, &mut copy);
            update(&c, |cfg| *cfg = copy);
            result
        })?;
        lib.raw_set(name, func)?;
    }
    let b = bridge.clone();
    lib.raw_set("new", lua.create_function(move |lua, _: MultiValue| create_with(lua, &b, next.clone()))?)?;
    lib.raw_set("null", null())?;
    lib.raw_set("_NAME", "cjson")?;
    lib.raw_set("_VERSION", "2.1.0")?;
    Ok(lib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_percent_g() {
        let mut out = Vec::new();
        format_g(0.1, 14, &mut out);
        format_g(1e20, 14, &mut out);
        format_g(123456789012345.0, 14, &mut out);
        assert_eq!(out, b"0.11e+201.2345678901234e+14");
    }

    #[test]
    fn strings_escape_like_lua_cjson() {
        let mut out = Vec::new();
        append_string(b"a/\"\\\n\x01\x7f\xc3\xa9", &mut out);
        assert_eq!(out, b"\"a\\/\\\"\\\\\\n\\u0001\\u007f\xc3\xa9\"");
    }
}
