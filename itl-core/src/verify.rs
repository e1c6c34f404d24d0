//! Verification: a file against its own signing record, or against keys
//! the caller already trusts, under a policy.

use alloc::vec::Vec;

use der::Decode;
use rsa::pkcs1::RsaPublicKeyRef;

use crate::cert::CertInfo;
use crate::digest::DigestAlgorithm;
use crate::function::Function;
use crate::header::Header;
use crate::record::Record;
use crate::trust_list::TrustList;

/// Why a file's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The header's digest code is not SHA-1, SHA-256 or SHA-512.
    #[error("unsupported digest algorithm code {0}")]
    UnsupportedDigest(u8),
    /// The header's signature algorithm is not RSA PKCS#1 v1.5 (code 0).
    #[error("unsupported signature algorithm code {0}")]
    UnsupportedSignatureAlgorithm(u8),
    /// No record has the header signer's serial and issuer.
    #[error("no record matches the header's signer (serial and issuer)")]
    NoSignerRecord,
    /// The record naming the signer is not a SAST record.
    #[error("the signer's record #{index} is {function}, not SAST")]
    SignerNotSast {
        /// Index of the record.
        index: usize,
        /// Its function.
        function: Function,
    },
    /// The signer's key could not be read (absent, not RSA, malformed).
    #[error("the signer's public key is missing, not RSA, or malformed")]
    BadSignerKey,
    /// None of the caller's trusted keys is the signer's.
    #[error("the signer is not among the trusted certificates")]
    UntrustedSigner,
    /// The signature does not verify: wrong key or tampered bytes.
    #[error("the signature does not verify")]
    BadSignature,
    /// The policy refuses the digest.
    #[error("the policy refuses {0}")]
    WeakDigest(DigestAlgorithm),
    /// The policy refuses the key size.
    #[error("the policy refuses a {bits}-bit key (minimum {min})")]
    WeakKey {
        /// The signer key's size.
        bits: usize,
        /// The policy's minimum.
        min: usize,
    },
}

/// What a caller accepts beyond a correct signature.
///
/// ```
/// use cisco_itl::verify::Policy;
/// assert!(Policy::default().allow_sha1);
/// assert_eq!(Policy::strict().min_key_bits, 2048);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Smallest RSA key accepted, in bits.
    pub min_key_bits: usize,
    /// Whether SHA-1 signatures are accepted (CUCM signs with SHA-1).
    pub allow_sha1: bool,
}

impl Default for Policy {
    /// What phones accept: SHA-1 and 1024-bit keys.
    fn default() -> Self {
        Policy {
            min_key_bits: 1024,
            allow_sha1: true,
        }
    }
}

impl Policy {
    /// Refuses SHA-1 and keys under 2048 bits.
    pub const fn strict() -> Self {
        Policy {
            min_key_bits: 2048,
            allow_sha1: false,
        }
    }
}

/// The outcome of a successful verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// Index of the record (in the verified file) that signed it, when the
    /// file was checked against its own records.
    pub signer_index: Option<usize>,
    /// Index of the trusted key that verified it, when checked against the
    /// caller's keys.
    pub anchor_index: Option<usize>,
    /// The digest.
    pub digest: DigestAlgorithm,
    /// The signer key's size.
    pub key_bits: usize,
}

/// An RSA public key for checking signatures, kept as its PKCS#1
/// `RSAPublicKey` DER (what a record's PUBLICKEY holds).
///
/// Checking runs on the RustCrypto `rsa` crate; with the `fast-verify`
/// feature it runs on `ring`'s assembly-backed arithmetic instead, about
/// twice as fast (see `docs/PERFORMANCE.md`).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{cert::CertInfo, verify::VerifyingKey};
/// let cert = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/tvs-sub1.pem")).unwrap()).unwrap();
/// let key = VerifyingKey::from_certificate(&cert).unwrap();
/// assert_eq!(key.bits(), 2048);
/// assert!(VerifyingKey::from_pkcs1_der(b"not a key").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyingKey {
    der: Vec<u8>,
    bits: usize,
}

/// Smallest and largest RSA moduli accepted, in bits.
const KEY_BITS: core::ops::RangeInclusive<usize> = 1024..=8192;

