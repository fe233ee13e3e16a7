//! Loading RDB data into the databases (Redis's rdbLoad): `dump.rdb` at startup when the AOF is off, DEBUG
//! RELOAD, and the RDB base of an AOF directory. Keys go straight into the databases (no commands replayed),
//! with their TTLs and access history; as on a Redis master, keys whose TTL passed are dropped, except in an
//! AOF's base, whose later records may still need them. A file that cannot be read whole stops the load with
//! its offset and the reason.

use crate::engine::state::{Shared, State};
use crate::persistence::rdb::decode::DecodeError;
use crate::persistence::rdb::file::{read_rdb, Event, ReadOptions, Summary};
use crate::persistence::rdb::object::Limits;
use crate::storage::db::{lru_clock, LRU_RESOLUTION_MS};
use crate::storage::lfu::lfu_with_counter;

/// What a load found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub summary: Summary,
    pub expired_skipped: u64,
}

/// How a key already in the databases is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// An error, as Redis's "Duplicated key found in RDB file".
    Refuse,
    /// The file's value replaces it (DEBUG RELOAD MERGE).
    Replace,
}

/// Loads an RDB image into the databases (which the caller has emptied, or merges into). `aof_base`: the
/// image is an AOF's base, whose keys are kept even when their TTL has passed.
pub fn load_bytes(
    state: &mut State,
    data: &[u8],
    aof_base: bool,
    duplicates: Duplicates,
    now: i64,
) -> Result<Loaded, DecodeError> {
    let opts = ReadOptions {
        limits: Limits::of(&state.config),
        databases: state.dbs.len(),
        verify_checksum: state.config.rdb_checksum(),
    };
    let lfu = state.config.lfu_policy();
    let was_loading = state.loading;
    state.set_loading(true);
    let mut expired = 0;
    let dbs = &mut state.dbs;
    let read = read_rdb(data, &opts, |event| {
        let rec = match event {
            Event::Resize { db, keys } => {
                dbs[db].reserve(keys as usize);
                return Ok(());
            }
            Event::Key(rec) => rec,
        };
        if !aof_base && rec.expire_at.is_some_and(|at| at < now) {
            expired += 1;
            return Ok(());
        }
        let db = &mut dbs[rec.db];
        let before = db.len();
        db.set(&rec.key, rec.value, false, now);
        if duplicates == Duplicates::Refuse && db.len() == before {
            return Err(format!(
                "each key once (duplicated key '{}' in DB {})",
                String::from_utf8_lossy(&rec.key),
                rec.db
            ));
        }
        if let Some(at) = rec.expire_at {
            db.set_expire(&rec.key, at);
        }
        // objectSetLRUOrLFU: the counter under an LFU policy, the idle time under any other.
        match (lfu, rec.freq, rec.idle_secs) {
            (true, Some(freq), _) => db.set_lru(&rec.key, lfu_with_counter(now, u32::from(freq))),
            (false, _, Some(idle)) => {
                let ticks = idle.saturating_mul(1000) / LRU_RESOLUTION_MS as u64;
                db.set_lru(&rec.key, lru_clock(now).wrapping_sub(ticks as u32));
            }
            _ => {}
        }
        Ok(())
    });
    for db in &mut state.dbs {
        db.key_events.clear();
    }
    state.set_loading(was_loading);
    let summary = read?;
    state.rdb.last_load_keys_loaded = summary.keys - expired;
    state.rdb.last_load_keys_expired = expired;
    Ok(Loaded { summary, expired_skipped: expired })
}

/// The log lines Redis writes after loading a file.
pub fn log_loaded(shared: &Shared, loaded: &Loaded, now: i64) {
    let aux = |name: &[u8]| {
        loaded.summary.aux.iter().find(|(k, _)| k == name).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    if let Some(version) = aux(b"redis-ver") {
        shared.log.notice(&format!("Loading RDB produced by version {version}"));
    }
    if let Some(ctime) = aux(b"ctime").and_then(|c| c.parse::<i64>().ok()) {
        shared.log.notice(&format!("RDB age {} seconds", (now / 1000 - ctime).max(0)));
    }
    if let Some(mem) = aux(b"used-mem").and_then(|m| m.parse::<u64>().ok()) {
        shared.log.notice(&format!("RDB memory usage when created {:.2} Mb", mem as f64 / (1024.0 * 1024.0)));
    }
    if loaded.summary.empty_keys_skipped > 0 {
        shared.log.warning(&format!("Done loading RDB, empty keys skipped: {}.", loaded.summary.empty_keys_skipped));
    }
    shared.log.notice(&format!(
        "Done loading RDB, keys loaded: {}, keys expired: {}.",
        loaded.summary.keys - loaded.expired_skipped,
        loaded.expired_skipped
    ));
}

/// Startup with `appendonly no`: `dbfilename` in `dir` is loaded if it exists (with the AOF on, the AOF wins,
/// as in Redis). An unreadable or corrupt file stops startup, naming the file, offset and reason.
pub fn load_at_startup(shared: &Shared) -> Result<(), String> {
    let mut state = shared.state.lock();
    if state.config.appendonly {
        return Ok(());
    }
    let path = state.config.rdb_path();
    let data = match std::fs::read(&path) {
        Ok(data) => data,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("Fatal error loading the DB {}: {e}. Exiting.", path.display())),
    };
    let started = std::time::Instant::now();
    let now = shared.clock.now_ms();
    let loaded = load_bytes(&mut state, &data, false, Duplicates::Refuse, now)
        .map_err(|e| format!("Bad RDB file {}: {e}. Exiting.", path.display()))?;
    log_loaded(shared, &loaded, now);
    shared.log.notice(&format!("DB loaded from disk: {:.3} seconds", started.elapsed().as_secs_f64()));
    Ok(())
}
