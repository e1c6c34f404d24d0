//! The TVS server: answers verify requests over TLS from a
//! [`CertificateStore`], and holds while hostile clients hold hundreds of
//! idle, half-open or trickling connections.
//!
//! Every connection is a task on a small tokio runtime (one worker per
//! core unless told otherwise), so a connection that says nothing costs a
//! parked task and its TLS buffers, never a thread. Each connection has
//! one deadline for the whole of it (TLS handshake, request, answer),
//! which no trickle of bytes stretches; each client address has its own
//! connection limit beside the server's; a connection's slot is held by a
//! guard that gives it back on every path, panics included; the store and
//! the log run behind `catch_unwind`, and the default log cannot panic
//! (it ignores a closed standard error) and escapes control characters.
//! Shutdown stops accepting, waits a short grace for the connections in
//! progress and then drops them: it returns within that grace whoever is
//! connected.
//!
//! With the `legacy-tls` feature, `TvsNetServer::bind_legacy` makes the
//! same server speak TLS 1.0 to 1.2 with RSA key exchange and 1024-bit
//! identities (OpenSSL, through tokio-openssl): a legacy connection is a
//! task like the others, under the same deadline, limits and slots, and
//! everything after its handshake is the same code.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

use super::service::{self, Acceptor, Counters, Service, Settings, listen};
use super::{NetError, Stage, announced_len, provider};
use crate::cert::{CertInfo, NameStyle};
use crate::hex::{Case, hex_string};
use crate::tvs::codec::{HEADER_LEN, Verdict, VerifyRequest, VerifyResponse};
use crate::tvs::store::{CertificateStore, certificate_id};

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

/// A log sink: called once per connection with what happened.
pub type LogSink = Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// Limits and logging of a [`TvsNetServer`].
#[derive(Clone)]
pub struct ServerOptions {
    /// Connections held at once; more are closed at once (and counted in
    /// [`ServeStats::turned_away`]).
    pub max_connections: usize,
    /// Connections held at once from one client address (an IPv4 address,
    /// or an IPv6 /64, which one host holds whole); more from that address
    /// are closed at once. Phones each have their own address; a NAT in
    /// front of many phones needs a higher value.
    pub max_per_address: usize,
    /// The whole of a connection: TLS handshake, request and answer. A
    /// client that has not been answered by then is dropped, however it
    /// trickles its bytes.
    pub deadline: Duration,
    /// How long shutdown waits for the connections in progress before it
    /// drops them (never longer than `deadline`).
    pub shutdown_grace: Duration,
    /// Worker threads of the runtime (0: one per core). Connections do not
    /// add threads.
    pub workers: usize,
    /// Where the log line of each connection goes (default:
    /// [`stderr_log`], which never waits). The sink runs on the runtime's
    /// worker threads, as does the store's lookup: a sink that blocks holds
    /// a worker (and so every connection on it) for as long; hand slow
    /// work to a thread of your own.
    pub log: LogSink,
}

impl core::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("max_connections", &self.max_connections)
            .field("max_per_address", &self.max_per_address)
            .field("deadline", &self.deadline)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// Log lines waiting for standard error; more are dropped.
const LOG_QUEUE: usize = 1024;

/// The default log: one line on standard error, written by a thread of
/// its own (made at the first line) from a queue of 1,024 lines.
/// The server never waits for standard error: a full queue (a reader that
/// does not keep up) drops the line, and a closed standard error loses it;
/// nothing else. Should the system refuse the thread, lines are written
/// directly.
pub fn stderr_log() -> LogSink {
    let lines = stderr_lines("tvs-log");
    Arc::new(move |line: &RequestLog| lines(line.to_string()))
}

