//! Encrypted configurations (`SEP<MAC>.cnf.xml.enc.sgn`): the layout
//! against the notes' facts, lossless reading, refusals of every tampered
//! region and of a wrong key or phone, the phone's decisions, and
//! cross-checks with the `openssl` command (key unwrap with `pkeyutl`,
//! payload with `enc -aes-128-cbc -nopad`).
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::encrypted::{
    Companion, DecryptError, EncryptError, EncryptedError, EncryptedFile, EncryptedFileBuilder,
    certificate_device, tag,
};
use cisco_itl::key::Signer;
use cisco_itl::phone::{ManualClock, Phone, Rejection, Trust};
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use cisco_itl::tlv::Item;
use cisco_itl::tvs::server::InMemoryTvs;
use cisco_itl::verify::{Policy, TrustAnchor, VerifyError};
use cisco_itl::write::HeaderBuf;
use cisco_itl::{DigestAlgorithm, Function, TrustList};

const XML: &[u8] =
    b"<device><deviceProtocol>SCCP</deviceProtocol><sshUserId>admin</sshUserId></device>\n";

fn phone() -> Signer {
    Signer::from_pem(&std::fs::read("tests/data/phone-SEP0011215A1AE3.pem").unwrap()).unwrap()
}

fn other_phone() -> Signer {
    Signer::from_pem(&std::fs::read("tests/data/phone-SEP001122334455-mic.pem").unwrap()).unwrap()
}

fn tftp() -> Signer {
    signer("callmanager-pub.pem")
}

fn trusted() -> [TrustAnchor; 1] {
    [TrustAnchor::from_certificate(tftp().certificate()).unwrap()]
}

fn encrypt(digest: DigestAlgorithm, xml: &[u8]) -> Vec<u8> {
    EncryptedFileBuilder::new("SEP0011215A1AE3", xml.to_vec())
        .digest(digest)
        .timestamp(1_773_075_600)
        .encrypt_and_sign(phone().certificate(), &tftp())
        .unwrap()
}

/// Re-signs `bytes` (its header and payload as they are) with the TFTP
/// key: what a tampering signer could serve.
fn resign(bytes: &[u8]) -> Vec<u8> {
    let f = SignedFile::parse(bytes).unwrap();
    sign_with_payload(f.header(), f.payload())
}

fn sign_with_payload(header: &cisco_itl::header::Header<'_>, payload: &[u8]) -> Vec<u8> {
    let extra: Vec<_> = HeaderBuf::from_view(header)
        .items
        .into_iter()
        .filter(|i| match i {
            cisco_itl::write::HeaderItem::Element(e) => e.tag.0 >= 16 && e.tag.0 <= 27,
            cisco_itl::write::HeaderItem::Container(t, _) => t.0 == 16,
            _ => false,
        })
        .collect();
    SignedFileBuilder::new(header.filename(), payload.to_vec())
        .version(2, 0)
        .digest(header.digest())
        .timestamp(header.timestamp())
        .extra_header(extra)
        .sign(&tftp())
        .unwrap()
}

#[test]
fn the_layout_is_the_notes() {
    for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha512] {
        for len in [0usize, 1, 15, 16, 17, XML.len()] {
            let xml = &XML.repeat(2)[..len];
            let bytes = encrypt(digest, xml);
            let f = EncryptedFile::parse(&bytes).unwrap();
            let h = f.header();
            assert_eq!(h.version(), (2, 0));
            assert_eq!(h.filename(), "SEP0011215A1AE3.cnf.xml.enc.sgn");
            assert_eq!(h.digest(), digest);
            assert_eq!(h.length() % 4, 0);
            let info = f.info();
            let pad = 16 - len % 16;
            assert_eq!(usize::from(info.padding_length), pad, "{len} bytes");
            assert_eq!(f.ciphertext().len(), len + pad);
            assert_eq!((info.iv_type, info.key_type, info.key_format), (0, 0, 1));
            assert_eq!(info.iv.len(), 16);
            assert_eq!(info.key_bits, 2048);
            assert_eq!(info.wrapped_key.len(), 256);
            assert_eq!(info.digest, digest);
            assert_eq!(
                info.plain_digest,
                digest.hash_parts(&[xml]).unwrap().as_ref()
            );
            // After TIMESTAMP: 16, 26, 27, then the padding.
            let tags: Vec<u8> = h
                .items()
                .filter_map(|i| match i {
                    Item::Element(e) => Some(e.tag.0),
                    Item::Padding(_) => None,
                })
                .collect();
            assert_eq!(tags, [1, 2, 3, 7, 12, 14, 15, 16, 26, 27]);
            // ENCRYPTIONINFO's length: IVINFO (3 + 4 + 19 + 5) and KEYINFO
            // (3 + 4 + 5 + 4 + 3 + 256), each with its own 3 bytes.
            let block = h
                .items()
                .find_map(|i| match i {
                    Item::Element(e) if e.tag == tag::ENCRYPTION_INFO => Some(e),
                    _ => None,
                })
                .unwrap();
            assert_eq!(block.value.len(), (3 + 4 + 19 + 5) + (3 + 4 + 5 + 4 + 259));
            // Lossless: the owned header and the payload write the same bytes.
            let mut again = HeaderBuf::from_view(h).write().unwrap().bytes;
            again.extend_from_slice(f.ciphertext());
            assert_eq!(again, bytes);
            let plain = f
                .decrypt_with(&trusted(), &Policy::default(), &phone())
                .unwrap();
            assert_eq!(plain.as_slice(), xml);
        }
    }
}

