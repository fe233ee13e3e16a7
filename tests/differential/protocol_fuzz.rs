//! A seeded fuzzer of the request parser against redis-server: malformed RESP and inline input (bad counts and
//! lengths, numbers that overflow, missing CRLF, wrong type bytes, NULs, huge claimed lengths, truncated frames,
//! inline and multibulk mixed, the limits before AUTH) goes to both servers, each case on a fresh connection,
//! and every reply byte must match. After each case both servers must still answer on a new connection, and
//! the process's memory (embedis runs in it) must stay bounded, whatever lengths the input claimed.
//!
//! A case is sent (sometimes in pieces, a few ms apart), then, once the servers are quiet, a tail (`\r\n` + PING) and a half-close: the tail's
//! reply shows whether the connection was still usable (a protocol error closes it, so no PONG), without
//! depending on timing. Whatever the case left half-parsed swallows the tail identically on both sides.
//!
//! `PROTO_FUZZ_CASES` (default 300) sets the number of cases, `PROTO_FUZZ_SEED` the seed (default: the
//! time), `PROTO_FUZZ_CASE` runs the one case of that index (to replay a failure); `scripts/proto-fuzz.sh`
//! runs long sessions.

use crate::support::{self, RedisServer, ServerOptions};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a server may stay silent before the tail is sent.
const QUIET: Duration = Duration::from_millis(40);
/// A case that has not ended this long after the half-close is a hung server.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);
/// What the tail is: it ends an inline line and asks for a PONG.
const TAIL: &[u8] = b"\r\n*1\r\n$4\r\nPING\r\n";
/// Cases run on this many connections at once (each case has its own keys).
const WORKERS: usize = 8;
/// How much the process may grow over a run: claimed lengths must never be allocated up front.
const RSS_GROWTH_LIMIT: u64 = 512 << 20;
const PASSWORD: &str = "pw";

#[test]
fn protocol_fuzz_against_redis() {
    let cases = env_usize("PROTO_FUZZ_CASES").unwrap_or(300);
    run_fuzz("protocol_fuzz", &ServerOptions::default(), cases);
}

