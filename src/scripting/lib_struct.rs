//! The `struct` library, as Redis 7.0 bundles it (deps/lua/src/lua_struct.c, with Redis's fixes: the
//! `integral size overflow` check and the bounds checks of `unpack`).
//!
//! `struct` and `cmsgpack` are written against the Lua C API, as their C originals are, rather than through
//! mlua's values: mlua hands numbers within 2^-52 of an integer over as that integer (-0 and 1e-300 would read
//! as 0), and every value it holds takes a slot of a small reference stack (unpacking thousands of values would
//! exhaust it). On the Lua stack the values, the stack limits ("too many results", "stack overflow (...)"),
//! the argument errors and the table layouts are those of the C code.
//!
//! Errors: a Lua error longjmps over the Rust frames, so the library functions never raise while they own
//! anything with a destructor. The work is done by a function returning `Result<c_int, Raise>`, whose error is
//! raised by `raise` once everything is dropped; the argument checks below are the non-raising halves of
//! luaL_check*.

use mlua::ffi::{self, lua_State};
use mlua::{Lua, Table};
use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

// ===== Lua C API helpers shared with lib_cmsgpack =====

/// A Lua error to raise once the Rust side owns nothing.
pub(super) enum Raise {
    /// luaL_error: the message after the caller's position ("user_script:1: ").
    Error(Vec<u8>),
    /// luaL_argerror(narg, extra): "bad argument #narg to 'name' (extra)".
    Arg(c_int, Vec<u8>),
    /// luaL_typerror(narg, tname): "bad argument #narg to 'name' (tname expected, got ...)".
    Type(c_int, &'static CStr),
    /// An error the Lua core raises inside a C function: the bare message, no position.
    Bare(&'static CStr),
}

impl Raise {
    pub(super) fn error(msg: impl Into<Vec<u8>>) -> Raise {
        Raise::Error(msg.into())
    }

    /// luaL_checkstack's failure.
    pub(super) fn stack_overflow(what: &str) -> Raise {
        Raise::Error(format!("stack overflow ({what})").into_bytes())
    }
}

/// Raises `r` as the C library would. Never returns.
///
/// # Safety
/// `l` is the state of the running C function, and the caller's frames own nothing with a destructor.
pub(super) unsafe fn raise(l: *mut lua_State, r: Raise) -> c_int {
    // The error discards this call's stack anyway; dropping it first leaves room for the message when the
    // error is that the stack is full (Lua's API checks would abort otherwise). A type error still reads the
    // type of its argument.
    let keep = if let Raise::Type(narg, _) = r { narg } else { 0 };
    if ffi::lua_gettop(l) > keep {
        ffi::lua_settop(l, keep);
    }
    match r {
        Raise::Error(msg) => {
            ffi::luaL_where(l, 1);
            push_text(l, msg);
            ffi::lua_concat(l, 2);
        }
        Raise::Arg(narg, extra) => {
            // The text lives on the Lua stack while luaL_argerror formats it.
            push_text(l, extra);
            return ffi::luaL_argerror(l, narg, ffi::lua_tolstring(l, -1, std::ptr::null_mut()));
        }
        Raise::Type(narg, tname) => return ffi::luaL_typerror(l, narg, tname.as_ptr()),
        Raise::Bare(msg) => {
            ffi::lua_pushfstring(l, c"%s".as_ptr(), msg.as_ptr());
        }
    }
    ffi::lua_error(l)
}

/// Pushes an error text as luaL_error does (lua_pushfstring: allowed on a full stack, where the error is
/// often raised). The texts hold no NUL: format options stop at the first one.
unsafe fn push_text(l: *mut lua_State, text: Vec<u8>) {
    let text = std::ffi::CString::new(text).unwrap_or_default();
    ffi::lua_pushfstring(l, c"%s".as_ptr(), text.as_ptr());
}

/// Runs `f` and raises its error: the body of every library function.
///
/// # Safety
/// `l` is the state of the running C function.
pub(super) unsafe fn run(l: *mut lua_State, f: unsafe fn(*mut lua_State) -> Result<c_int, Raise>) -> c_int {
    // A panic must not unwind into Lua's C frames: it becomes a Lua error (none is expected).
    let outcome = match std::panic::catch_unwind(|| f(l)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            drop(payload);
            Err(Raise::Bare(c"internal error in a Lua library"))
        }
    };
    match outcome {
        Ok(n) => n,
        Err(e) => raise(l, e),
    }
}

/// luaL_checknumber.
pub(super) unsafe fn check_number(l: *mut lua_State, narg: c_int) -> Result<f64, Raise> {
    let d = ffi::lua_tonumber(l, narg);
    if d == 0.0 && ffi::lua_isnumber(l, narg) == 0 {
        return Err(Raise::Type(narg, c"number"));
    }
    Ok(d)
}

/// luaL_checkinteger (lua_tointeger: C's truncating cast).
pub(super) unsafe fn check_integer(l: *mut lua_State, narg: c_int) -> Result<i64, Raise> {
    let d = ffi::lua_tointeger_(l, narg) as i64;
    if d == 0 && ffi::lua_isnumber(l, narg) == 0 {
        return Err(Raise::Type(narg, c"number"));
    }
    Ok(d)
}

/// luaL_optinteger.
pub(super) unsafe fn opt_integer(l: *mut lua_State, narg: c_int, def: i64) -> Result<i64, Raise> {
    if ffi::lua_isnoneornil(l, narg) != 0 {
        return Ok(def);
    }
    check_integer(l, narg)
}

/// luaL_checklstring: the bytes of a string (a number argument is converted in place, as in C). The slice
/// stays valid while the value is on the stack.
pub(super) unsafe fn check_lstring<'a>(l: *mut lua_State, narg: c_int) -> Result<&'a [u8], Raise> {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(l, narg, &mut len);
    if p.is_null() {
        return Err(Raise::Type(narg, c"string"));
    }
    Ok(std::slice::from_raw_parts(p as *const u8, len))
}

/// luaL_checkstack: room for `n` more values on the Lua stack.
pub(super) unsafe fn check_stack(l: *mut lua_State, n: c_int, what: &str) -> Result<(), Raise> {
    if ffi::lua_checkstack(l, n) == 0 {
        return Err(Raise::stack_overflow(what));
    }
    Ok(())
}

/// C's `(long)d` on x86-64 (cvttsd2si): NaN and out-of-range values give LONG_MIN.
pub(super) fn c_long(d: f64) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        d as i64
    } else {
        i64::MIN
    }
}

