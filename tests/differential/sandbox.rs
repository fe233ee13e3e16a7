//! The scripting sandbox against redis-server (Debian's 7.0.15, which carries the 2025 Lua fixes): a script
//! cannot change what later scripts compute. Every table a script can reach (the globals, the libraries, their
//! metatables, the string metatable) is read-only in the VM, for assignments, `rawset`, `setmetatable` and the
//! table library alike; and the Lua CVEs Redis fixed are answered as Redis answers them. After each attempt the
//! server still answers, and what later scripts see is unchanged.

use super::diff_script;

/// The tables every script can reach: each refuses assignments, `rawset`, `setmetatable` and the table
/// library's writes, with Redis's error (with the script's position for an assignment, without for a C
/// function's write).
#[test]
fn every_reachable_table_is_read_only() {
    let mut script = String::new();
    for lib in ["_G", "string", "math", "table", "coroutine", "bit", "cjson", "struct", "cmsgpack", "redis"] {
        script += &format!(
            r#"
            EVAL "{lib}.injected = 1" 0
            EVAL "rawset({lib}, 'injected', 1)" 0
            EVAL "setmetatable({lib}, {{__index = function() return 'pwned' end}})" 0
            EVAL "setmetatable({lib}, nil)" 0
            EVAL "table.insert({lib}, 'x')" 0
            EVAL "for k in pairs({lib}) do {lib}[k] = nil end" 0
            EVAL "local k = next({lib}) rawset({lib}, k, 'pwned')" 0
            EVAL "return {{type(getmetatable({lib})), #{lib}}}" 0
            EVAL "return rawget({lib}, 'injected')" 0
            "#
        );
    }
    script += r#"
        EVAL "return {string.upper('abc'), math.floor(2.5), table.concat({'a', 'b'}), type(coroutine.wrap)}" 0
        EVAL "return {bit.band(3, 1), cjson.encode({1}), struct.pack('>I2', 258), cmsgpack.pack(1)}" 0
        EVAL "return {type(redis.call), redis.REDIS_VERSION, type(_G), type(_G._G)}" 0
        PING
    "#;
    diff_script("every_reachable_table_is_read_only", &script);
}

/// The string metatable: shared by every string, so a change would reach every later script
/// (CVE-2025-46818). Its __index is the `string` library.
#[test]
fn the_string_metatable_is_read_only() {
    diff_script(
        "string_metatable",
        r#"
        EVAL "getmetatable('').__index.upper = function(s) return 'pwned' end" 0
        EVAL "return string.upper('abc')" 0
        EVAL "return ('abc'):upper()" 0
        EVAL "getmetatable('').__index = {upper = function() return 'pwned' end}" 0
        EVAL "return ('abc'):upper()" 0
        EVAL "getmetatable('').__add = function() return 'pwned' end" 0
        EVAL "getmetatable('').__index = nil" 0
        EVAL "rawset(getmetatable(''), '__add', 1)" 0
        EVAL "rawset(getmetatable(''), '__index', {})" 0
        EVAL "setmetatable(getmetatable(''), {})" 0
        EVAL "table.insert(getmetatable(''), 1)" 0
        EVAL "return {pcall(function() return 'a' + {} end)}" 0
        EVAL "return {pcall(function() return '1' + 2 end)}" 0
        EVAL "return tostring(rawequal(getmetatable('').__index, string))" 0
        EVAL "local n = 0 for k, v in pairs(getmetatable('')) do n = n + 1 end return n" 0
        EVAL "return {type(getmetatable(1)), type(getmetatable(true)), type(getmetatable(nil)), type(getmetatable(print))}" 0
        EVAL "return string.upper('abc')" 0
        PING
        "#,
    );
}

