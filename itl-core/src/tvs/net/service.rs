//! What every TLS server of the crate (TVS, CAPF) shares: the listener,
//! the handshake (rustls, or OpenSSL for legacy TLS), the connection
//! limits and the slot a connection holds, one deadline for the whole of
//! each connection, the counters, the log behind `catch_unwind`, and the
//! shutdown. A server is a [`Service`]: what it does with a connection
//! once TLS is up; [`serve`] runs it.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use core::future::Future;
use core::panic::AssertUnwindSafe;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::net::{IpAddr, SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};

use super::{NetError, Stage};

/// How a server runs its TLS handshakes.
pub(crate) enum Acceptor {
    /// rustls: TLS 1.2 and 1.3, forward secrecy only.
    Rustls(tokio_rustls::TlsAcceptor),
    /// OpenSSL at security level 0: TLS 1.0 to 1.3, RSA key exchange too.
    #[cfg(feature = "legacy-tls")]
    Legacy(openssl::ssl::SslContext),
}

impl Acceptor {
    /// rustls with the identity (key and certificate chain) of
    /// `identity_pem`.
    pub(crate) fn rustls(identity_pem: &[u8]) -> Result<Self, NetError> {
        Ok(Acceptor::Rustls(tokio_rustls::TlsAcceptor::from(
            super::server::server_config(identity_pem)?,
        )))
    }

    /// OpenSSL speaking legacy TLS with the identity of `identity_pem`.
    #[cfg(feature = "legacy-tls")]
    pub(crate) fn legacy(identity_pem: &[u8]) -> Result<Self, NetError> {
        Ok(Acceptor::Legacy(super::legacy::server_context(
            identity_pem,
        )?))
    }

    /// Whether this is the legacy (OpenSSL) acceptor.
    pub(crate) fn is_legacy(&self) -> bool {
        !matches!(self, Acceptor::Rustls(_))
    }
}

/// How a server runs: its limits, deadline, threads, and what it says
/// when it starts with legacy TLS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) max_connections: usize,
    pub(crate) max_per_address: usize,
    pub(crate) deadline: Duration,
    pub(crate) shutdown_grace: Duration,
    pub(crate) workers: usize,
    /// The runtime's thread name.
    pub(crate) thread_name: &'static str,
    /// Written on standard error once, when a legacy server starts.
    pub(crate) legacy_warning: &'static str,
}

/// What every server counts.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Connections accepted.
    pub(crate) served: AtomicUsize,
    /// Connections closed at once because a limit was reached.
    pub(crate) turned_away: AtomicUsize,
    /// Connections dropped because their deadline passed.
    pub(crate) deadline_passed: AtomicUsize,
    /// Connections whose store (issuer…) or log panicked.
    pub(crate) panics: AtomicUsize,
}

impl Counters {
    /// Runs `f` (a store, an issuer: code the server does not own); a
    /// panic is counted and becomes `panicked`, costing the connection
    /// only.
    pub(crate) fn guarded<R, E>(
        &self,
        panicked: E,
        f: impl FnOnce() -> Result<R, E>,
    ) -> Result<R, E> {
        std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
            self.panics.fetch_add(1, Ordering::Relaxed);
            Err(panicked)
        })
    }

    /// The count `counter` holds now.
    pub(crate) fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// One kind of server: what it does with a connection once TLS is up.
pub(crate) trait Service: Send + Sync + Sized + 'static {
    /// What it logs about one connection.
    type Log: Send + 'static;
    /// Why a connection failed.
    type Error: core::fmt::Display + From<NetError> + Send;
    /// The word a failed connection's status starts with.
    const FAILED: &'static str;

    /// The log of a new connection from `peer`.
    fn new_log(&self, peer: SocketAddr) -> Self::Log;

    /// Sets the log's status, once the connection has ended.
    fn set_status(log: &mut Self::Log, status: String);

    /// Where a connection whose deadline passed was, by what it logged.
    fn stage(log: &Self::Log) -> Stage;

    /// Hands the log line to the sink (run behind `catch_unwind`).
    fn write_log(&self, log: &Self::Log);

    /// Everything after the handshake, whatever TLS runs under it;
    /// returns the status to log. A panic of code the server does not own
    /// goes through [`Counters::guarded`].
    fn session<'a, S>(
        &'a self,
        tls: &'a mut S,
        log: &'a mut Self::Log,
        counters: &'a Counters,
    ) -> impl Future<Output = Result<String, Self::Error>> + Send + 'a
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'a;
}

/// What every connection task shares with the accept loop.
struct Shared<T> {
    service: Arc<T>,
    acceptor: Acceptor,
    settings: Settings,
    limits: Arc<Limits>,
    counters: Counters,
}

/// What a server did, once it has stopped.
pub(crate) struct Served {
    pub(crate) served: usize,
    pub(crate) turned_away: usize,
    pub(crate) deadline_passed: usize,
    pub(crate) panics: usize,
}

