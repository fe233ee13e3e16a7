//! Server configuration: the typed [`Config`] the server reads, redis.conf / command-line parsing, and the
//! logic behind CONFIG GET and CONFIG SET.
//!
//! Modelled on Redis 7.0's config.c: one declarative table, `DIRECTIVES`, lists every directive
//! redis-server 7.0.15 accepts (name, alias, kind with bounds or enum values, the value CONFIG GET shows by
//! default, flags). Parsing a config line, CONFIG GET and CONFIG SET are all driven by it. A directive with
//! a typed field in `Config` is read from and written to that field (`get_typed` / `set_typed`, or the
//! special-directive functions); every other one is validated by its kind and kept in `stored`, already
//! formatted the way CONFIG GET prints it. Error texts are Redis 7.0.15's, checked against redis-server.

mod rewrite;

use crate::protocol::decode::split_args;
use crate::protocol::number::{memtoull, parse_i64, string2d, strtol_whole};
use crate::REDIS_VERSION;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Declares `Config` and `Config::blank()`, every field at its type's `Default`, on which `Config::default()`
/// sets each directive to its row's default: a default is written in its row only.
macro_rules! with_blank {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl $name {
            fn blank() -> Self {
                $name { $($field: Default::default(),)* }
            }
        }
    };
}

/// Declares a typed enum directive's values once: the enum, `NAMES` (its row's values in config.c's order,
/// which Redis's error message lists), `name()` and its [`FieldValue`]. Variants after `;` are not values of
/// the directive.
macro_rules! directive_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $name:literal,)+
            $(; $($(#[$extra_meta:meta])* $extra:ident = $extra_name:literal,)+)?
        }
    ) => {
        $(#[$meta])*
        pub enum $ty {
            $($(#[$variant_meta])* $variant,)+
            $($($(#[$extra_meta])* $extra,)+)?
        }

        impl $ty {
            const NAMES: &'static [(&'static str, u32)] = &[$(($name, $ty::$variant as u32),)+];

            /// As CONFIG GET and INFO show it.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                    $($($ty::$extra => $extra_name,)+)?
                }
            }
        }

        impl FieldValue for $ty {
            fn to_value(&self) -> Value {
                Value::Enum(self.name().to_string())
            }
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    $(Value::Enum(name) if name == $name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

directive_enum! {
    /// Who may use DEBUG (`enable-debug-command`): Redis 7.0's protected-config values.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum Protection {
        #[default]
        No = "no",
        Yes = "yes",
        Local = "local",
    }
}

directive_enum! {
    /// `loglevel`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
    pub enum LogLevel {
        Debug = "debug",
        Verbose = "verbose",
        #[default]
        Notice = "notice",
        Warning = "warning",
        ;
        /// Logs nothing (embedded servers): not a value of the directive.
        Nothing = "nothing",
    }
}

directive_enum! {
    /// `appendfsync`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum AppendFsync {
        #[default]
        EverySec = "everysec",
        Always = "always",
        No = "no",
    }
}

directive_enum! {
    /// `maxmemory-policy`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum MaxmemoryPolicy {
        VolatileLru = "volatile-lru",
        VolatileLfu = "volatile-lfu",
        VolatileRandom = "volatile-random",
        VolatileTtl = "volatile-ttl",
        AllkeysLru = "allkeys-lru",
        AllkeysLfu = "allkeys-lfu",
        AllkeysRandom = "allkeys-random",
        #[default]
        NoEviction = "noeviction",
    }
}

impl MaxmemoryPolicy {
    /// LRU and LFU policies keep per-object access metadata (Redis's MAXMEMORY_FLAG_NO_SHARED_INTEGERS).
    pub fn tracks_access(self) -> bool {
        !matches!(
            self,
            MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
                | MaxmemoryPolicy::AllkeysRandom
                | MaxmemoryPolicy::NoEviction
        )
    }
}

/// One class of `client-output-buffer-limit`: a hard limit, and a soft limit that may be exceeded for at
/// most `soft_seconds`. Zero disables a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

/// `client-output-buffer-limit`, per client class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOutputBufferLimits {
    pub normal: ObufLimit,
    pub replica: ObufLimit,
    pub pubsub: ObufLimit,
}

impl Default for ClientOutputBufferLimits {
    /// Redis's limits, as the `client-output-buffer-limit` row states them.
    fn default() -> Self {
        let off = ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };
        let mut limits = ClientOutputBufferLimits { normal: off, replica: off, pubsub: off };
        let _ = limits.update(&split_spaces(DEFAULT_OBUF_LIMITS.as_bytes()));
        limits
    }
}

/// A `rename-command from to` line, as read (the engine's command index applies them at startup:
/// `engine::table::Names::with_renames`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameCommand {
    pub from: String,
    /// Empty = remove the command.
    pub to: String,
    pub line: usize,
    pub text: String,
}

with_blank! {
/// The typed configuration. Every directive the server accepts has a field or lives in `stored` (accepted,
/// answered by CONFIG GET, not yet acted on). A field's default is its directive's row's.
#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
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
    /// `notify_keyspace_events` as the class bits of crate::pubsub::keyspace::class.
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

/// A fatal configuration error, rendered by `Display` exactly as redis-server prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The 1-based line number and the offending line (trimmed), when the error is about one line. For
    /// command-line options this is the line redis-server synthesizes, e.g. `port "abc"`.
    pub line: Option<(usize, String)>,
    /// Redis's explanation, e.g. "argument must be a memory value".
    pub reason: String,
    /// True when redis-server reports this through its log at warning level (e.g. "Fatal error, can't open
    /// config file '/x.conf': No such file or directory") rather than with the FATAL CONFIG FILE ERROR banner
    /// on stderr. `Display` then renders just that log message.
    pub logged: bool,
}

impl ConfigError {
    /// An error about one line of a config file.
    pub fn at_line(line: usize, text: &str, reason: &str) -> ConfigError {
        ConfigError { line: Some((line, text.to_string())), reason: reason.to_string(), logged: false }
    }

    fn fatal(reason: String) -> ConfigError {
        ConfigError { line: None, reason, logged: false }
    }

    fn logged(reason: String) -> ConfigError {
        ConfigError { line: None, reason, logged: true }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.logged {
            return f.write_str(&self.reason);
        }
        write!(f, "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n")?;
        if let Some((n, text)) = &self.line {
            write!(f, "Reading the configuration file, at line {n}\n>>> '{text}'\n")?;
        }
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ConfigError {}

// ---------------------------------------------------------------------------------------------------------
// The directive table
// ---------------------------------------------------------------------------------------------------------

/// CONFIG SET refuses it: "can't set immutable config".
const IMMUTABLE: u8 = 1;
/// CONFIG SET refuses it unless `enable-protected-configs` allows the client.
const PROTECTED: u8 = 1 << 1;
/// Left out of CONFIG GET patterns; only an exact name shows it.
const HIDDEN: u8 = 1 << 2;
/// Secret (passwords): the server should redact it from slowlog / MONITOR.
const SENSITIVE: u8 = 1 << 3;
/// Takes any number of arguments in a config file; CONFIG SET splits its value on spaces.
const MULTI_ARG: u8 = 1 << 4;
/// The server acts on it today (everything else is reported by `inactive_directives_set`).
const ACTIVE: u8 = 1 << 5;
/// A string whose empty default is a value (Redis's ALLOW_EMPTY_STRING): without it, an empty string directive
/// is unset (EMPTY_STRING_IS_NULL), and CONFIG REWRITE leaves it out.
const ALLOW_EMPTY: u8 = 1 << 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumFmt {
    Int,
    /// Accepts units (1k, 5mb, ...), shown as plain bytes.
    Memory,
    /// Memory, or `N%` (stored negative, as Redis does).
    MemoryPercent,
    Octal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyPercentiles,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool,
    Text,
    /// (name, value) pairs in config.c's order, which Redis's error message lists. With MULTI_ARG the values
    /// are bit flags and several names may be given.
    Enum(&'static [(&'static str, u32)]),
    /// Bounds are those of config.c; `unsigned` = a C unsigned type, compared as such (a huge memory value
    /// is fine for `maxmemory` but wraps negative for a signed `long long`).
    Num {
        min: i128,
        max: i128,
        unsigned: bool,
        fmt: NumFmt,
    },
    Special(Special),
}

/// Extra validation after the kind's own (Redis's `is_valid_fn`).
type Check = fn(&Value, &Config) -> Result<(), &'static str>;

/// How a scalar directive's typed field in `Config` is read as a [`Value`] and written from one (already
/// parsed and checked against the row's kind).
#[derive(Clone, Copy)]
struct Field {
    get: fn(&Config) -> Value,
    set: fn(&mut Config, &Value),
}

/// The [`Field`] of `Config::$field`, converted by its type's [`FieldValue`]; or with a setter of its own.
macro_rules! field {
    ($field:ident) => {
        field!($field, set: |config, value| {
            if let Some(typed) = FieldValue::from_value(value) {
                config.$field = typed;
            }
        })
    };
    ($field:ident, set: $set:expr) => {
        Field { get: |config| FieldValue::to_value(&config.$field), set: $set }
    };
}

struct Directive {
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    /// What CONFIG GET shows by default.
    default: &'static str,
    flags: u8,
    check: Option<Check>,
    /// The typed field; None = kept in `Config::stored` (or, for a special kind, its own fields).
    field: Option<Field>,
    /// What CONFIG SET does once the value is stored (Redis's `apply_fn`).
    on_set: Option<fn(&mut Config)>,
}

impl Directive {
    const fn alias(mut self, alias: &'static str) -> Self {
        self.alias = Some(alias);
        self
    }
    const fn flags(mut self, flags: u8) -> Self {
        self.flags |= flags;
        self
    }
    const fn check(mut self, check: Check) -> Self {
        self.check = Some(check);
        self
    }
    const fn field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }
    const fn on_set(mut self, apply: fn(&mut Config)) -> Self {
        self.on_set = Some(apply);
        self
    }
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    /// The primary name, then the alias.
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.alias)
    }
}

const fn d(name: &'static str, kind: Kind, default: &'static str) -> Directive {
    Directive { name, alias: None, kind, default, flags: 0, check: None, field: None, on_set: None }
}

const BOOL: Kind = Kind::Bool;
const TEXT: Kind = Kind::Text;

const fn num(min: i128, max: i128, unsigned: bool, fmt: NumFmt) -> Kind {
    Kind::Num { min, max, unsigned, fmt }
}
/// A signed C integer (int, long, long long, ssize_t, time_t, off_t; config.c's unsigned long too).
const fn int(min: i64, max: i64) -> Kind {
    num(min as i128, max as i128, false, NumFmt::Int)
}
/// An unsigned C integer (unsigned int, size_t, unsigned long long).
const fn uint(min: u64, max: u64) -> Kind {
    num(min as i128, max as i128, true, NumFmt::Int)
}
const fn mem(min: i64, max: i64) -> Kind {
    num(min as i128, max as i128, false, NumFmt::Memory)
}
const fn umem(min: u64, max: u64) -> Kind {
    num(min as i128, max as i128, true, NumFmt::Memory)
}
const fn special(s: Special) -> Kind {
    Kind::Special(s)
}

const INT_MIN: i64 = i32::MIN as i64;
const INT_MAX: i64 = i32::MAX as i64;
const UINT_MAX: u64 = u32::MAX as u64;
const LONG_MAX: i64 = i64::MAX;
const ULONG_LONG_MAX: u64 = u64::MAX;

