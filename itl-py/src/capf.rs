//! CAPF (`cisco_itl::capf`): the device store administrators schedule
//! operations in (`CapfStore`, `CapfDevice`, `CapfCertificate`), a client
//! that asks for an LSC the way a phone does (`CapfClient`, `Enrolment`),
//! and a server for tests and scripts (`CapfServer`). A thin layer: the
//! rules (names, key sizes, passwords, trust, the flows) are the core's;
//! store, network and key generation run with the GIL released.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use cisco_itl::capf::codec::{AuthType, CertType, Curve, KeyRequest};
use cisco_itl::capf::issue::{DAYS, Issuer};
use cisco_itl::capf::net::client::enrolment_pem;
use cisco_itl::capf::net::{
    CapfClient, CapfLog, CapfNetError, CapfServer, CapfTrust, ClientOptions, Enrolment, Proof,
    ProofKey, ServeStats, ServerOptions, ShutdownHandle,
};
use cisco_itl::capf::store::{AuthMode, CapfStore, CapfStoreError, Device, Issued, Operation};
use cisco_itl::key::Signer;
use cisco_itl::tvs::net::NetError;
use pyo3::exceptions::{
    PyConnectionError, PyOSError, PyRuntimeError, PyTimeoutError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use pyo3::{PyTypeInfo, import_exception};

use crate::args::{bytes_arg, der_arg, is_path, path_arg, py_bytes};
use crate::errors::{ItlError, Kind};

mod py {
    use super::import_exception;

    import_exception!(cisco_itl.errors, CapfRefused);
    import_exception!(cisco_itl.errors, ServerNotTrusted);
}

// ------------------------------------------------------------ arguments

/// Refuses, before any connection, a device name or password the protocol
/// cannot carry (`ValueError`), as the C binding does.
pub(crate) fn check_sendable(device: &str, password: Option<&str>) -> PyResult<()> {
    use cisco_itl::capf::codec::{ElementTag, Frame, VERSION};
    let frame = Frame::auth_response(0, VERSION, device)
        .map_err(|e| PyValueError::new_err(format!("device name {device:?}: {e}")))?;
    if let Some(pin) = password {
        frame.with_text(ElementTag::Password, pin).map_err(|_| {
            PyValueError::new_err("the password is empty, too long or holds a NUL byte")
        })?;
    }
    Ok(())
}

/// The most log lines a `CapfServer` keeps (the latest).
const MAX_LOG_LINES: usize = 10_000;

/// A number of seconds, positive and finite.
pub(crate) fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            PyValueError::new_err(format!("{what} must be a positive number of seconds"))
        })
}

fn operation_arg(name: &str) -> PyResult<Operation> {
    match name.to_ascii_lowercase().as_str() {
        "install" => Ok(Operation::Install),
        "fetch" => Ok(Operation::Fetch),
        "delete" => Ok(Operation::Delete),
        "none" => Ok(Operation::None),
        _ => Err(PyValueError::new_err(format!(
            "the operation {name:?} is not install, fetch, delete or none"
        ))),
    }
}

fn auth_arg(auth: Option<&str>, password: Option<String>) -> PyResult<AuthMode> {
    let auth = auth.map(str::to_ascii_lowercase).unwrap_or_else(|| {
        if password.is_some() {
            "password"
        } else {
            "none"
        }
        .into()
    });
    match (auth.as_str(), password) {
        ("password", Some(p)) => Ok(AuthMode::Password(p)),
        ("password", None) => Err(PyValueError::new_err(
            "password authentication needs a password (the PIN the phone is given)",
        )),
        (other @ ("none" | "lsc" | "mic"), Some(_)) => Err(PyValueError::new_err(format!(
            "a password goes with password authentication only, not with {other}"
        ))),
        ("none", None) => Ok(AuthMode::None),
        ("lsc", None) => Ok(AuthMode::Lsc),
        ("mic", None) => Ok(AuthMode::Mic),
        (other, _) => Err(PyValueError::new_err(format!(
            "the authentication {other:?} is not password, none, lsc or mic"
        ))),
    }
}

