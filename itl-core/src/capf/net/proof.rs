//! A phone's proof by an existing certificate (AUTH TYPE 3 or 4): a
//! signature over `device name, NUL, certificate DER` made with the
//! certificate's key. SIGNED DATA (tag 6) is SHA-1 with PKCS#1 type-1
//! padding and no DigestInfo; SHA2 SIGNED DATA (tag 20) is PKCS#1 v1.5
//! with SHA-512; with an EC certificate both are ECDSA (ASN.1 DER
//! signatures), with SHA-1 or SHA-512 on P-256, P-384 or P-521, checked
//! on AWS-LC (P-384 with SHA-1, which AWS-LC lacks, on RustCrypto) and
//! made on RustCrypto ([`ProofKey`]).

use alloc::vec::Vec;

use der::{Decode, Encode};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// The digest of a proof.
#[derive(Clone, Copy)]
enum ProofDigest {
    Sha1,
    Sha512,
}

/// Whether `signature` is an ECDSA signature of `message` with `digest` by
/// the EC key of `certificate`; `None` when the key is not EC.
fn verify_ecdsa(
    certificate: &Certificate,
    digest: ProofDigest,
    message: &[u8],
    signature: &[u8],
) -> Option<bool> {
    use aws_lc_rs::signature as sig;
    let spki = certificate.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid.to_string() != EC_PUBLIC_KEY {
        return None;
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok())
        .map(|oid| oid.to_string());
    let algorithm: &'static sig::EcdsaVerificationAlgorithm = match (curve.as_deref(), digest) {
        (Some("1.2.840.10045.3.1.7"), ProofDigest::Sha1) => &sig::ECDSA_P256_SHA1_ASN1,
        (Some("1.2.840.10045.3.1.7"), ProofDigest::Sha512) => &sig::ECDSA_P256_SHA512_ASN1,
        (Some("1.3.132.0.34"), ProofDigest::Sha512) => &sig::ECDSA_P384_SHA512_ASN1,
        (Some("1.3.132.0.35"), ProofDigest::Sha1) => &sig::ECDSA_P521_SHA1_ASN1,
        (Some("1.3.132.0.35"), ProofDigest::Sha512) => &sig::ECDSA_P521_SHA512_ASN1,
        (Some("1.3.132.0.34"), ProofDigest::Sha1) => {
            // AWS-LC has no P-384 with SHA-1: the same check on RustCrypto.
            use p384::ecdsa::signature::hazmat::PrehashVerifier;
            let point = spki.subject_public_key.as_bytes()?;
            let verdict = p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .ok()
                .zip(p384::ecdsa::Signature::from_der(signature).ok())
                .is_some_and(|(key, signature)| {
                    key.verify_prehash(&Sha1::digest(message), &signature)
                        .is_ok()
                });
            return Some(verdict);
        }
        _ => return Some(false),
    };
    let point = spki.subject_public_key.as_bytes()?;
    Some(
        sig::UnparsedPublicKey::new(algorithm, point)
            .verify(message, signature)
            .is_ok(),
    )
}

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
/// DigestInfo) of `message` by the RSA key of `certificate`, or its ECDSA
/// signature with SHA-1 by its EC key.
pub(crate) fn verify_sha1_raw(certificate: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Some(cert) = parse(certificate) else {
        return false;
    };
    if let Some(verdict) = verify_ecdsa(&cert, ProofDigest::Sha1, message, signature) {
        return verdict;
    }
    let Some(key) = rsa_key(&cert) else {
        return false;
    };
    let digest = Sha1::digest(message);
    key.verify(Pkcs1v15Sign::new_unprefixed(), &digest, signature)
        .is_ok()
}

/// Whether `signature` is the PKCS#1 v1.5 SHA-512 signature of `message`
/// by the RSA key of `certificate`, or its ECDSA signature with SHA-512 by
/// its EC key.
pub(crate) fn verify_sha512(certificate: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Some(cert) = parse(certificate) else {
        return false;
    };
    if let Some(verdict) = verify_ecdsa(&cert, ProofDigest::Sha512, message, signature) {
        return verdict;
    }
    let Some(key) = rsa_key(&cert) else {
        return false;
    };
    let digest = Sha512::digest(message);
    key.verify(Pkcs1v15Sign::new::<Sha512>(), &digest, signature)
        .is_ok()
}

