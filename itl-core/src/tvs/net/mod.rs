//! TVS over the network: TLS on TCP 2445, one verify request and one
//! answer per connection, for both ends.
//!
//! * [`TvsClient`] is what a phone (or a tool) uses: it connects to up to
//!   three servers in order, authenticates each server's certificate the
//!   way a phone does (against the TVS records of its ITL or CTL, by issuer
//!   and serial then SHA-1 against CERTHASH, through a custom rustls
//!   verifier: no web PKI), sends one request and reads one answer, with
//!   connect and I/O timeouts. It implements [`TrustVerifier`], so a
//!   [`Phone`](crate::phone::Phone) works against live servers.
//! * [`TvsNetServer`] answers verify requests from a
//!   [`CertificateStore`], one thread per connection up to a limit, with a
//!   read timeout, a log line per request and a clean shutdown.
//!
//! Threads rather than an async runtime: each connection is one small
//! request and one small answer, the work per connection is microseconds
//! of lookup, and a bounded pool of blocking threads keeps the code and
//! its failure modes plain. The connection limit bounds the threads.
//!
//! TLS runs on rustls with the AWS-LC provider, the same library that
//! checks the trust lists' signatures. AWS-LC signs only with RSA keys of
//! 2048 bits or more, so a server identity must be at least that large
//! (the client verifies whatever the provider's algorithms accept).
//!
//! Firmware that runs its own sockets and TLS uses the codec directly
//! ([`crate::tvs::codec`]): bytes in, bytes out.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, ServerConfig, ServerConnection,
    SignatureScheme, StreamOwned,
};

use crate::cert::{CertInfo, NameStyle};
use crate::phone::{TvsAuthError, authenticate_tvs_certificate};
use crate::show::{Case, hex_string};
use crate::trust_list::TrustList;
use crate::tvs::codec::{
    HEADER_LEN, TvsError, Verdict, VerifyRequest, VerifyRequestView, VerifyResponse,
};
use crate::tvs::server::TrustVerifier;
use crate::tvs::store::{CertificateStore, StoreError, certificate_id};

/// Why a network exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The TLS identity (key and certificate PEM) is unusable.
    #[error("the TLS identity is unusable: {0}")]
    Identity(String),
    /// A socket failed, or timed out.
    #[error("network error: {0}")]
    Io(#[from] std::io::Error),
    /// TLS failed (handshake, certificate refused, alert).
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// The peer sent bytes that are not a TVS message.
    #[error("TVS protocol error: {0}")]
    Protocol(#[from] TvsError),
    /// The answer is for another session.
    #[error("the answer is for session {found}, not {expected}")]
    WrongSession {
        /// The request's session id.
        expected: u32,
        /// The answer's.
        found: u32,
    },
    /// The certificate store failed.
    #[error("certificate store error: {0}")]
    Store(#[from] StoreError),
    /// No server address was given, or none resolved.
    #[error("no TVS server to ask")]
    NoServer,
    /// Every server failed; the last failure is kept.
    #[error("no TVS server answered; the last ({server}) said: {error}")]
    AllFailed {
        /// 1-based position of the last server tried.
        server: usize,
        /// Its failure.
        error: alloc::boxed::Box<NetError>,
    },
}

/// The crypto provider of both ends: AWS-LC.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads one TVS frame (header, then the payload it announces).
fn read_frame(stream: &mut impl Read) -> Result<Vec<u8>, NetError> {
    let mut frame = alloc::vec![0u8; HEADER_LEN];
    stream.read_exact(&mut frame)?;
    let len = match frame.get(8..10) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    frame.resize(HEADER_LEN + len, 0);
    stream.read_exact(frame.get_mut(HEADER_LEN..).unwrap_or(&mut []))?;
    Ok(frame)
}

// ----------------------------------------------------------------------
// Client

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

/// Timeouts of a [`TvsClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// How long to wait for a TCP connection.
    pub connect_timeout: Duration,
    /// How long any read or write may wait.
    pub io_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(3),
            io_timeout: Duration::from_secs(5),
        }
    }
}

type ClientStream = StreamOwned<ClientConnection, TcpStream>;

/// A TVS client over TLS, with fail-over across its servers (a phone's
/// CallManager group lists up to three).
///
/// ```no_run
/// use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
/// use cisco_itl::tvs::net::{ServerTrust, TvsClient};
/// let itl = std::fs::read("ITLFile.tlv")?;
/// let mut client = TvsClient::new(&["cucm-pub:2445", "cucm-sub1:2445"], ServerTrust::Lists(vec![itl]))?;
/// let request = VerifyRequest {
///     session_id: 1,
///     device_name: "CP-7965-SEP0011215A1AE3".parse()?,
///     certificate: std::fs::read("CallManager.der")?,
/// };
/// let (server, answer) = client.verify(&request)?;
/// println!("server {} says {:?}", server + 1, answer.verdict);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TvsClient {
    servers: Vec<String>,
    config: Arc<ClientConfig>,
    options: ClientOptions,
    open: Vec<Option<ClientStream>>,
}

