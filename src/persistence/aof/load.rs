//! Loading an append-only directory at startup (Redis's loadAppendOnlyFiles): the base file, then every
//! incremental file in order, each command replayed through the dispatcher as a client would send it.

use super::dir::AofDir;
use super::parse::{next_command, Next};
use crate::command::dispatch::{dispatch, lookup};
use crate::protocol::Out;
use crate::server::client::Client;
use crate::server::state::{Shared, State};
use std::path::Path;

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
    let names = state.config.commands.or_originals();
    let names = std::mem::replace(&mut state.config.commands, names);
    let loaded = load_files(state, shared, dir);
    state.config.commands = names;
    loaded
}

fn load_files(state: &mut State, shared: &Shared, dir: &AofDir) -> Result<Loaded, String> {
    let m = &dir.manifest;
    let files: Vec<&str> = m.base.iter().chain(m.incrs.iter()).map(|f| f.name.as_str()).collect();
    let mut loaded = Loaded::default();
    for (i, name) in files.iter().enumerate() {
        let path = dir.file_path(name);
        let last = i + 1 == files.len();
        match std::fs::metadata(&path) {
            Ok(_) => {}
            // An incremental file a crash left uncreated holds nothing; a missing base is an error.
            Err(_) if Some(*name) != m.base.as_ref().map(|b| b.name.as_str()) => continue,
            Err(e) => return Err(format!("The AOF file {name} doesn't exist: {e}")),
        }
        loaded.commands += load_file(state, shared, &path, name, last)?;
        loaded.files += 1;
    }
    Ok(loaded)
}

/// Replays one file; returns how many commands it held.
fn load_file(state: &mut State, shared: &Shared, path: &Path, name: &str, last: bool) -> Result<u64, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("Fatal error: can't open the append log file {name}: {e}"))?;
    if bytes.starts_with(b"REDIS") {
        return Err(format!(
            "The AOF file {name} starts with an RDB preamble, which embedis cannot read: rewrite it with \
             `aof-use-rdb-preamble no` in redis-server (CONFIG SET aof-use-rdb-preamble no, then BGREWRITEAOF)"
        ));
    }
    // Each file is replayed by a fresh client, starting in database 0, as Redis does.
    let mut client = Client::new(0, true, true);
    let mut out = Out::new(false);
    let (mut at, mut commands) = (0, 0);
    // Where the transaction being replayed began: a file cut inside one is cut back to before it.
    let mut multi_start = None;
    loop {
        match next_command(&bytes, at) {
            Next::Command(argv, end) => {
                let known = lookup(&state.config.commands, &argv).map_err(|_| {
                    format!(
                        "Unknown command '{}' reading the append only file {name}",
                        String::from_utf8_lossy(argv.first().copied().unwrap_or_default())
                    )
                })?;
                match known.name {
                    "multi" => multi_start = Some(at),
                    "exec" => multi_start = None,
                    _ => {}
                }
                dispatch(state, shared, &mut client, &argv, &mut out);
                out.buf.clear();
                commands += 1;
                at = end;
            }
            Next::End if multi_start.is_none() => return Ok(commands),
            Next::End => {
                return truncated(shared, path, name, last, multi_start.unwrap_or(at), state).map(|_| commands)
            }
            Next::Truncated { at: cut } => {
                return truncated(shared, path, name, last, multi_start.unwrap_or(cut), state).map(|_| commands)
            }
            Next::Corrupt { at, .. } => {
                return Err(format!(
                    "Bad file format reading the append only file {name}: make a backup of your AOF file, then \
                     use embedis-check-aof --fix <filename.manifest> (the bad command starts at offset {at})"
                ))
            }
        }
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
