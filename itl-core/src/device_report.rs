//! What phones report about the trust lists they hold: the `DeviceTLInfo`
//! alarm (`docs/FORMAT.md`, "DeviceTLInfo reports").
//!
//! Phones (firmware 9.4(1) and later) send it after installing trust lists;
//! CUCM logs it, and administrators export it. [`parse`] reads the three
//! shapes it comes in, told apart by their content:
//!
//! * **XML alarm bodies** as the phones send them, one or many in a file
//!   (each may have its own `<?xml …?>` declaration):
//!   `<x-cisco-alarm><Alarm Name="DeviceTLInfo"><ParameterList><String
//!   name="DeviceName">SEP…</String>…`. Alarms of other names are skipped.
//!   The reader is small and strict: well-formed elements, attributes in
//!   quotes, the five predefined entities and character references,
//!   comments, CDATA; no DTD (`<!DOCTYPE` is refused, so no entity
//!   expansion), at most [`MAX_XML_DEPTH`] nested elements. Anything else
//!   is a [`ReportError::Xml`] naming the 1-based line and column.
//! * **Syslog lines** (CUCM's remote syslog, RTMT's application log): every
//!   line containing `DeviceTLInfo` is one report, lines without it are
//!   skipped. The fields are read from CUCM's alarm form
//!   `%UC_CALLMANAGER-6-DeviceTLInfo: %[DeviceName=SEP…][CTL_Signature=Not
//!   Installed]…`, from `Name=Value` pairs (a value runs to the next known
//!   field name), or from an XML alarm body on the line.
//! * **CSV exports**: a header row, then one phone per row. The columns
//!   may come in any order; separators `,`, `;` or tab are detected from
//!   the header; fields may be quoted (`"…"`, `""` inside). The columns are
//!   found by name, case, spaces and underscores aside: the device name
//!   (`DeviceName`, else a header containing `device`, else `name`), the
//!   ITL hash (`ITL_Signature`, or a header naming the ITL and a
//!   signature, SHA or hash, or when no column names the CTL the first
//!   naming a signature, SHA or hash), the CTL hash (`CTL_Signature`),
//!   `ITL_TFTP_Server`, `CTL_TFTP_Server` and `StatusCode`.
//!
//! The bytes may be UTF-8 or UTF-16 with a byte-order mark, UTF-8 without
//! one, or else Windows-1252 (what Excel writes). A hash may be upper or
//! lower case, with or without spaces, colons or dashes between bytes;
//! empty, `Not Installed`, `N/A` or `None` means no list installed. A row
//! or line that cannot be read (a hash that is not 40 hex digits, no device
//! name, too few fields) is a [`Problem`] with its 1-based line, and left
//! out; never an entry with an unknown hash.
//!
//! Time and memory are linear in the input, whose size the caller bounds
//! (`fs::MAX_REPORT_BYTES` for a file).
//!
//! ```
//! use cisco_itl::device_report::{parse, Format};
//! let csv = "DeviceName,CTL_Signature,ITL_Signature,StatusCode\n\
//!            SEP001122334455,Not Installed,9D 7D A7 3D 16 C1 50 1B 4D 27 DC 1E D7 92 11 F3 90 65 99 82 ,0\n";
//! let report = parse(csv.as_bytes())?;
//! assert_eq!(report.format, Format::Csv { separator: b',' });
//! let phone = &report.entries[0];
//! assert_eq!(phone.device_name, "SEP001122334455");
//! assert_eq!(phone.itl_hash.map(|h| h[0]), Some(0x9d));
//! assert_eq!(phone.ctl_hash, None); // Not Installed
//! assert!(report.problems.is_empty());
//! # Ok::<(), cisco_itl::device_report::ReportError>(())
//! ```

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// How deep XML elements may nest (a DeviceTLInfo alarm needs four).
pub const MAX_XML_DEPTH: usize = 32;

/// The longest CSV field read (128 KiB, as Python's `csv`): a report's
/// fields are a few dozen bytes.
pub const MAX_FIELD_BYTES: usize = 128 << 10;

/// The most characters of a value a [`Problem`] repeats.
const MAX_QUOTED_CHARS: usize = 64;

/// The length of a reported hash: SHA-1.
pub const HASH_LEN: usize = 20;

