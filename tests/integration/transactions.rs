//! Transactions across connections and through a real client's transaction pipeline.

use crate::support::Conn;
use redis::AsyncCommands;

#[test]
fn another_clients_write_breaks_the_watch() {
    let server = embedis::blocking::Server::start().unwrap();
    let (mut a, mut b) = (Conn::connect(server.addr()), Conn::connect(server.addr()));
    a.cmd(&["SET", "balance", "100"]);
    assert_eq!(a.cmd(&["WATCH", "balance"]), b"+OK\r\n");
    assert_eq!(b.cmd(&["INCRBY", "balance", "5"]), b":105\r\n");
    a.cmd(&["MULTI"]);
    assert_eq!(a.cmd(&["DECRBY", "balance", "10"]), b"+QUEUED\r\n");
    assert_eq!(a.cmd(&["EXEC"]), b"*-1\r\n");
    assert_eq!(a.cmd(&["GET", "balance"]), b"$3\r\n105\r\n");
    // Without interference the same transaction commits.
    a.cmd(&["WATCH", "balance"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["DECRBY", "balance", "10"]);
    assert_eq!(a.cmd(&["EXEC"]), b"*1\r\n:95\r\n");
}

#[test]
fn the_test_clock_expiring_a_watched_key_breaks_the_watch() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "lock", "me", "EX", "10"]);
    c.cmd(&["WATCH", "lock"]);
    server.advance_time(std::time::Duration::from_secs(11));
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "lock", "you"]);
    assert_eq!(c.cmd(&["EXEC"]), b"*-1\r\n");
}

#[test]
fn a_disconnected_watcher_leaves_nothing_behind() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut b = Conn::connect(server.addr());
    let baseline = crate::support::info_u64(&mut b, "memory", "used_memory");
    // Watched keys take memory (as Redis's watched_keys dict does): it is given back when the watcher leaves.
    let mut a = Conn::connect(server.addr());
    let keys: Vec<String> = (0..2000).map(|i| format!("{i:0>100}")).collect();
    let mut watch = vec!["WATCH"];
    watch.extend(keys.iter().map(String::as_str));
    assert_eq!(a.cmd(&watch), b"+OK\r\n");
    let watching = crate::support::info_u64(&mut b, "memory", "used_memory");
    assert!(watching >= baseline + 2000 * 100, "{baseline} -> {watching}");
    drop(a);
    crate::support::eventually("the watches are gone", || {
        crate::support::info_u64(&mut b, "memory", "used_memory") == baseline
    });
    // And they no longer take part in transactions.
    b.cmd(&["WATCH", &keys[0]]);
    b.cmd(&["MULTI"]);
    b.cmd(&["SET", &keys[0], "v"]);
    assert_eq!(b.cmd(&["EXEC"]), b"*1\r\n+OK\r\n");
}

#[test]
fn exec_is_atomic_against_other_clients() {
    let server = embedis::blocking::Server::start().unwrap();
    let addr = server.addr();
    // Two writers: one increments a and b together in transactions, the other reads both; they never differ.
    let writer = std::thread::spawn(move || {
        let mut w = Conn::connect(addr);
        for _ in 0..500 {
            w.cmd(&["MULTI"]);
            w.cmd(&["INCR", "a"]);
            w.cmd(&["INCR", "b"]);
            w.cmd(&["EXEC"]);
        }
    });
    let mut r = Conn::connect(addr);
    for _ in 0..500 {
        let got = r.cmd(&["MGET", "a", "b"]);
        let text = String::from_utf8_lossy(&got).into_owned();
        // "*2", then each value as "$len" + text, or "$-1" for a missing key.
        let lines: Vec<&str> = text.split("\r\n").collect();
        let value = |i: usize| if lines[i] == "$-1" { "nil" } else { lines[i + 1] };
        let first = value(1);
        let second = value(if first == "nil" { 2 } else { 3 });
        assert_eq!(first, second, "saw a half-applied transaction: {text:?}");
    }
    writer.join().unwrap();
}

#[tokio::test]
async fn redis_crate_atomic_pipeline() {
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await.unwrap();
    let mut con = redis::Client::open(server.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let _: () = con.set("counter", 10).await.unwrap();
    let (a, b): (i64, i64) =
        redis::pipe().atomic().incr("counter", 1).incr("counter", 2).query_async(&mut con).await.unwrap();
    assert_eq!((a, b), (11, 13));
    // A runtime error inside the transaction comes back in its slot; the other commands still ran.
    let _: () = con.set("text", "abc").await.unwrap();
    let result: redis::RedisResult<(i64, i64)> =
        redis::pipe().atomic().incr("text", 1).incr("counter", 1).query_async(&mut con).await;
    assert!(result.is_err());
    let counter: i64 = con.get("counter").await.unwrap();
    assert_eq!(counter, 14);
}
