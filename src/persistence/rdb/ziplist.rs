//! Ziplists, the small encoding of hashes, sorted sets and lists before Redis 7.0 (RDB types 10, 12, 13 and the
//! nodes of quicklists in RDB 7–9): read only, with every check of ziplistValidateIntegrity's deep mode.
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), entry count (u16 LE, 65535 = unknown),
//! entries, 0xFF. An entry is the previous entry's length (1 byte, or 0xFE and a u32 LE), its encoding, its data.

use super::listpack::Item;

const HEADER: usize = 10;
const END: u8 = 0xff;

/// The entry at `p`: its item and its total length.
fn decode(p: &[u8]) -> Result<(usize, Item<'_>, usize), &'static str> {
    const CUT: &str = "an entry within the ziplist";
    let (prevlen, at) = match *p.first().ok_or(CUT)? {
        254 => {
            let b = p.get(1..5).ok_or(CUT)?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 5)
        }
        255 => return Err("a ziplist entry's previous length"),
        n => (usize::from(n), 1),
    };
    let enc = *p.get(at).ok_or(CUT)?;
    let data = |header: usize, n: usize| p.get(at + header..).and_then(|r| r.get(..n)).ok_or(CUT);
    let int = |header: usize, n: usize| -> Result<i64, &'static str> {
        let b = data(header, n)?;
        let v = b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        let shift = 64 - 8 * n as u32;
        Ok(((v << shift) as i64) >> shift)
    };
    let (item, header, n) = match enc {
        0x00..=0x3f => {
            let n = usize::from(enc);
            (Item::Str(data(1, n)?), 1, n)
        }
        0x40..=0x7f => {
            let n = (usize::from(enc & 0x3f) << 8) | usize::from(*p.get(at + 1).ok_or(CUT)?);
            (Item::Str(data(2, n)?), 2, n)
        }
        0x80..=0xbf => {
            let b = p.get(at + 1..at + 5).ok_or(CUT)?;
            let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            (Item::Str(data(5, n)?), 5, n)
        }
        0xc0 => (Item::Int(int(1, 2)?), 1, 2),
        0xd0 => (Item::Int(int(1, 4)?), 1, 4),
        0xe0 => (Item::Int(int(1, 8)?), 1, 8),
        0xf0 => (Item::Int(int(1, 3)?), 1, 3),
        0xfe => (Item::Int(int(1, 1)?), 1, 1),
        0xf1..=0xfd => (Item::Int(i64::from(enc & 0x0f) - 1), 1, 0),
        _ => return Err("a valid ziplist entry encoding"),
    };
    Ok((prevlen, item, at + header + n))
}

/// Checks a whole ziplist and calls `visit` with each entry in order; returns the number of entries.
pub fn read<'a>(
    zl: &'a [u8],
    mut visit: impl FnMut(Item<'a>) -> Result<(), &'static str>,
) -> Result<usize, &'static str> {
    if zl.len() < HEADER + 1 {
        return Err("a ziplist header");
    }
    let u32_at = |i: usize| u32::from_le_bytes([zl[i], zl[i + 1], zl[i + 2], zl[i + 3]]) as usize;
    if u32_at(0) != zl.len() {
        return Err("a ziplist whose header gives its size");
    }
    if zl[zl.len() - 1] != END {
        return Err("a ziplist ending with its terminator");
    }
    let tail = u32_at(4);
    let declared = usize::from(u16::from_le_bytes([zl[8], zl[9]]));
    let end = zl.len() - 1;
    let (mut pos, mut prev_len, mut last, mut count) = (HEADER, 0, HEADER, 0);
    while pos < end {
        let (prevlen, item, len) = decode(&zl[pos..end])?;
        if prevlen != prev_len {
            return Err("a ziplist entry whose previous length is the previous entry's");
        }
        visit(item)?;
        last = pos;
        prev_len = len;
        pos += len;
        count += 1;
    }
    if tail != last {
        return Err("a ziplist whose header points at its last entry");
    }
    if declared != 65535 && declared != count {
        return Err("a ziplist whose header counts its entries");
    }
    Ok(count)
}

