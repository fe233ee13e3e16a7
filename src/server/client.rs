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
    /// WATCHed keys: (db, key, already expired when watched).
    pub watched: Vec<(usize, crate::storage::Key, bool)>,
    /// A script's commands all see the time the script started, so a key cannot expire halfway through it
    /// (Redis's lua_time_snapshot).
    pub time_snapshot: Option<i64>,
    /// Where published messages wait for this client: created on its first subscription.
    pub mailbox: Option<std::sync::Arc<crate::pubsub::Mailbox>>,
    /// Channels + patterns + shard channels subscribed to (RESP2 allows only a few commands while non-zero).
    pub subscriptions: usize,
    /// The peer as MONITOR and the slow log show it (`127.0.0.1:5000`, `lua` for a script's commands).
    pub addr: String,
}

impl Client {
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
            watched: Vec::new(),
            time_snapshot: None,
            mailbox: None,
            subscriptions: 0,
            addr: String::new(),
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
}

#[derive(Debug, Default)]
pub struct ClientRegistry {
    /// By id: ids grow, so iteration is in connection order as CLIENT LIST shows.
    clients: BTreeMap<u64, ClientInfo>,
    next_id: u64,
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
