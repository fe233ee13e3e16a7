//! The server: builder and handle (the only way a server starts), its own thread and event loop, listeners,
//! connections and background work.

pub mod connection;
pub mod cron;
pub mod listener;

use crate::config::{Config, LogLevel};
use crate::engine::state::{Shared, State};
use crate::error::Error;
use crate::log;
use connection::Peer;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Entry point: `Server::builder().port(0).start().await?`.
pub struct Server;

impl Server {
    /// A builder for a server started from async code (`start().await`).
    pub fn builder() -> ServerBuilder {
        ServerBuilder::new()
    }
}

/// `start()` is async (the default) or blocking, by the builder's mode.
pub struct Async;
/// See `crate::blocking`.
pub struct Blocking;

/// Configures a server. Every directive is reachable through `config()`; the common ones have shortcuts.
pub struct ServerBuilder<Mode = Async> {
    config: Config,
    clock: Arc<crate::storage::Clock>,
    seed: Option<u64>,
    loaded: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// The first invalid `config(directive, value)`: `start()` answers it.
    invalid: Option<Error>,
    mode: std::marker::PhantomData<Mode>,
}

impl<Mode> ServerBuilder<Mode> {
    pub(crate) fn new() -> Self {
        // Embedded servers are silent unless asked (`loglevel`): a test suite's output is not the place for logs.
        // They take no automatic snapshots unless asked (`config("save", ...)`): their `dir` is the process's
        // working directory unless given, and a program embedding a server does not expect dump.rdb files there.
        let config = Config { loglevel: LogLevel::Nothing, save: Vec::new(), ..Config::default() };
        ServerBuilder {
            config,
            clock: Arc::default(),
            seed: None,
            loaded: None,
            invalid: None,
            mode: std::marker::PhantomData,
        }
    }

    /// Set once the data is loaded (before the listeners accept): the binary tells a signal that arrives
    /// while loading from one that arrives after, as redis-server's log does.
    #[doc(hidden)]
    pub fn loaded_flag(mut self, loaded: Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.loaded = Some(loaded);
        self
    }

    /// Runs the server on this clock (shared: whoever holds it can move the server's time; the test kit keeps
    /// it across restarts).
    pub fn clock(mut self, clock: Arc<crate::storage::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Makes every random choice repeatable (see `State::seed`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Replaces the whole configuration with a typed one (what `embedis-server` does with its command line).
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// A directive as in redis.conf (`config("appendonly", "yes")`, `config("save", "")`), as the test kit's
    /// builder takes it. An invalid one makes `start()` fail with redis-server's message.
    pub fn config(mut self, directive: &str, value: &str) -> Self {
        // An empty value is written as redis.conf spells it: `save ""`.
        let value_text = if value.is_empty() { "\"\"" } else { value };
        if let Err(e) = self.config.load_str(&format!("{directive} {value_text}\n"), None) {
            self.invalid.get_or_insert(Error::Config(e.to_string()));
        }
        self
    }

    /// TCP port; 0 picks a free one (read it back with `ServerHandle::addr`).
    /// Listen on this TCP port; 0 = a free port the kernel picks (see `addr()`). A `Config` with `port: 0` and
    /// no `port_auto` listens on no TCP port at all, as redis-server's `port 0`.
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self.config.port_auto = port == 0;
        self
    }

    /// Listen on this address (may be called several times).
    pub fn bind(mut self, addr: &str) -> Self {
        self.config.bind.push(addr.to_string());
        self
    }

    /// `requirepass`: clients must AUTH with this password (empty: none).
    pub fn requirepass(mut self, password: &str) -> Self {
        self.config.requirepass = (!password.is_empty()).then(|| password.as_bytes().to_vec());
        self
    }

    /// The working directory (`dir`): the AOF directory and relative paths live in it.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.config.dir = dir.as_ref().to_path_buf();
        self
    }

    /// Also listen on this unix socket (`unixsocket`).
    pub fn unixsocket(mut self, path: impl AsRef<Path>) -> Self {
        self.config.unixsocket = Some(path.as_ref().to_path_buf());
        self
    }

