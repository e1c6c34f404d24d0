//! The only `unsafe` of the library: turning what C hands over (raw
//! pointers and lengths, C strings, out-pointers, callbacks) into Rust
//! values, after every check that can be made without trusting the
//! pointer: NULL, alignment, lengths that overflow the address space; and
//! the one call into AWS-LC's C API that aws-lc-rs does not wrap.
//!
//! What cannot be checked is the C caller's promise, written next to every
//! function in `cisco_itl.h`: a non-NULL pointer points to as many valid
//! bytes (or elements) as its length says, or to a NUL-terminated string,
//! or to a writable object of its type, for the duration of the call, and
//! a callback is a valid function that returns normally.

use std::ffi::{CStr, c_char, c_void};
use std::mem::{align_of, size_of};

use crate::error::Error;

/// Checks a pointer and element count that C says describe an array of
/// `T`: non-NULL, aligned, and not past the end of the address space.
fn check_array<T>(ptr: *const T, count: usize, what: &str) -> Result<(), Error> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(Error::invalid(format!("`{what}` is not aligned")));
    }
    let bytes = count
        .checked_mul(size_of::<T>())
        .filter(|b| *b <= isize::MAX as usize);
    if bytes.and_then(|b| (ptr as usize).checked_add(b)).is_none() {
        return Err(Error::invalid(format!(
            "`{what}` length {count} overflows the address space"
        )));
    }
    Ok(())
}

/// The `len` bytes at `ptr`, borrowed for the call. NULL is an error even
/// with a length of 0; a length of 0 gives an empty slice (which the
/// functions then judge like any other input: an empty file does not
/// parse).
pub(crate) fn bytes_in<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    array_in(ptr, len, what)
}

/// The `count` elements at `ptr`, borrowed for the call.
pub(crate) fn array_in<'a, T: Copy>(
    ptr: *const T,
    count: usize,
    what: &str,
) -> Result<&'a [T], Error> {
    check_array(ptr, count, what)?;
    // SAFETY: `ptr` is non-NULL and aligned, and `count` elements do not
    // overflow the address space (checked above). The C caller promises
    // that they are initialised and stay valid and unmodified for the
    // duration of the call, which is as long as the slice is used: no
    // entry point keeps an input slice after it returns.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// A NUL-terminated UTF-8 string, borrowed for the call.
pub(crate) fn str_in<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    // SAFETY: `ptr` is non-NULL; the C caller promises it points to a
    // NUL-terminated string that stays valid and unmodified for the call.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map_err(|e| Error::invalid(format!("`{what}` is not valid UTF-8: {e}")))
}

/// [`str_in`] for an optional string: NULL is `None`.
pub(crate) fn opt_str_in<'a>(ptr: *const c_char, what: &str) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    str_in(ptr, what).map(Some)
}

/// A copy of the `T` at `ptr` (a small input struct).
pub(crate) fn value_in<T: Copy>(ptr: *const T, what: &str) -> Result<T, Error> {
    check_array(ptr, 1, what)?;
    // SAFETY: non-NULL and aligned (checked); the C caller promises a
    // valid, initialised `T` there for the call. `T` is a `#[repr(C)]`
    // struct of integers, raw pointers and `Option`s of function pointers,
    // for which every value C can write is valid.
    Ok(unsafe { ptr.read() })
}

/// An out-parameter: checked when the call starts, written when it has a
/// result.
pub(crate) struct Out<T> {
    ptr: *mut T,
}

impl<T> Out<T> {
    /// Checks that `ptr` is non-NULL and aligned.
    pub(crate) fn new(ptr: *mut T, what: &str) -> Result<Self, Error> {
        check_array(ptr.cast_const(), 1, what)?;
        Ok(Out { ptr })
    }

    /// Writes the result.
    pub(crate) fn write(&self, value: T) {
        // SAFETY: non-NULL and aligned (checked in `new`); the C caller
        // promises a writable `T` there for the call. `write` does not read
        // or drop the old contents, which C may have left uninitialised;
        // every `T` written is a plain C value (integers, pointers, bool).
        unsafe { self.ptr.write(value) }
    }
}

/// A caller's array to fill: `capacity` elements at `ptr`. NULL is allowed
/// with a capacity of 0 (to ask for the size needed).
pub(crate) struct OutArray<T> {
    ptr: *mut T,
    capacity: usize,
}