fn curve_arg(name: &str) -> Option<Curve> {
    match name {
        "p256" | "ecp256" | "secp256r1" | "prime256v1" => Some(Curve::P256),
        "p384" | "ecp384" | "secp384r1" => Some(Curve::P384),
        "p521" | "ecp521" | "secp521r1" => Some(Curve::P521),
        _ => None,
    }
}

/// The key a device must generate: an RSA size in bits (``2048``,
/// ``"rsa-2048"``) or a curve (``"P-256"``, ``"P-384"``, ``"P-521"``).
fn key_arg(key: &Bound<'_, PyAny>) -> PyResult<KeyRequest> {
    if let Ok(bits) = key.extract::<i64>() {
        return u16::try_from(bits).map(KeyRequest::Rsa).map_err(|_| {
            PyValueError::new_err(format!(
                "an RSA key of {bits} bits is outside the 1024 to 4096 a device may be asked for"
            ))
        });
    }
    let Ok(text) = key.extract::<String>() else {
        return Err(PyTypeError::new_err(format!(
            "key must be a number of RSA bits or a name such as \"rsa-2048\" or \"P-256\", not {}",
            crate::args::type_name(key)
        )));
    };
    let squeezed: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect();
    if let Some(curve) = curve_arg(&squeezed) {
        return Ok(KeyRequest::Ec(curve));
    }
    squeezed
        .strip_prefix("rsa")
        .and_then(|bits| bits.parse::<u16>().ok())
        .map(KeyRequest::Rsa)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "the key {text:?} is not an RSA size (such as \"rsa-2048\") or a curve (P-256, P-384, P-521)"
            ))
        })
}

/// The name of a key request: ``"rsa-2048"``, ``"P-256"``.
fn key_name(key: KeyRequest) -> String {
    match key {
        KeyRequest::Rsa(bits) => format!("rsa-{bits}"),
        KeyRequest::Ec(curve) => curve.name().to_string(),
    }
}

fn auth_name(auth: &AuthMode) -> &'static str {
    match auth {
        AuthMode::None => "none",
        AuthMode::Password(_) => "password",
        AuthMode::Lsc => "lsc",
        AuthMode::Mic => "mic",
    }
}

// ------------------------------------------------------------ errors

/// A store error as Python sees it: what the caller gave wrong is a
/// ``ValueError``; a store refused, busy or failed is a ``cisco_itl.Error``.
#[allow(unreachable_patterns)]
fn store_error(e: CapfStoreError) -> PyErr {
    match e {
        CapfStoreError::BadDeviceName(_)
        | CapfStoreError::BadKeySize(_)
        | CapfStoreError::BadPassword => PyValueError::new_err(e.to_string()),
        CapfStoreError::Store(s) => ItlError::from(cisco_itl::Error::from(s)).into(),
        other => ItlError::new(Kind::Base, other.to_string()).into(),
    }
}

/// A client's failure: ``CapfRefused`` (with ``reason``), ``ServerNotTrusted``,
/// ``TimeoutError``, ``ConnectionError`` (refused, TLS, protocol), an
/// ``OSError`` of the socket, ``CredentialError`` for a key.
#[allow(unreachable_patterns)]
pub(crate) fn client_error(py: Python<'_>, server: &str, e: CapfNetError) -> PyErr {
    let message = format!("{server}: {e}");
    match e {
        CapfNetError::Refused { reason } => {
            let kwargs = PyDict::new(py);
            let made = kwargs.set_item("reason", reason.name()).and_then(|()| {
                py::CapfRefused::type_object(py).call((message.as_str(),), Some(&kwargs))
            });
            match made {
                Ok(exc) => PyErr::from_value(exc),
                Err(err) => err,
            }
        }
        CapfNetError::ServerNotTrusted | CapfNetError::NoTrustList => {
            py::ServerNotTrusted::new_err(message)
        }
        CapfNetError::Net(NetError::Deadline { .. }) => PyTimeoutError::new_err(message),
        CapfNetError::Net(NetError::Io(io)) => PyErr::from(std::io::Error::new(io.kind(), message)),
        CapfNetError::Net(NetError::Identity(_))
        | CapfNetError::Key(_)
        | CapfNetError::NoCertificate
        | CapfNetError::LscUnusable(_) => ItlError::new(Kind::Credential, message).into(),
        CapfNetError::Store(_) | CapfNetError::Issue(_) | CapfNetError::Panicked => {
            ItlError::new(Kind::Base, message).into()
        }
        _ => PyConnectionError::new_err(message),
    }
}

