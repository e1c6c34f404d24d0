//! The text CUCM 10.x prints for `show itl` and `show ctl`.
//! Administrators' scripts grep this output, so CUCM's spellings
//! (`DIGESTALGORTITHM`, `SIGNATUREALGORTITHM`) are kept.
//!
//! The text is written line by line into any [`core::fmt::Write`]
//! ([`render_to`]) or, with `std`, any [`std::io::Write`] ([`render_io`]),
//! in constant extra memory whatever the size of the file: nothing is
//! buffered but what verifying the signature needs. [`render`] collects
//! the same text into a `String`.
//!
//! Signed files (`.sgn`) are not trust lists; [`render_signed_file_to`]
//! shows their header in the same style, and [`is_signed_file`] tells a
//! signed file from a broken trust list.

use alloc::string::String;
use core::fmt::{self, Write};

use crate::digest::{md5, sha1};
use crate::function::Function;
use crate::header::Header;
use crate::hex::{Case, write_hex};
use crate::parse_error::ParseError;
use crate::record::Record;
use crate::signed_file::SignedFile;
use crate::tag::{Tag, header as ht, record as rt};
use crate::tlv::{Element, Elements, Item};
use crate::trust_list::{ListKind, TrustList};
use crate::verify::{Verified, VerifyError};

/// How a rendered file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Parsed and verified against its own signing record.
    Verified(Verified),
    /// Parsed, but the signature was not accepted.
    VerificationFailed(VerifyError),
    /// Not a well-formed trust list.
    ParseFailed(ParseError),
}

/// The rendering and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The text, one line per `\n`.
    pub text: String,
    /// The outcome.
    pub outcome: Outcome,
}

/// Parses, verifies and renders `data` as `show itl` (or `show ctl`)
/// would. `kind` names the list when the file cannot say (it is unparsable);
/// otherwise the header's FILENAME decides.
///
/// The whole text is held in memory; [`render_to`] and [`render_io`]
/// write the same text as it is produced.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// let r = cisco_itl::show::render(&bytes, None);
/// assert!(r.text.starts_with("The checksum value of the ITL file: f0dc87a3c81bb8d80368475693ba32b5(MD5)"));
/// assert!(r.text.contains("\nHeaderLength: 336 (BYTES)\n"));
/// assert!(r.text.ends_with("The ITL file was verified successfully.\n"));
/// ```
pub fn render(data: &[u8], kind: Option<ListKind>) -> Rendered {
    let mut text = String::new();
    let outcome = match render_to(&mut text, data, kind) {
        Ok(outcome) => outcome,
        // Writing into a `String` cannot fail; should it ever, the outcome
        // is still the file's.
        Err(fmt::Error) => outcome_of(data),
    };
    Rendered { text, outcome }
}

/// Parses, verifies and writes `data` into `out` as `show itl` (or
/// `show ctl`) would, line by line; the text is exactly [`render`]'s.
/// `kind` names the list when the file cannot say (it is unparsable);
/// otherwise the header's FILENAME decides.
///
/// Apart from what `out` does with the text, rendering takes constant
/// extra memory: the file is walked in place and hex is written byte by
/// byte. Only verifying the signature allocates (the signer's key), a few
/// KiB whatever the file's size.
///
/// Returns how the file ended, or the writer's error (rendering stops at
/// the first one).
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use cisco_itl::show::{Outcome, render, render_to};
/// let mut text = String::new();
/// let outcome = render_to(&mut text, &bytes, None)?;
/// assert!(matches!(outcome, Outcome::Verified(_)));
/// assert_eq!(text, render(&bytes, None).text);
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub fn render_to<W: Write + ?Sized>(
    out: &mut W,
    data: &[u8],
    kind: Option<ListKind>,
) -> Result<Outcome, fmt::Error> {
    let mut out = out;
    render_dyn(&mut out, data, kind)
}

