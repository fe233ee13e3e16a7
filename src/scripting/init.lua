-- The scripting environment, as Redis 7.0 builds it (script_lua.c, eval.c). Runs once per Lua state, with the
-- real globals table; `impl` is the bridge to Rust (impl.command is set for the duration of each script run).
local G, impl = ...
local dbg = debug
local error, type, tostring, select, setmetatable = error, type, tostring, select, setmetatable
local lua_rawset, lua_next, lua_xpcall = rawset, next, xpcall
local INTERNAL = "=internal"

-- An error raised by a Rust function arrives as mlua's userdata; its error table waits in impl.pending.
local function raised(err)
  if type(err) == 'userdata' and impl.pending ~= nil then
    err = impl.pending
    impl.pending = nil
  end
  return err
end

-- The error `err` as Redis answers it: a table, with where it happened: the first frame from `level` (of the
-- coroutine `co`, or of the caller's stack) that is neither C nor this file.
local function located(err, co, level)
  err = raised(err)
  local i
  repeat
    if co then i = dbg.getinfo(co, level, 'nSl') else i = dbg.getinfo(level, 'nSl') end
    level = level + 1
  until not (i and (i.what == 'C' or i.source == INTERNAL))
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

-- Redis's error handler, run where the error was raised: from the frame above it (Redis skips one C frame).
-- Level 3 from `located`: located, this handler, then the frame that raised.
local function handler(err)
  local located_err = located(err, nil, 3)
  return located_err
end

-- Runs a script in the runner coroutine (csrc/lua_sandbox.c), or resumes it with no argument: true and its
-- result; false and its error, located in the dead coroutine's frames; nothing if the interrupt hook yielded.
local run_coroutine = impl.run_coroutine
function impl.run(f)
  impl.pending = nil
  local ok, v, co = run_coroutine(f)
  if ok == false then
    return false, located(v, co, 0)
  end
  return ok, v
end

-- luaPushErrorBuff: "-CODE msg" keeps its code, anything else gets ERR; CR/LF trimmed at both ends.
local function error_text(s)
  local code, msg = 'ERR', s
  if s:sub(1, 1) == '-' then
    local sp = s:find(' ', 1, true)
    if sp then code, msg = s:sub(2, sp - 1), s:sub(sp + 1) else msg = s:sub(2) end
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return code .. ' ' .. msg
end

local redis = {}
impl.redis = redis
-- Functions that raise errors are Rust functions: a Lua function called as `return f()` would be a tail call and
-- lose the script's frame, and with it the `on @user_script:N` of the error. They raise by storing the error
-- table in impl.pending.
redis.call, redis.pcall = impl.call, impl.pcall
redis.sha1hex, redis.log, redis.setresp, redis.set_repl = impl.sha1hex, impl.log, impl.setresp, impl.set_repl
redis.acl_check_cmd = impl.acl_check_cmd
function redis.error_reply(...)
  if select('#', ...) ~= 1 or type((...)) ~= 'string' then return {err = 'ERR wrong number or type of arguments'} end
  local e = ...
  if e:sub(1, 1) ~= '-' then e = '-' .. e end
  return {err = error_text(e)}
end
function redis.status_reply(...)
  if select('#', ...) ~= 1 or type((...)) ~= 'string' then return {err = 'ERR wrong number or type of arguments'} end
  return {ok = (...)}
end
function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION = impl.version
redis.REDIS_VERSION_NUM = impl.version_num

-- Redis 7.0's pcall hands the script an error's text, not the error table (luaRedisPcall, in C: a Lua
-- function would tail-call and lose pcall's name in argument errors).
G.pcall = impl.make_pcall(raised)
-- xpcall's message handler gets the error as Redis raises it (a table, a string), not mlua's wrapper.
G.xpcall = function(...)
  if select('#', ...) < 2 then
    -- luaL_argerror's name: the caller's, unknown when a C function (pcall) called it.
    local caller = dbg.getinfo(2, 'S')
    local name = (caller and caller.what ~= 'C') and 'xpcall' or '?'
    error("bad argument #2 to '" .. name .. "' (value expected)", 2)
  end
  local f, msgh = ...
  return lua_xpcall(f, function(e) return msgh(raised(e)) end)
end

-- Only Redis's allow list stays global.
local allowed = {}
-- Redis 7.0.15 also removed getfenv, setfenv and newproxy (a script could reach the unprotected globals or
-- run Lua code from the garbage collector).
for _, name in ipairs({'string', 'math', 'table', 'coroutine', 'xpcall', 'tostring', 'setmetatable', 'next',
    'assert', 'tonumber', 'rawequal', 'collectgarbage', 'getmetatable', 'rawset', 'pcall', 'type', '_G', 'select',
    'unpack', 'gcinfo', 'pairs', 'rawget', 'loadstring', 'ipairs', '_VERSION', 'load', 'error', 'bit', 'cjson',
    'struct', 'cmsgpack'}) do
  allowed[name] = true
end
local names = {}
for name in lua_next, G do names[#names + 1] = name end
for _, name in ipairs(names) do
  if not allowed[name] then lua_rawset(G, name, nil) end
end
lua_rawset(G, 'redis', redis)
-- The script runs in a coroutine it must not see (csrc/lua_sandbox.c).
G.coroutine.running, G.coroutine.yield = impl.co_running, impl.co_yield
-- Redis 7.0 keeps its error handler as a global.
lua_rawset(G, '__redis__err__handler', handler)
-- Each run replaces them (impl.set_args); present from the start, so that replacing them never grows the table.
lua_rawset(G, 'KEYS', {})
lua_rawset(G, 'ARGV', {})

-- Reading a missing global is an error (Redis's luaSetErrorMetatable); then the globals, every table reachable
-- from them and the metatables of the basic types become read-only, in the VM itself (csrc/lua_sandbox.c).
setmetatable(G, {__index = impl.missing_global})
impl.protect(G)
