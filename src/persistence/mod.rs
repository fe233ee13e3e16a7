//! Persistence consumes the stream of executed effects (ARCHITECTURE.md rule 9): `effects` records what each
//! execution unit did as RESP commands; the append-only file writes that stream and replays it through dispatch.

pub mod aof;
pub mod child;
pub mod effects;
pub mod load;
pub mod rdb;
pub mod save;
pub mod shutdown;

pub use effects::Effects;
