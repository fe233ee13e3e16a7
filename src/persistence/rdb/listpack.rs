//! Listpacks as RDB stores them (hashes, sorted sets and, in RDB 11, sets in their small encoding save one
//! listpack as a string): written as Redis 7.0's lpAppend builds them, read with every check of
//! lpValidateIntegrity's deep mode, since the bytes come from a file or a client's RESTORE.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 = unknown), entries, 0xFF. An entry is its
//! encoding byte(s), the data, then its own length written backwards ("backlen", 1 to 5 bytes).

use crate::protocol::number;

const HEADER: usize = 6;
const EOF: u8 = 0xff;

/// A listpack as Redis 7.0's lpAppend builds it from `entries` (hashes and sorted sets in their small encoding
/// save these bytes as one string): a string that is a canonical integer takes the smallest integer encoding.
pub fn write<'a>(entries: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut lp = vec![0; HEADER];
    let mut count: usize = 0;
    for entry in entries {
        let start = lp.len();
        match number::canonical_i64(entry) {
            Some(v) => write_int(&mut lp, v),
            None => write_str(&mut lp, entry),
        }
        let len = lp.len() - start;
        write_backlen(&mut lp, len as u64);
        count += 1;
    }
    lp.push(EOF);
    let total = lp.len() as u32;
    lp[..4].copy_from_slice(&total.to_le_bytes());
    // More elements than 16 bits can count are stored as "unknown" (65535).
    lp[4..6].copy_from_slice(&(count.min(65535) as u16).to_le_bytes());
    lp
}

fn write_int(lp: &mut Vec<u8>, v: i64) {
    if (0..=127).contains(&v) {
        lp.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u64 & 0x1fff) as u16;
        lp.extend_from_slice(&[0xc0 | (u >> 8) as u8, u as u8]);
    } else if let Ok(v) = i16::try_from(v) {
        lp.push(0xf1);
        lp.extend_from_slice(&v.to_le_bytes());
    } else if (-8_388_608..=8_388_607).contains(&v) {
        lp.push(0xf2);
        lp.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if let Ok(v) = i32::try_from(v) {
        lp.push(0xf3);
        lp.extend_from_slice(&v.to_le_bytes());
    } else {
        lp.push(0xf4);
        lp.extend_from_slice(&v.to_le_bytes());
    }
}

fn write_str(lp: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 64 {
        lp.push(0x80 | len as u8);
    } else if len < 4096 {
        lp.extend_from_slice(&[0xe0 | (len >> 8) as u8, len as u8]);
    } else {
        lp.push(0xf0);
        lp.extend_from_slice(&(len as u32).to_le_bytes());
    }
    lp.extend_from_slice(s);
}

/// lpEncodeBacklen: an entry's length, readable from its end (7 bits per byte, the high bit on all but the first).
fn write_backlen(lp: &mut Vec<u8>, l: u64) {
    let bytes = backlen_size(l);
    for i in (0..bytes).rev() {
        let part = ((l >> (7 * i)) & 127) as u8;
        lp.push(if i == bytes - 1 { part } else { part | 128 });
    }
}

fn backlen_size(l: u64) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// One entry's data: an integer or a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> Item<'a> {
    /// The entry as bytes: an integer as its decimal text (in `scratch`).
    pub fn bytes<'s>(self, scratch: &'s mut itoa::Buffer) -> &'s [u8]
    where
        'a: 's,
    {
        match self {
            Item::Int(v) => scratch.format(v).as_bytes(),
            Item::Str(s) => s,
        }
    }
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Decodes the entry at the start of `p`: its item and its encoded length (without the backlen).
fn decode(p: &[u8]) -> Result<(Item<'_>, usize), &'static str> {
    let first = *p.first().ok_or("a listpack entry")?;
    let take = |n: usize| p.get(1..1 + n).ok_or("an entry within the listpack");
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    let (item, len) = match first {
        0x00..=0x7f => (Item::Int(i64::from(first)), 1),
        0x80..=0xbf => {
            let n = usize::from(first & 0x3f);
            (Item::Str(take(n)?), 1 + n)
        }
        0xc0..=0xdf => {
            let low = *take(1)?.first().ok_or("an entry within the listpack")?;
            (Item::Int(sign_extend((u64::from(first & 0x1f) << 8) | u64::from(low), 13)), 2)
        }
        0xe0..=0xef => {
            let low = *p.get(1).ok_or("an entry within the listpack")?;
            let n = (usize::from(first & 0x0f) << 8) | usize::from(low);
            (Item::Str(p.get(2..2 + n).ok_or("an entry within the listpack")?), 2 + n)
        }
        0xf0 => {
            let n = le(take(4)?) as usize;
            (Item::Str(p.get(5..).and_then(|r| r.get(..n)).ok_or("an entry within the listpack")?), 5 + n)
        }
        0xf1 => (Item::Int(sign_extend(le(take(2)?), 16)), 3),
        0xf2 => (Item::Int(sign_extend(le(take(3)?), 24)), 4),
        0xf3 => (Item::Int(sign_extend(le(take(4)?), 32)), 5),
        0xf4 => (Item::Int(le(take(8)?) as i64), 9),
        _ => return Err("a valid listpack entry encoding"),
    };
    Ok((item, len))
}

/// lpDecodeBacklen: the back-length that ends at `lp[last]`, read backwards as Redis reads it (7 bits a byte,
/// least significant group last, going on while a byte has its high bit, at most 5 bytes).
fn decode_backlen(lp: &[u8], last: usize) -> u64 {
    let (mut v, mut shift, mut at) = (0u64, 0u32, last);
    loop {
        let b = lp[at];
        v |= u64::from(b & 127) << shift;
        if b & 128 == 0 {
            return v;
        }
        shift += 7;
        if shift > 28 || at == 0 {
            return u64::MAX;
        }
        at -= 1;
    }
}

/// lpValidateNext's check of the back-length after the entry of `entry_len` bytes at `lp[start..]`, which must
/// end before `end` (the terminator): it takes as many bytes as that length's encoding needs and must read back,
/// from its last byte, as that length. Returns its size.
fn check_backlen(lp: &[u8], start: usize, entry_len: usize, end: usize) -> Result<usize, &'static str> {
    let size = backlen_size(entry_len as u64);
    let stop = start + entry_len + size;
    if stop > end {
        return Err("an entry's back-length within the listpack");
    }
    if decode_backlen(lp, stop - 1) != entry_len as u64 {
        return Err("a back-length equal to the entry's length");
    }
    Ok(size)
}

