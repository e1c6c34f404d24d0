//! The batch verifier: results in input order, one per input; a key cache
//! that never changes an outcome; a bounded cache; the same answers in
//! parallel.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::verifier::Verifier;
use cisco_itl::verify::{Policy, TrustAnchor, VerifyError};
use cisco_itl::{DigestAlgorithm, Error, Function, ListKind, TrustList};

/// `n` distinct ITLs (different timestamps) signed by `signer_pem`.
fn lists(signer_pem: &str, n: u32) -> Vec<Vec<u8>> {
    let s = signer(signer_pem);
    (0..n)
        .map(|i| {
            TrustListBuilder::new(ListKind::Itl)
                .timestamp(1_700_000_000 + i)
                .digest(DigestAlgorithm::Sha256)
                .record(s.certificate().clone(), Function::Sast)
                .record(s.certificate().clone(), Function::Tftp)
                .sign(&s)
                .unwrap()
        })
        .collect()
}

/// What `TrustList::verify` says, as the verifier reports it.
fn reference(bytes: &[u8]) -> Result<cisco_itl::verify::Verified, Error> {
    Ok(TrustList::parse(bytes)?.verify()?)
}

fn mixed_inputs() -> Vec<Vec<u8>> {
    let mut inputs = lists("callmanager-pub.pem", 5);
    inputs.extend(lists("callmanager-pub-regenerated.pem", 5));
    let mut tampered = inputs[3].clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    inputs.insert(2, tampered);
    inputs.insert(0, Vec::new());
    inputs.push(read("bad-signature-byte.tlv"));
    inputs.push(read("cucm-ITLFile.tlv"));
    inputs
}

#[test]
fn results_are_in_input_order_and_match_verify() {
    let inputs = mixed_inputs();
    let verifier = Verifier::new();
    let results = verifier.verify_many(&inputs);
    assert_eq!(results.len(), inputs.len());
    for (bytes, got) in inputs.iter().zip(&results) {
        assert_eq!(*got, reference(bytes));
    }
    assert!(matches!(results[0], Err(Error::Parse(_))));
    assert!(matches!(
        results[3],
        Err(Error::Verify(VerifyError::BadSignature))
    ));
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 11);
}

#[test]
fn the_cache_keeps_one_key_per_signing_record_and_changes_no_outcome() {
    let verifier = Verifier::new();
    let good = lists("callmanager-pub.pem", 20);
    for bytes in &good {
        assert_eq!(verifier.verify(bytes), reference(bytes));
    }
    assert_eq!(verifier.cached_keys(), 1);
    // A file whose signing record is byte for byte a cached one, but whose
    // signature is wrong, still fails: the cache holds keys, not verdicts.
    let mut bad = good[7].clone();
    let at = TrustList::parse(&bad)
        .unwrap()
        .header()
        .signature_element()
        .offset
        + 3;
    bad[at] ^= 0x40;
    assert_eq!(
        verifier.verify(&bad),
        Err(Error::Verify(VerifyError::BadSignature))
    );
    // A record that lies about its key is never cached, and fails every time.
    let forged = read("bad-record-byte.tlv");
    for _ in 0..3 {
        assert_eq!(verifier.verify(&forged), reference(&forged));
        assert!(verifier.verify(&forged).is_err());
    }
    assert_eq!(verifier.cached_keys(), 1);
}

#[test]
fn the_cache_is_bounded() {
    let mut inputs = lists("callmanager-pub.pem", 3);
    inputs.extend(lists("callmanager-pub-regenerated.pem", 3));
    inputs.extend(lists("tvs-sub1.pem", 3));
    let verifier = Verifier::new().with_cache_limit(2);
    let results = verifier.verify_many(&inputs);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(verifier.cached_keys(), 2);
    let none = Verifier::new().with_cache_limit(0);
    assert!(none.verify_many(&inputs).iter().all(Result::is_ok));
    assert_eq!(none.cached_keys(), 0);
}

#[test]
fn trusting_anchors_verifies_against_them_only() {
    let cm = signer("callmanager-pub.pem");
    let anchor = TrustAnchor::from_certificate(cm.certificate()).unwrap();
    let verifier = Verifier::new().trusting(vec![anchor]);
    let mut inputs = lists("callmanager-pub.pem", 3);
    inputs.extend(lists("callmanager-pub-regenerated.pem", 2));
    let results = verifier.verify_many(&inputs);
    assert!(results[..3].iter().all(Result::is_ok));
    assert!(
        results[3..]
            .iter()
            .all(|r| matches!(r, Err(Error::Verify(VerifyError::UntrustedSigner))))
    );
    // The strict policy refuses the 1024-bit CallManager key.
    let strict = Verifier::new().with_policy(Policy::strict());
    assert!(matches!(
        strict.verify(&inputs[0]),
        Err(Error::Verify(VerifyError::WeakKey { bits: 1024, .. }))
    ));
}

