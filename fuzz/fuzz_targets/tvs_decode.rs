//! Fuzz target `tvs_decode`: `tvs::codec::Frame::decode` and
//! `Message::decode` on arbitrary bytes, then the typed request and
//! response forms.
//!
//! A decoded frame must agree with its bytes (header fields at their
//! offsets, elements contiguous from offset 10 and exactly filling the
//! payload) and encode back to the very same bytes; errors must point
//! inside the input and agree with it; `Message::decode` fails exactly
//! when the frame fails or the command's rules refuse it; a verify request
//! or response re-encodes to the input itself when the input is written
//! as the builders write (reserved byte 0, elements in the protocol's
//! order), and otherwise to bytes that decode to the same typed message.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cisco_itl::tvs::codec::{
    Command, DEVICE_NAME_LEN, DEVICE_NAME_PREFIX, DeviceName, ELEMENT_OVERHEAD, ElementTag, Frame,
    HEADER_LEN, MAX_PAYLOAD_LEN, Message, Status, TvsError, Verdict, VerifyRequest, VerifyResponse,
};
use libfuzzer_sys::fuzz_target;

/// The element whose tag byte is at `offset`: its tag and value.
fn element_at(data: &[u8], offset: usize) -> (u8, &[u8]) {
    let len = usize::from(u16::from_be_bytes([data[offset + 1], data[offset + 2]]));
    (
        data[offset],
        &data[offset + ELEMENT_OVERHEAD..offset + ELEMENT_OVERHEAD + len],
    )
}

