//! Loading an RSA identity (private key and certificate) from a PKCS#12
//! (`.p12` / `.pfx`) file, as used for Cisco's ITL recovery key.
//!
//! [`Identity::from_pkcs12`] verifies the file's MAC *before* decrypting
//! anything, then decrypts the bags and returns the first RSA private key
//! together with the certificate that carries its public key.
//!
//! Supported protection:
//!
//! - integrity: HMAC with SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512, keyed
//!   with the PKCS#12 key-derivation function (RFC 7292 appendix B);
//! - privacy: PBES2 (PBKDF2 with HMAC-SHA-1/-224/-256/-384/-512, AES-CBC or
//!   3DES-CBC; scrypt) as written by OpenSSL 3, and the legacy PKCS#12
//!   schemes `pbeWithSHAAnd3-KeyTripleDES-CBC`,
//!   `pbeWithSHAAnd2-KeyTripleDES-CBC`, `pbeWithSHAAnd128BitRC2-CBC` and
//!   `pbeWithSHAAnd40BitRC2-CBC` as written by OpenSSL 1.x and `-legacy`.
//!
//! Files without a MAC, with a public-key MAC or privacy mode, or with RC4
//! are refused with a specific [`Pkcs12Error`].
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = "tests/data/vectors/keys";
//! use cisco_itl::pkcs12::Identity;
//! let p12 = std::fs::read(format!("{dir}/ITLRecovery.p12"))?;
//! let password = std::fs::read_to_string(format!("{dir}/ITLRecovery.password"))?;
//! let identity = Identity::from_pkcs12(&p12, password.trim_end())?;
//! assert!(!identity.certificate_der.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Bounded key-derivation cost
//!
//! A `.p12` names its own key-derivation costs, and it may be hostile: every
//! cost is checked against the limits below *before* the derivation it
//! governs starts. A cost above its limit is refused with
//! [`Pkcs12Error::KdfCostTooHigh`], a zero, negative or otherwise invalid
//! one (scrypt `N` not a power of two above 1) with
//! [`Pkcs12Error::KdfCostInvalid`], and a MAC iteration count outside
//! `1..=`[`MAX_MAC_ITERATIONS`] with [`Pkcs12Error::BadIterationCount`];
//! none of them panics or allocates for the derivation. At most
//! [`MAX_BAG_DECRYPTIONS`] bags are decrypted per file, and one more is
//! refused with [`Pkcs12Error::TooManyBagDecryptions`]; after the first
//! private key, further shrouded key bags are skipped unread, as only the
//! first key is used. A file thus costs at most one MAC derivation (two
//! for the empty password, which is tried both ways) and two bag
//! derivations.
//!
//! The limits were measured in a release build on a 2-core AMD EPYC VM
//! with SHA-NI (one core used, best of five runs). With the MAC and both bags
//! at their limits a file loads in 0.55 to 0.9 s (SHA-512 MAC with PBKDF2 or
//! scrypt bags; about 0.3 s more with the empty password), and in at most
//! 67 MiB of resident memory (scrypt's 64 MiB table included). They accept
//! with room to spare what OpenSSL 1.x/3.x (2048 iterations), Windows (2000),
//! Java (10,000) and OWASP-minded tools (PBKDF2-HMAC-SHA-256 600,000,
//! PBKDF2-HMAC-SHA-512 210,000; scrypt `N` = 2^14..2^16, `r` = 8, `p` = 1)
//! write.
//!
//! - [`MAX_MAC_ITERATIONS`]: 1,000,000 iterations of the PKCS#12 KDF with
//!   SHA-512 take about 260 ms (SHA-1 or SHA-256: 60 ms) on a 2-core AMD
//!   EPYC VM.
//! - [`MAX_PBE_ITERATIONS`]: 1,000,000 iterations of the
//!   `pbeWithSHAAnd3-KeyTripleDES-CBC` key and IV derivation (three SHA-1
//!   chains, the costliest legacy scheme) take about 200 ms on a 2-core AMD
//!   EPYC VM.
//! - [`MAX_PBKDF2_ITERATIONS`]: 1,000,000 iterations of PBKDF2 with
//!   HMAC-SHA-1 or HMAC-SHA-224 for a 32-byte AES-256 key (two output blocks)
//!   take about 250 ms (HMAC-SHA-256: 130 ms) on a 2-core AMD EPYC VM.
//! - [`MAX_PBKDF2_SHA512_ITERATIONS`]: 500,000 iterations of PBKDF2 with
//!   HMAC-SHA-512 or HMAC-SHA-384 take about 270 ms on a 2-core AMD EPYC VM.
//! - [`MAX_SCRYPT_N`], [`MAX_SCRYPT_R`], [`MAX_SCRYPT_P`]: scrypt with
//!   `N` = 2^16, `r` = 8 and `p` = 2 takes about 300 ms (`p` = 1: 170 ms;
//!   OpenSSL's `N` = 2^14: 35 ms) on a 2-core AMD EPYC VM, and its table of
//!   128 · `r` · `N` bytes is 64 MiB.