/// One phone's report: what it says it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceTlInfo {
    /// The 1-based line where the report starts in the input.
    pub line: usize,
    /// `DeviceName` (`SEP…`), as reported.
    pub device_name: String,
    /// `ITL_Signature`: the SHA-1 of the ITL it holds; `None` when it holds
    /// none (or the report has no ITL field: see `itl_reported`).
    pub itl_hash: Option<[u8; HASH_LEN]>,
    /// `ITL_TFTP_Server`; `None` for `N/A` or empty.
    pub itl_tftp_server: Option<String>,
    /// `CTL_Signature`: the SHA-1 of the CTL it holds; `None` for `Not
    /// Installed` (or the report has no CTL field: see `ctl_reported`).
    pub ctl_hash: Option<[u8; HASH_LEN]>,
    /// `CTL_TFTP_Server`; `None` for `N/A` or empty.
    pub ctl_tftp_server: Option<String>,
    /// `StatusCode`, as reported.
    pub status_code: Option<String>,
    /// Whether the report has an ITL hash field at all.
    pub itl_reported: bool,
    /// Whether the report has a CTL hash field at all (an ITL-only CSV has
    /// none: its phones' CTLs are unknown, not absent).
    pub ctl_reported: bool,
}

/// The shape the input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// XML alarm bodies.
    Xml,
    /// Syslog lines naming `DeviceTLInfo`.
    Syslog,
    /// A CSV export, with the separator found in its header.
    Csv {
        /// `b','`, `b';'` or `b'\t'`.
        separator: u8,
    },
}

/// The text encoding the input was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16, little-endian, from its byte-order mark.
    Utf16Le,
    /// UTF-16, big-endian, from its byte-order mark.
    Utf16Be,
    /// Windows-1252: bytes that are not UTF-8 and have no byte-order mark.
    Cp1252,
}

/// A row or line that was left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A hash that is not 40 hex digits.
    #[error("line {line}: the {field} of {device} is not a SHA-1 (40 hex digits): {value:?}")]
    BadHash {
        /// The 1-based line.
        line: usize,
        /// The device the row is about.
        device: String,
        /// `"ITL_Signature"` or `"CTL_Signature"`.
        field: &'static str,
        /// The value as written (its first 64 characters, then `…`).
        value: String,
    },
    /// A report without a device name.
    #[error("line {line}: a report without a DeviceName")]
    NoDeviceName {
        /// The 1-based line.
        line: usize,
    },
    /// A CSV row with fewer fields than the columns read need.
    #[error("line {line}: the row has {found} fields, the columns read need {needed}")]
    FieldCount {
        /// The 1-based line.
        line: usize,
        /// Fields in the row.
        found: usize,
        /// Fields needed.
        needed: usize,
    },
    /// A syslog line whose XML alarm body is malformed.
    #[error("line {line}: the DeviceTLInfo alarm on this line is malformed: {error}")]
    BadAlarm {
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        error: XmlError,
    },
}

impl Problem {
    /// The 1-based line of the row or line left out.
    pub fn line(&self) -> usize {
        match self {
            Problem::BadHash { line, .. }
            | Problem::NoDeviceName { line }
            | Problem::FieldCount { line, .. }
            | Problem::BadAlarm { line, .. } => *line,
        }
    }
}

/// What is wrong in XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The input ends inside a construct.
    #[error("the input ends inside {0}")]
    UnexpectedEnd(&'static str),
    /// A tag without a valid name.
    #[error("a tag without a name")]
    NoName,
    /// A closing tag that does not close the open element.
    #[error("</{found}> closes <{expected}>")]
    Mismatched {
        /// The open element.
        expected: String,
        /// The name in the closing tag.
        found: String,
    },
    /// An attribute not written `name="value"`.
    #[error("an attribute is not written name=\"value\"")]
    BadAttribute,
    /// A character that cannot be where it is.
    #[error("unexpected {0:?}")]
    Unexpected(char),
    /// An entity or character reference that is not one of XML's own.
    #[error("an unknown entity or bad character reference")]
    BadEntity,
    /// A DTD: refused (no entity expansion).
    #[error("a DOCTYPE (refused)")]
    Doctype,
    /// Elements nested deeper than [`MAX_XML_DEPTH`].
    #[error("elements nested deeper than {MAX_XML_DEPTH}")]
    TooDeep,
    /// Text outside any element.
    #[error("text outside any element")]
    TextOutside,
    /// A top-level element that is not `x-cisco-alarm`.
    #[error("<{0}> where <x-cisco-alarm> is expected")]
    NotAnAlarm(String),
}

