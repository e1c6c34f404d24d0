//! TVS wire codec: round trips, a hand-written request, one crafted input
//! per error variant, and property tests.

use cisco_itl::Function;
use cisco_itl::tvs::codec::{
    Command, ElementTag, HEADER_LEN, Message, Status, TvsError, VerifyRequest, VerifyResponse,
};
use proptest::prelude::*;

/// Builds a message with a correct payload length from raw elements.
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

/// Header with a correct length followed by `payload` as given.
fn raw(command: u8, session_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![87, 1, command, 0];
    out.extend_from_slice(&session_id.to_be_bytes());
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn sample_request() -> VerifyRequest {
    VerifyRequest {
        session_id: 0x0102_0304,
        device_name: "SEP0011".into(),
        certificate: vec![0x30, 0x03, 0x02, 0x01, 0x05],
    }
}

fn sample_response() -> VerifyResponse {
    VerifyResponse {
        session_id: 0xDEAD_BEEF,
        status: Status::Trusted,
        roles: vec![1, 2, 21],
        ttl_seconds: 86_400,
    }
}

#[test]
fn request_known_bytes() -> Result<(), TvsError> {
    #[rustfmt::skip]
    let expected: [u8; 30] = [
        // protocol 'W', version 1, command 1 (verify request), reserved 0
        0x57, 0x01, 0x01, 0x00,
        // session id
        0x01, 0x02, 0x03, 0x04,
        // payload length: (3 + 7) + (3 + 5) = 18
        0x00, 0x00, 0x00, 0x12,
        // device name, 7 bytes
        0x01, 0x00, 0x07, b'S', b'E', b'P', b'0', b'0', b'1', b'1',
        // certificate, 5 bytes
        0x02, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05,
    ];
    let wire = sample_request().encode()?;
    assert_eq!(wire, expected);

    let message = Message::decode(&expected)?;
    assert_eq!(message.command(), Command::VerifyRequest);
    assert_eq!(message.session_id(), 0x0102_0304);
    assert_eq!(message.reserved(), 0);
    assert_eq!(message.device_name(), Some("SEP0011"));
    assert_eq!(
        message.certificate(),
        Some(&[0x30, 0x03, 0x02, 0x01, 0x05][..])
    );
    assert_eq!(message.status(), None);
    assert!(message.roles().is_none());
    assert_eq!(message.ttl(), None);
    let offsets: Vec<_> = message.elements().map(|e| (e.tag, e.offset)).collect();
    assert_eq!(
        offsets,
        [(ElementTag::DeviceName, 12), (ElementTag::Certificate, 22)]
    );
    Ok(())
}

#[test]
fn response_known_bytes() -> Result<(), TvsError> {
    #[rustfmt::skip]
    let expected: [u8; 32] = [
        // 'W', version 1, command 2 (verify response), reserved 0
        0x57, 0x01, 0x02, 0x00,
        0xDE, 0xAD, 0xBE, 0xEF,
        // payload length: (3 + 1) + (3 + 6) + (3 + 4) = 20
        0x00, 0x00, 0x00, 0x14,
        // status: trusted
        0x03, 0x00, 0x01, 0x00,
        // roles: CCM, CCM+TFTP, TVS
        0x04, 0x00, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00, 0x15,
        // time to live: 86,400 s
        0x05, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80,
    ];
    assert_eq!(sample_response().encode()?, expected);
    Ok(())
}

#[test]
fn request_round_trip() -> Result<(), TvsError> {
    let request = sample_request();
    let first = request.encode()?;
    let decoded = VerifyRequest::decode(&first)?;
    assert_eq!(decoded, request);
    assert_eq!(decoded.encode()?, first);
    let via_message = VerifyRequest::try_from(&Message::decode(&first)?)?;
    assert_eq!(via_message, request);
    Ok(())
}

#[test]
fn response_round_trip() -> Result<(), TvsError> {
    let cases = [
        sample_response(),
        VerifyResponse {
            session_id: 1,
            status: Status::Trusted,
            roles: vec![],
            ttl_seconds: 0,
        },
        VerifyResponse {
            session_id: 2,
            status: Status::NotTrusted,
            roles: vec![],
            ttl_seconds: 0,
        },
        VerifyResponse {
            session_id: 3,
            status: Status::Other(200),
            roles: vec![7],
            ttl_seconds: 0,
        },
        VerifyResponse {
            session_id: 4,
            status: Status::Error,
            roles: vec![],
            ttl_seconds: 30,
        },
    ];
    for response in cases {
        let first = response.encode()?;
        let decoded = VerifyResponse::decode(&first)?;
        assert_eq!(decoded, response);
        assert_eq!(decoded.encode()?, first);
    }
    Ok(())
}

#[test]
fn not_trusted_response_is_status_only() -> Result<(), TvsError> {
    let wire = VerifyResponse {
        session_id: 5,
        status: Status::NotTrusted,
        roles: vec![],
        ttl_seconds: 0,
    }
    .encode()?;
    assert_eq!(wire, frame(2, 5, &[(3, &[1])]));
    Ok(())
}

#[test]
fn roles_as_functions() -> Result<(), TvsError> {
    let response = VerifyResponse {
        session_id: 1,
        status: Status::Trusted,
        roles: vec![0, 1, 2, 3, 4, 7, 21, 99],
        ttl_seconds: 60,
    };
    let expected = [
        Function::Sast,
        Function::Ccm,
        Function::CcmTftp,
        Function::Tftp,
        Function::Capf,
        Function::AppServer,
        Function::Tvs,
        Function::Unknown(99),
    ];
    assert_eq!(response.roles_as_functions().collect::<Vec<_>>(), expected);
    let wire = response.encode()?;
    let message = Message::decode(&wire)?;
    let functions: Option<Vec<Function>> = message.roles_as_functions().map(Iterator::collect);
    assert_eq!(functions.as_deref(), Some(&expected[..]));
    let roles = message.roles();
    assert_eq!(roles.as_ref().map(ExactSizeIterator::len), Some(8));
    let reversed: Option<Vec<u16>> = roles.map(|r| r.rev().collect());
    assert_eq!(reversed, Some(vec![99, 21, 7, 4, 3, 2, 1, 0]));
    Ok(())
}

#[test]
fn unknown_elements_are_kept() -> Result<(), TvsError> {
    let wire = frame(
        1,
        9,
        &[
            (1, b"SEP1"),
            (0, b""),
            (200, &[1, 2, 3]),
            (2, &[0x30]),
            (200, &[4]),
        ],
    );
    let message = Message::decode(&wire)?;
    assert_eq!(message.as_bytes(), &wire[..]);
    let unknown: Vec<_> = message
        .elements()
        .filter(|e| matches!(e.tag, ElementTag::Unknown(_)))
        .map(|e| (e.tag, e.value))
        .collect();
    assert_eq!(
        unknown,
        [
            (ElementTag::Unknown(0), &b""[..]),
            (ElementTag::Unknown(200), &[1, 2, 3][..]),
            (ElementTag::Unknown(200), &[4][..]),
        ]
    );
    // Rebuilding the payload from the elements gives the original bytes.
    let mut rebuilt = Vec::new();
    for e in message.elements() {
        rebuilt.push(e.tag.code());
        rebuilt.extend_from_slice(&u16::try_from(e.value.len()).unwrap_or(0).to_be_bytes());
        rebuilt.extend_from_slice(e.value);
    }
    assert_eq!(rebuilt, message.payload());
    // The typed form ignores them.
    assert_eq!(
        VerifyRequest::try_from(&message)?,
        VerifyRequest {
            session_id: 9,
            device_name: "SEP1".into(),
            certificate: vec![0x30],
        }
    );
    Ok(())
}

#[test]
fn elements_in_any_order_and_unknown_command() -> Result<(), TvsError> {
    let wire = frame(2, 1, &[(5, &[0, 0, 0, 9]), (4, &[0, 3]), (3, &[0])]);
    assert_eq!(
        VerifyResponse::decode(&wire)?,
        VerifyResponse {
            session_id: 1,
            status: Status::Trusted,
            roles: vec![3],
            ttl_seconds: 9,
        }
    );
    let wire = frame(77, 1, &[]);
    assert_eq!(Message::decode(&wire)?.command(), Command::Unknown(77));
    Ok(())
}

#[test]
fn reserved_byte_is_accepted_and_reported() -> Result<(), TvsError> {
    let mut wire = frame(1, 1, &[(1, b"A"), (2, b"B")]);
    if let Some(byte) = wire.get_mut(3) {
        *byte = 0xFF;
    }
    let message = Message::decode(&wire)?;
    assert_eq!(message.reserved(), 0xFF);
    Ok(())
}

#[test]
fn error_truncated_header() {
    assert_eq!(
        Message::decode(&[]),
        Err(TvsError::TruncatedHeader { length: 0 })
    );
    assert_eq!(
        Message::decode(&[87, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
        Err(TvsError::TruncatedHeader { length: 11 })
    );
}

#[test]
fn error_wrong_protocol_id() {
    let mut wire = frame(1, 1, &[]);
    if let Some(b) = wire.first_mut() {
        *b = b'X';
    }
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::WrongProtocolId { found: b'X' })
    );
}

#[test]
fn error_unsupported_version() {
    let mut wire = frame(1, 1, &[]);
    if let Some(b) = wire.get_mut(1) {
        *b = 2;
    }
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::UnsupportedVersion { found: 2 })
    );
}

