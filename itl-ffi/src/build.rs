//! Signing identities (`itl_signer`), building and signing trust lists
//! (`itl_builder`), and signing files (`.sgn`).

use std::ffi::c_char;
use std::sync::{Mutex, PoisonError};

use itl::build::{RecordSpec, TrustListBuilder};
use itl::cert::CertInfo;
use itl::key::{Signer, SigningKey};
use itl::pkcs12::Identity;
use itl::signed_file::SignedFileBuilder;
use itl::write::Layout;
use itl::{Function, ListKind};

use crate::error::{Error, guard, itl_result};
use crate::handle::{self, Tag, tags};
use crate::ptr::{Out, array_in, bytes_in, opt_str_in, str_in};
use crate::types::{ITL_LAYOUT_CUCM, ITL_LAYOUT_PEER, digest_of, functions_of, kind_of};

/// A signing identity: an RSA private key (1024, 2048 or 4096 bits) and
/// its certificate, whose subject, serial and issuer a signed header
/// names. Immutable once made.
pub struct itl_signer {
    tag: Tag,
    signer: Signer,
}

handle::handle_kind!(itl_signer, SIGNER, Signer);

impl itl_signer {
    /// The key and certificate.
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }
}

/// Opens a PKCS#12 file: the signer made of its key and certificate.
fn open_pkcs12(der: &[u8], password: &str) -> Result<Signer, Error> {
    let identity = Identity::from_pkcs12(der, password)?;
    let key = SigningKey::new(identity.key.clone())?;
    let cert = CertInfo::from_der(&identity.certificate_der)?;
    let signer = Signer::new(key, cert)?;
    Ok(signer)
}

/// Loads a signing identity from PEM text holding both the private key
/// (`RSA PRIVATE KEY` or `PRIVATE KEY`) and its certificate, as CUCM's
/// `CallManager.pem` export does.
///
/// `pem`, `len`: the text, read during the call only.
/// `out`: receives the new signer, or NULL on failure; free it with
/// `itl_signer_free`.
/// Returns `ITL_OK` or `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (no key, no
/// certificate, a key of an unsupported size, a certificate of another
/// key…).
/// Threads: the signer is immutable; threads may sign with it at once.
///
/// Ownership: `pem` is read during the call only; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signer_from_pem(
    pem: *const u8,
    len: usize,
    out: *mut *mut itl_signer,
) -> itl_result {
    guard("itl_signer_from_pem", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let signer = Signer::from_pem(bytes_in(pem, len, "pem")?)?;
        out.write(handle::new_handle(itl_signer {
            tag: tags::SIGNER,
            signer,
        }));
        Ok(())
    })
}

/// Loads a signing identity from a PKCS#12 file (`ITLRecovery.p12`…) and
/// its password. The MAC is checked before anything is decrypted, and
/// every key-derivation cost is bounded, so a hostile file cannot keep the
/// caller busy.
///
/// `der`, `len`: the file, read during the call only.
/// `password`: NUL-terminated UTF-8 (may be empty), read during the call.
/// `out`: receives the new signer, or NULL on failure; free it with
/// `itl_signer_free`.
/// Returns `ITL_OK`, `ITL_ERR_WRONG_PASSWORD`, or
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (not a PKCS#12 file, no key, an
/// unsupported algorithm…).
///
/// Ownership: `der` and `password` are read during the call only; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signer_from_pkcs12(
    der: *const u8,
    len: usize,
    password: *const c_char,
    out: *mut *mut itl_signer,
) -> itl_result {
    guard("itl_signer_from_pkcs12", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let der = bytes_in(der, len, "der")?;
        let password = str_in(password, "password")?;
        let signer = open_pkcs12(der, password)?;
        out.write(handle::new_handle(itl_signer {
            tag: tags::SIGNER,
            signer,
        }));
        Ok(())
    })
}

/// Frees a signer (its private key is wiped from memory as it is dropped
/// where the key type does so).
///
/// Ownership: takes back `signer`. NULL is a no-op; anything that is not
/// a live signer is left alone and reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signer_free(signer: *mut itl_signer) {
    handle::free("itl_signer_free", signer);
}

/// The signer's certificate, DER.
///
/// `data`, `len`: receive a pointer owned by the signer (valid until it is
/// freed; do not free) and the length.
///
/// Ownership: `signer` is borrowed for the call; `*data` points into the signer (valid until it is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_signer_certificate(
    signer: *const itl_signer,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_signer_certificate", || {
        let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
        let s = handle::get(signer, "signer")?;
        let der = s.signer.certificate().der();
        data.write(der.as_ptr());
        len.write(der.len());
        Ok(())
    })
}