/// Why a report could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A UTF-16 byte-order mark, then an odd number of bytes.
    #[error("the report starts with a UTF-16 byte-order mark but has an odd number of bytes")]
    OddUtf16,
    /// An unpaired UTF-16 surrogate.
    #[error("line {line}: an unpaired UTF-16 surrogate")]
    BadUtf16 {
        /// The 1-based line.
        line: usize,
    },
    /// A UTF-8 byte-order mark, then bytes that are not UTF-8.
    #[error(
        "line {line}: not UTF-8 at byte {offset}, although the report starts with a UTF-8 byte-order mark"
    )]
    BadUtf8 {
        /// The 1-based line.
        line: usize,
        /// The byte offset in the input.
        offset: usize,
    },
    /// Malformed XML.
    #[error("line {line}, column {column}: malformed XML: {error}")]
    Xml {
        /// The 1-based line.
        line: usize,
        /// The 1-based column, in characters.
        column: usize,
        /// What is wrong.
        error: XmlError,
    },
    /// A CSV field longer than [`MAX_FIELD_BYTES`].
    #[error("line {line}: a CSV field longer than {limit} bytes")]
    FieldTooLong {
        /// The 1-based line where the field starts.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// A CSV quoted field never closed.
    #[error("line {line}: a quoted CSV field is never closed")]
    UnclosedQuote {
        /// The 1-based line where the field starts.
        line: usize,
    },
    /// A CSV header without a device name column.
    #[error(
        "line {line}: the CSV needs a device name column and an ITL_Signature or CTL_Signature column (header: {header})"
    )]
    NoDeviceColumn {
        /// The 1-based line of the header.
        line: usize,
        /// The header as read.
        header: String,
    },
    /// A CSV header with a device name column but no hash column.
    #[error(
        "line {line}: the CSV needs an ITL_Signature or CTL_Signature column (header: {header})"
    )]
    NoHashColumn {
        /// The 1-based line of the header.
        line: usize,
        /// The header as read.
        header: String,
    },
    /// None of the shapes this module reads.
    #[error(
        "not a DeviceTLInfo report: neither XML alarms, syslog lines naming DeviceTLInfo, nor a CSV with a device name column"
    )]
    UnknownFormat,
}

/// A report, read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceReports {
    /// Every report read, in the input's order (a device may report
    /// several times: see [`DeviceReports::latest`]).
    pub entries: Vec<DeviceTlInfo>,
    /// The rows or lines left out, in order.
    pub problems: Vec<Problem>,
    /// The shape the input was read as.
    pub format: Format,
    /// The encoding it was read in.
    pub encoding: Encoding,
}

impl DeviceReports {
    /// The last report of each device (names compared without regard to
    /// case), in the order the devices first appear: what each phone holds
    /// now when the input is a log.
    pub fn latest(&self) -> Vec<&DeviceTlInfo> {
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        let mut out: Vec<&DeviceTlInfo> = Vec::new();
        for e in &self.entries {
            let key = e.device_name.to_ascii_uppercase();
            match index.get(&key).and_then(|&i| out.get_mut(i)) {
                Some(slot) => *slot = e,
                None => {
                    index.insert(key, out.len());
                    out.push(e);
                }
            }
        }
        out
    }
}

/// Reads a DeviceTLInfo report (XML, syslog or CSV; see the module
/// documentation). An empty input is an empty report.
pub fn parse(bytes: &[u8]) -> Result<DeviceReports, ReportError> {
    let (text, encoding) = decode(bytes)?;
    let text: &str = &text;
    let mut out = DeviceReports {
        entries: Vec::new(),
        problems: Vec::new(),
        format: Format::Xml,
        encoding,
    };
    if text.trim_start().starts_with('<') {
        parse_xml(text, 0, 1, &mut out).map_err(|(pos, error)| {
            let (line, column) = line_column(text, pos);
            ReportError::Xml {
                line,
                column,
                error,
            }
        })?;
        return Ok(out);
    }
    let Some((header_line, header)) = text
        .split('\n')
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
    else {
        out.format = Format::Csv { separator: b',' };
        return Ok(out);
    };
    let separator = detect_separator(header);
    let mut reader = CsvReader::new(text, separator);
    let head = loop {
        match reader.next_row()? {
            Some((line, row)) if row.iter().any(|f| !f.trim().is_empty()) => {
                break Some((line, row));
            }
            Some(_) => {}
            None => break None,
        }
    };
    let columns = head.as_ref().map(|(_, row)| Columns::find(row));
    let is_csv = head.as_ref().is_some_and(|(_, row)| row.len() >= 2)
        && columns.as_ref().is_some_and(|c| {
            c.device.is_some()
                && (c.itl.is_some() || c.ctl.is_some())
                && c.device != c.itl
                && c.device != c.ctl
        });
    if is_csv {
        if let Some(columns) = columns {
            out.format = Format::Csv { separator };
            read_csv(&mut reader, &columns, &mut out)?;
        }
        return Ok(out);
    }
    if text.contains("DeviceTLInfo") {
        out.format = Format::Syslog;
        read_syslog(text, &mut out);
        return Ok(out);
    }
    let fields = header.split(char::from(separator)).count();
    let header = String::from(header.trim_end_matches('\r'));
    let line = header_line.saturating_add(1);
    match columns {
        Some(c) if c.device.is_some() => Err(ReportError::NoHashColumn { line, header }),
        _ if fields >= 2 => Err(ReportError::NoDeviceColumn { line, header }),
        _ => Err(ReportError::UnknownFormat),
    }
}

// ------------------------------------------------------------- decoding

/// Windows-1252's characters for bytes 0x80 to 0x9F (the five it leaves
/// undefined read as the C1 controls, as browsers do).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