/// One line at a time on standard error through a queue and a thread of
/// its own named `thread` (see [`stderr_log`]); shared by the TVS and CAPF
/// servers' default logs.
pub(crate) fn stderr_lines(thread: &'static str) -> impl Fn(String) + Send + Sync + 'static {
    use std::io::Write;
    use std::sync::OnceLock;
    use std::sync::mpsc::{SyncSender, sync_channel};
    let queue: OnceLock<Option<SyncSender<String>>> = OnceLock::new();
    move |text: String| {
        let sender = queue.get_or_init(|| {
            let (tx, rx) = sync_channel::<String>(LOG_QUEUE);
            std::thread::Builder::new()
                .name(thread.into())
                .spawn(move || {
                    for text in rx {
                        let _ = writeln!(std::io::stderr().lock(), "{text}");
                    }
                })
                .ok()
                .map(|_| tx)
        });
        match sender {
            Some(tx) => {
                let _ = tx.try_send(text);
            }
            None => {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
        }
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_connections: 4096,
            max_per_address: 64,
            deadline: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(1),
            workers: 0,
            log: stderr_log(),
        }
    }
}

/// What the server logs about one connection.
///
/// The fields hold what the client sent, as it sent it; the `Display`
/// form (the log line) escapes control characters, so a certificate
/// subject holding a newline cannot forge a second line.
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

/// Writes `text` with control characters (and the Unicode line and
/// direction controls) escaped as `\u{…}`.
pub(crate) fn write_escaped(f: &mut core::fmt::Formatter<'_>, text: &str) -> core::fmt::Result {
    use core::fmt::Write;
    for c in text.chars() {
        let hostile = c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if hostile {
            write!(f, "\\u{{{:x}}}", u32::from(c))?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

impl core::fmt::Display for RequestLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.peer {
            Some(p) => write!(f, "tvs: {p} device ")?,
            None => f.write_str("tvs: ? device ")?,
        }
        write_escaped(f, self.device.as_deref().unwrap_or("-"))?;
        f.write_str(" asked about ")?;
        write_escaped(f, self.subject.as_deref().unwrap_or("-"))?;
        f.write_str(" (serial ")?;
        write_escaped(f, self.serial.as_deref().unwrap_or("-"))?;
        f.write_str("): ")?;
        write_escaped(f, &self.status)
    }
}

/// Counts of what a server did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeStats {
    /// Connections accepted and served (answered or refused).
    pub served: usize,
    /// Connections closed at once because a limit (the server's or the
    /// address's) was reached.
    pub turned_away: usize,
    /// Connections dropped because their deadline passed.
    pub deadline_passed: usize,
    /// Connections whose store or log panicked (each refused or unlogged;
    /// the server went on).
    pub panics: usize,
}

/// Stops a running [`TvsNetServer`] from another thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    signal: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Asks the server to stop: it accepts nothing more, gives the
    /// connections in progress [`ServerOptions::shutdown_grace`] to end,
    /// drops the rest and returns from [`TvsNetServer::serve`].
    pub fn shutdown(&self) {
        self.signal.send_replace(true);
    }
}

/// A TVS server over TLS.
pub struct TvsNetServer {
    listener: TcpListener,
    acceptor: Acceptor,
    store: Arc<dyn CertificateStore>,
    options: ServerOptions,
    shutdown: Arc<watch::Sender<bool>>,
}

impl core::fmt::Debug for TvsNetServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TvsNetServer")
            .field("listener", &self.listener)
            .field("legacy_tls", &self.acceptor.is_legacy())
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
        Self::bind_with(address, Acceptor::rustls(identity_pem)?, store, options)
    }

    /// Binds `address` like [`bind`](Self::bind), but speaking **legacy
    /// TLS** as well (the `legacy-tls` feature): TLS 1.0 to 1.2 with RSA
    /// key exchange (`AES256-SHA`, `AES128-SHA`) beside TLS 1.2 with ECDHE
    /// and TLS 1.3, through the system OpenSSL at security level 0. The
    /// identity may be an RSA key of 1024 bits or more
    /// ([`MIN_LEGACY_KEY_BITS`](super::MIN_LEGACY_KEY_BITS)), as the
    /// `TVS.pem` of older clusters is; 7900-series phones need all this.
    ///
    /// A client that chooses RSA key exchange gets no forward secrecy:
    /// whoever later obtains the server's key decrypts every recorded
    /// session. [`serve`](Self::serve) writes
    /// [`LEGACY_TLS_WARNING`](super::LEGACY_TLS_WARNING) on standard error
    /// once when it starts. The deadline, limits, slots, log and shutdown
    /// of [`ServerOptions`] hold for legacy connections as for the others.
    #[cfg(feature = "legacy-tls")]
    pub fn bind_legacy(
        address: impl ToSocketAddrs,
        identity_pem: &[u8],
        store: Arc<dyn CertificateStore>,
        options: ServerOptions,
    ) -> Result<Self, NetError> {
        Self::bind_with(address, Acceptor::legacy(identity_pem)?, store, options)
    }

    fn bind_with(
        address: impl ToSocketAddrs,
        acceptor: Acceptor,
        store: Arc<dyn CertificateStore>,
        options: ServerOptions,
    ) -> Result<Self, NetError> {
        let listener = listen(address)?;
        Ok(TvsNetServer {
            listener,
            acceptor,
            store,
            options,
            shutdown: Arc::new(watch::channel(false).0),
        })
    }

    /// Whether the server speaks legacy TLS (it was made by `bind_legacy`,
    /// with the `legacy-tls` feature).
    pub fn is_legacy(&self) -> bool {
        self.acceptor.is_legacy()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, NetError> {
        Ok(self.listener.local_addr()?)
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> Result<ShutdownHandle, NetError> {
        Ok(ShutdownHandle {
            signal: Arc::clone(&self.shutdown),
        })
    }

    /// Serves until [`ShutdownHandle::shutdown`]; then gives the
    /// connections in progress [`ServerOptions::shutdown_grace`], drops
    /// the rest and returns what it did.
    ///
    /// The runtime's threads are made here, once: when the system cannot
    /// make them this returns an error; afterwards no connection needs a
    /// thread.
    pub fn serve(self) -> Result<ServeStats, NetError> {
        let TvsNetServer {
            listener,
            acceptor,
            store,
            options,
            shutdown,
        } = self;
        let settings = Settings {
            max_connections: options.max_connections,
            max_per_address: options.max_per_address,
            deadline: options.deadline,
            shutdown_grace: options.shutdown_grace,
            workers: options.workers,
            thread_name: "tvs-server",
            legacy_warning: LEGACY_WARNING,
        };
        let served = service::serve(
            listener,
            acceptor,
            &shutdown,
            settings,
            Arc::new(Tvs { store, options }),
        )?;
        Ok(ServeStats {
            served: served.served,
            turned_away: served.turned_away,
            deadline_passed: served.deadline_passed,
            panics: served.panics,
        })
    }
}

/// What the server says on standard error when it starts with legacy TLS.
#[cfg(feature = "legacy-tls")]
const LEGACY_WARNING: &str = super::LEGACY_TLS_WARNING;
#[cfg(not(feature = "legacy-tls"))]
const LEGACY_WARNING: &str = "";

/// The TVS service: one verify request, one answer.
struct Tvs {
    store: Arc<dyn CertificateStore>,
    options: ServerOptions,
}

impl Service for Tvs {
    type Log = RequestLog;
    type Error = NetError;
    const FAILED: &'static str = "refused";

    fn new_log(&self, peer: SocketAddr) -> RequestLog {
        RequestLog {
            peer: Some(peer),
            device: None,
            subject: None,
            serial: None,
            status: String::new(),
        }
    }

    fn set_status(log: &mut RequestLog, status: String) {
        log.status = status;
    }

    /// A decoded device name means the request was read.
    fn stage(log: &RequestLog) -> Stage {
        if log.device.is_some() {
            Stage::Sending
        } else {
            Stage::Reading
        }
    }

    fn write_log(&self, log: &RequestLog) {
        (self.options.log)(log);
    }

    async fn session<'a, S>(
        &'a self,
        tls: &'a mut S,
        log: &'a mut RequestLog,
        counters: &'a Counters,
    ) -> Result<String, NetError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'a,
    {
        respond(self, tls, log, counters).await
    }
}

