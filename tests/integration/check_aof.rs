//! `embedis-check-aof` against redis-check-aof 7.0: the same damaged files in two directories, the same output,
//! exit code and file sizes afterwards (log line prefixes and the program's own name aside).

use crate::support::in_ci;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const OURS: &str = env!("CARGO_BIN_EXE_embedis-check-aof");
const REDIS: &str = "redis-check-aof";

const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";
const SELECT: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
const SET: &[u8] = b"*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n";
const MULTI: &[u8] = b"*1\r\n$5\r\nMULTI\r\n";
const EXEC: &[u8] = b"*1\r\n$4\r\nEXEC\r\n";
const MANIFEST: &[u8] = b"file appendonly.aof.1.base.aof seq 1 type b\n\
    file appendonly.aof.1.incr.aof seq 1 type i\n\
    file appendonly.aof.2.incr.aof seq 2 type i\n";

/// What a run shows: standard output, exit code, and every file's size afterwards.
#[derive(Debug, PartialEq)]
struct Run {
    stdout: String,
    code: Option<i32>,
    sizes: Vec<(String, u64)>,
}

/// Runs `bin` in a fresh directory holding `files`; None when the binary is not installed.
fn run(bin: &str, files: &[(&str, &[u8])], args: &[&str], stdin: &[u8]) -> Option<Run> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    let spawned = Command::new(bin)
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        spawned => spawned.expect("spawn"),
    };
    // The child may exit without reading its input.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    let output = child.wait_with_output().expect("wait");
    let sizes = files.iter().map(|(name, _)| (name.to_string(), size(&dir.path().join(name)))).collect();
    Some(Run { stdout: normalize(&output.stdout), code: output.status.code(), sizes })
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Drops what must differ: the pid and time of log lines, and the program's name.
fn normalize(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    let lines = text.split('\n').map(|line| match (line.find(":C "), line.find(" # ")) {
        (Some(colon), Some(mark)) if colon < mark && line[..colon].bytes().all(|b| b.is_ascii_digit()) => {
            format!("LOG{}", &line[mark..])
        }
        _ if line.starts_with("Usage: ") => {
            line.split_once(" [").map_or(line.to_string(), |(_, rest)| format!("Usage: BIN [{rest}"))
        }
        _ => line.replace("re-run embedis-check-aof", "re-run redis-check-aof"),
    });
    lines.collect::<Vec<_>>().join("\n")
}

/// Runs both checkers on the same files; asserts they agree and returns ours.
fn same(files: &[(&str, &[u8])], args: &[&str], stdin: &[u8]) -> Run {
    let ours = run(OURS, files, args, stdin).expect("embedis-check-aof was built");
    match run(REDIS, files, args, stdin) {
        Some(theirs) => assert_eq!(ours, theirs, "args {args:?}"),
        None if in_ci() => panic!("{REDIS} is not installed, but CI=true requires it"),
        None => eprintln!("skipped comparison: {REDIS} not installed"),
    }
    ours
}

fn dir_with(base: &[u8], incr1: &[u8], incr2: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("appendonly.aof.manifest", MANIFEST.to_vec()),
        ("appendonly.aof.1.base.aof", base.to_vec()),
        ("appendonly.aof.1.incr.aof", incr1.to_vec()),
        ("appendonly.aof.2.incr.aof", incr2.to_vec()),
    ]
}

fn files<'a>(owned: &'a [(&'static str, Vec<u8>)]) -> Vec<(&'static str, &'a [u8])> {
    owned.iter().map(|(name, bytes)| (*name, bytes.as_slice())).collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn a_valid_directory() {
    let owned = dir_with(&cat(&[SELECT, SET]), &cat(&[SELECT, PING]), &cat(&[MULTI, SET, EXEC]));
    let r = same(&files(&owned), &["appendonly.aof.manifest"], b"");
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.ends_with("All AOF files and manifest are valid\n"), "{}", r.stdout);
    // The line count runs on over the files: 1 + (5 + 7) + (5 + 3) + (3 + 7 + 3).
    assert!(r.stdout.contains("ok_up_to_line=34"), "{}", r.stdout);
    // A manifest in another directory: file paths are made from its directory.
    let nested: Vec<_> = owned.iter().map(|(n, b)| (format!("sub/dir/{n}"), b.clone())).collect();
    let nested: Vec<_> = nested.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    assert_eq!(same(&nested, &["sub/dir/appendonly.aof.manifest"], b"").code, Some(0));
}

#[test]
fn a_truncated_last_file_is_reported_and_fixed_on_yes() {
    let cut = &SET[..SET.len() - 3];
    let owned = dir_with(SELECT, PING, &cat(&[SET, cut]));
    let r = same(&files(&owned), &["appendonly.aof.manifest"], b"");
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("is not valid. Use the --fix option"), "{}", r.stdout);
    let no = same(&files(&owned), &["--fix", "appendonly.aof.manifest"], b"n\n");
    assert_eq!((no.code, no.sizes[3].1), (Some(1), (SET.len() + cut.len()) as u64));
    let yes = same(&files(&owned), &["--fix", "appendonly.aof.manifest"], b"Y\n");
    assert_eq!((yes.code, yes.sizes[3].1), (Some(0), SET.len() as u64));
    assert!(yes.stdout.contains("Continue? [y/N]: Successfully truncated AOF appendonly.aof.2.incr.aof\n"));
    // No answer at all aborts.
    assert_eq!(same(&files(&owned), &["--fix", "appendonly.aof.manifest"], b"").code, Some(1));
}

