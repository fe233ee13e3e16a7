//! The manifest of an append-only directory, as Redis 7.0 writes and reads it (aof.c): which base file and
//! which incremental files make up the data, in order.

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
    pub history: Vec<AofFile>,
}

impl Manifest {
    /// Parses a manifest's text; the error is the message Redis logs for that problem.
    pub fn parse(_text: &[u8]) -> Result<Manifest, String> {
        Err("not implemented".into())
    }

    /// The manifest's text, in Redis's format (base first, then incremental files, then history).
    pub fn to_text(&self) -> Vec<u8> {
        Vec::new()
    }
}

/// `<appendfilename>.<seq>.base.aof`
pub fn base_name(appendfilename: &str, seq: u64) -> String {
    format!("{appendfilename}.{seq}.base.aof")
}

/// `<appendfilename>.<seq>.incr.aof`
pub fn incr_name(appendfilename: &str, seq: u64) -> String {
    format!("{appendfilename}.{seq}.incr.aof")
}

/// `<appendfilename>.manifest`
pub fn manifest_name(appendfilename: &str) -> String {
    format!("{appendfilename}.manifest")
}
