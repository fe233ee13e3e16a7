//! Real clients unchanged: the `redis` crate and redis-cli.

use crate::support::redis_cli;
use redis::AsyncCommands;
use std::io::Write;
use std::process::{Command, Stdio};

async fn client(server: &embedis::ServerHandle) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url()).unwrap().get_multiplexed_async_connection().await.expect("connect")
}

#[tokio::test]
async fn redis_crate_sessions_with_ttl() {
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await.unwrap();
    let mut con = client(&server).await;
    let _: () = con.set_ex("session:abc", "user42", 3600).await.unwrap();
    let v: Option<String> = con.get("session:abc").await.unwrap();
    assert_eq!(v.as_deref(), Some("user42"));
    let ttl: i64 = con.ttl("session:abc").await.unwrap();
    assert!((3599..=3600).contains(&ttl));
    let n: i64 = con.incr("hits", 5).await.unwrap();
    assert_eq!(n, 5);
    let f: f64 = con.incr("ratio", 0.5).await.unwrap();
    assert_eq!(f, 0.5);
    let keys: Vec<String> = con.keys("session:*").await.unwrap();
    assert_eq!(keys, vec!["session:abc".to_string()]);
    let deleted: i64 = con.del(&keys).await.unwrap();
    assert_eq!(deleted, 1);
    let missing: Option<String> = con.get("session:abc").await.unwrap();
    assert_eq!(missing, None);
    // A sliding session: each access extends its TTL; it expires once left alone past it (the server's clock).
    let _: () = con.set_ex("session:short", "user7", 2).await.unwrap();
    server.advance_time(std::time::Duration::from_millis(1500));
    let alive: Option<String> = con.get("session:short").await.unwrap();
    assert_eq!(alive.as_deref(), Some("user7"));
    let extended: bool = con.expire("session:short", 2).await.unwrap();
    assert!(extended);
    server.advance_time(std::time::Duration::from_millis(1500));
    let alive: Option<String> = con.get("session:short").await.unwrap();
    assert_eq!(alive.as_deref(), Some("user7"), "the EXPIRE on access extended it past its first TTL");
    server.advance_time(std::time::Duration::from_millis(600));
    let expired: Option<String> = con.get("session:short").await.unwrap();
    assert_eq!(expired, None);
}

#[tokio::test]
async fn redis_crate_pipeline_of_ten_thousand() {
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await.unwrap();
    let mut con = client(&server).await;
    let mut pipe = redis::pipe();
    for i in 0..10_000 {
        pipe.set(format!("k{i}"), i).ignore();
    }
    pipe.get("k9999").get("k0");
    let (last, first): (i64, i64) = pipe.query_async(&mut con).await.unwrap();
    assert_eq!((last, first), (9999, 0));
    let size: i64 = redis::cmd("DBSIZE").query_async(&mut con).await.unwrap();
    assert_eq!(size, 10_000);
}

#[tokio::test]
async fn redis_crate_scan_iterates_everything() {
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await.unwrap();
    let mut con = client(&server).await;
    for i in 0..500 {
        let _: () = con.set(format!("user:{i}"), i).await.unwrap();
    }
    let _: () = con.set("other", 1).await.unwrap();
    // SCAN by hand, as clients in any language do.
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0u64;
    loop {
        let (next, keys): (u64, Vec<String>) =
            redis::cmd("SCAN").arg(cursor).arg("MATCH").arg("user:*").query_async(&mut con).await.unwrap();
        seen.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 500);
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn redis_cli_with_password_ping_n_and_scan() {
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").requirepass("pw").start().unwrap();
    let Some(out) = redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "ping"]) else { return };
    assert_eq!(stdout(&out), "PONG\n");
    let out = redis_cli(server.addr(), &["ping"]).unwrap();
    // redis-cli prints an error and a blank line when its output is not a terminal.
    assert_eq!(stdout(&out), "NOAUTH Authentication required.\n\n");
    let out = redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "-n", "3", "set", "k", "in-db-3"]).unwrap();
    assert_eq!(stdout(&out), "OK\n");
    let out = redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "-n", "3", "get", "k"]).unwrap();
    assert_eq!(stdout(&out), "in-db-3\n");
    let out = redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "get", "k"]).unwrap();
    assert_eq!(stdout(&out), "\n");
    for i in 0..50 {
        redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "set", &format!("user:{i}"), "x"]).unwrap();
    }
    let out = redis_cli(server.addr(), &["-a", "pw", "--no-auth-warning", "--scan", "--pattern", "user:*"]).unwrap();
    let keys: std::collections::HashSet<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(keys.len(), 50);
    assert!(keys.iter().all(|k| k.starts_with("user:")));
}

