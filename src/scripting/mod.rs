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

use crate::config::LogLevel;
use crate::engine::client::Client;
use crate::engine::dispatch::{execute, lookup, ErrorReply};
use crate::engine::script_gate::{Interrupt, Signals};
pub use crate::engine::script_id::ScriptId;
use crate::engine::state::{Shared, State};
use crate::engine::{flags, CommandSpec, Ctx};
use crate::error::{self, CmdError};
use crate::protocol::decode::with_argv_of;
use crate::protocol::Out;
use crate::{REDIS_VERSION, REDIS_VERSION_NUM};
use mlua::{Function, Lua, LuaOptions, MultiValue, StdLib, Table, Value};
use std::cell::Cell;
use std::collections::HashMap;

/// The chunk name of user scripts: errors read `user_script:1: ...`.
const SCRIPT_CHUNK: &str = "@user_script";

/// The script cache and the Lua state it lives in.
pub struct Scripts {
    engine: Option<SendEngine>,
    /// math.random's generator state while no Lua state exists (Redis's outlives SCRIPT FLUSH).
    rand48: u64,
}

/// rand48's initial state (X2 X1 X0 of Redis's rand.c).
const RAND48_INITIAL: u64 = 0x1234_ABCD_330E;

impl Default for Scripts {
    fn default() -> Scripts {
        Scripts { engine: None, rand48: RAND48_INITIAL }
    }
}

struct Engine {
    lua: Lua,
    /// The globals table (read-only to scripts).
    globals: Table,
    /// csrc/lua_sandbox.c's set_args: a run's KEYS and ARGV into the read-only globals.
    set_args: Function,
    /// The userdata holding math.random's state (a u64).
    rand48: mlua::AnyUserData,
    /// init.lua's `run`: runs (or resumes) a script in the runner coroutine, and locates its errors.
    runner: Function,
    /// Compiled scripts by id.
    /// Held in the Lua registry, not as `Function` handles: every live handle takes a slot of mlua's auxiliary
    /// stack (about 8000), so caching that many scripts that way would abort the server.
    scripts: HashMap<ScriptId, Cached, foldhash::fast::RandomState>,
    /// A run the interrupt hook yielded, to be resumed (`drive`).
    suspended: Option<Suspended>,
    /// What the cached scripts take outside Lua (INFO `used_memory_scripts_eval`, MEMORY STATS `lua.caches`):
    /// each body and its id, as Redis's lua_scripts_mem counts them.
    scripts_bytes: u64,
    /// Buffers redis.call reuses from one call to the next.
    scratch: Scratch,
}

/// A compiled script and what its shebang declares.
struct Cached {
    func: mlua::RegistryKey,
    shebang: Option<Shebang>,
}

/// What a `#!lua flags=...` first line declares (Redis 7.0's script flags). A script without a shebang runs
/// in Redis's compatibility mode: the EVAL command's own flags, writes allowed, OOM checked at its first write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shebang {
    pub no_writes: bool,
    pub allow_oom: bool,
    pub allow_stale: bool,
    pub no_cluster: bool,
    pub allow_cross_slot_keys: bool,
}

impl Shebang {
    /// evalExtractShebangFlags: the declared flags (None: no shebang) and the length of the first line, which
    /// is left out of the compiled text (its line feed stays, so line numbers stay the user's).
    pub fn parse(body: &[u8]) -> Result<(Option<Shebang>, usize), CmdError> {
        if !body.starts_with(b"#!") {
            return Ok((None, 0));
        }
        // The body is a C string to Redis: a NUL ends it before any line feed after it.
        let text = &body[..body.iter().position(|&b| b == 0).unwrap_or(body.len())];
        let len = text.iter().position(|&b| b == b'\n').ok_or(error::SCRIPT_SHEBANG_INVALID)?;
        let parts = crate::protocol::decode::split_args(&text[..len])
            .filter(|p| !p.is_empty())
            .ok_or(error::SCRIPT_SHEBANG_NO_ENGINE)?;
        if parts[0] != b"#!lua" {
            return Err(error::script_shebang_engine(&parts[0]));
        }
        let mut shebang = Shebang::default();
        for part in &parts[1..] {
            let Some(list) = part.strip_prefix(b"flags=") else {
                return Err(error::script_shebang_option(part));
            };
            // sdssplitlen: an empty list has no flags; otherwise every comma separates one (empty ones too).
            if list.is_empty() {
                continue;
            }
            for flag in list.split(|&b| b == b',') {
                match flag {
                    b"no-writes" => shebang.no_writes = true,
                    b"allow-oom" => shebang.allow_oom = true,
                    b"allow-stale" => shebang.allow_stale = true,
                    b"no-cluster" => shebang.no_cluster = true,
                    b"allow-cross-slot-keys" => shebang.allow_cross_slot_keys = true,
                    _ => return Err(error::script_shebang_flag(flag)),
                }
            }
        }
        Ok((Some(shebang), len))
    }
}

