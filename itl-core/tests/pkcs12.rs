//! Loading the ITL recovery identity from PKCS#12 files.
#![cfg(test)]

use std::error::Error;
use std::sync::OnceLock;

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

// ---------------------------------------------------------------------------
// Key-derivation costs. The hostile files are the fixtures taken apart with
// the `pkcs12`/`pkcs5` types, their KDF parameters changed, and put back
// together with a recomputed MAC (the MAC covers the bags' encryption
// parameters, so without it every file would fail as `WrongPassword`).
// No test times anything: a typed error naming the cost and its limit,
// returned without a panic, an abort or a long run, is the proof that the
// check comes before the work (debug builds derive keys 30-75 times slower
// than release ones, so even a cost at the limit is never derived here).

use cisco_itl::pkcs12::{
    KdfCost, MAX_BAG_DECRYPTIONS, MAX_MAC_ITERATIONS, MAX_PBE_ITERATIONS, MAX_PBKDF2_ITERATIONS,
    MAX_PBKDF2_SHA512_ITERATIONS, MAX_SCRYPT_N, MAX_SCRYPT_P, MAX_SCRYPT_R,
};
use der::asn1::{Any, ContextSpecific, OctetString};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode};
use hmac::{EagerHash, Hmac, KeyInit, Mac};
use pkcs5::pbes2::{self, Kdf, Pbkdf2Params, Pbkdf2Prf, Salt, ScryptParams};
use pkcs12::cms::{content_info::ContentInfo, encrypted_data::EncryptedData};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use sha1::digest::{Digest, FixedOutputReset, block_api::BlockSizeUser};
use spki::AlgorithmIdentifierOwned;

const PASSWORD: &str = "Cluster-Security-Pw1";
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const MD5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");

/// Where in a fixture a KDF is changed: the encryptedData holding the
/// certificate (decrypted first), or the shrouded key bag.
#[derive(Debug, Clone, Copy)]
enum Place {
    Certs,
    Key,
}

const PLACES: [Place; 2] = [Place::Certs, Place::Key];

/// A fixture taken apart: the PFX and its authenticated safe's contents,
/// `[encryptedData (certificate), data (shrouded key bag)]` in both files.
struct Parts {
    pfx: Pfx,
    contents: Vec<ContentInfo>,
}

impl Parts {
    fn of(name: &str) -> Result<Self, Box<dyn Error>> {
        Self::from_der(&read(name)?, name)
    }

    fn from_der(der: &[u8], name: &str) -> Result<Self, Box<dyn Error>> {
        let pfx = Pfx::from_der(der)?;
        let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>()?;
        let contents = Vec::<ContentInfo>::from_der(auth_safe.as_bytes())?;
        let types: Vec<_> = contents.iter().map(|c| c.content_type).collect();
        assert_eq!(types, [ID_ENCRYPTED_DATA, ID_DATA], "{name}");
        Ok(Self { pfx, contents })
    }

    fn content(&mut self, index: usize) -> Result<&mut ContentInfo, Box<dyn Error>> {
        Ok(self.contents.get_mut(index).ok_or("no such content")?)
    }

    /// Edits the certificates' encryption algorithm and ciphertext.
    fn edit_certs(
        &mut self,
        edit: impl FnOnce(&mut AlgorithmIdentifierOwned, &mut OctetString) -> TestResult,
    ) -> TestResult {
        let content = self.content(0)?;
        let mut encrypted = content.content.decode_as::<EncryptedData>()?;
        let info = &mut encrypted.enc_content_info;
        let ciphertext = info.encrypted_content.as_mut().ok_or("no ciphertext")?;
        edit(&mut info.content_enc_alg, ciphertext)?;
        content.content = Any::encode_from(&encrypted)?;
        Ok(())
    }

    /// Edits the list of bags of the key's (plain) data content.
    fn edit_key_bags(&mut self, edit: impl FnOnce(&mut Vec<SafeBag>) -> TestResult) -> TestResult {
        let content = self.content(1)?;
        let data = content.content.decode_as::<OctetString>()?;
        let mut bags = Vec::<SafeBag>::from_der(data.as_bytes())?;
        edit(&mut bags)?;
        let mut der = Vec::new();
        for bag in &bags {
            der.extend(encode_bag(bag)?);
        }
        let der = Any::new(der::Tag::Sequence, der)?.to_der()?;
        content.content = Any::encode_from(&OctetString::new(der)?)?;
        Ok(())
    }

