//! A twin of a real cluster, built from the files `itl collect` gathered.
//!
//! The collection is a folder with one folder per TFTP server, each
//! holding the files of one or more collections:
//!
//! ```text
//! DIR/<server>/<collection-stamp>/ITLFile.tlv   (stamp like 2026-12-03T210400Z; the newest is used)
//! DIR/<server>/<collection-stamp>/CTLFile.tlv   (mixed mode)
//! DIR/<server>/ITLFile.tlv                      (also accepted, when the server has no stamp folder)
//! ```
//!
//! Every certificate of the files (found by issuer and serial, in any
//! record of any file) gets a **stand-in**: a key from the key source and a
//! certificate with the same subject and issuer names and the same serial,
//! in the same roles. The twin cluster's nodes, CAPF, ITLRecovery and
//! eTokens are those stand-ins, so the phone rules work on who is where;
//! each TFTP node serves the stand-in twin of its real ITL (same records in
//! the same order, same functions, host names, addresses, timestamp and
//! digest, signed by the stand-in of the real signer), and the phones hold
//! those twins. What the files cannot tell comes from a small TOML
//! overlay, with defaults, and the reports list every assumption made:
//!
//! ```toml
//! cucm-version = "12.5"          # default: 12.0 when ITLRecovery signs every ITL, else 10.5
//! publisher = "cucm-pub"         # default: the ITLRECOVERY_<host> record's host, else the first node
//! start-time = 1796335440        # default: the newest file's timestamp
//! keys = "builtin"               # the stand-ins' and regenerations' keys
//! # itlrecovery-validity-years = 20
//!
//! [[node]]                        # only to correct what the files say or cannot say
//! name = "cucm-sub2"
//! ip = "10.0.0.12"                # default: the CTL's address, else 10.0.0.(10 + position)
//! tvs-service = false             # default: whether an ITL holds its TVS record
//!
//! [[phones]]                      # as in a cluster description; default: one class of
//! name = "desk"                   # one phone per TFTP server, its group that server alone
//! count = 1200
//! tftp = "cucm-pub"
//! group = ["cucm-pub", "cucm-sub1"]
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::describe::{self, PhonesDescription, bad};
use super::keys::{KeySource, certificate_named};
use super::{
    Cluster, ClusterError, ClusterSpec, NodeIdentities, NodeSpec, PhoneClassSpec, SecurityMode,
};
use crate::build::{RecordSpec, TrustListBuilder};
use crate::cert::CertInfo;
use crate::function::Function;
use crate::key::Signer;
use crate::phone::ManualClock;
use crate::record::Record;
use crate::trust_list::{ListKind, TrustList};
use crate::tvs::server::InMemoryTvs;

/// The ITL's name in a collection.
pub const ITL_FILE: &str = "ITLFile.tlv";
/// The CTL's name in a collection.
pub const CTL_FILE: &str = "CTLFile.tlv";
/// Entries of a collection folder (servers, or one server's stamps) read
/// at most.
pub const MAX_COLLECTION_ENTRIES: usize = 10_000;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Overlay {
    cucm_version: Option<String>,
    itlrecovery_validity_years: Option<u64>,
    publisher: Option<String>,
    start_time: Option<u64>,
    keys: Option<String>,
    #[serde(default)]
    node: Vec<OverlayNode>,
    #[serde(default)]
    phones: Vec<PhonesDescription>,
    /// The CallManager group of the classes made from reported phones.
    reported_group: Option<Vec<String>>,
    /// The model of the classes made from reported phones.
    reported_model: Option<u16>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct OverlayNode {
    name: String,
    ip: Option<String>,
    tvs_service: Option<bool>,
}

/// One server's newest collected files.
#[derive(Debug, Clone)]
pub struct CollectedServer {
    /// The server's folder name.
    pub folder: String,
    /// The collection stamp used (`None` for files directly in the folder).
    pub stamp: Option<String>,
    /// Stamps found for the server.
    pub stamps: usize,
    /// Its `ITLFile.tlv`.
    pub itl: Vec<u8>,
    /// Its `CTLFile.tlv`, when collected.
    pub ctl: Option<Vec<u8>>,
    /// The `ITLFile.tlv` of its older collections, newest first (at most
    /// [`MAX_OLDER_ITLS`]): phones may report holding one of them.
    pub older: Vec<(String, Vec<u8>)>,
}

/// Older collections read per server (for the phones' reported ITLs).
pub const MAX_OLDER_ITLS: usize = 16;

/// What one phone reports holding (DeviceTLInfo: `ITL_TFTP_Server`,
/// `ITL_Signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedItl {
    /// The TFTP server it got its ITL from: a node's host name, a server
    /// folder's name or a node's IPv4 address.
    pub tftp_server: String,
    /// The SHA-1 of the ITL it holds, hexadecimal in any case, with or
    /// without spaces or colons; empty or `Not Installed` for none.
    pub itl_signature: String,
}

