//! Helpers shared by the integration tests: the vectors and their keys.
#![allow(dead_code)]

#[cfg(feature = "tvs-net")]
pub mod siege;
#[cfg(feature = "tvs-net")]
pub mod tls;

use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;

/// The shared vectors, relative to the crate directory.
pub const V: &str = "tests/data/vectors";

/// Every digest the format defines.
pub const DIGESTS: [cisco_itl::DigestAlgorithm; 3] = [
    cisco_itl::DigestAlgorithm::Sha1,
    cisco_itl::DigestAlgorithm::Sha256,
    cisco_itl::DigestAlgorithm::Sha512,
];

/// A vector's bytes.
pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{V}/{name}")).unwrap()
}

/// The certificate of `keys/<name>`.
pub fn cert(name: &str) -> CertInfo {
    CertInfo::from_pem(&read(&format!("keys/{name}"))).unwrap()
}

/// The key and certificate of `keys/<name>`.
pub fn signer(name: &str) -> Signer {
    Signer::from_pem(&read(&format!("keys/{name}"))).unwrap()
}
