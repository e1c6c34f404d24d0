//! The builder reproduces the vectors byte for byte: CUCM's ITL and
//! tokenless CTL, and the independent implementation's files.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::build::{RecordSpec, TrustListBuilder};
use cisco_itl::cert::CertInfo;
use cisco_itl::write::Layout;
use cisco_itl::{DigestAlgorithm, Function, ListKind, TrustList};

#[test]
fn cucm_itl_is_reproduced() {
    let cm = cert("callmanager-pub.pem");
    let bytes = TrustListBuilder::new(ListKind::Itl)
        .timestamp(1773075583)
        .record(cm.clone(), Function::Sast)
        .record(cm, Function::Tftp)
        .record(cert("capf.pem"), Function::Capf)
        .record(cert("tvs-pub.pem"), Function::Tvs)
        .record(cert("itlrecovery.pem"), Function::Sast)
        .record(cert("tvs-sub1.pem"), Function::Tvs)
        .sign(&signer("callmanager-pub.pem"))
        .unwrap();
    assert_eq!(bytes, read("cucm-ITLFile.tlv"));
}

#[test]
fn cucm_tokenless_ctl_is_reproduced() {
    let cm = cert("callmanager-pub.pem");
    let pub_node =
        |c: CertInfo, f| RecordSpec::new(c, f).with_node("cucm-1051-a-pub", [10, 48, 47, 155]);
    let bytes = TrustListBuilder::new(ListKind::Ctl)
        .timestamp(1773075583)
        .record_spec(pub_node(cm.clone(), Function::Sast))
        .record_spec(pub_node(cm, Function::CcmTftp))
        .record_spec(pub_node(cert("capf.pem"), Function::Capf))
        .record_spec(
            RecordSpec::new(cert("callmanager-sub1.pem"), Function::CcmTftp)
                .with_node("cucm-1051-a-sub1", [10, 48, 47, 156]),
        )
        .sign(&signer("callmanager-pub.pem"))
        .unwrap();
    assert_eq!(bytes, read("cucm-CTLFile-tokenless.tlv"));
}

fn peer(kind: ListKind, file: &str, records: &[(&str, Function)]) -> TrustListBuilder {
    let vector = read(file);
    let list = TrustList::parse(&vector).unwrap();
    let h = list.header();
    let (major, minor) = h.signer_version().unwrap();
    let mut b = TrustListBuilder::new(kind)
        .layout(Layout::Peer)
        .filename(h.filename())
        .timestamp(h.timestamp())
        .digest(h.digest())
        .signer_version(major, minor);
    for (c, f) in records {
        b = b.record(cert(c), *f);
    }
    b
}

type PeerCase<'a> = (&'a str, ListKind, &'a [(&'a str, Function)]);

#[test]
fn peer_files_are_reproduced() {
    let cases: [PeerCase; 3] = [
        (
            "peer-ITLFile-sha1.tlv",
            ListKind::Itl,
            &[
                ("peer-sast.pem", Function::Sast),
                ("peer-asterisk.pem", Function::Ccm),
                ("peer-tvs.pem", Function::Tvs),
                ("peer-asterisk.pem", Function::AppServer),
            ],
        ),
        (
            "peer-ITLFile-sha512-v1.1.tlv",
            ListKind::Itl,
            &[
                ("peer-sast.pem", Function::Sast),
                ("peer-asterisk.pem", Function::Ccm),
                ("peer-apache-ec.pem", Function::Tftp),
            ],
        ),
        (
            "peer-CTLFile.tlv",
            ListKind::Ctl,
            &[
                ("peer-sast.pem", Function::Sast),
                ("peer-asterisk.pem", Function::CcmTftp),
                ("peer-tvs.pem", Function::Capf),
            ],
        ),
    ];
    for (file, kind, records) in cases {
        let bytes = peer(kind, file, records)
            .sign(&signer("peer-sast.pem"))
            .unwrap();
        assert_eq!(bytes, read(file), "{file}");
    }
}

