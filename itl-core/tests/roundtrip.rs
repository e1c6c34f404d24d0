//! Lossless writing and deterministic signing: every vector written back
//! byte for byte, every vector re-signed by its own key byte for byte, and
//! signing with each digest and key size.
#![cfg(test)]

use std::path::PathBuf;

use cisco_itl::cert::{CertInfo, NameStyle};
use cisco_itl::key::{KeyError, Signer, SigningKey};
use cisco_itl::tag::record as rt;
use cisco_itl::tlv::Item;
use cisco_itl::verify::{Policy, TrustAnchor, VerifyError};
use cisco_itl::write::{ElementBuf, HeaderBuf, RecordBuf, TrustListBuf};
use cisco_itl::{DigestAlgorithm, Function, Header, SignatureModulus, TrustList};

mod common;
use common::{DIGESTS, V as VECTORS};

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(VECTORS).join(name)).unwrap()
}

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(VECTORS).join("keys").join(name)).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from("tests/data").join(name)).unwrap()
}

fn signer(name: &str) -> Signer {
    Signer::from_pem(&key_file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every good trust list, the key file that signed it, the name style of
/// its header, and the index of its signing record.
const GOOD: [(&str, &str, NameStyle, usize); 9] = [
    (
        "cucm-ITLFile.tlv",
        "callmanager-pub.pem",
        NameStyle::Cucm,
        0,
    ),
    (
        "cucm-ITLFile-rollback.tlv",
        "callmanager-pub.pem",
        NameStyle::Cucm,
        0,
    ),
    (
        "cucm-ITLFile-regen-callmanager.tlv",
        "callmanager-pub-regenerated.pem",
        NameStyle::Cucm,
        0,
    ),
    (
        "cucm-ITLFile-reset.tlv",
        "itlrecovery.pem",
        NameStyle::Cucm,
        4,
    ),
    (
        "cucm-CTLFile-tokenless.tlv",
        "callmanager-pub.pem",
        NameStyle::Cucm,
        0,
    ),
    ("cucm-CTLFile-etoken.tlv", "etoken2.pem", NameStyle::Cucm, 1),
    ("peer-CTLFile.tlv", "peer-sast.pem", NameStyle::Comma, 0),
    (
        "peer-ITLFile-sha1.tlv",
        "peer-sast.pem",
        NameStyle::Comma,
        0,
    ),
    (
        "peer-ITLFile-sha512-v1.1.tlv",
        "peer-sast.pem",
        NameStyle::Comma,
        0,
    ),
];

fn all_vector_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(VECTORS)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tlv") || n.ends_with(".sgn"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_parsing_vector_writes_back_identically() {
    let mut parsed = Vec::new();
    for name in all_vector_names() {
        let bytes = vector(&name);
        // Headers alone, .sgn files included.
        if let Ok(h) = Header::parse(&bytes) {
            let w = HeaderBuf::from_view(&h).write().unwrap();
            assert_eq!(w.bytes, h.as_bytes(), "{name}: header");
            assert_eq!(
                w.signature_offset,
                Some(h.signature_element().offset),
                "{name}: signature offset"
            );
        }
        let Ok(list) = TrustList::parse(&bytes) else {
            continue;
        };
        let owned = TrustListBuf::from_view(&list);
        assert_eq!(owned.records.len(), list.len(), "{name}");
        assert_eq!(owned.to_bytes().unwrap(), bytes, "{name}: written back");
        for (r, rb) in list.records().zip(&owned.records) {
            let mut out = Vec::new();
            rb.write_to(&mut out).unwrap();
            assert_eq!(out, r.as_bytes(), "{name}: record at {}", r.offset());
            assert_eq!(rb.encoded_len(), r.length(), "{name}");
        }
        parsed.push(name);
    }
    let mut expected: Vec<String> = GOOD.iter().map(|g| g.0.to_owned()).collect();
    expected.push("bad-record-byte.tlv".into());
    expected.push("bad-signature-byte.tlv".into());
    expected.sort();
    assert_eq!(parsed, expected, "the vectors that parse as trust lists");
}

#[test]
fn every_good_vector_resigns_identically_with_its_own_key() {
    for (name, key, style, index) in GOOD {
        let bytes = vector(name);
        let list = TrustList::parse(&bytes).unwrap();
        let signer = signer(key);
        // The key file's certificate is the signing record's.
        let (i, record) = list.signer_record().unwrap();
        assert_eq!(i, index, "{name}");
        assert_eq!(
            record.certificate(),
            Some(signer.certificate().der()),
            "{name}"
        );

        let mut owned = TrustListBuf::from_view(&list);
        let out = owned
            .sign_as(&signer, list.header().digest(), style)
            .unwrap();
        assert_eq!(out, bytes, "{name} re-signed with {key} ({style:?})");
        assert_eq!(
            owned.to_bytes().unwrap(),
            bytes,
            "{name}: the buffer holds it"
        );

        // The same without renaming the signer.
        let mut owned = TrustListBuf::from_view(&list);
        let out = owned.sign(signer.key(), list.header().digest()).unwrap();
        assert_eq!(out, bytes, "{name}: sign()");
    }
}

#[test]
fn resigning_with_the_other_name_style_changes_only_the_names() {
    // The CUCM vector re-signed with comma names: the header's names
    // change, so no record matches the signer (serial and issuer) and
    // verify() finds none; against the certificate itself it verifies.
    let bytes = vector("cucm-ITLFile.tlv");
    let list = TrustList::parse(&bytes).unwrap();
    let mut owned = TrustListBuf::from_view(&list);
    let out = owned
        .sign_as(
            &signer("callmanager-pub.pem"),
            DigestAlgorithm::Sha1,
            NameStyle::Comma,
        )
        .unwrap();
    let l = TrustList::parse(&out).unwrap();
    assert_eq!(
        l.header().signer_name(),
        "C=PL,ST=Malopolska,L=Krakow,O=Cisco,OU=TAC,CN=cucm-1051-a-pub"
    );
    assert_eq!(l.header().ca_name(), l.header().signer_name());
    assert_eq!(l.header().signer_serial(), list.header().signer_serial());
    assert_eq!(l.signer_record(), None);
    assert_eq!(l.verify().unwrap_err(), VerifyError::NoSignerRecord);
    // Against the certificate directly it verifies.
    let anchor =
        TrustAnchor::from_certificate(signer("callmanager-pub.pem").certificate()).unwrap();
    let v = l.verify_with(&[anchor], &Policy::default()).unwrap();
    assert_eq!((v.anchor_index, v.signer_index), (Some(0), None));
    // The records are untouched.
    assert_eq!(
        &out[l.header().length()..],
        &bytes[list.header().length()..]
    );
}

#[test]
fn every_digest_signs_verifies_and_writes_back() {
    for (name, key, style, index) in GOOD {
        let bytes = vector(name);
        let list = TrustList::parse(&bytes).unwrap();
        let signer = signer(key);
        let body = &bytes[list.header().length()..];
        for digest in DIGESTS {
            let mut owned = TrustListBuf::from_view(&list);
            let out = owned.sign_as(&signer, digest, style).unwrap();
            let l = TrustList::parse(&out).unwrap_or_else(|e| panic!("{name} {digest}: {e}"));
            let h = l.header();
            assert_eq!(h.digest(), digest, "{name} {digest}");
            assert_eq!(h.signature().len(), signer.key().signature_len(), "{name}");
            assert_eq!(h.modulus(), signer.key().modulus(), "{name}");
            assert_eq!(
                h.length(),
                list.header().length(),
                "{name}: same header size"
            );
            assert_eq!(&out[h.length()..], body, "{name}: records untouched");
            let v = l
                .verify()
                .unwrap_or_else(|e| panic!("{name} {digest}: {e}"));
            assert_eq!(v.digest, digest, "{name}");
            assert_eq!(v.signer_index, Some(index), "{name}");
            assert_eq!(v.key_bits, signer.key().bits(), "{name}");
            assert_eq!(
                TrustListBuf::from_view(&l).to_bytes().unwrap(),
                out,
                "{name} {digest}: written back"
            );
            // Back to the file's own digest: the original bytes again.
            let mut again = TrustListBuf::from_view(&l);
            let back = again
                .sign_as(&signer, list.header().digest(), style)
                .unwrap();
            assert_eq!(back, bytes, "{name}: {digest} then back");
        }
    }
}

/// The SAST record CUCM writes for a certificate (ITL layout).
fn sast_record(cert: &CertInfo) -> RecordBuf {
    RecordBuf {
        elements: vec![
            ElementBuf::new(rt::RECORD_LENGTH, [0, 0]),
            ElementBuf::new(rt::DNS_NAME, [0, 0]),
            ElementBuf::text(rt::SUBJECT_NAME, &cert.subject(NameStyle::Cucm).unwrap()),
            ElementBuf::new(rt::FUNCTION, Function::Sast.code().to_be_bytes()),
            ElementBuf::text(rt::ISSUER_NAME, &cert.issuer(NameStyle::Cucm).unwrap()),
            ElementBuf::new(rt::SERIAL_NUMBER, cert.serial()),
            ElementBuf::new(rt::PUBLIC_KEY, cert.public_key_bytes()),
            ElementBuf::new(rt::SIGNATURE, cert.signature_bytes()),
            ElementBuf::new(rt::CERTIFICATE, cert.der()),
        ],
    }
}

/// A rollback-style ITL (header and one SAST record) for `signer`.
fn own_itl(signer: &Signer) -> TrustListBuf {
    let template = vector("cucm-ITLFile-rollback.tlv");
    let list = TrustList::parse(&template).unwrap();
    TrustListBuf {
        header: HeaderBuf::from_view(list.header()),
        records: vec![sast_record(signer.certificate())],
    }
}

#[test]
fn the_rollback_record_is_what_sast_record_builds() {
    // The builder above matches CUCM's record byte for byte, so the
    // key-size test below signs realistic files.
    let bytes = vector("cucm-ITLFile-rollback.tlv");
    let list = TrustList::parse(&bytes).unwrap();
    let s = signer("callmanager-pub.pem");
    let mut out = Vec::new();
    sast_record(s.certificate()).write_to(&mut out).unwrap();
    assert_eq!(out, list.record(0).unwrap().as_bytes());
    let mut owned = own_itl(&s);
    assert_eq!(
        owned
            .sign_as(&s, DigestAlgorithm::Sha1, NameStyle::Cucm)
            .unwrap(),
        bytes
    );
}

#[test]
fn key_size_sets_modulus_and_signature_length() {
    let signers: [(&str, Signer, u8, usize); 5] = [
        ("callmanager-pub.pem", signer("callmanager-pub.pem"), 1, 128),
        ("etoken1.pem", signer("etoken1.pem"), 1, 128),
        (
            "callmanager-pub-regenerated.pem",
            signer("callmanager-pub-regenerated.pem"),
            2,
            256,
        ),
        (
            "tests/data/rsa2048-pkcs8.pem",
            Signer::from_pem(&fixture("rsa2048-pkcs8.pem")).unwrap(),
            2,
            256,
        ),
        (
            "tests/data/rsa4096-pkcs1.pem",
            Signer::from_pem(&fixture("rsa4096-pkcs1.pem")).unwrap(),
            3,
            512,
        ),
    ];
    for (what, signer, code, sig_len) in &signers {
        assert_eq!(signer.key().bits(), sig_len * 8, "{what}");
        assert_eq!(signer.key().modulus(), SignatureModulus(*code), "{what}");
        assert_eq!(signer.key().signature_len(), *sig_len, "{what}");
        for digest in DIGESTS {
            let mut owned = own_itl(signer);
            let out = owned.sign_as(signer, digest, NameStyle::Cucm).unwrap();
            let l = TrustList::parse(&out).unwrap();
            let h = l.header();
            assert_eq!(h.modulus(), SignatureModulus(*code), "{what} {digest}");
            assert_eq!(h.modulus().key_bits(), Some(sig_len * 8), "{what}");
            assert_eq!(h.signature().len(), *sig_len, "{what} {digest}");
            assert_eq!(h.signature_element().encoded_len(), 3 + sig_len, "{what}");
            assert_eq!(h.length() % 4, 0, "{what}: padded");
            assert_eq!(h.signature_algorithm(), 0, "{what}");
            assert_eq!(h.digest(), digest, "{what}");
            assert_eq!(h.filename(), "ITLFile.tlv", "{what}");
            assert_eq!(h.signer_serial(), signer.certificate().serial(), "{what}");
            assert_eq!(
                h.signer_name(),
                signer.certificate().subject(NameStyle::Cucm).unwrap(),
                "{what}"
            );
            let v = l
                .verify()
                .unwrap_or_else(|e| panic!("{what} {digest}: {e}"));
            assert_eq!(
                (v.signer_index, v.digest, v.key_bits),
                (Some(0), digest, sig_len * 8),
                "{what}"
            );
            assert_eq!(
                TrustListBuf::from_view(&l).to_bytes().unwrap(),
                out,
                "{what}"
            );
        }
    }
}

#[test]
fn the_header_grows_with_the_signature() {
    // Same content, signed by a 1024- then a 4096-bit key: without its
    // padding the header grows by the 384 extra signature bytes plus the
    // difference in the signer's names and serial; HEADERLENGTH follows.
    let small = signer("callmanager-pub.pem");
    let big = Signer::from_pem(&fixture("rsa4096-pkcs1.pem")).unwrap();
    let out_a = own_itl(&small)
        .sign_as(&small, DigestAlgorithm::Sha256, NameStyle::Cucm)
        .unwrap();
    let out_b = own_itl(&small)
        .sign_as(&big, DigestAlgorithm::Sha256, NameStyle::Cucm)
        .unwrap();
    let (la, lb) = (
        TrustList::parse(&out_a).unwrap(),
        TrustList::parse(&out_b).unwrap(),
    );
    let unpadded = |l: &TrustList<'_>| {
        let pad = l
            .header()
            .items()
            .filter(|i| matches!(i, Item::Padding(_)))
            .count();
        assert!(pad < 4);
        assert_eq!(l.header().length() % 4, 0);
        l.header().length() - pad
    };
    let names = |s: &Signer| {
        let c = s.certificate();
        c.subject(NameStyle::Cucm).unwrap().len()
            + c.issuer(NameStyle::Cucm).unwrap().len()
            + c.serial().len()
    };
    assert_eq!(
        unpadded(&lb) + names(&small),
        unpadded(&la) + 384 + names(&big)
    );
    // Same records.
    assert_eq!(
        &out_a[la.header().length()..],
        &out_b[lb.header().length()..]
    );
    // The list signed by the big key holds only the small key's record, so
    // it does not verify against its own records…
    assert_eq!(lb.verify().unwrap_err(), VerifyError::NoSignerRecord);
    // …but does against the big certificate, even under the strict policy.
    let anchor = TrustAnchor::from_certificate(big.certificate()).unwrap();
    let v = lb.verify_with(&[anchor], &Policy::strict()).unwrap();
    assert_eq!(
        (v.key_bits, v.anchor_index, v.digest),
        (4096, Some(0), DigestAlgorithm::Sha256)
    );
}

