//! `diff_lists`: what changed between two trust lists
//! (`cisco_itl::diff`), as a JSON-ready ``dict``.

use cisco_itl::TrustList;
use cisco_itl::diff::{RecordSummary, diff};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::{bytes_arg, hex};
use crate::errors::ItlResult;

fn summary<'py>(py: Python<'py>, r: &RecordSummary) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("record", r.index + 1)?;
    let functions: Vec<String> = r.functions.iter().map(|f| f.to_string()).collect();
    d.set_item("functions", functions)?;
    d.set_item("subject", &r.subject)?;
    d.set_item("serial", hex(&r.serial))?;
    d.set_item("hash", hex(&r.hash))?;
    Ok(d)
}

/// Compares two trust lists (bytes): ``{"added": [...], "removed": [...],
/// "changed": [{"old", "new", "serial_changed", "hash_changed"}],
/// "unchanged": N, "signer": None | {"old", "new"}, "timestamp": None |
/// {"old", "new"}}``; each record as ``{"record"`` (1-based), ``"functions",
/// "subject", "serial", "hash"}`` (hex; the certificate's SHA-1, else its
/// CERTHASH). Raises ``ParseError`` when either is not a trust list.
#[pyfunction]
pub(crate) fn diff_lists<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, b) = (bytes_arg(old, "old")?, bytes_arg(new, "new")?);
    let lists = || -> ItlResult<_> { Ok((TrustList::parse(&a)?, TrustList::parse(&b)?)) };
    let (old, new) = lists()?;
    let d = diff(&old, &new);
    let out = PyDict::new(py);
    let list = |items: &[RecordSummary]| -> PyResult<Vec<Bound<'py, PyDict>>> {
        items.iter().map(|r| summary(py, r)).collect()
    };
    out.set_item("added", list(&d.added)?)?;
    out.set_item("removed", list(&d.removed)?)?;
    let mut changed = Vec::new();
    for c in &d.changed {
        let e = PyDict::new(py);
        e.set_item("old", summary(py, &c.old)?)?;
        e.set_item("new", summary(py, &c.new)?)?;
        e.set_item("serial_changed", c.serial_changed())?;
        e.set_item("hash_changed", c.hash_changed())?;
        changed.push(e);
    }
    out.set_item("changed", changed)?;
    out.set_item("unchanged", d.unchanged)?;
    let pair = |o: Option<(Py<PyAny>, Py<PyAny>)>| -> PyResult<Option<Bound<'py, PyDict>>> {
        o.map(|(a, b)| {
            let p = PyDict::new(py);
            p.set_item("old", a)?;
            p.set_item("new", b)?;
            Ok(p)
        })
        .transpose()
    };
    let signer = d
        .signer
        .map(|(a, b)| -> PyResult<_> {
            Ok((
                a.into_pyobject(py)?.into_any().unbind(),
                b.into_pyobject(py)?.into_any().unbind(),
            ))
        })
        .transpose()?;
    out.set_item("signer", pair(signer)?)?;
    let timestamp = d
        .timestamp
        .map(|(a, b)| -> PyResult<_> {
            Ok((
                a.into_pyobject(py)?.into_any().unbind(),
                b.into_pyobject(py)?.into_any().unbind(),
            ))
        })
        .transpose()?;
    out.set_item("timestamp", pair(timestamp)?)?;
    Ok(out)
}
