//! A hostile client for the TVS server's siege benchmark and tests: it
//! holds connections of three kinds (idle TCP, half-open TLS that sent
//! its ClientHello and nothing more, and TLS that trickles its ClientHello
//! one byte at a time), reopens those the server closes, and stops when
//! told or after a bound. Loopback only.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The bytes a TLS 1.2/1.3 client opens with.
pub fn hello() -> Vec<u8> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let mut conn = rustls::ClientConnection::new(
        Arc::new(config),
        rustls::pki_types::ServerName::try_from("tvs.invalid").unwrap(),
    )
    .unwrap();
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out).unwrap();
    }
    out
}

/// What a hostile connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Connects and says nothing.
    Idle,
    /// Sends its ClientHello, then nothing.
    HalfOpen,
    /// Sends its ClientHello one byte per interval.
    Trickle,
}

struct Conn {
    kind: Kind,
    tcp: Option<TcpStream>,
    sent: usize,
    next: Instant,
}

/// The siege's counters.
#[derive(Debug, Default)]
pub struct Counters {
    /// Connections opened (first and reopened).
    pub opened: AtomicUsize,
    /// Connections the server closed (or refused).
    pub closed: AtomicUsize,
}

/// A running siege; stops when dropped.
pub struct Siege {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// What it did.
    pub counters: Arc<Counters>,
}

impl Siege {
    /// Holds `per_kind` connections of each kind in `kinds` to `server`,
    /// trickling one byte per `interval`, for at most `bound`.
    pub fn start(
        server: SocketAddr,
        kinds: &[Kind],
        per_kind: usize,
        interval: Duration,
        bound: Duration,
    ) -> Siege {
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let hello = hello();
        let mut conns: Vec<Conn> = kinds
            .iter()
            .flat_map(|k| {
                (0..per_kind).map(|_| Conn {
                    kind: *k,
                    tcp: None,
                    sent: 0,
                    next: Instant::now(),
                })
            })
            .collect();
        let (flag, count) = (Arc::clone(&stop), Arc::clone(&counters));
        // Open the first round before returning, so that callers measure
        // against a server already under siege.
        for c in &mut conns {
            open(c, server, &hello, interval, &count);
        }
        let thread = std::thread::spawn(move || {
            let end = Instant::now() + bound;
            let mut buf = [0u8; 4096];
            while !flag.load(Ordering::SeqCst) && Instant::now() < end {
                for c in &mut conns {
                    let alive = match c.tcp.as_mut() {
                        None => false,
                        Some(tcp) => loop {
                            match tcp.read(&mut buf) {
                                Ok(0) => break false,
                                Ok(_) => continue,
                                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                                    break true;
                                }
                                Err(_) => break false,
                            }
                        },
                    };
                    if !alive {
                        if c.tcp.take().is_some() {
                            count.closed.fetch_add(1, Ordering::Relaxed);
                        }
                        open(c, server, &hello, interval, &count);
                        continue;
                    }
                    if c.kind == Kind::Trickle && Instant::now() >= c.next && c.sent < hello.len() {
                        if let Some(tcp) = c.tcp.as_mut()
                            && tcp.write(&hello[c.sent..=c.sent]).is_ok()
                        {
                            c.sent += 1;
                        }
                        c.next = Instant::now() + interval;
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Siege {
            stop,
            thread: Some(thread),
            counters,
        }
    }
}

fn open(c: &mut Conn, server: SocketAddr, hello: &[u8], interval: Duration, count: &Counters) {
    let Ok(mut tcp) = TcpStream::connect_timeout(&server, Duration::from_secs(3)) else {
        return;
    };
    count.opened.fetch_add(1, Ordering::Relaxed);
    c.sent = 0;
    c.next = Instant::now() + interval;
    if c.kind == Kind::HalfOpen {
        let _ = tcp.write_all(hello);
        c.sent = hello.len();
    }
    if c.kind == Kind::Trickle {
        let _ = tcp.write_all(&hello[..1]);
        c.sent = 1;
    }
    let _ = tcp.set_nonblocking(true);
    c.tcp = Some(tcp);
}

impl Drop for Siege {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The percentile `p` (0..=100) of `sorted` durations.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = (sorted.len() * p).div_ceil(100).saturating_sub(1);
    sorted[i.min(sorted.len() - 1)]
}
