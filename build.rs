// Compiles the C parts: long double arithmetic for INCRBYFLOAT (csrc/longdouble.c), and the Lua 5.1 scripts run
// on, patched as Redis patches its own (csrc/lua: read-only tables, no bytecode) with the sandbox's C half
// (csrc/lua_sandbox.c). mlua is built in "module" mode, which links no Lua of its own: this one is it.
fn main() {
    println!("cargo:rerun-if-changed=csrc");
    cc::Build::new().file("csrc/longdouble.c").opt_level(2).compile("embedis_longdouble");

    const LUA: &[&str] = &[
        "lapi", "lauxlib", "lbaselib", "lcode", "ldblib", "ldebug", "ldo", "ldump", "lfunc", "lgc", "linit", "liolib",
        "llex", "lmathlib", "lmem", "loadlib", "lobject", "lopcodes", "loslib", "lparser", "lstate", "lstring",
        "lstrlib", "ltable", "ltablib", "ltm", "lundump", "lvm", "lzio",
    ];
    let mut lua = cc::Build::new();
    lua.include("csrc/lua").warnings(false).flag_if_supported("-w").opt_level(2);
    // POSIX without dlopen: the package library could otherwise load native code (it is never opened anyway).
    lua.define("LUA_USE_POSIX", None);
    for file in LUA {
        lua.file(format!("csrc/lua/{file}.c"));
    }
    lua.file("csrc/lua_sandbox.c");
    lua.compile("embedis_lua");
}
