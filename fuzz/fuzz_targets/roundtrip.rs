//! Fuzz target `roundtrip`: a list that parses must be written back to the
//! identical bytes by the owned form, and re-parsing the output must give
//! the same header fields and records.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::TrustList;
use cisco_itl::write::{HeaderBuf, TrustListBuf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(list) = TrustList::parse(data) else {
        return;
    };
    let owned = TrustListBuf::from_view(&list);
    assert_eq!(owned.records.len(), list.len());
    let out = owned.to_bytes().expect("a parsed list must be writable");
    assert!(
        out == data,
        "write(parse(x)) != x ({} vs {} bytes)",
        out.len(),
        data.len()
    );

    // The header alone writes back to its bytes, and the writer finds the
    // same SIGNATURE element as the parser (signing relies on it).
    let h = list.header();
    let written = HeaderBuf::from_view(h).write().expect("header writable");
    assert!(
        written.bytes == h.as_bytes(),
        "header bytes differ after writing"
    );
    assert_eq!(
        written.signature_offset,
        Some(h.signature_element().offset),
        "writer and parser disagree on where SIGNATURE is"
    );
    // The owned header's lookup (which `set_signature` and so signing
    // use) finds the same SIGNATURE value as the parser.
    assert_eq!(
        HeaderBuf::from_view(h).get(cisco_itl::tag::header::SIGNATURE),
        Some(h.signature()),
        "HeaderBuf::get(SIGNATURE) is not the header's signature"
    );

    let again = TrustList::parse(&out).expect("the written list must parse");
    let (a, b) = (list.header(), again.header());
    assert_eq!(a.version(), b.version());
    assert_eq!(a.length(), b.length());
    assert_eq!(a.signer_version(), b.signer_version());
    assert_eq!(a.signer_name(), b.signer_name());
    assert_eq!(a.signer_serial(), b.signer_serial());
    assert_eq!(a.ca_name(), b.ca_name());
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.signature_algorithm(), b.signature_algorithm());
    assert_eq!(a.modulus(), b.modulus());
    assert_eq!(a.signature(), b.signature());
    assert_eq!(a.filename(), b.filename());
    assert_eq!(a.timestamp(), b.timestamp());
    assert_eq!(list.len(), again.len());
    assert!(list.records().eq(again.records()));
    // A second round trip is stable too.
    assert_eq!(TrustListBuf::from_view(&again), owned);
});