/// A trust list being built: its kind, header settings and records.
/// Each setter changes it; `itl_builder_sign` may be called any number of
/// times.
pub struct itl_builder {
    tag: Tag,
    builder: Mutex<TrustListBuilder>,
    kind: ListKind,
}

handle::handle_kind!(itl_builder, BUILDER, Builder);

/// Applies a consuming builder step to the builder behind the handle.
fn update(
    builder: *const itl_builder,
    step: impl FnOnce(TrustListBuilder) -> TrustListBuilder,
) -> Result<(), Error> {
    let b = handle::get(builder, "builder")?;
    let mut guard = b.builder.lock().unwrap_or_else(PoisonError::into_inner);
    let current = std::mem::replace(&mut *guard, TrustListBuilder::new(b.kind));
    *guard = step(current);
    Ok(())
}

/// Starts a trust list with CUCM's defaults: version 1.2, SHA-1, FILENAME
/// `ITLFile.tlv` or `CTLFile.tlv`, CUCM's layout, TIMESTAMP now, no
/// records.
///
/// `kind`: `ITL_LIST_ITL` or `ITL_LIST_CTL`.
/// `out`: receives the new builder, or NULL on failure; free it with
/// `itl_builder_free`.
/// Threads: a builder may be used from several threads; each call is
/// applied whole, in some order.
///
/// Ownership: the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_new(kind: u32, out: *mut *mut itl_builder) -> itl_result {
    guard("itl_builder_new", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let kind = kind_of(kind)?;
        out.write(handle::new_handle(itl_builder {
            tag: tags::BUILDER,
            builder: Mutex::new(TrustListBuilder::new(kind)),
            kind,
        }));
        Ok(())
    })
}

/// Frees a builder.
///
/// Ownership: takes back `builder`. NULL is a no-op; anything that is not
/// a live builder is left alone and reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_free(builder: *mut itl_builder) {
    handle::free("itl_builder_free", builder);
}

/// Sets FILENAME (NUL-terminated UTF-8, copied).
///
/// Ownership: `builder` stays the caller's; `filename` is copied.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_set_filename(
    builder: *mut itl_builder,
    filename: *const c_char,
) -> itl_result {
    guard("itl_builder_set_filename", || {
        let name = str_in(filename, "filename")?;
        update(builder, |b| b.filename(name))
    })
}

/// Sets TIMESTAMP, in seconds since the Unix epoch.
///
/// Ownership: `builder` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_set_timestamp(
    builder: *mut itl_builder,
    timestamp: u32,
) -> itl_result {
    guard("itl_builder_set_timestamp", || {
        update(builder, |b| b.timestamp(timestamp))
    })
}

/// Sets the format version (CUCM: 1.2).
///
/// Ownership: `builder` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_set_version(
    builder: *mut itl_builder,
    major: u8,
    minor: u8,
) -> itl_result {
    guard("itl_builder_set_version", || {
        update(builder, |b| b.version(major, minor))
    })
}

/// Sets the digest: `ITL_DIGEST_SHA1` (CUCM's), `ITL_DIGEST_SHA256` or
/// `ITL_DIGEST_SHA512`.
///
/// Ownership: `builder` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_set_digest(builder: *mut itl_builder, digest: u8) -> itl_result {
    guard("itl_builder_set_digest", || {
        let digest = digest_of(digest)?;
        update(builder, |b| b.digest(digest))
    })
}

/// Sets the layout: `ITL_LAYOUT_CUCM` (the default) or `ITL_LAYOUT_PEER`.
///
/// Ownership: `builder` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_set_layout(builder: *mut itl_builder, layout: u32) -> itl_result {
    guard("itl_builder_set_layout", || {
        let layout = match layout {
            ITL_LAYOUT_CUCM => Layout::Cucm,
            ITL_LAYOUT_PEER => Layout::Peer,
            other => {
                return Err(Error::invalid(format!(
                    "layout {other} is neither ITL_LAYOUT_CUCM (0) nor ITL_LAYOUT_PEER (1)"
                )));
            }
        };
        update(builder, |b| b.layout(layout))
    })
}

/// Adds a record: a certificate in one role. In CUCM's layout, the TVS and
/// CAPF records of an ITL are written as the certificate's SHA-1
/// (CERTHASH), as CUCM does.
///
/// `certificate`, `certificate_len`: X.509, PEM or DER (a PEM with a key
/// too is fine), copied.
/// `function`: an `ITL_FUNCTION_*` code.
/// Returns `ITL_OK` or `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
///
/// Ownership: `builder` stays the caller's; the certificate is copied into it.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_add_record(
    builder: *mut itl_builder,
    certificate: *const u8,
    certificate_len: usize,
    function: u16,
) -> itl_result {
    guard("itl_builder_add_record", || {
        let cert =
            CertInfo::from_pem_or_der(bytes_in(certificate, certificate_len, "certificate")?)?;
        update(builder, |b| b.record(cert, Function::from_code(function)))
    })
}

