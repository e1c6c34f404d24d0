//! An in-memory TVS: a certificate store with roles and time to live,
//! answering verify requests through the wire codec, and the
//! [`TrustVerifier`] trait through which the phone asks it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cert::CertInfo;
use crate::function::Function;
use crate::tvs::codec::{Status, TvsError, VerifyRequest, VerifyResponse};

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

/// One certificate TVS vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TvsEntry {
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// Its roles.
    pub roles: Vec<Function>,
    /// How long a phone may cache the answer.
    pub ttl_seconds: u32,
}

/// A TVS server: its own TLS certificate and the certificates of the
/// cluster's certificate-management page (CallManager, TVS, tomcat, CAPF,
/// Phone-SAST-trust uploads…).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{Function, cert::CertInfo, tvs::server::TvsServer};
/// use cisco_itl::tvs::codec::{Status, VerifyRequest, VerifyResponse};
/// let tls = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/tvs-pub.pem")).unwrap()).unwrap();
/// let cm = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap()).unwrap();
/// let tvs = TvsServer::new("cucm-pub", tls).trust(cm.der(), &[Function::CcmTftp]);
/// let request = VerifyRequest { session_id: 7, device_name: "SEP001122334455".into(), certificate: cm.der().to_vec() };
/// let answer = VerifyResponse::decode(&tvs.handle(&request.encode().unwrap()).unwrap()).unwrap();
/// assert_eq!((answer.session_id, answer.status, answer.ttl_seconds), (7, Status::Trusted, 86_400));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TvsServer {
    name: String,
    certificate: CertInfo,
    entries: Vec<TvsEntry>,
}

impl TvsServer {
    /// A server named `name` presenting `certificate`, its store empty.
    pub fn new(name: &str, certificate: CertInfo) -> Self {
        TvsServer {
            name: name.into(),
            certificate,
            entries: Vec::new(),
        }
    }

    /// Adds a certificate to the store with the default time to live.
    pub fn trust(self, certificate_der: &[u8], roles: &[Function]) -> Self {
        self.trust_for(certificate_der, roles, DEFAULT_TTL_SECONDS)
    }

    /// Adds a certificate to the store with a time to live.
    pub fn trust_for(
        mut self,
        certificate_der: &[u8],
        roles: &[Function],
        ttl_seconds: u32,
    ) -> Self {
        self.entries.push(TvsEntry {
            certificate: certificate_der.to_vec(),
            roles: roles.to_vec(),
            ttl_seconds,
        });
        self
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The certificate it presents.
    pub fn certificate(&self) -> &CertInfo {
        &self.certificate
    }

    /// The store.
    pub fn entries(&self) -> &[TvsEntry] {
        &self.entries
    }

    /// Answers one encoded verify request.
    pub fn handle(&self, request: &[u8]) -> Result<Vec<u8>, TvsError> {
        let req = VerifyRequest::decode(request)?;
        let response = match self
            .entries
            .iter()
            .find(|e| e.certificate == req.certificate)
        {
            Some(e) => VerifyResponse {
                session_id: req.session_id,
                status: Status::Trusted,
                roles: e.roles.iter().map(|f| f.code()).collect(),
                ttl_seconds: e.ttl_seconds,
            },
            None => VerifyResponse {
                session_id: req.session_id,
                status: Status::NotTrusted,
                roles: Vec::new(),
                ttl_seconds: 0,
            },
        };
        response.encode()
    }
}

/// A set of in-memory TVS servers, indexed like a phone's TVS list. A
/// `None` slot (or an index past the end) is unreachable. Counts the
/// requests it answers, so tests can tell whether the phone asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryTvs {
    /// The servers.
    pub servers: Vec<Option<TvsServer>>,
    /// Verify requests answered so far.
    pub queries: usize,
}

impl InMemoryTvs {
    /// Servers all reachable.
    pub fn new(servers: Vec<TvsServer>) -> Self {
        InMemoryTvs {
            servers: servers.into_iter().map(Some).collect(),
            queries: 0,
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
        let answer = self.server(server)?.handle(request).ok()?;
        self.queries += 1;
        Some(answer)
    }
}
