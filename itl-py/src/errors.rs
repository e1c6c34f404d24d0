//! Every error of the core, as one of the Python exceptions of
//! `cisco_itl.errors`: its message unchanged (the core's `Display`), and
//! the byte offset where the core gives one.
//!
//! The classes are written in Python (`python/cisco_itl/errors.py`, where
//! their `offset`, `repr` and pickling live) and bound here with
//! `import_exception!`: each is imported once and kept. `cisco_itl`
//! imports `cisco_itl.errors` before this module, so the import cannot
//! fail in an installed package.

use cisco_itl::build::BuildError;
use cisco_itl::encrypted::{DecryptError, EncryptError, EncryptedError};
use cisco_itl::error::Category;
use cisco_itl::phone::{Rejection, TvsAuthError};
use cisco_itl::recovery::RecoveryError;
use cisco_itl::verify::VerifyError;
use cisco_itl::{Error, ParseError, SignError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use pyo3::{PyTypeInfo, import_exception};

/// The classes of `cisco_itl.errors`, as Rust types.
mod py {
    use super::import_exception;

    import_exception!(cisco_itl.errors, Error);
    import_exception!(cisco_itl.errors, ParseError);
    import_exception!(cisco_itl.errors, VerificationError);
    import_exception!(cisco_itl.errors, CredentialError);
    import_exception!(cisco_itl.errors, PolicyError);
    import_exception!(cisco_itl.errors, ClusterError);
    import_exception!(cisco_itl.errors, DecryptError);
}

/// The Python exception class an error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `cisco_itl.Error`: what fits no subclass (a list too long to write…).
    Base,
    /// `cisco_itl.ParseError` (also a `ValueError`): malformed bytes.
    Parse,
    /// `cisco_itl.VerificationError`: a signature or a record not accepted.
    Verification,
    /// `cisco_itl.CredentialError`: a bad key, certificate, PKCS#12 file or password.
    Credential,
    /// `cisco_itl.PolicyError`: genuine, but a rule refuses it.
    Policy,
    /// `cisco_itl.ClusterError` (also a `ValueError`): a cluster
    /// description, operation or goal the simulator cannot take.
    Cluster,
    /// `cisco_itl.DecryptError`: an encrypted configuration whose signature
    /// was accepted but that was not decrypted (another phone's file, a
    /// wrong key, bad padding, a digest mismatch).
    Decrypt,
}

impl Kind {
    /// The Python class.
    fn class(self, py: Python<'_>) -> Bound<'_, PyType> {
        match self {
            Kind::Base => py::Error::type_object(py),
            Kind::Parse => py::ParseError::type_object(py),
            Kind::Verification => py::VerificationError::type_object(py),
            Kind::Credential => py::CredentialError::type_object(py),
            Kind::Policy => py::PolicyError::type_object(py),
            Kind::Cluster => py::ClusterError::type_object(py),
            Kind::Decrypt => py::DecryptError::type_object(py),
        }
    }
}

/// An error on its way to Python.
#[derive(Debug, Clone)]
pub(crate) struct ItlError {
    pub(crate) kind: Kind,
    pub(crate) message: String,
    pub(crate) offset: Option<usize>,
}

impl ItlError {
    pub(crate) fn new(kind: Kind, message: impl Into<String>) -> Self {
        ItlError {
            kind,
            message: message.into(),
            offset: None,
        }
    }

    /// The exception instance (to raise, or to hand back as a value).
    pub(crate) fn to_exception<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("offset", self.offset)?;
        self.kind
            .class(py)
            .call((self.message.as_str(),), Some(&kwargs))
    }
}

impl From<ItlError> for PyErr {
    fn from(e: ItlError) -> PyErr {
        Python::attach(|py| match e.to_exception(py) {
            Ok(exc) => PyErr::from_value(exc),
            Err(err) => err,
        })
    }
}

/// The one table: the class of each [`Category`] of the core. The C
/// library's result codes are the same table's other column (`docs/C.md`,
/// "Errors").
pub(crate) fn category_kind(category: Category) -> Kind {
    match category {
        Category::Parse => Kind::Parse,
        Category::Verify => Kind::Verification,
        Category::Policy | Category::Rejected => Kind::Policy,
        Category::Credential | Category::Password => Kind::Credential,
        Category::Decrypt => Kind::Decrypt,
        Category::Cluster => Kind::Cluster,
        // Signing, an invalid request, the network, a store, a file, and
        // what the core may add.
        _ => Kind::Base,
    }
}

/// The byte offset an error names: a parse error's (also inside a phone's
/// refusal or a malformed encrypted configuration).
fn offset(e: &Error) -> Option<usize> {
    match e {
        Error::Parse(p) | Error::Rejected(Rejection::Malformed(p)) => p.offset(),
        Error::Encrypted(e) => match e {
            EncryptedError::Parse(p) => p.offset(),
            EncryptedError::Duplicate { offset, .. } => Some(*offset),
            // The core gives offset 0 when no element is at fault (a
            // PLAINDIGEST of the wrong length for its algorithm, judged
            // once the block is read): no offset then.
            EncryptedError::Invalid { offset, .. } => Some(*offset).filter(|o| *o != 0),
            _ => None,
        },
        _ => None,
    }
}

impl From<Error> for ItlError {
    fn from(e: Error) -> Self {
        ItlError {
            kind: category_kind(e.category()),
            message: e.to_string(),
            offset: offset(&e),
        }
    }
}

/// Each error of the core converts through [`Error`], which wraps them all.
macro_rules! through_core_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for ItlError {
            fn from(e: $t) -> Self {
                ItlError::from(Error::from(e))
            }
        })*
    };
}

through_core_error!(
    ParseError,
    VerifyError,
    SignError,
    BuildError,
    RecoveryError,
    Rejection,
    TvsAuthError,
    cisco_itl::CertError,
    cisco_itl::KeyError,
    cisco_itl::Pkcs12Error,
    cisco_itl::WriteError,
    EncryptedError,
    DecryptError,
    EncryptError,
    cisco_itl::cluster::ClusterError,
    cisco_itl::cluster::OperationParseError,
);

/// `Result` with an error bound for Python.
pub(crate) type ItlResult<T> = Result<T, ItlError>;
