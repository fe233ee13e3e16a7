//! Directives with a syntax of their own, which the scalar kinds cannot express: `save` points, `bind` addresses,
//! `dir` (a chdir), `client-output-buffer-limit` classes, keyspace event letters, `oom-score-adj-values`,
//! `replicaof` and latency percentiles: how each parses, what CONFIG GET shows and what its default is.

use super::error::strerror;
use super::rows::{split_spaces, Directive, DEFAULT_OBUF_LIMITS};
use super::value::Special;
use super::Config;
use crate::protocol::number::{memtoull, string2d, strtol_whole};
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Where a value comes from, which decides how `save` points combine: CONFIG SET (and a default) replaces them;
/// in a config file the first `save` line replaces the defaults and later lines add to them.
pub(super) enum Origin<'a> {
    ConfigSet,
    /// A config file line; `save_seen`: an earlier line of this load set `save`.
    File {
        save_seen: &'a mut bool,
    },
}

/// Redis's `CONFIG_BINDADDR_MAX`.
const MAX_BIND_ADDRESSES: usize = 16;

impl Config {
    /// CONFIG GET's text.
    pub(super) fn get_special(&self, s: Special, d: &Directive) -> String {
        match s {
            Special::Dir => self.absolute_dir().unwrap_or_else(|_| self.dir.clone()).to_string_lossy().into_owned(),
            Special::Save => {
                self.save.iter().map(|(secs, changes)| format!("{secs} {changes}")).collect::<Vec<_>>().join(" ")
            }
            Special::ClientOutputBufferLimit => self.client_output_buffer_limit.format(),
            Special::NotifyKeyspaceEvents => self.notify_keyspace_events.clone(),
            Special::Bind if self.bind_none => String::new(),
            Special::Bind if self.bind.is_empty() => d.default.to_string(),
            Special::Bind => self.bind.join(" "),
            Special::OomScoreAdjValues | Special::ReplicaOf | Special::LatencyPercentiles => self.stored_or_default(d),
        }
    }

    /// Parses and stores a special directive's arguments.
    pub(super) fn set_special(
        &mut self,
        s: Special,
        d: &'static Directive,
        args: &[Vec<u8>],
        origin: Origin,
    ) -> Result<(), String> {
        match s {
            Special::Dir => {
                let [dir] = args else { return Err(wrong_args()) };
                self.dir = self.resolve_dir(dir)?;
            }
            Special::Save => {
                let points = parse_save(args)?;
                // CONFIG SET and `save ""` replace the points; in a file, only the first `save` line does.
                let replace = match origin {
                    Origin::File { save_seen } => !std::mem::replace(save_seen, true) || is_single_empty(args),
                    Origin::ConfigSet => true,
                };
                if replace {
                    self.save.clear();
                }
                self.save.extend(points);
            }
            Special::ClientOutputBufferLimit => self.client_output_buffer_limit.update(args)?,
            Special::NotifyKeyspaceEvents => {
                let [classes] = args else { return Err(wrong_args()) };
                (self.notify_keyspace_events, self.notify_flags) = canonical_keyspace_events(classes)?;
            }
            Special::Bind => {
                if args.len() > MAX_BIND_ADDRESSES {
                    return Err("Too many bind addresses specified.".into());
                }
                let addresses = if is_single_empty(args) { &[][..] } else { args };
                self.bind = addresses.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
                self.bind_none = self.bind.is_empty();
            }
            Special::OomScoreAdjValues => {
                self.stored.insert(d.name, parse_oom_score_adj_values(args)?);
            }
            Special::ReplicaOf => {
                self.stored.insert(d.name, parse_replicaof(args)?);
            }
            Special::LatencyPercentiles => {
                self.stored.insert(d.name, parse_latency_percentiles(args)?);
            }
        }
        Ok(())
    }

