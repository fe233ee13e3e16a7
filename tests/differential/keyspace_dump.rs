//! The whole keyspace of a server, read through commands (so redis-server and embedis are read alike): per
//! database, each live key's type, value (unordered collections sorted) and PTTL. Used to compare a server
//! with itself across a restart and with the oracle after the same workload.

use crate::support::conn::Frame;
use crate::support::Conn;
use redis_protocol::resp2::types::OwnedFrame;
use std::collections::BTreeMap;

/// (database, key) -> (type and value, PTTL in ms when the key has one).
pub type Dump = BTreeMap<(usize, Vec<u8>), (String, Option<i64>)>;

fn frame(conn: &mut Conn, args: &[&[u8]]) -> OwnedFrame {
    conn.send(args);
    match conn.read_reply() {
        Frame::Resp2(f) => f,
        Frame::Resp3(f) => panic!("keyspace dumps read RESP2 replies, got {f:?}"),
    }
}

fn bytes(f: &OwnedFrame) -> Vec<u8> {
    match f {
        OwnedFrame::BulkString(b) | OwnedFrame::SimpleString(b) => b.clone(),
        OwnedFrame::Integer(i) => i.to_string().into_bytes(),
        other => format!("{other:?}").into_bytes(),
    }
}

fn items(f: OwnedFrame) -> Vec<Vec<u8>> {
    match f {
        OwnedFrame::Array(items) => items.iter().map(bytes).collect(),
        other => vec![bytes(&other)],
    }
}

fn shown(b: &[u8]) -> String {
    format!("\"{}\"", b.escape_ascii())
}

/// The keys of the connection's current database.
pub fn keys(conn: &mut Conn) -> Vec<Vec<u8>> {
    items(frame(conn, &[b"KEYS", b"*"]))
}

/// Reads databases `0..dbs` of the server behind `conn` (which is left on database 0).
pub fn dump(conn: &mut Conn, dbs: usize) -> Dump {
    dump_with(conn, dbs, b"PTTL")
}

/// The same with each key's absolute expiry time (PEXPIRETIME) instead of its PTTL: for dumps that take long to
/// read, or servers read far apart in time.
pub fn dump_expire_times(conn: &mut Conn, dbs: usize) -> Dump {
    dump_with(conn, dbs, b"PEXPIRETIME")
}

fn dump_with(conn: &mut Conn, dbs: usize, ttl_command: &[u8]) -> Dump {
    let mut out = Dump::new();
    for db in 0..dbs {
        frame(conn, &[b"SELECT", db.to_string().as_bytes()]);
        for key in items(frame(conn, &[b"KEYS", b"*"])) {
            let kind = bytes(&frame(conn, &[b"TYPE", &key]));
            let value = match &kind[..] {
                b"string" => shown(&bytes(&frame(conn, &[b"GET", &key]))),
                b"hash" => {
                    let flat = items(frame(conn, &[b"HGETALL", &key]));
                    let mut pairs: Vec<String> =
                        flat.chunks(2).map(|p| format!("{}={}", shown(&p[0]), shown(&p[1]))).collect();
                    pairs.sort();
                    pairs.join(" ")
                }
                b"set" => {
                    let mut members: Vec<String> =
                        items(frame(conn, &[b"SMEMBERS", &key])).iter().map(|m| shown(m)).collect();
                    members.sort();
                    members.join(" ")
                }
                b"zset" => {
                    let flat = items(frame(conn, &[b"ZRANGE", &key, b"0", b"-1", b"WITHSCORES"]));
                    flat.chunks(2).map(|p| format!("{}={}", shown(&p[0]), shown(&p[1]))).collect::<Vec<_>>().join(" ")
                }
                b"list" => items(frame(conn, &[b"LRANGE", &key, b"0", b"-1"]))
                    .iter()
                    .map(|e| shown(e))
                    .collect::<Vec<_>>()
                    .join(" "),
                b"none" => continue, // expired between KEYS and TYPE
                _ => String::from("(unread type)"),
            };
            let pttl = match frame(conn, &[ttl_command, &key]) {
                OwnedFrame::Integer(ms) if ms >= 0 => Some(ms),
                _ => None,
            };
            out.insert((db, key), (format!("{} {value}", String::from_utf8_lossy(&kind)), pttl));
        }
    }
    frame(conn, &[b"SELECT", b"0"]);
    out
}

/// Panics with the differences when `a` and `b` hold other keys or values, or TTLs further apart than
/// `ttl_slack_ms` (the servers read their clocks at different moments).
pub fn assert_same(what: &str, a: &Dump, b: &Dump, ttl_slack_ms: i64) {
    let mut differences = Vec::new();
    for key in a.keys().chain(b.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (x, y) = (a.get(key), b.get(key));
        let same = match (x, y) {
            (Some((vx, tx)), Some((vy, ty))) => {
                vx == vy
                    && match (tx, ty) {
                        (None, None) => true,
                        (Some(tx), Some(ty)) => (tx - ty).abs() <= ttl_slack_ms,
                        _ => false,
                    }
            }
            _ => false,
        };
        if !same {
            differences.push(format!("  db{} {}: {x:?}\n      vs {y:?}", key.0, shown(&key.1)));
        }
    }
    assert!(
        differences.is_empty(),
        "{what}: {} of {} keys differ\n{}",
        differences.len(),
        a.len().max(b.len()),
        differences.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}