#[test]
fn protocol_fuzz_before_auth() {
    let cases = env_usize("PROTO_FUZZ_CASES").unwrap_or(300) / 3;
    run_fuzz("protocol_fuzz_before_auth", &ServerOptions { requirepass: Some(PASSWORD.into()) }, cases);
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn run_fuzz(name: &str, options: &ServerOptions, cases: usize) {
    let Some(oracle) = RedisServer::start_with(options) else { return };
    let target = super::Target::start(options);
    let seed = std::env::var("PROTO_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let only = env_usize("PROTO_FUZZ_CASE");
    let auth = options.requirepass.is_some();
    let (oracle_addr, target_addr) = (oracle.addr(), target.addr());
    let rss_start = rss_bytes();
    let next = AtomicUsize::new(only.unwrap_or(0));
    let end = only.map_or(cases, |i| i + 1);
    let failures = Mutex::new(Vec::new());
    let rss_peak = Mutex::new(rss_start);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= end || failures.lock().unwrap().len() >= 3 {
                    return;
                }
                let input = generate(seed, index, auth);
                if let Err(report) = run_case(&input, oracle_addr, target_addr, auth) {
                    failures.lock().unwrap().push(format!(
                        "case {index} (replay: PROTO_FUZZ_SEED={seed} PROTO_FUZZ_CASE={index}):\n  input:  {}\n{report}",
                        shown(&input.bytes)
                    ));
                }
                if index.is_multiple_of(16) {
                    let mut peak = rss_peak.lock().unwrap();
                    *peak = (*peak).max(rss_bytes());
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{name}, seed {seed}: {} failing case(s)\n{}", failures.len(), failures.join("\n"));
    let growth = rss_peak.into_inner().unwrap().max(rss_bytes()).saturating_sub(rss_start);
    assert!(growth < RSS_GROWTH_LIMIT, "{name}, seed {seed}: the process grew by {growth} bytes");
    eprintln!("{name}: {} case(s), seed {seed}, rss growth {} KiB", end - only.unwrap_or(0), growth >> 10);
}

/// The resident set of this process (embedis runs in it), from /proc; 0 where there is none.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().strip_suffix("kB"));
    kb.and_then(|v| v.trim().parse::<u64>().ok()).map_or(0, |kb| kb << 10)
}

/// One generated case.
struct Input {
    bytes: Vec<u8>,
    /// Where the bytes are cut into separate writes (a few ms apart), so requests arrive in pieces.
    cuts: Vec<usize>,
    /// It holds a line past the 64 KB limit: wait before the tail, so each server sees the line alone (the
    /// limit is checked per read).
    oversized: bool,
}

/// What one server did with a case.
#[derive(PartialEq)]
struct Outcome {
    replies: Vec<u8>,
    /// Closed before the tail was sent (for the report; the tail's reply is what is compared).
    closed_early: bool,
}

fn run_case(input: &Input, oracle: SocketAddr, target: SocketAddr, auth: bool) -> Result<(), String> {
    let (expected, actual) = std::thread::scope(|scope| {
        let expected = scope.spawn(|| exchange(oracle, input));
        let actual = scope.spawn(|| exchange(target, input));
        (expected.join().expect("oracle exchange"), actual.join().expect("target exchange"))
    });
    let mut report = String::new();
    match (&expected, &actual) {
        (Err(e), _) => report += &format!("  redis-server: {e}\n"),
        (_, Err(e)) => report += &format!("  embedis: {e}\n"),
        _ => {}
    }
    if let (Ok(expected), Ok(actual)) = (expected, actual) {
        compare_outcomes(&expected, &actual, &mut report);
    }
    // Both must still serve a new connection (checked after a failed exchange too, to tell a stalled server
    // from a stalled connection).
    let alive = |addr| ping(addr, auth).map_err(|e| format!("  no answer on a new connection to {addr}: {e}\n"));
    let (a, b) = (alive(oracle), alive(target));
    if let Err(e) = a.clone().and(b.clone()) {
        report += &e;
    } else if a != b {
        report += &format!("  new connection: redis-server {a:?}, embedis {b:?}\n");
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(report)
    }
}

fn compare_outcomes(expected: &Outcome, actual: &Outcome, report: &mut String) {
    if expected.replies != actual.replies {
        *report += &format!(
            "  redis-server: {}{}\n  embedis:      {}{}\n",
            shown(&expected.replies),
            if expected.closed_early { " (closed)" } else { "" },
            shown(&actual.replies),
            if actual.closed_early { " (closed)" } else { "" }
        );
    }
}

/// Sends the case, waits for quiet, sends the tail and half-closes, and reads until the server closes.
fn exchange(addr: SocketAddr, input: &Input) -> Result<Outcome, String> {
    let mut stream = TcpStream::connect_timeout(&addr, support::REPLY_TIMEOUT).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(support::REPLY_TIMEOUT)).map_err(|e| e.to_string())?;
    let mut replies = Vec::new();
    // A server that closed may reset the connection under a write: what it sent before still counts.
    let mut sent = 0;
    for &cut in input.cuts.iter().chain(std::iter::once(&input.bytes.len())) {
        if sent > 0 {
            std::thread::sleep(Duration::from_millis(3));
        }
        let _ = stream.write_all(&input.bytes[sent..cut]);
        sent = cut;
    }
    if input.oversized {
        std::thread::sleep(Duration::from_millis(150));
    }
    let closed_early = read_until(&mut stream, &mut replies, Instant::now() + CASE_TIMEOUT, Some(QUIET))?;
    if !closed_early {
        let _ = stream.write_all(TAIL);
        let _ = stream.shutdown(Shutdown::Write);
        if !read_until(&mut stream, &mut replies, Instant::now() + CASE_TIMEOUT, None)? {
            return Err(format!("still open {CASE_TIMEOUT:?} after the half-close; got {}", shown(&replies)));
        }
    }
    Ok(Outcome { replies, closed_early })
}

/// Reads into `out` until the server closes (true), or, with `quiet`, until it is silent that long (false).
fn read_until(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    deadline: Instant,
    quiet: Option<Duration>,
) -> Result<bool, String> {
    let mut buf = [0u8; 16384];
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        let wait = quiet.unwrap_or(deadline - now).min(deadline - now);
        stream.set_read_timeout(Some(wait.max(Duration::from_millis(1)))).map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if quiet.is_some() {
                    return Ok(false);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe) => return Ok(true),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// A PING on a new connection: its reply line.
fn ping(addr: SocketAddr, auth: bool) -> Result<Vec<u8>, String> {
    let mut stream = TcpStream::connect_timeout(&addr, support::REPLY_TIMEOUT).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(support::REPLY_TIMEOUT)).map_err(|e| e.to_string())?;
    let request: &[u8] = if auth { b"AUTH pw\r\nPING\r\n" } else { b"PING\r\n" };
    stream.write_all(request).map_err(|e| e.to_string())?;
    let expected: &[u8] = if auth { b"+OK\r\n+PONG\r\n" } else { b"+PONG\r\n" };
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.len() < expected.len() {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return Err(e.to_string()),
        }
    }
    if got == expected {
        Ok(got)
    } else {
        Err(format!("got {}", shown(&got)))
    }
}

fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 600;
    let escaped = bytes.escape_ascii().to_string();
    if escaped.len() <= MAX {
        format!("\"{escaped}\"")
    } else {
        format!("\"{}\"... ({} bytes)", &escaped[..MAX], bytes.len())
    }
}

// ---------------------------------------------------------------------------------------------------------
// The generator.

/// splitmix64: small, seedable, and the same everywhere, so a seed and an index replay a case.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: usize) -> Rng {
        let mut rng = Rng(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes that matter to the parser, the splitter and error texts, among ordinary ones.
const SPECIAL: &[u8] = b"\0\r\n\t\x0b\x0c \"'\\x*$:+-0123456789\x80\xff";

fn byte(rng: &mut Rng) -> u8 {
    match rng.below(10) {
        0..=4 => b'a' + rng.below(26) as u8,
        5..=8 => *rng.pick(SPECIAL),
        _ => rng.next() as u8,
    }
}

fn word(rng: &mut Rng, max: usize) -> Vec<u8> {
    let len = rng.below(max + 1);
    (0..len).map(|_| byte(rng)).collect()
}

/// Numbers as Redis's string2ll sees them, valid or not.
fn number(rng: &mut Rng, around: i64) -> Vec<u8> {
    let weird: &[&[u8]] = &[
        b"",
        b"-",
        b"+1",
        b"01",
        b"-0",
        b" 1",
        b"1 ",
        b"1x",
        b"0x10",
        b"2147483647",
        b"2147483648",
        b"-2147483649",
        b"9223372036854775807",
        b"9223372036854775808",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b"99999999999999999999",
        b"536870912",
        b"536870913",
        b"16384",
        b"16385",
        b"10",
        b"11",
        b"1.0",
        b"1e3",
    ];
    match rng.below(10) {
        0..=5 => (around + rng.below(3) as i64 - 1).to_string().into_bytes(),
        6..=8 => rng.pick(weird).to_vec(),
        _ => word(rng, 6),
    }
}

/// A command from a small set whose replies are the same on both servers, however the damage done to it
/// drops or adds arguments (no client ids: no HELLO, no CLIENT; keys of its own case only).
fn command(rng: &mut Rng, key: &[u8], auth: bool) -> Vec<Vec<u8>> {
    let w = |rng: &mut Rng| word(rng, 12);
    let v = |items: &[&[u8]]| items.iter().map(|a| a.to_vec()).collect::<Vec<_>>();
    match rng.below(if auth { 22 } else { 20 }) {
        0 => v(&[b"PING"]),
        1 => vec![b"PING".to_vec(), w(rng)],
        2 => vec![b"ECHO".to_vec(), w(rng)],
        3 => vec![b"SET".to_vec(), key.to_vec(), w(rng)],
        4 => vec![b"GET".to_vec(), key.to_vec()],
        5 => vec![b"INCR".to_vec(), key.to_vec()],
        6 => vec![b"APPEND".to_vec(), key.to_vec(), w(rng)],
        7 => vec![b"EXPIRE".to_vec(), key.to_vec(), number(rng, 10), w(rng)],
        8 => v(&[b"GET"]),
        9 => {
            // Unknown: the name and arguments are echoed in the error (cut at 128 bytes and at a NUL).
            let mut name = b"fz".to_vec();
            name.extend(word(rng, 8));
            let mut args = vec![name];
            args.extend((0..rng.below(5)).map(|_| word(rng, 60)));
            args
        }
        10 => vec![b"CONFIG".to_vec(), w(rng)],
        11 => vec![b"OBJECT".to_vec(), w(rng), key.to_vec()],
        12 => v(&[b"MULTI"]),
        13 => v(&[b"EXEC"]),
        14 => v(&[b"DISCARD"]),
        15 => v(&[b"QUIT"]),
        16 => vec![b"ECHO".to_vec(), vec![b'e'; rng.below(20000)]],
        17 => vec![b"GETRANGE".to_vec(), key.to_vec(), number(rng, 0), number(rng, -1)],
        18 => vec![b"SET".to_vec(), key.to_vec(), w(rng), w(rng)],
        19 => vec![b"STRLEN".to_vec(), key.to_vec(), w(rng)],
        20 => v(&[b"AUTH", PASSWORD.as_bytes()]),
        _ => vec![b"AUTH".to_vec(), w(rng)],
    }
}

/// One command as a multibulk frame, maybe damaged.
fn multibulk(rng: &mut Rng, args: &[Vec<u8>], auth: bool) -> Vec<u8> {
    let mut out = b"*".to_vec();
    if rng.chance(8) {
        out.extend(number(rng, args.len() as i64));
    } else if auth && rng.chance(10) {
        out.extend(number(rng, 10));
    } else {
        out.extend(args.len().to_string().as_bytes());
    }
    out.extend(line_end(rng));
    for arg in args {
        if rng.chance(4) {
            out.push(byte(rng));
        } else {
            out.push(b'$');
        }
        if rng.chance(6) {
            out.extend(number(rng, arg.len() as i64));
        } else if auth && rng.chance(5) {
            out.extend(number(rng, 16384));
        } else {
            out.extend(arg.len().to_string().as_bytes());
        }
        out.extend(line_end(rng));
        out.extend(arg);
        if rng.chance(5) {
            out.extend([byte(rng), byte(rng)]);
        } else {
            out.extend(b"\r\n");
        }
    }
    out
}

/// Usually CRLF; sometimes not quite.
fn line_end(rng: &mut Rng) -> Vec<u8> {
    match rng.below(40) {
        0 => b"\n".to_vec(),
        1 => b"\r".to_vec(),
        2 => b"\rx".to_vec(),
        3 => vec![],
        4 => b"\0\r\n".to_vec(),
        _ => b"\r\n".to_vec(),
    }
}

/// One command as an inline line, with sdssplitargs's quoting and separators.
fn inline(rng: &mut Rng, args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.chance(20) {
        out.extend(separator(rng));
    }
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.extend(separator(rng));
        }
        match rng.below(6) {
            0 => {
                out.push(b'"');
                for &c in arg {
                    match c {
                        b'"' | b'\\' => out.extend([b'\\', c]),
                        b'\r' => out.extend(b"\\r"),
                        b'\n' => out.extend(b"\\n"),
                        c if !(0x20..=0x7e).contains(&c) => out.extend(format!("\\x{c:02x}").as_bytes()),
                        c => out.push(c),
                    }
                }
                if !rng.chance(5) {
                    out.push(b'"');
                }
            }
            1 => {
                out.push(b'\'');
                for &c in arg {
                    if c == b'\'' {
                        out.extend(b"\\'");
                    } else {
                        out.push(c);
                    }
                }
                if !rng.chance(5) {
                    out.push(b'\'');
                }
            }
            // Raw: whatever the bytes do to the splitter.
            _ => out.extend(arg),
        }
    }
    if rng.chance(15) {
        out.extend(separator(rng));
    }
    out.extend(if rng.chance(30) { &b"\n"[..] } else { b"\r\n" });
    out
}

