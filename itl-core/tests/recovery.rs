//! ITL recovery (`utils itl reset`) launders nothing: the recovery key
//! re-signs only an ITL that verifies against what the caller trusts, and
//! finds its record by key. Each refusal here was a reset before.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::key::{Signer, SigningKey};
use cisco_itl::phone::{ManualClock, Phone, Trust};
use cisco_itl::pkcs12::Identity;
use cisco_itl::recovery::{RecoveryError, Trusted, reset};
use cisco_itl::tag::record as rt;
use cisco_itl::tvs::server::InMemoryTvs;
use cisco_itl::verify::{TrustAnchor, VerifyError};
use cisco_itl::write::{RecordBuf, SignerId, TrustListBuf};
use cisco_itl::{DigestAlgorithm, Function, ListKind, TrustList};

const ITL: &str = "cucm-ITLFile.tlv";
const RESET: &str = "cucm-ITLFile-reset.tlv";
/// Index of the ITLRECOVERY SAST record in `cucm-ITLFile.tlv`.
const RECOVERY_RECORD: usize = 4;

fn recovery() -> Identity {
    Identity::from_pkcs12(&read("keys/ITLRecovery.p12"), "Cluster-Security-Pw1").unwrap()
}

fn attacker() -> Signer {
    signer("peer-asterisk.pem")
}

/// Trusting the publisher's `CallManager.pem`.
fn trusting_callmanager() -> Trusted {
    let mut t = Trusted::new();
    t.add_certificate(&cert("callmanager-pub.pem")).unwrap();
    t
}

/// Trusting the records of the list `name`.
fn trusting_list(name: &str) -> Trusted {
    let bytes = read(name);
    let mut t = Trusted::new();
    assert!(t.add_list(&TrustList::parse(&bytes).unwrap()) > 0, "{name}");
    t
}

/// The attacker's ITL: their own certificate as SAST and CCM+TFTP, and
/// the cluster's public ITLRECOVERY record copied byte for byte, signed by
/// themselves with a newer TIMESTAMP. It verifies against itself.
fn forged_itl() -> Vec<u8> {
    let genuine_bytes = read(ITL);
    let genuine = TrustList::parse(&genuine_bytes).unwrap();
    let evil = attacker();
    let mut forged = TrustListBuilder::new(ListKind::Itl)
        .timestamp(genuine.header().timestamp() + 60)
        .record(evil.certificate().clone(), Function::Sast)
        .record(evil.certificate().clone(), Function::CcmTftp)
        .build_unsigned(evil.certificate())
        .unwrap();
    forged.records.push(RecordBuf::from_view(
        &genuine.record(RECOVERY_RECORD).unwrap(),
    ));
    let bytes = forged.sign(evil.key(), DigestAlgorithm::Sha1).unwrap();
    assert_eq!(
        TrustList::parse(&bytes)
            .unwrap()
            .verify()
            .unwrap()
            .signer_index,
        Some(0)
    );
    bytes
}

/// What a reset without trust made of `list`: the recovery key over its
/// records, the header naming the ITLRECOVERY record.
fn signed_by_recovery(list: &TrustList<'_>, record: usize) -> Vec<u8> {
    let r = list.record(record).unwrap();
    let mut owned = TrustListBuf::from_view(list);
    owned.header.set_signer(&SignerId {
        name: r.subject().into(),
        serial: r.serial().to_vec(),
        ca_name: r.issuer().into(),
    });
    let key = SigningKey::new(recovery().key.clone()).unwrap();
    owned.sign(&key, DigestAlgorithm::Sha1).unwrap()
}

#[test]
fn a_laundered_forgery_would_reach_every_phone_holding_the_genuine_itl() {
    // Why the refusals below matter: the forged ITL re-signed by the
    // recovery key is accepted by rule 4, then the attacker's files.
    let forged_bytes = forged_itl();
    let forged = TrustList::parse(&forged_bytes).unwrap();
    let laundered = signed_by_recovery(&forged, 2);
    let mut phone = Phone::new("SEP0011215A1AE3");
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &read(ITL), &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &laundered, &mut tvs, &clock),
        Ok(Trust::ItlSast {
            record: RECOVERY_RECORD
        })
    );
}

