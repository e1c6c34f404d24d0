//! The TVS wire messages: a 12-byte header followed by `tag:u8, length:u16,
//! value` elements, decoded without copying and encoded from owned
//! builders.
//!
//! Header layout (big-endian):
//!
//! | offset | size | field                                   |
//! |--------|------|-----------------------------------------|
//! | 0      | 1    | protocol id, always 87 (`'W'`)          |
//! | 1      | 1    | version, always 1                       |
//! | 2      | 1    | command (1 verify request, 2 response)  |
//! | 3      | 1    | reserved, written as 0                  |
//! | 4      | 4    | session id                              |
//! | 8      | 4    | payload length (bytes after the header) |
//!
//! Every offset this module reports (in [`Element::offset`] and in
//! [`TvsError`]) counts from the first byte of the header.
//!
//! ```
//! use cisco_itl::tvs::codec::{Message, Status, VerifyRequest, VerifyResponse};
//!
//! // The phone asks about a certificate...
//! let request = VerifyRequest {
//!     session_id: 7,
//!     device_name: "SEP001122334455".into(),
//!     certificate: vec![0x30, 0x03, 0x02, 0x01, 0x05],
//! };
//! let wire = request.encode()?;
//! assert_eq!(VerifyRequest::decode(&wire)?, request);
//!
//! // ...and TVS answers.
//! let response = VerifyResponse {
//!     session_id: 7,
//!     status: Status::Trusted,
//!     roles: vec![1, 21],
//!     ttl_seconds: 86_400,
//! };
//! let wire = response.encode()?;
//! let message = Message::decode(&wire)?;
//! assert_eq!(message.status(), Some(Status::Trusted));
//! assert_eq!(message.ttl(), Some(86_400));
//! # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::iter::FusedIterator;

use crate::function::Function;

/// The TCP port TVS listens on.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::PORT, 2445);
/// ```
pub const PORT: u16 = 2445;

/// The protocol id, the header's first byte (`'W'`).
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::PROTOCOL_ID, b'W');
/// ```
pub const PROTOCOL_ID: u8 = 87;

/// The only protocol version this codec speaks.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::VERSION, 1);
/// ```
pub const VERSION: u8 = 1;

/// The header's length in bytes.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::HEADER_LEN, 12);
/// ```
pub const HEADER_LEN: usize = 12;

/// Bytes an element takes before its value (tag and length).
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::ELEMENT_OVERHEAD, 3);
/// ```
pub const ELEMENT_OVERHEAD: usize = 3;

/// The longest value an element can carry (its length field is 16 bits).
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::MAX_VALUE_LEN, 65_535);
/// ```
pub const MAX_VALUE_LEN: usize = u16::MAX as usize;

