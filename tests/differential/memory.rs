//! MEMORY and INFO memory. Byte counts are ours (estimates), so they are compared by shape; error texts,
//! nils, fixed texts and the names and order of every field are compared exactly.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn, RedisServer};

#[test]
fn memory_usage_options_and_nil() {
    diff_script(
        "memory_usage",
        r#"
        MEMORY USAGE nokey
        MEMORY USAGE
        MEMORY USAGE nokey SAMPLES
        MEMORY USAGE nokey SAMPLES -1
        MEMORY USAGE nokey SAMPLES x
        MEMORY USAGE nokey SAMPLES 9223372036854775808
        MEMORY USAGE nokey SAMPLES ""
        MEMORY USAGE nokey FOO 1
        MEMORY USAGE nokey samples 1 samples x
        MEMORY USAGE nokey samples x samples -1
        MEMORY USAGE nokey samples -1 samples x
        MEMORY USAGE nokey samples 5 samples
        MEMORY USAGE nokey samples 0
        MEMORY usage nokey Samples 9223372036854775807
        SET s hello
        ~ MEMORY USAGE s
        ~ MEMORY USAGE s SAMPLES 0
        ~ memory usage s samples 1 SAMPLES 100
        MEMORY USAGE s samples -5
        MEMORY USAGE s bar
        HSET h a 1
        ~ MEMORY USAGE h
        SADD st 1 2
        ~ MEMORY USAGE st SAMPLES 1
        ZADD z 1 a
        ~ MEMORY USAGE z SAMPLES 0
        SELECT 1
        MEMORY USAGE s
        "#,
    );
}

#[test]
fn memory_usage_measures_expired_keys_not_yet_deleted() {
    // Redis reads the dict directly: an expired key is measured, and left for the next real lookup.
    diff_script(
        "memory_usage_expired",
        r#"
        DEBUG SET-ACTIVE-EXPIRE 0
        SET e v PX 1
        !sleep 20
        ~ MEMORY USAGE e
        DBSIZE
        EXISTS e
        DBSIZE
        MEMORY USAGE e
        DEBUG SET-ACTIVE-EXPIRE 1
        "#,
    );
}

#[test]
fn memory_subcommands() {
    // An instance of a few keys is "empty" (under 5 MB) on both sides: the doctor's text is exact.
    diff_script(
        "memory_subcommands",
        r#"
        MEMORY
        MEMORY foo
        MEMORY foo bar
        MEMORY HELP
        memory help
        MEMORY HELP x
        MEMORY PURGE
        MEMORY PURGE x
        MEMORY DOCTOR
        SET a 1
        MEMORY DOCTOR
        MEMORY DOCTOR x
        ~ MEMORY MALLOC-STATS
        MEMORY MALLOC-STATS x
        ~ MEMORY STATS
        MEMORY STATS x
        SELECT 3
        SET b 2 EX 100
        ~ MEMORY STATS
        FLUSHALL
        ~ MEMORY STATS
        "#,
    );
}

#[test]
fn memory_resp3_shapes() {
    // MALLOC-STATS is left out: jemalloc's report is a verbatim string, a libc build's a bulk string.
    diff_resp3_script(
        "memory_resp3",
        r#"
        MEMORY USAGE nokey
        SET a 1
        ~ MEMORY USAGE a
        MEMORY DOCTOR
        ~ MEMORY STATS
        SET b 2 EX 100
        ~ MEMORY STATS
        MEMORY PURGE
        MEMORY HELP
        "#,
    );
}

/// The names of a MEMORY STATS reply (RESP2) in order, nested maps' included: its bulk strings that are not
/// numbers (the doubles).
fn stats_names(reply: &[u8]) -> Vec<String> {
    support::conn::bulks(reply).into_iter().filter(|b| b.parse::<f64>().is_err()).collect()
}

/// INFO memory as (name, value) pairs, in order.
fn info_memory(conn: &mut Conn) -> Vec<(String, String)> {
    let reply = conn.cmd(&["INFO", "memory"]);
    // One bulk string (`$len\r\n...`) whose text holds `\r\n`s of its own.
    let start = reply.windows(2).position(|w| w == b"\r\n").map_or(0, |p| p + 2);
    let text = String::from_utf8_lossy(&reply[start..reply.len().saturating_sub(2)]).into_owned();
    let fields: Vec<(String, String)> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    assert!(fields.len() > 40, "INFO memory from {}: {text:?}", conn.addr());
    fields
}

