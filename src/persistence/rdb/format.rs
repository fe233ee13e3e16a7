//! The numbers of Redis's RDB format (rdb.h): version, value types, opcodes.

/// The RDB version Redis 7.0 writes (DUMP payloads carry it too).
pub const RDB_VERSION: u16 = 10;
/// The newest version read: Redis 7.2 and Valkey 8 write 11, whose new set encoding is known here.
pub const NEWEST_READABLE: u16 = 11;

pub const TYPE_STRING: u8 = 0;
pub const TYPE_LIST: u8 = 1;
pub const TYPE_SET: u8 = 2;
pub const TYPE_ZSET: u8 = 3;
pub const TYPE_HASH: u8 = 4;
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_HASH_ZIPMAP: u8 = 9;
pub const TYPE_LIST_ZIPLIST: u8 = 10;
pub const TYPE_SET_INTSET: u8 = 11;
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
pub const TYPE_HASH_ZIPLIST: u8 = 13;
pub const TYPE_LIST_QUICKLIST: u8 = 14;
pub const TYPE_HASH_LISTPACK: u8 = 16;
pub const TYPE_ZSET_LISTPACK: u8 = 17;
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;

/// A quicklist node's container in TYPE_LIST_QUICKLIST_2: one element stored as is, or a listpack.
pub const QUICKLIST_NODE_PLAIN: u64 = 1;
pub const QUICKLIST_NODE_PACKED: u64 = 2;
pub const TYPE_SET_LISTPACK: u8 = 20;

pub const OPCODE_FUNCTION2: u8 = 245;
pub const OPCODE_FUNCTION_PRE_GA: u8 = 246;
pub const OPCODE_MODULE_AUX: u8 = 247;
pub const OPCODE_IDLE: u8 = 248;
pub const OPCODE_FREQ: u8 = 249;
pub const OPCODE_AUX: u8 = 250;
pub const OPCODE_RESIZEDB: u8 = 251;
pub const OPCODE_EXPIRETIME_MS: u8 = 252;
pub const OPCODE_EXPIRETIME: u8 = 253;
pub const OPCODE_SELECTDB: u8 = 254;
pub const OPCODE_EOF: u8 = 255;

/// What a type byte this server cannot load holds, for the message that stops loading.
pub fn unsupported_type(t: u8) -> Option<&'static str> {
    Some(match t {
        6 | 7 => "module value",
        15 => "stream (listpacks)",
        19 => "stream (listpacks 2)",
        21 => "stream (listpacks 3)",
        _ => return None,
    })
}
