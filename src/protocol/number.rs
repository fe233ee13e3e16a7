//! Number parsing and formatting exactly as Redis 7.0, in one place for the protocol, the commands, the config
//! and the AOF readers: `string2ll`, C's `strtol`, `memtoull` (memory units), `strtod`-based doubles, `%.17g`
//! replies and the long double arithmetic of INCRBYFLOAT. The C library does the floating-point text work, as
//! in Redis, because any other algorithm differs in the last digit somewhere.
// Not API: reachable from outside only through the hidden `internals` module, for this package's own tools.
#![allow(missing_docs)]

/// Longest double text Redis accepts (`MAX_LONG_DOUBLE_CHARS`).
const MAX_FLOAT_CHARS: usize = 5 * 1024;

/// Redis's `string2ll`: optional `-`, no leading zeros, no `+`, no spaces, no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s {
        [] => return None,
        [b'0'] => return Some(0),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// What C's `strtol(s, &end, radix)` returns.
#[derive(Debug, PartialEq, Eq)]
pub struct Strtol {
    /// Saturated at the i64 bounds on overflow, as glibc does.
    pub value: i64,
    /// How many bytes the number took (`end - s`): 0 when there are no digits (leading spaces included).
    pub len: usize,
    /// errno = ERANGE.
    pub overflow: bool,
}

/// C's `strtol` in base 10: leading whitespace, an optional sign, digits; stops at anything else (a NUL too).
pub fn strtol(s: &[u8]) -> Strtol {
    strtol_radix(s, 10)
}

/// C's `strtol` in a base from 2 to 10 (no `0x` prefixes: Redis parses nothing above base 10).
pub fn strtol_radix(s: &[u8], radix: u32) -> Strtol {
    let digit = |c: u8| Some(u32::from(c.wrapping_sub(b'0'))).filter(|d| *d < radix.min(10));
    let mut i = s.iter().take_while(|&&c| is_c_space(c)).count();
    let negative = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = s[i.min(s.len())..].iter().take_while(|&&c| digit(c).is_some()).count();
    if digits == 0 {
        return Strtol { value: 0, len: 0, overflow: false };
    }
    let (mut value, mut overflow) = (0i64, false);
    for &c in &s[i..i + digits] {
        let d = i64::from(digit(c).unwrap_or(0));
        // Accumulate toward the sign so i64::MIN is reachable, as strtol does.
        let next =
            value
                .checked_mul(i64::from(radix))
                .and_then(|v| if negative { v.checked_sub(d) } else { v.checked_add(d) });
        match next {
            Some(v) => value = v,
            None => {
                overflow = true;
                value = if negative { i64::MIN } else { i64::MAX };
                break;
            }
        }
    }
    Strtol { value, len: i + digits, overflow }
}

/// `strtol(s, &end, radix)` where `end` must reach the end of `s` (what config.c checks): the value and whether
/// it overflowed. The empty string is 0, as C leaves `end` at its terminator.
pub fn strtol_whole(s: &[u8], radix: u32) -> Option<(i64, bool)> {
    let parsed = strtol_radix(s, radix);
    (parsed.len == s.len()).then_some((parsed.value, parsed.overflow))
}

/// C's isspace() in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis's memtoull: digits and an optional unit (b, k, kb, m, mb, g, gb; any case). As in C, the digits
/// saturate on overflow (strtoull), the unit multiplication wraps, and an empty number is 0.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let (number, unit) = s.split_at(digits);
    let multiplier: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let value = number.iter().fold(0u64, |acc, c| acc.saturating_mul(10).saturating_add(u64::from(c - b'0')));
    Some(value.wrapping_mul(multiplier))
}

/// Redis's `getDoubleFromObject` on a string: [`string2d`] within Redis's length limit.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.len() >= MAX_FLOAT_CHARS {
        return None;
    }
    string2d(s)
}

/// Redis's `string2d`: `strtod` over the whole buffer, no leading space, no NaN, no overflow to ±HUGE_VAL, no
/// underflow to zero. Accepts `inf`, `-inf`, `+1.5`, `.5`, `1e3`, hex floats.
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let mut buf = [0u8; 128];
    let mut heap;
    let cstr: &mut [u8] = if s.len() < buf.len() {
        buf[..s.len()].copy_from_slice(s);
        &mut buf[..=s.len()]
    } else {
        heap = Vec::with_capacity(s.len() + 1);
        heap.extend_from_slice(s);
        heap.push(0);
        &mut heap
    };
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `cstr` is NUL-terminated and outlives the call; `end` points into it afterwards.
    let (value, consumed, erange) = unsafe {
        *libc::__errno_location() = 0;
        let base = cstr.as_mut_ptr() as *mut libc::c_char;
        let v = libc::strtod(base, &mut end);
        (v, end.offset_from(base) as usize, *libc::__errno_location() == libc::ERANGE)
    };
    if consumed != s.len() || value.is_nan() || (erange && (value.is_infinite() || value == 0.0)) {
        return None;
    }
    Some(value)
}

