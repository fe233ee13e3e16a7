//! The one path every command takes, whoever sends it: lookup, arity, protection, authentication, run.
//! The gates are in redis-server's `processCommand` order, so the same bad command gets the same error.

use super::{flags, table, CommandSpec};
use crate::config::Protection;
use crate::engine::client::Client;
use crate::engine::memory::Eviction;
use crate::engine::state::{Shared, State};
use crate::error::CmdError;
use crate::protocol::Out;
use crate::storage::Db;

/// What a handler sees: the state it may change, the calling client and its reply buffer.
pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub shared: &'a Shared,
    pub client: &'a mut Client,
    pub out: &'a mut Out,
    /// The clock for this execution unit: every TTL decision in one command uses the same instant.
    pub now: i64,
    /// Record the command for the AOF even if it changed nothing (FLUSHALL, FLUSHDB: Redis's
    /// forceCommandPropagation).
    pub force_propagate: bool,
    /// The handler recorded its effects itself (`propagate_as`): the command as sent is not recorded.
    pub propagated: bool,
    /// The handler wrote an error reply itself (a script's error).
    pub error_reply: ErrorReply,
}

/// An error reply a handler wrote itself, and whether it counts in INFO errorstats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorReply {
    None,
    /// Counted as the command's error.
    Counted,
    /// A command's error passed on, already counted when that command failed (ignore_error_stats_update).
    Uncounted,
}

impl Ctx<'_> {
    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.state.dbs[self.client.db]
    }

    /// A write changed `key` in the client's database: Redis's signalModifiedKey + notifyKeyspaceEvent +
    /// dirty++. Breaks the WATCHes on the key, publishes the keyspace event, marks the command for the AOF.
    pub fn changed(&mut self, class: u32, event: &str, key: &[u8]) {
        self.modified(key);
        self.notify(class, event, key);
    }

    /// The key's content changed, without an event of its own (the command already announced one).
    pub fn modified(&mut self, key: &[u8]) {
        self.state.dirty += 1;
        self.state.dbs[self.client.db].touch(key);
    }

    /// Records `argv` for the AOF instead of the command as sent (Redis's rewriteClientCommandVector and
    /// alsoPropagate): relative expiries become absolute (`SET k v PXAT ms`, `PEXPIREAT`), random or
    /// float-computed results become what they were (`SREM` for SPOP, `SET ... KEEPTTL` for INCRBYFLOAT). Call
    /// it once per command to record, after the change; several calls are replayed as one transaction.
    pub fn propagate_as(&mut self, argv: &[&[u8]]) {
        self.propagated = true;
        if self.state.effects.enabled {
            // Expiries the lookup met come first, as they happened first.
            self.state.settle_key_events(self.client.db, self.now);
            self.state.effects.record(self.client.db, argv);
        }
    }

    /// Publishes a keyspace event for a key of the client's database (a command may announce several: `set`
    /// then `expire`, `hdel` then `del`...).
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.state.notify(class, event, key, self.client.db, self.now);
    }
}

/// Resolves a command (and its subcommand, for containers) by name, case-insensitively, among the names the
/// server answers to (`state.commands`: the table, after `rename-command`).
pub fn lookup(names: &table::Names, argv: &[&[u8]]) -> Result<&'static CommandSpec, CmdError> {
    let name = argv.first().copied().unwrap_or_default();
    let Some(cmd) = names.find(name) else {
        return Err(CmdError::unknown_command(argv));
    };
    if cmd.subcommands.is_empty() {
        return Ok(cmd);
    }
    match argv.get(1) {
        // A container that also runs bare (COMMAND).
        None if cmd.handler.is_some() => Ok(cmd),
        None => Err(CmdError::arity(cmd.name)),
        Some(sub) => {
            cmd.subcommand(sub).ok_or_else(|| CmdError::UnknownSubcommand { sub: sub.to_vec(), command: cmd.name })
        }
    }
}

/// A command refused by a gate: inside MULTI it also dooms the transaction (Redis's `rejectCommand`).
pub fn reject(client: &mut Client, out: &mut Out, e: &CmdError) {
    if client.multi.is_some() {
        client.multi_aborted = true;
    }
    out.error(e);
}

/// `reject`, counted in the command's `rejected_calls` and the error statistics. A refused EXEC discards the
/// transaction, whatever the reason (Redis's execCommandAbort), even outside MULTI.
fn reject_cmd(state: &mut State, cmd: &'static CommandSpec, client: &mut Client, out: &mut Out, e: &CmdError) {
    let at = out.buf.len();
    if cmd.name == "exec" {
        client.discard_transaction(&mut state.dbs);
        out.error(&CmdError::ExecAbortedBy(Box::new(e.clone())));
    } else {
        reject(client, out, e);
    }
    state.observe.record_error(&out.buf[at..]);
    state.observe.record_rejected(table::full_name(cmd));
    state.observe.errors_seen = state.observe.total_error_replies;
}

