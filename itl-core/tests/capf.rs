//! CAPF: the codec byte for byte (every message of the install flow, each
//! error on a crafted input, proptest round trips), the device store, the
//! issuer checked by OpenSSL, and our client against our server over TLS
//! on loopback (127.0.0.1 and 127.0.0.2 only; every exchange bounded by a
//! deadline): password, none, LSC proofs, RSA and EC keys, refusals that
//! change no row, a server the ITL does not name, concurrent enrolments
//! and a siege of idle connections.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use cisco_itl::capf::codec::{
    AuthType, CapfError, CertType, Command, Curve, ElementTag, Frame, KeyRequest, Reason,
};
use proptest::prelude::*;

const S: u32 = 0x0102_0304;
const DEVICE: &str = "SEP001122334455";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- codec

#[test]
fn the_install_flow_byte_for_byte() {
    let auth = Frame::auth_request(S, AuthType::Password)
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(hex(&auth), "55010102030400080700010308000101");

    let answer = Frame::auth_response(S, 3, DEVICE)
        .unwrap()
        .with_text(ElementTag::Password, "1234")
        .unwrap()
        .encode()
        .unwrap();
    let expected = format!(
        "550201020304002301000101070001030d0010{}000b000531323334 00",
        hex(DEVICE.as_bytes())
    )
    .replace(' ', "");
    assert_eq!(hex(&answer), expected);

    let keygen = Frame::key_gen_request(S, KeyRequest::Rsa(2048))
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(hex(&keygen), "5503010203040009110001000a00020800");
    let ec = Frame::key_gen_request(S, KeyRequest::Ec(Curve::P384))
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(
        hex(&ec),
        "550301020304000811000101120001 01".replace(' ', "")
    );

    let key = Frame::key_gen_response(S, &[0x30, 0x00])
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(hex(&key), "55040102030400050900023000");

    let der = [0x30, 0x03, 0x02, 0x01, 0x05];
    let store = Frame::certificate_request(Command::StoreCertRequest, S, &der)
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(
        hex(&store),
        "550901020304001103000101040 00a0100070001 3003020105".replace(' ', "")
    );
    let stored = Frame::with_reason(Command::StoreCertResponse, S, Reason::Ok)
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(hex(&stored), "550a0102030400040100 0101".replace(' ', ""));
    let end = Frame::with_reason(Command::EndSession, S, Reason::Ok)
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(hex(&end), "550f010203040004010001 01".replace(' ', ""));
    let delete = Frame::delete_request(S).unwrap().encode().unwrap();
    assert_eq!(hex(&delete), "550d01020304000403000101");
}

#[test]
fn decoded_messages_give_their_elements() {
    let answer = Frame::auth_response(S, 2, DEVICE)
        .unwrap()
        .with_text(ElementTag::Password, "1234")
        .unwrap()
        .encode()
        .unwrap();
    let frame = Frame::decode(&answer).unwrap();
    assert_eq!(frame.command, Command::AuthResponse);
    assert_eq!(frame.session_id, S);
    assert_eq!(frame.reason().unwrap(), Reason::Ok);
    assert_eq!(frame.version().unwrap(), 2);
    assert_eq!(frame.device_name().unwrap(), DEVICE);
    assert_eq!(frame.password().unwrap(), "1234");
    assert_eq!(frame.encode().unwrap(), answer);

    let der = [0x30, 0x03, 0x02, 0x01, 0x05];
    let wire = Frame::certificate_request(Command::FetchCertRequest, S, &der)
        .unwrap()
        .encode()
        .unwrap();
    let frame = Frame::decode(&wire).unwrap();
    let carried = frame.certificate().unwrap();
    assert_eq!((carried.cert_type, carried.der), (CertType::Lsc, &der[..]));
    assert_eq!(frame.cert_type().unwrap(), CertType::Lsc);

    let wire = Frame::key_gen_request(S, KeyRequest::Ec(Curve::P256))
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(
        Frame::decode(&wire).unwrap().key_request().unwrap(),
        KeyRequest::Ec(Curve::P256)
    );
    let wire = Frame::new(Command::AuthResponse, S)
        .with_sha2_signature(&[9, 8, 7])
        .unwrap()
        .encode()
        .unwrap();
    assert_eq!(
        hex(&wire),
        "55020102030400091400060300030908 07".replace(' ', "")
    );
    assert_eq!(
        Frame::decode(&wire).unwrap().sha2_signed_data().unwrap(),
        &[9, 8, 7]
    );
}

/// A frame of `command` whose payload is `payload`, framed by hand.
fn raw(command: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x55, command, 1, 2, 3, 4];
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn each_framing_error_on_a_crafted_input() {
    assert_eq!(
        Frame::decode(&[0x55, 1, 0]),
        Err(CapfError::TruncatedHeader { length: 3 })
    );
    assert_eq!(
        Frame::decode(&[0x57, 1, 0, 0, 0, 0, 0, 0]),
        Err(CapfError::WrongProtocolId { found: 0x57 })
    );
    assert_eq!(
        Frame::decode(&[0x55, 1, 0, 0, 0, 0, 0, 5, 1]),
        Err(CapfError::LengthMismatch {
            declared: 5,
            actual: 1
        })
    );
    assert_eq!(
        Frame::decode(&raw(1, &[7, 0, 1, 3, 8, 0, 2, 1])),
        Err(CapfError::TruncatedElement {
            offset: 12,
            needed: 5,
            available: 4
        })
    );
    assert_eq!(
        Frame::decode(&raw(1, &[7, 0])),
        Err(CapfError::TruncatedElement {
            offset: 8,
            needed: 3,
            available: 2
        })
    );
}

#[test]
fn each_element_error_on_a_crafted_input() {
    let bytes = raw(1, &[7, 0, 1, 3]);
    let frame = Frame::decode(&bytes).unwrap();
    assert_eq!(
        frame.auth_type(),
        Err(CapfError::MissingElement {
            command: Command::AuthRequest,
            tag: ElementTag::AuthType
        })
    );
    assert_eq!(
        frame.expect(Command::AuthResponse).map(|_| ()),
        Err(CapfError::UnexpectedCommand {
            expected: Command::AuthResponse,
            found: Command::AuthRequest
        })
    );
    let bytes = raw(1, &[7, 0, 2, 3, 3, 8, 0, 1, 9]);
    let frame = Frame::decode(&bytes).unwrap();
    assert_eq!(
        frame.version(),
        Err(CapfError::BadLength {
            tag: ElementTag::Version,
            offset: 8,
            length: 2,
            expected: 1
        })
    );
    assert_eq!(
        frame.auth_type(),
        Err(CapfError::BadCode {
            tag: ElementTag::AuthType,
            offset: 13,
            found: 9
        })
    );
    let bytes = raw(3, &[10, 0, 1, 8]);
    assert_eq!(
        Frame::decode(&bytes).unwrap().key_size(),
        Err(CapfError::BadLength {
            tag: ElementTag::KeySize,
            offset: 8,
            length: 1,
            expected: 2
        })
    );
    // A name without its NUL, with bytes after it, or of forbidden bytes.
    for value in [&b"SEP0011"[..], b"SEP\0X", b"\0", b"SEP 1\0"] {
        let mut payload = vec![13, 0, value.len() as u8];
        payload.extend_from_slice(value);
        let bytes = raw(2, &payload);
        assert_eq!(
            Frame::decode(&bytes).unwrap().device_name(),
            Err(CapfError::BadText {
                tag: ElementTag::DeviceName,
                offset: 8
            }),
            "{value:?}"
        );
    }
    // A certificate whose inner length is wrong, or without its 00.
    for value in [
        &[1u8, 0, 4, 0, 1, 0x30][..],
        &[1, 0, 3, 1, 1, 0x30],
        &[2, 0, 3, 0, 1, 0x30],
    ] {
        let mut payload = vec![4, 0, value.len() as u8];
        payload.extend_from_slice(value);
        let bytes = raw(9, &payload);
        assert_eq!(
            Frame::decode(&bytes).unwrap().certificate(),
            Err(CapfError::BadCertificateFraming { offset: 8 })
        );
    }
    let bytes = raw(9, &[4, 0, 6, 1, 0, 3, 0, 7, 0x30]);
    assert_eq!(
        Frame::decode(&bytes).unwrap().certificate(),
        Err(CapfError::BadCode {
            tag: ElementTag::Certificate,
            offset: 8,
            found: 7
        })
    );
    for value in [&[3u8, 0, 2, 9][..], &[2, 0, 1, 9]] {
        let mut payload = vec![20, 0, value.len() as u8];
        payload.extend_from_slice(value);
        let bytes = raw(2, &payload);
        assert_eq!(
            Frame::decode(&bytes).unwrap().sha2_signed_data(),
            Err(CapfError::BadSignedDataFraming { offset: 8 })
        );
    }
}

