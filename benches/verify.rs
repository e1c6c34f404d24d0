//! Verification benchmarks.
//!
//! * `verify/{digest}/{bits}`: `TrustList::verify` on a parsed CUCM-size
//!   list (6 records) signed with each digest and key size;
//! * `parts/...`: what one verification is made of: hashing the signed
//!   bytes, decoding the signer's PKCS#1 key (which prepares its Montgomery
//!   parameters) and the RSA public operation alone;
//! * `sgn/...`: signed configuration files;
//! * `phone/...`: the phone's acceptance decisions;
//! * `batch/...`: parsing and verifying 10,000 distinct 2048-bit SHA-256
//!   ITLs from four signers, one by one and through a `Verifier`.
//!
//! ```text
//! cargo bench -p cisco-itl-bench --bench verify -- --warm-up-time 1 --measurement-time 3
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::hint::black_box;

use cisco_itl::cert::CertInfo;
use cisco_itl::phone::{ManualClock, Phone, Trust};
use cisco_itl::signed_file::SignedFile;
use cisco_itl::tvs::server::InMemoryTvs;
use cisco_itl::verify::Policy;
use cisco_itl::write::TrustListBuf;
use cisco_itl::{DigestAlgorithm, TrustList};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rsa::pkcs1::DecodeRsaPublicKey;

const DIGESTS: [DigestAlgorithm; 3] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha512,
];

fn bits_list() -> Vec<usize> {
    vec![1024, 2048, 4096]
}

fn bench_verify(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify");
    for bits in bits_list() {
        let signer = common::signer(bits);
        for digest in DIGESTS {
            let bytes = common::signed_list(&signer, 6, digest);
            let list = TrustList::parse(&bytes).expect("fixture parses");
            assert_eq!(list.verify().expect("fixture verifies").key_bits, bits);
            g.bench_function(BenchmarkId::new(digest.name(), bits), |b| {
                b.iter(|| black_box(&list).verify())
            });
        }
    }
    g.finish();
}

fn bench_parts(c: &mut Criterion) {
    let mut g = c.benchmark_group("parts");
    // Hashing the signed bytes of the CUCM-size list.
    let cucm = common::read("cucm-ITLFile.tlv");
    let list = TrustList::parse(&cucm).expect("vector parses");
    let parts = list.signed_parts();
    let signed_len: usize = parts.iter().map(|p| p.len()).sum();
    g.throughput(Throughput::Bytes(signed_len as u64));
    for digest in DIGESTS {
        g.bench_function(BenchmarkId::new("hash", digest.name()), |b| {
            b.iter(|| black_box(digest).hash_parts(black_box(&parts)))
        });
    }
    g.throughput(Throughput::Elements(1));
    // The signing record's key through record_key: the certificate parsed
    // and the record checked against it (PUBLICKEY, serial, names,
    // CERTHASH, record signature).
    let (_, cucm_signer) = list.signer_record().expect("signer record");
    g.bench_function("record_key/cucm-1024", |b| {
        b.iter(|| cisco_itl::verify::record_key(black_box(&cucm_signer)))
    });
    for bits in bits_list() {
        let signer = common::signer(bits);
        let bytes = common::signed_list(&signer, 6, DigestAlgorithm::Sha256);
        let list = TrustList::parse(&bytes).expect("fixture parses");
        let (_, record) = list.signer_record().expect("signer record");
        let der = record.public_key().expect("PUBLICKEY element");
        g.bench_function(BenchmarkId::new("key_decode", bits), |b| {
            b.iter(|| rsa::PublicKey::from_pkcs1_der(black_box(der)))
        });
        let key = rsa::PublicKey::from_pkcs1_der(der).expect("key decodes");
        let hash = DigestAlgorithm::Sha256
            .hash_parts(&list.signed_parts())
            .expect("hash");
        let sig = list.header().signature();
        key.pkcs1v15_verify_prehash::<sha2::Sha256>(hash.as_ref(), sig)
            .expect("signature verifies");
        g.bench_function(BenchmarkId::new("rsa_verify_sha256", bits), |b| {
            b.iter(|| {
                black_box(&key).pkcs1v15_verify_prehash::<sha2::Sha256>(
                    black_box(hash.as_ref()),
                    black_box(sig),
                )
            })
        });
        g.bench_function(BenchmarkId::new("parse+verify", bits), |b| {
            b.iter(|| {
                TrustList::parse(black_box(&bytes))
                    .ok()
                    .map(|l| l.verify().is_ok())
            })
        });
    }
    g.finish();
}

fn bench_sgn(c: &mut Criterion) {
    let mut g = c.benchmark_group("sgn");
    let cases = [
        (
            "cucm-sha1-1024",
            "cucm-SEP0011215A1AE3.cnf.xml.sgn",
            "keys/callmanager-pub.pem",
        ),
        (
            "peer-sha512-2048",
            "peer-SEPpeer.cnf.xml.sgn",
            "keys/peer-asterisk.pem",
        ),
    ];
    for (name, file, cert) in cases {
        let bytes = common::read(file);
        let cert = CertInfo::from_pem(&common::read(cert)).expect("certificate");
        let policy = Policy::default();
        SignedFile::parse(&bytes)
            .expect("vector parses")
            .verify_with_certificate(&cert, &policy)
            .expect("vector verifies");
        g.bench_function(
            BenchmarkId::new("parse+verify_with_certificate", name),
            |b| {
                b.iter(|| {
                    SignedFile::parse(black_box(&bytes))
                        .ok()
                        .map(|s| s.verify_with_certificate(&cert, &policy).is_ok())
                })
            },
        );
    }
    g.finish();
}

