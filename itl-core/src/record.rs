//! One record of a trust list: a certificate (or its hash) and its role.

use crate::function::Function;
use crate::parse_error::{ParseError, Region};
use crate::tag::{Tag, record as t};
use crate::tlv::{ELEMENT_OVERHEAD, Element, Elements, Item, SizedKind, text, walk_sized};

/// A zero-copy view of one record.
///
/// RECORDLENGTH, SUBJECTNAME, FUNCTION, ISSUERNAME and SERIALNUMBER are
/// required; the rest are optional because CUCM leaves them out where they
/// do not apply (no certificate in a hashed TVS/CAPF record, no record
/// signature for an eToken). A record may carry several FUNCTION elements;
/// [`Record::function`] is the first, [`Record::functions`] all of them.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use cisco_itl::{Function, TrustList};
/// let list = TrustList::parse(&bytes).unwrap();
/// let tvs = list.records().find(|r| r.function() == Function::Tvs).unwrap();
/// assert!(tvs.certificate().is_none());
/// assert_eq!(tvs.cert_hash().unwrap().len(), 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    bytes: &'a [u8],
    offset: usize,
    function: Function,
    dns_name: Option<&'a str>,
    subject: &'a str,
    issuer: &'a str,
    serial: &'a [u8],
    public_key: Option<&'a [u8]>,
    signature: Option<&'a [u8]>,
    certificate: Option<&'a [u8]>,
    ip_address: Option<&'a [u8]>,
    cert_hash: Option<&'a [u8]>,
    hash_algorithm: Option<u8>,
}

#[derive(Default)]
struct Fields<'a> {
    length: bool,
    function: Option<Function>,
    dns_name: Option<&'a str>,
    subject: Option<&'a str>,
    issuer: Option<&'a str>,
    serial: Option<&'a [u8]>,
    public_key: Option<&'a [u8]>,
    signature: Option<&'a [u8]>,
    certificate: Option<&'a [u8]>,
    ip_address: Option<&'a [u8]>,
    cert_hash: Option<&'a [u8]>,
    hash_algorithm: Option<u8>,
}

fn once<T>(slot: &mut Option<T>, e: &Element<'_>, v: T) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::DuplicateElement {
            tag: e.tag,
            offset: e.offset,
        });
    }
    *slot = Some(v);
    Ok(())
}

impl<'a> Record<'a> {
    /// Parses the record at the start of `data` (which runs to the end of
    /// the file), `offset` being its position in the file. Returns the
    /// record; its length is [`Record::length`].
    pub fn parse(data: &'a [u8], offset: usize) -> Result<Self, ParseError> {
        if let Some(record) = Self::parse_usual(data, offset) {
            return Ok(record);
        }
        let mut f = Fields::default();
        let len = walk_sized(data, offset, SizedKind::Record, |item| match item {
            Item::Padding(_) => Ok(()),
            Item::Element(e) => f.visit(e),
        })?;
        let need = |tag: Tag| ParseError::MissingElement {
            tag,
            region: Region::Record,
            offset,
        };
        Ok(Record {
            bytes: data.get(..len).unwrap_or(data),
            offset,
            function: f.function.ok_or(need(t::FUNCTION))?,
            dns_name: f.dns_name,
            subject: f.subject.ok_or(need(t::SUBJECT_NAME))?,
            issuer: f.issuer.ok_or(need(t::ISSUER_NAME))?,
            serial: f.serial.ok_or(need(t::SERIAL_NUMBER))?,
            public_key: f.public_key,
            signature: f.signature,
            certificate: f.certificate,
            ip_address: f.ip_address,
            cert_hash: f.cert_hash,
            hash_algorithm: f.hash_algorithm,
        })
    }

    /// The usual record, read in one tight pass: RECORDLENGTH first, then
    /// elements that exactly fill it. Anything else (and any fault) gives
    /// `None`, and [`Record::parse`] reads the record again the general way,
    /// which accepts the same records and names the exact fault.
    fn parse_usual(data: &'a [u8], offset: usize) -> Option<Self> {
        let [1, 0, 2, hi, lo, ..] = *data else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let region = data.get(..len)?;
        let mut f = Fields {
            length: true,
            ..Fields::default()
        };
        let mut pos = ELEMENT_OVERHEAD + 2;
        while pos < len {
            let &[tag, hi, lo] = region.get(pos..pos + ELEMENT_OVERHEAD)? else {
                return None;
            };
            let start = pos + ELEMENT_OVERHEAD;
            let end = start + usize::from(u16::from_be_bytes([hi, lo]));
            let value = region.get(start..end)?;
            f.visit(Element {
                tag: Tag(tag),
                offset: offset + pos,
                value,
            })
            .ok()?;
            pos = end;
        }
        Some(Record {
            bytes: region,
            offset,
            function: f.function?,
            dns_name: f.dns_name,
            subject: f.subject?,
            issuer: f.issuer?,
            serial: f.serial?,
            public_key: f.public_key,
            signature: f.signature,
            certificate: f.certificate,
            ip_address: f.ip_address,
            cert_hash: f.cert_hash,
            hash_algorithm: f.hash_algorithm,
        })
    }

