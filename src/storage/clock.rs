//! The server's clock: wall-clock milliseconds plus an offset that tests move forward (`advance_time`,
//! `DEBUG ADVANCE-TIME`), so keys expire exactly as if the time had passed, without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Unix time in milliseconds as the server sees it.
    pub fn now_ms(&self) -> i64 {
        wall_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// The server's milliseconds at the wall-clock instant `wall` (one clock reading serves two purposes).
    pub fn ms_at(&self, wall: SystemTime) -> i64 {
        let ms = wall.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        ms + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Unix time in microseconds as the server sees it (TIME).
    pub fn now_us(&self) -> i64 {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
        wall + self.offset_ms.load(Ordering::Relaxed) * 1000
    }

    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
