//! Encrypted configurations (`SEP<MAC>.cnf.xml.enc.sgn`): a phone's
//! configuration encrypted for that phone alone, then signed by the TFTP
//! key like any `.sgn`.
//!
//! The file is a signed file (version 2.0) whose header carries, after
//! TIMESTAMP, an encryption block and the plaintext's digest:
//!
//! | tag | name | value |
//! |---|---|---|
//! | 16 | ENCRYPTIONINFO | container of 17 and 21 |
//! | 17 | IVINFO | container: 18 IVTYPE (u8, 0), 19 IV (16 bytes), 20 PADDINGLENGTH (u16) |
//! | 21 | KEYINFO | container: 22 KEYTYPE (u8, 0), 23 KEYLENGTH (u16, the phone key's bits), 24 KEYFORMAT (u8, 1), 25 ENCRYPTEDKEY |
//! | 26 | PLAINDIGESTALGORITHM | u8: 1 SHA-1, 3 SHA-512 |
//! | 27 | PLAINDIGEST | the digest of the plaintext |
//!
//! The payload is the configuration padded with N bytes of `0x0D` (N = 16
//! − length mod 16, so 1 to 16; PADDINGLENGTH holds N) and encrypted with
//! AES-128-CBC under a fresh key and IV; the key is wrapped with RSA
//! PKCS#1 v1.5 under the phone certificate's public key (its LSC, else its
//! MIC).
//!
//! Reading is zero-copy ([`EncryptedFile::parse`]) and lossless (the bytes
//! are the file's). Decryption comes only after verification: the
//! `decrypt_with*` methods check the signature against what the caller
//! trusts first, then the file's name against the phone certificate's
//! device, and only then unwrap the key (RSA implicit rejection: a wrong
//! key or a tampered wrapped key gives a random key, never a padding
//! oracle), decrypt, check the padding and the digest, and return the
//! plaintext in memory that is wiped when dropped. Every failure is one
//! [`DecryptError`]; nothing half-decrypted is returned.

use alloc::string::String;
use alloc::vec::Vec;

use aes::Aes128;
#[cfg(feature = "std")]
use cbc::cipher::BlockModeEncrypt;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::NoPadding};
use zeroize::Zeroizing;

use crate::cert::CertInfo;
use crate::digest::DigestAlgorithm;
use crate::function::Function;
use crate::header::Header;
use crate::key::Signer;
use crate::parse_error::ParseError;
use crate::signed_file::SignedFile;
use crate::tag::Tag;
use crate::tlv::{Element, Elements, Item};
use crate::trust_list::TrustList;
use crate::verify::{Policy, TrustAnchor, Verified, VerifyError};

/// Tags of the encryption block.
pub mod tag {
    use crate::tag::Tag;
    /// Container of IVINFO and KEYINFO.
    pub const ENCRYPTION_INFO: Tag = Tag(16);
    /// Container of IVTYPE, IV and PADDINGLENGTH.
    pub const IV_INFO: Tag = Tag(17);
    /// The IV's kind, u8 (0).
    pub const IV_TYPE: Tag = Tag(18);
    /// The AES-CBC IV, 16 bytes.
    pub const IV: Tag = Tag(19);
    /// How many `0x0D` bytes pad the plaintext, u16 (1 to 16).
    pub const PADDING_LENGTH: Tag = Tag(20);
    /// Container of KEYTYPE, KEYLENGTH, KEYFORMAT and ENCRYPTEDKEY.
    pub const KEY_INFO: Tag = Tag(21);
    /// The key's kind, u8 (0).
    pub const KEY_TYPE: Tag = Tag(22);
    /// The phone key's modulus size in bits, u16.
    pub const KEY_LENGTH: Tag = Tag(23);
    /// How the key is wrapped, u8 (1: RSA PKCS#1 v1.5).
    pub const KEY_FORMAT: Tag = Tag(24);
    /// The AES key wrapped under the phone's public key.
    pub const ENCRYPTED_KEY: Tag = Tag(25);
    /// The plaintext digest's algorithm, u8 (1 SHA-1, 3 SHA-512).
    pub const PLAIN_DIGEST_ALGORITHM: Tag = Tag(26);
    /// The plaintext's digest.
    pub const PLAIN_DIGEST: Tag = Tag(27);

