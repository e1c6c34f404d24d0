//! The TVS wire protocol, byte for byte as the TVS daemon and the phones
//! speak it (tables in `docs/FORMAT.md`, "TVS messages"). A phone opens TLS
//! to TCP [`PORT`] 2445, sends one verify request and reads one response.
//! [`Frame::decode`] checks the framing and encodes back to the same bytes;
//! [`Message::decode`] adds each command's rules. One type per message,
//! borrowing when decoded (allocating nothing), owning when built. Offsets
//! count bytes from the first byte of the header.
//!
//! ```
//! use cisco_itl::Function;
//! use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyResponse};
//!
//! let name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
//! let request = VerifyRequest::new(7, name, vec![0x30, 0x03, 0x02, 0x01, 0x05]);
//! let wire = request.encode()?;
//! assert_eq!(VerifyRequest::decode(&wire)?, request);
//! let answer = VerifyResponse::valid(7, [Function::CcmTftp, Function::Tvs], 86_400)?;
//! assert_eq!(VerifyResponse::decode(&answer.encode()?)?.ttl_seconds(), Some(86_400));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;
use core::iter::FusedIterator;

use crate::function::Function;
use crate::parse_error::ParseError;
use crate::tlv;

pub use super::device_name::{DEVICE_NAME_LEN, DeviceName, DeviceNameError};
/// Bytes an element takes before its value (tag and length).
pub use crate::tlv::ELEMENT_OVERHEAD;

/// The TCP port TVS listens on (inside TLS).
pub const PORT: u16 = 2445;
/// The protocol id, the header's first byte (`'W'`).
pub const PROTOCOL_ID: u8 = 87;
/// The protocol version this codec writes, and the highest it reads.
pub const VERSION: u8 = 1;
/// The header's length in bytes.
pub const HEADER_LEN: usize = 10;
/// The longest value an element can carry (its length field is 16 bits).
pub const MAX_VALUE_LEN: usize = u16::MAX as usize;
/// The most bytes of elements a message can carry (16-bit payload length).
pub const MAX_PAYLOAD_LEN: usize = u16::MAX as usize;
/// The byte that opens a DEVICE NAME value, before the name itself.
pub const DEVICE_NAME_PREFIX: u8 = 0x01;

