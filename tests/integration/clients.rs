//! MONITOR and CLIENT over real connections: what a monitor receives and when it stops, CLIENT PAUSE holding
//! commands back (and what it lets through), CLIENT KILL's filters, CLIENT REPLY, and CLIENT LIST's fields.
//! Reply texts are compared with redis-server in differential::clients.

use crate::support::conn::encode_command;
use crate::support::Conn;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn server_with(config: impl FnOnce(&mut embedis::Config)) -> embedis::blocking::ServerHandle {
    let mut c = embedis::Config { loglevel: embedis::config::LogLevel::Nothing, ..embedis::Config::default() };
    config(&mut c);
    embedis::blocking::Server::builder().with_config(c).port(0).bind("127.0.0.1").start().expect("start")
}

fn server() -> embedis::blocking::ServerHandle {
    server_with(|_| {})
}

/// A field of a CLIENT LIST / CLIENT INFO line (`name=value`).
fn field(line: &str, name: &str) -> String {
    let prefix = format!("{name}=");
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        .to_string()
}

/// The text of a CLIENT LIST / CLIENT INFO reply (a bulk string in RESP2).
fn text(reply: &[u8]) -> String {
    let reply = String::from_utf8_lossy(reply).into_owned();
    let body = reply.split_once("\r\n").map_or("", |(_, body)| body);
    body.strip_suffix("\r\n").unwrap_or(body).to_string()
}

fn client_info(c: &mut Conn) -> String {
    text(&c.cmd(&["CLIENT", "INFO"]))
}

/// The CLIENT LIST line of client `id`, as `viewer` sees it.
fn line_of(viewer: &mut Conn, id: &str) -> String {
    text(&viewer.cmd(&["CLIENT", "LIST", "ID", id])).trim_end().to_string()
}

fn id_of(c: &mut Conn) -> String {
    let reply = String::from_utf8_lossy(&c.cmd(&["CLIENT", "ID"])).into_owned();
    reply.trim_start_matches(':').trim_end().to_string()
}

/// Checks a MONITOR line's shape (`+<sec>.<usec> [<db> <origin>] <args>`) and returns `[<db> <origin>] <args>`.
fn monitor_line(raw: &[u8]) -> String {
    let line = String::from_utf8(raw.to_vec()).expect("utf-8 line");
    let body = line.strip_prefix('+').and_then(|l| l.strip_suffix("\r\n")).expect("a simple string");
    let (time, rest) = body.split_once(' ').expect("a timestamp");
    let (secs, usecs) = time.split_once('.').expect("seconds.microseconds");
    assert!(secs.len() >= 10 && secs.bytes().all(|b| b.is_ascii_digit()), "{line}");
    assert!(usecs.len() == 6 && usecs.bytes().all(|b| b.is_ascii_digit()), "{line}");
    rest.to_string()
}

/// Nothing arrives on `c` for `wait`.
fn silent_for(c: &mut Conn, wait: Duration) -> bool {
    matches!(c.try_read_reply_bytes(wait), Err(crate::support::ReadError::TimedOut { partial }) if partial.is_empty())
}