/// [`render_to`] into a byte sink (a file, a locked stdout). Each line is
/// written in several small pieces: give it a buffered writer
/// ([`std::io::BufWriter`]), and flush that afterwards (this function does
/// not flush).
///
/// Returns how the file ended, or the first I/O error.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// use std::io::Write;
/// let mut out = std::io::BufWriter::new(Vec::new());
/// let outcome = cisco_itl::show::render_io(&mut out, &bytes, None)?;
/// out.flush()?;
/// assert!(matches!(outcome, cisco_itl::show::Outcome::Verified(_)));
/// assert!(out.get_ref().ends_with(b"The ITL file was verified successfully.\n"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn render_io<W: std::io::Write + ?Sized>(
    out: &mut W,
    data: &[u8],
    kind: Option<ListKind>,
) -> std::io::Result<Outcome> {
    let mut adapter = IoAdapter {
        inner: out,
        error: None,
    };
    render_to(&mut adapter, data, kind).map_err(|fmt::Error| adapter.into_error())
}

/// How a rendered signed file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOutcome {
    /// The header parsed. The signature was not checked: that needs the
    /// signer's certificate, from the ITL or CTL that names the signer
    /// (see [`SignedFile::verify_with_list`]).
    NotVerified,
    /// Not a well-formed signed file.
    ParseFailed(ParseError),
}

/// Whether `data` is best shown as a signed file (`.sgn`): it is not a
/// trust list, its header parses, and its FILENAME does not end in `.tlv`
/// (a trust list whose records are broken still has a good header; it is
/// shown as an unparsable trust list, not as a signed file).
///
/// ```
/// # let dir = "tests/data/vectors";
/// use cisco_itl::show::is_signed_file;
/// let sgn = std::fs::read(format!("{dir}/cucm-SEP0011215A1AE3.cnf.xml.sgn")).unwrap();
/// let itl = std::fs::read(format!("{dir}/cucm-ITLFile.tlv")).unwrap();
/// let broken = std::fs::read(format!("{dir}/bad-record-byte.tlv")).unwrap();
/// assert!(is_signed_file(&sgn));
/// assert!(!is_signed_file(&itl));
/// assert!(!is_signed_file(&broken));
/// ```
pub fn is_signed_file(data: &[u8]) -> bool {
    if TrustList::parse(data).is_ok() {
        return false;
    }
    match Header::parse(data) {
        Ok(h) => !ends_with_ignore_case(h.filename(), ".tlv"),
        Err(_) => false,
    }
}

/// Renders a signed file (`.sgn`) as [`render_signed_file_to`] does,
/// into a `String`.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-SEP0011215A1AE3.cnf.xml.sgn").unwrap();
/// let text = cisco_itl::show::render_signed_file(&bytes);
/// assert!(text.contains("\nThis is a signed file (.sgn), not a trust list: its header follows.\n"));
/// ```
pub fn render_signed_file(data: &[u8]) -> String {
    let mut text = String::new();
    // Writing into a `String` cannot fail.
    let _ = render_signed_file_to(&mut text, data);
    text
}

/// Writes a signed file's (`.sgn`) checksums and header into `out`, line
/// by line, in the style of `show itl` (the same header lines), then the
/// payload's length. The signature is not checked: that needs the signer's
/// certificate, which a signed file does not carry. Any file with a
/// well-formed header is shown this way (a trust list too; see
/// [`is_signed_file`] to choose).
///
/// ```text
/// The checksum value of the signed file: <md5>(MD5) <sha1>(SHA1)
/// Length of signed file: 476
/// This is a signed file (.sgn), not a trust list: its header follows.
/// Version: 1.0
/// HeaderLength: 284 (BYTES)
/// BYTEPOS TAG LENGTH VALUE
/// 3 SIGNERID 2 …
/// …
/// Filename: SEP0011215A1AE3.cnf.xml.sgn
/// Payload: 192 bytes after the header.
/// The signature cannot be checked without the signer's certificate; verify it against the ITL or CTL that names its signer.
/// ```
///
/// Returns how the file ended, or the writer's error.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-SEP0011215A1AE3.cnf.xml.sgn").unwrap();
/// use cisco_itl::show::{SignedOutcome, render_signed_file_to};
/// let mut text = String::new();
/// assert_eq!(render_signed_file_to(&mut text, &bytes)?, SignedOutcome::NotVerified);
/// assert!(text.contains("\nFilename: SEP0011215A1AE3.cnf.xml.sgn\n"));
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub fn render_signed_file_to<W: Write + ?Sized>(
    out: &mut W,
    data: &[u8],
) -> Result<SignedOutcome, fmt::Error> {
    let mut out = out;
    render_signed_dyn(&mut out, data)
}

