//! Number parsing and formatting exactly as Redis 7.0: `string2ll`, `strtod`-based doubles, `%.17g` replies and
//! the long double arithmetic of INCRBYFLOAT. The C library does the floating-point text work, as in Redis,
//! because any other algorithm differs in the last digit somewhere.

pub use super::decode::parse_i64;

/// Longest double text Redis accepts (`MAX_LONG_DOUBLE_CHARS`).
const MAX_FLOAT_CHARS: usize = 5 * 1024;

/// Redis's `getDoubleFromObject` on a string: `strtod` over the whole buffer, no leading space, no NaN, no
/// overflow to ±HUGE_VAL, no underflow to zero. Accepts `inf`, `-inf`, `+1.5`, `.5`, `1e3`, hex floats.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s.len() >= MAX_FLOAT_CHARS || s[0].is_ascii_whitespace() || s[0] == 0x0b {
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
    fn strtod_rules() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"+.5e1"), Some(5.0));
        for bad in [&b""[..], b" 1", b"1 ", b"nan", b"1e400", b"1e-400", b"abc", b"1\x002"] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
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
