//! Lua scripting (EVAL and friends), as Redis 7.0's eval.c / script_lua.c: one Lua 5.1 state per server,
//! created on first use, holding every loaded script as a compiled function keyed by its SHA1.
//!
//! A script runs inside the dispatch of its EVAL, under the state lock, so it is atomic. `redis.call` runs
//! commands through the same lookup and `execute` as clients, on a script client of its own (the caller's db),
//! and reads the RESP reply back into Lua values (`convert`).

mod convert;
mod lib_bit;
mod lib_cjson;
mod lib_cmsgpack;
mod lib_struct;

use crate::command::dispatch::{execute, lookup};
use crate::command::{flags, CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::Out;
use crate::server::client::Client;
use crate::server::state::{Shared, State};
use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value};
use sha1::{Digest, Sha1};
use std::cell::RefCell;
use std::collections::HashMap;

/// The version scripts see in `redis.REDIS_VERSION`.
const VERSION: &str = "7.0.15";
const VERSION_NUM: i64 = 0x07000f;

/// The chunk name of user scripts: errors read `user_script:1: ...`.
const SCRIPT_CHUNK: &str = "@user_script";

/// The script cache and the Lua state it lives in.
#[derive(Default)]
pub struct Scripts {
    engine: Option<Engine>,
}

struct Engine {
    lua: Lua,
    /// The real globals table (scripts see a read-only proxy of it).
    globals: Table,
    /// The bridge table of init.lua: `run`, and `command` during a run.
    bridge: Table,
    /// Compiled scripts by lowercase SHA1 hex.
    /// Held in the Lua registry, not as `Function` handles: every live handle takes a slot of mlua's auxiliary
    /// stack (about 8000), so caching that many scripts that way would abort the server.
    scripts: HashMap<String, mlua::RegistryKey>,
    /// The interrupt hook is installed (once per state; a kill escalates it, and it is put back after).
    hooked: bool,
}

