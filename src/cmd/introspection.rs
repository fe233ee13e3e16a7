//! COMMAND and its subcommands. COMMAND INFO and DOCS answer with Redis 7.0's own metadata for each command we
//! implement (recorded by scripts/gen-command-meta.py), so redis-cli's hints and client libraries see exactly
//! what redis-server says; a unit test keeps our rows' arity, flags and keys equal to that record.

use super::{reply_help, Args};
use crate::command::flags::*;
use crate::command::{dispatch, table, CommandSpec, Ctx};
use crate::error::CmdError;
use crate::protocol::{resp3, Out};
use std::collections::HashMap;
use std::sync::OnceLock;

/// COMMAND is both a command (no arguments: every command's info) and a container of subcommands.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    subcommands: COMMAND_SUBCOMMANDS,
    ..CommandSpec::new("command", -1, LOADING | STALE, (0, 0, 0), command_all).group("server")
}];

const COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new("command|count", 2, LOADING | STALE, (0, 0, 0), command_count).group("server"),
    CommandSpec::new("command|list", -2, LOADING | STALE, (0, 0, 0), command_list).group("server"),
    CommandSpec::new("command|info", -2, LOADING | STALE, (0, 0, 0), command_info).group("server"),
    CommandSpec::new("command|docs", -2, LOADING | STALE, (0, 0, 0), command_docs).group("server"),
    CommandSpec::new("command|getkeys", -4, LOADING | STALE, (0, 0, 0), command_getkeys).group("server"),
    CommandSpec::new("command|help", 2, LOADING | STALE, (0, 0, 0), command_help).group("server"),
];

const RECORDED: &[u8] = include_bytes!("../command/redis-commands.resp");

/// name -> (start of its INFO frame, start of its DOCS frame) in RECORDED.
fn recorded() -> &'static HashMap<String, (usize, usize)> {
    static INDEX: OnceLock<HashMap<String, (usize, usize)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        let mut i = 0;
        while i < RECORDED.len() {
            let Some(info) = resp3::frame_end(RECORDED, i) else { break };
            let Some(docs) = resp3::frame_end(RECORDED, info) else { break };
            let Some(next) = resp3::frame_end(RECORDED, docs) else { break };
            // The name frame is `$len\r\nname\r\n`.
            let name_start = RECORDED[i..].windows(2).position(|w| w == b"\r\n").map_or(info, |p| i + p + 2);
            let name = String::from_utf8_lossy(&RECORDED[name_start..info - 2]).into_owned();
            index.insert(name, (info, docs));
            i = next;
        }
        index
    })
}

/// One command's COMMAND INFO entry: Redis's record, or one built from our row for commands Redis lacks.
fn write_info(cmd: &CommandSpec, out: &mut Out) {
    if let Some(&(info, _)) = recorded().get(cmd.name) {
        if resp3::transcode(RECORDED, info, out).is_some() {
            return;
        }
    }
    out.array(10);
    out.bulk(cmd.name.as_bytes());
    out.int(cmd.arity as i64);
    let names: Vec<&str> = NAMES.iter().filter(|(f, _)| cmd.has(*f)).map(|(_, n)| *n).collect();
    out.set(names.len());
    for n in names {
        out.simple(n.as_bytes());
    }
    for k in [cmd.keys.0, cmd.keys.1, cmd.keys.2] {
        out.int(k as i64);
    }
    out.set(0);
    out.set(0);
    out.array(0);
    out.array(cmd.subcommands.len());
    for sub in cmd.subcommands {
        write_info(sub, out);
    }
}

fn all_commands() -> impl Iterator<Item = &'static CommandSpec> {
    table::all()
}

fn command_all(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let cmds: Vec<_> = all_commands().collect();
    ctx.out.array(cmds.len());
    for c in cmds {
        write_info(c, ctx.out);
    }
    Ok(())
}

fn command_count(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(all_commands().count() as i64);
    Ok(())
}

