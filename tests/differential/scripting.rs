//! EVAL / EVALSHA / EVAL_RO / EVALSHA_RO / SCRIPT against redis-server: numkeys parsing, conversions both ways,
//! the sandbox (globals, read-only tables), error texts and their `script: <sha>, on @user_script:N.` suffix.

use super::{diff_resp3_script, diff_script};

#[test]
fn eval_arguments_and_numkeys() {
    diff_script(
        "eval_numkeys",
        r#"
        EVAL
        EVAL 'return 1'
        EVAL 'return 1' -1
        EVAL 'return 1' 1
        EVAL 'return 1' 2 a
        EVAL 'return 1' x
        EVAL 'return 1' 1.5 a
        EVAL 'return 1' 0
        EVAL 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}' 2 k1 k2 a1 a2
        EVAL 'return {#KEYS, #ARGV}' 0 a b c
        EVAL 'return KEYS' 3 a b c
        EVAL 'KEYS[1] = "changed"; return KEYS' 1 a
        EVALSHA ffffffffffffffffffffffffffffffffffffffff 0
        EVALSHA abc 0
        EVALSHA ffffffffffffffffffffffffffffffffffffffff -1
        EVALSHA_RO ffffffffffffffffffffffffffffffffffffffff 0
        "#,
    );
}

#[test]
fn lua_to_resp_conversions() {
    diff_script(
        "lua_to_resp",
        r#"
        EVAL 'return 1' 0
        EVAL 'return 3.99' 0
        EVAL 'return -3.99' 0
        EVAL 'return 1e100' 0
        EVAL 'return 0/0' 0
        EVAL 'return "str"' 0
        EVAL 'return true' 0
        EVAL 'return false' 0
        EVAL 'return nil' 0
        EVAL 'return {}' 0
        EVAL 'return {1,2,3,nil,4}' 0
        EVAL 'return {1.5,"x",true,false,{ok="fine"},{err="bad"}}' 0
        EVAL 'return {1, {2, {3}}, "x"}' 0
        EVAL 'local t = {} t[1]="a" t[3]="c" return t' 0
        EVAL 'return {ok="fine"}' 0
        EVAL 'return {ok="a\r\nb"}' 0
        EVAL 'return {err="bad"}' 0
        EVAL 'return {err="ERR"}' 0
        EVAL 'return {err="MYCODE some text"}' 0
        EVAL 'return {err=""}' 0
        EVAL 'return {double=1.5}' 0
        EVAL 'return {ok=1}' 0
        EVAL 'return {a=1}' 0
        EVAL 'return print' 0
        EVAL 'return redis.error_reply("My Error")' 0
        EVAL 'return redis.error_reply("boom")' 0
        EVAL 'return redis.error_reply("-X boom")' 0
        EVAL 'return redis.error_reply(1)' 0
        EVAL 'return redis.status_reply("FINE")' 0
        EVAL 'return redis.status_reply()' 0
        EVAL 'return redis.sha1hex("")' 0
        EVAL 'return redis.sha1hex(12)' 0
        EVAL 'return redis.sha1hex()' 0
        EVAL 'return redis.REDIS_VERSION' 0
        EVAL 'return redis.REDIS_VERSION_NUM' 0
        EVAL 'local t = 1 for i = 1, 7994 do t = {t} end return t' 0
        EVAL 'local t = 1 for i = 1, 7995 do t = {t} end return t' 0
        EVAL 'local t = {1, 2} for i = 1, 7995 do t = {t, 5} end return t' 0
        EVAL 'local t = {ok = "x"} for i = 1, 7995 do t = {t} end return t' 0
        EVAL 'local t = {1, 2} for i = 1, 20 do t = {t, t} end return #t' 0
        EVAL 'local t = {} for i = 1, 30 do t[i] = i end return {pcall(unpack, t)}' 0
        "#,
    );
}

