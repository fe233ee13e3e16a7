//! Differential tests: each script runs line by line against the real redis-server (the oracle) and against
//! embedis, and every reply must match byte for byte (or by the rule a line's marker selects; see
//! `script.rs` for the syntax).
//!
//! Each test starts its own pair of servers, so scripts share no state. Setting
//! `EMBEDIS_DIFF_TARGET=redis-server` replaces embedis with a second redis-server: every script must pass
//! that way, which is how lines whose replies vary between runs are found (and given a marker).
//! `DIFF_TRANSCRIPT=1` (with `cargo test -- --nocapture`) prints each script's transcript even when it passes.

/// The oracle itself: without redis-server 7.0 and redis-benchmark every differential test passes without
/// comparing anything (each says so on stderr, which cargo hides), so this one fails, by name, in the summary.
#[test]
fn redis_server_7_0_and_redis_tools_are_installed_for_the_differential_tests() {
    let version = |binary: &str| {
        std::process::Command::new(binary)
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let install = "install them (Debian: apt-get install redis-server redis-tools) to run the differential tests";
    let server = version("redis-server").unwrap_or_else(|| panic!("redis-server is not installed: {install}"));
    assert!(server.contains("v=7.0."), "the differential tests need redis-server 7.0, found: {server}");
    for tool in ["redis-cli", "redis-benchmark"] {
        assert!(version(tool).is_some(), "{tool} is not installed: {install}");
    }
}

mod reply;
mod script;

mod aof;
mod clients;
mod command_fuzz;
mod config_debug;
mod connection;
mod diagnostics;
mod events_generic;
mod events_types;
mod hash;
mod keyspace;
mod keyspace_dump;
mod keyspace_events;
mod list;
mod memory;
mod migrate;
mod protocol;
mod protocol_fuzz;
mod pubsub;
mod rdb;
mod rdb_legacy;
mod restart_equivalence;
mod sandbox;
mod scripting;
mod scripting_libs;
mod scripting_struct_msgpack;
mod self_test;
mod server;
mod set;
mod sorted_set;
mod strings;
mod transactions;

use crate::support::{self, Conn, EmbedisServer, ReadError, RedisServer, ServerOptions};
use reply::compared_form;
use script::{Action, Line};
use std::net::SocketAddr;
use std::time::Duration;

/// How long a `!raw` line waits for more replies before deciding the server has nothing more to say.
const RAW_QUIET: Duration = Duration::from_millis(300);

/// Longest reply shown in a report, so one huge value does not bury the rest.
const SHOWN_REPLY_LEN: usize = 400;

/// Runs `script` against a fresh redis-server and a fresh embedis; panics with a report on any difference.
pub fn diff_script(name: &str, script: &str) {
    diff_script_with(name, &ServerOptions::default(), script);
}

/// The same, on a connection switched to RESP3 by a `HELLO 3` first.
pub fn diff_resp3_script(name: &str, script: &str) {
    // On the script's first line, which is blank in a raw string, so line numbers stay those of the text.
    let separator = if script.starts_with('\n') { "" } else { "\n" };
    let script = format!("~ HELLO 3{separator}{script}");
    run(name, &ServerOptions::default(), &script);
}

/// The same, with both servers started with `options` (e.g. a password: the script's connection then starts
/// unauthenticated).
pub fn diff_script_with(name: &str, options: &ServerOptions, script: &str) {
    run(name, options, script);
}

/// Runs `script` while a second connection to each server listens to every channel (`PSUBSCRIBE *`): after
/// each line, the messages that line caused (keyspace events, PUBLISH) are compared too, in order.
pub fn diff_events(name: &str, script: &str) {
    let options = ServerOptions::default();
    run_checked(name, &options, script, true);
}

fn run(name: &str, options: &ServerOptions, script: &str) {
    run_checked(name, options, script, false);
}

fn run_checked(name: &str, options: &ServerOptions, script: &str, events: bool) {
    let Some(oracle) = RedisServer::start_with(options) else {
        return;
    };
    let target = Target::start(options);
    let oracle_side = Side { label: "redis-server", addr: oracle.addr() };
    let target_side = Side { label: target.label(), addr: target.addr() };
    let result = if events {
        compare(
            &oracle_side,
            &target_side,
            name,
            script,
            || Session::with_events(oracle_side.addr, options),
            || Session::with_events(target_side.addr, options),
        )
    } else {
        diff_script_between(&oracle_side, &target_side, options, name, script)
    };
    if let Err(report) = result {
        panic!("{report}");
    }
}

/// The server the scripts are checked against.
pub(super) enum Target {
    Embedis(EmbedisServer),
    Redis(RedisServer),
}

impl Target {
    fn start(options: &ServerOptions) -> Target {
        Target::start_with_args(options, &[])
    }

    /// The target started with extra configuration (the AOF tests turn the AOF on).
    fn start_with_args(options: &ServerOptions, args: &[(&str, &str)]) -> Target {
        if std::env::var("EMBEDIS_DIFF_TARGET").as_deref() == Ok("redis-server") {
            return Target::Redis(RedisServer::start_with_args(options, args).expect("redis-server is installed"));
        }
        Target::Embedis(support::start_embedis_with_args(options, args))
    }

    fn label(&self) -> &'static str {
        match self {
            Target::Embedis(_) => "embedis",
            Target::Redis(_) => "redis-server#2",
        }
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Target::Embedis(server) => server.addr(),
            Target::Redis(server) => server.addr(),
        }
    }
}

