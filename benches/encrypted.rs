//! Encrypted configurations: encrypt and decrypt throughput (MB/s, 10^6
//! bytes of configuration a second) on 64 KiB and 1 MiB configurations,
//! against OpenSSL's AES-128-CBC on the same data, in the same run.
//!
//! What each row includes:
//!
//! * `encrypt_and_sign`: the whole file made: padding, the plaintext's
//!   digest, a fresh key and IV from the OS, AES-128-CBC, the key wrapped
//!   with RSA-2048 (PKCS#1 v1.5) for the phone certificate, the header,
//!   and the file's digest and RSA signature with the TFTP key.
//! * `decrypt_with`: the whole file read: parse, the file's digest and RSA
//!   verification against the trusted TFTP certificate, the device check,
//!   RSA-2048 unwrap (implicit rejection), AES-128-CBC, the padding and
//!   the plaintext's digest, the plaintext copied out (and wiped on drop).
//! * `aes-cbc RustCrypto`: the cipher alone as the two above run it (the
//!   `aes` and `cbc` crates, in place in a buffer allocated once, no
//!   padding).
//! * `aes-cbc OpenSSL`: the cipher alone through libcrypto (the `openssl`
//!   crate's `Crypter`, no padding, from the input into an output buffer
//!   allocated once): the floor no implementation can beat by much.
//! * `SHA-1 alone`, `SHA-512 alone`: the digests the files compute twice
//!   (the plaintext's, and the signed bytes' for the signature).
//! * `openssl enc` (when the `openssl` command exists): `openssl enc
//!   -aes-128-cbc -K .. -iv .. -nopad` on a file of the same size in the
//!   temporary folder, timed from spawn to exit: process start and file
//!   I/O included.
//! * `fixed cost`: encrypt_and_sign and decrypt_with of an empty
//!   configuration (µs per file): the RSA operations and the header.
//!
//! Each figure is the median of interleaved rounds (every contender once
//! per round, in turn). `cargo bench -p cisco-itl-bench --bench encrypted`
//! prints the table; without `--bench` (as `cargo test --all-targets`
//! runs it) a smoke run on 16 KiB checks that every contender produces the
//! same bytes and that decryption gives the configuration back, and
//! measures nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use aes::Aes128;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::NoPadding};
use cisco_itl::DigestAlgorithm;
use cisco_itl::encrypted::{EncryptedFile, EncryptedFileBuilder};
use cisco_itl::key::Signer;
use cisco_itl::verify::{Policy, TrustAnchor};
use openssl::symm::{Cipher, Crypter, Mode};

const DEVICE: &str = "SEP0011215A1AE3";
const KEY: [u8; 16] = *b"0123456789abcdef";
const IV: [u8; 16] = *b"fedcba9876543210";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// A configuration of `size` bytes (XML-like text), a multiple of 16 so
/// that the raw ciphers see the same bytes as the file's payload.
fn configuration(size: usize) -> Vec<u8> {
    let line = b"<line><featureID>9</featureID><label>Line 1</label><name>1001</name></line>\n";
    let mut out = b"<device>\n".to_vec();
    while out.len() < size {
        out.extend_from_slice(line);
    }
    out.truncate(size);
    out
}

struct Setup {
    phone: Signer,
    tftp: Signer,
    trusted: [TrustAnchor; 1],
}

fn encrypt_file(s: &Setup, plain: &[u8], digest: DigestAlgorithm) -> Vec<u8> {
    EncryptedFileBuilder::new(DEVICE, plain.to_vec())
        .digest(digest)
        .timestamp(1_773_075_600)
        .encrypt_and_sign(s.phone.certificate(), &s.tftp)
        .unwrap()
}

fn decrypt_file(s: &Setup, bytes: &[u8]) -> usize {
    let file = EncryptedFile::parse(bytes).unwrap();
    file.decrypt_with(&s.trusted, &Policy::default(), &s.phone)
        .unwrap()
        .len()
}

/// AES-128-CBC in place over `buf` with the `aes` and `cbc` crates.
fn rustcrypto_in_place(encrypt: bool, buf: &mut [u8]) {
    let n = buf.len();
    if encrypt {
        cbc::Encryptor::<Aes128>::new((&KEY).into(), (&IV).into())
            .encrypt_padded::<NoPadding>(buf, n)
            .unwrap();
    } else {
        cbc::Decryptor::<Aes128>::new((&KEY).into(), (&IV).into())
            .decrypt_padded::<NoPadding>(buf)
            .unwrap();
    }
}

