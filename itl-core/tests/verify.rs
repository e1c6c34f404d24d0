//! Each way a signature can be refused is its own error.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::tag::{header as ht, record as rt};
use cisco_itl::verify::{Policy, TrustAnchor, VerifyError};
use cisco_itl::write::TrustListBuf;
use cisco_itl::{DigestAlgorithm, Function, ListKind, TrustList};

fn edited(edit: impl FnOnce(&mut TrustListBuf)) -> Vec<u8> {
    let bytes = read("cucm-ITLFile.tlv");
    let mut owned = TrustListBuf::from_view(&TrustList::parse(&bytes).unwrap());
    edit(&mut owned);
    owned.to_bytes().unwrap()
}

#[test]
fn signer_not_sast() {
    // Record 0 (the signer's SAST record) turned into CCM.
    let bytes = edited(|l| l.records[0].set(rt::FUNCTION, [0, 1]));
    let list = TrustList::parse(&bytes).unwrap();
    assert_eq!(
        list.verify(),
        Err(VerifyError::SignerNotSast {
            index: 0,
            function: Function::Ccm
        })
    );
}

#[test]
fn missing_signer_record() {
    let bytes = edited(|l| {
        l.records.remove(1);
        l.records.remove(0);
    });
    assert_eq!(
        TrustList::parse(&bytes).unwrap().verify(),
        Err(VerifyError::NoSignerRecord)
    );
}

#[test]
fn unsupported_digest_and_signature_algorithm() {
    let bytes = edited(|l| l.header.set(ht::DIGEST_ALGORITHM, [9]));
    let list = TrustList::parse(&bytes).unwrap();
    assert_eq!(list.header().digest(), DigestAlgorithm::Unknown(9));
    assert_eq!(list.verify(), Err(VerifyError::UnsupportedDigest(9)));
    let bytes = edited(|l| l.header.set(ht::SIGNATURE_ALGORITHM, [1]));
    assert_eq!(
        TrustList::parse(&bytes).unwrap().verify(),
        Err(VerifyError::UnsupportedSignatureAlgorithm(1))
    );
}

#[test]
fn tampered_byte_and_wrong_key() {
    let bytes = edited(|l| l.header.set_timestamp(1));
    assert_eq!(
        TrustList::parse(&bytes).unwrap().verify(),
        Err(VerifyError::BadSignature)
    );
    let good = read("cucm-ITLFile.tlv");
    let list = TrustList::parse(&good).unwrap();
    // The right serial but another key.
    let other = CertInfo::from_pem(&read("keys/tvs-pub.pem")).unwrap();
    let mut anchor = TrustAnchor::from_certificate(&other).unwrap();
    anchor.serial = list.header().signer_serial().to_vec();
    assert_eq!(
        list.verify_with(&[anchor], &Policy::default()),
        Err(VerifyError::BadSignature)
    );
    // A certificate that is not the signer's.
    let anchor = TrustAnchor::from_certificate(&other).unwrap();
    assert_eq!(
        list.verify_with(&[anchor], &Policy::default()),
        Err(VerifyError::UntrustedSigner)
    );
    // The signer's own certificate, as a caller would hold it.
    let cm = CertInfo::from_pem(&read("keys/callmanager-pub.pem")).unwrap();
    let ok = list
        .verify_with(
            &[TrustAnchor::from_certificate(&cm).unwrap()],
            &Policy::default(),
        )
        .unwrap();
    assert_eq!(
        (ok.anchor_index, ok.signer_index, ok.key_bits),
        (Some(0), Some(0), 1024)
    );
}

#[test]
fn strict_policy_refuses_sha1_and_small_keys() {
    let itl = read("cucm-ITLFile.tlv");
    assert_eq!(
        TrustList::parse(&itl)
            .unwrap()
            .verify_with_policy(&Policy::strict()),
        Err(VerifyError::WeakDigest(DigestAlgorithm::Sha1))
    );
    let small = Signer::from_pem(&read("keys/callmanager-pub.pem")).unwrap();
    let big = Signer::from_pem(&read("keys/callmanager-sub1.pem")).unwrap();
    let build = |s: &Signer| {
        TrustListBuilder::new(ListKind::Itl)
            .digest(DigestAlgorithm::Sha256)
            .record(s.certificate().clone(), Function::Sast)
            .sign(s)
            .unwrap()
    };
    let weak = build(&small);
    assert_eq!(
        TrustList::parse(&weak)
            .unwrap()
            .verify_with_policy(&Policy::strict()),
        Err(VerifyError::WeakKey {
            bits: 1024,
            min: 2048
        })
    );
    let strong = build(&big);
    let v = TrustList::parse(&strong)
        .unwrap()
        .verify_with_policy(&Policy::strict())
        .unwrap();
    assert_eq!((v.key_bits, v.digest), (2048, DigestAlgorithm::Sha256));
}