/// The globals: no new names, no changed names, and their metatable (reading a missing global is an error)
/// is itself read-only. KEYS and ARGV are each run's own tables, and writable.
#[test]
fn the_globals_and_their_metatable_are_read_only() {
    diff_script(
        "globals",
        r#"
        EVAL "x = 1" 0
        EVAL "_G.x = 1" 0
        EVAL "_G._G.x = 1" 0
        EVAL "rawset(_G, 'x', 1)" 0
        EVAL "return x" 0
        EVAL "return rawget(_G, 'x')" 0
        EVAL "tostring = function() return 'pwned' end" 0
        EVAL "pcall = nil" 0
        EVAL "redis = {}" 0
        EVAL "_G['string'] = nil" 0
        EVAL "for k, v in pairs(_G) do _G[k] = nil end" 0
        EVAL "return getmetatable(_G)" 0
        EVAL "return type(getmetatable(_G).__index)" 0
        EVAL "getmetatable(_G).__index = nil" 0
        EVAL "getmetatable(_G).__newindex = function() end" 0
        EVAL "rawset(getmetatable(_G), '__index', nil)" 0
        EVAL "setmetatable(_G, nil)" 0
        EVAL "setmetatable(_G, {})" 0
        EVAL "return getmetatable(_G).__index()" 0
        EVAL "return getmetatable(_G).__index(_G, {})" 0
        EVAL "return getmetatable(_G).__index(_G, 'nope')" 0
        EVAL "return _G[{}]" 0
        EVAL "return _G[1]" 0
        EVAL "return type(__redis__err__handler)" 0
        EVAL "return __redis__err__handler('boom')" 0
        EVAL "__redis__err__handler = nil" 0
        EVAL "KEYS[1] = 'changed' table.insert(ARGV, 'more') return {KEYS[1], ARGV[1], ARGV[2]}" 1 k a
        EVAL "rawset(KEYS, 2, 'x') setmetatable(ARGV, {}) return #KEYS" 1 k
        EVAL "return {#KEYS, #ARGV}" 0
        EVAL "local c = cjson.new() c.x = 1 return c.x" 0
        EVAL "return coroutine.wrap(function() string.upper = 1 end)()" 0
        EVAL "error({err = 1})" 0
        EVAL "error({err = 1.5})" 0
        EVAL "error({err = 'MY code', source = 'somewhere', line = 7})" 0
        EVAL "error({err = 'MY code', source = 'somewhere', line = 'here'})" 0
        EVAL "error({err = 'MY code', source = 5, line = 2.5})" 0
        EVAL "error(setmetatable({}, {__index = function(t, k) return 'X' .. k end}))" 0
        EVAL "error(setmetatable({err = 'E1'}, {__index = function(t, k) return 7 end}))" 0
        EVAL "return setmetatable({}, {__index = function(t, k) return 'X' .. k end})" 0
        EVAL "return {pcall(error, setmetatable({}, {__index = function() return 'Y' end}))}" 0
        EVAL "error(true)" 0
        EVAL "return pcall()" 0
        EVAL "return {pcall(pcall)}" 0
        EVAL "return {pcall(1)}" 0
        EVAL "return {pcall(redis.call, 'nosuch')}" 0
        EVAL "return {pcall(cjson.decode, 'x')}" 0
        EVAL "return {pcall(error, {err = 5})}" 0
        EVAL "return {pcall(error, {err = {}})}" 0
        EVAL "return {select('#', pcall(error, {})), select('#', pcall(error, {err = 'x'})), select('#', pcall(error, 'x'))}" 0
        EVAL "return {pcall(error, setmetatable({}, {__index = function() return 'M' end}))}" 0
        EVAL "return {pcall(function(...) return select('#', ...) end, 1, nil, 3)}" 0
        EVAL "return {pcall(string.rep)}" 0
        EVAL "local ok, e = xpcall(function() return redis.call('nosuch') end, function(e) return e end) return {tostring(ok), type(e), e.err}" 0
        EVAL "local ok, e = xpcall(function() return redis.call('nosuch') end, function(e) return tostring(getmetatable(e)) end) return {tostring(ok), e}" 0
        EVAL "local ok, e = xpcall(function() return cjson.decode('x') end, function(e) return e end) return {tostring(ok), e}" 0
        EVAL "return {xpcall(function() error('boom') end, function(e) return 'H:' .. e end)}" 0
        EVAL "return {xpcall(function() error('boom') end, nil)}" 0
        EVAL "return {xpcall(function() error('boom') end)}" 0
        EVAL "return {pcall(xpcall, function() end)}" 0
        EVAL "return {xpcall(function() return 1, 2 end, print)}" 0
        EVAL "return {xpcall(function() error({err='X y'}) end, function(e) return e.err end)}" 0
        EVAL "return {xpcall(function() local x = nil; return x.y end, function(e) error('again') end)}" 0
        EVAL "return {xpcall(redis.call, function(e) return e end, 'get', 'a')}" 0
        EVAL "error(nil)" 0
        EVAL "return redis.acl_check_cmd('get', 'a')" 0
        EVAL "return redis.acl_check_cmd('get')" 0
        EVAL "return redis.acl_check_cmd('GET', 1)" 0
        EVAL "return redis.acl_check_cmd('config')" 0
        EVAL "return redis.acl_check_cmd('config', 'get')" 0
        EVAL "return redis.acl_check_cmd('config', 'nosuch')" 0
        EVAL "return redis.acl_check_cmd('nosuch')" 0
        EVAL "return redis.acl_check_cmd()" 0
        EVAL "return redis.acl_check_cmd({})" 0
        EVAL "return {pcall(redis.acl_check_cmd, 'nosuch')}" 0
        EVAL "local r = {} for k, v in pairs(redis) do r[#r + 1] = k .. '=' .. type(v) end table.sort(r) return r" 0
        EVAL "local r = {} for k, v in pairs(_G) do r[#r + 1] = k .. '=' .. type(v) end table.sort(r) return r" 0
        EVAL "return {type(getfenv), type(setfenv), type(newproxy), type(debug), type(os), type(io), type(require)}" 0
        EVAL "return {tostring(x), type(tostring), type(pcall), type(redis.call)}" 0
        PING
        "#,
    );
}