impl VerifyingKey {
    /// Reads a PKCS#1 `RSAPublicKey` DER. Moduli of 1024 to 8192 bits.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, VerifyError> {
        let key = RsaPublicKeyRef::from_der(der).map_err(|_| VerifyError::BadSignerKey)?;
        let n = key.modulus.as_bytes();
        let bits = n
            .iter()
            .position(|&b| b != 0)
            .and_then(|i| {
                n.get(i)
                    .map(|b| (n.len() - i) * 8 - b.leading_zeros() as usize)
            })
            .unwrap_or(0);
        if !KEY_BITS.contains(&bits) || key.public_exponent.as_bytes().is_empty() {
            return Err(VerifyError::BadSignerKey);
        }
        Ok(VerifyingKey {
            der: der.to_vec(),
            bits,
        })
    }

    /// The key of an RSA certificate.
    pub fn from_certificate(cert: &CertInfo) -> Result<Self, VerifyError> {
        let spki = cert
            .certificate()
            .tbs_certificate()
            .subject_public_key_info();
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(VerifyError::BadSignerKey);
        }
        Self::from_pkcs1_der(cert.public_key_bytes())
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// The PKCS#1 DER.
    pub fn as_pkcs1_der(&self) -> &[u8] {
        &self.der
    }

    /// Checks a PKCS#1 v1.5 signature made with `digest` over the
    /// concatenation of `parts`.
    pub fn verify(
        &self,
        digest: DigestAlgorithm,
        parts: &[&[u8]],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        backend::verify(self, digest, parts, signature)
    }
}

#[cfg(not(feature = "fast-verify"))]
mod backend {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha1::Sha1;
    use sha2::{Sha256, Sha512};

    use super::{VerifyError, VerifyingKey};
    use crate::digest::DigestAlgorithm;

    pub(super) fn verify(
        key: &VerifyingKey,
        digest: DigestAlgorithm,
        parts: &[&[u8]],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let k = rsa::PublicKey::from_pkcs1_der(&key.der).map_err(|_| VerifyError::BadSignerKey)?;
        let hash = digest
            .hash_parts(parts)
            .ok_or(VerifyError::UnsupportedDigest(digest.code()))?;
        let h = hash.as_ref();
        match digest {
            DigestAlgorithm::Sha1 => k.pkcs1v15_verify_prehash::<Sha1>(h, signature),
            DigestAlgorithm::Sha256 => k.pkcs1v15_verify_prehash::<Sha256>(h, signature),
            DigestAlgorithm::Sha512 => k.pkcs1v15_verify_prehash::<Sha512>(h, signature),
            DigestAlgorithm::Unknown(code) => return Err(VerifyError::UnsupportedDigest(code)),
        }
        .map_err(|_| VerifyError::BadSignature)
    }
}

#[cfg(feature = "fast-verify")]
mod backend {
    use alloc::vec::Vec;

    use der::Decode;
    use ring::signature::{self, RsaPublicKeyComponents};
    use rsa::pkcs1::RsaPublicKeyRef;

    use super::{VerifyError, VerifyingKey};
    use crate::digest::DigestAlgorithm;

    pub(super) fn verify(
        key: &VerifyingKey,
        digest: DigestAlgorithm,
        parts: &[&[u8]],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let params = match digest {
            DigestAlgorithm::Sha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Unknown(code) => return Err(VerifyError::UnsupportedDigest(code)),
        };
        let k = RsaPublicKeyRef::from_der(&key.der).map_err(|_| VerifyError::BadSignerKey)?;
        let components = RsaPublicKeyComponents {
            n: k.modulus.as_bytes(),
            e: k.public_exponent.as_bytes(),
        };
        // ring hashes the message itself, so the parts are joined.
        let message: Vec<u8> = parts.concat();
        components
            .verify(params, &message, signature)
            .map_err(|_| VerifyError::BadSignature)
    }
}

/// A public key the caller trusts, with the serial that names it in a
/// header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The RSA key.
    pub key: VerifyingKey,
    /// The certificate's serial (raw bytes).
    pub serial: Vec<u8>,
}

impl TrustAnchor {
    /// The anchor a record describes: its PUBLICKEY, or the key of its
    /// CERTIFICATE when PUBLICKEY is absent or not RSA.
    pub fn from_record(r: &Record<'_>) -> Result<Self, VerifyError> {
        Ok(TrustAnchor {
            key: record_key(r)?,
            serial: r.serial().to_vec(),
        })
    }

    /// The anchor a certificate describes.
    pub fn from_certificate(cert: &CertInfo) -> Result<Self, VerifyError> {
        Ok(TrustAnchor {
            key: VerifyingKey::from_certificate(cert)?,
            serial: cert.serial().to_vec(),
        })
    }
}

/// The RSA key of a record: its PUBLICKEY, else its certificate's.
pub fn record_key(r: &Record<'_>) -> Result<VerifyingKey, VerifyError> {
    if let Some(k) = r
        .public_key()
        .and_then(|pk| VerifyingKey::from_pkcs1_der(pk).ok())
    {
        return Ok(k);
    }
    let der = r.certificate().ok_or(VerifyError::BadSignerKey)?;
    let cert = CertInfo::from_der(der).map_err(|_| VerifyError::BadSignerKey)?;
    VerifyingKey::from_certificate(&cert)
}