fn collection_error(path: &Path, what: &str) -> ClusterError {
    ClusterError::Collection(alloc::format!("{}: {what}", path.display()))
}

/// The folders inside `dir`, by name, sorted (names starting with '.'
/// skipped).
fn folders(dir: &Path) -> Result<Vec<(String, PathBuf)>, ClusterError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| collection_error(dir, &alloc::format!("cannot be read as a folder ({e})")))?;
    let mut out = Vec::new();
    for entry in entries.take(MAX_COLLECTION_ENTRIES) {
        let entry = entry.map_err(|e| collection_error(dir, &e.to_string()))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            out.push((name, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn read_list(path: &Path) -> Result<Vec<u8>, ClusterError> {
    Ok(crate::fs::read_bounded(path, crate::fs::MAX_LIST_BYTES)?)
}

/// Reads a collection: per server folder, the newest stamp holding an
/// `ITLFile.tlv` (or the files directly in the folder).
pub fn read_collection(dir: &Path) -> Result<Vec<CollectedServer>, ClusterError> {
    let mut servers = Vec::new();
    for (folder, path) in folders(dir)? {
        let stamps = folders(&path)?;
        let count = stamps.len();
        let newest = stamps
            .iter()
            .rev()
            .find(|(_, p)| p.join(ITL_FILE).is_file());
        let (stamp, at) = match newest {
            Some((s, p)) => (Some(s.clone()), p.clone()),
            None if path.join(ITL_FILE).is_file() => (None, path.clone()),
            None => continue,
        };
        let itl = read_list(&at.join(ITL_FILE))?;
        let mut older = Vec::new();
        for (st, p) in stamps.iter().rev() {
            if older.len() >= MAX_OLDER_ITLS {
                break;
            }
            if Some(st) == newest.map(|(s, _)| s) || !p.join(ITL_FILE).is_file() {
                continue;
            }
            older.push((st.clone(), read_list(&p.join(ITL_FILE))?));
        }
        let ctl_path = at.join(CTL_FILE);
        let ctl = if ctl_path.is_file() {
            Some(read_list(&ctl_path)?)
        } else {
            None
        };
        servers.push(CollectedServer {
            folder,
            stamp,
            stamps: count,
            itl,
            ctl,
            older,
        });
        if servers.len() > super::MAX_NODES {
            return Err(ClusterError::TooLarge(alloc::format!(
                "more than {} servers in the collection",
                super::MAX_NODES
            )));
        }
    }
    if servers.is_empty() {
        return Err(collection_error(
            dir,
            "no server folder holds an ITLFile.tlv (DIR/<server>/<stamp>/ITLFile.tlv or DIR/<server>/ITLFile.tlv)",
        ));
    }
    Ok(servers)
}

/// The CN of a name written CUCM's way (`;`) or RFC 4514's (`,`).
fn common_name(name: &str) -> Option<&str> {
    name.split([';', ','])
        .find_map(|p| p.trim().strip_prefix("CN="))
        .filter(|cn| !cn.is_empty())
}

/// A real certificate, as the files show it.
#[derive(Debug)]
struct Real {
    subject: String,
    issuer: String,
    serial: Vec<u8>,
    der: Option<Vec<u8>>,
}

/// The real certificates and their stand-ins.
#[derive(Debug, Default)]
struct Twins {
    reals: Vec<Real>,
    standins: Vec<Signer>,
}

fn same_name(a: &str, b: &str) -> bool {
    a.replace(';', ",") == b.replace(';', ",")
}

impl Twins {
    fn find(&self, serial: &[u8], issuer: &str) -> Option<usize> {
        self.reals
            .iter()
            .position(|r| r.serial == serial && same_name(&r.issuer, issuer))
    }

    fn note(&mut self, r: &Record<'_>) -> usize {
        if let Some(i) = self.find(r.serial(), r.issuer()) {
            if let (Some(real), Some(der)) = (self.reals.get_mut(i), r.certificate())
                && real.der.is_none()
            {
                real.der = Some(der.to_vec());
            }
            return i;
        }
        self.reals.push(Real {
            subject: r.subject().into(),
            issuer: r.issuer().into(),
            serial: r.serial().to_vec(),
            der: r.certificate().map(<[u8]>::to_vec),
        });
        self.reals.len() - 1
    }

    fn id(&self, r: &Record<'_>) -> Result<usize, ClusterError> {
        self.find(r.serial(), r.issuer())
            .ok_or_else(|| ClusterError::Internal("a record without a stand-in".into()))
    }

    fn standin(&self, i: usize) -> Result<&Signer, ClusterError> {
        self.standins
            .get(i)
            .ok_or_else(|| ClusterError::Internal("a stand-in missing".into()))
    }

    /// Makes every stand-in: same names and serial, a new key.
    fn make(&mut self, keys: &mut KeySource, now: u64) -> Result<(), ClusterError> {
        use core::str::FromStr;
        use x509_cert::name::Name;
        for real in &self.reals {
            let from_der = real
                .der
                .as_deref()
                .and_then(|d| CertInfo::from_der(d).ok())
                .map(|c| {
                    let tbs = c.certificate().tbs_certificate();
                    (tbs.subject().clone(), tbs.issuer().clone())
                });
            let (subject, issuer) = match from_der {
                Some(names) => names,
                None => {
                    let parse = |n: &str| {
                        Name::from_str(&n.replace(';', ",")).map_err(|_| {
                            ClusterError::Certificate(alloc::format!(
                                "the name {n:?} of a collected record cannot be written back"
                            ))
                        })
                    };
                    (parse(&real.subject)?, parse(&real.issuer)?)
                }
            };
            let key = keys.next_key()?;
            self.standins.push(certificate_named(
                key,
                subject,
                issuer,
                &real.serial,
                now,
                20,
            )?);
        }
        Ok(())
    }

    /// The stand-in twin of a real trust list.
    fn twin(&self, bytes: &[u8]) -> Result<Vec<u8>, ClusterError> {
        let list = TrustList::parse(bytes).map_err(|e| ClusterError::Collection(e.to_string()))?;
        let h = list.header();
        let (major, minor) = h.version();
        let mut builder = TrustListBuilder::new(list.kind())
            .filename(h.filename())
            .timestamp(h.timestamp())
            .digest(h.digest())
            .version(major, minor);
        for r in list.records() {
            let mut spec = RecordSpec::new(
                self.standin(self.id(&r)?)?.certificate().clone(),
                r.function(),
            );
            spec.functions = r.functions().collect();
            if list.kind() == ListKind::Ctl {
                let ip = r
                    .ip_address()
                    .and_then(|b| <[u8; 4]>::try_from(b).ok())
                    .unwrap_or([0; 4]);
                spec = spec.with_node(r.dns_name().unwrap_or(""), ip);
            }
            builder = builder.record_spec(spec);
        }
        let (_, signer) = list.signer_record().ok_or_else(|| {
            ClusterError::Collection(alloc::format!(
                "{}: its signer ({}) is not one of its SAST records",
                h.filename(),
                h.signer_name()
            ))
        })?;
        Ok(builder.sign(self.standin(self.id(&signer)?)?)?)
    }
}

/// Phones reporting the same TFTP node and ITL.
#[derive(Debug)]
struct Held {
    node: String,
    sha1: Option<[u8; 20]>,
    phones: u64,
    /// The collected ITL they hold (`None`: none, or not yet found).
    file: Option<Vec<u8>>,
}

fn note_left_out(left_out: &mut Vec<(String, u64)>, why: String) {
    match left_out.iter_mut().find(|(w, _)| *w == why) {
        Some((_, n)) => *n = n.saturating_add(1),
        None => left_out.push((why, 1)),
    }
}

/// A reported ITL SHA-1: hexadecimal in any case, spaces, colons and
/// dashes ignored; empty or `Not Installed` for none.
fn parse_signature(text: &str) -> Result<Option<[u8; 20]>, ClusterError> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | '-' | '\t'))
        .collect();
    if digits.is_empty() || digits.eq_ignore_ascii_case("notinstalled") {
        return Ok(None);
    }
    let mut out = [0u8; 20];
    match base16ct::mixed::decode(digits.as_bytes(), &mut out) {
        Ok(b) if b.len() == 20 => Ok(Some(out)),
        _ => Err(ClusterError::Collection(alloc::format!(
            "phones report: {text:?} is not the SHA-1 of an ITL (40 hexadecimal digits)"
        ))),
    }
}