/// Builds ziplists as Redis 6 wrote them (tests and the legacy-file fixtures).
#[cfg(test)]
pub fn write<'a>(entries: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut zl = vec![0; HEADER];
    let (mut prev_len, mut last, mut count) = (0usize, HEADER, 0usize);
    for e in entries {
        let start = zl.len();
        if prev_len < 254 {
            zl.push(prev_len as u8);
        } else {
            zl.push(254);
            zl.extend_from_slice(&(prev_len as u32).to_le_bytes());
        }
        match crate::protocol::number::canonical_i64(e) {
            Some(v @ 0..=12) => zl.push(0xf1 + v as u8),
            Some(v) if i8::try_from(v).is_ok() => zl.extend_from_slice(&[0xfe, v as u8]),
            Some(v) if i16::try_from(v).is_ok() => {
                zl.push(0xc0);
                zl.extend_from_slice(&(v as i16).to_le_bytes());
            }
            Some(v) if (-8_388_608..=8_388_607).contains(&v) => {
                zl.push(0xf0);
                zl.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            Some(v) if i32::try_from(v).is_ok() => {
                zl.push(0xd0);
                zl.extend_from_slice(&(v as i32).to_le_bytes());
            }
            Some(v) => {
                zl.push(0xe0);
                zl.extend_from_slice(&v.to_le_bytes());
            }
            None if e.len() < 64 => {
                zl.push(e.len() as u8);
                zl.extend_from_slice(e);
            }
            None if e.len() < 16384 => {
                zl.extend_from_slice(&[0x40 | (e.len() >> 8) as u8, e.len() as u8]);
                zl.extend_from_slice(e);
            }
            None => {
                zl.push(0x80);
                zl.extend_from_slice(&(e.len() as u32).to_be_bytes());
                zl.extend_from_slice(e);
            }
        }
        last = start;
        prev_len = zl.len() - start;
        count += 1;
    }
    zl.push(END);
    let total = zl.len() as u32;
    zl[..4].copy_from_slice(&total.to_le_bytes());
    zl[4..8].copy_from_slice(&(last as u32).to_le_bytes());
    zl[8..10].copy_from_slice(&(count.min(65535) as u16).to_le_bytes());
    zl
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(zl: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
        let mut out = Vec::new();
        read(zl, |item| {
            out.push(item.bytes(&mut itoa::Buffer::new()).to_vec());
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_every_encoding() {
        let long = vec![b'x'; 20000];
        let mid = vec![b'y'; 300];
        let samples: Vec<&[u8]> = vec![
            b"0",
            b"12",
            b"13",
            b"-1",
            b"-128",
            b"300",
            b"-32768",
            b"8388607",
            b"-8388608",
            b"2147483647",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"",
            b"abc",
            &mid,
            &long,
            b"after",
        ];
        let zl = write(samples.iter().copied());
        assert_eq!(items(&zl).unwrap(), samples.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
        assert_eq!(items(&write(std::iter::empty())).unwrap().len(), 0);
    }

    #[test]
    fn hand_laid_ziplist_reads() {
        // "a", 1 (immediate), "b", "hello": entries at 10, 13, 15 and 18 (the tail), 26 bytes in all.
        let zl =
            [26, 0, 0, 0, 18, 0, 0, 0, 4, 0, 0, 1, b'a', 3, 0xf2, 2, 1, b'b', 3, 5, b'h', b'e', b'l', b'l', b'o', 0xff];
        assert_eq!(items(&zl).unwrap(), [&b"a"[..], b"1", b"b", b"hello"]);
        assert_eq!(write([&b"a"[..], b"1", b"b", b"hello"].into_iter()), zl);
    }

    #[test]
    fn every_truncation_and_lie_is_refused() {
        let zl = write([&b"a"[..], b"1", b"hello", b"-5000"].into_iter());
        for cut in 0..zl.len() {
            assert!(items(&zl[..cut]).is_err(), "cut at {cut}");
        }
        let mut tail = zl.clone();
        tail[4] += 1;
        assert!(items(&tail).is_err());
        let mut count = zl.clone();
        count[8] = 9;
        assert!(items(&count).is_err());
        let mut prev = zl.clone();
        prev[HEADER + 3] = 7;
        assert!(items(&prev).is_err());
        let mut rng = fastrand::Rng::with_seed(12);
        for _ in 0..5000 {
            let mut bad = zl.clone();
            let i = rng.usize(..bad.len());
            bad[i] = rng.u8(..);
            let _ = items(&bad);
        }
    }
}
