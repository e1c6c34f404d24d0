//! The CAPF client (`itl_capf_client`, cargo feature `capf`,
//! `CISCO_ITL_CAPF` in the header): the core's `CapfClient`, which asks a
//! CAPF server on TCP 3804 for an LSC the way a phone does, over the TLS
//! of the TVS client (rustls on AWS-LC). The server is authenticated
//! before a byte is sent (a pinned certificate, or the CAPF record of the
//! installed ITL or CTL); the device proves who it is (nothing, its PIN,
//! or a signature with its LSC or MIC); the key pair the server asks for
//! is generated here. What a session ended with is an
//! `itl_capf_enrolment`: the certificate and its private key, which is
//! wiped from memory when the enrolment is freed.

use std::ffi::c_char;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use itl::capf::codec::{CertType, ElementTag, Frame, VERSION};
use itl::capf::net::{
    CapfClient, CapfNetError, CapfTrust, ClientOptions, Enrolment, Proof, ProofKey,
};
use itl::cert::CertInfo;
use zeroize::Zeroizing;

use crate::error::{Error, guard, itl_result};
use crate::handle::{self, Tag, tags};
use crate::ptr::{Out, OutArray, bytes_in, str_in, value_in};
use crate::trust_list::itl_trust_list;
use crate::tvs_net::{list_bytes, pinned};

/// CAPF's TCP port, 3804 (what a port of 0 means).
pub const ITL_CAPF_PORT: u16 = 3804;

/// `itl_capf_enrolment_kind`: a certificate was issued for a key pair
/// generated here; the enrolment holds both.
pub const ITL_CAPF_INSTALLED: u32 = 0;
/// `itl_capf_enrolment_kind`: the server handed over the certificate it
/// holds for the device (no key).
pub const ITL_CAPF_FETCHED: u32 = 1;
/// `itl_capf_enrolment_kind`: the server asked the device to delete its
/// LSC.
pub const ITL_CAPF_DELETED: u32 = 2;
/// `itl_capf_enrolment_kind`: nothing was scheduled for the device.
pub const ITL_CAPF_NOTHING_TO_DO: u32 = 3;

/// `itl_capf_proof.kind`: no proof (the device's authentication mode is
/// "none").
pub const ITL_CAPF_PROOF_NONE: u32 = 0;
/// `itl_capf_proof.kind`: the PIN the administrator gave the device.
pub const ITL_CAPF_PROOF_PASSWORD: u32 = 1;
/// `itl_capf_proof.kind`: a signature with the device's existing
/// certificate (LSC or MIC) and its key (RSA, or EC on P-256, P-384 or
/// P-521: ECDSA).
pub const ITL_CAPF_PROOF_CERTIFICATE: u32 = 2;

/// `itl_capf_proof.cert_type`: a locally significant certificate (the
/// CAPF code, 1).
pub const ITL_CAPF_CERT_LSC: u32 = 1;
/// `itl_capf_proof.cert_type`: the manufacturer-installed certificate (the
/// CAPF code, 2).
pub const ITL_CAPF_CERT_MIC: u32 = 2;

/// A CAPF reason: nothing to do (0). A session that fetched a
/// certificate, or had nothing to do, ends with it.
pub const ITL_CAPF_REASON_NOTHING_TO_DO: u32 = 0;
/// A CAPF reason: done (1). An installation or a deletion ends with it.
pub const ITL_CAPF_REASON_OK: u32 = 1;
/// A CAPF reason: refused, a wrong password or proof (7).
pub const ITL_CAPF_REASON_INVALID: u32 = 7;
/// A CAPF reason: the server does not know the device (9).
pub const ITL_CAPF_REASON_UNKNOWN_DEVICE: u32 = 9;
/// No CAPF reason: the session did not end with one (the call failed
/// before the server ended it).
pub const ITL_CAPF_NO_REASON: u32 = 0xFFFF_FFFF;

