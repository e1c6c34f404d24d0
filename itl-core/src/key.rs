//! Private keys for signing: RSA, 1024–4096 bits, from PKCS#1 or PKCS#8,
//! PEM or DER. Decoding is `pkcs1`'s and `pkcs8`'s.

use rsa::PrivateKey as RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;

use crate::cert::{CertError, CertInfo};
use crate::digest::SignatureModulus;
use crate::pem;

/// Why a key could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM text is malformed.
    #[error("malformed PEM: {0}")]
    Pem(pem_rfc7468::Error),
    /// No private-key block (`RSA PRIVATE KEY` or `PRIVATE KEY`) was found.
    #[error("no RSA PRIVATE KEY or PRIVATE KEY block in the PEM input")]
    NoKey,
    /// The bytes are neither a PKCS#1 nor a PKCS#8 RSA private key.
    #[error("not a PKCS#1 or PKCS#8 RSA private key")]
    Malformed,
    /// The key's size has no SIGNATUREMODULUS code this library signs with.
    #[error("a {bits}-bit key cannot sign a trust list (1024, 2048 or 4096 bits)")]
    UnsupportedSize {
        /// The key's modulus size in bits.
        bits: usize,
    },
    /// The certificate does not fit.
    #[error(transparent)]
    Certificate(#[from] CertError),
    /// The certificate's public key is not the private key's.
    #[error("the certificate's public key does not match the private key")]
    CertificateMismatch,
}

/// An RSA private key that can sign trust lists.
///
/// ```
/// let pem = std::fs::read("tests/data/vectors/keys/capf.pem").unwrap();
/// let key = cisco_itl::key::SigningKey::from_pem_or_der(&pem).unwrap();
/// assert_eq!(key.bits(), 1024);
/// ```
#[derive(Debug, Clone)]
pub struct SigningKey {
    key: RsaPrivateKey,
}

impl SigningKey {
    /// Wraps a key, checking its size.
    pub fn new(key: RsaPrivateKey) -> Result<Self, KeyError> {
        let bits = key.size() * 8;
        match SignatureModulus::from_key_bits(bits) {
            Some(m) if m.0 >= 1 => Ok(SigningKey { key }),
            _ => Err(KeyError::UnsupportedSize { bits }),
        }
    }

    /// Reads DER: PKCS#1 `RSAPrivateKey` or PKCS#8 `PrivateKeyInfo`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = RsaPrivateKey::from_pkcs1_der(der)
            .or_else(|_| RsaPrivateKey::from_pkcs8_der(der))
            .map_err(|_| KeyError::Malformed)?;
        Self::new(key)
    }

    /// Reads the first private-key block of PEM text.
    pub fn from_pem(text: &[u8]) -> Result<Self, KeyError> {
        let blocks = pem::blocks(text).map_err(KeyError::Pem)?;
        let block = blocks
            .iter()
            .find(|b| b.label == "RSA PRIVATE KEY" || b.label == "PRIVATE KEY")
            .ok_or(KeyError::NoKey)?;
        Self::from_der(&block.der)
    }

    /// Reads PEM or DER, whichever `input` is.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, KeyError> {
        if pem::is_pem(input) {
            Self::from_pem(input)
        } else {
            Self::from_der(input)
        }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.size() * 8
    }

    /// The signature length in bytes.
    pub fn signature_len(&self) -> usize {
        self.key.size()
    }

    /// The SIGNATUREMODULUS code for this key.
    pub fn modulus(&self) -> SignatureModulus {
        SignatureModulus::from_key_bits(self.bits()).unwrap_or(SignatureModulus(0))
    }

    /// The RSA key.
    pub fn rsa(&self) -> &RsaPrivateKey {
        &self.key
    }
}

/// A signing identity: a key and its certificate, whose subject, serial
/// and issuer the header names.
///
/// ```
/// let pem = std::fs::read("tests/data/vectors/keys/callmanager-pub.pem").unwrap();
/// let signer = cisco_itl::key::Signer::from_pem(&pem).unwrap();
/// assert_eq!(signer.key().bits(), 1024);
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    key: SigningKey,
    cert: CertInfo,
}

/// Two signers are equal when they hold the same certificate (whose key
/// [`Signer::new`] has checked is theirs).
impl PartialEq for Signer {
    fn eq(&self, other: &Self) -> bool {
        self.cert.der() == other.cert.der()
    }
}

impl Eq for Signer {}

impl Signer {
    /// Pairs a key with its certificate, checking that they match.
    pub fn new(key: SigningKey, cert: CertInfo) -> Result<Self, KeyError> {
        if cert.rsa_public_key()? != *key.rsa().as_ref() {
            return Err(KeyError::CertificateMismatch);
        }
        Ok(Signer { key, cert })
    }

    /// Reads a PEM file holding both the private key and the certificate.
    pub fn from_pem(text: &[u8]) -> Result<Self, KeyError> {
        Self::new(SigningKey::from_pem(text)?, CertInfo::from_pem(text)?)
    }

    /// The key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The certificate.
    pub fn certificate(&self) -> &CertInfo {
        &self.cert
    }
}
