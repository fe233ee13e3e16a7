//! The `struct` and `cmsgpack` Lua libraries against redis-server: results and error texts, byte for byte.
//!
//! Lua numbers come back as integers (truncated), so fractional results are shown with `%.17g`; binary
//! results come back as bulk strings and are compared byte for byte. Lua 5.1 strings have no `\x` escapes:
//! bytes are written `\ddd` (decimal).

use super::diff_script;

/// The libraries exist as tables in the sandbox, with the fields of the C modules in the same `pairs` order.
#[test]
fn struct_and_cmsgpack_exist() {
    diff_script(
        "struct_and_cmsgpack_exist",
        r##"
        EVAL 'return type(struct)' 0
        EVAL 'return type(cmsgpack)' 0
        EVAL 'local r = {} for k, v in pairs(struct) do r[#r+1] = k .. "=" .. type(v) end return r' 0
        EVAL 'local r = {} for k, v in pairs(cmsgpack) do r[#r+1] = k .. "=" .. tostring(v):sub(1, 8) end return r' 0
        EVAL 'return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}' 0
        "##,
    );
}

/// struct.pack: integer types and sizes, byte order, alignment, C's conversions of out-of-range numbers.
#[test]
fn struct_pack_numbers() {
    diff_script(
        "struct_pack_numbers",
        r##"
        EVAL 'return struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 4, 5, -6, 7)' 0
        EVAL 'return struct.pack(">bBhHlLTiI", -1, 255, -2, 65535, -3, 4, 5, -6, 7)' 0
        EVAL 'return struct.pack("<h>h<h", 1, 1, 1)' 0
        EVAL 'return struct.pack(">i1i2i3i5i7i8", 1, 2, 3, 5, 7, 8)' 0
        EVAL 'return struct.pack("<i9I16", -1, -1)' 0
        EVAL 'return struct.pack(">i32", -2)' 0
        EVAL 'return struct.pack("i0I0b", 1, 2, 3)' 0
        EVAL 'return struct.pack("b", 256)' 0
        EVAL 'return struct.pack("B", -1)' 0
        EVAL 'return struct.pack("h", 1.9)' 0
        EVAL 'return struct.pack("h", -1.9)' 0
        EVAL 'return struct.pack(">L", 0/0)' 0
        EVAL 'return struct.pack(">l", 2^63)' 0
        EVAL 'return struct.pack(">L", 2^64)' 0
        EVAL 'return struct.pack(">L", 2^64 + 2^12)' 0
        EVAL 'return struct.pack(">L", 1e300)' 0
        EVAL 'return struct.pack(">l", -1e300)' 0
        EVAL 'return struct.pack(">L", 1/0)' 0
        EVAL 'return struct.pack(">L", -1/0)' 0
        EVAL 'return struct.pack(">L", 2^63 + 2^11)' 0
        EVAL 'return struct.pack(">l", -2^63)' 0
        EVAL 'return struct.pack(">I", "0x10")' 0
        EVAL 'return struct.pack(">I", " 12 ")' 0
        EVAL 'return struct.pack(">d", 1.5)' 0
        EVAL 'return struct.pack("<d", -0.0)' 0
        EVAL 'return struct.pack(">d", 1e-300)' 0
        EVAL 'return struct.pack(">d", 5e-324)' 0
        EVAL 'return struct.pack(">d", 0/0)' 0
        EVAL 'return struct.pack(">d", 1/0)' 0
        EVAL 'return struct.pack(">f", 0.1)' 0
        EVAL 'return struct.pack(">f", 1e-40)' 0
        EVAL 'return struct.pack(">f", 1e300)' 0
        EVAL 'return struct.pack("<f", -0.0)' 0
        EVAL 'return struct.pack("!bd", 1, 2)' 0
        EVAL 'return struct.pack("!4bd", 1, 2)' 0
        EVAL 'return struct.pack("!2bibhbl", 1, 2, 3, 4, 5, 6)' 0
        EVAL 'return struct.pack("!8 b x i3 b I5", 1, 2, 3, 4)' 0
        EVAL 'return struct.pack("!1bi", 1, 2)' 0
        EVAL 'return struct.pack("!16bdbT", 1, 2, 3, 4)' 0
        EVAL 'return struct.pack("b!4c3i", 1, "abc", 2)' 0
        EVAL 'return struct.pack("")' 0
        EVAL 'return struct.pack("   ")' 0
        EVAL 'return struct.pack(12)' 0
        EVAL 'return struct.pack("b\0z", 7)' 0
        "##,
    );
}

