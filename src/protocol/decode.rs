//! Request decoding: RESP multibulk and inline commands, as redis-server's networking.c reads them.
//!
//! Hand-written rather than delegated to redis-protocol because requests need Redis's exact limits and error
//! texts *before* anything is allocated: a header claiming `*2147483647` or `$536870913` reserves nothing; the
//! buffer grows only as bytes arrive. Arguments are ranges into the read buffer (zero copy); inline arguments,
//! which need unquoting, live in a small side arena. Parsing is resumable, so a large command that arrives in
//! many reads is scanned once.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use super::number::parse_i64;
use crate::error::ProtocolError;

/// Redis's PROTO_INLINE_MAX_SIZE: the longest inline request and the longest `*`/`$` header line.
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// Per-client protocol limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted `$` length (`proto-max-bulk-len`).
    pub max_bulk: i64,
    /// Before authentication Redis 7.0.15 accepts at most 10 arguments of at most 16 KB each.
    pub unauthenticated: bool,
}

/// Redis 7.0.15's limits for clients that have not authenticated yet.
const UNAUTH_MAX_MULTIBULK: i64 = 10;
const UNAUTH_MAX_BULK: i64 = 16384;

/// The outcome of one `RequestParser::parse` call.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// A complete command is ready: read it with `argv`.
    Command,
    /// More bytes are needed.
    Incomplete,
    /// Malformed input: reply with it and close the connection.
    Error(ProtocolError),
}

#[derive(Clone, Copy, Debug)]
struct Arg {
    start: usize,
    end: usize,
    inline: bool,
}

#[derive(Default)]
pub struct RequestParser {
    /// Where parsing resumes in the buffer.
    pos: usize,
    /// Start of the command being parsed (everything before it is complete and may be consumed).
    command_start: usize,
    /// Bulks still expected by the multibulk being parsed; 0 = between commands.
    remaining: usize,
    /// Length of the bulk whose header was read, waiting for its payload.
    bulk_len: Option<usize>,
    args: Vec<Arg>,
    /// Unquoted inline arguments.
    inline: Vec<u8>,
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the next command from `buf[pos..]`. Empty commands (`*0`, blank inline lines) are skipped.
    pub fn parse(&mut self, buf: &[u8], limits: &Limits) -> Next {
        loop {
            if self.remaining == 0 {
                if self.pos >= buf.len() {
                    return Next::Incomplete;
                }
                self.command_start = self.pos;
                self.args.clear();
                self.inline.clear();
                let step =
                    if buf[self.pos] == b'*' { self.multibulk_header(buf, limits) } else { self.inline_command(buf) };
                match step {
                    Step::Done if self.args.is_empty() && self.remaining == 0 => continue,
                    Step::Done => {}
                    Step::Incomplete => return Next::Incomplete,
                    Step::Error(e) => return Next::Error(e),
                }
                if self.remaining == 0 {
                    return Next::Command;
                }
            }
            return match self.bulks(buf, limits) {
                Step::Done => Next::Command,
                Step::Incomplete => Next::Incomplete,
                Step::Error(e) => Next::Error(e),
            };
        }
    }

    /// How many arguments the command `parse` just returned has.
    pub fn argc(&self) -> usize {
        self.args.len()
    }

    /// Calls `f` with the arguments of the command `parse` just returned. Up to 8 arguments are gathered on the
    /// stack, so running a typical command allocates nothing.
    pub fn with_argv<R>(&self, buf: &[u8], f: impl FnOnce(&[&[u8]]) -> R) -> R {
        let arg = |a: &Arg| if a.inline { &self.inline[a.start..a.end] } else { &buf[a.start..a.end] };
        with_argv_of(self.args.iter().map(arg), f)
    }

