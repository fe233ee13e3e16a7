//! String commands: SET and its options, the GET/SET variants, counters, INCRBYFLOAT formatting, ranges, and
//! which writes keep a key's TTL.

use super::{diff_resp3_script, diff_script};

#[test]
fn get_and_set_basics() {
    diff_script(
        "get_set",
        r#"
        GET missing
        SET k v
        GET k
        SET k ""
        GET k
        SET "" empty-key
        GET ""
        SET bin "\x00\x01\xff\r\n"
        GET bin
        SET k v extra
        SET k
        GET k extra
        "#,
    );
}

#[test]
fn set_conditions_and_get() {
    diff_script(
        "set_nx_xx_get",
        r#"
        SET k v XX
        GET k
        SET k v NX
        SET k v2 NX
        GET k
        SET k v3 XX
        GET k
        SET k v4 XX GET
        SET k v5 GET
        SET k v6 NX GET
        SET missing v GET
        SET missing2 v XX GET
        GET missing2
        SET k v NX XX
        SET k v XX NX
        SET k v NX NX
        SET k v GET GET
        SET k v xx get
        "#,
    );
}

#[test]
fn set_expiry_options() {
    diff_script(
        "set_expiry",
        r#"
        SET k v EX 100
        TTL k
        SET k v PX 100000
        TTL k
        SET k v EXAT 4102444800
        EXPIRETIME k
        SET k v PXAT 4102444800123
        PEXPIRETIME k
        SET k v EX 0
        SET k v EX -1
        SET k v PX 0
        SET k v PX -5
        SET k v EXAT 0
        SET k v PXAT 0
        SET k v EX abc
        SET k v EX 1.5
        SET k v EX ""
        SET k v EX
        SET k v PX
        SET k v EX 9223372036854775807
        SET k v PX 9223372036854775807
        SET k v EX 9223372036854775
        SET k v EX 9223372036854776
        SET k v EXAT 9223372036854775807
        SET k v PXAT 9223372036854775807
        SET k v EX 99999999999999999999
        SET k v EX 10 PX 100
        SET k v PX 100 EX 10
        SET k v EX 10 EX 20
        SET k v EX 10 EXAT 4102444800
        SET k v EX 10 KEEPTTL
        SET k v KEEPTTL PX 10
        SET k v FOO
        SET k v EX 10 FOO
        TTL k
        "#,
    );
}

#[test]
fn set_clears_ttl_unless_keepttl() {
    diff_script(
        "set_keepttl",
        r#"
        SET k v EX 100
        SET k v2
        TTL k
        SET k v EX 100
        SET k v3 KEEPTTL
        TTL k
        GET k
        SET k v4 KEEPTTL GET
        TTL k
        SET k v5 XX KEEPTTL
        TTL k
        SET new v KEEPTTL
        TTL new
        SET k v6 NX EX 10
        TTL k
        SET k v7 XX EX 50 GET
        TTL k
        "#,
    );
}

#[test]
fn set_get_on_wrong_state() {
    // Only strings exist yet; these are the GET option's edge cases on missing and expired keys.
    diff_script(
        "set_get_edges",
        r#"
        SET k v PX 1
        !sleep 10
        SET k new GET
        GET k
        SET k v EX 0 GET
        GET k
        "#,
    );
}

#[test]
fn setnx_setex_psetex_getset() {
    diff_script(
        "setnx_setex",
        r#"
        SETNX k v
        SETNX k v2
        GET k
        SETNX k
        SETEX k 100 v3
        TTL k
        GET k
        SETEX k 0 v
        SETEX k -1 v
        SETEX k abc v
        SETEX k 9223372036854775807 v
        SETEX k 100
        PSETEX k 100000 v4
        TTL k
        PSETEX k 0 v
        PSETEX k -10 v
        PSETEX k 1.5 v
        GET k
        GETSET k v5
        TTL k
        GETSET missing v
        GET missing
        GETSET k
        "#,
    );
}

#[test]
fn getdel_and_getex() {
    diff_script(
        "getdel_getex",
        r#"
        GETDEL missing
        SET k v
        GETDEL k
        EXISTS k
        GETDEL k extra
        SET k v
        GETEX k
        GETEX missing
        GETEX k EX 100
        TTL k
        GETEX k PX 200000
        TTL k
        GETEX k EXAT 4102444800
        EXPIRETIME k
        GETEX k PXAT 4102444800500
        PEXPIRETIME k
        GETEX k PERSIST
        TTL k
        GETEX k EX 0
        GETEX k EX -1
        GETEX k PX 0
        GETEX k EXAT 0
        GETEX k EX abc
        GETEX k EX
        GETEX k EX 10 PX 100
        GETEX k EX 10 PERSIST
        GETEX k PERSIST EX 10
        GETEX k PERSIST PERSIST
        GETEX k KEEPTTL
        GETEX k FOO
        GETEX missing EX 10
        GETEX missing FOO
        GETEX k EX 9223372036854775807
        TTL k
        "#,
    );
}

