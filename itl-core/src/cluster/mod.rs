//! "Will this lock my phones?": a what-if simulator of a CUCM cluster and
//! its phones, and a planner that finds a safe order of operations.
//!
//! The model is built on the rest of the crate: the files a simulated
//! cluster serves are real ITLs, CTLs and signed configurations in CUCM's
//! layout, signed with real RSA keys ([`keys`]); each class of phones is a
//! real [`crate::phone::Phone`] that fetches them over a simulated
//! TFTP and asks a simulated TVS that answers through the real wire codec.
//! Nothing about the outcome is scripted: a phone locks exactly when the
//! phone rules of `docs/TRUST.md` refuse what its TFTP node serves.
//!
//! * [`Cluster`]: the servers ([`Servers`]: nodes, identities, security
//!   mode, TVS's store, served files) and the phones, grouped in classes
//!   ([`PhoneClass`]): phones that hold the same files and settings behave
//!   alike, so 100,000 phones in 20 classes cost what 20 phones cost.
//! * [`Operation`]: what an administrator does, changing the cluster the
//!   way CUCM does (regenerations, `utils itl reset`, TFTP restarts, CTL
//!   modes, rollback, nodes, CallManager groups, migration), and
//!   `reboot`, after which every class boots.
//! * [`Report`]: per class, how many phones end locked, which rule
//!   accepted their files or why nothing did, and the remedies that would
//!   work, each checked by simulating it.
//! * [`plan`]: searches orders of operations and reboots that reach a
//!   [`Goal`] with no phone locked.
//! * [`describe`]: the TOML cluster description; [`dot`]: who trusts whom,
//!   as Graphviz.
//!
//! ```
//! use cisco_itl::cluster::{Cluster, Operation};
//! let cluster = Cluster::builtin()?;
//! // A host name change on the publisher regenerates CallManager and TVS at once.
//! let report = cluster.whatif(&["regenerate-both:cucm-pub".parse::<Operation>()?])?;
//! assert!(report.locked() > 0);
//! // Phones whose group also lists a subscriber's TVS are not locked.
//! let safe = report.class("desk-sub").unwrap();
//! assert_eq!(safe.locked, 0);
//! # Ok::<(), cisco_itl::cluster::ClusterError>(())
//! ```

pub mod collected;
pub mod describe;
pub mod dot;
pub mod keys;
mod operation;
pub mod plan;
mod report;
mod servers;
mod version;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::Mutex;

pub use keys::KeySource;
pub use operation::{Operation, OperationParseError};
pub use plan::{Goal, Plan};
pub use report::{ClassOutcome, ClassReport, OffReport, Remedy, Report};
pub use servers::{Node, NodeIdentities, REGENERATION_HOLD_SECONDS, SecurityMode, Servers};
pub use version::{CucmVersion, VersionParseError};

use crate::key::Signer;
use crate::phone::{BootOutcome, BootStep, ManualClock, Phone, TftpSource};
use crate::tvs::server::{InMemoryTvs, TvsServer};

/// The most nodes a cluster may have (CUCM supports 21).
pub const MAX_NODES: usize = 32;
/// The most eTokens a CTL client uses here.
pub const MAX_ETOKENS: usize = 8;
/// The most phone classes a cluster may have: each costs a boot (and a
/// signed configuration) per simulation.
pub const MAX_CLASSES: usize = 1_000;
/// The most phones one class may count.
pub const MAX_PHONES_PER_CLASS: u64 = 1_000_000_000;
/// The most operations one `whatif` simulates (its remedies replay them
/// once per node).
pub const MAX_OPERATIONS: usize = 64;
/// The remedies' budget of one `whatif`, in operations replayed on copies
/// of the cluster: 32 nodes' TVS tried against 8 operations. Each replay
/// copies only the classes it checks, and draws the keys the operations
/// drew (no key is generated again).
pub const MAX_REMEDY_REPLAYS: usize = 256;
/// The latest simulated time, 9999-12-31 23:59:59 UTC: certificates
/// cannot be dated later, so `wait` stops there.
pub const LATEST_TIME: u64 = 253_402_300_799;
/// Signed configurations kept for reuse across copies of a cluster; the
/// cache starts over when full.
const MAX_CACHED_CONFIGS: usize = 4_096;