#[test]
fn digest_is_settable_and_verifies() {
    let s = signer("callmanager-sub1.pem");
    for d in [
        DigestAlgorithm::Sha1,
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha512,
    ] {
        let bytes = TrustListBuilder::new(ListKind::Itl)
            .digest(d)
            .filename("ITLSEP001122334455.tlv")
            .version(1, 2)
            .record(s.certificate().clone(), Function::Sast)
            .sign(&s)
            .unwrap();
        let list = TrustList::parse(&bytes).unwrap();
        assert_eq!(list.header().digest(), d);
        assert_eq!(list.header().filename(), "ITLSEP001122334455.tlv");
        assert_eq!(list.header().signature().len(), 256);
        assert_eq!(list.header().length() % 4, 0);
        let v = list.verify().unwrap();
        assert_eq!((v.digest, v.key_bits, v.signer_index), (d, 2048, Some(0)));
    }
}

#[test]
fn empty_builder_is_refused() {
    let s = signer("capf.pem");
    let err = TrustListBuilder::new(ListKind::Ctl).sign(&s).unwrap_err();
    assert_eq!(err, cisco_itl::build::BuildError::NoRecords);
}

/// The notes' 8.x ITL (`show itl`, French SBD note): a `CallManager.pem`
/// issued by an enterprise CA (`CN=JASBURNS-AD`) keeps its SIGNATURE in the
/// SAST and CCM+TFTP records, RECORDLENGTH 1972 =
/// 5+5+79+5+18+13+143+259+1445. The fixture (`data/ca-issued/README.md`)
/// has the notes' lengths: a 76-byte subject, a 15-byte issuer, a 10-byte
/// serial, a 1024-bit key (140-byte PUBLICKEY), a 2048-bit CA (256-byte
/// SIGNATURE), a 1,442-byte certificate.
#[test]
fn ca_issued_certificate_keeps_its_signature() {
    let pem = std::fs::read("tests/data/ca-issued/callmanager-ca-issued.pem").unwrap();
    let s = cisco_itl::key::Signer::from_pem(&pem).unwrap();
    let cm = s.certificate().clone();
    assert!(!cm.is_self_issued());
    assert_eq!(cm.der().len(), 1442);
    let bytes = TrustListBuilder::new(ListKind::Itl)
        .timestamp(1311776184)
        .record(cm.clone(), Function::Sast)
        .record(cm.clone(), Function::CcmTftp)
        .sign(&s)
        .unwrap();
    let list = TrustList::parse(&bytes).unwrap();
    assert_eq!(list.header().ca_name(), "CN=JASBURNS-AD");
    assert_eq!(list.records().count(), 2);
    for r in list.records() {
        let (subject, issuer) = (r.subject().len() + 1, r.issuer().len() + 1);
        assert_eq!((subject, issuer, r.serial().len()), (76, 15, 10));
        assert_eq!(r.public_key().unwrap().len(), 140);
        assert_eq!(r.signature().unwrap().len(), 256);
        assert_eq!(r.signature().unwrap(), cm.signature_bytes());
        assert_eq!(r.certificate().unwrap().len(), 1442);
        let sum = 5 + 5 + (3 + subject) + 5 + (3 + issuer) + (3 + 10) + (3 + 140);
        assert_eq!(sum + (3 + 256) + (3 + 1442), 1972);
        assert_eq!(r.length(), 1972);
    }
    assert!(list.verify().is_ok());
}

/// The other side of the rule: only a hardware eToken's certificate (issuer
/// CN `Cisco Manufacturing CA`) is written without SIGNATURE.
#[test]
fn only_etoken_records_lack_signature() {
    let bytes = TrustListBuilder::new(ListKind::Ctl)
        .timestamp(1773075583)
        .record(cert("etoken1.pem"), Function::Sast)
        .record(cert("callmanager-pub.pem"), Function::CcmTftp)
        .sign(&signer("etoken2.pem"))
        .unwrap();
    let list = TrustList::parse(&bytes).unwrap();
    let has: Vec<bool> = list.records().map(|r| r.signature().is_some()).collect();
    assert_eq!(has, [false, true]);
}
