//! Forgeries an attacker who controls the TFTP server can make, each
//! refused through the public API with its own error. Every test here
//! passed the forgery before the checks it exercises existed.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::phone::{ManualClock, Phone, Rejection, Trust, TvsOutcome};
use cisco_itl::pkcs12::Identity;
use cisco_itl::recovery::{RecoveryError, Trusted, reset};
use cisco_itl::show::{Outcome, render};
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use cisco_itl::tag::{header as ht, record as rt};
use cisco_itl::tvs::server::{InMemoryTvs, TvsServer};
use cisco_itl::verify::{Policy, RecordField, TrustAnchor, VerifyError, record_key};
use cisco_itl::write::{SignerId, TrustListBuf};
use cisco_itl::{DigestAlgorithm, Function, TrustList};

const ITL: &str = "cucm-ITLFile.tlv";
const PHONE: &str = "SEP0011215A1AE3";
const CONFIG: &str = "SEP0011215A1AE3.cnf.xml.sgn";

/// The publisher's CallManager identity, which signs `cucm-ITLFile.tlv`.
fn callmanager() -> Signer {
    signer("callmanager-pub.pem")
}

/// An attacker's key and certificate (any key the cluster does not know).
fn attacker() -> Signer {
    signer("peer-asterisk.pem")
}

fn owned(name: &str) -> TrustListBuf {
    TrustListBuf::from_view(&TrustList::parse(&read(name)).unwrap())
}