    /// Edits the shrouded key bag's encryption algorithm and ciphertext.
    fn edit_key(
        &mut self,
        edit: impl FnOnce(&mut AlgorithmIdentifierOwned, &mut OctetString) -> TestResult,
    ) -> TestResult {
        self.edit_key_bags(|bags| {
            let [bag] = bags.as_mut_slice() else {
                return Err("not exactly one key bag".into());
            };
            edit_shrouded(bag, edit)
        })
    }

    fn edit(
        &mut self,
        place: Place,
        edit: impl FnOnce(&mut AlgorithmIdentifierOwned, &mut OctetString) -> TestResult,
    ) -> TestResult {
        match place {
            Place::Certs => self.edit_certs(edit),
            Place::Key => self.edit_key(edit),
        }
    }

    /// The file with the MAC recomputed over the edited contents.
    fn assemble(mut self) -> Result<Vec<u8>, Box<dyn Error>> {
        let auth_safe = self.contents.to_der()?;
        let mac_data = self.pfx.mac_data.as_mut().ok_or("no MAC")?;
        let digest = mac(
            mac_data.mac.algorithm.oid,
            mac_data.mac_salt.as_bytes(),
            mac_data.iterations,
            &auth_safe,
        )?;
        mac_data.mac.digest = OctetString::new(digest)?;
        self.pfx.auth_safe.content = Any::encode_from(&OctetString::new(auth_safe)?)?;
        Ok(self.pfx.to_der()?)
    }

    /// The file as it is (no MAC recomputed): for MAC edits.
    fn encode(&self) -> Result<Vec<u8>, Box<dyn Error>> {
        Ok(self.pfx.to_der()?)
    }

    fn load(self) -> Result<Result<Identity, Pkcs12Error>, Box<dyn Error>> {
        Ok(Identity::from_pkcs12(&self.assemble()?, PASSWORD))
    }
}

/// A safe bag's DER. `pkcs12`'s own encoder wraps `bag_value`, which holds
/// the whole `[0]` field, in a second `[0]`.
fn encode_bag(bag: &SafeBag) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut value = bag.bag_id.to_der()?;
    value.extend_from_slice(&bag.bag_value);
    if let Some(attributes) = &bag.bag_attributes {
        value.extend(attributes.to_der()?);
    }
    Ok(Any::new(der::Tag::Sequence, value)?.to_der()?)
}

fn edit_shrouded(
    bag: &mut SafeBag,
    edit: impl FnOnce(&mut AlgorithmIdentifierOwned, &mut OctetString) -> TestResult,
) -> TestResult {
    assert_eq!(bag.bag_id, pkcs12::PKCS_12_PKCS8_KEY_BAG_OID);
    let mut shrouded = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)?;
    let info = &mut shrouded.value;
    edit(&mut info.encryption_algorithm, &mut info.encrypted_data)?;
    bag.bag_value = shrouded.to_der()?;
    Ok(())
}

/// The PKCS#12 MAC of `data` with the fixtures' password.
fn mac(
    algorithm: ObjectIdentifier,
    salt: &[u8],
    iterations: i32,
    data: &[u8],
) -> Result<Vec<u8>, Box<dyn Error>> {
    fn with<D>(salt: &[u8], iterations: i32, data: &[u8]) -> Result<Vec<u8>, Box<dyn Error>>
    where
        D: Digest + FixedOutputReset + BlockSizeUser + EagerHash,
    {
        let password: Vec<u8> = PASSWORD
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_be_bytes)
            .collect();
        let key = derive_key::<D>(
            &password,
            salt,
            Pkcs12KeyType::Mac,
            iterations,
            <D as Digest>::output_size(),
        );
        let mut mac = <Hmac<D> as KeyInit>::new_from_slice(&key)?;
        mac.update(data);
        Ok(mac.finalize().into_bytes().to_vec())
    }
    match algorithm {
        oid if oid == sha1::Sha1::OID => with::<sha1::Sha1>(salt, iterations, data),
        oid if oid == sha2::Sha256::OID => with::<sha2::Sha256>(salt, iterations, data),
        oid => Err(format!("fixture MAC algorithm {oid}").into()),
    }
}

