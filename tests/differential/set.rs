//! Differential scripts for the set commands: membership, both encodings and the conversion between them, the
//! random commands (shapes, and contents where they are determined), the algebra with its STORE/CARD variants,
//! SSCAN, wrong types, generic key commands on sets, and RESP3 reply types.
//!
//! Hashtable order is unspecified in Redis: those lines are compared `sorted`. Intsets reply in ascending
//! order in both servers, so their lines are compared exactly.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn};

/// `SADD key from..=to` as a script line.
fn sadd_range(key: &str, from: i64, to: i64) -> String {
    let members: Vec<String> = (from..=to).map(|n| n.to_string()).collect();
    format!("SADD {key} {}", members.join(" "))
}

#[test]
fn sadd_srem_membership() {
    diff_script(
        "set_membership",
        r#"
        SADD s a b c
        SADD s a d
        SADD s a a a
        SCARD s
        SISMEMBER s a
        SISMEMBER s z
        SISMEMBER missing a
        SMISMEMBER s a z b
        SMISMEMBER missing a b
        SMISMEMBER s a
        SREM s a z
        SREM s a
        SREM missing a
        SCARD missing
        sorted SMEMBERS s
        SREM s b c d x
        EXISTS s
        SMEMBERS s
        SADD s ""
        SISMEMBER s ""
        SADD bin "\x00\xff" "a\r\nb"
        sorted SMEMBERS bin
        SISMEMBER bin "\x00\xff"
        SADD s
        SADD
        SREM s
        SCARD
        SCARD s extra
        SISMEMBER s
        SISMEMBER s a b
        SMISMEMBER s
        SMEMBERS
        SMEMBERS s extra
        "#,
    );
}

#[test]
fn intset_members_and_removal() {
    diff_script(
        "set_intset_basics",
        r#"
        SADD n 5 -3 100 0 70000 -9000000000 9223372036854775807 -9223372036854775808
        OBJECT ENCODING n
        SMEMBERS n
        SCARD n
        SISMEMBER n 70000
        SISMEMBER n 070000
        SISMEMBER n 7e4
        SISMEMBER n abc
        SMISMEMBER n 5 -3 -03 x 9223372036854775807 9223372036854775808
        SREM n 5 abc 01 -0
        SREM n 0
        SMEMBERS n
        OBJECT ENCODING n
        SREM n -3 100 70000 -9000000000 9223372036854775807 -9223372036854775808
        EXISTS n
        "#,
    );
}

#[test]
fn encoding_boundaries() {
    let script = format!(
        r#"
        {}
        OBJECT ENCODING big
        SCARD big
        SADD big 512
        OBJECT ENCODING big
        SADD big 513
        OBJECT ENCODING big
        SCARD big
        SREM big 513 512
        OBJECT ENCODING big
        {}
        OBJECT ENCODING once
        SADD i 1
        OBJECT ENCODING i
        SADD i x
        OBJECT ENCODING i
        SREM i x
        OBJECT ENCODING i
        SADD a 01
        OBJECT ENCODING a
        SADD b -0
        OBJECT ENCODING b
        SADD c 9223372036854775808
        OBJECT ENCODING c
        SADD d -9223372036854775808 9223372036854775807
        OBJECT ENCODING d
        SADD e " 1"
        OBJECT ENCODING e
        SADD f 1.0
        OBJECT ENCODING f
        SADD g +1
        OBJECT ENCODING g
        SADD h ""
        OBJECT ENCODING h
        SADD j 1 2 3 "01"
        OBJECT ENCODING j
        sorted SMEMBERS j
        SADD k 0
        OBJECT ENCODING k
        SADD l 32767 -32768
        SADD l 32768
        SADD l -2147483649
        SMEMBERS l
        OBJECT ENCODING l
        "#,
        sadd_range("big", 0, 511),
        sadd_range("once", 1, 513),
    );
    diff_script("set_encoding_boundaries", &script);
}

#[test]
fn small_intset_limit() {
    diff_script(
        "set_max_intset_entries_2",
        r#"
        CONFIG SET set-max-intset-entries 2
        SADD s 1 2
        OBJECT ENCODING s
        SADD s 3
        OBJECT ENCODING s
        sorted SMEMBERS s
        SREM s 3 2
        OBJECT ENCODING s
        SADD t 1 2 3 4 5 6 7 8 9 10
        OBJECT ENCODING t
        SADD u a b c d e
        sorted SMEMBERS u
        SISMEMBER t 5
        SISMEMBER t 05
        SMISMEMBER t 1 10 11
        SCARD t
        sorted SINTER t u
        sorted SUNION t u
        sorted SDIFF t u
        SINTERSTORE d t t
        OBJECT ENCODING d
        SUNIONSTORE d t
        OBJECT ENCODING d
        CONFIG SET set-max-intset-entries 0
        SADD z 1
        OBJECT ENCODING z
        CONFIG SET set-max-intset-entries 512
        "#,
    );
}

