//! `TrustListBuilder` and `reset_itl`.

use cisco_itl::build::{RecordSpec, TrustListBuilder};
use cisco_itl::pkcs12::Identity;
use cisco_itl::recovery::{Trusted, reset};
use cisco_itl::write::Layout;
use cisco_itl::{DigestAlgorithm, Function, ListKind, TrustList};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::args::{
    bytes_arg, certificate_arg, digest_arg, functions_arg, ipv4_arg, layout_arg, layout_name,
    py_bytes, signer_arg, version_arg, version_str,
};
use crate::errors::{ItlError, ItlResult, Kind};
use crate::list::{TrustedItem, each_trusted};

fn kind_arg(kind: &str) -> PyResult<ListKind> {
    match kind.to_ascii_uppercase().as_str() {
        "ITL" => Ok(ListKind::Itl),
        "CTL" => Ok(ListKind::Ctl),
        _ => Err(PyValueError::new_err(format!(
            "unknown kind {kind:?}: expected 'ITL' or 'CTL'"
        ))),
    }
}

/// Builds and signs a new ITL or CTL from certificates, in CUCM's layout
/// by default (``;`` names, DNSNAME in every record, CERTHASH instead of
/// the certificate for the TVS and CAPF records of an ITL) or the
/// ``"rfc4514"`` layout of the independent builder (``,`` names, tag 28).
///
/// ``filename`` defaults to ``ITLFile.tlv`` or ``CTLFile.tlv``,
/// ``timestamp`` to the time of signing, ``digest`` to ``"sha1"`` (what
/// CUCM writes). ``add`` returns the builder, so calls chain::
///
///     data = (TrustListBuilder("ITL")
///             .add(cm_pem, "SAST").add(cm_pem, "TFTP").add(tvs_pem, "TVS")
///             .sign(cm_pem))
#[pyclass(module = "cisco_itl", name = "TrustListBuilder")]
pub(crate) struct PyTrustListBuilder {
    kind: ListKind,
    /// FILENAME written in the header.
    #[pyo3(get, set)]
    filename: String,
    /// TIMESTAMP (seconds since the Unix epoch); ``None``: the time of signing.
    #[pyo3(get, set)]
    timestamp: Option<u32>,
    digest: DigestAlgorithm,
    layout: Layout,
    version: (u8, u8),
    records: Vec<RecordSpec>,
}

#[pymethods]
impl PyTrustListBuilder {
    #[new]
    #[pyo3(signature = (kind = "ITL", *, filename = None, timestamp = None, digest = "sha1", layout = "cucm", version = "1.2"))]
    fn new(
        kind: &str,
        filename: Option<String>,
        timestamp: Option<u32>,
        digest: &str,
        layout: &str,
        version: &str,
    ) -> PyResult<Self> {
        let kind = kind_arg(kind)?;
        Ok(PyTrustListBuilder {
            kind,
            filename: filename.unwrap_or_else(|| match kind {
                ListKind::Itl => "ITLFile.tlv".into(),
                ListKind::Ctl => "CTLFile.tlv".into(),
            }),
            timestamp,
            digest: digest_arg(digest)?,
            layout: layout_arg(layout)?,
            version: version_arg(version)?,
            records: Vec::new(),
        })
    }

    /// ``"ITL"`` or ``"CTL"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The digest to sign with: ``"sha1"``, ``"sha256"`` or ``"sha512"``.
    #[getter]
    fn get_digest(&self) -> &'static str {
        self.digest.name()
    }

    #[setter]
    fn set_digest(&mut self, digest: &str) -> PyResult<()> {
        self.digest = digest_arg(digest)?;
        Ok(())
    }

    /// ``"cucm"`` or ``"rfc4514"``.
    #[getter]
    fn get_layout(&self) -> &'static str {
        layout_name(self.layout)
    }

    #[setter]
    fn set_layout(&mut self, layout: &str) -> PyResult<()> {
        self.layout = layout_arg(layout)?;
        Ok(())
    }

    /// The format version, ``"1.2"`` by default.
    #[getter]
    fn get_version(&self) -> String {
        version_str(self.version)
    }

    #[setter]
    fn set_version(&mut self, version: &str) -> PyResult<()> {
        self.version = version_arg(version)?;
        Ok(())
    }

    /// Adds a record for ``certificate`` (PEM or DER bytes) with one
    /// FUNCTION element per function (names such as ``"SAST"``,
    /// ``"CCM+TFTP"``, or codes; at least one). A CTL record may name its
    /// node: ``dns_name`` and ``ip_address`` (``"10.0.0.1"``). Returns the
    /// builder.
    #[pyo3(signature = (certificate, *functions, dns_name = None, ip_address = None))]
    fn add<'py>(
        slf: Bound<'py, Self>,
        certificate: &Bound<'_, PyAny>,
        functions: Vec<Bound<'_, PyAny>>,
        dns_name: Option<String>,
        ip_address: Option<String>,
    ) -> PyResult<Bound<'py, Self>> {
        let functions = functions_arg(&functions)?;
        if functions.is_empty() {
            return Err(PyValueError::new_err(
                "a record needs at least one function, such as 'SAST' or 'TFTP'",
            ));
        }
        let cert = certificate_arg(&bytes_arg(certificate, "certificate")?)?;
        let mut spec = RecordSpec::new(cert, Function::Sast);
        spec.functions = functions;
        spec.dns_name = dns_name;
        spec.ip_address = ip_address.as_deref().map(ipv4_arg).transpose()?;
        slf.borrow_mut().records.push(spec);
        Ok(slf)
    }

    /// Builds the list and signs it; returns the file's bytes. ``key`` is
    /// a PEM holding the private key and its certificate, or a key (PEM or
    /// DER) with ``certificate`` (PEM or DER); the header names that
    /// certificate. Raises ``CredentialError`` for an unusable key or
    /// certificate, ``Error`` when there is no record.
    #[pyo3(signature = (key, certificate = None))]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'_, PyAny>,
        certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let key = bytes_arg(key, "key")?;
        let certificate = certificate
            .map(|c| bytes_arg(c, "certificate"))
            .transpose()?;
        let mut b = TrustListBuilder::new(self.kind)
            .filename(&self.filename)
            .digest(self.digest)
            .layout(self.layout)
            .version(self.version.0, self.version.1);
        if let Some(t) = self.timestamp {
            b = b.timestamp(t);
        }
        for spec in &self.records {
            b = b.record_spec(spec.clone());
        }
        let out = py.detach(|| -> ItlResult<Vec<u8>> {
            let signer = signer_arg(&key, certificate.as_deref())?;
            Ok(b.sign(&signer)?)
        })?;
        Ok(py_bytes(py, &out))
    }

    fn __len__(&self) -> usize {
        self.records.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<TrustListBuilder {} {:?}: {} records, {}, {} layout>",
            self.kind.as_str(),
            self.filename,
            self.records.len(),
            self.digest.name(),
            layout_name(self.layout),
        )
    }
}