/// Adds a record with several roles and, for a CTL, the node's host name
/// and IPv4 address.
///
/// `functions`, `function_count`: at least one `ITL_FUNCTION_*` code, one
/// FUNCTION element each; read during the call only.
/// `dns_name`: NUL-terminated UTF-8, or NULL for none.
/// `ip_address`: 4 bytes (network order), or NULL for none.
///
/// Ownership: `builder` stays the caller's; the certificate and the name are copied, the arrays read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_add_record_ex(
    builder: *mut itl_builder,
    certificate: *const u8,
    certificate_len: usize,
    functions: *const u16,
    function_count: usize,
    dns_name: *const c_char,
    ip_address: *const u8,
) -> itl_result {
    guard("itl_builder_add_record_ex", || {
        let cert =
            CertInfo::from_pem_or_der(bytes_in(certificate, certificate_len, "certificate")?)?;
        let functions = functions_of(array_in(functions, function_count, "functions")?)?;
        let dns_name = opt_str_in(dns_name, "dns_name")?;
        let ip = if ip_address.is_null() {
            None
        } else {
            let b = bytes_in(ip_address, 4, "ip_address")?;
            Some(
                <[u8; 4]>::try_from(b)
                    .map_err(|_| Error::invalid("`ip_address` is not 4 bytes"))?,
            )
        };
        let spec = RecordSpec {
            certificate: cert,
            functions,
            dns_name: dns_name.map(Into::into),
            ip_address: ip,
        };
        update(builder, |b| b.record_spec(spec))
    })
}

/// Builds and signs the list: the header names the signer's certificate,
/// the signature is RSA PKCS#1 v1.5 with the builder's digest.
///
/// `out`, `out_len`: receive the file's bytes (NULL and 0 on failure). The
/// caller owns them: free with `itl_bytes_free`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no record),
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` or `ITL_ERR_SIGN`.
///
/// Ownership: `builder` and `signer` are borrowed for the call (the builder may be signed again); the caller owns `*out` (free with `itl_bytes_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_builder_sign(
    builder: *const itl_builder,
    signer: *const itl_signer,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_builder_sign", || {
        let (out, out_len) = bytes_out(out, out_len)?;
        let (b, s) = (
            handle::get(builder, "builder")?,
            handle::get(signer, "signer")?,
        );
        let spec = b
            .builder
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        give(spec.sign(&s.signer)?, &out, &out_len);
        Ok(())
    })
}

/// Checks byte-buffer out-parameters and sets them to NULL and 0.
pub(crate) fn bytes_out(
    out: *mut *mut u8,
    out_len: *mut usize,
) -> Result<(Out<*mut u8>, Out<usize>), Error> {
    let (out, out_len) = (Out::new(out, "out")?, Out::new(out_len, "out_len")?);
    out.write(std::ptr::null_mut());
    out_len.write(0);
    Ok((out, out_len))
}

/// Hands a byte buffer to C through checked out-parameters.
pub(crate) fn give(bytes: Vec<u8>, out: &Out<*mut u8>, out_len: &Out<usize>) {
    let (ptr, len) = handle::give_bytes(bytes);
    out.write(ptr);
    out_len.write(len);
}

/// Signs a file (`.sgn`): a header naming the signer, then the payload.
/// CUCM's defaults otherwise (version 1.0, CUCM's layout).
///
/// `filename`: the FILENAME to sign as (`SEP0011215A1AE3.cnf.xml.sgn`),
/// NUL-terminated UTF-8.
/// `payload`, `payload_len`: the content (may be empty; not NULL), copied.
/// `digest`: an `ITL_DIGEST_*` code. `timestamp`: seconds since the epoch.
/// `out`, `out_len`: receive the file (NULL and 0 on failure); free with
/// `itl_bytes_free`.
///
/// Ownership: `signer` is borrowed; `filename` and `payload` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_sign(
    signer: *const itl_signer,
    filename: *const c_char,
    payload: *const u8,
    payload_len: usize,
    digest: u8,
    timestamp: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_signed_file_sign", || {
        let (out, out_len) = bytes_out(out, out_len)?;
        let filename = str_in(filename, "filename")?;
        let payload = bytes_in(payload, payload_len, "payload")?;
        let digest = digest_of(digest)?;
        let s = handle::get(signer, "signer")?;
        let bytes = SignedFileBuilder::new(filename, payload.to_vec())
            .digest(digest)
            .timestamp(timestamp)
            .sign(&s.signer)?;
        give(bytes, &out, &out_len);
        Ok(())
    })
}
