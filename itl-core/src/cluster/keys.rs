//! Where the simulator's keys come from, and the certificates it makes for
//! them.
//!
//! Regenerating a certificate on a simulated node needs a new RSA key.
//! Generating one costs tens of milliseconds (1024 bits) to seconds (2048
//! bits), so the simulator draws keys from a [`KeySource`]: by default the
//! built-in pool of 96 1024-bit keys shipped with the crate, handed out in
//! order (so runs are reproducible); or a pool of your own PEM keys; or
//! freshly generated keys. A pool never hands out a key twice: when it is
//! used up, the operation fails with [`ClusterError::KeysExhausted`].
//!
//! Copies of a cluster draw the same keys in the same order, generated
//! keys included: the n-th key generated is kept (up to
//! [`MAX_REMEMBERED_KEYS`]) and handed to every copy that draws its n-th
//! key, so that replaying operations on a copy (what `whatif`'s remedies
//! do, once per node) costs no new key.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::str::FromStr;

use der::Encode;
use rsa::pkcs1v15;
use sha2::Sha256;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfo, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use super::ClusterError;
use crate::cert::CertInfo;
use crate::key::{Signer, SigningKey};

/// The built-in pool: 96 RSA keys of 1024 bits, PKCS#8 PEM, made with
/// `openssl genpkey` for this crate and used only by the simulator.
const BUILTIN_POOL: &str = include_str!("key_pool.pem");

/// Where new keys come from.
///
/// ```
/// use cisco_itl::cluster::KeySource;
/// let mut keys = KeySource::builtin();
/// assert_eq!(keys.remaining(), Some(96));
/// let key = keys.next_key()?;
/// assert_eq!(key.bits(), 1024);
/// assert_eq!(keys.remaining(), Some(95));
/// # Ok::<(), cisco_itl::cluster::ClusterError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeySource {
    kind: SourceKind,
}

#[derive(Debug, Clone)]
enum SourceKind {
    Pool {
        pem: Arc<Vec<String>>,
        next: usize,
    },
    Generated {
        bits: usize,
        drawn: Drawn,
        next: usize,
    },
}

/// The most generated keys a source (and its copies) remembers; past
/// that, each draw generates a new key.
pub const MAX_REMEMBERED_KEYS: usize = 1_024;

/// The keys generated so far, shared by every copy of a source.
#[derive(Clone, Default)]
struct Drawn(Arc<std::sync::Mutex<Vec<SigningKey>>>);

impl core::fmt::Debug for Drawn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Drawn({} keys)", self.lock().len())
    }
}

impl Drawn {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SigningKey>> {
        // A panic while holding the lock cannot leave the list half-pushed.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl KeySource {
    /// The pool shipped with the crate (96 keys of 1024 bits): the rules the
    /// simulator checks do not depend on key size, and signing with 1024-bit
    /// keys is about five times faster than with 2048-bit ones.
    pub fn builtin() -> Self {
        // The built-in text is well formed; an error could only leave the
        // pool empty, which `next_key` reports.
        Self::pool_from_pem(BUILTIN_POOL.as_bytes()).unwrap_or(KeySource {
            kind: SourceKind::Pool {
                pem: Arc::new(Vec::new()),
                next: 0,
            },
        })
    }

    /// A pool of the private keys in `pem` (PKCS#1 or PKCS#8 blocks, in
    /// order). The keys are decoded when drawn.
    ///
    /// ```
    /// use cisco_itl::cluster::KeySource;
    /// let pem = std::fs::read("tests/data/vectors/keys/capf.pem").unwrap();
    /// let mut keys = KeySource::pool_from_pem(&pem)?;
    /// assert_eq!(keys.remaining(), Some(1));
    /// keys.next_key()?;
    /// assert!(keys.next_key().is_err());
    /// # Ok::<(), cisco_itl::cluster::ClusterError>(())
    /// ```
    pub fn pool_from_pem(pem: &[u8]) -> Result<Self, ClusterError> {
        let blocks =
            crate::pem::blocks(pem).map_err(|e| ClusterError::Key(crate::key::KeyError::Pem(e)))?;
        let keys: Vec<String> = blocks
            .iter()
            .filter(|b| b.label == "PRIVATE KEY" || b.label == "RSA PRIVATE KEY")
            .filter_map(|b| {
                pem_rfc7468::encode_string(&b.label, pem_rfc7468::LineEnding::LF, &b.der).ok()
            })
            .collect();
        Ok(KeySource {
            kind: SourceKind::Pool {
                pem: Arc::new(keys),
                next: 0,
            },
        })
    }

    /// Freshly generated keys of `bits` bits (1024, 2048 or 4096), from the
    /// operating system's random numbers. Slow: use a pool to simulate many
    /// operations.
    pub fn generated(bits: usize) -> Self {
        KeySource {
            kind: SourceKind::Generated {
                bits,
                drawn: Drawn::default(),
                next: 0,
            },
        }
    }