#[test]
fn error_length_mismatch() {
    // Declared longer than what follows.
    let mut wire = frame(1, 1, &[(1, b"ABC")]);
    wire.pop();
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::LengthMismatch {
            declared: 6,
            actual: 5
        })
    );
    // Trailing bytes after the declared payload.
    let mut wire = frame(1, 1, &[(1, b"ABC")]);
    wire.push(0);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::LengthMismatch {
            declared: 6,
            actual: 7
        })
    );
    // The largest declared length.
    let mut wire = raw(1, 1, &[]);
    if let Some(field) = wire.get_mut(8..HEADER_LEN) {
        field.copy_from_slice(&u32::MAX.to_be_bytes());
    }
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::LengthMismatch {
            declared: u32::MAX as usize,
            actual: 0
        })
    );
}

#[test]
fn error_truncated_element() {
    // Only two bytes of the tag and length.
    let wire = raw(1, 1, &[1, 0]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::TruncatedElement {
            offset: 12,
            needed: 3,
            available: 2
        })
    );
    // A value longer than the payload, after a complete element.
    let wire = raw(1, 1, &[1, 0, 1, b'A', 2, 0, 5, 0x30]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::TruncatedElement {
            offset: 16,
            needed: 8,
            available: 4
        })
    );
}

#[test]
fn error_duplicate_element() {
    let wire = frame(2, 1, &[(3, &[0]), (4, &[]), (3, &[1])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::Status,
            first_offset: 12,
            offset: 19
        })
    );
    let wire = frame(1, 1, &[(1, b"A"), (1, b"B"), (2, b"C")]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::DuplicateElement {
            tag: ElementTag::DeviceName,
            first_offset: 12,
            offset: 16
        })
    );
}

