//! MONITOR and the CLIENT family against redis-server: argument errors and replies of every subcommand, CLIENT
//! REPLY's suppression, what a monitor may run, and the MONITOR stream itself (a monitor on each server watches
//! the same commands; timestamps and ports are masked). CLIENT KILL MAXAGE (Redis 7.4) and CLIENT TRACKING ON
//! (refused here) are tested in integration::clients instead.

use super::{diff_resp3_script, diff_script};
use crate::support::{self, Conn, ServerOptions};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

#[test]
fn client_pause_unpause_unblock_arguments() {
    diff_script(
        "client_pause_unpause_unblock_arguments",
        r#"
        CLIENT PAUSE
        CLIENT PAUSE x
        CLIENT PAUSE -1
        CLIENT PAUSE 1.5
        CLIENT PAUSE 100 x
        CLIENT PAUSE x x
        CLIENT PAUSE -1 maybe
        CLIENT PAUSE 100 write x
        CLIENT pause 100 WRITE x
        CLIENT PAUSE 0
        CLIENT PAUSE 0 WRITE
        CLIENT PAUSE 0 all
        CLIENT PAUSE 9223372036854775807
        SET k v
        CLIENT UNPAUSE
        CLIENT UNPAUSE x
        CLIENT UNBLOCK
        CLIENT UNBLOCK x
        CLIENT UNBLOCK 999999
        CLIENT UNBLOCK -1
        CLIENT UNBLOCK 999999 TIMEOUT
        CLIENT UNBLOCK 999999 error
        CLIENT UNBLOCK 999999 maybe
        CLIENT UNBLOCK x maybe
        CLIENT UNBLOCK 1 timeout extra
        "#,
    );
}

#[test]
fn client_reply_on_off_skip() {
    diff_script(
        "client_reply_on_off_skip",
        r#"
        CLIENT REPLY
        CLIENT REPLY maybe
        CLIENT REPLY on extra
        CLIENT REPLY ON
        CLIENT REPLY on
        !raw CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY SKIP\r\nGET\r\nCLIENT REPLY ON\r\nPING\r\n
        !raw CLIENT REPLY SKIP\r\nPING\r\nPING\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING\r\nPING\r\n
        !raw CLIENT REPLY SKIP\r\nNOSUCH\r\nPING\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\n
        !raw CLIENT REPLY OFF\r\nCLIENT REPLY x\r\nSET k v\r\nRESET\r\nGET k\r\n
        !raw CLIENT REPLY SKIP\r\nRESET\r\nPING\r\n
        !raw CLIENT REPLY SKIP\r\nMULTI\r\nSET k 1\r\nEXEC\r\nGET k\r\n
        "#,
    );
}

#[test]
fn client_tracking_is_off_and_says_so() {
    diff_script(
        "client_tracking_is_off_and_says_so",
        r#"
        CLIENT TRACKING
        CLIENT TRACKING maybe
        CLIENT TRACKING off
        CLIENT TRACKING OFF BCAST PREFIX a OPTIN OPTOUT NOLOOP
        CLIENT TRACKING off nosuch
        CLIENT TRACKING off prefix
        CLIENT TRACKING on PREFIX a
        CLIENT TRACKING on BCAST OPTIN
        CLIENT TRACKING on OPTIN OPTOUT
        CLIENT TRACKING on REDIRECT 999999
        CLIENT TRACKING on REDIRECT x
        CLIENT TRACKING on REDIRECT 999999 REDIRECT 1
        CLIENT TRACKING maybe REDIRECT 999999
        CLIENT TRACKING on redirect
        CLIENT CACHING yes
        CLIENT CACHING no
        CLIENT CACHING maybe
        CLIENT CACHING
        CLIENT GETREDIR
        CLIENT GETREDIR x
        CLIENT TRACKINGINFO
        CLIENT TRACKINGINFO x
        CLIENT HELP
        CLIENT HELP x
        "#,
    );
}

