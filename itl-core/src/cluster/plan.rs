//! The planner: orders of operations that reach a goal with no phone cut
//! off at any moment.
//!
//! A goal is reached by one of a few sets of operations (a host name
//! change is `regenerate-both`, or `regenerate-callmanager` and
//! `regenerate-tvs` separately, in either order). The planner searches,
//! breadth first so the shortest plan wins, orders of those operations
//! interleaved with helpers — `reboot`, `upload-phone-sast-trust`,
//! `update-ctl` in mixed mode, and once an operation of the goal is done
//! `itl-reset-localkey`, then `restart-tftp` — up to a number of steps,
//! simulating each prefix once; helpers may also follow the goal's last
//! operation. Waits for the five-minute rule are inserted where CUCM would
//! demand them and are not counted as steps.
//!
//! A plan is **safe** when a phone that boots at any moment of it is not
//! cut off (locked, or refusing its configuration): after every step every
//! class boots — for real after a `reboot` or a regeneration (CUCM resets
//! the phones), on a copy otherwise — and at the end. When no safe plan is
//! found, the least bad is the one with the fewest phones cut off at its
//! worst moment, then at the end, then the shortest. The search is bounded
//! ([`MAX_PLAN_STEPS`], [`MAX_ORDERS`], [`MAX_WORK`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::{Cluster, ClusterError, Operation, OperationParseError, Report, SecurityMode};

/// The most steps the planner searches: the orders grow exponentially
/// with the steps (about 5 choices a step).
pub const MAX_PLAN_STEPS: usize = 8;

/// The most orders the planner simulates before it stops and answers with
/// the best plan found so far ([`Plan::complete`] is then false).
pub const MAX_ORDERS: usize = 2_000;

/// The planner's budget in classes × orders: each order copies the cluster
/// and may boot every class, so a cluster of 1,000 classes gets 20 orders
/// and one of 20 classes 1,000.
pub const MAX_WORK: usize = 20_000;

/// What the administrator wants to reach.
///
/// ```
/// use cisco_itl::cluster::Goal;
/// let goal: Goal = "new-hostname:cucm-pub".parse()?;
/// assert_eq!(goal, Goal::NewHostname { node: "cucm-pub".into() });
/// assert_eq!(goal.to_string(), "new-hostname:cucm-pub");
/// # Ok::<(), cisco_itl::cluster::OperationParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Goal {
    /// New `CallManager.pem` and `TVS.pem` on a node (a host name or
    /// domain change).
    NewHostname {
        /// The node.
        node: String,
    },
    /// A new `CallManager.pem` on a node.
    NewCallManager {
        /// The node.
        node: String,
    },
    /// A new `TVS.pem` on a node.
    NewTvs {
        /// The node.
        node: String,
    },
    /// A new ITLRecovery certificate on the publisher.
    NewItlRecovery,
    /// Mixed mode with a tokenless CTL.
    Tokenless,
    /// Mixed mode with eTokens.
    ETokens,
    /// Non-secure mode.
    NonSecure,
    /// The cluster prepared for rollback to pre-8.0.
    Rollback,
}

