//! TVS wire codec: the exact bytes of the real protocol, round trips, one
//! crafted input per error, device names, the in-memory server, the
//! phone's requests, robustness, and the fuzz seeds.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::Function;
use cisco_itl::phone::{ManualClock, Phone, Rejection, Trust, TvsOutcome};
use cisco_itl::tvs::codec::{
    Command, DEVICE_NAME_LEN, DeviceName, DeviceNameError, ElementTag, Frame, HEADER_LEN,
    MAX_PAYLOAD_LEN, Message, Status, TvsError, Verdict, VerifyRequest, VerifyResponse,
};
use cisco_itl::tvs::server::{InMemoryTvs, TrustVerifier, TvsServer, certificate_sha256};
use proptest::prelude::*;

const NAME: &str = "CP-7965-SEP0011215A1AE3";
const MAC: [u8; 6] = [0x00, 0x11, 0x21, 0x5A, 0x1A, 0xE3];

/// A message with a correct payload length around raw elements.
fn frame(command: u8, session_id: u32, elements: &[(u8, &[u8])]) -> Vec<u8> {
    let mut payload = Vec::new();
    for (tag, value) in elements {
        payload.push(*tag);
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        payload.extend_from_slice(&len.to_be_bytes());
        payload.extend_from_slice(value);
    }
    raw(command, session_id, &payload)
}

/// A header with a correct length, then `payload` as given.
fn raw(command: u8, session_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![87, 1, command, 0];
    out.extend_from_slice(&session_id.to_be_bytes());
    let len = u16::try_from(payload.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A DEVICE NAME value: `0x01` then the name.
fn name_value(name: &[u8]) -> Vec<u8> {
    let mut v = vec![0x01];
    v.extend_from_slice(name);
    v
}

fn device_name() -> DeviceName {
    DeviceName::parse(NAME).unwrap_or_else(|e| unreachable!("{e}"))
}

fn sample_request() -> VerifyRequest<'static> {
    VerifyRequest::new(7, device_name(), vec![0x30, 0x03, 0x02, 0x01, 0x05])
}

fn sample_response() -> VerifyResponse<'static> {
    VerifyResponse::valid(7, [Function::CcmTftp, Function::Tvs], 86_400)
        .unwrap_or_else(|e| unreachable!("{e}"))
}

/// The request of `sample_request`, written by hand from the protocol.
#[rustfmt::skip]
const REQUEST: [u8; 45] = [
    // 'W', version 1, command 1 (verify request), reserved 0
    0x57, 0x01, 0x01, 0x00,
    // session id 7
    0x00, 0x00, 0x00, 0x07,
    // payload length: (3 + 24) + (3 + 5) = 35
    0x00, 0x23,
    // DEVICE NAME, 24 bytes: 0x01 then "CP-7965-SEP0011215A1AE3"
    0x01, 0x00, 0x18, 0x01,
    b'C', b'P', b'-', b'7', b'9', b'6', b'5', b'-', b'S', b'E', b'P',
    b'0', b'0', b'1', b'1', b'2', b'1', b'5', b'A', b'1', b'A', b'E', b'3',
    // CERTIFICATE, 5 bytes
    0x02, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05,
];

/// The response of `sample_response`, written by hand from the protocol.
#[rustfmt::skip]
const RESPONSE: [u8; 26] = [
    // 'W', version 1, command 2 (verify response), reserved 0
    0x57, 0x01, 0x02, 0x00,
    // session id 7, repeated from the request
    0x00, 0x00, 0x00, 0x07,
    // payload length: (3 + 1) + (3 + 2) + (3 + 4) = 16
    0x00, 0x10,
    // STATUS: 0, valid
    0x07, 0x00, 0x01, 0x00,
    // ROLES: CCM+TFTP (2), TVS (21)
    0x08, 0x00, 0x02, 0x02, 0x15,
    // TTL: 86,400 seconds
    0x09, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80,
];

/// "Invalid": the STATUS alone.
#[rustfmt::skip]
const INVALID: [u8; 14] = [
    0x57, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x04,
    0x07, 0x00, 0x01, 0x01,
];

#[test]
fn request_exact_bytes() -> Result<(), TvsError> {
    assert_eq!(sample_request().encode()?, REQUEST);

    let view = VerifyRequest::decode(&REQUEST)?;
    assert_eq!(view.session_id, 7);
    assert_eq!(view.device_name.as_str(), NAME);
    assert_eq!(&view.certificate[..], &[0x30, 0x03, 0x02, 0x01, 0x05][..]);
    let frame = Frame::decode(&REQUEST)?;
    assert_eq!(frame.reserved, 0);
    assert_eq!(frame.command, Command::VerifyRequest);
    assert_eq!(frame.encode()?, REQUEST);
    let offsets: Vec<_> = frame
        .elements()
        .map(|e| (e.tag, e.offset, e.value.len()))
        .collect();
    assert_eq!(
        offsets,
        [
            (ElementTag::DeviceName, 10, 24),
            (ElementTag::Certificate, 37, 5)
        ]
    );
    assert_eq!(VerifyRequest::decode(&REQUEST)?, sample_request());
    Ok(())
}

#[test]
fn response_exact_bytes() -> Result<(), TvsError> {
    assert_eq!(sample_response().encode()?, RESPONSE);
    assert_eq!(VerifyResponse::invalid(7).encode()?, INVALID);

    let view = VerifyResponse::decode(&RESPONSE)?;
    assert_eq!(view.session_id, 7);
    assert_eq!(view.status(), Status::Valid);
    assert!(view.is_valid());
    assert_eq!(view.ttl_seconds(), Some(86_400));
    let roles = view.roles().map(|r| r.collect::<Vec<_>>());
    assert_eq!(roles, Some(vec![Function::CcmTftp, Function::Tvs]));
    let Verdict::Valid { roles, .. } = &view.verdict else {
        panic!("not valid");
    };
    assert_eq!(&roles[..], &[2, 21][..]);
    assert_eq!(VerifyResponse::decode(&RESPONSE)?, sample_response());
    assert_eq!(
        sample_response().verdict,
        VerifyResponse::valid(0, [Function::CcmTftp, Function::Tvs], 86_400)?.verdict
    );

    let view = VerifyResponse::decode(&INVALID)?;
    assert_eq!(view.status(), Status::Invalid);
    assert!(view.roles().is_none());
    assert_eq!(view.ttl_seconds(), None);
    assert_eq!(
        VerifyResponse::decode(&INVALID)?,
        VerifyResponse::invalid(7)
    );
    Ok(())
}

/// Answers as the TVS daemon writes them: a CCM and TVS certificate kept a
/// week, then the same answer with its elements in another order, and an
/// answer with no role.
#[test]
fn response_from_a_real_server() -> Result<(), TvsError> {
    #[rustfmt::skip]
    let week: [u8; 26] = [
        0x57, 0x01, 0x02, 0x00, 0x5E, 0x11, 0xA0, 0x3C, 0x00, 0x10,
        0x07, 0x00, 0x01, 0x00,
        0x08, 0x00, 0x02, 0x01, 0x15,
        0x09, 0x00, 0x04, 0x00, 0x09, 0x3A, 0x80,
    ];
    let expected = VerifyResponse::valid(0x5E11_A03C, vec![Function::Ccm, Function::Tvs], 604_800)?;
    assert_eq!(VerifyResponse::decode(&week)?, expected);

    #[rustfmt::skip]
    let reordered: [u8; 26] = [
        0x57, 0x01, 0x02, 0x00, 0x5E, 0x11, 0xA0, 0x3C, 0x00, 0x10,
        0x09, 0x00, 0x04, 0x00, 0x09, 0x3A, 0x80,
        0x08, 0x00, 0x02, 0x01, 0x15,
        0x07, 0x00, 0x01, 0x00,
    ];
    assert_eq!(VerifyResponse::decode(&reordered)?, expected);
    // Re-encoded in the canonical order.
    assert_eq!(expected.encode()?, week);

    #[rustfmt::skip]
    let no_role: [u8; 24] = [
        0x57, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0E,
        0x07, 0x00, 0x01, 0x00,
        0x08, 0x00, 0x00,
        0x09, 0x00, 0x04, 0x00, 0x00, 0x0E, 0x10,
    ];
    assert_eq!(
        VerifyResponse::decode(&no_role)?,
        VerifyResponse::valid(1, vec![], 3600)?
    );
    Ok(())
}

#[test]
fn the_old_private_layout_is_refused() {
    // What this codec wrote before: a 12-byte header with a 32-bit length.
    #[rustfmt::skip]
    let old = [
        0x57, 0x01, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x12,
        0x01, 0x00, 0x07, b'S', b'E', b'P', b'0', b'0', b'1', b'1',
        0x02, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05,
    ];
    assert_eq!(
        Message::decode(&old),
        Err(TvsError::LengthMismatch {
            declared: 0,
            actual: 20
        })
    );
}

#[test]
fn round_trips() -> Result<(), TvsError> {
    let requests = [
        sample_request(),
        VerifyRequest {
            session_id: u32::MAX,
            device_name: DeviceName::new(9999, [0xFF; 6]).unwrap_or_else(|e| unreachable!("{e}")),
            certificate: vec![].into(),
        },
        VerifyRequest {
            session_id: 0,
            device_name: DeviceName::new(0, [0; 6]).unwrap_or_else(|e| unreachable!("{e}")),
            certificate: vec![0xAB; 65_505].into(),
        },
    ];
    for request in requests {
        let wire = request.encode()?;
        let decoded = VerifyRequest::decode(&wire)?;
        assert_eq!(decoded, request);
        assert_eq!(decoded.encode()?, wire);
        assert_eq!(Frame::decode(&wire)?.clone().into_owned().encode()?, wire);
    }
    let all_roles = vec![
        Function::Sast,
        Function::Ccm,
        Function::CcmTftp,
        Function::Tftp,
        Function::Capf,
        Function::AppServer,
        Function::Tvs,
        Function::Unknown(99),
    ];
    let responses = [
        sample_response(),
        VerifyResponse::invalid(0),
        VerifyResponse::valid(1, vec![], 0)?,
        VerifyResponse::valid(2, all_roles, u32::MAX)?,
    ];
    for response in responses {
        let wire = response.encode()?;
        let decoded = VerifyResponse::decode(&wire)?;
        assert_eq!(decoded, response);
        assert_eq!(decoded.encode()?, wire);
        let Message::VerifyResponse(view) = Message::decode(&wire)? else {
            panic!("not decoded as a response");
        };
        assert_eq!(view.clone(), response);
    }
    Ok(())
}

