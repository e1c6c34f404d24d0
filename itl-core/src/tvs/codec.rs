//! The TVS wire protocol, byte for byte as the TVS daemon and the phones
//! speak it. The header, the element tags, the commands, the status codes,
//! the device-name form and the rules below are laid out in the "TVS
//! messages" section of `docs/FORMAT.md`; this module is their code.
//!
//! A phone opens a TLS connection to TCP port [`PORT`] (2445), sends one
//! verify request, reads one verify response, and the connection ends.
//! Messages are decoded without copying and encoded from owned forms.
//! [`Frame::decode`] checks only the framing (protocol id, a version no
//! higher than [`VERSION`], a payload length equal to the bytes after the
//! header, elements that exactly fill them), takes any command and tag, and
//! [`Frame::to_buf`] writes back the very same bytes. [`Message::decode`]
//! adds the rules of each command: a verify request ([`VerifyRequestView`])
//! holds exactly one DEVICE NAME and one CERTIFICATE, a verify response
//! ([`VerifyResponseView`]) one STATUS and, when valid, one ROLES and one
//! TTL, in any order and nothing else; queries keep their elements opaque.
//! Every offset, in [`Element::offset`] and in [`TvsError`], counts bytes
//! from the first byte of the header.
//!
//! ```
//! use cisco_itl::Function;
//! use cisco_itl::tvs::codec::{DeviceName, Message, VerifyRequest, VerifyResponse};
//!
//! // The phone asks about a certificate...
//! let request = VerifyRequest {
//!     session_id: 7,
//!     device_name: DeviceName::parse("CP-7965-SEP0011215A1AE3")?,
//!     certificate: vec![0x30, 0x03, 0x02, 0x01, 0x05],
//! };
//! let wire = request.encode()?;
//! assert_eq!(&wire[..10], &[0x57, 1, 1, 0, 0, 0, 0, 7, 0, 35]);
//! assert_eq!(VerifyRequest::decode(&wire)?, request);
//!
//! // ...and TVS answers.
//! let response = VerifyResponse::valid(7, vec![Function::CcmTftp, Function::Tvs], 86_400);
//! let wire = response.encode()?;
//! let Message::VerifyResponse(answer) = Message::decode(&wire)? else { unreachable!() };
//! assert!(answer.is_valid());
//! assert_eq!(answer.ttl_seconds(), Some(86_400));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::iter::FusedIterator;

use crate::function::Function;
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
///
/// ```
/// use cisco_itl::tvs::codec::{Frame, TvsError};
/// let err = Frame::decode(&[87, 1, 1]).unwrap_err();
/// assert_eq!(err, TvsError::TruncatedHeader { length: 3 });
/// assert_eq!(err.to_string(), "the message has 3 bytes, fewer than the 10 of a TVS header");
/// ```
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
    tlv::Element::read(bytes, pos, 0)
        .map(|(_, next)| next)
        .map_err(|_| {
            let rest = bytes.get(pos..).unwrap_or_default();
            let needed = match rest {
                [_, hi, lo, ..] => ELEMENT_OVERHEAD + usize::from(u16::from_be_bytes([*hi, *lo])),
                _ => ELEMENT_OVERHEAD,
            };
            TvsError::TruncatedElement {
                offset: pos,
                needed,
                available: rest.len(),
            }
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
/// place.
#[derive(Debug, Clone)]
pub struct Roles<'a>(core::slice::Iter<'a, u8>);

impl<'a> Roles<'a> {
    /// The codes not yet iterated, as on the wire.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0.as_slice()
    }
}

/// The role of a code of the ROLES element.
fn role(code: &u8) -> Function {
    Function::from_code(u16::from(*code))
}

impl Iterator for Roles<'_> {
    type Item = Function;

    fn next(&mut self) -> Option<Function> {
        self.0.next().map(role)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Roles<'_> {
    fn next_back(&mut self) -> Option<Function> {
        self.0.next_back().map(role)
    }
}

impl ExactSizeIterator for Roles<'_> {}
impl FusedIterator for Roles<'_> {}

/// A checked frame: the header and a run of elements that exactly fills
/// the payload, borrowed from the input. Any command, any tags; what the
/// elements mean is left to [`Message`].
///
/// ```
/// use cisco_itl::tvs::codec::{Command, Frame};
/// let wire = [87, 1, 3, 0, 0, 0, 0, 42, 0, 4, 5, 0, 1, 0xAA];
/// let frame = Frame::decode(&wire)?;
/// assert_eq!((frame.command(), frame.session_id()), (Command::QueryRequest, 42));
/// assert_eq!(frame.elements().count(), 1);
/// assert_eq!(frame.to_buf().encode()?, wire);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    bytes: &'a [u8],
    version: u8,
    command: Command,
    reserved: u8,
    session_id: u32,
}