/// The largest MAC iteration count accepted (OpenSSL writes 2048).
///
/// 1,000,000 iterations of the PKCS#12 KDF with SHA-512 take about 260 ms
/// on a 2-core AMD EPYC VM; see [the module documentation](self).
pub const MAX_MAC_ITERATIONS: i32 = 1_000_000;

/// The largest iteration count accepted for a bag encrypted with a legacy
/// PKCS#12 PBE scheme (`pbeWithSHAAnd3-KeyTripleDES-CBC` and the like;
/// OpenSSL writes 2048, Windows 2000).
///
/// 1,000,000 iterations of the 3DES key and IV derivation take about
/// 200 ms on a 2-core AMD EPYC VM; see [the module documentation](self).
pub const MAX_PBE_ITERATIONS: i32 = 1_000_000;

/// The largest PBKDF2 iteration count accepted for a PBES2-encrypted bag
/// whose PRF is HMAC-SHA-1, HMAC-SHA-224 or HMAC-SHA-256 (OpenSSL 3 writes
/// 2048, Java 10,000, OWASP advises 600,000 for HMAC-SHA-256).
///
/// 1,000,000 iterations of PBKDF2-HMAC-SHA-1 for a 32-byte key take about
/// 250 ms on a 2-core AMD EPYC VM; see [the module documentation](self).
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;

/// The largest PBKDF2 iteration count accepted for a PBES2-encrypted bag
/// whose PRF is HMAC-SHA-384 or HMAC-SHA-512, whose iterations cost about
/// 4 times more than HMAC-SHA-256's with SHA-NI (OWASP advises 210,000 for
/// HMAC-SHA-512).
///
/// 500,000 iterations of PBKDF2-HMAC-SHA-512 take about 270 ms on a 2-core
/// AMD EPYC VM; see [the module documentation](self).
pub const MAX_PBKDF2_SHA512_ITERATIONS: u32 = 500_000;

/// The largest scrypt cost parameter `N` (2^16) accepted for a
/// PBES2-encrypted bag; `N` must also be a power of two above 1.
///
/// With `r` = [`MAX_SCRYPT_R`], scrypt's table of 128 · `r` · `N` bytes is
/// 64 MiB; `N` = 2^16, `r` = 8, `p` = 2 takes about 300 ms on a 2-core AMD
/// EPYC VM. OpenSSL writes `N` = 2^14.
pub const MAX_SCRYPT_N: u64 = 1 << 16;

/// The largest scrypt block size `r` accepted (everyone writes 8); it
/// scales both memory and time.
pub const MAX_SCRYPT_R: u16 = 8;

/// The largest scrypt parallelisation `p` accepted (everyone writes 1);
/// it scales the time, computed on one core.
pub const MAX_SCRYPT_P: u16 = 2;

/// The largest number of bags decrypted with a password-derived key in one
/// file: OpenSSL, Windows and Java write one encrypted container for the
/// certificates and one shrouded key bag.
///
/// Each such decryption runs a key derivation whose cost the file chooses
/// (up to the limits above), so their number is bounded too. Shrouded key
/// bags after the first private key are not decrypted and do not count.
pub const MAX_BAG_DECRYPTIONS: usize = 2;

use alloc::vec::Vec;
use core::fmt;

use cbc::cipher::{
    BlockCipherDecrypt, BlockModeDecrypt, InnerIvInit, KeyInit, block_padding::Pkcs7,
};
use der::{
    Decode, Encode,
    asn1::{ContextSpecific, OctetString},
    oid::{AssociatedOid, ObjectIdentifier},
};
use hmac::{EagerHash, Hmac, Mac};
use pkcs12::{
    CertBag,
    cms::{content_info::ContentInfo, encrypted_data::EncryptedData},
    kdf::{Pkcs12KeyType, derive_key},
    pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams},
    pfx::Pfx,
    safe_bag::{SafeBag, SafeContents},
};
use rsa::{PrivateKey, PublicKey, pkcs8::DecodePublicKey};
use sha1::digest::{Digest, FixedOutputReset, block_api::BlockSizeUser};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