    /// The name `show` prints for an encryption-block tag.
    pub fn name(tag: Tag) -> Option<&'static str> {
        Some(match tag.0 {
            16 => "ENCRYPTIONINFO",
            17 => "IVINFO",
            18 => "IVTYPE",
            19 => "IV",
            20 => "PADDINGLENGTH",
            21 => "KEYINFO",
            22 => "KEYTYPE",
            23 => "KEYLENGTH",
            24 => "KEYFORMAT",
            25 => "ENCRYPTEDKEY",
            26 => "PLAINDIGESTALGORITHM",
            27 => "PLAINDIGEST",
            _ => return None,
        })
    }
}

/// The AES-128 block and key size.
const AES_BLOCK: usize = 16;

/// The padding byte of the plaintext.
const PAD_BYTE: u8 = 0x0D;

/// Why an encrypted file does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptedError {
    /// The signed-file header does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An element of the encryption block is missing.
    #[error("the encryption block has no {name} element (tag {})", tag.0)]
    Missing {
        /// Its tag.
        tag: Tag,
        /// Its name.
        name: &'static str,
    },
    /// An element of the encryption block is there twice.
    #[error("the encryption block holds {name} (tag {}) twice, the second at offset {offset}", tag.0)]
    Duplicate {
        /// Its tag.
        tag: Tag,
        /// Its name.
        name: &'static str,
        /// Offset of the second.
        offset: usize,
    },
    /// An element of the encryption block has a value of the wrong size or
    /// meaning.
    #[error("{name} (tag {}) at offset {offset} is invalid: {reason}", tag.0)]
    Invalid {
        /// Its tag.
        tag: Tag,
        /// Its name.
        name: &'static str,
        /// Offset of its tag byte.
        offset: usize,
        /// Why.
        reason: &'static str,
    },
    /// The ciphertext is not a whole number of AES blocks, or is empty.
    #[error("the encrypted payload is {0} bytes, not a whole number of 16-byte blocks")]
    Ciphertext(usize),
}

/// The encryption block of an encrypted file, borrowed from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptionInfo<'a> {
    /// IVTYPE (0).
    pub iv_type: u8,
    /// The 16-byte IV.
    pub iv: &'a [u8],
    /// PADDINGLENGTH: the `0x0D` bytes added to the plaintext (1 to 16).
    pub padding_length: u16,
    /// KEYTYPE (0).
    pub key_type: u8,
    /// KEYLENGTH: the phone key's size in bits.
    pub key_bits: u16,
    /// KEYFORMAT (1).
    pub key_format: u8,
    /// ENCRYPTEDKEY: the AES key wrapped under the phone's public key.
    pub wrapped_key: &'a [u8],
    /// PLAINDIGESTALGORITHM.
    pub digest: DigestAlgorithm,
    /// PLAINDIGEST: the plaintext's digest.
    pub plain_digest: &'a [u8],
}

/// The fields of the block while they are read.
#[derive(Default)]
struct Slots<'a> {
    seen: [bool; 28],
    iv_type: Option<u8>,
    iv: Option<&'a [u8]>,
    padding_length: Option<u16>,
    key_type: Option<u8>,
    key_bits: Option<u16>,
    key_format: Option<u8>,
    wrapped_key: Option<&'a [u8]>,
    digest: Option<DigestAlgorithm>,
    plain_digest: Option<&'a [u8]>,
    plain_digest_offset: usize,
}

fn name_of(t: Tag) -> &'static str {
    tag::name(t).unwrap_or("element")
}

fn invalid(e: &Element<'_>, reason: &'static str) -> EncryptedError {
    EncryptedError::Invalid {
        tag: e.tag,
        name: name_of(e.tag),
        offset: e.offset,
        reason,
    }
}

fn fixed<const N: usize>(e: &Element<'_>, reason: &'static str) -> Result<[u8; N], EncryptedError> {
    e.value.try_into().map_err(|_| invalid(e, reason))
}

impl<'a> Slots<'a> {
    fn once(&mut self, e: &Element<'a>) -> Result<(), EncryptedError> {
        let seen = self
            .seen
            .get_mut(usize::from(e.tag.0))
            .ok_or_else(|| invalid(e, "not an element of the encryption block"))?;
        if *seen {
            return Err(EncryptedError::Duplicate {
                tag: e.tag,
                name: name_of(e.tag),
                offset: e.offset,
            });
        }
        *seen = true;
        Ok(())
    }

