//! What an administrator does to a cluster, and how CUCM carries it out.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::servers::{REGENERATION_HOLD_SECONDS, new_identity};
use super::{Cluster, ClusterError, SecurityMode, Site};

/// One operation on the cluster, or a reboot of the phones.
///
/// Each has a one-word form for the command line and descriptions
/// (`regenerate-both:cucm-pub`, `reboot`, `set-group:CLASS:NODE,NODE`),
/// which [`FromStr`] reads and [`fmt::Display`] writes, and a sentence
/// ([`Operation::describe`]).
///
/// ```
/// use cisco_itl::cluster::Operation;
/// let op: Operation = "regenerate-callmanager:cucm-sub1".parse()?;
/// assert_eq!(op, Operation::RegenerateCallManager { node: "cucm-sub1".into() });
/// assert_eq!(op.to_string(), "regenerate-callmanager:cucm-sub1");
/// assert_eq!(op.describe(), "regenerate CallManager.pem on cucm-sub1");
/// assert!("regenerate-everything".parse::<Operation>().is_err());
/// # Ok::<(), cisco_itl::cluster::OperationParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// Regenerates `CallManager.pem` on a node; TFTP restarts, every TFTP
    /// node's ITL is written again, and CUCM resets the phones (every class
    /// boots), as after every regeneration.
    RegenerateCallManager {
        /// The node.
        node: String,
    },
    /// Regenerates `TVS.pem` on a node; every ITL is written again.
    RegenerateTvs {
        /// The node.
        node: String,
    },
    /// Regenerates both at once, as a host name or domain change does.
    RegenerateBoth {
        /// The node.
        node: String,
    },
    /// Regenerates the publisher's ITLRecovery certificate (new key; its
    /// validity the cluster's `itlrecovery-validity-years`); TFTP restarts
    /// and the phones reset, as after every regeneration. From CUCM 12.0
    /// every ITL is then signed by a key the phones' ITL does not hold:
    /// they take it only through TVS. The CTL is not rewritten (run
    /// `update-ctl`).
    RegenerateItlRecovery,
    /// `utils itl reset localkey` (on the publisher): the current ITL
    /// re-signed by the publisher's ITLRecovery key, served by every TFTP
    /// node until TFTP restarts.
    ItlResetLocal,
    /// `utils itl reset remotekey`: the same with the `ITLRecovery.p12`
    /// saved off the cluster (the one made at install).
    ItlResetRemote,
    /// Restarts TFTP on every node: each ITL signed by its node's
    /// CallManager key again.
    RestartTftp,
    /// `utils ctl set-cluster mixed-mode`: a tokenless CTL signed by the
    /// publisher's CallManager key.
    SetTokenless,
    /// The CTL client with the eTokens: a CTL holding the eTokens as SAST,
    /// signed by the last one.
    SetETokens,
    /// `utils ctl set-cluster non-secure-mode`: no CTL is served any more.
    SetNonSecure,
    /// `utils ctl update CTLFile` (or the CTL client again): the CTL
    /// written anew with the current certificates.
    UpdateCtl,
    /// Uploads the eToken certificates as Phone-SAST-trust, so TVS vouches
    /// for them.
    UploadPhoneSastTrust,
    /// "Prepare Cluster for Rollback to pre 8.0": every TFTP node serves a
    /// blank ITL (only its signer's record).
    PrepareRollback,
    /// Sets "Prepare Cluster for Rollback" back to False: normal ITLs.
    CancelRollback,
    /// Adds a node (running TFTP or not) with new identities.
    AddNode {
        /// Its host name.
        node: String,
        /// Whether it runs TFTP.
        tftp: bool,
    },
    /// Removes a subscriber.
    RemoveNode {
        /// The node.
        node: String,
    },
    /// Changes a class's CallManager group (at most 3 nodes). The phones
    /// learn it from their next accepted configuration file.
    SetGroup {
        /// The class.
        class: String,
        /// The nodes whose TVS it may ask, in order.
        nodes: Vec<String>,
    },
    /// Moves a class to another TFTP node.
    SetTftp {
        /// The class.
        class: String,
        /// The node.
        node: String,
    },
    /// Moves a class to a new cluster (same layout, its own keys, as a
    /// rebuilt cluster without the old `CallManager.pem` is).
    Migrate {
        /// The class.
        class: String,
    },
    /// Rebuilds the cluster without a backup: every identity new, except
    /// that the administrator kept `ITLRecovery.p12`.
    Rebuild,
    /// Waits (simulated time).
    Wait {
        /// Seconds.
        seconds: u64,
    },
    /// Every phone reboots and fetches its files.
    Reboot,
}

