//! The `cmsgpack` library: lua-cmsgpack 0.4.0 as Redis 7.0 bundles it (deps/lua/src/lua_cmsgpack.c).
//!
//! Written against the Lua C API, as `struct` is (see lib_struct.rs for why, and for how errors are raised):
//! the values, the table layouts and the stack limits are the C code's. Decoding keeps the open arrays and
//! maps on the Lua stack, as the C recursion does, but walks them with a loop, so deep nesting costs no Rust
//! stack; Lua's stack limit stops it where it stops Redis ("stack overflow (in function
//! mp_decode_to_lua_array)").

use super::lib_struct::{c_long, check_integer, check_lstring, check_stack, opt_integer, run, Raise};
use mlua::ffi::{self, lua_State};
use mlua::{Lua, Table};
use std::os::raw::{c_char, c_int};

/// Tables nested deeper than this are encoded as nil (so cycles end).
const MAX_NESTING: c_int = 16;

const TOO_MANY_VALUES: &str = "too many return values at once; use unpack_one or unpack_limit instead.";

/// The largest MessagePack text `pack` builds. Redis has no limit and would exhaust memory (a table referring
/// to itself encodes as fanout^16 values); past this the call fails with Lua's out-of-memory error.
const MAX_OUTPUT: usize = 512 << 20;

// ===== Encoding =====

/// An array or map header: fixed form up to 15 items, then 16 and 32 bits (longer counts are truncated).
fn encode_len(buf: &mut Vec<u8>, n: u64, fix: u8, b16: u8, b32: u8) {
    if n <= 15 {
        buf.push(fix | n as u8);
    } else if n <= 0xffff {
        buf.push(b16);
        buf.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        buf.push(b32);
        buf.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// Strings as fixstr, str8, str16 or str32.
fn encode_bytes(buf: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        buf.push(0xa0 | len as u8);
    } else if len <= 0xff {
        buf.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        buf.push(0xda);
        buf.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        buf.push(0xdb);
        buf.extend_from_slice(&(len as u32).to_be_bytes());
    }
    buf.extend_from_slice(s);
}

/// A float 32 when the number survives the conversion, else a float 64.
fn encode_double(buf: &mut Vec<u8>, d: f64) {
    let f = d as f32;
    if f64::from(f) == d {
        buf.push(0xca);
        buf.extend_from_slice(&f.to_be_bytes());
    } else {
        buf.push(0xcb);
        buf.extend_from_slice(&d.to_be_bytes());
    }
}

/// The smallest integer form.
fn encode_int(buf: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            buf.push(n as u8);
        } else if n <= 0xff {
            buf.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            buf.push(0xcd);
            buf.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            buf.push(0xce);
            buf.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            buf.push(0xcf);
            buf.extend_from_slice(&n.to_be_bytes());
        }
    } else if n >= -32 {
        buf.push(n as u8);
    } else if n >= -128 {
        buf.extend_from_slice(&[0xd0, n as u8]);
    } else if n >= -32768 {
        buf.push(0xd1);
        buf.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        buf.push(0xd2);
        buf.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        buf.push(0xd3);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

/// A number that converts to int64 and back unchanged is an integer; anything else a float.
fn encode_number(buf: &mut Vec<u8>, n: f64) {
    if !n.is_infinite() && c_long(n) as f64 == n {
        encode_int(buf, c_long(n));
    } else {
        encode_double(buf, n);
    }
}

/// C's `(int)n == n` on x86-64 (out-of-range conversions give INT_MIN).
fn int_equivalent(n: f64) -> bool {
    let i = if n > -2_147_483_649.0 && n < 2_147_483_648.0 { n as i32 } else { i32::MIN };
    !n.is_infinite() && f64::from(i) == n
}

struct Encoder {
    buf: Vec<u8>,
    /// Bytes the whole `pack` call may still produce.
    room: usize,
}

impl Encoder {
    /// Encodes the value on top of the stack and pops it.
    unsafe fn value(&mut self, l: *mut lua_State, level: c_int) -> Result<(), Raise> {
        let mut t = ffi::lua_type(l, -1);
        if t == ffi::LUA_TTABLE && level == MAX_NESTING {
            t = ffi::LUA_TNIL;
        }
        match t {
            ffi::LUA_TSTRING => {
                let mut len = 0usize;
                let p = ffi::lua_tolstring(l, -1, &mut len);
                encode_bytes(&mut self.buf, std::slice::from_raw_parts(p as *const u8, len));
            }
            ffi::LUA_TBOOLEAN => self.buf.push(if ffi::lua_toboolean(l, -1) != 0 { 0xc3 } else { 0xc2 }),
            ffi::LUA_TNUMBER => encode_number(&mut self.buf, ffi::lua_tonumber(l, -1)),
            ffi::LUA_TTABLE => self.table(l, level)?,
            _ => self.buf.push(0xc0),
        }
        if self.buf.len() > self.room {
            return Err(Raise::Bare(c"not enough memory"));
        }
        ffi::lua_pop(l, 1);
        Ok(())
    }

    /// A table whose keys are exactly 1..n is an array, anything else a map (keys in `next` order).
    unsafe fn table(&mut self, l: *mut lua_State, level: c_int) -> Result<(), Raise> {
        if is_array(l)? {
            let len = ffi::lua_objlen(l, -1);
            encode_len(&mut self.buf, len as u64, 0x90, 0xdc, 0xdd);
            check_stack(l, 1, "in function mp_encode_lua_table_as_array")?;
            for j in 1..=len {
                // C reads with lua_gettable; every index is present, so no metamethod can run either way.
                ffi::lua_pushnumber(l, j as f64);
                ffi::lua_rawget_(l, -2);
                self.value(l, level + 1)?;
            }
            return Ok(());
        }
        check_stack(l, 3, "in function mp_encode_lua_table_as_map")?;
        let mut len: u64 = 0;
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, -2) != 0 {
            ffi::lua_pop(l, 1);
            len += 1;
        }
        encode_len(&mut self.buf, len, 0x80, 0xde, 0xdf);
        ffi::lua_pushnil(l);
        while ffi::lua_next(l, -2) != 0 {
            // Stack: key value; encode a copy of the key, then the value, and keep the key for `next`.
            ffi::lua_pushvalue(l, -2);
            self.value(l, level + 1)?;
            self.value(l, level + 1)?;
        }
        Ok(())
    }
}

