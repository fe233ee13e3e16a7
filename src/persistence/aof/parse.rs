//! Reading commands back from an append-only file, byte for byte as Redis 7.0 reads them.
//!
//! Redis has two readers with different rules, and both are here, sharing the C-library primitives they are
//! built on (`fgets`, C strings, and `protocol::number`'s `strtol`):
//! - [`next_command`] is the server's loader (aof.c `loadSingleAppendOnlyFile`): lenient (`*<argc>` and
//!   `$<len>` lines are read with `atoi`/`strtol` and trailing bytes ignored, the two bytes after a payload are
//!   discarded unchecked), and it tells a tail cut short by a crash (truncated) from damage (corrupt).
//! - [`check_file`] is redis-check-aof's reader: strict (every line must end in CRLF right after its number,
//!   `*0` is an empty command, MULTI/EXEC must pair up) and it words each problem with the offset.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use crate::protocol::number::strtol;

/// Redis reads AOF lines with `fgets` into 1024-byte buffers (AOF_ANNOTATION_LINE_MAX_LEN): at most 1023 bytes
/// per read, so a longer line is read as several.
const LINE_MAX: usize = 1023;

/// redis-check-aof reads `*` and `$` lines into 128-byte buffers.
const CHECK_LINE_MAX: usize = 127;

pub const BAD_FORMAT: &str = "Bad file format reading the append only file";
pub const READ_ERROR: &str = "Unrecoverable error reading the append only file";

/// What comes next in a file's bytes from an offset.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<'a> {
    /// A complete command and the offset just past it.
    Command(Vec<&'a [u8]>, usize),
    /// Nothing more: the file ends cleanly here.
    End,
    /// The file ends in the middle of a command that starts at this offset.
    Truncated { at: usize },
    /// The bytes at this offset are not a command; the reason as Redis words it.
    Corrupt { at: usize, reason: String },
}

/// The loader's check for an RDB-format file (a base written with `aof-use-rdb-preamble yes`).
pub fn is_rdb(buf: &[u8]) -> bool {
    buf.starts_with(b"REDIS")
}

// ---------------------------------------------------------------------------------------------------------
// The C primitives both readers are made of.

/// C's `fgets` over `buf` from `at`: the bytes through the next '\n', at most `max`; None at the end.
pub fn fgets(buf: &[u8], at: usize, max: usize) -> Option<&[u8]> {
    let rest = buf.get(at..).filter(|r| !r.is_empty())?;
    let window = &rest[..rest.len().min(max)];
    Some(match window.iter().position(|&b| b == b'\n') {
        Some(nl) => &window[..=nl],
        None => window,
    })
}

/// Whether that `fgets` hit the end of the data (C's `feof` afterwards): it stopped neither at a newline nor
/// because the buffer was full.
fn hit_eof(line: &[u8], max: usize) -> bool {
    line.last() != Some(&b'\n') && line.len() < max
}

/// What C string functions see of a buffer: the bytes before the first NUL.
pub fn c_str(s: &[u8]) -> &[u8] {
    s.iter().position(|&b| b == 0).map_or(s, |nul| &s[..nul])
}

// ---------------------------------------------------------------------------------------------------------
// The loader.

/// Reads the command starting at `at` (after any `#` annotation lines), as Redis's loader does:
/// `*<argc>` (atoi; below 1 is corrupt), then per argument `$<len>` (strtol), `len` bytes and two more bytes,
/// whatever they are. Running out of bytes anywhere is truncation; a wrong leading byte is corruption.
/// Arguments are slices of `buf`; nothing is allocated by a length read from the file.
pub fn next_command(buf: &[u8], at: usize) -> Next<'_> {
    let start = skip_annotations(buf, at);
    let Some(line) = fgets(buf, start, LINE_MAX) else { return Next::End };
    let corrupt = |reason: &str| Next::Corrupt { at: start, reason: reason.to_string() };
    if line[0] != b'*' {
        return corrupt(BAD_FORMAT);
    }
    // `*` alone: truncated at the end of the file; a NUL after it is a read error in Redis (fgets "failed"
    // without reaching the end), which fails the load like corruption.
    if line.get(1).is_none_or(|&c| c == 0) {
        return if hit_eof(line, LINE_MAX) { Next::Truncated { at } } else { corrupt(READ_ERROR) };
    }
    // atoi = (int)strtol: the low 32 bits of the saturated value.
    let argc = strtol(&line[1..]).value as i32;
    if argc < 1 {
        return corrupt(BAD_FORMAT);
    }
    let mut pos = start + line.len();
    // Every argument takes at least 4 bytes ("$\n" and the two discarded), which bounds the reservation.
    let mut args = Vec::with_capacity((argc as usize).min((buf.len() - pos) / 4 + 1));
    for _ in 0..argc {
        match next_argument(buf, pos) {
            Ok((arg, end)) => {
                args.push(arg);
                pos = end;
            }
            Err(Some(reason)) => return corrupt(reason),
            Err(None) => return Next::Truncated { at },
        }
    }
    Next::Command(args, pos)
}

