//! What a simulation found, per class of phones, and the remedies that
//! would work.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use super::{Cluster, Operation, PhoneClass, SecurityMode, Site};
use crate::phone::{BootOutcome, Phone, Rejection, Trust};

/// How a class of phones ended its last boot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "detail")]
pub enum ClassOutcome {
    /// Its trust lists and configuration were accepted.
    Trusting,
    /// A trust list was refused: "Trust List Update Failed", and no
    /// configuration change reaches it.
    Locked,
    /// Its trust lists are fine but its configuration was refused.
    ConfigRefused,
    /// It holds no trust list and takes unsigned configuration (no
    /// Security By Default and no CTL).
    Unsecured,
    /// Its TFTP node serves nothing (removed, or not running TFTP).
    NoTftp,
}

impl ClassOutcome {
    /// Whether phones that end this way take no configuration (locked, or
    /// refusing their configuration file).
    pub fn is_cut_off(&self) -> bool {
        matches!(self, ClassOutcome::Locked | ClassOutcome::ConfigRefused)
    }

    /// A short word for tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            ClassOutcome::Trusting => "trusting",
            ClassOutcome::Locked => "LOCKED",
            ClassOutcome::ConfigRefused => "config refused",
            ClassOutcome::Unsecured => "unsecured",
            ClassOutcome::NoTftp => "no TFTP",
        }
    }
}

/// Something that would get locked phones back, checked by simulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "remedy")]
#[non_exhaustive]
pub enum Remedy {
    /// Had the class's CallManager group also listed this node's TVS
    /// before the operations, the phones would not have locked.
    TvsInGroup {
        /// The node.
        node: String,
    },
    /// `utils itl reset localkey`, then reset the phones.
    ItlResetLocal,
    /// `utils itl reset remotekey` with the saved `ITLRecovery.p12`.
    ItlResetRemote,
    /// Update the CTL, then reset the phones.
    UpdateCtl,
    /// Erase the trust lists on each phone by hand (one visit per phone).
    DeleteTrustLists {
        /// Phones to visit.
        phones: u64,
    },
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::TvsInGroup { node } => write!(
                f,
                "had their CallManager group also listed {node}, they would not have locked"
            ),
            Remedy::ItlResetLocal => {
                f.write_str("run utils itl reset localkey on the publisher and reset the phones")
            }
            Remedy::ItlResetRemote => f.write_str(
                "run utils itl reset remotekey with the saved ITLRecovery.p12 and reset the phones",
            ),
            Remedy::UpdateCtl => f.write_str("update the CTL and reset the phones"),
            Remedy::DeleteTrustLists { phones } => write!(
                f,
                "erase the trust lists by hand on each phone ({phones} visits)"
            ),
        }
    }
}

/// One class in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassReport {
    /// The class's name.
    pub name: String,
    /// Its phones.
    pub phones: u64,
    /// Phones locked ("Trust List Update Failed").
    pub locked: u64,
    /// Phones that take no configuration: locked, or refusing their
    /// configuration file.
    pub cut_off: u64,
    /// How it ended.
    pub outcome: ClassOutcome,
    /// Its TFTP node.
    pub tftp: String,
    /// Its CallManager group.
    pub group: Vec<String>,
    /// Whether it boots from a cluster it was migrated to.
    pub migrated: bool,
    /// Per file fetched: the file and what the phone decided, in
    /// sentences.
    pub steps: Vec<(String, String)>,
    /// Remedies that would work, each checked by simulation (locked
    /// classes only).
    pub remedies: Vec<Remedy>,
    /// The phones of the class that were off during the operations and
    /// booted only at the end (`None` when none were; counted in
    /// `phones`, `locked` and `cut_off` above, the rest of the fields
    /// being those of the phones that were on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off: Option<OffReport>,
}

/// The phones of a class that were off during the operations: they boot
/// once, at the end, holding what the class held at the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffReport {
    /// How many.
    pub phones: u64,
    /// Those locked at the end.
    pub locked: u64,
    /// Those cut off at the end (locked, or refusing their configuration).
    pub cut_off: u64,
    /// How their boot ended.
    pub outcome: ClassOutcome,
    /// Per file fetched: the file and what the phone decided.
    pub steps: Vec<(String, String)>,
}

impl OffReport {
    /// Why they are locked, or how their files were accepted, as one
    /// sentence (as [`ClassReport::reason`]).
    pub fn reason(&self) -> String {
        reason_of(&self.steps)
    }
}