/// Why bytes are not a well-formed TVS message, or why a message could not
/// be encoded.
///
/// Offsets count from the first byte of the header. The header fields sit
/// at fixed offsets (protocol id 0, version 1, command 2, payload length
/// 8), so the variants about them do not repeat it.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TvsError {
    /// Fewer than [`HEADER_LEN`] bytes.
    #[error("the message has {length} bytes, fewer than the 10 of a TVS header")]
    TruncatedHeader {
        /// Bytes available.
        length: usize,
    },
    /// The first byte is not [`PROTOCOL_ID`].
    #[error("the protocol id at offset 0 is {found}, not 87")]
    WrongProtocolId {
        /// The byte found.
        found: u8,
    },
    /// The protocol version is higher than [`VERSION`].
    #[error(
        "protocol version {found} at offset 1 is newer than version 1, the highest this codec reads"
    )]
    UnsupportedVersion {
        /// The byte found.
        found: u8,
    },
    /// The payload length at offset 8 disagrees with the bytes after the
    /// header.
    #[error("the header declares {declared} bytes of elements at offset 8, but {actual} follow")]
    LengthMismatch {
        /// Payload length the header declares.
        declared: usize,
        /// Bytes actually following the header.
        actual: usize,
    },
    /// An element's tag, length field or value runs past the end.
    #[error(
        "the element at offset {offset} is truncated: it needs {needed} bytes, {available} are left"
    )]
    TruncatedElement {
        /// Offset of the element's tag byte.
        offset: usize,
        /// Bytes the element needs (3 when even its tag and length are cut).
        needed: usize,
        /// Bytes left in the message from the element's tag byte.
        available: usize,
    },
    /// [`Message::decode`] met a command other than 1 to 4.
    #[error("command {found} at offset 2 is not one TVS defines (1 to 4)")]
    UnknownCommand {
        /// The command byte.
        found: u8,
    },
    /// A typed decode met a message of another command.
    #[error("a {expected} was expected, but the message is a {found}")]
    UnexpectedCommand {
        /// The command the typed form stands for.
        expected: Command,
        /// The command in the header (offset 2).
        found: Command,
    },
    /// An element the command does not allow: an unknown tag, a tag of the
    /// other direction, or ROLES or TTL in an invalid answer.
    #[error("a {command} may not carry the {tag} found at offset {offset}")]
    UnexpectedElement {
        /// The command of the message.
        command: Command,
        /// The element's tag.
        tag: ElementTag,
        /// Offset of the element's tag byte.
        offset: usize,
    },
    /// An element appears twice in a verify request or response.
    #[error("the {tag} appears twice, at offset {first_offset} and again at offset {offset}")]
    DuplicateElement {
        /// The repeated element.
        tag: ElementTag,
        /// Offset of the first occurrence.
        first_offset: usize,
        /// Offset of the second occurrence.
        offset: usize,
    },
    /// An element the message needs is absent.
    #[error("the {command} lacks its {tag}")]
    MissingElement {
        /// The command of the message.
        command: Command,
        /// The missing element.
        tag: ElementTag,
    },
    /// The DEVICE NAME value does not start with [`DEVICE_NAME_PREFIX`].
    #[error("the device name element at offset {offset} does not start with the byte 0x01")]
    BadDeviceNamePrefix {
        /// Offset of the element's tag byte.
        offset: usize,
        /// The value's first byte, or `None` when the value is empty.
        found: Option<u8>,
    },
    /// The name after the prefix byte is not a valid [`DeviceName`].
    #[error("the device name element at offset {offset} is refused: {error}")]
    BadDeviceName {
        /// Offset of the element's tag byte.
        offset: usize,
        /// What is wrong with the name.
        error: DeviceNameError,
    },
    /// The STATUS value is not one byte.
    #[error("the status element at offset {offset} has {length} bytes instead of 1")]
    BadStatusLength {
        /// Offset of the element's tag byte.
        offset: usize,
        /// The value's length.
        length: usize,
    },
    /// The STATUS byte is neither 0 (valid) nor 1 (invalid).
    #[error(
        "the status element at offset {offset} holds {found}, neither 0 (valid) nor 1 (invalid)"
    )]
    BadStatus {
        /// Offset of the element's tag byte.
        offset: usize,
        /// The status byte.
        found: u8,
    },
    /// The TTL value is not four bytes.
    #[error("the time to live element at offset {offset} has {length} bytes instead of 4")]
    BadTtlLength {
        /// Offset of the element's tag byte.
        offset: usize,
        /// The value's length.
        length: usize,
    },
    /// A value does not fit an element's 16-bit length field.
    #[error("the {tag} value has {length} bytes, more than the 65535 an element holds")]
    ValueTooLong {
        /// The element.
        tag: ElementTag,
        /// The value's length in bytes.
        length: usize,
    },
    /// The elements do not fit the header's 16-bit payload length.
    #[error("the elements take {length} bytes, more than the 65535 a message holds")]
    PayloadTooLong {
        /// Bytes the elements would take.
        length: usize,
    },
    /// A role's FUNCTION code does not fit the one byte ROLES gives it.
    #[error("role code {code} does not fit in the one byte the roles element gives it")]
    RoleNotEncodable {
        /// The code.
        code: u16,
    },
}

wire_enum! {
    /// A message's command byte (header offset 2).
    pub enum Command open("message of an unknown command") {
        /// A phone asks whether a certificate is trusted (1).
        VerifyRequest = 1 => "verify request",
        /// TVS answers a verify request (2).
        VerifyResponse = 2 => "verify response",
        /// A query, whose elements this codec keeps opaque (3).
        QueryRequest = 3 => "query request",
        /// The answer to a query, elements opaque (4).
        QueryResponse = 4 => "query response",
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Unknown(code) => write!(f, "message of command {code}"),
            known => f.write_str(known.name()),
        }
    }
}

wire_enum! {
    /// An element's tag byte.
    pub enum ElementTag open("unknown element") {
        /// DEVICE NAME: `0x01` then the phone's [`DeviceName`] (1).
        DeviceName = 1 => "device name element",
        /// CERTIFICATE: an X.509 certificate, DER (2).
        Certificate = 2 => "certificate element",
        /// STATUS: the verdict, one byte (7).
        Status = 7 => "status element",
        /// ROLES: one FUNCTION code per byte (8).
        Roles = 8 => "roles element",
        /// TTL: how long the answer may be kept, 32-bit seconds (9).
        TimeToLive = 9 => "time to live element",
    }
}

