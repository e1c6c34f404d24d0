//! The TVS wire protocol, byte for byte as the TVS daemon and the phones
//! speak it: decoded without copying ([`Message`], [`Frame`] and the
//! views), encoded from owned builders ([`VerifyRequest`],
//! [`VerifyResponse`], [`FrameBuf`]).
//!
//! A phone opens a TLS connection to TCP port [`PORT`] (2445), sends one
//! request, reads one response, and the connection ends.
//!
//! # The header
//!
//! Every message starts with 10 bytes; numbers are big-endian.
//!
//! | offset | size | field                                                       |
//! |--------|------|-------------------------------------------------------------|
//! | 0      | 1    | protocol id, always 87 (`'W'`)                              |
//! | 1      | 1    | protocol version: 1 (a lower one is read, a higher refused) |
//! | 2      | 1    | command: 1 verify request, 2 verify response, 3 query request, 4 query response |
//! | 3      | 1    | reserved: written as 0, read whatever it holds              |
//! | 4      | 4    | session id, chosen by the phone, repeated by the answer     |
//! | 8      | 2    | payload length: how many bytes of elements follow           |
//!
//! The payload length is 16 bits, so a message carries at most 65,535
//! bytes of elements ([`MAX_PAYLOAD_LEN`]), and the decoder wants exactly
//! that many bytes after the header: fewer or more is a
//! [`TvsError::LengthMismatch`].
//!
//! # Elements
//!
//! The payload is a run of elements, each a tag byte, a 16-bit length and
//! that many bytes of value:
//!
//! | offset in element | size   | field            |
//! |-------------------|--------|------------------|
//! | 0                 | 1      | tag              |
//! | 1                 | 2      | value length `n` |
//! | 3                 | `n`    | value            |
//!
//! A verify request (command 1) carries exactly these two:
//!
//! | tag | element     | value                                                         |
//! |-----|-------------|---------------------------------------------------------------|
//! | 1   | DEVICE NAME | the byte `0x01`, then the name `CP-<model>-SEP<MAC>` ([`DeviceName`]) |
//! | 2   | CERTIFICATE | the DER of the certificate the phone asks about               |
//!
//! A verify response (command 2) carries these three when the certificate
//! is valid, and the STATUS alone when it is not:
//!
//! | tag | element | value                                                                  |
//! |-----|---------|------------------------------------------------------------------------|
//! | 7   | STATUS  | 1 byte: 0 valid (trusted), 1 invalid                                   |
//! | 8   | ROLES   | 1 byte per role, a trust-list FUNCTION code (0 SAST, 1 CCM, 2 CCM+TFTP, 3 TFTP, 4 CAPF, 7 APP-SERVER, 21 TVS) |
//! | 9   | TTL     | 4 bytes: how many seconds the phone may keep the answer                |
//!
//! The query commands (3 and 4) are decoded and encoded as frames whose
//! elements stay opaque: [`Frame`] shows them, [`FrameBuf`] writes them.
//!
//! # How strict decoding is
//!
//! * [`Frame::decode`] checks only the framing: protocol id, version,
//!   payload length, and that the elements exactly fill the payload. It
//!   takes any command and any tags, and its [`Frame::to_buf`] writes back
//!   the very same bytes. Like the TVS daemon and the phones, it takes a
//!   version lower than [`VERSION`] and refuses only a higher one
//!   ([`TvsError::UnsupportedVersion`]); the builders write [`VERSION`].
//! * [`Message::decode`] adds the rules of each command. In a verify
//!   request or response, a tag the command does not define is refused
//!   ([`TvsError::UnexpectedElement`]), as the daemon refuses it; so is a
//!   repeated element, and an element the command needs is required. The
//!   DEVICE NAME must start with the byte `0x01` (strict: any other first
//!   byte is [`TvsError::BadDeviceNamePrefix`]) and the name after it must
//!   be a valid [`DeviceName`]. The STATUS must be 0 or 1; an invalid
//!   answer must carry nothing else. The elements may come in any order;
//!   the builders write them in the order of the tables above.
//! * Commands other than 1 to 4 are refused by [`Message::decode`]
//!   ([`TvsError::UnknownCommand`]).
//!
//! Every offset this module reports (in [`Element::offset`] and in
//! [`TvsError`]) counts bytes from the first byte of the header, from 0.
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

use alloc::vec::Vec;
use core::fmt;
use core::iter::FusedIterator;

use crate::function::Function;

/// The TCP port TVS listens on (inside TLS).
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

/// The protocol version this codec writes, and the highest it reads (a
/// lower one is read too, as peers do).
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::VERSION, 1);
/// ```
pub const VERSION: u8 = 1;

/// The header's length in bytes.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::HEADER_LEN, 10);
/// ```
pub const HEADER_LEN: usize = 10;

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

/// The most bytes of elements a message can carry (the header's payload
/// length is 16 bits).
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::MAX_PAYLOAD_LEN, 65_535);
/// ```
pub const MAX_PAYLOAD_LEN: usize = u16::MAX as usize;

/// The byte that opens a DEVICE NAME value, before the name itself.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::DEVICE_NAME_PREFIX, 0x01);
/// ```
pub const DEVICE_NAME_PREFIX: u8 = 0x01;

/// The length of a TVS device name: `CP-`, 4 digits, `-SEP`, 12 hex digits.
///
/// ```
/// assert_eq!(cisco_itl::tvs::codec::DEVICE_NAME_LEN, "CP-7965-SEP0011215A1AE3".len());
/// ```
pub const DEVICE_NAME_LEN: usize = 23;

/// Where the model's 4 digits start in a device name.
const MODEL_AT: usize = 3;
/// Where the MAC address's 12 hex digits start in a device name.
const MAC_AT: usize = 11;

