//! `parse_device_reports`: what phones report about their trust lists (the
//! `DeviceTLInfo` alarm), read by `cisco_itl::device_report` from XML
//! alarms, CUCM syslog lines or CSV exports.

use cisco_itl::device_report::{DeviceTlInfo, Format, parse};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::{bytes_arg, hex};
use crate::errors::ItlError;

/// What `parse_device_reports` returns: entries, problems, format.
type Parsed<'py> = (Vec<Bound<'py, PyDict>>, Vec<(usize, String)>, &'static str);

fn entry<'py>(py: Python<'py>, e: &DeviceTlInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("device", &e.device_name)?;
    d.set_item("line", e.line)?;
    d.set_item("itl_sha1", e.itl_hash.map(|h| hex(&h)))?;
    d.set_item("itl_tftp_server", e.itl_tftp_server.as_deref())?;
    d.set_item("ctl_sha1", e.ctl_hash.map(|h| hex(&h)))?;
    d.set_item("ctl_tftp_server", e.ctl_tftp_server.as_deref())?;
    d.set_item("status_code", e.status_code.as_deref())?;
    d.set_item("itl_reported", e.itl_reported)?;
    d.set_item("ctl_reported", e.ctl_reported)?;
    Ok(d)
}

/// Reads a DeviceTLInfo report: XML alarm bodies, CUCM syslog lines naming
/// ``DeviceTLInfo``, or a CSV export (any column order, ``,``/``;``/tab,
/// UTF-8, UTF-16 with a byte-order mark, or Windows-1252).
///
/// Returns ``(entries, problems, format)``: ``entries`` a list of dicts
/// with ``device``, ``line`` (1-based), ``itl_sha1`` and ``ctl_sha1``
/// (lowercase hex, ``None`` when none is installed), ``itl_tftp_server``,
/// ``ctl_tftp_server``, ``status_code`` (or ``None``), ``itl_reported`` and
/// ``ctl_reported`` (whether the report has the field at all);
/// ``problems`` the rows or lines left out, as ``(line, sentence)``;
/// ``format`` ``"xml"``, ``"syslog"`` or ``"csv"``. With ``latest``, only
/// the last report of each device. Raises ``ParseError`` (its message
/// naming the line) for input that is none of these.
#[pyfunction]
#[pyo3(signature = (data, *, latest = false))]
pub(crate) fn parse_device_reports<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    latest: bool,
) -> PyResult<Parsed<'py>> {
    let data = bytes_arg(data, "data")?;
    let report = py
        .detach(|| parse(&data))
        .map_err(|e| ItlError::from(cisco_itl::Error::from(e)))?;
    let entries: Vec<&DeviceTlInfo> = if latest {
        report.latest()
    } else {
        report.entries.iter().collect()
    };
    let out = entries
        .into_iter()
        .map(|e| entry(py, e))
        .collect::<PyResult<Vec<_>>>()?;
    let problems = report
        .problems
        .iter()
        .map(|p| (p.line(), p.to_string()))
        .collect();
    let format = match report.format {
        Format::Xml => "xml",
        Format::Syslog => "syslog",
        Format::Csv { .. } => "csv",
    };
    Ok((out, problems, format))
}