impl fmt::Display for ElementTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (tag {})", self.name(), self.code())
    }
}

wire_enum! {
    /// TVS's verdict on a certificate (the STATUS byte).
    pub enum Status {
        /// TVS knows and trusts the certificate (0).
        Valid = 0 => "valid",
        /// TVS does not vouch for it (1).
        Invalid = 1 => "invalid",
    }
}

impl Status {
    /// Whether TVS vouches for the certificate.
    pub const fn is_valid(self) -> bool {
        matches!(self, Status::Valid)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One element of a message's payload, borrowed from the message bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The element's tag.
    pub tag: ElementTag,
    /// Offset of the tag byte from the start of the message.
    pub offset: usize,
    /// The value bytes.
    pub value: &'a [u8],
}

impl<'a> From<tlv::Element<'a>> for Element<'a> {
    fn from(e: tlv::Element<'a>) -> Self {
        let tag = ElementTag::from_code(e.tag.0);
        Element {
            tag,
            offset: e.offset,
            value: e.value,
        }
    }
}

/// Reads the element whose tag byte is at `pos` in the whole message,
/// through the crate's element reader; returns the position after it.
fn read_element(bytes: &[u8], pos: usize) -> Result<usize, TvsError> {
    let (needed, available) = match tlv::Element::read(bytes, pos, 0) {
        Ok((_, next)) => return Ok(next),
        Err(ParseError::Truncated {
            needed, available, ..
        }) => (needed, available),
        Err(_) => (ELEMENT_OVERHEAD, 0),
    };
    let offset = pos;
    Err(TvsError::TruncatedElement {
        offset,
        needed,
        available,
    })
}

/// The elements of a frame in wire order, unknown ones included.
#[derive(Debug, Clone)]
pub struct Elements<'a>(tlv::Elements<'a>);

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        // A decoded frame was checked whole: an error cannot come, and
        // the reader stops after one anyway.
        self.0.next()?.ok().map(Element::from)
    }
}

impl FusedIterator for Elements<'_> {}

/// The roles of a ROLES element, one FUNCTION code per byte, read in
/// place (the codes themselves are the [`Verdict::Valid`] roles).
pub type Roles<'a> = core::iter::Map<core::slice::Iter<'a, u8>, fn(&u8) -> Function>;

/// A checked frame: the header and a run of elements that exactly fills
/// the payload. Any command, any tags; what the elements mean is left to
/// [`Message`]. Decoded, it borrows the message; built with [`Frame::new`]
/// and [`Frame::with_element`], it owns its elements. Queries (commands 3
/// and 4) are written this way, and a decoded frame encodes back to the
/// very same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    /// The protocol version: [`VERSION`], or a lower one read from a peer.
    pub version: u8,
    /// The command.
    pub command: Command,
    /// The header's reserved byte (offset 3): written as 0 by TVS and the
    /// phones, read whatever it holds.
    pub reserved: u8,
    /// The session id, which a response repeats from its request.
    pub session_id: u32,
    /// The elements, each checked to fit, filling the payload exactly.
    payload: Cow<'a, [u8]>,
}

