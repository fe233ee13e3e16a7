//! CONFIG GET (glob patterns over names and aliases, hidden directives by exact name only) and CONFIG SET
//! (several pairs, all or nothing, immutable and protected directives refused), and setting one directive from
//! parsed arguments, which redis.conf reading shares.

use super::rows::{lookup, Directive, DIRECTIVES, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED};
use super::special::Origin;
use super::value::{parse_value, Kind};
use super::Config;
use std::collections::BTreeMap;

/// Whether CONFIG SET / GET know the directive `name`.
pub fn is_directive(name: &[u8]) -> bool {
    lookup(name).is_some()
}

/// How `set_for_client`'s error for an unknown name begins (the CONFIG SET handler re-words it with the
/// name's raw bytes).
pub const UNKNOWN_OPTION: &str = "Unknown option or number of arguments for CONFIG SET - '";

impl Config {
    /// CONFIG GET: every (name, value) whose name matches any of the glob patterns, each name once, in table
    /// order (a directive, then its alias). A pattern without `*?[` is an exact, case-insensitive name (and
    /// may name a hidden directive); like Redis, the reply then spells the name as the client did, unless an
    /// earlier pattern already matched it.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        // (directive index, 0 = name / 1 = alias) -> the spelling shown.
        let mut hits: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for pattern in patterns {
            let is_glob = pattern.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
            for (i, d) in DIRECTIVES.iter().enumerate() {
                for (k, name) in d.names().enumerate() {
                    let hit = if is_glob {
                        !d.has(HIDDEN) && crate::glob::matches_nocase(pattern, name.as_bytes())
                    } else {
                        pattern.eq_ignore_ascii_case(name.as_bytes())
                    };
                    if hit {
                        let shown =
                            if is_glob { name.to_string() } else { String::from_utf8_lossy(pattern).into_owned() };
                        hits.entry((i, k)).or_insert(shown);
                    }
                }
            }
        }
        hits.into_iter().map(|((i, _), shown)| (shown, self.get_directive(&DIRECTIVES[i]))).collect()
    }

    /// One directive's CONFIG GET value, by name or alias (case-insensitive).
    pub fn value(&self, name: &str) -> Option<String> {
        lookup(name.as_bytes()).map(|(d, _)| self.get_directive(d))
    }

    /// CONFIG SET name value [name value ...] (7.0 allows several, all-or-nothing). Err carries the full
    /// error text WITHOUT the leading "ERR ". Protected configs (`dir`, `dbfilename`) are refused unless
    /// `enable-protected-configs yes`; see `set_for_client` for `local`.
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<(), String> {
        self.set_for_client(pairs, false)
    }

    /// CONFIG SET for a client known to be local or not (`enable-protected-configs local` lets local
    /// clients set protected configs).
    pub fn set_for_client(&mut self, pairs: &[(&[u8], &[u8])], local_client: bool) -> Result<(), String> {
        let failed =
            |name: &str, why: &str| format!("CONFIG SET failed (possibly related to argument '{name}') - {why}");
        // First every name, its mutability and duplicates, before any value: the first problem wins.
        let mut targets: Vec<(&'static Directive, &'static str)> = Vec::new();
        for (name, _) in pairs {
            // As Redis's %s shows it: up to a NUL byte.
            let shown = String::from_utf8_lossy(name.split(|&b| b == 0).next().unwrap_or_default());
            let Some((d, matched)) = lookup(name) else {
                return Err(format!("{UNKNOWN_OPTION}{shown}'"));
            };
            if d.has(IMMUTABLE) {
                return Err(failed(&shown, "can't set immutable config"));
            }
            if d.has(PROTECTED) && !self.protected_configs_allowed(local_client) {
                return Err(failed(&shown, "can't set protected config"));
            }
            // Redis registers an alias as a config of its own, so `slaveof` next to `replicaof` is no duplicate.
            if targets.iter().any(|(t, n)| std::ptr::eq(*t, d) && *n == matched) {
                return Err(failed(&shown, "duplicate parameter"));
            }
            targets.push((d, matched));
        }
        // Then the values, on a copy kept only if all of them are valid.
        let mut next = self.clone();
        for (&(d, matched), &(_, value)) in targets.iter().zip(pairs) {
            next.set_directive(d, &d.set_args(value), Origin::ConfigSet).map_err(|why| failed(matched, &why))?;
            if let Some(apply) = d.on_set {
                apply(&mut next);
            }
        }
        *self = next;
        Ok(())
    }

    fn protected_configs_allowed(&self, local_client: bool) -> bool {
        match self.value_of("enable-protected-configs").as_str() {
            "yes" => true,
            "local" => local_client,
            _ => false,
        }
    }

    /// A directive's CONFIG GET value by canonical name ("" for an unknown name).
    pub(super) fn value_of(&self, name: &str) -> String {
        self.value(name).unwrap_or_default()
    }

    pub(super) fn get_directive(&self, d: &Directive) -> String {
        if let Kind::Special(s) = d.kind {
            return self.get_special(s, d);
        }
        match d.field {
            Some(field) => (field.get)(self).format(&d.kind),
            None => self.stored_or_default(d),
        }
    }

    pub(super) fn stored_or_default(&self, d: &Directive) -> String {
        self.stored.get(d.name).cloned().unwrap_or_else(|| d.default.to_string())
    }

    /// Validates and applies one directive's arguments.
    pub(super) fn set_directive(
        &mut self,
        d: &'static Directive,
        args: &[Vec<u8>],
        origin: Origin,
    ) -> Result<(), String> {
        if let Kind::Special(s) = d.kind {
            return self.set_special(s, d, args, origin);
        }
        let value = parse_value(d.kind, d.has(MULTI_ARG), args)?;
        if let Some(check) = d.check {
            check(&value, self)?;
        }
        match d.field {
            Some(field) => (field.set)(self, &value),
            None => {
                self.stored.insert(d.name, value.format(&d.kind));
            }
        }
        Ok(())
    }

    /// Puts a directive back to its row's default.
    pub(super) fn reset(&mut self, d: &'static Directive) {
        match d.kind {
            Kind::Special(s) => self.reset_special(s, d),
            _ if d.field.is_none() => {
                self.stored.remove(d.name);
            }
            // The table's defaults are valid (a unit test checks each one).
            _ => {
                let _ = self.set_directive(d, &d.set_args(d.default.as_bytes()), Origin::ConfigSet);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::rows::DEFAULT_OBUF_LIMITS;
    use crate::config::test_helpers::*;
    use crate::config::MaxmemoryPolicy;
    use std::fs;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn config_get_globbing() {
        let cfg = Config::default();
        let names: Vec<String> = cfg.get(&[b"MAXMEM*"]).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            vec![
                "maxmemory",
                "maxmemory-policy",
                "maxmemory-samples",
                "maxmemory-eviction-tenacity",
                "maxmemory-clients"
            ]
        );
        // Each name once, however many patterns match it.
        assert_eq!(cfg.get(&[b"maxmemory", b"maxmem*", b"MAXMEMORY"]).len(), 5);
        // An exact name is echoed as written, unless an earlier pattern matched it first.
        assert_eq!(cfg.get(&[b"PoRt"]), pairs(&[("PoRt", "6379")]));
        assert_eq!(cfg.get(&[b"PORT", b"port", b"po*"]), pairs(&[("PORT", "6379")]));
        assert_eq!(cfg.get(&[b"po*", b"PORT"]), pairs(&[("port", "6379")]));
        assert_eq!(cfg.get(&[b"SLAVEOF", b"timeout"]), pairs(&[("timeout", "0"), ("SLAVEOF", "")]));
        assert_eq!(cfg.get(&[b"*slave-pri*"]), pairs(&[("slave-priority", "100")]));
        // Hidden directives answer only to their exact name.
        assert!(cfg.get(&[b"key-load*"]).is_empty());
        assert_eq!(cfg.get(&[b"key-load-DELAY"]), pairs(&[("key-load-DELAY", "0")]));
        assert!(cfg.get(&[b"nosuch"]).is_empty());
        assert!(cfg.get(&[b"["]).is_empty());
        assert_eq!(get1(&cfg, "dir"), std::env::current_dir().unwrap().to_string_lossy());
        assert_eq!(get1(&cfg, "client-output-buffer-limit"), DEFAULT_OBUF_LIMITS);
        assert_eq!(get1(&cfg, "bind"), "* -::*");
    }

    #[test]
    fn config_set_errors() {
        let mut cfg = Config::default();
        let fail = |name: &str, why: &str| format!("CONFIG SET failed (possibly related to argument '{name}') - {why}");
        assert_eq!(
            set(&mut cfg, &[("foo", "bar")]).unwrap_err(),
            "Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "abc")]).unwrap_err(),
            fail("maxmemory", "argument must be a memory value")
        );
        assert_eq!(
            set(&mut cfg, &[("MAXMEMORY", "abc")]).unwrap_err(),
            fail("maxmemory", "argument must be a memory value")
        );
        assert_eq!(
            set(&mut cfg, &[("SLAVE-PRIORITY", "abc")]).unwrap_err(),
            fail("slave-priority", "argument couldn't be parsed into an integer")
        );
        assert_eq!(
            set(&mut cfg, &[("daemonize", "yes")]).unwrap_err(),
            fail("daemonize", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("DAEMONIZE", "yes")]).unwrap_err(),
            fail("DAEMONIZE", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("enable-debug-command", "yes")]).unwrap_err(),
            fail("enable-debug-command", "can't set immutable config")
        );
        assert_eq!(set(&mut cfg, &[("dir", "/tmp")]).unwrap_err(), fail("dir", "can't set protected config"));
        assert_eq!(
            set(&mut cfg, &[("dbfilename", "x.rdb")]).unwrap_err(),
            fail("dbfilename", "can't set protected config")
        );
        assert_eq!(set(&mut cfg, &[("port", "1"), ("PORT", "2")]).unwrap_err(), fail("PORT", "duplicate parameter"));
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "1mb"), ("foo", "bar")]).unwrap_err(),
            "Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory", "abc"), ("daemonize", "yes")]).unwrap_err(),
            fail("daemonize", "can't set immutable config")
        );
        assert_eq!(
            set(&mut cfg, &[("maxmemory-policy", "foo")]).unwrap_err(),
            fail("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
        );
        assert_eq!(
            set(&mut cfg, &[("protected-mode", "1")]).unwrap_err(),
            fail("protected-mode", "argument must be 'yes' or 'no'")
        );
        assert_eq!(set(&mut cfg, &[("save", "100 10  200 20")]).unwrap_err(), fail("save", "Invalid save parameters"));
        assert_eq!(
            set(&mut cfg, &[("client-output-buffer-limit", "master 1 2 3")]).unwrap_err(),
            fail("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration.")
        );
        assert_eq!(
            set(&mut cfg, &[("notify-keyspace-events", "xyz")]).unwrap_err(),
            fail("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
        );
        assert_eq!(
            set(&mut cfg, &[("oom-score-adj-values", "1 2")]).unwrap_err(),
            fail("oom-score-adj-values", "wrong number of arguments")
        );
        assert_eq!(
            set(&mut cfg, &[("latency-tracking-info-percentiles", "50 101")]).unwrap_err(),
            fail(
                "latency-tracking-info-percentiles",
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
            )
        );
    }

    #[test]
    fn policy_helpers() {
        let mut cfg = Config::default();
        assert!(cfg.shares_integers() && !cfg.lfu_policy());
        set(&mut cfg, &[("maxmemory-policy", "allkeys-lfu")]).unwrap();
        assert!(cfg.shares_integers(), "no maxmemory: integers stay shared");
        assert!(cfg.lfu_policy());
        set(&mut cfg, &[("maxmemory", "1mb")]).unwrap();
        assert!(!cfg.shares_integers());
        set(&mut cfg, &[("maxmemory-policy", "volatile-ttl")]).unwrap();
        assert!(cfg.shares_integers() && !cfg.lfu_policy());
    }

    #[test]
    fn config_set_is_all_or_nothing() {
        let mut cfg = Config::default();
        let err = set(&mut cfg, &[("maxmemory", "100"), ("maxmemory-policy", "bad")]).unwrap_err();
        assert!(err.contains("'maxmemory-policy'"));
        assert_eq!(cfg.maxmemory, 0);
        set(
            &mut cfg,
            &[("maxmemory", "100mb"), ("maxmemory-policy", "Volatile-TTL"), ("hz", "0"), ("requirepass", "pw")],
        )
        .unwrap();
        assert_eq!(cfg.maxmemory, 100 << 20);
        assert_eq!(cfg.maxmemory_policy, MaxmemoryPolicy::VolatileTtl);
        assert_eq!(cfg.hz, 1);
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"pw"[..]));
        set(&mut cfg, &[("requirepass", "")]).unwrap();
        assert_eq!(cfg.requirepass, None);
        // An alias is a config of its own for the duplicate check; the last one wins.
        set(&mut cfg, &[("slave-priority", "1"), ("replica-priority", "2")]).unwrap();
        assert_eq!(get1(&cfg, "slave-priority"), "2");
        // Multi-argument values split on spaces; "" is none.
        set(&mut cfg, &[("save", ""), ("bind", "127.0.0.1 ::1")]).unwrap();
        assert!(cfg.save.is_empty());
        assert_eq!(cfg.bind, vec!["127.0.0.1", "::1"]);
        set(
            &mut cfg,
            &[("client-output-buffer-limit", "normal 1k 2kb 3 pubsub 0 0 0"), ("client-output-buffer-limit", "")],
        )
        .unwrap_err();
        set(&mut cfg, &[("client-output-buffer-limit", "normal 1k 2kb 3 pubsub 0 0 0")]).unwrap();
        assert_eq!(
            get1(&cfg, "client-output-buffer-limit"),
            "normal 1000 2048 3 slave 268435456 67108864 60 pubsub 0 0 0"
        );
        set(&mut cfg, &[("repl-backlog-size", "1k")]).unwrap();
        assert_eq!(get1(&cfg, "repl-backlog-size"), "16384");
        set(&mut cfg, &[("maxmemory", "18446744073709551615")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory"), "18446744073709551615");
        assert_eq!(cfg.maxmemory, u64::MAX);
    }

    #[test]
    fn protected_configs_when_enabled() {
        let tmp = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(tmp.path()).unwrap();
        let mut cfg = load("enable-protected-configs local").unwrap();
        let pairs: [(&[u8], &[u8]); 1] = [(b"dir", root.as_os_str().as_bytes())];
        assert!(cfg.set(&pairs).unwrap_err().ends_with("can't set protected config"));
        cfg.set_for_client(&pairs, true).unwrap();
        assert_eq!(cfg.dir, root);
        let mut cfg = load("enable-protected-configs yes").unwrap();
        assert_eq!(
            set(&mut cfg, &[("dir", "/nonexistent")]).unwrap_err(),
            "CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        set(&mut cfg, &[("dbfilename", "x.rdb")]).unwrap();
        assert_eq!(cfg.dbfilename, "x.rdb");
    }
}
