//! The hash type: `listpack` (fields and values in one compact buffer) while small, `hashtable` past
//! `hash-max-listpack-entries` / `hash-max-listpack-value`, converting one way as Redis does.

use super::listpack::Listpack;
use super::Key;
use foldhash::fast::RandomState;
use indexmap::IndexMap;

#[derive(Clone, Debug)]
pub enum RHash {
    Listpack(Listpack),
    Table(Box<IndexMap<Key, Box<[u8]>, RandomState>>),
}

impl RHash {
    pub fn encoding(&self) -> &'static str {
        match self {
            RHash::Listpack(_) => "listpack",
            RHash::Table(_) => "hashtable",
        }
    }
}
