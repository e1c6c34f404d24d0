//! The CAPF server: TLS on TCP 3804 (rustls, like TVS), the install,
//! fetch and delete flows of each device's scheduled operation, and the
//! siege resistance of the TVS server, whose machinery it shares (one
//! deadline per connection, connection limits per address and in all, a
//! slot guard, `catch_unwind` around the store, the issuer and the log).
//!
//! A session: the server sends AUTH REQUEST {VERSION 3, AUTH TYPE}; the
//! phone answers with its DEVICE NAME and its proof. An unknown device
//! gets END SESSION {REASON 9}, a wrong proof END {REASON 7}, a device
//! with nothing scheduled END {REASON 0}: no certificate, no row changed.
//! Otherwise the scheduled operation runs; it is recorded as done (with
//! the certificate issued, in one transaction) only once the phone has
//! acknowledged it.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::time::Duration;

use subtle::ConstantTimeEq;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

use super::{CapfNetError, MAX_MESSAGE_PAYLOAD};
use crate::capf::codec::{
    AuthType, CertType, Command, ElementTag, Frame, HEADER_LEN, Reason, announced_len,
    signed_message,
};
use crate::capf::issue::{Issuer, check_key};
use crate::capf::store::{AuthMode, CapfStore, Device, Issued, Operation};
use crate::tvs::net::server::{stderr_lines, write_escaped};
use crate::tvs::net::service::{self, Acceptor, Counters, Service, Settings, listen};
use crate::tvs::net::{NetError, Stage};

/// A log sink: called once per connection with what happened.
pub type LogSink = Arc<dyn Fn(&CapfLog) + Send + Sync>;

/// Limits, logging and authentication of a [`CapfServer`].
#[derive(Clone)]
pub struct ServerOptions {
    /// Connections held at once; more are closed at once.
    pub max_connections: usize,
    /// Connections held at once from one client address (an IPv4 address
    /// or an IPv6 /64).
    pub max_per_address: usize,
    /// The whole of a session, key generation on the phone included. A
    /// phone that has not finished by then is dropped, with no row
    /// changed.
    pub deadline: Duration,
    /// How long shutdown waits for the sessions in progress.
    pub shutdown_grace: Duration,
    /// Worker threads of the runtime (0: one per core).
    pub workers: usize,
    /// The AUTH TYPE the AUTH REQUEST announces (the phone answers with
    /// the proof its own configuration names; the server checks it
    /// against the device's [`AuthMode`]).
    pub auth_request: AuthType,
    /// The certificates (DER) whose holders, or whose subjects, may prove
    /// who they are by an LSC or a MIC: an LSC or MIC is accepted when it
    /// is one of these or is signed by one of them. The issuer's own
    /// certificate is always among them.
    pub trusted: Vec<Vec<u8>>,
    /// The current time, seconds since 1970, for the validity of what is
    /// issued (default: the system clock).
    pub clock: Arc<dyn Fn() -> u64 + Send + Sync>,
    /// Where the log line of each session goes (default: standard error,
    /// through a queue that never makes the server wait).
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
            .field("auth_request", &self.auth_request)
            .field("trusted", &self.trusted.len())
            .finish_non_exhaustive()
    }
}

/// The default log: one line per session on standard error.
pub fn stderr_log() -> LogSink {
    let lines = stderr_lines("capf-log");
    Arc::new(move |line: &CapfLog| lines(line.to_string()))
}

/// Seconds since 1970 by the system clock.
fn system_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_connections: 4096,
            max_per_address: 16,
            deadline: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(1),
            workers: 0,
            auth_request: AuthType::Password,
            trusted: Vec::new(),
            clock: Arc::new(system_clock),
            log: stderr_log(),
        }
    }
}

/// What the server logs about one session. The `Display` form escapes
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapfLog {
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// The device name it gave.
    pub device: Option<String>,
    /// The operation run ("install", "fetch", "delete", "none").
    pub operation: Option<&'static str>,
    /// What happened.
    pub status: String,
}