/// Why bytes are not a well-formed TVS message, or why a message could not
/// be encoded.
///
/// Offsets count from the first byte of the header. The header fields sit at
/// fixed offsets (protocol id 0, version 1, command 2, payload length 8), so
/// the variants about them do not repeat it.
///
/// ```
/// use cisco_itl::tvs::codec::{Message, TvsError};
/// let err = Message::decode(&[87, 1, 1]).unwrap_err();
/// assert_eq!(err, TvsError::TruncatedHeader { length: 3 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TvsError {
    /// Fewer than [`HEADER_LEN`] bytes.
    #[error("the message has {length} bytes, fewer than the 12-byte header")]
    TruncatedHeader {
        /// Bytes available.
        length: usize,
    },
    /// The first byte is not [`PROTOCOL_ID`].
    #[error("protocol id at offset 0 is {found}, expected 87")]
    WrongProtocolId {
        /// The byte found.
        found: u8,
    },
    /// The second byte is not [`VERSION`].
    #[error("version {found} at offset 1 is not supported (only 1 is)")]
    UnsupportedVersion {
        /// The byte found.
        found: u8,
    },
    /// The payload length at offset 8 disagrees with the bytes after the
    /// header.
    #[error("the header declares a {declared}-byte payload at offset 8, {actual} bytes follow")]
    LengthMismatch {
        /// Payload length the header declares.
        declared: usize,
        /// Bytes actually following the header.
        actual: usize,
    },
    /// An element's tag, length field or value runs past the end of the
    /// message.
    #[error("element at offset {offset} is truncated: needs {needed} bytes, {available} available")]
    TruncatedElement {
        /// Offset of the element's tag byte.
        offset: usize,
        /// Bytes the element needs (tag, length field and value), or the
        /// three bytes of tag and length when even those are missing.
        needed: usize,
        /// Bytes left in the message from the element's tag byte.
        available: usize,
    },
    /// A known element appears twice.
    #[error("{tag} appears twice: at offset {first_offset} and again at offset {offset}")]
    DuplicateElement {
        /// The repeated element.
        tag: ElementTag,
        /// Offset of the first occurrence.
        first_offset: usize,
        /// Offset of the second occurrence.
        offset: usize,
    },
    /// An element the message's command requires is absent.
    #[error("{command} lacks its required {tag}")]
    MissingElement {
        /// The command of the message.
        command: Command,
        /// The missing element.
        tag: ElementTag,
    },
    /// A fixed-shape element has a length its type forbids: a status that
    /// is not 1 byte, a time to live that is not 4, roles of odd length.
    #[error("{tag} at offset {offset} has an invalid length {length}")]
    BadElementLength {
        /// The element.
        tag: ElementTag,
        /// Offset of the element's tag byte.
        offset: usize,
        /// The length it declares.
        length: usize,
    },
    /// The device name is not UTF-8.
    #[error(
        "device name at offset {offset} is not UTF-8 (first bad byte at offset {error_offset})"
    )]
    BadUtf8 {
        /// Offset of the element's tag byte.
        offset: usize,
        /// Offset of the first byte that is not part of valid UTF-8.
        error_offset: usize,
    },
    /// A typed decode met a message of another command.
    #[error("expected a {expected} message, found {found}")]
    UnexpectedCommand {
        /// The command the typed form stands for.
        expected: Command,
        /// The command in the header (offset 2).
        found: Command,
    },
    /// A value does not fit an element's 16-bit length field.
    #[error("{tag} value has {length} bytes; at most 65535 fit")]
    ValueTooLong {
        /// The element.
        tag: ElementTag,
        /// The value's length in bytes.
        length: usize,
    },
}

/// A message's command byte (header offset 2).
///
/// ```
/// use cisco_itl::tvs::codec::Command;
/// assert_eq!(Command::from_code(2), Command::VerifyResponse);
/// assert_eq!(Command::VerifyRequest.code(), 1);
/// assert_eq!(Command::from_code(9), Command::Unknown(9));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// A phone asks whether a certificate is trusted (1).
    VerifyRequest,
    /// TVS answers (2).
    VerifyResponse,
    /// Any other code, kept as read.
    Unknown(u8),
}

impl Command {
    /// The command for a code; codes other than 1 and 2 become
    /// [`Command::Unknown`].
    pub const fn from_code(code: u8) -> Self {
        match code {
            1 => Command::VerifyRequest,
            2 => Command::VerifyResponse,
            other => Command::Unknown(other),
        }
    }

    /// The code written in the header.
    pub const fn code(self) -> u8 {
        match self {
            Command::VerifyRequest => 1,
            Command::VerifyResponse => 2,
            Command::Unknown(code) => code,
        }
    }
}

impl core::fmt::Display for Command {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Command::VerifyRequest => f.write_str("verify request"),
            Command::VerifyResponse => f.write_str("verify response"),
            Command::Unknown(code) => write!(f, "command {code}"),
        }
    }
}

/// An element's tag byte.
///
/// ```
/// use cisco_itl::tvs::codec::ElementTag;
/// assert_eq!(ElementTag::from_code(5), ElementTag::TimeToLive);
/// assert_eq!(ElementTag::Roles.code(), 4);
/// assert_eq!(ElementTag::from_code(200), ElementTag::Unknown(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementTag {
    /// The phone's device name, UTF-8 (1).
    DeviceName,
    /// An X.509 certificate, DER (2).
    Certificate,
    /// The verdict, one byte (3).
    Status,
    /// The certificate's roles, 16-bit big-endian function codes (4).
    Roles,
    /// How long the verdict may be cached, 32-bit big-endian seconds (5).
    TimeToLive,
    /// Any other tag, kept as read.
    Unknown(u8),
}