#[test]
fn queries_keep_their_elements_opaque() -> Result<(), TvsError> {
    let query = Frame::new(Command::QueryRequest, 0x0A0B_0C0D)
        .with_element(ElementTag::DeviceName, &name_value(NAME.as_bytes()))?
        .with_element(ElementTag::Unknown(5), &[])?
        .with_element(ElementTag::Unknown(200), &[1, 2, 3])?
        .with_element(ElementTag::DeviceName, &[0xFF])?;
    let wire = query.encode()?;
    // Payload: (3 + 24) + 3 + (3 + 3) + (3 + 1) = 40.
    #[rustfmt::skip]
    let head = [0x57, 0x01, 0x03, 0x00, 0x0A, 0x0B, 0x0C, 0x0D, 0x00, 0x28];
    assert_eq!(wire.get(..HEADER_LEN), Some(&head[..]));
    let Message::QueryRequest(query_frame) = Message::decode(&wire)? else {
        panic!("not decoded as a query");
    };
    let elements: Vec<_> = query_frame
        .elements()
        .map(|e| (e.tag.code(), e.value))
        .collect();
    assert_eq!(
        elements,
        [
            (1, &name_value(NAME.as_bytes())[..]),
            (5, &[][..]),
            (200, &[1, 2, 3][..]),
            (1, &[0xFF][..]),
        ]
    );
    assert_eq!(query_frame.clone().into_owned(), query);
    assert_eq!(Frame::decode(&wire)?, query);
    assert_eq!(query_frame.clone().encode()?, wire);

    let answer = frame(4, 9, &[(7, &[0, 0]), (77, &[])]);
    let message = Message::decode(&answer)?;
    assert!(matches!(message, Message::QueryResponse(_)));
    assert_eq!(message.command(), Command::QueryResponse);
    assert_eq!(message.session_id(), 9);
    assert_eq!(
        Frame::decode(&answer)?.clone().into_owned().encode()?,
        answer
    );
    Ok(())
}

#[test]
fn the_reserved_byte_is_read_and_kept_by_frames() -> Result<(), TvsError> {
    let mut wire = REQUEST.to_vec();
    if let Some(b) = wire.get_mut(3) {
        *b = 0xFF;
    }
    let view = VerifyRequest::decode(&wire)?;
    let frame = Frame::decode(&wire)?;
    assert_eq!(frame.reserved, 0xFF);
    // The typed form writes 0; the frame keeps what it read.
    assert_eq!(view.clone().encode()?, REQUEST);
    assert_eq!(frame.clone().into_owned().encode()?, wire);
    Ok(())
}

#[test]
fn messages_read_as_sentences() -> Result<(), TvsError> {
    assert_eq!(
        Message::decode(&REQUEST)?.to_string(),
        "verify request in session 7: CP-7965-SEP0011215A1AE3 asks about a 5-byte certificate"
    );
    assert_eq!(
        Message::decode(&RESPONSE)?.to_string(),
        "verify response to session 7: the certificate is valid in the roles CCM+TFTP and TVS, \
         and the answer may be kept for 86400 seconds"
    );
    assert_eq!(
        Message::decode(&INVALID)?.to_string(),
        "verify response to session 7: the certificate is invalid"
    );
    let one = VerifyResponse::valid(3, vec![Function::Capf], 60)?.encode()?;
    assert_eq!(
        Message::decode(&one)?.to_string(),
        "verify response to session 3: the certificate is valid in the role CAPF, \
         and the answer may be kept for 60 seconds"
    );
    let none = VerifyResponse::valid(3, vec![], 60)?.encode()?;
    assert_eq!(
        Message::decode(&none)?.to_string(),
        "verify response to session 3: the certificate is valid in no role, \
         and the answer may be kept for 60 seconds"
    );
    let three = VerifyResponse::valid(3, vec![Function::Sast, Function::Ccm, Function::Tftp], 1)?
        .encode()?;
    assert!(
        Message::decode(&three)?
            .to_string()
            .contains("the roles SAST, CCM and TFTP,")
    );
    let empty = frame(4, 2, &[]);
    assert_eq!(
        Message::decode(&empty)?.to_string(),
        "query response in session 2 with no element"
    );
    let single = frame(3, 2, &[(6, &[1])]);
    assert_eq!(
        Message::decode(&single)?.to_string(),
        "query request in session 2 with 1 opaque element: tag 6 of 1 byte"
    );
    Ok(())
}

// --- Device names -------------------------------------------------------

#[test]
fn device_names() -> Result<(), DeviceNameError> {
    let name = DeviceName::new(7965, MAC)?;
    assert_eq!(name.as_str(), NAME);
    assert_eq!(name.as_bytes(), NAME.as_bytes());
    assert_eq!(name.as_bytes().len(), DEVICE_NAME_LEN);
    assert_eq!(name.model(), 7965);
    assert_eq!(name.mac(), MAC);
    assert_eq!(name.sep_name(), "SEP0011215A1AE3");
    assert_eq!(name.to_string(), NAME);
    assert_eq!(format!("{name:?}"), format!("DeviceName({NAME:?})"));
    assert_eq!(DeviceName::parse(NAME)?, name);
    assert_eq!(NAME.parse::<DeviceName>()?, name);
    assert_eq!(DeviceName::try_from(NAME)?, name);
    assert_eq!(DeviceName::from_bytes(NAME.as_bytes())?, name);
    assert_eq!(DeviceName::from_sep_name(7965, "SEP0011215A1AE3")?, name);
    assert_eq!(DeviceName::from_sep_name(7965, "sep0011215a1ae3")?, name);
    assert_eq!(
        DeviceName::new(42, MAC)?.as_str(),
        "CP-0042-SEP0011215A1AE3"
    );
    assert_eq!(DeviceName::new(42, MAC)?.model(), 42);
    for model in [0, 1, 999, 1000, 7811, 9999] {
        for mac in [[0; 6], [0xFF; 6], [0x0A, 0xB0, 0xC1, 0x2D, 0xE3, 0x4F]] {
            let name = DeviceName::new(model, mac)?;
            assert_eq!((name.model(), name.mac()), (model, mac));
            assert_eq!(DeviceName::parse(name.as_str())?, name);
        }
    }
    Ok(())
}

#[test]
fn device_name_errors() {
    use DeviceNameError::*;
    let cases: [(&str, DeviceNameError); 14] = [
        // Lower-case hex digits.
        ("CP-7965-SEP0011215a1ae3", BadMac { index: 18 }),
        // A 3-digit model.
        ("CP-796-SEP0011215A1AE3", BadModel { index: 6 }),
        // A 5-digit model.
        ("CP-79650-SEP0011215A1AE3", BadSeparator),
        // The bare CUCM name.
        ("SEP0011215A1AE3", BadPrefix),
        ("cp-7965-SEP0011215A1AE3", BadPrefix),
        ("CP-79x5-SEP0011215A1AE3", BadModel { index: 5 }),
        ("CP-7965-sep0011215A1AE3", BadSeparator),
        ("CP-7965_SEP0011215A1AE3", BadSeparator),
        ("CP-7965-SEP0011215A1AG3", BadMac { index: 21 }),
        ("CP-7965-SEP0011215A1AE", WrongLength { length: 22 }),
        ("CP-7965-SEP0011215A1AE3 ", WrongLength { length: 24 }),
        ("CP-7965-SEP0011215A1AE30", WrongLength { length: 24 }),
        ("", WrongLength { length: 0 }),
        ("CP-7965-SEP0011215A1AÉ3", BadMac { index: 21 }),
    ];
    for (text, error) in cases {
        assert_eq!(DeviceName::parse(text), Err(error), "{text:?}");
    }
    assert_eq!(
        DeviceName::new(10_000, MAC),
        Err(ModelTooLarge { model: 10_000 })
    );
    for sep in [
        "SEP0011215A1AE",
        "SEP0011215A1AE3X",
        "0011215A1AE3",
        "XEP0011215A1AE3",
        "SEP0011215A1AG3",
        "SEP0011215A1A\u{e9}",
    ] {
        assert_eq!(
            DeviceName::from_sep_name(7965, sep),
            Err(BadSepName),
            "{sep:?}"
        );
    }
    assert_eq!(
        DeviceName::from_sep_name(65_535, "SEP0011215A1AE3"),
        Err(ModelTooLarge { model: 65_535 })
    );
    assert_eq!(
        BadModel { index: 6 }.to_string(),
        "character 7 is not a digit (the model takes the 4 characters after CP-)"
    );
    assert_eq!(
        WrongLength { length: 22 }.to_string(),
        "the name has 22 bytes, but a TVS device name has 23 (CP-, 4 digits, -SEP, 12 hexadecimal digits)"
    );
}

// --- Errors, one crafted input each -------------------------------------

#[test]
fn error_truncated_header() {
    assert_eq!(
        Frame::decode(&[]),
        Err(TvsError::TruncatedHeader { length: 0 })
    );
    assert_eq!(
        Message::decode(&REQUEST[..9]),
        Err(TvsError::TruncatedHeader { length: 9 })
    );
}

#[test]
fn error_wrong_protocol_id_and_version() {
    let mut wire = REQUEST.to_vec();
    if let Some(b) = wire.first_mut() {
        *b = b'X';
    }
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::WrongProtocolId { found: b'X' })
    );
    let mut wire = REQUEST.to_vec();
    if let Some(b) = wire.get_mut(1) {
        *b = 2;
    }
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::UnsupportedVersion { found: 2 })
    );
}