fn separator(rng: &mut Rng) -> &'static [u8] {
    const SEPARATORS: &[&[u8]] = &[b" ", b" ", b"  ", b"\t", b"\x0b", b"\x0c", b" \x0b", b"\r "];
    rng.pick::<&[u8]>(SEPARATORS)
}

/// Pieces that are malformed on purpose.
fn junk(rng: &mut Rng) -> Vec<u8> {
    let fixed: &[&[u8]] = &[
        b"*0\r\n",
        b"*-1\r\n",
        b"*-5\r\n",
        b"\r\n",
        b"\n",
        b"*\r\n",
        b"*abc\r\n",
        b"*1\r\n$-1\r\n",
        b"*1\r\n$\r\n",
        b"*1\r\n:1\r\n",
        b"*1\r\n\r\r\n",
        b"*1\r\n\n\r\n",
        b"*1\r\n\x80\r\n",
        b"*1\r\n\x00\r\n",
        b"*2147483647\r\n",
        b"*2147483648\r\n",
        b"*1048577\r\n",
        b"*1\r\n$536870912\r\n",
        b"*1\r\n$536870913\r\n",
        b"*1\r\n$2147483648\r\n",
        b"*3\r\n$3\r\nSET\r\n",
        b"+PING\r\n",
        b"-ERR\r\n",
        b":1\r\n",
        b"$4\r\nPING\r\n",
        b"\"unbalanced\r\n",
        b"'a'b\r\n",
        b"\x00\r\n",
        b"PI\x00NG\r\n",
        b"*1\r\n$4\r\nPI\x00G\r\n",
        b"*11\r\n",
        b"*10\r\n",
        b"*1\r\n$16385\r\n",
        b"*1\r\n$16384\r\n",
    ];
    if rng.chance(60) {
        return rng.pick(fixed).to_vec();
    }
    let mut out = vec![*rng.pick(b"*$:+-\"' ")];
    out.extend(word(rng, 16));
    out
}

