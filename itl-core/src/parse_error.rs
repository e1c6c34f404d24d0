//! The errors of the element reader: why bytes are not a well-formed trust
//! list or signed file, each with the offset of the element at fault. They
//! sit with the reader (`tlv`, `header`, `record`, `trust_list`,
//! `signed_file`), below the crate's catch-all [`Error`](crate::Error).

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

impl ParseError {
    /// The byte offset (from the start of the file) the error points at:
    /// the element or field at fault, 0 for an empty file, the end of the
    /// header for a list with no records. `None` only for a kind added
    /// later that names no position.
    ///
    /// ```
    /// use cisco_itl::{ParseError, TrustList};
    /// assert_eq!(TrustList::parse(&[]).unwrap_err().offset(), Some(0));
    /// assert_eq!(TrustList::parse(&[1, 0, 2]).unwrap_err().offset(), Some(0));
    /// ```
    pub const fn offset(&self) -> Option<usize> {
        match *self {
            ParseError::Truncated { offset, .. }
            | ParseError::HeaderLengthPastEnd { offset, .. }
            | ParseError::HeaderLengthInconsistent { offset, .. }
            | ParseError::RecordLengthZero { offset }
            | ParseError::RecordLengthPastEnd { offset, .. }
            | ParseError::RecordLengthInconsistent { offset, .. }
            | ParseError::ContainerOverrun { offset, .. }
            | ParseError::MissingElement { offset, .. }
            | ParseError::DuplicateElement { offset, .. }
            | ParseError::BadLength { offset, .. }
            | ParseError::BadUtf8 { offset, .. }
            | ParseError::DataAfterNul { offset, .. } => Some(offset),
            ParseError::Empty => Some(0),
            ParseError::NoRecords { header_length } => Some(header_length),
        }
    }
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
