//! An in-memory TVS: certificates known by the SHA-256 of their DER, each
//! with its roles and time to live, answering verify requests through the
//! wire codec ([`crate::tvs::codec`]), and the [`TrustVerifier`] trait
//! through which the phone asks it.

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::cert::CertInfo;
use crate::function::Function;
use crate::tvs::codec::{TvsError, VerifyRequest, VerifyResponse};

/// The default time to live of a "trusted" answer: one day.
pub const DEFAULT_TTL_SECONDS: u32 = 86_400;

/// How a phone reaches its TVS servers. `server` is the index in the
/// phone's list of TVS servers (its CallManager group, up to three).
///
/// Both methods return `None` when the server cannot be reached.
pub trait TrustVerifier {
    /// The certificate the server presents when the phone connects (its
    /// `TVS.pem`), DER.
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>>;

    /// Sends an encoded request and returns the encoded response.
    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>>;
}

/// The SHA-256 of a certificate's DER: how TVS names a certificate.
///
/// ```
/// let id = cisco_itl::tvs::server::certificate_sha256(b"");
/// assert_eq!(id[..4], [0xe3, 0xb0, 0xc4, 0x42]);
/// ```
pub fn certificate_sha256(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// One certificate TVS vouches for.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::server::{TvsEntry, certificate_sha256};
/// let entry = TvsEntry::new(&[0x30, 0x00], &[Function::Tftp], 600);
/// assert_eq!(entry.id, certificate_sha256(&[0x30, 0x00]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TvsEntry {
    /// The SHA-256 of [`TvsEntry::certificate`], the key the store finds
    /// it by.
    pub id: [u8; 32],
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// Its roles.
    pub roles: Vec<Function>,
    /// How long a phone may keep the answer, in seconds.
    pub ttl_seconds: u32,
}

impl TvsEntry {
    /// An entry for `certificate_der`, its id computed.
    ///
    /// ```
    /// use cisco_itl::tvs::server::TvsEntry;
    /// assert_eq!(TvsEntry::new(b"", &[], 0).id[0], 0xe3);
    /// ```
    pub fn new(certificate_der: &[u8], roles: &[Function], ttl_seconds: u32) -> Self {
        TvsEntry {
            id: certificate_sha256(certificate_der),
            certificate: certificate_der.to_vec(),
            roles: roles.to_vec(),
            ttl_seconds,
        }
    }
}

/// A TVS server: its own TLS certificate and the certificates of the
/// cluster's certificate-management page (CallManager, TVS, tomcat, CAPF,
/// Phone-SAST-trust uploads…), each known by the SHA-256 of its DER with
/// its roles and time to live, as the TVS daemon keeps them.
///
/// [`TvsServer::handle`] answers one encoded verify request: valid with the
/// roles and time to live of a certificate in the store, invalid (STATUS
/// alone) for any other. A request the codec refuses (an unknown element
/// tag, a malformed device name, another command…) gets no answer but the
/// codec's error, as the daemon closes such a connection.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
/// use cisco_itl::tvs::codec::{DeviceName, Status, VerifyRequest, VerifyResponse};
/// let tls = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/tvs-pub.pem"))?)?;
/// let cm = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem"))?)?;
/// let tvs = TvsServer::new("cucm-pub", tls).trust(cm.der(), &[Function::CcmTftp]);
/// let request = VerifyRequest::new(7, DeviceName::parse("CP-7965-SEP001122334455")?, cm.der());
/// let answer = tvs.handle(&request.encode()?)?;
/// assert_eq!(VerifyResponse::decode(&answer)?, VerifyResponse::valid(7, [Function::CcmTftp], 86_400)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TvsServer {
    name: String,
    certificate: CertInfo,
    /// Sorted by id, one entry per id.
    entries: Vec<TvsEntry>,
}

