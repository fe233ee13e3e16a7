//! Shared test support: the real `redis-server` as an oracle, an in-process embedis, a raw RESP client and
//! `redis-cli`.
//!
//! The oracle binaries are optional on a developer's machine (tests that need them print
//! "skipped: ... not installed" and pass) but required in CI (`CI=true`), where a missing oracle would
//! otherwise turn every differential test into a silent pass.

#![allow(dead_code)] // Each test module uses a different part of this.

pub mod conn;
pub mod rdb_writer;

pub use conn::{Conn, Frame, ReadError, REPLY_TIMEOUT};

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a freshly spawned redis-server may take to answer.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Options applied identically to the oracle and to embedis, so a script sees the same server on both sides.
#[derive(Clone, Debug, Default)]
pub struct ServerOptions {
    pub requirepass: Option<String>,
}

/// True when running in CI, where a missing oracle binary is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Reports a missing oracle binary: a skip locally, a panic in CI.
fn binary_missing(binary: &str) {
    if in_ci() {
        panic!("{binary} is not installed, but CI=true requires it");
    }
    eprintln!("skipped: {binary} not installed");
}

/// A real `redis-server` on a free local port, killed on drop.
pub struct RedisServer {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts redis-server with the test defaults, or returns None (after reporting the skip) when it is not
    /// installed.
    pub fn start() -> Option<RedisServer> {
        Self::start_with(&ServerOptions::default())
    }

    pub fn start_with(options: &ServerOptions) -> Option<RedisServer> {
        Self::start_with_args(options, &[])
    }

    /// The same, with extra `--name value` arguments after the test defaults (which they override).
    pub fn start_with_args(options: &ServerOptions, extra_args: &[(&str, &str)]) -> Option<RedisServer> {
        Self::start_in(tempfile::tempdir().expect("create redis-server temp dir"), options, extra_args)
    }