/// Like the TVS daemon and the phones, the codec reads a request of a
/// version lower than its own (1) and refuses only a higher one.
#[test]
fn a_lower_version_is_read_and_only_a_higher_one_refused() -> Result<(), TvsError> {
    let mut old = REQUEST.to_vec();
    old[1] = 0;
    // The framing, the message and the typed request all read version 0.
    let frame = Frame::decode(&old)?;
    assert_eq!(frame.version, 0);
    assert_eq!(Frame::decode(&REQUEST)?.version, 1);
    // Lossless: the frame writes its version 0 back.
    assert_eq!(frame.clone().into_owned().version, 0);
    assert_eq!(frame.clone().into_owned().encode()?, old);
    assert_eq!(VerifyRequest::decode(&old)?, sample_request());
    let Message::VerifyRequest(view) = Message::decode(&old)? else {
        panic!("a version 0 request decodes as a verify request");
    };
    assert_eq!(view.clone(), sample_request());
    // The typed builders write version 1 (the answer is ours).
    assert_eq!(view.clone().encode()?, REQUEST);
    let mut old_answer = RESPONSE.to_vec();
    old_answer[1] = 0;
    assert_eq!(VerifyResponse::decode(&old_answer)?, sample_response());
    // A TVS answers a version 0 request, in version 1.
    let tvs = server();
    let mut request = sample_request();
    request.certificate = cert("callmanager-pub.pem").der().to_vec().into();
    let mut wire = request.encode()?;
    wire[1] = 0;
    let answer = tvs.handle(&wire)?;
    assert_eq!(&answer[..2], &[b'W', 1]);
    assert!(matches!(
        VerifyResponse::decode(&answer)?.verdict,
        Verdict::Valid { .. }
    ));
    // Higher versions are refused, by every decoder, with the version.
    for version in [2u8, 3, 0x80, 0xFF] {
        let mut new = REQUEST.to_vec();
        new[1] = version;
        let refused = Err(TvsError::UnsupportedVersion { found: version });
        assert_eq!(Frame::decode(&new).map(|_| ()), refused);
        assert_eq!(Message::decode(&new).map(|_| ()), refused);
        assert_eq!(VerifyRequest::decode(&new).map(|_| ()), refused);
        assert_eq!(tvs.handle(&new).map(|_| ()), refused);
    }
    assert_eq!(
        TvsError::UnsupportedVersion { found: 2 }.to_string(),
        "protocol version 2 at offset 1 is newer than version 1, the highest this codec reads"
    );
    // Nothing is written that would be refused.
    let mut future = Frame::new(Command::QueryRequest, 1);
    future.version = 2;
    assert_eq!(
        future.encode(),
        Err(TvsError::UnsupportedVersion { found: 2 })
    );
    assert_eq!(Frame::new(Command::QueryRequest, 1).version, 1);
    Ok(())
}

#[test]
fn error_length_mismatch() {
    // Declared longer than what follows.
    assert_eq!(
        Message::decode(&REQUEST[..44]),
        Err(TvsError::LengthMismatch {
            declared: 35,
            actual: 34
        })
    );
    // A byte after the declared payload.
    let mut wire = REQUEST.to_vec();
    wire.push(0);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::LengthMismatch {
            declared: 35,
            actual: 36
        })
    );
    // The largest declared length, nothing after.
    assert_eq!(
        Frame::decode(&[87, 1, 3, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
        Err(TvsError::LengthMismatch {
            declared: 65_535,
            actual: 0
        })
    );
    // More bytes than any header can declare.
    let mut wire = raw(3, 0, &[]);
    wire.resize(HEADER_LEN + 70_000, 0);
    assert_eq!(
        Frame::decode(&wire),
        Err(TvsError::LengthMismatch {
            declared: 0,
            actual: 70_000
        })
    );
}

#[test]
fn error_truncated_element() {
    // Two bytes, not even a tag and a length.
    assert_eq!(
        Frame::decode(&raw(1, 1, &[1, 0])),
        Err(TvsError::TruncatedElement {
            offset: 10,
            needed: 3,
            available: 2
        })
    );
    // A value running past the end, after a complete element.
    assert_eq!(
        Message::decode(&raw(3, 1, &[1, 0, 1, 0xAA, 2, 0, 5, 0x30])),
        Err(TvsError::TruncatedElement {
            offset: 14,
            needed: 8,
            available: 4
        })
    );
}

#[test]
fn error_commands() -> Result<(), TvsError> {
    assert_eq!(
        Message::decode(&frame(0, 1, &[])),
        Err(TvsError::UnknownCommand { found: 0 })
    );
    assert_eq!(
        Message::decode(&frame(5, 1, &[])),
        Err(TvsError::UnknownCommand { found: 5 })
    );
    // A frame still decodes, whatever its command.
    assert_eq!(
        Frame::decode(&frame(5, 1, &[]))?.command,
        Command::Unknown(5)
    );
    assert_eq!(
        VerifyRequest::decode(&RESPONSE),
        Err(TvsError::UnexpectedCommand {
            expected: Command::VerifyRequest,
            found: Command::VerifyResponse
        })
    );
    assert_eq!(
        VerifyResponse::decode(&REQUEST),
        Err(TvsError::UnexpectedCommand {
            expected: Command::VerifyResponse,
            found: Command::VerifyRequest
        })
    );
    assert_eq!(
        VerifyResponse::decode(&frame(4, 1, &[(7, &[0])])),
        Err(TvsError::UnexpectedCommand {
            expected: Command::VerifyResponse,
            found: Command::QueryResponse
        })
    );
    Ok(())
}

#[test]
fn error_unexpected_element() {
    let name = name_value(NAME.as_bytes());
    let unexpected = |command, tag, offset| {
        Some(TvsError::UnexpectedElement {
            command,
            tag,
            offset,
        })
    };
    let request = Command::VerifyRequest;
    let response = Command::VerifyResponse;
    // An unknown tag in a request, wherever it is.
    let wire = frame(1, 1, &[(1, &name), (2, &[0x30]), (3, &[])]);
    assert_eq!(
        VerifyRequest::decode(&wire).err(),
        unexpected(request, ElementTag::Unknown(3), 41)
    );
    let wire = frame(1, 1, &[(0, &[]), (1, &name), (2, &[0x30])]);
    assert_eq!(
        Message::decode(&wire).err(),
        unexpected(request, ElementTag::Unknown(0), 10)
    );
    // A response's element in a request.
    let wire = frame(1, 1, &[(1, &name), (7, &[0]), (2, &[0x30])]);
    assert_eq!(
        Message::decode(&wire).err(),
        unexpected(request, ElementTag::Status, 37)
    );
    // A request's element, or an unknown one, in a response.
    let wire = frame(2, 1, &[(7, &[1]), (2, &[0x30])]);
    assert_eq!(
        Message::decode(&wire).err(),
        unexpected(response, ElementTag::Certificate, 14)
    );
    let wire = frame(2, 1, &[(255, &[]), (7, &[1])]);
    assert_eq!(
        Message::decode(&wire).err(),
        unexpected(response, ElementTag::Unknown(255), 10)
    );
    // An invalid answer carries the STATUS alone.
    let wire = frame(2, 1, &[(7, &[1]), (8, &[2])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        unexpected(response, ElementTag::Roles, 14)
    );
    let wire = frame(2, 1, &[(9, &[0, 0, 0, 1]), (7, &[1])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        unexpected(response, ElementTag::TimeToLive, 10)
    );
    let wire = frame(2, 1, &[(7, &[1]), (9, &[0, 0, 0, 1]), (8, &[])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        unexpected(response, ElementTag::TimeToLive, 14)
    );
}

#[test]
fn error_duplicate_element() {
    let name = name_value(NAME.as_bytes());
    let wire = frame(1, 1, &[(1, &name), (2, &[0x30]), (1, &name)]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::DeviceName,
            first_offset: 10,
            offset: 41
        })
    );
    let wire = frame(1, 1, &[(2, &[]), (2, &[])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::Certificate,
            first_offset: 10,
            offset: 13
        })
    );
    let wire = frame(2, 1, &[(7, &[0]), (8, &[]), (7, &[0])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::Status,
            first_offset: 10,
            offset: 17
        })
    );
    let wire = frame(2, 1, &[(8, &[]), (8, &[1])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::Roles,
            first_offset: 10,
            offset: 13
        })
    );
    let wire = frame(2, 1, &[(9, &[0; 4]), (9, &[0; 4])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::TimeToLive,
            first_offset: 10,
            offset: 17
        })
    );
}

#[test]
fn error_missing_element() {
    let name = name_value(NAME.as_bytes());
    let missing = |command, tag| Err(TvsError::MissingElement { command, tag });
    let request = Command::VerifyRequest;
    let response = Command::VerifyResponse;
    assert_eq!(
        Message::decode(&frame(1, 1, &[(2, &[0x30])])),
        missing(request, ElementTag::DeviceName)
    );
    assert_eq!(
        Message::decode(&frame(1, 1, &[(1, &name)])),
        missing(request, ElementTag::Certificate)
    );
    assert_eq!(
        Message::decode(&frame(1, 1, &[])),
        missing(request, ElementTag::DeviceName)
    );
    assert_eq!(
        Message::decode(&frame(2, 1, &[(8, &[1]), (9, &[0; 4])])),
        missing(response, ElementTag::Status)
    );
    assert_eq!(
        Message::decode(&frame(2, 1, &[(7, &[0]), (9, &[0; 4])])),
        missing(response, ElementTag::Roles)
    );
    assert_eq!(
        Message::decode(&frame(2, 1, &[(8, &[1]), (7, &[0])])),
        missing(response, ElementTag::TimeToLive)
    );
}