/// Whether `name` is a host name the simulator takes: 1 to 63 letters,
/// digits, hyphens and dots, starting with a letter or digit. (It becomes
/// the CN of the node's certificates, so nothing that could add name
/// attributes gets through.)
fn valid_host_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// Why a cluster could not be built or an operation not carried out. An
/// operation that fails leaves the cluster as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// No node has this name.
    #[error("the cluster has no node named {0:?}")]
    UnknownNode(String),
    /// No phone class has this name.
    #[error("the cluster has no phone class named {0:?}")]
    UnknownClass(String),
    /// Two nodes or two classes share a name.
    #[error("the name {0:?} is used twice")]
    DuplicateName(String),
    /// A node name that is not a host name.
    #[error("{0:?} is not a host name (1 to 63 letters, digits, '-' and '.')")]
    BadNodeName(String),
    /// A model number outside 1–9999 (a phone's TVS name carries 4 digits).
    #[error("model {0} is not a phone model number (1 to 9999)")]
    BadModel(u16),
    /// A MAC that is not 12 hexadecimal digits.
    #[error("{0:?} is not a MAC (12 hexadecimal digits)")]
    BadMac(String),
    /// A class name that is empty, too long, or holds ':' or ','.
    #[error("{0:?} is not a class name (1 to 64 characters, no ':', ',' or control characters)")]
    BadClassName(String),
    /// No order of operations reaches the goal within the steps allowed
    /// (for instance 0 steps, or an operation CUCM refuses).
    #[error("no order of operations reaches {goal} within {max_steps} steps")]
    NoPlan {
        /// The goal.
        goal: String,
        /// The steps searched.
        max_steps: usize,
    },
    /// A limit of the simulator.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A cluster needs a publisher.
    #[error("a cluster needs at least one node (the publisher)")]
    NoNodes,
    /// Nothing runs TFTP.
    #[error("no node runs the TFTP service")]
    NoTftpNode,
    /// The publisher cannot be removed.
    #[error("the publisher {0:?} cannot be removed")]
    PublisherRemoval(String),
    /// CUCM refuses a second regeneration on a node within five minutes.
    #[error(
        "a certificate of {node} was modified in the last 5 minutes: wait {wait_seconds} s more"
    )]
    TooSoon {
        /// The node.
        node: String,
        /// Seconds left before CUCM accepts another regeneration.
        wait_seconds: u64,
    },
    /// A CallManager group lists at most three servers.
    #[error("a CallManager group lists at most 3 TVS servers, not {0}")]
    GroupTooLarge(usize),
    /// The cluster's CUCM release refuses the operation (or the setting).
    #[error("CUCM {version} refuses {operation}: {reason}")]
    RefusedByVersion {
        /// The release.
        version: CucmVersion,
        /// The operation or setting, as written.
        operation: String,
        /// CUCM's reason, a sentence.
        reason: &'static str,
    },
    /// The operation needs mixed mode.
    #[error("the cluster is not in mixed mode")]
    NotMixedMode,
    /// Going back to eTokens needs eToken identities.
    #[error("the cluster has no eToken")]
    NoETokens,
    /// The key pool is used up.
    #[error("the key source has no key left")]
    KeysExhausted,
    /// Generating a key failed.
    #[error("could not generate a {bits}-bit RSA key")]
    KeyGeneration {
        /// The requested size.
        bits: usize,
    },
    /// A key could not be read.
    #[error(transparent)]
    Key(#[from] crate::key::KeyError),
    /// A certificate could not be made.
    #[error("could not make a certificate: {0}")]
    Certificate(String),
    /// A trust list could not be built or signed.
    #[error(transparent)]
    Build(#[from] crate::build::BuildError),
    /// A file could not be signed.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// A cluster description is wrong.
    #[error("cluster description: {0}")]
    Description(String),
    /// A file a description names (or the description itself) is missing,
    /// not a regular file (a FIFO, `/dev/stdin`, a directory) or too large.
    #[error("cluster description: {0}")]
    File(#[from] crate::fs::FileError),
    /// An operation could not be read.
    #[error(transparent)]
    Operation(#[from] OperationParseError),
    /// Collected files (`Cluster::from_collected`) could not be read or
    /// used.
    #[error("collected files: {0}")]
    Collection(String),
    /// A file the simulator wrote did not read back (a bug; please report).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Which cluster a class of phones boots from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// The cluster as described.
    Home,
    /// The new cluster the class was migrated to.
    New,
}

/// What a class of phones holds when the description starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The files its TFTP node serves now (it booted once before).
    Current,
    /// An ITL written before CUCM 10.0, without the ITLRecovery record
    /// (and the CTL in mixed mode).
    WithoutRecovery,
    /// Nothing (a new phone, or one whose ITL was deleted).
    Nothing,
}

impl Installed {
    /// Reads `current`, `without-recovery` or `nothing`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "current" => Some(Installed::Current),
            "without-recovery" => Some(Installed::WithoutRecovery),
            "nothing" => Some(Installed::Nothing),
            _ => None,
        }
    }
}

