//! Differential scripts for the hash commands: field reads and writes, both encodings and the exact points where
//! a listpack becomes a hashtable, the counters and their errors, HRANDFIELD's cases, HSCAN, wrong types both
//! ways, generic key commands on hashes, and RESP3 reply shapes.
//!
//! A listpack replies in insertion order in both servers, so its lines are compared exactly; hashtable order is
//! unspecified in Redis (its dict is seeded randomly), so those lines are compared `sorted`.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn};
use std::collections::{HashMap, HashSet};

/// `HSET key f1 v1 ... fN vN` (fields `f1..=fN`, values `v1..=vN`) as a script line.
fn hset_fields(key: &str, n: usize) -> String {
    let pairs: Vec<String> = (1..=n).map(|i| format!("f{i} v{i}")).collect();
    format!("HSET {key} {}", pairs.join(" "))
}

#[test]
fn field_reads_and_writes() {
    diff_script(
        "hash_fields",
        r#"
        HSET h a 1
        HSET h b 2 c 3
        HSET h a 10 d 4
        HSET h a 10 a 11 a 12
        HGET h a
        HGET h missing
        HGET missing a
        HMGET h a b missing c
        HMGET missing a b
        HLEN h
        HLEN missing
        HEXISTS h a
        HEXISTS h 10
        HEXISTS missing a
        HSTRLEN h a
        HSTRLEN h missing
        HSTRLEN missing a
        HGETALL h
        HKEYS h
        HVALS h
        HGETALL missing
        HKEYS missing
        HVALS missing
        HMSET h e 5 f 6
        HMSET h2 x 1
        HGETALL h2
        HSETNX h a nope
        HSETNX h g 7
        HSETNX fresh f v
        HGETALL fresh
        HGET h a
        HGET h g
        HDEL h a missing b
        HDEL h a
        HDEL missing a
        HGETALL h
        HDEL h c d e f g
        EXISTS h
        HSET h "" ""
        HGET h ""
        HSTRLEN h ""
        HSET bin "\x00\xff" "a\r\nb" k "\x00"
        HGETALL bin
        HSTRLEN bin k
        HSET n 12345 -6 "007" "1.5"
        HGETALL n
        HSTRLEN n 12345
        OBJECT ENCODING n
        "#,
    );
}

#[test]
fn arity_errors() {
    diff_script(
        "hash_arity",
        r#"
        HSET h
        HSET h a
        HSET h a 1 b
        HMSET h a
        HMSET h a 1 b
        HSETNX h a
        HSETNX h a 1 2
        HGET h
        HGET h a b
        HMGET h
        HGETALL
        HGETALL h x
        HKEYS
        HVALS h x
        HDEL h
        HLEN
        HLEN h x
        HEXISTS h
        HSTRLEN h
        HINCRBY h a
        HINCRBYFLOAT h a
        HRANDFIELD
        HSCAN h
        SET s x
        HSET s a
        EXISTS h
        "#,
    );
}

#[test]
fn listpack_boundaries_by_length() {
    let at = "x".repeat(64);
    let over = "x".repeat(65);
    diff_script(
        "hash_value_length",
        &format!(
            r#"
            HSET a f {at}
            OBJECT ENCODING a
            HSET a f {over}
            OBJECT ENCODING a
            HSET b {at} v
            OBJECT ENCODING b
            HSET c {over} v
            OBJECT ENCODING c
            HSET d f v
            HSET d f2 v f3 {over}
            OBJECT ENCODING d
            HSET e f v
            HSETNX e f {over}
            OBJECT ENCODING e
            HSETNX e g {over}
            OBJECT ENCODING e
            HINCRBY g {over} 1
            OBJECT ENCODING g
            HINCRBY g2 {at} 1
            OBJECT ENCODING g2
            HINCRBYFLOAT i {over} 1.5
            OBJECT ENCODING i
            HINCRBYFLOAT j f 1e60
            OBJECT ENCODING j
            HINCRBYFLOAT j f 1e70
            OBJECT ENCODING j
            HGET j f
            HSET k f v
            HDEL k f
            HSET k f {over}
            HDEL k f
            EXISTS k
            HSET l {over} 1 x 2
            HDEL l {over}
            OBJECT ENCODING l
            HGETALL l
            CONFIG SET hash-max-listpack-value 4
            HSET m abcd abcd
            OBJECT ENCODING m
            HSET m abcde 1
            OBJECT ENCODING m
            HSET n a 12345
            OBJECT ENCODING n
            CONFIG SET hash-max-listpack-value 0
            HSET o "" ""
            OBJECT ENCODING o
            HSET o a ""
            OBJECT ENCODING o
            "#
        ),
    );
}

