//! Verification: a file against its own signing record, or against keys
//! the caller already trusts, under a policy.

use alloc::string::String;
use alloc::vec::Vec;

use der::Decode;
use rsa::pkcs1::RsaPublicKeyRef;

use crate::cert::{CertInfo, CertView, NameStyle, RecordFields};
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
    /// A record's CERTIFICATE does not parse as X.509.
    #[error("the record's CERTIFICATE is not a valid X.509 certificate")]
    BadCertificate,
    /// A record carries a PUBLICKEY that is not its CERTIFICATE's key:
    /// whoever wrote it wants the key and the certificate to tell
    /// different stories.
    #[error("the record's PUBLICKEY is not the key of its CERTIFICATE")]
    KeyMismatch,
    /// Another field of a record disagrees with the record's own
    /// CERTIFICATE.
    #[error("the record's {0} does not match its CERTIFICATE")]
    RecordMismatch(RecordField),
    /// The header's SIGNERNAME is not the subject of the record or
    /// certificate whose serial and issuer it names.
    #[error("the header's SIGNERNAME is not the signer's subject")]
    SignerNameMismatch,
    /// A trusted certificate has the header's serial, but another issuer
    /// than the header's CANAME.
    #[error("the header's CANAME is not the trusted certificate's issuer")]
    SignerIssuerMismatch,
    /// SIGNATUREMODULUS declares another key size than the signer's key.
    #[error("the header declares a {declared} key, the signer's key has {key_bits} bits")]
    ModulusMismatch {
        /// What SIGNATUREMODULUS says, in words ("2048-bit", "unknown code 9").
        declared: ModulusName,
        /// The signer key's size in bits.
        key_bits: usize,
    },
}

/// A field of a record checked against the record's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordField {
    /// SERIALNUMBER.
    Serial,
    /// ISSUERNAME.
    Issuer,
    /// SUBJECTNAME.
    Subject,
    /// CERTHASH (when it is a SHA-1, 20 bytes).
    CertHash,
    /// SIGNATURE (the certificate's own signature).
    Signature,
}

impl core::fmt::Display for RecordField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            RecordField::Serial => "SERIALNUMBER",
            RecordField::Issuer => "ISSUERNAME",
            RecordField::Subject => "SUBJECTNAME",
            RecordField::CertHash => "CERTHASH",
            RecordField::Signature => "SIGNATURE",
        })
    }
}

/// A SIGNATUREMODULUS code as words, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModulusName(pub crate::digest::SignatureModulus);