/// Why an operation's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an operation: {reason}")]
pub struct OperationParseError {
    /// The text.
    pub text: String,
    /// What is wrong.
    pub reason: &'static str,
}

impl Operation {
    /// The operation as a sentence.
    pub fn describe(&self) -> String {
        use Operation as O;
        match self {
            O::RegenerateCallManager { node } => {
                alloc::format!("regenerate CallManager.pem on {node}")
            }
            O::RegenerateTvs { node } => alloc::format!("regenerate TVS.pem on {node}"),
            O::RegenerateBoth { node } => alloc::format!(
                "regenerate CallManager.pem and TVS.pem together on {node} (a host name change)"
            ),
            O::RegenerateItlRecovery => "regenerate ITLRecovery on the publisher".into(),
            O::ItlResetLocal => "utils itl reset localkey on the publisher".into(),
            O::ItlResetRemote => "utils itl reset remotekey with the saved ITLRecovery.p12".into(),
            O::RestartTftp => "restart TFTP on every node".into(),
            O::SetTokenless => "utils ctl set-cluster mixed-mode (tokenless CTL)".into(),
            O::SetETokens => "run the CTL client with the eTokens".into(),
            O::SetNonSecure => "utils ctl set-cluster non-secure-mode".into(),
            O::UpdateCtl => "update the CTL (utils ctl update CTLFile)".into(),
            O::UploadPhoneSastTrust => "upload the eToken certificates as Phone-SAST-trust".into(),
            O::PrepareRollback => "prepare the cluster for rollback to pre-8.0".into(),
            O::CancelRollback => "set Prepare Cluster for Rollback back to False".into(),
            O::AddNode { node, tftp } => alloc::format!(
                "add the node {node}{}",
                if *tftp { " running TFTP" } else { "" }
            ),
            O::RemoveNode { node } => alloc::format!("remove the node {node}"),
            O::SetGroup { class, nodes } => alloc::format!(
                "set the CallManager group of {class} to {}",
                nodes.join(", ")
            ),
            O::SetTftp { class, node } => alloc::format!("point {class} at the TFTP of {node}"),
            O::Migrate { class } => alloc::format!("migrate {class} to a new cluster"),
            O::Rebuild => "rebuild the cluster without a backup (ITLRecovery.p12 kept)".into(),
            O::Wait { seconds } => alloc::format!("wait {seconds} s"),
            O::Reboot => "reboot every phone".into(),
        }
    }

    /// Whether every class boots after this operation: a `reboot`, or a
    /// certificate regeneration (CUCM resets the phones).
    pub fn boots_phones(&self) -> bool {
        matches!(self, Operation::Reboot | Operation::RegenerateItlRecovery)
            || self.regenerates().is_some()
    }

    /// Whether this is a certificate regeneration (subject to the
    /// five-minute rule) on `node` (`regenerate-itlrecovery`, on the
    /// publisher, is not named here: see `Cluster::regenerated_node`).
    pub(crate) fn regenerates(&self) -> Option<&str> {
        match self {
            Operation::RegenerateCallManager { node }
            | Operation::RegenerateTvs { node }
            | Operation::RegenerateBoth { node } => Some(node),
            _ => None,
        }
    }

