//! Server configuration: the typed [`Config`] the server reads, and everything that turns text into it or back
//! (redis.conf, the command line, CONFIG GET/SET, CONFIG REWRITE), as Redis 7.0.15's config.c does.
//!
//! One table, `DIRECTIVES` in `rows.rs`, lists every directive redis-server 7.0.15 accepts: name, alias, kind
//! with bounds or enum values, default, flags, validator and, when the server reads it typed, the accessor of its
//! `Config` field. Everything else reads the rows, so a new directive is one row (plus its field when typed).
//! The files, each importing (besides `Config`) only those listed before it:
//! - `value.rs`: scalar kinds, parsed and shown with Redis's rules; `enums.rs`: the typed enum values;
//! - `validate.rs`: config.c's extra checks on a value; `rows.rs`: the table;
//! - `error.rs`: fatal errors as redis-server prints them;
//! - `special.rs`: directives with a syntax of their own (`save`, `bind`, `dir`, `client-output-buffer-limit`...);
//! - `set_get.rs`: CONFIG GET and CONFIG SET;
//! - `parse.rs`: redis.conf lines, `include` and paths; `command_line.rs`: redis-server's arguments;
//! - `rewrite.rs`: CONFIG REWRITE.
//!
//! A directive without a typed field is validated by its kind and kept in `Config::stored`, formatted as CONFIG
//! GET prints it. Error texts are Redis 7.0.15's, checked against redis-server.

mod command_line;
mod enums;
mod error;
mod parse;
mod rewrite;
mod rows;
mod set_get;
mod special;
mod validate;
mod value;

pub use enums::{AppendFsync, LogLevel, MaxmemoryPolicy, Protection};
pub use error::{strerror, ConfigError};
pub use set_get::{is_directive, UNKNOWN_OPTION};
pub use special::{ClientOutputBufferLimits, ObufLimit};

/// Event classes (the letters of `notify-keyspace-events`; config/special.rs parses them into these bits).
pub mod keyspace_classes {
    /// `K`: publish on `__keyspace@<db>__:<key>`.
    pub const KEYSPACE: u32 = 1 << 0;
    /// `E`: publish on `__keyevent@<db>__:<event>`.
    pub const KEYEVENT: u32 = 1 << 1;
    /// `g`: DEL, EXPIRE, RENAME... (type-independent commands).
    pub const GENERIC: u32 = 1 << 2;
    /// `$`
    pub const STRING: u32 = 1 << 3;
    /// `l`
    pub const LIST: u32 = 1 << 4;
    /// `s`
    pub const SET: u32 = 1 << 5;
    /// `h`
    pub const HASH: u32 = 1 << 6;
    /// `z`
    pub const ZSET: u32 = 1 << 7;
    /// `x`: a key deleted because its TTL passed.
    pub const EXPIRED: u32 = 1 << 8;
    /// `e`: a key evicted by maxmemory.
    pub const EVICTED: u32 = 1 << 9;
    /// `t`
    pub const STREAM: u32 = 1 << 10;
    /// `m`: a read of a missing key.
    pub const KEY_MISS: u32 = 1 << 11;
    /// `d`
    pub const MODULE: u32 = 1 << 12;
    /// `n`: a key created.
    pub const NEW: u32 = 1 << 13;
}

use rows::{lookup, ACTIVE, DIRECTIVES, SENSITIVE};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Declares `Config` and `Config::blank()`, every field at its type's `Default`, on which `Config::default()`
/// sets each directive to its row's default: a default is written in its row only.
macro_rules! with_blank {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $name {
            // A field is its directive (dashes as underscores): redis.conf documents each.
            $($(#[$field_meta])* #[allow(missing_docs)] pub $field: $ty,)*
        }

        impl $name {
            fn blank() -> Self {
                $name { $($field: Default::default(),)* }
            }
        }
    };
}

/// A `rename-command from to` line, as read (the engine's command index applies them at startup:
/// `engine::table::Names::with_renames`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameCommand {
    /// The command's name as written on the line.
    pub from: String,
    /// Empty = remove the command.
    pub to: String,
    /// The line's number in its file.
    pub line: usize,
    /// The line as written (for the error banner).
    pub text: String,
}

