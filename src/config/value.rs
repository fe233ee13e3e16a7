//! Scalar directive values (yes/no, string, enum, number): parsed from an argument with Redis's rules and error
//! texts (config.c's boolConfigSet, enumConfigSet, numericConfigSet), shown as CONFIG GET prints them, and
//! converted to and from typed `Config` fields ([`FieldValue`]).

use crate::protocol::number::{memtoull, parse_i64, strtol_whole};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// How a number is written, read and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumFmt {
    Int,
    /// Accepts units (1k, 5mb, ...), shown as plain bytes.
    Memory,
    /// Memory, or `N%` (stored negative, as Redis does).
    MemoryPercent,
    Octal,
}

/// A directive whose syntax is its own: `special.rs` parses and shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyPercentiles,
}

/// What a directive's value is: how its arguments parse and how CONFIG GET shows it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    Bool,
    Text,
    /// (name, value) pairs in config.c's order, which Redis's error message lists. With MULTI_ARG the values
    /// are bit flags and several names may be given.
    Enum(&'static [(&'static str, u32)]),
    /// Bounds are those of config.c; `unsigned` = a C unsigned type, compared as such (a huge memory value
    /// is fine for `maxmemory` but wraps negative for a signed `long long`).
    Num {
        min: i128,
        max: i128,
        unsigned: bool,
        fmt: NumFmt,
    },
    Special(Special),
}

/// A parsed scalar directive value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Bool(bool),
    /// As a C `long long`; unsigned kinds keep their bits (u64::MAX is -1).
    Int(i64),
    Text(Vec<u8>),
    /// The canonical name (for flag enums, the space-separated names).
    Enum(String),
}

impl Value {
    pub(super) fn int(&self) -> i64 {
        if let Value::Int(v) = self {
            *v
        } else {
            0
        }
    }
    pub(super) fn flag(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
    pub(super) fn bytes(&self) -> &[u8] {
        if let Value::Text(t) = self {
            t
        } else {
            &[]
        }
    }
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
    pub(super) fn name(&self) -> &str {
        if let Value::Enum(n) = self {
            n
        } else {
            ""
        }
    }

    /// As CONFIG GET shows it.
    pub(super) fn format(&self, kind: &Kind) -> String {
        match (self, kind) {
            (Value::Bool(b), _) => yes_no(*b).to_string(),
            (Value::Int(v), Kind::Num { fmt, .. }) => format_num(*v, *fmt),
            (Value::Int(v), _) => v.to_string(),
            (Value::Text(_), _) => self.text(),
            (Value::Enum(n), _) => n.clone(),
        }
    }
}

/// A typed field as its row sees it: read as a [`Value`], and written from one the row parsed, whose bounds
/// make the casts lossless. None: a value of another kind (never, for a well-formed row).
pub(super) trait FieldValue: Sized {
    fn to_value(&self) -> Value;
    fn from_value(value: &Value) -> Option<Self>;
}

impl FieldValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Integers travel as a C `long long`: unsigned fields keep their bits (u64::MAX is -1).
macro_rules! integer_field_value {
    ($($ty:ty),*) => {$(
        impl FieldValue for $ty {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(v) => Some(*v as $ty),
                    _ => None,
                }
            }
        }
    )*};
}

integer_field_value!(u16, u32, u64, usize, i32, i64);

impl FieldValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.as_bytes().to_vec())
    }
    fn from_value(value: &Value) -> Option<Self> {
        matches!(value, Value::Text(_)).then(|| value.text())
    }
}

/// Empty = none (`requirepass`).
impl FieldValue for Option<Vec<u8>> {
    fn to_value(&self) -> Value {
        Value::Text(self.clone().unwrap_or_default())
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(bytes) => Some((!bytes.is_empty()).then(|| bytes.clone())),
            _ => None,
        }
    }
}