/// The PBES2 parameters of `algorithm`.
fn pbes2_params(algorithm: &AlgorithmIdentifierOwned) -> Result<pbes2::Parameters, Box<dyn Error>> {
    assert_eq!(algorithm.oid, pbes2::PBES2_OID);
    let params = algorithm.parameters.as_ref().ok_or("no PBES2 parameters")?;
    Ok(pbes2::Parameters::try_from(params.to_ref())?)
}

fn pbes2_algorithm(params: &pbes2::Parameters) -> Result<AlgorithmIdentifierOwned, Box<dyn Error>> {
    Ok(AlgorithmIdentifierOwned {
        oid: pbes2::PBES2_OID,
        parameters: Some(Any::encode_from(params)?),
    })
}

/// Replaces the KDF of a PBES2 `algorithm`, keeping its cipher (and the
/// ciphertext, which the new key will not decrypt).
fn set_kdf(algorithm: &mut AlgorithmIdentifierOwned, kdf: Kdf) -> TestResult {
    let mut params = pbes2_params(algorithm)?;
    params.kdf = kdf;
    *algorithm = pbes2_algorithm(&params)?;
    Ok(())
}

/// Re-encrypts a PBES2-encrypted ciphertext with a key derived by `kdf`.
fn reencrypt(
    algorithm: &mut AlgorithmIdentifierOwned,
    ciphertext: &mut OctetString,
    kdf: Kdf,
) -> TestResult {
    let mut params = pbes2_params(algorithm)?;
    let plaintext = params.decrypt(PASSWORD, ciphertext.as_bytes())?;
    params.kdf = kdf;
    *ciphertext = OctetString::new(params.encrypt(PASSWORD, &plaintext)?)?;
    *algorithm = pbes2_algorithm(&params)?;
    Ok(())
}

fn scrypt(n: u64, r: u16, p: u16) -> Result<Kdf, Box<dyn Error>> {
    Ok(Kdf::Scrypt(ScryptParams {
        salt: Salt::new([0x5a; 16])?,
        cost_parameter: n,
        block_size: r,
        parallelization: p,
        key_length: None,
    }))
}

fn pbkdf2(iterations: u32, prf: Pbkdf2Prf) -> Result<Kdf, Box<dyn Error>> {
    Ok(Kdf::Pbkdf2(Pbkdf2Params {
        salt: Salt::new([0xa5; 16])?,
        iteration_count: iterations,
        key_length: None,
        prf,
    }))
}

/// The given KDF with an explicit key length of 16 bytes, which AES-256
/// (both fixtures' PBES2 cipher) refuses before deriving anything.
fn with_wrong_key_length(mut kdf: Kdf) -> Kdf {
    match &mut kdf {
        Kdf::Pbkdf2(params) => params.key_length = Some(16),
        Kdf::Scrypt(params) => params.key_length = Some(16),
        _ => {}
    }
    kdf
}

/// The modern fixture with its certificates re-encrypted with OpenSSL's
/// default 2048 PBKDF2 iterations instead of 20,000, so that the tests which
/// change the key bag's KDF, decrypting the certificates first, stay quick
/// in a debug build.
fn quick_modern() -> Result<Vec<u8>, Box<dyn Error>> {
    static QUICK: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(der) = QUICK.get() {
        return Ok(der.clone());
    }
    let mut parts = Parts::of(MODERN)?;
    parts.edit_certs(|algorithm, ciphertext| {
        reencrypt(
            algorithm,
            ciphertext,
            pbkdf2(2048, Pbkdf2Prf::HmacWithSha256)?,
        )
    })?;
    let der = parts.assemble()?;
    Ok(QUICK.get_or_init(|| der).clone())
}

/// Loads the modern fixture, with its certificates re-encrypted quickly,
/// with the KDF at `place` replaced by `kdf`.
fn modern_with_kdf(
    place: Place,
    kdf: Kdf,
) -> Result<Result<Identity, Pkcs12Error>, Box<dyn Error>> {
    let mut parts = Parts::from_der(&quick_modern()?, "quick modern")?;
    parts.edit(place, |algorithm, _| set_kdf(algorithm, kdf))?;
    parts.load()
}