    /// The arguments of the command `parse` just returned.
    pub fn argv<'a>(&'a self, buf: &'a [u8], out: &mut Vec<&'a [u8]>) {
        out.clear();
        out.extend(self.args.iter().map(
            |a| {
                if a.inline {
                    &self.inline[a.start..a.end]
                } else {
                    &buf[a.start..a.end]
                }
            },
        ));
    }

    /// Puts back the command `parse` just returned, unrun: `take_consumed` keeps it and the next `parse`
    /// returns it again (a command held back by CLIENT PAUSE).
    pub fn unread(&mut self) {
        self.pos = self.command_start;
    }

    /// Bytes at the front of the buffer that belong to complete commands. The caller drops them from the buffer;
    /// the parser's offsets are rebased to match.
    pub fn take_consumed(&mut self) -> usize {
        if self.remaining == 0 {
            // Between commands: everything parsed so far is complete.
            let done = self.pos;
            self.pos = 0;
            self.command_start = 0;
            self.args.clear();
            return done;
        }
        let done = self.command_start;
        self.pos -= done;
        self.command_start = 0;
        for a in self.args.iter_mut().filter(|a| !a.inline) {
            a.start -= done;
            a.end -= done;
        }
        done
    }

    /// Bytes of a partially received command that `parse` is waiting to complete, for query-buffer limits.
    pub fn pending_bulk(&self) -> Option<usize> {
        self.bulk_len
    }

    fn multibulk_header(&mut self, buf: &[u8], limits: &Limits) -> Step {
        let (value, next) = match header_line(buf, self.pos, ProtocolError::TooBigMbulkCount) {
            Ok(Some(line)) => line,
            Ok(None) => return Step::Incomplete,
            Err(e) => return Step::Error(e),
        };
        let count = match parse_i64(&buf[self.pos + 1..value]) {
            Some(n) if n <= i32::MAX as i64 => n,
            _ => return Step::Error(ProtocolError::InvalidMultibulkLength),
        };
        if limits.unauthenticated && count > UNAUTH_MAX_MULTIBULK {
            return Step::Error(ProtocolError::UnauthenticatedMultibulkLength);
        }
        self.pos = next;
        if count > 0 {
            self.remaining = count as usize;
            // Never reserve by the claimed count: grow as arguments arrive.
            self.args.reserve(self.remaining.min(1024));
        }
        Step::Done
    }

    fn bulks(&mut self, buf: &[u8], limits: &Limits) -> Step {
        while self.remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let (value, next) = match header_line(buf, self.pos, ProtocolError::TooBigBulkCount) {
                        Ok(Some(line)) => line,
                        Ok(None) => return Step::Incomplete,
                        Err(e) => return Step::Error(e),
                    };
                    if buf[self.pos] != b'$' {
                        return Step::Error(ProtocolError::ExpectedDollar(buf[self.pos]));
                    }
                    let len = match parse_i64(&buf[self.pos + 1..value]) {
                        Some(n) if n >= 0 && n <= limits.max_bulk => n,
                        _ => return Step::Error(ProtocolError::InvalidBulkLength),
                    };
                    if limits.unauthenticated && len > UNAUTH_MAX_BULK {
                        return Step::Error(ProtocolError::UnauthenticatedBulkLength);
                    }
                    let len = len as usize;
                    self.pos = next;
                    self.bulk_len = Some(len);
                    len
                }
            };
            // Redis skips the two bytes after the payload without checking them.
            if buf.len() - self.pos < len + 2 {
                return Step::Incomplete;
            }
            self.args.push(Arg { start: self.pos, end: self.pos + len, inline: false });
            self.pos += len + 2;
            self.bulk_len = None;
            self.remaining -= 1;
        }
        Step::Done
    }

    fn inline_command(&mut self, buf: &[u8]) -> Step {
        let rest = &buf[self.pos..];
        let Some(nl) = find_before_nul(rest, b'\n') else {
            return if rest.len() > INLINE_MAX_SIZE {
                Step::Error(ProtocolError::TooBigInlineRequest)
            } else {
                Step::Incomplete
            };
        };
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if split_args_into(line, &mut self.inline, &mut self.args).is_err() {
            return Step::Error(ProtocolError::UnbalancedQuotes);
        }
        self.pos += nl + 1;
        Step::Done
    }
}

enum Step {
    Done,
    Incomplete,
    Error(ProtocolError),
}

/// Finds the `\r` ending a `*`/`$` header line that starts at `pos`: `(index of \r, index after \r\n)`.
/// Like Redis, the byte after `\r` is not checked, and a line longer than INLINE_MAX_SIZE is an error.
fn header_line(buf: &[u8], pos: usize, too_big: ProtocolError) -> Result<Option<(usize, usize)>, ProtocolError> {
    match find_before_nul(&buf[pos..], b'\r') {
        Some(cr) if pos + cr + 2 <= buf.len() => Ok(Some((pos + cr, pos + cr + 2))),
        Some(_) => Ok(None),
        None if buf.len() - pos > INLINE_MAX_SIZE => Err(too_big),
        None => Ok(None),
    }
}