#[test]
fn reset_refuses_a_self_signed_itl_copying_the_recovery_record() {
    let bytes = forged_itl();
    let forged = TrustList::parse(&bytes).unwrap();
    let id = recovery();
    // Trusting nothing: nothing is re-signed.
    assert_eq!(
        reset(&forged, &id, &Trusted::new()),
        Err(RecoveryError::NothingTrusted)
    );
    // Trusting the publisher's CallManager, the genuine ITL (the phones'
    // installed ITL, or the TFTP server's previous one), its reset, or the
    // cluster's CTL: the attacker's signer is none of them.
    for trusted in [
        trusting_callmanager(),
        trusting_list(ITL),
        trusting_list(RESET),
        trusting_list("cucm-CTLFile-tokenless.tlv"),
    ] {
        assert_eq!(
            reset(&forged, &id, &trusted),
            Err(RecoveryError::NotTrusted(VerifyError::UntrustedSigner))
        );
    }
    // Trusting the forgery's own records is what the attacker hopes for
    // (`itl reset ITLFile.tlv --trust ITLFile.tlv`): a list never vouches
    // for itself, so nothing is re-signed.
    assert_eq!(
        reset(&forged, &id, &trusting_list_bytes(&bytes)),
        Err(RecoveryError::TrustsItself)
    );
    // Beside another trust, its own records still do not count.
    let mut both = trusting_list_bytes(&bytes);
    both.add_certificate(&cert("callmanager-pub.pem")).unwrap();
    assert_eq!(
        reset(&forged, &id, &both),
        Err(RecoveryError::NotTrusted(VerifyError::UntrustedSigner))
    );
}

fn trusting_list_bytes(bytes: &[u8]) -> Trusted {
    let mut t = Trusted::new();
    t.add_list(&TrustList::parse(bytes).unwrap());
    t
}

#[test]
fn the_genuine_itl_resets_byte_for_byte_with_each_kind_of_trust() {
    let bytes = read(ITL);
    let genuine = TrustList::parse(&bytes).unwrap();
    let id = recovery();
    // The genuine ITL given as its own trust vouches for nothing, as any
    // list: the phones' copy of the same bytes proves nothing more.
    assert_eq!(
        reset(&genuine, &id, &trusting_list(ITL)),
        Err(RecoveryError::TrustsItself)
    );
    for (what, trusted) in [
        ("CallManager.pem", trusting_callmanager()),
        ("the reset ITL", trusting_list(RESET)),
        ("the CTL", trusting_list("cucm-CTLFile-tokenless.tlv")),
    ] {
        assert_eq!(
            reset(&genuine, &id, &trusted).unwrap(),
            read(RESET),
            "{what}"
        );
    }
    // The reset ITL, reset again (trusting the ITL before it): the same.
    let again = read(RESET);
    assert_eq!(
        reset(&TrustList::parse(&again).unwrap(), &id, &trusting_list(ITL)).unwrap(),
        read(RESET)
    );
}

#[test]
fn trust_comes_from_the_records_a_phone_would_take_a_signer_from() {
    // In an ITL only SAST records vouch for a new ITL (rule 4): the TVS and
    // CAPF certificates do not.
    let bytes = read(ITL);
    let itl = TrustList::parse(&bytes).unwrap();
    let mut t = Trusted::new();
    assert_eq!(t.add_list(&itl), 2);
    let sast: Vec<TrustAnchor> = itl
        .records_with(Function::Sast)
        .map(|r| TrustAnchor::from_record(&r).unwrap())
        .collect();
    assert_eq!(t.anchors(), sast.as_slice());
    // In a CTL, SAST and CCM+TFTP (rules 2 and 3): the publisher's SAST
    // and both CCM+TFTP records, not the CAPF.
    let ctl_bytes = read("cucm-CTLFile-tokenless.tlv");
    let mut t = Trusted::new();
    assert_eq!(t.add_list(&TrustList::parse(&ctl_bytes).unwrap()), 3);
    // The genuine ITL signed by an unlisted TVS certificate's owner is not
    // trusted through the ITL that lists it as TVS.
    let mut only_tvs = Trusted::new();
    only_tvs
        .add_certificate(&cert("tvs-pub.pem"))
        .unwrap()
        .add_certificate(&cert("capf.pem"))
        .unwrap();
    assert_eq!(
        reset(&itl, &recovery(), &only_tvs),
        Err(RecoveryError::NotTrusted(VerifyError::UntrustedSigner))
    );
}

