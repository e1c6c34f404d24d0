//! `SignedFile` and `sign_file`: the `.sgn` files (a trust-list header,
//! then any payload).

use std::hash::{Hash, Hasher};

use cisco_itl::digest::{md5, sha1};
use cisco_itl::signed_file::{SignedFile, SignedFileBuilder};
use cisco_itl::verify::Verified;
use cisco_itl::{Function, Header};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::args::{
    bytes_arg, digest_arg, functions_arg, hex, layout_arg, path_arg, policy, py_bytes, read_file,
    signer_arg, version_arg, version_str,
};
use crate::errors::{ItlError, ItlResult};
use crate::list::{Anchors, PyVerified, header_items};

/// The functions whose records may sign a configuration file: what a
/// phone accepts, and what `SignedFile.verify_with` trusts in a list by
/// default.
const CONFIG_SIGNERS: [Function; 2] = [Function::CcmTftp, Function::Tftp];

/// A signed file (``.sgn``): a header like a trust list's, then the
/// payload (a configuration XML, a ring list…). ``SignedFile(data)`` is
/// ``SignedFile.from_bytes(data)``.
///
/// A signed file carries no certificate: verify it against the ITL or CTL
/// that names its signer, or against the signer's certificate
/// (``verify_with``).
#[pyclass(frozen, module = "cisco_itl", name = "SignedFile")]
pub(crate) struct PySignedFile {
    data: PyBackedBytes,
}

impl PySignedFile {
    fn parse(data: PyBackedBytes) -> PyResult<Self> {
        SignedFile::parse(&data).map_err(ItlError::from)?;
        Ok(PySignedFile { data })
    }

    fn view(&self) -> ItlResult<SignedFile<'_>> {
        Ok(SignedFile::parse(&self.data)?)
    }

    fn header(&self) -> ItlResult<Header<'_>> {
        Ok(*self.view()?.header())
    }
}

#[pymethods]
impl PySignedFile {
    #[new]
    fn new(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::parse(bytes_arg(data, "data")?)
    }

    /// Parses a signed file from its bytes. Raises ``ParseError`` when
    /// the header is malformed.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::parse(bytes_arg(data, "data")?)
    }

    /// Reads and parses a signed file (``str`` or ``os.PathLike``).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let data = read_file(&path_arg(path)?)?;
        Self::parse(PyBackedBytes::from(py_bytes(py, &data)))
    }

    /// The payload: the file without its header.
    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(py_bytes(py, self.view()?.payload()))
    }

    /// FILENAME: the name the file was signed as.
    #[getter]
    fn filename(&self) -> PyResult<String> {
        Ok(self.header()?.filename().to_string())
    }

    /// The format version, ``"1.0"`` in CUCM's signed files.
    #[getter]
    fn version(&self) -> PyResult<String> {
        Ok(version_str(self.header()?.version()))
    }

    /// The header's length in bytes.
    #[getter]
    fn header_length(&self) -> PyResult<usize> {
        Ok(self.header()?.length())
    }

    /// SIGNERNAME: the signer certificate's subject, as written.
    #[getter]
    fn signer_name(&self) -> PyResult<String> {
        Ok(self.header()?.signer_name().to_string())
    }

    /// The signer certificate's serial number, lowercase hex.
    #[getter]
    fn signer_serial(&self) -> PyResult<String> {
        Ok(hex(self.header()?.signer_serial()))
    }

    /// CANAME: the signer certificate's issuer, as written.
    #[getter]
    fn signer_issuer(&self) -> PyResult<String> {
        Ok(self.header()?.ca_name().to_string())
    }

    /// The digest of the signature: ``"sha1"``, ``"sha256"`` or ``"sha512"``.
    #[getter]
    fn digest(&self) -> PyResult<&'static str> {
        Ok(self.header()?.digest().name())
    }

    /// The signature bytes.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(py_bytes(py, self.view()?.header().signature()))
    }

    /// TIMESTAMP: seconds since the Unix epoch.
    #[getter]
    fn timestamp(&self) -> PyResult<u32> {
        Ok(self.header()?.timestamp())
    }

    /// The signer version (tag 28), ``None`` when absent.
    #[getter]
    fn signer_version(&self) -> PyResult<Option<String>> {
        Ok(self.header()?.signer_version().map(version_str))
    }

    /// MD5 of the whole file, lowercase hex.
    #[getter]
    fn md5(&self) -> String {
        hex(&md5(&self.data))
    }

    /// SHA-1 of the whole file, lowercase hex.
    #[getter]
    fn sha1(&self) -> String {
        hex(&sha1(&self.data))
    }

    /// Verifies the signature against what the caller trusts: a
    /// ``TrustList`` (its records that carry one of ``functions``, by
    /// default CCM+TFTP and TFTP, as a phone checks its configuration),
    /// certificate bytes (PEM or DER), or a sequence of these. Returns a
    /// ``Verified``; raises ``VerificationError`` (or ``PolicyError`` under
    /// ``strict``) when no trusted key verifies it.
    #[pyo3(signature = (trusted, *, functions = None, strict = false))]
    fn verify_with(
        &self,
        py: Python<'_>,
        trusted: &Bound<'_, PyAny>,
        functions: Option<Vec<Bound<'_, PyAny>>>,
        strict: bool,
    ) -> PyResult<PyVerified> {
        let functions = match functions {
            Some(f) => functions_arg(&f)?,
            None => CONFIG_SIGNERS.to_vec(),
        };
        let anchors = Anchors::from_py(trusted, &functions)?;
        let data = &self.data;
        let verified = py.detach(|| -> ItlResult<Verified> {
            Ok(SignedFile::parse(data)?.verify_with(&anchors.anchors, &policy(strict))?)
        })?;
        Ok(PyVerified::new(&verified, &anchors))
    }

    /// The file's bytes, identical to what was read.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.data.clone_ref(py).into_pyobject(py)?.into_any())
    }

    /// The header in the style of ``show itl``, then the payload's length.
    fn show(&self) -> String {
        cisco_itl::show::render_signed_file(&self.data)
    }

    /// The header as a JSON-ready ``dict`` (bytes as lowercase hex), with
    /// the payload's length.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = self.view()?;
        let d = PyDict::new(py);
        d.set_item("kind", "SGN")?;
        d.set_item("length", self.data.len())?;
        d.set_item("md5", hex(&md5(&self.data)))?;
        d.set_item("sha1", hex(&sha1(&self.data)))?;
        header_items(&d, f.header())?;
        d.set_item("payload_length", f.payload().len())?;
        Ok(d)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySignedFile>()
            .is_ok_and(|o| o.get().data[..] == self.data[..])
    }

    fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.data[..].hash(&mut h);
        h.finish()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        let data = slf.get().data.clone_ref(py).into_pyobject(py)?;
        Ok((from_bytes, PyTuple::new(py, [data])?))
    }

    fn __repr__(&self) -> PyResult<String> {
        let f = self.view()?;
        Ok(format!(
            "<SignedFile {:?}: {}-byte payload, signed by {:?}>",
            f.header().filename(),
            f.payload().len(),
            f.header().signer_name(),
        ))
    }
}

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
