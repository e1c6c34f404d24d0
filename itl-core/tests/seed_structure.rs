//! The lengths Cisco's notes print (the worked examples of docs/FORMAT.md), reproduced by
//! files built from raw fields of the printed sizes and really signed.
#![cfg(test)]

use cisco_itl::tag::{header as ht, record as rt};
use cisco_itl::verify::{Policy, TrustAnchor};
use cisco_itl::write::{ElementBuf, HeaderBuf, Layout, RecordBuf, SignerId, TrustListBuf};
use cisco_itl::{DigestAlgorithm, Function, TrustList};

const V: &str = "tests/data/vectors";

fn signer() -> cisco_itl::key::Signer {
    cisco_itl::key::Signer::from_pem(
        &std::fs::read(format!("{V}/keys/callmanager-pub.pem")).unwrap(),
    )
    .unwrap()
}

/// A string of `len` bytes including its NUL.
fn name(prefix: &str, len: usize) -> String {
    let mut s = String::from(prefix);
    while s.len() < len - 1 {
        s.push('x');
    }
    s
}

/// A record from raw fields of the given sizes; `cert` is the certificate
/// length, or `None` for a hashed record (CERTHASH + HASH ALGORITHM).
fn record(
    function: Function,
    name_len: usize,
    key: usize,
    sig: usize,
    cert: Option<usize>,
) -> RecordBuf {
    let mut r = RecordBuf::default();
    r.elements.push(ElementBuf::new(rt::RECORD_LENGTH, [0, 0]));
    r.elements.push(ElementBuf::new(rt::DNS_NAME, [0, 0]));
    r.elements
        .push(ElementBuf::text(rt::SUBJECT_NAME, &name("CN=", name_len)));
    r.elements
        .push(ElementBuf::new(rt::FUNCTION, function.code().to_be_bytes()));
    r.elements
        .push(ElementBuf::text(rt::ISSUER_NAME, &name("CN=", name_len)));
    r.elements
        .push(ElementBuf::new(rt::SERIAL_NUMBER, vec![0x61; 16]));
    r.elements
        .push(ElementBuf::new(rt::PUBLIC_KEY, vec![0; key]));
    r.elements
        .push(ElementBuf::new(rt::SIGNATURE, vec![0; sig]));
    match cert {
        Some(len) => r
            .elements
            .push(ElementBuf::new(rt::CERTIFICATE, vec![0; len])),
        None => {
            r.elements.push(ElementBuf::new(rt::CERT_HASH, vec![0; 20]));
            r.elements.push(ElementBuf::new(rt::HASH_ALGORITHM, [1]));
        }
    }
    r
}

fn seed_000_itl(signer_name_len: usize) -> (TrustListBuf, Vec<u8>) {
    let s = signer();
    let id = SignerId {
        name: name("CN=", signer_name_len),
        serial: s.certificate().serial().to_vec(),
        ca_name: name("CN=", signer_name_len),
    };
    let header = HeaderBuf::new(
        Layout::Cucm,
        (1, 2),
        &id,
        DigestAlgorithm::Sha1,
        "ITLFile.tlv",
        1393439067,
    );
    let records = vec![
        record(Function::Sast, 57, 140, 128, Some(684)),
        record(Function::Tftp, 57, 140, 128, Some(684)),
        record(Function::Capf, 49, 140, 128, None),
        record(Function::Tvs, 57, 140, 128, None),
        record(Function::Sast, 66, 140, 128, Some(692)),
        record(Function::Tvs, 57, 270, 256, None),
    ];
    let mut list = TrustListBuf { header, records };
    let bytes = list.sign(s.key(), DigestAlgorithm::Sha1).unwrap();
    (list, bytes)
}

#[test]
fn seed_000_lengths_before_the_reset() {
    let (_, bytes) = seed_000_itl(57);
    let list = TrustList::parse(&bytes).unwrap();
    assert_eq!(list.header().length(), 324);
    assert_eq!(bytes.len(), 5302);
    let lengths: Vec<usize> = list.records().map(|r| r.length()).collect();
    assert_eq!(lengths, [1115, 1115, 439, 455, 1141, 713]);
    // SIGNERID = (3+57)+(3+16)+(3+57) = 139, printed by `show itl`.
    let text = cisco_itl::show::render(&bytes, None).text;
    assert!(text.contains("\n3 SIGNERID 2 139\n"), "{text}");
    assert!(text.contains("\nHeaderLength: 324 (BYTES)\n"));
    assert!(text.contains("\nLength of ITL file: 5302\n"));
    // The signature is real: it verifies with the signing certificate.
    // The seed's names are stand-ins of the printed lengths, so the header
    // does not name the certificate truthfully: refused as such...
    let mut anchor = TrustAnchor::from_certificate(signer().certificate()).unwrap();
    assert_eq!(
        list.verify_with(std::slice::from_ref(&anchor), &Policy::default()),
        Err(cisco_itl::verify::VerifyError::SignerIssuerMismatch)
    );
    // ...and accepted by an anchor that carries those names.
    anchor.issuers = vec![list.header().ca_name().into()];
    anchor.subjects = vec![list.header().signer_name().into()];
    assert!(list.verify_with(&[anchor], &Policy::default()).is_ok());
}

#[test]
fn seed_000_lengths_after_the_reset() {
    let (mut list, _) = seed_000_itl(57);
    // The ITLRECOVERY signer's names are 66 bytes: SIGNERID 157.
    let s = signer();
    let id = SignerId {
        name: name("CN=ITLRECOVERY_", 66),
        serial: s.certificate().serial().to_vec(),
        ca_name: name("CN=ITLRECOVERY_", 66),
    };
    list.header.set_signer(&id);
    let bytes = list.sign(s.key(), DigestAlgorithm::Sha1).unwrap();
    let parsed = TrustList::parse(&bytes).unwrap();
    assert_eq!(parsed.header().length(), 344);
    assert_eq!(bytes.len(), 5322);
    assert!(
        cisco_itl::show::render(&bytes, None)
            .text
            .contains("\n3 SIGNERID 2 157\n")
    );
}

#[test]
fn seed_003_ctl_header() {
    let s = signer();
    let id = SignerId {
        name: name("CN=", 62),
        serial: s.certificate().serial().to_vec(),
        ca_name: name("CN=", 62),
    };
    let header = HeaderBuf::new(
        Layout::Cucm,
        (1, 2),
        &id,
        DigestAlgorithm::Sha1,
        "CTLFile.tlv",
        0,
    );
    let mut list = TrustListBuf {
        header,
        records: vec![record(Function::Sast, 62, 140, 128, Some(605))],
    };
    let bytes = list.sign(s.key(), DigestAlgorithm::Sha1).unwrap();
    let parsed = TrustList::parse(&bytes).unwrap();
    assert_eq!(parsed.header().length(), 336);
    assert_eq!(parsed.kind(), cisco_itl::ListKind::Ctl);
    let text = cisco_itl::show::render(&bytes, None).text;
    assert!(text.contains("\n3 SIGNERID 2 149\n"));
    assert!(text.contains("CTL Record #:1\n"));
    // Padding: 333 bytes of elements, then three padding bytes.
    assert_eq!(&bytes[333..336], &[ht::PADDING.0; 3]);
}