#[test]
fn algebra_on_intsets_and_tables() {
    diff_script(
        "set_algebra",
        r#"
        SADD a 1 2 3 4 5
        SADD b 3 4 5 6 7
        SADD c 5 7 9
        SADD x a b c d 5
        SINTER a b
        SINTER a b c
        SINTER a a
        SINTER a missing
        SINTER missing a
        SINTER missing
        SUNION a b
        SUNION a b c missing
        SUNION missing
        SDIFF a b
        SDIFF a b c
        SDIFF a a
        SDIFF a missing
        SDIFF missing a
        SDIFF b a a
        sorted SINTER x a
        SADD p 5 3 a
        SADD q 3 5
        SINTER x q
        SINTER x q p
        sorted SINTER q x p
        sorted SINTER a x
        sorted SUNION a x
        sorted SDIFF x a
        SDIFF a x
        sorted SDIFF x a b c
        SINTERCARD 2 a b
        SINTERCARD 3 a b c
        SINTERCARD 2 a b LIMIT 0
        SINTERCARD 2 a b LIMIT 1
        SINTERCARD 2 a b LIMIT 2
        SINTERCARD 2 a b LIMIT 5
        SINTERCARD 2 a b limit 5 LIMIT 1
        SINTERCARD 1 a
        SINTERCARD 2 a missing
        SINTERCARD 2 x a
        SINTERCARD 1 missing
        SINTER
        SUNION
        SDIFF
        SINTERCARD 1
        SINTERCARD
        "#,
    );
}

#[test]
fn sintercard_errors() {
    diff_script(
        "set_sintercard_errors",
        r#"
        SADD a 1 2 3
        SET str v
        SINTERCARD 0 a
        SINTERCARD -1 a
        SINTERCARD x a
        SINTERCARD 1.5 a
        SINTERCARD 9223372036854775808 a
        SINTERCARD 2 a
        SINTERCARD 3 a a
        SINTERCARD 1 a LIMIT
        SINTERCARD 1 a LIMIT -1
        SINTERCARD 1 a LIMIT x
        SINTERCARD 1 a LIMIT 9223372036854775808
        SINTERCARD 1 a FOO
        SINTERCARD 1 a FOO 1
        SINTERCARD 1 a LIMIT 1 FOO
        SINTERCARD 1 str
        SINTERCARD 2 a str
        SINTERCARD 2 missing str
        SINTERCARD 1 str LIMIT -1
        SINTERCARD 0 str LIMIT -1
        "#,
    );
}

#[test]
fn store_variants() {
    diff_script(
        "set_store",
        r#"
        SADD a 1 2 3 4
        SADD b 3 4 5
        SADD x a b 3
        SINTERSTORE d a b
        SMEMBERS d
        OBJECT ENCODING d
        SUNIONSTORE d a b
        SMEMBERS d
        SDIFFSTORE d a b
        SMEMBERS d
        SUNIONSTORE d a x
        OBJECT ENCODING d
        sorted SMEMBERS d
        SINTERSTORE d a x
        OBJECT ENCODING d
        SMEMBERS d
        SINTERSTORE d x x
        OBJECT ENCODING d
        SDIFFSTORE d x a
        OBJECT ENCODING d
        sorted SMEMBERS d
        SINTERSTORE d a missing
        EXISTS d
        SADD d 1
        SDIFFSTORE d a a
        EXISTS d
        SADD d 1
        SUNIONSTORE d missing
        EXISTS d
        SINTERSTORE d missing
        SDIFFSTORE d missing a
        SADD e 1 2
        SINTERSTORE e e b
        SMEMBERS e
        SADD e 9
        SUNIONSTORE e e a
        SMEMBERS e
        SDIFFSTORE e e b
        SMEMBERS e
        SET str v
        SUNIONSTORE str a
        TYPE str
        SMEMBERS str
        SET str2 v
        SINTERSTORE str2 a missing
        EXISTS str2
        SADD ttl 1
        EXPIRE ttl 100
        SUNIONSTORE ttl a
        TTL ttl
        SINTERSTORE
        SINTERSTORE d
        SUNIONSTORE d
        SDIFFSTORE d
        "#,
    );
}

