//! Fuzz target `capf_decode`: `capf::codec::Frame::decode` on arbitrary
//! bytes, then every typed accessor.
//!
//! A decoded frame must agree with its bytes (protocol id, command,
//! session id and payload length at their offsets, elements contiguous
//! from offset 8 and exactly filling the payload) and encode back to the
//! very same bytes; errors must point inside the input; every accessor
//! returns a value or a typed error whose offset is an element's, and a
//! value it reads re-encodes through the builders to an element the
//! accessor reads back the same.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::capf::codec::{CapfError, ElementTag, Frame, HEADER_LEN, PROTOCOL_ID};
use libfuzzer_sys::fuzz_target;

fn check_error(e: &CapfError, data: &[u8]) {
    let text = e.to_string();
    assert!(!text.is_empty() && !text.contains("Some("), "{text}");
    match *e {
        CapfError::TruncatedHeader { length } => {
            assert!(length < HEADER_LEN && length == data.len())
        }
        CapfError::WrongProtocolId { found } => assert_eq!(found, data[0]),
        CapfError::LengthMismatch { declared, actual } => {
            assert_eq!(
                declared,
                usize::from(u16::from_be_bytes([data[6], data[7]]))
            );
            assert_eq!(actual, data.len() - HEADER_LEN);
        }
        CapfError::TruncatedElement {
            offset,
            needed,
            available,
        } => {
            assert!(offset >= HEADER_LEN && offset < data.len());
            assert_eq!(available, data.len() - offset);
            assert!(needed > available);
        }
        ref other => panic!("decode gave an accessor's error: {other:?}"),
    }
}

/// An accessor's error must name an element of the frame (or none, when
/// missing).
fn check_accessor<T>(result: Result<T, CapfError>, frame: &Frame<'_>) {
    let offset = match result {
        Ok(_) => return,
        Err(CapfError::MissingElement { tag, .. }) => {
            assert!(frame.element(tag).is_none());
            return;
        }
        Err(CapfError::BadLength { offset, .. })
        | Err(CapfError::BadCode { offset, .. })
        | Err(CapfError::BadText { offset, .. })
        | Err(CapfError::BadCertificateFraming { offset })
        | Err(CapfError::BadSignedDataFraming { offset }) => offset,
        Err(other) => panic!("unexpected accessor error {other:?}"),
    };
    assert!(frame.elements().any(|e| e.offset == offset));
}

fuzz_target!(|data: &[u8]| {
    let frame = match Frame::decode(data) {
        Ok(f) => f,
        Err(e) => return check_error(&e, data),
    };
    assert_eq!(data[0], PROTOCOL_ID);
    assert_eq!(frame.command.code(), data[1]);
    assert_eq!(
        frame.session_id,
        u32::from_be_bytes([data[2], data[3], data[4], data[5]])
    );
    assert_eq!(frame.payload(), &data[HEADER_LEN..]);
    assert_eq!(frame.encode().unwrap(), data);
    let mut next = HEADER_LEN;
    for e in frame.elements() {
        assert_eq!(e.offset, next);
        next += 3 + e.value.len();
    }
    assert_eq!(next, data.len());
    check_accessor(frame.reason(), &frame);
    check_accessor(frame.version(), &frame);
    check_accessor(frame.auth_type(), &frame);
    check_accessor(frame.cert_type(), &frame);
    check_accessor(frame.key_request(), &frame);
    check_accessor(frame.password(), &frame);
    check_accessor(frame.public_key(), &frame);
    check_accessor(frame.signed_data(), &frame);
    check_accessor(frame.sha2_signed_data(), &frame);
    check_accessor(frame.certificate(), &frame);
    check_accessor(frame.device_name(), &frame);
    // What the accessors read, the builders write back the same.
    if let Ok(name) = frame.device_name() {
        let built = Frame::new(frame.command, 0)
            .with_text(ElementTag::DeviceName, name)
            .unwrap();
        assert_eq!(built.device_name().unwrap(), name);
    }
    if let Ok(c) = frame.certificate() {
        let built = Frame::new(frame.command, 0)
            .with_certificate(c.cert_type, c.der)
            .unwrap();
        assert_eq!(built.certificate().unwrap(), c);
    }
    if let Ok(s) = frame.sha2_signed_data() {
        let built = Frame::new(frame.command, 0).with_sha2_signature(s).unwrap();
        assert_eq!(built.sha2_signed_data().unwrap(), s);
    }
    if let Ok(k) = frame.key_request() {
        let built = Frame::key_gen_request(0, k).unwrap();
        assert_eq!(built.key_request().unwrap(), k);
    }
});
