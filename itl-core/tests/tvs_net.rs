//! TVS over TLS on loopback (127.0.0.1 only; every exchange bounded by
//! timeouts): our client against our server, server authentication as a
//! phone does it, refusals that leave the server serving, the read
//! timeout, 200 concurrent clients, and the phone's rule 5 end to end.
#![cfg(feature = "tvs-net")]
#![cfg(test)]

mod common;
use common::tls::{drain, raw_tls};
use common::*;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cisco_itl::Function;
use cisco_itl::phone::{ManualClock, Phone, Trust};
use cisco_itl::tvs::codec::{Verdict, VerifyRequest, VerifyResponse};
use cisco_itl::tvs::net::{
    NetError, RequestLog, ServeStats, ServerOptions, ServerTrust, ShutdownHandle, TvsClient,
    TvsNetServer,
};
use cisco_itl::tvs::store::{CertificateStore, MemoryStore};

/// The server's TLS identity: the subscriber's 2048-bit `TVS.pem`, which
/// `cucm-ITLFile.tlv` names in its TVS record for `cucm-1051-a-sub1`.
const IDENTITY: &str = "tvs-sub1.pem";

struct Running {
    addr: SocketAddr,
    stop: ShutdownHandle,
    thread: std::thread::JoinHandle<ServeStats>,
    logs: Arc<Mutex<Vec<RequestLog>>>,
}

impl Running {
    fn address(&self) -> String {
        self.addr.to_string()
    }

    fn stop(self) -> (ServeStats, Vec<RequestLog>) {
        self.stop.shutdown();
        let stats = self.thread.join().unwrap();
        let logs = self.logs.lock().unwrap().clone();
        (stats, logs)
    }
}

fn start(store: Arc<dyn CertificateStore>, read_timeout: Duration) -> Running {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
    let options = ServerOptions {
        deadline: read_timeout,
        // Every client of these tests comes from 127.0.0.1.
        max_per_address: 256,
        log: Arc::new(move |line: &RequestLog| sink.lock().unwrap().push(line.clone())),
        ..ServerOptions::default()
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
    let thread = std::thread::spawn(move || server.serve().unwrap());
    Running {
        addr,
        stop,
        thread,
        logs,
    }
}

fn store_with(entries: &[(&str, &[Function], u32)]) -> Arc<dyn CertificateStore> {
    let store = MemoryStore::new();
    for (key, roles, ttl) in entries {
        store.add(cert(key).der(), roles, *ttl).unwrap();
    }
    Arc::new(store)
}

fn request(session_id: u32, key: &str) -> VerifyRequest<'static> {
    VerifyRequest {
        session_id,
        device_name: "CP-7965-SEP0011215A1AE3".parse().unwrap(),
        certificate: cert(key).der().to_vec().into(),
    }
}

#[test]
fn client_and_server_over_tls() {
    let server = start(
        store_with(&[(
            "callmanager-pub.pem",
            &[Function::CcmTftp, Function::Tvs],
            3600,
        )]),
        Duration::from_secs(5),
    );
    // Pinned to the server's certificate, and authenticated through the ITL.
    for trust in [
        ServerTrust::Certificate(cert(IDENTITY).der().to_vec()),
        ServerTrust::Lists(vec![read("cucm-ITLFile.tlv")]),
    ] {
        let mut client = TvsClient::new(&[&server.address()], trust).unwrap();
        let (index, answer) = client.verify(&request(7, "callmanager-pub.pem")).unwrap();
        assert_eq!(index, 0);
        assert_eq!(answer.session_id, 7);
        assert_eq!(
            answer.verdict,
            VerifyResponse::valid(0, [Function::CcmTftp, Function::Tvs], 3600)
                .unwrap()
                .verdict
        );
        let (_, answer) = client.verify(&request(8, "capf.pem")).unwrap();
        assert_eq!(answer.verdict, Verdict::Invalid);
    }
    let (stats, logs) = server.stop();
    assert_eq!(stats.served, 4);
    assert_eq!(logs.len(), 4);
    assert!(logs.iter().any(|l| {
        l.status == "valid"
            && l.device.as_deref() == Some("CP-7965-SEP0011215A1AE3")
            && l.subject
                .as_deref()
                .is_some_and(|s| s.starts_with("CN=cucm-1051-a-pub"))
    }));
    assert!(logs.iter().any(|l| l.status == "invalid"));
}

#[test]
fn a_server_the_itl_does_not_name_is_refused() {
    let server = start(
        store_with(&[("callmanager-pub.pem", &[Function::CcmTftp], 3600)]),
        Duration::from_secs(5),
    );
    // The regenerated-CallManager ITL names the same TVS records; an ITL of
    // the peer implementation names another TVS, and a pinned certificate
    // that is not the server's is refused too.
    for trust in [
        ServerTrust::Lists(vec![read("peer-ITLFile-sha1.tlv")]),
        ServerTrust::Certificate(cert("tvs-pub.pem").der().to_vec()),
    ] {
        let mut client = TvsClient::new(&[&server.address()], trust).unwrap();
        let err = client
            .verify(&request(1, "callmanager-pub.pem"))
            .unwrap_err();
        match err {
            NetError::AllFailed { server: 1, error } => {
                assert!(
                    matches!(*error, NetError::Io(_) | NetError::Tls(_)),
                    "{error}"
                )
            }
            other => panic!("{other}"),
        }
    }
    server.stop();
}

