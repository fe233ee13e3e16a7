//! Clients blocked on keys and the keys made ready for them: Redis's `blocking_keys` and `ready_keys`.
//!
//! A client that blocks (BLPOP, BZPOPMIN, XREAD BLOCK...) registers the keys it waits on. A command that gives
//! such a key something to pop signals it (`signal_key_as_ready`, Redis's signalKeyAsReady); signals for keys
//! nobody waits on cost one lookup and are dropped. Once an execution unit ends (a command, a whole EXEC or
//! script: Redis's handleClientsBlockedOnKeys runs after the call), `settle` hands over the ready keys, in the
//! order they were first signalled, each with its waiting clients, first blocked first: the connections serve
//! them from there.

use super::state::State;
use crate::storage::Key;
use std::collections::{HashMap, HashSet, VecDeque};

type DbKey = (usize, Key);

#[derive(Debug, Default)]
pub struct Blocking {
    /// Per key: the clients blocked on it, in the order they blocked.
    by_key: HashMap<DbKey, VecDeque<u64>, foldhash::fast::RandomState>,
    /// Per client: the keys it waits on, so it leaves them all at once.
    by_client: HashMap<u64, Vec<DbKey>, foldhash::fast::RandomState>,
    /// Keys signalled since the last settle, in order, each once.
    ready: Vec<DbKey>,
    ready_set: HashSet<DbKey, foldhash::fast::RandomState>,
}

/// A key made ready, with the clients blocked on it when the unit ended, first blocked first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyKey {
    pub db: usize,
    pub key: Key,
    pub clients: Vec<u64>,
}

impl Blocking {
    /// `client` waits on `keys` of database `db` (a client blocks once: a second call adds keys).
    pub fn block(&mut self, client: u64, db: usize, keys: &[&[u8]]) {
        let waits = self.by_client.entry(client).or_default();
        for key in keys {
            let at = (db, Key::from(*key));
            if waits.contains(&at) {
                continue;
            }
            self.by_key.entry(at.clone()).or_default().push_back(client);
            waits.push(at);
        }
    }

    /// `client` no longer waits (served, timed out, disconnected, CLIENT UNBLOCK).
    pub fn unblock(&mut self, client: u64) {
        for at in self.by_client.remove(&client).unwrap_or_default() {
            if let Some(clients) = self.by_key.get_mut(&at) {
                clients.retain(|c| *c != client);
                if clients.is_empty() {
                    self.by_key.remove(&at);
                }
            }
        }
    }

    /// Does any client wait on a key of database `db`?
    pub fn waits_in(&self, db: usize) -> bool {
        self.by_key.keys().any(|(d, _)| *d == db)
    }

    /// Were keys signalled since the last settle?
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Clients blocked on keys (INFO `blocked_clients` counts them with the others).
    pub fn blocked_clients(&self) -> usize {
        self.by_client.len()
    }

    /// Redis's signalKeyAsReady: `key` of `db` may now serve a client blocked on it.
    pub fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        let at = (db, Key::from(key));
        if self.by_key.contains_key(&at) && self.ready_set.insert(at.clone()) {
            self.ready.push(at);
        }
    }

    /// The keys made ready since the last settle, in signal order, each with the clients still waiting on it.
    /// Called once an execution unit has ended, never inside one.
    pub fn settle(&mut self) -> Vec<ReadyKey> {
        if self.ready.is_empty() {
            return Vec::new();
        }
        self.ready_set.clear();
        let ready = std::mem::take(&mut self.ready);
        ready
            .into_iter()
            .filter_map(|(db, key)| {
                let clients: Vec<u64> = self.by_key.get(&(db, key.clone()))?.iter().copied().collect();
                Some(ReadyKey { db, key, clients })
            })
            .collect()
    }
}

impl State {
    /// `client` blocks on `keys` of database `db`: from now on, creating one of them signals it ready.
    pub fn block_on_keys(&mut self, client: u64, db: usize, keys: &[&[u8]]) {
        self.blocking.block(client, db, keys);
        self.dbs[db].track_ready = true;
    }

    /// `client` no longer waits on keys (served, timed out, disconnected).
    pub fn unblock_from_keys(&mut self, client: u64) {
        if self.blocking.blocked_clients() == 0 {
            return;
        }
        self.blocking.unblock(client);
        for (i, db) in self.dbs.iter_mut().enumerate() {
            db.track_ready = self.blocking.waits_in(i);
        }
    }