/// `id-data` (PKCS#7 / CMS plain data).
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-encryptedData` (PKCS#7 / CMS password-encrypted data).
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
/// PKCS#9 `localKeyId` bag attribute.
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
/// `rsaEncryption`, the PKCS#8 algorithm of a plain RSA key.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `pbeWithSHAAnd128BitRC2-CBC` (PKCS#12 PBE).
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
/// `pbeWithSHAAnd40BitRC2-CBC` (PKCS#12 PBE).
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");

/// Why a PKCS#12 file could not be turned into an [`Identity`].
///
/// ```
/// use cisco_itl::pkcs12::{Identity, Pkcs12Error};
/// let err = Identity::from_pkcs12(&[0x30, 0x03, 0x02], "pw").unwrap_err();
/// assert!(matches!(err, Pkcs12Error::Malformed(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The file, or a structure decrypted from it, is not valid DER of the
    /// expected shape (truncated, corrupted outside the MAC-protected part,
    /// or not a PKCS#12 file at all).
    #[error("malformed PKCS#12 file: {0}")]
    Malformed(#[source] der::Error),
    /// The MAC does not verify: the password is wrong, or the MAC-protected
    /// content was altered.
    #[error("MAC verification failed: wrong password or tampered file")]
    WrongPassword,
    /// The file carries no password MAC, so its integrity and the password
    /// cannot be checked; it is refused rather than decrypted unverified.
    #[error("the PKCS#12 file has no MAC")]
    MissingMac,
    /// The MAC's iteration count is zero, negative, or above
    /// [`MAX_MAC_ITERATIONS`]: refused before any work, so that a crafted
    /// file cannot keep the caller busy.
    #[error("the MAC iteration count {0} is outside 1..={max}", max = MAX_MAC_ITERATIONS)]
    BadIterationCount(i32),
    /// A bag's key-derivation cost is above its limit: refused before any
    /// work, so that a crafted file cannot keep the caller busy or exhaust
    /// its memory.
    ///
    /// `limit` is the applicable constant: [`MAX_PBE_ITERATIONS`],
    /// [`MAX_PBKDF2_ITERATIONS`], [`MAX_PBKDF2_SHA512_ITERATIONS`] (for
    /// HMAC-SHA-384 and HMAC-SHA-512), [`MAX_SCRYPT_N`], [`MAX_SCRYPT_R`] or
    /// [`MAX_SCRYPT_P`].
    #[error("the {cost} {value} is above the limit {limit}")]
    KdfCostTooHigh {
        /// Which cost.
        cost: KdfCost,
        /// The cost the file asks for.
        value: u64,
        /// The largest cost accepted.
        limit: u64,
    },
    /// A bag's key-derivation cost is zero or negative, or a scrypt `N` is
    /// not a power of two above 1: such a file is invalid, and it is
    /// refused before any work rather than handed to a derivation that
    /// might panic on it.
    #[error("the {cost} {value} is invalid")]
    KdfCostInvalid {
        /// Which cost.
        cost: KdfCost,
        /// The cost the file asks for.
        value: i64,
    },
    /// The file asks for more than [`MAX_BAG_DECRYPTIONS`] password-based
    /// bag decryptions; the one above the limit is refused before its key
    /// derivation.
    #[error("the PKCS#12 file has more than {limit} password-encrypted bags")]
    TooManyBagDecryptions {
        /// [`MAX_BAG_DECRYPTIONS`].
        limit: usize,
    },
    /// An algorithm (MAC digest, content type, bag encryption, key
    /// derivation or cipher) this module does not implement.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(ObjectIdentifier),
    /// The MAC verified but a bag did not decrypt (bad padding or
    /// parameters): the bags were encrypted with another password than
    /// the MAC's.
    #[error("a bag did not decrypt although the MAC verified")]
    DecryptionFailed,
    /// The file holds no private key bag.
    #[error("the PKCS#12 file holds no private key")]
    NoKey,
    /// The file holds no X.509 certificate bag.
    #[error("the PKCS#12 file holds no certificate")]
    NoCertificate,
    /// The file holds certificates, but none for the private key.
    #[error("no certificate in the PKCS#12 file matches the private key")]
    NoMatchingCertificate,
    /// The private key is not an RSA (`rsaEncryption`) key.
    #[error("the private key is not RSA (algorithm {0})")]
    KeyNotRsa(ObjectIdentifier),
    /// The private key claims to be RSA but is not a valid RSA key.
    #[error("malformed RSA private key: {0}")]
    KeyMalformed(#[source] rsa::pkcs8::Error),
}

/// The key-derivation cost a [`Pkcs12Error::KdfCostTooHigh`] or
/// [`Pkcs12Error::KdfCostInvalid`] is about.
///
/// ```
/// use cisco_itl::pkcs12::{KdfCost, MAX_SCRYPT_N, Pkcs12Error};
/// let err = Pkcs12Error::KdfCostTooHigh {
///     cost: KdfCost::ScryptN,
///     value: 1 << 40,
///     limit: MAX_SCRYPT_N,
/// };
/// assert_eq!(
///     err.to_string(),
///     "the scrypt cost N 1099511627776 is above the limit 65536"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KdfCost {
    /// The iteration count of a legacy PKCS#12 PBE scheme
    /// (limit [`MAX_PBE_ITERATIONS`]).
    PbeIterations,
    /// The PBKDF2 iteration count of a PBES2 scheme (limit
    /// [`MAX_PBKDF2_ITERATIONS`] or [`MAX_PBKDF2_SHA512_ITERATIONS`]).
    Pbkdf2Iterations,
    /// The scrypt CPU/memory cost `N` of a PBES2 scheme (limit
    /// [`MAX_SCRYPT_N`]).
    ScryptN,
    /// The scrypt block size `r` of a PBES2 scheme (limit [`MAX_SCRYPT_R`]).
    ScryptR,
    /// The scrypt parallelisation `p` of a PBES2 scheme (limit
    /// [`MAX_SCRYPT_P`]).
    ScryptP,
}