#[test]
fn pkcs8_and_pkcs1_keys_load() {
    let pkcs8 = fixture("rsa2048-pkcs8.pem");
    let blocks = cisco_itl::pem::blocks(&pkcs8).unwrap();
    let labels: Vec<&str> = blocks.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["PRIVATE KEY", "CERTIFICATE"]);
    let from_pem = SigningKey::from_pem(&pkcs8).unwrap();
    let from_der = SigningKey::from_der(&blocks[0].der).unwrap();
    assert_eq!(from_pem.bits(), 2048);
    assert_eq!(from_der.bits(), 2048);
    assert_eq!(from_pem.rsa(), from_der.rsa());
    assert_eq!(
        SigningKey::from_pem_or_der(&blocks[0].der).unwrap().rsa(),
        from_pem.rsa()
    );
    let s = Signer::from_pem(&pkcs8).unwrap();
    assert_eq!(
        s.certificate().subject(NameStyle::Cucm).unwrap(),
        "CN=itl-core-test-pkcs8;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL"
    );
    assert_eq!(s.certificate().serial(), [0x7a, 0x20, 0x48]);

    let pkcs1 = fixture("rsa4096-pkcs1.pem");
    let blocks = cisco_itl::pem::blocks(&pkcs1).unwrap();
    let labels: Vec<&str> = blocks.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["RSA PRIVATE KEY", "CERTIFICATE"]);
    let k = SigningKey::from_der(&blocks[0].der).unwrap();
    assert_eq!(
        (k.bits(), k.modulus(), k.signature_len()),
        (4096, SignatureModulus(3), 512)
    );
    let s = Signer::from_pem(&pkcs1).unwrap();
    assert_eq!(
        s.certificate().serial(),
        [
            0x40, 0x96, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
            0x66
        ]
    );

    // A key with the wrong certificate is refused.
    let mut mixed = blocks_text(&pkcs8, "PRIVATE KEY");
    mixed.extend(blocks_text(&pkcs1, "CERTIFICATE"));
    assert_eq!(
        Signer::from_pem(&mixed).unwrap_err(),
        KeyError::CertificateMismatch
    );
}

