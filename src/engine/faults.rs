//! Fault injection for tests (the test kit's `fail_next`): the next command of a given name fails with a chosen
//! error instead of running, to exercise a client's retry and error handling against a real server.

/// Errors armed per command name, used in the order armed.
#[derive(Debug, Default)]
pub struct Faults {
    /// (command name in lower case, `client|list` for a subcommand; the error text, code included).
    armed: Vec<(String, String)>,
}

impl Faults {
    /// The next command named `command` (any case; `CLIENT LIST` or `client|list` for one subcommand,
    /// `client` for all of them) answers `-<error>` without running.
    pub fn fail_next(&mut self, command: &str, error: &str) {
        let name = command.trim().to_ascii_lowercase().replace(' ', "|");
        // One line: a reply error cannot hold a line break.
        let error = error.replace(['\r', '\n'], " ");
        self.armed.push((name, error));
    }

    pub fn is_empty(&self) -> bool {
        self.armed.is_empty()
    }

    /// The error armed for a command about to run (its name and its container's, `client|list` and `client`),
    /// disarmed as it is taken.
    pub fn take(&mut self, full_name: &str) -> Option<String> {
        let container = full_name.split('|').next().unwrap_or(full_name);
        let at = self.armed.iter().position(|(name, _)| name == full_name || name == container)?;
        Some(self.armed.remove(at).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armed_errors_are_taken_once_in_order_by_name_or_container() {
        let mut faults = Faults::default();
        faults.fail_next("GET", "ERR first");
        faults.fail_next("get", "ERR second");
        faults.fail_next("Client List", "ERR listing");
        faults.fail_next("config", "ERR any config");
        assert_eq!(faults.take("set"), None);
        assert_eq!(faults.take("get").as_deref(), Some("ERR first"));
        assert_eq!(faults.take("client|info"), None);
        assert_eq!(faults.take("client|list").as_deref(), Some("ERR listing"));
        assert_eq!(faults.take("config|get").as_deref(), Some("ERR any config"));
        assert_eq!(faults.take("get").as_deref(), Some("ERR second"));
        assert!(faults.is_empty());
    }
}