fn count_lines(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_add(1)
}

/// The text of `bytes` and the encoding it was in.
fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Encoding), ReportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match core::str::from_utf8(rest) {
            Ok(s) => Ok((Cow::Borrowed(s), Encoding::Utf8)),
            Err(e) => {
                let at = e.valid_up_to();
                Err(ReportError::BadUtf8 {
                    line: count_lines(rest.get(..at).unwrap_or_default()),
                    offset: at.saturating_add(3),
                })
            }
        };
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, Encoding::Utf16Le)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, Encoding::Utf16Be)),
        _ => None,
    };
    if let Some((rest, encoding)) = utf16 {
        if rest.len() % 2 != 0 {
            return Err(ReportError::OddUtf16);
        }
        let units = rest.chunks_exact(2).map(|c| match (c, encoding) {
            ([a, b], Encoding::Utf16Le) => u16::from_le_bytes([*a, *b]),
            ([a, b], _) => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        let mut s = String::with_capacity(rest.len() / 2);
        let mut line = 1usize;
        for c in char::decode_utf16(units) {
            let c = c.map_err(|_| ReportError::BadUtf16 { line })?;
            if c == '\n' {
                line = line.saturating_add(1);
            }
            s.push(c);
        }
        return Ok((Cow::Owned(s), encoding));
    }
    match core::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), Encoding::Utf8)),
        Err(_) => Ok((
            Cow::Owned(bytes.iter().map(|&b| cp1252(b)).collect()),
            Encoding::Cp1252,
        )),
    }
}

/// The 1-based line and column (in characters) of byte `pos` of `text`.
fn line_column(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let column = before.get(start..).map_or(0, |s| s.chars().count());
    (line, column.saturating_add(1))
}

// ------------------------------------------------------------- fields

/// The fields of one report, as written.
#[derive(Default)]
struct Fields<'a> {
    device: Option<Cow<'a, str>>,
    itl: Option<Cow<'a, str>>,
    itl_server: Option<Cow<'a, str>>,
    ctl: Option<Cow<'a, str>>,
    ctl_server: Option<Cow<'a, str>>,
    status: Option<Cow<'a, str>>,
}

/// A field name, lowercase, without spaces, underscores or dashes.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl<'a> Fields<'a> {
    /// Sets the field an alarm parameter named `name` holds.
    fn set(&mut self, name: &str, value: Cow<'a, str>) {
        let slot = match normalise(name).as_str() {
            "devicename" => &mut self.device,
            "itlsignature" => &mut self.itl,
            "itltftpserver" => &mut self.itl_server,
            "ctlsignature" => &mut self.ctl,
            "ctltftpserver" => &mut self.ctl_server,
            "statuscode" => &mut self.status,
            _ => return,
        };
        *slot = Some(value);
    }

    /// The entry, or why the report is left out.
    fn entry(&self, line: usize) -> Result<DeviceTlInfo, Problem> {
        let device = self
            .device
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .ok_or(Problem::NoDeviceName { line })?;
        let hash = |v: &Option<Cow<'a, str>>, field: &'static str| {
            v.as_deref().map_or(Ok(None), |v| {
                parse_hash(v).map_err(|()| Problem::BadHash {
                    line,
                    device: device.into(),
                    field,
                    value: quoted(v),
                })
            })
        };
        Ok(DeviceTlInfo {
            line,
            device_name: device.into(),
            itl_hash: hash(&self.itl, "ITL_Signature")?,
            itl_tftp_server: server(self.itl_server.as_deref()),
            ctl_hash: hash(&self.ctl, "CTL_Signature")?,
            ctl_tftp_server: server(self.ctl_server.as_deref()),
            status_code: self
                .status
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
            itl_reported: self.itl.is_some(),
            ctl_reported: self.ctl.is_some(),
        })
    }

    fn push(&self, line: usize, out: &mut DeviceReports) {
        match self.entry(line) {
            Ok(e) => out.entries.push(e),
            Err(p) => out.problems.push(p),
        }
    }
}

/// `v`, cut to [`MAX_QUOTED_CHARS`] characters.
fn quoted(v: &str) -> String {
    match v.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((i, _)) => {
            let mut s = String::from(v.get(..i).unwrap_or_default());
            s.push('…');
            s
        }
        None => v.into(),
    }
}

fn is_none_value(v: &str) -> bool {
    ["", "not installed", "n/a", "na", "none", "-"]
        .iter()
        .any(|n| v.eq_ignore_ascii_case(n))
}

fn server(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !is_none_value(s))
        .map(String::from)
}

