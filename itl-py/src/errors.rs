//! Every error of the core, as one of the Python exceptions of
//! `cisco_itl.errors`: its message unchanged (the core's `Display`), and
//! the byte offset where the core gives one.

use cisco_itl::build::BuildError;
use cisco_itl::encrypted::{DecryptError, EncryptError, EncryptedError};
use cisco_itl::error::Category;
use cisco_itl::phone::{Rejection, TvsAuthError};
use cisco_itl::recovery::RecoveryError;
use cisco_itl::verify::VerifyError;
use cisco_itl::{Error, ParseError, SignError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

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
    fn class_name(self) -> &'static str {
        match self {
            Kind::Base => "Error",
            Kind::Parse => "ParseError",
            Kind::Verification => "VerificationError",
            Kind::Credential => "CredentialError",
            Kind::Policy => "PolicyError",
            Kind::Cluster => "ClusterError",
            Kind::Decrypt => "DecryptError",
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
        let class = exception_class(py, self.kind)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("offset", self.offset)?;
        class.call((self.message.as_str(),), Some(&kwargs))
    }
}

/// The class `cisco_itl.errors.<name>`.
fn exception_class(py: Python<'_>, kind: Kind) -> PyResult<Bound<'_, PyType>> {
    Ok(py
        .import("cisco_itl.errors")?
        .getattr(kind.class_name())?
        .cast_into::<PyType>()?)
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
);

/// `Result` with an error bound for Python.
pub(crate) type ItlResult<T> = Result<T, ItlError>;

through_core_error!(
    cisco_itl::cluster::ClusterError,
    cisco_itl::cluster::OperationParseError,
);
