//! The manifest of an append-only directory, as Redis 7.0 writes and reads it (aof.c `aofInfoFormat`,
//! `getAofManifestAsString`, `aofLoadManifestFromFile`): which base file and which incremental files make up
//! the data, in order. One line per file: `file <name> seq <n> type <b|h|i>`.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

use super::parse::{c_str, fgets};
use crate::protocol::decode::split_args;
use crate::protocol::number::strtol;

/// Redis reads the manifest with `fgets` into a 1025-byte buffer (MANIFEST_MAX_LINE + 1).
const MANIFEST_MAX_LINE: usize = 1024;

const INVALID_FORMAT: &str = "Invalid AOF manifest file format";

/// What a file in the manifest is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `type b`: the snapshot the data starts from.
    Base,
    /// `type i`: commands appended after the base, in sequence order.
    Incr,
    /// `type h`: left over from a rewrite, to be deleted.
    History,
}

impl FileKind {
    /// The letter after `type`.
    pub fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::Incr => 'i',
            FileKind::History => 'h',
        }
    }
}

/// One `file <name> seq <n> type <b|i|h>` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: u64,
    pub kind: FileKind,
}

/// A parsed manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    /// In sequence order.
    pub incrs: Vec<AofFile>,
    /// Newest first, as Redis keeps them (a rewrite puts the files it replaces at the front).
    pub history: Vec<AofFile>,
}

/// Why a manifest could not be read, with what Redis logs about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// The line number (counting comment lines) and the line, trimmed, when the problem is in one line's content.
    pub line: Option<(usize, Vec<u8>)>,
    pub reason: &'static str,
}

impl ManifestError {
    /// The messages Redis passes to its log, one per log call (each ends in a newline of its own).
    pub fn log_messages(&self) -> Vec<Vec<u8>> {
        let mut out = vec![b"\n*** FATAL AOF MANIFEST FILE ERROR ***\n".to_vec()];
        if let Some((number, line)) = &self.line {
            out.push(format!("Reading the manifest file, at line {number}\n").into_bytes());
            out.push([&b">>> '"[..], line, b"'\n"].concat());
        }
        out.push(format!("{}\n", self.reason).into_bytes());
        out
    }
}

impl Manifest {
    /// Parses a manifest's text; the error is the message Redis logs for that problem (see `parse_detailed`
    /// for the line it names).
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        Manifest::parse_detailed(text).map_err(|e| e.reason.to_string())
    }

    /// Parses a manifest's text line by line as Redis does: `#` lines skipped, keys in any order and any case,
    /// unknown keys ignored, names quoted as `sdssplitargs` reads them.
    pub fn parse_detailed(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut manifest = Manifest::default();
        let (mut at, mut number) = (0, 0);
        // The highest incremental sequence so far: they must increase.
        let mut max_incr = 0i64;
        while let Some(chunk) = fgets(text, at, MANIFEST_MAX_LINE) {
            at += chunk.len();
            number += 1;
            // Redis looks at the buffer as a C string.
            let chunk = c_str(chunk);
            if chunk.first() == Some(&b'#') {
                continue;
            }
            // No newline: the line did not fit in the buffer (or the file's last line lacks one).
            if !chunk.contains(&b'\n') {
                return Err(ManifestError { line: None, reason: "The AOF manifest file contains too long line" });
            }
            let line = trim(chunk);
            let fail = |reason| ManifestError { line: Some((number, line.to_vec())), reason };
            let entry = parse_line(line).map_err(fail)?;
            manifest.add(entry, &mut max_incr).map_err(fail)?;
        }
        if number == 0 {
            return Err(ManifestError { line: None, reason: "Found an empty AOF manifest" });
        }
        Ok(manifest)
    }

    /// Places one parsed line, checking what Redis checks: one base, increasing incremental sequences.
    fn add(&mut self, entry: Entry, max_incr: &mut i64) -> Result<(), &'static str> {
        let kind = match entry.kind {
            b'b' if self.base.is_some() => return Err("Found duplicate base file information"),
            b'b' => FileKind::Base,
            b'h' => FileKind::History,
            b'i' if entry.seq <= *max_incr => return Err("Found a non-monotonic sequence number"),
            b'i' => FileKind::Incr,
            _ => return Err("Unknown AOF file type"),
        };
        // Redis stores these as they are; embedis's types cannot hold them (no Redis writes them).
        let seq = u64::try_from(entry.seq).map_err(|_| "Negative AOF sequence numbers are not supported by embedis")?;
        let name = String::from_utf8(entry.name).map_err(|_| "AOF file names must be UTF-8 in embedis")?;
        let file = AofFile { name, seq, kind };
        match kind {
            FileKind::Base => self.base = Some(file),
            FileKind::History => self.history.push(file),
            FileKind::Incr => {
                *max_incr = entry.seq;
                self.incrs.push(file);
            }
        }
        Ok(())
    }

    /// The manifest's text, byte for byte as Redis writes it: the base, then history files, then incremental
    /// files; names needing it quoted as `sdscatrepr` does.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for file in self.base.iter().chain(&self.history).chain(&self.incrs) {
            out.extend_from_slice(b"file ");
            out.extend_from_slice(&quote_if_needed(file.name.as_bytes()));
            out.extend_from_slice(format!(" seq {} type {}\n", file.seq, file.kind.letter()).as_bytes());
        }
        out
    }
}

