//! The core behind the state lock, knowing nothing of sockets: the state every command touches (`state`), the
//! clients as commands see them (`client`), the command rows (`command`), their index (`table`) and the
//! dispatcher with its gates (`dispatch`), what operators observe (`observe`), memory and eviction (`memory`),
//! the test kit's armed faults (`faults`), the script gate (`script_gate`), key events and clients blocked on
//! keys (`key_events`, `blocking`) and what a shutdown checks first (`shutdown`).
//!
//! Families (`cmd/`, `scripting/`) add rows and handlers on top of it; the network side (`server/`) feeds it
//! commands. It imports neither.

pub mod blocking;
pub mod client;
pub mod command;
pub mod dispatch;
pub mod evict;
pub mod expire;
pub mod faults;
pub mod key_events;
pub mod memory;
pub mod observe;
pub mod script_gate;
pub mod script_id;
pub mod state;
pub mod table;

pub use command::{flags, CommandSpec};
pub use dispatch::Ctx;