/// The largest verify request the server reads: a device name and one
/// certificate (CUCM's are 1 to 2 KB); a header announcing more is refused
/// before anything is allocated for it.
pub const MAX_REQUEST_PAYLOAD: usize = 16 * 1024;

/// Everything after the handshake, whatever TLS runs under it: reads one
/// request, looks its certificate up and answers.
async fn respond<S>(
    tvs: &Tvs,
    tls: &mut S,
    log: &mut RequestLog,
    counters: &Counters,
) -> Result<String, NetError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = tvs.options.deadline;
    let io = |stage| move |e| NetError::from_io(e, deadline, stage);
    let mut frame = alloc::vec![0u8; HEADER_LEN];
    tls.read_exact(&mut frame)
        .await
        .map_err(io(Stage::Reading))?;
    // Room for what a real request holds, not for what a header claims: a
    // client announcing 64 KiB and sending nothing pins nothing.
    let announced = announced_len(&frame);
    if announced > MAX_REQUEST_PAYLOAD {
        return Err(NetError::RequestTooLarge {
            announced,
            limit: MAX_REQUEST_PAYLOAD,
        });
    }
    frame.resize(HEADER_LEN + announced, 0);
    tls.read_exact(frame.get_mut(HEADER_LEN..).unwrap_or(&mut []))
        .await
        .map_err(io(Stage::Reading))?;
    let request = VerifyRequest::decode(&frame)?;
    log.device = Some(request.device_name.as_str().to_string());
    if let Ok(cert) = CertInfo::from_der(&request.certificate) {
        log.subject = cert.subject(NameStyle::Cucm).ok();
        log.serial = Some(hex_string(cert.serial(), Case::Upper, ":"));
    }
    let id = certificate_id(&request.certificate);
    let store = &tvs.store;
    let entry = counters.guarded(NetError::StorePanicked, || {
        store.lookup(&id).map_err(NetError::from)
    })?;
    let answer = match entry {
        Some(e) => VerifyResponse::valid(request.session_id, e.roles, e.ttl_seconds)?,
        None => VerifyResponse::invalid(request.session_id),
    };
    tls.write_all(&answer.encode()?)
        .await
        .map_err(io(Stage::Sending))?;
    Ok(match answer.verdict {
        Verdict::Valid { .. } => "valid".into(),
        Verdict::Invalid => "invalid".into(),
    })
}
