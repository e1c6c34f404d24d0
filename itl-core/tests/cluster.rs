//! The cluster what-if simulator: the stories of the Cisco notes, each a
//! test, and the files it writes checked against the real cluster's.
#![cfg(feature = "cluster")]
#![cfg(test)]

use std::path::Path;

use cisco_itl::cluster::{
    ClassOutcome, Cluster, ClusterError, Goal, Operation, Remedy, SecurityMode,
};
use cisco_itl::phone::{ManualClock, Rejection, Trust};

fn data() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(data().join("vectors").join(name)).unwrap()
}

/// Asserts two files are identical without printing kilobytes of bytes.
#[track_caller]
fn same_file(got: &[u8], expected: &[u8]) {
    let first = got.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        got == expected,
        "{} bytes written, {} expected; first difference at offset {first:?}",
        got.len(),
        expected.len()
    );
}

fn op(text: &str) -> Operation {
    text.parse().unwrap()
}

fn ops(texts: &[&str]) -> Vec<Operation> {
    texts.iter().map(|t| op(t)).collect()
}

fn lab() -> Cluster {
    Cluster::from_path(&data().join("lab-cluster.toml")).unwrap()
}

/// A cluster of `nodes` (all TFTP), non-secure unless `mode` says, with
/// one class per (name, tftp, group, installed).
fn cluster(mode: &str, nodes: &[&str], classes: &[(&str, &str, &[&str], &str)]) -> Cluster {
    cluster_at("10.5", mode, nodes, classes)
}

/// [`cluster`] under the rules of CUCM `version`.
fn cluster_at(
    version: &str,
    mode: &str,
    nodes: &[&str],
    classes: &[(&str, &str, &[&str], &str)],
) -> Cluster {
    let mut toml = format!("cucm-version = \"{version}\"\nmode = \"{mode}\"\n");
    for n in nodes {
        toml += &format!("[[node]]\nname = \"{n}\"\ntftp = true\n");
    }
    for (name, tftp, group, installed) in classes {
        let group: Vec<String> = group.iter().map(|g| format!("\"{g}\"")).collect();
        toml += &format!(
            "[[phones]]\nname = \"{name}\"\ncount = 100\ntftp = \"{tftp}\"\ngroup = [{}]\ninstalled = \"{installed}\"\n",
            group.join(", ")
        );
    }
    Cluster::from_toml(&toml, None).unwrap()
}

/// What a class's phone decided about `file` at its last boot, in words.
fn decision<'r>(report: &'r cisco_itl::cluster::Report, class: &str, file: &str) -> &'r str {
    let steps = &report.class(class).unwrap().steps;
    &steps.iter().find(|(f, _)| f == file).unwrap().1
}

fn outcome(report: &cisco_itl::cluster::Report, class: &str) -> ClassOutcome {
    report.class(class).unwrap().outcome.clone()
}

// The files, as the real cluster writes them.

#[test]
fn the_lab_cluster_writes_the_real_itl_and_ctls_byte_for_byte() {
    let lab = lab();
    let servers = lab.servers();
    assert_eq!(servers.mode(), SecurityMode::MixedTokenless);
    same_file(
        servers.itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile.tlv"),
    );
    assert_eq!(servers.itl("cucm-1051-a-sub1"), None, "sub1 runs no TFTP");
    same_file(
        servers.ctl().unwrap(),
        &vector("cucm-CTLFile-tokenless.tlv"),
    );

    let mut etoken = lab.clone();
    etoken.apply(&op("mixed-mode-etokens")).unwrap();
    same_file(
        etoken.servers().ctl().unwrap(),
        &vector("cucm-CTLFile-etoken.tlv"),
    );

    let mut rollback = lab.clone();
    rollback.apply(&op("prepare-rollback")).unwrap();
    same_file(
        rollback.servers().itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile-rollback.tlv"),
    );

    let mut reset = lab.clone();
    reset.apply(&op("itl-reset-localkey")).unwrap();
    same_file(
        reset.servers().itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile-reset.tlv"),
    );
    // The next TFTP restart signs with CallManager again.
    reset.apply(&op("restart-tftp")).unwrap();
    same_file(
        reset.servers().itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile.tlv"),
    );
}

#[test]
fn the_lab_phone_trusts_the_lab_files() {
    let lab = lab();
    let phone = lab.classes()[0].phone();
    assert_eq!(phone.itl(), Some(&vector("cucm-ITLFile.tlv")[..]));
    assert_eq!(phone.ctl(), Some(&vector("cucm-CTLFile-tokenless.tlv")[..]));
    let report = lab.whatif(&[]).unwrap();
    assert_eq!(outcome(&report, "lab"), ClassOutcome::Trusting);
}

// Story 1: regenerating both certificates on a node locks the phones whose
// only TVS it is, and not those with a second node's TVS in the group.

#[test]
fn regenerating_both_on_a_single_node_locks_its_phones() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(report.locked(), 100);
    let desk = report.class("desk").unwrap();
    assert_eq!(desk.outcome, ClassOutcome::Locked);
    assert!(
        desk.reason()
            .contains("no TVS server presented a certificate matching"),
        "{}",
        desk.reason()
    );
    // The locked phone takes no configuration.
    assert!(
        desk.steps
            .iter()
            .any(|(f, d)| f.ends_with(".cnf.xml.sgn") && d.contains("locked")),
        "{:?}",
        desk.steps
    );
    // The ITLRecovery reset and the hand deletion get them back.
    assert!(desk.remedies.contains(&Remedy::ItlResetLocal));
    assert!(
        desk.remedies
            .contains(&Remedy::DeleteTrustLists { phones: 100 })
    );
    // The cluster itself is unchanged by a what-if.
    assert_eq!(c.whatif(&[]).unwrap().locked(), 0);
}

#[test]
fn a_second_nodes_tvs_in_the_group_keeps_phones_trusting() {
    let c = cluster(
        "non-secure",
        &["pub", "sub1"],
        &[
            ("alone", "pub", &["pub"], "current"),
            ("paired", "pub", &["pub", "sub1"], "current"),
        ],
    );
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(outcome(&report, "alone"), ClassOutcome::Locked);
    assert_eq!(outcome(&report, "paired"), ClassOutcome::Trusting);
    assert_eq!(
        decision(&report, "paired", "ITLFile.tlv"),
        Trust::Tvs { server: 1 }.to_string()
    );
    // The report offers the group change as prevention for the others.
    let alone = report.class("alone").unwrap();
    assert!(
        alone.remedies.contains(&Remedy::TvsInGroup {
            node: "sub1".into()
        }),
        "{:?}",
        alone.remedies
    );
}

#[test]
fn one_regeneration_at_a_time_locks_nobody() {
    // CUCM resets the phones after each regeneration and holds the next one
    // for five minutes: the phones take the ITL in between.
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    for order in [
        [
            "regenerate-callmanager:pub",
            "wait:300",
            "regenerate-tvs:pub",
        ],
        [
            "regenerate-tvs:pub",
            "wait:300",
            "regenerate-callmanager:pub",
        ],
    ] {
        let report = c.whatif(&ops(&order)).unwrap();
        assert_eq!((report.locked(), report.peak_cut_off), (0, 0), "{order:?}");
    }
    // Both at once is the host name change again.
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!((report.locked(), report.peak_cut_off), (100, 100));
}

