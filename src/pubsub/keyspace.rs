//! Keyspace notifications (Redis's notify.c): each change to a key publishes its event name on
//! `__keyspace@<db>__:<key>` and the key on `__keyevent@<db>__:<event>`, for the classes `notify-keyspace-events`
//! enables.

use crate::engine::state::State;
use crate::storage::db::KeyEvent;

/// Event classes (the letters of `notify-keyspace-events`; config.rs parses them into these bits).
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

impl State {
    /// notifyKeyspaceEvent: publishes `event` for `key` of database `db`, if its class is enabled. What the
    /// storage did to that database's keys on the way (an expiry found by the lookup) is published first, in
    /// the order it happened.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8], db: usize, now_ms: i64) {
        self.settle_key_events(db, now_ms);
        self.publish_event(class, event, key, db, now_ms);
    }

    fn publish_event(&mut self, class: u32, event: &str, key: &[u8], db: usize, now_ms: i64) {
        let flags = self.config.notify_flags;
        if flags & class == 0 || self.pubsub.is_empty() {
            return;
        }
        let limit = self.config.client_output_buffer_limit.pubsub;
        let mut digits = itoa::Buffer::new();
        let db = digits.format(db).as_bytes();
        if flags & class::KEYSPACE != 0 {
            let channel = [b"__keyspace@", db, b"__:", key].concat();
            self.pubsub.publish(super::Kind::Channel, &channel, event.as_bytes(), &limit, now_ms);
        }
        if flags & class::KEYEVENT != 0 {
            let channel = [b"__keyevent@", db, b"__:", event.as_bytes()].concat();
            self.pubsub.publish(super::Kind::Channel, &channel, key, &limit, now_ms);
        }
    }

    /// Publishes the events the storage recorded on its own in database `db` (`expired`, `new`, `keymiss`), in
    /// the order they happened, and records expiries as deletions for the AOF (Redis's
    /// deleteExpiredKeyAndPropagate). Runs after every command for its database, and in each event's database
    /// before the event (MOVE and COPY touch a second one), so one database is looked at per call.
    pub fn settle_key_events(&mut self, db: usize, now_ms: i64) {
        let flags = self.config.notify_flags;
        if flags != self.tracked_notify_flags {
            // notify-keyspace-events changed: the storage records `new` and `keymiss` only when they are on.
            for d in &mut self.dbs {
                d.track_created = flags & class::NEW != 0;
                d.track_missed = flags & class::KEY_MISS != 0;
            }
            self.tracked_notify_flags = flags;
        }
        if self.dbs[db].key_events.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.dbs[db].key_events);
        for (event, key) in &events {
            match event {
                KeyEvent::Expired => {
                    self.publish_event(class::EXPIRED, "expired", key, db, now_ms);
                    if self.effects.enabled {
                        let del: &[u8] = if self.config.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
                        self.effects.record(db, &[del, key]);
                    }
                }
                KeyEvent::Created => self.publish_event(class::NEW, "new", key, db, now_ms),
                KeyEvent::Missed => self.publish_event(class::KEY_MISS, "keymiss", key, db, now_ms),
            }
        }
        // Hand the buffer back: a command expiring keys one at a time then allocates nothing.
        events.clear();
        self.dbs[db].key_events = events;
    }

    /// `settle_key_events` for every database (the active expiry cycle visits them all).
    pub fn settle_all_key_events(&mut self, now_ms: i64) {
        for db in 0..self.dbs.len() {
            self.settle_key_events(db, now_ms);
        }
    }
}