#[test]
fn listpack_boundaries_by_count() {
    let full = hset_fields("big", 512);
    let over = hset_fields("big2", 513);
    diff_script(
        "hash_entries",
        &format!(
            r#"
            {full}
            OBJECT ENCODING big
            HLEN big
            HSET big f512 again
            OBJECT ENCODING big
            HSET big f513 v
            OBJECT ENCODING big
            HDEL big f1 f2 f3 f513
            OBJECT ENCODING big
            HLEN big
            {over}
            OBJECT ENCODING big2
            HGET big2 f513
            CONFIG SET hash-max-listpack-entries 2
            HSET dup a 1 a 2 a 3
            OBJECT ENCODING dup
            HSET two a 1 b 2
            OBJECT ENCODING two
            HSET two b 3
            OBJECT ENCODING two
            HSETNX two a 1
            OBJECT ENCODING two
            HSETNX two c 1
            OBJECT ENCODING two
            HINCRBY three a 1
            HINCRBY three b 1
            OBJECT ENCODING three
            HINCRBYFLOAT three c 1
            OBJECT ENCODING three
            HDEL two a b
            OBJECT ENCODING two
            CONFIG SET hash-max-listpack-entries 0
            HSET zero a 1
            OBJECT ENCODING zero
            "#
        ),
    );
}

#[test]
fn hashtable_encoding_commands() {
    diff_script(
        "hash_table",
        r#"
        CONFIG SET hash-max-listpack-entries 2
        HSET h a 1 b 2 c 3
        OBJECT ENCODING h
        HSET h a 10 d 4
        HGET h a
        HMGET h a b missing
        HLEN h
        HEXISTS h c
        HEXISTS h z
        HSTRLEN h a
        sorted HGETALL h
        sorted HKEYS h
        sorted HVALS h
        HSETNX h a x
        HSETNX h e 5
        HMSET h f 6
        HINCRBY h a 5
        HINCRBYFLOAT h b 0.5
        HINCRBY h b 1
        sorted HGETALL h
        HDEL h a b missing
        HLEN h
        HDEL h c d e f
        EXISTS h
        HSET h2 "" "" "\x00" "\xff"
        sorted HGETALL h2
        "#,
    );
}

#[test]
fn hincrby_counters() {
    diff_script(
        "hash_hincrby",
        r#"
        HINCRBY h n 5
        HINCRBY h n -10
        HINCRBY h n 0
        HGET h n
        HSET h s abc big 9223372036854775807 small -9223372036854775808 sp " 1" lead 01
        HINCRBY h s 1
        HINCRBY h big 1
        HINCRBY h big 0
        HINCRBY h small -1
        HINCRBY h small 1
        HINCRBY h sp 1
        HINCRBY h lead 1
        HINCRBY h n abc
        HINCRBY h n 1.5
        HINCRBY h n ""
        HINCRBY h n 9223372036854775808
        HINCRBY missing n abc
        EXISTS missing
        HINCRBY fresh n -9223372036854775808
        HGETALL h
        HSET h e ""
        HINCRBY h e 1
        "#,
    );
}

#[test]
fn hincrbyfloat_counters() {
    diff_script(
        "hash_hincrbyfloat",
        r#"
        HINCRBYFLOAT h f 1.5
        HINCRBYFLOAT h f 1.5
        HINCRBYFLOAT h f -3
        HINCRBYFLOAT h f 0.1
        HINCRBYFLOAT h f 0.2
        HINCRBYFLOAT h g 1e-20
        HINCRBYFLOAT h g -1e-20
        HINCRBYFLOAT h i 10
        HINCRBYFLOAT h i 1e3
        HINCRBYFLOAT h i 0x10
        HINCRBYFLOAT h i -0.0
        HINCRBYFLOAT h big 1e400
        HINCRBYFLOAT h big 1.5
        HINCRBYFLOAT h int 3
        HINCRBY h int 2
        HINCRBYFLOAT h f inf
        HINCRBYFLOAT h f -inf
        HINCRBYFLOAT h f nan
        HINCRBYFLOAT h f abc
        HINCRBYFLOAT h f ""
        HINCRBYFLOAT h f " 1"
        HINCRBYFLOAT h f "1 "
        HINCRBYFLOAT h f 1e5000
        HSET h s abc inf inf sp " 1"
        HINCRBYFLOAT h s 1
        HINCRBYFLOAT h inf 1
        HINCRBYFLOAT h sp 1
        HINCRBY h f 1
        HINCRBYFLOAT missing f abc
        EXISTS missing
        sorted HGETALL h
        OBJECT ENCODING h
        "#,
    );
}

