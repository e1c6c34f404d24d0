//! Making new trust lists from certificates: CUCM's layout by default, or
//! the independent implementation's.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cert::{CertError, CertInfo, NameStyle};
use crate::digest::DigestAlgorithm;
use crate::function::Function;
use crate::key::Signer;
use crate::sign::SignError;
use crate::tag::record as rt;
use crate::trust_list::ListKind;
use crate::write::{ElementBuf, HeaderBuf, Layout, RecordBuf, SignerId, TrustListBuf};

/// One record to build: a certificate, its functions and, for a CTL, the
/// node's host name and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSpec {
    /// The certificate.
    pub certificate: CertInfo,
    /// The functions, one FUNCTION element each (CUCM writes one).
    pub functions: Vec<Function>,
    /// DNSNAME for a CTL record (CUCM: the node's host name).
    pub dns_name: Option<String>,
    /// IPADDRESS for a CTL record.
    pub ip_address: Option<[u8; 4]>,
}

impl RecordSpec {
    /// A record for `certificate` with one function.
    pub fn new(certificate: CertInfo, function: Function) -> Self {
        RecordSpec {
            certificate,
            functions: alloc::vec![function],
            dns_name: None,
            ip_address: None,
        }
    }

    /// Sets the CTL host name and address.
    pub fn with_node(mut self, dns_name: &str, ip_address: [u8; 4]) -> Self {
        self.dns_name = Some(dns_name.into());
        self.ip_address = Some(ip_address);
        self
    }
}

/// Why a trust list could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A certificate's names could not be written.
    #[error(transparent)]
    Certificate(#[from] CertError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A trust list needs at least one record.
    #[error("a trust list needs at least one record")]
    NoRecords,
}

/// The issuer common name of a hardware eToken's certificate (TVS
/// recognizes an eToken by it: "SAST Issuer Name is: cn=Cisco
/// Manufacturing CA;o=Cisco Systems").
const ETOKEN_ISSUER_CN: &str = "CN=Cisco Manufacturing CA";

/// Whether `c` is a hardware eToken's certificate: its issuer's common name
/// is exactly `Cisco Manufacturing CA`. CUCM writes no record SIGNATURE for
/// these; every other certificate, self-issued or CA-issued, keeps it.
fn is_hardware_etoken(c: &CertInfo) -> Result<bool, CertError> {
    Ok(c.issuer(NameStyle::Cucm)?
        .split(';')
        .any(|attribute| attribute == ETOKEN_ISSUER_CN))
}