/// struct.pack: strings (`c`, `c0`, `s`), padding, and every error in the order C meets them.
#[test]
fn struct_pack_strings_and_errors() {
    diff_script(
        "struct_pack_strings_and_errors",
        r##"
        EVAL 'return struct.pack("c", "abc")' 0
        EVAL 'return struct.pack("c3", "abc")' 0
        EVAL 'return struct.pack("c2c0", "abc", "defg")' 0
        EVAL 'return struct.pack("c0", "")' 0
        EVAL 'return struct.pack("s", "a\0b")' 0
        EVAL 'return struct.pack("ss", "", "x")' 0
        EVAL 'return struct.pack("c0", 12.5)' 0
        EVAL 'return struct.pack("s", 7)' 0
        EVAL 'return struct.pack("xxbx", 1)' 0
        EVAL 'return struct.pack("c4", "abc")' 0
        EVAL 'return struct.pack("bc4", 1, "abc")' 0
        EVAL 'return struct.pack("c2147483647", "abc")' 0
        EVAL 'return struct.pack("c2147483648", "abc")' 0
        EVAL 'return struct.pack("c99999999999999", "abc")' 0
        EVAL 'return struct.pack("i2147483647", 1)' 0
        EVAL 'return struct.pack("i33", 1)' 0
        EVAL 'return struct.pack("i32", 1) == struct.pack("<i32", 1)' 0
        EVAL 'return struct.pack("!3i", 1)' 0
        EVAL 'return struct.pack("!0i", 1)' 0
        EVAL 'return struct.pack("!", 1)' 0
        EVAL 'return struct.pack("!2147483648", 1)' 0
        EVAL 'return struct.pack("!1073741824i", 1)' 0
        EVAL 'return struct.pack("q", 1)' 0
        EVAL 'return struct.pack("=i", 1)' 0
        EVAL 'return struct.pack("i#", 1)' 0
        EVAL 'return struct.pack("\200", 1)' 0
        EVAL 'return struct.pack("b", "x")' 0
        EVAL 'return struct.pack("b", {})' 0
        EVAL 'return struct.pack("b")' 0
        EVAL 'return struct.pack("bb", 1)' 0
        EVAL 'return struct.pack("bbb", 1)' 0
        EVAL 'return struct.pack("c0bs", "abc", 1)' 0
        EVAL 'return struct.pack("d", nil)' 0
        EVAL 'return struct.pack("f", true)' 0
        EVAL 'return struct.pack("c", {})' 0
        EVAL 'return struct.pack("s")' 0
        EVAL 'return struct.pack()' 0
        EVAL 'return struct.pack(nil)' 0
        EVAL 'return struct.pack({})' 0
        EVAL 'return struct.pack("z", "not reached")' 0
        EVAL 'return struct.pack("bzb", 1)' 0
        EVAL 'return struct.pack("bi99", "x")' 0
        EVAL 'return {pcall(struct.pack, "z")}' 0
        EVAL 'return {pcall(struct.pack, "bc5", 1, "ab")}' 0
        EVAL 'local p = struct.pack return p("z")' 0
        EVAL 'local s = struct return s:pack("z")' 0
        EVAL 'local ok, e = pcall(function() return struct.pack("i40", 1) end) return e' 0
        EVAL 'return #struct.pack("c0c0", string.rep("a", 10000), string.rep("b", 10000))' 0
        "##,
    );
}

