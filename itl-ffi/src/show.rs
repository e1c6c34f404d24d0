//! The text CUCM prints for `show itl` / `show ctl`, and the header of a
//! signed file in the same style: into a string, or streamed to a callback.

use std::ffi::{c_char, c_void};
use std::fmt;

use itl::ListKind;
use itl::show::{Outcome, SignedOutcome};

use crate::error::{Error, guard, itl_result, verify_code};
use crate::handle;
use crate::ptr::{Out, bytes_in, call_write};
use crate::types::kind_of;

/// Receives the text of `itl_show_write` and `itl_show_signed_file_write`
/// piece by piece, in order: `len` bytes of UTF-8 at `data` (not
/// NUL-terminated; valid only during the call). `userdata` is the pointer
/// given to the function. Return 0 to go on, anything else to stop (the
/// function then returns `ITL_ERR_WRITE`). It must return normally (no
/// `longjmp`, no C++ exception).
pub type itl_write_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize) -> i32>;

/// What a rendering ended with, as a code and message.
fn list_result(outcome: Outcome) -> Result<(), Error> {
    match outcome {
        Outcome::Verified(_) => Ok(()),
        Outcome::VerificationFailed(e) => Err(Error::new(verify_code(&e), e.to_string())),
        Outcome::ParseFailed(e) => Err(e.into()),
    }
}

fn signed_result(outcome: SignedOutcome) -> Result<(), Error> {
    match outcome {
        SignedOutcome::NotVerified => Ok(()),
        SignedOutcome::ParseFailed(e) => Err(e.into()),
    }
}

/// Collects text and hands it to the callback in chunks of up to 4 KiB.
struct CallbackWriter {
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    userdata: *mut c_void,
    buf: Vec<u8>,
    failed: bool,
}

const CHUNK: usize = 4096;

impl CallbackWriter {
    fn flush(&mut self) -> fmt::Result {
        if !self.buf.is_empty() {
            let ok = call_write(self.callback, self.userdata, &self.buf);
            self.buf.clear();
            if !ok {
                self.failed = true;
                return Err(fmt::Error);
            }
        }
        Ok(())
    }
}

impl fmt::Write for CallbackWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.buf.len() + s.len() > CHUNK {
            self.flush()?;
        }
        if s.len() > CHUNK {
            let ok = call_write(self.callback, self.userdata, s.as_bytes());
            if !ok {
                self.failed = true;
                return Err(fmt::Error);
            }
            return Ok(());
        }
        self.buf.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn write_error() -> Error {
    Error::new(
        itl_result::ITL_ERR_WRITE,
        "the write callback returned an error; the text stops there",
    )
}

/// Streams a rendering through `write`; the renderer's outcome, or
/// `ITL_ERR_WRITE` when the callback stopped it.
fn stream<T>(
    write: itl_write_callback,
    userdata: *mut c_void,
    render: impl FnOnce(&mut CallbackWriter) -> Result<T, fmt::Error>,
) -> Result<T, Error> {
    let callback = write.ok_or_else(|| Error::null("write"))?;
    let mut w = CallbackWriter {
        callback,
        userdata,
        buf: Vec::with_capacity(CHUNK),
        failed: false,
    };
    let outcome = render(&mut w);
    let flushed = w.flush();
    match (outcome, flushed) {
        (Ok(o), Ok(())) => Ok(o),
        _ => Err(write_error()),
    }
}

/// Renders a trust list as CUCM's `show itl` (or `show ctl`) prints it:
/// checksums, header, every record, and whether the list verified; for an
/// unparsable file, the checksums and "Error parsing the ITL file!!".
/// Same as `itl_show_kind(data, len, ITL_LIST_ITL, text)`.
///
/// `data`, `len`: the file, read during the call only; `data` must not be
/// NULL (`len` may be 0).
/// `text`: receives the NUL-terminated text, or NULL when there is none
/// (an argument error). The caller owns it: free it with
/// `itl_string_free` **whatever the result** (NULL is a no-op).
/// Returns `ITL_OK` when the list parsed and verified, `ITL_ERR_VERIFY` or
/// `ITL_ERR_POLICY` when its signature was not accepted, `ITL_ERR_PARSE`
/// when it did not parse; the text is there in all three cases.
/// Threads: any thread.
///
/// Ownership: `data` is read during the call only; the caller owns `*text` (free with `itl_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_show(data: *const u8, len: usize, text: *mut *mut c_char) -> itl_result {
    guard("itl_show", || show_into(data, len, Ok(ListKind::Itl), text))
}

