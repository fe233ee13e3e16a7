//! Every error string the server sends, in one place, rendered byte for byte as Redis 7.0 does.
//!
//! Handlers return `CmdError`; the reply writer renders it as `-<text>\r\n`. Messages that carry their own code
//! (WRONGTYPE, NOAUTH, ...) keep it; the others get `ERR `. Golden tests against redis-server keep these exact.

use std::fmt;

/// An error reply to one command. Never closes the connection (protocol errors are `ProtocolError`).
#[derive(Debug, Clone, PartialEq)]
pub enum CmdError {
    UnknownCommand {
        name: Vec<u8>,
        args: Vec<Vec<u8>>,
    },
    UnknownSubcommand {
        sub: Vec<u8>,
        command: &'static str,
    },
    /// `addReplySubcommandSyntaxError`, for commands that parse their own subcommands (DEBUG).
    UnknownSubcommandOrArity {
        sub: Vec<u8>,
        command: &'static str,
    },
    WrongArity(String),
    /// Writes refused while the AOF cannot be written (holds the system's error text).
    Misconf(String),
    /// A RESP2 subscriber sent a command other than (un)subscribing, PING, QUIT or RESET; holds its full name.
    SubscribedContext(String),
    Syntax,
    NotInteger,
    NotFloat,
    Overflow,
    DecrementOverflow,
    NanOrInfinity,
    WrongType,
    NoSuchKey,
    InvalidExpire(&'static str),
    StringTooLong,
    OffsetOutOfRange,
    DbIndexOutOfRange,
    SameObject,
    NoShutdownInProgress,
    InvalidFirstDbIndex,
    InvalidSecondDbIndex,
    InvalidCursor,
    UnsupportedOption(Vec<u8>),
    IdletimeUnderLfu,
    FreqUnderLru,
    ExpireOptionsNxXx,
    ExpireOptionsGtLt,
    NoAuth,
    WrongPass,
    AuthNotConfigured,
    NoProto,
    ProtoVersionNotInteger,
    HelloSyntax(Vec<u8>),
    HelloNoAuth,
    ResetNotNormal,
    UnrecognizedOption(Vec<u8>),
    UnknownClientType(Vec<u8>),
    InvalidCommandSpecified,
    InvalidCommandArgs,
    InvalidCommandArguments,
    NoKeyArguments,
    InvalidClientId,
    ClientIdNotPositive,
    NoSuchUser(Vec<u8>),
    MaxClients,
    ClientNameInvalid,
    ClientSetinfoInvalid(&'static str),
    NoSuchClient,
    DebugNotAllowed,
    NotAllowedInScriptOrSubscribe(String),
    /// `CONFIG SET` / `CONFIG GET` failures; the config module builds the exact text.
    Config(String),
    /// `CONFIG SET` of a name no directive has (raw bytes: it may not be UTF-8).
    ConfigUnknownOption(Vec<u8>),
    /// A message with its own error code, e.g. from a script or a module (`-CODE text`).
    Coded(String),
    /// A fixed message, code included: declare it as a named const below, in its family's section.
    Static(&'static str),
    /// Never answered: a quick script that turned slow is run again off the event loop (script_gate.rs).
    MovedOffEventLoop,
    /// Never answered: a script that turned slow on the event loop was yielded, and goes on off it (script_gate.rs).
    ScriptSuspended,
    /// A gate refused EXEC itself: Redis's `execCommandAbort` words the refusal (without its `ERR `).
    ExecAbortedBy(Box<CmdError>),
}

// Fixed messages, one section per command family. Add a family's texts in its own section.

// --- shared by several families ---
pub const NOT_POSITIVE: CmdError = CmdError::Static("ERR value is out of range, must be positive");
pub const NUMKEYS_TOO_MANY: CmdError = CmdError::Static("ERR Number of keys can't be greater than number of args");
/// getIntFromObjectOrReply on a number beyond an int (SELECT, MOVE, COPY ... DB).
pub const INT_RANGE: CmdError =
    CmdError::Static("ERR value is out of range, value must between -2147483648 and 2147483647");
/// HRANDFIELD / SRANDMEMBER / ZRANDMEMBER counts beyond ±LONG_MAX (Redis's text, "must between" included).
pub const COUNT_RANGE: CmdError =
    CmdError::Static("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");

// --- transactions ---
pub const EXEC_ABORT: CmdError = CmdError::Static("EXECABORT Transaction discarded because of previous errors.");
pub const MULTI_NESTED: CmdError = CmdError::Static("ERR MULTI calls can not be nested");
pub const EXEC_WITHOUT_MULTI: CmdError = CmdError::Static("ERR EXEC without MULTI");
pub const DISCARD_WITHOUT_MULTI: CmdError = CmdError::Static("ERR DISCARD without MULTI");
pub const WATCH_INSIDE_MULTI: CmdError = CmdError::Static("ERR WATCH inside MULTI is not allowed");
pub const NOT_ALLOWED_IN_MULTI: CmdError = CmdError::Static("ERR Command not allowed inside a transaction");
pub const OOM: CmdError = CmdError::Static(OOM_TEXT);
pub const OOM_TEXT: &str = "OOM command not allowed when used memory > 'maxmemory'.";

// --- scripts (busy) ---
pub const BUSY_SCRIPT: CmdError =
    CmdError::Static("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
pub const SCRIPT_UNKILLABLE: CmdError = CmdError::Static(
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the \
     script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
);

// --- hashes ---
pub const HASH_NOT_INTEGER: CmdError = CmdError::Static("ERR hash value is not an integer");
pub const HASH_NOT_FLOAT: CmdError = CmdError::Static("ERR hash value is not a float");
pub const HASH_INCR_NAN_OR_INFINITY: CmdError = CmdError::Static("ERR value is NaN or Infinity");
pub const HASH_WITHVALUES_COUNT_RANGE: CmdError = CmdError::Static("ERR value is out of range");

// --- sets ---
/// ZMPOP (and LMPOP) COUNT below 1 or not a number.
// --- lists ---
pub const INDEX_OUT_OF_RANGE: CmdError = CmdError::Static("ERR index out of range");
pub const LPOS_RANK_ZERO: CmdError = CmdError::Static(
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start \
     from the end of the list",
);
pub const LPOS_COUNT_NEGATIVE: CmdError = CmdError::Static("ERR COUNT can't be negative");
pub const LPOS_MAXLEN_NEGATIVE: CmdError = CmdError::Static("ERR MAXLEN can't be negative");
pub const MPOP_COUNT_NOT_POSITIVE: CmdError = CmdError::Static("ERR count should be greater than 0");
pub const SET_NUMKEYS_NOT_POSITIVE: CmdError = CmdError::Static("ERR numkeys should be greater than 0");
pub const SET_LIMIT_NEGATIVE: CmdError = CmdError::Static("ERR LIMIT can't be negative");

// --- sorted sets ---
pub const ZSET_XX_AND_NX: CmdError = CmdError::Static("ERR XX and NX options at the same time are not compatible");
pub const ZSET_GT_LT_NX: CmdError =
    CmdError::Static("ERR GT, LT, and/or NX options at the same time are not compatible");
pub const ZSET_INCR_SINGLE_PAIR: CmdError =
    CmdError::Static("ERR INCR option supports a single increment-element pair");
pub const ZSET_SCORE_NAN: CmdError = CmdError::Static("ERR resulting score is not a number (NaN)");
pub const ZSET_MIN_MAX_NOT_FLOAT: CmdError = CmdError::Static("ERR min or max is not a float");
pub const ZSET_MIN_MAX_NOT_STRING: CmdError = CmdError::Static("ERR min or max not valid string range item");
pub const ZSET_LIMIT_NEEDS_BY: CmdError =
    CmdError::Static("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
pub const ZSET_WITHSCORES_BYLEX: CmdError =
    CmdError::Static("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
pub const ZSET_WEIGHT_NOT_FLOAT: CmdError = CmdError::Static("ERR weight value is not a float");
pub const ZSET_ZUNION_NO_KEYS: CmdError = CmdError::Static("ERR at least 1 input key is needed for 'zunion' command");
pub const ZSET_ZUNIONSTORE_NO_KEYS: CmdError =
    CmdError::Static("ERR at least 1 input key is needed for 'zunionstore' command");
pub const ZSET_ZINTER_NO_KEYS: CmdError = CmdError::Static("ERR at least 1 input key is needed for 'zinter' command");
pub const ZSET_ZINTERSTORE_NO_KEYS: CmdError =
    CmdError::Static("ERR at least 1 input key is needed for 'zinterstore' command");
pub const ZSET_ZINTERCARD_NO_KEYS: CmdError =
    CmdError::Static("ERR at least 1 input key is needed for 'zintercard' command");
pub const ZSET_ZDIFF_NO_KEYS: CmdError = CmdError::Static("ERR at least 1 input key is needed for 'zdiff' command");
pub const ZSET_ZDIFFSTORE_NO_KEYS: CmdError =
    CmdError::Static("ERR at least 1 input key is needed for 'zdiffstore' command");

// --- scripting ---
pub const SCRIPT_NUMKEYS_NEGATIVE: CmdError = CmdError::Static("ERR Number of keys can't be negative");
/// Never expected: the command of a suspended script cannot be found again (rename-command is fixed at startup).
pub const SCRIPT_RESUME_LOST: CmdError = CmdError::Static("ERR the suspended script's command is gone");
pub const SCRIPT_NOSCRIPT: CmdError = CmdError::Static("NOSCRIPT No matching script. Please use EVAL.");
pub const SCRIPT_FLUSH_OPTION: CmdError = CmdError::Static("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
pub const SCRIPT_NOTBUSY: CmdError = CmdError::Static("NOTBUSY No scripts in execution right now.");
pub const SCRIPT_NO_ENGINE: CmdError = CmdError::Static("ERR Lua scripting engine unavailable");
pub const SCRIPT_SHEBANG_INVALID: CmdError = CmdError::Static("ERR Invalid script shebang");
pub const SCRIPT_SHEBANG_NO_ENGINE: CmdError = CmdError::Static("ERR Invalid engine in script shebang");
pub const SCRIPT_WRITE_FLAG_RO: CmdError =
    CmdError::Static("ERR Can not execute a script with write flag using *_ro command.");
/// A command a read-only script (EVAL_RO, `flags=no-writes`) may not call.
pub const SCRIPT_WRITE_IN_RO: &str = "ERR Write commands are not allowed from read-only scripts.";

/// `#!<engine>` names another engine than lua.
pub fn script_shebang_engine(engine: &[u8]) -> CmdError {
    CmdError::Coded(format!("ERR Unexpected engine in script shebang: {}", String::from_utf8_lossy(engine)))
}

/// A `flags=` list names an unknown flag.
pub fn script_shebang_flag(flag: &[u8]) -> CmdError {
    CmdError::Coded(format!("ERR Unexpected flag in script shebang: {}", String::from_utf8_lossy(flag)))
}

/// An option other than `flags=`.
pub fn script_shebang_option(option: &[u8]) -> CmdError {
    CmdError::Coded(format!("ERR Unknown lua shebang option: {}", String::from_utf8_lossy(option)))
}

// --- raised inside scripts (redis.* functions): error tables the script sees, then its reply ---
pub const LUA_NOT_RUNNING: &str = "ERR This Redis lib function can only be called from a running script";
pub const LUA_WRONG_ARGS: &str = "ERR wrong number of arguments";
pub const LUA_LOG_ARGS: &str = "ERR redis.log() requires two arguments or more.";
pub const LUA_LOG_LEVEL_TYPE: &str = "ERR First argument must be a number (log level).";
pub const LUA_LOG_LEVEL: &str = "ERR Invalid debug level.";
pub const LUA_SETRESP_ARGS: &str = "ERR redis.setresp() requires one argument.";
pub const LUA_SETRESP_VERSION: &str = "ERR RESP version must be 2 or 3.";
pub const LUA_SET_REPL_ARGS: &str = "ERR redis.set_repl() requires one argument.";
pub const LUA_SET_REPL_FLAGS: &str =
    "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
pub const LUA_ACL_CHECK_OUTSIDE: &str = "ERR redis.acl_check_cmd can only be called inside a script invocation";
pub const LUA_CALL_NO_ARGS: &str = "ERR Please specify at least one argument for this redis lib call";
pub const LUA_CALL_ARG_TYPE: &str = "ERR Lua redis lib command arguments must be strings or integers";
pub const LUA_ACL_CHECK_INVALID: &str = "ERR Invalid command passed to redis.acl_check_cmd()";
pub const LUA_CALL_ARITY: &str = "ERR Wrong number of args calling Redis command from script";
pub const LUA_CALL_UNKNOWN: &str = "ERR Unknown Redis command called from script";
pub const LUA_CALL_NOSCRIPT: &str = "ERR This Redis command is not allowed from script";
/// A script's reply nested deeper than Lua's stack allows.
pub const LUA_REPLY_TOO_DEEP: &[u8] = b"ERR reached lua stack limit";

/// The Lua state failed outside the script's own code.
pub fn script_run_failed(e: impl fmt::Display) -> CmdError {
    CmdError::Coded(format!("ERR Error running script: {e}"))
}

/// A script body that does not compile.
pub fn script_compile_failed(msg: &str) -> CmdError {
    CmdError::Coded(format!("ERR Error compiling script (new function): {msg}"))
}

/// A script raised something that is not an error table (a string, a number): its text, cut at 100 bytes.
pub fn script_failed_with(sha: &str, msg: &str) -> String {
    format!("ERR Error running script {sha}, {msg:.100}")
}

/// luaPushErrorBuff: an error reply line without a code gets this one.
pub const DEFAULT_CODE: &[u8] = b"ERR ";

// --- refused connections (written whole, then the connection closes) ---
pub const MAX_CLIENTS: &[u8] = b"-ERR max number of clients reached\r\n";
/// A client from outside the loopback interface while protected mode holds (no password set).
pub const PROTECTED_MODE_DENIED: &[u8] =
    b"-DENIED Redis is running in protected mode because protected mode is enabled \
and no password is set for the default user. In this mode connections are only accepted from the loopback \
interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: \
1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by \
connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible \
from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just \
disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', \
and then restarting the server. 3) If you started the server manually just for testing, restart it with the \
'--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to \
do one of the above things in order for the server to start accepting connections from the outside.\r\n";

// --- AOF rewrites (BGREWRITEAOF, CONFIG SET appendonly) ---
pub const AOF_REWRITE_IN_PROGRESS: &str = "ERR Background append only file rewriting already in progress";
pub const AOF_NO_DIRECTORY: &str = "ERR no append-only directory";

/// The rewrite child could not be started.
pub fn aof_rewrite_fork_failed(e: impl fmt::Display) -> String {
    format!("ERR Can't rewrite append only file in background: fork: {e}")
}

// --- RDB snapshots (SAVE, BGSAVE) and DUMP/RESTORE ---
pub const BGSAVE_IN_PROGRESS: CmdError = CmdError::Static("ERR Background save already in progress");
pub const BGSAVE_OTHER_CHILD: CmdError = CmdError::Static(
    "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule \
     a BGSAVE whenever possible.",
);
/// SAVE or BGSAVE failed (Redis's bare shared.err): the log says why.
pub const SAVE_FAILED: CmdError = CmdError::Static("ERR");
/// Writes refused after a failed background save (stop-writes-on-bgsave-error).
pub const MISCONF_RDB: CmdError = CmdError::Static(
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands \
     that may modify the data set are disabled, because this instance is configured to report errors during \
     writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for \
     details about the RDB error.",
);
pub const MIGRATE_KEYS_NEEDS_EMPTY_KEY: CmdError =
    CmdError::Static("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
/// Redis's text starts with its own code, so no ERR comes before it.
pub const MIGRATE_CONNECT_FAILED: CmdError = CmdError::Static("IOERR error or timeout connecting to the client");
/// MIGRATE's target answered an error: its text, after Redis's prefix.
pub fn migrate_target_error(why: &[u8]) -> CmdError {
    CmdError::Coded(format!("ERR Target instance replied with error: {}", String::from_utf8_lossy(why)))
}

/// MIGRATE's connection failed while writing or reading.
pub fn migrate_io_error(writing: bool) -> CmdError {
    let what = if writing { "writing" } else { "reading" };
    CmdError::Coded(format!("IOERR error or timeout {what} to target instance"))
}

pub const BUSYKEY: CmdError = CmdError::Static("BUSYKEY Target key name already exists.");
pub const RESTORE_BAD_PAYLOAD: CmdError = CmdError::Static("ERR DUMP payload version or checksum are wrong");
pub const RESTORE_BAD_DATA: CmdError = CmdError::Static("ERR Bad data format");
pub const RESTORE_INVALID_TTL: CmdError = CmdError::Static("ERR Invalid TTL value, must be >= 0");
pub const RESTORE_INVALID_IDLETIME: CmdError = CmdError::Static("ERR Invalid IDLETIME value, must be >= 0");
pub const RESTORE_INVALID_FREQ: CmdError = CmdError::Static("ERR Invalid FREQ value, must be >= 0 and <= 255");

// --- lifecycle (SHUTDOWN) ---
pub const SHUTDOWN_FAILED: CmdError = CmdError::Static("ERR Errors trying to SHUTDOWN. Check logs.");

// --- configuration and debugging (CONFIG, DEBUG) ---
pub const CONFIG_NO_FILE: CmdError = CmdError::Static("ERR The server is running without a config file");
pub const DEBUG_RELOAD_OPTIONS: CmdError =
    CmdError::Static("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
pub const DEBUG_RELOAD_FAILED: CmdError = CmdError::Static("ERR Error trying to load the RDB dump, check server logs.");
/// DEBUG LOADAOF with the AOF off: there is no directory to load (Redis exits; a debug command should not).
pub const DEBUG_LOADAOF_OFF: CmdError =
    CmdError::Static("ERR DEBUG LOADAOF needs the append only file (appendonly yes)");
/// DEBUG LOADAOF found a file it cannot load: the server stops, as redis-server exits.
pub const DEBUG_LOADAOF_FAILED: CmdError =
    CmdError::Static("ERR Error trying to load the append only file, check server logs. The server is stopping.");
pub const DEBUG_PROTOCOL_TYPES: CmdError = CmdError::Static(
    "ERR Wrong protocol type name. Please use one of the following: \
     string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
);
pub const DEBUG_PROTOCOL_RESP2_PUSH: CmdError = CmdError::Static("ERR RESP2 is not supported by this command");

// --- diagnostics (SLOWLOG, LATENCY) ---
pub const SLOWLOG_COUNT: CmdError = CmdError::Static("ERR count should be greater than or equal to -1");

/// LATENCY GRAPH of an event with no samples.
pub fn latency_no_samples(event: &[u8]) -> CmdError {
    CmdError::Coded(format!("ERR No samples available for event '{}'", String::from_utf8_lossy(event)))
}

// --- clients (MONITOR, CLIENT) ---
pub const MONITOR_DENY_BLOCKING: CmdError = CmdError::Static("ERR MONITOR isn't allowed for DENY BLOCKING client");
pub const MONITOR_KEYSPACE: CmdError = CmdError::Static("ERR Replica can't interact with the keyspace");
pub const CLIENT_PAUSE_MODE: CmdError = CmdError::Static("ERR CLIENT PAUSE mode must be WRITE or ALL");
pub const CLIENT_TIMEOUT_NOT_INTEGER: CmdError = CmdError::Static("ERR timeout is not an integer or out of range");
pub const CLIENT_TIMEOUT_NEGATIVE: CmdError = CmdError::Static("ERR timeout is negative");
pub const CLIENT_UNBLOCK_REASON: CmdError = CmdError::Static("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
pub const CLIENT_MAXAGE_NOT_INTEGER: CmdError = CmdError::Static("ERR maxage is not an integer or out of range");
pub const TRACKING_UNSUPPORTED: CmdError =
    CmdError::Static("ERR client-side caching (CLIENT TRACKING ON) is not supported by this server");
pub const TRACKING_REDIRECT_MISSING: CmdError =
    CmdError::Static("ERR The client ID you want redirect to does not exist");
pub const TRACKING_ONE_REDIRECT: CmdError = CmdError::Static("ERR A client can only redirect to a single other client");
pub const TRACKING_PREFIX_NEEDS_BCAST: CmdError =
    CmdError::Static("ERR PREFIX option requires BCAST mode to be enabled");
pub const TRACKING_BCAST_OPTIN: CmdError = CmdError::Static("ERR OPTIN and OPTOUT are not compatible with BCAST");
pub const TRACKING_OPTIN_OPTOUT: CmdError = CmdError::Static("ERR You can't specify both OPTIN mode and OPTOUT mode");
pub const TRACKING_CACHING_OFF: CmdError = CmdError::Static(
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
);

impl CmdError {
    /// `ERR wrong number of arguments for '<name>' command`, with the lowercased (sub)command name.
    pub fn arity(name: &str) -> CmdError {
        CmdError::WrongArity(name.to_ascii_lowercase())
    }

    pub fn unknown_command(argv: &[&[u8]]) -> CmdError {
        CmdError::UnknownCommand {
            name: argv.first().map(|n| n.to_vec()).unwrap_or_default(),
            args: argv.iter().skip(1).map(|a| a.to_vec()).collect(),
        }
    }
}

/// Redis truncates user-supplied text in error messages with `%.128s`.
fn clip(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// What a `%s` shows of an argument: the bytes before its first NUL (Redis formats them as C strings).
fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |nul| &b[..nul])
}

/// `prefix` + the argument as `%s` shows it, raw bytes (not lossy UTF-8) + `suffix`.
fn quoted(out: &mut Vec<u8>, prefix: &str, arg: &[u8], suffix: &str) {
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(c_str(arg));
    out.extend_from_slice(suffix.as_bytes());
}

impl CmdError {
    /// The error line without `-` and CRLF. User text is copied as raw bytes (Redis is binary-safe here too);
    /// the reply writer turns any CR or LF into a space so the line stays one line.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            CmdError::UnknownCommand { name, args } => {
                out.extend_from_slice(b"ERR unknown command '");
                out.extend_from_slice(clip(c_str(name), 128));
                out.extend_from_slice(b"', with args beginning with: ");
                // Redis lists arguments while the list stays under 128 bytes.
                let mut len = 0;
                for a in args {
                    if len >= 128 {
                        break;
                    }
                    let shown = clip(c_str(a), 128 - len);
                    out.push(b'\'');
                    out.extend_from_slice(shown);
                    out.extend_from_slice(b"' ");
                    len += shown.len() + 3;
                }
            }
            CmdError::UnknownSubcommand { sub, command } => {
                out.extend_from_slice(b"ERR unknown subcommand '");
                out.extend_from_slice(clip(c_str(sub), 128));
                out.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
            }
            CmdError::UnknownSubcommandOrArity { sub, command } => {
                out.extend_from_slice(b"ERR unknown subcommand or wrong number of arguments for '");
                out.extend_from_slice(clip(c_str(sub), 128));
                out.extend_from_slice(format!("'. Try {} HELP.", command.to_ascii_uppercase()).as_bytes());
            }
            CmdError::UnsupportedOption(opt) => {
                // addReplyErrorFormat trims CR and LF off the ends of the text, and here the option ends it.
                let opt = c_str(opt);
                let kept = opt.iter().rposition(|&c| c != b'\r' && c != b'\n').map_or(0, |i| i + 1);
                quoted(out, "ERR Unsupported option ", &opt[..kept], "")
            }
            CmdError::HelloSyntax(opt) => quoted(out, "ERR Syntax error in HELLO option '", opt, "'"),
            CmdError::UnknownClientType(t) => quoted(out, "ERR Unknown client type '", t, "'"),
            CmdError::NoSuchUser(u) => quoted(out, "ERR No such user '", u, "'"),
            CmdError::UnrecognizedOption(opt) => quoted(out, "ERR Unrecognized option '", opt, "'"),
            CmdError::ConfigUnknownOption(name) => {
                quoted(out, "ERR Unknown option or number of arguments for CONFIG SET - '", name, "'")
            }
            CmdError::ExecAbortedBy(why) => {
                out.extend_from_slice(b"EXECABORT Transaction discarded because of: ");
                let start = out.len();
                why.write_to(out);
                if out[start..].starts_with(b"ERR ") {
                    out.drain(start..start + 4);
                }
            }
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CmdError::*;
        match self {
            UnknownCommand { .. }
            | UnknownSubcommand { .. }
            | UnknownSubcommandOrArity { .. }
            | UnsupportedOption(_)
            | HelloSyntax(_)
            | UnknownClientType(_)
            | NoSuchUser(_)
            | UnrecognizedOption(_)
            | ExecAbortedBy(_)
            | ConfigUnknownOption(_) => {
                let mut v = Vec::new();
                self.write_to(&mut v);
                f.write_str(&String::from_utf8_lossy(&v))
            }
            WrongArity(name) => write!(f, "ERR wrong number of arguments for '{name}' command"),
            Misconf(why) => write!(f, "MISCONF Errors writing to the AOF file: {why}"),
            SubscribedContext(name) => write!(
                f,
                "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are \
                 allowed in this context"
            ),
            Syntax => f.write_str("ERR syntax error"),
            NotInteger => f.write_str("ERR value is not an integer or out of range"),
            NotFloat => f.write_str("ERR value is not a valid float"),
            Overflow => f.write_str("ERR increment or decrement would overflow"),
            DecrementOverflow => f.write_str("ERR decrement would overflow"),
            NanOrInfinity => f.write_str("ERR increment would produce NaN or Infinity"),
            WrongType => f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value"),
            NoSuchKey => f.write_str("ERR no such key"),
            InvalidExpire(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            StringTooLong => f.write_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
            OffsetOutOfRange => f.write_str("ERR offset is out of range"),
            DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            SameObject => f.write_str("ERR source and destination objects are the same"),
            NoShutdownInProgress => f.write_str("ERR No shutdown in progress."),
            InvalidFirstDbIndex => f.write_str("ERR invalid first DB index"),
            InvalidSecondDbIndex => f.write_str("ERR invalid second DB index"),
            InvalidCursor => f.write_str("ERR invalid cursor"),
            IdletimeUnderLfu => f.write_str(
                "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching \
                 between policies at runtime LRU and LFU data will take some time to adjust.",
            ),
            FreqUnderLru => f.write_str(
                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that \
                 when switching between policies at runtime LRU and LFU data will take some time to adjust.",
            ),
            ExpireOptionsNxXx => f.write_str("ERR NX and XX, GT or LT options at the same time are not compatible"),
            ExpireOptionsGtLt => f.write_str("ERR GT and LT options at the same time are not compatible"),
            NoAuth => f.write_str("NOAUTH Authentication required."),
            WrongPass => f.write_str("WRONGPASS invalid username-password pair or user is disabled."),
            AuthNotConfigured => f.write_str(
                "ERR AUTH <password> called without any password configured for the default user. \
                 Are you sure your configuration is correct?",
            ),
            NoProto => f.write_str("NOPROTO unsupported protocol version"),
            ProtoVersionNotInteger => f.write_str("ERR Protocol version is not an integer or out of range"),
            HelloNoAuth => f.write_str(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO \
                 AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol \
                 version at the same time",
            ),
            ResetNotNormal => f.write_str("ERR can only reset normal client connections"),
            InvalidCommandSpecified => f.write_str("ERR Invalid command specified"),
            InvalidCommandArgs => f.write_str("ERR Invalid number of arguments specified for command"),
            InvalidCommandArguments => f.write_str("ERR Invalid arguments specified for command"),
            NoKeyArguments => f.write_str("ERR The command has no key arguments"),
            InvalidClientId => f.write_str("ERR Invalid client ID"),
            ClientIdNotPositive => f.write_str("ERR client-id should be greater than 0"),
            MaxClients => f.write_str("ERR max number of clients reached"),
            ClientNameInvalid => f.write_str("ERR Client names cannot contain spaces, newlines or special characters."),
            ClientSetinfoInvalid(attr) => {
                write!(f, "ERR {attr} cannot contain spaces, newlines or special characters.")
            }
            NoSuchClient => f.write_str("ERR No such client"),
            DebugNotAllowed => f.write_str(
                "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", \
                 you can run it from a local connection, otherwise you need to set this option in the \
                 configuration file, and then restart the server.",
            ),
            NotAllowedInScriptOrSubscribe(name) => write!(
                f,
                "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET \
                 are allowed in this context"
            ),
            Config(text) => write!(f, "ERR {text}"),
            Coded(text) => f.write_str(text),
            MovedOffEventLoop => f.write_str("ERR script moved off the event loop"),
            ScriptSuspended => f.write_str("ERR script suspended"),
            Static(text) => f.write_str(text),
        }
    }
}

/// A malformed request: the server replies `-ERR Protocol error: <reason>` and closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    InvalidMultibulkLength,
    InvalidBulkLength,
    /// Over the limits for clients that have not authenticated (Redis 7.0.15).
    UnauthenticatedMultibulkLength,
    UnauthenticatedBulkLength,
    ExpectedDollar(u8),
    TooBigInlineRequest,
    TooBigMbulkCount,
    TooBigBulkCount,
    UnbalancedQuotes,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolError::*;
        f.write_str("ERR Protocol error: ")?;
        match self {
            InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            InvalidBulkLength => f.write_str("invalid bulk length"),
            UnauthenticatedMultibulkLength => f.write_str("unauthenticated multibulk length"),
            UnauthenticatedBulkLength => f.write_str("unauthenticated bulk length"),
            ExpectedDollar(c) => write!(f, "expected '$', got '{}'", shown_byte(*c) as char),
            TooBigInlineRequest => f.write_str("too big inline request"),
            TooBigMbulkCount => f.write_str("too big mbulk count string"),
            TooBigBulkCount => f.write_str("too big bulk count string"),
            UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
        }
    }
}

impl ProtocolError {
    /// The error line without `-` and CRLF, as bytes: the offending byte of `ExpectedDollar` is written raw,
    /// as Redis's `%c` writes it (Display would turn a byte over 0x7f into two bytes of UTF-8).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            ProtocolError::ExpectedDollar(c) => {
                out.extend_from_slice(b"ERR Protocol error: expected '$', got '");
                out.push(shown_byte(*c));
                out.push(b'\'');
            }
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
    }
}

/// Redis's error replies turn CR and LF into spaces, so the error stays one line.
fn shown_byte(c: u8) -> u8 {
    if c == b'\r' || c == b'\n' {
        b' '
    } else {
        c
    }
}

/// Errors of the library API (starting a server, bad configuration).
#[derive(Debug)]
pub enum Error {
    /// An I/O error (binding, the log file, the AOF directory).
    Io(std::io::Error),
    /// A configuration error, worded as redis-server prints it.
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Config(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_lists_args_like_redis() {
        let e = CmdError::unknown_command(&[b"FOO", b"bar", b"baz"]);
        assert_eq!(e.to_string(), "ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' ");
        let e = CmdError::unknown_command(&[b"FOO"]);
        assert_eq!(e.to_string(), "ERR unknown command 'FOO', with args beginning with: ");
    }

    #[test]
    fn user_text_is_cut_at_nul_and_copied_raw() {
        let text = |e: CmdError| {
            let mut v = Vec::new();
            e.write_to(&mut v);
            v
        };
        let e = CmdError::unknown_command(&[b"ab\0cd", b"x\0y", b"\xff"]);
        assert_eq!(text(e), b"ERR unknown command 'ab', with args beginning with: 'x' '\xff' ");
        let e = CmdError::UnknownSubcommand { sub: b"GE\0T".to_vec(), command: "config" };
        assert_eq!(text(e), b"ERR unknown subcommand 'GE'. Try CONFIG HELP.");
        assert_eq!(text(CmdError::HelloSyntax(b"\xff\0x".to_vec())), b"ERR Syntax error in HELLO option '\xff'");
        assert_eq!(text(CmdError::UnsupportedOption(b"\na\rb\r\n".to_vec())), b"ERR Unsupported option \na\rb");
        let mut v = Vec::new();
        ProtocolError::ExpectedDollar(0x80).write_to(&mut v);
        assert_eq!(v, b"ERR Protocol error: expected '$', got '\x80'");
        v.clear();
        ProtocolError::ExpectedDollar(b'\n').write_to(&mut v);
        assert_eq!(v, b"ERR Protocol error: expected '$', got ' '");
    }

    #[test]
    fn arity_is_lowercased() {
        assert_eq!(CmdError::arity("GET").to_string(), "ERR wrong number of arguments for 'get' command");
    }
}