#[test]
fn encoding_refuses_what_decoding_would() {
    let frame = Frame::new(Command::AuthResponse, S);
    for text in ["", "a\0b", "SEP 1"] {
        assert_eq!(
            frame.clone().with_text(ElementTag::DeviceName, text),
            Err(CapfError::TextNotEncodable {
                tag: ElementTag::DeviceName
            })
        );
    }
    assert_eq!(
        frame
            .clone()
            .with_element(ElementTag::PublicKey, &vec![0; 65_536]),
        Err(CapfError::ValueTooLong {
            tag: ElementTag::PublicKey,
            length: 65_536
        })
    );
    assert_eq!(
        frame
            .clone()
            .with_certificate(CertType::Lsc, &vec![0; 65_534]),
        Err(CapfError::ValueTooLong {
            tag: ElementTag::Certificate,
            length: 65_536
        })
    );
    let big = frame
        .with_element(ElementTag::PublicKey, &vec![0; 40_000])
        .unwrap()
        .with_element(ElementTag::PublicKey, &vec![0; 40_000])
        .unwrap();
    assert_eq!(
        big.encode(),
        Err(CapfError::PayloadTooLong { length: 80_006 })
    );
}

#[test]
fn the_fuzz_seeds_are_frames_of_the_flows() {
    let dir = std::path::Path::new("../fuzz/corpus/capf_decode");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let frame = Frame::decode(&bytes).unwrap();
        assert_eq!(frame.encode().unwrap(), bytes);
        seen += 1;
    }
    assert_eq!(seen, 10);
    let lsc = std::fs::read(dir.join("auth-response-lsc-sha2")).unwrap();
    let frame = Frame::decode(&lsc).unwrap();
    assert_eq!(frame.device_name().unwrap(), DEVICE);
    assert_eq!(frame.sha2_signed_data().unwrap(), &[9, 8, 7]);
    assert_eq!(frame.certificate().unwrap().cert_type, CertType::Lsc);
}

