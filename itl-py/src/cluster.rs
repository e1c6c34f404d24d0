//! `Cluster`: the what-if simulator and planner of the core
//! (`cisco_itl::cluster`), with its reports and plans.

use std::path::PathBuf;

use cisco_itl::cluster::collected::ReportedItl;
use cisco_itl::cluster::{Cluster, ClusterError, Goal, Operation, Plan, Report};
use pyo3::prelude::*;

use crate::errors::ItlError;

fn operations(texts: &[String]) -> Result<Vec<Operation>, ItlError> {
    texts
        .iter()
        .map(|t| t.parse::<Operation>().map_err(ItlError::from))
        .collect()
}

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A simulated CUCM cluster and its phones, in classes: what an operation
/// would do to them (``whatif``), and a safe order to reach a goal
/// (``plan``). The files it serves are real ITLs, CTLs and signed
/// configurations; each class boots through the same phone rules as
/// ``Phone``.
///
/// Operations and goals are words such as ``"regenerate-both:cucm-pub"``,
/// ``"reboot"``, ``"itl-reset-localkey"``, ``"new-hostname:cucm-pub"``
/// (see ``docs/WHATIF.md``).
#[pyclass(module = "cisco_itl", name = "Cluster")]
pub(crate) struct PyCluster {
    inner: Cluster,
}

#[pymethods]
impl PyCluster {
    /// The built-in three-node cluster with 100,000 phones in 20 classes.
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<Self> {
        let inner = py.detach(Cluster::builtin).map_err(ItlError::from)?;
        Ok(PyCluster { inner })
    }

    /// The TOML text of the built-in cluster (a starting point for your own).
    #[staticmethod]
    fn builtin_description() -> &'static str {
        cisco_itl::cluster::describe::BUILTIN
    }

    /// A cluster from a TOML description; relative paths in it are read
    /// from ``base`` (default: the current folder).
    #[staticmethod]
    #[pyo3(signature = (text, base = None))]
    fn from_toml(py: Python<'_>, text: &str, base: Option<PathBuf>) -> PyResult<Self> {
        let inner = py
            .detach(|| Cluster::from_toml(text, base.as_deref()))
            .map_err(ItlError::from)?;
        Ok(PyCluster { inner })
    }

    /// A cluster from a TOML description file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = py
            .detach(|| Cluster::from_path(&path))
            .map_err(ItlError::from)?;
        Ok(PyCluster { inner })
    }

    /// A twin of the cluster whose files ``itl collect`` gathered in
    /// ``folder`` (``<server>/<stamp>/ITLFile.tlv``, ``CTLFile.tlv``):
    /// every certificate mapped to a stand-in with the same names, serial
    /// and roles. ``overlay`` is a TOML file for what the files cannot
    /// tell (version, publisher, addresses, ``[[phones]]``); ``phones``,
    /// pairs ``(ITL_TFTP_Server, ITL_Signature)`` one per phone, makes the
    /// classes from what the phones report holding. See
    /// ``docs/WHATIF.md``, "A twin from collected files".
    #[staticmethod]
    #[pyo3(signature = (folder, overlay = None, phones = None))]
    fn from_collected(
        py: Python<'_>,
        folder: PathBuf,
        overlay: Option<PathBuf>,
        phones: Option<Vec<(String, String)>>,
    ) -> PyResult<Self> {
        let reported: Option<Vec<ReportedItl>> = phones.map(|rows| {
            rows.into_iter()
                .map(|(tftp_server, itl_signature)| ReportedItl {
                    tftp_server,
                    itl_signature,
                })
                .collect()
        });
        let inner = py
            .detach(|| {
                let (text, base) = match &overlay {
                    Some(p) => {
                        let bytes = cisco_itl::fs::read_bounded(
                            p,
                            cisco_itl::cluster::describe::MAX_DESCRIPTION_BYTES as u64,
                        )?;
                        let text = String::from_utf8(bytes).map_err(|_| {
                            ClusterError::Description(format!("{}: not UTF-8 text", p.display()))
                        })?;
                        (text, p.parent().map(std::path::Path::to_path_buf))
                    }
                    None => (String::new(), None),
                };
                Cluster::from_collected_reported(
                    &folder,
                    &text,
                    base.as_deref(),
                    reported.as_deref(),
                )
            })
            .map_err(ItlError::from)?;
        Ok(PyCluster { inner })
    }

    /// What ``operations`` would do, applied in order to a copy of the
    /// cluster (every class boots at each ``"reboot"`` and at the end).
    /// The cluster itself is unchanged.
    fn whatif(&self, py: Python<'_>, operations: Vec<String>) -> PyResult<WhatIfReport> {
        let ops = operations_or_raise(&operations)?;
        let report = py
            .detach(|| self.inner.whatif(&ops))
            .map_err(ItlError::from)?;
        Ok(WhatIfReport::of(&report))
    }

    /// The shortest safe order of operations and reboots reaching
    /// ``goal`` within ``max_steps`` steps, or the least bad one.
    #[pyo3(signature = (goal, max_steps = 5))]
    fn plan(&self, py: Python<'_>, goal: &str, max_steps: usize) -> PyResult<PlanResult> {
        let goal: Goal = goal.parse().map_err(ItlError::from)?;
        let plan = py
            .detach(|| self.inner.plan(&goal, max_steps))
            .map_err(ItlError::from)?;
        Ok(PlanResult::of(&plan))
    }

    /// Applies one operation to this cluster (``"reboot"`` boots every
    /// class). On error, nothing changes.
    fn apply(&mut self, py: Python<'_>, operation: &str) -> PyResult<()> {
        let op: Operation = operation.parse().map_err(ItlError::from)?;
        let inner = &mut self.inner;
        py.detach(|| inner.apply(&op)).map_err(ItlError::from)?;
        Ok(())
    }

    /// Every class boots against its TFTP node; returns the report.
    fn boot(&mut self, py: Python<'_>) -> WhatIfReport {
        let inner = &mut self.inner;
        let report = py.detach(|| inner.boot());
        WhatIfReport::of(&report)
    }

    /// Who trusts whom, as a Graphviz DOT graph.
    fn to_dot(&self) -> String {
        self.inner.to_dot()
    }

    /// The nodes' host names, the publisher first.
    #[getter]
    fn nodes(&self) -> Vec<String> {
        self.inner
            .servers()
            .nodes()
            .iter()
            .map(|n| n.name().to_string())
            .collect()
    }

    /// The phone classes' names.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.inner
            .classes()
            .iter()
            .map(|c| c.spec().name.clone())
            .collect()
    }

    /// The number of phones.
    #[getter]
    fn phone_count(&self) -> u64 {
        self.inner.phone_count()
    }

    /// The security mode: ``"non-secure"``, ``"etoken"`` or ``"tokenless"``.
    #[getter]
    fn mode(&self) -> &'static str {
        self.inner.servers().mode().as_str()
    }

    /// The CUCM release whose rules apply, e.g. ``"10.5"``, ``"14SU3"``.
    #[getter]
    fn cucm_version(&self) -> String {
        self.inner.servers().version().to_string()
    }

    /// For a twin of collected files: the files used and what was assumed
    /// where they say nothing, one sentence each (empty otherwise).
    #[getter]
    fn assumptions(&self) -> Vec<String> {
        self.inner.assumptions().to_vec()
    }

    /// Simulated time, UNIX seconds.
    #[getter]
    fn now(&self) -> u64 {
        self.inner.now()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Cluster {} nodes, {} phones in {} classes, {}>",
            self.inner.servers().nodes().len(),
            self.inner.phone_count(),
            self.inner.classes().len(),
            self.inner.servers().mode().as_str()
        )
    }
}

