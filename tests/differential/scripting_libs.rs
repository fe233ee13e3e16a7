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
