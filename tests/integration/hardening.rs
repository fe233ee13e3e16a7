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

/// DEBUG LOADAOF reloads what the AOF holds (what was acknowledged), records nothing again, and the server goes on.
#[test]
fn debug_loadaof_reloads_the_append_only_file() {
    let server = Server::builder().config("appendonly", "yes").config("enable-debug-command", "yes").start();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "100000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["HSET", "h", "f", "v"]), b":1\r\n");
    let size_before = c.cmd(&["INFO", "persistence"]);
    let aof_size = |info: &[u8]| {
        let info = String::from_utf8_lossy(info).to_string();
        info.lines().find(|l| l.starts_with("aof_current_size:")).map(str::to_string).unwrap()
    };
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert_eq!(c.cmd(&["HGET", "h", "f"]), b"$1\r\nv\r\n");
    assert_eq!(c.cmd(&["DBSIZE"]), b":2\r\n");
    assert_eq!(aof_size(&c.cmd(&["INFO", "persistence"])), aof_size(&size_before), "nothing recorded again");
    assert_eq!(c.cmd(&["SET", "after", "1"]), b"+OK\r\n");
    assert!(server.log_tail(20).contains("Append Only File loaded by DEBUG LOADAOF"));
}

/// DEBUG SET-DISABLE-DENY-SCRIPTS 1 lets scripts call `noscript` commands (Redis's suite relies on it).
#[test]
fn debug_set_disable_deny_scripts_allows_noscript_commands_in_scripts() {
    let server = Server::builder().config("enable-debug-command", "yes").start();
    let mut c = Conn::connect(server.addr());
    let script = ["EVAL", "return redis.call('client', 'id')", "0"];
    assert!(c.cmd(&script).starts_with(b"-ERR This Redis command is not allowed from script"));
    assert_eq!(c.cmd(&["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"]), b"+OK\r\n");
    assert!(c.cmd(&script).starts_with(b":"));
    assert_eq!(c.cmd(&["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"]), b"+OK\r\n");
    assert!(c.cmd(&script).starts_with(b"-ERR This Redis command is not allowed from script"));
}