impl<'a> Frame<'a> {
    /// A frame of `command` with no elements and a reserved byte of 0.
    pub const fn new(command: Command, session_id: u32) -> Frame<'static> {
        let payload = Cow::Owned(Vec::new());
        Frame {
            version: VERSION,
            command,
            reserved: 0,
            session_id,
            payload,
        }
    }

    /// Decodes the framing of one whole message; `bytes` must hold exactly
    /// one message, header included. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(TvsError::TruncatedHeader {
                length: bytes.len(),
            });
        };
        let [protocol, version, command, reserved, s0, s1, s2, s3, l0, l1] = *header;
        if protocol != PROTOCOL_ID {
            return Err(TvsError::WrongProtocolId { found: protocol });
        }
        // Peers take a version lower than their own and refuse a higher one.
        if version > VERSION {
            return Err(TvsError::UnsupportedVersion { found: version });
        }
        let declared = usize::from(u16::from_be_bytes([l0, l1]));
        if declared != payload.len() {
            let actual = payload.len();
            return Err(TvsError::LengthMismatch { declared, actual });
        }
        let mut pos = HEADER_LEN;
        while pos < bytes.len() {
            pos = read_element(bytes, pos)?;
        }
        Ok(Frame {
            version,
            command: Command::from_code(command),
            reserved,
            session_id: u32::from_be_bytes([s0, s1, s2, s3]),
            payload: Cow::Borrowed(payload),
        })
    }

    /// Adds an element at the end; refused when the value does not fit an
    /// element's 16-bit length field.
    pub fn with_element(mut self, tag: ElementTag, value: &[u8]) -> Result<Self, TvsError> {
        tlv::push(self.payload.to_mut(), tag.code(), value)
            .map_err(|length| TvsError::ValueTooLong { tag, length })?;
        Ok(self)
    }

    /// Encodes the frame. Nothing is written that the decoder would refuse.
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        if self.version > VERSION {
            return Err(TvsError::UnsupportedVersion {
                found: self.version,
            });
        }
        let length = self.payload.len();
        let field = u16::try_from(length).map_err(|_| TvsError::PayloadTooLong { length })?;
        let mut out = Vec::with_capacity(HEADER_LEN + length);
        let command = self.command.code();
        out.extend_from_slice(&[PROTOCOL_ID, self.version, command, self.reserved]);
        out.extend_from_slice(&self.session_id.to_be_bytes());
        out.extend_from_slice(&field.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(out)
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Every element in wire order.
    pub fn elements(&self) -> Elements<'_> {
        Elements(tlv::Elements::new(&self.payload, HEADER_LEN))
    }

    /// The first element with tag `tag`, if any.
    pub fn element(&self, tag: ElementTag) -> Option<Element<'_>> {
        self.elements().find(|e| e.tag == tag)
    }

    /// A copy that owns its elements and borrows nothing.
    pub fn into_owned(self) -> Frame<'static> {
        let payload = Cow::Owned(self.payload.into_owned());
        Frame { payload, ..self }
    }

    /// Gathers the elements of a verify message in wire order: each of
    /// `tags` at most once and nothing else, `check` vetting each.
    fn gather<const N: usize>(
        &self,
        command: Command,
        tags: [ElementTag; N],
        check: impl Fn(&Element<'_>) -> Result<(), TvsError>,
    ) -> Result<[Option<Element<'_>>; N], TvsError> {
        if self.command != command {
            let found = self.command;
            return Err(TvsError::UnexpectedCommand {
                expected: command,
                found,
            });
        }
        let mut found: [Option<Element<'_>>; N] = [None; N];
        for e in self.elements() {
            let (tag, offset) = (e.tag, e.offset);
            let unexpected = TvsError::UnexpectedElement {
                command,
                tag,
                offset,
            };
            let index = tags.iter().position(|t| *t == tag);
            let slot = index.and_then(|i| found.get_mut(i)).ok_or(unexpected)?;
            if let Some(first) = slot {
                let first_offset = first.offset;
                return Err(TvsError::DuplicateElement {
                    tag,
                    first_offset,
                    offset,
                });
            }
            check(&e)?;
            *slot = Some(e);
        }
        Ok(found)
    }
}

/// A phone's question to TVS: is this certificate trusted? Decoded, the
/// certificate is borrowed from the message; built, it is owned. Encodes
/// as a verify request (command 1, reserved byte 0) holding the DEVICE
/// NAME (`0x01` and the name) then the CERTIFICATE; a decoded one holds
/// exactly one of each, in any order, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyRequest<'a> {
    /// Chosen by the phone; the response repeats it.
    pub session_id: u32,
    /// The phone's name (checked; the `0x01` prefix left out).
    pub device_name: DeviceName,
    /// The certificate in question, DER.
    pub certificate: Cow<'a, [u8]>,
}

/// The borrowed form of a verify request is the request itself.
#[deprecated(since = "0.2.0", note = "VerifyRequest borrows when decoded")]
pub type VerifyRequestView<'a> = VerifyRequest<'a>;

impl<'a> VerifyRequest<'a> {
    /// A request about `certificate` (borrowed or owned).
    pub fn new(
        session_id: u32,
        device_name: DeviceName,
        certificate: impl Into<Cow<'a, [u8]>>,
    ) -> Self {
        let certificate = certificate.into();
        VerifyRequest {
            session_id,
            device_name,
            certificate,
        }
    }

