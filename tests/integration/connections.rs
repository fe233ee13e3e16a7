//! Connections: pipelining, protocol errors, limits, client management.

use crate::support::Conn;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn server_with(config: impl FnOnce(&mut embedis::Config)) -> embedis::blocking::ServerHandle {
    let mut c = embedis::Config { loglevel: embedis::config::LogLevel::Nothing, ..embedis::Config::default() };
    config(&mut c);
    embedis::blocking::Server::builder().with_config(c).port(0).bind("127.0.0.1").start().expect("start")
}

/// Reads until the server closes the connection; everything it sent.
fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn ten_thousand_pipelined_commands_get_ten_thousand_ordered_replies() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    let mut burst = Vec::new();
    for i in 0..10_000 {
        let v = i.to_string();
        burst.extend_from_slice(format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n{}\r\n", v.len(), v).as_bytes());
        burst.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n");
    }
    burst.extend_from_slice(b"*1\r\n$4\r\nQUIT\r\n");
    s.write_all(&burst).unwrap();
    let got = read_to_close(&mut s);
    let mut want = Vec::new();
    for i in 0..10_000 {
        want.extend_from_slice(format!("+OK\r\n:{}\r\n", i + 1).as_bytes());
    }
    want.extend_from_slice(b"+OK\r\n");
    assert_eq!(got.len(), want.len());
    assert!(got == want, "replies out of order");
}

#[test]
fn a_protocol_error_closes_only_that_client() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut good = Conn::connect(server.addr());
    good.cmd(&["SET", "k", "v"]);
    let mut bad = TcpStream::connect(server.addr()).unwrap();
    bad.write_all(b"*1\r\n$4\r\nPING\r\n*1\r\nx\r\n").unwrap();
    assert_eq!(read_to_close(&mut bad), b"+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
    assert_eq!(good.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
}

#[test]
fn huge_claimed_lengths_are_rejected_or_wait_without_allocating() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"*1\r\n$536870913\r\n").unwrap();
    assert_eq!(read_to_close(&mut s), b"-ERR Protocol error: invalid bulk length\r\n");
    // A multibulk that claims two billion arguments just waits for them; the server keeps serving others.
    let mut greedy = TcpStream::connect(server.addr()).unwrap();
    greedy.write_all(b"*2147483647\r\n$1\r\na\r\n").unwrap();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn inline_commands_work_like_typing_into_telnet() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"SET greeting \"hello world\"\r\nGET greeting\nQUIT\r\n").unwrap();
    assert_eq!(read_to_close(&mut s), b"+OK\r\n$11\r\nhello world\r\n+OK\r\n");
}

#[test]
fn maxclients_refuses_the_next_client_with_redis_error() {
    let server = server_with(|c| c.maxclients = 2);
    let mut a = Conn::connect(server.addr());
    let mut b = Conn::connect(server.addr());
    assert_eq!(a.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(b.cmd(&["PING"]), b"+PONG\r\n");
    let mut third = TcpStream::connect(server.addr()).unwrap();
    assert_eq!(read_to_close(&mut third), b"-ERR max number of clients reached\r\n");
    drop(a);
    // The slot is free again once the server has noticed the close.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut c = TcpStream::connect(server.addr()).unwrap();
        c.write_all(b"PING\r\n").unwrap();
        let mut buf = [0u8; 7];
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        if c.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n" {
            break;
        }
        assert!(Instant::now() < deadline, "slot never freed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let server = server_with(|c| c.timeout = 1);
    let mut idle = TcpStream::connect(server.addr()).unwrap();
    idle.write_all(b"PING\r\n").unwrap();
    // The idle check runs once a second on the server's clock; the test clock makes the wait short.
    server.advance_time(Duration::from_secs(5));
    let got = read_to_close(&mut idle);
    assert_eq!(got, b"+PONG\r\n");
}

#[test]
fn client_kill_closes_the_other_connection() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut victim = TcpStream::connect(server.addr()).unwrap();
    victim.write_all(b"CLIENT ID\r\n").unwrap();
    let mut buf = [0u8; 64];
    victim.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = victim.read(&mut buf).unwrap();
    let id = std::str::from_utf8(&buf[1..n - 2]).unwrap().to_string();
    let mut killer = Conn::connect(server.addr());
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "ID", &id]), b":1\r\n");
    assert_eq!(read_to_close(&mut victim), b"");
    assert_eq!(killer.cmd(&["CLIENT", "KILL", "ID", &id]), b":0\r\n");
}