#[test]
fn resp_to_lua_conversions() {
    diff_script(
        "resp_to_lua",
        r#"
        SET s hello
        HSET h a 1 b 2
        EVAL 'return redis.call("get", KEYS[1])' 1 s
        EVAL 'return type(redis.call("get", "missing"))' 0
        EVAL 'return tostring(redis.call("get", "missing"))' 0
        EVAL 'return redis.call("incr", "n")' 0
        EVAL 'return type(redis.call("incr", "n"))' 0
        EVAL 'return redis.call("ping")' 0
        EVAL 'return redis.call("ping").ok' 0
        EVAL 'return redis.call("set", "x", "y")' 0
        EVAL 'return redis.call("hgetall", "h")' 0
        EVAL 'return redis.call("hmget", "h", "a", "zz", "b")' 0
        EVAL 'return #redis.call("hmget", "h", "a", "zz", "b")' 0
        EVAL 'redis.call("set", "f", 0.1); return redis.call("get", "f")' 0
        EVAL 'redis.call("set", "f", 3); return redis.call("get", "f")' 0
        EVAL 'redis.call("set", "f", 1e17); return redis.call("get", "f")' 0
        EVAL 'redis.call("set", "f", -2.5); return redis.call("get", "f")' 0
        EVAL 'return redis.pcall("incr", "s")' 0
        EVAL 'return redis.pcall("incr", "s").err' 0
        EVAL 'local t = redis.pcall("nosuch") return {t.err, tostring(t.ignore_error_stats_update)}' 0
        EVAL 'return redis.pcall("hgetall", "s")' 0
        EVAL 'return redis.call("select", 5)' 0
        EVAL 'redis.call("select", 5); return redis.call("set", "in5", "1")' 0
        DBSIZE
        SELECT 5
        GET in5
        SELECT 0
        "#,
    );
}

#[test]
fn redis_call_errors() {
    diff_script(
        "redis_call_errors",
        r#"
        SET s hello
        EVAL 'return redis.call("nosuch")' 0
        EVAL 'return redis.call("get")' 0
        EVAL 'return redis.call("get","a","b")' 0
        EVAL 'return redis.pcall("get","a","b")' 0
        EVAL 'return redis.call("multi")' 0
        EVAL 'return redis.call("eval", "return 1", 0)' 0
        EVAL 'return redis.call("config")' 0
        EVAL 'return redis.call("config", "nosuchsub")' 0
        EVAL 'return redis.call("object", "encoding", "s")' 0
        EVAL 'return redis.call("incr", "s")' 0
        EVAL "local function f() return redis.call('incr', 's') end\nreturn f()" 0
        EVAL "\n\nlocal function f()\n  return redis.call('incr', 's')\nend\nreturn f()" 0
        EVAL 'return redis.call()' 0
        EVAL 'return redis.pcall()' 0
        EVAL 'return redis.call(1)' 0
        EVAL 'return redis.call({})' 0
        EVAL 'return redis.call("get", true)' 0
        EVAL 'local ok, e = pcall(redis.call, "nosuch") return {tostring(ok), type(e), tostring(e)}' 0
        EVAL 'local ok, e = pcall(redis.call, "incr", "s") return {tostring(ok), type(e), tostring(e)}' 0
        EVAL 'local ok, e = pcall(error, {err="FOO bar"}) return {type(e), e}' 0
        EVAL 'return {pcall(redis.call, "incr")}' 0
        EVAL 'local ok, e = pcall(redis.call, "incr", "s") error(e, 0)' 0
        EVAL 'local ok, e = pcall(redis.call, "incr", "s") error(e)' 0
        EVAL 'return redis.call("hset", "s", "a", "b")' 0
        "#,
    );
}