/// Skips the annotation lines (`#TS:...`) at `at`.
fn skip_annotations(buf: &[u8], mut at: usize) -> usize {
    while let Some(line) = fgets(buf, at, LINE_MAX).filter(|l| l[0] == b'#') {
        at += line.len();
    }
    at
}

/// One `$<len>\r\n<bytes>\r\n` argument and the offset after it; Err(None) when the file ends first,
/// Err(Some(reason)) when it is not an argument.
fn next_argument(buf: &[u8], at: usize) -> Result<(&[u8], usize), Option<&'static str>> {
    let line = fgets(buf, at, LINE_MAX).ok_or(None)?;
    if line[0] != b'$' {
        return Err(Some(BAD_FORMAT));
    }
    // A negative length makes Redis abort on a huge allocation; here it is simply not a length.
    let len = usize::try_from(strtol(&line[1..]).value).map_err(|_| Some(BAD_FORMAT))?;
    let start = at + line.len();
    let end = start.checked_add(len).filter(|&end| end <= buf.len()).ok_or(None)?;
    // The CRLF after the payload is read and dropped unchecked, as Redis does.
    if buf.len() - end < 2 {
        return Err(None);
    }
    Ok((&buf[start..end], end + 2))
}

// ---------------------------------------------------------------------------------------------------------
// redis-check-aof's reader.

/// What redis-check-aof keeps from one file to the next while checking a manifest's files.
#[derive(Clone)]
pub struct CheckState {
    /// redis-check-aof's `line`: one per `*`/`$` line and per payload read, over all the files checked
    /// (it is never reset); printed as `ok_up_to_line`.
    pub line: i64,
    /// The stack buffer `*` lines are read into. An "Expected \r\n" error on a line cut short quotes the byte
    /// after its NUL, which is what the previous `*` line left there (the `$` buffer's leftovers are
    /// overwritten between reads, so they read as zero).
    argc_buf: [u8; CHECK_LINE_MAX + 2],
}

impl Default for CheckState {
    fn default() -> Self {
        CheckState { line: 1, argc_buf: [0; CHECK_LINE_MAX + 2] }
    }
}

/// Why redis-check-aof's scan of a file stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum CheckStop {
    /// The end of the file, or a command that could not be read (see `error`).
    End,
    /// A byte that starts neither a command nor an annotation: `"AOF <name> format error"`.
    FormatError,
    /// `--truncate-to-timestamp`: a `#TS:` annotation whose number does not end at the line's `\r`.
    InvalidTimestamp,
    /// `--truncate-to-timestamp`: the first `#TS:` later than the limit is at this offset.
    TimestampAt(usize),
}

/// redis-check-aof's verdict on one file.
#[derive(Debug, PartialEq, Eq)]
pub struct FileCheck {
    pub stop: CheckStop,
    /// `ok_up_to`: the end of the last complete command outside a transaction; --fix cuts the file here.
    pub ok_up_to: usize,
    /// The error line it prints (`"0x<offset>: <what>"`), if any.
    pub error: Option<Vec<u8>>,
}

/// Checks one file's commands as redis-check-aof does (`checkSingleAof` after the RDB preamble test).
/// `path` is how the file is named in messages that use its path (`"Unexpected MULTI in AOF <path>"`);
/// `to_timestamp` is `--truncate-to-timestamp` (0: not given).
pub fn check_file(buf: &[u8], path: &str, to_timestamp: i64, state: &mut CheckState) -> FileCheck {
    let mut r = CheckReader { buf, pos: 0, epos: 0, eof: false, error: None, state };
    let (mut multi, mut ok_up_to) = (0i32, 0);
    let stop = loop {
        if multi == 0 {
            ok_up_to = r.pos;
        }
        let Some(&first) = buf.get(r.pos) else {
            r.eof = true;
            break CheckStop::End;
        };
        match first {
            b'#' => match r.annotation(to_timestamp) {
                None => {}
                Some(stop) => return FileCheck { stop, ok_up_to, error: None },
            },
            b'*' => {
                if !r.command(path, &mut multi) {
                    break CheckStop::End;
                }
            }
            _ => break CheckStop::FormatError,
        }
    };
    if r.eof && multi != 0 && r.error.is_none() {
        r.fail(b"Reached EOF before reading EXEC for MULTI".to_vec());
    }
    FileCheck { stop, ok_up_to, error: r.error }
}