/// [`render_signed_file_to`] into a byte sink; give it a buffered writer
/// and flush that afterwards.
///
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/peer-SEPpeer.cnf.xml.sgn").unwrap();
/// let mut out = Vec::new();
/// let outcome = cisco_itl::show::render_signed_file_io(&mut out, &bytes)?;
/// assert_eq!(outcome, cisco_itl::show::SignedOutcome::NotVerified);
/// assert!(out.starts_with(b"The checksum value of the signed file: "));
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn render_signed_file_io<W: std::io::Write + ?Sized>(
    out: &mut W,
    data: &[u8],
) -> std::io::Result<SignedOutcome> {
    let mut adapter = IoAdapter {
        inner: out,
        error: None,
    };
    render_signed_file_to(&mut adapter, data).map_err(|fmt::Error| adapter.into_error())
}

/// Lets the `fmt::Write` renderers write into an `io::Write`, keeping the
/// I/O error that `fmt::Error` cannot carry.
#[cfg(feature = "std")]
struct IoAdapter<'w, W: std::io::Write + ?Sized> {
    inner: &'w mut W,
    error: Option<std::io::Error>,
}

#[cfg(feature = "std")]
impl<W: std::io::Write + ?Sized> IoAdapter<'_, W> {
    fn into_error(self) -> std::io::Error {
        self.error
            .unwrap_or_else(|| std::io::Error::other("formatting failed"))
    }
}

#[cfg(feature = "std")]
impl<W: std::io::Write + ?Sized> Write for IoAdapter<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// The outcome [`render_to`] reports, without the text.
fn outcome_of(data: &[u8]) -> Outcome {
    match TrustList::parse(data) {
        Ok(list) => match list.verify() {
            Ok(v) => Outcome::Verified(v),
            Err(e) => Outcome::VerificationFailed(e),
        },
        Err(e) => Outcome::ParseFailed(e),
    }
}

fn render_dyn(
    out: &mut dyn Write,
    data: &[u8],
    kind: Option<ListKind>,
) -> Result<Outcome, fmt::Error> {
    let parsed = TrustList::parse(data);
    let kind = match &parsed {
        Ok(l) => l.kind(),
        Err(_) => kind.unwrap_or(ListKind::Itl),
    };
    let name = kind.as_str();
    checksums(out, data, name)?;
    writeln!(out, "Parse {name} File")?;
    let list = match parsed {
        Ok(l) => l,
        Err(e) => {
            writeln!(out, "Error parsing the {name} file!!")?;
            return Ok(Outcome::ParseFailed(e));
        }
    };
    let verification = list.verify();
    render_list(out, &list, name, &verification)?;
    Ok(match verification {
        Ok(v) => {
            writeln!(out, "The {name} file was verified successfully.")?;
            Outcome::Verified(v)
        }
        Err(e) => {
            writeln!(out, "Verification of the {name} file failed.")?;
            Outcome::VerificationFailed(e)
        }
    })
}

fn render_signed_dyn(out: &mut dyn Write, data: &[u8]) -> Result<SignedOutcome, fmt::Error> {
    checksums(out, data, "signed")?;
    let sgn = match SignedFile::parse(data) {
        Ok(s) => s,
        Err(e) => {
            writeln!(out, "Error parsing the signed file!!")?;
            return Ok(SignedOutcome::ParseFailed(e));
        }
    };
    let h = sgn.header();
    let encrypted = crate::encrypted::has_encryption_block(h);
    if encrypted {
        writeln!(
            out,
            "This is an encrypted configuration (.enc.sgn), not a trust list: its header and encryption block follow."
        )?;
    } else {
        writeln!(
            out,
            "This is a signed file (.sgn), not a trust list: its header follows."
        )?;
    }
    render_header(out, h)?;
    writeln!(out, "Filename: {}", h.filename())?;
    if encrypted {
        match crate::encrypted::EncryptedFile::parse(data) {
            Ok(f) => writeln!(
                out,
                "Payload: {} bytes after the header, encrypted with AES-128-CBC for a {}-bit phone key; only that phone can read it.",
                f.ciphertext().len(),
                f.info().key_bits
            )?,
            Err(e) => writeln!(out, "The encryption block is malformed: {e}")?,
        }
    } else {
        writeln!(
            out,
            "Payload: {} bytes after the header.",
            sgn.payload().len()
        )?;
    }
    writeln!(
        out,
        "The signature cannot be checked without the signer's certificate; \
         verify it against the ITL or CTL that names its signer."
    )?;
    Ok(SignedOutcome::NotVerified)
}

