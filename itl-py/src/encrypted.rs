//! `EncryptedFile`, `encrypt_config` and `Companion`: encrypted phone
//! configurations (`SEP<MAC>.cnf.xml.enc.sgn`) and the signed companion
//! configuration (`SEP<MAC>.cnf.xml.sgn`) that tells the phone to fetch
//! them.
//!
//! Every rule is the core's (`cisco_itl::encrypted`): this layer parses
//! arguments, releases the GIL for the RSA work, and hands back bytes.

use cisco_itl::encrypted::{Companion, EncryptedFile, EncryptedFileBuilder, EncryptionInfo};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::args::{bytes_arg, certificate_arg, digest_arg, hex, policy, py_bytes, signer_arg};
use crate::errors::ItlResult;
use crate::header::{Parsed, file_class, file_dict, file_methods};
use crate::list::Anchors;
use crate::signed::CONFIG_SIGNERS;

file_class!(
    /// An encrypted configuration (``SEP<MAC>.cnf.xml.enc.sgn``): a signed
    /// file whose header carries an encryption block (the IV, the padding
    /// length, the AES key wrapped for the phone's RSA key, the plaintext's
    /// digest) and whose payload is the configuration encrypted with
    /// AES-128-CBC for one phone. ``EncryptedFile(data)`` is
    /// ``EncryptedFile.from_bytes(data)``; the bytes are kept as they are.
    ///
    /// ``decrypt`` verifies the signature against what the caller trusts
    /// first; a file whose signature is refused is never decrypted.
    #[pyclass(frozen, module = "cisco_itl", name = "EncryptedFile")]
    PyEncryptedFile, EncryptedCell(EncryptedFile),
    signers: CONFIG_SIGNERS
);

impl PyEncryptedFile {
    fn info(&self) -> &EncryptionInfo<'_> {
        self.view().info()
    }
}