    /// A special directive back to its row's default.
    pub(super) fn reset_special(&mut self, s: Special, d: &'static Directive) {
        match s {
            // Shown as the working directory.
            Special::Dir => self.dir = PathBuf::from("."),
            // Never given: every interface.
            Special::Bind => (self.bind, self.bind_none) = (Vec::new(), false),
            // The table's defaults are valid (a unit test checks each one).
            Special::Save | Special::ClientOutputBufferLimit | Special::NotifyKeyspaceEvents => {
                let _ = self.set_special(s, d, &d.set_args(d.default.as_bytes()), Origin::ConfigSet);
            }
            Special::OomScoreAdjValues | Special::ReplicaOf | Special::LatencyPercentiles => {
                self.stored.remove(d.name);
            }
        }
    }

    /// `dir` as an absolute path (the process's working directory joined with a relative `dir`).
    pub(super) fn absolute_dir(&self) -> io::Result<PathBuf> {
        if self.dir.is_absolute() {
            Ok(self.dir.clone())
        } else {
            fs::canonicalize(&self.dir)
        }
    }

    /// What chdir() would make of a `dir` value: relative to the current `dir`, symlinks resolved (Redis
    /// shows getcwd()), and an error worded as strerror().
    fn resolve_dir(&self, dir: &[u8]) -> Result<PathBuf, String> {
        if dir.is_empty() {
            return Err(strerror(&io::Error::from_raw_os_error(libc::ENOENT)));
        }
        let base = self.absolute_dir().unwrap_or_else(|_| self.dir.clone());
        let path = fs::canonicalize(base.join(OsStr::from_bytes(dir))).map_err(|e| strerror(&e))?;
        if !path.is_dir() {
            return Err(strerror(&io::Error::from_raw_os_error(libc::ENOTDIR)));
        }
        Ok(path)
    }
}

pub(super) fn wrong_args() -> String {
    "wrong number of arguments".into()
}

/// A single `""` argument means "none" for the list-valued directives.
fn is_single_empty(args: &[Vec<u8>]) -> bool {
    matches!(args, [only] if only.is_empty())
}

/// setConfigSaveOption's check: pairs of seconds >= 1 and changes >= 0 (strtoll rules).
fn parse_save(args: &[Vec<u8>]) -> Result<Vec<(u64, u64)>, String> {
    const INVALID: &str = "Invalid save parameters";
    if is_single_empty(args) {
        return Ok(Vec::new());
    }
    if !args.len().is_multiple_of(2) {
        return Err(INVALID.into());
    }
    let mut points = Vec::new();
    for pair in args.chunks(2) {
        // strtoll over C strings: a NUL ends each number, as in Redis.
        let number = |arg: &[u8]| strtol_whole(super::value::c_string(arg), 10).map(|v| v.0);
        let seconds = number(&pair[0]).filter(|v| *v >= 1).ok_or(INVALID)?;
        let changes = number(&pair[1]).filter(|v| *v >= 0).ok_or(INVALID)?;
        points.push((seconds as u64, changes as u64));
    }
    Ok(points)
}

/// The 7.0 keyspace event class letters and their flags (notify.c), in the order Redis prints them.
const EVENT_CLASSES: &[(u8, u32)] = {
    use super::keyspace_classes::*;
    &[
        (b'g', GENERIC),
        (b'$', STRING),
        (b'l', LIST),
        (b's', SET),
        (b'h', HASH),
        (b'z', ZSET),
        (b'x', EXPIRED),
        (b'e', EVICTED),
        (b't', STREAM),
        (b'd', MODULE),
        (b'n', NEW),
        (b'K', KEYSPACE),
        (b'E', KEYEVENT),
        (b'm', KEY_MISS),
    ]
};
/// 'A': every class except key-miss and new-key events.
const EVENTS_ALL: u32 = {
    use super::keyspace_classes::*;
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE
};

