//! The LSC a CAPF server issues (feature `capf`): subject CN = the device
//! name with O, OU, L, ST and C copied from the issuer; a 128-bit random
//! serial; valid for 1 to 3,560 days (365 by default); not a CA; key
//! usage digital signature and key encipherment; extended key usage
//! server auth, client auth and IPsec end system; SAN URI = the device
//! name; signed with SHA-256 and the issuer's RSA key (the CAPF key, or a
//! separate issuing CA's).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::str::FromStr;

use const_oid::ObjectIdentifier;
use der::asn1::Ia5String;
use der::{Decode, Encode};
use rsa::pkcs1v15;
use rsa::traits::PublicKeyParts;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use super::codec::{Curve, KeyRequest, valid_device_name};
use crate::key::Signer;

/// The shortest and longest validity, in days.
pub const DAYS: core::ops::RangeInclusive<u32> = 1..=3560;
/// The validity when none is given, in days.
pub const DEFAULT_DAYS: u32 = 365;

/// Why a certificate was not issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// A validity outside 1 to 3,560 days.
    #[error("a validity of {0} days is outside the 1 to 3560 allowed")]
    BadValidity(u32),
    /// The device name is not one CAPF carries.
    #[error("the device name is not 1 to 64 letters, digits, '-', '_' or '.'")]
    BadDeviceName,
    /// The public key is not a SubjectPublicKeyInfo.
    #[error("the public key is not a SubjectPublicKeyInfo")]
    BadPublicKey,
    /// The public key is not the one asked for.
    #[error("the phone sent {found} where {expected} was asked for")]
    WrongKey {
        /// What was asked for.
        expected: KeyRequest,
        /// What came, in words.
        found: String,
    },
    /// The system's random source failed.
    #[error("the system's random source failed")]
    Random,
    /// Building or signing the certificate failed.
    #[error("the certificate could not be built: {0}")]
    Build(String),
}

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// The attributes of the issuer's name an LSC's subject copies: C, ST, L,
/// O and OU.
const COPIED: [ObjectIdentifier; 5] = [
    ObjectIdentifier::new_unwrap("2.5.4.6"),
    ObjectIdentifier::new_unwrap("2.5.4.8"),
    ObjectIdentifier::new_unwrap("2.5.4.7"),
    ObjectIdentifier::new_unwrap("2.5.4.10"),
    ObjectIdentifier::new_unwrap("2.5.4.11"),
];
/// Extended key usages: server auth, client auth, IPsec end system.
const EKU: [ObjectIdentifier; 3] = [
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.5"),
];

/// The curve of an EC key's parameters.
fn curve_of(oid: ObjectIdentifier) -> Option<Curve> {
    match oid {
        o if o == P256 => Some(Curve::P256),
        o if o == P384 => Some(Curve::P384),
        o if o == P521 => Some(Curve::P521),
        _ => None,
    }
}

/// Checks that `spki` (DER) is the key `expected` asked for.
pub fn check_key(spki: &[u8], expected: KeyRequest) -> Result<(), IssueError> {
    let info = SubjectPublicKeyInfoOwned::from_der(spki).map_err(|_| IssueError::BadPublicKey)?;
    let wrong = |found: String| IssueError::WrongKey { expected, found };
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        let bytes = info
            .subject_public_key
            .as_bytes()
            .ok_or(IssueError::BadPublicKey)?;
        let key = <rsa::PublicKey as rsa::pkcs1::DecodeRsaPublicKey>::from_pkcs1_der(bytes)
            .map_err(|_| IssueError::BadPublicKey)?;
        let bits = key.size() * 8;
        match expected {
            KeyRequest::Rsa(b) if usize::from(b) == bits => Ok(()),
            _ => Err(wrong(alloc::format!("an RSA key of {bits} bits"))),
        }
    } else if oid == EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .and_then(curve_of)
            .ok_or(IssueError::BadPublicKey)?;
        match expected {
            KeyRequest::Ec(c) if c == curve => Ok(()),
            _ => Err(wrong(alloc::format!("an EC key on {curve}"))),
        }
    } else {
        Err(wrong(alloc::format!("a key of algorithm {oid}")))
    }
}

/// An extension holding `value`.
fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, der::Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: der::asn1::OctetString::new(value.to_der()?)?,
    })
}

/// The profile of an LSC.
struct Lsc {
    issuer: Name,
    subject: Name,
    /// The device name (the SAN URI).
    device: String,
}

