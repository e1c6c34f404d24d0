//! Every error of the core, as one of the Python exceptions of
//! `cisco_itl.errors`: its message unchanged (the core's `Display`), and
//! the byte offset where the core gives one.

use cisco_itl::build::BuildError;
use cisco_itl::encrypted::{DecryptError, EncryptError, EncryptedError};
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

/// The byte offset a parse error names.
pub(crate) fn parse_offset(e: &ParseError) -> Option<usize> {
    match *e {
        ParseError::Truncated { offset, .. }
        | ParseError::HeaderLengthPastEnd { offset, .. }
        | ParseError::HeaderLengthInconsistent { offset, .. }
        | ParseError::RecordLengthZero { offset }
        | ParseError::RecordLengthPastEnd { offset, .. }
        | ParseError::RecordLengthInconsistent { offset, .. }
        | ParseError::ContainerOverrun { offset, .. }
        | ParseError::MissingElement { offset, .. }
        | ParseError::DuplicateElement { offset, .. }
        | ParseError::BadLength { offset, .. }
        | ParseError::BadUtf8 { offset, .. }
        | ParseError::DataAfterNul { offset, .. } => Some(offset),
        ParseError::Empty => Some(0),
        ParseError::NoRecords { header_length } => Some(header_length),
        _ => None,
    }
}

fn verify_kind(e: &VerifyError) -> Kind {
    match e {
        VerifyError::WeakDigest(_) | VerifyError::WeakKey { .. } => Kind::Policy,
        _ => Kind::Verification,
    }
}

fn sign_kind(e: &SignError) -> Kind {
    match e {
        SignError::Certificate(_) => Kind::Credential,
        _ => Kind::Base,
    }
}

/// The class and offset of any core error.
fn classify(e: &Error) -> (Kind, Option<usize>) {
    match e {
        Error::Parse(p) => (Kind::Parse, parse_offset(p)),
        Error::Verify(v) => (verify_kind(v), None),
        Error::Certificate(_) | Error::Key(_) | Error::Pkcs12(_) => (Kind::Credential, None),
        Error::Sign(s) => (sign_kind(s), None),
        Error::Build(b) => (
            match b {
                BuildError::Certificate(_) => Kind::Credential,
                BuildError::Sign(s) => sign_kind(s),
                _ => Kind::Base,
            },
            None,
        ),
        Error::Recovery(r) => (
            match r {
                RecoveryError::Certificate(_)
                | RecoveryError::KeyMismatch
                | RecoveryError::Key(_) => Kind::Credential,
                RecoveryError::NoRecoveryRecord => Kind::Policy,
                RecoveryError::NotVerified(v) | RecoveryError::NotTrusted(v) => verify_kind(v),
                RecoveryError::NothingTrusted => Kind::Verification,
                RecoveryError::Sign(s) => sign_kind(s),
                _ => Kind::Base,
            },
            None,
        ),
        Error::Rejected(r) => (
            Kind::Policy,
            match r {
                Rejection::Malformed(p) => parse_offset(p),
                _ => None,
            },
        ),
        Error::TvsAuth(TvsAuthError::BadCertificate) => (Kind::Credential, None),
        Error::TvsAuth(_) => (Kind::Verification, None),
        // Writing (a value too long for its length field) and what else
        // the core may add.
        _ => (Kind::Base, None),
    }
}

impl From<Error> for ItlError {
    fn from(e: Error) -> Self {
        let (kind, offset) = classify(&e);
        ItlError {
            kind,
            message: e.to_string(),
            offset,
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
);

/// `Result` with an error bound for Python.
pub(crate) type ItlResult<T> = Result<T, ItlError>;

impl From<cisco_itl::cluster::ClusterError> for ItlError {
    fn from(e: cisco_itl::cluster::ClusterError) -> Self {
        ItlError::new(Kind::Cluster, e.to_string())
    }
}

impl From<cisco_itl::cluster::OperationParseError> for ItlError {
    fn from(e: cisco_itl::cluster::OperationParseError) -> Self {
        ItlError::new(Kind::Cluster, e.to_string())
    }
}

/// A malformed encrypted configuration: `ParseError`, with the offset of
/// the element at fault.
impl From<EncryptedError> for ItlError {
    fn from(e: EncryptedError) -> Self {
        let offset = match &e {
            EncryptedError::Parse(p) => parse_offset(p),
            EncryptedError::Duplicate { offset, .. } => Some(*offset),
            // The core gives offset 0 when no element is at fault (a
            // PLAINDIGEST of the wrong length for its algorithm, judged
            // once the block is read): no offset then.
            EncryptedError::Invalid { offset, .. } => Some(*offset).filter(|o| *o != 0),
            _ => None,
        };
        ItlError {
            kind: Kind::Parse,
            message: e.to_string(),
            offset,
        }
    }
}

/// A file not decrypted: `VerificationError` (or `PolicyError`) when its
/// signature is refused, `CredentialError` when the phone certificate names
/// no device, `DecryptError` for everything else.
impl From<DecryptError> for ItlError {
    fn from(e: DecryptError) -> Self {
        let kind = match &e {
            DecryptError::Signature(v) => verify_kind(v),
            DecryptError::NoDevice => Kind::Credential,
            _ => Kind::Decrypt,
        };
        ItlError::new(kind, e.to_string())
    }
}

/// A file not encrypted: `CredentialError` for a phone certificate that
/// cannot wrap a key or names another phone, the signing error's class for
/// the TFTP key, `Error` otherwise (a device name that is not `SEP<MAC>`,
/// a digest other than SHA-1 or SHA-512).
impl From<EncryptError> for ItlError {
    fn from(e: EncryptError) -> Self {
        let kind = match &e {
            EncryptError::PhoneKey(_) | EncryptError::WrongDevice { .. } => Kind::Credential,
            EncryptError::Sign(s) => sign_kind(s),
            _ => Kind::Base,
        };
        ItlError::new(kind, e.to_string())
    }
}