impl core::fmt::Display for ModulusName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0.key_bits() {
            Some(bits) => write!(f, "{bits}-bit"),
            None => write!(f, "key of unknown size code {}", self.0.0),
        }
    }
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
/// With the default `aws-lc` feature, checking runs on AWS-LC (through
/// `aws-lc-rs`: assembly SHA and Montgomery arithmetic, within a few
/// percent of OpenSSL); without it, on the pure-Rust RustCrypto `rsa`
/// crate, which also builds for `no_std`. Either way the key is decoded
/// once, on first use, and the decoded form is kept with the key (see
/// `docs/PERFORMANCE.md`).
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
    /// The backend's decoded form of the key, made on first use and kept,
    /// so that a key checks many files for the price of one decoding.
    decoded: backend::Decoded,
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
            decoded: backend::Decoded::default(),
        })
    }

    /// The key of an RSA certificate.
    pub fn from_certificate(cert: &CertInfo) -> Result<Self, VerifyError> {
        let spki = cert
            .certificate()
            .tbs_certificate()
            .subject_public_key_info();
        Self::from_spki(spki.algorithm.oid, cert.public_key_bytes())
    }

    /// The key of a certificate whose subject public key has `algorithm`
    /// and `key` as its bytes: RSA only.
    fn from_spki(algorithm: der::asn1::ObjectIdentifier, key: &[u8]) -> Result<Self, VerifyError> {
        if algorithm != rsa::pkcs1::ALGORITHM_OID {
            return Err(VerifyError::BadSignerKey);
        }
        Self::from_pkcs1_der(key)
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

/// The pure-Rust backend: RustCrypto `rsa` (on `crypto-bigint`) and the
/// RustCrypto hashes. Builds for `no_std`.
#[cfg(not(feature = "aws-lc"))]
mod backend {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha1::Sha1;
    use sha2::{Sha256, Sha512};

    use super::{VerifyError, VerifyingKey};
    use crate::digest::DigestAlgorithm;

    /// The decoded key, made on first use. Without `std` there is no
    /// `OnceLock`: the key is decoded on every check.
    #[derive(Clone, Default)]
    pub(super) struct Decoded {
        #[cfg(feature = "std")]
        key: std::sync::OnceLock<Option<rsa::PublicKey>>,
    }

    super::same_for_every_key!(Decoded);

    fn decode(key: &VerifyingKey) -> Option<rsa::PublicKey> {
        rsa::PublicKey::from_pkcs1_der(&key.der).ok()
    }

    pub(super) fn verify(
        key: &VerifyingKey,
        digest: DigestAlgorithm,
        parts: &[&[u8]],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        #[cfg(feature = "std")]
        let decoded = key.decoded.key.get_or_init(|| decode(key));
        #[cfg(feature = "std")]
        let k = decoded.as_ref().ok_or(VerifyError::BadSignerKey)?;
        #[cfg(not(feature = "std"))]
        let owned = decode(key).ok_or(VerifyError::BadSignerKey)?;
        #[cfg(not(feature = "std"))]
        let k = &owned;
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

/// The AWS-LC backend (`aws-lc-rs`), the crypto provider the TLS of TVS
/// uses too: the signed bytes are hashed with AWS-LC's assembly SHA and
/// the digest checked with the key decoded once (one decoding per digest
/// algorithm, as AWS-LC binds a parsed key to its algorithm).
#[cfg(feature = "aws-lc")]
mod backend {
    use std::sync::OnceLock;

    use aws_lc_rs::digest;
    use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters};

    use super::{VerifyError, VerifyingKey};
    use crate::digest::DigestAlgorithm;

    /// The key parsed for SHA-1, SHA-256 and SHA-512, each on first use.
    #[derive(Clone, Default)]
    pub(super) struct Decoded([OnceLock<Option<ParsedPublicKey>>; 3]);

    super::same_for_every_key!(Decoded);

    fn algorithms(
        digest: DigestAlgorithm,
    ) -> Option<(usize, &'static RsaParameters, &'static digest::Algorithm)> {
        match digest {
            DigestAlgorithm::Sha1 => Some((
                0,
                &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                &digest::SHA1_FOR_LEGACY_USE_ONLY,
            )),
            DigestAlgorithm::Sha256 => Some((
                1,
                &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                &digest::SHA256,
            )),
            DigestAlgorithm::Sha512 => Some((
                2,
                &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                &digest::SHA512,
            )),
            DigestAlgorithm::Unknown(_) => None,
        }
    }

    pub(super) fn verify(
        key: &VerifyingKey,
        digest: DigestAlgorithm,
        parts: &[&[u8]],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let (slot, params, md) =
            algorithms(digest).ok_or(VerifyError::UnsupportedDigest(digest.code()))?;
        let parsed = key
            .decoded
            .0
            .get(slot)
            .ok_or(VerifyError::UnsupportedDigest(digest.code()))?
            .get_or_init(|| ParsedPublicKey::new(params, &key.der).ok())
            .as_ref()
            .ok_or(VerifyError::BadSignerKey)?;
        let mut context = digest::Context::new(md);
        for part in parts {
            context.update(part);
        }
        parsed
            .verify_digest_sig(&context.finish(), signature)
            .map_err(|_| VerifyError::BadSignature)
    }
}

/// A cache is not part of a key's identity: every instance compares equal,
/// hashes to nothing and prints as `..`.
macro_rules! same_for_every_key {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }
        impl Eq for $t {}
        impl core::hash::Hash for $t {
            fn hash<H: core::hash::Hasher>(&self, _: &mut H) {}
        }
        impl core::fmt::Debug for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("..")
            }
        }
    };
}
use same_for_every_key;

/// A public key the caller trusts, with the names that identify it in a
/// header: its serial, and the spellings of its issuer and subject a
/// header may use (CUCM's `;` form and the `,` form).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{cert::CertInfo, verify::TrustAnchor};
/// let cert = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap()).unwrap();
/// let anchor = TrustAnchor::from_certificate(&cert).unwrap();
/// assert_eq!(anchor.serial, cert.serial());
/// assert!(anchor.issuers.iter().any(|n| n == "CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    /// The RSA key.
    pub key: VerifyingKey,
    /// The certificate's serial (raw bytes).
    pub serial: Vec<u8>,
    /// The spellings of the issuer a header's CANAME may use.
    pub issuers: Vec<String>,
    /// The spellings of the subject a header's SIGNERNAME may use.
    pub subjects: Vec<String>,
}

