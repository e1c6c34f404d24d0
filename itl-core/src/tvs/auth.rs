//! Authenticating a TVS server the way a phone does: a TVS record of the
//! installed trust lists names its certificate (issuer and serial) and
//! carries its SHA-1 as CERTHASH. Used by the phone and by the TLS client.

use crate::cert::{CertInfo, NameStyle};
use crate::digest::sha1;
use crate::function::Function;
use crate::trust_list::TrustList;

/// Why a TVS server's certificate was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TvsAuthError {
    /// The certificate does not parse.
    #[error("the TVS server's certificate does not parse")]
    BadCertificate,
    /// No TVS record of the installed lists has its issuer and serial.
    #[error("no TVS record of the installed lists names this certificate")]
    NoTvsRecord,
    /// A TVS record names it, but the SHA-1 differs from its CERTHASH.
    #[error("the certificate's SHA-1 differs from the TVS record's CERTHASH")]
    HashMismatch,
}

/// Authenticates a TVS server's certificate against trust lists, in
/// order, the way a phone does: a TVS record must name it by issuer (in
/// either name style) and serial, and its SHA-1 must equal the record's
/// CERTHASH (or the SHA-1 of the record's certificate). Returns the index
/// of the matching record in its list.
///
/// ```
/// use cisco_itl::{TrustList, cert::CertInfo, tvs::auth::{TvsAuthError, authenticate_tvs_certificate}};
/// let itl = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// let list = TrustList::parse(&itl).unwrap();
/// let tvs = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem").unwrap()).unwrap();
/// assert_eq!(authenticate_tvs_certificate(&[list], tvs.der()), Ok(3));
/// let cm = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/callmanager-pub.pem").unwrap()).unwrap();
/// assert_eq!(authenticate_tvs_certificate(&[list], cm.der()), Err(TvsAuthError::NoTvsRecord));
/// ```
pub fn authenticate_tvs_certificate(
    lists: &[TrustList<'_>],
    certificate: &[u8],
) -> Result<usize, TvsAuthError> {
    authenticate_server_certificate(lists, certificate, Function::Tvs)
}

/// Authenticates a server's certificate against the records of
/// `function` in trust lists, as [`authenticate_tvs_certificate`] does for
/// TVS (the CAPF client uses it with [`Function::Capf`]).
pub(crate) fn authenticate_server_certificate(
    lists: &[TrustList<'_>],
    certificate: &[u8],
    function: Function,
) -> Result<usize, TvsAuthError> {
    let cert = CertInfo::from_der(certificate).map_err(|_| TvsAuthError::BadCertificate)?;
    let issuers = [cert.issuer(NameStyle::Cucm), cert.issuer(NameStyle::Comma)];
    let hash = sha1(certificate);
    let mut found = TvsAuthError::NoTvsRecord;
    for list in lists {
        for (i, r) in list.records().enumerate() {
            let named = r.has_function(function)
                && r.serial() == cert.serial()
                && issuers.iter().any(|n| n.as_deref() == Ok(r.issuer()));
            if !named {
                continue;
            }
            let expected = r
                .cert_hash()
                .map(<[u8]>::to_vec)
                .or_else(|| r.certificate().map(|c| sha1(c).to_vec()));
            if expected.as_deref() == Some(&hash[..]) {
                return Ok(i);
            }
            found = TvsAuthError::HashMismatch;
        }
    }
    Err(found)
}
