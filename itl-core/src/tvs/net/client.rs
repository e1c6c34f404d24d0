//! The TVS client: what a phone (or a tool) uses to ask a TVS server
//! about a certificate, with one deadline per server attempt.
//!
//! With the `legacy-tls` feature, `TvsClient::new_legacy` makes a client
//! that also speaks TLS 1.0 to 1.2 with RSA key exchange (OpenSSL), under
//! the same deadline and the same [`ServerTrust`] rules.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

use super::{NetError, Stage, announced_len, provider};
use crate::trust_list::TrustList;
use crate::tvs::auth::{TvsAuthError, authenticate_tvs_certificate};
use crate::tvs::codec::{HEADER_LEN, VerifyRequest, VerifyResponse};
use crate::tvs::server::TrustVerifier;

/// How the client decides that a server is a TVS it may ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTrust {
    /// As a phone does: a TVS record of one of these trust lists (ITL or
    /// CTL bytes, tried in order) names the certificate, and its SHA-1 is
    /// the record's CERTHASH.
    Lists(Vec<Vec<u8>>),
    /// Exactly this certificate (DER), e.g. the cluster's `TVS.pem`.
    Certificate(Vec<u8>),
    /// Any certificate, whose possession the handshake still proves; the
    /// caller authenticates it afterwards (what [`TrustVerifier`] users
    /// such as the phone do with [`TrustVerifier::server_certificate`]).
    /// [`TvsClient::verify`] has no such step: with this trust it asks
    /// whichever server answers, so use it only through
    /// [`TrustVerifier`]; `exchange` sends nothing on a connection that
    /// `server_certificate` did not open.
    Deferred,
}

/// The rustls verifier that applies a [`ServerTrust`].
#[derive(Debug)]
struct TvsCertVerifier {
    trust: ServerTrust,
    provider: Arc<CryptoProvider>,
}

impl TvsCertVerifier {
    fn authenticate(&self, der: &[u8]) -> Result<(), TvsAuthError> {
        match &self.trust {
            ServerTrust::Lists(lists) => {
                let parsed: Vec<TrustList<'_>> = lists
                    .iter()
                    .filter_map(|b| TrustList::parse(b).ok())
                    .collect();
                authenticate_tvs_certificate(&parsed, der).map(|_| ())
            }
            ServerTrust::Certificate(pinned) if pinned.as_slice() == der => Ok(()),
            ServerTrust::Certificate(_) => Err(TvsAuthError::NoTvsRecord),
            ServerTrust::Deferred => Ok(()),
        }
    }
}

