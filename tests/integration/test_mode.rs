//! `embedis-server --test-mode yes`, spawned as a Go, Python or Node test suite would: the ready line, the DEBUG
//! test subcommands, DEBUG CRASH and a restart from the same directory.

use crate::support::Conn;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_embedis-server");

/// A spawned server, killed when dropped, so a failed assertion leaves no process behind.
struct Spawned(Child);

impl std::ops::Deref for Spawned {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Only this test's own child, by its handle; already gone after a clean exit.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns the binary in test mode in `dir` and waits for its ready line; returns it with the address.
fn spawn(dir: &Path, extra: &[&str]) -> (Spawned, SocketAddr, String) {
    let mut child = Command::new(BIN)
        .args(["--port", "auto", "--bind", "127.0.0.1", "--test-mode", "yes", "--dir"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(Spawned)
        .expect("spawn embedis-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = loop {
        let line = lines.next().expect("stdout ended before the ready line").unwrap();
        if line.starts_with("embedis ready ") {
            break line;
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let port = ready.split(' ').find_map(|w| w.strip_prefix("port=")).unwrap().parse::<u16>().unwrap();
    (child, SocketAddr::from(([127, 0, 0, 1], port)), ready)
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_ready_line_names_the_port_and_pid() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, ready) = spawn(dir.path(), &[]);
    assert_eq!(ready, format!("embedis ready port={} pid={}", addr.port(), child.id()));
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    // Hidden from CONFIG GET *, as an embedis-only setting, but readable by name.
    assert_eq!(c.cmd(&["CONFIG", "GET", "test-mode"]), b"*2\r\n$9\r\ntest-mode\r\n$3\r\nyes\r\n");
    assert!(!String::from_utf8(c.cmd(&["CONFIG", "GET", "*"])).unwrap().contains("test-mode"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn debug_test_subcommands_move_the_clock_and_seed_the_randomness() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, _) = spawn(dir.path(), &["--notify-keyspace-events", "Ex"]);
    let mut c = Conn::connect(addr);
    let mut sub = Conn::connect(addr);
    sub.cmd(&["SUBSCRIBE", "__keyevent@0__:expired"]);
    assert_eq!(c.cmd(&["DEBUG", "FREEZE-TIME"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "SET-TIME", "1700000000000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["TIME"]), b"*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n");
    c.cmd(&["SET", "token", "t", "EX", "60"]);
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "59999"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["PTTL", "token"]), b":1\r\n");
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "1"]), b"+OK\r\n");
    assert_eq!(sub.read_reply_bytes(), b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$5\r\ntoken\r\n");
    assert_eq!(c.cmd(&["DEBUG", "RESUME-TIME"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "-1"]), b"-ERR value is not an integer or out of range\r\n");
    for bad in ["-1", "253402300800000", "soon"] {
        assert_eq!(c.cmd(&["DEBUG", "SET-TIME", bad]), b"-ERR value is not an integer or out of range\r\n");
    }
    // The clock stops at the year 9999: TTL arithmetic never overflows.
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "9223372036854775807"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "late", "v", "EX", "100"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["TTL", "late"]), b":100\r\n");
    assert_eq!(c.cmd(&["DEBUG", "SET-TIME", "1700000000000"]), b"+OK\r\n");

    let pops = |c: &mut Conn| {
        assert_eq!(c.cmd(&["DEBUG", "SEED", "99"]), b"+OK\r\n");
        c.cmd(&["SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
        (0..10).map(|_| c.cmd(&["SPOP", "s"])).collect::<Vec<_>>()
    };
    assert_eq!(pops(&mut c), pops(&mut c));
    // The other DEBUG subcommands stay as in production (enable-debug-command no).
    assert!(c.cmd(&["DEBUG", "SLEEP", "0"]).starts_with(b"-ERR DEBUG command not allowed."));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn without_test_mode_the_test_subcommands_are_not_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").dir(dir.path()).start().unwrap();
    let mut c = Conn::connect(server.addr());
    for sub in [&["SEED", "1"][..], &["FREEZE-TIME"], &["CRASH"], &["ADVANCE-TIME", "1"]] {
        let argv: Vec<&str> = std::iter::once("DEBUG").chain(sub.iter().copied()).collect();
        assert!(c.cmd(&argv).starts_with(b"-ERR DEBUG command not allowed."), "{argv:?}");
    }
}

#[test]
fn debug_crash_kills_the_process_and_the_aof_keeps_what_everysec_fsynced() {
    let dir = tempfile::tempdir().unwrap();
    let aof = ["--appendonly", "yes", "--appendfsync", "everysec"];
    let (mut child, addr, _) = spawn(dir.path(), &aof);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["DEBUG", "FREEZE-TIME"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "durable", "1"]), b"+OK\r\n");
    // A second of the server's clock: the once-a-second fsync runs before the reply.
    assert_eq!(c.cmd(&["DEBUG", "ADVANCE-TIME", "1000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "lost", "2"]), b"+OK\r\n");
    c.send(&["DEBUG", "CRASH"]);
    assert!(c.try_read_reply_bytes(Duration::from_secs(5)).is_err(), "no reply from a crashed server");
    let status = wait_exit(&mut child);
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "{status:?}");

    let (mut child, addr, _) = spawn(dir.path(), &aof);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["GET", "durable"]), b"$1\r\n1\r\n");
    assert_eq!(c.cmd(&["GET", "lost"]), b"$-1\r\n");
    child.kill().unwrap();
    child.wait().unwrap();
}
