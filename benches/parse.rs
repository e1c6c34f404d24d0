//! Parsing, writing and rendering benchmarks: `TrustList::parse` (with a
//! full record walk) on a 1-record, a CUCM-size (6 records, ~5 KB), a 100-record
//! and a 1000-record list; copying a parsed list into the owned form and writing
//! it back (`to_bytes`); and `show::render`.
//!
//! ```text
//! cargo bench -p cisco-itl-bench --bench parse -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::hint::black_box;

use cisco_itl::write::TrustListBuf;
use cisco_itl::{DigestAlgorithm, TrustList};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The three lists: name and bytes.
fn lists() -> Vec<(&'static str, Vec<u8>)> {
    let signer = common::signer(1024);
    vec![
        (
            "small-1-record",
            common::signed_list(&signer, 1, DigestAlgorithm::Sha1),
        ),
        ("cucm-6-records", common::read("cucm-ITLFile.tlv")),
        (
            "large-100-records",
            common::signed_list(&signer, 100, DigestAlgorithm::Sha1),
        ),
        (
            "large-1000-records",
            common::signed_list(&signer, 1000, DigestAlgorithm::Sha1),
        ),
    ]
}

/// Parses and walks every record, touching each record's fields, so the
/// figure covers what a reader of the list pays (parsing alone checks
/// every element once; the walk re-reads the checked records).
fn parse_and_walk(bytes: &[u8]) -> usize {
    let list = TrustList::parse(bytes).expect("fixture parses");
    list.records()
        .map(|r| r.length() + r.subject().len() + usize::from(r.certificate().is_some()))
        .sum()
}

fn bench_parse(c: &mut Criterion) {
    let lists = lists();
    let mut g = c.benchmark_group("parse");
    for (name, bytes) in &lists {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", name), bytes, |b, bytes| {
            b.iter(|| TrustList::parse(black_box(bytes)).map(|l| l.len()))
        });
        g.bench_with_input(BenchmarkId::new("parse+walk", name), bytes, |b, bytes| {
            b.iter(|| parse_and_walk(black_box(bytes)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("write");
    for (name, bytes) in &lists {
        let list = TrustList::parse(bytes).expect("fixture parses");
        let owned = TrustListBuf::from_view(&list);
        assert_eq!(&owned.to_bytes().expect("writes"), bytes);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("to_bytes", name), &owned, |b, owned| {
            b.iter(|| black_box(owned).to_bytes())
        });
        g.bench_with_input(BenchmarkId::new("from_view", name), &list, |b, list| {
            b.iter(|| TrustListBuf::from_view(black_box(list)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("show");
    let cucm = common::read("cucm-ITLFile.tlv");
    g.throughput(Throughput::Bytes(cucm.len() as u64));
    g.bench_function("render/cucm-6-records", |b| {
        b.iter(|| cisco_itl::show::render(black_box(&cucm), None).text.len())
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