/// struct.unpack: every type, byte order, alignment, positions, `c0` lengths and the `s` terminator.
#[test]
fn struct_unpack_values() {
    diff_script(
        "struct_unpack_values",
        r##"
        EVAL 'return {struct.unpack("bBhHlLTiI", struct.pack("bBhHlLTiI", -1, 255, -2, 65535, -3, 4, 5, -6, 7))}' 0
        EVAL 'return {struct.unpack(">bBhHiI", "\255\255\255\254\255\254\255\255\255\253\255\255\255\253")}' 0
        EVAL 'return {struct.unpack("<i3I3", "\255\255\255\255\255\255")}' 0
        EVAL 'return {struct.unpack(">i9", "\128\0\0\0\0\0\0\0\1")}' 0
        EVAL 'return {struct.unpack(">i9", "\0\0\0\0\0\0\0\0\128")}' 0
        EVAL 'return {struct.unpack("<i9", "\1\0\0\0\0\0\0\0\128")}' 0
        EVAL 'return {struct.unpack(">i16", "\0\0\0\0\0\0\0\0\255\0\0\0\0\0\0\1")}' 0
        EVAL 'return {struct.unpack(">I16", "\0\0\0\0\0\0\0\0\255\0\0\0\0\0\0\1")}' 0
        EVAL 'return {struct.unpack(">i0I0b", "\255")}' 0
        EVAL 'return {struct.unpack(">I8", "\255\255\255\255\255\255\255\255")}' 0
        EVAL 'return {struct.unpack(">i8", "\128\0\0\0\0\0\0\0")}' 0
        EVAL 'return {struct.unpack(">L", "\0\31\255\255\255\255\255\255")}' 0
        EVAL 'return {struct.unpack(">L", "\0\32\0\0\0\0\0\1")}' 0
        EVAL 'local a, b, c = struct.unpack("dfd", struct.pack("dfd", 0.1, 0.1, -1e300)) return {string.format("%.17g %.17g %.17g", a, b, c)}' 0
        EVAL 'local a, b = struct.unpack(">d<d", struct.pack(">d<d", -0.0, 5e-324)) return string.format("%.17g %.17g %g", a, b, 1/a)' 0
        EVAL 'local a = struct.unpack("d", struct.pack("d", 0/0)) return tostring(a ~= a)' 0
        EVAL 'local a = struct.unpack(">f", "\127\128\0\0") return tostring(a)' 0
        EVAL 'return {struct.unpack("!4bi", "\1\0\0\0\255\255\255\254")}' 0
        EVAL 'return {struct.unpack("!4>bi3", "\1\0\0\0\255\255\254")}' 0
        EVAL 'return {struct.unpack("!bd", "\1" .. string.rep("\0", 7) .. struct.pack("d", 3))}' 0
        EVAL 'return {struct.unpack("!2bxh", "\1\2\0\0\5\0")}' 0
        EVAL 'return {struct.unpack("c3c", "abcdef")}' 0
        EVAL 'return {struct.unpack("bc0", "\3abcdef")}' 0
        EVAL 'return {struct.unpack("bc0b", "\0\7")}' 0
        EVAL 'return {struct.unpack("c1c0", "2abc")}' 0
        EVAL 'return {struct.unpack("c1xc0", "2zabc")}' 0
        EVAL 'return {struct.unpack("bxc0", "\2\0ab")}' 0
        EVAL 'return {struct.unpack("dc0", struct.pack("d", 2.9) .. "abc")}' 0
        EVAL 'return {struct.unpack("dc0", struct.pack("d", -0.5) .. "abc")}' 0
        EVAL 'return {struct.unpack("dc0", struct.pack("d", 1e300) .. "abc")}' 0
        EVAL 'return {struct.unpack("dc0", struct.pack("d", 2^64) .. "abc")}' 0
        EVAL 'return {struct.unpack("ss", "ab\0\0cd")}' 0
        EVAL 'return {struct.unpack("s", "abc\0", 2)}' 0
        EVAL 'return {struct.unpack("b", "abc", 3)}' 0
        EVAL 'return {struct.unpack("b", "abc", 2.9)}' 0
        EVAL 'return {struct.unpack("b", "abc", "2")}' 0
        EVAL 'return {struct.unpack("", "abc", 4)}' 0
        EVAL 'return {struct.unpack("", "abc", 100)}' 0
        EVAL 'return {struct.unpack("", "")}' 0
        EVAL 'return {struct.unpack("b", "abc", nil)}' 0
        EVAL 'return {struct.unpack("b", "abc", 1, "extra", "args")}' 0
        EVAL 'return {struct.unpack(" < > b ", "a")}' 0
        EVAL 'return {struct.unpack(12, "\1\0")}' 0
        EVAL 'return {struct.unpack("b", 12)}' 0
        EVAL 'return {struct.unpack("h\0z", "\1\0")}' 0
        EVAL 'return select("#", struct.unpack(string.rep("b", 7997), string.rep("a", 7997)))' 0
        "##,
    );
}