/// Empty = none (`unixsocket`).
impl FieldValue for Option<PathBuf> {
    fn to_value(&self) -> Value {
        Value::Text(self.as_ref().map(|p| p.as_os_str().as_bytes().to_vec()).unwrap_or_default())
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(bytes) => Some((!bytes.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(bytes)))),
            _ => None,
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn format_num(v: i64, fmt: NumFmt) -> String {
    match fmt {
        NumFmt::MemoryPercent if v < 0 => format!("{}%", v.unsigned_abs()),
        NumFmt::Memory | NumFmt::MemoryPercent => (v as u64).to_string(),
        NumFmt::Octal => format!("{v:o}"),
        NumFmt::Int => v.to_string(),
    }
}

/// Parses a non-special directive's arguments by its kind (boolConfigSet, enumConfigSet, numericConfigSet);
/// `multi_arg`: several enum names may be given, as bit flags.
pub(super) fn parse_value(kind: Kind, multi_arg: bool, args: &[Vec<u8>]) -> Result<Value, String> {
    let arg = args.first().map(Vec::as_slice).unwrap_or_default();
    match kind {
        Kind::Bool => match yes_no_arg(arg) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err("argument must be 'yes' or 'no'".into()),
        },
        Kind::Text => Ok(Value::Text(arg.to_vec())),
        Kind::Enum(values) => parse_enum(values, args, multi_arg).map(Value::Enum),
        Kind::Num { min, max, unsigned, fmt } => {
            parse_num(arg, fmt).and_then(|v| check_bounds(v, min, max, unsigned, fmt))
        }
        // Specials never get here.
        Kind::Special(_) => Err("Invalid argument".into()),
    }
}

