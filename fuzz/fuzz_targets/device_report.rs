//! Fuzz target `device_report`: `device_report::parse` on arbitrary bytes
//! (DeviceTLInfo reports: XML alarms, syslog lines, CSV exports).
//!
//! Reading never panics; every entry and problem names a line of the
//! input (1-based, at most its number of lines); an entry has a device
//! name, and says a hash was reported whenever it holds one; an XML error
//! names a line and column inside the input; the latest report of each
//! device is one of the entries, one per device.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::device_report::{ReportError, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lines in any of the encodings: UTF-16 has at most one line per two bytes.
    let max_lines = data.len() + 1;
    match parse(data) {
        Ok(r) => {
            for e in &r.entries {
                assert!(e.line >= 1 && e.line <= max_lines, "{e:?}");
                assert!(!e.device_name.trim().is_empty());
                assert!(e.itl_hash.is_none() || e.itl_reported);
                assert!(e.ctl_hash.is_none() || e.ctl_reported);
            }
            for p in &r.problems {
                assert!(p.line() >= 1 && p.line() <= max_lines, "{p:?}");
                assert!(!p.to_string().is_empty());
            }
            let latest = r.latest();
            assert!(latest.len() <= r.entries.len());
            for (i, a) in latest.iter().enumerate() {
                assert!(r.entries.iter().any(|e| std::ptr::eq(e, *a)));
                for b in &latest[i + 1..] {
                    assert!(!a.device_name.eq_ignore_ascii_case(&b.device_name));
                }
            }
        }
        Err(ReportError::Xml { line, column, .. }) => {
            assert!(line >= 1 && line <= max_lines);
            assert!(column >= 1 && column <= data.len() + 1);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