impl ServerCertVerifier for TvsCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.authenticate(end_entity.as_ref())
            .map(|()| ServerCertVerified::assertion())
            .map_err(|e| rustls::Error::General(e.to_string()))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The deadline and connection timeout of a [`TvsClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// The longest a TCP connection attempt to one address may take
    /// (within the deadline).
    pub connect_timeout: Duration,
    /// The whole of one server attempt: name resolution, connection, TLS
    /// handshake, request and answer. A server that trickles its bytes
    /// cannot stretch it; when it passes the client moves on to the next
    /// server.
    pub deadline: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(3),
            deadline: Duration::from_secs(5),
        }
    }
}

/// A TCP stream whose every read and write waits at most until one
/// instant: the deadline of the exchange, not a fresh timeout per call.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    tcp: TcpStream,
    until: Instant,
}

impl DeadlineStream {
    fn remaining(&self) -> std::io::Result<Duration> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(std::io::ErrorKind::TimedOut.into())
        } else {
            Ok(left)
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.remaining()?))?;
        self.tcp.read(buf)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.remaining()?))?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// How a client runs its TLS handshakes.
#[derive(Debug)]
enum Connector {
    /// rustls: TLS 1.2 and 1.3, forward secrecy only.
    Rustls(Arc<ClientConfig>),
    /// OpenSSL at security level 0: TLS 1.0 to 1.3, RSA key exchange too.
    /// Its [`ServerTrust`] check runs right after the handshake.
    #[cfg(feature = "legacy-tls")]
    Legacy {
        context: openssl::ssl::SslContext,
        verifier: TvsCertVerifier,
    },
}

/// A TLS connection to a server, whichever TLS runs it.
#[derive(Debug)]
pub(crate) enum ClientStream {
    Rustls(alloc::boxed::Box<StreamOwned<ClientConnection, DeadlineStream>>),
    #[cfg(feature = "legacy-tls")]
    Legacy(openssl::ssl::SslStream<DeadlineStream>),
}

impl ClientStream {
    /// The certificate the server proved it holds (DER).
    pub(crate) fn peer_certificate(&self) -> Option<Vec<u8>> {
        match self {
            ClientStream::Rustls(s) => Some(s.conn.peer_certificates()?.first()?.as_ref().to_vec()),
            #[cfg(feature = "legacy-tls")]
            ClientStream::Legacy(s) => s.ssl().peer_certificate()?.to_der().ok(),
        }
    }

    /// Sends close_notify (before the deadline, or not at all).
    pub(crate) fn close(&mut self) {
        match self {
            ClientStream::Rustls(s) => {
                s.conn.send_close_notify();
                let _ = s.flush();
            }
            #[cfg(feature = "legacy-tls")]
            ClientStream::Legacy(s) => {
                let _ = s.shutdown();
            }
        }
    }
}

impl Read for ClientStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ClientStream::Rustls(s) => s.read(buf),
            #[cfg(feature = "legacy-tls")]
            ClientStream::Legacy(s) => s.read(buf),
        }
    }
}

impl Write for ClientStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            ClientStream::Rustls(s) => s.write(buf),
            #[cfg(feature = "legacy-tls")]
            ClientStream::Legacy(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            ClientStream::Rustls(s) => s.flush(),
            #[cfg(feature = "legacy-tls")]
            ClientStream::Legacy(s) => s.flush(),
        }
    }
}

/// Resolves `address` (`host:port`) before `until`. An address written
/// as numbers needs no lookup; a name is looked up on a helper thread so
/// that a resolver that never answers cannot hold the caller past the
/// deadline (the thread ends when the resolver does).
fn resolve(address: &str, until: Instant, deadline: Duration) -> Result<Vec<SocketAddr>, NetError> {
    if let Ok(a) = address.parse::<SocketAddr>() {
        return Ok(alloc::vec![a]);
    }
    // The answer slot and its signal (a condition variable rather than a
    // channel: waiting on it needs no handle of the calling thread, which
    // C callers' threads would keep allocated until they exit).
    type Slot = (Mutex<Option<std::io::Result<Vec<SocketAddr>>>>, Condvar);
    let slot: Arc<Slot> = Arc::new((Mutex::new(None), Condvar::new()));
    let (theirs, owned) = (Arc::clone(&slot), address.to_string());
    std::thread::Builder::new()
        .name("tvs-resolve".into())
        .spawn(move || {
            let found = owned.to_socket_addrs().map(Iterator::collect::<Vec<_>>);
            let (answer, ready) = &*theirs;
            *answer.lock().unwrap_or_else(PoisonError::into_inner) = Some(found);
            ready.notify_all();
        })?;
    let (answer, ready) = &*slot;
    let mut guard = answer.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(found) = guard.take() {
            return found.map_err(NetError::Io);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NetError::Deadline {
                deadline,
                stage: Stage::Resolving,
            });
        }
        guard = ready
            .wait_timeout(guard, left)
            .map(|(g, _)| g)
            .unwrap_or_else(|e| e.into_inner().0);
    }
}

/// Reads one TVS frame (header, then the payload it announces).
fn read_frame(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut frame = alloc::vec![0u8; HEADER_LEN];
    stream.read_exact(&mut frame)?;
    frame.resize(HEADER_LEN + announced_len(&frame), 0);
    stream.read_exact(frame.get_mut(HEADER_LEN..).unwrap_or(&mut []))?;
    Ok(frame)
}

/// A TVS client over TLS, with fail-over across its servers (a phone's
/// CallManager group lists up to three).
///
/// ```no_run
/// use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
/// use cisco_itl::tvs::net::{ServerTrust, TvsClient};
/// let itl = std::fs::read("ITLFile.tlv")?;
/// let mut client = TvsClient::new(&["cucm-pub:2445", "cucm-sub1:2445"], ServerTrust::Lists(vec![itl]))?;
/// let name = "CP-7965-SEP0011215A1AE3".parse()?;
/// let request = VerifyRequest::new(1, name, std::fs::read("CallManager.der")?);
/// let (server, answer) = client.verify(&request)?;
/// println!("server {} says the certificate is {}", server + 1, answer.status());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TvsClient {
    servers: Vec<String>,
    connector: Connector,
    options: ClientOptions,
    open: Vec<Option<ClientStream>>,
    /// The trust is [`ServerTrust::Deferred`]: a connection is
    /// authenticated only by the caller of `server_certificate`.
    deferred: bool,
}