impl TrustAnchor {
    /// The anchor a record describes, through [`record_key`]: a record
    /// whose PUBLICKEY or names disagree with its CERTIFICATE is refused.
    pub fn from_record(r: &Record<'_>) -> Result<Self, VerifyError> {
        Ok(TrustAnchor {
            key: record_key(r)?,
            serial: r.serial().to_vec(),
            issuers: alloc::vec![r.issuer().into()],
            subjects: alloc::vec![r.subject().into()],
        })
    }

    /// The anchor a certificate describes.
    pub fn from_certificate(cert: &CertInfo) -> Result<Self, VerifyError> {
        let spellings = |name: &dyn Fn(NameStyle) -> Result<String, crate::cert::CertError>| {
            let mut out: Vec<String> = [NameStyle::Cucm, NameStyle::Comma]
                .into_iter()
                .filter_map(|style| name(style).ok())
                .collect();
            out.dedup();
            out
        };
        Ok(TrustAnchor {
            key: VerifyingKey::from_certificate(cert)?,
            serial: cert.serial().to_vec(),
            issuers: spellings(&|s| cert.issuer(s)),
            subjects: spellings(&|s| cert.subject(s)),
        })
    }

    /// Whether the header names this anchor: same serial, one of its
    /// issuer spellings, one of its subject spellings. `Ok(false)` when the
    /// serial differs (another certificate altogether).
    fn names(&self, header: &Header<'_>) -> Result<bool, VerifyError> {
        if self.serial != header.signer_serial() {
            return Ok(false);
        }
        if !self.issuers.iter().any(|n| n == header.ca_name()) {
            return Err(VerifyError::SignerIssuerMismatch);
        }
        if !self.subjects.iter().any(|n| n == header.signer_name()) {
            return Err(VerifyError::SignerNameMismatch);
        }
        Ok(true)
    }
}

/// The RSA key of a record: the one source of truth used by verification,
/// `show`, the phone, `.sgn` checks and recovery alike.
///
/// When the record carries a CERTIFICATE, the key is the certificate's, and
/// the record must agree with it: a PUBLICKEY that is not the
/// certificate's key is [`VerifyError::KeyMismatch`]; a SERIALNUMBER,
/// ISSUERNAME, SUBJECTNAME, CERTHASH or record SIGNATURE that differs from
/// the certificate is [`VerifyError::RecordMismatch`]. Without a
/// certificate (eToken-style records), the key is PUBLICKEY.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use cisco_itl::{TrustList, verify::record_key};
/// let list = TrustList::parse(&bytes).unwrap();
/// let key = record_key(&list.record(0).unwrap()).unwrap();
/// assert_eq!(key.bits(), 1024);
/// ```
pub fn record_key(r: &Record<'_>) -> Result<VerifyingKey, VerifyError> {
    match r.certificate() {
        Some(der) => match CertView::from_der(der) {
            // The usual certificate, decoded once without copying.
            Some(view) => {
                check_fields(r, &view)?;
                VerifyingKey::from_spki(view.public_key_algorithm(), view.public_key_bytes())
            }
            // Anything the view does not take: x509-cert decides.
            None => {
                let cert = CertInfo::from_der(der).map_err(|_| VerifyError::BadCertificate)?;
                check_record_certificate(r, &cert)?;
                VerifyingKey::from_certificate(&cert)
            }
        },
        None => VerifyingKey::from_pkcs1_der(r.public_key().ok_or(VerifyError::BadSignerKey)?),
    }
}

/// What [`record_key`] checks of a record carrying a CERTIFICATE, without
/// the key: the certificate decodes and the record agrees with it.
pub(crate) fn check_record(r: &Record<'_>, der: &[u8]) -> Result<(), VerifyError> {
    match CertView::from_der(der) {
        Some(view) => check_fields(r, &view),
        None => CertInfo::from_der(der)
            .map_err(|_| VerifyError::BadCertificate)
            .and_then(|cert| check_record_certificate(r, &cert)),
    }
}

/// Checks that every field of `r` that describes a certificate describes
/// `cert`: PUBLICKEY, SERIALNUMBER, ISSUERNAME, SUBJECTNAME, a SHA-1
/// CERTHASH and the record SIGNATURE, each when present.
pub fn check_record_certificate(r: &Record<'_>, cert: &CertInfo) -> Result<(), VerifyError> {
    check_fields(r, cert)
}

