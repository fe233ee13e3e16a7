//! The LFU counter (Redis's evict.c): a logarithmic 8-bit counter with a 16-bit minute clock of its last
//! decrement, kept in the entry's `lru` field as Redis keeps it in the object's.

/// A new key's LFU counter, so it is not evicted before it had a chance to be read (LFU_INIT_VAL).
pub const LFU_INIT_VAL: u32 = 5;

/// The LFU parameters (`lfu-log-factor`, `lfu-decay-time`), set on a database while an LFU policy is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lfu {
    pub log_factor: u32,
    pub decay_minutes: u32,
}

/// Minutes of the clock, as the 16 bits LFU keeps.
fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u32) & 0xffff
}

/// The `lru` field of a new entry under LFU.
pub fn lfu_new(now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// The `lru` field of an entry given its counter now (RESTORE FREQ, a loaded file's FREQ).
pub fn lfu_with_counter(now_ms: i64, counter: u32) -> u32 {
    (minutes(now_ms) << 8) | counter.min(255)
}

/// Redis's LFUDecrAndReturn: the counter after the decay for the minutes elapsed since its last decrement.
pub fn lfu_counter(lru: u32, lfu: Lfu, now_ms: i64) -> u32 {
    let (ldt, counter) = (lru >> 8, lru & 0xff);
    let now = minutes(now_ms);
    let elapsed = if now >= ldt { now - ldt } else { 65535 - ldt + now };
    let periods = elapsed.checked_div(lfu.decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// An access under LFU (Redis's updateLFU): decay, then a logarithmic increment.
pub fn lfu_touch(lru: u32, lfu: Lfu, rng: &mut fastrand::Rng, now_ms: i64) -> u32 {
    let mut counter = lfu_counter(lru, lfu, now_ms);
    if counter < 255 {
        let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
        let p = 1.0 / (base * lfu.log_factor as f64 + 1.0);
        if rng.f64() < p {
            counter += 1;
        }
    }
    (minutes(now_ms) << 8) | counter
}

/// The defaults of `lfu-log-factor` and `lfu-decay-time`.
pub const DEFAULT_LFU: Lfu = Lfu { log_factor: 10, decay_minutes: 1 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_counter_decays_one_per_period() {
        let lfu = Lfu { log_factor: 10, decay_minutes: 1 };
        let lru = lfu_new(0);
        assert_eq!(lfu_counter(lru, lfu, 0), LFU_INIT_VAL);
        assert_eq!(lfu_counter(lru, lfu, 3 * 60_000), LFU_INIT_VAL - 3);
        assert_eq!(lfu_counter(lru, lfu, 60 * 60_000), 0);
        assert_eq!(lfu_counter(lru, Lfu { decay_minutes: 0, ..lfu }, 60 * 60_000), LFU_INIT_VAL, "no decay");
    }

    #[test]
    fn lfu_counter_grows_logarithmically() {
        let lfu = Lfu { log_factor: 10, decay_minutes: 1 };
        let mut lru = lfu_new(0);
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..1000 {
            lru = lfu_touch(lru, lfu, &mut rng, 0);
        }
        let c = lfu_counter(lru, lfu, 0);
        assert!((10..40).contains(&c), "1000 hits with factor 10 give a counter around 20, got {c}");
    }
}