impl ElementTag {
    /// The tag for a byte; bytes other than 1 to 5 become
    /// [`ElementTag::Unknown`].
    pub const fn from_code(code: u8) -> Self {
        match code {
            1 => ElementTag::DeviceName,
            2 => ElementTag::Certificate,
            3 => ElementTag::Status,
            4 => ElementTag::Roles,
            5 => ElementTag::TimeToLive,
            other => ElementTag::Unknown(other),
        }
    }

    /// The byte written on the wire.
    pub const fn code(self) -> u8 {
        match self {
            ElementTag::DeviceName => 1,
            ElementTag::Certificate => 2,
            ElementTag::Status => 3,
            ElementTag::Roles => 4,
            ElementTag::TimeToLive => 5,
            ElementTag::Unknown(code) => code,
        }
    }
}

impl core::fmt::Display for ElementTag {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ElementTag::DeviceName => f.write_str("device name element"),
            ElementTag::Certificate => f.write_str("certificate element"),
            ElementTag::Status => f.write_str("status element"),
            ElementTag::Roles => f.write_str("roles element"),
            ElementTag::TimeToLive => f.write_str("time to live element"),
            ElementTag::Unknown(code) => write!(f, "element with tag {code}"),
        }
    }
}

/// TVS's verdict on a certificate.
///
/// ```
/// use cisco_itl::tvs::codec::Status;
/// assert_eq!(Status::from_code(0), Status::Trusted);
/// assert!(Status::Trusted.is_trusted());
/// assert_eq!(Status::from_code(7), Status::Other(7));
/// assert_eq!(Status::Error.code(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The certificate is in TVS's store (0).
    Trusted,
    /// The certificate is unknown or not trusted (1).
    NotTrusted,
    /// TVS failed to answer (2).
    Error,
    /// Any other code, kept as read.
    Other(u8),
}

impl Status {
    /// The status for a code; codes other than 0 to 2 become
    /// [`Status::Other`].
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Status::Trusted,
            1 => Status::NotTrusted,
            2 => Status::Error,
            other => Status::Other(other),
        }
    }

    /// The byte written on the wire.
    pub const fn code(self) -> u8 {
        match self {
            Status::Trusted => 0,
            Status::NotTrusted => 1,
            Status::Error => 2,
            Status::Other(code) => code,
        }
    }

    /// Whether TVS vouches for the certificate.
    pub const fn is_trusted(self) -> bool {
        matches!(self, Status::Trusted)
    }
}

impl core::fmt::Display for Status {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Status::Trusted => f.write_str("trusted"),
            Status::NotTrusted => f.write_str("not trusted"),
            Status::Error => f.write_str("error"),
            Status::Other(code) => write!(f, "status {code}"),
        }
    }
}

/// One element of a message's payload, borrowed from the message bytes.
///
/// ```
/// use cisco_itl::tvs::codec::{ElementTag, Message};
/// let wire = [87, 1, 2, 0, 0, 0, 0, 9, 0, 0, 0, 4, 3, 0, 1, 0];
/// let message = Message::decode(&wire)?;
/// let element = message.elements().next();
/// assert_eq!(element.map(|e| (e.tag, e.offset, e.value)),
///            Some((ElementTag::Status, 12, &[0][..])));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The element's tag.
    pub tag: ElementTag,
    /// Offset of the tag byte from the start of the message.
    pub offset: usize,
    /// The value bytes.
    pub value: &'a [u8],
}

/// Reads the element whose tag byte is at `pos` in `bytes` (the whole
/// message), returning it and the position after it.
fn read_element(bytes: &[u8], pos: usize) -> Result<(Element<'_>, usize), TvsError> {
    let rest = bytes.get(pos..).unwrap_or_default();
    let truncated = |needed| TvsError::TruncatedElement {
        offset: pos,
        needed,
        available: rest.len(),
    };
    let Some((&[tag, hi, lo], tail)) = rest.split_first_chunk::<ELEMENT_OVERHEAD>() else {
        return Err(truncated(ELEMENT_OVERHEAD));
    };
    let length = usize::from(u16::from_be_bytes([hi, lo]));
    let value = tail
        .get(..length)
        .ok_or(truncated(ELEMENT_OVERHEAD + length))?;
    Ok((
        Element {
            tag: ElementTag::from_code(tag),
            offset: pos,
            value,
        },
        pos + ELEMENT_OVERHEAD + length,
    ))
}