#[test]
fn an_operation_that_fails_halfway_changes_nothing() {
    let mut c = cluster(
        "non-secure",
        &["pub", "sub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    c.apply(&op("set-tftp:desk:sub")).unwrap();
    let mut no_tftp = Cluster::from_toml(
        "[[node]]\nname = \"pub\"\n[[node]]\nname = \"sub\"\ntftp = true\n",
        None,
    )
    .unwrap();
    // Removing the only TFTP node fails after the node was taken out of the copy.
    assert_eq!(
        no_tftp.apply(&op("remove-node:sub")),
        Err(ClusterError::NoTftpNode)
    );
    let names: Vec<&str> = no_tftp.servers().nodes().iter().map(|n| n.name()).collect();
    assert_eq!(names, ["pub", "sub"]);
    assert!(no_tftp.servers().itl("sub").is_some());
    // And a phone pointed at another TFTP follows it through TVS.
    assert_eq!(c.whatif(&ops(&["reboot"])).unwrap().locked(), 0);
    assert_eq!(c.classes()[0].spec().tftp, "sub");
}

#[test]
fn waiting_past_the_year_9999_is_an_error_not_a_panic() {
    let mut c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    c.apply(&op("wait:18446744073709551615")).unwrap();
    assert_eq!(c.now(), cisco_itl::cluster::LATEST_TIME);
    let before = c.servers().itl("pub").unwrap().to_vec();
    assert!(matches!(
        c.apply(&op("regenerate-tvs:pub")),
        Err(ClusterError::Certificate(_))
    ));
    assert_eq!(c.servers().itl("pub").unwrap(), &before[..]);
}

#[test]
fn cucm_refuses_a_second_regeneration_within_five_minutes() {
    let mut c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    c.apply(&op("regenerate-tvs:pub")).unwrap();
    let before = c.servers().itl("pub").unwrap().to_vec();
    c.apply(&op("wait:120")).unwrap();
    assert_eq!(
        c.apply(&op("regenerate-callmanager:pub")),
        Err(ClusterError::TooSoon {
            node: "pub".into(),
            wait_seconds: 180
        })
    );
    assert_eq!(
        c.servers().itl("pub").unwrap(),
        &before[..],
        "a refused operation changes nothing"
    );
    c.apply(&op("wait:180")).unwrap();
    c.apply(&op("regenerate-callmanager:pub")).unwrap();
}

// Story 2: the ITLRecovery reset rescues the phones whose ITL holds the
// recovery record, and not the older ones.

#[test]
fn itl_recovery_reset_rescues_phones_with_the_recovery_record_only() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[
            ("recent", "pub", &["pub"], "current"),
            ("older", "pub", &["pub"], "without-recovery"),
        ],
    );
    let locked = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(locked.locked(), 200);
    assert!(
        locked
            .class("recent")
            .unwrap()
            .remedies
            .contains(&Remedy::ItlResetLocal)
    );
    assert!(
        !locked
            .class("older")
            .unwrap()
            .remedies
            .contains(&Remedy::ItlResetLocal)
    );

    let reset = c
        .whatif(&ops(&[
            "regenerate-both:pub",
            "reboot",
            "itl-reset-localkey",
        ]))
        .unwrap();
    assert_eq!(outcome(&reset, "recent"), ClassOutcome::Trusting);
    assert_eq!(outcome(&reset, "older"), ClassOutcome::Locked);
    let itl = decision(&reset, "recent", "ITLFile.tlv");
    // Record 5 of CUCM's ITL is the ITLRECOVERY SAST record.
    assert_eq!(itl, &Trust::ItlSast { record: 4 }.to_string());

    // The next TFTP restart signs with the new CallManager key, which the
    // reset ITL lists: the rescued phones stay trusting.
    let after = c
        .whatif(&ops(&[
            "regenerate-both:pub",
            "reboot",
            "itl-reset-localkey",
            "reboot",
            "restart-tftp",
        ]))
        .unwrap();
    assert_eq!(outcome(&after, "recent"), ClassOutcome::Trusting);
    assert_eq!(outcome(&after, "older"), ClassOutcome::Locked);
}

// Story 3: eTokens to tokenless and back fails without Phone-SAST-trust
// and works with it.

#[test]
fn etoken_to_tokenless_and_back_needs_phone_sast_trust() {
    let c = cluster(
        "etoken",
        &["pub", "sub1"],
        &[
            ("on-pub", "pub", &["pub"], "current"),
            ("on-sub", "sub1", &["sub1"], "current"),
        ],
    );
    let tokenless = c.whatif(&ops(&["mixed-mode-tokenless"])).unwrap();
    assert_eq!(tokenless.locked(), 0, "{tokenless}");
    // Phones of the subscriber learn the publisher's key through TVS,
    // which knows it as SAST from the new CTL.
    let ctl = decision(&tokenless, "on-sub", "CTLFile.tlv");
    assert_eq!(ctl, &Trust::Tvs { server: 0 }.to_string());

    let back = c
        .whatif(&ops(&[
            "mixed-mode-tokenless",
            "reboot",
            "mixed-mode-etokens",
        ]))
        .unwrap();
    assert_eq!(back.locked(), 200, "{back}");
    assert_eq!(outcome(&back, "on-pub"), ClassOutcome::Locked);

    let uploaded = c
        .whatif(&ops(&[
            "mixed-mode-tokenless",
            "reboot",
            "upload-phone-sast-trust",
            "mixed-mode-etokens",
        ]))
        .unwrap();
    assert_eq!(uploaded.locked(), 0, "{uploaded}");
}

// Story 4: after "Prepare Cluster for Rollback" phones accept any
// configuration.

#[test]
fn after_rollback_any_configuration_is_accepted() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let mut after = c.clone();
    after.apply(&op("prepare-rollback")).unwrap();
    let report = after.boot();
    assert_eq!(report.locked(), 0);
    let phone = after.classes()[0].phone();
    assert!(phone.has_blank_itl());
    let config = &report.class("desk").unwrap().steps.last().unwrap().1;
    assert_eq!(config, &Trust::BlankItl.to_string());
    // A configuration signed by a stranger (the lab's CAPF key) is taken too.
    let name = format!("{}.cnf.xml.sgn", phone.device_name());
    let stranger = cisco_itl::key::Signer::from_pem(&vector("keys/capf.pem")).unwrap();
    let forged = cisco_itl::signed_file::SignedFileBuilder::new(&name, b"<evil/>".to_vec())
        .sign(&stranger)
        .unwrap();
    assert_eq!(
        phone.offer_config(&name, &forged, &ManualClock::new(0)),
        Ok(Trust::BlankItl)
    );
    // Before the rollback the same file is refused.
    let before = c.classes()[0].phone();
    assert!(matches!(
        before.offer_config(&name, &forged, &ManualClock::new(0)),
        Err(Rejection::Untrusted(_))
    ));
}

// Story 5: a migration to a rebuilt cluster locks the phones.

#[test]
fn a_rebuilt_cluster_locks_phones_and_the_saved_recovery_key_rescues_them() {
    let c = cluster(
        "non-secure",
        &["pub", "sub1"],
        &[
            ("desk", "pub", &["pub", "sub1"], "current"),
            ("older", "pub", &["pub"], "without-recovery"),
        ],
    );
    let report = c.whatif(&ops(&["rebuild"])).unwrap();
    assert_eq!(report.locked(), 200, "{report}");
    let desk = report.class("desk").unwrap();
    assert!(
        desk.remedies.contains(&Remedy::ItlResetRemote),
        "{:?}",
        desk.remedies
    );
    assert!(!desk.remedies.contains(&Remedy::ItlResetLocal));
    let rescued = c
        .whatif(&ops(&["rebuild", "reboot", "itl-reset-remotekey"]))
        .unwrap();
    assert_eq!(outcome(&rescued, "desk"), ClassOutcome::Trusting);
    assert_eq!(outcome(&rescued, "older"), ClassOutcome::Locked);
}

#[test]
fn migrating_a_class_to_a_new_cluster_locks_it_alone() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[
            ("moved", "pub", &["pub"], "current"),
            ("stayed", "pub", &["pub"], "current"),
        ],
    );
    let report = c.whatif(&ops(&["migrate:moved"])).unwrap();
    assert_eq!(outcome(&report, "moved"), ClassOutcome::Locked);
    assert!(report.class("moved").unwrap().migrated);
    assert_eq!(outcome(&report, "stayed"), ClassOutcome::Trusting);
}

// The CTL as a remedy, rollback and the modes.

#[test]
fn an_etoken_ctl_update_rescues_phones_a_tokenless_one_does_not() {
    for (mode, works) in [("etoken", true), ("tokenless", false)] {
        let c = cluster(mode, &["pub"], &[("desk", "pub", &["pub"], "current")]);
        let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
        assert_eq!(report.locked(), 100, "{mode}");
        let remedies = &report.class("desk").unwrap().remedies;
        assert_eq!(
            remedies.contains(&Remedy::UpdateCtl),
            works,
            "{mode}: {remedies:?}"
        );
        let after = c
            .whatif(&ops(&["regenerate-both:pub", "update-ctl", "reboot"]))
            .unwrap();
        assert_eq!(after.locked() == 0, works, "{mode}: {after}");
    }
    // The eToken way: rule 2 takes the CTL, rule 3 the ITL.
    let c = cluster("etoken", &["pub"], &[("desk", "pub", &["pub"], "current")]);
    let after = c
        .whatif(&ops(&["regenerate-both:pub", "update-ctl", "reboot"]))
        .unwrap();
    assert_eq!(
        decision(&after, "desk", "CTLFile.tlv"),
        Trust::CtlSast { record: 1 }.to_string()
    );
    assert_eq!(
        decision(&after, "desk", "ITLFile.tlv"),
        Trust::CtlTftp { record: 2 }.to_string()
    );
}