/// The flags the gates before a script command see (evalGetCommandFlags): a script with a shebang replaces
/// EVAL's with what it declares (scriptFlagsToCmdFlags): it writes unless `no-writes`, may grow memory unless
/// `no-writes` or `allow-oom`. None: the command's own flags apply (not a script command, no shebang, or a
/// script that is not cached / does not parse, which the command itself then reports).
fn gate_flags(scripts: &Scripts, cmd: &CommandSpec, argv: &[&[u8]]) -> Option<u32> {
    if !cmd.has(flags::OFFLOAD) || argv.len() < 2 {
        return None;
    }
    let shebang = match cmd.name {
        "eval" | "eval_ro" => Shebang::parse(argv[1]).ok()?.0?,
        "evalsha" | "evalsha_ro" => {
            let engine = scripts.engine.as_ref().map(|e| &e.0)?;
            engine.scripts.get(&ScriptId::parse(argv[1])?)?.shebang?
        }
        _ => return None,
    };
    let mut f = cmd.flags & !(flags::STALE | flags::DENYOOM | flags::WRITE | flags::MAY_REPLICATE);
    if !shebang.allow_oom && !shebang.no_writes {
        f |= flags::DENYOOM;
    }
    if !shebang.no_writes {
        f |= flags::WRITE;
    }
    if shebang.allow_stale {
        f |= flags::STALE;
    }
    Some(f)
}