    /// The class the operation names, if any.
    pub(crate) fn names_class(&self) -> Option<&str> {
        match self {
            Operation::SetGroup { class, .. }
            | Operation::SetTftp { class, .. }
            | Operation::Migrate { class } => Some(class),
            _ => None,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Operation as O;
        match self {
            O::RegenerateCallManager { node } => write!(f, "regenerate-callmanager:{node}"),
            O::RegenerateTvs { node } => write!(f, "regenerate-tvs:{node}"),
            O::RegenerateBoth { node } => write!(f, "regenerate-both:{node}"),
            O::RegenerateItlRecovery => f.write_str("regenerate-itlrecovery"),
            O::ItlResetLocal => f.write_str("itl-reset-localkey"),
            O::ItlResetRemote => f.write_str("itl-reset-remotekey"),
            O::RestartTftp => f.write_str("restart-tftp"),
            O::SetTokenless => f.write_str("mixed-mode-tokenless"),
            O::SetETokens => f.write_str("mixed-mode-etokens"),
            O::SetNonSecure => f.write_str("non-secure-mode"),
            O::UpdateCtl => f.write_str("update-ctl"),
            O::UploadPhoneSastTrust => f.write_str("upload-phone-sast-trust"),
            O::PrepareRollback => f.write_str("prepare-rollback"),
            O::CancelRollback => f.write_str("cancel-rollback"),
            O::AddNode { node, tftp } => {
                write!(f, "add-node:{node}{}", if *tftp { ":tftp" } else { "" })
            }
            O::RemoveNode { node } => write!(f, "remove-node:{node}"),
            O::SetGroup { class, nodes } => write!(f, "set-group:{class}:{}", nodes.join(",")),
            O::SetTftp { class, node } => write!(f, "set-tftp:{class}:{node}"),
            O::Migrate { class } => write!(f, "migrate:{class}"),
            O::Rebuild => f.write_str("rebuild"),
            O::Wait { seconds } => write!(f, "wait:{seconds}"),
            O::Reboot => f.write_str("reboot"),
        }
    }
}

impl FromStr for Operation {
    type Err = OperationParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        use Operation as O;
        let err = |reason| OperationParseError {
            text: text.into(),
            reason,
        };
        let mut parts = text.trim().splitn(3, ':');
        let word = parts.next().unwrap_or_default();
        let (a, b) = (parts.next(), parts.next());
        let one = |a: Option<&str>| {
            a.filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| err("it needs a name after ':'"))
        };
        let none = |op: Operation| {
            if a.is_some() {
                Err(err("it takes no argument"))
            } else {
                Ok(op)
            }
        };
        let takes_two = matches!(word, "add-node" | "set-group" | "set-tftp");
        if b.is_some() && !takes_two {
            return Err(err("it takes at most one argument"));
        }
        match word {
            "regenerate-callmanager" => Ok(O::RegenerateCallManager { node: one(a)? }),
            "regenerate-tvs" => Ok(O::RegenerateTvs { node: one(a)? }),
            "regenerate-both" | "change-hostname" => Ok(O::RegenerateBoth { node: one(a)? }),
            "regenerate-itlrecovery" => none(O::RegenerateItlRecovery),
            "itl-reset-localkey" | "itl-reset" => none(O::ItlResetLocal),
            "itl-reset-remotekey" => none(O::ItlResetRemote),
            "restart-tftp" => none(O::RestartTftp),
            "mixed-mode-tokenless" => none(O::SetTokenless),
            "mixed-mode-etokens" => none(O::SetETokens),
            "non-secure-mode" => none(O::SetNonSecure),
            "update-ctl" => none(O::UpdateCtl),
            "upload-phone-sast-trust" => none(O::UploadPhoneSastTrust),
            "prepare-rollback" => none(O::PrepareRollback),
            "cancel-rollback" => none(O::CancelRollback),
            "add-node" => Ok(O::AddNode {
                node: one(a)?,
                tftp: match b {
                    None => false,
                    Some("tftp") => true,
                    Some(_) => return Err(err("the only option of add-node is ':tftp'")),
                },
            }),
            "remove-node" => Ok(O::RemoveNode { node: one(a)? }),
            "set-group" => {
                let nodes: Vec<String> = one(b)?.split(',').map(|s| s.trim().to_string()).collect();
                if nodes.len() > 3 || nodes.iter().any(String::is_empty) {
                    return Err(err("a group lists 1 to 3 nodes, separated by commas"));
                }
                Ok(O::SetGroup {
                    class: one(a)?,
                    nodes,
                })
            }
            "set-tftp" => Ok(O::SetTftp {
                class: one(a)?,
                node: one(b)?,
            }),
            "migrate" => Ok(O::Migrate { class: one(a)? }),
            "rebuild" => none(O::Rebuild),
            "wait" => Ok(O::Wait {
                seconds: one(a)?
                    .parse()
                    .map_err(|_| err("wait takes a number of seconds"))?,
            }),
            "reboot" => none(O::Reboot),
            _ => Err(err("unknown operation (see docs/WHATIF.md for the list)")),
        }
    }
}

