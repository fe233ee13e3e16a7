//! One database of the keyspace: keys, their values and expiry times, and the chokepoints every command goes
//! through (lazy expiry, LRU touch, hit/miss counting).
//!
//! Keys live in an `IndexMap`: O(1) lookups like a hash table, plus O(1) access by position, which gives random
//! sampling (RANDOMKEY) and a SCAN cursor with Redis's guarantee (see `storage/scan.rs`).

use super::{Key, Value};
use foldhash::fast::RandomState;
use indexmap::{IndexMap, IndexSet};

/// `expire_at` of a key without a TTL.
pub const NO_EXPIRE: i64 = i64::MIN;

#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    /// Absolute unix time in ms, or NO_EXPIRE.
    expire_at: i64,
    /// Last access, in seconds of the server clock (OBJECT IDLETIME, LRU eviction).
    pub lru: u32,
    /// The bytes this entry adds to its database's total, in units of 16 (see storage/memory.rs).
    accounted: u32,
}

impl Entry {
    pub fn expire_at(&self) -> Option<i64> {
        (self.expire_at != NO_EXPIRE).then_some(self.expire_at)
    }
}

/// Counters INFO reports, summed over databases.
#[derive(Clone, Copy, Debug, Default)]
pub struct DbStats {
    pub hits: u64,
    pub misses: u64,
    pub expired: u64,
}

#[derive(Debug, Default)]
pub struct Db {
    keys: IndexMap<Key, Entry, RandomState>,
    /// Keys that have a TTL: sampled by the active expiry cycle.
    volatile: IndexSet<Key, RandomState>,
    /// Where the active expiry cycle resumes in `volatile`.
    expire_cursor: usize,
    /// WATCHed keys of this database and the clients whose watch a change broke.
    watches: Watches,
    /// Running estimate of the average TTL of volatile keys, ms (INFO keyspace `avg_ttl`).
    pub avg_ttl: i64,
    pub stats: DbStats,
    /// What happened to keys as a side effect of lookups and stores since the State last looked, in order: it
    /// publishes their keyspace events, and records expiries as deletions for the AOF.
    pub key_events: Vec<(KeyEvent, Key)>,
    /// The entries' estimated bytes (keys' heap and values), in units of 16: what `used_memory` adds to the
    /// keyspace's own tables.
    values_units: u64,
    /// A value was handed out mutably (`get_mut`) since the last command: its bytes must be re-estimated.
    pub changed_in_place: bool,
    /// Set while an LFU maxmemory policy is on: accesses update the LFU counter kept in `lru`.
    pub lfu: Option<super::lfu::Lfu>,
    /// Record `Created` / `Missed` events (their keyspace notifications are enabled); expiries always are.
    pub track_created: bool,
    /// Some client is blocked on a key of this database: created keys are reported (`KeyEvent::Created`) so the
    /// engine can signal them ready (Redis's dbAdd -> signalKeyAsReady).
    pub track_ready: bool,
    pub track_missed: bool,
    /// LFU's probabilistic increments draw from it (seeded by `State::seed`).
    pub rng: super::random::Rng,
    /// A loader is rebuilding the saved state: no TTL counts as passed (Redis's keyIsExpired under
    /// server.loading), so a key whose TTL a later record extends is still there for that record.
    pub loading: bool,
    /// A forked child (BGSAVE, AOF rewrite) shares the memory: reads leave access times alone, so the pages
    /// holding entries are not copied for nothing (Redis's lookupKey skips the LRU update then).
    pub child_active: bool,
}

/// A change the storage makes on its own (Redis's dbAdd, expireIfNeeded, lookupKeyRead notifications).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEvent {
    /// Deleted because its TTL passed (lazily on lookup, or by the active cycle).
    Expired,
    /// Added to the keyspace.
    Created,
    /// A read lookup found nothing.
    Missed,
}

/// A watched key's entry in `Watches::by_key` (the key, its table slot and its list of watchers).
fn watched_key_bytes(key: &[u8]) -> u64 {
    key.len() as u64 + 64
}

