//! config.c's `is_valid_fn` checks: rules on a parsed value beyond its kind (file names, hostnames, shutdown
//! flags, the process title template), run before a value is stored.

use super::value::Value;
use super::Config;
use std::os::unix::ffi::OsStrExt;

fn is_base_name(v: &Value) -> bool {
    !v.bytes().iter().any(|c| *c == b'/' || *c == b'\\')
}

pub(super) fn check_dbfilename(v: &Value, _: &Config) -> Result<(), &'static str> {
    if is_base_name(v) {
        Ok(())
    } else {
        Err("dbfilename can't be a path, just a filename")
    }
}

pub(super) fn check_appendfilename(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.bytes().is_empty() {
        Err("appendfilename can't be empty")
    } else if !is_base_name(v) {
        Err("appendfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}

pub(super) fn check_appenddirname(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.bytes().is_empty() {
        Err("appenddirname can't be empty")
    } else if !is_base_name(v) {
        Err("appenddirname can't be a path, just a dirname")
    } else {
        Ok(())
    }
}

pub(super) fn check_hostname(v: &Value, _: &Config) -> Result<(), &'static str> {
    let name = v.bytes();
    if name.len() >= 256 {
        Err("Hostnames must be less than 256 characters")
    } else if !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.') {
        Err("Hostnames may only contain alphanumeric characters, hyphens or dots")
    } else {
        Ok(())
    }
}

/// Like the redis-server this mirrors (built without Redis's patched jemalloc), we cannot defragment.
pub(super) fn check_activedefrag(v: &Value, _: &Config) -> Result<(), &'static str> {
    if v.flag() {
        Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified \
             Jemalloc like the one shipped by default with the Redis source distribution")
    } else {
        Ok(())
    }
}

pub(super) fn check_shutdown_flags(v: &Value, _: &Config) -> Result<(), &'static str> {
    let words: Vec<&str> = v.name().split(' ').collect();
    if words.contains(&"save") && words.contains(&"nosave") {
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously")
    } else {
        Ok(())
    }
}

/// validateProcTitleTemplate: `{var}` names must be known, `{{` is a literal brace, and the expansion
/// (with an empty title) must not be blank.
pub(super) fn check_proc_title(v: &Value, cfg: &Config) -> Result<(), &'static str> {
    const INVALID: &str = "template format is invalid or contains unknown variables";
    let mut out = Vec::new();
    let mut rest = v.bytes();
    while let Some(open) = rest.iter().position(|c| *c == b'{') {
        out.extend_from_slice(&rest[..open]);
        let after = &rest[open + 1..];
        match after.first() {
            None => return Err(INVALID),
            Some(b'{') => {
                out.push(b'{');
                rest = &after[1..];
                continue;
            }
            Some(_) => {}
        }
        let close = after.iter().position(|c| *c == b'}').ok_or(INVALID)?;
        out.extend(cfg.proc_title_variable(&after[..close]).ok_or(INVALID)?);
        rest = &after[close + 1..];
    }
    out.extend_from_slice(rest);
    if out.iter().all(|c| *c == b' ') {
        Err(INVALID)
    } else {
        Ok(())
    }
}

impl Config {
    /// redisProcTitleGetVariable, for validation only (so the title itself is empty).
    fn proc_title_variable(&self, name: &[u8]) -> Option<Vec<u8>> {
        let unixsocket = self.unixsocket.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default();
        Some(match name {
            b"title" => Vec::new(),
            // "<bind>:<port>" or "unixsocket:<path>": never empty.
            b"listen-addr" => b"listen-addr".to_vec(),
            b"server-mode" if self.value_of("cluster-enabled") == "yes" => b"[cluster]".to_vec(),
            b"server-mode" => Vec::new(),
            b"config-file" => self.config_file.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default(),
            b"port" => self.port.to_string().into_bytes(),
            b"tls-port" => self.value_of("tls-port").into_bytes(),
            b"unixsocket" => unixsocket,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::config::test_helpers::*;

    #[test]
    fn validators() {
        assert!(load_err("dbfilename a/b").ends_with("dbfilename can't be a path, just a filename"));
        assert!(load_err("appendfilename \"\"").ends_with("appendfilename can't be empty"));
        assert!(load_err("appenddirname a\\\\b").ends_with("appenddirname can't be a path, just a dirname"));
        assert!(load_err("cluster-announce-hostname a_b")
            .ends_with("Hostnames may only contain alphanumeric characters, hyphens or dots"));
        assert!(load_err("activedefrag yes").contains("Active defragmentation cannot be enabled"));
        assert!(load_err("proc-title-template \"{unixsocket}\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load_err("proc-title-template \"{foo}\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load_err("proc-title-template \"{title\"")
            .ends_with("template format is invalid or contains unknown variables"));
        assert!(load("proc-title-template \"{{ {port}\"").is_ok());
        assert!(load_err("shutdown-on-sigint save nosave")
            .ends_with("shutdown options SAVE and NOSAVE can't be used simultaneously"));
        let cfg = load("shutdown-on-sigint now save force\nshutdown-on-sigterm default save\noom-score-adj relative")
            .unwrap();
        assert_eq!(get1(&cfg, "shutdown-on-sigint"), "save now force");
        assert_eq!(get1(&cfg, "shutdown-on-sigterm"), "save");
        assert_eq!(get1(&cfg, "oom-score-adj"), "yes");
    }
}
