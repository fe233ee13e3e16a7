//! What the append-only file records, against redis-server: both servers run with `appendonly yes` (no RDB
//! preamble) in their own directories, a script runs on both (replies compared as in every differential
//! test), then their incremental files are compared command by command, byte for byte, except:
//!
//! - absolute times a server computed from its clock (`SET ... PXAT <ms>`, `PEXPIREAT key <ms>`) match when
//!   they are within `CLOCK_SKEW_MS` of each other (the servers read their clocks a few ms apart); fixed
//!   times given by a script are far from now and compared exactly;
//! - `diff_aof_random` names commands whose arguments after the key are random (the `SREM`s SPOP records):
//!   only their number is compared.
//!
//! A difference in the files is reported once it has lasted a second (active expiry writes on its own).
//! `DIFF_TRANSCRIPT=1` also prints redis-server's file; `EMBEDIS_DIFF_TARGET=redis-server` checks the scripts.

use super::{diff_script_between, Side, Target};
use crate::support::{self, Conn, RedisServer, ServerOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Both servers write an AOF; `appendfsync no` writes it before the replies go out, with no fsync to wait for.
const AOF_ARGS: &[(&str, &str)] = &[("appendonly", "yes"), ("aof-use-rdb-preamble", "no"), ("appendfsync", "no")];

/// How far apart two clock-derived times may be and still match.
const CLOCK_SKEW_MS: i64 = 5000;

/// Times this close to the harness's clock were computed from a server's clock (the rest came from scripts).
const NEAR_NOW_MS: i64 = 10 * 24 * 3600 * 1000;

/// Runs `script` on redis-server and embedis with the AOF on; panics with a report if a reply or the
/// incremental files differ.
pub fn diff_aof(name: &str, script: &str) {
    diff_aof_random(name, &[], script);
}

/// The same, where the arguments after the key of the commands named in `random` (case-insensitive) are
/// chosen at random by the servers and compared by their number only.
pub fn diff_aof_random(name: &str, random: &[&str], script: &str) {
    run_and_compare(name, random, script, |_, _| {});
}

/// Runs `script` as `diff_aof` does, then hands each server's incremental file to `check` (label, bytes).
pub fn diff_aof_then(name: &str, script: &str, check: impl Fn(&str, &[u8])) {
    run_and_compare(name, &[], script, check);
}

fn run_and_compare(name: &str, random: &[&str], script: &str, check: impl Fn(&str, &[u8])) {
    let options = ServerOptions::default();
    let Some(oracle) = RedisServer::start_with_args(&options, AOF_ARGS) else {
        return;
    };
    let target = Target::start_with_args(&options, AOF_ARGS);
    let oracle_side = Side { label: "redis-server", addr: oracle.addr() };
    let target_side = Side { label: target.label(), addr: target.addr() };
    if let Err(report) = diff_script_between(&oracle_side, &target_side, &options, name, script) {
        panic!("{report}");
    }
    if let Err(report) = compare_files(&oracle_side, &target_side, random) {
        panic!("AOF of `{name}`: {report}");
    }
    for side in [&oracle_side, &target_side] {
        let bytes = std::fs::read(incr_file(side.addr)).unwrap();
        check(side.label, &bytes);
    }
}

/// A recorded command: its arguments.
type Command = Vec<Vec<u8>>;

/// Compares the two incremental files. Writes a server makes on its own (active expiry) may land a moment
/// after the last reply, so a difference is only reported once it has lasted a second.
fn compare_files(oracle: &Side, target: &Side, random: &[&str]) -> Result<(), String> {
    let (oracle_file, target_file) = (incr_file(oracle.addr), incr_file(target.addr));
    let mut attempts = 0;
    loop {
        let expected = read_commands(&oracle_file)?;
        let actual = read_commands(&target_file)?;
        let now = now_ms();
        let same = expected.len() == actual.len()
            && expected.iter().zip(&actual).all(|(e, a)| same_command(e, a, random, now));
        if same {
            if std::env::var_os("DIFF_TRANSCRIPT").is_some() {
                let listing: Vec<String> = expected.iter().map(shown_command).collect();
                eprintln!("{} recorded:\n    {}", oracle.label, listing.join("\n    "));
            }
            return Ok(());
        }
        attempts += 1;
        if attempts == 10 {
            return Err(file_report(oracle, &expected, target, &actual, random, now));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server's current incremental file: the highest-numbered `*.incr.aof` in its AOF directory.
fn incr_file(addr: SocketAddr) -> PathBuf {
    let mut conn = Conn::connect(addr);
    let config = |conn: &mut Conn, name: &str| {
        let reply = support::conn::bulks(&conn.cmd(&["CONFIG", "GET", name]));
        reply.get(1).cloned().unwrap_or_else(|| panic!("CONFIG GET {name} on {addr}: {reply:?}"))
    };
    let dir = Path::new(&config(&mut conn, "dir")).join(config(&mut conn, "appenddirname"));
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let sequence = |name: &str| -> Option<u64> { name.strip_suffix(".incr.aof")?.rsplit('.').next()?.parse().ok() };
    entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some((sequence(&name)?, dir.join(name)))
        })
        .max()
        .map(|(_, path)| path)
        .unwrap_or_else(|| panic!("no incremental file in {}", dir.display()))
}

/// The commands of an AOF file (RESP multibulk requests, back to back).
fn read_commands(path: &Path) -> Result<Vec<Command>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    parse_commands(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_commands(bytes: &[u8]) -> Result<Vec<Command>, String> {
    let mut commands = Vec::new();
    let mut at = 0;
    // One `<prefix><number>\r\n` header.
    let header = |at: &mut usize, prefix: u8| -> Result<usize, String> {
        let rest = &bytes[*at..];
        let end = rest.windows(2).position(|w| w == b"\r\n").ok_or(format!("unterminated header at {at}"))?;
        let text = std::str::from_utf8(&rest[1..end]).unwrap_or("");
        if rest[0] != prefix {
            return Err(format!("expected '{}' at byte {at}", prefix as char));
        }
        *at += end + 2;
        text.parse().map_err(|_| format!("bad length {text:?}"))
    };
    while at < bytes.len() {
        if bytes[at] == b'#' {
            // A `#TS:` annotation: when a second starts depends on when each server ran the script, so the
            // comparison leaves them out (`diff_aof_then` checks them).
            let end = bytes[at..].windows(2).position(|w| w == b"\r\n").ok_or("unterminated annotation")?;
            at += end + 2;
            continue;
        }
        let argc = header(&mut at, b'*')?;
        let mut command = Vec::with_capacity(argc.min(1024));
        for _ in 0..argc {
            let len = header(&mut at, b'$')?;
            let arg = bytes.get(at..at + len).ok_or("truncated argument")?;
            if bytes.get(at + len..at + len + 2) != Some(b"\r\n") {
                return Err(format!("argument not followed by CRLF at byte {}", at + len));
            }
            command.push(arg.to_vec());
            at += len + 2;
        }
        commands.push(command);
    }
    Ok(commands)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn same_command(expected: &Command, actual: &Command, random: &[&str], now: i64) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let is_random = expected[0].eq_ignore_ascii_case(&actual[0])
        && random.iter().any(|name| expected[0].eq_ignore_ascii_case(name.as_bytes()));
    expected
        .iter()
        .zip(actual)
        .enumerate()
        .all(|(i, (e, a))| e == a || (is_random && i >= 2) || (is_clock_time(expected, i) && close_times(e, a, now)))
}

/// Where a rewritten command holds an absolute time computed from the server's clock.
fn is_clock_time(command: &Command, i: usize) -> bool {
    let name = &command[0];
    (name.eq_ignore_ascii_case(b"PEXPIREAT") && i == 2)
        || (name.eq_ignore_ascii_case(b"SET") && i >= 4 && command[i - 1].eq_ignore_ascii_case(b"PXAT"))
}

/// Two times near now and near each other.
fn close_times(a: &[u8], b: &[u8], now: i64) -> bool {
    let parse = |t: &[u8]| std::str::from_utf8(t).ok()?.parse::<i64>().ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (a - now).abs() < NEAR_NOW_MS && (a - b).abs() <= CLOCK_SKEW_MS,
        _ => false,
    }
}

/// Both files around the first difference.
fn file_report(
    oracle: &Side,
    expected: &[Command],
    target: &Side,
    actual: &[Command],
    random: &[&str],
    now: i64,
) -> String {
    let first = expected.iter().zip(actual).take_while(|(e, a)| same_command(e, a, random, now)).count();
    let (from, to) = (first.saturating_sub(5), (first + 15).min(expected.len().max(actual.len())));
    let mut out = format!(
        "the incremental files differ from command {} ({} has {} commands, {} has {})\n",
        first + 1,
        oracle.label,
        expected.len(),
        target.label,
        actual.len()
    );
    let width = oracle.label.len().max(target.label.len());
    let shown = |c: Option<&Command>| c.map_or("(none)".to_string(), shown_command);
    for i in from..to {
        let (e, a) = (expected.get(i), actual.get(i));
        let differ = match (e, a) {
            (Some(e), Some(a)) => !same_command(e, a, random, now),
            _ => true,
        };
        if differ {
            out += &format!("  ✗ {:>5}  {:width$}: {}\n", i + 1, oracle.label, shown(e));
            out += &format!("           {:width$}: {}\n", target.label, shown(a));
        } else {
            out += &format!("    {:>5}  {}\n", i + 1, shown(e));
        }
    }
    if to < expected.len().max(actual.len()) {
        out += "    ...\n";
    }
    out
}

/// A command as redis-cli would type it.
fn shown_command(command: &Command) -> String {
    let arg = |a: &Vec<u8>| {
        let text = a.escape_ascii().to_string();
        if a.is_empty() || text.contains(' ') || text.len() != a.len() {
            format!("\"{text}\"")
        } else {
            text
        }
    };
    command.iter().map(arg).collect::<Vec<_>>().join(" ")
}

#[test]
fn harness_parses_and_compares() {
    let file = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$3\r\na b\r\n";
    let commands = parse_commands(file).expect("well-formed");
    assert_eq!(shown_command(&commands[1]), "set k \"a b\"");
    assert!(parse_commands(b"*1\r\n$4\r\nPING").is_err(), "a cut file is reported");
    let now = now_ms();
    let c = |words: &[&str]| -> Command { words.iter().map(|w| w.as_bytes().to_vec()).collect() };
    let (t, t2) = ((now + 1000).to_string(), (now + 1500).to_string());
    assert!(same_command(&c(&["SET", "k", "v", "PXAT", &t]), &c(&["SET", "k", "v", "PXAT", &t2]), &[], now));
    assert!(!same_command(&c(&["SET", "k", "v", "PXAT", &t]), &c(&["SET", "k", "w", "PXAT", &t2]), &[], now));
    assert!(!same_command(
        &c(&["PEXPIREAT", "k", "99999999999000"]),
        &c(&["PEXPIREAT", "k", "99999999999999"]),
        &[],
        now
    ));
    assert!(!same_command(&c(&["SREM", "s", "a"]), &c(&["srem", "s", "b"]), &["SREM"], now), "names are exact");
    assert!(same_command(&c(&["SREM", "s", "a"]), &c(&["SREM", "s", "b"]), &["srem"], now));
    assert!(!same_command(&c(&["SREM", "s", "a"]), &c(&["SREM", "t", "a"]), &["SREM"], now));
}

#[test]
fn timestamp_annotations_precede_the_first_write_once_enabled() {
    diff_aof_then(
        "aof_timestamps",
        r#"
        SET before annotations
        CONFIG SET aof-timestamp-enabled yes
        SET k v
        SELECT 3
        SET k v
        "#,
        |label, bytes| {
            let text = String::from_utf8_lossy(bytes).replace("\r\n", " ");
            let at = text.find("#TS:").unwrap_or_else(|| panic!("{label}: no annotation in {text:?}"));
            let (before, after) = text.split_at(at);
            assert!(before.ends_with("*3 $3 SET $6 before $11 annotations "), "{label}: {text:?}");
            let secs: i64 = after[4..].split(' ').next().unwrap().parse().unwrap();
            assert!((secs - now_ms() / 1000).abs() < 60, "{label}: {secs}");
            assert!(after.split_once(' ').unwrap().1.starts_with("*3 $3 SET $1 k $1 v "), "{label}: {text:?}");
        },
    );
}

#[test]
fn strings_record_absolute_ttls_and_computed_values() {
    diff_aof(
        "aof_strings",
        r#"
        # A TTL in any form becomes `SET key value PXAT <ms>`, uppercase; without one, SET is recorded as sent.
        SET k v EX 100
        set k v px 100000
        Set k v exat 99999999999
        set k v PxAt 99999999999999
        set k v nx
        set k v xx
        set k2 v keepttl
        set k v xx ex 100
        set k v xx pxat 99999999999999 get
        # An expiry already past is still a SET ... PXAT (the key dies at its next lookup).
        set k v pxat 1
        GET k
        # GET options are dropped (every one, any case), the others kept as sent.
        set k2 v get
        set k2 v2 GET Get
        set k2 v3 nx get
        set k2 v4 xx GET keepttl
        set k2 v5 get ex 100
        set k2 get get
        setex k3 100 v
        psetex k3 100000 v
        SETEX k3 100 v
        setnx k4 v
        setnx k4 v
        getset k4 w
        GETSET k4 w
        getset k5 w
        # No change, nothing recorded.
        set k4 v nx
        set k4 v nx get
        set nokey v xx
        set nokey v xx get ex 100
        set k v ex 0
        set k v ex abc
        set k v px 9223372036854775807
        hset h f v
        set h v get
        getset h v
        setex k 0 v
        psetex k -1 v
        "#,
    );
}

#[test]
fn getex_getdel_and_counters() {
    diff_aof(
        "aof_getex_getdel_counters",
        r#"
        SET k v
        # GETEX records PEXPIREAT with the absolute time, PERSIST when it removed a TTL, DEL for a time passed.
        getex k ex 100
        getex k px 100000
        GETEX k EXAT 99999999999
        getex k pxat 99999999999999
        getex k persist
        getex k persist
        getex k
        getex nokey ex 100
        getex nokey persist
        getex k ex 0
        getex k exat abc
        getex k pxat 1
        set k v
        GETEX k EXAT 1
        EXISTS k
        hset h f v
        getex h ex 100
        getdel h
        # GETDEL is DEL.
        set k v
        getdel k
        getdel k
        GETDEL nokey
        # INCRBYFLOAT is the value it computed, keeping the TTL.
        incrbyfloat f 1.5
        incrbyfloat f 10e3
        INCRBYFLOAT f -0.5e-1
        set f 3 ex 100
        incrbyfloat f 0.1
        incrbyfloat f 1e400
        incrbyfloat f abc
        set f 5.0e3
        incrbyfloat f 0
        incrbyfloat h 1
        # Integer counters and the other writes are recorded as sent.
        incr n
        INCRBY n 10
        decr n
        decrby n 3
        incr k
        incrby n 9223372036854775807
        mset a 1 b 2
        MSETNX a 1 c 3
        msetnx c 3 d 4
        append a x
        APPEND new ""
        setrange a 5 yz
        setrange a 0 ""
        setrange z 0 ""
        setrange z 2 hi
        "#,
    );
}

#[test]
fn expire_family_records_pexpireat() {
    diff_aof(
        "aof_expire",
        r#"
        set k v
        # Relative or in seconds: PEXPIREAT with the absolute ms, options kept as sent.
        expire k 100
        expire k 100 nx
        EXPIRE k 200 xx
        expire k 300 Gt lt
        expire k 300 Gt
        pexpire k 400000 LT
        pexpire k 250000 lt
        expireat k 99999999999
        ExpireAt k 99999999998 xx
        # PEXPIREAT is recorded as sent.
        pexpireat k 99999999999999
        PEXPIREAT k 99999999999998 lt
        pexpireat k 99999999999999 gt
        # Refused or missing: nothing.
        expire k 100 nx
        expire nokey 100
        pexpireat nokey 99999999999999
        expire k abc
        expire k 100 foo
        expire k 9223372036854775807
        set k2 v
        expire k2 100 xx
        expire k2 100 gt
        # A time already past deletes the key: DEL.
        expire k -1
        set k v
        pexpireat k 1
        set k v
        expireat k 1 nx
        set k v
        pexpire k 0
        set k v
        EXPIRE k 0 lt
        set k v ex 100
        expire k -5 gt
        # PERSIST as sent, when it removed a TTL.
        set k v ex 100
        persist k
        PERSIST k
        persist nokey
        set k v ex 100
        PeRsIsT k
        # With lazyfree-lazy-expire, the deletion is an UNLINK.
        config set lazyfree-lazy-expire yes
        set k v
        expire k -1
        set k v
        getex k pxat 1
        config set lazyfree-lazy-expire no
        "#,
    );
}

#[test]
fn generic_key_commands_are_recorded_as_sent() {
    diff_aof(
        "aof_generic",
        r#"
        mset a 1 b 2 c 3
        del a nokey
        DEL nokey
        unlink b c nokey
        UNLINK nokey
        set a 1
        rename a b
        rename b b
        rename nokey x
        RENAMENX b c
        set d 1
        renamenx c d
        copy d e
        copy d e
        COPY d e REPLACE
        copy d e db 1
        copy nokey e
        move e 2
        move d 2
        move nokey 2
        select 2
        set x 1
        swapdb 0 1
        SWAPDB 1 1
        select 1
        flushdb
        FLUSHDB
        flushdb async
        select 0
        flushall
        FLUSHALL SYNC
        set z 1
        touch z
        exists z
        "#,
    );
}

#[test]
fn databases_are_selected_in_the_file() {
    diff_aof(
        "aof_select",
        r#"
        set a 1
        select 3
        set a 1
        get a
        set b 2
        select 0
        get a
        select 3
        set c 3
        select 15
        select 0
        set d 4
        select 5
        del nokey
        select 0
        set e 5
        "#,
    );
}

#[test]
fn hashes_record_hincrbyfloat_as_hset() {
    diff_aof(
        "aof_hashes",
        r#"
        hset h a 1 b 2
        HSET h a 1
        hset h a 2
        hsetnx h a 3
        hsetnx h c 3
        hmset h d 4 e 5
        HMSET h d 4
        hdel h a nofield
        hdel h nofield
        hdel nokey a
        hincrby h n 5
        HINCRBY h n -5
        hincrby h n abc
        # HINCRBYFLOAT is `HSET key field <value it computed>`.
        hincrbyfloat h f 1.5
        hincrbyfloat h f 2.0e2
        HINCRBYFLOAT h f -0.25
        hincrbyfloat h f 0
        hincrbyfloat newh f 3
        hincrbyfloat h a 1e400
        hincrbyfloat h a nan
        set s v
        hincrbyfloat s f 1
        hset h str abc
        hincrbyfloat h str 1
        # Deleting the last field deletes the key: still HDEL.
        hdel newh f
        config set hash-max-listpack-entries 2
        hset big a 1 b 2 c 3
        hincrbyfloat big a 0.5
        hdel big a b c
        "#,
    );
}

#[test]
fn sets_record_spop_as_srem_or_del() {
    diff_aof(
        "aof_sets",
        r#"
        sadd s a b c
        SADD s a
        sadd s d
        srem s a nomember
        srem s nomember
        srem nokey a
        smove s t b
        smove s t nomember
        smove s s c
        SMOVE nokey t b
        sadd u b c x
        sinterstore dst s u
        sunionstore dst s u
        SDIFFSTORE dst s u
        sdiffstore dst s s
        sinterstore dst2 nokey s
        sunionstore dst2 nokey nokey2
        # SPOP: one member -> SREM, everything -> DEL, nothing -> nothing.
        sadd one x
        spop one
        sadd one x
        SPOP one 1
        sadd ints 1 2 3
        spop ints 3
        sadd ints 1 2 3
        spop ints 10
        sadd strs a b c
        sorted spop strs 4
        sadd strs a
        spop strs 0
        spop nokey
        spop nokey 3
        spop strs -1
        set str v
        spop str
        "#,
    );
}

#[test]
fn spop_with_a_count_records_one_srem_per_member() {
    diff_aof_random(
        "aof_spop_random",
        &["SREM"],
        r#"
        sadd ints 1 2 3 4 5 6 7 8 9 10
        ~ spop ints
        ~ spop ints 2
        ~ SPOP ints 6
        sadd strs a b c d e f g h i j
        ~ spop strs 3
        ~ spop strs 6
        sadd big 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
        ~ spop big 29
        config set set-max-intset-entries 4
        sadd table 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
        ~ spop table 2
        ~ spop table 17
        # Inside a transaction or a script, the SREMs join its MULTI/EXEC.
        sadd s1 a b c d e f
        multi
        sadd s2 x
        ~ spop s1 2
        ~ exec
        ~ eval "return redis.call('spop', 's1', 2)" 0
        ~ eval "redis.call('sadd', 's3', 1, 2, 3); return redis.call('spop', 's3')" 0
        "#,
    );
}

#[test]
fn sorted_sets_are_recorded_as_sent() {
    diff_aof(
        "aof_sorted_sets",
        r#"
        zadd z 1 a 2 b 3 c
        ZADD z 1 a
        zadd z incr 5 a
        zadd z nx 9 a
        zadd z xx 9 nomember
        zadd z xx ch 7 a
        zadd z gt 1 a
        zadd z lt ch 1 a
        zadd z nx incr 1 a
        zincrby z 2 a
        ZINCRBY z 2.5 new
        zincrby z 0 a
        zrem z nomember
        zrem z new
        zrem nokey a
        zadd z 4 d 5 e 6 f
        zrangestore dst z 0 1
        zrangestore dst z 10 20
        ZRANGESTORE dst2 nokey 0 -1
        zremrangebyscore z 100 200
        zremrangebyscore z 5 5
        zremrangebyrank z 0 0
        zremrangebylex z [x [y
        zadd lex 0 a 0 b 0 c
        zremrangebylex lex [a [b
        zpopmin z
        ZPOPMAX z 2
        zpopmin z 0
        zpopmin nokey
        zpopmax z 100
        # ZMPOP is recorded as ZPOPMIN / ZPOPMAX of the key it popped from.
        zadd m1 1 a 2 b 3 c 4 d
        zmpop 2 nokey m1 MIN
        zmpop 2 nokey m1 MAX COUNT 2
        zmpop 1 m1 MIN COUNT 10
        zmpop 1 m1 MIN
        zadd z 1 a 2 b
        zadd y 1 b 2 c
        zunionstore u 2 z y
        ZINTERSTORE i 2 z y weights 1 2
        zdiffstore d 2 z y
        zdiffstore d 2 z z
        zinterstore i 2 z nokey
        set str v
        zadd str 1 a
        zincrby z abc a
        "#,
    );
}

#[test]
fn transactions_record_their_writes_as_one_unit() {
    diff_aof(
        "aof_transactions",
        r#"
        # One write needs no MULTI/EXEC; several get one, opened after the first command's SELECT.
        multi
        set a 1
        exec
        MULTI
        set a 1
        get a
        incr a
        incrbyfloat a 0.5
        EXEC
        multi
        get a
        exec
        multi
        del nokey
        exec
        multi
        set a 1 ex 100
        exec
        # Rewritten commands inside: their rewritten form.
        multi
        sadd s x
        spop s
        getex a persist
        getdel a
        exec
        # A failing command in the middle: the others are recorded.
        multi
        set a 1
        hset a f v
        set b 2
        exec
        # Aborted or watched away: nothing.
        multi
        set a 2
        foo
        exec
        watch a
        set a 3
        multi
        set a 4
        exec
        discard
        # SELECT inside.
        multi
        set x 1
        select 2
        set y 2
        select 0
        exec
        select 1
        multi
        set z 1
        exec
        select 0
        "#,
    );
}

#[test]
fn scripts_record_the_commands_they_ran() {
    diff_aof(
        "aof_scripts",
        r#"
        eval "redis.call('set', KEYS[1], 'x')" 1 a
        eval "redis.call('SET', KEYS[1], 'x'); redis.call('Incr', 'n')" 1 a
        eval "return redis.call('get', 'a')" 0
        eval "redis.call('del', 'nokey')" 0
        # Rewritten commands are recorded rewritten, inside the script's MULTI/EXEC.
        eval "redis.call('set','x','1'); redis.call('incrbyfloat','x','2')" 0
        eval "redis.call('set','y','1','ex',100)" 0
        eval "redis.call('sadd','ss','a'); redis.call('spop','ss')" 0
        eval "redis.call('sadd','ss','a','b'); redis.call('spop','ss', 5)" 0
        eval "redis.call('hset','h','f',1); redis.call('hincrbyfloat','h','f','0.5'); redis.call('expire','h',100)" 0
        eval "redis.call('getex','y','persist'); redis.call('getdel','y')" 0
        # A SELECT inside a script, and the database it leaves the client in.
        eval "redis.call('set','a','1'); redis.call('select', 3); redis.call('set','a','2')" 0
        set b 1
        select 3
        eval "redis.call('set','c','1')" 0
        select 0
        # A script that fails after a write: the write stays, and is recorded.
        eval "redis.call('set','d','1'); redis.call('hset','d','f','v')" 0
        eval "redis.call('set','e','1'); error('boom')" 0
        evalsha 0000000000000000000000000000000000000000 0
        script load "redis.call('incr', 'loaded')"
        evalsha d02fa278800e9a40661d0d900837ad575a4a494c 0
        eval_ro "return redis.call('get', 'a')" 1 a
        script flush
        # redis.set_repl: without REPL_AOF the writes that follow are not recorded.
        eval "redis.set_repl(redis.REPL_NONE); redis.call('set','hidden','1'); redis.set_repl(redis.REPL_ALL); redis.call('set','shown','1')" 0
        eval "redis.set_repl(redis.REPL_REPLICA); redis.call('set','hidden2','1')" 0
        eval "redis.set_repl(redis.REPL_AOF); redis.call('set','shown2','1')" 0
        "#,
    );
}

#[test]
fn expired_keys_are_recorded_as_unlink_under_lazyfree_lazy_expire() {
    diff_aof(
        "aof_lazyfree_expire",
        r#"
        config set lazyfree-lazy-expire yes
        debug set-active-expire 0
        set a 1 px 20
        set b 1
        !sleep 60
        get a
        expire b 0
        "#,
    );
}

#[test]
fn lazy_expiry_deletions_are_recorded() {
    diff_aof(
        "aof_lazy_expiry",
        r#"
        debug set-active-expire 0
        set a 1 px 20
        set b 1 px 20
        hset h f v
        pexpire h 20
        sadd s m
        pexpire s 20
        set c 1 px 20
        set d 1 px 20
        set e 1 px 20
        set f 1 px 20
        set g 1 px 20
        set p 1 px 20
        set q 1 px 20
        sadd r m
        pexpire r 20
        hset t f 1
        pexpire t 20
        select 1
        set a 1 px 20
        select 0
        !sleep 100
        # A read that finds a key expired records its DEL.
        get a
        get a
        exists b
        # A write that finds one records the DEL then itself, as one MULTI/EXEC.
        hset h g w
        sadd s n
        set c 2
        # With a rewritten command.
        set p 2 ex 100
        incrbyfloat q 1.5
        spop r
        hincrbyfloat t f 1
        # Several in one command.
        mget d e nokey
        del f g
        # In another database, seen by the client's SELECT.
        select 1
        get a
        select 0
        "#,
    );
}

#[test]
fn lazy_expiry_inside_transactions_and_other_databases() {
    diff_aof(
        "aof_lazy_expiry_units",
        r#"
        debug set-active-expire 0
        set a 1 px 20
        set b 1 px 20
        set c 1 px 20
        set d 1 px 20
        set e 1 px 20
        select 2
        set m 1 px 20
        set n 1 px 20
        select 0
        set n v
        !sleep 100
        multi
        get a
        set b 2
        exec
        eval "redis.call('get', 'c'); redis.call('set', 'x', 1)" 0
        # MOVE and COPY look the key up in the other database.
        move n 2
        copy n m db 2
        rename d e
        "#,
    );
}

#[test]
fn active_expiry_deletions_are_recorded() {
    diff_aof(
        "aof_active_expiry",
        r#"
        set a 1 px 10
        select 4
        set b 1 px 10
        select 0
        !sleep 400
        dbsize
        "#,
    );
}

/// The SREMs SPOP records are the members it replied with (what the comparison with redis-server cannot see,
/// the members being random): both strategies (pop one by one, keep the few that stay), both encodings.
#[test]
fn spop_records_the_members_it_popped() {
    let options = ServerOptions::default();
    let Some(oracle) = RedisServer::start_with_args(&options, AOF_ARGS) else {
        return;
    };
    let target = Target::start_with_args(&options, AOF_ARGS);
    for addr in [oracle.addr(), target.addr()] {
        let mut conn = Conn::connect(addr);
        let ints: Vec<String> = (1..=40).map(|n| n.to_string()).collect();
        let strings: Vec<String> = (1..=40).map(|n| format!("m{n}")).collect();
        let mut popped = Vec::new();
        for (members, count) in [(&ints, "3"), (&ints, "35"), (&strings, "1"), (&strings, "4"), (&strings, "38")] {
            conn.cmd(&["DEL", "s"]);
            let sadd: Vec<&str> = ["SADD", "s"].into_iter().chain(members.iter().map(String::as_str)).collect();
            conn.cmd(&sadd);
            let reply = conn.cmd(&["SPOP", "s", count]);
            let mut members = support::conn::bulks(&reply);
            assert_eq!(members.len(), count.parse::<usize>().unwrap_or(0), "SPOP s {count} on {addr}");
            popped.append(&mut members);
        }
        let commands = read_commands(&incr_file(addr)).unwrap_or_else(|e| panic!("{e}"));
        let mut recorded: Vec<String> = commands
            .iter()
            .filter(|c| c[0] == b"SREM")
            .map(|c| {
                assert_eq!(c.len(), 3, "one member per SREM on {addr}: {}", shown_command(c));
                String::from_utf8_lossy(&c[2]).into_owned()
            })
            .collect();
        popped.sort();
        recorded.sort();
        assert_eq!(recorded, popped, "SREMs recorded by {addr}");
    }
}

#[test]
fn lazy_expiry_by_every_kind_of_lookup() {
    diff_aof(
        "aof_lazy_expiry_lookups",
        r#"
        debug set-active-expire 0
        set a 1 px 20
        set b 1 px 20
        set c 1 px 20
        set d 1 px 20
        set e 1 px 20
        set f 1 px 20
        hset h f v
        pexpire h 20
        sadd s m
        pexpire s 20
        zadd z 1 m
        pexpire z 20
        set g 1 px 20
        set i 1 px 20
        set j 1 px 20
        set k 1 px 20
        !sleep 100
        ttl a
        pttl b
        type c
        object encoding d
        touch e
        strlen f
        hget h f
        sismember s m
        zscore z m
        expiretime g
        getrange i 0 -1
        # A failed or refused write still records the deletion it made on the way.
        renamenx j x
        expire k 100 xx
        publish channel message
        "#,
    );
}

#[test]
fn lazy_expiry_by_iteration() {
    diff_aof(
        "aof_lazy_expiry_iteration",
        r#"
        debug set-active-expire 0
        set a 1 px 20
        select 1
        set b 1 px 20
        select 2
        set c 1 px 20
        select 0
        !sleep 100
        keys *
        dbsize
        randomkey
        select 1
        scan 0
        select 2
        dbsize
        exists c
        "#,
    );
}
