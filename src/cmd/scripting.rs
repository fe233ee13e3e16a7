//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's eval.c). The Lua side is in
//! crate::scripting.

use super::{arg_i64, is, reply_help, Args};
use crate::engine::flags::*;
use crate::engine::{CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::scripting::{self, RunOptions, ScriptId};

/// OFFLOAD: scripts run off the event loop, so others get BUSY and can SCRIPT KILL a long one.
/// PROPAGATES_PARTS: the AOF records the commands a script ran, not the script.
const EVAL_FLAGS: u32 = NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | OFFLOAD | PROPAGATES_PARTS;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("eval", -3, EVAL_FLAGS | MAY_REPLICATE, (0, 0, 0), eval).numkeys_at(2).group("scripting"),
    CommandSpec::new("evalsha", -3, EVAL_FLAGS | MAY_REPLICATE, (0, 0, 0), evalsha).numkeys_at(2).group("scripting"),
    CommandSpec::new("eval_ro", -3, READONLY | EVAL_FLAGS, (0, 0, 0), eval_ro).numkeys_at(2).group("scripting"),
    CommandSpec::new("evalsha_ro", -3, READONLY | EVAL_FLAGS, (0, 0, 0), evalsha_ro).numkeys_at(2).group("scripting"),
    CommandSpec::container("script", SCRIPT),
];

const SCRIPT: &[CommandSpec] = &[
    CommandSpec::new("script|flush", -2, NOSCRIPT, (0, 0, 0), script_flush).group("scripting"),
    CommandSpec::new("script|help", 2, LOADING | STALE, (0, 0, 0), script_help).group("scripting"),
    CommandSpec::new("script|load", 3, NOSCRIPT | STALE, (0, 0, 0), script_load).group("scripting"),
    CommandSpec::new("script|exists", -3, NOSCRIPT, (0, 0, 0), script_exists).group("scripting"),
    CommandSpec::new("script|kill", 2, NOSCRIPT | ALLOW_BUSY, (0, 0, 0), script_kill).group("scripting"),
];

/// The KEYS and ARGV of a call.
type KeysAndArgs<'a, 'b> = (&'a [&'b [u8]], &'a [&'b [u8]]);

/// Splits `<script|sha> numkeys key... arg...` into keys and args, with evalGenericCommand's checks.
fn keys_and_args<'a, 'b>(argv: Args<'a, 'b>) -> Result<KeysAndArgs<'a, 'b>, CmdError> {
    let numkeys = arg_i64(argv[2])?;
    if numkeys > (argv.len() - 3) as i64 {
        return Err(error::NUMKEYS_TOO_MANY);
    }
    if numkeys < 0 {
        return Err(error::SCRIPT_NUMKEYS_NEGATIVE);
    }
    Ok(argv[3..].split_at(numkeys as usize))
}

fn eval_generic(ctx: &mut Ctx, argv: Args, by_sha: bool, read_only: bool) -> Result<(), CmdError> {
    let (keys, args) = keys_and_args(argv)?;
    let id = if by_sha {
        ScriptId::parse(argv[1]).ok_or(error::SCRIPT_NOSCRIPT)?
    } else {
        scripting::scripts(ctx.state)?.load(argv[1])?
    };
    scripting::run(ctx, id, RunOptions { keys, args, read_only })
}

fn eval(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    eval_generic(ctx, argv, false, false)
}

fn evalsha(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    eval_generic(ctx, argv, true, false)
}

fn eval_ro(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    eval_generic(ctx, argv, false, true)
}

fn evalsha_ro(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    eval_generic(ctx, argv, true, true)
}

fn script_flush(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    match argv.len() {
        2 => {}
        3 if is(argv[2], "sync") || is(argv[2], "async") => {}
        _ => return Err(error::SCRIPT_FLUSH_OPTION),
    }
    // ASYNC frees the old Lua state in the background in Redis; dropping it here is equivalent for clients.
    scripting::scripts(ctx.state)?.flush();
    ctx.out.ok();
    Ok(())
}

fn script_load(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let sha = scripting::scripts(ctx.state)?.load(argv[2])?;
    ctx.out.bulk(sha.as_bytes());
    Ok(())
}

fn script_exists(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    ctx.out.array(argv.len() - 2);
    for sha in &argv[2..] {
        let found = scripting::scripts(ctx.state)?.exists(sha);
        ctx.out.int(found as i64);
    }
    Ok(())
}

fn script_kill(_ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    // Scripts run to completion under the lock in phase 1, so none is ever running when this is served.
    Err(error::SCRIPT_NOTBUSY)
}

fn script_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "SCRIPT",
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    );
    Ok(())
}