/// The checksum and length lines; `name` is "ITL", "CTL" or "signed".
fn checksums(out: &mut dyn Write, data: &[u8], name: &str) -> fmt::Result {
    write!(out, "The checksum value of the {name} file: ")?;
    write_hex(out, &md5(data), Case::Lower, "")?;
    out.write_str("(MD5) ")?;
    write_hex(out, &sha1(data), Case::Lower, "")?;
    out.write_str("(SHA1)\n")?;
    writeln!(out, "Length of {name} file: {}", data.len())
}

fn render_header(out: &mut dyn Write, h: &Header<'_>) -> fmt::Result {
    let (major, minor) = h.version();
    writeln!(out, "Version: {major}.{minor}")?;
    writeln!(out, "HeaderLength: {} (BYTES)", h.length())?;
    writeln!(out, "BYTEPOS TAG LENGTH VALUE")?;
    for item in h.items() {
        if let Item::Element(e) = item {
            header_element(out, &e, None)?;
        }
    }
    Ok(())
}

fn render_list(
    out: &mut dyn Write,
    list: &TrustList<'_>,
    name: &str,
    v: &Result<Verified, VerifyError>,
) -> fmt::Result {
    render_header(out, list.header())?;
    let signer = match v {
        Ok(v) => v.signer_index,
        // A failed signature still names its signing record, unless that
        // record disagrees with its own certificate: then it signed nothing.
        Err(_) => list
            .signer_record()
            .filter(|(_, r)| crate::verify::record_key(r).is_ok())
            .map(|(i, _)| i),
    };
    for (i, r) in list.records().enumerate() {
        writeln!(out, "{name} Record #:{}", i + 1)?;
        writeln!(out, "BYTEPOS TAG LENGTH VALUE")?;
        for e in r.elements() {
            record_element(out, &r, &e)?;
        }
        if r.has_function(Function::Sast) {
            let not = if signer == Some(i) { "" } else { "not " };
            writeln!(out, "This etoken was {not}used to sign the {name} file.")?;
        }
    }
    Ok(())
}

fn header_element(out: &mut dyn Write, e: &Element<'_>, parent: Option<Tag>) -> fmt::Result {
    let len = e.value.len();
    let label = ht::name(e.tag).unwrap_or("UNKNOWN");
    match e.tag {
        ht::VERSION | ht::HEADER_LENGTH if parent.is_none() => {}
        ht::SIGNER_ID | ht::SIGNATURE_INFO | ht::SIGNATURE_ALGO_INFO
            if matches!(
                (parent, e.tag),
                (None, ht::SIGNER_ID | ht::SIGNATURE_INFO)
                    | (Some(ht::SIGNATURE_INFO), ht::SIGNATURE_ALGO_INFO)
            ) =>
        {
            writeln!(out, "{} {label} 2 {len}", e.tag.0)?;
            for c in Elements::new(e.value, e.offset + 3).map_while(Result::ok) {
                header_element(out, &c, Some(e.tag))?;
            }
        }
        ht::SIGNER_NAME | ht::CA_NAME => {
            writeln!(out, "{} {label} {len} {}", e.tag.0, text(e.value))?;
        }
        ht::SERIAL_NUMBER => {
            write!(out, "{} {label} {len} ", e.tag.0)?;
            write_hex(out, e.value, Case::Upper, ":")?;
            out.write_char('\n')?;
        }
        ht::SIGNATURE => {
            writeln!(out, "{} {label} {len}", e.tag.0)?;
            // Eight bytes a line, unpadded lower-case hex, as CUCM prints.
            for line in e.value.chunks(8) {
                for (i, b) in line.iter().enumerate() {
                    if i > 0 {
                        out.write_char(' ')?;
                    }
                    write!(out, "{b:x}")?;
                }
                out.write_char('\n')?;
            }
        }
        ht::SIGNER_VERSION => {
            let (a, b) = (
                e.value.first().copied().unwrap_or(0),
                e.value.get(1).copied().unwrap_or(0),
            );
            writeln!(out, "{} {label} {len} {a}.{b}", e.tag.0)?;
        }
        t if crate::encrypted::tag::name(t).is_some() => encrypted_element(out, e)?,
        _ => {
            writeln!(out, "{} {label} {len}", e.tag.0)?;
        }
    }
    Ok(())
}

