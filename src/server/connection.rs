//! One client connection: read what has arrived, run every complete command in it under one lock, answer
//! them all with one write. Protocol errors are answered, then the connection closes; nothing a client sends
//! can make the server allocate more than it has actually received.

use crate::engine::client::{Client, ClientInfo, LiveInfo};
use crate::engine::dispatch::{dispatch, lookup, resume};
use crate::engine::flags;
use crate::engine::state::{Shared, State};
use crate::engine::table::Names;
use crate::log::Logger;
use crate::protocol::{Limits, Next, Out, RequestParser};
use crate::pubsub::Mailbox;
use crate::scripting::ScriptId;
use bytes::{Buf, BytesMut};
use std::sync::Arc;
use tokio::io::{AsyncWrite, AsyncWriteExt, Interest};

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

/// A client socket: TCP or unix.
///
/// `clear_read_readiness` exists for one optimisation, valid because each server runs on a current-thread
/// runtime: after a read that returned less than it asked for, the kernel buffer was empty, so the next read
/// would only fail with EAGAIN. Clearing tokio's cached readiness instead saves that syscall per request (Redis
/// also reads once per readable event). Data arriving later raises a new edge-triggered event, which the I/O
/// driver can only collect after this task yields, so no wakeup is lost.
pub trait ClientStream: AsyncWrite + Unpin + Send + Sync + 'static {
    fn readable(&self) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
    fn try_read_buf(&self, buf: &mut BytesMut) -> std::io::Result<usize>;
    fn clear_read_readiness(&self);
}

macro_rules! client_stream {
    ($t:ty) => {
        impl ClientStream for $t {
            fn readable(&self) -> impl std::future::Future<Output = std::io::Result<()>> + Send {
                <$t>::readable(self)
            }
            fn try_read_buf(&self, buf: &mut BytesMut) -> std::io::Result<usize> {
                <$t>::try_read_buf(self, buf)
            }
            fn clear_read_readiness(&self) {
                let _ = self.try_io(Interest::READABLE, || Err::<(), _>(std::io::ErrorKind::WouldBlock.into()));
            }
        }
    };
}
client_stream!(tokio::net::TcpStream);
client_stream!(tokio::net::UnixStream);

/// Accepts a new client into the registry, or says why not (maxclients, protected mode).
pub fn admit(shared: &Shared, peer: Peer) -> Result<Client, &'static [u8]> {
    let mut state = shared.state.lock();
    let now = shared.clock.now_ms();
    state.stats.connections_received += 1;
    if state.clients.len() >= state.config.maxclients {
        state.stats.rejected_connections += 1;
        return Err(crate::error::MAX_CLIENTS);
    }
    if state.config.protected_mode && state.config.requirepass.is_none() && !peer.local {
        return Err(crate::error::PROTECTED_MODE_DENIED);
    }
    let id = state.clients.next_id();
    let authenticated = state.config.requirepass.is_none();
    let peer_addr = peer.addr.clone();
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
        abort: None,
        live: Default::default(),
    });
    let mut client = Client::new(id, peer.local, authenticated);
    client.addr = peer_addr;
    Ok(client)
}

/// Removes the client from the registry however its task ends (closed, killed by abort, server shutdown).
struct Registration {
    shared: Arc<Shared>,
    id: u64,
}

fn unregister(shared: &Shared, id: u64) {
    let mut state = shared.state.lock();
    state.clients.remove(id);
    state.pubsub.remove_client(id);
    state.observe.monitors.retain(|(monitor, _)| *monitor != id);
    for db in &mut state.dbs {
        db.unwatch_all(id);
    }
    state.unblock_from_keys(id);
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Never block the event loop on the lock a running script holds: clean up once it is done.
        if self.shared.script.running() {
            let (shared, id) = (self.shared.clone(), self.id);
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    shared.script.idle().await;
                    unregister(&shared, id);
                });
                return;
            }
        }
        unregister(&self.shared, self.id);
    }
}