/// C's `strtod` over `text` (up to its first NUL byte): the number at its start, after any leading space, however
/// it ends; None when no number starts it. Out of range gives ±inf or 0 (or a denormal), as strtod does.
pub fn strtod_prefix(text: &[u8]) -> Option<f64> {
    let (value, consumed) = strtod_c(text);
    (consumed > 0).then_some(value)
}

/// C's `strtod` over `text` up to its first NUL byte (as a C string ends there): the value and how many bytes
/// of the text it read.
pub fn strtod_c(text: &[u8]) -> (f64, usize) {
    let text = text.split(|&c| c == 0).next().unwrap_or_default();
    let mut cstr = Vec::with_capacity(text.len() + 1);
    cstr.extend_from_slice(text);
    cstr.push(0);
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `cstr` is NUL-terminated and outlives the call; `end` points into it afterwards.
    unsafe {
        let base = cstr.as_ptr() as *const libc::c_char;
        let v = libc::strtod(base, &mut end);
        (v, end.offset_from(base) as usize)
    }
}

/// rdbLoadDoubleValue's `sscanf(buf, "%lg", &val)` over the text (up to its first NUL byte), with the C library's
/// own scanner: leading space skipped, the number at the start taken and the rest ignored ("1.5abc" is 1.5),
/// out of range is ±inf or 0; None when it converts nothing ("abc", "", and "0x", which scanf refuses though
/// strtod reads 0 of it).
pub fn scan_double(text: &[u8]) -> Option<f64> {
    let text = text.split(|&c| c == 0).next().unwrap_or_default();
    let mut cstr = Vec::with_capacity(text.len() + 1);
    cstr.extend_from_slice(text);
    cstr.push(0);
    let mut value: f64 = 0.0;
    // SAFETY: both strings are NUL-terminated; "%lg" stores one double through the pointer given.
    let converted =
        unsafe { libc::sscanf(cstr.as_ptr() as *const libc::c_char, c"%lg".as_ptr(), &mut value as *mut f64) };
    (converted == 1).then_some(value)
}

/// Appends `d` as C's `%.17g` (finite values; callers spell infinities as Redis does).
pub fn format_g17(d: f64, out: &mut Vec<u8>) {
    // Whole numbers below 1e17 print as their digits under %.17g (the exponent stays under the precision):
    // the common case of scores and counters, without the cost of snprintf.
    if d.fract() == 0.0 && d.abs() < 1e17 {
        if d == 0.0 && d.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            push_i64(d as i64, out);
        }
        return;
    }
    let mut buf = [0u8; 64];
    // SAFETY: the buffer is large enough for any %.17g output and snprintf NUL-terminates within it.
    let n = unsafe { libc::snprintf(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), c"%.17g".as_ptr(), d) };
    out.extend_from_slice(&buf[..(n.max(0) as usize).min(buf.len() - 1)]);
}

/// Why a long double sum failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LongDoubleError {
    /// One of the operands is not a valid float.
    NotFloat,
    /// The sum is NaN or infinite.
    NanOrInfinity,
}

extern "C" {
    fn embedis_add_long_double(
        a: *const u8,
        alen: usize,
        b: *const u8,
        blen: usize,
        out: *mut u8,
        outlen: usize,
    ) -> libc::c_int;
}

/// INCRBYFLOAT's arithmetic: `a + b` in long double, printed as `%.17Lf` without trailing zeros.
pub fn add_long_double(a: &[u8], b: &[u8]) -> Result<Vec<u8>, LongDoubleError> {
    let mut out = vec![0u8; MAX_FLOAT_CHARS];
    // SAFETY: pointers and lengths describe live buffers; the C side bounds every write by `outlen`.
    let n = unsafe { embedis_add_long_double(a.as_ptr(), a.len(), b.as_ptr(), b.len(), out.as_mut_ptr(), out.len()) };
    match n {
        -1 | -2 => Err(LongDoubleError::NotFloat),
        n if n < 0 => Err(LongDoubleError::NanOrInfinity),
        n => {
            out.truncate(n as usize);
            Ok(out)
        }
    }
}

/// Is `s` exactly how Redis would print the integer it parses to? (Strings that are can be stored as `int`.)
pub fn canonical_i64(s: &[u8]) -> Option<i64> {
    if s.len() > 20 {
        return None;
    }
    parse_i64(s)
}