const SUPERVISED: &[(&str, u32)] = &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];
const SYSLOG_FACILITY: &[(&str, u32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
const REPL_DISKLESS_LOAD: &[(&str, u32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const TLS_AUTH_CLIENTS: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
/// "yes" and "relative" are the same value; CONFIG GET shows the first, "yes".
const OOM_SCORE_ADJ: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT: &[(&str, u32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE_DUMP: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const CLUSTER_ENDPOINT: &[(&str, u32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR: &[(&str, u32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
/// Bit flags (a MULTI_ARG enum).
const SHUTDOWN_ON_SIG: &[(&str, u32)] = &[("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8)];

/// Every directive of redis-server 7.0.15 (this build has TLS), grouped as redis.conf is.
static DIRECTIVES: &[Directive] = &[
    // Network
    d("bind", special(Special::Bind), "* -::*").flags(MULTI_ARG | ACTIVE),
    d("bind-source-addr", TEXT, ""),
    d("protected-mode", BOOL, "yes").flags(ACTIVE).field(field!(protected_mode)),
    d("enable-protected-configs", Kind::Enum(Protection::NAMES), "no").flags(IMMUTABLE),
    d("enable-debug-command", Kind::Enum(Protection::NAMES), "no")
        .flags(IMMUTABLE | ACTIVE)
        .field(field!(enable_debug_command)),
    // embedis only: the test kit's DEBUG subcommands and the binary's ready line (not in CONFIG GET *).
    d("test-mode", BOOL, "no").flags(IMMUTABLE | HIDDEN | ACTIVE).field(field!(test_mode)),
    d("enable-module-command", Kind::Enum(Protection::NAMES), "no").flags(IMMUTABLE),
    d("port", int(0, 65535), "6379").flags(ACTIVE).field(field!(port)),
    d("tcp-backlog", int(0, INT_MAX), "511").flags(IMMUTABLE),
    d("unixsocket", TEXT, "").flags(IMMUTABLE | ACTIVE).field(field!(unixsocket)),
    d("unixsocketperm", num(0, 0o777, true, NumFmt::Octal), "0")
        .flags(IMMUTABLE | ACTIVE)
        .field(field!(unixsocketperm)),
    d("socket-mark-id", uint(0, UINT_MAX), "0").flags(IMMUTABLE),
    d("timeout", int(0, INT_MAX), "0").flags(ACTIVE).field(field!(timeout)),
    d("tcp-keepalive", int(0, INT_MAX), "300").flags(ACTIVE).field(field!(tcp_keepalive)),
    // TLS
    d("tls-port", int(0, 65535), "0"),
    d("tls-cert-file", TEXT, ""),
    d("tls-key-file", TEXT, ""),
    d("tls-key-file-pass", TEXT, ""),
    d("tls-client-cert-file", TEXT, ""),
    d("tls-client-key-file", TEXT, ""),
    d("tls-client-key-file-pass", TEXT, ""),
    d("tls-dh-params-file", TEXT, ""),
    d("tls-ca-cert-file", TEXT, ""),
    d("tls-ca-cert-dir", TEXT, ""),
    d("tls-auth-clients", Kind::Enum(TLS_AUTH_CLIENTS), "yes"),
    d("tls-replication", BOOL, "no"),
    d("tls-cluster", BOOL, "no"),
    d("tls-protocols", TEXT, ""),
    d("tls-ciphers", TEXT, ""),
    d("tls-ciphersuites", TEXT, ""),
    d("tls-prefer-server-ciphers", BOOL, "no"),
    d("tls-session-caching", BOOL, "yes"),
    d("tls-session-cache-size", int(0, INT_MAX), "20480"),
    d("tls-session-cache-timeout", int(0, INT_MAX), "300"),
    // General
    d("daemonize", BOOL, "no").flags(IMMUTABLE),
    d("supervised", Kind::Enum(SUPERVISED), "no").flags(IMMUTABLE),
    d("pidfile", TEXT, "").flags(IMMUTABLE),
    d("loglevel", Kind::Enum(LogLevel::NAMES), "notice").flags(ACTIVE).field(field!(loglevel)),
    d("logfile", TEXT, "").flags(IMMUTABLE | ACTIVE | ALLOW_EMPTY).field(field!(logfile)),
    d("syslog-enabled", BOOL, "no").flags(IMMUTABLE),
    d("syslog-ident", TEXT, "redis").flags(IMMUTABLE),
    d("syslog-facility", Kind::Enum(SYSLOG_FACILITY), "local0").flags(IMMUTABLE),
    d("crash-log-enabled", BOOL, "yes"),
    d("crash-memcheck-enabled", BOOL, "yes"),
    d("use-exit-on-panic", BOOL, "no").flags(HIDDEN),
    d("databases", int(1, INT_MAX), "16").flags(IMMUTABLE | ACTIVE).field(field!(databases)),
    d("always-show-logo", BOOL, "no").flags(IMMUTABLE),
    d("set-proc-title", BOOL, "yes").flags(IMMUTABLE),
    d("proc-title-template", TEXT, "{title} {listen-addr} {server-mode}").check(check_proc_title),
    // Snapshotting
    d("save", special(Special::Save), "3600 1 300 100 60 10000").flags(MULTI_ARG),
    d("stop-writes-on-bgsave-error", BOOL, "yes"),
    d("rdbcompression", BOOL, "yes"),
    d("rdbchecksum", BOOL, "yes").flags(IMMUTABLE),
    d("sanitize-dump-payload", Kind::Enum(SANITIZE_DUMP), "no"),
    d("dbfilename", TEXT, "dump.rdb").flags(PROTECTED).check(check_dbfilename).field(field!(dbfilename)),
    d("rdb-del-sync-files", BOOL, "no"),
    // The default is the working directory, computed when shown.
    d("dir", special(Special::Dir), "").flags(PROTECTED | ACTIVE),
    d("rdb-save-incremental-fsync", BOOL, "yes"),
    d("rdb-key-save-delay", int(INT_MIN, INT_MAX), "0").flags(HIDDEN),
    d("key-load-delay", int(INT_MIN, INT_MAX), "0").flags(HIDDEN),
    d("loading-process-events-interval-bytes", int(1024, INT_MAX), "2097152").flags(HIDDEN),
    // Replication
    d("replicaof", special(Special::ReplicaOf), "").alias("slaveof").flags(IMMUTABLE | MULTI_ARG),
    d("masterauth", TEXT, "").flags(SENSITIVE),
    d("masteruser", TEXT, "").flags(SENSITIVE),
    d("replica-serve-stale-data", BOOL, "yes").alias("slave-serve-stale-data"),
    d("replica-read-only", BOOL, "yes").alias("slave-read-only"),
    d("repl-diskless-sync", BOOL, "yes"),
    d("repl-diskless-sync-delay", int(0, INT_MAX), "5"),
    d("repl-diskless-sync-max-replicas", int(0, INT_MAX), "0"),
    d("repl-diskless-load", Kind::Enum(REPL_DISKLESS_LOAD), "disabled"),
    d("repl-ping-replica-period", int(1, INT_MAX), "10").alias("repl-ping-slave-period"),
    d("repl-timeout", int(1, INT_MAX), "60"),
    d("repl-disable-tcp-nodelay", BOOL, "no"),
    d("repl-backlog-size", mem(1, LONG_MAX), "1048576").on_set(raise_repl_backlog),
    d("repl-backlog-ttl", int(0, LONG_MAX), "3600"),
    d("replica-priority", int(0, INT_MAX), "100").alias("slave-priority"),
    d("propagation-error-behavior", Kind::Enum(PROPAGATION_ERROR), "ignore"),
    d("replica-ignore-disk-write-errors", BOOL, "no"),
    d("replica-announced", BOOL, "yes"),
    d("min-replicas-to-write", int(0, INT_MAX), "0").alias("min-slaves-to-write"),
    d("min-replicas-max-lag", int(0, INT_MAX), "10").alias("min-slaves-max-lag"),
    d("replica-announce-ip", TEXT, "").alias("slave-announce-ip"),
    d("replica-announce-port", int(0, 65535), "0").alias("slave-announce-port"),
    d("replica-lazy-flush", BOOL, "no").alias("slave-lazy-flush"),
    d("replica-ignore-maxmemory", BOOL, "yes").alias("slave-ignore-maxmemory"),
    // Keys tracking
    d("tracking-table-max-keys", uint(0, LONG_MAX as u64), "1000000"),
    // Security
    d("acllog-max-len", int(0, LONG_MAX), "128"),
    d("aclfile", TEXT, "").flags(IMMUTABLE | ALLOW_EMPTY),
    d("acl-pubsub-default", Kind::Enum(ACL_PUBSUB_DEFAULT), "resetchannels"),
    d("requirepass", TEXT, "").flags(SENSITIVE | ACTIVE).field(field!(requirepass)),
    // Clients
    d("maxclients", uint(1, UINT_MAX), "10000").flags(ACTIVE).field(field!(maxclients)),
    // Memory management
    d("maxmemory", umem(0, ULONG_LONG_MAX), "0").flags(ACTIVE).field(field!(maxmemory)),
    d("maxmemory-policy", Kind::Enum(MaxmemoryPolicy::NAMES), "noeviction")
        .flags(ACTIVE)
        .field(field!(maxmemory_policy)),
    d("maxmemory-samples", int(1, INT_MAX), "5").flags(ACTIVE).field(field!(maxmemory_samples)),
    d("maxmemory-eviction-tenacity", int(0, 100), "10").flags(ACTIVE).field(field!(maxmemory_eviction_tenacity)),
    d("maxmemory-clients", num(-100, i64::MAX as i128, false, NumFmt::MemoryPercent), "0"),
    // Lazy freeing
    d("lazyfree-lazy-eviction", BOOL, "no").flags(ACTIVE).field(field!(lazyfree_lazy_eviction)),
    d("lazyfree-lazy-expire", BOOL, "no").flags(ACTIVE).field(field!(lazyfree_lazy_expire)),
    d("lazyfree-lazy-server-del", BOOL, "no"),
    d("lazyfree-lazy-user-del", BOOL, "no"),
    d("lazyfree-lazy-user-flush", BOOL, "no"),
    // Threaded I/O
    d("io-threads", int(1, 128), "1").flags(IMMUTABLE),
    d("io-threads-do-reads", BOOL, "no").flags(IMMUTABLE),
    // Kernel
    d("oom-score-adj", Kind::Enum(OOM_SCORE_ADJ), "no"),
    d("oom-score-adj-values", special(Special::OomScoreAdjValues), "0 200 800").flags(MULTI_ARG),
    d("disable-thp", BOOL, "yes").flags(IMMUTABLE),
    // Append only mode
    d("appendonly", BOOL, "no").flags(ACTIVE).field(field!(appendonly)),
    d("appendfilename", TEXT, "appendonly.aof")
        .flags(IMMUTABLE | ACTIVE)
        .check(check_appendfilename)
        .field(field!(appendfilename)),
    d("appenddirname", TEXT, "appendonlydir")
        .flags(IMMUTABLE | ACTIVE)
        .check(check_appenddirname)
        .field(field!(appenddirname)),
    d("appendfsync", Kind::Enum(AppendFsync::NAMES), "everysec").flags(ACTIVE).field(field!(appendfsync)),
    d("no-appendfsync-on-rewrite", BOOL, "no").flags(ACTIVE).field(field!(no_appendfsync_on_rewrite)),
    d("auto-aof-rewrite-percentage", int(0, INT_MAX), "100").flags(ACTIVE).field(field!(auto_aof_rewrite_percentage)),
    d("auto-aof-rewrite-min-size", mem(0, LONG_MAX), "67108864").flags(ACTIVE).field(field!(auto_aof_rewrite_min_size)),
    d("aof-load-truncated", BOOL, "yes").flags(ACTIVE).field(field!(aof_load_truncated)),
    d("aof-use-rdb-preamble", BOOL, "yes"),
    d("aof-timestamp-enabled", BOOL, "no").flags(ACTIVE).field(field!(aof_timestamp_enabled)),
    d("aof-rewrite-incremental-fsync", BOOL, "yes"),
    d("aof-disable-auto-gc", BOOL, "no"),
    // Shutdown
    d("shutdown-timeout", int(0, INT_MAX), "10"),
    d("shutdown-on-sigint", Kind::Enum(SHUTDOWN_ON_SIG), "default").flags(MULTI_ARG).check(check_shutdown_flags),
    d("shutdown-on-sigterm", Kind::Enum(SHUTDOWN_ON_SIG), "default").flags(MULTI_ARG).check(check_shutdown_flags),
    // Long blocking operations
    d("busy-reply-threshold", int(0, LONG_MAX), "5000")
        .alias("lua-time-limit")
        .flags(ACTIVE)
        .field(field!(busy_reply_threshold)),
    // Cluster
    d("cluster-enabled", BOOL, "no").flags(IMMUTABLE),
    d("cluster-config-file", TEXT, "nodes.conf").flags(IMMUTABLE),
    d("cluster-node-timeout", int(0, LONG_MAX), "15000"),
    d("cluster-port", int(0, 65535), "0").flags(IMMUTABLE),
    d("cluster-replica-validity-factor", int(0, INT_MAX), "10").alias("cluster-slave-validity-factor"),
    d("cluster-migration-barrier", int(0, INT_MAX), "1"),
    d("cluster-allow-replica-migration", BOOL, "yes"),
    d("cluster-require-full-coverage", BOOL, "yes"),
    d("cluster-replica-no-failover", BOOL, "no").alias("cluster-slave-no-failover"),
    d("cluster-allow-reads-when-down", BOOL, "no"),
    d("cluster-allow-pubsubshard-when-down", BOOL, "yes"),
    d("cluster-link-sendbuf-limit", umem(0, ULONG_LONG_MAX), "0"),
    d("cluster-announce-hostname", TEXT, "").check(check_hostname),
    d("cluster-preferred-endpoint-type", Kind::Enum(CLUSTER_ENDPOINT), "ip"),
    d("cluster-announce-ip", TEXT, ""),
    d("cluster-announce-port", int(0, 65535), "0"),
    d("cluster-announce-tls-port", int(0, 65535), "0"),
    d("cluster-announce-bus-port", int(0, 65535), "0"),
    // Slow log, latency monitor, keyspace events
    d("slowlog-log-slower-than", int(-1, LONG_MAX), "10000").field(field!(slowlog_log_slower_than)),
    d("slowlog-max-len", int(0, LONG_MAX), "128").field(field!(slowlog_max_len)),
    d("latency-monitor-threshold", int(0, LONG_MAX), "0").field(field!(latency_monitor_threshold)),
    d("latency-tracking", BOOL, "yes").field(field!(latency_tracking)),
    d("latency-tracking-info-percentiles", special(Special::LatencyPercentiles), "50 99 99.9").flags(MULTI_ARG),
    d("notify-keyspace-events", special(Special::NotifyKeyspaceEvents), "").flags(ACTIVE),
    // Advanced config
    d("hash-max-listpack-entries", uint(0, LONG_MAX as u64), "512")
        .alias("hash-max-ziplist-entries")
        .flags(ACTIVE)
        .field(field!(hash_max_listpack_entries)),
    d("hash-max-listpack-value", umem(0, LONG_MAX as u64), "64")
        .alias("hash-max-ziplist-value")
        .flags(ACTIVE)
        .field(field!(hash_max_listpack_value)),
    d("list-max-listpack-size", int(INT_MIN, INT_MAX), "-2")
        .alias("list-max-ziplist-size")
        .field(field!(list_max_listpack_size)),
    d("list-compress-depth", int(0, INT_MAX), "0").field(field!(list_compress_depth)),
    d("set-max-intset-entries", uint(0, LONG_MAX as u64), "512").flags(ACTIVE).field(field!(set_max_intset_entries)),
    d("zset-max-listpack-entries", uint(0, LONG_MAX as u64), "128")
        .alias("zset-max-ziplist-entries")
        .flags(ACTIVE)
        .field(field!(zset_max_listpack_entries)),
    d("zset-max-listpack-value", umem(0, LONG_MAX as u64), "64")
        .alias("zset-max-ziplist-value")
        .flags(ACTIVE)
        .field(field!(zset_max_listpack_value)),
    d("hll-sparse-max-bytes", umem(0, LONG_MAX as u64), "3000"),
    d("stream-node-max-bytes", umem(0, LONG_MAX as u64), "4096").field(field!(stream_node_max_bytes)),
    d("stream-node-max-entries", int(0, LONG_MAX), "100").field(field!(stream_node_max_entries)),
    d("activerehashing", BOOL, "yes"),
    d("client-output-buffer-limit", special(Special::ClientOutputBufferLimit), DEFAULT_OBUF_LIMITS).flags(MULTI_ARG),
    d("client-query-buffer-limit", umem(1 << 20, LONG_MAX as u64), "1073741824")
        .flags(ACTIVE)
        .field(field!(client_query_buffer_limit)),
    d("proto-max-bulk-len", mem(1 << 20, LONG_MAX), "536870912").flags(ACTIVE).field(field!(proto_max_bulk_len)),
    d("hz", int(0, INT_MAX), "10").flags(ACTIVE).field(field!(hz, set: set_hz)),
    d("dynamic-hz", BOOL, "yes"),
    d("watchdog-period", int(0, INT_MAX), "0").flags(HIDDEN),
    d("active-expire-effort", int(1, 10), "1"),
    d("lfu-log-factor", int(0, INT_MAX), "10").flags(ACTIVE).field(field!(lfu_log_factor)),
    d("lfu-decay-time", int(0, INT_MAX), "1").flags(ACTIVE).field(field!(lfu_decay_time)),
    // Active defragmentation
    d("activedefrag", BOOL, "no").check(check_activedefrag),
    d("active-defrag-ignore-bytes", umem(1, i64::MAX as u64), "104857600"),
    d("active-defrag-threshold-lower", int(0, 1000), "10"),
    d("active-defrag-threshold-upper", int(0, 1000), "100"),
    d("active-defrag-cycle-min", int(1, 99), "1"),
    d("active-defrag-cycle-max", int(1, 99), "25"),
    d("active-defrag-max-scan-fields", int(1, LONG_MAX), "1000"),
    d("jemalloc-bg-thread", BOOL, "yes"),
    d("server_cpulist", TEXT, "").flags(IMMUTABLE),
    d("bio_cpulist", TEXT, "").flags(IMMUTABLE),
    d("aof_rewrite_cpulist", TEXT, "").flags(IMMUTABLE),
    d("bgsave_cpulist", TEXT, "").flags(IMMUTABLE),
    d("ignore-warnings", TEXT, "").flags(ALLOW_EMPTY),
];

const DEFAULT_OBUF_LIMITS: &str = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

/// Old directives Redis 7.0 still swallows silently, with the only argument count it accepts (2 words).
const DEPRECATED: &[&str] = &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// Redis's `CONFIG_BINDADDR_MAX`.
const MAX_BIND_ADDRESSES: usize = 16;

/// Redis has no limit and recurses until it crashes; we stop here instead.
const MAX_INCLUDE_DEPTH: u32 = 32;

/// Looks a directive up by name or alias (case-insensitive, as Redis's config dict). Returns the name that
/// matched, which Redis's CONFIG SET errors quote.
fn lookup(name: &[u8]) -> Option<(&'static Directive, &'static str)> {
    DIRECTIVES.iter().find_map(|d| d.names().find(|n| n.as_bytes().eq_ignore_ascii_case(name)).map(|n| (d, n)))
}

/// Whether CONFIG SET / GET know the directive `name`.
pub fn is_directive(name: &[u8]) -> bool {
    lookup(name).is_some()
}

/// How `set_for_client`'s error for an unknown name begins (the CONFIG SET handler re-words it with the
/// name's raw bytes).
pub const UNKNOWN_OPTION: &str = "Unknown option or number of arguments for CONFIG SET - '";

// ---------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------

/// A parsed scalar directive value.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Bool(bool),
    /// As a C `long long`; unsigned kinds keep their bits (u64::MAX is -1).
    Int(i64),
    Text(Vec<u8>),
    /// The canonical name (for flag enums, the space-separated names).
    Enum(String),
}

impl Value {
    fn int(&self) -> i64 {
        if let Value::Int(v) = self {
            *v
        } else {
            0
        }
    }
    fn flag(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
    fn bytes(&self) -> &[u8] {
        if let Value::Text(t) = self {
            t
        } else {
            &[]
        }
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
    fn name(&self) -> &str {
        if let Value::Enum(n) = self {
            n
        } else {
            ""
        }
    }

    /// As CONFIG GET shows it.
    fn format(&self, kind: &Kind) -> String {
        match (self, kind) {
            (Value::Bool(b), _) => yes_no(*b).to_string(),
            (Value::Int(v), Kind::Num { fmt, .. }) => format_num(*v, *fmt),
            (Value::Int(v), _) => v.to_string(),
            (Value::Text(_), _) => self.text(),
            (Value::Enum(n), _) => n.clone(),
        }
    }
}

/// A typed field as its row sees it: read as a [`Value`], and written from one the row parsed, whose bounds
/// make the casts lossless. None: a value of another kind (never, for a well-formed row).
trait FieldValue: Sized {
    fn to_value(&self) -> Value;
    fn from_value(value: &Value) -> Option<Self>;
}

impl FieldValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Integers travel as a C `long long`: unsigned fields keep their bits (u64::MAX is -1).
macro_rules! integer_field_value {
    ($($ty:ty),*) => {$(
        impl FieldValue for $ty {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(v) => Some(*v as $ty),
                    _ => None,
                }
            }
        }
    )*};
}
integer_field_value!(u16, u32, u64, usize, i32, i64);

impl FieldValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.as_bytes().to_vec())
    }
    fn from_value(value: &Value) -> Option<Self> {
        matches!(value, Value::Text(_)).then(|| value.text())
    }
}

/// Empty = none (`requirepass`).
impl FieldValue for Option<Vec<u8>> {
    fn to_value(&self) -> Value {
        Value::Text(self.clone().unwrap_or_default())
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(bytes) => Some((!bytes.is_empty()).then(|| bytes.clone())),
            _ => None,
        }
    }
}

/// Empty = none (`unixsocket`).
impl FieldValue for Option<PathBuf> {
    fn to_value(&self) -> Value {
        Value::Text(self.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default())
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(bytes) => Some((!bytes.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(bytes)))),
            _ => None,
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn format_num(v: i64, fmt: NumFmt) -> String {
    match fmt {
        NumFmt::MemoryPercent if v < 0 => format!("{}%", v.unsigned_abs()),
        NumFmt::Memory | NumFmt::MemoryPercent => (v as u64).to_string(),
        NumFmt::Octal => format!("{v:o}"),
        NumFmt::Int => v.to_string(),
    }
}

/// Parses a non-special directive's arguments by its kind (boolConfigSet, enumConfigSet, numericConfigSet).
fn parse_value(d: &Directive, args: &[Vec<u8>]) -> Result<Value, String> {
    let arg = args.first().map(Vec::as_slice).unwrap_or_default();
    match d.kind {
        Kind::Bool => match yes_no_arg(arg) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err("argument must be 'yes' or 'no'".into()),
        },
        Kind::Text => Ok(Value::Text(arg.to_vec())),
        Kind::Enum(values) => parse_enum(values, args, d.has(MULTI_ARG)).map(Value::Enum),
        Kind::Num { min, max, unsigned, fmt } => {
            parse_num(arg, fmt).and_then(|v| check_bounds(v, min, max, unsigned, fmt))
        }
        // Specials never get here.
        Kind::Special(_) => Err("Invalid argument".into()),
    }
}

fn yes_no_arg(arg: &[u8]) -> Option<bool> {
    if arg.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if arg.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

fn parse_enum(values: &[(&str, u32)], args: &[Vec<u8>], bit_flags: bool) -> Result<String, String> {
    let error = || {
        let names: Vec<&str> = values.iter().map(|v| v.0).collect();
        format!("argument(s) must be one of the following: {}", names.join(", "))
    };
    if args.is_empty() || (!bit_flags && args.len() != 1) {
        return Err(error());
    }
    let mut bits = 0;
    for arg in args {
        let mut matched = false;
        for (name, value) in values {
            if name.as_bytes().eq_ignore_ascii_case(arg) {
                bits |= value;
                matched = true;
            }
        }
        if !matched {
            return Err(error());
        }
    }
    Ok(enum_name(values, bits, bit_flags))
}

/// configEnumGetName: the first name with exactly this value, else (flags) the names of the set bits.
fn enum_name(values: &[(&str, u32)], bits: u32, bit_flags: bool) -> String {
    if let Some((name, _)) = values.iter().find(|(_, v)| *v == bits) {
        return name.to_string();
    }
    let mut names = Vec::new();
    let mut unmatched = bits;
    for (name, v) in values {
        if bit_flags && *v != 0 && unmatched & v == *v {
            names.push(*name);
            unmatched &= !v;
        }
    }
    if names.is_empty() || unmatched != 0 {
        "unknown".into()
    } else {
        names.join(" ")
    }
}

/// numericParseString: the number as a C `long long`, or the kind's error.
fn parse_num(arg: &[u8], fmt: NumFmt) -> Result<i64, String> {
    let parsed = match fmt {
        NumFmt::Int => parse_i64(arg),
        NumFmt::Memory | NumFmt::MemoryPercent => memtoull(arg).map(|v| v as i64),
        // An overflowing octal number (ERANGE) is refused.
        NumFmt::Octal => strtol_whole(arg, 8).filter(|(_, overflow)| !overflow).map(|(v, _)| v),
    };
    let parsed = match (parsed, fmt) {
        (None, NumFmt::MemoryPercent) => parse_percent(arg).map(|p| -p),
        (parsed, _) => parsed,
    };
    parsed.ok_or_else(|| {
        match fmt {
            NumFmt::Int => "argument couldn't be parsed into an integer",
            NumFmt::Memory => "argument must be a memory value",
            NumFmt::MemoryPercent => "argument must be a memory or percent value",
            NumFmt::Octal => "argument couldn't be parsed as an octal number",
        }
        .to_string()
    })
}

/// `N%` with N a non-negative integer.
fn parse_percent(arg: &[u8]) -> Option<i64> {
    match arg.split_last() {
        Some((b'%', digits)) if !digits.is_empty() => parse_i64(digits).filter(|v| *v >= 0),
        _ => None,
    }
}

/// numericBoundaryCheck.
fn check_bounds(v: i64, min: i128, max: i128, unsigned: bool, fmt: NumFmt) -> Result<Value, String> {
    let x = if unsigned { v as u64 as i128 } else { v as i128 };
    if fmt == NumFmt::MemoryPercent && v < 0 {
        // Percentages are stored negative; only their lower bound applies.
        if x < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if x < min || x > max {
        return Err(if fmt == NumFmt::Octal {
            format!("argument must be between {min:o} and {max:o} inclusive")
        } else {
            format!("argument must be between {min} and {max} inclusive")
        });
    }
    Ok(Value::Int(v))
}

// ---------------------------------------------------------------------------------------------------------
// Validators (config.c's is_valid_fn)
// ---------------------------------------------------------------------------------------------------------

fn is_base_name(v: &Value) -> bool {
    !v.bytes().iter().any(|c| *c == b'/' || *c == b'\\')
}

fn check_dbfilename(v: &Value, _: &Config) -> Result<(), &'static str> {
    if is_base_name(v) {
        Ok(())
    } else {
        Err("dbfilename can't be a path, just a filename")
    }
}

fn check_appendfilename(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.bytes().is_empty() {
        Err("appendfilename can't be empty")
    } else if !is_base_name(v) {
        Err("appendfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}

fn check_appenddirname(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.bytes().is_empty() {
        Err("appenddirname can't be empty")
    } else if !is_base_name(v) {
        Err("appenddirname can't be a path, just a dirname")
    } else {
        Ok(())
    }
}

fn check_hostname(v: &Value, _: &Config) -> Result<(), &'static str> {
    let name = v.bytes();
    if name.len() >= 256 {
        Err("Hostnames must be less than 256 characters")
    } else if !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.') {
        Err("Hostnames may only contain alphanumeric characters, hyphens or dots")
    } else {
        Ok(())
    }
}

/// Like the redis-server this mirrors (built without Redis's patched jemalloc), we cannot defragment.
fn check_activedefrag(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.flag() {
        Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified \
             Jemalloc like the one shipped by default with the Redis source distribution")
    } else {
        Ok(())
    }
}

fn check_shutdown_flags(v: &Value, _: &Config) -> Result<(), &'static str> {
    let words: Vec<&str> = v.name().split(' ').collect();
    if words.contains(&"save") && words.contains(&"nosave") {
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously")
    } else {
        Ok(())
    }
}

/// validateProcTitleTemplate: `{var}` names must be known, `{{` is a literal brace, and the expansion
/// (with an empty title) must not be blank.
fn check_proc_title(v: &Value, cfg: &Config) -> Result<(), &'static str> {
    const INVALID: &str = "template format is invalid or contains unknown variables";
    let mut out = Vec::new();
    let mut rest = v.bytes();
    while let Some(open) = rest.iter().position(|c| *c == b'{') {
        out.extend_from_slice(&rest[..open]);
        let after = &rest[open + 1..];
        match after.first() {
            None => return Err(INVALID),
            Some(b'{') => {
                out.push(b'{');
                rest = &after[1..];
                continue;
            }
            Some(_) => {}
        }
        let close = after.iter().position(|c| *c == b'}').ok_or(INVALID)?;
        out.extend(cfg.proc_title_variable(&after[..close]).ok_or(INVALID)?);
        rest = &after[close + 1..];
    }
    out.extend_from_slice(rest);
    if trim(&out, b" ").is_empty() {
        Err(INVALID)
    } else {
        Ok(())
    }
}

/// Redis takes hz as a hint and clamps it to CONFIG_MIN_HZ..CONFIG_MAX_HZ.
fn set_hz(config: &mut Config, value: &Value) {
    config.hz = value.int().clamp(1, 500) as u32;
}

/// Redis's resizeReplicationBacklog(): CONFIG SET raises `repl-backlog-size` to its minimum at runtime.
fn raise_repl_backlog(config: &mut Config) {
    let size = config.value_of("repl-backlog-size").parse::<u64>().unwrap_or(0);
    config.stored.insert("repl-backlog-size", size.max(16384).to_string());
}

// ---------------------------------------------------------------------------------------------------------
// Special directives' parsers
// ---------------------------------------------------------------------------------------------------------

fn wrong_args() -> String {
    "wrong number of arguments".into()
}

/// A single `""` argument means "none" for the list-valued directives.
fn is_single_empty(args: &[Vec<u8>]) -> bool {
    matches!(args, [only] if only.is_empty())
}

/// setConfigSaveOption's check: pairs of seconds >= 1 and changes >= 0 (strtoll rules).
fn parse_save(args: &[Vec<u8>]) -> Result<Vec<(u64, u64)>, String> {
    const INVALID: &str = "Invalid save parameters";
    if is_single_empty(args) {
        return Ok(Vec::new());
    }
    if !args.len().is_multiple_of(2) {
        return Err(INVALID.into());
    }
    let mut points = Vec::new();
    for pair in args.chunks(2) {
        let seconds = strtol_whole(&pair[0], 10).map(|v| v.0).filter(|v| *v >= 1).ok_or(INVALID)?;
        let changes = strtol_whole(&pair[1], 10).map(|v| v.0).filter(|v| *v >= 0).ok_or(INVALID)?;
        points.push((seconds as u64, changes as u64));
    }
    Ok(points)
}

/// The 7.0 keyspace event class letters and their flags (notify.c), in the order Redis prints them.
const EVENT_CLASSES: &[(u8, u32)] = {
    use crate::pubsub::keyspace::class::*;
    &[
        (b'g', GENERIC),
        (b'$', STRING),
        (b'l', LIST),
        (b's', SET),
        (b'h', HASH),
        (b'z', ZSET),
        (b'x', EXPIRED),
        (b'e', EVICTED),
        (b't', STREAM),
        (b'd', MODULE),
        (b'n', NEW),
        (b'K', KEYSPACE),
        (b'E', KEYEVENT),
        (b'm', KEY_MISS),
    ]
};
/// 'A': every class except key-miss and new-key events.
const EVENTS_ALL: u32 = {
    use crate::pubsub::keyspace::class::*;
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE
};

/// keyspaceEventsStringToFlags then keyspaceEventsFlagsToString: the canonical spelling ("KEA" -> "AKE"), and
/// the class bits.
fn canonical_keyspace_events(arg: &[u8]) -> Result<(String, u32), String> {
    let mut flags = 0;
    for c in arg {
        flags |= match (c, EVENT_CLASSES.iter().find(|(letter, _)| letter == c)) {
            (b'A', _) => EVENTS_ALL,
            (_, Some((_, flag))) => *flag,
            _ => return Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
        };
    }
    let mut out = String::new();
    let all = flags & EVENTS_ALL == EVENTS_ALL;
    if all {
        out.push('A');
    }
    for (letter, flag) in EVENT_CLASSES {
        // 'K', 'E' and 'm' are not part of 'A'; every other class is shown only when 'A' is not.
        let outside_all = flag & EVENTS_ALL == 0;
        if flags & flag != 0 && (outside_all || !all) && !(all && *letter == b'n') {
            out.push(*letter as char);
        }
    }
    Ok((out, flags))
}

fn parse_oom_score_adj_values(args: &[Vec<u8>]) -> Result<String, String> {
    if args.len() != 3 {
        return Err(wrong_args());
    }
    let mut values = Vec::new();
    for arg in args {
        match strtol_whole(arg, 10) {
            Some((v, _)) if (-2000..=2000).contains(&v) => values.push(v.to_string()),
            _ => return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()),
        }
    }
    Ok(values.join(" "))
}

/// `replicaof <host> <port>` or `replicaof no one`, shown as "host port" or "".
fn parse_replicaof(args: &[Vec<u8>]) -> Result<String, String> {
    let [host, port] = args else { return Err(wrong_args()) };
    if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
        return Ok(String::new());
    }
    match strtol_whole(port, 10) {
        Some((p, _)) if (0..=65535).contains(&p) => Ok(format!("{} {p}", String::from_utf8_lossy(host))),
        _ => Err("Invalid master port".into()),
    }
}

fn parse_latency_percentiles(args: &[Vec<u8>]) -> Result<String, String> {
    if is_single_empty(args) {
        return Ok(String::new());
    }
    let mut shown = Vec::new();
    for arg in args {
        let p = string2d(arg).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
        }
        shown.push(trim_double(&format!("{p:.6}")));
    }
    Ok(shown.join(" "))
}

/// trimDoubleString: "%f" output without trailing zeros or a trailing dot.
fn trim_double(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

impl ClientOutputBufferLimits {
    /// updateClientOutputBufferLimit: `<class> <hard> <soft> <soft_seconds>` groups; all or nothing, and
    /// classes not named keep their limits.
    fn update(&mut self, args: &[Vec<u8>]) -> Result<(), String> {
        if !args.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut next = *self;
        for group in args.chunks(4) {
            let slot = match group[0].to_ascii_lowercase().as_slice() {
                b"normal" => &mut next.normal,
                b"slave" | b"replica" => &mut next.replica,
                b"pubsub" => &mut next.pubsub,
                _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
            };
            // soft_seconds lands in a C int, so it is truncated before the sign check.
            let seconds = strtol_whole(&group[3], 10).map(|(v, _)| v as i32);
            match (memtoull(&group[1]), memtoull(&group[2]), seconds) {
                (Some(hard), Some(soft), Some(secs)) if secs >= 0 => {
                    *slot = ObufLimit { hard, soft, soft_seconds: secs as u64 };
                }
                _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
            }
        }
        *self = next;
        Ok(())
    }

    fn format(&self) -> String {
        let show = |name: &str, l: &ObufLimit| format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds);
        [show("normal", &self.normal), show("slave", &self.replica), show("pubsub", &self.pubsub)].join(" ")
    }
}

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

/// State that lives for one load (a file with its includes and command-line options), like config.c's
/// statics.
#[derive(Default)]
struct Loader {
    /// The first `save` line replaces the default points; later ones add to them.
    save_loaded: bool,
    include_depth: u32,
    /// `loadmodule` paths: we cannot load modules, which redis-server reports once the config is read.
    modules: Vec<String>,
    /// A `module.name value` line was seen.
    module_configs: bool,
}

impl Loader {
    /// The checks redis-server makes after the configuration is read.
    fn finish(&self) -> Result<(), ConfigError> {
        if let Some(path) = self.modules.first() {
            return Err(ConfigError::logged(format!("Module {path} failed to load: embedis does not support modules")));
        }
        if self.module_configs {
            return Err(ConfigError::logged(
                "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting".into(),
            ));
        }
        Ok(())
    }
}

impl Config {
    /// redis-server's command line: `[config-file] [--directive value ...] [-]`, where config-file `-` means
    /// read the config from stdin, and `--directive v1 v2` takes every following word up to the next `--`
    /// word as the directive's arguments (like redis-server, which joins them into a config line). `args`
    /// excludes the program name. `--version`/`-v` and `--help`/`-h` are NOT handled here (main does).
    /// Returns redis-server's fatal error on bad input.
    pub fn from_args(args: &[String]) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        // Like redis-server, which reads no configuration at all without arguments.
        if !args.is_empty() {
            let line = CommandLine::parse(args);
            let mut text = Vec::new();
            if let Some(file) = line.config_file {
                let path = redis_absolute_path(file.as_bytes());
                text = read_config_file(&path).map_err(|e| can_t_open(&path, &e))?;
                cfg.config_file = Some(path);
            }
            if line.from_stdin {
                // An unreadable stdin reads as empty, as with fgets().
                let _ = io::stdin().read_to_end(&mut text);
            }
            text.push(b'\n');
            text.extend_from_slice(&line.options);
            let mut loader = Loader::default();
            cfg.load_bytes(&text, &mut loader)?;
            loader.finish()?;
        }
        if let Ok(dir) = cfg.absolute_dir() {
            cfg.dir = dir;
        }
        Ok(cfg)
    }

    /// Parse config text (redis.conf syntax): comments, blank lines, quoted args ("..." with \n \x41
    /// escapes, '...'), case-insensitive directive names, memory units (1k=1000, 1kb=1024, mb, gb,
    /// case-insensitive), yes/no, `include path` (relative to the working directory, i.e. the current `dir`,
    /// as Redis which chdir's), later lines override earlier ones. `source`, when given, is recorded as the
    /// config file.
    pub fn load_str(&mut self, text: &str, source: Option<&Path>) -> Result<(), ConfigError> {
        if let Some(path) = source {
            self.config_file = Some(redis_absolute_path(path.as_os_str().as_bytes()));
        }
        let mut loader = Loader::default();
        self.load_bytes(text.as_bytes(), &mut loader)?;
        loader.finish()
    }

    /// Config text as bytes (a file need not be UTF-8), no source: for the fuzz targets (`crate::fuzzing`).
    pub(crate) fn load_text(&mut self, text: &[u8]) -> Result<(), ConfigError> {
        let mut loader = Loader::default();
        self.load_bytes(text, &mut loader)?;
        loader.finish()
    }

    /// loadServerConfigFromString.
    fn load_bytes(&mut self, text: &[u8], loader: &mut Loader) -> Result<(), ConfigError> {
        for (index, raw) in text.split(|c| *c == b'\n').enumerate() {
            // C strings end at a NUL byte.
            let raw = raw.split(|c| *c == 0).next().unwrap_or_default();
            let line = trim(raw, b" \t\r\n");
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let at_line = |reason: String| ConfigError {
                line: Some((index + 1, String::from_utf8_lossy(line).into_owned())),
                reason,
                logged: false,
            };
            let args = split_args(line).ok_or_else(|| at_line("Unbalanced quotes in configuration line".into()))?;
            let Some(first) = args.first() else { continue };
            let name = String::from_utf8_lossy(first).to_ascii_lowercase();
            if name == "include" && args.len() == 2 {
                self.include(&args[1], loader)?;
                continue;
            }
            self.apply_line(&name, &args, loader, index + 1, line).map_err(at_line)?;
        }
        self.check_loaded()
    }

    /// One config line, `args[0]` being the directive (lowercased as `name`).
    fn apply_line(
        &mut self,
        name: &str,
        args: &[Vec<u8>],
        loader: &mut Loader,
        line_number: usize,
        line: &[u8],
    ) -> Result<(), String> {
        if let Some((directive, _)) = lookup(name.as_bytes()) {
            if !directive.has(MULTI_ARG) && args.len() != 2 {
                return Err(wrong_args());
            }
            if directive.has(MULTI_ARG) && args.len() == 2 && !args[1].is_empty() {
                // One non-empty argument is split again, so that `--save "900 1 300 10"` works.
                let words = split_args(&args[1]).unwrap_or_default();
                return self.set_directive(directive, &words, Some(loader));
            }
            return self.set_directive(directive, &args[1..], Some(loader));
        }
        let text = |arg: &Vec<u8>| String::from_utf8_lossy(arg).into_owned();
        match name {
            _ if DEPRECATED.contains(&name) && args.len() == 2 => {}
            "rename-command" if args.len() == 3 => {
                self.rename_commands.push(RenameCommand {
                    from: text(&args[1]),
                    to: text(&args[2]),
                    line: line_number,
                    text: String::from_utf8_lossy(line).into_owned(),
                });
            }
            "user" if args.len() >= 2 => self.users.push(args[1..].iter().map(text).collect()),
            "loadmodule" if args.len() >= 2 => loader.modules.push(text(&args[1])),
            _ if name.contains('.') => {
                if args.len() != 2 {
                    return Err("Module config specified without value".into());
                }
                loader.module_configs = true;
            }
            // A bare `sentinel` line is how redis-server enters sentinel mode; we do not have one.
            "sentinel" if args.len() == 1 => {}
            "sentinel" => return Err("sentinel directive while not in sentinel mode".into()),
            _ => return Err("Bad directive or wrong number of arguments".into()),
        }
        Ok(())
    }

    /// `include <path>`: one file, or every match of a glob (none is fine), read in sorted order.
    fn include(&mut self, pattern: &[u8], loader: &mut Loader) -> Result<(), ConfigError> {
        let shown = String::from_utf8_lossy(pattern).into_owned();
        if loader.include_depth >= MAX_INCLUDE_DEPTH {
            return Err(ConfigError::logged(format!(
                "Fatal error, can't open config file '{shown}': more than {MAX_INCLUDE_DEPTH} nested includes"
            )));
        }
        let base = self.absolute_dir().unwrap_or_else(|_| self.dir.clone());
        let files = if pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
            glob_paths(&base, pattern)
        } else {
            vec![(shown, base.join(OsStr::from_bytes(pattern)))]
        };
        loader.include_depth += 1;
        for (shown, path) in files {
            let text = read_config_file(&path).map_err(|e| can_t_open(Path::new(&shown), &e))?;
            self.load_bytes(&text, loader)?;
        }
        loader.include_depth -= 1;
        Ok(())
    }

    /// The sanity checks at the end of loadServerConfigFromString.
    fn check_loaded(&self) -> Result<(), ConfigError> {
        if !self.logfile.is_empty() {
            // Redis tries to open the log file now: it could not abort later.
            let path = self.absolute_dir().unwrap_or_else(|_| self.dir.clone()).join(&self.logfile);
            if let Err(e) = fs::OpenOptions::new().append(true).create(true).open(path) {
                return Err(ConfigError::fatal(format!("Can't open the log file: {}", strerror(&e))));
            }
        }
        if self.value_of("cluster-enabled") == "yes" && !self.value_of("replicaof").is_empty() {
            return Err(ConfigError::fatal("replicaof directive not allowed in cluster mode".into()));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------------------
    // CONFIG GET / CONFIG SET
    // -----------------------------------------------------------------------------------------------------

    /// CONFIG GET: every (name, value) whose name matches any of the glob patterns, each name once, in table
    /// order (a directive, then its alias). A pattern without `*?[` is an exact, case-insensitive name (and
    /// may name a hidden directive); like Redis, the reply then spells the name as the client did, unless an
    /// earlier pattern already matched it.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        // (directive index, 0 = name / 1 = alias) -> the spelling shown.
        let mut hits: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for pattern in patterns {
            let is_glob = pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
            for (i, d) in DIRECTIVES.iter().enumerate() {
                for (k, name) in d.names().enumerate() {
                    let hit = if is_glob {
                        !d.has(HIDDEN) && crate::glob::matches_nocase(pattern, name.as_bytes())
                    } else {
                        pattern.eq_ignore_ascii_case(name.as_bytes())
                    };
                    if hit {
                        let shown =
                            if is_glob { name.to_string() } else { String::from_utf8_lossy(pattern).into_owned() };
                        hits.entry((i, k)).or_insert(shown);
                    }
                }
            }
        }
        hits.into_iter().map(|((i, _), shown)| (shown, self.get_directive(&DIRECTIVES[i]))).collect()
    }

    /// One directive's CONFIG GET value, by name or alias (case-insensitive).
    pub fn value(&self, name: &str) -> Option<String> {
        lookup(name.as_bytes()).map(|(d, _)| self.get_directive(d))
    }

    /// CONFIG SET name value [name value ...] (7.0 allows several, all-or-nothing). Err carries the full
    /// error text WITHOUT the leading "ERR ". Protected configs (`dir`, `dbfilename`) are refused unless
    /// `enable-protected-configs yes`; see `set_for_client` for `local`.
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<(), String> {
        self.set_for_client(pairs, false)
    }

    /// CONFIG SET for a client known to be local or not (`enable-protected-configs local` lets local
    /// clients set protected configs).
    pub fn set_for_client(&mut self, pairs: &[(&[u8], &[u8])], local_client: bool) -> Result<(), String> {
        let failed =
            |name: &str, why: &str| format!("CONFIG SET failed (possibly related to argument '{name}') - {why}");
        // First every name, its mutability and duplicates, before any value: the first problem wins.
        let mut targets: Vec<(&'static Directive, &'static str)> = Vec::new();
        for (name, _) in pairs {
            // As Redis's %s shows it: up to a NUL byte.
            let shown = String::from_utf8_lossy(name.split(|&b| b == 0).next().unwrap_or_default());
            let Some((d, matched)) = lookup(name) else {
                return Err(format!("{UNKNOWN_OPTION}{shown}'"));
            };
            if d.has(IMMUTABLE) {
                return Err(failed(&shown, "can't set immutable config"));
            }
            if d.has(PROTECTED) && !self.protected_configs_allowed(local_client) {
                return Err(failed(&shown, "can't set protected config"));
            }
            // Redis registers an alias as a config of its own, so `slaveof` next to `replicaof` is no duplicate.
            if targets.iter().any(|(t, n)| std::ptr::eq(*t, d) && *n == matched) {
                return Err(failed(&shown, "duplicate parameter"));
            }
            targets.push((d, matched));
        }
        // Then the values, on a copy kept only if all of them are valid.
        let mut next = self.clone();
        for (&(d, matched), &(_, value)) in targets.iter().zip(pairs) {
            let args = if d.has(MULTI_ARG) { split_spaces(value) } else { vec![value.to_vec()] };
            next.set_directive(d, &args, None).map_err(|why| failed(matched, &why))?;
            if let Some(apply) = d.on_set {
                apply(&mut next);
            }
        }
        *self = next;
        Ok(())
    }

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

    /// Is an LFU maxmemory policy selected (OBJECT FREQ vs IDLETIME)?
    pub fn lfu_policy(&self) -> bool {
        matches!(self.maxmemory_policy, MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu)
    }

    /// Whether the directive (by name or alias) is a secret the server should redact from logs and MONITOR.
    pub fn is_sensitive(name: &[u8]) -> bool {
        lookup(name).is_some_and(|(d, _)| d.has(SENSITIVE))
    }

    fn protected_configs_allowed(&self, local_client: bool) -> bool {
        match self.value_of("enable-protected-configs").as_str() {
            "yes" => true,
            "local" => local_client,
            _ => false,
        }
    }

    /// A directive's CONFIG GET value by canonical name ("" for an unknown name).
    fn value_of(&self, name: &str) -> String {
        self.value(name).unwrap_or_default()
    }

    fn get_directive(&self, d: &Directive) -> String {
        if let Kind::Special(s) = d.kind {
            return self.get_special(s, d);
        }
        match d.field {
            Some(field) => (field.get)(self).format(&d.kind),
            None => self.stored_or_default(d),
        }
    }

    fn stored_or_default(&self, d: &Directive) -> String {
        self.stored.get(d.name).cloned().unwrap_or_else(|| d.default.to_string())
    }

    /// Validates and applies one directive; `loader` is set while reading a config file.
    fn set_directive(
        &mut self,
        d: &'static Directive,
        args: &[Vec<u8>],
        loader: Option<&mut Loader>,
    ) -> Result<(), String> {
        if let Kind::Special(s) = d.kind {
            return self.set_special(s, d, args, loader);
        }
        let value = parse_value(d, args)?;
        if let Some(check) = d.check {
            check(&value, self)?;
        }
        match d.field {
            Some(field) => (field.set)(self, &value),
            None => {
                self.stored.insert(d.name, value.format(&d.kind));
            }
        }
        Ok(())
    }

    /// Puts a directive back to its row's default.
    fn reset(&mut self, d: &'static Directive) {
        match (d.kind, d.field) {
            (Kind::Special(s), _) => self.reset_special(s, d),
            // The table's defaults parse (a unit test checks each one).
            (_, Some(field)) => {
                if let Ok(value) = parse_value(d, &[d.default.as_bytes().to_vec()]) {
                    (field.set)(self, &value);
                }
            }
            (_, None) => {
                self.stored.remove(d.name);
            }
        }
    }

    fn get_special(&self, s: Special, d: &Directive) -> String {
        match s {
            Special::Dir => self.absolute_dir().unwrap_or_else(|_| self.dir.clone()).to_string_lossy().into_owned(),
            Special::Save => {
                self.save.iter().map(|(secs, changes)| format!("{secs} {changes}")).collect::<Vec<_>>().join(" ")
            }
            Special::ClientOutputBufferLimit => self.client_output_buffer_limit.format(),
            Special::NotifyKeyspaceEvents => self.notify_keyspace_events.clone(),
            Special::Bind if self.bind_none => String::new(),
            Special::Bind if self.bind.is_empty() => d.default.to_string(),
            Special::Bind => self.bind.join(" "),
            Special::OomScoreAdjValues | Special::ReplicaOf | Special::LatencyPercentiles => self.stored_or_default(d),
        }
    }

    fn set_special(
        &mut self,
        s: Special,
        d: &'static Directive,
        args: &[Vec<u8>],
        loader: Option<&mut Loader>,
    ) -> Result<(), String> {
        match s {
            Special::Dir => {
                let [dir] = args else { return Err(wrong_args()) };
                self.dir = self.resolve_dir(dir)?;
            }
            Special::Save => {
                let points = parse_save(args)?;
                // CONFIG SET and `save ""` replace the points; in a file, only the first `save` line does.
                let replace = match loader {
                    Some(loader) => !std::mem::replace(&mut loader.save_loaded, true) || is_single_empty(args),
                    None => true,
                };
                if replace {
                    self.save.clear();
                }
                self.save.extend(points);
            }
            Special::ClientOutputBufferLimit => self.client_output_buffer_limit.update(args)?,
            Special::NotifyKeyspaceEvents => {
                let [classes] = args else { return Err(wrong_args()) };
                (self.notify_keyspace_events, self.notify_flags) = canonical_keyspace_events(classes)?;
            }
            Special::Bind => {
                if args.len() > MAX_BIND_ADDRESSES {
                    return Err("Too many bind addresses specified.".into());
                }
                let addresses = if is_single_empty(args) { &[][..] } else { args };
                self.bind = addresses.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
                self.bind_none = self.bind.is_empty();
            }
            Special::OomScoreAdjValues => {
                self.stored.insert(d.name, parse_oom_score_adj_values(args)?);
            }
            Special::ReplicaOf => {
                self.stored.insert(d.name, parse_replicaof(args)?);
            }
            Special::LatencyPercentiles => {
                self.stored.insert(d.name, parse_latency_percentiles(args)?);
            }
        }
        Ok(())
    }

    /// A special directive back to its row's default.
    fn reset_special(&mut self, s: Special, d: &'static Directive) {
        match s {
            // Shown as the working directory.
            Special::Dir => self.dir = PathBuf::from("."),
            // Never given: every interface.
            Special::Bind => (self.bind, self.bind_none) = (Vec::new(), false),
            Special::Save | Special::ClientOutputBufferLimit | Special::NotifyKeyspaceEvents => {
                let _ = self.set_special(s, d, &split_spaces(d.default.as_bytes()), None);
            }
            Special::OomScoreAdjValues | Special::ReplicaOf | Special::LatencyPercentiles => {
                self.stored.remove(d.name);
            }
        }
    }

    /// redisProcTitleGetVariable, for validation only (so the title itself is empty).
    fn proc_title_variable(&self, name: &[u8]) -> Option<Vec<u8>> {
        let unixsocket = self.unixsocket.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default();
        Some(match name {
            b"title" => Vec::new(),
            // "<bind>:<port>" or "unixsocket:<path>": never empty.
            b"listen-addr" => b"listen-addr".to_vec(),
            b"server-mode" if self.value_of("cluster-enabled") == "yes" => b"[cluster]".to_vec(),
            b"server-mode" => Vec::new(),
            b"config-file" => self.config_file.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default(),
            b"port" => self.port.to_string().into_bytes(),
            b"tls-port" => self.value_of("tls-port").into_bytes(),
            b"unixsocket" => unixsocket,
            _ => return None,
        })
    }

    /// `dir` as an absolute path (the process's working directory joined with a relative `dir`).
    fn absolute_dir(&self) -> io::Result<PathBuf> {
        if self.dir.is_absolute() {
            Ok(self.dir.clone())
        } else {
            fs::canonicalize(&self.dir)
        }
    }

    /// What chdir() would make of a `dir` value: relative to the current `dir`, symlinks resolved (Redis
    /// shows getcwd()), and an error worded as strerror().
    fn resolve_dir(&self, dir: &[u8]) -> Result<PathBuf, String> {
        if dir.is_empty() {
            return Err(strerror(&io::Error::from_raw_os_error(libc::ENOENT)));
        }
        let base = self.absolute_dir().unwrap_or_else(|_| self.dir.clone());
        let path = fs::canonicalize(base.join(OsStr::from_bytes(dir))).map_err(|e| strerror(&e))?;
        if !path.is_dir() {
            return Err(strerror(&io::Error::from_raw_os_error(libc::ENOTDIR)));
        }
        Ok(path)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Command line, files and line splitting
// ---------------------------------------------------------------------------------------------------------

/// redis-server's arguments turned into a config file name and synthesized config lines.
struct CommandLine<'a> {
    config_file: Option<&'a str>,
    from_stdin: bool,
    /// `--port 6380 --save ""` becomes `port "6380" \nsave "" `.
    options: Vec<u8>,
}

impl<'a> CommandLine<'a> {
    /// The loop in redis-server's main(): a first argument not starting with '-' is the config file; `-` as
    /// the first or last argument reads stdin; `--name` starts a line, and the words after it are quoted
    /// into it (the first one even if it starts with `--`, so `--maxmemory --foo` sets maxmemory to "--foo").
    fn parse(args: &'a [String]) -> Self {
        let mut line = CommandLine { config_file: None, from_stdin: false, options: Vec::new() };
        let mut j = 0;
        if let Some(first) = args.first().filter(|a| !a.starts_with('-')) {
            line.config_file = Some(first.as_str());
            j = 1;
        }
        let mut had_argument = true;
        while j < args.len() {
            let arg = args[j].as_bytes();
            let last = j + 1 == args.len();
            if arg == b"-" && (j == 0 || last) {
                line.from_stdin = true;
            } else if had_argument && arg.starts_with(b"--") {
                if !line.options.is_empty() {
                    line.options.push(b'\n');
                }
                line.options.extend_from_slice(&arg[2..]);
                line.options.push(b' ');
                // "--port 6380" as one word carries its own value.
                had_argument = split_args(arg).is_none_or(|words| words.len() != 1);
                let next_is_option = !last && args[j + 1].starts_with("--");
                let is = |name: &str| arg.eq_ignore_ascii_case(name.as_bytes());
                if !had_argument && (is("--save") || is("--sentinel")) && next_is_option {
                    // Pre-7.0.1 compatibility: `--save --port 1` means `save ""`; `--sentinel` takes nothing.
                    if is("--save") {
                        line.options.extend_from_slice(b"\"\"");
                    }
                    had_argument = true;
                } else if !had_argument && is("--save") && last {
                    line.options.extend_from_slice(b"\"\"");
                }
            } else {
                // Quoted as Redis's sdscatrepr does when it joins the command-line options.
                line.options.extend(crate::protocol::repr::repr(arg));
                line.options.push(b' ');
                had_argument = true;
            }
            j += 1;
        }
        line
    }
}

/// CONFIG SET's split of a multi-argument value: on single spaces, keeping empty words; "" is no argument.
fn split_spaces(value: &[u8]) -> Vec<Vec<u8>> {
    if value.is_empty() {
        return Vec::new();
    }
    value.split(|c| *c == b' ').map(<[u8]>::to_vec).collect()
}

fn trim<'a>(s: &'a [u8], chars: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !chars.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !chars.contains(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// strerror() text of an I/O error ("No such file or directory").
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn can_t_open(path: &Path, e: &io::Error) -> ConfigError {
    ConfigError::logged(format!("Fatal error, can't open config file '{}': {}", path.display(), strerror(e)))
}

/// Reads a config file. fopen() accepts a directory, which then reads as empty.
fn read_config_file(path: &Path) -> io::Result<Vec<u8>> {
    if path.is_dir() {
        return Ok(Vec::new());
    }
    fs::read(path)
}

/// Redis's getAbsolutePath: the working directory joined with a relative path, leading "../" folded in.
fn redis_absolute_path(path: &[u8]) -> PathBuf {
    let mut relative = trim(path, b" \r\n\t");
    if relative.first() == Some(&b'/') {
        return PathBuf::from(OsStr::from_bytes(relative));
    }
    let Ok(cwd) = std::env::current_dir() else {
        return PathBuf::from(OsStr::from_bytes(relative));
    };
    let mut absolute = cwd.into_os_string().into_vec();
    if absolute.last() != Some(&b'/') {
        absolute.push(b'/');
    }
    while let Some(rest) = relative.strip_prefix(b"../") {
        relative = rest;
        if absolute.len() > 1 {
            let parent_end = absolute[..absolute.len() - 1].iter().rposition(|c| *c == b'/').map_or(0, |i| i + 1);
            absolute.truncate(parent_end);
        }
    }
    absolute.extend_from_slice(relative);
    PathBuf::from(std::ffi::OsString::from_vec(absolute))
}

/// The files an `include` glob names, sorted, each with the name shown in errors. A wildcard may appear in
/// any path component; names starting with '.' match only a pattern starting with '.', as glob(3).
fn glob_paths(base: &Path, pattern: &[u8]) -> Vec<(String, PathBuf)> {
    let absolute = pattern.first() == Some(&b'/');
    let mut found: Vec<(Vec<u8>, PathBuf)> = vec![(
        if absolute { b"/".to_vec() } else { Vec::new() },
        if absolute { PathBuf::from("/") } else { base.to_path_buf() },
    )];
    for component in pattern.split(|c| *c == b'/').filter(|c| !c.is_empty()) {
        let wild = component.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        let mut next = Vec::new();
        for (shown, path) in &found {
            let join = |name: &[u8]| {
                let mut s = shown.clone();
                if !s.is_empty() && s.last() != Some(&b'/') {
                    s.push(b'/');
                }
                s.extend_from_slice(name);
                (s, path.join(OsStr::from_bytes(name)))
            };
            if !wild {
                next.push(join(component));
                continue;
            }
            let Ok(entries) = fs::read_dir(path) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.as_bytes();
                let hidden_ok = !name.starts_with(b".") || component.starts_with(b".");
                if hidden_ok && crate::glob::matches(component, name) {
                    next.push(join(name));
                }
            }
        }
        found = next;
    }
    found.retain(|(_, path)| path.exists());
    found.sort();
    found.into_iter().map(|(shown, path)| (String::from_utf8_lossy(&shown).into_owned(), path)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn load(text: &str) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        cfg.load_str(text, None).map(|_| cfg)
    }

    fn load_err(text: &str) -> String {
        match load(text) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// The banner redis-server prints for a bad line.
    fn banner(line: usize, text: &str, reason: &str) -> String {
        format!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}"
        )
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    fn get1(cfg: &Config, name: &str) -> String {
        let hits = cfg.get(&[name.as_bytes()]);
        assert_eq!(hits.len(), 1, "{name}: {hits:?}");
        hits[0].1.clone()
    }

    fn set(cfg: &mut Config, pairs: &[(&str, &str)]) -> Result<(), String> {
        let pairs: Vec<(&[u8], &[u8])> = pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())).collect();
        cfg.set(&pairs)
    }

    #[test]
    fn defaults_match_the_table() {
        let cfg = Config::default();
        for d in DIRECTIVES.iter().filter(|d| d.name != "dir") {
            assert_eq!(cfg.get_directive(d), d.default, "{}", d.name);
        }
        assert!(cfg.inactive_directives_set().is_empty());
    }

    #[test]
    fn table_is_consistent() {
        let mut names: Vec<&str> = DIRECTIVES.iter().flat_map(|d| d.names()).collect();
        assert_eq!(
            names.len(),
            192 + 5 + 1,
            "CONFIG GET * of redis-server 7.0.15 has 192 names, plus 5 hidden, plus embedis's hidden test-mode"
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 198, "duplicate names");
        for d in DIRECTIVES {
            // Every typed scalar's default parses back to the same value, so field casts are exercised.
            if !matches!(d.kind, Kind::Special(_)) && d.name != "activedefrag" {
                let mut cfg = Config::default();
                cfg.set_directive(d, &[d.default.as_bytes().to_vec()], None).unwrap();
                assert_eq!(cfg.get_directive(d), d.default, "{}", d.name);
            }
        }
        assert_eq!(Config::default().get(&[b"*"]).len(), 192);
    }

    /// A row's accessor reads and writes its own field: setting each typed directive moves only its value.
    #[test]
    fn each_typed_row_owns_its_field() {
        let defaults: Vec<String> = DIRECTIVES.iter().map(|d| Config::default().get_directive(d)).collect();
        for (i, d) in DIRECTIVES.iter().enumerate().filter(|(_, d)| d.field.is_some()) {
            let other = match d.kind {
                Kind::Bool => if d.default == "yes" { "no" } else { "yes" }.to_string(),
                Kind::Enum(values) => values.iter().map(|v| v.0).find(|v| *v != d.default).unwrap().to_string(),
                Kind::Num { .. } => (d.default.parse::<i64>().unwrap() + 1).to_string(),
                _ => "x".to_string(),
            };
            let mut cfg = Config::default();
            cfg.set_directive(d, &[other.clone().into_bytes()], None).unwrap();
            for (j, e) in DIRECTIVES.iter().enumerate() {
                let expected = if i == j { &other } else { &defaults[j] };
                assert_eq!(&cfg.get_directive(e), expected, "{} after setting {}", e.name, d.name);
            }
        }
    }

    #[test]
    fn typed_fields_from_file() {
        let cfg = load(
            "# comment\n\n   port 7000  \nPROTECTED-MODE No\nbind 127.0.0.1 ::1\nrequirepass \"s3cr\\x65t\"\n\
             databases 4\nmaxmemory 1GB\nmaxmemory-policy ALLKEYS-LRU\nappendonly yes\nappendfsync always\n\
             timeout 30\nloglevel warning\nhz 1000\nunixsocketperm 700\nunixsocket /tmp/x.sock\n\
             lua-time-limit 100\nhash-max-ziplist-entries 7\nslowlog-log-slower-than -1\n\
             notify-keyspace-events KEA\nenable-debug-command local\nclient-query-buffer-limit 2mb\n",
        )
        .unwrap();
        assert_eq!(cfg.port, 7000);
        assert!(!cfg.protected_mode);
        assert_eq!(cfg.bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"s3cret"[..]));
        assert_eq!(cfg.databases, 4);
        assert_eq!(cfg.maxmemory, 1 << 30);
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
        assert!(cfg.appendonly);
        assert_eq!(cfg.appendfsync, AppendFsync::Always);
        assert_eq!(cfg.timeout, 30);
        assert_eq!(cfg.loglevel, LogLevel::Warning);
        assert_eq!(cfg.hz, 500);
        assert_eq!(cfg.unixsocketperm, 0o700);
        assert_eq!(get1(&cfg, "unixsocketperm"), "700");
        assert_eq!(cfg.unixsocket, Some(PathBuf::from("/tmp/x.sock")));
        assert_eq!(cfg.busy_reply_threshold, 100);
        assert_eq!(get1(&cfg, "busy-reply-threshold"), "100");
        assert_eq!(cfg.hash_max_listpack_entries, 7);
        assert_eq!(cfg.slowlog_log_slower_than, -1);
        assert_eq!(cfg.notify_keyspace_events, "AKE");
        assert_eq!(cfg.enable_debug_command, Protection::Local);
        assert_eq!(cfg.client_query_buffer_limit, 2 << 20);
        let mut inactive = cfg.inactive_directives_set();
        inactive.sort();
        let mut expected = vec!["slowlog-log-slower-than"];
        expected.sort();
        assert_eq!(inactive, expected);
    }

    #[test]
    fn memory_units() {
        for (text, bytes) in [
            ("0", 0u64),
            ("1", 1),
            ("3B", 3),
            ("1k", 1000),
            ("1K", 1000),
            ("1kb", 1024),
            ("1Kb", 1024),
            ("2m", 2_000_000),
            ("2mb", 2 << 20),
            ("1g", 1_000_000_000),
            ("1GB", 1 << 30),
            ("1gB", 1 << 30),
            ("", 0),
            ("kb", 0),
            ("99999999999999999999999", u64::MAX),
            ("18446744073709551615kb", 18446744073709550592),
        ] {
            let cfg = load(&format!("maxmemory \"{text}\"")).unwrap();
            assert_eq!(cfg.maxmemory, bytes, "{text}");
        }
        for bad in ["-1", "1.5gb", "1 kb", "1tb", "1kbb", "abc", "-0"] {
            let err = load_err(&format!("maxmemory \"{bad}\""));
            assert!(err.ends_with("argument must be a memory value"), "{bad}: {err}");
        }
        let huge = "9".repeat(200);
        assert!(load_err(&format!("maxmemory {huge}")).ends_with("argument must be a memory value"));
    }

    #[test]
    fn integers_are_strict() {
        for bad in ["007", "-0", "+5", " 5", "5 ", "1.5", "", "1k", "99999999999999999999", "abc"] {
            let err = load_err(&format!("timeout \"{bad}\""));
            assert!(err.ends_with("argument couldn't be parsed into an integer"), "{bad}: {err}");
        }
        assert!(load_err("port 70000").ends_with("argument must be between 0 and 65535 inclusive"));
        assert!(load_err("port -1").ends_with("argument must be between 0 and 65535 inclusive"));
        assert!(load_err("databases 0").ends_with("argument must be between 1 and 2147483647 inclusive"));
        assert!(load_err("maxclients -1").ends_with("argument must be between 1 and 4294967295 inclusive"));
        assert!(load_err("proto-max-bulk-len 99999999999999999999")
            .ends_with("argument must be between 1048576 and 9223372036854775807 inclusive"));
        assert!(load("slowlog-log-slower-than -9223372036854775808").is_err());
        assert_eq!(load("list-max-listpack-size -2147483648").unwrap().list_max_listpack_size, i32::MIN);
    }

    #[test]
    fn octal_and_percent() {
        assert_eq!(load("unixsocketperm \"\"").unwrap().unixsocketperm, 0);
        assert_eq!(load("unixsocketperm \" +0700\"").unwrap().unixsocketperm, 0o700);
        assert!(load_err("unixsocketperm 999").ends_with("argument couldn't be parsed as an octal number"));
        assert!(load_err("unixsocketperm 1000").ends_with("argument must be between 0 and 777 inclusive"));
        assert!(load_err("unixsocketperm -1").ends_with("argument must be between 0 and 777 inclusive"));
        let mut cfg = Config::default();
        set(&mut cfg, &[("maxmemory-clients", "10%")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory-clients"), "10%");
        set(&mut cfg, &[("maxmemory-clients", "0%")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory-clients"), "0");
        assert_eq!(
            set(&mut cfg, &[("maxmemory-clients", "101%")]).unwrap_err(),
            "CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"
        );
        for bad in ["-5", "5%%", "%", "abc"] {
            assert!(set(&mut cfg, &[("maxmemory-clients", bad)])
                .unwrap_err()
                .ends_with("argument must be a memory or percent value"));
        }
    }

    #[test]
    fn quoting() {
        let cfg = load("requirepass \"a b\\n\\x41\\\"\"\nmasterauth 'it\\'s'\nlogfile \"\"").unwrap();
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"a b\nA\""[..]));
        assert_eq!(get1(&cfg, "masterauth"), "it's");
        assert_eq!(cfg.logfile, "");
        assert_eq!(load("requirepass \"\"").unwrap().requirepass, None);
        assert_eq!(split_args(b"a\"b c\"d"), None);
        assert_eq!(split_args(b"a\"b c\" d"), Some(vec![b"ab c".to_vec(), b"d".to_vec()]));
        assert_eq!(split_args(b"\"\\x4\""), Some(vec![b"x4".to_vec()]));
        assert_eq!(split_args(b"\"\\"), None);
        assert_eq!(split_args(b"''"), Some(vec![Vec::new()]));
        assert_eq!(split_args(b" \x0b "), Some(vec![]));
        assert_eq!(load_err("port \"123"), banner(1, "port \"123", "Unbalanced quotes in configuration line"));
        assert_eq!(load_err("port '123"), banner(1, "port '123", "Unbalanced quotes in configuration line"));
        assert_eq!(load_err("port \"12\"3"), banner(1, "port \"12\"3", "Unbalanced quotes in configuration line"));
        // A NUL ends the line, as in C.
        assert_eq!(load("port 1\0garbage").unwrap().port, 1);
    }

    #[test]
    fn error_texts() {
        assert_eq!(load_err("port 7000\nfoo bar"), banner(2, "foo bar", "Bad directive or wrong number of arguments"));
        assert_eq!(
            load_err("   # comment\n\n  port   abc   \n"),
            banner(3, "port   abc", "argument couldn't be parsed into an integer")
        );
        assert_eq!(load_err("PORT abc"), banner(1, "PORT abc", "argument couldn't be parsed into an integer"));
        assert_eq!(load_err("port 1 2"), banner(1, "port 1 2", "wrong number of arguments"));
        assert_eq!(load_err("maxmemory"), banner(1, "maxmemory", "wrong number of arguments"));
        assert_eq!(load_err("appendonly maybe"), banner(1, "appendonly maybe", "argument must be 'yes' or 'no'"));
        assert_eq!(
            load_err("appendfsync sometimes"),
            banner(1, "appendfsync sometimes", "argument(s) must be one of the following: everysec, always, no")
        );
        assert_eq!(load_err("save 1"), banner(1, "save 1", "Invalid save parameters"));
        assert_eq!(load_err("include"), banner(1, "include", "Bad directive or wrong number of arguments"));
        assert_eq!(
            load_err("list-max-ziplist-entries 5 6"),
            banner(1, "list-max-ziplist-entries 5 6", "Bad directive or wrong number of arguments")
        );
        assert_eq!(
            load_err("sentinel monitor x"),
            banner(1, "sentinel monitor x", "sentinel directive while not in sentinel mode")
        );
        assert_eq!(load_err("foo.bar"), banner(1, "foo.bar", "Module config specified without value"));
        assert_eq!(load_err("user"), banner(1, "user", "Bad directive or wrong number of arguments"));
        assert_eq!(load_err("replicaof 127.0.0.1 abc"), banner(1, "replicaof 127.0.0.1 abc", "Invalid master port"));
        assert_eq!(load_err("replicaof 127.0.0.1"), banner(1, "replicaof 127.0.0.1", "wrong number of arguments"));
        assert_eq!(load_err("dir /nonexistent/x"), banner(1, "dir /nonexistent/x", "No such file or directory"));
        assert_eq!(load_err("dir /etc/hostname"), banner(1, "dir /etc/hostname", "Not a directory"));
        assert_eq!(
            load_err("replicaof 127.0.0.1 6380\ncluster-enabled yes"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode"
        );
        assert_eq!(
            load_err("logfile /nonexistent/dir/log"),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory"
        );
        assert_eq!(load_err("loadmodule /x.so"), "Module /x.so failed to load: embedis does not support modules");
        assert_eq!(
            load_err("foo.bar 1"),
            "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting"
        );
        // Silently accepted.
        let cfg = load("list-max-ziplist-entries 5\nlua-replicate-commands yes\nsentinel\nrename-command GET \"\"\nuser default on").unwrap();
        assert_eq!(
            cfg.rename_commands,
            vec![RenameCommand { from: "GET".into(), to: "".into(), line: 4, text: "rename-command GET \"\"".into() }]
        );
        assert_eq!(cfg.users, vec![vec!["default".to_string(), "on".to_string()]]);
        assert_eq!(cfg.inactive_directives_set(), vec!["user"]);
        // Renames are checked against the command table when the server builds its index.
        let rename_err = |text: &str| match crate::server::command_names(&load(text).unwrap()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            rename_err("rename-command nosuch x"),
            banner(1, "rename-command nosuch x", "No such command in rename-command")
        );
        assert_eq!(
            rename_err("rename-command get x\nrename-command GET y"),
            banner(2, "rename-command GET y", "No such command in rename-command")
        );
        assert_eq!(
            rename_err("rename-command get set"),
            banner(1, "rename-command get set", "Target command name already exists")
        );
    }

    #[test]
    fn validators() {
        assert!(load_err("dbfilename a/b").ends_with("dbfilename can't be a path, just a filename"));
        assert!(load_err("appendfilename \"\"").ends_with("appendfilename can't be empty"));
        assert!(load_err("appenddirname a\\\\b").ends_with("appenddirname can't be a path, just a dirname"));
        assert!(load_err("cluster-announce-hostname a_b")
            .ends_with("Hostnames may only contain alphanumeric characters, hyphens or dots"));
        assert!(load_err("activedefrag yes").contains("Active defragmentation cannot be enabled"));
        assert!(load_err("proc-title-template \"{unixsocket}\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load_err("proc-title-template \"{foo}\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load_err("proc-title-template \"{title\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load("proc-title-template \"{{ {port}\"").is_ok());
        assert!(load_err("shutdown-on-sigint save nosave")
            .ends_with("shutdown options SAVE and NOSAVE can't be used simultaneously"));
        let cfg = load("shutdown-on-sigint now save force\nshutdown-on-sigterm default save\noom-score-adj relative")
            .unwrap();
        assert_eq!(get1(&cfg, "shutdown-on-sigint"), "save now force");
        assert_eq!(get1(&cfg, "shutdown-on-sigterm"), "save");
        assert_eq!(get1(&cfg, "oom-score-adj"), "yes");
    }

    #[test]
    fn special_directives() {
        let cfg = load("save 900 1\nsave 300 10").unwrap();
        assert_eq!(get1(&cfg, "save"), "900 1 300 10");
        assert_eq!(get1(&load("save 900 1\nsave \"\"").unwrap(), "save"), "");
        assert_eq!(get1(&load("save 900 1\nsave \"\"\nsave 300 10").unwrap(), "save"), "300 10");
        assert_eq!(get1(&load("save 900 1\nsave").unwrap(), "save"), "900 1");
        assert_eq!(get1(&load("save").unwrap(), "save"), "");
        assert_eq!(get1(&load("save +10 \" 5\"\nsave 20 \"\"").unwrap(), "save"), "10 5 20 0");
        let cfg =
            load("client-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit pubsub 4k 5kb 6 replica 7 8 9")
                .unwrap();
        assert_eq!(get1(&cfg, "client-output-buffer-limit"), "normal 1 2 3 slave 7 8 9 pubsub 4000 5120 6");
        assert_eq!(cfg.client_output_buffer_limit.pubsub, ObufLimit { hard: 4000, soft: 5120, soft_seconds: 6 });
        let cfg = load("bind 1.2.3.4\nbind 127.0.0.1").unwrap();
        assert_eq!(get1(&cfg, "bind"), "127.0.0.1");
        let cfg = load("bind \"\"").unwrap();
        assert!(cfg.bind.is_empty() && cfg.bind_none);
        assert_eq!(get1(&cfg, "bind"), "");
        assert!(load_err(&format!("bind {}", "a ".repeat(17))).ends_with("Too many bind addresses specified."));
        let cfg = load(
            "slaveof 10.0.0.1 \"\"\nnotify-keyspace-events Elg\nlatency-tracking-info-percentiles 1e1 .5 99.99999999",
        )
        .unwrap();
        assert_eq!(
            cfg.get(&[b"replicaof", b"slaveof"]),
            pairs(&[("replicaof", "10.0.0.1 0"), ("slaveof", "10.0.0.1 0")])
        );
        assert_eq!(get1(&cfg, "notify-keyspace-events"), "glE");
        assert_eq!(get1(&cfg, "latency-tracking-info-percentiles"), "10 0.5 100");
        assert_eq!(get1(&load("latency-tracking-info-percentiles").unwrap(), "latency-tracking-info-percentiles"), "");
        let cfg = load("latency-tracking-info-percentiles 0x10 1e-310").unwrap();
        assert_eq!(get1(&cfg, "latency-tracking-info-percentiles"), "16 0", "strtod's hex floats and subnormals");
        assert!(load_err("latency-tracking-info-percentiles 1e-400")
            .ends_with("Invalid latency-tracking-info-percentiles parameters"));
        assert_eq!(get1(&load("replicaof no one").unwrap(), "replicaof"), "");
        for (events, shown) in [("KEA", "AKE"), ("AnK", "AK"), ("g$lshzxetdK", "AK"), ("nmd", "dnm"), ("", "")] {
            assert_eq!(canonical_keyspace_events(events.as_bytes()).unwrap().0, shown, "{events}");
        }
    }

    #[test]
    fn dir_is_absolute_and_drives_includes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("sub/inc.conf"), "maxmemory 5mb\n").unwrap();
        fs::write(root.join("sub/a.conf"), "port 1\n").unwrap();
        fs::write(root.join("sub/b.conf"), "port 2\n").unwrap();
        fs::write(root.join("sub/.hidden.conf"), "port 3\n").unwrap();
        let cfg =
            load(&format!("dir {}\ndir sub\ninclude inc.conf\ninclude *.conf\ninclude none/*.conf", root.display()))
                .unwrap();
        assert_eq!(cfg.dir, root.join("sub"));
        assert_eq!(get1(&cfg, "dir"), root.join("sub").to_string_lossy());
        assert_eq!(cfg.maxmemory, 5 << 20);
        assert_eq!(cfg.port, 2, "globbed includes are read in order, dotfiles skipped");
        // A missing include is redis-server's logged fatal error; an error inside one has its own line numbers.
        let err = load(&format!("dir {}\ninclude missing.conf", root.display())).unwrap_err();
        assert!(err.logged);
        assert_eq!(err.to_string(), "Fatal error, can't open config file 'missing.conf': No such file or directory");
        fs::write(root.join("bad.conf"), "port 0\nport abc\n").unwrap();
        let err = load(&format!("\n\ninclude {}", root.join("bad.conf").display())).unwrap_err();
        assert_eq!(err.to_string(), banner(2, "port abc", "argument couldn't be parsed into an integer"));
        // An include of itself stops instead of recursing forever.
        fs::write(root.join("loop.conf"), format!("include {}\n", root.join("loop.conf").display())).unwrap();
        assert!(load(&format!("include {}", root.join("loop.conf").display())).unwrap_err().logged);
    }

    #[test]
    fn from_args_options() {
        let cfg = Config::from_args(&args(&[
            "--port",
            "0",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--maxmemory",
            "256mb",
            "--maxmemory-policy",
            "allkeys-lru",
            "--requirepass",
            "secret",
        ]))
        .unwrap();
        assert_eq!(cfg.port, 0);
        assert!(cfg.appendonly);
        assert_eq!(cfg.appendfsync, AppendFsync::EverySec);
        assert_eq!(cfg.maxmemory, 256 << 20);
        assert_eq!(get1(&cfg, "maxmemory"), "268435456");
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"secret"[..]));
        assert!(cfg.dir.is_absolute());
        assert_eq!(cfg.config_file, None);

        assert!(Config::from_args(&args(&["--save", ""])).unwrap().save.is_empty());
        assert!(Config::from_args(&args(&["--save"])).unwrap().save.is_empty());
        let cfg = Config::from_args(&args(&["--save", "--port", "5"])).unwrap();
        assert!(cfg.save.is_empty());
        assert_eq!(cfg.port, 5);
        assert_eq!(
            Config::from_args(&args(&["--save", "60", "5", "--save", "1", "2"])).unwrap().save,
            vec![(60, 5), (1, 2)]
        );
        assert_eq!(Config::from_args(&args(&["--bind", "127.0.0.1", "::1"])).unwrap().bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(Config::from_args(&args(&["--bind", "127.0.0.1 ::1"])).unwrap().bind, vec!["127.0.0.1", "::1"]);
        assert_eq!(Config::from_args(&args(&["--save", "900 1 300 10"])).unwrap().save, vec![(900, 1), (300, 10)]);
        let cfg = Config::from_args(&args(&["--replicaof", "h 1", "--repl-backlog-size", "1"])).unwrap();
        assert_eq!(
            cfg.get(&[b"replicaof", b"repl-backlog-size"]),
            pairs(&[("replicaof", "h 1"), ("repl-backlog-size", "1")])
        );
        assert_eq!(Config::from_args(&args(&["--port 6380"])).unwrap().port, 6380);
        assert_eq!(Config::from_args(&[]).unwrap().port, 6379);
    }

    #[test]
    fn from_args_errors_show_the_synthesized_line() {
        let err = |words: &[&str]| Config::from_args(&args(words)).unwrap_err().to_string();
        assert_eq!(
            err(&["--port", "0", "--foo", "bar"]),
            banner(3, "foo \"bar\"", "Bad directive or wrong number of arguments")
        );
        assert_eq!(err(&["--port", "abc"]), banner(2, "port \"abc\"", "argument couldn't be parsed into an integer"));
        assert_eq!(
            err(&["--port", "0", "--maxmemory", "1", "2"]),
            banner(3, "maxmemory \"1\" \"2\"", "wrong number of arguments")
        );
        assert_eq!(err(&["--maxmemory", "--foo"]), banner(2, "maxmemory \"--foo\"", "argument must be a memory value"));
        assert_eq!(err(&["--maxmemory"]), banner(2, "maxmemory", "wrong number of arguments"));
        assert_eq!(err(&["--maxmemory x"]), banner(2, "maxmemory x", "argument must be a memory value"));
        assert_eq!(
            err(&["--port", "0 --maxmemory x"]),
            banner(2, "port \"0 --maxmemory x\"", "argument couldn't be parsed into an integer")
        );
        assert_eq!(
            err(&["--port", "a\"b\\c\n\x01\x7f\té\r\x07\x08"]),
            banner(
                2,
                "port \"a\\\"b\\\\c\\n\\x01\\x7f\\t\\xc3\\xa9\\r\\a\\b\"",
                "argument couldn't be parsed into an integer"
            )
        );
        assert_eq!(err(&["--dir", "/nonexistent"]), banner(2, "dir \"/nonexistent\"", "No such file or directory"));
        let missing = Config::from_args(&args(&["/nonexistent/x.conf"])).unwrap_err();
        assert!(missing.logged);
        assert_eq!(
            missing.to_string(),
            "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory"
        );
    }

    #[test]
    fn from_args_with_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("r.conf");
        fs::write(&file, "port 0\n\n\n").unwrap();
        let path = file.to_string_lossy().into_owned();
        let err = Config::from_args(&args(&[&path, "--port", "0", "--maxmemory", "x"])).unwrap_err();
        assert_eq!(err.to_string(), banner(6, "maxmemory \"x\"", "argument must be a memory value"));
        fs::write(&file, "port 0").unwrap();
        let err = Config::from_args(&args(&[&path, "foo", "bar"])).unwrap_err();
        assert_eq!(err.to_string(), banner(2, "\"foo\" \"bar\"", "Bad directive or wrong number of arguments"));
        let cfg = Config::from_args(&args(&[&path, "--port", "7"])).unwrap();
        assert_eq!(cfg.port, 7);
        assert_eq!(cfg.config_file.as_deref(), Some(file.as_path()));
    }

    #[test]
    fn absolute_paths_like_redis() {
        let cwd = std::env::current_dir().unwrap();
        let cwd = cwd.to_string_lossy();
        assert_eq!(redis_absolute_path(b"/a/b.conf"), PathBuf::from("/a/b.conf"));
        assert_eq!(redis_absolute_path(b"x.conf"), PathBuf::from(format!("{cwd}/x.conf")));
        assert_eq!(redis_absolute_path(b"./s/../x.conf"), PathBuf::from(format!("{cwd}/./s/../x.conf")));
        let parent = Path::new(&*cwd).parent().unwrap().to_string_lossy().into_owned();
        let parent = if parent.ends_with('/') { parent } else { format!("{parent}/") };
        assert_eq!(redis_absolute_path(b"../x.conf"), PathBuf::from(format!("{parent}x.conf")));
    }

    #[test]
    fn config_get_globbing() {
        let cfg = Config::default();
        let names: Vec<String> = cfg.get(&[b"MAXMEM*"]).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            vec![
                "maxmemory",
                "maxmemory-policy",
                "maxmemory-samples",
                "maxmemory-eviction-tenacity",
                "maxmemory-clients"
            ]
        );
        // Each name once, however many patterns match it.
        assert_eq!(cfg.get(&[b"maxmemory", b"maxmem*", b"MAXMEMORY"]).len(), 5);
        // An exact name is echoed as written, unless an earlier pattern matched it first.
        assert_eq!(cfg.get(&[b"PoRt"]), pairs(&[("PoRt", "6379")]));
        assert_eq!(cfg.get(&[b"PORT", b"port", b"po*"]), pairs(&[("PORT", "6379")]));
        assert_eq!(cfg.get(&[b"po*", b"PORT"]), pairs(&[("port", "6379")]));
        assert_eq!(cfg.get(&[b"SLAVEOF", b"timeout"]), pairs(&[("timeout", "0"), ("SLAVEOF", "")]));
        assert_eq!(cfg.get(&[b"*slave-pri*"]), pairs(&[("slave-priority", "100")]));
        // Hidden directives answer only to their exact name.
        assert!(cfg.get(&[b"key-load*"]).is_empty());
        assert_eq!(cfg.get(&[b"key-load-DELAY"]), pairs(&[("key-load-DELAY", "0")]));
        assert!(cfg.get(&[b"nosuch"]).is_empty());
        assert!(cfg.get(&[b"["]).is_empty());
        assert_eq!(get1(&cfg, "dir"), std::env::current_dir().unwrap().to_string_lossy());
        assert_eq!(get1(&cfg, "client-output-buffer-limit"), DEFAULT_OBUF_LIMITS);
        assert_eq!(get1(&cfg, "bind"), "* -::*");
    }

    #[test]
    fn config_set_errors() {
        let mut cfg = Config::default();
        let fail = |name: &str, why: &str| format!("CONFIG SET failed (possibly related to argument '{name}') - {why}");
        assert_eq!(
            set(&mut cfg, &[("foo", "bar")]).unwrap_err(),
            "Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "abc")]).unwrap_err(),
            fail("maxmemory", "argument must be a memory value")
        );
        assert_eq!(
            set(&mut cfg, &[("MAXMEMORY", "abc")]).unwrap_err(),
            fail("maxmemory", "argument must be a memory value")
        );
        assert_eq!(
            set(&mut cfg, &[("SLAVE-PRIORITY", "abc")]).unwrap_err(),
            fail("slave-priority", "argument couldn't be parsed into an integer")
        );
        assert_eq!(
            set(&mut cfg, &[("daemonize", "yes")]).unwrap_err(),
            fail("daemonize", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("DAEMONIZE", "yes")]).unwrap_err(),
            fail("DAEMONIZE", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("enable-debug-command", "yes")]).unwrap_err(),
            fail("enable-debug-command", "can't set immutable config")
        );
        assert_eq!(set(&mut cfg, &[("dir", "/tmp")]).unwrap_err(), fail("dir", "can't set protected config"));
        assert_eq!(
            set(&mut cfg, &[("dbfilename", "x.rdb")]).unwrap_err(),
            fail("dbfilename", "can't set protected config")
        );
        assert_eq!(set(&mut cfg, &[("port", "1"), ("PORT", "2")]).unwrap_err(), fail("PORT", "duplicate parameter"));
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "1mb"), ("foo", "bar")]).unwrap_err(),
            "Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "abc"), ("daemonize", "yes")]).unwrap_err(),
            fail("daemonize", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory-policy", "foo")]).unwrap_err(),
            fail("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
        );
        assert_eq!(
            set(&mut cfg, &[("protected-mode", "1")]).unwrap_err(),
            fail("protected-mode", "argument must be 'yes' or 'no'")
        );
        assert_eq!(set(&mut cfg, &[("save", "100 10  200 20")]).unwrap_err(), fail("save", "Invalid save parameters"));
        assert_eq!(
            set(&mut cfg, &[("client-output-buffer-limit", "master 1 2 3")]).unwrap_err(),
            fail("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration.")
        );
        assert_eq!(
            set(&mut cfg, &[("notify-keyspace-events", "xyz")]).unwrap_err(),
            fail("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
        );
        assert_eq!(
            set(&mut cfg, &[("oom-score-adj-values", "1 2")]).unwrap_err(),
            fail("oom-score-adj-values", "wrong number of arguments")
        );
        assert_eq!(
            set(&mut cfg, &[("latency-tracking-info-percentiles", "50 101")]).unwrap_err(),
            fail(
                "latency-tracking-info-percentiles",
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
            )
        );
    }

    #[test]
    fn policy_helpers() {
        let mut cfg = Config::default();
        assert!(cfg.shares_integers() && !cfg.lfu_policy());
        set(&mut cfg, &[("maxmemory-policy", "allkeys-lfu")]).unwrap();
        assert!(cfg.shares_integers(), "no maxmemory: integers stay shared");
        assert!(cfg.lfu_policy());
        set(&mut cfg, &[("maxmemory", "1mb")]).unwrap();
        assert!(!cfg.shares_integers());
        set(&mut cfg, &[("maxmemory-policy", "volatile-ttl")]).unwrap();
        assert!(cfg.shares_integers() && !cfg.lfu_policy());
    }

    #[test]
    fn config_set_is_all_or_nothing() {
        let mut cfg = Config::default();
        let err = set(&mut cfg, &[("maxmemory", "100"), ("maxmemory-policy", "bad")]).unwrap_err();
        assert!(err.contains("'maxmemory-policy'"));
        assert_eq!(cfg.maxmemory, 0);
        set(
            &mut cfg,
            &[("maxmemory", "100mb"), ("maxmemory-policy", "Volatile-TTL"), ("hz", "0"), ("requirepass", "pw")],
        )
        .unwrap();
        assert_eq!(cfg.maxmemory, 100 << 20);
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::VolatileTtl);
        assert_eq!(cfg.hz, 1);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"pw"[..]));
        set(&mut cfg, &[("requirepass", "")]).unwrap();
        assert_eq!(cfg.requirepass, None);
        // An alias is a config of its own for the duplicate check; the last one wins.
        set(&mut cfg, &[("slave-priority", "1"), ("replica-priority", "2")]).unwrap();
        assert_eq!(get1(&cfg, "slave-priority"), "2");
        // Multi-argument values split on spaces; "" is none.
        set(&mut cfg, &[("save", ""), ("bind", "127.0.0.1 ::1")]).unwrap();
        assert!(cfg.save.is_empty());
        assert_eq!(cfg.bind, vec!["127.0.0.1", "::1"]);
        set(
            &mut cfg,
            &[("client-output-buffer-limit", "normal 1k 2kb 3 pubsub 0 0 0"), ("client-output-buffer-limit", "")],
        )
        .unwrap_err();
        set(&mut cfg, &[("client-output-buffer-limit", "normal 1k 2kb 3 pubsub 0 0 0")]).unwrap();
        assert_eq!(
            get1(&cfg, "client-output-buffer-limit"),
            "normal 1000 2048 3 slave 268435456 67108864 60 pubsub 0 0 0"
        );
        set(&mut cfg, &[("repl-backlog-size", "1k")]).unwrap();
        assert_eq!(get1(&cfg, "repl-backlog-size"), "16384");
        set(&mut cfg, &[("maxmemory", "18446744073709551615")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory"), "18446744073709551615");
        assert_eq!(cfg.maxmemory, u64::MAX);
    }

    #[test]
    fn protected_configs_when_enabled() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        let mut cfg = load("enable-protected-configs local").unwrap();
        let pairs: [(&[u8], &[u8]); 1] = [(b"dir", root.as_os_str().as_bytes())];
        assert!(cfg.set(&pairs).unwrap_err().ends_with("can't set protected config"));
        cfg.set_for_client(&pairs, true).unwrap();
        assert_eq!(cfg.dir, root);
        let mut cfg = load("enable-protected-configs yes").unwrap();
        assert_eq!(
            set(&mut cfg, &[("dir", "/nonexistent")]).unwrap_err(),
            "CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        set(&mut cfg, &[("dbfilename", "x.rdb")]).unwrap();
        assert_eq!(cfg.dbfilename, "x.rdb");
    }

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

    #[test]
    fn trimmed_doubles() {
        assert_eq!(trim_double("99.900000"), "99.9");
        assert_eq!(trim_double("100.000000"), "100");
    }

    #[test]
    fn shipped_config_loads() {
        let mut cfg = Config::default();
        cfg.load_str(include_str!("../conf/embedis.conf"), None).unwrap();
        assert!(cfg.inactive_directives_set().is_empty(), "{:?}", cfg.inactive_directives_set());
        assert_eq!(cfg.port, 6379);
    }
}
