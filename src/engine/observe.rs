//! What the server records about the commands it runs, for operators: per-command calls and times (INFO
//! commandstats, latencystats), error counts (INFO errorstats), the slow log (SLOWLOG), latency events
//! (LATENCY) and the MONITOR feed. `dispatch::execute` reports every command here; the commands that show
//! these records live in cmd/.

use crate::engine::CommandSpec;
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

/// One command's latency distribution, as Redis 7.0 keeps it: an HdrHistogram from 1 ns to 1 s with 2
/// significant figures, fed whole microseconds (`duration * 1000` ns, 0 counted as 1 ns), so INFO latencystats
/// and LATENCY HISTOGRAM print Redis's exact numbers. Counts are kept only for the HDR cells a whole microsecond
/// can land in: one slot per microsecond below `FINE_US` (cells there are narrower than 1 µs), one per cell
/// above. A slot vector grows to the slowest call seen: 1 KB for commands under 132 µs, 14 KB at most.
#[derive(Clone, Debug, Default)]
pub struct Histogram {
    slots: Vec<u64>,
    total: u64,
}

/// Redis's LATENCY_HISTOGRAM_MAX_VALUE: slower calls are recorded as 1 s.
const MAX_NS: u64 = 1_000_000_000;
/// Below this many microseconds every microsecond has its own HDR cell.
const FINE_US: u64 = 132;
/// The HDR cell holding 132 µs (131072..=132095 ns): from here on a cell spans 1024 ns or more.
const FIRST_COARSE_CELL: u64 = 1408;
/// The last cell of a 1 ns..1 s histogram (its highest value, 1073741823 ns, is the last LATENCY HISTOGRAM key).
const LAST_CELL: u64 = 3071;

/// hdr_histogram's counts_index_for with 256 sub-buckets and unit 1 ns.
fn hdr_cell(ns: u64) -> u64 {
    let bucket = u64::from(64 - (ns | 255).leading_zeros()) - 8;
    ((bucket + 1) << 7) + (ns >> bucket) - 128
}

/// The lowest and highest value (ns) of a cell (hdr_value_at_index and highest_equivalent_value).
fn hdr_cell_range(cell: u64) -> (u64, u64) {
    let (bucket, sub) = match (cell >> 7).checked_sub(1) {
        Some(bucket) => (bucket, (cell & 127) + 128),
        None => (0, cell & 127),
    };
    let lowest = sub << bucket;
    (lowest, lowest + (1 << bucket) - 1)
}

impl Histogram {
    fn slot(usec: u64) -> usize {
        if usec < FINE_US {
            return usec as usize;
        }
        (hdr_cell(usec.min(MAX_NS / 1000) * 1000) - FIRST_COARSE_CELL + FINE_US) as usize
    }

    fn cell(slot: usize) -> u64 {
        let slot = slot as u64;
        if slot < FINE_US {
            hdr_cell((slot * 1000).max(1))
        } else {
            slot - FINE_US + FIRST_COARSE_CELL
        }
    }