impl core::fmt::Display for CapfLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.peer {
            Some(p) => write!(f, "capf: {p} device ")?,
            None => f.write_str("capf: ? device ")?,
        }
        write_escaped(f, self.device.as_deref().unwrap_or("-"))?;
        write!(f, " operation {}: ", self.operation.unwrap_or("-"))?;
        write_escaped(f, &self.status)
    }
}

/// Counts of what a server did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeStats {
    /// Connections accepted.
    pub served: usize,
    /// Connections closed at once because a limit was reached.
    pub turned_away: usize,
    /// Sessions dropped because their deadline passed.
    pub deadline_passed: usize,
    /// Sessions whose store, issuer or log panicked.
    pub panics: usize,
    /// Certificates issued and recorded.
    pub issued: usize,
}

/// Stops a running [`CapfServer`] from another thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    signal: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Asks the server to stop (see [`ServerOptions::shutdown_grace`]).
    pub fn shutdown(&self) {
        self.signal.send_replace(true);
    }
}

/// What the server writes on standard error when it starts with legacy
/// TLS on.
#[cfg(feature = "legacy-tls")]
pub const LEGACY_TLS_WARNING: &str = "capf: warning: legacy TLS is on: TLS 1.0 to 1.2 with RSA key exchange (no forward secrecy) and RSA identities down to 1024 bits are accepted, for phones that speak nothing newer";

/// A CAPF server over TLS.
pub struct CapfServer {
    listener: TcpListener,
    acceptor: Acceptor,
    store: Arc<CapfStore>,
    issuer: Arc<Issuer>,
    options: ServerOptions,
    shutdown: Arc<watch::Sender<bool>>,
}

impl core::fmt::Debug for CapfServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CapfServer")
            .field("listener", &self.listener)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The CAPF service: the flows of one session.
struct Capf {
    store: Arc<CapfStore>,
    issuer: Arc<Issuer>,
    options: ServerOptions,
    issued: AtomicUsize,
}

impl Service for Capf {
    type Log = CapfLog;
    type Error = CapfNetError;
    const FAILED: &'static str = "failed";

    fn new_log(&self, peer: SocketAddr) -> CapfLog {
        CapfLog {
            peer: Some(peer),
            device: None,
            operation: None,
            status: String::new(),
        }
    }

    fn set_status(log: &mut CapfLog, status: String) {
        log.status = status;
    }

    /// A device name means the phone had answered.
    fn stage(log: &CapfLog) -> Stage {
        if log.device.is_some() {
            Stage::Sending
        } else {
            Stage::Reading
        }
    }

    fn write_log(&self, log: &CapfLog) {
        (self.options.log)(log);
    }

    async fn session<'a, S>(
        &'a self,
        tls: &'a mut S,
        log: &'a mut CapfLog,
        counters: &'a Counters,
    ) -> Result<String, CapfNetError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'a,
    {
        let shared = Shared {
            capf: self,
            counters,
        };
        run_session(&shared, tls, log).await
    }
}

/// What a session works with: the service and the server's counters.
struct Shared<'a> {
    capf: &'a Capf,
    counters: &'a Counters,
}

impl Shared<'_> {
    /// Runs the store or the issuer: a panic costs the session only.
    fn guarded<R>(&self, f: impl FnOnce() -> Result<R, CapfNetError>) -> Result<R, CapfNetError> {
        self.counters.guarded(CapfNetError::Panicked, f)
    }
}

impl CapfServer {
    /// Binds `address` with the TLS identity `identity_pem` (key and
    /// certificate, e.g. `CAPF.pem`), serving the devices of `store` and
    /// issuing with `issuer`.
    pub fn bind(
        address: impl ToSocketAddrs,
        identity_pem: &[u8],
        store: Arc<CapfStore>,
        issuer: Arc<Issuer>,
        options: ServerOptions,
    ) -> Result<Self, CapfNetError> {
        Self::bind_with(
            address,
            Acceptor::rustls(identity_pem)?,
            store,
            issuer,
            options,
        )
    }

