//! RDB durability: what a `kill -9` of the server during or after SAVE / BGSAVE leaves in `dump.rdb`, failing
//! background saves and MISCONF, save points on the test kit's clock, BGSAVE next to another child, INFO
//! persistence, what loading at startup keeps, and damaged files. Where redis-server 7.0 can be watched doing the
//! same, each test runs the same steps against it and compares.
//!
//! Temporary files: a save killed half-way leaves its `temp-<pid>.rdb` behind, with redis-server as with
//! embedis, and the next start neither loads nor removes it (only `dbfilename` is data).

use crate::support::conn::bulks;
use crate::support::{in_ci, restartable_port, Conn};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EMBEDIS: &str = env!("CARGO_BIN_EXE_embedis-server");

/// How long the polls below wait for something that must happen (generous: the machine is shared).
const PATIENCE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Embedis,
    Redis,
}

/// Is redis-server here? In CI it must be; elsewhere its half of a comparison is skipped.
fn redis_installed() -> bool {
    let found = Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_ok();
    assert!(found || !in_ci(), "redis-server is not installed, but CI=true requires it");
    if !found {
        eprintln!("skipped: redis-server not installed (the comparison half of this test)");
    }
    found
}

/// The kinds a comparison runs on: embedis, and redis-server when installed.
fn kinds() -> Vec<Kind> {
    if redis_installed() {
        vec![Kind::Embedis, Kind::Redis]
    } else {
        vec![Kind::Embedis]
    }
}

/// Runs `steps` on embedis and on redis-server (each in its own directory, at the same time) and returns
/// (embedis's result, redis-server's result or None when it is not installed).
fn on_both<T: Send + 'static>(steps: fn(Kind, &Path) -> T) -> (T, Option<T>) {
    let mut runs: Vec<_> = kinds()
        .into_iter()
        .map(|kind| {
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                steps(kind, dir.path())
            })
        })
        .collect();
    let redis = if runs.len() == 2 { Some(runs.pop().unwrap().join().unwrap()) } else { None };
    (runs.pop().unwrap().join().unwrap(), redis)
}

/// A server process this test spawned in `dir`: embedis-server or redis-server, logging to its own file there.
struct Server {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
    log: PathBuf,
}

/// Defaults for both servers; a test's own `(name, value)` pairs replace them.
const DEFAULTS: &[(&str, &str)] =
    &[("save", ""), ("appendonly", "no"), ("enable-debug-command", "yes"), ("rdb-key-save-delay", "0")];

impl Server {
    fn start(kind: Kind, dir: &Path, args: &[(&str, &str)]) -> Server {
        Self::try_start(kind, dir, args).unwrap_or_else(|log| panic!("{kind:?} did not start; log:\n{log}"))
    }

    /// Err holds the log of a server that exited instead of answering.
    fn try_start(kind: Kind, dir: &Path, args: &[(&str, &str)]) -> Result<Server, String> {
        for attempt in 0..10 {
            let log = dir.join(format!("{kind:?}-{}.log", fastrand::u32(..)).to_lowercase());
            let (program, port) = match kind {
                Kind::Embedis => (EMBEDIS, "auto".to_string()),
                Kind::Redis => ("redis-server", restartable_port().to_string()),
            };
            let mut command = Command::new(program);
            command.args(["--port", &port, "--bind", "127.0.0.1", "--dir"]).arg(dir).arg("--logfile").arg(&log);
            for (name, value) in DEFAULTS.iter().filter(|(n, _)| !args.iter().any(|(a, _)| a == n)).chain(args) {
                command.arg(format!("--{name}")).arg(value);
            }
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            let mut child = command.spawn().unwrap_or_else(|e| panic!("spawn {program}: {e}"));
            let deadline = Instant::now() + PATIENCE;
            let addr = loop {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                if let Some(status) = child.try_wait().unwrap() {
                    // redis-server on a port another process took meanwhile: try another.
                    if kind == Kind::Redis && text.contains("Address already in use") && attempt < 9 {
                        break None;
                    }
                    return Err(format!("{status}\n{text}"));
                }
                if text.contains("Ready to accept connections") {
                    let port = text.split("port=").nth(1).and_then(|p| p.split('.').next()?.parse::<u16>().ok());
                    break Some(SocketAddr::from(([127, 0, 0, 1], port.expect("port in the log"))));
                }
                assert!(Instant::now() < deadline, "{kind:?} never became ready:\n{text}");
                std::thread::sleep(Duration::from_millis(10));
            };
            if let Some(addr) = addr {
                return Ok(Server { child, addr, dir: dir.to_path_buf(), log });
            }
        }
        unreachable!()
    }

