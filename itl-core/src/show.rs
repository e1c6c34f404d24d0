//! The text CUCM 10.x prints for `show itl` and `show ctl` (SPEC §3).
//! Administrators' scripts grep this output, so CUCM's spellings
//! (`DIGESTALGORTITHM`, `SIGNATUREALGORTITHM`) are kept.

use alloc::string::String;
use core::fmt::Write;

use crate::digest::{md5, sha1};
use crate::error::ParseError;
use crate::function::Function;
use crate::record::Record;
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
/// ```
/// # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// let r = cisco_itl::show::render(&bytes, None);
/// assert!(r.text.starts_with("The checksum value of the ITL file: f0dc87a3c81bb8d80368475693ba32b5(MD5)"));
/// assert!(r.text.contains("\nHeaderLength: 336 (BYTES)\n"));
/// assert!(r.text.ends_with("The ITL file was verified successfully.\n"));
/// ```
pub fn render(data: &[u8], kind: Option<ListKind>) -> Rendered {
    let parsed = TrustList::parse(data);
    let kind = match &parsed {
        Ok(l) => l.kind(),
        Err(_) => kind.unwrap_or(ListKind::Itl),
    };
    let name = kind.as_str();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "The checksum value of the {name} file: {}(MD5) {}(SHA1)",
        hex_lower(&md5(data)),
        hex_lower(&sha1(data))
    );
    let _ = writeln!(out, "Length of {name} file: {}", data.len());
    let _ = writeln!(out, "Parse {name} File");
    let list = match parsed {
        Ok(l) => l,
        Err(e) => {
            let _ = writeln!(out, "Error parsing the {name} file!!");
            return Rendered {
                text: out,
                outcome: Outcome::ParseFailed(e),
            };
        }
    };
    let verification = list.verify();
    render_list(&mut out, &list, name, &verification);
    let outcome = match verification {
        Ok(v) => {
            let _ = writeln!(out, "The {name} file was verified successfully.");
            Outcome::Verified(v)
        }
        Err(e) => {
            let _ = writeln!(out, "Verification of the {name} file failed.");
            Outcome::VerificationFailed(e)
        }
    };
    Rendered { text: out, outcome }
}

fn render_list(
    out: &mut String,
    list: &TrustList<'_>,
    name: &str,
    v: &Result<Verified, VerifyError>,
) {
    let h = list.header();
    let (major, minor) = h.version();
    let _ = writeln!(out, "Version: {major}.{minor}");
    let _ = writeln!(out, "HeaderLength: {} (BYTES)", h.length());
    let _ = writeln!(out, "BYTEPOS TAG LENGTH VALUE");
    for item in h.items() {
        if let Item::Element(e) = item {
            header_element(out, &e, None);
        }
    }
    let signer = match v {
        Ok(v) => v.signer_index,
        Err(_) => list.signer_record().map(|(i, _)| i),
    };
    for (i, r) in list.records().enumerate() {
        let _ = writeln!(out, "{name} Record #:{}", i + 1);
        let _ = writeln!(out, "BYTEPOS TAG LENGTH VALUE");
        for e in r.elements() {
            record_element(out, &r, &e);
        }
        if r.has_function(Function::Sast) {
            let not = if signer == Some(i) { "" } else { "not " };
            let _ = writeln!(out, "This etoken was {not}used to sign the {name} file.");
        }
    }
}

fn header_element(out: &mut String, e: &Element<'_>, parent: Option<Tag>) {
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
            let _ = writeln!(out, "{} {label} 2 {len}", e.tag.0);
            for c in Elements::new(e.value, e.offset + 3).map_while(Result::ok) {
                header_element(out, &c, Some(e.tag));
            }
        }
        ht::SIGNER_NAME | ht::CA_NAME => {
            let _ = writeln!(out, "{} {label} {len} {}", e.tag.0, text(e.value));
        }
        ht::SERIAL_NUMBER => {
            let _ = writeln!(out, "{} {label} {len} {}", e.tag.0, colon_hex(e.value));
        }
        ht::SIGNATURE => {
            let _ = writeln!(out, "{} {label} {len}", e.tag.0);
            for line in e.value.chunks(8) {
                let words: alloc::vec::Vec<String> =
                    line.iter().map(|b| alloc::format!("{b:x}")).collect();
                let _ = writeln!(out, "{}", words.join(" "));
            }
        }
        ht::SIGNER_VERSION => {
            let (a, b) = (
                e.value.first().copied().unwrap_or(0),
                e.value.get(1).copied().unwrap_or(0),
            );
            let _ = writeln!(out, "{} {label} {len} {a}.{b}", e.tag.0);
        }
        _ => {
            let _ = writeln!(out, "{} {label} {len}", e.tag.0);
        }
    }
}

fn record_element(out: &mut String, r: &Record<'_>, e: &Element<'_>) {
    let len = e.value.len();
    let tag: Tag = e.tag;
    let label = rt::name(tag).unwrap_or("UNKNOWN");
    let value: String = match tag {
        rt::RECORD_LENGTH => alloc::format!(" {}", r.length()),
        rt::DNS_NAME | rt::SUBJECT_NAME | rt::ISSUER_NAME => {
            let t = text(e.value);
            if t.is_empty() {
                String::new()
            } else {
                alloc::format!(" {t}")
            }
        }
        rt::FUNCTION => match e.u16() {
            Ok(code) => alloc::format!(" {}", Function::from_code(code).show_name()),
            Err(_) => String::new(),
        },
        rt::SERIAL_NUMBER => alloc::format!(" {}", colon_hex(e.value)),
        rt::CERTIFICATE => alloc::format!(" {} (SHA1 Hash HEX)", spaced_hex(&sha1(e.value))),
        rt::CERT_HASH => alloc::format!(" {}", spaced_hex(e.value)),
        rt::HASH_ALGORITHM => match e.value {
            [1] => String::from(" SHA-1"),
            [other] => alloc::format!(" unknown ({other})"),
            _ => String::new(),
        },
        rt::IP_ADDRESS => match e.value {
            [a, b, c, d] => alloc::format!(" {a}.{b}.{c}.{d}"),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let _ = writeln!(out, "{} {label} {len}{value}", tag.0);
}

fn text(v: &[u8]) -> &str {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    core::str::from_utf8(v.get(..end).unwrap_or(&[])).unwrap_or("")
}

fn hex_lower(v: &[u8]) -> String {
    v.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn colon_hex(v: &[u8]) -> String {
    let parts: alloc::vec::Vec<String> = v.iter().map(|b| alloc::format!("{b:02X}")).collect();
    parts.join(":")
}

fn spaced_hex(v: &[u8]) -> String {
    let parts: alloc::vec::Vec<String> = v.iter().map(|b| alloc::format!("{b:02X}")).collect();
    parts.join(" ")
}
