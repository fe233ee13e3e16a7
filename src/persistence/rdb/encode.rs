//! Writing RDB's building blocks as Redis 7.0's rdb.c writes them: lengths (rdbSaveLen), strings (rdbSaveRawString:
//! integer-encoded when they are a small canonical integer, LZF-compressed when long enough and `rdbcompression`
//! is on), and the DUMP payload's trailer (RDB version and CRC-64).

use super::format::*;
use super::{crc64, intset, listpack, lzf};
use crate::protocol::number;
use crate::storage::{RSet, Value};

const ENCVAL: u8 = 3 << 6;
const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// rdbSaveLen: 6 bits, 14 bits, 32 bits or 64 bits, big endian after the marker.
pub fn save_len(out: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.extend_from_slice(&[(1 << 6) | (n >> 8) as u8, n as u8]);
    } else if n <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// rdbEncodeInteger: a value that fits 8, 16 or 32 bits, little endian after its marker.
fn encode_integer(out: &mut Vec<u8>, v: i64) -> bool {
    if let Ok(v) = i8::try_from(v) {
        out.extend_from_slice(&[ENCVAL | ENC_INT8, v as u8]);
    } else if let Ok(v) = i16::try_from(v) {
        out.push(ENCVAL | ENC_INT16);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i32::try_from(v) {
        out.push(ENCVAL | ENC_INT32);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// rdbSaveRawString: a string of up to 11 bytes that is a canonical integer of 32 bits or fewer is stored as
/// that integer; with `compress`, one over 20 bytes is stored LZF-compressed if that saves 4 bytes; otherwise
/// length and bytes.
pub fn save_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= 11 {
        if let Some(v) = number::canonical_i64(s) {
            if encode_integer(out, v) {
                return;
            }
        }
    }
    if compress && s.len() > 20 {
        if let Some(packed) = lzf::compress(s) {
            out.push(ENCVAL | ENC_LZF);
            save_len(out, packed.len() as u64);
            save_len(out, s.len() as u64);
            out.extend_from_slice(&packed);
            return;
        }
    }
    save_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// rdbSaveObjectType: the type byte of a value in its current encoding.
pub fn object_type(value: &Value) -> u8 {
    match value {
        Value::String(_) => TYPE_STRING,
        Value::Hash(h) if h.encoding() == "listpack" => TYPE_HASH_LISTPACK,
        Value::Hash(_) => TYPE_HASH,
        Value::Set(s) if s.encoding() == "intset" => TYPE_SET_INTSET,
        Value::Set(_) => TYPE_SET,
        Value::ZSet(z) if z.encoding() == "listpack" => TYPE_ZSET_LISTPACK,
        Value::ZSet(_) => TYPE_ZSET_2,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
    }
}

/// rdbSaveObjectType + rdbSaveObject: a value as RDB stores it, in its current encoding.
pub fn save_object(out: &mut Vec<u8>, value: &Value, compress: bool) {
    out.push(object_type(value));
    save_value(out, value, compress);
}

/// rdbSaveObject: the value's body, after its type byte (and, in a file, its key).
pub fn save_value(out: &mut Vec<u8>, value: &Value, compress: bool) {
    let mut digits = itoa::Buffer::new();
    match value {
        Value::String(s) => {
            save_string(out, s.as_bytes(&mut digits), compress);
        }
        // The nodes, each a listpack (Redis 7.0 makes plain nodes only of elements over 1 GB).
        Value::List(l) => {
            let nodes: Vec<Vec<u8>> = l.nodes().map(listpack::write).collect();
            save_len(out, nodes.len() as u64);
            for node in &nodes {
                save_len(out, QUICKLIST_NODE_PACKED);
                save_string(out, node, compress);
            }
        }
        Value::Hash(h) if h.encoding() == "listpack" => {
            save_string(out, &listpack::write(h.iter().flat_map(|(f, v)| [f, v])), compress);
        }
        Value::Hash(h) => {
            save_len(out, h.len() as u64);
            for (field, value) in h.iter() {
                save_string(out, field, compress);
                save_string(out, value, compress);
            }
        }
        Value::Set(RSet::Intset(set)) => {
            let mut ints: Vec<i64> = set.iter().collect();
            // The width the intset has grown to (it never narrows): one width byte, then the members.
            let width = if set.is_empty() { 2 } else { (set.bytes() - 1) / set.len() };
            save_string(out, &intset::write_at_least(&mut ints, width), compress);
        }
        Value::Set(s) => {
            save_len(out, s.len() as u64);
            for member in s.iter() {
                save_string(out, member.as_bytes(&mut digits), compress);
            }
        }
        Value::ZSet(z) if z.encoding() == "listpack" => {
            let entries: Vec<Vec<u8>> =
                z.iter().flat_map(|(member, score)| [member.to_vec(), listpack_score(score)]).collect();
            save_string(out, &listpack::write(entries.iter().map(Vec::as_slice)), compress);
        }
        Value::ZSet(z) => {
            // From the highest score down, as Redis saves its skiplist (so that loading appends at the head).
            save_len(out, z.len() as u64);
            z.for_range(0, z.len(), true, |member, score| {
                save_string(out, member, compress);
                out.extend_from_slice(&score.to_le_bytes());
            });
        }
    }
}

/// A score as zzlInsertAt stores it in a listpack: a whole number within ±LLONG_MAX/2 (double2ll) as that
/// integer (1e17 too, which `%.17g` would spell "1e+17"), anything else as d2string's `%.17g` text.
fn listpack_score(score: f64) -> Vec<u8> {
    const HALF_RANGE: f64 = (i64::MAX / 2) as f64;
    let mut text = Vec::new();
    if (-HALF_RANGE..=HALF_RANGE).contains(&score) && (score as i64) as f64 == score {
        text.extend_from_slice(itoa::Buffer::new().format(score as i64).as_bytes());
    } else {
        number::format_g17(score, &mut text);
    }
    text
}

/// DUMP's payload: the value as RDB stores it, then the RDB version and the CRC-64 (createDumpPayload).
pub fn dump_payload(value: &Value, compress: bool) -> Vec<u8> {
    let mut payload = Vec::new();
    save_object(&mut payload, value, compress);
    finish_dump_payload(&mut payload);
    payload
}

/// createDumpPayload's trailer: the RDB version (2 bytes, little endian), then the CRC-64 of everything before.
pub fn finish_dump_payload(payload: &mut Vec<u8>) {
    payload.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(0, payload);
    payload.extend_from_slice(&crc.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persistence::rdb::lzf::tests::unhex;

    /// A string's DUMP payload: the type (0, string), the string, the trailer.
    fn dump_string(s: &[u8]) -> Vec<u8> {
        let mut payload = vec![0];
        save_string(&mut payload, s, true);
        finish_dump_payload(&mut payload);
        payload
    }

    #[test]
    fn string_payloads_are_redis_bytes() {
        // DUMP on redis-server 7.0.15 (rdbcompression yes).
        let s3 =
            b"hello world, hello world, hello world, this is a test of the lzf compressor in redis 7.0 - hello world";
        let cases: [(&[u8], &str); 4] = [
            (b"12345", "00c139300a009d94ea2793fc08b9"),
            (&[b'a'; 100], "00c3094064016161e057000161610a00e8a3b507b06df271"),
            (
                s3,
                "00c3404c40660d68656c6c6f20776f726c642c2068e0100c047468697320200208612074657374206f6620111665206c7a66\
                 20636f6d70726573736f7220696e20726564202504372e30202de0014d016c640a008da54a41136db6db",
            ),
            (b"short", "000573686f72740a00c47ccd5215235c12"),
        ];
        for (value, hex) in cases {
            assert_eq!(dump_string(value), unhex(hex), "{}", String::from_utf8_lossy(value));
        }
    }

    /// A value's DUMP payload from its RDB type and the blob its small encoding saves.
    fn dump_blob(rdb_type: u8, blob: &[u8]) -> Vec<u8> {
        let mut payload = vec![rdb_type];
        save_string(&mut payload, blob, true);
        finish_dump_payload(&mut payload);
        payload
    }

    #[test]
    fn listpack_and_intset_payloads_are_redis_bytes() {
        // DUMP on redis-server 7.0.15 of `HSET h a 1 b hello`, `ZADD z 1 a 2.5 b`, `SADD is 1 2 300`.
        let h = listpack::write([&b"a"[..], b"1", b"b", b"hello"].into_iter());
        assert_eq!(dump_blob(16, &h), unhex("101616000000040081610201018162028568656c6c6f06ff0a00e8c5fe99ee07955d"));
        let z = listpack::write([&b"a"[..], b"1", b"b", b"2.5"].into_iter());
        assert_eq!(dump_blob(17, &z), unhex("1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7"));
        let is = intset::write(&mut [300, 1, 2]);
        assert_eq!(dump_blob(11, &is), unhex("0b0e0200000003000000010002002c010a00e510b28e7b9529aa"));
        // Every integer width, a 64-byte string, and LZF over the blob: a listpack hash of 13 fields.
        let q = vec![b'q'; 64];
        let h2: Vec<&[u8]> = vec![
            b"n",
            b"-100000",
            b"big",
            b"12345678901234",
            b"s",
            &q,
            b"m",
            b"5000",
            b"neg",
            b"-5",
            b"t",
            b"0",
            b"u",
            b"127",
            b"v",
            b"128",
            b"w",
            b"-4096",
            b"x",
            b"32767",
            b"y",
            b"8388607",
            b"z",
            b"2147483648",
        ];
        assert_eq!(
            dump_blob(16, &listpack::write(h2.into_iter())),
            unhex(
                "10c3406d40a51fa50000001800816e02f26079fe048362696704f4f22fce733a0b00000981730202e04071e036001f42816d\
                 02f1881303836e656704dffb0281740200018175027f01817602c0800218817702d00002817802f1ff7f03817902f2ffff7f\
                 04817a02f4209900802003020009ff0a0045549765405de7cd"
            )
        );
    }

    #[test]
    fn lengths_and_integers_take_redis_widths() {
        let encoded = |n: u64| {
            let mut v = Vec::new();
            save_len(&mut v, n);
            v
        };
        assert_eq!(encoded(63), [63]);
        assert_eq!(encoded(64), [0x40, 64]);
        assert_eq!(encoded(16383), [0x7f, 0xff]);
        assert_eq!(encoded(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(encoded(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        let string = |s: &[u8]| {
            let mut v = Vec::new();
            save_string(&mut v, s, true);
            v
        };
        assert_eq!(string(b"-1"), [0xc0, 0xff]);
        assert_eq!(string(b"300"), [0xc1, 0x2c, 0x01]);
        assert_eq!(string(b"-2147483648"), [0xc2, 0, 0, 0, 0x80]);
        assert_eq!(string(b"2147483648"), [10, b'2', b'1', b'4', b'7', b'4', b'8', b'3', b'6', b'4', b'8']);
        assert_eq!(string(b"007"), [3, b'0', b'0', b'7'], "not canonical");
        assert_eq!(string(b"abcdefghijklmnopqrstu")[..1], [21], "nothing to gain: stored as it is");
        assert_eq!(string(&[b'y'; 20])[..1], [20], "20 bytes or fewer are never compressed");
    }

    #[test]
    fn zset_and_intset_payloads_keep_redis_forms() {
        use crate::storage::set::Member;
        use crate::storage::zset::{Limits, RZSet};
        // ZADD z 1e17 a: zzlInsertAt stores a whole score as an integer even where %.17g would write "1e+17".
        let mut z = RZSet::new();
        z.insert(b"a", 1e17, Limits { max_entries: 128, max_value: 64 });
        let mut out = Vec::new();
        save_object(&mut out, &Value::ZSet(z), false);
        let lp = listpack::write([&b"a"[..], b"100000000000000000"].into_iter());
        assert_eq!(out, dump_blob(17, &lp)[..out.len()]);
        // SADD s 1 5000000000, SREM s 5000000000: the intset stays 8 bytes wide, and is saved so.
        let mut s = RSet::new_for(Member::Int(1));
        s.add(Member::Int(1), 512);
        s.add(Member::Int(5_000_000_000), 512);
        s.remove(Member::Int(5_000_000_000));
        let mut out = Vec::new();
        save_object(&mut out, &Value::Set(s), false);
        assert_eq!(out, [11, 16, 8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    }
}
