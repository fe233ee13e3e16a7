//! The `embedis-server` process's life as an operator sees it: SIGTERM / SIGINT (a second SIGINT forces the
//! exit), SHUTDOWN's variants, `daemonize` + `pidfile`, `supervised systemd` and `oom-score-adj`, with the log
//! lines redis-server writes.

use crate::support::{Conn, ReadError, RedisServer};
use std::net::SocketAddr;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_embedis-server");

/// A spawned binary logging to `<dir>/log`, on the port it printed there (redis_cli_modes.rs uses it too).
pub(super) struct Proc {
    child: Child,
    pub(super) addr: SocketAddr,
    dir: PathBuf,
}

impl Proc {
    /// Spawns the binary in `dir` (`--dir`, `--logfile`, `--port auto` on loopback) and waits until it accepts
    /// connections. `setup` may add environment variables.
    fn start_with(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Proc {
        let log = dir.join("log");
        let _ = std::fs::remove_file(&log);
        let mut command = Command::new(BIN);
        command.args(args).arg("--dir").arg(dir).arg("--logfile").arg(&log);
        command.args(["--port", "auto", "--bind", "127.0.0.1"]).env_remove("NOTIFY_SOCKET");
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        setup(&mut command);
        let child = command.spawn().expect("spawn embedis-server");
        let port = wait_for(Duration::from_secs(10), || port_in_log(&log)).expect("the server never became ready");
        Proc { child, addr: SocketAddr::from(([127, 0, 0, 1], port)), dir: dir.to_path_buf() }
    }

    pub(super) fn start(dir: &Path, args: &[&str]) -> Proc {
        Proc::start_with(dir, args, |_| {})
    }

    pub(super) fn conn(&self) -> Conn {
        Conn::connect(self.addr)
    }

    fn signal(&self, sig: i32) {
        send_signal(self.child.id() as i32, sig);
    }

    fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("embedis-server did not exit; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

fn send_signal(pid: i32, sig: i32) {
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    // SAFETY: kill(2) on a process this test started.
    assert_eq!(unsafe { kill(pid, sig) }, 0, "kill({pid}, {sig})");
}

fn wait_for<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The port from "Running mode=standalone, port=N.", once "Ready to accept connections" follows it.
fn port_in_log(log: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(log).ok()?;
    if !text.contains("Ready to accept connections") {
        return None;
    }
    text.split("port=").nth(1)?.split('.').next()?.parse().ok()
}

/// The messages of a redis-server style log: what follows the level mark (`pid:M date time # message`), or
/// the parenthesised time of a signal handler's line (`pid:signal-handler (time) message`).
fn messages(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once(':')?;
            if let Some(rest) = rest.strip_prefix("signal-handler (") {
                return Some(rest.split_once(") ")?.1.to_string());
            }
            // role, day, month, year, time, mark, message
            Some(rest.splitn(7, ' ').nth(6)?.to_string())
        })
        .collect()
}

/// The messages from the first one equal to `from` on.
fn messages_from(log: &str, from: &str) -> Vec<String> {
    let all = messages(log);
    let start = all.iter().position(|m| m == from).unwrap_or_else(|| panic!("no '{from}' in the log:\n{log}"));
    all[start..].to_vec()
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn sigterm_writes_the_aof_and_exits_0_with_redis_log_lines() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--appendonly", "yes", "--appendfsync", "no"]);
    let mut c = server.conn();
    assert_eq!(c.cmd(&["SET", "a", "1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["HSET", "h", "f", "v"]), b":1\r\n");
    for _ in 0..100 {
        c.send(&["INCR", "n"]);
    }
    for _ in 0..100 {
        c.read_reply_bytes();
    }
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
    let log = server.log();
    assert_eq!(
        messages_from(&log, "Received SIGTERM scheduling shutdown..."),
        [
            "Received SIGTERM scheduling shutdown...",
            "User requested shutdown...",
            "Calling fsync() on the AOF file.",
            "Saving the final RDB snapshot before exiting.",
            "DB saved on disk",
            "embedis is now ready to exit, bye bye...",
        ],
        "{log}"
    );

    let server = Proc::start(d.path(), &["--appendonly", "yes"]);
    let mut c = server.conn();
    assert_eq!(c.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
    assert_eq!(c.cmd(&["HGET", "h", "f"]), b"$1\r\nv\r\n");
    assert_eq!(c.cmd(&["GET", "n"]), b"$3\r\n100\r\n");
}

/// The same shutdown of redis-server writes the same lines (ours name embedis), in the same order.
#[test]
fn sigterm_log_lines_match_redis_server() {
    let d = dir();
    let both = [("appendonly", "yes"), ("save", "3600 1")];
    let Some(redis) = RedisServer::start_with_args(&Default::default(), &both) else { return };
    let mut c = Conn::connect(redis.addr());
    let reply = c.cmd(&["CONFIG", "GET", "logfile"]);
    let redis_log = PathBuf::from(crate::support::conn::bulks(&reply)[1].clone());
    let pid = redis_pid(&mut c);
    assert_eq!(c.cmd(&["SET", "a", "1"]), b"+OK\r\n");
    send_signal(pid, SIGTERM);
    let theirs = wait_for(Duration::from_secs(10), || {
        let log = std::fs::read_to_string(&redis_log).ok()?;
        log.contains("bye bye").then_some(log)
    })
    .expect("redis-server did not shut down");
    let theirs = messages_from(&theirs, "Received SIGTERM scheduling shutdown...");

    let mut server = Proc::start(d.path(), &["--appendonly", "yes", "--save", "3600 1"]);
    assert_eq!(server.conn().cmd(&["SET", "a", "1"]), b"+OK\r\n");
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
    let ours = messages_from(&server.log(), "Received SIGTERM scheduling shutdown...");
    let theirs: Vec<String> = theirs.iter().map(|m| m.replace("Redis is now", "embedis is now")).collect();
    assert_eq!(ours, theirs);
}

fn redis_pid(c: &mut Conn) -> i32 {
    let info = String::from_utf8(c.cmd(&["INFO", "server"])).unwrap();
    let line = info.lines().find(|l| l.starts_with("process_id:")).unwrap();
    line["process_id:".len()..].trim().parse().unwrap()
}

#[test]
fn sigint_shuts_down_and_a_second_sigint_exits_at_once() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--appendonly", "yes"]);
    server.signal(SIGINT);
    assert_eq!(server.wait().code(), Some(0));
    let log = server.log();
    assert!(messages(&log).contains(&"Received SIGINT scheduling shutdown...".to_string()), "{log}");
    assert!(messages(&log).contains(&"embedis is now ready to exit, bye bye...".to_string()), "{log}");

    // The server is stuck in DEBUG SLEEP: the first SIGINT waits for it, the second exits with status 1
    // without a clean shutdown, as redis-server does.
    let mut server = Proc::start(d.path(), &["--appendonly", "yes", "--enable-debug-command", "yes"]);
    let mut c = server.conn();
    c.send(&["DEBUG", "SLEEP", "30"]);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    server.signal(SIGINT);
    std::thread::sleep(Duration::from_millis(200));
    server.signal(SIGINT);
    assert_eq!(server.wait().code(), Some(1));
    assert!(started.elapsed() < Duration::from_secs(5));
    let log = server.log();
    assert_eq!(
        messages_from(&log, "Received SIGINT scheduling shutdown..."),
        ["Received SIGINT scheduling shutdown...", "You insist... exiting now."],
        "{log}"
    );
}

/// Argument errors, compared with redis-server (a SHUTDOWN that succeeds ends both, so only errors here).
#[test]
fn shutdown_argument_errors_match_redis_server() {
    const CASES: &[&[&str]] = &[
        &["SHUTDOWN", "ABORT"],
        &["SHUTDOWN", "abort"],
        &["SHUTDOWN", "FOO"],
        &["SHUTDOWN", "SAVE", "NOSAVE"],
        &["SHUTDOWN", "NOSAVE", "SAVE", "NOW"],
        &["SHUTDOWN", "ABORT", "NOW"],
        &["SHUTDOWN", "FORCE", "ABORT"],
        &["SHUTDOWN", "NOSAVE", "ABORT"],
        &["SHUTDOWN", "NOW", "NOW", "BAD"],
    ];
    let d = dir();
    let Some(redis) = RedisServer::start() else { return };
    let server = Proc::start(d.path(), &[]);
    let (mut theirs, mut ours) = (Conn::connect(redis.addr()), server.conn());
    for case in CASES {
        assert_eq!(ours.cmd(case), theirs.cmd(case), "{case:?}");
    }
    assert_eq!(ours.cmd(&["SHUTDOWN", "ABORT"]), b"-ERR No shutdown in progress.\r\n");
    assert_eq!(ours.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn shutdown_save_that_fails_is_refused_unless_forced() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--appendonly", "no"]);
    // A directory where dump.rdb goes: the final rename fails, whoever runs the test (root included).
    std::fs::create_dir(d.path().join("dump.rdb")).unwrap();
    let mut c = server.conn();
    assert_eq!(c.cmd(&["SHUTDOWN", "SAVE"]), b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    assert_eq!(c.cmd(&["SHUTDOWN", "SAVE", "NOW"]), b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    let log = server.log();
    let refused = messages_from(&log, "User requested shutdown...");
    assert_eq!(refused[1], "Saving the final RDB snapshot before exiting.", "{log}");
    // redis-server's words for a rename that failed.
    let dir = d.path().canonicalize().unwrap();
    assert_eq!(
        refused[2],
        format!(
            "Error moving temp DB file temp-{}.rdb on the final destination dump.rdb (in server root dir {}): Is a \
             directory",
            server.child.id(),
            dir.display()
        ),
        "{log}"
    );
    assert_eq!(
        refused[3..5],
        [
            "Error trying to save the DB, can't exit.",
            "Errors trying to shut down the server. Check the logs for more information."
        ],
        "{log}"
    );

    c.send(&["SHUTDOWN", "FORCE", "SAVE"]);
    assert_eq!(server.wait().code(), Some(0));
    let log = server.log();
    assert!(messages(&log).contains(&"Error trying to save the DB. Exit anyway.".to_string()), "{log}");
}

#[test]
fn shutdown_variants_exit_0_and_keep_the_aof() {
    for args in
        [&["SHUTDOWN"][..], &["SHUTDOWN", "NOSAVE"], &["SHUTDOWN", "SAVE"], &["shutdown", "now", "nosave", "force"]]
    {
        let d = dir();
        let mut server = Proc::start(d.path(), &["--appendonly", "yes"]);
        let mut c = server.conn();
        assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
        c.send(args);
        // No reply: the connection closes.
        let closed = c.try_read_reply_bytes(Duration::from_secs(5));
        assert!(matches!(closed, Err(ReadError::Closed { .. } | ReadError::Io(_))), "{args:?}");
        assert_eq!(server.wait().code(), Some(0), "{args:?}");
        let log = server.log();
        // Redis's default save points are on (no config file): unless NOSAVE, the final snapshot is written.
        let mut expected = vec!["User requested shutdown...", "Calling fsync() on the AOF file."];
        if !args.iter().any(|a| a.eq_ignore_ascii_case("nosave")) {
            expected.extend(["Saving the final RDB snapshot before exiting.", "DB saved on disk"]);
        }
        expected.push("embedis is now ready to exit, bye bye...");
        assert_eq!(messages_from(&log, "User requested shutdown..."), expected, "{args:?}: {log}");
        assert_eq!(d.path().join("dump.rdb").exists(), expected.len() == 5, "{args:?}");
        let server = Proc::start(d.path(), &["--appendonly", "yes"]);
        assert_eq!(server.conn().cmd(&["GET", "k"]), b"$1\r\nv\r\n", "{args:?}");
    }
}

/// `shutdown-on-sigterm` gives a signal SHUTDOWN's flags: `save` that cannot save is refused (the server goes
/// on), `save force` exits.
#[test]
fn shutdown_on_sigterm_flags_apply_to_the_signal() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--shutdown-on-sigterm", "save"]);
    std::fs::create_dir(d.path().join("dump.rdb")).unwrap();
    server.signal(SIGTERM);
    let log = wait_for(Duration::from_secs(5), || {
        let log = server.log();
        log.contains("Errors trying to shut down the server").then_some(log)
    })
    .expect("the refusal is logged");
    assert!(messages(&log).contains(&"Error trying to save the DB, can't exit.".to_string()), "{log}");
    let mut c = server.conn();
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "shutdown-on-sigterm", "save force"]), b"+OK\r\n");
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
}

/// A process that exists and is not a zombie.
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) state ...": comm may hold spaces, the state follows the last ')'.
        Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// The session id: field 6 of /proc/<pid>/stat.
fn session_of(pid: i32) -> i32 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, rest) = stat.rsplit_once(") ").unwrap();
    rest.split(' ').nth(3).unwrap().parse().unwrap()
}

