//! A whole `.tlv` trust list (ITL or CTL): header then records.

use crate::function::Function;
use crate::header::Header;
use crate::parse_error::ParseError;
use crate::record::Record;

/// Which list a file is. The format is the same; the file name and the
/// phone's rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Identity Trust List (`ITLFile.tlv`, `ITLSEP<MAC>.tlv`).
    Itl,
    /// Certificate Trust List (`CTLFile.tlv`, `CTLSEP<MAC>.tlv`).
    Ctl,
}

impl ListKind {
    /// "ITL" or "CTL".
    pub const fn as_str(self) -> &'static str {
        match self {
            ListKind::Itl => "ITL",
            ListKind::Ctl => "CTL",
        }
    }

    /// Guesses the kind from a file name: names starting with `CTL` (any
    /// case) are CTLs, everything else an ITL.
    pub fn from_filename(name: &str) -> Self {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        if base.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("ctl")) {
            ListKind::Ctl
        } else {
            ListKind::Itl
        }
    }
}

/// A zero-copy view of a trust list. Parsing checks every element of every
/// record once and allocates nothing; [`TrustList::records`] then walks the
/// checked bytes again on demand.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use cisco_itl::{Function, TrustList};
/// let list = TrustList::parse(&bytes)?;
/// assert_eq!(list.len(), 6);
/// assert_eq!(list.header().signer_name(), "CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL");
/// let (index, signer) = list.signer_record().unwrap();
/// assert_eq!((index, signer.function()), (0, Function::Sast));
/// # Ok::<(), cisco_itl::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustList<'a> {
    data: &'a [u8],
    header: Header<'a>,
    count: usize,
}

impl<'a> TrustList<'a> {
    /// Parses a whole `.tlv` file.
    pub fn parse(data: &'a [u8]) -> Result<Self, ParseError> {
        let header = Header::parse(data)?;
        let mut pos = header.length();
        let mut count = 0usize;
        while let Some(rest) = data.get(pos..).filter(|r| !r.is_empty()) {
            let r = Record::parse(rest, pos)?;
            pos += r.length();
            count += 1;
        }
        if count == 0 {
            return Err(ParseError::NoRecords {
                header_length: header.length(),
            });
        }
        Ok(TrustList {
            data,
            header,
            count,
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

    /// ITL or CTL, from the header's FILENAME.
    pub fn kind(&self) -> ListKind {
        ListKind::from_filename(self.header.filename())
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Always false: a trust list has at least one record.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The records in file order.
    pub fn records(&self) -> Records<'a> {
        Records {
            data: self.data,
            pos: self.header.length(),
        }
    }

    /// The record at `index`.
    pub fn record(&self, index: usize) -> Option<Record<'a>> {
        self.records().nth(index)
    }

    /// The signing record: the SAST record whose serial and issuer are the
    /// header's signer's, with its index.
    pub fn signer_record(&self) -> Option<(usize, Record<'a>)> {
        let (serial, issuer) = (self.header.signer_serial(), self.header.ca_name());
        self.records()
            .enumerate()
            .find(|(_, r)| r.has_function(Function::Sast) && r.matches_signer(serial, issuer))
    }

    /// Records that carry a given function.
    pub fn records_with(&self, f: Function) -> impl Iterator<Item = Record<'a>> + 'a {
        self.records().filter(move |r| r.has_function(f))
    }

    /// The bytes the signature covers: the file before and after the
    /// SIGNATURE element.
    pub fn signed_parts(&self) -> [&'a [u8]; 2] {
        signed_parts(self.data, &self.header)
    }
}

/// The file split around the header's SIGNATURE element.
pub(crate) fn signed_parts<'a>(data: &'a [u8], header: &Header<'a>) -> [&'a [u8]; 2] {
    let e = header.signature_element();
    let before = data.get(..e.offset).unwrap_or(&[]);
    let after = data.get(e.offset + e.encoded_len()..).unwrap_or(&[]);
    [before, after]
}

/// Iterator over a parsed trust list's records.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let rest = self.data.get(self.pos..).filter(|r| !r.is_empty())?;
        let r = Record::parse(rest, self.pos).ok()?;
        self.pos += r.length();
        Some(r)
    }
}