/// Loads the legacy fixture with the PBE iteration count at `place` set to
/// `iterations`, and the ciphertext cut to `ciphertext_len` if given.
fn legacy_with_iterations(
    place: Place,
    iterations: i32,
    ciphertext_len: Option<usize>,
) -> Result<Result<Identity, Pkcs12Error>, Box<dyn Error>> {
    let mut parts = Parts::of(LEGACY)?;
    parts.edit(place, |algorithm, ciphertext| {
        assert_eq!(
            algorithm.oid,
            pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC
        );
        let params = algorithm.parameters.as_ref().ok_or("no PBE parameters")?;
        let mut params = params.decode_as::<Pkcs12PbeParams>()?;
        params.iterations = iterations;
        algorithm.parameters = Some(Any::encode_from(&params)?);
        if let Some(len) = ciphertext_len {
            let cut = ciphertext.as_bytes().get(..len).ok_or("short ciphertext")?;
            *ciphertext = OctetString::new(cut)?;
        }
        Ok(())
    })?;
    parts.load()
}

fn too_high(cost: KdfCost, value: u64, limit: u64) -> Result<Identity, Pkcs12Error> {
    Err(Pkcs12Error::KdfCostTooHigh { cost, value, limit })
}

fn invalid(cost: KdfCost, value: i64) -> Result<Identity, Pkcs12Error> {
    Err(Pkcs12Error::KdfCostInvalid { cost, value })
}

#[test]
fn taking_a_fixture_apart_and_back_gives_the_same_bytes() -> TestResult {
    for name in [MODERN, LEGACY] {
        let mut parts = Parts::of(name)?;
        parts.edit_certs(|_, _| Ok(()))?;
        parts.edit_key(|_, _| Ok(()))?;
        assert_eq!(parts.assemble()?, read(name)?, "{name}");
    }
    Ok(())
}

#[test]
fn a_reencrypted_file_still_loads() -> TestResult {
    assert_expected(&Identity::from_pkcs12(&quick_modern()?, PASSWORD)?)?;
    // The helpers make files the loader accepts: scrypt (as OpenSSL 3 and
    // `pkcs5` write it, with a smaller N to keep the debug build quick)
    // and PBKDF2-HMAC-SHA-512 both pass the cost checks and decrypt.
    let mut parts = Parts::of(MODERN)?;
    parts.edit_certs(|algorithm, ciphertext| {
        reencrypt(algorithm, ciphertext, scrypt(1 << 10, 8, 1)?)
    })?;
    parts.edit_key(|algorithm, ciphertext| {
        reencrypt(
            algorithm,
            ciphertext,
            pbkdf2(2048, Pbkdf2Prf::HmacWithSha512)?,
        )
    })?;
    assert_expected(&parts.load()??)
}

