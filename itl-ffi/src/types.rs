//! The codes and small value types of the API: record functions, digests,
//! list kinds, layouts, the verification policy, and the names of codes.
//!
//! Codes are plain integers with `#define`d values rather than C enums, so
//! that a value the format does not define (a FUNCTION of 99) can pass
//! both ways without being undefined.

use std::ffi::c_char;

use itl::verify::Policy;
use itl::{DigestAlgorithm, Function, ListKind};

use crate::error::{Error, guard, itl_result};
use crate::ptr::{Out, str_in};

/// FUNCTION code 0: System Administrator Security Token, may sign trust lists.
pub const ITL_FUNCTION_SAST: u16 = 0;
/// FUNCTION code 1: a CallManager node.
pub const ITL_FUNCTION_CCM: u16 = 1;
/// FUNCTION code 2: a CallManager node that is also a TFTP server.
pub const ITL_FUNCTION_CCM_TFTP: u16 = 2;
/// FUNCTION code 3: a TFTP server.
pub const ITL_FUNCTION_TFTP: u16 = 3;
/// FUNCTION code 4: the Certificate Authority Proxy Function.
pub const ITL_FUNCTION_CAPF: u16 = 4;
/// FUNCTION code 7: an application server.
pub const ITL_FUNCTION_APP_SERVER: u16 = 7;
/// FUNCTION code 21: a Trust Verification Service.
pub const ITL_FUNCTION_TVS: u16 = 21;

/// Digest code 1: SHA-1 (what CUCM signs with).
pub const ITL_DIGEST_SHA1: u8 = 1;
/// Digest code 2: SHA-256.
pub const ITL_DIGEST_SHA256: u8 = 2;
/// Digest code 3: SHA-512.
pub const ITL_DIGEST_SHA512: u8 = 3;

/// List kind: an Identity Trust List (`ITLFile.tlv`).
pub const ITL_LIST_ITL: u32 = 0;
/// List kind: a Certificate Trust List (`CTLFile.tlv`).
pub const ITL_LIST_CTL: u32 = 1;

/// Layout of built files: CUCM's (`;` names, DNSNAME, CERTHASH for TVS and
/// CAPF records of an ITL, IPADDRESS in CTLs). The default.
pub const ITL_LAYOUT_CUCM: u32 = 0;
/// Layout of built files: the independent implementation's (`,` names,
/// signer version tag 28).
pub const ITL_LAYOUT_PEER: u32 = 1;

/// What a signature must meet beyond being correct. Passed by value.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct itl_policy {
    /// Smallest RSA key accepted, in bits (phones: 1024).
    pub min_key_bits: u32,
    /// Whether SHA-1 signatures are accepted (CUCM signs with SHA-1).
    pub allow_sha1: bool,
}

impl From<itl_policy> for Policy {
    fn from(p: itl_policy) -> Self {
        Policy {
            min_key_bits: usize::try_from(p.min_key_bits).unwrap_or(usize::MAX),
            allow_sha1: p.allow_sha1,
        }
    }
}

impl From<Policy> for itl_policy {
    fn from(p: Policy) -> Self {
        itl_policy {
            min_key_bits: u32::try_from(p.min_key_bits).unwrap_or(u32::MAX),
            allow_sha1: p.allow_sha1,
        }
    }
}

/// The policy phones apply: SHA-1 and 1024-bit keys accepted.
///
/// Threads: may be called from any thread.
///
/// Ownership: returns a value.
#[unsafe(no_mangle)]
pub extern "C" fn itl_policy_default() -> itl_policy {
    Policy::default().into()
}

/// A strict policy: SHA-1 and keys under 2048 bits refused (CUCM's own
/// lists fail it: they are SHA-1 with 1024- or 2048-bit keys).
///
/// Threads: may be called from any thread.
///
/// Ownership: returns a value.
#[unsafe(no_mangle)]
pub extern "C" fn itl_policy_strict() -> itl_policy {
    Policy::strict().into()
}

/// The short name of a FUNCTION code: `"SAST"`, `"CCM"`, `"CCM+TFTP"`,
/// `"TFTP"`, `"CAPF"`, `"APP-SERVER"`, `"TVS"`, or `"UNKNOWN"` for a code
/// the format does not define.
///
/// Ownership: a static string; never NULL; do not free it.
/// Threads: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn itl_function_name(code: u16) -> *const c_char {
    match Function::from_code(code) {
        Function::Sast => c"SAST",
        Function::Ccm => c"CCM",
        Function::CcmTftp => c"CCM+TFTP",
        Function::Tftp => c"TFTP",
        Function::Capf => c"CAPF",
        Function::AppServer => c"APP-SERVER",
        Function::Tvs => c"TVS",
        Function::Unknown(_) => c"UNKNOWN",
    }
    .as_ptr()
}

/// The name of a digest code: `"sha1"`, `"sha256"`, `"sha512"`, or
/// `"unknown"`.
///
/// Ownership: a static string; never NULL; do not free it.
/// Threads: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn itl_digest_name(code: u8) -> *const c_char {
    match DigestAlgorithm::from_code(code) {
        DigestAlgorithm::Sha1 => c"sha1",
        DigestAlgorithm::Sha256 => c"sha256",
        DigestAlgorithm::Sha512 => c"sha512",
        DigestAlgorithm::Unknown(_) => c"unknown",
    }
    .as_ptr()
}

/// The kind a file name suggests: `ITL_LIST_CTL` for a name whose last
/// path component starts with `CTL` (any case), `ITL_LIST_ITL` otherwise
/// (what `show itl` assumes for a file it cannot parse).
///
/// `name`: NUL-terminated UTF-8, read during the call only.
/// `kind`: receives `ITL_LIST_ITL` or `ITL_LIST_CTL`.
/// Threads: may be called from any thread.
///
/// Ownership: `name` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_list_kind_from_filename(name: *const c_char, kind: *mut u32) -> itl_result {
    guard("itl_list_kind_from_filename", || {
        let kind = Out::new(kind, "kind")?;
        let name = str_in(name, "name")?;
        kind.write(kind_code(ListKind::from_filename(name)));
        Ok(())
    })
}

/// The C code of a list kind.
pub(crate) fn kind_code(kind: ListKind) -> u32 {
    match kind {
        ListKind::Itl => ITL_LIST_ITL,
        ListKind::Ctl => ITL_LIST_CTL,
    }
}

/// The list kind of a C code.
pub(crate) fn kind_of(code: u32) -> Result<ListKind, Error> {
    match code {
        ITL_LIST_ITL => Ok(ListKind::Itl),
        ITL_LIST_CTL => Ok(ListKind::Ctl),
        other => Err(Error::invalid(format!(
            "list kind {other} is neither ITL_LIST_ITL (0) nor ITL_LIST_CTL (1)"
        ))),
    }
}

/// The digest of a C code; only the three a file can be signed with.
pub(crate) fn digest_of(code: u8) -> Result<DigestAlgorithm, Error> {
    match DigestAlgorithm::from_code(code) {
        DigestAlgorithm::Unknown(c) => Err(Error::invalid(format!(
            "digest code {c} is not ITL_DIGEST_SHA1, ITL_DIGEST_SHA256 or ITL_DIGEST_SHA512"
        ))),
        d => Ok(d),
    }
}

/// The functions of C codes, for verification against a list's records:
/// at least one.
pub(crate) fn functions_of(codes: &[u16]) -> Result<Vec<Function>, Error> {
    if codes.is_empty() {
        return Err(Error::invalid(
            "`function_count` is 0: name at least one function",
        ));
    }
    Ok(codes.iter().map(|c| Function::from_code(*c)).collect())
}