/// Why bytes are not a well-formed TVS message, or why a message could not
/// be encoded.
///
/// Offsets count from the first byte of the header, from 0. The header
/// fields sit at fixed offsets (protocol id 0, version 1, command 2,
/// payload length 8), so the variants about them do not repeat it.
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
    /// The second byte, the protocol version, is higher than [`VERSION`]
    /// (a lower version is read).
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
    /// An element's tag, length field or value runs past the end of the
    /// message.
    #[error(
        "the element at offset {offset} is truncated: it needs {needed} bytes, {available} are left"
    )]
    TruncatedElement {
        /// Offset of the element's tag byte.
        offset: usize,
        /// Bytes the element needs (tag, length field and value), or the
        /// three bytes of tag and length when even those are missing.
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
    /// An element the command does not allow: an unknown tag (the daemon
    /// refuses those in a request), a tag of the other direction, or
    /// ROLES or TTL in an invalid answer.
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
    /// An element the message needs is absent: the DEVICE NAME or
    /// CERTIFICATE of a request, the STATUS of a response, the ROLES or TTL
    /// of a valid answer.
    #[error("the {command} lacks its {tag}")]
    MissingElement {
        /// The command of the message.
        command: Command,
        /// The missing element.
        tag: ElementTag,
    },
    /// The DEVICE NAME value does not start with [`DEVICE_NAME_PREFIX`]
    /// (`found` is its first byte, or `None` when the value is empty).
    #[error("the device name element at offset {offset} does not start with the byte 0x01")]
    BadDeviceNamePrefix {
        /// Offset of the element's tag byte.
        offset: usize,
        /// The value's first byte, if any.
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

/// Why a string is not a TVS device name, or why one could not be made.
///
/// Indexes are 0-based byte positions in the name; the messages, meant for
/// people, count characters from 1. Every character before the one
/// reported is ASCII, so both agree.
///
/// ```
/// use cisco_itl::tvs::codec::{DeviceName, DeviceNameError};
/// let err = DeviceName::parse("CP-7965-SEP0011215a1ae3").unwrap_err();
/// assert_eq!(err, DeviceNameError::BadMac { index: 18 });
/// assert_eq!(err.to_string(), "character 19 is not an upper-case hexadecimal digit \
///     (the MAC address takes the 12 characters after -SEP)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceNameError {
    /// The name is shorter or longer than [`DEVICE_NAME_LEN`].
    #[error(
        "the name has {length} bytes, but a TVS device name has 23 (CP-, 4 digits, -SEP, 12 hexadecimal digits)"
    )]
    WrongLength {
        /// The name's length in bytes.
        length: usize,
    },
    /// The name does not start with `CP-`.
    #[error("the name does not start with CP-")]
    BadPrefix,
    /// A character of the model is not a digit.
    #[error("character {} is not a digit (the model takes the 4 characters after CP-)", .index + 1)]
    BadModel {
        /// Its 0-based index.
        index: usize,
    },
    /// The model is not followed by `-SEP`.
    #[error("the 4-digit model is not followed by -SEP")]
    BadSeparator,
    /// A character of the MAC address is not an upper-case hex digit.
    #[error(
        "character {} is not an upper-case hexadecimal digit (the MAC address takes the 12 characters after -SEP)",
        .index + 1
    )]
    BadMac {
        /// Its 0-based index.
        index: usize,
    },
    /// A model number of more than 4 digits.
    #[error("model {model} has more than the 4 digits a TVS device name gives it")]
    ModelTooLarge {
        /// The model number.
        model: u16,
    },
    /// A phone name that is not `SEP` and 12 hexadecimal digits.
    #[error("the phone name is not SEP followed by 12 hexadecimal digits")]
    BadSepName,
}

/// The name a phone gives TVS: `CP-<model>-SEP<MAC>`, the model in 4
/// digits and the MAC address in 12 upper-case hexadecimal digits, for
/// example `CP-7965-SEP0011215A1AE3`. The daemon refuses any other form.
///
/// On the wire the DEVICE NAME element holds the byte `0x01` and then this
/// name; the codec writes and checks that byte, so a `DeviceName` never
/// includes it.
///
/// ```
/// use cisco_itl::tvs::codec::DeviceName;
/// let name = DeviceName::new(7965, [0x00, 0x11, 0x21, 0x5A, 0x1A, 0xE3])?;
/// assert_eq!(name.as_str(), "CP-7965-SEP0011215A1AE3");
/// assert_eq!(DeviceName::parse("CP-7965-SEP0011215A1AE3")?, name);
/// assert_eq!(DeviceName::from_sep_name(7965, "SEP0011215a1ae3")?, name);
/// assert_eq!((name.model(), name.sep_name()), (7965, "SEP0011215A1AE3"));
/// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceName([u8; DEVICE_NAME_LEN]);

impl DeviceName {
    /// The name of the phone of model `model` (at most 9999, written in 4
    /// digits with leading zeros) and MAC address `mac`.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{DeviceName, DeviceNameError};
    /// let mac = [0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6];
    /// assert_eq!(DeviceName::new(8841, mac)?.as_str(), "CP-8841-SEPA1B2C3D4E5F6");
    /// assert_eq!(DeviceName::new(796, mac)?.as_str(), "CP-0796-SEPA1B2C3D4E5F6");
    /// assert_eq!(DeviceName::new(10_000, mac), Err(DeviceNameError::ModelTooLarge { model: 10_000 }));
    /// # Ok::<(), DeviceNameError>(())
    /// ```
    pub fn new(model: u16, mac: [u8; 6]) -> Result<Self, DeviceNameError> {
        if model > 9999 {
            return Err(DeviceNameError::ModelTooLarge { model });
        }
        let mut out = *b"CP-0000-SEP000000000000";
        if let Some(digits) = out.get_mut(MODEL_AT..MODEL_AT + 4) {
            let mut rest = model;
            for digit in digits.iter_mut().rev() {
                // `rest % 10` is below 10.
                *digit = b'0' + u8::try_from(rest % 10).unwrap_or(0);
                rest /= 10;
            }
        }
        if let Some(hex) = out.get_mut(MAC_AT..) {
            for (pair, byte) in hex.chunks_exact_mut(2).zip(mac) {
                if let [high, low] = pair {
                    *high = hex_digit(byte >> 4);
                    *low = hex_digit(byte & 0x0F);
                }
            }
        }
        Ok(DeviceName(out))
    }

    /// Checks a name: exactly `CP-`, 4 ASCII digits, `-SEP` and 12
    /// upper-case hexadecimal digits.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{DeviceName, DeviceNameError};
    /// assert!(DeviceName::parse("CP-7965-SEP0011215A1AE3").is_ok());
    /// assert_eq!(DeviceName::parse("SEP0011215A1AE3"), Err(DeviceNameError::BadPrefix));
    /// assert_eq!(DeviceName::parse("CP-796-SEP0011215A1AE3"), Err(DeviceNameError::BadModel { index: 6 }));
    /// assert_eq!(DeviceName::parse("CP-7965-SEP0011"), Err(DeviceNameError::WrongLength { length: 15 }));
    /// ```
    pub fn parse(name: &str) -> Result<Self, DeviceNameError> {
        Self::from_bytes(name.as_bytes())
    }

    /// Checks a name given as bytes (as it comes off the wire, after the
    /// `0x01` prefix); the same rules as [`DeviceName::parse`].
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{DeviceName, DeviceNameError};
    /// assert!(DeviceName::from_bytes(b"CP-7965-SEP0011215A1AE3").is_ok());
    /// assert_eq!(DeviceName::from_bytes(b"CP-7965-SEP0011215A1A\xC3\xA9"),
    ///            Err(DeviceNameError::BadMac { index: 21 }));
    /// ```
    pub fn from_bytes(name: &[u8]) -> Result<Self, DeviceNameError> {
        let wrong_length = DeviceNameError::WrongLength { length: name.len() };
        let mut out = [0u8; DEVICE_NAME_LEN];
        for (index, slot) in out.iter_mut().enumerate() {
            let byte = *name.get(index).ok_or(wrong_length)?;
            let (ok, error) = match index {
                0..MODEL_AT => (b"CP-".get(index) == Some(&byte), DeviceNameError::BadPrefix),
                MODEL_AT..7 => (byte.is_ascii_digit(), DeviceNameError::BadModel { index }),
                7..MAC_AT => (
                    b"-SEP".get(index - 7) == Some(&byte),
                    DeviceNameError::BadSeparator,
                ),
                _ => (
                    matches!(byte, b'0'..=b'9' | b'A'..=b'F'),
                    DeviceNameError::BadMac { index },
                ),
            };
            if !ok {
                return Err(error);
            }
            *slot = byte;
        }
        if name.len() != DEVICE_NAME_LEN {
            return Err(wrong_length);
        }
        Ok(DeviceName(out))
    }