    /// Reads a container's children, which must fill it exactly.
    fn children(&mut self, e: &Element<'a>, allowed: &[Tag]) -> Result<(), EncryptedError> {
        self.once(e)?;
        for child in Elements::new(e.value, e.offset + crate::tlv::ELEMENT_OVERHEAD) {
            let c = child.map_err(|_| invalid(e, "its elements do not fill it exactly"))?;
            if !allowed.contains(&c.tag) {
                return Err(invalid(&c, "not allowed in this container"));
            }
            self.element(&c)?;
        }
        Ok(())
    }

    fn element(&mut self, e: &Element<'a>) -> Result<(), EncryptedError> {
        use tag::*;
        match e.tag {
            ENCRYPTION_INFO => self.children(e, &[IV_INFO, KEY_INFO]),
            IV_INFO => self.children(e, &[IV_TYPE, IV, PADDING_LENGTH]),
            KEY_INFO => self.children(e, &[KEY_TYPE, KEY_LENGTH, KEY_FORMAT, ENCRYPTED_KEY]),
            IV_TYPE => {
                self.once(e)?;
                self.iv_type = Some(fixed::<1>(e, "one byte expected")?[0]);
                Ok(())
            }
            IV => {
                self.once(e)?;
                let _: [u8; AES_BLOCK] = fixed(e, "an AES IV is 16 bytes")?;
                self.iv = Some(e.value);
                Ok(())
            }
            PADDING_LENGTH => {
                self.once(e)?;
                let n = u16::from_be_bytes(fixed(e, "two bytes expected")?);
                if !(1..=16).contains(&n) {
                    return Err(invalid(e, "the padding is 1 to 16 bytes"));
                }
                self.padding_length = Some(n);
                Ok(())
            }
            KEY_TYPE => {
                self.once(e)?;
                self.key_type = Some(fixed::<1>(e, "one byte expected")?[0]);
                Ok(())
            }
            KEY_LENGTH => {
                self.once(e)?;
                self.key_bits = Some(u16::from_be_bytes(fixed(e, "two bytes expected")?));
                Ok(())
            }
            KEY_FORMAT => {
                self.once(e)?;
                self.key_format = Some(fixed::<1>(e, "one byte expected")?[0]);
                Ok(())
            }
            ENCRYPTED_KEY => {
                self.once(e)?;
                if e.value.is_empty() {
                    return Err(invalid(e, "the wrapped key is empty"));
                }
                self.wrapped_key = Some(e.value);
                Ok(())
            }
            PLAIN_DIGEST_ALGORITHM => {
                self.once(e)?;
                let d = DigestAlgorithm::from_code(fixed::<1>(e, "one byte expected")?[0]);
                if d.output_len().is_none() {
                    return Err(invalid(e, "not a digest this format knows"));
                }
                self.digest = Some(d);
                Ok(())
            }
            PLAIN_DIGEST => {
                self.once(e)?;
                self.plain_digest = Some(e.value);
                self.plain_digest_offset = e.offset;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn finish(self) -> Result<EncryptionInfo<'a>, EncryptedError> {
        fn need<T>(v: Option<T>, t: Tag) -> Result<T, EncryptedError> {
            v.ok_or(EncryptedError::Missing {
                tag: t,
                name: name_of(t),
            })
        }
        use tag::*;
        let info = EncryptionInfo {
            iv_type: need(self.iv_type, IV_TYPE)?,
            iv: need(self.iv, IV)?,
            padding_length: need(self.padding_length, PADDING_LENGTH)?,
            key_type: need(self.key_type, KEY_TYPE)?,
            key_bits: need(self.key_bits, KEY_LENGTH)?,
            key_format: need(self.key_format, KEY_FORMAT)?,
            wrapped_key: need(self.wrapped_key, ENCRYPTED_KEY)?,
            digest: need(self.digest, PLAIN_DIGEST_ALGORITHM)?,
            plain_digest: need(self.plain_digest, PLAIN_DIGEST)?,
        };
        if Some(info.plain_digest.len()) != info.digest.output_len() {
            return Err(EncryptedError::Invalid {
                tag: PLAIN_DIGEST,
                name: name_of(PLAIN_DIGEST),
                offset: self.plain_digest_offset,
                reason: "its length is not the digest algorithm's",
            });
        }
        Ok(info)
    }
}

/// A zero-copy view of an encrypted configuration.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::encrypted::{EncryptedFile, EncryptedFileBuilder};
/// use cisco_itl::{cert::CertInfo, key::Signer, verify::{Policy, TrustAnchor}};
/// let read = |n: &str| std::fs::read(format!("{dir}/{n}")).unwrap();
/// let tftp = Signer::from_pem(&read("vectors/keys/callmanager-pub.pem")).unwrap();
/// let phone = Signer::from_pem(&read("phone-SEP0011215A1AE3.pem")).unwrap();
/// let bytes = EncryptedFileBuilder::new("SEP0011215A1AE3", b"<device/>".to_vec())
///     .encrypt_and_sign(phone.certificate(), &tftp)
///     .unwrap();
/// let file = EncryptedFile::parse(&bytes).unwrap();
/// assert_eq!(file.header().filename(), "SEP0011215A1AE3.cnf.xml.enc.sgn");
/// let trusted = [TrustAnchor::from_certificate(tftp.certificate()).unwrap()];
/// let xml = file.decrypt_with(&trusted, &Policy::default(), &phone).unwrap();
/// assert_eq!(xml.as_slice(), b"<device/>");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedFile<'a> {
    signed: SignedFile<'a>,
    info: EncryptionInfo<'a>,
}

/// Whether a header carries an encryption block (tag 16 at its top level).
pub fn has_encryption_block(header: &Header<'_>) -> bool {
    header
        .items()
        .any(|i| matches!(i, Item::Element(e) if e.tag == tag::ENCRYPTION_INFO))
}

impl<'a> EncryptedFile<'a> {
    /// Parses an encrypted file: the signed-file header, its encryption
    /// block and digest, and a payload of whole AES blocks.
    pub fn parse(data: &'a [u8]) -> Result<Self, EncryptedError> {
        let signed = SignedFile::parse(data)?;
        let mut slots = Slots::default();
        let mut found = false;
        for item in signed.header().items() {
            if let Item::Element(e) = item {
                match e.tag {
                    tag::ENCRYPTION_INFO => {
                        found = true;
                        slots.element(&e)?;
                    }
                    tag::PLAIN_DIGEST_ALGORITHM | tag::PLAIN_DIGEST => slots.element(&e)?,
                    t if (17..=25).contains(&t.0) => {
                        return Err(invalid(&e, "belongs inside ENCRYPTIONINFO"));
                    }
                    _ => {}
                }
            }
        }
        if !found {
            return Err(EncryptedError::Missing {
                tag: tag::ENCRYPTION_INFO,
                name: name_of(tag::ENCRYPTION_INFO),
            });
        }
        let info = slots.finish()?;
        let n = signed.payload().len();
        if n == 0 || n % AES_BLOCK != 0 {
            return Err(EncryptedError::Ciphertext(n));
        }
        Ok(EncryptedFile { signed, info })
    }

