//! Cisco's troubleshooting walk-throughs, as tests of the phone's
//! decisions, with real signatures from the vectors' keys.
#![cfg(test)]

mod common;
use common::*;

use std::collections::BTreeMap;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::cert::CertInfo;
use cisco_itl::phone::{
    BootOutcome, Clock, ManualClock, Phone, Rejection, TRUST_LIST_UPDATE_FAILED, Trust, TvsOutcome,
};
use cisco_itl::signed_file::SignedFileBuilder;
use cisco_itl::tvs::server::{InMemoryTvs, TvsServer};
use cisco_itl::{Function, ListKind, TrustList};

fn regenerated_tvs() -> CertInfo {
    CertInfo::from_pem(&std::fs::read("tests/data/tvs-pub-regenerated.pem").unwrap()).unwrap()
}
/// The name the phone asked for: the cluster file of the list's kind.
fn name_of(bytes: &[u8]) -> &'static str {
    match TrustList::parse(bytes).map(|l| l.kind()) {
        Ok(ListKind::Ctl) => "CTLFile.tlv",
        _ => "ITLFile.tlv",
    }
}
/// The phone's configuration file.
const CONFIG: &str = "SEP001122334455.cnf.xml.sgn";
fn config(by: &str) -> Vec<u8> {
    SignedFileBuilder::new(
        "SEP001122334455.cnf.xml.sgn",
        b"<device><loadInformation/></device>".to_vec(),
    )
    .timestamp(1_773_075_600)
    .sign(&signer(by))
    .unwrap()
}
/// The publisher's TVS: its TLS certificate is `TVS.pem`; its store the
/// cluster's certificates.
fn pub_tvs(tls: CertInfo, trusted: &[(&str, Function)]) -> TvsServer {
    trusted
        .iter()
        .fold(TvsServer::new("cucm-1051-a-pub", tls), |s, (k, f)| {
            s.trust(cert(k).der(), &[*f])
        })
}
fn phone_with(itl: &str) -> Phone {
    let mut p = Phone::new("SEP001122334455");
    let clock = ManualClock::new(0);
    assert_eq!(
        p.offer_trust_list(
            name_of(&read(itl)),
            &read(itl),
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Ok(Trust::FirstUse)
    );
    p
}

#[test]
fn first_itl_is_trusted_then_same_signer_accepted_unknown_refused() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = phone_with("cucm-ITLFile.tlv");
    // The next ITL from the same signer: SAST record #0 of the installed ITL.
    let next = read("cucm-ITLFile-rollback.tlv");
    let mut phone2 = phone.clone();
    assert_eq!(
        phone2.offer_trust_list(name_of(&next), &next, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    // An ITL from an unknown signer, TVS unreachable: refused, state kept.
    let before = phone.clone();
    let peer = read("peer-ITLFile-sha1.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&peer), &peer, &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::Unreachable))
    );
    assert_eq!(phone.itl(), before.itl());
    assert_eq!(phone.ctl(), None);
    assert_eq!(phone.status_message(), Some(TRUST_LIST_UPDATE_FAILED));
}

#[test]
fn tampered_first_itl_is_refused_even_on_first_use() {
    let mut phone = Phone::new("SEP001122334455");
    let clock = ManualClock::new(0);
    let bad = read("bad-signature-byte.tlv");
    assert!(matches!(
        phone.offer_trust_list(name_of(&bad), &bad, &mut InMemoryTvs::unreachable(), &clock),
        Err(Rejection::SelfSignature(_))
    ));
    assert_eq!(phone.itl(), None);
    let garbage = read("bad-truncated.tlv");
    assert!(matches!(
        phone.offer_trust_list(
            name_of(&garbage),
            &garbage,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Err(Rejection::Malformed(_))
    ));
}

#[test]
fn regenerated_callmanager_is_accepted_through_tvs_then_config_verifies() {
    let clock = ManualClock::new(1_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("callmanager-pub-regenerated.pem", Function::CcmTftp)],
    )]);
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&regen), &regen, &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(tvs.queries, 1);
    assert_eq!(phone.itl(), Some(&regen[..]));
    // The new configuration, signed with the new key, verifies against the
    // TFTP record of the ITL just loaded.
    assert_eq!(
        phone.offer_config(CONFIG, &config("callmanager-pub-regenerated.pem"), &clock),
        Ok(Trust::ItlTftp { record: 1 })
    );
    // A configuration signed by the old key no longer does (nor is it cached).
    assert!(
        phone
            .offer_config(CONFIG, &config("capf.pem"), &clock)
            .is_err()
    );
}

