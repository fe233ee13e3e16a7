/*
 * The scripting sandbox's C half (src/scripting/init.lua builds the rest): Redis 7.0's read-only tables
 * (script_lua.c: luaSetTableProtectionRecursively, luaSetTableProtectionForBasicTypes, the globals'
 * luaProtectedTableError), on the read-only flag csrc/lua adds to Lua's tables (lua_enablereadonlytable).
 */
#include "lua/lua.h"
#include "lua/lauxlib.h"

#include <math.h>

/* The table on top of the stack, every table reachable from it through values and metatables, read-only. A
 * table already read-only is not walked again: this ends the cycles (`_G._G`). */
static void protect_recursively(lua_State *L) {
    if (lua_isreadonlytable(L, -1)) return;
    lua_enablereadonlytable(L, -1, 1);
    luaL_checkstack(L, 3, "protecting tables");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_istable(L, -1)) protect_recursively(L);
        lua_pop(L, 1);
    }
    if (lua_getmetatable(L, -1)) {
        protect_recursively(L);
        lua_pop(L, 1);
    }
}

/* protect(globals): the globals and everything reachable from them, then the metatables every value of a
 * basic type shares (the string metatable and its __index, the `string` table): as the CVE-2025-46818 fix
 * the oracle (Debian's 7.0.15) carries. */
