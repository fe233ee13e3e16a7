//! The keyspace as text for tests: one value's description (`assert_key`), a one-line-per-key snapshot for
//! golden files, and a readable dump. Everything is sorted (keys, set members, hash fields; sorted sets in
//! their own order) and binary-safe (bytes quoted as Redis's sdscatrepr quotes them), so equal data always
//! renders the same text.

use crate::protocol::number::format_g17;
use crate::protocol::repr::repr_into;
use crate::storage::{Db, Entry, Value};

/// `string "v"`, `hash "f"="v" ...`, `set "a" "b"`, `zset "m"=1.5 ...`; `none` for a missing key.
pub fn describe(entry: Option<&Entry>) -> String {
    let Some(entry) = entry else { return "none".into() };
    let mut out = entry.value.type_name().as_bytes().to_vec();
    for item in items(&entry.value) {
        out.push(b' ');
        out.extend_from_slice(&item);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One line per live key, sorted by database then key: `<db> "<key>" <description>[ pttl=<ms>]`.
pub fn snapshot(dbs: &[Db], now: i64) -> String {
    let mut text = String::new();
    for (index, db) in dbs.iter().enumerate() {
        for (key, entry) in sorted_keys(db, now) {
            text.push_str(&format!("{index} {} {}{}\n", quoted(key), describe(Some(entry)), pttl(entry, now)));
        }
    }
    text
}

/// Per non-empty database a header, then each key with its type and TTL and one item a line.
pub fn dump(dbs: &[Db], now: i64) -> String {
    let mut text = String::new();
    for (index, db) in dbs.iter().enumerate() {
        let keys = sorted_keys(db, now);
        if keys.is_empty() {
            continue;
        }
        text.push_str(&format!("db{index} ({} keys)\n", keys.len()));
        for (key, entry) in keys {
            let ttl = entry.expire_at().map(|at| format!(" (expires in {} ms)", at - now)).unwrap_or_default();
            let items = items(&entry.value);
            match &entry.value {
                Value::String(_) => text.push_str(&format!("  {} string {}{ttl}\n", quoted(key), bytes(&items[0]))),
                other => {
                    text.push_str(&format!("  {} {} ({} items){ttl}\n", quoted(key), other.type_name(), items.len()));
                    for item in items {
                        text.push_str(&format!("    {}\n", bytes(&item)));
                    }
                }
            }
        }
    }
    if text.is_empty() {
        text.push_str("(empty)\n");
    }
    text
}

fn sorted_keys(db: &Db, now: i64) -> Vec<(&[u8], &Entry)> {
    let mut keys: Vec<(&[u8], &Entry)> = db.live_keys(now).map(|(k, e)| (&k[..], e)).collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    keys
}

/// The value's items as text: the string; `"field"="value"` sorted by field; members sorted; `"member"=score`
/// in the sorted set's order.
fn items(value: &Value) -> Vec<Vec<u8>> {
    let mut scratch = itoa::Buffer::new();
    match value {
        Value::String(s) => vec![quote(s.as_bytes(&mut scratch))],
        Value::Hash(h) => {
            let mut pairs: Vec<(&[u8], &[u8])> = h.iter().collect();
            pairs.sort_unstable();
            pairs.into_iter().map(|(f, v)| pair(f, v)).collect()
        }
        Value::Set(s) => {
            let mut members: Vec<Vec<u8>> = s.iter().map(|m| m.as_bytes(&mut scratch).to_vec()).collect();
            members.sort_unstable();
            members.iter().map(|m| quote(m)).collect()
        }
        Value::ZSet(z) => z
            .iter()
            .map(|(member, score)| {
                let mut item = quote(member);
                item.push(b'=');
                format_score(score, &mut item);
                item
            })
            .collect(),
        Value::List(l) => l.iter().map(quote).collect(),
    }
}

fn pair(field: &[u8], value: &[u8]) -> Vec<u8> {
    let mut item = quote(field);
    item.push(b'=');
    repr_into(value, &mut item);
    item
}

/// A score as Redis prints it (`%.17g`, `inf`, `-inf`).
pub fn format_score(score: f64, out: &mut Vec<u8>) {
    if score.is_infinite() {
        out.extend_from_slice(if score > 0.0 { b"inf" } else { b"-inf" });
    } else {
        format_g17(score, out);
    }
}

fn pttl(entry: &Entry, now: i64) -> String {
    entry.expire_at().map(|at| format!(" pttl={}", at - now)).unwrap_or_default()
}

fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    repr_into(bytes, &mut out);
    out
}

fn quoted(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&quote(bytes)).into_owned()
}

fn bytes(text: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::string::RString;

    #[test]
    fn snapshot_lines_are_sorted_quoted_and_carry_ttls() {
        let mut db = Db::default();
        db.set(b"b\n", Value::String(RString::from_bytes(b"x\x00y")), false, 0);
        db.set(b"a", Value::String(RString::from_bytes(b"12")), false, 0);
        db.set_expire(b"a", 1500);
        let text = snapshot(&[Db::default(), db], 1000);
        assert_eq!(text, "1 \"a\" string \"12\" pttl=500\n1 \"b\\n\" string \"x\\x00y\"\n");
        assert_eq!(describe(None), "none");
        assert_eq!(dump(&[Db::default()], 0), "(empty)\n");
    }
}