/// The lowercase hex SHA1 of `data` (script ids, `redis.sha1hex`).
pub fn sha1hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha1::digest(data);
    let mut out = String::with_capacity(40);
    for b in digest.iter() {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

fn lua_error(e: mlua::Error) -> CmdError {
    CmdError::Coded(format!("ERR Error running script: {e}"))
}

impl Engine {
    fn new() -> mlua::Result<Engine> {
        // Redis opens base, table, string, math and debug (debug only to build the error handler).
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG;
        // SAFETY: the debug library is removed from the globals by init.lua before any script runs.
        let lua = unsafe { Lua::unsafe_new_with(libs, LuaOptions::default()) };
        let globals = lua.globals();
        let bridge = lua.create_table()?;
        bridge.raw_set("version", VERSION)?;
        bridge.raw_set("version_num", VERSION_NUM)?;
        register_api(&lua, &bridge)?;
        // The C libraries Redis loads next to the standard ones (init.lua keeps them and makes them read-only).
        globals.raw_set("bit", lib_bit::create(&lua, &bridge)?)?;
        globals.raw_set("cjson", lib_cjson::create(&lua, &bridge)?)?;
        globals.raw_set("struct", lib_struct::create(&lua, &bridge)?)?;
        globals.raw_set("cmsgpack", lib_cmsgpack::create(&lua, &bridge)?)?;
        lua.load(include_str!("init.lua")).set_name("=internal").call::<()>((globals.clone(), bridge.clone()))?;
        Ok(Engine { lua, globals, bridge, scripts: HashMap::new(), hooked: false })
    }
}

/// Raises a Redis error table from a Rust function: init.lua's handler and pcall pick it up from
/// `impl.pending` (mlua raises Rust errors as its own userdata, not as a Lua table).
fn raise<T>(lua: &Lua, bridge: &Table, text: &str) -> mlua::Result<T> {
    bridge.raw_set("pending", convert::error_table(lua, text.as_bytes(), false)?)?;
    Err(mlua::Error::RuntimeError(text.to_string()))
}

/// C's `(int)lua_tonumber(v)`: non-numbers are 0, fractions truncate toward zero.
fn lua_int(lua: &Lua, v: Option<&Value>) -> i64 {
    let n = v.and_then(|v| lua.coerce_number(v.clone()).ok().flatten()).unwrap_or(0.0);
    if n.is_finite() {
        n.trunc().clamp(i32::MIN as f64, i32::MAX as f64) as i64
    } else {
        i64::from(i32::MIN)
    }
}

/// The redis.* functions that may raise errors (see init.lua for why they are Rust functions).
fn register_api(lua: &Lua, bridge: &Table) -> mlua::Result<()> {
    let b = bridge.clone();
    let sha1 = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, "ERR wrong number of arguments");
        }
        let text = args.front().and_then(|v| lua.coerce_string(v.clone()).ok().flatten());
        Ok(sha1hex(&text.map(|s| s.as_bytes().to_vec()).unwrap_or_default()))
    })?;
    let b = bridge.clone();
    let log = lua.create_function(move |lua, args: MultiValue| {
        if args.len() < 2 {
            return raise(lua, &b, "ERR redis.log() requires two arguments or more.");
        }
        let level = args.front().and_then(|v| lua.coerce_number(v.clone()).ok().flatten());
        if level.is_none() {
            return raise(lua, &b, "ERR First argument must be a number (log level).");
        }
        if !(0..=3).contains(&lua_int(lua, args.front())) {
            return raise(lua, &b, "ERR Invalid debug level.");
        }
        // Kept in the bridge until the script ends; `run` writes them to the server log (the logger lives in
        // the server, not in the Lua state).
        let words: Vec<String> = args
            .iter()
            .skip(1)
            .map(|v| lua.coerce_string(v.clone()).ok().flatten().map(|s| s.to_string_lossy()).unwrap_or_default())
            .collect();
        let logs: Table = match b.raw_get::<Value>("logs")? {
            Value::Table(t) => t,
            _ => {
                let t = lua.create_table()?;
                b.raw_set("logs", t.clone())?;
                t
            }
        };
        // Level and message, one after the other.
        logs.raw_push(lua_int(lua, args.front()))?;
        logs.raw_push(words.join(" "))?;
        Ok(())
    })?;
    let b = bridge.clone();
    let setresp = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, "ERR redis.setresp() requires one argument.");
        }
        let resp = lua_int(lua, args.front());
        if resp != 2 && resp != 3 {
            return raise(lua, &b, "ERR RESP version must be 2 or 3.");
        }
        b.raw_set("resp", resp)
    })?;
    let b = bridge.clone();
    let set_repl = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, "ERR redis.set_repl() requires one argument.");
        }
        if lua_int(lua, args.front()) & !3 != 0 {
            return raise(lua, &b, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        }
        // Scripts replicate their effects only; there is no replication yet, so nothing to select.
        Ok(())
    })?;
    bridge.raw_set("sha1hex", sha1)?;
    bridge.raw_set("log", log)?;
    bridge.raw_set("setresp", setresp)?;
    bridge.raw_set("set_repl", set_repl)
}

impl Scripts {
    fn engine(&mut self) -> Result<&mut Engine, CmdError> {
        if self.engine.is_none() {
            self.engine = Some(Engine::new().map_err(lua_error)?);
        }
        // Just created if it was missing.
        self.engine.as_mut().ok_or(error::SCRIPT_NO_ENGINE)
    }

    /// Compiles and caches a script (EVAL, SCRIPT LOAD); returns its SHA1.
    pub fn load(&mut self, body: &[u8]) -> Result<String, CmdError> {
        let sha = sha1hex(body);
        let engine = self.engine()?;
        if !engine.scripts.contains_key(&sha) {
            let f = engine.lua.load(body).set_name(SCRIPT_CHUNK).into_function().map_err(|e| {
                let msg = match e {
                    mlua::Error::SyntaxError { message, .. } => message,
                    other => other.to_string(),
                };
                CmdError::Coded(format!("ERR Error compiling script (new function): {msg}"))
            })?;
            let key = engine.lua.create_registry_value(f).map_err(lua_error)?;
            engine.scripts.insert(sha.clone(), key);
        }
        Ok(sha)
    }

    /// A cached script by SHA1, case-insensitively.
    pub fn get(&self, sha: &[u8]) -> Option<Function> {
        let key = std::str::from_utf8(sha).ok()?.to_ascii_lowercase();
        let engine = self.engine.as_ref()?;
        engine.lua.registry_value::<Function>(engine.scripts.get(&key)?).ok()
    }

    pub fn exists(&self, sha: &[u8]) -> bool {
        self.get(sha).is_some()
    }

