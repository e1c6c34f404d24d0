//! The element layer: `tag:u8, length:u16 (big-endian), value[length]`,
//! read without copying.

use crate::parse_error::ParseError;
use crate::tag::Tag;

/// One element as it sits in the file: its tag, the offset of its tag byte
/// from the start of the file, and a borrowed view of its value.
///
/// ```
/// use cisco_itl::tlv::Element;
/// let bytes = [14, 0, 2, b'A', 0];
/// let (e, next) = Element::read(&bytes, 0, 0).unwrap();
/// assert_eq!((e.tag.0, e.value, next), (14, &b"A\0"[..], 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The element's tag.
    pub tag: Tag,
    /// Offset of the tag byte from the start of the file.
    pub offset: usize,
    /// The value bytes.
    pub value: &'a [u8],
}

/// Bytes taken by the tag and the length field.
pub const ELEMENT_OVERHEAD: usize = 3;

/// Appends one element, `tag, length, value`, to `out`: the one element
/// writer of the crate (trust lists, signed files, TVS). Fails with the
/// value's length, writing nothing, when it does not fit the 16-bit field.
pub(crate) fn push(out: &mut alloc::vec::Vec<u8>, tag: u8, value: &[u8]) -> Result<(), usize> {
    let length = u16::try_from(value.len()).map_err(|_| value.len())?;
    out.push(tag);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

impl<'a> Element<'a> {
    /// Reads the element at `pos` within `region`, whose first byte sits at
    /// file offset `base`. Returns the element and the position after it.
    pub fn read(region: &'a [u8], pos: usize, base: usize) -> Result<(Self, usize), ParseError> {
        let offset = base + pos;
        let available = region.len().saturating_sub(pos);
        let truncated = |needed| ParseError::Truncated {
            offset,
            needed,
            available,
        };
        let head = region
            .get(pos..pos + ELEMENT_OVERHEAD)
            .ok_or(truncated(ELEMENT_OVERHEAD))?;
        let (tag, len) = match head {
            [t, hi, lo] => (*t, usize::from(u16::from_be_bytes([*hi, *lo]))),
            _ => return Err(truncated(ELEMENT_OVERHEAD)),
        };
        let end = pos + ELEMENT_OVERHEAD + len;
        let value = region
            .get(pos + ELEMENT_OVERHEAD..end)
            .ok_or(truncated(ELEMENT_OVERHEAD + len))?;
        Ok((
            Element {
                tag: Tag(tag),
                offset,
                value,
            },
            end,
        ))
    }

    /// Total bytes the element takes in the file.
    pub fn encoded_len(&self) -> usize {
        ELEMENT_OVERHEAD + self.value.len()
    }

    /// The value as a fixed-size array, or [`ParseError::BadLength`].
    pub fn fixed<const N: usize>(&self) -> Result<[u8; N], ParseError> {
        self.value.try_into().map_err(|_| ParseError::BadLength {
            tag: self.tag,
            offset: self.offset,
            length: self.value.len(),
            expected: N,
        })
    }

    /// The value as a big-endian u16.
    pub fn u16(&self) -> Result<u16, ParseError> {
        self.fixed::<2>().map(u16::from_be_bytes)
    }

    /// The value as a single byte.
    pub fn u8(&self) -> Result<u8, ParseError> {
        self.fixed::<1>().map(|[b]| b)
    }
}

/// Iterator over the elements that exactly fill `region` (a container's
/// value). Yields an error, then stops, when an element overruns.
///
/// ```
/// use cisco_itl::tlv::Elements;
/// let v: Vec<_> = Elements::new(&[8, 0, 1, 1, 10, 0, 1, 0], 100).collect();
/// assert_eq!(v.len(), 2);
/// assert_eq!(v[1].unwrap().offset, 104);
/// ```
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    region: &'a [u8],
    base: usize,
    pos: usize,
    failed: bool,
}

impl<'a> Elements<'a> {
    /// Walks `region`, which starts at file offset `base`.
    pub fn new(region: &'a [u8], base: usize) -> Self {
        Elements {
            region,
            base,
            pos: 0,
            failed: false,
        }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Element<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.region.len() {
            return None;
        }
        match Element::read(self.region, self.pos, self.base) {
            Ok((e, next)) => {
                self.pos = next;
                Some(Ok(e))
            }
            Err(err) => {
                self.failed = true;
                Some(Err(err))
            }
        }
    }
}