/// Checks a whole listpack and calls `visit` with each entry in order; returns the number of entries.
pub fn read<'a>(
    lp: &'a [u8],
    mut visit: impl FnMut(Item<'a>) -> Result<(), &'static str>,
) -> Result<usize, &'static str> {
    if lp.len() < HEADER + 1 {
        return Err("a listpack header");
    }
    let total = u32::from_le_bytes([lp[0], lp[1], lp[2], lp[3]]) as usize;
    if total != lp.len() {
        return Err("a listpack whose header gives its size");
    }
    if lp[lp.len() - 1] != EOF {
        return Err("a listpack ending with its terminator");
    }
    let declared = usize::from(u16::from_le_bytes([lp[4], lp[5]]));
    let end = lp.len() - 1;
    let mut pos = HEADER;
    let mut count = 0;
    while pos < end {
        let (item, len) = decode(&lp[pos..end])?;
        let back = check_backlen(lp, pos, len, end)?;
        visit(item)?;
        pos += len + back;
        count += 1;
    }
    if declared != 65535 && declared != count {
        return Err("a listpack whose header counts its entries");
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(lp: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
        let mut out = Vec::new();
        read(lp, |item| {
            out.push(item.bytes(&mut itoa::Buffer::new()).to_vec());
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_every_encoding_it_writes() {
        let long = vec![b'q'; 5000];
        let mid = vec![b'm'; 300];
        let samples: Vec<&[u8]> = vec![
            b"0",
            b"127",
            b"128",
            b"-4096",
            b"4095",
            b"-32768",
            b"32767",
            b"8388607",
            b"-8388608",
            b"2147483647",
            b"-2147483648",
            b"9223372036854775807",
            b"-9223372036854775808",
            b"",
            b"abc",
            b"007",
            &mid,
            &long,
        ];
        let lp = write(samples.iter().copied());
        assert_eq!(items(&lp).unwrap(), samples.iter().map(|s| s.to_vec()).collect::<Vec<_>>());
    }

    #[test]
    fn every_truncation_and_header_lie_is_refused() {
        let lp = write([&b"a"[..], b"1", b"hello", b"-5000"].into_iter());
        for cut in 0..lp.len() {
            assert!(items(&lp[..cut]).is_err(), "cut at {cut}");
        }
        let mut wrong_count = lp.clone();
        wrong_count[4] = 3;
        assert_eq!(items(&wrong_count), Err("a listpack whose header counts its entries"));
        let mut unknown_count = lp.clone();
        unknown_count[4..6].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(items(&unknown_count).unwrap().len(), 4);
        let mut wrong_backlen = lp.clone();
        wrong_backlen[8] = 5;
        assert!(items(&wrong_backlen).is_err());
        // A string length pointing past the end.
        let mut past_end = lp.clone();
        past_end[6] = 0xbf;
        assert!(items(&past_end).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(11);
        let lp = write([&b"field"[..], b"12", b"value", b"-70000", &[b'z'; 100]].into_iter());
        for _ in 0..5000 {
            let mut bad = lp.clone();
            for _ in 0..rng.usize(1..4) {
                let i = rng.usize(..bad.len());
                bad[i] = rng.u8(..);
            }
            let _ = items(&bad);
        }
    }

    #[test]
    fn back_lengths_are_read_backwards_as_redis_reads_them() {
        // The string "\0\0" (3 bytes with its encoding) with its back-length byte 3 | 0x80: read backwards it goes
        // on into the zero byte before it and still says 3, which Redis accepts.
        let mut lp = write([&b"\0\0"[..], b"1"].into_iter());
        assert_eq!(lp[9], 3);
        lp[9] |= 0x80;
        assert_eq!(items(&lp).unwrap(), [b"\0\0".to_vec(), b"1".to_vec()]);
        // Going on into a non-zero byte reads another length.
        let mut lp = write([&b"ab"[..], b"1"].into_iter());
        lp[9] |= 0x80;
        assert_eq!(items(&lp), Err("a back-length equal to the entry's length"));
    }
}
