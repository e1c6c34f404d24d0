//! The servers of one cluster: its nodes and their identities, its
//! security mode, TVS's certificate store, and the files each TFTP node
//! serves, written the way CUCM writes them.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::ClusterError;
use super::keys::{KeySource, self_signed};
use crate::build::{RecordSpec, TrustListBuilder};
use crate::cert::{CertInfo, NameStyle};
use crate::digest::{DigestAlgorithm, sha1};
use crate::function::Function;
use crate::key::Signer;
use crate::signed_file::SignedFileBuilder;
use crate::trust_list::{ListKind, TrustList};
use crate::tvs::server::TvsServer;
use crate::write::TrustListBuf;

/// How long CUCM refuses a second certificate regeneration on a node
/// ("CallManager certificate was modified in the last 5 minutes").
pub const REGENERATION_HOLD_SECONDS: u64 = 300;

/// The cluster's security mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    /// No CTL: phones hold only the ITL.
    NonSecure,
    /// Mixed mode with a CTL signed by a hardware eToken (CTL client).
    MixedEToken,
    /// Mixed mode with a tokenless CTL signed by the publisher's
    /// CallManager key (`utils ctl set-cluster mixed-mode`, CUCM 10+).
    MixedTokenless,
}

impl SecurityMode {
    /// The name used in cluster descriptions: `non-secure`, `etoken`,
    /// `tokenless`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityMode::NonSecure => "non-secure",
            SecurityMode::MixedEToken => "etoken",
            SecurityMode::MixedTokenless => "tokenless",
        }
    }

    /// Reads a name written by [`SecurityMode::as_str`].
    ///
    /// ```
    /// use cisco_itl::cluster::SecurityMode;
    /// assert_eq!(SecurityMode::parse("tokenless"), Some(SecurityMode::MixedTokenless));
    /// assert_eq!(SecurityMode::parse("secure"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        [
            SecurityMode::NonSecure,
            SecurityMode::MixedEToken,
            SecurityMode::MixedTokenless,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

/// One CUCM node.
#[derive(Debug, Clone)]
pub struct Node {
    pub(crate) name: String,
    pub(crate) ip: [u8; 4],
    pub(crate) tftp: bool,
    pub(crate) tvs_service: bool,
    pub(crate) callmanager: Signer,
    pub(crate) tvs: Signer,
    pub(crate) modified_at: Option<u64>,
}

impl Node {
    /// The node's host name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the node runs the TFTP service.
    pub fn runs_tftp(&self) -> bool {
        self.tftp
    }

    /// Whether the node runs the TVS service.
    pub fn runs_tvs(&self) -> bool {
        self.tvs_service
    }

    /// Its `CallManager.pem` certificate.
    pub fn callmanager(&self) -> &CertInfo {
        self.callmanager.certificate()
    }

    /// Its `TVS.pem` certificate.
    pub fn tvs(&self) -> &CertInfo {
        self.tvs.certificate()
    }
}

/// The identities a node starts with: given (real keys and certificates),
/// or made from the key source.
#[derive(Debug, Clone, Default)]
pub struct NodeIdentities {
    /// `CallManager.pem` (key and certificate).
    pub callmanager: Option<Signer>,
    /// `TVS.pem` (key and certificate).
    pub tvs: Option<Signer>,
}

/// The servers of a cluster and the files they serve.
#[derive(Debug, Clone)]
pub struct Servers {
    pub(crate) nodes: Vec<Node>,
    pub(crate) organization: String,
    pub(crate) capf: Signer,
    pub(crate) recovery: Signer,
    /// The `ITLRecovery.p12` the administrator saved off the cluster (the
    /// one made at install), used by `utils itl reset remotekey`.
    pub(crate) recovery_backup: Signer,
    pub(crate) etokens: Vec<Signer>,
    pub(crate) mode: SecurityMode,
    pub(crate) phone_sast_trust: Vec<CertInfo>,
    /// "Prepare Cluster for Rollback to pre 8.0" is on: TFTP writes blank
    /// ITLs (the signer's record only).
    pub(crate) rollback: bool,
    /// `utils itl reset`: the ITL every TFTP node serves until TFTP
    /// restarts (the publisher's ITL re-signed by an ITLRecovery key).
    pub(crate) reset: Option<Vec<u8>>,
    pub(crate) ctl: Option<Vec<u8>>,
    pub(crate) itls: Vec<Option<Vec<u8>>>,
    pub(crate) files_at: u64,
    /// The CUCM release whose rules the servers follow.
    pub(crate) version: super::CucmVersion,
    /// The validity of an ITLRecovery certificate made here, in years.
    pub(crate) recovery_years: u64,
}