#[test]
fn fresh_keys_and_ivs_every_time() {
    let (a, b) = (
        encrypt(DigestAlgorithm::Sha1, XML),
        encrypt(DigestAlgorithm::Sha1, XML),
    );
    let (fa, fb) = (
        EncryptedFile::parse(&a).unwrap(),
        EncryptedFile::parse(&b).unwrap(),
    );
    assert_ne!(fa.info().iv, fb.info().iv);
    assert_ne!(fa.info().wrapped_key, fb.info().wrapped_key);
    assert_ne!(fa.ciphertext(), fb.ciphertext());
}

/// The byte range of the element with `t` (its value).
fn value_range(bytes: &[u8], t: u8) -> std::ops::Range<usize> {
    fn find(region: &[u8], base: usize, t: u8) -> Option<std::ops::Range<usize>> {
        for item in cisco_itl::tlv::Elements::new(region, base) {
            let e = item.ok()?;
            let start = e.offset + 3;
            if e.tag.0 == t {
                return Some(start..start + e.value.len());
            }
            if matches!(e.tag.0, 16 | 17 | 21)
                && let Some(r) = find(e.value, start, t)
            {
                return Some(r);
            }
        }
        None
    }
    let f = SignedFile::parse(bytes).unwrap();
    for item in f.header().items() {
        if let Item::Element(e) = item {
            let start = e.offset + 3;
            if e.tag.0 == t {
                return start..start + e.value.len();
            }
            if e.tag.0 == 16
                && let Some(r) = find(e.value, start, t)
            {
                return r;
            }
        }
    }
    panic!("no tag {t}");
}

#[test]
fn every_tampered_region_fails_the_signature_and_is_not_decrypted() {
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);
    let header_len = SignedFile::parse(&bytes).unwrap().header().length();
    let regions = [
        ("the filename", value_range(&bytes, 14).start),
        ("the timestamp", value_range(&bytes, 15).start + 3),
        ("the IV", value_range(&bytes, tag::IV.0).start),
        (
            "the padding length",
            value_range(&bytes, tag::PADDING_LENGTH.0).end - 1,
        ),
        (
            "the wrapped key",
            value_range(&bytes, tag::ENCRYPTED_KEY.0).start + 9,
        ),
        (
            "the plaintext digest",
            value_range(&bytes, tag::PLAIN_DIGEST.0).start,
        ),
        ("the ciphertext", header_len + 3),
        ("the last block", bytes.len() - 1),
    ];
    for (what, at) in regions {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        let outcome = EncryptedFile::parse(&bad)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                f.decrypt_with(&trusted(), &Policy::default(), &phone())
                    .map_err(|e| e.to_string())
            });
        match outcome {
            Err(e) => assert!(
                e.starts_with("the signature is not accepted") || e.contains("padding is 1 to 16"),
                "{what}: {e}"
            ),
            Ok(_) => panic!("{what}: tampered file decrypted"),
        }
    }
}

