//! `.sgn` files: both vectors parse, verify and are reproduced; recovery
//! re-signing reproduces CUCM's reset ITL.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::pkcs12::Identity;
use cisco_itl::recovery::{RecoveryError, Trusted, reset};
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use cisco_itl::verify::{Policy, VerifyError};
use cisco_itl::write::Layout;
use cisco_itl::{DigestAlgorithm, Function, TrustList};

#[test]
fn cucm_sgn_verifies_and_is_reproduced() {
    let bytes = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let sgn = SignedFile::parse(&bytes).unwrap();
    assert_eq!(sgn.header().length(), 352);
    assert_eq!(sgn.payload().len(), 476 - 352);
    assert_eq!(sgn.header().digest(), DigestAlgorithm::Sha1);
    let signer = Signer::from_pem(&read("keys/callmanager-pub.pem")).unwrap();
    let v = sgn
        .verify_with_certificate(signer.certificate(), &Policy::default())
        .unwrap();
    assert_eq!(v.key_bits, 1024);
    // Against the ITL: the TFTP record of the publisher verifies it.
    let itl_bytes = read("cucm-ITLFile.tlv");
    let itl = TrustList::parse(&itl_bytes).unwrap();
    let (index, _) = sgn
        .verify_with_list(
            &itl,
            &[Function::CcmTftp, Function::Tftp],
            &Policy::default(),
        )
        .unwrap();
    assert_eq!(index, 1);
    // The SAST record alone does not make a configuration signer.
    assert!(
        sgn.verify_with_list(&itl, &[Function::Tvs], &Policy::default())
            .is_err()
    );
    let rebuilt = SignedFileBuilder::new(sgn.header().filename(), sgn.payload().to_vec())
        .timestamp(sgn.header().timestamp())
        .sign(&signer)
        .unwrap();
    assert_eq!(rebuilt, bytes);
}

#[test]
fn peer_sgn_verifies_and_is_reproduced() {
    let bytes = read("peer-SEPpeer.cnf.xml.sgn");
    let sgn = SignedFile::parse(&bytes).unwrap();
    assert_eq!(sgn.header().digest(), DigestAlgorithm::Sha512);
    let signer = Signer::from_pem(&read("keys/peer-asterisk.pem")).unwrap();
    sgn.verify_with_certificate(signer.certificate(), &Policy::strict())
        .unwrap();
    let rebuilt = SignedFileBuilder::new(sgn.header().filename(), sgn.payload().to_vec())
        .layout(Layout::Peer)
        .digest(DigestAlgorithm::Sha512)
        .timestamp(sgn.header().timestamp())
        .sign(&signer)
        .unwrap();
    assert_eq!(rebuilt, bytes);
}

#[test]
fn sgn_rejects_wrong_key_and_tampering() {
    let bytes = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let other = CertInfo::from_pem(&read("keys/tvs-pub.pem")).unwrap();
    let sgn = SignedFile::parse(&bytes).unwrap();
    assert_eq!(
        sgn.verify_with_certificate(&other, &Policy::default()),
        Err(VerifyError::UntrustedSigner)
    );
    let mut tampered = bytes.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 0x20;
    let cm = CertInfo::from_pem(&read("keys/callmanager-pub.pem")).unwrap();
    let t = SignedFile::parse(&tampered).unwrap();
    assert_eq!(
        t.verify_with_certificate(&cm, &Policy::default()),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        sgn.verify_with_certificate(&cm, &Policy::strict()),
        Err(VerifyError::WeakDigest(DigestAlgorithm::Sha1))
    );
}

#[test]
fn reset_matches_cucm_with_both_pkcs12_protections() {
    let password = String::from_utf8(read("keys/ITLRecovery.password")).unwrap();
    let itl_bytes = read("cucm-ITLFile.tlv");
    let itl = TrustList::parse(&itl_bytes).unwrap();
    for p12 in ["keys/ITLRecovery.p12", "keys/ITLRecovery-legacy.p12"] {
        let id = Identity::from_pkcs12(&read(p12), password.trim()).unwrap();
        // Trusting the cluster's CTL (the ITL itself vouches for nothing).
        let ctl_bytes = read("cucm-CTLFile-tokenless.tlv");
        let mut trusted = Trusted::new();
        trusted.add_list(&TrustList::parse(&ctl_bytes).unwrap());
        let out = reset(&itl, &id, &trusted).unwrap();
        assert_eq!(out, read("cucm-ITLFile-reset.tlv"), "{p12}");
        let parsed = TrustList::parse(&out).unwrap();
        assert_eq!(parsed.verify().unwrap().signer_index, Some(4));
        assert_eq!(parsed.header().timestamp(), itl.header().timestamp());
    }
}

#[test]
fn reset_refuses_an_itl_without_the_recovery_record() {
    let password = String::from_utf8(read("keys/ITLRecovery.password")).unwrap();
    let id = Identity::from_pkcs12(&read("keys/ITLRecovery.p12"), password.trim()).unwrap();
    let rollback = read("cucm-ITLFile-rollback.tlv");
    let list = TrustList::parse(&rollback).unwrap();
    let ctl_bytes = read("cucm-CTLFile-tokenless.tlv");
    let mut trusted = Trusted::new();
    trusted.add_list(&TrustList::parse(&ctl_bytes).unwrap());
    assert_eq!(
        reset(&list, &id, &trusted),
        Err(RecoveryError::NoRecoveryRecord)
    );
}