/// Serves `service` (the caller may keep a reference to read what it
/// counts) on `listener` until `shutdown` says stop; then gives
/// the connections in progress the grace, drops the rest and returns.
///
/// The runtime's threads are made here, once: when the system cannot make
/// them this returns an error; afterwards no connection needs a thread.
pub(crate) fn serve<T: Service>(
    listener: TcpListener,
    acceptor: Acceptor,
    shutdown: &watch::Sender<bool>,
    settings: Settings,
    service: Arc<T>,
) -> Result<Served, NetError> {
    if acceptor.is_legacy() {
        use std::io::Write;
        // A closed standard error loses the line, nothing else.
        let _ = writeln!(std::io::stderr().lock(), "{}", settings.legacy_warning);
    }
    let runtime = runtime(settings.workers, settings.thread_name)?;
    let limits = Limits::new(settings.max_connections, settings.max_per_address);
    let shared = Arc::new(Shared {
        service,
        acceptor,
        settings,
        limits: Arc::clone(&limits),
        counters: Counters::default(),
    });
    let grace = settings.shutdown_grace.min(settings.deadline);
    let outcome = runtime.block_on(accept_loop(
        listener,
        shutdown,
        &limits,
        grace,
        |tcp, peer| {
            admit(&shared, tcp, peer);
        },
    ));
    let counters = &shared.counters;
    let served = Served {
        served: Counters::get(&counters.served),
        turned_away: Counters::get(&counters.turned_away),
        deadline_passed: Counters::get(&counters.deadline_passed),
        panics: Counters::get(&counters.panics),
    };
    // The connections still held are dropped with the runtime.
    runtime.shutdown_timeout(Duration::ZERO);
    outcome.map(|()| served)
}

/// Gives a new connection its task, or closes it when a limit is reached.
fn admit<T: Service>(shared: &Arc<Shared<T>>, tcp: tokio::net::TcpStream, peer: SocketAddr) {
    let counters = &shared.counters;
    let Some(slot) = Slot::take(&shared.limits, peer.ip()) else {
        counters.turned_away.fetch_add(1, Ordering::SeqCst);
        return;
    };
    counters.served.fetch_add(1, Ordering::SeqCst);
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let _slot = slot;
        let mut log = shared.service.new_log(peer);
        let deadline = shared.settings.deadline;
        let outcome = tokio::time::timeout(deadline, connection(&shared, tcp, &mut log)).await;
        let status = match outcome {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => alloc::format!("{}: {e}", T::FAILED),
            Err(_) => {
                shared
                    .counters
                    .deadline_passed
                    .fetch_add(1, Ordering::Relaxed);
                let stage = T::stage(&log);
                alloc::format!("{}: {}", T::FAILED, NetError::Deadline { deadline, stage })
            }
        };
        T::set_status(&mut log, status);
        let service = &shared.service;
        if std::panic::catch_unwind(AssertUnwindSafe(|| service.write_log(&log))).is_err() {
            shared.counters.panics.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// One connection: the handshake, the service's session, then
/// close_notify (a client that has gone already changes nothing).
async fn connection<T: Service>(
    shared: &Shared<T>,
    tcp: tokio::net::TcpStream,
    log: &mut T::Log,
) -> Result<String, T::Error> {
    let deadline = shared.settings.deadline;
    let handshake = |e| NetError::from_io(e, deadline, Stage::Handshake);
    // Small writes go out at once: with Nagle's algorithm an answer would
    // wait for the client's delayed acknowledgement (40 ms).
    tcp.set_nodelay(true).map_err(handshake)?;
    match &shared.acceptor {
        Acceptor::Rustls(acceptor) => {
            let tls = acceptor.accept(tcp).await.map_err(handshake)?;
            after_handshake(shared, tls, log).await
        }
        #[cfg(feature = "legacy-tls")]
        Acceptor::Legacy(context) => {
            let tls = super::legacy::accept(context, tcp, deadline).await?;
            after_handshake(shared, tls, log).await
        }
    }
}

/// The service's session over `tls`, whichever TLS it is, then
/// close_notify.
async fn after_handshake<T: Service, S>(
    shared: &Shared<T>,
    mut tls: S,
    log: &mut T::Log,
) -> Result<String, T::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let outcome = shared
        .service
        .session(&mut tls, log, &shared.counters)
        .await;
    let _ = tls.shutdown().await;
    outcome
}

/// The connection limits of a server: connections held in all and per
/// client address, and a signal when the last ends.
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
    async fn wait_idle(&self) {
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
/// end.
async fn accept_loop(
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
fn runtime(workers: usize, name: &str) -> Result<tokio::runtime::Runtime, NetError> {
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

/// A connection's place in the limits, given back when dropped: when the
/// task ends, when it is dropped at shutdown, when it panics.
struct Slot {
    limits: Arc<Limits>,
    address: IpAddr,
}

impl Slot {
    /// Takes a slot for a client at `peer`, or none when a limit is
    /// reached.
    fn take(limits: &Arc<Limits>, peer: IpAddr) -> Option<Slot> {
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

/// The address a connection counts against for the per-address limit: an
/// IPv4 address (IPv4-mapped IPv6 ones too), or an IPv6 client's /64,
/// which one host holds in full.
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