/// How the device proves who it is, for `itl_capf_client_enrol`. Read
/// during the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_capf_proof {
    /// `ITL_CAPF_PROOF_NONE`, `ITL_CAPF_PROOF_PASSWORD` or
    /// `ITL_CAPF_PROOF_CERTIFICATE`.
    pub kind: u32,
    /// The PIN, NUL-terminated (`ITL_CAPF_PROOF_PASSWORD`; otherwise
    /// ignored, may be NULL).
    pub password: *const c_char,
    /// `ITL_CAPF_CERT_LSC` or `ITL_CAPF_CERT_MIC`
    /// (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored).
    pub cert_type: u32,
    /// The device's certificate, PEM or DER, and its length
    /// (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored, may be NULL).
    pub certificate: *const u8,
    /// The length of `certificate`.
    pub certificate_len: usize,
    /// Its private key: RSA (PKCS#8 or PKCS#1) or EC (PKCS#8 or SEC1),
    /// PEM or DER
    /// (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored, may be NULL).
    pub key: *const u8,
    /// The length of `key`.
    pub key_len: usize,
    /// Non-zero: sign with SHA-512 (SHA2 SIGNED DATA, as current phones
    /// do); zero: SHA-1 (`ITL_CAPF_PROOF_CERTIFICATE`; otherwise ignored).
    /// A byte rather than a `bool`, so that any value C writes is valid.
    pub sha2: u8,
}

/// A CAPF client for one server: its address, how it authenticates it,
/// and its deadline. It locks itself: calls on one client run one at a
/// time.
pub struct itl_capf_client {
    tag: Tag,
    client: Mutex<CapfClient>,
}

