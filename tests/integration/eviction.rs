//! maxmemory under each policy, on an in-process server with a tiny limit: what gets evicted, what survives,
//! the OOM refusal, and evictions' traces (INFO, keyspace events, the AOF).

use crate::support::conn::bulks;
use crate::support::{info_u64 as info_field, Conn};
use std::time::Duration;

/// Room for about 1 MB of data beside the server's own base.
const LIMIT: &str = "2mb";

fn server(policy: &str) -> (embedis::blocking::ServerHandle, Conn) {
    let config = embedis::Config {
        loglevel: embedis::config::LogLevel::Nothing,
        enable_debug_command: embedis::config::Protection::Yes,
        save: Vec::new(),
        ..Default::default()
    };
    let server = embedis::blocking::Server::builder().with_config(config).port(0).start().unwrap();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory-policy", policy]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", LIMIT]), b"+OK\r\n");
    (server, c)
}

fn value() -> String {
    "v".repeat(200)
}

#[test]
fn allkeys_lru_keeps_the_keys_being_read() {
    let (_server, mut c) = server("allkeys-lru");
    for i in 0..20 {
        c.cmd(&["SET", &format!("hot:{i}"), &value()]);
    }
    // Writes of 20,000 cold keys (about 6 MB) while the hot keys keep being read.
    for i in 0..20_000 {
        assert_eq!(c.cmd(&["SET", &format!("cold:{i}"), &value()]), b"+OK\r\n", "allkeys-lru never refuses a write");
        if i % 50 == 0 {
            for h in 0..20 {
                c.cmd(&["GET", &format!("hot:{h}")]);
            }
        }
    }
    let used = info_field(&mut c, "memory", "used_memory");
    assert!(used <= 2 * 1024 * 1024, "used_memory {used} stays under maxmemory");
    assert!(info_field(&mut c, "stats", "evicted_keys") > 10_000);
    let hot: Vec<_> = (0..20).map(|i| format!("hot:{i}")).collect();
    let mut mget = vec!["MGET".to_string()];
    mget.extend(hot);
    let found = bulks(&c.cmd(&mget)).len();
    assert!(found >= 18, "the read keys survive: {found} of 20");
}

