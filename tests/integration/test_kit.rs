//! `embedis::test`: the guard, the clock, seeds, crash and replay, direct access, fault injection.

use crate::support::{info_u64, Conn};
use embedis::test::Server;
use std::time::{Duration, UNIX_EPOCH};

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("expected a panic");
    err.downcast_ref::<String>().cloned().or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string())).unwrap()
}

fn sync_client(server: &Server) -> redis::Connection {
    redis::Client::open(server.url()).unwrap().get_connection().unwrap()
}

// --- the guard ---

#[test]
fn the_guard_owns_a_directory_and_a_port_and_drops_both() {
    let server = Server::start();
    let (dir, addr) = (server.dir().to_path_buf(), server.addr());
    assert!(dir.is_dir());
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    assert!(server.log_tail(50).contains("Ready to accept connections"), "{}", server.log_tail(50));
    drop(server);
    assert!(!dir.exists(), "the directory is removed");
    assert!(std::net::TcpStream::connect(addr).is_err(), "the port is closed");
}

#[tokio::test]
async fn the_async_form_starts_and_serves_an_async_client() {
    let mut server = Server::builder().config("appendonly", "yes").config("appendfsync", "always").start_async().await;
    let mut con = redis::Client::open(server.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("SET").arg("k").arg("v").query_async(&mut con).await.unwrap();
    server.check_get("k", "v");
    // The blocking controls work inside a runtime too.
    server.crash();
    server.restart();
    let mut con = redis::Client::open(server.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let v: String = redis::cmd("GET").arg("k").query_async(&mut con).await.unwrap();
    assert_eq!(v, "v");
}

#[test]
fn builder_directives_are_applied_and_bad_ones_say_why() {
    let server = Server::builder()
        .config("maxmemory", "1mb")
        .config("maxmemory-policy", "allkeys-lru")
        .config("save", "")
        .config("client-output-buffer-limit", "pubsub 1mb 512kb 10")
        .start();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxmemory"]), b"*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "save"]), b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    let limits = String::from_utf8(c.cmd(&["CONFIG", "GET", "client-output-buffer-limit"])).unwrap();
    assert!(limits.contains("pubsub 1048576 524288 10"), "{limits}");
    let message = panic_message(|| {
        Server::builder().config("maxmemory-policy", "sometimes");
    });
    assert!(message.contains("bad directive `maxmemory-policy sometimes`"), "{message}");
}

// --- the clock ---

#[test]
fn advancing_a_frozen_clock_expires_keys_and_publishes_expired_events() {
    let server = Server::builder().config("notify-keyspace-events", "Ex").frozen_clock().start();
    let mut sub = Conn::connect(server.addr());
    sub.cmd(&["SUBSCRIBE", "__keyevent@0__:expired"]);
    server.set("session", "alice");
    server.expire("session", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(server.ttl("session"), Some(Duration::from_secs(30)), "a frozen clock does not move by itself");
    server.advance_time(Duration::from_millis(29_999));
    server.check_get("session", "alice");
    server.advance_time(Duration::from_millis(1));
    // Gone without anyone reading it: the active cycle ran before `advance` returned.
    assert!(!server.exists("session"));
    let event = sub.read_reply_bytes();
    assert_eq!(event, b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$7\r\nsession\r\n");
}

#[test]
fn time_idle_times_and_lfu_decay_follow_the_clock() {
    let server = Server::builder().config("maxmemory-policy", "allkeys-lfu").frozen_clock().start();
    let start = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    server.set_time(start);
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["TIME"]), b"*2\r\n$10\r\n2000000000\r\n$1\r\n0\r\n");
    server.set("k", "v");
    for _ in 0..100 {
        c.cmd(&["GET", "k"]);
    }
    let freq = |c: &mut Conn| String::from_utf8(c.cmd(&["OBJECT", "FREQ", "k"])).unwrap();
    let before: i64 = freq(&mut c).trim_start_matches(':').trim().parse().unwrap();
    assert!(before > 5, "{before}");
    server.advance_time(Duration::from_secs(3 * 60));
    let after: i64 = freq(&mut c).trim_start_matches(':').trim().parse().unwrap();
    assert_eq!(after, before - 3, "one decrement per minute (lfu-decay-time 1)");
    assert_eq!(server.now(), start + Duration::from_secs(180));

    let server = Server::builder().frozen_clock().start();
    server.set("k", "v");
    server.advance_time(Duration::from_secs(42));
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "k"]), b":42\r\n");
}