    /// Decodes and checks a verify request. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::from_frame(Frame::decode(bytes)?)
    }

    /// Encodes the request. The certificate can take at most 65,505 bytes
    /// (the payload's 65,535 less the device name element's 27 and the
    /// certificate element's 3).
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let name = [&[DEVICE_NAME_PREFIX][..], self.device_name.as_bytes()].concat();
        Frame::new(Command::VerifyRequest, self.session_id)
            .with_element(ElementTag::DeviceName, &name)?
            .with_element(ElementTag::Certificate, &self.certificate)?
            .encode()
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> VerifyRequest<'static> {
        let certificate = Cow::Owned(self.certificate.into_owned());
        VerifyRequest {
            certificate,
            ..self
        }
    }

    /// Checks the command and the elements of a verify request.
    fn from_frame(frame: Frame<'a>) -> Result<Self, TvsError> {
        let command = Command::VerifyRequest;
        let tags = [ElementTag::DeviceName, ElementTag::Certificate];
        let [name, certificate] = frame.gather(command, tags, |_| Ok(()))?;
        let missing = |tag| TvsError::MissingElement { command, tag };
        let name = name.ok_or(missing(ElementTag::DeviceName))?;
        let certificate = certificate.ok_or(missing(ElementTag::Certificate))?;
        let offset = name.offset;
        let text = match name.value.split_first() {
            Some((&DEVICE_NAME_PREFIX, text)) => text,
            other => {
                let found = other.map(|(first, _)| *first);
                return Err(TvsError::BadDeviceNamePrefix { offset, found });
            }
        };
        let device_name = DeviceName::from_bytes(text)
            .map_err(|error| TvsError::BadDeviceName { offset, error })?;
        let certificate = borrow_value(&frame, certificate);
        Ok(VerifyRequest {
            session_id: frame.session_id,
            device_name,
            certificate,
        })
    }
}

/// An element's value with the frame's own lifetime: borrowed from the
/// message when the frame is, copied when the frame owns its bytes.
fn borrow_value<'a>(frame: &Frame<'a>, e: Element<'_>) -> Cow<'a, [u8]> {
    let start = e.offset - HEADER_LEN + ELEMENT_OVERHEAD;
    match &frame.payload {
        Cow::Borrowed(payload) => payload.get(start..start + e.value.len()).map(Cow::Borrowed),
        Cow::Owned(_) => None,
    }
    .unwrap_or_else(|| Cow::Owned(e.value.to_vec()))
}

/// The role of a code of the ROLES element.
fn role(code: &u8) -> Function {
    Function::from_code(u16::from(*code))
}

/// What TVS says about a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict<'a> {
    /// TVS knows the certificate: STATUS 0, ROLES and TTL.
    Valid {
        /// The roles it vouches for the certificate in, one FUNCTION code
        /// per byte as on the wire ([`VerifyResponse::roles`] reads them).
        roles: Cow<'a, [u8]>,
        /// How long the phone may keep the answer, in seconds.
        ttl_seconds: u32,
    },
    /// TVS does not vouch for it: STATUS 1 alone.
    Invalid,
}

impl Verdict<'_> {
    /// The STATUS this verdict is written with.
    pub const fn status(&self) -> Status {
        match self {
            Verdict::Valid { .. } => Status::Valid,
            Verdict::Invalid => Status::Invalid,
        }
    }
}

/// TVS's answer: the session id of the request and the verdict. Decoded,
/// the roles are borrowed from the message. Encodes as a verify response
/// (command 2, reserved byte 0): STATUS, then for a valid answer ROLES and
/// TTL; a decoded one holds those in any order and nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyResponse<'a> {
    /// The session id of the request answered.
    pub session_id: u32,
    /// The verdict.
    pub verdict: Verdict<'a>,
}

/// The borrowed form of a verify response is the response itself.
#[deprecated(since = "0.2.0", note = "VerifyResponse borrows when decoded")]
pub type VerifyResponseView<'a> = VerifyResponse<'a>;

