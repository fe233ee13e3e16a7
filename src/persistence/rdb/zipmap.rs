//! Zipmaps, the small encoding of hashes before Redis 2.6 (RDB type 9): read only, checked as
//! zipmapValidateIntegrity does in deep mode.
//!
//! Layout: a count byte (254 = unknown), then per pair: key length, key, value length, a "free" byte, value,
//! that many unused bytes; then 0xFF. A length is one byte, or 254 and a u32 (little endian).

const END: u8 = 0xff;
const BIGLEN: u8 = 254;

fn length(zm: &[u8], pos: &mut usize) -> Result<Option<usize>, &'static str> {
    const CUT: &str = "a length within the zipmap";
    let first = *zm.get(*pos).ok_or(CUT)?;
    match first {
        END => Ok(None),
        BIGLEN => {
            let b = zm.get(*pos + 1..*pos + 5).ok_or(CUT)?;
            *pos += 5;
            Ok(Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize))
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

/// Checks a whole zipmap and calls `visit` with each (key, value); returns the number of pairs.
pub fn read<'a>(
    zm: &'a [u8],
    mut visit: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), &'static str>,
) -> Result<usize, &'static str> {
    let declared = usize::from(*zm.first().ok_or("a zipmap header")?);
    let mut pos = 1;
    let mut count = 0;
    while let Some(klen) = length(zm, &mut pos)? {
        let key = take(zm, &mut pos, klen)?;
        let vlen = length(zm, &mut pos)?.ok_or("a value after a zipmap key")?;
        let free = usize::from(*take(zm, &mut pos, 1)?.first().ok_or("a zipmap entry")?);
        let value = take(zm, &mut pos, vlen)?;
        take(zm, &mut pos, free)?;
        visit(key, value)?;
        count += 1;
    }
    if pos + 1 != zm.len() {
        return Err("a zipmap ending at its terminator");
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
}
