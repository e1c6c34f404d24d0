//! X.509 certificates as a trust list needs them: the names in CUCM's or
//! RFC 4514-like form, the serial, the public key and signature bytes, and
//! the SHA-1 CERTHASH. Parsing is `x509-cert`'s.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use der::asn1::{
    AnyRef, BitStringRef, Ia5StringRef, ObjectIdentifier, OctetStringRef, PrintableStringRef,
    SetOfVec, TeletexStringRef, Utf8StringRef,
};
use der::{Decode, Encode, Tag, Tagged};
use rsa::PublicKey as RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::pem;

/// How distinguished names are written into a trust list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NameStyle {
    /// CUCM's form: most specific first, `;` between attributes, values
    /// unescaped: `CN=host;OU=tac;O=cisco;L=rtp;ST=nc;C=US`.
    #[default]
    Cucm,
    /// The independent implementation's form: the certificate's own order
    /// (least specific first), `,` between attributes:
    /// `C=NZ,ST=WGN,L=Wellington,O=SAST,OU=SAST,CN=SAST`.
    Comma,
}

/// Why a certificate could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not an X.509 certificate: {0}")]
    Der(der::Error),
    /// The PEM text is malformed.
    #[error("malformed PEM: {0}")]
    Pem(pem_rfc7468::Error),
    /// The PEM text holds no CERTIFICATE block.
    #[error("no CERTIFICATE block in the PEM input")]
    NoCertificate,
    /// The certificate's key is not RSA (trust lists are signed with RSA).
    #[error("the certificate's public key is not RSA")]
    NotRsa,
    /// The RSA public key does not decode or is outside 1024–8192 bits.
    #[error("the certificate's RSA public key is unusable")]
    BadRsaKey,
}

/// A parsed certificate with the pieces a trust-list record holds.
///
/// ```
/// use cisco_itl::cert::{CertInfo, NameStyle};
/// let pem = std::fs::read("tests/data/vectors/keys/capf.pem").unwrap();
/// let cert = CertInfo::from_pem(&pem).unwrap();
/// assert_eq!(cert.subject(NameStyle::Cucm).unwrap(),
///            "CN=CAPF-e41e7d87;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL");
/// assert_eq!(cert.serial().len(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    der: Vec<u8>,
    cert: Certificate,
}