/// One manifest line's fields, before the cross-line checks.
struct Entry {
    name: Vec<u8>,
    seq: i64,
    kind: u8,
}

/// Splits a trimmed line into key/value pairs and takes `file`, `seq` and `type` from them, as Redis does:
/// at least six words in pairs; `seq` read with atoll, `type` by its first byte; a later key wins.
fn parse_line(line: &[u8]) -> Result<Entry, &'static str> {
    let words = split_args(line).filter(|w| w.len() >= 6 && w.len() % 2 == 0).ok_or(INVALID_FORMAT)?;
    let (mut name, mut seq, mut kind) = (None, 0, 0);
    for pair in words.chunks_exact(2) {
        // Keys and names are C strings in Redis: a quoted "\x00" ends them.
        let (key, value) = (c_str(&pair[0]), &pair[1]);
        if key.eq_ignore_ascii_case(b"file") {
            let file = c_str(value);
            if file.contains(&b'/') || file.contains(&b'\\') {
                return Err("File can't be a path, just a filename");
            }
            name = Some(file.to_vec());
        } else if key.eq_ignore_ascii_case(b"seq") {
            seq = strtol(value).value;
        } else if key.eq_ignore_ascii_case(b"type") {
            kind = value.first().copied().unwrap_or(0);
        }
    }
    match name {
        Some(name) if seq != 0 && kind != 0 => Ok(Entry { name, seq, kind }),
        _ => Err(INVALID_FORMAT),
    }
}

/// sdstrim(line, " \t\r\n").
fn trim(line: &[u8]) -> &[u8] {
    let strip = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|c| !strip(c)).unwrap_or(line.len());
    let end = line.iter().rposition(|c| !strip(c)).map_or(start, |i| i + 1);
    &line[start..end]
}

/// The name as `aofInfoFormat` writes it: as is, unless `sdsneedsrepr` says it needs quoting (spaces,
/// quotes, backslashes, unprintable bytes), then as `sdscatrepr` quotes it.
fn quote_if_needed(name: &[u8]) -> Vec<u8> {
    if !name.iter().any(|&c| matches!(c, b'\\' | b'"') || !(0x21..=0x7e).contains(&c)) {
        return name.to_vec();
    }
    crate::protocol::repr::repr(name)
}

/// `<appendfilename>.<seq>.base.aof`, or `.base.rdb` for a base written as RDB (`aof-use-rdb-preamble`).
pub fn base_name(appendfilename: &str, seq: u64, rdb: bool) -> String {
    format!("{appendfilename}.{seq}.base.{}", if rdb { "rdb" } else { "aof" })
}

/// `<appendfilename>.<seq>.incr.aof`
pub fn incr_name(appendfilename: &str, seq: u64) -> String {
    format!("{appendfilename}.{seq}.incr.aof")
}

