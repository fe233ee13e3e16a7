//! The append-only directory: its manifest and files, created, switched and cleaned up as Redis 7.0 does.
//! Every manifest change is atomic: written to a temporary file, fsynced, renamed over the old one, and the
//! directory fsynced, so a crash leaves either the old manifest or the new one.

use super::manifest::{base_name, incr_name, manifest_name, AofFile, FileKind, Manifest};
use crate::config::Config;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct AofDir {
    /// `<dir>/<appenddirname>`.
    pub path: PathBuf,
    /// `appendfilename`: the prefix of every file name.
    pub prefix: String,
    pub manifest: Manifest,
}

impl AofDir {
    pub fn new(config: &Config) -> AofDir {
        AofDir {
            path: config.dir.join(&config.appenddirname),
            prefix: config.appendfilename.clone(),
            manifest: Manifest::default(),
        }
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.path.join(manifest_name(&self.prefix))
    }

    pub fn file_path(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Reads the manifest from disk; Ok(false) if there is none.
    pub fn read_manifest(&mut self) -> Result<bool, String> {
        let path = self.manifest_path();
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(format!("Fail to open AOF manifest {}: {e}", path.display())),
        };
        self.manifest = Manifest::parse(&text)?;
        Ok(true)
    }

    /// Writes the manifest atomically (temp file, fsync, rename, directory fsync).
    pub fn persist_manifest(&self) -> std::io::Result<()> {
        let temp = self.path.join(format!("temp-{}", manifest_name(&self.prefix)));
        let mut f = File::create(&temp)?;
        f.write_all(&self.manifest.to_text())?;
        f.sync_all()?;
        std::fs::rename(&temp, self.manifest_path())?;
        sync_dir(&self.path)
    }

    /// Opens an incremental file to append to.
    pub fn open_for_append(&self, name: &str) -> std::io::Result<File> {
        OpenOptions::new().create(true).append(true).open(self.file_path(name))
    }

    /// Starts a new incremental file (the next sequence number) and adds it to the manifest, written to disk
    /// if `persist` (not while the AOF waits for its first base: the files on disk would not add up yet).
    pub fn new_incr(&mut self, persist: bool) -> std::io::Result<File> {
        let seq = self.manifest.incrs.last().map_or(0, |f| f.seq) + 1;
        let name = incr_name(&self.prefix, seq);
        let file = self.open_for_append(&name)?;
        self.manifest.incrs.push(AofFile { name, seq, kind: FileKind::Incr });
        if persist {
            self.persist_manifest()?;
        }
        Ok(file)
    }

    /// The sequence number the next base file gets.
    pub fn next_base_seq(&self) -> u64 {
        self.manifest.base.as_ref().map_or(0, |f| f.seq) + 1
    }

    /// A rewrite finished: `temp` becomes the base (named `.rdb` when `rdb`), the old base and the incremental files before
    /// `first_kept_incr` become history and are deleted.
    pub fn install_base(&mut self, temp: &Path, first_kept_incr: u64, rdb: bool) -> std::io::Result<()> {
        let seq = self.next_base_seq();
        let name = base_name(&self.prefix, seq, rdb);
        std::fs::rename(temp, self.file_path(&name))?;
        // History in Redis's order: the replaced incremental files, the old base, then older history.
        let (mut history, kept): (Vec<AofFile>, Vec<AofFile>) =
            std::mem::take(&mut self.manifest.incrs).into_iter().partition(|f| f.seq < first_kept_incr);
        history.extend(self.manifest.base.take());
        history.append(&mut self.manifest.history);
        self.manifest.incrs = kept;
        self.manifest.base = Some(AofFile { name, seq, kind: FileKind::Base });
        for f in &mut history {
            f.kind = FileKind::History;
        }
        self.manifest.history = history;
        self.persist_manifest()?;
        self.delete_history()
    }

    /// Deletes the history files and drops them from the manifest (Redis's aofDelHistoryFiles).
    pub fn delete_history(&mut self) -> std::io::Result<()> {
        if self.manifest.history.is_empty() {
            return Ok(());
        }
        for f in &self.manifest.history {
            let _ = std::fs::remove_file(self.file_path(&f.name));
        }
        self.manifest.history.clear();
        self.persist_manifest()
    }

    /// Bytes in the base and incremental files (INFO `aof_current_size`), and in the base (`aof_base_size`).
    pub fn sizes(&self) -> (u64, u64) {
        let size = |f: &AofFile| std::fs::metadata(self.file_path(&f.name)).map_or(0, |m| m.len());
        let base = self.manifest.base.as_ref().map_or(0, size);
        (base + self.manifest.incrs.iter().map(size).sum::<u64>(), base)
    }
}

/// fsync of a directory, so a rename in it is durable.
pub fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}