// ------------------------------------------------------------ store

/// A device of the CAPF store and the operation scheduled for it.
#[pyclass(frozen, module = "cisco_itl", name = "CapfDevice")]
pub(crate) struct PyCapfDevice {
    device: Device,
}

#[pymethods]
impl PyCapfDevice {
    /// Its name (``SEP<MAC>``).
    #[getter]
    fn name(&self) -> &str {
        &self.device.name
    }

    /// The pending operation: ``"install"``, ``"fetch"``, ``"delete"`` or
    /// ``"none"`` (done, or nothing asked).
    #[getter]
    fn operation(&self) -> &'static str {
        self.device.operation.name()
    }

    /// How it must prove who it is: ``"password"``, ``"none"``, ``"lsc"``
    /// or ``"mic"``.
    #[getter]
    fn auth(&self) -> &'static str {
        auth_name(&self.device.auth)
    }

    /// The password (PIN) of password authentication, else ``None``.
    #[getter]
    fn password(&self) -> Option<&str> {
        match &self.device.auth {
            AuthMode::Password(p) => Some(p),
            _ => None,
        }
    }

    /// The key it must generate: ``"rsa-2048"`` (any size from 1024 to
    /// 4096 bits), ``"P-256"``, ``"P-384"`` or ``"P-521"``.
    #[getter]
    fn key(&self) -> String {
        key_name(self.device.key)
    }

    /// The RSA key size in bits, ``None`` for an EC key.
    #[getter]
    fn key_bits(&self) -> Option<u16> {
        match self.device.key {
            KeyRequest::Rsa(bits) => Some(bits),
            KeyRequest::Ec(_) => None,
        }
    }

    /// The curve of an EC key (``"P-256"``…), ``None`` for RSA.
    #[getter]
    fn curve(&self) -> Option<&'static str> {
        match self.device.key {
            KeyRequest::Rsa(_) => None,
            KeyRequest::Ec(c) => Some(c.name()),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCapfDevice>()
            .is_ok_and(|o| o.get().device == self.device)
    }

    fn __repr__(&self) -> String {
        format!(
            "<CapfDevice {:?}: {}, {} authentication, {}>",
            self.device.name,
            self.device.operation.name(),
            auth_name(&self.device.auth),
            key_name(self.device.key)
        )
    }
}

/// A certificate the CAPF server issued and recorded.
#[pyclass(frozen, module = "cisco_itl", name = "CapfCertificate")]
pub(crate) struct PyCapfCertificate {
    issued: Issued,
}

#[pymethods]
impl PyCapfCertificate {
    /// The device it was issued to.
    #[getter]
    fn device(&self) -> &str {
        &self.issued.device
    }

    /// Its serial number, big-endian bytes as in the certificate.
    #[getter]
    fn serial<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, &self.issued.serial)
    }

    /// Its serial number in lower-case hexadecimal.
    #[getter]
    fn serial_hex(&self) -> String {
        self.issued
            .serial
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The certificate, DER.
    #[getter]
    fn der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, &self.issued.der)
    }

    /// The end of its validity, seconds since 1970.
    #[getter]
    fn not_after(&self) -> u64 {
        self.issued.not_after
    }

    fn __repr__(&self) -> String {
        format!(
            "<CapfCertificate of {:?}: serial {}, {} bytes>",
            self.issued.device,
            self.serial_hex(),
            self.issued.der.len()
        )
    }
}

