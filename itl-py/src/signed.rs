//! `SignedFile` and `sign_file`: the `.sgn` files (a trust-list header,
//! then any payload).

use cisco_itl::Function;
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::args::{bytes_arg, digest_arg, layout_arg, py_bytes, signer_arg, version_arg};
use crate::errors::ItlResult;
use crate::header::{Parsed, file_class, file_dict, file_methods};

/// The functions whose records may sign a configuration file: what a
/// phone accepts, and what `SignedFile.verify_with` trusts in a list by
/// default.
pub(crate) const CONFIG_SIGNERS: [Function; 2] = [Function::CcmTftp, Function::Tftp];

file_class!(
    /// A signed file (``.sgn``): a header like a trust list's, then the
    /// payload (a configuration XML, a ring list…). ``SignedFile(data)`` is
    /// ``SignedFile.from_bytes(data)``.
    ///
    /// A signed file carries no certificate: verify it against the ITL or CTL
    /// that names its signer, or against the signer's certificate
    /// (``verify_with``).
    #[pyclass(frozen, module = "cisco_itl", name = "SignedFile")]
    PySignedFile, SignedCell(SignedFile),
    signers: CONFIG_SIGNERS
);

file_methods!(PySignedFile {
    /// The payload: the file without its header.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.view().payload())
    }

    /// The header in the style of ``show itl``, then the payload's length.
    fn show(&self) -> String {
        cisco_itl::show::render_signed_file(self.bytes())
    }

    /// The header as a JSON-ready ``dict`` (bytes as lowercase hex), with
    /// the payload's length.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = file_dict(py, "SGN", self)?;
        d.set_item("payload_length", self.view().payload().len())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let f = self.view();
        format!(
            "<SignedFile {:?}: {}-byte payload, signed by {:?}>",
            f.header().filename(),
            f.payload().len(),
            f.header().signer_name(),
        )
    }
});

/// Signs ``payload`` as the signed file ``filename`` (the name phones ask
/// for, such as ``"SEP001122334455.cnf.xml.sgn"``) and returns the file's
/// bytes. ``key`` is a PEM holding the private key and its certificate,
/// or a key (PEM or DER) with ``certificate`` (PEM or DER). Raises
/// ``CredentialError`` when the key or certificate is unusable.
#[pyfunction]
#[pyo3(signature = (payload, filename, key, digest = "sha1", *, certificate = None, timestamp = None, layout = "cucm", version = "1.0"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_file<'py>(
    py: Python<'py>,
    payload: &Bound<'_, PyAny>,
    filename: &str,
    key: &Bound<'_, PyAny>,
    digest: &str,
    certificate: Option<&Bound<'_, PyAny>>,
    timestamp: Option<u32>,
    layout: &str,
    version: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let payload = bytes_arg(payload, "payload")?;
    let key = bytes_arg(key, "key")?;
    let certificate = certificate
        .map(|c| bytes_arg(c, "certificate"))
        .transpose()?;
    let digest = digest_arg(digest)?;
    let layout = layout_arg(layout)?;
    let (major, minor) = version_arg(version)?;
    let out = py.detach(|| -> ItlResult<Vec<u8>> {
        let signer = signer_arg(&key, certificate.as_deref())?;
        let mut b = SignedFileBuilder::new(filename, payload.to_vec())
            .digest(digest)
            .layout(layout)
            .version(major, minor);
        if let Some(t) = timestamp {
            b = b.timestamp(t);
        }
        Ok(b.sign(&signer)?)
    })?;
    Ok(py_bytes(py, &out))
}

/// Parses ``data`` as what its header says it is and returns a
/// ``TrustList``, a ``SignedFile`` or an ``EncryptedFile``
/// (``cisco_itl::file::File``): a header whose FILENAME ends in ``.tlv``
/// is a trust list's, and when its records are broken the ``ParseError``
/// is the trust list's, with the offset of the broken record (never a
/// signed file of that list's bytes).
#[pyfunction]
pub(crate) fn parse_file<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let bytes = bytes_arg(data, "data")?;
    let class = match cisco_itl::file::File::parse(&bytes) {
        Ok(cisco_itl::file::File::TrustList(_)) => py.get_type::<crate::list::PyTrustList>(),
        Ok(cisco_itl::file::File::SignedFile(_)) => py.get_type::<PySignedFile>(),
        Ok(cisco_itl::file::File::EncryptedFile(_)) => {
            py.get_type::<crate::encrypted::PyEncryptedFile>()
        }
        Err(e) => {
            return Err(crate::errors::ItlError::from(cisco_itl::Error::from(e)).into());
        }
    };
    class.call_method1("from_bytes", (data,))
}
