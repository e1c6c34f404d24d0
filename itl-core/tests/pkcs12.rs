//! Loading the ITL recovery identity from PKCS#12 files.

use std::error::Error;

use cisco_itl::pkcs12::{Identity, Pkcs12Error};
use rsa::PrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};

type TestResult = Result<(), Box<dyn Error>>;

const KEYS: &str = "tests/data/vectors/keys";
const MODERN: &str = "ITLRecovery.p12";
const LEGACY: &str = "ITLRecovery-legacy.p12";

fn read(name: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    Ok(std::fs::read(format!("{KEYS}/{name}"))?)
}

fn password() -> Result<String, Box<dyn Error>> {
    let text = std::fs::read_to_string(format!("{KEYS}/ITLRecovery.password"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// The key and certificate DER from `itlrecovery.pem`.
fn expected() -> Result<(PrivateKey, Vec<u8>), Box<dyn Error>> {
    let pem = std::fs::read_to_string(format!("{KEYS}/itlrecovery.pem"))?;
    let (key_pem, cert_pem) = pem
        .split_once("-----BEGIN CERTIFICATE-----")
        .ok_or("no certificate in itlrecovery.pem")?;
    let key = PrivateKey::from_pkcs1_pem(key_pem.trim())?;
    let cert_pem = format!("-----BEGIN CERTIFICATE-----{cert_pem}");
    let (label, cert_der) = der::pem::decode_vec(cert_pem.trim().as_bytes())?;
    assert_eq!(label, "CERTIFICATE");
    Ok((key, cert_der))
}

fn load(name: &str) -> Result<Identity, Box<dyn Error>> {
    Ok(Identity::from_pkcs12(&read(name)?, &password()?)?)
}

fn assert_expected(identity: &Identity) -> TestResult {
    let (key, cert_der) = expected()?;
    assert_eq!(identity.key.n(), key.n());
    assert_eq!(identity.key.e(), key.e());
    assert_eq!(identity.key.d(), key.d());
    assert_eq!(
        identity.key.to_pkcs1_der()?.as_bytes(),
        key.to_pkcs1_der()?.as_bytes()
    );
    assert_eq!(identity.key, key);
    assert_eq!(identity.certificate_der, cert_der);
    Ok(())
}

#[test]
fn modern_file_gives_the_recovery_key_and_certificate() -> TestResult {
    assert_expected(&load(MODERN)?)
}

#[test]
fn legacy_file_gives_the_recovery_key_and_certificate() -> TestResult {
    assert_expected(&load(LEGACY)?)
}

#[test]
fn both_files_give_the_same_identity() -> TestResult {
    assert_eq!(load(MODERN)?, load(LEGACY)?);
    Ok(())
}

#[test]
fn password_file_trimmed_as_expected() -> TestResult {
    assert_eq!(password()?, "Cluster-Security-Pw1");
    Ok(())
}

#[test]
fn wrong_password_is_reported_as_such() -> TestResult {
    for name in [MODERN, LEGACY] {
        let p12 = read(name)?;
        for wrong in [
            "cluster-security-pw1",
            "Cluster-Security-Pw1 ",
            "Cluster-Security-Pw",
            "ü🔑",
        ] {
            assert_eq!(
                Identity::from_pkcs12(&p12, wrong),
                Err(Pkcs12Error::WrongPassword),
                "{name} with {wrong:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn empty_password_is_a_wrong_password() -> TestResult {
    for name in [MODERN, LEGACY] {
        assert_eq!(
            Identity::from_pkcs12(&read(name)?, ""),
            Err(Pkcs12Error::WrongPassword),
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn every_truncation_is_malformed() -> TestResult {
    let password = password()?;
    for name in [MODERN, LEGACY] {
        let p12 = read(name)?;
        for len in 0..p12.len() {
            let truncated = p12.get(..len).ok_or("length out of range")?;
            let result = Identity::from_pkcs12(truncated, &password);
            assert!(
                matches!(result, Err(Pkcs12Error::Malformed(_))),
                "{name} truncated to {len}: {result:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn trailing_garbage_is_malformed() -> TestResult {
    let mut p12 = read(MODERN)?;
    p12.push(0);
    let result = Identity::from_pkcs12(&p12, &password()?);
    assert!(
        matches!(result, Err(Pkcs12Error::Malformed(_))),
        "{result:?}"
    );
    Ok(())
}

#[test]
fn flipped_byte_in_the_middle_fails_the_mac() -> TestResult {
    let password = password()?;
    for name in [MODERN, LEGACY] {
        let mut p12 = read(name)?;
        let middle = p12.len() / 2;
        let byte = p12.get_mut(middle).ok_or("empty file")?;
        *byte ^= 0x01;
        // The middle of the file is ciphertext covered by the MAC: a wrong
        // MAC, not a parse error, and nothing is decrypted.
        assert_eq!(
            Identity::from_pkcs12(&p12, &password),
            Err(Pkcs12Error::WrongPassword),
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn flipped_bytes_anywhere_are_errors_not_panics() -> TestResult {
    let password = password()?;
    for name in [MODERN, LEGACY] {
        let p12 = read(name)?;
        for position in (0..p12.len()).step_by(23) {
            let mut corrupt = p12.clone();
            let byte = corrupt.get_mut(position).ok_or("out of range")?;
            *byte ^= 0x80;
            let result = Identity::from_pkcs12(&corrupt, &password);
            assert!(
                matches!(
                    result,
                    Err(Pkcs12Error::Malformed(_)
                        | Pkcs12Error::WrongPassword
                        | Pkcs12Error::UnsupportedAlgorithm(_))
                ),
                "{name} with byte {position} flipped: {result:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn not_pkcs12_is_malformed() -> TestResult {
    let pem = read("itlrecovery.pem")?;
    let (_, cert_der) = expected()?;
    for input in [&b""[..], &pem, &cert_der] {
        let result = Identity::from_pkcs12(input, "Cluster-Security-Pw1");
        assert!(
            matches!(result, Err(Pkcs12Error::Malformed(_))),
            "{result:?}"
        );
    }
    Ok(())
}

#[test]
fn errors_display() {
    assert!(Pkcs12Error::WrongPassword.to_string().contains("password"));
    let oid = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.1");
    assert!(
        Pkcs12Error::UnsupportedAlgorithm(oid)
            .to_string()
            .contains("1.2.840.113549.1.12.1.1")
    );
}

#[test]
fn a_negative_mac_iteration_count_is_refused_before_any_work() -> TestResult {
    // The MAC's iteration count (INTEGER 2048: 02 02 08 00) ends the file.
    let mut p12 = read(MODERN)?;
    let at = p12
        .windows(4)
        .rposition(|w| w == [2, 2, 8, 0])
        .ok_or("no MAC iteration count")?;
    if let Some(b) = p12.get_mut(at + 2) {
        *b = 0x80;
    }
    assert_eq!(
        Identity::from_pkcs12(&p12, &password()?),
        Err(Pkcs12Error::BadIterationCount(-32768))
    );
    Ok(())
}
