//! Each way a signature can be refused is its own error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

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
