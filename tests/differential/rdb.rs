//! RDB against redis-server 7.0.15: the same dataset (every type in both encodings, lists of one and many nodes, TTLs, several databases,
//! empty and large values, integers of every encoded width) built on both; each server's `dump.rdb` loaded by
//! the other (and checked by redis-check-rdb) gives the same keyspace, encodings and DEBUG DIGEST; DUMP
//! payloads are byte-identical, and each server RESTOREs the other's.

use super::keyspace_dump::{assert_same, dump};
use crate::support::{self, Conn, ServerOptions};

const DBS: usize = 3;
const TTL_SLACK_MS: i64 = 2000;

/// The dataset, as commands (with the database they run in).
fn dataset() -> Vec<(usize, Vec<Vec<u8>>)> {
    let mut rng = fastrand::Rng::with_seed(41);
    let mut out: Vec<(usize, Vec<Vec<u8>>)> = Vec::new();
    let mut cmd = |db: usize, args: Vec<Vec<u8>>| out.push((db, args));
    let s = |v: &str| v.as_bytes().to_vec();
    // Strings: integers of every encoded width, non-canonical numbers, empty, LZF-friendly and random, > 64 KB.
    for (i, v) in ["0", "-1", "127", "-128", "255", "32767", "-32768", "65535", "2147483647", "-2147483648"]
        .iter()
        .chain(&["2147483648", "9223372036854775807", "-9223372036854775808", "007", "1.5", "", " 1"])
        .enumerate()
    {
        cmd(0, vec![s("SET"), format!("int:{i}").into_bytes(), s(v)]);
    }
    cmd(0, vec![s("SET"), s("text:short"), s("hello world")]);
    cmd(0, vec![s("SET"), s("text:lzf"), "abcabcabc-".repeat(50).into_bytes()]);
    cmd(0, vec![s("SET"), s("text:big"), "0123456789".repeat(10_000).into_bytes()]);
    cmd(0, vec![s("SET"), s("text:random"), (0..70_000).map(|_| rng.u8(..)).collect()]);
    cmd(0, vec![s("SET"), (0..300).map(|_| rng.u8(..)).collect(), s("binary key")]);
    // TTLs (long, so both servers still hold them when compared).
    cmd(0, vec![s("SET"), s("ttl:a"), s("v"), s("EX"), s("100000")]);
    cmd(1, vec![s("SET"), s("ttl:b"), s("v"), s("PXAT"), s("4102444800000")]);
    // Hashes: listpack (integers of each listpack width among values) and hashtable (many fields, long value).
    let mut small = vec![s("HSET"), s("hash:small")];
    for (i, v) in ["1", "-5", "5000", "-70000", "8388607", "2147483648", "12345678901234", "x", ""].iter().enumerate() {
        small.extend([format!("f{i}").into_bytes(), s(v)]);
    }
    cmd(0, small);
    let mut many = vec![s("HSET"), s("hash:many")];
    for i in 0..600 {
        many.extend([format!("field:{i}").into_bytes(), format!("{}", i * 31).into_bytes()]);
    }
    cmd(1, many);
    cmd(1, vec![s("HSET"), s("hash:long"), s("f"), "v".repeat(100).into_bytes()]);
    // Sets: intsets of 16, 32 and 64-bit members; hashtables.
    cmd(0, vec![s("SADD"), s("set:i16"), s("1"), s("-2"), s("300")]);
    cmd(0, vec![s("SADD"), s("set:i32"), s("1"), s("70000"), s("-70000")]);
    cmd(0, vec![s("SADD"), s("set:i64"), s("1"), s("9223372036854775807"), s("-9223372036854775808")]);
    cmd(2, vec![s("SADD"), s("set:words"), s("a"), s("b"), s("1")]);
    let mut big_ints = vec![s("SADD"), s("set:big")];
    big_ints.extend((0..1000).map(|i| (i * 7).to_string().into_bytes()));
    cmd(2, big_ints);
    // Sorted sets: listpack (integer and fractional scores, infinities) and skiplist.
    cmd(0, vec![s("ZADD"), s("z:small"), s("1"), s("a"), s("2.5"), s("b"), s("-inf"), s("c"), s("1e100"), s("d")]);
    cmd(0, vec![s("ZADD"), s("z:neg0"), s("-0"), s("zero"), s("0.1"), s("tenth")]);
    let mut big_z = vec![s("ZADD"), s("z:big")];
    for i in 0..300 {
        big_z.extend([format!("{}", f64::from(i) / 7.0).into_bytes(), format!("m{i}").into_bytes()]);
    }
    cmd(2, big_z);
    cmd(2, vec![s("ZADD"), s("z:long"), s("1"), "m".repeat(100).into_bytes()]);
    // Lists: one node, several 8 KB nodes, elements of every listpack width, a long element, a TTL.
    cmd(0, vec![s("RPUSH"), s("list:small"), s("a"), s("1"), s("-5000"), s("70000"), s("12345678901"), s("")]);
    let mut big_list = vec![s("RPUSH"), s("list:big")];
    big_list.extend((0..3000).map(|i| format!("element:{i}").into_bytes()));
    cmd(1, big_list);
    cmd(1, vec![s("LPUSH"), s("list:long"), "L".repeat(20_000).into_bytes(), s("x")]);
    cmd(1, vec![s("PEXPIRE"), s("list:long"), s("100000000")]);
    out
}