#[test]
fn noeviction_refuses_writes_but_reads_and_deletes_work() {
    let (_server, mut c) = server("noeviction");
    let mut stored = 0;
    let refused = loop {
        let reply = c.cmd(&["SET", &format!("k:{stored}"), &value()]);
        if reply != b"+OK\r\n" {
            break reply;
        }
        stored += 1;
        assert!(stored < 100_000, "the limit was never reached");
    };
    assert_eq!(refused, b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    assert_eq!(c.cmd(&["GET", "k:0"]), format!("$200\r\n{}\r\n", value()).as_bytes(), "no data lost");
    assert_eq!(c.cmd(&["DBSIZE"]), format!(":{stored}\r\n").as_bytes());
    // Not growing memory is allowed: DEL, and commands not flagged denyoom.
    let mut del = vec!["DEL".to_string()];
    // (Enough keys to make up for the keyspace's last growth, which can overshoot by tens of KB.)
    del.extend((0..300).map(|i| format!("k:{i}")));
    assert_eq!(c.cmd(&del), b":300\r\n");
    assert_eq!(c.cmd(&["SET", "again", "x"]), b"+OK\r\n", "room again after deleting");
    // Full again: a transaction holding a write is refused, and a script may not start writing.
    let mut i = 0;
    while c.cmd(&["SET", &format!("fill:{i}"), &value()]) == b"+OK\r\n" {
        i += 1;
        assert!(i < 100_000);
    }
    c.cmd(&["MULTI"]);
    assert_eq!(c.cmd(&["SET", "tx", "1"]), b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    assert_eq!(c.cmd(&["EXEC"]), b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    let script = c.cmd(&["EVAL", "return redis.call('SET', 'fromlua', '1')", "0"]);
    assert!(
        script.starts_with(b"-OOM command not allowed when used memory > 'maxmemory'."),
        "{}",
        String::from_utf8_lossy(&script)
    );
    assert_eq!(
        c.cmd(&["EVAL", "return redis.call('GET', 'k:300')", "0"]),
        format!("$200\r\n{}\r\n", value()).as_bytes(),
        "scripts may still read"
    );
}

#[test]
fn volatile_ttl_evicts_the_nearest_expiry_first_and_never_keys_without_ttl() {
    let (server, mut c) = server("volatile-ttl");
    // Enough samples to see every volatile key: the choice is then exact rather than approximated.
    c.cmd(&["CONFIG", "SET", "maxmemory-samples", "64"]);
    c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    let mut events = Conn::connect(server.addr());
    events.cmd(&["SUBSCRIBE", "__keyevent@0__:evicted"]);
    for i in (0..10).rev() {
        c.cmd(&["SET", &format!("v:{i}"), &value(), "EX", &(1000 * (i + 1)).to_string()]);
    }
    // Keys without a TTL fill the memory: the volatile ones go, nearest expiry first.
    let mut i = 0;
    while info_field(&mut c, "stats", "evicted_keys") < 10 {
        assert_eq!(c.cmd(&["SET", &format!("keep:{i}"), &value()]), b"+OK\r\n");
        i += 1;
        assert!(i < 50_000);
    }
    let order: Vec<String> = (0..10).map(|_| bulks(&events.read_reply_bytes())[2].clone()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("v:{i}")).collect();
    assert_eq!(order, expected, "evicted in the order of their expiry times");
    assert_eq!(c.cmd(&["EXISTS", "keep:0"]), b":1\r\n", "keys without a TTL are never evicted");
    // With only keys without TTL left to evict, writes are refused.
    let mut reply = Vec::new();
    for j in 0..100_000 {
        reply = c.cmd(&["SET", &format!("plain:{j}"), &value()]);
        if reply != b"+OK\r\n" {
            break;
        }
    }
    assert_eq!(reply, b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
}

#[test]
fn allkeys_lfu_keeps_the_frequently_read_and_object_freq_shows_it() {
    let (_server, mut c) = server("allkeys-lfu");
    c.cmd(&["SET", "popular", &value()]);
    for _ in 0..200 {
        c.cmd(&["GET", "popular"]);
    }
    let freq: i64 = String::from_utf8(c.cmd(&["OBJECT", "FREQ", "popular"])).unwrap()[1..].trim().parse().unwrap();
    assert!(freq > 5, "the counter grew from LFU_INIT_VAL: {freq}");
    for i in 0..20_000 {
        c.cmd(&["SET", &format!("once:{i}"), &value()]);
    }
    assert_eq!(c.cmd(&["EXISTS", "popular"]), b":1\r\n");
    assert_eq!(
        c.cmd(&["OBJECT", "IDLETIME", "popular"]),
        b"-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"
    );
}

#[test]
fn random_policies_evict_and_volatile_ones_need_ttls() {
    let (_server, mut c) = server("allkeys-random");
    for i in 0..20_000 {
        assert_eq!(c.cmd(&["SET", &format!("k:{i}"), &value()]), b"+OK\r\n");
    }
    assert!(info_field(&mut c, "stats", "evicted_keys") > 10_000);
    for policy in ["volatile-random", "volatile-lru", "volatile-lfu"] {
        let (_server, mut c) = server(policy);
        let mut reply = Vec::new();
        for j in 0..100_000 {
            reply = c.cmd(&["SET", &format!("plain:{j}"), &value()]);
            if reply != b"+OK\r\n" {
                break;
            }
        }
        assert_eq!(reply, b"-OOM command not allowed when used memory > 'maxmemory'.\r\n", "{policy}");
    }
}

#[test]
fn lowering_maxmemory_evicts_down_to_it_and_evictions_are_announced() {
    let (server, mut c) = server("allkeys-lru");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "0"]), b"+OK\r\n");
    for i in 0..5000 {
        c.cmd(&["SET", &format!("k:{i}"), &value()]);
    }
    let mut events = Conn::connect(server.addr());
    c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    events.cmd(&["SUBSCRIBE", "__keyevent@0__:evicted"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", LIMIT]), b"+OK\r\n");
    // Each command evicts within its time budget; the cron finishes the job.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while info_field(&mut c, "memory", "used_memory") > 2 * 1024 * 1024 {
        assert!(std::time::Instant::now() < deadline, "still over maxmemory");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(info_field(&mut c, "stats", "evicted_keys") > 1000);
    let first = bulks(&events.read_reply_bytes());
    assert_eq!(&first[..2], ["message", "__keyevent@0__:evicted"]);
}
