//! The test kit: a real embedis server per test, with controls no other Redis has.
//!
//! * A guard ([`Server`]) that owns a temporary directory, shuts the server down and removes the directory when
//!   dropped, and prints the server's last log lines when the test fails.
//! * The server's clock: [`Server::advance_time`], [`Server::set_time`], [`Server::freeze`], [`Server::resume`]. It
//!   drives TTLs (lazy and active expiry, with their `expired` notifications), TIME, OBJECT IDLETIME, LFU
//!   decay, client idle times and the AOF's `everysec` fsync. It survives [`Server::restart`].
//! * Repeatable randomness: [`Builder::seed`] / [`Server::seed`] (SPOP, SRANDMEMBER, HRANDFIELD,
//!   ZRANDMEMBER, RANDOMKEY, eviction and expiry sampling; KEYS and SCAN order follow the commands run).
//! * Crash and replay: [`Server::crash`] stops the server as `kill -9` followed by a power loss would (the AOF
//!   keeps what its fsync policy made durable), [`Server::crash_at_aof_offset`] cuts the AOF at an exact byte,
//!   [`Server::restart`] starts again from the same directory, on the same port.
//! * Direct data access without a client ([`Server::get`], [`Server::set`], [`Server::dump`],
//!   [`Server::snapshot`], [`Server::assert_key`], ...).
//! * Fault injection: [`Server::fail_next`], [`Server::pause_for`], [`Server::drop_connections`].
//!
//! ```
//! use std::time::Duration;
//!
//! let mut server = embedis::test::Server::builder().config("appendonly", "yes").frozen_clock().start();
//! server.set("session:1", "alice");
//! server.expire("session:1", Duration::from_secs(60));
//! server.advance_time(Duration::from_secs(59));
//! server.check_get("session:1", "alice");
//! server.advance_time(Duration::from_secs(1));
//! server.assert_key("session:1", "none");
//!
//! server.set("counter", "1");
//! server.crash();    // appendfsync everysec with a frozen clock: the last second is lost
//! server.restart();
//! server.assert_key("counter", "none");
//!
//! // Golden text of the whole keyspace, sorted and stable.
//! server.hset("user:1", "name", "bob");
//! assert_eq!(server.snapshot(), "0 \"user:1\" hash \"name\"=\"bob\"\n");
//!
//! // Faults seen by a real client.
//! let mut con = redis::Client::open(server.url()).unwrap().get_connection().unwrap();
//! server.fail_next("HGET", "LOADING Redis is loading the dataset in memory");
//! let err = redis::cmd("HGET").arg("user:1").arg("name").query::<String>(&mut con).unwrap_err();
//! assert_eq!(err.code(), Some("LOADING"));
//! let name: String = redis::cmd("HGET").arg("user:1").arg("name").query(&mut con).unwrap();
//! assert_eq!(name, "bob");
//! ```
//!
//! Clients connect to [`Server::url`] (`redis://127.0.0.1:<port>`). Everything else behaves as in production.

mod access;
mod render;

use crate::config::{Config, LogLevel};
use crate::engine::state::Shared;
use crate::server::ServerHandle;
use crate::storage::Clock;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Log lines printed when a test fails while the server is alive.
const LOG_LINES_ON_FAILURE: usize = 40;

/// Configures a test server: `embedis::test::Server::builder().config("maxmemory", "1mb").seed(7).start()`.
pub struct Builder {
    config: Config,
    seed: Option<u64>,
    frozen: bool,
}

impl Builder {
    /// A directive as in redis.conf (`config("appendfsync", "always")`, `config("save", "")`). `dir` is always
    /// the server's own temporary directory; `logfile` defaults to `embedis.log` inside it.
    ///
    /// # Panics
    /// When the directive or its value is invalid (the message is redis-server's).
    #[track_caller]
    pub fn config(mut self, directive: &str, value: &str) -> Self {
        // An empty value is written as redis.conf spells it: `save ""`.
        let value_text = if value.is_empty() { "\"\"" } else { value };
        if let Err(e) = self.config.load_str(&format!("{directive} {value_text}\n"), None) {
            panic!("embedis test server: bad directive `{directive} {value}`: {e}");
        }
        self
    }