file_methods!(PyEncryptedFile {
    /// The device the file is for (``"SEP<MAC>"``, from FILENAME), ``None``
    /// when FILENAME is not ``SEP<MAC>.cnf.xml.enc.sgn``.
    #[getter]
    fn device(&self) -> Option<&str> {
        self.view().device()
    }

    /// IVTYPE (tag 18): ``0``.
    #[getter]
    fn iv_type(&self) -> u8 {
        self.info().iv_type
    }

    /// IV (tag 19): the 16-byte AES-CBC IV.
    #[getter]
    fn iv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.info().iv)
    }

    /// PADDINGLENGTH (tag 20): how many ``0x0D`` bytes pad the plaintext
    /// (1 to 16).
    #[getter]
    fn padding_length(&self) -> u16 {
        self.info().padding_length
    }

    /// KEYTYPE (tag 22): ``0``.
    #[getter]
    fn key_type(&self) -> u8 {
        self.info().key_type
    }

    /// KEYLENGTH (tag 23): the phone key's size in bits.
    #[getter]
    fn key_bits(&self) -> u16 {
        self.info().key_bits
    }

    /// KEYFORMAT (tag 24): ``1``, RSA PKCS#1 v1.5.
    #[getter]
    fn key_format(&self) -> u8 {
        self.info().key_format
    }

    /// ENCRYPTEDKEY (tag 25): the AES key wrapped under the phone's
    /// public key.
    #[getter]
    fn wrapped_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.info().wrapped_key)
    }

    /// PLAINDIGESTALGORITHM (tag 26): ``"sha1"`` or ``"sha512"``.
    #[getter]
    fn plain_digest_algorithm(&self) -> &'static str {
        self.info().digest.name()
    }

    /// PLAINDIGEST (tag 27): the digest of the configuration before it
    /// was padded and encrypted.
    #[getter]
    fn plain_digest<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.info().plain_digest)
    }

    /// The encrypted payload (whole 16-byte blocks).
    #[getter]
    fn ciphertext<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        py_bytes(py, self.view().ciphertext())
    }

    /// Verifies the signature against ``trusted`` (as ``verify_with``),
    /// then decrypts with the phone's key and returns the configuration.
    /// ``key`` is a PEM holding the phone's private key and its
    /// certificate (LSC or MIC), or a key (PEM or DER) with
    /// ``certificate``. The file must be for the certificate's device, the
    /// key must open it, the padding must hold and the configuration must
    /// have the header's digest.
    ///
    /// Raises ``VerificationError`` (``PolicyError`` under ``strict``) when
    /// the signature is refused, and then nothing is decrypted;
    /// ``DecryptError`` for another phone's file, a wrong key, bad padding
    /// or a digest mismatch; ``CredentialError`` for an unusable key or
    /// certificate. The returned ``bytes`` cannot be wiped from memory (the
    /// core's copy is).
    #[pyo3(signature = (key, trusted, *, certificate = None, functions = None, strict = false))]
    fn decrypt<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'_, PyAny>,
        trusted: &Bound<'_, PyAny>,
        certificate: Option<&Bound<'_, PyAny>>,
        functions: Option<Vec<Bound<'_, PyAny>>>,
        strict: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let key = bytes_arg(key, "key")?;
        let certificate = certificate
            .map(|c| bytes_arg(c, "certificate"))
            .transpose()?;
        let anchors = Anchors::from_py_or(trusted, functions, &CONFIG_SIGNERS)?;
        let file = self.view();
        let plain = py.detach(|| -> ItlResult<_> {
            let phone = signer_arg(&key, certificate.as_deref())?;
            Ok(file.decrypt_with(&anchors.anchors, &policy(strict), &phone)?)
        })?;
        Ok(py_bytes(py, &plain))
    }

    /// The header and its encryption block in the style of ``show itl``,
    /// then the payload's length.
    fn show(&self) -> String {
        cisco_itl::show::render_signed_file(self.bytes())
    }

    /// The header as a JSON-ready ``dict`` (bytes as lowercase hex), with
    /// the encryption block under ``"encryption"`` and the payload's
    /// length.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = self.view();
        let i = f.info();
        let d = file_dict(py, "ENC.SGN", self)?;
        let e = PyDict::new(py);
        e.set_item("device", f.device())?;
        e.set_item("iv_type", i.iv_type)?;
        e.set_item("iv", hex(i.iv))?;
        e.set_item("padding_length", i.padding_length)?;
        e.set_item("key_type", i.key_type)?;
        e.set_item("key_bits", i.key_bits)?;
        e.set_item("key_format", i.key_format)?;
        e.set_item("wrapped_key", hex(i.wrapped_key))?;
        e.set_item("plain_digest_algorithm", i.digest.name())?;
        e.set_item("plain_digest", hex(i.plain_digest))?;
        d.set_item("encryption", e)?;
        d.set_item("payload_length", f.ciphertext().len())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let f = self.view();
        format!(
            "<EncryptedFile {:?}: {}-byte ciphertext for a {}-bit key, signed by {:?}>",
            f.header().filename(),
            f.ciphertext().len(),
            f.info().key_bits,
            f.header().signer_name(),
        )
    }
});

/// The current time, seconds since the epoch (0 if the clock is before
/// 1970 or past 2106), for a TIMESTAMP not given.
fn now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| u32::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}

/// Encrypts the configuration ``xml`` for the phone ``device``
/// (``"SEP<MAC>"``) and returns ``SEP<MAC>.cnf.xml.enc.sgn``'s bytes: a
/// fresh AES-128 key and IV from the operating system, the key wrapped
/// with RSA PKCS#1 v1.5 for ``phone_certificate`` (PEM or DER: the phone's
/// LSC, else its MIC), the plaintext digested and the file signed with
/// ``digest`` (``"sha1"``, CUCM's default, or ``"sha512"``) by the TFTP
/// key. ``tftp_key`` is a PEM holding the key and its certificate, or a
/// key with ``tftp_certificate``. ``timestamp`` defaults to now.
///
/// Raises ``CredentialError`` for an unusable key or certificate, or a
/// phone certificate that names another device; ``Error`` for a device
/// name that is not ``SEP`` and 12 hex digits, or another digest.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (device, xml, phone_certificate, tftp_key, digest = "sha1", timestamp = None, *, tftp_certificate = None))]
pub(crate) fn encrypt_config<'py>(
    py: Python<'py>,
    device: &str,
    xml: &Bound<'_, PyAny>,
    phone_certificate: &Bound<'_, PyAny>,
    tftp_key: &Bound<'_, PyAny>,
    digest: &str,
    timestamp: Option<u32>,
    tftp_certificate: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let xml = bytes_arg(xml, "xml")?;
    let phone = bytes_arg(phone_certificate, "phone_certificate")?;
    let key = bytes_arg(tftp_key, "tftp_key")?;
    let cert = tftp_certificate
        .map(|c| bytes_arg(c, "tftp_certificate"))
        .transpose()?;
    let digest = digest_arg(digest)?;
    let out = py.detach(|| -> ItlResult<Vec<u8>> {
        let phone = certificate_arg(&phone)?;
        let tftp = signer_arg(&key, cert.as_deref())?;
        let mut b = EncryptedFileBuilder::new(device, xml.to_vec()).digest(digest);
        if let Some(t) = timestamp {
            b = b.timestamp(t);
        }
        Ok(b.encrypt_and_sign(&phone, &tftp)?)
    })?;
    Ok(py_bytes(py, &out))
}