/// The commands MULTI does not queue.
fn runs_inside_multi(cmd: &CommandSpec) -> bool {
    matches!(cmd.name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

/// Reports a command that ran to the observer: statistics, slow log, latency events, MONITOR.
fn observe(ctx: &mut Ctx, cmd: &'static CommandSpec, argv: &[&[u8]], usec: u64, failed: bool) {
    let full_name = table::full_name(cmd);
    let (config, observer) = (&ctx.state.config, &mut ctx.state.observe);
    observer.record_call(full_name, usec, failed, config.latency_tracking);
    let unix_time = ctx.now / 1000;
    if config.slowlog_log_slower_than >= 0
        && usec as i64 >= config.slowlog_log_slower_than
        && !cmd.has(flags::SKIP_SLOWLOG)
    {
        let name = ctx.state.clients.get(ctx.client.id).and_then(|c| c.name.clone()).unwrap_or_default();
        let (threshold, max_len) = (config.slowlog_log_slower_than, config.slowlog_max_len);
        let name = String::from_utf8_lossy(&name).into_owned();
        ctx.state.observe.maybe_slowlog(threshold, max_len, usec, argv, unix_time, &ctx.client.addr, &name);
    }
    let threshold = ctx.state.config.latency_monitor_threshold;
    if threshold > 0 {
        let event = if cmd.has(flags::FAST) { "fast-command" } else { "command" };
        ctx.state.observe.maybe_latency(threshold, event, usec / 1000, unix_time);
    }
    if !ctx.state.observe.monitors.is_empty() {
        let now_us = ctx.shared.clock.now_us();
        ctx.state.observe.feed_monitors(cmd, ctx.client.db, &ctx.client.addr, argv, now_us);
    }
}

/// Is `cmd` an EXEC whose queued commands carry `flag`? (Redis's gates read mstate.cmd_flags for EXEC.)
fn exec_has(cmd: &CommandSpec, client: &Client, flag: u32) -> bool {
    cmd.name == "exec" && client.multi.is_some() && client.multi_flags & flag != 0
}

/// The flags the gates apply: the command's, or what a script's shebang declares (EVAL and friends).
fn gate_flags(state: &State, cmd: &CommandSpec, argv: &[&[u8]]) -> u32 {
    script_gate_flags(state, cmd, argv).unwrap_or(cmd.flags)
}

fn allowed_while_subscribed(cmd: &CommandSpec) -> bool {
    matches!(
        cmd.name,
        "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "ping"
            | "quit"
            | "reset"
    )
}

/// What a script command's script declares for the gates (None: no script, or the command's own flags).
fn script_gate_flags(state: &State, cmd: &CommandSpec, argv: &[&[u8]]) -> Option<u32> {
    state.scripts.as_ref()?.gate_flags(cmd, argv)
}

/// The DEBUG subcommands of the test kit (`--test-mode yes` lets every client use them, whatever
/// `enable-debug-command` says).
fn is_test_subcommand(sub: &[u8]) -> bool {
    ["advance-time", "set-time", "freeze-time", "resume-time", "seed", "crash"]
        .iter()
        .any(|name| sub.eq_ignore_ascii_case(name.as_bytes()))
}

/// Runs one command (or queues it inside MULTI) and writes its reply to `out`.
pub fn dispatch(state: &mut State, shared: &Shared, client: &mut Client, argv: &[&[u8]], out: &mut Out) {
    if state.effects.timestamps {
        state.effects.now_secs = shared.clock.now_ms() / 1000;
    }
    let cmd = match lookup(&state.commands, argv) {
        Ok(cmd) => cmd,
        Err(e) => {
            // CLIENT LIST's `cmd=` is the last command looked up, refused or not (Redis's lastcmd).
            client.last_cmd = "NULL";
            let at = out.buf.len();
            reject(client, out, &e);
            state.observe.record_error(&out.buf[at..]);
            // A container named alone (`CONFIG`) was found: Redis counts the arity error as its rejected call.
            if let CmdError::WrongArity(_) = e {
                if let Some(container) = state.commands.find(argv[0]) {
                    client.last_cmd = table::full_name(container);
                    state.observe.record_rejected(table::full_name(container));
                }
            }
            state.observe.errors_seen = state.observe.total_error_replies;
            return;
        }
    };
    let full_name = table::full_name(cmd);
    client.last_cmd = full_name;
    if !cmd.arity_ok(argv.len()) {
        return reject_cmd(state, cmd, client, out, &CmdError::WrongArity(full_name.to_string()));
    }
    if cmd.has(flags::PROTECTED) {
        let allowed = match state.config.enable_debug_command {
            Protection::Yes => true,
            Protection::Local => client.local,
            Protection::No => false,
        } || (state.config.test_mode && cmd.name == "debug" && is_test_subcommand(argv[1]));
        if !allowed {
            return reject_cmd(state, cmd, client, out, &CmdError::DebugNotAllowed);
        }
    }
    if !client.authenticated && !cmd.has(flags::NO_AUTH) {
        if state.config.requirepass.is_none() {
            client.authenticated = true;
        } else {
            return reject_cmd(state, cmd, client, out, &CmdError::NoAuth);
        }
    }
    // Over maxmemory: evict first; if nothing more can go, commands that may grow memory are refused. Never
    // while loading: the saved data is rebuilt whole, and the limit applies to what comes after.
    let gate = gate_flags(state, cmd, argv);
    if state.config.maxmemory == 0 || state.loading {
        state.pre_command_oom = false;
    } else {
        let out_of_memory = state.evict_to_fit(shared.clock.now_ms()) == Eviction::Failed;
        state.pre_command_oom = out_of_memory;
        // Queuing in a transaction may grow memory without bound: only EXEC, DISCARD, QUIT and RESET pass.
        let queuing = client.multi.is_some() && !matches!(cmd.name, "exec" | "discard" | "quit" | "reset");
        if out_of_memory && (gate & flags::DENYOOM != 0 || queuing || exec_has(cmd, client, flags::DENYOOM)) {
            return reject_cmd(state, cmd, client, out, &crate::error::OOM);
        }
    }
    // While the data cannot be persisted (a failed background save, an AOF that cannot be written), writes are
    // refused rather than acknowledged unpersisted; PING too, so health checks notice (as Redis does).
    if gate & flags::WRITE != 0 || exec_has(cmd, client, flags::WRITE) || cmd.name == "ping" {
        if state.rdb_writes_denied() {
            return reject_cmd(state, cmd, client, out, &crate::error::MISCONF_RDB);
        }
        if let Some(why) = shared.aof.write_error() {
            return reject_cmd(state, cmd, client, out, &CmdError::Misconf(why));
        }
    }
    // A RESP2 subscriber's connection carries messages: only (un)subscribing, PING, QUIT and RESET make sense.
    if client.subscriptions > 0 && !out.resp3 && !allowed_while_subscribed(cmd) {
        return reject_cmd(state, cmd, client, out, &CmdError::SubscribedContext(full_name.to_string()));
    }
    // A MONITOR client is a replica to Redis: it may not touch the keyspace.
    if client.monitor && cmd.touches_keyspace() {
        return reject_cmd(state, cmd, client, out, &crate::error::MONITOR_KEYSPACE);
    }
    if let Some(queue) = &mut client.multi {
        if cmd.has(flags::NO_MULTI) {
            return reject_cmd(state, cmd, client, out, &crate::error::NOT_ALLOWED_IN_MULTI);
        }
        if !runs_inside_multi(cmd) {
            queue.push(argv.iter().map(|a| a.to_vec()).collect());
            // What the gates will see at EXEC: a script's declared flags (its shebang), and whether it runs a script.
            client.multi_flags |= gate | (cmd.flags & flags::OFFLOAD);
            return out.raw(b"+QUEUED\r\n");
        }
    }
    // One execution unit: what it writes (an EXEC's or a script's commands too) is recorded as one.
    state.effects.begin_unit();
    execute(state, shared, client, cmd, argv, out);
    if client.suspended.is_none() {
        state.effects.end_unit();
        state.settle_ready_keys();
    }
}

/// Where a command whose script was suspended stopped: what `execute` needs to finish it as one command.
#[derive(Debug)]
pub struct Suspended {
    now: i64,
    dirty: u64,
    usec: u64,
}

/// Goes on with the command whose script was suspended (`client.suspended`), past the gates it already passed,
/// inside its execution unit still open.
pub fn resume(state: &mut State, shared: &Shared, client: &mut Client, argv: &[&[u8]], out: &mut Out) {
    let Ok(cmd) = lookup(&state.commands, argv) else {
        client.suspended = None;
        return out.error(&crate::error::SCRIPT_RESUME_LOST);
    };
    execute(state, shared, client, cmd, argv, out);
    if client.suspended.is_none() {
        state.effects.end_unit();
        state.settle_ready_keys();
    }
}

/// Runs a command that passed the gates (directly, or queued and now run by EXEC).
pub fn execute(
    state: &mut State,
    shared: &Shared,
    client: &mut Client,
    cmd: &'static CommandSpec,
    argv: &[&[u8]],
    out: &mut Out,
) {
    let Some(handler) = cmd.handler else {
        return out.error(&CmdError::arity(cmd.name));
    };
    let resumed = client.suspended.take();
    if resumed.is_none() {
        state.stats.commands_processed += 1;
    }
    if resumed.is_none() && cmd.has(flags::SKIP_MONITOR) && !state.observe.monitors.is_empty() {
        // Scripts are shown to MONITOR as they start, before the commands they run.
        state.observe.feed_monitors_now(client.db, &client.addr, argv, shared.clock.now_us());
    }
    // One clock reading gives the command's time and the start of its duration (INFO commandstats).
    let started = std::time::SystemTime::now();
    let now = match &resumed {
        Some(r) => r.now,
        None => client.time_snapshot.unwrap_or_else(|| shared.clock.ms_at(started)),
    };
    if cmd.has(flags::WRITE) {
        // A script that called a write command can no longer be killed (Redis flags it before the call).
        shared.script.note_write();
    }
    let dirty = resumed.as_ref().map_or(state.dirty, |r| r.dirty);
    let mut ctx = Ctx {
        state,
        shared,
        client,
        out,
        now,
        force_propagate: false,
        propagated: false,
        error_reply: ErrorReply::None,
    };
    let reply_at = ctx.out.buf.len();
    let injected = match ctx.state.faults.is_empty() {
        true => None,
        false => ctx.state.faults.take(table::full_name(cmd)),
    };
    let result = match injected {
        Some(error) => Err(CmdError::Coded(error)),
        None => handler(&mut ctx, argv),
    };
    let usec = started.elapsed().map_or(0, |d| d.as_micros() as u64) + resumed.map_or(0, |r| r.usec);
    if let Err(CmdError::ScriptSuspended) = result {
        // No reply yet: the command goes on off the event loop (`resume`).
        ctx.out.buf.truncate(reply_at);
        ctx.client.suspended = Some(Suspended { now, dirty, usec });
        return;
    }
    if let Err(CmdError::MovedOffEventLoop) = result {
        // No reply and no statistics: the connection runs the script again off the event loop.
        ctx.out.buf.truncate(reply_at);
        ctx.client.moved_off_event_loop = true;
        return;
    }
    if let Err(e) = &result {
        ctx.out.error(e);
    }
    if result.is_err() || ctx.error_reply == ErrorReply::Counted {
        ctx.state.observe.record_error(&ctx.out.buf[reply_at..]);
    }
    // Failed, as Redis's call() decides: errors counted since the last command finished (not those of the
    // commands it ran itself, which are theirs), or an error reply passed on uncounted.
    let errors = ctx.state.observe.total_error_replies;
    let failed = errors > ctx.state.observe.errors_seen || ctx.error_reply == ErrorReply::Uncounted;
    ctx.state.observe.errors_seen = errors;
    observe(&mut ctx, cmd, argv, usec, failed);
    // What the storage did on the way (keys found expired, created, missed): events, and AOF deletions.
    ctx.state.settle_key_events(ctx.client.db, now);
    // A CONFIG SET of the policy takes effect for the next lookup (LFU counters or LRU clocks).
    ctx.state.sync_eviction_settings();
    // A command that changed the data (Redis's server.dirty) is recorded for the AOF as it ran; EXEC and
    // scripts are recorded as the commands they ran instead.
    if ctx.state.dirty != dirty {
        // Values changed in place: their databases' byte counts follow (memory accounting).
        let db = &mut ctx.state.dbs[ctx.client.db];
        if std::mem::take(&mut db.changed_in_place) {
            cmd.for_each_key(argv, |i| db.reaccount(argv[i]));
        }
    }
    let changed = ctx.state.dirty != dirty || ctx.force_propagate;
    if changed && ctx.state.effects.enabled && !cmd.has(flags::PROPAGATES_PARTS) && !ctx.propagated {
        ctx.state.effects.record(ctx.client.db, argv);
    }
}

/// CLIENT PAUSE (while one is active): must this command wait until it ends? ALL holds every command, WRITE
/// those that may write: writes, scripts, publishes, and an EXEC whose queue holds one. As in Redis, where the
/// pause is the last gate, a command a gate refuses (unknown, wrong arity) is answered at once, and monitors
/// are never held.
pub fn pause_holds(state: &State, client: &Client, argv: &[&[u8]]) -> bool {
    if client.monitor {
        return false;
    }
    let names = &state.commands;
    let Ok(cmd) = lookup(names, argv) else { return false };
    if !cmd.arity_ok(argv.len()) {
        return false;
    }
    // A script with a shebang may write only if it does not declare `no-writes` (evalGetCommandFlags).
    let writes = |cmd: &CommandSpec, argv: &[&[u8]]| match script_gate_flags(state, cmd, argv) {
        Some(gate) => gate & flags::WRITE != 0,
        None => cmd.may_replicate(),
    };
    if state.clients.pause.all || writes(cmd, argv) {
        return true;
    }
    cmd.name == "exec" && client.multi.is_some() && client.multi_flags & (flags::WRITE | flags::MAY_REPLICATE) != 0
}