    /// The file's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.signed.as_bytes()
    }

    /// The header.
    pub fn header(&self) -> &Header<'a> {
        self.signed.header()
    }

    /// The encryption block.
    pub fn info(&self) -> &EncryptionInfo<'a> {
        &self.info
    }

    /// The encrypted payload.
    pub fn ciphertext(&self) -> &'a [u8] {
        self.signed.payload()
    }

    /// The file as a signed file (its header and payload).
    pub fn signed_file(&self) -> &SignedFile<'a> {
        &self.signed
    }

    /// The device the file is for, from its name (`SEP<MAC>` of
    /// `SEP<MAC>.cnf.xml.enc.sgn`), when it is named that way.
    pub fn device(&self) -> Option<&'a str> {
        device_of_filename(self.header().filename())
    }

    /// Verifies the signature against keys the caller trusts.
    pub fn verify_with(
        &self,
        anchors: &[TrustAnchor],
        policy: &Policy,
    ) -> Result<Verified, VerifyError> {
        self.signed.verify_with(anchors, policy)
    }

    /// Verifies the signature against the records of `list` with one of
    /// `functions` (a phone: the CCM+TFTP and TFTP records of its CTL or
    /// ITL), as for a `.sgn`.
    pub fn verify_with_list(
        &self,
        list: &TrustList<'_>,
        functions: &[Function],
        policy: &Policy,
    ) -> Result<(usize, Verified), VerifyError> {
        self.signed.verify_with_list(list, functions, policy)
    }

    /// Verifies against `anchors`, then decrypts with `phone`'s key.
    pub fn decrypt_with(
        &self,
        anchors: &[TrustAnchor],
        policy: &Policy,
        phone: &Signer,
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        self.verify_with(anchors, policy)?;
        self.decrypt_verified(phone)
    }

    /// Verifies against the records of `list` with one of `functions`,
    /// then decrypts with `phone`'s key.
    pub fn decrypt_with_list(
        &self,
        list: &TrustList<'_>,
        functions: &[Function],
        policy: &Policy,
        phone: &Signer,
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        self.verify_with_list(list, functions, policy)?;
        self.decrypt_verified(phone)
    }

    /// Decrypts a file whose signature the caller has verified.
    pub(crate) fn decrypt_verified(
        &self,
        phone: &Signer,
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        let file = self.device().ok_or_else(|| DecryptError::NotForAPhone {
            filename: self.header().filename().into(),
        })?;
        let cert = certificate_device(phone.certificate()).ok_or(DecryptError::NoDevice)?;
        if !file.eq_ignore_ascii_case(&cert) {
            return Err(DecryptError::WrongDevice {
                file: file.into(),
                certificate: cert,
            });
        }
        let bits = phone.key().bits();
        if usize::from(self.info.key_bits) != bits {
            return Err(DecryptError::WrongKey);
        }
        // Implicit rejection: a wrong key or a tampered wrapped key gives a
        // synthetic message, not an error that tells why. (An error here is
        // only for a wrapped key of the wrong length, which the file shows.)
        let unwrapped = Zeroizing::new(
            phone
                .key()
                .rsa()
                .decrypt(rsa::Pkcs1v15Encrypt, self.info.wrapped_key)
                .map_err(|_| DecryptError::WrongKey)?,
        );
        // A message of the wrong size goes on as a key derived from the
        // wrapped key: every unwrap does the same work below and ends in
        // the same error, so neither the outcome nor its time tells
        // whether the unwrap gave 16 bytes.
        let right_size = unwrapped.len() == AES_BLOCK;
        let mut key = Zeroizing::new([0u8; AES_BLOCK]);
        match unwrapped.get(..AES_BLOCK) {
            Some(k) if right_size => key.copy_from_slice(k),
            _ => {
                use sha2::Digest;
                let stand_in = sha2::Sha256::digest(self.info.wrapped_key);
                key.copy_from_slice(stand_in.get(..AES_BLOCK).unwrap_or(&[0; AES_BLOCK]));
            }
        }
        let iv: &[u8; AES_BLOCK] = self
            .info
            .iv
            .try_into()
            .map_err(|_| DecryptError::WrongKey)?;
        let mut plain = Zeroizing::new(self.ciphertext().to_vec());
        cbc::Decryptor::<Aes128>::new((&*key).into(), iv.into())
            .decrypt_padded::<NoPadding>(&mut plain)
            .map_err(|_| DecryptError::BadPadding)?;
        let pad = usize::from(self.info.padding_length);
        let kept = plain
            .len()
            .checked_sub(pad)
            .ok_or(DecryptError::BadPadding)?;
        // A wrong key decrypts to noise: its padding does not hold.
        let padded = plain
            .get(kept..)
            .is_some_and(|p| p.iter().all(|b| *b == PAD_BYTE));
        plain.truncate(kept);
        let digest = self
            .info
            .digest
            .hash_parts(&[&plain])
            .ok_or(DecryptError::DigestMismatch)?;
        if !right_size || !padded {
            return Err(DecryptError::WrongKey);
        }
        if digest.as_ref() != self.info.plain_digest {
            return Err(DecryptError::DigestMismatch);
        }
        Ok(plain)
    }
}

