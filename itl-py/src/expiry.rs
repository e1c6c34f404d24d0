//! `expiries`: when a trust list's certificates expire and what renewing
//! each is (`cisco_itl::expiry`), as JSON-ready ``dict``s.

use cisco_itl::TrustList;
use cisco_itl::cert::iso8601;
use cisco_itl::expiry::expiries as list_expiries;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::args::bytes_arg;
use crate::errors::ItlResult;

/// Every record's certificate of a trust list (bytes) at ``now`` (seconds
/// since 1970): ``{"record"`` (1-based), ``"functions", "subject",
/// "not_after"`` (ISO 8601 UTC or ``None`` for a record holding only a
/// hash), ``"days_left", "status"`` (``"ok"``, ``"expiring"`` within
/// ``within_days``, ``"expired"``, ``"unknown"``), ``"renewal"}`` (a
/// sentence). Raises ``ParseError`` when the bytes are not a trust list.
#[pyfunction]
pub(crate) fn expiries<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    now: u64,
    within_days: u64,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let bytes = bytes_arg(data, "data")?;
    let parsed = || -> ItlResult<_> { Ok(TrustList::parse(&bytes)?) };
    let list = parsed()?;
    list_expiries(&list, now, within_days)
        .iter()
        .map(|e| {
            let d = PyDict::new(py);
            d.set_item("record", e.record + 1)?;
            let functions: Vec<String> = e.functions.iter().map(|f| f.to_string()).collect();
            d.set_item("functions", functions)?;
            d.set_item("subject", &e.subject)?;
            d.set_item("not_after", e.not_after.and_then(iso8601))?;
            d.set_item("days_left", e.days_left)?;
            d.set_item("status", e.status.as_str())?;
            d.set_item("renewal", e.renewal.to_string())?;
            Ok(d)
        })
        .collect()
}