#[cfg(feature = "parallel")]
#[test]
fn parallel_results_equal_sequential_ones() {
    let inputs: Vec<Vec<u8>> = (0..8).flat_map(|_| mixed_inputs()).collect();
    let sequential = Verifier::new().verify_many(&inputs);
    for threads in [0, 2, 3] {
        let verifier = Verifier::new().threads(threads);
        assert_eq!(
            verifier.verify_many(&inputs),
            sequential,
            "{threads} threads"
        );
        // Two signing records: the builder writes CallManager's SAST record
        // byte for byte as CUCM's ITL does.
        assert_eq!(verifier.cached_keys(), 2);
    }
}

#[test]
fn a_verifier_is_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Verifier>();
    let verifier = Verifier::new();
    let inputs = lists("callmanager-pub.pem", 4);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert!(verifier.verify_many(&inputs).iter().all(Result::is_ok)));
        }
    });
    assert_eq!(verifier.cached_keys(), 1);
}

/// An ITL signed by `signer_pem` whose signing (SAST) record carries a
/// DNSNAME of `padding` bytes, so that record is `padding` bytes bigger
/// and differs from every other with another `tag`; its signature is
/// flipped when `junk`.
fn padded(signer_pem: &str, tag: u32, padding: usize, junk: bool) -> Vec<u8> {
    use cisco_itl::build::RecordSpec;
    let s = signer(signer_pem);
    let mut sast = RecordSpec::new(s.certificate().clone(), Function::Sast);
    let name = format!("{tag:08}");
    sast.dns_name = Some(name.repeat(padding / name.len()));
    let mut bytes = TrustListBuilder::new(ListKind::Itl)
        .timestamp(1_700_000_000)
        .record_spec(sast)
        .record(s.certificate().clone(), Function::Tftp)
        .sign(&s)
        .unwrap();
    if junk {
        let at = TrustList::parse(&bytes)
            .unwrap()
            .header()
            .signature_element()
            .offset
            + 3;
        bytes[at] ^= 0x40;
    }
    bytes
}

#[test]
fn lists_whose_signature_fails_leave_no_key_cached() {
    // Junk lists, each with a signing record of its own near the 64 KiB a
    // record can reach, that decode and name a good key but whose
    // signature fails: before, each one pinned its record in the cache.
    let junk: Vec<Vec<u8>> = (0..24)
        .map(|i| padded("callmanager-pub.pem", i, 60_000, true))
        .collect();
    let verifier = Verifier::new();
    for (bytes, result) in junk.iter().zip(verifier.verify_many(&junk)) {
        assert_eq!(result, Err(Error::Verify(VerifyError::BadSignature)));
        assert_eq!(result, reference(bytes));
    }
    assert_eq!(verifier.cached_keys(), 0);
    assert_eq!(verifier.cached_bytes(), 0);
    // The same record in a list that verifies is then remembered, once.
    let good = padded("callmanager-pub.pem", 3, 60_000, false);
    assert!(verifier.verify(&good).is_ok());
    assert_eq!(verifier.cached_keys(), 1);
    assert!(verifier.cached_bytes() > 60_000);
    // And a junk list reusing it still fails: the cache holds keys, not
    // verdicts.
    assert_eq!(
        verifier.verify(&junk[3]),
        Err(Error::Verify(VerifyError::BadSignature))
    );
    assert_eq!(verifier.cached_keys(), 1);
}

#[test]
fn the_cache_is_bounded_by_bytes() {
    // Lists that verify, each signing record about 20 KB: a 50,000-byte
    // budget holds two of them, whatever the entry limit.
    let inputs: Vec<Vec<u8>> = (0..6)
        .map(|i| padded("callmanager-pub.pem", i, 20_000, false))
        .collect();
    let verifier = Verifier::new().with_cache_bytes(50_000);
    assert!(verifier.verify_many(&inputs).iter().all(Result::is_ok));
    assert_eq!(verifier.cached_keys(), 2);
    assert!(verifier.cached_bytes() > 40_000);
    assert!(verifier.cached_bytes() <= 50_000);
    // Outcomes do not depend on the budget.
    let none = Verifier::new().with_cache_bytes(0);
    assert_eq!(none.verify_many(&inputs), verifier.verify_many(&inputs));
    assert_eq!((none.cached_keys(), none.cached_bytes()), (0, 0));
    // The default budget keeps the real lists' small records.
    let small = Verifier::new();
    assert!(
        small
            .verify_many(&lists("tvs-sub1.pem", 3))
            .iter()
            .all(Result::is_ok)
    );
    assert_eq!(small.cached_keys(), 1);
    assert!(small.cached_bytes() < 4096);
    assert_eq!(
        cisco_itl::verifier::DEFAULT_CACHE_BYTES,
        8 * 1024 * 1024,
        "the documented default"
    );
}
