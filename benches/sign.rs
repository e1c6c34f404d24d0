//! Signing and building benchmarks: signing a CUCM-size list (6 records)
//! with 1024-, 2048- and 4096-bit keys; building a list from certificates
//! (unsigned, then signed as CUCM does).
//!
//! ```text
//! cargo bench -p cisco-itl-bench --bench sign -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::hint::black_box;

use cisco_itl::{DigestAlgorithm, TrustList};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};

fn bench_sign(c: &mut Criterion) {
    let mut g = c.benchmark_group("sign");
    for bits in [1024, 2048, 4096] {
        let signer = common::signer(bits);
        let unsigned = common::builder(&signer, 6, DigestAlgorithm::Sha256)
            .build_unsigned(signer.certificate())
            .expect("fixture builds");
        let out = unsigned
            .clone()
            .sign(signer.key(), DigestAlgorithm::Sha256)
            .expect("signs");
        TrustList::parse(&out)
            .expect("signed list parses")
            .verify()
            .expect("signed list verifies");
        g.bench_function(BenchmarkId::new("sha256", bits), |b| {
            b.iter_batched(
                || unsigned.clone(),
                |mut l| l.sign(black_box(signer.key()), DigestAlgorithm::Sha256),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    let signer = common::signer(1024);
    let builder = common::builder(&signer, 6, DigestAlgorithm::Sha1);
    g.bench_function("unsigned+to_bytes/cucm-6-records", |b| {
        b.iter(|| {
            black_box(&builder)
                .build_unsigned(signer.certificate())
                .expect("builds")
                .to_bytes()
        })
    });
    g.bench_function("signed/cucm-6-records-sha1-1024", |b| {
        b.iter(|| black_box(&builder).sign(&signer))
    });
    g.finish();
}

criterion_group!(benches, bench_sign, bench_build);
criterion_main!(benches);
