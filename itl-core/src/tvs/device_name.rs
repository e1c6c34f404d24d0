//! The name a phone gives TVS, `CP-<model>-SEP<MAC>` (see the TVS section
//! of `docs/FORMAT.md`). Re-exported by [`crate::tvs::codec`].

use core::fmt;

/// The length of a TVS device name: `CP-`, 4 digits, `-SEP`, 12 hex digits.
///
/// ```
/// assert_eq!(cisco_itl::tvs::device_name::DEVICE_NAME_LEN, "CP-7965-SEP0011215A1AE3".len());
/// ```
pub const DEVICE_NAME_LEN: usize = 23;

/// Where the model's 4 digits start in a device name.
const MODEL_AT: usize = 3;
/// Where the MAC address's 12 hex digits start in a device name.
const MAC_AT: usize = 11;

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
            // 12 bytes for 6: the encoding cannot fail.
            let _ = base16ct::upper::encode(&mac, hex);
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
        base16ct::mixed::decode(hex, &mut mac).map_err(|_| DeviceNameError::BadSepName)?;
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
        // Checked upper-case hex when the name was made.
        let _ = base16ct::upper::decode(self.0.get(MAC_AT..).unwrap_or_default(), &mut mac);
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
