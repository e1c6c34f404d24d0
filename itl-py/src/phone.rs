//! `Phone`, its `Decision`s and `BootStep`s, and the `Tvs` it asks
//! (in-memory `TvsServer`s filled by the script).

use std::collections::BTreeMap;

use cisco_itl::Function;
use cisco_itl::cert::CertInfo;
use cisco_itl::phone::{BootOutcome, Clock, Phone, Rejection, Trust, TvsOutcome};
use cisco_itl::tvs::server::{InMemoryTvs, TvsServer};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;

use crate::args::{bytes_arg, certificate_arg, der_arg, function_py, functions_arg, py_bytes};
use crate::errors::ItlError;
use crate::header::ParsedFile;
use crate::list::PyTrustList;

/// The clock a phone reads: fixed by the script, or the system's.
struct PhoneClock(Option<u64>);

impl Clock for PhoneClock {
    fn now(&self) -> u64 {
        self.0.unwrap_or_else(system_now)
    }
}

fn system_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A phone's answer about a trust list, a configuration file or a server
/// certificate: ``accepted``, the ``rule`` that decided, and ``reason``,
/// the sentence that says why. ``bool(decision)`` is ``accepted``.
///
/// Rules that accept: ``"first-use"``, ``"blank-itl"``, ``"unsigned"``,
/// ``"ctl-sast"``, ``"ctl-tftp"``, ``"itl-sast"``, ``"itl-tftp"``,
/// ``"in-ctl"``, ``"in-itl"``, ``"tvs"``, ``"tvs-cache"``. Rules that
/// refuse: ``"malformed"``, ``"too-large"``, ``"not-a-trust-list-name"``,
/// ``"wrong-kind"``, ``"wrong-file"``, ``"bad-record"``, ``"rollback"``,
/// ``"blank-itl-with-ctl"``, ``"same-timestamp"``, ``"self-signature"``, ``"locked"``,
/// ``"untrusted"`` (with ``tvs`` saying what TVS answered).
#[pyclass(frozen, module = "cisco_itl", name = "Decision", get_all)]
pub(crate) struct PyDecision {
    /// Whether the phone accepted.
    accepted: bool,
    /// The rule that decided (see the class documentation).
    rule: String,
    /// Why, in a sentence (``"accepted: signed by SAST record 5 of the
    /// installed ITL"``). Record and server numbers count from 1 here, as
    /// ``show itl`` does.
    reason: String,
    /// The index (0-based) of the installed list's record that decided,
    /// or of the offered list's record at fault; ``None`` otherwise.
    record: Option<usize>,
    /// The index (0-based) of the TVS server that answered; ``None`` otherwise.
    server: Option<usize>,
    /// For ``"untrusted"``: what happened with TVS (``"not-asked"``,
    /// ``"no-certificate"``, ``"unreachable"``, ``"not-authenticated"``,
    /// ``"refused"``, ``"signature-mismatch"``, ``"wrong-roles"``).
    tvs: Option<String>,
}

impl PyDecision {
    #[allow(unreachable_patterns)]
    fn of(result: &Result<Trust, Rejection>) -> Self {
        match result {
            Ok(t) => {
                let (record, server) = match *t {
                    Trust::CtlSast { record }
                    | Trust::CtlTftp { record }
                    | Trust::ItlSast { record }
                    | Trust::ItlTftp { record }
                    | Trust::InCtl { record }
                    | Trust::InItl { record } => (Some(record), None),
                    Trust::Tvs { server } => (None, Some(server)),
                    _ => (None, None),
                };
                PyDecision {
                    accepted: true,
                    rule: t.rule().as_str().to_string(),
                    reason: t.to_string(),
                    record,
                    server,
                    tvs: None,
                }
            }
            Err(r) => {
                let (record, server, tvs) = match r {
                    Rejection::BadRecord { record, .. } => (Some(*record), None, None),
                    Rejection::Untrusted(o) => (None, tvs_server(o), Some(o.name().to_string())),
                    _ => (None, None, None),
                };
                PyDecision {
                    accepted: false,
                    rule: r.rule().to_string(),
                    reason: r.to_string(),
                    record,
                    server,
                    tvs,
                }
            }
        }
    }
}

