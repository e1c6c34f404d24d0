//! What a file is, decided from its content: a trust list (ITL or CTL), a
//! signed file (`.sgn`) or an encrypted configuration (`.enc.sgn`).
//!
//! The three share the same signed header, so a damaged trust list may
//! still read as a signed file whose payload is the broken records. The
//! header's FILENAME decides: a name ending in `.tlv` is a trust list, and
//! its parse error (with the offset of the broken record) is the file's;
//! otherwise a header with an encryption block is an encrypted
//! configuration, and any other a signed file.

use crate::encrypted::{EncryptedError, EncryptedFile, has_encryption_block};
use crate::header::Header;
use crate::parse_error::ParseError;
use crate::signed_file::SignedFile;
use crate::trust_list::{ListKind, TrustList};

/// A parsed file of any of the three kinds.
///
/// ```
/// use cisco_itl::file::File;
/// let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
/// assert!(matches!(File::parse(&bytes)?, File::TrustList(_)));
/// let truncated = std::fs::read("tests/data/vectors/bad-truncated.tlv")?;
/// let err = File::parse(&truncated).unwrap_err();
/// assert_eq!(err.offset(), Some(4448));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File<'a> {
    /// An ITL or a CTL.
    TrustList(TrustList<'a>),
    /// A signed file: a header, then any payload.
    SignedFile(SignedFile<'a>),
    /// An encrypted phone configuration.
    EncryptedFile(EncryptedFile<'a>),
}

/// Why a file is none of the three: the error of the kind its header says
/// it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The header does not parse, or the header names a trust list whose
    /// records do not parse, or a signed file's header is malformed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The header has an encryption block, which is malformed.
    #[error(transparent)]
    Encrypted(EncryptedError),
}

impl FileError {
    /// The byte offset the error is about, when it has one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            FileError::Parse(e) => e.offset(),
            FileError::Encrypted(EncryptedError::Parse(e)) => e.offset(),
            FileError::Encrypted(EncryptedError::Duplicate { offset, .. })
            | FileError::Encrypted(EncryptedError::Invalid { offset, .. }) => Some(*offset),
            FileError::Encrypted(_) => None,
        }
    }
}

impl From<FileError> for crate::Error {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Parse(p) => crate::Error::Parse(p),
            FileError::Encrypted(x) => crate::Error::Encrypted(x),
        }
    }
}

/// Whether a header's FILENAME names a trust list (ends in `.tlv`, any case).
pub fn names_trust_list(header: &Header<'_>) -> bool {
    let name = header.filename().as_bytes();
    name.len() >= 4
        && name
            .get(name.len() - 4..)
            .is_some_and(|s| s.eq_ignore_ascii_case(b".tlv"))
}

impl<'a> File<'a> {
    /// Parses `data` as the kind its header says it is (see the module).
    pub fn parse(data: &'a [u8]) -> Result<Self, FileError> {
        let header = Header::parse(data)?;
        if names_trust_list(&header) {
            return Ok(File::TrustList(TrustList::parse(data)?));
        }
        if has_encryption_block(&header) {
            return EncryptedFile::parse(data)
                .map(File::EncryptedFile)
                .map_err(FileError::Encrypted);
        }
        Ok(File::SignedFile(SignedFile::parse(data)?))
    }

    /// `"ITL"`, `"CTL"`, `"SGN"` or `"ENC"`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            File::TrustList(l) => l.kind().as_str(),
            File::SignedFile(_) => "SGN",
            File::EncryptedFile(_) => "ENC",
        }
    }

    /// The kind of list, for a trust list.
    pub fn list_kind(&self) -> Option<ListKind> {
        match self {
            File::TrustList(l) => Some(l.kind()),
            _ => None,
        }
    }

    /// The signed header.
    pub fn header(&self) -> &Header<'a> {
        match self {
            File::TrustList(l) => l.header(),
            File::SignedFile(s) => s.header(),
            File::EncryptedFile(e) => e.header(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/vectors/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn each_vector_is_its_kind() {
        for (name, kind) in [
            ("cucm-ITLFile.tlv", "ITL"),
            ("cucm-CTLFile-tokenless.tlv", "CTL"),
            ("peer-CTLFile.tlv", "CTL"),
            ("cucm-SEP0011215A1AE3.cnf.xml.sgn", "SGN"),
            ("peer-SEPpeer.cnf.xml.sgn", "SGN"),
        ] {
            assert_eq!(
                File::parse(&vector(name)).unwrap().kind_name(),
                kind,
                "{name}"
            );
        }
    }

    #[test]
    fn a_broken_list_is_a_broken_list_not_a_signed_file() {
        let data = vector("bad-truncated.tlv");
        assert!(SignedFile::parse(&data).is_ok());
        let err = File::parse(&data).unwrap_err();
        assert_eq!(err, FileError::Parse(TrustList::parse(&data).unwrap_err()));
        assert_eq!(err.offset(), Some(4448));
        assert_eq!(
            err.to_string(),
            "record at offset 4448 declares 725 bytes, only 625 remain"
        );
    }

    #[test]
    fn an_empty_file_is_the_header_error() {
        assert_eq!(
            File::parse(&[]).unwrap_err(),
            FileError::Parse(ParseError::Empty)
        );
    }
}
