//! Keyspace commands: deletion and existence, KEYS globbing, RANDOMKEY, RENAME, COPY, MOVE, SWAPDB, flushing,
//! expiry (with NX/XX/GT/LT), OBJECT, and SCAN.

use super::{diff_resp3_script, diff_script};

#[test]
fn del_unlink_exists_type() {
    diff_script(
        "del_exists",
        r#"
        SET a 1
        SET b 2
        EXISTS a b missing
        EXISTS a a a missing
        DEL a b missing
        DEL a
        EXISTS a b
        SET a 1
        SET b 2
        UNLINK a b missing a
        UNLINK a
        TYPE missing
        SET s v
        TYPE s
        DEL
        UNLINK
        EXISTS
        TYPE
        TYPE s extra
        "#,
    );
}

#[test]
fn keys_matches_glob_patterns() {
    // KEYS returns keys in hash-table order: compared sorted.
    diff_script(
        "keys_glob",
        r#"
        MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 "h*llo" 6 "a?b" 7 "[x]" 8 abc 9 Abc 10 "a\\b" 11 "h-llo" 12
        sorted KEYS *
        sorted KEYS h?llo
        sorted KEYS h*llo
        sorted KEYS h[ae]llo
        sorted KEYS h[^e]llo
        sorted KEYS h[a-e]llo
        sorted KEYS h[e-a]llo
        sorted KEYS h[a\-]llo
        sorted KEYS h[-a]llo
        sorted KEYS h\*llo
        sorted KEYS h\?llo
        sorted KEYS a\?b
        sorted KEYS \[x\]
        sorted KEYS [x]
        sorted KEYS [[]x]
        sorted KEYS *llo
        sorted KEYS [A-Z]*
        sorted KEYS ?bc
        sorted KEYS ABC
        sorted KEYS "a\\\\b"
        sorted KEYS nomatch*
        sorted KEYS h[
        sorted KEYS h[a
        sorted KEYS abc\
        sorted KEYS **
        sorted KEYS ?
        KEYS
        KEYS a b
        "#,
    );
}

#[test]
fn randomkey() {
    diff_script(
        "randomkey",
        r#"
        RANDOMKEY
        SET a 1
        RANDOMKEY
        SET b 2
        ~ RANDOMKEY
        RANDOMKEY x
        SELECT 1
        SET gone v PX 1
        !sleep 10
        RANDOMKEY
        DBSIZE
        "#,
    );
}

#[test]
fn rename_and_renamenx() {
    diff_script(
        "rename",
        r#"
        RENAME missing x
        RENAMENX missing x
        RENAME missing missing
        SET a 1
        RENAME a a
        RENAMENX a a
        RENAME a b
        EXISTS a b
        SET a 2
        RENAMENX a b
        RENAMENX a c
        MGET a b c
        SET t v EX 100
        RENAME t u
        TTL u
        SET b old
        RENAME u b
        TTL b
        GET b
        SET p v
        SET q v EX 100
        RENAME p q
        TTL q
        RENAME a
        RENAME a b c
        RENAMENX a
        "#,
    );
}

#[test]
fn copy_between_keys_and_databases() {
    diff_script(
        "copy",
        r#"
        COPY missing x
        SET a 1
        COPY a b
        GET b
        COPY a b
        SET a 2
        COPY a b REPLACE
        GET b
        COPY a a
        COPY a a DB 0
        COPY a a DB 1
        COPY a a DB 1
        COPY a a DB 1 REPLACE
        SELECT 1
        GET a
        SELECT 0
        COPY a x DB 16
        COPY a x DB -1
        COPY a x DB abc
        COPY a x DB
        COPY a x FOO
        COPY a x REPLACE REPLACE
        COPY a y DB 2 REPLACE DB 3
        SELECT 3
        GET a
        GET y
        SELECT 0
        SET t v EX 100
        COPY t t2
        TTL t2
        COPY a
        "#,
    );
}

#[test]
fn move_between_databases() {
    diff_script(
        "move",
        r#"
        MOVE missing 1
        SET a 1
        MOVE a 0
        MOVE a 1
        EXISTS a
        SELECT 1
        GET a
        SELECT 0
        SET a 2
        MOVE a 1
        GET a
        MOVE a 16
        MOVE a -1
        MOVE a abc
        MOVE a 1.0
        SET t v EX 100
        MOVE t 2
        SELECT 2
        TTL t
        MOVE t
        MOVE t 1 2
        "#,
    );
}

#[test]
fn swapdb_exchanges_databases() {
    diff_script(
        "swapdb",
        r#"
        SET a in0
        SELECT 1
        SET b in1
        SET c in1 EX 100
        SWAPDB 0 1
        GET a
        GET b
        TTL a
        SELECT 0
        GET b
        TTL c
        DBSIZE
        SWAPDB 0 0
        SWAPDB 0 16
        SWAPDB 16 0
        SWAPDB -1 0
        SWAPDB a 0
        SWAPDB 0 b
        SWAPDB 0
        SWAPDB 0 1 2
        "#,
    );
}

#[test]
fn dbsize_flushdb_flushall() {
    diff_script(
        "flush",
        r#"
        DBSIZE
        MSET a 1 b 2
        DBSIZE
        SELECT 1
        SET c 3
        DBSIZE
        FLUSHDB
        DBSIZE
        SELECT 0
        DBSIZE
        FLUSHDB ASYNC
        DBSIZE
        SET a 1
        FLUSHDB sync
        DBSIZE
        FLUSHDB FOO
        FLUSHDB ASYNC SYNC
        SET a 1
        SELECT 2
        SET b 1
        FLUSHALL ASYNC
        DBSIZE
        SELECT 0
        DBSIZE
        SET a 1
        FLUSHALL SYNC
        DBSIZE
        FLUSHALL FOO
        FLUSHALL SYNC ASYNC
        FLUSHALL
        DBSIZE x
        "#,
    );
}

#[test]
fn expire_family_sets_and_reports_ttls() {
    diff_script(
        "expire",
        r#"
        EXPIRE missing 100
        PEXPIRE missing 100
        EXPIREAT missing 4102444800
        PEXPIREAT missing 4102444800000
        SET k v
        EXPIRE k 100
        TTL k
        PEXPIRE k 200000
        TTL k
        EXPIREAT k 4102444800
        EXPIRETIME k
        PEXPIRETIME k
        PEXPIREAT k 4102444800123
        PEXPIRETIME k
        EXPIRETIME k
        TTL missing
        PTTL missing
        EXPIRETIME missing
        PEXPIRETIME missing
        # Next to the largest time: rounding must not overflow.
        PEXPIREAT k 9223372036854775807
        EXPIRETIME k
        PEXPIRETIME k
        SET big v PXAT 9223372036854775806
        EXPIRETIME big
        SET big v EXAT 9223372036854775
        EXPIRETIME big
        PEXPIRETIME big
        EXPIREAT big 9223372036854775807
        SET big v EX 9223372036854775
        GETEX big PXAT 9223372036854775807
        PEXPIRETIME big
        EXPIRETIME big
        SET p v
        TTL p
        PTTL p
        EXPIRETIME p
        PEXPIRETIME p
        SET ms v PX 1500
        ~ PTTL ms
        PERSIST ms
        PERSIST ms
        PERSIST missing
        TTL ms
        EXPIRE k abc
        EXPIRE k 1.5
        EXPIRE k ""
        EXPIRE k
        EXPIRE k 1 2
        TTL
        PERSIST
        "#,
    );
}

#[test]
fn expire_conditions_nx_xx_gt_lt() {
    diff_script(
        "expire_conditions",
        r#"
        SET k v
        EXPIRE k 100 XX
        EXPIRE k 100 GT
        TTL k
        EXPIRE k 100 LT
        TTL k
        PERSIST k
        EXPIRE k 100 NX
        EXPIRE k 200 NX
        EXPIRE k 200 XX
        TTL k
        EXPIRE k 300 GT
        EXPIRE k 50 GT
        TTL k
        EXPIRE k 50 LT
        EXPIRE k 60 LT
        TTL k
        EXPIRE k 60 xx gt
        PEXPIRE k 70000 GT
        EXPIREAT k 4102444800 GT
        PEXPIREAT k 4102444800000 LT
        EXPIRE k 100 NX XX
        EXPIRE k 100 XX NX
        EXPIRE k 100 GT LT
        EXPIRE k 100 NX GT
        EXPIRE k 100 NX LT
        EXPIRE k 100 XX GT LT
        EXPIRE k 100 FOO
        EXPIRE k 100 NX FOO
        EXPIRE missing 100 NX
        EXPIRE k 100 NX NX
        EXPIRETIME k
        "#,
    );
}

#[test]
fn expire_in_the_past_deletes_the_key() {
    diff_script(
        "expire_past",
        r#"
        SET k v
        EXPIRE k 0
        EXISTS k
        SET k v
        EXPIRE k -1
        EXISTS k
        SET k v
        PEXPIRE k -100
        EXISTS k
        SET k v
        EXPIREAT k 1
        EXISTS k
        SET k v
        PEXPIREAT k 0
        EXISTS k
        SET k v
        EXPIREAT k -5
        EXISTS k
        SET k v
        EXPIRE k 0 XX
        EXISTS k
        SET k v
        EXPIRE k -1 GT
        EXISTS k
        SET k v EX 100
        EXPIRE k -1 LT
        EXISTS k
        SET k v
        EXPIRE k 9223372036854775807
        EXPIRE k -9223372036854775808
        PEXPIRE k 9223372036854775807
        EXPIREAT k 9223372036854775807
        EXPIRE k 9223372036854775
        EXPIRE k 9223372036854776
        TTL k
        PEXPIREAT k 9223372036854775807
        PEXPIRETIME k
        PEXPIRE k -9223372036854775808
        EXISTS k
        SET short v PX 1
        !sleep 10
        EXISTS short
        TTL short
        "#,
    );
}

#[test]
fn touch_counts_existing_keys() {
    diff_script(
        "touch",
        r#"
        TOUCH missing
        SET a 1
        SET b 2
        TOUCH a b missing a
        TOUCH
        "#,
    );
}

#[test]
fn object_subcommands() {
    diff_script(
        "object",
        r#"
        SET k v
        OBJECT REFCOUNT k
        SET n 123
        OBJECT REFCOUNT n
        SET big 123456
        OBJECT REFCOUNT big
        ~ OBJECT IDLETIME k
        OBJECT FREQ k
        OBJECT ENCODING missing
        OBJECT REFCOUNT missing
        OBJECT IDLETIME missing
        OBJECT FREQ missing
        OBJECT HELP
        OBJECT help
        OBJECT HELP extra
        OBJECT
        OBJECT ENCODING
        OBJECT ENCODING k extra
        OBJECT FOO k
        "#,
    );
}

#[test]
fn scan_on_a_tiny_database() {
    // A few keys fit in one SCAN call (cursor 0); their order is hash order, so results are compared sorted.
    // Small COUNTs are left out: how many keys a call returns depends on the hash seed.
    diff_script(
        "scan",
        r#"
        SCAN 0
        MSET a 1 b 2 c 3 ab 4 abc 5
        sorted SCAN 0
        sorted SCAN 0 COUNT 100
        sorted SCAN 0 MATCH a*
        sorted SCAN 0 MATCH a* COUNT 1000
        sorted SCAN 0 MATCH ?b
        sorted SCAN 0 MATCH nomatch
        sorted SCAN 0 TYPE string
        sorted SCAN 0 TYPE STRING
        sorted SCAN 0 MATCH a* TYPE string COUNT 50
        SCAN 0 TYPE hash
        SCAN 0 TYPE foo
        SCAN 0 COUNT 0
        SCAN 0 COUNT -1
        SCAN 0 COUNT abc
        SCAN 0 MATCH
        SCAN 0 FOO bar
        SCAN abc
        # A negative cursor wraps to 2^64-1, the last slot of the scan order: only its (hash-dependent)
        # keys come back, so filter them all out.
        SCAN -1 MATCH nomatch
        SCAN 18446744073709551615 MATCH nomatch
        SCAN 1.5
        SCAN 18446744073709551616
        SCAN
        "#,
    );
}

#[test]
fn resp3_replies_of_keyspace_commands() {
    diff_resp3_script(
        "keyspace_resp3",
        r#"
        RANDOMKEY
        SET a 1
        EXISTS a
        TYPE a
        sorted KEYS *
        sorted SCAN 0
        TTL a
        EXPIRE a 100
        OBJECT ENCODING a
        OBJECT ENCODING missing
        OBJECT HELP
        COPY a b
        RENAME missing x
        "#,
    );
}

/// DUMP's payloads, byte for byte, for every value whose RDB form has a defined order: strings (integer, raw,
/// LZF), listpack hashes and sorted sets, intsets, skiplist sorted sets (saved from the highest score down), with
/// and without `rdbcompression`. Hash-table hashes and sets (saved in hash-table order, random in Redis) are
/// checked by RESTORE into redis-server in `dump_of_hash_tables_restores_in_redis`.
#[test]
fn dump_payloads_are_redis_bytes() {
    diff_script(
        "dump",
        r#"
        SET int 12345
        SET neg -7
        SET big 12345678901234
        SET short hello
        SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        SET text "the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog"
        SET empty ""
        DUMP int
        DUMP neg
        DUMP big
        DUMP short
        DUMP long
        DUMP text
        DUMP empty
        HSET h a 1 b hello c -100000 d 12345678901234 e 4095 f -4096 g 32767 h 8388607 i 2147483647
        DUMP h
        ZADD z 1 a 2.5 b -3 c 1e300 d 0 e
        DUMP z
        ZADD zinf -inf lo +inf hi
        DUMP zinf
        SADD is 1 2 300 -5
        DUMP is
        SADD iwide 1 -70000 5000000000
        DUMP iwide
        CONFIG SET zset-max-listpack-entries 0
        ZADD zs 1 a 2.5 b -3 c 3 d
        DUMP zs
        CONFIG SET zset-max-listpack-entries 128
        CONFIG SET rdbcompression no
        DUMP long
        DUMP text
        CONFIG SET rdbcompression yes
        DUMP nosuch
        DUMP
        DUMP a b
        "#,
    );
}

/// Hash-table encodings are saved in hash-table order (random per process in Redis), so their payloads are
/// checked by what redis-server makes of them: RESTORE there gives the same value.
#[test]
fn dump_of_hash_tables_restores_in_redis() {
    use crate::support::{self, Conn, RedisServer};
    let Some(redis) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let mut ours = Conn::connect(embedis.addr());
    let mut theirs = Conn::connect(redis.addr());
    ours.cmd(&["CONFIG", "SET", "hash-max-listpack-entries", "0", "set-max-intset-entries", "0"]);
    ours.cmd(&["HSET", "ht", "a", "1", "bb", "two", "ccc", &"3".repeat(30)]);
    ours.cmd(&["SADD", "st", "x", "y", "12", &"z".repeat(40)]);
    for (key, read) in [("ht", "HGETALL"), ("st", "SMEMBERS")] {
        let payload = ours.cmd(&["DUMP", key]);
        // A bulk reply: `$<len>\r\n<payload>\r\n`.
        let start = payload.iter().position(|&b| b == b'\n').unwrap() + 1;
        let bytes = &payload[start..payload.len() - 2];
        let restored = theirs.cmd(&[&b"RESTORE"[..], key.as_bytes(), b"0", bytes]);
        assert_eq!(restored, b"+OK\r\n", "{key}: {}", String::from_utf8_lossy(&restored));
        let sorted = |c: &mut Conn| {
            let mut items = support::conn::bulks(&c.cmd(&[read, key]));
            items.sort();
            items
        };
        assert_eq!(sorted(&mut ours), sorted(&mut theirs), "{key}");
    }
}
