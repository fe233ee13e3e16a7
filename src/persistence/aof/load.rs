//! Loading an append-only directory at startup (Redis's loadAppendOnlyFiles): the base file, then every
//! incremental file in order, each command replayed through the dispatcher as a client would send it.
//!
//! Loading rebuilds exactly the saved state: the state is marked as loading, so nothing expires, nothing is
//! evicted and nothing is refused for memory while the files replay; a command that fails stops startup with
//! the file, the offset and the error. Files are read through a bounded window, so a dataset that fits its
//! memory limit also starts.

use super::dir::AofDir;
use super::parse::{next_command, Next};
use crate::engine::client::Client;
use crate::engine::dispatch::{dispatch, lookup};
use crate::engine::state::{Shared, State};
use crate::persistence::load::Duplicates;
use crate::protocol::Out;
use std::io::{Read, Seek};
use std::path::Path;

/// How much of a file is read at a time; a command larger than the window widens it to fit.
const WINDOW: usize = 64 * 1024;

/// What loading found, for the log.
#[derive(Debug, Default)]
pub struct Loaded {
    pub commands: u64,
    pub files: usize,
}

/// Replays the base and incremental files the manifest names. A truncated tail is accepted (and cut off) only
/// in the last file and only with `aof-load-truncated yes`; anything else wrong stops startup with the reason.
pub fn load_dir(state: &mut State, shared: &Shared, dir: &AofDir) -> Result<Loaded, String> {
    // With `rename-command`, commands a client sent are recorded under their new names, but those the server
    // writes itself (SELECT, MULTI, SET ... PXAT, DEL of expired keys) under their own: both load.
    let names = state.commands.or_originals();
    let names = std::mem::replace(&mut state.commands, names);
    // What loads is already in the files: nothing is recorded again (DEBUG LOADAOF runs with the AOF on).
    let recording = std::mem::replace(&mut state.effects.enabled, false);
    state.set_loading(true);
    let loaded = load_files(state, shared, dir);
    state.set_loading(false);
    state.effects.enabled = recording;
    state.commands = names;
    loaded
}

fn load_files(state: &mut State, shared: &Shared, dir: &AofDir) -> Result<Loaded, String> {
    let m = &dir.manifest;
    let files: Vec<&str> = m.base.iter().chain(m.incrs.iter()).map(|f| f.name.as_str()).collect();
    // Every file the manifest names must be there before anything loads (Redis's
    // getBaseAndIncrAppendOnlyFilesSize): a missing one means a wrong backup, not an empty file.
    for name in &files {
        if let Err(e) = std::fs::metadata(dir.file_path(name)) {
            return Err(format!("Unable to obtain the AOF file {name} length. stat: {}", super::writer::strerror(&e)));
        }
    }
    let mut loaded = Loaded::default();
    for (i, name) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        loaded.commands += load_file(state, shared, &dir.file_path(name), name, last)?;
        loaded.files += 1;
    }
    Ok(loaded)
}

/// A file read through a window: `buf` holds the bytes from file offset `base` on.
struct Window {
    file: std::fs::File,
    buf: Vec<u8>,
    base: usize,
    eof: bool,
}