impl crate::engine::state::ScriptHost for Scripts {
    fn gate_flags(&self, cmd: &CommandSpec, argv: &[&[u8]]) -> Option<u32> {
        gate_flags(self, cmd, argv)
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The scripts of this state (created on first use: the engine holds them without knowing their type).
pub fn scripts(state: &mut State) -> Result<&mut Scripts, CmdError> {
    state
        .scripts
        .get_or_insert_with(|| Box::new(Scripts::default()))
        .as_any_mut()
        .downcast_mut::<Scripts>()
        .ok_or(error::SCRIPT_NO_ENGINE)
}

/// The scripts' memory for INFO and MEMORY STATS (nothing before the first script).
pub fn memory(state: &State) -> ScriptsMemory {
    match state.scripts.as_ref().and_then(|s| s.as_any().downcast_ref::<Scripts>()) {
        Some(scripts) => scripts.memory(),
        None => ScriptsMemory::default(),
    }
}

/// The arguments and the reply of one redis.call, kept between calls so that a call allocates nothing.
#[derive(Default)]
struct Scratch {
    /// The arguments, end to end, and where each ends.
    args: Vec<u8>,
    ends: Vec<usize>,
    reply: Vec<u8>,
}

/// The engine holds Lua handles (reference-counted without atomics: mlua's `send` locking costs about 5% of a
/// short script). It is only ever used by the thread holding the state lock, and no handle outlives a run or
/// leaves the engine, so moving it between threads with the State is sound.
struct SendEngine(Engine);

// SAFETY: see SendEngine: every handle into the Lua state is owned by the engine (or by a run, on the thread that
// holds the state lock), so no two threads ever touch its reference counts or the Lua state at the same time.
unsafe impl Send for SendEngine {}

/// The lowercase hex SHA1 of `data` (script ids, `redis.sha1hex`).
pub fn sha1hex(data: &[u8]) -> String {
    ScriptId::of_body(data).as_str().to_string()
}

fn lua_error(e: mlua::Error) -> CmdError {
    error::script_run_failed(e)
}

impl Engine {
    fn new(rand48: u64) -> mlua::Result<Engine> {
        // Redis opens base, table, string, math and debug (debug only to build the error handler).
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG;
        // SAFETY: the debug library is removed from the globals by init.lua before any script runs.
        let lua = unsafe { Lua::unsafe_new_with(libs, LuaOptions::default()) };
        let globals = lua.globals();
        let bridge = lua.create_table()?;
        bridge.raw_set("version", REDIS_VERSION)?;
        bridge.raw_set("version_num", REDIS_VERSION_NUM)?;
        register_api(&lua, &bridge)?;
        // SAFETY: C functions of csrc/lua_sandbox.c, which follow the lua_CFunction contract.
        unsafe {
            bridge.raw_set("protect", lua.create_c_function(embedis_lua_protect)?)?;
            bridge.raw_set("missing_global", lua.create_c_function(embedis_lua_missing_global)?)?;
            bridge.raw_set("make_pcall", lua.create_c_function(embedis_lua_make_pcall)?)?;
            bridge.raw_set("run_coroutine", lua.create_c_function(embedis_lua_run)?)?;
            bridge.raw_set("co_running", lua.create_c_function(embedis_lua_co_running)?)?;
            bridge.raw_set("co_yield", lua.create_c_function(embedis_lua_co_yield)?)?;
            embedis_lua_set_interrupt(interrupt_decision);
        }
        // SAFETY: as above.
        let set_args = unsafe { lua.create_c_function(embedis_lua_set_args)? };
        // SAFETY: as above.
        let install_random = unsafe { lua.create_c_function(embedis_lua_install_random)? };
        let math: Table = globals.raw_get("math")?;
        // Exact: the state has 48 bits.
        let rand48 = install_random.call::<mlua::AnyUserData>((math, rand48 as f64))?;
        // The C libraries Redis loads next to the standard ones (init.lua keeps them and makes them read-only).
        globals.raw_set("bit", lib_bit::create(&lua, &bridge)?)?;
        globals.raw_set("cjson", lib_cjson::create(&lua, &bridge)?)?;
        globals.raw_set("struct", lib_struct::create(&lua, &bridge)?)?;
        globals.raw_set("cmsgpack", lib_cmsgpack::create(&lua, &bridge)?)?;
        lua.load(include_str!("init.lua")).set_name("=internal").call::<()>((globals.clone(), &bridge))?;
        let runner = bridge.raw_get("run")?;
        Ok(Engine {
            lua,
            globals,
            set_args,
            rand48,
            runner,
            scripts: HashMap::default(),
            suspended: None,
            scripts_bytes: 0,
            scratch: Scratch::default(),
        })
    }
}

// csrc/lua_sandbox.c: the sandbox's read-only tables (see there).
extern "C-unwind" {
    fn embedis_lua_protect(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_missing_global(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_set_args(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_install_random(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_make_pcall(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_run(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_co_running(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_co_yield(state: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
    fn embedis_lua_set_interrupt(decide: extern "C" fn(std::ffi::c_int) -> std::ffi::c_int);
}

impl Engine {
    /// math.random's current state.
    fn rand48(&self) -> u64 {
        // SAFETY: the userdata was created by embedis_lua_install_random holding one u64, and lives as long as
        // the handle; nothing else touches it while the engine is borrowed.
        unsafe { std::ptr::read_unaligned(self.rand48.to_pointer().cast::<u64>()) }
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

thread_local! {
    /// The context of the script running on this thread, for the Rust functions of its `redis` table. Those are
    /// created once per Lua state, so they find the run here rather than capturing it. Null between runs.
    static RUNNING: Cell<*mut CallCtx<'static>> = const { Cell::new(std::ptr::null_mut()) };
}

/// Calls `f` with the running script's context; None outside a run.
fn with_running<R>(f: impl FnOnce(&mut CallCtx) -> R) -> Option<R> {
    // Taken out while in use: a call that re-enters (a `__gc` metamethod run by a collection during
    // redis.call) finds no context instead of a second mutable reference.
    let ctx = RUNNING.replace(std::ptr::null_mut());
    if ctx.is_null() {
        return None;
    }
    // SAFETY: `run` points RUNNING at its CallCtx only while that CallCtx lives (RunningGuard clears it), on this
    // thread, and the pointer was just taken out of the slot, so this is the only reference to it.
    let result = f(unsafe { &mut *ctx });
    RUNNING.set(ctx);
    Some(result)
}

/// Points RUNNING at a run's context until dropped (also when a panic unwinds).
struct RunningGuard;

impl RunningGuard {
    fn set(ctx: &mut CallCtx) -> RunningGuard {
        RUNNING.set((ctx as *mut CallCtx).cast::<CallCtx<'static>>());
        RunningGuard
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.set(std::ptr::null_mut());
    }
}

/// The redis.* functions written in Rust: the ones that run commands, and the ones that may raise errors (see
/// init.lua for why those cannot be Lua functions).
fn register_api(lua: &Lua, bridge: &Table) -> mlua::Result<()> {
    let b = bridge.clone();
    let call =
        lua.create_function(move |lua, args: MultiValue| match with_running(|cc| redis_command(lua, cc, args)) {
            None => raise(lua, &b, error::LUA_NOT_RUNNING),
            Some(Err(e)) => Err(e),
            Some(Ok((err, true))) => {
                b.raw_set("pending", err)?;
                Err(mlua::Error::RuntimeError("redis.call failed".into()))
            }
            Some(Ok((reply, false))) => Ok(reply),
        })?;
    let b = bridge.clone();
    let pcall =
        lua.create_function(move |lua, args: MultiValue| match with_running(|cc| redis_command(lua, cc, args)) {
            None => raise(lua, &b, error::LUA_NOT_RUNNING),
            Some(result) => Ok(result?.0),
        })?;
    let b = bridge.clone();
    let sha1 = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, error::LUA_WRONG_ARGS);
        }
        let text = args.front().and_then(|v| lua.coerce_string(v.clone()).ok().flatten());
        Ok(sha1hex(&text.map(|s| s.as_bytes().to_vec()).unwrap_or_default()))
    })?;
    let b = bridge.clone();
    let log = lua.create_function(move |lua, args: MultiValue| {
        if args.len() < 2 {
            return raise(lua, &b, error::LUA_LOG_ARGS);
        }
        let level = args.front().and_then(|v| lua.coerce_number(v.clone()).ok().flatten());
        if level.is_none() {
            return raise(lua, &b, error::LUA_LOG_LEVEL_TYPE);
        }
        let level = match lua_int(lua, args.front()) {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            2 => LogLevel::Notice,
            3 => LogLevel::Warning,
            _ => return raise(lua, &b, error::LUA_LOG_LEVEL),
        };
        let words: Vec<String> = args
            .iter()
            .skip(1)
            .map(|v| lua.coerce_string(v.clone()).ok().flatten().map(|s| s.to_string_lossy()).unwrap_or_default())
            .collect();
        match with_running(|cc| cc.shared.log.log(level, &words.join(" "))) {
            Some(()) => Ok(()),
            None => raise(lua, &b, error::LUA_NOT_RUNNING),
        }
    })?;
    let b = bridge.clone();
    let setresp = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, error::LUA_SETRESP_ARGS);
        }
        let resp = lua_int(lua, args.front());
        if resp != 2 && resp != 3 {
            return raise(lua, &b, error::LUA_SETRESP_VERSION);
        }
        match with_running(|cc| cc.resp3 = resp == 3) {
            Some(()) => Ok(()),
            None => raise(lua, &b, error::LUA_NOT_RUNNING),
        }
    })?;
    let b = bridge.clone();
    let set_repl = lua.create_function(move |lua, args: MultiValue| {
        if args.len() != 1 {
            return raise(lua, &b, error::LUA_SET_REPL_ARGS);
        }
        let flags = lua_int(lua, args.front());
        if flags & !3 != 0 {
            return raise(lua, &b, error::LUA_SET_REPL_FLAGS);
        }
        // REPL_AOF (1) decides whether the script's next writes reach the AOF; there are no replicas.
        match with_running(|cc| cc.to_aof = flags & 1 != 0) {
            Some(()) => Ok(()),
            None => raise(lua, &b, error::LUA_NOT_RUNNING),
        }
    })?;
    let b = bridge.clone();
    let acl_check = lua.create_function(move |lua, args: MultiValue| {
        match with_running(|cc| acl_check_cmd(&cc.state.commands, &args)) {
            None => raise(lua, &b, error::LUA_ACL_CHECK_OUTSIDE),
            Some(Ok(allowed)) => Ok(allowed),
            Some(Err(text)) => raise(lua, &b, text),
        }
    })?;
    bridge.raw_set("acl_check_cmd", acl_check)?;
    bridge.raw_set("call", call)?;
    bridge.raw_set("pcall", pcall)?;
    bridge.raw_set("sha1hex", sha1)?;
    bridge.raw_set("log", log)?;
    bridge.raw_set("setresp", setresp)?;
    bridge.raw_set("set_repl", set_repl)
}

impl Scripts {
    fn engine(&mut self) -> Result<&mut Engine, CmdError> {
        if self.engine.is_none() {
            self.engine = Some(SendEngine(Engine::new(self.rand48).map_err(lua_error)?));
        }
        // Just created if it was missing.
        self.engine.as_mut().map(|e| &mut e.0).ok_or(error::SCRIPT_NO_ENGINE)
    }

    /// Compiles and caches a script (EVAL, SCRIPT LOAD); returns its id.
    pub fn load(&mut self, body: &[u8]) -> Result<ScriptId, CmdError> {
        let id = ScriptId::of_body(body);
        let engine = self.engine()?;
        if !engine.scripts.contains_key(&id) {
            let (shebang, skip) = Shebang::parse(body)?;
            let f = engine.lua.load(&body[skip..]).set_name(SCRIPT_CHUNK).into_function().map_err(|e| {
                let msg = match e {
                    mlua::Error::SyntaxError { message, .. } => message,
                    other => other.to_string(),
                };
                error::script_compile_failed(&msg)
            })?;
            let func = engine.lua.create_registry_value(f).map_err(lua_error)?;
            engine.scripts.insert(id, Cached { func, shebang });
            engine.scripts_bytes += (body.len() + SCRIPT_ID_BYTES) as u64;
        }
        Ok(id)
    }

    pub fn exists(&self, id: &[u8]) -> bool {
        let engine = self.engine.as_ref().map(|e| &e.0);
        ScriptId::parse(id).is_some_and(|id| engine.is_some_and(|e| e.scripts.contains_key(&id)))
    }

    /// INFO memory's scripting numbers. The Lua state is created on first use: until then it takes nothing.
    pub fn memory(&self) -> ScriptsMemory {
        match self.engine.as_ref().map(|e| &e.0) {
            Some(e) => ScriptsMemory {
                lua_vm: e.lua.used_memory() as u64,
                cached: e.scripts.len(),
                scripts_bytes: e.scripts_bytes,
            },
            None => ScriptsMemory::default(),
        }
    }

    /// SCRIPT FLUSH: drops the scripts and the Lua state itself, as Redis does.
    pub fn flush(&mut self) {
        if let Some(SendEngine(engine)) = self.engine.take() {
            self.rand48 = engine.rand48();
        }
    }
}

/// A script id as the cache holds it: 40 hex digits.
const SCRIPT_ID_BYTES: usize = 40;

/// What the scripts take (INFO memory, MEMORY STATS).
#[derive(Debug, Default, Clone, Copy)]
pub struct ScriptsMemory {
    /// The Lua state's own allocations (`used_memory_lua`, `used_memory_vm_eval`).
    pub lua_vm: u64,
    /// `number_of_cached_scripts`.
    pub cached: usize,
    /// `used_memory_scripts_eval`: script bodies and ids.
    pub scripts_bytes: u64,
}

/// How the script may call commands.
pub struct RunOptions<'a> {
    pub keys: &'a [&'a [u8]],
    pub args: &'a [&'a [u8]],
    /// EVAL_RO / EVALSHA_RO.
    pub read_only: bool,
}

/// What the redis.* functions need while the script runs.
struct CallCtx<'a> {
    state: &'a mut State,
    shared: &'a Shared,
    /// The script's own client: the caller's db, the caller's time snapshot.
    client: Client,
    read_only: bool,
    /// `#!lua flags=allow-oom`: writes are not refused over maxmemory.
    allow_oom: bool,
    /// `redis.setresp(3)`: replies reach the script, and its result is read back, as RESP3.
    resp3: bool,
    /// `redis.set_repl`: the commands it runs are recorded for the AOF (REPL_AOF).
    to_aof: bool,
    /// The script has called a write command.
    wrote: bool,
    scratch: &'a mut Scratch,
}

/// Runs a cached script and writes its reply (or its error) to `ctx.out`; NOSCRIPT if it is not cached.
pub fn run(ctx: &mut Ctx, id: ScriptId, opts: RunOptions) -> Result<(), CmdError> {
    // Out of the State for the run, so the script's commands can borrow the State: none of them can reach the
    // scripts (EVAL, SCRIPT and FUNCTION are refused in scripts).
    let Some(SendEngine(mut engine)) = scripts(ctx.state)?.engine.take() else {
        return Err(error::SCRIPT_NOSCRIPT);
    };
    let result = match engine.suspended.take() {
        Some(run) if run.caller == ctx.client.id && run.id == id => drive(&mut engine, ctx, run, None),
        _ => run_in(&mut engine, ctx, id, opts),
    };
    scripts(ctx.state)?.engine = Some(SendEngine(engine));
    result
}

fn run_in(engine: &mut Engine, ctx: &mut Ctx, id: ScriptId, opts: RunOptions) -> Result<(), CmdError> {
    let cached = engine.scripts.get(&id).ok_or(error::SCRIPT_NOSCRIPT)?;
    let shebang = cached.shebang;
    // scriptPrepareForRun: what a script that declared its flags may not do (the gates checked the rest).
    if let Some(shebang) = shebang {
        if !shebang.no_writes {
            if ctx.state.rdb_writes_denied() {
                return Err(error::MISCONF_RDB);
            }
            if let Some(why) = ctx.shared.aof.write_error() {
                return Err(CmdError::Misconf(why));
            }
            if opts.read_only {
                return Err(error::SCRIPT_WRITE_FLAG_RO);
            }
        }
        if !shebang.allow_oom && !shebang.no_writes && ctx.state.config.maxmemory > 0 && ctx.state.pre_command_oom {
            return Err(error::OOM);
        }
    }
    let func: Function = engine.lua.registry_value(&cached.func).map_err(lua_error)?;
    let array = |items: &[&[u8]]| -> mlua::Result<Table> {
        let t = engine.lua.create_table_with_capacity(items.len().min(1024), 0)?;
        for (i, item) in items.iter().enumerate() {
            t.raw_set(i + 1, engine.lua.create_string(item)?)?;
        }
        Ok(t)
    };
    let keys = array(opts.keys).map_err(lua_error)?;
    let argv = array(opts.args).map_err(lua_error)?;
    engine.set_args.call::<()>((&engine.globals, keys, argv)).map_err(lua_error)?;

    let mut client = Client::new(0, true, true);
    client.addr = "lua".into();
    client.db = ctx.client.db;
    client.time_snapshot = Some(ctx.now);
    let flags = RunFlags {
        read_only: opts.read_only || shebang.is_some_and(|s| s.no_writes),
        allow_oom: shebang.is_some_and(|s| s.allow_oom),
        resp3: false,
        to_aof: true,
        wrote: false,
    };
    drive(engine, ctx, Suspended { caller: ctx.client.id, id, client, flags }, Some(func))
}

/// Runs a script until it ends, or until its interrupt hook yields it (it turned slow on the event loop): it is
/// then kept in the engine, and the command answers `ScriptSuspended`; the same client's same command run
/// again resumes it (engine/script_gate.rs).
fn drive(engine: &mut Engine, ctx: &mut Ctx, run: Suspended, func: Option<Function>) -> Result<(), CmdError> {
    let Suspended { caller, id, client, flags } = run;
    let mut call_ctx = CallCtx {
        state: &mut *ctx.state,
        shared: ctx.shared,
        client,
        read_only: flags.read_only,
        allow_oom: flags.allow_oom,
        resp3: flags.resp3,
        to_aof: flags.to_aof,
        wrote: flags.wrote,
        scratch: &mut engine.scratch,
    };
    let signals = ctx.shared.script.signals();
    let running = RunningGuard::set(&mut call_ctx);
    let interrupts = InterruptGuard::set(&signals);
    let result = engine.runner.call::<(Value, Value)>(func);
    drop(interrupts);
    drop(running);
    let CallCtx { client, read_only, allow_oom, resp3, to_aof, wrote, .. } = call_ctx;
    if let Ok((Value::Nil, _)) = result {
        let flags = RunFlags { read_only, allow_oom, resp3, to_aof, wrote };
        engine.suspended = Some(Suspended { caller, id, client, flags });
        return Err(CmdError::ScriptSuspended);
    }
    signals.stop.store(false, std::sync::atomic::Ordering::SeqCst);
    if signals.moved.load(std::sync::atomic::Ordering::SeqCst) {
        // Nothing to answer: the script runs again off the event loop (engine/script_gate.rs).
        return Err(CmdError::MovedOffEventLoop);
    }
    let (ok, value) = result.map_err(lua_error)?;
    let ok = matches!(ok, Value::Boolean(true));
    // An error the script answers with counts in INFO errorstats, unless it is a command's error the script
    // passed on (already counted when the command failed: Redis's ignore_error_stats_update).
    if !ok || is_error_table(&value) {
        ctx.error_reply = if already_counted(&value) { ErrorReply::Uncounted } else { ErrorReply::Counted };
    }
    if ok {
        convert::lua_to_resp(&engine.lua, value, ctx.out, resp3);
    } else {
        convert::script_error(&engine.lua, &value, id.as_str(), ctx.out);
    }
    Ok(())
}

/// A run in progress: whose, which script, and the state of its `redis.*` calls. Kept in the engine while the
/// script is suspended.
struct Suspended {
    /// The caller's client id: only its command resumes the run.
    caller: u64,
    id: ScriptId,
    /// The script's own client (its db follows the script's SELECTs).
    client: Client,
    flags: RunFlags,
}

/// The run's settings and what it has done (see CallCtx).
#[derive(Clone, Copy)]
struct RunFlags {
    read_only: bool,
    allow_oom: bool,
    resp3: bool,
    to_aof: bool,
    wrote: bool,
}

thread_local! {
    /// What the interrupt hook of the script running on this thread reads. Null between runs.
    static INTERRUPTS: Cell<*const Signals> = const { Cell::new(std::ptr::null()) };
}

/// Points INTERRUPTS at a run's signals until dropped.
struct InterruptGuard;

impl InterruptGuard {
    fn set(signals: &std::sync::Arc<Signals>) -> InterruptGuard {
        INTERRUPTS.set(std::sync::Arc::as_ptr(signals));
        InterruptGuard
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        INTERRUPTS.set(std::ptr::null());
    }
}

/// The interrupt hook's question (csrc/lua_sandbox.c), every few thousand instructions of a script: go on,
/// stop it, or yield it (`Signals::decide`). `yieldable`: the script may yield where it is.
extern "C" fn interrupt_decision(yieldable: std::ffi::c_int) -> std::ffi::c_int {
    let signals = INTERRUPTS.get();
    if signals.is_null() {
        return Interrupt::GoOn as std::ffi::c_int;
    }
    // SAFETY: `drive` points INTERRUPTS at signals its Arc keeps alive for the whole run, on this thread.
    let signals = unsafe { &*signals };
    signals.decide(yieldable != 0, crate::storage::clock::wall_ms()) as std::ffi::c_int
}

fn is_error_table(v: &Value) -> bool {
    matches!(v, Value::Table(t) if matches!(t.raw_get::<Value>("err"), Ok(Value::String(_))))
}

fn already_counted(v: &Value) -> bool {
    matches!(v, Value::Table(t) if t.raw_get::<bool>("ignore_error_stats_update").unwrap_or(false))
}

/// One command for redis.call / redis.pcall: the reply as a Lua value, and whether it is an error.
fn redis_command(lua: &Lua, cc: &mut CallCtx, args: MultiValue) -> mlua::Result<(Value, bool)> {
    let fail = |text: &str, stats_flag: bool| -> mlua::Result<(Value, bool)> {
        Ok((Value::Table(convert::error_table(lua, text.as_bytes(), stats_flag)?), true))
    };
    if args.is_empty() {
        return fail(error::LUA_CALL_NO_ARGS, false);
    }
    let Scratch { args: arg_bytes, ends, reply } = &mut *cc.scratch;
    arg_bytes.clear();
    ends.clear();
    for v in &args {
        if !convert::push_lua_arg(v, arg_bytes) {
            return fail(error::LUA_CALL_ARG_TYPE, false);
        }
        ends.push(arg_bytes.len());
    }
    let arg = |i: usize| &arg_bytes[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    let gated = with_argv_of((0..ends.len()).map(arg), |argv| {
        let cmd = script_gates(&cc.state.commands, argv, cc.read_only, cc.state.scripts_may_call_noscript)
            .map_err(|(cmd, text)| rejected(cc.state, cmd, text))?;
        // Over maxmemory when the script started, it may not begin writing (Redis's scriptVerifyOOM).
        if cmd.has(flags::DENYOOM) && cc.state.pre_command_oom && !cc.wrote && !cc.allow_oom {
            return Err(rejected(cc.state, Some(cmd), error::OOM_TEXT));
        }
        cc.wrote |= cmd.has(flags::WRITE);
        // Writes and PUBLISH (MAY_REPLICATE): running the script again would repeat them.
        if cmd.may_replicate() {
            cc.shared.script.note_side_effect();
        }
        let mut out = Out { buf: std::mem::take(reply), resp3: cc.resp3 };
        out.buf.clear();
        // Without REPL_AOF the command runs unrecorded (Redis's redis.set_repl).
        let recording = cc.state.effects.enabled;
        cc.state.effects.enabled = recording && cc.to_aof;
        execute(cc.state, cc.shared, &mut cc.client, cmd, argv, &mut out);
        cc.state.effects.enabled = recording;
        *reply = out.buf;
        Ok(())
    });
    match gated {
        Ok(()) => convert::resp_to_lua(lua, reply),
        Err(text) => fail(text, true),
    }
}

/// A command the script may not run: its error counts in INFO errorstats, and as a rejected call of the
/// command when it was found (Redis's incrCommandStatsOnError); the script's own reply does not count it again.
fn rejected(
    state: &mut crate::engine::state::State,
    cmd: Option<&'static CommandSpec>,
    text: &'static str,
) -> &'static str {
    let observe = &mut state.observe;
    observe.record_error(&[b"-", text.as_bytes()].concat());
    if let Some(cmd) = cmd {
        observe.record_rejected(crate::engine::table::full_name(cmd));
    }
    observe.errors_seen = observe.total_error_replies;
    text
}

/// redis.acl_check_cmd: may the caller run this command? There are no ACL users (the default user may run
/// everything), so any command this server knows is allowed, without an arity check, as in Redis.
fn acl_check_cmd(names: &crate::engine::table::Names, args: &MultiValue) -> Result<bool, &'static str> {
    if args.is_empty() {
        return Err(error::LUA_CALL_NO_ARGS);
    }
    let mut bytes = Vec::new();
    let mut ends = Vec::with_capacity(args.len());
    for v in args {
        if !convert::push_lua_arg(v, &mut bytes) {
            return Err(error::LUA_CALL_ARG_TYPE);
        }
        ends.push(bytes.len());
    }
    let arg = |i: usize| &bytes[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    match with_argv_of((0..ends.len()).map(arg), |argv| lookup(names, argv)) {
        // A container named alone is found (lookupCommand stops at it).
        Ok(_) | Err(CmdError::WrongArity(_)) => Ok(true),
        Err(_) => Err(error::LUA_ACL_CHECK_INVALID),
    }
}

/// scriptCall's checks, in Redis's order: known command, arity, allowed in scripts, read-only scripts. A refusal
/// names the command when it was found.
fn script_gates(
    names: &crate::engine::table::Names,
    argv: &[&[u8]],
    read_only: bool,
    noscript_allowed: bool,
) -> Result<&'static CommandSpec, (Option<&'static CommandSpec>, &'static str)> {
    let cmd = match lookup(names, argv) {
        Ok(cmd) => cmd,
        // A container without its subcommand is found, with the container's arity.
        Err(CmdError::WrongArity(_)) => {
            let container = argv.first().and_then(|name| names.find(name));
            return Err((container, error::LUA_CALL_ARITY));
        }
        Err(_) => return Err((None, error::LUA_CALL_UNKNOWN)),
    };
    if !cmd.arity_ok(argv.len()) {
        return Err((Some(cmd), error::LUA_CALL_ARITY));
    }
    if cmd.has(flags::NOSCRIPT) && !noscript_allowed {
        return Err((Some(cmd), error::LUA_CALL_NOSCRIPT));
    }
    // PUBLISH too: it is replicated (may_replicate), so read-only scripts may not call it.
    if read_only && cmd.may_replicate() {
        return Err((Some(cmd), error::SCRIPT_WRITE_IN_RO));
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
    fn shebangs_parse_as_redis_reads_them() {
        assert_eq!(Shebang::parse(b"return 1").ok(), Some((None, 0)));
        assert_eq!(Shebang::parse(b"#!lua\nreturn 1").ok(), Some((Some(Shebang::default()), 5)));
        let (flags, len) = Shebang::parse(b"#!lua flags=no-writes,allow-oom\n").expect("parses");
        assert_eq!(len, 31);
        assert!(flags.is_some_and(|f| f.no_writes && f.allow_oom && !f.allow_stale));
        assert_eq!(Shebang::parse(b"#!lua").err(), Some(error::SCRIPT_SHEBANG_INVALID));
        assert_eq!(Shebang::parse(b"#!lua \"x\n").err(), Some(error::SCRIPT_SHEBANG_NO_ENGINE));
        assert_eq!(Shebang::parse(b"#!lua flags=a,\n").err(), Some(error::script_shebang_flag(b"a")));
        assert_eq!(Shebang::parse(b"#!py\n").err(), Some(error::script_shebang_engine(b"#!py")));
    }

    #[test]
    fn the_sandbox_tables_are_read_only() {
        let engine = Engine::new(RAND48_INITIAL).expect("init.lua runs");
        let f = engine.lua.load("getmetatable('').__index.upper = nil").set_name(SCRIPT_CHUNK).into_function();
        let (ok, err): (bool, Value) = engine.runner.call(f.expect("compiles")).expect("runs");
        assert!(!ok);
        let msg: String = err.as_table().expect("error table").raw_get("err").expect("err");
        assert_eq!(msg, "ERR user_script:1: Attempt to modify a readonly table");
    }

    #[test]
    fn init_builds_the_sandbox() {
        let engine = Engine::new(RAND48_INITIAL).expect("init.lua runs");
        let f = engine.lua.load("return type(redis.call)..type(os)").set_name(SCRIPT_CHUNK).into_function();
        // `os` is gone: reading it is an error through the protected globals.
        let (ok, err): (bool, Value) = engine.runner.call(f.expect("compiles")).expect("runs");
        assert!(!ok);
        let t = err.as_table().expect("error table");
        let msg: String = t.raw_get("err").expect("err");
        assert_eq!(msg, "ERR user_script:1: Script attempted to access nonexistent global variable 'os'");
    }
}