int embedis_lua_protect(lua_State *L) {
    int i;
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    protect_recursively(L);
    for (i = 0; i < 7; i++) {
        switch (i) {
            case 0: lua_pushstring(L, ""); break;
            case 1: lua_pushnumber(L, 0); break;
            case 2: lua_pushboolean(L, 0); break;
            case 3: lua_pushnil(L); break;
            case 4: lua_pushcfunction(L, embedis_lua_protect); break;
            case 5: lua_newthread(L); break;
            default: lua_pushlightuserdata(L, (void *)L); break;
        }
        if (lua_getmetatable(L, -1)) {
            protect_recursively(L);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* The globals' __index: reading a global that does not exist is an error at the script's line. Called directly,
 * it checks its arguments as Redis's luaProtectedTableError does. */
int embedis_lua_missing_global(lua_State *L) {
    if (lua_gettop(L) != 2) return luaL_error(L, "Wrong number of arguments to luaProtectedTableError");
    if (!lua_isstring(L, -1) && !lua_isnumber(L, -1))
        return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", lua_tostring(L, -1));
}

/* set_args(globals, keys, argv): a run's KEYS and ARGV, written into the read-only globals as Redis does
 * (protection lifted for the two writes). Both names exist from the start, so the writes never allocate and
 * cannot fail half-way with the globals left writable. */
int embedis_lua_set_args(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 3);
    lua_enablereadonlytable(L, 1, 0);
    lua_pushliteral(L, "KEYS");
    lua_pushvalue(L, 2);
    lua_rawset(L, 1);
    lua_pushliteral(L, "ARGV");
    lua_pushvalue(L, 3);
    lua_rawset(L, 1);
    lua_enablereadonlytable(L, 1, 1);
    return 0;
}

/* math.random and math.randomseed as Redis replaces them (script_lua.c over rand.c): the 48-bit linear
 * congruential generator of rand48, not the C library's rand(). Its state lives in a userdata shared by both
 * closures (one per server: embedded servers share the process), and outlives SCRIPT FLUSH as Redis's static
 * state does (src/scripting/mod.rs carries it over). */
#define RAND48_MASK ((1ULL << 48) - 1)
#define RAND48_MAX 2147483647

static int rand48_next(unsigned long long *x) {
    *x = (0x5DEECE66DULL * *x + 0xB) & RAND48_MASK;
    return (int)(*x >> 17);
}

static int embedis_lua_random(lua_State *L) {
    unsigned long long *x = (unsigned long long *)lua_touserdata(L, lua_upvalueindex(1));
    lua_Number r = (lua_Number)(rand48_next(x) % RAND48_MAX) / (lua_Number)RAND48_MAX;
    switch (lua_gettop(L)) {
        case 0:
            lua_pushnumber(L, r);
            break;
        case 1: {
            int u = luaL_checkint(L, 1);
            luaL_argcheck(L, 1 <= u, 1, "interval is empty");
            lua_pushnumber(L, floor(r * u) + 1);
            break;
        }
        case 2: {
            int l = luaL_checkint(L, 1);
            int u = luaL_checkint(L, 2);
            luaL_argcheck(L, l <= u, 2, "interval is empty");
            lua_pushnumber(L, floor(r * (u - l + 1)) + l);
            break;
        }
        default:
            return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int embedis_lua_randomseed(lua_State *L) {
    unsigned long long *x = (unsigned long long *)lua_touserdata(L, lua_upvalueindex(1));
    int seed = luaL_checkint(L, 1);
    *x = (((unsigned long long)(unsigned int)seed << 16) | 0x330E) & RAND48_MASK;
    return 0;
}

/* install_random(math, state): math.random and math.randomseed over a generator at `state` (a 48-bit number,
 * exact in a double); returns the userdata holding the state. */
int embedis_lua_install_random(lua_State *L) {
    unsigned long long *x;
    luaL_checktype(L, 1, LUA_TTABLE);
    x = (unsigned long long *)lua_newuserdata(L, sizeof *x);
    *x = (unsigned long long)luaL_checknumber(L, 2) & RAND48_MASK;
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, embedis_lua_random, 1);
    lua_setfield(L, 1, "random");
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, embedis_lua_randomseed, 1);
    lua_setfield(L, 1, "randomseed");
    return 1;
}

/* pcall as Redis 7.0's luaRedisPcall: an error table is handed to the script as its `err` text. Upvalue 1 is
 * init.lua's `raised`, which turns the wrapper a Rust function's error arrives in into Redis's form. Called
 * without arguments, Redis's ends up calling its own `true` placeholder: that error is kept. A Rust panic
 * (mlua's wrapper) is caught here like any error: none is expected (the project forbids them). */
int embedis_lua_pcall(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc == 0) {
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "attempt to call a boolean value");
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_insert(L, -2);
        lua_call(L, 1, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            /* A field that is not text stays as an extra result, as in Redis. */
            if (lua_isstring(L, -1)) lua_replace(L, -2);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

/* pcall_with(raised): the pcall above, closed over `raised`. */
int embedis_lua_make_pcall(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_pushcclosure(L, embedis_lua_pcall, 1);
    return 1;
}

/*
 * The script runner. A script runs in a coroutine of its own (kept in the registry and reused while its runs end
 * normally), so that the interrupt hook can yield it: the server then goes on serving other clients and
 * resumes the script elsewhere (src/server/script_gate.rs). The script sees none of it: `coroutine.running()`
 * answers nil and `coroutine.yield()` fails there, as on the main thread Redis runs scripts on.
 */
#include "lua/lstate.h"

/* What the server decides at an interrupt check (src/scripting/mod.rs, `interrupt_decision`). */
enum { GO_ON = 0, KILL = 1, YIELD = 2, MOVE = 3, WATCH = 4 };
#define INTERRUPT_EVERY 10000

static int (*interrupt_decision)(int yieldable);
static const char RUNNER_KEY = 'r';

/* The runner coroutine, or NULL. */
static lua_State *runner(lua_State *L) {
    lua_State *co;
    lua_pushlightuserdata(L, (void *)&RUNNER_KEY);
    lua_rawget(L, LUA_REGISTRYINDEX);
    co = lua_tothread(L, -1);
    lua_pop(L, 1);
    return co;
}

static void raise_error_table(lua_State *L, const char *text) {
    lua_newtable(L);
    lua_pushstring(L, text);
    lua_setfield(L, -2, "err");
    lua_error(L);
}

static void interrupt_hook(lua_State *L, lua_Debug *ar);

/* From now on the hook runs at every line, of the running thread and of the runner: a `pcall` in the script
 * cannot swallow a stop for good (as Redis's luaMaskCountHook), and a yield happens at the first line where
 * it can. The runner gets the cheap hook back at its next run. */
static void escalate(lua_State *L) {
    lua_State *co = runner(L);
    lua_sethook(L, interrupt_hook, LUA_MASKLINE, 0);
    if (co != NULL && co != L) lua_sethook(co, interrupt_hook, LUA_MASKLINE, 0);
}

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
    /* Only the runner yields, and only with no C call (pcall, a metamethod, a sort comparator) in between. */
    int yieldable = runner(L) == L && L->nCcalls <= L->baseCcalls;
    (void)ar;
    if (interrupt_decision == NULL) return;
    switch (interrupt_decision(yieldable)) {
        case YIELD:
            lua_yield(L, 0);
            return;
        case KILL:
            escalate(L);
            raise_error_table(L, "ERR Script killed by user with SCRIPT KILL...");
            return;
        case MOVE:
            escalate(L);
            raise_error_table(L, "ERR script moved off the event loop");
            return;
        case WATCH:
            escalate(L);
            return;
        default:
            return;
    }
}

/* Installs the server's decision function (once per process: it reads the running script's context). */
void embedis_lua_set_interrupt(int (*decide)(int yieldable)) {
    interrupt_decision = decide;
}

/* run(f) starts f in the runner; run() resumes the runner after a yield. Returns true and f's first result;
 * false, the error and the dead coroutine (its frames tell where the error happened); or nothing when the
 * interrupt hook yielded. */
int embedis_lua_run(lua_State *L) {
    lua_State *co = runner(L);
    int status;
    if (!lua_isnoneornil(L, 1)) {
        if (co == NULL || lua_status(co) != 0) {
            co = lua_newthread(L);
            lua_pushlightuserdata(L, (void *)&RUNNER_KEY);
            lua_pushvalue(L, -2);
            lua_rawset(L, LUA_REGISTRYINDEX);
            lua_pop(L, 1);
        }
        lua_settop(co, 0);
        lua_pushvalue(L, 1);
        lua_xmove(L, co, 1);
    } else if (co == NULL || lua_status(co) != LUA_YIELD) {
        return luaL_error(L, "no script to resume");
    }
    lua_sethook(co, interrupt_hook, LUA_MASKCOUNT, INTERRUPT_EVERY);
    status = lua_resume(co, 0);
    if (status == LUA_YIELD) return 0;
    if (status == 0) {
        lua_settop(co, 1);
        lua_pushboolean(L, 1);
        lua_xmove(co, L, 1);
        return 2;
    }
    lua_pushboolean(L, 0);
    lua_xmove(co, L, 1);
    lua_pushlightuserdata(L, (void *)&RUNNER_KEY);
    lua_rawget(L, LUA_REGISTRYINDEX);
    return 3;
}

/* coroutine.running and coroutine.yield as scripts see them on Redis's main thread. */
int embedis_lua_co_running(lua_State *L) {
    if (runner(L) == L || lua_pushthread(L)) lua_pushnil(L);
    return 1;
}

int embedis_lua_co_yield(lua_State *L) {
    if (runner(L) == L) {
        /* lua_yield's own error: no position (luaG_runerror in a C function). */
        lua_pushliteral(L, "attempt to yield across metamethod/C-call boundary");
        return lua_error(L);
    }
    return lua_yield(L, lua_gettop(L));
}
