//! Legacy TLS for TVS (the `legacy-tls` feature), on loopback only:
//! the legacy server with the 1024-bit `TVS.pem` of the vectors answers a
//! TLS 1.0 AES256-SHA client (OpenSSL's command line, Python's `ssl`, the
//! `openssl` crate), our legacy client authenticates it through the ITL,
//! the default server refuses that client, and the siege properties hold
//! for legacy connections (deadline, slots, limits, shutdown). Every loop
//! is bounded in count and time.
#![cfg(feature = "legacy-tls")]
#![cfg(test)]

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cisco_itl::Function;
use cisco_itl::phone::TvsAuthError;
use cisco_itl::tvs::codec::{VerifyRequest, VerifyResponse};
use cisco_itl::tvs::net::{
    ClientOptions, LEGACY_TLS_WARNING, NetError, RequestLog, ServeStats, ServerOptions,
    ServerTrust, ShutdownHandle, Stage, TvsClient, TvsNetServer,
};
use cisco_itl::tvs::server::TrustVerifier;
use cisco_itl::tvs::store::{CertificateStore, MemoryStore};
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslStream, SslVerifyMode, SslVersion};

/// The 1024-bit TVS identity of the vectors' cluster, named by the TVS
/// record of `cucm-ITLFile.tlv`.
const OLD_TVS: &str = "tvs-pub.pem";
/// A 2048-bit TVS identity, which the default server takes.
const NEW_TVS: &str = "tvs-sub1.pem";

struct Running {
    addr: SocketAddr,
    stop: ShutdownHandle,
    done: std::sync::mpsc::Receiver<ServeStats>,
    logs: Arc<Mutex<Vec<RequestLog>>>,
}

impl Running {
    /// Stops the server; its stats and log lines. Panics when it has not
    /// returned within `bound`.
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

/// Starts a server on 127.0.0.1 with `identity` (a key file of the
/// vectors), legacy or not, whose log lines are kept.
fn start(identity: &str, legacy: bool, options: ServerOptions) -> Running {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
    let options = ServerOptions {
        log: Arc::new(move |line: &RequestLog| sink.lock().unwrap().push(line.clone())),
        ..options
    };
    let pem = read(&format!("keys/{identity}"));
    let server = if legacy {
        TvsNetServer::bind_legacy("127.0.0.1:0", &pem, store(), options)
    } else {
        TvsNetServer::bind("127.0.0.1:0", &pem, store(), options)
    }
    .unwrap();
    assert_eq!(server.is_legacy(), legacy);
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

fn store() -> Arc<dyn CertificateStore> {
    let store = MemoryStore::new();
    store
        .add(
            cert("callmanager-pub.pem").der(),
            &[Function::CcmTftp, Function::Tvs],
            3600,
        )
        .unwrap();
    Arc::new(store)
}

fn request(session_id: u32) -> VerifyRequest<'static> {
    VerifyRequest {
        session_id,
        device_name: "CP-7965-SEP0011215A1AE3".parse().unwrap(),
        certificate: cert("callmanager-pub.pem").der().to_vec().into(),
    }
}

/// The answer the store gives for `request(session_id)`.
fn valid(session_id: u32) -> VerifyResponse<'static> {
    VerifyResponse::valid(session_id, [Function::CcmTftp, Function::Tvs], 3600).unwrap()
}

fn options(deadline: Duration) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(1),
        deadline,
    }
}

fn legacy_client(addr: SocketAddr, trust: ServerTrust) -> TvsClient {
    let client = TvsClient::new_legacy(&[&addr.to_string()], trust)
        .unwrap()
        .with_options(options(Duration::from_secs(5)));
    assert!(client.is_legacy());
    client
}

fn itl() -> ServerTrust {
    ServerTrust::Lists(vec![read("cucm-ITLFile.tlv")])
}

/// A phone-like TLS client of the `openssl` crate that speaks only TLS
/// 1.0 with one cipher suite (and checks no certificate).
fn tls1(addr: SocketAddr, cipher: &str) -> SslStream<TcpStream> {
    tls1_handshake(addr, cipher).unwrap()
}

