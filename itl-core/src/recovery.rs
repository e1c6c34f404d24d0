//! ITL recovery (`utils itl reset`): the current ITL re-signed, unchanged
//! otherwise, by the ITLRecovery key, so that phones holding an ITL with
//! the ITLRECOVERY SAST record accept it.
//!
//! A reset hands the recovery key's authority to whatever ITL it is given:
//! every phone whose ITL holds the ITLRECOVERY record accepts the result
//! (rule 4), whoever wrote its records. So [`reset`] re-signs only an ITL
//! that verifies against what the caller already trusts ([`Trusted`]: the
//! publisher's `CallManager.pem`, the installed ITL or CTL, or a TFTP
//! server's previous ITL), never one that verifies only against itself.

use alloc::vec::Vec;

use crate::cert::CertInfo;
use crate::function::Function;
use crate::pkcs12::Identity;
use crate::sign::SignError;
use crate::trust_list::{ListKind, TrustList};
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
    /// The ITL has no SAST record holding the recovery key: no phone could
    /// accept the result.
    #[error("the ITL carries no SAST record for the recovery certificate")]
    NoRecoveryRecord,
    /// The current ITL's own signature does not verify: it is not re-signed.
    #[error("the current ITL does not verify, so it is not re-signed: {0}")]
    NotVerified(VerifyError),
    /// The caller trusts nothing: an ITL that verifies only against its
    /// own records is never re-signed.
    #[error(
        "nothing trusted was given: the ITL must verify against the publisher's CallManager certificate, the installed ITL or CTL, or the TFTP server's previous ITL"
    )]
    NothingTrusted,
    /// The current ITL does not verify against the certificates the caller
    /// trusts.
    #[error("the current ITL is not signed by a trusted certificate: {0}")]
    NotTrusted(VerifyError),
    /// The ITL to reset is itself one of the lists given as trust: a list
    /// never vouches for itself (pass the phones' or the TFTP server's
    /// *previous* ITL, the CTL, or the CallManager certificate).
    #[error(
        "the ITL to reset is also given as what is trusted: a list cannot vouch for itself; trust the CallManager certificate, the CTL, or an earlier ITL kept where no attacker can write"
    )]
    TrustsItself,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// What the caller trusts to vouch for the ITL it asks to re-sign: keys
/// with the names a header uses for them, from certificates (the
/// publisher's `CallManager.pem`, the certificates of the cluster's TFTP
/// nodes) or from trust lists (the ITL or CTL the phones hold, a TFTP
/// server's previous ITL).
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{TrustList, cert::CertInfo, recovery::Trusted};
/// let cm = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap()).unwrap();
/// let mut trusted = Trusted::new();
/// trusted.add_certificate(&cm).unwrap();
/// let ctl = std::fs::read(format!("{dir}/vectors/cucm-CTLFile-tokenless.tlv")).unwrap();
/// assert!(trusted.add_list(&TrustList::parse(&ctl).unwrap()) > 0);
/// assert!(!trusted.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trusted {
    anchors: Vec<TrustAnchor>,
    /// For each anchor, the SHA-256 of the list it came from (none for a
    /// certificate): a list does not vouch for itself.
    sources: Vec<Option<[u8; 32]>>,
}

impl Trusted {
    /// Trusts nothing yet.
    pub fn new() -> Self {
        Trusted::default()
    }

    /// Trusts `cert`'s key (RSA).
    pub fn add_certificate(&mut self, cert: &CertInfo) -> Result<&mut Self, VerifyError> {
        self.anchors.push(TrustAnchor::from_certificate(cert)?);
        self.sources.push(None);
        Ok(self)
    }

    /// Trusts an anchor.
    pub fn add_anchor(&mut self, anchor: TrustAnchor) -> &mut Self {
        self.anchors.push(anchor);
        self.sources.push(None);
        self
    }

    /// Trusts the records of `list` whose signature a phone holding `list`
    /// accepts on a new ITL: its SAST records (rule 4 for an ITL, rule 2
    /// for a CTL) and, for a CTL, its CCM+TFTP and TFTP records (rule 3).
    /// A record that disagrees with its own certificate vouches for
    /// nothing. Returns how many records were added.
    pub fn add_list(&mut self, list: &TrustList<'_>) -> usize {
        let functions: &[Function] = match list.kind() {
            ListKind::Itl => &[Function::Sast],
            ListKind::Ctl => &[Function::Sast, Function::CcmTftp, Function::Tftp],
        };
        let before = self.anchors.len();
        self.anchors.extend(
            list.records()
                .filter(|r| functions.iter().any(|f| r.has_function(*f)))
                .filter_map(|r| TrustAnchor::from_record(&r).ok()),
        );
        let source = Some(list_hash(list.as_bytes()));
        self.sources.resize(self.anchors.len(), source);
        self.anchors.len() - before
    }