fn check_error(e: &TvsError, data: &[u8]) {
    let len = data.len();
    let text = e.to_string();
    assert!(!text.is_empty() && !text.contains("Some("), "{text}");
    match *e {
        TvsError::TruncatedHeader { length } => {
            assert_eq!(length, len);
            assert!(length < HEADER_LEN);
        }
        TvsError::WrongProtocolId { found } => assert_eq!(data[0], found),
        TvsError::UnsupportedVersion { found } => assert_eq!(data[1], found),
        TvsError::LengthMismatch { declared, actual } => {
            assert_eq!(actual, len - HEADER_LEN);
            assert_eq!(
                declared,
                usize::from(u16::from_be_bytes([data[8], data[9]]))
            );
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
        TvsError::UnknownCommand { found } => {
            assert_eq!(data[2], found);
            assert!(!(1..=4).contains(&found));
        }
        TvsError::UnexpectedCommand { expected, found } => {
            assert_eq!(found.code(), data[2]);
            assert_ne!(expected, found);
        }
        TvsError::UnexpectedElement {
            command,
            tag,
            offset,
        } => {
            assert_eq!(command.code(), data[2]);
            assert_eq!(data[offset], tag.code());
            let allowed: &[u8] = match command {
                Command::VerifyRequest => &[1, 2],
                Command::VerifyResponse => &[7, 8, 9],
                other => panic!("{other} has no element rules"),
            };
            // An unknown tag, or ROLES or TTL in an invalid answer.
            assert!(
                !allowed.contains(&tag.code()) || matches!(tag.code(), 8 | 9),
                "{e:?}"
            );
        }
        TvsError::DuplicateElement {
            tag,
            first_offset,
            offset,
        } => {
            assert!(HEADER_LEN <= first_offset && first_offset < offset && offset < len);
            assert_eq!(data[first_offset], tag.code());
            assert_eq!(data[offset], tag.code());
        }
        TvsError::MissingElement { command, .. } => assert_eq!(command.code(), data[2]),
        TvsError::BadDeviceNamePrefix { offset, found } => {
            let (tag, value) = element_at(data, offset);
            assert_eq!(tag, 1);
            assert_eq!(value.first().copied(), found);
            assert_ne!(found, Some(DEVICE_NAME_PREFIX));
        }
        TvsError::BadDeviceName { offset, error } => {
            let (tag, value) = element_at(data, offset);
            assert_eq!(tag, 1);
            assert_eq!(value[0], DEVICE_NAME_PREFIX);
            assert_eq!(DeviceName::from_bytes(&value[1..]), Err(error));
            let _ = error.to_string();
        }
        TvsError::BadStatusLength { offset, length } => {
            let (tag, value) = element_at(data, offset);
            assert_eq!((tag, value.len()), (7, length));
            assert_ne!(length, 1);
        }
        TvsError::BadStatus { offset, found } => {
            let (tag, value) = element_at(data, offset);
            assert_eq!((tag, value), (7, &[found][..]));
            assert!(Status::from_code(found).is_none());
        }
        TvsError::BadTtlLength { offset, length } => {
            let (tag, value) = element_at(data, offset);
            assert_eq!((tag, value.len()), (9, length));
            assert_ne!(length, 4);
        }
        TvsError::ValueTooLong { .. }
        | TvsError::PayloadTooLong { .. }
        | TvsError::RoleNotEncodable { .. } => panic!("an encoding error while decoding: {e:?}"),
        _ => {}
    }
}

fn check_frame(frame: &Frame<'_>, data: &[u8]) {
    assert_eq!(frame.payload(), &data[HEADER_LEN..]);
    assert!(frame.payload().len() <= MAX_PAYLOAD_LEN);
    assert_eq!(data[0], 87);
    // A lower version than the codec's is read (as peers do); only a
    // higher one is refused.
    assert!(data[1] <= 1);
    assert_eq!(frame.version, data[1]);
    assert_eq!(frame.command.code(), data[2]);
    assert_eq!(frame.reserved, data[3]);
    assert_eq!(
        frame.session_id,
        u32::from_be_bytes(data[4..8].try_into().unwrap())
    );
    assert_eq!(
        usize::from(u16::from_be_bytes([data[8], data[9]])),
        data.len() - HEADER_LEN
    );
    let mut pos = HEADER_LEN;
    for e in frame.elements() {
        assert_eq!(e.offset, pos);
        let (tag, value) = element_at(data, pos);
        assert_eq!(e.tag, ElementTag::from_code(tag));
        assert_eq!(e.tag.code(), tag);
        assert_eq!(e.value, value);
        assert_eq!(
            frame.element(e.tag).map(|first| first.offset <= pos),
            Some(true)
        );
        pos += ELEMENT_OVERHEAD + value.len();
    }
    assert_eq!(pos, data.len(), "elements do not fill the payload");
    // A frame writes back the very bytes it was read from.
    assert_eq!(frame.encode().as_deref(), Ok(data));
    assert_eq!(frame.clone().into_owned().encode().as_deref(), Ok(data));
}

/// Whether the message is written as the builders write it.
fn canonical(wire: &[u8], message: &Message<'_>) -> bool {
    let frame = Frame::decode(wire).expect("a decoded message's frame decodes");
    let tags: Vec<u8> = frame.elements().map(|e| e.tag.code()).collect();
    frame.reserved == 0
        && frame.version == 1
        && match message {
            Message::VerifyRequest(_) => tags == [1, 2],
            Message::VerifyResponse(v) if v.is_valid() => tags == [7, 8, 9],
            Message::VerifyResponse(_) => tags == [7],
            Message::QueryRequest(_) | Message::QueryResponse(_) => true,
        }
}

fn check_request(view: &VerifyRequest<'_>, frame: &Frame<'_>, data: &[u8]) {
    let name = frame.element(ElementTag::DeviceName).unwrap();
    assert_eq!(name.value.len(), 1 + DEVICE_NAME_LEN);
    assert_eq!(name.value[0], DEVICE_NAME_PREFIX);
    assert_eq!(&name.value[1..], view.device_name.as_bytes());
    let name = view.device_name;
    assert_eq!(DeviceName::parse(name.as_str()), Ok(name));
    assert_eq!(DeviceName::new(name.model(), name.mac()), Ok(name));
    let cert = frame.element(ElementTag::Certificate).unwrap();
    assert_eq!(cert.value, &view.certificate[..]);

    let request = view.clone().into_owned();
    assert_eq!(VerifyRequest::decode(data).as_ref(), Ok(&request));
    let wire = request.encode().expect("a decoded request re-encodes");
    let back = Message::decode(&wire).expect("an encoded request decodes");
    assert!(canonical(&wire, &back));
    match back {
        Message::VerifyRequest(b) => assert_eq!(b, request),
        other => panic!("a request re-encoded as {}", other.command()),
    }
}

fn check_response(view: &VerifyResponse<'_>, frame: &Frame<'_>, data: &[u8]) {
    let status = frame.element(ElementTag::Status).unwrap();
    assert_eq!(status.value, &[view.status().code()][..]);
    match (view.status(), view.roles(), view.ttl_seconds()) {
        (Status::Valid, Some(roles), Some(ttl)) => {
            let raw = frame.element(ElementTag::Roles).unwrap().value;
            let Verdict::Valid { roles: codes, .. } = &view.verdict else {
                panic!("a valid status without a valid verdict");
            };
            assert_eq!(&codes[..], raw);
            assert_eq!(roles.len(), raw.len());
            let forward: Vec<_> = roles.clone().collect();
            let mut backward: Vec<_> = roles.rev().collect();
            backward.reverse();
            assert_eq!(forward, backward);
            let codes: Vec<u16> = forward.iter().map(|f| f.code()).collect();
            let expected: Vec<u16> = raw.iter().map(|&b| u16::from(b)).collect();
            assert_eq!(codes, expected);
            let raw_ttl = frame.element(ElementTag::TimeToLive).unwrap().value;
            assert_eq!(raw_ttl, &ttl.to_be_bytes()[..]);
        }
        (Status::Invalid, None, None) => {
            assert_eq!(frame.elements().count(), 1);
        }
        other => panic!("an inconsistent response view: {other:?}"),
    }

    let response = view.clone().into_owned();
    assert_eq!(VerifyResponse::decode(data).as_ref(), Ok(&response));
    let wire = response.encode().expect("a decoded response re-encodes");
    let back = Message::decode(&wire).expect("an encoded response decodes");
    assert!(canonical(&wire, &back));
    match back {
        Message::VerifyResponse(b) => assert_eq!(b, response),
        other => panic!("a response re-encoded as {}", other.command()),
    }
}

fuzz_target!(|data: &[u8]| {
    let frame = Frame::decode(data);
    let message = Message::decode(data);
    let frame = match frame {
        Ok(frame) => frame,
        Err(e) => {
            check_error(&e, data);
            assert_eq!(message, Err(e));
            assert!(VerifyRequest::decode(data).is_err());
            assert!(VerifyResponse::decode(data).is_err());
            return;
        }
    };
    check_frame(&frame, data);

    let message = match message {
        Ok(message) => message,
        Err(e) => {
            check_error(&e, data);
            // Only the rules of a verify command, or an unknown command,
            // refuse a frame that decodes.
            match frame.command {
                Command::VerifyRequest => {
                    assert_eq!(VerifyRequest::decode(data).err(), Some(e));
                }
                Command::VerifyResponse => {
                    assert_eq!(VerifyResponse::decode(data).err(), Some(e));
                }
                Command::Unknown(found) => assert_eq!(e, TvsError::UnknownCommand { found }),
                other => panic!("a {other} frame refused: {e:?}"),
            }
            assert!(VerifyRequest::decode(data).is_err());
            assert!(VerifyResponse::decode(data).is_err());
            return;
        }
    };
    let _ = message.to_string();
    assert_eq!(message.command(), frame.command);
    assert_eq!(message.session_id(), frame.session_id);

    let typed = match &message {
        Message::VerifyRequest(view) => {
            check_request(view, &frame, data);
            assert!(VerifyResponse::decode(data).is_err());
            Some(view.encode())
        }
        Message::VerifyResponse(view) => {
            check_response(view, &frame, data);
            assert!(VerifyRequest::decode(data).is_err());
            Some(view.encode())
        }
        Message::QueryRequest(f) | Message::QueryResponse(f) => {
            assert_eq!(f, &frame);
            assert!(VerifyRequest::decode(data).is_err());
            assert!(VerifyResponse::decode(data).is_err());
            None
        }
    };
    if let Some(wire) = typed {
        let wire = wire.expect("a decoded message re-encodes");
        // Byte for byte exactly when the input is written as the
        // builders write.
        assert_eq!(wire == data, canonical(data, &message));
    }
});