/// The CAPF device store: an SQLite file that is the store's alone
/// (a missing or empty file becomes one; any other file is refused
/// untouched with ``cisco_itl.Error``). Administrators schedule what each
/// device gets at its next CAPF session; the server records what it
/// issued. Invalid names, key sizes and passwords raise ``ValueError``.
#[pyclass(frozen, module = "cisco_itl", name = "CapfStore")]
pub(crate) struct PyCapfStore {
    pub(crate) inner: Arc<CapfStore>,
    path: Option<PathBuf>,
}

#[pymethods]
impl PyCapfStore {
    #[new]
    fn new(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = path_arg(path)?;
        let opened = {
            let p = path.clone();
            py.detach(move || CapfStore::open(p))
        };
        match opened {
            Ok(store) => Ok(PyCapfStore {
                inner: Arc::new(store),
                path: Some(path),
            }),
            Err(e) => Err(with_path(&path, e)),
        }
    }

    /// A store in memory, gone with the object (tests).
    #[staticmethod]
    fn in_memory() -> PyResult<Self> {
        Ok(PyCapfStore {
            inner: Arc::new(CapfStore::in_memory().map_err(store_error)?),
            path: None,
        })
    }

    /// The file, ``None`` in memory.
    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.display().to_string())
    }

    /// Schedules ``operation`` for ``device`` (adding it, or replacing
    /// what was scheduled): ``auth`` is how it proves who it is
    /// (default ``"password"`` when a ``password`` is given, else
    /// ``"none"``), ``key`` the key it must generate for an installation
    /// (an RSA size such as ``"rsa-2048"`` or ``2048``, or ``"P-256"``,
    /// ``"P-384"``, ``"P-521"``). Returns the device as stored.
    #[pyo3(signature = (device, operation = "install", *, auth = None, password = None, key = None))]
    fn schedule(
        &self,
        py: Python<'_>,
        device: &str,
        operation: &str,
        auth: Option<&str>,
        password: Option<String>,
        key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCapfDevice> {
        let device = Device {
            name: device.to_string(),
            operation: operation_arg(operation)?,
            auth: auth_arg(auth, password)?,
            key: key
                .map(key_arg)
                .transpose()?
                .unwrap_or(KeyRequest::Rsa(2048)),
        };
        let store = &self.inner;
        py.detach(|| store.schedule(&device)).map_err(store_error)?;
        Ok(PyCapfDevice { device })
    }

    /// Removes a device and the certificates issued to it; whether it was
    /// there.
    fn remove(&self, py: Python<'_>, device: &str) -> PyResult<bool> {
        let store = &self.inner;
        py.detach(|| store.remove(device)).map_err(store_error)
    }

    /// The device called ``name``, ``None`` when the store has none.
    fn device(&self, py: Python<'_>, name: &str) -> PyResult<Option<PyCapfDevice>> {
        let store = &self.inner;
        Ok(py
            .detach(|| store.device(name))
            .map_err(store_error)?
            .map(|device| PyCapfDevice { device }))
    }

    /// Every device, by name.
    fn list(&self, py: Python<'_>) -> PyResult<Vec<PyCapfDevice>> {
        let store = &self.inner;
        Ok(py
            .detach(|| store.list())
            .map_err(store_error)?
            .into_iter()
            .map(|device| PyCapfDevice { device })
            .collect())
    }

    /// The certificates issued to ``device``, oldest first.
    fn certificates(&self, py: Python<'_>, device: &str) -> PyResult<Vec<PyCapfCertificate>> {
        let store = &self.inner;
        Ok(py
            .detach(|| store.certificates(device))
            .map_err(store_error)?
            .into_iter()
            .map(|issued| PyCapfCertificate { issued })
            .collect())
    }

    fn __repr__(&self) -> String {
        match &self.path {
            Some(p) => format!("<CapfStore {:?}>", p.display().to_string()),
            None => "<CapfStore in memory>".to_string(),
        }
    }
}

/// A store error that names the file.
fn with_path(path: &std::path::Path, e: CapfStoreError) -> PyErr {
    match e {
        CapfStoreError::Store(s) => ItlError::new(
            crate::errors::category_kind(cisco_itl::Error::from(s.clone()).category()),
            format!("{}: {s}", path.display()),
        )
        .into(),
        other => store_error(other),
    }
}