#[test]
fn a_monitor_sees_every_clients_commands_in_order_as_redis_formats_them() {
    let server = server();
    let mut monitor = Conn::connect(server.addr());
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    let (mut a, mut b) = (Conn::connect(server.addr()), Conn::connect(server.addr()));
    let (a_addr, b_addr) = (field(&client_info(&mut a), "addr"), field(&client_info(&mut b), "addr"));
    a.cmd(&["SET", "k", "v 1"]);
    b.cmd(&["GET", "k"]);
    a.cmd(&["MULTI"]);
    a.cmd(&["INCR", "n"]);
    a.cmd(&["EXEC"]);
    b.cmd(&["SELECT", "3"]);
    b.cmd(&["EVAL", "return redis.call('incr', 'n')", "0"]);
    b.cmd(&["AUTH", "default", "secret"]);
    a.cmd(&["CONFIG", "GET", "port"]);
    a.cmd(&["PING"]);
    let want = [
        format!("[0 {a_addr}] \"CLIENT\" \"INFO\""),
        format!("[0 {b_addr}] \"CLIENT\" \"INFO\""),
        format!("[0 {a_addr}] \"SET\" \"k\" \"v 1\""),
        format!("[0 {b_addr}] \"GET\" \"k\""),
        format!("[0 {a_addr}] \"MULTI\""),
        format!("[0 {a_addr}] \"INCR\" \"n\""),
        format!("[0 {a_addr}] \"EXEC\""),
        format!("[3 {b_addr}] \"SELECT\" \"3\""),
        format!("[3 {b_addr}] \"EVAL\" \"return redis.call('incr', 'n')\" \"0\""),
        "[3 lua] \"incr\" \"n\"".to_string(),
        format!("[3 {b_addr}] \"AUTH\" \"(redacted)\" \"(redacted)\""),
        format!("[0 {a_addr}] \"PING\""),
    ];
    for want in want {
        assert_eq!(monitor_line(&monitor.read_reply_bytes()), want);
    }
    assert!(silent_for(&mut monitor, Duration::from_millis(200)), "CONFIG (admin) is not shown");
}

#[test]
fn a_monitor_stops_with_reset_and_is_dropped_on_disconnect() {
    let server = server();
    let mut monitor = Conn::connect(server.addr());
    let mut other = Conn::connect(server.addr());
    let monitor_id = id_of(&mut monitor);
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    assert!(field(&line_of(&mut other, &monitor_id), "flags").contains('O'));
    other.cmd(&["SET", "a", "1"]);
    assert!(monitor_line(&monitor.read_reply_bytes()).ends_with("\"SET\" \"a\" \"1\""));
    assert_eq!(monitor.cmd(&["RESET"]), b"+RESET\r\n");
    other.cmd(&["SET", "a", "2"]);
    assert!(silent_for(&mut monitor, Duration::from_millis(200)), "RESET ends monitoring");
    assert_eq!(field(&client_info(&mut monitor), "flags"), "N");
    // Monitoring again, then gone: the server goes on without it.
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    drop(monitor);
    for i in 0..100 {
        assert_eq!(other.cmd(&["SET", "a", &i.to_string()]), b"+OK\r\n");
    }
    let list = text(&other.cmd(&["CLIENT", "LIST"]));
    assert_eq!(list.lines().count(), 1, "{list}");
}

#[test]
fn client_reply_off_silences_a_monitor_until_on() {
    let server = server();
    let mut monitor = Conn::connect(server.addr());
    let mut other = Conn::connect(server.addr());
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    monitor.send(&["CLIENT", "REPLY", "OFF"]);
    // OFF answers nothing: give it time to be read before the other client's command.
    std::thread::sleep(Duration::from_millis(200));
    other.cmd(&["SET", "hidden", "1"]);
    monitor.send(&["CLIENT", "REPLY", "ON"]);
    assert_eq!(monitor.read_reply_bytes(), b"+OK\r\n");
    assert!(monitor_line(&monitor.read_reply_bytes()).ends_with("\"CLIENT\" \"REPLY\" \"ON\""));
    other.cmd(&["SET", "shown", "1"]);
    assert!(monitor_line(&monitor.read_reply_bytes()).ends_with("\"SET\" \"shown\" \"1\""));
}

#[test]
fn a_monitor_may_not_touch_the_keyspace_and_is_never_paused() {
    let server = server();
    let mut monitor = Conn::connect(server.addr());
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    assert_eq!(monitor.cmd(&["GET", "k"]), b"-ERR Replica can't interact with the keyspace\r\n");
    let mut pauser = Conn::connect(server.addr());
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "10000", "ALL"]), b"+OK\r\n");
    // Only a monitor can still talk: it lifts the pause.
    let started = Instant::now();
    assert_eq!(monitor.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(pauser.cmd(&["ECHO", "free"]), b"$4\r\nfree\r\n");
}

/// Sends `command` and returns its reply and how long it took.
fn timed(c: &mut Conn, command: &[&str]) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let reply = c.cmd(command);
    (reply, started.elapsed())
}