#[test]
fn regenerating_both_certificates_on_a_single_node_locks_the_phone() {
    let clock = ManualClock::new(1_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    assert_eq!(
        phone.offer_config(CONFIG, &config("callmanager-pub.pem"), &clock),
        Ok(Trust::ItlTftp { record: 1 })
    );
    // TVS.pem regenerated too: the server's certificate no longer matches
    // the ITL's TVS CERTHASH.
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        regenerated_tvs(),
        &[("callmanager-pub-regenerated.pem", Function::CcmTftp)],
    )]);
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    let before = phone.itl().map(<[u8]>::to_vec);
    assert_eq!(
        phone.offer_trust_list(name_of(&regen), &regen, &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::NotAuthenticated))
    );
    assert_eq!(tvs.queries, 0);
    assert!(phone.is_locked());
    assert_eq!(phone.status_message(), Some("Trust List Update Failed"));
    assert_eq!(phone.itl().map(<[u8]>::to_vec), before);
    // Configuration changes no longer reach it.
    assert_eq!(
        phone.offer_config(CONFIG, &config("callmanager-pub.pem"), &clock),
        Err(Rejection::Locked)
    );
    assert_eq!(
        phone.offer_config(CONFIG, &config("callmanager-pub-regenerated.pem"), &clock),
        Err(Rejection::Locked)
    );
}

#[test]
fn a_second_nodes_tvs_rescues_the_double_regeneration() {
    let clock = ManualClock::new(1_000);
    let mut phone = phone_with("cucm-ITLFile.tlv").with_tvs_servers(2);
    let publisher = pub_tvs(
        regenerated_tvs(),
        &[("callmanager-pub-regenerated.pem", Function::CcmTftp)],
    );
    let subscriber = TvsServer::new("cucm-1051-a-sub1", cert("tvs-sub1.pem")).trust(
        cert("callmanager-pub-regenerated.pem").der(),
        &[Function::CcmTftp],
    );
    let mut tvs = InMemoryTvs::new(vec![publisher, subscriber]);
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&regen), &regen, &mut tvs, &clock),
        Ok(Trust::Tvs { server: 1 })
    );
    assert!(!phone.is_locked());
    // The subscriber's TVS certificate is ITL record #5 (hash 5380…).
    assert_eq!(phone.authenticate_tvs(cert("tvs-sub1.pem").der()), Ok(5));
}

#[test]
fn itl_recovery_rescues_only_phones_holding_the_recovery_record() {
    let clock = ManualClock::new(0);
    let reset = read("cucm-ITLFile-reset.tlv");
    // Holding the 10.x ITL (with ITLRECOVERY): accepted by its SAST record #4.
    let mut phone = phone_with("cucm-ITLFile.tlv");
    assert_eq!(
        phone.offer_trust_list(
            name_of(&reset),
            &reset,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Ok(Trust::ItlSast { record: 4 })
    );
    // Holding an ITL that predates the recovery record: stays locked.
    let cm = cert("callmanager-pub.pem");
    let old_itl = TrustListBuilder::new(ListKind::Itl)
        .timestamp(1_700_000_000)
        .record(cm.clone(), Function::Sast)
        .record(cm, Function::Tftp)
        .record(cert("capf.pem"), Function::Capf)
        .record(cert("tvs-pub.pem"), Function::Tvs)
        .sign(&signer("callmanager-pub.pem"))
        .unwrap();
    let mut old = Phone::new("SEP001122334455");
    old.offer_trust_list(
        name_of(&old_itl),
        &old_itl,
        &mut InMemoryTvs::unreachable(),
        &clock,
    )
    .unwrap();
    // Its TVS does not know the recovery certificate.
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("callmanager-pub.pem", Function::CcmTftp)],
    )]);
    assert_eq!(
        old.offer_trust_list(name_of(&reset), &reset, &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::Refused { server: 0 }))
    );
    assert!(old.is_locked());
    assert_eq!(old.itl(), Some(&old_itl[..]));
}