    /// The TVS name of a phone known by its `SEP<MAC>` name (the name of
    /// its configuration file), the MAC's hex digits in either case.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{DeviceName, DeviceNameError};
    /// assert_eq!(DeviceName::from_sep_name(7965, "SEP0011215A1AE3")?.as_str(),
    ///            "CP-7965-SEP0011215A1AE3");
    /// assert_eq!(DeviceName::from_sep_name(7965, "0011215A1AE3"), Err(DeviceNameError::BadSepName));
    /// # Ok::<(), DeviceNameError>(())
    /// ```
    pub fn from_sep_name(model: u16, sep_name: &str) -> Result<Self, DeviceNameError> {
        let bytes = sep_name.as_bytes();
        let hex = match bytes.split_first_chunk::<3>() {
            Some((prefix, hex)) if prefix.eq_ignore_ascii_case(b"SEP") && hex.len() == 12 => hex,
            _ => return Err(DeviceNameError::BadSepName),
        };
        let mut mac = [0u8; 6];
        for (byte, pair) in mac.iter_mut().zip(hex.chunks_exact(2)) {
            let [high, low] = pair else {
                return Err(DeviceNameError::BadSepName);
            };
            let (Some(high), Some(low)) = (hex_value(*high), hex_value(*low)) else {
                return Err(DeviceNameError::BadSepName);
            };
            *byte = (high << 4) | low;
        }
        Self::new(model, mac)
    }

    /// The name as text.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::DeviceName;
    /// let name = DeviceName::parse("CP-8945-SEP001122334455")?;
    /// assert_eq!(name.as_str(), "CP-8945-SEP001122334455");
    /// assert_eq!(name.to_string(), "CP-8945-SEP001122334455");
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // Always ASCII: every constructor checks or writes it.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The name's bytes (without the wire's `0x01` prefix).
    ///
    /// ```
    /// use cisco_itl::tvs::codec::DeviceName;
    /// let name = DeviceName::parse("CP-8945-SEP001122334455")?;
    /// assert_eq!(name.as_bytes(), b"CP-8945-SEP001122334455");
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub const fn as_bytes(&self) -> &[u8; DEVICE_NAME_LEN] {
        &self.0
    }

    /// The model number.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::DeviceName;
    /// assert_eq!(DeviceName::parse("CP-0796-SEP001122334455")?.model(), 796);
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn model(&self) -> u16 {
        self.0
            .get(MODEL_AT..MODEL_AT + 4)
            .unwrap_or_default()
            .iter()
            .fold(0, |n, d| n * 10 + u16::from(d.wrapping_sub(b'0')))
    }

    /// The MAC address.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::DeviceName;
    /// let name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// assert_eq!(name.mac(), [0x00, 0x11, 0x21, 0x5A, 0x1A, 0xE3]);
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn mac(&self) -> [u8; 6] {
        let mut mac = [0u8; 6];
        let hex = self.0.get(MAC_AT..).unwrap_or_default();
        for (byte, pair) in mac.iter_mut().zip(hex.chunks_exact(2)) {
            if let [high, low] = pair {
                *byte = (hex_value(*high).unwrap_or(0) << 4) | hex_value(*low).unwrap_or(0);
            }
        }
        mac
    }

    /// The `SEP<MAC>` part, the phone's name in CUCM and in its file names.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::DeviceName;
    /// let name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// assert_eq!(name.sep_name(), "SEP0011215A1AE3");
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn sep_name(&self) -> &str {
        self.as_str().get(MAC_AT - 3..).unwrap_or_default()
    }
}

/// The upper-case hex digit of a nibble (below 16).
const fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + (nibble - 10)
    }
}

/// The value of a hex digit of either case.
const fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

impl fmt::Debug for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeviceName").field(&self.as_str()).finish()
    }
}

/// The name, honouring width and alignment.
///
/// ```
/// use cisco_itl::tvs::codec::DeviceName;
/// let name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
/// assert_eq!(format!("[{name:>25}]"), "[  CP-7965-SEP0011215A1AE3]");
/// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
/// ```
impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Parses like [`DeviceName::parse`].
///
/// ```
/// use cisco_itl::tvs::codec::DeviceName;
/// let name: DeviceName = "CP-7965-SEP0011215A1AE3".parse()?;
/// assert_eq!(name.model(), 7965);
/// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
/// ```
impl core::str::FromStr for DeviceName {
    type Err = DeviceNameError;

    fn from_str(name: &str) -> Result<Self, DeviceNameError> {
        Self::parse(name)
    }
}

/// Parses like [`DeviceName::parse`].
///
/// ```
/// use cisco_itl::tvs::codec::DeviceName;
/// assert!(DeviceName::try_from("CP-7965-SEP0011215A1AE3").is_ok());
/// ```
impl TryFrom<&str> for DeviceName {
    type Error = DeviceNameError;

    fn try_from(name: &str) -> Result<Self, DeviceNameError> {
        Self::parse(name)
    }
}

impl AsRef<str> for DeviceName {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A message's command byte (header offset 2).
///
/// ```
/// use cisco_itl::tvs::codec::Command;
/// assert_eq!(Command::from_code(2), Command::VerifyResponse);
/// assert_eq!(Command::QueryRequest.code(), 3);
/// assert_eq!(Command::from_code(9), Command::Unknown(9));
/// assert_eq!(Command::QueryResponse.to_string(), "query response");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// A phone asks whether a certificate is trusted (1).
    VerifyRequest,
    /// TVS answers a verify request (2).
    VerifyResponse,
    /// A query, whose elements this codec keeps opaque (3).
    QueryRequest,
    /// The answer to a query, elements opaque (4).
    QueryResponse,
    /// Any other code, kept as read.
    Unknown(u8),
}

impl Command {
    /// The command for a code; codes other than 1 to 4 become
    /// [`Command::Unknown`].
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Command;
    /// assert_eq!(Command::from_code(1), Command::VerifyRequest);
    /// ```
    pub const fn from_code(code: u8) -> Self {
        match code {
            1 => Command::VerifyRequest,
            2 => Command::VerifyResponse,
            3 => Command::QueryRequest,
            4 => Command::QueryResponse,
            other => Command::Unknown(other),
        }
    }

    /// The code written in the header.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Command;
    /// assert_eq!(Command::VerifyResponse.code(), 2);
    /// ```
    pub const fn code(self) -> u8 {
        match self {
            Command::VerifyRequest => 1,
            Command::VerifyResponse => 2,
            Command::QueryRequest => 3,
            Command::QueryResponse => 4,
            Command::Unknown(code) => code,
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::VerifyRequest => f.write_str("verify request"),
            Command::VerifyResponse => f.write_str("verify response"),
            Command::QueryRequest => f.write_str("query request"),
            Command::QueryResponse => f.write_str("query response"),
            Command::Unknown(code) => write!(f, "message of command {code}"),
        }
    }
}

/// An element's tag byte.
///
/// ```
/// use cisco_itl::tvs::codec::ElementTag;
/// assert_eq!(ElementTag::from_code(9), ElementTag::TimeToLive);
/// assert_eq!(ElementTag::Roles.code(), 8);
/// assert_eq!(ElementTag::from_code(3), ElementTag::Unknown(3));
/// assert_eq!(ElementTag::Status.to_string(), "status element (tag 7)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementTag {
    /// DEVICE NAME: `0x01` then the phone's [`DeviceName`] (1).
    DeviceName,
    /// CERTIFICATE: an X.509 certificate, DER (2).
    Certificate,
    /// STATUS: the verdict, one byte (7).
    Status,
    /// ROLES: one FUNCTION code per byte (8).
    Roles,
    /// TTL: how long the answer may be kept, 32-bit seconds (9).
    TimeToLive,
    /// Any other tag, kept as read.
    Unknown(u8),
}