/// A class of phones to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneClassSpec {
    /// The class's name.
    pub name: String,
    /// How many phones it has.
    pub count: u64,
    /// The model number (its TVS device name carries it).
    pub model: u16,
    /// Whether the model supports Security By Default (ITL and TVS);
    /// 7940/7960 and Jabber do not.
    pub security_by_default: bool,
    /// The node it gets its files from.
    pub tftp: String,
    /// Its CallManager group: the nodes whose TVS it may ask, in order
    /// (at most 3).
    pub group: Vec<String>,
    /// What it holds at the start.
    pub installed: Installed,
    /// The MAC of its first phone (12 hexadecimal digits), the one the
    /// simulation boots; made up from the class's position when `None`.
    pub mac: Option<String>,
    /// How many of its phones are off during the operations of a
    /// [`Cluster::whatif`]: they hold what the class held at the start,
    /// miss every boot in between and boot once at the end, with whatever
    /// files are then served (a description's `off = 0.25` is a share).
    pub off: u64,
}

impl PhoneClassSpec {
    /// A class of `count` Security-By-Default phones (model 8841) fetching
    /// from `tftp` and asking the TVS of `group`, holding the current files.
    pub fn new(name: &str, count: u64, tftp: &str, group: &[&str]) -> Self {
        PhoneClassSpec {
            name: name.into(),
            count,
            model: 8841,
            security_by_default: true,
            tftp: tftp.into(),
            group: group.iter().map(|s| (*s).into()).collect(),
            installed: Installed::Current,
            mac: None,
            off: 0,
        }
    }
}

/// A class of phones: same model, settings and installed files.
#[derive(Debug, Clone)]
pub struct PhoneClass {
    pub(crate) spec: PhoneClassSpec,
    pub(crate) site: Site,
    /// A CallManager group sent in the configuration, applied when a
    /// phone accepts its next configuration file.
    pub(crate) pending_group: Option<Vec<String>>,
    pub(crate) phone: Phone,
    pub(crate) last_boot: Vec<BootStep>,
}

impl PhoneClass {
    /// The class's settings.
    pub fn spec(&self) -> &PhoneClassSpec {
        &self.spec
    }

    /// Where it boots from.
    pub fn site(&self) -> Site {
        self.site
    }

    /// The representative phone (its installed files and TVS cache).
    pub fn phone(&self) -> &Phone {
        &self.phone
    }

    /// What its last boot did, file by file.
    pub fn last_boot(&self) -> &[BootStep] {
        &self.last_boot
    }
}

/// A node to create.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// Host name.
    pub name: String,
    /// IPv4 address (written in CTL records).
    pub ip: [u8; 4],
    /// Whether it runs the TFTP service.
    pub tftp: bool,
    /// Whether it runs the TVS service (CUCM runs it on every node that
    /// runs CallManager; default true).
    pub tvs_service: bool,
    /// Its identities, when given; made from the key source otherwise.
    pub identities: NodeIdentities,
}

impl NodeSpec {
    /// A node running TVS, with identities from the key source.
    pub fn new(name: &str, ip: [u8; 4], tftp: bool) -> Self {
        NodeSpec {
            name: name.into(),
            ip,
            tftp,
            tvs_service: true,
            identities: NodeIdentities::default(),
        }
    }
}