#[test]
fn hrandfield_errors_and_deterministic_cases() {
    diff_script(
        "hash_hrandfield",
        r#"
        HSET h a 1 b 2 c 3
        HRANDFIELD h 0
        HRANDFIELD h 0 WITHVALUES
        HRANDFIELD h 3
        HRANDFIELD h 3 withvalues
        HRANDFIELD h 100
        HRANDFIELD h 100 WITHVALUES
        HRANDFIELD h 9223372036854775807
        HRANDFIELD h 4611686018427387903 WITHVALUES
        HRANDFIELD h 4611686018427387904 WITHVALUES
        HRANDFIELD h -4611686018427387904 WITHVALUES
        HRANDFIELD h -9223372036854775808
        HRANDFIELD h 9223372036854775808
        HRANDFIELD h x
        HRANDFIELD h 1.5
        HRANDFIELD h 1 withvalue
        HRANDFIELD h 1 WITHVALUES x
        HRANDFIELD h x WITHVALUES
        HRANDFIELD missing
        HRANDFIELD missing 5
        HRANDFIELD missing -5 WITHVALUES
        HRANDFIELD missing 0
        HRANDFIELD missing 1 x
        ~ HRANDFIELD h
        ~ HRANDFIELD h 1
        ~ HRANDFIELD h 1 WITHVALUES
        ~ HRANDFIELD h 2
        ~ HRANDFIELD h 2 WITHVALUES
        ~ HRANDFIELD h -1
        ~ HRANDFIELD h -10
        ~ HRANDFIELD h -10 WITHVALUES
        HSET one only v
        HRANDFIELD one
        HRANDFIELD one -3
        HRANDFIELD one -2 WITHVALUES
        HRANDFIELD one 1 WITHVALUES
        SET s x
        HRANDFIELD s
        HRANDFIELD s 0
        HRANDFIELD s -5
        HRANDFIELD s x
        CONFIG SET hash-max-listpack-entries 2
        HSET t a 1 b 2 c 3 d 4
        OBJECT ENCODING t
        sorted HRANDFIELD t 4
        sorted HRANDFIELD t 10 WITHVALUES
        ~ HRANDFIELD t
        ~ HRANDFIELD t 3
        ~ HRANDFIELD t 1
        ~ HRANDFIELD t 3 WITHVALUES
        ~ HRANDFIELD t -7 WITHVALUES
        HRANDFIELD t 0
        "#,
    );
}

#[test]
fn hscan_both_encodings() {
    diff_script(
        "hash_hscan",
        r#"
        HSET h a 1 b 2 c 3 ab 4
        HSCAN h 0
        HSCAN h 5
        HSCAN h 0 COUNT 1
        HSCAN h 0 MATCH a*
        HSCAN h 0 match "*"
        HSCAN h 0 MATCH x* COUNT 100
        HSCAN h 0 COUNT 1 MATCH b MATCH a
        HSCAN h -1
        HSCAN h 18446744073709551615
        HSCAN h 18446744073709551616
        HSCAN h x
        HSCAN h 1.5
        HSCAN h 0 COUNT 0
        HSCAN h 0 COUNT -1
        HSCAN h 0 COUNT x
        HSCAN h 0 COUNT
        HSCAN h 0 MATCH
        HSCAN h 0 TYPE hash
        HSCAN h 0 FOO bar
        HSCAN missing 0
        HSCAN missing 0 COUNT 0
        HSCAN missing x
        SET s x
        HSCAN s 0
        HSCAN s 0 COUNT 0
        HSCAN s x
        CONFIG SET hash-max-listpack-entries 2
        HSET t a 1 b 2 c 3 ab 4
        OBJECT ENCODING t
        sorted HSCAN t 0 COUNT 1000
        sorted HSCAN t 0 MATCH a* COUNT 1000
        HSCAN t 0 COUNT 0
        "#,
    );
}