#[test]
fn daemonize_forks_writes_the_pidfile_and_removes_it_at_exit() {
    let d = dir();
    let pidfile = d.path().join("embedis.pid");
    let log = d.path().join("log");
    let mut parent = Command::new(BIN)
        .args(["--daemonize", "yes", "--port", "auto", "--bind", "127.0.0.1", "--pidfile"])
        .arg(&pidfile)
        .arg("--dir")
        .arg(d.path())
        .arg("--logfile")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The foreground process exits 0 at once; the daemon goes on in its own session.
    assert_eq!(parent.wait().unwrap().code(), Some(0));
    let port = wait_for(Duration::from_secs(10), || port_in_log(&log)).expect("the daemon never became ready");
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim_end().parse().unwrap();
    assert_ne!(pid, parent.id() as i32);
    assert!(alive(pid));
    assert_eq!(session_of(pid), pid, "setsid()");
    let mut c = Conn::connect(SocketAddr::from(([127, 0, 0, 1], port)));
    let reply = c.cmd(&["CONFIG", "GET", "pidfile"]);
    assert_eq!(crate::support::conn::bulks(&reply)[1], pidfile.to_str().unwrap());
    c.send(&["SHUTDOWN"]);
    assert!(wait_for(Duration::from_secs(10), || (!alive(pid)).then_some(())).is_some(), "the daemon did not exit");
    assert!(!pidfile.exists());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(messages(&text).contains(&"Removing the pid file.".to_string()), "{text}");
}

