//! `embedis-server`: redis-server's command line in front of the library.

use embedis::config::Config;
use std::process::ExitCode;

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
    let inactive = config.inactive_directives_set();
    let pid = std::process::id();
    println!("{pid}:C # oO0OoO0OoO0Oo embedis is starting oO0OoO0OoO0Oo");
    if config.config_file.is_none() {
        println!(
            "{pid}:C # Warning: no config file specified, using the default config. In order to specify a config \
             file use embedis-server /path/to/redis.conf"
        );
    }
    for name in inactive {
        println!("{pid}:C # Directive '{name}' is accepted and stored but not active yet in this version");
    }
    let server = match embedis::Server::builder().config(config).start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{pid}:M # {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{pid}:M # Could not install the SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    tokio::select! {
        _ = server.stopped() => {}
        _ = term.recv() => println!("{pid}:signal-handler Received SIGTERM scheduling shutdown..."),
        _ = tokio::signal::ctrl_c() => println!("{pid}:signal-handler Received SIGINT scheduling shutdown..."),
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
