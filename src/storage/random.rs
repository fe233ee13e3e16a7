//! Random picks shared by HRANDFIELD, SRANDMEMBER, SPOP and ZRANDMEMBER, and the seedable generator every
//! random choice of the server draws from (so a test's `seed` makes them all repeatable).

/// fastrand's generator, starting from a random seed by default (fastrand's own has no `Default`).
#[derive(Debug, Clone)]
pub struct Rng(pub fastrand::Rng);

impl Default for Rng {
    fn default() -> Self {
        Rng(fastrand::Rng::new())
    }
}

impl std::ops::Deref for Rng {
    type Target = fastrand::Rng;
    fn deref(&self) -> &fastrand::Rng {
        &self.0
    }
}

impl std::ops::DerefMut for Rng {
    fn deref_mut(&mut self) -> &mut fastrand::Rng {
        &mut self.0
    }
}

/// When `count * SUB_STRATEGY_MUL` exceeds the size, picking `count` distinct elements copies all positions and
/// drops random ones; below it, random positions are drawn until enough are distinct (Redis's
/// *_SUB_STRATEGY_MUL, the same for every type).
pub const SUB_STRATEGY_MUL: usize = 3;

/// `count < size` distinct positions in `0..size`, uniformly, in random order. Memory is bounded by `size`,
/// never by a count a client chose.
pub fn distinct_positions(size: usize, count: usize, rng: &mut fastrand::Rng) -> Vec<usize> {
    let count = count.min(size);
    if count.saturating_mul(SUB_STRATEGY_MUL) > size {
        let mut all: Vec<usize> = (0..size).collect();
        while all.len() > count {
            all.swap_remove(rng.usize(..all.len()));
        }
        return all;
    }
    let mut seen = std::collections::HashSet::with_capacity(count);
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let i = rng.usize(..size);
        if seen.insert(i) {
            picked.push(i);
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_positions_are_distinct_and_uniform() {
        let mut rng = fastrand::Rng::with_seed(3);
        // Both strategies: count*3 > size (drop from a full copy) and count*3 <= size (draw until distinct).
        for (size, count) in [(10, 9), (10, 4), (30, 10), (100, 3)] {
            let mut hits = vec![0u32; size];
            let rounds = 20_000;
            for _ in 0..rounds {
                let picked = distinct_positions(size, count, &mut rng);
                assert_eq!(picked.len(), count);
                let unique: std::collections::HashSet<_> = picked.iter().collect();
                assert_eq!(unique.len(), count, "distinct");
                for i in picked {
                    hits[i] += 1;
                }
            }
            // Each position is expected rounds*count/size times; allow 5 standard deviations.
            let expected = rounds as f64 * count as f64 / size as f64;
            for (i, h) in hits.iter().enumerate() {
                let tolerance = 5.0 * expected.sqrt();
                assert!((*h as f64 - expected).abs() < tolerance, "size {size} count {count} pos {i}: {h}");
            }
        }
    }

    /// Pearson's chi-square over 10,000 single draws into 10 buckets: below 27.88, the 0.1% critical value for
    /// 9 degrees of freedom.
    #[test]
    fn single_draws_pass_a_chi_square_test() {
        let mut rng = fastrand::Rng::with_seed(11);
        for count in [1, 2] {
            let mut hits = [0u32; 10];
            let draws = 10_000 / count;
            for _ in 0..draws {
                for i in distinct_positions(10, count, &mut rng) {
                    hits[i] += 1;
                }
            }
            let expected = (draws * count) as f64 / 10.0;
            let chi2: f64 = hits.iter().map(|&h| (h as f64 - expected).powi(2) / expected).sum();
            assert!(chi2 < 27.88, "chi-square {chi2} for {hits:?}");
        }
    }
}