impl Cluster {
    /// Carries out `op` on `self`; callers keep a copy to undo on error.
    pub(crate) fn apply_in_place(&mut self, op: &Operation) -> Result<(), ClusterError> {
        use Operation as O;
        let now = self.now;
        if let Some(wait_seconds) = self.hold(op)? {
            return Err(ClusterError::TooSoon {
                node: self.regenerated_node(op).unwrap_or_default(),
                wait_seconds,
            });
        }
        match op {
            O::RegenerateCallManager { node }
            | O::RegenerateBoth { node }
            | O::RegenerateTvs { node } => {
                let i = self.home.node_index(node)?;
                let org = self.home.organization.clone();
                let both = matches!(op, O::RegenerateBoth { .. });
                let cm = matches!(op, O::RegenerateCallManager { .. }) || both;
                let tvs = matches!(op, O::RegenerateTvs { .. }) || both;
                let new_cm = if cm {
                    Some(new_identity(&mut self.keys, node, &org, now, 5)?)
                } else {
                    None
                };
                let new_tvs = if tvs {
                    Some(new_identity(&mut self.keys, node, &org, now, 5)?)
                } else {
                    None
                };
                let n = self
                    .home
                    .nodes
                    .get_mut(i)
                    .ok_or_else(|| ClusterError::UnknownNode(node.clone()))?;
                if let Some(s) = new_cm {
                    n.callmanager = s;
                }
                if let Some(s) = new_tvs {
                    n.tvs = s;
                }
                n.modified_at = Some(now);
                self.restart_tftp()?;
                // CUCM resets the phones after a certificate regeneration
                // (the notes: "an automatic device reset sent from CUCM").
                self.boot();
            }
            O::RegenerateItlRecovery => {
                let org = self.home.organization.clone();
                let publisher = self.home.publisher()?.name.clone();
                let years = self.home.recovery_years;
                let recovery = new_identity(
                    &mut self.keys,
                    &alloc::format!("ITLRECOVERY_{publisher}"),
                    &org,
                    now,
                    years,
                )?;
                self.home.recovery = recovery;
                if let Some(p) = self.home.nodes.first_mut() {
                    p.modified_at = Some(now);
                }
                self.restart_tftp()?;
                self.boot();
            }
            O::ItlResetLocal => {
                let key = self.home.recovery.clone();
                self.home.reset_itls(&key, now)?;
            }
            O::ItlResetRemote => {
                let key = self.home.recovery_backup.clone();
                self.home.reset_itls(&key, now)?;
            }
            O::RestartTftp => self.restart_tftp()?,
            O::SetTokenless | O::SetETokens | O::SetNonSecure => {
                self.home.mode = match op {
                    O::SetTokenless => SecurityMode::MixedTokenless,
                    O::SetETokens => {
                        if !self.home.version.supports_etokens() {
                            return Err(ClusterError::RefusedByVersion {
                                version: self.home.version,
                                operation: op.to_string(),
                                reason: super::ETOKENS_UNSUPPORTED,
                            });
                        }
                        if self.home.etokens.is_empty() {
                            return Err(ClusterError::NoETokens);
                        }
                        SecurityMode::MixedEToken
                    }
                    _ => SecurityMode::NonSecure,
                };
                self.home.rebuild_ctl(now)?;
                self.restart_tftp()?;
            }
            O::UpdateCtl => {
                if self.home.mode == SecurityMode::NonSecure {
                    return Err(ClusterError::NotMixedMode);
                }
                self.home.rebuild_ctl(now)?;
            }
            O::UploadPhoneSastTrust => {
                if self.home.etokens.is_empty() {
                    return Err(ClusterError::NoETokens);
                }
                for t in &self.home.etokens {
                    if !self
                        .home
                        .phone_sast_trust
                        .iter()
                        .any(|c| c.der() == t.certificate().der())
                    {
                        self.home.phone_sast_trust.push(t.certificate().clone());
                    }
                }
            }
            O::PrepareRollback | O::CancelRollback => {
                self.home.rollback = matches!(op, O::PrepareRollback);
                self.restart_tftp()?;
            }
            O::AddNode { node, tftp } => {
                if !super::valid_host_name(node) {
                    return Err(ClusterError::BadNodeName(node.clone()));
                }
                if self.home.nodes.len() >= super::MAX_NODES {
                    return Err(ClusterError::TooLarge(alloc::format!(
                        "a cluster has at most {} nodes",
                        super::MAX_NODES
                    )));
                }
                if self.home.node(node).is_some()
                    || self.classes.iter().any(|c| &c.spec.name == node)
                {
                    return Err(ClusterError::DuplicateName(node.clone()));
                }
                let org = self.home.organization.clone();
                let last = self
                    .home
                    .nodes
                    .iter()
                    .map(|n| n.ip)
                    .max()
                    .unwrap_or([10, 0, 0, 9]);
                let ip = [last[0], last[1], last[2], last[3].wrapping_add(1)];
                let callmanager = new_identity(&mut self.keys, node, &org, now, 5)?;
                let tvs = new_identity(&mut self.keys, node, &org, now, 5)?;
                self.home.nodes.push(super::Node {
                    name: node.clone(),
                    ip,
                    tftp: *tftp,
                    tvs_service: true,
                    callmanager,
                    tvs,
                    modified_at: None,
                });
                self.restart_tftp()?;
            }
            O::RemoveNode { node } => {
                let i = self.home.node_index(node)?;
                if i == 0 {
                    return Err(ClusterError::PublisherRemoval(node.clone()));
                }
                self.home.nodes.remove(i);
                if !self.home.nodes.iter().any(|n| n.tftp) {
                    return Err(ClusterError::NoTftpNode);
                }
                self.restart_tftp()?;
            }
            O::SetGroup { class, nodes } => {
                if nodes.len() > 3 {
                    return Err(ClusterError::GroupTooLarge(nodes.len()));
                }
                let c = self.class_index(class)?;
                let site = self.classes.get(c).map(|c| c.site).unwrap_or(Site::Home);
                for n in nodes {
                    self.servers_of(site).node_index(n)?;
                }
                if let Some(c) = self.classes.get_mut(c) {
                    c.pending_group = Some(nodes.clone());
                }
            }
            O::SetTftp { class, node } => {
                let c = self.class_index(class)?;
                let site = self.classes.get(c).map(|c| c.site).unwrap_or(Site::Home);
                self.servers_of(site).node_index(node)?;
                if let Some(c) = self.classes.get_mut(c) {
                    c.spec.tftp = node.clone();
                }
            }
            O::Migrate { class } => {
                let c = self.class_index(class)?;
                if self.new_site.is_none() {
                    self.new_site = Some(self.fresh_servers()?);
                }
                if let Some(c) = self.classes.get_mut(c) {
                    c.site = Site::New;
                }
            }
            O::Rebuild => {
                self.home = self.fresh_servers()?;
            }
            O::Wait { seconds } => {
                self.now = self.now.saturating_add(*seconds).min(super::LATEST_TIME);
            }
            O::Reboot => {
                self.boot();
            }
        }
        Ok(())
    }