/// table_is_an_array: every key a positive integral number (that fits an int), and as many keys as the
/// largest one.
unsafe fn is_array(l: *mut lua_State) -> Result<bool, Raise> {
    let top = ffi::lua_gettop(l);
    check_stack(l, 2, "in function table_is_an_array")?;
    let (mut count, mut max) = (0i32, 0i32);
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pop(l, 1);
        let n = ffi::lua_tonumber(l, -1);
        if ffi::lua_type(l, -1) != ffi::LUA_TNUMBER || n <= 0.0 || !int_equivalent(n) {
            ffi::lua_settop(l, top);
            return Ok(false);
        }
        if n > f64::from(max) {
            max = n as i32;
        }
        count = count.wrapping_add(1);
    }
    ffi::lua_settop(l, top);
    Ok(max == count)
}

/// cmsgpack.pack(...): the arguments encoded one after the other.
unsafe fn pack(l: *mut lua_State) -> Result<c_int, Raise> {
    let nargs = ffi::lua_gettop(l);
    if nargs == 0 {
        return Err(Raise::Arg(0, b"MessagePack pack needs input.".to_vec()));
    }
    if ffi::lua_checkstack(l, nargs) == 0 {
        return Err(Raise::Arg(0, b"Too many arguments for MessagePack pack.".to_vec()));
    }
    let mut enc = Encoder { buf: Vec::new(), room: MAX_OUTPUT };
    for i in 1..=nargs {
        check_stack(l, 1, "in function mp_check")?;
        ffi::lua_pushvalue(l, i);
        enc.value(l, 0)?;
        ffi::lua_pushlstring_(l, enc.buf.as_ptr() as *const c_char, enc.buf.len());
        enc.room -= enc.buf.len();
        enc.buf.clear();
    }
    drop(enc);
    ffi::lua_concat(l, nargs);
    Ok(1)
}

// ===== Decoding =====

fn missing_bytes() -> Raise {
    Raise::error("Missing bytes in input.")
}

/// What a value's first bytes are: a value (pushed already) or the header of a container.
enum Head {
    Value,
    Array(u64),
    Map(u64),
}

/// An array or map being filled: what it still expects.
enum Open {
    /// `next` is the index of the element after the one being decoded.
    Array { left: u64, next: i64 },
    /// `has_key`: the key is decoded (on the stack) and its value is next.
    Map { left: u64, has_key: bool },
}

/// lua_pushinteger (lua_Integer, shown as a number); returns the bytes the value took.
unsafe fn push_int(l: *mut lua_State, n: i64, size: usize) -> usize {
    ffi::lua_pushinteger(l, n as ffi::lua_Integer);
    size
}