fn operations_or_raise(texts: &[String]) -> PyResult<Vec<Operation>> {
    Ok(operations(texts)?)
}

/// What a simulation found: ``str(report)`` is the table, ``locked`` the
/// phones locked at the end, ``cut_off`` those locked or refusing their
/// configuration, ``classes`` one dict per class (``name``, ``phones``,
/// ``locked``, ``cut_off``, ``outcome``, ``tftp``, ``group``, ``steps``,
/// ``remedies``).
#[pyclass(frozen, module = "cisco_itl", name = "WhatIfReport")]
pub(crate) struct WhatIfReport {
    text: String,
    json: String,
    /// Phones locked at the end.
    #[pyo3(get)]
    locked: u64,
    /// Phones cut off at the end: locked, or refusing their configuration.
    #[pyo3(get)]
    cut_off: u64,
    /// The most phones cut off at any boot.
    #[pyo3(get)]
    peak_cut_off: u64,
    /// Phones in all.
    #[pyo3(get)]
    phones: u64,
}

impl WhatIfReport {
    fn of(report: &Report) -> Self {
        WhatIfReport {
            text: report.to_string(),
            json: report.to_json(),
            locked: report.locked(),
            cut_off: report.cut_off(),
            peak_cut_off: report.peak_cut_off,
            phones: report.phones(),
        }
    }
}

#[pymethods]
impl WhatIfReport {
    /// The report as JSON text.
    fn to_json(&self) -> &str {
        &self.json
    }

    /// The report as a dict (the JSON, loaded).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.json)
    }

    /// One dict per class.
    #[getter]
    fn classes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.json)?.get_item("classes")
    }

    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!(
            "<WhatIfReport {} of {} phones locked>",
            self.locked, self.phones
        )
    }
}

/// The planner's answer: ``safe``, the ``steps`` (operation words, waits
/// included), the phones cut off at its worst moment and at the end;
/// ``str(plan)`` says it in sentences.
#[pyclass(frozen, module = "cisco_itl", name = "Plan")]
pub(crate) struct PlanResult {
    text: String,
    json: String,
    /// Whether no phone is cut off at any moment of the plan.
    #[pyo3(get)]
    safe: bool,
    /// The steps, as operation words.
    #[pyo3(get)]
    steps: Vec<String>,
    /// The most phones cut off at any moment.
    #[pyo3(get)]
    peak_cut_off: u64,
    /// Phones cut off after the final boot.
    #[pyo3(get)]
    cut_off_at_end: u64,
    /// Orders simulated.
    #[pyo3(get)]
    explored: usize,
    /// Whether every order up to the step limit was searched.
    #[pyo3(get)]
    complete: bool,
}

impl PlanResult {
    fn of(plan: &Plan) -> Self {
        PlanResult {
            text: plan.to_string(),
            json: plan.to_json(),
            safe: plan.safe,
            steps: plan.steps.iter().map(ToString::to_string).collect(),
            peak_cut_off: plan.peak_cut_off,
            cut_off_at_end: plan.cut_off_at_end,
            explored: plan.explored,
            complete: plan.complete,
        }
    }
}

#[pymethods]
impl PlanResult {
    /// The plan as JSON text (its final report included).
    fn to_json(&self) -> &str {
        &self.json
    }

    /// The plan as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.json)
    }

    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!(
            "<Plan {} in {} steps>",
            if self.safe { "safe" } else { "unsafe" },
            self.steps.len()
        )
    }
}
