//! When the certificates of a trust list expire, and what renewing each
//! one is (`itl expiry`).
//!
//! Each record's certificate is read for its `notAfter`; a record that
//! holds only the certificate's hash (CUCM's TVS and CAPF records of an
//! ITL) has an unknown expiry. Renewing a certificate is regenerating it
//! on its node, which changes what the phones trust: [`Renewal`] says which
//! regeneration it is and which `itl whatif` operation shows its effect.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::cert::CertInfo;
use crate::function::Function;
use crate::record::Record;
use crate::trust_list::TrustList;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Where a certificate stands against the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// It expires after the horizon.
    Ok,
    /// It expires within the horizon.
    Expiring,
    /// It has expired.
    Expired,
    /// The record holds only the certificate's hash.
    Unknown,
}

impl Status {
    /// The name for programs (`"ok"`, `"expiring"`, `"expired"`,
    /// `"unknown"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Expiring => "expiring",
            Status::Expired => "expired",
            Status::Unknown => "unknown",
        }
    }
}

/// What renewing a record's certificate is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Renewal {
    /// The ITLRecovery certificate: regenerated on the publisher.
    ItlRecovery,
    /// A hardware eToken's certificate (a SAST issued by another CA): the
    /// CTL is signed with another eToken.
    EToken,
    /// `TVS.pem` of the node.
    Tvs(String),
    /// `CAPF.pem` of the node.
    Capf(String),
    /// `CallManager.pem` of the node (SAST, CCM, CCM+TFTP, TFTP records).
    CallManager(String),
    /// Another certificate of the node.
    Other(String),
}

impl fmt::Display for Renewal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Renewal::ItlRecovery => f.write_str(
                "regenerate ITLRecovery on the publisher (see: itl whatif regenerate-itlrecovery)",
            ),
            Renewal::EToken => f.write_str(
                "an eToken's certificate: sign the CTL with another eToken (see: itl whatif update-ctl)",
            ),
            Renewal::Tvs(node) => {
                write!(f, "regenerate TVS on {node} (see: itl whatif regenerate-tvs:{node})")
            }
            Renewal::Capf(node) => write!(
                f,
                "regenerate CAPF on {node}; the ITL and CTL then carry the new certificate"
            ),
            Renewal::CallManager(node) => write!(
                f,
                "regenerate CallManager on {node} (see: itl whatif regenerate-callmanager:{node})"
            ),
            Renewal::Other(node) => write!(f, "regenerate the certificate of {node}"),
        }
    }
}

/// One record's certificate and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// The record's index in its list (0-based; people read it + 1).
    pub record: usize,
    /// The record's functions.
    pub functions: Vec<Function>,
    /// Its SUBJECTNAME, as written.
    pub subject: String,
    /// The certificate's `notAfter` (seconds since 1970), when the record
    /// carries the certificate.
    pub not_after: Option<u64>,
    /// Whole days from `now` to `notAfter` (negative once expired).
    pub days_left: Option<i64>,
    /// Where it stands against the horizon.
    pub status: Status,
    /// What renewing it is.
    pub renewal: Renewal,
}

/// The expiry of every record's certificate of `list` at `now` (seconds
/// since 1970): [`Status::Expiring`] when it expires within `within_days`
/// days.
///
/// ```
/// use cisco_itl::{TrustList, expiry::{Status, expiries}};
/// let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
/// let list = TrustList::parse(&bytes)?;
/// let all = expiries(&list, 0, 60);
/// assert_eq!(all.len(), list.records().count());
/// assert!(all.iter().any(|e| e.status == Status::Ok));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn expiries(list: &TrustList<'_>, now: u64, within_days: u64) -> Vec<Expiry> {
    list.records()
        .enumerate()
        .map(|(i, r)| expiry(i, &r, now, within_days))
        .collect()
}

fn expiry(record: usize, r: &Record<'_>, now: u64, within_days: u64) -> Expiry {
    let functions: Vec<Function> = r.functions().collect();
    let not_after = r
        .certificate()
        .and_then(|der| CertInfo::from_der(der).ok())
        .map(|c| c.not_after());
    let days_left = not_after.map(|t| seconds_between(now, t).div_euclid(DAY));
    let horizon = i64::try_from(within_days).unwrap_or(i64::MAX);
    let status = match days_left {
        None => Status::Unknown,
        Some(d) if d < 0 => Status::Expired,
        Some(d) if d < horizon => Status::Expiring,
        Some(_) => Status::Ok,
    };
    Expiry {
        record,
        renewal: renewal(&functions, r.subject(), r.issuer()),
        functions,
        subject: r.subject().into(),
        not_after,
        days_left,
        status,
    }
}

/// `to - from` in seconds, saturating.
fn seconds_between(from: u64, to: u64) -> i64 {
    let (from, to) = (i128::from(from), i128::from(to));
    i64::try_from(to - from).unwrap_or(if to > from { i64::MAX } else { i64::MIN })
}

/// The CN of a subject as CUCM writes it (`CN=cucm-pub;OU=…`) or as
/// RFC 4514 does (`CN=cucm-pub,OU=…`); the whole subject when it has none.
fn node_of(subject: &str) -> &str {
    subject
        .split([';', ','])
        .map(str::trim)
        .find_map(|part| part.strip_prefix("CN="))
        .unwrap_or(subject)
}

fn renewal(functions: &[Function], subject: &str, issuer: &str) -> Renewal {
    let node = node_of(subject);
    let has = |f: Function| functions.contains(&f);
    if node.to_ascii_uppercase().starts_with("ITLRECOVERY") {
        Renewal::ItlRecovery
    } else if subject != issuer && has(Function::Sast) {
        Renewal::EToken
    } else if has(Function::Tvs) {
        Renewal::Tvs(node.into())
    } else if has(Function::Capf) {
        Renewal::Capf(node.into())
    } else if [
        Function::Sast,
        Function::Ccm,
        Function::CcmTftp,
        Function::Tftp,
    ]
    .into_iter()
    .any(has)
    {
        Renewal::CallManager(node.into())
    } else {
        Renewal::Other(node.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_come_from_the_cn() {
        assert_eq!(node_of("CN=cucm-pub;OU=Voice;O=Lab"), "cucm-pub");
        assert_eq!(node_of("OU=Voice, CN=cucm-sub1"), "cucm-sub1");
        assert_eq!(node_of("O=NoName"), "O=NoName");
    }

    #[test]
    fn days_saturate() {
        assert_eq!(seconds_between(10, 4), -6);
        assert_eq!(seconds_between(0, u64::MAX), i64::MAX);
        assert_eq!(seconds_between(u64::MAX, 0), i64::MIN);
    }
}