/// What a simulation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The CUCM release whose rules applied.
    pub cucm_version: super::CucmVersion,
    /// The operations simulated.
    #[serde(serialize_with = "as_strings")]
    pub operations: Vec<Operation>,
    /// Per class, in the description's order.
    pub classes: Vec<ClassReport>,
    /// The most phones cut off (locked, or refusing their configuration)
    /// at any boot, the last included.
    pub peak_cut_off: u64,
    /// Remedy checks (simulations) the cut-off classes called for.
    pub remedy_checks: usize,
    /// For a twin of collected files: the files used and what was assumed
    /// where they say nothing ([`Cluster::assumptions`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// Remedy checks left out because the budget ran out
    /// ([`Cluster::whatif_within`](super::Cluster::whatif_within)): the
    /// remedies listed are then those found within it, and others may work.
    pub remedy_checks_skipped: usize,
}

fn as_strings<S: serde::Serializer>(ops: &[Operation], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ops.iter().map(ToString::to_string))
}

fn decision(result: &Result<Trust, Rejection>) -> String {
    match result {
        Ok(t) => t.to_string(),
        Err(r) => r.to_string(),
    }
}

fn outcome_of(class: &PhoneClass) -> ClassOutcome {
    let phone = &class.phone;
    if phone.is_locked() {
        return ClassOutcome::Locked;
    }
    let fetched_any = class
        .last_boot
        .iter()
        .any(|s| !matches!(s.outcome, BootOutcome::NotFound));
    if !fetched_any {
        return ClassOutcome::NoTftp;
    }
    for step in &class.last_boot {
        match &step.outcome {
            BootOutcome::Config(Ok(Trust::Unsigned)) => return ClassOutcome::Unsecured,
            BootOutcome::Config(Err(_)) => return ClassOutcome::ConfigRefused,
            _ => {}
        }
    }
    ClassOutcome::Trusting
}

fn steps_of(class: &PhoneClass) -> Vec<(String, String)> {
    class
        .last_boot
        .iter()
        .map(|s| {
            let what = match &s.outcome {
                BootOutcome::NotFound => "not served".to_string(),
                BootOutcome::TrustList(r) | BootOutcome::Config(r) => decision(r),
            };
            (s.file.clone(), what)
        })
        .collect()
}

/// The first trust list refused, else the ITL's (or CTL's) decision, else
/// the configuration's, as `file: decision`.
fn reason_of(steps: &[(String, String)]) -> String {
    let lists = || {
        steps
            .iter()
            .filter(|(f, d)| f.ends_with(".tlv") && d != "not served")
    };
    let pick = lists()
        .find(|(_, d)| d.starts_with("refused"))
        .or_else(|| lists().next_back())
        .or_else(|| steps.iter().rev().find(|(_, d)| d != "not served"));
    match pick {
        Some((file, d)) => alloc::format!("{file}: {d}"),
        None => "nothing served".into(),
    }
}

impl ClassReport {
    /// The class's last boot; `awake` phones counted (all of them, or
    /// those that were not off).
    fn of(class: &PhoneClass, awake: u64) -> Self {
        let outcome = outcome_of(class);
        let steps = steps_of(class);
        ClassReport {
            name: class.spec.name.clone(),
            phones: class.spec.count,
            locked: if outcome == ClassOutcome::Locked {
                awake
            } else {
                0
            },
            cut_off: if outcome.is_cut_off() { awake } else { 0 },
            outcome,
            tftp: class.spec.tftp.clone(),
            group: class.spec.group.clone(),
            migrated: class.site == Site::New,
            steps,
            remedies: Vec::new(),
            off: None,
        }
    }

    /// Adds the phones that were off, `sleeper` being their class after
    /// their one boot at the end.
    pub(crate) fn wake(&mut self, sleeper: &PhoneClass) {
        let outcome = outcome_of(sleeper);
        let phones = sleeper.spec.off;
        let locked = if outcome == ClassOutcome::Locked {
            phones
        } else {
            0
        };
        let cut_off = if outcome.is_cut_off() { phones } else { 0 };
        self.locked = self.locked.saturating_add(locked);
        self.cut_off = self.cut_off.saturating_add(cut_off);
        self.off = Some(OffReport {
            phones,
            locked,
            cut_off,
            outcome,
            steps: steps_of(sleeper),
        });
    }

    /// Why the class is locked, or how its files were accepted, as one
    /// sentence: the first trust list refused, else the ITL's (or CTL's)
    /// decision, else the configuration's.
    pub fn reason(&self) -> String {
        reason_of(&self.steps)
    }
}

impl Report {
    /// The report of a cluster's last boot, every phone counted.
    pub(crate) fn of(cluster: &Cluster) -> Self {
        Self::of_with(cluster, false)
    }

    /// The report of a cluster's last boot, counting only the phones that
    /// are not off ([`super::PhoneClassSpec::off`]).
    pub(crate) fn of_awake(cluster: &Cluster) -> Self {
        Self::of_with(cluster, true)
    }