#[test]
fn rollback_needs_a_healthy_cluster_and_can_be_cancelled() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    // Locked phones do not take the blank ITL either.
    let report = c
        .whatif(&ops(&["regenerate-both:pub", "prepare-rollback", "reboot"]))
        .unwrap();
    assert_eq!(report.locked(), 100);
    // Healthy: the blank ITL is taken, and cancelling brings a normal ITL
    // back, taken as on first use since a blank ITL trusts nothing.
    let report = c
        .whatif(&ops(&[
            "prepare-rollback",
            "reboot",
            "cancel-rollback",
            "reboot",
        ]))
        .unwrap();
    assert_eq!(report.cut_off(), 0);
    let itl = decision(&report, "desk", "ITLFile.tlv");
    assert_eq!(itl, &Trust::FirstUse.to_string());
    // A reset while rollback is prepared re-signs the blank ITL; the next
    // TFTP restart still writes blank ITLs.
    let mut c2 = c.clone();
    for o in ["prepare-rollback", "itl-reset-localkey", "restart-tftp"] {
        c2.apply(&op(o)).unwrap();
    }
    assert_eq!(
        cisco_itl::trust_list::TrustList::parse(c2.servers().itl("pub").unwrap())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn secure_modes_come_and_go_without_locking() {
    let c = cluster(
        "non-secure",
        &["pub", "sub"],
        &[
            ("a", "pub", &["pub"], "current"),
            ("b", "sub", &["sub"], "current"),
        ],
    );
    let report = c
        .whatif(&ops(&[
            "mixed-mode-tokenless",
            "reboot",
            "non-secure-mode",
            "reboot",
        ]))
        .unwrap();
    assert_eq!((report.cut_off(), report.peak_cut_off), (0, 0), "{report}");
    let mut tokenless = c.clone();
    tokenless.apply(&op("mixed-mode-tokenless")).unwrap();
    tokenless.boot();
    assert!(
        tokenless
            .classes()
            .iter()
            .all(|k| k.phone().ctl().is_some())
    );
}

#[test]
fn a_reset_with_two_tftp_nodes_cuts_off_the_subscribers_phones_until_tftp_restarts() {
    let c = cluster(
        "non-secure",
        &["pub", "sub"],
        &[
            ("on-pub", "pub", &["pub"], "current"),
            ("on-sub", "sub", &["sub"], "current"),
        ],
    );
    let report = c.whatif(&ops(&["itl-reset-localkey", "reboot"])).unwrap();
    assert_eq!(outcome(&report, "on-pub"), ClassOutcome::Trusting);
    // The publisher's ITL names the publisher's CallManager, not sub's, which
    // signs sub's configuration files.
    assert_eq!(outcome(&report, "on-sub"), ClassOutcome::ConfigRefused);
    assert_eq!((report.locked(), report.cut_off()), (0, 100));
    assert!(
        report
            .to_string()
            .contains("and 100 more refuse their configuration")
    );
    let report = c
        .whatif(&ops(&[
            "itl-reset-localkey",
            "reboot",
            "restart-tftp",
            "reboot",
        ]))
        .unwrap();
    assert_eq!(report.cut_off(), 0);
}

// Operations on phones and nodes.

#[test]
fn a_new_group_reaches_phones_through_their_configuration() {
    let c = cluster(
        "non-secure",
        &["pub", "sub1"],
        &[("desk", "pub", &["pub"], "current")],
    );
    // Sent, then learnt at the next reboot: the host name change is then safe.
    let report = c
        .whatif(&ops(&[
            "set-group:desk:pub,sub1",
            "reboot",
            "regenerate-both:pub",
        ]))
        .unwrap();
    assert_eq!(report.locked(), 0, "{report}");
    assert_eq!(report.class("desk").unwrap().group, ["pub", "sub1"]);
    // Without the reboot the phones never learnt it.
    let report = c
        .whatif(&ops(&["set-group:desk:pub,sub1", "regenerate-both:pub"]))
        .unwrap();
    assert_eq!(report.locked(), 100);
}

#[test]
fn adding_and_removing_nodes_changes_the_itl_and_not_trust() {
    let c = cluster(
        "non-secure",
        &["pub", "sub1"],
        &[("desk", "pub", &["pub", "sub1"], "current")],
    );
    let mut grown = c.clone();
    grown.apply(&op("add-node:sub2:tftp")).unwrap();
    let itl = cisco_itl::trust_list::TrustList::parse(grown.servers().itl("pub").unwrap()).unwrap();
    assert_eq!(itl.len(), 7, "one more TVS record");
    assert!(grown.servers().itl("sub2").is_some());
    assert_eq!(grown.boot().locked(), 0);
    assert_eq!(
        c.clone().apply(&op("remove-node:pub")),
        Err(ClusterError::PublisherRemoval("pub".into()))
    );
    let report = c.whatif(&ops(&["remove-node:sub1"])).unwrap();
    assert_eq!(report.locked(), 0);
    assert_eq!(
        c.clone().apply(&op("add-node:pub")),
        Err(ClusterError::DuplicateName("pub".into()))
    );
    assert_eq!(
        c.clone().apply(&op("regenerate-tvs:nowhere")),
        Err(ClusterError::UnknownNode("nowhere".into()))
    );
}

#[test]
fn a_node_without_tvs_is_neither_a_tvs_server_nor_in_the_itl() {
    let toml = r#"
[[node]]
name = "pub"
tftp = true
[[node]]
name = "sub"
tvs-service = false
[[phones]]
name = "desk"
count = 10
tftp = "pub"
group = ["pub", "sub"]
mac = "0011215a1ae3"
"#;
    let c = Cluster::from_toml(toml, None).unwrap();
    let itl = cisco_itl::trust_list::TrustList::parse(c.servers().itl("pub").unwrap()).unwrap();
    // SAST, TFTP, CAPF, the publisher's TVS, ITLRecovery: no TVS record for sub.
    assert_eq!(itl.len(), 5);
    assert!(c.servers().tvs_server("sub").is_none());
    assert!(!c.servers().node("sub").unwrap().runs_tvs());
    assert_eq!(c.classes()[0].phone().device_name(), "SEP0011215A1AE3");
    // A group member without TVS is no help.
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(report.locked(), 10);
    let bad_mac = toml.replace("0011215a1ae3", "0011215a1ae");
    assert_eq!(
        Cluster::from_toml(&bad_mac, None).unwrap_err(),
        ClusterError::BadMac("0011215a1ae".into())
    );
}

#[test]
fn phones_without_security_by_default_never_lock() {
    let toml = r#"
[[node]]
name = "pub"
tftp = true
[[phones]]
name = "old"
count = 5
model = 7960
security-by-default = false
tftp = "pub"
group = ["pub"]
"#;
    let c = Cluster::from_toml(toml, None).unwrap();
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(outcome(&report, "old"), ClassOutcome::Unsecured);
    assert_eq!(report.locked(), 0);
}

// The planner.

#[test]
fn the_planner_splits_a_host_name_change_in_two_regenerations() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let plan = c.plan(&"new-hostname:pub".parse().unwrap(), 4).unwrap();
    assert!(plan.safe, "{plan}");
    assert_eq!(
        plan.steps,
        ops(&[
            "regenerate-tvs:pub",
            "wait:300",
            "regenerate-callmanager:pub"
        ])
    );
    assert_eq!((plan.peak_cut_off, plan.cut_off_at_end), (0, 0));
    // Replaying it confirms it.
    let report = c.whatif(&plan.steps).unwrap();
    assert_eq!((report.locked(), report.peak_cut_off), (0, 0));
    assert!(plan.to_string().starts_with(
        "Safe plan for new-hostname:pub in 2 steps (and a wait): no phone is cut off at any moment."
    ));
}

#[test]
fn the_planner_says_when_no_safe_plan_exists_and_what_the_least_bad_costs() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let plan = c
        .plan(&Goal::NewHostname { node: "pub".into() }, 1)
        .unwrap();
    assert!(!plan.safe);
    assert_eq!(plan.steps, ops(&["regenerate-both:pub"]));
    assert_eq!((plan.peak_cut_off, plan.cut_off_at_end), (100, 100));
    assert!(
        plan.to_string()
            .starts_with("No safe plan for new-hostname:pub within 1 steps"),
        "{plan}"
    );
    assert!(matches!(
        c.plan(
            &Goal::NewTvs {
                node: "ghost".into()
            },
            3
        ),
        Err(ClusterError::UnknownNode(_))
    ));
}

