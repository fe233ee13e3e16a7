//! Checks of the harness itself, against redis-server alone: a harness that cannot see a difference would
//! let every differential test pass.

use super::script::parse_script;
use super::{diff_script_between, End, Session, Side};
use crate::support::{redis_cli, Conn, Frame, RedisServer, ServerOptions};
use redis_protocol::{resp2, resp3};

fn side(label: &'static str, server: &RedisServer) -> Side {
    Side { label, addr: server.addr() }
}

#[test]
fn differences_are_reported_with_both_replies() {
    let (Some(oracle), Some(target)) = (RedisServer::start(), RedisServer::start()) else {
        return;
    };
    // Config survives the harness's FLUSHALL, so this is a difference the script can see.
    assert_eq!(Conn::connect(target.addr()).cmd(&["CONFIG", "SET", "hz", "20"]), b"+OK\r\n");
    let script = "PING\n~ TIME\nCONFIG GET hz\n";
    let report = diff_script_between(
        &side("oracle", &oracle),
        &side("target", &target),
        &ServerOptions::default(),
        "self_test",
        script,
    )
    .expect_err("hz differs");
    assert!(report.contains("1 of 3 lines differ"), "{report}");
    assert!(report.contains(r#"oracle: "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n""#), "{report}");
    assert!(report.contains(r#"target: "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n""#), "{report}");
}

#[test]
fn a_closed_connection_differs_from_an_open_one() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let options = ServerOptions::default();
    let lines = parse_script("self_test", "PING\nQUIT\n");
    let (ping, quit) = (&lines[0], &lines[1]);
    let open = Session::new(server.addr(), &options).run(ping);
    let mut quitting = Session::new(server.addr(), &options);
    quitting.run(quit);
    let closed = quitting.run(ping);
    assert_eq!(closed.end, End::Closed);
    assert!(!open.matches(&closed, ping));
    // The session reconnects for the next line.
    assert!(open.matches(&quitting.run(ping), ping));
}

#[test]
fn conn_reads_pipelined_replies_one_at_a_time() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut conn = Conn::connect(server.addr());
    conn.send_raw(b"PING\r\nECHO \"a b\"\r\n");
    assert_eq!(conn.read_reply_bytes(), b"+PONG\r\n");
    assert_eq!(conn.read_reply(), Frame::Resp2(resp2::types::OwnedFrame::BulkString(b"a b".to_vec())));
    conn.send(&["SET", "k", "v"]);
    conn.send(&[b"GET".as_slice(), b"k"]);
    assert_eq!(conn.read_reply_bytes(), b"+OK\r\n");
    assert_eq!(conn.read_reply_bytes(), b"$1\r\nv\r\n");
}

#[test]
fn conn_follows_hello_and_reset_between_resp2_and_resp3() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut conn = Conn::connect(server.addr());
    assert!(conn.cmd(&["HELLO", "4"]).starts_with(b"-NOPROTO"));
    assert!(!conn.is_resp3());
    assert!(conn.cmd(&["HELLO", "3"]).starts_with(b"%7\r\n"));
    assert!(conn.is_resp3());
    assert_eq!(conn.cmd(&["GET", "missing"]), b"_\r\n");
    conn.send(&["GET", "missing"]);
    assert_eq!(conn.read_reply(), Frame::Resp3(resp3::types::OwnedFrame::Null));
    // A RESP3 set of maps, which redis-protocol's decoder refuses; the fallback frames it.
    let info = conn.cmd(&["COMMAND", "INFO", "GET"]);
    assert!(info.starts_with(b"*1\r\n*10\r\n") && info.ends_with(b"\r\n"));
    assert_eq!(conn.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(conn.cmd(&["RESET"]), b"+RESET\r\n");
    assert!(!conn.is_resp3());
    assert_eq!(conn.cmd(&["GET", "missing"]), b"$-1\r\n");
}

#[test]
fn redis_cli_runs_against_a_server() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let Some(output) = redis_cli(server.addr(), &["ECHO", "hello"]) else {
        return;
    };
    assert!(output.status.success());
    assert_eq!(output.stdout, b"hello\n");
}
