//! The TVS server and client under attack, on loopback (127.0.0.1 and
//! 127.0.0.2 only; every loop bounded in count and time): connections
//! that idle, stop half-way through the handshake or trickle their bytes
//! do not starve a phone; the server's deadline cuts a trickled request;
//! shutdown returns whoever is connected; a panicking store or log and a
//! closed standard error cost no slot; connections add no threads; the
//! per-address limit; the client's deadline against a trickling server,
//! alone, with fail-over and under a phone.
//!
//! The tests of this file run one at a time (they count threads and
//! connections of the process).
#![cfg(feature = "tvs-net")]
#![cfg(test)]

mod common;
use common::siege::{Kind, Siege};
use common::tls::raw_tls;
use common::*;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use cisco_itl::Function;
use cisco_itl::phone::{ManualClock, Phone, Trust};
use cisco_itl::tvs::codec::{Verdict, VerifyRequest};
use cisco_itl::tvs::net::{
    ClientOptions, NetError, RequestLog, ServeStats, ServerOptions, ServerTrust, ShutdownHandle,
    Stage, TvsClient, TvsNetServer,
};
use cisco_itl::tvs::store::{
    CertificateId, CertificateStore, Listing, MemoryStore, StoreEntry, StoreError, certificate_id,
};

const IDENTITY: &str = "tvs-sub1.pem";

/// One test at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Running {
    addr: SocketAddr,
    stop: ShutdownHandle,
    done: std::sync::mpsc::Receiver<ServeStats>,
    logs: Arc<Mutex<Vec<RequestLog>>>,
}

impl Running {
    /// Stops the server; its stats, and its log lines. Panics when the
    /// server has not returned within `bound`.
    fn stop_within(self, bound: Duration) -> (ServeStats, Vec<RequestLog>) {
        self.stop.shutdown();
        let stats = self
            .done
            .recv_timeout(bound)
            .expect("the server returned from serve() after shutdown");
        let logs = self.logs.lock().unwrap().clone();
        (stats, logs)
    }
}

fn start_with(store: Arc<dyn CertificateStore>, options: ServerOptions) -> Running {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
    let user_log = Arc::clone(&options.log);
    let options = ServerOptions {
        log: Arc::new(move |line: &RequestLog| {
            sink.lock().unwrap().push(line.clone());
            user_log(line);
        }),
        ..options
    };
    let server = TvsNetServer::bind(
        "127.0.0.1:0",
        &read(&format!("keys/{IDENTITY}")),
        store,
        options,
    )
    .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.shutdown_handle().unwrap();
    let (tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(server.serve().unwrap());
    });
    Running {
        addr,
        stop,
        done,
        logs,
    }
}

fn quiet() -> ServerOptions {
    ServerOptions {
        log: Arc::new(|_: &RequestLog| {}),
        ..ServerOptions::default()
    }
}

fn store() -> Arc<dyn CertificateStore> {
    let store = MemoryStore::new();
    store
        .add(
            cert("callmanager-pub.pem").der(),
            &[Function::CcmTftp],
            3600,
        )
        .unwrap();
    Arc::new(store)
}

fn request(session_id: u32, key: &str) -> VerifyRequest<'static> {
    VerifyRequest {
        session_id,
        device_name: "CP-7965-SEP0011215A1AE3".parse().unwrap(),
        certificate: cert(key).der().to_vec().into(),
    }
}

fn client(addr: SocketAddr, deadline: Duration) -> TvsClient {
    TvsClient::new(
        &[&addr.to_string()],
        ServerTrust::Certificate(cert(IDENTITY).der().to_vec()),
    )
    .unwrap()
    .with_options(ClientOptions {
        connect_timeout: Duration::from_secs(1),
        deadline,
    })
}

/// Asks `n` times; how many were answered "valid".
fn answered(addr: SocketAddr, n: u32) -> usize {
    let mut c = client(addr, Duration::from_secs(3));
    (0..n)
        .filter(|i| {
            matches!(
                c.verify(&request(*i, "callmanager-pub.pem")),
                Ok((_, a)) if matches!(a.verdict, Verdict::Valid { .. })
            )
        })
        .count()
}

