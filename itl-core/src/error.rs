//! Error types: one enum per job (parsing, writing, keys and certificates,
//! verification), each variant specific enough to act on.

use crate::tag::Tag;

/// Why a byte string is not a well-formed trust list or signed file.
///
/// Every variant carries the byte offset (from the start of the file) of the
/// element or field at fault, so a tool can point at the exact byte.
///
/// ```
/// use cisco_itl::{ParseError, TrustList};
/// let err = TrustList::parse(&[1, 0, 2]).unwrap_err();
/// assert!(matches!(err, ParseError::Truncated { offset: 0, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input is empty.
    #[error("the file is empty")]
    Empty,
    /// An element's tag or length field, or its value, runs past the end of
    /// the bytes available to it.
    #[error("element at offset {offset} is truncated: needs {needed} bytes, {available} available")]
    Truncated {
        /// Offset of the element's tag byte.
        offset: usize,
        /// Bytes the element needs (tag, length and value).
        needed: usize,
        /// Bytes left in the enclosing region.
        available: usize,
    },
    /// The header length field points past the end of the file.
    #[error(
        "header length {header_length} at offset {offset} is past the end of the {file_length}-byte file"
    )]
    HeaderLengthPastEnd {
        /// Offset of the HEADERLENGTH element.
        offset: usize,
        /// The value it declares.
        header_length: usize,
        /// The file's length.
        file_length: usize,
    },
    /// An element straddles the end of the header declared by HEADERLENGTH,
    /// or the header length is smaller than the elements that declare it.
    #[error("header length {header_length} is inconsistent with the element at offset {offset}")]
    HeaderLengthInconsistent {
        /// Offset of the element that crosses the declared end.
        offset: usize,
        /// The declared header length.
        header_length: usize,
    },
    /// A record declares a length of zero.
    #[error("record at offset {offset} declares a length of zero")]
    RecordLengthZero {
        /// Offset of the record's first byte.
        offset: usize,
    },
    /// A record's declared length runs past the end of the file.
    #[error("record at offset {offset} declares {record_length} bytes, only {available} remain")]
    RecordLengthPastEnd {
        /// Offset of the record's first byte.
        offset: usize,
        /// The declared record length.
        record_length: usize,
        /// Bytes left in the file from the record's start.
        available: usize,
    },
    /// A record's declared length is inconsistent with its elements (an
    /// element straddles the declared end, or the length is smaller than the
    /// bytes read before it).
    #[error("record length {record_length} is inconsistent with the element at offset {offset}")]
    RecordLengthInconsistent {
        /// Offset of the element crossing the declared end.
        offset: usize,
        /// The declared record length.
        record_length: usize,
    },
    /// A container's (SIGNERID, SIGNATUREINFO, SIGNATUREALGOINFO) children
    /// do not exactly fill it.
    #[error("container {tag} at offset {offset}: its elements do not fill its {length} bytes")]
    ContainerOverrun {
        /// The container's tag.
        tag: Tag,
        /// Offset of the container element.
        offset: usize,
        /// The container's declared length.
        length: usize,
    },
    /// An element the format requires is absent.
    #[error("required element {tag} is missing from the {region} at offset {offset}")]
    MissingElement {
        /// The missing element.
        tag: Tag,
        /// Where it was expected.
        region: Region,
        /// Offset of the region's first byte.
        offset: usize,
    },
    /// An element that may appear once appears twice.
    #[error("element {tag} appears twice; the second at offset {offset}")]
    DuplicateElement {
        /// The repeated element.
        tag: Tag,
        /// Offset of the second occurrence.
        offset: usize,
    },
    /// A fixed-size element has the wrong value length.
    #[error("element {tag} at offset {offset} has length {length}, expected {expected}")]
    BadLength {
        /// The element.
        tag: Tag,
        /// Offset of the element.
        offset: usize,
        /// The length it declares.
        length: usize,
        /// The length the format requires.
        expected: usize,
    },
    /// A string element is not valid UTF-8.
    #[error("string element {tag} at offset {offset} is not valid UTF-8")]
    BadUtf8 {
        /// The element.
        tag: Tag,
        /// Offset of the element.
        offset: usize,
    },
    /// A string element has bytes other than NUL after its terminating NUL.
    #[error("string element {tag} at offset {offset} has data after its terminating NUL")]
    DataAfterNul {
        /// The element.
        tag: Tag,
        /// Offset of the element.
        offset: usize,
    },
    /// A trust list has no records after its header.
    #[error("the trust list has no records after its {header_length}-byte header")]
    NoRecords {
        /// The header length.
        header_length: usize,
    },
}