#[test]
fn error_device_name_prefix() {
    let bad = |found| Err(TvsError::BadDeviceNamePrefix { offset: 10, found });
    // The name without the 0x01 before it.
    let wire = frame(1, 1, &[(1, NAME.as_bytes()), (2, &[0x30])]);
    assert_eq!(Message::decode(&wire), bad(Some(b'C')));
    // Another first byte.
    let mut value = name_value(NAME.as_bytes());
    if let Some(b) = value.first_mut() {
        *b = 0x02;
    }
    let wire = frame(1, 1, &[(1, &value), (2, &[0x30])]);
    assert_eq!(Message::decode(&wire), bad(Some(0x02)));
    // An empty value.
    let wire = frame(1, 1, &[(1, &[]), (2, &[0x30])]);
    assert_eq!(Message::decode(&wire), bad(None));
}

#[test]
fn error_device_name() {
    let cases: [(&[u8], DeviceNameError); 6] = [
        (
            b"CP-7965-SEP0011215a1ae3",
            DeviceNameError::BadMac { index: 18 },
        ),
        (
            b"CP-796-SEP0011215A1AE3",
            DeviceNameError::BadModel { index: 6 },
        ),
        (b"SEP0011215A1AE3", DeviceNameError::BadPrefix),
        (b"", DeviceNameError::WrongLength { length: 0 }),
        (
            b"CP-7965-SEP0011215A1AE3\0",
            DeviceNameError::WrongLength { length: 24 },
        ),
        (
            b"CP-7965-SEP0011215A1A\xFF3",
            DeviceNameError::BadMac { index: 21 },
        ),
    ];
    for (name, error) in cases {
        let value = name_value(name);
        let wire = frame(1, 1, &[(2, &[0x30]), (1, &value)]);
        assert_eq!(
            Message::decode(&wire),
            Err(TvsError::BadDeviceName { offset: 14, error }),
            "{name:?}"
        );
    }
}

#[test]
fn error_status() {
    assert_eq!(
        Message::decode(&frame(2, 1, &[(7, &[])])),
        Err(TvsError::BadStatusLength {
            offset: 10,
            length: 0
        })
    );
    assert_eq!(
        Message::decode(&frame(2, 1, &[(7, &[0, 0])])),
        Err(TvsError::BadStatusLength {
            offset: 10,
            length: 2
        })
    );
    for found in [2, 0x80, 0xFF] {
        assert_eq!(
            Message::decode(&frame(2, 1, &[(8, &[]), (7, &[found])])),
            Err(TvsError::BadStatus { offset: 13, found })
        );
    }
}

#[test]
fn error_ttl_length() {
    for length in [0, 2, 3, 5, 8] {
        let value = vec![0; length];
        let wire = frame(2, 1, &[(7, &[0]), (8, &[]), (9, &value)]);
        assert_eq!(
            Message::decode(&wire),
            Err(TvsError::BadTtlLength { offset: 17, length })
        );
    }
}

#[test]
fn error_too_long() -> Result<(), TvsError> {
    let mut request = sample_request();
    request.certificate = vec![0; 65_536].into();
    assert_eq!(
        request.encode(),
        Err(TvsError::ValueTooLong {
            tag: ElementTag::Certificate,
            length: 65_536
        })
    );
    // 10 + 27 + 3 + 65,505 bytes: the largest request.
    request.certificate = vec![0; 65_505].into();
    let wire = request.encode()?;
    assert_eq!(wire.len(), HEADER_LEN + MAX_PAYLOAD_LEN);
    assert_eq!(wire.get(8..10), Some(&[0xFF, 0xFF][..]));
    assert_eq!(VerifyRequest::decode(&wire)?, request);
    request.certificate = vec![0; 65_506].into();
    assert_eq!(
        request.encode(),
        Err(TvsError::PayloadTooLong { length: 65_536 })
    );

    let roles = vec![Function::Tvs; 65_535 - 14];
    assert!(VerifyResponse::valid(1, roles.clone(), 0)?.encode().is_ok());
    let mut roles = roles;
    roles.push(Function::Tvs);
    assert_eq!(
        VerifyResponse::valid(1, roles, 0)?.encode(),
        Err(TvsError::PayloadTooLong { length: 65_536 })
    );
    assert_eq!(
        VerifyResponse::valid(1, vec![Function::Ccm; 65_536], 0)?.encode(),
        Err(TvsError::ValueTooLong {
            tag: ElementTag::Roles,
            length: 65_536
        })
    );

    let frame = Frame::new(Command::QueryRequest, 1)
        .with_element(ElementTag::Unknown(4), &[0; 10])?
        .with_element(ElementTag::Unknown(3), &vec![0; 65_536]);
    assert_eq!(
        frame,
        Err(TvsError::ValueTooLong {
            tag: ElementTag::Unknown(3),
            length: 65_536
        })
    );
    let frame = Frame::new(Command::QueryResponse, 1)
        .with_element(ElementTag::Unknown(3), &vec![0; 65_532])?
        .with_element(ElementTag::Unknown(4), &[])?;
    assert_eq!(
        frame.encode(),
        Err(TvsError::PayloadTooLong { length: 65_538 })
    );
    Ok(())
}

#[test]
fn error_role_not_encodable() {
    assert_eq!(
        VerifyResponse::valid(1, vec![Function::Tvs, Function::Unknown(256)], 1),
        Err(TvsError::RoleNotEncodable { code: 256 })
    );
}

/// Was the doctest of `TvsError`.
#[test]
fn error_truncated_header_reads_as_a_sentence() {
    let err = Frame::decode(&[87, 1, 1]);
    assert_eq!(err, Err(TvsError::TruncatedHeader { length: 3 }));
    let text = err.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert_eq!(
        text,
        "the message has 3 bytes, fewer than the 10 of a TVS header"
    );
}