#[test]
fn ctl_only_phone_takes_an_itl_from_its_ccm_tftp_signer_only() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = Phone::new("SEP001122334455");
    let ctl = read("cucm-CTLFile-tokenless.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&ctl), &ctl, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(phone.ctl(), Some(&ctl[..]));
    // The CTL's CCM+TFTP (publisher) key signed this ITL. It is also the
    // CTL's SAST (tokenless), which rule 2 finds first.
    let itl = read("cucm-ITLFile.tlv");
    let mut p = phone.clone();
    assert_eq!(
        p.offer_trust_list(name_of(&itl), &itl, &mut tvs, &clock),
        Ok(Trust::CtlSast { record: 0 })
    );
    // An ITL signed by the subscriber, CCM+TFTP only in the CTL: rule 3.
    let sub = signer("callmanager-sub1.pem");
    let sub_itl = TrustListBuilder::new(ListKind::Itl)
        .record(sub.certificate().clone(), Function::Sast)
        .record(sub.certificate().clone(), Function::Tftp)
        .sign(&sub)
        .unwrap();
    let mut p = phone.clone();
    assert_eq!(
        p.offer_trust_list(name_of(&sub_itl), &sub_itl, &mut tvs, &clock),
        Ok(Trust::CtlTftp { record: 3 })
    );
    // Others are refused.
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    assert!(
        phone
            .offer_trust_list(name_of(&regen), &regen, &mut tvs, &clock)
            .is_err()
    );
    assert_eq!(phone.itl(), None);
}

#[test]
fn ctl_and_itl_phone_accepts_a_tokenless_ctl_from_a_known_sast() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = phone_with("cucm-ITLFile.tlv");
    // Mixed mode with eTokens first: the eToken CTL's signer is unknown to
    // the ITL; the publisher's TVS vouches for it (Phone-SAST-trust).
    let etoken = read("cucm-CTLFile-etoken.tlv");
    let mut with_etoken = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("etoken2.pem", Function::Sast)],
    )]);
    assert_eq!(
        phone.offer_trust_list(name_of(&etoken), &etoken, &mut with_etoken, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    // Then tokenless: signed by the publisher, a SAST of the ITL (and a
    // CCM+TFTP of the eToken CTL).
    let tokenless = read("cucm-CTLFile-tokenless.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&tokenless), &tokenless, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert_eq!(phone.ctl(), Some(&tokenless[..]));
    // The same tokenless CTL again: now a SAST of the installed CTL.
    assert_eq!(
        phone.offer_trust_list(name_of(&tokenless), &tokenless, &mut tvs, &clock),
        Ok(Trust::CtlSast { record: 0 })
    );
}

#[test]
fn back_to_etokens_needs_the_etoken_certificate_in_tvs() {
    let clock = ManualClock::new(0);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let tokenless = read("cucm-CTLFile-tokenless.tlv");
    phone
        .offer_trust_list(
            name_of(&tokenless),
            &tokenless,
            &mut InMemoryTvs::unreachable(),
            &clock,
        )
        .unwrap();
    let etoken = read("cucm-CTLFile-etoken.tlv");
    // TVS without the eToken certificate: refused.
    let mut plain = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("callmanager-pub.pem", Function::CcmTftp)],
    )]);
    let mut refused = phone.clone();
    assert_eq!(
        refused.offer_trust_list(name_of(&etoken), &etoken, &mut plain, &clock),
        Err(Rejection::Untrusted(TvsOutcome::Refused { server: 0 }))
    );
    assert_eq!(refused.ctl(), Some(&tokenless[..]));
    // Uploaded as Phone-SAST-trust: accepted.
    let mut uploaded = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("etoken2.pem", Function::Sast)],
    )]);
    assert_eq!(
        phone.offer_trust_list(name_of(&etoken), &etoken, &mut uploaded, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(phone.ctl(), Some(&etoken[..]));
}

#[test]
fn blank_rollback_itl_accepts_any_signed_configuration() {
    let clock = ManualClock::new(0);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let rollback = read("cucm-ITLFile-rollback.tlv");
    assert_eq!(
        phone.offer_trust_list(
            name_of(&rollback),
            &rollback,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert!(phone.has_blank_itl());
    for by in ["peer-asterisk.pem", "capf.pem", "callmanager-sub1.pem"] {
        assert_eq!(
            phone.offer_config(CONFIG, &config(by), &clock),
            Ok(Trust::BlankItl),
            "{by}"
        );
    }
    // And, blank, it trusts the next ITL on first use.
    let peer = read("peer-ITLFile-sha1.tlv");
    assert_eq!(
        phone.offer_trust_list(
            name_of(&peer),
            &peer,
            &mut InMemoryTvs::unreachable(),
            &clock
        ),
        Ok(Trust::FirstUse)
    );
}

#[test]
fn a_model_without_security_by_default_never_consults_tvs() {
    let clock = ManualClock::new(0);
    let mut phone = Phone::new("SEP001122334455").without_security_by_default();
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[
            ("callmanager-pub-regenerated.pem", Function::CcmTftp),
            ("peer-asterisk.pem", Function::AppServer),
        ],
    )]);
    phone
        .offer_trust_list(
            name_of(&read("cucm-CTLFile-tokenless.tlv")),
            &read("cucm-CTLFile-tokenless.tlv"),
            &mut tvs,
            &clock,
        )
        .unwrap();
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&regen), &regen, &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::NotAsked))
    );
    let https = cert("peer-asterisk.pem");
    assert_eq!(
        phone.check_server_certificate(https.der(), &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::NotAsked))
    );
    assert_eq!(tvs.queries, 0);
    // Its boot asks for the CTL only, never an ITL.
    let mut files = BTreeMap::new();
    files.insert("ITLFile.tlv".to_string(), read("cucm-ITLFile.tlv"));
    let steps = Phone::new("SEP001122334455")
        .without_security_by_default()
        .boot(&files, &mut tvs, &clock, false);
    assert!(steps.iter().all(|s| !s.file.starts_with("ITL")));
}

