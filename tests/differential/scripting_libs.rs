//! The Lua libraries Redis 7.0 loads into scripts (bit, cjson, struct, cmsgpack) against redis-server: results
//! and error texts of `EVAL` scripts that call them, byte for byte.

use super::diff_script;

/// LuaBitOp: the 2^52+2^51 rounding, wrap-around of big and negative numbers, tohex widths, argument errors.
#[test]
fn bit_library_1() {
    diff_script(
        "bit_library_1",
        r#"
        EVAL 'return bit.tobit(2^32)' 0
        EVAL 'return bit.tobit(2^32+1)' 0
        EVAL 'return bit.tobit(2^31)' 0
        EVAL 'return bit.tobit(-1)' 0
        EVAL 'return bit.tobit(1.5)' 0
        EVAL 'return bit.tobit(2.5)' 0
        EVAL 'return bit.tobit(-2.5)' 0
        EVAL 'return bit.tobit(2^52+3)' 0
        EVAL 'return bit.tobit(2^53)' 0
        EVAL 'return bit.tobit(2^64+12345)' 0
        EVAL 'return bit.tobit(1e300)' 0
        EVAL 'return bit.tobit(1/0)' 0
        EVAL 'return bit.tobit(-1/0)' 0
        EVAL 'return bit.tobit(0/0)' 0
        EVAL 'return bit.tobit(\'12\')' 0
        EVAL 'return bit.tobit(\'0x10\')' 0
        EVAL 'return bit.tobit(\'a\')' 0
        EVAL 'return bit.tobit()' 0
        EVAL 'return bit.tobit(nil)' 0
        EVAL 'return bit.tobit({})' 0
        EVAL 'return bit.tobit(true)' 0
        EVAL 'return {pcall(bit.tobit,\'a\')}' 0
        EVAL 'return {pcall(function() return bit.tobit(\'x\') end)}' 0
        EVAL 'return bit.tohex(255)' 0
        EVAL 'return bit.tohex(-1)' 0
        EVAL 'return bit.tohex(255, 2)' 0
        EVAL 'return bit.tohex(255, -2)' 0
        EVAL 'return bit.tohex(255, 0)' 0
        EVAL 'return bit.tohex(255, 20)' 0
        EVAL 'return bit.tohex(255, -20)' 0
        EVAL 'return bit.tohex(0x12345678, 3)' 0
        EVAL 'return bit.tohex(255, -2^31)' 0
        EVAL 'return bit.tohex(255, \'x\')' 0
        EVAL 'return bit.tohex(255, nil)' 0
        EVAL 'return bit.tohex()' 0
        EVAL 'return bit.bnot(0)' 0
        EVAL 'return bit.bnot(-1)' 0
        EVAL 'return bit.band(0xff, 0x0f, 0x3)' 0
        EVAL 'return bit.band(1)' 0
        EVAL 'return bit.band()' 0
        EVAL 'return bit.bor(1, 2, 4, \'x\')' 0
        EVAL 'return bit.bor(1, 2, 4, 8)' 0
        EVAL 'return bit.bxor(0xff, 0x0f)' 0
        EVAL 'return bit.bxor(1,\'y\',2)' 0
        EVAL 'return bit.lshift(1, 31)' 0
        EVAL 'return bit.lshift(1, 32)' 0
        EVAL 'return bit.lshift(1, 33)' 0
        EVAL 'return bit.lshift(1, -1)' 0
        EVAL 'return bit.rshift(-1, 28)' 0
        EVAL 'return bit.rshift(-256, 4)' 0
        EVAL 'return bit.arshift(-256, 4)' 0
        EVAL 'return bit.arshift(-1, 31)' 0
        EVAL 'return bit.rol(0x12345678, 12)' 0
        EVAL 'return bit.ror(0x12345678, 12)' 0
        EVAL 'return bit.ror(1, 1)' 0
        EVAL 'return bit.bswap(0x12345678)' 0
        EVAL 'return bit.bswap(-1)' 0
        EVAL 'return bit.lshift(1)' 0
        EVAL 'return bit.lshift()' 0
        EVAL 'return type(bit.tobit(1))' 0
        "#,
    );
}