/// keyspaceEventsStringToFlags then keyspaceEventsFlagsToString: the canonical spelling ("KEA" -> "AKE"), and
/// the class bits.
fn canonical_keyspace_events(arg: &[u8]) -> Result<(String, u32), String> {
    let mut flags = 0;
    for c in arg {
        flags |= match (c, EVENT_CLASSES.iter().find(|(letter, _)| letter == c)) {
            (b'A', _) => EVENTS_ALL,
            (_, Some((_, flag))) => *flag,
            _ => return Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
        };
    }
    let mut out = String::new();
    let all = flags & EVENTS_ALL == EVENTS_ALL;
    if all {
        out.push('A');
    }
    for (letter, flag) in EVENT_CLASSES {
        // 'K', 'E' and 'm' are not part of 'A'; every other class is shown only when 'A' is not.
        let outside_all = flag & EVENTS_ALL == 0;
        if flags & flag != 0 && (outside_all || !all) && !(all && *letter == b'n') {
            out.push(*letter as char);
        }
    }
    Ok((out, flags))
}

fn parse_oom_score_adj_values(args: &[Vec<u8>]) -> Result<String, String> {
    if args.len() != 3 {
        return Err(wrong_args());
    }
    let mut values = Vec::new();
    for arg in args {
        match strtol_whole(arg, 10) {
            Some((v, _)) if (-2000..=2000).contains(&v) => values.push(v.to_string()),
            _ => return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()),
        }
    }
    Ok(values.join(" "))
}

/// `replicaof <host> <port>` or `replicaof no one`, shown as "host port" or "".
fn parse_replicaof(args: &[Vec<u8>]) -> Result<String, String> {
    let [host, port] = args else { return Err(wrong_args()) };
    if host.eq_ignore_ascii_case(b"no") && port.eq_ignore_ascii_case(b"one") {
        return Ok(String::new());
    }
    match strtol_whole(port, 10) {
        Some((p, _)) if (0..=65535).contains(&p) => Ok(format!("{} {p}", String::from_utf8_lossy(host))),
        _ => Err("Invalid master port".into()),
    }
}

fn parse_latency_percentiles(args: &[Vec<u8>]) -> Result<String, String> {
    if is_single_empty(args) {
        return Ok(String::new());
    }
    let mut shown = Vec::new();
    for arg in args {
        let p = string2d(arg).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
        }
        shown.push(trim_double(&format!("{p:.6}")));
    }
    Ok(shown.join(" "))
}

/// trimDoubleString: "%f" output without trailing zeros or a trailing dot.
fn trim_double(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// One class of `client-output-buffer-limit`: a hard limit, and a soft limit that may be exceeded for at
/// most `soft_seconds`. Zero disables a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObufLimit {
    /// Bytes past which the client is closed at once (0: none).
    pub hard: u64,
    /// Bytes past which, for `soft_seconds` in a row, the client is closed (0: none).
    pub soft: u64,
    /// See `soft`.
    pub soft_seconds: u64,
}

/// `client-output-buffer-limit`, per client class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOutputBufferLimits {
    /// Normal clients (`normal`).
    pub normal: ObufLimit,
    /// Replicas (`replica`, alias `slave`).
    pub replica: ObufLimit,
    /// Pub/Sub subscribers (`pubsub`).
    pub pubsub: ObufLimit,
}

impl Default for ClientOutputBufferLimits {
    /// Redis's limits, as the `client-output-buffer-limit` row states them.
    fn default() -> Self {
        let off = ObufLimit { hard: 0, soft: 0, soft_seconds: 0 };
        let mut limits = ClientOutputBufferLimits { normal: off, replica: off, pubsub: off };
        let _ = limits.update(&split_spaces(DEFAULT_OBUF_LIMITS.as_bytes()));
        limits
    }
}

impl ClientOutputBufferLimits {
    /// updateClientOutputBufferLimit: `<class> <hard> <soft> <soft_seconds>` groups; all or nothing, and
    /// classes not named keep their limits.
    fn update(&mut self, args: &[Vec<u8>]) -> Result<(), String> {
        if !args.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut next = *self;
        for group in args.chunks(4) {
            let slot = match group[0].to_ascii_lowercase().as_slice() {
                b"normal" => &mut next.normal,
                b"slave" | b"replica" => &mut next.replica,
                b"pubsub" => &mut next.pubsub,
                _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
            };
            // soft_seconds lands in a C int, so it is truncated before the sign check.
            let seconds = strtol_whole(&group[3], 10).map(|(v, _)| v as i32);
            match (memtoull(&group[1]), memtoull(&group[2]), seconds) {
                (Some(hard), Some(soft), Some(secs)) if secs >= 0 => {
                    *slot = ObufLimit { hard, soft, soft_seconds: secs as u64 };
                }
                _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
            }
        }
        *self = next;
        Ok(())
    }