// ------------------------------------------------------------ client

/// What a CAPF session ended with: ``kind`` is ``"installed"`` (a new
/// ``certificate`` and its ``key``), ``"fetched"`` (the ``certificate``
/// the server holds), ``"deleted"`` (the server asked the phone to delete
/// its LSC) or ``"nothing"`` (nothing scheduled).
#[pyclass(frozen, module = "cisco_itl", name = "Enrolment")]
pub(crate) struct PyEnrolment {
    kind: &'static str,
    certificate: Option<Vec<u8>>,
    key: Option<zeroize::Zeroizing<Vec<u8>>>,
}

impl From<Enrolment> for PyEnrolment {
    fn from(outcome: Enrolment) -> Self {
        let (kind, certificate, key) = match outcome {
            Enrolment::Installed { certificate, key } => {
                ("installed", Some(certificate), Some(key))
            }
            Enrolment::Fetched { certificate } => ("fetched", Some(certificate), None),
            Enrolment::Deleted => ("deleted", None, None),
            _ => ("nothing", None, None),
        };
        PyEnrolment {
            kind,
            certificate,
            key,
        }
    }
}

#[pymethods]
impl PyEnrolment {
    /// ``"installed"``, ``"fetched"``, ``"deleted"`` or ``"nothing"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    /// The LSC (DER) of an installation or a fetch, else ``None``.
    #[getter]
    fn certificate<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.certificate.as_deref().map(|c| py_bytes(py, c))
    }

    /// The private key generated for an installation (PKCS#8 DER), else
    /// ``None``.
    #[getter]
    fn key<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.key.as_deref().map(|k| py_bytes(py, k))
    }

    /// The certificate then the key as PEM (``CERTIFICATE``, ``PRIVATE
    /// KEY``); the certificate alone for a fetch. ``ValueError`` when the
    /// session carried no certificate.
    fn pem(&self) -> PyResult<String> {
        let Some(certificate) = &self.certificate else {
            return Err(PyValueError::new_err(format!(
                "the session ended with {}: it carried no certificate",
                self.kind
            )));
        };
        match &self.key {
            Some(key) => {
                enrolment_pem(certificate, key).map_err(|e| PyValueError::new_err(e.to_string()))
            }
            None => {
                pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, certificate)
                    .map_err(|e| PyValueError::new_err(e.to_string()))
            }
        }
    }

    fn __repr__(&self) -> String {
        match &self.certificate {
            Some(c) => format!("<Enrolment {}: {}-byte certificate>", self.kind, c.len()),
            None => format!("<Enrolment {}>", self.kind),
        }
    }
}

/// Asks a CAPF server (``"host:port"``) for an LSC the way a phone does,
/// over TLS. The server must be the CAPF of the trust lists ``lists``
/// (ITL or CTL bytes, or ``TrustList`` objects: a CAPF record names its certificate, as a phone
/// checks) or exactly the pinned ``capf_cert`` (PEM or DER, the cluster's
/// ``CAPF.pem``); one of the two is required. Each session ends within
/// ``deadline`` seconds (key generation included), its connection within
/// ``connect_timeout``; ``version`` is the VERSION the phone answers with
/// (3; older phones say 2).
#[pyclass(frozen, module = "cisco_itl", name = "CapfClient")]
pub(crate) struct PyCapfClient {
    server: String,
    client: CapfClient,
}