    /// SCRIPT FLUSH: drops the scripts and the Lua state itself, as Redis does.
    pub fn flush(&mut self) {
        self.engine = None;
    }
}

/// How the script may call commands.
pub struct RunOptions<'a> {
    pub sha: &'a str,
    pub keys: &'a [&'a [u8]],
    pub args: &'a [&'a [u8]],
    /// EVAL_RO / EVALSHA_RO.
    pub read_only: bool,
}

/// What `redis.call` needs while the script runs.
struct CallCtx<'a> {
    state: &'a mut State,
    shared: &'a Shared,
    client: Client,
    read_only: bool,
}

/// Runs a cached script and writes its reply (or its error) to `ctx.out`.
pub fn run(ctx: &mut Ctx, func: Function, opts: RunOptions) -> Result<(), CmdError> {
    let stop = ctx.shared.script.stop_flag();
    let engine = ctx.state.scripts.engine()?;
    if !engine.hooked {
        // Other clients get BUSY and can SCRIPT KILL while a script runs (server/script_gate.rs); scripts notice
        // a kill or a shutdown in this hook, every few thousand instructions.
        install_interrupt_hook(&engine.lua, &engine.bridge, stop.clone());
        engine.hooked = true;
    }
    let (lua, globals, bridge) = (engine.lua.clone(), engine.globals.clone(), engine.bridge.clone());
    let set_array = |name: &str, items: &[&[u8]]| -> mlua::Result<()> {
        let t = lua.create_table_with_capacity(items.len().min(1024), 0)?;
        for (i, item) in items.iter().enumerate() {
            t.raw_set(i + 1, lua.create_string(item)?)?;
        }
        globals.raw_set(name, t)
    };
    set_array("KEYS", opts.keys).map_err(lua_error)?;
    set_array("ARGV", opts.args).map_err(lua_error)?;

    let mut client = Client::new(0, true, true);
    client.db = ctx.client.db;
    client.time_snapshot = Some(ctx.now);
    let call_ctx =
        RefCell::new(CallCtx { state: &mut *ctx.state, shared: ctx.shared, client, read_only: opts.read_only });
    let runner: Function = bridge.raw_get("run").map_err(lua_error)?;
    let (ok, result, resp) = lua
        .scope(|scope| {
            let redis: Table = bridge.raw_get("redis")?;
            let (cc, b) = (&call_ctx, &bridge);
            let call = scope.create_function(move |lua, args: MultiValue| match redis_command(lua, b, cc, args)? {
                (err, true) => {
                    b.raw_set("pending", err)?;
                    Err(mlua::Error::RuntimeError("redis.call failed".into()))
                }
                (reply, false) => Ok(reply),
            })?;
            let pcall = scope.create_function(move |lua, args: MultiValue| Ok(redis_command(lua, b, cc, args)?.0))?;
            redis.raw_set("call", call)?;
            redis.raw_set("pcall", pcall)?;
            let result = runner.call::<(bool, Value, i64)>(func);
            redis.raw_set("call", Value::Nil)?;
            redis.raw_set("pcall", Value::Nil)?;
            result
        })
        .map_err(lua_error)?;
    if stop.swap(false, std::sync::atomic::Ordering::SeqCst) {
        // The kill escalated the hook to every line: back to the cheap one for the next script.
        install_interrupt_hook(&lua, &bridge, stop);
    }
    drop(call_ctx);
    flush_script_logs(&bridge, &ctx.shared.log);
    if ok {
        convert::lua_to_resp(&result, ctx.out, resp == 3, 0);
    } else {
        convert::script_error(&result, opts.sha, ctx.out);
    }
    Ok(())
}

/// Writes what the script passed to `redis.log` to the server log, at the levels Redis maps LOG_* to.
fn flush_script_logs(bridge: &Table, log: &crate::server::log::Logger) {
    use crate::config::LogLevel;
    let Ok(Value::Table(logs)) = bridge.raw_get::<Value>("logs") else { return };
    let items: Vec<Value> = logs.sequence_values::<Value>().flatten().collect();
    for pair in items.chunks_exact(2) {
        let level = match pair[0] {
            Value::Integer(0) => LogLevel::Debug,
            Value::Integer(1) => LogLevel::Verbose,
            Value::Integer(2) => LogLevel::Notice,
            _ => LogLevel::Warning,
        };
        if let Value::String(msg) = &pair[1] {
            log.log(level, &msg.to_string_lossy());
        }
    }
    let _ = bridge.raw_set("logs", Value::Nil);
}