/// Builds a trust list from certificates.
///
/// Defaults are CUCM's: version 1.2, SHA-1, `ITLFile.tlv` or
/// `CTLFile.tlv`, CUCM's layout (`;` names, DNSNAME in every record, the
/// certificate's SIGNATURE for every certificate but a hardware eToken's,
/// issued by Cisco Manufacturing CA,
/// CERTHASH and HASH ALGORITHM instead of the certificate for TVS and CAPF
/// records of an ITL, IPADDRESS in CTL records), timestamp now (0 without
/// the `std` feature, which has no clock).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{Function, ListKind, TrustList, build::TrustListBuilder, cert::CertInfo, key::Signer};
/// let pem = std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap();
/// let signer = Signer::from_pem(&pem).unwrap();
/// let bytes = TrustListBuilder::new(ListKind::Itl)
///     .timestamp(1_700_000_000)
///     .record(signer.certificate().clone(), Function::Sast)
///     .record(signer.certificate().clone(), Function::Tftp)
///     .sign(&signer)
///     .unwrap();
/// let list = TrustList::parse(&bytes).unwrap();
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.verify().unwrap().signer_index, Some(0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListBuilder {
    kind: ListKind,
    layout: Layout,
    filename: String,
    timestamp: u32,
    version: (u8, u8),
    digest: DigestAlgorithm,
    signer_version: (u8, u8),
    records: Vec<RecordSpec>,
}

impl TrustListBuilder {
    /// A builder for an ITL or a CTL with CUCM's defaults.
    pub fn new(kind: ListKind) -> Self {
        TrustListBuilder {
            kind,
            layout: Layout::Cucm,
            filename: match kind {
                ListKind::Itl => "ITLFile.tlv".into(),
                ListKind::Ctl => "CTLFile.tlv".into(),
            },
            timestamp: default_timestamp(),
            version: (1, 2),
            digest: DigestAlgorithm::Sha1,
            signer_version: (1, 0),
            records: Vec::new(),
        }
    }

    /// Chooses the layout.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets FILENAME.
    pub fn filename(mut self, name: &str) -> Self {
        self.filename = name.into();
        self
    }

    /// Sets TIMESTAMP (seconds since the Unix epoch).
    pub fn timestamp(mut self, seconds: u32) -> Self {
        self.timestamp = seconds;
        self
    }

    /// Sets the version.
    pub fn version(mut self, major: u8, minor: u8) -> Self {
        self.version = (major, minor);
        self
    }

    /// Sets the digest.
    pub fn digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// Sets the signer version (tag 28) the peer layout writes (default 1.0).
    pub fn signer_version(mut self, major: u8, minor: u8) -> Self {
        self.signer_version = (major, minor);
        self
    }

    /// Adds a record for `cert` with `function`.
    pub fn record(self, cert: CertInfo, function: Function) -> Self {
        self.record_spec(RecordSpec::new(cert, function))
    }

    /// Adds a record.
    pub fn record_spec(mut self, spec: RecordSpec) -> Self {
        self.records.push(spec);
        self
    }

    fn style(&self) -> NameStyle {
        self.layout.name_style()
    }

    /// Builds the record for one spec in the chosen layout.
    pub fn build_record(&self, spec: &RecordSpec) -> Result<RecordBuf, CertError> {
        let style = self.style();
        let c = &spec.certificate;
        let mut e: Vec<ElementBuf> = alloc::vec![ElementBuf::new(rt::RECORD_LENGTH, [0, 0])];
        let functions = spec
            .functions
            .iter()
            .map(|f| ElementBuf::new(rt::FUNCTION, f.code().to_be_bytes()));
        let subject = ElementBuf::text(rt::SUBJECT_NAME, &c.subject(style)?);
        let issuer = ElementBuf::text(rt::ISSUER_NAME, &c.issuer(style)?);
        let serial = ElementBuf::new(rt::SERIAL_NUMBER, c.serial());
        let key_and_sig = [
            ElementBuf::new(rt::PUBLIC_KEY, c.public_key_bytes()),
            ElementBuf::new(rt::SIGNATURE, c.signature_bytes()),
        ];
        match self.layout {
            Layout::Cucm => {
                let dns = match (&spec.dns_name, self.kind) {
                    (Some(name), _) => ElementBuf::text(rt::DNS_NAME, name),
                    (None, ListKind::Itl) => ElementBuf::new(rt::DNS_NAME, [0, 0]),
                    (None, ListKind::Ctl) => ElementBuf::new(rt::DNS_NAME, [0]),
                };
                e.push(dns);
                e.push(subject);
                e.extend(functions);
                e.extend([issuer, serial]);
                // CUCM writes the certificate's SIGNATURE for every
                // certificate, its own and a CA's alike (the notes' 8.x ITL:
                // a CallManager.pem issued by CN=JASBURNS-AD keeps its
                // 256-byte SIGNATURE), except a hardware eToken's: the
                // eToken records of a real CTL, issued by Cisco
                // Manufacturing CA, carry none.
                let [key, sig] = key_and_sig;
                e.push(key);
                if !is_hardware_etoken(c)? {
                    e.push(sig);
                }
                let hashed = self.kind == ListKind::Itl
                    && spec
                        .functions
                        .iter()
                        .any(|f| matches!(f, Function::Tvs | Function::Capf));
                if hashed {
                    e.push(ElementBuf::new(rt::CERT_HASH, c.sha1()));
                    e.push(ElementBuf::new(rt::HASH_ALGORITHM, [1]));
                } else {
                    e.push(ElementBuf::new(rt::CERTIFICATE, c.der()));
                }
                if self.kind == ListKind::Ctl {
                    e.push(ElementBuf::new(
                        rt::IP_ADDRESS,
                        spec.ip_address.unwrap_or([0; 4]),
                    ));
                }
            }
            Layout::Peer => {
                e.extend([subject, issuer, serial]);
                e.extend(functions);
                e.extend(key_and_sig);
                e.push(ElementBuf::new(rt::CERTIFICATE, c.der()));
            }
        }
        Ok(RecordBuf { elements: e })
    }

    /// Builds the unsigned list, the header naming `signer_cert`.
    pub fn build_unsigned(&self, signer_cert: &CertInfo) -> Result<TrustListBuf, BuildError> {
        if self.records.is_empty() {
            return Err(BuildError::NoRecords);
        }
        let id = SignerId::from_certificate(signer_cert, self.style())?;
        let mut header = HeaderBuf::new(
            self.layout,
            self.version,
            &id,
            self.digest,
            &self.filename,
            self.timestamp,
        );
        if self.layout == Layout::Peer {
            let (major, minor) = self.signer_version;
            header.set(crate::tag::header::SIGNER_VERSION, [major, minor]);
        }
        let records = self
            .records
            .iter()
            .map(|s| self.build_record(s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustListBuf { header, records })
    }

    /// Builds and signs the list; returns the file's bytes.
    pub fn sign(&self, signer: &Signer) -> Result<Vec<u8>, BuildError> {
        let mut list = self.build_unsigned(signer.certificate())?;
        Ok(list.sign(signer.key(), self.digest)?)
    }
}

/// The current time with `std`, 0 without.
pub(crate) fn default_timestamp() -> u32 {
    #[cfg(feature = "std")]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| u32::try_from(d.as_secs()).ok())
            .unwrap_or(0)
    }
    #[cfg(not(feature = "std"))]
    {
        0
    }
}