unsafe fn push_number(l: *mut lua_State, n: f64, size: usize) -> usize {
    ffi::lua_pushnumber(l, n);
    size
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    /// mp_cur_need: at least `n` bytes left.
    fn need(&self, n: usize) -> Result<&[u8], Raise> {
        self.rest.get(..n).ok_or_else(missing_bytes)
    }

    fn consume(&mut self, n: usize) {
        self.rest = &self.rest[n..];
    }

    /// A big-endian number of N bytes after the type byte.
    fn be<const N: usize>(&self) -> Result<[u8; N], Raise> {
        let mut b = [0u8; N];
        b.copy_from_slice(&self.need(1 + N)?[1..]);
        Ok(b)
    }

    /// Pushes the `len` bytes after a header of `hdr` bytes as a string.
    unsafe fn string(&mut self, l: *mut lua_State, hdr: usize, len: usize) -> Result<Head, Raise> {
        self.consume(hdr);
        let s = self.need(len)?;
        ffi::lua_pushlstring_(l, s.as_ptr() as *const c_char, len);
        self.consume(len);
        Ok(Head::Value)
    }

    /// Reads a value's type byte (and whatever follows for scalars, which are pushed).
    unsafe fn head(&mut self, l: *mut lua_State, tag: u8) -> Result<Head, Raise> {
        let size = match tag {
            0xcc => push_int(l, self.be::<1>()?[0] as i64, 2),
            0xd0 => push_int(l, self.be::<1>()?[0] as i8 as i64, 2),
            0xcd => push_int(l, u16::from_be_bytes(self.be()?) as i64, 3),
            0xd1 => push_int(l, i16::from_be_bytes(self.be()?) as i64, 3),
            0xce => push_int(l, u32::from_be_bytes(self.be()?) as i64, 5),
            0xd2 => push_int(l, i32::from_be_bytes(self.be()?) as i64, 5),
            // Through lua_Integer: 2^63 and more wrap to negative numbers, as in C.
            0xcf => push_int(l, u64::from_be_bytes(self.be()?) as i64, 9),
            0xd3 => push_number(l, i64::from_be_bytes(self.be()?) as f64, 9),
            0xca => push_number(l, f64::from(f32::from_be_bytes(self.be()?)), 5),
            0xcb => push_number(l, f64::from_be_bytes(self.be()?), 9),
            0xc0 => {
                ffi::lua_pushnil(l);
                1
            }
            0xc2 | 0xc3 => {
                ffi::lua_pushboolean(l, c_int::from(tag == 0xc3));
                1
            }
            0xd9 => {
                let len = self.be::<1>()?[0] as usize;
                self.need(2 + len)?;
                return self.string(l, 2, len);
            }
            0xda => {
                let len = u16::from_be_bytes(self.be()?) as usize;
                self.need(3 + len)?;
                return self.string(l, 3, len);
            }
            0xdb => {
                let len = u32::from_be_bytes(self.be()?) as usize;
                return self.string(l, 5, len);
            }
            0xdc | 0xde => {
                let len = u64::from(u16::from_be_bytes(self.be()?));
                self.consume(3);
                return Ok(if tag == 0xdc { Head::Array(len) } else { Head::Map(len) });
            }
            0xdd | 0xdf => {
                let len = u64::from(u32::from_be_bytes(self.be()?));
                self.consume(5);
                return Ok(if tag == 0xdd { Head::Array(len) } else { Head::Map(len) });
            }
            // Positive and negative fixnums.
            _ if tag & 0x80 == 0 => push_int(l, i64::from(tag), 1),
            _ if tag & 0xe0 == 0xe0 => push_int(l, i64::from(tag as i8), 1),
            _ if tag & 0xe0 == 0xa0 => {
                let len = (tag & 0x1f) as usize;
                self.need(1 + len)?;
                return self.string(l, 1, len);
            }
            _ if tag & 0xf0 == 0x90 || tag & 0xf0 == 0x80 => {
                let len = u64::from(tag & 0xf);
                self.consume(1);
                return Ok(if tag & 0xf0 == 0x90 { Head::Array(len) } else { Head::Map(len) });
            }
            // bin, ext, fixext and 0xc1: not understood.
            _ => return Err(Raise::error("Bad data format in input.")),
        };
        self.consume(size);
        Ok(Head::Value)
    }

    /// mp_decode_to_lua_type: pushes one value (a whole tree of tables for a container).
    unsafe fn value(&mut self, l: *mut lua_State) -> Result<(), Raise> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            // A value starts here: a scalar, or a container opened.
            let tag = self.need(1)?[0];
            check_stack(l, 1, TOO_MANY_VALUES)?;
            match self.head(l, tag)? {
                Head::Value => {}
                Head::Array(len) => {
                    ffi::lua_createtable(l, 0, 0);
                    check_stack(l, 1, "in function mp_decode_to_lua_array")?;
                    if len > 0 {
                        ffi::lua_pushnumber(l, 1.0);
                        open.push(Open::Array { left: len, next: 2 });
                        continue;
                    }
                }
                Head::Map(len) => {
                    ffi::lua_createtable(l, 0, 0);
                    if len > 0 {
                        open.push(Open::Map { left: len, has_key: false });
                        continue;
                    }
                }
            }
            // The value on top is complete: store it, closing the containers it completes.
            loop {
                match open.last_mut() {
                    None => return Ok(()),
                    Some(Open::Array { left, next }) => {
                        ffi::lua_rawset(l, -3);
                        *left -= 1;
                        if *left > 0 {
                            ffi::lua_pushnumber(l, *next as f64);
                            *next += 1;
                            break;
                        }
                    }
                    Some(Open::Map { left, has_key }) => {
                        if !*has_key {
                            *has_key = true;
                            break;
                        }
                        set_field(l)?;
                        *has_key = false;
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                    }
                }
                open.pop();
            }
        }
    }
}

