//! Cross-checks with the `openssl` command-line tool: the bytes the
//! signature covers (the file without its SIGNATURE element) verify with
//! `openssl dgst -verify` against the signer's certificate, for every good
//! vector and for files this library signs; OpenSSL's own signature over
//! the same bytes is the library's; a tampered byte fails both.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cisco_itl::cert::{CertInfo, NameStyle};
use cisco_itl::key::Signer;
use cisco_itl::tag::header as ht;
use cisco_itl::tlv::Item;
use cisco_itl::verify::VerifyError;
use cisco_itl::write::TrustListBuf;
use cisco_itl::{DigestAlgorithm, TrustList};

mod common;
use common::{DIGESTS, V as VECTORS};

/// Every good trust list and the key file of its signer.
const GOOD: [(&str, &str); 9] = [
    ("cucm-ITLFile.tlv", "callmanager-pub.pem"),
    ("cucm-ITLFile-rollback.tlv", "callmanager-pub.pem"),
    (
        "cucm-ITLFile-regen-callmanager.tlv",
        "callmanager-pub-regenerated.pem",
    ),
    ("cucm-ITLFile-reset.tlv", "itlrecovery.pem"),
    ("cucm-CTLFile-tokenless.tlv", "callmanager-pub.pem"),
    ("cucm-CTLFile-etoken.tlv", "etoken2.pem"),
    ("peer-CTLFile.tlv", "peer-sast.pem"),
    ("peer-ITLFile-sha1.tlv", "peer-sast.pem"),
    ("peer-ITLFile-sha512-v1.1.tlv", "peer-sast.pem"),
];

fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: `openssl` is not on PATH; skipping the OpenSSL cross-checks");
    }
    ok
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "itl-core-openssl-{}-{label}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `openssl x509 -pubkey -noout` of the certificate in `pem` (a key and
/// certificate file); returns the public key file.
fn public_key(dir: &TempDir, pem: &[u8]) -> PathBuf {
    let input = dir.write("signer.pem", pem);
    let out = dir.0.join("pub.pem");
    let (ok, text) = run(&[
        "x509",
        "-in",
        path(&input),
        "-pubkey",
        "-noout",
        "-out",
        path(&out),
    ]);
    assert!(ok, "openssl x509: {text}");
    let key = std::fs::read_to_string(&out).unwrap();
    assert!(key.starts_with("-----BEGIN PUBLIC KEY-----"), "{key}");
    out
}

/// The same from a DER certificate (a record's CERTIFICATE).
fn public_key_from_der(dir: &TempDir, der: &[u8]) -> String {
    let input = dir.write("record-cert.der", der);
    let (ok, text) = run(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        path(&input),
        "-pubkey",
        "-noout",
    ]);
    assert!(ok, "openssl x509 -inform DER: {text}");
    text
}

fn dgst_flag(d: DigestAlgorithm) -> &'static str {
    match d {
        DigestAlgorithm::Sha1 => "-sha1",
        DigestAlgorithm::Sha256 => "-sha256",
        DigestAlgorithm::Sha512 => "-sha512",
        DigestAlgorithm::Unknown(c) => panic!("no openssl flag for digest code {c}"),
    }
}

/// The signed bytes (the file without the SIGNATURE element's tag, length
/// and value) and the signature.
fn cut(file: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let list = TrustList::parse(file).unwrap();
    let e = list.header().signature_element();
    assert_eq!(e.tag, ht::SIGNATURE);
    assert_eq!(file[e.offset], ht::SIGNATURE.0);
    assert_eq!(
        usize::from(u16::from_be_bytes([file[e.offset + 1], file[e.offset + 2]])),
        e.value.len()
    );
    let mut data = file[..e.offset].to_vec();
    data.extend_from_slice(&file[e.offset + e.encoded_len()..]);
    assert_eq!(data.len(), file.len() - 3 - e.value.len());
    // The library's own view of the signed bytes agrees.
    assert_eq!(list.signed_parts().concat(), data);
    (data, list.header().signature().to_vec())
}

/// Runs `openssl dgst -verify`; returns whether it printed "Verified OK"
/// and its output.
fn openssl_verify(dir: &TempDir, file: &[u8], public: &Path) -> (bool, String) {
    let list = TrustList::parse(file).unwrap();
    let (data, sig) = cut(file);
    let data_path = dir.write("data.bin", &data);
    let sig_path = dir.write("sig.bin", &sig);
    let (ok, text) = run(&[
        "dgst",
        dgst_flag(list.header().digest()),
        "-verify",
        path(public),
        "-signature",
        path(&sig_path),
        path(&data_path),
    ]);
    let verified = text.contains("Verified OK");
    assert_eq!(ok, verified, "exit status and output disagree: {text}");
    (verified, text)
}

