//! The ITL recovery reset (`utils itl reset`): the current ITL re-signed by
//! the ITLRecovery key from `ITLRecovery.p12`.

use std::ffi::c_char;

use itl::pkcs12::Identity;
use itl::recovery::reset_trusting;

use crate::build::{bytes_out, give};
use crate::error::{Error, guard, itl_result};
use crate::handle;
use crate::ptr::{bytes_in, str_in};
use crate::trust_list::{anchor_of, itl_trust_list};

fn reset(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    trusted: Option<(*const u8, usize)>,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> Result<(), Error> {
    let (out, out_len) = bytes_out(out, out_len)?;
    let p12 = bytes_in(p12, p12_len, "p12")?;
    let password = str_in(password, "password")?;
    let anchors = match trusted {
        Some((cert, len)) => vec![anchor_of(bytes_in(cert, len, "trusted_certificate")?)?],
        None => Vec::new(),
    };
    let list = handle::get(current, "current")?;
    let identity = Identity::from_pkcs12(p12, password)?;
    let bytes = reset_trusting(&list.view()?, &identity, &anchors)?;
    give(bytes, &out, &out_len);
    Ok(())
}

/// Re-signs the current ITL with the ITLRecovery identity, as CUCM's
/// `utils itl reset` does: records, FILENAME, TIMESTAMP, version and
/// digest are kept, the header names the recovery certificate as its SAST
/// record writes it, and the result is byte for byte CUCM's. Phones whose
/// ITL holds the ITLRECOVERY SAST record (every 10.x ITL) accept it.
///
/// The current ITL must verify by itself first, so a tampered ITL is never
/// laundered through the recovery key.
///
/// `current`: the ITL to re-sign.
/// `p12`, `p12_len`: `ITLRecovery.p12`, read during the call only.
/// `password`: its password, NUL-terminated UTF-8.
/// `out`, `out_len`: receive the new ITL (NULL and 0 on failure); free
/// with `itl_bytes_free`.
/// Returns `ITL_OK`; `ITL_ERR_WRONG_PASSWORD`;
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (not a PKCS#12 file, a key that does
/// not fit its certificate…); `ITL_ERR_VERIFY` or `ITL_ERR_POLICY` (the
/// current ITL does not verify); `ITL_ERR_NOT_FOUND` (the ITL has no SAST
/// record for the recovery certificate); `ITL_ERR_SIGN`.
/// Threads: any thread; `current` may be in use by others.
///
/// Ownership: `current` is borrowed; `p12` and `password` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_recovery_reset(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_recovery_reset", || {
        reset(current, p12, p12_len, password, None, out, out_len)
    })
}

/// `itl_recovery_reset`, and the current ITL must also verify against a
/// certificate the caller trusts (the publisher's `CallManager.pem`, PEM or
/// DER, read during the call only), so that only the cluster's own ITL is
/// re-signed: `ITL_ERR_VERIFY` otherwise.
///
/// Ownership: as for `itl_recovery_reset`; `trusted_certificate` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_recovery_reset_trusting(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    trusted_certificate: *const u8,
    trusted_certificate_len: usize,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_recovery_reset_trusting", || {
        reset(
            current,
            p12,
            p12_len,
            password,
            Some((trusted_certificate, trusted_certificate_len)),
            out,
            out_len,
        )
    })
}
