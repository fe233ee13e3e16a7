//! The library API: starting, stopping, isolation, and the test clock.

use crate::support::Conn;
use std::time::{Duration, Instant};

fn int_reply(reply: &[u8]) -> i64 {
    let text = std::str::from_utf8(reply).expect("utf8 reply");
    text.trim_start_matches(':').trim_end().parse().unwrap_or_else(|_| panic!("not an integer reply: {text:?}"))
}

#[test]
fn blocking_start_serves_ping_on_an_ephemeral_port() {
    let server = embedis::blocking::Server::start().expect("start");
    assert_ne!(server.addr().port(), 0);
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.addr().port()));
}

#[tokio::test]
async fn async_start_then_shutdown_closes_the_port() {
    let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await.expect("start");
    let addr = server.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    server.shutdown().await;
    assert!(std::net::TcpStream::connect(addr).is_err(), "the listener must be closed after shutdown");
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let server = embedis::blocking::Server::start().expect("start");
    let addr = server.addr();
    drop(server);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn two_servers_in_one_process_share_nothing() {
    let a = embedis::blocking::Server::start().expect("start a");
    let b = embedis::blocking::Server::start().expect("start b");
    let (mut ca, mut cb) = (Conn::connect(a.addr()), Conn::connect(b.addr()));
    assert_eq!(ca.cmd(&["SET", "k", "from-a"]), b"+OK\r\n");
    assert_eq!(cb.cmd(&["GET", "k"]), b"$-1\r\n");
    assert_eq!(cb.cmd(&["CONFIG", "SET", "maxclients", "5"]), b"+OK\r\n");
    assert_eq!(ca.cmd(&["CONFIG", "GET", "maxclients"]), b"*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
}

#[test]
fn requirepass_from_the_builder_is_enforced() {
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").requirepass("s3cret").start().unwrap();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "k"]), b"-NOAUTH Authentication required.\r\n");
    assert_eq!(c.cmd(&["AUTH", "nope"]), b"-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    assert_eq!(c.cmd(&["AUTH", "s3cret"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), b"$-1\r\n");
}

#[test]
fn advance_time_expires_keys_on_access() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "session", "x", "EX", "60"]);
    server.advance_time(Duration::from_secs(59));
    assert_eq!(c.cmd(&["TTL", "session"]), b":1\r\n");
    assert_eq!(c.cmd(&["GET", "session"]), b"$1\r\nx\r\n");
    server.advance_time(Duration::from_secs(1));
    assert_eq!(c.cmd(&["GET", "session"]), b"$-1\r\n");
    assert_eq!(c.cmd(&["TTL", "session"]), b":-2\r\n");
}

#[test]
fn advance_time_lets_the_active_cycle_reclaim_unread_keys() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    for i in 0..1000 {
        c.cmd(&["SET", &format!("k{i}"), "v", "PX", "1000"]);
    }
    c.cmd(&["SET", "persistent", "v"]);
    server.advance_time(Duration::from_secs(2));
    // Nobody reads the keys: DBSIZE counts them until the background cycle deletes them.
    let deadline = Instant::now() + Duration::from_secs(5);
    while int_reply(&c.cmd(&["DBSIZE"])) > 1 {
        assert!(Instant::now() < deadline, "expired keys were not reclaimed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let info = String::from_utf8(c.cmd(&["INFO", "stats"])).unwrap();
    assert!(info.contains("expired_keys:1000\r\n"), "{info}");
}

#[test]
fn debug_advance_time_moves_the_clock_for_clients() {
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").enable_debug_command().start().unwrap();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "k", "v", "EX", "10"]);
    let before = int_reply(&c.cmd(&["PTTL", "k"]));
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "5000"]), b"+OK\r\n");
    let after = int_reply(&c.cmd(&["PTTL", "k"]));
    assert!((before - after - 5000).abs() < 500, "before {before} after {after}");
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "5000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["EXISTS", "k"]), b":0\r\n");
}

#[test]
fn debug_is_refused_unless_enabled() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    let reply = c.cmd(&["DEBUG", "ADVANCE-TIME", "1000"]);
    assert!(reply.starts_with(b"-ERR DEBUG command not allowed."), "{}", String::from_utf8_lossy(&reply));
}

#[test]
fn unix_socket_serves_clients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("embedis.sock");
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").unixsocket(&path).start().unwrap();
    assert_eq!(server.unix_socket(), Some(path.as_path()));
    let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
    use std::io::{Read, Write};
    s.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"+PONG\r\n");
}