#[test]
fn client_kill_and_list_arguments() {
    diff_script(
        "client_kill_and_list_arguments",
        r#"
        CLIENT KILL
        CLIENT KILL 1.2.3.4:5
        CLIENT KILL id
        CLIENT KILL ID 0
        CLIENT KILL ID -3
        CLIENT KILL ID x
        CLIENT KILL ID 999999
        CLIENT KILL ID 999999 ADDR
        CLIENT KILL TYPE x
        CLIENT KILL TYPE master
        CLIENT KILL TYPE replica
        CLIENT KILL TYPE slave
        CLIENT KILL TYPE pubsub SKIPME no
        CLIENT KILL USER bob
        CLIENT KILL USER Default
        CLIENT KILL SKIPME maybe
        CLIENT KILL ADDR x LADDR y
        CLIENT KILL LADDR x
        CLIENT KILL ADDR x ID 5
        CLIENT KILL foo bar
        CLIENT KILL ID x TYPE y
        CLIENT KILL TYPE y ID x
        CLIENT LIST x
        CLIENT LIST TYPE
        CLIENT LIST TYPE x
        CLIENT LIST TYPE master
        CLIENT LIST TYPE replica
        CLIENT LIST TYPE slave
        CLIENT LIST TYPE pubsub
        CLIENT LIST TYPE normal x
        CLIENT LIST ID
        CLIENT LIST ID 0
        CLIENT LIST ID -5 999999
        CLIENT LIST ID 1.5
        CLIENT LIST ID 0 abc
        CLIENT LIST foo bar
        CLIENT INFO x
        "#,
    );
}

#[test]
fn client_replies_in_resp3() {
    diff_resp3_script(
        "client_replies_in_resp3",
        r#"
        CLIENT TRACKINGINFO
        CLIENT GETREDIR
        CLIENT LIST TYPE master
        CLIENT LIST ID 999999
        CLIENT KILL ID 999999
        CLIENT CACHING yes
        CLIENT TRACKING off
        !raw CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\n
        "#,
    );
}

#[test]
fn what_a_monitor_may_run() {
    // Commands a monitor may run are shown to itself too (with a timestamp), so only refusals and
    // administrative commands (never shown) are compared line by line here.
    diff_script(
        "what_a_monitor_may_run",
        r#"
        MONITOR x
        MULTI
        MONITOR
        EXEC
        MONITOR
        !raw MONITOR\r\n
        GET k
        SET k v
        PUBLISH c m
        EVAL "return 1" 0
        EVAL_RO "return 1" 0
        CLIENT KILL ID 999999
        CONFIG GET maxmemory
        CLIENT LIST TYPE master
        RESET
        GET k
        "#,
    );
}

/// The lines a monitor receives while `commands` run on another connection, with the timestamps and the
/// clients' ports masked, up to the marker command sent last.
fn monitor_transcript(addr: SocketAddr, commands: &[&[&str]]) -> Vec<String> {
    let mut monitor = Conn::connect(addr);
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    let mut client = Conn::connect(addr);
    for command in commands {
        client.cmd(command);
    }
    client.cmd(&["ECHO", "end-of-transcript"]);
    let mut lines = Vec::new();
    loop {
        let line = monitor.read_reply_bytes();
        let line = mask_monitor_line(&String::from_utf8_lossy(&line));
        if line.ends_with("\"ECHO\" \"end-of-transcript\"\r\n") {
            return lines;
        }
        lines.push(line);
    }
}

/// `+1700000000.123456 [0 127.0.0.1:53211] "get" "k"` -> `+T [0 ADDR] "get" "k"` (`lua` and `unix:` kept).
fn mask_monitor_line(line: &str) -> String {
    let Some(rest) = line.strip_prefix('+').and_then(|l| l.split_once(' ')).map(|(_, rest)| rest) else {
        return line.to_string();
    };
    let Some((origin, args)) = rest.strip_prefix('[').and_then(|r| r.split_once("] ")) else {
        return line.to_string();
    };
    let (db, peer) = origin.split_once(' ').unwrap_or((origin, ""));
    let peer = if peer == "lua" || peer.starts_with("unix:") { peer } else { "ADDR" };
    format!("+T [{db} {peer}] {args}")
}