#[test]
fn idle_half_open_and_trickling_connections_do_not_starve_a_phone() {
    let _one = serial();
    // 300 hostile connections, more than the 256 the thread-per-connection
    // server held, trickling faster than any per-read timeout would cut.
    let server = start_with(
        store(),
        ServerOptions {
            deadline: Duration::from_secs(2),
            max_per_address: 1024,
            ..quiet()
        },
    );
    let siege = Siege::start(
        server.addr,
        &[Kind::Idle, Kind::HalfOpen, Kind::Trickle],
        100,
        Duration::from_millis(300),
        Duration::from_secs(60),
    );
    assert_eq!(siege.counters.opened.load(Ordering::SeqCst), 300);
    // A phone asking 20 times while the siege goes on (and its connections
    // are cut and reopened) is answered every time.
    assert_eq!(answered(server.addr, 20), 20);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(answered(server.addr, 20), 20);
    assert!(
        siege.counters.closed.load(Ordering::SeqCst) >= 200,
        "the server cut the hostile connections at their deadline"
    );
    drop(siege);
    let (stats, logs) = server.stop_within(Duration::from_secs(10));
    assert!(stats.deadline_passed >= 200, "{stats:?}");
    assert_eq!(stats.turned_away, 0);
    assert!(
        logs.iter()
            .any(|l| l.status == "refused: the 2000 ms deadline passed while reading")
    );
}

#[test]
fn a_request_trickled_after_a_valid_header_is_cut_at_the_deadline() {
    let _one = serial();
    let server = start_with(
        store(),
        ServerOptions {
            deadline: Duration::from_millis(800),
            ..quiet()
        },
    );
    let mut tls = raw_tls(&server.addr.to_string());
    tls.sock
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    // A header announcing 1,000 bytes, then one byte every 100 ms: the
    // server hangs up after its 800 ms, long before the 1,000th byte.
    tls.write_all(&[0x57, 0x01, 0x01, 0x00, 0, 0, 0, 1, 0x03, 0xe8])
        .unwrap();
    tls.flush().unwrap();
    let mut sent = 0;
    let mut buf = [0u8; 64];
    let closed = loop {
        if sent >= 100 {
            break false;
        }
        if tls.write_all(&[0x42]).and_then(|()| tls.flush()).is_err() {
            break true;
        }
        sent += 1;
        match tls.read(&mut buf) {
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            _ => break true,
        }
    };
    assert!(closed && sent < 60, "closed after {sent} trickled bytes");
    let (stats, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.deadline_passed, 1);
    assert_eq!(
        logs[0].status,
        "refused: the 800 ms deadline passed while reading"
    );
}

#[test]
fn shutdown_returns_while_hostile_clients_hold_connections() {
    let _one = serial();
    let server = start_with(
        store(),
        ServerOptions {
            deadline: Duration::from_secs(120),
            shutdown_grace: Duration::from_millis(200),
            max_per_address: 1024,
            ..quiet()
        },
    );
    let siege = Siege::start(
        server.addr,
        &[Kind::Idle, Kind::HalfOpen, Kind::Trickle],
        20,
        Duration::from_millis(500),
        Duration::from_secs(60),
    );
    assert_eq!(answered(server.addr, 1), 1);
    // Without a bound, serve() would wait for the 60 connections' 120 s.
    let (stats, _) = server.stop_within(Duration::from_secs(10));
    assert_eq!(stats.served, 61);
    drop(siege);
}

/// A store that panics when asked about one certificate.
struct PanickingStore {
    inner: MemoryStore,
    poison: CertificateId,
}

