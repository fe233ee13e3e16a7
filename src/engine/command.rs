//! Commands as data: one `CommandSpec` row per command (name, arity, flags, keys, group, handler). The families
//! define their rows (`cmd::FAMILIES`); `table` indexes them and `dispatch` applies Redis's gates to every caller.

use super::dispatch::Ctx;
use crate::error::CmdError;

/// A command's handler: parses its arguments, runs the operation and writes exactly one reply to `ctx.out` on
/// success. On `Err` it has written nothing; the dispatcher writes the error. Synchronous and socket-free.
pub type Handler = fn(&mut Ctx, &[&[u8]]) -> Result<(), CmdError>;

/// Command flags, Redis's names (COMMAND INFO prints them).
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MULTI: u32 = 1 << 14;
    pub const ALLOW_BUSY: u32 = 1 << 15;
    /// DEBUG: refused unless `enable-debug-command` allows it.
    pub const PROTECTED: u32 = 1 << 16;
    // 1 << 17 and 1 << 18: Redis's SENTINEL and ONLY_SENTINEL, for commands this server does not have.
    pub const NO_MANDATORY_KEYS: u32 = 1 << 19;
    pub const NO_ASYNC_LOADING: u32 = 1 << 20;
    /// Keys found through a numkeys argument (set with `CommandSpec::numkeys_at`, not by hand).
    pub const MOVABLEKEYS: u32 = 1 << 21;
    /// Runs on a blocking thread so the event loop can answer BUSY meanwhile (scripts). Internal, not printed.
    pub const OFFLOAD: u32 = 1 << 22;
    /// Internal: runs other commands and is recorded for the AOF as those (EXEC, EVAL...), never as itself.
    pub const PROPAGATES_PARTS: u32 = 1 << 23;
    /// Cluster's ASKING flag (RESTORE-ASKING): accepted for a slot being imported. Printed, not acted on.
    pub const ASKING: u32 = 1 << 24;

    /// (flag, name) in the order Redis 7.0 prints them in COMMAND INFO; MAY_REPLICATE, SENTINEL and PROTECTED
    /// are hidden on purpose there.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLEKEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// One command (or subcommand) row.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase name; subcommands are named without their container (`setname`).
    pub name: &'static str,
    /// Redis's convention: N = exactly N arguments including the name, -N = at least N.
    pub arity: i32,
    pub flags: u32,
    /// First key position, last key position (negative counts from the end), step; 0 = no keys.
    pub keys: (i32, i32, i32),
    /// For commands whose keys follow a numkeys argument (ZUNIONSTORE dst numkeys k...): its position.
    pub numkeys: Option<usize>,
    /// ACL categories beyond those implied by the flags, e.g. "@string".
    pub acl: &'static [&'static str],
    pub group: &'static str,
    /// None for containers (CLIENT, CONFIG...) whose rows are in `subcommands`.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    /// Writes and what may replicate (scripts, the Pub/Sub publishes: a flag COMMAND INFO hides).
    pub fn may_replicate(&self) -> bool {
        self.has(flags::WRITE | flags::MAY_REPLICATE)
    }

    /// What a MONITOR client may not run (processCommand's "Replica can't interact with the keyspace"): reads,
    /// writes, and what may replicate (scripts, the Pub/Sub publishes; a flag COMMAND INFO hides).
    pub fn touches_keyspace(&self) -> bool {
        self.has(flags::READONLY | flags::WRITE | flags::MAY_REPLICATE)
    }

    pub const fn new(name: &'static str, arity: i32, flags: u32, keys: (i32, i32, i32), handler: Handler) -> Self {
        CommandSpec {
            name,
            arity,
            flags,
            keys,
            numkeys: None,
            acl: &[],
            group: "",
            handler: Some(handler),
            subcommands: &[],
        }
    }

    pub const fn container(name: &'static str, subcommands: &'static [CommandSpec]) -> Self {
        CommandSpec {
            name,
            arity: -2,
            flags: 0,
            keys: (0, 0, 0),
            numkeys: None,
            acl: &[],
            group: "",
            handler: None,
            subcommands,
        }
    }

    /// Keys are the `numkeys` arguments after position `at` (plus any in `keys`, e.g. a destination).
    pub const fn numkeys_at(mut self, at: usize) -> Self {
        self.numkeys = Some(at);
        self.flags |= flags::MOVABLEKEYS;
        self
    }

    pub const fn group(mut self, group: &'static str) -> Self {
        self.group = group;
        self
    }

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub fn arity_ok(&self, argc: usize) -> bool {
        let a = self.arity;
        (a > 0 && argc == a as usize) || (a < 0 && argc >= (-a) as usize)
    }

    /// Subcommand rows are named `container|sub`; this finds one by its `sub` part.
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.subcommands.iter().find(|s| {
            let short = s.name.rsplit('|').next().unwrap_or(s.name);
            short.as_bytes().eq_ignore_ascii_case(name)
        })
    }

    /// Positions of the key arguments in `argv` (COMMAND GETKEYS, and later WATCH/ACL/cluster); None when a
    /// numkeys argument is not a positive count that the arguments can hold.
    pub fn key_positions(&self, argv: &[&[u8]]) -> Option<Vec<usize>> {
        let mut positions = Vec::new();
        self.for_each_key(argv, |i| positions.push(i)).then_some(positions)
    }

    /// Calls `f` with each key's position in `argv`, without allocating; false if the numkeys argument is bad.
    pub fn for_each_key(&self, argv: &[&[u8]], mut f: impl FnMut(usize)) -> bool {
        let argc = argv.len();
        let (first, last, step) = self.keys;
        if first > 0 && step > 0 {
            let last = if last < 0 { argc as i32 + last } else { last.min(argc as i32 - 1) };
            (first..=last).step_by(step as usize).for_each(|i| f(i as usize));
        }
        if let Some(at) = self.numkeys {
            let n = argv.get(at).and_then(|a| crate::protocol::number::parse_i64(a)).unwrap_or(0);
            if n <= 0 || n as usize > argc - at - 1 {
                return false;
            }
            (at + 1..=at + n as usize).for_each(f);
        }
        true
    }
}