impl CertInfo {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = Certificate::from_der(der).map_err(CertError::Der)?;
        Ok(CertInfo {
            der: der.to_vec(),
            cert,
        })
    }

    /// Parses the first CERTIFICATE block of PEM text.
    pub fn from_pem(text: &[u8]) -> Result<Self, CertError> {
        let blocks = pem::blocks(text).map_err(CertError::Pem)?;
        let block = blocks
            .iter()
            .find(|b| b.label == "CERTIFICATE")
            .ok_or(CertError::NoCertificate)?;
        Self::from_der(&block.der)
    }

    /// Parses PEM or DER, whichever `input` is.
    pub fn from_pem_or_der(input: &[u8]) -> Result<Self, CertError> {
        if pem::is_pem(input) {
            Self::from_pem(input)
        } else {
            Self::from_der(input)
        }
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The subject in `style`.
    pub fn subject(&self, style: NameStyle) -> Result<String, CertError> {
        format_name(self.cert.tbs_certificate().subject(), style)
    }

    /// The issuer in `style`.
    pub fn issuer(&self, style: NameStyle) -> Result<String, CertError> {
        format_name(self.cert.tbs_certificate().issuer(), style)
    }

    /// Whether the certificate names itself as its issuer (CUCM's own
    /// certificates are; an eToken's, issued by Cisco Manufacturing CA,
    /// are not).
    ///
    /// ```
    /// use cisco_itl::cert::CertInfo;
    /// let cm = std::fs::read("tests/data/vectors/keys/callmanager-pub.pem").unwrap();
    /// assert!(CertInfo::from_pem(&cm).unwrap().is_self_issued());
    /// let token = std::fs::read("tests/data/vectors/keys/etoken1.pem").unwrap();
    /// assert!(!CertInfo::from_pem(&token).unwrap().is_self_issued());
    /// ```
    pub fn is_self_issued(&self) -> bool {
        let tbs = self.cert.tbs_certificate();
        tbs.issuer() == tbs.subject()
    }

    /// The serial number's bytes as DER holds them.
    pub fn serial(&self) -> &[u8] {
        self.cert.tbs_certificate().serial_number().as_bytes()
    }

    /// The subject public key's bytes (PKCS#1 `RSAPublicKey` DER for RSA,
    /// the point for EC): what a record's PUBLICKEY holds.
    pub fn public_key_bytes(&self) -> &[u8] {
        self.cert
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes()
    }

    /// The certificate's signature bytes: what a record's SIGNATURE holds.
    pub fn signature_bytes(&self) -> &[u8] {
        self.cert.signature().raw_bytes()
    }

    /// SHA-1 of the DER: a record's CERTHASH.
    pub fn sha1(&self) -> [u8; 20] {
        crate::digest::sha1(&self.der)
    }

    /// The start of the validity period, in seconds since 1970 (UTC).
    ///
    /// ```
    /// use cisco_itl::cert::{CertInfo, iso8601};
    /// let cert = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/capf.pem").unwrap()).unwrap();
    /// assert!(cert.not_before() < cert.not_after());
    /// assert_eq!(iso8601(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    /// assert_eq!((cert.key_algorithm(), cert.key_bits()), ("RSA", Some(1024)));
    /// ```
    pub fn not_before(&self) -> u64 {
        self.cert
            .tbs_certificate()
            .validity()
            .not_before
            .to_unix_duration()
            .as_secs()
    }

    /// The end of the validity period (notAfter), in seconds since 1970 (UTC).
    pub fn not_after(&self) -> u64 {
        self.cert
            .tbs_certificate()
            .validity()
            .not_after
            .to_unix_duration()
            .as_secs()
    }

    /// The subject key's algorithm: `"RSA"`, `"EC"`, or `"unknown"`.
    pub fn key_algorithm(&self) -> &'static str {
        let oid = self
            .cert
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid;
        if oid == rsa::pkcs1::ALGORITHM_OID {
            "RSA"
        } else if oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
            "EC"
        } else {
            "unknown"
        }
    }

    /// The subject key's size in bits: an RSA modulus's, an EC curve's
    /// (P-256, P-384, P-521); `None` for another key or an unreadable one.
    pub fn key_bits(&self) -> Option<usize> {
        use const_oid::db::rfc5912::{SECP_256_R_1, SECP_384_R_1, SECP_521_R_1};
        use rsa::traits::PublicKeyParts;
        match self.key_algorithm() {
            "RSA" => self.rsa_public_key().ok().map(|k| k.size() * 8),
            "EC" => {
                let spki = self.cert.tbs_certificate().subject_public_key_info();
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())?;
                [
                    (SECP_256_R_1, 256),
                    (SECP_384_R_1, 384),
                    (SECP_521_R_1, 521),
                ]
                .iter()
                .find(|(o, _)| *o == curve)
                .map(|(_, bits)| *bits)
            }
            _ => None,
        }
    }

    /// The RSA public key.
    pub fn rsa_public_key(&self) -> Result<RsaPublicKey, CertError> {
        let spki = self.cert.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(CertError::NotRsa);
        }
        RsaPublicKey::from_pkcs1_der(self.public_key_bytes()).map_err(|_| CertError::BadRsaKey)
    }
}

/// `seconds` since 1970 as ISO 8601 UTC (`2026-03-09T16:59:43Z`); `None`
/// past the year 9999.
pub fn iso8601(seconds: u64) -> Option<String> {
    use alloc::string::ToString;
    der::DateTime::from_unix_duration(core::time::Duration::from_secs(seconds))
        .ok()
        .map(|d| d.to_string())
}

/// Short names CUCM prints for the attributes it meets; others print as a
/// dotted OID.
fn attribute_name(oid: &der::asn1::ObjectIdentifier) -> Option<&'static str> {
    use const_oid::db::{rfc3280, rfc4519};
    let table: [(&der::asn1::ObjectIdentifier, &str); 12] = [
        (&rfc4519::CN, "CN"),
        (&rfc4519::OU, "OU"),
        (&rfc4519::O, "O"),
        (&rfc4519::L, "L"),
        (&rfc4519::ST, "ST"),
        (&rfc4519::C, "C"),
        (&rfc4519::STREET, "STREET"),
        (&rfc4519::DC, "DC"),
        (&rfc4519::UID, "UID"),
        (&rfc4519::SERIAL_NUMBER, "SERIALNUMBER"),
        (&rfc4519::TITLE, "T"),
        (&rfc3280::EMAIL_ADDRESS, "E"),
    ];
    table.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n)
}