/// One watcher in a watched key's list.
const WATCHER_BYTES: u64 = 16;

/// WATCH bookkeeping: who watches which key, and whose watch was broken by a change.
#[derive(Debug, Default)]
struct Watches {
    /// Per key: (client, the key had already expired when watched).
    by_key: std::collections::HashMap<Key, Vec<(u64, bool)>, RandomState>,
    broken: std::collections::HashSet<u64, RandomState>,
    /// What `by_key` holds, as `used_memory` counts it (Redis's watched_keys dict and lists are allocations too).
    bytes: u64,
}

/// The `lru` field after an access: the clock in seconds, or the LFU counter and its clock under LFU.
fn touched(lru: u32, lfu: Option<super::lfu::Lfu>, rng: &mut fastrand::Rng, now_ms: i64) -> u32 {
    match lfu {
        Some(lfu) => super::lfu::lfu_touch(lru, lfu, rng, now_ms),
        None => lru_clock(now_ms),
    }
}

/// An entry's estimated bytes (key heap and value), in the units of `Entry::accounted`.
fn entry_units(key: &Key, entry: &Entry) -> u32 {
    use super::memory::{key_cost, value_size, DEFAULT_SAMPLES};
    let bytes = key_cost(key) + value_size(&entry.value, DEFAULT_SAMPLES);
    u32::try_from(bytes.div_ceil(16)).unwrap_or(u32::MAX)
}

/// Resolution of the LRU clock: fine enough that keys read a moment ago rank after keys written before them.
pub const LRU_RESOLUTION_MS: i64 = 10;

/// The LRU clock (wraps after 497 days; idle times are computed with wrapping arithmetic).
pub fn lru_clock(now_ms: i64) -> u32 {
    (now_ms / LRU_RESOLUTION_MS) as u32
}

/// Milliseconds since an entry's last access, from its `lru` field (LRU policies).
pub fn idle_ms(lru: u32, now_ms: i64) -> u64 {
    u64::from(lru_clock(now_ms).wrapping_sub(lru)) * LRU_RESOLUTION_MS as u64
}

