//! rdbLoadObject: a value read back from its RDB encoding, in every encoding redis-server 7.0 loads (and the set
//! listpack of RDB 11), into the encoding Redis 7.0 would give it under the current configuration. Everything
//! a file or a RESTORE payload claims is checked: lengths against the bytes that remain, compact blobs entry by
//! entry, duplicates, NaN scores. A failure names the offset and what was expected.

use super::decode::{DecodeError, Reader};
use super::format::*;
use super::listpack::Item;
use super::{intset, listpack, ziplist, zipmap};
use crate::config::Config;
use crate::storage::list::Fill;
use crate::storage::listpack::Listpack;
use crate::storage::set::Member;
use crate::storage::{hash, zset, RHash, RList, RSet, RString, RZSet, Value};

/// The settings that decide a loaded value's encoding.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `list-max-listpack-size`, for lists saved before quicklists (pushed again element by element).
    pub list_fill: Fill,
    pub hash: hash::Limits,
    pub zset: zset::Limits,
    pub set_max_intset: u64,
}

impl Limits {
    pub fn of(config: &Config) -> Limits {
        Limits {
            list_fill: Fill(config.list_max_listpack_size),
            hash: hash::Limits { entries: config.hash_max_listpack_entries, value: config.hash_max_listpack_value },
            zset: zset::Limits {
                max_entries: config.zset_max_listpack_entries as usize,
                max_value: config.zset_max_listpack_value as usize,
            },
            set_max_intset: config.set_max_intset_entries,
        }
    }
}

/// Strings in files and payloads have no limit of their own but the bytes that hold them.
const NO_LIMIT: usize = usize::MAX;