#[test]
fn https_certificate_goes_to_tvs_once_per_time_to_live() {
    let clock = ManualClock::new(10_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let directory = cert("peer-asterisk.pem"); // a tomcat-like server certificate
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("peer-asterisk.pem", Function::AppServer)],
    )]);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(tvs.queries, 1);
    clock.advance(86_399);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::TvsCache)
    );
    assert_eq!(tvs.queries, 1);
    clock.advance(1);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(tvs.queries, 2);
    // Certificates the lists hold need no TVS at all.
    assert_eq!(
        phone.check_server_certificate(cert("callmanager-pub.pem").der(), &mut tvs, &clock),
        Ok(Trust::InItl { record: 0 })
    );
    assert_eq!(
        phone.check_server_certificate(cert("capf.pem").der(), &mut tvs, &clock),
        Ok(Trust::InItl { record: 2 })
    );
    assert_eq!(tvs.queries, 2);
}

#[test]
fn tvs_server_authentication_checks_serial_issuer_and_hash() {
    let phone = phone_with("cucm-ITLFile.tlv");
    assert_eq!(phone.authenticate_tvs(cert("tvs-pub.pem").der()), Ok(3));
    assert_eq!(
        phone.authenticate_tvs(regenerated_tvs().der()),
        Err(cisco_itl::phone::TvsAuthError::NoTvsRecord)
    );
    assert_eq!(
        phone.authenticate_tvs(cert("capf.pem").der()),
        Err(cisco_itl::phone::TvsAuthError::NoTvsRecord)
    );
    assert_eq!(
        phone.authenticate_tvs(b"junk"),
        Err(cisco_itl::phone::TvsAuthError::BadCertificate)
    );
}

#[test]
fn boot_sequence_asks_in_order_and_falls_back() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut files = BTreeMap::new();
    files.insert("ITLFile.tlv".to_string(), read("cucm-ITLFile.tlv"));
    files.insert(
        "SEP001122334455.cnf.xml.sgn".to_string(),
        config("callmanager-pub.pem"),
    );
    let mut phone = Phone::new("SEP001122334455");
    let steps = phone.boot(&files, &mut tvs, &clock, false);
    let names: Vec<&str> = steps.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(
        names,
        [
            "CTLSEP001122334455.tlv",
            "CTLFile.tlv",
            "ITLSEP001122334455.tlv",
            "ITLFile.tlv",
            "SEP001122334455.cnf.xml.sgn"
        ]
    );
    assert_eq!(
        steps[3].outcome,
        BootOutcome::TrustList(Ok(Trust::FirstUse))
    );
    assert_eq!(
        steps[4].outcome,
        BootOutcome::Config(Ok(Trust::ItlTftp { record: 1 }))
    );
    // A phone with nothing asks for the unsigned configuration; encrypted
    // configuration uses the .enc.sgn name.
    let mut bare = Phone::new("SEP001122334455");
    let steps = bare.boot(&BTreeMap::new(), &mut tvs, &clock, false);
    assert_eq!(steps.last().unwrap().file, "SEP001122334455.cnf.xml");
    let mut secure = Phone::new("SEP001122334455");
    let steps = secure.boot(&files, &mut tvs, &clock, true);
    assert_eq!(
        steps.last().unwrap().file,
        "SEP001122334455.cnf.xml.enc.sgn"
    );
    assert_eq!(steps.last().unwrap().outcome, BootOutcome::NotFound);
    // The per-device file wins over the shared one.
    let mut per_device = files.clone();
    per_device.insert(
        "ITLSEP001122334455.tlv".to_string(),
        read("cucm-ITLFile-rollback.tlv"),
    );
    let mut p = Phone::new("SEP001122334455");
    let steps = p.boot(&per_device, &mut tvs, &clock, false);
    assert!(steps.iter().any(|s| s.file == "ITLSEP001122334455.tlv"));
    assert!(!steps.iter().any(|s| s.file == "ITLFile.tlv"));
    assert_eq!(p.itl(), Some(&read("cucm-ITLFile-rollback.tlv")[..]));
}