#[pymethods]
impl PyCapfClient {
    #[new]
    #[pyo3(signature = (server, *, capf_cert = None, lists = None, deadline = 60.0, connect_timeout = 3.0, version = 3))]
    fn new(
        server: &str,
        capf_cert: Option<&Bound<'_, PyAny>>,
        lists: Option<Vec<Bound<'_, PyAny>>>,
        deadline: f64,
        connect_timeout: f64,
        version: u8,
    ) -> PyResult<Self> {
        let trust = match (capf_cert, lists) {
            (Some(cert), None) => CapfTrust::Certificate(der_arg(&bytes_arg(cert, "capf_cert")?)?),
            (None, Some(lists)) => CapfTrust::Lists(
                lists
                    .iter()
                    .map(|l| {
                        if l.is_instance_of::<crate::list::PyTrustList>() {
                            bytes_arg(&l.call_method0("to_bytes")?, "a trust list")
                        } else {
                            bytes_arg(l, "a trust list")
                        }
                        .map(|b| b.to_vec())
                    })
                    .collect::<PyResult<_>>()?,
            ),
            _ => {
                return Err(PyTypeError::new_err(
                    "give capf_cert= (the CAPF certificate) or lists= (ITL or CTL bytes), one of the two",
                ));
            }
        };
        if !(2..=3).contains(&version) {
            return Err(PyValueError::new_err(format!(
                "version {version}: phones answer with version 2 or 3"
            )));
        }
        let options = ClientOptions {
            connect_timeout: seconds(connect_timeout, "connect_timeout")?,
            deadline: seconds(deadline, "deadline")?,
            version,
        };
        let client = CapfClient::new(server, trust)
            .map_err(|e| PyValueError::new_err(format!("{server}: {e}")))?
            .with_options(options);
        Ok(PyCapfClient {
            server: server.to_string(),
            client,
        })
    }

    /// The server asked.
    #[getter]
    fn server(&self) -> &str {
        &self.server
    }

    /// Runs one session for ``device`` (``SEP<MAC>``), proving who it is
    /// with ``password``, or with ``certificate`` and its ``key`` (RSA, or EC
    /// on P-256, P-384 or P-521, PEM or DER; an
    /// LSC, or with ``mic=True`` a MIC; ``sha2=True`` signs with SHA-512
    /// rather than SHA-1), or not at all. Returns the ``Enrolment``.
    ///
    /// Raises ``CapfRefused`` when the server refuses (``reason``:
    /// ``"invalid"`` for a wrong password or proof, ``"unknown device"``),
    /// ``ServerNotTrusted`` when the server is not the CAPF the lists or
    /// the pinned certificate name (before a byte is sent),
    /// ``TimeoutError`` when the deadline passes, ``ConnectionError`` (or
    /// another ``OSError``) when the connection, TLS or the protocol
    /// fails, ``CredentialError`` for an unusable key.
    #[pyo3(signature = (device, *, password = None, certificate = None, key = None, mic = false, sha2 = false))]
    #[allow(clippy::too_many_arguments)]
    fn enrol(
        &self,
        py: Python<'_>,
        device: &str,
        password: Option<String>,
        certificate: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyAny>>,
        mic: bool,
        sha2: bool,
    ) -> PyResult<PyEnrolment> {
        let proof = match (password, certificate, key) {
            (Some(p), None, None) => Proof::Password(p),
            (None, None, None) => Proof::None,
            (None, Some(cert), Some(key)) => {
                let der = der_arg(&bytes_arg(cert, "certificate")?)?;
                let bytes = bytes_arg(key, "key")?;
                let key = ProofKey::from_pem(&bytes)
                    .or_else(|| ProofKey::from_der(&bytes))
                    .ok_or_else(|| {
                        ItlError::new(
                            Kind::Credential,
                            "the key is not an RSA or EC (P-256, P-384, P-521) private key in PEM or DER",
                        )
                    })?;
                Proof::Certificate {
                    cert_type: if mic { CertType::Mic } else { CertType::Lsc },
                    der,
                    key,
                    sha2,
                }
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                return Err(PyTypeError::new_err(
                    "a proof by certificate needs both certificate= and key=",
                ));
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "give password=, or certificate= with key=, or neither",
                ));
            }
        };
        let pin = match &proof {
            Proof::Password(pin) => Some(pin.as_str()),
            _ => None,
        };
        check_sendable(device, pin)?;
        let client = &self.client;
        let outcome = py.detach(|| client.enrol(device, &proof));
        outcome
            .map(PyEnrolment::from)
            .map_err(|e| client_error(py, &self.server, e))
    }

    fn __repr__(&self) -> String {
        format!("<CapfClient {:?}>", self.server)
    }
}