    fn conn(&self) -> Conn {
        Conn::connect(self.addr)
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// SIGKILL, and the exit reaped.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The pid of the last background save started ("Background saving started by pid N").
    fn bgsave_pid(&self) -> i32 {
        let log = self.log();
        let at = log.rfind("Background saving started by pid ").expect("a background save in the log");
        log[at..].split_whitespace().nth(5).unwrap().parse().unwrap()
    }

    fn dump_path(&self) -> PathBuf {
        self.dir.join("dump.rdb")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process that exists and has not exited (a zombie has).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// One field of INFO persistence, as text.
fn info(c: &mut Conn, field: &str) -> String {
    let text = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap_or_else(|| panic!("{field}"));
    line[field.len() + 1..].trim().to_string()
}

/// Waits for the background save to end; returns `rdb_last_bgsave_status`.
fn bgsave_done(c: &mut Conn) -> String {
    wait_until("the background save ends", || info(c, "rdb_bgsave_in_progress") == "0");
    info(c, "rdb_last_bgsave_status")
}

fn int(reply: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(reply);
    text.strip_prefix(':').and_then(|t| t.trim_end().parse().ok()).unwrap_or_else(|| panic!("not an integer: {text}"))
}

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

/// SETs `prefix:1..=n` (value = the number) in one pipeline; `extra` is appended to each (`["EX", "100"]`).
fn fill(c: &mut Conn, prefix: &str, n: usize, extra: &[&str]) {
    for i in 1..=n {
        let (key, value) = (format!("{prefix}:{i}"), i.to_string());
        let mut args = vec!["SET", &key, &value];
        args.extend_from_slice(extra);
        c.send(&args);
    }
    for _ in 0..n {
        assert_eq!(c.read_reply_bytes(), b"+OK\r\n");
    }
}

fn keys(c: &mut Conn) -> Vec<String> {
    let mut keys = bulks(&c.cmd(&["KEYS", "*"]));
    keys.sort();
    keys
}

// --- 1. kill -9 in the middle of a save ---

/// What a SIGKILL in the middle of a BGSAVE left: (the dump unchanged right after the kill, the dump unchanged
/// once the save's child is gone, whether the child's temp file was left, the keys loaded at restart).
fn kill_during_bgsave(kind: Kind, dir: &Path) -> (bool, bool, bool, Vec<String>) {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    fill(&mut c, "old", 20, &[]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    let before = std::fs::read(server.dump_path()).unwrap();
    let saved = keys(&mut c);
    // Over 1024 keys: redis-server's child reports to its parent every 1024 keys (at most once a second), and
    // only then finds it gone. 2 ms a key: a save of 4 s.
    fill(&mut c, "new", 2000, &[]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "2000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    let child = server.bgsave_pid();
    let temp = dir.join(format!("temp-{child}.rdb"));
    wait_until("the child creates its temp file", || temp.exists());
    server.kill9();
    let intact_at_kill = std::fs::read(dir.join("dump.rdb")).unwrap() == before;
    // The child outlives its parent for a moment (redis-server's until its next report): once it is gone, the
    // dump must still be the previous one, not a snapshot of a server that died.
    wait_until("the orphaned child exits", || !alive(child));
    let intact_after_child = std::fs::read(dir.join("dump.rdb")).unwrap() == before;
    let temp_left = temp.exists();
    let server = Server::start(kind, dir, &[]);
    let loaded = keys(&mut server.conn());
    assert_eq!(loaded, saved, "{kind:?}: the restart loads what the previous SAVE held");
    assert_eq!(temp.exists(), temp_left, "{kind:?}: the start leaves temp files alone");
    (intact_at_kill, intact_after_child, temp_left, loaded)
}

#[test]
fn sigkill_during_bgsave_keeps_the_previous_dump_and_its_child_never_replaces_it() {
    let (ours, theirs) = on_both(kill_during_bgsave);
    assert!(ours.0 && ours.1, "the previous dump.rdb was replaced: {ours:?}");
    assert_eq!(ours.3.len(), 20);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// The same during a foreground SAVE (the event loop is busy in it): (the dump unchanged, the temp file left,
/// the keys loaded at restart).
fn kill_during_save(kind: Kind, dir: &Path) -> (bool, bool, Vec<String>) {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    fill(&mut c, "old", 20, &[]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    let before = std::fs::read(server.dump_path()).unwrap();
    let saved = keys(&mut c);
    // 100 random bytes a value (LZF would shrink repeated ones): each server has written part of its file
    // (embedis writes 64 KB at a time) long before the 4 s the save takes.
    for i in 1..=2000 {
        let value: String = (0..100).map(|_| fastrand::alphanumeric()).collect();
        c.send(&["SET", &format!("new:{i}"), &value]);
    }
    for _ in 0..2000 {
        assert_eq!(c.read_reply_bytes(), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "2000"]), b"+OK\r\n");
    c.send(&["SAVE"]);
    let temp = dir.join(format!("temp-{}.rdb", server.pid()));
    // Some of it written: the kill lands in the middle of the file.
    let listing = || {
        let entries = std::fs::read_dir(dir).unwrap().flatten();
        entries.map(|e| format!("{:?} {:?}", e.file_name(), e.metadata().map(|m| m.len()))).collect::<Vec<_>>()
    };
    let deadline = Instant::now() + PATIENCE;
    while !std::fs::metadata(&temp).is_ok_and(|m| m.len() > 0) {
        assert!(Instant::now() < deadline, "{kind:?}: SAVE never wrote {}: {:?}", temp.display(), listing());
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill9();
    let intact = std::fs::read(dir.join("dump.rdb")).unwrap() == before;
    let temp_left = temp.exists();
    let server = Server::start(kind, dir, &[]);
    let loaded = keys(&mut server.conn());
    assert_eq!(loaded, saved, "{kind:?}: the restart loads what the previous SAVE held");
    assert!(temp.exists(), "{kind:?}: the start leaves temp files alone");
    (intact, temp_left, loaded)
}

#[test]
fn sigkill_during_save_keeps_the_previous_dump() {
    let (ours, theirs) = on_both(kill_during_save);
    assert!(ours.0, "the previous dump.rdb was replaced");
    assert!(ours.1, "the half-written temp file is left, as redis-server leaves it");
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// The test kit's `kill` (the process gone, the machine up) during a BGSAVE: the child dies with the server, so
/// the dump stays the previous one.
#[test]
fn the_test_kits_kill_during_a_bgsave_leaves_the_previous_dump() {
    let mut server = embedis::test::Server::builder().config("save", "").start();
    let mut c = Conn::connect(server.addr());
    fill(&mut c, "old", 20, &[]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    let dump = server.dir().join("dump.rdb");
    let before = std::fs::read(&dump).unwrap();
    fill(&mut c, "new", 1000, &[]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "2000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    let log = std::fs::read_to_string(server.log_path()).unwrap();
    let at = log.rfind("Background saving started by pid ").unwrap();
    let child: i32 = log[at..].split_whitespace().nth(5).unwrap().parse().unwrap();
    assert!(alive(child));
    server.kill();
    wait_until("the child dies with its server", || !alive(child));
    assert_eq!(std::fs::read(&dump).unwrap(), before);
    server.restart();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["DBSIZE"]), b":20\r\n");
}

// --- 2. kill -9 after a BGSAVE that succeeded ---

/// Data of every type in two databases, with TTLs at fixed times (so both servers hold the same digest).
fn write_typed_sample(c: &mut Conn) {
    let at = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 1000) / 10 * 10;
    let at = at.to_string();
    for cmd in [
        &["SET", "s", "hello"][..],
        &["SET", "n", "12345"],
        &["HSET", "h", "a", "1", "b", "two"],
        &["SADD", "ints", "1", "2", "3"],
        &["ZADD", "z", "1", "a", "2.5", "b"],
        &["EXPIREAT", "h", at.as_str()],
        &["SELECT", "3"],
        &["SET", "db3", "yes"],
        &["SELECT", "0"],
    ] {
        let reply = c.cmd(cmd);
        assert!(!reply.starts_with(b"-"), "{cmd:?}: {}", text(&reply));
    }
    fill(c, "ttl", 50, &["EXAT", at.as_str()]);
    fill(c, "plain", 50, &[]);
}

fn digest(c: &mut Conn) -> String {
    text(&c.cmd(&["DEBUG", "DIGEST"]))
}

/// (digest after the restart, keys loaded, TTL of a key) after a kill -9 that followed a successful BGSAVE.
fn kill_after_bgsave(kind: Kind, dir: &Path) -> (String, String, bool) {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    write_typed_sample(&mut c);
    let before = digest(&mut c);
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert_eq!(bgsave_done(&mut c), "ok");
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    server.kill9();
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    let after = digest(&mut c);
    assert_eq!(after, before, "{kind:?}: everything saved is back, TTLs included");
    let ttl = int(&c.cmd(&["TTL", "ttl:7"]));
    (after, info(&mut c, "rdb_last_load_keys_loaded"), (980..=1000).contains(&ttl))
}

#[test]
fn a_kill_9_after_a_successful_bgsave_loses_nothing_it_saved() {
    let (ours, theirs) = on_both(kill_after_bgsave);
    assert_eq!(ours.1, "106");
    assert!(ours.2, "the TTLs came back");
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

// --- 3. a failing BGSAVE: MISCONF ---

/// The log lines about saving (level mark and message), with pids and the directory made neutral.
fn save_lines(log: &str, dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().unwrap().display().to_string();
    log.lines()
        .filter_map(|line| line.splitn(6, ' ').nth(5))
        .filter(|m| m.contains("temp DB file") || m.contains("Background saving") || m.contains("DB saved on disk"))
        .map(|m| {
            let m = m.replace(&dir, "DIR");
            let words: Vec<String> = m
                .split(' ')
                .map(|w| match w.strip_prefix("temp-").and_then(|t| t.strip_suffix(".rdb")) {
                    Some(pid) if pid.parse::<u32>().is_ok() => "temp-PID.rdb".to_string(),
                    _ if w.parse::<u32>().is_ok() => "N".to_string(),
                    _ => w.to_string(),
                })
                .collect();
            words.join(" ")
        })
        .collect()
}

/// The replies to a BGSAVE that cannot rename its file (a directory named dump.rdb: root cannot either), then
/// to writes, reads, PING and the ways out; and the log lines about it.
fn failing_bgsave(kind: Kind, dir: &Path) -> (Vec<String>, Vec<String>) {
    let server = Server::start(kind, dir, &[("save", "3600 1"), ("stop-writes-on-bgsave-error", "yes")]);
    let mut c = server.conn();
    let mut replies = vec![text(&c.cmd(&["SET", "a", "1"]))];
    std::fs::create_dir(dir.join("dump.rdb")).unwrap();
    replies.push(text(&c.cmd(&["BGSAVE"])));
    replies.push(bgsave_done(&mut c));
    for cmd in [
        &["SET", "b", "2"][..],
        &["PING"],
        &["INCR", "n"],
        &["GET", "a"],
        &["DBSIZE"],
        &["EXISTS", "b"],
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
        &["SET", "b", "2"],
        &["PING"],
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
        &["SET", "b", "3"],
        // A failed foreground SAVE says ERR and changes nothing.
        &["SAVE"],
        &["SET", "b", "3"],
        &["CONFIG", "SET", "save", ""],
        &["SET", "b", "3"],
        &["CONFIG", "SET", "save", "3600 1"],
        &["SET", "b", "3"],
    ] {
        replies.push(text(&c.cmd(cmd)));
    }
    std::fs::remove_dir(dir.join("dump.rdb")).unwrap();
    replies.push(text(&c.cmd(&["BGSAVE"])));
    replies.push(bgsave_done(&mut c));
    for cmd in [&["SET", "b", "4"][..], &["PING"], &["GET", "b"]] {
        replies.push(text(&c.cmd(cmd)));
    }
    replies.push(info(&mut c, "rdb_saves"));
    (replies, save_lines(&server.log(), dir))
}

#[test]
fn a_failed_bgsave_refuses_writes_and_ping_with_misconf_as_redis() {
    const MISCONF: &str = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist \
                           to disk. Commands that may modify the data set are disabled, because this instance is \
                           configured to report errors during writes if RDB snapshotting fails \
                           (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the \
                           RDB error.\r\n";
    let (ours, theirs) = on_both(failing_bgsave);
    let (replies, lines) = &ours;
    assert_eq!(replies[1], "+Background saving started\r\n");
    assert_eq!(replies[2], "err");
    assert_eq!(replies[3], MISCONF, "SET");
    assert_eq!(replies[4], MISCONF, "PING");
    assert_eq!(replies[6], "$1\r\n1\r\n", "GET still answers");
    assert_eq!(replies[10], "+OK\r\n", "stop-writes-on-bgsave-error no lifts it");
    assert_eq!(replies[11], "+PONG\r\n");
    assert_eq!(replies[13], MISCONF);
    assert_eq!(replies[14], "-ERR\r\n", "SAVE");
    assert_eq!(replies[15], MISCONF, "a failed SAVE changes nothing");
    assert_eq!(replies[17], "+OK\r\n", "no save points: nothing refused");
    assert_eq!(replies[19], MISCONF, "save points again: refused again");
    assert_eq!(replies[21], "ok");
    assert_eq!(replies[22], "+OK\r\n", "a successful BGSAVE lifts it");
    assert_eq!(
        lines[..3],
        [
            "* Background saving started by pid N",
            "# Error moving temp DB file temp-PID.rdb on the final destination dump.rdb (in server root dir DIR): \
             Is a directory",
            "# Background saving error",
        ],
        "{lines:#?}"
    );
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// With no save points (`save ""`) a failed BGSAVE refuses nothing (Redis's writeCommandsDeniedByDiskError).
fn failing_bgsave_without_save_points(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[("save", ""), ("stop-writes-on-bgsave-error", "yes")]);
    let mut c = server.conn();
    std::fs::create_dir(dir.join("dump.rdb")).unwrap();
    let mut replies = vec![text(&c.cmd(&["BGSAVE"])), bgsave_done(&mut c)];
    for cmd in [&["SET", "a", "1"][..], &["PING"], &["CONFIG", "SET", "save", "3600 1"], &["SET", "a", "2"]] {
        replies.push(text(&c.cmd(cmd)));
    }
    replies
}

#[test]
fn without_save_points_a_failed_bgsave_refuses_nothing() {
    let (ours, theirs) = on_both(failing_bgsave_without_save_points);
    assert_eq!(ours[..4], ["+Background saving started\r\n", "err", "+OK\r\n", "+PONG\r\n"]);
    assert!(ours[5].starts_with("-MISCONF "), "save points configured later: the failure counts: {}", ours[5]);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

// --- 4. save points, on the test kit's clock ---

fn log_has(server: &embedis::test::Server, line: &str) -> bool {
    std::fs::read_to_string(server.log_path()).unwrap().lines().any(|l| l.ends_with(line))
}

/// Several cron runs (hz 10) go by: what is due has started by then.
fn let_the_cron_run() {
    std::thread::sleep(Duration::from_millis(400));
}

#[test]
fn a_save_point_starts_a_background_save_once_both_its_changes_and_its_seconds_are_reached() {
    let server = embedis::test::Server::builder().config("save", "60 2").frozen_clock().start();
    let mut c = Conn::connect(server.addr());
    let started = int(&c.cmd(&["LASTSAVE"]));
    let dump = server.dir().join("dump.rdb");
    c.cmd(&["SET", "a", "1"]);
    server.advance_time(Duration::from_secs(61));
    let_the_cron_run();
    assert!(!dump.exists(), "one change of the two");
    assert_eq!(info(&mut c, "rdb_saves"), "0");
    assert!(!log_has(&server, "Saving..."));

    // Counted from the last save (the start): the second change makes it due at once.
    c.cmd(&["SET", "b", "2"]);
    wait_until("the save point's background save", || dump.exists() && info(&mut c, "rdb_bgsave_in_progress") == "0");
    assert_eq!(info(&mut c, "rdb_last_bgsave_status"), "ok");
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "0");
    assert_eq!(info(&mut c, "rdb_saves"), "1");
    assert_eq!(int(&c.cmd(&["LASTSAVE"])), started + 61);
    assert_eq!(info(&mut c, "rdb_last_save_time"), (started + 61).to_string());
    assert!(log_has(&server, "* 2 changes in 60 seconds. Saving..."), "{}", server.log_tail(10));
    assert!(log_has(&server, "* DB saved on disk"), "the child's line: {}", server.log_tail(10));
    assert!(log_has(&server, "* Background saving terminated with success"), "{}", server.log_tail(10));

    // Two changes, and 60 seconds is not more than 60.
    c.cmd(&["SET", "c", "3"]);
    c.cmd(&["SET", "d", "4"]);
    server.advance_time(Duration::from_secs(60));
    let_the_cron_run();
    assert_eq!(info(&mut c, "rdb_saves"), "1");
    server.advance_time(Duration::from_secs(1));
    wait_until("the second save", || info(&mut c, "rdb_saves") == "2");
    assert_eq!(bgsave_done(&mut c), "ok");

    // One change and any time is not enough.
    c.cmd(&["SET", "e", "5"]);
    server.advance_time(Duration::from_secs(6000));
    let_the_cron_run();
    assert_eq!(info(&mut c, "rdb_saves"), "2");
    assert_eq!(info(&mut c, "rdb_changes_since_last_save"), "1");
}

/// A save point whose background save failed tries again only when more than 5 whole seconds of the clock
/// have passed since the last try (CONFIG_BGSAVE_RETRY_DELAY, `unixtime - lastbgsave_try > 5`).
#[test]
fn a_failed_save_point_is_retried_after_more_than_5_seconds() {
    let server = embedis::test::Server::builder().config("save", "60 1").frozen_clock().start();
    // 100 ms into a second: 5.5 seconds later is only 5 whole seconds later.
    let second = server.now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    server.set_time(std::time::UNIX_EPOCH + Duration::from_millis(second * 1000 + 100));
    let mut c = Conn::connect(server.addr());
    std::fs::create_dir(server.dir().join("dump.rdb")).unwrap();
    c.cmd(&["SET", "a", "1"]);
    server.advance_time(Duration::from_secs(61));
    wait_until("the first try fails", || info(&mut c, "rdb_last_bgsave_status") == "err");
    assert_eq!(bgsave_done(&mut c), "err");
    assert_eq!(info(&mut c, "rdb_saves"), "1");
    std::fs::remove_dir(server.dir().join("dump.rdb")).unwrap();
    server.advance_time(Duration::from_millis(5500));
    let_the_cron_run();
    assert_eq!(info(&mut c, "rdb_saves"), "1", "5 whole seconds: not yet");
    server.advance_time(Duration::from_millis(500));
    wait_until("the retry", || info(&mut c, "rdb_saves") == "2");
    assert_eq!(bgsave_done(&mut c), "ok");
    assert_eq!(c.cmd(&["SET", "b", "2"]), b"+OK\r\n");
}

// --- 5. BGSAVE next to another child ---

/// Replies and INFO fields while a BGSAVE runs, then while the AOF rewrite it delayed runs.
fn children(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    // 300 keys, 5 ms each: every child takes 1.5 s.
    fill(&mut c, "k", 300, &[]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "5000"]), b"+OK\r\n");
    let mut out = Vec::new();
    for cmd in [
        &["BGSAVE"][..],
        &["BGSAVE"],
        &["BGSAVE", "SCHEDULE"],
        &["SAVE"],
        &["BGSAVE", "NOW"],
        &["BGREWRITEAOF"],
        &["BGREWRITEAOF"],
    ] {
        out.push(text(&c.cmd(cmd)));
    }
    for field in ["rdb_bgsave_in_progress", "aof_rewrite_in_progress", "aof_rewrite_scheduled"] {
        out.push(format!("{field}:{}", info(&mut c, field)));
    }
    wait_until("the delayed rewrite starts", || info(&mut c, "aof_rewrite_in_progress") == "1");
    for cmd in [&["BGSAVE"][..], &["BGSAVE", "SCHEDULE"], &["BGSAVE", "SCHEDULE"], &["BGREWRITEAOF"]] {
        out.push(text(&c.cmd(cmd)));
    }
    for field in ["rdb_bgsave_in_progress", "aof_rewrite_scheduled", "rdb_last_bgsave_status"] {
        out.push(format!("{field}:{}", info(&mut c, field)));
    }
    // The scheduled BGSAVE runs once the rewrite is over.
    wait_until("the scheduled save", || info(&mut c, "rdb_saves") == "2");
    assert_eq!(bgsave_done(&mut c), "ok");
    for field in ["aof_rewrite_in_progress", "aof_rewrites", "aof_last_bgrewrite_status", "rdb_changes_since_last_save"]
    {
        out.push(format!("{field}:{}", info(&mut c, field)));
    }
    assert!(server.dump_path().exists());
    out
}

#[test]
fn bgsave_next_to_another_child_answers_as_redis_and_schedule_runs_it_later() {
    let (ours, theirs) = on_both(children);
    assert_eq!(
        ours,
        [
            "+Background saving started\r\n",
            "-ERR Background save already in progress\r\n",
            "-ERR Background save already in progress\r\n",
            "-ERR Background save already in progress\r\n",
            "-ERR syntax error\r\n",
            "+Background append only file rewriting scheduled\r\n",
            "+Background append only file rewriting scheduled\r\n",
            "rdb_bgsave_in_progress:1",
            "aof_rewrite_in_progress:0",
            "aof_rewrite_scheduled:1",
            "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to \
             schedule a BGSAVE whenever possible.\r\n",
            "+Background saving scheduled\r\n",
            "+Background saving scheduled\r\n",
            "-ERR Background append only file rewriting already in progress\r\n",
            "rdb_bgsave_in_progress:0",
            "aof_rewrite_scheduled:0",
            "rdb_last_bgsave_status:ok",
            "aof_rewrite_in_progress:0",
            "aof_rewrites:1",
            "aof_last_bgrewrite_status:ok",
            "rdb_changes_since_last_save:0",
        ]
    );
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

// --- 6. INFO persistence ---

/// INFO persistence's field names, and the values that do not depend on time, after SAVE and BGSAVE.
fn info_after_saves(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    let all = text(&c.cmd(&["INFO", "persistence"]));
    let mut out: Vec<String> = all.lines().filter_map(|l| Some(l.split_once(':')?.0.to_string())).collect();
    let fields = [
        "rdb_changes_since_last_save",
        "rdb_bgsave_in_progress",
        "rdb_last_bgsave_status",
        "rdb_last_bgsave_time_sec",
        "rdb_current_bgsave_time_sec",
        "rdb_saves",
        "rdb_last_load_keys_loaded",
        "rdb_last_load_keys_expired",
    ];
    let snapshot = |c: &mut Conn, out: &mut Vec<String>, when: &str| {
        let values: Vec<String> = fields.iter().map(|f| format!("{f}:{}", info(c, f))).collect();
        out.push(format!("{when}: {}", values.join(" ")));
        assert_eq!(info(c, "rdb_last_save_time"), int(&c.cmd(&["LASTSAVE"])).to_string(), "{kind:?} {when}");
        let cow = info(c, "rdb_last_cow_size");
        assert!(cow.parse::<u64>().is_ok(), "{kind:?}: rdb_last_cow_size:{cow}");
    };
    snapshot(&mut c, &mut out, "start");
    fill(&mut c, "k", 3, &[]);
    c.cmd(&["DEL", "k:1", "missing"]);
    snapshot(&mut c, &mut out, "4 changes");
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    snapshot(&mut c, &mut out, "SAVE");
    c.cmd(&["SET", "x", "y"]);
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    assert_eq!(bgsave_done(&mut c), "ok");
    let elapsed = info(&mut c, "rdb_last_bgsave_time_sec");
    assert!(elapsed.parse::<u64>().is_ok(), "{kind:?}: rdb_last_bgsave_time_sec:{elapsed}");
    out.push(format!("BGSAVE: {}", info(&mut c, "rdb_changes_since_last_save")));
    out.push(format!("BGSAVE: {}", info(&mut c, "rdb_saves")));
    assert_eq!(info(&mut c, "rdb_last_save_time"), int(&c.cmd(&["LASTSAVE"])).to_string());
    out
}

#[test]
fn info_persistence_after_save_and_bgsave_matches_redis() {
    let (ours, theirs) = on_both(info_after_saves);
    assert!(ours.contains(&"rdb_last_cow_size".to_string()), "{ours:?}");
    let snapshots: Vec<&String> = ours.iter().filter(|l| l.contains(": ")).collect();
    assert_eq!(
        snapshots,
        [
            "start: rdb_changes_since_last_save:0 rdb_bgsave_in_progress:0 rdb_last_bgsave_status:ok \
             rdb_last_bgsave_time_sec:-1 rdb_current_bgsave_time_sec:-1 rdb_saves:0 rdb_last_load_keys_loaded:0 \
             rdb_last_load_keys_expired:0",
            "4 changes: rdb_changes_since_last_save:4 rdb_bgsave_in_progress:0 rdb_last_bgsave_status:ok \
             rdb_last_bgsave_time_sec:-1 rdb_current_bgsave_time_sec:-1 rdb_saves:0 rdb_last_load_keys_loaded:0 \
             rdb_last_load_keys_expired:0",
            "SAVE: rdb_changes_since_last_save:0 rdb_bgsave_in_progress:0 rdb_last_bgsave_status:ok \
             rdb_last_bgsave_time_sec:-1 rdb_current_bgsave_time_sec:-1 rdb_saves:1 rdb_last_load_keys_loaded:0 \
             rdb_last_load_keys_expired:0",
            "BGSAVE: 0",
            "BGSAVE: 2",
        ]
    );
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// Keys whose TTL passed while the server was down are dropped at load (a master's rule) and counted.
fn load_with_expired_keys(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    let written = Instant::now();
    fill(&mut c, "short", 4, &["PX", "400"]);
    fill(&mut c, "long", 2, &["EX", "1000"]);
    fill(&mut c, "plain", 3, &[]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    server.kill9();
    // Past the short TTLs (no timing asserted: only waited for).
    std::thread::sleep(Duration::from_millis(500).saturating_sub(written.elapsed()));
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    let loaded = server
        .log()
        .lines()
        .filter_map(|l| l.split_once("Done loading RDB, ").map(|(_, rest)| rest.to_string()))
        .collect::<Vec<_>>();
    vec![
        info(&mut c, "rdb_last_load_keys_loaded"),
        info(&mut c, "rdb_last_load_keys_expired"),
        text(&c.cmd(&["DBSIZE"])),
        format!("{:?}", keys(&mut c)),
        format!("{loaded:?}"),
    ]
}

#[test]
fn keys_expired_in_the_file_are_dropped_at_load_and_counted_in_info() {
    let (ours, theirs) = on_both(load_with_expired_keys);
    assert_eq!(ours[..3], ["5", "4", ":5\r\n"]);
    assert_eq!(ours[4], r#"["keys loaded: 5, keys expired: 4."]"#);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// FLUSHALL with save points writes the (empty) dataset at once, stopping a BGSAVE in progress
/// (flushAllDataAndResetRDB).
fn flushall_with_save_points(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[("save", "3600 1")]);
    let mut c = server.conn();
    fill(&mut c, "k", 100, &[]);
    assert!(!server.dump_path().exists());
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "100000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    let child = server.bgsave_pid();
    assert_eq!(c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["FLUSHALL"]), b"+OK\r\n");
    // Written before the reply: no waiting.
    let written = std::fs::read(server.dump_path()).unwrap();
    let mut out = vec![bgsave_done(&mut c), info(&mut c, "rdb_saves"), text(&c.cmd(&["DBSIZE"]))];
    wait_until("the stopped child is gone", || !alive(child));
    // The file written by FLUSHALL holds no key, and the stopped child did not replace it.
    assert_eq!(std::fs::read(server.dump_path()).unwrap(), written);
    server.kill9();
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    out.push(text(&c.cmd(&["DBSIZE"])));
    out.push(info(&mut c, "rdb_last_load_keys_loaded"));
    out
}

#[test]
fn flushall_with_save_points_writes_an_empty_dump_at_once() {
    let (ours, theirs) = on_both(flushall_with_save_points);
    assert_eq!(ours, ["ok", "1", ":0\r\n", ":0\r\n", "0"]);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// redis-server 7.0.15's FLUSHALL leaves `server.dirty` as rdbSave left it (0 with save points, the keys removed
/// without them) and adds nothing for itself.
fn changes_after_flushall(kind: Kind, dir: &Path) -> Vec<String> {
    let server = Server::start(kind, dir, &[("save", "3600 1")]);
    let mut c = server.conn();
    fill(&mut c, "k", 3, &[]);
    let mut out = Vec::new();
    for save in ["3600 1", ""] {
        assert_eq!(c.cmd(&["CONFIG", "SET", "save", save]), b"+OK\r\n");
        fill(&mut c, "k", 3, &[]);
        assert_eq!(c.cmd(&["FLUSHALL"]), b"+OK\r\n");
        out.push(info(&mut c, "rdb_changes_since_last_save"));
        assert_eq!(c.cmd(&["FLUSHALL"]), b"+OK\r\n");
        out.push(info(&mut c, "rdb_changes_since_last_save"));
    }
    out
}

#[test]
fn flushall_leaves_as_many_unsaved_changes_as_redis() {
    let (ours, theirs) = on_both(changes_after_flushall);
    assert_eq!(ours, ["0", "0", "6", "6"]);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

// --- 7. what startup loads ---

/// A dump.rdb with 5 keys, written by the server of `kind` in `dir`.
fn write_dump(kind: Kind, dir: &Path) {
    let server = Server::start(kind, dir, &[]);
    let mut c = server.conn();
    fill(&mut c, "k", 5, &[]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    server.kill9();
}

fn appendonly_yes_with_a_dump(kind: Kind, dir: &Path) -> Vec<String> {
    write_dump(kind, dir);
    let server = Server::start(kind, dir, &[("appendonly", "yes")]);
    let mut c = server.conn();
    let out = vec![text(&c.cmd(&["DBSIZE"])), info(&mut c, "rdb_last_load_keys_loaded")];
    assert!(!server.log().contains("DB loaded from disk"), "{kind:?}: {}", server.log());
    out
}

#[test]
fn appendonly_yes_ignores_dump_rdb_the_aof_wins() {
    let (ours, theirs) = on_both(appendonly_yes_with_a_dump);
    assert_eq!(ours, [":0\r\n", "0"]);
    if let Some(theirs) = theirs {
        assert_eq!(ours, theirs);
    }
}

/// The library's start on `dir` with `appendonly no`: Err's text when it refuses.
fn library_start(dir: &Path) -> Result<u64, String> {
    let config = embedis::Config {
        appendonly: false,
        save: Vec::new(),
        loglevel: embedis::config::LogLevel::Nothing,
        ..embedis::Config::default()
    };
    let server = embedis::blocking::Server::builder()
        .with_config(config)
        .port(0)
        .bind("127.0.0.1")
        .dir(dir)
        .start()
        .map_err(|e| e.to_string())?;
    Ok(int(&Conn::connect(server.addr()).cmd(&["DBSIZE"])) as u64)
}

/// Does the server of `kind` refuse to start on `dump` (and exit non-zero)? Its log when it does.
fn refuses(kind: Kind, dump: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dump.rdb"), dump).unwrap();
    match Server::try_start(kind, dir.path(), &[]) {
        Ok(_) => None,
        Err(log) => {
            assert!(!log.starts_with("exit status: 0"), "{kind:?} exited 0: {log}");
            Some(log)
        }
    }
}

#[test]
fn a_damaged_dump_stops_startup_naming_the_file_and_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(Kind::Embedis, dir.path());
    let good = std::fs::read(dir.path().join("dump.rdb")).unwrap();
    assert_eq!(library_start(dir.path()), Ok(5));
    let mut flipped = good.clone();
    let middle = good.len() / 2;
    flipped[middle] ^= 0x5a;
    let mut damaged: Vec<(String, Vec<u8>)> = [5, 9, 30, middle, good.len() - 9, good.len() - 1]
        .iter()
        .map(|&n| (format!("cut at {n}"), good[..n].to_vec()))
        .collect();
    damaged.push((format!("byte {middle} flipped"), flipped));
    let redis = redis_installed();
    for (what, bytes) in &damaged {
        let log = refuses(Kind::Embedis, bytes).unwrap_or_else(|| panic!("{what}: the binary started"));
        assert!(log.starts_with("exit status: 1"), "{what}: {log}");
        let line = log.lines().find(|l| l.contains("Bad RDB file")).unwrap_or_else(|| panic!("{what}: {log}"));
        assert!(line.contains("dump.rdb: at offset ") && line.ends_with(". Exiting."), "{what}: {line}");
        let copy = tempfile::tempdir().unwrap();
        std::fs::write(copy.path().join("dump.rdb"), bytes).unwrap();
        let err = library_start(copy.path()).expect_err(what);
        assert!(err.contains("dump.rdb") && err.contains("at offset "), "{what}: {err}");
        if redis {
            assert!(refuses(Kind::Redis, bytes).is_some(), "{what}: redis-server started");
        }
    }
}