#[test]
fn sdiff_algorithms_decide_the_encoding() {
    // SDIFFSTORE's second algorithm adds the whole first set before removing: past the intset limit on the
    // way, the result stays a hashtable even when small.
    let script = format!(
        r#"
        {}
        {}
        SDIFFSTORE d a b
        OBJECT ENCODING d
        SMEMBERS d
        CONFIG SET set-max-intset-entries 5
        SADD x 1 2 3 4 5 6 7 8 9 10
        SADD y 1
        SADD z 2
        SDIFFSTORE d x y z
        OBJECT ENCODING d
        sorted SMEMBERS d
        SDIFFSTORE d x nokey
        OBJECT ENCODING d
        SUNIONSTORE d y z
        OBJECT ENCODING d
        SDIFFSTORE d y x
        EXISTS d
        "#,
        sadd_range("a", 1, 600),
        sadd_range("b", 1, 595),
    );
    diff_script("set_sdiff_algorithms", &script);
}

#[test]
fn wrong_types() {
    diff_script(
        "set_wrongtype",
        r#"
        SET str v
        SADD s 1 a
        SADD str a
        SREM str a
        SMEMBERS str
        SISMEMBER str a
        SMISMEMBER str a
        SCARD str
        SPOP str
        SPOP str 1
        SPOP str -1
        SPOP str 0
        SRANDMEMBER str
        SRANDMEMBER str 1
        SRANDMEMBER str -1
        SRANDMEMBER str 0
        SRANDMEMBER str x
        SMOVE str s a
        SMOVE s str a
        SMOVE missing str a
        SMOVE str missing a
        SINTER s str
        SINTER str s
        SINTER missing str
        SINTER str missing
        SINTERSTORE d s str
        SINTERSTORE d missing str
        SUNION s str
        SUNION missing str
        SUNIONSTORE d s missing str
        SDIFF s str
        SDIFF str s
        SDIFF missing str
        SDIFFSTORE d missing str
        EXISTS d
        SSCAN str 0
        SSCAN str x
        SSCAN str 0 FOO
        GET s
        APPEND s x
        INCR s
        STRLEN s
        GETRANGE s 0 1
        SETRANGE s 0 x
        GETDEL s
        TYPE s
        SCARD s
        SET s v
        TYPE s
        "#,
    );
}

#[test]
fn spop_without_count() {
    diff_script(
        "set_spop",
        r#"
        SPOP missing
        SADD s 7
        SPOP s
        EXISTS s
        SADD t x
        SPOP t
        EXISTS t
        SADD u 1 2 3
        ~ SPOP u
        ~ SPOP u
        SCARD u
        ~ SPOP u
        EXISTS u
        SADD v a b c
        ~ SPOP v
        SCARD v
        SPOP
        SPOP v 1 2
        SPOP v 1 2 3
        "#,
    );
}

#[test]
fn spop_with_count() {
    let script = format!(
        r#"
        SPOP missing 0
        SPOP missing 3
        SPOP missing -1
        SPOP missing x
        SADD s 1 2 3 4 5
        SPOP s -1
        SPOP s x
        SPOP s 1.5
        SPOP s 9223372036854775808
        SPOP s -9223372036854775808
        SPOP s 0
        SCARD s
        ~ SPOP s 1
        SCARD s
        ~ SPOP s 2
        SCARD s
        ~ SPOP s 2
        EXISTS s
        SADD s 5 3 1 4 2
        SPOP s 100
        EXISTS s
        SADD s 5 3 1 4 2
        SPOP s 5
        EXISTS s
        SADD s 1 2 3 4 5 6 7 8 9 10
        ~ SPOP s 9
        SCARD s
        OBJECT ENCODING s
        SADD t a b c d e f g h i j
        ~ SPOP t 3
        ~ SPOP t 6
        SCARD t
        OBJECT ENCODING t
        ~ SPOP t 1000
        EXISTS t
        SADD t x
        SPOP t 9223372036854775807
        {}
        OBJECT ENCODING h
        ~ SPOP h 550
        OBJECT ENCODING h
        SCARD h
        {}
        ~ SPOP h2 100
        OBJECT ENCODING h2
        SCARD h2
        SADD ttl 1 2 3 4 5 6 7 8 9 10
        EXPIRE ttl 100
        ~ SPOP ttl 9
        TTL ttl
        ~ SPOP ttl 1
        EXISTS ttl
        "#,
        sadd_range("h", 1, 600),
        sadd_range("h2", 1, 600),
    );
    diff_script("set_spop_count", &script);
}