/// Redis finds line ends with `strchr`, which stops at a NUL byte: a NUL before the line end hides it, and the
/// request waits for more input (until it is too big).
fn find_before_nul(buf: &[u8], byte: u8) -> Option<usize> {
    buf.iter().position(|&b| b == byte || b == 0).filter(|&i| buf[i] == byte)
}

/// Calls `f` with the arguments `args` yields as one slice. Up to 8 are gathered on the stack, so running a
/// typical command allocates nothing.
pub fn with_argv_of<'a, R>(args: impl ExactSizeIterator<Item = &'a [u8]>, f: impl FnOnce(&[&[u8]]) -> R) -> R {
    const ON_STACK: usize = 8;
    let n = args.len();
    if n <= ON_STACK {
        let mut argv: [&[u8]; ON_STACK] = [&[]; ON_STACK];
        for (slot, a) in argv.iter_mut().zip(args) {
            *slot = a;
        }
        f(&argv[..n])
    } else {
        let argv: Vec<&[u8]> = args.collect();
        f(&argv)
    }
}

/// C's `isspace`: what `sdssplitargs` skips between words and accepts after a closing quote.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// What ends an unquoted word in `sdssplitargs`: a shorter list than `isspace` (no \v, no \f), so `a\vb` is
/// one word while a leading `\v` is skipped.
fn ends_word(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Redis's `sdssplitargs` as a list of words (config files, CONFIG SET values). None on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (mut arena, mut args) = (Vec::new(), Vec::new());
    split_args_into(line, &mut arena, &mut args).ok()?;
    Some(args.iter().map(|a| arena[a.start..a.end].to_vec()).collect())
}

