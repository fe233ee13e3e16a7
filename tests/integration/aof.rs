//! The append-only file: restarts that bring every type back, crashes (SIGKILL of the real binary at random
//! moments) that lose no acknowledged write, rewrites, damaged files, and directories redis-server can read.

use crate::support::conn::bulks;
use crate::support::{eventually, Conn};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_embedis-server");

/// An in-process server with the AOF on in `dir`.
fn start_in(dir: &Path, fsync: &str) -> embedis::blocking::ServerHandle {
    let config = embedis::Config {
        appendonly: true,
        appendfsync: match fsync {
            "always" => embedis::config::AppendFsync::Always,
            "no" => embedis::config::AppendFsync::No,
            _ => embedis::config::AppendFsync::EverySec,
        },
        enable_debug_command: embedis::config::Protection::Yes,
        loglevel: embedis::config::LogLevel::Nothing,
        save: Vec::new(),
        ..embedis::Config::default()
    };
    embedis::blocking::Server::builder().with_config(config).port(0).bind("127.0.0.1").dir(dir).start().expect("start")
}

#[test]
fn every_type_ttls_databases_scripts_and_transactions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), "everysec");
    let mut c = Conn::connect(server.addr());
    let setup: &[&[&str]] = &[
        &["SET", "s", "hello"],
        &["INCRBYFLOAT", "f", "1.5"],
        &["SET", "ttl", "v", "EX", "1000"],
        &["SET", "gone", "v", "PX", "100"],
        &["HSET", "h", "a", "1", "b", "2"],
        &["HINCRBYFLOAT", "h", "a", "0.25"],
        &["SADD", "set", "x", "y", "z"],
        &["ZADD", "z", "1.5", "m", "-inf", "low", "inf", "high"],
        &["ZINCRBY", "z", "2", "m"],
        &["SELECT", "3"],
        &["SET", "in3", "yes"],
        &["MULTI"],
        &["INCR", "counter"],
        &["INCR", "counter"],
        &["EXEC"],
        &["EVAL", "redis.call('SET', KEYS[1], 'a'); redis.call('APPEND', KEYS[1], 'b')", "1", "scripted"],
        &["SELECT", "0"],
        &["SPOP", "set"],
    ];
    for cmd in setup {
        c.cmd(cmd);
    }
    let members_left = bulks(&c.cmd(&["SMEMBERS", "set"]));
    std::thread::sleep(Duration::from_millis(150));
    drop(server);
    let server = start_in(dir.path(), "everysec");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "s"]), b"$5\r\nhello\r\n");
    assert_eq!(c.cmd(&["GET", "f"]), b"$3\r\n1.5\r\n");
    let ttl = String::from_utf8(c.cmd(&["TTL", "ttl"])).unwrap();
    assert!(ttl.starts_with(":99") || ttl.starts_with(":100"), "{ttl}");
    assert_eq!(c.cmd(&["EXISTS", "gone"]), b":0\r\n", "a key that expired while the server was down stays gone");
    assert_eq!(c.cmd(&["HGET", "h", "a"]), b"$4\r\n1.25\r\n");
    assert_eq!(c.cmd(&["HGET", "h", "b"]), b"$1\r\n2\r\n");
    let mut now_left = bulks(&c.cmd(&["SMEMBERS", "set"]));
    now_left.sort();
    let mut expected = members_left;
    expected.sort();
    assert_eq!(now_left, expected, "SPOP removed the same member after the restart");
    assert_eq!(bulks(&c.cmd(&["ZRANGE", "z", "0", "-1", "WITHSCORES"])), ["low", "-inf", "m", "3.5", "high", "inf"]);
    c.cmd(&["SELECT", "3"]);
    assert_eq!(c.cmd(&["GET", "in3"]), b"$3\r\nyes\r\n");
    assert_eq!(c.cmd(&["GET", "counter"]), b"$1\r\n2\r\n");
    assert_eq!(c.cmd(&["GET", "scripted"]), b"$2\r\nab\r\n");
}