/// The payload's elements in wire order, unknown ones included.
///
/// ```
/// use cisco_itl::tvs::codec::{ElementTag, Message};
/// // A request with a device name, an unknown tag 9 and a certificate.
/// let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 12,
///             1, 0, 1, b'P', 9, 0, 1, 0xAA, 2, 0, 1, 0x30];
/// let tags: Vec<_> = Message::decode(&wire)?.elements().map(|e| e.tag).collect();
/// assert_eq!(tags, [ElementTag::DeviceName, ElementTag::Unknown(9), ElementTag::Certificate]);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        match read_element(self.bytes, self.pos) {
            Ok((element, next)) => {
                self.pos = next;
                Some(element)
            }
            // Unreachable for a decoded message, which was checked whole;
            // stop rather than loop.
            Err(_) => {
                self.pos = self.bytes.len();
                None
            }
        }
    }
}

impl FusedIterator for Elements<'_> {}

/// The function codes of a roles element, read in place.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{Message, Status, VerifyResponse};
/// let wire = VerifyResponse { session_id: 1, status: Status::Trusted,
///                             roles: vec![2, 21], ttl_seconds: 60 }.encode()?;
/// let message = Message::decode(&wire)?;
/// let roles = message.roles().map(|r| r.collect::<Vec<u16>>());
/// assert_eq!(roles, Some(vec![2, 21]));
/// let functions = message.roles().map(|r| r.functions().collect::<Vec<_>>());
/// assert_eq!(functions, Some(vec![Function::CcmTftp, Function::Tvs]));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Roles<'a> {
    bytes: &'a [u8],
}

impl<'a> Roles<'a> {
    /// The same codes as [`Function`]s.
    pub fn functions(self) -> RoleFunctions<'a> {
        RoleFunctions { roles: self }
    }
}

impl Iterator for Roles<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        let (code, rest) = self.bytes.split_first_chunk::<2>()?;
        self.bytes = rest;
        Some(u16::from_be_bytes(*code))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / 2;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Roles<'_> {
    fn next_back(&mut self) -> Option<u16> {
        let (rest, code) = self.bytes.split_last_chunk::<2>()?;
        self.bytes = rest;
        Some(u16::from_be_bytes(*code))
    }
}

impl ExactSizeIterator for Roles<'_> {}
impl FusedIterator for Roles<'_> {}

/// The roles of a roles element as [`Function`]s.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{Message, Status, VerifyResponse};
/// let wire = VerifyResponse { session_id: 1, status: Status::Trusted,
///                             roles: vec![0, 99], ttl_seconds: 60 }.encode()?;
/// let functions: Option<Vec<Function>> =
///     Message::decode(&wire)?.roles_as_functions().map(Iterator::collect);
/// assert_eq!(functions, Some(vec![Function::Sast, Function::Unknown(99)]));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RoleFunctions<'a> {
    roles: Roles<'a>,
}

impl Iterator for RoleFunctions<'_> {
    type Item = Function;

    fn next(&mut self) -> Option<Function> {
        self.roles.next().map(Function::from_code)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.roles.size_hint()
    }
}

impl DoubleEndedIterator for RoleFunctions<'_> {
    fn next_back(&mut self) -> Option<Function> {
        self.roles.next_back().map(Function::from_code)
    }
}

impl ExactSizeIterator for RoleFunctions<'_> {}
impl FusedIterator for RoleFunctions<'_> {}

