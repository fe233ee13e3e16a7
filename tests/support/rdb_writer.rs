//! An independent RDB writer for tests, written from the RDB format's description (not from the crate's
//! encoder), so that what it produces checks embedis's reader rather than mirroring it: lengths, strings
//! (plain, integer-encoded, LZF), CRC-64, DUMP payloads, whole files of any version, and the compact blobs
//! of every Redis generation (zipmap, ziplist, intset, listpack).

/// RDB type bytes.
pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE_PRE_GA: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    pub const SET_LISTPACK: u8 = 20;
    pub const STREAM_LISTPACKS_3: u8 = 21;
}

/// File opcodes.
pub mod opcodes {
    pub const IDLE: u8 = 0xf8;
    pub const FREQ: u8 = 0xf9;
    pub const AUX: u8 = 0xfa;
    pub const RESIZEDB: u8 = 0xfb;
    pub const EXPIRETIME_MS: u8 = 0xfc;
    pub const EXPIRETIME: u8 = 0xfd;
    pub const SELECTDB: u8 = 0xfe;
    pub const EOF: u8 = 0xff;
}

// ---------------------------------------------------------------------------------------------------------
// CRC-64: Jones polynomial, reflected input and output, initial value 0, no final xor (Redis's crc64.c).

/// The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected (LSB-first) algorithm.
const JONES_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// CRC-64 of `data`, continuing from `crc` (0 to start), one bit at a time.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    for &byte in data {
        crc ^= u64::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ JONES_REFLECTED } else { crc >> 1 };
        }
    }
    crc
}

// ---------------------------------------------------------------------------------------------------------
// Lengths and strings.

/// An RDB length: 6 bits (00), 14 bits (01, big endian), 32 bits (0x80 then big endian) or 64 bits (0x81).
pub fn len(out: &mut Vec<u8>, n: u64) {
    if n < 64 {
        out.push(n as u8);
    } else if n < 16384 {
        out.push(0x40 | (n >> 8) as u8);
        out.push((n & 0xff) as u8);
    } else if n <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// A length in the 32-bit form whatever its size (a non-minimal form readers must accept).
pub fn len32(out: &mut Vec<u8>, n: u32) {
    out.push(0x80);
    out.extend_from_slice(&n.to_be_bytes());
}

/// A string stored plain: its length, then its bytes.
pub fn plain(out: &mut Vec<u8>, s: &[u8]) {
    len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Integer-encoded strings: 0xC0 + 1 byte, 0xC1 + 2 bytes, 0xC2 + 4 bytes, little endian, signed.
pub fn int8(out: &mut Vec<u8>, v: i8) {
    out.push(0xc0);
    out.push(v as u8);
}

pub fn int16(out: &mut Vec<u8>, v: i16) {
    out.push(0xc1);
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn int32(out: &mut Vec<u8>, v: i32) {
    out.push(0xc2);
    out.extend_from_slice(&v.to_le_bytes());
}

/// The value of `s` if it is a canonical decimal integer (no sign on zero, no leading zeros, no '+').
pub fn canonical_int(s: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(s).ok()?;
    let v: i64 = text.parse().ok()?;
    (v.to_string() == text).then_some(v)
}

/// A string as Redis saves one without compression: an integer encoding when it is a canonical integer of
/// 32 bits or fewer (and at most 11 characters), else plain.
pub fn string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11 {
        if let Some(v) = canonical_int(s) {
            if let Ok(v) = i8::try_from(v) {
                return int8(out, v);
            } else if let Ok(v) = i16::try_from(v) {
                return int16(out, v);
            } else if let Ok(v) = i32::try_from(v) {
                return int32(out, v);
            }
        }
    }
    plain(out, s)
}

/// An LZF-compressed string: 0xC3, the compressed length, the original length, the compressed bytes.
pub fn lzf_string(out: &mut Vec<u8>, s: &[u8]) {
    let packed = lzf_compress(s);
    out.push(0xc3);
    len(out, packed.len() as u64);
    len(out, s.len() as u64);
    out.extend_from_slice(&packed);
}

/// LZF (liblzf's format): a control byte below 32 starts a literal run of ctrl+1 bytes; above, the top 3 bits
/// are a length (7: plus the next byte) and the low 5 bits with the next byte an offset back; length+2 bytes
/// are copied from offset+1 back. This compressor searches a small window greedily: simple, not optimal.
pub fn lzf_compress(input: &[u8]) -> Vec<u8> {
    const WINDOW: usize = 1024;
    const MAX_MATCH: usize = 264;
    let mut out = Vec::new();
    let mut literal: Vec<u8> = Vec::new();
    let flush = |out: &mut Vec<u8>, literal: &mut Vec<u8>| {
        for run in literal.chunks(32) {
            out.push((run.len() - 1) as u8);
            out.extend_from_slice(run);
        }
        literal.clear();
    };
    let mut i = 0;
    while i < input.len() {
        let (mut best_len, mut best_dist) = (0, 0);
        for dist in 1..=WINDOW.min(i) {
            let mut l = 0;
            while i + l < input.len() && l < MAX_MATCH && input[i + l] == input[i + l - dist] {
                l += 1;
            }
            if l > best_len {
                (best_len, best_dist) = (l, dist);
            }
        }
        if best_len >= 3 {
            flush(&mut out, &mut literal);
            let l = best_len - 2;
            let off = best_dist - 1;
            if l < 7 {
                out.push(((l as u8) << 5) | (off >> 8) as u8);
            } else {
                out.push((7 << 5) | (off >> 8) as u8);
                out.push((l - 7) as u8);
            }
            out.push((off & 0xff) as u8);
            i += best_len;
        } else {
            literal.push(input[i]);
            i += 1;
        }
    }
    flush(&mut out, &mut literal);
    out
}

// ---------------------------------------------------------------------------------------------------------
// Doubles.

/// C's `%.17g`.
pub fn g17(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // 17 significant digits in scientific form tell the exponent %g decides by.
    let sci = format!("{v:.16e}");
    let (mantissa, exp) = sci.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..17).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        let decimals = (16 - exp).max(0) as usize;
        trim(&format!("{v:.decimals$}"))
    }
}