#[test]
fn errors_read_as_sentences() {
    let cases: [(TvsError, &str); 6] = [
        (
            TvsError::LengthMismatch {
                declared: 35,
                actual: 34,
            },
            "the header declares 35 bytes of elements at offset 8, but 34 follow",
        ),
        (
            TvsError::UnexpectedElement {
                command: Command::VerifyRequest,
                tag: ElementTag::Unknown(3),
                offset: 41,
            },
            "a verify request may not carry the unknown element (tag 3) found at offset 41",
        ),
        (
            TvsError::MissingElement {
                command: Command::VerifyResponse,
                tag: ElementTag::TimeToLive,
            },
            "the verify response lacks its time to live element (tag 9)",
        ),
        (
            TvsError::BadDeviceName {
                offset: 10,
                error: DeviceNameError::BadMac { index: 18 },
            },
            "the device name element at offset 10 is refused: character 19 is not an upper-case \
             hexadecimal digit (the MAC address takes the 12 characters after -SEP)",
        ),
        (
            TvsError::BadStatus {
                offset: 10,
                found: 2,
            },
            "the status element at offset 10 holds 2, neither 0 (valid) nor 1 (invalid)",
        ),
        (
            TvsError::UnknownCommand { found: 5 },
            "command 5 at offset 2 is not one TVS defines (1 to 4)",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
}

// --- The server ---------------------------------------------------------

fn server() -> TvsServer {
    TvsServer::new("cucm-pub", cert("tvs-pub.pem"))
        .trust(cert("callmanager-pub.pem").der(), &[Function::CcmTftp])
        .trust_for(
            cert("peer-asterisk.pem").der(),
            &[Function::AppServer, Function::Tvs],
            600,
        )
}

fn ask(server: &TvsServer, certificate: &[u8]) -> Result<VerifyResponse<'static>, TvsError> {
    let request = VerifyRequest {
        session_id: 0xCAFE,
        device_name: device_name(),
        certificate: certificate.into(),
    };
    VerifyResponse::decode(&server.handle(&request.encode()?)?).map(VerifyResponse::into_owned)
}

#[test]
fn server_answers_by_sha256() -> Result<(), TvsError> {
    let tvs = server();
    let cm = cert("callmanager-pub.pem");
    assert_eq!(
        ask(&tvs, cm.der())?,
        VerifyResponse::valid(0xCAFE, vec![Function::CcmTftp], 86_400)?
    );
    assert_eq!(
        ask(&tvs, cert("peer-asterisk.pem").der())?,
        VerifyResponse::valid(0xCAFE, vec![Function::AppServer, Function::Tvs], 600)?
    );
    // Unknown: STATUS alone, byte for byte.
    let request = VerifyRequest {
        session_id: 7,
        ..sample_request()
    };
    assert_eq!(tvs.handle(&request.encode()?)?, INVALID);
    // Keyed by SHA-256: one entry per certificate, the last one wins.
    let tvs = tvs.trust_for(cm.der(), &[Function::Tftp], 5);
    assert_eq!(tvs.entries().len(), 2);
    let entry = tvs.lookup(cm.der());
    assert_eq!(entry.map(|e| e.id), Some(certificate_sha256(cm.der())));
    assert_eq!(
        ask(&tvs, cm.der())?,
        VerifyResponse::valid(0xCAFE, vec![Function::Tftp], 5)?
    );
    assert!(tvs.entries().windows(2).all(|w| match w {
        [a, b] => a.id < b.id,
        _ => true,
    }));
    Ok(())
}

#[test]
fn server_refuses_bad_requests() -> Result<(), TvsError> {
    let tvs = server();
    let cm = cert("callmanager-pub.pem");
    let name = name_value(NAME.as_bytes());
    // An unknown tag.
    let wire = frame(1, 1, &[(1, &name), (2, cm.der()), (4, &[])]);
    assert!(matches!(
        tvs.handle(&wire),
        Err(TvsError::UnexpectedElement {
            tag: ElementTag::Unknown(4),
            ..
        })
    ));
    // The bare SEP name, and lower-case hex.
    let wire = frame(1, 1, &[(1, &name_value(b"SEP0011215A1AE3")), (2, cm.der())]);
    assert_eq!(
        tvs.handle(&wire),
        Err(TvsError::BadDeviceName {
            offset: 10,
            error: DeviceNameError::BadPrefix
        })
    );
    let wire = frame(
        1,
        1,
        &[(1, &name_value(b"CP-7965-SEP0011215a1ae3")), (2, cm.der())],
    );
    assert!(matches!(
        tvs.handle(&wire),
        Err(TvsError::BadDeviceName { .. })
    ));
    // A response, or a query, is not a request.
    assert!(matches!(
        tvs.handle(&RESPONSE),
        Err(TvsError::UnexpectedCommand { .. })
    ));
    assert!(matches!(
        tvs.handle(&frame(3, 1, &[])),
        Err(TvsError::UnexpectedCommand { .. })
    ));
    // A role that does not fit a byte.
    let odd = TvsServer::new("odd", cert("tvs-pub.pem")).trust(cm.der(), &[Function::Unknown(300)]);
    assert_eq!(
        ask(&odd, cm.der()),
        Err(TvsError::RoleNotEncodable { code: 300 })
    );

    // Through InMemoryTvs: no answer, and the refusal kept.
    let mut servers = InMemoryTvs::new(vec![tvs]);
    assert_eq!(servers.exchange(0, &frame(1, 1, &[(9, &[])])), None);
    assert_eq!((servers.queries, servers.refused), (0, 1));
    assert!(matches!(
        servers.last_refusal,
        Some(TvsError::UnexpectedElement { .. })
    ));
    assert!(servers.exchange(0, &REQUEST).is_some());
    assert_eq!((servers.queries, servers.refused), (1, 1));
    Ok(())
}

// --- The phone's requests -----------------------------------------------

/// A TVS that records the requests it receives.
struct Recorder {
    inner: InMemoryTvs,
    requests: Vec<Vec<u8>>,
}

impl TrustVerifier for Recorder {
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>> {
        self.inner.server_certificate(server)
    }

    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>> {
        self.requests.push(request.to_vec());
        self.inner.exchange(server, request)
    }
}

/// A phone holding CUCM's ITL (whose TVS record names `tvs-pub.pem`).
fn phone(name: &str) -> Phone {
    let mut p = Phone::new(name);
    let clock = ManualClock::new(0);
    let mut none = InMemoryTvs::unreachable();
    assert_eq!(
        p.offer_trust_list("ITLFile.tlv", &read("cucm-ITLFile.tlv"), &mut none, &clock),
        Ok(Trust::FirstUse)
    );
    p
}

fn recorder() -> Recorder {
    Recorder {
        inner: InMemoryTvs::new(vec![server()]),
        requests: Vec::new(),
    }
}

#[test]
fn phone_sends_its_tvs_device_name() -> Result<(), TvsError> {
    let clock = ManualClock::new(0);
    let asterisk = cert("peer-asterisk.pem");
    for (phone, expected) in [
        (phone("SEP0011215A1AE3"), NAME),
        (phone("SEP0011215a1ae3"), NAME),
        (
            phone("SEPA1B2C3D4E5F6").with_model(8841),
            "CP-8841-SEPA1B2C3D4E5F6",
        ),
    ] {
        let mut phone = phone;
        let mut tvs = recorder();
        assert_eq!(
            phone.check_server_certificate(asterisk.der(), &mut tvs, &clock),
            Ok(Trust::Tvs { server: 0 })
        );
        assert_eq!(tvs.requests.len(), 1);
        let wire = tvs.requests.first().map(Vec::as_slice).unwrap_or_default();
        let request = VerifyRequest::decode(wire)?;
        assert_eq!(request.device_name.as_str(), expected);
        assert_eq!(&request.certificate[..], asterisk.der());
        assert_eq!(
            phone.tvs_device_name().map(|n| n.to_string()),
            Ok(expected.to_string())
        );
        // The name sits after 0x01 at offset 14, after the header and the
        // element's tag and length.
        assert_eq!(wire.get(10..14), Some(&[0x01, 0x00, 0x18, 0x01][..]));
        assert_eq!(wire.get(14..37), Some(expected.as_bytes()));
    }
    Ok(())
}

#[test]
fn phone_with_a_malformed_name_does_not_ask() {
    let clock = ManualClock::new(0);
    let asterisk = cert("peer-asterisk.pem");
    for (mut phone, error) in [
        (phone("my-phone"), DeviceNameError::BadSepName),
        (phone("SEP0011215A1AE"), DeviceNameError::BadSepName),
        (
            phone("SEP0011215A1AE3").with_model(10_000),
            DeviceNameError::ModelTooLarge { model: 10_000 },
        ),
    ] {
        let mut tvs = recorder();
        assert_eq!(
            phone.check_server_certificate(asterisk.der(), &mut tvs, &clock),
            Err(Rejection::Untrusted(TvsOutcome::BadDeviceName(error)))
        );
        assert!(tvs.requests.is_empty());
        assert_eq!(phone.tvs_device_name(), Err(error));
    }
    assert!(Phone::try_new("my-phone").is_err());
    assert!(Phone::try_new("SEP0011215A1AE3").is_ok());
    assert_eq!(
        TvsOutcome::BadDeviceName(DeviceNameError::BadSepName).to_string(),
        "the phone could not ask TVS, having no valid TVS device name: \
         the phone name is not SEP followed by 12 hexadecimal digits"
    );
}

// --- Robustness ----------------------------------------------------------

/// Whether a decoded message is written as the typed builders write it:
/// version 1, reserved byte 0 and the elements in the order of the
/// protocol's tables.
fn canonical(frame: &Frame<'_>, message: &Message<'_>) -> bool {
    let tags: Vec<u8> = frame.elements().map(|e| e.tag.code()).collect();
    frame.reserved == 0
        && frame.version == 1
        && match message {
            Message::VerifyRequest(_) => tags == [1, 2],
            Message::VerifyResponse(view) if view.is_valid() => tags == [7, 8, 9],
            Message::VerifyResponse(_) => tags == [7],
            _ => true,
        }
}

/// Every accessor, and the round trips a decoded message promises.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let frame = Frame::decode(bytes);
    let message = Message::decode(bytes);
    if let Err(e) = &message {
        let _ = e.to_string();
    }
    let Ok(frame) = frame else {
        prop_assert!(message.is_err());
        return Ok(());
    };
    // Frames always round-trip byte for byte.
    let again = frame.clone().into_owned().encode();
    prop_assert_eq!(again.as_deref(), Ok(bytes));
    let mut pos = HEADER_LEN;
    for e in frame.elements() {
        prop_assert_eq!(e.offset, pos);
        pos += 3 + e.value.len();
    }
    prop_assert_eq!(pos, bytes.len());
    let Ok(message) = message else {
        return Ok(());
    };
    let _ = message.to_string();
    prop_assert_eq!(message.command(), frame.command);
    prop_assert_eq!(message.session_id(), frame.session_id);
    if let Message::QueryRequest(f) | Message::QueryResponse(f) = &message {
        prop_assert_eq!(f, &frame);
    }
    let typed = match &message {
        Message::VerifyRequest(view) => Some(view.clone().encode()),
        Message::VerifyResponse(view) => Some(view.clone().encode()),
        _ => None,
    };
    if let Some(wire) = typed {
        let wire = wire.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(wire == bytes, canonical(&frame, &message));
        let again = Message::decode(&wire).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match (&message, &again) {
            (Message::VerifyRequest(a), Message::VerifyRequest(b)) => {
                prop_assert_eq!(a.clone(), b.clone());
            }
            (Message::VerifyResponse(a), Message::VerifyResponse(b)) => {
                prop_assert_eq!(a.clone(), b.clone());
            }
            _ => prop_assert!(false, "the command changed"),
        }
    }
    Ok(())
}

/// Elements around the real tags, with values of the real shapes often.
fn element() -> impl Strategy<Value = (u8, Vec<u8>)> {
    prop_oneof![
        (0u8..12, proptest::collection::vec(any::<u8>(), 0..8)),
        Just((1u8, name_value(NAME.as_bytes()))),
        "CP-[0-9]{4}-SEP[0-9A-Fa-f]{12}".prop_map(|n| (1u8, name_value(n.as_bytes()))),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|v| (2u8, v)),
        (0u8..3).prop_map(|s| (7u8, vec![s])),
        proptest::collection::vec(any::<u8>(), 0..6).prop_map(|v| (8u8, v)),
        any::<u32>().prop_map(|t| (9u8, t.to_be_bytes().to_vec())),
    ]
}

/// Valid requests and responses, their elements shuffled, sometimes with
/// one extra element.
fn well_formed() -> impl Strategy<Value = (u8, Vec<(u8, Vec<u8>)>)> {
    let request = (
        "CP-[0-9]{4}-SEP[0-9A-F]{12}",
        proptest::collection::vec(any::<u8>(), 0..30),
    )
        .prop_map(|(n, c)| (1u8, vec![(1u8, name_value(n.as_bytes())), (2u8, c)]));
    let valid = (proptest::collection::vec(any::<u8>(), 0..6), any::<u32>()).prop_map(|(r, t)| {
        (
            2u8,
            vec![(7u8, vec![0]), (8u8, r), (9u8, t.to_be_bytes().to_vec())],
        )
    });
    let invalid = Just((2u8, vec![(7u8, vec![1])]));
    (
        prop_oneof![request, valid, invalid],
        proptest::option::weighted(0.2, element()),
    )
        .prop_flat_map(|((command, mut elements), extra)| {
            elements.extend(extra);
            (Just(command), Just(elements).prop_shuffle())
        })
}

