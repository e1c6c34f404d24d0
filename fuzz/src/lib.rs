//! Invariants shared by the fuzz targets of `cisco-itl`.
//!
//! Each function panics (which libFuzzer reports as a crash, with the input
//! saved under `fuzz/artifacts/<target>/`) when the library breaks one of
//! its promises about a parse result or an error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::tag::header as ht;
use cisco_itl::tlv::{ELEMENT_OVERHEAD, Item};
use cisco_itl::{Function, ParseError, TrustList};

/// What every parse error of `TrustList::parse(data)` (or
/// `Header::parse(data)`) must satisfy.
pub fn check_parse_error(e: &ParseError, data: &[u8]) {
    let len = data.len();
    if let Some(offset) = e.offset() {
        assert!(
            offset <= len,
            "error offset {offset} > input length {len}: {e:?}"
        );
    }
    // The message must render (Display must not panic).
    let _ = e.to_string();
    match *e {
        ParseError::Empty => assert!(data.is_empty(), "Empty on {len} bytes"),
        ParseError::Truncated {
            offset,
            needed,
            available,
        } => {
            assert!(
                needed > available,
                "Truncated but {needed} <= {available}: {e:?}"
            );
            assert!(offset + available <= len, "Truncated past the end: {e:?}");
        }
        ParseError::HeaderLengthPastEnd {
            header_length,
            file_length,
            ..
        } => {
            assert_eq!(file_length, len, "{e:?}");
            assert!(header_length > file_length, "{e:?}");
        }
        ParseError::RecordLengthPastEnd {
            offset,
            record_length,
            available,
        } => {
            assert_eq!(offset + available, len, "{e:?}");
            assert!(record_length > available, "{e:?}");
        }
        ParseError::NoRecords { header_length } => {
            assert_eq!(
                header_length, len,
                "NoRecords yet bytes follow the header: {e:?}"
            );
        }
        ParseError::ContainerOverrun { offset, length, .. } => {
            assert!(offset + ELEMENT_OVERHEAD + length <= len, "{e:?}");
        }
        ParseError::BadLength { offset, length, .. } => {
            assert!(offset + ELEMENT_OVERHEAD + length <= len, "{e:?}");
        }
        _ => {}
    }
}

/// What a successfully parsed list must satisfy: every accessor agrees with
/// the bytes and the records exactly fill the file after the header.
pub fn check_list(l: &TrustList<'_>, data: &[u8]) {
    let len = data.len();
    assert_eq!(l.as_bytes(), data);
    let h = l.header();
    let hl = h.length();
    assert!(
        hl > 0 && hl < len,
        "header length {hl} of a {len}-byte list"
    );
    assert_eq!(h.as_bytes(), &data[..hl]);

    // The header's items exactly fill it, in order, and the named fields
    // come from them.
    let mut pos = 0usize;
    let mut saw_signature = false;
    for item in h.items() {
        match item {
            Item::Padding(at) => {
                assert_eq!(at, pos);
                assert_eq!(data[at], ht::PADDING.0);
                pos += 1;
            }
            Item::Element(e) => {
                assert_eq!(e.offset, pos);
                assert_eq!(data[pos], e.tag.0);
                if e.tag == ht::SIGNATURE {
                    assert!(!saw_signature, "two top-level SIGNATURE elements");
                    saw_signature = true;
                    assert_eq!(e, h.signature_element());
                }
                pos += e.encoded_len();
            }
        }
    }
    assert_eq!(pos, hl, "header items cover {pos} of {hl} bytes");
    assert!(saw_signature);
    let sig = h.signature_element();
    assert_eq!(sig.value, h.signature());
    assert!(sig.offset + sig.encoded_len() <= hl);

    // The signed parts are the file minus the SIGNATURE element.
    let [before, after] = l.signed_parts();
    assert_eq!(before.len() + after.len() + sig.encoded_len(), len);
    assert_eq!(before, &data[..sig.offset]);
    assert_eq!(after, &data[sig.offset + sig.encoded_len()..]);

    // Strings carry no NUL; reading them again gives the same header.
    for s in [h.signer_name(), h.ca_name(), h.filename()] {
        assert!(!s.contains('\0'), "NUL in header string {s:?}");
    }
    assert_eq!(cisco_itl::Header::parse(data).as_ref(), Ok(h));
    let _ = (h.version(), h.signer_version(), h.digest(), h.modulus());
    let _ = (
        h.signature_algorithm(),
        h.timestamp(),
        l.kind(),
        h.signer_serial(),
    );

    // Records: contiguous, starting at the header's end, filling the file.
    let mut at = hl;
    let mut count = 0usize;
    let mut sast = 0usize;
    for (i, r) in l.records().enumerate() {
        assert_eq!(r.offset(), at, "record {i} not contiguous");
        assert!(r.length() > 0);
        assert_eq!(r.as_bytes(), &data[at..at + r.length()]);
        assert_eq!(l.record(i), Some(r));
        check_record(&r);
        if r.has_function(Function::Sast) {
            sast += 1;
        }
        at += r.length();
        count += 1;
    }
    assert_eq!(at, len, "records cover {}..{at} of {len} bytes", hl);
    assert_eq!(count, l.len());
    assert!(!l.is_empty());
    assert_eq!(l.record(count), None);
    assert_eq!(l.records_with(Function::Sast).count(), sast);

    if let Some((i, r)) = l.signer_record() {
        assert!(i < count);
        assert_eq!(l.record(i), Some(r));
        assert!(r.has_function(Function::Sast));
        assert!(r.matches_signer(h.signer_serial(), h.ca_name()));
    }
}

fn check_record(r: &cisco_itl::Record<'_>) {
    // The elements exactly fill the record (no padding in records).
    let mut pos = r.offset();
    let mut functions = 0usize;
    for e in r.elements() {
        assert_eq!(e.offset, pos);
        pos += e.encoded_len();
        if e.tag == cisco_itl::tag::record::FUNCTION {
            functions += 1;
        }
    }
    assert_eq!(
        pos,
        r.offset() + r.length(),
        "record elements do not fill it"
    );
    // Every FUNCTION element is a valid u16 (parsing checked it) and the
    // first is `function()`.
    assert_eq!(r.functions().count(), functions);
    assert_eq!(r.functions().next(), Some(r.function()));
    assert!(r.has_function(r.function()));
    for s in [r.subject(), r.issuer()].into_iter().chain(r.dns_name()) {
        assert!(!s.contains('\0'), "NUL in record string {s:?}");
    }
    assert!(r.matches_signer(r.serial(), r.issuer()));
    let _ = (
        r.public_key(),
        r.signature(),
        r.certificate(),
        r.ip_address(),
        r.cert_hash(),
        r.hash_algorithm(),
    );
}
