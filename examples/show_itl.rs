//! Prints a trust list the way CUCM's `show itl` / `show ctl` does, or
//! the header of a signed file (`.sgn`).
//!
//! ```text
//! cargo run --release --example show_itl -- FILE
//! cargo run --release --example show_itl          # a built-in sample ITL
//! ```
//!
//! The text is streamed to standard output as it is produced
//! (`cisco_itl::show::render_io`), so a list of any size takes constant
//! memory beyond the file itself.
//!
//! A file that is not a trust list but whose header parses (and whose
//! FILENAME does not end in `.tlv`) is shown as a signed file: its
//! checksums, its header in the same style, and its payload's length
//! (`cisco_itl::show::render_signed_file_io`). Its signature is not
//! checked: that needs the signer's certificate, from the ITL or CTL that
//! names the signer.
//!
//! Exit status: 0 when a trust list parses and verifies; 1 when its
//! signature is not accepted, or when the file is a signed file (`.sgn`:
//! parsed, not verified); 2 when it does not parse, cannot be read, or the
//! output cannot be written.

use std::io::Write;
use std::process::ExitCode;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::show::{Outcome, SignedOutcome, is_signed_file, render_io, render_signed_file_io};
use cisco_itl::{Function, ListKind};

/// The test identities shipped with the example (the same as the
/// project's vectors): a CallManager key and certificate and a TVS one.
const SIGNER_PEM: &[u8] = include_bytes!("data/sample-signer.pem");
const TVS_PEM: &[u8] = include_bytes!("data/sample-tvs.pem");

/// Builds and signs a small ITL as a CUCM publisher would: its
/// CallManager certificate as SAST and TFTP, and its TVS (hashed).
fn sample() -> Result<Vec<u8>, String> {
    let signer = Signer::from_pem(SIGNER_PEM).map_err(|e| e.to_string())?;
    let tvs = CertInfo::from_pem(TVS_PEM).map_err(|e| e.to_string())?;
    let cm = signer.certificate().clone();
    TrustListBuilder::new(ListKind::Itl)
        .timestamp(1_773_075_583)
        .record(cm.clone(), Function::Sast)
        .record(cm, Function::Tftp)
        .record(tvs, Function::Tvs)
        .sign(&signer)
        .map_err(|e| e.to_string())
}

/// What was shown, for the exit status.
enum Shown {
    List(Outcome),
    Signed(SignedOutcome),
}

/// Streams the rendering of `data` to `out` and flushes it.
fn show(out: &mut impl Write, data: &[u8], kind: Option<ListKind>) -> std::io::Result<Shown> {
    let shown = if is_signed_file(data) {
        Shown::Signed(render_signed_file_io(out, data)?)
    } else {
        Shown::List(render_io(out, data, kind)?)
    };
    out.flush()?;
    Ok(shown)
}

fn main() -> ExitCode {
    let (data, kind) = match std::env::args_os().nth(1) {
        // A regular file of at most 1 MiB (what a phone accepts): a FIFO,
        // /dev/zero or a folder is refused at once.
        Some(path) => match cisco_itl::fs::read_bounded(&path, cisco_itl::fs::MAX_LIST_BYTES) {
            Ok(d) => {
                let kind = ListKind::from_filename(&path.to_string_lossy());
                (d, Some(kind))
            }
            Err(e) => {
                // With the system's error number, as the C show_itl prints it.
                match &e {
                    cisco_itl::fs::FileError::Io {
                        errno: Some(n),
                        message,
                        path,
                        ..
                    } => eprintln!("cannot read {}: {message} (os error {n})", path.display()),
                    _ => eprintln!("cannot read {e}"),
                }
                return ExitCode::from(2);
            }
        },
        None => match sample() {
            Ok(d) => {
                eprintln!("(no file given: showing a sample ITL built and signed by cisco-itl)");
                (d, Some(ListKind::Itl))
            }
            Err(e) => {
                eprintln!("cannot build the sample: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let shown = show(&mut out, &data, kind);
    drop(out);
    match shown {
        Ok(Shown::List(Outcome::Verified(_))) => ExitCode::SUCCESS,
        Ok(Shown::List(Outcome::VerificationFailed(e))) => {
            eprintln!("verification failed: {e}");
            ExitCode::from(1)
        }
        Ok(Shown::List(Outcome::ParseFailed(e))) => {
            eprintln!("parse error: {e}");
            ExitCode::from(2)
        }
        Ok(Shown::Signed(SignedOutcome::NotVerified)) => {
            eprintln!("signed file: parsed, signature not verified (no signer certificate given)");
            ExitCode::from(1)
        }
        Ok(Shown::Signed(SignedOutcome::ParseFailed(e))) => {
            eprintln!("parse error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("cannot write the output: {e}");
            ExitCode::from(2)
        }
    }
}
