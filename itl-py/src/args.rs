//! Python arguments to the core's types, and the core's values back to
//! Python spellings.

use std::path::PathBuf;

use cisco_itl::cert::CertInfo;
use cisco_itl::key::{Signer, SigningKey};
use cisco_itl::verify::Policy;
use cisco_itl::write::Layout;
use cisco_itl::{DigestAlgorithm, Function};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

use crate::errors::{ItlError, Kind};

/// Bytes from `bytes` (kept, not copied), `bytearray` or `memoryview`
/// (copied).
pub(crate) fn bytes_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<PyBackedBytes> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(PyBackedBytes::from(b.clone()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(PyBackedBytes::from(b.clone()));
    }
    if obj.is_instance_of::<PyMemoryView>() {
        let copied = obj.call_method0("tobytes")?.cast_into::<PyBytes>()?;
        return Ok(PyBackedBytes::from(copied));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray or memoryview, not {}",
        type_name(obj)
    )))
}

/// The name of an object's type, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A path from `str` or `os.PathLike`.
pub(crate) fn path_arg(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    obj.extract::<PathBuf>()
}

/// Whether `obj` names a file (`str` or `os.PathLike`) rather than holding bytes.
pub(crate) fn is_path(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__").unwrap_or(false)
}

/// Reads a trust list or signed file: a regular file of at most
/// [`MAX_LIST_BYTES`](cisco_itl::fs::MAX_LIST_BYTES) (see [`read_file_within`]).
pub(crate) fn read_file(path: &std::path::Path) -> PyResult<Vec<u8>> {
    read_file_within(path, cisco_itl::fs::MAX_LIST_BYTES)
}

/// Reads a regular file of at most `limit` bytes with the GIL released
/// ([`cisco_itl::fs::read_bounded`]), raising the `OSError` of
/// [`file_error`] otherwise.
pub(crate) fn read_file_within(path: &std::path::Path, limit: u64) -> PyResult<Vec<u8>> {
    Python::attach(|py| py.detach(|| cisco_itl::fs::read_bounded(path, limit)))
        .map_err(|e| file_error(&e))
}

/// The `OSError` for a file not read: the subclass of its errno with the
/// file name (`FileNotFoundError: [Errno 2] No such file or directory:
/// 'x'`); `IsADirectoryError` for a folder; `OSError` with `EINVAL` for
/// another file that is not regular (a FIFO, a device) and with `EFBIG`
/// for one over the limit, the reason as `strerror`.
pub(crate) fn file_error(e: &cisco_itl::fs::FileError) -> PyErr {
    use cisco_itl::fs::FileError;
    let name = e.path().display().to_string();
    let errno = |which: &str| {
        Python::attach(|py| {
            py.import("errno")
                .and_then(|m| m.getattr(which))
                .and_then(|v| v.extract::<i32>())
                .ok()
        })
    };
    let code = match e {
        FileError::Io { errno, .. } => *errno,
        FileError::NotAFile {
            kind: "a directory",
            ..
        } => errno("EISDIR"),
        FileError::NotAFile { .. } => errno("EINVAL"),
        FileError::TooLarge { .. } => errno("EFBIG"),
        _ => None,
    };
    match code {
        // OSError(errno, strerror, filename) picks the subclass itself.
        Some(code) => PyOSError::new_err((code, e.reason(), name)),
        None => PyOSError::new_err(format!("{}: {name:?}", e.reason())),
    }
}

/// The function names Python uses, in code order.
pub(crate) const FUNCTION_NAMES: [&str; 7] = [
    "SAST",
    "CCM",
    "CCM+TFTP",
    "TFTP",
    "CAPF",
    "APP-SERVER",
    "TVS",
];

/// A function from its name (`"SAST"`, `"CCM+TFTP"`, any case; `_` for
/// `+` or `-` accepted) or its code.
pub(crate) fn function_arg(obj: &Bound<'_, PyAny>) -> PyResult<Function> {
    if let Ok(code) = obj.extract::<u16>() {
        return Ok(Function::from_code(code));
    }
    let Ok(name) = obj.extract::<String>() else {
        return Err(PyTypeError::new_err(format!(
            "a function is a name such as 'SAST' or 'CCM+TFTP', or a code, not {}",
            type_name(obj)
        )));
    };
    let wanted = name.trim().to_ascii_uppercase().replace('_', "");
    (0u16..=21)
        .map(Function::from_code)
        .filter(|f| !matches!(f, Function::Unknown(_)))
        .find(|f| f.short_name().replace(['+', '-'], "") == wanted.replace(['+', '-'], ""))
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown function {name:?}: expected one of {}, or a code",
                FUNCTION_NAMES.join(", ")
            ))
        })
}

