//! CONFIG GET/SET with several arguments, CONFIG REWRITE's errors, COMMAND (INFO and DOCS for every command we
//! have, LIST filters, GETKEYS / GETKEYSANDFLAGS) and DEBUG, against redis-server. Config files and
//! `rename-command` are in tests/integration/config_rewrite.rs (they need the binaries).

use super::reply::compared_form;
use super::script::Check;
use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn, RedisServer};

#[test]
fn config_get_and_set_several_at_once() {
    diff_script(
        "config_multi",
        r#"
        CONFIG SET maxmemory-samples 7 hash-max-listpack-entries 100 zset-max-listpack-value 32
        sorted CONFIG GET maxmemory-samples hash-max-listpack-entries zset-max-listpack-value
        sorted CONFIG GET hash-max-* zset-max-* hash-max-listpack-entries
        sorted CONFIG GET hash-max-ziplist-entries hash-max-listpack-entries
        sorted CONFIG GET HASH-MAX-LISTPACK-ENTRIES nosuch
        # All or nothing: a bad value anywhere leaves every setting as it was.
        CONFIG SET maxmemory-samples 3 hash-max-listpack-entries abc
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-samples 3 nosuch 1
        CONFIG SET nosuch 1 daemonize yes
        CONFIG SET daemonize yes nosuch 1
        CONFIG SET maxmemory-samples abc daemonize yes
        CONFIG SET maxmemory-samples 3 maxmemory-samples 4
        CONFIG SET MAXMEMORY-SAMPLES 3 maxmemory-samples 4
        CONFIG SET hash-max-ziplist-entries 5 hash-max-listpack-entries 6
        CONFIG GET hash-max-listpack-entries
        CONFIG SET maxmemory-samples 3 hz
        CONFIG SET maxmemory-samples 3 hz 5 x
        CONFIG SET maxmemory-samples
        CONFIG SET dir /tmp
        CONFIG SET maxmemory-samples 3 dbfilename x.rdb
        CONFIG GET maxmemory-samples
        CONFIG SET maxmemory-policy nosuch maxmemory-samples 1
        CONFIG SET save "100 10 200" maxmemory-samples 1
        CONFIG SET notify-keyspace-events Q
        CONFIG SET maxmemory-samples 5 hash-max-listpack-entries 512 zset-max-listpack-value 64
        CONFIG RESETSTAT
        CONFIG RESETSTAT x
        CONFIG REWRITE
        CONFIG REWRITE x
        CONFIG HELP
        CONFIG NOSUCH
        CONFIG
        "#,
    );
}

/// Memory values and `save` numbers are read as C strings by redis-server: a NUL ends the number.
#[test]
fn config_numbers_end_at_a_nul_where_redis_reads_c_strings() {
    diff_script(
        "config_nul",
        r#"
        CONFIG SET maxmemory "5\x00x"
        CONFIG GET maxmemory
        CONFIG SET maxmemory "5mb\x00"
        CONFIG GET maxmemory
        CONFIG SET maxmemory "\x005"
        CONFIG SET maxmemory-clients "5%\x00"
        CONFIG SET save "5\x00x 1"
        CONFIG GET save
        CONFIG SET save "5 1\x00x"
        CONFIG GET save
        CONFIG SET maxmemory-samples "5\x00"
        CONFIG SET hz "5\x00"
        CONFIG SET maxmemory 0
        CONFIG SET save ""
        "#,
    );
}

#[test]
fn command_list_filters_and_count() {
    diff_script(
        "command_list",
        r#"
        ~ COMMAND COUNT
        sorted COMMAND LIST FILTERBY PATTERN h*
        sorted COMMAND LIST FILTERBY PATTERN config|*
        sorted COMMAND LIST FILTERBY PATTERN COMMAND*
        sorted COMMAND LIST FILTERBY ACLCAT hash
        sorted COMMAND LIST FILTERBY aclcat HASH
        COMMAND LIST FILTERBY ACLCAT nosuch
        COMMAND LIST FILTERBY MODULE nosuch
        COMMAND LIST FILTERBY PATTERN nosuch*
        COMMAND LIST FILTERBY
        COMMAND LIST FILTERBY PATTERN
        COMMAND LIST FILTERBY NOSUCH x
        COMMAND LIST FILTERBY PATTERN a b
        COMMAND LIST FILTERBY PATTERN a FILTERBY ACLCAT hash
        COMMAND LIST nosuch
        COMMAND INFO config|get CONFIG|GET config|nosuch get|x config|get|x
        COMMAND DOCS config|get object|encoding nosuch
        COMMAND COUNT x
        COMMAND NOSUCH
        "#,
    );
}

