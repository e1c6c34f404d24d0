//! The result codes, the per-thread error message, and the panic boundary
//! every entry point runs inside.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use itl::error::Category;
use itl::verify::VerifyError;

/// What a call did: `ITL_OK`, or why it failed. Every fallible function
/// returns one; `itl_last_error_message()` then says more, in words.
///
/// The values are fixed: new codes are only ever added at the end.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum itl_result {
    /// Success.
    ITL_OK = 0,
    /// A pointer the function needs is NULL.
    ITL_ERR_NULL_ARGUMENT = 1,
    /// An argument is out of range: a length that overflows, a misaligned
    /// pointer, text that is not UTF-8, an index past the end, an unknown
    /// code or kind.
    ITL_ERR_INVALID_ARGUMENT = 2,
    /// A handle is not a live handle of the kind the function takes: a
    /// handle of another kind, one already freed, or a pointer the library
    /// never gave out.
    ITL_ERR_BAD_HANDLE = 3,
    /// The bytes are not a well-formed trust list, signed file or TVS
    /// message.
    ITL_ERR_PARSE = 4,
    /// A signature was not accepted (wrong key, tampered bytes, unknown or
    /// lying signer).
    ITL_ERR_VERIFY = 5,
    /// The signature is correct but a rule refuses it (SHA-1, or a key
    /// smaller than the policy's minimum; an ITL without the recovery
    /// record a reset needs).
    ITL_ERR_POLICY = 6,
    /// The password does not open the PKCS#12 file.
    ITL_ERR_WRONG_PASSWORD = 7,
    /// A key, certificate or PKCS#12 file given by the caller is unusable.
    ITL_ERR_BAD_KEY_OR_CERTIFICATE = 8,
    /// The phone's rules refused the file or certificate.
    ITL_ERR_REJECTED = 9,
    /// The caller's buffer is too small; the needed size was written.
    ITL_ERR_BUFFER_TOO_SMALL = 10,
    /// What was asked for is not there: an optional element the record
    /// does not carry, no signing record, no installed list. (An ITL
    /// without the recovery record a reset needs is `ITL_ERR_POLICY`.)
    ITL_ERR_NOT_FOUND = 11,
    /// A list or file could not be built or signed.
    ITL_ERR_SIGN = 12,
    /// The caller's output callback reported a failure.
    ITL_ERR_WRITE = 13,
    /// The library panicked (a bug): the panic was caught at the boundary
    /// and the call had no effect beyond what it did before panicking.
    ITL_ERR_PANIC = 14,
    /// No TVS server could be asked (networked build, `CISCO_ITL_TVS_NET`):
    /// a server could not be resolved or reached, TLS failed (including a
    /// server certificate the client's trust refuses), a read or write
    /// timed out, or the answer was malformed or for another session. The
    /// message gives the last server's failure.
    ITL_ERR_NETWORK = 15,
    /// The call would re-enter a phone this thread is already in: a TFTP
    /// or TVS callback of a call on a phone called into that same phone.
    /// Nothing was done (the outer call goes on).
    ITL_ERR_BUSY = 16,
    /// An encrypted configuration whose signature verified could not be
    /// decrypted: it names no phone or another phone than the
    /// certificate's, the phone's key does not open it (a wrong key or a
    /// wrapped key made for another), the header's padding does not hold,
    /// or the plaintext's digest is not the header's. Nothing was written.
    ITL_ERR_DECRYPT = 17,
    /// The CAPF server refused the device (CAPF client, `CISCO_ITL_CAPF`):
    /// a wrong password or proof, an unknown device. The reason it gave is
    /// in the message and in `itl_capf_client_enrol`'s `reason`; nothing
    /// was issued.
    ITL_ERR_CAPF_REFUSED = 18,
    /// The server is not the one the client trusts (CAPF client,
    /// `CISCO_ITL_CAPF`): its certificate is not the pinned one, or no CAPF
    /// record of the trust lists names it. Nothing was sent to it.
    ITL_ERR_SERVER_NOT_TRUSTED = 19,
}

use itl_result::*;