impl Goal {
    /// The sets of operations that reach the goal.
    fn ways(&self) -> Vec<Vec<Operation>> {
        use Operation as O;
        match self {
            Goal::NewHostname { node } => alloc::vec![
                alloc::vec![O::RegenerateBoth { node: node.clone() }],
                alloc::vec![
                    O::RegenerateTvs { node: node.clone() },
                    O::RegenerateCallManager { node: node.clone() },
                ],
            ],
            Goal::NewCallManager { node } => {
                alloc::vec![alloc::vec![O::RegenerateCallManager { node: node.clone() }]]
            }
            Goal::NewTvs { node } => {
                alloc::vec![alloc::vec![O::RegenerateTvs { node: node.clone() }]]
            }
            Goal::NewItlRecovery => alloc::vec![alloc::vec![O::RegenerateItlRecovery]],
            Goal::Tokenless => alloc::vec![alloc::vec![O::SetTokenless]],
            Goal::ETokens => alloc::vec![alloc::vec![O::SetETokens]],
            Goal::NonSecure => alloc::vec![alloc::vec![O::SetNonSecure]],
            Goal::Rollback => alloc::vec![alloc::vec![O::PrepareRollback]],
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Goal::NewHostname { node } => write!(f, "new-hostname:{node}"),
            Goal::NewCallManager { node } => write!(f, "new-callmanager:{node}"),
            Goal::NewTvs { node } => write!(f, "new-tvs:{node}"),
            Goal::NewItlRecovery => f.write_str("new-itlrecovery"),
            Goal::Tokenless => f.write_str("tokenless"),
            Goal::ETokens => f.write_str("etokens"),
            Goal::NonSecure => f.write_str("non-secure"),
            Goal::Rollback => f.write_str("rollback"),
        }
    }
}

impl FromStr for Goal {
    type Err = OperationParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| OperationParseError {
            text: text.into(),
            reason,
        };
        let (word, arg) = match text.trim().split_once(':') {
            Some((w, a)) => (w, Some(a)),
            None => (text.trim(), None),
        };
        let node = || {
            arg.filter(|a| !a.is_empty())
                .map(str::to_string)
                .ok_or_else(|| err("this goal needs a node after ':'"))
        };
        let bare = |g: Goal| match arg {
            None => Ok(g),
            Some(_) => Err(err("this goal takes no argument")),
        };
        match word {
            "new-hostname" => Ok(Goal::NewHostname { node: node()? }),
            "new-callmanager" => Ok(Goal::NewCallManager { node: node()? }),
            "new-tvs" => Ok(Goal::NewTvs { node: node()? }),
            "new-itlrecovery" => bare(Goal::NewItlRecovery),
            "tokenless" => bare(Goal::Tokenless),
            "etokens" => bare(Goal::ETokens),
            "non-secure" => bare(Goal::NonSecure),
            "rollback" => bare(Goal::Rollback),
            _ => Err(err(
                "unknown goal (new-hostname:NODE, new-callmanager:NODE, new-tvs:NODE, \
                 new-itlrecovery, tokenless, etokens, non-secure, rollback)",
            )),
        }
    }
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    /// The goal.
    #[serde(serialize_with = "display")]
    pub goal: Goal,
    /// The steps, waits included; every class boots after the last.
    #[serde(serialize_with = "displays")]
    pub steps: Vec<Operation>,
    /// Whether no phone is cut off at any moment of the plan.
    pub safe: bool,
    /// The most phones cut off at any moment, the final boot included.
    pub peak_cut_off: u64,
    /// Phones cut off after the final boot.
    pub cut_off_at_end: u64,
    /// The step limit searched.
    pub max_steps: usize,
    /// Prefixes simulated.
    pub explored: usize,
    /// Whether every order up to `max_steps` was searched (false when the
    /// search stopped at [`MAX_ORDERS`]).
    pub complete: bool,
    /// The report of the final boot.
    pub report: Report,
}

fn display<S: serde::Serializer>(g: &Goal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(g)
}

fn displays<S: serde::Serializer>(ops: &[Operation], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ops.iter().map(ToString::to_string))
}

impl Plan {
    /// The plan as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waits = self
            .steps
            .iter()
            .filter(|s| matches!(s, Operation::Wait { .. }))
            .count();
        let counted = self.steps.len() - waits;
        let and_waits = match waits {
            0 => String::new(),
            1 => " (and a wait)".into(),
            n => alloc::format!(" (and {n} waits)"),
        };
        if self.safe {
            writeln!(
                f,
                "Safe plan for {} in {counted} steps{and_waits}: no phone is cut off at any moment.",
                self.goal
            )?;
        } else {
            writeln!(
                f,
                "No safe plan for {} within {} steps. The least bad cuts off {} phones at its worst moment and leaves {} cut off at the end:",
                self.goal, self.max_steps, self.peak_cut_off, self.cut_off_at_end
            )?;
        }
        for (i, step) in self.steps.iter().enumerate() {
            writeln!(f, "  {}. {}  ({step})", i + 1, step.describe())?;
        }
        writeln!(
            f,
            "  {}. every phone boots and fetches its files",
            self.steps.len() + 1
        )?;
        if self.complete {
            writeln!(f, "({} orders simulated.)", self.explored)
        } else {
            writeln!(
                f,
                "(The search stopped after {} orders; a shorter or safer plan may exist.)",
                self.explored
            )
        }
    }
}