/// How Redis before 7.0 wrote a score as text (d2string in ziplists, rdbSaveDoubleValue): whole numbers
/// within ±2^52 as integers, anything else as `%.17g`.
pub fn score_text(v: f64) -> String {
    const LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52
    if v.is_finite() && v > -LIMIT && v < LIMIT && v == (v as i64) as f64 && v != 0.0 {
        (v as i64).to_string()
    } else {
        g17(v)
    }
}

/// rdbSaveDoubleValue (zsets of RDB type 3): 253 NaN, 254 +inf, 255 -inf, else a length byte and the text.
pub fn text_double(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.push(253);
    } else if v.is_infinite() {
        out.push(if v > 0.0 { 254 } else { 255 });
    } else {
        let text = score_text(v);
        out.push(text.len() as u8);
        out.extend_from_slice(text.as_bytes());
    }
}

/// A text double written as given (for texts Redis never writes).
pub fn text_double_raw(out: &mut Vec<u8>, text: &[u8]) {
    out.push(text.len() as u8);
    out.extend_from_slice(text);
}

/// rdbSaveBinaryDoubleValue (zsets of RDB type 5): 8 bytes, little endian IEEE 754.
pub fn binary_double(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

// ---------------------------------------------------------------------------------------------------------
// Compact blobs.

/// One element of a ziplist or listpack.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Str(Vec<u8>),
    Int(i64),
    /// The entry's encoding and data, laid as given (non-minimal or invalid encodings); a ziplist adds the
    /// previous length before it, a listpack the back-length after it.
    Raw(Vec<u8>),
}

impl Entry {
    /// As Redis stores a string: a canonical integer becomes an integer entry.
    pub fn auto(s: &[u8]) -> Entry {
        match canonical_int(s) {
            Some(v) => Entry::Int(v),
            None => Entry::Str(s.to_vec()),
        }
    }
}