/// Reads a NUL-terminated string value. The text is the bytes before the
/// first NUL; anything after it must be NUL too. A value without any NUL is
/// accepted as it stands (CUCM writes the eToken issuer that way).
pub(crate) fn text<'a>(e: &Element<'a>) -> Result<&'a str, ParseError> {
    // Fast path, one pass over the usual value (ASCII text, then its NUL):
    // trim the trailing NULs, validate the rest as UTF-8, and make sure it
    // holds no NUL (one would be followed by data that is not NUL).
    let end = e.value.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let body = e.value.get(..end).unwrap_or(&[]);
    // (A fold rather than `contains`: names are short, and the fold
    // vectorises where a call to `memchr` would not pay.)
    let has_nul = body.iter().fold(false, |acc, &b| acc | (b == 0));
    if !has_nul && let Ok(s) = core::str::from_utf8(body) {
        return Ok(s);
    }
    // Slow path, for the exact error: data after the first NUL is reported
    // before a UTF-8 fault.
    let (body, rest) = match e.value.iter().position(|&b| b == 0) {
        Some(i) => e.value.split_at(i),
        None => (e.value, &[][..]),
    };
    if rest.iter().any(|&b| b != 0) {
        return Err(ParseError::DataAfterNul {
            tag: e.tag,
            offset: e.offset,
        });
    }
    core::str::from_utf8(body).map_err(|_| ParseError::BadUtf8 {
        tag: e.tag,
        offset: e.offset,
    })
}

/// What a sized region is: the file header (whose length is in
/// HEADERLENGTH, and which may hold one-byte padding) or a record (whose
/// length is in RECORDLENGTH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SizedKind {
    Header,
    Record,
}

/// One item of a sized region: an element, or (header only) a padding byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// An element.
    Element(Element<'a>),
    /// A padding byte (tag 13, no length) at this file offset.
    Padding(usize),
}

/// Walks a region whose own length is declared by one of its elements (the
/// header's HEADERLENGTH, a record's RECORDLENGTH), wherever that element
/// sits. `data` starts at the region's first byte, at file offset `base`,
/// and runs to the end of the file. Calls `visit` for each item and returns
/// the declared length, which the items exactly fill.
pub(crate) fn walk_sized<'a>(
    data: &'a [u8],
    base: usize,
    kind: SizedKind,
    mut visit: impl FnMut(Item<'a>) -> Result<(), ParseError>,
) -> Result<usize, ParseError> {
    let (len_tag, allow_pad) = match kind {
        SizedKind::Header => (crate::tag::header::HEADER_LENGTH, true),
        SizedKind::Record => (crate::tag::record::RECORD_LENGTH, false),
    };
    let mut declared: Option<usize> = None;
    let mut pos = 0usize;
    loop {
        let limit = declared.unwrap_or(data.len());
        if pos == limit {
            break;
        }
        let region = data.get(..limit).unwrap_or(data);
        if allow_pad && region.get(pos) == Some(&crate::tag::header::PADDING.0) {
            visit(Item::Padding(base + pos))?;
            pos += 1;
            continue;
        }
        let (e, next) = match Element::read(region, pos, base) {
            Ok(ok) => ok,
            Err(err) => {
                // An element that fits the file but not the declared length
                // is a length inconsistency, not a truncation.
                return Err(match (declared, Element::read(data, pos, base)) {
                    (Some(len), Ok(_)) => inconsistent(kind, base + pos, len),
                    _ => err,
                });
            }
        };
        if e.tag == len_tag && declared.is_none() {
            let len = usize::from(e.u16()?);
            check_declared(kind, data.len(), base, e.offset, len, next)?;
            declared = Some(len);
        }
        visit(Item::Element(e))?;
        pos = next;
    }
    match declared {
        Some(len) => Ok(len),
        None => Err(ParseError::MissingElement {
            tag: len_tag,
            region: match kind {
                SizedKind::Header => crate::parse_error::Region::Header,
                SizedKind::Record => crate::parse_error::Region::Record,
            },
            offset: base,
        }),
    }
}

fn inconsistent(kind: SizedKind, offset: usize, len: usize) -> ParseError {
    match kind {
        SizedKind::Header => ParseError::HeaderLengthInconsistent {
            offset,
            header_length: len,
        },
        SizedKind::Record => ParseError::RecordLengthInconsistent {
            offset,
            record_length: len,
        },
    }
}

fn check_declared(
    kind: SizedKind,
    available: usize,
    base: usize,
    offset: usize,
    len: usize,
    read_so_far: usize,
) -> Result<(), ParseError> {
    if kind == SizedKind::Record && len == 0 {
        return Err(ParseError::RecordLengthZero { offset: base });
    }
    if len > available {
        return Err(match kind {
            SizedKind::Header => ParseError::HeaderLengthPastEnd {
                offset,
                header_length: len,
                file_length: available,
            },
            SizedKind::Record => ParseError::RecordLengthPastEnd {
                offset: base,
                record_length: len,
                available,
            },
        });
    }
    if len < read_so_far {
        return Err(inconsistent(kind, offset, len));
    }
    Ok(())
}
