//! Digest algorithms of the header (DIGESTALGORTITHM) and of CERTHASH, and
//! hashing of the signed bytes without copying them.

use md5::Md5;
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha512};

/// The digest a file is signed with. Unknown codes are kept.
///
/// ```
/// use cisco_itl::DigestAlgorithm;
/// assert_eq!(DigestAlgorithm::from_code(2), DigestAlgorithm::Sha256);
/// assert_eq!(DigestAlgorithm::Sha512.output_len(), Some(64));
/// assert_eq!(DigestAlgorithm::Unknown(9).code(), 9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1 (code 1), what CUCM writes.
    Sha1,
    /// SHA-256 (code 2).
    Sha256,
    /// SHA-512 (code 3).
    Sha512,
    /// Any other code, kept as read.
    Unknown(u8),
}

impl DigestAlgorithm {
    /// The algorithm for a DIGESTALGORTITHM code.
    pub const fn from_code(code: u8) -> Self {
        match code {
            1 => DigestAlgorithm::Sha1,
            2 => DigestAlgorithm::Sha256,
            3 => DigestAlgorithm::Sha512,
            other => DigestAlgorithm::Unknown(other),
        }
    }

    /// The code written in the file.
    pub const fn code(self) -> u8 {
        match self {
            DigestAlgorithm::Sha1 => 1,
            DigestAlgorithm::Sha256 => 2,
            DigestAlgorithm::Sha512 => 3,
            DigestAlgorithm::Unknown(code) => code,
        }
    }

    /// Digest length in bytes, `None` for an unknown algorithm.
    pub const fn output_len(self) -> Option<usize> {
        match self {
            DigestAlgorithm::Sha1 => Some(20),
            DigestAlgorithm::Sha256 => Some(32),
            DigestAlgorithm::Sha512 => Some(64),
            DigestAlgorithm::Unknown(_) => None,
        }
    }

    /// A short lowercase name (`sha1`, `sha256`, `sha512`), as in the vectors' manifest.
    pub const fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
            DigestAlgorithm::Unknown(_) => "unknown",
        }
    }

    /// Hashes the concatenation of `parts` without joining them.
    /// `None` for an unknown algorithm.
    ///
    /// ```
    /// use cisco_itl::DigestAlgorithm;
    /// let a = DigestAlgorithm::Sha1.hash_parts(&[b"ab", b"c"]).unwrap();
    /// let b = DigestAlgorithm::Sha1.hash_parts(&[b"abc"]).unwrap();
    /// assert_eq!(a.as_ref(), b.as_ref());
    /// assert_eq!(a.as_ref().len(), 20);
    /// ```
    pub fn hash_parts(self, parts: &[&[u8]]) -> Option<DigestValue> {
        fn run<D: Digest>(parts: &[&[u8]]) -> DigestValue {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            DigestValue::from_slice(&h.finalize())
        }
        match self {
            DigestAlgorithm::Sha1 => Some(run::<Sha1>(parts)),
            DigestAlgorithm::Sha256 => Some(run::<Sha256>(parts)),
            DigestAlgorithm::Sha512 => Some(run::<Sha512>(parts)),
            DigestAlgorithm::Unknown(_) => None,
        }
    }
}

impl core::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DigestAlgorithm::Sha1 => f.write_str("SHA-1"),
            DigestAlgorithm::Sha256 => f.write_str("SHA-256"),
            DigestAlgorithm::Sha512 => f.write_str("SHA-512"),
            DigestAlgorithm::Unknown(code) => write!(f, "unknown digest ({code})"),
        }
    }
}

/// A digest held inline (up to 64 bytes), so hashing allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DigestValue {
    bytes: [u8; 64],
    len: usize,
}

impl DigestValue {
    fn from_slice(s: &[u8]) -> Self {
        let mut bytes = [0u8; 64];
        let len = s.len().min(64);
        for (d, v) in bytes.iter_mut().zip(s) {
            *d = *v;
        }
        DigestValue { bytes, len }
    }
}

impl AsRef<[u8]> for DigestValue {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl core::fmt::Debug for DigestValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        crate::hex::write_hex(f, self.as_ref(), crate::hex::Case::Lower, "")
    }
}

/// SHA-1 of `data`: the CERTHASH of a certificate and the checksum
/// `show itl` prints.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// MD5 of `data`, for the `show itl` checksum line only.
pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// The key size code of SIGNATUREMODULUS. Unknown codes are kept.
///
/// ```
/// use cisco_itl::SignatureModulus;
/// assert_eq!(SignatureModulus::from_key_bits(2048), Some(SignatureModulus(2)));
/// assert_eq!(SignatureModulus(1).key_bits(), Some(1024));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureModulus(pub u8);

impl SignatureModulus {
    /// The key size in bits, `None` for an unknown code.
    pub const fn key_bits(self) -> Option<usize> {
        match self.0 {
            0 => Some(512),
            1 => Some(1024),
            2 => Some(2048),
            3 => Some(4096),
            _ => None,
        }
    }

    /// The code for a key of `bits` bits, `None` when the format has none.
    pub const fn from_key_bits(bits: usize) -> Option<Self> {
        match bits {
            512 => Some(SignatureModulus(0)),
            1024 => Some(SignatureModulus(1)),
            2048 => Some(SignatureModulus(2)),
            4096 => Some(SignatureModulus(3)),
            _ => None,
        }
    }
}