impl Window {
    /// Drops the bytes before `at` (already replayed) and reads more: at least a window's worth, and as much
    /// again as is held, so a huge command is read in a few doubling steps.
    fn advance(&mut self, at: usize) -> std::io::Result<()> {
        self.buf.drain(..at);
        self.base += at;
        let held = self.buf.len();
        self.buf.resize(held + held.max(WINDOW), 0);
        let mut filled = held;
        while filled < self.buf.len() {
            match self.file.read(&mut self.buf[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.buf.truncate(filled);
        Ok(())
    }
}

/// Where replaying the window stopped.
enum Stop {
    End,
    Truncated(usize),
    Corrupt(usize),
}

/// Replays one file; returns how many commands it held.
fn load_file(state: &mut State, shared: &Shared, path: &Path, name: &str, last: bool) -> Result<u64, String> {
    let open_error = |e: std::io::Error| format!("Fatal error: can't open the append log file {name}: {e}");
    let file = std::fs::File::open(path).map_err(open_error)?;
    let mut window = Window { file, buf: Vec::new(), base: 0, eof: false };
    window.advance(0).map_err(open_error)?;
    if window.buf.starts_with(b"REDIS") {
        // An RDB base (or a Redis 6 preamble): the keys it holds, then any commands after it.
        shared.log.notice("Reading RDB base file on AOF loading...");
        let data = std::fs::read(path).map_err(open_error)?;
        let now = shared.clock.now_ms();
        let loaded = crate::persistence::load::load_bytes(state, &data, true, Duplicates::Refuse, now)
            .map_err(|e| format!("Bad file format reading the append only file {name}: its RDB part, {e}"))?;
        shared.log.notice("Reading the remaining AOF tail...");
        let end = loaded.summary.end;
        window.file.seek(std::io::SeekFrom::Start(end as u64)).map_err(open_error)?;
        window.buf.clear();
        window.base = end;
        window.advance(0).map_err(open_error)?;
    }
    // Each file is replayed by a fresh client, starting in database 0, as Redis does.
    let mut client = Client::new(0, true, true);
    let mut out = Out::new(false);
    let (mut at, mut commands) = (0, 0);
    // Where (in the file) the transaction being replayed began: a file cut inside one is cut back to before it.
    let mut multi_start = None;
    // A corrupt record is judged again once after reading further: the window may have cut its line short.
    let mut judged_again = false;
    loop {
        let stop = match next_command(&window.buf, at) {
            Next::Command(argv, end) => {
                let offset = window.base + at;
                let known = lookup(&state.commands, &argv).map_err(|_| {
                    format!(
                        "Unknown command '{}' reading the append only file {name}",
                        String::from_utf8_lossy(argv.first().copied().unwrap_or_default())
                    )
                })?;
                match known.name {
                    "multi" => multi_start = Some(offset),
                    "exec" => multi_start = None,
                    _ => {}
                }
                let errors = state.observe.total_error_replies;
                dispatch(state, shared, &mut client, &argv, &mut out);
                if state.observe.total_error_replies != errors {
                    let error = first_error(&out.buf).unwrap_or(b"-ERR");
                    return Err(format!(
                        "Error replaying the command at offset {offset} of the append only file {name}: {}",
                        String::from_utf8_lossy(&error[1..])
                    ));
                }
                out.buf.clear();
                commands += 1;
                at = end;
                judged_again = false;
                continue;
            }
            Next::End => Stop::End,
            Next::Truncated { at } => Stop::Truncated(at),
            Next::Corrupt { at, .. } => Stop::Corrupt(at),
        };
        let corrupt = matches!(stop, Stop::Corrupt(_));
        if !window.eof && (!corrupt || !judged_again) {
            window.advance(at).map_err(|e| format!("Error reading the append only file {name}: {e}"))?;
            at = 0;
            judged_again = corrupt;
            continue;
        }
        return match stop {
            Stop::End if multi_start.is_none() => Ok(commands),
            Stop::End => truncated(shared, path, name, last, multi_start.unwrap_or(window.base + at), state),
            Stop::Truncated(cut) => {
                truncated(shared, path, name, last, multi_start.unwrap_or(window.base + cut), state)
            }
            Stop::Corrupt(bad) => Err(format!(
                "Bad file format reading the append only file {name}: make a backup of your AOF file, then use \
                 embedis-check-aof --fix <filename.manifest> (the bad command starts at offset {})",
                window.base + bad
            )),
        }
        .map(|_| commands);
    }
}

/// The first error reply in a command's reply: the reply itself, or one inside EXEC's array.
fn first_error(reply: &[u8]) -> Option<&[u8]> {
    use crate::protocol::resp3::frame_end;
    let line = |at: usize| {
        let end = frame_end(reply, at)?;
        Some(&reply[at..end - 2])
    };
    match reply.first()? {
        b'-' => line(0),
        b'*' => {
            let mut at = reply.iter().position(|&b| b == b'\n')? + 1;
            while at < reply.len() {
                if reply[at] == b'-' {
                    return line(at);
                }
                at = frame_end(reply, at)?;
            }
            None
        }
        _ => None,
    }
}

/// The file ends inside a command (or a transaction) starting at `valid`: a process killed mid-write. In the
/// last file, with `aof-load-truncated yes`, what is complete is kept and the tail cut off.
fn truncated(shared: &Shared, path: &Path, name: &str, last: bool, valid: usize, state: &State) -> Result<u64, String> {
    if !last || !state.config.aof_load_truncated {
        return Err(format!(
            "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF \
             file, then use embedis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the \
             'aof-load-truncated' configuration option to yes and restart the server."
        ));
    }
    shared.log.warning(&format!("!!! Warning: short read while loading the AOF file {name}!!!"));
    shared.log.warning(&format!("!!! Truncating the AOF {name} at offset {valid} !!!"));
    let file = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| e.to_string())?;
    file.set_len(valid as u64).map_err(|e| format!("Error truncating the AOF file {name}: {e}"))?;
    file.sync_all().map_err(|e| e.to_string())?;
    shared.log.warning(&format!("AOF {name} loaded anyway because aof-load-truncated is enabled"));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::first_error;

    #[test]
    fn first_error_finds_a_plain_error_or_one_inside_exec() {
        assert_eq!(first_error(b"-ERR bad\r\n"), Some(&b"-ERR bad"[..]));
        assert_eq!(first_error(b"+OK\r\n"), None);
        assert_eq!(first_error(b"*3\r\n+OK\r\n$6\r\n\r\n-x\r\n\r\n-WRONGTYPE no\r\n"), Some(&b"-WRONGTYPE no"[..]));
        assert_eq!(first_error(b"*2\r\n:1\r\n+OK\r\n"), None);
    }
}