/// A reported hash: `None` for no list, `Err` for anything but 40 hex
/// digits (spaces, colons and dashes between them aside).
fn parse_hash(v: &str) -> Result<Option<[u8; HASH_LEN]>, ()> {
    let v = v.trim();
    if is_none_value(v) {
        return Ok(None);
    }
    let mut out = [0u8; HASH_LEN];
    let mut n = 0usize;
    for c in v.chars() {
        if c.is_whitespace() || c == ':' || c == '-' {
            continue;
        }
        let d = c.to_digit(16).ok_or(())?;
        let byte = out.get_mut(n / 2).ok_or(())?;
        // `d` < 16, a hex digit.
        let d = u8::try_from(d).map_err(|_| ())?;
        *byte = if n.is_multiple_of(2) {
            d << 4
        } else {
            *byte | d
        };
        n = n.saturating_add(1);
    }
    if n == HASH_LEN * 2 {
        Ok(Some(out))
    } else {
        Err(())
    }
}

// ------------------------------------------------------------- XML

/// An element read by the XML reader.
struct Element<'a> {
    name: &'a str,
    attrs: Vec<(&'a str, Cow<'a, str>)>,
    children: Vec<Element<'a>>,
    text: String,
    start: usize,
}

impl Element<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

type XmlResult<T> = Result<T, (usize, XmlError)>;

struct XmlReader<'a> {
    s: &'a str,
    pos: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

impl<'a> XmlReader<'a> {
    fn rest(&self) -> &'a str {
        self.s.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.pos = self.pos.saturating_add(prefix.len());
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos = self
            .pos
            .saturating_add(rest.len() - rest.trim_start().len());
    }

    /// Skips past `end`, or fails naming `what`.
    fn skip_past(&mut self, end: &str, what: &'static str) -> XmlResult<&'a str> {
        let rest = self.rest();
        let i = rest
            .find(end)
            .ok_or((self.s.len(), XmlError::UnexpectedEnd(what)))?;
        self.pos = self.pos.saturating_add(i).saturating_add(end.len());
        Ok(rest.get(..i).unwrap_or_default())
    }

    fn name(&mut self) -> XmlResult<&'a str> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return Err((self.pos, XmlError::NoName));
        }
        self.pos = self.pos.saturating_add(len);
        Ok(rest.get(..len).unwrap_or_default())
    }

    /// Skips declarations, comments and white space; `Err` on a DTD.
    fn skip_misc(&mut self) -> XmlResult<()> {
        loop {
            self.skip_ws();
            if self.eat("<?") {
                self.skip_past("?>", "a declaration")?;
            } else if self.eat("<!--") {
                self.skip_past("-->", "a comment")?;
            } else if self.rest().starts_with("<!") {
                return Err((self.pos, XmlError::Doctype));
            } else {
                return Ok(());
            }
        }
    }

    /// An element, from its `<`.
    fn element(&mut self, depth: usize) -> XmlResult<Element<'a>> {
        let start = self.pos;
        if depth >= MAX_XML_DEPTH {
            return Err((start, XmlError::TooDeep));
        }
        self.eat("<");
        let name = self.name()?;
        let mut el = Element {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            start,
        };
        loop {
            self.skip_ws();
            if self.eat("/>") {
                return Ok(el);
            }
            if self.eat(">") {
                break;
            }
            if self.rest().is_empty() {
                return Err((self.pos, XmlError::UnexpectedEnd("a tag")));
            }
            let key = self.name().map_err(|(p, _)| (p, XmlError::BadAttribute))?;
            self.skip_ws();
            if !self.eat("=") {
                return Err((self.pos, XmlError::BadAttribute));
            }
            self.skip_ws();
            let quote = match self.peek() {
                Some(q @ ('"' | '\'')) => q,
                _ => return Err((self.pos, XmlError::BadAttribute)),
            };
            self.pos = self.pos.saturating_add(1);
            let at = self.pos;
            let rest = self.rest();
            let end = rest
                .find(quote)
                .ok_or((self.s.len(), XmlError::UnexpectedEnd("an attribute value")))?;
            let raw = rest.get(..end).unwrap_or_default();
            if let Some(i) = raw.find('<') {
                return Err((at.saturating_add(i), XmlError::Unexpected('<')));
            }
            el.attrs.push((key, unescape(raw, at)?));
            self.pos = at.saturating_add(end).saturating_add(1);
        }
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Err((self.pos, XmlError::UnexpectedEnd("an element")));
            }
            if self.eat("</") {
                let at = self.pos;
                let found = self.name()?;
                if found != name {
                    return Err((
                        at,
                        XmlError::Mismatched {
                            expected: name.into(),
                            found: found.into(),
                        },
                    ));
                }
                self.skip_ws();
                if !self.eat(">") {
                    return Err((self.pos, self.unexpected()));
                }
                return Ok(el);
            }
            if self.eat("<!--") {
                self.skip_past("-->", "a comment")?;
            } else if self.eat("<![CDATA[") {
                let data = self.skip_past("]]>", "a CDATA section")?;
                el.text.push_str(data);
            } else if self.eat("<?") {
                self.skip_past("?>", "a processing instruction")?;
            } else if rest.starts_with("<!") {
                return Err((self.pos, XmlError::Doctype));
            } else if rest.starts_with('<') {
                let child = self.element(depth.saturating_add(1))?;
                el.children.push(child);
            } else {
                let at = self.pos;
                let end = rest.find('<').unwrap_or(rest.len());
                let raw = rest.get(..end).unwrap_or_default();
                el.text.push_str(&unescape(raw, at)?);
                self.pos = at.saturating_add(end);
            }
        }
    }

    fn unexpected(&self) -> XmlError {
        self.peek()
            .map_or(XmlError::UnexpectedEnd("a tag"), XmlError::Unexpected)
    }
}