fn rustcrypto(encrypt: bool, data: &[u8]) -> Vec<u8> {
    let mut buf = data.to_vec();
    rustcrypto_in_place(encrypt, &mut buf);
    buf
}

/// AES-128-CBC from `data` into `out` (`data.len() + 16` bytes) with
/// libcrypto; the bytes written.
fn openssl_into(encrypt: bool, data: &[u8], out: &mut [u8]) -> usize {
    let mode = if encrypt {
        Mode::Encrypt
    } else {
        Mode::Decrypt
    };
    let mut c = Crypter::new(Cipher::aes_128_cbc(), mode, &KEY, Some(&IV)).unwrap();
    c.pad(false);
    let n = c.update(data, out).unwrap();
    n + c.finalize(&mut out[n..]).unwrap()
}

fn openssl_crate(encrypt: bool, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; data.len() + 16];
    let n = openssl_into(encrypt, data, &mut out);
    out.truncate(n);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `openssl enc` on `input` (a file), writing `output`; `None` when the
/// command is not there or fails.
fn openssl_command(encrypt: bool, input: &PathBuf, output: &PathBuf) -> Option<()> {
    let mut cmd = Command::new("openssl");
    cmd.args([
        "enc",
        "-aes-128-cbc",
        "-nopad",
        "-K",
        &hex(&KEY),
        "-iv",
        &hex(&IV),
    ]);
    if !encrypt {
        cmd.arg("-d");
    }
    let status = cmd
        .arg("-in")
        .arg(input)
        .arg("-out")
        .arg(output)
        .status()
        .ok()?;
    status.success().then_some(())
}

