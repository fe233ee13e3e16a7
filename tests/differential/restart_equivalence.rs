//! Restart equivalence: seeded random workloads over every type and the TTL commands (TTLs extended, removed
//! or replaced after the original one would have passed, transactions, scripts, databases) run against
//! embedis and redis-server 7.0.15 in lockstep (replies compared), then both restart from their AOF: each must
//! come back with exactly the keyspace it had, and the two keyspaces must be equal. embedis is also crashed
//! (`appendfsync always`: nothing acknowledged may be lost) and restarted with `maxmemory` below its data size.
//!
//! `RESTART_SEEDS=N` (default 3) and `RESTART_COMMANDS=N` (default 250 per phase) run longer
//! (`scripts/restart-soak.sh`).

use super::keyspace_dump::{assert_same, dump, Dump};
use crate::support::Conn;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const DBS: usize = 3;
/// How far apart the two servers' TTLs may be (they read their clocks at different moments).
const TTL_SLACK_MS: i64 = 1500;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// redis-server with the AOF on in a directory of its own, restartable on the same port and directory.
struct Redis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Option<Redis> {
        let dir = tempfile::tempdir().unwrap();
        let port = crate::support::restartable_port();
        let child = Self::spawn(port, dir.path())?;
        Some(Redis { child, port, dir })
    }

    fn spawn(port: u16, dir: &Path) -> Option<Child> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--enable-debug-command", "yes"])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(_) if !crate::support::in_ci() => return None,
            Err(e) => panic!("redis-server: {e}"),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        crate::support::eventually("redis-server answers", || {
            Conn::try_connect(addr).is_ok_and(|mut c| c.try_cmd(&["PING"], Duration::from_secs(1)).is_ok())
        });
        Some(child)
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn restart(&mut self) {
        let mut c = Conn::connect(self.addr());
        c.send(&["SHUTDOWN"]);
        let _ = self.child.wait();
        self.child = Self::spawn(self.port, self.dir.path()).expect("redis-server restarts");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Commands whose results depend on nothing but the data: the same on both servers.
fn command(rng: &mut fastrand::Rng, short_ttls: bool) -> Vec<String> {
    let key_in = |rng: &mut fastrand::Rng| format!("k{}", rng.usize(..8));
    let k = key_in(rng);
    let value = |rng: &mut fastrand::Rng| match rng.usize(..6) {
        0 => String::new(),
        1 => rng.i64(-100..100).to_string(),
        2 => "1.5".to_string(),
        3 => "x".repeat(rng.usize(1..80)),
        _ => format!("v{}", rng.u32(..1000)),
    };
    let field = |rng: &mut fastrand::Rng| format!("f{}", rng.usize(..6));
    let long_ttl = |rng: &mut fastrand::Rng| rng.u64(1000..100_000).to_string();
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    match rng.usize(..36) {
        0 | 1 => s(&["SET", &k, &value(rng)]),
        2 if short_ttls => s(&["SET", &k, &value(rng), "PX", &rng.u64(20..200).to_string()]),
        2 => s(&["SET", &k, &value(rng), "EX", &long_ttl(rng)]),
        3 => s(&["SET", &k, &value(rng), "KEEPTTL"]),
        4 => s(&["EXPIRE", &k, &long_ttl(rng)]),
        5 if short_ttls => s(&["PEXPIRE", &k, &rng.u64(20..200).to_string()]),
        5 => s(&["PEXPIRE", &k, &(rng.u64(1000..100_000) * 1000).to_string()]),
        6 => s(&["PERSIST", &k]),
        7 => s(&["GETEX", &k, "PERSIST"]),
        8 => s(&["GETEX", &k, "EX", &long_ttl(rng)]),
        9 => s(&["PEXPIREAT", &k, "1000"]),
        10 => s(&["EXPIREAT", &k, "4102444800"]),
        11 => s(&["DEL", &k]),
        12 => s(&["INCR", &k]),
        13 => s(&["INCRBYFLOAT", &k, "0.25"]),
        14 => s(&["APPEND", &k, &value(rng)]),
        15 => s(&["HSET", &k, &field(rng), &value(rng)]),
        16 => s(&["HDEL", &k, &field(rng)]),
        17 => s(&["HINCRBYFLOAT", &k, &field(rng), "1.5"]),
        18 => s(&["SADD", &k, &value(rng), &value(rng)]),
        19 => s(&["SREM", &k, &value(rng)]),
        20 => s(&["ZADD", &k, &rng.i64(-5..5).to_string(), &field(rng)]),
        21 => s(&["ZINCRBY", &k, "2.5", &field(rng)]),
        22 => s(&["ZREM", &k, &field(rng)]),
        23 => s(&["ZPOPMIN", &k, &rng.usize(1..3).to_string()]),
        24 => s(&["ZMPOP", "2", &k, &key_in(rng), "MAX"]),
        25 => s(&["RENAME", &k, &key_in(rng)]),
        26 => s(&["COPY", &k, &key_in(rng), "REPLACE"]),
        27 => s(&["MOVE", &k, &rng.usize(..DBS).to_string()]),
        28 => s(&["SELECT", &rng.usize(..DBS).to_string()]),
        29 => s(&["GETDEL", &k]),
        30 => s(&["SETRANGE", &k, &rng.usize(..10).to_string(), &value(rng)]),
        31 => s(&[
            "EVAL",
            "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('EXPIRE', KEYS[1], 500)",
            "1",
            &k,
            &value(rng),
        ]),
        32 => s(&["SINTERSTORE", &k, &key_in(rng), &key_in(rng)]),
        33 => s(&["ZUNIONSTORE", &k, "2", &key_in(rng), &key_in(rng)]),
        34 if rng.usize(..10) == 0 => s(&["SWAPDB", "0", &rng.usize(1..DBS).to_string()]),
        35 if rng.usize(..20) == 0 => s(&["FLUSHDB"]),
        _ => s(&["HINCRBY", &k, &field(rng), "3"]),
    }
}

/// Sends `commands` to both servers, one at a time (a third of them inside MULTI/EXEC), comparing replies.
fn run_phase(conns: &mut [Conn; 2], rng: &mut fastrand::Rng, n: u64, short_ttls: bool, seed: u64) {
    let mut i = 0;
    while i < n {
        let batch: Vec<Vec<String>> = if rng.usize(..10) == 0 {
            let mut tx = vec![vec!["MULTI".to_string()]];
            tx.extend((0..rng.usize(1..4)).map(|_| command(rng, short_ttls)));
            tx.push(vec!["EXEC".to_string()]);
            tx
        } else {
            vec![command(rng, short_ttls)]
        };
        // A short TTL is sometimes extended at once, as a sliding session is, before it would pass.
        let extend = short_ttls && batch.len() == 1 && batch[0].len() == 5 && batch[0][3] == "PX" && rng.bool();
        let mut batch = batch;
        if extend {
            let key = batch[0][1].clone();
            batch.push(vec!["EXPIRE".to_string(), key, "3600".to_string()]);
        }
        for args in &batch {
            let replies = conns.each_mut().map(|c| c.cmd(args));
            assert_eq!(
                String::from_utf8_lossy(&replies[0]),
                String::from_utf8_lossy(&replies[1]),
                "seed {seed}: replies to {args:?} differ (redis-server, embedis)"
            );
        }
        i += batch.len() as u64;
    }
    for c in conns.iter_mut() {
        c.cmd(&["SELECT", "0"]);
    }
}

fn embedis_server() -> embedis::test::Server {
    embedis::test::Server::builder()
        .config("appendonly", "yes")
        .config("appendfsync", "always")
        .config("maxmemory", "64kb")
        .config("maxmemory-policy", "noeviction")
        .config("enable-debug-command", "yes")
        .start()
}

fn one_seed(seed: u64, per_phase: u64) {
    let Some(mut redis) = Redis::start() else { return };
    let mut embedis = embedis_server();
    let mut conns = [Conn::connect(redis.addr()), Conn::connect(embedis.addr())];
    // The configured limit (64kb) holds during the restarts only: the workload writes past it.
    conns[1].cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    let mut rng = fastrand::Rng::with_seed(seed);
    run_phase(&mut conns, &mut rng, per_phase, true, seed);
    // Past every short TTL: keys extended or persisted in time must survive the restarts.
    std::thread::sleep(Duration::from_millis(400));
    run_phase(&mut conns, &mut rng, per_phase, false, seed);
    if rng.bool() {
        // A rewrite in the middle: the base file and the incremental files must add up.
        for c in conns.iter_mut() {
            c.cmd(&["BGREWRITEAOF"]);
            crate::support::eventually("the rewrite ends", || {
                String::from_utf8_lossy(&c.cmd(&["INFO", "persistence"])).contains("aof_rewrite_in_progress:0")
            });
        }
        run_phase(&mut conns, &mut rng, per_phase / 4, false, seed);
    }
    let before: [Dump; 2] = conns.each_mut().map(|c| dump(c, DBS));
    assert_same(
        &format!("seed {seed}: before any restart, redis-server vs embedis"),
        &before[0],
        &before[1],
        TTL_SLACK_MS,
    );
    redis.restart();
    embedis.restart();
    let mut conns = [Conn::connect(redis.addr()), Conn::connect(embedis.addr())];
    let after: [Dump; 2] = conns.each_mut().map(|c| dump(c, DBS));
    assert_same(&format!("seed {seed}: redis-server across its restart"), &before[0], &after[0], TTL_SLACK_MS);
    assert_same(
        &format!("seed {seed}: embedis across a clean restart (maxmemory 64kb)"),
        &before[1],
        &after[1],
        TTL_SLACK_MS,
    );
    assert_same(
        &format!("seed {seed}: after the restarts, redis-server vs embedis"),
        &after[0],
        &after[1],
        TTL_SLACK_MS,
    );
    // A crash with `appendfsync always` loses nothing acknowledged.
    embedis.crash();
    embedis.restart();
    let crashed = dump(&mut Conn::connect(embedis.addr()), DBS);
    assert_same(&format!("seed {seed}: embedis across a crash"), &before[1], &crashed, TTL_SLACK_MS);
}

#[test]
fn restarts_rebuild_exactly_the_keyspace_and_match_redis() {
    let seeds = env_number("RESTART_SEEDS", 3);
    let per_phase = env_number("RESTART_COMMANDS", 250);
    let first = env_number("RESTART_SEED", 1);
    for seed in first..first + seeds {
        one_seed(seed, per_phase);
    }
}