/// One server taking part in a comparison.
pub struct Side {
    pub label: &'static str,
    pub addr: SocketAddr,
}

/// The core, usable against servers at any address: empties both servers, runs the script on a fresh
/// connection to each, and returns the report of the differences.
pub fn diff_script_between(
    oracle: &Side,
    target: &Side,
    options: &ServerOptions,
    name: &str,
    script: &str,
) -> Result<(), String> {
    compare(oracle, target, name, script, || Session::new(oracle.addr, options), || Session::new(target.addr, options))
}

fn compare(
    oracle: &Side,
    target: &Side,
    name: &str,
    script: &str,
    oracle_session: impl FnOnce() -> Session,
    target_session: impl FnOnce() -> Session,
) -> Result<(), String> {
    let lines = script::parse_script(name, script);
    let (mut oracle_session, mut target_session) = (oracle_session(), target_session());
    let mut results = Vec::new();
    // Line by line on both sides, so time-dependent lines (TTL) run at nearly the same moment.
    // The two sides run concurrently, which halves the time `!raw` lines spend waiting for silence.
    for line in &lines {
        let (expected, actual) = std::thread::scope(|scope| {
            // Large stacks: the reply parser recurses into nested arrays, and replies may nest 8000 deep.
            let spawn = |f| std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(scope, f);
            let expected = spawn(Box::new(|| oracle_session.run(line)) as Box<dyn FnOnce() -> Outcome + Send>);
            let actual = spawn(Box::new(|| target_session.run(line)));
            let join = |h: std::io::Result<std::thread::ScopedJoinHandle<Outcome>>| {
                h.expect("session thread starts").join().expect("session thread panicked")
            };
            (join(expected), join(actual))
        });
        results.push((line, expected, actual));
    }
    let failures = results.iter().filter(|(line, expected, actual)| !expected.matches(actual, line)).count();
    let report = report(name, oracle, target, &results, failures);
    if std::env::var_os("DIFF_TRANSCRIPT").is_some() {
        eprintln!("{report}");
    }
    if failures == 0 {
        Ok(())
    } else {
        Err(report)
    }
}

/// The script's connection to one server, reopened after the server closes it (QUIT, protocol errors).
struct Session {
    addr: SocketAddr,
    conn: Option<Conn>,
    events: Option<Events>,
}