#[test]
fn client_pause_write_holds_writes_until_it_ends_but_not_reads() {
    let server = server();
    let (mut pauser, mut c) = (Conn::connect(server.addr()), Conn::connect(server.addr()));
    let pause = Duration::from_millis(400);
    let held = |c: &mut Conn, pauser: &mut Conn, command: &[&str]| {
        assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "400", "WRITE"]), b"+OK\r\n");
        let (_, took) = timed(c, command);
        assert_eq!(pauser.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
        took
    };
    for command in [&["GET", "k"][..], &["EVAL_RO", "return 1", "0"], &["PING"], &["INFO", "server"]] {
        assert!(held(&mut c, &mut pauser, command) < Duration::from_millis(200), "{command:?} is not held");
    }
    for command in [&["SET", "k", "v"][..], &["EVAL", "return 1", "0"], &["PUBLISH", "c", "m"], &["DEL", "k"]] {
        assert!(held(&mut c, &mut pauser, command) >= pause - Duration::from_millis(50), "{command:?} waits");
    }
    // A script that declares flags is held only if it may write (evalGetCommandFlags), by EVAL or EVALSHA.
    let no_writes = "#!lua flags=no-writes\nreturn 1";
    let writes = "#!lua flags=allow-oom\nreturn 1";
    let sha = String::from_utf8(c.cmd(&["SCRIPT", "LOAD", no_writes])[5..45].to_vec()).expect("hex");
    for command in [&["EVAL", no_writes, "0"][..], &["EVALSHA", &sha, "0"]] {
        assert!(held(&mut c, &mut pauser, command) < Duration::from_millis(200), "{command:?} is not held");
    }
    let sha = String::from_utf8(c.cmd(&["SCRIPT", "LOAD", writes])[5..45].to_vec()).expect("hex");
    for command in [&["EVAL", writes, "0"][..], &["EVALSHA", &sha, "0"]] {
        assert!(held(&mut c, &mut pauser, command) >= pause - Duration::from_millis(50), "{command:?} waits");
    }
    // Queuing a write waits (the pause is checked before MULTI queues), and so does an EXEC that would write.
    assert_eq!(c.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["INCR", "n"]), b"+QUEUED\r\n");
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "400", "WRITE"]), b"+OK\r\n");
    let (reply, took) = timed(&mut c, &["EXEC"]);
    assert_eq!(reply, b"*1\r\n:1\r\n");
    assert!(took >= pause - Duration::from_millis(50), "EXEC with a write waits: {took:?}");
}

#[test]
fn a_held_command_holds_the_rest_of_the_pipeline_and_unpause_releases_it() {
    let server = server();
    let (mut pauser, mut c, mut viewer) =
        (Conn::connect(server.addr()), Conn::connect(server.addr()), Conn::connect(server.addr()));
    let id = id_of(&mut c);
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "20000", "WRITE"]), b"+OK\r\n");
    let mut pipeline = Vec::new();
    for command in [&["GET", "k"][..], &["SET", "k", "v"], &["GET", "k"]] {
        pipeline.extend(crate::support::conn::encode_command(command));
    }
    c.send_raw(&pipeline);
    assert_eq!(c.read_reply_bytes(), b"$-1\r\n", "the read before the write is answered at once");
    assert!(silent_for(&mut c, Duration::from_millis(200)));
    assert!(field(&line_of(&mut viewer, &id), "flags").contains('b'), "a held client shows flag b");
    let started = Instant::now();
    assert_eq!(pauser.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert_eq!(c.read_reply_bytes(), b"+OK\r\n");
    assert_eq!(c.read_reply_bytes(), b"$1\r\nv\r\n");
    assert!(started.elapsed() < Duration::from_secs(2), "UNPAUSE releases at once");
    assert_eq!(field(&line_of(&mut viewer, &id), "flags"), "N");
}

#[test]
fn client_pause_all_holds_every_command_and_a_pause_only_widens() {
    let server = server();
    let (mut pauser, mut c) = (Conn::connect(server.addr()), Conn::connect(server.addr()));
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "500", "ALL"]), b"+OK\r\n");
    let (_, took) = timed(&mut c, &["PING"]);
    assert!(took >= Duration::from_millis(400), "{took:?}");
    // A shorter ALL pause during a WRITE one makes the whole pause ALL, until the later deadline.
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "500", "WRITE"]), b"+OK\r\n");
    assert_eq!(pauser.cmd(&["CLIENT", "PAUSE", "10", "ALL"]), b"+OK\r\n");
    let (_, took) = timed(&mut c, &["GET", "k"]);
    assert!(took >= Duration::from_millis(400), "{took:?}");
}

