//! redis-cli's operator modes (`--stat`, `--latency`, `--latency-history`, `--bigkeys`, `--memkeys`,
//! `--scan --pattern`, `-a` with and without `--no-auth-warning`) driven against the `embedis-server` binary
//! and against redis-server with the same data and password: the outputs must have the same shape, and be
//! equal where they do not depend on timing, scan order or byte estimates.

use super::lifecycle::Proc;
use crate::support::{redis_cli, Conn, RedisServer, ServerOptions};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "s3cret";

/// The two servers, each holding the same keys and requiring PASSWORD; None when redis-server or redis-cli is
/// missing (skipped outside CI, see `support::in_ci`).
struct Pair {
    redis: RedisServer,
    embedis: Proc,
    _dir: tempfile::TempDir,
}

impl Pair {
    fn start() -> Option<Pair> {
        let options = ServerOptions { requirepass: Some(PASSWORD.into()) };
        let redis = RedisServer::start_with(&options)?;
        let dir = tempfile::tempdir().unwrap();
        let embedis = Proc::start(dir.path(), &["--requirepass", PASSWORD, "--save", ""]);
        for addr in [redis.addr(), embedis.addr] {
            fill(addr);
        }
        // Probes redis-cli itself.
        cli(redis.addr(), &["ping"])?;
        Some(Pair { redis, embedis, _dir: dir })
    }

    /// The same redis-cli invocation against redis-server, then embedis.
    fn both(&self, args: &[&str]) -> (Output, Output) {
        (cli(self.redis.addr(), args).unwrap(), cli(self.embedis.addr, args).unwrap())
    }
}

/// 20 `user:*` strings, other strings, a hash, a set, a sorted set: one biggest key per type.
fn fill(addr: SocketAddr) {
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["AUTH", PASSWORD]), b"+OK\r\n");
    for i in 0..20 {
        assert_eq!(c.cmd(&["SET", &format!("user:{i}"), &"x".repeat(i + 1)]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["SET", "session:big", &"y".repeat(500)]), b"+OK\r\n");
    assert_eq!(c.cmd(&["HSET", "profile:1", "name", "ann", "age", "31", "city", "Oslo"]), b":3\r\n");
    assert_eq!(c.cmd(&["SADD", "tags", "a", "b", "c", "d"]), b":4\r\n");
    assert_eq!(c.cmd(&["ZADD", "board", "1", "a", "2", "b"]), b":2\r\n");
}