fn read(dir: &str, name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(dir).join(name)).unwrap()
}

#[test]
fn every_good_vector_verifies_with_openssl() {
    if !openssl_available() {
        return;
    }
    for (name, key) in GOOD {
        let dir = TempDir::new("vector");
        let file = read(VECTORS, name);
        let pem = read(&format!("{VECTORS}/keys"), key);
        let public = public_key(&dir, &pem);
        let (ok, text) = openssl_verify(&dir, &file, &public);
        assert!(ok, "{name} with {key}: {text}");
        assert_eq!(text.trim(), "Verified OK", "{name}");
        // The signing record's certificate holds the same key.
        let list = TrustList::parse(&file).unwrap();
        let (_, record) = list.signer_record().unwrap();
        let from_record = public_key_from_der(&dir, record.certificate().unwrap());
        assert_eq!(
            from_record,
            std::fs::read_to_string(&public).unwrap(),
            "{name}: record key"
        );
        assert!(list.verify().is_ok(), "{name}");
    }
}

/// Signers for library-made files: key file, style.
fn library_signers() -> Vec<(String, Signer, NameStyle)> {
    let keys = format!("{VECTORS}/keys");
    let mut out = Vec::new();
    for (dir, name, style) in [
        (keys.as_str(), "callmanager-pub.pem", NameStyle::Cucm),
        (
            keys.as_str(),
            "callmanager-pub-regenerated.pem",
            NameStyle::Cucm,
        ),
        (keys.as_str(), "etoken1.pem", NameStyle::Cucm),
        (keys.as_str(), "peer-sast.pem", NameStyle::Comma),
        ("tests/data", "rsa2048-pkcs8.pem", NameStyle::Cucm),
        ("tests/data", "rsa4096-pkcs1.pem", NameStyle::Cucm),
    ] {
        let pem = read(dir, name);
        out.push((
            format!("{dir}/{name}"),
            Signer::from_pem(&pem).unwrap(),
            style,
        ));
    }
    out
}

#[test]
fn files_the_library_signs_verify_with_openssl() {
    if !openssl_available() {
        return;
    }
    let base = read(VECTORS, "cucm-ITLFile.tlv");
    let list = TrustList::parse(&base).unwrap();
    for (what, signer, style) in library_signers() {
        let dir = TempDir::new("signed");
        let public = public_key(&dir, &read_pem(&what));
        for digest in DIGESTS {
            let mut owned = TrustListBuf::from_view(&list);
            let file = owned.sign_as(&signer, digest, style).unwrap();
            let (ok, text) = openssl_verify(&dir, &file, &public);
            assert!(ok, "{what} {digest}: {text}");
            let l = TrustList::parse(&file).unwrap();
            assert_eq!(l.header().digest(), digest);
            assert_eq!(
                l.header().signature().len() * 8,
                signer.key().bits(),
                "{what}"
            );
        }
    }
}