impl ElementTag {
    /// The tag for a byte; bytes other than 1, 2, 7, 8 and 9 become
    /// [`ElementTag::Unknown`].
    ///
    /// ```
    /// use cisco_itl::tvs::codec::ElementTag;
    /// assert_eq!(ElementTag::from_code(1), ElementTag::DeviceName);
    /// ```
    pub const fn from_code(code: u8) -> Self {
        match code {
            1 => ElementTag::DeviceName,
            2 => ElementTag::Certificate,
            7 => ElementTag::Status,
            8 => ElementTag::Roles,
            9 => ElementTag::TimeToLive,
            other => ElementTag::Unknown(other),
        }
    }

    /// The byte written on the wire.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::ElementTag;
    /// assert_eq!(ElementTag::Certificate.code(), 2);
    /// ```
    pub const fn code(self) -> u8 {
        match self {
            ElementTag::DeviceName => 1,
            ElementTag::Certificate => 2,
            ElementTag::Status => 7,
            ElementTag::Roles => 8,
            ElementTag::TimeToLive => 9,
            ElementTag::Unknown(code) => code,
        }
    }
}

impl fmt::Display for ElementTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ElementTag::DeviceName => "device name element",
            ElementTag::Certificate => "certificate element",
            ElementTag::Status => "status element",
            ElementTag::Roles => "roles element",
            ElementTag::TimeToLive => "time to live element",
            ElementTag::Unknown(_) => "unknown element",
        };
        write!(f, "{name} (tag {})", self.code())
    }
}

/// TVS's verdict on a certificate (the STATUS byte).
///
/// ```
/// use cisco_itl::tvs::codec::Status;
/// assert_eq!(Status::from_code(0), Some(Status::Valid));
/// assert_eq!(Status::from_code(2), None);
/// assert_eq!(Status::Invalid.code(), 1);
/// assert!(Status::Valid.is_valid());
/// assert_eq!(Status::Invalid.to_string(), "invalid");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// TVS knows and trusts the certificate (0).
    Valid,
    /// TVS does not vouch for it (1).
    Invalid,
}

impl Status {
    /// The status of a STATUS byte; `None` for bytes other than 0 and 1.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Status;
    /// assert_eq!(Status::from_code(1), Some(Status::Invalid));
    /// ```
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Status::Valid),
            1 => Some(Status::Invalid),
            _ => None,
        }
    }

    /// The byte written on the wire.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Status;
    /// assert_eq!(Status::Valid.code(), 0);
    /// ```
    pub const fn code(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
        }
    }

    /// Whether TVS vouches for the certificate.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Status;
    /// assert!(!Status::Invalid.is_valid());
    /// ```
    pub const fn is_valid(self) -> bool {
        matches!(self, Status::Valid)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
        })
    }
}

/// One element of a message's payload, borrowed from the message bytes.
///
/// ```
/// use cisco_itl::tvs::codec::{ElementTag, Frame};
/// let wire = [87, 1, 2, 0, 0, 0, 0, 9, 0, 4, 7, 0, 1, 1];
/// let element = Frame::decode(&wire)?.elements().next();
/// assert_eq!(element.map(|e| (e.tag, e.offset, e.value)),
///            Some((ElementTag::Status, 10, &[1][..])));
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
    let Some((&[tag, high, low], tail)) = rest.split_first_chunk::<ELEMENT_OVERHEAD>() else {
        return Err(truncated(ELEMENT_OVERHEAD));
    };
    let length = usize::from(u16::from_be_bytes([high, low]));
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

/// The elements of a frame in wire order, unknown ones included.
///
/// ```
/// use cisco_itl::tvs::codec::{ElementTag, Frame};
/// // A query with an element of tag 5 and one of tag 1.
/// let wire = [87, 1, 3, 0, 0, 0, 0, 1, 0, 8, 5, 0, 1, 0xAA, 1, 0, 1, 0xBB];
/// let tags: Vec<_> = Frame::decode(&wire)?.elements().map(|e| e.tag).collect();
/// assert_eq!(tags, [ElementTag::Unknown(5), ElementTag::DeviceName]);
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
            // Unreachable for a decoded frame, which was checked whole;
            // stop rather than loop.
            Err(_) => {
                self.pos = self.bytes.len();
                None
            }
        }
    }
}

impl FusedIterator for Elements<'_> {}

/// The roles of a ROLES element, one FUNCTION code per byte, read in
/// place.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{VerifyResponse, VerifyResponseView};
/// let wire = VerifyResponse::valid(1, vec![Function::CcmTftp, Function::Tvs], 60).encode()?;
/// let view = VerifyResponseView::decode(&wire)?;
/// let roles = view.roles().map(|r| r.collect::<Vec<_>>());
/// assert_eq!(roles, Some(vec![Function::CcmTftp, Function::Tvs]));
/// assert_eq!(view.roles().map(|r| r.as_bytes()), Some(&[2, 21][..]));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Roles<'a> {
    bytes: &'a [u8],
}

impl<'a> Roles<'a> {
    /// The codes not yet iterated, as on the wire.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{VerifyResponse, VerifyResponseView};
    /// use cisco_itl::Function;
    /// let wire = VerifyResponse::valid(1, vec![Function::Capf], 60).encode()?;
    /// let view = VerifyResponseView::decode(&wire)?;
    /// assert_eq!(view.roles().map(|r| r.as_bytes()), Some(&[4][..]));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl Iterator for Roles<'_> {
    type Item = Function;

