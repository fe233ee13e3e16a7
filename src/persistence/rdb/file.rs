//! Whole RDB files: written as redis-server 7.0 writes them (rdbSaveRio: magic and version, AUX fields, per
//! database SELECTDB and RESIZEDB, then per key its expiry, LRU idle time or LFU counter, type, key and value;
//! EOF and the CRC-64), and read back in every version redis-server 7.0 reads (1 to 10) plus 11.

use super::crc64::crc64;
use super::decode::{DecodeError, Reader};
use super::encode::{object_type, save_len, save_string, save_value};
use super::format::*;
use super::object::{load_object, Limits};
use crate::storage::lfu::{lfu_counter, Lfu};
use crate::storage::{db::idle_ms, Db, Value};
use std::io::Write;

/// What a saved key carries besides its value: its access history, as the eviction policy keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No LRU or LFU policy: nothing is saved.
    None,
    /// An LRU policy: the idle time, in seconds (RDB_OPCODE_IDLE).
    Lru,
    /// An LFU policy: the counter (RDB_OPCODE_FREQ).
    Lfu(Lfu),
}

/// How to write a file.
#[derive(Clone, Debug)]
pub struct SaveOptions {
    /// `rdbcompression`.
    pub compress: bool,
    /// `rdbchecksum`: without it the file ends with a zero checksum, which readers skip.
    pub checksum: bool,
    /// The `used-mem` AUX field.
    pub used_mem: u64,
    /// The `aof-base` AUX field: written as the base of an AOF.
    pub aof_base: bool,
    pub access: Access,
    /// `rdb-key-save-delay` (microseconds per key, or one in |value| keys when negative: a hook to make saves
    /// slow in tests and benchmarks).
    pub key_delay_us: i64,
}

/// Bytes gathered before each write to the file.
const CHUNK: usize = 64 * 1024;

/// Writes everything to `out`, keeping the running checksum.
struct Sink<'w, W: Write> {
    out: &'w mut W,
    buf: Vec<u8>,
    crc: u64,
    checksum: bool,
}

impl<W: Write> Sink<'_, W> {
    fn flush_if_full(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.checksum {
            self.crc = crc64(self.crc, &self.buf);
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

fn aux(buf: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    buf.push(OPCODE_AUX);
    save_string(buf, key, false);
    save_string(buf, value, false);
}

/// Writes the databases as an RDB file; returns the number of keys written. `now` (ms) is the `ctime` field
/// and the reference for idle times and LFU decay. Keys are saved whether or not their TTL has passed, as Redis
/// does (a master drops them when loading).
pub fn write_rdb(dbs: &[Db], now: i64, opts: &SaveOptions, out: &mut impl Write) -> std::io::Result<u64> {
    let mut sink = Sink { out, buf: Vec::with_capacity(CHUNK * 2), crc: 0, checksum: opts.checksum };
    let buf = &mut sink.buf;
    buf.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    let mut digits = itoa::Buffer::new();
    aux(buf, b"redis-ver", crate::REDIS_VERSION.as_bytes());
    aux(buf, b"redis-bits", b"64");
    aux(buf, b"ctime", digits.format(now / 1000).as_bytes());
    aux(buf, b"used-mem", digits.format(opts.used_mem).as_bytes());
    aux(buf, b"aof-base", if opts.aof_base { b"1" } else { b"0" });
    let mut keys = 0;
    let mut delay_rng = fastrand::Rng::with_seed(keys);
    for (index, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        sink.buf.push(OPCODE_SELECTDB);
        save_len(&mut sink.buf, index as u64);
        sink.buf.push(OPCODE_RESIZEDB);
        save_len(&mut sink.buf, db.len() as u64);
        save_len(&mut sink.buf, db.volatile_len() as u64);
        for (key, entry) in db.entries() {
            let buf = &mut sink.buf;
            if let Some(at) = entry.expire_at() {
                buf.push(OPCODE_EXPIRETIME_MS);
                buf.extend_from_slice(&at.to_le_bytes());
            }
            match opts.access {
                Access::None => {}
                Access::Lru => {
                    buf.push(OPCODE_IDLE);
                    save_len(buf, idle_ms(entry.lru, now) / 1000);
                }
                Access::Lfu(lfu) => buf.extend_from_slice(&[OPCODE_FREQ, lfu_counter(entry.lru, lfu, now) as u8]),
            }
            save_key_value(buf, key, &entry.value, opts.compress);
            keys += 1;
            sink.flush_if_full()?;
            key_delay(opts.key_delay_us, &mut delay_rng);
        }
    }
    sink.buf.push(OPCODE_EOF);
    sink.flush()?;
    let crc = if opts.checksum { sink.crc } else { 0 };
    sink.out.write_all(&crc.to_le_bytes())?;
    Ok(keys)
}

/// Redis's debugDelay for `rdb-key-save-delay`: a positive value sleeps that many microseconds per key; a
/// negative one sleeps one microsecond once every |value| keys on average (a short sleep costs a system call
/// and a context switch, so it is taken less often instead).
fn key_delay(us: i64, rng: &mut fastrand::Rng) {
    let us = match us {
        0 => return,
        us if us < 0 => u64::from(rng.u64(..us.unsigned_abs()) == 0),
        us => us as u64,
    };
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }
}

/// rdbSaveObjectType, the key, rdbSaveObject.
fn save_key_value(buf: &mut Vec<u8>, key: &[u8], value: &Value, compress: bool) {
    buf.push(object_type(value));
    save_string(buf, key, compress);
    save_value(buf, value, compress);
}

/// One key read from a file.
#[derive(Debug)]
pub struct Record<'a> {
    pub db: usize,
    pub key: std::borrow::Cow<'a, [u8]>,
    pub value: Value,
    pub expire_at: Option<i64>,
    /// Seconds idle (RDB_OPCODE_IDLE), as saved under an LRU policy.
    pub idle_secs: Option<u64>,
    /// The LFU counter (RDB_OPCODE_FREQ), as saved under an LFU policy.
    pub freq: Option<u8>,
}