/// Where in the file a [`ParseError::MissingElement`] was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The file header.
    Header,
    /// The SIGNERID container.
    SignerId,
    /// The SIGNATUREINFO container.
    SignatureInfo,
    /// The SIGNATUREALGOINFO container.
    SignatureAlgoInfo,
    /// A record of a trust list.
    Record,
}

impl core::fmt::Display for Region {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Region::Header => "header",
            Region::SignerId => "SIGNERID container",
            Region::SignatureInfo => "SIGNATUREINFO container",
            Region::SignatureAlgoInfo => "SIGNATUREALGOINFO container",
            Region::Record => "record",
        })
    }
}

/// Why an owned trust list or signed file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// An element's value does not fit the 16-bit length field.
    #[error("element {tag} has {length} bytes; at most 65535 fit")]
    ValueTooLong {
        /// The element.
        tag: Tag,
        /// Its value length.
        length: usize,
    },
    /// The header or a record is longer than its 16-bit length field allows.
    #[error("{region} is {length} bytes long; at most 65535 fit")]
    RegionTooLong {
        /// Header or record.
        region: Region,
        /// The computed length.
        length: usize,
    },
}

/// Any error of this crate, so that `?` works in a caller's `main`
/// without naming each module's error type. Each variant wraps the
/// specific error, whose message it shows unchanged.
///
/// ```
/// fn first_subject(bytes: &[u8]) -> Result<String, cisco_itl::Error> {
///     let list = cisco_itl::TrustList::parse(bytes)?; // ParseError
///     list.verify()?;                                 // VerifyError
///     Ok(list.header().signer_name().into())
/// }
/// let err = first_subject(&[]).unwrap_err();
/// assert!(matches!(err, cisco_itl::Error::Parse(cisco_itl::ParseError::Empty)));
/// assert_eq!(err.to_string(), "the file is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed trust list or signed file.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An owned list or header could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A signature was not accepted.
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),
    /// A certificate is unusable.
    #[error(transparent)]
    Certificate(#[from] crate::cert::CertError),
    /// A private key is unusable.
    #[error(transparent)]
    Key(#[from] crate::key::KeyError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// A trust list could not be built.
    #[error(transparent)]
    Build(#[from] crate::build::BuildError),
    /// A PKCS#12 file could not be loaded.
    #[error(transparent)]
    Pkcs12(#[from] crate::pkcs12::Pkcs12Error),
    /// An ITL recovery reset was refused.
    #[error(transparent)]
    Recovery(#[from] crate::recovery::RecoveryError),
    /// The phone refused a file or certificate.
    #[error(transparent)]
    Rejected(#[from] crate::phone::Rejection),
    /// A TVS message is malformed.
    #[error(transparent)]
    Tvs(#[from] crate::tvs::codec::TvsError),
    /// A TVS device name is not of the `CP-NNNN-SEP<MAC>` form.
    #[error(transparent)]
    DeviceName(#[from] crate::tvs::codec::DeviceNameError),
    /// A TVS server's certificate was not accepted.
    #[error(transparent)]
    TvsAuth(#[from] crate::phone::TvsAuthError),
    /// An encrypted configuration is malformed.
    #[error(transparent)]
    Encrypted(#[from] crate::encrypted::EncryptedError),
    /// An encrypted configuration was not decrypted.
    #[error(transparent)]
    Decrypt(#[from] crate::encrypted::DecryptError),
    /// An encrypted configuration could not be made.
    #[cfg(feature = "std")]
    #[error(transparent)]
    Encrypt(#[from] crate::encrypted::EncryptError),
}
