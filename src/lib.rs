//! embedis: a Redis 7.0 compatible server, usable as a drop-in `redis-server` binary or embedded in-process.
//!
//! ```no_run
//! # async fn demo() -> Result<(), embedis::Error> {
//! let server = embedis::Server::builder().port(0).bind("127.0.0.1").start().await?;
//! println!("listening on {}", server.url());
//! // Expire TTLs in tests without sleeping:
//! server.advance_time(std::time::Duration::from_secs(60));
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Without an async runtime, use [`blocking::Server`]. For tests, [`test::Server`] adds a temporary directory, a
//! clock to move or freeze, seeded randomness, crashes that lose what the fsync policy allows, direct data access
//! and fault injection.

// The API is `Server`, `ServerBuilder`, `ServerHandle`, `Config` (with its module's types), `Error`, `blocking`
// and `test`; everything else is the crate's own (`internals` re-exports the few pieces the package's binaries,
// benchmarks and fuzz targets use).
#![warn(missing_docs)]

mod cmd;
pub mod config;
mod engine;
mod error;
mod glob;
mod log;
mod persistence;
mod process;
mod protocol;
mod pubsub;
mod scripting;
mod server;
mod storage;
pub mod test;

/// What this package's own binaries, benchmarks, examples and fuzz targets use from inside the crate: not API,
/// and free to change.
#[doc(hidden)]
#[allow(missing_docs)]
pub mod internals {
    pub use crate::log::{format_line, Logger};
    pub use crate::process::{sd_notify, set_allocator_name};
    pub use crate::server::command_names;

    /// The RESP reader and writer (benchmarks, fuzz targets, the examples' load generators).
    pub mod protocol {
        pub use crate::protocol::decode::split_args;
        pub use crate::protocol::number::strtol;
        pub use crate::protocol::resp3::frame_end;
        pub use crate::protocol::{Limits, Next, Out, RequestParser};
    }

    /// The AOF's file formats (`embedis-check-aof`, the fuzz targets).
    pub mod aof {
        pub use crate::persistence::aof::manifest::Manifest;
        pub use crate::persistence::aof::parse;
    }

    /// The RDB format (`embedis-check-rdb`, `embedis-check-aof` for RDB bases).
    pub mod rdb {
        pub use crate::persistence::rdb::check::{check, render, Report};
    }

    /// Commands through the dispatcher, without sockets (benches/protocol.rs).
    pub mod engine {
        use crate::engine::{client::Client, state, table::Names};

        /// One server's engine and one client of it: commands in, RESP out.
        pub struct Engine {
            state: state::State,
            shared: state::Shared,
            client: Client,
        }

        impl Engine {
            /// An empty keyspace with the default configuration.
            pub fn new() -> Engine {
                let names = || Names::new(crate::cmd::FAMILIES);
                let config = crate::Config::default;
                let log = crate::log::Logger::stdout(crate::config::LogLevel::Warning);
                let shared = state::Shared::new(state::State::new(config(), names(), 0), log, Default::default());
                Engine { state: state::State::new(config(), names(), 0), shared, client: Client::new(1, true, true) }
            }

            /// Runs one command (as the connection does for each command of a batch); the reply goes to `out`.
            pub fn run(&mut self, argv: &[&[u8]], out: &mut crate::protocol::Out) {
                crate::engine::dispatch::dispatch(&mut self.state, &self.shared, &mut self.client, argv, out);
            }
        }

        impl Default for Engine {
            fn default() -> Engine {
                Engine::new()
            }
        }
    }

    /// The sorted set type (benches/zset.rs).
    pub use crate::storage::zset;
}

/// Entry points for the cargo-fuzz targets in `fuzz/`: not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    /// Parses redis.conf text, as a config file, without the directives that touch files: `include` reads
    /// them, and `logfile` is created (in any `dir`) to check it can be opened.
    pub fn config_text(text: &[u8]) -> Result<crate::Config, crate::config::ConfigError> {
        let touches_files =
            |name: &[u8]| name.eq_ignore_ascii_case(b"include") || name.eq_ignore_ascii_case(b"logfile");
        let kept: Vec<&[u8]> = text
            .split(|&c| c == b'\n')
            .filter(|line| {
                let words = crate::protocol::decode::split_args(line.split(|&c| c == 0).next().unwrap_or_default());
                !words.is_some_and(|w| w.first().is_some_and(|name| touches_files(name)))
            })
            .collect();
        let mut config = crate::Config::default();
        config.load_text(&kept.join(&b'\n'))?;
        Ok(config)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn config_text_creates_no_file() {
            let dir = tempfile::tempdir().expect("temp dir");
            let text = format!(
                "dir {}\nLOGFILE made.log\n\"logfile\" made2.log\ninclude {0}/missing.conf\nhz 20\n",
                dir.path().display()
            );
            let config = super::config_text(text.as_bytes()).expect("loads");
            assert_eq!(config.hz, 20);
            assert_eq!(std::fs::read_dir(dir.path()).expect("read dir").count(), 0);
        }
    }
}

/// The README's Rust examples compile as they are written there (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;

pub use config::Config;
pub use error::Error;
pub use server::{Server, ServerBuilder, ServerHandle};

/// The Redis release embedis answers as, because it matches its behaviour: INFO, HELLO, `--version`, scripts'
/// `redis.REDIS_VERSION` and the fatal config error banner all show it (clients choose features by it).
pub const REDIS_VERSION: &str = "7.0.15";

/// [`REDIS_VERSION`] as Redis's `REDIS_VERSION_NUM`, `0x00MMmmpp` (scripts' `redis.REDIS_VERSION_NUM`).
pub const REDIS_VERSION_NUM: i64 = version_num(REDIS_VERSION);

/// "major.minor.patch" as `0x00MMmmpp`, at compile time.
const fn version_num(version: &str) -> i64 {
    let bytes = version.as_bytes();
    let (mut num, mut part, mut i) = (0, 0, 0);
    while i < bytes.len() {
        if bytes[i] == b'.' {
            num = (num << 8) | part;
            part = 0;
        } else {
            part = part * 10 + (bytes[i] - b'0') as i64;
        }
        i += 1;
    }
    (num << 8) | part
}

/// Starting a server from plain synchronous code (a `#[test]` without a runtime).
pub mod blocking {
    pub use crate::server::ServerHandle;

    /// `embedis::blocking::Server::builder().port(0).start()?`, or `Server::start()` for a loopback server on
    /// a free port.
    pub struct Server;

    impl Server {
        /// A builder whose `start()` blocks until the server is ready.
        pub fn builder() -> crate::server::ServerBuilder<crate::server::Blocking> {
            crate::server::ServerBuilder::new()
        }

        /// A server on 127.0.0.1 with a free port and default settings.
        pub fn start() -> Result<ServerHandle, crate::Error> {
            Self::builder().port(0).bind("127.0.0.1").start()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_num_is_redis_encoding() {
        assert_eq!(super::REDIS_VERSION_NUM, 0x07000f);
        assert_eq!(super::version_num("255.1.10"), 0xff010a);
    }
}
