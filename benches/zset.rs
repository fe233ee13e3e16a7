//! The sorted set's large encoding at 100 / 10,000 / 1,000,000 members: insert, rank and a 10-element range
//! from the middle, so the O(log n) scaling is visible (each should grow by a small constant per 100x).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use embedis::internals::zset::{Limits, RZSet};

/// Forces the skiplist encoding at every size.
const LARGE: Limits = Limits { max_entries: 0, max_value: 0 };

fn build(n: usize) -> RZSet {
    let mut rng = fastrand::Rng::with_seed(1);
    let mut z = RZSet::new();
    for i in 0..n {
        z.insert(format!("member:{i}").as_bytes(), rng.f64() * 1e6, LARGE);
    }
    z
}

fn sorted_set(c: &mut Criterion) {
    let mut group = c.benchmark_group("zset");
    group.sample_size(20);
    for n in [100usize, 10_000, 1_000_000] {
        let mut z = build(n);
        let mut rng = fastrand::Rng::with_seed(2);
        group.bench_with_input(BenchmarkId::new("insert_remove", n), &n, |b, _| {
            b.iter(|| {
                let score = rng.f64() * 1e6;
                z.insert(b"bench-member", score, LARGE);
                z.remove(b"bench-member");
            })
        });
        group.bench_with_input(BenchmarkId::new("rank", n), &n, |b, &n| {
            b.iter(|| black_box(z.rank(format!("member:{}", rng.usize(..n)).as_bytes())))
        });
        group.bench_with_input(BenchmarkId::new("range_10_from_middle", n), &n, |b, &n| {
            b.iter(|| {
                let mut total = 0.0;
                z.for_range(n / 2, n / 2 + 10, false, |_, s| total += s);
                black_box(total)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sorted_set);
criterion_main!(benches);
