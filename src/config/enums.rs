//! The enum values the server reads typed (`loglevel`, `appendfsync`, `maxmemory-policy`,
//! `enable-debug-command`), each declared once: its variants, their names in config.c's order, and the
//! conversion its row uses.

use super::value::{FieldValue, Value};

/// Declares a typed enum directive's values once: the enum, `NAMES` (its row's values in config.c's order,
/// which Redis's error message lists), `name()` and its [`FieldValue`]. Variants after `;` are not values of
/// the directive.
macro_rules! directive_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $name:literal,)+
            $(; $($(#[$extra_meta:meta])* $extra:ident = $extra_name:literal,)+)?
        }
    ) => {
        $(#[$meta])*
        pub enum $ty {
            $($(#[$variant_meta])* #[doc = concat!("`", $name, "`")] $variant,)+
            $($($(#[$extra_meta])* #[doc = concat!("`", $extra_name, "`")] $extra,)+)?
        }

        impl $ty {
            pub(super) const NAMES: &'static [(&'static str, u32)] = &[$(($name, $ty::$variant as u32),)+];

            /// As CONFIG GET and INFO show it.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                    $($($ty::$extra => $extra_name,)+)?
                }
            }
        }

        impl FieldValue for $ty {
            fn to_value(&self) -> Value {
                Value::Enum(self.name().to_string())
            }
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    $(Value::Enum(name) if name == $name => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

directive_enum! {
    /// Who may use DEBUG (`enable-debug-command`): Redis 7.0's protected-config values.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum Protection {
        #[default]
        No = "no",
        Yes = "yes",
        Local = "local",
    }
}

directive_enum! {
    /// `loglevel`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
    pub enum LogLevel {
        Debug = "debug",
        Verbose = "verbose",
        #[default]
        Notice = "notice",
        Warning = "warning",
        ;
        /// Logs nothing (embedded servers): not a value of the directive.
        Nothing = "nothing",
    }
}

directive_enum! {
    /// `appendfsync`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum AppendFsync {
        #[default]
        EverySec = "everysec",
        Always = "always",
        No = "no",
    }
}

directive_enum! {
    /// `maxmemory-policy`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub enum MaxmemoryPolicy {
        VolatileLru = "volatile-lru",
        VolatileLfu = "volatile-lfu",
        VolatileRandom = "volatile-random",
        VolatileTtl = "volatile-ttl",
        AllkeysLru = "allkeys-lru",
        AllkeysLfu = "allkeys-lfu",
        AllkeysRandom = "allkeys-random",
        #[default]
        NoEviction = "noeviction",
    }
}

impl MaxmemoryPolicy {
    /// LRU and LFU policies keep per-object access metadata (Redis's MAXMEMORY_FLAG_NO_SHARED_INTEGERS).
    pub fn tracks_access(self) -> bool {
        !matches!(
            self,
            MaxmemoryPolicy::VolatileRandom
                | MaxmemoryPolicy::VolatileTtl
                | MaxmemoryPolicy::AllkeysRandom
                | MaxmemoryPolicy::NoEviction
        )
    }
}