#[test]
fn a_resumed_clock_runs_on_from_where_it_stood() {
    let server = Server::start();
    server.freeze();
    let past = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    server.set_time(past);
    server.resume();
    std::thread::sleep(Duration::from_millis(30));
    let now = server.now().duration_since(past).unwrap();
    assert!(now >= Duration::from_millis(30) && now < Duration::from_secs(5), "{now:?}");
    let mut c = Conn::connect(server.addr());
    assert!(String::from_utf8(c.cmd(&["TIME"])).unwrap().contains("$10\r\n100000000"));
}

// --- randomness ---

/// SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and RANDOMKEY as a client sees them.
fn random_picks(server: &Server) -> Vec<Vec<u8>> {
    let mut c = Conn::connect(server.addr());
    for i in 0..200 {
        server.sadd("s", format!("m{i}"));
        server.hset("h", format!("f{i}"), "v");
        server.zadd("z", i as f64, format!("m{i}"));
        server.set(format!("key:{i}"), "v");
    }
    let mut picks = Vec::new();
    for _ in 0..20 {
        picks.push(c.cmd(&["SPOP", "s"]));
        picks.push(c.cmd(&["SRANDMEMBER", "s", "3"]));
        picks.push(c.cmd(&["HRANDFIELD", "h", "-2"]));
        picks.push(c.cmd(&["ZRANDMEMBER", "z"]));
        picks.push(c.cmd(&["RANDOMKEY"]));
    }
    picks.push(c.cmd(&["SCAN", "0", "COUNT", "50"]));
    picks
}

#[test]
fn the_same_seed_gives_the_same_random_choices() {
    let a = random_picks(&Server::builder().seed(42).start());
    let b = random_picks(&Server::builder().seed(42).start());
    assert_eq!(a, b);
    let mut reseeded = Server::start();
    reseeded.seed(42);
    assert_eq!(random_picks(&reseeded), a, "seeding a running server");
    let other = random_picks(&Server::builder().seed(43).start());
    assert_ne!(other, a, "another seed, other choices");
}

/// The keys left after allkeys-random evicted most of 2,000.
fn survivors(seed: u64) -> Vec<bytes::Bytes> {
    let server =
        Server::builder().config("maxmemory", "2mb").config("maxmemory-policy", "allkeys-random").seed(seed).start();
    for i in 0..2000 {
        server.set(format!("key:{i}"), "v".repeat(1000));
    }
    let keys = server.keys("*");
    assert!(keys.len() < 1500, "evictions happened: {}", keys.len());
    keys
}

#[test]
fn the_same_seed_evicts_the_same_keys() {
    assert_eq!(survivors(5), survivors(5));
    assert_ne!(survivors(5), survivors(6));
}

#[test]
fn debug_seed_from_a_client_makes_spop_repeatable() {
    let pops = || {
        let server = Server::start();
        let mut c = Conn::connect(server.addr());
        assert_eq!(c.cmd(&["DEBUG", "SEED", "7"]), b"+OK\r\n");
        c.cmd(&["SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h"]);
        (0..8).map(|_| c.cmd(&["SPOP", "s"])).collect::<Vec<_>>()
    };
    assert_eq!(pops(), pops());
}

// --- crash and replay ---

fn aof_server(fsync: &str) -> Server {
    Server::builder().config("appendonly", "yes").config("appendfsync", fsync).frozen_clock().start()
}

