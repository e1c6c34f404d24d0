//! Signing: RSA PKCS#1 v1.5 over the whole file with the SIGNATURE element
//! cut out (`docs/FORMAT.md`). The header's digest, modulus and signature length
//! follow the key before anything is hashed, so the signature covers the
//! final bytes.

use alloc::vec::Vec;

use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::cert::{CertError, CertInfo, NameStyle};
use crate::digest::DigestAlgorithm;
use crate::key::{Signer, SigningKey};
use crate::tag::header as ht;
use crate::write::WriteError;
use crate::write::{HeaderBuf, SignerId, TrustListBuf};

/// Why signing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The digest has no code this library can sign with.
    #[error("cannot sign with {0}")]
    UnsupportedDigest(DigestAlgorithm),
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The signer's certificate names could not be read.
    #[error(transparent)]
    Certificate(#[from] CertError),
    /// The RSA operation failed.
    #[error("the RSA signing operation failed")]
    Rsa,
}

impl SignerId {
    /// The signer fields for a certificate, names in `style`.
    pub fn from_certificate(cert: &CertInfo, style: NameStyle) -> Result<Self, CertError> {
        Ok(SignerId {
            name: cert.subject(style)?,
            serial: cert.serial().to_vec(),
            ca_name: cert.issuer(style)?,
        })
    }
}

/// Prepares `header` for `key` and `digest` and signs the header plus
/// `body`. On success the header holds the signature; on error it is left
/// as it was.
pub(crate) fn sign_header(
    header: &mut HeaderBuf,
    body: &[u8],
    key: &SigningKey,
    digest: DigestAlgorithm,
) -> Result<Vec<u8>, SignError> {
    let mut h = header.clone();
    h.set_digest(digest);
    h.set(ht::SIGNATURE_ALGORITHM, [0]);
    h.set_modulus(key.modulus());
    h.set_signature(alloc::vec![0u8; key.signature_len()]);
    let written = h.write()?;
    let at = written.signature_offset.unwrap_or(written.bytes.len());
    let before = written.bytes.get(..at).unwrap_or(&[]);
    let after = written
        .bytes
        .get(at + 3 + key.signature_len()..)
        .unwrap_or(&[]);
    let hash = digest
        .hash_parts(&[before, after, body])
        .ok_or(SignError::UnsupportedDigest(digest))?;
    let signature = sign_hash(key, digest, hash.as_ref())?;
    h.set_signature(signature);
    *header = h;
    Ok(header.write()?.bytes)
}

/// Signs a prepared digest. With `std` the private operation is blinded
/// with the operating system's randomness (the signature is the same).
fn sign_hash(key: &SigningKey, digest: DigestAlgorithm, hash: &[u8]) -> Result<Vec<u8>, SignError> {
    let k = key.rsa();
    match digest {
        DigestAlgorithm::Sha1 => k.pkcs1v15_sign_prehash::<Sha1>(hash),
        DigestAlgorithm::Sha256 => k.pkcs1v15_sign_prehash::<Sha256>(hash),
        DigestAlgorithm::Sha512 => k.pkcs1v15_sign_prehash::<Sha512>(hash),
        DigestAlgorithm::Unknown(_) => return Err(SignError::UnsupportedDigest(digest)),
    }
    .map_err(|_| SignError::Rsa)
}

impl TrustListBuf {
    /// Signs the list with `key`: sets the digest, modulus and signature
    /// and returns the file's bytes. The header's signer fields are left as
    /// they are (see [`TrustListBuf::sign_as`]).
    pub fn sign(
        &mut self,
        key: &SigningKey,
        digest: DigestAlgorithm,
    ) -> Result<Vec<u8>, SignError> {
        let mut body = Vec::new();
        for r in &self.records {
            r.write_to(&mut body)?;
        }
        let mut out = sign_header(&mut self.header, &body, key, digest)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Names `signer`'s certificate in the header (names in `style`) and
    /// signs with its key.
    ///
    /// ```
    /// # let dir = "tests/data";
    /// use cisco_itl::{DigestAlgorithm, TrustList, key::Signer, write::TrustListBuf, cert::NameStyle};
    /// let bytes = std::fs::read(format!("{dir}/vectors/cucm-ITLFile.tlv")).unwrap();
    /// let pem = std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap();
    /// let signer = Signer::from_pem(&pem).unwrap();
    /// let mut owned = TrustListBuf::from_view(&TrustList::parse(&bytes).unwrap());
    /// let out = owned.sign_as(&signer, DigestAlgorithm::Sha1, NameStyle::Cucm).unwrap();
    /// assert_eq!(out, bytes); // PKCS#1 v1.5 is deterministic
    /// ```
    pub fn sign_as(
        &mut self,
        signer: &Signer,
        digest: DigestAlgorithm,
        style: NameStyle,
    ) -> Result<Vec<u8>, SignError> {
        let id = SignerId::from_certificate(signer.certificate(), style)?;
        let saved = self.header.clone();
        self.header.set_signer(&id);
        self.sign(signer.key(), digest)
            .inspect_err(|_| self.header = saved)
    }
}