/// LuaBitOp: the 2^52+2^51 rounding, wrap-around of big and negative numbers, tohex widths, argument errors.
#[test]
fn bit_library_2() {
    diff_script(
        "bit_library_2",
        r#"
        EVAL 'return bit.tobit(0)' 0
        EVAL 'return bit.tobit(\'0\')' 0
        EVAL 'return bit.tobit(\' 0 \')' 0
        EVAL 'return bit.tobit(\'\')' 0
        EVAL 'bit.band = nil' 0
        EVAL 'bit.x = 1' 0
        EVAL 'return tostring(bit.nothing)' 0
        EVAL 'local t = {} for k in pairs(bit) do t[#t+1]=k end table.sort(t) return t' 0
        EVAL 'return bit:tobit()' 0
        EVAL 'return bit.tobit(-0.5)' 0
        EVAL 'return bit.tobit(0.5)' 0
        EVAL 'return bit.tobit(-2^31-1)' 0
        "#,
    );
}

/// lua_cjson: number formatting (%.14g), escaping, arrays vs objects, sparse arrays, depth limits, settings, decode errors.
#[test]
fn cjson_library_1() {
    diff_script(
        "cjson_library_1",
        r#"
        EVAL 'return cjson.encode({})' 0
        EVAL 'return cjson.encode({1,2,3})' 0
        EVAL 'return cjson.encode({a=1})' 0
        EVAL 'return cjson.encode({1,2,nil,4})' 0
        EVAL 'return cjson.encode({[1]=1,[2]=2,[10]=10})' 0
        EVAL 'return cjson.encode({[1]=1,[11]=11})' 0
        EVAL 'return cjson.encode({[20]=1})' 0
        EVAL 'return cjson.encode({[0]=1})' 0
        EVAL 'return cjson.encode({[1.5]=1})' 0
        EVAL 'return cjson.encode({[-1]=1})' 0
        EVAL 'return cjson.encode({1,2,a=3})' 0
        EVAL 'return cjson.encode({[true]=1})' 0
        EVAL 'return cjson.encode(1/3)' 0
        EVAL 'return cjson.encode(0.1)' 0
        EVAL 'return cjson.encode(1e100)' 0
        EVAL 'return cjson.encode(123456789012345678)' 0
        EVAL 'return cjson.encode(2^53)' 0
        EVAL 'return cjson.encode(100)' 0
        EVAL 'return cjson.encode(-0.5)' 0
        EVAL 'return cjson.encode(1/0)' 0
        EVAL 'return cjson.encode(-1/0)' 0
        EVAL 'return cjson.encode(0/0)' 0
        EVAL 'return cjson.encode({[1/0]=1})' 0
        EVAL 'return cjson.encode("a/b\"c\\d\n\r\t\b\f\1\31\127\128 é")' 0
        EVAL 'return cjson.encode("")' 0
        EVAL 'return cjson.encode(true)' 0
        EVAL 'return cjson.encode(false)' 0
        EVAL 'return cjson.encode(nil)' 0
        EVAL 'return cjson.encode(cjson.null)' 0
        EVAL 'return cjson.encode({cjson.null, 1})' 0
        EVAL 'return cjson.encode(print)' 0
        EVAL 'return cjson.encode({f=print})' 0
        EVAL 'return cjson.encode(coroutine.create(print))' 0
        EVAL 'return cjson.encode()' 0
        EVAL 'return cjson.encode(1, 2)' 0
        EVAL 'return {pcall(cjson.encode)}' 0
        EVAL 'return cjson.encode({{{{}}}})' 0
        EVAL 'return cjson.encode({a={b={c={1,2,{d="e"}}}}})' 0
        EVAL 'local t = {} t.t = t return cjson.encode(t)' 0
        EVAL 'local t = {} local c = t for i=1,999 do c[1] = {} c = c[1] end return cjson.encode(t)' 0
        EVAL 'local t = {} local c = t for i=1,1000 do c[1] = {} c = c[1] end return cjson.encode(t)' 0
        EVAL 'return cjson.encode({[1]="a",["1"]="b"})' 0
        EVAL 'return cjson.encode({x={}, y={1}})' 0
        EVAL 'return cjson.encode({1.5, 2.25, -3})' 0
        EVAL 'return cjson.encode({[2]=2, [3]=3})' 0
        EVAL 'return cjson.encode({[1]=1, [3]=3})' 0
        EVAL 'return cjson.encode({[1]=1, [4]=4})' 0
        EVAL 'return cjson.encode({[11]=1})' 0
        EVAL 'return cjson.decode("1")' 0
        EVAL 'return cjson.decode("[1,2,3]")' 0
        EVAL 'return cjson.decode("{\"a\":1}").a' 0
        EVAL 'return cjson.decode("\"a\\/b\\u0041\\u00e9\\ud83d\\ude00\"")' 0
        EVAL 'return cjson.decode("[1,[2,[3]]]")' 0
        EVAL 'return cjson.decode("null") == cjson.null' 0
        EVAL 'return type(cjson.decode("null"))' 0
        EVAL 'return tostring(cjson.decode("[null]")[1] == cjson.null)' 0
        EVAL 'return cjson.decode("true")' 0
        EVAL 'return cjson.decode("false")' 0
        EVAL 'return cjson.decode("  [1 , 2 ]  ")' 0
        EVAL 'return cjson.decode("x")' 0
        "#,
    );
}

