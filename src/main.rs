//! `embedis-server`: redis-server's command line in front of the library, and what belongs to a process
//! rather than to a server: the working directory, `daemonize`, `pidfile`, `supervised`, `oom-score-adj`
//! and the signals.

use embedis::config::{Config, LogLevel};
use embedis::internals::sd_notify;
use embedis::internals::{format_line, Logger};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options: memory freed (evicted keys, expired keys) goes back to the OS within a second instead of
/// ten, so under maxmemory the resident size follows the data.
#[cfg(feature = "jemalloc")]
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: &[u8; 37] = b"dirty_decay_ms:1000,muzzy_decay_ms:0\0";

/// redis-server's usage text, less what this server does not have (--test-memory, --check-system, Sentinel).
const USAGE: &str = "Usage: ./embedis-server [/path/to/redis.conf] [options] [-]
       ./embedis-server - (read config from stdin)
       ./embedis-server -v or --version
       ./embedis-server -h or --help

Examples:
       ./embedis-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./embedis-server -
       ./embedis-server /etc/redis/6379.conf
       ./embedis-server --port 7777
       ./embedis-server --port 7777 --replicaof 127.0.0.1 8888
       ./embedis-server /etc/myredis.conf --loglevel verbose -
       ./embedis-server /etc/myredis.conf --loglevel verbose

";

/// Where a daemonized server without a `pidfile` writes its pid: redis-server's CONFIG_DEFAULT_PID_FILE, so
/// init scripts written for Redis find it.
const DEFAULT_PID_FILE: &str = "/var/run/redis.pid";

/// Directives this binary acts on (the library's table reports them as not active).
const HANDLED_HERE: &[&str] = &[
    "daemonize",
    "supervised",
    "pidfile",
    "oom-score-adj",
    "oom-score-adj-values",
    "shutdown-on-sigint",
    "shutdown-on-sigterm",
];

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // A compose file written for the redis image says `command: redis-server --appendonly yes ...`; with the
    // embedis image's ENTRYPOINT that word arrives as the first argument. It names the program, not a config
    // file (unless such a file exists).
    if args.first().is_some_and(|a| (a == "redis-server" || a == "embedis-server") && !Path::new(a).exists()) {
        args.remove(0);
    }
    match args.first().map(String::as_str) {
        Some("-v" | "--version") => {
            // redis-server's line, so tools that parse `v=` see the Redis version served; embedis's own after it.
            println!(
                "Redis server v={} sha=00000000:0 malloc={} bits=64 build=0000000000000000 embedis={}",
                embedis::REDIS_VERSION,
                jemalloc_name(),
                env!("CARGO_PKG_VERSION"),
            );
            return ExitCode::SUCCESS;
        }
        Some("-h" | "--help") => {
            // As redis-server's usage(): on stderr, exit status 1.
            eprint!("{USAGE}");
            return ExitCode::FAILURE;
        }
        _ => {}
    }
    // `--port auto` (embedis's own spelling): a free port the kernel picks, printed in the log and the test-mode
    // ready line. redis-server's `--port 0` means no TCP at all, and does here too.
    let port_auto = take_port_auto(&mut args);
    let mut config = match Config::from_args(&args) {
        Ok(c) => c,
        // Like redis-server: some errors are a log line on stdout, the rest the FATAL banner on stderr.
        Err(e) if e.logged => {
            print!("{}", format_line('C', '#', &e.to_string()));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    config.port_auto = port_auto && config.port == 0;
    // rename-command lines name commands: checked against the command table as Redis's loader checks them.
    if let Err(e) = embedis::internals::command_names(&config) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    // redis-server chdir()s to `dir` while reading its configuration: relative paths (logfile, pidfile,
    // unixsocket) are inside it.
    if let Err(e) = std::env::set_current_dir(&config.dir) {
        eprintln!("Can't chdir to '{}': {e}", config.dir.display());
        return ExitCode::FAILURE;
    }
    let log = match Logger::new(config.loglevel, &config.logfile) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("Can't open the log file: {e}");
            return ExitCode::FAILURE;
        }
    };
    let raw = RawLog::new(&config);
    // As redis-server: supervision is settled first; a supervised server never forks away from its supervisor.
    let supervised = supervise(&config, &log, &raw);
    let background = config.value("daemonize").as_deref() == Some("yes") && supervised.is_none();
    if background {
        if let Err(e) = daemonize() {
            eprintln!("Can't daemonize: {e}");
            return ExitCode::FAILURE;
        }
    }
    let pidfile = match config.value("pidfile").unwrap_or_default() {
        p if !p.is_empty() => Some(PathBuf::from(p)),
        _ if background => {
            // CONFIG GET pidfile shows the file in use, as in Redis.
            let _ = config.load_str(&format!("pidfile {DEFAULT_PID_FILE:?}\n"), None);
            Some(PathBuf::from(DEFAULT_PID_FILE))
        }
        _ => None,
    };
    // Built after the fork: a process forks safely only while it has one thread.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let systemd = supervised == Some(Supervisor::Systemd);
    let process = Process { log, raw, pidfile, systemd, no_arguments: args.is_empty() };
    runtime.block_on(serve(config, process))
}