/// A phone that installed the genuine ITL on first use.
fn phone_with_itl() -> Phone {
    let mut phone = Phone::new(PHONE);
    let clock = ManualClock::new(0);
    assert_eq!(
        phone.offer_trust_list(
            "ITLFile.tlv",
            &read(ITL),
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Ok(Trust::FirstUse)
    );
    phone
}

/// Forgery 1: the SAST and TFTP records keep CallManager's certificate but
/// carry the attacker's PUBLICKEY, and the file is signed by the attacker.
fn swapped_public_key() -> Vec<u8> {
    let evil = attacker();
    let mut list = owned(ITL);
    let evil_key = evil.certificate().public_key_bytes().to_vec();
    for r in list.records.iter_mut().take(2) {
        r.set(rt::PUBLIC_KEY, evil_key.clone());
    }
    list.sign(evil.key(), DigestAlgorithm::Sha1).unwrap()
}

#[test]
fn public_key_that_is_not_the_certificates_key_is_refused_everywhere() {
    let forged = swapped_public_key();
    let list = TrustList::parse(&forged).unwrap();
    // verify() used to return Ok naming record 0.
    assert_eq!(list.verify(), Err(VerifyError::KeyMismatch));
    let (index, signer) = list.signer_record().unwrap();
    assert_eq!(index, 0);
    assert_eq!(record_key(&signer), Err(VerifyError::KeyMismatch));
    assert_eq!(list.check_records(), Err((0, VerifyError::KeyMismatch)));
    assert_eq!(
        TrustAnchor::from_record(&signer),
        Err(VerifyError::KeyMismatch)
    );

    // show no longer says the record signed it, nor that it verified.
    let shown = render(&forged, None);
    assert_eq!(
        shown.outcome,
        Outcome::VerificationFailed(VerifyError::KeyMismatch)
    );
    assert!(!shown.text.contains("This etoken was used to sign"));
    assert!(
        shown
            .text
            .ends_with("Verification of the ITL file failed.\n")
    );

    // Neither a fresh phone nor one holding the genuine ITL installs it.
    let clock = ManualClock::new(0);
    let mut fresh = Phone::new(PHONE);
    let refused = Rejection::BadRecord {
        record: 0,
        error: VerifyError::KeyMismatch,
    };
    assert_eq!(
        fresh.offer_trust_list(
            "ITLFile.tlv",
            &forged,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Err(refused.clone())
    );
    assert!(fresh.itl().is_none());
    let mut phone = phone_with_itl();
    assert_eq!(
        phone.offer_trust_list(
            "ITLFile.tlv",
            &forged,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Err(refused)
    );
    assert_eq!(phone.itl(), Some(&read(ITL)[..]));

    // And a configuration signed by the attacker's key, naming
    // CallManager, is refused by a phone holding the genuine ITL.
    let config = SignedFileBuilder::new(CONFIG, b"<device/>".to_vec())
        .timestamp(1_773_075_600)
        .sign(&attacker())
        .unwrap();
    let sgn = SignedFile::parse(&config).unwrap();
    assert!(
        sgn.verify_with_list(
            &TrustList::parse(&read(ITL)).unwrap(),
            &[Function::Tftp],
            &Policy::default()
        )
        .is_err()
    );
    let phone = phone_with_itl();
    assert!(matches!(
        phone.offer_config(CONFIG, &config, &clock),
        Err(Rejection::Untrusted(_))
    ));
}

#[test]
fn certificate_swapped_while_public_key_stays_is_refused() {
    let evil = attacker();
    let mut list = owned(ITL);
    list.records[0].set(rt::CERTIFICATE, evil.certificate().der().to_vec());
    let forged = list.sign(evil.key(), DigestAlgorithm::Sha1).unwrap();
    let list = TrustList::parse(&forged).unwrap();
    assert_eq!(list.verify(), Err(VerifyError::KeyMismatch));
    assert_eq!(
        record_key(&list.record(0).unwrap()),
        Err(VerifyError::KeyMismatch)
    );
}

#[test]
fn record_names_that_are_not_the_certificates_are_refused() {
    let evil = attacker();
    // Both key and certificate are the attacker's, but the record keeps
    // CallManager's serial, issuer and subject (so that the header, which
    // names CallManager, still finds it).
    let mut list = owned(ITL);
    list.records[0].set(rt::CERTIFICATE, evil.certificate().der().to_vec());
    list.records[0].set(
        rt::PUBLIC_KEY,
        evil.certificate().public_key_bytes().to_vec(),
    );
    list.records[0].set(rt::SIGNATURE, evil.certificate().signature_bytes().to_vec());
    let forged = list.sign(evil.key(), DigestAlgorithm::Sha1).unwrap();
    assert_eq!(
        TrustList::parse(&forged).unwrap().verify(),
        Err(VerifyError::RecordMismatch(RecordField::Serial))
    );
    // A CERTHASH that is not the certificate's SHA-1.
    let mut list = owned(ITL);
    list.records[0].set(rt::CERT_HASH, vec![0u8; 20]);
    let forged = list
        .sign(callmanager().key(), DigestAlgorithm::Sha1)
        .unwrap();
    assert_eq!(
        TrustList::parse(&forged).unwrap().verify(),
        Err(VerifyError::RecordMismatch(RecordField::CertHash))
    );
}

#[test]
fn header_must_name_its_signer_truthfully() {
    let cm = callmanager();
    let genuine_bytes = read(ITL);
    let genuine = TrustList::parse(&genuine_bytes).unwrap();
    // SIGNERNAME claims the recovery identity while serial and issuer are
    // CallManager's; the signature itself is CallManager's and valid.
    let mut list = owned(ITL);
    list.header.set_signer(&SignerId {
        name: "CN=ITLRECOVERY_cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL".into(),
        serial: genuine.header().signer_serial().to_vec(),
        ca_name: genuine.header().ca_name().into(),
    });
    let forged = list.sign(cm.key(), DigestAlgorithm::Sha1).unwrap();
    let forged = TrustList::parse(&forged).unwrap();
    assert_eq!(forged.verify(), Err(VerifyError::SignerNameMismatch));
    let anchor = TrustAnchor::from_certificate(cm.certificate()).unwrap();
    assert_eq!(
        forged.verify_with(std::slice::from_ref(&anchor), &Policy::default()),
        Err(VerifyError::SignerNameMismatch)
    );
    assert_eq!(
        forged
            .verify_with_list(&genuine, &[Function::Sast], &Policy::default())
            .map(|(i, _)| i),
        Err(VerifyError::SignerNameMismatch)
    );

    // CANAME names another issuer with the same serial: checked against the
    // certificate, issuer and serial are both compared, for a .tlv and for
    // a signed file alike (the same header, read as a .sgn).
    let mut list = owned(ITL);
    list.header.set_signer(&SignerId {
        name: genuine.header().signer_name().into(),
        serial: genuine.header().signer_serial().to_vec(),
        ca_name: "CN=Some Other CA;O=Elsewhere;C=US".into(),
    });
    let other_issuer = list.sign(cm.key(), DigestAlgorithm::Sha1).unwrap();
    assert_eq!(
        TrustList::parse(&other_issuer)
            .unwrap()
            .verify_with(std::slice::from_ref(&anchor), &Policy::default()),
        Err(VerifyError::SignerIssuerMismatch)
    );
    assert_eq!(
        SignedFile::parse(&other_issuer)
            .unwrap()
            .verify_with_certificate(cm.certificate(), &Policy::default()),
        Err(VerifyError::SignerIssuerMismatch)
    );
    // The genuine file, read as a signed file, does verify that way.
    assert!(
        SignedFile::parse(&read(ITL))
            .unwrap()
            .verify_with_certificate(cm.certificate(), &Policy::default())
            .is_ok()
    );

    // SIGNATUREMODULUS claims a 2048-bit key; CallManager's is 1024 bits.
    let mut bytes = read(ITL);
    let list = TrustList::parse(&bytes).unwrap();
    let at = list
        .header()
        .as_bytes()
        .windows(4)
        .position(|w| w == [ht::SIGNATURE_MODULUS.0, 0, 1, 1])
        .unwrap()
        + 3;
    bytes[at] = 2;
    let err = TrustList::parse(&bytes).unwrap().verify().unwrap_err();
    assert!(
        matches!(err, VerifyError::ModulusMismatch { key_bits: 1024, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the header declares a 2048-bit key, the signer's key has 1024 bits"
    );
}

fn recovery() -> Identity {
    Identity::from_pkcs12(&read("keys/ITLRecovery.p12"), "Cluster-Security-Pw1").unwrap()
}

/// Trusting the publisher's CallManager certificate.
fn trusting_callmanager() -> Trusted {
    Trusted::from(vec![
        TrustAnchor::from_certificate(callmanager().certificate()).unwrap(),
    ])
}

#[test]
fn reset_refuses_an_itl_that_does_not_verify() {
    // The attacker replaces the TFTP record's certificate with their own
    // and leaves the signature as it was.
    let evil = attacker();
    let mut list = owned(ITL);
    list.records[1].set(rt::CERTIFICATE, evil.certificate().der().to_vec());
    let tampered = list.to_bytes().unwrap();
    let err = reset(
        &TrustList::parse(&tampered).unwrap(),
        &recovery(),
        &trusting_callmanager(),
    )
    .unwrap_err();
    assert_eq!(err, RecoveryError::NotVerified(VerifyError::BadSignature));
    // The genuine ITL still resets, byte for byte as CUCM does.
    assert_eq!(
        reset(
            &TrustList::parse(&read(ITL)).unwrap(),
            &recovery(),
            &trusting_callmanager()
        )
        .unwrap(),
        read("cucm-ITLFile-reset.tlv")
    );
}

#[test]
fn reset_checks_the_trusted_signer_and_the_recovery_records_key() {
    let genuine_bytes = read(ITL);
    let genuine = TrustList::parse(&genuine_bytes).unwrap();
    // Trusting only the publisher's CallManager: the genuine ITL resets.
    let cm = TrustAnchor::from_certificate(callmanager().certificate()).unwrap();
    assert!(reset(&genuine, &recovery(), &Trusted::from(vec![cm.clone()])).is_ok());
    // Trusting another certificate: the genuine ITL is not re-signed.
    let other = TrustAnchor::from_certificate(&cert("tvs-sub1.pem")).unwrap();
    assert_eq!(
        reset(&genuine, &recovery(), &Trusted::from(vec![other])),
        Err(RecoveryError::NotTrusted(VerifyError::UntrustedSigner))
    );
    // The records re-signed by somebody else: no record of that signer.
    let evil = attacker();
    let mut list = owned(ITL);
    let forged = list
        .sign_as(
            &evil,
            DigestAlgorithm::Sha1,
            cisco_itl::cert::NameStyle::Cucm,
        )
        .unwrap();
    let forged = TrustList::parse(&forged).unwrap();
    assert_eq!(
        reset(&forged, &recovery(), &Trusted::from(vec![cm])),
        Err(RecoveryError::NotVerified(VerifyError::NoSignerRecord))
    );
    // A record with the recovery certificate's serial and issuer but
    // another key is not the recovery record.
    let mut list = owned(ITL);
    let recovery_record = list
        .records
        .iter_mut()
        .find(|r| {
            r.get(rt::SUBJECT_NAME)
                .is_some_and(|s| s.starts_with(b"CN=ITLRECOVERY"))
        })
        .unwrap();
    recovery_record.remove(rt::CERTIFICATE);
    recovery_record.set(
        rt::PUBLIC_KEY,
        evil.certificate().public_key_bytes().to_vec(),
    );
    let bytes = list
        .sign(callmanager().key(), DigestAlgorithm::Sha1)
        .unwrap();
    let list = TrustList::parse(&bytes).unwrap();
    assert!(list.verify().is_ok());
    assert_eq!(
        reset(&list, &recovery(), &trusting_callmanager()),
        Err(RecoveryError::NoRecoveryRecord)
    );
}

#[test]
fn a_signed_file_is_the_file_that_was_asked_for() {
    let clock = ManualClock::new(0);
    let phone = phone_with_itl();
    let cm = callmanager();
    // Another phone's configuration, genuinely signed by CallManager.
    let other = SignedFileBuilder::new("SEP001122334455.cnf.xml.sgn", b"<device/>".to_vec())
        .timestamp(1_773_075_600)
        .sign(&cm)
        .unwrap();
    assert_eq!(
        phone.offer_config(CONFIG, &other, &clock),
        Err(Rejection::WrongFile {
            requested: CONFIG.into(),
            signed_name: "SEP001122334455.cnf.xml.sgn".into(),
        })
    );
    // The ITL itself, offered as the configuration.
    assert_eq!(
        phone.offer_config(CONFIG, &read(ITL), &clock),
        Err(Rejection::WrongFile {
            requested: CONFIG.into(),
            signed_name: "ITLFile.tlv".into(),
        })
    );
    // The right file is accepted, the MAC compared without regard to case.
    let own = SignedFileBuilder::new(CONFIG, b"<device/>".to_vec())
        .timestamp(1_773_075_600)
        .sign(&cm)
        .unwrap();
    assert_eq!(
        phone.offer_config(CONFIG, &own, &clock),
        Ok(Trust::ItlTftp { record: 1 })
    );
    assert_eq!(
        phone.offer_config("SEP0011215a1ae3.cnf.xml.sgn", &own, &clock),
        Ok(Trust::ItlTftp { record: 1 })
    );
    assert!(matches!(
        phone.offer_config("SEP0011215A1AE3.cnf.xml.enc.sgn", &own, &clock),
        Err(Rejection::WrongFile { .. })
    ));
}

#[test]
fn a_trust_list_is_of_the_kind_that_was_asked_for() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    // A CTL served as the ITL, and an ITL served as the CTL.
    let mut phone = Phone::new(PHONE);
    assert_eq!(
        phone.offer_trust_list(
            "ITLSEP0011215A1AE3.tlv",
            &read("cucm-CTLFile-tokenless.tlv"),
            &mut tvs,
            &clock
        ),
        Err(Rejection::WrongKind {
            requested: "ITL",
            signed_name: "CTLFile.tlv".into(),
        })
    );
    assert!(phone.ctl().is_none() && phone.itl().is_none());
    let mut phone = Phone::new(PHONE);
    assert_eq!(
        phone.offer_trust_list("CTLFile.tlv", &read(ITL), &mut tvs, &clock),
        Err(Rejection::WrongKind {
            requested: "CTL",
            signed_name: "ITLFile.tlv".into(),
        })
    );
    // A signed configuration served as a trust list.
    let mut phone = Phone::new(PHONE);
    let sgn = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    assert!(matches!(
        phone.offer_trust_list("ITLFile.tlv", &sgn, &mut tvs, &clock),
        Err(Rejection::Malformed(_) | Rejection::WrongKind { .. })
    ));
    // A name that no phone asks a trust list for.
    let mut phone = Phone::new(PHONE);
    assert_eq!(
        phone.offer_trust_list("SEP0011215A1AE3.cnf.xml", &read(ITL), &mut tvs, &clock),
        Err(Rejection::NotATrustListName(
            "SEP0011215A1AE3.cnf.xml".into()
        ))
    );
    // Per-device copies carry the cluster file's name inside: accepted.
    let mut phone = Phone::new(PHONE);
    assert_eq!(
        phone.offer_trust_list("ITLSEP0011215A1AE3.tlv", &read(ITL), &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    // (The tokenless CTL is signed by CallManager, SAST record 1 of the ITL.)
    assert_eq!(
        phone.offer_trust_list(
            "ctlsep0011215a1ae3.tlv",
            &read("cucm-CTLFile-tokenless.tlv"),
            &mut tvs,
            &clock
        ),
        Ok(Trust::ItlSast { record: 0 })
    );
}

#[test]
fn tvs_vouches_only_in_the_roles_it_names() {
    let clock = ManualClock::new(0);
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    let new_cm = cert("callmanager-pub-regenerated.pem");
    let tvs_for = |roles: &[Function]| {
        InMemoryTvs::new(vec![
            TvsServer::new("cucm-1051-a-pub", cert("tvs-pub.pem")).trust(new_cm.der(), roles),
        ])
    };
    // Trusted, but only as CAPF: may not sign an ITL.
    let mut phone = phone_with_itl();
    assert_eq!(
        phone.offer_trust_list(
            "ITLFile.tlv",
            &regen,
            &mut tvs_for(&[Function::Capf]),
            &clock
        ),
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
    assert_eq!(phone.itl(), Some(&read(ITL)[..]));
    // As CCM+TFTP or SAST it may.
    for roles in [[Function::CcmTftp], [Function::Sast]] {
        let mut phone = phone_with_itl();
        assert_eq!(
            phone.offer_trust_list("ITLFile.tlv", &regen, &mut tvs_for(&roles), &clock),
            Ok(Trust::Tvs { server: 0 })
        );
    }
    // A CTL signer needs SAST: CCM+TFTP is not enough for a CTL.
    let evil = attacker();
    let ctl = owned("cucm-CTLFile-tokenless.tlv")
        .sign_as(
            &evil,
            DigestAlgorithm::Sha1,
            cisco_itl::cert::NameStyle::Cucm,
        )
        .unwrap();
    let mut phone = phone_with_itl();
    let mut tvs = InMemoryTvs::new(vec![
        TvsServer::new("cucm-1051-a-pub", cert("tvs-pub.pem"))
            .trust(evil.certificate().der(), &[Function::CcmTftp]),
    ]);
    let offered = phone.offer_trust_list("CTLFile.tlv", &ctl, &mut tvs, &clock);
    // The records other than the signer's keep CallManager's certificate;
    // the signer record is the attacker's own, consistent: TVS is asked.
    assert!(
        matches!(
            offered,
            Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 })
                | Rejection::Untrusted(TvsOutcome::NoCertificate))
        ),
        "{offered:?}"
    );

    // A configuration signer needs CCM+TFTP or TFTP: an HTTPS server's
    // certificate that TVS vouched for as APP-SERVER does not sign configs.
    let mut phone = phone_with_itl();
    let mut tvs = InMemoryTvs::new(vec![
        TvsServer::new("cucm-1051-a-pub", cert("tvs-pub.pem"))
            .trust(evil.certificate().der(), &[Function::AppServer]),
    ]);
    assert_eq!(
        phone.check_server_certificate(evil.certificate().der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    let config = SignedFileBuilder::new(CONFIG, b"<device/>".to_vec())
        .timestamp(1_773_075_600)
        .sign(&evil)
        .unwrap();
    assert_eq!(
        phone.offer_config(CONFIG, &config, &clock),
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
}

#[test]
fn rollback_replay_is_faithful_by_default_and_refused_when_asked() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let cm = callmanager();
    // The current ITL is newer than the (legitimately signed) rollback ITL.
    let mut current = owned(ITL);
    current.header.set_timestamp(1_800_000_000);
    let current = current.sign(cm.key(), DigestAlgorithm::Sha1).unwrap();
    let rollback = read("cucm-ITLFile-rollback.tlv");

    // Default: faithful to real phones. The older blank ITL is accepted,
    // after which any signed configuration goes.
    let mut phone = Phone::new(PHONE);
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &current, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &rollback, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    let evil_config = SignedFileBuilder::new(CONFIG, b"<device/>".to_vec())
        .sign(&attacker())
        .unwrap();
    assert_eq!(
        phone.offer_config(CONFIG, &evil_config, &clock),
        Ok(Trust::BlankItl)
    );

    // Anti-rollback: the older list is refused, the phone keeps its ITL.
    let mut phone = Phone::new(PHONE).with_anti_rollback(true);
    phone
        .offer_trust_list("ITLFile.tlv", &current, &mut tvs, &clock)
        .unwrap();
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &rollback, &mut tvs, &clock),
        Err(Rejection::Rollback {
            installed: 1_800_000_000,
            offered: 1_773_075_583,
        })
    );
    assert_eq!(phone.itl(), Some(&current[..]));
    // The same list offered again is not a rollback.
    let mut again = Phone::new(PHONE).with_anti_rollback(true);
    again
        .offer_trust_list("ITLFile.tlv", &current, &mut tvs, &clock)
        .unwrap();
    assert!(
        again
            .offer_trust_list("ITLFile.tlv", &current, &mut tvs, &clock)
            .is_ok()
    );

    // Anti-rollback: a blank ITL while a CTL is installed.
    let mut phone = Phone::new(PHONE).with_anti_rollback(true);
    phone
        .offer_trust_list(
            "CTLFile.tlv",
            &read("cucm-CTLFile-tokenless.tlv"),
            &mut tvs,
            &clock,
        )
        .unwrap();
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &rollback, &mut tvs, &clock),
        Err(Rejection::BlankItlWithCtl)
    );
    assert!(phone.itl().is_none());
}

#[test]
fn files_above_the_phones_limit_are_refused_before_parsing() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = Phone::new(PHONE);
    let huge = vec![0u8; cisco_itl::phone::DEFAULT_MAX_FILE_SIZE + 1];
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &huge, &mut tvs, &clock),
        Err(Rejection::TooLarge {
            size: (1 << 20) + 1,
            limit: 1 << 20
        })
    );
    let mut small = Phone::new(PHONE).with_max_file_size(4096);
    let itl = read(ITL);
    assert_eq!(
        small.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Err(Rejection::TooLarge {
            size: itl.len(),
            limit: 4096
        })
    );
    let phone = phone_with_itl().with_max_file_size(100);
    let sgn = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    assert_eq!(
        phone.offer_config(CONFIG, &sgn, &clock),
        Err(Rejection::TooLarge {
            size: sgn.len(),
            limit: 100
        })
    );
}

#[test]
fn certificates_of_the_vectors_agree_with_their_records() {
    // The genuine files pass the record checks, so the checks refuse only
    // forgeries.
    for name in [
        ITL,
        "cucm-ITLFile-reset.tlv",
        "cucm-ITLFile-regen-callmanager.tlv",
        "cucm-ITLFile-rollback.tlv",
        "cucm-CTLFile-tokenless.tlv",
        "cucm-CTLFile-etoken.tlv",
        "peer-CTLFile.tlv",
        "peer-ITLFile-sha1.tlv",
        "peer-ITLFile-sha512-v1.1.tlv",
    ] {
        let bytes = read(name);
        let list = TrustList::parse(&bytes).unwrap();
        assert_eq!(list.check_records(), Ok(()), "{name}");
        assert!(list.verify().is_ok(), "{name}");
    }
    let _ = CertInfo::from_der(callmanager().certificate().der()).unwrap();
}