impl fmt::Display for KdfCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PbeIterations => "PKCS#12 PBE iteration count",
            Self::Pbkdf2Iterations => "PBKDF2 iteration count",
            Self::ScryptN => "scrypt cost N",
            Self::ScryptR => "scrypt block size r",
            Self::ScryptP => "scrypt parallelisation p",
        })
    }
}

/// Refuses a non-negative cost that is zero or above `limit`.
fn check_cost(cost: KdfCost, value: u64, limit: u64) -> Result<(), Pkcs12Error> {
    if value > limit {
        Err(Pkcs12Error::KdfCostTooHigh { cost, value, limit })
    } else if value == 0 {
        Err(Pkcs12Error::KdfCostInvalid { cost, value: 0 })
    } else {
        Ok(())
    }
}

/// Refuses a legacy PBE iteration count outside `1..=MAX_PBE_ITERATIONS`.
fn check_pbe_cost(iterations: i32) -> Result<(), Pkcs12Error> {
    let cost = KdfCost::PbeIterations;
    let value = u64::try_from(iterations).map_err(|_| Pkcs12Error::KdfCostInvalid {
        cost,
        value: i64::from(iterations),
    })?;
    check_cost(cost, value, u64::from(MAX_PBE_ITERATIONS.unsigned_abs()))
}

/// Refuses a PBES2 key derivation whose cost is invalid or above the limits.
fn check_pbes2_cost(kdf: &pkcs5::pbes2::Kdf) -> Result<(), Pkcs12Error> {
    use pkcs5::pbes2::{Kdf, Pbkdf2Prf};
    match kdf {
        Kdf::Pbkdf2(params) => {
            let limit = match params.prf {
                Pbkdf2Prf::HmacWithSha1 | Pbkdf2Prf::HmacWithSha224 | Pbkdf2Prf::HmacWithSha256 => {
                    MAX_PBKDF2_ITERATIONS
                }
                // SHA-384, SHA-512 and any PRF added later.
                _ => MAX_PBKDF2_SHA512_ITERATIONS,
            };
            check_cost(
                KdfCost::Pbkdf2Iterations,
                params.iteration_count.into(),
                limit.into(),
            )
        }
        Kdf::Scrypt(params) => {
            let n = params.cost_parameter;
            check_cost(KdfCost::ScryptN, n, MAX_SCRYPT_N)?;
            if n < 2 || !n.is_power_of_two() {
                return Err(Pkcs12Error::KdfCostInvalid {
                    cost: KdfCost::ScryptN,
                    value: i64::try_from(n).unwrap_or(i64::MAX),
                });
            }
            check_cost(
                KdfCost::ScryptR,
                params.block_size.into(),
                MAX_SCRYPT_R.into(),
            )?;
            check_cost(
                KdfCost::ScryptP,
                params.parallelization.into(),
                MAX_SCRYPT_P.into(),
            )
        }
        // A KDF added to `pkcs5` later: its cost cannot be checked.
        other => Err(Pkcs12Error::UnsupportedAlgorithm(other.oid())),
    }
}