impl itl_capf_client {
    fn lock(&self) -> MutexGuard<'_, CapfClient> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

handle::handle_kind!(itl_capf_client, CAPF_CLIENT, CapfClient);

/// What a CAPF session ended with: its kind, and the certificate and
/// private key when it has them. Immutable; the key is wiped from memory
/// when the enrolment is freed.
pub struct itl_capf_enrolment {
    tag: Tag,
    enrolment: Enrolment,
}

handle::handle_kind!(itl_capf_enrolment, CAPF_ENROLMENT, CapfEnrolment);

/// The code and message of a CAPF failure.
fn capf_error(e: CapfNetError) -> Error {
    match e {
        CapfNetError::Refused { reason } => Error::new(
            itl_result::ITL_ERR_CAPF_REFUSED,
            format!(
                "the CAPF server refused the device: {reason} (reason {})",
                reason.code()
            ),
        ),
        CapfNetError::ServerNotTrusted => Error::new(
            itl_result::ITL_ERR_SERVER_NOT_TRUSTED,
            "the server is not the CAPF that the trust lists or the pinned certificate name",
        ),
        // `network` in the one table of `error.rs`.
        CapfNetError::Net(e) => e.into(),
        CapfNetError::BadProof(_) | CapfNetError::Key(_) => {
            Error::new(itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE, e.to_string())
        }
        // A server that does not follow the protocol (malformed or
        // out-of-order messages, another session, a certificate for
        // another key), and what only a server reports.
        other => Error::new(itl_result::ITL_ERR_NETWORK, other.to_string()),
    }
}

/// The `host:port` address of the caller's server.
fn address(host: *const c_char, port: u16) -> Result<String, Error> {
    let host = str_in(host, "host")?;
    if host.is_empty() {
        return Err(Error::invalid("`host` is empty"));
    }
    let port = if port == 0 { ITL_CAPF_PORT } else { port };
    Ok(if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

/// The connection timeout and the deadline, 0 meaning the default.
fn options(connect_timeout_ms: u32, deadline_ms: u32) -> ClientOptions {
    let default = ClientOptions::default();
    let ms = |v: u32, d: Duration| {
        if v == 0 {
            d
        } else {
            Duration::from_millis(u64::from(v))
        }
    };
    ClientOptions {
        connect_timeout: ms(connect_timeout_ms, default.connect_timeout),
        deadline: ms(deadline_ms, default.deadline),
        version: default.version,
    }
}

/// Makes the client and gives C its handle.
fn new_client(
    host: *const c_char,
    port: u16,
    trust: impl FnOnce() -> Result<CapfTrust, Error>,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_capf_client,
) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(std::ptr::null_mut());
    let address = address(host, port)?;
    let trust = trust()?;
    let client = CapfClient::new(&address, trust)
        .map_err(capf_error)?
        .with_options(options(connect_timeout_ms, deadline_ms));
    out.write(handle::new_handle(itl_capf_client {
        tag: tags::CAPF_CLIENT,
        client: Mutex::new(client),
    }));
    Ok(())
}

/// A CAPF client that accepts the server only when it presents exactly
/// this certificate (the cluster's `CAPF.pem`, pinned). Nothing is
/// connected until the client is used.
///
/// `host`: the server's host name or IP address (an IPv6 address without
/// brackets is fine), NUL-terminated UTF-8, copied; resolved when the
/// client connects. `port`: its TCP port; 0 means `ITL_CAPF_PORT` (3804).
/// `certificate`, `certificate_len`: the CAPF certificate, PEM or DER (a
/// PEM with a key too is fine: its first CERTIFICATE block is used).
/// `connect_timeout_ms`: how long to wait for the TCP connection (0: 3
/// seconds), within the deadline. `deadline_ms`: the whole of one
/// session, connection, TLS handshake, key generation and hand-over (0:
/// 60 seconds); a server that trickles its bytes cannot stretch it.
/// `out`: receives the new client, or NULL on failure; free it with
/// `itl_capf_client_free`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (an empty host) or
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
/// Threads: a client may be shared; it locks itself, so calls on one
/// client run one at a time, each for as long as its session (bounded by
/// the deadline).
///
/// Ownership: `host` and `certificate` are read during the call only; the
/// caller owns `*out` (free with `itl_capf_client_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_client_new_pinned(
    host: *const c_char,
    port: u16,
    certificate: *const u8,
    certificate_len: usize,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_capf_client,
) -> itl_result {
    guard("itl_capf_client_new_pinned", || {
        new_client(
            host,
            port,
            || {
                Ok(CapfTrust::Certificate(pinned(
                    certificate,
                    certificate_len,
                )?))
            },
            connect_timeout_ms,
            deadline_ms,
            out,
        )
    })
}

/// A CAPF client that accepts the server the way a phone does: a CAPF
/// record of one of these trust lists (the installed ITL and CTL) names
/// its certificate, and its SHA-1 is the record's CERTHASH. Nothing is
/// connected until the client is used.
///
/// `lists`, `list_count`: at least one trust list; the client keeps a copy
/// of their bytes.
/// `host`, `port`, `connect_timeout_ms`, `deadline_ms`, `out`: as for
/// `itl_capf_client_new_pinned`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no list, an empty host)
/// or `ITL_ERR_BAD_HANDLE`.
/// Threads: as for `itl_capf_client_new_pinned`.
///
/// Ownership: `host` and the `lists` array are read during the call only,
/// the lists borrowed for it (the caller may free them afterwards); the
/// caller owns `*out` (free with `itl_capf_client_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_client_new_trusting_lists(
    host: *const c_char,
    port: u16,
    lists: *const *const itl_trust_list,
    list_count: usize,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_capf_client,
) -> itl_result {
    guard("itl_capf_client_new_trusting_lists", || {
        new_client(
            host,
            port,
            || Ok(CapfTrust::Lists(list_bytes(lists, list_count)?)),
            connect_timeout_ms,
            deadline_ms,
            out,
        )
    })
}

/// Frees a client.
///
/// Ownership: takes back `client`. NULL is a no-op; anything that is not
/// a live client is left alone and reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_client_free(client: *mut itl_capf_client) {
    handle::free("itl_capf_client_free", client);
}

