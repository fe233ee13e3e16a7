//! The `cmsgpack` library, as Redis 7.0 bundles it (deps/lua/src/lua_cmsgpack.c).

use mlua::{Lua, Table};

/// The library table (filled in by the implementation).
pub(super) fn create(lua: &Lua, _bridge: &Table) -> mlua::Result<Table> {
    lua.create_table()
}