fn read_pem(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn openssl_signs_the_same_signature_as_the_library() {
    // PKCS#1 v1.5 is deterministic: `openssl dgst -sign` over the signed
    // bytes gives the signature the library wrote.
    if !openssl_available() {
        return;
    }
    let base = read(VECTORS, "cucm-CTLFile-tokenless.tlv");
    let list = TrustList::parse(&base).unwrap();
    for (what, signer, style) in library_signers() {
        let dir = TempDir::new("sign");
        let key = dir.write("key.pem", &read_pem(&what));
        for digest in DIGESTS {
            let file = TrustListBuf::from_view(&list)
                .sign_as(&signer, digest, style)
                .unwrap();
            let (data, ours) = cut(&file);
            let data_path = dir.write("data.bin", &data);
            let sig_path = dir.0.join("openssl.sig");
            let (ok, text) = run(&[
                "dgst",
                dgst_flag(digest),
                "-sign",
                path(&key),
                "-out",
                path(&sig_path),
                path(&data_path),
            ]);
            assert!(ok, "{what}: openssl dgst -sign: {text}");
            let theirs = std::fs::read(&sig_path).unwrap();
            assert_eq!(theirs, ours, "{what} {digest}");
        }
    }
    // And for a vector, OpenSSL reproduces CUCM's signature.
    let dir = TempDir::new("sign-vector");
    let key = dir.write(
        "key.pem",
        &read(&format!("{VECTORS}/keys"), "callmanager-pub.pem"),
    );
    let (data, cucm) = cut(&base);
    let data_path = dir.write("data.bin", &data);
    let sig_path = dir.0.join("openssl.sig");
    let (ok, text) = run(&[
        "dgst",
        "-sha1",
        "-sign",
        path(&key),
        "-out",
        path(&sig_path),
        path(&data_path),
    ]);
    assert!(ok, "{text}");
    assert_eq!(std::fs::read(&sig_path).unwrap(), cucm);
}

/// The file offset of the last byte of the header's TIMESTAMP value.
fn timestamp_byte(file: &[u8]) -> usize {
    let list = TrustList::parse(file).unwrap();
    list.header()
        .items()
        .find_map(|i| match i {
            Item::Element(e) if e.tag == ht::TIMESTAMP => Some(e.offset + e.encoded_len() - 1),
            _ => None,
        })
        .unwrap()
}

/// The file offset of a byte in the middle of the last record's certificate
/// (or, when it has none, of its last element's value).
fn record_byte(file: &[u8]) -> usize {
    let list = TrustList::parse(file).unwrap();
    let last = list.records().last().unwrap();
    match last
        .elements()
        .find(|e| e.tag == cisco_itl::tag::record::CERTIFICATE)
    {
        Some(e) => e.offset + 3 + e.value.len() / 2,
        None => last.offset() + last.length() - 1,
    }
}

#[test]
fn a_flipped_byte_fails_in_openssl_and_in_verify() {
    if !openssl_available() {
        return;
    }
    let mut cases: Vec<(String, Vec<u8>, Vec<u8>)> = GOOD
        .iter()
        .map(|(name, key)| {
            (
                (*name).to_owned(),
                read(VECTORS, name),
                read(&format!("{VECTORS}/keys"), key),
            )
        })
        .collect();
    // A library-signed SHA-512 file with the 4096-bit key too.
    let big = read("tests/data", "rsa4096-pkcs1.pem");
    let signer = Signer::from_pem(&big).unwrap();
    let base = read(VECTORS, "cucm-ITLFile.tlv");
    let signed = TrustListBuf::from_view(&TrustList::parse(&base).unwrap())
        .sign_as(&signer, DigestAlgorithm::Sha512, NameStyle::Cucm)
        .unwrap();
    cases.push(("library 4096 sha512".into(), signed, big));

    for (name, file, pem) in cases {
        let dir = TempDir::new("tamper");
        let public = public_key(&dir, &pem);
        let anchor =
            cisco_itl::verify::TrustAnchor::from_certificate(&CertInfo::from_pem(&pem).unwrap())
                .unwrap();
        let (ok, _) = openssl_verify(&dir, &file, &public);
        assert!(ok, "{name}: the untouched file verifies");
        for (where_, at) in [
            ("timestamp", timestamp_byte(&file)),
            ("record", record_byte(&file)),
        ] {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            let list = TrustList::parse(&bad).unwrap_or_else(|e| panic!("{name} {where_}: {e}"));
            let (ok, text) = openssl_verify(&dir, &bad, &public);
            assert!(!ok, "{name} {where_}: openssl accepted a flipped byte");
            assert!(text.contains("Verification failure"), "{name}: {text}");
            let expected = if list.signer_record().is_some() {
                list.verify().unwrap_err()
            } else {
                // Only the library-signed file has no record of its signer.
                list.verify_with(std::slice::from_ref(&anchor), &Default::default())
                    .unwrap_err()
            };
            // A flipped byte inside the signer's certificate is caught before
            // the signature: the record no longer agrees with it.
            assert!(
                matches!(
                    expected,
                    VerifyError::BadSignature
                        | VerifyError::BadCertificate
                        | VerifyError::KeyMismatch
                        | VerifyError::RecordMismatch(_)
                ),
                "{name} {where_}: {expected:?}"
            );
        }
        // A flipped signature byte, too.
        let e = TrustList::parse(&file)
            .unwrap()
            .header()
            .signature_element();
        let mut bad = file.clone();
        bad[e.offset + 3 + e.value.len() / 2] ^= 0x80;
        let (ok, text) = openssl_verify(&dir, &bad, &public);
        assert!(
            !ok && text.contains("Verification failure"),
            "{name}: {text}"
        );
        let list = TrustList::parse(&bad).unwrap();
        let ours = match list.signer_record() {
            Some(_) => list.verify().unwrap_err(),
            None => list
                .verify_with(&[anchor], &Default::default())
                .unwrap_err(),
        };
        assert_eq!(ours, VerifyError::BadSignature, "{name}: signature byte");
    }
}
