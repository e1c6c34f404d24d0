//! A phone's proof by an existing certificate (AUTH TYPE 3 or 4): a
//! signature over `device name, NUL, certificate DER` made with the
//! certificate's key. SIGNED DATA (tag 6) is SHA-1 with PKCS#1 type-1
//! padding and no DigestInfo; SHA2 SIGNED DATA (tag 20) is PKCS#1 v1.5
//! with SHA-512. RSA keys only: ECDSA proofs are not checked yet.

use alloc::vec::Vec;

use der::{Decode, Encode};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// The RSA public key of a certificate (DER), if it has one.
fn rsa_key(certificate: &Certificate) -> Option<RsaPublicKey> {
    let spki = certificate.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        return None;
    }
    RsaPublicKey::from_pkcs1_der(spki.subject_public_key.as_bytes()?).ok()
}

fn parse(der: &[u8]) -> Option<Certificate> {
    Certificate::from_der(der).ok()
}

/// Whether `signature` is the SHA-1 raw PKCS#1 type-1 signature (no
/// DigestInfo) of `message` by the key of `certificate`.
pub(crate) fn verify_sha1_raw(certificate: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Some(key) = parse(certificate).as_ref().and_then(rsa_key) else {
        return false;
    };
    let digest = Sha1::digest(message);
    key.verify(Pkcs1v15Sign::new_unprefixed(), &digest, signature)
        .is_ok()
}

/// Whether `signature` is the PKCS#1 v1.5 SHA-512 signature of `message`
/// by the key of `certificate`.
pub(crate) fn verify_sha512(certificate: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Some(key) = parse(certificate).as_ref().and_then(rsa_key) else {
        return false;
    };
    let digest = Sha512::digest(message);
    key.verify(Pkcs1v15Sign::new::<Sha512>(), &digest, signature)
        .is_ok()
}

/// Whether `certificate` is signed by the RSA key of `issuer` (SHA-1,
/// SHA-256, SHA-384 or SHA-512 with RSA).
pub(crate) fn signed_by(certificate: &[u8], issuer: &[u8]) -> bool {
    let (Some(cert), Some(ca)) = (parse(certificate), parse(issuer)) else {
        return false;
    };
    let Some(key) = rsa_key(&ca) else {
        return false;
    };
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    let Some(signature) = cert.signature().as_bytes() else {
        return false;
    };
    let (scheme, digest): (Pkcs1v15Sign, Vec<u8>) = match cert
        .signature_algorithm()
        .oid
        .to_string()
        .as_str()
    {
        "1.2.840.113549.1.1.5" => (Pkcs1v15Sign::new::<Sha1>(), Sha1::digest(&tbs).to_vec()),
        "1.2.840.113549.1.1.11" => (Pkcs1v15Sign::new::<Sha256>(), Sha256::digest(&tbs).to_vec()),
        "1.2.840.113549.1.1.12" => (Pkcs1v15Sign::new::<Sha384>(), Sha384::digest(&tbs).to_vec()),
        "1.2.840.113549.1.1.13" => (Pkcs1v15Sign::new::<Sha512>(), Sha512::digest(&tbs).to_vec()),
        _ => return false,
    };
    key.verify(scheme, &digest, signature).is_ok()
}

/// Signs `message` as SIGNED DATA: SHA-1, PKCS#1 type 1, no DigestInfo.
pub(crate) fn sign_sha1_raw(key: &RsaPrivateKey, message: &[u8]) -> Option<Vec<u8>> {
    key.sign(Pkcs1v15Sign::new_unprefixed(), &Sha1::digest(message))
        .ok()
}

/// Signs `message` as SHA2 SIGNED DATA: PKCS#1 v1.5 with SHA-512.
pub(crate) fn sign_sha512(key: &RsaPrivateKey, message: &[u8]) -> Option<Vec<u8>> {
    key.sign(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(message))
        .ok()
}
