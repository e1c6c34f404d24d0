//! The CAPF wire protocol, byte for byte (`docs/CAPF.md`): an 8-byte
//! header (protocol id 0x55, command, session id, payload length,
//! big-endian) and `tag:u8, length:u16, value` elements read with the
//! crate's element reader. [`Frame::decode`] checks the framing without
//! copying; the typed accessors ([`Frame::device_name`],
//! [`Frame::certificate`], ...) check and read the elements each command
//! needs, borrowing from the message. Builders write nothing the decoder
//! refuses. Offsets count bytes from the first byte of the header.
//!
//! ```
//! use cisco_itl::capf::codec::{AuthType, Command, Frame, VERSION};
//!
//! let request = Frame::auth_request(7, AuthType::Password)?;
//! let wire = request.encode()?;
//! assert_eq!(wire, [0x55, 1, 0, 0, 0, 7, 0, 8, 7, 0, 1, 3, 8, 0, 1, 1]);
//! let decoded = Frame::decode(&wire)?;
//! assert_eq!(decoded.command, Command::AuthRequest);
//! assert_eq!((decoded.version()?, decoded.auth_type()?), (VERSION, AuthType::Password));
//! # Ok::<(), cisco_itl::capf::codec::CapfError>(())
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;

use crate::parse_error::ParseError;
use crate::tlv;

/// Bytes an element takes before its value (tag and length).
pub use crate::tlv::ELEMENT_OVERHEAD;

/// The TCP port CAPF listens on (inside TLS).
pub const PORT: u16 = 3804;
/// The protocol id, the header's first byte.
pub const PROTOCOL_ID: u8 = 0x55;
/// The header's length in bytes.
pub const HEADER_LEN: usize = 8;
/// The protocol version a server announces (older phones answer 2).
pub const VERSION: u8 = 3;
/// The first byte of a CERTIFICATE value.
pub const CERTIFICATE_PREFIX: u8 = 0x01;
/// The first byte of a SHA2 SIGNED DATA value (SHA-512).
pub const SHA2_SIGNED_PREFIX: u8 = 3;
/// The longest device name accepted, in bytes (CUCM's limit is 50).
pub const MAX_DEVICE_NAME_LEN: usize = 64;

/// Why bytes are not a well-formed CAPF message, or why a message could
/// not be encoded. Offsets count from the first byte of the header; an
/// element's offset is that of its tag byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum CapfError {
    /// Fewer than [`HEADER_LEN`] bytes.
    #[error("the message has {length} bytes, fewer than the 8 of a CAPF header")]
    TruncatedHeader {
        /// Bytes available.
        length: usize,
    },
    /// The first byte is not [`PROTOCOL_ID`].
    #[error("the protocol id at offset 0 is {found}, not 0x55")]
    WrongProtocolId {
        /// The byte found.
        found: u8,
    },
    /// The payload length at offset 6 disagrees with the bytes after the
    /// header.
    #[error("the header declares {declared} bytes of elements at offset 6, but {actual} follow")]
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
        /// Bytes the element needs.
        needed: usize,
        /// Bytes left in the message from the element's tag byte.
        available: usize,
    },
    /// A message of another command was expected.
    #[error("a {expected} was expected, but the message is a {found}")]
    UnexpectedCommand {
        /// The command expected.
        expected: Command,
        /// The command in the header (offset 1).
        found: Command,
    },
    /// An element the message needs is absent.
    #[error("the {command} lacks its {tag}")]
    MissingElement {
        /// The command of the message.
        command: Command,
        /// The missing element.
        tag: ElementTag,
    },
    /// A fixed-size value has another length.
    #[error("the {tag} at offset {offset} has {length} bytes instead of {expected}")]
    BadLength {
        /// The element.
        tag: ElementTag,
        /// Offset of the element's tag byte.
        offset: usize,
        /// The value's length.
        length: usize,
        /// The length it must have.
        expected: usize,
    },
    /// A code (reason, auth type, key type, curve, certificate type) the
    /// protocol does not define.
    #[error("the {tag} at offset {offset} holds {found}, a value CAPF does not define")]
    BadCode {
        /// The element.
        tag: ElementTag,
        /// Offset of the element's tag byte.
        offset: usize,
        /// The code found.
        found: u8,
    },
    /// A text value (device name, password) is not NUL-terminated UTF-8,
    /// has bytes other than NUL after its NUL, or is empty or too long.
    #[error("the {tag} at offset {offset} is not a NUL-terminated text of the allowed length")]
    BadText {
        /// The element.
        tag: ElementTag,
        /// Offset of the element's tag byte.
        offset: usize,
    },
    /// A CERTIFICATE value is not `01, u16 length + 2, 00, type, DER`.
    #[error("the certificate element at offset {offset} is not framed as 01, length, 00, type")]
    BadCertificateFraming {
        /// Offset of the element's tag byte.
        offset: usize,
    },
    /// A SHA2 SIGNED DATA value is not `03, u16 length, signature`.
    #[error("the SHA-2 signed data at offset {offset} is not framed as 03, length, signature")]
    BadSignedDataFraming {
        /// Offset of the element's tag byte.
        offset: usize,
    },
    /// A text to write is empty, too long or holds a NUL.
    #[error("the {tag} text is empty, too long or holds a NUL byte")]
    TextNotEncodable {
        /// The element.
        tag: ElementTag,
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
}