/// Makes a deterministic, positive 16-byte serial number for a new
/// certificate from its key and subject.
fn serial_for(key: &crate::key::SigningKey, subject: &str) -> Vec<u8> {
    use rsa::traits::PublicKeyParts;
    let mut input = key.rsa().n_bytes().to_vec();
    input.extend_from_slice(subject.as_bytes());
    let mut serial = sha1(&input)
        .get(..16)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    if let Some(first) = serial.first_mut() {
        *first = (*first & 0x7f) | 0x10;
    }
    serial
}

/// A new identity for `common_name` from the key source.
pub(crate) fn new_identity(
    keys: &mut KeySource,
    common_name: &str,
    organization: &str,
    now: u64,
    years: u64,
) -> Result<Signer, ClusterError> {
    let key = keys.next_key()?;
    let subject = if organization.is_empty() {
        alloc::format!("CN={common_name}")
    } else {
        alloc::format!("CN={common_name},{organization}")
    };
    let serial = serial_for(&key, &subject);
    self_signed(key, &subject, &serial, now, years)
}

impl Servers {
    /// The servers `spec` describes, with the identities it gives and new
    /// ones from `keys` for the others, and the files they serve at `now`.
    pub(crate) fn create(
        spec: &super::ClusterSpec,
        keys: &mut KeySource,
        now: u64,
    ) -> Result<Self, ClusterError> {
        let org = spec.organization.as_str();
        let mut identity = |given: &Option<Signer>, name: &str, years| match given {
            Some(s) => Ok(s.clone()),
            None => new_identity(keys, name, org, now, years),
        };
        let mut nodes = Vec::with_capacity(spec.nodes.len());
        for n in &spec.nodes {
            nodes.push(Node {
                name: n.name.clone(),
                ip: n.ip,
                tftp: n.tftp,
                tvs_service: n.tvs_service,
                callmanager: identity(&n.identities.callmanager, &n.name, 5)?,
                tvs: identity(&n.identities.tvs, &n.name, 5)?,
                modified_at: None,
            });
        }
        let publisher = nodes
            .first()
            .map(|n| n.name.clone())
            .ok_or(ClusterError::NoNodes)?;
        if !nodes.iter().any(|n| n.tftp) {
            return Err(ClusterError::NoTftpNode);
        }
        if spec.mode == SecurityMode::MixedEToken && !spec.version.supports_etokens() {
            return Err(ClusterError::RefusedByVersion {
                version: spec.version,
                operation: "mode = \"etoken\"".into(),
                reason: super::ETOKENS_UNSUPPORTED,
            });
        }
        let capf = identity(&spec.capf, &alloc::format!("CAPF-{publisher}"), 5)?;
        let recovery = identity(
            &spec.recovery,
            &alloc::format!("ITLRECOVERY_{publisher}"),
            spec.recovery_validity_years,
        )?;
        if spec.etokens.max(spec.etoken_identities.len()) > super::MAX_ETOKENS {
            return Err(ClusterError::TooLarge(alloc::format!(
                "more than {} eTokens",
                super::MAX_ETOKENS
            )));
        }
        let mut etokens = spec.etoken_identities.clone();
        while etokens.len() < spec.etokens {
            let name = alloc::format!("SAST-ADN{:08x}", etokens.len() + 1);
            etokens.push(new_identity(
                keys,
                &name,
                "OU=IPCBU,O=Cisco Systems",
                now,
                10,
            )?);
        }
        let phone_sast_trust = if spec.phone_sast_trust {
            etokens.iter().map(|t| t.certificate().clone()).collect()
        } else {
            Vec::new()
        };
        let mut servers = Servers {
            nodes,
            organization: spec.organization.clone(),
            capf,
            recovery_backup: recovery.clone(),
            recovery,
            etokens,
            mode: spec.mode,
            phone_sast_trust,
            rollback: false,
            reset: None,
            ctl: None,
            itls: Vec::new(),
            files_at: now,
            version: spec.version,
            recovery_years: spec.recovery_validity_years,
        };
        servers.rebuild_ctl(now)?;
        servers.rebuild_itls(now)?;
        Ok(servers)
    }