#[test]
fn the_monitor_stream_matches_redis() {
    let Some(oracle) = support::RedisServer::start() else { return };
    let target = support::start_embedis();
    let commands: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["SET", "q", "a\"b\\\n\r\t\x07\x08 \x01\x7f\u{e9}"],
        &["GET", "k"],
        &["GET"],
        &["NOSUCH", "x"],
        &["AUTH", "secret"],
        &["AUTH", "user", "secret"],
        &["AUTH", "a", "b", "c"],
        &["HELLO", "3", "AUTH", "default", "secret", "SETNAME", "n"],
        &["HELLO", "2"],
        &["MULTI"],
        &["INCR", "n"],
        &["GET"],
        &["EXEC"],
        &["MULTI"],
        &["INCR", "n"],
        &["GET", "n"],
        &["EXEC"],
        &["MULTI"],
        &["DISCARD"],
        &["EVAL", "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", "1", "s", "x"],
        &["EVAL", "return redis.pcall('incr', 'k')", "0"],
        &["EVAL", "return redis.call('config', 'get', 'maxmemory')", "0"],
        &["EVALSHA", "0000000000000000000000000000000000000000", "0"],
        &["EVAL", "syntax error(", "0"],
        &["SELECT", "5"],
        &["SET", "in5", "1"],
        &["SELECT", "0"],
        &["CONFIG", "GET", "maxmemory"],
        &["CLIENT", "LIST"],
        &["CLIENT", "SETNAME", "shown"],
        &["CLIENT", "KILL", "ID", "999999"],
        &["DEBUG", "SLEEP", "0"],
        &["SLOWLOG", "LEN"],
        &["PING"],
        &["WATCH", "k"],
        &["UNWATCH"],
        &["PUBLISH", "c", "m"],
    ];
    let expected = monitor_transcript(oracle.addr(), commands);
    let actual = monitor_transcript(target.addr(), commands);
    assert_eq!(actual, expected);
    assert!(expected.len() > 20, "the transcript is not empty: {expected:?}");
}

/// Sends one command over a unix socket and returns its reply.
fn unix_command(path: &std::path::Path, command: &[u8]) -> Vec<u8> {
    let mut s = std::os::unix::net::UnixStream::connect(path).expect("connect to the unix socket");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("read timeout");
    s.write_all(command).expect("write");
    let mut buf = vec![0; 1024];
    let n = s.read(&mut buf).expect("read");
    buf.truncate(n);
    buf
}

#[test]
fn a_unix_socket_client_is_shown_with_the_socket_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (oracle_path, target_path) = (dir.path().join("redis.sock"), dir.path().join("embedis.sock"));
    let options = ServerOptions::default();
    let oracle_arg = oracle_path.to_string_lossy().into_owned();
    let Some(oracle) = support::RedisServer::start_with_args(&options, &[("unixsocket", &oracle_arg)]) else {
        return;
    };
    let target_arg = target_path.to_string_lossy().into_owned();
    let target = support::start_embedis_with_args(&options, &[("unixsocket", &target_arg)]);
    for (addr, path) in [(oracle.addr(), &oracle_path), (target.addr(), &target_path)] {
        let mut monitor = Conn::connect(addr);
        assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
        assert_eq!(unix_command(path, b"SET k v\r\n"), b"+OK\r\n");
        let line = String::from_utf8_lossy(&monitor.read_reply_bytes()).into_owned();
        let want = format!("+T [0 unix:{}] \"SET\" \"k\" \"v\"\r\n", path.display());
        assert_eq!(mask_monitor_line(&line), want, "on {addr}");
    }
}

#[test]
fn monitor_line_masking() {
    assert_eq!(
        mask_monitor_line("+1700000000.123456 [0 127.0.0.1:5321] \"get\" \"k\"\r\n"),
        "+T [0 ADDR] \"get\" \"k\"\r\n"
    );
    assert_eq!(mask_monitor_line("+1.000001 [3 lua] \"x\"\r\n"), "+T [3 lua] \"x\"\r\n");
    assert_eq!(mask_monitor_line("+OK\r\n"), "+OK\r\n");
}