fn attribute_value(value: AnyRef<'_>) -> Option<&str> {
    match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    }
}

/// Why a name could not be written: the writer refused (a [`NameMatcher`]
/// that met a difference), or an unusual value did not re-encode.
enum NameWriteError {
    Writer,
    Der(der::Error),
}

impl From<core::fmt::Error> for NameWriteError {
    fn from(_: core::fmt::Error) -> Self {
        NameWriteError::Writer
    }
}

/// Writes a distinguished name in `style` into `out`: the one formatter
/// behind [`format_name`] (into a `String`) and the name comparisons of
/// record checks (into a [`NameMatcher`], allocating nothing). `atvs`
/// gives each RDN's attributes in the order they are to be written.
fn write_name<'r, R, I>(
    out: &mut impl Write,
    rdns: &'r [R],
    style: NameStyle,
    atvs: impl Fn(&'r R) -> I,
) -> Result<(), NameWriteError>
where
    I: Iterator<Item = (ObjectIdentifier, AnyRef<'r>)>,
{
    let (sep, ordered): (char, &mut dyn Iterator<Item = &'r R>) = match style {
        NameStyle::Cucm => (';', &mut rdns.iter().rev()),
        NameStyle::Comma => (',', &mut rdns.iter()),
    };
    for (i, rdn) in ordered.enumerate() {
        if i > 0 {
            out.write_char(sep)?;
        }
        for (j, (oid, value)) in atvs(rdn).enumerate() {
            if j > 0 {
                out.write_char('+')?;
            }
            match attribute_name(&oid) {
                Some(n) => out.write_str(n)?,
                None => write!(out, "{oid}")?,
            }
            out.write_char('=')?;
            match attribute_value(value) {
                Some(v) => out.write_str(v)?,
                None => {
                    out.write_char('#')?;
                    let der = value.to_der().map_err(NameWriteError::Der)?;
                    crate::hex::write_hex(out, &der, crate::hex::Case::Lower, "")?;
                }
            }
        }
    }
    Ok(())
}

/// A [`Write`] that accepts exactly the text it was made with, in order,
/// and refuses the first piece that differs: comparing a name with a
/// written one as it is formatted, without building it.
struct NameMatcher<'s> {
    rest: &'s str,
}

impl Write for NameMatcher<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        match self.rest.strip_prefix(s) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(core::fmt::Error),
        }
    }
}