#[test]
fn trust_lists_parse_for_the_record_indexes_used_above() {
    let itl = read("cucm-ITLFile.tlv");
    let l = TrustList::parse(&itl).unwrap();
    let f: Vec<Function> = l.records().map(|r| r.function()).collect();
    assert_eq!(
        f,
        [
            Function::Sast,
            Function::Tftp,
            Function::Capf,
            Function::Tvs,
            Function::Sast,
            Function::Tvs
        ]
    );
}

#[test]
fn a_list_refused_during_boot_keeps_the_phone_locked_though_the_next_is_accepted() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut files = BTreeMap::new();
    files.insert("ITLFile.tlv".to_string(), read("cucm-ITLFile.tlv"));
    files.insert(
        "SEP001122334455.cnf.xml.sgn".to_string(),
        config("callmanager-pub.pem"),
    );
    let mut phone = Phone::new("SEP001122334455");
    phone.boot(&files, &mut tvs, &clock, false);
    assert!(!phone.is_locked());
    // Now the TFTP server also serves a CTL signed by an eToken that
    // neither the ITL nor (unreachable) TVS vouches for.
    files.insert("CTLFile.tlv".to_string(), read("cucm-CTLFile-etoken.tlv"));
    let steps = phone.boot(&files, &mut tvs, &clock, false);
    assert!(matches!(
        steps[1].outcome,
        BootOutcome::TrustList(Err(Rejection::Untrusted(_)))
    ));
    assert_eq!(
        steps[3].outcome,
        BootOutcome::TrustList(Ok(Trust::ItlSast { record: 0 }))
    );
    assert!(phone.is_locked());
    assert_eq!(
        steps[4].outcome,
        BootOutcome::Config(Err(Rejection::Locked))
    );
    assert_eq!(phone.ctl(), None, "the refused CTL is not installed");
}

/// An ITL signed by the publisher's CallManager key with this TIMESTAMP,
/// and an APP-SERVER record for each of `servers`.
fn cm_itl(timestamp: u32, servers: &[CertInfo]) -> Vec<u8> {
    let cm = signer("callmanager-pub.pem");
    servers
        .iter()
        .fold(
            TrustListBuilder::new(ListKind::Itl)
                .timestamp(timestamp)
                .record(cm.certificate().clone(), Function::Sast)
                .record(cm.certificate().clone(), Function::Tftp),
            |b, s| b.record(s.clone(), Function::AppServer),
        )
        .sign(&cm)
        .unwrap()
}

