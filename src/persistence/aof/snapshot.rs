//! The keyspace as AOF commands: what a rewrite writes as the base file (Redis's rewriteAppendOnlyFileRio with
//! `aof-use-rdb-preamble no`): per database a SELECT, then per live key SET / RPUSH / HMSET / SADD / ZADD (at most 64
//! items a command) and PEXPIREAT for a TTL. Keys already expired are left out.

use crate::persistence::effects::encode_command;
use crate::protocol::number::format_g17;
use crate::storage::{Db, Value};
use std::io::Write;

/// Items (members, field-value pairs, score-member pairs) per command, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
const ITEMS_PER_COMMAND: usize = 64;

/// Bytes gathered before each write to the file.
const CHUNK: usize = 64 * 1024;

/// Writes every database's live keys to `out` as commands; returns how many keys were written. With
/// `timestamp`, the file starts with a `#TS:` annotation of `now` (Redis's rewrite with aof-timestamp-enabled).
pub fn write_snapshot(dbs: &[Db], now: i64, timestamp: bool, out: &mut impl Write) -> std::io::Result<u64> {
    let mut buf = Vec::with_capacity(CHUNK * 2);
    if timestamp {
        crate::persistence::effects::write_timestamp(&mut buf, now / 1000);
    }
    let mut keys = 0;
    for (index, db) in dbs.iter().enumerate() {
        let mut live = db.live_keys(now).peekable();
        if live.peek().is_none() {
            continue;
        }
        let mut digits = itoa::Buffer::new();
        encode_command(&mut buf, &[b"SELECT", digits.format(index).as_bytes()]);
        for (key, entry) in live {
            write_value(&mut buf, key, &entry.value);
            if let Some(at) = entry.expire_at() {
                encode_command(&mut buf, &[b"PEXPIREAT", key, digits.format(at).as_bytes()]);
            }
            keys += 1;
            if buf.len() >= CHUNK {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    out.write_all(&buf)?;
    Ok(keys)
}

/// The commands that rebuild one value.
fn write_value(buf: &mut Vec<u8>, key: &[u8], value: &Value) {
    match value {
        Value::String(s) => encode_command(buf, &[b"SET", key, &s.to_vec()]),
        Value::Hash(h) => {
            let pairs: Vec<(&[u8], &[u8])> = h.iter().collect();
            for chunk in pairs.chunks(ITEMS_PER_COMMAND) {
                let mut argv: Vec<&[u8]> = vec![b"HMSET", key];
                argv.extend(chunk.iter().flat_map(|(f, v)| [*f, *v]));
                encode_command(buf, &argv);
            }
        }
        // rewriteListObject: RPUSH, 64 elements a command.
        Value::List(l) => {
            let elements: Vec<&[u8]> = l.iter().collect();
            for chunk in elements.chunks(ITEMS_PER_COMMAND) {
                let mut argv: Vec<&[u8]> = vec![b"RPUSH", key];
                argv.extend_from_slice(chunk);
                encode_command(buf, &argv);
            }
        }
        Value::Set(s) => {
            let members: Vec<Vec<u8>> = s.iter().map(|m| m.as_bytes(&mut itoa::Buffer::new()).to_vec()).collect();
            for chunk in members.chunks(ITEMS_PER_COMMAND) {
                let mut argv: Vec<&[u8]> = vec![b"SADD", key];
                argv.extend(chunk.iter().map(|m| &m[..]));
                encode_command(buf, &argv);
            }
        }
        Value::ZSet(z) => {
            let items: Vec<(Vec<u8>, &[u8])> = z.iter().map(|(member, score)| (score_text(score), member)).collect();
            for chunk in items.chunks(ITEMS_PER_COMMAND) {
                let mut argv: Vec<&[u8]> = vec![b"ZADD", key];
                argv.extend(chunk.iter().flat_map(|(score, member)| [&score[..], *member]));
                encode_command(buf, &argv);
            }
        }
    }
}

/// A score as Redis writes doubles into the AOF: `%.17g`, `inf`, `-inf`.
fn score_text(score: f64) -> Vec<u8> {
    if score.is_infinite() {
        return if score > 0.0 { b"inf".to_vec() } else { b"-inf".to_vec() };
    }
    let mut text = Vec::with_capacity(24);
    format_g17(score, &mut text);
    text
}