#[test]
fn the_recovery_record_is_found_by_key_not_by_name() {
    let cm = signer("callmanager-pub.pem");
    let id = recovery();
    let recovery_cert = cisco_itl::cert::CertInfo::from_der(&id.certificate_der).unwrap();
    // 1. A record that names the recovery certificate (subject, issuer,
    // serial) but holds another key, as after a regenerated recovery key
    // or in a forgery: not the recovery record.
    let mut list = TrustListBuf::from_view(&TrustList::parse(&read(ITL)).unwrap());
    let r = &mut list.records[RECOVERY_RECORD];
    r.remove(rt::CERTIFICATE);
    r.set(
        rt::PUBLIC_KEY,
        attacker().certificate().public_key_bytes().to_vec(),
    );
    let bytes = list.sign(cm.key(), DigestAlgorithm::Sha1).unwrap();
    let renamed = TrustList::parse(&bytes).unwrap();
    assert!(renamed.verify().is_ok());
    assert_eq!(
        reset(&renamed, &id, &trusting_callmanager()),
        Err(RecoveryError::NoRecoveryRecord)
    );
    // 2. A record holding the recovery key under other names (an
    // eToken-style record: PUBLICKEY, no certificate, another serial and
    // subject): it is the recovery record, and phones holding that ITL
    // accept the result by it.
    let mut list = TrustListBuf::from_view(&TrustList::parse(&read(ITL)).unwrap());
    let r = &mut list.records[RECOVERY_RECORD];
    r.remove(rt::CERTIFICATE);
    r.remove(rt::SIGNATURE);
    r.remove(rt::CERT_HASH);
    r.set(rt::PUBLIC_KEY, recovery_cert.public_key_bytes().to_vec());
    r.set(rt::SERIAL_NUMBER, vec![0x0e, 0x5c, 0x0e]);
    r.set(rt::SUBJECT_NAME, b"CN=cluster-recovery;O=Cisco".to_vec());
    let bytes = list.sign(cm.key(), DigestAlgorithm::Sha1).unwrap();
    let keyed = TrustList::parse(&bytes).unwrap();
    let out = reset(&keyed, &id, &trusting_callmanager()).unwrap();
    let out_list = TrustList::parse(&out).unwrap();
    assert_eq!(
        out_list.header().signer_name(),
        "CN=cluster-recovery;O=Cisco"
    );
    assert_eq!(out_list.header().signer_serial(), [0x0e, 0x5c, 0x0e]);
    let (record, _) = out_list
        .verify_with_list(&keyed, &[Function::Sast], &Default::default())
        .unwrap();
    assert_eq!(record, RECOVERY_RECORD);
}

#[test]
fn refusals_leave_nothing_half_done_and_say_why_in_a_sentence() {
    let err = reset(
        &TrustList::parse(&forged_itl()).unwrap(),
        &recovery(),
        &trusting_callmanager(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the current ITL is not signed by a trusted certificate: the signer is not among the trusted certificates"
    );
    assert_eq!(
        RecoveryError::NothingTrusted.to_string(),
        "nothing trusted was given: the ITL must verify against the publisher's CallManager certificate, the installed ITL or CTL, or the TFTP server's previous ITL"
    );
}
