//! Reading commands back from an append-only file (Redis's loadSingleAppendOnlyFile and redis-check-aof):
//! RESP multibulk commands, `#` annotation lines skipped, and the difference between a tail cut short by a crash
//! (truncated: loadable up to the last complete command) and damage (corrupt: a stop with the offset and reason).

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

/// Reads the command (or annotation lines, then the command) starting at `at`.
pub fn next_command(_buf: &[u8], _at: usize) -> Next<'_> {
    Next::End
}