impl<'a> Frame<'a> {
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
        let command = Command::from_code(command);
        let session_id = u32::from_be_bytes([s0, s1, s2, s3]);
        Ok(Frame {
            bytes,
            version,
            command,
            reserved,
            session_id,
        })
    }

    /// The header's protocol version: [`VERSION`] or lower.
    pub const fn version(&self) -> u8 {
        self.version
    }

    /// The header's command.
    pub const fn command(&self) -> Command {
        self.command
    }

    /// The header's session id, which a response repeats from its request.
    pub const fn session_id(&self) -> u32 {
        self.session_id
    }

    /// The header's reserved byte (offset 3): written as 0, read whatever
    /// it holds.
    pub const fn reserved(&self) -> u8 {
        self.reserved
    }

    /// The whole message as decoded, header included.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(HEADER_LEN..).unwrap_or_default()
    }

    /// Every element in wire order.
    pub fn elements(&self) -> Elements<'a> {
        Elements(tlv::Elements::new(self.payload(), HEADER_LEN))
    }

    /// The first element with tag `tag`, if any.
    pub fn element(&self, tag: ElementTag) -> Option<Element<'a>> {
        self.elements().find(|e| e.tag == tag)
    }

    /// An owned copy, which encodes back to the same bytes.
    pub fn to_buf(&self) -> FrameBuf {
        let elements = self.elements().map(|e| ElementBuf {
            tag: e.tag,
            value: e.value.to_vec(),
        });
        FrameBuf {
            version: self.version,
            command: self.command,
            reserved: self.reserved,
            session_id: self.session_id,
            elements: elements.collect(),
        }
    }

    /// Fails unless the header's command is `expected`.
    fn expect_command(&self, expected: Command) -> Result<(), TvsError> {
        match self.command {
            found if found == expected => Ok(()),
            found => Err(TvsError::UnexpectedCommand { expected, found }),
        }
    }
}

/// Gathers the elements of a verify message in wire order: each of `tags`
/// at most once and nothing else, `check` vetting each as it comes.
fn gather<'a, const N: usize>(
    frame: &Frame<'a>,
    command: Command,
    tags: [ElementTag; N],
    check: impl Fn(&Element<'a>) -> Result<(), TvsError>,
) -> Result<[Option<Element<'a>>; N], TvsError> {
    frame.expect_command(command)?;
    let mut found: [Option<Element<'a>>; N] = [None; N];
    for e in frame.elements() {
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

/// A verify request as it sits in the message bytes: a checked view, the
/// borrowed form of [`VerifyRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyRequestView<'a> {
    frame: Frame<'a>,
    device_name: DeviceName,
    certificate: &'a [u8],
}

impl<'a> VerifyRequestView<'a> {
    /// Decodes and checks a verify request. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The session id the answer must repeat.
    pub const fn session_id(&self) -> u32 {
        self.frame.session_id
    }

    /// The phone's name (checked; the `0x01` prefix left out).
    pub const fn device_name(&self) -> DeviceName {
        self.device_name
    }

    /// The DER of the certificate asked about, borrowed from the message.
    pub const fn certificate(&self) -> &'a [u8] {
        self.certificate
    }

    /// The underlying frame (header fields, elements in wire order).
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// An owned copy of the request.
    pub fn to_request(&self) -> VerifyRequest {
        VerifyRequest {
            session_id: self.frame.session_id,
            device_name: self.device_name,
            certificate: self.certificate.to_vec(),
        }
    }
}

/// Checks the command and the elements of a verify request.
impl<'a> TryFrom<Frame<'a>> for VerifyRequestView<'a> {
    type Error = TvsError;

    fn try_from(frame: Frame<'a>) -> Result<Self, TvsError> {
        let command = Command::VerifyRequest;
        let tags = [ElementTag::DeviceName, ElementTag::Certificate];
        let [name, certificate] = gather(&frame, command, tags, |_| Ok(()))?;
        let missing = |tag| TvsError::MissingElement { command, tag };
        let name = name.ok_or(missing(ElementTag::DeviceName))?;
        let certificate = certificate.ok_or(missing(ElementTag::Certificate))?.value;
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
        Ok(VerifyRequestView {
            frame,
            device_name,
            certificate,
        })
    }
}

