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

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::panic::AssertUnwindSafe;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};

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

/// How a server runs its TLS handshakes.
enum Acceptor {
    /// rustls: TLS 1.2 and 1.3, forward secrecy only.
    Rustls(tokio_rustls::TlsAcceptor),
    /// OpenSSL at security level 0: TLS 1.0 to 1.3, RSA key exchange too.
    #[cfg(feature = "legacy-tls")]
    Legacy(openssl::ssl::SslContext),
}

impl Acceptor {
    fn is_legacy(&self) -> bool {
        !matches!(self, Acceptor::Rustls(_))
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

/// The connection limits of a server (TVS and CAPF alike): connections
/// held in all and per client address, and a signal when the last ends.
pub(crate) struct Limits {
    max_connections: usize,
    max_per_address: usize,
    active: AtomicUsize,
    per_address: Mutex<BTreeMap<IpAddr, usize>>,
    /// Signalled when the last connection ends.
    idle: Notify,
}

impl Limits {
    /// Limits of `max_connections` in all and `max_per_address` per
    /// address.
    pub(crate) fn new(max_connections: usize, max_per_address: usize) -> Arc<Self> {
        Arc::new(Limits {
            max_connections,
            max_per_address,
            active: AtomicUsize::new(0),
            per_address: Mutex::new(BTreeMap::new()),
            idle: Notify::new(),
        })
    }

    fn addresses(&self) -> MutexGuard<'_, BTreeMap<IpAddr, usize>> {
        // The map is only counters: one left half-updated by a panic
        // elsewhere is still the best count there is.
        self.per_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until no connection is held.
    pub(crate) async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.active.load(Ordering::SeqCst) == 0 {
                break;
            }
            notified.await;
        }
    }
}

/// Accepts connections on `listener` until `shutdown` says stop, handing
/// each to `admit`; then gives the connections `limits` holds `grace` to
/// end. Shared by the TVS and CAPF servers.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shutdown: &watch::Sender<bool>,
    limits: &Limits,
    grace: Duration,
    mut admit: impl FnMut(tokio::net::TcpStream, SocketAddr),
) -> Result<(), NetError> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut stop = shutdown.subscribe();
    loop {
        tokio::select! {
            _ = stop.wait_for(|stopping| *stopping) => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => admit(tcp, peer),
                // Out of descriptors or memory: pause rather than spin;
                // the connections held end by their deadlines.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
    drop(listener);
    // Let the connections in progress end, within the grace.
    let _ = tokio::time::timeout(grace, limits.wait_idle()).await;
    Ok(())
}

/// A multi-threaded runtime of `workers` threads (0: one per core) named
/// `name`; an error when the system refuses the threads.
pub(crate) fn runtime(workers: usize, name: &str) -> Result<tokio::runtime::Runtime, NetError> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_io().enable_time().thread_name(name);
    if workers > 0 {
        builder.worker_threads(workers);
    }
    // tokio panics when the system refuses it a worker thread.
    std::panic::catch_unwind(AssertUnwindSafe(|| builder.build()))
        .map_err(|_| {
            NetError::Io(std::io::Error::other(
                "the system refused the server its worker threads",
            ))
        })?
        .map_err(NetError::Io)
}

/// What every connection task shares with the accept loop.
struct Shared {
    acceptor: Acceptor,
    store: Arc<dyn CertificateStore>,
    options: ServerOptions,
    limits: Arc<Limits>,
    served: AtomicUsize,
    turned_away: AtomicUsize,
    deadline_passed: AtomicUsize,
    panics: AtomicUsize,
}