impl BuilderProfile for Lsc {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let uri = Ia5String::new(self.device.as_bytes())?;
        Ok(vec![
            extension(
                ObjectIdentifier::new_unwrap("2.5.29.19"),
                true,
                &BasicConstraints {
                    ca: false,
                    path_len_constraint: None,
                },
            )?,
            extension(
                ObjectIdentifier::new_unwrap("2.5.29.15"),
                true,
                &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment),
            )?,
            extension(
                ObjectIdentifier::new_unwrap("2.5.29.37"),
                false,
                &ExtendedKeyUsage(EKU.to_vec()),
            )?,
            extension(
                ObjectIdentifier::new_unwrap("2.5.29.17"),
                false,
                &SubjectAltName(vec![GeneralName::UniformResourceIdentifier(uri)]),
            )?,
        ])
    }
}

/// A certificate just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// Its serial number.
    pub serial: Vec<u8>,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The end of its validity, seconds since 1970.
    pub not_after: u64,
}

/// Issues LSCs with one RSA key and its certificate.
#[derive(Debug, Clone)]
pub struct Issuer {
    signer: Signer,
    issuer_name: Name,
    days: u32,
}

impl Issuer {
    /// An issuer signing with `signer` (the CAPF identity, or an issuing
    /// CA's), for `days` days (1 to 3,560).
    pub fn new(signer: Signer, days: u32) -> Result<Self, IssueError> {
        if !DAYS.contains(&days) {
            return Err(IssueError::BadValidity(days));
        }
        let cert = Certificate::from_der(signer.certificate().der())
            .map_err(|e| IssueError::Build(alloc::format!("the issuer's certificate: {e}")))?;
        let issuer_name = cert.tbs_certificate().subject().clone();
        Ok(Issuer {
            signer,
            issuer_name,
            days,
        })
    }

    /// The issuer's certificate, DER.
    pub fn certificate(&self) -> &[u8] {
        self.signer.certificate().der()
    }

    /// The validity of what it issues, in days.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// Issues `device` a certificate for the public key `spki` (DER),
    /// valid from `now` (seconds since 1970).
    pub fn issue(
        &self,
        device: &str,
        spki: &[u8],
        now: u64,
    ) -> Result<IssuedCertificate, IssueError> {
        if !valid_device_name(device) {
            return Err(IssueError::BadDeviceName);
        }
        let build = |what: &str| IssueError::Build(String::from(what));
        let spki =
            SubjectPublicKeyInfoOwned::from_der(spki).map_err(|_| IssueError::BadPublicKey)?;
        let mut rdns: Vec<RelativeDistinguishedName> = self
            .issuer_name
            .iter_rdn()
            .filter(|rdn| rdn.iter().all(|atv| COPIED.contains(&atv.oid)))
            .cloned()
            .collect();
        let cn = RelativeDistinguishedName::from_str(&alloc::format!("CN={device}"))
            .map_err(|_| IssueError::BadDeviceName)?;
        rdns.push(cn);
        let subject = RdnSequence::from(rdns)
            .to_der()
            .and_then(|der| Name::from_der(&der))
            .map_err(|_| IssueError::BadDeviceName)?;
        let mut serial = [0u8; 16];
        getrandom::fill(&mut serial).map_err(|_| IssueError::Random)?;
        if let Some(first) = serial.first_mut() {
            // Positive, and 16 bytes long.
            *first = (*first & 0x7f) | 0x40;
        }
        let serial_number =
            SerialNumber::new(&serial).map_err(|_| build("an invalid serial number"))?;
        let not_after = now.saturating_add(u64::from(self.days) * 86_400);
        let at = |secs: u64| {
            std::time::UNIX_EPOCH
                .checked_add(core::time::Duration::from_secs(secs))
                .and_then(|t| Time::try_from(t).ok())
                .ok_or_else(|| build("a date out of range"))
        };
        let validity = Validity::new(at(now)?, at(not_after)?);
        let profile = Lsc {
            issuer: self.issuer_name.clone(),
            subject,
            device: String::from(device),
        };
        let builder = CertificateBuilder::new(profile, serial_number, validity, spki)
            .map_err(|e| IssueError::Build(alloc::format!("{e}")))?;
        let signer = pkcs1v15::SigningKey::<Sha256>::new(self.signer.key().rsa().clone());
        let cert = builder
            .build::<_, pkcs1v15::Signature>(&signer)
            .map_err(|e| IssueError::Build(alloc::format!("{e}")))?;
        let der = cert
            .to_der()
            .map_err(|e| IssueError::Build(alloc::format!("{e}")))?;
        Ok(IssuedCertificate {
            serial: serial.to_vec(),
            der,
            not_after,
        })
    }
}