/// A value of RDB type `t` at the reader's position. `Ok(None)`: an empty aggregate, which Redis skips when
/// loading a file and RESTORE refuses.
pub fn load_object(r: &mut Reader, t: u8, limits: &Limits) -> Result<Option<Value>, DecodeError> {
    let start = r.offset();
    let value = match t {
        TYPE_STRING => Value::String(RString::from_bytes(&r.string_cow()?)),
        TYPE_LIST => {
            // Redis 1.x-3.0's linked list: the elements pushed one by one with the current fill.
            let n = r.count()?;
            let mut list = RList::new();
            for _ in 0..n {
                list.push_back(&r.string_cow()?, limits.list_fill);
            }
            Value::List(Box::new(list))
        }
        TYPE_LIST_ZIPLIST => {
            let blob = r.string(NO_LIMIT)?;
            let mut list = RList::new();
            ziplist::read(&blob, |item| {
                list.push_back(item.bytes(&mut itoa::Buffer::new()), limits.list_fill);
                Ok(())
            })
            .or_else(|why| r.fail_at(start, why))?;
            Value::List(Box::new(list))
        }
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => {
            // The nodes as saved: ziplists (RDB 7-9) or listpacks and plain elements (RDB 10).
            let n = r.count()?;
            let mut list = RList::new();
            for _ in 0..n {
                let container = if t == TYPE_LIST_QUICKLIST_2 { r.count_any()? } else { QUICKLIST_NODE_PACKED };
                let at = r.offset();
                let blob = r.string(NO_LIMIT)?;
                match container {
                    QUICKLIST_NODE_PLAIN => list.push_node([&blob[..]]),
                    QUICKLIST_NODE_PACKED => {
                        let entries =
                            Entries::read(&blob, t == TYPE_LIST_QUICKLIST).or_else(|why| r.fail_at(at, why))?;
                        list.push_node((0..entries.len()).map(|i| entries.get(i)));
                    }
                    _ => return r.fail_at(at, "a quicklist node container (1 plain or 2 packed)"),
                }
            }
            Value::List(Box::new(list))
        }
        TYPE_SET => {
            let n = r.count()?;
            let mut set: Option<RSet> = None;
            for _ in 0..n {
                let at = r.offset();
                let member = r.string(NO_LIMIT)?;
                let m = Member::Bytes(&member);
                let set = set.get_or_insert_with(|| {
                    if n as u64 > limits.set_max_intset {
                        RSet::Table(Box::default())
                    } else {
                        RSet::new_for(m)
                    }
                });
                if !set.add(m, limits.set_max_intset) {
                    return r.fail_at(at, "distinct set members (duplicate set members detected)");
                }
            }
            Value::Set(set.unwrap_or_else(|| RSet::new_for(Member::Int(0))))
        }
        TYPE_ZSET | TYPE_ZSET_2 => {
            let n = r.count()?;
            let mut z = RZSet::with_capacity(n, 0, limits.zset);
            for _ in 0..n {
                let at = r.offset();
                let member = r.string_cow()?;
                let score = if t == TYPE_ZSET_2 { r.binary_double()? } else { r.text_double()? };
                if score.is_nan() {
                    return r.fail_at(at, "a score that is a number (zset with NaN score detected)");
                }
                if z.insert(&member, score, limits.zset).is_some() {
                    return r.fail_at(at, "distinct zset members (duplicate zset fields detected)");
                }
            }
            Value::ZSet(z)
        }
        TYPE_HASH => {
            let n = r.count()?;
            let mut h = RHash::new();
            for _ in 0..n {
                let at = r.offset();
                let field = r.string(NO_LIMIT)?;
                let value = r.string(NO_LIMIT)?;
                if !h.set(&field, &value, limits.hash) {
                    return r.fail_at(at, "distinct hash fields (duplicate hash fields detected)");
                }
            }
            Value::Hash(h)
        }
        TYPE_HASH_ZIPMAP => {
            let blob = r.string(NO_LIMIT)?;
            let mut h = RHash::new();
            zipmap::read(&blob, |f, v| if h.set(f, v, limits.hash) { Ok(()) } else { Err(DUP_FIELD) })
                .or_else(|why| r.fail_at(start, why))?;
            Value::Hash(h)
        }
        TYPE_SET_INTSET => {
            let blob = r.string(NO_LIMIT)?;
            let (width, members) = intset::read_with_width(&blob).or_else(|why| r.fail_at(start, why))?;
            let members: Vec<i64> = members.collect();
            let mut set = RSet::new_for(Member::Int(0));
            if members.len() as u64 > limits.set_max_intset {
                for m in members {
                    set.add(Member::Int(m), limits.set_max_intset);
                }
            } else {
                // Redis keeps the intset as it was saved, as wide as it had grown even if no member needs that
                // width now: widen it with a member of that width (none of the set's, all being narrower), then
                // take it out again (an intset never narrows).
                let widest = members.iter().map(|&m| intset::width_of(m)).max().unwrap_or(2);
                let widener = (widest < width).then_some(if width == 8 { i64::MAX } else { i64::from(i32::MAX) });
                for m in members.into_iter().chain(widener) {
                    set.add(Member::Int(m), u64::MAX);
                }
                if let Some(m) = widener {
                    set.remove(Member::Int(m));
                }
            }
            Value::Set(set)
        }
        TYPE_SET_LISTPACK => {
            let blob = r.string(NO_LIMIT)?;
            let mut set: Option<RSet> = None;
            listpack::read(&blob, |item| {
                let mut digits = itoa::Buffer::new();
                let m = Member::Bytes(item.bytes(&mut digits));
                let set = set.get_or_insert_with(|| RSet::new_for(m));
                if set.add(m, limits.set_max_intset) {
                    Ok(())
                } else {
                    Err("distinct set members")
                }
            })
            .or_else(|why| r.fail_at(start, why))?;
            Value::Set(set.unwrap_or_else(|| RSet::new_for(Member::Int(0))))
        }
        TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let blob = r.string(NO_LIMIT)?;
            // The entries go straight into the hash's own listpack, checked as they are read.
            let mut lp = Listpack::builder(blob.len());
            let visit = |item: Item| {
                lp.push(item.bytes(&mut itoa::Buffer::new()));
                Ok(())
            };
            let read = if t == TYPE_HASH_ZIPLIST { ziplist::read(&blob, visit) } else { listpack::read(&blob, visit) };
            read.or_else(|why| r.fail_at(start, why))?;
            // A listpack converts only when it has too many fields (a long value stays, as Redis 7.0 keeps it).
            let limits = hash::Limits { value: u64::MAX, ..limits.hash };
            let h = match lp.finish() {
                Some(lp) => RHash::from_listpack(lp, limits),
                None => {
                    // Over 65535 entries: a table, built from the entries read again.
                    let entries = Entries::read(&blob, t == TYPE_HASH_ZIPLIST).or_else(|why| r.fail_at(start, why))?;
                    let items: Vec<&[u8]> = (0..entries.len()).map(|i| entries.get(i)).collect();
                    if items.len().is_multiple_of(2) {
                        RHash::from_pairs(&items, limits)
                    } else {
                        None
                    }
                }
            };
            let h = h.map_or_else(|| r.fail_at(start, "distinct hash fields, in pairs"), Ok)?;
            Value::Hash(h)
        }
        TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
            let blob = r.string(NO_LIMIT)?;
            let entries = Entries::read(&blob, t == TYPE_ZSET_ZIPLIST).or_else(|why| r.fail_at(start, why))?;
            if entries.len() % 2 != 0 {
                return r.fail_at(start, "a listpack of member-score pairs");
            }
            let mut pairs = Vec::with_capacity(entries.len() / 2);
            for i in (0..entries.len()).step_by(2) {
                let score = entries.int(i + 1).map_or_else(|| zzl_strtod(entries.get(i + 1)), |v| v as f64);
                if score.is_nan() {
                    return r.fail_at(start, "a score that is a number");
                }
                pairs.push((entries.get(i), score));
            }
            let limits = zset::Limits { max_value: usize::MAX, ..limits.zset };
            let z = RZSet::from_pairs(pairs, limits).map_or_else(|| r.fail_at(start, "distinct zset members"), Ok)?;
            Value::ZSet(z)
        }
        _ => {
            let what = match unsupported_type(t) {
                Some(name) => format!("a value type this server loads (type {t}: {name}, not supported yet)"),
                None => format!("a known value type (unknown type {t})"),
            };
            return r.fail_at(start.saturating_sub(1), what);
        }
    };
    let empty = match &value {
        Value::String(_) => false,
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::List(l) => l.is_empty(),
    };
    Ok((!empty).then_some(value))
}