    /// Seeds every random choice of the server (see [`Server::seed`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Starts with the clock frozen at the current time: it moves only with `advance_time` and `set_time`.
    pub fn frozen_clock(mut self) -> Self {
        self.frozen = true;
        self
    }

    /// Starts the server on 127.0.0.1 and a free port, in a new temporary directory.
    ///
    /// # Panics
    /// When the server cannot start (the message says why).
    #[track_caller]
    pub fn start(self) -> Server {
        let mut server = self.prepare();
        let mut handle = server.configure(crate::blocking::Server::builder()).start();
        for _ in 0..PORT_ATTEMPTS {
            if !server.port_taken(&handle) {
                break;
            }
            handle = server.configure(crate::blocking::Server::builder()).start();
        }
        server.started(handle);
        server
    }

    /// As [`Builder::start`], awaiting the server's readiness instead of blocking on it.
    pub async fn start_async(self) -> Server {
        let mut server = self.prepare();
        let mut handle = server.configure(crate::Server::builder()).start().await;
        for _ in 0..PORT_ATTEMPTS {
            if !server.port_taken(&handle) {
                break;
            }
            handle = server.configure(crate::Server::builder()).start().await;
        }
        server.started(handle);
        server
    }

    fn prepare(self) -> Server {
        let Builder { mut config, seed, frozen } = self;
        let dir = match tempfile::Builder::new().prefix("embedis-test-").tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("embedis test server: cannot create a temporary directory: {e}"),
        };
        config.dir = dir.path().to_path_buf();
        let chosen_port = config.port == 0;
        if chosen_port {
            config.port = restartable_port();
            config.port_auto = true;
        }
        if config.logfile.is_empty() {
            config.logfile = dir.path().join("embedis.log").display().to_string();
        }
        let clock = Arc::new(Clock::default());
        if frozen {
            clock.freeze();
        }
        Server { handle: None, dir, config, clock, seed, addr: None, selected_db: Default::default(), chosen_port }
    }
}

/// First starts that try another port when the one picked was taken meanwhile.
const PORT_ATTEMPTS: usize = 20;