#[test]
fn malformed_and_oversized_frames_are_refused_and_the_server_keeps_serving() {
    let server = start(
        store_with(&[("callmanager-pub.pem", &[Function::CcmTftp], 3600)]),
        Duration::from_secs(5),
    );
    let addr = server.address();
    let good = request(3, "callmanager-pub.pem").encode().unwrap();
    let mut bad_name = good.clone();
    bad_name[14] = b'X'; // "CP-" becomes "XP-"
    let mut unknown_tag = good.clone();
    unknown_tag[10 + 3 + 24] = 0x63; // the CERTIFICATE element's tag
    let mut oversized = vec![0x57, 0x01, 0x01, 0x00, 0, 0, 0, 9, 0xff, 0xff];
    oversized.extend(std::iter::repeat_n(0x42, 0xffff));
    for frame in [
        b"GET / HTTP/1.0\r\n\r\n".to_vec(),
        bad_name,
        unknown_tag,
        oversized,
        vec![0x57, 0x01, 0x02, 0x00, 0, 0, 0, 1, 0, 0],
    ] {
        let mut s = raw_tls(&addr);
        s.write_all(&frame).unwrap();
        s.flush().unwrap();
        assert!(drain(&mut s).is_empty(), "no answer to a malformed frame");
    }
    // Still serving.
    let mut client = TvsClient::new(
        &[&addr],
        ServerTrust::Certificate(cert(IDENTITY).der().to_vec()),
    )
    .unwrap();
    let (_, answer) = client.verify(&request(4, "callmanager-pub.pem")).unwrap();
    assert!(matches!(answer.verdict, Verdict::Valid { .. }));
    let (_, logs) = server.stop();
    assert_eq!(
        logs.iter()
            .filter(|l| l.status.starts_with("refused"))
            .count(),
        5
    );
}

#[test]
fn a_silent_client_is_dropped_at_the_deadline() {
    let server = start(
        store_with(&[("callmanager-pub.pem", &[Function::CcmTftp], 3600)]),
        Duration::from_millis(300),
    );
    // A TCP client that never speaks, and a TLS client that never sends
    // its request: the server closes both (the client's own read timeout
    // of 10 s is only a bound for this test).
    let mut silent = TcpStream::connect(server.addr).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(drain(&mut silent).is_empty());
    let mut quiet = raw_tls(&server.address());
    let _ = quiet.conn.complete_io(&mut quiet.sock);
    assert!(drain(&mut quiet).is_empty());
    let (stats, logs) = server.stop();
    assert!(stats.served >= 2);
    assert!(
        logs.iter()
            .filter(|l| l.status.starts_with("refused"))
            .count()
            >= 2
    );
}

#[test]
fn two_hundred_concurrent_clients_get_correct_answers() {
    let server = start(
        store_with(&[
            ("callmanager-pub.pem", &[Function::CcmTftp], 3600),
            ("capf.pem", &[Function::Capf], 60),
        ]),
        Duration::from_secs(10),
    );
    let addr = server.address();
    let pinned = cert(IDENTITY).der().to_vec();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..200u32)
            .map(|i| {
                let (addr, pinned) = (addr.clone(), pinned.clone());
                scope.spawn(move || {
                    let mut client =
                        TvsClient::new(&[&addr], ServerTrust::Certificate(pinned)).unwrap();
                    let key = ["callmanager-pub.pem", "capf.pem", "tvs-pub.pem"][i as usize % 3];
                    let (_, answer) = client.verify(&request(i, key)).unwrap();
                    assert_eq!(answer.session_id, i);
                    let expected = match i % 3 {
                        0 => {
                            VerifyResponse::valid(0, [Function::CcmTftp], 3600)
                                .unwrap()
                                .verdict
                        }
                        1 => {
                            VerifyResponse::valid(0, [Function::Capf], 60)
                                .unwrap()
                                .verdict
                        }
                        _ => Verdict::Invalid,
                    };
                    assert_eq!(answer.verdict, expected);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let (stats, _) = server.stop();
    assert_eq!(stats.served, 200);
    assert_eq!(stats.turned_away, 0);
}

#[test]
fn fail_over_to_the_second_server() {
    let server = start(
        store_with(&[("callmanager-pub.pem", &[Function::CcmTftp], 3600)]),
        Duration::from_secs(5),
    );
    // The first address refuses connections (nothing listens there).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = closed.local_addr().unwrap().to_string();
    drop(closed);
    let mut client = TvsClient::new(
        &[&dead, &server.address()],
        ServerTrust::Lists(vec![read("cucm-ITLFile.tlv")]),
    )
    .unwrap();
    let (index, _) = client.verify(&request(5, "callmanager-pub.pem")).unwrap();
    assert_eq!(index, 1);
    server.stop();
}

#[test]
fn the_phone_accepts_a_regenerated_callmanager_through_a_live_tvs() {
    let server = start(
        store_with(&[(
            "callmanager-pub-regenerated.pem",
            &[Function::CcmTftp],
            86_400,
        )]),
        Duration::from_secs(5),
    );
    let clock = ManualClock::new(0);
    let mut phone = Phone::new("SEP0011215A1AE3");
    let mut tvs = TvsClient::new(&[&server.address()], ServerTrust::Deferred).unwrap();
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &read("cucm-ITLFile.tlv"), &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    // Rule 5: the new ITL's signer is unknown to the installed ITL; the
    // phone authenticates the live server against its ITL's TVS record for
    // the subscriber, asks, and is told "valid, CCM+TFTP".
    assert_eq!(
        phone.offer_trust_list(
            "ITLFile.tlv",
            &read("cucm-ITLFile-regen-callmanager.tlv"),
            &mut tvs,
            &clock
        ),
        Ok(Trust::Tvs { server: 0 })
    );
    let (_, logs) = server.stop();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].status, "valid");
    assert_eq!(logs[0].device.as_deref(), Some("CP-7965-SEP0011215A1AE3"));
}