impl<T: Copy> OutArray<T> {
    /// Checks the array.
    pub(crate) fn new(ptr: *mut T, capacity: usize, what: &str) -> Result<Self, Error> {
        if ptr.is_null() && capacity == 0 {
            return Ok(OutArray { ptr, capacity });
        }
        check_array(ptr.cast_const(), capacity, what)?;
        Ok(OutArray { ptr, capacity })
    }

    /// The number of elements it holds.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Copies `src` to the start of the array; `false` (and nothing
    /// written) when it does not fit.
    pub(crate) fn fill(&self, src: &[T]) -> bool {
        if src.len() > self.capacity {
            return false;
        }
        if src.is_empty() {
            return true;
        }
        // SAFETY: `ptr` is non-NULL (a NULL array has capacity 0, and `src`
        // is not empty) and aligned, and `src.len() <= capacity` elements
        // fit in the array the C caller promises is writable for the call
        // (checked in `new`). `src` is Rust memory, so the two cannot
        // overlap unless C passed part of a library-owned buffer as its
        // output, which the header forbids.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr, src.len()) };
        true
    }
}

/// The caller's output callback: receives a chunk of text, returns 0 when
/// it took it, anything else to stop.
pub(crate) type WriteCallback =
    unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize) -> i32;

/// Calls a write callback with a chunk; `true` when it returned 0.
pub(crate) fn call_write(callback: WriteCallback, userdata: *mut c_void, chunk: &[u8]) -> bool {
    // SAFETY: the C caller promises `callback` is a valid function of this
    // type that returns normally (no unwinding, no longjmp over this
    // frame). The chunk's pointer and length describe Rust memory valid
    // for the call, which the callback may only read.
    unsafe { callback(userdata, chunk.as_ptr(), chunk.len()) == 0 }
}

/// A TVS callback asking for a server's certificate: writes it into `buf`
/// (capacity `capacity`) and its length into `len`; 0 when it did.
pub(crate) type ServerCertificateCallback = unsafe extern "C" fn(
    userdata: *mut c_void,
    server: usize,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> i32;

/// A TVS callback sending a request and writing the response into `buf`.
pub(crate) type ExchangeCallback = unsafe extern "C" fn(
    userdata: *mut c_void,
    server: usize,
    request: *const u8,
    request_len: usize,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> i32;

/// Calls a certificate callback with a buffer of `capacity` bytes; the
/// bytes it wrote, or `None` when it failed or claimed more than the
/// buffer holds.
pub(crate) fn call_server_certificate(
    callback: ServerCertificateCallback,
    userdata: *mut c_void,
    server: usize,
    capacity: usize,
) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; capacity];
    let mut len = 0usize;
    // SAFETY: the C caller promises `callback` is a valid function of this
    // type that returns normally and writes at most `capacity` bytes into
    // `buf` and one `usize` into `len`, both Rust memory valid for the call.
    let status = unsafe { callback(userdata, server, buf.as_mut_ptr(), capacity, &mut len) };
    (status == 0 && len <= capacity).then(|| {
        buf.truncate(len);
        buf
    })
}

/// Calls an exchange callback; the response it wrote, or `None`.
pub(crate) fn call_exchange(
    callback: ExchangeCallback,
    userdata: *mut c_void,
    server: usize,
    request: &[u8],
    capacity: usize,
) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; capacity];
    let mut len = 0usize;
    // SAFETY: as in `call_server_certificate`; `request` is Rust memory
    // valid for the call, which the callback may only read.
    let status = unsafe {
        callback(
            userdata,
            server,
            request.as_ptr(),
            request.len(),
            buf.as_mut_ptr(),
            capacity,
            &mut len,
        )
    };
    (status == 0 && len <= capacity).then(|| {
        buf.truncate(len);
        buf
    })
}

/// A TFTP callback of `itl_phone_boot`: points `*data` and `*len` at the
/// bytes of file `name` (the caller's memory); 0 when it has the file.
pub(crate) type FetchCallback = unsafe extern "C" fn(
    userdata: *mut c_void,
    name: *const c_char,
    data: *mut *const u8,
    len: *mut usize,
) -> i32;