/// A decoded TVS message: a checked, borrowed view of its bytes.
///
/// [`Message::decode`] checks the header, that the payload length matches
/// the input exactly, that every element fits, that no known element
/// repeats, and the shape of each known element (status 1 byte, time to
/// live 4, roles even, device name UTF-8). It does not check which
/// elements the command requires; the typed forms [`VerifyRequest`] and
/// [`VerifyResponse`] do. Unknown elements are kept: [`Message::elements`]
/// yields them and [`Message::as_bytes`] returns the input unchanged.
///
/// ```
/// use cisco_itl::tvs::codec::{Command, Message};
/// let wire = [87, 1, 1, 0, 0, 0, 0, 42, 0, 0, 0, 9,
///             1, 0, 2, b'P', b'1', 2, 0, 1, 0x30];
/// let message = Message::decode(&wire)?;
/// assert_eq!(message.command(), Command::VerifyRequest);
/// assert_eq!(message.session_id(), 42);
/// assert_eq!(message.device_name(), Some("P1"));
/// assert_eq!(message.certificate(), Some(&[0x30][..]));
/// assert_eq!(message.status(), None);
/// assert_eq!(message.as_bytes(), &wire[..]);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    bytes: &'a [u8],
    command: Command,
    reserved: u8,
    session_id: u32,
    device_name: Option<&'a str>,
    certificate: Option<&'a [u8]>,
    status: Option<Status>,
    roles: Option<&'a [u8]>,
    ttl: Option<u32>,
}

/// Records the first occurrence of a known element, or reports the second.
fn first_only<'a>(slot: &mut Option<Element<'a>>, element: Element<'a>) -> Result<(), TvsError> {
    match slot {
        Some(first) => Err(TvsError::DuplicateElement {
            tag: element.tag,
            first_offset: first.offset,
            offset: element.offset,
        }),
        None => {
            *slot = Some(element);
            Ok(())
        }
    }
}

