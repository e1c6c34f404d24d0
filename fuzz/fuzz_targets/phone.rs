//! Fuzz target `phone`: the phone's decisions fed arbitrary files.
//!
//! Three phones (nothing installed; the CUCM ITL installed; the CUCM CTL
//! and ITL installed), with a reachable TVS that vouches for the
//! CallManager certificate, are offered the input as a trust list, as a
//! signed configuration and as an HTTPS server certificate. Nothing may
//! panic, and every decision must be consistent: a rejection changes no
//! trust list and locks the phone, an acceptance installs exactly the
//! offered bytes, a malformed verdict matches the parser's error, and the
//! record an acceptance names exists and carries the right function.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use cisco_itl::cert::CertInfo;
use cisco_itl::phone::{ManualClock, Phone, Rejection, Trust};
use cisco_itl::signed_file::SignedFile;
use cisco_itl::tvs::server::{InMemoryTvs, TvsServer};
use cisco_itl::{Function, ListKind, TrustList};
use libfuzzer_sys::fuzz_target;

const ITL: &[u8] = include_bytes!("../data/cucm-ITLFile.tlv");
const CTL: &[u8] = include_bytes!("../data/cucm-CTLFile-tokenless.tlv");
const NOW: u64 = 1_700_000_000;
/// The configuration the phones ask for.
const CONFIG: &str = "SEP0011215A1AE3.cnf.xml.sgn";

struct Setup {
    phones: Vec<Phone>,
    tvs: InMemoryTvs,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let cm = CertInfo::from_pem(include_bytes!("../data/callmanager-pub-cert.pem")).unwrap();
        let tls = CertInfo::from_pem(include_bytes!("../data/tvs-pub-cert.pem")).unwrap();
        let tvs = InMemoryTvs::new(vec![
            TvsServer::new("cucm-pub", tls).trust(cm.der(), &[Function::CcmTftp]),
        ]);
        let clock = ManualClock::new(NOW);
        let mut scratch = InMemoryTvs::unreachable();
        let fresh = Phone::new("SEP0011215A1AE3");
        let mut with_itl = fresh.clone();
        assert_eq!(
            with_itl.offer_trust_list("ITLFile.tlv", ITL, &mut scratch, &clock),
            Ok(Trust::FirstUse)
        );
        let mut with_both = fresh.clone();
        assert!(
            with_both
                .offer_trust_list("CTLFile.tlv", CTL, &mut scratch, &clock)
                .is_ok()
        );
        assert!(
            with_both
                .offer_trust_list("ITLFile.tlv", ITL, &mut scratch, &clock)
                .is_ok()
        );
        Setup {
            phones: vec![fresh, with_itl, with_both],
            tvs,
        }
    })
}

/// The installed list an acceptance names, and the functions its record
/// must carry.
fn named_record(phone: &Phone, trust: Trust) -> Option<(&[u8], usize, &'static [Function])> {
    const SAST: &[Function] = &[Function::Sast];
    const TFTP: &[Function] = &[Function::CcmTftp, Function::Tftp];
    match trust {
        Trust::CtlSast { record } => Some((phone.ctl()?, record, SAST)),
        Trust::CtlTftp { record } => Some((phone.ctl()?, record, TFTP)),
        Trust::ItlSast { record } => Some((phone.itl()?, record, SAST)),
        Trust::ItlTftp { record } => Some((phone.itl()?, record, TFTP)),
        Trust::InCtl { record } => Some((phone.ctl()?, record, &[])),
        Trust::InItl { record } => Some((phone.itl()?, record, &[])),
        _ => None,
    }
}

fn check_named(phone: &Phone, trust: Trust) {
    let is_named = !matches!(
        trust,
        Trust::FirstUse | Trust::BlankItl | Trust::Unsigned | Trust::Tvs { .. } | Trust::TvsCache
    );
    if !is_named {
        return;
    }
    let (bytes, index, functions) =
        named_record(phone, trust).expect("the list an acceptance names is installed");
    let list = TrustList::parse(bytes).expect("an installed list parses");
    let r = list.record(index).expect("the named record exists");
    if !functions.is_empty() {
        assert!(functions.iter().any(|f| r.has_function(*f)), "{trust:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let parsed = TrustList::parse(data);
    for base in &s.phones {
        let clock = ManualClock::new(NOW);

        // As a trust list.
        let mut phone = base.clone();
        let mut tvs = s.tvs.clone();
        // Asked for under the name of the kind the input claims to be, so
        // that the fuzzer reaches the trust rules.
        let name = match parsed.as_ref().map(|l| l.kind()) {
            Ok(ListKind::Ctl) => "CTLFile.tlv",
            _ => "ITLFile.tlv",
        };
        match phone.offer_trust_list(name, data, &mut tvs, &clock) {
            Ok(trust) => {
                let list = parsed.as_ref().expect("an accepted list parses");
                assert!(list.header().filename().to_ascii_lowercase().ends_with(".tlv"));
                assert!(!phone.is_locked());
                let (installed, other, other_before) = match list.kind() {
                    ListKind::Ctl => (phone.ctl(), phone.itl(), base.itl()),
                    ListKind::Itl => (phone.itl(), phone.ctl(), base.ctl()),
                };
                assert_eq!(installed, Some(data));
                assert_eq!(other, other_before);
                if trust == Trust::FirstUse {
                    assert!(list.verify_with_policy(&Default::default()).is_ok());
                } else {
                    // Judged against the lists installed before.
                    check_named(base, trust);
                }
            }
            Err(rejection) => {
                assert!(phone.is_locked());
                assert!(phone.status_message().is_some());
                assert_eq!(phone.ctl(), base.ctl());
                assert_eq!(phone.itl(), base.itl());
                match (&rejection, &parsed) {
                    (Rejection::Malformed(e), Err(p)) => assert_eq!(e, p),
                    (Rejection::Malformed(e), Ok(_)) => {
                        panic!("Malformed({e:?}) on a list that parses")
                    }
                    (Rejection::TooLarge { .. }, _) => {}
                    (_, Err(p)) => panic!("{rejection:?} on a list that does not parse ({p:?})"),
                    _ => {}
                }
                // A locked phone refuses every configuration.
                assert_eq!(
                    phone.offer_config(CONFIG, data, &clock),
                    Err(Rejection::Locked)
                );
            }
        }

        // As a signed configuration file.
        let sgn = SignedFile::parse(data);
        match base.offer_config(CONFIG, data, &clock) {
            Ok(trust) => {
                let signed = sgn.as_ref().expect("an accepted configuration parses");
                assert!(signed.header().filename().eq_ignore_ascii_case(CONFIG));
                if trust == Trust::Unsigned {
                    assert!(base.ctl().is_none() && base.itl().is_none());
                }
                check_named(base, trust);
            }
            Err(Rejection::Malformed(e)) => assert_eq!(sgn.err(), Some(e)),
            Err(Rejection::Locked) => panic!("an unlocked phone answered Locked"),
            Err(other) => assert!(sgn.is_ok(), "{other:?} on a file that does not parse"),
        }

        // As an HTTPS server's certificate.
        let mut phone = base.clone();
        let mut tvs = s.tvs.clone();
        if let Ok(trust) = phone.check_server_certificate(data, &mut tvs, &clock) {
            check_named(base, trust);
        }
        assert_eq!(phone.ctl(), base.ctl());
        assert_eq!(phone.itl(), base.itl());
        // TVS authentication never panics either.
        let _ = base.authenticate_tvs(data);
    }
});