#[test]
fn crash_with_appendfsync_always_keeps_every_acknowledged_write() {
    let mut server = aof_server("always");
    let mut c = sync_client(&server);
    for i in 0..50 {
        let _: () = redis::cmd("SET").arg(format!("k{i}")).arg(i).query(&mut c).unwrap();
    }
    server.crash();
    assert!(server.crashed());
    assert!(redis::cmd("PING").query::<String>(&mut c).is_err(), "the connection is gone");
    server.restart();
    assert_eq!(server.keys("k*").len(), 50);
    server.check_get("k49", "49");
}

#[test]
fn crash_with_appendfsync_everysec_loses_what_came_after_the_last_fsync() {
    let mut server = aof_server("everysec");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["SET", "before", "1"]), b"+OK\r\n");
    // The clock drives the once-a-second fsync: a second passes, the file is fsynced.
    server.advance_time(Duration::from_secs(1));
    assert_eq!(c.cmd(&["SET", "after", "2"]), b"+OK\r\n");
    std::thread::sleep(Duration::from_millis(300));
    server.crash();
    server.restart();
    server.check_get("before", "1");
    server.assert_key("after", "none");
}

#[test]
fn crash_with_appendfsync_no_loses_everything_not_fsynced_but_a_clean_stop_loses_nothing() {
    let mut server = aof_server("no");
    server.set("a", "1");
    server.advance_time(Duration::from_secs(10));
    server.crash();
    server.restart();
    server.assert_key("a", "none");
    // A clean shutdown fsyncs.
    server.set("b", "2");
    server.stop();
    server.restart();
    server.check_get("b", "2");
}

/// `kill` is `kill -9` without a power loss: whatever was written survives, fsynced or not, so with `everysec`
/// and `no` every acknowledged write is back after the restart (where `crash` loses what no fsync covered).
#[test]
fn kill_keeps_every_acknowledged_write_whatever_the_fsync_policy() {
    for fsync in ["everysec", "no"] {
        let mut server = aof_server(fsync);
        let mut c = Conn::connect(server.addr());
        for i in 0..20 {
            assert_eq!(c.cmd(&["SET", &format!("k{i}"), &i.to_string()]), b"+OK\r\n");
        }
        server.kill();
        assert!(server.crashed());
        assert!(c.try_cmd(&["PING"], Duration::from_secs(2)).is_err(), "the connection is gone");
        server.restart();
        assert_eq!(server.keys("k*").len(), 20, "appendfsync {fsync}");
        server.check_get("k19", "19");
        // The same writes and a crash (power loss): nothing was fsynced with the clock frozen.
        let mut c = Conn::connect(server.addr());
        assert_eq!(c.cmd(&["SET", "late", "1"]), b"+OK\r\n");
        server.crash();
        server.restart();
        server.assert_key("late", "none");
    }
}

#[test]
fn restart_keeps_the_port_the_clock_and_the_directory() {
    let mut server = Server::builder().config("appendonly", "yes").frozen_clock().start();
    let (port, dir) = (server.port(), server.dir().to_path_buf());
    server.set("k", "v");
    server.expire("k", Duration::from_secs(100));
    server.advance_time(Duration::from_secs(60));
    let now = server.now();
    server.restart();
    assert_eq!((server.port(), server.dir()), (port, dir.as_path()));
    assert_eq!(server.now(), now);
    assert_eq!(server.ttl("k"), Some(Duration::from_secs(40)));
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
}