impl CertificateStore for PanickingStore {
    fn lookup(&self, id: &CertificateId) -> Result<Option<StoreEntry>, StoreError> {
        if *id == self.poison {
            panic!("the store's disk went away");
        }
        self.inner.lookup(id)
    }
    fn add(&self, c: &[u8], r: &[Function], t: u32) -> Result<CertificateId, StoreError> {
        self.inner.add(c, r, t)
    }
    fn remove(&self, id: &CertificateId) -> Result<bool, StoreError> {
        self.inner.remove(id)
    }
    fn list(&self) -> Result<Listing, StoreError> {
        self.inner.list()
    }
}

#[test]
fn a_panicking_store_costs_one_answer_and_no_slot() {
    let _one = serial();
    let inner = MemoryStore::new();
    inner
        .add(
            cert("callmanager-pub.pem").der(),
            &[Function::CcmTftp],
            3600,
        )
        .unwrap();
    let store = Arc::new(PanickingStore {
        inner,
        poison: certificate_id(cert("capf.pem").der()),
    });
    // Eight slots; twenty panics; then a good answer.
    let server = start_with(
        store,
        ServerOptions {
            max_connections: 8,
            ..quiet()
        },
    );
    let mut c = client(server.addr, Duration::from_secs(3));
    for i in 0..20 {
        assert!(c.verify(&request(i, "capf.pem")).is_err());
    }
    assert_eq!(answered(server.addr, 3), 3);
    let (stats, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.panics, 20);
    assert_eq!(stats.turned_away, 0);
    assert_eq!(
        logs[0].status,
        "refused: the certificate store failed unexpectedly (it panicked)"
    );
}

#[test]
fn a_panicking_log_costs_the_line_and_no_slot() {
    let _one = serial();
    let lines = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&lines);
    let server = start_with(
        store(),
        ServerOptions {
            max_connections: 8,
            log: Arc::new(move |_: &RequestLog| {
                count.fetch_add(1, Ordering::SeqCst);
                panic!("the log's pipe is closed");
            }),
            ..ServerOptions::default()
        },
    );
    assert_eq!(answered(server.addr, 20), 20);
    let (stats, _) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.panics, 20);
    assert_eq!(lines.load(Ordering::SeqCst), 20);
}

/// The child half of the closed-stderr test: a server with the default
/// log, whose port goes to standard output; it stops when standard input
/// closes (or after 60 s).
fn closed_stderr_child() {
    let server = TvsNetServer::bind(
        "127.0.0.1:0",
        &read(&format!("keys/{IDENTITY}")),
        store(),
        ServerOptions {
            max_connections: 16,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    println!("port {}", server.local_addr().unwrap().port());
    std::io::stdout().flush().unwrap();
    let stop = server.shutdown_handle().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        stop.shutdown();
    });
    let watchdog = server.shutdown_handle().unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        watchdog.shutdown();
    });
    server.serve().unwrap();
}

/// Starts this test binary again as a server child (`closed_stderr_child`,
/// through the test `name`); its port. With `read_stderr` false, its
/// standard error is a pipe nobody reads (`keep` holds it open), else it
/// is closed at once.
fn server_child(name: &str, close_stderr: bool) -> (std::process::Child, SocketAddr) {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env("TVS_SIEGE_CHILD", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if close_stderr {
        // Every log line now fails to write (EPIPE).
        drop(child.stderr.take());
    }
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut port = None;
    for _ in 0..20 {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
            break;
        }
        // libtest may have written "test NAME ... " on the same line.
        if let Some((_, p)) = line.trim().rsplit_once("port ") {
            port = Some(p.parse::<u16>().unwrap());
            break;
        }
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], port.expect("the child's port")));
    (child, addr)
}

