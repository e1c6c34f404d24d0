//! Cluster descriptions in TOML.
//!
//! ```toml
//! organization = "OU=VOICE,O=Example,C=FR"  # after CN= in the certificates made
//! mode = "non-secure"                       # or "etoken", "tokenless"
//! etokens = 2                               # eTokens of the CTL client
//! phone-sast-trust = false                  # eTokens uploaded as Phone-SAST-trust
//! start-time = 1773075583                   # simulated time, UNIX seconds
//! cucm-version = "10.5"                     # or "11.5", "12.0", "12.5", "14.0", "14SU3", "15"
//! # itlrecovery-validity-years = 20         # 5, 10, 15 or 20 (CUCM 12.0 and later)
//! keys = "builtin"                          # or "generated:2048", or a PEM file of keys
//! # capf = "capf.pem"; recovery = "itlrecovery.pem"; etoken-identities = ["t1.pem", "t2.pem"]
//!
//! [[node]]                                  # the publisher first
//! name = "cucm-pub"
//! ip = "10.0.0.10"
//! tftp = true
//! tvs-service = true                        # runs TVS (the default)
//! # callmanager = "callmanager.pem"; tvs = "tvs.pem"   (key and certificate)
//!
//! [[phones]]
//! name = "desk"
//! count = 12000
//! model = 8841
//! security-by-default = true
//! tftp = "cucm-pub"
//! group = ["cucm-pub"]                      # TVS servers, at most 3
//! installed = "current"                     # or "without-recovery", "nothing"
//! mac = "001D45000101"                      # the first phone's MAC (optional)
//! off = 0.25                                # share of its phones off during the operations
//! ```
//!
//! Unknown keys are errors, so a misspelt key never goes unnoticed. Paths
//! are relative to the description's folder. A file given for an identity
//! holds its private key and its certificate (PEM).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    Cluster, ClusterError, ClusterSpec, Installed, KeySource, NodeIdentities, NodeSpec,
    PhoneClassSpec, SecurityMode,
};
use crate::key::Signer;

/// The built-in three-node cluster with 100,000 phones in 20 classes.
pub const BUILTIN: &str = include_str!("builtin.toml");

