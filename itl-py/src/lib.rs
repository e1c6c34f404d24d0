//! `cisco_itl._native`: the PyO3 layer of the `cisco-itl` Python package.
//!
//! A thin layer over the `cisco-itl` crate: each class wraps a core type,
//! each error of the core becomes one of the exceptions of
//! `cisco_itl.errors` (with its message and byte offset), and the work
//! that takes time (verifying, signing, opening PKCS#12 files, batches)
//! runs with the GIL released. The Python package (`python/cisco_itl/`)
//! re-exports these names and adds the `itl` command and the fleet audit.

mod args;
mod audit;
mod batch;
mod builder;
mod capf;
mod cluster;
mod diff;
mod encrypted;
mod errors;
mod expiry;
mod header;
mod list;
mod phone;
mod report;
mod signed;
mod tftp;

use pyo3::prelude::*;

/// The compiled part of the `cisco_itl` package; import `cisco_itl`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FUNCTIONS", args::FUNCTION_NAMES.to_vec())?;
    m.add(
        "TRUST_LIST_UPDATE_FAILED",
        cisco_itl::phone::TRUST_LIST_UPDATE_FAILED,
    )?;
    m.add_class::<list::PyTrustList>()?;
    m.add_class::<header::PyHeader>()?;
    m.add_class::<list::PyRecord>()?;
    m.add_class::<list::PyVerified>()?;
    m.add_class::<signed::PySignedFile>()?;
    m.add_class::<builder::PyTrustListBuilder>()?;
    m.add_class::<phone::PyPhone>()?;
    m.add_class::<phone::PyDecision>()?;
    m.add_class::<phone::PyBootStep>()?;
    m.add_class::<phone::PyTvs>()?;
    m.add_class::<phone::PyTvsServer>()?;
    m.add_class::<batch::PyVerifyOutcome>()?;
    m.add_class::<batch::PyShown>()?;
    m.add_class::<cluster::PyCluster>()?;
    m.add_class::<cluster::WhatIfReport>()?;
    m.add_class::<cluster::PlanResult>()?;
    m.add_function(wrap_pyfunction!(signed::sign_file, m)?)?;
    m.add_function(wrap_pyfunction!(signed::parse_file, m)?)?;
    m.add_function(wrap_pyfunction!(diff::diff_lists, m)?)?;
    m.add_function(wrap_pyfunction!(expiry::expiries, m)?)?;
    m.add_function(wrap_pyfunction!(builder::reset_itl, m)?)?;
    m.add_function(wrap_pyfunction!(builder::pkcs12_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(builder::certificate_der, m)?)?;
    m.add_function(wrap_pyfunction!(batch::verify_many, m)?)?;
    m.add_function(wrap_pyfunction!(batch::show, m)?)?;
    m.add_function(wrap_pyfunction!(batch::read_file, m)?)?;
    m.add_class::<list::PyRecordDicts>()?;
    m.add("MAX_LIST_BYTES", cisco_itl::fs::MAX_LIST_BYTES)?;
    m.add("MAX_KEY_FILE_BYTES", cisco_itl::fs::MAX_KEY_FILE_BYTES)?;
    m.add("MAX_REPORT_BYTES", cisco_itl::fs::MAX_REPORT_BYTES)?;
    m.add_function(wrap_pyfunction!(audit::audit_itls, m)?)?;
    m.add_function(wrap_pyfunction!(report::parse_device_reports, m)?)?;
    m.add_function(wrap_pyfunction!(tftp::tftp_read, m)?)?;
    m.add_class::<encrypted::PyEncryptedFile>()?;
    m.add_class::<encrypted::PyCompanion>()?;
    m.add_function(wrap_pyfunction!(encrypted::encrypt_config, m)?)?;
    m.add_class::<capf::PyCapfStore>()?;
    m.add_class::<capf::PyCapfDevice>()?;
    m.add_class::<capf::PyCapfCertificate>()?;
    m.add_class::<capf::PyCapfClient>()?;
    m.add_class::<capf::PyEnrolment>()?;
    m.add_class::<capf::PyCapfServer>()?;
    Ok(())
}