    /// How many keys a pool has left (`None` for generated keys).
    pub fn remaining(&self) -> Option<usize> {
        match &self.kind {
            SourceKind::Pool { pem, next } => Some(pem.len().saturating_sub(*next)),
            SourceKind::Generated { .. } => None,
        }
    }

    /// The next key.
    pub fn next_key(&mut self) -> Result<SigningKey, ClusterError> {
        match &mut self.kind {
            SourceKind::Pool { pem, next } => {
                let text = pem.get(*next).ok_or(ClusterError::KeysExhausted)?;
                let key = SigningKey::from_pem(text.as_bytes()).map_err(ClusterError::Key)?;
                *next += 1;
                Ok(key)
            }
            SourceKind::Generated { bits, drawn, next } => {
                if let Some(key) = drawn.lock().get(*next) {
                    *next += 1;
                    return Ok(key.clone());
                }
                // Generated without the lock held: copies drawing other
                // keys do not wait for this one.
                let mut rng = getrandom::SysRng;
                let key = rsa::PrivateKey::new(&mut rng, *bits)
                    .map_err(|_| ClusterError::KeyGeneration { bits: *bits })?;
                let key = SigningKey::new(key).map_err(ClusterError::Key)?;
                let mut keys = drawn.lock();
                let key = match keys.get(*next) {
                    // Another copy generated this one meanwhile: the same
                    // key for every copy.
                    Some(theirs) => theirs.clone(),
                    None => {
                        if keys.len() == *next && keys.len() < MAX_REMEMBERED_KEYS {
                            keys.push(key.clone());
                        }
                        key
                    }
                };
                *next += 1;
                Ok(key)
            }
        }
    }
}

/// A self-signed certificate profile with no extensions, as CUCM's own
/// `CallManager.pem`, `TVS.pem`, `CAPF.pem` and `ITLRecovery.pem` are
/// (one name, issuer and subject alike).
struct SelfSigned {
    subject: Name,
    /// The issuer written: the subject, or for a stand-in of a CA-issued
    /// certificate the real issuer's name (signed by the stand-in's own
    /// key: phones match records by issuer and serial, not by chain).
    issuer: Name,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}

/// Makes a self-signed certificate (SHA-256 with RSA) for `key` and
/// returns the pair as a [`Signer`].
///
/// `subject` is an RFC 4514 name (`CN=cucm-pub,OU=VOICE,O=Example`);
/// `serial` is its serial number (positive, at most 20 bytes); the
/// certificate is valid from `not_before` (UNIX seconds) for `years` years.
pub(crate) fn self_signed(
    key: SigningKey,
    subject: &str,
    serial: &[u8],
    not_before: u64,
    years: u64,
) -> Result<Signer, ClusterError> {
    let bad = |what: &str| ClusterError::Certificate(alloc::format!("{what} for {subject}"));
    let name = Name::from_str(subject).map_err(|_| bad("an invalid subject name"))?;
    certificate_named(key, name.clone(), name, serial, not_before, years)
}

/// A certificate for `key` named `subject`, issued by `issuer` (the name
/// only: it is signed by `key` itself), as [`self_signed`] otherwise.
pub(crate) fn certificate_named(
    key: SigningKey,
    subject: Name,
    issuer: Name,
    serial: &[u8],
    not_before: u64,
    years: u64,
) -> Result<Signer, ClusterError> {
    let bad = |what: &str| ClusterError::Certificate(alloc::format!("{what} for {subject}"));
    let serial = SerialNumber::new(serial).map_err(|_| bad("an invalid serial number"))?;
    let start = core::time::Duration::from_secs(not_before);
    let end = core::time::Duration::from_secs(
        not_before.saturating_add(years.saturating_mul(365 * 86_400)),
    );
    let at = |d, what| {
        std::time::UNIX_EPOCH
            .checked_add(d)
            .and_then(|t| Time::try_from(t).ok())
            .ok_or_else(|| bad(what))
    };
    let validity = Validity::new(
        at(start, "an invalid start date")?,
        at(end, "an invalid end date")?,
    );
    let signer = pkcs1v15::SigningKey::<Sha256>::new(key.rsa().clone());
    let public = key.rsa().as_ref().clone();
    let spki =
        SubjectPublicKeyInfo::from_key(&public).map_err(|_| bad("an unusable public key"))?;
    let profile = SelfSigned {
        subject: subject.clone(),
        issuer,
    };
    let builder = CertificateBuilder::new(profile, serial, validity, spki)
        .map_err(|_| bad("an unusable certificate"))?;
    let cert = builder
        .build::<_, pkcs1v15::Signature>(&signer)
        .map_err(|_| bad("a signing failure"))?;
    let der = cert
        .to_der()
        .map_err(|_| bad("an unencodable certificate"))?;
    let info = CertInfo::from_der(&der).map_err(|_| bad("an unreadable certificate"))?;
    Signer::new(key, info).map_err(ClusterError::Key)
}