    /// The anchors that may vouch for `list`: all but those taken from a
    /// list with `list`'s very bytes.
    fn anchors_for(&self, list: &[u8]) -> Vec<TrustAnchor> {
        let own = list_hash(list);
        self.anchors
            .iter()
            .zip(self.sources.iter().chain(core::iter::repeat(&None)))
            .filter(|(_, source)| **source != Some(own))
            .map(|(a, _)| a.clone())
            .collect()
    }

    /// The trusted keys, in the order added.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// Whether nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// The SHA-256 of a list's bytes: how [`Trusted`] recognises a list.
fn list_hash(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

impl From<Vec<TrustAnchor>> for Trusted {
    fn from(anchors: Vec<TrustAnchor>) -> Self {
        let sources = alloc::vec![None; anchors.len()];
        Trusted { anchors, sources }
    }
}

/// Re-signs `current` with the recovery identity, after checking that
/// `current` is the cluster's genuine ITL:
///
/// * something must be trusted ([`RecoveryError::NothingTrusted`]);
/// * `current` must verify against its own signing record
///   ([`RecoveryError::NotVerified`]) and against one of the `trusted`
///   keys ([`RecoveryError::NotTrusted`]), a list given as trust never
///   vouching for itself ([`RecoveryError::TrustsItself`] when nothing
///   else is trusted), under the default [`Policy`]:
///   an ITL that verifies only against itself (an attacker's, copying the
///   cluster's public ITLRECOVERY record) is never laundered through the
///   recovery key;
/// * `current` must carry a SAST record holding the recovery key, found
///   by key, not by name ([`RecoveryError::NoRecoveryRecord`]): only
///   phones whose ITL holds that record accept the result.
///
/// Records, filename, timestamp, version and digest are kept; the header
/// names the recovery certificate as its SAST record writes it. PKCS#1
/// v1.5 being deterministic, the result is the same bytes CUCM produces.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::{TrustList, cert::CertInfo, pkcs12::Identity};
/// use cisco_itl::recovery::{RecoveryError, Trusted, reset};
/// let itl = std::fs::read(format!("{dir}/vectors/cucm-ITLFile.tlv")).unwrap();
/// let p12 = std::fs::read(format!("{dir}/vectors/keys/ITLRecovery.p12")).unwrap();
/// let id = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1").unwrap();
/// let cm = CertInfo::from_pem(&std::fs::read(format!("{dir}/vectors/keys/callmanager-pub.pem")).unwrap()).unwrap();
/// let mut trusted = Trusted::new();
/// trusted.add_certificate(&cm).unwrap();
/// let out = reset(&TrustList::parse(&itl).unwrap(), &id, &trusted).unwrap();
/// assert_eq!(out, std::fs::read(format!("{dir}/vectors/cucm-ITLFile-reset.tlv")).unwrap());
/// // Trusting nothing, nothing is re-signed.
/// let none = reset(&TrustList::parse(&itl).unwrap(), &id, &Trusted::new());
/// assert_eq!(none, Err(RecoveryError::NothingTrusted));
/// ```
pub fn reset(
    current: &TrustList<'_>,
    identity: &Identity,
    trusted: &Trusted,
) -> Result<Vec<u8>, RecoveryError> {
    let cert = CertInfo::from_der(&identity.certificate_der)?;
    let key = crate::key::SigningKey::new(identity.key.clone())?;
    if cert.rsa_public_key()? != *key.rsa().as_ref() {
        return Err(RecoveryError::KeyMismatch);
    }
    if trusted.is_empty() {
        return Err(RecoveryError::NothingTrusted);
    }
    current
        .verify_with_policy(&Policy::default())
        .map_err(RecoveryError::NotVerified)?;
    let anchors = trusted.anchors_for(current.as_bytes());
    if anchors.is_empty() {
        return Err(RecoveryError::TrustsItself);
    }
    current
        .verify_with(&anchors, &Policy::default())
        .map_err(RecoveryError::NotTrusted)?;
    let recovery_key =
        VerifyingKey::from_certificate(&cert).map_err(|_| RecoveryError::KeyMismatch)?;
    // By key: a record that names the recovery certificate but holds
    // another key (a regenerated recovery key, or a forgery) would make a
    // result no phone accepts.
    let record = current
        .records()
        .find(|r| r.has_function(Function::Sast) && record_key(r).is_ok_and(|k| k == recovery_key))
        .ok_or(RecoveryError::NoRecoveryRecord)?;
    let mut owned = TrustListBuf::from_view(current);
    owned.header.set_signer(&SignerId {
        name: record.subject().into(),
        serial: record.serial().to_vec(),
        ca_name: record.issuer().into(),
    });
    Ok(owned.sign(&key, current.header().digest())?)
}