fn yes_no_arg(arg: &[u8]) -> Option<bool> {
    if arg.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if arg.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

fn parse_enum(values: &[(&str, u32)], args: &[Vec<u8>], bit_flags: bool) -> Result<String, String> {
    let error = || {
        let names: Vec<&str> = values.iter().map(|v| v.0).collect();
        format!("argument(s) must be one of the following: {}", names.join(", "))
    };
    if args.is_empty() || (!bit_flags && args.len() != 1) {
        return Err(error());
    }
    let mut bits = 0;
    for arg in args {
        let mut matched = false;
        for (name, value) in values {
            if name.as_bytes().eq_ignore_ascii_case(arg) {
                bits |= value;
                matched = true;
            }
        }
        if !matched {
            return Err(error());
        }
    }
    Ok(enum_name(values, bits, bit_flags))
}

/// configEnumGetName: the first name with exactly this value, else (flags) the names of the set bits.
fn enum_name(values: &[(&str, u32)], bits: u32, bit_flags: bool) -> String {
    if let Some((name, _)) = values.iter().find(|(_, v)| *v == bits) {
        return name.to_string();
    }
    let mut names = Vec::new();
    let mut unmatched = bits;
    for (name, v) in values {
        if bit_flags && *v != 0 && unmatched & v == *v {
            names.push(*name);
            unmatched &= !v;
        }
    }
    if names.is_empty() || unmatched != 0 {
        "unknown".into()
    } else {
        names.join(" ")
    }
}

/// What C's string functions see of `arg`: the bytes before its first NUL.
pub(super) fn c_string(arg: &[u8]) -> &[u8] {
    arg.split(|&b| b == 0).next().unwrap_or_default()
}

/// numericParseString: the number as a C `long long`, or the kind's error.
fn parse_num(arg: &[u8], fmt: NumFmt) -> Result<i64, String> {
    let parsed = match fmt {
        NumFmt::Int => parse_i64(arg),
        // memtoull reads a C string: a NUL ends the number (`maxmemory "5\0x"` is 5 in Redis too).
        NumFmt::Memory | NumFmt::MemoryPercent => memtoull(c_string(arg)).map(|v| v as i64),
        // An overflowing octal number (ERANGE) is refused.
        NumFmt::Octal => strtol_whole(arg, 8).filter(|(_, overflow)| !overflow).map(|(v, _)| v),
    };
    let parsed = match (parsed, fmt) {
        (None, NumFmt::MemoryPercent) => parse_percent(arg).map(|p| -p),
        (parsed, _) => parsed,
    };
    parsed.ok_or_else(|| {
        match fmt {
            NumFmt::Int => "argument couldn't be parsed into an integer",
            NumFmt::Memory => "argument must be a memory value",
            NumFmt::MemoryPercent => "argument must be a memory or percent value",
            NumFmt::Octal => "argument couldn't be parsed as an octal number",
        }
        .to_string()
    })
}

/// `N%` with N a non-negative integer.
fn parse_percent(arg: &[u8]) -> Option<i64> {
    match arg.split_last() {
        Some((b'%', digits)) if !digits.is_empty() => parse_i64(digits).filter(|v| *v >= 0),
        _ => None,
    }
}

/// numericBoundaryCheck.
fn check_bounds(v: i64, min: i128, max: i128, unsigned: bool, fmt: NumFmt) -> Result<Value, String> {
    let x = if unsigned { v as u64 as i128 } else { v as i128 };
    if fmt == NumFmt::MemoryPercent && v < 0 {
        // Percentages are stored negative; only their lower bound applies.
        if x < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if x < min || x > max {
        return Err(if fmt == NumFmt::Octal {
            format!("argument must be between {min:o} and {max:o} inclusive")
        } else {
            format!("argument must be between {min} and {max} inclusive")
        });
    }
    Ok(Value::Int(v))
}

#[cfg(test)]
mod tests {
    use crate::config::test_helpers::*;
    use crate::config::Config;

    #[test]
    fn memory_units() {
        for (text, bytes) in [
            ("0", 0u64),
            ("1", 1),
            ("3B", 3),
            ("1k", 1000),
            ("1K", 1000),
            ("1kb", 1024),
            ("1Kb", 1024),
            ("2m", 2_000_000),
            ("2mb", 2 << 20),
            ("1g", 1_000_000_000),
            ("1GB", 1 << 30),
            ("1gB", 1 << 30),
            ("", 0),
            ("kb", 0),
            ("99999999999999999999999", u64::MAX),
            ("18446744073709551615kb", 18446744073709550592),
        ] {
            let cfg = load(&format!("maxmemory \"{text}\"")).unwrap();
            assert_eq!(cfg.maxmemory, bytes, "{text}");
        }
        for bad in ["-1", "1.5gb", "1 kb", "1tb", "1kbb", "abc", "-0"] {
            let err = load_err(&format!("maxmemory \"{bad}\""));
            assert!(err.ends_with("argument must be a memory value"), "{bad}: {err}");
        }
        let huge = "9".repeat(200);
        assert!(load_err(&format!("maxmemory {huge}")).ends_with("argument must be a memory value"));
    }

    #[test]
    fn integers_are_strict() {
        for bad in ["007", "-0", "+5", " 5", "5 ", "1.5", "", "1k", "99999999999999999999", "abc"] {
            let err = load_err(&format!("timeout \"{bad}\""));
            assert!(err.ends_with("argument couldn't be parsed into an integer"), "{bad}: {err}");
        }
        assert!(load_err("port 70000").ends_with("argument must be between 0 and 65535 inclusive"));
        assert!(load_err("port -1").ends_with("argument must be between 0 and 65535 inclusive"));
        assert!(load_err("databases 0").ends_with("argument must be between 1 and 2147483647 inclusive"));
        assert!(load_err("maxclients -1").ends_with("argument must be between 1 and 4294967295 inclusive"));
        assert!(load_err("proto-max-bulk-len 99999999999999999999")
            .ends_with("argument must be between 1048576 and 9223372036854775807 inclusive"));
        assert!(load("slowlog-log-slower-than -9223372036854775808").is_err());
        assert_eq!(load("list-max-listpack-size -2147483648").unwrap().list_max_listpack_size, i32::MIN);
    }

    #[test]
    fn octal_and_percent() {
        assert_eq!(load("unixsocketperm \"\"").unwrap().unixsocketperm, 0);
        assert_eq!(load("unixsocketperm \" +0700\"").unwrap().unixsocketperm, 0o700);
        assert!(load_err("unixsocketperm 999").ends_with("argument couldn't be parsed as an octal number"));
        assert!(load_err("unixsocketperm 1000").ends_with("argument must be between 0 and 777 inclusive"));
        assert!(load_err("unixsocketperm -1").ends_with("argument must be between 0 and 777 inclusive"));
        let mut cfg = Config::default();
        set(&mut cfg, &[("maxmemory-clients", "10%")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory-clients"), "10%");
        set(&mut cfg, &[("maxmemory-clients", "0%")]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory-clients"), "0");
        assert_eq!(
            set(&mut cfg, &[("maxmemory-clients", "101%")]).unwrap_err(),
            "CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"
        );
        for bad in ["-5", "5%%", "%", "abc"] {
            assert!(set(&mut cfg, &[("maxmemory-clients", bad)])
                .unwrap_err()
                .ends_with("argument must be a memory or percent value"));
        }
    }
}