#[test]
fn script_errors_and_sandbox() {
    diff_script(
        "script_errors",
        r#"
        EVAL 'return +' 0
        EVAL 'return "unterminated' 0
        EVAL 'error("boom")' 0
        EVAL 'error({err="XX boom"})' 0
        EVAL 'error()' 0
        EVAL 'error(12)' 0
        EVAL 'error("ERR x", 0)' 0
        EVAL 'error("x", 0)' 0
        EVAL 'local x = nil; return x.y' 0
        EVAL "return 1 +\nnil" 0
        EVAL "local a = 1\nlocal b = nil\nreturn a + b" 0
        EVAL 'return x' 0
        EVAL 'x = 1' 0
        EVAL 'redis.foo = 1' 0
        EVAL 'string.x = 1' 0
        EVAL 'math.floor = nil' 0
        EVAL 'rawset(_G, "x", 1)' 0
        EVAL 'return _G' 0
        EVAL 'return type(rawget(_G, "redis"))' 0
        EVAL 'return math.floor(2.5)' 0
        EVAL 'return string.format("%05d", 42)' 0
        EVAL 'return ("abc"):upper()' 0
        EVAL 'return table.concat({"a", "b"}, ",")' 0
        EVAL 'return print' 0
        EVAL 'return type(dofile)' 0
        EVAL 'return type(loadfile)' 0
        EVAL 'return type(os)' 0
        EVAL 'return type(getfenv)' 0
        EVAL 'return type(setfenv)' 0
        EVAL 'return type(newproxy)' 0
        EVAL 'return {type(gcinfo), type(collectgarbage), type(load), type(unpack), type(_VERSION), type(coroutine)}' 0
        EVAL 'return type(io)' 0
        EVAL 'return type(debug)' 0
        EVAL 'return type(require)' 0
        EVAL 'return type(package)' 0
        EVAL 'return type(module)' 0
        EVAL 'return {type(loadstring), type(load), type(unpack), type(coroutine), type(select), type(xpcall)}' 0
        EVAL 'return loadstring("return 5")()' 0
        EVAL 'local f, e = loadstring(string.dump(function() end)) return e' 0
        EVAL 'local f, e = loadstring("return 1+") return e' 0
        EVAL 'return loadstring("return zz")()' 0
        EVAL 'redis.log(redis.LOG_WARNING, "hi")' 0
        EVAL 'redis.log(9, "hi")' 0
        EVAL 'redis.log(1)' 0
        EVAL 'redis.log("x", "y")' 0
        EVAL 'return redis.setresp(2)' 0
        EVAL 'redis.setresp(4)' 0
        EVAL 'redis.setresp()' 0
        EVAL 'return tostring(redis.replicate_commands())' 0
        EVAL 'return redis.set_repl(redis.REPL_ALL)' 0
        EVAL 'return redis.set_repl(9)' 0
        EVAL 'return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_ALL, redis.LOG_NOTICE}' 0
        "#,
    );
}

#[test]
fn script_cache_and_read_only_scripts() {
    diff_script(
        "script_cache",
        r#"
        SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db
        SCRIPT LOAD 'return 1'
        SCRIPT LOAD 'return +'
        SCRIPT LOAD
        SCRIPT EXISTS
        SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db ffffffffffffffffffffffffffffffffffffffff E0E1F9FABFC9D4800C877A703B823AC0578FF8DB
        EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
        EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0
        EVAL 'return 2' 0
        SCRIPT EXISTS 7f923f79fe76194c868d7e1d0820de36700eb649
        SCRIPT FLUSH foo
        SCRIPT FLUSH sync extra
        SCRIPT FLUSH
        SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db 7f923f79fe76194c868d7e1d0820de36700eb649
        EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
        SCRIPT LOAD 'return 1'
        SCRIPT FLUSH ASYNC
        SCRIPT FLUSH sync
        SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db
        SCRIPT KILL
        SCRIPT HELP
        SCRIPT
        SCRIPT NOSUCH
        SET k v
        EVAL_RO 'return redis.call("get", KEYS[1])' 1 k
        EVAL_RO 'return redis.call("set", KEYS[1], "x")' 1 k
        EVAL_RO 'return redis.pcall("set", KEYS[1], "x")' 1 k
        SCRIPT LOAD 'return redis.call("del", KEYS[1])'
        EVALSHA_RO 2754ff0e4b6ab07147520dd7eaa51d55d6ee90ea 1 k
        GET k
        EVALSHA 2754ff0e4b6ab07147520dd7eaa51d55d6ee90ea 1 k
        GET k
        MULTI
        EVAL 'return redis.call("incr", KEYS[1])' 1 ctr
        EVAL 'return redis.call("incr", KEYS[1])' 1 ctr
        EXEC
        COMMAND GETKEYS eval 'return 1' 2 a b c
        "#,
    );
}

