//! Verification against the OpenSSL floor, measured in the same run.
//!
//! The floor is what OpenSSL needs for the work that cannot be avoided:
//! hashing the signed bytes and one RSA PKCS#1 v1.5 verification, with the
//! key already loaded (`EVP_DigestVerify` through the `openssl` crate, on
//! the system's libssl). Against it:
//!
//! * `verifier`: `Verifier::verify` (parse, find the signer, header checks,
//!   hash, RSA) with the signer's key remembered from an earlier file, as
//!   an audit of many lists from a few signers runs;
//! * `one-shot`: `TrustList::parse` + `verify()`, which also parses the
//!   signer's certificate, checks the record against it and decodes the key.
//!
//! Cases: every digest × key size (1024, 2048, 4096) × list size (6 records,
//! CUCM's size; 100; 1000), and every valid vector. Criterion measures each;
//! then a table of ratios is printed from interleaved runs (ours and
//! OpenSSL's alternately, medians of 15 rounds), so that both sides see the
//! same machine load.
//!
//! ```text
//! cargo bench -p cisco-itl-bench --bench reference -- --warm-up-time 1 --measurement-time 2
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use cisco_itl::verifier::Verifier;
use cisco_itl::verify::record_key;
use cisco_itl::{DigestAlgorithm, TrustList};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Rsa;

/// One file to verify and the key OpenSSL checks it with.
struct Case {
    name: String,
    bytes: Vec<u8>,
    key: PKey<Public>,
}

fn message_digest(d: DigestAlgorithm) -> MessageDigest {
    match d {
        DigestAlgorithm::Sha1 => MessageDigest::sha1(),
        DigestAlgorithm::Sha256 => MessageDigest::sha256(),
        DigestAlgorithm::Sha512 => MessageDigest::sha512(),
        DigestAlgorithm::Unknown(c) => panic!("digest code {c}"),
    }
}

/// The OpenSSL floor: hash the signed bytes, verify the signature.
fn openssl_verify(list: &TrustList<'_>, key: &PKey<Public>) -> bool {
    let [before, after] = list.signed_parts();
    let mut v = openssl::sign::Verifier::new(message_digest(list.header().digest()), key).unwrap();
    v.update(before).unwrap();
    v.update(after).unwrap();
    v.verify(list.header().signature()).unwrap()
}

fn key_of(bytes: &[u8]) -> PKey<Public> {
    let list = TrustList::parse(bytes).unwrap();
    let (_, signer) = list.signer_record().unwrap();
    let der = record_key(&signer).unwrap().as_pkcs1_der().to_vec();
    PKey::from_rsa(Rsa::public_key_from_der_pkcs1(&der).unwrap()).unwrap()
}

fn cases() -> Vec<Case> {
    let full = common::full_run();
    let mut out = Vec::new();
    let sizes: &[usize] = if full { &[6, 100, 1000] } else { &[6] };
    for bits in [1024, 2048, 4096] {
        let signer = common::signer(bits);
        for digest in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha512,
        ] {
            for &records in sizes {
                let bytes = common::signed_list(&signer, records, digest);
                out.push(Case {
                    name: format!("{}-{bits}-{records}", digest.name()),
                    key: key_of(&bytes),
                    bytes,
                });
            }
        }
    }
    for vector in [
        "cucm-ITLFile.tlv",
        "cucm-ITLFile-reset.tlv",
        "cucm-ITLFile-regen-callmanager.tlv",
        "cucm-ITLFile-rollback.tlv",
        "cucm-CTLFile-tokenless.tlv",
        "cucm-CTLFile-etoken.tlv",
        "peer-CTLFile.tlv",
        "peer-ITLFile-sha1.tlv",
        "peer-ITLFile-sha512-v1.1.tlv",
    ] {
        let bytes = common::read(vector);
        out.push(Case {
            name: vector.trim_end_matches(".tlv").to_string(),
            key: key_of(&bytes),
            bytes,
        });
    }
    out
}

fn bench_reference(c: &mut Criterion) {
    let cases = cases();
    let mut g = c.benchmark_group("reference");
    for case in &cases {
        let list = TrustList::parse(&case.bytes).unwrap();
        assert!(openssl_verify(&list, &case.key), "{}", case.name);
        let verifier = Verifier::new();
        verifier.verify(&case.bytes).unwrap();
        g.bench_function(BenchmarkId::new("openssl-floor", &case.name), |b| {
            b.iter(|| openssl_verify(black_box(&list), &case.key))
        });
        g.bench_function(BenchmarkId::new("verifier", &case.name), |b| {
            b.iter(|| verifier.verify(black_box(&case.bytes)).is_ok())
        });
        g.bench_function(BenchmarkId::new("one-shot", &case.name), |b| {
            b.iter(|| {
                TrustList::parse(black_box(&case.bytes))
                    .ok()
                    .map(|l| l.verify().is_ok())
            })
        });
    }
    g.finish();
    if common::full_run() {
        ratio_table(&cases);
    }
}

/// Median time per call of `f`, measured in rounds interleaved with `g`.
fn interleaved(mut f: impl FnMut(), mut g: impl FnMut()) -> (Duration, Duration) {
    // Enough calls per round for about 2 ms.
    let start = Instant::now();
    f();
    g();
    let once = start.elapsed().max(Duration::from_nanos(100));
    let n = (Duration::from_millis(4).as_nanos() / once.as_nanos()).clamp(1, 100_000) as u32;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        a.push(t.elapsed() / n);
        let t = Instant::now();
        for _ in 0..n {
            g();
        }
        b.push(t.elapsed() / n);
    }
    a.sort();
    b.sort();
    (a[a.len() / 2], b[b.len() / 2])
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ratio_table(cases: &[Case]) {
    println!();
    println!("{}", openssl::version::version());
    println!(
        "{:<34} {:>10} {:>10} {:>7} {:>10} {:>7}",
        "case", "floor µs", "verifier", "ratio", "one-shot", "ratio"
    );
    for case in cases {
        let list = TrustList::parse(&case.bytes).unwrap();
        let verifier = Verifier::new();
        verifier.verify(&case.bytes).unwrap();
        let (ours, floor) = interleaved(
            || {
                black_box(verifier.verify(black_box(&case.bytes)).is_ok());
            },
            || {
                black_box(openssl_verify(black_box(&list), &case.key));
            },
        );
        let (once, floor2) = interleaved(
            || {
                black_box(
                    TrustList::parse(black_box(&case.bytes))
                        .ok()
                        .map(|l| l.verify().is_ok()),
                );
            },
            || {
                black_box(openssl_verify(black_box(&list), &case.key));
            },
        );
        println!(
            "{:<34} {:>10.2} {:>10.2} {:>6.2}x {:>10.2} {:>6.2}x",
            case.name,
            micros(floor),
            micros(ours),
            micros(ours) / micros(floor),
            micros(once),
            micros(once) / micros(floor2),
        );
    }
}

criterion_group!(benches, bench_reference);
criterion_main!(benches);