#[test]
fn query_buffer_limit_closes_the_client() {
    let server = server_with(|c| c.client_query_buffer_limit = 1 << 20);
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"*2\r\n$3\r\nGET\r\n$3000000\r\n").unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..32 {
        if s.write_all(&chunk).is_err() {
            break;
        }
    }
    assert_eq!(read_to_close(&mut s), b"");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn resp3_after_hello_3() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    let hello = c.cmd(&["HELLO", "3"]);
    assert!(hello.starts_with(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), "{}", String::from_utf8_lossy(&hello));
    c.set_resp3(true);
    assert_eq!(c.cmd(&["GET", "missing"]), b"_\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "databases"]), b"%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
    assert_eq!(c.cmd(&["RESET"]), b"+RESET\r\n");
    c.set_resp3(false);
    assert_eq!(c.cmd(&["GET", "missing"]), b"$-1\r\n");
}

#[test]
fn client_setinfo_is_answered_as_redis_7_2() {
    let server = embedis::blocking::Server::start().unwrap();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "lib-name", "go-redis"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "LIB-VER", "9.0.0"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "lib-name", "a b"]),
        b"-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    );
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "foo", "bar"]), b"-ERR Unrecognized option 'foo'\r\n");
    let info = c.cmd(&["CLIENT", "INFO"]);
    assert!(String::from_utf8_lossy(&info).contains(" lib-name=go-redis lib-ver=9.0.0"));
}

/// A count no reply could ever hold (redis-server 7.0.15 builds it for as long as memory lasts, holding every
/// other client meanwhile): the client is closed at once, others are answered, the data is untouched.
#[test]
fn a_random_pick_count_no_reply_could_hold_closes_the_client_at_once() {
    let server = server_with(|_| {});
    let mut other = Conn::connect(server.addr());
    assert_eq!(other.cmd(&["SADD", "s", "a", "b"]), b":2\r\n");
    assert_eq!(other.cmd(&["HSET", "h", "f", "v"]), b":1\r\n");
    assert_eq!(other.cmd(&["ZADD", "z", "1", "m"]), b":1\r\n");
    for pick in [
        &["SRANDMEMBER", "s", "-4611686018427387905"][..],
        &["HRANDFIELD", "h", "-4611686018427387905"],
        &["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"],
        &["ZRANDMEMBER", "z", "-4611686018427387904"],
        &["ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"],
    ] {
        let mut picker = TcpStream::connect(server.addr()).unwrap();
        picker.write_all(&crate::support::conn::encode_command(pick)).unwrap();
        assert_eq!(read_to_close(&mut picker), b"", "{pick:?}");
        assert_eq!(other.try_cmd(&["PING"], Duration::from_secs(2)).unwrap(), b"+PONG\r\n", "{pick:?}");
    }
    assert_eq!(other.cmd(&["SCARD", "s"]), b":2\r\n");
}

/// `port 0` is redis-server's "no TCP": a unix-socket-only configuration opens no TCP port (the log says port=0,
/// INFO tcp_port:0, and CONFIG SET port then opens one, as Redis does). The builder's `port(0)` (and the binary's
/// `--port auto`) is what asks for a free port.
#[test]
fn port_0_means_no_tcp_listener() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("e.sock");
    let config = embedis::Config {
        port: 0,
        unixsocket: Some(sock.clone()),
        loglevel: embedis::config::LogLevel::Nothing,
        ..embedis::Config::default()
    };
    let server = embedis::blocking::Server::builder().with_config(config).start().expect("start");
    assert_eq!(server.addr().port(), 0, "no TCP address");
    let ask = |s: &mut std::os::unix::net::UnixStream, command: &[u8]| {
        s.write_all(command).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = vec![0; 1 << 16];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    let info = ask(&mut s, b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n");
    assert!(info.contains("tcp_port:0\r\n"), "{info}");
    assert_eq!(ask(&mut s, b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nport\r\n"), "*2\r\n$4\r\nport\r\n$1\r\n0\r\n");
    // Nothing listens on TCP: a port that was free before the start is still free.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let set = format!("*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$4\r\nport\r\n${}\r\n{port}\r\n", port.to_string().len());
    assert_eq!(ask(&mut s, set.as_bytes()), "+OK\r\n");
    let mut tcp = Conn::connect(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    assert_eq!(tcp.cmd(&["PING"]), b"+PONG\r\n");
}
