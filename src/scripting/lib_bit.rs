//! The `bit` library (LuaBitOp 1.0, as Redis 7.0 bundles it in deps/lua/src/lua_bit.c), plus the error helpers
//! the Rust-written Lua libraries share: they raise plain string errors as the C libraries' luaL_error does.

use mlua::{Lua, MultiValue, Table, Value};

/// luaL_where(L, 1): "user_script:3: " when the library function was called from a Lua line, else nothing
/// (called straight from pcall, a C function).
fn where_prefix(lua: &Lua) -> String {
    let Some(frame) = lua.inspect_stack(1) else {
        return String::new();
    };
    let line = frame.curr_line();
    if line <= 0 {
        return String::new();
    }
    let src = frame.source().short_src.map(|s| s.into_owned()).unwrap_or_default();
    format!("{src}:{line}: ")
}

/// luaL_error: raises `msg` with the caller's position as a Lua string error. mlua raises Rust errors as
/// userdata, so the string waits in `impl.pending` where init.lua's handler and pcall pick it up.
pub(super) fn lua_error<T>(lua: &Lua, bridge: &Table, msg: &str) -> mlua::Result<T> {
    let text = format!("{}{msg}", where_prefix(lua));
    bridge.raw_set("pending", lua.create_string(&text)?)?;
    Err(mlua::Error::RuntimeError(text))
}

/// luaL_argerror: "bad argument #n to 'name' (extra)", with the name the caller used ('?' when unknown).
pub(super) fn arg_error<T>(lua: &Lua, bridge: &Table, narg: usize, extra: &str) -> mlua::Result<T> {
    let (name, method) = match lua.inspect_stack(0) {
        Some(frame) => {
            let names = frame.names();
            (names.name.map(|n| n.into_owned()), names.name_what == Some("method"))
        }
        None => (None, false),
    };
    let name = name.unwrap_or_else(|| "?".into());
    if method {
        if narg == 1 {
            return lua_error(lua, bridge, &format!("calling '{name}' on bad self ({extra})"));
        }
        return lua_error(lua, bridge, &format!("bad argument #{} to '{name}' ({extra})", narg - 1));
    }
    lua_error(lua, bridge, &format!("bad argument #{narg} to '{name}' ({extra})"))
}

/// luaL_typename of an argument (None: past the last argument).
pub(super) fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None => "no value",
        Some(Value::Nil) => "nil",
        Some(Value::Boolean(_)) => "boolean",
        Some(Value::LightUserData(_)) | Some(Value::UserData(_)) => "userdata",
        Some(Value::Integer(_)) | Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Table(_)) => "table",
        Some(Value::Function(_)) => "function",
        Some(Value::Thread(_)) => "thread",
        Some(_) => "userdata",
    }
}

/// luaL_typerror: "bad argument #n to 'f' (number expected, got string)".
pub(super) fn type_error<T>(
    lua: &Lua,
    bridge: &Table,
    narg: usize,
    expected: &str,
    got: Option<&Value>,
) -> mlua::Result<T> {
    arg_error(lua, bridge, narg, &format!("{expected} expected, got {}", type_name(got)))
}

/// lua_tonumber: numbers, and strings that convert; None otherwise.
pub(super) fn to_number(lua: &Lua, v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        Value::String(_) => lua.coerce_number(v?.clone()).ok().flatten(),
        _ => None,
    }
}

/// LuaBitOp's barg: the number's low 32 bits after rounding, by adding 2^52+2^51 and reading the mantissa.
/// Only a zero result checks that the argument was a number at all.
fn barg(lua: &Lua, bridge: &Table, args: &MultiValue, i: usize) -> mlua::Result<u32> {
    let n = to_number(lua, args.get(i));
    let b = (n.unwrap_or(0.0) + 6_755_399_441_055_744.0).to_bits() as u32;
    if b == 0 && n.is_none() {
        return type_error(lua, bridge, i + 1, "number", args.get(i));
    }
    Ok(b)
}