    /// `databases` (at least 1).
    pub fn databases(mut self, n: usize) -> Self {
        self.config.databases = n.max(1);
        self
    }

    /// Lets clients use DEBUG (including `DEBUG ADVANCE-TIME`).
    pub fn enable_debug_command(mut self) -> Self {
        self.config.enable_debug_command = crate::config::Protection::Yes;
        self
    }

    /// `loglevel` (embedded servers default to `LogLevel::Nothing`).
    pub fn loglevel(mut self, level: LogLevel) -> Self {
        self.config.loglevel = level;
        self
    }

    /// The configuration as built so far.
    pub fn get_config(&self) -> &Config {
        &self.config
    }

    #[allow(clippy::type_complexity)]
    fn spawn(self) -> Result<(ServerHandle, tokio::sync::oneshot::Receiver<Result<(), Error>>), Error> {
        if let Some(invalid) = self.invalid {
            return Err(invalid);
        }
        let config = self.config;
        let commands = command_names(&config)?;
        let logger = log::Logger::new(config.loglevel, &config.logfile)?;
        let bound = listener::bind(&config)?;
        let addr = match bound.tcp.first() {
            Some(l) => l.local_addr()?,
            None => SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let unix_path = bound.unix.as_ref().map(|(_, p)| p.clone());
        let clock = self.clock;
        let mut state = State::new(config, commands, clock.now_ms());
        state.port = bound.port;
        if let Some(seed) = self.seed {
            state.seed(seed);
        }
        let mut shared = Shared::new(state, logger, clock);
        shared.bind_tcp = listener::bind_tcp;
        let shared = Arc::new(shared);
        crate::persistence::aof::open_at_startup(&shared).map_err(Error::Config)?;
        crate::persistence::load::load_at_startup(&shared).map_err(Error::Config)?;
        if let Some(loaded) = &self.loaded {
            loaded.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("embedis".into())
            .stack_size(SERVER_STACK)
            .spawn(move || run_server(thread_shared, bound, ready_tx))?;
        let handle = ServerHandle { addr, unix_path, shared, thread: Some(thread) };
        Ok((handle, ready_rx))
    }
}

impl ServerBuilder<Async> {
    /// Starts the server on its own thread and returns once it accepts connections.
    pub async fn start(self) -> Result<ServerHandle, Error> {
        let (handle, ready) = self.spawn()?;
        ready.await.map_err(|_| Error::Config("server thread exited during startup".into()))??;
        Ok(handle)
    }
}

impl ServerBuilder<Blocking> {
    /// Starts the server on its own thread and returns once it accepts connections; needs no async runtime.
    /// Callable from inside an async runtime too (a `#[tokio::test]`): it then waits on a helper thread.
    pub fn start(self) -> Result<ServerHandle, Error> {
        let (handle, ready) = self.spawn()?;
        let started = match tokio::runtime::Handle::try_current() {
            Err(_) => ready.blocking_recv(),
            Ok(_) => std::thread::scope(|s| {
                s.spawn(|| ready.blocking_recv()).join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            }),
        };
        started.map_err(|_| Error::Config("server thread exited during startup".into()))??;
        Ok(handle)
    }
}

/// Stack of the threads that run commands (the server thread, and the blocking threads scripts run on): a
/// script's reply nested 7994 tables deep, as Redis allows, is converted recursively. Only touched pages cost.
const SERVER_STACK: usize = 64 << 20;

/// The server thread: one current-thread runtime, like Redis's single event loop.
fn run_server(shared: Arc<Shared>, bound: listener::Bound, ready: tokio::sync::oneshot::Sender<Result<(), Error>>) {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().thread_stack_size(SERVER_STACK).build() {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(e.into()));
            return;
        }
    };
    rt.block_on(async move {
        let mut tcp = Vec::new();
        for l in bound.tcp {
            match tokio::net::TcpListener::from_std(l) {
                Ok(l) => tcp.push(l),
                Err(e) => {
                    let _ = ready.send(Err(e.into()));
                    return;
                }
            }
        }
        let unix = match bound.unix.map(|(l, p)| tokio::net::UnixListener::from_std(l).map(|l| (l, p))).transpose() {
            Ok(u) => u,
            Err(e) => {
                let _ = ready.send(Err(e.into()));
                return;
            }
        };
        tokio::spawn(serve_tcp(shared.clone(), tcp));
        if let Some((l, path)) = unix {
            tokio::spawn(accept_unix(shared.clone(), l, path));
        }
        tokio::spawn(cron::run(shared.clone()));
        let flusher_shared = shared.clone();
        tokio::spawn(async move {
            flusher_shared.aof.clone().run_flusher().await;
            // Only the test kit's crash point ends the flusher.
            let _state = flusher_shared.state.lock();
            flusher_shared.crash();
        });
        shared.log.notice(&format!("Running mode=standalone, port={}.", bound.port));
        shared.log.notice("Ready to accept connections tcp");
        let _ = ready.send(Ok(()));
        shared.stopped().await;
        let mut state = shared.state.lock();
        if shared.crashed() {
            // As with SIGKILL, a rewrite's child dies too (its temporary file is cleaned up at the next start).
            if let Some(rw) = state.aof.rewrite.take() {
                crate::persistence::aof::rewrite::kill(&rw);
            }
            crate::persistence::save::kill_bgsave(&mut state);
            return;
        }
        crate::persistence::aof::shutdown(&mut state, &shared);
        shared.log.warning("embedis is now ready to exit, bye bye...");
    });
    // Closes every socket and cancels every task, without waiting for a script still running on a blocking
    // thread (its interrupt hook sees the shutdown and stops it).
    rt.shutdown_background();
}