/// Lua CVEs Redis fixed: each answered as redis-server answers it, and the server stays up.
#[test]
fn lua_cves_are_answered_as_redis_does() {
    diff_script(
        "lua_cves",
        r#"
        # Bytecode (CVE-2015-4335): loadstring and load parse it as text, which fails.
        EVAL "local f, e = loadstring(string.dump(function() return 1 end)) return {tostring(f), e}" 0
        EVAL "local s = string.dump(function() return 1 end) local done = false local f, e = load(function() if done then return nil end done = true return s end) return e" 0
        EVAL "local f, e = loadstring('\27Lua') return e" 0
        EVAL "local f, e = loadstring(string.dump(function() return 1 end), '=named') return e" 0
        # unpack ranges (CVE-2025-46817, CVE-2021-32626).
        EVAL "return {pcall(unpack, {1, 2, 3}, -2147483648, 2147483647)}" 0
        EVAL "return {pcall(unpack, {1, 2, 3}, -2, 2147483647)}" 0
        EVAL "return {pcall(unpack, {}, 1, 1e7)}" 0
        EVAL "return #{unpack({}, 1, 7990)}" 0
        EVAL "return {pcall(unpack, {}, 2147483647, 2147483647)}" 0
        EVAL "return {pcall(unpack, {}, -2147483648, -2147483648)}" 0
        # bit.tohex widths (CVE-2024-31449).
        EVAL "return bit.tohex(65535, -2147483648)" 0
        EVAL "return bit.tohex(65535, 2147483647)" 0
        EVAL "return bit.tohex(-1, -2147483647)" 0
        # struct sizes (CVE-2020-14147).
        EVAL "return struct.pack('i2147483648', 1)" 0
        EVAL "return struct.unpack('i2147483648', 'x')" 0
        EVAL "return struct.size('c2147483648')" 0
        EVAL "return struct.pack('c2147483647', 'x')" 0
        EVAL "return struct.unpack('c2147483647', 'x')" 0
        EVAL "return struct.pack('!2147483648i', 1)" 0
        # cmsgpack counts (CVE-2018-11218, CVE-2018-11219).
        EVAL "return cmsgpack.unpack('\xdd\xff\xff\xff\xff')" 0
        EVAL "return {pcall(cmsgpack.unpack, '\xdf\xff\xff\xff\xff')}" 0
        EVAL "return {pcall(cmsgpack.unpack, '\xdb\xff\xff\xff\xff')}" 0
        EVAL "local t = {} for i = 1, 8000 do t[i] = i end return #cmsgpack.pack(unpack(t))" 0
        EVAL "local t = {} for i = 1, 7990 do t[i] = i end return #cmsgpack.pack(unpack(t))" 0
        EVAL "local t = {} local c = t for i = 1, 2000 do c[1] = {} c = c[1] end return #cmsgpack.pack(t)" 0
        EVAL "return cmsgpack.unpack_limit('\x93\x01\x02\x03', -1)" 0
        EVAL "return {pcall(cmsgpack.unpack_one, '\x93\x01\x02', 2147483647)}" 0
        # cjson nesting and sizes (CVE-2022-24834's neighbourhood).
        EVAL "return cjson.decode(string.rep('[', 100000))" 0
        EVAL "return cjson.decode(string.rep('{\"a\":', 100000))" 0
        EVAL "local t = {} local c = t for i = 1, 2000 do c[1] = {} c = c[1] end return cjson.encode(t)" 0
        EVAL "local t = {} t[1] = t return cjson.encode(t)" 0
        EVAL "return cjson.encode_max_depth(2147483648)" 0
        EVAL "return {pcall(cjson.encode_number_precision, 100)}" 0
        # Deep recursion and other stack exhaustion.
        EVAL "local function f() return 1 + f() end return f()" 0
        EVAL "local function f(n) local t = {f(n + 1)} return t end return f(1)" 0
        EVAL "local co = coroutine.wrap(function() local function f() return 1 + f() end return f() end) return co()" 0
        EVAL "local s = 'return ' .. string.rep('(', 300) .. '1' .. string.rep(')', 300) return {loadstring(s)}" 0
        EVAL "return string.format('%99999d', 1)" 0
        EVAL "return {pcall(string.rep, 'x', -1)}" 0
        EVAL "return {pcall(select, -2147483648, 1)}" 0
        EVAL "return {pcall(string.char, 256)}" 0
        EVAL "return {pcall(string.byte, 'abc', -2147483648, 2147483647)}" 0
        EVAL "return #{string.byte(string.rep('x', 7990), 1, -1)}" 0
        EVAL "return {pcall(string.byte, string.rep('x', 9000), 1, -1)}" 0
        EVAL "return {pcall(table.concat, {}, '', 1, 2147483647)}" 0
        EVAL "return {pcall(table.insert, {}, 2147483647, 1)}" 0
        # Big replies and argument lists through redis.call (CVE-2021-32626: the Lua stack must grow or fail).
        EVAL "for i = 1, 20000 do redis.call('hset', 'bigh', i, i) end return #redis.call('hgetall', 'bigh')" 0
        EVAL "local t = {} for i = 1, 7000 do t[#t + 1] = i end return redis.call('hset', 'bigh2', unpack(t))" 0
        EVAL "return {pcall(unpack, redis.call('hgetall', 'bigh'))}" 0
        EVAL "return {pcall(redis.call, 'hset', 'x', unpack({1, 2, 3}, 1, 7990))}" 0
        EVAL "return redis.call('del', 'bigh', 'bigh2', 'x')" 0
        PING
        "#,
    );
}