#[test]
fn wrong_type_both_ways() {
    diff_script(
        "hash_wrongtype",
        r#"
        SET s x
        HSET s a 1
        HMSET s a 1
        HSETNX s a 1
        HGET s a
        HMGET s a
        HGETALL s
        HKEYS s
        HVALS s
        HDEL s a
        HLEN s
        HEXISTS s a
        HSTRLEN s a
        HINCRBY s a 1
        HINCRBY s a x
        HINCRBYFLOAT s a 1
        HINCRBYFLOAT s a x
        HINCRBYFLOAT s a inf
        HRANDFIELD s
        HSCAN s 0
        GET s
        HSET h a 1
        GET h
        SET h x GET
        GETSET h x
        GETDEL h
        GETEX h
        GETRANGE h 0 1
        STRLEN h
        APPEND h x
        INCR h
        INCRBY h 1
        DECR h
        INCRBYFLOAT h 1
        SETRANGE h 0 x
        MGET h s
        SETNX h x
        HGETALL h
        SET h x
        TYPE h
        GET h
        "#,
    );
}

#[test]
fn keyspace_commands_on_hashes() {
    diff_script(
        "hash_keyspace",
        r#"
        HSET h a 1 b 2
        TYPE h
        COPY h h2
        HGETALL h2
        OBJECT ENCODING h2
        HSET h2 c 3
        HLEN h
        HLEN h2
        COPY h h2
        COPY h h2 REPLACE
        HGETALL h2
        RENAME h2 h3
        HGETALL h3
        EXISTS h2
        MOVE h3 1
        EXISTS h3
        SELECT 1
        HGETALL h3
        TYPE h3
        SELECT 0
        COPY h h4 DB 2
        SELECT 2
        HGETALL h4
        SELECT 0
        SET s x
        HSET h5 a 1
        sorted SCAN 0 TYPE hash
        sorted SCAN 0 TYPE HASH COUNT 100
        SCAN 0 TYPE string
        EXPIRE h 100
        TTL h
        HSET h c 3
        TTL h
        HDEL h c
        TTL h
        PEXPIRE h 1
        !sleep 20
        HGETALL h
        EXISTS h
        HSET h a 1
        TTL h
        DEL h h5 s
        EXISTS h h5
        CONFIG SET hash-max-listpack-entries 1
        HSET t a 1 b 2
        COPY t t2
        OBJECT ENCODING t2
        sorted HGETALL t2
        RENAME t t3
        OBJECT ENCODING t3
        HSET t3 c 3
        HLEN t2
        "#,
    );
}

#[test]
fn resp3_reply_shapes() {
    diff_resp3_script(
        "hash_resp3",
        r#"
        HSET h a 1 b 2
        HGETALL h
        HGETALL missing
        HKEYS h
        HVALS missing
        HGET h a
        HGET h missing
        HMGET h a missing
        HINCRBYFLOAT h f 1.5
        HINCRBY h n 1
        HEXISTS h a
        HRANDFIELD missing
        HRANDFIELD missing 3 WITHVALUES
        HRANDFIELD h 5 WITHVALUES
        HRANDFIELD h 5
        HRANDFIELD h 0 WITHVALUES
        ~ HRANDFIELD h 1 WITHVALUES
        ~ HRANDFIELD h -3 WITHVALUES
        ~ HRANDFIELD h 2 WITHVALUES
        HSCAN h 0
        HSCAN missing 0
        CONFIG SET hash-max-listpack-entries 1
        HSET t a 1 b 2 c 3
        sorted HGETALL t
        sorted HRANDFIELD t 3 WITHVALUES
        ~ HRANDFIELD t 2 WITHVALUES
        ~ HRANDFIELD t -2 WITHVALUES
        sorted HSCAN t 0 COUNT 100
        "#,
    );
}