#[test]
fn command_getkeys_and_flags() {
    diff_script(
        "getkeysandflags",
        r#"
        COMMAND GETKEYSANDFLAGS SET k v
        COMMAND GETKEYSANDFLAGS SET k v GET
        COMMAND GETKEYSANDFLAGS SET k v get
        COMMAND GETKEYSANDFLAGS GET k
        COMMAND GETKEYSANDFLAGS MSET a 1 b 2
        COMMAND GETKEYSANDFLAGS DEL a b c
        COMMAND GETKEYSANDFLAGS COPY a b
        COMMAND GETKEYSANDFLAGS RENAME a b
        COMMAND GETKEYSANDFLAGS SMOVE a b m
        COMMAND GETKEYSANDFLAGS SINTERSTORE d a b
        COMMAND GETKEYSANDFLAGS SINTERCARD 2 a b LIMIT 1
        COMMAND GETKEYSANDFLAGS ZUNIONSTORE d 2 a b WEIGHTS 1 2
        COMMAND GETKEYSANDFLAGS ZRANGESTORE d s 0 -1
        COMMAND GETKEYSANDFLAGS ZINTER 2 a b
        COMMAND GETKEYSANDFLAGS EVAL "return 1" 2 a b c
        COMMAND GETKEYSANDFLAGS EVALSHA abc 1 a
        COMMAND GETKEYSANDFLAGS EVAL_RO "return 1" 0
        COMMAND GETKEYSANDFLAGS OBJECT ENCODING k
        COMMAND GETKEYSANDFLAGS MEMORY USAGE k
        COMMAND GETKEYSANDFLAGS HSET h f v
        COMMAND GETKEYSANDFLAGS GETEX k PERSIST
        COMMAND GETKEYSANDFLAGS WATCH a b
        COMMAND GETKEYSANDFLAGS SPUBLISH ch msg
        COMMAND GETKEYSANDFLAGS PUBLISH ch msg
        COMMAND GETKEYSANDFLAGS CONFIG GET x
        COMMAND GETKEYSANDFLAGS CONFIG
        COMMAND GETKEYSANDFLAGS CONFIG nosuch
        COMMAND GETKEYSANDFLAGS ECHO
        COMMAND GETKEYSANDFLAGS GET
        COMMAND GETKEYSANDFLAGS GET a b
        COMMAND GETKEYSANDFLAGS NOSUCH a
        COMMAND GETKEYSANDFLAGS ZUNIONSTORE d 3 a b
        COMMAND GETKEYSANDFLAGS ZUNIONSTORE d -1 a b
        COMMAND GETKEYSANDFLAGS SINTERCARD 0 a
        COMMAND GETKEYSANDFLAGS EVAL s 1
        COMMAND GETKEYSANDFLAGS EVAL s x a
        COMMAND GETKEYS SPUBLISH ch msg
        COMMAND GETKEYS ECHO
        COMMAND GETKEYS CONFIG
        COMMAND GETKEYS OBJECT ENCODING k
        COMMAND GETKEYS EVAL s 0
        COMMAND GETKEYS ZRANGESTORE d s 0 -1
        COMMAND GETKEYSANDFLAGS
        COMMAND GETKEYSANDFLAGS SET
        "#,
    );
}

#[test]
fn command_getkeysandflags_resp3() {
    diff_resp3_script(
        "getkeysandflags_resp3",
        r#"
        COMMAND GETKEYSANDFLAGS SET k v GET
        COMMAND GETKEYSANDFLAGS ZUNIONSTORE d 2 a b
        sorted COMMAND LIST FILTERBY PATTERN config|*
        COMMAND INFO config|get
        COMMAND DOCS config|rewrite
        "#,
    );
}