with_blank! {
/// The typed configuration. Every directive the server accepts has a field (named as the directive, dashes
/// written as underscores: `maxmemory_policy` is `maxmemory-policy`, documented in redis.conf) or lives in
/// `stored` (accepted, answered by CONFIG GET, not yet acted on). A field's default is its directive's row's.
#[derive(Clone, Debug)]
pub struct Config {
    /// 0: no TCP listener (only the unix socket), as in Redis.
    pub port: u16,
    /// Listen on a port the kernel picks instead of `port` (the builder's `port(0)`, the binary's `--port auto`);
    /// CONFIG GET port and INFO answer the port bound.
    pub port_auto: bool,
    /// Addresses to listen on. Empty = `bind` never given: all interfaces (`*` and `-::*`), unless
    /// `bind_none` is set.
    pub bind: Vec<String>,
    /// `bind ""` (or `bind` with no address): listen on no TCP address at all.
    pub bind_none: bool,
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
    /// The working directory. Absolute once a `dir` directive or `from_args` has run.
    pub dir: PathBuf,
    pub enable_debug_command: Protection,
    /// `test-mode yes` (embedis only): DEBUG ADVANCE-TIME, SET-TIME, FREEZE-TIME, RESUME-TIME, SEED and CRASH
    /// for any client, and the binary prints a ready line; everything else behaves as in production.
    pub test_mode: bool,
    /// Already clamped to 1..=500, as Redis does.
    pub hz: u32,
    /// The config file the server was started with, if any (CONFIG REWRITE, INFO config_file).
    pub config_file: Option<PathBuf>,

    // Typed for the subsystems that will need them; not acted on yet (see `inactive_directives_set`).
    pub appendonly: bool,
    /// `#TS:<unix seconds>` annotations in the AOF (for `--truncate-to-timestamp` recovery).
    pub aof_timestamp_enabled: bool,
    pub appendfsync: AppendFsync,
    pub appendfilename: String,
    pub appenddirname: String,
    pub no_appendfsync_on_rewrite: bool,
    /// Rewrite the AOF once it grew by this percentage over its size after the last rewrite (0: never).
    pub auto_aof_rewrite_percentage: u64,
    pub auto_aof_rewrite_min_size: u64,
    pub aof_load_truncated: bool,
    /// Expired keys are recorded in the AOF as UNLINK rather than DEL.
    pub lazyfree_lazy_expire: bool,
    /// Evicted keys are recorded in the AOF as UNLINK rather than DEL.
    pub lazyfree_lazy_eviction: bool,
    pub dbfilename: String,
    /// `save` points as (seconds, changes). Empty = no automatic snapshots.
    pub save: Vec<(u64, u64)>,
    /// Bytes, 0 = no limit.
    pub maxmemory: u64,
    pub maxmemory_policy: MaxmemoryPolicy,
    pub maxmemory_samples: u32,
    pub maxmemory_eviction_tenacity: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    /// Keyspace event classes, in Redis's canonical form (as CONFIG GET prints it, e.g. "AKE"); "" = off.
    pub notify_keyspace_events: String,
    /// `notify_keyspace_events` as the class bits of `keyspace_classes`.
    pub notify_flags: u32,
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    pub set_max_intset_entries: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub list_max_listpack_size: i32,
    pub list_compress_depth: u32,
    pub stream_node_max_bytes: u64,
    pub stream_node_max_entries: u64,
    /// Milliseconds (`busy-reply-threshold`, alias `lua-time-limit`).
    pub busy_reply_threshold: u64,
    /// Microseconds; negative disables the slow log.
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    /// Milliseconds, 0 = off.
    pub latency_monitor_threshold: u64,
    /// Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM).
    pub latency_tracking: bool,
    pub client_output_buffer_limit: ClientOutputBufferLimits,

    /// Directives without a typed field, formatted as CONFIG GET prints them; absent = the table's default.
    pub stored: BTreeMap<&'static str, String>,
    pub rename_commands: Vec<RenameCommand>,
    /// `user` lines (ACL rules, arguments after `user`), not applied yet.
    pub users: Vec<Vec<String>>,
}
}

impl Default for Config {
    /// Every directive at its row's default.
    fn default() -> Self {
        let mut config = Config::blank();
        for d in DIRECTIVES {
            config.reset(d);
        }
        config
    }
}

impl Config {
    /// Names of directives given a non-default value that the server does not act on yet (main logs them as
    /// "not yet active"): everything not flagged ACTIVE in the table, plus `user` lines.
    pub fn inactive_directives_set(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = DIRECTIVES
            .iter()
            .filter(|d| !d.has(ACTIVE) && self.get_directive(d) != d.default)
            .map(|d| d.name)
            .collect();
        if !self.users.is_empty() {
            names.push("user");
        }
        names
    }

    /// Redis shares the objects of small integers unless an LRU/LFU maxmemory policy needs per-object
    /// metadata (createStringObjectFromLongLongWithOptions).
    pub fn shares_integers(&self) -> bool {
        self.maxmemory == 0 || !self.maxmemory_policy.tracks_access()
    }

    /// `rdbcompression`: strings written to RDB (files, DUMP) over 20 bytes are LZF-compressed when it pays.
    pub fn rdb_compression(&self) -> bool {
        self.value("rdbcompression").as_deref() != Some("no")
    }