/// Serves an admitted client until it leaves, is killed (its task aborted) or the server stops. `input`: what
/// it sent before it was admitted (see `serve_before_admission`).
pub async fn serve<S: ClientStream>(shared: Arc<Shared>, mut stream: S, mut client: Client, input: BytesMut) {
    let _registration = Registration { shared: shared.clone(), id: client.id };
    let _ = run(&shared, &mut stream, &mut client, input).await;
}

/// The query buffer limit of a client not yet admitted (`client-query-buffer-limit`'s default: the setting
/// itself is behind the lock the script holds).
const UNADMITTED_QUERY_LIMIT: u64 = 1 << 30;

/// A client connecting while a script holds the data (and the configuration admission reads): it is answered
/// as a busy Redis answers (BUSY; SCRIPT KILL, SHUTDOWN NOSAVE and QUIT work, NOAUTH where a password is
/// required) until the script ends. Returns what it sent since, to be served once admitted, and whether it
/// authenticated meanwhile; None if it left.
pub async fn serve_before_admission<S: ClientStream>(
    shared: &Shared,
    stream: &mut S,
    local: bool,
) -> Option<(BytesMut, bool)> {
    let mut client = Client::new(0, local, shared.requirepass().is_none());
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    let mut parser = RequestParser::new();
    let mut out = Out::new(false);
    while shared.script.running() {
        if shared.script.busy(crate::storage::clock::wall_ms()) {
            busy_batch(shared, &mut client, &mut parser, &mut input, &mut out);
            if stream.write_all(&out.buf).await.is_err() || client.close_after_reply {
                return None;
            }
            out.buf.clear();
            tokio::select! {
                ready = stream.readable() => ready.ok()?,
                () = shared.script.idle() => break,
            }
        } else {
            // Young: what the client sends waits, as in Redis, until the script ends or turns busy.
            tokio::select! {
                () = shared.script.idle_or_busy() => continue,
                ready = stream.readable() => ready.ok()?,
            }
        }
        if input.capacity() - input.len() < READ_CHUNK / 4 {
            input.reserve(READ_CHUNK);
        }
        match stream.try_read_buf(&mut input) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return None,
        }
        if input.len() as u64 > UNADMITTED_QUERY_LIMIT {
            return None;
        }
    }
    // The parser's position is not carried over: give it back only complete, unanswered commands and the rest.
    let consumed = parser.take_consumed();
    input.advance(consumed);
    Some((input, client.authenticated))
}

/// How a batch ended.
enum Batch {
    /// Everything complete in the input ran.
    Done,
    /// Output reached the flush size: write, then continue with the rest of the input.
    Flush,
    /// The next command must run off the event loop (a script): its SHA1 and arguments.
    /// (EXEC of a transaction that runs a script has no script id of its own.)
    Offload(Option<ScriptId>, Vec<Vec<u8>>),
    /// The script of the last command was suspended on the event loop (`Client::suspended`): it goes on off it,
    /// already marked running.
    Resume(ScriptId, Vec<Vec<u8>>),
    /// A script holds the data and is not yet BUSY: wait for it to end or turn BUSY, then run the batch.
    WaitForScript,
    /// CLIENT PAUSE holds the next command (left unread): wait until the pause ends (its deadline, clock ms, or
    /// an UNPAUSE), then run the batch.
    Paused(i64, tokio::sync::watch::Receiver<()>),
    /// The last command blocked the client (`Client::blocked`): answer it once unblocked, then go on.
    Blocked,
}

/// What a job off the event loop does.
enum Job {
    /// Runs an OFFLOAD command (a script: its id, to time it).
    Run(Option<ScriptId>),
    /// Goes on with the command whose script was suspended on the event loop (already marked running).
    Resume(ScriptId),
}

