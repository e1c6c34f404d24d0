//! Prints a trust list the way CUCM's `show itl` / `show ctl` does.
//!
//! ```text
//! cargo run --release --example show_itl -- FILE
//! cargo run --release --example show_itl          # a built-in sample ITL
//! ```
//!
//! Exit status: 0 when the file parses and verifies, 1 when its signature
//! is not accepted, 2 when it does not parse (or cannot be read).

use std::process::ExitCode;

use cisco_itl::build::TrustListBuilder;
use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;
use cisco_itl::show::{Outcome, render};
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

fn main() -> ExitCode {
    let (data, kind) = match std::env::args_os().nth(1) {
        Some(path) => match std::fs::read(&path) {
            Ok(d) => {
                let kind = ListKind::from_filename(&path.to_string_lossy());
                (d, Some(kind))
            }
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.to_string_lossy());
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
    let rendered = render(&data, kind);
    print!("{}", rendered.text);
    match rendered.outcome {
        Outcome::Verified(_) => ExitCode::SUCCESS,
        Outcome::VerificationFailed(e) => {
            eprintln!("verification failed: {e}");
            ExitCode::from(1)
        }
        Outcome::ParseFailed(e) => {
            eprintln!("parse error: {e}");
            ExitCode::from(2)
        }
    }
}
