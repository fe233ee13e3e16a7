//! The directive table: one row per directive redis-server 7.0.15 accepts (name, alias, kind with bounds or enum
//! values, default, flags, validator) and, for one the server reads typed, the accessor of its `Config` field.
//! It exists so that a directive is described once: redis.conf reading, CONFIG GET/SET and CONFIG REWRITE all
//! read these rows, and `Config::default()` is the rows' defaults.

use super::validate::{
    check_activedefrag, check_appenddirname, check_appendfilename, check_dbfilename, check_hostname, check_proc_title,
    check_shutdown_flags,
};
use super::value::{FieldValue, Kind, NumFmt, Special, Value};
use super::{AppendFsync, Config, LogLevel, MaxmemoryPolicy, Protection};

/// CONFIG SET refuses it: "can't set immutable config".
pub(super) const IMMUTABLE: u8 = 1;

/// CONFIG SET refuses it unless `enable-protected-configs` allows the client.
pub(super) const PROTECTED: u8 = 1 << 1;

/// Left out of CONFIG GET patterns; only an exact name shows it.
pub(super) const HIDDEN: u8 = 1 << 2;

/// Secret (passwords): the server should redact it from slowlog / MONITOR.
pub(super) const SENSITIVE: u8 = 1 << 3;

/// Takes any number of arguments in a config file; CONFIG SET splits its value on spaces.
pub(super) const MULTI_ARG: u8 = 1 << 4;

/// The server acts on it today (everything else is reported by `inactive_directives_set`).
pub(super) const ACTIVE: u8 = 1 << 5;

/// A string whose empty default is a value (Redis's ALLOW_EMPTY_STRING): without it, an empty string directive
/// is unset (EMPTY_STRING_IS_NULL), and CONFIG REWRITE leaves it out.
pub(super) const ALLOW_EMPTY: u8 = 1 << 6;

/// Extra validation after the kind's own (Redis's `is_valid_fn`).
type Check = fn(&Value, &Config) -> Result<(), &'static str>;