/// Redis stops filling a reply once the client passes its hard output limit and closes the connection without
/// sending any of it; a repeating HRANDFIELD (the one reply whose size the client chooses) does the same.
#[test]
fn hrandfield_huge_negative_count_hits_the_output_limit() {
    diff_script(
        "hash_hrandfield_obuf",
        r#"
        HSET h field1 value1 field2 value2
        CONFIG SET client-output-buffer-limit "normal 100kb 0 0"
        HRANDFIELD h -1000000 WITHVALUES
        HLEN h
        HRANDFIELD h -9223372036854775807
        HLEN h
        CONFIG SET hash-max-listpack-entries 1
        HSET t a 1 b 2
        HRANDFIELD t -1000000
        HLEN t
        "#,
    );
}

/// HRANDFIELD's rules, checked over many calls on both encodings: positive counts give distinct fields (in
/// listpack order for a listpack), negative counts repeat, every field gets picked, values match their fields.
#[test]
fn hrandfield_distinctness_and_distribution() {
    let server = support::start_embedis();
    let mut conn = Conn::connect(server.addr());
    for (key, fields, encoding) in [("small", 20, "listpack"), ("large", 600, "hashtable")] {
        let mut args = vec!["HSET".to_string(), key.to_string()];
        for i in 0..fields {
            args.push(format!("f{i}"));
            args.push(format!("v{i}"));
        }
        conn.cmd(&args);
        assert_eq!(support::conn::bulks(&conn.cmd(&["OBJECT", "ENCODING", key])), vec![encoding]);
        let position = |f: &str| f[1..].parse::<usize>().unwrap();
        for count in [2, 5, fields / 3, fields / 2, fields - 1] {
            let got = support::conn::bulks(&conn.cmd(&["HRANDFIELD", key, &count.to_string()]));
            assert_eq!(got.len(), count, "{key} {count}");
            assert_eq!(got.iter().collect::<HashSet<_>>().len(), count, "distinct: {key} {count}");
            if encoding == "listpack" {
                assert!(got.windows(2).all(|w| position(&w[0]) < position(&w[1])), "listpack order: {got:?}");
            }
            let pairs = support::conn::bulks(&conn.cmd(&["HRANDFIELD", key, &count.to_string(), "WITHVALUES"]));
            assert_eq!(pairs.len(), count * 2);
            for pair in pairs.chunks(2) {
                assert_eq!(pair[1], format!("v{}", &pair[0][1..]));
            }
        }
        let mut picks: HashMap<String, usize> = HashMap::new();
        let rounds = 200;
        for _ in 0..rounds {
            for f in support::conn::bulks(&conn.cmd(&["HRANDFIELD", key, &(-(fields as i64)).to_string()])) {
                *picks.entry(f).or_default() += 1;
            }
        }
        assert_eq!(picks.len(), fields, "every field of {key} gets picked");
        // Each field is expected `rounds` times; a fair sampler stays well within half and double of that.
        assert!(picks.values().all(|&n| n > rounds / 2 && n < rounds * 2), "{key}: {picks:?}");
        let single: HashSet<String> =
            (0..fields * 20).flat_map(|_| support::conn::bulks(&conn.cmd(&["HRANDFIELD", key]))).collect();
        assert_eq!(single.len(), fields);
    }
}

/// HSCAN over a hashtable that changes between calls returns every field present for the whole iteration.
#[test]
fn hscan_survives_changes_between_calls() {
    let server = support::start_embedis();
    let mut conn = Conn::connect(server.addr());
    let mut args = vec!["HSET".to_string(), "h".to_string()];
    for i in 0..1000 {
        args.push(format!("f{i}"));
        args.push("v".to_string());
    }
    conn.cmd(&args);
    let (mut cursor, mut seen, mut round) = ("0".to_string(), HashSet::new(), 0);
    loop {
        let reply = support::conn::bulks(&conn.cmd(&["HSCAN", "h", &cursor, "COUNT", "7"]));
        cursor = reply[0].clone();
        seen.extend(reply[1..].chunks(2).map(|p| p[0].clone()));
        // Churn: delete fields that are not multiples of 3, add new ones.
        conn.cmd(&["HDEL", "h", &format!("f{}", (round * 3 + 1) % 1000), &format!("f{}", (round * 3 + 2) % 1000)]);
        conn.cmd(&["HSET", "h", &format!("new{round}"), "v"]);
        round += 1;
        if cursor == "0" {
            break;
        }
    }
    for i in (0..1000).step_by(3) {
        assert!(seen.contains(&format!("f{i}")), "f{i} missed");
    }
}