/// [`check_record_certificate`] for any decoding of the certificate, in
/// one order (the first field that differs is the error).
fn check_fields(r: &Record<'_>, cert: &impl RecordFields) -> Result<(), VerifyError> {
    if r.public_key()
        .is_some_and(|pk| pk != cert.public_key_bytes())
    {
        return Err(VerifyError::KeyMismatch);
    }
    if r.serial() != cert.serial() {
        return Err(VerifyError::RecordMismatch(RecordField::Serial));
    }
    if !cert.issuer_is(r.issuer()) {
        return Err(VerifyError::RecordMismatch(RecordField::Issuer));
    }
    if !cert.subject_is(r.subject()) {
        return Err(VerifyError::RecordMismatch(RecordField::Subject));
    }
    if r.cert_hash()
        .is_some_and(|h| h.len() == 20 && h != cert.sha1())
    {
        return Err(VerifyError::RecordMismatch(RecordField::CertHash));
    }
    if r.signature()
        .is_some_and(|sig| sig != cert.signature_bytes())
    {
        return Err(VerifyError::RecordMismatch(RecordField::Signature));
    }
    Ok(())
}

/// Checks that the header names `r` truthfully (SIGNERNAME is its
/// subject; serial and issuer were matched to find it) and returns its key.
fn signer_key(header: &Header<'_>, r: &Record<'_>) -> Result<VerifyingKey, VerifyError> {
    let key = record_key(r)?;
    check_signer_name(header, r)?;
    Ok(key)
}

/// SIGNERNAME must be the subject of the record the header's serial and
/// issuer found.
pub(crate) fn check_signer_name(header: &Header<'_>, r: &Record<'_>) -> Result<(), VerifyError> {
    if header.signer_name() != r.subject() {
        return Err(VerifyError::SignerNameMismatch);
    }
    Ok(())
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
    if header.modulus().key_bits() != Some(bits.div_ceil(8) * 8) {
        return Err(VerifyError::ModulusMismatch {
            declared: ModulusName(header.modulus()),
            key_bits: bits,
        });
    }
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

/// Tries `anchors` that the header names (serial, issuer and subject), in
/// order; the first that verifies wins.
pub(crate) fn check_with_anchors(
    header: &Header<'_>,
    parts: &[&[u8]],
    anchors: &[TrustAnchor],
    policy: &Policy,
) -> Result<Verified, VerifyError> {
    let mut last = VerifyError::UntrustedSigner;
    for (i, a) in anchors.iter().enumerate() {
        match a.names(header).and_then(|named| match named {
            true => check_signature(header, parts, &a.key, policy).map(Some),
            false => Ok(None),
        }) {
            Ok(Some(v)) => {
                return Ok(Verified {
                    anchor_index: Some(i),
                    ..v
                });
            }
            Ok(None) => {}
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Tries the records of `list` that carry one of `functions` and whose
/// serial and issuer are the header's signer's; the first whose key (see
/// [`record_key`]) verifies wins. Returns its index.
pub(crate) fn check_with_list(
    header: &Header<'_>,
    parts: &[&[u8]],
    list: &TrustList<'_>,
    functions: &[Function],
    policy: &Policy,
) -> Result<(usize, Verified), VerifyError> {
    let (serial, issuer) = (header.signer_serial(), header.ca_name());
    let mut last = VerifyError::UntrustedSigner;
    for (i, r) in list.records().enumerate() {
        if !functions.iter().any(|f| r.has_function(*f)) || !r.matches_signer(serial, issuer) {
            continue;
        }
        match signer_key(header, &r).and_then(|k| check_signature(header, parts, &k, policy)) {
            Ok(v) => return Ok((i, v)),
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
        let key = signer_key(self.header(), &record)?;
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
        let (i, v) = check_with_list(
            self.header(),
            &self.signed_parts(),
            installed,
            functions,
            policy,
        )?;
        Ok((
            i,
            Verified {
                signer_index: self.signer_record().map(|(j, _)| j),
                ..v
            },
        ))
    }

    /// Checks that every record carrying a CERTIFICATE agrees with it (see
    /// [`record_key`]). Returns the index of the first record that does
    /// not, with the reason. A phone refuses a list that fails this.
    ///
    /// ```
    /// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
    /// let list = cisco_itl::TrustList::parse(&bytes).unwrap();
    /// assert_eq!(list.check_records(), Ok(()));
    /// ```
    pub fn check_records(&self) -> Result<(), (usize, VerifyError)> {
        for (i, r) in self.records().enumerate() {
            if let Some(der) = r.certificate() {
                check_record(&r, der).map_err(|e| (i, e))?;
            }
        }
        Ok(())
    }

    /// The record naming the header's signer, which must be SAST.
    pub(crate) fn find_signer(&self) -> Result<(usize, Record<'a>), VerifyError> {
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