#[test]
fn crash_at_aof_offset_leaves_a_half_written_record_that_loading_cuts_off() {
    let mut server = aof_server("always");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["SET", "first", "1"]), b"+OK\r\n");
    let size = info_u64(&mut c, "persistence", "aof_current_size");
    server.crash_at_aof_offset(size + 10);
    assert!(!server.crashed(), "armed, not yet reached");
    c.send(&["SET", "second", "2"]);
    assert!(c.try_read_reply_bytes(Duration::from_secs(2)).is_err(), "no reply: the server died mid-write");
    crate::support::eventually("the crash", || server.crashed());
    let incr = std::fs::read_dir(server.dir().join("appendonlydir"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".incr.aof"))
        .unwrap();
    let bytes = std::fs::read(&incr).unwrap();
    let tail = b"$1\r\n1\r\n*3\r\n$3\r\nSE";
    assert!(bytes.ends_with(tail), "cut 10 bytes into the record: {:?}", String::from_utf8_lossy(&bytes));
    server.restart();
    server.check_get("first", "1");
    server.assert_key("second", "none");
    assert!(server.log_tail(30).contains("Truncating the AOF"), "{}", server.log_tail(30));

    // An offset already written: the file is cut back there at once.
    let mut c = Conn::connect(server.addr());
    let start = info_u64(&mut c, "persistence", "aof_current_size");
    assert_eq!(c.cmd(&["SET", "third", "3"]), b"+OK\r\n");
    server.crash_at_aof_offset(start + 5);
    assert!(server.crashed());
    server.restart();
    server.assert_key("third", "none");
    server.check_get("first", "1");
}

#[test]
fn crash_at_an_offset_before_the_current_file_is_refused() {
    let mut server = aof_server("always");
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "k", "v"]);
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    crate::support::eventually("the rewrite", || info_u64(&mut c, "persistence", "aof_rewrite_in_progress") == 0);
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.crash_at_aof_offset(0)));
    assert!(message.contains("before the current incremental file"), "{message}");
    let mut plain = Server::start();
    let message = panic_message(std::panic::AssertUnwindSafe(|| plain.crash_at_aof_offset(10)));
    assert!(message.contains("the AOF is off"), "{message}");
}

// --- direct access ---

#[test]
fn direct_access_reads_what_clients_wrote_and_writes_what_clients_read() {
    let server = Server::builder().frozen_clock().start();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["HSET", "user:1", "name", "bob", "age", "42"]);
    c.cmd(&["SADD", "tags", "b", "a", "c"]);
    c.cmd(&["ZADD", "board", "2.5", "carol", "1", "alice", "inf", "zed"]);
    c.cmd(&["SET", "session", "x", "PX", "1500"]);
    assert_eq!(server.hget("user:1", "name").unwrap(), "bob");
    assert_eq!(server.hget("user:1", "nope"), None);
    assert_eq!(server.smembers("tags"), ["a", "b", "c"]);
    assert_eq!(server.smembers("missing"), Vec::<bytes::Bytes>::new());
    let board = server.zrange_with_scores("board");
    assert_eq!(board, [("alice".into(), 1.0), ("carol".into(), 2.5), ("zed".into(), f64::INFINITY)]);
    assert_eq!(server.ttl("session"), Some(Duration::from_millis(1500)));
    assert_eq!(server.ttl("tags"), None);
    assert_eq!(server.keys("*a*"), ["board", "tags"]);
    assert_eq!(server.get("session").unwrap(), "x");
    let message = panic_message(std::panic::AssertUnwindSafe(|| {
        server.get("tags");
    }));
    assert_eq!(message, "key tags holds a set, not a string");

    server.set("greeting", "hello");
    assert_eq!(c.cmd(&["GET", "greeting"]), b"$5\r\nhello\r\n");
    c.cmd(&["RPUSH", "queue", "job1", "job2"]);
    server.lpush("queue", "job0");
    server.rpush("queue", "job3");
    assert_eq!(server.lrange("queue"), ["job0", "job1", "job2", "job3"]);
    assert_eq!(c.cmd(&["LPOP", "queue"]), b"$4\r\njob0\r\n");
    server.assert_key("queue", "list \"job1\" \"job2\" \"job3\"");
    server.flush_all();
    assert_eq!(c.cmd(&["DBSIZE"]), b":0\r\n");
    assert!(server.keys("*").is_empty());
}