/// `raw` with its entities and character references replaced; `at` is
/// its offset, for errors.
fn unescape(raw: &str, at: usize) -> XmlResult<Cow<'_, str>> {
    if !raw.contains('&') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i.saturating_add(1)..).unwrap_or_default();
        let here = at.saturating_add(raw.len() - rest.len()).saturating_add(i);
        let end = after
            .find(';')
            .filter(|&e| e <= 10)
            .ok_or((here, XmlError::BadEntity))?;
        let entity = after.get(..end).unwrap_or_default();
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        out.push(c.ok_or((here, XmlError::BadEntity))?);
        rest = after.get(end.saturating_add(1)..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// Running line numbers for increasing offsets of one text.
struct Lines<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> usize {
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let seen = self
            .s
            .get(self.pos..pos)
            .map_or(0, |s| s.matches('\n').count());
        self.line = self.line.saturating_add(seen);
        self.pos = pos;
        self.line
    }
}

/// Reads the XML alarms in `text` into `out`; `first_line` is the line
/// `text` starts on (for XML on a syslog line). Errors are at byte offsets
/// of `text`.
fn parse_xml(
    text: &str,
    start: usize,
    first_line: usize,
    out: &mut DeviceReports,
) -> XmlResult<()> {
    let mut r = XmlReader {
        s: text,
        pos: start,
    };
    let mut lines = Lines {
        s: text,
        pos: 0,
        line: first_line,
    };
    loop {
        r.skip_misc()?;
        if r.rest().is_empty() {
            return Ok(());
        }
        if !r.rest().starts_with('<') {
            return Err((r.pos, XmlError::TextOutside));
        }
        let root = r.element(0)?;
        if !root.name.eq_ignore_ascii_case("x-cisco-alarm") {
            return Err((root.start, XmlError::NotAnAlarm(root.name.into())));
        }
        for alarm in root
            .children
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case("Alarm"))
        {
            if alarm.attr("Name") != Some("DeviceTLInfo") {
                continue;
            }
            let mut fields = Fields::default();
            for list in alarm
                .children
                .iter()
                .filter(|c| c.name.eq_ignore_ascii_case("ParameterList"))
            {
                for p in &list.children {
                    if let Some(name) = p.attr("name") {
                        fields.set(name, Cow::Owned(p.text.clone()));
                    }
                }
            }
            fields.push(lines.at(alarm.start), out);
        }
    }
}

// ------------------------------------------------------------- syslog

/// The alarm parameters known in a `Name=Value` line: a value runs to the
/// next of them.
const KNOWN: [&str; 11] = [
    "DeviceName",
    "IPv4Address",
    "IPv6Address",
    "CTL_Signature",
    "CTL_TFTP_Server",
    "ITL_Signature",
    "ITL_TFTP_Server",
    "StatusCode",
    "AppID",
    "ClusterID",
    "NodeID",
];

