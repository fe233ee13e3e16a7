//! Storage: the keyspace and its values, independent of the network and of command syntax.

pub mod clock;
pub mod db;
pub mod hash;
pub mod key;
pub mod lfu;
pub mod list;
pub mod listpack;
pub mod memory;
pub mod random;
pub mod scan;
pub mod set;
pub mod string;
pub mod zset;

pub use clock::Clock;
pub use db::{Db, Entry};
pub use hash::RHash;
pub use list::RList;
pub use set::RSet;
pub use string::RString;
pub use zset::RZSet;

pub use key::Key;

/// A value of one of Redis's types. Each type hides its encodings behind its own API.
#[derive(Clone, Debug)]
pub enum Value {
    String(RString),
    Hash(RHash),
    Set(RSet),
    ZSet(RZSet),
    /// Boxed: a deque and a count are more than the other variants' handle, and every entry holds a Value.
    List(Box<RList>),
}

/// A type a key's value can be: what a typed lookup (`Db::read`, `Db::write`) finds in a `Value`.
pub trait Typed: Sized {
    fn of(value: &Value) -> Option<&Self>;
    fn of_mut(value: &mut Value) -> Option<&mut Self>;
}

macro_rules! typed {
    ($type:ty, $get:ident, $get_mut:ident) => {
        impl Typed for $type {
            fn of(value: &Value) -> Option<&Self> {
                value.$get()
            }
            fn of_mut(value: &mut Value) -> Option<&mut Self> {
                value.$get_mut()
            }
        }
    };
}

typed!(RString, as_string, as_string_mut);
typed!(RHash, as_hash, as_hash_mut);
typed!(RSet, as_set, as_set_mut);
typed!(RZSet, as_zset, as_zset_mut);
typed!(RList, as_list, as_list_mut);

impl Value {
    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::List(_) => "list",
        }
    }

    /// The string inside, or None for another type (the caller answers WRONGTYPE).
    pub fn as_string(&self) -> Option<&RString> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_string_mut(&mut self) -> Option<&mut RString> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_hash_mut(&mut self) -> Option<&mut RHash> {
        match self {
            Value::Hash(h) => Some(h),
            _ => None,
        }
    }

    pub fn as_hash(&self) -> Option<&RHash> {
        match self {
            Value::Hash(h) => Some(h),
            _ => None,
        }
    }

    pub fn as_set(&self) -> Option<&RSet> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_set_mut(&mut self) -> Option<&mut RSet> {
        match self {
            Value::Set(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_zset(&self) -> Option<&RZSet> {
        match self {
            Value::ZSet(z) => Some(z),
            _ => None,
        }
    }

    pub fn as_zset_mut(&mut self) -> Option<&mut RZSet> {
        match self {
            Value::ZSet(z) => Some(z),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&RList> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_list_mut(&mut self) -> Option<&mut RList> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::String(s) => s.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::List(l) => l.encoding(),
        }
    }
}
