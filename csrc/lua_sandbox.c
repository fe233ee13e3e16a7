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