/// redis-cli with the password (quietly) and `args`.
fn cli(addr: SocketAddr, args: &[&str]) -> Option<Output> {
    let mut all = vec!["-a", PASSWORD, "--no-auth-warning"];
    all.extend_from_slice(args);
    redis_cli(addr, &all)
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "redis-cli failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The first `n` lines of a mode that runs until stopped (`--stat`, `--latency-history`), then stops it.
/// `stdbuf -oL` makes redis-cli write line by line into the pipe, as it does on a terminal.
fn first_lines(addr: SocketAddr, args: &[&str], n: usize) -> Vec<String> {
    let mut child = Command::new("stdbuf")
        .args(["-oL", "redis-cli", "-h", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(["-a", PASSWORD, "--no-auth-warning"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stdbuf (coreutils)");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut lines = Vec::new();
    while lines.len() < n {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => lines.push(line),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(lines.len(), n, "redis-cli {args:?} printed only {lines:?}");
    lines
}

/// Runs redis-cli to completion, killed after `limit`.
fn run_for(addr: SocketAddr, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new("redis-cli")
        .args(["-h", &addr.ip().to_string(), "-p", &addr.port().to_string(), "-a", PASSWORD, "--no-auth-warning"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("redis-cli {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `--stat`: the same two header lines, then one line per interval: keys, memory, clients, blocked,
/// requests "(+n)", connections.
#[test]
fn stat_prints_redis_table() {
    let Some(pair) = Pair::start() else { return };
    let theirs = first_lines(pair.redis.addr(), &["--stat", "-i", "0.2"], 4);
    let ours = first_lines(pair.embedis.addr, &["--stat", "-i", "0.2"], 4);
    assert_eq!(ours[..2], theirs[..2]);
    for line in &ours[2..] {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 7, "{line}");
        assert_eq!(fields[0], "24", "keys: {line}");
        let mem = fields[1];
        assert!(mem.ends_with(['B', 'K', 'M', 'G']) && mem[..mem.len() - 1].parse::<f64>().is_ok(), "{line}");
        assert!(fields[2].parse::<u64>().unwrap() >= 1, "{line}");
        assert_eq!(fields[3], "0", "blocked: {line}");
        assert!(fields[4].parse::<u64>().is_ok(), "{line}");
        assert!(fields[5].starts_with("(+") && fields[5].ends_with(')'), "{line}");
        assert!(fields[6].parse::<u64>().is_ok(), "{line}");
    }
    // Each interval counts its own INFO call, as with redis-server.
    let requests = |line: &str| line.split_whitespace().nth(4).unwrap().parse::<u64>().unwrap();
    assert!(requests(&ours[3]) > requests(&ours[2]), "{ours:?}");
}

/// `--latency` off a terminal prints one "min max avg samples" line after a second and exits;
/// `--latency-history` prints such a line per sample.
#[test]
fn latency_modes_print_min_max_avg_samples() {
    let Some(pair) = Pair::start() else { return };
    let shape = |line: &str| {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 4, "{line}");
        let (min, max) = (f[0].parse::<u64>().unwrap(), f[1].parse::<u64>().unwrap());
        let avg = f[2].parse::<f64>().unwrap();
        assert!(min <= max && avg <= max as f64 + 0.01, "{line}");
        f[3].parse::<u64>().unwrap()
    };
    for addr in [pair.redis.addr(), pair.embedis.addr] {
        let out = run_for(addr, &["--latency", "-i", "1"], Duration::from_secs(15));
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(shape(lines[0]) > 10, "{text}");

        let lines = first_lines(addr, &["--latency-history", "-i", "1"], 3);
        let samples: Vec<u64> = lines.iter().map(|l| shape(l)).collect();
        assert_eq!(samples, [1, 2, 3], "{lines:?}");
    }
}

/// `--bigkeys`: the summary (biggest key per type, counts and sizes by type) is equal; the "found so far"
/// lines follow the scan order, which differs.
#[test]
fn bigkeys_summary_equals_redis_server() {
    let Some(pair) = Pair::start() else { return };
    let (theirs, ours) = pair.both(&["--bigkeys"]);
    let summary = |out: &Output| {
        let text = stdout(out);
        let at = text.find("-------- summary -------").unwrap_or_else(|| panic!("no summary: {text}"));
        text[at..].to_string()
    };
    assert_eq!(summary(&ours), summary(&theirs));
    assert!(summary(&ours).contains("Biggest string found '\"session:big\"' has 500 bytes"), "{}", summary(&ours));
    let so_far = |out: &Output| stdout(out).lines().filter(|l| l.contains("found so far")).count();
    assert!(so_far(&ours) >= 4);
}

/// `--memkeys`: the same report, with embedis's byte estimates (MEMORY USAGE differs by design: see the
/// README's compatibility notes), so numbers are compared as shapes.
#[test]
fn memkeys_has_redis_shape() {
    let Some(pair) = Pair::start() else { return };
    let (theirs, ours) = pair.both(&["--memkeys"]);
    let shape = |out: &Output| {
        let text = stdout(out);
        let at = text.find("-------- summary -------").unwrap_or_else(|| panic!("no summary: {text}"));
        let digits = |s: &str| s.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect::<String>();
        // Runs of digits of any length become one "9".
        let mut shaped = digits(&text[at..]);
        while shaped.contains("99") {
            shaped = shaped.replace("99", "9");
        }
        shaped
    };
    assert_eq!(shape(&ours), shape(&theirs));
    assert!(stdout(&ours).contains("Biggest string found '\"session:big\"' has"), "{}", stdout(&ours));
}

#[test]
fn scan_with_a_pattern_lists_the_matching_keys() {
    let Some(pair) = Pair::start() else { return };
    for (pattern, matching) in [("user:*", 20), ("user:1*", 11), ("*:big", 1), ("nothing*", 0)] {
        let (theirs, ours) = pair.both(&["--scan", "--pattern", pattern]);
        let sorted = |out: &Output| {
            let mut keys: Vec<String> = stdout(out).lines().map(String::from).collect();
            keys.sort();
            keys
        };
        assert_eq!(sorted(&ours), sorted(&theirs));
        assert_eq!(sorted(&ours).len(), matching, "{pattern}");
    }
}

/// `-a` prints redis-cli's warning on stderr unless `--no-auth-warning`; a wrong or missing password gets
/// the same words from both servers.
#[test]
fn password_on_the_command_line() {
    let Some(pair) = Pair::start() else { return };
    let run = |addr: SocketAddr, args: &[&str]| {
        let out = redis_cli(addr, args).unwrap();
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let cases: &[&[&str]] = &[
        &["-a", PASSWORD, "ping"],
        &["-a", PASSWORD, "--no-auth-warning", "ping"],
        &["-a", "wrong", "--no-auth-warning", "ping"],
        &["ping"],
        &["-a", PASSWORD, "--no-auth-warning", "dbsize"],
    ];
    for args in cases {
        assert_eq!(run(pair.embedis.addr, args), run(pair.redis.addr(), args), "{args:?}");
    }
    let (out, err) = run(pair.embedis.addr, &["-a", PASSWORD, "ping"]);
    assert_eq!(out, "PONG\n");
    assert_eq!(
        err,
        "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n"
    );
    assert_eq!(
        run(pair.embedis.addr, &["-a", PASSWORD, "--no-auth-warning", "ping"]),
        ("PONG\n".into(), String::new())
    );
}