impl TvsServer {
    /// A server named `name` presenting `certificate`, its store empty.
    ///
    /// ```
    /// # use cisco_itl::{cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls);
    /// assert!(tvs.entries().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(name: &str, certificate: CertInfo) -> Self {
        TvsServer {
            name: name.into(),
            certificate,
            entries: Vec::new(),
        }
    }

    /// Adds a certificate to the store with the default time to live
    /// ([`DEFAULT_TTL_SECONDS`]), replacing any entry with the same
    /// SHA-256.
    ///
    /// ```
    /// # use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls.clone())
    ///     .trust(tls.der(), &[Function::Tvs])
    ///     .trust(tls.der(), &[Function::Ccm]);
    /// assert_eq!(tvs.entries().len(), 1);
    /// assert_eq!(tvs.lookup(tls.der()).map(|e| &e.roles[..]), Some(&[Function::Ccm][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trust(self, certificate_der: &[u8], roles: &[Function]) -> Self {
        self.trust_for(certificate_der, roles, DEFAULT_TTL_SECONDS)
    }

    /// Adds a certificate to the store with a time to live, replacing any
    /// entry with the same SHA-256. Roles whose code does not fit a byte
    /// make [`TvsServer::handle`] fail for this certificate
    /// ([`TvsError::RoleNotEncodable`]).
    ///
    /// ```
    /// # use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls.clone()).trust_for(tls.der(), &[Function::Tvs], 60);
    /// assert_eq!(tvs.lookup(tls.der()).map(|e| e.ttl_seconds), Some(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trust_for(
        mut self,
        certificate_der: &[u8],
        roles: &[Function],
        ttl_seconds: u32,
    ) -> Self {
        let entry = TvsEntry::new(certificate_der, roles, ttl_seconds);
        match self.entries.binary_search_by(|e| e.id.cmp(&entry.id)) {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    *slot = entry;
                }
            }
            Err(i) => self.entries.insert(i, entry),
        }
        self
    }

    /// The server's name.
    ///
    /// ```
    /// # use cisco_itl::{cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// assert_eq!(TvsServer::new("cucm-pub", tls).name(), "cucm-pub");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The certificate it presents.
    ///
    /// ```
    /// # use cisco_itl::{cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// assert_eq!(TvsServer::new("cucm-pub", tls.clone()).certificate(), &tls);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn certificate(&self) -> &CertInfo {
        &self.certificate
    }

    /// The store, ordered by SHA-256.
    ///
    /// ```
    /// # use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls.clone()).trust(tls.der(), &[Function::Tvs]);
    /// assert_eq!(tvs.entries()[0].certificate, tls.der());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn entries(&self) -> &[TvsEntry] {
        &self.entries
    }

    /// The entry whose certificate has this SHA-256.
    ///
    /// ```
    /// # use cisco_itl::{Function, cert::CertInfo, tvs::server::{TvsServer, certificate_sha256}};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls.clone()).trust(tls.der(), &[Function::Tvs]);
    /// assert!(tvs.lookup_id(&certificate_sha256(tls.der())).is_some());
    /// assert!(tvs.lookup_id(&[0; 32]).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup_id(&self, id: &[u8; 32]) -> Option<&TvsEntry> {
        let i = self.entries.binary_search_by(|e| e.id.cmp(id)).ok()?;
        self.entries.get(i)
    }

    /// The entry for a certificate, found by the SHA-256 of its DER.
    ///
    /// ```
    /// # use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls.clone()).trust(tls.der(), &[Function::Tvs]);
    /// assert!(tvs.lookup(tls.der()).is_some());
    /// assert!(tvs.lookup(b"not this one").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup(&self, certificate_der: &[u8]) -> Option<&TvsEntry> {
        self.lookup_id(&certificate_sha256(certificate_der))
    }

    /// The answer to a checked request: valid with the stored roles and
    /// time to live, or invalid; refused when a stored role's code does not
    /// fit the byte the answer gives it.
    ///
    /// ```
    /// # use cisco_itl::{cert::CertInfo, tvs::server::TvsServer};
    /// use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyResponse};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls);
    /// let device_name = DeviceName::parse("CP-7965-SEP001122334455")?;
    /// let wire = VerifyRequest::new(3, device_name, vec![0x30]).encode()?;
    /// assert_eq!(tvs.answer(&VerifyRequest::decode(&wire)?)?, VerifyResponse::invalid(3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn answer(&self, request: &VerifyRequest<'_>) -> Result<VerifyResponse<'static>, TvsError> {
        let session_id = request.session_id;
        match self.lookup(&request.certificate) {
            Some(e) => VerifyResponse::valid(session_id, e.roles.iter().copied(), e.ttl_seconds),
            None => Ok(VerifyResponse::invalid(session_id)),
        }
    }

    /// Answers one encoded verify request with an encoded response, or
    /// refuses it with the codec's error.
    ///
    /// ```
    /// # use cisco_itl::{cert::CertInfo, tvs::server::TvsServer};
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError};
    /// # let tls = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
    /// let tvs = TvsServer::new("cucm-pub", tls);
    /// // A request with an element of unknown tag 5 and no device name.
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 8, 2, 0, 1, 0x30, 5, 0, 1, 0];
    /// assert_eq!(tvs.handle(&wire), Err(TvsError::UnexpectedElement {
    ///     command: Command::VerifyRequest, tag: ElementTag::Unknown(5), offset: 14 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self, request: &[u8]) -> Result<Vec<u8>, TvsError> {
        let request = VerifyRequest::decode(request)?;
        self.answer(&request)?.encode()
    }
}

/// A set of in-memory TVS servers, indexed like a phone's TVS list. A
/// `None` slot (or an index past the end) is unreachable. Counts the
/// requests it answers, so tests can tell whether the phone asked, and
/// keeps why it refused the last request it refused (the exchange then
/// gives no answer, as a closed connection would).
///
/// ```
/// use cisco_itl::tvs::server::{InMemoryTvs, TrustVerifier};
/// let mut tvs = InMemoryTvs::unreachable();
/// assert_eq!(tvs.exchange(0, &[87, 1, 1, 0, 0, 0, 0, 1, 0, 0]), None);
/// assert_eq!((tvs.queries, tvs.refused), (0, 0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryTvs {
    /// The servers.
    pub servers: Vec<Option<TvsServer>>,
    /// Verify requests answered so far.
    pub queries: usize,
    /// Requests refused so far (malformed, unknown element, bad device
    /// name…).
    pub refused: usize,
    /// Why the last refused request was refused.
    pub last_refusal: Option<TvsError>,
}

impl InMemoryTvs {
    /// Servers all reachable.
    pub fn new(servers: Vec<TvsServer>) -> Self {
        InMemoryTvs {
            servers: servers.into_iter().map(Some).collect(),
            ..InMemoryTvs::default()
        }
    }

    /// No server reachable.
    pub fn unreachable() -> Self {
        InMemoryTvs::default()
    }

    fn server(&self, index: usize) -> Option<&TvsServer> {
        self.servers.get(index).and_then(Option::as_ref)
    }
}

impl TrustVerifier for InMemoryTvs {
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>> {
        self.server(server).map(|s| s.certificate.der().to_vec())
    }

    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>> {
        match self.server(server)?.handle(request) {
            Ok(answer) => {
                self.queries = self.queries.saturating_add(1);
                Some(answer)
            }
            Err(e) => {
                self.refused = self.refused.saturating_add(1);
                self.last_refusal = Some(e);
                None
            }
        }
    }
}