/// Descriptions larger than this are refused before parsing.
pub const MAX_DESCRIPTION_BYTES: usize = 1 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Description {
    organization: Option<String>,
    mode: Option<String>,
    etokens: Option<usize>,
    phone_sast_trust: Option<bool>,
    start_time: Option<u64>,
    cucm_version: Option<String>,
    itlrecovery_validity_years: Option<u64>,
    keys: Option<String>,
    capf: Option<String>,
    recovery: Option<String>,
    #[serde(default)]
    etoken_identities: Vec<String>,
    #[serde(default)]
    node: Vec<NodeDescription>,
    #[serde(default)]
    phones: Vec<PhonesDescription>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NodeDescription {
    name: String,
    ip: Option<String>,
    #[serde(default)]
    tftp: bool,
    tvs_service: Option<bool>,
    callmanager: Option<String>,
    tvs: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct PhonesDescription {
    name: String,
    count: u64,
    model: Option<u16>,
    security_by_default: Option<bool>,
    tftp: String,
    #[serde(default)]
    group: Vec<String>,
    installed: Option<String>,
    mac: Option<String>,
    off: Option<f64>,
}

pub(crate) fn bad(message: impl Into<String>) -> ClusterError {
    ClusterError::Description(message.into())
}

/// Key and certificate files larger than this are refused (a PEM key and
/// certificate take a few kilobytes; a pool of keys some tens).
pub const MAX_KEY_FILE_BYTES: u64 = crate::fs::MAX_KEY_FILE_BYTES;

/// Reads a file named by a description, relative to `base`: a regular file
/// of at most `limit` bytes ([`crate::fs::read_bounded`]), so that a
/// description naming `/dev/zero`, a FIFO or `/dev/stdin` is refused at
/// once instead of hanging or filling memory.
fn read_bounded(
    base: Option<&Path>,
    path: &str,
    limit: u64,
) -> Result<(PathBuf, Vec<u8>), ClusterError> {
    let full: PathBuf = match base {
        Some(b) => b.join(path),
        None => PathBuf::from(path),
    };
    let bytes = crate::fs::read_bounded(&full, limit)?;
    Ok((full, bytes))
}

fn read_signer(base: Option<&Path>, path: &str) -> Result<Signer, ClusterError> {
    let (full, pem) = read_bounded(base, path, MAX_KEY_FILE_BYTES)?;
    Signer::from_pem(&pem).map_err(|e| bad(alloc::format!("{}: {e}", full.display())))
}

pub(crate) fn parse_ip(text: &str) -> Result<[u8; 4], ClusterError> {
    let ip: std::net::Ipv4Addr = text
        .parse()
        .map_err(|_| bad(alloc::format!("{text:?} is not an IPv4 address")))?;
    Ok(ip.octets())
}

/// Reads a description; `base` is the folder paths are relative to.
///
/// ```
/// use cisco_itl::cluster::describe;
/// let (spec, _keys) = describe::parse(describe::BUILTIN, None)?;
/// assert_eq!(spec.nodes.len(), 3);
/// assert_eq!(spec.phones.iter().map(|p| p.count).sum::<u64>(), 100_000);
/// assert!(describe::parse("node = 3", None).is_err());
/// assert!(describe::parse("[[node]]\nname = \"a\"\ntftpp = true", None).is_err());
/// # Ok::<(), cisco_itl::cluster::ClusterError>(())
/// ```
pub fn parse(text: &str, base: Option<&Path>) -> Result<(ClusterSpec, KeySource), ClusterError> {
    if text.len() > MAX_DESCRIPTION_BYTES {
        return Err(bad(alloc::format!(
            "the description is larger than {MAX_DESCRIPTION_BYTES} bytes"
        )));
    }
    let d: Description = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let mut spec = ClusterSpec::default();
    if let Some(o) = d.organization {
        spec.organization = o;
    }
    if let Some(m) = d.mode {
        spec.mode = SecurityMode::parse(&m).ok_or_else(|| {
            bad(alloc::format!(
                "mode {m:?} is not one of \"non-secure\", \"etoken\", \"tokenless\""
            ))
        })?;
    }
    if let Some(n) = d.etokens {
        if n > super::MAX_ETOKENS {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{n} eTokens (at most {})",
                super::MAX_ETOKENS
            )));
        }
        spec.etokens = n;
    }
    spec.phone_sast_trust = d.phone_sast_trust.unwrap_or(false);
    if let Some(t) = d.start_time {
        spec.start_time = t;
    }
    version_settings(
        &mut spec,
        d.cucm_version.as_deref(),
        d.itlrecovery_validity_years,
    )?;
    // Counts first, before any file is read.
    if d.node.len() > super::MAX_NODES {
        return Err(ClusterError::TooLarge(alloc::format!(
            "{} nodes (at most {})",
            d.node.len(),
            super::MAX_NODES
        )));
    }
    if d.phones.len() > super::MAX_CLASSES {
        return Err(ClusterError::TooLarge(alloc::format!(
            "{} phone classes (at most {})",
            d.phones.len(),
            super::MAX_CLASSES
        )));
    }
    if d.etoken_identities.len() > super::MAX_ETOKENS {
        return Err(ClusterError::TooLarge(alloc::format!(
            "{} eTokens (at most {})",
            d.etoken_identities.len(),
            super::MAX_ETOKENS
        )));
    }
    if let Some(p) = &d.capf {
        spec.capf = Some(read_signer(base, p)?);
    }
    if let Some(p) = &d.recovery {
        spec.recovery = Some(read_signer(base, p)?);
    }
    for p in &d.etoken_identities {
        spec.etoken_identities.push(read_signer(base, p)?);
    }
    if d.node.is_empty() {
        return Err(bad(
            "a description needs at least one [[node]] (the publisher first)",
        ));
    }
    for (i, n) in d.node.iter().enumerate() {
        let ip = match &n.ip {
            Some(t) => parse_ip(t)?,
            None => [10, 0, 0, u8::try_from(10 + i).unwrap_or(u8::MAX)],
        };
        let mut node = NodeSpec::new(&n.name, ip, n.tftp);
        node.tvs_service = n.tvs_service.unwrap_or(true);
        node.identities = NodeIdentities {
            callmanager: n
                .callmanager
                .as_deref()
                .map(|p| read_signer(base, p))
                .transpose()?,
            tvs: n.tvs.as_deref().map(|p| read_signer(base, p)).transpose()?,
        };
        spec.nodes.push(node);
    }
    for p in d.phones {
        spec.phones.push(phone_spec(p)?);
    }
    let keys = key_source(d.keys.as_deref(), base)?;
    Ok((spec, keys))
}