/// A verify response as it sits in the message bytes: a checked view, the
/// borrowed form of [`VerifyResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyResponseView<'a> {
    frame: Frame<'a>,
    status: Status,
    roles: Option<&'a [u8]>,
    ttl_seconds: Option<u32>,
}

impl<'a> VerifyResponseView<'a> {
    /// Decodes and checks a verify response. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The session id of the request answered.
    pub const fn session_id(&self) -> u32 {
        self.frame.session_id
    }

    /// The verdict.
    pub const fn status(&self) -> Status {
        self.status
    }

    /// Whether TVS vouches for the certificate.
    pub const fn is_valid(&self) -> bool {
        self.status.is_valid()
    }

    /// The roles of a valid answer; `None` for an invalid one.
    pub fn roles(&self) -> Option<Roles<'a>> {
        self.roles.map(|bytes| Roles(bytes.iter()))
    }

    /// How long the phone may keep a valid answer, in seconds; `None` for
    /// an invalid one.
    pub const fn ttl_seconds(&self) -> Option<u32> {
        self.ttl_seconds
    }

    /// The underlying frame (header fields, elements in wire order).
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// An owned copy of the response.
    pub fn to_response(&self) -> VerifyResponse {
        let verdict = match (self.roles(), self.ttl_seconds) {
            (Some(roles), Some(ttl_seconds)) if self.status.is_valid() => Verdict::Valid {
                roles: roles.collect(),
                ttl_seconds,
            },
            _ => Verdict::Invalid,
        };
        VerifyResponse {
            session_id: self.frame.session_id,
            verdict,
        }
    }
}

/// Checks the command and the elements of a verify response.
impl<'a> TryFrom<Frame<'a>> for VerifyResponseView<'a> {
    type Error = TvsError;

    fn try_from(frame: Frame<'a>) -> Result<Self, TvsError> {
        let command = Command::VerifyResponse;
        let tags = [
            ElementTag::Status,
            ElementTag::Roles,
            ElementTag::TimeToLive,
        ];
        let [status, roles, ttl] = gather(&frame, command, tags, |e| {
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
        let ttl_seconds = match ttl.map(|e| e.value) {
            Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d])),
            _ => None,
        };
        let (roles, ttl_seconds) = match status {
            Status::Valid => {
                let roles = roles.ok_or(missing(ElementTag::Roles))?;
                let ttl_seconds = ttl_seconds.ok_or(missing(ElementTag::TimeToLive))?;
                (Some(roles.value), Some(ttl_seconds))
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
                (None, None)
            }
        };
        Ok(VerifyResponseView {
            frame,
            status,
            roles,
            ttl_seconds,
        })
    }
}

/// A decoded and checked TVS message, borrowed from its bytes: verify
/// requests and responses as checked views, queries as frames whose
/// elements are opaque. Its [`Display`](fmt::Display) text is a sentence.
///
/// ```
/// use cisco_itl::tvs::codec::{Command, Message};
/// let wire = [87, 1, 2, 0, 0, 0, 0, 42, 0, 4, 7, 0, 1, 1];
/// let message = Message::decode(&wire)?;
/// assert_eq!((message.command(), message.session_id()), (Command::VerifyResponse, 42));
/// assert_eq!(message.to_string(), "verify response to session 42: the certificate is invalid");
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// A phone asks about a certificate (command 1).
    VerifyRequest(VerifyRequestView<'a>),
    /// TVS answers (command 2).
    VerifyResponse(VerifyResponseView<'a>),
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

    /// The frame underneath: header fields and elements in wire order.
    pub const fn frame(&self) -> &Frame<'a> {
        match self {
            Message::VerifyRequest(view) => &view.frame,
            Message::VerifyResponse(view) => &view.frame,
            Message::QueryRequest(frame) | Message::QueryResponse(frame) => frame,
        }
    }

    /// The header's command.
    pub const fn command(&self) -> Command {
        self.frame().command
    }

    /// The header's session id.
    pub const fn session_id(&self) -> u32 {
        self.frame().session_id
    }
}