// ------------------------------------------------------------ server

type Served = JoinHandle<Result<ServeStats, CapfNetError>>;

/// The server before, while and after it serves.
enum Running {
    Bound(Box<CapfServer>),
    Serving(Served),
    Stopped,
}

/// A CAPF server over TLS, for tests and scripts: ``identity`` is its TLS
/// identity (a PEM holding key and certificate, at least 2048 bits),
/// ``store`` a ``CapfStore`` (or the path of its file) whose devices it
/// serves, ``issuer`` the PEM (key and certificate) that signs the LSCs
/// (default: the identity), for ``days`` days. It listens on ``address``
/// (default ``"127.0.0.1:0"``: a free port, see ``address``);
/// ``serve_in_background()`` starts it, ``shutdown()`` stops it (also a
/// context manager). ``auth`` is the AUTH TYPE its requests announce;
/// ``trusted`` are certificates (PEM or DER) whose holders or subjects may
/// prove who they are by an LSC or MIC. One line per session goes to
/// ``log``.
#[pyclass(module = "cisco_itl", name = "CapfServer")]
pub(crate) struct PyCapfServer {
    state: Mutex<Running>,
    handle: ShutdownHandle,
    address: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    stats: Option<ServeStats>,
}

fn auth_type_arg(name: &str) -> PyResult<AuthType> {
    match name.to_ascii_lowercase().as_str() {
        "password" => Ok(AuthType::Password),
        "none" => Ok(AuthType::None),
        "lsc" => Ok(AuthType::Lsc),
        "mic" => Ok(AuthType::Mic),
        _ => Err(PyValueError::new_err(format!(
            "the authentication {name:?} is not password, none, lsc or mic"
        ))),
    }
}

fn stats_dict<'py>(py: Python<'py>, s: &ServeStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("served", s.served)?;
    d.set_item("turned_away", s.turned_away)?;
    d.set_item("deadline_passed", s.deadline_passed)?;
    d.set_item("panics", s.panics)?;
    d.set_item("issued", s.issued)?;
    Ok(d)
}