/// COMMAND INFO and COMMAND DOCS of every (sub)command embedis has must be redis-server's, in both protocols:
/// this is what keeps the recorded metadata (src/engine/redis-commands.resp) current with our table.
#[test]
fn command_info_and_docs_match_redis_for_every_command() {
    let Some(redis) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let names = support::conn::bulks(&Conn::connect(embedis.addr()).cmd(&["COMMAND", "LIST"]));
    assert!(names.len() > 100, "COMMAND LIST: {names:?}");
    let mut mismatches = Vec::new();
    for resp3 in [false, true] {
        let (mut ours, mut theirs) = (Conn::connect(embedis.addr()), Conn::connect(redis.addr()));
        if resp3 {
            ours.cmd(&["HELLO", "3"]);
            theirs.cmd(&["HELLO", "3"]);
        }
        for name in &names {
            // A container lists its subcommands in the order of Redis's hash table, which varies between runs:
            // compared sorted (each subcommand is also compared on its own, exactly).
            let container = names.iter().any(|n| n.starts_with(&format!("{name}|")));
            let check = Check { sorted: container, ..Check::default() };
            for sub in ["INFO", "DOCS"] {
                let expected = theirs.cmd(&["COMMAND", sub, name]);
                // Commands newer than Redis 7.0 (CLIENT SETINFO) have nothing to compare with.
                if [&b"*1\r\n$-1\r\n"[..], b"*1\r\n_\r\n", b"*0\r\n", b"%0\r\n"].contains(&&expected[..]) {
                    continue;
                }
                let actual = ours.cmd(&["COMMAND", sub, name]);
                if compared_form(&actual, &check) != compared_form(&expected, &check) {
                    mismatches.push(format!(
                        "COMMAND {sub} {name} (RESP{}):\n  redis-server: {}\n  embedis:      {}",
                        if resp3 { 3 } else { 2 },
                        shown(&expected),
                        shown(&actual)
                    ));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{} differences:\n{}", mismatches.len(), mismatches.join("\n"));
}

fn shown(bytes: &[u8]) -> String {
    let text = bytes.escape_ascii().to_string();
    if text.len() > 600 {
        format!("{}... ({} bytes)", &text[..600], bytes.len())
    } else {
        text
    }
}

#[test]
fn debug_digest_reload_and_populate() {
    // DIGEST is Redis's own function of the data (keys, values, TTLs): equal digests = equal datasets.
    diff_script(
        "debug_digest",
        r#"
        DEBUG DIGEST
        DEBUG DIGEST-VALUE nosuch
        SET s hello
        SET n 12345
        SET big 123456789012345678901234567890
        HSET h f1 v1 f2 2
        SADD ints 1 2 3 -70000
        SADD words a b c
        ZADD z 1 a 2.5 b -inf c 1e300 d
        SET ttl x EX 1000
        SELECT 3
        SET other db
        SELECT 0
        DEBUG DIGEST
        DEBUG DIGEST-VALUE s n h ints words z ttl nosuch
        DEBUG DIGEST-VALUE
        CONFIG SET hash-max-listpack-entries 1 set-max-intset-entries 1 zset-max-listpack-entries 1
        HSET h2 a 1 b 2 c 3
        SADD ints2 1 2 3
        ZADD z2 1 a 2 b 3 c
        OBJECT ENCODING h2
        DEBUG DIGEST
        DEBUG RELOAD
        DEBUG DIGEST
        OBJECT ENCODING h2
        OBJECT ENCODING ints2
        OBJECT ENCODING z2
        CONFIG SET hash-max-listpack-entries 512 set-max-intset-entries 512 zset-max-listpack-entries 128
        DEBUG RELOAD
        OBJECT ENCODING h2
        OBJECT ENCODING ints2
        OBJECT ENCODING z2
        DEBUG DIGEST
        TTL ttl
        DEBUG RELOAD NOFLUSH MERGE
        DEBUG DIGEST
        DEBUG RELOAD foo
        DEBUG RELOAD MERGE foo
        FLUSHALL
        DEBUG POPULATE 20
        DBSIZE
        DEBUG DIGEST
        DEBUG POPULATE 5 pfx 12
        GET pfx:1
        GET key:19
        DEBUG POPULATE 3 pfx 3
        GET pfx:2
        DEBUG POPULATE 2 short 3
        GET short:0
        DEBUG POPULATE 0
        DEBUG POPULATE -1
        DEBUG POPULATE x
        DEBUG POPULATE 1 a b
        DEBUG POPULATE 1 a -1
        DEBUG POPULATE 1 a 1 1
        DEBUG POPULATE
        DEBUG DIGEST
        "#,
    );
}

#[test]
fn debug_small_subcommands() {
    diff_script(
        "debug_small",
        r#"
        DEBUG SLEEP 0
        DEBUG SLEEP 0.01
        DEBUG SLEEP abc
        DEBUG SET-ACTIVE-EXPIRE 0
        DEBUG SET-ACTIVE-EXPIRE x
        DEBUG SET-ACTIVE-EXPIRE 1
        DEBUG SET-ACTIVE-EXPIRE
        DEBUG LOG "hello from the test"
        DEBUG LOG
        DEBUG ERROR "CUSTOM my error"
        DEBUG ERROR "two\r\nlines"
        DEBUG ERROR ""
        DEBUG OBJECT nosuch
        DEBUG OBJECT
        DEBUG JMAP
        DEBUG NOSUCH
        DEBUG
        DEBUG PROTOCOL string
        DEBUG PROTOCOL INTEGER
        DEBUG PROTOCOL double
        DEBUG PROTOCOL bignum
        DEBUG PROTOCOL null
        DEBUG PROTOCOL array
        DEBUG PROTOCOL set
        DEBUG PROTOCOL map
        DEBUG PROTOCOL attrib
        DEBUG PROTOCOL push
        DEBUG PROTOCOL verbatim
        DEBUG PROTOCOL true
        DEBUG PROTOCOL false
        DEBUG PROTOCOL nosuch
        INFO errorstats
        "#,
    );
}

#[test]
fn debug_protocol_resp3() {
    diff_resp3_script(
        "debug_protocol_resp3",
        r#"
        DEBUG PROTOCOL string
        DEBUG PROTOCOL double
        DEBUG PROTOCOL bignum
        DEBUG PROTOCOL null
        DEBUG PROTOCOL set
        DEBUG PROTOCOL map
        DEBUG PROTOCOL verbatim
        DEBUG PROTOCOL true
        DEBUG PROTOCOL false
        !raw *3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$6\r\nattrib\r\n
        !raw *3\r\n$5\r\nDEBUG\r\n$8\r\nPROTOCOL\r\n$4\r\npush\r\n
        PING
        "#,
    );
}

/// DEBUG OBJECT's line has addresses and clocks; the rest (refcount, encoding, serializedlength) is compared:
/// strings, listpacks and intsets written (and LZF-compressed) as Redis writes them.
#[test]
fn debug_object_fields() {
    let Some(redis) = RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let setup: &[&[&str]] = &[
        &["SET", "s", "hello"],
        &["SET", "shared", "123"],
        &["SET", "n", "12345678901"],
        &["SET", "neg", "-40000"],
        &["SET", "long", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-+="],
        &["SET", "x100", &"x".repeat(100)],
        &["SET", "ab22", &"ab".repeat(11)],
        &["SET", "text", &"the quick brown fox jumps over the lazy dog; ".repeat(40)],
        &["SET", "x17", &"y".repeat(17)],
        &["SET", "x21", &"y".repeat(21)],
        &["SET", "x4k", &"0123456789abcdef".repeat(300)],
        &["HSET", "hlz", "a", &"v".repeat(60), "b", &"v".repeat(60), "n", "-100000", "big", "12345678901234"],
        &["ZADD", "zlz", "1", &"member".repeat(10), "2.5", &"member".repeat(9), "-3", "x"],
        &["SADD", "iwide", "1", "-70000", "5000000000", "3"],
        &["HSET", "h", "a", "1", "b", "hello"],
        &["SADD", "is", "1", "2", "300"],
        &["SADD", "wide", "1", "70000"],
        &["SADD", "ws", "a", "b", "c"],
        &["ZADD", "z", "1", "a", "2.5", "b"],
        &["CONFIG", "SET", "hash-max-listpack-entries", "0", "zset-max-listpack-entries", "0"],
        &["HSET", "ht", "a", "1", "bb", "22"],
        &["ZADD", "zs", "1", "a", "2", "b"],
    ];
    let keys =
        ["s", "shared", "n", "neg", "long", "x100", "ab22", "text", "x17", "x21", "x4k", "h", "is", "wide", "ws", "z"];
    let keys = [&keys[..], &["ht", "zs"]].concat();
    let fields = |addr| {
        let mut c = Conn::connect(addr);
        for cmd in setup {
            c.cmd(cmd);
        }
        keys.iter()
            .map(|k| {
                let line = String::from_utf8_lossy(&c.cmd(&["DEBUG", "OBJECT", k])).into_owned();
                // "+Value at:0x... refcount:1 encoding:... serializedlength:N lru:... lru_seconds_idle:..."
                let kept: Vec<&str> = line
                    .split_whitespace()
                    .filter(|f| f.starts_with("refcount:") || f.starts_with("encoding:") || f.starts_with("serialized"))
                    .collect();
                format!("{k}: {}", kept.join(" "))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(fields(embedis.addr()), fields(redis.addr()));
}

/// CONFIG SET port / bind listen at once, or fail with Redis's texts and keep the old settings.
#[test]
fn config_set_port_and_bind_that_cannot_listen() {
    diff_script(
        "config_set_port_bind_failures",
        r#"
        CONFIG SET bind 1.2.3.4
        mask(port) CONFIG GET bind
        CONFIG SET port 1 bind 1.2.3.4
        "#,
    );
}
