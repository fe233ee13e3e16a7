//! The server's clock: TTLs (lazy and active expiry), TIME, LRU idle times, LFU decay, the AOF's once-a-second
//! fsync, client ages, idle timeouts and CLIENT PAUSE deadlines. Tests move it instead of sleeping
//! (`advance_time`, the test kit, `DEBUG ADVANCE-TIME`). Three modes: the wall clock (the default), the wall
//! clock plus an offset, and frozen (time moves only when told). Only the script BUSY threshold and log
//! timestamps keep the wall clock, so that a frozen clock cannot leave clients waiting on a runaway script.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// `frozen_us` when the clock runs.
const RUNNING: i64 = i64::MIN;

/// The clock stays within 1970 ..= 9999 (unix ms): times a test sets are clamped into it, so TTL arithmetic
/// (`now + ttl`) and LRU/LFU clocks never meet an overflow.
pub const MAX_MS: i64 = 253_402_300_799_999;
const MAX_US: i64 = MAX_MS * 1000 + 999;

#[derive(Debug)]
pub struct Clock {
    /// Added to the wall clock while running, microseconds.
    offset_us: AtomicI64,
    /// The time while frozen (unix microseconds), or `RUNNING`.
    frozen_us: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { offset_us: AtomicI64::new(0), frozen_us: AtomicI64::new(RUNNING) }
    }
}

impl Clock {
    /// Unix time in milliseconds as the server sees it.
    pub fn now_ms(&self) -> i64 {
        self.now_us().div_euclid(1000)
    }

    /// Unix time in microseconds as the server sees it (TIME).
    pub fn now_us(&self) -> i64 {
        self.us_at(SystemTime::now())
    }

    /// The server's milliseconds at the wall-clock instant `wall` (one clock reading serves two purposes).
    pub fn ms_at(&self, wall: SystemTime) -> i64 {
        self.us_at(wall).div_euclid(1000)
    }

    fn us_at(&self, wall: SystemTime) -> i64 {
        match self.frozen_us.load(Ordering::Relaxed) {
            RUNNING => unix_us(wall).saturating_add(self.offset_us.load(Ordering::Relaxed)).clamp(0, MAX_US),
            frozen => frozen,
        }
    }

    /// Moves the clock forward (or back, with a negative `ms`), in any mode, within 1970 ..= 9999.
    pub fn advance(&self, ms: i64) {
        let target = self.now_ms().saturating_add(ms);
        let us = (target.clamp(0, MAX_MS) - self.now_ms()).saturating_mul(1000);
        let moved = self.frozen_us.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |frozen| {
            (frozen != RUNNING).then(|| frozen.saturating_add(us).clamp(0, MAX_US))
        });
        if moved.is_err() {
            self.offset_us.fetch_add(us, Ordering::Relaxed);
        }
    }

    /// Sets the time to `unix_ms` (clamped to 1970 ..= 9999); a running clock goes on from there, a frozen one
    /// stays there.
    pub fn set_ms(&self, unix_ms: i64) {
        let us = unix_ms.clamp(0, MAX_MS) * 1000;
        if self.frozen_us.load(Ordering::Relaxed) != RUNNING {
            self.frozen_us.store(us, Ordering::Relaxed);
        } else {
            self.offset_us.store(us.saturating_sub(unix_us(SystemTime::now())), Ordering::Relaxed);
        }
    }

    /// Stops the clock at the current time: it moves only by `advance` and `set_ms` until `resume`.
    pub fn freeze(&self) {
        let now = self.now_us();
        let _ = self.frozen_us.compare_exchange(RUNNING, now, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Runs the clock again from where it stands (as an offset from the wall clock).
    pub fn resume(&self) {
        let frozen = self.frozen_us.load(Ordering::Relaxed);
        if frozen != RUNNING {
            self.offset_us.store(frozen.saturating_sub(unix_us(SystemTime::now())), Ordering::Relaxed);
            self.frozen_us.store(RUNNING, Ordering::Relaxed);
        }
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_us.load(Ordering::Relaxed) != RUNNING
    }
}

/// The wall clock in unix milliseconds, for process timers (see the module's comment).
pub fn wall_ms() -> i64 {
    unix_us(SystemTime::now()).div_euclid(1000)
}

fn unix_us(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_micros() as i64,
        Err(before) => -(before.duration().as_micros() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told_and_resumes_from_there() {
        let clock = Clock::default();
        clock.set_ms(1_000_000);
        clock.freeze();
        let frozen = clock.now_ms();
        assert!((frozen - 1_000_000).abs() < 1000, "{frozen}");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now_ms(), frozen);
        clock.advance(1500);
        assert_eq!(clock.now_ms(), frozen + 1500);
        clock.set_ms(42);
        assert_eq!(clock.now_ms(), 42);
        assert_eq!(clock.now_us(), 42_000);
        clock.advance(-100);
        assert_eq!(clock.now_ms(), 0, "not before 1970");
        clock.set_ms(i64::MAX);
        assert_eq!(clock.now_ms(), MAX_MS, "not after 9999");
        clock.advance(i64::MAX);
        assert_eq!(clock.now_ms(), MAX_MS);
        assert!(clock.is_frozen());
        clock.set_ms(42);
        clock.resume();
        assert!(!clock.is_frozen());
        let resumed = clock.now_ms();
        assert!((42..42 + 1000).contains(&resumed), "{resumed}");
    }

    #[test]
    fn a_running_clock_keeps_its_offset() {
        let clock = Clock::default();
        let before = wall_ms();
        clock.advance(3_600_000);
        let now = clock.now_ms();
        assert!(now >= before + 3_600_000 && now < wall_ms() + 3_600_000 + 1000, "{now}");
        assert!(clock.ms_at(SystemTime::UNIX_EPOCH) == 3_600_000);
        clock.advance(i64::MAX);
        assert_eq!(clock.now_ms(), MAX_MS);
        assert!(!clock.is_frozen());
    }
}