/// Whether `certificate` belongs to `device`: a common name of its
/// subject is the device name (an LSC: `SEP001122334455`), or, for a MIC
/// (`mic`) of a `SEP` + 12 hex digits device, ends with `-` and the device
/// name (`CP-8865-SEP001122334455`). Without it, a phone holding any
/// trusted certificate could obtain another's LSC; without the MIC-only
/// rule, the LSC of a device named `CP-X` would prove device `X`.
pub(crate) fn names_device(certificate: &[u8], device: &str, mic: bool) -> bool {
    let model_prefixed = mic && is_sep_name(device);
    let Some(cert) = parse(certificate) else {
        return false;
    };
    let common_name = const_oid::ObjectIdentifier::new_unwrap("2.5.4.3");
    cert.tbs_certificate()
        .subject()
        .iter()
        .filter(|atv| atv.oid == common_name)
        .filter_map(|atv| {
            der::asn1::Utf8StringRef::try_from(&atv.value)
                .map(|s| s.as_str().to_string())
                .or_else(|_| {
                    der::asn1::PrintableStringRef::try_from(&atv.value)
                        .map(|s| s.as_str().to_string())
                })
                .ok()
        })
        .any(|cn| {
            cn == device
                || (model_prefixed
                    && cn
                        .strip_suffix(device)
                        .is_some_and(|head| head.ends_with('-')))
        })
}

/// Whether `name` is `SEP` and 12 hex digits, a phone's MAC name.
fn is_sep_name(name: &str) -> bool {
    name.strip_prefix("SEP")
        .is_some_and(|mac| mac.len() == 12 && mac.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `certificate` is valid at `now` (seconds since 1970).
pub(crate) fn valid_at(certificate: &[u8], now: u64) -> bool {
    let Some(cert) = parse(certificate) else {
        return false;
    };
    let validity = cert.tbs_certificate().validity();
    let from = validity.not_before.to_unix_duration().as_secs();
    let until = validity.not_after.to_unix_duration().as_secs();
    (from..=until).contains(&now)
}

/// Whether `tbs` is signed by the EC key of `ca` (ECDSA with SHA-256,
/// SHA-384 or SHA-512); `None` when that key is not EC.
fn ec_signed(ca: &Certificate, algorithm: &str, tbs: &[u8], signature: &[u8]) -> Option<bool> {
    use aws_lc_rs::signature as sig;
    let spki = ca.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid.to_string() != EC_PUBLIC_KEY {
        return None;
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok())
        .map(|oid| oid.to_string());
    let verifier: &'static sig::EcdsaVerificationAlgorithm = match (curve.as_deref(), algorithm) {
        (Some("1.2.840.10045.3.1.7"), "1.2.840.10045.4.3.2") => &sig::ECDSA_P256_SHA256_ASN1,
        (Some("1.2.840.10045.3.1.7"), "1.2.840.10045.4.3.3") => &sig::ECDSA_P256_SHA384_ASN1,
        (Some("1.2.840.10045.3.1.7"), "1.2.840.10045.4.3.4") => &sig::ECDSA_P256_SHA512_ASN1,
        (Some("1.3.132.0.34"), "1.2.840.10045.4.3.2") => &sig::ECDSA_P384_SHA256_ASN1,
        (Some("1.3.132.0.34"), "1.2.840.10045.4.3.3") => &sig::ECDSA_P384_SHA384_ASN1,
        (Some("1.3.132.0.34"), "1.2.840.10045.4.3.4") => &sig::ECDSA_P384_SHA512_ASN1,
        (Some("1.3.132.0.35"), "1.2.840.10045.4.3.2") => &sig::ECDSA_P521_SHA256_ASN1,
        (Some("1.3.132.0.35"), "1.2.840.10045.4.3.3") => &sig::ECDSA_P521_SHA384_ASN1,
        (Some("1.3.132.0.35"), "1.2.840.10045.4.3.4") => &sig::ECDSA_P521_SHA512_ASN1,
        _ => return Some(false),
    };
    let point = spki.subject_public_key.as_bytes()?;
    Some(
        sig::UnparsedPublicKey::new(verifier, point)
            .verify(tbs, signature)
            .is_ok(),
    )
}

/// Whether `certificate` is signed by the key of `issuer`: RSA (SHA-1,
/// SHA-256, SHA-384 or SHA-512) or ECDSA (SHA-256, SHA-384 or SHA-512).
pub(crate) fn signed_by(certificate: &[u8], issuer: &[u8]) -> bool {
    let (Some(cert), Some(ca)) = (parse(certificate), parse(issuer)) else {
        return false;
    };
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    let Some(signature) = cert.signature().as_bytes() else {
        return false;
    };
    let algorithm = cert.signature_algorithm().oid.to_string();
    if let Some(verdict) = ec_signed(&ca, &algorithm, &tbs, signature) {
        return verdict;
    }
    let Some(key) = rsa_key(&ca) else {
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

/// The private key of a phone's certificate, with which it proves itself
/// to CAPF: RSA, or EC on P-256, P-384 or P-521.
#[derive(Clone)]
pub enum ProofKey {
    /// An RSA key.
    Rsa(alloc::boxed::Box<RsaPrivateKey>),
    /// A P-256 key.
    P256(alloc::boxed::Box<p256::ecdsa::SigningKey>),
    /// A P-384 key.
    P384(alloc::boxed::Box<p384::ecdsa::SigningKey>),
    /// A P-521 key.
    P521(alloc::boxed::Box<p521::ecdsa::SigningKey>),
}

impl core::fmt::Debug for ProofKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ProofKey::Rsa(_) => "ProofKey::Rsa(..)",
            ProofKey::P256(_) => "ProofKey::P256(..)",
            ProofKey::P384(_) => "ProofKey::P384(..)",
            ProofKey::P521(_) => "ProofKey::P521(..)",
        })
    }
}