/// Calls a fetch callback for `name` and copies the bytes it points at
/// when they are at most `limit`; `NotFound` when it has no such file (or
/// points at NULL). The length the callback reports is checked against
/// `limit` before anything is read or copied, so a callback claiming a
/// huge file costs nothing.
pub(crate) fn call_fetch(
    callback: FetchCallback,
    userdata: *mut c_void,
    name: &CStr,
    limit: usize,
) -> itl::phone::Fetched {
    use itl::phone::Fetched;
    let mut data: *const u8 = std::ptr::null();
    let mut len = 0usize;
    // SAFETY: the C caller promises `callback` is a valid function of this
    // type that returns normally and writes at most one pointer into
    // `data` and one `usize` into `len`, both Rust memory valid for the
    // call; `name` is a NUL-terminated string valid for the call, which the
    // callback may only read.
    let status = unsafe { callback(userdata, name.as_ptr(), &mut data, &mut len) };
    if status != 0 || data.is_null() {
        return Fetched::NotFound;
    }
    if len > limit {
        return Fetched::TooLarge { size: len };
    }
    // The callback promises `len` readable bytes at `data` until it is
    // called again or `itl_phone_boot` returns: `bytes_in` checks what it
    // can (alignment, overflow) and the bytes are copied at once.
    match bytes_in(data, len, "*data") {
        Ok(bytes) => Fetched::Bytes(bytes.to_vec()),
        Err(_) => Fetched::NotFound,
    }
}

#[cfg(feature = "aws-lc")]
unsafe extern "C" {
    /// AWS-LC's `AWSLC_thread_local_clear` (`openssl/thread.h`): frees the
    /// calling thread's AWS-LC state; returns 1. aws-lc-sys binds it only
    /// with its `all-bindings` feature, which the core does not enable, so
    /// it is declared here under the prefixed name aws-lc-sys 0.47 links.
    #[link_name = "aws_lc_0_47_0_AWSLC_thread_local_clear"]
    fn AWSLC_thread_local_clear() -> std::ffi::c_int;
}

/// Frees AWS-LC's state for the calling thread (its error queue), which
/// AWS-LC otherwise frees only when a thread other than the main one
/// exits. AWS-LC makes it again if the thread uses it later.
#[cfg(feature = "aws-lc")]
pub(crate) fn clear_crypto_thread_state() {
    // SAFETY: the function takes no argument and frees only the calling
    // thread's AWS-LC state, which no Rust value refers to between calls
    // (aws-lc-rs keeps nothing of the error queue); AWS-LC makes the state
    // again when the thread next needs it.
    unsafe {
        AWSLC_thread_local_clear();
    }
}

/// Nothing to free without AWS-LC.
#[cfg(not(feature = "aws-lc"))]
pub(crate) fn clear_crypto_thread_state() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::itl_result::*;

    #[test]
    fn pointers_are_checked_before_use() {
        let data = [1u8, 2, 3];
        assert_eq!(
            bytes_in(std::ptr::null(), 0, "d").map_err(|e| e.code),
            Err(ITL_ERR_NULL_ARGUMENT)
        );
        assert_eq!(bytes_in(data.as_ptr(), 0, "d"), Ok(&[][..]));
        assert_eq!(bytes_in(data.as_ptr(), 3, "d"), Ok(&data[..]));
        let overflow = bytes_in(data.as_ptr(), usize::MAX, "d").map_err(|e| e.code);
        assert_eq!(overflow, Err(ITL_ERR_INVALID_ARGUMENT));
        let words = [0u64; 2];
        let misaligned = (words.as_ptr() as usize + 1) as *mut u32;
        assert_eq!(
            Out::new(misaligned, "o").err().map(|e| e.code),
            Some(ITL_ERR_INVALID_ARGUMENT)
        );
        let half = usize::MAX / 2;
        assert_eq!(
            array_in(words.as_ptr(), half, "w").map_err(|e| e.code),
            Err(ITL_ERR_INVALID_ARGUMENT)
        );
        assert_eq!(
            str_in(c"\xff".as_ptr(), "s").map_err(|e| e.code),
            Err(ITL_ERR_INVALID_ARGUMENT)
        );
        assert_eq!(opt_str_in(std::ptr::null(), "s"), Ok(None));
    }

    #[test]
    fn arrays_fill_only_when_they_fit() {
        let mut buf = [0u16; 2];
        let out = OutArray::new(buf.as_mut_ptr(), 2, "b").map_err(|e| e.code);
        assert!(out.is_ok());
        if let Ok(out) = out {
            assert!(!out.fill(&[1, 2, 3]));
            assert!(out.fill(&[4, 5]));
        }
        assert_eq!(buf, [4, 5]);
        assert!(OutArray::<u16>::new(std::ptr::null_mut(), 0, "b").is_ok());
        assert!(OutArray::<u16>::new(std::ptr::null_mut(), 1, "b").is_err());
    }
}
