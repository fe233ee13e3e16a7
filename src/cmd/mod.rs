//! Command families, one module each: its COMMANDS rows and their handlers.

pub mod client;
pub mod connection;
pub mod diagnostics;
pub mod dump;
pub mod hash;
pub mod introspection;
pub mod keyspace;
pub mod list;
pub mod memory;
pub mod persistence;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sorted_set;
pub mod string;
pub mod transactions;

/// Every family's rows, handed to the engine's index at startup (`engine::table::Names::new`). Adding a family =
/// adding its COMMANDS here.
pub const FAMILIES: &[&[crate::engine::CommandSpec]] = &[
    connection::COMMANDS,
    client::COMMANDS,
    string::COMMANDS,
    keyspace::COMMANDS,
    dump::COMMANDS,
    list::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    sorted_set::COMMANDS,
    transactions::COMMANDS,
    pubsub::COMMANDS,
    server::COMMANDS,
    persistence::COMMANDS,
    introspection::COMMANDS,
    memory::COMMANDS,
    scripting::COMMANDS,
    diagnostics::COMMANDS,
];

use crate::error::CmdError;
use crate::protocol::{number, Out};
use crate::storage::RString;

/// A command's arguments, the name included at index 0.
pub type Args<'a, 'b> = &'a [&'b [u8]];