    fn of_with(cluster: &Cluster, without_off: bool) -> Self {
        let classes: Vec<ClassReport> = cluster
            .classes
            .iter()
            .map(|c| {
                let awake = if without_off {
                    c.spec.count.saturating_sub(c.spec.off)
                } else {
                    c.spec.count
                };
                ClassReport::of(c, awake)
            })
            .collect();
        let peak_cut_off = classes.iter().map(|c| c.cut_off).sum();
        Report {
            cucm_version: cluster.home.version,
            assumptions: cluster.assumptions.clone(),
            operations: Vec::new(),
            classes,
            peak_cut_off,
            remedy_checks: 0,
            remedy_checks_skipped: 0,
        }
    }

    /// Phones locked at the end.
    pub fn locked(&self) -> u64 {
        self.classes.iter().map(|c| c.locked).sum()
    }

    /// Phones cut off at the end: locked, or refusing their configuration.
    pub fn cut_off(&self) -> u64 {
        self.classes.iter().map(|c| c.cut_off).sum()
    }

    /// Phones in all.
    pub fn phones(&self) -> u64 {
        self.classes.iter().map(|c| c.phones).sum()
    }

    /// The class named `name`.
    pub fn class(&self, name: &str) -> Option<&ClassReport> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks, for each locked class, which remedies would work, on copies
    /// of `after` (the cluster after the operations) and of `before`,
    /// within `max_replays` operations replayed (an operation tried on a
    /// copy of `after` counts one; the operations replayed on a copy of
    /// `before`, for one more node in the groups, count one each).
    ///
    /// A replay copies only the classes it checks (and those the
    /// operations name): classes do not act on one another, and each one
    /// boots at every `reboot` and regeneration. Keys drawn in a replay are
    /// those the operations drew ([`KeySource`](super::KeySource)).
    pub(crate) fn add_remedies(&mut self, before: &Cluster, after: &Cluster, max_replays: usize) {
        let locked: Vec<usize> = self
            .classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.outcome.is_cut_off())
            .map(|(i, _)| i)
            .collect();
        if locked.is_empty() {
            return;
        }
        let mut budget = max_replays;
        let mut checks = 0usize;
        let mut skipped = 0usize;
        let mut spend = |cost: usize| {
            checks += 1;
            if cost <= budget {
                budget -= cost;
                true
            } else {
                skipped += 1;
                false
            }
        };
        // After the fact: operations on the cluster as it now is (cheap,
        // and what an administrator can still do: tried first).
        let mut fixes = alloc::vec![(Operation::ItlResetLocal, Remedy::ItlResetLocal)];
        if after.home.recovery_backup.certificate().der() != after.home.recovery.certificate().der()
        {
            fixes.push((Operation::ItlResetRemote, Remedy::ItlResetRemote));
        }
        if after.home.mode != SecurityMode::NonSecure {
            fixes.push((Operation::UpdateCtl, Remedy::UpdateCtl));
        }
        let mut fixed: Vec<Vec<Remedy>> = alloc::vec![Vec::new(); self.classes.len()];
        for (op, remedy) in fixes {
            if !spend(1) {
                continue;
            }
            let mut trial = after.clone();
            if trial.apply_in_place(&op).is_err() {
                continue;
            }
            for &i in &locked {
                if let Some(mut c) = trial.classes.get(i).cloned() {
                    trial.boot_class(&mut c);
                    if !outcome_of(&c).is_cut_off()
                        && let Some(slot) = fixed.get_mut(i)
                    {
                        slot.push(remedy.clone());
                    }
                }
            }
        }
        // Prevention: the same operations with another node's TVS in the
        // group, replayed on a copy of the cluster before them.
        let named: Vec<&str> = self
            .operations
            .iter()
            .filter_map(Operation::names_class)
            .collect();
        let mut found: Vec<Vec<Remedy>> = alloc::vec![Vec::new(); self.classes.len()];
        for node in after.home.nodes.iter().map(|n| n.name.clone()) {
            if before.home.node(&node).is_none() {
                continue;
            }
            let touched: Vec<usize> = locked
                .iter()
                .copied()
                .filter(|&i| {
                    before.classes.get(i).is_some_and(|c| {
                        c.site == Site::Home
                            && c.spec.group.len() < 3
                            && !c.spec.group.contains(&node)
                    })
                })
                .collect();
            if touched.is_empty() || !spend(self.operations.len().max(1)) {
                continue;
            }
            let mut trial = before.clone();
            trial.classes = before
                .classes
                .iter()
                .enumerate()
                .filter(|(i, c)| touched.contains(i) || named.contains(&c.spec.name.as_str()))
                .map(|(i, c)| {
                    let mut c = c.clone();
                    if touched.contains(&i) {
                        c.spec.group.push(node.clone());
                        c.phone = c.phone.clone().with_tvs_servers(c.spec.group.len());
                    }
                    c
                })
                .collect();
            if self
                .operations
                .iter()
                .any(|op| trial.apply_in_place(op).is_err())
            {
                continue;
            }
            for &i in &touched {
                let name = before.classes.get(i).map(|c| c.spec.name.as_str());
                if let Some(mut c) = trial
                    .classes
                    .iter()
                    .find(|c| Some(c.spec.name.as_str()) == name)
                    .cloned()
                {
                    trial.boot_class(&mut c);
                    if !outcome_of(&c).is_cut_off()
                        && let Some(slot) = found.get_mut(i)
                    {
                        slot.push(Remedy::TvsInGroup { node: node.clone() });
                    }
                }
            }
        }
        for (slot, more) in found.iter_mut().zip(fixed) {
            slot.extend(more);
        }
        // The last resort, always checked: new phones (trust lists erased).
        for &i in &locked {
            if let Some(mut c) = after.classes.get(i).cloned() {
                let mut fresh = Phone::new(c.phone.device_name()).with_model(c.spec.model);
                fresh = fresh.with_tvs_servers(c.spec.group.len());
                if !c.spec.security_by_default {
                    fresh = fresh.without_security_by_default();
                }
                c.phone = fresh;
                after.boot_class(&mut c);
                if !outcome_of(&c).is_cut_off()
                    && let Some(slot) = found.get_mut(i)
                {
                    slot.push(Remedy::DeleteTrustLists {
                        phones: c.spec.count.saturating_sub(c.spec.off),
                    });
                }
            }
        }
        for (class, remedies) in self.classes.iter_mut().zip(found) {
            class.remedies = remedies;
        }
        self.remedy_checks = checks;
        self.remedy_checks_skipped = skipped;
    }
}

