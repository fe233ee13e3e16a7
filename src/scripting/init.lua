-- The scripting environment, as Redis 7.0 builds it (script_lua.c, eval.c). Runs once per Lua state, with the
-- real globals table; `impl` is the bridge to Rust (impl.command is set for the duration of each script run).
local G, impl = ...
local dbg = debug
local error, type, tostring, select, setmetatable, setfenv = error, type, tostring, select, setmetatable, setfenv
local lua_rawget, lua_rawset, lua_next, lua_pcall, lua_loadstring = rawget, rawset, next, pcall, loadstring
local INTERNAL = "=internal"

-- Where an error happened: the first frame that is neither C nor this file (Redis skips one C frame).
-- An error raised by a Rust function arrives as mlua's userdata; its error table waits in impl.pending.
local function raised(err)
  if type(err) == 'userdata' and impl.pending ~= nil then
    err = impl.pending
    impl.pending = nil
  end
  return err
end

local function handler(err)
  err = raised(err)
  local level = 2
  local i = dbg.getinfo(level, 'nSl')
  while i and (i.what == 'C' or i.source == INTERNAL) do
    level = level + 1
    i = dbg.getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

function impl.run(f)
  impl.pending = nil
  return xpcall(f, handler)
end

local function ro_error() error("Attempt to modify a readonly table", 2) end

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

-- Redis 7.0's pcall hands the script an error's text, not the error table.
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = raised((...))
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then e = m end
  end
  return false, e
end
G.pcall = function(...) return pcall_result(lua_pcall(...)) end

-- Binary chunks are refused: Redis's Lua parses them as text, which fails on the first byte.
local function chunk_id(name)
  local first = name:match('^[^%z]*')
  if first:sub(1, 1) == '=' then return first:sub(2, 60) end
  local line = first:match('^[^\n]*')
  local shown = line:sub(1, 43)
  if #shown < #first then shown = shown .. '...' end
  return '[string "' .. shown .. '"]'
end
G.loadstring = function(s, name)
  if type(s) == 'string' and s:byte(1) == 27 then
    return nil, chunk_id(name or s) .. ":1: unexpected symbol near 'char(27)'"
  end
  return lua_loadstring(s, name)
end
G.load = function(reader, name)
  local parts = {}
  while true do
    local p = reader()
    if p == nil or p == '' then break end
    parts[#parts + 1] = p
  end
  return G.loadstring(table.concat(parts), name or '=(load)')
end

-- Read-only tables: scripts see proxies (a stock Lua 5.1 has no read-only tables as Redis's patched one has).
local real = setmetatable({}, {__mode = 'k'})
local function protect(t)
  local p = setmetatable({}, {__index = t, __newindex = ro_error, __metatable = false})
  real[p] = t
  return p
end
G.rawset = function(t, k, v)
  if real[t] then error("Attempt to modify a readonly table", 0) end
  return lua_rawset(t, k, v)
end
G.rawget = function(t, k) return lua_rawget(real[t] or t, k) end
local function next_(t, k) return lua_next(real[t] or t, k) end
G.next = next_
G.pairs = function(t) return next_, t, nil end

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
for _, lib in ipairs({'string', 'math', 'table', 'coroutine', 'bit', 'cjson', 'struct', 'cmsgpack'}) do
  if lua_rawget(G, lib) ~= nil then lua_rawset(G, lib, protect(lua_rawget(G, lib))) end
end
lua_rawset(G, 'redis', protect(redis))

-- Scripts see `globals`, whose reads fall through to the real table G without a function call (most global
-- reads are of existing names: tonumber, redis, KEYS...); only a missing name reaches G's own __index, which
-- raises Redis's error at the script's line.
setmetatable(G, {
  __index = function(_, k)
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
  __metatable = false,
})
local globals = setmetatable({}, {__index = G, __newindex = ro_error, __metatable = false})
real[globals] = G
lua_rawset(G, '_G', globals)
-- Every chunk loaded from now on (scripts, loadstring) sees the protected globals.
setfenv(0, globals)
