//! Load generator for what redis-benchmark cannot send: a MULTI / SET / INCR / EXEC transaction per round trip.
//! Used by scripts/bench-vs-redis.sh against both servers.
//!
//! Usage: tx_bench PORT CLIENTS TRANSACTIONS   -> prints "rps <transactions per second>"

use embedis::internals::protocol::frame_end;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

fn encode(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

/// Sends `rounds` transactions on one connection, each as one write, waiting for its four replies.
fn client(port: u16, id: usize, rounds: usize) -> std::io::Result<()> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_nodelay(true)?;
    let key = format!("tx:{id}");
    let mut request = encode(&["MULTI"]);
    request.extend(encode(&["SET", &key, "value"]));
    request.extend(encode(&["INCR", "tx:counter"]));
    request.extend(encode(&["EXEC"]));
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending = Vec::new();
    for _ in 0..rounds {
        s.write_all(&request)?;
        let mut replies = 0;
        while replies < 4 {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            pending.extend_from_slice(&buf[..n]);
            let mut at = 0;
            while let Some(end) = frame_end(&pending, at) {
                if pending.get(at) == Some(&b'-') {
                    return Err(std::io::Error::other(String::from_utf8_lossy(&pending[at..end]).into_owned()));
                }
                replies += 1;
                at = end;
            }
            pending.drain(..at);
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let [port, clients, transactions] = args[..] else {
        eprintln!("usage: tx_bench PORT CLIENTS TRANSACTIONS");
        std::process::exit(2);
    };
    let start = Instant::now();
    let threads: Vec<_> =
        (0..clients).map(|id| std::thread::spawn(move || client(port as u16, id, transactions / clients))).collect();
    for t in threads {
        if let Err(e) = t.join().unwrap_or_else(|_| Err(std::io::Error::other("client thread panicked"))) {
            eprintln!("tx_bench: {e}");
            std::process::exit(1);
        }
    }
    let done = transactions / clients * clients;
    println!("rps {:.0}", done as f64 / start.elapsed().as_secs_f64());
}