/// `#!lua` first lines (Redis 7.0's script flags): parsing and its errors, and what the flags change.
#[test]
fn script_shebang_flags() {
    diff_script(
        "script_shebang",
        r##"
        EVAL "#!lua\nreturn 1" 0
        EVAL "#!lua\n" 0
        EVAL "#!lua flags=\nreturn 1" 0
        EVAL "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2" 0
        EVAL "#!lua  flags=no-writes\treturn 3\nreturn 4" 0
        EVAL "#!lua \"flags=no-writes\"\nreturn 5" 0
        EVAL "#!lua flags=no-writes flags=allow-oom\nreturn 6" 0
        EVAL "#!lua\r\nreturn 7" 0
        EVAL "#!lua" 0
        EVAL "#!lua flags=no-writes" 0
        EVAL "#!lua flags=bogus\nreturn 1" 0
        EVAL "#!lua flags=NO-WRITES\nreturn 1" 0
        EVAL "#!lua flags=no-writes,\nreturn 1" 0
        EVAL "#!lua flags=no-writes,,allow-oom\nreturn 1" 0
        EVAL "#!lua name=foo\nreturn 1" 0
        EVAL "#!lua foo\nreturn 1" 0
        EVAL "#!python\nreturn 1" 0
        EVAL "#!LUA\nreturn 1" 0
        EVAL "#! lua\nreturn 1" 0
        EVAL "#!\nreturn 1" 0
        EVAL "#!lua \"flags=no-writes\nreturn 1" 0
        EVAL "#!lua flags=bo\x00gus\nreturn 1" 0
        EVAL "#!lua\x00\nreturn 1" 0
        EVAL " #!lua\nreturn 1" 0
        EVAL "#lua\nreturn 1" 0
        # Line numbers stay the user's: the first line's line feed is kept.
        EVAL "#!lua\nreturn x" 0
        EVAL "#!lua\nreturn +" 0
        EVAL "#!lua\n\nerror('boom')" 0
        # no-writes: the script is read-only, as with EVAL_RO.
        SET k v
        EVAL "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])" 1 k
        EVAL "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'x')" 1 k
        EVAL "#!lua flags=no-writes\nreturn redis.pcall('set', KEYS[1], 'x')" 1 k
        EVAL "#!lua flags=no-writes\nreturn redis.call('publish', 'ch', 'm')" 0
        EVAL "#!lua flags=no-writes\nreturn redis.call('del', KEYS[1])" 1 k
        EVAL "#!lua\nreturn redis.call('set', KEYS[1], 'y')" 1 k
        EVAL "return redis.call('publish', 'ch', 'm')" 0
        EVAL_RO "return redis.call('publish', 'ch', 'm')" 0
        GET k
        # *_RO commands refuse a script that may write.
        EVAL_RO "#!lua\nreturn 1" 0
        EVAL_RO "#!lua flags=allow-oom\nreturn 1" 0
        EVAL_RO "#!lua flags=no-writes\nreturn 1" 0
        EVAL_RO "return 1" 0
        # SCRIPT LOAD parses the shebang too; EVALSHA runs with the cached script's flags.
        SCRIPT LOAD "#!lua flags=bogus\nreturn 1"
        SCRIPT LOAD "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'z')"
        EVALSHA 34c8c9d31128963989284e33e9f94720fd85832d 1 k
        EVALSHA_RO 34c8c9d31128963989284e33e9f94720fd85832d 1 k
        SCRIPT LOAD "#!lua\nreturn 8"
        EVALSHA_RO a6a4c6b6fb0fbc4a9ab79ee3d5a7e4b3d1c6cb5a 0
        GET k
        # Over maxmemory: a script that declares flags may not start unless allow-oom (no-writes implies it);
        # one without a shebang starts, and only its writes are refused.
        CONFIG SET maxmemory 1
        SET k2 v
        EVAL "#!lua\nreturn 1" 0
        EVAL "#!lua flags=allow-stale\nreturn 1" 0
        EVAL "#!lua flags=allow-oom\nreturn redis.call('set', 'k', 'oom')" 0
        EVAL "#!lua flags=no-writes\nreturn redis.call('get', 'k')" 0
        EVAL "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'x')" 0
        EVAL "return redis.call('set', 'k', 'x')" 0
        EVAL "return redis.pcall('set', 'k', 'x')" 0
        EVAL "return 9" 0
        EVALSHA 34c8c9d31128963989284e33e9f94720fd85832d 1 k
        SCRIPT LOAD "#!lua\nreturn 10"
        MULTI
        EVAL "#!lua flags=no-writes\nreturn 11" 0
        EXEC
        MULTI
        EVAL "#!lua\nreturn 12" 0
        EXEC
        CONFIG SET maxmemory 0
        GET k
        PING
        "##,
    );
}