#[test]
fn pidfile_without_daemonize_is_written_and_removed() {
    let d = dir();
    let pidfile = d.path().join("p.pid");
    let mut server = Proc::start(d.path(), &["--pidfile", pidfile.to_str().unwrap()]);
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    assert_eq!(pid, format!("{}\n", server.child.id()));
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
    assert!(!pidfile.exists());
}

fn recv(socket: &UnixDatagram) -> String {
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).expect("a notification");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn supervised_systemd_notifies_ready_and_stopping() {
    let d = dir();
    let path = d.path().join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // `daemonize yes` is ignored under a supervisor, as in Redis: the process stays in the foreground.
    let mut server = Proc::start_with(d.path(), &["--supervised", "systemd", "--daemonize", "yes"], |cmd| {
        cmd.env("NOTIFY_SOCKET", &path);
    });
    assert_eq!(recv(&socket), "STATUS=embedis is loading...\n");
    assert_eq!(recv(&socket), "STATUS=Ready to accept connections\n");
    assert_eq!(recv(&socket), "READY=1\n");
    assert!(server.child.try_wait().unwrap().is_none());
    assert_eq!(server.conn().cmd(&["PING"]), b"+PONG\r\n");
    server.signal(SIGTERM);
    assert_eq!(recv(&socket), "STOPPING=1\n");
    assert_eq!(server.wait().code(), Some(0));
    let log = server.log();
    assert!(
        messages(&log).iter().any(|m| m.starts_with("Supervised by systemd. Please make sure you set appropriate")),
        "{log}"
    );
}

