//! The sorted set type: `listpack` (member/score pairs in score order, one compact buffer) while small,
//! `skiplist` past `zset-max-listpack-entries` / `zset-max-listpack-value`: an order-statistic tree of
//! (score, member) for ranks and ranges in O(log n), plus a member -> score map.

use super::listpack::Listpack;

#[derive(Clone, Debug)]
pub enum RZSet {
    Listpack(Listpack),
}

impl RZSet {
    pub fn encoding(&self) -> &'static str {
        match self {
            RZSet::Listpack(_) => "listpack",
        }
    }
}