impl From<der::Error> for Pkcs12Error {
    fn from(err: der::Error) -> Self {
        Self::Malformed(err)
    }
}

/// An RSA private key and its X.509 certificate, loaded from a PKCS#12 file.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = "tests/data/vectors/keys";
/// use cisco_itl::pkcs12::Identity;
/// use rsa::traits::PublicKeyParts;
/// let p12 = std::fs::read(format!("{dir}/ITLRecovery-legacy.p12"))?;
/// let identity = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1")?;
/// assert_eq!(identity.key.size(), 128);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The RSA private key.
    pub key: PrivateKey,
    /// The DER encoding of the certificate whose public key is [`Self::key`]'s.
    pub certificate_der: Vec<u8>,
}

impl Identity {
    /// Parses a DER-encoded PKCS#12 file, verifies its MAC with `password`,
    /// decrypts it and returns its RSA private key and matching certificate.
    ///
    /// The MAC is checked (in constant time) before anything is decrypted.
    /// When the file holds several keys, the first is used; when it holds
    /// several certificates, the one whose public key is the key's is
    /// returned, preferring one whose `localKeyId` equals the key's.
    /// An empty password is tried both as the empty `BMPString` and as no
    /// password at all, as OpenSSL does.
    ///
    /// # Errors
    ///
    /// [`Pkcs12Error::WrongPassword`] when the MAC does not verify,
    /// [`Pkcs12Error::Malformed`] when the bytes are not a PKCS#12 structure,
    /// [`Pkcs12Error::BadIterationCount`], [`Pkcs12Error::KdfCostTooHigh`],
    /// [`Pkcs12Error::KdfCostInvalid`] or
    /// [`Pkcs12Error::TooManyBagDecryptions`] when a key derivation would
    /// cost more than the [limits](self#bounded-key-derivation-cost) allow,
    /// and the other [`Pkcs12Error`] variants as documented there.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = "tests/data/vectors/keys";
    /// use cisco_itl::pkcs12::{Identity, Pkcs12Error};
    /// let p12 = std::fs::read(format!("{dir}/ITLRecovery.p12"))?;
    /// let identity = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1")?;
    /// use der::Decode;
    /// let cert = x509_cert::Certificate::from_der(&identity.certificate_der)?;
    /// assert!(cert.tbs_certificate().subject().to_string().contains("ITLRECOVERY"));
    /// assert_eq!(
    ///     Identity::from_pkcs12(&p12, "not the password"),
    ///     Err(Pkcs12Error::WrongPassword)
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pkcs12(der: &[u8], password: &str) -> Result<Identity, Pkcs12Error> {
        let pfx = Pfx::from_der(der)?;
        if pfx.auth_safe.content_type != ID_DATA {
            // Public-key integrity mode (signedData) is not supported.
            return Err(Pkcs12Error::UnsupportedAlgorithm(
                pfx.auth_safe.content_type,
            ));
        }
        let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>()?;
        let auth_safe = auth_safe.as_bytes();

        let mac_data = pfx.mac_data.ok_or(Pkcs12Error::MissingMac)?;
        let bmp_password = verify_mac(&mac_data, password, auth_safe)?;
        let mut decryptor = Decryptor {
            passwords: Passwords {
                bmp: &bmp_password,
                utf8: password.as_bytes(),
            },
            done: 0,
        };

        let mut bags = Bags::default();
        for content in Vec::<ContentInfo>::from_der(auth_safe)? {
            if content.content_type == ID_DATA {
                let data = content.content.decode_as::<OctetString>()?;
                bags.collect(&SafeContents::from_der(data.as_bytes())?, &mut decryptor)?;
            } else if content.content_type == ID_ENCRYPTED_DATA {
                let encrypted = content.content.decode_as::<EncryptedData>()?;
                let info = encrypted.enc_content_info;
                if info.content_type != ID_DATA {
                    return Err(Pkcs12Error::UnsupportedAlgorithm(info.content_type));
                }
                let ciphertext = info.encrypted_content.ok_or(Pkcs12Error::Malformed(
                    der::Tag::OctetString.value_error().into(),
                ))?;
                let plaintext = decryptor.decrypt(&info.content_enc_alg, ciphertext.as_bytes())?;
                bags.collect(&SafeContents::from_der(&plaintext)?, &mut decryptor)?;
            } else {
                // envelopedData: public-key privacy mode.
                return Err(Pkcs12Error::UnsupportedAlgorithm(content.content_type));
            }
        }
        bags.into_identity()
    }
}