/// Applies the rules of the frame's command.
impl<'a> TryFrom<Frame<'a>> for Message<'a> {
    type Error = TvsError;

    fn try_from(frame: Frame<'a>) -> Result<Self, TvsError> {
        match frame.command {
            Command::VerifyRequest => frame.try_into().map(Message::VerifyRequest),
            Command::VerifyResponse => frame.try_into().map(Message::VerifyResponse),
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
            Message::VerifyRequest(view) => write!(
                f,
                "verify request in session {}: {} asks about a {}-byte certificate",
                view.session_id(),
                view.device_name,
                view.certificate.len()
            ),
            Message::VerifyResponse(view) => {
                write!(f, "verify response to session {}: ", view.session_id())?;
                match (view.roles(), view.ttl_seconds) {
                    (Some(roles), Some(ttl)) if view.is_valid() => {
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
                write_list(f, count, frame.elements().map(OpaqueElement))
            }
        }
    }
}

/// An element described by its tag number and length.
struct OpaqueElement<'a>(Element<'a>);

impl fmt::Display for OpaqueElement<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let length = self.0.value.len();
        let unit = if length == 1 { "byte" } else { "bytes" };
        write!(f, "tag {} of {length} {unit}", self.0.tag.code())
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

/// A phone's question to TVS: is this certificate trusted? The owned form,
/// which encodes as a verify request (command 1, reserved byte 0) holding
/// the DEVICE NAME (`0x01` and the name) then the CERTIFICATE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyRequest {
    /// Chosen by the phone; the response repeats it.
    pub session_id: u32,
    /// The phone's name.
    pub device_name: DeviceName,
    /// The certificate in question, DER.
    pub certificate: Vec<u8>,
}

impl VerifyRequest {
    /// Encodes the request. The certificate can take at most 65,505 bytes
    /// (the payload's 65,535 less the device name element's 27 and the
    /// certificate element's 3).
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let mut name = vec![DEVICE_NAME_PREFIX];
        name.extend_from_slice(self.device_name.as_bytes());
        FrameBuf::new(Command::VerifyRequest, self.session_id)
            .with_element(ElementTag::DeviceName, name)
            .with_element(ElementTag::Certificate, self.certificate.clone())
            .encode()
    }

    /// Decodes and checks a request (see [`VerifyRequestView`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        VerifyRequestView::decode(bytes).map(|view| view.to_request())
    }
}

/// What TVS says about a certificate, in an owned response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// TVS knows the certificate: STATUS 0, ROLES and TTL.
    Valid {
        /// The roles it vouches for the certificate in.
        roles: Vec<Function>,
        /// How long the phone may keep the answer, in seconds.
        ttl_seconds: u32,
    },
    /// TVS does not vouch for it: STATUS 1 alone.
    Invalid,
}

impl Verdict {
    /// The STATUS this verdict is written with.
    pub const fn status(&self) -> Status {
        match self {
            Verdict::Valid { .. } => Status::Valid,
            Verdict::Invalid => Status::Invalid,
        }
    }
}

/// TVS's answer, owned: the session id of the request and the verdict.
/// Encodes as a verify response (command 2, reserved byte 0): STATUS,
/// then for a valid answer ROLES and TTL.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::VerifyResponse;
/// let response = VerifyResponse::valid(7, vec![Function::CcmTftp, Function::Tvs], 86_400);
/// assert_eq!(response.encode()?, [0x57, 1, 2, 0, 0, 0, 0, 7, 0, 16,
///     7, 0, 1, 0,  8, 0, 2, 2, 21,  9, 0, 4, 0, 1, 0x51, 0x80]);
/// assert_eq!(VerifyResponse::invalid(7).encode()?, [0x57, 1, 2, 0, 0, 0, 0, 7, 0, 4, 7, 0, 1, 1]);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyResponse {
    /// The session id of the request answered.
    pub session_id: u32,
    /// The verdict.
    pub verdict: Verdict,
}

impl VerifyResponse {
    /// A valid answer: the certificate's roles and how long to keep it.
    pub const fn valid(session_id: u32, roles: Vec<Function>, ttl_seconds: u32) -> Self {
        let verdict = Verdict::Valid { roles, ttl_seconds };
        VerifyResponse {
            session_id,
            verdict,
        }
    }

    /// An invalid answer.
    pub const fn invalid(session_id: u32) -> Self {
        VerifyResponse {
            session_id,
            verdict: Verdict::Invalid,
        }
    }

    /// The STATUS of the answer.
    pub const fn status(&self) -> Status {
        self.verdict.status()
    }

    /// The roles of a valid answer (none for an invalid one).
    pub fn roles(&self) -> &[Function] {
        match &self.verdict {
            Verdict::Valid { roles, .. } => roles,
            Verdict::Invalid => &[],
        }
    }

    /// The time to live of a valid answer, in seconds.
    pub const fn ttl_seconds(&self) -> Option<u32> {
        match &self.verdict {
            Verdict::Valid { ttl_seconds, .. } => Some(*ttl_seconds),
            Verdict::Invalid => None,
        }
    }