/// Lines past PROTO_INLINE_MAX_SIZE (64 KB) with no end: well past it, so every server has read beyond the
/// limit before the tail arrives, however its reads are cut.
fn oversized(rng: &mut Rng) -> Vec<u8> {
    let long = vec![b'1'; 100 * 1024];
    const PREFIXES: &[&[u8]] = &[b"", b"*", b"*1\r\n$", b"*2\r\n$4\r\nECHO\r\n$", b"x\x00", b"*1\x00"];
    let prefix = *rng.pick(PREFIXES);
    [prefix, &long].concat()
}

fn generate(seed: u64, index: usize, auth: bool) -> Input {
    let mut rng = Rng::new(seed, index);
    let key = format!("fz:{index}").into_bytes();
    let mut bytes = Vec::new();
    let pieces = 1 + rng.below(6);
    for _ in 0..pieces {
        match rng.below(10) {
            0..=3 => {
                let args = command(&mut rng, &key, auth);
                bytes.extend(multibulk(&mut rng, &args, auth));
            }
            4..=6 => {
                let args = command(&mut rng, &key, auth);
                bytes.extend(inline(&mut rng, &args));
            }
            _ => bytes.extend(junk(&mut rng)),
        }
    }
    // A few random bytes changed, inserted or dropped.
    if rng.chance(30) && !bytes.is_empty() {
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = byte(&mut rng),
                1 => bytes.insert(at, byte(&mut rng)),
                _ => {
                    bytes.remove(at);
                }
            }
            if bytes.is_empty() {
                break;
            }
        }
    }
    // Cut short.
    if rng.chance(15) {
        let cut = rng.below(bytes.len() + 1);
        bytes.truncate(cut);
    }
    let mut cuts: Vec<usize> = (0..rng.below(3)).map(|_| rng.below(bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let oversized = rng.chance(2);
    if oversized {
        bytes.extend(self::oversized(&mut rng));
    }
    Input { bytes, cuts, oversized }
}