/// C's `(unsigned long)d` as gcc compiles it on x86-64: below 2^63 (or NaN) the signed conversion, else the
/// signed conversion of d - 2^63 with the top bit flipped (so 2^64 and more give 0).
pub(super) fn c_ulong(d: f64) -> u64 {
    const TOP: f64 = 9_223_372_036_854_775_808.0;
    if d >= TOP {
        (c_long(d - TOP) as u64) ^ (1 << 63)
    } else {
        c_long(d) as u64
    }
}

// ===== The struct library =====

/// Largest size of the `i`/`I` options.
const MAXINTSIZE: i32 = 32;
/// Default of `!` without a number: the alignment of a double on x86-64.
const MAXALIGN: i32 = 8;
/// `long`, `size_t`: 8 bytes on x86-64.
const LONG: u64 = 8;

/// Byte order and maximum alignment, as options change them along the format.
struct Header {
    big: bool,
    align: i32,
}

impl Header {
    /// Native (little-endian) order, no alignment.
    fn new() -> Header {
        Header { big: false, align: 1 }
    }
}

/// The format string as C reads it: up to its first NUL.
struct Fmt<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fmt<'a> {
    fn new(s: &'a [u8]) -> Fmt<'a> {
        let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        Fmt { bytes: &s[..end], at: 0 }
    }

    fn next_opt(&mut self) -> Option<u8> {
        let opt = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(opt)
    }

    fn peek_digit(&self) -> Option<i32> {
        self.bytes.get(self.at).filter(|b| b.is_ascii_digit()).map(|b| i32::from(b - b'0'))
    }

    /// getnum: the number after an option, or `df`; overflowing an int is an error.
    fn getnum(&mut self, df: i32) -> Result<i32, Raise> {
        if self.peek_digit().is_none() {
            return Ok(df);
        }
        let mut a: i32 = 0;
        while let Some(d) = self.peek_digit() {
            if a > i32::MAX / 10 || a * 10 > i32::MAX - d {
                return Err(Raise::error("integral size overflow"));
            }
            a = a * 10 + d;
            self.at += 1;
        }
        Ok(a)
    }
}