struct CheckReader<'a, 's> {
    buf: &'a [u8],
    pos: usize,
    /// redis-check-aof's `epos`: where the last read began, printed with errors.
    epos: usize,
    /// C's `feof`: a read ran into the end of the file.
    eof: bool,
    error: Option<Vec<u8>>,
    state: &'s mut CheckState,
}

impl<'a> CheckReader<'a, '_> {
    /// `ERROR(...)`: the message as a C string (a NUL printed with %c ends it) in 1024 bytes, after the offset.
    fn fail(&mut self, msg: Vec<u8>) {
        let msg = c_str(&msg);
        let mut line = format!("0x{:>16x}: ", self.epos).into_bytes();
        line.extend_from_slice(&msg[..msg.len().min(1023)]);
        line.truncate(1043);
        self.error = Some(line);
    }

    /// Reads a line, as `fgets(buf, max + 1, fp)`.
    fn read_line(&mut self, max: usize) -> Option<&'a [u8]> {
        let Some(line) = fgets(self.buf, self.pos, max) else {
            self.eof = true;
            return None;
        };
        self.pos += line.len();
        self.eof |= hit_eof(line, max);
        Some(line)
    }

    /// `processAnnotations`: None to go on (any line but a `#TS:` one with a limit given), or why
    /// `--truncate-to-timestamp` stops.
    fn annotation(&mut self, to_timestamp: i64) -> Option<CheckStop> {
        self.epos = self.pos;
        let line = self.read_line(LINE_MAX)?;
        let ts_text = line.strip_prefix(b"#TS:").filter(|_| to_timestamp != 0)?;
        let ts_text = c_str(ts_text);
        let ts = strtol(ts_text);
        if ts.overflow || ts_text.get(ts.len) != Some(&b'\r') {
            return Some(CheckStop::InvalidTimestamp);
        }
        (ts.value > to_timestamp).then_some(CheckStop::TimestampAt(self.epos))
    }

    /// `processRESP`: reads one command, tracking MULTI/EXEC nesting; false when it could not.
    fn command(&mut self, path: &str, multi: &mut i32) -> bool {
        let Some(argc) = self.read_long(b'*') else { return false };
        for i in 0..argc {
            let Some(arg) = self.read_string() else { return false };
            if i > 0 {
                continue;
            }
            let name = c_str(arg);
            if name.eq_ignore_ascii_case(b"multi") {
                *multi += 1;
                if *multi != 1 {
                    self.fail(format!("Unexpected MULTI in AOF {path}").into_bytes());
                    return false;
                }
            } else if name.eq_ignore_ascii_case(b"exec") {
                *multi -= 1;
                if *multi != 0 {
                    self.fail(format!("Unexpected EXEC in AOF {path}").into_bytes());
                    return false;
                }
            }
        }
        true
    }

    /// `readLong`: a `<prefix><number>\r\n` line, the CRLF right after the number.
    fn read_long(&mut self, prefix: u8) -> Option<i64> {
        self.epos = self.pos;
        let line = self.read_line(CHECK_LINE_MAX)?;
        // The line lands in a C buffer whose bytes past it are leftovers (see `argc_buf`).
        let mut fresh = [0u8; CHECK_LINE_MAX + 2];
        let cbuf = if prefix == b'*' { &mut self.state.argc_buf } else { &mut fresh };
        cbuf[..line.len()].copy_from_slice(line);
        cbuf[line.len()] = 0;
        let cbuf = *cbuf;
        if cbuf[0] != prefix {
            let mut msg = format!("Expected prefix '{}', got: '", prefix as char).into_bytes();
            msg.extend_from_slice(&[cbuf[0], b'\'']);
            self.fail(msg);
            return None;
        }
        let number = strtol(c_str(&cbuf[1..]));
        self.newline(&cbuf[1 + number.len..]).then_some(number.value)
    }

    /// `consumeNewline`: the two bytes must be CRLF; each line read counts.
    fn newline(&mut self, at: &[u8]) -> bool {
        let (a, b) = (at.first().copied().unwrap_or(0), at.get(1).copied().unwrap_or(0));
        if (a, b) != (b'\r', b'\n') {
            // strncmp stops at a NUL, so the second byte is not compared after one (but is printed).
            self.fail(format!("Expected \\r\\n, got: {}{}", hex_char(a), hex_char(b)).into_bytes());
            return false;
        }
        self.state.line += 1;
        true
    }

    /// `readString`: `$<len>\r\n`, then `len` bytes and CRLF.
    fn read_string(&mut self) -> Option<&'a [u8]> {
        let len = self.read_long(b'$')?;
        if !(0..=i64::MAX - 2).contains(&len) {
            self.fail(
                format!("Expected to read string of {len} bytes, which is not in the suitable range").into_bytes(),
            );
            return None;
        }
        let want = len + 2;
        self.epos = self.pos;
        let available = self.buf.len() - self.pos;
        let got = usize::try_from(want).map_or(available, |w| w.min(available));
        let bytes = &self.buf[self.pos..self.pos + got];
        self.pos += got;
        if got as i64 != want {
            self.eof = true;
            self.fail(format!("Expected to read {want} bytes, got {got} bytes").into_bytes());
            return None;
        }
        let (payload, crlf) = bytes.split_at(got - 2);
        self.newline(crlf).then_some(payload)
    }
}

