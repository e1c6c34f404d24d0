//! The cluster simulator on the built-in cluster (3 nodes, 100,000 phones
//! in 20 classes): building it, simulating a host name change (remedies
//! included), and planning one.
//!
//! ```text
//! cargo bench -p cisco-itl-bench --features cluster --bench cluster -- --warm-up-time 1 --measurement-time 5
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use cisco_itl::cluster::{Cluster, Goal, Operation};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench_cluster(c: &mut Criterion) {
    let mut g = c.benchmark_group("cluster");
    g.sample_size(10);
    g.bench_function("build builtin", |b| b.iter(|| Cluster::builtin().unwrap()));
    let cluster = Cluster::builtin().unwrap();
    let op = [Operation::RegenerateBoth {
        node: "cucm-pub".into(),
    }];
    let report = cluster.whatif(&op).unwrap();
    assert_eq!(report.locked(), 23_500);
    g.bench_function("whatif regenerate-both", |b| {
        b.iter(|| cluster.whatif(black_box(&op)).unwrap())
    });
    let goal = Goal::NewHostname {
        node: "cucm-pub".into(),
    };
    assert!(cluster.plan(&goal, 4).unwrap().safe);
    g.bench_function("plan new-hostname", |b| {
        b.iter(|| cluster.plan(black_box(&goal), 4).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_cluster);
criterion_main!(benches);