impl<'a> Message<'a> {
    /// Decodes and checks a whole message; `bytes` must hold exactly one
    /// message, header included. Allocates nothing.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Message, TvsError};
    /// // The header declares 1 payload byte, 2 follow.
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0];
    /// assert_eq!(Message::decode(&wire),
    ///            Err(TvsError::LengthMismatch { declared: 1, actual: 2 }));
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(TvsError::TruncatedHeader {
                length: bytes.len(),
            });
        };
        let [
            protocol,
            version,
            command,
            reserved,
            s0,
            s1,
            s2,
            s3,
            l0,
            l1,
            l2,
            l3,
        ] = *header;
        if protocol != PROTOCOL_ID {
            return Err(TvsError::WrongProtocolId { found: protocol });
        }
        if version != VERSION {
            return Err(TvsError::UnsupportedVersion { found: version });
        }
        let declared = u32::from_be_bytes([l0, l1, l2, l3]);
        // A u32 always fits usize on the targets we build for; saturate
        // otherwise so the comparison below still fails.
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        if declared != payload.len() {
            return Err(TvsError::LengthMismatch {
                declared,
                actual: payload.len(),
            });
        }

        let mut device_name = None;
        let mut certificate = None;
        let mut status = None;
        let mut roles = None;
        let mut ttl = None;
        let mut pos = HEADER_LEN;
        while pos < bytes.len() {
            let (element, next) = read_element(bytes, pos)?;
            let bad_length = TvsError::BadElementLength {
                tag: element.tag,
                offset: element.offset,
                length: element.value.len(),
            };
            match element.tag {
                ElementTag::DeviceName => first_only(&mut device_name, element)?,
                ElementTag::Certificate => first_only(&mut certificate, element)?,
                ElementTag::Status => {
                    first_only(&mut status, element)?;
                    if element.value.len() != 1 {
                        return Err(bad_length);
                    }
                }
                ElementTag::Roles => {
                    first_only(&mut roles, element)?;
                    if element.value.len() % 2 != 0 {
                        return Err(bad_length);
                    }
                }
                ElementTag::TimeToLive => {
                    first_only(&mut ttl, element)?;
                    if element.value.len() != 4 {
                        return Err(bad_length);
                    }
                }
                ElementTag::Unknown(_) => {}
            }
            pos = next;
        }

        let device_name = match device_name {
            None => None,
            Some(element) => {
                Some(
                    core::str::from_utf8(element.value).map_err(|e| TvsError::BadUtf8 {
                        offset: element.offset,
                        error_offset: element.offset + ELEMENT_OVERHEAD + e.valid_up_to(),
                    })?,
                )
            }
        };
        let status = match status.map(|e| e.value) {
            Some(&[code]) => Some(Status::from_code(code)),
            _ => None,
        };
        let ttl = match ttl.map(|e| e.value) {
            Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d])),
            _ => None,
        };

        Ok(Message {
            bytes,
            command: Command::from_code(command),
            reserved,
            session_id: u32::from_be_bytes([s0, s1, s2, s3]),
            device_name,
            certificate: certificate.map(|e| e.value),
            status,
            roles: roles.map(|e| e.value),
            ttl,
        })
    }

    /// The header's command.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, Message};
    /// let wire = [87, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.command(), Command::Unknown(7));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn command(&self) -> Command {
        self.command
    }

    /// The header's session id, which a response repeats from its request.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 0, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.session_id(), 0x0102_0304);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn session_id(&self) -> u32 {
        self.session_id
    }

    /// The header's reserved byte (offset 3), which encoders write as 0 and
    /// the decoder accepts whatever its value.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 5, 0, 0, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.reserved(), 5);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn reserved(&self) -> u8 {
        self.reserved
    }

    /// The whole message as decoded, header included.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.as_bytes(), &wire[..]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes after the header.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.payload(), &[200, 0, 0][..]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(HEADER_LEN..).unwrap_or_default()
    }

    /// Every element of the payload in wire order, unknown tags included.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{ElementTag, Message};
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 8,
    ///             3, 0, 1, 1,  77, 0, 1, 0xFF];
    /// let message = Message::decode(&wire)?;
    /// let unknown: Vec<_> = message.elements()
    ///     .filter(|e| matches!(e.tag, ElementTag::Unknown(_)))
    ///     .map(|e| (e.offset, e.value))
    ///     .collect();
    /// assert_eq!(unknown, [(16, &[0xFF][..])]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn elements(&self) -> Elements<'a> {
        Elements {
            bytes: self.bytes,
            pos: HEADER_LEN,
        }
    }

    /// The device name element, if present.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 2, 0xC3, 0xA9];
    /// assert_eq!(Message::decode(&wire)?.device_name(), Some("é"));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn device_name(&self) -> Option<&'a str> {
        self.device_name
    }

    /// The certificate element's DER bytes, if present.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0, 2, 0x30, 0x00];
    /// assert_eq!(Message::decode(&wire)?.certificate(), Some(&[0x30, 0x00][..]));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn certificate(&self) -> Option<&'a [u8]> {
        self.certificate
    }

    /// The status element, if present.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Message, Status};
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 4, 3, 0, 1, 1];
    /// assert_eq!(Message::decode(&wire)?.status(), Some(Status::NotTrusted));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn status(&self) -> Option<Status> {
        self.status
    }

    /// The roles element's function codes, if present.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 4, 0, 4, 0, 1, 0, 21];
    /// let roles: Option<Vec<u16>> = Message::decode(&wire)?.roles().map(Iterator::collect);
    /// assert_eq!(roles, Some(vec![1, 21]));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn roles(&self) -> Option<Roles<'a>> {
        match self.roles {
            Some(bytes) => Some(Roles { bytes }),
            None => None,
        }
    }

    /// The roles element's codes as [`Function`]s, if present.
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5, 4, 0, 2, 0, 4];
    /// let functions: Option<Vec<Function>> =
    ///     Message::decode(&wire)?.roles_as_functions().map(Iterator::collect);
    /// assert_eq!(functions, Some(vec![Function::Capf]));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn roles_as_functions(&self) -> Option<RoleFunctions<'a>> {
        match self.roles {
            Some(bytes) => Some(RoleFunctions {
                roles: Roles { bytes },
            }),
            None => None,
        }
    }

    /// The time to live element in seconds, if present.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 5, 0, 4, 0, 1, 0x51, 0x80];
    /// assert_eq!(Message::decode(&wire)?.ttl(), Some(86_400));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn ttl(&self) -> Option<u32> {
        self.ttl
    }

    /// Fails unless the header's command is `expected`.
    fn expect_command(&self, expected: Command) -> Result<(), TvsError> {
        if self.command == expected {
            Ok(())
        } else {
            Err(TvsError::UnexpectedCommand {
                expected,
                found: self.command,
            })
        }
    }

    /// Builds the error for an element `command` requires.
    const fn missing(&self, tag: ElementTag) -> TvsError {
        TvsError::MissingElement {
            command: self.command,
            tag,
        }
    }
}