/// A port for a server that restarts on it: below the kernel's ephemeral range, so that no client connection
/// (of this process or another) can be handed it while the server is down, which would make the restart fail
/// with "Address already in use". 0 (an ephemeral port) if none is found.
fn restartable_port() -> u16 {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let low = range.split_whitespace().next().and_then(|p| p.parse::<u16>().ok()).unwrap_or(32768);
    if low <= 11_000 {
        return 0;
    }
    for _ in 0..100 {
        let port = fastrand::u16(10_000..low);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    0
}

/// A running test server; dropping it shuts the server down and removes its directory.
pub struct Server {
    handle: Option<ServerHandle>,
    dir: tempfile::TempDir,
    /// The configuration restarts use (the port becomes the first one bound).
    config: Config,
    clock: Arc<Clock>,
    seed: Option<u64>,
    addr: Option<SocketAddr>,
    /// The database direct access uses (`select`).
    selected_db: std::sync::atomic::AtomicUsize,
    /// The port was picked here (`restartable_port`), not asked for: a first start may pick another.
    chosen_port: bool,
}

impl Server {
    /// A server with default settings (no persistence, the wall clock).
    #[track_caller]
    pub fn start() -> Server {
        Server::builder().start()
    }

    /// As [`Server::start`], awaiting the server's readiness.
    pub async fn start_async() -> Server {
        Server::builder().start_async().await
    }

    /// A builder: directives, a seed, a frozen clock; then `start()`.
    pub fn builder() -> Builder {
        let config = Config {
            port: 0,
            bind: vec!["127.0.0.1".into()],
            loglevel: LogLevel::Notice,
            // Any client may move the clock or crash the server, as with `embedis-server --test-mode yes`.
            test_mode: true,
            ..Config::default()
        };
        Builder { config, seed: None, frozen: false }
    }

    /// The server's settings, clock and seed on a library builder.
    fn configure<M>(&self, builder: crate::server::ServerBuilder<M>) -> crate::server::ServerBuilder<M> {
        let builder = builder.with_config(self.config.clone()).clock(self.clock.clone());
        match self.seed {
            Some(seed) => builder.seed(seed),
            None => builder,
        }
    }

    /// Did a first start fail because the port picked was taken meanwhile? Then another is picked.
    fn port_taken(&mut self, handle: &Result<ServerHandle, crate::Error>) -> bool {
        let taken = matches!(handle, Err(e) if e.to_string().contains("Address already in use"));
        if taken && self.chosen_port {
            self.config.port = restartable_port();
            return true;
        }
        false
    }

    #[track_caller]
    fn boot(&mut self) {
        let handle = self.configure(crate::blocking::Server::builder()).start();
        self.started(handle);
    }

    #[track_caller]
    fn started(&mut self, handle: Result<ServerHandle, crate::Error>) {
        match handle {
            Ok(handle) => {
                // Restarts come back on the same port, so clients reconnect to the same address.
                self.config.port = handle.addr().port();
                self.addr = Some(handle.addr());
                self.handle = Some(handle);
            }
            Err(e) => panic!("embedis test server did not start: {e}\n{}", self.log_tail(LOG_LINES_ON_FAILURE)),
        }
    }

    #[track_caller]
    fn handle(&self) -> &ServerHandle {
        match &self.handle {
            Some(h) => h,
            None => panic!("the embedis test server is not running (crashed or stopped): call restart()"),
        }
    }

    #[track_caller]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        self.handle().shared()
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.handle.as_ref().map(ServerHandle::addr).or(self.addr).unwrap_or_else(|| ([127, 0, 0, 1], 0).into())
    }

    /// The TCP port (also kept by `restart`).
    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// `redis://127.0.0.1:<port>`, with the password while `requirepass` is set (see `ServerHandle::url`).
    pub fn url(&self) -> String {
        match &self.handle {
            Some(handle) => handle.url(),
            None => format!("redis://{}", self.addr()),
        }
    }

    /// The server's directory (`dir`): the AOF directory and the log are inside.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The log file's path (`logfile`).
    pub fn log_path(&self) -> PathBuf {
        PathBuf::from(&self.config.logfile)
    }

    /// The last `n` lines of the server's log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    // --- the clock ---

    /// Moves the server's clock forward: keys whose TTL passes expire (lazily and actively, with their
    /// `expired` events) as if the time had passed, without sleeping.
    pub fn advance_time(&self, by: Duration) {
        self.clock.advance(by.as_millis().min(i64::MAX as u128) as i64);
        self.expire_now();
    }

    /// Sets the server's clock (a frozen clock stays at `to`, a running one goes on from it).
    pub fn set_time(&self, to: SystemTime) {
        let ms = match to.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            Err(e) => -(e.duration().as_millis() as i64),
        };
        self.clock.set_ms(ms);
        self.expire_now();
    }

    /// Stops the clock: from now on it moves only by `advance_time` and `set_time`.
    pub fn freeze(&self) {
        self.clock.freeze();
    }

    /// Lets a frozen clock run again from where it stands.
    pub fn resume(&self) {
        self.clock.resume();
    }

    /// The server's current time.
    pub fn now(&self) -> SystemTime {
        let ms = self.clock.now_ms();
        match u64::try_from(ms) {
            Ok(ms) => UNIX_EPOCH + Duration::from_millis(ms),
            Err(_) => UNIX_EPOCH - Duration::from_millis(ms.unsigned_abs()),
        }
    }

    /// What the time that passed makes due, done before returning: an active expiry cycle (expired keys are
    /// gone and notified) and `everysec`'s fsync.
    fn expire_now(&self) {
        if let Some(handle) = &self.handle {
            crate::engine::expire::clock_moved(handle.shared());
        }
    }

    // --- randomness ---

    /// Makes the server's random choices repeatable from here on (kept across restarts).
    pub fn seed(&mut self, seed: u64) {
        self.seed = Some(seed);
        self.shared().state.lock().seed(seed);
    }

    // --- crash and replay ---

    /// Stops the server as `kill -9` followed by a power loss: no reply is sent from this instant, nothing is
    /// flushed, and the AOF keeps only what its fsync policy made durable (`always`: every acknowledged write;
    /// `everysec`: writes up to the last once-a-second fsync, which follows the server's clock; `no`: what was
    /// fsynced by a rewrite or at startup). Clients see their connections closed.
    pub fn crash(&mut self) {
        let Some(handle) = self.handle.take() else { return };
        {
            let shared = handle.shared();
            let _state = shared.state.lock();
            shared.crash();
        }
        handle.wait();
    }

    /// Stops the server as `kill -9` alone (the machine stays up): no reply is sent from this instant, nothing
    /// more is written, and the AOF keeps everything already written to it, fsynced or not, since the kernel's
    /// page cache survives the process. With any fsync policy every acknowledged write survives; compare `crash`.
    pub fn kill(&mut self) {
        let Some(handle) = self.handle.take() else { return };
        {
            let shared = handle.shared();
            let _state = shared.state.lock();
            shared.kill();
        }
        handle.wait();
    }

    /// The server crashes at the moment its AOF (`aof_current_size` in INFO persistence) reaches `offset`
    /// bytes: the write that would pass it stops there, its client gets no reply, and the file ends half-way
    /// through a record. If the AOF is already that long, it is cut back to `offset` and the server crashes
    /// now. Call [`Server::restart`] afterwards.
    ///
    /// # Panics
    /// When the AOF is off, or `offset` lies before the current incremental file.
    #[track_caller]
    pub fn crash_at_aof_offset(&mut self, offset: u64) {
        let shared = self.shared().clone();
        let state = shared.state.lock();
        match shared.aof.crash_at(offset) {
            Ok(true) => {
                shared.crash();
                drop(state);
                if let Some(handle) = self.handle.take() {
                    handle.wait();
                }
            }
            Ok(false) => {}
            Err(e) => panic!("crash_at_aof_offset({offset}): {e}"),
        }
    }

    /// Did the server crash (by `crash`, a crash point, or `DEBUG CRASH`)?
    pub fn crashed(&self) -> bool {
        self.handle.as_ref().is_none_or(ServerHandle::crashed)
    }

    /// Starts the server again from its directory (loading the AOF) on the same port, with the same clock and
    /// seed. A server still running is shut down cleanly first; a crashed one as it was left.
    #[track_caller]
    pub fn restart(&mut self) {
        if let Some(handle) = self.handle.take() {
            // A crash point reached, or DEBUG CRASH: the thread is ending; otherwise a clean shutdown.
            handle.request_shutdown();
            handle.wait();
        }
        self.boot();
    }

    /// Shuts the server down cleanly (the AOF flushed and fsynced), as SHUTDOWN does; `restart` brings it back.
    pub fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.request_shutdown();
            handle.wait();
        }
    }

    // --- fault injection ---

    /// The next command named `command` (any case; `"CLIENT LIST"` for a subcommand) fails with `error`
    /// (code included: `"READONLY You can't write against a read only replica."`) instead of running.
    /// Several calls queue several failures.
    pub fn fail_next(&self, command: &str, error: &str) {
        self.shared().state.lock().faults.fail_next(command, error);
    }

    /// The server stops answering for `duration` (as if its event loop hung): commands and new connections
    /// wait, nothing is lost. Returns at once; the pause has begun when it does.
    pub fn pause_for(&self, duration: Duration) {
        let shared = self.shared().clone();
        let (held, holding) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _state = shared.state.lock();
            let _ = held.send(());
            std::thread::sleep(duration);
        });
        let _ = holding.recv();
    }

    /// Closes every client connection at once, as a network failure would.
    pub fn drop_connections(&self) {
        let state = self.shared().state.lock();
        for client in state.clients.iter() {
            state.clients.kill(client.id);
        }
    }
}

impl Server {
    /// What the guard prints when the test fails: where the server was and its last log lines.
    fn failure_report(&self) -> String {
        format!(
            "--- embedis test server {} (dir {}): last log lines ---\n{}\n---",
            self.addr(),
            self.dir().display(),
            self.log_tail(LOG_LINES_ON_FAILURE)
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.failure_report());
        }
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests move servers into threads and tasks (`tokio::spawn` needs `Send`), and share them (`Sync`).
    #[test]
    fn the_guard_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Server>();
    }

    #[test]
    fn a_failing_test_is_shown_the_servers_address_and_last_log_lines() {
        let server = Server::start();
        let report = server.failure_report();
        assert!(report.starts_with(&format!("--- embedis test server {} (dir ", server.addr())), "{report}");
        assert!(report.contains("* Ready to accept connections tcp\n---"), "{report}");
    }
}