/// printf("%02x") of a C `char`: signed on x86, so bytes from 0x80 print sign-extended (`ffffffc3`).
fn hex_char(c: u8) -> String {
    format!("{:02x}", c as i8 as i32 as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(buf: &[u8]) -> Next<'_> {
        next_command(buf, 0)
    }

    fn corrupt(at: usize) -> Next<'static> {
        Next::Corrupt { at, reason: BAD_FORMAT.to_string() }
    }

    #[test]
    fn fgets_reads_through_newline_or_max() {
        assert_eq!(fgets(b"ab\ncd", 0, 10), Some(&b"ab\n"[..]));
        assert_eq!(fgets(b"ab\ncd", 3, 10), Some(&b"cd"[..]));
        assert_eq!(fgets(b"abcdef", 0, 4), Some(&b"abcd"[..]));
        assert_eq!(fgets(b"ab", 2, 4), None);
        assert_eq!(fgets(b"ab", 9, 4), None);
        assert!(hit_eof(b"cd", 10));
        assert!(!hit_eof(b"abcd", 4));
        assert!(!hit_eof(b"ab\n", 10));
    }

    #[test]
    fn reads_commands_and_skips_annotations() {
        let buf = b"#TS:1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$0\r\n\r\n#x\n";
        let Next::Command(args, end) = cmd(buf) else { panic!() };
        assert_eq!(args, vec![&b"GET"[..], b"k"]);
        let Next::Command(args, end2) = next_command(buf, end) else { panic!() };
        assert_eq!(args, vec![&b""[..]]);
        assert_eq!(next_command(buf, end2), Next::End);
        assert_eq!(next_command(buf, buf.len()), Next::End);
        assert_eq!(cmd(b""), Next::End);
    }

    #[test]
    fn loader_leniency_matches_redis() {
        // The two bytes after a payload are dropped unchecked; atoi/strtol ignore what follows the number.
        assert_eq!(cmd(b"*1\r\n$4\r\nPINGXY"), Next::Command(vec![&b"PING"[..]], 14));
        assert_eq!(cmd(b"*  1 xx\r\n$ 4 yy\r\nPING\r\n"), Next::Command(vec![&b"PING"[..]], 23));
        // atoi keeps the low 32 bits: 4294967297 is 1.
        assert_eq!(cmd(b"*4294967297\r\n$4\r\nPING\r\n"), Next::Command(vec![&b"PING"[..]], 23));
        // A `$` line without a number is a zero-length argument.
        assert_eq!(cmd(b"*1\r\n$x\r\n\r\n"), Next::Command(vec![&b""[..]], 10));
    }

    #[test]
    fn running_out_of_bytes_is_truncation() {
        let first = b"*1\r\n$4\r\nPING\r\n";
        for tail in
            [&b"*"[..], b"*2", b"*2\r\n", b"*1\r\n$4", b"*1\r\n$4\r\n", b"*1\r\n$4\r\nPI", b"*1\r\n$4\r\nPING\r"]
        {
            let buf = [&first[..], tail].concat();
            assert_eq!(next_command(&buf, 14), Next::Truncated { at: 14 }, "{tail:?}");
        }
        // Annotations before the cut command belong to it: the valid part ends before them.
        assert_eq!(cmd(b"#TS:9\r\n*1\r\n$4\r\nPI"), Next::Truncated { at: 0 });
        // Lengths far beyond the file are truncation too (Redis allocates, then reads short).
        assert_eq!(cmd(b"*1\r\n$1099511627776\r\n"), Next::Truncated { at: 0 });
        assert_eq!(cmd(b"*2147483647\r\n$1\r\na\r\n"), Next::Truncated { at: 0 });
    }

    #[test]
    fn wrong_bytes_are_corruption() {
        assert_eq!(cmd(b"xyz"), corrupt(0));
        assert_eq!(cmd(b"\n"), corrupt(0));
        assert_eq!(cmd(b"*0\r\n"), corrupt(0));
        assert_eq!(cmd(b"*\r\n"), corrupt(0));
        assert_eq!(cmd(b"*-1\r\n"), corrupt(0));
        assert_eq!(cmd(b"#a\r\n*1\r\n?4\r\nPING\r\n"), corrupt(4));
        assert_eq!(cmd(b"*1\r\n$-1\r\n"), corrupt(0));
        // A line longer than Redis's buffer is read in pieces; the second piece is not a `$` line.
        let long = [&b"*1"[..], &[b' '; 1030], b"\r\n$4\r\nPING\r\n"].concat();
        assert_eq!(cmd(&long), corrupt(0));
        let long_note = [&b"#"[..], &[b'x'; 1021], b"\r\n*1\r\n$4\r\nPING\r\n"].concat();
        assert_eq!(cmd(&long_note), corrupt(1023));
        // `*` then NUL: Redis's fgets "fails" without reaching the end.
        assert_eq!(cmd(b"*\0\r\n"), Next::Corrupt { at: 0, reason: READ_ERROR.to_string() });
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet = b"*$#\r\n0123456789-+ x\0";
        for _ in 0..20_000 {
            let len = rng.usize(0..40);
            let buf: Vec<u8> =
                (0..len).map(|_| if rng.bool() { alphabet[rng.usize(..alphabet.len())] } else { rng.u8(..) }).collect();
            let mut at = 0;
            while let Next::Command(_, end) = next_command(&buf, at) {
                assert!(end > at && end <= buf.len());
                at = end;
            }
            let _ = check_file(&buf, "f", 5, &mut CheckState::default());
        }
    }

    fn check(buf: &[u8]) -> (CheckStop, usize, Option<String>, i64) {
        let mut state = CheckState::default();
        let c = check_file(buf, "x.aof", 0, &mut state);
        (c.stop, c.ok_up_to, c.error.map(|e| String::from_utf8_lossy(&e).into_owned()), state.line)
    }

    fn err(offset: &str, msg: &str) -> Option<String> {
        Some(format!("0x{offset:>16}: {msg}"))
    }

    // Every expectation below is what redis-check-aof 7.0.15 prints for the same bytes.
    #[test]
    fn checker_reports_like_redis_check_aof() {
        let ping = "*1\r\n$4\r\nPING\r\n";
        assert_eq!(check(ping.as_bytes()), (CheckStop::End, 14, None, 4));
        assert_eq!(check(b"*0\r\n*-1\r\n*\r\n"), (CheckStop::End, 12, None, 4));
        let c = |tail: &str| check(format!("{ping}{tail}").as_bytes());
        assert_eq!(c("*2"), (CheckStop::End, 14, err("e", r"Expected \r\n, got: 000a"), 4));
        assert_eq!(c("*2\r\n$3"), (CheckStop::End, 14, err("12", r"Expected \r\n, got: 0000"), 5));
        assert_eq!(c("*2\r\n$3\r\nfo"), (CheckStop::End, 14, err("16", "Expected to read 5 bytes, got 2 bytes"), 6));
        assert_eq!(c("*2\r\n$3\r\nfooXY"), (CheckStop::End, 14, err("16", r"Expected \r\n, got: 5859"), 6));
        assert_eq!(
            c("*2\r\n$3\r\nfoo\u{e9}"),
            (CheckStop::End, 14, err("16", r"Expected \r\n, got: ffffffc3ffffffa9"), 6)
        );
        assert_eq!(c("xyz"), (CheckStop::FormatError, 14, None, 4));
        assert_eq!(c("#TS:123\r\n*x\r\n"), (CheckStop::End, 23, err("17", r"Expected \r\n, got: 780d"), 4));
        assert_eq!(c("*1\r\n?4\r\nPING\r\n"), (CheckStop::End, 14, err("12", "Expected prefix '$', got: '?'"), 5));
        assert_eq!(
            check(b"*1\r\n$-1\r\n"),
            (CheckStop::End, 0, err("4", "Expected to read string of -1 bytes, which is not in the suitable range"), 3)
        );
        assert_eq!(
            c("*2\r\n$3\r\nabc\r\n$100\r\n"),
            (CheckStop::End, 14, err("21", "Expected to read 102 bytes, got 0 bytes"), 8)
        );
        assert_eq!(c("*2\r\n$3\r\nabc\r\n$1\r"), (CheckStop::End, 14, err("1b", r"Expected \r\n, got: 0d00"), 7));
        // The byte after a cut `*` line is what the previous `*` line left in the buffer.
        assert_eq!(c("*12").2, err("e", r"Expected \r\n, got: 0000"));
        let ten = format!("*10\r\n{}*2", "$4\r\nPING\r\n".repeat(10));
        assert_eq!(check(ten.as_bytes()).2, err("69", r"Expected \r\n, got: 000d"));
        assert_eq!(check(b"*2").2, err("0", r"Expected \r\n, got: 0000"));
        // A NUL printed with %c ends the message.
        assert_eq!(c("*1\r\n\0").2, err("12", "Expected prefix '$', got: '"));
    }

    #[test]
    fn checker_tracks_transactions() {
        let m = "*1\r\n$5\r\nMULTI\r\n";
        let p = "*1\r\n$4\r\nPING\r\n";
        let e = "*1\r\n$4\r\nexec\r\n";
        let c = |s: String| check(s.as_bytes());
        assert_eq!(
            c(format!("{m}{p}")),
            (CheckStop::End, 0, err("17", "Reached EOF before reading EXEC for MULTI"), 7)
        );
        assert_eq!(
            c(format!("{m}{p}*1\r\n$5\r\nmulti\r\n")),
            (CheckStop::End, 0, err("25", "Unexpected MULTI in AOF x.aof"), 10)
        );
        assert_eq!(c(e.to_string()), (CheckStop::End, 0, err("8", "Unexpected EXEC in AOF x.aof"), 4));
        assert_eq!(
            c(format!("{m}{p}{e}{p}{m}{p}*1\r\n$4\r\nPI")),
            (CheckStop::End, 57, err("5e", "Expected to read 6 bytes, got 2 bytes"), 21)
        );
        // A format error inside a transaction: ok_up_to stays before MULTI, and no "Reached EOF".
        assert_eq!(c(format!("{m}{p}x")), (CheckStop::FormatError, 0, None, 7));
    }

    #[test]
    fn checker_timestamps() {
        let at = |buf: &[u8], ts| check_file(buf, "x", ts, &mut CheckState::default()).stop;
        let body = b"#TS:50\r\n*1\r\n$4\r\nPING\r\n#TS:150\r\n*1\r\n$4\r\nPING\r\n";
        assert_eq!(at(body, 100), CheckStop::TimestampAt(22));
        assert_eq!(at(body, 0), CheckStop::End);
        assert_eq!(at(body, 200), CheckStop::End);
        assert_eq!(at(b"#TS:150\r\n", 100), CheckStop::TimestampAt(0));
        assert_eq!(at(b"#TS:50x\r\n", 100), CheckStop::InvalidTimestamp);
        assert_eq!(at(b"#TS:50\n", 100), CheckStop::InvalidTimestamp);
        assert_eq!(at(b"#TS:99999999999999999999\r\n", 100), CheckStop::InvalidTimestamp);
        assert_eq!(at(b"#TS:\r\n", 100), CheckStop::End);
        assert_eq!(at(b"#other\n", 100), CheckStop::End);
    }

    #[test]
    fn line_count_carries_across_files() {
        let mut state = CheckState::default();
        check_file(b"*1\r\n$4\r\nPING\r\n", "a", 0, &mut state);
        let second = check_file(b"*1\r\n$4\r\nPING\r\n", "b", 0, &mut state);
        assert_eq!((second.ok_up_to, state.line), (14, 7));
    }
}
