//! ITL recovery (`utils itl reset`): the current ITL re-signed, unchanged
//! otherwise, by the ITLRecovery key, so that phones holding an ITL with
//! the ITLRECOVERY SAST record accept it.

use alloc::vec::Vec;

use crate::cert::{CertInfo, RecordFields};
use crate::function::Function;
use crate::pkcs12::Identity;
use crate::sign::SignError;
use crate::trust_list::TrustList;
use crate::verify::{Policy, TrustAnchor, VerifyError, VerifyingKey, record_key};
use crate::write::{SignerId, TrustListBuf};

/// Why a reset was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryError {
    /// The recovery certificate does not parse.
    #[error("the recovery certificate is unusable: {0}")]
    Certificate(#[from] crate::cert::CertError),
    /// The recovery key is not the certificate's.
    #[error("the recovery key does not match its certificate")]
    KeyMismatch,
    /// The key cannot sign a trust list.
    #[error(transparent)]
    Key(#[from] crate::key::KeyError),
    /// The ITL has no SAST record for the recovery certificate (same
    /// issuer, serial and key): no phone could accept the result.
    #[error("the ITL carries no SAST record for the recovery certificate")]
    NoRecoveryRecord,
    /// The current ITL's own signature does not verify: it is not re-signed.
    #[error("the current ITL does not verify, so it is not re-signed: {0}")]
    NotVerified(VerifyError),
    /// The current ITL does not verify against the certificates the caller
    /// trusts.
    #[error("the current ITL is not signed by a trusted certificate: {0}")]
    NotTrusted(VerifyError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// Re-signs `current` with the recovery identity, after checking that
/// `current` is a genuine ITL: its own signature must verify (against its
/// own signing record, under the default [`Policy`]), so that a tampered
/// ITL is never laundered through the recovery key.
///
/// Records, filename, timestamp, version and digest are kept; the header
/// names the recovery certificate as its SAST record writes it. PKCS#1
/// v1.5 being deterministic, the result is the same bytes CUCM produces.
///
/// The recovery record is found by issuer, serial *and* key: a SAST record
/// whose serial and issuer are the certificate's but whose key is another
/// is not the recovery record ([`RecoveryError::NoRecoveryRecord`]).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{TrustList, pkcs12::Identity, recovery::reset};
/// let itl = std::fs::read(format!("{dir}/vectors/cucm-ITLFile.tlv")).unwrap();
/// let p12 = std::fs::read(format!("{dir}/vectors/keys/ITLRecovery.p12")).unwrap();
/// let id = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1").unwrap();
/// let out = reset(&TrustList::parse(&itl).unwrap(), &id).unwrap();
/// assert_eq!(out, std::fs::read(format!("{dir}/vectors/cucm-ITLFile-reset.tlv")).unwrap());
/// ```
pub fn reset(current: &TrustList<'_>, identity: &Identity) -> Result<Vec<u8>, RecoveryError> {
    reset_trusting(current, identity, &[])
}

/// As [`reset`], and when `trusted` is not empty, `current` must also
/// verify against one of those anchors (for instance the publisher's
/// `CallManager.pem`, so that only the cluster's own ITL is re-signed).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{TrustList, cert::CertInfo, pkcs12::Identity, verify::TrustAnchor};
/// use cisco_itl::recovery::{RecoveryError, reset_trusting};
/// let itl = std::fs::read(format!("{dir}/vectors/cucm-ITLFile.tlv")).unwrap();
/// let p12 = std::fs::read(format!("{dir}/vectors/keys/ITLRecovery.p12")).unwrap();
/// let id = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1").unwrap();
/// let other = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/tvs-sub1.pem")).unwrap()).unwrap();
/// let err = reset_trusting(&TrustList::parse(&itl).unwrap(), &id, &[TrustAnchor::from_certificate(&other).unwrap()]);
/// assert!(matches!(err, Err(RecoveryError::NotTrusted(_))));
/// ```
pub fn reset_trusting(
    current: &TrustList<'_>,
    identity: &Identity,
    trusted: &[TrustAnchor],
) -> Result<Vec<u8>, RecoveryError> {
    let cert = CertInfo::from_der(&identity.certificate_der)?;
    let key = crate::key::SigningKey::new(identity.key.clone())?;
    if cert.rsa_public_key()? != *key.rsa().as_ref() {
        return Err(RecoveryError::KeyMismatch);
    }
    current
        .verify_with_policy(&Policy::default())
        .map_err(RecoveryError::NotVerified)?;
    if !trusted.is_empty() {
        current
            .verify_with(trusted, &Policy::default())
            .map_err(RecoveryError::NotTrusted)?;
    }
    let recovery_key =
        VerifyingKey::from_certificate(&cert).map_err(|_| RecoveryError::KeyMismatch)?;
    let record = current
        .records()
        .find(|r| {
            r.has_function(Function::Sast)
                && r.serial() == cert.serial()
                && cert.issuer_is(r.issuer())
                && record_key(r).is_ok_and(|k| k == recovery_key)
        })
        .ok_or(RecoveryError::NoRecoveryRecord)?;
    let mut owned = TrustListBuf::from_view(current);
    owned.header.set_signer(&SignerId {
        name: record.subject().into(),
        serial: record.serial().to_vec(),
        ca_name: record.issuer().into(),
    });
    Ok(owned.sign(&key, current.header().digest())?)
}