/// The core's proof from the caller's.
fn proof_of(proof: *const itl_capf_proof) -> Result<Proof, Error> {
    if proof.is_null() {
        return Ok(Proof::None);
    }
    let p = value_in(proof, "proof")?;
    match p.kind {
        ITL_CAPF_PROOF_NONE => Ok(Proof::None),
        ITL_CAPF_PROOF_PASSWORD => Ok(Proof::Password(
            str_in(p.password, "proof->password")?.to_string(),
        )),
        ITL_CAPF_PROOF_CERTIFICATE => {
            let cert_type = match p.cert_type {
                ITL_CAPF_CERT_LSC => CertType::Lsc,
                ITL_CAPF_CERT_MIC => CertType::Mic,
                other => {
                    return Err(Error::invalid(format!(
                        "`proof->cert_type` {other} is neither ITL_CAPF_CERT_LSC (1) nor ITL_CAPF_CERT_MIC (2)"
                    )));
                }
            };
            let cert = CertInfo::from_pem_or_der(bytes_in(
                p.certificate,
                p.certificate_len,
                "proof->certificate",
            )?)?;
            let key = bytes_in(p.key, p.key_len, "proof->key")?;
            let key = ProofKey::from_pem(key)
                .or_else(|| ProofKey::from_der(key))
                .ok_or_else(|| {
                    Error::new(
                        itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE,
                        "`proof->key` is not an RSA or EC (P-256, P-384, P-521) private key in PEM or DER",
                    )
                })?;
            Ok(Proof::Certificate {
                cert_type,
                der: cert.der().to_vec(),
                key,
                sha2: p.sha2 != 0,
            })
        }
        other => Err(Error::invalid(format!(
            "`proof->kind` {other} is not an ITL_CAPF_PROOF_* code"
        ))),
    }
}

/// Checks before connecting that the device name and the password can be
/// sent: a name the protocol cannot carry is the caller's error, not the
/// network's.
fn check_sendable(device: &str, proof: &Proof) -> Result<(), Error> {
    let frame = Frame::auth_response(0, VERSION, device)
        .map_err(|e| Error::invalid(format!("device name {device:?}: {e}")))?;
    if let Proof::Password(pin) = proof {
        frame
            .with_text(ElementTag::Password, pin)
            .map_err(|e| Error::invalid(format!("the password cannot be sent: {e}")))?;
    }
    Ok(())
}

/// The reason a successful session ended with.
fn reason_of(enrolment: &Enrolment) -> u32 {
    match enrolment {
        Enrolment::Installed { .. } | Enrolment::Deleted => ITL_CAPF_REASON_OK,
        Enrolment::Fetched { .. } | Enrolment::NothingToDo => ITL_CAPF_REASON_NOTHING_TO_DO,
    }
}

