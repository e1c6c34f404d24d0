//! The signed header shared by `.tlv` trust lists and `.sgn` files.

use crate::digest::{DigestAlgorithm, SignatureModulus};
use crate::parse_error::{ParseError, Region};
use crate::tag::{Tag, header as t};
use crate::tlv::{Element, Elements, Item, SizedKind, text, walk_sized};

/// A zero-copy view of a file header.
///
/// Every element CUCM writes is required (version, header length, signer
/// id, signature info, signature, filename, timestamp); the signer version
/// (tag 28) is optional; unknown elements are accepted and kept, reachable
/// through [`Header::items`].
///
/// ```
/// let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// let list = cisco_itl::TrustList::parse(&bytes).unwrap();
/// let h = list.header();
/// assert_eq!(h.version(), (1, 2));
/// assert_eq!(h.length(), 336);
/// assert_eq!(h.filename(), "ITLFile.tlv");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    bytes: &'a [u8],
    version: [u8; 2],
    signer_version: Option<[u8; 2]>,
    signer_name: &'a str,
    signer_serial: &'a [u8],
    ca_name: &'a str,
    digest: DigestAlgorithm,
    signature_algorithm: u8,
    modulus: SignatureModulus,
    signature: Element<'a>,
    filename: &'a str,
    timestamp: u32,
}

#[derive(Default)]
struct Fields<'a> {
    version: Option<[u8; 2]>,
    header_length: bool,
    signer_version: Option<[u8; 2]>,
    signer_id: bool,
    signer_name: Option<&'a str>,
    signer_serial: Option<&'a [u8]>,
    ca_name: Option<&'a str>,
    signature_info: bool,
    digest: Option<DigestAlgorithm>,
    algo_info: bool,
    signature_algorithm: Option<u8>,
    modulus: Option<u8>,
    signature: Option<Element<'a>>,
    filename: Option<&'a str>,
    timestamp: Option<u32>,
}

fn set_once<T>(slot: &mut Option<T>, e: &Element<'_>, v: T) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::DuplicateElement {
            tag: e.tag,
            offset: e.offset,
        });
    }
    *slot = Some(v);
    Ok(())
}

fn flag_once(flag: &mut bool, e: &Element<'_>) -> Result<(), ParseError> {
    if *flag {
        return Err(ParseError::DuplicateElement {
            tag: e.tag,
            offset: e.offset,
        });
    }
    *flag = true;
    Ok(())
}

fn require<T>(v: Option<T>, tag: Tag, region: Region, offset: usize) -> Result<T, ParseError> {
    v.ok_or(ParseError::MissingElement {
        tag,
        region,
        offset,
    })
}

/// Walks a container's value, which its elements must exactly fill.
fn container<'a>(
    e: &Element<'a>,
    mut visit: impl FnMut(Element<'a>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    for child in Elements::new(e.value, e.offset + crate::tlv::ELEMENT_OVERHEAD) {
        match child {
            Ok(c) => visit(c)?,
            Err(_) => {
                return Err(ParseError::ContainerOverrun {
                    tag: e.tag,
                    offset: e.offset,
                    length: e.value.len(),
                });
            }
        }
    }
    Ok(())
}

impl<'a> Header<'a> {
    /// Parses the header at the start of `data` (a whole file).
    pub fn parse(data: &'a [u8]) -> Result<Self, ParseError> {
        if data.is_empty() {
            return Err(ParseError::Empty);
        }
        let mut f = Fields::default();
        let len = walk_sized(data, 0, SizedKind::Header, |item| match item {
            Item::Padding(_) => Ok(()),
            Item::Element(e) => f.top(e),
        })?;
        let bytes = data.get(..len).unwrap_or(data);
        Ok(Header {
            bytes,
            version: require(f.version, t::VERSION, Region::Header, 0)?,
            signer_version: f.signer_version,
            signer_name: require(f.signer_name, t::SIGNER_NAME, Region::SignerId, 0)?,
            signer_serial: require(f.signer_serial, t::SERIAL_NUMBER, Region::SignerId, 0)?,
            ca_name: require(f.ca_name, t::CA_NAME, Region::SignerId, 0)?,
            digest: require(f.digest, t::DIGEST_ALGORITHM, Region::SignatureInfo, 0)?,
            signature_algorithm: require(
                f.signature_algorithm,
                t::SIGNATURE_ALGORITHM,
                Region::SignatureAlgoInfo,
                0,
            )?,
            modulus: SignatureModulus(require(
                f.modulus,
                t::SIGNATURE_MODULUS,
                Region::SignatureAlgoInfo,
                0,
            )?),
            signature: require(f.signature, t::SIGNATURE, Region::Header, 0)?,
            filename: require(f.filename, t::FILENAME, Region::Header, 0)?,
            timestamp: require(f.timestamp, t::TIMESTAMP, Region::Header, 0)?,
        })
    }