fn build(conn: &mut Conn) {
    let mut current = usize::MAX;
    for (db, args) in dataset() {
        if db != current {
            conn.cmd(&[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            current = db;
        }
        let reply = conn.cmd(&args);
        assert!(
            !reply.starts_with(b"-"),
            "{:?}: {}",
            String::from_utf8_lossy(&args[0]),
            String::from_utf8_lossy(&reply)
        );
    }
    conn.cmd(&["SELECT", "0"]);
}

/// The bytes of a bulk-string reply.
fn bulk(reply: &[u8]) -> Vec<u8> {
    let start = reply.iter().position(|&b| b == b'\n').expect("a bulk header") + 1;
    reply[start..reply.len() - 2].to_vec()
}

/// Every key with its OBJECT ENCODING, per database.
fn encodings(conn: &mut Conn) -> Vec<(usize, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for db in 0..DBS {
        conn.cmd(&["SELECT", &db.to_string()]);
        let keys = super::keyspace_dump::keys(conn);
        for key in keys {
            let enc = conn.cmd(&[&b"OBJECT"[..], b"ENCODING", &key]);
            out.push((db, key, enc));
        }
    }
    conn.cmd(&["SELECT", "0"]);
    out.sort();
    out
}

fn digest(conn: &mut Conn) -> Vec<u8> {
    conn.cmd(&["DEBUG", "DIGEST"])
}

fn copy_dump(from: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(from.join("dump.rdb"), dir.path().join("dump.rdb")).expect("a dump.rdb to copy");
    dir
}

fn redis_check_rdb(path: &std::path::Path) {
    let out = std::process::Command::new("redis-check-rdb").arg(path).output().expect("redis-check-rdb runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("RDB looks OK"), "redis-check-rdb refused {path:?}:\n{text}");
}

#[test]
fn rdb_files_load_both_ways_with_the_same_data_and_encodings() {
    let Some(redis) = support::RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let (mut r, mut e) = (Conn::connect(redis.addr()), Conn::connect(embedis.addr()));
    build(&mut r);
    build(&mut e);
    let (want, want_enc, want_digest) = (dump(&mut r, DBS), encodings(&mut r), digest(&mut r));
    assert_same("before saving", &want, &dump(&mut e, DBS), TTL_SLACK_MS);
    assert_eq!(encodings(&mut e), want_enc, "encodings before saving");
    assert_eq!(digest(&mut e), want_digest, "DEBUG DIGEST before saving");

    // (a) embedis's file, checked by redis-check-rdb and loaded by redis-server.
    assert_eq!(e.cmd(&["SAVE"]), b"+OK\r\n");
    redis_check_rdb(&embedis.dir().join("dump.rdb"));
    let loaded = support::RedisServer::start_in(copy_dump(embedis.dir()), &ServerOptions::default(), &[]).unwrap();
    let mut c = Conn::connect(loaded.addr());
    assert_same("embedis's dump.rdb loaded by redis-server", &want, &dump(&mut c, DBS), TTL_SLACK_MS);
    assert_eq!(encodings(&mut c), want_enc, "encodings after redis-server loaded embedis's file");
    assert_eq!(digest(&mut c), want_digest, "DEBUG DIGEST after redis-server loaded embedis's file");

    // (b) redis-server's file loaded by embedis.
    assert_eq!(r.cmd(&["SAVE"]), b"+OK\r\n");
    let loaded = support::start_embedis_in(copy_dump(redis.dir()), &ServerOptions::default(), &[]).unwrap();
    let mut c = Conn::connect(loaded.addr());
    assert_same("redis-server's dump.rdb loaded by embedis", &want, &dump(&mut c, DBS), TTL_SLACK_MS);
    assert_eq!(encodings(&mut c), want_enc, "encodings after embedis loaded redis-server's file");
    assert_eq!(digest(&mut c), want_digest, "DEBUG DIGEST after embedis loaded redis-server's file");

    // With rdbcompression and rdbchecksum off, the files still cross.
    e.cmd(&["CONFIG", "SET", "rdbcompression", "no"]);
    assert_eq!(e.cmd(&["SAVE"]), b"+OK\r\n");
    redis_check_rdb(&embedis.dir().join("dump.rdb"));
    let loaded = support::RedisServer::start_in(copy_dump(embedis.dir()), &ServerOptions::default(), &[]).unwrap();
    assert_eq!(digest(&mut Conn::connect(loaded.addr())), want_digest, "uncompressed file");
}

#[test]
fn dump_payloads_are_redis_bytes_and_restore_crosses() {
    let Some(redis) = support::RedisServer::start() else { return };
    let embedis = support::start_embedis();
    let (mut r, mut e) = (Conn::connect(redis.addr()), Conn::connect(embedis.addr()));
    build(&mut r);
    build(&mut e);
    let mut compared = 0;
    for db in 0..DBS {
        for c in [&mut r, &mut e] {
            c.cmd(&["SELECT", &db.to_string()]);
        }
        for key in super::keyspace_dump::keys(&mut r) {
            let (from_r, from_e) = (r.cmd(&[&b"DUMP"[..], &key]), e.cmd(&[&b"DUMP"[..], &key]));
            // Hashtables and skiplists have no order of their own: their payloads may differ, and must cross.
            let enc = r.cmd(&[&b"OBJECT"[..], b"ENCODING", &key]);
            if !enc.windows(9).any(|w| w == b"hashtable") && !enc.windows(8).any(|w| w == b"skiplist") {
                assert_eq!(from_e, from_r, "DUMP {} ({})", key.escape_ascii(), String::from_utf8_lossy(&enc));
                compared += 1;
            }
            let restored = [b"restored:".as_slice(), &key].concat();
            for (c, payload) in [(&mut e, bulk(&from_r)), (&mut r, bulk(&from_e))] {
                let reply = c.cmd(&[&b"RESTORE"[..], &restored, b"0", &payload]);
                assert_eq!(reply, b"+OK\r\n", "RESTORE of {}", key.escape_ascii());
            }
        }
    }
    assert!(compared > 20, "only {compared} payloads compared");
    r.cmd(&["SELECT", "0"]);
    e.cmd(&["SELECT", "0"]);
    assert_same("after RESTOREs of each other's payloads", &dump(&mut r, DBS), &dump(&mut e, DBS), TTL_SLACK_MS);
    assert_eq!(encodings(&mut e), encodings(&mut r));
}
