//! The CUCM release a simulated cluster runs, and what changes with it
//! (`docs/WHATIF.md`, "CUCM versions"; SPEC §5 and §11).

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

/// A CUCM release: major, minor and service update, ordered as CUCM's
/// releases are (10.5 < 11.5 < 12.0 < 12.5 < 14.0 < 14SU3 < 15.0).
///
/// Read from `"MAJOR.MINOR"` (`"12.5"`), `"MAJOR"` (`"15"`, minor 0) or
/// with a service update, `"14SU3"` or `"14.0SU3"`; written back in the
/// shortest of those forms.
///
/// ```
/// use cisco_itl::cluster::CucmVersion;
/// let v: CucmVersion = "14SU3".parse()?;
/// assert!(v > "14.0".parse()? && v < "15".parse()?);
/// assert_eq!(v.to_string(), "14SU3");
/// assert_eq!(CucmVersion::default().to_string(), "10.5");
/// assert!("9.1".parse::<CucmVersion>().is_err());
/// # Ok::<(), cisco_itl::cluster::VersionParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CucmVersion {
    /// The major release (10 to 99).
    pub major: u8,
    /// The minor release (0 to 9).
    pub minor: u8,
    /// The service update (0 for none).
    pub su: u8,
}

/// Why a version could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a CUCM version the simulator models (10.0 or later, written like \"10.5\", \"12.5\", \"14SU3\" or \"15\")"
)]
pub struct VersionParseError(pub String);

impl CucmVersion {
    /// CUCM 10.5, the simulator's default (the notes' and the lab
    /// cluster's release).
    pub const V10_5: CucmVersion = CucmVersion::new(10, 5, 0);
    /// CUCM 12.0: ITLRecovery signs the ITL and enters the CTL.
    pub const V12_0: CucmVersion = CucmVersion::new(12, 0, 0);
    /// CUCM 14SU3: the hardware eToken CTL is no longer supported.
    pub const V14_SU3: CucmVersion = CucmVersion::new(14, 0, 3);

    /// The release `major.minor` with service update `su`.
    pub const fn new(major: u8, minor: u8, su: u8) -> Self {
        CucmVersion { major, minor, su }
    }

    /// From 12.0 every ITL is signed by the publisher's ITLRecovery key
    /// (its SAST record); the TFTP node's CallManager certificate stays in
    /// it as the TFTP record, for configurations.
    pub fn itl_signed_by_recovery(self) -> bool {
        self >= Self::V12_0
    }

    /// From 12.0 the CTL holds the ITLRecovery certificate (and TVS
    /// vouches for it: phones take an ITL signed by a new ITLRecovery key
    /// through TVS).
    pub fn ctl_holds_recovery(self) -> bool {
        self >= Self::V12_0
    }

    /// From 12.0 the ITLRecovery certificate's validity is chosen (5, 10,
    /// 15 or 20 years).
    pub fn recovery_validity_configurable(self) -> bool {
        self >= Self::V12_0
    }

    /// Before 14SU3 the CTL client with hardware eTokens is supported.
    pub fn supports_etokens(self) -> bool {
        self < Self::V14_SU3
    }
}

impl Default for CucmVersion {
    fn default() -> Self {
        Self::V10_5
    }
}

impl fmt::Display for CucmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.minor, self.su) {
            (m, 0) => write!(f, "{}.{m}", self.major),
            (0, su) => write!(f, "{}SU{su}", self.major),
            (m, su) => write!(f, "{}.{m}SU{su}", self.major),
        }
    }
}

impl FromStr for CucmVersion {
    type Err = VersionParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || VersionParseError(text.into());
        let t = text.trim();
        let (release, su) = match t.split_once(['S', 's']) {
            Some((r, rest)) => {
                let n = rest
                    .strip_prefix(['U', 'u'])
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(err)?;
                (r, n.parse::<u8>().map_err(|_| err())?)
            }
            None => (t, 0),
        };
        let (major, minor) = match release.split_once('.') {
            Some((a, b)) => (a, b),
            None => (release, "0"),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return Err(err());
        }
        let major: u8 = major.parse().map_err(|_| err())?;
        let minor: u8 = minor.parse().map_err(|_| err())?;
        if !(10..=99).contains(&major) || minor > 9 {
            return Err(err());
        }
        Ok(CucmVersion::new(major, minor, su))
    }
}

impl serde::Serialize for CucmVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