/// The PEM text of the block with `label`.
fn blocks_text(pem: &[u8], label: &str) -> Vec<u8> {
    let text = std::str::from_utf8(pem).unwrap();
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).unwrap();
    let stop = text[start..].find(&end).unwrap() + start + end.len();
    let mut out = pem[start..stop].to_vec();
    out.push(b'\n');
    out
}

// Unknown elements in the header. The header docs say unknown elements are
// "accepted and kept", and `write` promises identical bytes for whatever
// parses. The parser ignores unknown tags inside SIGNERID / SIGNATUREINFO
// / SIGNATUREALGOINFO and at the top level, but `HeaderItem::from_element`
// (src/write.rs) turns *every* element tagged 3, 7 or 9 into a container,
// wherever it stands, dropping a value that is not an element sequence;
// and `HeaderItem::write` rewrites *every* element tagged 2 with the
// header length, inside containers too. These three tests show each case.

/// `cucm-ITLFile.tlv` with `extra` appended inside its SIGNERID container
/// (`in_signer_id`) or after its TIMESTAMP, every length fixed.
fn with_header_element(in_signer_id: bool, extra: &[u8]) -> Vec<u8> {
    let file = vector("cucm-ITLFile.tlv");
    let list = TrustList::parse(&file).unwrap();
    let h = list.header();
    let items: Vec<_> = h.items().collect();
    let find = |tag: u8| {
        items
            .iter()
            .find_map(|i| match i {
                Item::Element(e) if e.tag.0 == tag => Some(*e),
                _ => None,
            })
            .unwrap()
    };
    let at = if in_signer_id {
        let signer_id = find(3);
        signer_id.offset + signer_id.encoded_len()
    } else {
        let ts = find(15);
        ts.offset + ts.encoded_len()
    };
    let mut out = file[..at].to_vec();
    out.extend_from_slice(extra);
    out.extend_from_slice(&file[at..]);
    let grow = |out: &mut Vec<u8>, len_at: usize| {
        let n = u16::from_be_bytes([out[len_at], out[len_at + 1]])
            + u16::try_from(extra.len()).unwrap();
        out[len_at..len_at + 2].copy_from_slice(&n.to_be_bytes());
    };
    // HEADERLENGTH's value sits at 8 (VERSION is 0..5, HEADERLENGTH 5..10).
    assert_eq!(
        usize::from(u16::from_be_bytes([file[8], file[9]])),
        h.length()
    );
    grow(&mut out, 8);
    if in_signer_id {
        grow(&mut out, find(3).offset + 1);
    }
    out
}