/// The TVS server an outcome names.
#[allow(unreachable_patterns)]
fn tvs_server(o: &TvsOutcome) -> Option<usize> {
    match *o {
        TvsOutcome::Refused { server }
        | TvsOutcome::SignatureMismatch { server }
        | TvsOutcome::WrongRoles { server } => Some(server),
        _ => None,
    }
}

#[pymethods]
impl PyDecision {
    fn __bool__(&self) -> bool {
        self.accepted
    }

    fn __str__(&self) -> String {
        self.reason.clone()
    }

    fn __repr__(&self) -> String {
        let mut extra = String::new();
        if let Some(r) = self.record {
            extra.push_str(&format!(" record={r}"));
        }
        if let Some(s) = self.server {
            extra.push_str(&format!(" server={s}"));
        }
        if let Some(t) = &self.tvs {
            extra.push_str(&format!(" tvs={t:?}"));
        }
        format!(
            "<Decision {} {:?}{extra}>",
            if self.accepted { "accepted" } else { "refused" },
            self.rule
        )
    }
}

/// One file a booting phone asked its TFTP server for.
#[pyclass(frozen, module = "cisco_itl", name = "BootStep", get_all)]
pub(crate) struct PyBootStep {
    /// The file name requested.
    file: String,
    /// Whether the TFTP server had it.
    found: bool,
    /// ``"trust-list"``, ``"config"``, or ``None`` when not found.
    kind: Option<&'static str>,
    /// What the phone decided about it; ``None`` when not found.
    decision: Option<Py<PyDecision>>,
}

#[pymethods]
impl PyBootStep {
    fn __repr__(&self, py: Python<'_>) -> String {
        match &self.decision {
            Some(d) => format!("<BootStep {:?}: {}>", self.file, d.get().reason),
            None => {
                let _ = py;
                format!("<BootStep {:?}: not on the TFTP server>", self.file)
            }
        }
    }
}

/// One certificate a TVS server vouches for, as Python sees it: DER,
/// roles, time to live.
type TvsEntry = (Py<PyBytes>, Vec<Py<PyAny>>, u32);

/// A TVS server: the certificate it presents to phones (its ``TVS.pem``)
/// and the certificates it vouches for, with their roles and how long a
/// phone may cache the answer (default one day). ``trust`` returns the
/// server, so calls chain.
#[pyclass(module = "cisco_itl", name = "TvsServer")]
pub(crate) struct PyTvsServer {
    /// The server's name.
    #[pyo3(get)]
    name: String,
    certificate: CertInfo,
    entries: Vec<(Vec<u8>, Vec<Function>, Option<u32>)>,
}

impl PyTvsServer {
    fn to_core(&self) -> TvsServer {
        self.entries.iter().fold(
            TvsServer::new(&self.name, self.certificate.clone()),
            |s, (der, roles, ttl)| match ttl {
                Some(t) => s.trust_for(der, roles, *t),
                None => s.trust(der, roles),
            },
        )
    }
}

#[pymethods]
impl PyTvsServer {
    #[new]
    fn new(name: String, certificate: &Bound<'_, PyAny>) -> PyResult<Self> {
        let certificate = certificate_arg(&bytes_arg(certificate, "certificate")?)?;
        Ok(PyTvsServer {
            name,
            certificate,
            entries: Vec::new(),
        })
    }