/// Checks `header`'s signature over `parts` with `key` under `policy`.
pub(crate) fn check_signature(
    header: &Header<'_>,
    parts: &[&[u8]],
    key: &VerifyingKey,
    policy: &Policy,
) -> Result<Verified, VerifyError> {
    let digest = header.digest();
    if let DigestAlgorithm::Unknown(code) = digest {
        return Err(VerifyError::UnsupportedDigest(code));
    }
    if header.signature_algorithm() != 0 {
        return Err(VerifyError::UnsupportedSignatureAlgorithm(
            header.signature_algorithm(),
        ));
    }
    if digest == DigestAlgorithm::Sha1 && !policy.allow_sha1 {
        return Err(VerifyError::WeakDigest(digest));
    }
    let bits = key.bits();
    if bits < policy.min_key_bits {
        return Err(VerifyError::WeakKey {
            bits,
            min: policy.min_key_bits,
        });
    }
    key.verify(digest, parts, header.signature())?;
    Ok(Verified {
        signer_index: None,
        anchor_index: None,
        digest,
        key_bits: bits,
    })
}

/// Tries `anchors` whose serial is the header signer's, in order; the
/// first that verifies wins.
pub(crate) fn check_with_anchors(
    header: &Header<'_>,
    parts: &[&[u8]],
    anchors: &[TrustAnchor],
    policy: &Policy,
) -> Result<Verified, VerifyError> {
    let mut last = VerifyError::UntrustedSigner;
    for (i, a) in anchors.iter().enumerate() {
        if a.serial != header.signer_serial() {
            continue;
        }
        match check_signature(header, parts, &a.key, policy) {
            Ok(v) => {
                return Ok(Verified {
                    anchor_index: Some(i),
                    ..v
                });
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

impl<'a> TrustList<'a> {
    /// Verifies the file against its own signing record, with the default
    /// [`Policy`].
    ///
    /// ```
    /// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
    /// let list = cisco_itl::TrustList::parse(&bytes).unwrap();
    /// assert_eq!(list.verify().unwrap().signer_index, Some(0));
    /// ```
    pub fn verify(&self) -> Result<Verified, VerifyError> {
        self.verify_with_policy(&Policy::default())
    }

    /// Verifies the file against its own signing record under `policy`.
    pub fn verify_with_policy(&self, policy: &Policy) -> Result<Verified, VerifyError> {
        let (index, record) = self.find_signer()?;
        let key = record_key(&record)?;
        let v = check_signature(self.header(), &self.signed_parts(), &key, policy)?;
        Ok(Verified {
            signer_index: Some(index),
            ..v
        })
    }

    /// Verifies the file against keys the caller trusts (from a previously
    /// installed list's records, or certificates), ignoring the file's own
    /// records.
    pub fn verify_with(
        &self,
        anchors: &[TrustAnchor],
        policy: &Policy,
    ) -> Result<Verified, VerifyError> {
        let v = check_with_anchors(self.header(), &self.signed_parts(), anchors, policy)?;
        Ok(Verified {
            signer_index: self.signer_record().map(|(i, _)| i),
            ..v
        })
    }

    /// Verifies the file against the records of `installed` that carry one
    /// of `functions` (for instance the SAST records of an installed CTL).
    /// Returns the index of the installed record that verified it.
    pub fn verify_with_list(
        &self,
        installed: &TrustList<'_>,
        functions: &[Function],
        policy: &Policy,
    ) -> Result<(usize, Verified), VerifyError> {
        let (serial, issuer) = (self.header().signer_serial(), self.header().ca_name());
        let mut last = VerifyError::UntrustedSigner;
        for (i, r) in installed.records().enumerate() {
            if !functions.iter().any(|f| r.has_function(*f)) || !r.matches_signer(serial, issuer) {
                continue;
            }
            let key = match record_key(&r) {
                Ok(k) => k,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match check_signature(self.header(), &self.signed_parts(), &key, policy) {
                Ok(v) => {
                    return Ok((
                        i,
                        Verified {
                            signer_index: self.signer_record().map(|(j, _)| j),
                            ..v
                        },
                    ));
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The record naming the header's signer, which must be SAST.
    fn find_signer(&self) -> Result<(usize, Record<'a>), VerifyError> {
        if let Some(found) = self.signer_record() {
            return Ok(found);
        }
        let (serial, issuer) = (self.header().signer_serial(), self.header().ca_name());
        match self
            .records()
            .enumerate()
            .find(|(_, r)| r.matches_signer(serial, issuer))
        {
            Some((index, r)) => Err(VerifyError::SignerNotSast {
                index,
                function: r.function(),
            }),
            None => Err(VerifyError::NoSignerRecord),
        }
    }
}
