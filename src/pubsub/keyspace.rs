//! Keyspace notifications (Redis's notify.c): each change to a key publishes its event name on
//! `__keyspace@<db>__:<key>` and the key on `__keyevent@<db>__:<event>`, for the classes `notify-keyspace-events`
//! enables. The engine decides when (engine/key_events.rs); this is what gets published.

use super::{Kind, PubSub};
use crate::config::ObufLimit;

/// Event classes: the parsed letters of `notify-keyspace-events` (config).
pub use crate::config::keyspace_classes as class;

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