/// lua_settable on a fresh table: t[k] = v for the key and value on top, with the core's errors for the keys
/// a table cannot hold.
unsafe fn set_field(l: *mut lua_State) -> Result<(), Raise> {
    match ffi::lua_type(l, -2) {
        ffi::LUA_TNIL => Err(Raise::Bare(c"table index is nil")),
        ffi::LUA_TNUMBER if ffi::lua_tonumber(l, -2).is_nan() => Err(Raise::Bare(c"table index is NaN")),
        _ => {
            ffi::lua_rawset(l, -3);
            Ok(())
        }
    }
}

/// mp_unpack_full: decodes up to `limit` values from `offset` (both 0: everything, and no offset returned).
/// With a limit, the next offset (-1 at the end) comes first.
unsafe fn unpack_full(l: *mut lua_State, limit: i64, offset: i64) -> Result<c_int, Raise> {
    let s = check_lstring(l, 1)?;
    let len = s.len();
    if offset < 0 || limit < 0 {
        // The C code prints the input length as the limit.
        let msg = format!("Invalid request to unpack with offset of {} and limit of {}.", offset as i32, len as i32);
        return Err(Raise::error(msg));
    }
    if offset as u64 > len as u64 {
        let msg = format!("Start offset {} greater than input length {}.", offset as i32, len as i32);
        return Err(Raise::error(msg));
    }
    let decode_all = limit == 0 && offset == 0;
    let limit = if decode_all { i64::from(i32::MAX) } else { limit };
    let mut c = Cursor { rest: &s[offset as usize..] };
    let mut cnt: c_int = 0;
    while !c.rest.is_empty() && i64::from(cnt) < limit {
        c.value(l)?;
        cnt += 1;
    }
    if !decode_all {
        check_stack(l, 1, "in function mp_unpack_full")?;
        let next = if c.rest.is_empty() { -1 } else { (len - c.rest.len()) as i64 };
        ffi::lua_pushinteger(l, next as ffi::lua_Integer);
        ffi::lua_insert(l, 2);
        cnt += 1;
    }
    Ok(cnt)
}

unsafe fn unpack(l: *mut lua_State) -> Result<c_int, Raise> {
    unpack_full(l, 0, 0)
}

unsafe fn unpack_one(l: *mut lua_State) -> Result<c_int, Raise> {
    let offset = opt_integer(l, 2, 0)?;
    ffi::lua_pop(l, ffi::lua_gettop(l) - 1);
    unpack_full(l, 1, offset)
}

unsafe fn unpack_limit(l: *mut lua_State) -> Result<c_int, Raise> {
    let limit = check_integer(l, 2)?;
    let offset = opt_integer(l, 3, 0)?;
    ffi::lua_pop(l, ffi::lua_gettop(l) - 1);
    unpack_full(l, limit, offset)
}

unsafe extern "C-unwind" fn mp_pack(l: *mut lua_State) -> c_int {
    run(l, pack)
}

