//! The SCAN cursor shared by SCAN, HSCAN, SSCAN and ZSCAN over position-indexed collections (`IndexMap`).
//!
//! The cursor walks positions downwards. Removal is `swap_remove`, which only moves the *last* element into the
//! hole, so an element not yet visited (below the cursor) can only move further down, never past the cursor;
//! insertions append above it. Every element present for the whole iteration is therefore returned at least
//! once, Redis's guarantee. Cursor 0 starts and ends an iteration.

/// Visits up to `count` positions below `cursor` in a collection of `len` elements; returns the next cursor.
pub fn step(len: usize, cursor: u64, count: usize, mut visit: impl FnMut(usize)) -> u64 {
    let len = len as u64;
    let mut pos = if cursor == 0 { len } else { cursor.min(len) };
    let mut visited = 0;
    while pos > 0 && visited < count.max(1) {
        pos -= 1;
        visit(pos as usize);
        visited += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_down_and_ends_at_zero() {
        let mut seen = Vec::new();
        let c = step(5, 0, 3, |i| seen.push(i));
        assert_eq!((c, seen.clone()), (2, vec![4, 3, 2]));
        let c = step(5, c, 3, |i| seen.push(i));
        assert_eq!((c, seen), (0, vec![4, 3, 2, 1, 0]));
        assert_eq!(step(0, 0, 10, |_| {}), 0);
    }
}