    /// The whole header's bytes, padding and signature included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Total header length in bytes (the HEADERLENGTH value).
    pub fn length(&self) -> usize {
        self.bytes.len()
    }

    /// Format version as (major, minor): CUCM's trust lists say 1.2, `.sgn` 1.0.
    pub fn version(&self) -> (u8, u8) {
        let [major, minor] = self.version;
        (major, minor)
    }

    /// The signer version (tag 28) some non-Cisco builders write.
    pub fn signer_version(&self) -> Option<(u8, u8)> {
        self.signer_version.map(|[a, b]| (a, b))
    }

    /// SIGNERNAME: the signer certificate's subject, as written.
    pub fn signer_name(&self) -> &'a str {
        self.signer_name
    }

    /// SERIALNUMBER: the signer certificate's serial, raw bytes.
    pub fn signer_serial(&self) -> &'a [u8] {
        self.signer_serial
    }

    /// CANAME: the signer certificate's issuer, as written.
    pub fn ca_name(&self) -> &'a str {
        self.ca_name
    }

    /// The digest the signature is made with.
    pub fn digest(&self) -> DigestAlgorithm {
        self.digest
    }

    /// SIGNATUREALGORTITHM code (0: RSA PKCS#1 v1.5).
    pub fn signature_algorithm(&self) -> u8 {
        self.signature_algorithm
    }

    /// SIGNATUREMODULUS: the signing key's size code.
    pub fn modulus(&self) -> SignatureModulus {
        self.modulus
    }

    /// The signature bytes.
    pub fn signature(&self) -> &'a [u8] {
        self.signature.value
    }

    /// The SIGNATURE element (its offset tells where the signed bytes are cut).
    pub fn signature_element(&self) -> Element<'a> {
        self.signature
    }

    /// FILENAME.
    pub fn filename(&self) -> &'a str {
        self.filename
    }

    /// TIMESTAMP: seconds since the Unix epoch.
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }

    /// The header's top-level items in file order (elements, containers as
    /// single elements, padding bytes), unknown tags included.
    pub fn items(&self) -> impl Iterator<Item = Item<'a>> + 'a {
        let bytes = self.bytes;
        let mut pos = 0usize;
        core::iter::from_fn(move || {
            let b = *bytes.get(pos)?;
            if b == t::PADDING.0 {
                pos += 1;
                return Some(Item::Padding(pos - 1));
            }
            let (e, next) = Element::read(bytes, pos, 0).ok()?;
            pos = next;
            Some(Item::Element(e))
        })
    }
}

impl<'a> Fields<'a> {
    fn top(&mut self, e: Element<'a>) -> Result<(), ParseError> {
        match e.tag {
            t::VERSION => set_once(&mut self.version, &e, e.fixed::<2>()?),
            t::HEADER_LENGTH => flag_once(&mut self.header_length, &e),
            t::SIGNER_VERSION => set_once(&mut self.signer_version, &e, e.fixed::<2>()?),
            t::SIGNER_ID => {
                flag_once(&mut self.signer_id, &e)?;
                container(&e, |c| match c.tag {
                    t::SIGNER_NAME => set_once(&mut self.signer_name, &c, text(&c)?),
                    t::SERIAL_NUMBER => set_once(&mut self.signer_serial, &c, c.value),
                    t::CA_NAME => set_once(&mut self.ca_name, &c, text(&c)?),
                    _ => Ok(()),
                })
            }
            t::SIGNATURE_INFO => {
                flag_once(&mut self.signature_info, &e)?;
                container(&e, |c| match c.tag {
                    t::DIGEST_ALGORITHM => {
                        set_once(&mut self.digest, &c, DigestAlgorithm::from_code(c.u8()?))
                    }
                    t::SIGNATURE_ALGO_INFO => {
                        flag_once(&mut self.algo_info, &c)?;
                        container(&c, |g| match g.tag {
                            t::SIGNATURE_ALGORITHM => {
                                set_once(&mut self.signature_algorithm, &g, g.u8()?)
                            }
                            t::SIGNATURE_MODULUS => set_once(&mut self.modulus, &g, g.u8()?),
                            _ => Ok(()),
                        })
                    }
                    _ => Ok(()),
                })
            }
            t::SIGNATURE => set_once(&mut self.signature, &e, e),
            t::FILENAME => set_once(&mut self.filename, &e, text(&e)?),
            t::TIMESTAMP => set_once(&mut self.timestamp, &e, u32::from_be_bytes(e.fixed::<4>()?)),
            _ => Ok(()),
        }
    }
}