/// An integer argument (`getLongLongFromObjectOrReply`).
/// The arguments of ZMPOP and LMPOP (`numkeys key [key ...] WHERE [COUNT count]`), checked in Redis's order
/// (numkeys, the WHERE word read by `side`, then COUNT): the side, where the keys end (they are
/// `argv[2..end]`) and the count (1 without COUNT).
pub fn mpop_args<T>(argv: Args, side: impl Fn(&[u8]) -> Result<T, CmdError>) -> Result<(T, usize, usize), CmdError> {
    let numkeys = match arg_i64(argv[1]) {
        Ok(n) if n >= 1 => n as u64,
        _ => return Err(crate::error::SET_NUMKEYS_NOT_POSITIVE),
    };
    let where_at = usize::try_from(numkeys).ok().and_then(|n| n.checked_add(2)).filter(|&at| at < argv.len());
    let Some(where_at) = where_at else { return Err(CmdError::Syntax) };
    let side = side(argv[where_at])?;
    let mut count = None;
    let mut i = where_at + 1;
    while i < argv.len() {
        if count.is_none() && is(argv[i], "count") && i + 1 < argv.len() {
            count = match arg_i64(argv[i + 1]) {
                Ok(n) if n >= 1 => Some(n as usize),
                _ => return Err(crate::error::MPOP_COUNT_NOT_POSITIVE),
            };
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok((side, where_at, count.unwrap_or(1)))
}

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

/// A SCAN-family cursor with `strtoul` rules (`parseScanCursorOrReply`): a sign may lead (`-` wraps), and the
/// empty string is cursor 0 (strtoul converts nothing and stops at the end).
pub fn parse_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    let (neg, digits) = match arg {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, arg),
    };
    // A lone sign converts nothing and stops before the end: invalid; the empty string is cursor 0.
    if !digits.iter().all(u8::is_ascii_digit) || (digits.is_empty() && !arg.is_empty()) {
        return Err(CmdError::InvalidCursor);
    }
    let v: u64 = if digits.is_empty() {
        0
    } else {
        std::str::from_utf8(digits).ok().and_then(|s| s.parse().ok()).ok_or(CmdError::InvalidCursor)?
    };
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// SCAN / HSCAN / SSCAN / ZSCAN options, as `scanGenericCommand` parses them.
pub struct ScanOptions<'a> {
    pub count: usize,
    /// None when absent or `*` (which matches everything, as Redis short-cuts it).
    pub pattern: Option<&'a [u8]>,
    /// SCAN's TYPE filter (only SCAN accepts it).
    pub type_name: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    pub fn parse(opts: &[&'a [u8]], allow_type: bool) -> Result<ScanOptions<'a>, CmdError> {
        let mut o = ScanOptions { count: 10, pattern: None, type_name: None };
        let mut i = 0;
        while i < opts.len() {
            let value = opts.get(i + 1).copied();
            match value {
                Some(v) if is(opts[i], "count") => {
                    let n = arg_i64(v)?;
                    if n < 1 {
                        return Err(CmdError::Syntax);
                    }
                    o.count = n.min(1 << 30) as usize;
                }
                Some(v) if is(opts[i], "match") => o.pattern = Some(v).filter(|p| *p != b"*"),
                Some(v) if allow_type && is(opts[i], "type") => o.type_name = Some(v),
                _ => return Err(CmdError::Syntax),
            }
            i += 2;
        }
        Ok(o)
    }

    /// Does an element pass the MATCH filter?
    pub fn matches(&self, element: &[u8]) -> bool {
        self.pattern.is_none_or(|p| crate::glob::matches(p, element))
    }
}

/// A SCAN-family reply's header: the next cursor, then an array of `n` elements the caller writes.
pub fn reply_scan_header(out: &mut Out, cursor: u64, n: usize) {
    out.array(2);
    out.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    out.array(n);
}

/// HRANDFIELD / SRANDMEMBER / ZRANDMEMBER with a negative count (or 1): `n` independent draws, streamed one at a
/// time so that a huge count allocates nothing up front, the reply bounded by `ReplyGuard`. `header` writes the
/// reply's header for `n` elements, `draw` one element.
pub fn reply_draws(
    config: &crate::config::Config,
    out: &mut Out,
    client: &mut crate::engine::client::Client,
    n: u64,
    header: impl FnOnce(&mut Out, usize),
    mut draw: impl FnMut(&mut Out),
) {
    let guard = ReplyGuard::new(config, out);
    if guard.never_fits(n, client) {
        return;
    }
    header(out, n as usize);
    for _ in 0..n {
        draw(out);
        if guard.exceeded(out, client) {
            return;
        }
    }
}

/// Bounds replies whose size the client picks (HRANDFIELD / SRANDMEMBER / ZRANDMEMBER with a huge negative
/// count). Past the normal client class's hard output limit, or 1 GiB when it has none, the partial reply is
/// dropped and the client closed, as Redis's CLIENT_CLOSE_ASAP does, instead of growing until memory runs out.
pub struct ReplyGuard {
    start: usize,
    limit: u64,
}

impl ReplyGuard {
    const UNLIMITED_REPLY_BYTES: u64 = 1 << 30;

    pub fn new(config: &crate::config::Config, out: &Out) -> ReplyGuard {
        let hard = config.client_output_buffer_limit.normal.hard;
        ReplyGuard { start: out.buf.len(), limit: if hard == 0 { Self::UNLIMITED_REPLY_BYTES } else { hard } }
    }

    /// True when `elements` replies could never fit under the limit, even at their smallest (`$0\r\n\r\n`):
    /// the client is closed at once instead of after building a reply of the limit's size, which would hold
    /// every other client for seconds (redis-server 7.0.15 builds it whole and stalls for as long as it takes).
    pub fn never_fits(&self, elements: u64, client: &mut crate::engine::client::Client) -> bool {
        const SMALLEST_ELEMENT: u64 = 6;
        if elements.saturating_mul(SMALLEST_ELEMENT) < self.limit {
            return false;
        }
        client.close_after_reply = true;
        true
    }

    /// True once the reply outgrew the limit: it is then dropped and the client marked to close.
    pub fn exceeded(&self, out: &mut Out, client: &mut crate::engine::client::Client) -> bool {
        if ((out.buf.len() - self.start) as u64) < self.limit {
            return false;
        }
        out.buf.truncate(self.start);
        client.close_after_reply = true;
        true
    }
}