wire_enum! {
    /// A message's command byte (header offset 1).
    pub enum Command open("message of an unknown command") {
        /// The server asks the phone to authenticate (1).
        AuthRequest = 1 => "authentication request",
        /// The phone authenticates (2).
        AuthResponse = 2 => "authentication response",
        /// The server asks the phone for a key pair (3).
        KeyGenRequest = 3 => "key generation request",
        /// The phone's public key (4).
        KeyGenResponse = 4 => "key generation response",
        /// The server hands the issued certificate over (9).
        StoreCertRequest = 9 => "store certificate request",
        /// The phone stored it (10).
        StoreCertResponse = 10 => "store certificate response",
        /// The server hands over the certificate it holds (11).
        FetchCertRequest = 11 => "fetch certificate request",
        /// The phone's answer to a fetch (12).
        FetchCertResponse = 12 => "fetch certificate response",
        /// The server asks the phone to delete its LSC (13).
        DeleteCertRequest = 13 => "delete certificate request",
        /// The phone deleted it (14).
        DeleteCertResponse = 14 => "delete certificate response",
        /// The server ends the session (15).
        EndSession = 15 => "end of session",
        /// Come back later (16).
        RetryLater = 16 => "retry later",
        /// The phone is still working, e.g. generating its key (17).
        RequestInProgress = 17 => "request in progress",
        /// Status request (18).
        StatusRequest = 18 => "status request",
        /// Status response (19).
        StatusResponse = 19 => "status response",
        /// Abort request (20).
        AbortRequest = 20 => "abort request",
        /// Abort response (21).
        AbortResponse = 21 => "abort response",
        /// Sign request (22).
        SignRequest = 22 => "sign request",
        /// Sign response (23).
        SignResponse = 23 => "sign response",
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
        /// REASON, one byte (1).
        Reason = 1 => "reason element",
        /// REASON INFO, text (2).
        ReasonInfo = 2 => "reason info element",
        /// CERT TYPE, one byte (3).
        CertType = 3 => "certificate type element",
        /// CERTIFICATE: `01, u16 length + 2, 00, type, DER` (4).
        Certificate = 4 => "certificate element",
        /// CERT ID (5).
        CertId = 5 => "certificate id element",
        /// SIGNED DATA: SHA-1, PKCS#1 type 1 without DigestInfo (6).
        SignedData = 6 => "signed data element",
        /// VERSION, one byte (7).
        Version = 7 => "version element",
        /// AUTH TYPE, one byte (8).
        AuthType = 8 => "authentication type element",
        /// PUBLIC KEY: SubjectPublicKeyInfo DER (9).
        PublicKey = 9 => "public key element",
        /// KEY SIZE, u16 bits (10).
        KeySize = 10 => "key size element",
        /// PASSWORD, NUL-terminated (11).
        Password = 11 => "password element",
        /// RETRY DELAY (12).
        RetryDelay = 12 => "retry delay element",
        /// DEVICE NAME, NUL-terminated `SEP<MAC>` (13).
        DeviceName = 13 => "device name element",
        /// SUDI DATA (16).
        SudiData = 16 => "SUDI data element",
        /// KEY TYPE, one byte (17).
        KeyType = 17 => "key type element",
        /// CURVE, one byte (18).
        Curve = 18 => "curve element",
        /// DIGEST TYPE (19).
        DigestType = 19 => "digest type element",
        /// SHA2 SIGNED DATA: `03, u16 length, signature` (20).
        Sha2SignedData = 20 => "SHA-2 signed data element",
    }
}