fn read_syslog(text: &str, out: &mut DeviceReports) {
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i.saturating_add(1);
        let line = raw.trim_end_matches('\r');
        if !line.contains("DeviceTLInfo") {
            continue;
        }
        if let Some(x) = line.find("<x-cisco-alarm") {
            let end = line
                .rfind("</x-cisco-alarm>")
                .map_or(line.len(), |e| e.saturating_add("</x-cisco-alarm>".len()));
            let body = line.get(x..end).unwrap_or_default();
            let before = out.entries.len();
            if let Err((_, error)) = parse_xml(body, 0, line_no, out) {
                out.entries.truncate(before);
                out.problems.push(Problem::BadAlarm {
                    line: line_no,
                    error,
                });
            }
            continue;
        }
        let mut fields = Fields::default();
        if line.contains("[DeviceName=") {
            // CUCM's alarm form: %[Name=Value][Name=Value]…
            let mut rest = line;
            while let Some(open) = rest.find('[') {
                let after = rest.get(open.saturating_add(1)..).unwrap_or_default();
                let Some(close) = after.find(']') else { break };
                if let Some((k, v)) = after.get(..close).unwrap_or_default().split_once('=') {
                    fields.set(k, Cow::Borrowed(v));
                }
                rest = after.get(close.saturating_add(1)..).unwrap_or_default();
            }
        } else {
            // Name=Value pairs: each value runs to the next known name.
            let mut starts: Vec<(usize, &str)> = Vec::new();
            for k in KNOWN {
                let mut from = 0usize;
                while let Some(i) = line.get(from..).and_then(|s| s.find(k)) {
                    let at = from.saturating_add(i);
                    let boundary = line
                        .get(..at)
                        .and_then(|b| b.chars().next_back())
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    if boundary
                        && line
                            .get(at.saturating_add(k.len())..)
                            .is_some_and(|r| r.starts_with('='))
                    {
                        starts.push((at, k));
                    }
                    from = at.saturating_add(k.len());
                }
            }
            starts.sort_unstable();
            for (n, &(at, k)) in starts.iter().enumerate() {
                let from = at.saturating_add(k.len()).saturating_add(1);
                let to = starts
                    .get(n.saturating_add(1))
                    .map_or(line.len(), |&(s, _)| s);
                let v = line
                    .get(from..to)
                    .unwrap_or_default()
                    .trim()
                    .trim_end_matches([',', ';', '|'])
                    .trim()
                    .trim_matches('"');
                fields.set(k, Cow::Borrowed(v));
            }
        }
        fields.push(line_no, out);
    }
}

// ------------------------------------------------------------- CSV

/// `,`, `;` or tab: the one the header line holds most of, outside quotes
/// (`,` when none).
fn detect_separator(header: &str) -> u8 {
    let (mut comma, mut semi, mut tab, mut quoted) = (0usize, 0usize, 0usize, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => comma = comma.saturating_add(1),
            ';' if !quoted => semi = semi.saturating_add(1),
            '\t' if !quoted => tab = tab.saturating_add(1),
            _ => {}
        }
    }
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// A CSV row: its 1-based line and its fields.
type Row<'a> = (usize, Vec<Cow<'a, str>>);

struct CsvReader<'a> {
    s: &'a str,
    pos: usize,
    line: usize,
    sep: char,
}

impl<'a> CsvReader<'a> {
    fn new(s: &'a str, sep: u8) -> Self {
        CsvReader {
            s,
            pos: 0,
            line: 1,
            sep: char::from(sep),
        }
    }

    /// The next row and its 1-based line, `None` at the end.
    fn next_row(&mut self) -> Result<Option<Row<'a>>, ReportError> {
        let rest = self.s.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(None);
        }
        let start_line = self.line;
        let mut row = Vec::new();
        let mut chars = rest.char_indices().peekable();
        loop {
            // One field.
            if chars.peek().map(|&(_, c)| c) == Some('"') {
                let field_line = self.line;
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        None => return Err(ReportError::UnclosedQuote { line: field_line }),
                        Some((_, '"')) => {
                            if chars.peek().map(|&(_, c)| c) == Some('"') {
                                chars.next();
                                value.push('"');
                            } else {
                                break;
                            }
                        }
                        Some((_, c)) => {
                            if c == '\n' {
                                self.line = self.line.saturating_add(1);
                            }
                            if value.len() >= MAX_FIELD_BYTES {
                                return Err(ReportError::FieldTooLong {
                                    line: field_line,
                                    limit: MAX_FIELD_BYTES,
                                });
                            }
                            value.push(c);
                        }
                    }
                }
                // Anything after the closing quote up to the separator is kept.
                while let Some(&(_, c)) = chars.peek() {
                    if c == self.sep || c == '\n' || c == '\r' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
                row.push(Cow::Owned(value));
            } else {
                let from = chars.peek().map_or(rest.len(), |&(i, _)| i);
                let mut to = rest.len();
                while let Some(&(i, c)) = chars.peek() {
                    if c == self.sep || c == '\n' || c == '\r' {
                        to = i;
                        break;
                    }
                    chars.next();
                }
                if to.saturating_sub(from) > MAX_FIELD_BYTES {
                    return Err(ReportError::FieldTooLong {
                        line: self.line,
                        limit: MAX_FIELD_BYTES,
                    });
                }
                row.push(Cow::Borrowed(rest.get(from..to).unwrap_or_default()));
            }
            match chars.next() {
                Some((_, c)) if c == self.sep => {}
                Some((i, '\r')) => {
                    let mut end = i.saturating_add(1);
                    if chars.peek().map(|&(_, c)| c) == Some('\n') {
                        end = end.saturating_add(1);
                    }
                    self.pos = self.pos.saturating_add(end);
                    self.line = self.line.saturating_add(1);
                    return Ok(Some((start_line, row)));
                }
                Some((i, _)) => {
                    // '\n'
                    self.pos = self.pos.saturating_add(i).saturating_add(1);
                    self.line = self.line.saturating_add(1);
                    return Ok(Some((start_line, row)));
                }
                None => {
                    self.pos = self.s.len();
                    return Ok(Some((start_line, row)));
                }
            }
        }
    }
}