#[test]
fn a_rewrite_compacts_the_files_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), "always");
    let mut c = Conn::connect(server.addr());
    for i in 0..1000 {
        c.cmd(&["INCR", "hits"]);
        c.cmd(&["SET", &format!("k{}", i % 10), &i.to_string()]);
    }
    assert_eq!(c.cmd(&["BGREWRITEAOF"]), b"+Background append only file rewriting started\r\n");
    // Writes during the rewrite go to the new incremental file.
    c.cmd(&["INCR", "hits"]);
    eventually("the rewrite finishes", || {
        let info = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
        info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrites:1")
    });
    let aof_dir = dir.path().join("appendonlydir");
    let manifest = std::fs::read_to_string(aof_dir.join("appendonly.aof.manifest")).unwrap();
    // The base is an RDB file (aof-use-rdb-preamble yes, as in Redis 7.0), named as Redis names it.
    assert_eq!(manifest, "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    assert!(!aof_dir.join("appendonly.aof.1.incr.aof").exists(), "the old incremental file is deleted");
    let base = std::fs::metadata(aof_dir.join("appendonly.aof.2.base.rdb")).unwrap().len();
    assert!(base < 1000, "the base holds 11 keys, not 2000 commands: {base} bytes");
    c.cmd(&["INCR", "hits"]);
    drop(server);
    let server = start_in(dir.path(), "always");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "hits"]), b"$4\r\n1002\r\n");
    assert_eq!(c.cmd(&["GET", "k9"]), b"$3\r\n999\r\n");
}

#[test]
fn a_truncated_tail_is_cut_off_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), "always");
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SET", "b", "2"]);
    drop(server);
    let incr = dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    let mut bytes = std::fs::read(&incr).unwrap();
    let complete = bytes.len();
    bytes.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1");
    std::fs::write(&incr, &bytes).unwrap();
    let server = start_in(dir.path(), "always");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["MGET", "a", "b", "c"]), b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
    assert_eq!(std::fs::metadata(&incr).unwrap().len() as usize, complete, "the partial command was cut off");
}

#[test]
fn a_corrupt_record_stops_startup_with_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), "always");
    Conn::connect(server.addr()).cmd(&["SET", "a", "1"]);
    drop(server);
    let incr = dir.path().join("appendonlydir/appendonly.aof.1.incr.aof");
    let mut bytes = std::fs::read(&incr).unwrap();
    bytes.extend_from_slice(b"garbage\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
    std::fs::write(&incr, &bytes).unwrap();
    let config =
        embedis::Config { appendonly: true, loglevel: embedis::config::LogLevel::Nothing, ..Default::default() };
    let err = embedis::blocking::Server::builder().with_config(config).port(0).dir(dir.path()).start().err();
    let err = err.expect("startup must fail").to_string();
    assert!(err.contains("Bad file format reading the append only file appendonly.aof.1.incr.aof"), "{err}");
}