/// Accepts on `listeners` until CONFIG SET hands over new ones (port or bind changed), then on those.
async fn serve_tcp(shared: Arc<Shared>, listeners: Vec<tokio::net::TcpListener>) {
    let Some(mut relisten) = shared.relisten_rx.lock().take() else { return };
    let mut accepting: Vec<_> = listeners.into_iter().map(|l| tokio::spawn(accept_tcp(shared.clone(), l))).collect();
    while let Some(next) = relisten.recv().await {
        accepting.drain(..).for_each(|task| task.abort());
        for l in next {
            match tokio::net::TcpListener::from_std(l) {
                Ok(l) => accepting.push(tokio::spawn(accept_tcp(shared.clone(), l))),
                Err(e) => shared.log.warning(&format!("Could not accept on the new listening socket: {e}")),
            }
        }
    }
}

async fn accept_tcp(shared: Arc<Shared>, listener: tokio::net::TcpListener) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shared.shutdown_notify.notified() => return,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of file descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let fd = std::os::fd::AsRawFd::as_raw_fd(&stream);
        let local = peer.ip().is_loopback()
            || matches!(peer.ip(), std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()));
        let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
        let peer = Peer { addr: peer.to_string(), laddr, fd, local, unix: false };
        start_connection(&shared, stream, peer);
    }
}

async fn accept_unix(shared: Arc<Shared>, listener: tokio::net::UnixListener, path: PathBuf) {
    let name = format!("{}:0", path.display());
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shared.shutdown_notify.notified() => return,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let fd = std::os::fd::AsRawFd::as_raw_fd(&stream);
        let peer = Peer { addr: name.clone(), laddr: name.clone(), fd, local: true, unix: true };
        start_connection(&shared, stream, peer);
    }
}

/// Admits a client and spawns its task, or tells it why not and closes it. Admission reads the configuration:
/// while a script holds it, the client is answered as a busy server answers until the script ends.
fn start_connection<S: connection::ClientStream>(shared: &Arc<Shared>, mut stream: S, peer: Peer) {
    if shared.script.running() {
        let shared = shared.clone();
        tokio::spawn(async move {
            if let Some(early) = connection::serve_before_admission(&shared, &mut stream, peer.local).await {
                admit_and_serve(&shared, stream, peer, early);
            }
        });
        return;
    }
    admit_and_serve(shared, stream, peer, (bytes::BytesMut::new(), false));
}