    /// A yes/no directive kept as text (not a typed field) that is `yes`.
    pub fn is_yes(&self, name: &str) -> bool {
        self.value(name).as_deref() == Some("yes")
    }

    /// `rdbchecksum`: RDB files end with a CRC-64 (checked when loading), or with zeros.
    pub fn rdb_checksum(&self) -> bool {
        self.is_yes("rdbchecksum")
    }

    /// `stop-writes-on-bgsave-error`: after a failed background save, writes get MISCONF (when save points are set).
    pub fn stop_writes_on_bgsave_error(&self) -> bool {
        self.is_yes("stop-writes-on-bgsave-error")
    }

    /// `aof-use-rdb-preamble`: AOF rewrites write the base as an RDB file.
    pub fn aof_use_rdb_preamble(&self) -> bool {
        self.is_yes("aof-use-rdb-preamble")
    }

    /// `rdb-key-save-delay` (hidden): microseconds a save sleeps per key, to make saves slow in tests.
    pub fn rdb_key_save_delay(&self) -> i64 {
        self.value("rdb-key-save-delay").and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// The RDB file: `dbfilename` in `dir`.
    pub fn rdb_path(&self) -> PathBuf {
        self.dir.join(&self.dbfilename)
    }

    /// Is an LFU maxmemory policy selected (OBJECT FREQ vs IDLETIME)?
    pub fn lfu_policy(&self) -> bool {
        matches!(self.maxmemory_policy, MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu)
    }

    /// Whether the directive (by name or alias) is a secret the server should redact from logs and MONITOR.
    pub fn is_sensitive(name: &[u8]) -> bool {
        lookup(name).is_some_and(|(d, _)| d.has(SENSITIVE))
    }
}

#[cfg(test)]
mod test_helpers {
    use super::*;
    use crate::REDIS_VERSION;

    pub(super) fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    pub(super) fn load(text: &str) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        cfg.load_str(text, None).map(|_| cfg)
    }

    pub(super) fn load_err(text: &str) -> String {
        match load(text) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// The banner redis-server prints for a bad line.
    pub(super) fn banner(line: usize, text: &str, reason: &str) -> String {
        format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}"
        )
    }

    pub(super) fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    pub(super) fn get1(cfg: &Config, name: &str) -> String {
        let hits = cfg.get(&[name.as_bytes()]);
        assert_eq!(hits.len(), 1, "{name}: {hits:?}");
        hits[0].1.clone()
    }

    pub(super) fn set(cfg: &mut Config, pairs: &[(&str, &str)]) -> Result<(), String> {
        let pairs: Vec<(&[u8], &[u8])> = pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
        cfg.set(&pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::test_helpers::*;
    use super::*;

    #[test]
    fn odd_input_never_panics() {
        let long = "x".repeat(100_000);
        let inputs = [
            "",
            "\n",
            "\"",
            "'",
            "\"\"",
            "''",
            "\\",
            "\"\\x\"",
            "\"\\xZZ\"",
            "port \"\\",
            "port ''''",
            "port \"\"\"\"",
            "save \"\" \"\"",
            "save 1 -1",
            "save -1 1",
            "save 99999999999999999999 1",
            "bind",
            "bind \"\" x",
            "client-output-buffer-limit normal 1 1 99999999999",
            "client-output-buffer-limit normal 1 1 4294967296",
            "client-output-buffer-limit normal 1 1 -1",
            "maxmemory-clients -9223372036854775808%",
            "latency-tracking-info-percentiles nan",
            "latency-tracking-info-percentiles inf",
            "latency-tracking-info-percentiles 1e400",
            "notify-keyspace-events \"\\x00\"",
            "unixsocketperm 7777777777777777777777777",
            "unixsocketperm -",
            "hz -1",
            "hz 99999999999",
            "maxmemory \"\\xff\"",
            "include \"\"",
            "\u{feff}port 1",
            "p\u{e9}rt 1",
            "oom-score-adj-values 1 2 99999999999999999999",
            "replicaof h 99999999999999999999",
            "dir \"\"",
            "shutdown-on-sigint",
            "shutdown-on-sigint default default",
            "proc-title-template \"{\"",
            "proc-title-template }{",
            &long,
        ];
        for input in inputs {
            let _ = load(input);
            let mut cfg = Config::default();
            for d in DIRECTIVES {
                let _ = set(&mut cfg, &[(d.name, input)]);
            }
            let _ = Config::from_args(&args(&["--port", input, input, "--", "-", input]));
        }
        assert_eq!(load("save 1 4294967296").unwrap().save, vec![(1, 4294967296)]);
        assert!(load_err("client-output-buffer-limit normal 1 1 2147483648").ends_with("buffer limit configuration."));
        assert_eq!(
            load("hz -1").map(|_| ()).unwrap_err().reason,
            "argument must be between 0 and 2147483647 inclusive"
        );
    }
}