/// Stops a server child (its standard input closes), within a bound.
fn stop_child(mut child: std::process::Child) {
    drop(child.stdin.take());
    let end = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_default_log_survives_a_closed_standard_error() {
    if std::env::var_os("TVS_SIEGE_CHILD").is_some() {
        closed_stderr_child();
        return;
    }
    let _one = serial();
    let (child, addr) = server_child("the_default_log_survives_a_closed_standard_error", true);
    // Twice its 16 slots: each request's log line fails to write.
    let ok = answered(addr, 32);
    stop_child(child);
    assert_eq!(ok, 32);
}

#[test]
fn the_default_log_never_waits_for_a_full_standard_error() {
    if std::env::var_os("TVS_SIEGE_CHILD").is_some() {
        closed_stderr_child();
        return;
    }
    let _one = serial();
    let (child, addr) = server_child(
        "the_default_log_never_waits_for_a_full_standard_error",
        false,
    );
    // Nobody reads its standard error: the pipe (64 KiB) fills after a
    // few hundred lines. A log that waited for it would hold the workers
    // and stop the answers; 800 requests are answered.
    let ok = answered(addr, 800);
    stop_child(child);
    assert_eq!(ok, 800);
}

#[test]
fn a_header_announcing_more_than_a_request_holds_is_refused_unread() {
    let _one = serial();
    let server = start_with(store(), quiet());
    let mut tls = raw_tls(&server.addr.to_string());
    // A verify request announcing 65,535 bytes, then nothing.
    tls.write_all(&[0x57, 0x01, 0x01, 0x00, 0, 0, 0, 1, 0xff, 0xff])
        .unwrap();
    tls.flush().unwrap();
    let mut buf = [0u8; 16];
    assert!(matches!(tls.read(&mut buf), Ok(0) | Err(_)));
    assert_eq!(answered(server.addr, 1), 1);
    let (_, logs) = server.stop_within(Duration::from_secs(5));
    assert!(logs.iter().any(|l| l.status
        == "refused: the request announces 65535 bytes, more than the 16384 a verify request holds"));
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn connections_add_no_threads() {
    let _one = serial();
    let server = start_with(
        store(),
        ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(60),
            max_per_address: 1024,
            ..quiet()
        },
    );
    assert_eq!(answered(server.addr, 1), 1);
    let before = threads();
    let held: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // The server has accepted them all once a later client is answered.
    assert_eq!(answered(server.addr, 1), 1);
    let during = threads();
    assert!(
        during <= before + 2,
        "{before} threads before, {during} with 300 connections held"
    );
    drop(held);
    server.stop_within(Duration::from_secs(5));
}

#[test]
fn one_address_cannot_take_every_slot() {
    let _one = serial();
    let server = start_with(
        store(),
        ServerOptions {
            max_per_address: 4,
            ..quiet()
        },
    );
    // Four idle connections from 127.0.0.2 take its four slots; a fifth
    // from there is closed at once; 127.0.0.1 is still answered.
    let from = |ip: [u8; 4]| {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.bind(&SocketAddr::from((ip, 0)).into()).unwrap();
        s.connect(&server.addr.into()).unwrap();
        TcpStream::from(s)
    };
    let held: Vec<TcpStream> = (0..4).map(|_| from([127, 0, 0, 2])).collect();
    assert_eq!(answered(server.addr, 1), 1);
    let mut fifth = from([127, 0, 0, 2]);
    fifth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 8];
    assert!(matches!(fifth.read(&mut buf), Ok(0) | Err(_)));
    assert_eq!(answered(server.addr, 3), 3);
    drop(held);
    let (stats, _) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.turned_away, 1);
}

