//! Reading PEM and DER inputs: a PEM file may hold several blocks (the
//! vectors' files hold a private key and then a certificate).

use alloc::string::String;
use alloc::vec::Vec;

/// One decoded PEM block: its label (`CERTIFICATE`, `RSA PRIVATE KEY`…)
/// and its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes.
    pub label: String,
    /// The decoded bytes.
    pub der: Vec<u8>,
}

/// Whether `input` looks like PEM text rather than DER.
pub fn is_pem(input: &[u8]) -> bool {
    find(input, b"-----BEGIN ").is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes every PEM block of `input`, in order. Text outside the blocks is
/// ignored; a block that does not decode is an error.
///
/// ```
/// let text = std::fs::read("tests/data/vectors/keys/capf.pem").unwrap();
/// let blocks = cisco_itl::pem::blocks(&text).unwrap();
/// assert_eq!(blocks[0].label, "RSA PRIVATE KEY");
/// assert_eq!(blocks[1].label, "CERTIFICATE");
/// ```
pub fn blocks(input: &[u8]) -> Result<Vec<PemBlock>, pem_rfc7468::Error> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let from = rest.get(start..).unwrap_or(&[]);
        // The block ends after the dashes closing the END line.
        let end_line =
            find(from, b"-----END ").ok_or(pem_rfc7468::Error::PostEncapsulationBoundary)?;
        let after_end = from.get(end_line + 9..).unwrap_or(&[]);
        let close =
            find(after_end, b"-----").ok_or(pem_rfc7468::Error::PostEncapsulationBoundary)?;
        let block_len = end_line + 9 + close + 5;
        let block = from.get(..block_len).unwrap_or(from);
        let (label, der) = pem_rfc7468::decode_vec(block)?;
        out.push(PemBlock {
            label: label.into(),
            der,
        });
        rest = from.get(block_len..).unwrap_or(&[]);
    }
    Ok(out)
}