/// The password in both encodings PKCS#12 uses.
struct Passwords<'a> {
    /// `BMPString` bytes with the two-byte terminator, for the PKCS#12 KDF.
    bmp: &'a [u8],
    /// The UTF-8 bytes, for PBKDF2 (PBES2), as OpenSSL uses them.
    utf8: &'a [u8],
}

/// Decrypts bags, counting the decryptions against [`MAX_BAG_DECRYPTIONS`].
struct Decryptor<'a> {
    passwords: Passwords<'a>,
    /// How many decryptions were started.
    done: usize,
}

impl Decryptor<'_> {
    /// Decrypts `ciphertext`, or refuses to before any key derivation when
    /// [`MAX_BAG_DECRYPTIONS`] decryptions were already started.
    fn decrypt(
        &mut self,
        algorithm: &AlgorithmIdentifierOwned,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        if self.done >= MAX_BAG_DECRYPTIONS {
            return Err(Pkcs12Error::TooManyBagDecryptions {
                limit: MAX_BAG_DECRYPTIONS,
            });
        }
        self.done = self.done.saturating_add(1);
        decrypt(algorithm, ciphertext, &self.passwords)
    }
}

/// Verifies the MAC over `auth_safe` and returns the password encoding it
/// verified with.
fn verify_mac(
    mac_data: &pkcs12::MacData,
    password: &str,
    auth_safe: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    if !(1..=MAX_MAC_ITERATIONS).contains(&mac_data.iterations) {
        return Err(Pkcs12Error::BadIterationCount(mac_data.iterations));
    }
    let algorithm = &mac_data.mac.algorithm;
    let mut candidates = Vec::with_capacity(2);
    candidates.push(bmp_password(password));
    if password.is_empty() {
        // OpenSSL also accepts a MAC keyed with no password at all.
        candidates.push(Zeroizing::new(Vec::new()));
    }
    for candidate in candidates {
        let params = MacParams {
            password: &candidate,
            salt: mac_data.mac_salt.as_bytes(),
            iterations: mac_data.iterations,
            data: auth_safe,
            expected: mac_data.mac.digest.as_bytes(),
        };
        let verified = match algorithm.oid {
            oid if oid == sha1::Sha1::OID => params.verify::<sha1::Sha1>(),
            oid if oid == sha2::Sha224::OID => params.verify::<sha2::Sha224>(),
            oid if oid == sha2::Sha256::OID => params.verify::<sha2::Sha256>(),
            oid if oid == sha2::Sha384::OID => params.verify::<sha2::Sha384>(),
            oid if oid == sha2::Sha512::OID => params.verify::<sha2::Sha512>(),
            oid => return Err(Pkcs12Error::UnsupportedAlgorithm(oid)),
        };
        if verified {
            return Ok(candidate);
        }
    }
    Err(Pkcs12Error::WrongPassword)
}

/// Inputs of a PKCS#12 MAC check.
struct MacParams<'a> {
    password: &'a [u8],
    salt: &'a [u8],
    iterations: i32,
    data: &'a [u8],
    expected: &'a [u8],
}

impl MacParams<'_> {
    /// Whether the HMAC-`D` keyed by the PKCS#12 KDF matches, in constant time.
    fn verify<D>(&self) -> bool
    where
        D: Digest + FixedOutputReset + BlockSizeUser + EagerHash,
    {
        let key = Zeroizing::new(derive_key::<D>(
            self.password,
            self.salt,
            Pkcs12KeyType::Mac,
            self.iterations,
            <D as Digest>::output_size(),
        ));
        let Ok(mut mac) = <Hmac<D> as KeyInit>::new_from_slice(&key) else {
            return false;
        };
        mac.update(self.data);
        mac.verify_slice(self.expected).is_ok()
    }
}