/// Whether `written` is the name in `style`: what comparing it with
/// [`format_name`]'s output gives, without allocating.
fn name_is<'r, R, I>(
    written: &str,
    rdns: &'r [R],
    style: NameStyle,
    atvs: impl Fn(&'r R) -> I,
) -> bool
where
    I: Iterator<Item = (ObjectIdentifier, AnyRef<'r>)>,
{
    let mut m = NameMatcher { rest: written };
    write_name(&mut m, rdns, style, atvs).is_ok() && m.rest.is_empty()
}

/// The attributes of one of `x509-cert`'s RDNs, in its (sorted) order.
fn x509_atvs(
    rdn: &RelativeDistinguishedName,
) -> impl Iterator<Item = (ObjectIdentifier, AnyRef<'_>)> {
    rdn.iter().map(|atv| (atv.oid, AnyRef::from(&atv.value)))
}

fn x509_rdns(name: &Name) -> &[RelativeDistinguishedName] {
    let rdns: &RdnSequence = name.as_ref();
    rdns.as_ref()
}

/// Writes a distinguished name in `style`. Values are written as they are
/// (CUCM does not escape); values of unusual string types as `#` and the
/// hex of their DER.
///
/// ```
/// use cisco_itl::cert::{format_name, NameStyle};
/// use x509_cert::name::Name;
/// use std::str::FromStr;
/// let name = Name::from_str("CN=pub,OU=tac,C=US").unwrap();
/// assert_eq!(format_name(&name, NameStyle::Cucm).unwrap(), "CN=pub;OU=tac;C=US");
/// assert_eq!(format_name(&name, NameStyle::Comma).unwrap(), "C=US,OU=tac,CN=pub");
/// ```
pub fn format_name(name: &Name, style: NameStyle) -> Result<String, CertError> {
    let mut out = String::new();
    match write_name(&mut out, x509_rdns(name), style, x509_atvs) {
        Ok(()) => Ok(out),
        Err(NameWriteError::Der(e)) => Err(CertError::Der(e)),
        // A String takes everything written to it.
        Err(NameWriteError::Writer) => Err(CertError::Der(der::ErrorKind::Failed.into())),
    }
}

/// The fields of a certificate that a trust-list record repeats, as
/// [`crate::verify::check_record_certificate`] compares them: one set of
/// checks for a [`CertInfo`] and for a [`CertView`].
pub(crate) trait RecordFields {
    /// The subject public key's bytes (PUBLICKEY).
    fn public_key_bytes(&self) -> &[u8];
    /// The serial's bytes as DER holds them (SERIALNUMBER).
    fn serial(&self) -> &[u8];
    /// Whether `written` is the issuer in one of the [`NameStyle`]s.
    fn issuer_is(&self, written: &str) -> bool;
    /// Whether `written` is the subject in one of the [`NameStyle`]s.
    fn subject_is(&self, written: &str) -> bool;
    /// SHA-1 of the DER (CERTHASH).
    fn sha1(&self) -> [u8; 20];
    /// The certificate's signature bytes (SIGNATURE).
    fn signature_bytes(&self) -> &[u8];
}

/// Both styles a list may spell a name in, CUCM's first.
const STYLES: [NameStyle; 2] = [NameStyle::Cucm, NameStyle::Comma];

impl RecordFields for CertInfo {
    fn public_key_bytes(&self) -> &[u8] {
        CertInfo::public_key_bytes(self)
    }
    fn serial(&self) -> &[u8] {
        CertInfo::serial(self)
    }
    fn issuer_is(&self, written: &str) -> bool {
        let rdns = x509_rdns(self.cert.tbs_certificate().issuer());
        STYLES
            .into_iter()
            .any(|style| name_is(written, rdns, style, x509_atvs))
    }
    fn subject_is(&self, written: &str) -> bool {
        let rdns = x509_rdns(self.cert.tbs_certificate().subject());
        STYLES
            .into_iter()
            .any(|style| name_is(written, rdns, style, x509_atvs))
    }
    fn sha1(&self) -> [u8; 20] {
        CertInfo::sha1(self)
    }
    fn signature_bytes(&self) -> &[u8] {
        CertInfo::signature_bytes(self)
    }
}

/// A certificate decoded for the record checks without copying it: the
/// structure `x509-cert` decodes, field by field with the same `der` types
/// and attributes, but borrowed (names, key, signature and extension values
/// point into the DER; the serial, version and validity are `x509-cert`'s
/// own types). Each RDN's attributes are sorted on decoding as `x509-cert`
/// sorts them, so names are written alike.
///
/// It takes what [`Certificate::from_der`] takes, with the same values;
/// callers still hand anything it refuses to [`CertInfo::from_der`], so
/// that a certificate is refused only on `x509-cert`'s word. The tests
/// below compare the two on every certificate of the vectors and on each
/// of their one-byte corruptions.
pub(crate) struct CertView<'a> {
    der: &'a [u8],
    cert: CertificateRef<'a>,
}

/// `Certificate` (RFC 5280 4.1), borrowed.
#[derive(Clone, Debug, der::Sequence)]
struct CertificateRef<'a> {
    tbs_certificate: TbsCertificateRef<'a>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// `TBSCertificate`, borrowed; the attributes are `x509-cert`'s.
#[derive(Clone, Debug, der::Sequence)]
struct TbsCertificateRef<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierRef<'a>,
    issuer: NameRef<'a>,
    validity: Validity,
    subject: NameRef<'a>,
    subject_public_key_info: SubjectPublicKeyInfoRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<ExtensionRef<'a>>>,
}

/// `Name`: a SEQUENCE OF RDNs, each a SET OF attributes (sorted on
/// decoding, as `x509-cert` does), the attributes borrowed.
type NameRef<'a> = Vec<SetOfVec<AttributeRef<'a>>>;

/// `AttributeTypeAndValue`, borrowed.
#[derive(Clone, Debug, der::Sequence, der::ValueOrd)]
struct AttributeRef<'a> {
    oid: ObjectIdentifier,
    value: AnyRef<'a>,
}