impl itl_result {
    /// The code's name, as in the header.
    pub(crate) const fn name(self) -> &'static std::ffi::CStr {
        match self {
            ITL_OK => c"ITL_OK",
            ITL_ERR_NULL_ARGUMENT => c"ITL_ERR_NULL_ARGUMENT",
            ITL_ERR_INVALID_ARGUMENT => c"ITL_ERR_INVALID_ARGUMENT",
            ITL_ERR_BAD_HANDLE => c"ITL_ERR_BAD_HANDLE",
            ITL_ERR_PARSE => c"ITL_ERR_PARSE",
            ITL_ERR_VERIFY => c"ITL_ERR_VERIFY",
            ITL_ERR_POLICY => c"ITL_ERR_POLICY",
            ITL_ERR_WRONG_PASSWORD => c"ITL_ERR_WRONG_PASSWORD",
            ITL_ERR_BAD_KEY_OR_CERTIFICATE => c"ITL_ERR_BAD_KEY_OR_CERTIFICATE",
            ITL_ERR_REJECTED => c"ITL_ERR_REJECTED",
            ITL_ERR_BUFFER_TOO_SMALL => c"ITL_ERR_BUFFER_TOO_SMALL",
            ITL_ERR_NOT_FOUND => c"ITL_ERR_NOT_FOUND",
            ITL_ERR_SIGN => c"ITL_ERR_SIGN",
            ITL_ERR_WRITE => c"ITL_ERR_WRITE",
            ITL_ERR_PANIC => c"ITL_ERR_PANIC",
            ITL_ERR_NETWORK => c"ITL_ERR_NETWORK",
            ITL_ERR_BUSY => c"ITL_ERR_BUSY",
            ITL_ERR_DECRYPT => c"ITL_ERR_DECRYPT",
            ITL_ERR_CAPF_REFUSED => c"ITL_ERR_CAPF_REFUSED",
            ITL_ERR_SERVER_NOT_TRUSTED => c"ITL_ERR_SERVER_NOT_TRUSTED",
        }
    }

    /// Every code, in order.
    pub(crate) const ALL: [itl_result; 20] = [
        ITL_OK,
        ITL_ERR_NULL_ARGUMENT,
        ITL_ERR_INVALID_ARGUMENT,
        ITL_ERR_BAD_HANDLE,
        ITL_ERR_PARSE,
        ITL_ERR_VERIFY,
        ITL_ERR_POLICY,
        ITL_ERR_WRONG_PASSWORD,
        ITL_ERR_BAD_KEY_OR_CERTIFICATE,
        ITL_ERR_REJECTED,
        ITL_ERR_BUFFER_TOO_SMALL,
        ITL_ERR_NOT_FOUND,
        ITL_ERR_SIGN,
        ITL_ERR_WRITE,
        ITL_ERR_PANIC,
        ITL_ERR_NETWORK,
        ITL_ERR_BUSY,
        ITL_ERR_DECRYPT,
        ITL_ERR_CAPF_REFUSED,
        ITL_ERR_SERVER_NOT_TRUSTED,
    ];
}

/// A failure: its code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    /// The code returned to C.
    pub code: itl_result,
    /// The message `itl_last_error_message` gives.
    pub message: String,
    /// Whether the message is about the call itself (a NULL, a bad
    /// handle…), so that the function's name is put before it.
    misuse: bool,
}

impl Error {
    /// An error with a code and a message taken as is (the core's errors:
    /// their text is the same as the Rust library's).
    pub fn new(code: itl_result, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            misuse: false,
        }
    }

    fn misuse(code: itl_result, message: String) -> Self {
        Error {
            code,
            message,
            misuse: true,
        }
    }

    /// A required pointer is NULL.
    pub fn null(what: &str) -> Self {
        Self::misuse(ITL_ERR_NULL_ARGUMENT, format!("`{what}` is NULL"))
    }

    /// An argument is out of range.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::misuse(ITL_ERR_INVALID_ARGUMENT, message.into())
    }

    /// A handle is not a live handle of the right kind.
    pub fn bad_handle(message: impl Into<String>) -> Self {
        Self::misuse(ITL_ERR_BAD_HANDLE, message.into())
    }

    /// Something asked for is absent.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ITL_ERR_NOT_FOUND, message)
    }

    /// A call re-enters something this thread is using.
    pub fn busy(message: impl Into<String>) -> Self {
        Self::misuse(ITL_ERR_BUSY, message.into())
    }

    /// A caller's buffer is too small.
    pub fn too_small(what: &str, needed: usize, capacity: usize) -> Self {
        Self::misuse(
            ITL_ERR_BUFFER_TOO_SMALL,
            format!("`{what}` holds {capacity}, {needed} are needed"),
        )
    }
}

