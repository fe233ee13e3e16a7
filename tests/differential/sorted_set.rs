//! Differential scripts for the sorted set commands: ZADD's options and their conflicts, scores and ranks, the
//! generic range command under all its spellings, range removal, pops, random members (shapes, and contents where
//! they are determined), the algebra with sets among the inputs, ZSCAN, wrong types, the generic key commands on
//! sorted sets, our first user's rate limiter and leaderboard, and RESP3 reply shapes.
//!
//! The main scenarios run three times (`in_both_encodings`): with the default thresholds (listpack), after
//! `CONFIG SET zset-max-listpack-entries 2` and after `zset-max-listpack-value 4` (skiplist), with
//! `OBJECT ENCODING` lines to prove which encoding each key has. Sorted sets reply in a defined order, so most
//! lines compare exactly; only the skiplist's ZSCAN order and random picks are relaxed.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn};
use std::collections::{HashMap, HashSet};

/// The thresholds each main scenario runs under: defaults, few entries, short members.
const ENCODINGS: &[(&str, &str)] = &[
    ("listpack", ""),
    ("entries_2", "CONFIG SET zset-max-listpack-entries 2"),
    ("value_4", "CONFIG SET zset-max-listpack-value 4"),
];

/// Runs `script` once per threshold setting, the CONFIG SET line first.
fn in_both_encodings(name: &str, script: &str) {
    for (suffix, setup) in ENCODINGS {
        diff_script(&format!("{name}_{suffix}"), &format!("{setup}\n{script}"));
    }
}

#[test]
fn zadd_options() {
    in_both_encodings(
        "zset_zadd_options",
        r#"
        ZADD z 1 alpha 2 beta 3 gamma
        OBJECT ENCODING z
        ZADD z 1 alpha
        ZADD z 5 alpha 6 delta
        ZADD z CH 5 alpha 7 beta 8 epsilon
        ZRANGE z 0 -1 WITHSCORES
        ZADD z NX 100 alpha 9 zeta
        ZADD z NX CH 100 alpha 10 eta
        ZADD z XX 11 alpha 12 nosuch
        ZADD z XX CH 11 alpha 13 beta 14 nosuch2
        ZSCORE z nosuch
        ZADD z GT 1 alpha 99 beta 15 theta
        ZADD z GT CH 1 alpha 100 beta 16 iota
        ZADD z LT CH 1 alpha 1000 beta 17 kappa
        ZADD z LT 0 alpha
        ZADD z XX GT CH 50 alpha 0 beta
        ZADD z XX LT CH 2 alpha
        ZRANGE z 0 -1 WITHSCORES
        ZADD z INCR 10 alpha
        ZADD z INCR -2.5 newbie
        ZADD z NX INCR 1 alpha
        ZADD z NX INCR 1 fresh
        ZADD z XX INCR 1 alpha
        ZADD z XX INCR 1 missing
        ZADD z GT INCR 1 alpha
        ZADD z GT INCR -1 alpha
        ZADD z LT INCR -1 alpha
        ZADD z LT INCR 1 alpha
        ZADD z LT INCR 0 alpha
        ZADD z GT INCR 0 alpha
        ZADD z INCR 0 alpha
        ZADD z CH INCR 1 alpha
        ZADD z nx xx 1 a
        ZADD z xx NX 1 a
        ZADD z nx gt 1 a
        ZADD z nx lt 1 a
        ZADD z gt lt 1 a
        ZADD z nx xx gt 1 a
        ZADD z nx xx gt 1 a 2
        ZADD z INCR 1 a 2 b
        ZADD z INCR nx xx 1 a 2 b
        ZADD z INCR gt lt 1 a 2 b
        ZADD z 1 a 2
        ZADD z nx 1
        ZADD z ch
        ZADD z nx
        ZADD z 1 a b 2
        ZADD z x a
        ZADD z 1 a nan b
        ZADD z inf a -inf b +inf c 1e3 d -1.5e-3 e 0x10 f .5 g
        ZADD z " 1" a
        ZADD z "1 " a
        ZADD z "" a
        ZADD z 1e400 a
        ZADD z 1e-400 a
        ZRANGE z 0 -1 WITHSCORES
        ZCARD z
        ZADD z2 XX 1 a
        EXISTS z2
        ZADD z2 XX INCR 1 a
        EXISTS z2
        ZADD z2 GT 5 a
        ZADD z2 LT CH 6 a 4 b
        ZRANGE z2 0 -1 WITHSCORES
        ZADD z3 NX INCR 5 a
        ZADD z4 INCR inf a
        ZADD z4 INCR -inf a
        ZADD z4 INCR inf a
        ZSCORE z4 a
        ZINCRBY z4 -inf a
        ZINCRBY z4 1 a
        OBJECT ENCODING z
        OBJECT ENCODING z2
        "#,
    );
}

#[test]
fn zadd_scores_format_and_signed_zero() {
    in_both_encodings(
        "zset_score_format",
        r#"
        ZADD z 0.1 a 1.5 b -0 c 1e20 d 123456789012345678 e 5e-324 f 3 g 0.30000000000000004 h
        ZSCORE z a
        ZSCORE z c
        ZSCORE z d
        ZSCORE z e
        ZSCORE z f
        ZRANGE z 0 -1 WITHSCORES
        ZMSCORE z a b c d e f g h nosuch
        ZADD s INCR -0 m
        ZSCORE s m
        ZINCRBY s -0 m
        ZADD s 0 n
        ZADD s CH -0 n
        ZSCORE s n
        ZINCRBY t 0.1 m
        ZINCRBY t 0.2 m
        ZSCORE t m
        OBJECT ENCODING z
        ZUNIONSTORE u 1 z
        ZSCORE u c
        ZRANGESTORE r z 0 -1
        ZSCORE r c
        ZUNION 1 z WITHSCORES
        ZINTER 2 z z WITHSCORES
        ZDIFF 1 z WITHSCORES
        "#,
    );
}

#[test]
fn zincrby() {
    in_both_encodings(
        "zset_zincrby",
        r#"
        ZINCRBY z 1 a
        ZINCRBY z 2.5 a
        ZINCRBY z -10 bb
        ZINCRBY z 1e3 ccccc
        ZRANGE z 0 -1 WITHSCORES
        OBJECT ENCODING z
        ZINCRBY z inf a
        ZINCRBY z -inf a
        ZSCORE z a
        ZINCRBY z x a
        ZINCRBY z nan a
        ZINCRBY z "" a
        ZINCRBY z nx a
        ZINCRBY z incr a
        ZINCRBY z 1
        ZINCRBY z 1 a b
        SET str v
        ZINCRBY str 1 a
        ZINCRBY str x a
        "#,
    );
}