/// Call only while no script runs (it takes the state lock on the event loop). `early`: what the client sent
/// before admission, and whether it authenticated then.
fn admit_and_serve<S: connection::ClientStream>(
    shared: &Arc<Shared>,
    mut stream: S,
    peer: Peer,
    (input, authenticated): (bytes::BytesMut, bool),
) {
    match connection::admit(shared, peer) {
        Ok(mut client) => {
            client.authenticated |= authenticated;
            let id = client.id;
            let task = tokio::spawn(connection::serve(shared.clone(), stream, client, input));
            shared.state.lock().clients.set_abort(id, task.abort_handle());
        }
        Err(refusal) => {
            tokio::spawn(async move {
                let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, refusal).await;
            });
        }
    }
}

/// A running server. Dropping it shuts the server down.
pub struct ServerHandle {
    addr: SocketAddr,
    unix_path: Option<PathBuf>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The first TCP address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `redis://host:port` for client libraries (`127.0.0.1` when listening on all interfaces), with the
    /// password (`redis://:secret@host:port`) while `requirepass` is set, so that a client opened with it can
    /// run commands. The password is percent-encoded, as URLs require.
    pub fn url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { self.addr.ip().to_string() };
        let host = if ip.contains(':') { format!("[{ip}]") } else { ip };
        let auth = match self.shared.requirepass() {
            Some(password) => format!(":{}@", percent_encode(&password)),
            None => String::new(),
        };
        format!("redis://{auth}{host}:{}", self.addr.port())
    }

    /// The unix socket's path, if the server listens on one.
    pub fn unix_socket(&self) -> Option<&Path> {
        self.unix_path.as_deref()
    }

    /// Moves the server's clock forward: keys expire (lazily and actively) as if `by` had passed.
    pub fn advance_time(&self, by: Duration) {
        self.shared.clock.advance(by.as_millis() as i64);
        crate::engine::expire::clock_moved(&self.shared);
    }

    /// Did the server stop by crashing (`DEBUG CRASH`, the test kit's crash)?
    pub fn crashed(&self) -> bool {
        self.shared.crashed()
    }

    /// What the server shares with its tasks (the test kit's controls reach the server through it).
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops the server and waits for its thread to finish.
    pub async fn shutdown(mut self) {
        self.shared.request_shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    /// Blocks until the server stops (SHUTDOWN, a signal, or another handle's shutdown).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Resolves when the server has been asked to stop (SHUTDOWN, `request_shutdown`).
    pub async fn stopped(&self) {
        self.shared.stopped().await;
    }

    /// Asks the server to stop without waiting (signal handlers).
    pub fn request_shutdown(&self) {
        self.shared.request_shutdown();
    }

    /// The binary's SIGTERM / SIGINT: SHUTDOWN's checks and log lines with `shutdown-on-sigterm` /
    /// `shutdown-on-sigint`'s flags (`persistence::shutdown::signal_shutdown`). False when refused: the server goes on.
    /// Waits for the state lock off the caller's thread, so a second SIGINT can still be handled meanwhile.
    pub async fn shutdown_on_signal(&self, sigint: bool) -> bool {
        let shared = self.shared.clone();
        let asked = tokio::task::spawn_blocking(move || crate::persistence::shutdown::signal_shutdown(&shared, sigint));
        asked.await.unwrap_or(false)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shared.request_shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The command index this configuration asks for: every family's rows after its `rename-command` lines. A
/// refused rename is a configuration error on its line, as redis-server reports it.
pub fn command_names(config: &Config) -> Result<crate::engine::table::Names, Error> {
    crate::engine::table::Names::new(crate::cmd::FAMILIES).with_renames(&config.rename_commands).map_err(
        |(line, reason)| Error::Config(crate::config::ConfigError::at_line(line.line, &line.text, reason).to_string()),
    )
}

/// RFC 3986's percent-encoding of everything but the unreserved characters.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
