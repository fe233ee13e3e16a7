//! Differential scripts for the non-blocking list commands: pushes (and their X forms), pops with and without a
//! count, LLEN, LINDEX, LSET, LRANGE, LTRIM, LREM, LINSERT, LPOS with RANK/COUNT/MAXLEN, LMOVE in its four
//! directions, RPOPLPUSH and LMPOP; every index, count and option form with the exact error replies and the order
//! in which Redis checks them; the node-size and compression settings (and the 7.0 spelling of their names);
//! elements of every kind (integers, empty, binary, longer than a listpack node); lists in transactions, scripts
//! and the generic key commands; RESP3 reply shapes. Many cases are ported from Redis's tests/unit/type/list.tcl.
//!
//! Every list is a `quicklist` in Redis 7.0, whatever its size, but the layout of its nodes (how many elements
//! each holds, which ones are compressed) follows `list-max-listpack-size` and `list-compress-depth`. The main
//! scenarios therefore run three times (`in_each_layout`): with the defaults (8 KB nodes, no compression), with
//! 5-element nodes (the setting Redis's own list tests run under) and with 1-element nodes compressed beyond the
//! first and last. A list replies in its defined order, so every line compares exactly.
//!
//! The keyspace events of the list commands are compared in events_types.rs.

use super::{diff_resp3_script, diff_script};

/// The node layouts each main scenario runs under.
const LAYOUTS: &[(&str, &str)] = &[
    ("default", ""),
    ("nodes_of_5", "CONFIG SET list-max-listpack-size 5"),
    ("nodes_of_1_compressed", "CONFIG SET list-max-listpack-size 1 list-compress-depth 1"),
];

/// Runs `script` once per layout, the CONFIG SET line first.
fn in_each_layout(name: &str, script: &str) {
    for (suffix, setup) in LAYOUTS {
        diff_script(&format!("{name}_{suffix}"), &format!("{setup}\n{script}"));
    }
}

/// A value longer than a default listpack node (8 KB): always a node of its own.
fn huge() -> String {
    "h".repeat(9000)
}

/// A value longer than 64 bytes (stored as a string, never as an integer, in a listpack).
fn long() -> String {
    "l".repeat(100)
}