/// `Extension`, borrowed; the attributes are `x509-cert`'s.
#[derive(Clone, Debug, der::Sequence)]
struct ExtensionRef<'a> {
    extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: &'a OctetStringRef,
}

fn view_atvs<'r>(
    rdn: &'r SetOfVec<AttributeRef<'_>>,
) -> impl Iterator<Item = (ObjectIdentifier, AnyRef<'r>)> {
    rdn.iter().map(|atv| (atv.oid, atv.value))
}

impl<'a> CertView<'a> {
    /// Decodes `der`, or `None` when it is not a certificate this view
    /// takes (then [`CertInfo::from_der`] decides).
    pub(crate) fn from_der(der: &'a [u8]) -> Option<Self> {
        let cert = CertificateRef::from_der(der).ok()?;
        Some(CertView { der, cert })
    }

    /// The subject public key's algorithm.
    pub(crate) fn public_key_algorithm(&self) -> ObjectIdentifier {
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .algorithm
            .oid
    }

    fn spelled(name: &NameRef<'_>, written: &str) -> bool {
        STYLES
            .into_iter()
            .any(|style| name_is(written, name, style, view_atvs))
    }
}

impl RecordFields for CertView<'_> {
    fn public_key_bytes(&self) -> &[u8] {
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }
    fn serial(&self) -> &[u8] {
        self.cert.tbs_certificate.serial_number.as_bytes()
    }
    fn issuer_is(&self, written: &str) -> bool {
        Self::spelled(&self.cert.tbs_certificate.issuer, written)
    }
    fn subject_is(&self, written: &str) -> bool {
        Self::spelled(&self.cert.tbs_certificate.subject, written)
    }
    fn sha1(&self) -> [u8; 20] {
        crate::digest::sha1(self.der)
    }
    fn signature_bytes(&self) -> &[u8] {
        self.cert.signature.raw_bytes()
    }
}

/// The view against `x509-cert`: on every certificate of the vectors, on
/// each one-byte corruption of them, and on names made to be unusual.
#[cfg(test)]
#[cfg(feature = "std")]
mod tests {
    use super::*;
    use crate::trust_list::TrustList;
    use std::format;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