impl Db {
    /// Has a TTL at `at` passed at `now`? Never while loading.
    #[inline]
    fn passed(&self, at: i64, now: i64) -> bool {
        at != NO_EXPIRE && at <= now && !self.loading
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    /// Position of `key` if it is live; an expired key is deleted on the way (lazy expiry). One hash lookup.
    fn live_index(&mut self, key: &[u8], now: i64) -> Option<usize> {
        let i = self.keys.get_index_of(key)?;
        if self.passed(self.keys[i].expire_at, now) {
            if let Some((key, _)) = self.remove_index(i) {
                self.note_expired(key);
            }
            return None;
        }
        Some(i)
    }

    fn remove_index(&mut self, i: usize) -> Option<(Key, Entry)> {
        let (key, e) = self.keys.swap_remove_index(i)?;
        self.values_units -= u64::from(e.accounted);
        self.touch(&key);
        if e.expire_at != NO_EXPIRE {
            self.volatile.swap_remove(&key);
        }
        Some((key, e))
    }

    fn note_expired(&mut self, key: Key) {
        self.stats.expired += 1;
        self.key_events.push((KeyEvent::Expired, key));
    }

    fn note_created(&mut self, key: &[u8]) {
        if self.track_created || self.track_ready {
            self.key_events.push((KeyEvent::Created, key.into()));
        }
    }

    /// `lookupKeyRead` + `checkType`: the value of `key` as a `T` (None if missing), WRONGTYPE for another type.
    pub fn read<T: super::Typed>(&mut self, key: &[u8], now: i64) -> Result<Option<&T>, crate::error::CmdError> {
        match self.get(key, now) {
            None => Ok(None),
            Some(e) => T::of(&e.value).map(Some).ok_or(crate::error::CmdError::WrongType),
        }
    }

    /// `lookupKeyWrite` + `checkType`, for changing the value in place.
    pub fn write<T: super::Typed>(&mut self, key: &[u8], now: i64) -> Result<Option<&mut T>, crate::error::CmdError> {
        match self.get_mut(key, now) {
            None => Ok(None),
            Some(e) => T::of_mut(&mut e.value).map(Some).ok_or(crate::error::CmdError::WrongType),
        }
    }

    /// Read lookup: lazy expiry, hit/miss counting (and the `keymiss` event), LRU touch.
    pub fn get(&mut self, key: &[u8], now: i64) -> Option<&Entry> {
        let lfu = self.lfu;
        let i = self.counted_index(key, now, true)?;
        let e = &mut self.keys[i];
        if !self.child_active {
            e.lru = touched(e.lru, lfu, &mut self.rng, now);
        }
        Some(e)
    }

    /// Read lookup that leaves the LRU clock alone (Redis's LOOKUP_NOTOUCH: TYPE, TTL, OBJECT). `notify`:
    /// a miss publishes `keymiss` (OBJECT's does not).
    pub fn get_no_touch(&mut self, key: &[u8], now: i64, notify: bool) -> Option<&Entry> {
        let i = self.counted_index(key, now, notify)?;
        Some(&self.keys[i])
    }

    /// `live_index`, counted as a keyspace hit or miss.
    fn counted_index(&mut self, key: &[u8], now: i64, notify: bool) -> Option<usize> {
        let found = self.live_index(key, now);
        match found {
            Some(_) => self.stats.hits += 1,
            None => {
                self.stats.misses += 1;
                if notify && self.track_missed {
                    self.key_events.push((KeyEvent::Missed, key.into()));
                }
            }
        }
        found
    }

    /// Write lookup: lazy expiry and LRU touch, no hit/miss counting (as Redis's lookupKeyWrite).
    pub fn get_mut(&mut self, key: &[u8], now: i64) -> Option<&mut Entry> {
        let lfu = self.lfu;
        let i = self.live_index(key, now)?;
        // The value may change in place: the command's keys are re-measured after it (dispatch::execute).
        self.changed_in_place = true;
        let e = &mut self.keys[i];
        if !self.child_active {
            e.lru = touched(e.lru, lfu, &mut self.rng, now);
        }
        Some(e)
    }

    /// Looks a key up without side effects other than lazy expiry (TYPE, OBJECT, TTL).
    pub fn peek(&mut self, key: &[u8], now: i64) -> Option<&Entry> {
        let i = self.live_index(key, now)?;
        Some(&self.keys[i])
    }

    /// A live key's entry without side effects: for commands that read several keys at once, after a first
    /// pass of `get` has done the lazy expiry, counting and type checks.
    pub fn get_ref(&self, key: &[u8], now: i64) -> Option<&Entry> {
        self.keys.get(key).filter(|e| !self.passed(e.expire_at, now))
    }

    /// Is the key present with a TTL that has passed (not yet deleted)?
    pub fn is_expired(&self, key: &[u8], now: i64) -> bool {
        matches!(self.keys.get(key), Some(e) if self.passed(e.expire_at, now))
    }

    /// Is the key present and not expired? Does not delete (KEYS, SCAN filtering decide that themselves).
    pub fn is_live(&self, key: &[u8], now: i64) -> bool {
        matches!(self.keys.get(key), Some(e) if !self.passed(e.expire_at, now))
    }

    /// Stores `value` at `key` with one hash lookup. The TTL is cleared unless `keep_ttl` (SET KEEPTTL); a key
    /// whose TTL had passed counts as new.
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool, now: i64) {
        use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
        self.touch(key);
        let (lfu, lru, loading) = (self.lfu, lru_clock(now), self.loading);
        match self.keys.raw_entry_mut_v1().from_key(key) {
            RawEntryMut::Occupied(mut o) => {
                let (k, e) = o.get_key_value_mut();
                let expired = e.expire_at != NO_EXPIRE && e.expire_at <= now && !loading;
                e.value = value;
                // An overwrite is an access; under LFU the counter carries over (Redis's dbOverwrite).
                e.lru = touched(e.lru, lfu, &mut self.rng, now);
                let units = entry_units(k, e);
                self.values_units = self.values_units - u64::from(e.accounted) + u64::from(units);
                e.accounted = units;
                if (expired || !keep_ttl) && e.expire_at != NO_EXPIRE {
                    e.expire_at = NO_EXPIRE;
                    self.volatile.swap_remove(key);
                }
                if expired {
                    self.note_expired(key.into());
                    self.note_created(key);
                }
            }
            RawEntryMut::Vacant(v) => {
                let lru = if lfu.is_some() { super::lfu::lfu_new(now) } else { lru };
                let (k, e) = v.insert(key.into(), Entry { value, expire_at: NO_EXPIRE, lru, accounted: 0 });
                let units = entry_units(k, e);
                e.accounted = units;
                self.values_units += u64::from(units);
                self.note_created(key);
            }
        }
    }