/// The binary with the AOF on in `dir`: its port, read from the log.
fn spawn_binary(dir: &Path, fsync: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(["--port", "auto", "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"])
        .args(["--appendfsync", fsync, "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn embedis-server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines.next().expect("the log ended before the port was printed").expect("log line");
        if let Some(rest) = line.split("port=").nth(1) {
            break rest.trim_end_matches('.').parse::<u16>().expect("port number");
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Writes numbered keys until killed; returns the highest number acknowledged.
fn write_until_killed(addr: SocketAddr, from: u64, kill_after: Duration, child: &mut Child) -> u64 {
    let mut c = Conn::connect(addr);
    let started = Instant::now();
    let mut acknowledged = from;
    let mut i = from + 1;
    loop {
        if started.elapsed() >= kill_after {
            child.kill().expect("SIGKILL");
            let _ = child.wait();
            return acknowledged;
        }
        match c.try_cmd(&["SET", &format!("n:{i}"), &i.to_string()], Duration::from_secs(5)) {
            Ok(reply) if reply == b"+OK\r\n" => acknowledged = i,
            other => panic!("write {i} failed: {other:?}"),
        }
        i += 1;
    }
}

/// SIGKILL at random moments while a client writes: after each restart every acknowledged key is there.
fn no_acknowledged_write_is_lost(fsync: &str, cycles: u32) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut acknowledged = 0;
    for cycle in 0..cycles {
        let (mut child, addr) = spawn_binary(dir.path(), fsync);
        let mut c = Conn::connect(addr);
        let size = String::from_utf8(c.cmd(&["DBSIZE"])).unwrap();
        let size: u64 = size.trim_start_matches(':').trim().parse().unwrap();
        assert!(
            size >= acknowledged,
            "cycle {cycle} ({fsync}): {size} keys after restart, {acknowledged} acknowledged"
        );
        if acknowledged > 0 {
            let last = format!("n:{acknowledged}");
            assert_eq!(
                c.cmd(&["GET", &last]),
                format!("${}\r\n{acknowledged}\r\n", acknowledged.to_string().len()).as_bytes()
            );
        }
        acknowledged = write_until_killed(addr, size, Duration::from_millis(rng.u64(5..60)), &mut child);
    }
}

#[test]
fn appendfsync_always_loses_no_acknowledged_write_over_50_kills() {
    no_acknowledged_write_is_lost("always", 50);
}

#[test]
fn appendfsync_everysec_loses_no_acknowledged_write_when_the_process_is_killed() {
    no_acknowledged_write_is_lost("everysec", 20);
}

/// redis-server 7.0 with the AOF on in `dir` (no RDB preamble, as embedis writes bases); None if not installed.
fn spawn_redis(dir: &Path) -> Option<(Child, SocketAddr)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(_) if !crate::support::in_ci() => {
            eprintln!("skipped: redis-server not installed");
            return None;
        }
        Err(e) => panic!("redis-server: {e}"),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    eventually("redis-server answers", || {
        Conn::try_connect(addr)
            .is_ok_and(|mut c| c.try_cmd(&["PING"], Duration::from_secs(1)).is_ok_and(|r| r == b"+PONG\r\n"))
    });
    Some((child, addr))
}

/// Everything in databases 0-3 as text: key, type, value (sorted where order is not kept), whether it has a TTL.
fn dump(addr: SocketAddr) -> Vec<String> {
    let mut c = Conn::connect(addr);
    let mut out = Vec::new();
    for db in 0..4 {
        c.cmd(&["SELECT", &db.to_string()]);
        let mut keys = bulks(&c.cmd(&["KEYS", "*"]));
        keys.sort();
        for key in keys {
            let kind = String::from_utf8(c.cmd(&["TYPE", &key])).unwrap();
            let mut value = match kind.trim() {
                "+string" => bulks(&c.cmd(&["GET", &key])),
                "+hash" => bulks(&c.cmd(&["HGETALL", &key])).chunks(2).map(|p| p.join("=")).collect(),
                "+set" => bulks(&c.cmd(&["SMEMBERS", &key])),
                "+zset" => bulks(&c.cmd(&["ZRANGE", &key, "0", "-1", "WITHSCORES"])),
                other => vec![other.to_string()],
            };
            if kind.trim() != "+zset" {
                value.sort();
            }
            let ttl = c.cmd(&["TTL", &key]) != b":-1\r\n";
            out.push(format!("{db} {key} {} {value:?} ttl={ttl}", kind.trim()));
        }
    }
    out
}

/// The same data in every type, written through `addr`.
fn write_sample(addr: SocketAddr) {
    let mut c = Conn::connect(addr);
    for cmd in [
        &["SET", "s", "v"][..],
        &["SET", "n", "12345"],
        &["SET", "t", "x", "EX", "5000"],
        &["INCRBYFLOAT", "f", "2.5"],
        &["HSET", "h", "a", "1", "b", "two"],
        &["SADD", "ints", "1", "2", "3"],
        &["SADD", "words", "a", "b"],
        &["ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"],
        &["SELECT", "2"],
        &["SET", "db2", "yes"],
        &["EVAL", "redis.call('SET', 'scripted', '1'); redis.call('INCR', 'scripted')", "0"],
    ] {
        c.cmd(cmd);
    }
    let big: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let mut sadd = vec!["SADD".to_string(), "big".to_string()];
    sadd.extend(big);
    c.cmd(&sadd);
}

#[test]
fn redis_server_loads_what_embedis_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_in(dir.path(), "everysec");
    write_sample(server.addr());
    let mut c = Conn::connect(server.addr());
    // A base from a rewrite, then more writes in the incremental file.
    c.cmd(&["BGREWRITEAOF"]);
    eventually("the rewrite finishes", || {
        String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap().contains("aof_rewrites:1")
    });
    c.cmd(&["HSET", "h", "c", "3"]);
    c.cmd(&["SPOP", "words"]);
    let expected = dump(server.addr());
    drop(server);
    let Some((mut redis, addr)) = spawn_redis(dir.path()) else { return };
    let loaded = dump(addr);
    let _ = redis.kill();
    let _ = redis.wait();
    assert_eq!(loaded, expected);
}

#[test]
fn embedis_loads_what_redis_server_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let Some((mut redis, addr)) = spawn_redis(dir.path()) else { return };
    write_sample(addr);
    let mut c = Conn::connect(addr);
    c.cmd(&["BGREWRITEAOF"]);
    eventually("redis-server's rewrite finishes", || {
        String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap().contains("aof_rewrite_in_progress:0")
            && String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap().contains("aof_rewrites:1")
    });
    c.cmd(&["HSET", "h", "c", "3"]);
    c.cmd(&["SPOP", "words"]);
    let expected = dump(addr);
    // SHUTDOWN closes the connection without a reply once the AOF is flushed.
    c.send(&["SHUTDOWN"]);
    let _ = redis.wait();
    let server = start_in(dir.path(), "everysec");
    assert_eq!(dump(server.addr()), expected);
}

