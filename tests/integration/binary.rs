//! The `embedis-server` binary, spawned as a test suite or an operator would.

use crate::support::Conn;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_embedis-server");

/// Spawns the binary with `--port auto` and reads the chosen port from its log, as a test harness would. It
/// runs in a directory of its own (returned, to keep until the end of the test), where a SHUTDOWN's snapshot
/// lands, as redis-server's would, instead of in the checkout.
fn spawn(args: &[&str]) -> (Child, SocketAddr, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .args(args)
        .args(["--port", "auto", "--bind", "127.0.0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn embedis-server");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines.next().expect("log ended before the port was printed").unwrap();
        if let Some(rest) = line.split("port=").nth(1) {
            break rest.trim_end_matches('.').parse::<u16>().expect("port number");
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, SocketAddr::from(([127, 0, 0, 1], port)), dir)
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..500 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("embedis-server did not exit");
}

#[test]
fn port_zero_prints_the_port_and_shutdown_exits_cleanly() {
    let (mut child, addr, _dir) = spawn(&[]);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    c.send(&["SHUTDOWN", "NOSAVE"]);
    assert!(wait_exit(&mut child).success());
}

#[test]
fn the_docker_compose_command_line_starts_and_requires_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, _dir) = spawn(&[
        "--dir",
        dir.path().to_str().unwrap(),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--maxmemory",
        "256mb",
        "--maxmemory-policy",
        "allkeys-lru",
        "--requirepass",
        "secret",
    ]);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["PING"]), b"-NOAUTH Authentication required.\r\n");
    assert_eq!(c.cmd(&["AUTH", "secret"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxmemory"]), b"*2\r\n$9\r\nmaxmemory\r\n$9\r\n268435456\r\n");
    // SIGTERM shuts down cleanly.
    unsafe { libc_kill(child.id() as i32, 15) };
    assert!(wait_exit(&mut child).success());
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn a_bad_config_file_stops_startup_with_redis_message() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("bad.conf");
    std::fs::write(&conf, "port 7000\nnot-a-directive yes\n").unwrap();
    let out = Command::new(BIN).arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"), "{err}");
    assert!(err.contains("at line 2"), "{err}");
    assert!(err.contains(">>> 'not-a-directive yes'"), "{err}");
}

#[test]
fn config_from_stdin_and_file_with_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("embedis.conf");
    std::fs::write(&conf, "databases 4\nrequirepass \"from file\"\n").unwrap();
    let (mut child, addr, _dir) = spawn(&[conf.to_str().unwrap(), "--requirepass", "override"]);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["AUTH", "override"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SELECT", "4"]), b"-ERR DB index is out of range\r\n");
    c.send(&["SHUTDOWN"]);
    assert!(wait_exit(&mut child).success());

    let scratch = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .current_dir(scratch.path())
        .args(["-", "--port", "auto", "--bind", "127.0.0.1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"databases 2\n").unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.split("port=").nth(1) {
            break rest.trim_end_matches('.').parse().unwrap();
        }
    };
    let mut c = Conn::connect(SocketAddr::from(([127, 0, 0, 1], port)));
    assert_eq!(c.cmd(&["SELECT", "2"]), b"-ERR DB index is out of range\r\n");
    c.send(&["SHUTDOWN"]);
    assert!(wait_exit(&mut child).success());
}

#[test]
fn version_and_help() {
    // redis-server's line (tools parse `v=` for the Redis version), with embedis's own version after it.
    for flag in ["--version", "-v"] {
        let out = Command::new(BIN).arg(flag).output().unwrap();
        assert!(out.status.success());
        let line = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
        let expected = format!(
            "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0000000000000000 embedis={}",
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(line, expected);
    }
    // redis-server's usage: on stderr, exit status 1, and every line of ours is one of its lines.
    let redis = Command::new("redis-server").arg("--help").output().ok();
    for flag in ["--help", "-h"] {
        let out = Command::new(BIN).arg(flag).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        let ours = String::from_utf8_lossy(&out.stderr).replace("embedis-server", "redis-server");
        assert!(ours.starts_with("Usage: ./redis-server [/path/to/redis.conf] [options] [-]\n"), "{ours}");
        if let Some(redis) = &redis {
            assert_eq!(redis.status.code(), Some(1));
            let theirs = String::from_utf8_lossy(&redis.stderr);
            for line in ours.lines() {
                assert!(theirs.lines().any(|l| l == line), "{line:?} is not redis-server's");
            }
        }
    }
}

/// INFO names the allocator really in use: the binary's jemalloc, as redis-server does (an embedded server
/// says `libc`: it cannot vouch for its host's allocator).
#[test]
fn info_names_the_binarys_allocator() {
    let (mut child, addr, _dir) = spawn(&[]);
    let mut c = Conn::connect(addr);
    let info = String::from_utf8(c.cmd(&["INFO", "memory"])).unwrap();
    assert!(info.contains("\r\nmem_allocator:jemalloc-5.3.0\r\n"), "{info}");
    let _ = child.kill();
    let _ = child.wait();
    let server = embedis::blocking::Server::start().unwrap();
    let info = String::from_utf8(Conn::connect(server.addr()).cmd(&["INFO", "memory"])).unwrap();
    assert!(info.contains("\r\nmem_allocator:libc\r\n"), "{info}");
}