/// The password as the PKCS#12 KDF takes it: big-endian UTF-16 with a
/// two-byte NUL terminator (RFC 7292 appendix B.1). Characters outside the
/// Basic Multilingual Plane become surrogate pairs, as OpenSSL writes them
/// (`der`'s `BmpString` would refuse them).
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(
        password.len().saturating_mul(2).saturating_add(2),
    ));
    for unit in password.encode_utf16().chain([0]) {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Decrypts `ciphertext` encrypted with the password-based `algorithm`,
/// after checking the key derivation's cost.
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    passwords: &Passwords<'_>,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let oid = algorithm.oid;
    if oid == pkcs5::pbes2::PBES2_OID {
        let params = algorithm.parameters.as_ref().ok_or(Pkcs12Error::Malformed(
            der::Tag::Sequence.value_error().into(),
        ))?;
        let params = pkcs5::pbes2::Parameters::try_from(params.to_ref()).map_err(|err| {
            match err.kind() {
                // An unknown PRF or cipher OID is not a broken file.
                der::ErrorKind::OidUnknown { oid } => Pkcs12Error::UnsupportedAlgorithm(oid),
                _ => Pkcs12Error::Malformed(err),
            }
        })?;
        check_pbes2_cost(&params.kdf)?;
        return params
            .decrypt(passwords.utf8, ciphertext)
            .map(Zeroizing::new)
            .map_err(|err| match err {
                pkcs5::Error::UnsupportedAlgorithm { oid } => {
                    Pkcs12Error::UnsupportedAlgorithm(oid)
                }
                _ => Pkcs12Error::DecryptionFailed,
            });
    }
    let (key_len, cipher) = match oid {
        pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => (24, LegacyCipher::TdesEde3),
        pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => (16, LegacyCipher::TdesEde2),
        PBE_SHA1_RC2_128 => (16, LegacyCipher::Rc2 { bits: 128 }),
        PBE_SHA1_RC2_40 => (5, LegacyCipher::Rc2 { bits: 40 }),
        _ => return Err(Pkcs12Error::UnsupportedAlgorithm(oid)),
    };
    let params = algorithm
        .parameters
        .as_ref()
        .ok_or(Pkcs12Error::Malformed(
            der::Tag::Sequence.value_error().into(),
        ))?
        .decode_as::<Pkcs12PbeParams>()?;
    check_pbe_cost(params.iterations)?;
    // 3DES and RC2 have 8-byte blocks: a ciphertext of another length
    // cannot decrypt, so spare the key derivation.
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(8) {
        return Err(Pkcs12Error::DecryptionFailed);
    }
    let derive = |kind, len| {
        Zeroizing::new(derive_key::<sha1::Sha1>(
            passwords.bmp,
            params.salt.as_bytes(),
            kind,
            params.iterations,
            len,
        ))
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, key_len);
    let iv = derive(Pkcs12KeyType::Iv, 8);
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plaintext_len = match cipher {
        LegacyCipher::TdesEde3 => {
            cbc_decrypt(des::TdesEde3::new_from_slice(&key).ok(), &iv, &mut buffer)
        }
        LegacyCipher::TdesEde2 => {
            cbc_decrypt(des::TdesEde2::new_from_slice(&key).ok(), &iv, &mut buffer)
        }
        LegacyCipher::Rc2 { bits } => cbc_decrypt(
            Some(rc2::Rc2::new_with_eff_key_len(&key, bits)),
            &iv,
            &mut buffer,
        ),
    }?;
    buffer.truncate(plaintext_len);
    Ok(buffer)
}

/// The block ciphers of the legacy PKCS#12 PBE schemes.
enum LegacyCipher {
    TdesEde3,
    TdesEde2,
    Rc2 { bits: usize },
}

/// CBC-decrypts `buffer` in place with PKCS#7 padding; returns the plaintext length.
fn cbc_decrypt<C: BlockCipherDecrypt>(
    cipher: Option<C>,
    iv: &[u8],
    buffer: &mut [u8],
) -> Result<usize, Pkcs12Error> {
    let cipher = cipher.ok_or(Pkcs12Error::DecryptionFailed)?;
    let iv = iv.try_into().map_err(|_| Pkcs12Error::DecryptionFailed)?;
    cbc::Decryptor::<C>::inner_iv_init(cipher, iv)
        .decrypt_padded::<Pkcs7>(buffer)
        .map(<[u8]>::len)
        .map_err(|_| Pkcs12Error::DecryptionFailed)
}

/// A private key found in a bag, with its `localKeyId`.
struct FoundKey {
    key: PrivateKey,
    local_key_id: Option<Vec<u8>>,
}

