//! One client connection: read what has arrived, run every complete command in it under one lock, answer
//! them all with one write. Protocol errors are answered, then the connection closes; nothing a client sends
//! can make the server allocate more than it has actually received.

use super::client::{Client, ClientInfo};
use super::state::Shared;
use crate::command::dispatch;
use crate::protocol::{Limits, Next, Out, RequestParser};
use bytes::{Buf, BytesMut};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// Redis 7.0's limits for clients that have not authenticated yet: small requests only.
const UNAUTH_LIMITS: Limits = Limits { max_bulk: 16384, max_multibulk: 10 };
/// Stop executing a pipeline and flush once this much output is pending, so replies never pile up unbounded.
const OUTPUT_FLUSH_AT: usize = 1 << 20;
const READ_CHUNK: usize = 16 * 1024;

/// Where a connection comes from, for the registry and protected mode.
pub struct Peer {
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub local: bool,
    pub unix: bool,
}

/// Registers the client, serves it until it leaves or is killed, then unregisters it.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(shared: Arc<Shared>, mut stream: S, peer: Peer) {
    let kill = Arc::new(Notify::new());
    let mut client = match admit(&shared, peer, &kill) {
        Ok(client) => client,
        Err(refusal) => {
            let _ = stream.write_all(refusal).await;
            return;
        }
    };
    let id = client.id;
    let _ = run(&shared, &mut stream, &mut client, &kill).await;
    shared.state.lock().clients.remove(id);
}

/// Accepts a new client into the registry, or says why not (maxclients, protected mode).
fn admit(shared: &Shared, peer: Peer, kill: &Arc<Notify>) -> Result<Client, &'static [u8]> {
    let mut state = shared.state.lock();
    let now = shared.clock.now_ms();
    state.stats.connections_received += 1;
    if state.clients.len() >= state.config.maxclients {
        state.stats.rejected_connections += 1;
        return Err(b"-ERR max number of clients reached\r\n");
    }
    if state.config.protected_mode && state.config.requirepass.is_none() && !peer.local {
        return Err(PROTECTED_MODE_DENIED);
    }
    {
        let id = state.clients.next_id();
        let authenticated = state.config.requirepass.is_none();
        state.clients.add(ClientInfo {
            id,
            addr: peer.addr,
            laddr: peer.laddr,
            fd: peer.fd,
            name: None,
            lib_name: None,
            lib_ver: None,
            db: 0,
            created_ms: now,
            last_interaction_ms: now,
            last_cmd: "NULL",
            resp: 2,
            no_evict: false,
            unix: peer.unix,
            kill: kill.clone(),
        });
        Ok(Client::new(id, peer.local, authenticated))
    }
}

async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared,
    stream: &mut S,
    client: &mut Client,
    kill: &Notify,
) -> std::io::Result<()> {
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    let mut parser = RequestParser::new();
    let mut out = Out::new(false);
    // True while the input may still hold complete commands not yet run (a batch stopped to flush output).
    let mut pending = false;
    loop {
        if !pending {
            if input.capacity() - input.len() < READ_CHUNK / 4 {
                input.reserve(READ_CHUNK);
            }
            let n = tokio::select! {
                r = stream.read_buf(&mut input) => r?,
                _ = kill.notified() => return Ok(()),
                _ = shared.shutdown_notify.notified() => return Ok(()),
            };
            if n == 0 {
                return Ok(());
            }
            shared.state.lock().stats.net_input_bytes += n as u64;
        }
        pending = execute_batch(shared, client, &mut parser, &mut input, &mut out);
        if !out.buf.is_empty() {
            stream.write_all(&out.buf).await?;
            shared.state.lock().stats.net_output_bytes += out.buf.len() as u64;
            out.buf.clear();
            if out.buf.capacity() > 4 * OUTPUT_FLUSH_AT {
                out.buf.shrink_to(READ_CHUNK);
            }
        }
        if client.close_after_reply || shared.shutting_down() {
            return Ok(());
        }
    }
}

/// Runs every complete command in `input` under one lock. Returns true if it stopped early to flush output.
fn execute_batch(shared: &Shared, client: &mut Client, parser: &mut RequestParser, input: &mut BytesMut, out: &mut Out) -> bool {
    let mut state = shared.state.lock();
    let mut stopped_early = false;
    let limits = if client.authenticated {
        Limits { max_bulk: state.config.proto_max_bulk_len as i64, max_multibulk: i32::MAX as i64 }
    } else {
        UNAUTH_LIMITS
    };
    loop {
        match parser.parse(input, &limits) {
            Next::Command => {
                let mut argv = Vec::with_capacity(parser.argc());
                parser.argv(input, &mut argv);
                dispatch(&mut state, shared, client, &argv, out);
                if client.close_after_reply || shared.shutting_down() {
                    break;
                }
                if out.buf.len() >= OUTPUT_FLUSH_AT {
                    stopped_early = true;
                    break;
                }
            }
            Next::Incomplete => break,
            Next::Error(e) => {
                out.raw(b"-");
                out.raw(e.to_string().as_bytes());
                out.raw(b"\r\n");
                client.close_after_reply = true;
                break;
            }
        }
    }
    let consumed = parser.take_consumed();
    input.advance(consumed);
    if input.len() as u64 > state.config.client_query_buffer_limit {
        client.close_after_reply = true;
    }
    let now = shared.clock.now_ms();
    if let Some(info) = state.clients.get_mut(client.id) {
        info.db = client.db;
        info.last_cmd = client.last_cmd;
        info.last_interaction_ms = now;
        info.resp = if out.resp3 { 3 } else { 2 };
    }
    stopped_early
}

const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled \
and no password is set for the default user. In this mode connections are only accepted from the loopback \
interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: \
1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by \
connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible \
from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just \
disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', \
and then restarting the server. 3) If you started the server manually just for testing, restart it with the \
'--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to \
do one of the above things in order for the server to start accepting connections from the outside.\r\n";