/// Everything needed to build a [`Cluster`].
#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// The name parts after `CN=` in the certificates the cluster makes
    /// (RFC 4514, e.g. `OU=VOICE,O=Example,C=FR`).
    pub organization: String,
    /// The nodes, the publisher first.
    pub nodes: Vec<NodeSpec>,
    /// The security mode.
    pub mode: SecurityMode,
    /// How many eTokens the CTL client uses (eToken mode, or to go back
    /// to it later).
    pub etokens: usize,
    /// The publisher's CAPF, when given.
    pub capf: Option<Signer>,
    /// The publisher's ITLRecovery identity, when given.
    pub recovery: Option<Signer>,
    /// The eToken identities, when given (else `etokens` are made).
    pub etoken_identities: Vec<Signer>,
    /// Whether the eToken certificates are already uploaded as
    /// Phone-SAST-trust.
    pub phone_sast_trust: bool,
    /// Simulated time at the start (UNIX seconds).
    pub start_time: u64,
    /// The phone classes.
    pub phones: Vec<PhoneClassSpec>,
    /// The CUCM release whose rules apply (default 10.5).
    pub version: CucmVersion,
    /// The validity of the ITLRecovery certificates the cluster makes, in
    /// years (default 20; CUCM 12.0 and later offer 5, 10, 15 or 20).
    pub recovery_validity_years: u64,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            organization: "OU=VOICE,O=Example,L=Paris,ST=IDF,C=FR".into(),
            nodes: Vec::new(),
            mode: SecurityMode::NonSecure,
            etokens: 2,
            capf: None,
            recovery: None,
            etoken_identities: Vec::new(),
            phone_sast_trust: false,
            start_time: 1_773_075_583,
            phones: Vec::new(),
            version: CucmVersion::default(),
            recovery_validity_years: 20,
        }
    }
}

/// Why CUCM 14SU3 and later refuse the eToken CTL (SPEC §11).
pub const ETOKENS_UNSUPPORTED: &str = "the hardware eToken CTL is no longer supported from CUCM 14SU3: use the tokenless CTL (utils ctl set-cluster mixed-mode)";

/// The ITLRecovery validities CUCM 12.0 and later offer, in years.
pub const RECOVERY_VALIDITY_YEARS: [u64; 4] = [5, 10, 15, 20];

/// Signed configuration files already made, shared by every copy of a
/// cluster: a PKCS#1 v1.5 signature is deterministic, so the same signer,
/// name and time give the same bytes.
type ConfigCache = Arc<Mutex<BTreeMap<(Vec<u8>, String, u64), Vec<u8>>>>;

/// A simulated cluster and its phones.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub(crate) home: Servers,
    pub(crate) new_site: Option<Servers>,
    pub(crate) classes: Vec<PhoneClass>,
    pub(crate) now: u64,
    pub(crate) keys: KeySource,
    pub(crate) configs: ConfigCache,
    /// What a twin of collected files assumed where the files say nothing
    /// (empty for a description).
    pub(crate) assumptions: Vec<String>,
}

