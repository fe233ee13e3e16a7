//! embedis-check-aof: redis-check-aof 7.0 for embedis's append-only files, with the same arguments, output
//! and exit codes. Given a manifest it checks the base and incremental files it lists, in order; given one
//! file, that file. `--fix` cuts the last file back to its last valid command (after asking);
//! `--truncate-to-timestamp <ts>` cuts it at the first `#TS:` annotation later than `ts`.
//!
//! An RDB-format base (Redis 7.0's default) is checked as embedis-check-rdb checks a file.

use embedis::internals::aof::parse::{self, fgets, CheckState, CheckStop};
use embedis::internals::aof::Manifest;
use embedis::internals::format_line;
use embedis::internals::protocol::strtol;
use embedis::internals::rdb::{check as rdb_check, render};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::process::exit;

fn main() {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let (options, path) = parse_args(&args);
    let data = std::fs::read(&path).unwrap_or_else(|e| fail(format!("Cannot open file {path}: {}", strerror(&e))));
    let mut checker = Checker { options, state: CheckState::default() };
    if is_manifest(&data) {
        checker.multi_part(&dirname(&path), &data);
    } else {
        let rdb = is_rdb(&data);
        // The check reads the file again (opened for writing): one copy in memory at a time.
        drop(data);
        say("Start checking Old-Style AOF");
        let verdict = checker.file(&path, &path, true, rdb);
        checker.report(verdict, &path, "AOF");
    }
    exit(0);
}

struct Options {
    fix: bool,
    /// 0 when not given (as in redis-check-aof, where 0 also means "no limit").
    to_timestamp: i64,
}

/// `[--fix|--truncate-to-timestamp $timestamp] <file>`, exactly as redis-check-aof takes them.
fn parse_args(args: &[String]) -> (Options, String) {
    let mut options = Options { fix: false, to_timestamp: 0 };
    match args {
        [_, path] => (options, path.clone()),
        [_, flag, path] if flag == "--fix" => {
            options.fix = true;
            (options, path.clone())
        }
        [_, flag, ts, path] if flag == "--truncate-to-timestamp" => {
            let parsed = strtol(ts.as_bytes());
            if parsed.overflow || parsed.len != ts.len() {
                fail("Invalid timestamp, aborting...");
            }
            options.to_timestamp = parsed.value;
            (options, path.clone())
        }
        _ => {
            let me = args.first().map_or("embedis-check-aof", String::as_str);
            fail(format!("Usage: {me} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>"))
        }
    }
}

/// What checking one file came to (redis-check-aof's AOF_CHECK_*).
enum Verdict {
    Valid,
    Empty,
    Truncated,
    TimestampTruncated,
}

struct Checker {
    options: Options,
    /// Carried from file to file: redis-check-aof counts lines over all of a manifest's files.
    state: CheckState,
}

impl Checker {
    /// `checkMultiPartAof`: the manifest, then its base and incremental files in order; only the last may be cut.
    fn multi_part(&mut self, dir: &str, text: &[u8]) {
        say("Start checking Multi Part AOF");
        let manifest = Manifest::parse_detailed(text).unwrap_or_else(|e| {
            e.log_messages().iter().for_each(|msg| log_warning(msg));
            exit(1)
        });
        let files: Vec<_> = manifest.base.iter().chain(&manifest.incrs).collect();
        for (i, file) in files.iter().enumerate() {
            let path = format!("{dir}/{}", file.name);
            let last = i + 1 == files.len();
            let (kind, rdb) = if i == 0 && manifest.base.is_some() {
                let rdb = file_is_rdb(&path);
                say(format!("Start to check BASE AOF ({} format).", if rdb { "RDB" } else { "RESP" }));
                ("BASE AOF", rdb)
            } else {
                if i == usize::from(manifest.base.is_some()) {
                    say("Start to check INCR files.");
                }
                ("INCR AOF", false)
            };
            let verdict = self.file(&file.name, &path, last, rdb);
            self.report(verdict, &file.name, kind);
        }
        say("All AOF files and manifest are valid");
    }

    /// `checkSingleAof`: reads the file's commands, reports, and cuts it if asked (and it is the last file).
    fn file(&mut self, name: &str, path: &str, last: bool, rdb: bool) -> Verdict {
        // Opened for writing even to check, as redis-check-aof does ("r+").
        let (file, data) =
            open_rw(path).unwrap_or_else(|e| fail(format!("Cannot open file {path}: {}, aborting...", strerror(&e))));
        if data.is_empty() {
            return Verdict::Empty;
        }
        // An RDB base (or preamble) is checked as redis-check-rdb would, then the commands after it.
        let skip = if rdb {
            let now_ms =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
            let report = rdb_check(&data, now_ms);
            print!("{}", render(&report, path, data.len()));
            match &report.result {
                Some(Ok(summary)) => {
                    say("RDB preamble is OK, proceeding with AOF tail...");
                    summary.end
                }
                _ => fail("RDB preamble of AOF file is not sane, aborting."),
            }
        } else {
            0
        };
        let ts = self.options.to_timestamp;
        let mut check = parse::check_file(&data[skip..], path, ts, &mut self.state);
        check.ok_up_to += skip;
        if let CheckStop::TimestampAt(at) = &mut check.stop {
            *at += skip;
        }
        match check.stop {
            CheckStop::End => {}
            CheckStop::FormatError => say(format!("AOF {name} format error")),
            CheckStop::InvalidTimestamp => fail("Invalid timestamp annotation"),
            CheckStop::TimestampAt(at) => return self.cut_at_timestamp(&file, path, at, last),
        }
        if let Some(error) = &check.error {
            say(error);
        }
        let (size, ok) = (data.len(), check.ok_up_to);
        let diff = size - ok;
        if diff == 0 && ts != 0 {
            say(format!("Truncate nothing in AOF {name} to timestamp {ts}"));
            return Verdict::Valid;
        }
        let line = self.state.line;
        say(format!("AOF analyzed: filename={name}, size={size}, ok_up_to={ok}, ok_up_to_line={line}, diff={diff}"));
        if diff == 0 {
            return Verdict::Valid;
        }
        if !self.options.fix {
            fail(format!("AOF {name} is not valid. Use the --fix option to try fixing it."));
        }
        if !last {
            fail(format!("Failed to truncate AOF {name} because it is not the last file"));
        }
        say(format!("This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {ok} bytes"));
        if !confirm() {
            fail("Aborting...");
        }
        file.set_len(ok as u64).unwrap_or_else(|_| fail(format!("Failed to truncate AOF {name}")));
        Verdict::Truncated
    }