/// The best complete plan found so far.
struct Best {
    peak: u64,
    at_end: u64,
    counted: usize,
    steps: Vec<Operation>,
    report: Report,
}

/// One prefix of a candidate plan.
struct Node {
    cluster: Cluster,
    steps: Vec<Operation>,
    todo: Vec<Operation>,
    used: Vec<Operation>,
    peak: u64,
    counted: usize,
}

fn helpers(cluster: &Cluster, goal: &Goal) -> Vec<Operation> {
    let mut h = alloc::vec![
        Operation::Reboot,
        Operation::ItlResetLocal,
        Operation::RestartTftp
    ];
    let mixed = cluster.home.mode != SecurityMode::NonSecure;
    if mixed || matches!(goal, Goal::ETokens | Goal::Tokenless) {
        h.push(Operation::UpdateCtl);
    }
    if !cluster.home.etokens.is_empty()
        && cluster.home.phone_sast_trust.len() < cluster.home.etokens.len()
    {
        h.push(Operation::UploadPhoneSastTrust);
    }
    h
}

/// Whether `op` is worth trying after `node`'s prefix (prunes orders that
/// cannot help).
fn worth(node: &Node, op: &Operation, done_any: bool) -> bool {
    let last = node
        .steps
        .iter()
        .rev()
        .find(|s| !matches!(s, Operation::Wait { .. }));
    match op {
        Operation::Reboot => last.is_some_and(|l| !matches!(l, Operation::Reboot)),
        Operation::ItlResetLocal => done_any && !node.used.contains(op),
        Operation::RestartTftp => {
            node.used.contains(&Operation::ItlResetLocal) && !node.used.contains(op)
        }
        Operation::UpdateCtl => done_any && !node.used.contains(op),
        _ => !node.used.contains(op),
    }
}

impl Cluster {
    /// Searches plans of at most `max_steps` steps (waits not counted, at
    /// most [`MAX_PLAN_STEPS`]) that reach `goal`, and returns the shortest
    /// safe one, or the least bad one found.
    ///
    /// ```
    /// use cisco_itl::cluster::{Cluster, Goal, Operation};
    /// let cluster = Cluster::builtin()?;
    /// let plan = cluster.plan(&"new-hostname:cucm-pub".parse()?, 4)?;
    /// assert!(plan.safe);
    /// // TVS first, the phones take the ITL with the new TVS, then CallManager.
    /// assert_eq!(plan.steps[0], Operation::RegenerateTvs { node: "cucm-pub".into() });
    /// # Ok::<(), cisco_itl::cluster::ClusterError>(())
    /// ```
    pub fn plan(&self, goal: &Goal, max_steps: usize) -> Result<Plan, ClusterError> {
        let classes = self.classes.len().max(1);
        self.plan_within(goal, max_steps, (MAX_WORK / classes).clamp(1, MAX_ORDERS))
    }

