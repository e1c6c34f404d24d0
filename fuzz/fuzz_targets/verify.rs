//! Fuzz target `verify`: parse, then verify with the default and the strict
//! policy, then render as `show itl` does. Nothing may panic; a successful
//! verification must name an existing SAST record matching the header's
//! signer, respect the policy, and agree with the other verification entry
//! points and with `show::render`.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::show::{Outcome, render};
use cisco_itl::verify::{Policy, TrustAnchor};
use cisco_itl::{DigestAlgorithm, Function, TrustList};
use libfuzzer_sys::fuzz_target;

fn check_ok(list: &TrustList<'_>, v: &cisco_itl::verify::Verified, policy: &Policy) {
    let index = v.signer_index.expect("self-verification names its signer");
    let record = list.record(index).expect("the signer record exists");
    assert!(
        record.has_function(Function::Sast),
        "signer record is not SAST"
    );
    let h = list.header();
    assert!(record.matches_signer(h.signer_serial(), h.ca_name()));
    assert_eq!(list.signer_record().map(|(i, _)| i), Some(index));
    assert!(v.key_bits >= policy.min_key_bits);
    assert_eq!(v.digest, h.digest());
    assert!(!matches!(v.digest, DigestAlgorithm::Unknown(_)));
    if !policy.allow_sha1 {
        assert_ne!(v.digest, DigestAlgorithm::Sha1);
    }
}

fuzz_target!(|data: &[u8]| {
    let rendered = render(data, None);
    let list = match TrustList::parse(data) {
        Ok(l) => l,
        Err(e) => {
            assert_eq!(rendered.outcome, Outcome::ParseFailed(e));
            return;
        }
    };
    let default = Policy::default();
    let strict = Policy::strict();
    let loose = list.verify();
    assert_eq!(list.verify_with_policy(&default), loose);
    match &rendered.outcome {
        Outcome::Verified(v) => assert_eq!(Ok(*v), loose),
        Outcome::VerificationFailed(e) => assert_eq!(Err(e.clone()), loose),
        Outcome::ParseFailed(e) => panic!("render failed to parse a list that parses: {e:?}"),
    }
    if let Ok(v) = &loose {
        check_ok(&list, v, &default);
        // The same key, given as a trust anchor or as the list itself,
        // verifies it too.
        let (_, signer) = list.signer_record().expect("checked above");
        let anchor = TrustAnchor::from_record(&signer).expect("the signer's key was read");
        let with = list
            .verify_with(&[anchor], &default)
            .expect("anchor verifies");
        assert_eq!(with.anchor_index, Some(0));
        assert_eq!(with.key_bits, v.key_bits);
        let (i, _) = list
            .verify_with_list(&list, &[Function::Sast], &default)
            .expect("a list verifies against itself");
        assert_eq!(Some(i), v.signer_index);
    }
    let strict_result = list.verify_with_policy(&strict);
    if let Ok(v) = &strict_result {
        check_ok(&list, v, &strict);
        // Whatever the strict policy accepts, the default accepts.
        assert_eq!(
            loose.as_ref().ok().map(|l| l.signer_index),
            Some(v.signer_index)
        );
    }
});