impl<'a> VerifyResponse<'a> {
    /// A valid answer: the certificate's roles and how long to keep it.
    /// Refused when a role's code does not fit the byte ROLES gives it.
    pub fn valid(
        session_id: u32,
        roles: impl IntoIterator<Item = Function>,
        ttl_seconds: u32,
    ) -> Result<Self, TvsError> {
        let codes = roles.into_iter().map(|role| {
            let code = role.code();
            u8::try_from(code).map_err(|_| TvsError::RoleNotEncodable { code })
        });
        let roles = Cow::Owned(codes.collect::<Result<_, _>>()?);
        let verdict = Verdict::Valid { roles, ttl_seconds };
        Ok(VerifyResponse {
            session_id,
            verdict,
        })
    }

    /// An invalid answer.
    pub const fn invalid(session_id: u32) -> Self {
        VerifyResponse {
            session_id,
            verdict: Verdict::Invalid,
        }
    }

    /// Decodes and checks a verify response. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::from_frame(Frame::decode(bytes)?)
    }

    /// Encodes the response.
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let frame = Frame::new(Command::VerifyResponse, self.session_id)
            .with_element(ElementTag::Status, &[self.status().code()])?;
        match &self.verdict {
            Verdict::Valid { roles, ttl_seconds } => frame
                .with_element(ElementTag::Roles, roles)?
                .with_element(ElementTag::TimeToLive, &ttl_seconds.to_be_bytes())?
                .encode(),
            Verdict::Invalid => frame.encode(),
        }
    }

    /// The verdict's STATUS.
    pub const fn status(&self) -> Status {
        self.verdict.status()
    }

    /// Whether TVS vouches for the certificate.
    pub const fn is_valid(&self) -> bool {
        self.status().is_valid()
    }

    /// The roles of a valid answer; `None` for an invalid one.
    pub fn roles(&self) -> Option<Roles<'_>> {
        match &self.verdict {
            Verdict::Valid { roles, .. } => Some(roles.iter().map(role)),
            Verdict::Invalid => None,
        }
    }

    /// How long the phone may keep a valid answer, in seconds; `None` for
    /// an invalid one.
    pub const fn ttl_seconds(&self) -> Option<u32> {
        match &self.verdict {
            Verdict::Valid { ttl_seconds, .. } => Some(*ttl_seconds),
            Verdict::Invalid => None,
        }
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> VerifyResponse<'static> {
        let verdict = match self.verdict {
            Verdict::Valid { roles, ttl_seconds } => Verdict::Valid {
                roles: Cow::Owned(roles.into_owned()),
                ttl_seconds,
            },
            Verdict::Invalid => Verdict::Invalid,
        };
        let session_id = self.session_id;
        VerifyResponse {
            session_id,
            verdict,
        }
    }

    /// Checks the command and the elements of a verify response.
    fn from_frame(frame: Frame<'a>) -> Result<Self, TvsError> {
        let command = Command::VerifyResponse;
        let tags = [
            ElementTag::Status,
            ElementTag::Roles,
            ElementTag::TimeToLive,
        ];
        let [status, roles, ttl] = frame.gather(command, tags, |e| {
            let (offset, length) = (e.offset, e.value.len());
            match e.tag {
                ElementTag::Status if length != 1 => {
                    Err(TvsError::BadStatusLength { offset, length })
                }
                ElementTag::TimeToLive if length != 4 => {
                    Err(TvsError::BadTtlLength { offset, length })
                }
                _ => Ok(()),
            }
        })?;
        let missing = |tag| TvsError::MissingElement { command, tag };
        let status_element = status.ok_or(missing(ElementTag::Status))?;
        let found = status_element.value.first().copied().unwrap_or(u8::MAX);
        let offset = status_element.offset;
        let status = Status::from_code(found).ok_or(TvsError::BadStatus { offset, found })?;
        let verdict = match status {
            Status::Valid => {
                let roles = roles.ok_or(missing(ElementTag::Roles))?;
                let ttl = ttl.ok_or(missing(ElementTag::TimeToLive))?;
                let ttl_seconds = match ttl.value {
                    &[a, b, c, d] => u32::from_be_bytes([a, b, c, d]),
                    _ => return Err(missing(ElementTag::TimeToLive)),
                };
                let roles = borrow_value(&frame, roles);
                Verdict::Valid { roles, ttl_seconds }
            }
            Status::Invalid => {
                // The first extra element in wire order.
                let extra = [roles, ttl].into_iter().flatten().min_by_key(|e| e.offset);
                if let Some(Element { tag, offset, .. }) = extra {
                    return Err(TvsError::UnexpectedElement {
                        command,
                        tag,
                        offset,
                    });
                }
                Verdict::Invalid
            }
        };
        Ok(VerifyResponse {
            session_id: frame.session_id,
            verdict,
        })
    }
}

