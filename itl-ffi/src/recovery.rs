//! The ITL recovery reset (`utils itl reset`): the current ITL re-signed by
//! the ITLRecovery key from `ITLRecovery.p12`, once it verifies against
//! what the caller trusts. There is no entry point that re-signs an ITL
//! verifying only against itself: the recovery key would hand its
//! authority to whoever wrote it.

use std::ffi::c_char;

use itl::pkcs12::Identity;
use itl::recovery::{Trusted, reset};

use crate::build::{bytes_out, give};
use crate::error::{Error, guard, itl_result};
use crate::handle;
use crate::ptr::{bytes_in, str_in};
use crate::trust_list::{anchor_of, itl_trust_list};

/// What vouches for the current ITL.
enum Trust {
    /// PEM (one or more certificates) or DER (one certificate).
    Certificates(*const u8, usize),
    /// A trust list handle: the installed ITL or CTL, or a TFTP server's
    /// previous ITL.
    List(*const itl_trust_list),
}

/// The certificates of PEM `input` (every `CERTIFICATE` block), or the
/// one DER certificate it is.
fn trusted_certificates(input: &[u8]) -> Result<Trusted, Error> {
    let mut trusted = Trusted::new();
    if !itl::pem::is_pem(input) {
        trusted.add_anchor(anchor_of(input)?);
        return Ok(trusted);
    }
    let blocks = itl::pem::blocks(input).map_err(|e| {
        Error::new(
            itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE,
            format!("the trusted certificates are malformed PEM: {e}"),
        )
    })?;
    for block in blocks.iter().filter(|b| b.label == "CERTIFICATE") {
        trusted.add_anchor(anchor_of(&block.der)?);
    }
    if trusted.is_empty() {
        return Err(Error::new(
            itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE,
            "the trusted PEM holds no certificate",
        ));
    }
    Ok(trusted)
}

fn reset_with(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    trust: Trust,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> Result<(), Error> {
    let (out, out_len) = bytes_out(out, out_len)?;
    let p12 = bytes_in(p12, p12_len, "p12")?;
    let password = str_in(password, "password")?;
    let trusted = match trust {
        Trust::Certificates(cert, len) => {
            trusted_certificates(bytes_in(cert, len, "trusted_certificates")?)?
        }
        Trust::List(list) => {
            let mut trusted = Trusted::new();
            trusted.add_list(&handle::get(list, "trusted_list")?.view()?);
            trusted
        }
    };
    let list = handle::get(current, "current")?;
    let identity = Identity::from_pkcs12(p12, password)?;
    let bytes = reset(&list.view()?, &identity, &trusted)?;
    give(bytes, &out, &out_len);
    Ok(())
}

/// Re-signs the current ITL with the ITLRecovery identity, as CUCM's
/// `utils itl reset` does, once it verifies against certificates the
/// caller trusts (the publisher's `CallManager.pem`, or the certificates
/// of the cluster's TFTP nodes). Records, FILENAME, TIMESTAMP, version and
/// digest are kept, the header names the recovery certificate as its SAST
/// record writes it, and the result is byte for byte CUCM's. Phones whose
/// ITL holds the ITLRECOVERY SAST record (every 10.x ITL) accept it.
///
/// An ITL that verifies only against itself (an attacker's, copying the
/// cluster's public ITLRECOVERY record) is never re-signed. The recovery
/// record is found by its key, not its name.
///
/// `current`: the ITL to re-sign.
/// `p12`, `p12_len`: `ITLRecovery.p12`, read during the call only.
/// `password`: its password, NUL-terminated UTF-8.
/// `trusted_certificates`, `trusted_certificates_len`: PEM (one or more
/// `CERTIFICATE` blocks) or DER (one certificate), read during the call
/// only.
/// `out`, `out_len`: receive the new ITL (NULL and 0 on failure); free
/// with `itl_bytes_free`.
/// Returns `ITL_OK`; `ITL_ERR_WRONG_PASSWORD`;
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (not a PKCS#12 file, a key that does
/// not fit its certificate, a trusted certificate that does not parse…);
/// `ITL_ERR_VERIFY` or `ITL_ERR_POLICY` (the current ITL does not verify,
/// or is not signed by a trusted certificate); `ITL_ERR_POLICY` (the ITL
/// has no SAST record holding the recovery key); `ITL_ERR_SIGN`.
/// Threads: any thread; `current` may be in use by others.
///
/// Ownership: `current` is borrowed; `p12`, `password` and `trusted_certificates` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_recovery_reset_trusting(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    trusted_certificates: *const u8,
    trusted_certificates_len: usize,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_recovery_reset_trusting", || {
        reset_with(
            current,
            p12,
            p12_len,
            password,
            Trust::Certificates(trusted_certificates, trusted_certificates_len),
            out,
            out_len,
        )
    })
}

/// `itl_recovery_reset_trusting`, with a trust list as what the caller
/// trusts: the ITL or CTL the phones hold, or the TFTP server's previous
/// ITL. The current ITL must be signed by one of its records a phone would
/// take a new ITL's signer from: a SAST record (rules 2 and 4) or, in a
/// CTL, a CCM+TFTP or TFTP record (rule 3). `ITL_ERR_VERIFY` otherwise.
///
/// Ownership: as for `itl_recovery_reset_trusting`; `trusted_list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_recovery_reset_trusting_list(
    current: *const itl_trust_list,
    p12: *const u8,
    p12_len: usize,
    password: *const c_char,
    trusted_list: *const itl_trust_list,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_recovery_reset_trusting_list", || {
        reset_with(
            current,
            p12,
            p12_len,
            password,
            Trust::List(trusted_list),
            out,
            out_len,
        )
    })
}