/// How a scalar directive's typed field in `Config` is read as a [`Value`] and written from one (already
/// parsed and checked against the row's kind).
#[derive(Clone, Copy)]
pub(super) struct Field {
    pub(super) get: fn(&Config) -> Value,
    pub(super) set: fn(&mut Config, &Value),
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

/// One directive: a row of the table.
pub(super) struct Directive {
    pub(super) name: &'static str,
    pub(super) alias: Option<&'static str>,
    pub(super) kind: Kind,
    /// What CONFIG GET shows by default.
    pub(super) default: &'static str,
    pub(super) flags: u8,
    pub(super) check: Option<Check>,
    /// The typed field; None = kept in `Config::stored` (or, for a special kind, its own fields).
    pub(super) field: Option<Field>,
    /// What CONFIG SET does once the value is stored (Redis's `apply_fn`).
    pub(super) on_set: Option<fn(&mut Config)>,
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
    pub(super) fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    /// A CONFIG SET value as the directive's arguments: a multi-argument one splits on spaces.
    pub(super) fn set_args(&self, value: &[u8]) -> Vec<Vec<u8>> {
        if self.has(MULTI_ARG) {
            split_spaces(value)
        } else {
            vec![value.to_vec()]
        }
    }
    /// The primary name, then the alias.
    pub(super) fn names(&self) -> impl Iterator<Item = &'static str> {
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
pub(super) static DIRECTIVES: &[Directive] = &[
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
    d("save", special(Special::Save), "3600 1 300 100 60 10000").flags(MULTI_ARG | ACTIVE),
    d("stop-writes-on-bgsave-error", BOOL, "yes").flags(ACTIVE),
    d("rdbcompression", BOOL, "yes").flags(ACTIVE),
    d("rdbchecksum", BOOL, "yes").flags(IMMUTABLE | ACTIVE),
    d("sanitize-dump-payload", Kind::Enum(SANITIZE_DUMP), "no").flags(ACTIVE),
    d("dbfilename", TEXT, "dump.rdb").flags(PROTECTED | ACTIVE).check(check_dbfilename).field(field!(dbfilename)),
    d("rdb-del-sync-files", BOOL, "no"),
    // The default is the working directory, computed when shown.
    d("dir", special(Special::Dir), "").flags(PROTECTED | ACTIVE),
    d("rdb-save-incremental-fsync", BOOL, "yes"),
    d("rdb-key-save-delay", int(INT_MIN, INT_MAX), "0").flags(HIDDEN | ACTIVE),
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
    d("aof-use-rdb-preamble", BOOL, "yes").flags(ACTIVE),
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

/// `client-output-buffer-limit`'s default, which `ClientOutputBufferLimits::default()` reads too.
pub(super) const DEFAULT_OBUF_LIMITS: &str = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

/// Old directives Redis 7.0 still swallows silently, with the only argument count it accepts (2 words).
pub(super) const DEPRECATED: &[&str] =
    &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// CONFIG SET's split of a multi-argument value: on single spaces, keeping empty words; "" is no argument.
pub(super) fn split_spaces(value: &[u8]) -> Vec<Vec<u8>> {
    if value.is_empty() {
        return Vec::new();
    }
    value.split(|c| *c == b' ').map(<[u8]>::to_vec).collect()
}

/// Looks a directive up by name or alias (case-insensitive, as Redis's config dict). Returns the name that
/// matched, which Redis's CONFIG SET errors quote.
pub(super) fn lookup(name: &[u8]) -> Option<(&'static Directive, &'static str)> {
    DIRECTIVES.iter().find_map(|d| d.names().find(|n| n.as_bytes().eq_ignore_ascii_case(name)).map(|n| (d, n)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::special::Origin;

    #[test]
    fn defaults_match_the_table() {
        let cfg = Config::default();
        for d in DIRECTIVES.iter().filter(|d| d.name != "dir") {
            assert_eq!(cfg.get_directive(d), d.default, "{}", d.name);
        }
        assert!(cfg.inactive_directives_set().is_empty());
        assert!(cfg.stored.is_empty(), "untyped directives start absent: {:?}", cfg.stored);
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
                cfg.set_directive(d, &[d.default.as_bytes().to_vec()], Origin::ConfigSet).unwrap();
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
            cfg.set_directive(d, &[other.clone().into_bytes()], Origin::ConfigSet).unwrap();
            for (j, e) in DIRECTIVES.iter().enumerate() {
                let expected = if i == j { &other } else { &defaults[j] };
                assert_eq!(&cfg.get_directive(e), expected, "{} after setting {}", e.name, d.name);
            }
        }
    }

    /// conf/embedis.conf lists every directive the server acts on (a line `name value`, or `# name value` for
    /// one whose default is no value), so it cannot drift from the rows.
    #[test]
    fn shipped_config_lists_every_directive_acted_on() {
        let conf = include_str!("../../conf/embedis.conf");
        let listed = |name: &str| {
            conf.lines().any(|line| {
                let line = line.trim_start_matches('#').trim_start();
                line.split_whitespace().next() == Some(name)
            })
        };
        let missing: Vec<&str> =
            DIRECTIVES.iter().filter(|d| d.has(ACTIVE) && !d.has(HIDDEN) && !listed(d.name)).map(|d| d.name).collect();
        assert!(missing.is_empty(), "conf/embedis.conf does not list: {missing:?}");
    }

    /// conf/embedis.conf documents the defaults: every value it sets is its row's.
    #[test]
    fn shipped_config_states_the_defaults() {
        let mut cfg = Config::default();
        cfg.load_str(include_str!("../../conf/embedis.conf"), None).unwrap();
        for d in DIRECTIVES.iter().filter(|d| d.name != "dir") {
            assert_eq!(cfg.get_directive(d), d.default, "{}", d.name);
        }
    }
}