/// A connection subscribed to every channel, and one that publishes a marker after each line: what the
/// subscriber receives before the marker is what the line caused.
struct Events {
    subscriber: Conn,
    marker: Conn,
}

/// The channel of the end-of-line marker.
const MARKER_CHANNEL: &str = "__diff_marker__";

impl Events {
    fn collect(&mut self) -> Result<Vec<Vec<u8>>, ReadError> {
        self.marker.try_cmd(&["PUBLISH", MARKER_CHANNEL, "end"], support::REPLY_TIMEOUT)?;
        let mut messages = Vec::new();
        loop {
            let message = self.subscriber.try_read_reply_bytes(support::REPLY_TIMEOUT)?;
            if support::conn::bulks(&message).iter().any(|part| part == MARKER_CHANNEL) {
                return Ok(messages);
            }
            messages.push(message);
        }
    }
}

impl Session {
    fn new(addr: SocketAddr, options: &ServerOptions) -> Session {
        empty_server(addr, options);
        Session { addr, conn: None, events: None }
    }

    fn with_events(addr: SocketAddr, options: &ServerOptions) -> Session {
        let mut session = Session::new(addr, options);
        let mut subscriber = Conn::connect(addr);
        let confirmation = subscriber.cmd(&["PSUBSCRIBE", "*"]);
        assert_eq!(confirmation, b"*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n", "PSUBSCRIBE on {addr}");
        session.events = Some(Events { subscriber, marker: Conn::connect(addr) });
        session
    }

    fn conn(&mut self) -> &mut Conn {
        let addr = self.addr;
        self.conn.get_or_insert_with(|| Conn::connect(addr))
    }

    fn run(&mut self, line: &Line) -> Outcome {
        let outcome = match &line.action {
            Action::Command(args) => self.run_command(args),
            Action::Raw(bytes) => self.run_raw(bytes),
            Action::Reconnect => Outcome { replies: Vec::new(), end: End::Closed },
            Action::Sleep(duration) => {
                std::thread::sleep(*duration);
                Outcome { replies: Vec::new(), end: End::Open }
            }
        };
        if outcome.end != End::Open {
            self.conn = None;
        }
        let mut outcome = outcome;
        if let Some(events) = &mut self.events {
            match events.collect() {
                Ok(messages) => outcome.replies.extend(messages),
                Err(err) => return Outcome::failed(outcome.replies, err),
            }
        }
        outcome
    }

    /// One command, one reply.
    fn run_command(&mut self, args: &[Vec<u8>]) -> Outcome {
        match self.conn().try_cmd(args, support::REPLY_TIMEOUT) {
            Ok(reply) => Outcome { replies: vec![reply], end: End::Open },
            Err(err) => Outcome::failed(Vec::new(), err),
        }
    }

    /// Raw bytes may hold several commands, or half of one: collect whatever comes until the server is quiet
    /// or closes the connection.
    fn run_raw(&mut self, bytes: &[u8]) -> Outcome {
        let conn = self.conn();
        if let Err(err) = conn.try_send_raw(bytes) {
            return Outcome::failed(Vec::new(), ReadError::Io(err));
        }
        let mut replies = Vec::new();
        loop {
            match conn.try_read_reply_bytes(RAW_QUIET) {
                Ok(reply) => replies.push(reply),
                Err(ReadError::TimedOut { partial }) if partial.is_empty() => {
                    return Outcome { replies, end: End::Open };
                }
                Err(err) => return Outcome::failed(replies, err),
            }
        }
    }
}

/// FLUSHALL on a separate connection, so the script's own connection starts fresh (db 0, unauthenticated).
fn empty_server(addr: SocketAddr, options: &ServerOptions) {
    let mut conn = Conn::connect(addr);
    if let Some(password) = &options.requirepass {
        assert_eq!(conn.cmd(&["AUTH", password]), b"+OK\r\n", "AUTH on {addr}");
    }
    assert_eq!(conn.cmd(&["FLUSHALL"]), b"+OK\r\n", "FLUSHALL on {addr}");
}

