//! COMMAND and its subcommands. COMMAND INFO and DOCS answer with Redis 7.0's own metadata for each command we
//! implement (recorded by scripts/gen-command-meta.py), so redis-cli's hints and client libraries see exactly
//! what redis-server says; a unit test keeps our rows' arity, flags and keys equal to that record. The key
//! specifications in that record also drive COMMAND GETKEYS / GETKEYSANDFLAGS, as they drive Redis's.
//!
//! Every name goes through the server's [`Names`] (the table after `rename-command`): a renamed command is
//! found under its new name and described under its own, a removed one is absent, as in Redis.

use super::{is, reply_help, Args};
use crate::engine::flags::*;
use crate::engine::table::Names;
use crate::engine::{CommandSpec, Ctx};
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
    CommandSpec::new("command|getkeysandflags", -4, LOADING | STALE, (0, 0, 0), command_getkeysandflags)
        .group("server"),
    CommandSpec::new("command|help", 2, LOADING | STALE, (0, 0, 0), command_help).group("server"),
];

const RECORDED: &[u8] = include_bytes!("../engine/redis-commands.resp");

/// Where a (sub)command's metadata sits in RECORDED, by full name (`get`, `config|get`).
#[derive(Clone, Copy, Debug)]
struct Record {
    /// Its COMMAND INFO frame.
    info: usize,
    /// Its COMMAND DOCS frame (the value of its name in the docs map).
    docs: Option<usize>,
}

/// The record is a sequence of (name, INFO frame, DOCS frame) for each top-level command; subcommands' frames
/// are inside their container's (INFO's 10th element, DOCS's `subcommands` map).
fn recorded() -> &'static HashMap<String, Record> {
    static INDEX: OnceLock<HashMap<String, Record>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        let mut i = 0;
        while i < RECORDED.len() {
            let Some(info) = resp3::frame_end(RECORDED, i) else { break };
            let Some(docs) = resp3::frame_end(RECORDED, info) else { break };
            let Some(next) = resp3::frame_end(RECORDED, docs) else { break };
            if let Some(name) = text_at(i) {
                index_subcommands(&mut index, info, docs);
                index.insert(name, Record { info, docs: Some(docs) });
            }
            i = next;
        }
        index
    })
}

fn index_subcommands(index: &mut HashMap<String, Record>, info: usize, docs: usize) {
    let sub_docs = map_value(docs, "subcommands").map(map_pairs).unwrap_or_default();
    let Some(subs) = children(info).and_then(|c| c.get(9).copied()).and_then(children) else { return };
    for sub in subs {
        let Some(name) = children(sub).and_then(|c| c.first().copied()).and_then(text_at) else { continue };
        let docs = sub_docs.iter().find(|(n, _)| *n == name).map(|(_, at)| *at);
        index.insert(name, Record { info: sub, docs });
    }
}

/// The header of the frame at `at`: its type byte, its count or length, and where its body starts.
fn header(at: usize) -> Option<(u8, i64, usize)> {
    let kind = *RECORDED.get(at)?;
    let nl = RECORDED.get(at..)?.windows(2).position(|w| w == b"\r\n")? + at;
    let n = std::str::from_utf8(&RECORDED[at + 1..nl]).ok()?.parse().unwrap_or(0);
    Some((kind, n, nl + 2))
}

/// Where each element of the aggregate frame at `at` starts (a map's keys and values alternate).
fn children(at: usize) -> Option<Vec<usize>> {
    let (kind, n, body) = header(at)?;
    let n = match kind {
        b'*' | b'~' | b'>' => n.max(0) as usize,
        b'%' | b'|' => n.max(0) as usize * 2,
        _ => return None,
    };
    let mut out = Vec::with_capacity(n.min(1024));
    let mut next = body;
    for _ in 0..n {
        out.push(next);
        next = resp3::frame_end(RECORDED, next)?;
    }
    Some(out)
}

