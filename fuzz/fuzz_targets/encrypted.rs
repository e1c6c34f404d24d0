//! Fuzz target `encrypted`: `EncryptedFile::parse` on arbitrary bytes, then
//! decryption with the test phone's key against the CUCM CallManager
//! certificate (trusted) and the peer certificate (not trusted).
//!
//! A parsed file must agree with its bytes (the signed file's header and
//! payload; IV, ENCRYPTEDKEY and PLAINDIGEST are the values of elements of
//! those tags at those offsets; the block's numbers are in range), errors
//! must be those of the signed-file parser when the header does not
//! parse, and decryption must never panic and never return a plaintext for
//! a file the trusted key did not sign. Each parsed file is then signed
//! again, header block and payload as they are, with the trusted key (what
//! a tampering TFTP signer could serve), so that the unwrapping, the
//! decryption, the padding and the digest checks see the fuzzer's values:
//! they must not panic, and a plaintext they return has the announced
//! length and digest. One RSA signature and one or two RSA decryptions per
//! parsed input: this target is slow.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use cisco_itl::encrypted::{
    self, DecryptError, EncryptedError, EncryptedFile, device_of_filename, has_encryption_block,
};
use cisco_itl::key::Signer;
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use cisco_itl::tag::Tag;
use cisco_itl::tlv::Item;
use cisco_itl::verify::{Policy, TrustAnchor};
use cisco_itl::write::{HeaderBuf, HeaderItem};
use itl_fuzz::check_parse_error;
use libfuzzer_sys::fuzz_target;

struct Keys {
    tftp: Signer,
    phone: Signer,
    trusted: [TrustAnchor; 1],
    untrusted: [TrustAnchor; 1],
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let tftp = Signer::from_pem(include_bytes!("../data/callmanager-pub-key-and-cert.pem"))
            .expect("TFTP identity");
        let phone = Signer::from_pem(include_bytes!("../data/phone-SEP0011215A1AE3.pem"))
            .expect("phone identity");
        let peer =
            cisco_itl::cert::CertInfo::from_pem(include_bytes!("../data/peer-asterisk-cert.pem"))
                .expect("peer certificate");
        Keys {
            trusted: [TrustAnchor::from_certificate(tftp.certificate()).expect("anchor")],
            untrusted: [TrustAnchor::from_certificate(&peer).expect("anchor")],
            tftp,
            phone,
        }
    })
}

/// The offset of `part` in `data`, when it is a sub-slice of it.
fn offset_in(part: &[u8], data: &[u8]) -> usize {
    let (start, base) = (part.as_ptr() as usize, data.as_ptr() as usize);
    assert!(
        start >= base && start + part.len() <= base + data.len(),
        "a field of the block is not inside the file's bytes"
    );
    start - base
}

/// `value` is the value of an element with tag `tag` in `data`: its tag and
/// 16-bit length are just before it.
fn is_element(data: &[u8], value: &[u8], tag: Tag) {
    let at = offset_in(value, data);
    assert!(at >= 3, "no room for an element head");
    assert_eq!(data[at - 3], tag.0, "the value is not under tag {}", tag.0);
    let len = u16::from_be_bytes([data[at - 2], data[at - 1]]);
    assert_eq!(usize::from(len), value.len(), "tag {} length", tag.0);
}

/// A plaintext that came out of `file` has the announced length and
/// digest.
fn check_plaintext(file: &EncryptedFile<'_>, plain: &[u8]) {
    let info = file.info();
    assert_eq!(
        plain.len() + usize::from(info.padding_length),
        file.ciphertext().len()
    );
    let digest = info.digest.hash_parts(&[plain]).expect("a known digest");
    assert_eq!(digest.as_ref(), info.plain_digest);
}

