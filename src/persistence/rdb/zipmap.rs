//! Zipmaps, the small encoding of hashes before Redis 2.6 (RDB type 9): read only, checked as
//! zipmapValidateIntegrity does in deep mode.
//!
//! Layout: a count byte (254 = unknown), then per pair: key length, key, value length, a "free" byte, value,
//! that many unused bytes; then 0xFF. A length is one byte, or 254 and a u32 (little endian).

const END: u8 = 0xff;
const BIGLEN: u8 = 254;

/// The length at `pos`; None for the end marker where a key would start (`key`). Where a value's length is
/// expected, 255 is no end marker but, as 254, the start of a 5-byte length (zipmapDecodeLength).
fn length(zm: &[u8], pos: &mut usize, key: bool) -> Result<Option<usize>, &'static str> {
    const CUT: &str = "a length within the zipmap";
    let first = *zm.get(*pos).ok_or(CUT)?;
    match first {
        END if key => Ok(None),
        BIGLEN | END => {
            let b = zm.get(*pos + 1..*pos + 5).ok_or(CUT)?;
            *pos += 5;
            let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
            // Redis walks its zipmaps by the length's value (zipmapEncodeLength), not by the form it has: a
            // short length in the long form is misread there, and never written.
            if n < usize::from(BIGLEN) {
                return Err("a zipmap length in its shortest form");
            }
            Ok(Some(n))
        }
        n => {
            *pos += 1;
            Ok(Some(usize::from(n)))
        }
    }
}

fn take<'a>(zm: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], &'static str> {
    let b = zm.get(*pos..).and_then(|r| r.get(..n)).ok_or("an entry within the zipmap")?;
    *pos += n;
    Ok(b)
}

/// Checks a whole zipmap and calls `visit` with each (key, value); returns the number of pairs. As in Redis, the
/// pairs end at the first end marker, and whatever lies between it and the last byte (an end marker too) is
/// not read.
pub fn read<'a>(
    zm: &'a [u8],
    mut visit: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), &'static str>,
) -> Result<usize, &'static str> {
    if zm.len() < 2 {
        return Err("a zipmap header");
    }
    if zm[zm.len() - 1] != END {
        return Err("a zipmap ending with its terminator");
    }
    let declared = usize::from(zm[0]);
    let mut pos = 1;
    let mut count = 0;
    while let Some(klen) = length(zm, &mut pos, true)? {
        let key = take(zm, &mut pos, klen)?;
        let vlen = length(zm, &mut pos, false)?.ok_or("a value after a zipmap key")?;
        let free = usize::from(*take(zm, &mut pos, 1)?.first().ok_or("a zipmap entry")?);
        let value = take(zm, &mut pos, vlen)?;
        take(zm, &mut pos, free)?;
        visit(key, value)?;
        count += 1;
    }
    // An empty zipmap is invalid, not an empty hash (zipmapValidateIntegrity).
    if count == 0 {
        return Err("a zipmap with at least one pair");
    }
    if declared != usize::from(BIGLEN) && declared != count {
        return Err("a zipmap whose header counts its pairs");
    }
    Ok(count)
}

/// Builds zipmaps as Redis 2.4 wrote them (tests and the legacy-file fixtures).
#[cfg(test)]
pub fn write(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut zm = vec![pairs.len().min(253) as u8];
    let len = |zm: &mut Vec<u8>, n: usize| {
        if n < usize::from(BIGLEN) {
            zm.push(n as u8);
        } else {
            zm.push(BIGLEN);
            zm.extend_from_slice(&(n as u32).to_le_bytes());
        }
    };
    for (k, v) in pairs {
        len(&mut zm, k.len());
        zm.extend_from_slice(k);
        len(&mut zm, v.len());
        zm.push(1);
        zm.extend_from_slice(v);
        zm.push(0);
    }
    zm.push(END);
    zm
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

    fn pairs(zm: &[u8]) -> Result<Pairs, &'static str> {
        let mut out = Vec::new();
        read(zm, |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn round_trip_and_truncations() {
        let big = vec![b'v'; 300];
        let zm = write(&[(b"a", b"1"), (b"name", &big), (b"", b"")]);
        assert_eq!(
            pairs(&zm).unwrap(),
            vec![(b"a".to_vec(), b"1".to_vec()), (b"name".to_vec(), big.clone()), (vec![], vec![])]
        );
        for cut in 0..zm.len() {
            assert!(pairs(&zm[..cut]).is_err(), "cut at {cut}");
        }
        let mut wrong = zm.clone();
        wrong[0] = 5;
        assert!(pairs(&wrong).is_err());
        let mut extra = zm.clone();
        extra.push(0);
        assert!(pairs(&extra).is_err());
    }

    #[test]
    fn checked_as_redis_checks() {
        // Pairs end at the first end marker; the bytes after it are not read (the last must be an end marker).
        assert_eq!(pairs(&[1, 1, b'a', 1, 0, b'v', 0xff, 7, 7, 0xff]).unwrap().len(), 1);
        assert!(pairs(&[1, 1, b'a', 1, 0, b'v', 0xff, 7, 7]).is_err());
        // Empty: invalid. A count of 255 is a count (only 254 means unknown).
        assert!(pairs(&[0, 0xff]).is_err());
        assert!(pairs(&[254, 0xff]).is_err());
        assert!(pairs(&[255, 1, b'a', 1, 0, b'v', 0xff]).is_err());
        assert_eq!(pairs(&[254, 1, b'a', 1, 0, b'v', 0xff]).unwrap().len(), 1);
        // A short length in the 5-byte form is refused.
        assert!(pairs(&[1, 254, 1, 0, 0, 0, b'a', 1, 0, b'v', 0xff]).is_err());
        // A value's length byte 255 starts a 5-byte length, as 254 does.
        let big = [b'v'; 300];
        let mut zm = vec![1, 1, b'a', 255];
        zm.extend_from_slice(&300u32.to_le_bytes());
        zm.push(0);
        zm.extend_from_slice(&big);
        zm.push(0xff);
        assert_eq!(pairs(&zm).unwrap(), vec![(b"a".to_vec(), big.to_vec())]);
    }
}