impl Shared {
    /// Writes a log line; a panicking sink loses the line, nothing else.
    fn log(&self, line: &RequestLog) {
        let sink = &self.options.log;
        if std::panic::catch_unwind(AssertUnwindSafe(|| sink(line))).is_err() {
            self.panics.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn stats(&self) -> ServeStats {
        ServeStats {
            served: self.served.load(Ordering::SeqCst),
            turned_away: self.turned_away.load(Ordering::SeqCst),
            deadline_passed: self.deadline_passed.load(Ordering::SeqCst),
            panics: self.panics.load(Ordering::SeqCst),
        }
    }
}

/// A connection's place in the limits, given back when dropped: when the
/// task ends, when it is dropped at shutdown, when it panics.
pub(crate) struct Slot {
    limits: Arc<Limits>,
    address: IpAddr,
}

impl Slot {
    /// Takes a slot for a client at `peer`, or none when a limit is
    /// reached.
    pub(crate) fn take(limits: &Arc<Limits>, peer: IpAddr) -> Option<Slot> {
        let address = address_key(peer);
        let mut map = limits.addresses();
        let held = map.get(&address).copied().unwrap_or(0);
        if held >= limits.max_per_address
            || limits.active.load(Ordering::SeqCst) >= limits.max_connections
        {
            return None;
        }
        map.insert(address, held + 1);
        limits.active.fetch_add(1, Ordering::SeqCst);
        Some(Slot {
            limits: Arc::clone(limits),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        {
            let mut map = self.limits.addresses();
            match map.get(&self.address).copied() {
                Some(n) if n > 1 => {
                    map.insert(self.address, n - 1);
                }
                _ => {
                    map.remove(&self.address);
                }
            }
        }
        if self.limits.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.limits.idle.notify_waiters();
        }
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
        let acceptor = Acceptor::Rustls(tokio_rustls::TlsAcceptor::from(server_config(
            identity_pem,
        )?));
        Self::bind_with(address, acceptor, store, options)
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
        let acceptor = Acceptor::Legacy(super::legacy::server_context(identity_pem)?);
        Self::bind_with(address, acceptor, store, options)
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
        #[cfg(feature = "legacy-tls")]
        if self.acceptor.is_legacy() {
            use std::io::Write;
            // A closed standard error loses the line, nothing else.
            let _ = writeln!(std::io::stderr().lock(), "{}", super::LEGACY_TLS_WARNING);
        }
        let runtime = runtime(self.options.workers, "tvs-server")?;
        let stats = runtime.block_on(self.run());
        runtime.shutdown_timeout(Duration::ZERO);
        stats
    }

    async fn run(self) -> Result<ServeStats, NetError> {
        let TvsNetServer {
            listener,
            acceptor,
            store,
            options,
            shutdown,
        } = self;
        let grace = options.shutdown_grace.min(options.deadline);
        let limits = Limits::new(options.max_connections, options.max_per_address);
        let shared = Arc::new(Shared {
            acceptor,
            store,
            options,
            limits: Arc::clone(&limits),
            served: AtomicUsize::new(0),
            turned_away: AtomicUsize::new(0),
            deadline_passed: AtomicUsize::new(0),
            panics: AtomicUsize::new(0),
        });
        accept_loop(listener, &shutdown, &limits, grace, |tcp, peer| {
            admit(&shared, tcp, peer);
        })
        .await?;
        Ok(shared.stats())
    }
}

/// The largest verify request the server reads: a device name and one
/// certificate (CUCM's are 1 to 2 KB); a header announcing more is refused
/// before anything is allocated for it.
pub const MAX_REQUEST_PAYLOAD: usize = 16 * 1024;

/// The address a connection counts against for
/// [`ServerOptions::max_per_address`]: an IPv4 address (IPv4-mapped IPv6
/// ones too), or an IPv6 client's /64, which one host holds in full.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                for s in segments.iter_mut().skip(4) {
                    *s = 0;
                }
                IpAddr::V6(std::net::Ipv6Addr::from(segments))
            }
        },
    }
}

/// How many connections the kernel may queue before the server accepts
/// them: a burst of hostile connections must not make a phone's SYN wait
/// (the standard library's listener queues 128).
const LISTEN_BACKLOG: i32 = 1024;

