//! What the server records about the commands it runs, for operators: per-command calls and times (INFO
//! commandstats, latencystats), error counts (INFO errorstats), the slow log (SLOWLOG), latency events
//! (LATENCY) and the MONITOR feed. `dispatch::execute` reports every command here; the commands that show
//! these records live in cmd/.

use crate::command::CommandSpec;
use crate::pubsub::Mailbox;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

type Hasher = foldhash::fast::RandomState;

/// One command's counters (INFO commandstats) and latency distribution (INFO latencystats).
#[derive(Clone, Debug, Default)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    pub latency: Histogram,
}

/// A log-linear histogram of microseconds: 4 buckets per power of two, enough for Redis's p50/p99/p99.9 to
/// about 19% precision (Redis uses HdrHistogram at 2 significant digits).
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

const SUB_BUCKETS: u32 = 4;

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; (64 * SUB_BUCKETS) as usize], total: 0 }
    }
}

impl Histogram {
    fn bucket(usec: u64) -> usize {
        let v = usec.max(1);
        let log = 63 - v.leading_zeros();
        let sub = if log >= 2 { ((v >> (log - 2)) & 3) as u32 } else { (v as u32) & 3 };
        (log * SUB_BUCKETS + sub) as usize
    }

    /// The upper edge of a bucket, in microseconds.
    fn upper(bucket: usize) -> f64 {
        let (log, sub) = (bucket as u32 / SUB_BUCKETS, bucket as u32 % SUB_BUCKETS);
        if log < 2 {
            return (sub.max(1)) as f64;
        }
        let base = 1u64 << log;
        (base + (base >> 2) * (u64::from(sub) + 1)) as f64
    }

    pub fn record(&mut self, usec: u64) {
        let b = Self::bucket(usec).min(self.counts.len() - 1);
        self.counts[b] += 1;
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The latency at `percentile` (0-100), in microseconds.
    pub fn percentile(&self, percentile: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((percentile / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (b, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Self::upper(b);
            }
        }
        Self::upper(self.counts.len() - 1)
    }
}

/// One SLOWLOG entry.
#[derive(Clone, Debug)]
pub struct SlowEntry {
    pub id: u64,
    pub unix_time: i64,
    pub usec: u64,
    /// At most 32 arguments of at most 128 bytes, as Redis keeps them.
    pub argv: Vec<Vec<u8>>,
    pub addr: String,
    pub name: String,
}

/// One latency event's history (LATENCY LATEST / HISTORY): up to 160 samples, one per second.
#[derive(Clone, Debug, Default)]
pub struct LatencySeries {
    pub samples: VecDeque<(i64, u64)>,
    pub max_ms: u64,
}

/// Everything recorded; lives in the State.
#[derive(Default)]
pub struct Observer {
    /// By command full name (`config|get`).
    pub commands: HashMap<&'static str, CommandStats, Hasher>,
    /// By error code (`ERR`, `WRONGTYPE`...).
    pub errors: HashMap<String, u64, Hasher>,
    pub total_error_replies: u64,
    pub slowlog: VecDeque<SlowEntry>,
    pub slowlog_next_id: u64,
    pub latency: HashMap<&'static str, LatencySeries, Hasher>,
    /// Clients in MONITOR mode: their id and mailbox.
    pub monitors: Vec<(u64, Arc<Mailbox>)>,
}

impl Observer {
    /// A command ran for `usec`; `failed`: it answered with an error.
    pub fn record_call(&mut self, full_name: &'static str, usec: u64, failed: bool) {
        let stats = self.commands.entry(full_name).or_default();
        stats.calls += 1;
        stats.usec += usec;
        stats.failed_calls += failed as u64;
        stats.latency.record(usec);
    }

    /// A gate refused the command (arity, auth, OOM...), which then did not run.
    pub fn record_rejected(&mut self, full_name: &'static str) {
        self.commands.entry(full_name).or_default().rejected_calls += 1;
    }

    /// An error reply was sent: counted under its code (the error text's first word).
    pub fn record_error(&mut self, text: &[u8]) {
        let code = text.split(|b| *b == b' ').next().unwrap_or_default();
        let code = String::from_utf8_lossy(code.strip_prefix(b"-").unwrap_or(code)).into_owned();
        *self.errors.entry(code).or_default() += 1;
        self.total_error_replies += 1;
    }

    /// Adds a slow log entry if the command ran at least `threshold` microseconds (negative: off).
    #[allow(clippy::too_many_arguments)]
    pub fn maybe_slowlog(
        &mut self,
        threshold: i64,
        max_len: u64,
        usec: u64,
        argv: &[&[u8]],
        unix_time: i64,
        addr: &str,
        name: &str,
    ) {
        if threshold < 0 || (usec as i64) < threshold {
            return;
        }
        const MAX_ARGS: usize = 32;
        const MAX_ARG_LEN: usize = 128;
        let mut kept: Vec<Vec<u8>> = argv
            .iter()
            .take(if argv.len() > MAX_ARGS { MAX_ARGS - 1 } else { MAX_ARGS })
            .map(|a| {
                if a.len() > MAX_ARG_LEN {
                    let mut v = a[..MAX_ARG_LEN].to_vec();
                    v.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_ARG_LEN).as_bytes());
                    v
                } else {
                    a.to_vec()
                }
            })
            .collect();
        if argv.len() > MAX_ARGS {
            kept.push(format!("... ({} more arguments)", argv.len() - MAX_ARGS + 1).into_bytes());
        }
        self.slowlog.push_front(SlowEntry {
            id: self.slowlog_next_id,
            unix_time,
            usec,
            argv: kept,
            addr: addr.to_string(),
            name: name.to_string(),
        });
        self.slowlog_next_id += 1;
        while self.slowlog.len() as u64 > max_len {
            self.slowlog.pop_back();
        }
    }

