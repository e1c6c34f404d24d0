//! Asks a CAPF server for an LSC the way a phone does, over TLS.
//!
//! ```text
//! cargo run --features capf-net --example capf_client -- --host H --port P \
//!     (--capf-cert CAPF.pem | --itl ITLFile.tlv) \
//!     [--password PIN | --lsc CERT.pem --key KEY.pem] --out LSC.pem SEP<MAC> \
//!     [--legacy-tls]
//! ```
//!
//! `--capf-cert` pins the server's certificate; `--itl` authenticates the
//! server the way a phone does, through the CAPF record of its ITL. The
//! phone proves who it is by `--password`, by a signature with an
//! existing LSC (`--lsc` and its RSA `--key`), or not at all. On an
//! installation the certificate and its new private key are written to
//! `--out` (PEM, certificate first), and `installed` is printed; a fetch
//! writes the certificate alone. Exit codes: 0 done, 1 refused by the
//! server (wrong password, unknown device, nothing to do), 2 on
//! connection, TLS or protocol errors and unusable arguments.
//!
//! `--legacy-tls` (built with `--features legacy-tls`) also speaks TLS 1.0
//! to 1.2 with RSA key exchange, to reach a CAPF with a 1024-bit identity;
//! built without the feature, the flag is refused (exit 2).

use std::process::ExitCode;

use cisco_itl::capf::codec::CertType;
use cisco_itl::capf::net::client::enrolment_pem;
use cisco_itl::capf::net::{CapfClient, CapfNetError, CapfTrust, Enrolment, Proof, ProofKey};
use cisco_itl::cert::CertInfo;

enum Failure {
    Refused(String),
    Error(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Error(e)
    }
}

/// A client that speaks legacy TLS too.
#[cfg(feature = "legacy-tls")]
fn new_legacy(address: &str, trust: CapfTrust) -> Result<CapfClient, String> {
    CapfClient::new_legacy(address, trust).map_err(|e| e.to_string())
}

#[cfg(not(feature = "legacy-tls"))]
fn new_legacy(_: &str, _: CapfTrust) -> Result<CapfClient, String> {
    Err("--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into())
}

fn run() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut host, mut port) = (String::from("127.0.0.1"), 3804u16);
    let (mut trust, mut password, mut lsc, mut key, mut out, mut device) =
        (None, None, None, None, None, None);
    let mut legacy = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        let read = |path: &str| std::fs::read(path).map_err(|e| format!("{path}: {e}"));
        match arg.as_str() {
            "--host" => host = value()?,
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port {v}: not a port"))?;
            }
            "--capf-cert" => {
                let path = value()?;
                let cert = CertInfo::from_pem(&read(&path)?).map_err(|e| format!("{path}: {e}"))?;
                trust = Some(CapfTrust::Certificate(cert.der().to_vec()));
            }
            "--itl" => trust = Some(CapfTrust::Lists(vec![read(&value()?)?])),
            "--password" => password = Some(value()?),
            "--lsc" => lsc = Some(read(&value()?)?),
            "--key" => key = Some(read(&value()?)?),
            "--out" => out = Some(value()?),
            "--legacy-tls" => legacy = true,
            name if !name.starts_with("--") && device.is_none() => device = Some(name.to_string()),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let trust = trust.ok_or("--capf-cert or --itl is required".to_string())?;
    let out = out.ok_or("--out is required".to_string())?;
    let device = device.ok_or("the device name (SEP<MAC>) is required".to_string())?;
    let proof = match (password, lsc, key) {
        (Some(pin), None, None) => Proof::Password(pin),
        (None, Some(cert), Some(key)) => {
            let cert = CertInfo::from_pem(&cert).map_err(|e| format!("--lsc: {e}"))?;
            let key = ProofKey::from_pem(&key)
                .ok_or("--key: not an RSA or EC (P-256, P-384, P-521) private key".to_string())?;
            Proof::Certificate {
                cert_type: CertType::Lsc,
                der: cert.der().to_vec(),
                key,
                sha2: true,
            }
        }
        (None, None, None) => Proof::None,
        _ => {
            return Err("give --password, or --lsc with --key, or neither"
                .to_string()
                .into());
        }
    };
    let address = format!("{host}:{port}");
    let client = if legacy {
        new_legacy(&address, trust)?
    } else {
        CapfClient::new(&address, trust).map_err(|e| e.to_string())?
    };
    let outcome = match client.enrol(&device, &proof) {
        Ok(o) => o,
        Err(CapfNetError::Refused { reason }) => {
            return Err(Failure::Refused(format!("the server refused: {reason}")));
        }
        Err(e) => return Err(e.to_string().into()),
    };
    let (text, said) = match outcome {
        Enrolment::Installed { certificate, key } => (
            enrolment_pem(&certificate, &key).map_err(|e| e.to_string())?,
            "installed",
        ),
        Enrolment::Fetched { certificate } => (
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &certificate)
                .map_err(|e| e.to_string())?,
            "fetched",
        ),
        Enrolment::Deleted => {
            println!("deleted");
            return Ok(());
        }
        Enrolment::NothingToDo => {
            return Err(Failure::Refused(
                "the server has nothing to do for this device".into(),
            ));
        }
    };
    write_private(&out, text.as_bytes()).map_err(|e| format!("{out}: {e}"))?;
    println!("{said}");
    Ok(())
}

/// Writes `bytes` to `path`, readable by its owner only (it holds a key).
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(e)) => {
            eprintln!("capf_client: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Error(e)) => {
            eprintln!("capf_client: {e}");
            ExitCode::from(2)
        }
    }
}