    /// `--truncate-to-timestamp` found a later `#TS:` at `at`: cut there, if that leaves something and the
    /// file is the last one.
    fn cut_at_timestamp(&self, file: &File, path: &str, at: usize, last: bool) -> Verdict {
        let ts = self.options.to_timestamp;
        if at == 0 {
            fail(format!("AOF {path} has nothing before timestamp {ts}, aborting..."));
        }
        if !last {
            say(format!(
                "Failed to truncate AOF {path} to timestamp {ts} to offset {at} because it is not the last file."
            ));
            fail(
                "If you insist, please delete all files after this file according to the manifest file and delete \
                 the corresponding records in manifest file manually. Then re-run embedis-check-aof.",
            );
        }
        file.set_len(at as u64).unwrap_or_else(|_| fail(format!("Failed to truncate AOF {path} to timestamp {ts}")));
        Verdict::TimestampTruncated
    }

    /// `printAofStyle`.
    fn report(&self, verdict: Verdict, name: &str, kind: &str) {
        say(match verdict {
            Verdict::Valid => format!("{kind} {name} is valid"),
            Verdict::Empty => format!("{kind} {name} is empty"),
            Verdict::Truncated => format!("Successfully truncated AOF {name}"),
            Verdict::TimestampTruncated => {
                format!("Successfully truncated AOF {name} to timestamp {}", self.options.to_timestamp)
            }
        });
    }
}

/// Whether the file is a manifest. redis-check-aof says yes when any line but a comment starts with `file`,
/// which also takes an AOF for one when a value at the start of a line begins with "file" (`SET file:1 x`);
/// an AOF's first line starts with `*`, so that rules it out first.
fn is_manifest(data: &[u8]) -> bool {
    let mut at = 0;
    let mut lines = std::iter::from_fn(|| {
        let line = fgets(data, at, 1024)?;
        at += line.len();
        Some(line)
    })
    .filter(|line| line[0] != b'#');
    match lines.next() {
        Some(first) if first[0] != b'*' => first.starts_with(b"file") || lines.any(|l| l.starts_with(b"file")),
        _ => false,
    }
}

/// redis-check-aof's `fileIsRDB`: at least 8 bytes, starting with "REDIS".
fn is_rdb(data: &[u8]) -> bool {
    data.len() >= 8 && parse::is_rdb(data)
}

/// `fileIsRDB` on a path, reading only the header.
fn file_is_rdb(path: &str) -> bool {
    let mut file = File::open(path).unwrap_or_else(|e| fail(format!("Cannot open file {path}: {}", strerror(&e))));
    let mut head = Vec::new();
    let _ = (&mut file).take(8).read_to_end(&mut head);
    is_rdb(&head)
}

fn open_rw(path: &str) -> std::io::Result<(File, Vec<u8>)> {
    let mut file = OpenOptions::new().read(true).write(true).open(path)?;
    let mut data = Vec::new();
    file.read_to_end(&mut data)?;
    Ok((file, data))
}

/// The directory part of a path, as C's dirname: "." for a bare name.
fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        _ if trimmed.is_empty() => if path.is_empty() { "." } else { "/" }.to_string(),
        None => ".".to_string(),
        Some(slash) => match trimmed[..slash].trim_end_matches('/') {
            "" => "/".to_string(),
            dir => dir.to_string(),
        },
    }
}

/// `fgets(buf, 2, stdin)` then a case-insensitive "y".
fn confirm() -> bool {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(b"Continue? [y/N]: ");
    let _ = out.flush();
    let mut answer = [0u8; 1];
    matches!(std::io::stdin().read(&mut answer), Ok(1)) && answer[0].eq_ignore_ascii_case(&b'y')
}

/// C's strerror text: the io::Error message without Rust's " (os error N)".
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error ").next().unwrap_or_default().to_string()
}

/// One line of output (bytes: error lines quote bytes from the file as they are).
fn say(line: impl AsRef<[u8]>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_ref());
    let _ = out.write_all(b"\n");
}

/// A warning as redis-check-aof's built-in server log writes it to standard output.
fn log_warning(msg: &[u8]) {
    let stamp = format_line('C', '#', "");
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(stamp.trim_end_matches('\n').as_bytes());
    let _ = out.write_all(msg);
    let _ = out.write_all(b"\n");
}

fn fail(line: impl AsRef<[u8]>) -> ! {
    say(line);
    exit(1)
}