/// Runs `command` with `input` on its standard input; its exit status
/// and standard output. Killed after 20 s.
fn run(command: &mut Command, input: &[u8]) -> (bool, Vec<u8>) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < end, "{command:?} did not end in 20 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.success(), reader.join().unwrap())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `openssl s_client -tls1 -cipher AES256-SHA:@SECLEVEL=0`, as a
/// 7900-series phone speaks, sending `input` once the handshake is done.
fn s_client(addr: SocketAddr, input: &[u8]) -> (bool, Vec<u8>) {
    run(
        Command::new("openssl").args([
            "s_client",
            "-tls1",
            "-cipher",
            "AES256-SHA:@SECLEVEL=0",
            "-connect",
            &addr.to_string(),
            "-ign_eof",
            "-nocommands",
        ]),
        input,
    )
}

#[test]
fn openssl_s_client_speaking_tls1_aes256_sha_is_answered_by_the_legacy_server() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    let wire = request(0x7965).encode().unwrap();
    let (ok, out) = s_client(server.addr, &wire);
    let text = String::from_utf8_lossy(&out);
    assert!(ok, "{text}");
    assert!(text.contains("Protocol  : TLSv1\n"), "{text}");
    assert!(text.contains("Cipher    : AES256-SHA\n"), "{text}");
    assert!(text.contains("Server public key is 1024 bit"), "{text}");
    // The answer came back inside TLS 1.0.
    assert!(
        contains(&out, &valid(0x7965).encode().unwrap()),
        "no answer in {text}"
    );
    let (stats, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!((stats.served, stats.deadline_passed), (1, 0));
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].status, "valid");
    assert_eq!(logs[0].device.as_deref(), Some("CP-7965-SEP0011215A1AE3"));
}

#[test]
fn the_default_server_refuses_the_tls1_client() {
    let server = start(NEW_TVS, false, ServerOptions::default());
    let wire = request(1).encode().unwrap();
    let (ok, out) = s_client(server.addr, &wire);
    let text = String::from_utf8_lossy(&out);
    assert!(!ok, "{text}");
    assert!(text.contains("Cipher is (NONE)"), "{text}");
    assert!(!text.contains("AES256-SHA\n"), "{text}");
    assert!(!contains(&out, &valid(1).encode().unwrap()));
    let (_, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(logs.len(), 1);
    assert!(
        logs[0].status.starts_with("refused: TLS error: "),
        "{}",
        logs[0].status
    );
    assert_eq!(logs[0].device, None);
}

#[test]
fn tls1_clients_of_both_rsa_suites_are_answered() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    for (i, cipher) in ["AES256-SHA", "AES128-SHA"].into_iter().enumerate() {
        let mut tls = tls1(server.addr, cipher);
        assert_eq!(tls.ssl().version_str(), "TLSv1");
        assert_eq!(tls.ssl().current_cipher().unwrap().name(), cipher);
        let session = u32::try_from(i).unwrap();
        tls.write_all(&request(session).encode().unwrap()).unwrap();
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer);
        assert_eq!(VerifyResponse::decode(&answer).unwrap(), valid(session));
    }
    server.stop_within(Duration::from_secs(5));
}

/// The handshake of a TLS 1.0 client offering only `cipher`.
fn tls1_handshake(addr: SocketAddr, cipher: &str) -> Result<SslStream<TcpStream>, String> {
    let mut b = SslConnector::builder(SslMethod::tls_client()).unwrap();
    b.set_min_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_max_proto_version(Some(SslVersion::TLS1)).unwrap();
    b.set_cipher_list(&format!("{cipher}:@SECLEVEL=0")).unwrap();
    b.set_verify(SslVerifyMode::NONE);
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    b.build()
        .configure()
        .unwrap()
        .verify_hostname(false)
        .use_server_name_indication(false)
        .connect("tvs", tcp)
        .map_err(|e| e.to_string())
}