#[test]
fn the_planner_stops_at_its_budget_and_says_so() {
    let c = cluster(
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let plan = c
        .plan_within(&"new-hostname:pub".parse().unwrap(), 4, 1)
        .unwrap();
    assert!(!plan.complete);
    assert_eq!(plan.explored, 1);
    assert!(
        plan.to_string()
            .contains("The search stopped after 1 orders"),
        "{plan}"
    );
}

#[test]
fn without_a_tvs_the_least_bad_plan_ends_with_the_reset() {
    let toml = "[[node]]\nname = \"pub\"\ntftp = true\ntvs-service = false\n[[phones]]\nname = \"desk\"\ncount = 100\ntftp = \"pub\"\n";
    let c = Cluster::from_toml(toml, None).unwrap();
    let plan = c.plan(&"new-callmanager:pub".parse().unwrap(), 3).unwrap();
    // The reset after the regeneration gets every phone back, but the phones
    // reset by CUCM right after the regeneration lock first: not safe.
    assert!(!plan.safe, "{plan}");
    assert_eq!(
        plan.steps,
        ops(&["regenerate-callmanager:pub", "itl-reset-localkey"])
    );
    assert_eq!((plan.peak_cut_off, plan.cut_off_at_end), (100, 0));
}

#[test]
fn the_planner_uploads_the_etokens_before_going_back_to_them() {
    let c = cluster(
        "tokenless",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let plan = c.plan(&Goal::ETokens, 3).unwrap();
    assert!(plan.safe, "{plan}");
    assert_eq!(
        plan.steps,
        ops(&["upload-phone-sast-trust", "mixed-mode-etokens"])
    );
}

// Descriptions and words.

#[test]
fn operations_and_goals_read_what_they_write() {
    for text in [
        "regenerate-callmanager:a",
        "regenerate-tvs:a",
        "regenerate-both:a",
        "itl-reset-localkey",
        "itl-reset-remotekey",
        "restart-tftp",
        "mixed-mode-tokenless",
        "mixed-mode-etokens",
        "non-secure-mode",
        "update-ctl",
        "upload-phone-sast-trust",
        "prepare-rollback",
        "cancel-rollback",
        "add-node:x",
        "add-node:x:tftp",
        "remove-node:x",
        "set-group:c:a,b",
        "set-tftp:c:a",
        "migrate:c",
        "rebuild",
        "wait:60",
        "reboot",
    ] {
        assert_eq!(op(text).to_string(), text);
    }
    for bad in [
        "",
        "reboot:now",
        "wait:soon",
        "set-group:c:a,b,c,d",
        "add-node:x:ftp",
        "regenerate-tvs",
    ] {
        assert!(bad.parse::<Operation>().is_err(), "{bad:?}");
    }
    for text in [
        "new-hostname:a",
        "new-callmanager:a",
        "new-tvs:a",
        "tokenless",
        "etokens",
        "non-secure",
        "rollback",
    ] {
        assert_eq!(text.parse::<Goal>().unwrap().to_string(), text);
    }
    assert!("rollback:now".parse::<Goal>().is_err());
}

#[test]
fn bad_descriptions_are_typed_errors() {
    let cases = [
        ("", "at least one [[node]]"),
        (
            "mode = \"secure\"\n[[node]]\nname = \"a\"\ntftp = true",
            "mode \"secure\"",
        ),
        (
            "[[node]]\nname = \"a\"\ntftp = true\ncolour = 1",
            "unknown field",
        ),
        (
            "[[node]]\nname = \"a\"\nip = \"10.0.0\"\ntftp = true",
            "not an IPv4 address",
        ),
        ("[[node]]\nname = \"a\"\n", "no node runs the TFTP service"),
        (
            "[[node]]\nname = \"a\"\ntftp = true\n[[phones]]\nname = \"p\"\ncount = 1\ntftp = \"b\"",
            "no node named \"b\"",
        ),
        (
            "[[node]]\nname = \"a\"\ntftp = true\n[[phones]]\nname = \"a\"\ncount = 1\ntftp = \"a\"",
            "used twice",
        ),
        (
            "[[node]]\nname = \"a\"\ntftp = true\n[[phones]]\nname = \"p\"\ncount = 1\ntftp = \"a\"\ngroup = [\"a\",\"a\",\"a\",\"a\"]",
            "at most 3",
        ),
        (
            "keys = \"generated:1000\"\n[[node]]\nname = \"a\"\ntftp = true",
            "1024, 2048 or 4096",
        ),
        (
            "capf = \"/nonexistent.pem\"\n[[node]]\nname = \"a\"\ntftp = true",
            "nonexistent",
        ),
    ];
    for (toml, expected) in cases {
        let err = Cluster::from_toml(toml, None).unwrap_err().to_string();
        assert!(err.contains(expected), "{toml:?}: {err}");
    }
}

#[test]
fn names_and_sizes_are_checked_before_anything_is_signed() {
    let node = |name: &str| format!("[[node]]\nname = {name:?}\ntftp = true\n");
    // A node name becomes a certificate's CN: nothing that adds attributes.
    for bad in ["pub,O=Cisco Systems", "", "-pub", "pub name", "p=b"] {
        assert_eq!(
            Cluster::from_toml(&node(bad), None).unwrap_err(),
            ClusterError::BadNodeName(bad.into()),
            "{bad:?}"
        );
    }
    let class = |name: &str, count: u64| {
        format!(
            "{}[[phones]]\nname = {name:?}\ncount = {count}\ntftp = \"pub\"\n",
            node("pub")
        )
    };
    assert!(matches!(
        Cluster::from_toml(&class("a:b", 1), None),
        Err(ClusterError::BadClassName(_))
    ));
    assert!(matches!(
        Cluster::from_toml(&class("", 1), None),
        Err(ClusterError::BadClassName(_))
    ));
    assert!(matches!(
        Cluster::from_toml(&class("many", 1_000_000_001), None),
        Err(ClusterError::TooLarge(_))
    ));
    let many_nodes: String = (0..33).map(|i| node(&format!("n{i}"))).collect();
    assert!(matches!(
        Cluster::from_toml(&many_nodes, None),
        Err(ClusterError::TooLarge(_))
    ));
    let mut c = Cluster::from_toml(&class("desk", 1), None).unwrap();
    assert_eq!(
        c.apply(&op("add-node:a,b")),
        Err(ClusterError::BadNodeName("a,b".into()))
    );
    // The planner's search is bounded.
    assert!(matches!(
        c.plan(&Goal::Rollback, 9),
        Err(ClusterError::TooLarge(_))
    ));
    assert_eq!(
        c.plan(&Goal::Rollback, 0),
        Err(ClusterError::NoPlan {
            goal: "rollback".into(),
            max_steps: 0
        })
    );
    let plan = c.plan(&Goal::Rollback, 2).unwrap();
    assert!(plan.safe && plan.complete);
    assert_eq!(plan.steps, ops(&["prepare-rollback"]));
}

#[test]
fn a_used_up_key_pool_is_an_error_not_a_panic() {
    let toml = "keys = \"vectors/keys/capf.pem\"\n[[node]]\nname = \"a\"\ntftp = true\n";
    assert_eq!(
        Cluster::from_toml(toml, Some(data())).unwrap_err(),
        ClusterError::KeysExhausted
    );
}

#[test]
fn the_builtin_cluster_has_100000_phones_in_20_classes() {
    let c = Cluster::builtin().unwrap();
    assert_eq!((c.phone_count(), c.classes().len()), (100_000, 20));
    let report = c.whatif(&ops(&["regenerate-both:cucm-pub"])).unwrap();
    // The publisher's phones whose group lists only the publisher lock.
    assert_eq!(report.locked(), 14_000 + 7_000 + 2_500);
    for name in ["pub-pair", "pub-three", "conference", "lobby-7960"] {
        assert_eq!(report.class(name).unwrap().locked, 0, "{name}");
    }
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["classes"][0]["locked"], 14_000);
    assert_eq!(json["operations"][0], "regenerate-both:cucm-pub");
    assert!(c.to_dot().contains("\"class:pub-old-itl\""));
}

#[test]
fn generated_keys_are_fresh_and_of_the_size_asked() {
    let mut keys = cisco_itl::cluster::KeySource::generated(1024);
    assert_eq!(keys.remaining(), None);
    let a = keys.next_key().unwrap();
    let b = keys.next_key().unwrap();
    assert_eq!((a.bits(), b.bits()), (1024, 1024));
    use rsa::traits::PublicKeyParts;
    assert_ne!(a.rsa().n_bytes(), b.rsa().n_bytes());
}

/// A fresh folder under the system's temporary folder.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cisco-itl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A description whose CAPF identity is the file `capf`.
fn with_capf(capf: &Path) -> String {
    format!(
        "capf = {:?}\n[[node]]\nname = \"a\"\ntftp = true\n",
        capf.display().to_string()
    )
}

fn file_error(result: Result<Cluster, ClusterError>) -> cisco_itl::fs::FileError {
    match result {
        Err(ClusterError::File(e)) => e,
        Err(other) => panic!("not a file error: {other}"),
        Ok(_) => panic!("the description was accepted"),
    }
}

#[cfg(unix)]
#[test]
fn a_description_naming_a_fifo_is_refused_at_once() {
    use cisco_itl::fs::FileError;
    use std::io::Write;
    let dir = scratch("describe-fifo");
    let fifo = dir.join("capf.pem");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // A writer that hands over a valid key once somebody opens the FIFO:
    // the description must be refused without opening it, so that the
    // writer is still waiting afterwards.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            let _ = f.write_all(&std::fs::read(data().join("vectors/keys/capf.pem")).unwrap());
        })
    };
    let e = file_error(Cluster::from_toml(&with_capf(&fifo), None));
    assert_eq!(
        e,
        FileError::NotAFile {
            path: fifo.clone(),
            kind: "a FIFO"
        }
    );
    assert!(
        e.to_string()
            .ends_with("capf.pem: not a regular file (a FIFO)"),
        "{e}"
    );
    assert!(!writer.is_finished(), "the FIFO was opened");
    // The key pool and the description itself too.
    let pool = format!(
        "keys = {:?}\n[[node]]\nname = \"a\"\ntftp = true\n",
        fifo.display().to_string()
    );
    assert!(matches!(
        file_error(Cluster::from_toml(&pool, None)),
        FileError::NotAFile { kind: "a FIFO", .. }
    ));
    assert!(matches!(
        file_error(Cluster::from_path(&fifo)),
        FileError::NotAFile { kind: "a FIFO", .. }
    ));
    assert!(!writer.is_finished(), "the FIFO was opened");
    // Let the writer go: open the reading end without waiting, and close it.
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        writer.join().unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_description_naming_stdin_a_device_or_a_folder_is_refused() {
    use cisco_itl::fs::FileError;
    for (path, kinds) in [
        ("/dev/zero", &["a character device"][..]),
        ("/dev/null", &["a character device"][..]),
        // Whatever stdin is here (a terminal, /dev/null, a pipe), never a file.
        (
            "/dev/stdin",
            &["a character device", "a FIFO", "a socket"][..],
        ),
    ] {
        match file_error(Cluster::from_toml(&with_capf(Path::new(path)), None)) {
            FileError::NotAFile { kind, .. } => assert!(kinds.contains(&kind), "{path}: {kind}"),
            other => panic!("{path}: {other}"),
        }
    }
    let e = file_error(Cluster::from_toml(&with_capf(data()), None));
    assert_eq!(
        e,
        FileError::NotAFile {
            path: data().to_path_buf(),
            kind: "a directory"
        }
    );
    assert!(matches!(
        file_error(Cluster::from_path(data())),
        FileError::NotAFile {
            kind: "a directory",
            ..
        }
    ));
}