    /// Binds like [`bind`](Self::bind), but speaking **legacy TLS** as
    /// well (feature `legacy-tls`): TLS 1.0 to 1.2 with RSA key exchange
    /// and identities down to 1,024 bits, through the system OpenSSL at
    /// security level 0, as 7900-series phones need. No forward secrecy:
    /// [`serve`](Self::serve) writes [`LEGACY_TLS_WARNING`] once.
    #[cfg(feature = "legacy-tls")]
    pub fn bind_legacy(
        address: impl ToSocketAddrs,
        identity_pem: &[u8],
        store: Arc<CapfStore>,
        issuer: Arc<Issuer>,
        options: ServerOptions,
    ) -> Result<Self, CapfNetError> {
        let acceptor = Acceptor::legacy(identity_pem)?;
        Self::bind_with(address, acceptor, store, issuer, options)
    }

    fn bind_with(
        address: impl ToSocketAddrs,
        acceptor: Acceptor,
        store: Arc<CapfStore>,
        issuer: Arc<Issuer>,
        mut options: ServerOptions,
    ) -> Result<Self, CapfNetError> {
        let own = issuer.certificate().to_vec();
        if !options.trusted.contains(&own) {
            options.trusted.push(own);
        }
        Ok(CapfServer {
            listener: listen(address)?,
            acceptor,
            store,
            issuer,
            options,
            shutdown: Arc::new(watch::channel(false).0),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, CapfNetError> {
        Ok(self.listener.local_addr().map_err(NetError::Io)?)
    }

    /// A handle that stops the server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            signal: Arc::clone(&self.shutdown),
        }
    }

    /// Serves until [`ShutdownHandle::shutdown`], then returns what it did.
    pub fn serve(self) -> Result<ServeStats, CapfNetError> {
        let CapfServer {
            listener,
            acceptor,
            store,
            issuer,
            options,
            shutdown,
        } = self;
        let settings = Settings {
            max_connections: options.max_connections,
            max_per_address: options.max_per_address,
            deadline: options.deadline,
            shutdown_grace: options.shutdown_grace,
            workers: options.workers,
            thread_name: "capf-server",
            legacy_warning: LEGACY_WARNING,
        };
        let capf = Arc::new(Capf {
            store,
            issuer,
            options,
            issued: AtomicUsize::new(0),
        });
        let served = service::serve(listener, acceptor, &shutdown, settings, Arc::clone(&capf))?;
        Ok(ServeStats {
            served: served.served,
            turned_away: served.turned_away,
            deadline_passed: served.deadline_passed,
            panics: served.panics,
            issued: capf.issued.load(Ordering::SeqCst),
        })
    }
}

#[cfg(feature = "legacy-tls")]
const LEGACY_WARNING: &str = LEGACY_TLS_WARNING;
#[cfg(not(feature = "legacy-tls"))]
const LEGACY_WARNING: &str = "";

/// Reads one whole message (header, then the payload it announces, at
/// most [`MAX_MESSAGE_PAYLOAD`]) and checks its framing and session.
pub(crate) async fn read_message<S: AsyncRead + Unpin>(
    io: &mut S,
    session_id: u32,
    deadline: Duration,
) -> Result<Vec<u8>, CapfNetError> {
    let failed = |e| CapfNetError::Net(NetError::from_io(e, deadline, Stage::Reading));
    let mut bytes = alloc::vec![0u8; HEADER_LEN];
    io.read_exact(&mut bytes).await.map_err(failed)?;
    let announced = announced_len(&bytes);
    if announced > MAX_MESSAGE_PAYLOAD {
        return Err(CapfNetError::MessageTooLarge {
            announced,
            limit: MAX_MESSAGE_PAYLOAD,
        });
    }
    bytes.resize(HEADER_LEN + announced, 0);
    io.read_exact(bytes.get_mut(HEADER_LEN..).unwrap_or(&mut []))
        .await
        .map_err(failed)?;
    let frame = Frame::decode(&bytes)?;
    if frame.session_id != session_id {
        return Err(CapfNetError::WrongSession {
            expected: session_id,
            found: frame.session_id,
        });
    }
    Ok(bytes)
}

/// Sends one message in one write.
async fn send<S: AsyncWrite + Unpin>(
    io: &mut S,
    frame: &Frame<'_>,
    deadline: Duration,
) -> Result<(), CapfNetError> {
    io.write_all(&frame.encode()?)
        .await
        .map_err(|e| CapfNetError::Net(NetError::from_io(e, deadline, Stage::Sending)))?;
    io.flush()
        .await
        .map_err(|e| CapfNetError::Net(NetError::from_io(e, deadline, Stage::Sending)))
}

/// Reads the phone's answer to a step: a message of `expected` whose
/// REASON (when it has one) is ok. A phone busy generating its key may
/// send REQUEST IN PROGRESS first (a few times, within the deadline).
async fn expect<S: AsyncRead + Unpin>(
    io: &mut S,
    session_id: u32,
    expected: Command,
    deadline: Duration,
) -> Result<Vec<u8>, CapfNetError> {
    for _ in 0..16 {
        let bytes = read_message(io, session_id, deadline).await?;
        let frame = Frame::decode(&bytes)?;
        if frame.command == Command::RequestInProgress {
            continue;
        }
        if frame.command != expected {
            return Err(CapfNetError::OutOfOrder {
                expected,
                found: frame.command,
            });
        }
        if frame.element(ElementTag::Reason).is_some() {
            let reason = frame.reason()?;
            if reason != Reason::Ok {
                return Err(CapfNetError::PhoneRefused { reason });
            }
        }
        return Ok(bytes);
    }
    Err(CapfNetError::OutOfOrder {
        expected,
        found: Command::RequestInProgress,
    })
}

/// The flows after the handshake.
async fn run_session<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared<'_>,
    io: &mut S,
    log: &mut CapfLog,
) -> Result<String, CapfNetError> {
    let deadline = shared.capf.options.deadline;
    let session_id = random_session_id();
    let end = |reason| Frame::with_reason(Command::EndSession, session_id, reason);
    send(
        io,
        &Frame::auth_request(session_id, shared.capf.options.auth_request)?,
        deadline,
    )
    .await?;
    let bytes = expect(io, session_id, Command::AuthResponse, deadline).await?;
    let answer = Frame::decode(&bytes)?;
    let name = answer.device_name()?.to_string();
    log.device = Some(name.clone());
    let store = &shared.capf.store;
    let device = shared.guarded(|| Ok(store.device(&name)?))?;
    let Some(device) = device else {
        send(io, &end(Reason::UnknownDevice)?, deadline).await?;
        return Ok("refused: the device is unknown".into());
    };
    log.operation = Some(device.operation.name());
    if let Err(why) = check_proof(shared, &device, &answer) {
        send(io, &end(Reason::Invalid)?, deadline).await?;
        return Ok(alloc::format!("refused: {why}"));
    }
    match device.operation {
        Operation::None => {
            send(io, &end(Reason::NothingToDo)?, deadline).await?;
            Ok("nothing to do".into())
        }
        Operation::Install => install(shared, io, session_id, &device).await,
        Operation::Fetch => {
            let certs = shared.guarded(|| Ok(store.certificates(&name)?))?;
            let Some(last) = certs.last() else {
                send(io, &end(Reason::NothingToDo)?, deadline).await?;
                return Ok("no certificate to fetch".into());
            };
            let request =
                Frame::certificate_request(Command::FetchCertRequest, session_id, &last.der)?;
            send(io, &request, deadline).await?;
            expect(io, session_id, Command::FetchCertResponse, deadline).await?;
            shared.guarded(|| Ok(store.complete(&name, Operation::Fetch, None)?))?;
            send(io, &end(Reason::NothingToDo)?, deadline).await?;
            Ok("fetched".into())
        }
        Operation::Delete => {
            send(io, &Frame::delete_request(session_id)?, deadline).await?;
            expect(io, session_id, Command::DeleteCertResponse, deadline).await?;
            shared.guarded(|| Ok(store.complete(&name, Operation::Delete, None)?))?;
            send(io, &end(Reason::Ok)?, deadline).await?;
            Ok("deleted".into())
        }
    }
}