/// struct.unpack errors, and struct.size.
#[test]
fn struct_unpack_errors_and_size() {
    diff_script(
        "struct_unpack_errors_and_size",
        r##"
        EVAL 'return {struct.unpack(">i", "abc")}' 0
        EVAL 'return {struct.unpack("b", "")}' 0
        EVAL 'return {struct.unpack("b", "abc", 4)}' 0
        EVAL 'return {struct.unpack("b", "abc", 0)}' 0
        EVAL 'return {struct.unpack("b", "abc", -1)}' 0
        EVAL 'return {struct.unpack("b", "abc", -2^63)}' 0
        EVAL 'return {struct.unpack("b", "abc", 2^63)}' 0
        EVAL 'return {struct.unpack("b", "abc", 0/0)}' 0
        EVAL 'return {struct.unpack("!4i", "abcdefgh", -1)}' 0
        EVAL 'return {struct.unpack("!4xi", "abcdefgh", -2)}' 0
        EVAL 'return {struct.unpack("b", "abc", "x")}' 0
        EVAL 'return {struct.unpack("b", "abc", {})}' 0
        EVAL 'return {struct.unpack("c0", "abcd")}' 0
        EVAL 'return {struct.unpack("xc0", "abcd")}' 0
        EVAL 'return {struct.unpack("c1c0", "xabc")}' 0
        EVAL 'return {struct.unpack("c1c0", " ")}' 0
        EVAL 'return {struct.unpack("bc0", "\255abc")}' 0
        EVAL 'return {struct.unpack("bc0", "\5abc")}' 0
        EVAL 'return {struct.unpack("dc0", struct.pack("d", 0/0) .. "abc")}' 0
        EVAL 'return {struct.unpack("c5", "abc")}' 0
        EVAL 'return {struct.unpack("s", "abc")}' 0
        EVAL 'return {struct.unpack("bs", "a")}' 0
        EVAL 'return {struct.unpack("q", "abc")}' 0
        EVAL 'return {struct.unpack("b=", "abc")}' 0
        EVAL 'return {struct.unpack("i33", "abc")}' 0
        EVAL 'return {struct.unpack("i99999999999", "abc")}' 0
        EVAL 'return {struct.unpack("!6b", "abc")}' 0
        EVAL 'return {struct.unpack("b")}' 0
        EVAL 'return {struct.unpack()}' 0
        EVAL 'return {struct.unpack("b", nil)}' 0
        EVAL 'return {struct.unpack({}, "a")}' 0
        EVAL 'return {pcall(struct.unpack, "b", "")}' 0
        EVAL 'return {struct.unpack(string.rep("b", 7998), string.rep("a", 7998))}' 0
        EVAL 'return {struct.unpack(string.rep("x", 20000) .. "b", string.rep("a", 20000))}' 0
        EVAL 'return struct.size("bBhHlLTiIfdx")' 0
        EVAL 'return struct.size("!4bi!2h !8d c3 x T l L I3")' 0
        EVAL 'return struct.size("!bd")' 0
        EVAL 'return struct.size(">i16<c7")' 0
        EVAL 'return struct.size("")' 0
        EVAL 'return struct.size("z")' 0
        EVAL 'return struct.size("zq9b")' 0
        EVAL 'return struct.size(12)' 0
        EVAL 'return struct.size("b\0s")' 0
        EVAL 'return struct.size("s")' 0
        EVAL 'return struct.size("bc0")' 0
        EVAL 'return struct.size("c")' 0
        EVAL 'return struct.size("#")' 0
        EVAL 'return struct.size("\200")' 0
        EVAL 'return struct.size("!3")' 0
        EVAL 'return struct.size("i33")' 0
        EVAL 'return struct.size("c2147483648")' 0
        EVAL 'return struct.size()' 0
        EVAL 'return struct.size({})' 0
        "##,
    );
}

