//! The crate's catch-all [`Error`], on top of every module's own error:
//! each layer keeps its error with its code ([`ParseError`] with the element
//! reader, [`WriteError`] with the writer, [`VerifyError`](crate::VerifyError)
//! with verification…), and only this module names them all, so no module
//! below reaches another through it. [`Error::category`] is the one
//! classification the C and Python bindings map from.

pub use crate::parse_error::{ParseError, Region};
pub use crate::write::WriteError;

/// Any error of this crate, so that `?` works in a caller's `main`
/// without naming each module's error type. Each variant wraps the
/// specific error, whose message it shows unchanged.
///
/// ```
/// fn first_subject(bytes: &[u8]) -> Result<String, cisco_itl::Error> {
///     let list = cisco_itl::TrustList::parse(bytes)?; // ParseError
///     list.verify()?;                                 // VerifyError
///     Ok(list.header().signer_name().into())
/// }
/// let err = first_subject(&[]).unwrap_err();
/// assert!(matches!(err, cisco_itl::Error::Parse(cisco_itl::ParseError::Empty)));
/// assert_eq!(err.to_string(), "the file is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed trust list or signed file.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An owned list or header could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A signature was not accepted.
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),
    /// A certificate is unusable.
    #[error(transparent)]
    Certificate(#[from] crate::cert::CertError),
    /// A private key is unusable.
    #[error(transparent)]
    Key(#[from] crate::key::KeyError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] crate::sign::SignError),
    /// A trust list could not be built.
    #[error(transparent)]
    Build(#[from] crate::build::BuildError),
    /// A PKCS#12 file could not be loaded.
    #[error(transparent)]
    Pkcs12(#[from] crate::pkcs12::Pkcs12Error),
    /// An ITL recovery reset was refused.
    #[error(transparent)]
    Recovery(#[from] crate::recovery::RecoveryError),
    /// The phone refused a file or certificate.
    #[error(transparent)]
    Rejected(#[from] crate::phone::Rejection),
    /// A TVS message is malformed.
    #[error(transparent)]
    Tvs(#[from] crate::tvs::codec::TvsError),
    /// A TVS device name is not of the `CP-NNNN-SEP<MAC>` form.
    #[error(transparent)]
    DeviceName(#[from] crate::tvs::codec::DeviceNameError),
    /// A TVS server's certificate was not accepted.
    #[error(transparent)]
    TvsAuth(#[from] crate::phone::TvsAuthError),
    /// An encrypted configuration is malformed.
    #[error(transparent)]
    Encrypted(#[from] crate::encrypted::EncryptedError),
    /// An encrypted configuration was not decrypted.
    #[error(transparent)]
    Decrypt(#[from] crate::encrypted::DecryptError),
    /// An encrypted configuration could not be made.
    #[cfg(feature = "std")]
    #[error(transparent)]
    Encrypt(#[from] crate::encrypted::EncryptError),
    /// A DeviceTLInfo report could not be read.
    #[error(transparent)]
    Report(#[from] crate::device_report::ReportError),
    /// A file was not read.
    #[cfg(feature = "std")]
    #[error(transparent)]
    File(#[from] crate::fs::FileError),
    /// A TVS certificate store refused or failed.
    #[cfg(feature = "std")]
    #[error(transparent)]
    Store(#[from] crate::tvs::store::StoreError),
    /// A TFTP transfer failed.
    #[cfg(feature = "tftp")]
    #[error(transparent)]
    Tftp(#[from] crate::tftp::TftpError),
    /// A TVS exchange over the network failed.
    #[cfg(feature = "tvs-net")]
    #[error(transparent)]
    Net(NetFailure),
    /// The cluster simulator cannot take a description, node, class or goal.
    #[cfg(feature = "cluster")]
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    /// An operation's text is not one the cluster simulator knows.
    #[cfg(feature = "cluster")]
    #[error(transparent)]
    Operation(#[from] crate::cluster::OperationParseError),
}

/// A [`NetError`](crate::tvs::net::NetError) inside [`Error::Net`]. It
/// holds I/O and TLS errors, which can be neither cloned nor compared, so
/// it is shared (cloning is cheap), and two are equal when they are the
/// same failure or say the same thing.
#[cfg(feature = "tvs-net")]
#[derive(Debug, Clone)]
pub struct NetFailure(alloc::sync::Arc<crate::tvs::net::NetError>);

#[cfg(feature = "tvs-net")]
impl NetFailure {
    /// The network error.
    pub fn get(&self) -> &crate::tvs::net::NetError {
        &self.0
    }
}

#[cfg(feature = "tvs-net")]
impl PartialEq for NetFailure {
    fn eq(&self, other: &Self) -> bool {
        alloc::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

#[cfg(feature = "tvs-net")]
impl Eq for NetFailure {}

#[cfg(feature = "tvs-net")]
impl core::fmt::Display for NetFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(feature = "tvs-net")]
impl std::error::Error for NetFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(feature = "tvs-net")]
impl From<crate::tvs::net::NetError> for Error {
    fn from(e: crate::tvs::net::NetError) -> Self {
        Error::Net(NetFailure(alloc::sync::Arc::new(e)))
    }
}

/// What kind of failure an [`Error`] is: the one classification of the
/// crate's errors, from which the C library's result codes and the Python
/// module's exception classes are each one table (`docs/C.md`, "Errors").
///
/// ```
/// use cisco_itl::{Error, ParseError, error::Category};
/// let err = Error::from(ParseError::Empty);
/// assert_eq!(err.category(), Category::Parse);
/// assert_eq!(err.category().as_str(), "parse");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// Malformed bytes: a trust list, signed file, encrypted configuration,
    /// TVS message or DeviceTLInfo report that does not parse.
    Parse,
    /// A signature not accepted: wrong key, tampered bytes, an unknown or
    /// lying signer, nothing trusted to verify against.
    Verify,
    /// Genuine, but a rule refuses it: a weak digest or key under the
    /// policy, an ITL without the recovery record a reset needs.
    Policy,
    /// A key, certificate or PKCS#12 file that is unusable.
    Credential,
    /// The password does not open the PKCS#12 file.
    Password,
    /// The phone's rules refused a file, a certificate or a TVS server.
    Rejected,
    /// An encrypted configuration whose signature was accepted was not
    /// decrypted: it is for another phone, the key does not open it, the
    /// padding or the digest does not hold.
    Decrypt,
    /// Signing failed (an unsupported digest, the RSA operation, no
    /// randomness).
    Sign,
    /// What was asked for cannot be made: a value too long for its length
    /// field, a device name not of its form, a list without records.
    Invalid,
    /// A TVS exchange or a TFTP transfer over the network failed
    /// (resolution, connection, TLS, a deadline, an answer malformed or for
    /// another session, a file not served).
    Network,
    /// A TVS certificate store failed (its database, a corrupt entry).
    Store,
    /// A file was not read.
    Io,
    /// The cluster simulator cannot take a description, operation or goal.
    Cluster,
}

impl Category {
    /// The category's name, one lowercase word (`"parse"`, `"rejected"`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Parse => "parse",
            Category::Verify => "verify",
            Category::Policy => "policy",
            Category::Credential => "credential",
            Category::Password => "password",
            Category::Rejected => "rejected",
            Category::Decrypt => "decrypt",
            Category::Sign => "sign",
            Category::Invalid => "invalid",
            Category::Network => "network",
            Category::Store => "store",
            Category::Io => "io",
            Category::Cluster => "cluster",
        }
    }

    /// Every category, in declaration order.
    pub const ALL: [Category; 13] = [
        Category::Parse,
        Category::Verify,
        Category::Policy,
        Category::Credential,
        Category::Password,
        Category::Rejected,
        Category::Decrypt,
        Category::Sign,
        Category::Invalid,
        Category::Network,
        Category::Store,
        Category::Io,
        Category::Cluster,
    ];
}

impl core::fmt::Display for Category {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A verification failure: the policy's refusals apart.
fn verify_category(e: &crate::verify::VerifyError) -> Category {
    use crate::verify::VerifyError as V;
    match e {
        V::WeakDigest(_) | V::WeakKey { .. } => Category::Policy,
        _ => Category::Verify,
    }
}

/// A signing failure: an unusable certificate apart.
fn sign_category(e: &crate::sign::SignError) -> Category {
    match e {
        crate::sign::SignError::Certificate(_) => Category::Credential,
        _ => Category::Sign,
    }
}

impl Error {
    /// What kind of failure this is (see [`Category`]).
    ///
    /// ```
    /// use cisco_itl::{Error, TvsAuthError, error::Category, recovery::RecoveryError};
    /// assert_eq!(Error::from(RecoveryError::NoRecoveryRecord).category(), Category::Policy);
    /// assert_eq!(Error::from(TvsAuthError::HashMismatch).category(), Category::Rejected);
    /// ```
    pub fn category(&self) -> Category {
        use crate::build::BuildError as B;
        use crate::encrypted::DecryptError as D;
        use crate::recovery::RecoveryError as R;
        match self {
            Error::Parse(_) | Error::Tvs(_) | Error::Encrypted(_) | Error::Report(_) => {
                Category::Parse
            }
            Error::Write(_) | Error::DeviceName(_) => Category::Invalid,
            Error::Verify(v) => verify_category(v),
            Error::Certificate(_) | Error::Key(_) => Category::Credential,
            Error::Sign(s) => sign_category(s),
            Error::Build(b) => match b {
                B::Certificate(_) => Category::Credential,
                B::Sign(s) => sign_category(s),
                _ => Category::Invalid,
            },
            Error::Pkcs12(crate::pkcs12::Pkcs12Error::WrongPassword) => Category::Password,
            Error::Pkcs12(_) => Category::Credential,
            Error::Recovery(r) => match r {
                R::Certificate(_) | R::KeyMismatch | R::Key(_) => Category::Credential,
                R::NoRecoveryRecord => Category::Policy,
                R::NotVerified(v) | R::NotTrusted(v) => verify_category(v),
                R::NothingTrusted | R::TrustsItself => Category::Verify,
                R::Sign(s) => sign_category(s),
            },
            Error::Rejected(_) | Error::TvsAuth(_) => Category::Rejected,
            Error::Decrypt(d) => match d {
                D::Signature(v) => verify_category(v),
                D::NoDevice => Category::Credential,
                _ => Category::Decrypt,
            },
            #[cfg(feature = "std")]
            Error::Encrypt(e) => {
                use crate::encrypted::EncryptError as En;
                match e {
                    En::PhoneKey(_) | En::WrongDevice { .. } => Category::Credential,
                    En::Sign(s) => sign_category(s),
                    En::Random => Category::Sign,
                    _ => Category::Invalid,
                }
            }
            #[cfg(feature = "std")]
            Error::File(_) => Category::Io,
            #[cfg(feature = "std")]
            Error::Store(s) => match s {
                crate::tvs::store::StoreError::BadCertificate(_) => Category::Credential,
                crate::tvs::store::StoreError::RoleNotEncodable(_) => Category::Invalid,
                _ => Category::Store,
            },
            #[cfg(feature = "tvs-net")]
            Error::Net(_) => Category::Network,
            #[cfg(feature = "tftp")]
            Error::Tftp(_) => Category::Network,
            #[cfg(feature = "cluster")]
            Error::Cluster(_) | Error::Operation(_) => Category::Cluster,
        }
    }
}