/// Writes a header and elements, patching the payload length at the end.
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn new(command: Command, session_id: u32, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(HEADER_LEN + capacity);
        out.extend_from_slice(&[PROTOCOL_ID, VERSION, command.code(), 0]);
        out.extend_from_slice(&session_id.to_be_bytes());
        out.extend_from_slice(&[0; 4]);
        Writer { out }
    }

    /// The length field for a value, or why it does not fit.
    fn length(tag: ElementTag, length: usize) -> Result<[u8; 2], TvsError> {
        u16::try_from(length)
            .map(u16::to_be_bytes)
            .map_err(|_| TvsError::ValueTooLong { tag, length })
    }

    fn element(&mut self, tag: ElementTag, value: &[u8]) -> Result<(), TvsError> {
        let length = Self::length(tag, value.len())?;
        self.out.push(tag.code());
        self.out.extend_from_slice(&length);
        self.out.extend_from_slice(value);
        Ok(())
    }

    fn finish(mut self) -> Vec<u8> {
        // The typed messages have at most three elements of at most 65,538
        // bytes each, so the payload length always fits 32 bits.
        let payload = self.out.len().saturating_sub(HEADER_LEN);
        let payload = u32::try_from(payload).unwrap_or(u32::MAX);
        if let Some(field) = self.out.get_mut(8..HEADER_LEN) {
            field.copy_from_slice(&payload.to_be_bytes());
        }
        self.out
    }
}

/// A phone's question to TVS: is this certificate trusted?
///
/// Encodes as a [`Command::VerifyRequest`] with a device name element then a
/// certificate element; decoding requires both and ignores other elements.
///
/// ```
/// use cisco_itl::tvs::codec::{Message, VerifyRequest};
/// let request = VerifyRequest {
///     session_id: 1,
///     device_name: "SEPA1B2C3D4E5F6".into(),
///     certificate: vec![0x30, 0x00],
/// };
/// let wire = request.encode()?;
/// let message = Message::decode(&wire)?;
/// assert_eq!(VerifyRequest::try_from(&message)?, request);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyRequest {
    /// Chosen by the phone; the response repeats it.
    pub session_id: u32,
    /// The phone's device name (`SEP` and its MAC address, typically).
    pub device_name: String,
    /// The certificate in question, DER.
    pub certificate: Vec<u8>,
}

impl VerifyRequest {
    /// Encodes the request.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{TvsError, ElementTag, VerifyRequest};
    /// let request = VerifyRequest { session_id: 1, device_name: "P".into(),
    ///                               certificate: vec![0; 70_000] };
    /// assert_eq!(request.encode(), Err(TvsError::ValueTooLong {
    ///     tag: ElementTag::Certificate, length: 70_000 }));
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let capacity = 2 * ELEMENT_OVERHEAD + self.device_name.len() + self.certificate.len();
        let mut w = Writer::new(Command::VerifyRequest, self.session_id, capacity);
        w.element(ElementTag::DeviceName, self.device_name.as_bytes())?;
        w.element(ElementTag::Certificate, &self.certificate)?;
        Ok(w.finish())
    }

    /// Decodes and checks a request from its bytes.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyRequest};
    /// // A request carrying only a device name.
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 4, 1, 0, 1, b'P'];
    /// assert_eq!(VerifyRequest::decode(&wire), Err(TvsError::MissingElement {
    ///     command: Command::VerifyRequest, tag: ElementTag::Certificate }));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        Self::try_from(&Message::decode(bytes)?)
    }
}

impl TryFrom<&Message<'_>> for VerifyRequest {
    type Error = TvsError;

    /// Checks the command and that the device name and certificate are
    /// present.
    fn try_from(message: &Message<'_>) -> Result<Self, TvsError> {
        message.expect_command(Command::VerifyRequest)?;
        let device_name = message
            .device_name()
            .ok_or(message.missing(ElementTag::DeviceName))?;
        let certificate = message
            .certificate()
            .ok_or(message.missing(ElementTag::Certificate))?;
        Ok(VerifyRequest {
            session_id: message.session_id(),
            device_name: device_name.into(),
            certificate: certificate.into(),
        })
    }
}