/// A decoded and checked TVS message, borrowing its bytes: verify requests
/// and responses checked, queries as frames whose elements are opaque. Its
/// [`Display`](fmt::Display) text is a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message<'a> {
    /// A phone asks about a certificate (command 1).
    VerifyRequest(VerifyRequest<'a>),
    /// TVS answers (command 2).
    VerifyResponse(VerifyResponse<'a>),
    /// A query, elements opaque (command 3).
    QueryRequest(Frame<'a>),
    /// A query's answer, elements opaque (command 4).
    QueryResponse(Frame<'a>),
}

impl<'a> Message<'a> {
    /// Decodes and checks one whole message. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The header's command.
    pub const fn command(&self) -> Command {
        match self {
            Message::VerifyRequest(_) => Command::VerifyRequest,
            Message::VerifyResponse(_) => Command::VerifyResponse,
            Message::QueryRequest(frame) | Message::QueryResponse(frame) => frame.command,
        }
    }

    /// The header's session id.
    pub const fn session_id(&self) -> u32 {
        match self {
            Message::VerifyRequest(request) => request.session_id,
            Message::VerifyResponse(response) => response.session_id,
            Message::QueryRequest(frame) | Message::QueryResponse(frame) => frame.session_id,
        }
    }
}

/// Applies the rules of the frame's command.
impl<'a> TryFrom<Frame<'a>> for Message<'a> {
    type Error = TvsError;

    fn try_from(frame: Frame<'a>) -> Result<Self, TvsError> {
        match frame.command {
            Command::VerifyRequest => VerifyRequest::from_frame(frame).map(Message::VerifyRequest),
            Command::VerifyResponse => {
                VerifyResponse::from_frame(frame).map(Message::VerifyResponse)
            }
            Command::QueryRequest => Ok(Message::QueryRequest(frame)),
            Command::QueryResponse => Ok(Message::QueryResponse(frame)),
            Command::Unknown(found) => Err(TvsError::UnknownCommand { found }),
        }
    }
}

/// A sentence about the message, for logs and people.
impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::VerifyRequest(request) => write!(
                f,
                "verify request in session {}: {} asks about a {}-byte certificate",
                request.session_id,
                request.device_name,
                request.certificate.len()
            ),
            Message::VerifyResponse(response) => {
                write!(f, "verify response to session {}: ", response.session_id)?;
                match (response.roles(), response.ttl_seconds()) {
                    (Some(roles), Some(ttl)) => {
                        f.write_str(match roles.len() {
                            0 => "the certificate is valid in no role",
                            1 => "the certificate is valid in the role ",
                            _ => "the certificate is valid in the roles ",
                        })?;
                        write_list(f, roles.len(), roles)?;
                        write!(f, ", and the answer may be kept for {ttl} seconds")
                    }
                    _ => f.write_str("the certificate is invalid"),
                }
            }
            Message::QueryRequest(frame) | Message::QueryResponse(frame) => {
                let count = frame.elements().count();
                write!(f, "{} in session {} with ", frame.command, frame.session_id)?;
                match count {
                    0 => return f.write_str("no element"),
                    1 => f.write_str("1 opaque element: ")?,
                    n => write!(f, "{n} opaque elements: ")?,
                }
                write_list(f, count, frame.elements().map(Opaque))
            }
        }
    }
}

/// An element described by its tag number and length.
struct Opaque<'a>(Element<'a>);

impl fmt::Display for Opaque<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tag, length) = (self.0.tag.code(), self.0.value.len());
        let unit = if length == 1 { "byte" } else { "bytes" };
        write!(f, "tag {tag} of {length} {unit}")
    }
}

/// Writes the `count` items as `a`, `a and b`, `a, b and c`.
fn write_list<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    count: usize,
    items: impl Iterator<Item = T>,
) -> fmt::Result {
    for (i, item) in items.enumerate() {
        if i > 0 {
            f.write_str(if i + 1 == count { " and " } else { ", " })?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