    /// Stores an entry as is, TTL included (RENAME, MOVE, COPY).
    pub fn insert_entry(&mut self, key: &[u8], mut entry: Entry) {
        self.touch(key);
        let volatile = entry.expire_at != NO_EXPIRE;
        entry.accounted = 0;
        match self.keys.insert(key.into(), entry) {
            Some(old) => {
                self.values_units -= u64::from(old.accounted);
                if old.expire_at != NO_EXPIRE && !volatile {
                    self.volatile.swap_remove(key);
                }
            }
            None => self.note_created(key),
        }
        self.reaccount(key);
        if volatile {
            self.volatile.insert(key.into());
        }
    }

    /// Deletes a live key (DEL, UNLINK): false if it was missing or had already expired. One hash lookup.
    pub fn delete(&mut self, key: &[u8], now: i64) -> bool {
        match self.live_index(key, now) {
            Some(i) => self.remove_index(i).is_some(),
            None => false,
        }
    }

    /// Room for `additional` more keys (a loader that knows the count).
    pub fn reserve(&mut self, additional: usize) {
        self.keys.reserve(additional);
    }

    /// Every entry, expired or not, in storage order (RDB files save them all, as Redis does).
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        self.keys.iter()
    }

    /// Sets the access history of an existing key (RESTORE's IDLETIME/FREQ, a loaded file's idle time or LFU
    /// counter): the `lru` field as the policy reads it.
    pub fn set_lru(&mut self, key: &[u8], lru: u32) {
        if let Some(e) = self.keys.get_mut(key) {
            e.lru = lru;
        }
    }

    /// Deletes a key. Returns its entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let i = self.keys.get_index_of(key)?;
        self.remove_index(i).map(|(_, e)| e)
    }

    /// Sets the absolute expiry time of an existing key. False if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        self.touch(key);
        match self.keys.get_mut(key) {
            Some(e) => {
                if e.expire_at == NO_EXPIRE {
                    self.volatile.insert(key.into());
                }
                e.expire_at = at_ms;
                true
            }
            None => false,
        }
    }

    /// Removes the TTL of an existing key. True if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        match self.keys.get_mut(key) {
            Some(e) if e.expire_at != NO_EXPIRE => {
                e.expire_at = NO_EXPIRE;
                self.volatile.swap_remove(key);
                self.touch(key);
                true
            }
            _ => false,
        }
    }

    pub fn clear(&mut self) {
        self.touch_existing(None);
        self.keys = IndexMap::default();
        self.volatile = IndexSet::default();
        self.avg_ttl = 0;
        self.values_units = 0;
    }

    /// Re-estimates the bytes of `key`'s entry (after a command changed its value in place).
    pub fn reaccount(&mut self, key: &[u8]) {
        let Some((_, k, e)) = self.keys.get_full_mut(key) else { return };
        let units = entry_units(k, e);
        self.values_units = self.values_units - u64::from(e.accounted) + u64::from(units);
        e.accounted = units;
    }

    /// A random key, from all keys or only those with a TTL (eviction sampling; may be expired).
    pub fn random_entry(&self, volatile_only: bool, rng: &mut fastrand::Rng) -> Option<(&Key, &Entry)> {
        if volatile_only {
            if self.volatile.is_empty() {
                return None;
            }
            let key = self.volatile.get_index(rng.usize(..self.volatile.len()))?;
            self.keys.get_key_value(&key[..])
        } else {
            if self.keys.is_empty() {
                return None;
            }
            self.keys.get_index(rng.usize(..self.keys.len()))
        }
    }

    /// Calls `f` with `n` keys from a random position on, in storage order (wrapping): eviction samples, read
    /// from neighbouring memory as Redis's dictGetSomeKeys reads neighbouring buckets.
    pub fn sample_entries(
        &self,
        volatile_only: bool,
        n: usize,
        rng: &mut fastrand::Rng,
        mut f: impl FnMut(&Key, &Entry),
    ) {
        let len = if volatile_only { self.volatile.len() } else { self.keys.len() };
        if len == 0 {
            return;
        }
        let start = rng.usize(..len);
        for i in (start..start + n.min(len)).map(|i| i % len) {
            let found = if volatile_only {
                self.volatile.get_index(i).and_then(|k| self.keys.get_key_value(&k[..]))
            } else {
                self.keys.get_index(i)
            };
            if let Some((key, entry)) = found {
                f(key, entry);
            }
        }
    }

    /// `key`'s entry if it is still an eviction candidate (present, with a TTL if `volatile_only`).
    pub fn candidate(&self, key: &[u8], volatile_only: bool) -> Option<&Entry> {
        let entry = self.keys.get(key)?;
        (!volatile_only || entry.expire_at != NO_EXPIRE).then_some(entry)
    }

    /// Estimated bytes this database holds: its tables (from their capacities) and its entries.
    pub fn used_memory(&self) -> u64 {
        use super::memory::{table, KEYSPACE_ENTRY, VOLATILE_ENTRY};
        if self.keys.capacity() == 0 {
            // Checked for every database before every command under maxmemory: empty ones cost little.
            return self.watches.bytes;
        }
        let tables = table(self.keys.len(), self.keys.capacity(), KEYSPACE_ENTRY)
            + table(self.volatile.len(), self.volatile.capacity(), VOLATILE_ENTRY);
        tables as u64 + self.values_units * 16 + self.watches.bytes
    }

    /// The entry's accounted bytes (MEMORY USAGE reads the estimate directly instead).
    pub fn accounted_bytes(&self, key: &[u8]) -> Option<u64> {
        self.keys.get(key).map(|e| u64::from(e.accounted) * 16)
    }

    /// Marks the watchers of `key` as broken (Redis's `signalModifiedKey` -> `touchWatchedKey`).
    pub fn touch(&mut self, key: &[u8]) {
        if self.watches.by_key.is_empty() {
            return;
        }
        let exists = self.keys.contains_key(key);
        if let Some(clients) = self.watches.by_key.get_mut(key) {
            for (client, expired_when_watched) in clients.iter_mut() {
                // Deleting a key that had already expired when watched changes nothing visible (Redis 7.0's
                // touchWatchedKey): the watch holds, and the key now counts as plainly absent.
                if *expired_when_watched && !exists {
                    *expired_when_watched = false;
                } else {
                    self.watches.broken.insert(*client);
                }
            }
        }
    }

    /// Does any client watch a key of this database? (Skips the bookkeeping on every write when none does.)
    pub fn watched(&self) -> bool {
        !self.watches.by_key.is_empty()
    }

    /// FLUSHDB / SWAPDB (Redis 7.0's `touchAllWatchedKeysInDb`): breaks the watches on keys that exist here, or
    /// in the database (with its clock reading) about to replace this one's contents, except where nothing
    /// visible changes: a key already expired when watched that goes away or stays expired, or a missing key
    /// replaced by an expired one (which then counts as expired when watched).
    pub fn touch_existing(&mut self, replaced_with: Option<(&Db, i64)>) {
        let Watches { by_key, broken, .. } = &mut self.watches;
        for (key, clients) in by_key.iter_mut() {
            let exists_here = self.keys.contains_key(key);
            let incoming = replaced_with.filter(|(db, _)| db.keys.contains_key(key));
            if !exists_here && incoming.is_none() {
                continue;
            }
            let incoming_expired = incoming.is_some_and(|(db, now)| db.is_expired(key, now));
            for (client, expired_when_watched) in clients.iter_mut() {
                if *expired_when_watched {
                    if incoming.is_none() {
                        *expired_when_watched = false;
                        continue;
                    }
                    if incoming_expired {
                        continue;
                    }
                } else if !exists_here && incoming_expired {
                    *expired_when_watched = true;
                    continue;
                }
                broken.insert(*client);
            }
        }
    }

    /// Exchanges the contents (keys, TTLs, counters) with `other`; watches and blocked clients stay with their
    /// database, as SWAPDB.
    pub fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.watches, &mut other.watches);
        std::mem::swap(&mut self.track_ready, &mut other.track_ready);
        std::mem::swap(self, other);
    }

    pub fn watch(&mut self, key: &[u8], client: u64, expired: bool) {
        let Watches { by_key, bytes, .. } = &mut self.watches;
        let clients = by_key.entry(Key::from(key)).or_insert_with(|| {
            *bytes += watched_key_bytes(key);
            Vec::new()
        });
        if !clients.iter().any(|(c, _)| *c == client) {
            clients.push((client, expired));
            *bytes += WATCHER_BYTES;
        }
    }

    /// Forgets every watch of `client` here (EXEC, DISCARD, UNWATCH, RESET, disconnect).
    pub fn unwatch_all(&mut self, client: u64) {
        if self.watches.by_key.is_empty() && self.watches.broken.is_empty() {
            return;
        }
        let Watches { by_key, broken, bytes } = &mut self.watches;
        by_key.retain(|key, clients| {
            let before = clients.len();
            clients.retain(|(c, _)| *c != client);
            *bytes -= (before - clients.len()) as u64 * WATCHER_BYTES;
            if clients.is_empty() {
                *bytes -= watched_key_bytes(key);
            }
            !clients.is_empty()
        });
        broken.remove(&client);
    }

    /// Does `client`'s watch on `key` count the key as expired when watched (so its expiry changes nothing)?
    pub fn watched_as_expired(&self, key: &[u8], client: u64) -> bool {
        let watchers = self.watches.by_key.get(key);
        watchers.and_then(|w| w.iter().find(|(c, _)| *c == client)).is_some_and(|(_, expired)| *expired)
    }

    /// Did a change break one of `client`'s watches here?
    pub fn watch_broken(&self, client: u64) -> bool {
        self.watches.broken.contains(&client)
    }

    /// Every live key, in storage order (KEYS).
    pub fn live_keys(&self, now: i64) -> impl Iterator<Item = (&Key, &Entry)> {
        self.keys.iter().filter(move |(_, e)| !self.passed(e.expire_at, now))
    }

    /// One SCAN step: up to `count` positions below `cursor` (0 = start). Returns the keys seen (possibly
    /// expired: the caller filters) and the next cursor (0 = done). See the module docs for the guarantee.
    pub fn scan(&self, cursor: u64, count: usize, out: &mut Vec<Key>) -> u64 {
        super::scan::step(self.keys.len(), cursor, count, |i| {
            if let Some((k, _)) = self.keys.get_index(i) {
                out.push(k.clone());
            }
        })
    }

    /// A random live key, deleting expired ones met on the way (RANDOMKEY).
    pub fn random_key(&mut self, rng: &mut fastrand::Rng, now: i64) -> Option<Key> {
        while !self.keys.is_empty() {
            let i = rng.usize(..self.keys.len());
            let (k, e) = self.keys.get_index(i)?;
            if self.passed(e.expire_at, now) {
                let k = k.clone();
                self.remove(&k);
                self.note_expired(k);
                continue;
            }
            return Some(k.clone());
        }
        None
    }

    /// One round of active expiry: checks up to `samples` volatile keys, deletes the expired ones and folds the
    /// sample's TTLs into `avg_ttl`. Returns (sampled, expired).
    pub fn expire_sample(&mut self, rng: &mut fastrand::Rng, samples: usize, now: i64) -> (usize, usize) {
        let n = samples.min(self.volatile.len());
        let (mut expired, mut ttl_sum, mut ttl_count) = (0, 0i64, 0i64);
        let _ = rng;
        let mut i = self.expire_cursor;
        for _ in 0..n {
            if self.volatile.is_empty() {
                break;
            }
            // Walk the volatile keys in order from where the last round stopped, like Redis 7's scan-based
            // cycle: every key is visited within a pass, and neighbours in memory are checked together.
            if i >= self.volatile.len() {
                i = 0;
            }
            let Some(key) = self.volatile.get_index(i) else { break };
            // One hash lookup per sample; both removals are by position.
            let Some((pos, _, entry)) = self.keys.get_full(&key[..]) else {
                self.volatile.swap_remove_index(i);
                continue;
            };
            let at = entry.expire_at;
            if at <= now {
                // The last volatile key moves into position i: look at it next.
                if let Some((key, e)) = self.keys.swap_remove_index(pos) {
                    self.values_units -= u64::from(e.accounted);
                    self.touch(&key);
                    self.note_expired(key);
                }
                self.volatile.swap_remove_index(i);
                expired += 1;
            } else {
                ttl_sum += at - now;
                ttl_count += 1;
                i += 1;
            }
        }
        self.expire_cursor = i;
        if ttl_count > 0 {
            // Redis's running average: 2% weight for each new sample mean.
            let avg = ttl_sum / ttl_count;
            self.avg_ttl = if self.avg_ttl == 0 { avg } else { (self.avg_ttl / 50) * 49 + avg / 50 };
        }
        (n, expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::RString;

    fn s(v: &str) -> Value {
        Value::String(RString::from_bytes(v.as_bytes()))
    }

    #[test]
    fn lazy_expiry_on_lookup() {
        let mut db = Db::default();
        db.set(b"k", s("v"), false, 1000);
        db.set_expire(b"k", 2000);
        assert!(db.get(b"k", 1999).is_some());
        assert!(db.get(b"k", 2000).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.volatile_len(), 0);
        assert_eq!(db.stats.expired, 1);
    }

    #[test]
    fn set_clears_ttl_unless_kept() {
        let mut db = Db::default();
        db.set(b"k", s("v"), false, 0);
        db.set_expire(b"k", 5000);
        db.set(b"k", s("w"), true, 0);
        assert_eq!(db.peek(b"k", 0).and_then(|e| e.expire_at()), Some(5000));
        db.set(b"k", s("x"), false, 0);
        assert_eq!(db.peek(b"k", 0).and_then(|e| e.expire_at()), None);
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn scan_returns_every_stable_key_despite_deletes_and_inserts() {
        let mut db = Db::default();
        for i in 0..1000 {
            db.set(format!("k{i}").as_bytes(), s("v"), false, 0);
        }
        let stable: Vec<String> = (0..1000).filter(|i| i % 3 == 0).map(|i| format!("k{i}")).collect();
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            let mut out = Vec::new();
            cursor = db.scan(cursor, 7, &mut out);
            seen.extend(out.into_iter().map(|k| String::from_utf8(k.to_vec()).unwrap()));
            // Churn: delete some unstable keys, add new ones.
            for i in 0..5 {
                let v = (round * 5 + i) % 1000;
                if v % 3 != 0 {
                    db.remove(format!("k{v}").as_bytes());
                }
                db.set(format!("new{round}-{i}").as_bytes(), s("v"), false, 0);
            }
            round += 1;
            if cursor == 0 {
                break;
            }
        }
        for k in stable {
            assert!(seen.contains(&k), "{k} missed");
        }
    }

    #[test]
    fn active_expiry_reclaims_unread_keys() {
        let mut db = Db::default();
        for i in 0..100 {
            db.set(format!("k{i}").as_bytes(), s("v"), false, 0);
            db.set_expire(format!("k{i}").as_bytes(), 10);
        }
        let mut rng = fastrand::Rng::with_seed(1);
        while db.volatile_len() > 0 {
            db.expire_sample(&mut rng, 20, 11);
        }
        assert_eq!(db.len(), 0);
    }
}