/// What the binary keeps beside the server.
struct Process {
    /// The server's log destination and level, for the lines the binary writes itself.
    log: Logger,
    raw: RawLog,
    pidfile: Option<PathBuf>,
    systemd: bool,
    /// Started without any argument: redis-server then warns that it runs on the default config.
    no_arguments: bool,
}

async fn serve(config: Config, process: Process) -> ExitCode {
    let Process { log, raw, pidfile, systemd, no_arguments } = process;
    let startup_log = |msg: &str| log.startup(msg);
    startup_log("oO0OoO0OoO0Oo embedis is starting oO0OoO0OoO0Oo");
    startup_log(&format!(
        "embedis version={} (Redis {} compatible), bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        embedis::REDIS_VERSION,
        std::process::id()
    ));
    if no_arguments {
        startup_log(
            "Warning: no config file specified, using the default config. In order to specify a config file use \
             embedis-server /path/to/redis.conf",
        );
    } else {
        startup_log("Configuration loaded");
    }
    for name in config.inactive_directives_set().into_iter().filter(|n| !HANDLED_HERE.contains(n)) {
        startup_log(&format!("Directive '{name}' is accepted and stored but not active yet in this version"));
    }
    // Signal handlers first: a supervisor may send SIGTERM as soon as the port is announced.
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            log.warning(&format!("Could not install the signal handlers: {e}"));
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &pidfile {
        if let Err(e) = std::fs::write(path, format!("{}\n", std::process::id())) {
            log.warning(&format!("Failed to write PID file: {}", strerror(&e)));
        }
    }
    let oom_score_adj = OomScoreAdj::of(&config);
    let test_mode = config.test_mode;
    // Binding and loading the AOF happen off this thread, so signals are heard meanwhile: one is remembered
    // and acted on once the data is loaded, a second SIGINT exits at once (as during redis-server's loading).
    embedis::internals::set_allocator_name(jemalloc_name());
    let loaded = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = embedis::blocking::Server::builder().with_config(config).loaded_flag(loaded.clone());
    let starting = tokio::task::spawn_blocking(move || builder.start());
    tokio::pin!(starting);
    let mut pending = None;
    let started = loop {
        let sigint = tokio::select! {
            started = &mut starting => break started,
            _ = term.recv() => false,
            _ = int.recv() => true,
        };
        if sigint && pending.is_some() {
            insist(&log, &raw);
        }
        // Loaded but not yet returned from start(): the server is past loading, as Redis's log would say.
        if loaded.load(std::sync::atomic::Ordering::SeqCst) {
            let received = if sigint { "SIGINT" } else { "SIGTERM" };
            raw.signal_line(&log, &format!("Received {received} scheduling shutdown..."));
        } else {
            raw.signal_line(&log, "Received shutdown signal during loading, scheduling shutdown.");
        }
        pending = Some(sigint);
    };
    let server = match started.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
        Ok(s) => s,
        Err(e) => {
            log.warning(&e);
            remove_pidfile(&pidfile, None);
            return ExitCode::FAILURE;
        }
    };
    if test_mode {
        // For test suites that spawn the binary (`--port 0` picks a free port): one line to wait for and parse.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "embedis ready port={} pid={}", server.addr().port(), std::process::id());
        let _ = out.flush();
    }
    if systemd && pending.is_none() {
        for message in ["STATUS=Ready to accept connections\n", "READY=1\n"] {
            notify_systemd(&log, message);
        }
    }
    if let Some(adj) = oom_score_adj {
        adj.apply(&log);
    }
    // Redis's sigShutdownHandler + serverCron: each signal asks for a shutdown, which may be refused (then
    // the server goes on); a SIGINT while one is under way exits at once.
    loop {
        let sigint = match pending.take() {
            Some(sigint) => sigint,
            None => {
                let sigint = tokio::select! {
                    _ = server.stopped() => break,
                    _ = term.recv() => false,
                    _ = int.recv() => true,
                };
                let received = if sigint { "SIGINT" } else { "SIGTERM" };
                raw.signal_line(&log, &format!("Received {received} scheduling shutdown..."));
                sigint
            }
        };
        let accepted = tokio::select! {
            accepted = server.shutdown_on_signal(sigint) => accepted,
            _ = int.recv() => insist(&log, &raw),
        };
        if accepted {
            break;
        }
    }
    if server.crashed() {
        // DEBUG CRASH: die as SIGKILL kills (the pidfile stays, nothing is flushed).
        // SAFETY: kill() on our own process.
        unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    }
    // The server thread flushes and fsyncs the AOF and says goodbye.
    tokio::select! {
        _ = server.shutdown() => {}
        _ = int.recv() => insist(&log, &raw),
    }
    // Only now: a pidfile that is gone means the data is on disk.
    remove_pidfile(&pidfile, Some(&log));
    ExitCode::SUCCESS
}