/// What the reader hands over, in file order.
#[derive(Debug)]
pub enum Event<'a> {
    /// RESIZEDB: how many keys (and keys with a TTL) the database about to be read holds, bounded by the bytes
    /// that remain, so a caller may size its tables before the keys arrive.
    Resize {
        db: usize,
        keys: u64,
    },
    Key(Record<'a>),
}

/// What reading a file found besides its keys.
#[derive(Debug, Default)]
pub struct Summary {
    pub version: u16,
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    pub keys: u64,
    /// Empty aggregates, which Redis skips with a warning.
    pub empty_keys_skipped: u64,
    /// The offset just past the file's end (after the checksum): an AOF's commands follow an RDB preamble there.
    pub end: usize,
    /// The file was saved without a checksum (`rdbchecksum no`): nothing was verified.
    pub checksum_absent: bool,
}

/// How to read a file.
pub struct ReadOptions {
    pub limits: Limits,
    /// Databases this server has: a SELECTDB past them stops loading, as in Redis.
    pub databases: usize,
    /// `rdbchecksum`: verify the CRC-64 at the end.
    pub verify_checksum: bool,
}

/// Reads an RDB file from `data`, handing each key (and size hint) to `on` (whose error stops reading there).
pub fn read_rdb<'a>(
    data: &'a [u8],
    opts: &ReadOptions,
    mut on: impl FnMut(Event<'a>) -> Result<(), String>,
) -> Result<Summary, DecodeError> {
    let mut r = Reader::new(data);
    let magic = r.bytes(9, "the RDB header (REDIS and a 4-digit version)")?;
    if &magic[..5] != b"REDIS" {
        return r.fail_at(0, "the RDB signature REDIS (wrong signature trying to load DB from file)");
    }
    let version = std::str::from_utf8(&magic[5..]).ok().and_then(|v| v.parse::<u16>().ok()).unwrap_or(0);
    if !(1..=NEWEST_READABLE).contains(&version) {
        return r
            .fail_at(5, format!("an RDB format version from 1 to {NEWEST_READABLE} (can't handle version {version})"));
    }
    let mut summary = Summary { version, ..Summary::default() };
    let (mut db, mut expire_at, mut idle_secs, mut freq) = (0usize, None, None, None);
    loop {
        let at = r.offset();
        let opcode = r.byte("an opcode or a value type")?;
        match opcode {
            OPCODE_EXPIRETIME => expire_at = Some(i64::from(i32::from_le_bytes(r.array("an expire time")?)) * 1000),
            OPCODE_EXPIRETIME_MS => expire_at = Some(i64::from_le_bytes(r.array("an expire time in ms")?)),
            OPCODE_FREQ => freq = Some(r.byte("an LFU counter")?),
            OPCODE_IDLE => idle_secs = Some(r.count_any()?),
            OPCODE_EOF => break,
            OPCODE_SELECTDB => {
                let n = r.count_any()?;
                if n >= opts.databases as u64 {
                    return r.fail_at(
                        at,
                        format!(
                            "a database number below {} (the file was created with more databases: {n})",
                            opts.databases
                        ),
                    );
                }
                db = n as usize;
            }
            OPCODE_RESIZEDB => {
                let keys = r.count_any()?;
                r.count_any()?;
                // Each key takes at least 3 bytes: a larger claim is not believed.
                let keys = keys.min(r.remaining() as u64 / 3);
                on(Event::Resize { db, keys }).or_else(|why| r.fail_at(at, why))?;
            }
            OPCODE_AUX => {
                let key = r.string(usize::MAX)?;
                let value = r.string(usize::MAX)?;
                summary.aux.push((key, value));
            }
            OPCODE_MODULE_AUX => {
                return r.fail_at(at, "no module data (the file holds module AUX data; modules are not supported)")
            }
            OPCODE_FUNCTION2 | OPCODE_FUNCTION_PRE_GA => {
                return r
                    .fail_at(at, "no functions (the file holds a function library; functions are not supported yet)")
            }
            t => {
                let key = r.string_cow()?;
                match load_object(&mut r, t, &opts.limits)? {
                    Some(value) => {
                        let record = Record { db, key, value, expire_at, idle_secs, freq };
                        on(Event::Key(record)).or_else(|why| r.fail_at(at, why))?;
                        summary.keys += 1;
                    }
                    None => summary.empty_keys_skipped += 1,
                }
                (expire_at, idle_secs, freq) = (None, None, None);
            }
        }
    }
    if version >= 5 {
        let body_end = r.offset();
        let stored = u64::from_le_bytes(r.array("the checksum after EOF")?);
        if stored == 0 {
            summary.checksum_absent = true;
        } else if opts.verify_checksum {
            let computed = crc64(0, &data[..body_end]);
            if computed != stored {
                return r.fail_at(
                    body_end,
                    format!("the checksum of the file (wrong RDB checksum expected: ({computed:x}) got: ({stored:x}))"),
                );
            }
        }
    }
    summary.end = r.offset();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::storage::RString;

    fn options() -> SaveOptions {
        SaveOptions {
            compress: true,
            checksum: true,
            used_mem: 1000,
            aof_base: false,
            access: Access::None,
            key_delay_us: 0,
        }
    }

    fn read_opts() -> ReadOptions {
        ReadOptions { limits: Limits::of(&Config::default()), databases: 16, verify_checksum: true }
    }

    fn sample_dbs() -> Vec<Db> {
        let mut dbs: Vec<Db> = (0..4).map(|_| Db::default()).collect();
        dbs[0].set(b"a", Value::String(RString::from_bytes(b"1")), false, 0);
        dbs[0].set(b"b", Value::String(RString::from_bytes(b"hello")), false, 0);
        dbs[0].set_expire(b"b", 1_800_000_000_000);
        dbs[3].set(b"c", Value::String(RString::from_bytes(&[b'x'; 300])), false, 0);
        dbs
    }

    #[test]
    fn a_file_is_laid_out_as_redis_writes_it() {
        let mut out = Vec::new();
        write_rdb(&sample_dbs(), 1_700_000_000_000, &options(), &mut out).unwrap();
        assert!(out.starts_with(b"REDIS0010\xfa\x09redis-ver"));
        // db 0: SELECTDB 0, RESIZEDB 2 1; "a" = 1 as an 8-bit integer.
        let db0 = [0xfe, 0, 0xfb, 2, 1, 0, 1, b'a', 0xc0, 1];
        assert!(out.windows(db0.len()).any(|w| w == db0), "{out:x?}");
        let (body, crc) = out.split_at(out.len() - 8);
        assert_eq!(crc64(0, body).to_le_bytes(), crc);
        assert_eq!(body.last(), Some(&OPCODE_EOF));
    }

    #[test]
    fn reads_back_what_it_writes() {
        let mut out = Vec::new();
        write_rdb(&sample_dbs(), 1_700_000_000_000, &options(), &mut out).unwrap();
        let mut seen = Vec::new();
        let summary = read_rdb(&out, &read_opts(), |e| {
            if let Event::Key(rec) = e {
                seen.push((rec.db, rec.key.to_vec(), rec.expire_at));
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(summary.keys, 3);
        assert_eq!(summary.end, out.len());
        assert_eq!(summary.aux[0], (b"redis-ver".to_vec(), crate::REDIS_VERSION.as_bytes().to_vec()));
        seen.sort();
        assert_eq!(
            seen,
            vec![(0, b"a".to_vec(), None), (0, b"b".to_vec(), Some(1_800_000_000_000)), (3, b"c".to_vec(), None)]
        );
    }

    #[test]
    fn every_truncation_and_flip_is_an_error_never_a_panic() {
        let mut out = Vec::new();
        write_rdb(&sample_dbs(), 1_700_000_000_000, &options(), &mut out).unwrap();
        for cut in 0..out.len() {
            assert!(read_rdb(&out[..cut], &read_opts(), |_| Ok(())).is_err(), "cut at {cut}");
        }
        let mut rng = fastrand::Rng::with_seed(23);
        for _ in 0..3000 {
            let mut bad = out.clone();
            let i = rng.usize(..bad.len());
            let old = bad[i];
            bad[i] = rng.u8(..);
            if bad[i] != old {
                // The checksum catches whatever the structure does not.
                assert!(read_rdb(&bad, &read_opts(), |_| Ok(())).is_err(), "flip at {i}");
            }
        }
    }

    #[test]
    fn checksum_and_database_limits() {
        let mut out = Vec::new();
        write_rdb(&sample_dbs(), 0, &SaveOptions { checksum: false, ..options() }, &mut out).unwrap();
        assert!(out.ends_with(&[0; 8]));
        assert!(read_rdb(&out, &read_opts(), |_| Ok(())).unwrap().checksum_absent);
        let few = ReadOptions { databases: 2, ..read_opts() };
        let e = read_rdb(&out, &few, |_| Ok(())).unwrap_err();
        assert!(e.expected.contains("database number below 2"), "{e}");
    }
}