/// Why an encrypted file was not decrypted. Nothing is returned with any
/// of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecryptError {
    /// The signature does not verify against what the caller trusts: the
    /// file is not decrypted at all.
    #[error("the signature is not accepted: {0}")]
    Signature(#[from] VerifyError),
    /// The file's name names no phone (`SEP<MAC>.cnf.xml.enc.sgn`).
    #[error("the file name {filename} names no phone (SEP<MAC>.cnf.xml.enc.sgn)")]
    NotForAPhone {
        /// The header's FILENAME.
        filename: String,
    },
    /// The phone certificate names no device (`SEP<MAC>` in its subject).
    #[error("the phone certificate names no device (SEP<MAC> in its subject)")]
    NoDevice,
    /// The file is for another phone than the certificate's.
    #[error("the file is for {file}, the phone certificate for {certificate}")]
    WrongDevice {
        /// The device the file names.
        file: String,
        /// The device the certificate names.
        certificate: String,
    },
    /// The key does not open the file (a wrong key, or a wrapped key that
    /// was not made for it): one error for every way this shows, whether
    /// the key unwrapped to the wrong size or the payload decrypted to
    /// something without the announced padding.
    #[error("the phone's key does not open this file")]
    WrongKey,
    /// The header announces more padding than the payload holds.
    #[error("the header announces more padding than the payload holds")]
    BadPadding,
    /// The plaintext's digest is not the header's.
    #[error("the decrypted configuration's digest differs from the header's")]
    DigestMismatch,
}