fn command_list(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let mut names: Vec<&str> = Vec::new();
    for c in all_commands() {
        names.push(c.name);
        names.extend(c.subcommands.iter().map(|s| s.name));
    }
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

fn command_info(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() == 2 {
        return command_all(ctx, &argv[..1]);
    }
    ctx.out.array(argv.len() - 2);
    for name in &argv[2..] {
        match table::find(name) {
            Some(c) => write_info(c, ctx.out),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn command_docs(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let cmds: Vec<&CommandSpec> = if argv.len() == 2 {
        all_commands().collect()
    } else {
        argv[2..].iter().filter_map(|n| table::find(n)).collect()
    };
    let with_docs: Vec<(&str, usize)> =
        cmds.iter().filter_map(|c| recorded().get(c.name).map(|&(_, docs)| (c.name, docs))).collect();
    ctx.out.map(with_docs.len());
    for (name, docs) in with_docs {
        ctx.out.bulk(name.as_bytes());
        resp3::transcode(RECORDED, docs, ctx.out);
    }
    Ok(())
}

fn command_getkeys(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let target = &argv[2..];
    let cmd = dispatch::lookup(target).map_err(|_| CmdError::InvalidCommandSpecified)?;
    if !cmd.arity_ok(target.len()) {
        return Err(CmdError::InvalidCommandArgs);
    }
    let keys = cmd.key_positions(target).ok_or(CmdError::InvalidCommandArguments)?;
    if keys.is_empty() {
        return Err(CmdError::NoKeyArguments);
    }
    ctx.out.array(keys.len());
    for k in keys {
        ctx.out.bulk(target[k]);
    }
    Ok(())
}

fn command_help(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    reply_help(
        ctx.out,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::command::flags::NAMES;
    use crate::protocol::resp3::{parse, Frame};

    /// "name: arity [flags] (first, last, step)" for a row, and for a recorded COMMAND INFO entry.
    fn describe_row(c: &CommandSpec) -> String {
        let mut flags: Vec<&str> = NAMES.iter().filter(|(f, _)| c.has(*f)).map(|(_, n)| *n).collect();
        flags.sort();
        format!("{}: {} {:?} {:?}", c.name, c.arity, flags, c.keys)
    }

    fn describe_recorded(info: &Frame) -> Option<String> {
        let l = info.list()?;
        let name = String::from_utf8_lossy(l[0].text()?).into_owned();
        let mut flags: Vec<String> =
            l[2].list()?.iter().filter_map(|f| f.text()).map(|t| String::from_utf8_lossy(t).into_owned()).collect();
        flags.sort();
        let keys = (l[3].int()? as i32, l[4].int()? as i32, l[5].int()? as i32);
        Some(format!("{name}: {} {flags:?} {keys:?}", l[1].int()?))
    }

    /// Our rows must say what redis-server says of the same (sub)command: arity, flags, key positions.
    #[test]
    fn rows_match_redis_command_info() {
        let mut mismatches = Vec::new();
        for c in table::all() {
            let Some(&(info, _)) = recorded().get(c.name) else { continue };
            let Some((frame, _)) = parse(RECORDED, info) else { panic!("bad record for {}", c.name) };
            let recorded_subs: Vec<String> = frame
                .list()
                .and_then(|l| l.get(9))
                .and_then(|s| s.list())
                .map_or(Vec::new(), |subs| subs.iter().filter_map(describe_recorded).collect());
            if c.handler.is_some() && describe_recorded(&frame) != Some(describe_row(c)) {
                mismatches.push(format!("redis {:?}\nours  {}", describe_recorded(&frame), describe_row(c)));
            }
            for sub in c.subcommands {
                let ours = describe_row(sub);
                match recorded_subs.iter().find(|r| r.starts_with(&format!("{}:", sub.name))) {
                    Some(r) if *r == ours => {}
                    Some(r) => mismatches.push(format!("redis {r}\nours  {ours}")),
                    None => {} // a subcommand Redis 7.0 lacks (CLIENT SETINFO)
                }
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }
}