    /// The same, working in `dir` (which may hold a `dump.rdb` to load).
    pub fn start_in(
        mut dir: tempfile::TempDir,
        options: &ServerOptions,
        extra_args: &[(&str, &str)],
    ) -> Option<RedisServer> {
        // redis-server cannot report a port it picked itself, so we pick one; another process may grab it
        // between our probe and redis binding it, hence the retries.
        for _ in 0..10 {
            let port = free_port();
            let mut command = redis_server_command(port, dir.path(), options);
            for (name, value) in extra_args {
                command.arg(format!("--{name}")).arg(value);
            }
            let child = match command.spawn() {
                Ok(child) => child,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    binary_missing("redis-server");
                    return None;
                }
                Err(err) => panic!("spawning redis-server: {err}"),
            };
            let mut server = RedisServer { child, addr: SocketAddr::from(([127, 0, 0, 1], port)), dir };
            if server.wait_until_ready(options) {
                return Some(server);
            }
            let _ = server.child.kill();
            let _ = server.child.wait();
            dir = std::mem::replace(&mut server.dir, tempfile::tempdir().expect("temp dir"));
        }
        panic!("redis-server did not start after 10 attempts");
    }

    /// The directory it works in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Polls until the server answers (true), exits or turns out to be another test's server on the same
    /// port (false: retry elsewhere), or the startup timeout passes (panic, with the server's log).
    fn wait_until_ready(&mut self, options: &ServerOptions) -> bool {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            match serves_dir(self.addr, self.dir.path(), options) {
                Some(true) => return true,
                Some(false) => return false,
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let log = std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default();
        panic!("redis-server on {} did not answer within {STARTUP_TIMEOUT:?}; log:\n{log}", self.addr);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server_command(port: u16, dir: &Path, options: &ServerOptions) -> Command {
    let mut command = Command::new("redis-server");
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .arg("--logfile")
        .arg(dir.join("redis.log"))
        .args(["--enable-debug-command", "yes", "--protected-mode", "no"]);
    if let Some(password) = &options.requirepass {
        command.args(["--requirepass", password]);
    }
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// A free port for a server that restarts on it: below the kernel's ephemeral range, so that no client
/// connection of the parallel tests can be handed it while the server is down (the restart would then fail
/// with "Address already in use"). The test kit picks its ports the same way.
pub fn restartable_port() -> u16 {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let low = range.split_whitespace().next().and_then(|p| p.parse::<u16>().ok()).unwrap_or(32768);
    for _ in 0..100 {
        let port = fastrand::u16(10_000..low.max(10_001));
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    free_port()
}

/// A port that was free a moment ago: bind port 0, read the port the kernel chose, release it.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// Whether the server answering on `addr` works in `dir`: None while nothing answers yet. Identifying it
/// matters because another test's server may have taken the port between our probe and our server's bind.
fn serves_dir(addr: SocketAddr, dir: &Path, options: &ServerOptions) -> Option<bool> {
    const PROBE_TIMEOUT: Duration = Duration::from_millis(500);
    let mut conn = Conn::try_connect(addr).ok()?;
    if let Some(password) = &options.requirepass {
        conn.try_cmd(&["AUTH", password.as_str()], PROBE_TIMEOUT).ok()?;
    }
    let reply = conn.try_cmd(&["CONFIG", "GET", "dir"], PROBE_TIMEOUT).ok()?;
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let dir = dir.to_string_lossy();
    Some(reply.windows(dir.len()).any(|window| window == dir.as_bytes()))
}

/// An in-process embedis server on a free port, shut down on drop.
pub struct EmbedisServer {
    handle: embedis::blocking::ServerHandle,
    // Dropped after `handle`, so the server has stopped before its directory disappears.
    dir: tempfile::TempDir,
}

impl EmbedisServer {
    pub fn addr(&self) -> SocketAddr {
        self.handle.addr()
    }

    /// The directory it works in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

pub fn start_embedis() -> EmbedisServer {
    start_embedis_with(&ServerOptions::default())
}

/// The only place that knows how to start embedis: keep it that way while its API settles.
pub fn start_embedis_with(options: &ServerOptions) -> EmbedisServer {
    start_embedis_with_args(options, &[])
}

/// The same, with extra config directives (`name value`, as redis-server's `--name value`) after the defaults.
pub fn start_embedis_with_args(options: &ServerOptions, extra_args: &[(&str, &str)]) -> EmbedisServer {
    start_embedis_in(tempfile::tempdir().expect("create embedis temp dir"), options, extra_args).expect("start embedis")
}

/// The same, working in `dir` (which may hold a `dump.rdb` to load); Err holds why it did not start.
pub fn start_embedis_in(
    dir: tempfile::TempDir,
    options: &ServerOptions,
    extra_args: &[(&str, &str)],
) -> Result<EmbedisServer, String> {
    // The same settings the oracle is started with; `config()` replaces the builder's defaults, so keep its
    // quiet log level (no startup banner in test output).
    let mut config = embedis::Config {
        enable_debug_command: embedis::config::Protection::Yes,
        protected_mode: false,
        save: Vec::new(),
        appendonly: false,
        loglevel: embedis::config::LogLevel::Nothing,
        ..embedis::Config::default()
    };
    for (name, value) in extra_args {
        config.load_str(&format!("{name} {value:?}\n"), None).expect("extra config directive");
    }
    let mut builder =
        embedis::blocking::Server::builder().with_config(config).port(0).bind("127.0.0.1").dir(dir.path());
    if let Some(password) = &options.requirepass {
        builder = builder.requirepass(password.as_str());
    }
    let handle = builder.start().map_err(|e| e.to_string())?;
    Ok(EmbedisServer { handle, dir })
}

/// Runs the `redis-cli` binary against `addr` with `args`; None (after reporting the skip) when it is not
/// installed.
pub fn redis_cli(addr: SocketAddr, args: &[&str]) -> Option<Output> {
    let output = Command::new("redis-cli")
        .args(["-h", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) => Some(output),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            binary_missing("redis-cli");
            None
        }
        Err(err) => panic!("running redis-cli: {err}"),
    }
}

/// Polls `check` until it holds, for up to 5 seconds; panics with `what` otherwise.
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A numeric field of an INFO section.
pub fn info_u64(c: &mut Conn, section: &str, field: &str) -> u64 {
    let info = String::from_utf8(c.cmd(&["INFO", section])).unwrap();
    let line = info.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap_or_else(|| panic!("{field}"));
    line[field.len() + 1..].trim().parse().unwrap()
}
