//! Tag numbers of the header and record elements (`docs/FORMAT.md`).

/// An element tag, a single byte. Header and record tags share numbers but
/// not meanings, so the same `Tag` prints differently in each context; its
/// `Display` gives the number.
///
/// ```
/// use cisco_itl::tag::{Tag, header};
/// assert_eq!(header::SIGNATURE, Tag(12));
/// assert_eq!(header::name(header::SIGNATURE), Some("SIGNATURE"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub u8);

impl core::fmt::Display for Tag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "tag {}", self.0)
    }
}

/// Tags of the file header (also used by `.sgn` files).
pub mod header {
    use super::Tag;
    /// Format version: two bytes, major and minor.
    pub const VERSION: Tag = Tag(1);
    /// Total header length in bytes, padding and signature included.
    pub const HEADER_LENGTH: Tag = Tag(2);
    /// Container of SIGNERNAME, SERIALNUMBER and CANAME.
    pub const SIGNER_ID: Tag = Tag(3);
    /// The signer certificate's subject.
    pub const SIGNER_NAME: Tag = Tag(4);
    /// The signer certificate's serial number, raw big-endian bytes.
    pub const SERIAL_NUMBER: Tag = Tag(5);
    /// The signer certificate's issuer.
    pub const CA_NAME: Tag = Tag(6);
    /// Container of DIGESTALGORTITHM and SIGNATUREALGOINFO.
    pub const SIGNATURE_INFO: Tag = Tag(7);
    /// Digest algorithm code (1 SHA-1, 2 SHA-256, 3 SHA-512).
    pub const DIGEST_ALGORITHM: Tag = Tag(8);
    /// Container of SIGNATUREALGORTITHM and SIGNATUREMODULUS.
    pub const SIGNATURE_ALGO_INFO: Tag = Tag(9);
    /// Signature algorithm code (0 RSA PKCS#1 v1.5).
    pub const SIGNATURE_ALGORITHM: Tag = Tag(10);
    /// Key size code (0 512, 1 1024, 2 2048, 3 4096 bits).
    pub const SIGNATURE_MODULUS: Tag = Tag(11);
    /// The signature bytes.
    pub const SIGNATURE: Tag = Tag(12);
    /// One padding byte, without a length field.
    pub const PADDING: Tag = Tag(13);
    /// The file's name.
    pub const FILENAME: Tag = Tag(14);
    /// Seconds since the Unix epoch, u32.
    pub const TIMESTAMP: Tag = Tag(15);
    /// Signer version (two bytes), written by some non-Cisco builders.
    pub const SIGNER_VERSION: Tag = Tag(28);

    /// The name `show itl` prints for a header tag (CUCM's own spellings).
    pub fn name(tag: Tag) -> Option<&'static str> {
        Some(match tag.0 {
            1 => "VERSION",
            2 => "HEADERLENGTH",
            3 => "SIGNERID",
            4 => "SIGNERNAME",
            5 => "SERIALNUMBER",
            6 => "CANAME",
            7 => "SIGNATUREINFO",
            8 => "DIGESTALGORTITHM",
            9 => "SIGNATUREALGOINFO",
            10 => "SIGNATUREALGORTITHM",
            11 => "SIGNATUREMODULUS",
            12 => "SIGNATURE",
            13 => "PADDING",
            14 => "FILENAME",
            15 => "TIMESTAMP",
            28 => "SIGNERVERSION",
            _ => return None,
        })
    }
}

/// Tags of a trust-list record.
pub mod record {
    use super::Tag;
    /// The record's total length, this element included.
    pub const RECORD_LENGTH: Tag = Tag(1);
    /// Host name (CTL) or an empty string (ITL).
    pub const DNS_NAME: Tag = Tag(2);
    /// The certificate's subject.
    pub const SUBJECT_NAME: Tag = Tag(3);
    /// The record's role, u16.
    pub const FUNCTION: Tag = Tag(4);
    /// The certificate's issuer.
    pub const ISSUER_NAME: Tag = Tag(5);
    /// The certificate's serial number, raw bytes.
    pub const SERIAL_NUMBER: Tag = Tag(6);
    /// The public key (RSA: PKCS#1 `RSAPublicKey` DER; EC: the point).
    pub const PUBLIC_KEY: Tag = Tag(7);
    /// The certificate's own signature.
    pub const SIGNATURE: Tag = Tag(8);
    /// The X.509 certificate, DER.
    pub const CERTIFICATE: Tag = Tag(9);
    /// IPv4 address, 4 bytes.
    pub const IP_ADDRESS: Tag = Tag(10);
    /// Hash of the certificate's DER.
    pub const CERT_HASH: Tag = Tag(11);
    /// Algorithm of CERTHASH (1 SHA-1).
    pub const HASH_ALGORITHM: Tag = Tag(12);

    /// The name `show itl` prints for a record tag.
    pub fn name(tag: Tag) -> Option<&'static str> {
        Some(match tag.0 {
            1 => "RECORDLENGTH",
            2 => "DNSNAME",
            3 => "SUBJECTNAME",
            4 => "FUNCTION",
            5 => "ISSUERNAME",
            6 => "SERIALNUMBER",
            7 => "PUBLICKEY",
            8 => "SIGNATURE",
            9 => "CERTIFICATE",
            10 => "IPADDRESS",
            11 => "CERTHASH",
            12 => "HASH ALGORITHM",
            _ => return None,
        })
    }
}