    /// The seconds CUCM's five-minute rule still holds `op` back, if it is
    /// a regeneration on a node modified less than five minutes ago.
    pub(crate) fn hold(&self, op: &Operation) -> Result<Option<u64>, ClusterError> {
        let Some(node) = self.regenerated_node(op) else {
            return Ok(None);
        };
        let i = self.home.node_index(&node)?;
        let ready = self
            .home
            .nodes
            .get(i)
            .and_then(|n| n.modified_at)
            .map(|at| at.saturating_add(REGENERATION_HOLD_SECONDS));
        Ok(ready.filter(|r| self.now < *r).map(|r| r - self.now))
    }

    /// The node whose certificate `op` regenerates: the node it names, or
    /// the publisher for `regenerate-itlrecovery`.
    pub(crate) fn regenerated_node(&self, op: &Operation) -> Option<String> {
        match op {
            Operation::RegenerateItlRecovery => self.home.nodes.first().map(|n| n.name.clone()),
            _ => op.regenerates().map(str::to_string),
        }
    }

    /// A TFTP restart: each node's ITL signed by its CallManager key again
    /// (a reset ends), or the blank ITL while "Prepare Cluster for
    /// Rollback" is on; the CTL as it is.
    fn restart_tftp(&mut self) -> Result<(), ClusterError> {
        self.home.reset = None;
        self.home.rebuild_itls(self.now)
    }
}
