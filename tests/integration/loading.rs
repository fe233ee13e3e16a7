//! Loading rebuilds exactly the saved state: nothing expires, is evicted or is refused for memory while the AOF
//! replays, a file the manifest names must exist, a record that cannot be applied stops startup with the file,
//! the offset and the reason, and files are read through a bounded window.

use crate::support::Conn;
use embedis::test::Server;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_embedis-server");

/// Starts a library server with the AOF on in `dir`; Err(message) when startup fails.
fn try_start(dir: &Path) -> Result<embedis::blocking::ServerHandle, String> {
    let config = embedis::Config {
        appendonly: true,
        loglevel: embedis::config::LogLevel::Nothing,
        save: Vec::new(),
        ..embedis::Config::default()
    };
    embedis::blocking::Server::builder()
        .with_config(config)
        .port(0)
        .bind("127.0.0.1")
        .dir(dir)
        .start()
        .map_err(|e| e.to_string())
}

/// An append-only directory holding `base` as its base file and an empty incremental file.
fn aof_dir(base: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let aof = dir.path().join("appendonlydir");
    std::fs::create_dir(&aof).unwrap();
    std::fs::write(
        aof.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
    std::fs::write(aof.join("appendonly.aof.1.base.aof"), base).unwrap();
    std::fs::write(aof.join("appendonly.aof.1.incr.aof"), b"").unwrap();
    dir
}

/// One command as RESP, as it stands in an AOF.
fn resp(argv: &[&[u8]]) -> Vec<u8> {
    crate::support::conn::encode_command(argv)
}

#[test]
fn a_ttl_extended_or_removed_after_the_original_one_passed_survives_a_restart() {
    let mut server = Server::builder().config("appendonly", "yes").frozen_clock().start();
    let mut c = Conn::connect(server.addr());
    for key in ["expire", "persist", "getex-persist", "getex-ex", "gone"] {
        assert_eq!(c.cmd(&["SET", key, "alice", "PX", "300"]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["EXPIRE", "expire", "3600"]), b":1\r\n");
    assert_eq!(c.cmd(&["PERSIST", "persist"]), b":1\r\n");
    assert_eq!(c.cmd(&["GETEX", "getex-persist", "PERSIST"]), b"$5\r\nalice\r\n");
    assert_eq!(c.cmd(&["GETEX", "getex-ex", "EX", "3600"]), b"$5\r\nalice\r\n");
    server.advance_time(Duration::from_secs(1));
    server.restart();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["TTL", "expire"]), b":3599\r\n");
    assert_eq!(c.cmd(&["TTL", "persist"]), b":-1\r\n");
    assert_eq!(c.cmd(&["TTL", "getex-persist"]), b":-1\r\n");
    assert_eq!(c.cmd(&["TTL", "getex-ex"]), b":3599\r\n");
    assert_eq!(c.cmd(&["TTL", "gone"]), b":-2\r\n", "a TTL that passed and was never extended still ends the key");
    assert_eq!(c.cmd(&["GET", "expire"]), b"$5\r\nalice\r\n");
}

#[test]
fn a_past_expireat_followed_by_persist_in_the_file_keeps_the_key() {
    // What a replica stream or an older writer may hold: the TTL is set, not applied, while loading.
    let mut base = resp(&[b"SET", b"k", b"v"]);
    base.extend(resp(&[b"PEXPIREAT", b"k", b"1000"]));
    base.extend(resp(&[b"PERSIST", b"k"]));
    let dir = aof_dir(&base);
    let server = try_start(dir.path()).expect("start");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert_eq!(c.cmd(&["TTL", "k"]), b":-1\r\n");
}

/// A server whose configuration carries `maxmemory 1mb` and `policy`, with its limit lifted at runtime so that
/// 41 values of 64 KiB can be written: a restart then loads them under the limit.
fn over_the_limit_after_restart(policy: &str) -> Server {
    let mut server = Server::builder()
        .config("appendonly", "yes")
        .config("maxmemory", "1mb")
        .config("maxmemory-policy", policy)
        .config("maxmemory-samples", "64")
        .start();
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "0"]), b"+OK\r\n");
    let value = "v".repeat(64 * 1024);
    // k0 has the nearest expiry: volatile-ttl's first choice, were anything evicted while loading.
    assert_eq!(c.cmd(&["SET", "k0", &value, "EX", "1000"]), b"+OK\r\n");
    for i in 1..=40 {
        assert_eq!(c.cmd(&["SET", &format!("f{i}"), &value, "EX", "100000"]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["PERSIST", "k0"]), b":1\r\n");
    assert_eq!(c.cmd(&["APPEND", "k0", "x"]), format!(":{}\r\n", value.len() + 1).as_bytes());
    server.restart();
    server
}

