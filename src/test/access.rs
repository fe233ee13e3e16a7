//! Direct data access for tests, without a client, on the database `select` chose (0 at first; `dump` and
//! `snapshot` show every database).
//!
//! Reads look at the data as it stands at the server's clock, without side effects (no LRU touch, no hit or
//! miss counted, nothing deleted). Writes run as commands through the dispatcher, like a client's: they are
//! notified, persisted to the AOF (and waited for as the fsync policy promises), and seen by WATCH.

use super::{render, Server};
use crate::engine::client::Client;
use crate::engine::dispatch::dispatch;
use crate::protocol::Out;
use crate::storage::{Entry, Value};
use bytes::Bytes;
use std::time::Duration;

impl Server {
    /// The string at `key`, or None when there is none.
    ///
    /// # Panics
    /// When `key` holds another type.
    #[track_caller]
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Bytes> {
        self.read(key.as_ref(), "string", |value| value.as_string().map(|s| Bytes::from(s.to_vec())))
    }

    /// The value of `field` in the hash at `key`.
    ///
    /// # Panics
    /// When `key` holds another type.
    #[track_caller]
    pub fn hget(&self, key: impl AsRef<[u8]>, field: impl AsRef<[u8]>) -> Option<Bytes> {
        self.read(key.as_ref(), "hash", |value| match value {
            Value::Hash(h) => Some(h.get(field.as_ref()).map(Bytes::copy_from_slice)),
            _ => None,
        })
        .flatten()
    }

    /// The members of the set at `key`, sorted (empty when there is none).
    ///
    /// # Panics
    /// When `key` holds another type.
    #[track_caller]
    pub fn smembers(&self, key: impl AsRef<[u8]>) -> Vec<Bytes> {
        let members = self.read(key.as_ref(), "set", |value| match value {
            Value::Set(s) => {
                let mut scratch = itoa::Buffer::new();
                let mut members: Vec<Bytes> =
                    s.iter().map(|m| Bytes::copy_from_slice(m.as_bytes(&mut scratch))).collect();
                members.sort_unstable();
                Some(members)
            }
            _ => None,
        });
        members.unwrap_or_default()
    }

    /// The whole list at `key`, head first (empty when there is none).
    ///
    /// # Panics
    /// When `key` holds another type.
    #[track_caller]
    pub fn lrange(&self, key: impl AsRef<[u8]>) -> Vec<Bytes> {
        let elements = self.read(key.as_ref(), "list", |value| match value {
            Value::List(l) => Some(l.iter().map(Bytes::copy_from_slice).collect()),
            _ => None,
        });
        elements.unwrap_or_default()
    }

    /// The whole sorted set at `key` in order, with scores (empty when there is none).
    ///
    /// # Panics
    /// When `key` holds another type.
    #[track_caller]
    pub fn zrange_with_scores(&self, key: impl AsRef<[u8]>) -> Vec<(Bytes, f64)> {
        let items = self.read(key.as_ref(), "zset", |value| match value {
            Value::ZSet(z) => Some(z.iter().map(|(m, s)| (Bytes::copy_from_slice(m), s)).collect()),
            _ => None,
        });
        items.unwrap_or_default()
    }

    /// The time `key` has left to live: None when it does not exist or has no TTL.
    pub fn ttl(&self, key: impl AsRef<[u8]>) -> Option<Duration> {
        let shared = self.shared();
        let state = shared.state.lock();
        let now = shared.clock.now_ms();
        let at = state.dbs[self.db()].get_ref(key.as_ref(), now)?.expire_at()?;
        Some(Duration::from_millis(at.saturating_sub(now).max(0) as u64))
    }

    /// Does `key` exist (without expiring it or counting a hit)?
    pub fn exists(&self, key: impl AsRef<[u8]>) -> bool {
        let shared = self.shared();
        let state = shared.state.lock();
        state.dbs[self.db()].get_ref(key.as_ref(), shared.clock.now_ms()).is_some()
    }

    /// The live keys matching a KEYS `pattern`, sorted.
    pub fn keys(&self, pattern: &str) -> Vec<Bytes> {
        let shared = self.shared();
        let state = shared.state.lock();
        let now = shared.clock.now_ms();
        let mut keys: Vec<Bytes> = state.dbs[self.db()]
            .live_keys(now)
            .filter(|(k, _)| crate::glob::matches(pattern.as_bytes(), k))
            .map(|(k, _)| Bytes::copy_from_slice(k))
            .collect();
        keys.sort_unstable();
        keys
    }

    /// SET `key` `value` (any TTL is cleared).
    #[track_caller]
    pub fn set(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.command(&[b"SET", key.as_ref(), value.as_ref()]);
    }

    /// PEXPIRE: `key` expires `after` from the server's now.
    #[track_caller]
    pub fn expire(&self, key: impl AsRef<[u8]>, after: Duration) {
        let ms = after.as_millis().to_string();
        self.command(&[b"PEXPIRE", key.as_ref(), ms.as_bytes()]);
    }

    /// HSET `key` `field` `value`, as a client would send it.
    #[track_caller]
    pub fn hset(&self, key: impl AsRef<[u8]>, field: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.command(&[b"HSET", key.as_ref(), field.as_ref(), value.as_ref()]);
    }

    /// SADD `key` `member`, as a client would send it.
    #[track_caller]
    pub fn sadd(&self, key: impl AsRef<[u8]>, member: impl AsRef<[u8]>) {
        self.command(&[b"SADD", key.as_ref(), member.as_ref()]);
    }

    /// LPUSH `key` `element`, as a client would send it.
    #[track_caller]
    pub fn lpush(&self, key: impl AsRef<[u8]>, element: impl AsRef<[u8]>) {
        self.command(&[b"LPUSH", key.as_ref(), element.as_ref()]);
    }