#[test]
fn single_element_reads_and_zrem() {
    in_both_encodings(
        "zset_reads_zrem",
        r#"
        ZADD z 1 a 2 b 3 c 3 cc 4 d
        ZCARD z
        ZCARD missing
        ZSCORE z c
        ZSCORE z nosuch
        ZSCORE missing a
        ZMSCORE z a nosuch d
        ZMSCORE missing a b
        ZRANK z a
        ZRANK z cc
        ZRANK z nosuch
        ZRANK missing a
        ZREVRANK z a
        ZREVRANK z d
        ZREVRANK z nosuch
        ZREVRANK missing a
        ZREM z a nosuch a
        ZREM missing a
        ZREM z b c
        ZRANGE z 0 -1
        OBJECT ENCODING z
        ZREM z cc d x y
        EXISTS z
        ZADD bin 1 "\x00\xff" 2 "" 3 "a\r\nb"
        ZRANGE bin 0 -1 WITHSCORES
        ZSCORE bin ""
        ZRANK bin "a\r\nb"
        ZCARD
        ZCARD z x
        ZSCORE z
        ZMSCORE z
        ZRANK z a b
        ZREM z
        "#,
    );
}

#[test]
fn counts_by_score_and_lex() {
    in_both_encodings(
        "zset_counts",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e
        ZCOUNT z -inf +inf
        ZCOUNT z 2 4
        ZCOUNT z (2 4
        ZCOUNT z (2 (4
        ZCOUNT z 4 2
        ZCOUNT z 3 3
        ZCOUNT z (3 3
        ZCOUNT z 3 (3
        ZCOUNT z " 2" "4"
        ZCOUNT z "" 5
        ZCOUNT z ( 10
        ZCOUNT z 1e400 -1e400
        ZCOUNT z -1e400 1e400
        ZCOUNT z 0x2 0x3
        ZCOUNT z a 1
        ZCOUNT z 1 [2
        ZCOUNT z nan 1
        ZCOUNT z (nan 1
        ZCOUNT z "1 " 2
        ZCOUNT missing 0 1
        ZADD l 0 a 0 b 0 c 0 d 0 e
        ZLEXCOUNT l - +
        ZLEXCOUNT l [b [d
        ZLEXCOUNT l (b [d
        ZLEXCOUNT l (b (d
        ZLEXCOUNT l [d [b
        ZLEXCOUNT l + -
        ZLEXCOUNT l - -
        ZLEXCOUNT l + +
        ZLEXCOUNT l [c (c
        ZLEXCOUNT l [c [c
        ZLEXCOUNT l ( +
        ZLEXCOUNT l [ (c
        ZLEXCOUNT l a +
        ZLEXCOUNT l - b
        ZLEXCOUNT l "" +
        ZLEXCOUNT l +a +
        ZLEXCOUNT l -a +
        ZLEXCOUNT missing - +
        ZLEXCOUNT missing x +
        OBJECT ENCODING l
        "#,
    );
}

#[test]
fn zrange_by_rank() {
    in_both_encodings(
        "zset_zrange_rank",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e
        ZRANGE z 0 -1
        ZRANGE z 0 -1 WITHSCORES
        ZRANGE z 1 3 withscores
        ZRANGE z -2 -1
        ZRANGE z -100 100
        ZRANGE z 3 1
        ZRANGE z 5 10
        ZRANGE z -1 -2
        ZRANGE z 0 0
        ZRANGE z -9223372036854775808 9223372036854775807
        ZRANGE z 0 -1 REV
        ZRANGE z 0 1 REV WITHSCORES
        ZRANGE z -2 -1 REV
        ZRANGE z 0 -1 LIMIT 0 -1
        ZRANGE z 0 -1 LIMIT 5 -1 WITHSCORES
        ZRANGE z 0 -1 LIMIT 0 1
        ZRANGE z 0 -1 LIMIT 0
        ZRANGE z 0 -1 LIMIT x 1
        ZRANGE z a 1
        ZRANGE z 0 b
        ZRANGE z 0 -1 WITHSCORES WITHSCORES REV REV
        ZRANGE z 0 -1 BYSCORE BYLEX
        ZRANGE z 0 -1 FOO
        ZRANGE missing 0 -1
        ZRANGE missing a b
        ZREVRANGE z 0 -1
        ZREVRANGE z 0 1 WITHSCORES
        ZREVRANGE z -1 -1
        ZREVRANGE z 0 -1 REV
        ZREVRANGE z 0 -1 BYSCORE
        ZREVRANGE z 0 -1 LIMIT 0 1
        ZREVRANGE z 0 -1 LIMIT 0 -1
        ZREVRANGE missing 0 -1
        ZRANGE z 0
        ZREVRANGE z 0
        OBJECT ENCODING z
        "#,
    );
}

#[test]
fn zrange_by_score() {
    in_both_encodings(
        "zset_zrange_score",
        r#"
        ZADD z -inf ninf 1 a 2 b 2 bb 3 c 4 d 5 e +inf pinf
        ZRANGE z -inf +inf BYSCORE
        ZRANGE z 2 4 BYSCORE WITHSCORES
        ZRANGE z (2 4 BYSCORE
        ZRANGE z 2 (4 BYSCORE
        ZRANGE z 4 2 BYSCORE
        ZRANGE z 4 2 BYSCORE REV
        ZRANGE z (4 2 BYSCORE REV WITHSCORES
        ZRANGE z 2 4 BYSCORE REV
        ZRANGE z -inf +inf BYSCORE LIMIT 1 3
        ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
        ZRANGE z -inf +inf BYSCORE LIMIT 0 0
        ZRANGE z -inf +inf BYSCORE LIMIT -1 3
        ZRANGE z -inf +inf BYSCORE LIMIT 7 3
        ZRANGE z -inf +inf BYSCORE LIMIT 8 3
        ZRANGE z -inf +inf BYSCORE LIMIT 100 3
        ZRANGE z +inf -inf BYSCORE REV LIMIT 1 3 WITHSCORES
        ZRANGE z +inf -inf BYSCORE REV LIMIT 6 -5
        ZRANGE z (1 (5 BYSCORE LIMIT 1 2
        ZRANGE z (5 (1 BYSCORE REV LIMIT 1 2
        ZRANGE z 3 3 BYSCORE
        ZRANGE z (3 3 BYSCORE
        ZRANGE z inf inf BYSCORE
        ZRANGE z "" 2 BYSCORE
        ZRANGE z " 1" 2 BYSCORE
        ZRANGE z x 2 BYSCORE
        ZRANGE z 1 nan BYSCORE
        ZRANGE z 1 2 BYSCORE LIMIT 0
        ZRANGE z 1 2 BYSCORE LIMIT a 1
        ZRANGE z 1 2 BYSCORE LIMIT 1 b
        ZRANGE z x y BYSCORE LIMIT a 1
        ZRANGE missing 0 1 BYSCORE
        ZRANGE missing x 1 BYSCORE
        ZRANGEBYSCORE z -inf +inf
        ZRANGEBYSCORE z 2 4 WITHSCORES
        ZRANGEBYSCORE z 2 4 LIMIT 1 1
        ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 1 10 withscores
        ZRANGEBYSCORE z 2 4 LIMIT 1
        ZRANGEBYSCORE z 2 4 REV
        ZRANGEBYSCORE z 2 4 BYSCORE
        ZRANGEBYSCORE z a 4
        ZRANGEBYSCORE missing 2 4
        ZREVRANGEBYSCORE z +inf -inf
        ZREVRANGEBYSCORE z 4 2 WITHSCORES
        ZREVRANGEBYSCORE z 2 4
        ZREVRANGEBYSCORE z (4 (2 LIMIT 0 1
        ZREVRANGEBYSCORE z +inf -inf LIMIT 2 -1 WITHSCORES
        ZREVRANGEBYSCORE z 4 a
        OBJECT ENCODING z
        "#,
    );
}

#[test]
fn zrange_by_lex() {
    in_both_encodings(
        "zset_zrange_lex",
        r#"
        ZADD z 0 a 0 b 0 c 0 d 0 e 0 f 0 "" 0 "b\x00"
        ZRANGE z - + BYLEX
        ZRANGE z [b [d BYLEX
        ZRANGE z (b [d BYLEX
        ZRANGE z [d [b BYLEX
        ZRANGE z [d [b BYLEX REV
        ZRANGE z + - BYLEX REV
        ZRANGE z + - BYLEX REV LIMIT 1 2
        ZRANGE z - + BYLEX LIMIT 2 3
        ZRANGE z - + BYLEX LIMIT 2 -1
        ZRANGE z - + BYLEX LIMIT -2 1
        ZRANGE z - + BYLEX WITHSCORES
        ZRANGE z - + BYLEX LIMIT x 1
        ZRANGE z [a (a BYLEX
        ZRANGE z ( + BYLEX
        ZRANGE z [ [ BYLEX
        ZRANGE z "[b\x00" + BYLEX
        ZRANGE z a + BYLEX
        ZRANGE z - + BYLEX BYSCORE
        ZRANGE missing - + BYLEX
        ZRANGE missing a + BYLEX
        ZRANGEBYLEX z - +
        ZRANGEBYLEX z [b (e
        ZRANGEBYLEX z - + LIMIT 1 2
        ZRANGEBYLEX z - + WITHSCORES
        ZRANGEBYLEX z - + REV
        ZRANGEBYLEX z b +
        ZRANGEBYLEX missing - +
        ZREVRANGEBYLEX z + -
        ZREVRANGEBYLEX z (e [b
        ZREVRANGEBYLEX z + - LIMIT 1 2
        ZREVRANGEBYLEX z - +
        ZREVRANGEBYLEX z + - WITHSCORES
        OBJECT ENCODING z
        "#,
    );
}

/// Lex ranges over members whose scores differ: unspecified in Redis's documentation, but a listpack answers
/// deterministically by walking from its head (or tail, for REV) and we walk the same way. (A skiplist's answer
/// depends on its random node levels, so only the listpack is compared.)
#[test]
fn lex_ranges_over_mixed_scores() {
    diff_script(
        "zset_lex_mixed_scores",
        r#"
        ZADD m 1 a 2 b 0 c 5 d 3 e 0 f
        ZRANGEBYLEX m - +
        ZRANGEBYLEX m [b [e
        ZRANGEBYLEX m (a +
        ZRANGEBYLEX m [d +
        ZRANGEBYLEX m - [a
        ZREVRANGEBYLEX m [e [b
        ZREVRANGEBYLEX m + [d
        ZREVRANGEBYLEX m [b -
        ZRANGE m [e [b BYLEX REV LIMIT 1 2
        ZLEXCOUNT m [b [e
        ZLEXCOUNT m - (d
        ZLEXCOUNT m [e [b
        ZRANGESTORE d m [b [e BYLEX
        ZRANGE d 0 -1 WITHSCORES
        ZREMRANGEBYLEX m [c [d
        ZRANGE m 0 -1
        OBJECT ENCODING m
        "#,
    );
}

#[test]
fn zrangestore() {
    in_both_encodings(
        "zset_zrangestore",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e
        ZRANGESTORE d1 z 0 -1
        ZRANGE d1 0 -1 WITHSCORES
        OBJECT ENCODING d1
        ZRANGESTORE d2 z 0 1
        OBJECT ENCODING d2
        ZRANGESTORE d3 z 1 2 REV
        ZRANGE d3 0 -1 WITHSCORES
        ZRANGESTORE d4 z 2 +inf BYSCORE LIMIT 1 2
        ZRANGE d4 0 -1 WITHSCORES
        OBJECT ENCODING d4
        ZRANGESTORE d5 z +inf -inf BYSCORE REV LIMIT 0 2
        ZRANGE d5 0 -1 WITHSCORES
        ZADD l 0 a 0 bbbbbb 0 c
        ZRANGESTORE d6 l - + BYLEX
        OBJECT ENCODING d6
        ZRANGESTORE d7 l [c + BYLEX
        OBJECT ENCODING d7
        SET d1 string
        EXPIRE d2 100
        ZRANGESTORE d1 z 0 0
        TYPE d1
        ZRANGESTORE d2 z 0 0
        TTL d2
        ZRANGESTORE d1 z 10 20
        EXISTS d1
        ZRANGESTORE d2 missing 0 -1
        EXISTS d2
        ZRANGESTORE z z 1 2
        ZRANGE z 0 -1 WITHSCORES
        ZRANGESTORE d z 0 -1 WITHSCORES
        ZRANGESTORE d z 0 -1 LIMIT 0 1
        ZRANGESTORE d z x y BYSCORE
        SET str v
        ZRANGESTORE d str 0 -1
        ZRANGESTORE str z 0 -1
        TYPE str
        ZRANGESTORE d z 0
        "#,
    );
}

#[test]
fn range_removal() {
    in_both_encodings(
        "zset_remrange",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g
        ZREMRANGEBYRANK z 0 0
        ZREMRANGEBYRANK z -1 -1
        ZREMRANGEBYRANK z 3 1
        ZREMRANGEBYRANK z 10 20
        ZRANGE z 0 -1
        ZREMRANGEBYSCORE z (2 (4
        ZREMRANGEBYSCORE z 4 2
        ZRANGE z 0 -1
        ZREMRANGEBYSCORE z -inf (3
        ZRANGE z 0 -1 WITHSCORES
        OBJECT ENCODING z
        ZREMRANGEBYRANK z 0 -1
        EXISTS z
        ZADD l 0 a 0 b 0 c 0 d 0 e
        ZREMRANGEBYLEX l (a [c
        ZREMRANGEBYLEX l [z +
        ZRANGE l 0 -1
        ZREMRANGEBYLEX l - +
        EXISTS l
        ZADD s 1 a 2 b
        ZREMRANGEBYSCORE s -inf +inf
        EXISTS s
        ZREMRANGEBYRANK missing 0 -1
        ZREMRANGEBYSCORE missing 0 1
        ZREMRANGEBYLEX missing - +
        ZREMRANGEBYRANK z a 1
        ZREMRANGEBYSCORE z a 1
        ZREMRANGEBYLEX z a +
        ZREMRANGEBYRANK missing a 1
        ZREMRANGEBYSCORE missing x 1
        ZREMRANGEBYLEX missing x +
        SET str v
        ZREMRANGEBYRANK str 0 1
        ZREMRANGEBYSCORE str x 1
        ZREMRANGEBYLEX str - +
        ZREMRANGEBYRANK z 0
        "#,
    );
}

#[test]
fn pops() {
    in_both_encodings(
        "zset_pops",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
        ZPOPMIN z
        ZPOPMAX z
        ZPOPMIN z 2
        ZPOPMAX z 1
        ZPOPMIN z 0
        ZCARD z
        OBJECT ENCODING z
        ZPOPMAX z 10
        EXISTS z
        ZPOPMIN z
        ZPOPMIN z 3
        ZPOPMAX missing
        ZADD z 1 a
        ZPOPMIN z -1
        ZPOPMIN z x
        ZPOPMIN z 1.5
        ZPOPMIN z 1 2
        ZPOPMAX z -9223372036854775808
        ZPOPMAX z 9223372036854775807
        EXISTS z
        SET str v
        ZPOPMIN str
        ZPOPMAX str 0
        ZPOPMIN str -1
        "#,
    );
}

#[test]
fn zrandmember_errors_and_determined_cases() {
    in_both_encodings(
        "zset_zrandmember",
        r#"
        ZADD z 1 a 2 b 3 c 4 d 5 e
        ~ ZRANDMEMBER z
        ~ ZRANDMEMBER z 1
        ~ ZRANDMEMBER z 3
        ~ ZRANDMEMBER z 2 WITHSCORES
        ~ ZRANDMEMBER z -8
        ~ ZRANDMEMBER z -8 WITHSCORES
        ~ ZRANDMEMBER z 4
        ZRANDMEMBER z 5
        ZRANDMEMBER z 100 WITHSCORES
        ZRANDMEMBER z 9223372036854775807
        ZRANDMEMBER z 0
        ZRANDMEMBER z 0 WITHSCORES
        ZRANDMEMBER z -9223372036854775808
        ZRANDMEMBER z -9223372036854775807 WITHSCORES
        ZRANDMEMBER z 4611686018427387904 WITHSCORES
        ZRANDMEMBER z -4611686018427387904 WITHSCORES
        ZRANDMEMBER z 1 WITHSCORES extra
        ZRANDMEMBER z 1 WITHSCORE
        ZRANDMEMBER z x
        ZRANDMEMBER z x WITHSCORES extra
        ZRANDMEMBER missing
        ZRANDMEMBER missing 5
        ZRANDMEMBER missing -5 WITHSCORES
        ZRANDMEMBER missing x
        ZADD one 7 solo
        ZRANDMEMBER one
        ZRANDMEMBER one -3 WITHSCORES
        ZRANDMEMBER one 1 WITHSCORES
        SET str v
        ZRANDMEMBER str
        ZRANDMEMBER str 1
        ZRANDMEMBER str x
        OBJECT ENCODING z
        "#,
    );
}

#[test]
fn zrandmember_huge_negative_count_hits_the_output_limit() {
    diff_script(
        "zset_zrandmember_obuf",
        r#"
        ZADD z 1 member1 2 member2
        CONFIG SET client-output-buffer-limit "normal 100kb 0 0"
        ZRANDMEMBER z -1000000 WITHSCORES
        ZCARD z
        ZRANDMEMBER z -9223372036854775807
        ZCARD z
        CONFIG SET zset-max-listpack-entries 1
        ZADD t 1 a 2 b
        ZRANDMEMBER t -1000000
        ZCARD t
        "#,
    );
}

#[test]
fn algebra() {
    in_both_encodings(
        "zset_algebra",
        r#"
        ZADD a 1 x 2 y 3 z
        ZADD b 10 y 20 z 30 w
        ZADD c 100 z
        ZUNION 2 a b
        ZUNION 2 a b WITHSCORES
        ZUNION 3 a b c WITHSCORES
        ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
        ZUNION 2 a b AGGREGATE MIN WITHSCORES
        ZUNION 2 a b AGGREGATE max WITHSCORES
        ZUNION 2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
        ZUNION 2 a missing WITHSCORES
        ZUNION 2 missing missing2
        ZUNION 2 a a WITHSCORES
        ZINTER 2 a b
        ZINTER 2 a b WITHSCORES
        ZINTER 3 a b c WITHSCORES
        ZINTER 2 a b WEIGHTS 2 3 AGGREGATE MAX WITHSCORES
        ZINTER 2 a b AGGREGATE MIN WITHSCORES
        ZINTER 2 a missing
        ZINTER 2 a a WITHSCORES
        ZINTERCARD 2 a b
        ZINTERCARD 3 a b c
        ZINTERCARD 2 a b LIMIT 1
        ZINTERCARD 2 a b LIMIT 0
        ZINTERCARD 2 a b LIMIT 5
        ZINTERCARD 2 a missing
        ZINTERCARD 1 a
        ZDIFF 2 a b
        ZDIFF 2 a b WITHSCORES
        ZDIFF 2 b a WITHSCORES
        ZDIFF 3 b a c WITHSCORES
        ZDIFF 1 a WITHSCORES
        ZDIFF 2 a a
        ZDIFF 2 a missing WITHSCORES
        ZDIFF 2 missing a
        ZUNIONSTORE d 2 a b
        ZRANGE d 0 -1 WITHSCORES
        OBJECT ENCODING d
        ZINTERSTORE d 2 a b WEIGHTS 0.5 0.5
        ZRANGE d 0 -1 WITHSCORES
        OBJECT ENCODING d
        ZDIFFSTORE d 2 a c
        ZRANGE d 0 -1 WITHSCORES
        OBJECT ENCODING d
        ZINTERSTORE d 2 a c
        ZRANGE d 0 -1 WITHSCORES
        OBJECT ENCODING d
        ZINTERSTORE d 2 a missing
        EXISTS d
        ZUNIONSTORE d 1 a
        ZDIFFSTORE d 2 a a
        EXISTS d
        ZUNIONSTORE a 2 a b
        ZRANGE a 0 -1 WITHSCORES
        ZINTERSTORE b 2 b a AGGREGATE MIN
        ZRANGE b 0 -1 WITHSCORES
        SET str v
        EXPIRE str 100
        ZUNIONSTORE str 1 c
        TYPE str
        TTL str
        OBJECT ENCODING str
        "#,
    );
}

#[test]
fn algebra_special_scores_and_sets() {
    in_both_encodings(
        "zset_algebra_special",
        r#"
        ZADD p inf x -inf y 1 z 0.1 w
        ZADD n -inf x inf y 2 z 0.2 w
        ZUNION 2 p n WITHSCORES
        ZINTER 2 p n WITHSCORES
        ZUNION 2 p n WEIGHTS 0 1 WITHSCORES
        ZINTER 2 p n WEIGHTS 0 1 WITHSCORES
        ZINTER 2 p n WEIGHTS 0 1 AGGREGATE MIN WITHSCORES
        ZINTER 2 p n WEIGHTS 0 1 AGGREGATE MAX WITHSCORES
        ZINTER 2 p n WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
        ZINTER 2 p n WEIGHTS 1 0 AGGREGATE MAX WITHSCORES
        ZUNION 2 p n WEIGHTS inf -inf WITHSCORES
        ZUNION 1 p WEIGHTS -1 WITHSCORES
        ZUNION 2 p n WEIGHTS 1e308 1e308 WITHSCORES
        ZADD q 0.3 w 0.3 v
        ZUNION 3 p n q WITHSCORES
        ZUNION 3 q n p WITHSCORES
        ZUNION 3 n q p AGGREGATE SUM WITHSCORES
        SADD s1 x z 5 10
        SADD s2 alpha beta z
        ZUNION 2 p s1 WITHSCORES
        ZINTER 2 p s1 WITHSCORES
        ZINTER 2 s1 p WEIGHTS 3 2 WITHSCORES
        ZUNION 3 s1 s2 p WITHSCORES
        ZDIFF 2 s1 p WITHSCORES
        ZDIFF 2 p s2 WITHSCORES
        ZINTERCARD 2 s1 p
        ZUNIONSTORE dst 2 s1 s2
        ZRANGE dst 0 -1 WITHSCORES
        OBJECT ENCODING dst
        ZINTERSTORE dst 2 s1 s1
        ZRANGE dst 0 -1 WITHSCORES
        ZDIFFSTORE dst 1 s1
        ZRANGE dst 0 -1 WITHSCORES
        ZUNION 1 s1 WEIGHTS 2.5 WITHSCORES
        "#,
    );
}

#[test]
fn algebra_errors() {
    diff_script(
        "zset_algebra_errors",
        r#"
        ZADD a 1 x
        ZADD b 2 x
        HSET h f v
        SET str v
        ZUNION 0 a
        ZUNION -1 a
        ZUNION x a
        ZUNION 2 a
        ZUNION 9223372036854775807 a
        ZUNIONSTORE d 0 a
        ZUNIONSTORE d 2 a
        ZUNIONSTORE d x a
        ZINTER 0 a
        ZINTERSTORE d 0 a
        ZINTERCARD 0 a
        ZINTERCARD -5 a
        ZINTERCARD 3 a b
        ZDIFF 0 a
        ZDIFFSTORE d 0 a
        ZDIFFSTORE d 3 a b
        ZUNION 2 a h
        ZUNION 2 a str WEIGHTS x
        ZUNIONSTORE d 2 a h
        ZINTER 2 h missing
        ZINTERCARD 2 a str
        ZDIFF 2 a str
        ZDIFFSTORE d 2 str a
        ZUNION 2 a b WEIGHTS 1
        ZUNION 2 a b WEIGHTS 1 x
        ZUNION 2 a b WEIGHTS 1 nan
        ZUNION 2 a b WEIGHTS 1 2 3
        ZUNION 2 a b WEIGHTS " 1" 2
        ZUNION 2 a b AGGREGATE
        ZUNION 2 a b AGGREGATE avg
        ZUNION 2 a b WITHSCORES x
        ZUNION 2 a b WEIGHTS 1 2 WEIGHTS 3 4 WITHSCORES
        ZUNION 2 a b AGGREGATE MIN AGGREGATE MAX WITHSCORES WITHSCORES
        ZUNIONSTORE d 2 a b WITHSCORES
        ZINTERSTORE d 2 a b WITHSCORES
        ZINTERCARD 2 a b WITHSCORES
        ZINTERCARD 2 a b WEIGHTS 1 2
        ZINTERCARD 2 a b AGGREGATE MIN
        ZINTERCARD 2 a b LIMIT
        ZINTERCARD 2 a b LIMIT -1
        ZINTERCARD 2 a b LIMIT x
        ZINTERCARD 2 a b LIMIT 1 LIMIT 2
        ZINTER 2 a b LIMIT 1
        ZDIFF 2 a b WEIGHTS 1 2
        ZDIFF 2 a b AGGREGATE MIN
        ZDIFFSTORE d 2 a b WITHSCORES
        ZUNION 1
        ZUNIONSTORE d 1
        ZINTERCARD 1
        EXISTS d
        "#,
    );
}

#[test]
fn zscan() {
    in_both_encodings(
        "zset_zscan",
        r#"
        ZADD z 1 a 2.5 b -0 c 123456789012345678 d 1e20 e -inf f 0.1 g
        OBJECT ENCODING z
        sorted ZSCAN z 0 COUNT 100
        sorted ZSCAN z 0 MATCH [a-c] COUNT 100
        sorted ZSCAN z 0 MATCH * COUNT 100
        sorted ZSCAN z 0 MATCH nomatch COUNT 100
        ZSCAN missing 0
        ZSCAN missing x
        ZSCAN missing 0 COUNT 0
        ZSCAN z x
        ZSCAN z 0 COUNT 0
        ZSCAN z 0 COUNT x
        ZSCAN z 0 MATCH
        ZSCAN z 0 TYPE zset
        ZSCAN z 0 FOO bar
        SET str v
        ZSCAN str 0
        ZSCAN
        ZSCAN z
        "#,
    );
}

#[test]
fn wrong_type_both_ways() {
    diff_script(
        "zset_wrong_type",
        r#"
        SET str v
        ZADD str 1 a
        ZADD str x a
        ZADD str XX 1 a
        ZINCRBY str 1 a
        ZREM str a
        ZCARD str
        ZSCORE str a
        ZMSCORE str a
        ZRANK str a
        ZREVRANK str a
        ZCOUNT str 0 1
        ZCOUNT str x 1
        ZLEXCOUNT str - +
        ZLEXCOUNT str x +
        ZRANGE str 0 -1
        ZRANGE str x -1
        ZRANGE str 0 -1 BYSCORE
        ZRANGE str 0 -1 BYLEX
        ZRANGE str 0 -1 FOO
        ZREVRANGE str 0 -1
        ZRANGEBYSCORE str 0 1
        ZREVRANGEBYSCORE str 0 1
        ZRANGEBYLEX str - +
        ZREVRANGEBYLEX str + -
        ZPOPMIN str
        ZPOPMAX str 2
        ZRANDMEMBER str 2
        ZSCAN str 0
        SADD set m
        ZADD set 1 a
        HSET hash f v
        ZRANGE hash 0 -1
        ZADD z 1 a
        GET z
        SET z v GET
        APPEND z x
        INCR z
        STRLEN z
        HGET z f
        SADD z m
        SMEMBERS z
        SINTER z set
        SUNIONSTORE d z set
        TYPE z
        "#,
    );
}

#[test]
fn keyspace_commands_on_sorted_sets() {
    diff_script(
        "zset_keyspace",
        r#"
        ZADD z 1 a 2 b 3 c
        TYPE z
        OBJECT ENCODING z
        COPY z z2
        ZRANGE z2 0 -1 WITHSCORES
        ZADD z2 4 d
        ZCARD z
        ZCARD z2
        RENAME z2 z3
        ZRANGE z3 0 -1 WITHSCORES
        EXISTS z2
        EXPIRE z3 100
        TTL z3
        ZADD z3 5 e
        TTL z3
        ZREM z3 a b c d e
        EXISTS z3
        TTL z3
        MOVE z 1
        EXISTS z
        SELECT 1
        ZRANGE z 0 -1
        SCAN 0 TYPE zset
        SET s v
        SCAN 0 TYPE zset COUNT 100
        DEL z
        EXISTS z
        SELECT 0
        ZADD a 1 x
        SADD b y
        sorted SCAN 0 TYPE zset
        sorted SCAN 0 TYPE set
        PEXPIRE a 1
        !sleep 20
        ZCARD a
        EXISTS a
        CONFIG SET zset-max-listpack-entries 2
        ZADD big 1 a 2 b 3 c
        OBJECT ENCODING big
        COPY big big2
        OBJECT ENCODING big2
        ZRANGE big2 0 -1 WITHSCORES
        CONFIG SET zset-max-listpack-entries 128
        ZADD big 4 d
        OBJECT ENCODING big
        ZREMRANGEBYRANK big 0 1
        OBJECT ENCODING big
        DEL big big2
        "#,
    );
}

#[test]
fn encoding_thresholds_and_conversion() {
    let members: Vec<String> = (1..=128).map(|i| format!("{i} m{i}")).collect();
    let script = format!(
        r#"
        ZADD big {}
        OBJECT ENCODING big
        ZADD big 129 m129
        OBJECT ENCODING big
        ZREM big m129 m128 m127
        OBJECT ENCODING big
        ZADD v 1 "{}"
        OBJECT ENCODING v
        ZADD w 1 "{}"
        OBJECT ENCODING w
        ZADD w 2 "{}"
        OBJECT ENCODING w
        CONFIG SET zset-max-listpack-entries 3
        ZADD c 1 a 2 b 3 c
        OBJECT ENCODING c
        CONFIG SET zset-max-listpack-entries 1
        ZADD c 9 a
        OBJECT ENCODING c
        ZINCRBY c 1 b
        OBJECT ENCODING c
        ZADD c 10 d
        OBJECT ENCODING c
        CONFIG SET zset-max-listpack-entries 0
        ZADD e 1 a
        OBJECT ENCODING e
        ZADD e XX 2 b
        EXISTS f
        ZADD f XX 1 a
        EXISTS f
        CONFIG SET zset-max-listpack-entries 128
        CONFIG SET zset-max-listpack-value 2
        ZADD g 1 ab
        OBJECT ENCODING g
        ZADD g 1 abc
        OBJECT ENCODING g
        ZADD h 1 abc
        OBJECT ENCODING h
        CONFIG SET zset-max-listpack-value 64
        ZADD k 1 abcdef
        CONFIG SET zset-max-listpack-value 2
        ZADD k 2 abcdef
        OBJECT ENCODING k
        ZINCRBY k 2 abcdef
        ZADD k GT CH 5 abcdef
        OBJECT ENCODING k
        ZADD k 1 x
        OBJECT ENCODING k
        CONFIG SET zset-max-listpack-value 64
        ZUNIONSTORE u 1 h
        OBJECT ENCODING u
        ZADD big 127 m127 128 m128 129 m129
        ZCARD big
        ZRANGESTORE u2 big 0 -1
        OBJECT ENCODING u2
        ZRANGESTORE u3 big 0 127
        OBJECT ENCODING u3
        ZRANGESTORE u4 big 1 -1
        OBJECT ENCODING u4
        ZRANGESTORE u4 big -inf +inf BYSCORE LIMIT 1 128
        OBJECT ENCODING u4
        ZRANGESTORE u4 big +inf -inf BYSCORE REV LIMIT 0 129
        OBJECT ENCODING u4
        ZRANGESTORE u4 big 0 -1 BYSCORE
        EXISTS u4
        ZUNIONSTORE u6 2 big u3
        OBJECT ENCODING u6
        ZDIFFSTORE u7 2 big u3
        OBJECT ENCODING u7
        ZINTERSTORE u5 2 big big
        OBJECT ENCODING u5
        ZREMRANGEBYRANK u5 0 -2
        OBJECT ENCODING u5
        ZRANGE u5 0 -1 WITHSCORES
        "#,
        members.join(" "),
        "x".repeat(64),
        "x".repeat(65),
        "y".repeat(64),
    );
    diff_script("zset_encoding_thresholds", &script);
}

#[test]
fn arity_errors() {
    diff_script(
        "zset_arity",
        r#"
        ZADD z 1
        ZADD z
        ZINCRBY z 1
        ZREM z
        ZCARD
        ZSCORE z
        ZMSCORE z
        ZRANK z
        ZREVRANK z a b
        ZCOUNT z 1
        ZLEXCOUNT z -
        ZRANGE z 0
        ZRANGESTORE d z 0
        ZREVRANGE z 0
        ZRANGEBYSCORE z 0
        ZREVRANGEBYSCORE z 0
        ZRANGEBYLEX z -
        ZREVRANGEBYLEX z +
        ZREMRANGEBYSCORE z 0
        ZREMRANGEBYRANK z 0 1 2
        ZREMRANGEBYLEX z -
        ZPOPMIN
        ZPOPMAX
        ZRANDMEMBER
        ZUNION 1
        ZUNIONSTORE d 1
        ZINTER 1
        ZINTERSTORE d 1
        ZINTERCARD 1
        ZDIFF 1
        ZDIFFSTORE d 1
        ZSCAN z
        "#,
    );
}

/// Our first user's sliding-window rate limiter: drop the requests older than the window, count what is left,
/// record the new request, refresh the TTL; repeated as time moves on.
#[test]
fn sliding_window_rate_limiter() {
    in_both_encodings(
        "zset_rate_limiter",
        r#"
        ZREMRANGEBYSCORE rl:u1 -inf (1000
        ZCARD rl:u1
        ZADD rl:u1 1500 req-1500
        EXPIRE rl:u1 60
        ZREMRANGEBYSCORE rl:u1 -inf (1000
        ZCARD rl:u1
        ZADD rl:u1 1600 req-1600
        EXPIRE rl:u1 60
        ZREMRANGEBYSCORE rl:u1 -inf (1100
        ZCARD rl:u1
        ZADD rl:u1 2100 req-2100
        EXPIRE rl:u1 60
        ZREMRANGEBYSCORE rl:u1 -inf (1550
        ZCARD rl:u1
        ZADD rl:u1 2550 req-2550
        EXPIRE rl:u1 60
        ZRANGE rl:u1 0 -1 WITHSCORES
        OBJECT ENCODING rl:u1
        ZREMRANGEBYSCORE rl:u1 -inf (3101
        ZCARD rl:u1
        EXISTS rl:u1
        ZADD rl:u1 4000 req-4000
        EXPIRE rl:u1 60
        TTL rl:u1
        ZCARD rl:u1
        ZADD rl:u2 1000 req-1000 1001 req-1001 1002 req-1002
        ZREMRANGEBYSCORE rl:u2 -inf (1002
        ZRANGE rl:u2 0 -1 WITHSCORES
        ZCOUNT rl:u2 (1001 +inf
        "#,
    );
}

/// Our first user's leaderboard: scores in, top ten with scores, a member's rank and score, increments.
#[test]
fn leaderboard() {
    in_both_encodings(
        "zset_leaderboard",
        r#"
        ZADD lb 100 alice 250 bob 175 carol 250 dave 90 erin 300 frank 60 grace 175 heidi 10 ivan 500 judy 42 mallory 250 niaj
        ZREVRANGE lb 0 9 WITHSCORES
        ZREVRANK lb alice
        ZREVRANK lb judy
        ZREVRANK lb nobody
        ZSCORE lb alice
        ZSCORE lb nobody
        ZINCRBY lb 5 alice
        ZINCRBY lb 5 newcomer
        ZINCRBY lb 0.5 bob
        ZINCRBY lb -1000 judy
        ZREVRANGE lb 0 9 WITHSCORES
        ZREVRANK lb alice
        ZREVRANK lb bob
        ZRANK lb judy
        ZSCORE lb bob
        ZREVRANGE lb 0 2
        ZRANGE lb 0 2 REV WITHSCORES
        ZREVRANGEBYSCORE lb +inf 200 WITHSCORES LIMIT 0 3
        ZCARD lb
        OBJECT ENCODING lb
        "#,
    );
}

#[test]
fn resp3_reply_shapes() {
    diff_resp3_script(
        "zset_resp3",
        r#"
        ZADD z 1 a 2.5 b -0 c inf d
        ZADD z INCR 1 a
        ZADD z XX INCR 1 missing
        ZINCRBY z 0.1 b
        ZSCORE z b
        ZSCORE z missing
        ZSCORE nokey a
        ZMSCORE z a missing d
        ZMSCORE nokey a
        ZRANK z a
        ZRANK z missing
        ZREVRANK nokey a
        ZRANGE z 0 -1
        ZRANGE z 0 -1 WITHSCORES
        ZRANGE z 0 -1 REV WITHSCORES
        ZRANGE nokey 0 -1 WITHSCORES
        ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2
        ZREVRANGEBYSCORE z +inf -inf WITHSCORES
        ZRANGEBYSCORE z 100 200 WITHSCORES
        ZRANGEBYLEX z - +
        ZREVRANGE z 0 0 WITHSCORES
        ZSCAN z 0
        ZUNION 1 z WITHSCORES
        ZUNION 1 z
        ZINTER 1 z WITHSCORES
        ZDIFF 1 z WITHSCORES
        ZINTERCARD 1 z
        ZRANDMEMBER nokey
        ZRANDMEMBER nokey 2
        ZRANDMEMBER z 10 WITHSCORES
        ZRANDMEMBER z 10
        ~ ZRANDMEMBER z -3 WITHSCORES
        ~ ZRANDMEMBER z 2 WITHSCORES
        ~ ZRANDMEMBER z
        ZPOPMIN nokey
        ZPOPMIN nokey 2
        ZPOPMIN z
        ZPOPMIN z 1
        ZPOPMAX z 0
        ZPOPMAX z 5
        ZADD l 0 a 0 b 0 c
        ZRANGE l - + BYLEX
        ZRANGESTORE d l 0 -1
        CONFIG SET zset-max-listpack-entries 1
        ZADD s 1 a 2 b -0 c
        ZRANGE s 0 -1 WITHSCORES
        ZSCORE s c
        sorted ZSCAN s 0 COUNT 100
        ZPOPMAX s 2
        ZPOPMAX s
        ZRANDMEMBER s 5 WITHSCORES
        "#,
    );
}

/// ZRANDMEMBER's rules on a live embedis, both encodings: a positive count gives distinct members (with their
/// own scores), a negative one repeats, and single draws are uniform: over 10,000 draws on 10 members each member
/// comes up between 800 and 1,200 times.
#[test]
fn zrandmember_distinctness_and_distribution() {
    let server = support::start_embedis();
    let mut conn = Conn::connect(server.addr());
    for (key, size, encoding) in [("small", 10, "listpack"), ("large", 10, "skiplist"), ("wide", 300, "skiplist")] {
        if encoding == "skiplist" {
            conn.cmd(&["CONFIG", "SET", "zset-max-listpack-entries", "4"]);
        }
        let mut args = vec!["ZADD".to_string(), key.to_string()];
        for i in 0..size {
            args.push(i.to_string());
            args.push(format!("m{i}"));
        }
        conn.cmd(&args);
        conn.cmd(&["CONFIG", "SET", "zset-max-listpack-entries", "128"]);
        assert_eq!(support::conn::bulks(&conn.cmd(&["OBJECT", "ENCODING", key])), vec![encoding]);
        for count in [2, 3, size / 3, size / 2, size - 1, size] {
            let got = support::conn::bulks(&conn.cmd(&["ZRANDMEMBER", key, &count.to_string()]));
            assert_eq!(got.len(), count, "{key} {count}");
            assert_eq!(got.iter().collect::<HashSet<_>>().len(), count, "distinct: {key} {count}: {got:?}");
            let pairs = support::conn::bulks(&conn.cmd(&["ZRANDMEMBER", key, &count.to_string(), "WITHSCORES"]));
            assert_eq!(pairs.len(), count * 2);
            for pair in pairs.chunks(2) {
                assert_eq!(pair[1], pair[0][1..], "score of {}", pair[0]);
            }
        }
        let repeated = support::conn::bulks(&conn.cmd(&["ZRANDMEMBER", key, &(-(size as i64) * 3).to_string()]));
        assert_eq!(repeated.len(), size * 3);
        assert!(repeated.iter().collect::<HashSet<_>>().len() < size * 3, "a negative count repeats");
        if size != 10 {
            continue;
        }
        let mut picks: HashMap<String, usize> = HashMap::new();
        for _ in 0..10_000 {
            for m in support::conn::bulks(&conn.cmd(&["ZRANDMEMBER", key])) {
                *picks.entry(m).or_default() += 1;
            }
        }
        assert_eq!(picks.len(), 10, "{key}: {picks:?}");
        assert!(picks.values().all(|&n| (800..=1200).contains(&n)), "{key}: {picks:?}");
    }
}

/// ZSCAN over a skiplist that changes between calls returns every member present for the whole iteration.
#[test]
fn zscan_survives_changes_between_calls() {
    let server = support::start_embedis();
    let mut conn = Conn::connect(server.addr());
    let mut args = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..500 {
        args.push(i.to_string());
        args.push(format!("m{i}"));
    }
    conn.cmd(&args);
    let mut seen = HashSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let reply = support::conn::bulks(&conn.cmd(&["ZSCAN", "z", &cursor, "COUNT", "7"]));
        cursor = reply[0].clone();
        seen.extend(reply[1..].chunks(2).map(|p| p[0].clone()));
        conn.cmd(&["ZADD", "z", "1000", &format!("new{round}")]);
        conn.cmd(&["ZREM", "z", &format!("new{}", round / 2)]);
        round += 1;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..500 {
        assert!(seen.contains(&format!("m{i}")), "m{i} missed");
    }
}

/// ZMPOP: the first key holding a sorted set is popped from; argument errors in Redis's order; events and
/// types as ZPOPMIN/ZPOPMAX; RESP3 shapes.
#[test]
fn zmpop_pops_from_the_first_non_empty_key() {
    in_both_encodings(
        "zset_zmpop",
        r#"
        ZADD z1 1 a 2 b 3 c
        ZADD z2 10 x 20 y
        ZMPOP 1 nokey MIN
        ZMPOP 2 nokey z1 MIN
        ZMPOP 2 nokey z1 MAX COUNT 10
        ZMPOP 2 z1 z2 max COUNT 1
        ZMPOP 2 z1 z2 min count 5
        EXISTS z1 z2
        ZADD z1 1 a
        ZMPOP 0 z1 MIN
        ZMPOP -1 z1 MIN
        ZMPOP x z1 MIN
        ZMPOP 1 z1
        ZMPOP 1 z1 MID
        ZMPOP 2 z1 MIN
        ZMPOP 3 z1 MIN
        ZMPOP 1 z1 MIN COUNT 0
        ZMPOP 1 z1 MIN COUNT -1
        ZMPOP 1 z1 MIN COUNT x
        ZMPOP 1 z1 MIN COUNT
        ZMPOP 1 z1 MIN COUNT 1 COUNT 1
        ZMPOP 1 z1 MIN FOO
        ZMPOP 9223372036854775807 z1 MIN
        ZMPOP 18446744073709551616 z1 MIN
        SET s str
        ZMPOP 2 s z1 MIN
        ZMPOP 2 z1 s MIN
        ZMPOP 2 nokey s MIN
        ZCARD z1
        "#,
    );
    diff_resp3_script(
        "zset_zmpop_resp3",
        r#"
        ZADD z 1 a 2 b 3.5 c
        ZMPOP 1 z MIN
        ZMPOP 1 z MAX COUNT 2
        ZMPOP 1 z MIN
        "#,
    );
}
