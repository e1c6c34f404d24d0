//! The owned, editable form of a header, a record and a trust list, and
//! the writer. Reading a file into this form and writing it back gives the
//! identical bytes: element order, unknown elements and padding are kept,
//! and every length field is recomputed from the content (which parsing
//! has checked they agree with).

use alloc::vec::Vec;

use crate::digest::{DigestAlgorithm, SignatureModulus};
use crate::header::Header;
use crate::parse_error::Region;
use crate::record::Record;
use crate::tag::{Tag, header as ht, record as rt};
use crate::tlv::{Element, Elements, Item};
use crate::trust_list::TrustList;

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

/// An owned element: a tag and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ElementBuf {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: Vec<u8>,
}

impl ElementBuf {
    /// A new element.
    pub fn new(tag: Tag, value: impl Into<Vec<u8>>) -> Self {
        ElementBuf {
            tag,
            value: value.into(),
        }
    }

    /// A string element: the text and a terminating NUL.
    pub fn text(tag: Tag, s: &str) -> Self {
        let mut value = Vec::with_capacity(s.len() + 1);
        value.extend_from_slice(s.as_bytes());
        value.push(0);
        ElementBuf { tag, value }
    }

    fn from_view(e: &Element<'_>) -> Self {
        ElementBuf::new(e.tag, e.value)
    }

    fn write(&self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let tag = self.tag;
        crate::tlv::push(out, tag.0, &self.value)
            .map_err(|length| WriteError::ValueTooLong { tag, length })
    }
}

/// One item of an owned header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderItem {
    /// A plain element.
    Element(ElementBuf),
    /// A container (SIGNERID, SIGNATUREINFO, SIGNATUREALGOINFO) and its
    /// items; its length is recomputed on writing.
    Container(Tag, Vec<HeaderItem>),
    /// One padding byte.
    Padding,
}

impl HeaderItem {
    fn encoded_len(&self) -> usize {
        match self {
            HeaderItem::Element(e) => 3 + e.value.len(),
            HeaderItem::Container(_, items) => {
                3 + items.iter().map(Self::encoded_len).sum::<usize>()
            }
            HeaderItem::Padding => 1,
        }
    }

    /// Writes the item; `header_len` is `Some` at the header's top level,
    /// where HEADERLENGTH is rewritten and SIGNATURE is the signature.
    /// Returns the offset of the SIGNATURE element if the item is it.
    fn write(
        &self,
        out: &mut Vec<u8>,
        header_len: Option<u16>,
    ) -> Result<Option<usize>, WriteError> {
        match self {
            HeaderItem::Element(e) if e.tag == ht::HEADER_LENGTH && header_len.is_some() => {
                let header_len = header_len.unwrap_or(0);
                ElementBuf::new(e.tag, header_len.to_be_bytes()).write(out)?;
                Ok(None)
            }
            HeaderItem::Element(e) => {
                let at = out.len();
                e.write(out)?;
                Ok((e.tag == ht::SIGNATURE && header_len.is_some()).then_some(at))
            }
            HeaderItem::Container(tag, items) => {
                let content: usize = items.iter().map(Self::encoded_len).sum();
                let len = u16::try_from(content).map_err(|_| WriteError::ValueTooLong {
                    tag: *tag,
                    length: content,
                })?;
                out.push(tag.0);
                out.extend_from_slice(&len.to_be_bytes());
                for i in items {
                    i.write(out, None)?;
                }
                Ok(None)
            }
            HeaderItem::Padding => {
                out.push(ht::PADDING.0);
                Ok(None)
            }
        }
    }

    /// Copies an element found at the header's top level (`top`) or inside
    /// a container. Only SIGNERID and SIGNATUREINFO at the top, and
    /// SIGNATUREALGOINFO inside SIGNATUREINFO, are containers; any other
    /// element, whatever its tag, is kept as it stands.
    fn from_element(e: &Element<'_>, parent: Option<Tag>) -> Self {
        let is_container = matches!(
            (parent, e.tag),
            (None, ht::SIGNER_ID | ht::SIGNATURE_INFO)
                | (Some(ht::SIGNATURE_INFO), ht::SIGNATURE_ALGO_INFO)
        );
        if is_container {
            let items = Elements::new(e.value, e.offset + 3)
                .map_while(Result::ok)
                .map(|c| Self::from_element(&c, Some(e.tag)))
                .collect();
            HeaderItem::Container(e.tag, items)
        } else {
            HeaderItem::Element(ElementBuf::from_view(e))
        }
    }
}