#[test]
fn a_full_disk_refuses_writes_with_misconf_and_acknowledges_nothing_unwritten() {
    let dir = tempfile::tempdir().unwrap();
    // A file size limit of 16 KiB stands in for a full disk: writes past it fail with EFBIG (SIGXFSZ ignored).
    let script = format!(
        "ulimit -S -f 32; trap '' XFSZ; exec {BIN} --port auto --bind 127.0.0.1 --save '' --appendonly yes --dir {}",
        dir.path().display()
    );
    let mut child =
        Command::new("sh").args(["-c", &script]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("port in the log").unwrap();
        if let Some(rest) = line.split("port=").nth(1) {
            break rest.trim_end_matches('.').parse::<u16>().unwrap();
        }
    };
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log_writer = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut log = log_writer.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut writer = Conn::connect(addr);
    let value = "v".repeat(1000);
    let mut acknowledged = 0;
    let stuck = loop {
        match writer.try_cmd(&["SET", &format!("k{acknowledged}"), &value], Duration::from_millis(500)) {
            Ok(reply) if reply == b"+OK\r\n" => acknowledged += 1,
            Ok(reply) => panic!("unexpected reply {:?}", String::from_utf8_lossy(&reply)),
            // The write that hit the limit is executed but not acknowledged.
            Err(_) => break acknowledged,
        }
        assert!(acknowledged < 100, "the file limit never hit");
    };
    let mut other = Conn::connect(addr);
    let misconf = other.cmd(&["SET", "x", "1"]);
    assert!(
        misconf.starts_with(b"-MISCONF Errors writing to the AOF file: File too large"),
        "{:?}",
        String::from_utf8_lossy(&misconf)
    );
    assert!(other.cmd(&["PING"]).starts_with(b"-MISCONF"));
    assert_eq!(other.cmd(&["GET", "k0"]), format!("$1000\r\n{value}\r\n").as_bytes(), "reads still work");
    let info = String::from_utf8(other.cmd(&["INFO", "persistence"])).unwrap();
    assert!(info.contains("aof_last_write_status:err"), "{info}");
    // Logged as redis-server logs it: the failed write (a short one, or one that wrote nothing).
    let logged = log.lock().unwrap().clone();
    assert!(
        logged.contains("# Short write while writing to the AOF file: (nwritten=")
            || logged.contains("# Error writing to the AOF file: File too large"),
        "{logged}"
    );
    // Room on the disk again (the limit lifted): the retry writes, the waiting client gets its reply, and the
    // recovery is logged.
    let unlimited = libc::rlimit { rlim_cur: libc::RLIM_INFINITY, rlim_max: libc::RLIM_INFINITY };
    // SAFETY: prlimit on our own child with a valid rlimit and no old-limit pointer.
    let lifted =
        unsafe { libc::prlimit(child.id() as libc::pid_t, libc::RLIMIT_FSIZE, &unlimited, std::ptr::null_mut()) };
    assert_eq!(lifted, 0, "prlimit");
    assert_eq!(writer.read_reply_bytes(), b"+OK\r\n");
    assert_eq!(other.cmd(&["SET", "x", "1"]), b"+OK\r\n");
    eventually("the recovery logged", || {
        log.lock().unwrap().contains("# AOF write error looks solved, Redis can write again.")
    });
    // Full again: turning the AOF off releases an unacknowledged write and lifts MISCONF.
    let limited = libc::rlimit { rlim_cur: 32 * 512, rlim_max: libc::RLIM_INFINITY };
    // SAFETY: as above.
    let limited =
        unsafe { libc::prlimit(child.id() as libc::pid_t, libc::RLIMIT_FSIZE, &limited, std::ptr::null_mut()) };
    assert_eq!(limited, 0, "prlimit");
    let mut i = 0;
    while writer.try_cmd(&["SET", &format!("again{i}"), &value], Duration::from_millis(500)).is_ok() {
        i += 1;
        assert!(i < 100, "the file limit never hit again");
    }
    assert_eq!(other.cmd(&["CONFIG", "SET", "appendonly", "no"]), b"+OK\r\n");
    assert_eq!(writer.read_reply_bytes(), b"+OK\r\n");
    assert_eq!(other.cmd(&["SET", "x", "1"]), b"+OK\r\n");
    let _ = child.kill();
    let _ = child.wait();
    assert!(stuck > 0);
}

