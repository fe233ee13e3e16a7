//! The command index of one server: every family's rows (`cmd::FAMILIES`, handed over at startup) by lowercase
//! name, after the config's `rename-command` lines.

use super::CommandSpec;
use std::collections::HashMap;
use std::sync::Arc;

type ByName = HashMap<Box<[u8]>, &'static CommandSpec, foldhash::fast::RandomState>;

/// The names one server answers to: the table's, unless the config file's `rename-command` lines changed them
/// (read at startup only, as Redis does). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Names {
    index: Arc<Index>,
}

/// Redis's `server.commands` after renames (every reachable name, and the commands still reachable in table
/// order: COMMAND, COMMAND COUNT/LIST), and `server.orig_commands`.
#[derive(Debug)]
struct Index {
    families: &'static [&'static [CommandSpec]],
    by_name: ByName,
    reachable: Vec<&'static CommandSpec>,
    original: ByName,
    renamed: bool,
}

impl Names {
    /// Every row of `families` under its own name.
    pub fn new(families: &'static [&'static [CommandSpec]]) -> Names {
        let original: ByName = families.iter().flat_map(|f| f.iter()).map(|c| (c.name.as_bytes().into(), c)).collect();
        let reachable = families.iter().flat_map(|f| f.iter()).collect();
        let index = Index { families, by_name: original.clone(), reachable, original, renamed: false };
        Names { index: Arc::new(index) }
    }

    /// These names after the config's `rename-command` lines, in order; the first refused one and Redis's reason.
    pub fn with_renames(
        mut self,
        renames: &[crate::config::RenameCommand],
    ) -> Result<Names, (&crate::config::RenameCommand, &'static str)> {
        for r in renames {
            self.rename(r.from.as_bytes(), r.to.as_bytes()).map_err(|reason| (r, reason))?;
        }
        Ok(self)
    }

    /// The command `name` (any case) runs, if any.
    pub fn find(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        with_lowercase(name, |lower| self.index.by_name.get(lower).copied())
    }

    /// The command a row is called by in the table, whatever it was renamed to (DEBUG, the test kit).
    pub fn original(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        with_lowercase(name, |lower| self.index.original.get(lower).copied())
    }

    /// Every top-level command a client can reach, in table order, each once (under whatever name).
    pub fn all(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.index.reachable.iter().copied()
    }

    /// Every top-level command of the table, reachable or not.
    pub fn every_row(&self) -> impl Iterator<Item = &'static CommandSpec> {
        self.index.families.iter().flat_map(|f| f.iter())
    }

    /// Were any commands renamed or removed?
    pub fn renamed(&self) -> bool {
        self.index.renamed
    }

    /// These names plus every original name not taken by a rename: for replaying an AOF, whose commands were
    /// recorded either as clients sent them (renamed) or by the server under their own names (SELECT, MULTI,
    /// SET ... PXAT, DEL of an expired key).
    pub fn or_originals(&self) -> Names {
        if !self.index.renamed {
            return self.clone();
        }
        let mut by_name = self.index.by_name.clone();
        for (name, cmd) in &self.index.original {
            by_name.entry(name.clone()).or_insert(*cmd);
        }
        let index = Index {
            by_name,
            original: self.index.original.clone(),
            reachable: self.index.reachable.clone(),
            ..*self.index
        };
        Names { index: Arc::new(index) }
    }

    /// `rename-command from to` as Redis's config loader applies it: `from` must be reachable now (a command
    /// already renamed answers to its new name), an empty `to` removes the command, and `to` must be free.
    /// The errors are Redis's texts for the config file banner.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), &'static str> {
        let mut by_name = self.index.by_name.clone();
        let cmd = by_name.remove(&*from.to_ascii_lowercase()).ok_or("No such command in rename-command")?;
        if !to.is_empty() && by_name.insert(to.to_ascii_lowercase().into(), cmd).is_some() {
            return Err("Target command name already exists");
        }
        // By name: rows are consts, so the same row may sit at several addresses.
        let reachable = self.every_row().filter(|c| by_name.values().any(|r| r.name == c.name)).collect();
        let index = Index {
            families: self.index.families,
            by_name,
            reachable,
            original: self.index.original.clone(),
            renamed: true,
        };
        self.index = Arc::new(index);
        Ok(())
    }
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

/// The name Redis uses in errors and CLIENT LIST: `get`, or `client|list` for a subcommand.
pub fn full_name(cmd: &'static CommandSpec) -> &'static str {
    cmd.name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(crate::cmd::FAMILIES)
    }

    #[test]
    fn names_are_unique_lowercase_and_subcommands_are_qualified() {
        let mut seen = std::collections::HashSet::new();
        for c in names().all() {
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
        let mut names = names();
        assert!(!names.renamed());
        let count = names.all().count();
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
        assert!(super::tests::names().find(long.as_bytes()).is_none());
        // Replaying an AOF: the new names and the originals not taken.
        let both = names.or_originals();
        assert_eq!(both.find(b"flushall").map(|c| c.name), Some("flushall"));
        assert_eq!(both.find(long.as_bytes()).map(|c| c.name), Some("config"));
        assert_eq!(both.find(b"config").map(|c| c.name), Some("config"));
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(names().find(b"GeT").map(|c| c.name), Some("get"));
        assert!(names().find(b"nosuchcommand").is_none());
    }
}
