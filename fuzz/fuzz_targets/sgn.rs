//! Fuzz target `sgn`: `SignedFile::parse` on arbitrary bytes, then
//! verification against the CUCM CallManager and peer certificates and
//! against the CUCM ITL's TFTP records.
//!
//! A parsed file must agree with its bytes (header then payload, the owned
//! header writing back to the same bytes), errors must point inside the
//! input, and a successful verification must name the certificate the
//! header names and respect the policy.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use cisco_itl::cert::CertInfo;
use cisco_itl::signed_file::SignedFile;
use cisco_itl::verify::{Policy, Verified};
use cisco_itl::write::HeaderBuf;
use cisco_itl::{Function, TrustList};
use itl_fuzz::check_parse_error;
use libfuzzer_sys::fuzz_target;

const ITL: &[u8] = include_bytes!("../data/cucm-ITLFile.tlv");

fn certs() -> &'static [CertInfo] {
    static CERTS: OnceLock<Vec<CertInfo>> = OnceLock::new();
    CERTS.get_or_init(|| {
        [
            &include_bytes!("../data/callmanager-pub-cert.pem")[..],
            &include_bytes!("../data/peer-asterisk-cert.pem")[..],
        ]
        .iter()
        .map(|pem| CertInfo::from_pem(pem).expect("test certificate"))
        .collect()
    })
}

fn check_verified(sgn: &SignedFile<'_>, v: &Verified, policy: &Policy) {
    assert!(v.key_bits >= policy.min_key_bits);
    assert_eq!(v.digest, sgn.header().digest());
    if !policy.allow_sha1 {
        assert_ne!(v.digest, cisco_itl::DigestAlgorithm::Sha1);
    }
}

fuzz_target!(|data: &[u8]| {
    let sgn = match SignedFile::parse(data) {
        Ok(s) => s,
        Err(e) => {
            check_parse_error(&e, data);
            // A trust list is a signed file with records for a payload.
            assert!(TrustList::parse(data).is_err());
            return;
        }
    };
    let h = sgn.header();
    let hl = h.length();
    assert!(hl > 0 && hl <= data.len());
    assert_eq!(sgn.as_bytes(), data);
    assert_eq!(h.as_bytes(), &data[..hl]);
    assert_eq!(sgn.payload(), &data[hl..]);
    let sig = h.signature_element();
    let [before, after] = sgn.signed_parts();
    assert_eq!(before, &data[..sig.offset]);
    assert_eq!(after, &data[sig.offset + sig.encoded_len()..]);
    if let Ok(list) = TrustList::parse(data) {
        assert_eq!(list.header(), h);
    }

    // The owned header writes back to the same bytes, SIGNATURE where the
    // parser found it.
    let written = HeaderBuf::from_view(h).write().expect("header writable");
    assert!(
        written.bytes == h.as_bytes(),
        "header bytes differ after writing"
    );
    assert_eq!(written.signature_offset, Some(sig.offset));

    for policy in [Policy::default(), Policy::strict()] {
        for cert in certs() {
            if let Ok(v) = sgn.verify_with_certificate(cert, &policy) {
                assert_eq!(cert.serial(), h.signer_serial());
                check_verified(&sgn, &v, &policy);
            }
        }
        let list = TrustList::parse(ITL).expect("the CUCM ITL parses");
        let tftp = [Function::CcmTftp, Function::Tftp];
        if let Ok((i, v)) = sgn.verify_with_list(&list, &tftp, &policy) {
            let r = list.record(i).expect("the verifying record exists");
            assert!(tftp.iter().any(|f| r.has_function(*f)));
            assert!(r.matches_signer(h.signer_serial(), h.ca_name()));
            check_verified(&sgn, &v, &policy);
        }
    }
});