/// Turns the last `--port auto` into `--port 0` for the configuration parser; true if the last `--port` said auto.
fn take_port_auto(args: &mut [String]) -> bool {
    let mut auto = false;
    let mut i = 0;
    while i + 1 < args.len() {
        if args[i].eq_ignore_ascii_case("--port") {
            auto = args[i + 1].eq_ignore_ascii_case("auto");
            if auto {
                args[i + 1] = "0".into();
            }
            i += 1;
        }
        i += 1;
    }
    auto
}

/// A second SIGINT: the user really wants to quit now, without waiting for the data to be saved.
fn insist(log: &Logger, raw: &RawLog) -> ! {
    raw.signal_line(log, "You insist... exiting now.");
    std::process::exit(1);
}

fn remove_pidfile(pidfile: &Option<PathBuf>, log: Option<&Logger>) {
    if let Some(path) = pidfile {
        if let Some(log) = log {
            log.notice("Removing the pid file.");
        }
        let _ = std::fs::remove_file(path);
    }
}

/// fork() + setsid() as redis-server's daemonize(): the parent exits 0 at once, the child goes on with its
/// standard streams on /dev/null (a log on standard output is then lost, as with Redis).
fn daemonize() -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: called before any thread exists (the runtime is built afterwards), so the child is complete.
    match unsafe { libc::fork() } {
        -1 => return Err(std::io::Error::last_os_error()),
        0 => {}
        _ => std::process::exit(0),
    }
    // SAFETY: plain syscalls on our own process and descriptors.
    unsafe { libc::setsid() };
    let null = std::fs::OpenOptions::new().read(true).write(true).open("/dev/null")?;
    for fd in 0..3 {
        // SAFETY: as above.
        unsafe { libc::dup2(null.as_raw_fd(), fd) };
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Supervisor {
    Upstart,
    Systemd,
}

/// redis-server's redisIsSupervised(): `supervised auto` picks upstart or systemd from the environment;
/// systemd is told the server is loading (sd_notify through `$NOTIFY_SOCKET`, no libsystemd), upstart is
/// signalled with SIGSTOP. None when not supervised, or when the supervisor can't be reached (logged).
fn supervise(config: &Config, log: &Logger, raw: &RawLog) -> Option<Supervisor> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let mode = match config.value("supervised").unwrap_or_default().as_str() {
        "upstart" => Supervisor::Upstart,
        "systemd" => Supervisor::Systemd,
        "auto" if set("UPSTART_JOB") => {
            raw.line(log, LogLevel::Verbose, "Upstart supervision detected.");
            Supervisor::Upstart
        }
        "auto" if set("NOTIFY_SOCKET") => {
            raw.line(log, LogLevel::Verbose, "Systemd supervision detected.");
            Supervisor::Systemd
        }
        _ => return None,
    };
    match mode {
        Supervisor::Upstart if !set("UPSTART_JOB") => {
            raw.line(log, LogLevel::Warning, "upstart supervision requested, but UPSTART_JOB not found!");
            None
        }
        Supervisor::Upstart => {
            raw.line(log, LogLevel::Notice, "supervised by upstart, will stop to signal readiness.");
            // SAFETY: raise() on our own process; no other thread exists yet.
            unsafe { libc::raise(libc::SIGSTOP) };
            std::env::remove_var("UPSTART_JOB");
            Some(Supervisor::Upstart)
        }
        Supervisor::Systemd => match sd_notify("STATUS=embedis is loading...\n") {
            Ok(true) => {
                raw.line(
                    log,
                    LogLevel::Notice,
                    "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and \
                     TimeoutStopSec in your service unit.",
                );
                Some(Supervisor::Systemd)
            }
            Ok(false) => {
                raw.line(log, LogLevel::Warning, "systemd supervision error: NOTIFY_SOCKET not found!");
                None
            }
            Err(e) => {
                raw.line(log, LogLevel::Warning, &format!("systemd supervision error: sd_notify: {}", strerror(&e)));
                None
            }
        },
    }
}