/// `SEP<MAC>` of `SEP<MAC>.cnf.xml.enc.sgn` (any case), when the MAC is 12
/// hex digits.
pub fn device_of_filename(name: &str) -> Option<&str> {
    let lower_ok = name.len() == 3 + 12 + ".cnf.xml.enc.sgn".len();
    let device = name.get(..15)?;
    let rest = name.get(15..)?;
    (lower_ok && rest.eq_ignore_ascii_case(".cnf.xml.enc.sgn") && is_device(device))
        .then_some(device)
}

fn is_device(s: &str) -> bool {
    s.len() == 15
        && s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("SEP"))
        && s.bytes().skip(3).all(|b| b.is_ascii_hexdigit())
}

/// The device a phone certificate names: the first `SEP` followed by 12
/// hex digits in its subject (`CN=SEP0011215A1AE3` for an LSC,
/// `CN=CP-7965G-SEP0011215A1AE3` for a MIC).
pub fn certificate_device(cert: &CertInfo) -> Option<String> {
    let subject = cert.subject(crate::cert::NameStyle::Cucm).ok()?;
    let upper = subject.to_ascii_uppercase();
    let mut from = 0;
    while let Some(at) = upper.get(from..)?.find("SEP") {
        let start = from + at;
        if let Some(candidate) = upper.get(start..start + 15)
            && is_device(candidate)
            && !upper
                .as_bytes()
                .get(start + 15)
                .is_some_and(u8::is_ascii_hexdigit)
        {
            return Some(candidate.into());
        }
        from = start + 3;
    }
    None
}

/// Why an encrypted file could not be made.
#[cfg(feature = "std")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncryptError {
    /// The device name is not `SEP` and 12 hex digits.
    #[error("{0} is not a phone's device name (SEP and 12 hex digits)")]
    BadDevice(String),
    /// Only SHA-1 and SHA-512 digest the plaintext in this format.
    #[error("an encrypted configuration is signed and digested with SHA-1 or SHA-512, not {0}")]
    UnsupportedDigest(DigestAlgorithm),
    /// The phone certificate's key is not RSA, or not usable.
    #[error("the phone certificate's key cannot wrap a key: {0}")]
    PhoneKey(#[from] crate::cert::CertError),
    /// The phone certificate names another device than the file.
    #[error("the file is for {file}, the phone certificate for {certificate}")]
    WrongDevice {
        /// The device the file is for.
        file: String,
        /// The device the certificate names.
        certificate: String,
    },
    /// The operating system gave no randomness, or the RSA operation
    /// failed.
    #[error("no randomness for the key and IV, or the key wrap failed")]
    Random,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// The plaintext is too large for the format.
    #[error("the configuration is too large ({0} bytes)")]
    TooLarge(usize),
}