/// The header's fields, owned, for building or editing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct HeaderBuf {
    /// The items in file order.
    pub items: Vec<HeaderItem>,
}

/// What [`HeaderBuf::write`] returns: the bytes and where the SIGNATURE
/// element sits in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenHeader {
    /// The header bytes.
    pub bytes: Vec<u8>,
    /// Offset of the SIGNATURE element's tag byte, if there is one.
    pub signature_offset: Option<usize>,
}

/// The signer fields of a header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignerId {
    /// SIGNERNAME: the signer certificate's subject.
    pub name: alloc::string::String,
    /// SERIALNUMBER: its serial.
    pub serial: Vec<u8>,
    /// CANAME: its issuer.
    pub ca_name: alloc::string::String,
}

/// Header element order: CUCM's, or the independent builder's (signer
/// version after the header length, signer id as name, issuer, serial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// CUCM's layout (the default).
    #[default]
    Cucm,
    /// The layout of the independent implementation (`,` names, tag 28).
    Peer,
}

impl Layout {
    /// How this layout writes distinguished names.
    pub const fn name_style(self) -> crate::cert::NameStyle {
        match self {
            Layout::Cucm => crate::cert::NameStyle::Cucm,
            Layout::Peer => crate::cert::NameStyle::Comma,
        }
    }
}

impl HeaderBuf {
    /// Copies a parsed header.
    pub fn from_view(h: &Header<'_>) -> Self {
        let items = h
            .items()
            .map(|i| match i {
                Item::Padding(_) => HeaderItem::Padding,
                Item::Element(e) => HeaderItem::from_element(&e, None),
            })
            .collect();
        HeaderBuf { items }
    }

    /// A complete, unsigned header in `layout`: the signature is empty
    /// until signing fills it.
    ///
    /// ```
    /// use cisco_itl::write::{HeaderBuf, Layout, SignerId};
    /// use cisco_itl::DigestAlgorithm;
    /// let signer = SignerId { name: "CN=a".into(), serial: vec![1], ca_name: "CN=a".into() };
    /// let h = HeaderBuf::new(Layout::Cucm, (1, 2), &signer, DigestAlgorithm::Sha1, "ITLFile.tlv", 0);
    /// let w = h.write().unwrap();
    /// assert_eq!(w.bytes.len() % 4, 0);
    /// ```
    pub fn new(
        layout: Layout,
        version: (u8, u8),
        signer: &SignerId,
        digest: DigestAlgorithm,
        filename: &str,
        timestamp: u32,
    ) -> Self {
        let el = |tag, v: &[u8]| HeaderItem::Element(ElementBuf::new(tag, v));
        let name = HeaderItem::Element(ElementBuf::text(ht::SIGNER_NAME, &signer.name));
        let serial = el(ht::SERIAL_NUMBER, &signer.serial);
        let ca = HeaderItem::Element(ElementBuf::text(ht::CA_NAME, &signer.ca_name));
        let mut items = alloc::vec![
            el(ht::VERSION, &[version.0, version.1]),
            el(ht::HEADER_LENGTH, &[0, 0])
        ];
        let signer_items = match layout {
            Layout::Cucm => alloc::vec![name, serial, ca],
            Layout::Peer => {
                items.push(el(ht::SIGNER_VERSION, &[1, 0]));
                alloc::vec![name, ca, serial]
            }
        };
        items.push(HeaderItem::Container(ht::SIGNER_ID, signer_items));
        items.push(HeaderItem::Container(
            ht::SIGNATURE_INFO,
            alloc::vec![
                el(ht::DIGEST_ALGORITHM, &[digest.code()]),
                HeaderItem::Container(
                    ht::SIGNATURE_ALGO_INFO,
                    alloc::vec![
                        el(ht::SIGNATURE_ALGORITHM, &[0]),
                        el(ht::SIGNATURE_MODULUS, &[1])
                    ],
                ),
            ],
        ));
        items.push(el(ht::SIGNATURE, &[]));
        items.push(HeaderItem::Element(ElementBuf::text(
            ht::FILENAME,
            filename,
        )));
        items.push(el(ht::TIMESTAMP, &timestamp.to_be_bytes()));
        let mut h = HeaderBuf { items };
        h.repad();
        h
    }

    /// Total length the header will have.
    pub fn encoded_len(&self) -> usize {
        self.items.iter().map(HeaderItem::encoded_len).sum()
    }

