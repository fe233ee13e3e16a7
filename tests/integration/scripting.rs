//! Long scripts: other clients get BUSY past busy-reply-threshold, SCRIPT KILL stops a script that has not
//! written, SHUTDOWN NOSAVE still works when it has.

use crate::support::Conn;
use std::time::Duration;

fn server(threshold_ms: u64) -> embedis::blocking::ServerHandle {
    let config = embedis::Config {
        busy_reply_threshold: threshold_ms,
        loglevel: embedis::config::LogLevel::Nothing,
        ..embedis::Config::default()
    };
    embedis::blocking::Server::builder().with_config(config).port(0).bind("127.0.0.1").start().unwrap()
}

#[test]
fn a_long_script_makes_others_busy_and_script_kill_stops_it() {
    let server = server(100);
    let addr = server.addr();
    // Connected before the script starts (new connections are admitted once it ends).
    let mut other = Conn::connect(addr);
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.try_cmd(&["EVAL", "while true do end", "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    std::thread::sleep(Duration::from_millis(800));
    let busy = other.cmd(&["GET", "k"]);
    assert_eq!(busy, b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let killed = runner.join().unwrap().expect("the script's client gets an error reply");
    let text = String::from_utf8_lossy(&killed);
    assert!(text.starts_with("-ERR") && text.contains("Script killed by user with SCRIPT KILL"), "{text}");
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
}

/// Loops until `go` is set when told to: quick on its first runs, so it runs on the event loop the next time.
const WAITS_FOR_GO: &str =
    "if ARGV[1] == 'wait' then while redis.call('GET', KEYS[1]) ~= 'go' do end end return 'done'";

#[test]
fn a_quick_script_that_turns_slow_moves_off_the_event_loop_and_can_be_killed() {
    let server = server(300);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    for _ in 0..3 {
        assert_eq!(other.cmd(&["EVAL", WAITS_FOR_GO, "1", "flag", "now"]), b"$4\r\ndone\r\n");
    }
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.try_cmd(&["EVAL", WAITS_FOR_GO, "1", "flag", "wait"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    std::thread::sleep(Duration::from_millis(800));
    // The event loop is free: others get BUSY (not a hung server) and can kill the script.
    let busy = other.try_cmd(&["PING"], Duration::from_secs(5)).expect("the server answers");
    assert_eq!(busy, b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let killed = runner.join().unwrap().expect("the script's client gets an error reply");
    let text = String::from_utf8_lossy(&killed);
    assert!(text.contains("Script killed by user with SCRIPT KILL"), "{text}");
    // A client that sent a command while the script was young gets BUSY once it turns slow, as with Redis
    // (waiting for the script would wait forever for a script waiting for that client).
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.try_cmd(&["EVAL", WAITS_FOR_GO, "1", "flag", "wait"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    std::thread::sleep(Duration::from_millis(50));
    let busy = other.try_cmd(&["SET", "flag", "go"], Duration::from_secs(5)).expect("answered once the script is busy");
    assert!(busy.starts_with(b"-BUSY"), "{}", String::from_utf8_lossy(&busy));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    assert!(runner.join().unwrap().unwrap().starts_with(b"-ERR"));
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn a_client_connecting_during_a_long_script_gets_busy_can_kill_it_and_is_then_served() {
    let server = server(300);
    let addr = server.addr();
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.try_cmd(&["EVAL", "while true do end", "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    std::thread::sleep(Duration::from_millis(100));
    // Connected while the script is young: its command is answered once the script turns busy.
    let mut operator = Conn::connect(addr);
    let busy = operator.try_cmd(&["PING"], Duration::from_secs(5)).expect("answered");
    assert_eq!(busy, b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
    // Connected while it is busy, as redis-cli would to kill it.
    let mut late = Conn::connect(addr);
    assert!(late.cmd(&["GET", "k"]).starts_with(b"-BUSY"));
    assert_eq!(late.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    assert!(runner.join().unwrap().unwrap().starts_with(b"-ERR"));
    crate::support::eventually("both admitted", || late.cmd(&["PING"]) == b"+PONG\r\n");
    assert_eq!(operator.cmd(&["CLIENT", "SETNAME", "ops"]), b"+OK\r\n");
    assert!(String::from_utf8(late.cmd(&["CLIENT", "LIST"])).unwrap().contains("name=ops"));
}

#[test]
fn while_a_script_is_busy_only_authenticated_clients_can_kill_it() {
    let config = embedis::Config {
        busy_reply_threshold: 100,
        requirepass: Some(b"secret".to_vec()),
        loglevel: embedis::config::LogLevel::Nothing,
        ..embedis::Config::default()
    };
    let server = embedis::blocking::Server::builder().with_config(config).port(0).bind("127.0.0.1").start().unwrap();
    let addr = server.addr();
    let mut stranger = Conn::connect(addr);
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.cmd(&["AUTH", "secret"]);
        c.try_cmd(&["EVAL", "while true do end", "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(stranger.cmd(&["SHUTDOWN", "NOSAVE"]), b"-NOAUTH Authentication required.\r\n");
    assert_eq!(stranger.cmd(&["SCRIPT", "KILL"]), b"-NOAUTH Authentication required.\r\n");
    assert!(stranger.cmd(&["HELLO", "3"]).starts_with(b"-NOAUTH HELLO must be called with the client already"));
    let wrong = stranger.cmd(&["AUTH", "wrong"]);
    assert_eq!(wrong, b"-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    // As `redis-cli -a secret` connecting to kill a runaway script: AUTH, then SCRIPT KILL.
    let mut operator = Conn::connect(addr);
    assert_eq!(operator.cmd(&["AUTH", "default", "secret"]), b"+OK\r\n");
    assert_eq!(operator.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    assert!(runner.join().unwrap().unwrap().starts_with(b"-ERR"));
    crate::support::eventually("the script ends", || operator.cmd(&["PING"]) == b"+PONG\r\n");
    assert_eq!(stranger.cmd(&["PING"]), b"-NOAUTH Authentication required.\r\n");
}

#[test]
fn a_script_that_wrote_is_unkillable_but_shutdown_nosave_works() {
    let server = server(100);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let _runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        let _ = c.try_cmd(&["EVAL", "redis.call('SET', 'x', '1') while true do end", "0"], Duration::from_secs(20));
    });
    std::thread::sleep(Duration::from_millis(800));
    let reply = other.cmd(&["SCRIPT", "KILL"]);
    assert!(reply.starts_with(b"-UNKILLABLE"), "{}", String::from_utf8_lossy(&reply));
    other.send(&["SHUTDOWN", "NOSAVE"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(std::net::TcpStream::connect(addr).is_err(), "the server stopped");
}

#[test]
fn ten_thousand_cached_scripts_do_not_exhaust_the_lua_state() {
    use std::io::{Read, Write};
    let server = embedis::blocking::Server::start().unwrap();
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    let mut burst = Vec::new();
    for i in 0..10_000 {
        let body = format!("return {i}");
        burst
            .extend_from_slice(format!("*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n${}\r\n{body}\r\n", body.len()).as_bytes());
    }
    burst.extend_from_slice(b"*1\r\n$4\r\nQUIT\r\n");
    s.write_all(&burst).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut replies = Vec::new();
    s.read_to_end(&mut replies).unwrap();
    assert!(replies.ends_with(b"+OK\r\n"), "every SCRIPT LOAD answered, then QUIT");
    let mut c = Conn::connect(server.addr());
    // The SHA1 of "return 9999" (sha1sum agrees; redis-server answers SCRIPT LOAD with it).
    let sha = "dbe611aac9532f1bf6b05aef8bd51f346011b877";
    assert_eq!(c.cmd(&["EVALSHA", sha, "0"]), b":9999\r\n");
}

#[test]
fn a_script_returning_a_hundred_thousand_nested_tables_is_answered() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    let script = "local t = {} for i = 1, 100000 do t[i] = {i, 'x'} end return t";
    let reply = c.try_cmd(&["EVAL", script, "0"], Duration::from_secs(30)).expect("a reply");
    assert!(reply.starts_with(b"*100000\r\n*2\r\n:1\r\n$1\r\nx\r\n"));
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn info_memory_counts_the_lua_state_and_the_cached_scripts() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    let field = |c: &mut Conn, name: &str| crate::support::info_u64(c, "memory", name);
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 0);
    c.cmd(&["SCRIPT", "LOAD", "return 1"]);
    c.cmd(&["EVAL", "return redis.call('PING')", "0"]);
    c.cmd(&["SCRIPT", "LOAD", "return 1"]);
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 2);
    let bodies = ("return 1".len() + "return redis.call('PING')".len()) as u64;
    assert_eq!(field(&mut c, "used_memory_scripts_eval"), bodies + 2 * 40, "bodies and their ids");
    assert_eq!(field(&mut c, "used_memory_scripts"), bodies + 2 * 40);
    let lua = field(&mut c, "used_memory_lua");
    assert!(lua > 10_000 && lua == field(&mut c, "used_memory_vm_eval"), "{lua}");
    c.cmd(&["SCRIPT", "FLUSH"]);
    assert_eq!(field(&mut c, "number_of_cached_scripts"), 0);
    assert_eq!(field(&mut c, "used_memory_scripts_eval"), 0);
}

/// Runs `while true do end` from another connection and waits until `other` gets BUSY.
fn busy_script(addr: std::net::SocketAddr, other: &mut Conn) -> std::thread::JoinHandle<()> {
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        let _ = c.try_cmd(&["EVAL", "while true do end", "0"], Duration::from_secs(20));
    });
    crate::support::eventually("the script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    runner
}

/// A transaction never runs half-way around a busy script: MULTI is answered, a command refused with BUSY dooms
/// the transaction, EXEC during BUSY aborts it, and after SCRIPT KILL nothing of it was applied (redis-server
/// 7.0.15 answers the same).
#[test]
fn a_transaction_stays_all_or_nothing_while_a_script_is_busy() {
    let server = server(100);
    let addr = server.addr();
    let mut tx = Conn::connect(addr);
    let mut other = Conn::connect(addr);
    assert_eq!(tx.cmd(&["PING"]), b"+PONG\r\n");
    let runner = busy_script(addr, &mut other);
    assert_eq!(tx.cmd(&["MULTI"]), b"+OK\r\n");
    assert!(tx.cmd(&["SET", "a", "1"]).starts_with(b"-BUSY"));
    assert_eq!(tx.cmd(&["UNWATCH"]), b"+QUEUED\r\n");
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    runner.join().unwrap();
    assert_eq!(tx.cmd(&["SET", "b", "2"]), b"+QUEUED\r\n");
    assert_eq!(tx.cmd(&["EXEC"]), b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    assert_eq!(other.cmd(&["MGET", "a", "b"]), b"*2\r\n$-1\r\n$-1\r\n");
    // EXEC itself during BUSY aborts and discards (the watch goes too).
    assert_eq!(tx.cmd(&["WATCH", "w"]), b"+OK\r\n");
    assert_eq!(tx.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(tx.cmd(&["SET", "a", "1"]), b"+QUEUED\r\n");
    let runner = busy_script(addr, &mut other);
    assert_eq!(
        tx.cmd(&["EXEC"]),
        b"-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call \
          SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert_eq!(tx.cmd(&["DISCARD"]), b"-ERR DISCARD without MULTI\r\n");
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    runner.join().unwrap();
    assert_eq!(other.cmd(&["GET", "a"]), b"$-1\r\n");
    assert_eq!(other.cmd(&["SET", "w", "changed"]), b"+OK\r\n");
    assert_eq!(tx.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(tx.cmd(&["SET", "a", "2"]), b"+QUEUED\r\n");
    assert_eq!(tx.cmd(&["EXEC"]), b"*1\r\n+OK\r\n", "the old watch was dropped with the aborted transaction");
}

/// During BUSY, commands are found by the names they answer to after `rename-command`, and let through by
/// their rows' flags: a renamed-away SCRIPT or SHUTDOWN is an unknown command, a new name works.
#[test]
fn renamed_commands_stay_renamed_while_a_script_is_busy() {
    let mut config = embedis::Config { loglevel: embedis::config::LogLevel::Nothing, ..embedis::Config::default() };
    let renames = "rename-command SCRIPT MYSCRIPT\nrename-command SHUTDOWN \"\"\nbusy-reply-threshold 100\n";
    config.load_str(renames, None).unwrap();
    let server = embedis::blocking::Server::builder().with_config(config).port(0).bind("127.0.0.1").start().unwrap();
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let runner = busy_script(addr, &mut other);
    assert!(other.cmd(&["SCRIPT", "KILL"]).starts_with(b"-ERR unknown command 'SCRIPT'"));
    assert!(other.cmd(&["SHUTDOWN", "NOSAVE"]).starts_with(b"-ERR unknown command 'SHUTDOWN'"));
    assert_eq!(other.cmd(&["SCRIPT"]), b"-ERR unknown command 'SCRIPT', with args beginning with: \r\n");
    assert_eq!(other.cmd(&["MYSCRIPT", "KILL"]), b"+OK\r\n");
    runner.join().unwrap();
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
}

/// A script inside EXEC runs where a slow script does: others get BUSY, SCRIPT KILL stops it, and its error is
/// its reply in EXEC's array (the transaction's other commands run).
#[test]
fn a_script_inside_exec_does_not_freeze_the_server() {
    let server = server(100);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        assert_eq!(c.cmd(&["MULTI"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["EVAL", "while true do end", "0"]), b"+QUEUED\r\n");
        assert_eq!(c.cmd(&["SET", "after", "1"]), b"+QUEUED\r\n");
        c.try_cmd(&["EXEC"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    crate::support::eventually("the transaction's script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let reply = runner.join().unwrap().expect("EXEC is answered");
    let text = String::from_utf8_lossy(&reply);
    assert!(text.starts_with("*2\r\n-ERR") && text.contains("Script killed by user with SCRIPT KILL"), "{text}");
    assert!(text.ends_with("+OK\r\n"), "{text}");
    assert_eq!(other.cmd(&["GET", "after"]), b"$1\r\n1\r\n");
}

/// A read-only script runs on the event loop from its first run; one that turns slow still moves off it, so
/// others get BUSY and SCRIPT KILL stops it.
#[test]
fn a_read_only_script_runs_on_the_event_loop_and_still_moves_off_when_slow() {
    let server = server(100);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let mut c = Conn::connect(addr);
    for i in 0..20 {
        assert_eq!(c.cmd(&["EVAL_RO", &format!("return {i}"), "0"]), format!(":{i}\r\n").as_bytes());
    }
    let runner = std::thread::spawn(move || {
        c.try_cmd(&["EVAL_RO", "while true do end", "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    crate::support::eventually("the read-only script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let killed = runner.join().unwrap().expect("the script's client gets an error reply");
    assert!(String::from_utf8_lossy(&killed).contains("Script killed by user with SCRIPT KILL"));
}

/// A script declaring `#!lua flags=no-writes` is read-only too: it runs on the event loop from its first run
/// and, turned slow, still moves off it.
#[test]
fn a_no_writes_script_moves_off_the_event_loop_when_slow() {
    let server = server(100);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let mut c = Conn::connect(addr);
    assert_eq!(c.cmd(&["EVAL", "#!lua flags=no-writes\nreturn 7", "0"]), b":7\r\n");
    let runner = std::thread::spawn(move || {
        c.try_cmd(&["EVAL", "#!lua flags=no-writes\nwhile true do end", "0"], Duration::from_secs(20))
            .map(|r| r.to_vec())
    });
    crate::support::eventually("the script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let killed = runner.join().unwrap().expect("the script's client gets an error reply");
    assert!(String::from_utf8_lossy(&killed).contains("Script killed by user with SCRIPT KILL"));
}

/// Busy-loops for `ms` (Lua) of wall time, reading the clock through TIME (a script's own clock is frozen).
fn spin_lua(ms: &str) -> String {
    format!(
        "local function now() local t = redis.call('TIME') return t[1] * 1000 + math.floor(t[2] / 1000) end \
         local until_ms = now() + {ms} while now() < until_ms do end"
    )
}

/// A script that writes and then turns slow (quick on its earlier runs, so it runs on the event loop): it is
/// yielded there once slow and goes on off it from where it stopped, so others get BUSY (not a frozen server)
/// and SCRIPT KILL answers UNKILLABLE. It ends as one command: the SELECT and RESP3 it chose carry over, its
/// reply is whole, INFO counts one call, and the AOF holds its writes as one MULTI/EXEC.
#[test]
fn a_script_that_writes_then_turns_slow_goes_on_off_the_event_loop() {
    let dir = tempfile::tempdir().unwrap();
    let config = embedis::Config {
        appendonly: true,
        appendfsync: embedis::config::AppendFsync::Always,
        busy_reply_threshold: 200,
        loglevel: embedis::config::LogLevel::Nothing,
        save: Vec::new(),
        ..embedis::Config::default()
    };
    let server = embedis::blocking::Server::builder()
        .with_config(config)
        .port(0)
        .bind("127.0.0.1")
        .dir(dir.path())
        .start()
        .unwrap();
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let body = format!(
        "redis.call('SET', 'a', '1') redis.call('SELECT', '1') redis.setresp(3) {} \
         redis.call('SET', 'b', '2') return {{redis.call('GET', 'b'), redis.call('HGETALL', 'none')}}",
        spin_lua("tonumber(ARGV[1])")
    );
    let mut c = Conn::connect(addr);
    for _ in 0..2 {
        assert_eq!(c.cmd(&["EVAL", &body, "0", "0"]), b"*2\r\n$1\r\n2\r\n*0\r\n");
        assert_eq!(c.cmd(&["SELECT", "0"]), b"+OK\r\n");
    }
    let runner = std::thread::spawn(move || {
        let reply = c.try_cmd(&["EVAL", &body, "0", "1500"], Duration::from_secs(20)).map(|r| r.to_vec());
        (reply, c.cmd(&["GET", "a"]))
    });
    crate::support::eventually("the script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    let kill = other.cmd(&["SCRIPT", "KILL"]);
    assert!(kill.starts_with(b"-UNKILLABLE"), "{}", String::from_utf8_lossy(&kill));
    let (reply, caller_db) = runner.join().unwrap();
    assert_eq!(reply.expect("the script's reply"), b"*2\r\n$1\r\n2\r\n*0\r\n");
    assert_eq!(caller_db, b"$1\r\n1\r\n", "the caller stays in its database");
    assert_eq!(other.cmd(&["SELECT", "1"]), b"+OK\r\n");
    assert_eq!(other.cmd(&["GET", "b"]), b"$1\r\n2\r\n");
    let stats = String::from_utf8(other.cmd(&["INFO", "commandstats"])).unwrap();
    assert!(stats.contains("cmdstat_eval:calls=3,"), "{stats}");
    let aof = std::fs::read(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
    let aof = String::from_utf8_lossy(&aof).replace("\r\n", " ");
    let expected = "*1 $5 MULTI *3 $3 SET $1 a $1 1 *2 $6 SELECT $1 1 *3 $3 SET $1 b $1 2 *1 $4 EXEC";
    assert_eq!(aof.matches(expected).count(), 3, "{aof}");
}

/// A script cannot yield inside a `pcall` (a C call in Lua 5.1): one that has written and turns slow there holds
/// the event loop until it leaves the pcall, and yields at its next line.
#[test]
fn a_script_slow_inside_pcall_after_a_write_yields_once_out_of_it() {
    let server = server(200);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let body = format!(
        "redis.call('SET', 'a', '1') pcall(function() {} end) {} return 'done'",
        spin_lua("300"),
        spin_lua("3000")
    );
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        c.try_cmd(&["EVAL", &body, "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    crate::support::eventually("the script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    assert_eq!(runner.join().unwrap().expect("the script's reply"), b"$4\r\ndone\r\n");
    assert_eq!(other.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
}

/// A slow loop inside a coroutine the script made cannot yield either: it has not written, so it is stopped and
/// run again off the event loop, where SCRIPT KILL reaches it.
#[test]
fn a_slow_loop_inside_a_script_coroutine_can_be_killed() {
    let server = server(100);
    let addr = server.addr();
    let mut other = Conn::connect(addr);
    let runner = std::thread::spawn(move || {
        let mut c = Conn::connect(addr);
        let body = "local co = coroutine.wrap(function() while true do end end) co()";
        c.try_cmd(&["EVAL", body, "0"], Duration::from_secs(20)).map(|r| r.to_vec())
    });
    crate::support::eventually("the script is busy", || other.cmd(&["PING"]).starts_with(b"-BUSY"));
    assert_eq!(other.cmd(&["SCRIPT", "KILL"]), b"+OK\r\n");
    let killed = runner.join().unwrap().expect("the script's client gets an error reply");
    assert!(String::from_utf8_lossy(&killed).contains("Script killed by user with SCRIPT KILL"));
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
}