impl PyCapfServer {
    fn state(&self) -> std::sync::MutexGuard<'_, Running> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyCapfServer {
    #[new]
    #[pyo3(signature = (identity, store, *, issuer = None, days = 365, address = "127.0.0.1:0", auth = "password", trusted = None, deadline = 30.0, workers = 2))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        identity: &Bound<'_, PyAny>,
        store: &Bound<'_, PyAny>,
        issuer: Option<&Bound<'_, PyAny>>,
        days: u32,
        address: &str,
        auth: &str,
        trusted: Option<Vec<Bound<'_, PyAny>>>,
        deadline: f64,
        workers: usize,
    ) -> PyResult<Self> {
        let identity = bytes_arg(identity, "identity")?.to_vec();
        let issuer_pem = match issuer {
            Some(i) => bytes_arg(i, "issuer")?.to_vec(),
            None => identity.clone(),
        };
        if !DAYS.contains(&days) {
            return Err(PyValueError::new_err(format!(
                "{days} days: an LSC is valid for {} to {} days",
                DAYS.start(),
                DAYS.end()
            )));
        }
        let signer = Signer::from_pem(&issuer_pem)
            .map_err(|e| ItlError::new(Kind::Credential, format!("the issuer: {e}")))?;
        let issuer = Issuer::new(signer, days)
            .map_err(|e| ItlError::new(Kind::Credential, format!("the issuer: {e}")))?;
        let store = if let Ok(s) = store.cast::<PyCapfStore>() {
            Arc::clone(&s.get().inner)
        } else if is_path(store) {
            Arc::clone(&PyCapfStore::new(py, store)?.inner)
        } else {
            return Err(PyTypeError::new_err(format!(
                "store must be a CapfStore or the path of its file, not {}",
                crate::args::type_name(store)
            )));
        };
        let trusted = trusted
            .unwrap_or_default()
            .iter()
            .map(|c| Ok(der_arg(&bytes_arg(c, "a trusted certificate")?)?))
            .collect::<PyResult<Vec<_>>>()?;
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&log);
        let options = ServerOptions {
            workers,
            deadline: seconds(deadline, "deadline")?,
            auth_request: auth_type_arg(auth)?,
            trusted,
            log: Arc::new(move |line: &CapfLog| {
                let mut lines = sink.lock().unwrap_or_else(PoisonError::into_inner);
                // The latest lines only: a client that keeps reconnecting
                // does not grow a long-running script's memory.
                if lines.len() >= MAX_LOG_LINES {
                    lines.drain(..MAX_LOG_LINES / 2);
                }
                lines.push(line.to_string());
            }),
            ..ServerOptions::default()
        };
        let server = CapfServer::bind(address, &identity, store, Arc::new(issuer), options)
            .map_err(|e| match e {
                CapfNetError::Net(NetError::Identity(_)) => {
                    ItlError::new(Kind::Credential, e.to_string()).into()
                }
                other => PyOSError::new_err(format!("{address}: {other}")),
            })?;
        let bound = server
            .local_addr()
            .map_err(|e| PyOSError::new_err(e.to_string()))?;
        Ok(PyCapfServer {
            handle: server.shutdown_handle(),
            state: Mutex::new(Running::Bound(Box::new(server))),
            address: bound,
            log,
            stats: None,
        })
    }

    /// The address it listens on, ``"host:port"`` (for ``CapfClient``).
    #[getter]
    fn address(&self) -> String {
        self.address.to_string()
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.address.port()
    }

    /// One line per session so far (``"capf: ADDRESS device NAME
    /// operation OP: what happened"``), the latest 5,000 to 10,000 once
    /// there have been more than 10,000.
    #[getter]
    fn log(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether it is serving.
    #[getter]
    fn serving(&self) -> bool {
        matches!(*self.state(), Running::Serving(_))
    }

    /// Starts serving on a thread of its own; returns at once.
    /// ``RuntimeError`` when it is serving or was shut down.
    fn serve_in_background(&self) -> PyResult<()> {
        let mut state = self.state();
        match std::mem::replace(&mut *state, Running::Stopped) {
            Running::Bound(server) => {
                let thread = std::thread::Builder::new()
                    .name("capf-server".into())
                    .spawn(move || server.serve())
                    .map_err(|e| PyOSError::new_err(format!("no thread for the server: {e}")))?;
                *state = Running::Serving(thread);
                Ok(())
            }
            other => {
                let serving = matches!(other, Running::Serving(_));
                *state = other;
                Err(PyRuntimeError::new_err(if serving {
                    "the server is serving already"
                } else {
                    "the server was shut down"
                }))
            }
        }
    }

    /// Stops the server (the sessions in progress get a second) and
    /// returns what it did: ``{"served", "turned_away",
    /// "deadline_passed", "panics", "issued"}``. Shutting down twice
    /// returns the same counts.
    fn shutdown<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.handle.shutdown();
        let previous = std::mem::replace(&mut *self.state(), Running::Stopped);
        let stats = match previous {
            Running::Serving(thread) => match py.detach(|| thread.join()) {
                Ok(Ok(stats)) => stats,
                Ok(Err(e)) => return Err(PyOSError::new_err(format!("the server failed: {e}"))),
                Err(_) => return Err(PyRuntimeError::new_err("the server thread panicked")),
            },
            Running::Bound(_) => ServeStats::default(),
            Running::Stopped => self.stats.unwrap_or_default(),
        };
        self.stats = Some(stats);
        stats_dict(py, &stats)
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.borrow().serve_in_background()?;
        Ok(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&mut self, py: Python<'_>, _args: Vec<Bound<'_, PyAny>>) -> PyResult<bool> {
        self.shutdown(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let what = match *self.state() {
            Running::Bound(_) => "bound",
            Running::Serving(_) => "serving",
            Running::Stopped => "stopped",
        };
        format!("<CapfServer {}: {what}>", self.address)
    }
}

impl Drop for PyCapfServer {
    fn drop(&mut self) {
        // A server forgotten while serving stops; its thread ends alone.
        self.handle.shutdown();
    }
}