proptest! {
    #[test]
    fn built_frames_round_trip(
        command in any::<u8>(),
        session in any::<u32>(),
        elements in proptest::collection::vec((any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..12),
    ) {
        let mut frame = Frame::new(Command::from_code(command), session);
        for (tag, value) in &elements {
            frame = frame.with_element(ElementTag::from_code(*tag), value).unwrap();
        }
        let wire = frame.encode().unwrap();
        let decoded = Frame::decode(&wire).unwrap();
        prop_assert_eq!(&decoded, &frame);
        prop_assert_eq!(decoded.encode().unwrap(), wire.clone());
        let read: Vec<(u8, Vec<u8>)> = decoded.elements().map(|e| (e.tag.code(), e.value.to_vec())).collect();
        prop_assert_eq!(read, elements);
    }

    #[test]
    fn any_bytes_decode_or_fail_and_what_decodes_encodes_back(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = bytes;
        if bytes.len() >= 8 {
            bytes[0] = 0x55;
            let len = (bytes.len() - 8) as u16;
            bytes[6..8].copy_from_slice(&len.to_be_bytes());
        }
        if let Ok(frame) = Frame::decode(&bytes) {
            prop_assert_eq!(frame.encode().unwrap(), bytes.clone());
            let _ = (frame.device_name(), frame.certificate(), frame.key_request(), frame.sha2_signed_data());
        }
    }
}

// ---------------------------------------------------------------- store

#[cfg(feature = "sqlite")]
mod store {
    use cisco_itl::capf::codec::{Curve, KeyRequest};
    use cisco_itl::capf::store::{AuthMode, CapfStore, CapfStoreError, Device, Issued, Operation};
    use cisco_itl::tvs::store::{Refusal, StoreError};

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("capf-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("capf.db")
    }

    #[test]
    fn schedule_list_complete_and_remove() {
        let path = temp("schedule");
        let store = CapfStore::open(&path).unwrap();
        let a = Device::install(
            "SEPAAAAAAAAAAAA",
            AuthMode::Password("1".into()),
            KeyRequest::Rsa(2048),
        )
        .unwrap();
        let b = Device::install(
            "SEPBBBBBBBBBBBB",
            AuthMode::None,
            KeyRequest::Ec(Curve::P256),
        )
        .unwrap();
        store.schedule(&b).unwrap();
        store.schedule(&a).unwrap();
        assert_eq!(store.list().unwrap(), vec![a.clone(), b.clone()]);
        let issued = Issued {
            serial: vec![0x40; 16],
            device: a.name.clone(),
            der: vec![0x30, 0],
            not_after: 99,
        };
        store
            .complete(&a.name, Operation::Install, Some(&issued))
            .unwrap();
        // Completed once: a second completion changes nothing.
        assert_eq!(
            store.complete(&a.name, Operation::Install, Some(&issued)),
            Err(CapfStoreError::NotPending(a.name.clone()))
        );
        assert_eq!(store.certificates(&a.name).unwrap(), vec![issued.clone()]);
        assert_eq!(
            store.device(&a.name).unwrap().unwrap().operation,
            Operation::None
        );
        drop(store);
        // It survives a reopening.
        let store = CapfStore::open(&path).unwrap();
        assert_eq!(store.certificates(&a.name).unwrap(), vec![issued]);
        assert!(store.remove(&a.name).unwrap());
        assert!(!store.remove(&a.name).unwrap());
        assert!(store.certificates(&a.name).unwrap().is_empty());
        assert_eq!(store.list().unwrap(), vec![b]);
    }

    #[test]
    fn a_locked_database_is_a_bounded_busy_error_and_changes_nothing() {
        let path = temp("busy");
        let store = CapfStore::open(&path)
            .unwrap()
            .with_busy_wait(std::time::Duration::from_millis(100));
        let a = Device::install("SEPAAAAAAAAAAAA", AuthMode::None, KeyRequest::Rsa(2048)).unwrap();
        store.schedule(&a).unwrap();
        let other = rusqlite::Connection::open(&path).unwrap();
        other
            .execute_batch("BEGIN EXCLUSIVE; UPDATE capf_devices SET operation = operation;")
            .unwrap();
        let started = std::time::Instant::now();
        let issued = Issued {
            serial: vec![0x41; 16],
            device: a.name.clone(),
            der: vec![0x30, 0],
            not_after: 1,
        };
        match store.complete(&a.name, Operation::Install, Some(&issued)) {
            Err(CapfStoreError::Store(StoreError::Busy { .. })) => {}
            other => panic!("{other:?}"),
        }
        // Bounded: far below the seconds a hang would take.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(
            store.device(&a.name).unwrap().unwrap().operation,
            Operation::Install
        );
        assert!(store.certificates(&a.name).unwrap().is_empty());
    }

    #[test]
    fn bad_requests_are_refused() {
        assert_eq!(
            Device::install("SEP 1", AuthMode::None, KeyRequest::Rsa(2048)),
            Err(CapfStoreError::BadDeviceName("SEP 1".into()))
        );
        assert_eq!(
            Device::install("SEP1", AuthMode::None, KeyRequest::Rsa(512)),
            Err(CapfStoreError::BadKeySize(512))
        );
        assert_eq!(
            Device::install(
                "SEP1",
                AuthMode::Password(String::new()),
                KeyRequest::Rsa(2048)
            ),
            Err(CapfStoreError::BadPassword)
        );
    }

    #[test]
    fn foreign_files_are_refused_untouched() {
        let path = temp("foreign");
        std::fs::write(&path, b"not a database at all, but long enough to be read as a header by the store's check of foreign files").unwrap();
        let before = std::fs::read(&path).unwrap();
        assert_eq!(
            CapfStore::open(&path).unwrap_err(),
            CapfStoreError::Store(StoreError::Refused(Refusal::NotSqlite))
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // A TVS store is another application's file.
        let tvs = temp("tvs");
        drop(cisco_itl::tvs::store::SqliteStore::open(&tvs).unwrap());
        assert_eq!(
            CapfStore::open(&tvs).unwrap_err(),
            CapfStoreError::Store(StoreError::Refused(Refusal::OtherApplication(
                u32::from_be_bytes(*b"TVSc")
            )))
        );
    }
}

// ---------------------------------------------------------------- issuer

#[cfg(feature = "capf")]
mod issuer {
    use super::DEVICE;
    use super::common::*;
    use cisco_itl::capf::codec::{Curve, KeyRequest};
    use cisco_itl::capf::issue::{IssueError, Issuer, check_key};
    use std::process::Command;

    /// The SubjectPublicKeyInfo of `keys/<name>`'s certificate.
    pub fn spki(name: &str) -> Vec<u8> {
        let pem = String::from_utf8(read(&format!("keys/{name}"))).unwrap();
        let dir = std::env::temp_dir().join(format!("capf-spki-{}-{name}", std::process::id()));
        std::fs::write(&dir, pem).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-in"])
            .arg(&dir)
            .args(["-noout", "-pubkey"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        pem_body(&text)
    }

    fn pem_body(text: &str) -> Vec<u8> {
        use std::io::Write;
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        let mut child = Command::new("openssl")
            .args(["base64", "-d", "-A"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b64.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap().stdout
    }

    #[test]
    fn validity_outside_1_to_3560_days_is_refused() {
        assert_eq!(
            Issuer::new(signer("capf.pem"), 0).unwrap_err(),
            IssueError::BadValidity(0)
        );
        assert_eq!(
            Issuer::new(signer("capf.pem"), 3561).unwrap_err(),
            IssueError::BadValidity(3561)
        );
        assert!(Issuer::new(signer("capf.pem"), 3560).is_ok());
    }

    #[test]
    fn the_key_asked_for_is_checked() {
        let key = spki("tvs-sub1.pem");
        assert_eq!(check_key(&key, KeyRequest::Rsa(2048)), Ok(()));
        assert!(matches!(
            check_key(&key, KeyRequest::Rsa(1024)),
            Err(IssueError::WrongKey { .. })
        ));
        assert!(matches!(
            check_key(&key, KeyRequest::Ec(Curve::P256)),
            Err(IssueError::WrongKey { .. })
        ));
        assert_eq!(
            check_key(&[0x30, 0], KeyRequest::Rsa(2048)),
            Err(IssueError::BadPublicKey)
        );
    }

    #[test]
    fn openssl_reads_and_verifies_the_lsc() {
        let issuer = Issuer::new(signer("capf.pem"), 365).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let issued = issuer.issue(DEVICE, &spki("tvs-sub1.pem"), now).unwrap();
        assert_eq!(issued.serial.len(), 16);
        assert_eq!(issued.not_after, now + 365 * 86_400);
        let dir = std::env::temp_dir().join(format!("capf-issuer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lsc = dir.join("lsc.der");
        std::fs::write(&lsc, &issued.der).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-text", "-noout", "-in"])
            .arg(&lsc)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for needle in [
            "Subject: C = PL, ST = Malopolska, L = Krakow, O = Cisco, OU = TAC, CN = SEP001122334455",
            "Issuer: C = PL, ST = Malopolska, L = Krakow, O = Cisco, OU = TAC, CN = CAPF-e41e7d87",
            "Signature Algorithm: sha256WithRSAEncryption",
            "CA:FALSE",
            "Digital Signature, Key Encipherment",
            "TLS Web Server Authentication, TLS Web Client Authentication, IPSec End System",
            "URI:SEP001122334455",
            "Public-Key: (2048 bit)",
        ] {
            assert!(text.contains(needle), "{needle} not in:\n{text}");
        }
        // `openssl verify` against a separate issuing CA (the cluster's
        // CAPF certificate carries no CA extensions, which OpenSSL 3
        // refuses as a CA).
        let ca_key = dir.join("ca-key.pem");
        let ca_cert = dir.join("ca-cert.pem");
        let status = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            ])
            .args([
                "-subj",
                "/C=US/ST=Ohio/L=Dayton/O=Example/OU=VOICE/CN=CAPF-test",
            ])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            .arg("-keyout")
            .arg(&ca_key)
            .arg("-out")
            .arg(&ca_cert)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let identity = [
            std::fs::read(&ca_key).unwrap(),
            std::fs::read(&ca_cert).unwrap(),
        ]
        .concat();
        let ca = cisco_itl::key::Signer::from_pem(&identity).unwrap();
        let issued = Issuer::new(ca, 30)
            .unwrap()
            .issue(DEVICE, &spki("tvs-sub1.pem"), now)
            .unwrap();
        std::fs::write(&lsc, &issued.der).unwrap();
        let out = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-noout", "-subject", "-in"])
            .arg(&lsc)
            .output()
            .unwrap();
        let subject = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            subject.trim(),
            "subject=C = US, ST = Ohio, L = Dayton, O = Example, OU = VOICE, CN = SEP001122334455"
        );
        let pem = dir.join("lsc.pem");
        let status = Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&lsc)
            .arg("-out")
            .arg(&pem)
            .status()
            .unwrap();
        assert!(status.success());
        let out = Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(&ca_cert)
            .arg(&pem)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.trim_end().ends_with(": OK"),
            "{said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Two issuances never share a serial.
        let again = issuer.issue(DEVICE, &spki("tvs-sub1.pem"), now).unwrap();
        assert_ne!(again.serial, issued.serial);
    }
}

// ---------------------------------------------------------------- network

#[cfg(feature = "capf-net")]
mod net {
    use super::DEVICE;
    use super::common::*;
    use cisco_itl::capf::codec::{CertType, Curve, KeyRequest, Reason};
    use cisco_itl::capf::issue::{Issuer, check_key};
    use cisco_itl::capf::net::{
        CapfClient, CapfLog, CapfNetError, CapfServer, CapfTrust, ClientOptions, Enrolment, Proof,
        ServeStats, ServerOptions, ShutdownHandle,
    };
    use cisco_itl::capf::store::{AuthMode, CapfStore, Device, Operation};
    use std::net::{SocketAddr, TcpStream};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// The TLS identity: a 2048-bit key (AWS-LC signs with nothing
    /// smaller); the issuer is the cluster's 1024-bit CAPF key.
    const IDENTITY: &str = "tvs-sub1.pem";

    struct Running {
        addr: SocketAddr,
        stop: ShutdownHandle,
        thread: std::thread::JoinHandle<ServeStats>,
        logs: Arc<Mutex<Vec<CapfLog>>>,
        store: Arc<CapfStore>,
    }

    impl Running {
        fn client(&self) -> CapfClient {
            let pinned = cert(IDENTITY).der().to_vec();
            CapfClient::new(&self.addr.to_string(), CapfTrust::Certificate(pinned))
                .unwrap()
                .with_options(ClientOptions {
                    deadline: Duration::from_secs(20),
                    ..ClientOptions::default()
                })
        }

        fn stop(self) -> (ServeStats, Vec<CapfLog>) {
            self.stop.shutdown();
            let stats = self.thread.join().unwrap();
            let logs = self.logs.lock().unwrap().clone();
            (stats, logs)
        }
    }

    fn start(options: ServerOptions) -> Running {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        let options = ServerOptions {
            log: Arc::new(move |line: &CapfLog| sink.lock().unwrap().push(line.clone())),
            ..options
        };
        let store = Arc::new(CapfStore::in_memory().unwrap());
        let issuer = Arc::new(Issuer::new(signer("capf.pem"), 365).unwrap());
        let server = CapfServer::bind(
            "127.0.0.1:0",
            &read(&format!("keys/{IDENTITY}")),
            Arc::clone(&store),
            issuer,
            options,
        )
        .unwrap();
        let addr = server.local_addr().unwrap();
        let stop = server.shutdown_handle();
        let thread = std::thread::spawn(move || server.serve().unwrap());
        Running {
            addr,
            stop,
            thread,
            logs,
            store,
        }
    }

    fn default_start() -> Running {
        start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(20),
            ..ServerOptions::default()
        })
    }

    fn installed(outcome: Enrolment) -> (Vec<u8>, Vec<u8>) {
        match outcome {
            Enrolment::Installed { certificate, key } => (certificate, key.to_vec()),
            other => panic!("not installed: {other:?}"),
        }
    }

    fn spki_of(certificate: &[u8]) -> Vec<u8> {
        use der::{Decode, Encode};
        let cert = x509_cert::Certificate::from_der(certificate).unwrap();
        cert.tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap()
    }

    #[test]
    fn password_install_with_rsa_then_fetch_then_delete() {
        let server = default_start();
        let device = Device::install(
            DEVICE,
            AuthMode::Password("4321".into()),
            KeyRequest::Rsa(2048),
        )
        .unwrap();
        server.store.schedule(&device).unwrap();
        let client = server.client();
        let (certificate, key) = installed(
            client
                .enrol(DEVICE, &Proof::Password("4321".into()))
                .unwrap(),
        );
        assert_eq!(
            check_key(&spki_of(&certificate), KeyRequest::Rsa(2048)),
            Ok(())
        );
        // The key returned is the certificate's.
        let signing = cisco_itl::key::SigningKey::from_der(&key).unwrap();
        assert_eq!(signing.bits(), 2048);
        let info = cisco_itl::cert::CertInfo::from_der(&certificate).unwrap();
        assert!(
            info.subject(cisco_itl::cert::NameStyle::Cucm)
                .unwrap()
                .starts_with("CN=SEP001122334455")
        );
        let stored = server.store.certificates(DEVICE).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].der, certificate);
        assert_eq!(
            server.store.device(DEVICE).unwrap().unwrap().operation,
            Operation::None
        );

        // Nothing scheduled now.
        assert_eq!(
            client
                .enrol(DEVICE, &Proof::Password("4321".into()))
                .unwrap(),
            Enrolment::NothingToDo
        );

        let mut fetch = device.clone();
        fetch.operation = Operation::Fetch;
        server.store.schedule(&fetch).unwrap();
        assert_eq!(
            client
                .enrol(DEVICE, &Proof::Password("4321".into()))
                .unwrap(),
            Enrolment::Fetched {
                certificate: certificate.clone()
            }
        );
        let mut delete = device;
        delete.operation = Operation::Delete;
        server.store.schedule(&delete).unwrap();
        assert_eq!(
            client
                .enrol(DEVICE, &Proof::Password("4321".into()))
                .unwrap(),
            Enrolment::Deleted
        );
        assert!(server.store.certificates(DEVICE).unwrap().is_empty());
        let (stats, logs) = server.stop();
        assert_eq!(stats.issued, 1);
        assert!(
            logs.iter()
                .any(|l| l.status.starts_with("issued certificate ")),
            "{logs:?}"
        );
    }

    #[test]
    fn no_authentication_with_ec_keys() {
        let server = default_start();
        for (i, curve) in [Curve::P256, Curve::P384].into_iter().enumerate() {
            let name = format!("SEP00000000000{i}");
            server
                .store
                .schedule(&Device::install(&name, AuthMode::None, KeyRequest::Ec(curve)).unwrap())
                .unwrap();
            let (certificate, _) = installed(server.client().enrol(&name, &Proof::None).unwrap());
            assert_eq!(
                check_key(&spki_of(&certificate), KeyRequest::Ec(curve)),
                Ok(())
            );
        }
        server.stop();
    }

    #[test]
    fn a_wrong_password_or_an_unknown_device_changes_nothing() {
        let server = default_start();
        let device = Device::install(
            DEVICE,
            AuthMode::Password("4321".into()),
            KeyRequest::Rsa(2048),
        )
        .unwrap();
        server.store.schedule(&device).unwrap();
        let client = server.client();
        match client.enrol(DEVICE, &Proof::Password("0000".into())) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        match client.enrol(DEVICE, &Proof::None) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        match client.enrol("SEPFFFFFFFFFFFF", &Proof::Password("4321".into())) {
            Err(CapfNetError::Refused {
                reason: Reason::UnknownDevice,
            }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(server.store.list().unwrap(), vec![device]);
        assert!(server.store.certificates(DEVICE).unwrap().is_empty());
        let (stats, _) = server.stop();
        assert_eq!(stats.issued, 0);
    }

    #[test]
    fn an_lsc_proves_the_device_with_sha1_or_sha512_and_a_stranger_does_not() {
        let server = default_start();
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let client = server.client();
        let (certificate, key) = installed(client.enrol(DEVICE, &Proof::None).unwrap());
        let key = cisco_itl::key::SigningKey::from_der(&key)
            .unwrap()
            .rsa()
            .clone();
        for sha2 in [false, true] {
            server
                .store
                .schedule(&Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap())
                .unwrap();
            let proof = Proof::Certificate {
                cert_type: CertType::Lsc,
                der: certificate.clone(),
                key: key.clone().into(),
                sha2,
            };
            installed(client.enrol(DEVICE, &proof).unwrap());
        }
        // A certificate nobody trusts, with its own key: refused.
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::Mic, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let stranger = signer("tvs-pub.pem");
        let proof = Proof::Certificate {
            cert_type: CertType::Mic,
            der: stranger.certificate().der().to_vec(),
            key: stranger.key().rsa().clone().into(),
            sha2: false,
        };
        match client.enrol(DEVICE, &proof) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        // The LSC with another key's signature: refused.
        let forged = Proof::Certificate {
            cert_type: CertType::Lsc,
            der: certificate.clone(),
            key: stranger.key().rsa().clone().into(),
            sha2: true,
        };
        match client.enrol(DEVICE, &forged) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        // Device B, whose mode is LSC, cannot use device A's LSC.
        let b = "SEP00000000000B";
        server
            .store
            .schedule(&Device::install(b, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let borrowed = Proof::Certificate {
            cert_type: CertType::Lsc,
            der: certificate.clone(),
            key: key.clone().into(),
            sha2: true,
        };
        match client.enrol(b, &borrowed) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(server.store.certificates(b).unwrap().is_empty());
        assert_eq!(server.store.certificates(DEVICE).unwrap().len(), 3);
        server.stop();
    }

    #[test]
    fn a_server_the_itl_does_not_name_is_refused_before_a_byte_is_sent() {
        let server = default_start();
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let itl = read("cucm-ITLFile.tlv");
        let client =
            CapfClient::new(&server.addr.to_string(), CapfTrust::Lists(vec![itl])).unwrap();
        match client.enrol(DEVICE, &Proof::None) {
            Err(CapfNetError::ServerNotTrusted) => {}
            other => panic!("{other:?}"),
        }
        let pinned = CapfClient::new(
            &server.addr.to_string(),
            CapfTrust::Certificate(cert("capf.pem").der().to_vec()),
        )
        .unwrap();
        assert!(matches!(
            pinned.enrol(DEVICE, &Proof::None),
            Err(CapfNetError::ServerNotTrusted)
        ));
        assert_eq!(
            server.store.device(DEVICE).unwrap().unwrap().operation,
            Operation::Install
        );
        server.stop();
    }

    #[test]
    fn a_server_the_itl_names_as_capf_is_accepted() {
        use cisco_itl::build::TrustListBuilder;
        use cisco_itl::{Function, ListKind};
        let server = default_start();
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        // An ITL whose CAPF record is the server's identity.
        let cm = cert("callmanager-pub.pem");
        let itl = TrustListBuilder::new(ListKind::Itl)
            .record(cm.clone(), Function::Sast)
            .record(cm, Function::Tftp)
            .record(cert(IDENTITY), Function::Capf)
            .sign(&signer("callmanager-pub.pem"))
            .unwrap();
        let client = CapfClient::new(
            &server.addr.to_string(),
            CapfTrust::Lists(vec![itl.clone()]),
        )
        .unwrap();
        installed(client.enrol(DEVICE, &Proof::None).unwrap());
        // The same certificate as a TVS record only is not a CAPF.
        let cm = cert("callmanager-pub.pem");
        let tvs_only = TrustListBuilder::new(ListKind::Itl)
            .record(cm.clone(), Function::Sast)
            .record(cert(IDENTITY), Function::Tvs)
            .sign(&signer("callmanager-pub.pem"))
            .unwrap();
        let client =
            CapfClient::new(&server.addr.to_string(), CapfTrust::Lists(vec![tvs_only])).unwrap();
        assert!(matches!(
            client.enrol(DEVICE, &Proof::None),
            Err(CapfNetError::ServerNotTrusted)
        ));
        server.stop();
    }

    #[test]
    fn a_trickling_phone_is_dropped_at_the_deadline_and_others_are_served() {
        use std::io::{Read, Write};
        let server = start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(10),
            ..ServerOptions::default()
        });
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let addr = server.addr.to_string();
        let trickler = std::thread::spawn(move || {
            let mut tls = super::common::tls::raw_tls(&addr);
            let mut request = [0u8; 16];
            tls.read_exact(&mut request).unwrap();
            assert_eq!(request[..2], [0x55, 1]);
            let session = u32::from_be_bytes(request[2..6].try_into().unwrap());
            let answer = cisco_itl::capf::codec::Frame::auth_response(session, 3, DEVICE)
                .unwrap()
                .encode()
                .unwrap();
            // One byte of a real answer every 400 ms (14 s for its 35
            // bytes): the deadline (10 s, far above what the real phone
            // needs) ends it first.
            assert_eq!(answer.len(), 35);
            let started = Instant::now();
            for byte in answer {
                if tls.write_all(&[byte]).and_then(|()| tls.flush()).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(400));
            }
            started.elapsed()
        });
        installed(server.client().enrol(DEVICE, &Proof::None).unwrap());
        let trickled = trickler.join().unwrap();
        assert!(trickled < Duration::from_secs(25), "{trickled:?}");
        let (stats, _) = server.stop();
        assert_eq!(stats.deadline_passed, 1, "{stats:?}");
        assert_eq!(stats.issued, 1);
    }

    /// Legacy TLS: the cluster's own 1024-bit `CAPF.pem`, which the CUCM
    /// ITL names in its CAPF record, as a 7900-series phone finds it.
    #[cfg(feature = "legacy-tls")]
    #[test]
    fn legacy_tls_with_the_1024_bit_capf_identity_the_itl_names() {
        let store = Arc::new(CapfStore::in_memory().unwrap());
        store
            .schedule(
                &Device::install(
                    DEVICE,
                    AuthMode::Password("1".into()),
                    KeyRequest::Rsa(1024),
                )
                .unwrap(),
            )
            .unwrap();
        let issuer = Arc::new(Issuer::new(signer("capf.pem"), 365).unwrap());
        let options = ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(20),
            log: Arc::new(|_: &CapfLog| {}),
            ..ServerOptions::default()
        };
        let server = CapfServer::bind_legacy(
            "127.0.0.1:0",
            &read("keys/capf.pem"),
            Arc::clone(&store),
            issuer,
            options,
        )
        .unwrap();
        let addr = server.local_addr().unwrap().to_string();
        let stop = server.shutdown_handle();
        let thread = std::thread::spawn(move || server.serve().unwrap());
        let itl = read("cucm-ITLFile.tlv");
        let client = CapfClient::new_legacy(&addr, CapfTrust::Lists(vec![itl.clone()])).unwrap();
        let (certificate, _) =
            installed(client.enrol(DEVICE, &Proof::Password("1".into())).unwrap());
        assert_eq!(
            check_key(&spki_of(&certificate), KeyRequest::Rsa(1024)),
            Ok(())
        );
        // The modern client cannot use a 1024-bit identity.
        let modern = CapfClient::new(&addr, CapfTrust::Lists(vec![itl])).unwrap();
        assert!(modern.enrol(DEVICE, &Proof::Password("1".into())).is_err());
        stop.shutdown();
        assert_eq!(thread.join().unwrap().issued, 1);
    }

    /// Sends an AUTH RESPONSE carrying `der` and `signature` (SHA2 SIGNED
    /// DATA when `sha2`, SIGNED DATA otherwise) on a raw TLS connection;
    /// the command of the server's next message.
    fn prove_raw(
        addr: &str,
        device: &str,
        der: &[u8],
        signature: &[u8],
        sha2: bool,
    ) -> (u8, Vec<u8>) {
        use cisco_itl::capf::codec::{ElementTag, Frame};
        use std::io::{Read, Write};
        let mut tls = super::common::tls::raw_tls(addr);
        let mut request = [0u8; 16];
        tls.read_exact(&mut request).unwrap();
        let session = u32::from_be_bytes(request[2..6].try_into().unwrap());
        let answer = Frame::auth_response(session, 3, device)
            .unwrap()
            .with_certificate(CertType::Mic, der)
            .unwrap();
        let answer = if sha2 {
            answer.with_sha2_signature(signature).unwrap()
        } else {
            answer
                .with_element(ElementTag::SignedData, signature)
                .unwrap()
        };
        tls.write_all(&answer.encode().unwrap()).unwrap();
        tls.flush().unwrap();
        let mut header = [0u8; 8];
        tls.read_exact(&mut header).unwrap();
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes([header[6], header[7]]))];
        tls.read_exact(&mut payload).unwrap();
        (header[1], payload)
    }

    #[test]
    fn an_ec_mic_proves_the_device_with_ecdsa_sha1_or_sha512() {
        use std::process::Command;
        let dir = std::env::temp_dir().join(format!("capf-ec-mic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (key, pem, der) = (dir.join("k.pem"), dir.join("c.pem"), dir.join("c.der"));
        let ok = |c: &mut Command| assert!(c.output().unwrap().status.success(), "{c:?}");
        ok(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args(["-days", "30", "-subj", "/CN=CP-8865-SEP001122334455"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&pem));
        ok(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&pem)
            .arg("-out")
            .arg(&der));
        let mic = std::fs::read(&der).unwrap();
        let sign = |digest: &str, device: &str| {
            let message = dir.join("m.bin");
            let signature = dir.join("s.bin");
            std::fs::write(
                &message,
                cisco_itl::capf::codec::signed_message(device, &mic),
            )
            .unwrap();
            ok(Command::new("openssl")
                .args(["dgst", digest, "-sign"])
                .arg(&key)
                .arg("-out")
                .arg(&signature)
                .arg(&message));
            std::fs::read(&signature).unwrap()
        };
        let server = start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(20),
            trusted: vec![mic.clone()],
            ..ServerOptions::default()
        });
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::Mic, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        let addr = server.addr.to_string();
        // A good proof goes on to the key generation request (3).
        assert_eq!(
            prove_raw(&addr, DEVICE, &mic, &sign("-sha512", DEVICE), true).0,
            3
        );
        assert_eq!(
            prove_raw(&addr, DEVICE, &mic, &sign("-sha1", DEVICE), false).0,
            3
        );
        // Signed for another device, or with the other digest: END {REASON 7}.
        let other = sign("-sha512", "SEP999999999999");
        assert_eq!(
            prove_raw(&addr, DEVICE, &mic, &other, true),
            (15, vec![1, 0, 1, 7])
        );
        let sha1 = sign("-sha1", DEVICE);
        assert_eq!(
            prove_raw(&addr, DEVICE, &mic, &sha1, true),
            (15, vec![1, 0, 1, 7])
        );
        assert!(server.store.certificates(DEVICE).unwrap().is_empty());
        server.stop();
    }

    #[test]
    fn a_certificate_for_another_key_is_refused_by_the_client() {
        use cisco_itl::capf::codec::{Command as Cmd, Frame, Reason};
        let key_gen = || Frame::key_gen_request(9, KeyRequest::Rsa(2048)).unwrap();
        let other = cert(IDENTITY).der().to_vec();
        let store = || Frame::certificate_request(Cmd::StoreCertRequest, 9, &other).unwrap();
        let fetch = || Frame::certificate_request(Cmd::FetchCertRequest, 9, &other).unwrap();
        let end = || Frame::with_reason(Cmd::EndSession, 9, Reason::Ok).unwrap();
        // Asks for a key, then stores some other certificate.
        match hostile_capf(vec![key_gen(), store()]) {
            Err(CapfNetError::NotOurKey) => {}
            other => panic!("{other:?}"),
        }
        // Asks for a key, then hands some certificate over as fetched and
        // ends as if installed: no installation of a pair that does not match.
        match hostile_capf(vec![key_gen(), fetch(), end()]) {
            Err(CapfNetError::NotOurKey) => {}
            other => panic!("{other:?}"),
        }
        // Asks for a second key (which would pair a stored certificate
        // with another key).
        match hostile_capf(vec![key_gen(), key_gen()]) {
            Err(CapfNetError::OutOfOrder {
                found: Cmd::KeyGenRequest,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    /// A hostile CAPF on loopback: the authentication request, then each
    /// frame of `script`, reading the phone's answer to each request; what
    /// our client ends with.
    fn hostile_capf(
        script: Vec<cisco_itl::capf::codec::Frame<'static>>,
    ) -> Result<Enrolment, CapfNetError> {
        use cisco_itl::capf::codec::{AuthType, Command as Cmd, Frame};
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let config =
            cisco_itl::tvs::net::server_config(&read(&format!("keys/{IDENTITY}"))).unwrap();
        let hostile = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let conn = rustls::ServerConnection::new(config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let read_frame = |tls: &mut rustls::StreamOwned<_, _>| {
                let mut header = [0u8; 8];
                tls.read_exact(&mut header).ok()?;
                let mut payload =
                    vec![0u8; usize::from(u16::from_be_bytes([header[6], header[7]]))];
                tls.read_exact(&mut payload).ok()?;
                Some(header[1])
            };
            let auth = Frame::auth_request(9, AuthType::None).unwrap();
            tls.write_all(&auth.encode().unwrap()).unwrap();
            assert_eq!(read_frame(&mut tls), Some(2));
            for frame in script {
                if tls.write_all(&frame.encode().unwrap()).is_err() {
                    return;
                }
                let _ = tls.flush();
                if frame.command != Cmd::EndSession && read_frame(&mut tls).is_none() {
                    return;
                }
            }
        });
        let client =
            CapfClient::new(&addr, CapfTrust::Certificate(cert(IDENTITY).der().to_vec())).unwrap();
        let outcome = client.enrol(DEVICE, &Proof::None);
        hostile.join().unwrap();
        outcome
    }

    #[test]
    fn an_expired_lsc_proves_nothing() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let clock = Arc::new(AtomicU64::new(now));
        let theirs = Arc::clone(&clock);
        let server = start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(20),
            clock: Arc::new(move || theirs.load(Ordering::SeqCst)),
            ..ServerOptions::default()
        });
        let none = Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap();
        server.store.schedule(&none).unwrap();
        let client = server.client();
        let (certificate, key) = installed(client.enrol(DEVICE, &Proof::None).unwrap());
        let key = cisco_itl::capf::net::ProofKey::from_der(&key).unwrap();
        let lsc = Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap();
        server.store.schedule(&lsc).unwrap();
        let proof = Proof::Certificate {
            cert_type: CertType::Lsc,
            der: certificate,
            key,
            sha2: true,
        };
        // 366 days later the 365-day LSC has expired.
        clock.store(now + 366 * 86_400, Ordering::SeqCst);
        match client.enrol(DEVICE, &proof) {
            Err(CapfNetError::Refused {
                reason: Reason::Invalid,
            }) => {}
            other => panic!("{other:?}"),
        }
        // Within its validity it proves the device.
        clock.store(now + 364 * 86_400, Ordering::SeqCst);
        installed(client.enrol(DEVICE, &proof).unwrap());
        server.stop();
    }

    #[test]
    fn a_mic_signed_by_a_trusted_ec_ca_proves_the_device() {
        use std::process::Command;
        let dir = std::env::temp_dir().join(format!("capf-ec-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = |n: &str| dir.join(n);
        let ok = |c: &mut Command| assert!(c.output().unwrap().status.success(), "{c:?}");
        ok(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-nodes",
            ])
            .args(["-days", "30", "-subj", "/O=Example/CN=Manufacturing CA"])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .arg("-keyout")
            .arg(path("ca.key"))
            .arg("-out")
            .arg(path("ca.pem")));
        ok(Command::new("openssl")
            .args([
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args(["-subj", "/CN=CP-8865-SEP001122334455"])
            .arg("-keyout")
            .arg(path("mic.key"))
            .arg("-out")
            .arg(path("mic.csr")));
        ok(Command::new("openssl")
            .args(["x509", "-req", "-sha384", "-days", "30", "-in"])
            .arg(path("mic.csr"))
            .arg("-CA")
            .arg(path("ca.pem"))
            .arg("-CAkey")
            .arg(path("ca.key"))
            .args(["-set_serial", "7", "-outform", "DER", "-out"])
            .arg(path("mic.der")));
        ok(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(path("ca.pem"))
            .arg("-out")
            .arg(path("ca.der")));
        let mic = std::fs::read(path("mic.der")).unwrap();
        let ca = std::fs::read(path("ca.der")).unwrap();
        std::fs::write(
            path("m.bin"),
            cisco_itl::capf::codec::signed_message(DEVICE, &mic),
        )
        .unwrap();
        ok(Command::new("openssl")
            .args(["dgst", "-sha512", "-sign"])
            .arg(path("mic.key"))
            .arg("-out")
            .arg(path("s.bin"))
            .arg(path("m.bin")));
        let signature = std::fs::read(path("s.bin")).unwrap();
        for (trusted, expected) in [(ca, 3u8), (cert("capf.pem").der().to_vec(), 15)] {
            let server = start(ServerOptions {
                workers: 2,
                deadline: Duration::from_secs(20),
                trusted: vec![trusted],
                ..ServerOptions::default()
            });
            server
                .store
                .schedule(&Device::install(DEVICE, AuthMode::Mic, KeyRequest::Rsa(2048)).unwrap())
                .unwrap();
            // Trusted CA: on to the key generation (3); another: END (15).
            assert_eq!(
                prove_raw(&server.addr.to_string(), DEVICE, &mic, &signature, true).0,
                expected
            );
            server.stop();
        }
    }

    #[test]
    fn eight_concurrent_enrolments() {
        let server = default_start();
        let names: Vec<String> = (0..8).map(|i| format!("SEP0000000000{i:02}")).collect();
        for name in &names {
            server
                .store
                .schedule(
                    &Device::install(name, AuthMode::Password("1".into()), KeyRequest::Rsa(2048))
                        .unwrap(),
                )
                .unwrap();
        }
        let started = Instant::now();
        let threads: Vec<_> = names
            .iter()
            .map(|name| {
                let client = server.client();
                let name = name.clone();
                std::thread::spawn(move || client.enrol(&name, &Proof::Password("1".into())))
            })
            .collect();
        for t in threads {
            installed(t.join().unwrap().unwrap());
        }
        let elapsed = started.elapsed();
        eprintln!(
            "8 enrolments in {elapsed:?} ({:.1} per second, debug build)",
            8.0 / elapsed.as_secs_f64()
        );
        for name in &names {
            assert_eq!(server.store.certificates(name).unwrap().len(), 1);
        }
        let (stats, _) = server.stop();
        assert_eq!(stats.issued, 8);
    }

    #[test]
    fn idle_connections_do_not_block_a_phone_and_the_address_limit_holds() {
        let server = start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(10),
            max_per_address: 4,
            ..ServerOptions::default()
        });
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::None, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        // Another host holds its 4 connections, idle, and 4 more are
        // turned away at once.
        let bind = |ip: [u8; 4]| {
            let socket =
                socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
            socket.bind(&SocketAddr::from((ip, 0)).into()).unwrap();
            socket
                .connect_timeout(&server.addr.into(), Duration::from_secs(2))
                .unwrap();
            TcpStream::from(socket)
        };
        let mut idle: Vec<TcpStream> = (0..8).map(|_| bind([127, 0, 0, 2])).collect();
        // Ten more hosts hold 4 idle connections each.
        for host in 3..13 {
            idle.extend((0..4).map(|_| bind([127, 0, 0, host])));
        }
        // A phone from 127.0.0.1 is served meanwhile.
        installed(server.client().enrol(DEVICE, &Proof::None).unwrap());
        // The idle ones are dropped by their deadline (10 s); bounded wait.
        let until = Instant::now() + Duration::from_secs(25);
        let mut closed = 0;
        for mut s in idle {
            use std::io::Read;
            s.set_read_timeout(Some(
                until
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            ))
            .unwrap();
            let mut buf = [0u8; 64];
            if matches!(s.read(&mut buf), Ok(0) | Err(_)) {
                closed += 1;
            }
        }
        assert_eq!(closed, 48);
        let (stats, logs) = server.stop();
        assert_eq!(stats.turned_away, 4, "{stats:?}");
        assert_eq!(stats.deadline_passed, 44, "{stats:?} {logs:?}");
        assert_eq!(stats.issued, 1);
    }

    // ------------------------------------------------------------ a phone

    /// The phone of the end-to-end story: `DEVICE` with its MIC.
    fn mic() -> cisco_itl::key::Signer {
        cisco_itl::key::Signer::from_pem(
            &std::fs::read("tests/data/phone-SEP001122334455-mic.pem").unwrap(),
        )
        .unwrap()
    }

    /// An ITL whose TFTP record is CallManager and whose CAPF record is
    /// the server's identity.
    fn itl_naming_the_server() -> Vec<u8> {
        use cisco_itl::build::TrustListBuilder;
        use cisco_itl::{Function, ListKind};
        let cm = cert("callmanager-pub.pem");
        TrustListBuilder::new(ListKind::Itl)
            .record(cm.clone(), Function::Sast)
            .record(cm, Function::Tftp)
            .record(cert(IDENTITY), Function::Capf)
            .sign(&signer("callmanager-pub.pem"))
            .unwrap()
    }

    #[test]
    fn a_phone_enrols_then_boots_on_a_configuration_encrypted_for_its_lsc() {
        use cisco_itl::capf::net::CapfAuthMode;
        use cisco_itl::encrypted::EncryptedFileBuilder;
        use cisco_itl::phone::{BootOutcome, ManualClock, Phone, Rejection, Trust};
        use cisco_itl::tvs::server::InMemoryTvs;
        use std::collections::BTreeMap;

        const XML: &[u8] = b"<device><fullConfig>true</fullConfig></device>";
        let config_name = format!("{DEVICE}.cnf.xml.enc.sgn");
        let server = start(ServerOptions {
            workers: 2,
            deadline: Duration::from_secs(20),
            trusted: vec![mic().certificate().der().to_vec()],
            ..ServerOptions::default()
        });
        let addr = server.addr.to_string();
        let options = ClientOptions {
            deadline: Duration::from_secs(20),
            ..ClientOptions::default()
        };
        let (clock, mut tvs) = (ManualClock::new(0), InMemoryTvs::unreachable());
        let itl = itl_naming_the_server();
        let tftp = signer("callmanager-pub.pem");
        let encrypt_for = |cert: &cisco_itl::cert::CertInfo| {
            EncryptedFileBuilder::new(DEVICE, XML.to_vec())
                .encrypt_and_sign(cert, &tftp)
                .unwrap()
        };
        let boot = |phone: &mut Phone, config: &[u8]| {
            let files = BTreeMap::from([
                ("ITLFile.tlv".to_string(), itl.clone()),
                (config_name.clone(), config.to_vec()),
            ]);
            let steps = phone.boot(&files, &mut InMemoryTvs::unreachable(), &clock, true);
            steps.last().unwrap().outcome.clone()
        };
        let password = CapfAuthMode::Password("4321".into());

        // A phone with no list installed asks nobody.
        let mut phone = Phone::new(DEVICE).with_mic(mic());
        assert!(matches!(
            phone.enrol(&addr, &password, options),
            Err(CapfNetError::NoTrustList)
        ));
        // A phone whose ITL names another CAPF refuses the server.
        phone
            .offer_trust_list("ITLFile.tlv", &read("cucm-ITLFile.tlv"), &mut tvs, &clock)
            .unwrap();
        server
            .store
            .schedule(
                &Device::install(
                    DEVICE,
                    AuthMode::Password("4321".into()),
                    KeyRequest::Rsa(2048),
                )
                .unwrap(),
            )
            .unwrap();
        assert!(matches!(
            phone.enrol(&addr, &password, options),
            Err(CapfNetError::ServerNotTrusted)
        ));
        assert!(phone.lsc().is_none());

        // The phone that trusts the server through its ITL; a wrong PIN
        // leaves it as it was.
        let mut phone = Phone::new(DEVICE).with_mic(mic());
        assert_eq!(
            phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
            Ok(Trust::FirstUse)
        );
        let wrong = CapfAuthMode::Password("1111".into());
        assert!(matches!(
            phone.enrol(&addr, &wrong, options),
            Err(CapfNetError::Refused { .. })
        ));
        assert!(phone.lsc().is_none());
        assert!(server.store.certificates(DEVICE).unwrap().is_empty());

        // Before its LSC, the phone reads a configuration encrypted for its
        // MIC.
        let for_mic = encrypt_for(mic().certificate());
        assert!(matches!(
            boot(&mut phone, &for_mic),
            BootOutcome::Config(Ok(Trust::ItlTftp { .. }))
        ));

        // Enrol with the PIN: the phone now holds an LSC for its key.
        let outcome = phone.enrol(&addr, &password, options).unwrap();
        let Enrolment::Installed { certificate, .. } = outcome else {
            panic!("not installed: {outcome:?}")
        };
        let lsc = phone.lsc().unwrap().clone();
        assert_eq!(lsc.certificate().der(), &certificate[..]);
        assert_eq!(phone.certificate(), Some(lsc.certificate()));
        assert_eq!(
            server.store.certificates(DEVICE).unwrap()[0].der,
            certificate
        );
        assert_eq!(
            server.store.device(DEVICE).unwrap().unwrap().operation,
            Operation::None
        );

        // The configuration CUCM encrypts for that LSC: the phone boots
        // on it and reads it.
        let for_lsc = encrypt_for(lsc.certificate());
        assert!(matches!(
            boot(&mut phone, &for_lsc),
            BootOutcome::Config(Ok(Trust::ItlTftp { .. }))
        ));
        let (_, plain) = phone
            .offer_encrypted_config(&config_name, &for_lsc, &clock)
            .unwrap();
        assert_eq!(plain.as_slice(), XML);
        // A phone holding an LSC decrypts with it, not with its MIC.
        assert!(matches!(
            phone.offer_encrypted_config(&config_name, &for_mic, &clock),
            Err(Rejection::Decrypt(_))
        ));

        // Re-keying proved by the LSC (capfAuthMode 3).
        server
            .store
            .schedule(&Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap())
            .unwrap();
        assert!(matches!(
            phone
                .enrol(&addr, &CapfAuthMode::LscThenMic, options)
                .unwrap(),
            Enrolment::Installed { .. }
        ));
        let renewed = phone.lsc().unwrap().clone();
        assert_ne!(renewed, lsc);
        assert_eq!(server.store.certificates(DEVICE).unwrap().len(), 2);
        assert!(matches!(
            phone.offer_encrypted_config(&config_name, &for_lsc, &clock),
            Err(Rejection::Decrypt(_))
        ));
        let for_renewed = encrypt_for(renewed.certificate());
        assert_eq!(
            phone
                .offer_encrypted_config(&config_name, &for_renewed, &clock)
                .unwrap()
                .1
                .as_slice(),
            XML
        );

        // Fetch, proved by the MIC (capfAuthMode 4): the phone keeps its
        // LSC, the certificate the server holds for its key.
        let fetch = Device {
            operation: Operation::Fetch,
            ..Device::install(DEVICE, AuthMode::Mic, KeyRequest::Rsa(2048)).unwrap()
        };
        server.store.schedule(&fetch).unwrap();
        assert!(matches!(
            phone.enrol(&addr, &CapfAuthMode::Mic, options).unwrap(),
            Enrolment::Fetched { .. }
        ));
        assert_eq!(phone.lsc(), Some(&renewed));

        // Delete: the phone drops its LSC and decrypts with its MIC again.
        let delete = Device {
            operation: Operation::Delete,
            ..Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap()
        };
        server.store.schedule(&delete).unwrap();
        assert_eq!(
            phone
                .enrol(&addr, &CapfAuthMode::LscThenMic, options)
                .unwrap(),
            Enrolment::Deleted
        );
        assert!(phone.lsc().is_none());
        assert!(matches!(
            boot(&mut phone, &for_mic),
            BootOutcome::Config(Ok(Trust::ItlTftp { .. }))
        ));

        // Modes that need a certificate the phone does not hold.
        let mut bare = Phone::new(DEVICE);
        bare.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock)
            .unwrap();
        for mode in [CapfAuthMode::Mic, CapfAuthMode::LscThenMic] {
            assert!(matches!(
                bare.enrol(&addr, &mode, options),
                Err(CapfNetError::NoCertificate)
            ));
        }
        assert_eq!(
            CapfAuthMode::from_code(3, None),
            Some(CapfAuthMode::LscThenMic)
        );
        assert_eq!(CapfAuthMode::from_code(1, None), None);
        assert_eq!(
            CapfAuthMode::from_code(1, Some("9")).map(|m| m.code()),
            Some(1)
        );
        server.stop();
    }

    #[test]
    fn a_phone_keeps_no_lsc_it_cannot_decrypt_with() {
        use cisco_itl::capf::net::CapfAuthMode;
        use cisco_itl::phone::{ManualClock, Phone};
        use cisco_itl::tvs::server::InMemoryTvs;
        let server = default_start();
        let (clock, mut tvs) = (ManualClock::new(0), InMemoryTvs::unreachable());
        let mut phone = Phone::new(DEVICE).with_mic(mic());
        phone
            .offer_trust_list("ITLFile.tlv", &itl_naming_the_server(), &mut tvs, &clock)
            .unwrap();
        // An EC LSC: issued, but no key an encrypted configuration is
        // wrapped for; the phone keeps none and says why.
        server
            .store
            .schedule(
                &Device::install(DEVICE, AuthMode::None, KeyRequest::Ec(Curve::P256)).unwrap(),
            )
            .unwrap();
        let options = ClientOptions {
            deadline: Duration::from_secs(20),
            ..ClientOptions::default()
        };
        let refused = phone
            .enrol(&server.addr.to_string(), &CapfAuthMode::NoPassword, options)
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the phone cannot keep the certificate as its LSC: its key is not an RSA key the phone can decrypt with"
        );
        assert!(phone.lsc().is_none());
        assert_eq!(phone.certificate(), Some(mic().certificate()));
        server.stop();
    }

    #[test]
    fn an_ec_lsc_proves_the_device_on_every_curve_with_sha1_and_sha512() {
        use cisco_itl::capf::net::ProofKey;
        let server = default_start();
        let client = server.client();
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let none = Device::install(DEVICE, AuthMode::None, KeyRequest::Ec(curve)).unwrap();
            server.store.schedule(&none).unwrap();
            let (certificate, key) = installed(client.enrol(DEVICE, &Proof::None).unwrap());
            let key = ProofKey::from_der(&key).unwrap();
            let expected = match curve {
                Curve::P256 => "ProofKey::P256(..)",
                Curve::P384 => "ProofKey::P384(..)",
                Curve::P521 => "ProofKey::P521(..)",
            };
            assert_eq!(format!("{key:?}"), expected);
            for sha2 in [false, true] {
                let lsc = Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Ec(curve)).unwrap();
                server.store.schedule(&lsc).unwrap();
                let proof = Proof::Certificate {
                    cert_type: CertType::Lsc,
                    der: certificate.clone(),
                    key: key.clone(),
                    sha2,
                };
                let (renewed, _) = installed(
                    client
                        .enrol(DEVICE, &proof)
                        .unwrap_or_else(|e| panic!("{curve} sha2={sha2}: {e}")),
                );
                assert_ne!(renewed, certificate);
            }
            // Another EC key's signature over the same LSC: refused.
            let lsc = Device::install(DEVICE, AuthMode::Lsc, KeyRequest::Ec(curve)).unwrap();
            server.store.schedule(&lsc).unwrap();
            let other = ProofKey::from_der(
                &installed({
                    server.store.schedule(&none).unwrap();
                    client.enrol(DEVICE, &Proof::None).unwrap()
                })
                .1,
            )
            .unwrap();
            server.store.schedule(&lsc).unwrap();
            let forged = Proof::Certificate {
                cert_type: CertType::Lsc,
                der: certificate.clone(),
                key: other,
                sha2: true,
            };
            assert!(matches!(
                client.enrol(DEVICE, &forged),
                Err(CapfNetError::Refused {
                    reason: Reason::Invalid
                })
            ));
        }
        // PEM and SEC1 keys read as well; text that is no key does not.
        let pem = std::fs::read("tests/data/phone-SEP001122334455-mic.pem").unwrap();
        assert!(matches!(ProofKey::from_pem(&pem), Some(ProofKey::Rsa(_))));
        assert!(ProofKey::from_der(b"not a key").is_none());
        assert!(
            ProofKey::from_pem(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
                .is_none()
        );
        server.stop();
    }

    #[test]
    fn an_lsc_proves_only_the_device_it_names_exactly() {
        use cisco_itl::capf::net::ProofKey;
        let server = default_start();
        let client = server.client();
        // Device CP-BOT1 gets an LSC (CN=CP-BOT1).
        let none = Device::install("CP-BOT1", AuthMode::None, KeyRequest::Rsa(2048)).unwrap();
        server.store.schedule(&none).unwrap();
        let (certificate, key) = installed(client.enrol("CP-BOT1", &Proof::None).unwrap());
        let key = ProofKey::from_der(&key).unwrap();
        // It proves CP-BOT1 again, but not BOT1, whether sent as an LSC or
        // as a MIC (the model-prefixed MIC form is for SEP names only).
        for (device, cert_type, proven) in [
            ("CP-BOT1", CertType::Lsc, true),
            ("BOT1", CertType::Lsc, false),
            ("BOT1", CertType::Mic, false),
        ] {
            let lsc = Device::install(device, AuthMode::Lsc, KeyRequest::Rsa(2048)).unwrap();
            server.store.schedule(&lsc).unwrap();
            let proof = Proof::Certificate {
                cert_type,
                der: certificate.clone(),
                key: key.clone(),
                sha2: true,
            };
            match client.enrol(device, &proof) {
                Ok(Enrolment::Installed { .. }) if proven => {}
                Err(CapfNetError::Refused {
                    reason: Reason::Invalid,
                }) if !proven => {}
                other => panic!("{device} {cert_type:?}: {other:?}"),
            }
        }
        assert!(server.store.certificates("BOT1").unwrap().is_empty());
        let (_, logs) = server.stop();
        assert!(
            logs.iter()
                .any(|l| l.status == "refused: the certificate is another device's"),
            "{logs:?}"
        );
    }
}