fn assert_kept(bytes: &[u8]) {
    let list = TrustList::parse(bytes).unwrap();
    // The file is well-formed and only its signature is broken.
    assert_eq!(list.verify().unwrap_err(), VerifyError::BadSignature);
    let written = TrustListBuf::from_view(&list).to_bytes().unwrap();
    assert_eq!(written.len(), bytes.len(), "length written back");
    assert!(written == bytes, "bytes written back differ");
}

#[test]
fn a_tag_2_element_inside_signer_id_is_kept() {
    // Written back as a 2-byte header length (5 bytes instead of 3), and
    // HEADERLENGTH, computed from the 3, is then wrong: the output does
    // not even parse.
    let bytes = with_header_element(true, &[2, 0, 0]);
    assert_kept(&bytes);
}

#[test]
fn a_tag_7_element_inside_signer_id_is_kept() {
    // Its value [0] is not an element sequence: written back as 7,0,0.
    let bytes = with_header_element(true, &[7, 0, 1, 0]);
    assert_kept(&bytes);
}

#[test]
fn a_top_level_tag_9_element_is_kept() {
    // SIGNATUREALGOINFO's tag outside SIGNATUREINFO: the parser ignores it,
    // the writer empties it (9,0,2,1,1 becomes 9,0,0).
    let bytes = with_header_element(false, &[9, 0, 2, 1, 1]);
    assert_kept(&bytes);
}