#[test]
fn pushes_lengths_and_basic_pops() {
    // Redis: "LPUSH, RPUSH, LLENGTH, LINDEX, LPOP", "Variadic RPUSH/LPUSH", "DEL a list", "LPUSHX, RPUSHX".
    let script = format!(
        r#"
        LPUSH l1 aa
        RPUSH l1 bb
        RPUSH l1 cc
        LLEN l1
        LINDEX l1 0
        LINDEX l1 1
        LINDEX l1 2
        LINDEX l1 3
        RPOP l1
        LPOP l1
        OBJECT ENCODING l1
        RPUSH l2 a
        LPUSH l2 b
        LPUSH l2 c
        LRANGE l2 0 -1
        RPOP l2
        LPOP l2
        LPUSH big {huge}
        RPUSH big b
        LPUSH big c
        LLEN big
        STRLEN big
        LINDEX big 1
        LINDEX big -1
        RPOP big
        LPOP big
        LPOP big
        EXISTS big
        LPOP nokey
        RPOP nokey
        LPUSH v a b c d
        RPUSH v 0 1 2 3
        LRANGE v 0 -1
        LPUSH v a a a
        LLEN v
        DEL v
        EXISTS v
        LLEN v
        LPUSHX x a
        LLEN x
        RPUSHX x a b
        EXISTS x
        RPUSH x {long} c
        RPUSHX x d
        LPUSHX x a
        RPUSHX x 42 x
        LPUSHX x y3 y2 y1
        LRANGE x 0 -1
        LLEN x
        LLEN nokey
        RPUSH e ""
        LPUSHX e ""
        LRANGE e 0 -1
        LLEN e
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_pushes", &script);
}

#[test]
fn pops_with_a_count() {
    let script = format!(
        r#"
        RPUSH l a b c d e f g h
        LPOP l 0
        RPOP l 0
        LPOP l 1
        RPOP l 1
        LPOP l 2
        RPOP l 2
        LLEN l
        LPOP l -1
        RPOP l -1
        LPOP l x
        RPOP l 1.5
        LPOP l ""
        LPOP l 9223372036854775808
        LPOP l -9223372036854775808
        LLEN l
        RPOP l 9223372036854775807
        EXISTS l
        LPOP l 0
        RPOP l 0
        LPOP l 1
        LPOP l
        LPOP nokey 0
        RPOP nokey 5
        LPOP nokey -1
        RPOP nokey x
        RPUSH m 1 2 3
        LPOP m 3
        EXISTS m
        RPUSH m 1 2 3
        RPOP m 4
        EXISTS m
        RPUSH m {huge} x {long}
        RPOP m 2
        LPOP m 1
        RPUSH n 1 2 3 4 5 6 7 8 9 10 11 12
        LPOP n 5
        RPOP n 5
        LRANGE n 0 -1
        LPOP n 2 x
        RPOP n 2 3
        LRANGE n 0 -1
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_pops_count", &script);
}

#[test]
fn mass_pops_from_both_ends() {
    // Redis: "Mass RPOP/LPOP": 500 elements pushed at the head, popped alternately from both ends.
    let elements: Vec<String> = (0..500).map(|i| i.to_string()).collect();
    let mut script = format!("LPUSH l {}\n", elements.join(" "));
    for i in 0..250 {
        script += "LPOP l\nRPOP l\n";
        if i % 50 == 0 {
            script += "LLEN l\nLINDEX l 0\nLINDEX l -1\n";
        }
    }
    script += "EXISTS l\n";
    in_each_layout("list_mass_pops", &script);
}

#[test]
fn lindex_and_lrange_indexes() {
    // Redis: "LRANGE basics", "inverted indexes", "out of range indexes including the full list", "out of range
    // negative end index", "LINDEX consistency test".
    let script = format!(
        r#"
        RPUSH l {huge} 1 2 3 4 5 6 7 8 9
        LRANGE l 1 -2
        LRANGE l -3 -1
        LRANGE l 4 4
        LRANGE l 6 2
        LRANGE l -1 -2
        LRANGE l -1000 1000
        LRANGE l 9 9
        LRANGE l 10 10
        LRANGE l 10 5
        LRANGE l -10 -10
        LRANGE l -11 -11
        LRANGE l -11 0
        LRANGE l 0 -10
        LRANGE l 0 -11
        LRANGE l 0 -12
        LRANGE l -9223372036854775808 9223372036854775807
        LRANGE l 9223372036854775807 -9223372036854775808
        LRANGE l -9223372036854775808 -9223372036854775808
        LRANGE l 0 9223372036854775808
        LRANGE l x 1
        LRANGE l 0 1.5
        LRANGE l "" 1
        LRANGE l " 1" 2
        LRANGE l 01 02
        LRANGE l +1 +2
        LRANGE l -0 -0
        LRANGE nokey 0 -1
        LRANGE nokey x 1
        LRANGE nokey 5 1
        LINDEX l 0
        LINDEX l 1
        LINDEX l 9
        LINDEX l 10
        LINDEX l -1
        LINDEX l -10
        LINDEX l -11
        LINDEX l 9223372036854775807
        LINDEX l -9223372036854775808
        LINDEX l 9223372036854775808
        LINDEX l x
        LINDEX l 1.0
        LINDEX l ""
        LINDEX l 0x1
        LINDEX nokey 0
        LINDEX nokey x
        RPUSH small a b c
        LRANGE small 0 -4
        LRANGE small 0 -3
        LRANGE small -4 -3
        LRANGE small 2 100
        LRANGE small 3 100
        "#,
        huge = huge(),
    );
    in_each_layout("list_indexes", &script);
}

#[test]
fn lindex_consistency_from_both_ends() {
    // Redis: "LINDEX consistency test" and "Check if list is still ok after a DEBUG RELOAD", 500 elements.
    let elements: Vec<String> = (0..500).map(|i| i.to_string()).collect();
    let mut script = format!("RPUSH l {}\n", elements.join(" "));
    let mut reads = String::new();
    for i in (0..500).step_by(7).chain([499]) {
        reads += &format!("LINDEX l {i}\nLINDEX l {}\n", -(i as i64) - 1);
    }
    script += &reads;
    script += "LRANGE l 0 -1\nDEBUG RELOAD\nOBJECT ENCODING l\nLLEN l\n";
    script += &reads;
    script += "LRANGE l 0 -1\n";
    in_each_layout("list_lindex_consistency", &script);
}

#[test]
fn lset() {
    // Redis: "LSET", "LSET out of range index", "LSET against non existing key", "LSET against non list value".
    let script = format!(
        r#"
        RPUSH l 99 98 {huge} 96 95
        LSET l 1 foo
        LSET l -1 bar
        LRANGE l 0 1
        LRANGE l 3 -1
        LINDEX l 2
        LSET l 2 small
        LRANGE l 0 -1
        LSET l 0 {huge}
        LSET l -5 first
        LSET l 4 {long}
        LRANGE l 0 -1
        LSET l 5 foo
        LSET l -6 foo
        LSET l 10 foo
        LSET l 9223372036854775807 foo
        LSET l -9223372036854775808 foo
        LSET l x foo
        LSET l 1.5 foo
        LSET l "" foo
        LSET l 0 ""
        LSET l 1 12345
        LSET l 2 -9223372036854775808
        LSET l 3 "\x00\xff"
        LRANGE l 0 -1
        LSET nokey 0 x
        LSET nokey x x
        LSET nokey -1 x
        EXISTS nokey
        SET s v
        LSET s 0 x
        LSET s x x
        LSET l 0
        LSET l 0 a b
        LLEN l
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_lset", &script);
}

#[test]
fn ltrim() {
    // Redis: "LTRIM basics" and "LTRIM out of range negative end index", each case on a fresh list.
    let cases = "0 0, 0 1, 0 2, 1 2, 1 -1, 1 -2, -2 -1, -1 -1, -5 -1, -10 10, 0 5, 0 10, 0 -5, 0 -6, 3 1, 5 10, -1 0, \
        -100 -6, -9223372036854775808 9223372036854775807, 9223372036854775807 -9223372036854775808, 4 4, -5 -5";
    let mut script = String::new();
    for case in cases.split(", ") {
        script += &format!("DEL l\nRPUSH l 1 2 3 4 {}\nLTRIM l {case}\nLRANGE l 0 -1\nEXISTS l\n", huge());
    }
    script += r#"
        RPUSH t a b c
        LTRIM t x 1
        LTRIM t 0 1.5
        LTRIM t 0
        LTRIM t 0 1 2
        LRANGE t 0 -1
        LTRIM nokey 0 1
        LTRIM nokey x 1
        LTRIM nokey 5 1
        EXISTS nokey
        SET s v
        LTRIM s 0 1
        LTRIM s x 1
        EXPIRE t 100
        LTRIM t 1 -1
        TTL t
        LTRIM t 5 -1
        EXISTS t
        TTL t
    "#;
    in_each_layout("list_ltrim", &script);
}

#[test]
fn lrem() {
    // Redis: "LREM remove all the occurrences", "the first occurrence", "non existing element", "starting from tail
    // with negative count", "deleting objects that may be int encoded".
    let script = format!(
        r#"
        RPUSH l {huge} foo bar foobar foobared zap bar test foo
        LREM l 0 bar
        LRANGE l 1 -1
        LREM l 1 foo
        LRANGE l 1 -1
        LREM l 1 nosuchelement
        LRANGE l 1 -1
        LLEN l
        DEL l
        RPUSH l {huge} foo bar foobar foobared zap bar test foo foo
        LREM l -1 bar
        LRANGE l 1 -1
        LREM l -2 foo
        LRANGE l 1 -1
        LREM l -100 {huge}
        LRANGE l 0 -1
        RPUSH ints {huge} 1 2 3
        LREM ints 1 2
        LLEN ints
        LRANGE ints 1 -1
        RPUSH n 1 01 1.0 " 1" 1 10 -1 1
        LREM n 0 1
        LRANGE n 0 -1
        LREM n 0 01
        LREM n 0 1.0
        LRANGE n 0 -1
        RPUSH m a b a c a d a e a
        LREM m 2 a
        LRANGE m 0 -1
        LREM m -2 a
        LRANGE m 0 -1
        LREM m 9223372036854775807 a
        LRANGE m 0 -1
        RPUSH m a b a
        LREM m -9223372036854775808 a
        LRANGE m 0 -1
        RPUSH m a b a
        LREM m 9223372036854775808 a
        LREM m x a
        LREM m 1.5 a
        LREM m "" a
        LRANGE m 0 -1
        LREM m 0 b
        LREM m 0 c
        LREM m 0 d
        LREM m 0 e
        LLEN m
        LREM m 0 a
        EXISTS m
        RPUSH e "" x "" y ""
        LREM e 0 ""
        LRANGE e 0 -1
        LREM nokey 0 a
        LREM nokey x a
        EXISTS nokey
        SET s v
        LREM s 0 a
        LREM s x a
        "#,
        huge = huge(),
    );
    in_each_layout("list_lrem", &script);
}

#[test]
fn linsert() {
    // Redis: "LINSERT", "LINSERT raise error on bad syntax", "LINSERT against non-list value error".
    let script = format!(
        r#"
        RPUSH l a {huge} c d
        LINSERT l before c zz
        LRANGE l 2 10
        LINSERT l after c yy
        LRANGE l 2 10
        LINSERT l after d dd
        LINSERT l after bad ddd
        LRANGE l 2 10
        LINSERT l before a aa
        LINSERT l before bad aaa
        LRANGE l 0 1
        LRANGE l 3 10
        LINSERT l before aa 42
        LRANGE l 0 0
        LINSERT l BEFORE {huge} x
        LINSERT l AFTER {huge} {long}
        LINSERT l aFtEr dd ""
        LINSERT l Before "" "\x00\x01"
        LRANGE l 2 -1
        LLEN l
        RPUSH dup a b a b
        LINSERT dup AFTER a x
        LINSERT dup BEFORE b y
        LRANGE dup 0 -1
        LINSERT dup AFTER 42 x
        RPUSH nums 1 2 3
        LINSERT nums AFTER 2 2.5
        LINSERT nums BEFORE 01 0
        LINSERT nums BEFORE 1 0
        LRANGE nums 0 -1
        LINSERT l aft3r aa 42
        LINSERT l middle aa 42
        LINSERT l "" aa 42
        LINSERT nokey BEFORE a x
        LINSERT nokey AFTER a x
        LINSERT nokey middle a x
        EXISTS nokey
        SET s v
        LINSERT s BEFORE a x
        LINSERT s middle a x
        LINSERT l BEFORE a
        LINSERT l BEFORE a x y
        LLEN l
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_linsert", &script);
}

#[test]
fn lpos() {
    // Redis: "LPOS basic usage", "FIRST (positive and negative rank) option", "COUNT option", "COUNT + FIRST
    // option", "non existing key", "no match", "MAXLEN", "when RANK is greater than matches".
    let script = r#"
        RPUSH l a b c 1 2 3 c c
        LPOS l a
        LPOS l c
        LPOS l 1
        LPOS l 01
        LPOS l x
        LPOS l c RANK 1
        LPOS l c RANK 2
        LPOS l c RANK 3
        LPOS l c RANK 4
        LPOS l c RANK -1
        LPOS l c RANK -2
        LPOS l c RANK -3
        LPOS l c RANK -4
        LPOS l c RANK 9223372036854775807
        LPOS l c RANK -9223372036854775807
        LPOS l c RANK -9223372036854775808
        LPOS l c RANK -9223372036854775808 COUNT 0
        LPOS l c RANK -9223372036854775808 COUNT 2 MAXLEN 2
        LPOS l c RANK -9223372036854775808 MAXLEN 1
        LPOS l c COUNT 0
        LPOS l c COUNT 1
        LPOS l c COUNT 2
        LPOS l c COUNT 100
        LPOS l c COUNT 9223372036854775807
        LPOS l c COUNT 0 RANK 2
        LPOS l c COUNT 2 RANK -1
        LPOS l c COUNT 0 RANK -1
        LPOS l c RANK 4 COUNT 0
        LPOS l c RANK -4 COUNT 2
        LPOS l x COUNT 0
        LPOS l x COUNT 2 RANK -1
        LPOS l x RANK -1
        LPOS nokey c
        LPOS nokey c COUNT 0
        LPOS nokey c COUNT 0 RANK 2
        LPOS l a COUNT 0 MAXLEN 1
        LPOS l c COUNT 0 MAXLEN 1
        LPOS l c COUNT 0 MAXLEN 3
        LPOS l c COUNT 0 MAXLEN 3 RANK -1
        LPOS l c COUNT 0 MAXLEN 7 RANK 2
        LPOS l c COUNT 0 MAXLEN 0
        LPOS l c MAXLEN 2
        LPOS l c MAXLEN 3
        LPOS l c MAXLEN 1 RANK -1
        LPOS l c MAXLEN 1 RANK -2
        LPOS l c MAXLEN 9223372036854775807
        LPOS l c RANK 2 COUNT 0 MAXLEN 3
        LPOS l c RANK -2 COUNT 0 MAXLEN 2
        LPOS l c rank 1 count 0 maxlen 0
        LPOS l c COUNT 1 COUNT 0
        LPOS l c RANK 1 RANK -1
        LPOS l c MAXLEN 1 MAXLEN 0
        RPUSH e "" a ""
        LPOS e ""
        LPOS e "" COUNT 0
        LPOS e "" RANK -1
        "#;
    in_each_layout("list_lpos", script);
}

#[test]
fn lpos_errors_and_their_order() {
    // RANK's parse error is the generic one; COUNT and MAXLEN answer their "can't be negative" text for anything
    // that is not a non-negative integer. Options are parsed (left to right) before the key is looked up.
    diff_script(
        "list_lpos_errors",
        r#"
        RPUSH l a b c
        SET s v
        LPOS l c RANK 0
        LPOS l c COUNT -1
        LPOS l c MAXLEN -1
        LPOS l c RANK x
        LPOS l c RANK 1.5
        LPOS l c RANK 99999999999999999999
        LPOS l c RANK ""
        LPOS l c COUNT x
        LPOS l c COUNT 1.5
        LPOS l c COUNT 99999999999999999999
        LPOS l c COUNT ""
        LPOS l c MAXLEN x
        LPOS l c MAXLEN 99999999999999999999
        LPOS l c MAXLEN -9223372036854775808
        LPOS l c COUNT -9223372036854775808
        LPOS l c RANK 0 COUNT -1
        LPOS l c COUNT -1 RANK 0
        LPOS l c MAXLEN -1 RANK 0
        LPOS l c RANK 1 FOO
        LPOS l c FOO 1
        LPOS l c RANK
        LPOS l c COUNT
        LPOS l c MAXLEN
        LPOS l c COUNT 0 RANK
        LPOS l c FIRST 1
        LPOS nokey c RANK 0
        LPOS nokey c COUNT -1
        LPOS nokey c FOO 1
        LPOS s c
        LPOS s c COUNT 0
        LPOS s c RANK 0
        LPOS s c COUNT -1
        LPOS s c MAXLEN x
        LPOS s c FOO
        LPOS l
        LPOS
        "#,
    );
}

#[test]
fn lmove_and_rpoplpush() {
    // Redis: "RPOPLPUSH base case", "with the same list as src and dst", "with source and existing target",
    // "against non existing key", "against non list src key", "against non list dst key", and the LMOVE variants.
    let script = format!(
        r#"
        RPUSH src a {huge} c d
        RPOPLPUSH src dst
        RPOPLPUSH src dst
        LRANGE src 0 0
        LLEN src
        LRANGE dst 0 -1
        OBJECT ENCODING dst
        DEL src dst
        RPUSH l a {long} c
        RPOPLPUSH l l
        LRANGE l 0 -1
        RPUSH srclist a b c {huge}
        RPUSH dstlist {long}
        RPOPLPUSH srclist dstlist
        RPOPLPUSH srclist dstlist
        LRANGE srclist 0 -1
        LRANGE dstlist 0 0
        LRANGE dstlist 2 -1
        LLEN dstlist
        RPOPLPUSH nosrc nodst
        EXISTS nosrc nodst
        SET str x
        RPOPLPUSH str dstlist
        TYPE str
        RPOPLPUSH srclist str
        TYPE str
        LRANGE srclist 0 -1
        RPOPLPUSH nosrc str
        RPOPLPUSH str nosrc
        RPOPLPUSH str str
        DEL l
        RPUSH l 1 2 3 4
        LMOVE l d LEFT LEFT
        LMOVE l d LEFT RIGHT
        LMOVE l d RIGHT LEFT
        LMOVE l d RIGHT RIGHT
        LRANGE d 0 -1
        EXISTS l
        LMOVE l d LEFT LEFT
        LMOVE d l left right
        LMOVE d l Right Left
        LMOVE d l RIGHT left
        LMOVE d l left LEFT
        LMOVE d l LEFT RIGHT
        LRANGE l 0 -1
        EXISTS d
        LMOVE l l LEFT RIGHT
        LRANGE l 0 -1
        LMOVE l l RIGHT LEFT
        LRANGE l 0 -1
        LMOVE l l LEFT LEFT
        LMOVE l l RIGHT RIGHT
        LRANGE l 0 -1
        RPUSH one x
        LMOVE one one LEFT RIGHT
        LMOVE one one RIGHT LEFT
        RPOPLPUSH one one
        LRANGE one 0 -1
        LMOVE one two RIGHT LEFT
        EXISTS one
        LMOVE two one LEFT RIGHT
        LMOVE two one LEFT RIGHT
        LRANGE one 0 -1
        LMOVE one str LEFT LEFT
        LMOVE str one LEFT LEFT
        LMOVE str str LEFT LEFT
        LMOVE nokey str LEFT LEFT
        LMOVE nokey nokey LEFT LEFT
        LMOVE one str UP DOWN
        LMOVE one one UP LEFT
        LMOVE one one LEFT DOWN
        LMOVE nokey one UP DOWN
        LMOVE str one UP DOWN
        LMOVE one one LEFT
        LMOVE one one LEFT RIGHT x
        RPOPLPUSH one
        RPOPLPUSH one two three
        LRANGE one 0 -1
        RPUSH h {huge}
        LMOVE h h RIGHT LEFT
        LMOVE h big LEFT RIGHT
        STRLEN h
        LINDEX big 0
        LMOVE big h LEFT LEFT
        EXISTS big
        LLEN h
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_lmove", &script);
}

#[test]
fn lmpop() {
    let script = format!(
        r#"
        RPUSH l1 a b c d e
        RPUSH l2 1 2 3
        SET str x
        LMPOP 1 l1 LEFT
        LMPOP 1 l1 RIGHT
        LMPOP 1 l1 LEFT COUNT 2
        LMPOP 1 l1 RIGHT COUNT 10
        EXISTS l1
        LMPOP 2 l1 l2 RIGHT
        LMPOP 2 l1 l2 left count 1
        LMPOP 3 nokey l1 l2 LEFT COUNT 9223372036854775807
        EXISTS l2
        LMPOP 2 l1 l2 LEFT
        LMPOP 1 nokey RIGHT COUNT 3
        RPUSH l1 a b c
        RPUSH l2 x y
        LMPOP 2 l2 l1 LEFT COUNT 3
        LMPOP 2 l2 l1 RIGHT COUNT 1
        LMPOP 2 l1 l1 RIGHT COUNT 1
        LMPOP 2 nokey str LEFT
        LMPOP 2 str l1 LEFT
        LMPOP 2 l1 str LEFT
        LRANGE l1 0 -1
        LMPOP 0 l1 LEFT
        LMPOP -1 l1 LEFT
        LMPOP x l1 LEFT
        LMPOP 1.5 l1 LEFT
        LMPOP 9223372036854775808 l1 LEFT
        LMPOP 3 l1 LEFT
        LMPOP 2 l1 LEFT
        LMPOP 2147483647 l1 LEFT
        LMPOP 9223372036854775807 l1 LEFT
        LMPOP 1 l1 MIDDLE
        LMPOP 1 l1 LEFT COUNT 0
        LMPOP 1 l1 LEFT COUNT -1
        LMPOP 1 l1 LEFT COUNT x
        LMPOP 1 l1 LEFT COUNT 1.5
        LMPOP 1 l1 LEFT COUNT 9223372036854775808
        LMPOP 1 l1 LEFT COUNT 1 COUNT 2
        LMPOP 1 l1 LEFT COUNT
        LMPOP 1 l1 LEFT FOO
        LMPOP 1 l1 LEFT COUNT 1 FOO
        LMPOP 1 str LEFT COUNT 0
        LMPOP 1 nokey LEFT COUNT 0
        LMPOP 1 nokey MIDDLE
        LMPOP 0 nokey MIDDLE
        LMPOP 1 l1
        LMPOP 1
        LMPOP
        LRANGE l1 0 -1
        RPUSH big {huge} {long} ""
        LMPOP 1 big RIGHT COUNT 2
        LMPOP 1 big LEFT
        EXISTS big
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_lmpop", &script);
}

#[test]
fn element_kinds() {
    // Listpack entries store integers in 7/13/16/24/32/64 bits and strings by their length classes (6 bits up to
    // 63 bytes, 12 bits up to 4095, 32 bits above); the quicklist keeps an element over the node size in a node
    // of its own. Each must read back as it was written, whichever encoding it took.
    let s63 = "a".repeat(63);
    let s64 = "b".repeat(64);
    let s4095 = "c".repeat(4095);
    let s4096 = "d".repeat(4096);
    let s9000 = huge();
    let s70000 = "e".repeat(70000);
    let script = format!(
        r#"
        RPUSH ints 0 1 -1 127 128 -128 -129 4095 4096 -4096 -4097 32767 32768 -32768 -32769
        RPUSH ints 8388607 8388608 -8388608 -8388609 2147483647 2147483648 -2147483648 -2147483649
        RPUSH ints 9223372036854775807 -9223372036854775808 9223372036854775808 -9223372036854775809
        RPUSH ints 007 -0 +1 " 1" "1 " 1.0 1e3 0x10 12345678901234567890123
        LRANGE ints 0 -1
        LLEN ints
        LINDEX ints 23
        LINDEX ints -5
        LPOS ints -0
        LPOS ints 0
        LPOS ints 9223372036854775807
        LREM ints 0 007
        LREM ints 0 7
        LLEN ints
        LSET ints 0 -1
        LINSERT ints AFTER -1 -1
        LPOS ints -1 COUNT 0
        RPUSH strs {s63} {s64} {s4095} {s4096} {s9000} {s70000}
        LLEN strs
        LINDEX strs 0
        LINDEX strs 1
        LINDEX strs 2
        LINDEX strs 3
        LINDEX strs 4
        LINDEX strs 5
        LRANGE strs 0 1
        LPOS strs {s4096}
        LPOS strs {s70000}
        LSET strs 4 small
        LSET strs 1 {s70000}
        LRANGE strs 0 2
        LRANGE strs 4 4
        LREM strs 0 {s70000}
        LLEN strs
        RPUSH bin "\x00" "\x00\x00" "\xff\xfe" "a\r\nb" "\r\n" " " "\t" "\x80"
        LRANGE bin 0 -1
        LPOS bin "\x00\x00"
        LPOS bin "\r\n"
        LREM bin 0 "\x00"
        LINSERT bin BEFORE "\xff\xfe" "\x01\x02"
        LRANGE bin 0 -1
        RPUSH empty "" "" ""
        LLEN empty
        LRANGE empty 0 -1
        LINDEX empty 1
        LPOS empty "" COUNT 0
        LSET empty 1 x
        LRANGE empty 0 -1
        OBJECT ENCODING ints
        OBJECT ENCODING strs
        OBJECT ENCODING bin
        OBJECT ENCODING empty
        DEBUG DIGEST-VALUE ints strs bin empty
        "#
    );
    in_each_layout("list_element_kinds", &script);
}

#[test]
fn encoding_and_node_settings() {
    // OBJECT ENCODING is `quicklist` for every list in 7.0; list-max-ziplist-size is an alias of
    // list-max-listpack-size (set either, read both); any int is accepted for the size, and 0 or more for the
    // compression depth.
    diff_script(
        "list_encoding_settings",
        r#"
        RPUSH a x
        OBJECT ENCODING a
        RPUSH b 1 2 3
        OBJECT ENCODING b
        OBJECT ENCODING nokey
        CONFIG GET list-max-listpack-size
        CONFIG GET list-max-ziplist-size
        CONFIG GET list-compress-depth
        sorted CONFIG GET list-*
        sorted CONFIG GET list-max-*
        sorted CONFIG GET list-max-listpack-size list-max-ziplist-size list-compress-depth
        CONFIG SET list-max-listpack-size 5
        CONFIG GET list-max-ziplist-size
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-ziplist-size -1
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-listpack-size -5
        CONFIG GET list-max-ziplist-size
        CONFIG SET list-max-listpack-size -6
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-listpack-size 0
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-listpack-size 65536
        CONFIG SET list-max-listpack-size 2147483647
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-listpack-size -2147483648
        CONFIG GET list-max-ziplist-size
        CONFIG SET list-max-listpack-size 2147483648
        CONFIG SET list-max-listpack-size -2147483649
        CONFIG SET list-max-listpack-size x
        CONFIG SET list-max-listpack-size 1.5
        CONFIG SET list-max-listpack-size ""
        CONFIG SET list-max-ziplist-size x
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-listpack-size -2 list-max-ziplist-size 3
        CONFIG GET list-max-listpack-size
        CONFIG SET list-max-ziplist-size 4 list-max-listpack-size 7
        CONFIG GET list-max-ziplist-size
        CONFIG SET list-compress-depth 0
        CONFIG SET list-compress-depth 2147483647
        CONFIG GET list-compress-depth
        CONFIG SET list-compress-depth -1
        CONFIG SET list-compress-depth 2147483648
        CONFIG SET list-compress-depth x
        CONFIG GET list-compress-depth
        CONFIG SET list-compress-depth 1 list-max-listpack-size 1
        RPUSH c 1 2 3 4 5
        OBJECT ENCODING c
        LRANGE c 0 -1
        CONFIG SET list-max-listpack-size -2147483648 list-compress-depth 0
        RPUSH d 1 2 3 4 5
        LRANGE d 0 -1
        OBJECT ENCODING d
        CONFIG SET list-max-listpack-size 0
        RPUSH e 1 2 3 4 5
        LINSERT e AFTER 3 x
        LRANGE e 0 -1
        CONFIG SET list-max-listpack-size 2147483647
        RPUSH f 1 2 3 4 5
        LRANGE f 0 -1
        CONFIG SET list-max-listpack-size -2
        DEBUG RELOAD
        OBJECT ENCODING a
        LRANGE c 0 -1
        LRANGE e 0 -1
        "#,
    );
}

/// Lists of 10,000 elements under each node size and compression depth: slices, reads from both ends, writes in
/// the middle (LSET, LINSERT, LREM), and trims, read back whole after each.
#[test]
fn large_lists_with_compression() {
    let elements: Vec<String> = (0..10_000).map(|i| format!("element-{i}")).collect();
    let numbers: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let body = format!(
        r#"
        RPUSH l {elements}
        LPUSH n {numbers}
        LLEN l
        OBJECT ENCODING l
        LINDEX l 0
        LINDEX l 1
        LINDEX l 4999
        LINDEX l 5000
        LINDEX l 9999
        LINDEX l -1
        LINDEX l -2
        LINDEX l -5000
        LINDEX l -10000
        LINDEX l 10000
        LINDEX l -10001
        LRANGE l 0 9
        LRANGE l -10 -1
        LRANGE l 4990 5010
        LRANGE l 1234 1300
        LRANGE l -3000 -2990
        LRANGE l 9990 20000
        LINDEX n 0
        LINDEX n 5000
        LINDEX n -1
        LRANGE n 7000 7010
        LSET l 5000 middle
        LSET l 1 second
        LSET l -2 penultimate
        LSET l 7777 {long}
        LINDEX l 5000
        LRANGE l 4998 5002
        LRANGE l 7776 7778
        LINSERT l BEFORE element-2500 inserted
        LINSERT l AFTER element-9990 inserted2
        LRANGE l 2498 2502
        LLEN l
        LREM l 0 inserted
        LREM l -1 inserted2
        LPOS l element-6000
        LPOS l element-6000 RANK -1
        LPOS l middle COUNT 0
        LPOS l element-9999 MAXLEN 100
        LPOS l element-0 RANK -1 MAXLEN 100
        LPOS l element-0 RANK -1 MAXLEN 10000
        LPOP l 3
        RPOP l 3
        LMOVE l n RIGHT LEFT
        LMOVE n l LEFT RIGHT
        LINDEX l -1
        LRANGE l 0 -1
        LTRIM l 100 -100
        LLEN l
        LRANGE l 0 4
        LRANGE l -5 -1
        LTRIM n 5000 5009
        LRANGE n 0 -1
        DEBUG DIGEST-VALUE l n
        DEBUG RELOAD
        DEBUG DIGEST-VALUE l n
        LRANGE l 4000 4010
        LINDEX l 5000
        "#,
        elements = elements.join(" "),
        numbers = numbers.join(" "),
        long = long(),
    );
    for (name, setup) in [
        ("default_depth_1", "CONFIG SET list-compress-depth 1"),
        ("nodes_of_5_depth_2", "CONFIG SET list-max-listpack-size 5 list-compress-depth 2"),
        ("nodes_of_128_depth_3", "CONFIG SET list-max-listpack-size 128 list-compress-depth 3"),
        ("nodes_of_1kb_depth_1", "CONFIG SET list-max-listpack-size -1 list-compress-depth 1"),
        ("nodes_of_64kb_depth_8", "CONFIG SET list-max-listpack-size -5 list-compress-depth 8"),
    ] {
        diff_script(&format!("list_large_{name}"), &format!("{setup}\n{body}"));
    }
}

#[test]
fn wrong_type_both_ways() {
    diff_script(
        "list_wrongtype",
        r#"
        SET s x
        LPUSH s a
        RPUSH s a
        LPUSHX s a
        RPUSHX s a
        LPOP s
        RPOP s
        LPOP s 0
        RPOP s 2
        LLEN s
        LINDEX s 0
        LINDEX s x
        LSET s 0 a
        LSET s x a
        LRANGE s 0 -1
        LRANGE s x 1
        LTRIM s 0 1
        LTRIM s x 1
        LREM s 0 a
        LREM s x a
        LINSERT s BEFORE a b
        LINSERT s middle a b
        LPOS s a
        LPOS s a RANK 0
        LMOVE s d LEFT LEFT
        LMOVE s d UP LEFT
        RPOPLPUSH s d
        LMPOP 1 s LEFT
        LMPOP 1 s LEFT COUNT 0
        EXISTS d
        GET s
        HSET h f v
        SADD set m
        ZADD z 1 m
        LPUSH h a
        LRANGE set 0 -1
        LLEN z
        RPUSH l a b
        GET l
        SET l x GET
        GETSET l x
        GETDEL l
        GETEX l
        GETRANGE l 0 1
        STRLEN l
        APPEND l x
        INCR l
        DECRBY l 1
        INCRBYFLOAT l 1
        SETRANGE l 0 x
        SETNX l x
        MGET l s
        HSET l f v
        SADD l m
        ZADD l 1 m
        SMEMBERS l
        ZRANGE l 0 -1
        HGETALL l
        LRANGE l 0 -1
        SET l x
        TYPE l
        GET l
        "#,
    );
}

#[test]
fn arity_errors() {
    diff_script(
        "list_arity",
        r#"
        LPUSH
        LPUSH l
        RPUSH l
        LPUSHX l
        RPUSHX
        LPOP
        RPOP
        LPOP l 1 2
        RPOP l 1 2
        LLEN
        LLEN l x
        LINDEX l
        LINDEX l 0 1
        LSET l 0
        LSET l 0 a b
        LRANGE l 0
        LRANGE l 0 1 2
        LTRIM l 0
        LTRIM l 0 1 2
        LREM l 0
        LREM l 0 a b
        LINSERT l BEFORE a
        LINSERT l BEFORE a b c
        LPOS l
        LMOVE l d LEFT
        LMOVE l d LEFT RIGHT x
        RPOPLPUSH l
        RPOPLPUSH l d x
        LMPOP
        LMPOP 1
        LMPOP 1 l
        lpush
        LpUsH l a
        LRANGE l 0 -1
        EXISTS l d
        "#,
    );
}

#[test]
fn resp3_reply_shapes() {
    diff_resp3_script(
        "list_resp3",
        r#"
        RPUSH l a b c 1 2 3 c c
        LPOS l c
        LPOS l c COUNT 0
        LPOS l c COUNT 2 RANK -1
        LPOS l c COUNT 0 RANK 5
        LPOS l c RANK 5
        LPOS l c COUNT 0 MAXLEN 3
        LPOP l 0
        LPOP l 1
        RPOP l 2
        LPOP nokey 0
        LPOP nokey 2
        RPOP nokey
        LPOP l
        LLEN l
        LINDEX l 0
        LINDEX l 100
        LINDEX nokey 0
        LRANGE l 0 -1
        LRANGE nokey 0 -1
        LRANGE l 5 1
        LPOS l c
        LPOS l x
        LPOS nokey c
        LPOS l c COUNT 0
        LPOS l c COUNT 2 RANK -1
        LPOS l x COUNT 0
        LPOS nokey c COUNT 0
        LMPOP 2 nokey l LEFT
        LMPOP 1 l RIGHT COUNT 2
        LMPOP 1 nokey LEFT
        LMPOP 1 nokey LEFT COUNT 3
        LMOVE l l LEFT RIGHT
        LMOVE nokey l LEFT RIGHT
        RPOPLPUSH nokey l
        RPOPLPUSH l l
        LINSERT l BEFORE nope x
        LINSERT nokey BEFORE nope x
        LSET l 0 x
        LSET l 100 x
        LTRIM l 0 0
        LREM l 0 x
        EXISTS l
        LPOS l c RANK 0
        LMPOP 0 l LEFT
        "#,
    );
}

#[test]
fn transactions_and_watch() {
    // Redis (multi.tcl, list.tcl): a watched key touched by a list write aborts EXEC; lists inside MULTI/EXEC,
    // including errors queued and errors at run time.
    diff_script(
        "list_transactions",
        r#"
        RPUSH w a b
        WATCH w
        LPUSH w c
        MULTI
        LRANGE w 0 -1
        EXEC
        WATCH w
        LPOP w
        MULTI
        LLEN w
        EXEC
        WATCH w
        RPUSHX w z
        MULTI
        LLEN w
        EXEC
        WATCH w
        RPUSHX nokey z
        LPUSHX w2 z
        LPOP nokey
        LRANGE w 0 -1
        MULTI
        LLEN w
        EXEC
        WATCH w
        LPOS w a
        LINSERT w BEFORE nope x
        LREM w 0 nope
        LTRIM w 0 -1
        MULTI
        LLEN w
        EXEC
        WATCH w
        LSET w 0 same
        MULTI
        LLEN w
        EXEC
        WATCH w
        LREM w 1 same
        MULTI
        LLEN w
        EXEC
        WATCH w
        LMOVE w w LEFT LEFT
        MULTI
        LLEN w
        EXEC
        WATCH w
        LPOP w 0
        MULTI
        LLEN w
        EXEC
        RPUSH src x
        WATCH dst
        RPOPLPUSH src dst
        MULTI
        LRANGE dst 0 -1
        EXEC
        WATCH src
        LMPOP 1 src LEFT
        MULTI
        EXISTS src
        EXEC
        WATCH gone
        RPUSH gone a
        LTRIM gone 1 0
        MULTI
        EXISTS gone
        EXEC
        DEL x t
        RPUSH x foo bar
        MULTI
        LPUSH t 1
        LPUSH t 2 3
        RPOPLPUSH x t
        LMOVE x t LEFT RIGHT
        RPOPLPUSH x t
        LRANGE x 0 -1
        LRANGE t 0 -1
        LPOP t 2
        LMPOP 2 x t RIGHT COUNT 10
        EXISTS t
        EXEC
        SET s v
        MULTI
        RPUSH l a
        LPUSH s a
        LSET l 5 x
        LSET nokey 0 x
        LPOS l a RANK 0
        RPUSH l b
        LRANGE l 0 -1
        EXEC
        MULTI
        RPUSH l c
        LPUSH l
        LRANGE l 0 -1
        EXEC
        LRANGE l 0 -1
        MULTI
        LMPOP 0 l LEFT
        RPUSH l d
        EXEC
        LRANGE l 0 -1
        "#,
    );
}

#[test]
fn lists_in_scripts() {
    // Lua sees list replies as tables, nil as false, an empty array as an empty table; errors raised by
    // redis.call abort the script, redis.pcall returns them.
    diff_script(
        "list_scripts",
        r#"
        EVAL "return redis.call('LPUSH', KEYS[1], 'a', 'b', 'c')" 1 l
        EVAL "return redis.call('RPUSH', KEYS[1], unpack(ARGV))" 1 l x y z
        EVAL "return redis.call('LRANGE', KEYS[1], 0, -1)" 1 l
        EVAL "return redis.call('LLEN', KEYS[1])" 1 l
        EVAL "return redis.call('LPOP', KEYS[1])" 1 l
        EVAL "return redis.call('RPOP', KEYS[1], 2)" 1 l
        EVAL "return redis.call('LPOP', KEYS[1], 0)" 1 l
        EVAL "return redis.call('LPOP', KEYS[1]) == false" 1 nokey
        EVAL "return type(redis.call('LPOP', KEYS[1], 2))" 1 nokey
        EVAL "return #redis.call('LPOP', KEYS[1], 0)" 1 l
        EVAL "return redis.call('LINDEX', KEYS[1], 100)" 1 l
        EVAL "return redis.call('LPOS', KEYS[1], 'x', 'COUNT', 0)" 1 l
        EVAL "return redis.call('LPOS', KEYS[1], 'nope')" 1 l
        EVAL "return redis.call('LINSERT', KEYS[1], 'BEFORE', 'nope', 'q')" 1 l
        EVAL "return redis.call('LSET', KEYS[1], 0, 'first')" 1 l
        EVAL "return redis.call('LSET', KEYS[1], 100, 'x')" 1 l
        EVAL "return redis.pcall('LSET', KEYS[1], 100, 'x')" 1 l
        EVAL "return redis.pcall('LSET', KEYS[1], 0, 'x')['err']" 1 nokey
        EVAL "return redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')" 2 l l2
        EVAL "return redis.call('RPOPLPUSH', KEYS[1], KEYS[2])" 2 l l2
        EVAL "return redis.call('LMPOP', 2, KEYS[1], KEYS[2], 'LEFT', 'COUNT', 5)" 2 nokey l2
        EVAL "return redis.call('LMPOP', 1, KEYS[1], 'LEFT')" 1 nokey
        EVAL "return redis.pcall('LPOS', KEYS[1], 'a', 'RANK', 0)" 1 l
        EVAL "return redis.pcall('LPUSH', KEYS[1])" 1 l
        EVAL "redis.call('SET', KEYS[1], 'v') return redis.pcall('LPUSH', KEYS[1], 'a')" 1 s
        EVAL "redis.call('RPUSH', KEYS[1], 'a') redis.call('LPUSH', KEYS[1], 'b') return redis.call('LRANGE', KEYS[1], 0, -1)" 1 t
        EVAL "for i = 1, 100 do redis.call('RPUSH', KEYS[1], i) end return redis.call('LLEN', KEYS[1])" 1 n
        EVAL "local s = 0 for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do s = s + tonumber(v) end return s" 1 n
        EVAL "redis.call('LTRIM', KEYS[1], 1, 0) return redis.call('EXISTS', KEYS[1])" 1 n
        EVAL_RO "return redis.call('LRANGE', KEYS[1], 0, -1)" 1 l
        EVAL_RO "return redis.call('LPUSH', KEYS[1], 'x')" 1 l
        EVAL "redis.setresp(3) return redis.call('LPOP', KEYS[1], 0)" 1 nokey
        EVAL "redis.setresp(3) return redis.call('LPOS', KEYS[1], 'first', 'COUNT', 0)" 1 l
        LRANGE l 0 -1
        LRANGE l2 0 -1
        "#,
    );
}

#[test]
fn keyspace_commands_on_lists() {
    // TYPE, COPY (a deep copy), RENAME, MOVE, SCAN's TYPE filter, expiry kept by list writes, DUMP+RESTORE of a
    // list's own payload (inside a script, where the payload can be passed on), and DEBUG DIGEST-VALUE, which is
    // a function of the elements alone.
    let script = format!(
        r#"
        RPUSH l a b c 1 2 3 {long}
        TYPE l
        OBJECT ENCODING l
        COPY l l2
        LRANGE l2 0 -1
        OBJECT ENCODING l2
        RPUSH l2 d
        LLEN l
        LLEN l2
        COPY l l2
        COPY l l2 REPLACE
        LRANGE l2 0 -1
        DEBUG DIGEST-VALUE l l2
        RENAME l2 l3
        LRANGE l3 0 -1
        EXISTS l2
        RENAME l3 l3
        RENAMENX l3 l
        MOVE l3 1
        EXISTS l3
        SELECT 1
        LRANGE l3 0 -1
        TYPE l3
        SELECT 0
        COPY l l4 DB 2
        SELECT 2
        LRANGE l4 0 -1
        SELECT 0
        SET s x
        SADD set m
        RPUSH l5 x
        sorted SCAN 0 TYPE list
        sorted SCAN 0 TYPE LIST COUNT 100
        sorted SCAN 0 TYPE list MATCH l*
        SCAN 0 TYPE list MATCH nomatch
        EXPIRE l 100
        TTL l
        RPUSH l x
        LPOP l
        LSET l 0 z
        LINSERT l AFTER z y
        TTL l
        LTRIM l 1 0
        EXISTS l
        TTL l
        RPUSH l a
        TTL l
        RPUSH e1 x
        PEXPIRE e1 1
        !sleep 20
        LLEN e1
        LRANGE e1 0 -1
        RPUSHX e1 y
        EXISTS e1
        EVAL "local d = redis.call('DUMP', KEYS[1]) redis.call('RESTORE', KEYS[2], 0, d) return redis.call('LRANGE', KEYS[2], 0, -1)" 2 l5 r1
        RPUSH big {huge} {long} "" 12345 -1 "\x00\xff"
        EVAL "local d = redis.call('DUMP', KEYS[1]) redis.call('RESTORE', KEYS[2], 0, d) return redis.call('LRANGE', KEYS[2], 0, -1)" 2 big r2
        DEBUG DIGEST-VALUE big r2
        OBJECT ENCODING r2
        EVAL "local d = redis.call('DUMP', KEYS[1]) return redis.pcall('RESTORE', KEYS[1], 0, d)" 1 big
        EVAL "local d = redis.call('DUMP', KEYS[1]) redis.call('RESTORE', KEYS[1], 0, d, 'REPLACE') return redis.call('LLEN', KEYS[1])" 1 big
        EVAL "local d = redis.call('DUMP', KEYS[1]) redis.call('DEL', KEYS[1]) redis.call('RESTORE', KEYS[1], 100000, d) return redis.call('LINDEX', KEYS[1], -1)" 1 big
        ~ PTTL big
        DEBUG DIGEST-VALUE big r2
        DEBUG DIGEST-VALUE l l5 nokey s
        DEL big r1 r2
        EXISTS big r1 r2
        "#,
        huge = huge(),
        long = long(),
    );
    in_each_layout("list_keyspace", &script);
}

/// DUMP payloads byte for byte where Redis's node layout follows from the pushes alone: a list pushed in one
/// command that fits one default node (the listpack encodes each element as an integer or a string of its
/// length class), and a list pushed at the tail under a node size counted in elements. Layouts that depend on
/// the history of edits, or compressed nodes, are checked by their RESTORE round trip instead (above).
#[test]
fn dump_payloads_of_simple_lists() {
    diff_script(
        "list_dump",
        r#"
        RPUSH small a
        DUMP small
        RPUSH kinds a 1 "" -1 127 128 -4096 4095 32767 -32768 8388607 2147483647 9223372036854775807 12345678901234567890
        DUMP kinds
        RPUSH strs aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "\x00\xff"
        DUMP strs
        LPUSH head 1 2 3
        DUMP head
        CONFIG SET list-max-listpack-size 3
        RPUSH nodes 1 2 3 4 5 6 7
        DUMP nodes
        RPUSH nodes 8 9
        DUMP nodes
        CONFIG SET list-max-listpack-size -2
        DUMP nokey
        "#,
    );
}