/// A ziplist entry's encoding and data (no previous length).
fn ziplist_entry_body(e: &Entry) -> Vec<u8> {
    let mut b = Vec::new();
    match e {
        Entry::Raw(raw) => b.extend_from_slice(raw),
        Entry::Int(v) => {
            let v = *v;
            if (0..=12).contains(&v) {
                b.push(0xf1 + v as u8); // 1111xxxx: the value plus one in the low 4 bits
            } else if i8::try_from(v).is_ok() {
                b.push(0xfe);
                b.push(v as u8);
            } else if i16::try_from(v).is_ok() {
                b.push(0xc0);
                b.extend_from_slice(&(v as i16).to_le_bytes());
            } else if (-(1 << 23)..(1 << 23)).contains(&v) {
                b.push(0xf0);
                b.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            } else if i32::try_from(v).is_ok() {
                b.push(0xd0);
                b.extend_from_slice(&(v as i32).to_le_bytes());
            } else {
                b.push(0xe0);
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        Entry::Str(s) => {
            let n = s.len();
            if n <= 0x3f {
                b.push(n as u8); // 00pppppp
            } else if n <= 0x3fff {
                b.push(0x40 | (n >> 8) as u8); // 01pppppp qqqqqqqq, big endian
                b.push((n & 0xff) as u8);
            } else {
                b.push(0x80); // 10000000 then 4 bytes, big endian
                b.extend_from_slice(&(n as u32).to_be_bytes());
            }
            b.extend_from_slice(s);
        }
    }
    b
}

/// A ziplist: zlbytes (u32 LE), zltail (u32 LE, offset of the last entry), zllen (u16 LE), the entries (each
/// the previous entry's length in 1 byte, or 0xFE and a u32 LE from 254 on, then its encoding and data),
/// 0xFF. `big_prevlen` writes every previous length in the 5-byte form (as ziplists do after a cascade).
pub fn ziplist_with(entries: &[Entry], big_prevlen: bool) -> Vec<u8> {
    let mut zl = vec![0u8; 10];
    let mut prev = 0usize;
    let mut tail = 10usize;
    for e in entries {
        let start = zl.len();
        if prev < 254 && !big_prevlen {
            zl.push(prev as u8);
        } else {
            zl.push(0xfe);
            zl.extend_from_slice(&(prev as u32).to_le_bytes());
        }
        zl.extend_from_slice(&ziplist_entry_body(e));
        prev = zl.len() - start;
        tail = start;
    }
    zl.push(0xff);
    let total = zl.len() as u32;
    zl[0..4].copy_from_slice(&total.to_le_bytes());
    zl[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
    zl[8..10].copy_from_slice(&(entries.len().min(65535) as u16).to_le_bytes());
    zl
}

pub fn ziplist(entries: &[Entry]) -> Vec<u8> {
    ziplist_with(entries, false)
}

/// A listpack entry's encoding and data (no back-length).
fn listpack_entry_body(e: &Entry) -> Vec<u8> {
    let mut b = Vec::new();
    match e {
        Entry::Raw(raw) => b.extend_from_slice(raw),
        Entry::Int(v) => {
            let v = *v;
            if (0..=127).contains(&v) {
                b.push(v as u8); // 0xxxxxxx
            } else if (-4096..=4095).contains(&v) {
                let u = (v as u64 & 0x1fff) as u16; // 110xxxxx yyyyyyyy, 13-bit two's complement
                b.push(0xc0 | (u >> 8) as u8);
                b.push((u & 0xff) as u8);
            } else if i16::try_from(v).is_ok() {
                b.push(0xf1);
                b.extend_from_slice(&(v as i16).to_le_bytes());
            } else if (-(1 << 23)..(1 << 23)).contains(&v) {
                b.push(0xf2);
                b.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            } else if i32::try_from(v).is_ok() {
                b.push(0xf3);
                b.extend_from_slice(&(v as i32).to_le_bytes());
            } else {
                b.push(0xf4);
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        Entry::Str(s) => {
            let n = s.len();
            if n < 64 {
                b.push(0x80 | n as u8); // 10xxxxxx
            } else if n < 4096 {
                b.push(0xe0 | (n >> 8) as u8); // 1110xxxx yyyyyyyy
                b.push((n & 0xff) as u8);
            } else {
                b.push(0xf0); // 11110000 then 4 bytes, little endian
                b.extend_from_slice(&(n as u32).to_le_bytes());
            }
            b.extend_from_slice(s);
        }
    }
    b
}

/// A listpack back-length: the entry's length (encoding and data) in 7-bit groups, most significant first;
/// every byte but the first carries the high bit, so it reads from its end backwards.
pub fn backlen(l: usize) -> Vec<u8> {
    let groups = match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    (0..groups)
        .rev()
        .map(|i| {
            let part = ((l >> (7 * i)) & 127) as u8;
            if i == groups - 1 {
                part
            } else {
                part | 128
            }
        })
        .collect()
}

/// A listpack: total bytes (u32 LE), element count (u16 LE, 65535 when too many to count), the entries
/// (encoding, data, back-length), 0xFF.
pub fn listpack(entries: &[Entry]) -> Vec<u8> {
    let mut lp = vec![0u8; 6];
    for e in entries {
        let body = listpack_entry_body(e);
        lp.extend_from_slice(&body);
        lp.extend_from_slice(&backlen(body.len()));
    }
    lp.push(0xff);
    let total = lp.len() as u32;
    lp[0..4].copy_from_slice(&total.to_le_bytes());
    lp[4..6].copy_from_slice(&(entries.len().min(65535) as u16).to_le_bytes());
    lp
}

/// A zipmap length: one byte below 254, else 254 and a u32 (little endian).
fn zipmap_len(out: &mut Vec<u8>, n: usize) {
    if n < 254 {
        out.push(n as u8);
    } else {
        out.push(254);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
}

/// A zipmap (Redis 2.4's small hashes): a count byte (254 = too many to count), then per pair key length, key,
/// value length, a free-space byte, value, that much free space; then 0xFF. `free` unused bytes follow each
/// value (as left by updates to shorter values).
pub fn zipmap_with(pairs: &[(Vec<u8>, Vec<u8>)], free: u8) -> Vec<u8> {
    let mut zm = vec![pairs.len().min(254) as u8];
    for (k, v) in pairs {
        zipmap_len(&mut zm, k.len());
        zm.extend_from_slice(k);
        zipmap_len(&mut zm, v.len());
        zm.push(free);
        zm.extend_from_slice(v);
        zm.extend(std::iter::repeat_n(0xaa, usize::from(free)));
    }
    zm.push(0xff);
    zm
}

pub fn zipmap(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    zipmap_with(pairs, 0)
}

/// An intset of `width` bytes per member (2, 4 or 8), the members in the order given: encoding (u32 LE),
/// length (u32 LE), members (little endian).
pub fn intset_raw(width: u32, members: &[i64]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for m in members {
        out.extend_from_slice(&m.to_le_bytes()[..width as usize]);
    }
    out
}

/// An intset as Redis builds it: sorted, in the narrowest width that holds every member.
pub fn intset(members: &[i64]) -> Vec<u8> {
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let width = sorted
        .iter()
        .map(|&v| {
            if i16::try_from(v).is_ok() {
                2
            } else if i32::try_from(v).is_ok() {
                4
            } else {
                8
            }
        })
        .max()
        .unwrap_or(2);
    intset_raw(width, &sorted)
}

// ---------------------------------------------------------------------------------------------------------
// Values.

pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
pub type Scored = Vec<(Vec<u8>, f64)>;

/// A value in one of the RDB encodings; `type_byte` and `body` give its serialization.
#[derive(Clone, Debug)]
pub enum Value {
    /// 0: a string (integer-encoded when Redis would).
    String(Vec<u8>),
    /// 0: a string stored LZF-compressed.
    StringLzf(Vec<u8>),
    /// 2: a set, one string per member.
    Set(Vec<Vec<u8>>),
    /// 3: a sorted set with scores as text (before RDB 8).
    ZSetText(Scored),
    /// 4: a hash, field and value strings.
    Hash(Pairs),
    /// 5: a sorted set with binary scores.
    ZSet2(Scored),
    /// 9: a hash as a zipmap.
    HashZipmap(Pairs),
    /// 11: a set of integers as an intset.
    SetIntset(Vec<i64>),
    /// 12: a sorted set as a ziplist of member, score (as text, or an integer entry when whole), sorted.
    ZSetZiplist(Scored),
    /// 13: a hash as a ziplist of field, value.
    HashZiplist(Pairs),
    /// 16: a hash as a listpack of field, value.
    HashListpack(Pairs),
    /// 17: a sorted set as a listpack of member, score, sorted.
    ZSetListpack(Scored),
    /// Any type byte with a body written by hand.
    Raw(u8, Vec<u8>),
}

/// The entries of a flattened list of pairs, each stored as Redis would store the string.
fn pair_entries(pairs: &Pairs) -> Vec<Entry> {
    pairs.iter().flat_map(|(f, v)| [Entry::auto(f), Entry::auto(v)]).collect()
}

/// Sorted as a compact sorted set keeps its elements: by score, then member bytes.
pub fn sorted(scored: &Scored) -> Scored {
    let mut s = scored.clone();
    s.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal).then_with(|| a.0.cmp(&b.0)));
    s
}

fn scored_entries(scored: &Scored) -> Vec<Entry> {
    sorted(scored).iter().flat_map(|(m, s)| [Entry::auto(m), Entry::auto(score_text(*s).as_bytes())]).collect()
}

impl Value {
    pub fn type_byte(&self) -> u8 {
        use types::*;
        match self {
            Value::String(_) | Value::StringLzf(_) => STRING,
            Value::Set(_) => SET,
            Value::ZSetText(_) => ZSET,
            Value::Hash(_) => HASH,
            Value::ZSet2(_) => ZSET_2,
            Value::HashZipmap(_) => HASH_ZIPMAP,
            Value::SetIntset(_) => SET_INTSET,
            Value::ZSetZiplist(_) => ZSET_ZIPLIST,
            Value::HashZiplist(_) => HASH_ZIPLIST,
            Value::HashListpack(_) => HASH_LISTPACK,
            Value::ZSetListpack(_) => ZSET_LISTPACK,
            Value::Raw(t, _) => *t,
        }
    }

    /// The serialized value after its type byte.
    pub fn body(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Value::String(s) => string(&mut out, s),
            Value::StringLzf(s) => lzf_string(&mut out, s),
            Value::Set(members) => {
                len(&mut out, members.len() as u64);
                for m in members {
                    string(&mut out, m);
                }
            }
            Value::ZSetText(scored) | Value::ZSet2(scored) => {
                len(&mut out, scored.len() as u64);
                for (m, s) in scored {
                    string(&mut out, m);
                    if matches!(self, Value::ZSetText(_)) {
                        text_double(&mut out, *s);
                    } else {
                        binary_double(&mut out, *s);
                    }
                }
            }
            Value::Hash(pairs) => {
                len(&mut out, pairs.len() as u64);
                for (f, v) in pairs {
                    string(&mut out, f);
                    string(&mut out, v);
                }
            }
            Value::HashZipmap(pairs) => plain(&mut out, &zipmap(pairs)),
            Value::SetIntset(members) => plain(&mut out, &intset(members)),
            Value::ZSetZiplist(scored) => plain(&mut out, &ziplist(&scored_entries(scored))),
            Value::HashZiplist(pairs) => plain(&mut out, &ziplist(&pair_entries(pairs))),
            Value::HashListpack(pairs) => plain(&mut out, &listpack(&pair_entries(pairs))),
            Value::ZSetListpack(scored) => {
                // Redis 7.0 stores whole scores as integer entries, others as %.17g text.
                let entries: Vec<Entry> = sorted(scored)
                    .iter()
                    .flat_map(|(m, s)| {
                        let score = if s.is_finite() && *s == s.trunc() && s.abs() <= 4.6e18 {
                            Entry::Int(*s as i64)
                        } else {
                            Entry::Str(g17(*s).into_bytes())
                        };
                        [Entry::auto(m), score]
                    })
                    .collect();
                plain(&mut out, &listpack(&entries))
            }
            Value::Raw(_, body) => out.extend_from_slice(body),
        }
        out
    }

    /// Type byte and body.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = vec![self.type_byte()];
        out.extend_from_slice(&self.body());
        out
    }
}

// ---------------------------------------------------------------------------------------------------------
// DUMP payloads.

/// A DUMP payload: `value` (type byte and body), the RDB version (u16 LE), the CRC-64 of all before (u64 LE).
pub fn payload_of(value: &[u8], version: u16) -> Vec<u8> {
    let mut out = value.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

pub fn payload(value: &Value, version: u16) -> Vec<u8> {
    payload_of(&value.serialize(), version)
}

// ---------------------------------------------------------------------------------------------------------
// Whole files.

/// When a key expires.
#[derive(Clone, Copy, Debug)]
pub enum Expire {
    /// RDB_OPCODE_EXPIRETIME (0xFD): unix time in seconds, 4 bytes little endian (files before RDB 3).
    Seconds(i32),
    /// RDB_OPCODE_EXPIRETIME_MS (0xFC): unix time in milliseconds, 8 bytes little endian.
    Millis(i64),
}

#[derive(Clone, Debug)]
pub struct Key {
    pub key: Vec<u8>,
    pub value: Value,
    pub expire: Option<Expire>,
}

impl Key {
    pub fn new(key: &str, value: Value) -> Key {
        Key { key: key.as_bytes().to_vec(), value, expire: None }
    }

    pub fn expiring(mut self, expire: Expire) -> Key {
        self.expire = Some(expire);
        self
    }
}

/// A file of RDB `version`: "REDIS" and the version in 4 digits, the AUX fields (0xFA key value), per
/// database SELECTDB (0xFE and its number), RESIZEDB (0xFB, key count, expiring key count) from version 7 on,
/// then per key its expiry opcode, type byte, key and value; EOF (0xFF); from version 5 on the CRC-64 of
/// everything before it (u64 LE), or 8 zero bytes when `checksum` is false.
pub struct File {
    pub version: u16,
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    pub dbs: Vec<(u64, Vec<Key>)>,
    pub checksum: bool,
}

impl File {
    pub fn new(version: u16) -> File {
        File { version, aux: Vec::new(), dbs: Vec::new(), checksum: true }
    }

    pub fn aux(mut self, key: &str, value: &str) -> File {
        self.aux.push((key.as_bytes().to_vec(), value.as_bytes().to_vec()));
        self
    }

    pub fn db(mut self, n: u64, keys: Vec<Key>) -> File {
        self.dbs.push((n, keys));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = format!("REDIS{:04}", self.version).into_bytes();
        for (k, v) in &self.aux {
            out.push(opcodes::AUX);
            string(&mut out, k);
            string(&mut out, v);
        }
        for (n, keys) in &self.dbs {
            out.push(opcodes::SELECTDB);
            len(&mut out, *n);
            if self.version >= 7 {
                out.push(opcodes::RESIZEDB);
                len(&mut out, keys.len() as u64);
                len(&mut out, keys.iter().filter(|k| k.expire.is_some()).count() as u64);
            }
            for k in keys {
                match k.expire {
                    Some(Expire::Seconds(s)) => {
                        out.push(opcodes::EXPIRETIME);
                        out.extend_from_slice(&s.to_le_bytes());
                    }
                    Some(Expire::Millis(ms)) => {
                        out.push(opcodes::EXPIRETIME_MS);
                        out.extend_from_slice(&ms.to_le_bytes());
                    }
                    None => {}
                }
                out.push(k.value.type_byte());
                string(&mut out, &k.key);
                out.extend_from_slice(&k.value.body());
            }
        }
        out.push(opcodes::EOF);
        if self.version >= 5 {
            let crc = if self.checksum { crc64(0, &out) } else { 0 };
            out.extend_from_slice(&crc.to_le_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_test_vector() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
        // Continuing a CRC is the same as computing it at once.
        assert_eq!(crc64(crc64(0, b"1234"), b"56789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn g17_is_printf() {
        for (v, s) in [
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e100, "1e+100"),
            (1e17, "1e+17"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e16, "10000000000000000"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-2.25, "-2.25"),
            (1.0 / 3.0, "0.33333333333333331"),
        ] {
            assert_eq!(g17(v), s, "{v}");
        }
    }

    #[test]
    fn lzf_round_trips_through_a_reference_decoder() {
        fn decompress(data: &[u8]) -> Vec<u8> {
            let (mut out, mut i) = (Vec::new(), 0);
            while i < data.len() {
                let ctrl = usize::from(data[i]);
                i += 1;
                if ctrl < 32 {
                    out.extend_from_slice(&data[i..i + ctrl + 1]);
                    i += ctrl + 1;
                } else {
                    let mut l = ctrl >> 5;
                    if l == 7 {
                        l += usize::from(data[i]);
                        i += 1;
                    }
                    let from = out.len() - (((ctrl & 0x1f) << 8) | usize::from(data[i])) - 1;
                    i += 1;
                    for k in 0..l + 2 {
                        out.push(out[from + k]);
                    }
                }
            }
            out
        }
        for s in [b"".to_vec(), b"a".repeat(1000), b"abcabcabcabc-xyz".repeat(40), (0..=255).collect()] {
            assert_eq!(decompress(&lzf_compress(&s)), s);
        }
    }
}