#[test]
fn anti_rollback_refuses_an_equal_timestamp_with_other_content() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let installed = cm_itl(1_800_000_000, &[]);
    // Same signer, same TIMESTAMP, one more record: a list the attacker
    // could only replay, never a new one the cluster wrote.
    let other = cm_itl(1_800_000_000, &[cert("peer-asterisk.pem")]);
    let mut phone = Phone::new("SEP001122334455").with_anti_rollback(true);
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &installed, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    let refused = phone.offer_trust_list("ITLFile.tlv", &other, &mut tvs, &clock);
    assert_eq!(
        refused,
        Err(Rejection::SameTimestamp {
            timestamp: 1_800_000_000
        })
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        "refused: the list has the installed one's timestamp (1800000000) but different content"
    );
    assert_eq!(phone.itl(), Some(&installed[..]));
    assert!(phone.is_locked());
    // The same bytes again: no change, the usual rules accept them.
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &installed, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert!(!phone.is_locked());
    // A later TIMESTAMP with that content: accepted.
    let newer = cm_itl(1_800_000_001, &[cert("peer-asterisk.pem")]);
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &newer, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert_eq!(phone.itl(), Some(&newer[..]));
    // The CTL too.
    let cm = signer("callmanager-pub.pem");
    let ctl = |timestamp: u32, function: Function| {
        TrustListBuilder::new(ListKind::Ctl)
            .timestamp(timestamp)
            .record(cm.certificate().clone(), Function::Sast)
            .record(cm.certificate().clone(), function)
            .sign(&cm)
            .unwrap()
    };
    let (first, same_time) = (
        ctl(1_800_000_000, Function::CcmTftp),
        ctl(1_800_000_000, Function::Tftp),
    );
    assert!(
        phone
            .offer_trust_list("CTLFile.tlv", &first, &mut tvs, &clock)
            .is_ok()
    );
    assert_eq!(
        phone.offer_trust_list("CTLFile.tlv", &same_time, &mut tvs, &clock),
        Err(Rejection::SameTimestamp {
            timestamp: 1_800_000_000
        })
    );
    assert_eq!(phone.ctl(), Some(&first[..]));
    // Without anti-rollback (real phones), the other content goes.
    let mut lax = Phone::new("SEP001122334455");
    lax.offer_trust_list("ITLFile.tlv", &installed, &mut tvs, &clock)
        .unwrap();
    assert_eq!(
        lax.offer_trust_list("ITLFile.tlv", &other, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
}

#[test]
fn a_tvs_answer_with_an_empty_roles_element_grants_no_https_trust() {
    let clock = ManualClock::new(10_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let directory = cert("peer-asterisk.pem");
    // TVS says "valid" with an empty ROLES element.
    let mut tvs = InMemoryTvs::new(vec![
        TvsServer::new("cucm-1051-a-pub", cert("tvs-pub.pem")).trust(directory.der(), &[]),
    ]);
    let refused = phone.check_server_certificate(directory.der(), &mut tvs, &clock);
    assert_eq!(
        refused,
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        "refused: no installed trust list names the signer, and TVS server 1 vouched for the \
         certificate, but in no role that allows this use"
    );
    assert_eq!(tvs.queries, 1);
    // Nothing was cached: the next check asks again, and is refused again.
    assert_eq!(phone.cached_entries(clock.now()), 0);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
    assert_eq!(tvs.queries, 2);
    // An empty answer also replaces an earlier one that granted a role.
    let mut granted = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("peer-asterisk.pem", Function::AppServer)],
    )]);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut granted, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(phone.cached_entries(clock.now()), 1);
    // (The cached answer vouches until the TVS is asked again.)
    clock.advance(86_400);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
    assert_eq!(phone.cached_entries(clock.now()), 0);
    // A trust-list signer vouched for in no role is refused as before.
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    let mut no_roles = InMemoryTvs::new(vec![
        TvsServer::new("cucm-1051-a-pub", cert("tvs-pub.pem"))
            .trust(cert("callmanager-pub-regenerated.pem").der(), &[]),
    ]);
    assert_eq!(
        phone.offer_trust_list(name_of(&regen), &regen, &mut no_roles, &clock),
        Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }))
    );
}

#[test]
fn an_ec_app_server_certificate_the_itl_lists_is_trusted_for_https() {
    let clock = ManualClock::new(0);
    let ec =
        CertInfo::from_pem(&std::fs::read("tests/data/ec-p256-app-server.pem").unwrap()).unwrap();
    let itl = cm_itl(1_800_000_000, &[cert("peer-asterisk.pem"), ec.clone()]);
    let mut phone = Phone::new("SEP001122334455");
    let mut tvs = InMemoryTvs::unreachable();
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(
        phone.check_server_certificate(ec.der(), &mut tvs, &clock),
        Ok(Trust::InItl { record: 3 })
    );
    assert_eq!(
        phone.check_server_certificate(cert("peer-asterisk.pem").der(), &mut tvs, &clock),
        Ok(Trust::InItl { record: 2 })
    );
    // The EC certificate listed in a CTL: the same.
    let cm = signer("callmanager-pub.pem");
    let ctl = TrustListBuilder::new(ListKind::Ctl)
        .record(cm.certificate().clone(), Function::Sast)
        .record(ec.clone(), Function::AppServer)
        .sign(&cm)
        .unwrap();
    assert!(
        phone
            .offer_trust_list("CTLFile.tlv", &ctl, &mut tvs, &clock)
            .is_ok()
    );
    assert_eq!(
        phone.check_server_certificate(ec.der(), &mut tvs, &clock),
        Ok(Trust::InCtl { record: 1 })
    );
    // Another EC certificate is not the listed one.
    let other_ec = cert("peer-apache-ec.pem");
    assert_eq!(
        phone.check_server_certificate(other_ec.der(), &mut tvs, &clock),
        Err(Rejection::Untrusted(TvsOutcome::Unreachable))
    );
}

