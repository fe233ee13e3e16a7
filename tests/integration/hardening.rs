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
    server.advance_time(Duration::from_secs(10));
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

/// ZSCAN returns every member present for the whole iteration, even one whose score changed meanwhile.
#[test]
fn zscan_returns_members_whose_score_changed_mid_iteration() {
    let server = Server::start();
    let mut c = Conn::connect(server.addr());
    let mut zadd = vec!["ZADD".to_string(), "z".to_string()];
    for i in 0..300 {
        zadd.push(i.to_string());
        zadd.push(format!("m{i}"));
    }
    assert_eq!(c.cmd(&zadd), b":300\r\n");
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "z"]), b"$8\r\nskiplist\r\n");
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let reply = crate::support::conn::bulks(&c.cmd(&["ZSCAN", "z", &cursor, "COUNT", "10"]));
        // The reply is flattened: cursor, then member/score pairs.
        cursor = reply[0].clone();
        for pair in reply[1..].chunks(2) {
            seen.insert(pair[0].clone());
        }
        // Every member's score moves on each step (some above, some below where they were).
        for i in (round % 7..300).step_by(7) {
            let by = if i % 2 == 0 { "1000" } else { "-1000" };
            c.cmd(&["ZINCRBY", "z", by, &format!("m{i}")]);
        }
        round += 1;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(
        seen.len(),
        300,
        "members missed: {:?}",
        (0..300).map(|i| format!("m{i}")).filter(|m| !seen.contains(m)).collect::<Vec<_>>()
    );
}

/// CONFIG SET port moves the listener at once: new connections reach the new port, the old one is closed,
/// connections already open stay; a port in use is refused and nothing changes.
#[test]
fn config_set_port_listens_on_the_new_port() {
    let server = Server::start();
    let mut c = Conn::connect(server.addr());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port().to_string();
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "port", &taken_port]),
        b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n"
    );
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_eq!(c.cmd(&["CONFIG", "SET", "port", &free.to_string()]), b"+OK\r\n");
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n", "the open connection stays");
    let moved = std::net::SocketAddr::from(([127, 0, 0, 1], free));
    crate::support::eventually("the new port accepts", || Conn::try_connect(moved).is_ok());
    assert_eq!(
        Conn::connect(moved).cmd(&["CONFIG", "GET", "port"]),
        format!("*2\r\n$4\r\nport\r\n${}\r\n{free}\r\n", free.to_string().len()).as_bytes()
    );
    crate::support::eventually("the old port is closed", || std::net::TcpStream::connect(server.addr()).is_err());
}

/// A slow active expiry cycle is a latency event (`expire-cycle`), as in Redis.
#[test]
fn a_slow_expire_cycle_is_a_latency_event() {
    let server = Server::builder().frozen_clock().config("latency-monitor-threshold", "1").start();
    let mut c = Conn::connect(server.addr());
    let script = "for i = 1, 50000 do redis.call('SET', 'k' .. i, 'v', 'PX', '10') end return 1";
    assert_eq!(c.cmd(&["EVAL", script, "0"]), b":1\r\n");
    server.advance_time(Duration::from_secs(1));
    crate::support::eventually("the cycle is recorded", || {
        String::from_utf8_lossy(&c.cmd(&["LATENCY", "LATEST"])).contains("expire-cycle")
    });
}
