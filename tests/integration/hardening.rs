//! Defects found by running Redis's own test suite and client suites against embedis, each checked against
//! redis-server 7.0.15's behaviour.

use crate::support::Conn;
use embedis::test::Server;
use std::time::Duration;

#[test]
fn exists_leaves_the_idle_time_alone() {
    let server = Server::builder().frozen_clock().start();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    server.advance(Duration::from_secs(10));
    assert_eq!(c.cmd(&["EXISTS", "k", "missing"]), b":1\r\n");
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "k"]), b":10\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "k"]), b":0\r\n");
}

#[test]
fn scripts_may_write_again_once_maxmemory_is_lifted() {
    let server = Server::start();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["SET", "filler", "v"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "1"]), b"+OK\r\n");
    let script = ["EVAL", "return redis.call('set','x','1')", "0"];
    assert!(c.cmd(&script).starts_with(b"-OOM command not allowed when used memory > 'maxmemory'."));
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "0"]), b"+OK\r\n");
    assert_eq!(c.cmd(&script), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "y", "1"]), b"+OK\r\n");
}