fn names(fields: &[(String, String)]) -> Vec<&str> {
    fields.iter().map(|(name, _)| name.as_str()).collect()
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

/// A value's format by field: byte counts, `%.2f` ratios and percentages, bytesToHuman sizes.
fn check_format(name: &str, value: &str) {
    let two_decimals = |v: &str| v.split_once('.').is_some_and(|(i, d)| i.parse::<u64>().is_ok() && d.len() == 2);
    let ok = if name.ends_with("_human") {
        value.strip_suffix('B').is_some_and(|n| n.parse::<u64>().is_ok())
            || value.strip_suffix(['K', 'M', 'G', 'T', 'P']).is_some_and(two_decimals)
    } else if name.ends_with("_perc") {
        value.strip_suffix('%').is_some_and(two_decimals)
    } else if name.ends_with("_ratio") {
        two_decimals(value)
    } else if matches!(name, "maxmemory_policy" | "mem_allocator") {
        !value.is_empty()
    } else {
        value.parse::<i64>().is_ok()
    };
    assert!(ok, "INFO memory {name}:{value} is not in Redis's format");
}

/// Fields whose values do not depend on the implementation's byte counts.
const EXACT_FIELDS: &[&str] = &[
    "total_system_memory",
    "total_system_memory_human",
    "number_of_cached_scripts",
    "number_of_functions",
    "number_of_libraries",
    "maxmemory",
    "maxmemory_human",
    "maxmemory_policy",
    "mem_not_counted_for_evict",
    "mem_replication_backlog",
    "mem_total_replication_buffers",
    "mem_clients_slaves",
    "mem_cluster_links",
    "mem_aof_buffer",
    "active_defrag_running",
    "lazyfree_pending_objects",
    "lazyfreed_objects",
];

#[test]
fn info_memory_and_memory_stats_have_redis_fields() {
    let Some(oracle) = RedisServer::start() else { return };
    let target = support::start_embedis();
    let mut conns = [Conn::connect(oracle.addr()), Conn::connect(target.addr())];
    let setups: [&[&[&str]]; 3] = [
        &[],
        &[&["SET", "a", "1"], &["SELECT", "2"], &["SET", "b", "2", "EX", "100"], &["SELECT", "0"]],
        &[&["CONFIG", "SET", "maxmemory", "3gb"], &["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]],
    ];
    for setup in setups {
        for conn in &mut conns {
            for cmd in setup {
                assert!(!conn.cmd(cmd).starts_with(b"-"), "{cmd:?}");
            }
        }
        let [redis, ours] = conns.each_mut().map(info_memory);
        assert_eq!(names(&ours), names(&redis), "INFO memory field names and order");
        for (name, v) in &ours {
            check_format(name, v);
        }
        for name in EXACT_FIELDS {
            assert_eq!(value(&ours, name), value(&redis, name), "INFO memory {name}");
        }
        let [redis, ours] = conns.each_mut().map(|c| stats_names(&c.cmd(&["MEMORY", "STATS"])));
        assert!(redis.len() >= 27, "MEMORY STATS names: {redis:?}");
        assert_eq!(ours, redis, "MEMORY STATS field names and order");
    }
}

#[test]
fn info_memory_numbers_hold_together() {
    let target = support::start_embedis();
    let mut conn = Conn::connect(target.addr());
    for i in 0..200 {
        conn.cmd(&["SET", &format!("key:{i}"), &"v".repeat(100)]);
    }
    let info = info_memory(&mut conn);
    let num = |name: &str| value(&info, name).parse::<u64>().unwrap_or_else(|_| panic!("{name} in {info:?}"));
    let used = num("used_memory");
    assert!(num("used_memory_peak") >= used);
    assert_eq!(num("used_memory_overhead") + num("used_memory_dataset"), used);
    assert!(num("used_memory_dataset") >= 200 * 100, "the values are in the dataset");
    assert!(num("used_memory_startup") < used);
    assert_eq!(num("allocator_allocated"), used);
}

/// Over maxmemory with nothing to evict: Redis's OOM error for commands that may grow memory, in a transaction
/// and in a script; reads, deletes and other commands still run.
#[test]
fn oom_refusals_under_noeviction() {
    super::diff_script(
        "oom_refusals_under_noeviction",
        r#"
        SET before 1
        CONFIG SET maxmemory-policy noeviction
        CONFIG SET maxmemory 1
        SET k v
        INCR before
        HSET h f v
        GET before
        EXISTS before
        DEL before
        PING
        MULTI
        SET k v
        EXEC
        MULTI
        GET k
        EXEC
        EVAL "return redis.call('set', 'a', '1')" 0
        EVAL "return redis.pcall('set', 'a', '1')" 0
        EVAL "return redis.call('get', 'a')" 0
        CONFIG SET maxmemory-policy allkeys-lru
        SET k v
        CONFIG SET maxmemory 0
        SET k v
        "#,
    );
}

/// Every INFO section has Redis 7.0's field names in Redis's order (redis_exporter-style parsers find what they
/// read); embedis adds only `embedis_version` in the server section.
#[test]
fn every_info_section_has_redis_fields() {
    let Some(oracle) = RedisServer::start() else { return };
    let target = support::start_embedis();
    let mut conns = [Conn::connect(oracle.addr()), Conn::connect(target.addr())];
    for conn in &mut conns {
        conn.cmd(&["SET", "k", "v"]);
        conn.cmd(&["GET", "k"]);
        conn.cmd(&["NOSUCHCOMMAND"]);
    }
    let sections =
        ["server", "clients", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "keyspace"];
    for section in sections {
        let [redis, ours] = conns.each_mut().map(|c| {
            let reply = c.cmd(&["INFO", section]);
            let text = String::from_utf8_lossy(&reply).into_owned();
            text.lines()
                .skip(1)
                .filter(|l| !l.starts_with('#') && l.contains(':'))
                .map(|l| l.split(':').next().unwrap_or_default().to_string())
                .filter(|name| name != "embedis_version")
                .collect::<Vec<_>>()
        });
        assert_eq!(ours, redis, "INFO {section}");
    }
}