/// Runs one CAPF session for a device, as the phone does: connects (TLS),
/// authenticates the server by the client's trust before sending a byte,
/// proves the device's identity, generates the key pair the server asks
/// for and takes the certificate it issues.
///
/// `device_name`: the device, `SEP<MAC>`, NUL-terminated.
/// `proof`: how the device proves who it is, read during the call; NULL is
/// `ITL_CAPF_PROOF_NONE`.
/// `reason`: receives the CAPF reason the server ended the session with
/// (`ITL_CAPF_REASON_*`, or another code a server sent), or
/// `ITL_CAPF_NO_REASON` when it did not end it; or NULL.
/// `out`: receives the enrolment (`itl_capf_enrolment_kind` tells
/// installed, fetched, deleted or nothing to do), or NULL on failure; free
/// it with `itl_capf_enrolment_free`.
/// Returns `ITL_OK`; `ITL_ERR_CAPF_REFUSED` when the server refused the
/// device (a wrong password or proof: `ITL_CAPF_REASON_INVALID`; an
/// unknown device: `ITL_CAPF_REASON_UNKNOWN_DEVICE`), with no enrolment;
/// `ITL_ERR_SERVER_NOT_TRUSTED` when the server's certificate is not the
/// one the client trusts (nothing was sent); `ITL_ERR_NETWORK` (no
/// connection, TLS failed, the deadline passed, the server broke the
/// protocol); `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (the proof's certificate or
/// key is unusable: not X.509, not an RSA or EC private key);
/// `ITL_ERR_INVALID_ARGUMENT`
/// (a device name or password the protocol cannot carry, an unknown
/// proof kind or certificate type).
/// Threads: the client is locked for the whole session.
///
/// Ownership: `client` is borrowed; `device_name` and `proof` (and what
/// it points to) are read during the call only; the caller owns `*out`
/// (free with `itl_capf_enrolment_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_client_enrol(
    client: *const itl_capf_client,
    device_name: *const c_char,
    proof: *const itl_capf_proof,
    reason: *mut u32,
    out: *mut *mut itl_capf_enrolment,
) -> itl_result {
    guard("itl_capf_client_enrol", || {
        let reason = if reason.is_null() {
            None
        } else {
            Some(Out::new(reason, "reason")?)
        };
        if let Some(r) = &reason {
            r.write(ITL_CAPF_NO_REASON);
        }
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let device = str_in(device_name, "device_name")?;
        let proof = proof_of(proof)?;
        check_sendable(device, &proof)?;
        let c = handle::get(client, "client")?;
        let result = c.lock().enrol(device, &proof);
        let enrolment = match result {
            Ok(enrolment) => enrolment,
            Err(e) => {
                if let (Some(r), CapfNetError::Refused { reason: why }) = (&reason, &e) {
                    r.write(u32::from(why.code()));
                }
                return Err(capf_error(e));
            }
        };
        if let Some(r) = &reason {
            r.write(reason_of(&enrolment));
        }
        out.write(handle::new_handle(itl_capf_enrolment {
            tag: tags::CAPF_ENROLMENT,
            enrolment,
        }));
        Ok(())
    })
}

/// Frees an enrolment, wiping its private key from memory first.
///
/// Ownership: takes back `enrolment`; the views its functions gave
/// (certificate, key) end with it. NULL is a no-op; anything that is not a
/// live enrolment is left alone and reported in
/// `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_enrolment_free(enrolment: *mut itl_capf_enrolment) {
    // The key is a `Zeroizing` buffer: dropping the enrolment (here, or
    // when a call still using it on another thread ends) overwrites it.
    handle::free("itl_capf_enrolment_free", enrolment);
}

/// What the session ended with.
///
/// `kind`: receives `ITL_CAPF_INSTALLED`, `ITL_CAPF_FETCHED`,
/// `ITL_CAPF_DELETED` or `ITL_CAPF_NOTHING_TO_DO`.
///
/// Ownership: `enrolment` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_enrolment_kind(
    enrolment: *const itl_capf_enrolment,
    kind: *mut u32,
) -> itl_result {
    guard("itl_capf_enrolment_kind", || {
        let kind = Out::new(kind, "kind")?;
        let e = handle::get(enrolment, "enrolment")?;
        kind.write(match e.enrolment {
            Enrolment::Installed { .. } => ITL_CAPF_INSTALLED,
            Enrolment::Fetched { .. } => ITL_CAPF_FETCHED,
            Enrolment::Deleted => ITL_CAPF_DELETED,
            Enrolment::NothingToDo => ITL_CAPF_NOTHING_TO_DO,
        });
        Ok(())
    })
}

/// The certificate the server issued or handed over (the LSC), DER.
///
/// `data`, `len`: receive a pointer owned by the enrolment (valid until it
/// is freed; do not free) and the length; NULL and 0 on failure.
/// Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` for a deletion or nothing to
/// do.
///
/// Ownership: `enrolment` is borrowed for the call; `*data` points into it.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_enrolment_certificate(
    enrolment: *const itl_capf_enrolment,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_capf_enrolment_certificate", || {
        let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
        data.write(std::ptr::null());
        len.write(0);
        let e = handle::get(enrolment, "enrolment")?;
        let der = match &e.enrolment {
            Enrolment::Installed { certificate, .. } | Enrolment::Fetched { certificate } => {
                certificate
            }
            Enrolment::Deleted | Enrolment::NothingToDo => {
                return Err(Error::not_found("the enrolment holds no certificate"));
            }
        };
        data.write(der.as_ptr());
        len.write(der.len());
        Ok(())
    })
}