    /// The record's bytes, as in the file.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// File offset of the record's first byte.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// RECORDLENGTH: the record's byte count.
    pub fn length(&self) -> usize {
        self.bytes.len()
    }

    /// The first FUNCTION.
    pub fn function(&self) -> Function {
        self.function
    }

    /// Every FUNCTION element, in file order.
    pub fn functions(&self) -> impl Iterator<Item = Function> + 'a {
        self.elements().filter_map(|e| match e.tag {
            t::FUNCTION => e.u16().ok().map(Function::from_code),
            _ => None,
        })
    }

    /// Whether any FUNCTION of the record is `f`.
    pub fn has_function(&self, f: Function) -> bool {
        self.function == f || self.functions().any(|g| g == f)
    }

    /// DNSNAME, when present (empty in CUCM's ITLs).
    pub fn dns_name(&self) -> Option<&'a str> {
        self.dns_name
    }

    /// SUBJECTNAME.
    pub fn subject(&self) -> &'a str {
        self.subject
    }

    /// ISSUERNAME.
    pub fn issuer(&self) -> &'a str {
        self.issuer
    }

    /// SERIALNUMBER, raw bytes.
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }

    /// PUBLICKEY: PKCS#1 `RSAPublicKey` DER for RSA, the point for EC.
    pub fn public_key(&self) -> Option<&'a [u8]> {
        self.public_key
    }

    /// SIGNATURE: the certificate's own signature.
    pub fn signature(&self) -> Option<&'a [u8]> {
        self.signature
    }

    /// CERTIFICATE: the X.509 certificate, DER.
    pub fn certificate(&self) -> Option<&'a [u8]> {
        self.certificate
    }

    /// IPADDRESS, raw (4 bytes in CUCM's CTLs).
    pub fn ip_address(&self) -> Option<&'a [u8]> {
        self.ip_address
    }

    /// CERTHASH: hash of the certificate DER (TVS and CAPF records of an ITL).
    pub fn cert_hash(&self) -> Option<&'a [u8]> {
        self.cert_hash
    }

    /// HASH ALGORITHM code of CERTHASH (1: SHA-1).
    pub fn hash_algorithm(&self) -> Option<u8> {
        self.hash_algorithm
    }

    /// Whether this record names the certificate with `serial` issued by
    /// `issuer` (how a header's signer and a TVS server are looked up).
    pub fn matches_signer(&self, serial: &[u8], issuer: &str) -> bool {
        self.serial == serial && self.issuer == issuer
    }

    /// The record's elements in file order, unknown tags included.
    pub fn elements(&self) -> impl Iterator<Item = Element<'a>> + 'a {
        Elements::new(self.bytes, self.offset).map_while(Result::ok)
    }
}

impl<'a> Fields<'a> {
    #[inline(always)]
    fn visit(&mut self, e: Element<'a>) -> Result<(), ParseError> {
        match e.tag {
            t::RECORD_LENGTH => {
                if self.length {
                    return Err(ParseError::DuplicateElement {
                        tag: e.tag,
                        offset: e.offset,
                    });
                }
                self.length = true;
                Ok(())
            }
            t::DNS_NAME => once(&mut self.dns_name, &e, text(&e)?),
            t::SUBJECT_NAME => once(&mut self.subject, &e, text(&e)?),
            t::FUNCTION => {
                let f = Function::from_code(e.u16()?);
                if self.function.is_none() {
                    self.function = Some(f);
                }
                Ok(())
            }
            t::ISSUER_NAME => once(&mut self.issuer, &e, text(&e)?),
            t::SERIAL_NUMBER => once(&mut self.serial, &e, e.value),
            t::PUBLIC_KEY => once(&mut self.public_key, &e, e.value),
            t::SIGNATURE => once(&mut self.signature, &e, e.value),
            t::CERTIFICATE => once(&mut self.certificate, &e, e.value),
            t::IP_ADDRESS => once(&mut self.ip_address, &e, e.value),
            t::CERT_HASH => once(&mut self.cert_hash, &e, e.value),
            t::HASH_ALGORITHM => once(&mut self.hash_algorithm, &e, e.u8()?),
            _ => Ok(()),
        }
    }
}