/// `cucm-version` and `itlrecovery-validity-years`, checked against each
/// other, into `spec`.
pub(crate) fn version_settings(
    spec: &mut ClusterSpec,
    version: Option<&str>,
    years: Option<u64>,
) -> Result<(), ClusterError> {
    if let Some(v) = version {
        spec.version = v
            .parse()
            .map_err(|e: super::VersionParseError| bad(e.to_string()))?;
    }
    if let Some(years) = years {
        if !spec.version.recovery_validity_configurable() {
            return Err(ClusterError::RefusedByVersion {
                version: spec.version,
                operation: "itlrecovery-validity-years".into(),
                reason: "the ITLRecovery validity is chosen from CUCM 12.0 (before, CUCM makes the certificate itself)",
            });
        }
        if !super::RECOVERY_VALIDITY_YEARS.contains(&years) {
            return Err(bad(alloc::format!(
                "itlrecovery-validity-years = {years}: CUCM offers 5, 10, 15 or 20 years"
            )));
        }
        spec.recovery_validity_years = years;
    }
    Ok(())
}

/// A `[[phones]]` table as a class to create.
pub(crate) fn phone_spec(p: PhonesDescription) -> Result<PhoneClassSpec, ClusterError> {
    let installed = match p.installed.as_deref() {
        None => Installed::Current,
        Some(w) => Installed::parse(w).ok_or_else(|| {
            bad(alloc::format!(
                "installed {w:?} is not one of \"current\", \"without-recovery\", \"nothing\""
            ))
        })?,
    };
    let off = match p.off {
        None => 0,
        Some(share) if (0.0..=1.0).contains(&share) => {
            // At most a billion phones: exact in an f64.
            (p.count as f64 * share).round() as u64
        }
        Some(share) => {
            return Err(bad(alloc::format!(
                "off = {share} in {}: a share of the phones, from 0 to 1",
                p.name
            )));
        }
    };
    Ok(PhoneClassSpec {
        off,
        name: p.name,
        count: p.count,
        model: p.model.unwrap_or(8841),
        security_by_default: p.security_by_default.unwrap_or(true),
        tftp: p.tftp,
        group: p.group,
        installed,
        mac: p.mac,
    })
}

/// The key source `keys = ...` names (the built-in pool when absent).
pub(crate) fn key_source(
    keys: Option<&str>,
    base: Option<&Path>,
) -> Result<KeySource, ClusterError> {
    let keys = match keys {
        None | Some("builtin") => KeySource::builtin(),
        Some(k) if k.starts_with("generated:") => {
            let bits: usize = k
                .trim_start_matches("generated:")
                .parse()
                .map_err(|_| bad("keys = \"generated:BITS\" needs a number of bits"))?;
            if ![1024, 2048, 4096].contains(&bits) {
                return Err(bad("generated keys have 1024, 2048 or 4096 bits"));
            }
            KeySource::generated(bits)
        }
        Some(path) => KeySource::pool_from_pem(&read_bounded(base, path, MAX_KEY_FILE_BYTES)?.1)?,
    };
    Ok(keys)
}

impl Cluster {
    /// Builds the cluster a TOML description describes (see [`describe`](self)).
    pub fn from_toml(text: &str, base: Option<&Path>) -> Result<Self, ClusterError> {
        let (spec, keys) = parse(text, base)?;
        Cluster::new(spec, keys)
    }

    /// Reads and builds the description in the file `path`.
    pub fn from_path(path: &Path) -> Result<Self, ClusterError> {
        let bytes = crate::fs::read_bounded(path, MAX_DESCRIPTION_BYTES as u64)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad(alloc::format!("{}: not UTF-8 text", path.display())))?;
        Cluster::from_toml(&text, path.parent())
    }
}