/// optsize: the bytes an option takes (0 for the control options and the unknown ones).
fn optsize(opt: u8, fmt: &mut Fmt) -> Result<u64, Raise> {
    Ok(match opt {
        b'B' | b'b' | b'x' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => LONG,
        b'f' => 4,
        b'c' => fmt.getnum(1)? as u64,
        b'i' | b'I' => {
            let sz = fmt.getnum(4)?;
            if sz > MAXINTSIZE {
                return Err(Raise::error(format!("integral size {sz} is larger than limit of {MAXINTSIZE}")));
            }
            sz as u64
        }
        _ => 0,
    })
}

/// gettoalign: padding before an item of `size` bytes at `len` (sizes that are not powers of 2 give odd
/// paddings, as in C).
fn gettoalign(len: u64, h: &Header, opt: u8, size: u64) -> u64 {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align as u64);
    size.wrapping_sub(len & (size - 1)) & (size - 1)
}

/// controloptions: spaces, byte order, alignment; anything else is an invalid option.
fn controloptions(opt: u8, fmt: &mut Fmt, h: &mut Header) -> Result<(), Raise> {
    match opt {
        b' ' => {}
        b'>' => h.big = true,
        b'<' => h.big = false,
        b'!' => {
            let a = fmt.getnum(MAXALIGN)?;
            if a <= 0 || a & (a - 1) != 0 {
                return Err(Raise::error(format!("alignment {a} is not a power of 2")));
            }
            h.align = a;
        }
        _ => {
            let mut msg = b"invalid format option '".to_vec();
            msg.extend_from_slice(&[opt, b'\'']);
            return Err(Raise::Arg(1, msg));
        }
    }
    Ok(())
}

/// putinteger: the low `size` bytes of the number as C converts it (negative numbers through `long`),
/// zero-filled past 8 bytes.
fn putinteger(out: &mut Vec<u8>, n: f64, big: bool, size: usize) {
    let mut value = if n < 0.0 { c_long(n) as u64 } else { c_ulong(n) };
    let mut bytes = [0u8; MAXINTSIZE as usize];
    for b in bytes[..size].iter_mut() {
        *b = value as u8;
        value >>= 8;
    }
    if big {
        bytes[..size].reverse();
    }
    out.extend_from_slice(&bytes[..size]);
}

