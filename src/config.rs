//! Server configuration: the typed `Config` the server reads, and redis.conf / command-line parsing.
//!
//! FIXME(helper): the directive registry (parse, CONFIG GET/SET) is being written; the fields below are the
//! contract the rest of the server reads.

use std::path::PathBuf;

/// Who may use DEBUG (`enable-debug-command`): Redis 7.0's protected-config values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    No,
    Yes,
    Local,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
    Nothing,
}

/// The typed configuration. Every directive the server accepts has a field or lives in `stored` (accepted,
/// answered by CONFIG GET, not yet acted on).
#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
    /// Addresses to listen on. Empty = `bind` never given: all interfaces (`*` and `-::*`).
    pub bind: Vec<String>,
    pub unixsocket: Option<PathBuf>,
    pub unixsocketperm: u32,
    pub protected_mode: bool,
    pub requirepass: Option<Vec<u8>>,
    pub databases: usize,
    pub maxclients: usize,
    /// Idle client timeout in seconds, 0 = never.
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub client_query_buffer_limit: u64,
    pub proto_max_bulk_len: u64,
    pub loglevel: LogLevel,
    /// Empty = standard output.
    pub logfile: String,
    pub dir: PathBuf,
    pub enable_debug_command: Protection,
    pub hz: u32,
    /// The config file the server was started with, if any (CONFIG REWRITE, INFO config_file).
    pub config_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: Vec::new(),
            unixsocket: None,
            unixsocketperm: 0,
            protected_mode: true,
            requirepass: None,
            databases: 16,
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            client_query_buffer_limit: 1 << 30,
            proto_max_bulk_len: 512 << 20,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            dir: PathBuf::from("."),
            enable_debug_command: Protection::No,
            hz: 10,
            config_file: None,
        }
    }
}

// TEMPORARY(lead): stubs until the registry lands.
#[derive(Debug)]
pub struct ConfigError(pub String);
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl Config {
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        let mut i = 0;
        while i + 1 < args.len() {
            if args[i] == "--port" {
                c.port = args[i + 1].parse().map_err(|_| ConfigError("bad port".into()))?;
            }
            i += 2;
        }
        Ok(c)
    }
    pub fn get(&self, _patterns: &[&[u8]]) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    pub fn set(&mut self, _pairs: &[(&[u8], &[u8])]) -> Result<(), String> {
        Err("unsupported".into())
    }
    pub fn inactive_directives_set(&self) -> Vec<&'static str> {
        Vec::new()
    }
}
impl Config {
    /// Redis shares small integer objects unless an LRU/LFU policy needs per-object metadata.
    pub fn shares_integers(&self) -> bool {
        true
    }
    /// Is an LFU maxmemory policy selected (OBJECT FREQ vs IDLETIME)?
    pub fn lfu_policy(&self) -> bool {
        false
    }
}