    fn next(&mut self) -> Option<Function> {
        let (code, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(Function::from_code(u16::from(*code)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.bytes.len(), Some(self.bytes.len()))
    }
}

impl DoubleEndedIterator for Roles<'_> {
    fn next_back(&mut self) -> Option<Function> {
        let (code, rest) = self.bytes.split_last()?;
        self.bytes = rest;
        Some(Function::from_code(u16::from(*code)))
    }
}

impl ExactSizeIterator for Roles<'_> {}
impl FusedIterator for Roles<'_> {}

/// A checked frame: the header and a run of elements that exactly fills
/// the payload, borrowed from the input. Any command, any tags; nothing
/// about what the elements mean is checked (see [`Message`] for that).
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
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Frame, TvsError};
    /// // The header declares 1 byte of elements, 2 follow.
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 1, 7, 0];
    /// assert_eq!(Frame::decode(&wire),
    ///            Err(TvsError::LengthMismatch { declared: 1, actual: 2 }));
    /// ```
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
        // Peers take a version lower than their own and refuse only a
        // higher one.
        if version > VERSION {
            return Err(TvsError::UnsupportedVersion { found: version });
        }
        let declared = usize::from(u16::from_be_bytes([l0, l1]));
        if declared != payload.len() {
            return Err(TvsError::LengthMismatch {
                declared,
                actual: payload.len(),
            });
        }
        let mut pos = HEADER_LEN;
        while pos < bytes.len() {
            pos = read_element(bytes, pos)?.1;
        }
        Ok(Frame {
            bytes,
            version,
            command: Command::from_code(command),
            reserved,
            session_id: u32::from_be_bytes([s0, s1, s2, s3]),
        })
    }

    /// The header's protocol version: [`VERSION`] or lower.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// // A peer speaking an older version is read.
    /// let wire = [87, 0, 1, 0, 0, 0, 0, 9, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.version(), 0);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn version(&self) -> u8 {
        self.version
    }

    /// The header's command.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, Frame};
    /// let wire = [87, 1, 7, 0, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.command(), Command::Unknown(7));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn command(&self) -> Command {
        self.command
    }

    /// The header's session id, which a response repeats from its request.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 1, 0, 0x01, 0x02, 0x03, 0x04, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.session_id(), 0x0102_0304);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn session_id(&self) -> u32 {
        self.session_id
    }

    /// The header's reserved byte (offset 3), which encoders write as 0
    /// and decoders accept whatever its value.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 1, 5, 0, 0, 0, 0, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.reserved(), 5);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn reserved(&self) -> u8 {
        self.reserved
    }

    /// The whole message as decoded, header included.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.as_bytes(), &wire[..]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes after the header.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 3, 200, 0, 0];
    /// assert_eq!(Frame::decode(&wire)?.payload(), &[200, 0, 0][..]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn payload(&self) -> &'a [u8] {
        self.bytes.get(HEADER_LEN..).unwrap_or_default()
    }

    /// Every element in wire order.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 7, 1, 0, 0, 77, 0, 1, 0xFF];
    /// let found: Vec<_> = Frame::decode(&wire)?.elements()
    ///     .map(|e| (e.tag.code(), e.offset, e.value))
    ///     .collect();
    /// assert_eq!(found, [(1, 10, &[][..]), (77, 13, &[0xFF][..])]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn elements(&self) -> Elements<'a> {
        Elements {
            bytes: self.bytes,
            pos: HEADER_LEN,
        }
    }

    /// The first element with tag `tag`, if any.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{ElementTag, Frame};
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 0, 0, 4, 9, 0, 1, 0xFF];
    /// let frame = Frame::decode(&wire)?;
    /// assert_eq!(frame.element(ElementTag::TimeToLive).map(|e| e.value), Some(&[0xFF][..]));
    /// assert_eq!(frame.element(ElementTag::Status), None);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn element(&self, tag: ElementTag) -> Option<Element<'a>> {
        self.elements().find(|e| e.tag == tag)
    }

    /// An owned copy, which encodes back to the same bytes.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Frame;
    /// let wire = [87, 1, 9, 3, 0, 0, 0, 1, 0, 4, 200, 0, 1, 7];
    /// assert_eq!(Frame::decode(&wire)?.to_buf().encode()?, wire);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn to_buf(&self) -> FrameBuf {
        FrameBuf {
            version: self.version,
            command: self.command,
            reserved: self.reserved,
            session_id: self.session_id,
            elements: self
                .elements()
                .map(|e| ElementBuf {
                    tag: e.tag,
                    value: e.value.to_vec(),
                })
                .collect(),
        }
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
}

/// Records the first occurrence of an element, or reports the second.
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

/// A verify request as it sits in the message bytes: a checked view.
///
/// It holds exactly one DEVICE NAME, `0x01` then a valid [`DeviceName`],
/// and one CERTIFICATE, in either order, and nothing else.
///
/// ```
/// use cisco_itl::tvs::codec::VerifyRequestView;
/// let mut wire = vec![0x57, 1, 1, 0, 0, 0, 0, 7, 0, 35, 1, 0, 24, 1];
/// wire.extend_from_slice(b"CP-7965-SEP0011215A1AE3");
/// wire.extend_from_slice(&[2, 0, 5, 0x30, 0x03, 0x02, 0x01, 0x05]);
/// let view = VerifyRequestView::decode(&wire)?;
/// assert_eq!(view.session_id(), 7);
/// assert_eq!(view.device_name().as_str(), "CP-7965-SEP0011215A1AE3");
/// assert_eq!(view.certificate(), &[0x30, 0x03, 0x02, 0x01, 0x05][..]);
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyRequestView<'a> {
    frame: Frame<'a>,
    device_name: DeviceName,
    certificate: &'a [u8],
}

impl<'a> VerifyRequestView<'a> {
    /// Decodes and checks a verify request. Allocates nothing.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyRequestView};
    /// // A request with a CERTIFICATE and an element of unknown tag 5.
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 8, 2, 0, 1, 0x30, 5, 0, 1, 0];
    /// assert_eq!(VerifyRequestView::decode(&wire), Err(TvsError::UnexpectedElement {
    ///     command: Command::VerifyRequest, tag: ElementTag::Unknown(5), offset: 14 }));
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The session id the answer must repeat.
    ///
    /// ```
    /// # use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyRequestView};
    /// # let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// let wire = VerifyRequest { session_id: 9, device_name, certificate: vec![0x30] }.encode()?;
    /// assert_eq!(VerifyRequestView::decode(&wire)?.session_id(), 9);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn session_id(&self) -> u32 {
        self.frame.session_id
    }

    /// The phone's name (checked; the `0x01` prefix left out).
    ///
    /// ```
    /// # use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyRequestView};
    /// let device_name = DeviceName::parse("CP-8841-SEPA1B2C3D4E5F6")?;
    /// let wire = VerifyRequest { session_id: 9, device_name, certificate: vec![0x30] }.encode()?;
    /// assert_eq!(VerifyRequestView::decode(&wire)?.device_name().model(), 8841);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn device_name(&self) -> DeviceName {
        self.device_name
    }

    /// The DER of the certificate asked about, borrowed from the message.
    ///
    /// ```
    /// # use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyRequestView};
    /// # let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// let wire = VerifyRequest { session_id: 9, device_name, certificate: vec![0x30, 0] }.encode()?;
    /// assert_eq!(VerifyRequestView::decode(&wire)?.certificate(), &[0x30, 0][..]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn certificate(&self) -> &'a [u8] {
        self.certificate
    }

    /// The underlying frame (header fields, elements in wire order).
    ///
    /// ```
    /// # use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyRequestView};
    /// # let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// let wire = VerifyRequest { session_id: 9, device_name, certificate: vec![0x30] }.encode()?;
    /// assert_eq!(VerifyRequestView::decode(&wire)?.frame().as_bytes(), &wire[..]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// An owned copy of the request.
    ///
    /// ```
    /// # use cisco_itl::tvs::codec::{DeviceName, VerifyRequest, VerifyRequestView};
    /// # let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// let request = VerifyRequest { session_id: 9, device_name, certificate: vec![0x30] };
    /// let wire = request.encode()?;
    /// assert_eq!(VerifyRequestView::decode(&wire)?.to_request(), request);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
        frame.expect_command(command)?;
        let (mut name, mut certificate) = (None, None);
        for element in frame.elements() {
            match element.tag {
                ElementTag::DeviceName => first_only(&mut name, element)?,
                ElementTag::Certificate => first_only(&mut certificate, element)?,
                tag => {
                    return Err(TvsError::UnexpectedElement {
                        command,
                        tag,
                        offset: element.offset,
                    });
                }
            }
        }
        let missing = |tag| TvsError::MissingElement { command, tag };
        let name = name.ok_or(missing(ElementTag::DeviceName))?;
        let certificate = certificate.ok_or(missing(ElementTag::Certificate))?;
        let offset = name.offset;
        let text = match name.value.split_first() {
            Some((&DEVICE_NAME_PREFIX, text)) => text,
            other => {
                return Err(TvsError::BadDeviceNamePrefix {
                    offset,
                    found: other.map(|(first, _)| *first),
                });
            }
        };
        let device_name = DeviceName::from_bytes(text)
            .map_err(|error| TvsError::BadDeviceName { offset, error })?;
        Ok(VerifyRequestView {
            frame,
            device_name,
            certificate: certificate.value,
        })
    }
}