#[test]
fn only_the_last_file_may_be_fixed() {
    let owned = dir_with(&cat(&[SELECT, b"*3\r\n$3"]), PING, PING);
    let r = same(&files(&owned), &["--fix", "appendonly.aof.manifest"], b"y\n");
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("Failed to truncate AOF appendonly.aof.1.base.aof because it is not the last file"));
    let owned = dir_with(SELECT, &cat(&[PING, b"garbage"]), PING);
    assert_eq!(same(&files(&owned), &["--fix", "appendonly.aof.manifest"], b"y\n").code, Some(1));
}

#[test]
fn damage_of_every_kind_in_one_file() {
    let damaged: [&[u8]; 16] = [
        b"*2",
        b"*2\r",
        b"*2\r\n$3",
        b"*2\r\n$3\r\nfo",
        b"*2\r\n$3\r\nfooXY",
        b"*2\r\n$3\r\nfoo\xc3\xa9",
        b"*1\r\n$-1\r\n",
        b"*1\r\n?4\r\nPING\r\n",
        b"*1\r\n\xff4\r\nPING\r\n",
        b"*1\r\n\0",
        b"xyz",
        b"\n",
        b"*0\r\n*-1\r\n*\r\n",
        b"#TS:12\r\n*x\r\n",
        b"*1\r\n$4\r\nPING\r\n*12",
        b"*2\r\n$3\r\nabc\r\n$100\r\n",
    ];
    for tail in damaged {
        let file = cat(&[PING, tail]);
        same(&[("x.aof", &file)], &["x.aof"], b"");
        same(&[("x.aof", &file)], &["--fix", "x.aof"], b"y\n");
        let owned = dir_with(SELECT, PING, &file);
        same(&files(&owned), &["appendonly.aof.manifest"], b"");
    }
}

#[test]
fn transactions_must_close() {
    let cases: [&[&[u8]]; 5] = [
        &[MULTI, PING],
        &[MULTI, PING, MULTI],
        &[EXEC],
        &[PING, MULTI, SET, EXEC, PING, MULTI, PING, b"*1\r\n$4\r\nPI"],
        &[MULTI, PING, b"x"],
    ];
    for parts in cases {
        let file = cat(parts);
        same(&[("x.aof", &file)], &["x.aof"], b"");
        same(&[("x.aof", &file)], &["--fix", "x.aof"], b"y\n");
    }
}

#[test]
fn truncate_to_timestamp() {
    let ts = |t: &str| format!("#TS:{t}\r\n").into_bytes();
    let owned =
        dir_with(&cat(&[&ts("10"), SELECT]), &cat(&[&ts("20"), PING]), &cat(&[&ts("30"), PING, &ts("40"), PING]));
    let f = files(&owned);
    for limit in ["35", "45", "0", "-1", "25", "5", "x", "99999999999999999999", ""] {
        let args = ["--truncate-to-timestamp", limit, "appendonly.aof.manifest"];
        same(&f, &args, b"");
    }
    let cut = same(&f, &["--truncate-to-timestamp", "35", "appendonly.aof.manifest"], b"");
    assert_eq!((cut.code, cut.sizes[3].1), (Some(0), (ts("30").len() + PING.len()) as u64));
    for bad in ["#TS:1x\r\n", "#TS:1\n", "#TS:99999999999999999999\r\n"] {
        let file = cat(&[PING, bad.as_bytes()]);
        same(&[("x.aof", &file)], &["--truncate-to-timestamp", "100", "x.aof"], b"");
    }
}

#[test]
fn manifest_errors_are_logged_as_redis_logs_them() {
    let manifests: [&[u8]; 11] = [
        b"file appendonly.aof.1.base.aof seq 1 type b",
        b"file appendonly.aof.1.base.aof seq 1 type b\n   \n",
        b"file appendonly.aof.1.base.aof seq 0 type b\n",
        b"file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.base.aof seq 1 type b\n",
        b"file appendonly.aof.1.incr.aof seq 2 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
        b"file appendonly.aof.1.incr.aof seq 2 type x\n",
        b"file a/b seq 1 type b\n",
        b"file \"unclosed seq 1 type b\n",
        b"# only a comment\nfile x seq 1\n",
        b"file appendonly.aof.1.incr.aof seq 1x type incr extra words\n",
        b"# nothing\n#at all\n",
    ];
    for manifest in manifests {
        let mut owned = dir_with(SELECT, PING, PING);
        owned[0].1 = manifest.to_vec();
        same(&files(&owned), &["appendonly.aof.manifest"], b"");
    }
    let long = cat(&[b"file ", &[b'a'; 1100], b" seq 1 type b\n"]);
    same(&[("m.manifest", &long)], &["m.manifest"], b"");
}

