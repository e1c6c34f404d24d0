//! X.509 certificates as a trust list needs them: the names in CUCM's or
//! RFC 4514-like form, the serial, the public key and signature bytes, and
//! the SHA-1 CERTHASH. Parsing is `x509-cert`'s.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use rsa::PublicKey as RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use x509_cert::Certificate;
use x509_cert::name::Name;

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

    /// The RSA public key.
    pub fn rsa_public_key(&self) -> Result<RsaPublicKey, CertError> {
        let spki = self.cert.tbs_certificate().subject_public_key_info();
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(CertError::NotRsa);
        }
        RsaPublicKey::from_pkcs1_der(self.public_key_bytes()).map_err(|_| CertError::BadRsaKey)
    }
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

fn attribute_value(value: &der::Any) -> Option<&str> {
    match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    }
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
    let rdns: Vec<_> = name.iter_rdn().collect();
    let (sep, ordered): (char, Vec<_>) = match style {
        NameStyle::Cucm => (';', rdns.into_iter().rev().collect()),
        NameStyle::Comma => (',', rdns),
    };
    let mut out = String::new();
    for (i, rdn) in ordered.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match attribute_name(&atv.oid) {
                Some(n) => out.push_str(n),
                None => {
                    let _ = write!(out, "{}", atv.oid);
                }
            }
            out.push('=');
            match attribute_value(&atv.value) {
                Some(v) => out.push_str(v),
                None => {
                    out.push('#');
                    for b in atv.value.to_der().map_err(CertError::Der)? {
                        let _ = write!(out, "{b:02x}");
                    }
                }
            }
        }
    }
    Ok(out)
}