fn message_elements() -> impl Strategy<Value = (u8, Vec<(u8, Vec<u8>)>)> {
    prop_oneof![
        well_formed(),
        (0u8..6, proptest::collection::vec(element(), 0..5)),
    ]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        check(&bytes)?;
    }

    #[test]
    fn arbitrary_payloads_never_panic(
        command in 0u8..6,
        session_id in any::<u32>(),
        payload in proptest::collection::vec(any::<u8>(), 0..96),
    ) {
        check(&raw(command, session_id, &payload))?;
    }

    #[test]
    fn structured_messages(
        (command, elements) in message_elements(),
        session_id in any::<u32>(),
    ) {
        let refs: Vec<(u8, &[u8])> = elements.iter().map(|(t, v)| (*t, v.as_slice())).collect();
        let wire = frame(command, session_id, &refs);
        check(&wire)?;
        // Flipping any one byte never panics either.
        for i in 0..wire.len() {
            let mut flipped = wire.clone();
            if let Some(b) = flipped.get_mut(i) {
                *b ^= 0x5A;
            }
            check(&flipped)?;
        }
    }

    #[test]
    fn typed_request_round_trip(
        session_id in any::<u32>(),
        model in 0u16..10_000,
        mac in any::<[u8; 6]>(),
        certificate in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let device_name = DeviceName::new(model, mac).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let request = VerifyRequest { session_id, device_name, certificate: certificate.into() };
        let wire = request.encode().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(VerifyRequest::decode(&wire), Ok(request));
        check(&wire)?;
    }

    #[test]
    fn typed_response_round_trip(
        session_id in any::<u32>(),
        verdict in proptest::option::of((proptest::collection::vec(any::<u8>(), 0..20), any::<u32>())),
    ) {
        let response = match verdict {
            Some((codes, ttl)) => VerifyResponse::valid(
                session_id,
                codes.into_iter().map(|c| Function::from_code(u16::from(c))),
                ttl,
            ).map_err(|e| TestCaseError::fail(e.to_string()))?,
            None => VerifyResponse::invalid(session_id),
        };
        let wire = response.encode().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(VerifyResponse::decode(&wire), Ok(response));
        check(&wire)?;
    }

    #[test]
    fn device_name_parse_never_panics(text in "\\PC{0,30}", bytes in proptest::collection::vec(any::<u8>(), 0..30)) {
        if let Ok(name) = DeviceName::parse(&text) {
            prop_assert_eq!(name.as_str(), text.as_str());
            prop_assert_eq!(DeviceName::new(name.model(), name.mac()), Ok(name));
        }
        if let Ok(name) = DeviceName::from_bytes(&bytes) {
            prop_assert_eq!(&name.as_bytes()[..], &bytes[..]);
        }
    }
}

/// The structured generator must reach every typed form, or the properties
/// above would hold vacuously.
#[test]
fn structured_generator_reaches_typed_forms() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let strategy = message_elements();
    let mut runner = TestRunner::deterministic();
    let (mut requests, mut valid, mut invalid, mut queries) = (0, 0, 0, 0);
    for _ in 0..2_000 {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let (command, elements) = tree.current();
        let refs: Vec<(u8, &[u8])> = elements.iter().map(|(t, v)| (*t, v.as_slice())).collect();
        match Message::decode(&frame(command, 1, &refs)) {
            Ok(Message::VerifyRequest(_)) => requests += 1,
            Ok(Message::VerifyResponse(v)) if v.is_valid() => valid += 1,
            Ok(Message::VerifyResponse(_)) => invalid += 1,
            Ok(_) => queries += 1,
            Err(_) => {}
        }
    }
    eprintln!(
        "decoded out of 2000: {requests} requests, {valid} valid and {invalid} invalid responses, {queries} queries"
    );
    assert!(requests > 100, "only {requests} requests decoded");
    assert!(valid > 100, "only {valid} valid responses decoded");
    assert!(invalid > 50, "only {invalid} invalid responses decoded");
    assert!(queries > 50, "only {queries} queries decoded");
}

// --- The fuzz seeds -----------------------------------------------------

/// The seeds of the `tvs_decode` fuzz target (`fuzz/corpus/tvs_decode/`).
fn fuzz_seeds() -> Result<Vec<(&'static str, Vec<u8>)>, TvsError> {
    let cm = cert("callmanager-pub.pem");
    let name = name_value(NAME.as_bytes());
    Ok(vec![
        ("request-small", REQUEST.to_vec()),
        (
            "request-cert",
            VerifyRequest {
                session_id: 0x2A,
                device_name: device_name(),
                certificate: cm.der().into(),
            }
            .encode()?,
        ),
        (
            "request-reordered",
            frame(1, 3, &[(2, &[0x30, 0x00]), (1, &name)]),
        ),
        (
            "request-unknown-tag",
            frame(1, 4, &[(1, &name), (2, &[0x30]), (3, &[0xAA])]),
        ),
        (
            "request-bare-sep-name",
            frame(1, 5, &[(1, b"\x01SEP0011215A1AE3"), (2, &[0x30])]),
        ),
        ("response-valid", RESPONSE.to_vec()),
        (
            "response-valid-reordered",
            frame(
                2,
                6,
                &[(9, &[0, 0, 0x0E, 0x10]), (8, &[1, 2, 21]), (7, &[0])],
            ),
        ),
        ("response-invalid", INVALID.to_vec()),
        ("response-bad-status", frame(2, 8, &[(7, &[2])])),
        ("query-request", frame(3, 9, &[(1, &name), (5, &[1, 2, 3])])),
        ("query-response-empty", frame(4, 10, &[])),
        ("empty-payload", frame(1, 11, &[])),
    ])
}