    /// After an execution unit: the keys it made ready join `ready_keys`, for the connections to serve.
    pub fn settle_ready_keys(&mut self) {
        if self.blocking.has_ready() {
            let ready = self.blocking.settle();
            self.ready_keys.extend(ready);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_someone_waits_on_become_ready_in_signal_order_first_blocked_first() {
        let mut b = Blocking::default();
        b.signal_key_as_ready(0, b"q");
        assert!(b.settle().is_empty(), "nobody waits: nothing to do");
        b.block(7, 0, &[b"q", b"r"]);
        b.block(8, 0, &[b"r"]);
        b.block(9, 1, &[b"q"]);
        assert_eq!(b.blocked_clients(), 3);
        b.signal_key_as_ready(0, b"r");
        b.signal_key_as_ready(0, b"other");
        b.signal_key_as_ready(0, b"q");
        b.signal_key_as_ready(0, b"r");
        let ready = b.settle();
        let keys: Vec<(usize, &[u8], Vec<u64>)> = ready.iter().map(|r| (r.db, &r.key[..], r.clients.clone())).collect();
        assert_eq!(keys, vec![(0, &b"r"[..], vec![7, 8]), (0, &b"q"[..], vec![7])]);
        assert!(b.settle().is_empty(), "each signal is settled once");
    }

    #[test]
    fn an_unblocked_client_leaves_every_key() {
        let mut b = Blocking::default();
        b.block(7, 0, &[b"q", b"r", b"q"]);
        b.block(8, 0, &[b"q"]);
        b.unblock(7);
        assert_eq!(b.blocked_clients(), 1);
        b.signal_key_as_ready(0, b"r");
        b.signal_key_as_ready(0, b"q");
        assert_eq!(b.settle(), vec![ReadyKey { db: 0, key: Key::from(&b"q"[..]), clients: vec![8] }]);
        b.unblock(8);
        b.signal_key_as_ready(0, b"q");
        assert!(b.settle().is_empty());
        assert!(b.by_key.is_empty() && b.by_client.is_empty(), "nothing left behind");
    }

    fn state_and_dispatch() -> (crate::engine::state::Shared, impl Fn(&crate::engine::state::Shared, &str)) {
        use crate::config::{Config, LogLevel};
        use crate::engine::{client::Client, state::Shared, state::State};
        use crate::log::Logger;
        let shared = Shared::new(
            State::new(Config::default(), crate::engine::table::Names::new(crate::cmd::FAMILIES), 0),
            Logger::new(LogLevel::Nothing, "").expect("log"),
            Default::default(),
        );
        // One client for every line: a transaction opened by one line is run by a later one.
        let client = std::cell::RefCell::new(Client::new(1, true, true));
        let run = move |shared: &Shared, line: &str| {
            let mut out = crate::protocol::Out::new(false);
            let mut state = shared.state.lock();
            for command in line.split(';') {
                let words = crate::protocol::decode::split_args(command.as_bytes()).expect("balanced quotes");
                let argv: Vec<&[u8]> = words.iter().map(|w| &w[..]).collect();
                crate::engine::dispatch::dispatch(&mut state, shared, &mut client.borrow_mut(), &argv, &mut out);
            }
        };
        (shared, run)
    }

    fn ready(shared: &crate::engine::state::Shared) -> Vec<(usize, Vec<u8>, Vec<u64>)> {
        let mut state = shared.state.lock();
        state.ready_keys.drain(..).map(|r| (r.db, r.key.to_vec(), r.clients)).collect()
    }

    /// Creating a key a client waits on makes it ready once the unit ends: after a command, after a whole
    /// EXEC or script (not for each command in it), never for a key that already existed.
    #[test]
    fn a_created_key_is_ready_after_its_execution_unit() {
        let (shared, run) = state_and_dispatch();
        shared.state.lock().block_on_keys(99, 0, &[b"z", b"w"]);
        run(&shared, "ZADD z 1 a");
        assert_eq!(ready(&shared), vec![(0, b"z".to_vec(), vec![99])]);
        run(&shared, "ZADD z 2 b; SET other 1");
        assert!(ready(&shared).is_empty(), "z existed: nothing to pop that was not there");
        run(&shared, "DEL z; MULTI; ZADD w 1 a; ZADD z 1 a");
        assert!(ready(&shared).is_empty(), "queued, not run");
        run(&shared, "EXEC");
        assert_eq!(ready(&shared), vec![(0, b"w".to_vec(), vec![99]), (0, b"z".to_vec(), vec![99])]);
        run(
            &shared,
            "DEL z; EVAL \"redis.call('ZADD', 'z', 1, 'a') redis.call('DEL', 'z') redis.call('ZADD', 'z', 1, 'a')\" 0",
        );
        assert_eq!(ready(&shared), vec![(0, b"z".to_vec(), vec![99])], "once, after the script");
        run(&shared, "SELECT 1; ZADD z 1 a");
        assert!(ready(&shared).is_empty(), "another database");
        shared.state.lock().unblock_from_keys(99);
        run(&shared, "SELECT 0; DEL z; ZADD z 1 a");
        assert!(ready(&shared).is_empty(), "nobody waits any more");
        assert!(shared.state.lock().dbs.iter().all(|db| !db.track_ready));
    }
}