/// The private key generated for the certificate, PKCS#8 DER (RSA or EC,
/// as the server asked).
///
/// `data`, `len`: receive a pointer owned by the enrolment (valid until it
/// is freed, which wipes it; do not free) and the length; NULL and 0 on
/// failure.
/// Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` unless the enrolment is
/// `ITL_CAPF_INSTALLED`.
///
/// Ownership: `enrolment` is borrowed for the call; `*data` points into it.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_enrolment_key(
    enrolment: *const itl_capf_enrolment,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_capf_enrolment_key", || {
        let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
        data.write(std::ptr::null());
        len.write(0);
        let e = handle::get(enrolment, "enrolment")?;
        let Enrolment::Installed { key, .. } = &e.enrolment else {
            return Err(Error::not_found(
                "the enrolment holds no key (only an installation does)",
            ));
        };
        data.write(key.as_ptr());
        len.write(key.len());
        Ok(())
    })
}

/// PEM blocks, one after the other (LF line ends), and a NUL: the text of
/// `enrolment_pem`, encoded straight into one buffer that is wiped when
/// dropped, so that no copy of a key's text is left behind.
fn pem_text(blocks: &[(&str, &[u8])]) -> Result<Zeroizing<Vec<u8>>, Error> {
    use pem_rfc7468::LineEnding::LF;
    let failed = |e: pem_rfc7468::Error| Error::invalid(format!("PEM encoding failed: {e}"));
    let mut size = 1usize;
    for (label, der) in blocks {
        let n = pem_rfc7468::encoded_len(label, LF, der).map_err(failed)?;
        size = size
            .checked_add(n)
            .ok_or_else(|| Error::invalid("the PEM text is too long"))?;
    }
    let mut buf = Zeroizing::new(vec![0u8; size]);
    let mut at = 0usize;
    for (label, der) in blocks {
        let rest = buf.get_mut(at..).unwrap_or_default();
        at += pem_rfc7468::encode(label, LF, der, rest)
            .map_err(failed)?
            .len();
    }
    // The NUL is the zero already there; what is cut is zeros too.
    buf.truncate(at + 1);
    Ok(buf)
}