/// `itl_show`, naming the kind (`ITL_LIST_ITL` or `ITL_LIST_CTL`) to print
/// when the file cannot say: an unparsable file is shown as that kind
/// ("Parse CTL File"). A parsable list's own FILENAME decides otherwise.
///
/// Ownership: as for `itl_show`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_show_kind(
    data: *const u8,
    len: usize,
    kind: u32,
    text: *mut *mut c_char,
) -> itl_result {
    guard("itl_show_kind", || {
        show_into(data, len, kind_of(kind), text)
    })
}

fn show_into(
    data: *const u8,
    len: usize,
    kind: Result<ListKind, Error>,
    text: *mut *mut c_char,
) -> Result<(), Error> {
    let text = Out::new(text, "text")?;
    text.write(std::ptr::null_mut());
    let kind = kind?;
    let data = bytes_in(data, len, "data")?;
    let rendered = itl::show::render(data, Some(kind));
    text.write(handle::give_text(rendered.text));
    list_result(rendered.outcome)
}

/// `itl_show_kind`, streamed: the text goes to `write` in pieces as it is
/// produced, in constant memory whatever the file's size.
///
/// `write`: the callback (not NULL); `userdata` is passed to it untouched
/// (may be NULL).
/// Returns as `itl_show`, or `ITL_ERR_WRITE` when the callback stopped it.
///
/// Ownership: `data` is read during the call only; each chunk given to `write` is valid during that callback only; `userdata` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_show_write(
    data: *const u8,
    len: usize,
    kind: u32,
    write: itl_write_callback,
    userdata: *mut c_void,
) -> itl_result {
    guard("itl_show_write", || {
        let kind = kind_of(kind)?;
        let data = bytes_in(data, len, "data")?;
        let outcome = stream(write, userdata, |w| {
            itl::show::render_to(w, data, Some(kind))
        })?;
        list_result(outcome)
    })
}

/// Whether `data` is best shown as a signed file (`.sgn`): it is not a
/// trust list, its header parses, and its FILENAME does not end in `.tlv`
/// (a trust list with broken records is shown as an unparsable list).
///
/// `is_signed`: receives the answer.
///
/// Ownership: `data` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_is_signed_file(
    data: *const u8,
    len: usize,
    is_signed: *mut bool,
) -> itl_result {
    guard("itl_is_signed_file", || {
        let is_signed = Out::new(is_signed, "is_signed")?;
        let data = bytes_in(data, len, "data")?;
        is_signed.write(itl::show::is_signed_file(data));
        Ok(())
    })
}

/// Renders a signed file (`.sgn`) in the style of `show itl`: checksums,
/// header, FILENAME and the payload's length. The signature is not
/// checked (a `.sgn` carries no certificate; see
/// `itl_signed_file_verify_with_list`).
///
/// `text`: as for `itl_show` (free it whatever the result).
/// Returns `ITL_OK` when the header parsed, `ITL_ERR_PARSE` when it did
/// not (the text is there in both cases).
///
/// Ownership: as for `itl_show`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_show_signed_file(
    data: *const u8,
    len: usize,
    text: *mut *mut c_char,
) -> itl_result {
    guard("itl_show_signed_file", || {
        let text = Out::new(text, "text")?;
        text.write(std::ptr::null_mut());
        let data = bytes_in(data, len, "data")?;
        let mut s = String::new();
        let outcome = itl::show::render_signed_file_to(&mut s, data)
            .map_err(|_| Error::new(itl_result::ITL_ERR_WRITE, "formatting failed"))?;
        text.write(handle::give_text(s));
        signed_result(outcome)
    })
}

/// `itl_show_signed_file`, streamed to `write` (see `itl_show_write`).
///
/// Ownership: as for `itl_show_write`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_show_signed_file_write(
    data: *const u8,
    len: usize,
    write: itl_write_callback,
    userdata: *mut c_void,
) -> itl_result {
    guard("itl_show_signed_file_write", || {
        let data = bytes_in(data, len, "data")?;
        let outcome = stream(write, userdata, |w| {
            itl::show::render_signed_file_to(w, data)
        })?;
        signed_result(outcome)
    })
}