#[test]
fn spop_returns_the_whole_set_reencoded() {
    // SPOP with count >= size replies as SUNION does: a hashtable of integers comes back in intset order.
    diff_script(
        "set_spop_all",
        r#"
        CONFIG SET set-max-intset-entries 2
        SADD h 3 1 2
        OBJECT ENCODING h
        CONFIG SET set-max-intset-entries 512
        SPOP h 3
        EXISTS h
        "#,
    );
}

#[test]
fn srandmember() {
    let script = format!(
        r#"
        SRANDMEMBER missing
        SRANDMEMBER missing 0
        SRANDMEMBER missing 5
        SRANDMEMBER missing -5
        SRANDMEMBER missing x
        SRANDMEMBER missing -9223372036854775808
        SADD s 1 2 3
        SRANDMEMBER s x
        SRANDMEMBER s 1.5
        SRANDMEMBER s 9223372036854775808
        SRANDMEMBER s -9223372036854775808
        SRANDMEMBER s -9223372036854775807x
        SRANDMEMBER s 1 2
        SRANDMEMBER s 0
        SRANDMEMBER s -0
        ~ SRANDMEMBER s
        ~ SRANDMEMBER s 1
        ~ SRANDMEMBER s -1
        ~ SRANDMEMBER s 2
        ~ SRANDMEMBER s -10
        SRANDMEMBER s 3
        SRANDMEMBER s 4
        SRANDMEMBER s 9223372036854775807
        SCARD s
        SADD t a b c d e f g h i j
        ~ SRANDMEMBER t
        ~ SRANDMEMBER t 3
        ~ SRANDMEMBER t 2
        ~ SRANDMEMBER t 9
        ~ SRANDMEMBER t -20
        sorted SRANDMEMBER t 10
        sorted SRANDMEMBER t 1000
        SADD one x
        SRANDMEMBER one
        SRANDMEMBER one -3
        SRANDMEMBER one 3
        {}
        ~ SRANDMEMBER big 5
        ~ SRANDMEMBER big 300
        ~ SRANDMEMBER big -1000
        SCARD big
        "#,
        sadd_range("big", 1, 600),
    );
    diff_script("set_srandmember", &script);
}

#[test]
fn smove() {
    diff_script(
        "set_smove",
        r#"
        SADD a 1 2 x
        SADD b 3
        SMOVE a b 1
        SMEMBERS b
        OBJECT ENCODING b
        SMOVE a b x
        OBJECT ENCODING b
        sorted SMEMBERS b
        SMOVE a b 404
        SMOVE a b 3
        SMOVE b a 3
        sorted SMEMBERS a
        SMOVE a a 2
        SMOVE a a 404
        SMOVE missing a 1
        SMOVE a new 2
        EXISTS a
        SMEMBERS new
        OBJECT ENCODING new
        SADD c y
        SMOVE c new2 y
        OBJECT ENCODING new2
        EXISTS c
        SADD p 5
        SADD q 5
        SMOVE p q 5
        EXISTS p
        SMEMBERS q
        SET str v
        SMOVE missing str 1
        SMOVE q str 5
        SMOVE str q 5
        SMEMBERS q
        SMOVE q q 5
        SADD ttl 1 2
        EXPIRE ttl 100
        SMOVE q ttl 5
        TTL ttl
        SMOVE a b
        SMOVE a b c d
        "#,
    );
}

#[test]
fn sscan() {
    let script = format!(
        r#"
        SADD i 1 2 3 10 20 -5
        SSCAN i 0
        SSCAN i 0 COUNT 1
        SSCAN i 0 MATCH 1*
        SSCAN i 0 MATCH -*
        SSCAN i 0 match *0 count 100
        SSCAN i 0 MATCH *
        SSCAN i 5
        SSCAN i 0 COUNT 0
        SSCAN i 0 COUNT -1
        SSCAN i 0 COUNT x
        SSCAN i 0 COUNT
        SSCAN i 0 MATCH
        SSCAN i 0 TYPE set
        SSCAN i 0 FOO bar
        SSCAN i x
        SSCAN i -1
        SSCAN i " 0"
        SSCAN i 18446744073709551616
        SSCAN i ""
        SSCAN i +0
        SSCAN i -
        SSCAN i +
        SSCAN i 0x1
        SSCAN missing 0
        SSCAN missing 0 FOO
        SSCAN missing 0 COUNT 0
        SSCAN missing x
        SADD h a b c d e
        sorted SSCAN h 0
        sorted SSCAN h 0 MATCH [ab]
        sorted SSCAN h 0 COUNT 1000 MATCH ?
        SSCAN h 0 MATCH zzz
        {}
        sorted SSCAN big 0 COUNT 1000 MATCH 9*
        SSCAN
        SSCAN i
        "#,
        sadd_range("big", 1, 600),
    );
    diff_script("set_sscan", &script);
}