/// Decrypts against the trusted and the untrusted key.
fn decrypt(file: &EncryptedFile<'_>) -> Option<Vec<u8>> {
    let k = keys();
    let policy = Policy::default();
    match file.decrypt_with(&k.untrusted, &policy, &k.phone) {
        Err(DecryptError::Signature(_)) => {}
        other => {
            panic!("a file the peer key did not sign was not refused for its signature: {other:?}")
        }
    }
    match file.decrypt_with(&k.trusted, &policy, &k.phone) {
        Ok(plain) => {
            assert!(
                file.verify_with(&k.trusted, &policy).is_ok(),
                "decrypted, yet the signature does not verify"
            );
            check_plaintext(file, &plain);
            Some(plain.to_vec())
        }
        Err(e) => {
            let _ = e.to_string();
            if !matches!(e, DecryptError::Signature(_)) {
                assert!(file.verify_with(&k.trusted, &policy).is_ok());
            }
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let file = match EncryptedFile::parse(data) {
        Ok(f) => f,
        Err(e) => {
            let _ = e.to_string();
            match (&e, SignedFile::parse(data)) {
                (EncryptedError::Parse(p), Err(q)) => {
                    check_parse_error(p, data);
                    assert_eq!(p, &q);
                }
                (EncryptedError::Parse(_), Ok(_)) => {
                    panic!("a header error, yet the signed file parses")
                }
                (_, Err(q)) => panic!("a block error, yet the signed file fails: {q:?}"),
                (EncryptedError::Missing { tag, .. }, Ok(s))
                    if *tag == encrypted::tag::ENCRYPTION_INFO =>
                {
                    assert!(!has_encryption_block(s.header()));
                }
                (EncryptedError::Ciphertext(n), Ok(s)) => {
                    assert_eq!(*n, s.payload().len());
                    assert!(*n == 0 || n % 16 != 0);
                }
                (_, Ok(_)) => {}
            }
            return;
        }
    };

    // The file agrees with its bytes.
    let signed = SignedFile::parse(data).expect("an encrypted file is a signed file");
    let h = file.header();
    assert_eq!(file.as_bytes(), data);
    assert_eq!(h, signed.header());
    assert_eq!(file.ciphertext(), &data[h.length()..]);
    assert!(has_encryption_block(h));
    assert_eq!(file.device(), device_of_filename(h.filename()));
    let info = file.info();
    assert_eq!(info.iv.len(), 16);
    assert!((1..=16).contains(&info.padding_length));
    assert!(!info.wrapped_key.is_empty());
    assert_eq!(Some(info.plain_digest.len()), info.digest.output_len());
    let n = file.ciphertext().len();
    assert!(n > 0 && n % 16 == 0);
    is_element(data, info.iv, encrypted::tag::IV);
    is_element(data, info.wrapped_key, encrypted::tag::ENCRYPTED_KEY);
    is_element(data, info.plain_digest, encrypted::tag::PLAIN_DIGEST);
    // PLAINDIGEST and its algorithm are top-level elements of the header.
    assert!(h.items().any(
        |i| matches!(i, Item::Element(e) if e.tag == encrypted::tag::PLAIN_DIGEST && e.value == info.plain_digest)
    ));
    assert!(h.items().any(
        |i| matches!(i, Item::Element(e) if e.tag == encrypted::tag::PLAIN_DIGEST_ALGORITHM && e.value == [info.digest.code()])
    ));

    let first = decrypt(&file);

    // Signed again by the trusted key, block and payload as they are, under
    // the phone's name: decryption runs on the fuzzer's values.
    let block: Vec<HeaderItem> = HeaderBuf::from_view(h)
        .items
        .into_iter()
        .filter(|i| match i {
            HeaderItem::Element(e) => (16..=27).contains(&e.tag.0),
            HeaderItem::Container(t, _) => t.0 == 16,
            HeaderItem::Padding => false,
        })
        .collect();
    let Ok(again) = SignedFileBuilder::new(
        "SEP0011215A1AE3.cnf.xml.enc.sgn",
        file.ciphertext().to_vec(),
    )
    .version(2, 0)
    .timestamp(h.timestamp())
    .extra_header(block)
    .sign(&keys().tftp) else {
        return;
    };
    let resigned = EncryptedFile::parse(&again).expect("a re-signed encrypted file parses");
    assert_eq!(resigned.ciphertext(), file.ciphertext());
    assert_eq!(resigned.info().iv, info.iv);
    assert_eq!(resigned.info().wrapped_key, info.wrapped_key);
    assert_eq!(resigned.info().plain_digest, info.plain_digest);
    assert_eq!(resigned.info().padding_length, info.padding_length);
    let second = decrypt(&resigned);
    assert!(
        second.is_some()
            || first.is_none()
            || file
                .device()
                .is_none_or(|d| !d.eq_ignore_ascii_case("SEP0011215A1AE3")),
        "a file that decrypted no longer does once re-signed under the same name"
    );
    if let (Some(a), Some(b)) = (&first, &second) {
        assert_eq!(a, b);
    }
});