/// A fake TVS server that reads the ClientHello, then answers one byte
/// every 200 ms (the start of a TLS record that never ends), for at most
/// 30 s per connection.
fn trickling_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(8) {
            let Ok(mut tcp) = tcp else { continue };
            std::thread::spawn(move || {
                let mut hello = [0u8; 512];
                let _ = tcp.read(&mut hello);
                let record = [0x16u8, 0x03, 0x03, 0x40, 0x00];
                for i in 0..150 {
                    let byte = record.get(i).copied().unwrap_or(0x02);
                    if tcp.write_all(&[byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    addr
}

#[test]
fn a_client_deadline_holds_against_a_trickling_server() {
    let _one = serial();
    let fake = trickling_server();
    let mut c = client(fake, Duration::from_secs(2));
    let started = Instant::now();
    let err = c.verify(&request(1, "callmanager-pub.pem")).unwrap_err();
    let took = started.elapsed();
    match err {
        NetError::AllFailed { server: 1, error } => assert!(
            matches!(
                *error,
                NetError::Deadline {
                    stage: Stage::Handshake,
                    ..
                }
            ),
            "{error}"
        ),
        other => panic!("{other}"),
    }
    // A bound, not a measurement: per-read timeouts let this run for
    // hours (150 bytes x 200 ms here).
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert_eq!(
        NetError::Deadline {
            deadline: Duration::from_secs(2),
            stage: Stage::Handshake
        }
        .to_string(),
        "the 2000 ms deadline passed while in the TLS handshake"
    );
}

#[test]
fn the_client_fails_over_when_the_first_server_trickles() {
    let _one = serial();
    let fake = trickling_server();
    let server = start_with(store(), quiet());
    let mut c = TvsClient::new(
        &[&fake.to_string(), &server.addr.to_string()],
        ServerTrust::Certificate(cert(IDENTITY).der().to_vec()),
    )
    .unwrap()
    .with_options(ClientOptions {
        connect_timeout: Duration::from_secs(1),
        deadline: Duration::from_secs(1),
    });
    let (index, answer) = c.verify(&request(9, "callmanager-pub.pem")).unwrap();
    assert_eq!(index, 1);
    assert_eq!(answer.session_id, 9);
    server.stop_within(Duration::from_secs(5));
}

#[test]
fn a_phone_asking_a_trickling_tvs_is_refused_not_hung() {
    let _one = serial();
    let fake = trickling_server();
    let clock = ManualClock::new(0);
    let mut phone = Phone::new("SEP0011215A1AE3");
    let mut tvs = TvsClient::new(&[&fake.to_string()], ServerTrust::Deferred)
        .unwrap()
        .with_options(ClientOptions {
            connect_timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(1),
        });
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &read("cucm-ITLFile.tlv"), &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    let started = Instant::now();
    let refused = phone.offer_trust_list(
        "ITLFile.tlv",
        &read("cucm-ITLFile-regen-callmanager.tlv"),
        &mut tvs,
        &clock,
    );
    assert!(refused.is_err(), "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[test]
fn log_lines_escape_what_the_client_sent() {
    let line = RequestLog {
        peer: Some(SocketAddr::from(([127, 0, 0, 1], 5000))),
        device: Some("CP-7965-SEP0011215A1AE3".into()),
        subject: Some("CN=pub\ntvs: 10.0.0.9 device X asked about Y: valid\u{202e}".into()),
        serial: Some("01".into()),
        status: "valid".into(),
    };
    let text = line.to_string();
    assert!(!text.contains('\n'));
    assert_eq!(
        text,
        "tvs: 127.0.0.1:5000 device CP-7965-SEP0011215A1AE3 asked about CN=pub\\u{a}tvs: 10.0.0.9 device X asked about Y: valid\\u{202e} (serial 01): valid"
    );
}

#[test]
fn a_deferred_client_sends_nothing_on_a_connection_nobody_checked() {
    use cisco_itl::tvs::server::TrustVerifier;
    let _one = serial();
    let server = start_with(store(), quiet());
    let mut deferred = TvsClient::new(&[&server.addr.to_string()], ServerTrust::Deferred).unwrap();
    let wire = request(3, "callmanager-pub.pem").encode().unwrap();
    // No certificate asked for (so none checked): nothing is sent.
    assert_eq!(deferred.exchange(0, &wire), None);
    // The usual order: the certificate, then the exchange on that connection.
    assert!(deferred.server_certificate(0).is_some());
    assert!(deferred.exchange(0, &wire).is_some());
    // A pinned client authenticates a new connection itself.
    let mut pinned = client(server.addr, Duration::from_secs(3));
    assert!(pinned.exchange(0, &wire).is_some());
    let (_, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(logs.iter().filter(|l| l.status == "valid").count(), 2);
}