#[test]
fn suites_without_encryption_or_authentication_are_refused() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    // The client would take them: the server refuses every one.
    for cipher in ["NULL-SHA", "ADH-AES256-SHA", "AECDH-AES256-SHA"] {
        let refused = tls1_handshake(server.addr, cipher);
        assert!(refused.is_err(), "{cipher} was accepted");
    }
    assert!(tls1_handshake(server.addr, "AES128-SHA").is_ok());
    let (stats, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.served, 4);
    // Each refusal is logged as a TLS failure from OpenSSL.
    let refusals: Vec<&str> = logs
        .iter()
        .map(|l| l.status.as_str())
        .filter(|s| s.starts_with("refused: TLS error: "))
        .collect();
    assert_eq!(refusals.len(), 3, "{logs:?}");
    assert!(
        refusals.iter().all(|s| s.contains("no shared cipher")),
        "{refusals:?}"
    );
}

#[test]
fn python_ssl_speaking_tls1_aes256_sha_is_answered() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    let script = r#"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1
ctx.maximum_version = ssl.TLSVersion.TLSv1
ctx.set_ciphers("AES256-SHA:@SECLEVEL=0")
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
    with ctx.wrap_socket(raw) as tls:
        tls.sendall(sys.stdin.buffer.read())
        answer = b""
        while True:
            chunk = tls.recv(4096)
            if not chunk:
                break
            answer += chunk
        print(tls.version(), tls.cipher()[0], answer.hex())
"#;
    let wire = request(42).encode().unwrap();
    let (ok, out) = run(
        Command::new("python3").args(["-c", script, &server.addr.port().to_string()]),
        &wire,
    );
    let text = String::from_utf8(out).unwrap();
    assert!(ok, "{text}");
    let hex: String = valid(42)
        .encode()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(text.trim(), format!("TLSv1 AES256-SHA {hex}"));
    server.stop_within(Duration::from_secs(5));
}

#[test]
fn our_legacy_client_authenticates_the_legacy_server_through_the_itl() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    for trust in [
        itl(),
        ServerTrust::Certificate(cert(OLD_TVS).der().to_vec()),
    ] {
        let mut client = legacy_client(server.addr, trust);
        let (index, answer) = client.verify(&request(9)).unwrap();
        assert_eq!((index, answer), (0, valid(9)));
    }
    // As a phone's verifier: the certificate the server proved it holds.
    let mut client = legacy_client(server.addr, ServerTrust::Deferred);
    assert_eq!(
        client.server_certificate(0),
        Some(cert(OLD_TVS).der().to_vec())
    );
    let answer = client.exchange(0, &request(10).encode().unwrap()).unwrap();
    assert_eq!(VerifyResponse::decode(&answer).unwrap(), valid(10));
    let (_, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(logs.iter().filter(|l| l.status == "valid").count(), 3);
}

#[test]
fn the_legacy_client_refuses_a_server_its_trust_does_not_name_before_sending_anything() {
    let server = start(OLD_TVS, true, ServerOptions::default());
    for (trust, reason) in [
        // The ITL of the other implementation names another TVS.
        (
            ServerTrust::Lists(vec![read("peer-ITLFile-sha1.tlv")]),
            TvsAuthError::NoTvsRecord,
        ),
        (
            ServerTrust::Certificate(cert(NEW_TVS).der().to_vec()),
            TvsAuthError::NoTvsRecord,
        ),
    ] {
        let mut client = legacy_client(server.addr, trust);
        match client.verify(&request(1)).unwrap_err() {
            NetError::AllFailed { server: 1, error } => match *error {
                NetError::Tls(rustls::Error::General(message)) => {
                    assert_eq!(message, reason.to_string())
                }
                other => panic!("{other}"),
            },
            other => panic!("{other}"),
        }
    }
    // The rustls client refuses the same way (a wrong pin).
    let mut modern = TvsClient::new(
        &[&server.addr.to_string()],
        ServerTrust::Certificate(cert(NEW_TVS).der().to_vec()),
    )
    .unwrap()
    .with_options(options(Duration::from_secs(5)));
    assert!(modern.verify(&request(1)).is_err());
    let (_, logs) = server.stop_within(Duration::from_secs(5));
    // The server never saw a request: the client hung up after the
    // handshake.
    assert_eq!(logs.len(), 3);
    assert!(logs.iter().all(|l| l.device.is_none()), "{logs:?}");
}