    /// Adds a latency sample for `event` if it took at least `threshold_ms` (0: monitoring off).
    pub fn maybe_latency(&mut self, threshold_ms: u64, event: &'static str, ms: u64, unix_time: i64) {
        if threshold_ms == 0 || ms < threshold_ms {
            return;
        }
        let series = self.latency.entry(event).or_default();
        series.max_ms = series.max_ms.max(ms);
        match series.samples.back_mut() {
            // One sample per second: the larger one wins.
            Some((t, v)) if *t == unix_time => *v = (*v).max(ms),
            _ => {
                series.samples.push_back((unix_time, ms));
                if series.samples.len() > 160 {
                    series.samples.pop_front();
                }
            }
        }
    }

    /// Sends a MONITOR line to every monitor (Redis's replicationFeedMonitors).
    pub fn feed_monitors(&self, cmd: &CommandSpec, db: usize, addr: &str, argv: &[&[u8]], now_us: i64) {
        use crate::command::flags;
        if self.monitors.is_empty() || cmd.has(flags::SKIP_MONITOR | flags::ADMIN) {
            return;
        }
        let mut line = format!("+{}.{:06} [{db} {addr}]", now_us / 1_000_000, now_us % 1_000_000).into_bytes();
        for arg in argv {
            line.push(b' ');
            crate::protocol::repr::repr_into(arg, &mut line);
        }
        line.extend_from_slice(b"\r\n");
        let unlimited = crate::config::ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };
        for (_, mailbox) in &self.monitors {
            mailbox.deliver(&line, &unlimited, now_us / 1000);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_percentiles_are_close() {
        let mut h = Histogram::default();
        for us in 1..=1000 {
            h.record(us);
        }
        let p50 = h.percentile(50.0);
        assert!((450.0..=650.0).contains(&p50), "{p50}");
        assert!(h.percentile(99.9) >= 999.0);
        assert_eq!(Histogram::default().percentile(50.0), 0.0);
    }

    #[test]
    fn slowlog_keeps_the_newest_and_cuts_long_arguments() {
        let mut o = Observer::default();
        let long = vec![b'x'; 200];
        for i in 0..5 {
            o.maybe_slowlog(0, 3, i, &[b"SET", &long], 0, "a", "");
        }
        assert_eq!(o.slowlog.len(), 3);
        assert_eq!(o.slowlog[0].id, 4);
        assert!(o.slowlog[0].argv[1].ends_with(b"... (72 more bytes)"));
        o.maybe_slowlog(-1, 3, 1_000_000, &[b"GET"], 0, "a", "");
        assert_eq!(o.slowlog[0].id, 4, "a negative threshold logs nothing");
    }
}