/// A non-blocking listener on the first address of `address` that binds.
pub(crate) fn listen(address: impl ToSocketAddrs) -> Result<TcpListener, NetError> {
    let mut last = None;
    for addr in address.to_socket_addrs()? {
        let bound = (|| {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(addr),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            #[cfg(unix)]
            socket.set_reuse_address(true)?;
            socket.bind(&addr.into())?;
            socket.listen(LISTEN_BACKLOG)?;
            socket.set_nonblocking(true)?;
            Ok::<_, std::io::Error>(TcpListener::from(socket))
        })();
        match bound {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or(NetError::NoServer, NetError::Io))
}

/// Gives a new connection its task, or closes it when a limit is reached.
fn admit(shared: &Arc<Shared>, tcp: tokio::net::TcpStream, peer: SocketAddr) {
    let Some(slot) = Slot::take(&shared.limits, peer.ip()) else {
        shared.turned_away.fetch_add(1, Ordering::SeqCst);
        return;
    };
    shared.served.fetch_add(1, Ordering::SeqCst);
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let _slot = slot;
        let mut log = RequestLog {
            peer: Some(peer),
            device: None,
            subject: None,
            serial: None,
            status: String::new(),
        };
        let deadline = shared.options.deadline;
        let outcome = tokio::time::timeout(deadline, answer(&shared, tcp, &mut log)).await;
        log.status = match outcome {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => {
                if matches!(e, NetError::StorePanicked) {
                    shared.panics.fetch_add(1, Ordering::Relaxed);
                }
                alloc::format!("refused: {e}")
            }
            Err(_) => {
                shared.deadline_passed.fetch_add(1, Ordering::Relaxed);
                alloc::format!(
                    "refused: {}",
                    NetError::Deadline {
                        deadline,
                        stage: log_stage(&log),
                    }
                )
            }
        };
        shared.log(&log);
    });
}

/// Where a connection that ran out of time was: a decoded device name
/// means the request was read.
fn log_stage(log: &RequestLog) -> Stage {
    if log.device.is_some() {
        Stage::Sending
    } else {
        Stage::Reading
    }
}

/// Serves one connection: handshake, one request, one answer.
async fn answer(
    shared: &Shared,
    tcp: tokio::net::TcpStream,
    log: &mut RequestLog,
) -> Result<String, NetError> {
    let deadline = shared.options.deadline;
    let io = |stage| move |e| NetError::from_io(e, deadline, stage);
    // Small writes go out at once: with Nagle's algorithm the answer would
    // wait for the client's delayed acknowledgement (40 ms).
    tcp.set_nodelay(true).map_err(io(Stage::Handshake))?;
    match &shared.acceptor {
        Acceptor::Rustls(acceptor) => {
            let mut tls = acceptor.accept(tcp).await.map_err(io(Stage::Handshake))?;
            respond(shared, &mut tls, log).await
        }
        #[cfg(feature = "legacy-tls")]
        Acceptor::Legacy(context) => {
            let mut tls = super::legacy::accept(context, tcp, deadline).await?;
            respond(shared, &mut tls, log).await
        }
    }
}

/// Everything after the handshake, whatever TLS runs under it: reads one
/// request, looks its certificate up, answers and closes.
async fn respond<S>(shared: &Shared, tls: &mut S, log: &mut RequestLog) -> Result<String, NetError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = shared.options.deadline;
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
    let store = &shared.store;
    let entry = std::panic::catch_unwind(AssertUnwindSafe(|| store.lookup(&id)))
        .map_err(|_| NetError::StorePanicked)??;
    let answer = match entry {
        Some(e) => VerifyResponse::valid(request.session_id, e.roles, e.ttl_seconds)?,
        None => VerifyResponse::invalid(request.session_id),
    };
    tls.write_all(&answer.encode()?)
        .await
        .map_err(io(Stage::Sending))?;
    // close_notify, then the end of the stream; a client that has gone
    // already changes nothing.
    let _ = tls.shutdown().await;
    Ok(match answer.verdict {
        Verdict::Valid { .. } => "valid".into(),
        Verdict::Invalid => "invalid".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::address_key;
    use std::net::IpAddr;

    #[test]
    fn an_ipv6_host_counts_as_its_64_and_mapped_ipv4_as_ipv4() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            address_key(ip("2001:db8:1:2:ffff:1:2:3")),
            address_key(ip("2001:db8:1:2::9"))
        );
        assert_ne!(address_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(address_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(address_key(ip("192.0.2.7")), ip("192.0.2.7"));
    }
}
