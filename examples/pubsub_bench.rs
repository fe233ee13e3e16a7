//! Pub/Sub load generator for scripts/bench-vs-redis.sh: SUBSCRIBERS connections subscribed to one channel
//! read everything, while PUBLISHERS connections publish MESSAGES in total, one round trip each.
//!
//! Usage: pubsub_bench PORT SUBSCRIBERS PUBLISHERS MESSAGES
//!   -> prints "rps <publishes per second>" and "delivered <messages received per second, all subscribers>"

use embedis::internals::protocol::frame_end;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::Instant;

const CHANNEL: &str = "bench:channel";
const PAYLOAD: &str = "0123456789abcdef0123456789abcdef";

fn encode(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

fn connect(port: u16) -> std::io::Result<TcpStream> {
    let s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// Reads complete frames until `count` of them arrived.
fn read_frames(s: &mut TcpStream, count: usize, pending: &mut Vec<u8>) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = 0;
    loop {
        let mut at = 0;
        while seen < count {
            let Some(end) = frame_end(pending, at) else { break };
            if pending.get(at) == Some(&b'-') {
                return Err(std::io::Error::other(String::from_utf8_lossy(&pending[at..end]).into_owned()));
            }
            seen += 1;
            at = end;
        }
        pending.drain(..at);
        if seen == count {
            return Ok(());
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        pending.extend_from_slice(&buf[..n]);
    }
}

fn subscriber(port: u16, messages: usize, ready: Arc<Barrier>) -> std::io::Result<()> {
    let mut s = connect(port)?;
    let mut pending = Vec::new();
    s.write_all(&encode(&["SUBSCRIBE", CHANNEL]))?;
    read_frames(&mut s, 1, &mut pending)?;
    ready.wait();
    read_frames(&mut s, messages, &mut pending)
}

fn publisher(port: u16, messages: usize, ready: Arc<Barrier>) -> std::io::Result<()> {
    let mut s = connect(port)?;
    let request = encode(&["PUBLISH", CHANNEL, PAYLOAD]);
    let mut pending = Vec::new();
    ready.wait();
    for _ in 0..messages {
        s.write_all(&request)?;
        read_frames(&mut s, 1, &mut pending)?;
    }
    Ok(())
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let [port, subscribers, publishers, messages] = args[..] else {
        eprintln!("usage: pubsub_bench PORT SUBSCRIBERS PUBLISHERS MESSAGES");
        std::process::exit(2);
    };
    let port = port as u16;
    let per_publisher = messages / publishers.max(1);
    let total = per_publisher * publishers;
    // Everyone connected and subscribed before the clock starts.
    let ready = Arc::new(Barrier::new(subscribers + publishers + 1));
    let mut threads = Vec::new();
    for _ in 0..subscribers {
        let ready = ready.clone();
        threads.push(std::thread::spawn(move || subscriber(port, total, ready)));
    }
    for _ in 0..publishers {
        let ready = ready.clone();
        threads.push(std::thread::spawn(move || publisher(port, per_publisher, ready)));
    }
    ready.wait();
    let start = Instant::now();
    for t in threads {
        if let Err(e) = t.join().unwrap_or_else(|_| Err(std::io::Error::other("thread panicked"))) {
            eprintln!("pubsub_bench: {e}");
            std::process::exit(1);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("rps {:.0}", total as f64 / secs);
    println!("delivered {:.0}", (total * subscribers) as f64 / secs);
}