    /// [`Cluster::plan`] with a budget of `max_orders` orders simulated
    /// (at most [`MAX_ORDERS`]); when the search stops there, the plan says
    /// so ([`Plan::complete`]).
    pub fn plan_within(
        &self,
        goal: &Goal,
        max_steps: usize,
        max_orders: usize,
    ) -> Result<Plan, ClusterError> {
        let max_orders = max_orders.min(MAX_ORDERS);
        if max_steps > MAX_PLAN_STEPS {
            return Err(ClusterError::TooLarge(alloc::format!(
                "{max_steps} steps (the planner searches at most {MAX_PLAN_STEPS})"
            )));
        }
        for way in goal.ways() {
            for op in &way {
                if let Some(n) = op.regenerates() {
                    self.home.node_index(n)?;
                }
            }
        }
        let mut best: Option<Best> = None;
        let mut explored = 0usize;
        let mut frontier: Vec<Node> = goal
            .ways()
            .into_iter()
            .map(|todo| Node {
                cluster: self.clone(),
                steps: Vec::new(),
                todo,
                used: Vec::new(),
                peak: 0,
                counted: 0,
            })
            .collect();
        let mut truncated = false;
        'search: for _depth in 0..max_steps {
            let mut next = Vec::new();
            for node in &frontier {
                let done_any = !node.used.iter().all(|u| {
                    matches!(
                        u,
                        Operation::Reboot | Operation::UploadPhoneSastTrust | Operation::UpdateCtl
                    )
                });
                let mut choices: Vec<Operation> = node.todo.clone();
                choices.extend(helpers(&node.cluster, goal));
                for op in choices {
                    if !worth(node, &op, done_any) {
                        continue;
                    }
                    if let Some(best) = &best
                        && node.peak > best.peak
                    {
                        continue;
                    }
                    let mut cluster = node.cluster.clone();
                    let mut steps = node.steps.clone();
                    if let Ok(Some(wait_seconds)) = cluster.hold(&op) {
                        let wait = Operation::Wait {
                            seconds: wait_seconds,
                        };
                        cluster.apply_in_place(&wait)?;
                        steps.push(wait);
                    }
                    if explored >= max_orders {
                        truncated = true;
                        break 'search;
                    }
                    explored += 1;
                    if cluster.apply_in_place(&op).is_err() {
                        continue;
                    }
                    // Safe means safe for a phone that boots at any moment:
                    // after each step, every class is booted (for real after
                    // a reboot or a regeneration, on a copy otherwise).
                    let now_cut_off = if op.boots_phones() {
                        Report::of(&cluster).cut_off()
                    } else {
                        cluster.clone().boot().cut_off()
                    };
                    let peak = node.peak.max(now_cut_off);
                    steps.push(op.clone());
                    let mut todo = node.todo.clone();
                    todo.retain(|t| t != &op);
                    let mut used = node.used.clone();
                    used.push(op);
                    let child = Node {
                        cluster,
                        steps,
                        todo,
                        used,
                        peak,
                        counted: node.counted + 1,
                    };
                    if child.todo.is_empty() {
                        // The goal is reached: every class boots once more
                        // (unless the last step just booted them).
                        let report = if child.steps.last().is_some_and(Operation::boots_phones) {
                            Report::of(&child.cluster)
                        } else {
                            child.cluster.clone().boot()
                        };
                        let at_end = report.cut_off();
                        let peak = child.peak.max(at_end);
                        let better = match &best {
                            None => true,
                            Some(b) => {
                                (peak, at_end, child.counted) < (b.peak, b.at_end, b.counted)
                            }
                        };
                        if better {
                            best = Some(Best {
                                peak,
                                at_end,
                                counted: child.counted,
                                steps: child.steps.clone(),
                                report,
                            });
                        }
                    }
                    // Helpers may still follow (a reset after the last
                    // regeneration…).
                    next.push(child);
                }
            }
            if best.as_ref().is_some_and(|b| b.peak == 0) {
                break;
            }
            frontier = next;
        }
        let Best {
            peak,
            at_end,
            steps,
            mut report,
            ..
        } = best.ok_or_else(|| ClusterError::NoPlan {
            goal: goal.to_string(),
            max_steps,
        })?;
        report.operations = steps.clone();
        report.peak_cut_off = peak;
        Ok(Plan {
            goal: goal.clone(),
            steps,
            safe: peak == 0,
            peak_cut_off: peak,
            cut_off_at_end: at_end,
            max_steps,
            explored,
            complete: !truncated,
            report,
        })
    }
}