    pub fn record(&mut self, usec: u64) {
        let slot = Self::slot(usec);
        if slot >= self.slots.len() {
            self.slots.resize(slot + 1, 0);
        }
        self.slots[slot] += 1;
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The latency at `percentile` (0-100) in microseconds, as Redis prints it (hdr_value_at_percentile / 1000).
    pub fn percentile(&self, percentile: f64) -> f64 {
        let wanted = ((percentile.min(100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let mut seen = 0;
        for (slot, n) in self.slots.iter().enumerate() {
            seen += n;
            if seen >= wanted.max(1) {
                let (lowest, highest) = hdr_cell_range(Self::cell(slot));
                return if percentile == 0.0 { lowest } else { highest } as f64 / 1000.0;
            }
        }
        0.0
    }

    /// LATENCY HISTOGRAM's `histogram_usec`: (bucket, calls at most that slow) at 1024 ns, 2048 ns... as
    /// hdr_iter_log_init(1024, 2) reports them, keeping only the buckets where the count grew.
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let (mut slot, mut seen) = (0, 0);
        for step in 0..=20 {
            // The 21st level (2^30 ns) is beyond the histogram: the iteration ends on its last cell.
            let cell = if step < 20 { hdr_cell(1024 << step) } else { LAST_CELL };
            while slot < self.slots.len() && Self::cell(slot) <= cell {
                seen += self.slots[slot];
                slot += 1;
            }
            if seen > out.last().map_or(0, |&(_, n)| n) {
                out.push((hdr_cell_range(cell).1 / 1000, seen));
            }
            if seen == self.total {
                break;
            }
        }
        out
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
    /// `total_error_replies` when the last command finished (a command failed if it grew since).
    pub errors_seen: u64,
    pub slowlog: VecDeque<SlowEntry>,
    pub slowlog_next_id: u64,
    pub latency: HashMap<&'static str, LatencySeries, Hasher>,
    /// Clients in MONITOR mode: their id and mailbox.
    pub monitors: Vec<(u64, Arc<Mailbox>)>,
}

impl Observer {
    /// A command ran for `usec`; `failed`: it answered with an error; `track_latency`: `latency-tracking yes`.
    pub fn record_call(&mut self, full_name: &'static str, usec: u64, failed: bool, track_latency: bool) {
        let stats = self.commands.entry(full_name).or_default();
        stats.calls += 1;
        stats.usec += usec;
        stats.failed_calls += failed as u64;
        if track_latency {
            stats.latency.record(usec);
        }
    }

    /// CONFIG RESETSTAT: command, error and latency-histogram statistics start over (the slow log and the
    /// latency events stay, as in Redis).
    pub fn reset_stats(&mut self) {
        self.commands.clear();
        self.errors.clear();
        self.total_error_replies = 0;
    }

    /// A gate refused the command (arity, auth, OOM...), which then did not run.
    pub fn record_rejected(&mut self, full_name: &'static str) {
        self.commands.entry(full_name).or_default().rejected_calls += 1;
    }

    /// An error reply (`-CODE text\r\n`) was sent: counted under its code, the word before a space within
    /// the first 32 bytes, or ERR when there is none (Redis's afterErrorReply).
    pub fn record_error(&mut self, text: &[u8]) {
        let head = &text[..text.len().min(32)];
        let code = match (head.first(), head.iter().position(|b| *b == b' ')) {
            (Some(b'-'), Some(space)) => &text[1..space],
            _ => b"ERR",
        };
        let code = String::from_utf8_lossy(code);
        match self.errors.get_mut(&*code) {
            Some(count) => *count += 1,
            None => {
                self.errors.insert(code.into_owned(), 1);
            }
        }
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
        let hidden = redacted_positions(argv);
        let mut kept: Vec<Vec<u8>> = argv
            .iter()
            .take(if argv.len() > MAX_ARGS { MAX_ARGS - 1 } else { MAX_ARGS })
            .enumerate()
            .map(|(i, a)| {
                if hidden.contains(&i) {
                    b"(redacted)".to_vec()
                } else if a.len() > MAX_ARG_LEN {
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
            // A script's commands come from a client without a peer: Redis shows "?:0".
            addr: if addr == "lua" { "?:0".to_string() } else { addr.to_string() },
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

    /// Sends a MONITOR line to every monitor once a command ran (Redis's replicationFeedMonitors in call()):
    /// administrative commands are never shown, and scripts (skip_monitor) were shown before they ran.
    pub fn feed_monitors(&self, cmd: &CommandSpec, db: usize, addr: &str, argv: &[&[u8]], now_us: i64) {
        use crate::engine::flags;
        if self.monitors.is_empty() || cmd.has(flags::SKIP_MONITOR | flags::ADMIN) {
            return;
        }
        self.feed_monitors_now(db, addr, argv, now_us);
    }

    /// The same, unconditionally: scripts (the skip_monitor commands) are shown as they start, so the commands
    /// they run come after them (Redis's evalCommand feeds the monitors itself).
    pub fn feed_monitors_now(&self, db: usize, addr: &str, argv: &[&[u8]], now_us: i64) {
        if self.monitors.is_empty() {
            return;
        }
        // A unix socket client's address is `<path>:0` (no TCP peer has port 0); MONITOR shows `unix:<path>`.
        let line = match addr.strip_suffix(":0") {
            Some(path) => format!("+{}.{:06} [{db} unix:{path}]", now_us / 1_000_000, now_us % 1_000_000),
            None => format!("+{}.{:06} [{db} {addr}]", now_us / 1_000_000, now_us % 1_000_000),
        };
        let mut line = line.into_bytes();
        // Passwords are shown as Redis shows them (its redacted argv): `"auth" "(redacted)"`.
        let hidden = redacted_positions(argv);
        for (i, arg) in argv.iter().enumerate() {
            line.push(b' ');
            if hidden.contains(&i) {
                line.extend_from_slice(b"\"(redacted)\"");
            } else {
                crate::protocol::repr::repr_into(arg, &mut line);
            }
        }
        line.extend_from_slice(b"\r\n");
        let unlimited = crate::config::ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };
        for (_, mailbox) in &self.monitors {
            mailbox.deliver(&line, &unlimited, now_us / 1000);
        }
    }
}

/// The arguments Redis hides from the slow log (its redactClientCommandArgument calls): AUTH's (when it has a
/// form AUTH accepts), the user and password after HELLO's AUTH, and the values of sensitive directives in
/// CONFIG SET.
pub fn redacted_positions(argv: &[&[u8]]) -> Vec<usize> {
    let is = |a: &[u8], name: &str| a.eq_ignore_ascii_case(name.as_bytes());
    let n = argv.len();
    match argv {
        [cmd, ..] if is(cmd, "auth") && n <= 3 => (1..n).collect(),
        [cmd, ..] if is(cmd, "hello") => {
            let mut hidden = Vec::new();
            let mut j = 2;
            while j < n {
                let more = n - 1 - j;
                if is(argv[j], "auth") && more >= 2 {
                    hidden.extend([j + 1, j + 2]);
                    j += 3;
                } else if is(argv[j], "setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
            hidden
        }
        [cmd, sub, ..] if is(cmd, "config") && is(sub, "set") && n.is_multiple_of(2) => {
            (2..n).step_by(2).filter(|&i| crate::config::Config::is_sensitive(argv[i])).map(|i| i + 1).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(usecs: &[u64]) -> Histogram {
        let mut h = Histogram::default();
        usecs.iter().for_each(|&us| h.record(us));
        h
    }

    #[test]
    fn histogram_percentiles_are_redis_hdr_values() {
        // Values read from redis-server 7.0 (INFO latencystats) for the same calls.
        let h = histogram(&[0, 1, 1]);
        assert_eq!([0.0, 12.5, 50.0, 100.0].map(|p| h.percentile(p)), [0.001, 0.001, 1.003, 1.003]);
        let h = histogram(&[97]);
        assert_eq!((h.percentile(0.0), h.percentile(50.0)), (96.768, 97.279));
        assert_eq!(histogram(&[72]).percentile(99.9), 72.191);
        assert_eq!(histogram(&[30, 138]).percentile(99.0), 138.239);
        assert_eq!(Histogram::default().percentile(50.0), 0.0);
        // Beyond 1 s everything is 1 s, in the 4 ms-wide cell holding it.
        assert_eq!(histogram(&[5_000_000]).percentile(50.0), 1_002_438.655);
    }

    #[test]
    fn histogram_cdf_has_redis_bucket_keys() {
        let mut every_key = Vec::new();
        let mut us = 0;
        while every_key.len() < 21 {
            let h = histogram(&[us]);
            let key = h.cdf()[0].0;
            if every_key.last() != Some(&key) {
                every_key.push(key);
            }
            us = if us < 1_000 { us + 1 } else { us * 2 };
        }
        assert_eq!(
            every_key,
            [
                1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266, 270532,
                541065, 1073741
            ]
        );
        assert_eq!(histogram(&[0, 1, 1]).cdf(), [(1, 3)]);
        assert_eq!(histogram(&[30, 60]).cdf(), [(33, 1), (66, 2)]);
        assert_eq!(histogram(&[33, 34, 132, 133]).cdf(), [(33, 1), (66, 2), (132, 3), (264, 4)]);
        assert_eq!(histogram(&[1, 2_000_000]).cdf(), [(1, 1), (1073741, 2)]);
        assert!(Histogram::default().cdf().is_empty());
    }

    #[test]
    fn histogram_slots_follow_hdr_cells() {
        // Each slot is one HDR cell, in order, and no cell a whole microsecond reaches is left out.
        for us in 0..200_000u64 {
            let cell = hdr_cell((us * 1000).max(1));
            assert_eq!(Histogram::cell(Histogram::slot(us)), cell, "{us} µs");
        }
        assert_eq!(Histogram::cell(Histogram::slot(u64::MAX)), hdr_cell(MAX_NS));
        assert!(Histogram::slot(u64::MAX) < 1800);
    }

    #[test]
    fn error_codes_are_counted_as_redis_does() {
        let mut o = Observer::default();
        o.record_error(b"-ERR unknown command\r\n");
        o.record_error(b"-WRONGTYPE Operation against a key\r\n");
        o.record_error(b"-NOSPACEINTHEFIRSTTHIRTYTWOBYTES_AT_ALL x\r\n");
        o.record_error(b"-NOSCRIPT\r\n");
        assert_eq!(o.errors.get("ERR"), Some(&3));
        assert_eq!(o.errors.get("WRONGTYPE"), Some(&1));
        assert_eq!(o.total_error_replies, 4);
        o.reset_stats();
        assert!(o.errors.is_empty() && o.total_error_replies == 0);
    }

    #[test]
    fn slowlog_redacts_secrets() {
        let mut o = Observer::default();
        o.maybe_slowlog(0, 10, 1, &[b"AUTH", b"user", b"pass"], 0, "lua", "");
        assert_eq!(o.slowlog[0].argv, [&b"AUTH"[..], b"(redacted)", b"(redacted)"]);
        assert_eq!(o.slowlog[0].addr, "?:0");
        o.maybe_slowlog(0, 10, 1, &[b"HELLO", b"3", b"SETNAME", b"n", b"AUTH", b"u", b"p"], 0, "a", "");
        assert_eq!(o.slowlog[0].argv[3..], [&b"n"[..], b"AUTH", b"(redacted)", b"(redacted)"]);
        o.maybe_slowlog(0, 10, 1, &[b"config", b"set", b"requirepass", b"x", b"hz", b"10"], 0, "a", "");
        assert_eq!(o.slowlog[0].argv[3..], [&b"(redacted)"[..], b"hz", b"10"]);
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