#[test]
fn a_description_naming_an_oversized_or_missing_file_is_refused() {
    use cisco_itl::fs::{FileError, MAX_KEY_FILE_BYTES};
    let dir = scratch("describe-large");
    // Sparse: a key file one byte over the limit, refused by its size.
    let large = dir.join("large.pem");
    std::fs::File::create(&large)
        .unwrap()
        .set_len(MAX_KEY_FILE_BYTES + 1)
        .unwrap();
    let e = file_error(Cluster::from_toml(&with_capf(&large), None));
    assert_eq!(
        e,
        FileError::TooLarge {
            path: large.clone(),
            limit: MAX_KEY_FILE_BYTES
        }
    );
    assert_eq!(
        e.to_string(),
        format!("{}: larger than 1048576 bytes", large.display())
    );
    // Relative paths are read from the description's folder.
    let description = dir.join("cluster.toml");
    std::fs::write(&description, with_capf(Path::new("large.pem"))).unwrap();
    assert!(matches!(
        file_error(Cluster::from_path(&description)),
        FileError::TooLarge {
            limit: MAX_KEY_FILE_BYTES,
            ..
        }
    ));
    let missing = dir.join("missing.pem");
    match file_error(Cluster::from_toml(&with_capf(&missing), None)) {
        FileError::Io { path, kind, .. } => {
            assert_eq!((path, kind), (missing, std::io::ErrorKind::NotFound));
        }
        other => panic!("{other}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn whatifs_remedies_stop_at_their_budget_and_say_so() {
    let c = cluster(
        "non-secure",
        &["pub", "sub1", "sub2"],
        &[
            ("alone", "pub", &["pub"], "current"),
            ("other", "pub", &["pub"], "current"),
            ("paired", "pub", &["pub", "sub1"], "current"),
        ],
    );
    let ops = ops(&["regenerate-both:pub", "reboot"]);
    let full = c.whatif(&ops).unwrap();
    // One reset (localkey; no saved key differs, non-secure: no CTL), and
    // sub1 and sub2 tried in the groups, each a replay of 2 operations.
    assert_eq!((full.remedy_checks, full.remedy_checks_skipped), (3, 0));
    let alone = full.class("alone").unwrap();
    assert_eq!(
        alone.remedies,
        vec![
            Remedy::TvsInGroup {
                node: "sub1".into()
            },
            Remedy::TvsInGroup {
                node: "sub2".into()
            },
            Remedy::ItlResetLocal,
            Remedy::DeleteTrustLists { phones: 100 },
        ]
    );
    assert!(!full.to_string().contains("budget reached"));
    assert_eq!(full, c.whatif_within(&ops, 5).unwrap());

    // A budget of 3: the reset (1) and one node (2 operations replayed).
    let some = c.whatif_within(&ops, 3).unwrap();
    assert_eq!((some.remedy_checks, some.remedy_checks_skipped), (3, 1));
    assert_eq!(
        some.class("alone").unwrap().remedies,
        vec![
            Remedy::TvsInGroup {
                node: "sub1".into()
            },
            Remedy::ItlResetLocal,
            Remedy::DeleteTrustLists { phones: 100 },
        ]
    );
    assert!(
        some.to_string().contains(
            "Remedies not all simulated for 2 classes: budget reached (1 of 3 checks left out); other remedies may work."
        ),
        "{some}"
    );
    // None: only the hand deletion, which needs no replay.
    let none = c.whatif_within(&ops, 0).unwrap();
    assert_eq!((none.remedy_checks, none.remedy_checks_skipped), (3, 3));
    assert_eq!(
        none.class("other").unwrap().remedies,
        vec![Remedy::DeleteTrustLists { phones: 100 }]
    );
    let json: serde_json::Value = serde_json::from_str(&none.to_json()).unwrap();
    assert_eq!(json["remedy_checks_skipped"], 3);
    // The outcome itself never depends on the budget.
    assert_eq!(none.locked(), full.locked());
    assert_eq!(none.peak_cut_off, full.peak_cut_off);
}

#[test]
fn copies_of_a_generated_key_source_draw_the_same_keys() {
    use rsa::traits::PublicKeyParts;
    let mut a = cisco_itl::cluster::KeySource::generated(1024);
    let first = a.next_key().unwrap();
    let mut b = a.clone();
    let mut c = a.clone();
    // The key b draws first is generated once and handed to every copy
    // that draws its second key, whichever draws first.
    let from_b = b.next_key().unwrap();
    let from_c = c.next_key().unwrap();
    let from_a = a.next_key().unwrap();
    assert_eq!(from_b.rsa().n_bytes(), from_c.rsa().n_bytes());
    assert_eq!(from_b.rsa().n_bytes(), from_a.rsa().n_bytes());
    assert_ne!(first.rsa().n_bytes(), from_a.rsa().n_bytes());
    // A fresh source is another story.
    let mut fresh = cisco_itl::cluster::KeySource::generated(1024);
    assert_ne!(
        fresh.next_key().unwrap().rsa().n_bytes(),
        first.rsa().n_bytes()
    );
}

#[test]
fn whatif_remedies_on_generated_keys_replay_the_same_keys() {
    // Regenerating both on pub: the replays for sub1 draw the keys the
    // operation drew, so the remedies match those of the run itself.
    let toml = "keys = \"generated:1024\"\n\
                [[node]]\nname = \"pub\"\ntftp = true\n\
                [[node]]\nname = \"sub1\"\n\
                [[phones]]\nname = \"desk\"\ncount = 5\ntftp = \"pub\"\ngroup = [\"pub\"]\n";
    let c = Cluster::from_toml(toml, None).unwrap();
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(report.locked(), 5);
    assert_eq!(
        report.class("desk").unwrap().remedies,
        vec![
            Remedy::TvsInGroup {
                node: "sub1".into()
            },
            Remedy::ItlResetLocal,
            Remedy::DeleteTrustLists { phones: 5 },
        ]
    );
    // A second what-if draws the same new keys: the same report.
    assert_eq!(report, c.whatif(&ops(&["regenerate-both:pub"])).unwrap());
}

// CUCM versions: one test per row of the version table of docs/WHATIF.md.

/// The lab cluster's description under the rules of `version`.
fn lab_at(version: &str) -> Cluster {
    let text = std::fs::read_to_string(data().join("lab-cluster.toml")).unwrap();
    Cluster::from_toml(
        &format!("cucm-version = \"{version}\"\n{text}"),
        Some(data()),
    )
    .unwrap()
}

fn builtin_at(version: &str) -> Cluster {
    let text = format!(
        "cucm-version = \"{version}\"\n{}",
        cisco_itl::cluster::describe::BUILTIN
    );
    Cluster::from_toml(&text, None).unwrap()
}

fn signer_name(list: &[u8]) -> String {
    cisco_itl::trust_list::TrustList::parse(list)
        .unwrap()
        .header()
        .signer_name()
        .to_string()
}

#[test]
fn versions_read_write_and_order_as_cucm_releases() {
    use cisco_itl::cluster::CucmVersion;
    let order = ["10.0", "10.5", "11.5", "12.0", "12.5", "14", "14SU3", "15"];
    let parsed: Vec<CucmVersion> = order.iter().map(|v| v.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] < w[1]), "{parsed:?}");
    assert_eq!(
        parsed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "10.0", "10.5", "11.5", "12.0", "12.5", "14.0", "14SU3", "15.0"
        ]
    );
    assert_eq!(
        "14.0SU3".parse::<CucmVersion>().unwrap(),
        CucmVersion::V14_SU3
    );
    assert_eq!(
        "12.5SU2".parse::<CucmVersion>().unwrap(),
        CucmVersion::new(12, 5, 2)
    );
    for bad in ["9.1", "", "12.", "x", "14SU", "14SUx", "12.10", "100"] {
        assert!(bad.parse::<CucmVersion>().is_err(), "{bad}");
    }
    let err = Cluster::from_toml(
        "cucm-version = \"8.6\"\n[[node]]\nname = \"a\"\ntftp = true",
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("\"8.6\" is not a CUCM version"),
        "{err}"
    );
}

