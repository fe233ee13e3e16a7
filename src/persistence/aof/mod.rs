//! The append-only file (Redis 7.0's multi-part AOF): a directory holding a manifest, one base file and
//! incremental files of RESP commands.

pub mod manifest;
pub mod parse;