unsafe extern "C-unwind" fn mp_unpack(l: *mut lua_State) -> c_int {
    run(l, unpack)
}

unsafe extern "C-unwind" fn mp_unpack_one(l: *mut lua_State) -> c_int {
    run(l, unpack_one)
}

unsafe extern "C-unwind" fn mp_unpack_limit(l: *mut lua_State) -> c_int {
    run(l, unpack_limit)
}

/// Builds the `cmsgpack` table (its fields in the C code's order, so `pairs` walks them as in Redis).
pub(super) fn create(lua: &Lua, _bridge: &Table) -> mlua::Result<Table> {
    let lib = lua.create_table()?;
    let fns: [(&str, ffi::lua_CFunction); 4] =
        [("pack", mp_pack), ("unpack", mp_unpack), ("unpack_one", mp_unpack_one), ("unpack_limit", mp_unpack_limit)];
    for (name, f) in fns {
        // SAFETY: the functions follow the Lua C API protocol (see lib_struct.rs on errors).
        lib.raw_set(name, unsafe { lua.create_c_function(f)? })?;
    }
    lib.raw_set("_NAME", "cmsgpack")?;
    lib.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    lib.raw_set("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo")?;
    lib.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(lib)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64) -> Vec<u8> {
        let mut buf = Vec::new();
        encode_int(&mut buf, n);
        buf
    }

    #[test]
    fn integers_take_the_smallest_form() {
        assert_eq!(int(127), [0x7f]);
        assert_eq!(int(128), [0xcc, 0x80]);
        assert_eq!(int(-32), [0xe0]);
        assert_eq!(int(-33), [0xd0, 0xdf]);
        assert_eq!(int(65536), [0xce, 0, 1, 0, 0]);
        assert_eq!(int(-32769), [0xd2, 0xff, 0xff, 0x7f, 0xff]);
        assert_eq!(int(1 << 32), [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn numbers_pick_int_float_or_double() {
        let enc = |n: f64| {
            let mut buf = Vec::new();
            encode_number(&mut buf, n);
            buf
        };
        assert_eq!(enc(-0.0), [0]);
        assert_eq!(enc(0.5), [0xca, 0x3f, 0, 0, 0]);
        assert_eq!(enc(0.1)[0], 0xcb);
        assert_eq!(enc(f64::INFINITY), [0xca, 0x7f, 0x80, 0, 0]);
        // 2^63 does not fit int64: a float.
        assert_eq!(enc(9_223_372_036_854_775_808.0), [0xca, 0x5f, 0, 0, 0]);
        assert_eq!(enc(-9_223_372_036_854_775_808.0), [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    }

    fn lua_with_lib() -> Lua {
        let lua = Lua::new();
        let bridge = lua.create_table().expect("table");
        lua.globals().raw_set("cmsgpack", create(&lua, &bridge).expect("cmsgpack")).expect("set");
        lua
    }

    #[test]
    fn roundtrip_and_offsets() {
        let lua = lua_with_lib();
        let ok: bool = lua
            .load(
                r#"
                local s = cmsgpack.pack({1, 2, {a = 'x'}}, -1.5, 'str')
                local t, f, str = cmsgpack.unpack(s)
                local off, one = cmsgpack.unpack_one(s)
                local off2, two, three = cmsgpack.unpack_limit(s, 5, off)
                return t[3].a == 'x' and f == -1.5 and str == 'str' and one[2] == 2 and two == -1.5
                    and three == 'str' and off2 == -1
                "#,
            )
            .eval()
            .expect("runs");
        assert!(ok);
    }

    #[test]
    fn deep_and_wide_inputs_fail_cleanly() {
        let lua = lua_with_lib();
        let err = lua.load("return cmsgpack.unpack(string.rep('\\145', 100000))").exec().expect_err("too deep");
        assert!(err.to_string().contains("stack overflow (in function mp_decode_to_lua_array)"), "{err}");
        let err = lua.load("return cmsgpack.unpack('\\219\\255\\255\\255\\255')").exec().expect_err("short");
        assert!(err.to_string().contains("Missing bytes in input."), "{err}");
        let n: i64 = lua.load("return select('#', cmsgpack.unpack(string.rep('\\1', 7999)))").eval().expect("fits");
        assert_eq!(n, 7999);
        let err = lua.load("return cmsgpack.unpack(string.rep('\\1', 8000))").exec().expect_err("too many");
        assert!(err.to_string().contains(TOO_MANY_VALUES), "{err}");
    }
}
