//! Storage: the keyspace and its values, independent of the network and of command syntax.

pub mod clock;
pub mod db;
pub mod key;
pub mod string;

pub use clock::Clock;
pub use db::{Db, Entry};
pub use string::RString;

pub use key::Key;

/// A value of one of Redis's types. Each type hides its encodings behind its own API.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(RString),
}

impl Value {
    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
        }
    }

    /// The string inside, or None for another type (the caller answers WRONGTYPE).
    #[allow(unreachable_patterns)]
    pub fn as_string(&self) -> Option<&RString> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    #[allow(unreachable_patterns)]
    pub fn as_string_mut(&mut self) -> Option<&mut RString> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::String(s) => s.encoding(),
        }
    }
}