#[test]
fn version_10_5_is_the_default_and_writes_the_real_files() {
    let lab = lab_at("10.5");
    assert_eq!(lab.servers().version().to_string(), "10.5");
    assert_eq!(self::lab().servers().version(), lab.servers().version());
    same_file(
        lab.servers().itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile.tlv"),
    );
    same_file(
        lab.servers().ctl().unwrap(),
        &vector("cucm-CTLFile-tokenless.tlv"),
    );
    // A host name change locks the phones whose only TVS is the node.
    let report = builtin_at("10.5")
        .whatif(&ops(&["regenerate-both:cucm-pub"]))
        .unwrap();
    assert_eq!(report.locked(), 23_500);
    assert!(report.to_string().starts_with("CUCM 10.5 rules.\n"));
}

#[test]
fn version_11_5_writes_what_10_5_writes() {
    let lab = lab_at("11.5");
    same_file(
        lab.servers().itl("cucm-1051-a-pub").unwrap(),
        &vector("cucm-ITLFile.tlv"),
    );
    same_file(
        lab.servers().ctl().unwrap(),
        &vector("cucm-CTLFile-tokenless.tlv"),
    );
    let mut etoken = lab.clone();
    etoken.apply(&op("mixed-mode-etokens")).unwrap();
    same_file(
        etoken.servers().ctl().unwrap(),
        &vector("cucm-CTLFile-etoken.tlv"),
    );
}

#[test]
fn version_12_0_signs_the_itl_with_itlrecovery_and_puts_it_in_the_ctl() {
    use cisco_itl::function::Function;
    let lab = lab_at("12.0");
    let servers = lab.servers();
    let recovery_name = servers
        .recovery()
        .subject(cisco_itl::cert::NameStyle::Cucm)
        .unwrap();
    let itl = servers.itl("cucm-1051-a-pub").unwrap();
    assert_eq!(signer_name(itl), recovery_name);
    let list = cisco_itl::trust_list::TrustList::parse(itl).unwrap();
    let records: Vec<_> = list.records().collect();
    // ITLRecovery signs (record 1, SAST); CallManager is the TFTP record
    // only; CAPF; the two nodes' TVS.
    assert_eq!(
        records.iter().map(|r| r.function()).collect::<Vec<_>>(),
        [
            Function::Sast,
            Function::Tftp,
            Function::Capf,
            Function::Tvs,
            Function::Tvs
        ]
    );
    assert_eq!(list.signer_record().unwrap().0, 0);
    let pub_cm = servers.node("cucm-1051-a-pub").unwrap().callmanager();
    assert_eq!(records[1].certificate(), Some(pub_cm.der()));
    // The CTL holds ITLRecovery (SAST) and no TVS record.
    let ctl = cisco_itl::trust_list::TrustList::parse(servers.ctl().unwrap()).unwrap();
    assert!(ctl.records().any(
        |r| r.has_function(Function::Sast) && r.certificate() == Some(servers.recovery().der())
    ));
    assert_eq!(ctl.records_with(Function::Tvs).count(), 0);
    // The lab phone holds the 12.0 files and trusts them.
    let report = lab.whatif(&[]).unwrap();
    assert_eq!(outcome(&report, "lab"), ClassOutcome::Trusting);
    // Regenerating CallManager.pem or TVS.pem leaves the ITL's signer as it
    // was; the phone takes the new ITL through its CTL's ITLRecovery record.
    for regen in [
        "regenerate-callmanager:cucm-1051-a-pub",
        "regenerate-tvs:cucm-1051-a-pub",
    ] {
        let mut after = lab.clone();
        after.apply(&op(regen)).unwrap();
        assert_eq!(
            signer_name(after.servers().itl("cucm-1051-a-pub").unwrap()),
            recovery_name,
            "{regen}"
        );
        let report = lab.whatif(&ops(&[regen])).unwrap();
        assert_eq!(outcome(&report, "lab"), ClassOutcome::Trusting, "{regen}");
        assert!(
            decision(&report, "lab", "ITLFile.tlv").contains("SAST record")
                && decision(&report, "lab", "ITLFile.tlv").contains("CTL"),
            "{}",
            decision(&report, "lab", "ITLFile.tlv")
        );
    }
    // Under 10.5 the ITL is the CallManager's.
    assert_ne!(
        signer_name(lab_at("10.5").servers().itl("cucm-1051-a-pub").unwrap()),
        recovery_name
    );
}

#[test]
fn version_12_5_a_host_name_change_locks_no_phone_holding_the_12x_itl() {
    let c = cluster_at(
        "12.5",
        "non-secure",
        &["pub"],
        &[("desk", "pub", &["pub"], "current")],
    );
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!((report.locked(), report.peak_cut_off), (0, 0), "{report}");
    assert_eq!(
        decision(&report, "desk", "ITLFile.tlv"),
        Trust::ItlSast { record: 0 }.to_string()
    );
    // The built-in cluster: only the phones installed before CUCM 10.0
    // (no ITLRecovery record) whose one TVS was regenerated lock; 10.5
    // locks 23,500.
    let report = builtin_at("12.5")
        .whatif(&ops(&["regenerate-both:cucm-pub"]))
        .unwrap();
    let locked: Vec<&str> = report
        .classes
        .iter()
        .filter(|c| c.locked > 0)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(locked, ["pub-old-itl"], "{report}");
    assert_eq!(report.locked(), 2_500);
    assert!(report.to_string().starts_with("CUCM 12.5 rules.\n"));
    // The planner follows the same rules: one step is safe.
    let plan = c.plan(&"new-hostname:pub".parse().unwrap(), 3).unwrap();
    assert!(plan.safe, "{plan}");
    assert_eq!(plan.steps, ops(&["regenerate-both:pub"]));
}

#[test]
fn version_12_5_regenerating_itlrecovery_without_care_locks_phones() {
    // "care": every phone must reach a TVS that vouches for the new
    // ITLRecovery certificate. A class with no TVS in its group locks.
    let classes: &[(&str, &str, &[&str], &str)] = &[
        ("with-tvs", "pub", &["pub"], "current"),
        ("no-tvs", "pub", &[], "current"),
    ];
    let c = cluster_at("12.5", "non-secure", &["pub", "sub1"], classes);
    // CallManager or both: nobody needs TVS.
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(report.locked(), 0, "{report}");
    let report = c.whatif(&ops(&["regenerate-itlrecovery"])).unwrap();
    assert_eq!(outcome(&report, "with-tvs"), ClassOutcome::Trusting);
    assert_eq!(
        decision(&report, "with-tvs", "ITLFile.tlv"),
        Trust::Tvs { server: 0 }.to_string()
    );
    assert_eq!(outcome(&report, "no-tvs"), ClassOutcome::Locked);
    let no_tvs = report.class("no-tvs").unwrap();
    // The remedies, checked under the same rules: the saved ITLRecovery.p12
    // (the old key, which their ITL holds), a TVS in the group, or by hand;
    // localkey signs with the new key again and does not help.
    assert!(
        no_tvs.remedies.contains(&Remedy::ItlResetRemote),
        "{:?}",
        no_tvs.remedies
    );
    assert!(!no_tvs.remedies.contains(&Remedy::ItlResetLocal));
    assert!(
        no_tvs
            .remedies
            .contains(&Remedy::TvsInGroup { node: "pub".into() })
    );
    // ITLRecovery and TVS regenerated back to back (the five-minute hold
    // waited out, the phones reset in between) lock nobody with a TVS.
    let report = c
        .whatif(&ops(&[
            "regenerate-itlrecovery",
            "wait:300",
            "regenerate-tvs:pub",
        ]))
        .unwrap();
    assert_eq!(outcome(&report, "with-tvs"), ClassOutcome::Trusting);
    // The five-minute rule holds ITLRecovery on the publisher too.
    let err = c
        .whatif(&ops(&[
            "regenerate-itlrecovery",
            "regenerate-callmanager:pub",
        ]))
        .unwrap_err();
    assert!(
        matches!(err, ClusterError::TooSoon { ref node, wait_seconds: 300 } if node == "pub"),
        "{err}"
    );
    // Under 10.5 CallManager signs the ITL: a new ITLRecovery locks nobody.
    let old = cluster_at("10.5", "non-secure", &["pub", "sub1"], classes);
    assert_eq!(
        old.whatif(&ops(&["regenerate-itlrecovery"]))
            .unwrap()
            .locked(),
        0
    );
    // The planner finds no safe way for the class without TVS.
    let plan = c.plan(&"new-itlrecovery".parse().unwrap(), 3).unwrap();
    assert!(!plan.safe, "{plan}");
}

#[test]
fn version_12_x_itlrecovery_validity_is_configurable() {
    let at = |version: &str, years: &str| {
        Cluster::from_toml(
            &format!(
                "cucm-version = \"{version}\"\nitlrecovery-validity-years = {years}\n[[node]]\nname = \"pub\"\ntftp = true\n"
            ),
            None,
        )
    };
    let c = at("12.5", "5").unwrap();
    let validity = &c
        .servers()
        .recovery()
        .certificate()
        .tbs_certificate()
        .validity();
    let seconds = validity.not_after.to_unix_duration().as_secs()
        - validity.not_before.to_unix_duration().as_secs();
    assert_eq!(seconds, 5 * 365 * 86_400);
    let mut c = c;
    c.apply(&op("regenerate-itlrecovery")).unwrap();
    let validity = &c
        .servers()
        .recovery()
        .certificate()
        .tbs_certificate()
        .validity();
    let seconds = validity.not_after.to_unix_duration().as_secs()
        - validity.not_before.to_unix_duration().as_secs();
    assert_eq!(seconds, 5 * 365 * 86_400);
    let err = at("12.5", "7").unwrap_err();
    assert!(
        err.to_string()
            .contains("CUCM offers 5, 10, 15 or 20 years"),
        "{err}"
    );
    let err = at("11.5", "5").unwrap_err();
    assert!(
        matches!(err, ClusterError::RefusedByVersion { ref operation, .. } if operation == "itlrecovery-validity-years"),
        "{err}"
    );
}