/// A verify response as it sits in the message bytes: a checked view.
///
/// A valid answer holds exactly one STATUS (0), one ROLES and one TTL (4
/// bytes); an invalid answer holds exactly one STATUS (1) and nothing
/// else. The elements may come in any order.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{Status, VerifyResponseView};
/// let wire = [0x57, 1, 2, 0, 0, 0, 0, 7, 0, 16,
///             7, 0, 1, 0,  8, 0, 2, 2, 21,  9, 0, 4, 0, 1, 0x51, 0x80];
/// let view = VerifyResponseView::decode(&wire)?;
/// assert_eq!((view.session_id(), view.status()), (7, Status::Valid));
/// assert_eq!(view.roles().map(Iterator::collect), Some(vec![Function::CcmTftp, Function::Tvs]));
/// assert_eq!(view.ttl_seconds(), Some(86_400));
/// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyResponseView<'a> {
    frame: Frame<'a>,
    status: Status,
    roles: Option<&'a [u8]>,
    ttl_seconds: Option<u32>,
}

impl<'a> VerifyResponseView<'a> {
    /// Decodes and checks a verify response. Allocates nothing.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyResponseView};
    /// // "Valid" without roles or time to live.
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 1, 0, 4, 7, 0, 1, 0];
    /// assert_eq!(VerifyResponseView::decode(&wire), Err(TvsError::MissingElement {
    ///     command: Command::VerifyResponse, tag: ElementTag::Roles }));
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The session id of the request answered.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::VerifyResponseView;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert_eq!(VerifyResponseView::decode(&wire)?.session_id(), 3);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn session_id(&self) -> u32 {
        self.frame.session_id
    }

    /// The verdict.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Status, VerifyResponseView};
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert_eq!(VerifyResponseView::decode(&wire)?.status(), Status::Invalid);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn status(&self) -> Status {
        self.status
    }

    /// Whether TVS vouches for the certificate.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::VerifyResponseView;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert!(!VerifyResponseView::decode(&wire)?.is_valid());
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn is_valid(&self) -> bool {
        self.status.is_valid()
    }

    /// The roles of a valid answer; `None` for an invalid one.
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::VerifyResponseView;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 15, 7, 0, 1, 0, 8, 0, 1, 4, 9, 0, 4, 0, 0, 0, 60];
    /// let roles = VerifyResponseView::decode(&wire)?.roles().map(Iterator::collect);
    /// assert_eq!(roles, Some(vec![Function::Capf]));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn roles(&self) -> Option<Roles<'a>> {
        match self.roles {
            Some(bytes) => Some(Roles { bytes }),
            None => None,
        }
    }

    /// How long the phone may keep a valid answer, in seconds; `None` for
    /// an invalid one.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::VerifyResponseView;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 14, 7, 0, 1, 0, 8, 0, 0, 9, 0, 4, 0, 0, 0, 60];
    /// assert_eq!(VerifyResponseView::decode(&wire)?.ttl_seconds(), Some(60));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn ttl_seconds(&self) -> Option<u32> {
        self.ttl_seconds
    }

    /// The underlying frame (header fields, elements in wire order).
    ///
    /// ```
    /// use cisco_itl::tvs::codec::VerifyResponseView;
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert_eq!(VerifyResponseView::decode(&wire)?.frame().elements().count(), 1);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// An owned copy of the response.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{VerifyResponse, VerifyResponseView};
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert_eq!(VerifyResponseView::decode(&wire)?.to_response(), VerifyResponse::invalid(3));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
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
        frame.expect_command(command)?;
        let (mut status, mut roles, mut ttl) = (None, None, None);
        for element in frame.elements() {
            let offset = element.offset;
            let length = element.value.len();
            match element.tag {
                ElementTag::Status => {
                    first_only(&mut status, element)?;
                    if length != 1 {
                        return Err(TvsError::BadStatusLength { offset, length });
                    }
                }
                ElementTag::Roles => first_only(&mut roles, element)?,
                ElementTag::TimeToLive => {
                    first_only(&mut ttl, element)?;
                    if length != 4 {
                        return Err(TvsError::BadTtlLength { offset, length });
                    }
                }
                tag => {
                    return Err(TvsError::UnexpectedElement {
                        command,
                        tag,
                        offset,
                    });
                }
            }
        }
        let missing = |tag| TvsError::MissingElement { command, tag };
        let status_element = status.ok_or(missing(ElementTag::Status))?;
        let code = status_element.value.first().copied().unwrap_or(u8::MAX);
        let status = Status::from_code(code).ok_or(TvsError::BadStatus {
            offset: status_element.offset,
            found: code,
        })?;
        let ttl_seconds = match ttl.map(|e| e.value) {
            Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d])),
            _ => None,
        };
        match status {
            Status::Valid => {
                let roles = roles.ok_or(missing(ElementTag::Roles))?;
                let ttl_seconds = ttl_seconds.ok_or(missing(ElementTag::TimeToLive))?;
                Ok(VerifyResponseView {
                    frame,
                    status,
                    roles: Some(roles.value),
                    ttl_seconds: Some(ttl_seconds),
                })
            }
            Status::Invalid => {
                // The first extra element in wire order.
                let extra = [roles, ttl].into_iter().flatten().min_by_key(|e| e.offset);
                if let Some(e) = extra {
                    return Err(TvsError::UnexpectedElement {
                        command,
                        tag: e.tag,
                        offset: e.offset,
                    });
                }
                Ok(VerifyResponseView {
                    frame,
                    status,
                    roles: None,
                    ttl_seconds: None,
                })
            }
        }
    }
}

/// A decoded and checked TVS message, borrowed from its bytes.
///
/// Verify requests and responses come as checked views; queries as frames
/// whose elements are opaque. [`Message::decode`] refuses commands other
/// than 1 to 4.
///
/// Its [`Display`](fmt::Display) text describes the message in a sentence.
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
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Message, TvsError};
    /// let query = [87, 1, 3, 0, 0, 0, 0, 1, 0, 4, 1, 0, 1, 0xAA];
    /// assert!(matches!(Message::decode(&query)?, Message::QueryRequest(_)));
    /// let unknown = [87, 1, 9, 0, 0, 0, 0, 1, 0, 0];
    /// assert_eq!(Message::decode(&unknown), Err(TvsError::UnknownCommand { found: 9 }));
    /// # Ok::<(), TvsError>(())
    /// ```
    pub fn decode(bytes: &'a [u8]) -> Result<Self, TvsError> {
        Self::try_from(Frame::decode(bytes)?)
    }

    /// The frame underneath: header fields and elements in wire order.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 4, 1, 0, 1, 0xAA];
    /// assert_eq!(Message::decode(&wire)?.frame().as_bytes(), &wire[..]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn frame(&self) -> &Frame<'a> {
        match self {
            Message::VerifyRequest(view) => &view.frame,
            Message::VerifyResponse(view) => &view.frame,
            Message::QueryRequest(frame) | Message::QueryResponse(frame) => frame,
        }
    }

    /// The header's command.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, Message};
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.command(), Command::QueryResponse);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn command(&self) -> Command {
        self.frame().command
    }

    /// The header's session id.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::Message;
    /// let wire = [87, 1, 4, 0, 0, 0, 1, 0, 0, 0];
    /// assert_eq!(Message::decode(&wire)?.session_id(), 256);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn session_id(&self) -> u32 {
        self.frame().session_id
    }
}