/// The columns of a CSV header that are read.
struct Columns {
    device: Option<usize>,
    itl: Option<usize>,
    itl_server: Option<usize>,
    ctl: Option<usize>,
    ctl_server: Option<usize>,
    status: Option<usize>,
}

impl Columns {
    fn find(header: &[Cow<'_, str>]) -> Columns {
        // A cell with `=`, `[` or `<`, or a long one, is no column name (a
        // syslog line split at its commas).
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                if h.len() > 64 || h.contains(['=', '[', '<']) {
                    String::new()
                } else {
                    normalise(h)
                }
            })
            .collect();
        let first = |f: &dyn Fn(&str) -> bool| names.iter().position(|n| f(n));
        let hashy = |n: &str| n.contains("signature") || n.contains("sha") || n.contains("hash");
        let any_ctl = names.iter().any(|n| n.contains("ctl"));
        Columns {
            device: first(&|n| n == "devicename")
                .or_else(|| first(&|n| n.contains("device")))
                .or_else(|| first(&|n| n.contains("name"))),
            itl: first(&|n| n.contains("itl") && hashy(n))
                .or_else(|| first(&|n| !any_ctl && hashy(n))),
            itl_server: first(&|n| n.contains("itl") && n.contains("tftp")),
            ctl: first(&|n| n.contains("ctl") && hashy(n)),
            ctl_server: first(&|n| n.contains("ctl") && n.contains("tftp")),
            status: first(&|n| n.contains("status")),
        }
    }

    fn needed(&self) -> usize {
        [
            self.device,
            self.itl,
            self.itl_server,
            self.ctl,
            self.ctl_server,
            self.status,
        ]
        .iter()
        .flatten()
        .max()
        .map_or(0, |m| m.saturating_add(1))
    }
}

fn read_csv(
    reader: &mut CsvReader<'_>,
    columns: &Columns,
    out: &mut DeviceReports,
) -> Result<(), ReportError> {
    let needed = columns.needed();
    while let Some((line, row)) = reader.next_row()? {
        if row.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if row.len() < needed {
            out.problems.push(Problem::FieldCount {
                line,
                found: row.len(),
                needed,
            });
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|i| row.get(i))
                .map(|v| Cow::Borrowed(v.as_ref()))
        };
        let fields = Fields {
            device: get(columns.device),
            itl: get(columns.itl),
            itl_server: get(columns.itl_server),
            ctl: get(columns.ctl),
            ctl_server: get(columns.ctl_server),
            status: get(columns.status),
        };
        fields.push(line, out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "9D 7D A7 3D 16 C1 50 1B 4D 27 DC 1E D7 92 11 F3 90 65 99 82 ";
    const HB: [u8; 20] = [
        0x9d, 0x7d, 0xa7, 0x3d, 0x16, 0xc1, 0x50, 0x1b, 0x4d, 0x27, 0xdc, 0x1e, 0xd7, 0x92, 0x11,
        0xf3, 0x90, 0x65, 0x99, 0x82,
    ];

    #[test]
    fn hashes_in_any_spelling() {
        assert_eq!(parse_hash(H), Ok(Some(HB)));
        assert_eq!(
            parse_hash("9d7da73d16c1501b4d27dc1ed79211f390659982"),
            Ok(Some(HB))
        );
        assert_eq!(
            parse_hash("9d:7d:a7:3d:16:c1:50:1b:4d:27:dc:1e:d7:92:11:f3:90:65:99:82"),
            Ok(Some(HB))
        );
        assert_eq!(parse_hash(" Not Installed "), Ok(None));
        assert_eq!(parse_hash(""), Ok(None));
        assert_eq!(parse_hash("9d7d"), Err(()));
        assert_eq!(
            parse_hash("9d7da73d16c1501b4d27dc1ed79211f39065998z"),
            Err(())
        );
        assert_eq!(
            parse_hash("9d7da73d16c1501b4d27dc1ed79211f39065998200"),
            Err(())
        );
    }

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a,b,c"), b',');
        assert_eq!(detect_separator("a;b;\"c,d\""), b';');
        assert_eq!(detect_separator("a\tb\tc"), b'\t');
        assert_eq!(detect_separator("abc"), b',');
    }

    #[test]
    fn cp1252_and_line_columns() {
        assert_eq!(cp1252(0x80), '€');
        assert_eq!(cp1252(0xE9), 'é');
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }

    #[test]
    fn xml_entities() {
        assert_eq!(unescape("a&amp;b&#65;&#x42;", 0).unwrap(), "a&bAB");
        assert_eq!(unescape("a&bogus;", 7), Err((8, XmlError::BadEntity)));
        assert_eq!(unescape("a&#xD800;", 0), Err((1, XmlError::BadEntity)));
    }
}
