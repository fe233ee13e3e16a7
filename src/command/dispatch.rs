//! The one path every command takes, whoever sends it: lookup, arity, protection, authentication, run.
//! The gates are in redis-server's `processCommand` order, so the same bad command gets the same error.

use super::{flags, table, CommandSpec};
use crate::config::Protection;
use crate::error::CmdError;
use crate::protocol::Out;
use crate::server::client::Client;
use crate::server::state::{Shared, State};
use crate::storage::Db;

/// What a handler sees: the state it may change, the calling client and its reply buffer.
pub struct Ctx<'a> {
    pub state: &'a mut State,
    pub shared: &'a Shared,
    pub client: &'a mut Client,
    pub out: &'a mut Out,
    /// The clock for this execution unit: every TTL decision in one command uses the same instant.
    pub now: i64,
}

impl Ctx<'_> {
    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.state.dbs[self.client.db]
    }
}

/// Resolves a command (and its subcommand, for containers) by name, case-insensitively.
pub fn lookup<'a>(argv: &[&[u8]]) -> Result<&'static CommandSpec, CmdError> {
    let name = argv.first().copied().unwrap_or_default();
    let Some(cmd) = table::find(name) else {
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

/// Runs one command and writes its reply to `out`.
pub fn dispatch(state: &mut State, shared: &Shared, client: &mut Client, argv: &[&[u8]], out: &mut Out) {
    let cmd = match lookup(argv) {
        Ok(cmd) => cmd,
        Err(e) => return out.error(&e),
    };
    let full_name = table::full_name(cmd);
    if !cmd.arity_ok(argv.len()) {
        return out.error(&CmdError::WrongArity(full_name.to_string()));
    }
    if cmd.has(flags::PROTECTED) {
        let allowed = match state.config.enable_debug_command {
            Protection::Yes => true,
            Protection::Local => client.local,
            Protection::No => false,
        };
        if !allowed {
            return out.error(&CmdError::DebugNotAllowed);
        }
    }
    if !client.authenticated && !cmd.has(flags::NO_AUTH) {
        if state.config.requirepass.is_none() {
            client.authenticated = true;
        } else {
            return out.error(&CmdError::NoAuth);
        }
    }
    let Some(handler) = cmd.handler else {
        return out.error(&CmdError::arity(cmd.name));
    };
    client.last_cmd = full_name;
    state.stats.commands_processed += 1;
    let now = shared.clock.now_ms();
    let mut ctx = Ctx { state, shared, client, out, now };
    if let Err(e) = handler(&mut ctx, argv) {
        ctx.out.error(&e);
    }
}