#[test]
fn legacy_and_default_ends_still_meet_on_modern_tls() {
    // A legacy server with a 2048-bit identity answers the default client
    // (ECDHE, TLS 1.2+)...
    let server = start(NEW_TVS, true, ServerOptions::default());
    let mut modern = TvsClient::new(
        &[&server.addr.to_string()],
        ServerTrust::Certificate(cert(NEW_TVS).der().to_vec()),
    )
    .unwrap()
    .with_options(options(Duration::from_secs(5)));
    assert!(!modern.is_legacy());
    assert_eq!(modern.verify(&request(3)).unwrap(), (0, valid(3)));
    server.stop_within(Duration::from_secs(5));
    // ...and the legacy client asks the default server.
    let server = start(NEW_TVS, false, ServerOptions::default());
    let mut client = legacy_client(
        server.addr,
        ServerTrust::Certificate(cert(NEW_TVS).der().to_vec()),
    );
    assert_eq!(client.verify(&request(4)).unwrap(), (0, valid(4)));
    server.stop_within(Duration::from_secs(5));
    // A modern OpenSSL client gets TLS 1.3 from the legacy server, not
    // RSA key exchange.
    let server = start(OLD_TVS, true, ServerOptions::default());
    let connector = SslConnector::builder(SslMethod::tls_client()).unwrap();
    let mut b = connector;
    b.set_cipher_list("DEFAULT:@SECLEVEL=0").unwrap();
    b.set_verify(SslVerifyMode::NONE);
    let tcp = TcpStream::connect(server.addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let tls = b
        .build()
        .configure()
        .unwrap()
        .verify_hostname(false)
        .connect("tvs", tcp)
        .unwrap();
    assert_eq!(tls.ssl().version_str(), "TLSv1.3");
    drop(tls);
    server.stop_within(Duration::from_secs(5));
}

#[test]
fn identities_the_legacy_server_takes_and_refuses() {
    // The default server refuses the 1024-bit TVS.pem; the legacy one
    // takes it.
    let old = read(&format!("keys/{OLD_TVS}"));
    let err =
        TvsNetServer::bind("127.0.0.1:0", &old, store(), ServerOptions::default()).unwrap_err();
    assert!(matches!(err, NetError::Identity(_)), "{err}");
    assert!(
        TvsNetServer::bind_legacy("127.0.0.1:0", &old, store(), ServerOptions::default()).is_ok()
    );
    // A 512-bit RSA key is refused even so, and so is an EC key.
    let weak = PKey::from_rsa(openssl::rsa::Rsa::generate(512).unwrap()).unwrap();
    match TvsNetServer::bind_legacy(
        "127.0.0.1:0",
        &self_signed(&weak),
        store(),
        ServerOptions::default(),
    ) {
        Err(NetError::Identity(m)) => assert_eq!(
            m,
            "a legacy TLS identity must be an RSA key of at least 1024 bits; this one is a 512-bit RSA key"
        ),
        other => panic!("{other:?}"),
    }
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap();
    let ec = PKey::from_ec_key(openssl::ec::EcKey::generate(&group).unwrap()).unwrap();
    match TvsNetServer::bind_legacy(
        "127.0.0.1:0",
        &self_signed(&ec),
        store(),
        ServerOptions::default(),
    ) {
        Err(NetError::Identity(m)) => assert_eq!(
            m,
            "a legacy TLS identity must be an RSA key of at least 1024 bits; this one is a 256-bit non-RSA key"
        ),
        other => panic!("{other:?}"),
    }
    // A key that is not the certificate's.
    let mut mismatched = pem_block(&old, "RSA PRIVATE KEY");
    mismatched.extend(pem_block(&read(&format!("keys/{NEW_TVS}")), "CERTIFICATE"));
    match TvsNetServer::bind_legacy(
        "127.0.0.1:0",
        &mismatched,
        store(),
        ServerOptions::default(),
    ) {
        Err(NetError::Identity(m)) => assert!(
            m.starts_with("the private key does not match the first certificate"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    // No key, no certificate.
    for pem in [
        pem_block(&old, "CERTIFICATE"),
        pem_block(&old, "RSA PRIVATE KEY"),
        b"nothing".to_vec(),
    ] {
        let err = TvsNetServer::bind_legacy("127.0.0.1:0", &pem, store(), ServerOptions::default())
            .unwrap_err();
        assert!(matches!(err, NetError::Identity(_)), "{err}");
    }
}

/// The PEM block of `label` in `pem`.
fn pem_block(pem: &[u8], label: &str) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let from = text.find(&begin).unwrap();
    let to = text[from..].find(&end).unwrap() + from + end.len();
    format!("{}\n", &text[from..to]).into_bytes()
}

/// A PEM identity: `key` (PKCS#8) and a self-signed certificate of it.
fn self_signed(key: &PKey<openssl::pkey::Private>) -> Vec<u8> {
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "test-tvs").unwrap();
    let name = name.build();
    let mut x = openssl::x509::X509Builder::new().unwrap();
    x.set_version(2).unwrap();
    x.set_subject_name(&name).unwrap();
    x.set_issuer_name(&name).unwrap();
    x.set_pubkey(key).unwrap();
    x.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    x.set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    x.sign(key, openssl::hash::MessageDigest::sha256()).unwrap();
    let mut pem = key.private_key_to_pem_pkcs8().unwrap();
    pem.extend(x.build().to_pem().unwrap());
    pem
}

#[test]
fn a_trickled_legacy_request_is_cut_at_the_deadline() {
    let server = start(
        OLD_TVS,
        true,
        ServerOptions {
            deadline: Duration::from_millis(800),
            ..ServerOptions::default()
        },
    );
    let mut tls = tls1(server.addr, "AES256-SHA");
    tls.get_ref()
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    // A header announcing 1,000 bytes, then one byte every 100 ms: the
    // server hangs up after its 800 ms, long before the 1,000th byte.
    tls.write_all(&[0x57, 0x01, 0x01, 0x00, 0, 0, 0, 1, 0x03, 0xe8])
        .unwrap();
    let mut sent = 0;
    let mut buf = [0u8; 64];
    let closed = loop {
        if sent >= 100 {
            break false;
        }
        if tls.write_all(&[0x42]).is_err() {
            break true;
        }
        sent += 1;
        match tls.ssl_read(&mut buf) {
            Err(e)
                if e.io_error().is_some_and(|io| {
                    matches!(
                        io.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    )
                }) => {}
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

/// Opens a TCP connection that sends half a ClientHello and then nothing.
fn half_handshake(addr: SocketAddr) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    tcp.write_all(&[0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00])
        .unwrap();
    tcp
}

/// Whether the server closed `tcp` within `bound`.
fn closed_within(tcp: &mut TcpStream, bound: Duration) -> bool {
    let end = Instant::now() + bound;
    let mut buf = [0u8; 64];
    while Instant::now() < end {
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn stalled_legacy_handshakes_are_cut_and_their_slots_come_back() {
    let server = start(
        OLD_TVS,
        true,
        ServerOptions {
            max_connections: 2,
            max_per_address: 2,
            deadline: Duration::from_millis(700),
            ..ServerOptions::default()
        },
    );
    let mut stalled = [half_handshake(server.addr), half_handshake(server.addr)];
    // Both slots are held: a third connection is turned away at once.
    std::thread::sleep(Duration::from_millis(100));
    let mut client = TvsClient::new_legacy(&[&server.addr.to_string()], itl())
        .unwrap()
        .with_options(options(Duration::from_millis(500)));
    assert!(client.verify(&request(1)).is_err());
    // The deadline cuts both; their slots come back and a phone is
    // answered, twice over the limit.
    for tcp in &mut stalled {
        assert!(closed_within(tcp, Duration::from_secs(5)));
    }
    let mut client = legacy_client(server.addr, itl());
    for i in 0..4 {
        assert_eq!(client.verify(&request(i)).unwrap(), (0, valid(i)));
    }
    let (stats, logs) = server.stop_within(Duration::from_secs(5));
    assert_eq!(stats.deadline_passed, 2);
    assert!(stats.turned_away >= 1, "{stats:?}");
    assert_eq!(
        logs.iter()
            .filter(|l| l.status == "refused: the 700 ms deadline passed while reading")
            .count(),
        2
    );
    assert_eq!(logs.iter().filter(|l| l.status == "valid").count(), 4);
}

#[test]
fn shutdown_returns_while_legacy_connections_are_held() {
    let server = start(
        OLD_TVS,
        true,
        ServerOptions {
            deadline: Duration::from_secs(120),
            shutdown_grace: Duration::from_millis(200),
            ..ServerOptions::default()
        },
    );
    let _idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let _half: Vec<TcpStream> = (0..5).map(|_| half_handshake(server.addr)).collect();
    // A TLS 1.0 client that finished its handshake and says nothing.
    let _silent = tls1(server.addr, "AES256-SHA");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let (stats, _) = server.stop_within(Duration::from_secs(10));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(stats.served, 11);
}

/// A fake server that reads the ClientHello, then sends one byte every
/// 200 ms (a TLS record that never ends), for at most 30 s.
fn trickling_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for tcp in listener.incoming().take(4) {
            let Ok(mut tcp) = tcp else { continue };
            std::thread::spawn(move || {
                let mut hello = [0u8; 512];
                let _ = tcp.read(&mut hello);
                let record = [0x16u8, 0x03, 0x01, 0x40, 0x00];
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
fn the_legacy_client_deadline_holds_against_a_trickling_server() {
    let fake = trickling_server();
    let mut client = TvsClient::new_legacy(&[&fake.to_string()], itl())
        .unwrap()
        .with_options(options(Duration::from_secs(2)));
    let started = Instant::now();
    match client.verify(&request(1)).unwrap_err() {
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
    // A bound, not a measurement: 150 bytes x 200 ms without a deadline.
    assert!(started.elapsed() < Duration::from_secs(6));
}

/// The child half of the warning test: a legacy server with the default
/// log that stops itself at once.
fn warning_child() {
    let server = TvsNetServer::bind_legacy(
        "127.0.0.1:0",
        &read(&format!("keys/{OLD_TVS}")),
        store(),
        ServerOptions::default(),
    )
    .unwrap();
    server.shutdown_handle().unwrap().shutdown();
    server.serve().unwrap();
    let quiet = TvsNetServer::bind(
        "127.0.0.1:0",
        &read(&format!("keys/{NEW_TVS}")),
        store(),
        ServerOptions::default(),
    )
    .unwrap();
    quiet.shutdown_handle().unwrap().shutdown();
    quiet.serve().unwrap();
}

#[test]
fn a_legacy_server_warns_once_when_it_starts() {
    if std::env::var_os("TVS_LEGACY_CHILD").is_some() {
        warning_child();
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_legacy_server_warns_once_when_it_starts",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TVS_LEGACY_CHILD", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = err.read_to_string(&mut out);
        out
    });
    let end = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("the child did not end in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let stderr = reader.join().unwrap();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("legacy TLS"))
        .collect();
    assert_eq!(warnings, [LEGACY_TLS_WARNING], "{stderr}");
    assert!(LEGACY_TLS_WARNING.contains("TLS 1.0"));
    assert!(LEGACY_TLS_WARNING.contains("no forward secrecy"));
}