/// The companion configuration ``SEP<MAC>.cnf.xml.sgn`` served beside an
/// encrypted one: what the phone needs before it can decrypt its
/// configuration (``fullConfig`` false, these settings, ``certHash`` the
/// MD5 of the phone certificate's DER, ``encrConfig`` true).
///
/// ``capf_auth_mode``: 0 none scheduled, 1 password, 2 none, 3 LSC then
/// MIC, 4 MIC. ``capf_nodes``: the CAPF servers' names, each with
/// ``capf_port`` (3804). Every attribute can be set.
#[pyclass(module = "cisco_itl", name = "Companion", get_all, set_all)]
pub(crate) struct PyCompanion {
    /// ``ipAddressMode`` (0: IPv4 only).
    ip_address_mode: u8,
    /// ``loadInformation``: the firmware load the phone runs.
    load_information: String,
    /// ``capfAuthMode``.
    capf_auth_mode: u8,
    /// The CAPF servers (``capfList/capf/processNodeName``).
    capf_nodes: Vec<String>,
    /// ``phonePort`` of the CAPF servers.
    capf_port: u16,
}

impl PyCompanion {
    fn core(&self) -> Companion {
        Companion {
            ip_address_mode: self.ip_address_mode,
            load_information: self.load_information.clone(),
            capf_auth_mode: self.capf_auth_mode,
            capf_nodes: self.capf_nodes.clone(),
            capf_port: self.capf_port,
        }
    }
}

#[pymethods]
impl PyCompanion {
    #[new]
    #[pyo3(signature = (*, load_information = String::new(), capf_auth_mode = 0, capf_nodes = Vec::new(), capf_port = 3804, ip_address_mode = 0))]
    fn new(
        load_information: String,
        capf_auth_mode: u8,
        capf_nodes: Vec<String>,
        capf_port: u16,
        ip_address_mode: u8,
    ) -> Self {
        PyCompanion {
            ip_address_mode,
            load_information,
            capf_auth_mode,
            capf_nodes,
            capf_port,
        }
    }

    /// The companion's XML for the phone whose certificate (PEM or DER) is
    /// ``phone_certificate``.
    fn xml(&self, phone_certificate: &Bound<'_, PyAny>) -> PyResult<String> {
        let phone = certificate_arg(&bytes_arg(phone_certificate, "phone_certificate")?)?;
        Ok(self.core().xml(&phone))
    }

    /// Builds and signs ``<device>.cnf.xml.sgn`` (version 1.0) with the
    /// TFTP key (a PEM holding key and certificate, or a key with
    /// ``tftp_certificate``) and ``digest``; returns its bytes.
    #[pyo3(signature = (device, phone_certificate, tftp_key, digest = "sha1", timestamp = None, *, tftp_certificate = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        device: &str,
        phone_certificate: &Bound<'_, PyAny>,
        tftp_key: &Bound<'_, PyAny>,
        digest: &str,
        timestamp: Option<u32>,
        tftp_certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let phone = bytes_arg(phone_certificate, "phone_certificate")?;
        let key = bytes_arg(tftp_key, "tftp_key")?;
        let cert = tftp_certificate
            .map(|c| bytes_arg(c, "tftp_certificate"))
            .transpose()?;
        let digest = digest_arg(digest)?;
        let companion = self.core();
        let out = py.detach(|| -> ItlResult<Vec<u8>> {
            let phone = certificate_arg(&phone)?;
            let tftp = signer_arg(&key, cert.as_deref())?;
            Ok(companion.sign(device, &phone, &tftp, digest, timestamp.unwrap_or_else(now))?)
        })?;
        Ok(py_bytes(py, &out))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Companion load {:?}, CAPF mode {}, {} CAPF servers>",
            self.load_information,
            self.capf_auth_mode,
            self.capf_nodes.len()
        )
    }
}
