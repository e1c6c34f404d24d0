//! Hex text of bytes, written in one place for the whole crate (on
//! `base16ct`, constant-time): two digits a byte, upper or lower case, an
//! optional separator between bytes. CUCM's unpadded SIGNATURE dump in
//! [`show`](crate::show) is another format and stays there.

use core::fmt::{self, Write};

use base16ct::HexDisplay;

/// The case of the hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `0a1b`.
    Lower,
    /// `0A1B`.
    Upper,
}

/// Writes `v` as two-digit hex, `sep` between bytes, straight into `out`.
pub fn write_hex(out: &mut dyn Write, v: &[u8], case: Case, sep: &str) -> fmt::Result {
    if sep.is_empty() {
        return digits(out, v, case);
    }
    for (i, b) in v.chunks(1).enumerate() {
        if i > 0 {
            out.write_str(sep)?;
        }
        digits(out, b, case)?;
    }
    Ok(())
}

/// `v` as two-digit hex with `sep` between bytes, as a string (for log
/// lines, keys and generated text; rendering writes straight into its
/// writer with [`write_hex`]).
pub fn hex_string(v: &[u8], case: Case, sep: &str) -> alloc::string::String {
    let mut s = alloc::string::String::new();
    // Writing into a `String` cannot fail.
    let _ = write_hex(&mut s, v, case, sep);
    s
}

/// `v` as lower-case hex with no separator, the most common form (JSON,
/// ids, file hashes).
pub fn lower(v: &[u8]) -> alloc::string::String {
    hex_string(v, Case::Lower, "")
}

fn digits(out: &mut dyn Write, v: &[u8], case: Case) -> fmt::Result {
    match case {
        Case::Lower => write!(out, "{:x}", HexDisplay(v)),
        Case::Upper => write!(out, "{:X}", HexDisplay(v)),
    }
}