#[test]
fn tampered_then_re_signed_regions_are_refused_by_their_own_checks() {
    let bytes = encrypt(DigestAlgorithm::Sha512, XML);
    let header_len = SignedFile::parse(&bytes).unwrap().header().length();
    let decrypt = |b: &[u8]| {
        EncryptedFile::parse(b)
            .unwrap()
            .decrypt_with(&trusted(), &Policy::default(), &phone())
    };
    // The re-signing itself changes nothing.
    assert_eq!(decrypt(&resign(&bytes)).unwrap().as_slice(), XML);
    let flip = |at: usize| {
        let mut b = bytes.clone();
        b[at] ^= 0x40;
        resign(&b)
    };
    // The wrapped key: RSA implicit rejection, one error.
    let wrapped = value_range(&bytes, tag::ENCRYPTED_KEY.0);
    assert_eq!(
        decrypt(&flip(wrapped.start + 17)).unwrap_err(),
        DecryptError::WrongKey
    );
    // The last block: the padding no longer holds.
    assert_eq!(
        decrypt(&flip(bytes.len() - 1)).unwrap_err(),
        DecryptError::WrongKey
    );
    // The IV and the first block: the digest no longer holds.
    for at in [value_range(&bytes, tag::IV.0).start, header_len] {
        assert_eq!(
            decrypt(&flip(at)).unwrap_err(),
            DecryptError::DigestMismatch
        );
    }
    assert_eq!(
        decrypt(&flip(value_range(&bytes, tag::PLAIN_DIGEST.0).start + 5)).unwrap_err(),
        DecryptError::DigestMismatch
    );
    // A padding length of 15 instead of the real one keeps a 0x0D.
    let pad_at = value_range(&bytes, tag::PADDING_LENGTH.0).end - 1;
    let mut b = bytes.clone();
    b[pad_at] -= 1;
    assert_eq!(
        decrypt(&resign(&b)).unwrap_err(),
        DecryptError::DigestMismatch
    );
}

#[test]
fn a_wrong_key_is_one_error_and_another_phones_certificate_is_named() {
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);
    let f = EncryptedFile::parse(&bytes).unwrap();
    // Another key with this phone's name (a regenerated LSC).
    let mut dir = std::env::temp_dir();
    dir.push(format!("itl-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, cert) = (dir.join("k.pem"), dir.join("c.pem"));
    let ok = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/CN=SEP0011215A1AE3", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(ok.status.success());
    let mut pem = std::fs::read(&key).unwrap();
    pem.extend(std::fs::read(&cert).unwrap());
    let regenerated = Signer::from_pem(&pem).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        f.decrypt_with(&trusted(), &Policy::default(), &regenerated)
            .unwrap_err(),
        DecryptError::WrongKey
    );
    assert_eq!(
        f.decrypt_with(&trusted(), &Policy::default(), &other_phone())
            .unwrap_err(),
        DecryptError::WrongDevice {
            file: "SEP0011215A1AE3".into(),
            certificate: "SEP001122334455".into()
        }
    );
    // A key whose certificate names no device.
    assert_eq!(
        f.decrypt_with(&trusted(), &Policy::default(), &tftp())
            .unwrap_err(),
        DecryptError::NoDevice
    );
    assert_eq!(
        certificate_device(other_phone().certificate()).as_deref(),
        Some("SEP001122334455")
    );
}

#[test]
fn a_file_signed_by_a_stranger_is_never_decrypted() {
    let stranger = signer("tvs-pub.pem");
    let bytes = EncryptedFileBuilder::new("SEP0011215A1AE3", XML.to_vec())
        .encrypt_and_sign(phone().certificate(), &stranger)
        .unwrap();
    let f = EncryptedFile::parse(&bytes).unwrap();
    assert_eq!(
        f.decrypt_with(&trusted(), &Policy::default(), &phone())
            .unwrap_err(),
        DecryptError::Signature(VerifyError::UntrustedSigner)
    );
    // Through the ITL: TVS.pem has no TFTP role there.
    let itl = read("cucm-ITLFile.tlv");
    let list = TrustList::parse(&itl).unwrap();
    assert!(matches!(
        f.decrypt_with_list(
            &list,
            &[Function::CcmTftp, Function::Tftp],
            &Policy::default(),
            &phone()
        ),
        Err(DecryptError::Signature(_))
    ));
    // The genuine file goes through the same list.
    let good = encrypt(DigestAlgorithm::Sha1, XML);
    let g = EncryptedFile::parse(&good).unwrap();
    let plain = g
        .decrypt_with_list(
            &list,
            &[Function::CcmTftp, Function::Tftp],
            &Policy::default(),
            &phone(),
        )
        .unwrap();
    assert_eq!(plain.as_slice(), XML);
}