/// The installation: key generation, issuance, hand-over, record.
async fn install<S: AsyncRead + AsyncWrite + Unpin>(
    shared: &Shared<'_>,
    io: &mut S,
    session_id: u32,
    device: &Device,
) -> Result<String, CapfNetError> {
    let deadline = shared.capf.options.deadline;
    send(
        io,
        &Frame::key_gen_request(session_id, device.key)?,
        deadline,
    )
    .await?;
    let bytes = expect(io, session_id, Command::KeyGenResponse, deadline).await?;
    let answer = Frame::decode(&bytes)?;
    let spki = answer.public_key()?;
    check_key(spki, device.key)?;
    let now = (shared.capf.options.clock)();
    let issuer = &shared.capf.issuer;
    let cert = shared.guarded(|| Ok(issuer.issue(&device.name, spki, now)?))?;
    let request = Frame::certificate_request(Command::StoreCertRequest, session_id, &cert.der)?;
    send(io, &request, deadline).await?;
    expect(io, session_id, Command::StoreCertResponse, deadline).await?;
    let issued = Issued {
        serial: cert.serial,
        device: device.name.clone(),
        der: cert.der,
        not_after: cert.not_after,
    };
    let store = &shared.capf.store;
    shared.guarded(|| Ok(store.complete(&device.name, Operation::Install, Some(&issued))?))?;
    shared.capf.issued.fetch_add(1, Ordering::Relaxed);
    send(
        io,
        &Frame::with_reason(Command::EndSession, session_id, Reason::Ok)?,
        deadline,
    )
    .await?;
    Ok(alloc::format!(
        "issued certificate {}",
        crate::hex::hex_string(&issued.serial, crate::hex::Case::Upper, "")
    ))
}