impl fmt::Display for ElementTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (tag {})", self.name(), self.code())
    }
}

wire_enum! {
    /// The REASON byte.
    pub enum Reason open("unknown reason") {
        /// Nothing to do (0).
        NothingToDo = 0 => "nothing to do",
        /// Done, or go on (1).
        Ok = 1 => "ok",
        /// Refused: wrong password or proof (7).
        Invalid = 7 => "invalid",
        /// The device is not known (9).
        UnknownDevice = 9 => "unknown device",
    }
}

wire_enum! {
    /// How the phone must authenticate (AUTH TYPE).
    pub enum AuthType {
        /// No authentication (0).
        None = 0 => "none",
        /// A password (1).
        Password = 1 => "password",
        /// No password (2).
        NoPassword = 2 => "no password",
        /// An existing LSC (3).
        Lsc = 3 => "LSC",
        /// The manufacturer's certificate (4).
        Mic = 4 => "MIC",
    }
}

wire_enum! {
    /// The kind of certificate (CERT TYPE).
    pub enum CertType {
        /// A locally significant certificate (1).
        Lsc = 1 => "LSC",
        /// A manufacturer-installed certificate (2).
        Mic = 2 => "MIC",
    }
}

wire_enum! {
    /// The key the phone must generate (KEY TYPE).
    pub enum KeyType {
        /// RSA (0).
        Rsa = 0 => "RSA",
        /// Elliptic curve (1).
        Ec = 1 => "EC",
    }
}

wire_enum! {
    /// The curve of an EC key (CURVE).
    pub enum Curve {
        /// NIST P-256 (0).
        P256 = 0 => "P-256",
        /// NIST P-384 (1).
        P384 = 1 => "P-384",
        /// NIST P-521 (2).
        P521 = 2 => "P-521",
    }
}

macro_rules! display_by_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )*};
}
display_by_name!(Reason, AuthType, CertType, KeyType, Curve);

/// The key a server asks a phone to generate: KEY TYPE with KEY SIZE or
/// CURVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRequest {
    /// RSA of this many bits.
    Rsa(u16),
    /// EC on this curve.
    Ec(Curve),
}

impl fmt::Display for KeyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyRequest::Rsa(bits) => write!(f, "an RSA key of {bits} bits"),
            KeyRequest::Ec(curve) => write!(f, "an EC key on {curve}"),
        }
    }
}

/// One element of a message, borrowed from the message bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The element's tag.
    pub tag: ElementTag,
    /// Offset of the tag byte from the start of the message.
    pub offset: usize,
    /// The value bytes.
    pub value: &'a [u8],
}

/// A certificate carried by a CERTIFICATE element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarriedCertificate<'a> {
    /// Its type (the byte after the 00).
    pub cert_type: CertType,
    /// The certificate, DER.
    pub der: &'a [u8],
}

/// A checked frame: the header and a run of elements that exactly fills
/// the payload. Decoded, it borrows the message; built with
/// [`Frame::new`] and the `with_*` methods, it owns its elements. A
/// decoded frame encodes back to the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    /// The command.
    pub command: Command,
    /// The session id: chosen by the server, echoed by the phone.
    pub session_id: u32,
    payload: Cow<'a, [u8]>,
}