/// Applies the rules of the frame's command.
impl<'a> TryFrom<Frame<'a>> for Message<'a> {
    type Error = TvsError;

    fn try_from(frame: Frame<'a>) -> Result<Self, TvsError> {
        match frame.command {
            Command::VerifyRequest => {
                VerifyRequestView::try_from(frame).map(Message::VerifyRequest)
            }
            Command::VerifyResponse => {
                VerifyResponseView::try_from(frame).map(Message::VerifyResponse)
            }
            Command::QueryRequest => Ok(Message::QueryRequest(frame)),
            Command::QueryResponse => Ok(Message::QueryResponse(frame)),
            Command::Unknown(found) => Err(TvsError::UnknownCommand { found }),
        }
    }
}

/// A sentence about the message, for logs and people.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{DeviceName, Message, VerifyRequest, VerifyResponse};
/// let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
/// let wire = VerifyRequest { session_id: 7, device_name, certificate: vec![0x30; 5] }.encode()?;
/// assert_eq!(Message::decode(&wire)?.to_string(),
///            "verify request in session 7: CP-7965-SEP0011215A1AE3 asks about a 5-byte certificate");
/// let wire = VerifyResponse::valid(7, vec![Function::CcmTftp, Function::Tvs], 86_400).encode()?;
/// assert_eq!(Message::decode(&wire)?.to_string(),
///            "verify response to session 7: the certificate is valid in the roles CCM+TFTP and TVS, \
///             and the answer may be kept for 86400 seconds");
/// let wire = [87, 1, 3, 0, 0, 0, 0, 2, 0, 9, 1, 0, 3, 1, 2, 3, 5, 0, 0];
/// assert_eq!(Message::decode(&wire)?.to_string(),
///            "query request in session 2 with 2 opaque elements: tag 1 of 3 bytes and tag 5 of 0 bytes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
                        f.write_str("the certificate is valid in ")?;
                        match roles.len() {
                            0 => f.write_str("no role")?,
                            1 => f.write_str("the role ")?,
                            _ => f.write_str("the roles ")?,
                        }
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
                    0 => f.write_str("no element"),
                    1 => {
                        f.write_str("1 opaque element: ")?;
                        write_list(f, count, frame.elements().map(OpaqueElement))
                    }
                    n => {
                        write!(f, "{n} opaque elements: ")?;
                        write_list(f, count, frame.elements().map(OpaqueElement))
                    }
                }
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

/// Writes a header and elements, patching the payload length at the end.
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn new(command: Command, reserved: u8, session_id: u32, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(capacity));
        out.extend_from_slice(&[PROTOCOL_ID, VERSION, command.code(), reserved]);
        out.extend_from_slice(&session_id.to_be_bytes());
        out.extend_from_slice(&[0; 2]);
        Writer { out }
    }

    /// Writes an element whose value is `parts` one after the other.
    fn element(&mut self, tag: ElementTag, parts: &[&[u8]]) -> Result<(), TvsError> {
        let length = parts.iter().map(|p| p.len()).sum();
        let field = u16::try_from(length).map_err(|_| TvsError::ValueTooLong { tag, length })?;
        self.out.push(tag.code());
        self.out.extend_from_slice(&field.to_be_bytes());
        for part in parts {
            self.out.extend_from_slice(part);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, TvsError> {
        let length = self.out.len().saturating_sub(HEADER_LEN);
        let field = u16::try_from(length).map_err(|_| TvsError::PayloadTooLong { length })?;
        if let Some(slot) = self.out.get_mut(HEADER_LEN - 2..HEADER_LEN) {
            slot.copy_from_slice(&field.to_be_bytes());
        }
        Ok(self.out)
    }
}

/// A phone's question to TVS: is this certificate trusted? The owned form,
/// which encodes.
///
/// Encodes as a verify request (command 1, reserved byte 0) holding the
/// DEVICE NAME (`0x01` and the name) then the CERTIFICATE.
///
/// ```
/// use cisco_itl::tvs::codec::{DeviceName, VerifyRequest};
/// let request = VerifyRequest {
///     session_id: 1,
///     device_name: DeviceName::new(7965, [0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6])?,
///     certificate: vec![0x30, 0x00],
/// };
/// let wire = request.encode()?;
/// assert_eq!(wire.len(), 10 + 3 + 24 + 3 + 2);
/// assert_eq!(VerifyRequest::decode(&wire)?, request);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{DeviceName, TvsError, VerifyRequest};
    /// let device_name = DeviceName::parse("CP-7965-SEP0011215A1AE3")?;
    /// let request = VerifyRequest { session_id: 1, device_name, certificate: vec![0; 65_506] };
    /// assert_eq!(request.encode(), Err(TvsError::PayloadTooLong { length: 65_536 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let capacity = 2 * ELEMENT_OVERHEAD + 1 + DEVICE_NAME_LEN + self.certificate.len();
        let mut w = Writer::new(Command::VerifyRequest, 0, self.session_id, capacity);
        w.element(
            ElementTag::DeviceName,
            &[&[DEVICE_NAME_PREFIX], self.device_name.as_bytes()],
        )?;
        w.element(ElementTag::Certificate, &[&self.certificate])?;
        w.finish()
    }

    /// Decodes and checks a request from its bytes (see
    /// [`VerifyRequestView`] for the rules).
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, TvsError, VerifyRequest};
    /// // A request carrying only a certificate.
    /// let wire = [87, 1, 1, 0, 0, 0, 0, 1, 0, 4, 2, 0, 1, 0x30];
    /// assert_eq!(VerifyRequest::decode(&wire), Err(TvsError::MissingElement {
    ///     command: Command::VerifyRequest, tag: ElementTag::DeviceName }));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        VerifyRequestView::decode(bytes).map(|view| view.to_request())
    }
}

/// What TVS says about a certificate, in an owned response.
///
/// ```
/// use cisco_itl::Function;
/// use cisco_itl::tvs::codec::{Status, Verdict};
/// let verdict = Verdict::Valid { roles: vec![Function::Tftp], ttl_seconds: 600 };
/// assert_eq!(verdict.status(), Status::Valid);
/// assert_eq!(Verdict::Invalid.status(), Status::Invalid);
/// ```
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
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Status, Verdict};
    /// assert_eq!(Verdict::Invalid.status(), Status::Invalid);
    /// ```
    pub const fn status(&self) -> Status {
        match self {
            Verdict::Valid { .. } => Status::Valid,
            Verdict::Invalid => Status::Invalid,
        }
    }
}