#[test]
fn supervised_auto_uses_an_abstract_notify_socket() {
    let d = dir();
    let name = format!("embedis-test-{}-{}", std::process::id(), d.path().display());
    let addr =
        <std::os::unix::net::SocketAddr as std::os::linux::net::SocketAddrExt>::from_abstract_name(&name).unwrap();
    let socket = UnixDatagram::bind_addr(&addr).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut server = Proc::start_with(d.path(), &["--supervised", "auto"], |cmd| {
        cmd.env("NOTIFY_SOCKET", format!("@{name}"));
    });
    assert_eq!(recv(&socket), "STATUS=embedis is loading...\n");
    assert_eq!(recv(&socket), "STATUS=Ready to accept connections\n");
    assert_eq!(recv(&socket), "READY=1\n");
    server.conn().send(&["SHUTDOWN", "NOSAVE"]);
    assert_eq!(recv(&socket), "STOPPING=1\n");
    assert_eq!(server.wait().code(), Some(0));
}

#[test]
fn supervised_systemd_without_a_socket_says_so_as_redis() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--supervised", "systemd"]);
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
    let log = server.log();
    assert_eq!(messages(&log)[0], "systemd supervision error: NOTIFY_SOCKET not found!", "{log}");
}

#[test]
fn oom_score_adj_is_written_at_startup() {
    let d = dir();
    let mut server = Proc::start(d.path(), &["--oom-score-adj", "absolute", "--oom-score-adj-values", "321 400 800"]);
    // Written once the server runs, just after it logs that it is ready.
    let path = format!("/proc/{}/oom_score_adj", server.child.id());
    let adj = wait_for(Duration::from_secs(5), || std::fs::read_to_string(&path).ok().filter(|v| v.trim() == "321"));
    assert!(adj.is_some(), "oom_score_adj: {:?}", std::fs::read_to_string(&path));
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
    // Handled here, so not reported as inactive.
    assert!(!server.log().contains("'oom-score-adj' is accepted"), "{}", server.log());
}