#[test]
fn making_a_file_refuses_what_cannot_be_right() {
    let b = |device: &str| EncryptedFileBuilder::new(device, XML.to_vec());
    assert_eq!(
        b("SEP00112").encrypt_and_sign(phone().certificate(), &tftp()),
        Err(EncryptError::BadDevice("SEP00112".into()))
    );
    assert_eq!(
        b("SEP001122334455").encrypt_and_sign(phone().certificate(), &tftp()),
        Err(EncryptError::WrongDevice {
            file: "SEP001122334455".into(),
            certificate: "SEP0011215A1AE3".into()
        })
    );
    assert_eq!(
        b("SEP0011215A1AE3")
            .digest(DigestAlgorithm::Sha256)
            .encrypt_and_sign(phone().certificate(), &tftp()),
        Err(EncryptError::UnsupportedDigest(DigestAlgorithm::Sha256))
    );
    assert!(
        b("SEP0011215A1AE3")
            .encrypt_and_sign(
                &cisco_itl::cert::CertInfo::from_pem(
                    &std::fs::read("tests/data/ec-p256-app-server.pem").unwrap()
                )
                .unwrap(),
                &tftp()
            )
            .is_err()
    );
}

#[test]
fn malformed_blocks_are_typed_errors() {
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);
    // A payload cut short of a block.
    assert_eq!(
        EncryptedFile::parse(&bytes[..bytes.len() - 1]).unwrap_err(),
        EncryptedError::Ciphertext(XML.len() + 16 - XML.len() % 16 - 1)
    );
    // A plain .sgn has no block.
    assert!(matches!(
        EncryptedFile::parse(&read("cucm-SEP0011215A1AE3.cnf.xml.sgn")).unwrap_err(),
        EncryptedError::Missing { tag: t, .. } if t == tag::ENCRYPTION_INFO
    ));
    // A padding length of 0 or 17.
    let at = value_range(&bytes, tag::PADDING_LENGTH.0).end - 1;
    for v in [0u8, 17] {
        let mut b = bytes.clone();
        b[at] = v;
        assert!(matches!(
            EncryptedFile::parse(&b).unwrap_err(),
            EncryptedError::Invalid { tag: t, .. } if t == tag::PADDING_LENGTH
        ));
    }
    // An unknown digest code.
    let mut b = bytes.clone();
    b[value_range(&bytes, tag::PLAIN_DIGEST_ALGORITHM.0).start] = 9;
    assert!(matches!(
        EncryptedFile::parse(&b).unwrap_err(),
        EncryptedError::Invalid { tag: t, .. } if t == tag::PLAIN_DIGEST_ALGORITHM
    ));
    // Every truncation is an error, never a panic.
    for n in 0..bytes.len() {
        let _ = EncryptedFile::parse(&bytes[..n]);
    }
}

#[test]
fn the_phone_decrypts_its_own_configuration_and_refuses_with_sentences() {
    let clock = ManualClock::new(0);
    let mut tvs = InMemoryTvs::unreachable();
    let itl = read("cucm-ITLFile.tlv");
    let name = "SEP0011215A1AE3.cnf.xml.enc.sgn";
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);

    let mut keyless = Phone::new("SEP0011215A1AE3");
    keyless
        .offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock)
        .unwrap();
    let refused = keyless
        .offer_encrypted_config(name, &bytes, &clock)
        .unwrap_err();
    assert_eq!(refused, Rejection::NoKey);
    assert_eq!(
        refused.to_string(),
        "refused: the configuration is encrypted and the phone holds no key (LSC or MIC) to decrypt it"
    );

    let mut phone = Phone::new("SEP0011215A1AE3").with_key(phone());
    phone
        .offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock)
        .unwrap();
    let (trust, plain) = phone.offer_encrypted_config(name, &bytes, &clock).unwrap();
    assert!(matches!(trust, Trust::ItlTftp { .. }));
    assert_eq!(plain.as_slice(), XML);

    // Another phone's file, served under this phone's name.
    let other = EncryptedFileBuilder::new("SEP001122334455", XML.to_vec())
        .encrypt_and_sign(other_phone().certificate(), &tftp())
        .unwrap();
    assert!(matches!(
        phone
            .offer_encrypted_config(name, &other, &clock)
            .unwrap_err(),
        Rejection::WrongFile { .. }
    ));
    // The same, asked for by its own name: for another phone's certificate.
    let r = phone
        .offer_encrypted_config("SEP001122334455.cnf.xml.enc.sgn", &other, &clock)
        .unwrap_err();
    assert_eq!(
        r.to_string(),
        "refused: the encrypted configuration was not decrypted: the file is for SEP001122334455, the phone certificate for SEP0011215A1AE3"
    );
    // Tampered and re-signed by the TFTP key.
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n - 20] ^= 1;
    let r = phone
        .offer_encrypted_config(name, &resign(&bad), &clock)
        .unwrap_err();
    assert!(matches!(r, Rejection::Decrypt(_)), "{r}");
    // Tampered, not re-signed: refused before any decryption.
    assert!(matches!(
        phone
            .offer_encrypted_config(name, &bad, &clock)
            .unwrap_err(),
        Rejection::Untrusted(_)
    ));
    // A plain .sgn offered as encrypted.
    assert!(matches!(
        phone
            .offer_encrypted_config(name, &read("cucm-SEP0011215A1AE3.cnf.xml.sgn"), &clock)
            .unwrap_err(),
        Rejection::MalformedEncrypted(_)
    ));
}