fn cli_with_stdin(server: &embedis::ServerHandle, args: &[&str], input: &[u8]) -> Option<std::process::Output> {
    let addr = server.addr();
    let mut child = match Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &addr.port().to_string()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return redis_cli(addr, &[]).and(None),
    };
    child.stdin.take().unwrap().write_all(input).unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn redis_cli_x_reads_the_last_argument_from_stdin() {
    let server = embedis::blocking::Server::start().unwrap();
    let Some(out) = cli_with_stdin(&server, &["-x", "set", "blob"], b"line one\nline two\n") else { return };
    assert_eq!(stdout(&out), "OK\n");
    let out = redis_cli(server.addr(), &["strlen", "blob"]).unwrap();
    assert_eq!(stdout(&out), "18\n");
}

#[test]
fn redis_cli_pipe_mode_loads_raw_protocol() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut input = Vec::new();
    for i in 0..1000 {
        let (k, v) = (format!("key:{i}"), format!("value:{i}"));
        input
            .extend_from_slice(format!("*3\r\n$3\r\nSET\r\n${}\r\n{k}\r\n${}\r\n{v}\r\n", k.len(), v.len()).as_bytes());
    }
    let Some(out) = cli_with_stdin(&server, &["--pipe"], &input) else { return };
    assert!(stdout(&out).contains("errors: 0, replies: 1000"), "{}", stdout(&out));
    let out = redis_cli(server.addr(), &["dbsize"]).unwrap();
    assert_eq!(stdout(&out), "1000\n");
}

#[test]
fn redis_cli_sees_redis_command_docs_for_hints() {
    let server = embedis::blocking::Server::start().unwrap();
    // redis-cli 7 builds its hints from COMMAND DOCS at start; check what it reads is Redis's.
    let Some(out) = redis_cli(server.addr(), &["command", "docs", "set"]) else { return };
    let text = stdout(&out);
    assert!(text.contains("Set the string value of a key"), "{text}");
    assert!(text.contains("condition"), "{text}");
}

/// The README's embedding snippet: a server with `requirepass`, and a client opened with `url()`, which carries
/// the password (percent-encoded), so its commands are not refused with NOAUTH.
#[tokio::test]
async fn url_carries_the_password() {
    let password = "s3cret/with:odd@chars";
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").requirepass(password).start().await.unwrap();
    assert!(server.url().starts_with("redis://:s3cret%2Fwith%3Aodd%40chars@127.0.0.1:"), "{}", server.url());
    let mut con = client(&server).await;
    let _: () = con.set("k", "v").await.unwrap();
    let v: String = con.get("k").await.unwrap();
    assert_eq!(v, "v");
    server.shutdown().await;
}

/// redis-benchmark's default run (no `-t`): every one of its tests completes without an error line, the list
/// ones (LPUSH, RPUSH, LPOP, RPOP, LRANGE_*) included.
#[test]
fn redis_benchmark_default_run_completes() {
    let server = embedis::blocking::Server::start().unwrap();
    let port = server.addr().port().to_string();
    let out = match std::process::Command::new("redis-benchmark").args(["-p", &port, "-q", "-n", "2000"]).output() {
        Ok(out) => out,
        Err(_) if !crate::support::in_ci() => return,
        Err(e) => panic!("redis-benchmark: {e}"),
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("ERR") && !text.contains("Error"), "{text}");
    for test in ["PING_INLINE", "SET:", "GET:", "INCR:", "LPUSH:", "RPUSH:", "LPOP:", "RPOP:", "SADD:", "HSET:"]
        .into_iter()
        .chain(["SPOP:", "ZADD:", "ZPOPMIN:", "LRANGE_100", "LRANGE_300", "LRANGE_500", "LRANGE_600", "MSET"])
    {
        assert!(text.contains(test), "{test} missing from:\n{text}");
    }
}