/// getinteger: the integer as C reads it into an unsigned long (only the last 8 bytes count); signed sizes
/// extend the sign from bit `size*8-1`, with the shift count masked to 6 bits as x86 does.
fn getinteger(buf: &[u8], big: bool, signed: bool) -> f64 {
    let fold = |l: u64, b: &u8| (l << 8) | u64::from(*b);
    let mut l = if big { buf.iter().fold(0, fold) } else { buf.iter().rev().fold(0, fold) };
    if !signed {
        return l as f64;
    }
    let mask = u64::MAX.wrapping_shl((buf.len() as i32 * 8 - 1) as u32);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

fn ordered<const N: usize>(mut bytes: [u8; N], big: bool) -> [u8; N] {
    if big {
        bytes.reverse();
    }
    bytes
}

unsafe fn pack(l: *mut lua_State) -> Result<c_int, Raise> {
    let mut fmt = Fmt::new(check_lstring(l, 1)?);
    let mut h = Header::new();
    let mut arg: c_int = 2;
    // Mark between the arguments and the string buffer: a missing argument reads as nil, not "no value".
    ffi::lua_pushnil(l);
    let mut out: Vec<u8> = Vec::new();
    while let Some(opt) = fmt.next_opt() {
        let mut size = optsize(opt, &mut fmt)?;
        let toalign = gettoalign(out.len() as u64, &h, opt, size);
        out.resize(out.len() + toalign as usize, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(l, arg)?;
                arg += 1;
                putinteger(&mut out, n, h.big, size as usize);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = check_number(l, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&ordered(f.to_le_bytes(), h.big));
            }
            b'd' => {
                let d = check_number(l, arg)?;
                arg += 1;
                out.extend_from_slice(&ordered(d.to_le_bytes(), h.big));
            }
            b'c' | b's' => {
                let s = check_lstring(l, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len() as u64;
                }
                if (s.len() as u64) < size {
                    return Err(Raise::Arg(arg, b"string too short".to_vec()));
                }
                out.extend_from_slice(&s[..size as usize]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => controloptions(opt, &mut fmt, &mut h)?,
        }
    }
    ffi::lua_pushlstring_(l, out.as_ptr() as *const c_char, out.len());
    Ok(1)
}

unsafe fn unpack(l: *mut lua_State) -> Result<c_int, Raise> {
    let mut fmt = Fmt::new(check_lstring(l, 1)?);
    let data = check_lstring(l, 2)?;
    let ld = data.len() as u64;
    let mut pos = opt_integer(l, 3, 1)? as u64;
    if pos == 0 {
        return Err(Raise::Arg(3, b"offset must be 1 or greater".to_vec()));
    }
    // 0-based from here; a negative offset is a huge one, as the C size_t.
    pos -= 1;
    let mut h = Header::new();
    let mut n: c_int = 0;
    let too_short = || Raise::Arg(2, b"data string too short".to_vec());
    while let Some(opt) = fmt.next_opt() {
        let mut size = optsize(opt, &mut fmt)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if size > ld || pos > ld - size {
            return Err(too_short());
        }
        // Room for the item and the next position.
        check_stack(l, 2, "too many results")?;
        let at = pos as usize;
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                ffi::lua_pushnumber(l, getinteger(&data[at..at + size as usize], h.big, signed));
                n += 1;
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[at..at + 4]);
                ffi::lua_pushnumber(l, f64::from(f32::from_le_bytes(ordered(b, h.big))));
                n += 1;
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[at..at + 8]);
                ffi::lua_pushnumber(l, f64::from_le_bytes(ordered(b, h.big)));
                n += 1;
            }
            b'c' => {
                if size == 0 {
                    // `c0`: the length is the previous result, which must be a number (or a numeric string).
                    if n == 0 || ffi::lua_isnumber(l, -1) == 0 {
                        return Err(Raise::error("format 'c0' needs a previous size"));
                    }
                    size = c_ulong(ffi::lua_tonumber(l, -1));
                    ffi::lua_pop(l, 1);
                    n -= 1;
                    if size > ld || pos > ld - size {
                        return Err(too_short());
                    }
                }
                ffi::lua_pushlstring_(l, data[at..].as_ptr() as *const c_char, size as usize);
                n += 1;
            }
            b's' => {
                let Some(len) = data[at..].iter().position(|&b| b == 0) else {
                    return Err(Raise::error("unfinished string in data"));
                };
                ffi::lua_pushlstring_(l, data[at..].as_ptr() as *const c_char, len);
                size = len as u64 + 1;
                n += 1;
            }
            _ => controloptions(opt, &mut fmt, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    ffi::lua_pushinteger(l, pos.wrapping_add(1) as i64 as ffi::lua_Integer);
    Ok(n + 1)
}

unsafe fn size(l: *mut lua_State) -> Result<c_int, Raise> {
    let mut fmt = Fmt::new(check_lstring(l, 1)?);
    let mut h = Header::new();
    let mut pos: u64 = 0;
    while let Some(opt) = fmt.next_opt() {
        let size = optsize(opt, &mut fmt)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if opt == b's' {
            return Err(Raise::Arg(1, b"option 's' has no fixed size".to_vec()));
        }
        if opt == b'c' && size == 0 {
            return Err(Raise::Arg(1, b"option 'c0' has no fixed size".to_vec()));
        }
        // Unknown letters and digits count 0 bytes here; other characters are checked.
        if !opt.is_ascii_alphanumeric() {
            controloptions(opt, &mut fmt, &mut h)?;
        }
        pos = pos.wrapping_add(size);
    }
    ffi::lua_pushinteger(l, pos as i64 as ffi::lua_Integer);
    Ok(1)
}

unsafe extern "C-unwind" fn b_pack(l: *mut lua_State) -> c_int {
    run(l, pack)
}

unsafe extern "C-unwind" fn b_unpack(l: *mut lua_State) -> c_int {
    run(l, unpack)
}

unsafe extern "C-unwind" fn b_size(l: *mut lua_State) -> c_int {
    run(l, size)
}

/// Builds the `struct` table: pack, unpack, size.
pub(super) fn create(lua: &Lua, _bridge: &Table) -> mlua::Result<Table> {
    let lib = lua.create_table()?;
    let fns: [(&str, ffi::lua_CFunction); 3] = [("pack", b_pack), ("unpack", b_unpack), ("size", b_size)];
    for (name, f) in fns {
        // SAFETY: the functions follow the Lua C API protocol (see the module comment on errors).
        lib.raw_set(name, unsafe { lua.create_c_function(f)? })?;
    }
    Ok(lib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_x86_64() {
        assert_eq!(c_long(f64::NAN), i64::MIN);
        assert_eq!(c_long(-1.5), -1);
        assert_eq!(c_long(1e300), i64::MIN);
        assert_eq!(c_ulong(f64::NAN), 1 << 63);
        assert_eq!(c_ulong(9_223_372_036_854_775_808.0), 1 << 63);
        assert_eq!(c_ulong(18_446_744_073_709_551_616.0), 0);
        assert_eq!(c_ulong(f64::INFINITY), 0);
        assert_eq!(c_ulong(-1.0), u64::MAX);
    }

    #[test]
    fn integers_read_like_c() {
        assert_eq!(getinteger(&[0x80, 0, 0, 0, 0, 0, 0, 0, 1], true, true), 1.0);
        assert_eq!(getinteger(&[0, 0, 0, 0, 0, 0, 0, 0, 0x80], true, true), -128.0);
        assert_eq!(getinteger(&[], true, true), 0.0);
        assert_eq!(getinteger(&[0xff, 0xff, 0xfe], true, true), -2.0);
        assert_eq!(getinteger(&[0xfe, 0xff], false, false), 65534.0);
        let mut out = Vec::new();
        putinteger(&mut out, -1.0, false, 10);
        assert_eq!(out, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0]);
    }

    #[test]
    fn lua_roundtrip() {
        let lua = Lua::new();
        let bridge = lua.create_table().expect("table");
        lua.globals().raw_set("struct", create(&lua, &bridge).expect("struct")).expect("set");
        let (s, a, b, next): (mlua::String, f64, String, i64) = lua
            .load("local s = struct.pack('>!4bic0', -2, 7, 'xyz') return s, struct.unpack('>!4bi', s), 'x', 9")
            .eval()
            .expect("runs");
        assert_eq!(&s.as_bytes()[..], b"\xfe\0\0\0\0\0\0\x07xyz");
        assert_eq!((a, b.as_str(), next), (-2.0, "x", 9));
        let err = lua.load("return struct.pack('z')").eval::<()>().expect_err("invalid option");
        assert!(err.to_string().contains("bad argument #1 to 'pack' (invalid format option 'z')"), "{err}");
    }
}
