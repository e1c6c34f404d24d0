//! Fuzz target `resign`: any list that parses, copied into the owned form
//! and signed again (with the CUCM CallManager test key), must give a file
//! that parses, keeps the records and the header's names byte for byte,
//! and verifies with that key.
//!
//! This checks the writer and the signer on headers CUCM never writes
//! (unknown or misplaced elements, odd padding, foreign signature sizes).
//! Each input costs one RSA-1024 signature, so it runs far fewer inputs
//! per second than the other targets.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use cisco_itl::key::Signer;
use cisco_itl::verify::{Policy, TrustAnchor};
use cisco_itl::write::TrustListBuf;
use cisco_itl::{DigestAlgorithm, TrustList};
use libfuzzer_sys::fuzz_target;

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        Signer::from_pem(include_bytes!("../data/callmanager-pub-key-and-cert.pem"))
            .expect("test identity")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(list) = TrustList::parse(data) else {
        return;
    };
    let digest = match list.header().digest() {
        DigestAlgorithm::Unknown(_) => DigestAlgorithm::Sha1,
        known => known,
    };
    let signer = signer();
    let mut owned = TrustListBuf::from_view(&list);
    let out = owned
        .sign(signer.key(), digest)
        .expect("a parsed list can be signed");
    assert_eq!(
        owned.to_bytes().expect("writes"),
        out,
        "sign's output is not the signed form's bytes"
    );
    let again = TrustList::parse(&out).expect("the signed list parses");

    // Records and names are kept; digest, algorithm and modulus follow the key.
    assert!(
        list.records()
            .map(|r| r.as_bytes())
            .eq(again.records().map(|r| r.as_bytes()))
    );
    let (a, b) = (list.header(), again.header());
    assert_eq!(a.signer_name(), b.signer_name());
    assert_eq!(a.signer_serial(), b.signer_serial());
    assert_eq!(a.ca_name(), b.ca_name());
    assert_eq!(a.filename(), b.filename());
    assert_eq!(a.timestamp(), b.timestamp());
    assert_eq!(a.version(), b.version());
    assert_eq!(b.digest(), digest);
    assert_eq!(b.signature_algorithm(), 0);
    assert_eq!(b.modulus(), signer.key().modulus());
    assert_eq!(b.signature().len(), signer.key().signature_len());
    assert_eq!(
        b.length() % 4,
        0,
        "a signed header is padded to a multiple of 4"
    );

    // It verifies with the key that signed it.
    let anchor = TrustAnchor {
        key: cisco_itl::verify::VerifyingKey::from_certificate(signer.certificate()).expect("RSA key"),
        serial: b.signer_serial().to_vec(),
        issuers: vec![b.ca_name().into()],
        subjects: vec![b.signer_name().into()],
    };
    again
        .verify_with(&[anchor], &Policy::default())
        .expect("the re-signed list verifies with the signing key");

    // Signing is deterministic: signing the result again changes nothing.
    let mut twice = TrustListBuf::from_view(&again);
    assert_eq!(twice.sign(signer.key(), digest).expect("signs"), out);
});