    /// Vouches for ``certificate`` (PEM or DER) in ``roles`` (names such
    /// as ``"CCM+TFTP"``, or codes), for ``ttl`` seconds (default one day).
    /// Returns the server.
    #[pyo3(signature = (certificate, *roles, ttl = None))]
    fn trust<'py>(
        slf: Bound<'py, Self>,
        certificate: &Bound<'_, PyAny>,
        roles: Vec<Bound<'_, PyAny>>,
        ttl: Option<u32>,
    ) -> PyResult<Bound<'py, Self>> {
        let der = certificate_arg(&bytes_arg(certificate, "certificate")?)?
            .der()
            .to_vec();
        let roles = functions_arg(&roles)?;
        slf.borrow_mut().entries.push((der, roles, ttl));
        Ok(slf)
    }

    /// The certificate the server presents, DER.
    #[getter]
    fn certificate<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.certificate.der())
    }

    /// The certificates it vouches for: ``(der, roles, ttl)`` tuples.
    #[getter]
    fn entries(&self, py: Python<'_>) -> PyResult<Vec<TvsEntry>> {
        self.entries
            .iter()
            .map(|(der, roles, ttl)| {
                let roles = roles
                    .iter()
                    .map(|f| function_py(py, *f))
                    .collect::<PyResult<Vec<_>>>()?;
                Ok((
                    py_bytes(py, der).unbind(),
                    roles,
                    ttl.unwrap_or(cisco_itl::tvs::server::DEFAULT_TTL_SECONDS),
                ))
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.entries.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<TvsServer {:?}: vouches for {} certificates>",
            self.name,
            self.entries.len()
        )
    }
}

/// The TVS servers a phone reaches, in the order of its CallManager group
/// (index 0 first). ``Tvs()`` (or ``Tvs.unreachable()``) has none: every
/// question goes unanswered. ``queries`` counts the questions answered.
#[pyclass(module = "cisco_itl", name = "Tvs")]
pub(crate) struct PyTvs {
    servers: Vec<Py<PyTvsServer>>,
    /// How many verify requests the servers answered so far.
    #[pyo3(get)]
    queries: usize,
}

impl PyTvs {
    fn to_core(&self, py: Python<'_>) -> InMemoryTvs {
        if self.servers.is_empty() {
            return InMemoryTvs::unreachable();
        }
        InMemoryTvs::new(
            self.servers
                .iter()
                .map(|s| s.borrow(py).to_core())
                .collect(),
        )
    }
}

#[pymethods]
impl PyTvs {
    #[new]
    #[pyo3(signature = (servers = None))]
    fn new(servers: Option<Vec<Py<PyTvsServer>>>) -> Self {
        PyTvs {
            servers: servers.unwrap_or_default(),
            queries: 0,
        }
    }

    /// No server reachable.
    #[staticmethod]
    fn unreachable() -> Self {
        PyTvs {
            servers: Vec::new(),
            queries: 0,
        }
    }

    /// Adds a server at the end of the list; returns its index.
    fn add(&mut self, server: Py<PyTvsServer>) -> usize {
        self.servers.push(server);
        self.servers.len() - 1
    }

    /// The servers, in order.
    #[getter]
    fn servers(&self, py: Python<'_>) -> Vec<Py<PyTvsServer>> {
        self.servers.iter().map(|s| s.clone_ref(py)).collect()
    }

    fn __len__(&self) -> usize {
        self.servers.len()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let names: Vec<String> = self
            .servers
            .iter()
            .map(|s| format!("{:?}", s.borrow(py).name))
            .collect();
        format!(
            "<Tvs [{}], {} queries answered>",
            names.join(", "),
            self.queries
        )
    }
}

/// The phone's key from Python arguments: none, a PEM holding key and
/// certificate, or a key with its certificate.
fn phone_key(
    key: Option<&Bound<'_, PyAny>>,
    certificate: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<cisco_itl::key::Signer>> {
    let Some(key) = key else {
        if certificate.is_some() {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "a certificate without a key: pass key= too",
            ));
        }
        return Ok(None);
    };
    let key = bytes_arg(key, "key")?;
    let certificate = certificate
        .map(|c| bytes_arg(c, "certificate"))
        .transpose()?;
    Ok(Some(crate::args::signer_arg(&key, certificate.as_deref())?))
}