#[test]
fn the_companion_configuration_names_the_certificate() {
    let companion = Companion {
        load_information: "SCCP45.9-4-2SR3-1S".into(),
        capf_auth_mode: 1,
        capf_nodes: vec!["cucm-pub".into()],
        ..Companion::default()
    };
    let cert = phone();
    let xml = companion.xml(cert.certificate());
    let md5: String = cisco_itl::digest::md5(cert.certificate().der())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(xml.contains("<fullConfig>false</fullConfig>"));
    assert!(xml.contains(&format!("<certHash>{md5}</certHash>")));
    assert!(xml.contains("<encrConfig>true</encrConfig>"));
    assert!(xml.contains(
        "<capfList><capf><phonePort>3804</phonePort><processNodeName>cucm-pub</processNodeName></capf></capfList>"
    ));
    let signed = companion
        .sign(
            "SEP0011215A1AE3",
            cert.certificate(),
            &tftp(),
            DigestAlgorithm::Sha1,
            7,
        )
        .unwrap();
    let sgn = SignedFile::parse(&signed).unwrap();
    assert_eq!(sgn.header().filename(), "SEP0011215A1AE3.cnf.xml.sgn");
    assert_eq!(sgn.header().version(), (1, 0));
    assert_eq!(sgn.payload(), xml.as_bytes());
    assert!(
        sgn.verify_with_certificate(tftp().certificate(), &Policy::default())
            .is_ok()
    );
    // The MD5 agrees with openssl's.
    let out = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(&std::fs::read("tests/data/phone-SEP0011215A1AE3.pem").unwrap())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.stdout, cert.certificate().der());
}

#[test]
fn openssl_unwraps_the_key_and_decrypts_the_payload() {
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);
    let f = EncryptedFile::parse(&bytes).unwrap();
    let mut dir = std::env::temp_dir();
    dir.push(format!("itl-enc-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("wrapped.bin"), f.info().wrapped_key).unwrap();
    std::fs::write(dir.join("payload.bin"), f.ciphertext()).unwrap();
    let key = std::process::Command::new("openssl")
        .args([
            "pkeyutl",
            "-decrypt",
            "-inkey",
            "tests/data/phone-SEP0011215A1AE3.pem",
        ])
        .arg("-in")
        .arg(dir.join("wrapped.bin"))
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    assert_eq!(key.stdout.len(), 16);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let plain = std::process::Command::new("openssl")
        .args([
            "enc",
            "-d",
            "-aes-128-cbc",
            "-nopad",
            "-K",
            &hex(&key.stdout),
        ])
        .args(["-iv", &hex(f.info().iv), "-in"])
        .arg(dir.join("payload.bin"))
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(plain.status.success());
    let pad = usize::from(f.info().padding_length);
    let (body, tail) = plain.stdout.split_at(plain.stdout.len() - pad);
    assert_eq!(body, XML);
    assert!(tail.iter().all(|b| *b == 0x0D));
}

#[test]
fn show_renders_the_encryption_block() {
    let bytes = encrypt(DigestAlgorithm::Sha1, XML);
    let text = cisco_itl::show::render_signed_file(&bytes);
    assert!(text.contains(
        "This is an encrypted configuration (.enc.sgn), not a trust list: its header and encryption block follow."
    ));
    for line in [
        "16 ENCRYPTIONINFO 2 306",
        "17 IVINFO 2 28",
        "18 IVTYPE 1 0",
        "20 PADDINGLENGTH 2 ",
        "21 KEYINFO 2 272",
        "23 KEYLENGTH 2 2048",
        "24 KEYFORMAT 1 1",
        "25 ENCRYPTEDKEY 256 ",
        "26 PLAINDIGESTALGORITHM 1 SHA-1",
        "27 PLAINDIGEST 20 ",
        "Filename: SEP0011215A1AE3.cnf.xml.enc.sgn",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(text.contains(&format!(
        "Payload: {} bytes after the header, encrypted with AES-128-CBC for a 2048-bit phone key; only that phone can read it.",
        f_len(&bytes)
    )));
}

fn f_len(bytes: &[u8]) -> usize {
    EncryptedFile::parse(bytes).unwrap().ciphertext().len()
}
