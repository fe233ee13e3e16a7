//! Everything a command can touch, behind one lock: the databases, the live configuration, counters and the
//! client registry. One execution unit (a command, or a pipelined batch) holds the lock for its whole run.

use super::client::ClientRegistry;
use crate::config::Config;
use crate::storage::{Clock, Db};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

/// Server-wide counters (INFO stats).
#[derive(Debug, Default)]
pub struct Stats {
    /// How long the last fork took (BGSAVE, AOF rewrite), µs.
    pub latest_fork_usec: u64,
    pub commands_processed: u64,
    pub connections_received: u64,
    pub rejected_connections: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub expired_stale_perc: f64,
    pub expire_cycle_cpu_ms: u64,
    pub evicted_keys: u64,
    /// The highest `used_memory` seen (updated by the cron and by evictions).
    pub used_memory_peak: u64,
}

pub struct State {
    pub dbs: Vec<Db>,
    pub config: Config,
    /// The names commands answer to: the table's, after `rename-command` (dispatch looks commands up here).
    pub commands: super::table::Names,
    pub stats: Stats,
    pub clients: ClientRegistry,
    pub rng: fastrand::Rng,
    /// The 40-hex-digit run id (INFO server).
    pub run_id: String,
    pub started_ms: i64,
    /// Unix seconds of the last successful RDB save (LASTSAVE), or of startup.
    pub lastsave: i64,
    /// The TCP port actually bound (after `port 0`).
    pub port: u16,
    pub executable: String,
    /// DEBUG SET-ACTIVE-EXPIRE: the background expiry cycle runs only when true.
    pub active_expire: bool,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call commands flagged `noscript` (Redis's test suite).
    pub scripts_may_call_noscript: bool,
    /// The Lua state and the script cache (EVAL, SCRIPT LOAD): `scripting::scripts` creates it on first use.
    pub scripts: Option<Box<dyn ScriptHost>>,
    /// What executed writes did, for the append-only file.
    pub effects: crate::persistence::Effects,
    /// The append-only directory, rewrites and their statistics.
    pub aof: crate::persistence::aof::state::Aof,
    /// The connections MIGRATE keeps open to its targets: a type of `cmd/dump.rs`, which the engine only holds
    /// (it makes no connections of its own).
    pub migrate_sockets: Option<Box<dyn std::any::Any + Send>>,
    /// RDB snapshots: the background save, save points' bookkeeping and statistics.
    pub rdb: crate::persistence::rdb::state::Rdb,
    /// Channels, patterns and their subscribers.
    pub pubsub: crate::pubsub::PubSub,
    /// Changes made to the data since startup (Redis's server.dirty): a command that changed nothing is not
    /// recorded for the AOF.
    pub dirty: u64,
    /// The last command found the server over maxmemory with nothing to evict: a script it runs may not start
    /// writing (Redis's pre_command_oom_state).
    pub pre_command_oom: bool,
    /// Command statistics, slow log, latency events and MONITOR clients.
    pub observe: super::observe::Observer,
    /// Eviction candidates kept between evictions (maxmemory).
    pub eviction_pool: crate::engine::evict::Pool,
    /// The notify-keyspace-events classes the databases were last told to record (see settle_key_events).
    pub tracked_notify_flags: u32,
    /// Clients blocked on keys, and the keys made ready for them (see blocking.rs).
    pub blocking: super::blocking::Blocking,
    /// Keys made ready by the execution units that ended, with their waiting clients, for the connections.
    pub ready_keys: Vec<super::blocking::ReadyKey>,
    /// Errors the test kit armed for the next commands of a name (`fail_next`).
    pub faults: super::faults::Faults,
    /// A loader is replaying saved data (Redis's server.loading): nothing expires, nothing is evicted or
    /// refused for memory, so the state rebuilt is exactly the one saved. Set through `set_loading`.
    pub loading: bool,
}

impl State {
    pub fn new(config: Config, commands: super::table::Names, now_ms: i64) -> State {
        let mut rng = fastrand::Rng::new();
        let run_id = (0..40).map(|_| char::from_digit(rng.u32(..16), 16).unwrap_or('0')).collect();
        let mut effects = crate::persistence::Effects::default();
        effects.timestamps = config.aof_timestamp_enabled;
        State {
            dbs: (0..config.databases).map(|_| Db::default()).collect(),
            port: config.port,
            config,
            commands,
            stats: Stats::default(),
            clients: ClientRegistry::default(),
            rng,
            run_id,
            started_ms: now_ms,
            lastsave: now_ms / 1000,
            active_expire: true,
            scripts_may_call_noscript: false,
            scripts: None,
            effects,
            aof: Default::default(),
            rdb: Default::default(),
            migrate_sockets: None,
            pubsub: crate::pubsub::PubSub::default(),
            dirty: 0,
            tracked_notify_flags: 0,
            faults: Default::default(),
            blocking: Default::default(),
            ready_keys: Vec::new(),
            eviction_pool: Default::default(),
            observe: Default::default(),
            pre_command_oom: false,
            loading: false,
            executable: std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
        }
    }