/// cmsgpack.pack of numbers: every integer width at its edges, floats that fit 32 bits, doubles, NaN, Inf.
#[test]
fn cmsgpack_pack_numbers() {
    diff_script(
        "cmsgpack_pack_numbers",
        r##"
        EVAL 'return cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53)' 0
        EVAL 'return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53)' 0
        EVAL 'return cmsgpack.pack(2^63, -2^63, 2^64, -2^64, 2^63 - 1024)' 0
        EVAL 'return cmsgpack.pack(0.5, -0.5, 0.1, 1.5, 1e300, -1e-300, 5e-324, 3.4028234663852886e38)' 0
        EVAL 'return cmsgpack.pack(-0.0, 1/0, -1/0)' 0
        EVAL 'return #cmsgpack.pack(0/0)' 0
        EVAL 'return cmsgpack.pack(true, false, nil)' 0
        EVAL 'return cmsgpack.pack(cmsgpack.pack, coroutine.create(cmsgpack.pack), redis.call)' 0
        EVAL 'return cmsgpack.pack("12")' 0
        "##,
    );
}

/// cmsgpack.pack of strings (fixstr, str8/16/32) and tables (arrays, maps, nesting, the depth limit).
#[test]
fn cmsgpack_pack_strings_and_tables() {
    diff_script(
        "cmsgpack_pack_strings_and_tables",
        r##"
        EVAL 'return cmsgpack.pack("", "a", string.rep("b", 31))' 0
        EVAL 'return cmsgpack.pack(string.rep("c", 32), string.rep("d", 255))' 0
        EVAL 'return cmsgpack.pack(string.rep("e", 256)):sub(1, 5)' 0
        EVAL 'return cmsgpack.pack(string.rep("e", 65535)):sub(1, 5)' 0
        EVAL 'return cmsgpack.pack(string.rep("f", 65536)):sub(1, 7)' 0
        EVAL 'return #cmsgpack.pack(string.rep("f", 65536))' 0
        EVAL 'return cmsgpack.pack("\0\1\255")' 0
        EVAL 'return cmsgpack.pack({})' 0
        EVAL 'return cmsgpack.pack({1, 2, 3})' 0
        EVAL 'return cmsgpack.pack({1, nil, 3})' 0
        EVAL 'return cmsgpack.pack({[1] = 1, [2] = 2, [4] = 4})' 0
        EVAL 'return cmsgpack.pack({[2] = "b", [1] = "a"})' 0
        EVAL 'return cmsgpack.pack({[1.5] = 1})' 0
        EVAL 'return cmsgpack.pack({[0] = 1})' 0
        EVAL 'return cmsgpack.pack({[-1] = 1})' 0
        EVAL 'return cmsgpack.pack({["1"] = 1})' 0
        EVAL 'return cmsgpack.pack({[2^31] = 1})' 0
        EVAL 'return cmsgpack.pack({[true] = false})' 0
        EVAL 'return cmsgpack.pack({a = 1})' 0
        EVAL 'return cmsgpack.pack({a = 1, b = {c = {1, 2, {d = true}}}, e = "x", [1] = 2, [2.5] = 3})' 0
        EVAL 'local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)' 0
        EVAL 'local t = {} for i = 1, 70000 do t[i] = i % 100 end return cmsgpack.pack(t):sub(1, 10)' 0
        EVAL 'local t = {} for i = 1, 16 do t["k" .. i] = i end return #cmsgpack.pack(t)' 0
        EVAL 'local t = {} for i = 1, 16 do t["k" .. i] = i end return cmsgpack.pack(t):sub(1, 3)' 0
        EVAL 'local t = {} for i = 1, 70000 do t["k" .. i] = 1 end return cmsgpack.pack(t):sub(1, 5)' 0
        EVAL 'local t = {} t[1] = t return cmsgpack.pack(t)' 0
        EVAL 'local t = {} t.x = t return cmsgpack.pack(t)' 0
        EVAL 'local t = {1} for i = 1, 20 do t = {t} end return cmsgpack.pack(t)' 0
        EVAL 'local t = {a = 1} for i = 1, 15 do t = {t} end return cmsgpack.pack(t)' 0
        EVAL 'local t = {a = 1} for i = 1, 14 do t = {t} end return cmsgpack.pack(t)' 0
        EVAL 'local t = {} for i = 1, 15 do t = {k = t} end return cmsgpack.pack(t)' 0
        EVAL 'local t = {} for i = 1, 15 do t = {[{}] = t} end return cmsgpack.pack(t)' 0
        EVAL 'return cmsgpack.pack(setmetatable({}, {__index = function() return 1 end}))' 0
        EVAL 'return cmsgpack.pack(setmetatable({1, 2}, {__index = function() error("no") end}))' 0
        EVAL 'return cmsgpack.pack(1, "a", {2}, {b = 3})' 0
        "##,
    );
}

