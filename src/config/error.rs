//! The fatal errors of reading a configuration, worded and shown as redis-server does: its banner on stderr, or
//! a line in its log.

use crate::REDIS_VERSION;
use std::fmt;
use std::io;
use std::path::Path;

/// A fatal configuration error, rendered by `Display` exactly as redis-server prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The 1-based line number and the offending line (trimmed), when the error is about one line. For
    /// command-line options this is the line redis-server synthesizes, e.g. `port "abc"`.
    pub line: Option<(usize, String)>,
    /// Redis's explanation, e.g. "argument must be a memory value".
    pub reason: String,
    /// True when redis-server reports this through its log at warning level (e.g. "Fatal error, can't open
    /// config file '/x.conf': No such file or directory") rather than with the FATAL CONFIG FILE ERROR banner
    /// on stderr. `Display` then renders just that log message.
    pub logged: bool,
}

impl ConfigError {
    /// An error about one line of a config file.
    pub fn at_line(line: usize, text: &str, reason: &str) -> ConfigError {
        ConfigError { line: Some((line, text.to_string())), reason: reason.to_string(), logged: false }
    }

    pub(super) fn fatal(reason: String) -> ConfigError {
        ConfigError { line: None, reason, logged: false }
    }

    pub(super) fn logged(reason: String) -> ConfigError {
        ConfigError { line: None, reason, logged: true }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.logged {
            return f.write_str(&self.reason);
        }
        write!(f, "\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n")?;
        if let Some((n, text)) = &self.line {
            write!(f, "Reading the configuration file, at line {n}\n>>> '{text}'\n")?;
        }
        f.write_str(&self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// strerror() text of an I/O error ("No such file or directory").
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// redis-server's logged error for a config file it cannot read.
pub(super) fn can_t_open(path: &Path, e: &io::Error) -> ConfigError {
    ConfigError::logged(format!("Fatal error, can't open config file '{}': {}", path.display(), strerror(e)))
}