/// Reads the element at `pos` of the message; the position after it.
fn read_element(bytes: &[u8], pos: usize) -> Result<usize, CapfError> {
    match tlv::Element::read(bytes, pos, 0) {
        Ok((_, next)) => Ok(next),
        Err(ParseError::Truncated {
            needed, available, ..
        }) => Err(CapfError::TruncatedElement {
            offset: pos,
            needed,
            available,
        }),
        Err(_) => Err(CapfError::TruncatedElement {
            offset: pos,
            needed: ELEMENT_OVERHEAD,
            available: 0,
        }),
    }
}

/// The length a header announces (bytes 6 and 7), 0 when `header` is short.
pub fn announced_len(header: &[u8]) -> usize {
    match header.get(6..8) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    }
}

/// Whether `text` may be written as a NUL-terminated value.
fn encodable_text(text: &str) -> bool {
    !text.is_empty() && text.len() < usize::from(u16::MAX) && !text.as_bytes().contains(&0)
}

impl<'a> Frame<'a> {
    /// A frame of `command` with no elements.
    pub const fn new(command: Command, session_id: u32) -> Frame<'static> {
        Frame {
            command,
            session_id,
            payload: Cow::Owned(Vec::new()),
        }
    }

    /// Decodes the framing of one whole message; `bytes` must hold exactly
    /// one message. Allocates nothing.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CapfError> {
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(CapfError::TruncatedHeader {
                length: bytes.len(),
            });
        };
        let [protocol, command, s0, s1, s2, s3, l0, l1] = *header;
        if protocol != PROTOCOL_ID {
            return Err(CapfError::WrongProtocolId { found: protocol });
        }
        let declared = usize::from(u16::from_be_bytes([l0, l1]));
        if declared != payload.len() {
            let actual = payload.len();
            return Err(CapfError::LengthMismatch { declared, actual });
        }
        let mut pos = HEADER_LEN;
        while pos < bytes.len() {
            pos = read_element(bytes, pos)?;
        }
        Ok(Frame {
            command: Command::from_code(command),
            session_id: u32::from_be_bytes([s0, s1, s2, s3]),
            payload: Cow::Borrowed(payload),
        })
    }

    /// Adds an element at the end; refused when the value does not fit an
    /// element's 16-bit length field.
    pub fn with_element(mut self, tag: ElementTag, value: &[u8]) -> Result<Self, CapfError> {
        tlv::push(self.payload.to_mut(), tag.code(), value)
            .map_err(|length| CapfError::ValueTooLong { tag, length })?;
        Ok(self)
    }

    /// Adds a one-byte element.
    pub fn with_u8(self, tag: ElementTag, value: u8) -> Result<Self, CapfError> {
        self.with_element(tag, &[value])
    }

    /// Adds a NUL-terminated text (device name, password, reason info);
    /// refused when empty or holding a NUL.
    pub fn with_text(self, tag: ElementTag, text: &str) -> Result<Self, CapfError> {
        if !encodable_text(text) || (tag == ElementTag::DeviceName && !valid_device_name(text)) {
            return Err(CapfError::TextNotEncodable { tag });
        }
        let value = [text.as_bytes(), &[0]].concat();
        self.with_element(tag, &value)
    }

    /// Adds a CERTIFICATE element: `01, u16 length + 2, 00, type, DER`.
    pub fn with_certificate(self, cert_type: CertType, der: &[u8]) -> Result<Self, CapfError> {
        let tag = ElementTag::Certificate;
        let inner = der.len() + 2;
        let field =
            u16::try_from(inner).map_err(|_| CapfError::ValueTooLong { tag, length: inner })?;
        let mut value = Vec::with_capacity(der.len() + 5);
        value.push(CERTIFICATE_PREFIX);
        value.extend_from_slice(&field.to_be_bytes());
        value.extend_from_slice(&[0, cert_type.code()]);
        value.extend_from_slice(der);
        self.with_element(tag, &value)
    }

    /// Adds a SHA2 SIGNED DATA element: `03, u16 length, signature`.
    pub fn with_sha2_signature(self, signature: &[u8]) -> Result<Self, CapfError> {
        let tag = ElementTag::Sha2SignedData;
        let length = signature.len();
        let field = u16::try_from(length).map_err(|_| CapfError::ValueTooLong { tag, length })?;
        let mut value = Vec::with_capacity(length + 3);
        value.push(SHA2_SIGNED_PREFIX);
        value.extend_from_slice(&field.to_be_bytes());
        value.extend_from_slice(signature);
        self.with_element(tag, &value)
    }

    /// Encodes the frame. Nothing is written that the decoder would refuse.
    pub fn encode(&self) -> Result<Vec<u8>, CapfError> {
        let length = self.payload.len();
        let field = u16::try_from(length).map_err(|_| CapfError::PayloadTooLong { length })?;
        let mut out = Vec::with_capacity(HEADER_LEN + length);
        out.extend_from_slice(&[PROTOCOL_ID, self.command.code()]);
        out.extend_from_slice(&self.session_id.to_be_bytes());
        out.extend_from_slice(&field.to_be_bytes());
        out.extend_from_slice(&self.payload);
        Ok(out)
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> Frame<'static> {
        Frame {
            command: self.command,
            session_id: self.session_id,
            payload: Cow::Owned(self.payload.into_owned()),
        }
    }

    /// Every element in wire order.
    pub fn elements(&self) -> impl Iterator<Item = Element<'_>> + '_ {
        // A frame was checked whole when decoded or built: no error comes.
        tlv::Elements::new(&self.payload, HEADER_LEN)
            .filter_map(Result::ok)
            .map(|e| Element {
                tag: ElementTag::from_code(e.tag.0),
                offset: e.offset,
                value: e.value,
            })
    }

    /// The first element with tag `tag`, if any.
    pub fn element(&self, tag: ElementTag) -> Option<Element<'_>> {
        self.elements().find(|e| e.tag == tag)
    }

    /// Refuses a frame of another command than `expected`.
    pub fn expect(&self, expected: Command) -> Result<&Self, CapfError> {
        if self.command == expected {
            Ok(self)
        } else {
            Err(CapfError::UnexpectedCommand {
                expected,
                found: self.command,
            })
        }
    }

    /// The element `tag`, or [`CapfError::MissingElement`].
    fn required(&self, tag: ElementTag) -> Result<Element<'_>, CapfError> {
        self.element(tag).ok_or(CapfError::MissingElement {
            command: self.command,
            tag,
        })
    }

    /// The one-byte value of `tag`.
    fn byte(&self, tag: ElementTag) -> Result<(u8, usize), CapfError> {
        let e = self.required(tag)?;
        match e.value {
            &[b] => Ok((b, e.offset)),
            other => Err(CapfError::BadLength {
                tag,
                offset: e.offset,
                length: other.len(),
                expected: 1,
            }),
        }
    }

    /// A one-byte code read through `from_code`.
    fn code<T>(&self, tag: ElementTag, from: fn(u8) -> Option<T>) -> Result<T, CapfError> {
        let (found, offset) = self.byte(tag)?;
        from(found).ok_or(CapfError::BadCode { tag, offset, found })
    }

    /// The REASON.
    pub fn reason(&self) -> Result<Reason, CapfError> {
        self.byte(ElementTag::Reason)
            .map(|(b, _)| Reason::from_code(b))
    }

    /// The VERSION.
    pub fn version(&self) -> Result<u8, CapfError> {
        self.byte(ElementTag::Version).map(|(b, _)| b)
    }

    /// The AUTH TYPE.
    pub fn auth_type(&self) -> Result<AuthType, CapfError> {
        self.code(ElementTag::AuthType, AuthType::from_code)
    }

    /// The CERT TYPE.
    pub fn cert_type(&self) -> Result<CertType, CapfError> {
        self.code(ElementTag::CertType, CertType::from_code)
    }

    /// The KEY TYPE.
    pub fn key_type(&self) -> Result<KeyType, CapfError> {
        self.code(ElementTag::KeyType, KeyType::from_code)
    }

    /// The CURVE.
    pub fn curve(&self) -> Result<Curve, CapfError> {
        self.code(ElementTag::Curve, Curve::from_code)
    }

    /// The key a KEY GEN REQUEST asks for.
    pub fn key_request(&self) -> Result<KeyRequest, CapfError> {
        match self.key_type()? {
            KeyType::Rsa => self.key_size().map(KeyRequest::Rsa),
            KeyType::Ec => self.curve().map(KeyRequest::Ec),
        }
    }

    /// The KEY SIZE in bits.
    pub fn key_size(&self) -> Result<u16, CapfError> {
        let tag = ElementTag::KeySize;
        let e = self.required(tag)?;
        match e.value {
            &[hi, lo] => Ok(u16::from_be_bytes([hi, lo])),
            other => Err(CapfError::BadLength {
                tag,
                offset: e.offset,
                length: other.len(),
                expected: 2,
            }),
        }
    }

    /// A NUL-terminated text value: the bytes before the first NUL, which
    /// must be UTF-8 and not empty; only NULs may follow it.
    fn text(&self, tag: ElementTag) -> Result<&str, CapfError> {
        let e = self.required(tag)?;
        let bad = CapfError::BadText {
            tag,
            offset: e.offset,
        };
        let nul = e.value.iter().position(|b| *b == 0).ok_or(bad)?;
        let (text, rest) = e.value.split_at_checked(nul).ok_or(bad)?;
        if text.is_empty() || rest.iter().any(|b| *b != 0) {
            return Err(bad);
        }
        core::str::from_utf8(text).map_err(|_| bad)
    }

    /// The DEVICE NAME (`SEP<MAC>` or another CUCM device name: 1 to
    /// [`MAX_DEVICE_NAME_LEN`] letters, digits, `-`, `_` or `.`).
    pub fn device_name(&self) -> Result<&str, CapfError> {
        let tag = ElementTag::DeviceName;
        let name = self.text(tag)?;
        if valid_device_name(name) {
            Ok(name)
        } else {
            let offset = self.required(tag)?.offset;
            Err(CapfError::BadText { tag, offset })
        }
    }

    /// The PASSWORD.
    pub fn password(&self) -> Result<&str, CapfError> {
        self.text(ElementTag::Password)
    }

    /// The REASON INFO text.
    pub fn reason_info(&self) -> Result<&str, CapfError> {
        self.text(ElementTag::ReasonInfo)
    }

    /// The PUBLIC KEY (SubjectPublicKeyInfo DER, unchecked here).
    pub fn public_key(&self) -> Result<&[u8], CapfError> {
        self.required(ElementTag::PublicKey).map(|e| e.value)
    }

    /// The SIGNED DATA (an RSA signature, SHA-1 without DigestInfo).
    pub fn signed_data(&self) -> Result<&[u8], CapfError> {
        self.required(ElementTag::SignedData).map(|e| e.value)
    }

    /// The signature of a SHA2 SIGNED DATA element.
    pub fn sha2_signed_data(&self) -> Result<&[u8], CapfError> {
        let e = self.required(ElementTag::Sha2SignedData)?;
        let bad = CapfError::BadSignedDataFraming { offset: e.offset };
        match e.value {
            [SHA2_SIGNED_PREFIX, hi, lo, signature @ ..]
                if usize::from(u16::from_be_bytes([*hi, *lo])) == signature.len() =>
            {
                Ok(signature)
            }
            _ => Err(bad),
        }
    }

    /// The CERTIFICATE: its type and DER.
    pub fn certificate(&self) -> Result<CarriedCertificate<'_>, CapfError> {
        let e = self.required(ElementTag::Certificate)?;
        let offset = e.offset;
        let bad = CapfError::BadCertificateFraming { offset };
        match e.value {
            [CERTIFICATE_PREFIX, hi, lo, 0, kind, der @ ..]
                if usize::from(u16::from_be_bytes([*hi, *lo])) == der.len() + 2 =>
            {
                let cert_type = CertType::from_code(*kind).ok_or(CapfError::BadCode {
                    tag: ElementTag::Certificate,
                    offset,
                    found: *kind,
                })?;
                Ok(CarriedCertificate { cert_type, der })
            }
            _ => Err(bad),
        }
    }

    // The messages of the flows, as the server and the phone write them.

    /// AUTH REQUEST {VERSION 3, AUTH TYPE}.
    pub fn auth_request(session_id: u32, auth: AuthType) -> Result<Frame<'static>, CapfError> {
        Frame::new(Command::AuthRequest, session_id)
            .with_u8(ElementTag::Version, VERSION)?
            .with_u8(ElementTag::AuthType, auth.code())
    }

    /// AUTH RESPONSE {REASON 1, VERSION, DEVICE NAME} and then the proof
    /// the caller adds (PASSWORD, or CERTIFICATE and SIGNED DATA).
    pub fn auth_response(
        session_id: u32,
        version: u8,
        device_name: &str,
    ) -> Result<Frame<'static>, CapfError> {
        Frame::new(Command::AuthResponse, session_id)
            .with_u8(ElementTag::Reason, Reason::Ok.code())?
            .with_u8(ElementTag::Version, version)?
            .with_text(ElementTag::DeviceName, device_name)
    }

    /// KEY GEN REQUEST {KEY TYPE RSA, KEY SIZE} or {KEY TYPE EC, CURVE}.
    pub fn key_gen_request(session_id: u32, key: KeyRequest) -> Result<Frame<'static>, CapfError> {
        let frame = Frame::new(Command::KeyGenRequest, session_id);
        match key {
            KeyRequest::Rsa(bits) => frame
                .with_u8(ElementTag::KeyType, KeyType::Rsa.code())?
                .with_element(ElementTag::KeySize, &bits.to_be_bytes()),
            KeyRequest::Ec(curve) => frame
                .with_u8(ElementTag::KeyType, KeyType::Ec.code())?
                .with_u8(ElementTag::Curve, curve.code()),
        }
    }

    /// KEY GEN RESPONSE {PUBLIC KEY}.
    pub fn key_gen_response(session_id: u32, spki: &[u8]) -> Result<Frame<'static>, CapfError> {
        Frame::new(Command::KeyGenResponse, session_id).with_element(ElementTag::PublicKey, spki)
    }

    /// A server's certificate hand-over: STORE (install) or FETCH, with
    /// {CERT TYPE 1, CERTIFICATE}.
    pub fn certificate_request(
        command: Command,
        session_id: u32,
        der: &[u8],
    ) -> Result<Frame<'static>, CapfError> {
        Frame::new(command, session_id)
            .with_u8(ElementTag::CertType, CertType::Lsc.code())?
            .with_certificate(CertType::Lsc, der)
    }

    /// DELETE REQUEST {CERT TYPE 1}.
    pub fn delete_request(session_id: u32) -> Result<Frame<'static>, CapfError> {
        Frame::new(Command::DeleteCertRequest, session_id)
            .with_u8(ElementTag::CertType, CertType::Lsc.code())
    }

    /// A message holding only a REASON: the phone's STORE, FETCH and
    /// DELETE responses and the server's END SESSION.
    pub fn with_reason(
        command: Command,
        session_id: u32,
        reason: Reason,
    ) -> Result<Frame<'static>, CapfError> {
        Frame::new(command, session_id).with_u8(ElementTag::Reason, reason.code())
    }
}

/// Whether `name` is a device name this codec reads and writes.
pub fn valid_device_name(name: &str) -> bool {
    (1..=MAX_DEVICE_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The bytes a proof by certificate signs: the device name, a NUL and the
/// certificate's DER.
pub fn signed_message(device_name: &str, certificate: &[u8]) -> Vec<u8> {
    [device_name.as_bytes(), &[0], certificate].concat()
}

/// A sentence about a frame, for logs.
impl fmt::Display for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.elements().count();
        let unit = if count == 1 { "element" } else { "elements" };
        write!(
            f,
            "{} in session {} with {count} {unit}",
            self.command, self.session_id
        )
    }
}
