//! The command table: every family's rows, indexed by lowercase name once at startup.

use super::CommandSpec;
use crate::cmd;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Every family's rows. Adding a family = adding its COMMANDS here.
pub const FAMILIES: &[&[CommandSpec]] = &[
    cmd::connection::COMMANDS,
    cmd::string::COMMANDS,
    cmd::keyspace::COMMANDS,
    cmd::hash::COMMANDS,
    cmd::set::COMMANDS,
    cmd::sorted_set::COMMANDS,
    cmd::transactions::COMMANDS,
    cmd::pubsub::COMMANDS,
    cmd::server::COMMANDS,
    cmd::introspection::COMMANDS,
    cmd::memory::COMMANDS,
    cmd::scripting::COMMANDS,
    cmd::diagnostics::COMMANDS,
];

type Index = HashMap<&'static [u8], &'static CommandSpec, foldhash::fast::RandomState>;

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| FAMILIES.iter().flat_map(|f| f.iter()).map(|c| (c.name.as_bytes(), c)).collect())
}

/// Every top-level command.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// Finds a top-level command by name, case-insensitively, without allocating.
pub fn find(name: &[u8]) -> Option<&'static CommandSpec> {
    with_lowercase(name, |lower| index().get(lower).copied())
}

/// Calls `f` with `name` in lowercase: on the stack for command-sized names, allocated only for long ones.
fn with_lowercase<T>(name: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
    let mut buf = [0u8; 64];
    if name.len() > buf.len() {
        return f(&name.to_ascii_lowercase());
    }
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    f(lower)
}

/// The names one server answers to: the table's, unless the config file's `rename-command` lines changed them
/// (read at startup only, as Redis does). Cheap to clone; without renames a lookup is the table's own.
#[derive(Clone, Debug, Default)]
pub struct Names {
    renamed: Option<std::sync::Arc<Renamed>>,
}

/// Redis's `server.commands` after renames: every reachable name, and the commands still reachable in table
/// order (COMMAND, COMMAND COUNT/LIST).
#[derive(Debug)]
struct Renamed {
    by_name: HashMap<Vec<u8>, &'static CommandSpec, foldhash::fast::RandomState>,
    reachable: Vec<&'static CommandSpec>,
}

impl Names {
    /// The command `name` (any case) runs, if any.
    pub fn find(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        match &self.renamed {
            None => find(name),
            Some(r) => with_lowercase(name, |lower| r.by_name.get(lower).copied()),
        }
    }

    /// Every top-level command a client can reach, in table order, each once (under whatever name).
    pub fn all(&self) -> Box<dyn Iterator<Item = &'static CommandSpec> + '_> {
        match &self.renamed {
            None => Box::new(all()),
            Some(r) => Box::new(r.reachable.iter().copied()),
        }
    }

    /// Were any commands renamed or removed?
    pub fn renamed(&self) -> bool {
        self.renamed.is_some()
    }

    /// These names plus every original name not taken by a rename: for replaying an AOF, whose commands were
    /// recorded either as clients sent them (renamed) or by the server under their own names (SELECT, MULTI,
    /// SET ... PXAT, DEL of an expired key).
    pub fn or_originals(&self) -> Names {
        let Some(r) = &self.renamed else { return Names::default() };
        let mut by_name = r.by_name.clone();
        for (name, cmd) in index() {
            by_name.entry(name.to_vec()).or_insert(*cmd);
        }
        let renamed = Renamed { by_name, reachable: r.reachable.clone() };
        Names { renamed: Some(std::sync::Arc::new(renamed)) }
    }

    /// `rename-command from to` as Redis's config loader applies it: `from` must be reachable now (a command
    /// already renamed answers to its new name), an empty `to` removes the command, and `to` must be free.
    /// The errors are Redis's texts for the config file banner.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), &'static str> {
        let mut by_name = match &self.renamed {
            Some(r) => r.by_name.clone(),
            None => index().iter().map(|(name, cmd)| (name.to_vec(), *cmd)).collect(),
        };
        let cmd = by_name.remove(&from.to_ascii_lowercase()).ok_or("No such command in rename-command")?;
        if !to.is_empty() && by_name.insert(to.to_ascii_lowercase(), cmd).is_some() {
            return Err("Target command name already exists");
        }
        // By name: rows are consts, so the same row may sit at several addresses.
        let reachable = all().filter(|c| by_name.values().any(|r| r.name == c.name)).collect();
        self.renamed = Some(std::sync::Arc::new(Renamed { by_name, reachable }));
        Ok(())
    }
}

/// The name Redis uses in errors and CLIENT LIST: `get`, or `client|list` for a subcommand.
pub fn full_name(cmd: &'static CommandSpec) -> &'static str {
    cmd.name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lowercase_and_subcommands_are_qualified() {
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert_eq!(c.name, c.name.to_ascii_lowercase());
            assert!(seen.insert(c.name), "duplicate {}", c.name);
            assert!(c.handler.is_some() || !c.subcommands.is_empty(), "{}", c.name);
            for s in c.subcommands {
                assert!(s.name.starts_with(&format!("{}|", c.name)), "{}", s.name);
            }
        }
    }

    #[test]
    fn renames_follow_redis_rules() {
        let mut names = Names::default();
        assert!(!names.renamed());
        let count = all().count();
        names.rename(b"FLUSHALL", b"").unwrap();
        names.rename(b"config", b"MyConfig").unwrap();
        assert!(names.find(b"flushall").is_none());
        assert!(names.find(b"config").is_none());
        assert_eq!(names.find(b"MYCONFIG").map(|c| c.name), Some("config"));
        assert_eq!(names.find(b"GET").map(|c| c.name), Some("get"));
        assert_eq!(names.all().count(), count - 1);
        // A renamed command answers only to its new name; targets must be free.
        assert_eq!(names.rename(b"config", b"x"), Err("No such command in rename-command"));
        assert_eq!(names.rename(b"get", b"set"), Err("Target command name already exists"));
        assert_eq!(names.rename(b"nosuch", b""), Err("No such command in rename-command"));
        names.rename(b"myconfig", b"config").unwrap();
        assert_eq!(names.find(b"config").map(|c| c.name), Some("config"));
        // Long names (a common way to hide a command) are found too.
        let long = "c".repeat(100);
        names.rename(b"config", long.as_bytes()).unwrap();
        assert_eq!(names.find(long.to_uppercase().as_bytes()).map(|c| c.name), Some("config"));
        assert!(find(long.as_bytes()).is_none());
        // Replaying an AOF: the new names and the originals not taken.
        let both = names.or_originals();
        assert_eq!(both.find(b"flushall").map(|c| c.name), Some("flushall"));
        assert_eq!(both.find(long.as_bytes()).map(|c| c.name), Some("config"));
        assert_eq!(both.find(b"config").map(|c| c.name), Some("config"));
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(find(b"GeT").map(|c| c.name), Some("get"));
        assert!(find(b"nosuchcommand").is_none());
    }
}
