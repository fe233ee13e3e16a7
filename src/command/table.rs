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
    let mut buf = [0u8; 32];
    if name.len() > buf.len() {
        return None;
    }
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    index().get(&*lower).copied()
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
    fn lookup_is_case_insensitive() {
        assert_eq!(find(b"GeT").map(|c| c.name), Some("get"));
        assert!(find(b"nosuchcommand").is_none());
    }
}