/// The one table: the result code of each [`Category`] of the core. The
/// Python module's exception classes are the same table's other column
/// (`docs/C.md`, "Errors"). An invalid request is a misuse (the function's
/// name goes before the message); every other code carries the core's
/// message as is.
pub(crate) fn category_code(category: Category) -> itl_result {
    match category {
        Category::Parse => ITL_ERR_PARSE,
        Category::Verify => ITL_ERR_VERIFY,
        Category::Policy => ITL_ERR_POLICY,
        Category::Credential => ITL_ERR_BAD_KEY_OR_CERTIFICATE,
        Category::Password => ITL_ERR_WRONG_PASSWORD,
        Category::Rejected => ITL_ERR_REJECTED,
        Category::Decrypt => ITL_ERR_DECRYPT,
        Category::Sign => ITL_ERR_SIGN,
        Category::Network => ITL_ERR_NETWORK,
        // An invalid request, the cluster simulator, a certificate store
        // and a file (which no C function reaches), and what the core may
        // add.
        _ => ITL_ERR_INVALID_ARGUMENT,
    }
}

/// The code of a verification failure: the policy's refusals apart.
pub(crate) fn verify_code(e: &VerifyError) -> itl_result {
    category_code(itl::Error::from(e.clone()).category())
}

impl From<itl::Error> for Error {
    fn from(e: itl::Error) -> Self {
        match (e.category(), category_code(e.category())) {
            (Category::Invalid, _) => Error::invalid(e.to_string()),
            (_, code) => Error::new(code, e.to_string()),
        }
    }
}

/// Each error of the core converts through [`itl::Error`], which wraps them all.
macro_rules! through_core_error {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::from(itl::Error::from(e))
            }
        })*
    };
}

through_core_error!(
    itl::ParseError,
    VerifyError,
    itl::CertError,
    itl::KeyError,
    itl::Pkcs12Error,
    itl::SignError,
    itl::BuildError,
    itl::RecoveryError,
    itl::Rejection,
    itl::TvsAuthError,
    itl::TvsError,
    itl::encrypted::EncryptedError,
    itl::encrypted::DecryptError,
    itl::encrypted::EncryptError,
);

thread_local! {
    /// This thread's last error message ("" after a success).
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Sets this thread's message. NUL bytes (which no message of the library
/// holds) would end a C string early: they are replaced.
fn set_message(message: &str) {
    let text = CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default();
    // During thread teardown the slot may be gone: the message is dropped.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut m) = slot.try_borrow_mut() {
            *m = text;
        }
    });
}

/// Records `e` as this thread's last error, with `function`'s name before
/// messages about the call itself.
pub(crate) fn record(function: &str, e: &Error) {
    if e.misuse {
        set_message(&format!("{function}: {}", e.message));
    } else {
        set_message(&e.message);
    }
}

/// Frees this thread's message (it becomes `""`, which needs no memory).
pub(crate) fn free_thread_message() {
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut m) = slot.try_borrow_mut() {
            *m = CString::default();
        }
    });
}

fn clear() {
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut m) = slot.try_borrow_mut()
            && !m.as_bytes().is_empty()
        {
            *m = CString::default();
        }
    });
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("internal error (panic caught at the C boundary): {what}")
}

/// Runs an entry point's body: catches any panic (`ITL_ERR_PANIC`), records
/// the message of a failure, clears it on success, and returns the code.
pub(crate) fn guard(function: &str, body: impl FnOnce() -> Result<(), Error>) -> itl_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            clear();
            ITL_OK
        }
        Ok(Err(e)) => {
            record(function, &e);
            e.code
        }
        Err(payload) => {
            record(
                function,
                &Error::misuse(ITL_ERR_PANIC, panic_message(payload.as_ref())),
            );
            ITL_ERR_PANIC
        }
    }
}

/// [`guard`] for the few entry points that return a value rather than a
/// code (a count, nothing): `fallback` when the body fails or panics, the
/// message recorded as for any failure. A success leaves the message alone.
pub(crate) fn guard_value<T>(
    function: &str,
    fallback: T,
    body: impl FnOnce() -> Result<T, Error>,
) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            record(function, &e);
            fallback
        }
        Err(payload) => {
            record(
                function,
                &Error::misuse(ITL_ERR_PANIC, panic_message(payload.as_ref())),
            );
            fallback
        }
    }
}