    /// Writes the header, HEADERLENGTH and container lengths computed.
    pub fn write(&self) -> Result<WrittenHeader, WriteError> {
        let total = self.encoded_len();
        let header_len = u16::try_from(total).map_err(|_| WriteError::RegionTooLong {
            region: Region::Header,
            length: total,
        })?;
        let mut bytes = Vec::with_capacity(total);
        let mut signature_offset = None;
        for i in &self.items {
            if let Some(at) = i.write(&mut bytes, Some(header_len))? {
                signature_offset.get_or_insert(at);
            }
        }
        Ok(WrittenHeader {
            bytes,
            signature_offset,
        })
    }

    /// Removes the padding and pads the end until the length is a multiple
    /// of four, as CUCM does. Every setter calls this.
    pub fn repad(&mut self) {
        fn strip(items: &mut Vec<HeaderItem>) {
            items.retain(|i| *i != HeaderItem::Padding);
        }
        strip(&mut self.items);
        let pad = (4 - self.encoded_len() % 4) % 4;
        // A plain loop rather than `extend(repeat_n(Padding, pad))`: LLVM's
        // code for that extend reads the payload word of the data-less
        // `Padding` variant before deciding it is irrelevant, which
        // valgrind reports as a branch on uninitialised memory in release
        // builds (harmless, but it needed a suppression in the C tests).
        for _ in 0..pad {
            self.items.push(HeaderItem::Padding);
        }
    }

    /// Where a known header element lives: the containers leading to it.
    fn path(tag: Tag) -> &'static [Tag] {
        match tag {
            ht::SIGNER_NAME | ht::SERIAL_NUMBER | ht::CA_NAME => &[ht::SIGNER_ID],
            ht::DIGEST_ALGORITHM => &[ht::SIGNATURE_INFO],
            ht::SIGNATURE_ALGORITHM | ht::SIGNATURE_MODULUS => {
                &[ht::SIGNATURE_INFO, ht::SIGNATURE_ALGO_INFO]
            }
            _ => &[],
        }
    }

    /// The items of the container at `path`, created at the end of its
    /// parent when absent.
    fn container_mut<'s>(
        items: &'s mut Vec<HeaderItem>,
        path: &[Tag],
    ) -> Option<&'s mut Vec<HeaderItem>> {
        let Some((first, rest)) = path.split_first() else {
            return Some(items);
        };
        if !items
            .iter()
            .any(|i| matches!(i, HeaderItem::Container(t, _) if t == first))
        {
            items.push(HeaderItem::Container(*first, Vec::new()));
        }
        let inner = items.iter_mut().find_map(|i| match i {
            HeaderItem::Container(t, inner) if t == first => Some(inner),
            _ => None,
        })?;
        Self::container_mut(inner, rest)
    }

    /// The value of `tag` where the format puts it (SIGNERNAME inside
    /// SIGNERID, SIGNATUREMODULUS inside SIGNATUREALGOINFO…); elements with
    /// the same tag elsewhere are unknown elements and are not looked at.
    pub fn get(&self, tag: Tag) -> Option<&[u8]> {
        let mut items = &self.items;
        for c in Self::path(tag) {
            items = items.iter().find_map(|i| match i {
                HeaderItem::Container(t, inner) if t == c => Some(inner),
                _ => None,
            })?;
        }
        items.iter().find_map(|i| match i {
            HeaderItem::Element(e) if e.tag == tag => Some(e.value.as_slice()),
            _ => None,
        })
    }

    /// Sets the value of `tag` where the format puts it, adding the
    /// element (at the end of its container, or before the padding) when
    /// absent. Re-pads.
    pub fn set(&mut self, tag: Tag, value: impl Into<Vec<u8>>) {
        let value = value.into();
        if let Some(items) = Self::container_mut(&mut self.items, Self::path(tag)) {
            let found = items.iter_mut().find_map(|i| match i {
                HeaderItem::Element(e) if e.tag == tag => Some(e),
                _ => None,
            });
            match found {
                Some(e) => e.value = value,
                None => items.push(HeaderItem::Element(ElementBuf::new(tag, value))),
            }
        }
        self.repad();
    }

    /// Sets FILENAME.
    pub fn set_filename(&mut self, name: &str) {
        self.set(ht::FILENAME, ElementBuf::text(ht::FILENAME, name).value);
    }

    /// Sets TIMESTAMP.
    pub fn set_timestamp(&mut self, seconds: u32) {
        self.set(ht::TIMESTAMP, seconds.to_be_bytes());
    }

    /// Sets the version.
    pub fn set_version(&mut self, major: u8, minor: u8) {
        self.set(ht::VERSION, [major, minor]);
    }

    /// Sets the digest algorithm.
    pub fn set_digest(&mut self, digest: DigestAlgorithm) {
        self.set(ht::DIGEST_ALGORITHM, [digest.code()]);
    }

    /// Sets SIGNATUREMODULUS.
    pub fn set_modulus(&mut self, modulus: SignatureModulus) {
        self.set(ht::SIGNATURE_MODULUS, [modulus.0]);
    }

    /// Sets the signature bytes.
    pub fn set_signature(&mut self, signature: impl Into<Vec<u8>>) {
        self.set(ht::SIGNATURE, signature);
    }

    /// Sets SIGNERNAME, SERIALNUMBER and CANAME.
    pub fn set_signer(&mut self, signer: &SignerId) {
        self.set(
            ht::SIGNER_NAME,
            ElementBuf::text(ht::SIGNER_NAME, &signer.name).value,
        );
        self.set(ht::SERIAL_NUMBER, signer.serial.clone());
        self.set(
            ht::CA_NAME,
            ElementBuf::text(ht::CA_NAME, &signer.ca_name).value,
        );
    }
}