/// Redis's `sdssplitargs`: whitespace-separated words, "double quotes" with \n \r \t \b \a \xHH escapes,
/// 'single quotes' with only \' escaped. A closing quote must be followed by a space or the end. A NUL byte
/// ends the line (it is a C string there).
fn split_args_into(line: &[u8], arena: &mut Vec<u8>, args: &mut Vec<Arg>) -> Result<(), ()> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut p = 0;
    loop {
        while p < line.len() && is_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Ok(());
        }
        let start = arena.len();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            let c = at(p);
            if in_dq {
                if c == b'\\' && at(p + 1) == b'x' && hex(at(p + 2)).is_some() && hex(at(p + 3)).is_some() {
                    arena.push(hex(at(p + 2)).unwrap_or(0) * 16 + hex(at(p + 3)).unwrap_or(0));
                    p += 3;
                } else if c == b'\\' && p + 1 < line.len() {
                    p += 1;
                    arena.push(match line[p] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if p + 1 < line.len() && !is_space(line[p + 1]) {
                        return Err(());
                    }
                    p += 1;
                    break;
                } else if p >= line.len() {
                    return Err(());
                } else {
                    arena.push(c);
                }
            } else if in_sq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    arena.push(b'\'');
                } else if c == b'\'' {
                    if p + 1 < line.len() && !is_space(line[p + 1]) {
                        return Err(());
                    }
                    p += 1;
                    break;
                } else if p >= line.len() {
                    return Err(());
                } else {
                    arena.push(c);
                }
            } else if p >= line.len() || ends_word(c) {
                break;
            } else if c == b'"' {
                in_dq = true;
            } else if c == b'\'' {
                in_sq = true;
            } else {
                arena.push(c);
            }
            p += 1;
        }
        args.push(Arg { start, end: arena.len(), inline: true });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_bulk: 512 << 20, unauthenticated: false };

    fn parse_all(input: &[u8]) -> (Vec<Vec<Vec<u8>>>, Next) {
        let mut p = RequestParser::new();
        let mut cmds = Vec::new();
        loop {
            match p.parse(input, &LIMITS) {
                Next::Command => {
                    let mut argv = Vec::new();
                    p.argv(input, &mut argv);
                    cmds.push(argv.iter().map(|a| a.to_vec()).collect());
                }
                other => return (cmds, other),
            }
        }
    }

    #[test]
    fn multibulk_and_pipelining() {
        let (cmds, rest) = parse_all(b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*2\r\n$3\r\nGET");
        assert_eq!(cmds, vec![vec![b"PING".to_vec()], vec![b"SET".to_vec(), b"k".to_vec(), b"".to_vec()]]);
        assert_eq!(rest, Next::Incomplete);
    }

    #[test]
    fn resumes_across_reads_and_rebases() {
        let mut p = RequestParser::new();
        let mut buf = b"*2\r\n$3\r\nGET\r\n$5\r\nhel".to_vec();
        assert_eq!(p.parse(&buf, &LIMITS), Next::Incomplete);
        let consumed = p.take_consumed();
        assert_eq!(consumed, 0);
        buf.extend_from_slice(b"lo\r\n");
        assert_eq!(p.parse(&buf, &LIMITS), Next::Command);
        let mut argv = Vec::new();
        p.argv(&buf, &mut argv);
        assert_eq!(argv, vec![&b"GET"[..], b"hello"]);
        assert_eq!(p.take_consumed(), buf.len());
    }

    #[test]
    fn an_unread_command_is_kept_and_parsed_again() {
        let buf = b"*1\r\n$4\r\nPING\r\nECHO x\r\n";
        let mut p = RequestParser::new();
        assert_eq!(p.parse(buf, &LIMITS), Next::Command);
        assert_eq!(p.parse(buf, &LIMITS), Next::Command);
        p.unread();
        assert_eq!(p.take_consumed(), 14, "only PING is consumed");
        let rest = &buf[14..];
        assert_eq!(p.parse(rest, &LIMITS), Next::Command);
        let mut argv = Vec::new();
        p.argv(rest, &mut argv);
        assert_eq!(argv, vec![&b"ECHO"[..], b"x"]);
    }

    #[test]
    fn inline_with_quotes() {
        let (cmds, _) = parse_all(b"SET \"a b\" 'c\\'d' \"\\x41\\n\"\r\nPING\n\r\n");
        assert_eq!(
            cmds,
            vec![vec![b"SET".to_vec(), b"a b".to_vec(), b"c'd".to_vec(), b"A\n".to_vec()], vec![b"PING".to_vec()]]
        );
        assert_eq!(parse_all(b"SET \"a\r\n").1, Next::Error(ProtocolError::UnbalancedQuotes));
        // \v and \f are skipped between words and allowed after a closing quote, but do not end a word.
        let (cmds, _) = parse_all(b"ECHO a\x0bb\r\nECHO \x0b\x0ca\x0c\r\nECHO \"a\"\x0bb\r\n");
        assert_eq!(
            cmds,
            vec![
                vec![b"ECHO".to_vec(), b"a\x0bb".to_vec()],
                vec![b"ECHO".to_vec(), b"a\x0c".to_vec()],
                vec![b"ECHO".to_vec(), b"a".to_vec(), b"b".to_vec()]
            ]
        );
        assert_eq!(parse_all(b"SET \"a\"b\r\n").1, Next::Error(ProtocolError::UnbalancedQuotes));
    }

    #[test]
    fn errors_and_limits() {
        assert_eq!(parse_all(b"*2147483648\r\n").1, Next::Error(ProtocolError::InvalidMultibulkLength));
        assert_eq!(parse_all(b"*x\r\n").1, Next::Error(ProtocolError::InvalidMultibulkLength));
        assert_eq!(parse_all(b"*1\r\n$536870913\r\n").1, Next::Error(ProtocolError::InvalidBulkLength));
        assert_eq!(parse_all(b"*1\r\n$-1\r\n").1, Next::Error(ProtocolError::InvalidBulkLength));
        assert_eq!(parse_all(b"*1\r\nx\r\n").1, Next::Error(ProtocolError::ExpectedDollar(b'x')));
        // A huge claimed count is accepted lazily and allocates nothing up front.
        assert_eq!(parse_all(b"*2147483647\r\n").1, Next::Incomplete);
        // Empty commands are skipped.
        assert_eq!(parse_all(b"*0\r\n*-5\r\n\r\n").1, Next::Incomplete);
        let big = vec![b'a'; INLINE_MAX_SIZE + 1];
        assert_eq!(parse_all(&big).1, Next::Error(ProtocolError::TooBigInlineRequest));
        // A NUL byte hides the line end, as strchr does in Redis.
        assert_eq!(parse_all(b"PI\x00NG\r\nPING\r\n"), (vec![], Next::Incomplete));
    }
}