#[test]
fn boot_refuses_a_file_over_the_limit_before_fetching_its_bytes() {
    use cisco_itl::phone::{Fetched, TftpSource};
    use std::cell::Cell;
    /// A server that announces sizes without having the bytes: any copy
    /// (a call to `fetch`) is a failure.
    struct Announcing {
        size: usize,
        copies: Cell<usize>,
    }
    impl TftpSource for Announcing {
        fn fetch(&self, _: &str) -> Option<Vec<u8>> {
            self.copies.set(self.copies.get() + 1);
            None
        }
        fn fetch_at_most(&self, name: &str, limit: usize) -> Fetched {
            if name == "ITLFile.tlv" || name == "SEP001122334455.cnf.xml.sgn" {
                assert_eq!(limit, 4096);
                Fetched::TooLarge { size: self.size }
            } else {
                Fetched::NotFound
            }
        }
    }
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = phone_with("cucm-ITLFile.tlv").with_max_file_size(4096);
    let before = phone.itl().map(<[u8]>::to_vec);
    let server = Announcing {
        size: usize::MAX,
        copies: Cell::new(0),
    };
    let steps = phone.boot(&server, &mut tvs, &clock, false);
    assert_eq!(server.copies.get(), 0);
    let too_large = Rejection::TooLarge {
        size: usize::MAX,
        limit: 4096,
    };
    assert_eq!(steps[3].file, "ITLFile.tlv");
    assert_eq!(steps[3].outcome, BootOutcome::TrustList(Err(too_large)));
    // A refused list locks the phone; the configuration is refused for that.
    assert!(phone.is_locked());
    assert_eq!(phone.itl().map(<[u8]>::to_vec), before);
    assert_eq!(
        steps[4].outcome,
        BootOutcome::Config(Err(Rejection::Locked))
    );
    // The default `fetch_at_most` checks the size of what `fetch` gave:
    // a map's file over the limit is refused the same way.
    let mut files = BTreeMap::new();
    files.insert("ITLFile.tlv".to_string(), read("cucm-ITLFile.tlv"));
    files.insert(CONFIG.to_string(), vec![0u8; 8193]);
    let mut phone = Phone::new("SEP001122334455").with_max_file_size(8192);
    let steps = phone.boot(&files, &mut tvs, &clock, false);
    assert_eq!(
        steps[3].outcome,
        BootOutcome::TrustList(Ok(Trust::FirstUse))
    );
    assert_eq!(
        steps[4].outcome,
        BootOutcome::Config(Err(Rejection::TooLarge {
            size: 8193,
            limit: 8192
        }))
    );
}

/// The tokenless-CTL note's phone log: installing a CTL flushes the TVS
/// certificate cache ("tvsFlushCertCache: Completed TVS Certificate cache
/// flush request"), so a certificate cached before asks TVS again.
#[test]
fn installing_a_ctl_flushes_the_tvs_cache() {
    let clock = ManualClock::new(10_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let directory = cert("peer-asterisk.pem");
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("peer-asterisk.pem", Function::AppServer)],
    )]);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::TvsCache)
    );
    assert_eq!((tvs.queries, phone.cached_entries(clock.now())), (1, 1));
    let tokenless = read("cucm-CTLFile-tokenless.tlv");
    assert_eq!(
        phone.offer_trust_list(name_of(&tokenless), &tokenless, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert_eq!(phone.cached_entries(clock.now()), 0);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(tvs.queries, 2);
    // The same CTL again is no update: the new answer stays cached.
    assert_eq!(
        phone.offer_trust_list(name_of(&tokenless), &tokenless, &mut tvs, &clock),
        Ok(Trust::CtlSast { record: 0 })
    );
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::TvsCache)
    );
    assert_eq!(tvs.queries, 2);
}