impl TvsClient {
    /// A client for `servers` (`host:port`, tried in order) that accepts a
    /// server as `trust` says.
    pub fn new(servers: &[&str], trust: ServerTrust) -> Result<Self, NetError> {
        if servers.is_empty() {
            return Err(NetError::NoServer);
        }
        let provider = provider();
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
            config: Arc::new(config),
            options: ClientOptions::default(),
            open: servers.iter().map(|_| None).collect(),
        })
    }

    /// Sets the timeouts.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Connects to server `index` and completes the TLS handshake (which
    /// applies the [`ServerTrust`]).
    fn connect(&self, index: usize) -> Result<ClientStream, NetError> {
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
        for addr in address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, self.options.connect_timeout) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let mut tcp = match (tcp, last) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(e.into()),
            (None, None) => return Err(NetError::NoServer),
        };
        tcp.set_read_timeout(Some(self.options.io_timeout))?;
        tcp.set_write_timeout(Some(self.options.io_timeout))?;
        let mut conn = ClientConnection::new(Arc::clone(&self.config), name)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        Ok(StreamOwned::new(conn, tcp))
    }

    /// Sends `request` on `stream` and reads the answer.
    fn exchange_on(stream: &mut ClientStream, request: &[u8]) -> Result<Vec<u8>, NetError> {
        stream.write_all(request)?;
        stream.flush()?;
        let answer = read_frame(stream)?;
        stream.conn.send_close_notify();
        let _ = stream.flush();
        Ok(answer)
    }

    /// Asks the servers in order; the first that connects, authenticates
    /// and answers well wins. Returns its index and the answer.
    pub fn verify(&mut self, request: &VerifyRequest) -> Result<(usize, VerifyResponse), NetError> {
        let wire = request.encode()?;
        let mut last = NetError::NoServer;
        for index in 0..self.servers.len() {
            let outcome = self.connect(index).and_then(|mut s| {
                let answer = VerifyResponse::decode(&Self::exchange_on(&mut s, &wire)?)?;
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
    /// Connects (keeping the connection for [`TrustVerifier::exchange`])
    /// and returns the certificate the server proved it holds.
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>> {
        let stream = self.connect(server).ok()?;
        let der = stream.conn.peer_certificates()?.first()?.as_ref().to_vec();
        *self.open.get_mut(server)? = Some(stream);
        Some(der)
    }

    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>> {
        let mut stream = match self.open.get_mut(server)?.take() {
            Some(s) => s,
            None => self.connect(server).ok()?,
        };
        Self::exchange_on(&mut stream, request).ok()
    }
}

// ----------------------------------------------------------------------
// Server

/// Reads a TLS identity: the private key and certificate chain of a PEM
/// file such as `TVS.pem`.
pub fn server_config(identity_pem: &[u8]) -> Result<Arc<ServerConfig>, NetError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(identity_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| NetError::Identity(alloc::format!("certificates: {e}")))?;
    if chain.is_empty() {
        return Err(NetError::Identity("no CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(identity_pem)
        .map_err(|e| NetError::Identity(alloc::format!("private key: {e}")))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| NetError::Identity(e.to_string()))?;
    Ok(Arc::new(config))
}

/// Limits and logging of a [`TvsNetServer`].
#[derive(Clone)]
pub struct ServerOptions {
    /// Connections served at once; more are closed at once.
    pub max_connections: usize,
    /// How long a connection may stay silent (or slow) before it is
    /// dropped; bounds how long a client holds a slot.
    pub read_timeout: Duration,
    /// Where the log line of each request goes (default: standard error).
    pub log: Arc<dyn Fn(&RequestLog) + Send + Sync>,
}

impl core::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("max_connections", &self.max_connections)
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_connections: 256,
            read_timeout: Duration::from_secs(5),
            log: Arc::new(|line: &RequestLog| std::eprintln!("{line}")),
        }
    }
}

/// What the server logs about one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// The device name of the request, when it decoded.
    pub device: Option<String>,
    /// The subject of the certificate asked about (CUCM's spelling).
    pub subject: Option<String>,
    /// Its serial, colon hex.
    pub serial: Option<String>,
    /// "valid", "invalid", or why the request was refused.
    pub status: String,
}

impl core::fmt::Display for RequestLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let peer = self.peer.map_or_else(|| "?".into(), |p| p.to_string());
        write!(
            f,
            "tvs: {peer} device {} asked about {} (serial {}): {}",
            self.device.as_deref().unwrap_or("-"),
            self.subject.as_deref().unwrap_or("-"),
            self.serial.as_deref().unwrap_or("-"),
            self.status
        )
    }
}

