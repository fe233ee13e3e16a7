//! The set type: `intset` (sorted integers, compact) while every member is an integer and there are at most
//! `set-max-intset-entries`, `hashtable` otherwise, converting one way as Redis 7.0 does.

use super::Key;
use foldhash::fast::RandomState;
use indexmap::IndexSet;

#[derive(Clone, Debug)]
pub enum RSet {
    Intset(Vec<i64>),
    Table(Box<IndexSet<Key, RandomState>>),
}

impl RSet {
    pub fn encoding(&self) -> &'static str {
        match self {
            RSet::Intset(_) => "intset",
            RSet::Table(_) => "hashtable",
        }
    }
}