/// A Cisco IP phone's trust state and decisions (``docs/TRUST.md``): the
/// installed CTL and ITL, its TVS cache, whether a refused trust list has
/// locked it, and the rules by which it accepts a new list, a signed
/// configuration, or an HTTPS server's certificate.
///
/// ``tvs_servers`` is how many TVS servers its CallManager group lists (at
/// most 3); ``security_by_default=False`` models phones without ITL and
/// TVS support; ``anti_rollback`` refuses lists older than the installed
/// one; ``strict`` refuses SHA-1 and keys under 2048 bits. The phone's
/// clock is ``now`` (seconds since the epoch; ``None``: the system clock),
/// which ``advance`` moves. ``key`` (with ``certificate`` when the PEM
/// holds only the key) is the phone's own key, with which it decrypts
/// encrypted configurations (``offer_encrypted_config``).
#[pyclass(module = "cisco_itl", name = "Phone")]
pub(crate) struct PyPhone {
    inner: Phone,
    clock: Option<u64>,
}

impl PyPhone {
    fn clock(&self) -> PhoneClock {
        PhoneClock(self.clock)
    }

    /// Runs `f` with the TVS servers of `tvs` (none when `None`) and counts
    /// the questions they answered.
    fn with_tvs<T>(
        &mut self,
        py: Python<'_>,
        tvs: Option<&Bound<'_, PyTvs>>,
        f: impl FnOnce(&mut Phone, &mut InMemoryTvs, &PhoneClock) -> T,
    ) -> PyResult<T> {
        let mut servers = match tvs {
            Some(t) => t.borrow().to_core(py),
            None => InMemoryTvs::unreachable(),
        };
        let clock = self.clock();
        let out = f(&mut self.inner, &mut servers, &clock);
        if let Some(t) = tvs {
            t.borrow_mut().queries += servers.queries;
        }
        Ok(out)
    }

    fn list(py: Python<'_>, bytes: Option<&[u8]>) -> PyResult<Option<PyTrustList>> {
        bytes
            .map(|b| PyTrustList::parse(PyBackedBytes::from(py_bytes(py, b))))
            .transpose()
    }
}