/// The committed seeds are the ones `fuzz_seeds` gives. Run with
/// `ITL_WRITE_FUZZ_SEEDS=1` to (re)write them:
/// `ITL_WRITE_FUZZ_SEEDS=1 cargo test -p cisco-itl --test tvs_codec fuzz_seeds_are_current`.
#[test]
fn fuzz_seeds_are_current() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new("../fuzz/corpus/tvs_decode");
    let seeds = fuzz_seeds()?;
    if std::env::var_os("ITL_WRITE_FUZZ_SEEDS").is_some() {
        std::fs::create_dir_all(dir)?;
        for entry in std::fs::read_dir(dir)? {
            std::fs::remove_file(entry?.path())?;
        }
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(name), bytes)?;
        }
    }
    if !dir.exists() {
        // The crate published alone has no fuzz folder.
        return Ok(());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    on_disk.sort();
    let mut expected: Vec<String> = seeds.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "rewrite the seeds with ITL_WRITE_FUZZ_SEEDS=1"
    );
    for (name, bytes) in &seeds {
        assert_eq!(
            &std::fs::read(dir.join(name))?,
            bytes,
            "seed {name} is stale"
        );
        check(bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

// The examples that were the per-item doctests of `tvs::codec`, moved
// here as ordinary tests asserting the same values (the module docs keep
// a few real examples).
mod codec_doc_examples {
    use cisco_itl::tvs::codec::TvsError;

    /// Was the doctest of `PORT`.
    #[test]
    fn port() {
        assert_eq!(cisco_itl::tvs::codec::PORT, 2445);
    }

    /// Was the doctest of `PROTOCOL_ID`.
    #[test]
    fn protocol_id() {
        assert_eq!(cisco_itl::tvs::codec::PROTOCOL_ID, b'W');
    }

    /// Was the doctest of `VERSION`.
    #[test]
    fn version() {
        assert_eq!(cisco_itl::tvs::codec::VERSION, 1);
    }

    /// Was the doctest of `HEADER_LEN`.
    #[test]
    fn header_len() {
        assert_eq!(cisco_itl::tvs::codec::HEADER_LEN, 10);
    }

    /// Was the doctest of `ELEMENT_OVERHEAD`.
    #[test]
    fn element_overhead() {
        assert_eq!(cisco_itl::tvs::codec::ELEMENT_OVERHEAD, 3);
    }

    /// Was the doctest of `MAX_VALUE_LEN`.
    #[test]
    fn max_value_len() {
        assert_eq!(cisco_itl::tvs::codec::MAX_VALUE_LEN, 65_535);
    }

    /// Was the doctest of `MAX_PAYLOAD_LEN`.
    #[test]
    fn max_payload_len() {
        assert_eq!(cisco_itl::tvs::codec::MAX_PAYLOAD_LEN, 65_535);
    }

    /// Was the doctest of `DEVICE_NAME_PREFIX`.
    #[test]
    fn device_name_prefix() {
        assert_eq!(cisco_itl::tvs::codec::DEVICE_NAME_PREFIX, 0x01);
    }

    /// Was the doctest of `Command`.
    #[test]
    fn command() {
        use cisco_itl::tvs::codec::Command;
        assert_eq!(Command::from_code(2), Command::VerifyResponse);
        assert_eq!(Command::QueryRequest.code(), 3);
        assert_eq!(Command::from_code(9), Command::Unknown(9));
        assert_eq!(Command::QueryResponse.to_string(), "query response");
    }

    /// Was the doctest of `Command::from_code`.
    #[test]
    fn command_from_code() {
        use cisco_itl::tvs::codec::Command;
        assert_eq!(Command::from_code(1), Command::VerifyRequest);
    }

    /// Was the doctest of `Command::code`.
    #[test]
    fn command_code() {
        use cisco_itl::tvs::codec::Command;
        assert_eq!(Command::VerifyResponse.code(), 2);
    }

    /// Was the doctest of `ElementTag`.
    #[test]
    fn element_tag() {
        use cisco_itl::tvs::codec::ElementTag;
        assert_eq!(ElementTag::from_code(9), ElementTag::TimeToLive);
        assert_eq!(ElementTag::Roles.code(), 8);
        assert_eq!(ElementTag::from_code(3), ElementTag::Unknown(3));
        assert_eq!(ElementTag::Status.to_string(), "status element (tag 7)");
    }

    /// Was the doctest of `ElementTag::from_code`.
    #[test]
    fn element_tag_from_code() {
        use cisco_itl::tvs::codec::ElementTag;
        assert_eq!(ElementTag::from_code(1), ElementTag::DeviceName);
    }

    /// Was the doctest of `ElementTag::code`.
    #[test]
    fn element_tag_code() {
        use cisco_itl::tvs::codec::ElementTag;
        assert_eq!(ElementTag::Certificate.code(), 2);
    }

    /// Was the doctest of `Status`.
    #[test]
    fn status() {
        use cisco_itl::tvs::codec::Status;
        assert_eq!(Status::from_code(0), Some(Status::Valid));
        assert_eq!(Status::from_code(2), None);
        assert_eq!(Status::Invalid.code(), 1);
        assert!(Status::Valid.is_valid());
        assert_eq!(Status::Invalid.to_string(), "invalid");
    }

    /// Was the doctest of `Status::from_code`.
    #[test]
    fn status_from_code() {
        use cisco_itl::tvs::codec::Status;
        assert_eq!(Status::from_code(1), Some(Status::Invalid));
    }

    /// Was the doctest of `Status::code`.
    #[test]
    fn status_code() {
        use cisco_itl::tvs::codec::Status;
        assert_eq!(Status::Valid.code(), 0);
    }

    /// Was the doctest of `Status::is_valid`.
    #[test]
    fn status_is_valid() {
        use cisco_itl::tvs::codec::Status;
        assert!(!Status::Invalid.is_valid());
    }

    /// Was the doctest of `Element`.
    #[test]
    fn element() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{ElementTag, Frame};
        let wire = [87, 1, 2, 0, 0, 0, 0, 9, 0, 4, 7, 0, 1, 1];
        let frame = Frame::decode(&wire)?;
        let element = frame.elements().next();
        assert_eq!(
            element.map(|e| (e.tag, e.offset, e.value)),
            Some((ElementTag::Status, 10, &[1][..]))
        );
        Ok(())
    }

    /// Was the doctest of `Elements`.
    #[test]
    fn elements() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{ElementTag, Frame};
        // A query with an element of tag 5 and one of tag 1.
        let wire = [87, 1, 3, 0, 0, 0, 0, 1, 0, 8, 5, 0, 1, 0xAA, 1, 0, 1, 0xBB];
        let tags: Vec<_> = Frame::decode(&wire)?.elements().map(|e| e.tag).collect();
        assert_eq!(tags, [ElementTag::Unknown(5), ElementTag::DeviceName]);
        Ok(())
    }

    /// Was the doctest of `Roles`.
    #[test]
    fn roles() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire =
            VerifyResponse::valid(1, vec![Function::CcmTftp, Function::Tvs], 60)?.encode()?;
        let view = VerifyResponse::decode(&wire)?;
        let roles = view.roles().map(|r| r.collect::<Vec<_>>());
        assert_eq!(roles, Some(vec![Function::CcmTftp, Function::Tvs]));
        assert_eq!(view.roles().map(|r| r.len()), Some(2));
        Ok(())
    }

    /// Was the doctest of `Roles::as_bytes`.
    #[test]
    fn roles_as_bytes() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = VerifyResponse::valid(1, vec![Function::Capf], 60)?.encode()?;
        let view = VerifyResponse::decode(&wire)?;
        let roles = match &view.verdict {
            cisco_itl::tvs::codec::Verdict::Valid { roles, .. } => Some(&roles[..]),
            cisco_itl::tvs::codec::Verdict::Invalid => None,
        };
        assert_eq!(roles, Some(&[4][..]));
        Ok(())
    }

    /// Was the doctest of `Frame::decode`.
    #[test]
    fn frame_decode() {
        use cisco_itl::tvs::codec::{Frame, TvsError};
        // The header declares 1 byte of elements, 2 follow.
        let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 1, 7, 0];
        assert_eq!(
            Frame::decode(&wire),
            Err(TvsError::LengthMismatch {
                declared: 1,
                actual: 2
            })
        );
    }

    /// Was the doctest of `Frame::version`.
    #[test]
    fn frame_version() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        // A peer speaking an older version is read.
        let wire = [87, 0, 1, 0, 0, 0, 0, 9, 0, 0];
        assert_eq!(Frame::decode(&wire)?.version, 0);
        Ok(())
    }

    /// Was the doctest of `Frame::command`.
    #[test]
    fn frame_command() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, Frame};
        let wire = [87, 1, 7, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(Frame::decode(&wire)?.command, Command::Unknown(7));
        Ok(())
    }

    /// Was the doctest of `Frame::session_id`.
    #[test]
    fn frame_session_id() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 1, 0, 0x01, 0x02, 0x03, 0x04, 0, 0];
        assert_eq!(Frame::decode(&wire)?.session_id, 0x0102_0304);
        Ok(())
    }

    /// Was the doctest of `Frame::reserved`.
    #[test]
    fn frame_reserved() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 1, 5, 0, 0, 0, 0, 0, 0];
        assert_eq!(Frame::decode(&wire)?.reserved, 5);
        Ok(())
    }

    /// Was the doctest of `Frame::as_bytes`: a decoded frame encodes
    /// back to its bytes.
    #[test]
    fn frame_as_bytes() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
        assert_eq!(Frame::decode(&wire)?.encode()?, &wire[..]);
        Ok(())
    }

    /// Was the doctest of `Frame::payload`.
    #[test]
    fn frame_payload() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
        assert_eq!(Frame::decode(&wire)?.payload(), &[200, 0, 0][..]);
        Ok(())
    }

    /// Was the doctest of `Frame::elements`.
    #[test]
    fn frame_elements() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 7, 1, 0, 0, 77, 0, 1, 0xFF];
        let frame = Frame::decode(&wire)?;
        let found: Vec<_> = frame
            .elements()
            .map(|e| (e.tag.code(), e.offset, e.value))
            .collect();
        assert_eq!(found, [(1, 10, &[][..]), (77, 13, &[0xFF][..])]);
        Ok(())
    }

    /// Was the doctest of `Frame::element`.
    #[test]
    fn frame_element() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{ElementTag, Frame};
        let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 4, 9, 0, 1, 0xFF];
        let frame = Frame::decode(&wire)?;
        assert_eq!(
            frame.element(ElementTag::TimeToLive).map(|e| e.value),
            Some(&[0xFF][..])
        );
        assert_eq!(frame.element(ElementTag::Status), None);
        Ok(())
    }

    /// Was the doctest of `Frame::to_buf`.
    #[test]
    fn frame_to_buf() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Frame;
        let wire = [87, 1, 9, 3, 0, 0, 0, 1, 0, 4, 200, 0, 1, 7];
        assert_eq!(Frame::decode(&wire)?.clone().into_owned().encode()?, wire);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest`.
    #[test]
    fn verify_request_view() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyRequest;
        let mut wire = vec![0x57, 1, 1, 0, 0, 0, 0, 7, 0, 35, 1, 0, 24, 1];
        wire.extend_from_slice(b"CP-7965-SEP0011215A1AE3");
        wire.extend_from_slice(&[2, 0, 5, 0x30, 0x03, 0x02, 0x01, 0x05]);
        let view = VerifyRequest::decode(&wire)?;
        assert_eq!(view.session_id, 7);
        assert_eq!(view.device_name.as_str(), "CP-7965-SEP0011215A1AE3");
        assert_eq!(&view.certificate[..], &[0x30, 0x03, 0x02, 0x01, 0x05][..]);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::decode`.
    #[test]
    fn verify_request_view_decode() {
        use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyRequest};
        // A request with a CERTIFICATE and an element of unknown tag 5.
        let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 8, 2, 0, 1, 0x30, 5, 0, 1, 0];
        assert_eq!(
            VerifyRequest::decode(&wire),
            Err(TvsError::UnexpectedElement {
                command: Command::VerifyRequest,
                tag: ElementTag::Unknown(5),
                offset: 14
            })
        );
    }

    /// Was the doctest of `VerifyRequest::session_id`.
    #[test]
    fn verify_request_view_session_id() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let wire = VerifyRequest {
            session_id: 9,
            device_name,
            certificate: vec![0x30].into(),
        }
        .encode()?;
        assert_eq!(VerifyRequest::decode(&wire)?.session_id, 9);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::device_name`.
    #[test]
    fn verify_request_view_device_name() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let device_name = DeviceName::parse("CP-8841-SEPA1B2C3D4E5F6")?;
        let wire = VerifyRequest {
            session_id: 9,
            device_name,
            certificate: vec![0x30].into(),
        }
        .encode()?;
        assert_eq!(VerifyRequest::decode(&wire)?.device_name.model(), 8841);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::certificate`.
    #[test]
    fn verify_request_view_certificate() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let wire = VerifyRequest {
            session_id: 9,
            device_name,
            certificate: vec![0x30, 0].into(),
        }
        .encode()?;
        assert_eq!(
            &VerifyRequest::decode(&wire)?.certificate[..],
            &[0x30, 0][..]
        );
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::frame`.
    #[test]
    fn verify_request_view_frame() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let wire = VerifyRequest {
            session_id: 9,
            device_name,
            certificate: vec![0x30].into(),
        }
        .encode()?;
        assert_eq!(VerifyRequest::decode(&wire)?.encode()?, &wire[..]);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::to_request`.
    #[test]
    fn verify_request_view_to_request() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let request = VerifyRequest {
            session_id: 9,
            device_name,
            certificate: vec![0x30].into(),
        };
        let wire = request.encode()?;
        assert_eq!(VerifyRequest::decode(&wire)?.clone(), request);
        Ok(())
    }

    /// Was the doctest of `VerifyResponse`.
    #[test]
    fn verify_response_view() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::{Status, VerifyResponse};
        let wire = [
            0x57, 1, 2, 0, 0, 0, 0, 7, 0, 16, 7, 0, 1, 0, 8, 0, 2, 2, 21, 9, 0, 4, 0, 1, 0x51, 0x80,
        ];
        let view = VerifyResponse::decode(&wire)?;
        assert_eq!((view.session_id, view.status()), (7, Status::Valid));
        assert_eq!(
            view.roles().map(Iterator::collect),
            Some(vec![Function::CcmTftp, Function::Tvs])
        );
        assert_eq!(view.ttl_seconds(), Some(86_400));
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::decode`.
    #[test]
    fn verify_response_view_decode() {
        use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyResponse};
        // "Valid" without roles or time to live.
        let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 4, 7, 0, 1, 0];
        assert_eq!(
            VerifyResponse::decode(&wire),
            Err(TvsError::MissingElement {
                command: Command::VerifyResponse,
                tag: ElementTag::Roles
            })
        );
    }

    /// Was the doctest of `VerifyResponse::session_id`.
    #[test]
    fn verify_response_view_session_id() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert_eq!(VerifyResponse::decode(&wire)?.session_id, 3);
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::status`.
    #[test]
    fn verify_response_view_status() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Status, VerifyResponse};
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert_eq!(VerifyResponse::decode(&wire)?.status(), Status::Invalid);
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::is_valid`.
    #[test]
    fn verify_response_view_is_valid() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert!(!VerifyResponse::decode(&wire)?.is_valid());
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::roles`.
    #[test]
    fn verify_response_view_roles() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [
            87, 1, 2, 0, 0, 0, 0, 3, 0, 15, 7, 0, 1, 0, 8, 0, 1, 4, 9, 0, 4, 0, 0, 0, 60,
        ];
        let roles = VerifyResponse::decode(&wire)?
            .roles()
            .map(Iterator::collect);
        assert_eq!(roles, Some(vec![Function::Capf]));
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::ttl_seconds`.
    #[test]
    fn verify_response_view_ttl_seconds() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [
            87, 1, 2, 0, 0, 0, 0, 3, 0, 14, 7, 0, 1, 0, 8, 0, 0, 9, 0, 4, 0, 0, 0, 60,
        ];
        assert_eq!(VerifyResponse::decode(&wire)?.ttl_seconds(), Some(60));
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::frame`.
    #[test]
    fn verify_response_view_frame() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Frame, VerifyResponse};
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert_eq!(Frame::decode(&wire)?.elements().count(), 1);
        assert!(VerifyResponse::decode(&wire).is_ok());
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::to_response`.
    #[test]
    fn verify_response_view_to_response() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert_eq!(
            VerifyResponse::decode(&wire)?.clone(),
            VerifyResponse::invalid(3)
        );
        Ok(())
    }

    /// Was the doctest of `Message::decode`.
    #[test]
    fn message_decode() -> Result<(), TvsError> {
        use cisco_itl::tvs::codec::{Message, TvsError};
        let query = [87, 1, 3, 0, 0, 0, 0, 1, 0, 4, 1, 0, 1, 0xAA];
        assert!(matches!(Message::decode(&query)?, Message::QueryRequest(_)));
        let unknown = [87, 1, 9, 0, 0, 0, 0, 1, 0, 0];
        assert_eq!(
            Message::decode(&unknown),
            Err(TvsError::UnknownCommand { found: 9 })
        );
        Ok(())
    }

    /// Was the doctest of `Message::frame`.
    #[test]
    fn message_frame() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Message;
        let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 4, 1, 0, 1, 0xAA];
        let Message::QueryResponse(frame) = Message::decode(&wire)? else {
            panic!("not a query");
        };
        assert_eq!(frame.encode()?, &wire[..]);
        Ok(())
    }

    /// Was the doctest of `Message::command`.
    #[test]
    fn message_command() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, Message};
        let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 0];
        assert_eq!(Message::decode(&wire)?.command(), Command::QueryResponse);
        Ok(())
    }

    /// Was the doctest of `Message::session_id`.
    #[test]
    fn message_session_id() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::Message;
        let wire = [87, 1, 4, 0, 0, 0, 1, 0, 0, 0];
        assert_eq!(Message::decode(&wire)?.session_id(), 256);
        Ok(())
    }

    /// Was the doctest of `Message_Display`.
    #[test]
    fn message_display() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::{DeviceName, Message, VerifyRequest, VerifyResponse};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let wire = VerifyRequest {
            session_id: 7,
            device_name,
            certificate: vec![0x30; 5].into(),
        }
        .encode()?;
        assert_eq!(
            Message::decode(&wire)?.to_string(),
            "verify request in session 7: CP-7965-SEP0011215A1AE3 asks about a 5-byte certificate"
        );
        let wire =
            VerifyResponse::valid(7, vec![Function::CcmTftp, Function::Tvs], 86_400)?.encode()?;
        assert_eq!(
            Message::decode(&wire)?.to_string(),
            "verify response to session 7: the certificate is valid in the roles CCM+TFTP and TVS, \
                    and the answer may be kept for 86400 seconds"
        );
        let wire = [87, 1, 3, 0, 0, 0, 0, 2, 0, 9, 1, 0, 3, 1, 2, 3, 5, 0, 0];
        assert_eq!(
            Message::decode(&wire)?.to_string(),
            "query request in session 2 with 2 opaque elements: tag 1 of 3 bytes and tag 5 of 0 bytes"
        );
        Ok(())
    }

    /// Was the doctest of `VerifyRequest`.
    #[test]
    fn verify_request() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
        let request = VerifyRequest {
            session_id: 1,
            device_name: DeviceName::new(7965, [0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6])?,
            certificate: vec![0x30, 0x00].into(),
        };
        let wire = request.encode()?;
        assert_eq!(wire.len(), 10 + 3 + 24 + 3 + 2);
        assert_eq!(VerifyRequest::decode(&wire)?, request);
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::encode`.
    #[test]
    fn verify_request_encode() -> Result<(), Box<dyn std::error::Error>> {
        use cisco_itl::tvs::codec::{DeviceName, TvsError, VerifyRequest};
        let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
        let request = VerifyRequest {
            session_id: 1,
            device_name,
            certificate: vec![0; 65_506].into(),
        };
        assert_eq!(
            request.encode(),
            Err(TvsError::PayloadTooLong { length: 65_536 })
        );
        Ok(())
    }

    /// Was the doctest of `VerifyRequest::decode`.
    #[test]
    fn verify_request_decode() {
        use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyRequest};
        // A request carrying only a certificate.
        let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 4, 2, 0, 1, 0x30];
        assert_eq!(
            VerifyRequest::decode(&wire),
            Err(TvsError::MissingElement {
                command: Command::VerifyRequest,
                tag: ElementTag::DeviceName
            })
        );
    }

    /// Was the doctest of `Verdict`.
    #[test]
    fn verdict() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::{Status, Verdict, VerifyResponse};
        let verdict = VerifyResponse::valid(0, [Function::Tftp], 600)?.verdict;
        assert_eq!(verdict.status(), Status::Valid);
        assert_eq!(Verdict::Invalid.status(), Status::Invalid);
        Ok(())
    }

    /// Was the doctest of `Verdict::status`.
    #[test]
    fn verdict_status() {
        use cisco_itl::tvs::codec::{Status, Verdict};
        assert_eq!(Verdict::Invalid.status(), Status::Invalid);
    }

    /// Was the doctest of `VerifyResponse::valid`.
    #[test]
    fn verify_response_valid() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::{Status, TvsError, VerifyResponse};
        assert_eq!(
            VerifyResponse::valid(1, vec![Function::Ccm], 60)?.status(),
            Status::Valid
        );
        assert_eq!(
            VerifyResponse::valid(1, vec![Function::Unknown(300)], 60),
            Err(TvsError::RoleNotEncodable { code: 300 })
        );
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::invalid`.
    #[test]
    fn verify_response_invalid() {
        use cisco_itl::tvs::codec::{Status, VerifyResponse};
        assert_eq!(VerifyResponse::invalid(1).status(), Status::Invalid);
    }

    /// Was the doctest of `VerifyResponse::status`.
    #[test]
    fn verify_response_status() {
        use cisco_itl::tvs::codec::VerifyResponse;
        assert!(!VerifyResponse::invalid(1).status().is_valid());
    }

    /// Was the doctest of `VerifyResponse::roles`.
    #[test]
    fn verify_response_roles() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::Function;
        use cisco_itl::tvs::codec::VerifyResponse;
        assert_eq!(
            VerifyResponse::valid(1, vec![Function::Tvs], 60)?
                .roles()
                .map(|r| r.collect::<Vec<_>>()),
            Some(vec![Function::Tvs])
        );
        assert!(VerifyResponse::invalid(1).roles().is_none());
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::ttl_seconds`.
    #[test]
    fn verify_response_ttl_seconds() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        assert_eq!(
            VerifyResponse::valid(1, vec![], 60)?.ttl_seconds(),
            Some(60)
        );
        assert_eq!(VerifyResponse::invalid(1).ttl_seconds(), None);
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::encode`.
    #[test]
    fn verify_response_encode() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::VerifyResponse;
        let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 4, 7, 0, 1, 1];
        assert_eq!(VerifyResponse::invalid(1).encode()?, wire);
        Ok(())
    }

    /// Was the doctest of `VerifyResponse::decode`.
    #[test]
    fn verify_response_decode() -> Result<(), TvsError> {
        use cisco_itl::tvs::codec::{TvsError, VerifyResponse};
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
        assert_eq!(VerifyResponse::decode(&wire)?, VerifyResponse::invalid(3));
        let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 2];
        assert_eq!(
            VerifyResponse::decode(&wire),
            Err(TvsError::BadStatus {
                offset: 10,
                found: 2
            })
        );
        Ok(())
    }

    /// Was the doctest of `FrameBuf::new`, now `Frame::new`.
    #[test]
    fn frame_new() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, Frame};
        let wire = Frame::new(Command::QueryResponse, 1).encode()?;
        assert_eq!(wire, [87, 1, 4, 0, 0, 0, 0, 1, 0, 0]);
        Ok(())
    }

    /// Was the doctest of `FrameBuf::with_element`.
    #[test]
    fn frame_with_element() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, ElementTag, Frame};
        let frame =
            Frame::new(Command::QueryRequest, 1).with_element(ElementTag::Certificate, &[0x30])?;
        assert_eq!(frame.elements().count(), 1);
        Ok(())
    }

    /// Was the doctest of `FrameBuf::encode`.
    #[test]
    fn frame_encode() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, ElementTag, Frame, TvsError};
        let frame = Frame::new(Command::QueryRequest, 1)
            .with_element(ElementTag::Unknown(3), &vec![0; 40_000])?
            .with_element(ElementTag::Unknown(4), &vec![0; 40_000])?;
        assert_eq!(
            frame.encode(),
            Err(TvsError::PayloadTooLong { length: 80_006 })
        );
        Ok(())
    }

    /// Was the doctest of `FrameBuf::decode`.
    #[test]
    fn frame_buf_decode() -> Result<(), cisco_itl::tvs::codec::TvsError> {
        use cisco_itl::tvs::codec::{Command, Frame};
        let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 3, 6, 0, 0];
        let frame = Frame::decode(&wire)?;
        assert_eq!(
            (frame.command, frame.elements().count()),
            (Command::QueryResponse, 1)
        );
        Ok(())
    }
}