/// cmsgpack.pack errors and the Lua stack limits it checks.
#[test]
fn cmsgpack_pack_errors() {
    diff_script(
        "cmsgpack_pack_errors",
        r##"
        EVAL 'return cmsgpack.pack()' 0
        EVAL 'return {pcall(cmsgpack.pack)}' 0
        EVAL 'local t = {} for i = 1, 4001 do t[i] = i end return cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 4000 do t[i] = i end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 4000 do t[i] = {i} end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 3998 do t[i] = {i} end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 3999 do t[i] = {{i}} end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 3997 do t[i] = {a = i} end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 3998 do t[i] = {a = i} end return #cmsgpack.pack(unpack(t))' 0
        EVAL 'local t = {} for i = 1, 3999 do t[i] = {a = i} end return #cmsgpack.pack(unpack(t))' 0
        "##,
    );
}

/// cmsgpack.unpack of every type byte, and the numbers as Lua sees them.
#[test]
fn cmsgpack_unpack_types() {
    diff_script(
        "cmsgpack_unpack_types",
        r##"
        EVAL 'return {cmsgpack.unpack("\0\1\127\224\255")}' 0
        EVAL 'return {cmsgpack.unpack("\204\255\205\255\255\206\255\255\255\255")}' 0
        EVAL 'return {cmsgpack.unpack("\208\128\209\128\0\210\128\0\0\0")}' 0
        EVAL 'return {cmsgpack.unpack("\209\255\133\208\255")}' 0
        EVAL 'return {cmsgpack.unpack("\207\0\0\0\1\0\0\0\0\211\255\255\255\255\255\255\255\254")}' 0
        EVAL 'return {cmsgpack.unpack("\207\255\255\255\255\255\255\255\255")}' 0
        EVAL 'return {cmsgpack.unpack("\207\128\0\0\0\0\0\0\0")}' 0
        EVAL 'return {cmsgpack.unpack("\211\128\0\0\0\0\0\0\0")}' 0
        EVAL 'local a, b = cmsgpack.unpack("\202\61\204\204\205\203\63\185\153\153\153\153\153\154") return string.format("%.17g %.17g", a, b)' 0
        EVAL 'local a = cmsgpack.unpack("\203\255\248\0\0\0\0\0\0") return tostring(a ~= a)' 0
        EVAL 'local a, b, c, d = cmsgpack.unpack("\192\195\194\1") return {tostring(a), tostring(b), tostring(c), d}' 0
        EVAL 'return {cmsgpack.unpack("\160\161a\191" .. string.rep("x", 31))}' 0
        EVAL 'return {cmsgpack.unpack("\217\3abc\218\0\2de\219\0\0\0\1f")}' 0
        EVAL 'return {cmsgpack.unpack("\144\145\1\147\1\2\3\220\0\2\4\5\221\0\0\0\1\6")}' 0
        EVAL 'return {cmsgpack.unpack("\128")}' 0
        EVAL 'local t = cmsgpack.unpack("\130\161a\1\161b\146\2\3") return {t.a, t.b[1], t.b[2]}' 0
        EVAL 'local t = cmsgpack.unpack("\222\0\1\1\2") return t[1]' 0
        EVAL 'local t = cmsgpack.unpack("\223\0\0\0\1\195\194") return tostring(t[true])' 0
        EVAL 'local t = cmsgpack.unpack("\129\202\63\192\0\0\1") return t[1.5]' 0
        EVAL 'local t = cmsgpack.unpack("\129\1\192") return tostring(next(t))' 0
        EVAL 'local t = cmsgpack.unpack("\130\1\1\1\2") return t[1]' 0
        EVAL 'local t = cmsgpack.unpack("\147\192\2\192") return {#t, t[2]}' 0
        EVAL 'return cmsgpack.unpack(cmsgpack.pack({1, {2, {3, {a = "x"}}}}))[2][2][2].a' 0
        EVAL 'return {cmsgpack.unpack(cmsgpack.pack(1, "two", {3}, {f = 4}))}' 0
        EVAL 'local r = {} for k in pairs(cmsgpack.unpack(cmsgpack.pack({a = 1, b = 2, c = 3, d = 4, e = 5, [1] = 1, [3] = 3, [2.5] = 1, x = {1, 2}}))) do r[#r+1] = tostring(k) end return r' 0
        EVAL 'local t = cmsgpack.unpack(cmsgpack.pack({a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9})) return cmsgpack.pack(t)' 0
        EVAL 'return {cmsgpack.unpack(12)}' 0
        EVAL 'return {cmsgpack.unpack("")}' 0
        EVAL 'return {cmsgpack.unpack("\1", "ignored", 3)}' 0
        EVAL 'local t = cmsgpack.unpack("\221\0\1\17\112" .. string.rep("\1", 70000)) return #t' 0
        "##,
    );
}