/// A record, owned, for building or editing. RECORDLENGTH is recomputed on
/// writing; add it where it should stand (CUCM: first).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RecordBuf {
    /// The elements in file order.
    pub elements: Vec<ElementBuf>,
}

impl RecordBuf {
    /// Copies a parsed record.
    pub fn from_view(r: &Record<'_>) -> Self {
        RecordBuf {
            elements: r.elements().map(|e| ElementBuf::from_view(&e)).collect(),
        }
    }

    /// The value of the first element with `tag`.
    pub fn get(&self, tag: Tag) -> Option<&[u8]> {
        self.elements
            .iter()
            .find(|e| e.tag == tag)
            .map(|e| e.value.as_slice())
    }

    /// Sets the first element with `tag`, appending it when absent.
    pub fn set(&mut self, tag: Tag, value: impl Into<Vec<u8>>) {
        let value = value.into();
        match self.elements.iter_mut().find(|e| e.tag == tag) {
            Some(e) => e.value = value,
            None => self.elements.push(ElementBuf::new(tag, value)),
        }
    }

    /// Removes every element with `tag`.
    pub fn remove(&mut self, tag: Tag) {
        self.elements.retain(|e| e.tag != tag);
    }

    /// Total length the record will have.
    pub fn encoded_len(&self) -> usize {
        self.elements.iter().map(|e| 3 + e.value.len()).sum()
    }

    /// Appends the record's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        let total = self.encoded_len();
        let len = u16::try_from(total).map_err(|_| WriteError::RegionTooLong {
            region: Region::Record,
            length: total,
        })?;
        for e in &self.elements {
            if e.tag == rt::RECORD_LENGTH {
                ElementBuf::new(e.tag, len.to_be_bytes()).write(out)?;
            } else {
                e.write(out)?;
            }
        }
        Ok(())
    }
}

/// A trust list, owned and editable.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use cisco_itl::{TrustList, write::TrustListBuf};
/// let list = TrustList::parse(&bytes)?;
/// let owned = TrustListBuf::from_view(&list);
/// assert_eq!(owned.to_bytes().unwrap(), bytes);
/// # Ok::<(), cisco_itl::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TrustListBuf {
    /// The header.
    pub header: HeaderBuf,
    /// The records in order.
    pub records: Vec<RecordBuf>,
}

impl TrustListBuf {
    /// Copies a parsed trust list.
    pub fn from_view(list: &TrustList<'_>) -> Self {
        TrustListBuf {
            header: HeaderBuf::from_view(list.header()),
            records: list.records().map(|r| RecordBuf::from_view(&r)).collect(),
        }
    }

    /// Writes the file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, WriteError> {
        Ok(self.write()?.0)
    }

    /// Writes the file; also returns the SIGNATURE element's offset.
    pub(crate) fn write(&self) -> Result<(Vec<u8>, Option<usize>), WriteError> {
        let h = self.header.write()?;
        let mut out = h.bytes;
        out.reserve(self.records.iter().map(RecordBuf::encoded_len).sum());
        for r in &self.records {
            r.write_to(&mut out)?;
        }
        Ok((out, h.signature_offset))
    }
}
