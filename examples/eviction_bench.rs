//! The maxmemory promise, measured (scripts/eviction-promise.sh runs it against embedis and redis-server):
//! writes BYTES of distinct keys (strings, hashes and sorted sets; values 10 B to 10 KB) into a server under
//! maxmemory, while four connections keep reading a hot set of HOT keys. Prints the writes refused, the hot
//! set's hit ratio, and the server's peak resident memory (sampled from /proc every 50 ms).
//!
//! Usage: eviction_bench PORT SERVER_PID BYTES HOT

use embedis::internals::protocol::frame_end;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Commands sent per round trip.
const PIPELINE: usize = 32;

/// Connections reading the hot set.
const READERS: u64 = 4;

fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Sends `request` (n commands) and returns the first byte of each reply.
fn round_trip(s: &mut TcpStream, request: &[u8], n: usize, pending: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    s.write_all(request)?;
    let mut kinds = Vec::with_capacity(n);
    let mut buf = vec![0u8; 256 * 1024];
    while kinds.len() < n {
        let read = s.read(&mut buf)?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        pending.extend_from_slice(&buf[..read]);
        let mut at = 0;
        while kinds.len() < n {
            let Some(end) = frame_end(pending, at) else { break };
            // `n` for a nil (`$-1`), else the reply's type byte.
            kinds.push(if pending[at..].starts_with(b"$-1\r\n") { b'n' } else { pending[at] });
            at = end;
        }
        pending.drain(..at);
    }
    Ok(kinds)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A value size between 10 B and 10 KB, spread evenly over the orders of magnitude.
fn value_size(rng: &mut fastrand::Rng) -> usize {
    (10f64 * 1000f64.powf(rng.f64())) as usize
}

fn main() -> std::io::Result<()> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let [port, pid, bytes, hot] = args[..] else {
        eprintln!("usage: eviction_bench PORT SERVER_PID BYTES HOT");
        std::process::exit(2);
    };
    let connect = || -> std::io::Result<TcpStream> {
        let s = TcpStream::connect(("127.0.0.1", port as u16))?;
        s.set_nodelay(true)?;
        Ok(s)
    };
    let mut writer = connect()?;
    let mut pending = Vec::new();
    // The hot set first.
    for chunk in (0..hot).collect::<Vec<_>>().chunks(PIPELINE) {
        let mut req = Vec::new();
        for i in chunk {
            encode(&mut req, &[b"SET", format!("hot:{i}").as_bytes(), &[b'h'; 100]]);
        }
        round_trip(&mut writer, &req, chunk.len(), &mut pending)?;
    }
    let done = Arc::new(AtomicBool::new(false));
    let (hits, reads) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    // Readers (several connections, as a web app's workers would read a cache) keep reading the hot set.
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (done, hits, reads) = (done.clone(), hits.clone(), reads.clone());
            let mut s = connect()?;
            Ok(std::thread::spawn(move || -> std::io::Result<()> {
                let mut rng = fastrand::Rng::with_seed(2 + r);
                let mut pending = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let mut req = Vec::new();
                    for _ in 0..PIPELINE {
                        encode(&mut req, &[b"GET", format!("hot:{}", rng.u64(..hot)).as_bytes()]);
                    }
                    let kinds = round_trip(&mut s, &req, PIPELINE, &mut pending)?;
                    hits.fetch_add(kinds.iter().filter(|k| **k == b'$').count() as u64, Ordering::Relaxed);
                    reads.fetch_add(PIPELINE as u64, Ordering::Relaxed);
                }
                Ok(())
            }))
        })
        .collect::<std::io::Result<_>>()?;
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid as u32), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let mut rng = fastrand::Rng::with_seed(1);
    let (mut written, mut refused, mut key) = (0u64, 0u64, 0u64);
    while written < bytes {
        let mut req = Vec::new();
        for _ in 0..PIPELINE {
            key += 1;
            let name = format!("cold:{key}");
            match key % 5 {
                0..=2 => {
                    let v = vec![b'x'; value_size(&mut rng)];
                    written += v.len() as u64;
                    encode(&mut req, &[b"SET", name.as_bytes(), &v]);
                }
                3 => {
                    let fields: Vec<Vec<u8>> = (0..5).map(|_| vec![b'y'; value_size(&mut rng) / 5]).collect();
                    let mut cmd: Vec<&[u8]> = vec![b"HSET", name.as_bytes()];
                    for (i, f) in fields.iter().enumerate() {
                        cmd.push([b"f0", b"f1", b"f2", b"f3", b"f4"][i]);
                        cmd.push(f);
                        written += f.len() as u64;
                    }
                    encode(&mut req, &cmd);
                }
                _ => {
                    let members: Vec<Vec<u8>> =
                        (0..5).map(|i| format!("{i}:{}", "m".repeat(value_size(&mut rng) / 5)).into_bytes()).collect();
                    let mut cmd: Vec<&[u8]> = vec![b"ZADD", name.as_bytes()];
                    for m in &members {
                        cmd.push(b"1");
                        cmd.push(m);
                        written += m.len() as u64;
                    }
                    encode(&mut req, &cmd);
                }
            }
        }
        let kinds = round_trip(&mut writer, &req, PIPELINE, &mut pending)?;
        refused += kinds.iter().filter(|k| **k == b'-').count() as u64;
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        let _ = reader.join();
    }
    let _ = sampler.join();
    let (h, r) = (hits.load(Ordering::Relaxed), reads.load(Ordering::Relaxed));
    println!("written_bytes {written}");
    println!("keys {key}");
    println!("refused {refused}");
    println!("hot_hit_ratio {:.4}", h as f64 / r.max(1) as f64);
    println!("hot_reads {r}");
    println!("peak_rss_mib {:.1}", peak.load(Ordering::Relaxed) as f64 / 1024.0);
    Ok(())
}