/// Runs a command on a blocking thread with the state lock, while the event loop serves others.
async fn offload(
    shared: &Arc<Shared>,
    client: &mut Client,
    out: &mut Out,
    job: Job,
    argv: Vec<Vec<u8>>,
) -> std::io::Result<Option<u64>> {
    if let Job::Run(_) = job {
        // One script at a time: wait for any other to finish before announcing this one.
        shared.script.idle().await;
        let threshold = shared.state.lock().config.busy_reply_threshold;
        shared.script.begin(crate::storage::clock::wall_ms(), threshold);
    }
    let job_shared = shared.clone();
    let mut job_client = std::mem::replace(client, Client::new(0, false, false));
    // The reply starts after those of the batch's earlier commands, already in `out`.
    let start = out.buf.len();
    let mut job_out = std::mem::take(out);
    let task = tokio::task::spawn_blocking(move || {
        let persist_to = {
            let _turn = job_shared.script.turn();
            let mut state = job_shared.state.lock();
            let args: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
            let started = std::time::Instant::now();
            let sha = match job {
                Job::Run(sha) => {
                    dispatch(&mut state, &job_shared, &mut job_client, &args, &mut job_out);
                    sha
                }
                Job::Resume(sha) => {
                    // Off the event loop the hook never yields: one resumption finishes it.
                    resume(&mut state, &job_shared, &mut job_client, &args, &mut job_out);
                    Some(sha)
                }
            };
            if let Some(sha) = sha {
                job_shared.script.record(sha, started.elapsed());
            }
            state.effects.publish()
        };
        job_shared.script.end();
        (job_client, job_out, persist_to)
    });
    let (c, o, persist_to) = task.await.map_err(std::io::Error::other)?;
    *client = c;
    *out = o;
    settle_reply(client, out, start);
    Ok(persist_to)
}