/// A certificate found in a bag, with its `localKeyId`.
struct FoundCert {
    der: Vec<u8>,
    local_key_id: Option<Vec<u8>>,
}

/// The keys and certificates gathered from all safe contents.
#[derive(Default)]
struct Bags {
    keys: Vec<FoundKey>,
    certs: Vec<FoundCert>,
}

impl Bags {
    /// Collects the keys and X.509 certificates of `contents`; other bags
    /// (CRLs, secrets, non-X.509 certificates) are skipped.
    ///
    /// Only the first key is used: once one is held, further shrouded key
    /// bags are skipped without being decrypted.
    fn collect(
        &mut self,
        contents: &SafeContents,
        decryptor: &mut Decryptor<'_>,
    ) -> Result<(), Pkcs12Error> {
        for bag in contents {
            if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                if !self.keys.is_empty() {
                    continue;
                }
                let shrouded =
                    ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)?.value;
                let pkcs8 = decryptor.decrypt(
                    &shrouded.encryption_algorithm,
                    shrouded.encrypted_data.as_bytes(),
                )?;
                self.push_key(&pkcs8, bag)?;
            } else if bag.bag_id == pkcs12::PKCS_12_KEY_BAG_OID {
                let pkcs8 = ContextSpecific::<der::Any>::from_der(&bag.bag_value)?.value;
                self.push_key(&Zeroizing::new(pkcs8.to_der()?), bag)?;
            } else if bag.bag_id == pkcs12::PKCS_12_CERT_BAG_OID {
                let cert = ContextSpecific::<CertBag>::from_der(&bag.bag_value)?.value;
                if cert.cert_id == pkcs12::PKCS_12_X509_CERT_OID {
                    let der = Vec::from(cert.cert_value.into_bytes());
                    // Reject garbage now rather than hand it out.
                    x509_cert::Certificate::from_der(&der)?;
                    self.certs.push(FoundCert {
                        der,
                        local_key_id: local_key_id(bag),
                    });
                }
            }
        }
        Ok(())
    }

    /// Decodes a PKCS#8 `PrivateKeyInfo` as an RSA key and keeps it.
    fn push_key(&mut self, pkcs8: &[u8], bag: &SafeBag) -> Result<(), Pkcs12Error> {
        let info =
            rsa::pkcs8::PrivateKeyInfoRef::try_from(pkcs8).map_err(Pkcs12Error::KeyMalformed)?;
        if info.algorithm.oid != RSA_ENCRYPTION {
            return Err(Pkcs12Error::KeyNotRsa(info.algorithm.oid));
        }
        let key = PrivateKey::try_from(info).map_err(Pkcs12Error::KeyMalformed)?;
        self.keys.push(FoundKey {
            key,
            local_key_id: local_key_id(bag),
        });
        Ok(())
    }

    /// Pairs the first key with the certificate carrying its public key.
    fn into_identity(self) -> Result<Identity, Pkcs12Error> {
        let found = self.keys.into_iter().next().ok_or(Pkcs12Error::NoKey)?;
        if self.certs.is_empty() {
            return Err(Pkcs12Error::NoCertificate);
        }
        let public = found.key.to_public_key();
        let mut matching = self
            .certs
            .into_iter()
            .filter(|cert| certificate_public_key(&cert.der).is_some_and(|key| key == public));
        let first = matching.next().ok_or(Pkcs12Error::NoMatchingCertificate)?;
        let chosen = if found.local_key_id.is_some() && first.local_key_id != found.local_key_id {
            matching
                .find(|cert| cert.local_key_id == found.local_key_id)
                .unwrap_or(first)
        } else {
            first
        };
        Ok(Identity {
            key: found.key,
            certificate_der: chosen.der,
        })
    }
}

/// The RSA public key of a DER certificate, if it has one.
fn certificate_public_key(der: &[u8]) -> Option<PublicKey> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    PublicKey::from_public_key_der(&spki).ok()
}

/// The value of a bag's `localKeyId` attribute, if it has one.
fn local_key_id(bag: &SafeBag) -> Option<Vec<u8>> {
    let attributes = bag.bag_attributes.as_ref()?;
    let attribute = attributes.iter().find(|attr| attr.oid == LOCAL_KEY_ID)?;
    let value = attribute.values.iter().next()?;
    value
        .decode_as::<OctetString>()
        .ok()
        .map(|id| Vec::from(id.into_bytes()))
}
