//! `embedis-server`: redis-server's command line in front of the library.

use embedis::config::Config;
use embedis::server::log::{format_line, Logger};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options: memory freed (evicted keys, expired keys) goes back to the OS within a second instead of
/// ten, so under maxmemory the resident size follows the data.
#[export_name = "_rjem_malloc_conf"]
pub static MALLOC_CONF: &[u8; 37] = b"dirty_decay_ms:1000,muzzy_decay_ms:0\0";

const USAGE: &str = "Usage: ./embedis-server [/path/to/redis.conf] [options] [-]
       ./embedis-server - (read config from stdin)
       ./embedis-server -v or --version
       ./embedis-server -h or --help

Examples:
       ./embedis-server (run the server with default conf)
       ./embedis-server /etc/redis/6379.conf
       ./embedis-server --port 7777
       ./embedis-server --port 7777 --replicaof 127.0.0.1 8888
       ./embedis-server /etc/myredis.conf --loglevel verbose -
       ./embedis-server /etc/myredis.conf --loglevel verbose
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-v" | "--version") => {
            println!(
                "embedis v={} (Redis {} compatible) bits=64",
                env!("CARGO_PKG_VERSION"),
                embedis::cmd::connection::REDIS_VERSION
            );
            return ExitCode::SUCCESS;
        }
        Some("-h" | "--help") => {
            eprint!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let config = match Config::from_args(&args) {
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
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(config))
}

async fn serve(config: Config) -> ExitCode {
    let pid = std::process::id();
    // The banner goes where the server's log goes (`logfile`), at warning level like redis-server's.
    let log = match Logger::new(config.loglevel, &config.logfile) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("Can't open the log file: {e}");
            return ExitCode::FAILURE;
        }
    };
    let startup_log = |msg: &str| log.startup(msg);
    startup_log("oO0OoO0OoO0Oo embedis is starting oO0OoO0OoO0Oo");
    startup_log(&format!(
        "embedis version={} (Redis {} compatible), bits=64, pid={pid}, just started",
        env!("CARGO_PKG_VERSION"),
        embedis::cmd::connection::REDIS_VERSION
    ));
    if config.config_file.is_none() {
        startup_log(
            "Warning: no config file specified, using the default config. In order to specify a config file use \
             embedis-server /path/to/redis.conf",
        );
    } else {
        startup_log("Configuration loaded");
    }
    for name in config.inactive_directives_set() {
        startup_log(&format!("Directive '{name}' is accepted and stored but not active yet in this version"));
    }
    // Signal handlers first: a supervisor may send SIGTERM as soon as the port is announced.
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{pid}:M # Could not install the signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match embedis::Server::builder().config(config).start().await {
        Ok(s) => s,
        Err(e) => {
            log.warning(&e.to_string());
            return ExitCode::FAILURE;
        }
    };
    tokio::select! {
        _ = server.stopped() => {}
        _ = term.recv() => log.warning("Received SIGTERM scheduling shutdown..."),
        _ = int.recv() => log.warning("Received SIGINT scheduling shutdown..."),
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