/// Instructions between two checks of the stop flag: rare enough to cost nothing measurable.
const INTERRUPT_EVERY: u32 = 10_000;

/// Stops the script once `stop` is set, with Redis's error. From then on the hook fires on every line, so a
/// `pcall` in the script cannot swallow the kill (as Redis's luaMaskCountHook does).
fn install_interrupt_hook(lua: &Lua, bridge: &Table, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let bridge = bridge.clone();
    lua.set_hook(mlua::HookTriggers::new().every_nth_instruction(INTERRUPT_EVERY), move |lua, _| {
        if !stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(mlua::VmState::Continue);
        }
        let again = bridge.clone();
        lua.set_hook(mlua::HookTriggers::new().every_line(), move |lua, _| raise(lua, &again, KILLED));
        raise(lua, &bridge, KILLED)
    });
}

const KILLED: &str = "ERR Script killed by user with SCRIPT KILL...";

/// One command for redis.call / redis.pcall: the reply as a Lua value, and whether it is an error.
fn redis_command(lua: &Lua, bridge: &Table, cc: &RefCell<CallCtx>, args: MultiValue) -> mlua::Result<(Value, bool)> {
    let fail = |text: &str, stats_flag: bool| -> mlua::Result<(Value, bool)> {
        Ok((Value::Table(convert::error_table(lua, text.as_bytes(), stats_flag)?), true))
    };
    if args.is_empty() {
        return fail("ERR Please specify at least one argument for this redis lib call", false);
    }
    let mut owned: Vec<Vec<u8>> = Vec::with_capacity(args.len().min(1024));
    for v in &args {
        match convert::lua_arg(v) {
            Some(a) => owned.push(a),
            None => return fail("ERR Lua redis lib command arguments must be strings or integers", false),
        }
    }
    let argv: Vec<&[u8]> = owned.iter().map(|a| &a[..]).collect();
    let resp3 = bridge.raw_get::<i64>("resp").unwrap_or(2) == 3;
    let mut cc = cc.try_borrow_mut().map_err(|_| mlua::Error::RecursiveMutCallback)?;
    let cmd = match script_gates(&argv, cc.read_only) {
        Ok(cmd) => cmd,
        Err(text) => return fail(text, true),
    };
    let mut out = Out { buf: Vec::new(), resp3 };
    let CallCtx { state, shared, client, .. } = &mut *cc;
    execute(state, shared, client, cmd, &argv, &mut out);
    drop(cc);
    convert::resp_to_lua(lua, &out.buf)
}

/// scriptCall's checks, in Redis's order: known command, arity, allowed in scripts, read-only scripts.
fn script_gates(argv: &[&[u8]], read_only: bool) -> Result<&'static CommandSpec, &'static str> {
    let cmd = match lookup(argv) {
        Ok(cmd) => cmd,
        // A container without its subcommand is found, with the container's arity.
        Err(CmdError::WrongArity(_)) => return Err("ERR Wrong number of args calling Redis command from script"),
        Err(_) => return Err("ERR Unknown Redis command called from script"),
    };
    if !cmd.arity_ok(argv.len()) {
        return Err("ERR Wrong number of args calling Redis command from script");
    }
    if cmd.has(flags::NOSCRIPT) {
        return Err("ERR This Redis command is not allowed from script");
    }
    if read_only && cmd.has(flags::WRITE | flags::MAY_REPLICATE) {
        return Err("ERR Write commands are not allowed from read-only scripts.");
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1hex_matches_redis() {
        assert_eq!(sha1hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1hex(b"return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    }

    #[test]
    fn init_builds_the_sandbox() {
        let engine = Engine::new().expect("init.lua runs");
        let f = engine.lua.load("return type(redis.call)..type(os)").set_name(SCRIPT_CHUNK).into_function();
        // `os` is gone: reading it is an error through the protected globals.
        let runner: Function = engine.bridge.raw_get("run").expect("run");
        let (ok, err, _): (bool, Value, i64) = runner.call(f.expect("compiles")).expect("runs");
        assert!(!ok);
        let t = err.as_table().expect("error table");
        let msg: String = t.raw_get("err").expect("err");
        assert_eq!(msg, "ERR user_script:1: Script attempted to access nonexistent global variable 'os'");
    }
}
