//! Client state: what the connection task owns (`Client`), and what other clients may see or act on
//! (`ClientInfo` in the registry: CLIENT LIST, CLIENT KILL, idle timeouts).

use std::collections::BTreeMap;
use tokio::task::AbortHandle;

/// Per-connection state read by every command.
#[derive(Debug)]
pub struct Client {
    pub id: u64,
    pub db: usize,
    pub authenticated: bool,
    /// Loopback or unix socket (protected mode, `enable-debug-command local`).
    pub local: bool,
    /// Reply then close (QUIT, a protocol error, CLIENT KILL of oneself).
    pub close_after_reply: bool,
    /// The last command's full name (`client|list`), for CLIENT LIST `cmd=`.
    pub last_cmd: &'static str,
    /// Commands queued since MULTI; None outside a transaction.
    pub multi: Option<Vec<Vec<Vec<u8>>>>,
    /// A command was rejected while queuing: EXEC answers EXECABORT.
    pub multi_aborted: bool,
    /// The queued commands' flags OR-ed together (Redis's mstate.cmd_flags): EXEC's gates (OOM, MISCONF,
    /// CLIENT PAUSE) treat EXEC as what it will run.
    pub multi_flags: u32,
    /// WATCHed keys: (db, key). Whether each counted as expired when watched is kept by the database, which
    /// updates it as deletions and FLUSHDB/SWAPDB happen.
    pub watched: Vec<(usize, crate::storage::Key)>,
    /// A script's commands all see the time the script started, so a key cannot expire halfway through it
    /// (Redis's lua_time_snapshot).
    pub time_snapshot: Option<i64>,
    /// Where published messages wait for this client: created on its first subscription.
    pub mailbox: Option<std::sync::Arc<crate::pubsub::Mailbox>>,
    /// Channels + patterns + shard channels subscribed to (RESP2 allows only a few commands while non-zero).
    pub subscriptions: usize,
    /// The peer as MONITOR and the slow log show it (`127.0.0.1:5000`, `lua` for a script's commands).
    pub addr: String,
    /// In MONITOR mode: its mailbox receives every command run (see `Observer::monitors`).
    pub monitor: bool,
    /// CLIENT REPLY: which replies are dropped.
    pub reply: ReplyMode,
    /// The query buffer when the current batch began: bytes held and free (CLIENT LIST `qbuf`, `qbuf-free`).
    pub query_buf: (usize, usize),
    /// The quick script it ran turned slow and stopped, unanswered, to run again off the event loop.
    pub moved_off_event_loop: bool,
    /// The script it ran turned slow on the event loop and was suspended: the command goes on off it.
    pub suspended: Option<crate::engine::dispatch::Suspended>,
    /// EXEC is running the queued commands (Redis's CLIENT_MULTI during EXEC): commands that would block
    /// answer at once instead.
    pub in_exec: bool,
    /// The command just run blocks the client (WAIT): the connection answers it when it is unblocked.
    pub blocked: Option<Blocked>,
    /// A transaction ended while a script held the data: its watches are dropped by the next batch.
    pub unwatch_deferred: bool,
}

/// A blocked client: until when (server clock ms; None = until it disconnects) and what it is then answered.
#[derive(Clone, Debug)]
pub struct Blocked {
    pub deadline_ms: Option<i64>,
    pub timeout_reply: &'static [u8],
}

/// CLIENT REPLY OFF / SKIP, with Redis's flags: SKIP drops the next command's reply, so the command that set
/// it marks `skip_next`, which becomes `skip` once it is done.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReplyMode {
    pub off: bool,
    pub skip: bool,
    pub skip_next: bool,
}

impl ReplyMode {
    /// Is the reply of the command now running dropped?
    pub fn suppressed(&self) -> bool {
        self.off || self.skip
    }

    /// A command (run, queued or refused) is done: Redis's resetClient.
    pub fn command_done(&mut self) {
        self.skip = std::mem::take(&mut self.skip_next);
    }
}

impl Client {
    /// Ends the transaction without running it and forgets every watched key (DISCARD, RESET, a refused EXEC).
    pub fn discard_transaction(&mut self, dbs: &mut [crate::storage::Db]) {
        self.multi = None;
        self.multi_aborted = false;
        self.unwatch_all(dbs);
    }

    /// Forgets every key the client watches.
    pub fn unwatch_all(&mut self, dbs: &mut [crate::storage::Db]) {
        for (db, _) in self.watched.drain(..) {
            dbs[db].unwatch_all(self.id);
        }
    }

    /// The bytes of the queued commands as Redis counts them (`multi-mem`): arguments plus a pointer each.
    pub fn multi_mem(&self) -> usize {
        let queue = self.multi.as_deref().unwrap_or_default();
        queue.iter().map(|argv| argv.iter().map(|a| a.len() + std::mem::size_of::<usize>()).sum::<usize>()).sum()
    }

    pub fn new(id: u64, local: bool, authenticated: bool) -> Client {
        Client {
            id,
            db: 0,
            authenticated,
            local,
            close_after_reply: false,
            last_cmd: "NULL",
            multi: None,
            multi_aborted: false,
            multi_flags: 0,
            watched: Vec::new(),
            time_snapshot: None,
            mailbox: None,
            subscriptions: 0,
            addr: String::new(),
            monitor: false,
            reply: ReplyMode::default(),
            query_buf: (0, 0),
            moved_off_event_loop: false,
            suspended: None,
            in_exec: false,
            blocked: None,
            unwatch_deferred: false,
        }
    }
}

