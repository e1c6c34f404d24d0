//! Fuzz target `parse`: `TrustList::parse` on arbitrary bytes.
//!
//! On success every accessor and the record walk must agree with the bytes
//! (records exactly fill the file after the header, header items exactly
//! fill the header, ...); on failure the error must point inside the input.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::{Header, TrustList};
use itl_fuzz::{check_list, check_parse_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match TrustList::parse(data) {
        Ok(list) => check_list(&list, data),
        Err(e) => check_parse_error(&e, data),
    }
    // The header alone: its errors obey the same rules, and a header that
    // parses lies within the input.
    match Header::parse(data) {
        Ok(h) => {
            assert!(h.length() <= data.len());
            assert_eq!(h.as_bytes(), &data[..h.length()]);
        }
        Err(e) => check_parse_error(&e, data),
    }
});