impl From<RsaPrivateKey> for ProofKey {
    fn from(key: RsaPrivateKey) -> Self {
        ProofKey::Rsa(alloc::boxed::Box::new(key))
    }
}

impl ProofKey {
    /// Reads a private key in DER: PKCS#8 (RSA or EC), PKCS#1
    /// `RSAPrivateKey`, or SEC1 `ECPrivateKey`. `None` for anything else.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        use pkcs8::DecodePrivateKey;
        use rsa::pkcs1::DecodeRsaPrivateKey;
        if let Ok(key) = RsaPrivateKey::from_pkcs8_der(der) {
            return Some(key.into());
        }
        if let Ok(key) = RsaPrivateKey::from_pkcs1_der(der) {
            return Some(key.into());
        }
        if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Some(ProofKey::P256(alloc::boxed::Box::new(key)));
        }
        if let Ok(key) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Some(ProofKey::P384(alloc::boxed::Box::new(key)));
        }
        if let Ok(key) = p521::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Some(ProofKey::P521(alloc::boxed::Box::new(key)));
        }
        Self::from_sec1_der(der)
    }

    /// Reads the first private key block of PEM text (`PRIVATE KEY`,
    /// `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    pub fn from_pem(text: &[u8]) -> Option<Self> {
        let blocks = crate::pem::blocks(text).ok()?;
        let block = blocks.iter().find(|b| {
            matches!(
                b.label.as_str(),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
            )
        })?;
        Self::from_der(&block.der)
    }

    fn from_sec1_der(der: &[u8]) -> Option<Self> {
        if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
            return Some(ProofKey::P256(alloc::boxed::Box::new(key.into())));
        }
        if let Ok(key) = p384::SecretKey::from_sec1_der(der) {
            return Some(ProofKey::P384(alloc::boxed::Box::new(key.into())));
        }
        p521::SecretKey::from_sec1_der(der)
            .ok()
            .and_then(|key| p521::ecdsa::SigningKey::from_slice(&key.to_bytes()).ok())
            .map(|k| ProofKey::P521(alloc::boxed::Box::new(k)))
    }

    /// Signs `message` as SIGNED DATA (`sha2` false: SHA-1; RSA with
    /// PKCS#1 type-1 padding and no DigestInfo) or SHA2 SIGNED DATA
    /// (`sha2` true: SHA-512; RSA PKCS#1 v1.5): ECDSA (ASN.1 DER) over the
    /// same digest for an EC key.
    pub(crate) fn sign(&self, message: &[u8], sha2: bool) -> Option<Vec<u8>> {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let digest = if sha2 {
            Sha512::digest(message).to_vec()
        } else {
            Sha1::digest(message).to_vec()
        };
        match self {
            ProofKey::Rsa(key) if sha2 => key.sign(Pkcs1v15Sign::new::<Sha512>(), &digest).ok(),
            ProofKey::Rsa(key) => key.sign(Pkcs1v15Sign::new_unprefixed(), &digest).ok(),
            ProofKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign_prehash(&digest).ok()?;
                Some(signature.to_der().as_bytes().to_vec())
            }
            ProofKey::P384(key) => {
                let signature: p384::ecdsa::Signature = key.sign_prehash(&digest).ok()?;
                Some(signature.to_der().as_bytes().to_vec())
            }
            ProofKey::P521(key) => {
                let signature: p521::ecdsa::Signature = key.sign_prehash(&digest).ok()?;
                Some(signature.to_der().as_bytes().to_vec())
            }
        }
    }
}