async fn run<S: ClientStream>(
    shared: &Arc<Shared>,
    stream: &mut S,
    client: &mut Client,
    mut input: BytesMut,
) -> std::io::Result<()> {
    if input.capacity() < READ_CHUNK {
        input.reserve(READ_CHUNK);
    }
    let mut parser = RequestParser::new();
    let mut out = Out::new(false);
    // True while the input may still hold complete commands not yet run (a batch stopped to flush output, to
    // offload a script, or to wait for one; commands sent before admission).
    let mut pending = !input.is_empty();
    let mut written = 0;
    loop {
        let mut read = 0;
        if !pending {
            if input.capacity() - input.len() < READ_CHUNK / 4 {
                input.reserve(READ_CHUNK);
            }
            if let Some(mailbox) = client.mailbox.clone() {
                // A subscriber also wakes for the messages published to it.
                if mailbox.take_into(&mut out.buf) > 0 {
                    flush(stream, &mut out, Some(&mailbox), (&shared.log, client.id)).await?;
                    continue;
                }
                tokio::select! {
                    biased;
                    ready = stream.readable() => ready?,
                    () = mailbox.woken() => {
                        if mailbox.is_closed() {
                            return Err(closed_for_limits(&shared.log, client.id));
                        }
                        continue;
                    }
                }
            } else {
                stream.readable().await?;
            }
            let spare = input.capacity() - input.len();
            match stream.try_read_buf(&mut input) {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    read = n;
                    if n < spare {
                        stream.clear_read_readiness();
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
        let io = (read, written);
        let mut persist_to = None;
        let mut paused = None;
        pending = match execute_batch(shared, client, &mut parser, &mut input, &mut out, io, &mut persist_to) {
            Batch::Done => false,
            Batch::Flush => true,
            Batch::Offload(sha, argv) => {
                persist_to = persist_to.max(offload(shared, client, &mut out, Job::Run(sha), argv).await?);
                true
            }
            Batch::Resume(sha, argv) => {
                persist_to = persist_to.max(offload(shared, client, &mut out, Job::Resume(sha), argv).await?);
                true
            }
            Batch::WaitForScript => {
                shared.script.idle_or_busy().await;
                true
            }
            Batch::Paused(until_ms, unpaused) => {
                paused = Some((until_ms, unpaused));
                true
            }
            Batch::Blocked => true,
        };
        if let Some(offset) = persist_to {
            shared.aof.persisted(offset).await;
        }
        if shared.crashed() {
            // A crashed server answers nothing more (the test kit's `crash`, `DEBUG CRASH`).
            return Ok(());
        }
        written = out.buf.len();
        flush(stream, &mut out, client.mailbox.as_deref(), (&shared.log, client.id)).await?;
        if client.close_after_reply || shared.shutting_down() {
            return Ok(());
        }
        if let Some((until_ms, unpaused)) = paused {
            // Held by CLIENT PAUSE: what ran before the held command is answered above.
            wait_for_unpause(shared, until_ms, unpaused).await;
        }
        if let Some(blocked) = client.blocked.take() {
            // What ran before the blocking command is answered above; what follows it waits (read, not run).
            if !wait_while_blocked(shared, stream, &mut input, &blocked).await? {
                return Ok(());
            }
            if !client.reply.suppressed() {
                out.raw(blocked.timeout_reply);
            }
        }
    }
}

/// Waits out a blocked command: until its deadline on the server clock (checked at least every 100 ms, so the
/// test kit's clock moves count), or a shutdown. Input arriving meanwhile is kept for afterwards. False when
/// the client disconnected or the server is stopping.
async fn wait_while_blocked<S: ClientStream>(
    shared: &Shared,
    stream: &mut S,
    input: &mut BytesMut,
    blocked: &crate::engine::client::Blocked,
) -> std::io::Result<bool> {
    const RECHECK_MS: i64 = 100;
    loop {
        let wait = match blocked.deadline_ms {
            Some(deadline) => deadline.saturating_sub(shared.clock.now_ms()),
            None => RECHECK_MS,
        };
        if wait <= 0 {
            return Ok(true);
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(wait.min(RECHECK_MS) as u64)) => {}
            () = shared.stopped() => return Ok(false),
            ready = stream.readable() => {
                ready?;
                if input.capacity() - input.len() < READ_CHUNK / 4 {
                    input.reserve(READ_CHUNK);
                }
                match stream.try_read_buf(input) {
                    Ok(0) => return Ok(false),
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

/// Until CLIENT PAUSE's deadline (clock ms), an UNPAUSE or a shutdown; the batch then checks again.
async fn wait_for_unpause(shared: &Shared, until_ms: i64, mut unpaused: tokio::sync::watch::Receiver<()>) {
    let wait = until_ms.saturating_sub(shared.clock.now_ms()).max(0) as u64;
    tokio::select! {
        () = tokio::time::sleep(std::time::Duration::from_millis(wait)) => {}
        _ = unpaused.changed() => {}
        () = shared.stopped() => {}
    }
}

/// Writes `out` to the socket. A subscriber's write gives way when its mailbox closes (it overran its output
/// buffer limit, typically while its socket was full because it does not read): the connection then ends.
async fn flush<S: ClientStream>(
    stream: &mut S,
    out: &mut Out,
    mailbox: Option<&Mailbox>,
    (log, id): (&Logger, u64),
) -> std::io::Result<()> {
    if out.buf.is_empty() {
        return Ok(());
    }
    match mailbox {
        None => stream.write_all(&out.buf).await?,
        Some(mailbox) => {
            let mut at = 0;
            while at < out.buf.len() {
                tokio::select! {
                    biased;
                    n = stream.write(&out.buf[at..]) => {
                        let n = n?;
                        if n == 0 {
                            return Err(std::io::ErrorKind::WriteZero.into());
                        }
                        at += n;
                        mailbox.sent(n);
                    }
                    () = mailbox.woken() => {
                        if mailbox.is_closed() {
                            return Err(closed_for_limits(log, id));
                        }
                    }
                }
            }
        }
    }
    out.buf.clear();
    if out.buf.capacity() > 4 * OUTPUT_FLUSH_AT {
        out.buf.shrink_to(READ_CHUNK);
    }
    Ok(())
}

/// Logs the end of a subscriber that overran `client-output-buffer-limit pubsub`, as Redis does.
fn closed_for_limits(log: &Logger, id: u64) -> std::io::Error {
    log.warning(&format!("Client id={id} closed for overcoming of output buffer limits."));
    std::io::Error::other("output buffer limit reached")
}

/// Where a command runs (see script_gate.rs).
enum Placement {
    /// On the event loop, like any command.
    Here,
    /// A quick script: on the event loop, timed.
    QuickScript(ScriptId),
    /// On a blocking thread, timed.
    Offload(Option<ScriptId>),
}

/// Scripts (not inside MULTI: EXEC runs its queue in one go) run on the event loop unless their last run was
/// slow (one that turns slow there is suspended and goes on off it). EVAL is known by its body's SHA1, EVALSHA by
/// its argument.
fn placement(shared: &Shared, names: &Names, client: &Client, argv: &[&[u8]]) -> Placement {
    if let Some(queue) = &client.multi {
        // EXEC of a transaction that runs a script runs where a slow script does: others get BUSY meanwhile and
        // SCRIPT KILL reaches the script (its error is then its reply in EXEC's array).
        let runs_script = client.multi_flags & flags::OFFLOAD != 0 && !client.multi_aborted && !queue.is_empty();
        let exec = runs_script && lookup(names, argv).is_ok_and(|cmd| cmd.name == "exec" && cmd.arity_ok(argv.len()));
        return if exec { Placement::Offload(None) } else { Placement::Here };
    }
    // Every script command starts with `eval` (unless renamed): the common case skips the table lookup.
    let maybe_script =
        names.renamed() || argv.first().is_some_and(|name| name.len() >= 4 && name[..4].eq_ignore_ascii_case(b"eval"));
    if !maybe_script {
        return Placement::Here;
    }
    let cmd = match lookup(names, argv) {
        Ok(cmd) if cmd.has(flags::OFFLOAD) => cmd,
        _ => return Placement::Here,
    };
    let Some(arg) = argv.get(1) else { return Placement::Here };
    let id = if cmd.name.starts_with("evalsha") {
        // Not a script id: EVALSHA answers NOSCRIPT at once.
        let Some(id) = ScriptId::parse(arg) else { return Placement::Here };
        id
    } else {
        ScriptId::of_body(arg)
    };
    // A script runs on the event loop, unless its last run was slow: one that turns slow there goes on off it.
    if shared.script.is_slow(&id) {
        Placement::Offload(Some(id))
    } else {
        Placement::QuickScript(id)
    }
}

/// While a script is past the busy threshold: every command gets BUSY without touching the data, except the
/// ones that end the wait (SCRIPT KILL, SHUTDOWN NOSAVE), AUTH and QUIT. A client that has not authenticated
/// gets NOAUTH, as Redis checks authentication first.
fn busy_batch(shared: &Shared, client: &mut Client, parser: &mut RequestParser, input: &mut BytesMut, out: &mut Out) {
    let limits = Limits { max_bulk: i64::MAX, unauthenticated: !client.authenticated };
    while parser.parse(input, &limits) == Next::Command {
        parser.with_argv(input, |argv| busy_command(shared, client, argv, out));
        if client.close_after_reply {
            break;
        }
    }
    let consumed = parser.take_consumed();
    input.advance(consumed);
}

/// One command while a script holds the data, through processCommand's gates in Redis's order (the names after
/// `rename-command`, arity, authentication, `allow-busy`), decided by the row found, never by the name sent.
/// Only what needs no data runs: QUIT, AUTH, SCRIPT KILL, SHUTDOWN NOSAVE and the transaction's own
/// bookkeeping (MULTI, DISCARD, UNWATCH, queuing); a refused command dooms the transaction, and a refused EXEC
/// aborts it, so a transaction is never run half-way around a busy script.
fn busy_command(shared: &Shared, client: &mut Client, argv: &[&[u8]], out: &mut Out) {
    use crate::engine::flags;
    use crate::error::{self, CmdError};
    let refuse = crate::engine::dispatch::reject;
    let cmd = match crate::engine::dispatch::lookup(&shared.commands, argv) {
        Ok(cmd) => cmd,
        Err(e) => return refuse(client, out, &e),
    };
    if !cmd.arity_ok(argv.len()) {
        return refuse(client, out, &CmdError::WrongArity(crate::engine::table::full_name(cmd).to_string()));
    }
    if cmd.name == "auth" {
        return busy_auth(shared, client, argv, out);
    }
    if !client.authenticated && shared.requirepass().is_none() {
        client.authenticated = true;
    }
    if !client.authenticated && !cmd.has(flags::NO_AUTH) {
        return refuse(client, out, &CmdError::NoAuth);
    }
    if !client.authenticated && cmd.name == "hello" {
        // HELLO's own check comes first in Redis (HELLO ... AUTH during BUSY is not supported here).
        return out.error(&CmdError::HelloNoAuth);
    }
    let exec = cmd.name == "exec";
    if !cmd.has(flags::ALLOW_BUSY) {
        if exec {
            // Redis's execCommandAbort; the watches go at the next batch, which holds the data.
            client.multi = None;
            client.multi_aborted = false;
            client.unwatch_deferred = true;
            return out.error(&CmdError::ExecAbortedBy(Box::new(error::BUSY_SCRIPT)));
        }
        return refuse(client, out, &error::BUSY_SCRIPT);
    }
    let in_multi = client.multi.is_some();
    match cmd.name {
        "quit" => {
            out.ok();
            client.close_after_reply = true;
        }
        "multi" if in_multi => out.error(&error::MULTI_NESTED),
        "multi" => {
            client.multi = Some(Vec::new());
            client.multi_aborted = false;
            client.multi_flags = 0;
            out.ok();
        }
        "discard" if !in_multi => out.error(&error::DISCARD_WITHOUT_MULTI),
        "discard" => {
            client.multi = None;
            client.multi_aborted = false;
            client.unwatch_deferred = true;
            out.ok();
        }
        // Queued as any command inside MULTI (only EXEC, DISCARD, MULTI, WATCH, QUIT and RESET run at once).
        name if in_multi && !matches!(name, "watch" | "reset") => {
            if let Some(queue) = &mut client.multi {
                queue.push(argv.iter().map(|a| a.to_vec()).collect());
                client.multi_flags |= cmd.flags;
            }
            out.raw(b"+QUEUED\r\n");
        }
        "unwatch" => {
            client.unwatch_deferred = true;
            out.ok();
        }
        "script|kill" => {
            if shared.script.wrote() {
                out.error(&error::SCRIPT_UNKILLABLE);
            } else {
                shared.script.request_kill();
                out.ok();
            }
        }
        "shutdown" if argv[1..].iter().any(|a| a.eq_ignore_ascii_case(b"nosave")) => {
            client.close_after_reply = true;
            shared.request_shutdown();
        }
        // WATCH, RESET and HELLO need the data: refused until the script ends (Redis serves them meanwhile).
        _ => out.error(&error::BUSY_SCRIPT),
    }
}

/// AUTH while a script holds the data (Redis allows it while busy), against the copy of `requirepass`.
fn busy_auth(shared: &Shared, client: &mut Client, argv: &[&[u8]], out: &mut Out) {
    use crate::error::CmdError;
    let requirepass = shared.requirepass();
    let (user, pass) = match argv {
        [_, _] if requirepass.is_none() => return out.error(&CmdError::AuthNotConfigured),
        [_, pass] => (&b"default"[..], *pass),
        [_, user, pass] => (*user, *pass),
        _ => return out.error(&CmdError::Syntax),
    };
    if crate::engine::client::credentials_ok(requirepass.as_deref(), user, pass) {
        client.authenticated = true;
        out.ok();
    } else {
        out.error(&CmdError::WrongPass);
    }
}

/// Runs every complete command in `input` under one lock, up to a flush point or a command to offload.
///
/// `io` is (bytes just read, bytes written after the previous batch), counted here to take the lock once.
fn execute_batch(
    shared: &Shared,
    client: &mut Client,
    parser: &mut RequestParser,
    input: &mut BytesMut,
    out: &mut Out,
    io: (usize, usize),
    persist_to: &mut Option<u64>,
) -> Batch {
    if shared.script.running() {
        if shared.script.busy(crate::storage::clock::wall_ms()) {
            busy_batch(shared, client, parser, input, out);
            return Batch::Done;
        }
        return Batch::WaitForScript;
    }
    let mut state = shared.state.lock();
    if shared.shutting_down() {
        // The final snapshot is taken: nothing more runs (Redis exits right after it), so nothing is
        // acknowledged that the files do not hold.
        return Batch::Done;
    }
    if std::mem::take(&mut client.unwatch_deferred) {
        client.unwatch_all(&mut state.dbs);
    }
    if let Some(mailbox) = &client.mailbox {
        // Messages published before this batch ran come before its replies, as in Redis's one reply buffer.
        mailbox.take_into(&mut out.buf);
    }
    state.stats.net_input_bytes += io.0 as u64;
    state.stats.net_output_bytes += io.1 as u64;
    let mut end = Batch::Done;
    let max_bulk = state.config.proto_max_bulk_len.min(i64::MAX as u64) as i64;
    // CLIENT LIST shows the query buffer as the batch found it (Redis trims it once all is processed).
    client.query_buf = (input.len(), input.capacity() - input.len());
    loop {
        // Per command: an AUTH earlier in the same pipeline lifts the limits for what follows it.
        let limits = Limits { max_bulk, unauthenticated: !client.authenticated };
        match parser.parse(input, &limits) {
            Next::Command => {
                let stop = parser.with_argv(input, |argv| {
                    if let Some(paused) = held_by_pause(&mut state, shared, client, argv) {
                        return Some(paused);
                    }
                    match placement(shared, &state.commands, client, argv) {
                        Placement::Here => {
                            let start = out.buf.len();
                            dispatch(&mut state, shared, client, argv, out);
                            settle_reply(client, out, start);
                            client.blocked.is_some().then_some(Batch::Blocked)
                        }
                        Placement::QuickScript(sha) => {
                            let start = out.buf.len();
                            let started = std::time::Instant::now();
                            let threshold = state.config.busy_reply_threshold;
                            shared.script.begin_inline(crate::storage::clock::wall_ms(), threshold);
                            dispatch(&mut state, shared, client, argv, out);
                            if client.suspended.is_some() {
                                // It turned slow: it goes on off the event loop, from where it stopped. Others
                                // wait for it from now on (its execution unit stays open: nothing of the batch
                                // goes to the AOF until it ends).
                                shared.script.continue_off_loop(threshold);
                                shared.script.end_inline();
                                let argv = argv.iter().map(|a| a.to_vec()).collect();
                                return Some(Batch::Resume(sha, argv));
                            }
                            let moved = shared.script.end_inline();
                            shared.script.record(sha, started.elapsed());
                            if std::mem::take(&mut client.moved_off_event_loop) && moved {
                                // It turned slow before doing anything it cannot do twice: again, off the loop.
                                out.buf.truncate(start);
                                return Some(Batch::Offload(Some(sha), argv.iter().map(|a| a.to_vec()).collect()));
                            }
                            settle_reply(client, out, start);
                            None
                        }
                        Placement::Offload(sha) => Some(Batch::Offload(sha, argv.iter().map(|a| a.to_vec()).collect())),
                    }
                });
                if let Some(stop) = stop {
                    if matches!(stop, Batch::Paused(..)) {
                        // Run it once the pause ends: the rest of the pipeline waits behind it.
                        parser.unread();
                    }
                    end = stop;
                    break;
                }
                if client.close_after_reply || shared.shutting_down() {
                    break;
                }
                if out.buf.len() >= OUTPUT_FLUSH_AT {
                    end = Batch::Flush;
                    break;
                }
            }
            Next::Incomplete => break,
            Next::Error(e) => {
                out.raw(b"-");
                e.write_to(&mut out.buf);
                out.raw(b"\r\n");
                client.close_after_reply = true;
                break;
            }
        }
    }
    // What the batch changed goes to the AOF; its replies wait until the policy's promise holds. (A suspended
    // script's unit is still open: everything waits for the job that finishes it.)
    if client.suspended.is_none() {
        *persist_to = state.effects.publish();
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
        info.live = LiveInfo {
            multi: client.multi.as_ref().map(Vec::len),
            multi_mem: client.multi_mem(),
            qbuf: input.len(),
            qbuf_free: input.capacity() - input.len(),
            rbs: out.buf.capacity(),
            rbp: out.buf.len(),
            monitor: client.monitor,
            blocked: matches!(end, Batch::Paused(..) | Batch::Blocked),
            blocked_with_timeout: client.blocked.as_ref().is_some_and(|b| b.deadline_ms.is_some()),
        };
    }
    end
}

/// CLIENT PAUSE: while a pause lasts, whether it holds this command back (`engine::dispatch::pause_holds`), and
/// then what the connection waits for.
fn held_by_pause(state: &mut State, shared: &Shared, client: &Client, argv: &[&[u8]]) -> Option<Batch> {
    let pause = &mut state.clients.pause;
    if pause.until_ms == 0 {
        return None;
    }
    if !pause.active(shared.clock.now_ms()) {
        // Over: the next commands need not read the clock.
        pause.until_ms = 0;
        return None;
    }
    let until = pause.until_ms;
    crate::engine::dispatch::pause_holds(state, client, argv).then(|| Batch::Paused(until, state.clients.pause.watch()))
}

/// After each command: CLIENT REPLY OFF / SKIP drop its reply. What it published to its own client (a RESP3
/// client's PUBLISH, keyspace events) goes before its reply, as Redis delivers it; a monitor's line for its own
/// command comes after the reply (Redis feeds monitors once a command ran) and is dropped with it.
fn settle_reply(client: &mut Client, out: &mut Out, start: usize) {
    // (Un)subscription confirmations are pushed as messages are in Redis (CLIENT_PUSHING): never dropped.
    let confirmation = || {
        let reply = &out.buf[start..];
        client.last_cmd.ends_with("subscribe") && !reply.starts_with(b"-") && !reply.starts_with(b"+QUEUED")
    };
    let dropped = client.reply.suppressed() && !confirmation();
    if dropped {
        out.buf.truncate(start);
    }
    if let Some(mailbox) = &client.mailbox {
        if !client.monitor {
            mailbox.take_at(&mut out.buf, start);
        } else if dropped {
            let mut lines = Vec::new();
            let n = mailbox.take_into(&mut lines);
            mailbox.sent(n);
        } else {
            mailbox.take_into(&mut out.buf);
        }
    }
    client.reply.command_done();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LogLevel};
    use crate::engine::state::State;
    use crate::log::Logger;

    fn shared(config: Config) -> Shared {
        Shared::new(
            State::new(config, crate::engine::table::Names::new(crate::cmd::FAMILIES), 0),
            Logger::new(LogLevel::Nothing, "").expect("stdout logger"),
            Default::default(),
        )
    }

    fn peer(local: bool) -> Peer {
        Peer { addr: "10.0.0.7:5000".into(), laddr: "10.0.0.1:6379".into(), fd: 9, local, unix: false }
    }

    #[test]
    fn protected_mode_denies_remote_clients_without_a_password() {
        let s = shared(Config::default());
        assert_eq!(admit(&s, peer(false)).err(), Some(crate::error::PROTECTED_MODE_DENIED));
        assert!(admit(&s, peer(true)).is_ok());
        let s = shared(Config { requirepass: Some(b"pw".to_vec()), ..Config::default() });
        assert!(admit(&s, peer(false)).is_ok(), "a password lifts protected mode");
        let s = shared(Config { protected_mode: false, ..Config::default() });
        assert!(admit(&s, peer(false)).is_ok());
    }

    #[test]
    fn maxclients_counts_registered_clients() {
        let s = shared(Config { maxclients: 1, ..Config::default() });
        assert!(admit(&s, peer(true)).is_ok());
        assert_eq!(admit(&s, peer(true)).err(), Some(&b"-ERR max number of clients reached\r\n"[..]));
        assert_eq!(s.state.lock().stats.rejected_connections, 1);
    }
}