const DUP_FIELD: &str = "distinct hash fields";

/// The entries of a compact blob (listpack or ziplist), checked, as byte strings in one buffer (integers as
/// their decimal text, and as numbers).
struct Entries {
    text: Vec<u8>,
    spans: Vec<(usize, usize, Option<i64>)>,
}

impl Entries {
    fn read(blob: &[u8], ziplist: bool) -> Result<Entries, &'static str> {
        let mut e = Entries { text: Vec::with_capacity(blob.len()), spans: Vec::with_capacity(32) };
        let visit = |item: Item| {
            let start = e.text.len();
            let int = match item {
                Item::Int(v) => {
                    e.text.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
                    Some(v)
                }
                Item::Str(s) => {
                    e.text.extend_from_slice(s);
                    None
                }
            };
            e.spans.push((start, e.text.len(), int));
            Ok(())
        };
        if ziplist {
            ziplist::read(blob, visit)?;
        } else {
            listpack::read(blob, visit)?;
        }
        Ok(e)
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let (start, end, _) = self.spans[i];
        &self.text[start..end]
    }

    fn int(&self, i: usize) -> Option<i64> {
        self.spans[i].2
    }
}

/// zzlStrtod: how Redis 7.0 reads a score stored as text in a ziplist or listpack, never checking it: `strtod` of
/// the first 127 bytes, whatever follows the number ("1.5abc" is 1.5, text with no number is 0, "1e400" is inf).
/// Only NaN is refused here (Redis keeps it, but a NaN score has no place in the order).
fn zzl_strtod(s: &[u8]) -> f64 {
    crate::protocol::number::strtod_prefix(&s[..s.len().min(127)]).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::super::encode::{dump_payload, save_object};
    use super::*;

    fn limits() -> Limits {
        Limits::of(&Config::default())
    }

    fn round_trip(value: &Value) -> Value {
        let mut bytes = Vec::new();
        save_object(&mut bytes, value, true);
        let mut r = Reader::new(&bytes[1..]);
        let back = load_object(&mut r, bytes[0], &limits()).unwrap().unwrap();
        assert_eq!(r.offset(), bytes.len() - 1, "the whole value is read");
        back
    }

    fn sample_values() -> Vec<Value> {
        let l = limits();
        let mut small_hash = RHash::new();
        small_hash.set(b"a", b"1", l.hash);
        small_hash.set(b"b", b"hello", l.hash);
        let mut big_hash = RHash::new();
        for i in 0..1000 {
            big_hash.set(format!("field{i}").as_bytes(), format!("{}", i * 7).as_bytes(), l.hash);
        }
        let mut ints = RSet::new_for(Member::Int(1));
        for i in [-5i64, 1, 70000, i64::MAX] {
            ints.add(Member::Int(i), l.set_max_intset);
        }
        let mut words = RSet::new_for(Member::Bytes(b"x"));
        for i in 0..600 {
            words.add(Member::Bytes(format!("w{i}").as_bytes()), l.set_max_intset);
        }
        let mut small_z = RZSet::new();
        small_z.insert(b"a", 1.0, l.zset);
        small_z.insert(b"b", 2.5, l.zset);
        small_z.insert(b"c", f64::NEG_INFINITY, l.zset);
        let mut big_z = RZSet::new();
        for i in 0..500 {
            big_z.insert(format!("m{i}").as_bytes(), f64::from(i) / 3.0, l.zset);
        }
        vec![
            Value::String(RString::from_bytes(b"12345")),
            Value::String(RString::from_bytes(&[b'z'; 1000])),
            Value::Hash(small_hash),
            Value::Hash(big_hash),
            Value::Set(ints),
            Value::Set(words),
            Value::ZSet(small_z),
            Value::ZSet(big_z),
        ]
    }

    fn render(v: &Value) -> (String, Vec<Vec<u8>>) {
        let mut digits = itoa::Buffer::new();
        let mut items: Vec<Vec<u8>> = match v {
            Value::String(s) => vec![s.to_vec()],
            Value::Hash(h) => h.iter().map(|(f, v)| [f, b"=", v].concat()).collect(),
            Value::Set(s) => s.iter().map(|m| m.as_bytes(&mut digits).to_vec()).collect(),
            Value::ZSet(z) => z.iter().map(|(m, s)| [m, b"=", s.to_string().as_bytes()].concat()).collect(),
            Value::List(l) => l.iter().map(<[u8]>::to_vec).collect(),
        };
        if !matches!(v, Value::ZSet(_)) {
            items.sort();
        }
        (v.encoding().to_string(), items)
    }

    #[test]
    fn every_type_and_encoding_round_trips() {
        for v in sample_values() {
            assert_eq!(render(&round_trip(&v)), render(&v));
        }
    }

    #[test]
    fn legacy_encodings_load_into_current_ones() {
        let lp_entries: [&[u8]; 4] = [b"a", b"1", b"b", b"hello"];
        let zl = ziplist::write(lp_entries.iter().copied());
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &zl, false);
        let v = load_object(&mut Reader::new(&bytes), TYPE_HASH_ZIPLIST, &limits()).unwrap().unwrap();
        assert_eq!(render(&v), ("listpack".into(), vec![b"a=1".to_vec(), b"b=hello".to_vec()]));
        let zm = zipmap::write(&[(b"a", b"1"), (b"b", b"hello")]);
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &zm, false);
        let v = load_object(&mut Reader::new(&bytes), TYPE_HASH_ZIPMAP, &limits()).unwrap().unwrap();
        assert_eq!(render(&v), ("listpack".into(), vec![b"a=1".to_vec(), b"b=hello".to_vec()]));
        let zl = ziplist::write([&b"x"[..], b"1.5", b"y", b"3"].into_iter());
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &zl, false);
        let v = load_object(&mut Reader::new(&bytes), TYPE_ZSET_ZIPLIST, &limits()).unwrap().unwrap();
        assert_eq!(render(&v), ("listpack".into(), vec![b"x=1.5".to_vec(), b"y=3".to_vec()]));
        // Old text doubles (RDB type 3): "2.5", +inf.
        let bytes = [2, 1, b'a', 3, b'2', b'.', b'5', 1, b'b', 254];
        let v = load_object(&mut Reader::new(&bytes), TYPE_ZSET, &limits()).unwrap().unwrap();
        assert_eq!(render(&v).1, vec![b"a=2.5".to_vec(), b"b=inf".to_vec()]);
    }

    #[test]
    fn a_listpack_hash_of_more_entries_than_a_count_can_say_loads_as_a_table() {
        let texts: Vec<Vec<u8>> = (0..80_000).map(|i| format!("e{i}").into_bytes()).collect();
        let lp = listpack::write(texts.iter().map(Vec::as_slice));
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &lp, true);
        let v = load_object(&mut Reader::new(&bytes), TYPE_HASH_LISTPACK, &limits()).unwrap().unwrap();
        assert_eq!((v.encoding(), v.as_hash().map(RHash::len)), ("hashtable", Some(40_000)));
    }

    #[test]
    fn bad_values_are_refused_with_their_offset() {
        // A hash of two pairs with the same field; a zset with a NaN score; a set with a duplicate.
        let dup_hash = [2, 1, b'f', 1, b'v', 1, b'f', 1, b'w'];
        let e = load_object(&mut Reader::new(&dup_hash), TYPE_HASH, &limits()).unwrap_err();
        assert_eq!(e.offset, 5);
        let mut nan = vec![1, 1, b'm'];
        nan.extend_from_slice(&f64::NAN.to_le_bytes());
        assert!(load_object(&mut Reader::new(&nan), TYPE_ZSET_2, &limits()).is_err());
        assert!(load_object(&mut Reader::new(&[2, 1, b'a', 1, b'a']), TYPE_SET, &limits()).is_err());
        assert!(load_object(&mut Reader::new(&[0]), 15, &limits()).unwrap_err().expected.contains("stream"));
        assert!(load_object(&mut Reader::new(&[0]), TYPE_LIST_QUICKLIST_2, &limits()).unwrap().is_none(), "no nodes");
        assert!(load_object(&mut Reader::new(&[0]), 99, &limits()).unwrap_err().expected.contains("99"));
        // An empty aggregate is not a value.
        assert!(load_object(&mut Reader::new(&[0]), TYPE_HASH, &limits()).unwrap().is_none());
    }

    #[test]
    fn truncated_and_flipped_payloads_never_panic() {
        let mut rng = fastrand::Rng::with_seed(17);
        for v in sample_values() {
            let payload = dump_payload(&v, true);
            let body = &payload[..payload.len() - 10];
            for cut in (0..body.len()).step_by(body.len() / 50 + 1) {
                let mut r = Reader::new(&body[1..cut.max(1)]);
                assert!(load_object(&mut r, body[0], &limits()).is_err() || cut == body.len());
            }
            for _ in 0..300 {
                let mut bad = body.to_vec();
                let i = rng.usize(..bad.len());
                bad[i] = rng.u8(..);
                let _ = load_object(&mut Reader::new(&bad[1..]), bad[0], &limits());
            }
        }
    }

    #[test]
    fn loaded_as_redis_7_0_loads() {
        // An intset keeps the width it was saved with (Redis never narrows one): saved back the same.
        let wide = [8, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &wide, false);
        let v = load_object(&mut Reader::new(&bytes), TYPE_SET_INTSET, &limits()).unwrap().unwrap();
        let mut saved = Vec::new();
        save_object(&mut saved, &v, false);
        assert_eq!(saved[1..], bytes[..]);
        // Scores in a ziplist or listpack are read with strtod and never checked; only NaN is refused.
        let lp = listpack::write([&b"a"[..], b"abc", b"b", b"1.5xyz", b"c", b" 2"].into_iter());
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &lp, false);
        let v = load_object(&mut Reader::new(&bytes), TYPE_ZSET_LISTPACK, &limits()).unwrap().unwrap();
        assert_eq!(render(&v).1, vec![b"a=0".to_vec(), b"b=1.5".to_vec(), b"c=2".to_vec()]);
        let lp = listpack::write([&b"a"[..], b"nan"].into_iter());
        let mut bytes = Vec::new();
        super::super::encode::save_string(&mut bytes, &lp, false);
        assert!(load_object(&mut Reader::new(&bytes), TYPE_ZSET_LISTPACK, &limits()).is_err());
    }
}