/// An element of an encrypted configuration's block (tags 16 to 27), in
/// the style of the others: containers with their children, numbers as
/// numbers, the IV, wrapped key and digest as hex.
fn encrypted_element(out: &mut dyn Write, e: &Element<'_>) -> fmt::Result {
    use crate::encrypted::tag as et;
    let len = e.value.len();
    let label = et::name(e.tag).unwrap_or("UNKNOWN");
    match e.tag {
        et::ENCRYPTION_INFO | et::IV_INFO | et::KEY_INFO => {
            writeln!(out, "{} {label} 2 {len}", e.tag.0)?;
            for c in Elements::new(e.value, e.offset + 3).map_while(Result::ok) {
                encrypted_element(out, &c)?;
            }
        }
        et::IV_TYPE | et::KEY_TYPE | et::KEY_FORMAT | et::PLAIN_DIGEST_ALGORITHM if len == 1 => {
            let v = e.value.first().copied().unwrap_or(0);
            if e.tag == et::PLAIN_DIGEST_ALGORITHM {
                writeln!(
                    out,
                    "{} {label} {len} {}",
                    e.tag.0,
                    crate::digest::DigestAlgorithm::from_code(v)
                )?;
            } else {
                writeln!(out, "{} {label} {len} {v}", e.tag.0)?;
            }
        }
        et::PADDING_LENGTH | et::KEY_LENGTH if len == 2 => {
            let v = u16::from_be_bytes([
                e.value.first().copied().unwrap_or(0),
                e.value.get(1).copied().unwrap_or(0),
            ]);
            writeln!(out, "{} {label} {len} {v}", e.tag.0)?;
        }
        _ => {
            write!(out, "{} {label} {len} ", e.tag.0)?;
            write_hex(out, e.value, Case::Lower, "")?;
            out.write_char('\n')?;
        }
    }
    Ok(())
}

fn record_element(out: &mut dyn Write, r: &Record<'_>, e: &Element<'_>) -> fmt::Result {
    let len = e.value.len();
    let tag: Tag = e.tag;
    let label = rt::name(tag).unwrap_or("UNKNOWN");
    write!(out, "{} {label} {len}", tag.0)?;
    match tag {
        rt::RECORD_LENGTH => write!(out, " {}", r.length())?,
        rt::DNS_NAME | rt::SUBJECT_NAME | rt::ISSUER_NAME => {
            let t = text(e.value);
            if !t.is_empty() {
                write!(out, " {t}")?;
            }
        }
        rt::FUNCTION => {
            if let Ok(code) = e.u16() {
                write!(out, " {}", Function::from_code(code).show_name())?;
            }
        }
        rt::SERIAL_NUMBER => {
            out.write_char(' ')?;
            write_hex(out, e.value, Case::Upper, ":")?;
        }
        rt::CERTIFICATE => {
            out.write_char(' ')?;
            write_hex(out, &sha1(e.value), Case::Upper, " ")?;
            out.write_str(" (SHA1 Hash HEX)")?;
        }
        rt::CERT_HASH => {
            out.write_char(' ')?;
            write_hex(out, e.value, Case::Upper, " ")?;
        }
        rt::HASH_ALGORITHM => match e.value {
            [1] => out.write_str(" SHA-1")?,
            [other] => write!(out, " unknown ({other})")?,
            _ => {}
        },
        rt::IP_ADDRESS => {
            if let [a, b, c, d] = e.value {
                write!(out, " {a}.{b}.{c}.{d}")?;
            }
        }
        _ => {}
    }
    out.write_char('\n')
}

fn text(v: &[u8]) -> &str {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    core::str::from_utf8(v.get(..end).unwrap_or(&[])).unwrap_or("")
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len()
        .checked_sub(suffix.len())
        .and_then(|start| s.as_bytes().get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}