/// lua_cjson: number formatting (%.14g), escaping, arrays vs objects, sparse arrays, depth limits, settings, decode errors.
#[test]
fn cjson_library_2() {
    diff_script(
        "cjson_library_2",
        r#"
        EVAL 'return cjson.decode("")' 0
        EVAL 'return cjson.decode("[")' 0
        EVAL 'return cjson.decode("[1,")' 0
        EVAL 'return cjson.decode("[1 2]")' 0
        EVAL 'return cjson.decode("{\"a\" 1}")' 0
        EVAL 'return cjson.decode("{1:1}")' 0
        EVAL 'return cjson.decode("{\"a\":1,}")' 0
        EVAL 'return cjson.decode("{\"a\":1 \"b\"}")' 0
        EVAL 'return cjson.decode("1 2")' 0
        EVAL 'return cjson.decode("\"abc")' 0
        EVAL 'return cjson.decode("\"a\\qb\"")' 0
        EVAL 'return cjson.decode("\"a\\u12\"")' 0
        EVAL 'return cjson.decode("\"\\ud800\"")' 0
        EVAL 'return cjson.decode("\"\\udc00\"")' 0
        EVAL 'return cjson.decode("\"\\ud800\\u0041\"")' 0
        EVAL 'return cjson.decode("tru")' 0
        EVAL 'return cjson.decode("nul")' 0
        EVAL 'return cjson.decode("-")' 0
        EVAL 'return cjson.decode("+1")' 0
        EVAL 'return cjson.decode("0x10")' 0
        EVAL 'return cjson.decode("012")' 0
        EVAL 'return cjson.decode("1e5")' 0
        EVAL 'return cjson.decode("1.5e-3")' 0
        EVAL 'return cjson.decode("-0.25")' 0
        EVAL 'return tostring(cjson.decode("inf"))' 0
        EVAL 'return tostring(cjson.decode("-Infinity"))' 0
        EVAL 'return tostring(cjson.decode("nan"))' 0
        EVAL 'return cjson.decode("1.")' 0
        EVAL 'return cjson.decode(".5")' 0
        EVAL 'return cjson.decode("1e")' 0
        EVAL 'return cjson.decode(123)' 0
        EVAL 'return cjson.decode({})' 0
        EVAL 'return cjson.decode()' 0
        EVAL 'return cjson.decode("1", 2)' 0
        EVAL 'return cjson.decode("1\0")' 0
        EVAL 'return cjson.decode("\0\0")' 0
        EVAL 'return cjson.decode("[1]\0garbage")' 0
        EVAL 'return cjson.decode("\"a\0b\"")' 0
        EVAL 'return cjson.decode(string.rep("[", 1001))' 0
        EVAL 'return cjson.decode(string.rep("[", 1000))' 0
        EVAL 'return cjson.decode(string.rep("{\"a\":", 1001))' 0
        EVAL 'return cjson.decode("{\"a\":1,\"a\":2}").a' 0
        EVAL 'return {pcall(cjson.decode, "x")}' 0
        EVAL 'return {pcall(function() return cjson.decode("[1,") end)}' 0
        EVAL 'return cjson.encode(cjson.decode("{\"a\":[1,2,{\"b\":null}],\"c\":\"\\u0000\"}"))' 0
        EVAL 'return cjson.encode(cjson.decode("[1e300, 0.1, -5]"))' 0
        EVAL 'return {cjson.encode_sparse_array()}' 0
        EVAL 'return {cjson.encode_max_depth()}' 0
        EVAL 'return {cjson.decode_max_depth()}' 0
        EVAL 'return {cjson.encode_number_precision()}' 0
        EVAL 'return {cjson.encode_keep_buffer()}' 0
        EVAL 'return {cjson.encode_invalid_numbers()}' 0
        EVAL 'return {cjson.decode_invalid_numbers()}' 0
        EVAL 'return cjson.encode_max_depth(1, 2)' 0
        EVAL 'return cjson.encode_max_depth(0)' 0
        EVAL 'return cjson.encode_max_depth("x")' 0
        EVAL 'return cjson.encode_number_precision(15)' 0
        EVAL 'return cjson.encode_number_precision(0)' 0
        EVAL 'return cjson.encode_keep_buffer("maybe")' 0
        EVAL 'return cjson.encode_keep_buffer({})' 0
        "#,
    );
}