/// The text of the string frame at `at`.
fn text_at(at: usize) -> Option<String> {
    match resp3::parse(RECORDED, at)?.0 {
        resp3::Frame::Text(t) => Some(String::from_utf8_lossy(&t).into_owned()),
        _ => None,
    }
}

/// (key text, value offset) of the map frame at `at`.
fn map_pairs(at: usize) -> Vec<(String, usize)> {
    let items = children(at).unwrap_or_default();
    items.chunks(2).filter_map(|kv| Some((text_at(kv[0])?, *kv.get(1)?))).collect()
}

fn map_value(at: usize, key: &str) -> Option<usize> {
    map_pairs(at).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// One command's COMMAND INFO entry: Redis's record, or one built from our row for commands Redis lacks.
fn write_info(cmd: &CommandSpec, out: &mut Out) {
    if let Some(r) = recorded().get(cmd.name) {
        if resp3::transcode(RECORDED, r.info, out).is_some() {
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

/// Redis's lookupCommandBySds: `name` or `container|sub`, through the server's names.
fn find_by_full_name(names: &Names, name: &[u8]) -> Option<&'static CommandSpec> {
    let mut parts = name.split(|c| *c == b'|');
    let base = names.find(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(base),
        (Some(sub), None) => base.subcommand(sub),
        _ => None,
    }
}

fn command_all(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    let cmds: Vec<_> = ctx.state.commands.all().collect();
    ctx.out.array(cmds.len());
    for c in cmds {
        write_info(c, ctx.out);
    }
    Ok(())
}

fn command_count(ctx: &mut Ctx, _argv: Args) -> Result<(), CmdError> {
    ctx.out.int(ctx.state.commands.all().count() as i64);
    Ok(())
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names, subcommands included.
fn command_list(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    // Like Redis, FILTERBY must be followed by exactly its type and argument.
    let filter = match &argv[2..] {
        [] => None,
        [f, kind, arg] if is(f, "filterby") => match () {
            _ if is(kind, "module") => Some(Filter::Module),
            _ if is(kind, "aclcat") => Some(Filter::AclCat(arg)),
            _ if is(kind, "pattern") => Some(Filter::Pattern(arg)),
            _ => return Err(CmdError::Syntax),
        },
        _ => return Err(CmdError::Syntax),
    };
    let mut names: Vec<&str> = Vec::new();
    for c in ctx.state.commands.all() {
        for c in std::iter::once(c).chain(c.subcommands) {
            if filter.as_ref().is_none_or(|f| f.keeps(c)) {
                names.push(c.name);
            }
        }
    }
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
    Ok(())
}

enum Filter<'a> {
    /// No modules here: nothing belongs to any.
    Module,
    AclCat(&'a [u8]),
    Pattern(&'a [u8]),
}

impl Filter<'_> {
    fn keeps(&self, cmd: &CommandSpec) -> bool {
        match self {
            Filter::Module => false,
            Filter::AclCat(cat) => acl_categories(cmd).iter().any(|c| c.as_bytes()[1..].eq_ignore_ascii_case(cat)),
            Filter::Pattern(p) => crate::glob::matches_nocase(p, cmd.name.as_bytes()),
        }
    }
}

/// A command's ACL categories (`@write`...), as Redis's COMMAND INFO lists them.
fn acl_categories(cmd: &CommandSpec) -> Vec<String> {
    let from_record = recorded().get(cmd.name).and_then(|r| children(r.info)).and_then(|c| c.get(6).copied());
    match from_record.and_then(children) {
        Some(cats) => cats.into_iter().filter_map(text_at).collect(),
        None => cmd.acl.iter().map(|c| c.to_string()).collect(),
    }
}

fn command_info(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    if argv.len() == 2 {
        return command_all(ctx, &argv[..1]);
    }
    ctx.out.array(argv.len() - 2);
    for name in &argv[2..] {
        match find_by_full_name(&ctx.state.commands, name) {
            Some(c) => write_info(c, ctx.out),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn command_docs(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    let names = &ctx.state.commands;
    let cmds: Vec<&CommandSpec> = if argv.len() == 2 {
        names.all().collect()
    } else {
        argv[2..].iter().filter_map(|n| find_by_full_name(names, n)).collect()
    };
    let with_docs: Vec<(&str, usize)> =
        cmds.iter().filter_map(|c| recorded().get(c.name).and_then(|r| r.docs).map(|docs| (c.name, docs))).collect();
    ctx.out.map(with_docs.len());
    for (name, docs) in with_docs {
        ctx.out.bulk(name.as_bytes());
        resp3::transcode(RECORDED, docs, ctx.out);
    }
    Ok(())
}

fn command_getkeys(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    getkeys(ctx, argv, false)
}

fn command_getkeysandflags(ctx: &mut Ctx, argv: Args) -> Result<(), CmdError> {
    getkeys(ctx, argv, true)
}

/// getKeysSubcommandImpl: the checks in Redis's order (known command, has keys, arity), then the keys.
fn getkeys(ctx: &mut Ctx, argv: Args, with_flags: bool) -> Result<(), CmdError> {
    let target = &argv[2..];
    let cmd = lookup_command(&ctx.state.commands, target).ok_or(CmdError::InvalidCommandSpecified)?;
    if !has_keys(cmd) {
        return Err(CmdError::NoKeyArguments);
    }
    if !cmd.arity_ok(target.len()) {
        return Err(CmdError::InvalidCommandArgs);
    }
    let keys = keys_and_flags(cmd, target);
    if keys.is_empty() && !cmd.has(NO_MANDATORY_KEYS) {
        return Err(CmdError::InvalidCommandArguments);
    }
    ctx.out.array(keys.len());
    for (pos, flags) in keys {
        if with_flags {
            ctx.out.array(2);
            ctx.out.bulk(target[pos]);
            ctx.out.set(flags.len());
            for f in flags {
                ctx.out.simple(f.as_bytes());
            }
        } else {
            ctx.out.bulk(target[pos]);
        }
    }
    Ok(())
}

/// lookupCommandLogic: a container given alone is itself (it has no keys); otherwise its subcommand.
fn lookup_command(names: &Names, argv: Args) -> Option<&'static CommandSpec> {
    let base = names.find(argv.first()?)?;
    match argv.get(1) {
        Some(sub) if !base.subcommands.is_empty() => base.subcommand(sub),
        _ => Some(base),
    }
}

/// doesCommandHaveKeys: a key spec that is a real key, or keys found by code (our rows).
fn has_keys(cmd: &CommandSpec) -> bool {
    match key_specs().get(cmd.name) {
        Some(specs) if !specs.is_empty() => specs.iter().any(|s| !s.has("not_key")),
        _ => cmd.keys.0 > 0 || cmd.numkeys.is_some() || cmd.has(MOVABLEKEYS),
    }
}

/// A key specification from Redis's COMMAND INFO (its 9th element).
#[derive(Debug, Default)]
struct KeySpec {
    /// In Redis's order (RO, RW, OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags).
    flags: Vec<String>,
    begin: Begin,
    find: Find,
}

#[derive(Debug, Default)]
enum Begin {
    Index(i64),
    Keyword {
        keyword: Vec<u8>,
        startfrom: i64,
    },
    #[default]
    Unknown,
}

#[derive(Debug, Default)]
enum Find {
    Range {
        lastkey: i64,
        keystep: i64,
        limit: i64,
    },
    Keynum {
        keynumidx: i64,
        firstkey: i64,
        keystep: i64,
    },
    #[default]
    Unknown,
}

impl KeySpec {
    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// Every recorded (sub)command's key specs, by full name, parsed once.
fn key_specs() -> &'static HashMap<String, Vec<KeySpec>> {
    static SPECS: OnceLock<HashMap<String, Vec<KeySpec>>> = OnceLock::new();
    SPECS.get_or_init(|| {
        recorded()
            .iter()
            .filter_map(|(name, r)| {
                let at = children(r.info)?.get(8).copied()?;
                Some((name.clone(), children(at)?.into_iter().map(parse_key_spec).collect()))
            })
            .collect()
    })
}

fn parse_key_spec(at: usize) -> KeySpec {
    let int = |map: Option<usize>, key: &str| {
        map.and_then(|m| map_value(m, key)).and_then(|v| resp3::parse(RECORDED, v)).and_then(|(f, _)| f.int())
    };
    let text = |map: usize, key: &str| map_value(map, key).and_then(text_at).unwrap_or_default();
    let flags = map_value(at, "flags")
        .and_then(children)
        .map(|f| f.into_iter().filter_map(text_at).collect())
        .unwrap_or_default();
    let begin = map_value(at, "begin_search").map_or(Begin::Unknown, |bs| {
        let spec = map_value(bs, "spec");
        match text(bs, "type").as_str() {
            "index" => Begin::Index(int(spec, "index").unwrap_or(0)),
            "keyword" => Begin::Keyword {
                keyword: spec.map(|s| text(s, "keyword")).unwrap_or_default().into_bytes(),
                startfrom: int(spec, "startfrom").unwrap_or(0),
            },
            _ => Begin::Unknown,
        }
    });
    let find = map_value(at, "find_keys").map_or(Find::Unknown, |fk| {
        let spec = map_value(fk, "spec");
        let get = |key| int(spec, key).unwrap_or(0);
        match text(fk, "type").as_str() {
            "range" => Find::Range { lastkey: get("lastkey"), keystep: get("keystep"), limit: get("limit") },
            "keynum" => {
                Find::Keynum { keynumidx: get("keynumidx"), firstkey: get("firstkey"), keystep: get("keystep") }
            }
            _ => Find::Unknown,
        }
    });
    KeySpec { flags, begin, find }
}

/// getKeysFromCommandWithSpecs: the key specs when they are reliable (no variable flags), else the command's
/// own rule (Redis's getkeys_proc: our rows, without flags, and SET's GET rule). (position, flags) pairs.
fn keys_and_flags(cmd: &CommandSpec, argv: Args) -> Vec<(usize, Vec<&'static str>)> {
    let specs = key_specs().get(cmd.name).map(Vec::as_slice).unwrap_or_default();
    let reliable = specs.iter().any(|s| !s.has("not_key")) && !specs.iter().any(|s| s.has("variable_flags"));
    if reliable {
        if let Some(keys) = keys_from_specs(specs, argv) {
            return keys;
        }
    }
    if cmd.name == "set" {
        // setGetKeys: with GET the key is read too.
        let get = argv.iter().skip(3).any(|a| is(a, "get"));
        let flags = if get { vec!["RW", "access", "update"] } else { vec!["OW", "update"] };
        return vec![(1, flags)];
    }
    if cmd.name == "migrate" {
        return migrate_keys(argv).into_iter().map(|p| (p, Vec::new())).collect();
    }
    if !cmd.has(MOVABLEKEYS) && !specs.is_empty() {
        return Vec::new();
    }
    cmd.key_positions(argv).unwrap_or_default().into_iter().map(|p| (p, Vec::new())).collect()
}

/// migrateGetKeys: the key argument, or what follows KEYS (skipping AUTH's and AUTH2's values); none when
/// KEYS comes with a non-empty key.
fn migrate_keys(argv: Args) -> Vec<usize> {
    let mut i = 6;
    while i < argv.len() {
        match argv[i] {
            a if is(a, "keys") => return if argv[3].is_empty() { (i + 1..argv.len()).collect() } else { Vec::new() },
            a if is(a, "auth") => i += 1,
            a if is(a, "auth2") => i += 2,
            _ => {}
        }
        i += 1;
    }
    vec![3]
}

/// getKeysUsingKeySpecs; None where Redis returns -1 (a spec that does not fit the arguments).
fn keys_from_specs(specs: &[KeySpec], argv: Args) -> Option<Vec<(usize, Vec<&'static str>)>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in specs.iter().filter(|s| !s.has("not_key")) {
        let mut first = match &spec.begin {
            Begin::Index(i) => *i,
            Begin::Keyword { keyword, startfrom } => match find_keyword(argv, keyword, *startfrom) {
                Some(i) => i + 1,
                None => continue,
            },
            Begin::Unknown => return None,
        };
        let (last, step) = match spec.find {
            Find::Range { lastkey, keystep, limit } => {
                let last = match (lastkey >= 0, limit) {
                    (true, _) => first + lastkey,
                    (false, 0) => argc + lastkey,
                    (false, limit) => first + ((argc - first) / limit + lastkey),
                };
                (last, keystep)
            }
            Find::Keynum { keynumidx, firstkey, keystep } => {
                let numkeys =
                    argv.get((first + keynumidx) as usize).and_then(|a| crate::protocol::number::parse_i64(a));
                let numkeys = numkeys.filter(|n| *n >= 0 && keynumidx < argc)?;
                first += firstkey;
                (first + numkeys - 1, keystep)
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let flags: Vec<&'static str> = KEY_FLAG_NAMES.iter().copied().filter(|n| spec.has(n)).collect();
        keys.extend((first..=last).step_by(step.max(1) as usize).map(|i| (i as usize, flags.clone())));
        if spec.has("incomplete") {
            return None;
        }
    }
    Some(keys)
}

/// A keyword begin_search: from `startfrom` towards the end (positive) or from the end backwards (negative),
/// never looking at the last argument (forwards) or the first (backwards), exactly as Redis's loop.
fn find_keyword(argv: Args, keyword: &[u8], startfrom: i64) -> Option<i64> {
    let argc = argv.len() as i64;
    let (start, end) = if startfrom > 0 { (startfrom, argc - 1) } else { (argc + startfrom, 1) };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            return None;
        }
        if argv[i as usize].eq_ignore_ascii_case(keyword) {
            return Some(i);
        }
        i = if start <= end { i + 1 } else { i - 1 };
    }
    None
}

/// Key spec flag names, in the order Redis replies with them (addReplyFlagsForKeyArgs).
const KEY_FLAG_NAMES: &[&str] =
    &["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];

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

    use crate::engine::flags::NAMES;
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
        for c in Names::new(crate::cmd::FAMILIES).every_row() {
            let Some(r) = recorded().get(c.name) else { continue };
            let Some((frame, _)) = parse(RECORDED, r.info) else { panic!("bad record for {}", c.name) };
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

    #[test]
    fn subcommands_are_indexed_with_their_docs() {
        let r = recorded().get("config|get").expect("config|get recorded");
        assert_eq!(children(r.info).and_then(|c| c.first().copied()).and_then(text_at).as_deref(), Some("config|get"));
        let docs = r.docs.expect("config|get docs");
        assert_eq!(map_value(docs, "group").and_then(text_at).as_deref(), Some("server"));
    }

    #[test]
    fn key_specs_give_redis_key_positions_and_flags() {
        let keys = |line: &str| {
            let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
            let cmd = lookup_command(&Names::new(crate::cmd::FAMILIES), &argv).unwrap();
            keys_and_flags(cmd, &argv)
        };
        assert_eq!(keys("get k"), vec![(1, vec!["RO", "access"])]);
        assert_eq!(keys("set k v"), vec![(1, vec!["OW", "update"])]);
        assert_eq!(keys("set k v GET"), vec![(1, vec!["RW", "access", "update"])]);
        assert_eq!(keys("mset a 1 b 2").iter().map(|k| k.0).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(
            keys("zunionstore d 2 a b").iter().map(|k| k.0).collect::<Vec<_>>(),
            vec![1, 3, 4],
            "destination first, then the numkeys keys"
        );
        assert_eq!(keys("eval s 1 k a"), vec![(3, vec!["RW", "access", "update"])]);
        assert!(keys("eval s 2 k").is_empty());
        assert!(!has_keys(lookup_command(&Names::new(crate::cmd::FAMILIES), &[b"spublish"]).unwrap()));
    }
}