fn bench_phone(c: &mut Criterion) {
    let mut g = c.benchmark_group("phone");
    let itl = common::read("cucm-ITLFile.tlv");
    let sgn = common::read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let clock = ManualClock::new(1_700_000_000);
    let fresh = Phone::new("SEP0011215A1AE3");
    let mut installed = fresh.clone();
    let mut tvs = InMemoryTvs::unreachable();
    assert_eq!(
        installed.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    // The same ITL re-offered, as on every boot: accepted by its SAST.
    assert!(matches!(
        installed
            .clone()
            .offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::ItlSast { .. })
    ));
    g.bench_function("offer_trust_list/first-use", |b| {
        b.iter_batched(
            || fresh.clone(),
            |mut p| {
                p.offer_trust_list(
                    "ITLFile.tlv",
                    black_box(&itl),
                    &mut InMemoryTvs::unreachable(),
                    &clock,
                )
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("offer_trust_list/itl-sast", |b| {
        b.iter_batched(
            || installed.clone(),
            |mut p| {
                p.offer_trust_list(
                    "ITLFile.tlv",
                    black_box(&itl),
                    &mut InMemoryTvs::unreachable(),
                    &clock,
                )
            },
            BatchSize::SmallInput,
        )
    });
    assert!(matches!(
        installed.offer_config("SEP0011215A1AE3.cnf.xml.sgn", &sgn, &clock),
        Ok(Trust::ItlTftp { .. })
    ));
    g.bench_function("offer_config/itl-tftp", |b| {
        b.iter(|| installed.offer_config("SEP0011215A1AE3.cnf.xml.sgn", black_box(&sgn), &clock))
    });
    g.finish();
}

/// 10,000 distinct CUCM-size ITLs signed with SHA-256 by four 2048-bit
/// signers (their timestamps differ, so their signatures do), parsed and
/// verified: one by one with `TrustList::verify`, through a `Verifier`
/// (keys remembered), and with the `parallel` feature on two threads.
/// 12 files in a `cargo test` run.
fn bench_batch(c: &mut Criterion) {
    let n: usize = if common::full_run() { 10_000 } else { 12 };
    let signers: Vec<_> = [
        "keys/callmanager-pub-regenerated.pem",
        "keys/callmanager-sub1.pem",
        "keys/tvs-sub1.pem",
        "keys/peer-sast.pem",
    ]
    .iter()
    .map(|k| cisco_itl::key::Signer::from_pem(&common::read(k)).expect("test identity"))
    .collect();
    assert!(signers.iter().all(|s| s.key().bits() == 2048));
    let unsigned: Vec<TrustListBuf> = signers
        .iter()
        .map(|s| {
            common::builder(s, 6, DigestAlgorithm::Sha256)
                .build_unsigned(s.certificate())
                .expect("fixture builds")
        })
        .collect();
    // Signing 10,000 files takes a while: two threads.
    let sign = |range: std::ops::Range<usize>| -> Vec<Vec<u8>> {
        range
            .map(|i| {
                let mut l = unsigned[i % 4].clone();
                l.header.set_timestamp(1_700_000_000 + i as u32);
                l.sign(signers[i % 4].key(), DigestAlgorithm::Sha256)
                    .expect("signs")
            })
            .collect()
    };
    let files: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let first = scope.spawn(|| sign(0..n / 2));
        let second = sign(n / 2..n);
        let mut all = first.join().expect("signing thread");
        all.extend(second);
        all
    });
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("one-by-one-2048-sha256", n), |b| {
        b.iter(|| {
            files
                .iter()
                .filter(|f| {
                    TrustList::parse(black_box(f))
                        .ok()
                        .is_some_and(|l| l.verify().is_ok())
                })
                .count()
        })
    });
    let verifier = cisco_itl::verifier::Verifier::new();
    assert!(verifier.verify_many(&files).iter().all(Result::is_ok));
    assert_eq!(verifier.cached_keys(), 4);
    g.bench_function(BenchmarkId::new("verifier-1-thread-2048-sha256", n), |b| {
        b.iter(|| verifier.verify_many(black_box(&files)).len())
    });
    #[cfg(feature = "parallel")]
    {
        let parallel = cisco_itl::verifier::Verifier::new().threads(2);
        assert!(parallel.verify_many(&files).iter().all(Result::is_ok));
        g.bench_function(BenchmarkId::new("verifier-2-threads-2048-sha256", n), |b| {
            b.iter(|| parallel.verify_many(black_box(&files)).len())
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    bench_verify,
    bench_parts,
    bench_sgn,
    bench_phone,
    bench_batch
);
criterion_main!(benches);