/// Functions from a tuple of names or codes.
pub(crate) fn functions_arg(objs: &[Bound<'_, PyAny>]) -> PyResult<Vec<Function>> {
    objs.iter().map(function_arg).collect()
}

/// A function as Python sees it: its name, or its code when unknown.
pub(crate) fn function_py(py: Python<'_>, f: Function) -> PyResult<Py<PyAny>> {
    Ok(match f {
        Function::Unknown(code) => code.into_pyobject(py)?.into_any().unbind(),
        known => PyString::new(py, known.short_name()).into_any().unbind(),
    })
}

/// A digest from `"sha1"`, `"sha256"`, `"sha512"` (any case, `-` ignored).
pub(crate) fn digest_arg(name: &str) -> PyResult<DigestAlgorithm> {
    match name.to_ascii_lowercase().replace('-', "").as_str() {
        "sha1" => Ok(DigestAlgorithm::Sha1),
        "sha256" => Ok(DigestAlgorithm::Sha256),
        "sha512" => Ok(DigestAlgorithm::Sha512),
        _ => Err(PyValueError::new_err(format!(
            "unknown digest {name:?}: expected 'sha1', 'sha256' or 'sha512'"
        ))),
    }
}

/// A layout from `"cucm"` or `"rfc4514"` (CUCM's `;` names, or the
/// certificate's order with `,`, as the independent builder writes).
pub(crate) fn layout_arg(name: &str) -> PyResult<Layout> {
    match name.to_ascii_lowercase().as_str() {
        "cucm" => Ok(Layout::Cucm),
        "rfc4514" | "peer" => Ok(Layout::Peer),
        _ => Err(PyValueError::new_err(format!(
            "unknown layout {name:?}: expected 'cucm' or 'rfc4514'"
        ))),
    }
}

/// The name of a layout.
pub(crate) fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Cucm => "cucm",
        Layout::Peer => "rfc4514",
    }
}

/// A version from `"1.2"`.
pub(crate) fn version_arg(text: &str) -> PyResult<(u8, u8)> {
    text.split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| PyValueError::new_err(format!("a version is 'major.minor', not {text:?}")))
}

/// `"1.2"`.
pub(crate) fn version_str((major, minor): (u8, u8)) -> String {
    format!("{major}.{minor}")
}

/// The verification policy: phones' by default, strict on request.
pub(crate) fn policy(strict: bool) -> Policy {
    if strict {
        Policy::strict()
    } else {
        Policy::default()
    }
}

/// Hex as the bindings write it: lower case, no separator (the core's).
pub(crate) use cisco_itl::hex::lower as hex;

/// A certificate from PEM (the first CERTIFICATE block) or DER.
pub(crate) fn certificate_arg(data: &[u8]) -> Result<CertInfo, ItlError> {
    Ok(CertInfo::from_pem_or_der(data)?)
}

/// Every certificate of PEM text (a bundle), or the one DER certificate.
pub(crate) fn certificates_arg(data: &[u8]) -> Result<Vec<CertInfo>, ItlError> {
    if !cisco_itl::pem::is_pem(data) {
        return Ok(vec![CertInfo::from_der(data)?]);
    }
    let blocks = cisco_itl::pem::blocks(data)
        .map_err(|e| ItlError::new(Kind::Credential, format!("malformed PEM: {e}")))?;
    let certs = blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| CertInfo::from_der(&b.der))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(cisco_itl::CertError::NoCertificate.into());
    }
    Ok(certs)
}

/// A certificate's DER from PEM or DER input; DER is passed as it is
/// (the phone judges bytes that are not a certificate itself).
pub(crate) fn der_arg(data: &[u8]) -> Result<Vec<u8>, ItlError> {
    if cisco_itl::pem::is_pem(data) {
        Ok(CertInfo::from_pem(data)?.der().to_vec())
    } else {
        Ok(data.to_vec())
    }
}

/// A signing identity: a PEM holding the key and its certificate, or a
/// key (PEM or DER) and a separate certificate (PEM or DER).
pub(crate) fn signer_arg(key: &[u8], certificate: Option<&[u8]>) -> Result<Signer, ItlError> {
    let signing_key = SigningKey::from_pem_or_der(key)?;
    let cert = match certificate {
        Some(c) => CertInfo::from_pem_or_der(c)?,
        None if cisco_itl::pem::is_pem(key) => CertInfo::from_pem(key).map_err(|e| {
            ItlError::new(
                Kind::Credential,
                format!(
                    "{e}: pass the certificate too (certificate=…), or a PEM holding key and certificate"
                ),
            )
        })?,
        None => {
            return Err(ItlError::new(
                Kind::Credential,
                "a DER key carries no certificate: pass certificate=…",
            ));
        }
    };
    Ok(Signer::new(signing_key, cert)?)
}

/// An IPv4 address from its dotted form.
pub(crate) fn ipv4_arg(text: &str) -> PyResult<[u8; 4]> {
    text.parse::<std::net::Ipv4Addr>()
        .map(|a| a.octets())
        .map_err(|_| PyValueError::new_err(format!("not an IPv4 address: {text:?}")))
}

/// An IPADDRESS value as text: dotted for 4 bytes, IPv6 for 16, hex otherwise.
pub(crate) fn ip_text(raw: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(raw) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(raw) {
        return std::net::Ipv6Addr::from(v6).to_string();
    }
    hex(raw)
}

/// `bytes` for a slice.
pub(crate) fn py_bytes<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}