/// A node as the files show it.
#[derive(Debug)]
struct Draft {
    name: String,
    ip: Option<[u8; 4]>,
    tftp: Option<usize>,
    callmanager: Option<usize>,
    tvs: Option<usize>,
}

/// The node named `name`, added when new.
fn draft<'a>(nodes: &'a mut Vec<Draft>, name: &str) -> Option<&'a mut Draft> {
    if !nodes.iter().any(|n| n.name == name) {
        nodes.push(Draft {
            name: name.into(),
            ip: None,
            tftp: None,
            callmanager: None,
            tvs: None,
        });
    }
    nodes.iter_mut().find(|n| n.name == name)
}

impl Cluster {
    /// A twin of the cluster whose files were collected in `dir` (see
    /// [`collected`](self)), with what they cannot tell from the TOML
    /// `overlay` file (or its defaults). The assumptions made are in
    /// [`Cluster::assumptions`] and in every report.
    pub fn from_collected(dir: &Path, overlay: Option<&Path>) -> Result<Self, ClusterError> {
        let (text, base) = match overlay {
            Some(p) => {
                let bytes = crate::fs::read_bounded(p, describe::MAX_DESCRIPTION_BYTES as u64)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| bad(alloc::format!("{}: not UTF-8 text", p.display())))?;
                (text, p.parent().map(Path::to_path_buf))
            }
            None => (String::new(), None),
        };
        Self::from_collected_with(dir, &text, base.as_deref())
    }

    /// [`Cluster::from_collected`] with the overlay's text (`""` for the
    /// defaults); `base` is the folder its paths are relative to.
    pub fn from_collected_with(
        dir: &Path,
        overlay: &str,
        base: Option<&Path>,
    ) -> Result<Self, ClusterError> {
        Self::from_collected_reported(dir, overlay, base, None)
    }

    /// [`Cluster::from_collected_with`], the phone classes made from what
    /// the phones report holding (`reported`, one entry per phone, e.g.
    /// the `ITL_TFTP_Server` and `ITL_Signature` columns of a DeviceTLInfo
    /// export) instead of the overlay's `[[phones]]`: one class per TFTP
    /// server and ITL held, holding the stand-in twin of the collected
    /// file with that SHA-1 (any server's, any collection's). Phones whose
    /// ITL no collected file has are left out, and the assumptions say how
    /// many.
    pub fn from_collected_reported(
        dir: &Path,
        overlay: &str,
        base: Option<&Path>,
        reported: Option<&[ReportedItl]>,
    ) -> Result<Self, ClusterError> {
        if overlay.len() > describe::MAX_DESCRIPTION_BYTES {
            return Err(bad("the overlay is larger than 1 MiB"));
        }
        let o: Overlay = toml::from_str(overlay).map_err(|e| bad(e.to_string()))?;
        let collected = read_collection(dir)?;
        let mut notes: Vec<String> = Vec::new();
        let mut twins = Twins::default();
        let mut nodes: Vec<Draft> = Vec::new();
        let mut newest = 0u32;
        let mut ctl: Option<(usize, Vec<u8>)> = None;
        let mut all_signed_by_recovery = true;
        let mut recovery: Option<usize> = None;
        let mut capf: Option<usize> = None;

        for (s, server) in collected.iter().enumerate() {
            let list = TrustList::parse(&server.itl).map_err(|e| {
                ClusterError::Collection(alloc::format!("{}/{ITL_FILE}: {e}", server.folder))
            })?;
            newest = newest.max(list.header().timestamp());
            let mut own_cm = None;
            for r in list.records() {
                let id = twins.note(&r);
                let cn = common_name(r.subject()).unwrap_or_default();
                if r.has_function(Function::Tvs)
                    && !cn.is_empty()
                    && let Some(d) = draft(&mut nodes, cn)
                {
                    d.tvs.get_or_insert(id);
                }
                if r.has_function(Function::Capf) {
                    capf.get_or_insert(id);
                }
                if r.has_function(Function::Sast) && cn.starts_with("ITLRECOVERY") {
                    recovery.get_or_insert(id);
                }
                if own_cm.is_none()
                    && (r.has_function(Function::Tftp) || r.has_function(Function::CcmTftp))
                {
                    own_cm = Some((id, cn.to_string()));
                }
            }
            let signer_cn = common_name(list.header().signer_name()).unwrap_or_default();
            all_signed_by_recovery &= signer_cn.starts_with("ITLRECOVERY");
            let name = match &own_cm {
                Some((_, cn)) if !cn.is_empty() => cn.clone(),
                _ => server.folder.clone(),
            };
            if !super::valid_host_name(&name) {
                return Err(ClusterError::BadNodeName(name));
            }
            if let Some(d) = draft(&mut nodes, &name) {
                d.tftp = Some(s);
                if let Some((id, _)) = own_cm {
                    d.callmanager = Some(id);
                }
            }
            notes.push(alloc::format!(
                "{}: {}{} of {}{}",
                name,
                ITL_FILE,
                if server.ctl.is_some() {
                    " and CTLFile.tlv"
                } else {
                    ""
                },
                server
                    .stamp
                    .as_deref()
                    .map(|st| alloc::format!("collection {st}"))
                    .unwrap_or_else(|| "the server's folder".into()),
                match (server.stamps, server.folder == name) {
                    (n, true) if n > 1 => alloc::format!(" (the newest of {n})"),
                    (n, false) if n > 1 => {
                        alloc::format!(" (the newest of {n}; folder {})", server.folder)
                    }
                    (_, false) => alloc::format!(" (folder {})", server.folder),
                    _ => String::new(),
                }
            ));
            if ctl.is_none()
                && let Some(c) = &server.ctl
            {
                ctl = Some((s, c.clone()));
            }
        }
        if let Some((_, bytes)) = &ctl {
            let list = TrustList::parse(bytes)
                .map_err(|e| ClusterError::Collection(alloc::format!("{CTL_FILE}: {e}")))?;
            newest = newest.max(list.header().timestamp());
            for r in list.records() {
                let id = twins.note(&r);
                let cn = common_name(r.subject()).unwrap_or_default();
                if r.has_function(Function::CcmTftp) || r.has_function(Function::Tftp) {
                    let host = r
                        .dns_name()
                        .filter(|d| !d.is_empty())
                        .unwrap_or(cn)
                        .to_string();
                    if super::valid_host_name(&host)
                        && let Some(d) = draft(&mut nodes, &host)
                    {
                        d.callmanager.get_or_insert(id);
                        if let Some(ip) = r.ip_address().and_then(|b| <[u8; 4]>::try_from(b).ok()) {
                            d.ip.get_or_insert(ip);
                        }
                    }
                }
                if r.has_function(Function::Capf) {
                    capf.get_or_insert(id);
                }
                if r.has_function(Function::Sast) && cn.starts_with("ITLRECOVERY") {
                    recovery.get_or_insert(id);
                }
            }
        }

        // The publisher first.
        let publisher = o
            .publisher
            .clone()
            .or_else(|| {
                let r = recovery.and_then(|i| twins.reals.get(i))?;
                let cn = common_name(&r.subject)?;
                cn.strip_prefix("ITLRECOVERY_").map(str::to_string)
            })
            .filter(|p| nodes.iter().any(|n| &n.name == p));
        match &publisher {
            Some(p) => {
                if let Some(i) = nodes.iter().position(|n| &n.name == p) {
                    let d = nodes.remove(i);
                    nodes.insert(0, d);
                }
            }
            None => {
                if let Some(p) = &o.publisher {
                    return Err(ClusterError::UnknownNode(p.clone()));
                }
                let first = nodes.first().map(|n| n.name.clone()).unwrap_or_default();
                notes.push(alloc::format!(
                    "publisher: {first} (no ITLRECOVERY_<host> record names one; set publisher in the overlay)"
                ));
            }
        }
        if nodes.len() > super::MAX_NODES {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} nodes (at most {})",
                nodes.len(),
                super::MAX_NODES
            )));
        }

        let mut spec = ClusterSpec {
            start_time: o.start_time.unwrap_or(u64::from(newest)),
            ..ClusterSpec::default()
        };
        match (&o.cucm_version, all_signed_by_recovery) {
            (Some(_), _) => {}
            (None, true) => notes.push(
                "CUCM 12.0 rules: ITLRecovery signs every ITL (a 10.x ITL right after utils itl reset looks the same; set cucm-version in the overlay)".into(),
            ),
            (None, false) => notes.push(
                "CUCM 10.5 rules: CallManager signs the ITL, so before 12.0 (set cucm-version in the overlay)".into(),
            ),
        }
        let version = o
            .cucm_version
            .clone()
            .or_else(|| all_signed_by_recovery.then(|| "12.0".to_string()));
        describe::version_settings(&mut spec, version.as_deref(), o.itlrecovery_validity_years)?;

        // What the phones report holding, grouped by TFTP node and ITL.
        let mut held: Vec<Held> = Vec::new();
        let mut left_out: Vec<(String, u64)> = Vec::new();
        if let Some(rows) = reported {
            for row in rows {
                let server = row.tftp_server.trim();
                let node = nodes
                    .iter()
                    .find(|n| {
                        n.name.eq_ignore_ascii_case(server)
                            || n.tftp
                                .and_then(|s| collected.get(s))
                                .is_some_and(|c| c.folder == server)
                            || n.ip.is_some_and(|ip| {
                                std::net::Ipv4Addr::from(ip).to_string() == server
                            })
                            || o.node
                                .iter()
                                .any(|g| g.name == n.name && g.ip.as_deref() == Some(server))
                    })
                    .map(|n| n.name.clone());
                let sha1 = parse_signature(&row.itl_signature)?;
                let Some(node) = node else {
                    note_left_out(
                        &mut left_out,
                        alloc::format!(
                            "their TFTP server {server:?} is none of the collected nodes"
                        ),
                    );
                    continue;
                };
                match held.iter_mut().find(|h| h.node == node && h.sha1 == sha1) {
                    Some(h) => h.phones = h.phones.saturating_add(1),
                    None => held.push(Held {
                        node,
                        sha1,
                        phones: 1,
                        file: None,
                    }),
                }
            }
            // Which collected file each group holds.
            let mut files: Vec<(String, &[u8])> = Vec::new();
            for c in &collected {
                files.push((
                    alloc::format!("{} {}", c.folder, c.stamp.as_deref().unwrap_or("")),
                    &c.itl,
                ));
                for (st, b) in &c.older {
                    files.push((alloc::format!("{} {st}", c.folder), b));
                }
            }
            let mut kept = Vec::new();
            for mut h in held {
                if let Some(sha1) = h.sha1 {
                    match files.iter().find(|(_, b)| crate::digest::sha1(b) == sha1) {
                        Some((_, bytes)) => {
                            let list = TrustList::parse(bytes).map_err(|e| {
                                ClusterError::Collection(alloc::format!("{ITL_FILE}: {e}"))
                            })?;
                            for r in list.records() {
                                twins.note(&r);
                            }
                            h.file = Some(bytes.to_vec());
                        }
                        None => {
                            note_left_out(
                                &mut left_out,
                                alloc::format!(
                                    "on {}, they hold an ITL no collected file has (SHA-1 {})",
                                    h.node,
                                    crate::hex::hex_string(&sha1, crate::hex::Case::Upper, "")
                                ),
                            );
                            if let Some(last) = left_out.last_mut() {
                                last.1 = last.1.saturating_add(h.phones.saturating_sub(1));
                            }
                            continue;
                        }
                    }
                }
                kept.push(h);
            }
            held = kept;
        }

        let mut keys = describe::key_source(o.keys.as_deref(), base)?;
        twins.make(&mut keys, spec.start_time)?;
        let standin = |i: Option<usize>| -> Result<Option<Signer>, ClusterError> {
            i.map(|i| twins.standin(i).cloned()).transpose()
        };

        // The organization of new certificates: the publisher's, CN left out.
        if let Some(r) = nodes
            .first()
            .and_then(|n| n.callmanager)
            .and_then(|i| twins.reals.get(i))
        {
            spec.organization = r
                .subject
                .split([';', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty() && !p.starts_with("CN="))
                .collect::<Vec<_>>()
                .join(",");
        }

        for (i, n) in nodes.iter().enumerate() {
            let given = o.node.iter().find(|g| g.name == n.name);
            let ip = match (given.and_then(|g| g.ip.as_deref()), n.ip) {
                (Some(t), _) => describe::parse_ip(t)?,
                (None, Some(ip)) => ip,
                (None, None) => {
                    let ip = [10, 0, 0, u8::try_from(10 + i).unwrap_or(u8::MAX)];
                    notes.push(alloc::format!(
                        "{}: address {}.{}.{}.{} (not in the files; give ip in the overlay)",
                        n.name,
                        ip[0],
                        ip[1],
                        ip[2],
                        ip[3]
                    ));
                    ip
                }
            };
            let tvs_service = given.and_then(|g| g.tvs_service).unwrap_or(n.tvs.is_some());
            if n.tvs.is_none() && given.and_then(|g| g.tvs_service).is_none() {
                notes.push(alloc::format!(
                    "{}: runs no TVS (no ITL holds its TVS record)",
                    n.name
                ));
            }
            if n.callmanager.is_none() {
                notes.push(alloc::format!(
                    "{}: its CallManager certificate is in no collected file (no TFTP, no CTL): a generated one stands in",
                    n.name
                ));
            }
            let mut node = NodeSpec::new(&n.name, ip, n.tftp.is_some());
            node.tvs_service = tvs_service;
            node.identities = NodeIdentities {
                callmanager: standin(n.callmanager)?,
                tvs: standin(n.tvs)?,
            };
            spec.nodes.push(node);
        }
        for g in &o.node {
            if !nodes.iter().any(|n| n.name == g.name) {
                return Err(ClusterError::UnknownNode(g.name.clone()));
            }
        }
        spec.capf = standin(capf)?;
        if capf.is_none() {
            notes.push("CAPF: in no collected file; a generated one stands in".into());
        }
        spec.recovery = standin(recovery)?;
        if recovery.is_none() {
            notes.push(
                "ITLRecovery: no ITLRECOVERY record (an ITL from before CUCM 10.0); a generated one stands in".into(),
            );
        }
        // The CTL's SAST records that are neither a node's CallManager nor
        // ITLRecovery are eTokens.
        let node_cms: Vec<usize> = nodes.iter().filter_map(|n| n.callmanager).collect();
        let publisher_cm = nodes.first().and_then(|n| n.callmanager);
        spec.mode = SecurityMode::NonSecure;
        spec.etokens = 0;
        if let Some((_, bytes)) = &ctl {
            let list = TrustList::parse(bytes)
                .map_err(|e| ClusterError::Collection(alloc::format!("{CTL_FILE}: {e}")))?;
            let mut tokenless = false;
            for r in list.records_with(Function::Sast) {
                let id = twins.id(&r)?;
                if Some(id) == publisher_cm {
                    tokenless = true;
                } else if Some(id) != recovery && !node_cms.contains(&id) {
                    spec.etoken_identities.push(twins.standin(id)?.clone());
                }
            }
            spec.mode = if tokenless || spec.etoken_identities.is_empty() {
                SecurityMode::MixedTokenless
            } else {
                SecurityMode::MixedEToken
            };
            if !spec.etoken_identities.is_empty() {
                notes.push(
                    "the eTokens are not uploaded as Phone-SAST-trust (the files do not say)"
                        .into(),
                );
            }
        }
        let mut cluster = Cluster::new(spec, keys)?;
        // Each TFTP node serves the twin of its real files.
        let twin_ctl = ctl.as_ref().map(|(_, b)| twins.twin(b)).transpose()?;
        cluster.home.ctl = twin_ctl;
        for (i, n) in nodes.iter().enumerate() {
            if let (Some(s), Some(slot)) = (n.tftp, cluster.home.itls.get_mut(i)) {
                let real = collected
                    .get(s)
                    .ok_or_else(|| ClusterError::Internal("a server lost".into()))?;
                *slot = Some(twins.twin(&real.itl)?);
            }
        }

        // The phones.
        let mut classes: Vec<PhoneClassSpec> = Vec::new();
        let mut installs: Vec<Option<Vec<u8>>> = Vec::new();
        if reported.is_some() {
            if !o.phones.is_empty() {
                return Err(bad(
                    "the phones come from the phones report or from [[phones]] in the overlay, not both",
                ));
            }
            for h in held {
                let current = nodes
                    .iter()
                    .find(|n| n.name == h.node)
                    .and_then(|n| n.tftp)
                    .and_then(|s| collected.get(s))
                    .map(|c| crate::digest::sha1(&c.itl));
                let name = match h.sha1 {
                    Some(sha1) => alloc::format!(
                        "{}-{}",
                        h.node,
                        crate::hex::hex_string(
                            sha1.get(..4).unwrap_or_default(),
                            crate::hex::Case::Lower,
                            ""
                        )
                    ),
                    None => alloc::format!("{}-no-itl", h.node),
                };
                let group: Vec<String> = o
                    .reported_group
                    .clone()
                    .unwrap_or_else(|| alloc::vec![h.node.clone()]);
                let mut spec = PhoneClassSpec::new(&name, h.phones, &h.node, &[]);
                spec.group = group;
                spec.model = o.reported_model.unwrap_or(8841);
                let is_current = h.sha1.is_some() && h.sha1 == current;
                spec.installed = if is_current {
                    super::Installed::Current
                } else {
                    super::Installed::Nothing
                };
                installs.push(if is_current { None } else { h.file });
                classes.push(spec);
            }
            if o.reported_group.is_none() {
                notes.push("phones from the report: each class's CallManager group is its TFTP server alone (set reported-group in the overlay)".into());
            }
            if installs.iter().any(Option::is_some) {
                notes.push("phones holding another collected ITL than their server's current one hold the current CTL too, when one is served".into());
            }
            for (why, n) in &left_out {
                notes.push(alloc::format!("{n} phones left out: {why}"));
            }
        } else {
            for p in o.phones {
                classes.push(describe::phone_spec(p)?);
            }
        }
        if classes.is_empty() && reported.is_none() {
            for n in nodes.iter().filter(|n| n.tftp.is_some()) {
                let name = alloc::format!("{}-phones", n.name);
                classes.push(PhoneClassSpec::new(&name, 1, &n.name, &[n.name.as_str()]));
            }
            notes.push(
                "phones: one class of 1 phone per TFTP server, holding its files, its CallManager group that server alone (give [[phones]] in the overlay)".into(),
            );
        }
        if classes.len() > super::MAX_CLASSES {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{} phone classes (at most {})",
                classes.len(),
                super::MAX_CLASSES
            )));
        }
        let mut names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        for (i, c) in classes.into_iter().enumerate() {
            if names.contains(&c.name) {
                return Err(ClusterError::DuplicateName(c.name));
            }
            names.push(c.name.clone());
            cluster.add_class(i, c)?;
            if let (Some(Some(itl)), Some(class)) = (installs.get(i), cluster.classes.last_mut()) {
                // The ITL first (trust on first use), then the CTL served,
                // then the ITL again (it vouches for itself by rule 4 if the
                // CTL was refused, which leaves the phone unlocked).
                let twin = twins.twin(itl)?;
                let clock = ManualClock::new(cluster.now);
                let mut nobody = InMemoryTvs::unreachable();
                let _ = class
                    .phone
                    .offer_trust_list(ITL_FILE, &twin, &mut nobody, &clock);
                if let Some(ctl) = &cluster.home.ctl {
                    let _ = class
                        .phone
                        .offer_trust_list(CTL_FILE, ctl, &mut nobody, &clock);
                }
                let _ = class
                    .phone
                    .offer_trust_list(ITL_FILE, &twin, &mut nobody, &clock);
            }
        }
        cluster.assumptions = notes;
        Ok(cluster)
    }
}