impl TvsClient {
    /// A client for `servers` (`host:port`, tried in order) that accepts a
    /// server as `trust` says.
    pub fn new(servers: &[&str], trust: ServerTrust) -> Result<Self, NetError> {
        if servers.is_empty() {
            return Err(NetError::NoServer);
        }
        let provider = provider();
        let deferred = trust == ServerTrust::Deferred;
        let verifier = Arc::new(TvsCertVerifier {
            trust,
            provider: Arc::clone(&provider),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(TvsClient {
            servers: servers.iter().map(|s| (*s).to_string()).collect(),
            connector: Connector::Rustls(Arc::new(config)),
            options: ClientOptions::default(),
            open: servers.iter().map(|_| None).collect(),
            deferred,
        })
    }

    /// A client like [`new`](Self::new) that speaks **legacy TLS** as well
    /// (the `legacy-tls` feature): TLS 1.0 to 1.2 with RSA key exchange
    /// beside TLS 1.2 with ECDHE and TLS 1.3 (which it prefers), through
    /// the system OpenSSL at security level 0, so that it can ask a TVS
    /// that only speaks what 7900-series phones speak, with a 1024-bit
    /// identity.
    ///
    /// The server is authenticated by the same [`ServerTrust`] rules, with
    /// the same function: OpenSSL's handshake proves that the server holds
    /// the key of its certificate, then the client checks that certificate
    /// before it sends anything, and refuses the server with the same
    /// [`NetError::Tls`] as the rustls client. The deadline rules are the
    /// same.
    #[cfg(feature = "legacy-tls")]
    pub fn new_legacy(servers: &[&str], trust: ServerTrust) -> Result<Self, NetError> {
        let verifier = TvsCertVerifier {
            trust: trust.clone(),
            provider: provider(),
        };
        let mut client = Self::new(servers, trust)?;
        client.connector = Connector::Legacy {
            context: super::legacy::client_context()?,
            verifier,
        };
        Ok(client)
    }

    /// Whether the client speaks legacy TLS (it was made by `new_legacy`,
    /// with the `legacy-tls` feature).
    pub fn is_legacy(&self) -> bool {
        !matches!(self.connector, Connector::Rustls(_))
    }

    /// Sets the deadline and the connection timeout.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// The deadline and the connection timeout.
    pub fn options(&self) -> ClientOptions {
        self.options
    }

    /// Connects to server `index` and completes the TLS handshake (which
    /// applies the [`ServerTrust`]), all before this attempt's deadline.
    pub(crate) fn connect(&self, index: usize) -> Result<ClientStream, NetError> {
        let deadline = self.options.deadline;
        let until = Instant::now() + deadline;
        let address = self.servers.get(index).ok_or(NetError::NoServer)?;
        let host = address
            .rsplit_once(':')
            .map_or(address.as_str(), |(h, _)| h)
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .or_else(|_| ServerName::try_from("tvs.invalid".to_string()))
            .map_err(|e| NetError::Identity(e.to_string()))?;
        let mut last = None;
        let mut tcp = None;
        for addr in resolve(address, until, deadline)? {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(NetError::Deadline {
                    deadline,
                    stage: Stage::Connecting,
                });
            }
            match TcpStream::connect_timeout(&addr, left.min(self.options.connect_timeout)) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = match (tcp, last) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(NetError::from_io(e, deadline, Stage::Connecting)),
            (None, None) => return Err(NetError::NoServer),
        };
        tcp.set_nodelay(true)
            .map_err(|e| NetError::from_io(e, deadline, Stage::Connecting))?;
        let mut stream = DeadlineStream { tcp, until };
        match &self.connector {
            Connector::Rustls(config) => {
                let mut conn = ClientConnection::new(Arc::clone(config), name)?;
                while conn.is_handshaking() {
                    conn.complete_io(&mut stream)
                        .map_err(|e| NetError::from_io(e, deadline, Stage::Handshake))?;
                }
                Ok(ClientStream::Rustls(alloc::boxed::Box::new(
                    StreamOwned::new(conn, stream),
                )))
            }
            #[cfg(feature = "legacy-tls")]
            Connector::Legacy { context, verifier } => {
                let _ = name;
                let tls = ClientStream::Legacy(super::legacy::connect(context, stream, deadline)?);
                // The handshake proved the server holds this certificate's
                // key; now the trust rules, before a byte of the request.
                let der = tls
                    .peer_certificate()
                    .ok_or_else(|| NetError::Tls(rustls::Error::NoCertificatesPresented))?;
                verifier
                    .authenticate(&der)
                    .map_err(|e| NetError::Tls(rustls::Error::General(e.to_string())))?;
                Ok(tls)
            }
        }
    }

    /// Sends `request` on `stream` and reads the answer, before the
    /// stream's deadline.
    fn exchange_on(&self, stream: &mut ClientStream, request: &[u8]) -> Result<Vec<u8>, NetError> {
        let deadline = self.options.deadline;
        stream
            .write_all(request)
            .and_then(|()| stream.flush())
            .map_err(|e| NetError::from_io(e, deadline, Stage::Sending))?;
        let answer =
            read_frame(stream).map_err(|e| NetError::from_io(e, deadline, Stage::Reading))?;
        stream.close();
        Ok(answer)
    }

    /// Asks the servers in order; the first that connects, authenticates
    /// and answers well before its deadline wins. Returns its index and
    /// the answer.
    pub fn verify(
        &mut self,
        request: &VerifyRequest<'_>,
    ) -> Result<(usize, VerifyResponse<'static>), NetError> {
        let wire = request.encode()?;
        let mut last = NetError::NoServer;
        for index in 0..self.servers.len() {
            let outcome = self.connect(index).and_then(|mut s| {
                let wire = self.exchange_on(&mut s, &wire)?;
                let answer = VerifyResponse::decode(&wire)?.into_owned();
                if answer.session_id != request.session_id {
                    return Err(NetError::WrongSession {
                        expected: request.session_id,
                        found: answer.session_id,
                    });
                }
                Ok(answer)
            });
            match outcome {
                Ok(answer) => return Ok((index, answer)),
                Err(e) => {
                    last = NetError::AllFailed {
                        server: index + 1,
                        error: alloc::boxed::Box::new(e),
                    }
                }
            }
        }
        Err(last)
    }
}

impl TrustVerifier for TvsClient {
    /// Connects (keeping the connection, and its deadline, for
    /// [`TrustVerifier::exchange`]) and returns the certificate the server
    /// proved it holds.
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>> {
        let stream = self.connect(server).ok()?;
        let der = stream.peer_certificate()?;
        *self.open.get_mut(server)? = Some(stream);
        Some(der)
    }

    /// Sends on the connection [`TrustVerifier::server_certificate`]
    /// opened (and its caller authenticated). Without one, a new
    /// connection is made only when the client's own [`ServerTrust`]
    /// authenticates it: with [`ServerTrust::Deferred`] nobody would have
    /// checked that server, so nothing is sent.
    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>> {
        let mut stream = match self.open.get_mut(server)?.take() {
            Some(s) => s,
            None if self.deferred => return None,
            None => self.connect(server).ok()?,
        };
        self.exchange_on(&mut stream, request).ok()
    }
}