/// lua_cjson: number formatting (%.14g), escaping, arrays vs objects, sparse arrays, depth limits, settings, decode errors.
#[test]
fn cjson_library_3() {
    diff_script(
        "cjson_library_3",
        r#"
        EVAL 'return cjson.encode_invalid_numbers("sometimes")' 0
        EVAL 'return cjson.encode_sparse_array(true, -1)' 0
        EVAL 'return cjson.encode_sparse_array(true, 1, -1)' 0
        EVAL 'return cjson.encode_sparse_array(1)' 0
        EVAL 'return cjson.encode_sparse_array(true, 1, 2, 3)' 0
        EVAL 'return cjson.encode_number_precision(3) .. cjson.encode(math.pi) .. cjson.encode_number_precision(14)' 0
        EVAL 'return {cjson.encode_invalid_numbers(true), cjson.encode(1/0), cjson.encode(-1/0), cjson.encode(0/0), cjson.encode_invalid_numbers("null"), cjson.encode({1/0}), cjson.encode_invalid_numbers("off")}' 0
        EVAL 'return {cjson.encode_invalid_numbers("on"), cjson.encode_invalid_numbers(false)}' 0
        EVAL 'return {cjson.decode_invalid_numbers(false), pcall(cjson.decode, "0x10"), pcall(cjson.decode, "nan"), pcall(cjson.decode, "012"), cjson.decode_invalid_numbers("on")}' 0
        EVAL 'return {cjson.encode_sparse_array(true), cjson.encode({[20]=1}), cjson.encode_sparse_array(false)}' 0
        EVAL 'return {cjson.encode_sparse_array(false, 0), cjson.encode({[20]=1}), cjson.encode_sparse_array(false, 2, 10)}' 0
        EVAL 'return {cjson.encode_sparse_array(false, 2, 30), cjson.encode({[20]=1}), cjson.encode_sparse_array(false, 2, 10)}' 0
        EVAL 'return {cjson.encode_max_depth(2), pcall(cjson.encode, {{1}}), pcall(cjson.encode, {{{1}}}), cjson.encode_max_depth(1000)}' 0
        EVAL 'return {cjson.decode_max_depth(2), pcall(cjson.decode, "[[1]]"), pcall(cjson.decode, "[[[1]]]"), cjson.decode_max_depth(1000)}' 0
        EVAL 'return {cjson.encode_keep_buffer(false), cjson.encode_keep_buffer("on"), cjson.encode_keep_buffer()}' 0
        EVAL 'return cjson.encode_max_depth(2^31)' 0
        EVAL 'return cjson.encode_max_depth(3.7) .. "," .. cjson.encode_max_depth(1000)' 0
        EVAL 'local j = cjson.new() j.encode_number_precision(2) return {j.encode(math.pi), cjson.encode(math.pi)}' 0
        EVAL 'return cjson._NAME .. cjson._VERSION' 0
        EVAL 'cjson.encode = nil' 0
        EVAL 'return cjson.encode({["a b"]={}, [1.5]=true})' 0
        EVAL 'return cjson.encode({"x", {}, {1}})' 0
        EVAL 'return cjson.encode(string.rep("x", 3) .. "\0" .. "y")' 0
        EVAL 'local t = {} for i=1,20000 do t["k"..i] = "v"..i end return #cjson.encode(t)' 0
        EVAL 'local t = {} for i=1,20000 do t[i] = {i} end return #cjson.encode(t)' 0
        EVAL 'return #cjson.encode(cjson.decode("[" .. string.rep("{\"a\":\"b\"},", 20000) .. "1]"))' 0
        EVAL 'cjson.encode_max_depth(100000) local t = {} local c = t for i=1,2400 do c.a = {} c = c.a end local ok, e = pcall(cjson.encode, t) cjson.encode_max_depth(1000) return #e' 0
        EVAL 'cjson.decode_max_depth(100000) local ok, e = pcall(cjson.decode, string.rep("{\"a\":", 2400)) cjson.decode_max_depth(1000) return e' 0
        "#,
    );
}