#[test]
fn a_top_level_unknown_element_is_kept() {
    // The control case: an element with an unused tag round-trips.
    let bytes = with_header_element(false, &[99, 0, 2, 1, 1]);
    assert_kept(&bytes);
    let bytes = with_header_element(true, &[99, 0, 2, 1, 1]);
    assert_kept(&bytes);
}

#[test]
fn signing_a_list_with_an_unknown_tag_2_in_signer_id_gives_a_valid_file() {
    // The same writer bug reaches signing: HEADERLENGTH is computed for a
    // 3-byte element that is then written as 5 bytes.
    let bytes = with_header_element(true, &[2, 0, 0]);
    let list = TrustList::parse(&bytes).unwrap();
    let signer = signer("callmanager-pub.pem");
    let out = TrustListBuf::from_view(&list)
        .sign_as(&signer, DigestAlgorithm::Sha1, NameStyle::Cucm)
        .unwrap();
    let signed = TrustList::parse(&out).unwrap_or_else(|e| panic!("the signed file: {e}"));
    assert_eq!(signed.verify().unwrap().signer_index, Some(0));
    // Signing re-pads the header to a multiple of four (the input had three
    // padding bytes too many for its new element); the records are untouched
    // and the unknown element is still inside SIGNERID.
    assert_eq!(signed.header().length() % 4, 0);
    assert_eq!(
        &out[signed.header().length()..],
        &bytes[list.header().length()..]
    );
    let signer_id = signed.header().items().find_map(|i| match i {
        cisco_itl::tlv::Item::Element(e) if e.tag.0 == 3 => Some(e.value),
        _ => None,
    });
    assert!(signer_id.unwrap().windows(3).any(|w| w == [2, 0, 0]));
}