#[pymethods]
impl PyPhone {
    #[new]
    #[pyo3(signature = (device_name = "SEP001122334455", *, tvs_servers = 1, security_by_default = true, anti_rollback = false, strict = false, max_file_size = None, now = None, key = None, certificate = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        device_name: &str,
        tvs_servers: usize,
        security_by_default: bool,
        anti_rollback: bool,
        strict: bool,
        max_file_size: Option<usize>,
        now: Option<u64>,
        key: Option<&Bound<'_, PyAny>>,
        certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut inner = Phone::new(device_name)
            .with_tvs_servers(tvs_servers)
            .with_anti_rollback(anti_rollback)
            .with_policy(crate::args::policy(strict));
        if !security_by_default {
            inner = inner.without_security_by_default();
        }
        if let Some(size) = max_file_size {
            inner = inner.with_max_file_size(size);
        }
        inner.set_key(phone_key(key, certificate)?);
        Ok(PyPhone { inner, clock: now })
    }

    /// Gives the phone its own key (its LSC from CAPF, or its MIC), with
    /// which it decrypts an encrypted configuration: a PEM holding the
    /// private key and its certificate, or a key (PEM or DER) with
    /// ``certificate``. ``None`` takes the key away. Raises
    /// ``CredentialError`` when the key or certificate is unusable.
    #[pyo3(signature = (key, certificate = None))]
    fn set_key(
        &mut self,
        key: Option<&Bound<'_, PyAny>>,
        certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.inner.set_key(phone_key(key, certificate)?);
        Ok(())
    }

    /// Gives the phone its manufacturer's certificate (MIC) and key, with
    /// which it decrypts until it holds an LSC and proves itself to CAPF
    /// (``enrol``); same arguments as ``set_key``.
    #[pyo3(signature = (key, certificate = None))]
    fn set_mic(
        &mut self,
        key: Option<&Bound<'_, PyAny>>,
        certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.inner.set_mic(phone_key(key, certificate)?);
        Ok(())
    }

    /// The certificate the phone decrypts with (DER): its LSC, else its
    /// MIC; ``None`` when it holds neither.
    #[getter]
    fn certificate<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.certificate().map(|c| py_bytes(py, c.der()))
    }

    /// The phone's LSC (DER), ``None`` when it holds none.
    #[getter]
    fn lsc<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner
            .lsc()
            .map(|s| py_bytes(py, s.certificate().der()))
    }

    /// The phone's MIC (DER), ``None`` when it holds none.
    #[getter]
    fn mic<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner
            .mic()
            .map(|s| py_bytes(py, s.certificate().der()))
    }

    /// Asks the CAPF server ``server`` (``"host:port"``) for the phone's
    /// LSC as a phone does (``docs/CAPF.md``): the server is trusted only
    /// through a CAPF record of the phone's installed ITL or CTL; the phone
    /// proves itself by ``mode`` (its ``capfAuthMode``: ``"password"`` with
    /// ``password=``, ``"none"``, ``"lsc-then-mic"``, ``"mic"``) and keeps
    /// what it is given (an installed LSC, a renewed certificate; a
    /// deletion drops its LSC). Returns the ``Enrolment``.
    ///
    /// Raises ``ServerNotTrusted`` (also when the phone has no list
    /// installed), ``CapfRefused``, ``TimeoutError``, ``ConnectionError``,
    /// ``CredentialError`` when the mode needs a certificate the phone does
    /// not hold or the LSC is one it cannot keep (nothing changes then),
    /// ``ValueError`` for an unknown mode.
    #[pyo3(signature = (server, *, mode = "password", password = None, deadline = 60.0))]
    fn enrol(
        &mut self,
        py: Python<'_>,
        server: &str,
        mode: &str,
        password: Option<String>,
        deadline: f64,
    ) -> PyResult<crate::capf::PyEnrolment> {
        use cisco_itl::capf::net::{CapfAuthMode, ClientOptions};
        let mode = match (mode, password) {
            ("password", Some(pin)) => CapfAuthMode::Password(pin),
            ("password", None) => {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "mode \"password\" needs password=",
                ));
            }
            (_, Some(_)) => {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "password= goes with mode \"password\" only",
                ));
            }
            ("none", None) => CapfAuthMode::NoPassword,
            ("lsc-then-mic", None) => CapfAuthMode::LscThenMic,
            ("mic", None) => CapfAuthMode::Mic,
            (other, None) => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown mode {other:?}: \"password\", \"none\", \"lsc-then-mic\" or \"mic\""
                )));
            }
        };
        let pin = match &mode {
            CapfAuthMode::Password(pin) => Some(pin.as_str()),
            _ => None,
        };
        crate::capf::check_sendable(self.inner.device_name(), pin)?;
        let deadline = crate::capf::seconds(deadline, "deadline")?;
        let options = ClientOptions {
            deadline,
            ..ClientOptions::default()
        };
        let inner = &mut self.inner;
        py.detach(|| inner.enrol(server, &mode, options))
            .map(crate::capf::PyEnrolment::from)
            .map_err(|e| crate::capf::client_error(py, server, e))
    }

    /// Decides on an encrypted configuration fetched as ``name``
    /// (``"SEP<MAC>.cnf.xml.enc.sgn"``): its signature by the rules of
    /// ``offer_config`` first (a refused signature means no decryption at
    /// all), then decryption with the phone's key: the file must be for
    /// this phone's certificate, the key must open it, and the
    /// configuration must have the header's digest. Returns the
    /// ``Decision`` and the configuration (``None`` when refused). Rules
    /// of refusal besides ``offer_config``'s: ``"malformed-encrypted"``,
    /// ``"no-key"``, ``"decrypt"``.
    fn offer_encrypted_config<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<(PyDecision, Option<Bound<'py, PyBytes>>)> {
        let data = bytes_arg(data, "data")?;
        let clock = self.clock();
        let inner = &self.inner;
        let result = py.detach(|| inner.offer_encrypted_config(name, &data, &clock));
        match result {
            Ok((trust, plain)) => Ok((PyDecision::of(&Ok(trust)), Some(py_bytes(py, &plain)))),
            Err(r) => Ok((PyDecision::of(&Err(r)), None)),
        }
    }

    /// Decides on a CTL or ITL fetched as ``name`` (``"ITLFile.tlv"``,
    /// ``"ITLSEP<MAC>.tlv"``, ``"CTLFile.tlv"``, ``"CTLSEP<MAC>.tlv"``),
    /// asking ``tvs`` when the installed lists do not name its signer
    /// (no server when ``None``). An accepted list is installed; a refused
    /// one locks the phone ("Trust List Update Failed") and changes nothing
    /// else.
    #[pyo3(signature = (name, data, tvs = None))]
    fn offer_trust_list(
        &mut self,
        py: Python<'_>,
        name: &str,
        data: &Bound<'_, PyAny>,
        tvs: Option<&Bound<'_, PyTvs>>,
    ) -> PyResult<PyDecision> {
        let data = bytes_arg(data, "data")?;
        self.with_tvs(py, tvs, |phone, servers, clock| {
            PyDecision::of(&phone.offer_trust_list(name, &data, servers, clock))
        })
    }

    /// Decides on a signed configuration file fetched as ``name``
    /// (``"SEP<MAC>.cnf.xml.sgn"``): its signer must be a CCM+TFTP or TFTP
    /// record of the installed CTL or ITL (or a certificate TVS vouched
    /// for, still cached); with a blank ITL any signer goes.
    fn offer_config(&self, name: &str, data: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        let data = bytes_arg(data, "data")?;
        Ok(PyDecision::of(&self.inner.offer_config(
            name,
            &data,
            &self.clock(),
        )))
    }

    /// Decides on an HTTPS server's certificate (PEM or DER): the CTL,
    /// then the ITL, then the TVS cache, then ``tvs``, whose answer is
    /// cached for its time to live.
    #[pyo3(signature = (certificate, tvs = None))]
    fn check_server_certificate(
        &mut self,
        py: Python<'_>,
        certificate: &Bound<'_, PyAny>,
        tvs: Option<&Bound<'_, PyTvs>>,
    ) -> PyResult<PyDecision> {
        let der = der_arg(&bytes_arg(certificate, "certificate")?)?;
        self.with_tvs(py, tvs, |phone, servers, clock| {
            PyDecision::of(&phone.check_server_certificate(&der, servers, clock))
        })
    }

    /// Checks a TVS server's certificate (PEM or DER) as the phone does
    /// before asking it: a TVS record of the installed ITL (then CTL) must
    /// name it and carry its hash. Returns that record's index; raises
    /// ``VerificationError`` (``CredentialError`` when it does not parse).
    fn authenticate_tvs(&self, certificate: &Bound<'_, PyAny>) -> PyResult<usize> {
        let der = der_arg(&bytes_arg(certificate, "certificate")?)?;
        Ok(self.inner.authenticate_tvs(&der).map_err(ItlError::from)?)
    }

    /// Boots against a TFTP server whose files are ``files`` (a mapping of
    /// names to bytes): the CTL, then (with Security By Default) the ITL,
    /// each per device first, then the configuration. Returns a
    /// ``BootStep`` for each file asked for.
    #[pyo3(signature = (files, tvs = None, *, encrypted_config = false))]
    fn boot(
        &mut self,
        py: Python<'_>,
        files: &Bound<'_, PyAny>,
        tvs: Option<&Bound<'_, PyTvs>>,
        encrypted_config: bool,
    ) -> PyResult<Vec<PyBootStep>> {
        let mut tftp: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for item in files.call_method0("items")?.try_iter()? {
            let (k, v): (String, Bound<'_, PyAny>) = item?.extract()?;
            tftp.insert(k, bytes_arg(&v, "a file")?.to_vec());
        }
        let steps = self.with_tvs(py, tvs, |phone, servers, clock| {
            phone.boot(&tftp, servers, clock, encrypted_config)
        })?;
        steps
            .into_iter()
            .map(|s| {
                let (found, kind, decision) = match &s.outcome {
                    BootOutcome::NotFound => (false, None, None),
                    BootOutcome::TrustList(r) => {
                        (true, Some("trust-list"), Some(PyDecision::of(r)))
                    }
                    BootOutcome::Config(r) => (true, Some("config"), Some(PyDecision::of(r))),
                };
                Ok(PyBootStep {
                    file: s.file,
                    found,
                    kind,
                    decision: decision.map(|d| Py::new(py, d)).transpose()?,
                })
            })
            .collect()
    }

    /// The device name (``SEP`` + MAC).
    #[getter]
    fn device_name(&self) -> String {
        self.inner.device_name().to_string()
    }

    /// The installed ITL, ``None`` when there is none.
    #[getter]
    fn itl(&self, py: Python<'_>) -> PyResult<Option<PyTrustList>> {
        Self::list(py, self.inner.itl())
    }

    /// The installed CTL, ``None`` when there is none.
    #[getter]
    fn ctl(&self, py: Python<'_>) -> PyResult<Option<PyTrustList>> {
        Self::list(py, self.inner.ctl())
    }

    /// Whether a refused trust list has locked the phone (configuration
    /// changes no longer reach it).
    #[getter]
    fn locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// What the screen shows: ``"Trust List Update Failed"`` while locked,
    /// else ``None``.
    #[getter]
    fn status_message(&self) -> Option<&'static str> {
        self.inner.status_message()
    }

    /// Whether the installed ITL is blank (only SAST records: what "Prepare
    /// Cluster for Rollback" leaves), so that any signed configuration goes.
    #[getter]
    fn has_blank_itl(&self) -> bool {
        self.inner.has_blank_itl()
    }

    /// Whether the phone supports Security By Default (ITL and TVS).
    #[getter]
    fn security_by_default(&self) -> bool {
        self.inner.security_by_default()
    }

    /// The number of live entries in the TVS cache.
    #[getter]
    fn cached_entries(&self) -> usize {
        self.inner.cached_entries(self.clock().now())
    }

    /// The phone's clock, seconds since the Unix epoch. Setting an ``int``
    /// fixes it; ``None`` follows the system clock.
    #[getter]
    fn get_now(&self) -> u64 {
        self.clock().now()
    }

    #[setter]
    fn set_now(&mut self, now: Option<u64>) {
        self.clock = now;
    }

    /// Moves the phone's clock forward by ``seconds`` (and fixes it).
    fn advance(&mut self, seconds: u64) {
        self.clock = Some(self.clock().now().saturating_add(seconds));
    }

    /// An independent copy of the phone (state, cache and clock).
    fn copy(&self) -> Self {
        PyPhone {
            inner: self.inner.clone(),
            clock: self.clock,
        }
    }

    fn __copy__(&self) -> Self {
        self.copy()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.copy()
    }

    fn __repr__(&self) -> String {
        let kinds: Vec<&str> = [
            self.inner.ctl().map(|_| "CTL"),
            self.inner.itl().map(|_| "ITL"),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!(
            "<Phone {:?}: {}{}>",
            self.inner.device_name(),
            if kinds.is_empty() {
                "no trust list".to_string()
            } else {
                kinds.join(" and ")
            },
            if self.inner.is_locked() {
                ", locked"
            } else {
                ""
            }
        )
    }
}