#[test]
fn select_moves_direct_access_to_another_database() {
    let server = Server::start();
    server.select(2);
    server.set("k", "two");
    assert_eq!(server.keys("*"), ["k"]);
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "k"]), b"$-1\r\n");
    c.cmd(&["SELECT", "2"]);
    assert_eq!(c.cmd(&["GET", "k"]), b"$3\r\ntwo\r\n");
    server.select(0);
    assert!(!server.exists("k"));
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.select(16)));
    assert_eq!(message, "select(16): the server has 16 databases");
}

#[test]
fn snapshot_and_dump_are_sorted_and_stable() {
    let server = Server::builder().frozen_clock().start();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SADD", "tags", "b", "a"]);
    c.cmd(&["HSET", "user:1", "name", "bob", "age", "42"]);
    c.cmd(&["ZADD", "board", "2", "carol", "1.5", "alice"]);
    c.cmd(&["SET", "bin", "a\r\nb", "PX", "5000"]);
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "other", "db"]);
    assert_eq!(
        server.snapshot(),
        "0 \"bin\" string \"a\\r\\nb\" pttl=5000\n\
         0 \"board\" zset \"alice\"=1.5 \"carol\"=2\n\
         0 \"tags\" set \"a\" \"b\"\n\
         0 \"user:1\" hash \"age\"=\"42\" \"name\"=\"bob\"\n\
         3 \"other\" string \"db\"\n"
    );
    assert_eq!(
        server.dump(),
        "db0 (4 keys)\n  \"bin\" string \"a\\r\\nb\" (expires in 5000 ms)\n  \"board\" zset (2 items)\n    \
         \"alice\"=1.5\n    \"carol\"=2\n  \"tags\" set (2 items)\n    \"a\"\n    \"b\"\n  \"user:1\" hash (2 items)\n    \
         \"age\"=\"42\"\n    \"name\"=\"bob\"\ndb3 (1 keys)\n  \"other\" string \"db\"\n"
    );
}

#[test]
fn assertion_helpers_explain_what_differs() {
    let server = Server::start();
    server.hset("cart", "apples", "3");
    server.assert_key("cart", "hash \"apples\"=\"3\"");
    server.assert_key("missing", "none");
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.assert_key("cart", "hash \"apples\"=\"4\"")));
    assert!(
        message.starts_with("key cart differs\n  expected: hash \"apples\"=\"4\"\n  actual:   hash \"apples\"=\"3\"")
    );
    assert!(message.contains("keyspace:\ndb0 (1 keys)"), "{message}");
    server.set("k", "v");
    server.check_get("k", "v");
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.check_get("k", "w")));
    assert_eq!(message, "GET k expected string \"w\", found string \"v\"");
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.check_get("cart", "w")));
    assert_eq!(message, "GET cart expected string \"w\", found hash \"apples\"=\"3\"");
    let message = panic_message(std::panic::AssertUnwindSafe(|| server.check_get("nothing", "w")));
    assert_eq!(message, "GET nothing expected string \"w\", found none");
}

#[test]
fn direct_writes_are_persisted_and_notified_like_a_clients() {
    let mut server = Server::builder().config("appendonly", "yes").config("notify-keyspace-events", "KA").start();
    let mut sub = Conn::connect(server.addr());
    sub.cmd(&["SUBSCRIBE", "__keyspace@0__:k"]);
    server.set("k", "v");
    assert_eq!(sub.read_reply_bytes(), b"*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n");
    server.stop();
    server.restart();
    server.check_get("k", "v");
}

// --- fault injection ---