/// Counts of what a server did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeStats {
    /// Connections accepted and served (answered or refused).
    pub served: usize,
    /// Connections closed at once because the limit was reached.
    pub turned_away: usize,
}

/// Stops a running [`TvsNetServer`] from another thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    flag: Arc<AtomicBool>,
    addr: SocketAddr,
}

impl ShutdownHandle {
    /// Asks the server to stop: it accepts nothing more, finishes the
    /// connections it is serving (each bounded by the read timeout) and
    /// returns from [`TvsNetServer::serve`].
    pub fn shutdown(&self) {
        self.flag.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// A TVS server over TLS.
pub struct TvsNetServer {
    listener: TcpListener,
    config: Arc<ServerConfig>,
    store: Arc<dyn CertificateStore>,
    options: ServerOptions,
    shutdown: Arc<AtomicBool>,
}

impl core::fmt::Debug for TvsNetServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TvsNetServer")
            .field("listener", &self.listener)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl TvsNetServer {
    /// Binds `address` with the TLS identity `identity_pem` (key and
    /// certificate, e.g. `TVS.pem`), answering from `store`.
    pub fn bind(
        address: impl ToSocketAddrs,
        identity_pem: &[u8],
        store: Arc<dyn CertificateStore>,
        options: ServerOptions,
    ) -> Result<Self, NetError> {
        Ok(TvsNetServer {
            listener: TcpListener::bind(address)?,
            config: server_config(identity_pem)?,
            store,
            options,
            shutdown: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, NetError> {
        Ok(self.listener.local_addr()?)
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> Result<ShutdownHandle, NetError> {
        Ok(ShutdownHandle {
            flag: Arc::clone(&self.shutdown),
            addr: self.local_addr()?,
        })
    }

    /// Serves until [`ShutdownHandle::shutdown`]; then waits for the
    /// connections being served and returns what it did.
    pub fn serve(self) -> Result<ServeStats, NetError> {
        let active = Arc::new(AtomicUsize::new(0));
        let mut stats = ServeStats::default();
        let mut workers: Vec<std::thread::JoinHandle<()>> = Vec::new();
        for stream in self.listener.incoming() {
            if self.shutdown.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            workers.retain(|w| !w.is_finished());
            if active.load(Ordering::SeqCst) >= self.options.max_connections {
                stats.turned_away += 1;
                drop(stream);
                continue;
            }
            active.fetch_add(1, Ordering::SeqCst);
            stats.served += 1;
            let (config, store, options, active) = (
                Arc::clone(&self.config),
                Arc::clone(&self.store),
                self.options.clone(),
                Arc::clone(&active),
            );
            workers.push(std::thread::spawn(move || {
                let line = serve_one(stream, config, store.as_ref(), options.read_timeout);
                (options.log)(&line);
                active.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for w in workers {
            let _ = w.join();
        }
        Ok(stats)
    }
}

/// Serves one connection: handshake, one request, one answer.
fn serve_one(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    store: &dyn CertificateStore,
    read_timeout: Duration,
) -> RequestLog {
    let mut log = RequestLog {
        peer: stream.peer_addr().ok(),
        device: None,
        subject: None,
        serial: None,
        status: String::new(),
    };
    match answer_one(stream, config, store, read_timeout, &mut log) {
        Ok(status) => log.status = status,
        Err(e) => log.status = alloc::format!("refused: {e}"),
    }
    log
}

fn answer_one(
    mut tcp: TcpStream,
    config: Arc<ServerConfig>,
    store: &dyn CertificateStore,
    read_timeout: Duration,
    log: &mut RequestLog,
) -> Result<String, NetError> {
    tcp.set_read_timeout(Some(read_timeout))?;
    tcp.set_write_timeout(Some(read_timeout))?;
    let mut conn = ServerConnection::new(config)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)?;
    }
    let mut stream = StreamOwned::new(conn, tcp);
    let frame = read_frame(&mut stream)?;
    let request = VerifyRequestView::decode(&frame)?;
    log.device = Some(request.device_name().as_str().to_string());
    if let Ok(cert) = CertInfo::from_der(request.certificate()) {
        log.subject = cert.subject(NameStyle::Cucm).ok();
        log.serial = Some(hex_string(cert.serial(), Case::Upper, ":"));
    }
    let answer = match store.lookup(&certificate_id(request.certificate()))? {
        Some(e) => VerifyResponse::valid(request.session_id(), e.roles, e.ttl_seconds),
        None => VerifyResponse::invalid(request.session_id()),
    };
    stream.write_all(&answer.encode()?)?;
    stream.flush()?;
    stream.conn.send_close_notify();
    let _ = stream.flush();
    Ok(match answer.verdict {
        Verdict::Valid { .. } => "valid".into(),
        Verdict::Invalid => "invalid".into(),
    })
}