/// Why the last call of this thread that returned an `itl_result` failed,
/// in words (the same text as the Rust library's errors for what comes
/// from the files, with the function's name first for a misuse such as a
/// NULL or a bad handle); `""` when it succeeded. A `_free` function given
/// something it cannot free also leaves its message here.
///
/// Ownership: the library owns the string; never NULL; do not free it. It
/// stays valid until the next call of a library function on this thread:
/// copy it to keep it.
/// Threads: each thread has its own message.
#[unsafe(no_mangle)]
pub extern "C" fn itl_last_error_message() -> *const c_char {
    catch_unwind(|| {
        LAST_ERROR
            .try_with(|slot| slot.try_borrow().map(|m| m.as_ptr()).ok())
            .ok()
            .flatten()
    })
    .ok()
    .flatten()
    .unwrap_or(c"".as_ptr())
}

/// The name of a result code, as spelled in this header (`"ITL_ERR_PARSE"`),
/// or `"ITL_UNKNOWN_RESULT"` for a value that is not one.
///
/// Ownership: a static string; never NULL; do not free it.
/// Threads: may be called from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn itl_result_name(code: u32) -> *const c_char {
    itl_result::ALL
        .iter()
        .find(|c| **c as u32 == code)
        .map_or(c"ITL_UNKNOWN_RESULT".as_ptr(), |c| c.name().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> String {
        crate::ptr::str_in(itl_last_error_message(), "message")
            .map(String::from)
            .unwrap_or_default()
    }

    fn text(ptr: *const c_char) -> String {
        crate::ptr::str_in(ptr, "text")
            .map(String::from)
            .unwrap_or_default()
    }

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let code = guard("itl_test", || panic!("boom"));
        assert_eq!(code, ITL_ERR_PANIC);
        assert!(last().starts_with("itl_test: internal error (panic caught"));
        assert!(last().ends_with("boom"));
        assert_eq!(guard("itl_test", || Ok(())), ITL_OK);
        assert_eq!(last(), "");
        assert_eq!(guard_value("itl_test", 7usize, || panic!("x")), 7);
        assert!(last().contains("panic"));
    }

    #[test]
    fn the_message_is_per_thread() {
        let _ = guard("itl_test", || Err(Error::null("data")));
        assert_eq!(last(), "itl_test: `data` is NULL");
        let other = std::thread::spawn(last).join().unwrap_or_default();
        assert_eq!(other, "");
        assert_eq!(last(), "itl_test: `data` is NULL");
    }

    #[test]
    fn core_errors_take_their_code_from_their_category() {
        let cases: [(itl::Error, itl_result); 7] = [
            (itl::ParseError::Empty.into(), ITL_ERR_PARSE),
            // An ITL without the recovery record: a rule's refusal, as in
            // Python (PolicyError).
            (itl::RecoveryError::NoRecoveryRecord.into(), ITL_ERR_POLICY),
            // A TVS server the phone does not accept: the phone's refusal.
            (itl::TvsAuthError::BadCertificate.into(), ITL_ERR_REJECTED),
            (itl::TvsAuthError::HashMismatch.into(), ITL_ERR_REJECTED),
            (
                itl::Pkcs12Error::WrongPassword.into(),
                ITL_ERR_WRONG_PASSWORD,
            ),
            (
                VerifyError::WeakKey {
                    bits: 1024,
                    min: 2048,
                }
                .into(),
                ITL_ERR_POLICY,
            ),
            (
                itl::encrypted::DecryptError::WrongDevice {
                    file: "SEP000000000001".into(),
                    certificate: "SEP000000000002".into(),
                }
                .into(),
                ITL_ERR_DECRYPT,
            ),
        ];
        for (e, code) in cases {
            let message = e.to_string();
            let err = Error::from(e);
            assert_eq!((err.code, err.message), (code, message));
        }
        // An invalid request names the function that was asked.
        let err = Error::from(itl::Error::from(itl::BuildError::NoRecords));
        assert_eq!(err.code, ITL_ERR_INVALID_ARGUMENT);
        record("itl_test", &err);
        assert_eq!(last(), "itl_test: a trust list needs at least one record");
    }

    #[test]
    fn names_cover_every_code() {
        for (i, c) in itl_result::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert_eq!(
                Ok(text(itl_result_name(*c as u32)).as_str()),
                c.name().to_str()
            );
        }
        assert_eq!(text(itl_result_name(999)), "ITL_UNKNOWN_RESULT");
    }
}