fn notify_systemd(log: &Logger, message: &str) {
    match sd_notify(message) {
        Ok(true) => {}
        Ok(false) => log.warning("systemd supervision error: NOTIFY_SOCKET not found!"),
        Err(e) => log.warning(&format!("systemd supervision error: sd_notify: {}", strerror(&e))),
    }
}

/// `oom-score-adj yes|relative|absolute` with the master's value from `oom-score-adj-values`, written to
/// /proc/self/oom_score_adj once the server runs, as redis-server's setOOMScoreAdj(). Runtime changes through
/// CONFIG SET are stored but not applied.
struct OomScoreAdj {
    relative: bool,
    value: i32,
}

impl OomScoreAdj {
    fn of(config: &Config) -> Option<OomScoreAdj> {
        let relative = match config.value("oom-score-adj").unwrap_or_default().as_str() {
            "yes" | "relative" => true,
            "absolute" => false,
            _ => return None,
        };
        let values = config.value("oom-score-adj-values").unwrap_or_default();
        let value = values.split(' ').next().and_then(|v| v.parse().ok()).unwrap_or(0);
        Some(OomScoreAdj { relative, value })
    }

    fn apply(&self, log: &Logger) {
        const PATH: &str = "/proc/self/oom_score_adj";
        let base = if self.relative {
            match std::fs::read_to_string(PATH) {
                Ok(text) => text.trim().parse::<i32>().unwrap_or(0),
                Err(e) => return log.warning(&format!("Unable to read oom_score_adj: {}", strerror(&e))),
            }
        } else {
            0
        };
        let value = (base + self.value).clamp(-1000, 1000);
        if let Err(e) = std::fs::write(PATH, format!("{value}\n")) {
            log.warning(&format!("Unable to write oom_score_adj: {}", strerror(&e)));
        }
    }
}

/// Lines the binary writes itself in redis-server's formats: before the server runs (role `C`, any level) and
/// from the signal handling (`pid:signal-handler (unix time) message`), to the log file or standard output.
struct RawLog {
    logfile: Option<PathBuf>,
}

impl RawLog {
    fn new(config: &Config) -> RawLog {
        RawLog { logfile: (!config.logfile.is_empty()).then(|| PathBuf::from(&config.logfile)) }
    }

    fn line(&self, log: &Logger, level: LogLevel, msg: &str) {
        let mark = match level {
            LogLevel::Debug => '.',
            LogLevel::Verbose => '-',
            LogLevel::Notice => '*',
            _ => '#',
        };
        if log.enabled(level) {
            self.write(&format_line('C', mark, msg));
        }
    }

    fn signal_line(&self, log: &Logger, msg: &str) {
        if log.enabled(LogLevel::Warning) {
            let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            self.write(&format!("{}:signal-handler ({}) {msg}\n", std::process::id(), secs.as_secs()));
        }
    }

    fn write(&self, text: &str) {
        let _ = match &self.logfile {
            Some(path) => std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(text.as_bytes())),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
        };
    }
}

/// The installed allocator as redis-server names it (`jemalloc-5.3.0`), from jemalloc's own `version`.
#[cfg(feature = "jemalloc")]
fn jemalloc_name() -> String {
    let mut version: *const std::ffi::c_char = std::ptr::null();
    let mut len = std::mem::size_of::<*const std::ffi::c_char>();
    // SAFETY: "version" is a NUL-terminated name; jemalloc writes one pointer to a static string into `version`.
    let read = unsafe {
        tikv_jemalloc_sys::mallctl(
            c"version".as_ptr(),
            (&mut version as *mut *const std::ffi::c_char).cast(),
            &mut len,
            std::ptr::null_mut(),
            0,
        )
    };
    if read != 0 || version.is_null() {
        return "jemalloc".to_string();
    }
    // SAFETY: jemalloc's version is a static NUL-terminated string ("5.3.0-1-g<sha>").
    let full = unsafe { std::ffi::CStr::from_ptr(version) }.to_string_lossy();
    format!("jemalloc-{}", full.split('-').next().unwrap_or_default())
}

/// Built without the `jemalloc` feature: the system's allocator, as redis-server built with `MALLOC=libc` says.
#[cfg(not(feature = "jemalloc"))]
fn jemalloc_name() -> String {
    "libc".to_string()
}

/// An OS error as C's strerror() words it ("Permission denied", without Rust's "(os error 13)").
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
