//! What `TrustList`, `SignedFile` and `EncryptedFile` share: their bytes
//! kept together with the core's view of them (parsed once, when the object
//! is made), the `Header` class, and the methods all three have.
//!
//! Each class holds a [`self_cell`] of its bytes (a `PyBackedBytes`, the
//! caller's `bytes` without a copy) and the borrowed view the core parsed
//! from them, as pyca/cryptography does: a getter reads the view, it never
//! parses again. The header getters are written once, in
//! [`header_methods!`], and land in `Header` and in the three file classes
//! alike; the constructors, checksums, `verify_with`, equality and
//! pickling of the file classes are written once, in [`file_methods!`].

use cisco_itl::Header;
use cisco_itl::digest::{md5, sha1};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use self_cell::self_cell;

use crate::args::{hex, version_str};
use crate::errors::ItlResult;

/// A class that holds a file's bytes and its parsed header.
pub(crate) trait Parsed {
    /// The file's bytes, as read.
    fn bytes(&self) -> &PyBackedBytes;
    /// The header the core parsed from [`Parsed::bytes`].
    fn header_view(&self) -> &Header<'_>;
}

/// A file class: made from bytes, which it parses once.
pub(crate) trait ParsedFile: Parsed + Sized {
    /// The functions whose records `verify_with` trusts by default.
    const SIGNERS: &'static [cisco_itl::Function];
    /// Parses and keeps `data`; the core's error when they are malformed.
    fn parse(data: PyBackedBytes) -> PyResult<Self>;
    /// The `Header` object, made on first use and kept.
    fn header_cache(&self) -> &PyOnceLock<Py<PyHeader>>;

    /// `.header`: the same `Header` object each time (the header is
    /// parsed once more, from its own bytes only, when first asked for).
    fn header_object(&self, py: Python<'_>) -> PyResult<Py<PyHeader>> {
        let header = self.header_cache().get_or_try_init(py, || {
            Py::new(py, PyHeader::parse(self.bytes().clone_ref(py))?)
        })?;
        Ok(header.clone_ref(py))
    }
}

self_cell!(
    /// A file's bytes and its header, parsed from them.
    struct HeaderCell {
        owner: PyBackedBytes,
        #[covariant]
        dependent: Header,
    }
);

/// The signed header of a trust list, a signed file or an encrypted
/// configuration: who signed it, when, with which digest, under which
/// name. ``TrustList.header``, ``SignedFile.header`` and
/// ``EncryptedFile.header`` give it; the files' own attributes of the same
/// names (``list.filename`` is ``list.header.filename``) read the same
/// header.
#[pyclass(frozen, module = "cisco_itl", name = "Header")]
pub(crate) struct PyHeader {
    cell: HeaderCell,
}

impl PyHeader {
    fn parse(data: PyBackedBytes) -> ItlResult<Self> {
        Ok(PyHeader {
            cell: HeaderCell::try_new(data, |d| Header::parse(d))?,
        })
    }
}

impl Parsed for PyHeader {
    fn bytes(&self) -> &PyBackedBytes {
        self.cell.borrow_owner()
    }

    fn header_view(&self) -> &Header<'_> {
        self.cell.borrow_dependent()
    }
}

/// The header fields shared by `.tlv`, `.sgn` and `.enc.sgn` dicts.
pub(crate) fn header_items(d: &Bound<'_, PyDict>, h: &Header<'_>) -> PyResult<()> {
    d.set_item("version", version_str(h.version()))?;
    d.set_item("header_length", h.length())?;
    d.set_item("signer_name", h.signer_name())?;
    d.set_item("signer_serial", hex(h.signer_serial()))?;
    d.set_item("signer_issuer", h.ca_name())?;
    d.set_item("digest", h.digest().name())?;
    d.set_item("signature", hex(h.signature()))?;
    d.set_item("filename", h.filename())?;
    d.set_item("timestamp", h.timestamp())?;
    d.set_item(
        "timestamp_utc",
        cisco_itl::cert::iso8601(u64::from(h.timestamp())),
    )?;
    d.set_item("signer_version", h.signer_version().map(version_str))?;
    Ok(())
}

/// The start of a file's ``to_dict()``: its kind (``"ITL"``, ``"SGN"``…),
/// length and checksums, then its header's fields.
pub(crate) fn file_dict<'py>(
    py: Python<'py>,
    kind: &str,
    file: &impl Parsed,
) -> PyResult<Bound<'py, PyDict>> {
    let data = file.bytes();
    let d = PyDict::new(py);
    d.set_item("kind", kind)?;
    d.set_item("length", data.len())?;
    d.set_item("md5", hex(&md5(data)))?;
    d.set_item("sha1", hex(&sha1(data)))?;
    header_items(&d, file.header_view())?;
    Ok(d)
}