#[test]
fn version_14_0_still_takes_the_etoken_ctl() {
    let mut lab = lab_at("14.0");
    lab.apply(&op("mixed-mode-etokens")).unwrap();
    assert_eq!(lab.servers().mode(), SecurityMode::MixedEToken);
    // The eToken CTL holds ITLRecovery too (from 12.0) and is signed by
    // the last eToken.
    let ctl = lab.servers().ctl().unwrap();
    assert!(
        signer_name(ctl).contains("SAST-ADN"),
        "{}",
        signer_name(ctl)
    );
}

#[test]
fn version_14su3_refuses_the_etoken_ctl_with_cucms_reason() {
    for version in ["14SU3", "15"] {
        let mut lab = lab_at(version);
        let err = lab.apply(&op("mixed-mode-etokens")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "CUCM {} refuses mixed-mode-etokens: the hardware eToken CTL is no longer supported from CUCM 14SU3: use the tokenless CTL (utils ctl set-cluster mixed-mode)",
                version.parse::<cisco_itl::cluster::CucmVersion>().unwrap()
            )
        );
        assert_eq!(
            lab.servers().mode(),
            SecurityMode::MixedTokenless,
            "unchanged"
        );
        // The planner cannot reach eTokens either.
        assert!(matches!(
            lab.plan(&Goal::ETokens, 3),
            Err(ClusterError::NoPlan { .. })
        ));
        // A description in eToken mode is refused the same way.
        let err = Cluster::from_toml(
            &format!("cucm-version = \"{version}\"\nmode = \"etoken\"\n[[node]]\nname = \"pub\"\ntftp = true\n"),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, ClusterError::RefusedByVersion { .. }),
            "{err}"
        );
    }
}

// Phones that were off during the operations boot only at the end.

fn with_off(version: &str, off: &str) -> Cluster {
    Cluster::from_toml(
        &format!(
            "cucm-version = \"{version}\"\n[[node]]\nname = \"pub\"\ntftp = true\n\
             [[phones]]\nname = \"desk\"\ncount = 100\ntftp = \"pub\"\ngroup = [\"pub\"]\noff = {off}\n"
        ),
        None,
    )
    .unwrap()
}

