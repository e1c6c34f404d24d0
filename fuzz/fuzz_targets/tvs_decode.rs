//! Fuzz target `tvs_decode`: `tvs::codec::Message::decode` on arbitrary
//! bytes, then the typed request and response forms.
//!
//! A decoded message must agree with its bytes (header fields, elements
//! exactly filling the payload, accessors matching the first element of
//! each kind); errors must point inside the input; a typed message must
//! re-encode to bytes that decode to the same typed message.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::tvs::codec::{
    Command, ELEMENT_OVERHEAD, ElementTag, HEADER_LEN, Message, Status, TvsError, VerifyRequest,
    VerifyResponse,
};
use libfuzzer_sys::fuzz_target;

fn check_error(e: &TvsError, data: &[u8]) {
    let len = data.len();
    let _ = e.to_string();
    match *e {
        TvsError::TruncatedHeader { length } => {
            assert_eq!(length, len);
            assert!(length < HEADER_LEN);
        }
        TvsError::WrongProtocolId { found } => assert_eq!(data[0], found),
        TvsError::UnsupportedVersion { found } => assert_eq!(data[1], found),
        TvsError::LengthMismatch { declared, actual } => {
            assert_eq!(actual, len - HEADER_LEN);
            assert_ne!(declared, actual);
        }
        TvsError::TruncatedElement {
            offset,
            needed,
            available,
        } => {
            assert!(offset >= HEADER_LEN && offset < len, "{e:?} on {len} bytes");
            assert_eq!(offset + available, len, "{e:?}");
            assert!(needed > available, "{e:?}");
        }
        TvsError::DuplicateElement {
            first_offset,
            offset,
            ..
        } => {
            assert!(HEADER_LEN <= first_offset && first_offset < offset && offset < len);
            assert_eq!(data[first_offset], data[offset]);
        }
        TvsError::BadElementLength { offset, length, .. } => {
            assert!(
                offset >= HEADER_LEN && offset + ELEMENT_OVERHEAD + length <= len,
                "{e:?}"
            );
        }
        TvsError::BadUtf8 {
            offset,
            error_offset,
        } => {
            assert!(offset >= HEADER_LEN && offset + ELEMENT_OVERHEAD <= error_offset);
            assert!(error_offset < len, "{e:?}");
        }
        _ => {}
    }
}

fn check_message(m: &Message<'_>, data: &[u8]) {
    assert_eq!(m.as_bytes(), data);
    assert_eq!(m.payload(), &data[HEADER_LEN..]);
    assert_eq!(m.command().code(), data[2]);
    assert_eq!(m.reserved(), data[3]);
    assert_eq!(
        m.session_id(),
        u32::from_be_bytes(data[4..8].try_into().unwrap())
    );

    let mut pos = HEADER_LEN;
    let (mut name, mut cert, mut status, mut roles, mut ttl) = (None, None, None, None, None);
    for e in m.elements() {
        assert_eq!(e.offset, pos);
        assert_eq!(ElementTag::from_code(data[pos]), e.tag);
        let len = usize::from(u16::from_be_bytes([data[pos + 1], data[pos + 2]]));
        assert_eq!(
            e.value,
            &data[pos + ELEMENT_OVERHEAD..pos + ELEMENT_OVERHEAD + len]
        );
        match e.tag {
            ElementTag::DeviceName => assert!(name.replace(e.value).is_none()),
            ElementTag::Certificate => assert!(cert.replace(e.value).is_none()),
            ElementTag::Status => assert!(status.replace(e.value).is_none()),
            ElementTag::Roles => assert!(roles.replace(e.value).is_none()),
            ElementTag::TimeToLive => assert!(ttl.replace(e.value).is_none()),
            ElementTag::Unknown(_) => {}
        }
        pos += ELEMENT_OVERHEAD + len;
    }
    assert_eq!(pos, data.len(), "elements do not fill the payload");
    assert_eq!(m.device_name().map(str::as_bytes), name);
    assert_eq!(m.certificate(), cert);
    assert_eq!(m.status(), status.map(|v| Status::from_code(v[0])));
    assert_eq!(
        m.ttl(),
        ttl.map(|v| u32::from_be_bytes(v.try_into().unwrap()))
    );
    match (m.roles(), roles) {
        (None, None) => {}
        (Some(r), Some(v)) => {
            assert_eq!(v.len() % 2, 0);
            assert_eq!(r.len(), v.len() / 2);
            let forward: Vec<u16> = r.clone().collect();
            let mut backward: Vec<u16> = r.clone().rev().collect();
            backward.reverse();
            assert_eq!(forward, backward);
            assert_eq!(r.functions().count(), forward.len());
            let codes: Vec<u16> = v
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            assert_eq!(forward, codes);
        }
        other => panic!("roles accessor disagrees with the elements: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let m = match Message::decode(data) {
        Ok(m) => m,
        Err(e) => {
            check_error(&e, data);
            assert!(VerifyRequest::decode(data).is_err());
            assert!(VerifyResponse::decode(data).is_err());
            return;
        }
    };
    check_message(&m, data);

    match VerifyRequest::try_from(&m) {
        Ok(req) => {
            assert_eq!(m.command(), Command::VerifyRequest);
            assert_eq!(VerifyRequest::decode(data).as_ref(), Ok(&req));
            let wire = req.encode().expect("a decoded request re-encodes");
            let back = Message::decode(&wire).expect("an encoded request decodes");
            check_message(&back, &wire);
            assert_eq!(VerifyRequest::try_from(&back), Ok(req));
        }
        Err(e) => check_error(&e, data),
    }
    match VerifyResponse::try_from(&m) {
        Ok(resp) => {
            assert_eq!(m.command(), Command::VerifyResponse);
            assert_eq!(VerifyResponse::decode(data).as_ref(), Ok(&resp));
            let wire = resp.encode().expect("a decoded response re-encodes");
            let back = Message::decode(&wire).expect("an encoded response decodes");
            check_message(&back, &wire);
            assert_eq!(VerifyResponse::try_from(&back), Ok(resp));
        }
        Err(e) => check_error(&e, data),
    }
});