/// `<appendfilename>.manifest`
pub fn manifest_name(appendfilename: &str) -> String {
    format!("{appendfilename}.manifest")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, seq: u64, kind: FileKind) -> AofFile {
        AofFile { name: name.to_string(), seq, kind }
    }

    fn reason(text: &[u8]) -> &'static str {
        Manifest::parse_detailed(text).err().map_or("ok", |e| e.reason)
    }

    fn error(text: &[u8]) -> ManifestError {
        Manifest::parse_detailed(text).err().unwrap_or(ManifestError { line: None, reason: "ok" })
    }

    /// Written by redis-server 7.0.15 with aof-disable-auto-gc yes after four rewrites.
    const WITH_HISTORY: &[u8] = b"file appendonly.aof.5.base.aof seq 5 type b\n\
        file appendonly.aof.4.incr.aof seq 4 type h\n\
        file appendonly.aof.4.base.aof seq 4 type h\n\
        file appendonly.aof.3.incr.aof seq 3 type h\n\
        file appendonly.aof.3.base.aof seq 3 type h\n\
        file appendonly.aof.5.incr.aof seq 5 type i\n";

    /// Written by redis-server 7.0.15 with `appendfilename` set to `my "file" 'q' é\x01\t.aof`.
    const QUOTED: &[u8] = b"file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.2.base.aof\" seq 2 type b\n\
        file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.1.incr.aof\" seq 1 type h\n\
        file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.1.base.aof\" seq 1 type h\n\
        file \"my \\\"file\\\" 'q' \\xc3\\xa9\\x01\\t.aof.2.incr.aof\" seq 2 type i\n";

    #[test]
    fn round_trips_what_redis_writes() {
        let m = Manifest::parse(WITH_HISTORY).unwrap();
        assert_eq!(m.base, Some(file("appendonly.aof.5.base.aof", 5, FileKind::Base)));
        assert_eq!(m.incrs, vec![file("appendonly.aof.5.incr.aof", 5, FileKind::Incr)]);
        assert_eq!(m.history.len(), 4);
        assert_eq!(m.history[0], file("appendonly.aof.4.incr.aof", 4, FileKind::History));
        assert_eq!(m.to_text(), WITH_HISTORY);

        let q = Manifest::parse(QUOTED).unwrap();
        let prefix = "my \"file\" 'q' \u{e9}\u{1}\t.aof";
        assert_eq!(q.base, Some(file(&base_name(prefix, 2, false), 2, FileKind::Base)));
        assert_eq!(q.incrs[0].name, incr_name(prefix, 2));
        assert_eq!(q.to_text(), QUOTED);
        assert_eq!(Manifest::default().to_text(), b"");
    }

    #[test]
    fn quoting_is_sdscatrepr_when_sdsneedsrepr() {
        assert_eq!(quote_if_needed(b"appendonly.aof.1.base.aof"), b"appendonly.aof.1.base.aof");
        // A single quote needs no repr (Redis then cannot read its own line back: see below).
        assert_eq!(quote_if_needed(b"it's"), b"it's");
        assert_eq!(quote_if_needed(b"a b"), b"\"a b\"");
        assert_eq!(quote_if_needed(b"a\\b\"\r\n\x07\x08\x7f\x00"), b"\"a\\\\b\\\"\\r\\n\\a\\b\\x7f\\x00\"");
        assert_eq!(reason(b"file it's seq 1 type b\n"), INVALID_FORMAT);
    }

    #[test]
    fn lenient_where_redis_is() {
        // Keys in any order and case, unknown keys ignored, extra words in pairs, comments anywhere.
        let m = Manifest::parse(b"# c\nSEQ 7 Type incr extra 1 FILE x.aof\n  file y.aof seq 9 type i  \r\n").unwrap();
        assert_eq!(m.incrs, vec![file("x.aof", 7, FileKind::Incr), file("y.aof", 9, FileKind::Incr)]);
        // atoll: digits then anything; the type is the first byte; a later key wins.
        let m = Manifest::parse(b"file a seq 3x type bogus\n").unwrap();
        assert_eq!(m.base, Some(file("a", 3, FileKind::Base)));
        let m = Manifest::parse(b"file a seq 3x type bogus file b seq 4\n").unwrap();
        assert_eq!(m.base, Some(file("b", 4, FileKind::Base)));
        // Only comments: an empty manifest, but not an error.
        assert_eq!(Manifest::parse(b"# nothing\n"), Ok(Manifest::default()));
        // A name quoted with an embedded NUL ends there, as a C string.
        assert_eq!(Manifest::parse(b"file \"a\\x00b\" seq 1 type b\n").unwrap().base.map(|f| f.name), Some("a".into()));
    }

    #[test]
    fn every_error_redis_reports() {
        assert_eq!(error(b""), ManifestError { line: None, reason: "Found an empty AOF manifest" });
        assert_eq!(
            error(b"file a seq 1 type b"),
            ManifestError { line: None, reason: "The AOF manifest file contains too long line" }
        );
        let long = [&b"file "[..], &[b'a'; 1100], b" seq 1 type b\n"].concat();
        assert_eq!(reason(&long), "The AOF manifest file contains too long line");
        // 1024 bytes with the newline fit; 1025 do not.
        let fits = [&b"file "[..], &[b'a'; 1005], b" seq 1 type b\n"].concat();
        assert_eq!((fits.len(), reason(&fits)), (1024, "ok"));
        assert_eq!(
            reason(&[&b"file "[..], &[b'a'; 1006], b" seq 1 type b\n"].concat()),
            "The AOF manifest file contains too long line"
        );
        assert_eq!(reason(b"\0file a seq 1 type b\n"), "The AOF manifest file contains too long line");
        assert_eq!(
            error(b"file a seq 1 type b\n   \n"),
            ManifestError { line: Some((2, Vec::new())), reason: INVALID_FORMAT }
        );
        assert_eq!(reason(b"file a seq 1 type\n"), INVALID_FORMAT);
        assert_eq!(reason(b"file a seq 1 type b extra\n"), INVALID_FORMAT);
        assert_eq!(reason(b"file \"a seq 1 type b\n"), INVALID_FORMAT);
        assert_eq!(reason(b"file a seq 0 type b\n"), INVALID_FORMAT);
        assert_eq!(reason(b"file a seq x type b\n"), INVALID_FORMAT);
        assert_eq!(reason(b"file a seq 1 type \"\"\n"), INVALID_FORMAT);
        assert_eq!(reason(b"name a seq 1 type b\n"), INVALID_FORMAT);
        assert_eq!(
            error(b"# c\nfile a/1.aof seq 0 type x\n"),
            ManifestError {
                line: Some((2, b"file a/1.aof seq 0 type x".to_vec())),
                reason: "File can't be a path, just a filename"
            }
        );
        assert_eq!(reason(b"file a\\b seq 1 type b\n"), "File can't be a path, just a filename");
        assert_eq!(reason(b"file a seq 1 type b\nfile b seq 2 type b\n"), "Found duplicate base file information");
        assert_eq!(reason(b"file a seq 2 type i\nfile b seq 2 type i\n"), "Found a non-monotonic sequence number");
        assert_eq!(reason(b"file a seq -2 type i\n"), "Found a non-monotonic sequence number");
        assert_eq!(reason(b"file a seq 2 type x\n"), "Unknown AOF file type");
        // What Redis accepts but embedis cannot represent.
        assert_eq!(reason(b"file a seq -3 type b\n"), "Negative AOF sequence numbers are not supported by embedis");
        assert_eq!(reason(b"file \"\\xff\" seq 1 type b\n"), "AOF file names must be UTF-8 in embedis");
    }

    #[test]
    fn log_messages_are_redis_lines() {
        let e = error(b"file a seq 1 type b\nfile a seq 1 type b\n");
        assert_eq!(
            e.log_messages(),
            vec![
                b"\n*** FATAL AOF MANIFEST FILE ERROR ***\n".to_vec(),
                b"Reading the manifest file, at line 2\n".to_vec(),
                b">>> 'file a seq 1 type b'\n".to_vec(),
                b"Found duplicate base file information\n".to_vec(),
            ]
        );
        assert_eq!(error(b"").log_messages().len(), 2);
    }

    #[test]
    fn random_text_never_panics() {
        let mut rng = fastrand::Rng::with_seed(11);
        let words: [&[u8]; 12] =
            [b"file ", b"seq ", b"type ", b"b ", b"i ", b"h ", b"1 ", b"2 ", b"\"", b"\n", b"#", b"\\x"];
        for _ in 0..5_000 {
            let text: Vec<u8> = (0..rng.usize(0..20))
                .flat_map(
                    |_| if rng.u8(..4) == 0 { vec![rng.u8(..)] } else { words[rng.usize(..words.len())].to_vec() },
                )
                .collect();
            // Redis writes an empty name or one with a single quote unquoted and cannot read it back.
            let writable = |f: &AofFile| !f.name.is_empty() && !f.name.contains('\'');
            if let Some(m) = Manifest::parse(&text).ok().filter(|m| *m != Manifest::default()) {
                if m.base.iter().chain(&m.history).chain(&m.incrs).all(writable) {
                    assert_eq!(Manifest::parse(&m.to_text()), Ok(m));
                }
            }
        }
    }
}