#[test]
fn phones_off_during_the_safe_host_name_plan_skip_its_itl_and_lock() {
    let c = with_off("10.5", "0.25");
    assert_eq!(c.classes()[0].spec().off, 25);
    let safe = ops(&[
        "regenerate-tvs:pub",
        "wait:300",
        "regenerate-callmanager:pub",
    ]);
    let report = c.whatif(&safe).unwrap();
    let desk = report.class("desk").unwrap();
    // The 75 that were on took the intermediate ITL.
    assert_eq!(desk.outcome, ClassOutcome::Trusting);
    let off = desk.off.as_ref().unwrap();
    assert_eq!((off.phones, off.locked, off.cut_off), (25, 25, 25));
    assert_eq!(off.outcome, ClassOutcome::Locked);
    assert!(
        off.reason()
            .contains("no TVS server presented a certificate matching"),
        "{}",
        off.reason()
    );
    assert_eq!((desk.phones, desk.locked, desk.cut_off), (100, 25, 25));
    assert_eq!((report.locked(), report.peak_cut_off), (25, 25));
    let text = report.to_string();
    assert!(
        text.contains("Phones off during the operations (they boot only at the end, holding what their class held at the start):\n  desk: 25 of 100 off, 25 locked, LOCKED: ITLFile.tlv: refused"),
        "{text}"
    );
    assert!(
        text.contains("25 of 100 phones locked at the end"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["classes"][0]["off"]["phones"], 25);
    assert_eq!(json["classes"][0]["off"]["outcome"]["state"], "locked");
    // A class with no phone off has no "off" in its report.
    let none = with_off("10.5", "0").whatif(&safe).unwrap();
    assert!(none.class("desk").unwrap().off.is_none());
    assert!(!none.to_json().contains("\"off\""));
    assert_eq!(none.locked(), 0);
    // Off for an operation that changes nothing they would refuse: fine.
    let report = c.whatif(&ops(&["restart-tftp"])).unwrap();
    assert_eq!(
        report.class("desk").unwrap().off.as_ref().unwrap().outcome,
        ClassOutcome::Trusting
    );
}

#[test]
fn on_12_5_phones_off_while_itlrecovery_and_tvs_change_lock() {
    let c = with_off("12.5", "0.5");
    let report = c
        .whatif(&ops(&[
            "regenerate-itlrecovery",
            "wait:300",
            "regenerate-tvs:pub",
        ]))
        .unwrap();
    let desk = report.class("desk").unwrap();
    assert_eq!(desk.outcome, ClassOutcome::Trusting, "{report}");
    assert_eq!(
        desk.off.as_ref().unwrap().outcome,
        ClassOutcome::Locked,
        "{report}"
    );
    assert_eq!(report.locked(), 50);
    // A host name change alone does not need them on.
    let report = c.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    assert_eq!(report.locked(), 0, "{report}");
}

#[test]
fn an_off_share_outside_0_to_1_is_refused() {
    for bad in ["1.5", "-0.1", "nan"] {
        let err = Cluster::from_toml(
            &format!(
                "[[node]]\nname = \"pub\"\ntftp = true\n[[phones]]\nname = \"d\"\ncount = 4\ntftp = \"pub\"\noff = {bad}\n"
            ),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("a share of the phones, from 0 to 1"),
            "{bad}: {err}"
        );
    }
    let all = with_off("10.5", "1.0");
    let report = all.whatif(&ops(&["regenerate-both:pub"])).unwrap();
    // Every phone was off: none counted at the reset, all at the end.
    assert_eq!((report.locked(), report.peak_cut_off), (100, 100));
}

// A twin from collected files.

/// The lab cluster's files as `itl collect` lays them out: the publisher
/// (the only TFTP server) with two collections, the newer one current.
fn lab_collection(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let new = dir.join("cucm-1051-a-pub").join("2026-12-03T210400Z");
    let old = dir.join("cucm-1051-a-pub").join("2026-11-02T080000Z");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(new.join("ITLFile.tlv"), vector("cucm-ITLFile.tlv")).unwrap();
    std::fs::write(
        new.join("CTLFile.tlv"),
        vector("cucm-CTLFile-tokenless.tlv"),
    )
    .unwrap();
    std::fs::write(
        old.join("ITLFile.tlv"),
        vector("cucm-ITLFile-regen-callmanager.tlv"),
    )
    .unwrap();
    // Not a server: ignored.
    std::fs::write(dir.join("phones.csv"), "DeviceName\n").unwrap();
    dir
}

const LAB_OVERLAY: &str = "start-time = 1773075583\n[[phones]]\nname = \"lab\"\ncount = 1\nmodel = 7965\ntftp = \"cucm-1051-a-pub\"\ngroup = [\"cucm-1051-a-pub\", \"cucm-1051-a-sub1\"]\n";

/// Record by record: functions, names, serial, host name and address.
fn layout(list: &[u8]) -> Vec<String> {
    let list = cisco_itl::trust_list::TrustList::parse(list).unwrap();
    let h = list.header();
    let mut out = vec![format!(
        "{} {} {:02x?} {}",
        h.signer_name(),
        h.ca_name(),
        h.signer_serial(),
        h.timestamp()
    )];
    for r in list.records() {
        out.push(format!(
            "{:?} {} {} {:02x?} {:?} {:?} cert={}",
            r.functions().collect::<Vec<_>>(),
            r.subject(),
            r.issuer(),
            r.serial(),
            r.dns_name(),
            r.ip_address(),
            r.certificate().is_some()
        ));
    }
    out
}

#[test]
fn a_twin_of_the_lab_clusters_files_answers_as_the_lab_description() {
    let dir = lab_collection("twin-lab");
    let twin = Cluster::from_collected_with(&dir, LAB_OVERLAY, None).unwrap();
    let lab = lab();
    // The same nodes, services, addresses, mode and version.
    let shape = |c: &Cluster| {
        c.servers()
            .nodes()
            .iter()
            .map(|n| (n.name().to_string(), n.runs_tftp(), n.runs_tvs()))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&twin), shape(&lab));
    assert_eq!(twin.servers().mode(), SecurityMode::MixedTokenless);
    assert_eq!(twin.servers().version().to_string(), "10.5");
    // Stand-ins: same names and serials, other keys.
    let real_itl = vector("cucm-ITLFile.tlv");
    let twin_itl = twin.servers().itl("cucm-1051-a-pub").unwrap();
    assert_ne!(twin_itl, &real_itl[..]);
    assert_eq!(layout(twin_itl), layout(&real_itl));
    assert_eq!(
        layout(twin.servers().ctl().unwrap()),
        layout(&vector("cucm-CTLFile-tokenless.tlv"))
    );
    assert_ne!(
        twin.servers()
            .node("cucm-1051-a-pub")
            .unwrap()
            .callmanager()
            .public_key_bytes(),
        lab.servers()
            .node("cucm-1051-a-pub")
            .unwrap()
            .callmanager()
            .public_key_bytes()
    );
    // The phones hold the twins.
    assert_eq!(twin.classes()[0].phone().itl(), Some(twin_itl));
    // The same answers, decision by decision.
    for ops_text in [
        &[][..],
        &["regenerate-both:cucm-1051-a-pub"][..],
        &[
            "regenerate-tvs:cucm-1051-a-pub",
            "wait:300",
            "regenerate-callmanager:cucm-1051-a-pub",
        ][..],
        &[
            "non-secure-mode",
            "reboot",
            "regenerate-both:cucm-1051-a-pub",
        ][..],
        &[
            "set-group:lab:cucm-1051-a-pub",
            "reboot",
            "non-secure-mode",
            "regenerate-both:cucm-1051-a-pub",
        ][..],
        &["itl-reset-localkey"][..],
        &["prepare-rollback"][..],
    ] {
        let a = twin.whatif(&ops(ops_text)).unwrap();
        let b = lab.whatif(&ops(ops_text)).unwrap();
        let answer = |r: &cisco_itl::cluster::Report| {
            r.classes
                .iter()
                .map(|c| {
                    (
                        c.outcome.clone(),
                        c.locked,
                        c.steps.clone(),
                        c.remedies.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(answer(&a), answer(&b), "{ops_text:?}\n{a}\n{b}");
    }
    // One story locks the phone in both.
    let locked = twin
        .whatif(&ops(&[
            "set-group:lab:cucm-1051-a-pub",
            "reboot",
            "non-secure-mode",
            "regenerate-both:cucm-1051-a-pub",
        ]))
        .unwrap();
    assert_eq!(locked.locked(), 1, "{locked}");
    // The report says what the twin rests on.
    let text = locked.to_string();
    assert!(
        text.contains("  - cucm-1051-a-pub: ITLFile.tlv and CTLFile.tlv of collection 2026-12-03T210400Z (the newest of 2)\n"),
        "{text}"
    );
    assert!(
        text.contains("CUCM 10.5 rules: CallManager signs the ITL"),
        "{text}"
    );
    assert!(locked.to_json().contains("\"assumptions\""));
    assert!(
        !lab.whatif(&[])
            .unwrap()
            .to_json()
            .contains("\"assumptions\"")
    );
}

#[test]
fn a_twin_takes_files_beside_the_stamps_and_defaults_what_the_files_cannot_say() {
    let dir = scratch("twin-flat");
    let server = dir.join("tftp-a");
    std::fs::create_dir_all(&server).unwrap();
    std::fs::write(server.join("ITLFile.tlv"), vector("cucm-ITLFile.tlv")).unwrap();
    let twin = Cluster::from_collected(&dir, None).unwrap();
    // No CTL: non-secure; sub1 is known only by its TVS record.
    assert_eq!(twin.servers().mode(), SecurityMode::NonSecure);
    let names: Vec<&str> = twin.servers().nodes().iter().map(|n| n.name()).collect();
    assert_eq!(names, ["cucm-1051-a-pub", "cucm-1051-a-sub1"]);
    let classes: Vec<&str> = twin
        .classes()
        .iter()
        .map(|c| c.spec().name.as_str())
        .collect();
    assert_eq!(classes, ["cucm-1051-a-pub-phones"]);
    let notes = twin.assumptions().join("\n");
    for expected in [
        "cucm-1051-a-pub: ITLFile.tlv of the server's folder (folder tftp-a)",
        "cucm-1051-a-sub1: its CallManager certificate is in no collected file",
        "phones: one class of 1 phone per TFTP server",
        "cucm-1051-a-pub: address 10.0.0.10 (not in the files",
    ] {
        assert!(notes.contains(expected), "{expected}\n{notes}");
    }
    // The default class (its own TVS only) locks on a host name change,
    // under 10.5 rules; an overlay saying 12.5 changes the answer.
    assert_eq!(
        twin.whatif(&ops(&["regenerate-both:cucm-1051-a-pub"]))
            .unwrap()
            .locked(),
        1
    );
    let twelve = Cluster::from_collected_with(&dir, "cucm-version = \"12.5\"", None).unwrap();
    // The real ITL is a 10.x one (CallManager signs): under 12.5 rules the
    // first ITL the twin writes is signed by ITLRecovery, which the phone's
    // ITL holds.
    assert_eq!(
        twelve
            .whatif(&ops(&["regenerate-both:cucm-1051-a-pub"]))
            .unwrap()
            .locked(),
        0
    );
    // Errors are typed.
    let empty = scratch("twin-empty");
    assert!(matches!(
        Cluster::from_collected(&empty, None),
        Err(ClusterError::Collection(_))
    ));
    assert!(matches!(
        Cluster::from_collected_with(&dir, "[[node]]\nname = \"nobody\"\n", None),
        Err(ClusterError::UnknownNode(_))
    ));
    assert!(matches!(
        Cluster::from_collected_with(&dir, "colour = 1", None),
        Err(ClusterError::Description(_))
    ));
}

#[test]
fn a_twin_groups_the_phones_by_the_itl_they_report() {
    use cisco_itl::cluster::collected::ReportedItl;
    let dir = lab_collection("twin-reported");
    let hex = |b: &[u8]| {
        cisco_itl::hex::hex_string(
            &cisco_itl::digest::sha1(b),
            cisco_itl::hex::Case::Upper,
            " ",
        )
    };
    let current = hex(&vector("cucm-ITLFile.tlv")) + " ";
    let older = hex(&vector("cucm-ITLFile-regen-callmanager.tlv"))
        .to_lowercase()
        .replace(' ', "");
    let row = |server: &str, sig: &str| ReportedItl {
        tftp_server: server.into(),
        itl_signature: sig.into(),
    };
    let rows = vec![
        row("cucm-1051-a-pub", &current),
        row("10.48.47.155", &current),
        row("CUCM-1051-A-PUB", &current),
        row("cucm-1051-a-pub", &older),
        row("cucm-1051-a-pub", &older),
        row("cucm-1051-a-pub", "Not Installed"),
        row("cucm-1051-a-pub", &"AB".repeat(20)),
        row("10.9.9.9", &current),
    ];
    let twin = Cluster::from_collected_reported(&dir, "", None, Some(&rows)).unwrap();
    let classes: Vec<(String, u64)> = twin
        .classes()
        .iter()
        .map(|c| (c.spec().name.clone(), c.spec().count))
        .collect();
    let short = |s: &str| s.replace(' ', "").to_lowercase()[..8].to_string();
    assert_eq!(
        classes,
        [
            (format!("cucm-1051-a-pub-{}", short(&current)), 3),
            (format!("cucm-1051-a-pub-{}", short(&older)), 2),
            ("cucm-1051-a-pub-no-itl".to_string(), 1),
        ]
    );
    // The current ITL's holders hold its twin; the older ITL's holders
    // hold the twin of that one.
    let served = twin.servers().itl("cucm-1051-a-pub").unwrap();
    assert_eq!(twin.classes()[0].phone().itl(), Some(served));
    let old_twin = twin.classes()[1].phone().itl().unwrap();
    assert_ne!(old_twin, served);
    assert_eq!(
        layout(old_twin),
        layout(&vector("cucm-ITLFile-regen-callmanager.tlv"))
    );
    assert_eq!(twin.classes()[2].phone().itl(), None);
    let notes = twin.assumptions().join("\n");
    assert!(
        notes.contains(&format!(
            "1 phones left out: on cucm-1051-a-pub, they hold an ITL no collected file has (SHA-1 {})",
            "AB".repeat(20)
        )),
        "{notes}"
    );
    assert!(
        notes.contains(
            "1 phones left out: their TFTP server \"10.9.9.9\" is none of the collected nodes"
        ),
        "{notes}"
    );
    let report = twin.whatif(&ops(&["reboot"])).unwrap();
    assert_eq!(report.phones(), 6);
    assert!(
        report
            .classes
            .iter()
            .all(|c| c.outcome == ClassOutcome::Trusting),
        "{report}"
    );
    // The mixed-mode CTL vouches for the served ITL, whichever ITL they held.
    assert_eq!(
        decision(&report, &classes[1].0, "ITLFile.tlv"),
        Trust::CtlSast { record: 0 }.to_string()
    );
    // A malformed signature is a typed error.
    let err =
        Cluster::from_collected_reported(&dir, "", None, Some(&[row("cucm-1051-a-pub", "12 34")]))
            .unwrap_err();
    assert!(
        err.to_string().contains("is not the SHA-1 of an ITL"),
        "{err}"
    );
}