    /// RPUSH `key` `element`, as a client would send it.
    #[track_caller]
    pub fn rpush(&self, key: impl AsRef<[u8]>, element: impl AsRef<[u8]>) {
        self.command(&[b"RPUSH", key.as_ref(), element.as_ref()]);
    }

    /// ZADD `key` `score` `member`, as a client would send it.
    #[track_caller]
    pub fn zadd(&self, key: impl AsRef<[u8]>, score: f64, member: impl AsRef<[u8]>) {
        let mut text = Vec::new();
        render::format_score(score, &mut text);
        self.command(&[b"ZADD", key.as_ref(), &text, member.as_ref()]);
    }

    /// DEL `key`, as a client would send it.
    #[track_caller]
    pub fn del(&self, key: impl AsRef<[u8]>) {
        self.command(&[b"DEL", key.as_ref()]);
    }

    /// FLUSHALL: every database emptied.
    #[track_caller]
    pub fn flush_all(&self) {
        self.command(&[b"FLUSHALL"]);
    }

    /// The database the direct access methods use from now on (as SELECT does for a client).
    ///
    /// # Panics
    /// When the server has fewer databases (`databases`).
    #[track_caller]
    pub fn select(&self, db: usize) {
        let count = self.shared().state.lock().dbs.len();
        assert!(db < count, "select({db}): the server has {count} databases");
        self.selected_db.store(db, std::sync::atomic::Ordering::Relaxed);
    }

    fn db(&self) -> usize {
        self.selected_db.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs one command as a client on the selected database would, and returns its RESP2 reply.
    ///
    /// # Panics
    /// When the command answers an error (the panic shows it).
    #[track_caller]
    pub fn command(&self, argv: &[&[u8]]) -> Vec<u8> {
        let shared = self.shared();
        let (reply, offset) = {
            let mut state = shared.state.lock();
            let mut client = Client::new(0, true, true);
            client.db = self.db();
            let mut out = Out::new(false);
            dispatch(&mut state, shared, &mut client, argv, &mut out);
            if out.buf.starts_with(b"-") {
                let argv: Vec<_> = argv.iter().map(|a| String::from_utf8_lossy(a)).collect();
                panic!("{argv:?} failed: {}", String::from_utf8_lossy(&out.buf).trim_end());
            }
            (out.buf, state.effects.publish())
        };
        if let Some(offset) = offset {
            // Acknowledged as a client's write would be: written (or fsynced, with `always`).
            while !shared.aof.is_persisted(offset) && !shared.crashed() {
                shared.aof.kick();
                std::thread::sleep(Duration::from_micros(100));
            }
        }
        reply
    }

    /// A readable dump of every database: keys sorted, their type, TTL and items.
    pub fn dump(&self) -> String {
        let shared = self.shared();
        let state = shared.state.lock();
        render::dump(&state.dbs, shared.clock.now_ms())
    }

    /// The whole keyspace as sorted lines, `<db> "<key>" <type> <items>[ pttl=<ms>]`: equal data gives equal
    /// text (freeze the clock for TTLs to be stable too), for golden tests.
    pub fn snapshot(&self) -> String {
        let shared = self.shared();
        let state = shared.state.lock();
        render::snapshot(&state.dbs, shared.clock.now_ms())
    }

    /// Asserts what `key` holds, described as in `snapshot` without the TTL: `string "v"`,
    /// `hash "f1"="v1" "f2"="v2"` (fields sorted), `set "a" "b"` (sorted), `zset "m"=1 "n"=2.5`, or `none`.
    ///
    /// # Panics
    /// When it holds something else; the message shows both and the keyspace.
    #[track_caller]
    pub fn assert_key(&self, key: impl AsRef<[u8]>, expected: &str) {
        let key = key.as_ref();
        let actual = self.describe(key);
        if actual != expected {
            panic!(
                "key {} differs\n  expected: {expected}\n  actual:   {actual}\nkeyspace:\n{}",
                String::from_utf8_lossy(key),
                self.dump()
            );
        }
    }

    /// Asserts that `key` holds the string `expected`.
    ///
    /// # Panics
    /// When it is missing, of another type, or another string; the message says which.
    #[track_caller]
    pub fn check_get(&self, key: impl AsRef<[u8]>, expected: impl AsRef<[u8]>) {
        let key = key.as_ref();
        let found = self.read_entry(key, |entry| match entry.map(|e| &e.value) {
            Some(Value::String(s)) if s.to_vec() == expected.as_ref() => None,
            _ => Some(render::describe(entry)),
        });
        if let Some(actual) = found {
            let mut want = Vec::new();
            crate::protocol::repr::repr_into(expected.as_ref(), &mut want);
            panic!(
                "GET {} expected string {}, found {actual}",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(&want)
            );
        }
    }

    fn describe(&self, key: &[u8]) -> String {
        self.read_entry(key, render::describe)
    }

    fn read_entry<T>(&self, key: &[u8], f: impl FnOnce(Option<&Entry>) -> T) -> T {
        let shared = self.shared();
        let state = shared.state.lock();
        f(state.dbs[self.db()].get_ref(key, shared.clock.now_ms()))
    }

    /// `f` on the value at `key` (None when missing); panics if `f` finds another type than `kind`.
    #[track_caller]
    fn read<T>(&self, key: &[u8], kind: &str, f: impl FnOnce(&Value) -> Option<T>) -> Option<T> {
        let found = self.read_entry(key, |entry| entry.map(|e| f(&e.value).ok_or(e.value.type_name())));
        match found {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(other)) => panic!("key {} holds a {other}, not a {kind}", String::from_utf8_lossy(key)),
        }
    }
}