/// Reads until the server closes the connection; true if it did within 5 s.
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0; 256];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

/// A raw client (to see it closed) and its `addr` as CLIENT LIST shows it, once it answered a PING (so it is
/// registered).
fn raw_client(server: &embedis::blocking::ServerHandle) -> (TcpStream, String) {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut pong = [0; 7];
    s.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"+PONG\r\n");
    let addr = s.local_addr().unwrap().to_string();
    (s, addr)
}

#[test]
fn client_kill_filters() {
    let server = server();
    let mut killer = Conn::connect(server.addr());
    let laddr = field(&client_info(&mut killer), "laddr");
    // TYPE pubsub: only the subscriber.
    let (mut sub, _) = raw_client(&server);
    sub.write_all(b"SUBSCRIBE c\r\n").unwrap();
    let (mut normal, normal_addr) = raw_client(&server);
    let started = Instant::now();
    while text(&killer.cmd(&["CLIENT", "LIST", "TYPE", "pubsub"])).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "TYPE", "pubsub"]), b":1\r\n");
    assert!(closed(&mut sub));
    // ADDR, and the old form (OK, then an error once it is gone).
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "ADDR", &normal_addr, "TYPE", "normal"]), b":1\r\n");
    assert!(closed(&mut normal));
    let (mut old, old_addr) = raw_client(&server);
    assert_eq!(killer.cmd(&["CLIENT", "KILL", &old_addr]), b"+OK\r\n");
    assert!(closed(&mut old));
    assert_eq!(killer.cmd(&["CLIENT", "KILL", &old_addr]), b"-ERR No such client\r\n");
    // LADDR and USER match everyone here; SKIPME (default yes) spares the caller.
    let mut others: Vec<Conn> = (0..3).map(|_| Conn::connect(server.addr())).collect();
    for c in &mut others {
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    }
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "LADDR", &laddr, "USER", "default"]), b":3\r\n");
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "LADDR", &laddr]), b":0\r\n");
    // SKIPME no: the caller gets its count, then the connection closes.
    let (mut last, _) = raw_client(&server);
    last.write_all(b"CLIENT KILL USER default SKIPME no\r\n").unwrap();
    let mut reply = Vec::new();
    last.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = last.read_to_end(&mut reply);
    assert_eq!(reply, b":2\r\n", "itself and the killer");
}