impl fmt::Display for Report {
    /// A table: one line per class, then the totals and the remedies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "CUCM {} rules.", self.cucm_version)?;
        if !self.operations.is_empty() {
            writeln!(f, "Operations:")?;
            for (i, op) in self.operations.iter().enumerate() {
                writeln!(f, "  {}. {}", i + 1, op.describe())?;
            }
            writeln!(f)?;
        }
        let width = self
            .classes
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(5)
            .max(5);
        writeln!(
            f,
            "{:<width$}  {:>7}  {:>7}  {:<14}  {:<10}  why",
            "class", "phones", "locked", "outcome", "tftp"
        )?;
        for c in &self.classes {
            writeln!(
                f,
                "{:<width$}  {:>7}  {:>7}  {:<14}  {:<10}  {}",
                c.name,
                c.phones,
                c.locked,
                c.outcome.as_str(),
                c.tftp,
                c.reason()
            )?;
        }
        writeln!(f)?;
        let refusing = self.cut_off().saturating_sub(self.locked());
        writeln!(
            f,
            "{} of {} phones locked at the end{}; at most {} cut off at any boot.",
            self.locked(),
            self.phones(),
            if refusing > 0 {
                alloc::format!(" and {refusing} more refuse their configuration")
            } else {
                String::new()
            },
            self.peak_cut_off
        )?;
        let sleepers: Vec<&ClassReport> = self.classes.iter().filter(|c| c.off.is_some()).collect();
        if !sleepers.is_empty() {
            writeln!(
                f,
                "Phones off during the operations (they boot only at the end, holding what their class held at the start):"
            )?;
            for c in sleepers {
                if let Some(off) = &c.off {
                    writeln!(
                        f,
                        "  {}: {} of {} off, {} locked, {}: {}",
                        c.name,
                        off.phones,
                        c.phones,
                        off.locked,
                        off.outcome.as_str(),
                        off.reason()
                    )?;
                }
            }
        }
        if self.remedy_checks_skipped > 0 {
            let classes = self.classes.iter().filter(|c| c.cut_off > 0).count();
            writeln!(
                f,
                "Remedies not all simulated for {classes} classes: budget reached ({} of {} checks left out); other remedies may work.",
                self.remedy_checks_skipped, self.remedy_checks
            )?;
        }
        if !self.assumptions.is_empty() {
            writeln!(
                f,
                "Twin of collected files; what it rests on (and assumes where the files say nothing):"
            )?;
            for a in &self.assumptions {
                writeln!(f, "  - {a}")?;
            }
        }
        for c in self.classes.iter().filter(|c| c.cut_off > 0) {
            if c.remedies.is_empty() {
                writeln!(f, "{}: no remedy found.", c.name)?;
            } else {
                writeln!(f, "{}: remedies that work:", c.name)?;
                for r in &c.remedies {
                    writeln!(f, "  - {r}")?;
                }
            }
        }
        Ok(())
    }
}