/// A session id from the system's random source (0 should it fail: the
/// id only pairs messages within one connection).
fn random_session_id() -> u32 {
    getrandom::u32().unwrap_or(0)
}

/// Checks the phone's proof against the device's [`AuthMode`].
fn check_proof(
    shared: &Shared<'_>,
    device: &Device,
    answer: &Frame<'_>,
) -> Result<(), &'static str> {
    match &device.auth {
        AuthMode::None => Ok(()),
        AuthMode::Password(expected) => {
            let given = answer.password().map_err(|_| "no password was given")?;
            if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
                Ok(())
            } else {
                Err("the password is wrong")
            }
        }
        AuthMode::Lsc | AuthMode::Mic => {
            let carried = answer
                .certificate()
                .map_err(|_| "no certificate was given")?;
            let mic = carried.cert_type == CertType::Mic;
            if !super::proof::names_device(carried.der, &device.name, mic) {
                return Err("the certificate is another device's");
            }
            if !super::proof::valid_at(carried.der, (shared.capf.options.clock)()) {
                return Err("the certificate is not valid now");
            }
            let message = signed_message(&device.name, carried.der);
            let proven = match answer.sha2_signed_data() {
                Ok(signature) => super::proof::verify_sha512(carried.der, &message, signature),
                Err(_) => {
                    let signature = answer.signed_data().map_err(|_| "no signature was given")?;
                    super::proof::verify_sha1_raw(carried.der, &message, signature)
                }
            };
            if !proven {
                return Err("the signature does not verify with the certificate's key");
            }
            let trusted =
                shared.capf.options.trusted.iter().any(|ca| {
                    ca.as_slice() == carried.der || super::proof::signed_by(carried.der, ca)
                });
            if trusted {
                Ok(())
            } else {
                Err("the certificate is not one the server trusts")
            }
        }
    }
}