#[test]
fn mget_mset_msetnx() {
    diff_script(
        "mget_mset",
        r#"
        MSET a 1 b 2
        MGET a b missing a
        MGET
        MSET a
        MSET a 1 b
        MSET
        MSET a 10 a 11
        GET a
        MSETNX a 1 c 3
        GET c
        MSETNX c 3 d 4
        MGET c d
        MSETNX c 3 d
        MSETNX e 5 e 6
        GET e
        SET t v EX 100
        MSET t v2
        TTL t
        "#,
    );
}

#[test]
fn append_and_strlen() {
    diff_script(
        "append_strlen",
        r#"
        STRLEN missing
        APPEND k abc
        APPEND k def
        GET k
        STRLEN k
        APPEND k ""
        APPEND new ""
        EXISTS new
        STRLEN new
        SET n 123
        APPEND n 456
        GET n
        STRLEN n
        SET n 12345
        STRLEN n
        SET n -1
        STRLEN n
        APPEND k
        STRLEN
        STRLEN a b
        "#,
    );
}

#[test]
fn incr_decr_parse_strict_integers() {
    diff_script(
        "incr_parsing",
        r#"
        INCR n
        INCR n
        DECR n
        DECR fresh
        INCRBY n 10
        INCRBY n -20
        DECRBY n 5
        DECRBY n -5
        GET n
        SET s 1.0
        INCR s
        SET s " 1"
        INCR s
        SET s "1 "
        INCR s
        SET s 01
        INCR s
        SET s -0
        INCR s
        SET s +1
        INCR s
        SET s ""
        INCR s
        SET s abc
        INCR s
        SET s 9223372036854775808
        INCR s
        SET s 0x10
        INCR s
        SET s 1e3
        INCR s
        INCRBY n 1.5
        INCRBY n abc
        INCRBY n ""
        INCRBY n 01
        DECRBY n " 1"
        INCRBY n
        INCR
        INCR a b
        "#,
    );
}

#[test]
fn incr_decr_overflow_at_i64_bounds() {
    diff_script(
        "incr_overflow",
        r#"
        SET n 9223372036854775806
        INCR n
        INCR n
        GET n
        INCRBY n 0
        SET n -9223372036854775807
        DECR n
        DECR n
        GET n
        SET n 0
        INCRBY n 9223372036854775807
        INCRBY n 1
        SET n 0
        INCRBY n -9223372036854775808
        DECRBY n 1
        SET n 0
        DECRBY n -9223372036854775808
        DECRBY n 9223372036854775807
        SET n -1
        DECRBY n 9223372036854775807
        DECRBY n 1
        GET n
        INCRBY n 9223372036854775808
        "#,
    );
}

#[test]
fn incrbyfloat_formats_like_redis() {
    diff_script(
        "incrbyfloat_format",
        r#"
        INCRBYFLOAT f 10.5
        INCRBYFLOAT f 0.1
        INCRBYFLOAT f -0.6
        GET f
        SET f 3.0e3
        INCRBYFLOAT f 0
        SET f 5.0e3
        INCRBYFLOAT f 200
        INCRBYFLOAT f 1.5e3
        INCRBYFLOAT g 1.10000
        INCRBYFLOAT g -1.1
        # A NUL ends strtold early: the whole value must be the number (binary values are never overwritten).
        SET b "1\x00abc"
        INCRBYFLOAT b 1
        GET b
        INCRBYFLOAT b2 "1\x00"
        HSET hb f "1\x00abc"
        HINCRBYFLOAT hb f 1
        HINCRBYFLOAT hb g "2\x005"
        HGETALL hb
        INCRBYFLOAT h 0.1
        INCRBYFLOAT h 0.2
        INCRBYFLOAT i 1e-5
        INCRBYFLOAT i 1e-20
        INCRBYFLOAT tiny 1e-18
        INCRBYFLOAT j -5
        INCRBYFLOAT j 12345678901234567890
        INCRBYFLOAT k 1e17
        INCRBYFLOAT k 1
        INCRBYFLOAT l 3
        SET m 10
        INCRBYFLOAT m 1
        SET m " 10"
        INCRBYFLOAT m 1
        INCRBYFLOAT m "1 "
        INCRBYFLOAT m 0x10
        INCRBYFLOAT n .5
        INCRBYFLOAT n 5.
        INCRBYFLOAT n +1
        INCRBYFLOAT n -0
        GET n
        "#,
    );
}

#[test]
fn incrbyfloat_rejects_nan_and_infinity() {
    // 1e308 + 1e308 is no overflow: Redis 7.0 adds in 80-bit long double and prints every digit.
    diff_script(
        "incrbyfloat_errors",
        r#"
        SET f 1e308
        INCRBYFLOAT f 1e308
        INCRBYFLOAT f -1e308
        GET f
        INCRBYFLOAT g inf
        INCRBYFLOAT g -inf
        INCRBYFLOAT g +inf
        INCRBYFLOAT g infinity
        INCRBYFLOAT g nan
        INCRBYFLOAT g NaN
        INCRBYFLOAT g abc
        INCRBYFLOAT g ""
        INCRBYFLOAT g 1e400
        EXISTS g
        SET s inf
        INCRBYFLOAT s 1
        SET s abc
        INCRBYFLOAT s 1
        SET s 1e400
        INCRBYFLOAT s 1
        # Redis computes in long double: only past ~1.19e4932 is the result infinite.
        SET big 1e4932
        INCRBYFLOAT big 1e4932
        SET huge 1.5e5000
        INCRBYFLOAT huge 1
        INCRBYFLOAT g
        INCRBYFLOAT g 1 2
        "#,
    );
}

