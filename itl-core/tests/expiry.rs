//! `itl expiry`'s rules: each record's certificate against a horizon, and
//! what renewing it is.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::cert::{CertInfo, iso8601};
use cisco_itl::expiry::{Renewal, Status, expiries};
use cisco_itl::{Function, TrustList};

#[test]
fn the_cucm_itl_expires_record_by_record() {
    let bytes = read("cucm-ITLFile.tlv");
    let list = TrustList::parse(&bytes).unwrap();
    let cm = cert("callmanager-pub.pem");
    let end = cm.not_after();
    assert_eq!(iso8601(end).as_deref(), Some("2031-03-09T16:59:43Z"));
    // Thirty days before the CallManager certificate expires.
    let now = end - 30 * 86_400;
    let all = expiries(&list, now, 60);
    assert_eq!(all.len(), list.records().count());
    let sast = all
        .iter()
        .find(|e| e.functions == [Function::Sast] && e.not_after == Some(end))
        .expect("the publisher's SAST record");
    assert_eq!(sast.days_left, Some(30));
    assert_eq!(sast.status, Status::Expiring);
    assert_eq!(sast.renewal, Renewal::CallManager("cucm-1051-a-pub".into()));
    assert_eq!(
        sast.renewal.to_string(),
        "regenerate CallManager on cucm-1051-a-pub (see: itl whatif regenerate-callmanager:cucm-1051-a-pub)"
    );
    // Records that hold only a hash (TVS, CAPF) have no known expiry.
    for e in all.iter().filter(|e| e.not_after.is_none()) {
        assert_eq!((e.status, e.days_left), (Status::Unknown, None));
    }
    assert!(all.iter().any(|e| e.status == Status::Unknown));
    // The same list with a shorter horizon, and after the end.
    assert!(
        expiries(&list, now, 10)
            .iter()
            .all(|e| e.status != Status::Expiring || e.days_left < Some(10))
    );
    let late = expiries(&list, end + 86_400, 60);
    let sast = late.iter().find(|e| e.record == sast.record).unwrap();
    assert_eq!((sast.status, sast.days_left), (Status::Expired, Some(-1)));
    assert_eq!(sast.status.as_str(), "expired");
}

#[test]
fn every_certificate_record_is_dated_from_its_certificate() {
    let bytes = read("cucm-CTLFile-tokenless.tlv");
    let list = TrustList::parse(&bytes).unwrap();
    for (e, r) in expiries(&list, 0, 60).iter().zip(list.records()) {
        let expected = r
            .certificate()
            .map(|der| CertInfo::from_der(der).unwrap().not_after());
        assert_eq!(e.not_after, expected, "record {}", e.record + 1);
        assert_eq!(e.subject, r.subject());
    }
}