#[test]
fn fail_next_makes_the_next_matching_command_fail_once() {
    let server = Server::start();
    let mut c = sync_client(&server);
    server.set("k", "v");
    server.fail_next("get", "READONLY You can't write against a read only replica.");
    server.fail_next("CLIENT LIST", "ERR injected");
    let _: String = redis::cmd("PING").query(&mut c).unwrap();
    let err = redis::cmd("GET").arg("k").query::<String>(&mut c).unwrap_err();
    assert_eq!(err.code(), Some("READONLY"), "{err}");
    assert_eq!(redis::cmd("GET").arg("k").query::<String>(&mut c).unwrap(), "v", "only once");
    let _: String = redis::cmd("CLIENT").arg("INFO").query(&mut c).unwrap();
    let err = redis::cmd("CLIENT").arg("LIST").query::<String>(&mut c).unwrap_err();
    assert!(err.to_string().contains("injected"), "{err}");
}

#[test]
fn pause_for_makes_clients_time_out_then_answers_again() {
    let server = Server::start();
    let mut con = sync_client(&server);
    con.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    server.pause_for(Duration::from_millis(300));
    let err = redis::cmd("PING").query::<String>(&mut con).unwrap_err();
    assert!(err.is_timeout(), "{err}");
    std::thread::sleep(Duration::from_millis(300));
    let _: String = redis::cmd("PING").query(&mut sync_client(&server)).unwrap();

    let mut c = Conn::connect(server.addr());
    server.pause_for(Duration::from_millis(600));
    c.send(&["PING"]);
    assert!(c.try_read_reply_bytes(Duration::from_millis(200)).is_err(), "no answer during the pause");
    assert_eq!(c.try_read_reply_bytes(Duration::from_secs(5)).unwrap(), b"+PONG\r\n", "answered after it");
}

#[test]
fn drop_connections_closes_every_client() {
    let server = Server::start();
    let mut c = sync_client(&server);
    let _: String = redis::cmd("PING").query(&mut c).unwrap();
    server.drop_connections();
    let err = redis::cmd("PING").query::<String>(&mut c).unwrap_err();
    assert!(err.is_io_error() || err.is_connection_dropped(), "{err}");
    let mut again = sync_client(&server);
    let _: String = redis::cmd("PING").query(&mut again).unwrap();
}

/// The README's example, as written there.
#[test]
fn readme_example() {
    // 127.0.0.1, a free port, a temporary directory (removed on drop). On a failing test the guard
    // prints the server's last log lines.
    let mut server = Server::builder()
        .config("appendonly", "yes") // any redis.conf directive
        .config("appendfsync", "everysec")
        .frozen_clock() // time moves only when the test says so
        .seed(42) // SPOP, SRANDMEMBER, RANDOMKEY, sampling: repeatable
        .start(); // or `.start_async().await` in a #[tokio::test]
    let mut con = redis::Client::open(server.url()).unwrap().get_connection().unwrap();

    let _: () = redis::cmd("SET").arg("session:1").arg("alice").arg("EX").arg(60).query(&mut con).unwrap();
    server.advance_time(Duration::from_secs(59));
    server.check_get("session:1", "alice"); // direct access, readable failure messages
    server.advance_time(Duration::from_secs(1)); // expired: gone, `expired` event published
    server.assert_key("session:1", "none");

    server.set("user:1:name", "bob");
    server.advance_time(Duration::from_secs(1)); // everysec's fsync follows the server's clock
    server.set("user:2:name", "eve"); // written, not yet fsynced
    server.crash(); // kill -9 plus power loss
    server.restart(); // same directory, port, clock and seed
    server.check_get("user:1:name", "bob");
    server.assert_key("user:2:name", "none");
    assert_eq!(server.snapshot(), "0 \"user:1:name\" string \"bob\"\n"); // sorted, stable: golden tests

    // Fault injection, seen by a real client.
    let mut con = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
    server.fail_next("GET", "READONLY You can't write against a read only replica.");
    let err = redis::cmd("GET").arg("user:1:name").query::<String>(&mut con).unwrap_err();
    assert_eq!(err.code(), Some("READONLY"));
    server.pause_for(Duration::from_millis(200)); // the server stops answering (client timeouts)
    server.drop_connections(); // every client disconnected
    assert!(redis::cmd("PING").query::<String>(&mut con).is_err());
}
