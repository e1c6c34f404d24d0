//! ITL recovery (`utils itl reset`): the current ITL re-signed, unchanged
//! otherwise, by the ITLRecovery key, so that phones holding an ITL with
//! the ITLRECOVERY SAST record accept it.

use alloc::vec::Vec;

use crate::cert::CertInfo;
use crate::function::Function;
use crate::pkcs12::Identity;
use crate::sign::SignError;
use crate::trust_list::TrustList;
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
    /// The ITL has no SAST record for the recovery certificate: no phone
    /// could accept the result.
    #[error("the ITL carries no SAST record for the recovery certificate")]
    NoRecoveryRecord,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// Re-signs `current` with the recovery identity. Records, filename,
/// timestamp, version and digest are kept; the header names the recovery
/// certificate as its SAST record writes it. PKCS#1 v1.5 being
/// deterministic, the result is the same bytes CUCM produces.
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
    let cert = CertInfo::from_der(&identity.certificate_der)?;
    let key = crate::key::SigningKey::new(identity.key.clone())?;
    if cert.rsa_public_key()? != *key.rsa().as_ref() {
        return Err(RecoveryError::KeyMismatch);
    }
    let record = current
        .records()
        .find(|r| r.has_function(Function::Sast) && r.serial() == cert.serial())
        .ok_or(RecoveryError::NoRecoveryRecord)?;
    let mut owned = TrustListBuf::from_view(current);
    owned.header.set_signer(&SignerId {
        name: record.subject().into(),
        serial: record.serial().to_vec(),
        ca_name: record.issuer().into(),
    });
    Ok(owned.sign(&key, current.header().digest())?)
}