    fn format(&self) -> String {
        let show = |name: &str, l: &ObufLimit| format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds);
        [show("normal", &self.normal), show("slave", &self.replica), show("pubsub", &self.pubsub)].join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::test_helpers::*;

    #[test]
    fn special_directives() {
        let cfg = load("save 900 1\nsave 300 10").unwrap();
        assert_eq!(get1(&cfg, "save"), "900 1 300 10");
        assert_eq!(get1(&load("save 900 1\nsave \"\"").unwrap(), "save"), "");
        assert_eq!(get1(&load("save 900 1\nsave \"\"\nsave 300 10").unwrap(), "save"), "300 10");
        assert_eq!(get1(&load("save 900 1\nsave").unwrap(), "save"), "900 1");
        assert_eq!(get1(&load("save").unwrap(), "save"), "");
        assert_eq!(get1(&load("save +10 \" 5\"\nsave 20 \"\"").unwrap(), "save"), "10 5 20 0");
        let cfg =
            load("client-output-buffer-limit normal 1 2 3\nclient-output-buffer-limit pubsub 4k 5kb 6 replica 7 8 9")
                .unwrap();
        assert_eq!(get1(&cfg, "client-output-buffer-limit"), "normal 1 2 3 slave 7 8 9 pubsub 4000 5120 6");
        assert_eq!(cfg.client_output_buffer_limit.pubsub, ObufLimit { hard: 4000, soft: 5120, soft_seconds: 6 });
        let cfg = load("bind 1.2.3.4\nbind 127.0.0.1").unwrap();
        assert_eq!(get1(&cfg, "bind"), "127.0.0.1");
        let cfg = load("bind \"\"").unwrap();
        assert!(cfg.bind.is_empty() && cfg.bind_none);
        assert_eq!(get1(&cfg, "bind"), "");
        assert!(load_err(&format!("bind {}", "a ".repeat(17))).ends_with("Too many bind addresses specified."));
        let cfg = load(
            "slaveof 10.0.0.1 \"\"\nnotify-keyspace-events Elg\nlatency-tracking-info-percentiles 1e1 .5 99.99999999",
        )
        .unwrap();
        assert_eq!(
            cfg.get(&[b"replicaof", b"slaveof"]),
            pairs(&[("replicaof", "10.0.0.1 0"), ("slaveof", "10.0.0.1 0")])
        );
        assert_eq!(get1(&cfg, "notify-keyspace-events"), "glE");
        assert_eq!(get1(&cfg, "latency-tracking-info-percentiles"), "10 0.5 100");
        assert_eq!(get1(&load("latency-tracking-info-percentiles").unwrap(), "latency-tracking-info-percentiles"), "");
        let cfg = load("latency-tracking-info-percentiles 0x10 1e-310").unwrap();
        assert_eq!(get1(&cfg, "latency-tracking-info-percentiles"), "16 0", "strtod's hex floats and subnormals");
        assert!(load_err("latency-tracking-info-percentiles 1e-400")
            .ends_with("Invalid latency-tracking-info-percentiles parameters"));
        assert_eq!(get1(&load("replicaof no one").unwrap(), "replicaof"), "");
        for (events, shown) in [("KEA", "AKE"), ("AnK", "AK"), ("g$lshzxetdK", "AK"), ("nmd", "dnm"), ("", "")] {
            assert_eq!(canonical_keyspace_events(events.as_bytes()).unwrap().0, shown, "{events}");
        }
    }

    #[test]
    fn trimmed_doubles() {
        assert_eq!(trim_double("99.900000"), "99.9");
        assert_eq!(trim_double("100.000000"), "100");
    }
}
