//! FIXME(issue 3): being written.

use crate::command::CommandSpec;

pub const COMMANDS: &[CommandSpec] = &[];