    /// Makes every random choice repeatable from here on (the test kit, `DEBUG SEED`): SPOP, SRANDMEMBER,
    /// HRANDFIELD, ZRANDMEMBER, RANDOMKEY, the expiry cycle's and eviction's samples, LFU increments. With
    /// the same commands in the same order, the keyspace's own order (KEYS, SCAN) is the same too.
    pub fn seed(&mut self, seed: u64) {
        self.rng = fastrand::Rng::with_seed(seed);
        self.eviction_pool.rng.0 = fastrand::Rng::with_seed(seed ^ 0x9e37_79b9_7f4a_7c15);
        for (i, db) in self.dbs.iter_mut().enumerate() {
            db.rng.0 = fastrand::Rng::with_seed(seed.wrapping_add(i as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        }
    }

    /// Enters or leaves loading, for the state and every database's lookups.
    /// Writes are refused (MISCONF) after a failed background save, while save points are configured and
    /// `stop-writes-on-bgsave-error` is on (Redis's writeCommandsDeniedByDiskError, its RDB half).
    pub fn rdb_writes_denied(&self) -> bool {
        !self.rdb.last_bgsave_ok && !self.config.save.is_empty() && self.config.stop_writes_on_bgsave_error()
    }

    /// Tells the databases whether a forked child (BGSAVE, AOF rewrite) shares their memory now.
    pub fn sync_child_active(&mut self) {
        let active = self.rdb.bgsave.is_some() || self.aof.rewrite.is_some();
        let forked = self.rdb.bgsave.as_ref().map(|b| &b.child).or(self.aof.rewrite.as_ref().map(|r| &r.child));
        if let Some(child) = forked {
            self.stats.latest_fork_usec = child.fork_usec;
        }
        for db in &mut self.dbs {
            db.child_active = active;
        }
    }

    pub fn set_loading(&mut self, loading: bool) {
        self.loading = loading;
        for db in &mut self.dbs {
            db.loading = loading;
        }
    }

    /// Redis's checkAlreadyExpired: a write giving a key a TTL at or before `now` deletes it instead, except
    /// while loading (the saved stream's later records may still need the key).
    pub fn already_expired(&self, at_ms: i64, now: i64) -> bool {
        at_ms <= now && !self.loading
    }

    /// Sums of per-database counters.
    pub fn keyspace_stats(&self) -> crate::storage::db::DbStats {
        let mut total = crate::storage::db::DbStats::default();
        for db in &self.dbs {
            total.hits += db.stats.hits;
            total.misses += db.stats.misses;
            total.expired += db.stats.expired;
        }
        total
    }
}

/// The scripting engine as the engine sees it: it lives above (scripts run their commands through dispatch),
/// and the gates only need what a script declares.
pub trait ScriptHost: Send {
    /// The flags the gates apply to a command that runs a script (what its `#!lua` line declares); None: the
    /// command's own.
    fn gate_flags(&self, cmd: &super::CommandSpec, argv: &[&[u8]]) -> Option<u32>;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Binds the TCP listeners a configuration asks for: the listeners and the port bound.
pub type BindTcp = fn(&Config) -> Result<(Vec<std::net::TcpListener>, u16), crate::error::Error>;

/// What the server's tasks share: the state, the clock and the shutdown signal.
pub struct Shared {
    pub state: Mutex<State>,
    /// Shared with the test kit, which keeps it across a crash and restart.
    pub clock: std::sync::Arc<Clock>,
    /// Shared with the AOF writer, which logs its write errors and their recovery from any thread.
    pub log: std::sync::Arc<crate::log::Logger>,
    /// Scripts running off the event loop (see script_gate.rs).
    pub script: super::script_gate::ScriptGate,
    /// Writes the effects stream to the append-only file (used without the state lock).
    pub aof: std::sync::Arc<crate::persistence::aof::writer::Writer>,
    shutdown: AtomicBool,
    pub shutdown_notify: Notify,
    /// Stopped by `crash`: nothing was flushed, nothing more is answered.
    crashed: AtomicBool,
    /// A copy of `requirepass`, readable without the state lock: clients answered while a script holds the
    /// lock can still AUTH (and then SCRIPT KILL).
    requirepass: Mutex<Option<Vec<u8>>>,
    /// New TCP listeners for the server thread to accept on, replacing the current ones (CONFIG SET port/bind).
    pub relisten: tokio::sync::mpsc::UnboundedSender<Vec<std::net::TcpListener>>,
    /// How the network side binds `bind` and `port` (set by the server; CONFIG SET port/bind calls it, so that
    /// a refused address is that command's error).
    pub bind_tcp: BindTcp,
    /// Taken by the server thread at startup.
    pub relisten_rx: Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Vec<std::net::TcpListener>>>>,
    /// The names commands answer to (after `rename-command`, fixed at startup), readable without the state lock:
    /// clients answered while a script holds it are gated by the same rows.
    pub commands: crate::engine::table::Names,
}

impl Shared {
    pub fn new(mut state: State, log: crate::log::Logger, clock: std::sync::Arc<Clock>) -> Shared {
        let requirepass = Mutex::new(state.config.requirepass.clone());
        let commands = state.commands.clone();
        let (relisten, relisten_rx) = tokio::sync::mpsc::unbounded_channel();
        let log = std::sync::Arc::new(log);
        let aof = std::sync::Arc::new(crate::persistence::aof::writer::Writer::new(log.clone()));
        // The AOF is the effects stream's first subscriber.
        state.effects.subscribe(aof.clone());
        Shared {
            aof,
            requirepass,
            state: Mutex::new(state),
            clock,
            log,
            script: Default::default(),
            shutdown: AtomicBool::new(false),
            shutdown_notify: Notify::new(),
            crashed: AtomicBool::new(false),
            relisten,
            bind_tcp: |_| Err(crate::error::Error::Config("this server does not listen on TCP".into())),
            relisten_rx: Mutex::new(Some(relisten_rx)),
            commands,
        }
    }

    /// Stops the server as SIGKILL followed by a power loss would (the test kit's `crash`, `DEBUG CRASH`):
    /// the AOF keeps what its fsync policy made durable, no reply is sent from now on, no shutdown work runs.
    /// The caller holds the state lock (or runs inside a command), so no command runs across the crash.
    /// Stops as a power loss would (the test kit's `crash`, DEBUG CRASH): see `Writer::crash`.
    pub fn crash(&self) {
        self.crashed.store(true, Ordering::SeqCst);
        self.aof.crash();
        self.request_shutdown();
    }

    /// Stops as `kill -9` would (the test kit's `kill`): see `Writer::kill`.
    pub fn kill(&self) {
        self.crashed.store(true, Ordering::SeqCst);
        self.aof.kill();
        self.request_shutdown();
    }

    pub fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }

    pub fn requirepass(&self) -> Option<Vec<u8>> {
        self.requirepass.lock().clone()
    }

    /// CONFIG SET requirepass keeps the copy current.
    pub fn set_requirepass(&self, password: Option<Vec<u8>>) {
        *self.requirepass.lock() = password;
    }

    /// Asks every task to stop (SHUTDOWN, the handle, a signal).
    pub fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        // A script running on its blocking thread stops too (SHUTDOWN NOSAVE during BUSY).
        self.script.request_kill();
        self.shutdown_notify.notify_waiters();
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Resolves once a shutdown was requested, even if it was requested before the call.
    pub async fn stopped(&self) {
        loop {
            let notified = self.shutdown_notify.notified();
            tokio::pin!(notified);
            // Register before checking the flag so a request in between is not missed.
            notified.as_mut().enable();
            if self.shutting_down() {
                return;
            }
            notified.await;
        }
    }
}