/// cmsgpack.unpack errors: truncated input at every place, unknown type bytes, keys a table cannot hold,
/// headers claiming more than there is, and the Lua stack limits (many values, deep nesting).
#[test]
fn cmsgpack_unpack_errors() {
    diff_script(
        "cmsgpack_unpack_errors",
        r##"
        EVAL 'return {cmsgpack.unpack("\204")}' 0
        EVAL 'return {cmsgpack.unpack("\205\1")}' 0
        EVAL 'return {cmsgpack.unpack("\206\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack("\207\1\2\3\4\5\6\7")}' 0
        EVAL 'return {cmsgpack.unpack("\208")}' 0
        EVAL 'return {cmsgpack.unpack("\209\1")}' 0
        EVAL 'return {cmsgpack.unpack("\210\1")}' 0
        EVAL 'return {cmsgpack.unpack("\211\1")}' 0
        EVAL 'return {cmsgpack.unpack("\202\1")}' 0
        EVAL 'return {cmsgpack.unpack("\203\1")}' 0
        EVAL 'return {cmsgpack.unpack("\217")}' 0
        EVAL 'return {cmsgpack.unpack("\217\2a")}' 0
        EVAL 'return {cmsgpack.unpack("\218\0")}' 0
        EVAL 'return {cmsgpack.unpack("\218\0\2a")}' 0
        EVAL 'return {cmsgpack.unpack("\219\0\0\0")}' 0
        EVAL 'return {cmsgpack.unpack("\219\255\255\255\255")}' 0
        EVAL 'return {cmsgpack.unpack("\219\255\255\255\255abc")}' 0
        EVAL 'return {cmsgpack.unpack("\163ab")}' 0
        EVAL 'return {cmsgpack.unpack("\220\0")}' 0
        EVAL 'return {cmsgpack.unpack("\220\0\2\1")}' 0
        EVAL 'return {cmsgpack.unpack("\221\0\0\0")}' 0
        EVAL 'return {cmsgpack.unpack("\221\255\255\255\255\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack("\222\0")}' 0
        EVAL 'return {cmsgpack.unpack("\223\255\255\255\255\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack("\146\1")}' 0
        EVAL 'return {cmsgpack.unpack("\130\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack("\1\2\146")}' 0
        EVAL 'return {cmsgpack.unpack("\193")}' 0
        EVAL 'return {cmsgpack.unpack("\196\1a")}' 0
        EVAL 'return {cmsgpack.unpack("\197\0\1a")}' 0
        EVAL 'return {cmsgpack.unpack("\199\1\1a")}' 0
        EVAL 'return {cmsgpack.unpack("\212\1a")}' 0
        EVAL 'return {cmsgpack.unpack("\216\1a")}' 0
        EVAL 'return {cmsgpack.unpack("\1\193")}' 0
        EVAL 'return {cmsgpack.unpack("\145\193")}' 0
        EVAL 'return {cmsgpack.unpack("\129\192\1")}' 0
        EVAL 'return {cmsgpack.unpack("\129\192\204")}' 0
        EVAL 'return {cmsgpack.unpack("\129\203\127\248\0\0\0\0\0\0\1")}' 0
        EVAL 'return {pcall(cmsgpack.unpack, "\129\192\1")}' 0
        EVAL 'return {pcall(cmsgpack.unpack, "\204")}' 0
        EVAL 'return {cmsgpack.unpack()}' 0
        EVAL 'return {cmsgpack.unpack(nil)}' 0
        EVAL 'return {cmsgpack.unpack({})}' 0
        EVAL 'return select("#", cmsgpack.unpack(string.rep("\1", 7999)))' 0
        EVAL 'return {cmsgpack.unpack(string.rep("\1", 8000))}' 0
        EVAL 'return {cmsgpack.unpack(string.rep("\1", 100000))}' 0
        EVAL 'return {pcall(cmsgpack.unpack, string.rep("\1", 8000))}' 0
        EVAL 'return select("#", cmsgpack.unpack(string.rep("\1", 7998), 1))' 0
        EVAL 'return {cmsgpack.unpack(string.rep("\1", 7999), 1)}' 0
        EVAL 'return {cmsgpack.unpack(string.rep("\145", 100000))}' 0
        EVAL 'return {cmsgpack.unpack(string.rep("\129\1", 100000))}' 0
        EVAL 'local s = string.rep("\145", 3998) .. "\1" return #cmsgpack.pack(cmsgpack.unpack(s))' 0
        EVAL 'local s = string.rep("\145", 3999) .. "\1" return #cmsgpack.pack(cmsgpack.unpack(s))' 0
        EVAL 'local s = string.rep("\145", 4000) .. "\1" return #cmsgpack.pack(cmsgpack.unpack(s))' 0
        EVAL 'local s = string.rep("\129\1", 3998) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        EVAL 'local s = string.rep("\129\1", 3999) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        EVAL 'local s = string.rep("\129\1", 4000) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        EVAL 'local s = string.rep("\129\1", 7998) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        EVAL 'local s = string.rep("\129", 7998) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        EVAL 'local s = string.rep("\129", 7999) .. "\1" return {pcall(function() return type(cmsgpack.unpack(s)) end)}' 0
        "##,
    );
}

