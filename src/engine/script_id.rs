//! A script's id (the SHA1 of its body, in lowercase hex): what EVALSHA names, and what the script gate
//! remembers about where a script runs.

use sha1::{Digest, Sha1};

/// A script's id: the SHA1 of its body in lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScriptId([u8; 40]);

impl ScriptId {
    pub fn of_body(body: &[u8]) -> ScriptId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = [0; 40];
        for (i, b) in Sha1::digest(body).iter().enumerate() {
            id[2 * i] = HEX[(b >> 4) as usize];
            id[2 * i + 1] = HEX[(b & 15) as usize];
        }
        ScriptId(id)
    }

    /// An id as EVALSHA and SCRIPT EXISTS take it, in any case; None if it cannot name a script.
    pub fn parse(text: &[u8]) -> Option<ScriptId> {
        let id: [u8; 40] = text.try_into().ok()?;
        Some(ScriptId(id.map(|b| b.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        // Built from hex digits or checked-length client bytes lowercased: shown lossily if not UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}