/// math.random is Redis's rand48, one sequence per server across scripts and SCRIPT FLUSH; math.randomseed
/// reseeds it (for later scripts too, as in Redis).
#[test]
fn math_random_follows_redis() {
    diff_script(
        "math_random",
        r#"
        EVAL "return tostring(math.random())" 0
        EVAL "return tostring(math.random())" 0
        EVAL "return {math.random(10), math.random(5, 7), math.random(-3, -3), math.random(2147483647)}" 0
        SCRIPT FLUSH
        EVAL "return tostring(math.random())" 0
        EVAL "math.randomseed(5) return tostring(math.random())" 0
        EVAL "return tostring(math.random())" 0
        EVAL "math.randomseed(-1) return {tostring(math.random()), math.random(100)}" 0
        EVAL "math.randomseed(2^40) return tostring(math.random())" 0
        EVAL "return math.random(0)" 0
        EVAL "return math.random(3, 2)" 0
        EVAL "return math.random(1, 2, 3)" 0
        EVAL "return math.random('x')" 0
        EVAL "return math.randomseed()" 0
        EVAL "return {pcall(math.random, {})}" 0
        EVAL "math.random = nil" 0
        EVAL "return tostring(math.random())" 0
        "#,
    );
}

/// Scripts run in a coroutine of the server's (so a slow one can be yielded and resumed off the event loop), but
/// see Redis's main thread: no running coroutine, and yielding at the top fails as it does there. Coroutines the
/// script makes itself work as in Redis.
#[test]
fn a_script_sees_the_main_thread() {
    diff_script(
        "main_thread",
        r#"
        EVAL "coroutine.yield()" 0
        EVAL "return coroutine.yield(1)" 0
        EVAL "return tostring(coroutine.running())" 0
        EVAL "local ok, e = pcall(coroutine.yield) return {tostring(ok), e}" 0
        EVAL "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y, coroutine.status(co)}" 0
        EVAL "local co = coroutine.wrap(function() return type(coroutine.running()) end) return co()" 0
        EVAL "local co = coroutine.wrap(function() error('inner') end) co()" 0
        EVAL "return 1" 0
        "#,
    );
}