    /// Every distinct certificate of the vectors: the PEM files and the
    /// CERTIFICATE of every record of every list.
    fn certificates() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for dir in [
            format!("{DATA}/vectors/keys"),
            format!("{DATA}/vectors"),
            DATA.into(),
        ] {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let bytes = std::fs::read(&path).unwrap_or_default();
                let name = path.to_string_lossy().into_owned();
                if name.ends_with(".pem") {
                    if let Ok(c) = CertInfo::from_pem(&bytes) {
                        out.push(c.der().to_vec());
                    }
                } else if name.ends_with(".tlv")
                    && let Ok(list) = TrustList::parse(&bytes)
                {
                    out.extend(
                        list.records()
                            .filter_map(|r| r.certificate().map(<[u8]>::to_vec)),
                    );
                }
            }
        }
        out.sort();
        out.dedup();
        assert!(out.len() >= 15, "{} certificates", out.len());
        out
    }

    fn x509_names(c: &CertInfo) -> [&Name; 2] {
        let tbs = c.certificate().tbs_certificate();
        [tbs.issuer(), tbs.subject()]
    }

    /// Whether the view's issuer (0) or subject (1) is `written` in `style`.
    fn view_name_is(v: &CertView<'_>, which: usize, written: &str, style: NameStyle) -> bool {
        let tbs = &v.cert.tbs_certificate;
        let name = [&tbs.issuer, &tbs.subject][which];
        name_is(written, name, style, view_atvs)
    }

    /// The view and `x509-cert` agree on `der`: both refuse it, or both
    /// take it with the same fields and names. Returns whether they took it.
    fn agree(der: &[u8]) -> bool {
        let (view, info) = (CertView::from_der(der), CertInfo::from_der(der));
        let (v, c) = match (view, info) {
            (None, Err(_)) => return false,
            (Some(v), Ok(c)) => (v, c),
            (v, c) => panic!("view takes it: {}, x509-cert: {c:?}", v.is_some()),
        };
        assert_eq!(RecordFields::serial(&v), c.serial());
        assert_eq!(RecordFields::public_key_bytes(&v), c.public_key_bytes());
        assert_eq!(RecordFields::signature_bytes(&v), c.signature_bytes());
        assert_eq!(RecordFields::sha1(&v), c.sha1());
        assert_eq!(
            v.public_key_algorithm(),
            c.certificate()
                .tbs_certificate()
                .subject_public_key_info()
                .algorithm
                .oid
        );
        for (which, name) in x509_names(&c).into_iter().enumerate() {
            for style in STYLES {
                let Ok(text) = format_name(name, style) else {
                    // Not writable: matches nothing, in either decoding.
                    assert!(!view_name_is(&v, which, "", style));
                    continue;
                };
                assert!(view_name_is(&v, which, &text, style), "{text}");
                let other = [c.issuer_is(&text), c.subject_is(&text)][which];
                assert!(other, "{text}");
                // One character more or fewer is another name.
                let longer = format!("{text}x");
                let mut shorter = text.clone();
                shorter.pop();
                for wrong in [&longer, &shorter] {
                    if *wrong == text {
                        continue; // an empty name has nothing to take away
                    }
                    assert!(!view_name_is(&v, which, wrong, style), "{wrong}");
                    assert!(![c.issuer_is(wrong), c.subject_is(wrong)][which], "{wrong}");
                }
            }
        }
        true
    }

    #[test]
    fn the_view_agrees_with_x509_cert_on_every_certificate_of_the_vectors() {
        for der in certificates() {
            assert!(agree(&der));
        }
    }

    #[test]
    fn the_view_agrees_with_x509_cert_on_every_one_byte_corruption() {
        let (mut taken, mut refused) = (0, 0);
        for der in certificates() {
            for i in 0..der.len() {
                for flip in [0x01, 0x80] {
                    let mut bad = der.clone();
                    bad[i] ^= flip;
                    match agree(&bad) {
                        true => taken += 1,
                        false => refused += 1,
                    }
                }
            }
            for cut in [1, 2, der.len() / 2] {
                assert!(!agree(&der[..der.len() - cut]));
            }
        }
        // Both outcomes are exercised, many times.
        assert!(taken > 10_000 && refused > 1_000, "{taken} {refused}");
    }

    /// `base` with its issuer and subject replaced by the DER `name`.
    fn with_name(base: &[u8], name: &[u8]) -> Vec<u8> {
        let outer = Vec::<AnyRef<'_>>::from_der(base).unwrap();
        let mut tbs = outer[0].decode_as::<Vec<AnyRef<'_>>>().unwrap();
        let at = usize::from(tbs[0].tag().is_context_specific());
        let name = AnyRef::from_der(name).unwrap();
        tbs[at + 2] = name;
        tbs[at + 4] = name;
        let tbs = tbs.to_der().unwrap();
        [AnyRef::from_der(&tbs).unwrap(), outer[1], outer[2]]
            .to_vec()
            .to_der()
            .unwrap()
    }

    fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
        AnyRef::new(tag, content).unwrap().to_der().unwrap()
    }

    fn atv(oid: &str, tag: Tag, value: &[u8]) -> Vec<u8> {
        let oid = ObjectIdentifier::new_unwrap(oid).to_der().unwrap();
        tlv(Tag::Sequence, &[oid, tlv(tag, value)].concat())
    }

    fn rdn(atvs: &[Vec<u8>]) -> Vec<u8> {
        tlv(Tag::Set, &atvs.concat())
    }

    fn name(rdns: &[Vec<u8>]) -> Vec<u8> {
        tlv(Tag::Sequence, &rdns.concat())
    }

    const CN: &str = "2.5.4.3";
    const O: &str = "2.5.4.10";
    const C: &str = "2.5.4.6";
    const P: Tag = Tag::PrintableString;

    /// Names as certificates may carry them, each with how it is written
    /// in CUCM's style and in the `,` style.
    fn unusual_names() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
        let c_pl = rdn(&[atv(C, P, b"PL")]);
        vec![
            (
                "multi-valued RDN in DER order",
                name(&[c_pl.clone(), rdn(&[atv(CN, P, b"a"), atv(O, P, b"b")])]),
                "CN=a+O=b;C=PL",
                "C=PL,CN=a+O=b",
            ),
            (
                "multi-valued RDN out of order (x509-cert sorts it)",
                name(&[c_pl.clone(), rdn(&[atv(O, P, b"b"), atv(CN, P, b"a")])]),
                "CN=a+O=b;C=PL",
                "C=PL,CN=a+O=b",
            ),
            (
                "multi-valued RDN, the shorter attribute first in DER order",
                name(&[rdn(&[atv(CN, P, b"abc"), atv(O, P, b"b")])]),
                "O=b+CN=abc",
                "O=b+CN=abc",
            ),
            (
                "the same attribute twice in an RDN",
                name(&[rdn(&[atv(CN, P, b"a"), atv(CN, P, b"a")])]),
                "CN=a+CN=a",
                "CN=a+CN=a",
            ),
            (
                "a UTF8String that is not UTF-8",
                name(&[c_pl.clone(), rdn(&[atv(CN, Tag::Utf8String, b"a\xff")])]),
                "CN=#0c0261ff;C=PL",
                "C=PL,CN=#0c0261ff",
            ),
            (
                "a PrintableString with a character it does not allow",
                name(&[rdn(&[atv(CN, P, b"a@b")])]),
                "CN=#1303614062",
                "CN=#1303614062",
            ),
            (
                "a BMPString",
                name(&[rdn(&[atv(CN, Tag::BmpString, b"\0a")])]),
                "CN=#1e020061",
                "CN=#1e020061",
            ),
            (
                "UTF-8 beyond ASCII, IA5String, TeletexString",
                name(&[
                    rdn(&[atv(C, P, b"PL")]),
                    rdn(&[atv("2.5.4.7", Tag::Utf8String, "Krak\u{f3}w".as_bytes())]),
                    rdn(&[atv("1.2.840.113549.1.9.1", Tag::Ia5String, b"a@b.pl")]),
                    rdn(&[atv(O, Tag::TeletexString, b"Cisco")]),
                ]),
                "O=Cisco;E=a@b.pl;L=Krak\u{f3}w;C=PL",
                "C=PL,L=Krak\u{f3}w,E=a@b.pl,O=Cisco",
            ),
            (
                "an attribute without a short name",
                name(&[rdn(&[atv("1.2.3.4", P, b"x")]), rdn(&[atv(CN, P, b"y")])]),
                "CN=y;1.2.3.4=x",
                "1.2.3.4=x,CN=y",
            ),
            (
                "an empty RDN",
                name(&[rdn(&[atv(CN, P, b"a")]), rdn(&[])]),
                ";CN=a",
                "CN=a,",
            ),
            ("an empty name", name(&[]), "", ""),
        ]
    }

    #[test]
    fn unusual_names_are_written_and_compared_alike_in_both_decodings() {
        let base = &certificates()[0];
        for (what, name, cucm, comma) in unusual_names() {
            let der = with_name(base, &name);
            assert!(agree(&der), "{what}");
            let (v, c) = (
                CertView::from_der(&der).unwrap(),
                CertInfo::from_der(&der).unwrap(),
            );
            assert_eq!(c.subject(NameStyle::Cucm).unwrap(), cucm, "{what}");
            assert_eq!(c.issuer(NameStyle::Comma).unwrap(), comma, "{what}");
            for (style, text) in [(NameStyle::Cucm, cucm), (NameStyle::Comma, comma)] {
                assert!(view_name_is(&v, 0, text, style), "{what}");
                assert!(view_name_is(&v, 1, text, style), "{what}");
            }
            assert!(v.subject_is(cucm) && v.issuer_is(comma), "{what}");
            assert!(!v.subject_is(&format!("{cucm};")), "{what}");
        }
    }

    #[test]
    fn an_rdn_whose_attributes_do_not_decode_is_refused_by_both() {
        let base = &certificates()[0];
        for bad in [
            // An attribute that is not a SEQUENCE.
            name(&[rdn(&[tlv(P, b"a")])]),
            // An OID that does not decode.
            name(&[rdn(&[tlv(
                Tag::Sequence,
                &[tlv(Tag::ObjectIdentifier, &[0x80]), tlv(P, b"a")].concat(),
            )])]),
            // A SET that is a SEQUENCE.
            name(&[tlv(Tag::Sequence, &atv(CN, P, b"a"))]),
        ] {
            assert!(!agree(&with_name(base, &bad)));
        }
    }
}