#[test]
fn verify_with_list_names_the_installed_record() {
    let ctl = read("cucm-CTLFile-tokenless.tlv");
    let itl = read("cucm-ITLFile.tlv");
    let (ctl, itl) = (
        TrustList::parse(&ctl).unwrap(),
        TrustList::parse(&itl).unwrap(),
    );
    let (i, _) = itl
        .verify_with_list(&ctl, &[Function::CcmTftp], &Policy::default())
        .unwrap();
    assert_eq!(i, 1);
    assert_eq!(
        itl.verify_with_list(&ctl, &[Function::Capf], &Policy::default()),
        Err(VerifyError::UntrustedSigner)
    );
}

/// `base` with its issuer and subject replaced by the DER `name` (the
/// certificate's own signature no longer holds; nothing here checks it).
fn with_name(base: &[u8], name: &[u8]) -> Vec<u8> {
    use der::asn1::AnyRef;
    use der::{Decode, Encode, Tagged};
    let outer = Vec::<AnyRef<'_>>::from_der(base).unwrap();
    let mut tbs = outer[0].decode_as::<Vec<AnyRef<'_>>>().unwrap();
    let at = usize::from(tbs[0].tag().is_context_specific());
    let name = AnyRef::from_der(name).unwrap();
    tbs[at + 2] = name;
    tbs[at + 4] = name;
    let tbs = tbs.to_der().unwrap();
    vec![AnyRef::from_der(&tbs).unwrap(), outer[1], outer[2]]
        .to_der()
        .unwrap()
}

/// A DER name of two RDNs, `C=PL` and a multi-valued one with its
/// attributes out of DER order (a CN that is a UTF8String but not UTF-8,
/// then `O=b`, whose shorter encoding sorts first).
fn unusual_name() -> Vec<u8> {
    use der::asn1::{AnyRef, ObjectIdentifier};
    use der::{Encode, Tag};
    let tlv = |tag: Tag, content: &[u8]| AnyRef::new(tag, content).unwrap().to_der().unwrap();
    let atv = |oid: &str, tag: Tag, value: &[u8]| {
        let oid = ObjectIdentifier::new_unwrap(oid).to_der().unwrap();
        tlv(Tag::Sequence, &[oid, tlv(tag, value)].concat())
    };
    let c = tlv(Tag::Set, &atv("2.5.4.6", Tag::PrintableString, b"PL"));
    let o_cn = tlv(
        Tag::Set,
        &[
            atv("2.5.4.3", Tag::Utf8String, b"a\xff"),
            atv("2.5.4.10", Tag::PrintableString, b"b"),
        ]
        .concat(),
    );
    tlv(Tag::Sequence, &[c, o_cn].concat())
}

#[test]
fn records_of_certificates_with_unusual_names_verify_in_both_spellings() {
    let callmanager = signer("callmanager-pub.pem");
    let der = with_name(callmanager.certificate().der(), &unusual_name());
    let cert = CertInfo::from_der(&der).unwrap();
    let signer = Signer::new(callmanager.key().clone(), cert.clone()).unwrap();
    use cisco_itl::cert::NameStyle;
    use cisco_itl::write::Layout;
    for (layout, written) in [
        (Layout::Cucm, "O=b+CN=#0c0261ff;C=PL"),
        (Layout::Peer, "C=PL,O=b+CN=#0c0261ff"),
    ] {
        assert_eq!(cert.subject(layout.name_style()).unwrap(), written);
        let bytes = TrustListBuilder::new(ListKind::Itl)
            .layout(layout)
            .record(cert.clone(), Function::Sast)
            .sign(&signer)
            .unwrap();
        let list = TrustList::parse(&bytes).unwrap();
        let record = list.record(0).unwrap();
        assert_eq!((record.subject(), record.issuer()), (written, written));
        assert_eq!(list.verify().unwrap().signer_index, Some(0));
        assert_eq!(list.check_records(), Ok(()));
        assert_eq!(
            cisco_itl::verify::record_key(&record)
                .unwrap()
                .as_pkcs1_der(),
            cert.public_key_bytes()
        );

        // The other style's spelling is the same name; the attributes in
        // the order they are encoded, or as RDNs of their own, are not.
        let other = match layout.name_style() {
            NameStyle::Cucm => NameStyle::Comma,
            NameStyle::Comma => NameStyle::Cucm,
        };
        for (subject, expected) in [
            (cert.subject(other).unwrap(), Ok(())),
            (
                "O=b;CN=#0c0261ff;C=PL".to_string(),
                Err((
                    0,
                    VerifyError::RecordMismatch(cisco_itl::verify::RecordField::Subject),
                )),
            ),
            (
                "CN=#0c0261ff+O=b;C=PL".to_string(),
                Err((
                    0,
                    VerifyError::RecordMismatch(cisco_itl::verify::RecordField::Subject),
                )),
            ),
        ] {
            let mut owned = TrustListBuf::from_view(&list);
            owned.records[0].set(rt::SUBJECT_NAME, [subject.as_bytes(), b"\0"].concat());
            let bytes = owned.to_bytes().unwrap();
            let edited = TrustList::parse(&bytes).unwrap();
            assert_eq!(edited.check_records(), expected, "{subject}");
        }
    }
}