/// What one server did for one line.
#[derive(Debug)]
struct Outcome {
    replies: Vec<Vec<u8>>,
    end: End,
}

/// The state of the connection after the line.
#[derive(Debug, PartialEq)]
enum End {
    Open,
    Closed,
    /// No complete reply in time; holds the partial bytes.
    TimedOut(Vec<u8>),
    Malformed(Vec<u8>),
    Io(String),
}

impl Outcome {
    fn failed(mut replies: Vec<Vec<u8>>, err: ReadError) -> Outcome {
        let end = match err {
            ReadError::Closed { partial } => {
                if !partial.is_empty() {
                    replies.push(partial);
                }
                End::Closed
            }
            ReadError::TimedOut { partial } => End::TimedOut(partial),
            ReadError::Malformed { bytes, .. } => End::Malformed(bytes),
            ReadError::Io(err) => End::Io(err.to_string()),
        };
        Outcome { replies, end }
    }

    fn matches(&self, other: &Outcome, line: &Line) -> bool {
        self.end == other.end && self.compared(line) == other.compared(line)
    }

    fn compared(&self, line: &Line) -> Vec<Vec<u8>> {
        self.replies.iter().map(|reply| compared_form(reply, &line.check)).collect()
    }

    /// The replies as escaped text, plus the connection state when it is not the usual open one.
    fn describe(&self, line: &Line) -> String {
        match line.action {
            Action::Reconnect => return "(new connection)".into(),
            Action::Sleep(_) => return "(slept)".into(),
            _ => {}
        }
        let mut parts: Vec<String> = self.replies.iter().map(|reply| shown(reply)).collect();
        let transformed = self.compared(line);
        if transformed != self.replies {
            parts.push(format!("(compared as {})", transformed.iter().map(|r| shown(r)).collect::<Vec<_>>().join(" ")));
        }
        match &self.end {
            End::Open if matches!(line.action, Action::Raw(_)) => parts.push("(connection open)".into()),
            End::Open => {}
            End::Closed => parts.push("(connection closed)".into()),
            End::TimedOut(partial) => parts.push(format!("(no complete reply in time, got {})", shown(partial))),
            End::Malformed(bytes) => parts.push(format!("(malformed reply {})", shown(bytes))),
            End::Io(err) => parts.push(format!("(I/O error: {err})")),
        }
        if parts.is_empty() {
            "(nothing)".into()
        } else {
            parts.join(" ")
        }
    }
}

/// A reply escaped so `\r\n` and binary bytes are visible, cut at `SHOWN_REPLY_LEN`.
fn shown(bytes: &[u8]) -> String {
    let escaped = bytes.escape_ascii().to_string();
    if escaped.len() <= SHOWN_REPLY_LEN {
        return format!("\"{escaped}\"");
    }
    format!("\"{}\"... ({} bytes)", &escaped[..SHOWN_REPLY_LEN], bytes.len())
}

/// The transcript of the script: every line with the oracle's reply, and both replies where they differ.
fn report(name: &str, oracle: &Side, target: &Side, results: &[(&Line, Outcome, Outcome)], failures: usize) -> String {
    let mut out = format!(
        "differential script `{name}`: {failures} of {} lines differ ({} at {} vs {} at {})\n",
        results.len(),
        oracle.label,
        oracle.addr,
        target.label,
        target.addr
    );
    let width = oracle.label.len().max(target.label.len());
    for (line, expected, actual) in results {
        if expected.matches(actual, line) {
            out += &format!(
                "     {:>3}  {}\n            {:width$}  {}\n",
                line.number,
                line.text,
                "",
                expected.describe(line)
            );
        } else {
            out += &format!("  ✗  {:>3}  {}\n", line.number, line.text);
            out += &format!("            {:width$}: {}\n", oracle.label, expected.describe(line));
            out += &format!("            {:width$}: {}\n", target.label, actual.describe(line));
        }
    }
    out
}