/// TVS's answer: a status and, when trusted, the certificate's roles and
/// how long the phone may cache the answer.
///
/// Encodes as a [`Command::VerifyResponse`] with a status element, then a
/// roles element and a time to live element. Those two are always written
/// for [`Status::Trusted`]; for other statuses each is written only when it
/// carries something (roles not empty, time to live not zero), so that
/// decoding what was encoded gives back the same value.
///
/// Decoding requires the status, and for [`Status::Trusted`] the roles and
/// time to live too; an absent optional element reads as no roles or a time
/// to live of zero.
///
/// ```
/// use cisco_itl::tvs::codec::{Status, VerifyResponse};
/// let response = VerifyResponse::decode(&[87, 1, 2, 0, 0, 0, 0, 3, 0, 0, 0, 4, 3, 0, 1, 1])?;
/// assert_eq!(response, VerifyResponse {
///     session_id: 3, status: Status::NotTrusted, roles: vec![], ttl_seconds: 0 });
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifyResponse {
    /// The session id of the request answered.
    pub session_id: u32,
    /// The verdict.
    pub status: Status,
    /// The certificate's roles, as trust-list function codes.
    pub roles: Vec<u16>,
    /// How long the phone may cache a "trusted" answer, in seconds.
    pub ttl_seconds: u32,
}

impl VerifyResponse {
    /// Encodes the response.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Status, VerifyResponse};
    /// let wire = VerifyResponse { session_id: 9, status: Status::Error,
    ///                             roles: vec![], ttl_seconds: 0 }.encode()?;
    /// assert_eq!(wire, [87, 1, 2, 0, 0, 0, 0, 9, 0, 0, 0, 4, 3, 0, 1, 2]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let trusted = self.status.is_trusted();
        let roles_len = self.roles.len().saturating_mul(2);
        let capacity = 3 * ELEMENT_OVERHEAD + 1 + roles_len + 4;
        let mut w = Writer::new(Command::VerifyResponse, self.session_id, capacity);
        w.element(ElementTag::Status, &[self.status.code()])?;
        if trusted || !self.roles.is_empty() {
            // Check the length before building the value.
            Writer::length(ElementTag::Roles, roles_len)?;
            let value: Vec<u8> = self.roles.iter().flat_map(|r| r.to_be_bytes()).collect();
            w.element(ElementTag::Roles, &value)?;
        }
        if trusted || self.ttl_seconds != 0 {
            w.element(ElementTag::TimeToLive, &self.ttl_seconds.to_be_bytes())?;
        }
        Ok(w.finish())
    }

    /// Decodes and checks a response from its bytes.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyResponse};
    /// // "Trusted" without roles or time to live.
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 0, 0, 4, 3, 0, 1, 0];
    /// assert_eq!(VerifyResponse::decode(&wire), Err(TvsError::MissingElement {
    ///     command: Command::VerifyResponse, tag: ElementTag::Roles }));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        Self::try_from(&Message::decode(bytes)?)
    }

    /// The roles as [`Function`]s.
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::{Status, VerifyResponse};
    /// let response = VerifyResponse { session_id: 1, status: Status::Trusted,
    ///                                 roles: vec![1, 7], ttl_seconds: 600 };
    /// let functions: Vec<Function> = response.roles_as_functions().collect();
    /// assert_eq!(functions, [Function::Ccm, Function::AppServer]);
    /// ```
    pub fn roles_as_functions(&self) -> impl ExactSizeIterator<Item = Function> + '_ {
        self.roles.iter().map(|&code| Function::from_code(code))
    }
}

impl TryFrom<&Message<'_>> for VerifyResponse {
    type Error = TvsError;

    /// Checks the command, that the status is present, and for a trusted
    /// status that the roles and time to live are present.
    fn try_from(message: &Message<'_>) -> Result<Self, TvsError> {
        message.expect_command(Command::VerifyResponse)?;
        let status = message
            .status()
            .ok_or(message.missing(ElementTag::Status))?;
        let roles = message.roles();
        let ttl = message.ttl();
        if status.is_trusted() {
            if roles.is_none() {
                return Err(message.missing(ElementTag::Roles));
            }
            if ttl.is_none() {
                return Err(message.missing(ElementTag::TimeToLive));
            }
        }
        Ok(VerifyResponse {
            session_id: message.session_id(),
            status,
            roles: roles.map(Iterator::collect).unwrap_or_default(),
            ttl_seconds: ttl.unwrap_or(0),
        })
    }
}
