//! Time from "start a server" to "first PONG over TCP", for:
//!   (a) an in-process server (`embedis::blocking::Server`), and the test kit's (`embedis::test::Server`,
//!       which also creates its temporary directory and log file),
//!   (b) the `embedis-server` release binary, plain and with `--test-mode yes` (waiting for its ready line)
//!       (needs `cargo build --release --bin embedis-server` first; skipped otherwise, or point
//!       `EMBEDIS_SERVER_BIN` at a binary),
//!   (c) `redis-server` from PATH, for reference (skipped if absent).
//!
//! Run: `cargo bench --bench startup`. Besides criterion's estimates it prints the median of every start.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Sends PING and waits for `+PONG`.
fn ping(addr: SocketAddr) -> std::io::Result<()> {
    let mut s = TcpStream::connect(addr)?;
    s.write_all(b"*1\r\n$4\r\nPING\r\n")?;
    let mut reply = [0u8; 7];
    s.read_exact(&mut reply)?;
    assert_eq!(&reply, b"+PONG\r\n");
    Ok(())
}

/// Retries `ping` until the server answers: for servers whose readiness we cannot observe otherwise.
fn ping_until_ready(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while ping(addr).is_err() {
        assert!(Instant::now() < deadline, "no PONG from {addr} within 10 s");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Kills a child server and reaps it, so no process outlives its measurement.
fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A port that was free a moment ago (redis-server cannot report a port it picked itself).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

fn embedis_binary() -> Option<PathBuf> {
    let path = match std::env::var_os("EMBEDIS_SERVER_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/embedis-server"),
    };
    path.exists().then_some(path)
}

/// Reads the server's log until `Running mode=standalone, port=N.` and returns N (None if the log ends first).
fn logged_port(out: &mut impl BufRead) -> Option<u16> {
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(rest) = line.strip_prefix("embedis ready port=") {
            return rest.split(' ').next()?.parse().ok();
        }
        if let Some(rest) = line.split("Running mode=standalone, port=").nth(1) {
            return rest.trim().trim_end_matches('.').parse().ok();
        }
    }
}

/// Starts the binary with port 0 (and `extra` arguments) and learns the port from its log, or from the ready
/// line of `--test-mode yes` (`embedis ready port=N pid=P`).
fn spawn_embedis(bin: &PathBuf, extra: &[&str]) -> (Child, SocketAddr, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(bin)
        .args(["--port", "0", "--bind", "127.0.0.1"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn embedis-server");
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    match logged_port(&mut out) {
        // Return the reader too: closing the pipe early could make the server's next log write fail.
        Some(port) => (child, SocketAddr::from(([127, 0, 0, 1], port)), out),
        None => {
            stop(child);
            panic!("embedis-server did not log its port");
        }
    }
}

fn spawn_redis(port: u16) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-server")
}

fn redis_available() -> bool {
    Command::new("redis-server").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Runs `start` (which returns the time to first PONG) under criterion and remembers each start's time,
/// so the median can be printed: criterion's own summary is a mean.
fn bench_starts(c: &mut Criterion, name: &str, mut start: impl FnMut() -> Duration) {
    let mut all = Vec::new();
    let mut g = c.benchmark_group("startup");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = start();
                all.push(t);
                total += t;
            }
            total
        })
    });
    g.finish();
    all.sort();
    let median = all[all.len() / 2];
    println!("startup/{name}: median {:.2} ms over {} starts", median.as_secs_f64() * 1e3, all.len());
}

fn bench_startup(c: &mut Criterion) {
    bench_starts(c, "in_process", || {
        let t = Instant::now();
        let server = embedis::blocking::Server::builder().port(0).bind("127.0.0.1").start().expect("start");
        ping(server.addr()).expect("PING the in-process server");
        let elapsed = t.elapsed();
        // Dropping the handle shuts the server down, outside the timing.
        drop(server);
        elapsed
    });

    bench_starts(c, "test_kit", || {
        let t = Instant::now();
        let server = embedis::test::Server::start();
        ping(server.addr()).expect("PING the test kit's server");
        let elapsed = t.elapsed();
        drop(server);
        elapsed
    });

    match embedis_binary() {
        Some(bin) => {
            for (name, extra) in
                [("embedis_server_binary", &[][..]), ("embedis_server_test_mode", &["--test-mode", "yes"])]
            {
                bench_starts(c, name, || {
                    let t = Instant::now();
                    let (child, addr, _stdout) = spawn_embedis(&bin, extra);
                    ping(addr).expect("PING embedis-server");
                    let elapsed = t.elapsed();
                    stop(child);
                    elapsed
                })
            }
        }
        None => println!(
            "startup/embedis_server_binary: skipped: target/release/embedis-server not found \
             (cargo build --release --bin embedis-server)"
        ),
    }

    if redis_available() {
        bench_starts(c, "redis_server", || {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let t = Instant::now();
            let child = spawn_redis(addr.port());
            ping_until_ready(addr);
            let elapsed = t.elapsed();
            stop(child);
            elapsed
        });
    } else {
        println!("startup/redis_server: skipped: redis-server not in PATH");
    }
}

criterion_group!(benches, bench_startup);
criterion_main!(benches);