/// Makes encrypted configurations: encrypts for a phone certificate, signs
/// with the TFTP key.
#[cfg(feature = "std")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFileBuilder {
    device: String,
    plaintext: Zeroizing<Vec<u8>>,
    digest: DigestAlgorithm,
    timestamp: u32,
}

#[cfg(feature = "std")]
impl EncryptedFileBuilder {
    /// A builder for `device`'s (`SEP<MAC>`) configuration `plaintext`,
    /// digested and signed with SHA-1 (CUCM's default), timestamped now.
    pub fn new(device: &str, plaintext: Vec<u8>) -> Self {
        EncryptedFileBuilder {
            device: device.into(),
            plaintext: Zeroizing::new(plaintext),
            digest: DigestAlgorithm::Sha1,
            timestamp: crate::build::default_timestamp(),
        }
    }

    /// The digest of the signature and of the plaintext: SHA-1 or SHA-512.
    pub fn digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// Sets TIMESTAMP.
    pub fn timestamp(mut self, seconds: u32) -> Self {
        self.timestamp = seconds;
        self
    }

    /// The file name: `SEP<MAC>.cnf.xml.enc.sgn`.
    pub fn filename(&self) -> String {
        alloc::format!("{}.cnf.xml.enc.sgn", self.device)
    }

    /// Encrypts for `phone` (its certificate's RSA key wraps a fresh
    /// AES-128 key; the IV is fresh too) and signs with `tftp`.
    pub fn encrypt_and_sign(
        &self,
        phone: &CertInfo,
        tftp: &Signer,
    ) -> Result<Vec<u8>, EncryptError> {
        if !is_device(&self.device) {
            return Err(EncryptError::BadDevice(self.device.clone()));
        }
        if let Some(named) = certificate_device(phone)
            && !named.eq_ignore_ascii_case(&self.device)
        {
            return Err(EncryptError::WrongDevice {
                file: self.device.clone(),
                certificate: named,
            });
        }
        if !matches!(self.digest, DigestAlgorithm::Sha1 | DigestAlgorithm::Sha512) {
            return Err(EncryptError::UnsupportedDigest(self.digest));
        }
        let public = phone.rsa_public_key()?;
        let bits = u16::try_from(rsa::traits::PublicKeyParts::size(&public) * 8)
            .map_err(|_| EncryptError::TooLarge(0))?;
        let mut key = Zeroizing::new([0u8; AES_BLOCK]);
        let mut iv = [0u8; AES_BLOCK];
        getrandom::fill(key.as_mut_slice()).map_err(|_| EncryptError::Random)?;
        getrandom::fill(&mut iv).map_err(|_| EncryptError::Random)?;
        let wrapped = public
            .encrypt(&mut getrandom::SysRng, rsa::Pkcs1v15Encrypt, key.as_slice())
            .map_err(|_| EncryptError::Random)?;
        let pad = AES_BLOCK - self.plaintext.len() % AES_BLOCK;
        let mut body = Zeroizing::new(Vec::with_capacity(self.plaintext.len() + pad));
        body.extend_from_slice(&self.plaintext);
        body.extend(core::iter::repeat_n(PAD_BYTE, pad));
        let plain_digest = self
            .digest
            .hash_parts(&[&self.plaintext])
            .ok_or(EncryptError::UnsupportedDigest(self.digest))?;
        let len = body.len();
        cbc::Encryptor::<Aes128>::new((&*key).into(), (&iv).into())
            .encrypt_padded::<NoPadding>(&mut body, len)
            .map_err(|_| EncryptError::TooLarge(len))?;
        let pad = u16::try_from(pad).map_err(|_| EncryptError::TooLarge(len))?;
        let header =
            encryption_header(&iv, pad, bits, &wrapped, self.digest, plain_digest.as_ref());
        let mut file = crate::signed_file::SignedFileBuilder::new(&self.filename(), body.to_vec())
            .version(2, 0)
            .digest(self.digest)
            .timestamp(self.timestamp)
            .extra_header(header)
            .sign(tftp)?;
        file.shrink_to_fit();
        Ok(file)
    }
}

