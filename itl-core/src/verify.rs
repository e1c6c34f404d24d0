//! Verification: a file against its own signing record, or against keys
//! the caller already trusts, under a policy.

use rsa::PublicKey as RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

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
/// use itl_core::verify::Policy;
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

/// A public key the caller trusts, with the serial and issuer that name it
/// in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The RSA key.
    pub key: RsaPublicKey,
    /// The certificate's serial (raw bytes).
    pub serial: alloc::vec::Vec<u8>,
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
            key: cert
                .rsa_public_key()
                .map_err(|_| VerifyError::BadSignerKey)?,
            serial: cert.serial().to_vec(),
        })
    }
}

/// The RSA key of a record.
pub fn record_key(r: &Record<'_>) -> Result<RsaPublicKey, VerifyError> {
    if let Some(k) = r
        .public_key()
        .and_then(|pk| RsaPublicKey::from_pkcs1_der(pk).ok())
    {
        return Ok(k);
    }
    let der = r.certificate().ok_or(VerifyError::BadSignerKey)?;
    CertInfo::from_der(der)
        .and_then(|c| c.rsa_public_key())
        .map_err(|_| VerifyError::BadSignerKey)
}

/// Checks `header`'s signature over `parts` with `key` under `policy`.
pub(crate) fn check_signature(
    header: &Header<'_>,
    parts: &[&[u8]],
    key: &RsaPublicKey,
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
    let bits = key.size() * 8;
    if bits < policy.min_key_bits {
        return Err(VerifyError::WeakKey {
            bits,
            min: policy.min_key_bits,
        });
    }
    let hash = digest
        .hash_parts(parts)
        .ok_or(VerifyError::UnsupportedDigest(digest.code()))?;
    let (h, sig) = (hash.as_ref(), header.signature());
    match digest {
        DigestAlgorithm::Sha1 => key.pkcs1v15_verify_prehash::<Sha1>(h, sig),
        DigestAlgorithm::Sha256 => key.pkcs1v15_verify_prehash::<Sha256>(h, sig),
        DigestAlgorithm::Sha512 => key.pkcs1v15_verify_prehash::<Sha512>(h, sig),
        DigestAlgorithm::Unknown(code) => return Err(VerifyError::UnsupportedDigest(code)),
    }
    .map_err(|_| VerifyError::BadSignature)?;
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
    /// # let bytes = std::fs::read("../../shared/vectors/cucm-ITLFile.tlv")
    /// #     .or_else(|_| std::fs::read("../shared/vectors/cucm-ITLFile.tlv")).unwrap();
    /// let list = itl_core::TrustList::parse(&bytes).unwrap();
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
