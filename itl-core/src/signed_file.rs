//! Signed files (`.sgn`): the trust-list header, then any payload (a
//! configuration XML, a ring list…). The signature covers the header and
//! the payload, the SIGNATURE element cut out, as for trust lists.

use alloc::vec::Vec;

use crate::cert::CertInfo;
use crate::digest::DigestAlgorithm;
use crate::function::Function;
use crate::header::Header;
use crate::key::Signer;
use crate::parse_error::ParseError;
use crate::sign::SignError;
use crate::trust_list::{TrustList, signed_parts};
use crate::verify::{
    Policy, TrustAnchor, Verified, VerifyError, check_with_anchors, check_with_list,
};
use crate::write::{HeaderBuf, Layout, SignerId};

/// A zero-copy view of a signed file.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::signed_file::SignedFile;
/// let bytes = std::fs::read(format!("{dir}/vectors/cucm-SEP0011215A1AE3.cnf.xml.sgn")).unwrap();
/// let sgn = SignedFile::parse(&bytes).unwrap();
/// assert_eq!(sgn.header().filename(), "SEP0011215A1AE3.cnf.xml.sgn");
/// assert_eq!(sgn.header().version(), (1, 0));
/// assert!(sgn.payload().starts_with(b"<"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedFile<'a> {
    data: &'a [u8],
    header: Header<'a>,
}

impl<'a> SignedFile<'a> {
    /// Parses a signed file: the header; the rest is the payload.
    pub fn parse(data: &'a [u8]) -> Result<Self, ParseError> {
        Ok(SignedFile {
            data,
            header: Header::parse(data)?,
        })
    }

    /// The file's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The header.
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The payload: the file with its header stripped.
    pub fn payload(&self) -> &'a [u8] {
        self.data.get(self.header.length()..).unwrap_or(&[])
    }

    /// The bytes the signature covers, around the SIGNATURE element.
    pub fn signed_parts(&self) -> [&'a [u8]; 2] {
        signed_parts(self.data, &self.header)
    }

    /// Verifies against a certificate: the header must name it (serial,
    /// issuer and subject, in CUCM's or the `,` spelling) and its key must
    /// verify the signature.
    pub fn verify_with_certificate(
        &self,
        cert: &CertInfo,
        policy: &Policy,
    ) -> Result<Verified, VerifyError> {
        self.verify_with(&[TrustAnchor::from_certificate(cert)?], policy)
    }

    /// Verifies against keys the caller trusts.
    pub fn verify_with(
        &self,
        anchors: &[TrustAnchor],
        policy: &Policy,
    ) -> Result<Verified, VerifyError> {
        check_with_anchors(&self.header, &self.signed_parts(), anchors, policy)
    }

    /// Verifies against the records of `list` that carry one of
    /// `functions` and name the signer (serial, issuer and subject); returns
    /// the index of the record that verified it. A phone checks a
    /// configuration file this way against the CCM+TFTP and TFTP records of
    /// its CTL or ITL.
    pub fn verify_with_list(
        &self,
        list: &TrustList<'_>,
        functions: &[Function],
        policy: &Policy,
    ) -> Result<(usize, Verified), VerifyError> {
        check_with_list(&self.header, &self.signed_parts(), list, functions, policy)
    }
}

/// Makes signed files.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{DigestAlgorithm, key::Signer, signed_file::{SignedFile, SignedFileBuilder}, verify::Policy};
/// let signer = Signer::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap()).unwrap();
/// let bytes = SignedFileBuilder::new("SEP001122334455.cnf.xml.sgn", b"<device/>".to_vec())
///     .digest(DigestAlgorithm::Sha256)
///     .sign(&signer)
///     .unwrap();
/// let sgn = SignedFile::parse(&bytes).unwrap();
/// assert_eq!(sgn.payload(), b"<device/>");
/// assert!(sgn.verify_with_certificate(signer.certificate(), &Policy::default()).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFileBuilder {
    filename: alloc::string::String,
    payload: Vec<u8>,
    layout: Layout,
    timestamp: u32,
    digest: DigestAlgorithm,
    version: (u8, u8),
    extra: Vec<crate::write::HeaderItem>,
}

impl SignedFileBuilder {
    /// A builder for `payload` named `filename`, with CUCM's defaults
    /// (version 1.0, SHA-1, CUCM layout, timestamp now).
    pub fn new(filename: &str, payload: Vec<u8>) -> Self {
        SignedFileBuilder {
            filename: filename.into(),
            payload,
            layout: Layout::Cucm,
            timestamp: crate::build::default_timestamp(),
            digest: DigestAlgorithm::Sha1,
            version: (1, 0),
            extra: Vec::new(),
        }
    }

    /// Header items written after TIMESTAMP, before the padding (an
    /// encrypted configuration's encryption block).
    pub fn extra_header(mut self, items: Vec<crate::write::HeaderItem>) -> Self {
        self.extra = items;
        self
    }

    /// Chooses the layout (name style and element order of the header).
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets TIMESTAMP.
    pub fn timestamp(mut self, seconds: u32) -> Self {
        self.timestamp = seconds;
        self
    }

    /// Sets the digest.
    pub fn digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// Sets the version.
    pub fn version(mut self, major: u8, minor: u8) -> Self {
        self.version = (major, minor);
        self
    }

    /// Signs; returns the file's bytes.
    pub fn sign(&self, signer: &Signer) -> Result<Vec<u8>, SignError> {
        let id = SignerId::from_certificate(signer.certificate(), self.layout.name_style())?;
        let mut header = HeaderBuf::new(
            self.layout,
            self.version,
            &id,
            self.digest,
            &self.filename,
            self.timestamp,
        );
        if self.layout == Layout::Peer {
            // The independent implementation writes no signer version in .sgn files.
            header.items.retain(|i| !matches!(i, crate::write::HeaderItem::Element(e) if e.tag == crate::tag::header::SIGNER_VERSION));
            header.repad();
        }
        if !self.extra.is_empty() {
            header
                .items
                .retain(|i| *i != crate::write::HeaderItem::Padding);
            header.items.extend(self.extra.iter().cloned());
            header.repad();
        }
        let mut out =
            crate::sign::sign_header(&mut header, &self.payload, signer.key(), self.digest)?;
        out.extend_from_slice(&self.payload);
        Ok(out)
    }
}