/// The header items after TIMESTAMP: the encryption block and the digest.
#[cfg(feature = "std")]
fn encryption_header(
    iv: &[u8; AES_BLOCK],
    pad: u16,
    bits: u16,
    wrapped: &[u8],
    digest: DigestAlgorithm,
    plain_digest: &[u8],
) -> Vec<crate::write::HeaderItem> {
    use crate::write::{ElementBuf, HeaderItem};
    use tag::*;
    let el = |t, v: &[u8]| HeaderItem::Element(ElementBuf::new(t, v));
    alloc::vec![
        HeaderItem::Container(
            ENCRYPTION_INFO,
            alloc::vec![
                HeaderItem::Container(
                    IV_INFO,
                    alloc::vec![
                        el(IV_TYPE, &[0]),
                        el(IV, iv),
                        el(PADDING_LENGTH, &pad.to_be_bytes())
                    ],
                ),
                HeaderItem::Container(
                    KEY_INFO,
                    alloc::vec![
                        el(KEY_TYPE, &[0]),
                        el(KEY_LENGTH, &bits.to_be_bytes()),
                        el(KEY_FORMAT, &[1]),
                        el(ENCRYPTED_KEY, wrapped),
                    ],
                ),
            ],
        ),
        el(PLAIN_DIGEST_ALGORITHM, &[digest.code()]),
        el(PLAIN_DIGEST, plain_digest),
    ]
}

/// What the companion `SEP<MAC>.cnf.xml.sgn` tells a phone before it can
/// decrypt its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// `ipAddressMode` (0 IPv4 only).
    pub ip_address_mode: u8,
    /// `loadInformation`: the firmware load the phone runs.
    pub load_information: String,
    /// `capfAuthMode` (0 none scheduled, 1 password, 2 none, 3 LSC then
    /// MIC, 4 MIC).
    pub capf_auth_mode: u8,
    /// The CAPF servers (`capfList/capf/processNodeName`) and their port.
    pub capf_nodes: Vec<String>,
    /// `phonePort` of the CAPF servers (3804).
    pub capf_port: u16,
}

impl Default for Companion {
    fn default() -> Self {
        Companion {
            ip_address_mode: 0,
            load_information: String::new(),
            capf_auth_mode: 0,
            capf_nodes: Vec::new(),
            capf_port: 3804,
        }
    }
}

/// Escapes the five XML special characters.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

impl Companion {
    /// The companion configuration's XML for a phone whose certificate is
    /// `phone`: `fullConfig` false, these settings, `certHash` the MD5 of
    /// the certificate's DER (lower-case hex) and `encrConfig` true.
    pub fn xml(&self, phone: &CertInfo) -> String {
        use core::fmt::Write;
        let hash = crate::hex::hex_string(
            &crate::digest::md5(phone.der()),
            crate::hex::Case::Lower,
            "",
        );
        let mut capf = String::new();
        for node in &self.capf_nodes {
            let _ = write!(
                capf,
                "<capf><phonePort>{}</phonePort><processNodeName>{}</processNodeName></capf>",
                self.capf_port,
                xml_escape(node)
            );
        }
        alloc::format!(
            "<device>\n<fullConfig>false</fullConfig>\n<ipAddressMode>{}</ipAddressMode>\n\
             <loadInformation>{}</loadInformation>\n<capfAuthMode>{}</capfAuthMode>\n\
             <capfList>{}</capfList>\n<certHash>{}</certHash>\n<encrConfig>true</encrConfig>\n</device>\n",
            self.ip_address_mode,
            xml_escape(&self.load_information),
            self.capf_auth_mode,
            capf,
            hash
        )
    }

    /// Builds and signs the companion `SEP<MAC>.cnf.xml.sgn` (version 1.0)
    /// for `device`, with `tftp` and `digest`, timestamped `timestamp`.
    #[cfg(feature = "std")]
    pub fn sign(
        &self,
        device: &str,
        phone: &CertInfo,
        tftp: &Signer,
        digest: DigestAlgorithm,
        timestamp: u32,
    ) -> Result<Vec<u8>, EncryptError> {
        if !is_device(device) {
            return Err(EncryptError::BadDevice(device.into()));
        }
        Ok(crate::signed_file::SignedFileBuilder::new(
            &alloc::format!("{device}.cnf.xml.sgn"),
            self.xml(phone).into_bytes(),
        )
        .digest(digest)
        .timestamp(timestamp)
        .sign(tftp)?)
    }
}
