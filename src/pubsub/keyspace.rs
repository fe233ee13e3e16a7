//! Keyspace notifications (Redis's notify.c): each change to a key publishes its event name on
//! `__keyspace@<db>__:<key>` and the key on `__keyevent@<db>__:<event>`, for the classes `notify-keyspace-events`
//! enables. The engine decides when (engine/key_events.rs); this is what gets published.

use super::{Kind, PubSub};
use crate::config::ObufLimit;

/// Event classes (the letters of `notify-keyspace-events`; config/special.rs parses them into these bits).
pub mod class {
    /// `K`: publish on `__keyspace@<db>__:<key>`.
    pub const KEYSPACE: u32 = 1 << 0;
    /// `E`: publish on `__keyevent@<db>__:<event>`.
    pub const KEYEVENT: u32 = 1 << 1;
    /// `g`: DEL, EXPIRE, RENAME... (type-independent commands).
    pub const GENERIC: u32 = 1 << 2;
    /// `$`
    pub const STRING: u32 = 1 << 3;
    /// `l`
    pub const LIST: u32 = 1 << 4;
    /// `s`
    pub const SET: u32 = 1 << 5;
    /// `h`
    pub const HASH: u32 = 1 << 6;
    /// `z`
    pub const ZSET: u32 = 1 << 7;
    /// `x`: a key deleted because its TTL passed.
    pub const EXPIRED: u32 = 1 << 8;
    /// `e`: a key evicted by maxmemory.
    pub const EVICTED: u32 = 1 << 9;
    /// `t`
    pub const STREAM: u32 = 1 << 10;
    /// `m`: a read of a missing key.
    pub const KEY_MISS: u32 = 1 << 11;
    /// `d`
    pub const MODULE: u32 = 1 << 12;
    /// `n`: a key created.
    pub const NEW: u32 = 1 << 13;
}

/// Publishes `event` for `key` of database `db` if its class is among the enabled `flags`.
#[allow(clippy::too_many_arguments)]
pub fn publish(
    pubsub: &mut PubSub,
    flags: u32,
    limit: &ObufLimit,
    class: u32,
    event: &str,
    key: &[u8],
    db: usize,
    now_ms: i64,
) {
    if flags & class == 0 || pubsub.is_empty() {
        return;
    }
    let mut digits = itoa::Buffer::new();
    let db = digits.format(db).as_bytes();
    if flags & class::KEYSPACE != 0 {
        let channel = [b"__keyspace@", db, b"__:", key].concat();
        pubsub.publish(Kind::Channel, &channel, event.as_bytes(), limit, now_ms);
    }
    if flags & class::KEYEVENT != 0 {
        let channel = [b"__keyevent@", db, b"__:", event.as_bytes()].concat();
        pubsub.publish(Kind::Channel, &channel, key, limit, now_ms);
    }
}