/// Runs `f` for at least `min` (at least once); seconds per call.
fn per_call(min: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut calls = 0u32;
    loop {
        f();
        calls += 1;
        if start.elapsed() >= min {
            break;
        }
    }
    start.elapsed().as_secs_f64() / f64::from(calls)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let setup = Setup {
        phone: Signer::from_pem(&read("../itl-core/tests/data/phone-SEP0011215A1AE3.pem")).unwrap(),
        tftp: Signer::from_pem(&read(
            "../itl-core/tests/data/vectors/keys/callmanager-pub.pem",
        ))
        .unwrap(),
        trusted: [TrustAnchor::from_certificate(
            Signer::from_pem(&read(
                "../itl-core/tests/data/vectors/keys/callmanager-pub.pem",
            ))
            .unwrap()
            .certificate(),
        )
        .unwrap()],
    };
    let tmp = std::env::temp_dir();
    let pid = std::process::id();
    let (clear_path, sealed_path, out_path) = (
        tmp.join(format!("itl-bench-{pid}.plain")),
        tmp.join(format!("itl-bench-{pid}.enc")),
        tmp.join(format!("itl-bench-{pid}.out")),
    );

    // Smoke (and a check before measuring): every contender gives the same
    // bytes, and a file decrypts to its configuration.
    let sizes: &[usize] = if full {
        &[64 * 1024, 1024 * 1024]
    } else {
        &[16 * 1024]
    };
    let mut has_command = true;
    for &size in sizes {
        let plain = configuration(size);
        let sealed = rustcrypto(true, &plain);
        assert_eq!(openssl_crate(true, &plain), sealed);
        assert_eq!(rustcrypto(false, &sealed), plain);
        assert_eq!(openssl_crate(false, &sealed), plain);
        std::fs::write(&clear_path, &plain).unwrap();
        std::fs::write(&sealed_path, &sealed).unwrap();
        if openssl_command(true, &clear_path, &out_path).is_some() {
            assert_eq!(std::fs::read(&out_path).unwrap(), sealed);
            openssl_command(false, &sealed_path, &out_path).unwrap();
            assert_eq!(std::fs::read(&out_path).unwrap(), plain);
        } else {
            has_command = false;
        }
        for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha512] {
            let file = encrypt_file(&setup, &plain, digest);
            let f = EncryptedFile::parse(&file).unwrap();
            assert_eq!(f.ciphertext().len(), size + 16);
            let back = f
                .decrypt_with(&setup.trusted, &Policy::default(), &setup.phone)
                .unwrap();
            assert_eq!(back.as_slice(), plain.as_slice());
        }
    }
    if !full {
        for p in [&clear_path, &sealed_path, &out_path] {
            let _ = std::fs::remove_file(p);
        }
        println!(
            "encrypted: smoke run passed (cargo bench -p cisco-itl-bench --bench encrypted measures)"
        );
        return;
    }

    let rounds = 9;
    let min = Duration::from_millis(150);
    println!(
        "encrypted configurations, median of {rounds} interleaved rounds; MB/s = 10^6 bytes of configuration a second"
    );
    println!("{:<44} {:>12} {:>12}", "", "64 KiB", "1 MiB");
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    let names = [
        "encrypt_and_sign, SHA-1",
        "encrypt_and_sign, SHA-512",
        "decrypt_with, SHA-1",
        "decrypt_with, SHA-512",
        "aes-cbc encrypt, RustCrypto (ours)",
        "aes-cbc encrypt, OpenSSL (openssl crate)",
        "aes-cbc decrypt, RustCrypto (ours)",
        "aes-cbc decrypt, OpenSSL (openssl crate)",
        "SHA-1 alone (cisco_itl::DigestAlgorithm)",
        "SHA-512 alone (cisco_itl::DigestAlgorithm)",
        "openssl enc -aes-128-cbc (process, files)",
        "openssl enc -d -aes-128-cbc (process, files)",
    ];
    for name in names {
        rows.push((name.to_string(), Vec::new()));
    }
    for &size in sizes {
        let plain = configuration(size);
        let sealed = rustcrypto(true, &plain);
        std::fs::write(&clear_path, &plain).unwrap();
        std::fs::write(&sealed_path, &sealed).unwrap();
        let files = [
            encrypt_file(&setup, &plain, DigestAlgorithm::Sha1),
            encrypt_file(&setup, &plain, DigestAlgorithm::Sha512),
        ];
        let mut scratch = plain.clone();
        let mut out = vec![0u8; size + 16];
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        for _ in 0..rounds {
            let mut t = Vec::new();
            for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha512] {
                t.push(per_call(min, || {
                    black_box(encrypt_file(&setup, black_box(&plain), digest));
                }));
            }
            for file in &files {
                t.push(per_call(min, || {
                    black_box(decrypt_file(&setup, black_box(file)));
                }));
            }
            // The ciphers alone: buffers allocated once, outside the loop
            // (RustCrypto in place, as the file's code runs it; OpenSSL
            // from the input into an output buffer).
            t.push(per_call(min, || {
                rustcrypto_in_place(true, black_box(&mut scratch));
            }));
            t.push(per_call(min, || {
                black_box(openssl_into(true, black_box(&plain), &mut out));
            }));
            t.push(per_call(min, || {
                rustcrypto_in_place(false, black_box(&mut scratch));
            }));
            t.push(per_call(min, || {
                black_box(openssl_into(false, black_box(&sealed), &mut out));
            }));
            // The digests the files make twice (the plaintext's and the
            // signature's).
            for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha512] {
                t.push(per_call(min, || {
                    black_box(digest.hash_parts(&[black_box(&plain)]));
                }));
            }
            if has_command {
                t.push(per_call(min, || {
                    openssl_command(true, &clear_path, &out_path).unwrap();
                }));
                t.push(per_call(min, || {
                    openssl_command(false, &sealed_path, &out_path).unwrap();
                }));
            }
            for (i, s) in t.into_iter().enumerate() {
                samples[i].push(s);
            }
        }
        for (i, s) in samples.into_iter().enumerate() {
            if !s.is_empty() {
                rows[i].1.push(size as f64 / median(s) / 1e6);
            }
        }
    }
    for (name, mbs) in &rows {
        if mbs.is_empty() {
            continue;
        }
        let cells: Vec<String> = mbs.iter().map(|m| format!("{m:>8.1} MB/s")).collect();
        println!("{name:<44} {}", cells.join(" "));
    }

    // The fixed cost of a file: an empty configuration.
    let empty_file = encrypt_file(&setup, b"", DigestAlgorithm::Sha1);
    let mut enc = Vec::new();
    let mut dec = Vec::new();
    for _ in 0..rounds {
        enc.push(per_call(min, || {
            black_box(encrypt_file(&setup, b"", DigestAlgorithm::Sha1));
        }));
        dec.push(per_call(min, || {
            black_box(decrypt_file(&setup, black_box(&empty_file)));
        }));
    }
    println!(
        "fixed cost per file (empty configuration, SHA-1): encrypt_and_sign {:.0} µs, decrypt_with {:.0} µs",
        median(enc) * 1e6,
        median(dec) * 1e6
    );
    for p in [&clear_path, &sealed_path, &out_path] {
        let _ = std::fs::remove_file(p);
    }
}