#[test]
fn loading_under_noeviction_below_the_data_size_loads_everything_then_refuses_writes() {
    let server = over_the_limit_after_restart("noeviction");
    assert_eq!(server.keys("*").len(), 41, "every key was loaded");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["DBSIZE"]), b":41\r\n");
    assert_eq!(c.cmd(&["SET", "new", "1"]), b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    assert_eq!(c.cmd(&["STRLEN", "k0"]), format!(":{}\r\n", 64 * 1024 + 1).as_bytes());
}

#[test]
fn loading_never_evicts_so_later_records_find_their_keys() {
    let server = over_the_limit_after_restart("volatile-ttl");
    let mut c = Conn::connect(server.addr());
    // k0 lost its TTL before the restart, so volatile-ttl can only evict the others afterwards.
    assert_eq!(c.cmd(&["STRLEN", "k0"]), format!(":{}\r\n", 64 * 1024 + 1).as_bytes());
    assert_eq!(c.cmd(&["TTL", "k0"]), b":-1\r\n");
}

#[test]
fn a_missing_incremental_file_named_by_the_manifest_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    {
        let server = try_start(dir.path()).expect("start");
        let mut c = Conn::connect(server.addr());
        assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    }
    std::fs::remove_file(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
    let error = try_start(dir.path()).err().expect("startup must fail");
    assert!(
        error.contains(
            "Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory"
        ),
        "{error}"
    );
}

#[test]
fn a_missing_base_file_stops_startup() {
    let dir = aof_dir(b"");
    std::fs::remove_file(dir.path().join("appendonlydir/appendonly.aof.1.base.aof")).unwrap();
    let error = try_start(dir.path()).err().expect("startup must fail");
    assert!(error.contains("Unable to obtain the AOF file appendonly.aof.1.base.aof length. stat:"), "{error}");
}

#[test]
fn a_record_that_fails_stops_startup_with_the_file_the_offset_and_the_error() {
    let mut base = resp(&[b"SET", b"k", b"v"]);
    let offset = base.len();
    base.extend(resp(&[b"INCR", b"k"]));
    let dir = aof_dir(&base);
    let error = try_start(dir.path()).err().expect("startup must fail");
    assert!(
        error.contains(&format!(
            "Error replaying the command at offset {offset} of the append only file appendonly.aof.1.base.aof: \
             ERR value is not an integer or out of range"
        )),
        "{error}"
    );
}

#[test]
fn a_failing_command_inside_a_transaction_stops_startup_too() {
    let mut base = resp(&[b"SET", b"k", b"v"]);
    base.extend(resp(&[b"MULTI"]));
    base.extend(resp(&[b"SET", b"a", b"1"]));
    base.extend(resp(&[b"HSET", b"k", b"f", b"v"]));
    let offset = base.len();
    base.extend(resp(&[b"EXEC"]));
    let dir = aof_dir(&base);
    let error = try_start(dir.path()).err().expect("startup must fail");
    assert!(
        error.contains(&format!("at offset {offset} of the append only file appendonly.aof.1.base.aof: WRONGTYPE")),
        "{error}"
    );
}

#[test]
fn commands_larger_than_the_read_window_and_many_windows_of_commands_load() {
    let big = vec![b'x'; 300 * 1024];
    let mut base = Vec::new();
    for i in 0..5000 {
        base.extend(resp(&[b"SET", format!("key:{i}").as_bytes(), format!("value:{i}").as_bytes()]));
    }
    base.extend(resp(&[b"SET", b"big", &big]));
    base.extend(resp(&[b"APPEND", b"big", b"!"]));
    let dir = aof_dir(&base);
    let server = try_start(dir.path()).expect("start");
    let mut c = Conn::connect(server.addr());
    assert_eq!(c.cmd(&["DBSIZE"]), b":5001\r\n");
    assert_eq!(c.cmd(&["GET", "key:4999"]), b"$10\r\nvalue:4999\r\n");
    assert_eq!(c.cmd(&["STRLEN", "big"]), format!(":{}\r\n", big.len() + 1).as_bytes());
}

/// The peak resident memory of a process, from /proc (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn loading_a_large_file_does_not_hold_the_whole_file_in_memory() {
    // 48 MiB of overwrites of one 16 KiB key: the dataset is tiny, so the peak shows what loading held.
    let value = vec![b'v'; 16 * 1024];
    let record = resp(&[b"SET", b"k", &value]);
    let mut base = Vec::with_capacity(record.len() * 3072);
    for _ in 0..3072 {
        base.extend_from_slice(&record);
    }
    let dir = aof_dir(&base);
    drop(base);
    let mut child = std::process::Command::new(BIN)
        .args(["--port", "auto", "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let loaded = lines.by_ref().map_while(Result::ok).find(|l| l.contains("Ready to accept connections"));
    let peak = peak_rss_kb(child.id());
    let _ = child.kill();
    let _ = child.wait();
    assert!(loaded.is_some(), "the server did not start");
    assert!(peak < 24 * 1024, "peak RSS {peak} kB while loading a 48 MiB file of a 16 KiB dataset");
}
