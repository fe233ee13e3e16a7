//! Commands as data: one `CommandSpec` row per command (name, arity, flags, keys, group, handler), the table
//! made of every family's rows, and the one dispatcher that applies Redis's gates to every caller.

pub mod dispatch;
pub mod table;

pub use dispatch::{dispatch, Ctx};

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
    pub const SENTINEL: u32 = 1 << 17;
    pub const ONLY_SENTINEL: u32 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 19;
    pub const NO_ASYNC_LOADING: u32 = 1 << 20;

    /// (flag, name) in the order Redis prints them in COMMAND INFO. SENTINEL and PROTECTED are internal: Redis
    /// 7.0 does not print them.
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
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
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
    /// ACL categories beyond those implied by the flags, e.g. "@string".
    pub acl: &'static [&'static str],
    pub group: &'static str,
    /// None for containers (CLIENT, CONFIG...) whose rows are in `subcommands`.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub const fn new(name: &'static str, arity: i32, flags: u32, keys: (i32, i32, i32), handler: Handler) -> Self {
        CommandSpec { name, arity, flags, keys, acl: &[], group: "", handler: Some(handler), subcommands: &[] }
    }

    pub const fn container(name: &'static str, subcommands: &'static [CommandSpec]) -> Self {
        CommandSpec { name, arity: -2, flags: 0, keys: (0, 0, 0), acl: &[], group: "", handler: None, subcommands }
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

    /// Positions of the key arguments in `argv` (COMMAND GETKEYS, and later WATCH/ACL/cluster).
    pub fn key_positions(&self, argc: usize) -> Vec<usize> {
        let (first, last, step) = self.keys;
        if first <= 0 || step <= 0 {
            return Vec::new();
        }
        let last = if last < 0 { argc as i32 + last } else { last.min(argc as i32 - 1) };
        (first..=last).step_by(step as usize).map(|i| i as usize).collect()
    }
}
