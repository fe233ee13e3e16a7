//! What `embedis-check-rdb` reports of a file (as redis-check-rdb): its version and AUX fields, whether it reads
//! whole (checksum included), and otherwise the offset and reason of the first problem; keys by type, expires.

use super::decode::DecodeError;
use super::file::{read_rdb, Event, ReadOptions, Summary};
use super::object::Limits;
use std::collections::BTreeMap;

/// The outcome of a check.
#[derive(Debug, Default)]
pub struct Report {
    /// `Ok`: the whole file read, with what it held besides keys; `Err`: where and why reading stopped.
    pub result: Option<Result<Summary, DecodeError>>,
    /// Keys read, by TYPE name.
    pub keys_by_type: BTreeMap<&'static str, u64>,
    /// Keys with a TTL.
    pub expires: u64,
    /// Keys whose TTL had passed at the time of the check.
    pub already_expired: u64,
}

impl Report {
    /// Keys read in all.
    pub fn keys(&self) -> u64 {
        self.keys_by_type.values().sum()
    }
}

/// Reads the whole file as a loader would (checksum verified), counting keys at `now_ms`.
pub fn check(data: &[u8], now_ms: i64) -> Report {
    let opts = ReadOptions {
        limits: Limits::of(&crate::config::Config::default()),
        databases: usize::MAX,
        verify_checksum: true,
    };
    let mut report = Report::default();
    let read = read_rdb(data, &opts, |event| {
        let Event::Key(rec) = event else { return Ok(()) };
        *report.keys_by_type.entry(rec.value.type_name()).or_default() += 1;
        if let Some(at) = rec.expire_at {
            report.expires += 1;
            report.already_expired += u64::from(at < now_ms);
        }
        Ok(())
    });
    report.result = Some(read);
    report
}

/// The report as `embedis-check-rdb` prints it: redis-check-rdb's layout (`[offset N] ...`, `[info] ...`).
pub fn render(report: &Report, path: &str, file_len: usize) -> String {
    use std::fmt::Write;
    let mut out = format!("[offset 0] Checking RDB file {path}\n");
    match &report.result {
        Some(Ok(summary)) => {
            let _ = writeln!(out, "[offset 9] RDB version {}", summary.version);
            for (k, v) in &summary.aux {
                let (k, v) = (String::from_utf8_lossy(k), String::from_utf8_lossy(v));
                let _ = writeln!(out, "[info] AUX FIELD {k} = '{v}'");
            }
            if summary.checksum_absent {
                let _ = writeln!(
                    out,
                    "[offset {}] RDB file was saved with checksum disabled: no check performed.",
                    summary.end
                );
            } else if summary.version >= 5 {
                let _ = writeln!(out, "[offset {}] Checksum OK", summary.end);
            }
            if summary.end < file_len {
                let _ = writeln!(out, "[offset {}] {} bytes follow the RDB data", summary.end, file_len - summary.end);
            }
            let _ = writeln!(out, "[offset {}] \\o/ RDB looks OK! \\o/", summary.end);
        }
        Some(Err(e)) => {
            let _ = writeln!(out, "--- RDB ERROR DETECTED ---\n[offset {}] expected {}", e.offset, e.expected);
        }
        None => {}
    }
    let _ = writeln!(out, "[info] {} keys read", report.keys());
    let _ = writeln!(out, "[info] {} expires", report.expires);
    let _ = writeln!(out, "[info] {} already expired", report.already_expired);
    for (kind, n) in &report.keys_by_type {
        let _ = writeln!(out, "[info] {n} keys of type {kind}");
    }
    out
}
