//! When keyspace notifications are published and what the storage's own key events mean (Redis's
//! notifyKeyspaceEvent call sites and deleteExpiredKeyAndPropagate): an event is published after what the storage
//! did on the way, in order, and an expiry is recorded for the AOF as a deletion. The publishing itself is
//! `pubsub::keyspace`.

use super::state::State;
use crate::pubsub::keyspace::{self, class};
use crate::storage::db::KeyEvent;

impl State {
    /// notifyKeyspaceEvent: publishes `event` for `key` of database `db`, if its class is enabled. What the
    /// storage did to that database's keys on the way (an expiry found by the lookup) is published first, in
    /// the order it happened.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8], db: usize, now_ms: i64) {
        self.settle_key_events(db, now_ms);
        self.publish_event(class, event, key, db, now_ms);
    }

    fn publish_event(&mut self, class: u32, event: &str, key: &[u8], db: usize, now_ms: i64) {
        let (flags, limit) = (self.config.notify_flags, &self.config.client_output_buffer_limit.pubsub);
        keyspace::publish(&mut self.pubsub, flags, limit, class, event, key, db, now_ms);
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
                KeyEvent::Created => {
                    self.publish_event(class::NEW, "new", key, db, now_ms);
                    self.blocking.signal_key_as_ready(db, key);
                }
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