#[test]
fn missing_and_empty_files() {
    let owned = dir_with(b"", PING, b"");
    assert_eq!(same(&files(&owned), &["appendonly.aof.manifest"], b"").code, Some(0));
    let owned = dir_with(SELECT, PING, PING);
    // Missing base (found while testing for RDB), missing incremental file (opening it to check).
    same(&files(&owned[..1]), &["appendonly.aof.manifest"], b"");
    same(&files(&owned[..3]), &["appendonly.aof.manifest"], b"");
    same(&[], &["nothing.aof"], b"");
    same(&[("x.aof", b"")], &["x.aof"], b"");
}

#[test]
fn arguments() {
    let f: &[(&str, &[u8])] = &[("x.aof", PING)];
    let cases: [&[&str]; 5] =
        [&[], &["--fix"], &["--bogus", "x.aof"], &["--fix", "--fix", "x.aof"], &["a", "b", "c", "d"]];
    for args in cases {
        assert_eq!(same(f, args, b"").code, Some(1), "{args:?}");
    }
    same(f, &["--truncate-to-timestamp", "1x", "x.aof"], b"");
}

#[test]
fn names_redis_quotes_in_its_manifest() {
    // Written by redis-server 7.0.15 with appendfilename `my "file" 'q' é\x01\t.aof`.
    let prefix = "my \"file\" 'q' \u{e9}\u{1}\t.aof";
    let manifest = b"file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.2.base.aof\" seq 2 type b\n\
        file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.1.incr.aof\" seq 1 type h\n\
        file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.2.incr.aof\" seq 2 type i\n";
    let base = format!("{prefix}.2.base.aof");
    let incr = format!("{prefix}.2.incr.aof");
    let f: &[(&str, &[u8])] = &[("m.manifest", manifest), (&base, SELECT), (&incr, &PING[..9])];
    let r = same(f, &["m.manifest"], b"");
    assert!(r.stdout.contains(&format!("AOF analyzed: filename={incr}, size=9")), "{}", r.stdout);
}

#[test]
fn what_embedis_does_differently() {
    // An RDB-format base is checked as embedis-check-rdb checks a file (redis-check-aof runs
    // redis-check-rdb's code): a cut one is refused with the offset and reason.
    let owned = dir_with(b"REDIS0010\xfa\x09redis-ver", PING, PING);
    let r = run(OURS, &files(&owned), &["appendonly.aof.manifest"], b"").expect("ours");
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("Start to check BASE AOF (RDB format).\n[offset 0] Checking RDB file"), "{}", r.stdout);
    assert!(r.stdout.contains("--- RDB ERROR DETECTED ---\n[offset 20] expected"), "{}", r.stdout);
    assert!(r.stdout.contains("RDB preamble of AOF file is not sane, aborting."), "{}", r.stdout);
    // redis-check-aof takes an AOF with a line starting with "file" (here a key) for a manifest.
    let aof = cat(&[b"*3\r\n$3\r\nSET\r\n$6\r\nfile:1\r\n$1\r\nx\r\n"]);
    let r = run(OURS, &[("x.aof", &aof)], &["x.aof"], b"").expect("ours");
    assert_eq!((r.code, r.stdout.lines().last()), (Some(0), Some("AOF x.aof is valid")));
}

/// Point-in-time recovery with the files embedis writes: `aof-timestamp-enabled` annotates each new second of
/// the server's clock (moved by the test kit here), and `--truncate-to-timestamp` cuts the AOF back to one.
#[test]
fn truncate_to_timestamp_recovers_what_embedis_wrote_before_a_moment() {
    let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
    let mut server = embedis::test::Server::builder()
        .config("appendonly", "yes")
        .config("aof-timestamp-enabled", "yes")
        .frozen_clock()
        .start();
    server.set_time(start);
    server.set("early", "1");
    server.advance_time(std::time::Duration::from_secs(10));
    server.set("late", "2");
    server.stop();
    let incr = std::fs::read_to_string(server.dir().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
    assert!(incr.starts_with("#TS:1800000000\r\n*2\r\n$6\r\nSELECT"), "{incr:?}");
    assert!(incr.contains("#TS:1800000010\r\n*3\r\n$3\r\nSET\r\n$4\r\nlate"), "{incr:?}");
    let status = Command::new(OURS)
        .args(["--truncate-to-timestamp", "1800000005", "appendonly.aof.manifest"])
        .current_dir(server.dir().join("appendonlydir"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    server.restart();
    server.check_get("early", "1");
    server.assert_key("late", "none");
}
