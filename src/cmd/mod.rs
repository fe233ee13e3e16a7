//! Command families, one module each: its COMMANDS rows and their handlers.

pub mod connection;
pub mod hash;
pub mod introspection;
pub mod keyspace;
pub mod server;
pub mod set;
pub mod sorted_set;
pub mod string;

use crate::error::CmdError;
use crate::protocol::{number, Out};
use crate::storage::RString;

/// A command's arguments, the name included at index 0.
pub type Args<'a, 'b> = &'a [&'b [u8]];

/// An integer argument (`getLongLongFromObjectOrReply`).
pub fn arg_i64(arg: &[u8]) -> Result<i64, CmdError> {
    number::parse_i64(arg).ok_or(CmdError::NotInteger)
}

/// A string value as a bulk reply, without copying it anywhere but the output buffer.
pub fn reply_string(out: &mut Out, s: &RString) {
    match s {
        RString::Int(n) => out.bulk_i64(*n),
        RString::Embstr(b) => out.bulk(b),
        RString::Raw(v) => out.bulk(v),
    }
}

/// Case-insensitive comparison of an argument with an option name.
pub fn is(arg: &[u8], name: &str) -> bool {
    arg.eq_ignore_ascii_case(name.as_bytes())
}

/// A HELP reply: Redis's header line, the command's lines, and the closing HELP entry, as status strings.
pub fn reply_help(out: &mut Out, command: &str, lines: &[&str]) {
    out.array(lines.len() + 3);
    out.simple(format!("{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:").as_bytes());
    for line in lines {
        out.simple(line.as_bytes());
    }
    out.simple(b"HELP");
    out.simple(b"    Prints this help.");
}
