//! Fixtures shared by the benchmarks: the project's test vectors and keys,
//! and trust lists built from them.
#![allow(dead_code)]

use std::path::PathBuf;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::{DigestAlgorithm, Function, ListKind};

/// The test vectors of the crate (`itl-core/tests/data/vectors`).
pub fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../itl-core/tests/data/vectors")
}

/// A vector's bytes.
pub fn read(name: &str) -> Vec<u8> {
    let path = vectors().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether the binary runs as a benchmark (`cargo bench` passes `--bench`)
/// rather than once as a smoke test (`cargo test --all-targets`). Costly
/// fixtures are made smaller in the second case.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A signing identity with a key of `bits` bits: the CUCM CallManager key
/// (1024), its regenerated 2048-bit successor, and the 4096-bit test key
/// of itl-core's own tests.
pub fn signer(bits: usize) -> Signer {
    let pem = match bits {
        1024 => read("keys/callmanager-pub.pem"),
        2048 => read("keys/callmanager-pub-regenerated.pem"),
        4096 => {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../itl-core/tests/data/rsa4096-pkcs1.pem");
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        other => panic!("no {other}-bit test key"),
    };
    let s = Signer::from_pem(&pem).expect("test identity");
    assert_eq!(s.key().bits(), bits);
    s
}

/// Every RSA certificate of the vectors, for filling records.
pub fn certificates() -> Vec<CertInfo> {
    [
        "callmanager-pub.pem",
        "tvs-pub.pem",
        "capf.pem",
        "itlrecovery.pem",
        "callmanager-sub1.pem",
        "tvs-sub1.pem",
        "etoken1.pem",
        "etoken2.pem",
        "peer-sast.pem",
        "peer-tvs.pem",
    ]
    .iter()
    .map(|n| CertInfo::from_pem(&read(&format!("keys/{n}"))).expect("test certificate"))
    .collect()
}

/// The functions records cycle through: the signer first (SAST), then the
/// roles a CUCM ITL lists.
const ROLES: [Function; 6] = [
    Function::Sast,
    Function::CcmTftp,
    Function::Capf,
    Function::Tvs,
    Function::Sast,
    Function::Tftp,
];

/// A builder for an ITL of `records` records in CUCM's layout: the
/// signer's certificate as SAST first, then the vectors' certificates in
/// the roles a CUCM ITL lists.
pub fn builder(signer: &Signer, records: usize, digest: DigestAlgorithm) -> TrustListBuilder {
    let certs = certificates();
    let mut b = TrustListBuilder::new(ListKind::Itl)
        .digest(digest)
        .timestamp(1_700_000_000)
        .record(signer.certificate().clone(), Function::Sast);
    for i in 1..records {
        let cert = certs[i % certs.len()].clone();
        b = b.record(cert, ROLES[i % ROLES.len()]);
    }
    b
}

/// A signed ITL of `records` records.
pub fn signed_list(signer: &Signer, records: usize, digest: DigestAlgorithm) -> Vec<u8> {
    builder(signer, records, digest)
        .sign(signer)
        .expect("the fixture list signs")
}