#[test]
fn keyspace_commands_on_sets() {
    diff_script(
        "set_keyspace",
        r#"
        SADD s 3 1 2
        SADD h a b
        TYPE s
        TYPE h
        OBJECT ENCODING s
        OBJECT ENCODING h
        COPY s s2
        SMEMBERS s2
        OBJECT ENCODING s2
        SADD s2 4
        SCARD s
        COPY h h2
        SADD h2 c
        SCARD h
        sorted SMEMBERS h2
        RENAME s2 s3
        SMEMBERS s3
        EXISTS s2
        MOVE s3 1
        EXISTS s3
        SELECT 1
        SMEMBERS s3
        OBJECT ENCODING s3
        SELECT 0
        COPY h h3 DB 2
        SELECT 2
        sorted SMEMBERS h3
        SELECT 0
        sorted SCAN 0 TYPE set
        sorted SCAN 0 TYPE SET COUNT 100
        SET str v
        sorted SCAN 0 TYPE string
        sorted KEYS *
        EXPIRE s 100
        TTL s
        SADD s 9
        TTL s
        SREM s 9
        TTL s
        PEXPIRE h 1
        !sleep 20
        EXISTS h
        SCARD h
        SMEMBERS h
        SADD h z
        TTL h
        DEL s h missing
        EXISTS s h
        SADD e 1
        SREM e 1
        EXISTS e
        TYPE e
        "#,
    );
}

#[test]
fn resp3_reply_types() {
    diff_resp3_script(
        "set_resp3",
        r#"
        SADD s 1 2 3
        SADD h a b
        SMEMBERS s
        SMEMBERS missing
        SINTER s s
        SINTER s missing
        SUNION s missing
        SDIFF s missing
        SDIFF missing s
        sorted SUNION h s
        sorted SDIFF h s
        SINTERCARD 1 s
        SISMEMBER s 1
        SMISMEMBER s 1 9
        SMISMEMBER missing 1
        SCARD s
        SSCAN s 0
        SSCAN missing 0
        sorted SSCAN h 0
        SPOP missing
        SPOP missing 2
        SPOP s 0
        ~ SPOP s 1
        ~ SRANDMEMBER s
        SRANDMEMBER missing
        SRANDMEMBER missing 2
        SRANDMEMBER s 0
        ~ SRANDMEMBER s 1
        ~ SRANDMEMBER s -3
        ~ SRANDMEMBER s 10
        sorted SRANDMEMBER h 10
        SINTERSTORE d s s
        ~ SPOP d 10
        SADD one 1
        SPOP one
        SMOVE s h 99
        "#,
    );
}

/// SSCAN over a hashtable in small steps: every member present for the whole iteration is returned, while
/// members are added and removed between calls (Redis's guarantee; its cursor differs, so this is not a
/// differential script).
#[test]
fn sscan_iteration_survives_changes() {
    let server = support::start_embedis();
    let mut conn = Conn::connect(server.addr());
    let stable: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let mut args = vec!["SADD".to_string(), "s".to_string()];
    args.extend(stable.iter().cloned());
    conn.cmd(&args);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let reply = conn.read_frame_after(&["SSCAN", "s", &cursor, "COUNT", "7"]);
        let (next, members) = reply;
        seen.extend(members);
        conn.cmd(&["SADD", "s", &format!("new{round}")]);
        conn.cmd(&["SREM", "s", &format!("new{}", round / 2)]);
        round += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    for m in &stable {
        assert!(seen.contains(m), "{m} missed");
    }
}

/// SSCAN's reply read back as (cursor, members).
trait ScanReply {
    fn read_frame_after(&mut self, args: &[&str]) -> (String, Vec<String>);
}

impl ScanReply for Conn {
    fn read_frame_after(&mut self, args: &[&str]) -> (String, Vec<String>) {
        let bytes = self.cmd(args);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // *2 $n cursor *m ($k member)...: every bulk payload in order, the cursor first.
        let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
        let mut bulks = Vec::new();
        while let Some(line) = lines.next() {
            if line.starts_with('$') {
                bulks.push(lines.next().unwrap_or_default().to_string());
            }
        }
        let cursor = bulks.first().cloned().unwrap_or_default();
        (cursor, bulks.into_iter().skip(1).collect())
    }
}