    /// Encodes the response. Every role's code must fit a byte.
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let frame = FrameBuf::new(Command::VerifyResponse, self.session_id)
            .with_element(ElementTag::Status, vec![self.status().code()]);
        let Verdict::Valid { roles, ttl_seconds } = &self.verdict else {
            return frame.encode();
        };
        let codes = roles.iter().map(|role| {
            let code = role.code();
            u8::try_from(code).map_err(|_| TvsError::RoleNotEncodable { code })
        });
        frame
            .with_element(ElementTag::Roles, codes.collect::<Result<_, _>>()?)
            .with_element(ElementTag::TimeToLive, ttl_seconds.to_be_bytes().to_vec())
            .encode()
    }

    /// Decodes and checks a response (see [`VerifyResponseView`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        VerifyResponseView::decode(bytes).map(|view| view.to_response())
    }
}

/// One element of an owned frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ElementBuf {
    /// The tag.
    pub tag: ElementTag,
    /// The value.
    pub value: Vec<u8>,
}

/// An owned frame of any command, its elements written as given: how
/// queries (commands 3 and 4) are encoded, and what [`Frame::to_buf`]
/// gives back.
///
/// ```
/// use cisco_itl::tvs::codec::{Command, ElementTag, FrameBuf, Message};
/// let wire = FrameBuf::new(Command::QueryRequest, 5)
///     .with_element(ElementTag::Unknown(3), vec![0xAA])
///     .encode()?;
/// assert_eq!(wire, [87, 1, 3, 0, 0, 0, 0, 5, 0, 4, 3, 0, 1, 0xAA]);
/// assert!(matches!(Message::decode(&wire)?, Message::QueryRequest(_)));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameBuf {
    /// The protocol version ([`VERSION`] unless copied from a frame that
    /// said a lower one).
    pub version: u8,
    /// The command.
    pub command: Command,
    /// The header's reserved byte (0 in what TVS and phones write).
    pub reserved: u8,
    /// The session id.
    pub session_id: u32,
    /// The elements, in wire order.
    pub elements: Vec<ElementBuf>,
}

impl FrameBuf {
    /// A frame of `command` with no elements and a reserved byte of 0.
    pub const fn new(command: Command, session_id: u32) -> Self {
        let elements = Vec::new();
        FrameBuf {
            version: VERSION,
            command,
            reserved: 0,
            session_id,
            elements,
        }
    }

    /// Adds an element at the end.
    pub fn with_element(mut self, tag: ElementTag, value: Vec<u8>) -> Self {
        self.elements.push(ElementBuf { tag, value });
        self
    }

    /// Encodes the frame. Nothing is written that the decoder would refuse.
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        if self.version > VERSION {
            return Err(TvsError::UnsupportedVersion {
                found: self.version,
            });
        }
        let sizes = self
            .elements
            .iter()
            .map(|e| e.value.len().saturating_add(3));
        let capacity = sizes.fold(HEADER_LEN, usize::saturating_add);
        let mut out = Vec::with_capacity(capacity.min(HEADER_LEN + MAX_PAYLOAD_LEN));
        out.extend_from_slice(&[
            PROTOCOL_ID,
            self.version,
            self.command.code(),
            self.reserved,
        ]);
        out.extend_from_slice(&self.session_id.to_be_bytes());
        out.extend_from_slice(&[0; 2]);
        for ElementBuf { tag, value } in &self.elements {
            let (tag, length) = (*tag, value.len());
            let field =
                u16::try_from(length).map_err(|_| TvsError::ValueTooLong { tag, length })?;
            out.push(tag.code());
            out.extend_from_slice(&field.to_be_bytes());
            out.extend_from_slice(value);
        }
        // The payload length, patched in.
        let length = out.len() - HEADER_LEN;
        let field = u16::try_from(length).map_err(|_| TvsError::PayloadTooLong { length })?;
        if let Some(slot) = out.get_mut(HEADER_LEN - 2..HEADER_LEN) {
            slot.copy_from_slice(&field.to_be_bytes());
        }
        Ok(out)
    }

    /// Decodes the framing of a message into an owned frame (see
    /// [`Frame::decode`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        Frame::decode(bytes).map(|frame| frame.to_buf())
    }
}

impl From<&Frame<'_>> for FrameBuf {
    fn from(frame: &Frame<'_>) -> Self {
        frame.to_buf()
    }
}