/// The first user's rate limiter as the repo keeps it (scripts/token_bucket.lua), one quoted argument on one
/// line: the harness reads one command per line, so its lines are joined with spaces, the `--` comment lines
/// (which would end at a newline) left out.
fn token_bucket() -> String {
    let lines: Vec<&str> =
        include_str!("../../scripts/token_bucket.lua").lines().filter(|l| !l.starts_with("--")).collect();
    format!("'{}'", lines.join(" "))
}

#[test]
fn token_bucket_script() {
    let body = token_bucket();
    let script = format!(
        r#"
        # An empty bucket: full capacity, one request taken.
        EVAL {body} 1 bucket 0.5 10 100 1
        HGETALL bucket
        TTL bucket
        # Drained by big requests, then refused.
        EVAL {body} 1 bucket 0.5 10 100 6
        EVAL {body} 1 bucket 0.5 10 100 6
        HGETALL bucket
        # Partially refilled (0.5 token a second), then by EVALSHA.
        SCRIPT LOAD {body}
        EVALSHA db76b3949654a152cda7b152cb83f90482ccecd1 1 bucket 0.5 10 103 2
        HGETALL bucket
        # Full again after a long wait: capped at capacity.
        EVAL {body} 1 bucket 0.5 10 1000 3
        HGETALL bucket
        EVAL {body} 1 bucket 0.3 7 1001 1
        HGETALL bucket
        # A fractional refill: the stored value is %.17g of the Lua number, as Redis 7.0 formats arguments.
        EVAL {body} 1 bucket 0.1 7 1003 1
        HGETALL bucket
        SET notahash x
        EVAL {body} 1 notahash 0.5 10 100 1
        "#
    );
    diff_script("token_bucket", &script);
}

#[test]
fn resp3_replies() {
    diff_resp3_script(
        "scripting_resp3",
        r#"
        HSET h a 1
        SADD s x
        EVAL 'return redis.call("hgetall", "h")' 0
        EVAL 'redis.setresp(3); return redis.call("hgetall", "h")' 0
        EVAL 'redis.setresp(3); local r = redis.call("hgetall", "h") return r.map.a' 0
        EVAL 'redis.setresp(3); return redis.call("smembers", "s")' 0
        EVAL 'redis.setresp(3); return redis.call("get", "nothing") == nil' 0
        EVAL 'return nil' 0
        EVAL 'return false' 0
        EVAL 'return true' 0
        EVAL 'redis.setresp(3); return {true, false}' 0
        EVAL 'return {double=1.5}' 0
        EVAL 'return {map={a=1}}' 0
        EVAL 'return {set={a=true}}' 0
        EVAL 'return {err="E x"}' 0
        EVAL 'return {err="E x\0y"}' 0
        EVAL 'return {ok="fine\0y"}' 0
        EVAL 'return {ok="a\r\nb"}' 0
        EVAL 'return {big_number="123"}' 0
        EVAL 'return {big_number="12\r3\0x"}' 0
        EVAL 'return {big_number=12}' 0
        EVAL 'return {verbatim_string={format="mkd", string="*hi*"}}' 0
        EVAL 'return {verbatim_string={format="x", string="hi"}}' 0
        EVAL 'return {verbatim_string={format="toolong", string="hi"}}' 0
        EVAL 'return {verbatim_string={format="txt", string=5}}' 0
        EVAL 'return {verbatim_string={string="a"}}' 0
        EVAL 'return {double="1.5"}' 0
        EVAL 'return {double=0/0}' 0
        EVAL 'return {double=1/0}' 0
        EVAL 'return {map={[1.5]=true}}' 0
        EVAL 'return {set={[7]=1}}' 0
        EVAL 'return {map={}, 1}' 0
        EVAL 'return {1, {map={a={set={b=true}}}}}' 0
        "#,
    );
}

/// Read-only scripts may not publish (PUBLISH may replicate, as writes do), nor call writes.
#[test]
fn read_only_scripts_refuse_publish() {
    diff_script(
        "eval_ro_publish",
        r#"
        EVAL_RO "return redis.call('publish', 'ch', 'm')" 0
        EVAL_RO "return redis.pcall('spublish', 'ch', 'm')" 0
        EVAL_RO "return redis.call('set', 'k', 'v')" 0
        EVAL "return redis.call('publish', 'ch', 'm')" 0
        "#,
    );
}