/// cmsgpack.unpack_one and unpack_limit: offsets, limits, the end marker -1, and their argument errors.
#[test]
fn cmsgpack_unpack_one_and_limit() {
    diff_script(
        "cmsgpack_unpack_one_and_limit",
        r##"
        EVAL 'return {cmsgpack.unpack_one("\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 1)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 2)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 3)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 2.7)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", "1")}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", nil)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 4)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", -1)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 2^32 + 1)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", -2^32 - 5)}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", "x")}' 0
        EVAL 'return {cmsgpack.unpack_one(nil, "x")}' 0
        EVAL 'return {cmsgpack.unpack_one()}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\2\3", 0, "more", "args")}' 0
        EVAL 'return {cmsgpack.unpack_one("")}' 0
        EVAL 'return {cmsgpack.unpack_one("\145")}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\193")}' 0
        EVAL 'return {cmsgpack.unpack_one("\1\193", 1)}' 0
        EVAL 'local s = cmsgpack.pack({1, 2}, "x", {y = 3}) local off, v = cmsgpack.unpack_one(s) local off2, w = cmsgpack.unpack_one(s, off) local off3, z = cmsgpack.unpack_one(s, off2) return {off, v[2], off2, w, off3, z.y}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 2)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 3)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 9)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 2, 1)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 0)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 0, 0)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 0, 1)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 0, 3)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 1, 3)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", -1)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", -1, 2)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 1, 4)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 2^40)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3")}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", "x")}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\3", 1, {})}' 0
        EVAL 'return {cmsgpack.unpack_limit(nil, 1)}' 0
        EVAL 'return {cmsgpack.unpack_limit(12, 1)}' 0
        EVAL 'return {cmsgpack.unpack_limit("\1\2\204", 5)}' 0
        EVAL 'return select("#", cmsgpack.unpack_limit(string.rep("\1", 8000), 7998))' 0
        EVAL 'return {cmsgpack.unpack_limit(string.rep("\1", 8000), 7999)}' 0
        EVAL 'return {pcall(cmsgpack.unpack_limit, string.rep("\1", 8000), 8000)}' 0
        "##,
    );
}