#[test]
fn client_kill_maxage_kills_connections_older_than_it() {
    let server = server();
    let mut old = Conn::connect(server.addr());
    assert_eq!(old.cmd(&["PING"]), b"+PONG\r\n");
    server.advance_time(Duration::from_secs(10));
    let mut young = Conn::connect(server.addr());
    assert_eq!(young.cmd(&["CLIENT", "KILL", "MAXAGE", "x"]), b"-ERR maxage is not an integer or out of range\r\n");
    assert_eq!(young.cmd(&["CLIENT", "KILL", "MAXAGE", "5", "SKIPME", "no"]), b":1\r\n");
    assert!(old.try_cmd(&["PING"], Duration::from_secs(5)).is_err(), "the old client is gone");
    assert_eq!(young.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn client_reply_off_and_skip_over_a_connection() {
    let server = server();
    let mut c = Conn::connect(server.addr());
    c.send_raw(b"CLIENT REPLY OFF\r\nSET a 1\r\nGET a\r\nCLIENT REPLY ON\r\nGET a\r\n");
    assert_eq!(c.read_reply_bytes(), b"+OK\r\n");
    assert_eq!(c.read_reply_bytes(), b"$1\r\n1\r\n");
    c.send_raw(b"CLIENT REPLY SKIP\r\nINCR a\r\nINCR a\r\n");
    assert_eq!(c.read_reply_bytes(), b":3\r\n");
    // What is pushed to a subscriber (confirmations, messages) is delivered even with replies off, as in Redis.
    let mut sub = Conn::connect(server.addr());
    sub.cmd(&["HELLO", "3"]);
    sub.send_raw(b"CLIENT REPLY OFF\r\nSUBSCRIBE ch\r\nPING\r\n");
    assert_eq!(sub.read_reply_bytes(), b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    assert_eq!(c.cmd(&["PUBLISH", "ch", "hi"]), b":1\r\n");
    assert_eq!(sub.read_reply_bytes(), b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
}

#[test]
fn client_list_shows_each_clients_state() {
    let server = server();
    let (mut a, mut viewer) = (Conn::connect(server.addr()), Conn::connect(server.addr()));
    let id = id_of(&mut a);
    // Oneself: the query buffer holds this very command (26 bytes, 10 of them arguments).
    let me = client_info(&mut a);
    assert_eq!(
        (field(&me, "qbuf"), field(&me, "argv-mem"), field(&me, "cmd")),
        ("26".into(), "10".into(), "client|info".into())
    );
    a.cmd(&["NOSUCH"]);
    assert_eq!(field(&line_of(&mut viewer, &id), "cmd"), "NULL");
    a.cmd(&["CLIENT"]);
    assert_eq!(field(&line_of(&mut viewer, &id), "cmd"), "client", "a container alone is found, then refused");
    a.cmd(&["GET"]);
    assert_eq!(field(&line_of(&mut viewer, &id), "cmd"), "get");
    a.cmd(&["MULTI"]);
    a.cmd(&["SET", "k", "v"]);
    a.cmd(&["GET", "k"]);
    let line = line_of(&mut viewer, &id);
    assert_eq!(
        ["flags", "multi", "multi-mem", "cmd"].map(|f| field(&line, f)),
        ["x".to_string(), "2".into(), "49".into(), "get".into()]
    );
    a.cmd(&["EXEC"]);
    let line = line_of(&mut viewer, &id);
    assert_eq!(["flags", "multi", "cmd"].map(|f| field(&line, f)), ["N".to_string(), "-1".into(), "exec".into()]);
    a.cmd(&["WATCH", "k"]);
    viewer.cmd(&["SET", "k", "changed"]);
    assert_eq!(field(&line_of(&mut viewer, &id), "flags"), "d");
    a.cmd(&["SUBSCRIBE", "c"]);
    let line = line_of(&mut viewer, &id);
    assert_eq!(["flags", "sub"].map(|f| field(&line, f)), ["Pd".to_string(), "1".into()]);
    assert_eq!(text(&viewer.cmd(&["CLIENT", "LIST", "TYPE", "pubsub"])).lines().count(), 1);
    assert_eq!(text(&viewer.cmd(&["CLIENT", "LIST", "TYPE", "normal"])).lines().count(), 1);
    // IDs in the order asked, repeats included.
    let viewer_id = id_of(&mut viewer);
    let listed = text(&viewer.cmd(&["CLIENT", "LIST", "ID", &viewer_id, &id, &viewer_id, "0"]));
    let ids: Vec<String> = listed.lines().map(|l| field(l, "id")).collect();
    assert_eq!(ids, [viewer_id.clone(), id, viewer_id]);
}

#[test]
fn a_unix_socket_client_has_flag_u() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("e.sock");
    let c = embedis::Config { loglevel: embedis::config::LogLevel::Nothing, ..embedis::Config::default() };
    let server = embedis::blocking::Server::builder()
        .with_config(c)
        .port(0)
        .bind("127.0.0.1")
        .unixsocket(&path)
        .start()
        .unwrap();
    let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"CLIENT INFO\r\n").unwrap();
    let mut buf = vec![0; 4096];
    let n = s.read(&mut buf).unwrap();
    let line = text(&buf[..n]);
    assert_eq!(field(&line, "flags"), "U");
    assert_eq!(field(&line, "addr"), format!("{}:0", path.display()));
    drop(server);
}

#[test]
fn monitors_and_held_clients_are_not_idle() {
    let server = server_with(|c| c.timeout = 1);
    let (mut idle, _) = raw_client(&server);
    let mut monitor = Conn::connect(server.addr());
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    server.advance_time(Duration::from_secs(5));
    assert!(closed(&mut idle), "an idle client is closed");
    // The monitor is still there: it still receives commands.
    let mut c = Conn::connect(server.addr());
    c.cmd(&["SET", "k", "v"]);
    assert!(monitor_line(&monitor.read_reply_bytes()).ends_with("\"SET\" \"k\" \"v\""));
}

#[test]
fn client_tracking_on_is_refused_clearly() {
    let server = server();
    let mut c = Conn::connect(server.addr());
    let refused = b"-ERR client-side caching (CLIENT TRACKING ON) is not supported by this server\r\n";
    assert_eq!(c.cmd(&["CLIENT", "TRACKING", "ON"]), refused);
    assert_eq!(c.cmd(&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"]), refused);
    assert_eq!(c.cmd(&["CLIENT", "TRACKING", "OFF"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "GETREDIR"]), b":-1\r\n");
}

fn info_field(c: &mut Conn, field: &str) -> String {
    let info = String::from_utf8(c.cmd(&["INFO", "clients"])).unwrap();
    let line = info.lines().find(|l| l.starts_with(&format!("{field}:"))).unwrap_or_else(|| panic!("{info}"));
    line[field.len() + 1..].to_string()
}

/// WAIT for a replica that does not exist blocks until its timeout on the server clock, counted in INFO's
/// blocked_clients and clients_in_timeout_table (as are clients held by CLIENT PAUSE), then answers 0; what
/// the client pipelined after it runs afterwards.
#[test]
fn wait_blocks_until_its_timeout_and_is_counted_as_blocked() {
    let server = embedis::test::Server::builder().frozen_clock().start();
    let mut waiter = Conn::connect(server.addr());
    let mut other = Conn::connect(server.addr());
    waiter.send_raw(&[encode_command(&["WAIT", "1", "5000"]), encode_command(&["ECHO", "after"])].concat());
    crate::support::eventually("the waiter is blocked", || info_field(&mut other, "blocked_clients") == "1");
    assert_eq!(info_field(&mut other, "clients_in_timeout_table"), "1");
    assert!(waiter.try_read_reply_bytes(Duration::from_millis(300)).is_err(), "answered before its timeout");
    server.advance_time(Duration::from_millis(5000));
    assert_eq!(waiter.read_reply_bytes(), b":0\r\n");
    assert_eq!(waiter.read_reply_bytes(), b"$5\r\nafter\r\n");
    assert_eq!(info_field(&mut other, "blocked_clients"), "0");
    // CLIENT PAUSE holds a client: blocked too, without a timeout of its own.
    assert_eq!(other.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), b"+OK\r\n");
    let mut paused = Conn::connect(server.addr());
    paused.send(&["SET", "k", "v"]);
    let mut admin = Conn::connect(server.addr());
    crate::support::eventually("the paused client is blocked", || {
        admin.send(&["INFO", "clients"]);
        let info = String::from_utf8(admin.read_reply_bytes()).unwrap_or_default();
        info.contains("blocked_clients:1")
    });
    assert_eq!(info_field(&mut admin, "clients_in_timeout_table"), "0");
    assert_eq!(admin.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert_eq!(paused.read_reply_bytes(), b"+OK\r\n");
}

/// WAIT 1 0 (no timeout) blocks until the client goes away; the server stays responsive and forgets it.
#[test]
fn wait_without_a_timeout_blocks_until_the_client_leaves() {
    let server = embedis::test::Server::start();
    let mut waiter = Conn::connect(server.addr());
    let mut other = Conn::connect(server.addr());
    waiter.send(&["WAIT", "1", "0"]);
    crate::support::eventually("the waiter is blocked", || info_field(&mut other, "blocked_clients") == "1");
    assert_eq!(info_field(&mut other, "clients_in_timeout_table"), "0");
    drop(waiter);
    crate::support::eventually("the waiter is gone", || info_field(&mut other, "connected_clients") == "1");
    assert_eq!(info_field(&mut other, "blocked_clients"), "0");
}
