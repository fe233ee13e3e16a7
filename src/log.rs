//! Logging in redis-server's format: `pid:role day month year hh:mm:ss.mmm level message`, where the level is
//! `.` debug, `-` verbose, `*` notice, `#` warning, so log watchers written for Redis keep working.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use crate::config::LogLevel;
use parking_lot::Mutex;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

pub struct Logger {
    /// A `LogLevel` as u8: CONFIG SET loglevel changes it while the server runs.
    level: AtomicU8,
    /// None = standard output.
    file: Option<Mutex<File>>,
}

impl Logger {
    /// A logger to standard output: nothing to open, so it cannot fail.
    pub fn stdout(level: LogLevel) -> Logger {
        Logger { level: AtomicU8::new(level as u8), file: None }
    }

    pub fn new(level: LogLevel, logfile: &str) -> std::io::Result<Logger> {
        let file = if logfile.is_empty() {
            None
        } else {
            Some(Mutex::new(OpenOptions::new().create(true).append(true).open(logfile)?))
        };
        Ok(Logger { level: AtomicU8::new(level as u8), file })
    }

    pub fn set_level(&self, level: LogLevel) {
        self.level.store(level as u8, Ordering::Relaxed);
    }

    pub fn enabled(&self, level: LogLevel) -> bool {
        let current = self.level.load(Ordering::Relaxed);
        level as u8 >= current && current != LogLevel::Nothing as u8
    }

    pub fn log(&self, level: LogLevel, msg: &str) {
        if !self.enabled(level) {
            return;
        }
        let mark = match level {
            LogLevel::Debug => '.',
            LogLevel::Verbose => '-',
            LogLevel::Notice => '*',
            _ => '#',
        };
        self.write(&format_line('M', mark, msg));
    }

    fn write(&self, line: &str) {
        match &self.file {
            Some(f) => {
                let _ = f.lock().write_all(line.as_bytes());
            }
            None => {
                let _ = std::io::stdout().lock().write_all(line.as_bytes());
            }
        }
    }

    /// A line written before the server runs (role `C`), as redis-server's startup banner.
    pub fn startup(&self, msg: &str) {
        if self.enabled(LogLevel::Warning) {
            self.write(&format_line('C', '#', msg));
        }
    }

    pub fn notice(&self, msg: &str) {
        self.log(LogLevel::Notice, msg);
    }

    pub fn warning(&self, msg: &str) {
        self.log(LogLevel::Warning, msg);
    }
}

/// One log line: `pid:role timestamp mark message`; role `C` before the server runs, `M` after.
pub fn format_line(role: char, mark: char, msg: &str) -> String {
    format!("{}:{role} {} {mark} {msg}\n", std::process::id(), timestamp())
}

/// Local time as Redis prints it: `26 Nov 2026 06:46:28.123`.
fn timestamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes only into the zeroed struct we own.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&secs, &mut tm);
        tm
    };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}