/// What the registry knows of a client.
#[derive(Debug)]
pub struct ClientInfo {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub name: Option<Vec<u8>>,
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub db: usize,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    pub last_cmd: &'static str,
    pub resp: u8,
    pub no_evict: bool,
    pub unix: bool,
    /// Cancels the connection's task (CLIENT KILL, idle timeout); set once the task is spawned.
    pub abort: Option<AbortHandle>,
    /// The task's own state as of its last batch, for CLIENT LIST.
    pub live: LiveInfo,
}

/// What CLIENT LIST shows of a connection's task-owned state, copied by the task after each batch.
#[derive(Clone, Debug, Default)]
pub struct LiveInfo {
    /// Commands queued since MULTI (`multi=`); None outside a transaction.
    pub multi: Option<usize>,
    /// Bytes of the queued commands as Redis counts them: arguments plus a pointer each (`multi-mem=`).
    pub multi_mem: usize,
    pub qbuf: usize,
    pub qbuf_free: usize,
    /// The reply buffer's size and the most it held in the last batch (`rbs=`, `rbp=`).
    pub rbs: usize,
    pub rbp: usize,
    pub monitor: bool,
    /// Held back by CLIENT PAUSE (flag `b`, as Redis's postponed clients) or blocked by a command (WAIT).
    pub blocked: bool,
    /// Blocked with a deadline (INFO `clients_in_timeout_table`).
    pub blocked_with_timeout: bool,
}

/// CLIENT PAUSE: until when (clock ms; 0: not paused) and whether every command or only those that may write
/// wait. Waiting connections watch `changed`, which CLIENT UNPAUSE signals.
#[derive(Debug)]
pub struct Pause {
    pub until_ms: i64,
    pub all: bool,
    changed: tokio::sync::watch::Sender<()>,
}

impl Default for Pause {
    fn default() -> Self {
        Pause { until_ms: 0, all: false, changed: tokio::sync::watch::Sender::new(()) }
    }
}

impl Pause {
    pub fn active(&self, now_ms: i64) -> bool {
        self.until_ms > now_ms
    }

    /// A new pause extends the current one and may widen it from writes to all (pauseClients): neither its end
    /// nor its kind go back until it ends.
    pub fn pause(&mut self, until_ms: i64, all: bool, now_ms: i64) {
        if !self.active(now_ms) {
            self.all = false;
        }
        self.all |= all;
        self.until_ms = self.until_ms.max(until_ms);
    }

    pub fn unpause(&mut self) {
        self.until_ms = 0;
        self.all = false;
        self.changed.send_replace(());
    }

    /// Resolves on the next UNPAUSE after this call (taken under the state lock, so none is missed).
    pub fn watch(&self) -> tokio::sync::watch::Receiver<()> {
        self.changed.subscribe()
    }
}

#[derive(Debug, Default)]
pub struct ClientRegistry {
    /// By id: ids grow, so iteration is in connection order as CLIENT LIST shows.
    clients: BTreeMap<u64, ClientInfo>,
    next_id: u64,
    /// CLIENT PAUSE, shared by every connection.
    pub pause: Pause,
}

impl ClientRegistry {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    pub fn add(&mut self, info: ClientInfo) {
        self.clients.insert(info.id, info);
    }

    pub fn set_abort(&mut self, id: u64, abort: AbortHandle) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.abort = Some(abort);
        }
    }

    pub fn remove(&mut self, id: u64) {
        self.clients.remove(&id);
    }

    pub fn get(&self, id: u64) -> Option<&ClientInfo> {
        self.clients.get(&id)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut ClientInfo> {
        self.clients.get_mut(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ClientInfo> {
        self.clients.values()
    }

    /// Asks a connection to close; true if it exists.
    pub fn kill(&self, id: u64) -> bool {
        match self.clients.get(&id) {
            Some(c) => {
                if let Some(abort) = &c.abort {
                    abort.abort();
                }
                true
            }
            None => false,
        }
    }
}

/// `password_ok` against a given `requirepass` (the connection's BUSY answers use a copy kept outside the lock).
pub fn credentials_ok(requirepass: Option<&[u8]>, user: &[u8], pass: &[u8]) -> bool {
    user == b"default"
        && match requirepass {
            None => true,
            Some(expected) => constant_time_eq(expected, pass),
        }
}

/// Compares without an early exit, so the time taken does not tell how many leading bytes matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_only_widens_and_lengthens_until_it_ends() {
        let mut p = Pause::default();
        assert!(!p.active(0));
        p.pause(500, false, 0);
        p.pause(100, true, 50);
        assert!(p.active(400) && p.all && p.until_ms == 500, "ALL until the later end");
        // Once over, a new pause starts from scratch.
        p.pause(900, false, 600);
        assert!(!p.all && p.active(800));
        let unpaused = p.watch();
        p.unpause();
        assert!(!p.active(800));
        assert!(unpaused.has_changed().unwrap_or(false), "waiters are told");
    }

    #[test]
    fn reply_skip_drops_only_the_next_command() {
        let mut r = ReplyMode { skip_next: true, ..ReplyMode::default() };
        assert!(!r.suppressed(), "CLIENT REPLY SKIP itself");
        r.command_done();
        assert!(r.suppressed(), "the next command");
        r.command_done();
        assert!(!r.suppressed());
    }
}