/// Appends the decimal text of `n`.
pub fn push_i64(n: i64, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g17(d: f64) -> String {
        let mut v = Vec::new();
        format_g17(d, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn g17_matches_c() {
        assert_eq!(g17(0.1), "0.10000000000000001");
        assert_eq!(g17(1.0), "1");
        assert_eq!(g17(1e20), "1e+20");
        assert_eq!(g17(-0.0), "-0");
        assert_eq!(g17(123456789.125), "123456789.125");
        assert_eq!(g17(99999999999999984.0), "99999999999999984");
        assert_eq!(g17(1e17), "1e+17");
        assert_eq!(g17(-42.0), "-42");
        // The whole-number fast path agrees with snprintf.
        let mut rng = fastrand::Rng::with_seed(9);
        for _ in 0..10_000 {
            let d = (rng.f64() - 0.5) * 10f64.powi(rng.i32(0..18));
            for v in [d, d.trunc()] {
                let mut c = [0u8; 64];
                // SAFETY: the buffer is large enough for %.17g.
                let n = unsafe { libc::snprintf(c.as_mut_ptr() as *mut libc::c_char, 64, c"%.17g".as_ptr(), v) };
                assert_eq!(g17(v).as_bytes(), &c[..n as usize], "{v}");
            }
        }
    }

    #[test]
    fn string2ll_rules() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        for bad in [&b"9223372036854775808"[..], b"01", b"-0", b"+1", b" 1", b"1 ", b"", b"-", b"1.0"] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn strtol_is_c() {
        let v = |s: &[u8]| {
            let r = strtol(s);
            (r.value, r.len, r.overflow)
        };
        assert_eq!(v(b"12\r\n"), (12, 2, false));
        assert_eq!(v(b"  -7x"), (-7, 4, false));
        assert_eq!(v(b"+3"), (3, 2, false));
        assert_eq!(v(b"\r\n"), (0, 0, false));
        assert_eq!(v(b" -"), (0, 0, false));
        assert_eq!(v(b"9223372036854775807"), (i64::MAX, 19, false));
        assert_eq!(v(b"9223372036854775808"), (i64::MAX, 19, true));
        assert_eq!(v(b"-9223372036854775808"), (i64::MIN, 20, false));
        assert_eq!(v(b"-99999999999999999999"), (i64::MIN, 21, true));
        assert_eq!(v(b"1\x002"), (1, 1, false));
        let octal = strtol_radix(b"0778", 8);
        assert_eq!((octal.value, octal.len), (0o77, 3));
    }

    #[test]
    fn strtol_whole_needs_every_byte() {
        assert_eq!(strtol_whole(b"", 10), Some((0, false)));
        assert_eq!(strtol_whole(b" ", 10), None);
        assert_eq!(strtol_whole(b"+", 10), None);
        assert_eq!(strtol_whole(b" -12", 10), Some((-12, false)));
        assert_eq!(strtol_whole(b"99999999999999999999", 10), Some((i64::MAX, true)));
        assert_eq!(strtol_whole(b"-99999999999999999999", 10), Some((i64::MIN, true)));
        assert_eq!(strtol_whole(b"12x", 10), None);
        assert_eq!(strtol_whole(b" +0700", 8), Some((0o700, false)));
        assert_eq!(strtol_whole(b"8", 8), None);
        assert_eq!(strtol_whole(b"7777777777777777777777777", 8), Some((i64::MAX, true)));
    }

    #[test]
    fn memtoull_units() {
        for (text, bytes) in [
            (&b"0"[..], 0u64),
            (b"3B", 3),
            (b"1k", 1000),
            (b"1Kb", 1024),
            (b"2m", 2_000_000),
            (b"2mb", 2 << 20),
            (b"1g", 1_000_000_000),
            (b"1gB", 1 << 30),
            (b"", 0),
            (b"kb", 0),
            (b"99999999999999999999999", u64::MAX),
            (b"18446744073709551615kb", 18446744073709550592),
        ] {
            assert_eq!(memtoull(text), Some(bytes), "{:?}", String::from_utf8_lossy(text));
        }
        for bad in [&b"-1"[..], b"1.5gb", b"1 kb", b"1tb", b"1kbb", b"abc", b"-0", &[b'9'; 200]] {
            assert_eq!(memtoull(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn strtod_rules() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"+.5e1"), Some(5.0));
        for bad in [&b""[..], b" 1", b"\x0b1", b"1 ", b"nan", b"1e400", b"1e-400", b"abc", b"1\x002"] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(string2d(b"0x10"), Some(16.0));
        let long = format!("{}1", "0".repeat(MAX_FLOAT_CHARS));
        assert_eq!(parse_f64(long.as_bytes()), None, "over Redis's limit for a value");
        assert_eq!(string2d(long.as_bytes()), Some(1.0));
    }

    #[test]
    fn long_double_sum_prints_like_redis() {
        assert_eq!(add_long_double(b"10.5", b"0.1").unwrap(), b"10.6");
        assert_eq!(add_long_double(b"0", b"3.0e3").unwrap(), b"3000");
        assert_eq!(add_long_double(b"5", b"-5").unwrap(), b"0");
        assert_eq!(add_long_double(b"x", b"1"), Err(LongDoubleError::NotFloat));
        assert_eq!(add_long_double(b"1", b"nan"), Err(LongDoubleError::NotFloat));
        assert_eq!(add_long_double(b"1", b"inf"), Err(LongDoubleError::NanOrInfinity));
    }
}
