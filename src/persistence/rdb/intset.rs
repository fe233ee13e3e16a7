//! Intsets as RDB stores them (sets of integers in their small encoding save one intset as a string): the width
//! every member needs (2, 4 or 8 bytes, u32 LE), the count (u32 LE), then the members in ascending order, little
//! endian. Read with intsetValidateIntegrity's deep checks: a known width, a size that matches, strictly
//! ascending members.

/// The narrowest intset width (bytes) that holds `v`.
pub fn width_of(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// An intset of `members` (sorted here), in the narrowest width that holds them all.
#[cfg(test)]
pub fn write(members: &mut [i64]) -> Vec<u8> {
    write_at_least(members, 2)
}

/// The same, at least `min_width` bytes wide: an intset never narrows (a wide member removed leaves the rest at
/// its width), and Redis saves it as it is.
pub fn write_at_least(members: &mut [i64], min_width: usize) -> Vec<u8> {
    members.sort_unstable();
    let width: usize = members.iter().map(|&v| width_of(v)).max().unwrap_or(2).max(min_width);
    let mut out = Vec::with_capacity(8 + width * members.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(members.len() as u32).to_le_bytes());
    for v in members.iter() {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// The members of a checked intset, in order.
#[cfg(test)]
pub fn read(blob: &[u8]) -> Result<impl Iterator<Item = i64> + '_, &'static str> {
    read_with_width(blob).map(|(_, members)| members)
}

/// The width of a checked intset (2, 4 or 8) and its members, in order.
pub fn read_with_width(blob: &[u8]) -> Result<(usize, impl Iterator<Item = i64> + '_), &'static str> {
    let header = blob.get(..8).ok_or("an intset header")?;
    let width = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let count = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err("an intset width of 2, 4 or 8 bytes");
    }
    if count == 0 || (blob.len() - 8) / width != count || !(blob.len() - 8).is_multiple_of(width) {
        return Err("an intset whose header gives its size");
    }
    let member = move |i: usize| {
        let b = &blob[8 + i * width..8 + (i + 1) * width];
        let v = b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        let shift = 64 - 8 * width as u32;
        ((v << shift) as i64) >> shift
    };
    if (1..count).any(|i| member(i - 1) >= member(i)) {
        return Err("an intset in strictly ascending order");
    }
    Ok((width, (0..count).map(member)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_width_round_trips() {
        for set in [vec![1i64, -2, 300], vec![70000, -1], vec![i64::MAX, i64::MIN, 0]] {
            let mut sorted = set.clone();
            let blob = write(&mut sorted);
            assert_eq!(read(&blob).unwrap().collect::<Vec<_>>(), sorted);
        }
    }

    #[test]
    fn lies_are_refused() {
        let blob = write(&mut [1, 2, 3]);
        for cut in 0..blob.len() {
            assert!(read(&blob[..cut]).is_err(), "cut at {cut}");
        }
        let mut unsorted = blob.clone();
        unsorted[8] = 9;
        assert!(read(&unsorted).is_err());
        let mut dup = blob.clone();
        dup[10] = 1;
        assert!(read(&dup).is_err());
        let mut width = blob.clone();
        width[0] = 3;
        assert!(read(&width).is_err());
        assert!(read(&write(&mut [])).is_err(), "an empty intset is invalid, as in Redis");
    }
}
