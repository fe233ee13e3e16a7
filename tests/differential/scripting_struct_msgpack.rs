//! The `struct` and `cmsgpack` Lua libraries against redis-server: results and error texts, byte for byte.

use super::diff_script;

/// The libraries exist as tables in the sandbox.
#[test]
fn struct_and_cmsgpack_exist() {
    diff_script(
        "struct_and_cmsgpack_exist",
        r#"
        EVAL 'return type(struct)' 0
        EVAL 'return type(cmsgpack)' 0
        "#,
    );
}