impl Cluster {
    /// Builds a cluster from `spec`, drawing keys from `keys`; each phone
    /// class then holds what [`PhoneClassSpec::installed`] says.
    pub fn new(spec: ClusterSpec, mut keys: KeySource) -> Result<Self, ClusterError> {
        let now = spec.start_time;
        if spec.nodes.len() > MAX_NODES {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} nodes (at most {MAX_NODES})",
                spec.nodes.len()
            )));
        }
        if spec.phones.len() > MAX_CLASSES {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} phone classes (at most {MAX_CLASSES})",
                spec.phones.len()
            )));
        }
        if let Some(n) = spec.nodes.iter().find(|n| !valid_host_name(&n.name)) {
            return Err(ClusterError::BadNodeName(n.name.clone()));
        }
        let mut names: Vec<&str> = Vec::new();
        for n in spec
            .nodes
            .iter()
            .map(|n| n.name.as_str())
            .chain(spec.phones.iter().map(|p| p.name.as_str()))
        {
            if names.contains(&n) {
                return Err(ClusterError::DuplicateName(n.into()));
            }
            names.push(n);
        }
        let home = Servers::create(&spec, &mut keys, now)?;
        let mut cluster = Cluster {
            home,
            new_site: None,
            classes: Vec::new(),
            now,
            keys,
            configs: Arc::new(Mutex::new(BTreeMap::new())),
            assumptions: Vec::new(),
        };
        for (i, spec) in spec.phones.into_iter().enumerate() {
            cluster.add_class(i, spec)?;
        }
        Ok(cluster)
    }

    fn add_class(&mut self, index: usize, spec: PhoneClassSpec) -> Result<(), ClusterError> {
        let name_ok = (1..=64).contains(&spec.name.chars().count())
            && !spec
                .name
                .chars()
                .any(|c| c == ':' || c == ',' || c.is_control());
        if !name_ok {
            return Err(ClusterError::BadClassName(spec.name.clone()));
        }
        if spec.count > MAX_PHONES_PER_CLASS {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} phones in {} (at most {MAX_PHONES_PER_CLASS} a class)",
                spec.count,
                spec.name
            )));
        }
        if spec.group.len() > 3 {
            return Err(ClusterError::GroupTooLarge(spec.group.len()));
        }
        if spec.off > spec.count {
            return Err(ClusterError::Description(alloc::format!(
                "{} of the {} phones of {} are off: more than the class has",
                spec.off,
                spec.count,
                spec.name
            )));
        }
        if !(1..=9999).contains(&spec.model) {
            return Err(ClusterError::BadModel(spec.model));
        }
        let node = self.home.node_index(&spec.tftp)?;
        for g in &spec.group {
            self.home.node_index(g)?;
        }
        let mac = match &spec.mac {
            Some(m) if m.len() == 12 && m.bytes().all(|b| b.is_ascii_hexdigit()) => {
                alloc::format!("SEP{}", m.to_ascii_uppercase())
            }
            Some(m) => return Err(ClusterError::BadMac(m.clone())),
            None => alloc::format!("SEP{:012X}", 0x00_1D_45_00_00_00_u64 + index as u64 * 0x101),
        };
        let mut phone = Phone::new(&mac)
            .with_model(spec.model)
            .with_tvs_servers(spec.group.len());
        if !spec.security_by_default {
            phone = phone.without_security_by_default();
        }
        let mut class = PhoneClass {
            spec,
            site: Site::Home,
            pending_group: None,
            phone,
            last_boot: Vec::new(),
        };
        match class.spec.installed {
            Installed::Nothing => {}
            Installed::Current => {
                self.boot_class(&mut class);
            }
            Installed::WithoutRecovery => {
                let clock = ManualClock::new(self.now);
                let mut nobody = InMemoryTvs::unreachable();
                if let Some(ctl) = &self.home.ctl {
                    let _ = class
                        .phone
                        .offer_trust_list("CTLFile.tlv", ctl, &mut nobody, &clock);
                }
                if class.spec.security_by_default {
                    let n = self.home.nodes.get(node).ok_or(ClusterError::NoNodes)?;
                    let old = self.home.build_itl(n, self.now, false)?;
                    let _ = class
                        .phone
                        .offer_trust_list("ITLFile.tlv", &old, &mut nobody, &clock);
                }
            }
        }
        self.classes.push(class);
        Ok(())
    }

    /// The built-in example: a three-node cluster (publisher `cucm-pub`,
    /// subscribers `cucm-sub1` and `cucm-sub2`, all running TFTP and TVS),
    /// non-secure, with 100,000 phones in 20 classes: desk phones whose
    /// group lists only their own node, others whose group also lists a
    /// second node, phones from before CUCM 10.0 (ITL without the
    /// ITLRecovery record), and a few 7960s without Security By Default.
    pub fn builtin() -> Result<Self, ClusterError> {
        Self::from_toml(describe::BUILTIN, None)
    }

    /// What a twin built by [`Cluster::from_collected`] assumed where the
    /// collected files say nothing, and which files it used, one sentence
    /// each (empty for a cluster built from a description).
    pub fn assumptions(&self) -> &[String] {
        &self.assumptions
    }

    /// The home cluster's servers.
    pub fn servers(&self) -> &Servers {
        &self.home
    }

    /// The cluster phones were migrated to, once a `migrate` operation ran.
    pub fn new_servers(&self) -> Option<&Servers> {
        self.new_site.as_ref()
    }

    /// The phone classes.
    pub fn classes(&self) -> &[PhoneClass] {
        &self.classes
    }

    /// The number of phones.
    pub fn phone_count(&self) -> u64 {
        self.classes.iter().map(|c| c.spec.count).sum()
    }

    /// Simulated time (UNIX seconds).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Applies `op` (a `reboot` boots every class). On error the cluster
    /// is unchanged.
    pub fn apply(&mut self, op: &Operation) -> Result<(), ClusterError> {
        let mut next = self.clone();
        next.apply_in_place(op)?;
        *self = next;
        Ok(())
    }

    /// Every class boots against its TFTP node; returns the report (every
    /// phone counted: the phones a class says are off are off only during
    /// a [`Cluster::whatif`]).
    pub fn boot(&mut self) -> Report {
        self.boot_all();
        Report::of(self)
    }

    /// Every class boots against its TFTP node.
    fn boot_all(&mut self) {
        let mut classes = core::mem::take(&mut self.classes);
        let home = self.home.tvs_servers();
        let new = self.new_site.as_ref().map(Servers::tvs_servers);
        for class in &mut classes {
            let tvs = match (class.site, &new) {
                (Site::New, Some(new)) => new,
                _ => &home,
            };
            self.boot_class_with(class, tvs);
        }
        self.classes = classes;
    }

    /// What would happen: applies `ops` to a copy of the cluster, in
    /// order (every class boots at each `reboot` and after each
    /// regeneration, as CUCM resets the phones), boots every class at the
    /// end unless the last operation just did, and reports per class with
    /// the remedies that would work for the phones cut off. The cluster
    /// itself is unchanged.
    ///
    /// The phones a class says are off ([`PhoneClassSpec::off`]) miss every
    /// boot until the end, where they boot once with what the class held at
    /// the start; the report gives them apart ([`ClassReport::off`]) and
    /// counts them in the totals. (The remedies are checked for the phones
    /// that were on.)
    ///
    /// The remedies are checked within [`MAX_REMEDY_REPLAYS`] operations
    /// replayed; [`Cluster::whatif_within`] takes another budget.
    pub fn whatif(&self, ops: &[Operation]) -> Result<Report, ClusterError> {
        self.whatif_within(ops, MAX_REMEDY_REPLAYS)
    }

    /// [`Cluster::whatif`] with a budget for the remedies: at most
    /// `max_replays` operations replayed on copies of the cluster (trying
    /// one more node's TVS in the groups replays every operation once).
    /// When the budget runs out, the remedies not checked are left out
    /// and the report says so ([`Report::remedy_checks_skipped`]); 0
    /// checks only erasing the trust lists by hand.
    ///
    /// ```
    /// use cisco_itl::cluster::{Cluster, Operation};
    /// let cluster = Cluster::builtin()?;
    /// let ops = ["regenerate-both:cucm-pub".parse::<Operation>()?];
    /// let full = cluster.whatif(&ops)?;
    /// assert_eq!(full.remedy_checks_skipped, 0);
    /// let none = cluster.whatif_within(&ops, 0)?;
    /// assert_eq!(none.remedy_checks_skipped, none.remedy_checks);
    /// assert!(none.to_string().contains("budget reached"));
    /// # Ok::<(), cisco_itl::cluster::ClusterError>(())
    /// ```
    pub fn whatif_within(
        &self,
        ops: &[Operation],
        max_replays: usize,
    ) -> Result<Report, ClusterError> {
        if ops.len() > MAX_OPERATIONS {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} operations (at most {MAX_OPERATIONS})",
                ops.len()
            )));
        }
        let mut copy = self.clone();
        let mut peak = 0;
        for op in ops {
            copy.apply_in_place(op)?;
            if op.boots_phones() {
                peak = peak.max(Report::of_awake(&copy).cut_off());
            }
        }
        // Every class boots at the end, unless the last operation just
        // booted them (a reboot, a regeneration).
        if !ops.last().is_some_and(Operation::boots_phones) {
            copy.boot_all();
        }
        let mut report = Report::of_awake(&copy);
        // The phones that were off wake up now, holding what their class
        // held at the start, and meet what is served at the end.
        for (i, start) in self.classes.iter().enumerate() {
            if start.spec.off == 0 {
                continue;
            }
            let Some(end) = copy.classes.get(i) else {
                continue;
            };
            let mut sleeper = start.clone();
            sleeper.spec.tftp = end.spec.tftp.clone();
            sleeper.site = end.site;
            let group_now = end.pending_group.as_ref().unwrap_or(&end.spec.group);
            if *group_now != start.spec.group {
                sleeper.pending_group = Some(group_now.clone());
            }
            copy.boot_class(&mut sleeper);
            if let Some(c) = report.classes.get_mut(i) {
                c.wake(&sleeper);
            }
        }
        report.peak_cut_off = peak.max(report.cut_off());
        report.operations = ops.to_vec();
        report.add_remedies(self, &copy, max_replays);
        Ok(report)
    }

    pub(crate) fn servers_of(&self, site: Site) -> &Servers {
        match (site, &self.new_site) {
            (Site::New, Some(s)) => s,
            _ => &self.home,
        }
    }

    /// Boots one class against its site; applies a pending group once the
    /// configuration is accepted.
    pub(crate) fn boot_class(&self, class: &mut PhoneClass) {
        let tvs = self.servers_of(class.site).tvs_servers();
        self.boot_class_with(class, &tvs);
    }

    /// Boots one class, its site's TVS services given (built once for a
    /// whole boot).
    fn boot_class_with(&self, class: &mut PhoneClass, tvs: &BTreeMap<String, TvsServer>) {
        let servers = self.servers_of(class.site);
        let node = servers.node(&class.spec.tftp);
        let group: Vec<Option<TvsServer>> = class
            .spec
            .group
            .iter()
            .map(|g| tvs.get(g).cloned())
            .collect();
        let mut tvs = InMemoryTvs {
            servers: group,
            ..InMemoryTvs::default()
        };
        let tftp = SimulatedTftp {
            cluster: self,
            servers,
            node,
        };
        let clock = ManualClock::new(self.now);
        class.last_boot = class.phone.boot(&tftp, &mut tvs, &clock, false);
        let config_ok = class
            .last_boot
            .iter()
            .any(|s| matches!(s.outcome, BootOutcome::Config(Ok(_))));
        if config_ok && let Some(group) = class.pending_group.take() {
            class.phone = class.phone.clone().with_tvs_servers(group.len());
            class.spec.group = group;
        }
    }

    /// A signed configuration, from the shared cache when it was made before.
    fn config(&self, servers: &Servers, node: &Node, name: &str) -> Option<Vec<u8>> {
        let key = (
            node.callmanager.certificate().sha1().to_vec(),
            name.to_string(),
            servers.files_at,
        );
        if let Ok(cache) = self.configs.lock()
            && let Some(bytes) = cache.get(&key)
        {
            return Some(bytes.clone());
        }
        let bytes = servers.signed_config(node, name).ok()?;
        if let Ok(mut cache) = self.configs.lock() {
            if cache.len() >= MAX_CACHED_CONFIGS {
                cache.clear();
            }
            cache.insert(key, bytes.clone());
        }
        Some(bytes)
    }

    pub(crate) fn class_index(&self, name: &str) -> Result<usize, ClusterError> {
        self.classes
            .iter()
            .position(|c| c.spec.name == name)
            .ok_or_else(|| ClusterError::UnknownClass(name.into()))
    }

    /// A new cluster with the home cluster's nodes (names, addresses,
    /// services) and its own identities, non-secure; the saved
    /// `ITLRecovery.p12` stays the home cluster's (a rebuild keeps it for
    /// `remotekey`).
    pub(crate) fn fresh_servers(&mut self) -> Result<Servers, ClusterError> {
        let spec = ClusterSpec {
            organization: self.home.organization.clone(),
            nodes: self
                .home
                .nodes
                .iter()
                .map(|n| NodeSpec::new(&n.name, n.ip, n.tftp))
                .collect(),
            mode: SecurityMode::NonSecure,
            etokens: 0,
            etoken_identities: self.home.etokens.clone(),
            version: self.home.version,
            recovery_validity_years: self.home.recovery_years,
            ..ClusterSpec::default()
        };
        let mut servers = Servers::create(&spec, &mut self.keys, self.now)?;
        servers.recovery_backup = self.home.recovery_backup.clone();
        Ok(servers)
    }
}

/// What a TFTP node serves to a booting phone.
struct SimulatedTftp<'a> {
    cluster: &'a Cluster,
    servers: &'a Servers,
    node: Option<&'a Node>,
}

impl TftpSource for SimulatedTftp<'_> {
    fn fetch(&self, name: &str) -> Option<Vec<u8>> {
        let node = self.node.filter(|n| n.tftp)?;
        match name {
            "CTLFile.tlv" => self.servers.ctl.clone(),
            "ITLFile.tlv" => self.servers.itl(&node.name).map(<[u8]>::to_vec),
            _ if name.ends_with(".cnf.xml.sgn") => self.cluster.config(self.servers, node, name),
            _ if name.ends_with(".cnf.xml") => Some(b"<device/>".to_vec()),
            _ => None,
        }
    }
}