#[test]
fn a_crash_at_any_point_of_a_rewrite_leaves_a_directory_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(11);
    let mut expected = 0u64;
    for cycle in 0..15 {
        let (mut child, addr) = spawn_binary(dir.path(), "always");
        let mut c = Conn::connect(addr);
        let got = c.cmd(&["GET", "counter"]);
        let expected_reply = if expected == 0 {
            b"$-1\r\n".to_vec()
        } else {
            format!("${}\r\n{expected}\r\n", expected.to_string().len()).into_bytes()
        };
        assert_eq!(got, expected_reply, "cycle {cycle}: the counter after the restart");
        // Data for the rewrite to copy, a rewrite, more acknowledged writes, and a kill somewhere in between.
        for i in 0..200 {
            c.cmd(&["SET", &format!("filler:{i}"), &"x".repeat(100)]);
        }
        c.cmd(&["BGREWRITEAOF"]);
        let kill_at = Instant::now() + Duration::from_millis(rng.u64(0..30));
        while Instant::now() < kill_at {
            if c.cmd(&["INCR", "counter"]).starts_with(b":") {
                expected += 1;
            }
        }
        child.kill().unwrap();
        let _ = child.wait();
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("appendonlydir"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("temp-"))
        .collect();
    assert!(leftovers.len() <= 1, "dead rewrites' temporary files are cleaned up at startup: {leftovers:?}");
}

#[test]
fn turning_the_aof_on_at_runtime_writes_a_full_base_first() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        embedis::Config { loglevel: embedis::config::LogLevel::Nothing, save: Vec::new(), ..Default::default() };
    let server = embedis::blocking::Server::builder().with_config(config).port(0).dir(dir.path()).start().unwrap();
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "before", "1"]);
    c.cmd(&["HSET", "h", "f", "v"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    c.cmd(&["SET", "after", "2"]);
    eventually("the first base is written", || {
        let info = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
        info.contains("aof_enabled:1") && info.contains("aof_rewrites:1")
    });
    c.cmd(&["SET", "later", "3"]);
    drop(server);
    let server = start_in(dir.path(), "everysec");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["MGET", "before", "after", "later"]), b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_eq!(c.cmd(&["HGET", "h", "f"]), b"$1\r\nv\r\n");
}