/// ``utils itl reset``: re-signs the current ITL with the ITLRecovery
/// identity of ``p12`` (a PKCS#12 file, opened with ``password``) and
/// returns the new file's bytes, identical to CUCM's.
///
/// ``trusted`` is required: what the caller trusts to vouch for the ITL
/// (a ``TrustList`` or the bytes of one: the phones' installed ITL or CTL,
/// or the TFTP server's previous ITL; certificate bytes, PEM or DER: the
/// publisher's ``CallManager.pem``; or a sequence of these). The ITL must
/// verify against its own signing record and against one of them: an ITL
/// that verifies only against itself (an attacker's, copying the
/// cluster's public ITLRECOVERY record) is never re-signed. From a trust
/// list, the records a phone takes a new ITL's signer from vouch: SAST
/// records, and in a CTL CCM+TFTP and TFTP ones. The recovery record is
/// found by its key, not its name.
///
/// Raises ``CredentialError`` for a bad PKCS#12 file, password or trusted
/// certificate, ``VerificationError`` when the ITL does not verify or is
/// not signed by anything trusted (or nothing is), ``PolicyError`` when it
/// carries no SAST record holding the recovery key (no phone could accept
/// the result), ``TypeError`` when ``trusted`` is missing or not one of
/// these.
#[pyfunction]
#[pyo3(signature = (itl, p12, password, *, trusted))]
pub(crate) fn reset_itl<'py>(
    py: Python<'py>,
    itl: &Bound<'_, PyAny>,
    p12: &Bound<'_, PyAny>,
    password: &str,
    trusted: &Bound<'_, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let itl = bytes_arg(itl, "itl")?;
    let p12 = bytes_arg(p12, "p12")?;
    let trusted = trusted_arg(trusted)?;
    let out = py.detach(|| -> ItlResult<Vec<u8>> {
        let list = TrustList::parse(&itl)?;
        let identity = Identity::from_pkcs12(&p12, password)?;
        Ok(reset(&list, &identity, &trusted)?)
    })?;
    Ok(py_bytes(py, &out))
}

/// What a reset trusts: a `TrustList`, bytes (a trust list when they
/// parse as one, else PEM or DER certificates), or a sequence of these.
pub(crate) fn trusted_arg(trusted: &Bound<'_, PyAny>) -> PyResult<Trusted> {
    let mut out = Trusted::new();
    let expected =
        "a TrustList, trust list or certificate bytes (PEM or DER), or a sequence of these";
    each_trusted(trusted, expected, |item, at| {
        match item {
            TrustedItem::List(list) => {
                out.add_list(&list);
            }
            TrustedItem::Certificates(certificates) => {
                for cert in certificates {
                    out.add_certificate(&cert).map_err(|e| {
                        ItlError::new(
                            Kind::Credential,
                            format!("trusted certificate {} is unusable: {e}", at + 1),
                        )
                    })?;
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// The ITLRecovery certificate (DER) held in a PKCS#12 file, to tell
/// which ITLs carry its record. Raises ``CredentialError`` for a bad file
/// or password.
#[pyfunction]
pub(crate) fn pkcs12_certificate<'py>(
    py: Python<'py>,
    p12: &Bound<'_, PyAny>,
    password: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let p12 = bytes_arg(p12, "p12")?;
    let der = py.detach(|| -> ItlResult<Vec<u8>> {
        Ok(Identity::from_pkcs12(&p12, password)
            .map_err(ItlError::from)?
            .certificate_der)
    })?;
    Ok(py_bytes(py, &der))
}

/// A certificate's DER from PEM (its first CERTIFICATE block) or DER.
/// Raises ``CredentialError`` when it is not a certificate.
#[pyfunction]
pub(crate) fn certificate_der<'py>(
    py: Python<'py>,
    certificate: &Bound<'_, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let cert = certificate_arg(&bytes_arg(certificate, "certificate")?)?;
    Ok(py_bytes(py, cert.der()))
}