/// The line of a compose file written for the redis image, `redis-server --appendonly yes ...`, reaches the
/// binary (the image's ENTRYPOINT) with `redis-server` first.
#[test]
fn a_leading_redis_server_word_is_the_program_name() {
    let d = dir();
    let mut server = Proc::start(
        d.path(),
        &["redis-server", "--appendonly", "yes", "--maxmemory", "256mb", "--requirepass", "secret"],
    );
    let mut c = server.conn();
    assert_eq!(c.cmd(&["AUTH", "secret"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "appendonly"]), b"*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
    server.signal(SIGTERM);
    assert_eq!(server.wait().code(), Some(0));
}

/// A signal while the AOF loads (a million SETs: seconds in a debug build) is acted on once the data is in; a
/// second SIGINT exits at once, as with redis-server.
#[test]
fn signals_while_loading() {
    let d = dir();
    let aof = d.path().join("appendonlydir");
    std::fs::create_dir(&aof).unwrap();
    let mut base = Vec::new();
    for i in 0..1_000_000 {
        let key = format!("key:{i}");
        base.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$1\r\nv\r\n", key.len()).as_bytes());
    }
    std::fs::write(aof.join("appendonly.aof.1.base.aof"), base).unwrap();
    std::fs::write(aof.join("appendonly.aof.manifest"), "file appendonly.aof.1.base.aof seq 1 type b\n").unwrap();
    let log = d.path().join("log");
    let spawn = || {
        let _ = std::fs::remove_file(&log);
        let child = Command::new(BIN)
            .args(["--appendonly", "yes", "--port", "auto", "--bind", "127.0.0.1", "--dir"])
            .arg(d.path())
            .arg("--logfile")
            .arg(&log)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // Loading starts right after the startup banner.
        let banner = || std::fs::read_to_string(&log).ok().filter(|l| l.contains("Configuration loaded"));
        wait_for(Duration::from_secs(10), banner).expect("startup banner");
        std::thread::sleep(Duration::from_millis(100));
        child
    };
    let wait = |child: &mut Child| {
        let status = wait_for(Duration::from_secs(60), || child.try_wait().unwrap()).expect("exit");
        (status.code(), messages(&std::fs::read_to_string(&log).unwrap()))
    };

    let mut child = spawn();
    send_signal(child.id() as i32, SIGTERM);
    let (code, lines) = wait(&mut child);
    assert_eq!(code, Some(0));
    let signal = lines.iter().position(|l| l == "Received shutdown signal during loading, scheduling shutdown.");
    let loaded = lines.iter().position(|l| l.starts_with("DB loaded from append only file"));
    let requested = lines.iter().position(|l| l == "User requested shutdown...");
    assert!(signal.is_some() && signal < loaded && loaded < requested, "{lines:?}");

    let mut child = spawn();
    let started = Instant::now();
    send_signal(child.id() as i32, SIGINT);
    std::thread::sleep(Duration::from_millis(100));
    send_signal(child.id() as i32, SIGINT);
    let (code, lines) = wait(&mut child);
    assert_eq!(code, Some(1));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(
        lines[lines.len() - 2..],
        ["Received shutdown signal during loading, scheduling shutdown.", "You insist... exiting now."]
    );
}