/// TVS's answer, owned: the session id of the request and the verdict.
///
/// Encodes as a verify response (command 2, reserved byte 0): STATUS, then
/// for a valid answer ROLES and TTL.
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
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::{Status, VerifyResponse};
    /// assert_eq!(VerifyResponse::valid(1, vec![Function::Ccm], 60).status(), Status::Valid);
    /// ```
    pub const fn valid(session_id: u32, roles: Vec<Function>, ttl_seconds: u32) -> Self {
        VerifyResponse {
            session_id,
            verdict: Verdict::Valid { roles, ttl_seconds },
        }
    }

    /// An invalid answer.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Status, VerifyResponse};
    /// assert_eq!(VerifyResponse::invalid(1).status(), Status::Invalid);
    /// ```
    pub const fn invalid(session_id: u32) -> Self {
        VerifyResponse {
            session_id,
            verdict: Verdict::Invalid,
        }
    }

    /// The STATUS of the answer.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Status, VerifyResponse};
    /// assert!(!VerifyResponse::invalid(1).status().is_valid());
    /// ```
    pub const fn status(&self) -> Status {
        self.verdict.status()
    }

    /// The roles of a valid answer (none for an invalid one).
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::VerifyResponse;
    /// assert_eq!(VerifyResponse::valid(1, vec![Function::Tvs], 60).roles(), [Function::Tvs]);
    /// assert!(VerifyResponse::invalid(1).roles().is_empty());
    /// ```
    pub fn roles(&self) -> &[Function] {
        match &self.verdict {
            Verdict::Valid { roles, .. } => roles,
            Verdict::Invalid => &[],
        }
    }

    /// The time to live of a valid answer, in seconds.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::VerifyResponse;
    /// assert_eq!(VerifyResponse::valid(1, vec![], 60).ttl_seconds(), Some(60));
    /// assert_eq!(VerifyResponse::invalid(1).ttl_seconds(), None);
    /// ```
    pub const fn ttl_seconds(&self) -> Option<u32> {
        match &self.verdict {
            Verdict::Valid { ttl_seconds, .. } => Some(*ttl_seconds),
            Verdict::Invalid => None,
        }
    }

    /// Encodes the response. Every role's code must fit a byte.
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::codec::{TvsError, VerifyResponse};
    /// let response = VerifyResponse::valid(1, vec![Function::Unknown(300)], 60);
    /// assert_eq!(response.encode(), Err(TvsError::RoleNotEncodable { code: 300 }));
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        let status = [self.status().code()];
        match &self.verdict {
            Verdict::Invalid => {
                let mut w = Writer::new(Command::VerifyResponse, 0, self.session_id, 4);
                w.element(ElementTag::Status, &[&status])?;
                w.finish()
            }
            Verdict::Valid { roles, ttl_seconds } => {
                let codes = roles
                    .iter()
                    .map(|role| {
                        let code = role.code();
                        u8::try_from(code).map_err(|_| TvsError::RoleNotEncodable { code })
                    })
                    .collect::<Result<Vec<u8>, TvsError>>()?;
                let capacity = 3 * ELEMENT_OVERHEAD + 1 + codes.len() + 4;
                let mut w = Writer::new(Command::VerifyResponse, 0, self.session_id, capacity);
                w.element(ElementTag::Status, &[&status])?;
                w.element(ElementTag::Roles, &[&codes])?;
                w.element(ElementTag::TimeToLive, &[&ttl_seconds.to_be_bytes()])?;
                w.finish()
            }
        }
    }

    /// Decodes and checks a response from its bytes (see
    /// [`VerifyResponseView`] for the rules).
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{TvsError, VerifyResponse};
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 1];
    /// assert_eq!(VerifyResponse::decode(&wire)?, VerifyResponse::invalid(3));
    /// let wire = [87, 1, 2, 0, 0, 0, 0, 3, 0, 4, 7, 0, 1, 2];
    /// assert_eq!(VerifyResponse::decode(&wire), Err(TvsError::BadStatus { offset: 10, found: 2 }));
    /// # Ok::<(), TvsError>(())
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        VerifyResponseView::decode(bytes).map(|view| view.to_response())
    }
}

/// One element of an owned frame.
///
/// ```
/// use cisco_itl::tvs::codec::{ElementBuf, ElementTag};
/// let element = ElementBuf { tag: ElementTag::Unknown(5), value: vec![1, 2] };
/// assert_eq!(element.value.len(), 2);
/// ```
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
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, FrameBuf};
    /// let wire = FrameBuf::new(Command::QueryResponse, 1).encode()?;
    /// assert_eq!(wire, [87, 1, 4, 0, 0, 0, 0, 1, 0, 0]);
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub const fn new(command: Command, session_id: u32) -> Self {
        FrameBuf {
            version: VERSION,
            command,
            reserved: 0,
            session_id,
            elements: Vec::new(),
        }
    }

    /// Adds an element at the end.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, FrameBuf};
    /// let frame = FrameBuf::new(Command::QueryRequest, 1).with_element(ElementTag::Certificate, vec![0x30]);
    /// assert_eq!(frame.elements.len(), 1);
    /// ```
    pub fn with_element(mut self, tag: ElementTag, value: Vec<u8>) -> Self {
        self.elements.push(ElementBuf { tag, value });
        self
    }

    /// Encodes the frame.
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, ElementTag, FrameBuf, TvsError};
    /// let frame = FrameBuf::new(Command::QueryRequest, 1)
    ///     .with_element(ElementTag::Unknown(3), vec![0; 40_000])
    ///     .with_element(ElementTag::Unknown(4), vec![0; 40_000]);
    /// assert_eq!(frame.encode(), Err(TvsError::PayloadTooLong { length: 80_006 }));
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>, TvsError> {
        // Nothing is written that the decoder would refuse.
        if self.version > VERSION {
            return Err(TvsError::UnsupportedVersion {
                found: self.version,
            });
        }
        let capacity = self
            .elements
            .iter()
            .map(|e| ELEMENT_OVERHEAD.saturating_add(e.value.len()))
            .fold(0usize, usize::saturating_add);
        if capacity > MAX_PAYLOAD_LEN {
            // Report an element too long for its own length field first.
            if let Some(e) = self.elements.iter().find(|e| e.value.len() > MAX_VALUE_LEN) {
                return Err(TvsError::ValueTooLong {
                    tag: e.tag,
                    length: e.value.len(),
                });
            }
            return Err(TvsError::PayloadTooLong { length: capacity });
        }
        let mut w = Writer::new(self.command, self.reserved, self.session_id, capacity);
        if let Some(v) = w.out.get_mut(1) {
            *v = self.version;
        }
        for e in &self.elements {
            w.element(e.tag, &[&e.value])?;
        }
        w.finish()
    }

    /// Decodes the framing of a message into an owned frame (see
    /// [`Frame::decode`]).
    ///
    /// ```
    /// use cisco_itl::tvs::codec::{Command, FrameBuf};
    /// let wire = [87, 1, 4, 0, 0, 0, 0, 1, 0, 3, 6, 0, 0];
    /// let frame = FrameBuf::decode(&wire)?;
    /// assert_eq!((frame.command, frame.elements.len()), (Command::QueryResponse, 1));
    /// # Ok::<(), cisco_itl::tvs::codec::TvsError>(())
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, TvsError> {
        Frame::decode(bytes).map(|frame| frame.to_buf())
    }
}

impl From<&Frame<'_>> for FrameBuf {
    fn from(frame: &Frame<'_>) -> Self {
        frame.to_buf()
    }
}