#[test]
fn invalid_scrypt_parameters_are_typed_errors_not_panics() -> TestResult {
    // N = 0 used to panic inside `pkcs5` (log2 of 0).
    let cases = [
        (0, 8, 1, invalid(KdfCost::ScryptN, 0)),
        (1, 8, 1, invalid(KdfCost::ScryptN, 1)),
        (3, 8, 1, invalid(KdfCost::ScryptN, 3)),
        (
            (1 << 14) + 1,
            8,
            1,
            invalid(KdfCost::ScryptN, (1 << 14) + 1),
        ),
        (1 << 14, 0, 1, invalid(KdfCost::ScryptR, 0)),
        (1 << 14, 8, 0, invalid(KdfCost::ScryptP, 0)),
        (1 << 14, 0, 0, invalid(KdfCost::ScryptR, 0)),
    ];
    for place in PLACES {
        for (n, r, p, expected) in &cases {
            assert_eq!(
                &modern_with_kdf(place, scrypt(*n, *r, *p)?)?,
                expected,
                "{place:?} N={n} r={r} p={p}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_huge_scrypt_n_is_refused_not_allocated() -> TestResult {
    // N = 2^40 with r = 8 is a 128 TiB table: it used to abort the process.
    for place in PLACES {
        for n in [1 << 40, 1 << 63, u64::MAX] {
            assert_eq!(
                modern_with_kdf(place, scrypt(n, 8, 1)?)?,
                too_high(KdfCost::ScryptN, n, MAX_SCRYPT_N),
                "{place:?} N={n}"
            );
        }
    }
    Ok(())
}

#[test]
fn scrypt_n_2_21_is_refused_before_any_work() -> TestResult {
    // 2 GiB and 9 s in a release build before the limit.
    for place in PLACES {
        assert_eq!(
            modern_with_kdf(place, scrypt(1 << 21, 8, 1)?)?,
            too_high(KdfCost::ScryptN, 1 << 21, MAX_SCRYPT_N),
            "{place:?}"
        );
        assert_eq!(
            modern_with_kdf(place, scrypt(MAX_SCRYPT_N * 2, 8, 1)?)?,
            too_high(KdfCost::ScryptN, MAX_SCRYPT_N * 2, MAX_SCRYPT_N),
            "{place:?}"
        );
    }
    Ok(())
}

#[test]
fn scrypt_r_and_p_above_their_limits_are_refused() -> TestResult {
    let r_limit = u64::from(MAX_SCRYPT_R);
    let p_limit = u64::from(MAX_SCRYPT_P);
    for place in PLACES {
        for r in [MAX_SCRYPT_R + 1, u16::MAX] {
            assert_eq!(
                modern_with_kdf(place, scrypt(1 << 14, r, 1)?)?,
                too_high(KdfCost::ScryptR, r.into(), r_limit),
                "{place:?} r={r}"
            );
        }
        for p in [MAX_SCRYPT_P + 1, u16::MAX] {
            assert_eq!(
                modern_with_kdf(place, scrypt(1 << 14, 8, p)?)?,
                too_high(KdfCost::ScryptP, p.into(), p_limit),
                "{place:?} p={p}"
            );
        }
    }
    Ok(())
}

#[test]
fn pbkdf2_iteration_counts_above_the_limit_are_refused() -> TestResult {
    // 2^32 - 1 iterations of PBKDF2-HMAC-SHA-256 used to run 11 minutes.
    let limit = u64::from(MAX_PBKDF2_ITERATIONS);
    let sha512_limit = u64::from(MAX_PBKDF2_SHA512_ITERATIONS);
    for place in PLACES {
        for iterations in [u32::MAX, 1 << 31, (1 << 31) - 1, MAX_PBKDF2_ITERATIONS + 1] {
            for prf in [
                Pbkdf2Prf::HmacWithSha1,
                Pbkdf2Prf::HmacWithSha224,
                Pbkdf2Prf::HmacWithSha256,
            ] {
                assert_eq!(
                    modern_with_kdf(place, pbkdf2(iterations, prf)?)?,
                    too_high(KdfCost::Pbkdf2Iterations, iterations.into(), limit),
                    "{place:?} {prf:?} {iterations}"
                );
            }
        }
        for iterations in [u32::MAX, MAX_PBKDF2_SHA512_ITERATIONS + 1] {
            for prf in [Pbkdf2Prf::HmacWithSha384, Pbkdf2Prf::HmacWithSha512] {
                assert_eq!(
                    modern_with_kdf(place, pbkdf2(iterations, prf)?)?,
                    too_high(KdfCost::Pbkdf2Iterations, iterations.into(), sha512_limit),
                    "{place:?} {prf:?} {iterations}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn zero_pbkdf2_iterations_are_invalid() -> TestResult {
    for place in PLACES {
        assert_eq!(
            modern_with_kdf(place, pbkdf2(0, Pbkdf2Prf::HmacWithSha256)?)?,
            invalid(KdfCost::Pbkdf2Iterations, 0),
            "{place:?}"
        );
    }
    Ok(())
}

#[test]
fn legacy_pbe_iteration_counts_above_the_limit_are_refused() -> TestResult {
    // 2^31 - 1 iterations used to run 9 minutes.
    let limit = u64::from(MAX_PBE_ITERATIONS.unsigned_abs());
    for place in PLACES {
        for iterations in [i32::MAX, MAX_PBE_ITERATIONS + 1] {
            assert_eq!(
                legacy_with_iterations(place, iterations, None)?,
                too_high(
                    KdfCost::PbeIterations,
                    iterations.unsigned_abs().into(),
                    limit
                ),
                "{place:?} {iterations}"
            );
        }
    }
    Ok(())
}

#[test]
fn zero_or_negative_legacy_pbe_iterations_are_invalid() -> TestResult {
    for place in PLACES {
        for iterations in [0, -1, i32::MIN] {
            assert_eq!(
                legacy_with_iterations(place, iterations, None)?,
                invalid(KdfCost::PbeIterations, iterations.into()),
                "{place:?} {iterations}"
            );
        }
    }
    Ok(())
}

#[test]
fn mac_iteration_counts_out_of_range_are_refused() -> TestResult {
    for name in [MODERN, LEGACY] {
        for iterations in [0, -1, i32::MIN, MAX_MAC_ITERATIONS + 1, i32::MAX] {
            let mut parts = Parts::of(name)?;
            parts.pfx.mac_data.as_mut().ok_or("no MAC")?.iterations = iterations;
            assert_eq!(
                Identity::from_pkcs12(&parts.encode()?, PASSWORD),
                Err(Pkcs12Error::BadIterationCount(iterations)),
                "{name} {iterations}"
            );
        }
    }
    Ok(())
}

#[test]
fn costs_at_the_limits_get_past_the_cost_checks() -> TestResult {
    // Each file below is at a limit and is stopped by a cheap check that
    // comes after the cost check and before any derivation: an explicit
    // PBES2 key length that AES-256 refuses, a 3DES ciphertext of 7 bytes,
    // an unsupported MAC digest. One above the limit, the same file is
    // refused by the cost check. (A full load at the limits takes about a
    // second in a release build but a minute in a debug one.)
    let pbkdf2_limit = u64::from(MAX_PBKDF2_ITERATIONS);
    let sha512_limit = u64::from(MAX_PBKDF2_SHA512_ITERATIONS);
    let scrypt_at_limits = scrypt(MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P)?;
    let pbes2_at_limits = [
        (
            pbkdf2(MAX_PBKDF2_ITERATIONS, Pbkdf2Prf::HmacWithSha1)?,
            pbkdf2(MAX_PBKDF2_ITERATIONS + 1, Pbkdf2Prf::HmacWithSha1)?,
            too_high(KdfCost::Pbkdf2Iterations, pbkdf2_limit + 1, pbkdf2_limit),
        ),
        (
            pbkdf2(MAX_PBKDF2_ITERATIONS, Pbkdf2Prf::HmacWithSha256)?,
            pbkdf2(MAX_PBKDF2_ITERATIONS + 1, Pbkdf2Prf::HmacWithSha256)?,
            too_high(KdfCost::Pbkdf2Iterations, pbkdf2_limit + 1, pbkdf2_limit),
        ),
        (
            pbkdf2(MAX_PBKDF2_SHA512_ITERATIONS, Pbkdf2Prf::HmacWithSha512)?,
            pbkdf2(MAX_PBKDF2_SHA512_ITERATIONS + 1, Pbkdf2Prf::HmacWithSha512)?,
            too_high(KdfCost::Pbkdf2Iterations, sha512_limit + 1, sha512_limit),
        ),
        (
            scrypt_at_limits.clone(),
            scrypt(MAX_SCRYPT_N * 2, MAX_SCRYPT_R, MAX_SCRYPT_P)?,
            too_high(KdfCost::ScryptN, MAX_SCRYPT_N * 2, MAX_SCRYPT_N),
        ),
        (
            scrypt_at_limits.clone(),
            scrypt(MAX_SCRYPT_N, MAX_SCRYPT_R + 1, MAX_SCRYPT_P)?,
            too_high(
                KdfCost::ScryptR,
                u64::from(MAX_SCRYPT_R) + 1,
                MAX_SCRYPT_R.into(),
            ),
        ),
        (
            scrypt_at_limits,
            scrypt(MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P + 1)?,
            too_high(
                KdfCost::ScryptP,
                u64::from(MAX_SCRYPT_P) + 1,
                MAX_SCRYPT_P.into(),
            ),
        ),
    ];
    for place in PLACES {
        for (at_limit, above, refused) in &pbes2_at_limits {
            assert_eq!(
                modern_with_kdf(place, with_wrong_key_length(at_limit.clone()))?,
                Err(Pkcs12Error::DecryptionFailed),
                "{place:?} {at_limit:?}"
            );
            assert_eq!(
                &modern_with_kdf(place, with_wrong_key_length(above.clone()))?,
                refused,
                "{place:?} {above:?}"
            );
        }
        assert_eq!(
            legacy_with_iterations(place, MAX_PBE_ITERATIONS, Some(7))?,
            Err(Pkcs12Error::DecryptionFailed),
            "{place:?}"
        );
        assert_eq!(
            legacy_with_iterations(place, MAX_PBE_ITERATIONS + 1, Some(7))?,
            too_high(
                KdfCost::PbeIterations,
                u64::from(MAX_PBE_ITERATIONS.unsigned_abs()) + 1,
                MAX_PBE_ITERATIONS.unsigned_abs().into()
            ),
            "{place:?}"
        );
    }
    for name in [MODERN, LEGACY] {
        for (iterations, expected) in [
            (MAX_MAC_ITERATIONS, Pkcs12Error::UnsupportedAlgorithm(MD5)),
            (
                MAX_MAC_ITERATIONS + 1,
                Pkcs12Error::BadIterationCount(MAX_MAC_ITERATIONS + 1),
            ),
        ] {
            let mut parts = Parts::of(name)?;
            let mac_data = parts.pfx.mac_data.as_mut().ok_or("no MAC")?;
            mac_data.iterations = iterations;
            mac_data.mac.algorithm.oid = MD5;
            assert_eq!(
                Identity::from_pkcs12(&parts.encode()?, PASSWORD),
                Err(expected),
                "{name} {iterations}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_third_bag_decryption_is_refused_before_its_derivation() -> TestResult {
    // Two more copies of the certificates' container, the last one with a
    // cost that would be refused: the count is checked first.
    let mut parts = Parts::of(MODERN)?;
    let certs = parts.content(0)?.clone();
    parts.edit_certs(|algorithm, _| set_kdf(algorithm, scrypt(1 << 40, 8, 1)?))?;
    parts.contents.insert(0, certs.clone());
    parts.contents.insert(0, certs);
    assert_eq!(
        parts.load()?,
        Err(Pkcs12Error::TooManyBagDecryptions {
            limit: MAX_BAG_DECRYPTIONS
        })
    );
    assert_eq!(MAX_BAG_DECRYPTIONS, 2);
    // Two copies make three decryptions with the key bag: refused too.
    let mut parts = Parts::of(MODERN)?;
    let certs = parts.content(0)?.clone();
    parts.contents.push(certs);
    assert_eq!(
        parts.load()?,
        Err(Pkcs12Error::TooManyBagDecryptions {
            limit: MAX_BAG_DECRYPTIONS
        })
    );
    Ok(())
}

#[test]
fn shrouded_key_bags_after_the_first_key_are_not_decrypted() -> TestResult {
    let hostile = scrypt(1 << 40, 8, 1)?;
    // A second key bag with a refused cost: never looked at.
    let mut parts = Parts::of(MODERN)?;
    parts.edit_key_bags(|bags| {
        let mut second = bags.first().ok_or("no key bag")?.clone();
        edit_shrouded(&mut second, |algorithm, _| {
            set_kdf(algorithm, hostile.clone())
        })?;
        bags.push(second);
        Ok(())
    })?;
    assert_expected(&parts.load()??)?;
    // The same bag first: refused.
    let mut parts = Parts::of(MODERN)?;
    parts.edit_key_bags(|bags| {
        let mut first = bags.first().ok_or("no key bag")?.clone();
        edit_shrouded(&mut first, |algorithm, _| set_kdf(algorithm, hostile))?;
        bags.insert(0, first);
        Ok(())
    })?;
    assert_eq!(
        parts.load()?,
        too_high(KdfCost::ScryptN, 1 << 40, MAX_SCRYPT_N)
    );
    Ok(())
}

#[test]
fn kdf_cost_errors_display() {
    let err = Pkcs12Error::KdfCostTooHigh {
        cost: KdfCost::Pbkdf2Iterations,
        value: u32::MAX.into(),
        limit: MAX_PBKDF2_ITERATIONS.into(),
    };
    assert_eq!(
        err.to_string(),
        "the PBKDF2 iteration count 4294967295 is above the limit 1000000"
    );
    let err = Pkcs12Error::KdfCostInvalid {
        cost: KdfCost::ScryptN,
        value: 0,
    };
    assert_eq!(err.to_string(), "the scrypt cost N 0 is invalid");
    let err = Pkcs12Error::KdfCostInvalid {
        cost: KdfCost::PbeIterations,
        value: -1,
    };
    assert_eq!(
        err.to_string(),
        "the PKCS#12 PBE iteration count -1 is invalid"
    );
    for (cost, name) in [
        (KdfCost::ScryptR, "scrypt block size r"),
        (KdfCost::ScryptP, "scrypt parallelisation p"),
    ] {
        assert_eq!(cost.to_string(), name);
    }
    assert_eq!(
        Pkcs12Error::TooManyBagDecryptions { limit: 2 }.to_string(),
        "the PKCS#12 file has more than 2 password-encrypted bags"
    );
}