/// The result as LuaBitOp pushes it: a signed 32-bit number.
fn bits(b: u32) -> f64 {
    f64::from(b as i32)
}

/// band/bor/bxor: the first argument, then the others from the last one down, as the C loop reads them.
fn fold(lua: &Lua, bridge: &Table, args: &MultiValue, op: fn(u32, u32) -> u32) -> mlua::Result<f64> {
    let mut b = barg(lua, bridge, args, 0)?;
    for i in (1..args.len()).rev() {
        b = op(b, barg(lua, bridge, args, i)?);
    }
    Ok(bits(b))
}

/// A shift or rotation: `op(value, count & 31)`.
fn shift(lua: &Lua, bridge: &Table, args: &MultiValue, op: fn(u32, u32) -> u32) -> mlua::Result<f64> {
    let b = barg(lua, bridge, args, 0)?;
    let n = barg(lua, bridge, args, 1)? & 31;
    Ok(bits(op(b, n)))
}

fn tohex(lua: &Lua, bridge: &Table, args: &MultiValue) -> mlua::Result<mlua::String> {
    let mut b = barg(lua, bridge, args, 0)?;
    let mut n = if args.len() < 2 { 8 } else { barg(lua, bridge, args, 1)? as i32 };
    let mut digits: &[u8; 16] = b"0123456789abcdef";
    if n < 0 {
        // Redis's build treats -INT_MIN as a large width: 8 digits.
        n = n.checked_neg().unwrap_or(i32::MAX);
        digits = b"0123456789ABCDEF";
    }
    let n = n.clamp(0, 8) as usize;
    let mut buf = [0u8; 8];
    for slot in buf[..n].iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    lua.create_string(&buf[..n])
}

type BitFn = fn(&Lua, &Table, &MultiValue) -> mlua::Result<f64>;

/// Builds the `bit` table.
pub fn create(lua: &Lua, bridge: &Table) -> mlua::Result<Table> {
    let lib = lua.create_table()?;
    let fns: [(&str, BitFn); 11] = [
        ("tobit", |l, b, a| Ok(bits(barg(l, b, a, 0)?))),
        ("bnot", |l, b, a| Ok(bits(!barg(l, b, a, 0)?))),
        ("band", |l, b, a| fold(l, b, a, |x, y| x & y)),
        ("bor", |l, b, a| fold(l, b, a, |x, y| x | y)),
        ("bxor", |l, b, a| fold(l, b, a, |x, y| x ^ y)),
        ("lshift", |l, b, a| shift(l, b, a, |x, n| x << n)),
        ("rshift", |l, b, a| shift(l, b, a, |x, n| x >> n)),
        ("arshift", |l, b, a| shift(l, b, a, |x, n| ((x as i32) >> n) as u32)),
        ("rol", |l, b, a| shift(l, b, a, |x, n| x.rotate_left(n))),
        ("ror", |l, b, a| shift(l, b, a, |x, n| x.rotate_right(n))),
        ("bswap", |l, b, a| Ok(bits(barg(l, b, a, 0)?.swap_bytes()))),
    ];
    for (name, f) in fns {
        let bridge = bridge.clone();
        lib.raw_set(name, lua.create_function(move |lua, args: MultiValue| f(lua, &bridge, &args))?)?;
    }
    let b = bridge.clone();
    lib.raw_set("tohex", lua.create_function(move |lua, args: MultiValue| tohex(lua, &b, &args))?)?;
    Ok(lib)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barg_wraps_like_luabitop() {
        let lua = Lua::new();
        let bridge = lua.create_table().expect("table");
        let one = |n: f64| {
            let args = MultiValue::from_iter([Value::Number(n)]);
            barg(&lua, &bridge, &args, 0).expect("number")
        };
        assert_eq!(one(4294967296.0), 0);
        assert_eq!(one(-1.0), 0xffff_ffff);
        assert_eq!(one(2.5), 2);
        assert_eq!(one(3.5), 4);
        assert_eq!(one(2147483648.0), 0x8000_0000);
    }
}