/// The same flush when `boot` installs the CTL.
#[test]
fn a_ctl_installed_at_boot_flushes_the_tvs_cache() {
    let clock = ManualClock::new(10_000);
    let mut phone = phone_with("cucm-ITLFile.tlv");
    let directory = cert("peer-asterisk.pem");
    let mut tvs = InMemoryTvs::new(vec![pub_tvs(
        cert("tvs-pub.pem"),
        &[("peer-asterisk.pem", Function::AppServer)],
    )]);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
    assert_eq!(phone.cached_entries(clock.now()), 1);
    let files = BTreeMap::from([
        (
            "CTLFile.tlv".to_string(),
            read("cucm-CTLFile-tokenless.tlv"),
        ),
        ("ITLFile.tlv".to_string(), read("cucm-ITLFile.tlv")),
        (CONFIG.to_string(), config("callmanager-pub.pem")),
    ]);
    phone.boot(&files, &mut tvs, &clock, false);
    assert_eq!(phone.ctl(), Some(&read("cucm-CTLFile-tokenless.tlv")[..]));
    assert_eq!(phone.cached_entries(clock.now()), 0);
    assert_eq!(
        phone.check_server_certificate(directory.der(), &mut tvs, &clock),
        Ok(Trust::Tvs { server: 0 })
    );
}

/// One rule table: each rule has its own code and name, and the decision
/// of a rule and index gives them back.
#[test]
fn rules_have_one_code_and_one_name_each() {
    use cisco_itl::phone::Rule;
    let codes: Vec<u32> = Rule::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes, (1..=11).collect::<Vec<u32>>());
    let names: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "first-use",
            "blank-itl",
            "unsigned",
            "ctl-sast",
            "ctl-tftp",
            "itl-sast",
            "itl-tftp",
            "in-ctl",
            "in-itl",
            "tvs",
            "tvs-cache"
        ]
    );
    for rule in Rule::ALL {
        assert_eq!(Rule::from_code(rule.code()), Some(rule));
        let trust = Trust::from_rule(rule, 5);
        assert_eq!(trust.rule(), rule);
        assert!(trust.index().is_none_or(|i| i == 5));
    }
    assert_eq!(Rule::from_code(0), None);
    assert_eq!(Rule::from_code(12), None);
    assert_eq!(Trust::ItlSast { record: 2 }.index(), Some(2));
    assert_eq!(Trust::TvsCache.index(), None);
}

/// The phone's stage and lock are types that follow what it holds: a
/// refused list locks it and changes nothing else, the next accepted list
/// opens it, and the lists it installed are the ones it decides with.
#[test]
fn stage_and_lock_follow_what_the_phone_holds() {
    use cisco_itl::phone::{Lock, Stage};
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let mut phone = Phone::new("SEP001122334455");
    assert_eq!((phone.stage(), phone.lock()), (Stage::Nothing, Lock::Open));
    let blank = read("cucm-ITLFile-rollback.tlv");
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &blank, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(phone.stage(), Stage::BlankItl);
    // Rule 1 again: a blank ITL vouches for nothing.
    let itl = read("cucm-ITLFile.tlv");
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!((phone.stage(), phone.lock()), (Stage::Itl, Lock::Open));
    let regen = read("cucm-ITLFile-regen-callmanager.tlv");
    assert!(
        phone
            .offer_trust_list("ITLFile.tlv", &regen, &mut tvs, &clock)
            .is_err()
    );
    assert_eq!((phone.stage(), phone.lock()), (Stage::Itl, Lock::Locked));
    assert_eq!(phone.itl(), Some(&itl[..]));
    assert_eq!(phone.status_message(), Some(TRUST_LIST_UPDATE_FAILED));
    // The same ITL again: signed by SAST record 1 of the installed one.
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::ItlSast { record: 0 })
    );
    assert_eq!(phone.lock(), Lock::Open);

    let mut phone = Phone::new("SEP001122334455");
    let ctl = read("cucm-CTLFile-tokenless.tlv");
    assert_eq!(
        phone.offer_trust_list("CTLFile.tlv", &ctl, &mut tvs, &clock),
        Ok(Trust::FirstUse)
    );
    assert_eq!(phone.stage(), Stage::Ctl);
    assert_eq!(
        phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        Ok(Trust::CtlSast { record: 0 })
    );
    assert_eq!(phone.stage(), Stage::Both);
    // A clone decides as the original: its lists were parsed again.
    let mut twin = phone.clone();
    assert_eq!(twin, phone);
    assert_eq!(
        twin.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock),
        phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock)
    );
}
