//! # cisco-itl-ffi: the C library of cisco-itl
//!
//! `libcisco_itl.a` and `libcisco_itl.so`, with `include/cisco_itl.h`
//! (generated from this crate by cbindgen): Cisco's phone trust lists (ITL
//! and CTL `.tlv` files), signed `.sgn` files, encrypted configurations
//! (`.enc.sgn`), `show itl`, building and signing, the phone's trust
//! decisions and boot, batch verification, the TVS wire codec, the
//! networked TVS client (feature `tvs-net`), the CAPF client (feature
//! `capf`) and the ITL recovery reset, for
//! C and C++ programs. `docs/C.md` tells how to link it and use it.
//!
//! ## Conventions (the same on every entry point)
//!
//! * Every call that can fail returns an [`itl_result`](error::itl_result)
//!   and writes its results through out-parameters; `ITL_OK` is 0.
//!   [`itl_last_error_message`](error::itl_last_error_message) says why
//!   the last call of this thread failed.
//! * A panic never crosses the boundary: every entry point runs inside
//!   `std::panic::catch_unwind` (`error::guard`) and reports
//!   `ITL_ERR_PANIC`. The crate refuses to build with `panic = "abort"`.
//! * Handles are opaque pointers to heap objects tagged with their kind.
//!   Every handle the library gives out is recorded in a registry
//!   (`handle.rs`); a pointer is looked up there before it is used, so a
//!   NULL, a handle of the wrong kind, a freed handle (until its address is
//!   reused) or a stray pointer gets `ITL_ERR_BAD_HANDLE` (or
//!   `ITL_ERR_NULL_ARGUMENT`), never a read of memory that is not a live
//!   handle. Freeing twice is reported, not undefined.
//! * Byte strings are a pointer and a length; text is NUL-terminated UTF-8.
//!
//! ## Why this crate allows `unsafe`
//!
//! A C ABI cannot be written without it: C hands over raw pointers that
//! must become slices and strings, and results go back through raw
//! out-pointers and C callbacks. The workspace denies `unsafe_code`; this
//! crate allows it, and confines every `unsafe` block to the conversion
//! helpers of `ptr.rs`, each with a `// SAFETY:` comment stating what it
//! relies on. Every other module is safe Rust over those helpers, and the
//! core crate (`cisco-itl`) stays `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]
// The C names (`itl_result`, `itl_trust_list`, `ITL_OK`…) are the API.
#![allow(non_camel_case_types)]

#[cfg(panic = "abort")]
compile_error!(
    "cisco-itl-ffi must be built with panic = \"unwind\": its entry points catch panics at the C boundary"
);

// In this order in the header.
pub mod build;
#[cfg(feature = "capf")]
pub mod capf;
pub mod encrypted;
pub mod error;
mod handle;
pub mod phone;
mod ptr;
pub mod recovery;
pub mod show;
pub mod signed_file;
pub mod trust_list;
pub mod tvs;
#[cfg(feature = "tvs-net")]
pub mod tvs_net;
pub mod types;
pub mod verifier;

/// The library's major version (the `MAJOR` of `MAJOR.MINOR.PATCH`).
pub const ITL_VERSION_MAJOR: u32 = 0;
/// The library's minor version.
pub const ITL_VERSION_MINOR: u32 = 1;
/// The library's patch version.
pub const ITL_VERSION_PATCH: u32 = 0;
/// The library's version as one number, `MAJOR * 10000 + MINOR * 100 +
/// PATCH`, for `#if ITL_VERSION_NUMBER >= 100` tests.
pub const ITL_VERSION_NUMBER: u32 =
    ITL_VERSION_MAJOR * 10000 + ITL_VERSION_MINOR * 100 + ITL_VERSION_PATCH;

/// The version, NUL-terminated, for [`itl_version`].
const VERSION_CSTR: &std::ffi::CStr = c"0.1.0";

/// The version of the library linked at run time, `"MAJOR.MINOR.PATCH"`
/// (compare it with the header's `ITL_VERSION_*` macros to catch a header
/// and library of different releases).
///
/// Ownership: a static string; never NULL; do not free it.
/// Threads: may be called from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn itl_version() -> *const std::ffi::c_char {
    VERSION_CSTR.as_ptr()
}

/// Frees what the library keeps for the calling thread outside the
/// handles: its last error message and AWS-LC's per-thread error queue.
/// Both are also freed when a thread exits, except on the main thread:
/// call this at the end of `main` so that a leak checker (valgrind) sees
/// every block freed, or in a thread about to be parked for long.
///
/// Harmless at any time: the state is made again when the thread next
/// calls the library (`itl_last_error_message()` then says `""`).
/// Threads: affects the calling thread only.
///
/// Ownership: frees only the library's per-thread state; handles are untouched.
#[unsafe(no_mangle)]
pub extern "C" fn itl_thread_cleanup() {
    error::guard_value("itl_thread_cleanup", (), || {
        error::free_thread_message();
        ptr::clear_crypto_thread_state();
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_follow_the_package() {
        let expected = format!("{ITL_VERSION_MAJOR}.{ITL_VERSION_MINOR}.{ITL_VERSION_PATCH}");
        assert_eq!(expected, env!("CARGO_PKG_VERSION"));
        assert_eq!(VERSION_CSTR.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }
}