#[test]
fn getrange_and_substr() {
    diff_script(
        "getrange",
        r#"
        SET s "Hello World"
        GETRANGE s 0 4
        GETRANGE s -5 -1
        GETRANGE s 0 -1
        GETRANGE s -100 -1
        GETRANGE s 0 100
        GETRANGE s 5 3
        GETRANGE s -1 -5
        GETRANGE s 11 20
        GETRANGE s 10 10
        GETRANGE s -1 0
        GETRANGE s 0 0
        GETRANGE s -100 -50
        GETRANGE s 9223372036854775807 9223372036854775807
        GETRANGE s -9223372036854775808 9223372036854775807
        GETRANGE s a 1
        GETRANGE s 0 b
        GETRANGE missing 0 -1
        GETRANGE missing 0 5
        SET empty ""
        GETRANGE empty 0 -1
        GETRANGE empty 0 0
        SET n 12345
        GETRANGE n 1 2
        SUBSTR s 0 4
        SUBSTR s -3 -1
        SUBSTR missing 0 1
        SUBSTR s 0
        GETRANGE s 0
        "#,
    );
}

#[test]
fn setrange_pads_and_checks_limits() {
    diff_script(
        "setrange",
        r#"
        SETRANGE k 0 abc
        GET k
        SETRANGE k 1 XY
        GET k
        SETRANGE k 6 pad
        GET k
        STRLEN k
        SETRANGE new 3 x
        GET new
        SETRANGE empty 0 ""
        EXISTS empty
        SETRANGE empty 5 ""
        EXISTS empty
        SETRANGE k 100 ""
        STRLEN k
        SETRANGE k -1 x
        SETRANGE k abc x
        # 512 MB is the limit (proto-max-bulk-len): reaching it exactly would allocate it, so only past it.
        SETRANGE k 536870911 xx
        SETRANGE k 536870912 x
        SETRANGE k 536870912 ""
        DEL k
        SETRANGE k 536870912 ""
        SETRANGE k 536870911 xx
        SET n 123
        SETRANGE n 1 9
        GET n
        SETRANGE k 0
        "#,
    );
}

#[test]
fn writes_that_keep_or_clear_the_ttl() {
    diff_script(
        "ttl_rules",
        r#"
        SET k 1 EX 100
        INCR k
        TTL k
        INCRBY k 5
        DECR k
        TTL k
        INCRBYFLOAT k 1.5
        TTL k
        APPEND k x
        TTL k
        SETRANGE k 0 9
        TTL k
        GETSET k v
        TTL k
        SET k v EX 100
        SET k v
        TTL k
        SET k v EX 100
        GETDEL k
        SET k v
        TTL k
        SET k v EX 100
        MSET k v2
        TTL k
        SET k v EX 100
        SETEX k 50 v2
        TTL k
        "#,
    );
}

#[test]
fn object_encoding_of_strings() {
    diff_script(
        "string_encodings",
        r#"
        SET n 123
        OBJECT ENCODING n
        SET n -9223372036854775808
        OBJECT ENCODING n
        SET n 9223372036854775808
        OBJECT ENCODING n
        SET n 0123
        OBJECT ENCODING n
        SET s abc
        OBJECT ENCODING s
        SET s 123456789012345678901234567890123456789012345
        OBJECT ENCODING s
        SET s 1234567890123456789012345678901234567890123456
        OBJECT ENCODING s
        SET s abcdefghijabcdefghijabcdefghijabcdefghijabcd
        OBJECT ENCODING s
        SET s abcdefghijabcdefghijabcdefghijabcdefghijabcde
        OBJECT ENCODING s
        SET a abc
        APPEND a def
        OBJECT ENCODING a
        SET a 1
        APPEND a 2
        OBJECT ENCODING a
        INCR a
        OBJECT ENCODING a
        SET r abc
        SETRANGE r 0 x
        OBJECT ENCODING r
        INCRBYFLOAT f 1.5
        OBJECT ENCODING f
        INCRBYFLOAT f 0.5
        OBJECT ENCODING f
        OBJECT ENCODING missing
        "#,
    );
}

#[test]
fn resp3_replies_of_string_commands() {
    diff_resp3_script(
        "strings_resp3",
        r#"
        GET missing
        SET k v
        GET k
        SET k v GET
        SET missing2 v XX GET
        MGET k missing
        INCR n
        INCRBYFLOAT f 1.5
        GETRANGE k 5 10
        GETDEL missing
        GETEX missing
        STRLEN k
        SET k v FOO
        "#,
    );
}