    /// The nodes, the publisher first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The security mode.
    pub fn mode(&self) -> SecurityMode {
        self.mode
    }

    /// The CUCM release whose rules the servers follow.
    pub fn version(&self) -> super::CucmVersion {
        self.version
    }

    /// The publisher's CAPF certificate.
    pub fn capf(&self) -> &CertInfo {
        self.capf.certificate()
    }

    /// The publisher's ITLRecovery certificate.
    pub fn recovery(&self) -> &CertInfo {
        self.recovery.certificate()
    }

    /// The eToken certificates (for the CTL client).
    pub fn etokens(&self) -> impl Iterator<Item = &CertInfo> {
        self.etokens.iter().map(Signer::certificate)
    }

    /// The certificates uploaded as Phone-SAST-trust.
    pub fn phone_sast_trust(&self) -> &[CertInfo] {
        &self.phone_sast_trust
    }

    /// The node named `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub(crate) fn node_index(&self, name: &str) -> Result<usize, ClusterError> {
        self.nodes
            .iter()
            .position(|n| n.name == name)
            .ok_or_else(|| ClusterError::UnknownNode(name.into()))
    }

    pub(crate) fn publisher(&self) -> Result<&Node, ClusterError> {
        self.nodes.first().ok_or(ClusterError::NoNodes)
    }

    /// The CTL every node serves (mixed mode).
    pub fn ctl(&self) -> Option<&[u8]> {
        self.ctl.as_deref()
    }

    /// The ITL the node named `name` serves (TFTP nodes).
    pub fn itl(&self, name: &str) -> Option<&[u8]> {
        let i = self.nodes.iter().position(|n| n.name == name)?;
        self.itls.get(i).and_then(Option::as_deref)
    }

    /// The records of the ITL that `node` writes, in CUCM's order: its own
    /// CallManager certificate as SAST and as TFTP, the CAPF, the TVS of
    /// every node running TVS (its own first, the publisher's ITLRecovery
    /// after it),
    /// the way the real cluster lays them out.
    ///
    /// From CUCM 12.0 ([`CucmVersion::itl_signed_by_recovery`](super::CucmVersion::itl_signed_by_recovery))
    /// the ITLRecovery record comes first, as the signer, and the node's
    /// CallManager certificate is only its TFTP record.
    fn itl_records(&self, node: &Node, with_recovery: bool) -> Vec<RecordSpec> {
        let cm = node.callmanager.certificate();
        if with_recovery && self.version.itl_signed_by_recovery() {
            let mut records = alloc::vec![
                RecordSpec::new(self.recovery.certificate().clone(), Function::Sast),
                RecordSpec::new(cm.clone(), Function::Tftp),
                RecordSpec::new(self.capf.certificate().clone(), Function::Capf),
            ];
            let own = node.tvs_service.then_some(node);
            for n in own.into_iter().chain(
                self.nodes
                    .iter()
                    .filter(|n| n.name != node.name && n.tvs_service),
            ) {
                records.push(RecordSpec::new(n.tvs.certificate().clone(), Function::Tvs));
            }
            return records;
        }
        let mut records = alloc::vec![
            RecordSpec::new(cm.clone(), Function::Sast),
            RecordSpec::new(cm.clone(), Function::Tftp),
            RecordSpec::new(self.capf.certificate().clone(), Function::Capf),
        ];
        if node.tvs_service {
            records.push(RecordSpec::new(
                node.tvs.certificate().clone(),
                Function::Tvs,
            ));
        }
        if with_recovery {
            records.push(RecordSpec::new(
                self.recovery.certificate().clone(),
                Function::Sast,
            ));
        }
        for other in self
            .nodes
            .iter()
            .filter(|n| n.name != node.name && n.tvs_service)
        {
            records.push(RecordSpec::new(
                other.tvs.certificate().clone(),
                Function::Tvs,
            ));
        }
        records
    }

    /// The key that signs the ITLs `node` writes: its CallManager key, or
    /// from CUCM 12.0 the publisher's ITLRecovery key.
    fn itl_signer<'a>(&'a self, node: &'a Node) -> &'a Signer {
        if self.version.itl_signed_by_recovery() {
            &self.recovery
        } else {
            &node.callmanager
        }
    }

    /// The ITL `node` writes when TFTP starts, signed by its CallManager
    /// key (from CUCM 12.0, by the ITLRecovery key). `with_recovery:
    /// false` gives what a CUCM before 10.0 wrote (signed by CallManager,
    /// no ITLRecovery record), whatever the cluster's version.
    pub(crate) fn build_itl(
        &self,
        node: &Node,
        now: u64,
        with_recovery: bool,
    ) -> Result<Vec<u8>, ClusterError> {
        let mut builder = TrustListBuilder::new(ListKind::Itl).timestamp(timestamp(now));
        for r in self.itl_records(node, with_recovery) {
            builder = builder.record_spec(r);
        }
        let signer = if with_recovery {
            self.itl_signer(node)
        } else {
            &node.callmanager
        };
        Ok(builder.sign(signer)?)
    }

    /// The blank ITL of "Prepare Cluster for Rollback": the signer's
    /// record only.
    fn build_rollback_itl(&self, node: &Node, now: u64) -> Result<Vec<u8>, ClusterError> {
        let signer = self.itl_signer(node);
        Ok(TrustListBuilder::new(ListKind::Itl)
            .timestamp(timestamp(now))
            .record(signer.certificate().clone(), Function::Sast)
            .sign(signer)?)
    }

    /// The CTL of the current mode, with the nodes' host names and
    /// addresses, in CUCM's order; `None` in non-secure mode.
    pub(crate) fn build_ctl(&self, now: u64) -> Result<Option<Vec<u8>>, ClusterError> {
        let publisher = self.publisher()?;
        let at = |n: &Node, cert: &CertInfo, f: Function| {
            RecordSpec::new(cert.clone(), f).with_node(&n.name, n.ip)
        };
        let mut builder = TrustListBuilder::new(ListKind::Ctl).timestamp(timestamp(now));
        let signer = match self.mode {
            SecurityMode::NonSecure => return Ok(None),
            SecurityMode::MixedTokenless => {
                builder = builder.record_spec(at(
                    publisher,
                    publisher.callmanager.certificate(),
                    Function::Sast,
                ));
                &publisher.callmanager
            }
            SecurityMode::MixedEToken => {
                for token in &self.etokens {
                    builder = builder.record_spec(
                        RecordSpec::new(token.certificate().clone(), Function::Sast)
                            .with_node("", [0; 4]),
                    );
                }
                self.etokens.last().ok_or(ClusterError::NoETokens)?
            }
        };
        if self.version.ctl_holds_recovery() {
            builder =
                builder.record_spec(at(publisher, self.recovery.certificate(), Function::Sast));
        }
        builder = builder
            .record_spec(at(
                publisher,
                publisher.callmanager.certificate(),
                Function::CcmTftp,
            ))
            .record_spec(at(publisher, self.capf.certificate(), Function::Capf));
        for n in self.nodes.iter().skip(1) {
            builder = builder.record_spec(at(n, n.callmanager.certificate(), Function::CcmTftp));
        }
        Ok(Some(builder.sign(signer)?))
    }

    /// Writes every TFTP node's ITL (a TFTP restart): signed by its
    /// CallManager key, blank while rollback is prepared; a reset ITL
    /// (`utils itl reset`) is served instead until the next restart.
    pub(crate) fn rebuild_itls(&mut self, now: u64) -> Result<(), ClusterError> {
        let mut itls = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let itl = match (&self.reset, node.tftp) {
                (_, false) => None,
                (Some(reset), true) => Some(reset.clone()),
                (None, true) if self.rollback => Some(self.build_rollback_itl(node, now)?),
                (None, true) => Some(self.build_itl(node, now, true)?),
            };
            itls.push(itl);
        }
        self.itls = itls;
        self.files_at = now;
        Ok(())
    }

    /// `utils itl reset` with `key`: the ITL the publisher serves now (the
    /// first TFTP node's when the publisher runs none) with its signature
    /// removed and signed by `key`, then served by every TFTP node.
    pub(crate) fn reset_itls(&mut self, key: &Signer, now: u64) -> Result<(), ClusterError> {
        let current = self
            .nodes
            .iter()
            .zip(&self.itls)
            .find_map(|(n, itl)| itl.as_deref().filter(|_| n.tftp))
            .ok_or(ClusterError::NoTftpNode)?;
        let list = TrustList::parse(current).map_err(|e| ClusterError::Internal(e.to_string()))?;
        let mut owned = TrustListBuf::from_view(&list);
        self.reset = Some(owned.sign_as(key, DigestAlgorithm::Sha1, NameStyle::Cucm)?);
        self.rebuild_itls(now)
    }

    /// Rebuilds the CTL (`utils ctl update CTLFile`, or the CTL client).
    pub(crate) fn rebuild_ctl(&mut self, now: u64) -> Result<(), ClusterError> {
        self.ctl = self.build_ctl(now)?;
        Ok(())
    }

    /// A signed configuration file `name` from `node`, signed with its
    /// CallManager key.
    pub(crate) fn signed_config(&self, node: &Node, name: &str) -> Result<Vec<u8>, ClusterError> {
        let stem = name.split('.').next().unwrap_or(name);
        let payload = alloc::format!(
            "<device><deviceProtocol>SIP</deviceProtocol><name>{stem}</name>\
             <loadInformation/><callManagerGroup>{}</callManagerGroup></device>\n",
            node.name
        );
        Ok(SignedFileBuilder::new(name, payload.into_bytes())
            .timestamp(timestamp(self.files_at))
            .sign(&node.callmanager)?)
    }

    /// TVS's certificate store, each certificate (DER) with its roles:
    /// every node's CallManager certificate (CCM+TFTP, or the roles its
    /// records have in the CTL the cluster serves: the notes show TVS
    /// answering SAST and CCM+TFTP for the publisher after a tokenless CTL)
    /// and TVS certificate, the CAPF, and the Phone-SAST-trust uploads.
    /// Before CUCM 12.0 ITLRecovery is not in it: the notes say a reset
    /// reaches only phones whose ITL already holds the recovery record.
    /// From 12.0 it is (role SAST): it signs every ITL, and a phone takes
    /// an ITL signed by a new ITLRecovery key through TVS.
    fn tvs_store(&self) -> Vec<(&[u8], Vec<Function>)> {
        let ctl = self.ctl.as_deref().and_then(|b| TrustList::parse(b).ok());
        let mut store = Vec::with_capacity(2 * self.nodes.len() + 1 + self.phone_sast_trust.len());
        for n in &self.nodes {
            let cm = n.callmanager.certificate().der();
            let mut roles = Vec::new();
            for r in ctl.iter().flat_map(|l| l.records()) {
                if r.certificate() == Some(cm) {
                    for f in r.functions() {
                        if !roles.contains(&f) {
                            roles.push(f);
                        }
                    }
                }
            }
            if roles.is_empty() {
                roles.push(Function::CcmTftp);
            }
            store.push((cm, roles));
            store.push((n.tvs.certificate().der(), alloc::vec![Function::Tvs]));
        }
        store.push((self.capf.certificate().der(), alloc::vec![Function::Capf]));
        for cert in &self.phone_sast_trust {
            store.push((cert.der(), alloc::vec![Function::Sast]));
        }
        if self.version.itl_signed_by_recovery() {
            store.push((
                self.recovery.certificate().der(),
                alloc::vec![Function::Sast],
            ));
        }
        store
    }

    fn tvs_server_with(&self, node: &Node, store: &[(&[u8], Vec<Function>)]) -> TvsServer {
        store.iter().fold(
            TvsServer::new(&node.name, node.tvs.certificate().clone()),
            |server, (der, roles)| server.trust(der, roles),
        )
    }

    /// The TVS service of the node named `name` (`None` when it runs
    /// none): its `TVS.pem` and the cluster's certificate store (every
    /// node's CallManager and TVS certificates, CAPF, and the
    /// Phone-SAST-trust uploads).
    pub fn tvs_server(&self, name: &str) -> Option<TvsServer> {
        let node = self.node(name).filter(|n| n.tvs_service)?;
        Some(self.tvs_server_with(node, &self.tvs_store()))
    }

    /// Every node's TVS service, by node name, the store built once.
    pub(crate) fn tvs_servers(&self) -> BTreeMap<String, TvsServer> {
        let store = self.tvs_store();
        self.nodes
            .iter()
            .filter(|n| n.tvs_service)
            .map(|n| (n.name.clone(), self.tvs_server_with(n, &store)))
            .collect()
    }
}

/// A header timestamp from simulated time (UNIX seconds, clamped to 32 bits).
fn timestamp(now: u64) -> u32 {
    u32::try_from(now).unwrap_or(u32::MAX)
}