/// The certificate and its private key as PEM text (`CERTIFICATE` then
/// `PRIVATE KEY`, LF line ends), what a phone's LSC file holds; a fetched
/// certificate alone.
///
/// `buf`, `capacity`: the caller's buffer for the NUL-terminated text;
/// NULL with a capacity of 0 asks for the size.
/// `len`: receives the size the text needs, its NUL included (also when
/// the buffer is too small).
/// Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL` (nothing written but
/// `*len`), or `ITL_ERR_NOT_FOUND` for a deletion or nothing to do.
/// The text holds the private key: wipe the buffer when done with it. The
/// library's own copy is wiped before the call returns.
///
/// Ownership: `enrolment` is borrowed for the call; the text is copied
/// into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_capf_enrolment_pem(
    enrolment: *const itl_capf_enrolment,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> itl_result {
    guard("itl_capf_enrolment_pem", || {
        let out = OutArray::new(buf.cast::<u8>(), capacity, "buf")?;
        let len = Out::new(len, "len")?;
        len.write(0);
        let e = handle::get(enrolment, "enrolment")?;
        let text = match &e.enrolment {
            Enrolment::Installed { certificate, key } => {
                pem_text(&[("CERTIFICATE", certificate), ("PRIVATE KEY", key)])?
            }
            Enrolment::Fetched { certificate } => pem_text(&[("CERTIFICATE", certificate)])?,
            Enrolment::Deleted | Enrolment::NothingToDo => {
                return Err(Error::not_found("the enrolment holds no certificate"));
            }
        };
        len.write(text.len());
        if out.fill(&text) {
            Ok(())
        } else {
            Err(Error::too_small("buf", text.len(), out.capacity()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use itl::capf::codec::Reason;

    #[test]
    fn the_pem_text_is_the_core_s_with_a_nul() {
        let (cert, key) = (vec![0x30u8, 3, 1, 2, 3], vec![0x30u8; 100]);
        let core = itl::capf::net::client::enrolment_pem(&cert, &key).map_err(|e| e.to_string());
        let ours = pem_text(&[("CERTIFICATE", &cert), ("PRIVATE KEY", &key)]).map_err(|e| e.code);
        let expected = core.map(|t| [t.as_bytes(), &[0]].concat());
        assert!(ours.is_ok() && expected.is_ok());
        assert_eq!(
            ours.as_ref().ok().map(|t| t.as_slice()),
            expected.as_ref().ok().map(Vec::as_slice)
        );
        assert!(expected.is_ok_and(|t| t.starts_with(b"-----BEGIN CERTIFICATE-----\n")));
        let alone = pem_text(&[("CERTIFICATE", &cert)]).map_err(|e| e.code);
        assert_eq!(alone.map(|t| t.last().copied()), Ok(Some(0)));
    }

    #[test]
    fn constants_are_the_protocols() {
        assert_eq!(ITL_CAPF_PORT, itl::capf::codec::PORT);
        assert_eq!(ITL_CAPF_CERT_LSC, u32::from(CertType::Lsc.code()));
        assert_eq!(ITL_CAPF_CERT_MIC, u32::from(CertType::Mic.code()));
        assert_eq!(
            ITL_CAPF_REASON_NOTHING_TO_DO,
            u32::from(Reason::NothingToDo.code())
        );
        assert_eq!(ITL_CAPF_REASON_OK, u32::from(Reason::Ok.code()));
        assert_eq!(ITL_CAPF_REASON_INVALID, u32::from(Reason::Invalid.code()));
        assert_eq!(
            ITL_CAPF_REASON_UNKNOWN_DEVICE,
            u32::from(Reason::UnknownDevice.code())
        );
    }

    #[test]
    fn addresses_are_spelled_for_the_resolver() {
        assert_eq!(
            address(c"cucm-pub".as_ptr(), 0).map_err(|e| e.code),
            Ok("cucm-pub:3804".to_string())
        );
        assert_eq!(
            address(c"::1".as_ptr(), 3805).map_err(|e| e.code),
            Ok("[::1]:3805".to_string())
        );
        assert_eq!(
            address(c"".as_ptr(), 1).map_err(|e| e.code),
            Err(itl_result::ITL_ERR_INVALID_ARGUMENT)
        );
        assert_eq!(
            address(std::ptr::null(), 1).map_err(|e| e.code),
            Err(itl_result::ITL_ERR_NULL_ARGUMENT)
        );
    }

    #[test]
    fn failures_take_their_codes() {
        let refused = capf_error(CapfNetError::Refused {
            reason: Reason::Invalid,
        });
        assert_eq!(refused.code, itl_result::ITL_ERR_CAPF_REFUSED);
        assert_eq!(
            refused.message,
            "the CAPF server refused the device: invalid (reason 7)"
        );
        assert_eq!(
            capf_error(CapfNetError::ServerNotTrusted).code,
            itl_result::ITL_ERR_SERVER_NOT_TRUSTED
        );
        assert_eq!(
            capf_error(CapfNetError::NotOurKey).code,
            itl_result::ITL_ERR_NETWORK
        );
        assert_eq!(
            capf_error(CapfNetError::BadProof("no")).code,
            itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE
        );
    }

    #[test]
    fn unsendable_names_and_passwords_are_refused_before_connecting() {
        assert_eq!(check_sendable("SEP001122334455", &Proof::None), Ok(()));
        assert_eq!(
            check_sendable("", &Proof::None).map_err(|e| e.code),
            Err(itl_result::ITL_ERR_INVALID_ARGUMENT)
        );
        assert_eq!(
            check_sendable("SEP001122334455", &Proof::Password(String::new())).map_err(|e| e.code),
            Err(itl_result::ITL_ERR_INVALID_ARGUMENT)
        );
    }
}