/// The `__hash__` of bytes (a file's, a header's).
pub(crate) fn hash_of(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// A file class: the struct (`$attr`: its doc and `#[pyclass]`), the
/// `self_cell` `$cell` of its bytes and the core's `$view` parsed from them,
/// `view()`, and the [`Parsed`] and [`ParsedFile`] that [`file_methods!`]
/// reads; `$signers`, the functions `verify_with` trusts by default.
macro_rules! file_class {
    ($(#[$attr:meta])* $class:ident, $cell:ident($view:ident), signers: $signers:expr) => {
        $(#[$attr])*
        pub(crate) struct $class {
            cell: $cell,
            header: pyo3::sync::PyOnceLock<Py<$crate::header::PyHeader>>,
        }

        self_cell::self_cell!(
            /// The file's bytes and the core's view of them.
            struct $cell {
                owner: pyo3::pybacked::PyBackedBytes,
                #[covariant]
                dependent: $view,
            }
        );

        impl $class {
            /// The core's view (parsed once, when the object was made).
            pub(crate) fn view(&self) -> &$view<'_> {
                self.cell.borrow_dependent()
            }
        }

        impl $crate::header::Parsed for $class {
            fn bytes(&self) -> &pyo3::pybacked::PyBackedBytes {
                self.cell.borrow_owner()
            }

            fn header_view(&self) -> &cisco_itl::Header<'_> {
                self.view().header()
            }
        }

        impl $crate::header::ParsedFile for $class {
            const SIGNERS: &'static [cisco_itl::Function] = &$signers;

            fn parse(data: pyo3::pybacked::PyBackedBytes) -> PyResult<Self> {
                let cell = $cell::try_new(data, |d| $view::parse(d))
                    .map_err($crate::errors::ItlError::from)?;
                Ok($class {
                    cell,
                    header: pyo3::sync::PyOnceLock::new(),
                })
            }

            fn header_cache(&self) -> &pyo3::sync::PyOnceLock<Py<$crate::header::PyHeader>> {
                &self.header
            }
        }
    };
}
pub(crate) use file_class;

/// `#[pymethods] impl $class { $body }` with the header getters added: the
/// one place they are written. `$class` implements [`Parsed`].
macro_rules! header_methods {
    ($class:ident { $($body:tt)* }) => {
        #[pyo3::pymethods]
        impl $class {
            $($body)*

            /// FILENAME: the name the file was signed as (``"ITLFile.tlv"``,
            /// ``"SEP<MAC>.cnf.xml.sgn"``…).
            #[getter]
            fn filename(&self) -> &str {
                $crate::header::Parsed::header_view(self).filename()
            }

            /// The format version: ``"1.2"`` in CUCM's trust lists, ``"1.0"``
            /// in its signed files, ``"2.0"`` in encrypted configurations.
            #[getter]
            fn version(&self) -> String {
                $crate::args::version_str($crate::header::Parsed::header_view(self).version())
            }

            /// The header's length in bytes (HEADERLENGTH).
            #[getter]
            fn header_length(&self) -> usize {
                $crate::header::Parsed::header_view(self).length()
            }

            /// SIGNERNAME: the signer certificate's subject, as written.
            #[getter]
            fn signer_name(&self) -> &str {
                $crate::header::Parsed::header_view(self).signer_name()
            }

            /// The signer certificate's serial number, lowercase hex.
            #[getter]
            fn signer_serial(&self) -> String {
                $crate::args::hex($crate::header::Parsed::header_view(self).signer_serial())
            }

            /// CANAME: the signer certificate's issuer, as written.
            #[getter]
            fn signer_issuer(&self) -> &str {
                $crate::header::Parsed::header_view(self).ca_name()
            }

            /// The digest of the signature: ``"sha1"``, ``"sha256"`` or
            /// ``"sha512"`` (``"unknown"`` for a code the format does not
            /// define).
            #[getter]
            fn digest(&self) -> &'static str {
                $crate::header::Parsed::header_view(self).digest().name()
            }

            /// The signature bytes.
            #[getter]
            fn signature<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
                $crate::args::py_bytes(py, $crate::header::Parsed::header_view(self).signature())
            }

            /// TIMESTAMP: seconds since the Unix epoch.
            #[getter]
            fn timestamp(&self) -> u32 {
                $crate::header::Parsed::header_view(self).timestamp()
            }

            /// The signer version (tag 28) some non-Cisco builders write,
            /// such as ``"1.0"``; ``None`` when absent.
            #[getter]
            fn signer_version(&self) -> Option<String> {
                $crate::header::Parsed::header_view(self)
                    .signer_version()
                    .map($crate::args::version_str)
            }
        }
    };
}
pub(crate) use header_methods;

