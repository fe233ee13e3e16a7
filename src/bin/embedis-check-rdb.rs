//! embedis-check-rdb: redis-check-rdb for RDB files (dump.rdb, an AOF's RDB base): reads the file as the
//! server loads it and reports its version, AUX fields and keys by type, or the offset and reason of the first
//! problem. Exit status 0 when the file is sound, 1 otherwise.

use embedis::internals::rdb::{check, render};
use std::process::exit;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, path] = &args[..] else {
        eprintln!("Usage: {} <rdb-file-name>", args.first().map_or("embedis-check-rdb", String::as_str));
        exit(1);
    };
    let data = match std::fs::read(path) {
        Ok(data) => data,
        Err(e) => {
            println!(
                "[offset 0] Checking RDB file {path}\n--- RDB ERROR DETECTED ---\n[offset 0] Cannot open file: {e}"
            );
            exit(1);
        }
    };
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let report = check(&data, now_ms);
    print!("{}", render(&report, path, data.len()));
    exit(if matches!(report.result, Some(Ok(_))) { 0 } else { 1 });
}