#[test]
fn error_missing_element() {
    let missing = |command, tag| Some(TvsError::MissingElement { command, tag });
    let request = Command::VerifyRequest;
    let response = Command::VerifyResponse;

    let wire = frame(1, 1, &[(2, b"C")]);
    assert_eq!(
        VerifyRequest::decode(&wire).err(),
        missing(request, ElementTag::DeviceName)
    );
    let wire = frame(1, 1, &[(1, b"D")]);
    assert_eq!(
        VerifyRequest::decode(&wire).err(),
        missing(request, ElementTag::Certificate)
    );
    let wire = frame(2, 1, &[(4, &[0, 1]), (5, &[0, 0, 0, 1])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        missing(response, ElementTag::Status)
    );
    let wire = frame(2, 1, &[(3, &[0]), (5, &[0, 0, 0, 1])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        missing(response, ElementTag::Roles)
    );
    let wire = frame(2, 1, &[(3, &[0]), (4, &[0, 1])]);
    assert_eq!(
        VerifyResponse::decode(&wire).err(),
        missing(response, ElementTag::TimeToLive)
    );
}

#[test]
fn error_bad_element_length() {
    let bad = |tag, offset, length| {
        Err(TvsError::BadElementLength {
            tag,
            offset,
            length,
        })
    };
    let wire = frame(2, 1, &[(3, &[0, 0])]);
    assert_eq!(Message::decode(&wire), bad(ElementTag::Status, 12, 2));
    let wire = frame(2, 1, &[(3, &[])]);
    assert_eq!(Message::decode(&wire), bad(ElementTag::Status, 12, 0));
    let wire = frame(2, 1, &[(3, &[0]), (5, &[0, 0, 1])]);
    assert_eq!(Message::decode(&wire), bad(ElementTag::TimeToLive, 16, 3));
    let wire = frame(2, 1, &[(3, &[0]), (5, &[0, 0, 0, 0, 1])]);
    assert_eq!(Message::decode(&wire), bad(ElementTag::TimeToLive, 16, 5));
    let wire = frame(2, 1, &[(3, &[0]), (4, &[0, 1, 0])]);
    assert_eq!(Message::decode(&wire), bad(ElementTag::Roles, 16, 3));
}

#[test]
fn error_bad_utf8() {
    let wire = frame(1, 1, &[(2, b"C"), (1, &[b'S', b'E', 0xFF, b'P'])]);
    assert_eq!(
        Message::decode(&wire),
        Err(TvsError::BadUtf8 {
            offset: 16,
            error_offset: 21
        })
    );
}

#[test]
fn error_unexpected_command() -> Result<(), TvsError> {
    let response = sample_response().encode()?;
    assert_eq!(
        VerifyRequest::decode(&response),
        Err(TvsError::UnexpectedCommand {
            expected: Command::VerifyRequest,
            found: Command::VerifyResponse
        })
    );
    let unknown = frame(9, 1, &[(1, b"A"), (2, b"B"), (3, &[0])]);
    assert_eq!(
        VerifyResponse::decode(&unknown),
        Err(TvsError::UnexpectedCommand {
            expected: Command::VerifyResponse,
            found: Command::Unknown(9)
        })
    );
    Ok(())
}

#[test]
fn error_value_too_long() -> Result<(), TvsError> {
    let mut request = sample_request();
    request.device_name = "a".repeat(65_536);
    assert_eq!(
        request.encode(),
        Err(TvsError::ValueTooLong {
            tag: ElementTag::DeviceName,
            length: 65_536
        })
    );
    request.device_name = "a".repeat(65_535);
    request.certificate = vec![0; 65_535];
    let wire = request.encode()?;
    assert_eq!(VerifyRequest::decode(&wire)?, request);

    let mut response = sample_response();
    response.roles = vec![4; 32_768];
    assert_eq!(
        response.encode(),
        Err(TvsError::ValueTooLong {
            tag: ElementTag::Roles,
            length: 65_536
        })
    );
    response.roles = vec![4; 32_767];
    let wire = response.encode()?;
    assert_eq!(VerifyResponse::decode(&wire)?, response);
    Ok(())
}

#[test]
fn errors_display() {
    let err = TvsError::DuplicateElement {
        tag: ElementTag::Status,
        first_offset: 12,
        offset: 19,
    };
    assert_eq!(
        err.to_string(),
        "status element appears twice: at offset 12 and again at offset 19"
    );
    let err = TvsError::MissingElement {
        command: Command::VerifyRequest,
        tag: ElementTag::Certificate,
    };
    assert_eq!(
        err.to_string(),
        "verify request lacks its required certificate element"
    );
}

/// Exercises every accessor of a decoded message and both typed decodes.
fn touch(message: &Message<'_>) {
    let _ = (
        message.command(),
        message.session_id(),
        message.reserved(),
        message.device_name(),
        message.certificate(),
        message.status(),
        message.ttl(),
        message.payload(),
    );
    let _ = message.elements().count();
    let _ = message.roles().map(Iterator::count);
    let _ = message.roles_as_functions().map(Iterator::count);
    let _ = VerifyRequest::try_from(message);
    let _ = VerifyResponse::try_from(message);
}

/// After a successful typed decode, the typed form re-encodes to bytes that
/// decode to the same typed value, and re-encode identically.
fn check_typed(message: &Message<'_>) -> Result<(), TestCaseError> {
    if let Ok(request) = VerifyRequest::try_from(message) {
        let wire = request
            .encode()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(VerifyRequest::decode(&wire), Ok(request.clone()));
        prop_assert_eq!(request.encode(), Ok(wire));
    }
    if let Ok(response) = VerifyResponse::try_from(message) {
        let wire = response
            .encode()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(VerifyResponse::decode(&wire), Ok(response.clone()));
        prop_assert_eq!(response.encode(), Ok(wire));
    }
    Ok(())
}

/// Elements with tags around the known range and short values, so that
/// well-formed messages of every shape come up often.
fn element() -> impl Strategy<Value = (u8, Vec<u8>)> {
    prop_oneof![
        (0u8..8, proptest::collection::vec(any::<u8>(), 0..12)),
        Just((3u8, vec![0])),
        (any::<u32>()).prop_map(|t| (5u8, t.to_be_bytes().to_vec())),
        proptest::collection::vec(any::<u8>(), 0..5).prop_map(|v| (1u8, v)),
        "[A-Z0-9]{0,15}".prop_map(|name| (1u8, name.into_bytes())),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|v| (2u8, v)),
    ]
}

/// A command and elements of valid shapes: each known element present or
/// not, a few unknown elements, in shuffled order.
fn well_formed() -> impl Strategy<Value = (u8, Vec<(u8, Vec<u8>)>)> {
    use proptest::option::weighted;
    let unknown = (
        prop_oneof![Just(0u8), 6u8..=255],
        proptest::collection::vec(any::<u8>(), 0..6),
    );
    (
        command(),
        weighted(0.8, ".{0,12}"),
        weighted(0.8, proptest::collection::vec(any::<u8>(), 0..30)),
        weighted(0.8, prop_oneof![Just(0u8), any::<u8>()]),
        weighted(0.8, proptest::collection::vec(any::<u16>(), 0..5)),
        weighted(0.8, any::<u32>()),
        proptest::collection::vec(unknown, 0..3),
    )
        .prop_flat_map(|(command, name, cert, status, roles, ttl, unknown)| {
            let mut elements = unknown;
            elements.extend(name.map(|n| (1u8, n.into_bytes())));
            elements.extend(cert.map(|c| (2u8, c)));
            elements.extend(status.map(|s| (3u8, vec![s])));
            elements.extend(roles.map(|r| (4u8, r.iter().flat_map(|c| c.to_be_bytes()).collect())));
            elements.extend(ttl.map(|t| (5u8, t.to_be_bytes().to_vec())));
            (Just(command), Just(elements).prop_shuffle())
        })
}

/// Well-formed messages half the time, noisy element lists otherwise.
fn message_elements() -> impl Strategy<Value = (u8, Vec<(u8, Vec<u8>)>)> {
    prop_oneof![
        well_formed(),
        (command(), proptest::collection::vec(element(), 0..6)),
    ]
}

/// Mostly the two real commands, sometimes an unknown one.
fn command() -> impl Strategy<Value = u8> {
    prop_oneof![Just(1u8), Just(2u8), 0u8..8]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(message) = Message::decode(&bytes) {
            touch(&message);
            check_typed(&message)?;
        }
    }

    #[test]
    fn arbitrary_payload_never_panics(
        command in 0u8..4,
        session_id in any::<u32>(),
        payload in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let wire = raw(command, session_id, &payload);
        if let Ok(message) = Message::decode(&wire) {
            touch(&message);
            check_typed(&message)?;
        }
    }

    #[test]
    fn structured_messages_round_trip(
        (command, elements) in message_elements(),
        session_id in any::<u32>(),
    ) {
        let refs: Vec<(u8, &[u8])> = elements.iter().map(|(t, v)| (*t, v.as_slice())).collect();
        let wire = frame(command, session_id, &refs);
        if let Ok(message) = Message::decode(&wire) {
            touch(&message);
            prop_assert_eq!(message.as_bytes(), &wire[..]);
            prop_assert_eq!(message.elements().count(), elements.len());
            for (e, (tag, value)) in message.elements().zip(&elements) {
                prop_assert_eq!(e.tag.code(), *tag);
                prop_assert_eq!(e.value, value.as_slice());
            }
            check_typed(&message)?;
        }
    }

    #[test]
    fn typed_request_round_trip(
        session_id in any::<u32>(),
        device_name in ".{0,40}",
        certificate in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let request = VerifyRequest { session_id, device_name, certificate };
        let wire = request.encode().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let decoded = VerifyRequest::decode(&wire);
        prop_assert_eq!(decoded.as_ref(), Ok(&request));
        prop_assert_eq!(decoded.and_then(|d| d.encode()), Ok(wire));
    }

    #[test]
    fn typed_response_round_trip(
        session_id in any::<u32>(),
        status in any::<u8>(),
        roles in proptest::collection::vec(any::<u16>(), 0..20),
        ttl_seconds in any::<u32>(),
    ) {
        let response = VerifyResponse {
            session_id,
            status: Status::from_code(status),
            roles,
            ttl_seconds,
        };
        let wire = response.encode().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let decoded = VerifyResponse::decode(&wire);
        prop_assert_eq!(decoded.as_ref(), Ok(&response));
        prop_assert_eq!(decoded.and_then(|d| d.encode()), Ok(wire));
    }
}

/// The structured generator must reach both typed forms, or the round-trip
/// property above would hold vacuously.
#[test]
fn structured_generator_reaches_typed_forms() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let strategy = message_elements();
    let mut runner = TestRunner::deterministic();
    let (mut requests, mut responses, mut trusted) = (0, 0, 0);
    for _ in 0..2_000 {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let (command, elements) = tree.current();
        let refs: Vec<(u8, &[u8])> = elements.iter().map(|(t, v)| (*t, v.as_slice())).collect();
        let wire = frame(command, 1, &refs);
        if let Ok(message) = Message::decode(&wire) {
            requests += usize::from(VerifyRequest::try_from(&message).is_ok());
            if let Ok(response) = VerifyResponse::try_from(&message) {
                responses += 1;
                trusted += usize::from(response.status.is_trusted());
            }
        }
    }
    eprintln!(
        "decoded out of 2000: {requests} requests, {responses} responses ({trusted} trusted)"
    );
    assert!(requests > 100, "only {requests} requests decoded");
    assert!(responses > 100, "only {responses} responses decoded");
    assert!(trusted > 20, "only {trusted} trusted responses decoded");
}