/// The methods of the three file classes (`$class` implements
/// [`ParsedFile`]): the header getters of [`header_methods!`], `.header`,
/// the constructors, the checksums, `verify_with`, `to_bytes`, equality,
/// hashing and pickling; then `$body`, the class's own methods.
macro_rules! file_methods {
    ($class:ident { $($body:tt)* }) => {
        $crate::header::header_methods!($class {
            $($body)*

            #[new]
            fn new(data: &Bound<'_, PyAny>) -> PyResult<Self> {
                $crate::header::ParsedFile::parse($crate::args::bytes_arg(data, "data")?)
            }

            /// Parses the file from its bytes (``bytes`` are kept without a
            /// copy). Raises ``ParseError`` when they are malformed, with
            /// the byte offset at fault.
            #[staticmethod]
            fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
                $crate::header::ParsedFile::parse($crate::args::bytes_arg(data, "data")?)
            }

            /// Reads and parses a file (``str`` or ``os.PathLike``; a
            /// regular file of at most ``MAX_LIST_BYTES``). Raises
            /// ``OSError`` when it cannot be read, ``ParseError`` when it
            /// is malformed.
            #[staticmethod]
            fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
                let data = $crate::args::read_file(&$crate::args::path_arg(path)?)?;
                $crate::header::ParsedFile::parse(pyo3::pybacked::PyBackedBytes::from(
                    $crate::args::py_bytes(py, &data),
                ))
            }

            /// The signed header (a ``Header``; the same object each time).
            #[getter]
            fn header(&self, py: Python<'_>) -> PyResult<Py<$crate::header::PyHeader>> {
                $crate::header::ParsedFile::header_object(self, py)
            }

            /// MD5 of the whole file, lowercase hex (what ``show itl``
            /// prints).
            #[getter]
            fn md5(&self) -> String {
                $crate::args::hex(&cisco_itl::digest::md5($crate::header::Parsed::bytes(self)))
            }

            /// SHA-1 of the whole file, lowercase hex (what phones report
            /// in the DeviceTLInfo alarm).
            #[getter]
            fn sha1(&self) -> String {
                $crate::args::hex(&cisco_itl::digest::sha1($crate::header::Parsed::bytes(self)))
            }

            /// Verifies the signature against what the caller trusts,
            /// ignoring the file's own records: a ``TrustList`` (or its
            /// bytes; its records that carry one of ``functions``, by
            /// default SAST, CCM+TFTP and TFTP for a trust list, CCM+TFTP
            /// and TFTP for a signed or encrypted file, as a phone checks
            /// its configuration), certificate bytes (PEM, possibly several
            /// certificates, or DER), or a sequence of these. Returns a
            /// ``Verified``; raises ``VerificationError`` (or
            /// ``PolicyError`` under ``strict``) when no trusted key
            /// verifies it.
            #[pyo3(signature = (trusted, *, functions = None, strict = false))]
            fn verify_with(
                &self,
                py: Python<'_>,
                trusted: &Bound<'_, PyAny>,
                functions: Option<Vec<Bound<'_, PyAny>>>,
                strict: bool,
            ) -> PyResult<$crate::list::PyVerified> {
                let anchors = $crate::list::Anchors::from_py_or(
                    trusted,
                    functions,
                    <Self as $crate::header::ParsedFile>::SIGNERS,
                )?;
                let file = self.view();
                let policy = $crate::args::policy(strict);
                let verified = py.detach(|| file.verify_with(&anchors.anchors, &policy));
                let verified = verified.map_err($crate::errors::ItlError::from)?;
                Ok($crate::list::PyVerified::new(&verified, &anchors))
            }

            /// The file's bytes, identical to what was read.
            fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let data = $crate::header::Parsed::bytes(self).clone_ref(py);
                Ok(data.into_pyobject(py)?.into_any())
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.cast::<$class>().is_ok_and(|o| {
                    $crate::header::Parsed::bytes(o.get())[..] == $crate::header::Parsed::bytes(self)[..]
                })
            }

            fn __hash__(&self) -> u64 {
                $crate::header::hash_of($crate::header::Parsed::bytes(self))
            }

            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, pyo3::types::PyTuple>)> {
                let py = slf.py();
                let from_bytes = slf.get_type().getattr("from_bytes")?;
                let data = $crate::header::Parsed::bytes(slf.get())
                    .clone_ref(py)
                    .into_pyobject(py)?;
                Ok((from_bytes, pyo3::types::PyTuple::new(py, [data])?))
            }
        });
    };
}
pub(crate) use file_methods;

header_methods!(PyHeader {
    /// The header's bytes, as in the file (padding and signature included).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        crate::args::py_bytes(py, self.header_view().as_bytes())
    }

    /// The header as a JSON-ready ``dict`` (bytes as lowercase hex): the
    /// entries of the same names in the file's ``to_dict()``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        header_items(&d, self.header_view())?;
        Ok(d)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyHeader>()
            .is_ok_and(|o| o.get().header_view().as_bytes() == self.header_view().as_bytes())
    }

    fn __hash__(&self) -> u64 {
        crate::header::hash_of(self.header_view().as_bytes())
    }

    fn __repr__(&self) -> String {
        let h = self.header_view();
        format!(
            "<Header {:?} version {}: signed by {:?} with {}>",
            h.filename(),
            version_str(h.version()),
            h.signer_name(),
            h.digest().name(),
        )
    }
});
