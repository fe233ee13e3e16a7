//! Micro-benchmarks of the request/reply hot path, without sockets: RESP decoding, reply encoding and
//! command dispatch on a populated keyspace.
//!
//! Run: `cargo bench --bench protocol` (add `-- decode` etc. to filter).

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use embedis::internals::engine::Engine;
use embedis::internals::protocol::{Limits, Next, Out, RequestParser};

/// Redis's defaults for an authenticated client.
const LIMITS: Limits = Limits { max_bulk: 512 << 20, unauthenticated: false };
const BATCH: usize = 100;
const KEYS: usize = 10_000;

/// One RESP multibulk command, as a client library would send it.
fn resp_command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A pipelined batch of `BATCH` commands on distinct keys: `SET key:NNNN value` or `GET key:NNNN`.
fn pipelined_batch(set: bool) -> Vec<u8> {
    let mut buf = Vec::new();
    for i in 0..BATCH {
        let key = format!("key:{i:04}");
        let cmd = if set {
            resp_command(&[b"SET", key.as_bytes(), b"value"])
        } else {
            resp_command(&[b"GET", key.as_bytes()])
        };
        buf.extend_from_slice(&cmd);
    }
    buf
}

/// Parses every command in `buf` and materialises its argv the way the connection loop does (one argv
/// vector per command); returns the total argument count so the work cannot be optimised away.
fn decode_all(parser: &mut RequestParser, buf: &[u8]) -> usize {
    let mut total = 0;
    loop {
        match parser.parse(buf, &LIMITS) {
            Next::Command => {
                let mut argv = Vec::with_capacity(parser.argc());
                parser.argv(buf, &mut argv);
                total += black_box(&argv).len();
            }
            Next::Incomplete => break,
            Next::Error(e) => panic!("bench input is valid RESP: {e:?}"),
        }
    }
    // Rewind the parser to the start of the (unchanged) buffer for the next iteration.
    parser.take_consumed();
    total
}

fn bench_decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(BATCH as u64));
    let inputs = [
        ("resp_set_x100", pipelined_batch(true)),
        ("resp_get_x100", pipelined_batch(false)),
        ("inline_set_x100", b"SET key:0001 \"some value\"\r\n".repeat(BATCH)),
    ];
    for (name, buf) in inputs {
        let mut parser = RequestParser::new();
        g.bench_function(name, |b| b.iter(|| decode_all(&mut parser, black_box(&buf))));
    }
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode");
    let value = [b'x'; 32];
    let mut out = Out::new(false);
    // Clearing (not reallocating) the buffer each time matches the server, which reuses its output buffer.
    g.bench_function("bulk_32b", |b| {
        b.iter(|| {
            out.buf.clear();
            out.bulk(black_box(&value));
        })
    });
    g.bench_function("int", |b| {
        b.iter(|| {
            out.buf.clear();
            out.int(black_box(1_234_567_890));
        })
    });
    g.bench_function("array_100_bulks", |b| {
        b.iter(|| {
            out.buf.clear();
            out.array(100);
            for _ in 0..100 {
                out.bulk(black_box(&value));
            }
        })
    });
    g.bench_function("double", |b| {
        b.iter(|| {
            out.buf.clear();
            out.double(black_box(2.0 / 3.0));
        })
    });
    g.finish();
}

/// An engine with `KEYS` string keys `key:NNNN`, filled through SET so it matches what a client would build.
fn populated() -> Engine {
    let mut engine = Engine::new();
    let mut out = Out::new(false);
    for i in 0..KEYS {
        let key = format!("key:{i:04}");
        engine.run(&[b"SET", key.as_bytes(), b"value"], &mut out);
        out.buf.clear();
    }
    engine
}

fn bench_dispatch(c: &mut Criterion) {
    let mut g = c.benchmark_group("dispatch");
    let mut engine = populated();
    let keys: Vec<String> = (0..KEYS).map(|i| format!("key:{i:04}")).collect();
    let mut out = Out::new(false);
    let mut i = 0;
    // Cycle over the keys so hashing and cache misses are realistic rather than one hot key.
    let mut next_key = || {
        i = (i + 1) % KEYS;
        keys[i].as_bytes()
    };
    g.bench_function("get_hit", |b| {
        b.iter(|| {
            out.buf.clear();
            engine.run(&[b"GET", next_key()], &mut out);
        })
    });
    g.bench_function("set_existing", |b| {
        b.iter(|| {
            out.buf.clear();
            engine.run(&[b"SET", next_key(), b"value2"], &mut out);
        })
    });
    g.bench_function("get_miss", |b| {
        b.iter(|| {
            out.buf.clear();
            engine.run(&[b"GET", b"no-such-key"], &mut out);
        })
    });
    g.finish();
    // A fresh keyspace for SET of new keys: batched so the growing table is rebuilt outside the timing.
    c.bench_function("dispatch/set_new_x1000", |b| {
        b.iter_batched(
            Engine::new,
            |mut fresh| {
                for k in keys.iter().take(1000) {
                    out.buf.clear();
                    fresh.run(&[b"SET", k.as_bytes(), b"v"], &mut out);
                }
                fresh
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench_decode, bench_encode, bench_dispatch);
criterion_main!(benches);
