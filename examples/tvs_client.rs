//! Asks a TVS server about a certificate, over TLS.
//!
//! ```text
//! cargo run --features tvs-net --example tvs_client -- --host H --port P --tvs-cert TVS.pem \
//!     --device CP-7965-SEP0011215A1AE3 CERT.pem
//! cargo run --features tvs-net --example tvs_client -- --host H --port P --itl ITLFile.tlv \
//!     --device CP-7965-SEP0011215A1AE3 CERT.pem [--legacy-tls]
//! ```
//!
//! `--tvs-cert` pins the server's certificate; `--itl` authenticates the
//! server the way a phone does, through the TVS records of its ITL. Prints
//! `status: valid` or `status: invalid`, then `roles: …` and `ttl: N` when
//! valid. Exit codes: 0 valid, 1 invalid, 2 on connection, TLS or protocol
//! errors (with the reason) and unusable arguments.
//!
//! `--legacy-tls` (built with `--features legacy-tls`) also speaks TLS 1.0
//! to 1.2 with RSA key exchange, to ask a server that speaks only what
//! 7900-series phones speak; the server is authenticated the same way.
//! Built without the feature, the flag is refused (exit 2).

use std::process::ExitCode;

use cisco_itl::cert::CertInfo;
use cisco_itl::tvs::codec::VerifyRequest;
use cisco_itl::tvs::net::{ServerTrust, TvsClient};

/// A client that speaks legacy TLS too.
#[cfg(feature = "legacy-tls")]
fn new_legacy(address: &str, trust: ServerTrust) -> Result<TvsClient, String> {
    TvsClient::new_legacy(&[address], trust).map_err(|e| e.to_string())
}

#[cfg(not(feature = "legacy-tls"))]
fn new_legacy(_: &str, _: ServerTrust) -> Result<TvsClient, String> {
    Err("--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into())
}

fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut host, mut port) = (String::from("127.0.0.1"), 2445u16);
    let mut trust = None;
    let mut device = String::from("CP-7965-SEP0011215A1AE3");
    let mut certificate = None;
    let mut legacy = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        let read = |path: &str| {
            cisco_itl::fs::read_bounded(path, cisco_itl::fs::MAX_LIST_BYTES)
                .map_err(|e| format!("{path}: {e}"))
        };
        match arg.as_str() {
            "--host" => host = value()?,
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port {v}: not a port"))?;
            }
            "--tvs-cert" => {
                let path = value()?;
                let cert =
                    CertInfo::from_pem_or_der(&read(&path)?).map_err(|e| format!("{path}: {e}"))?;
                trust = Some(ServerTrust::Certificate(cert.der().to_vec()));
            }
            "--itl" => trust = Some(ServerTrust::Lists(vec![read(&value()?)?])),
            "--device" => device = value()?,
            "--legacy-tls" => legacy = true,
            path if !path.starts_with("--") && certificate.is_none() => {
                let cert =
                    CertInfo::from_pem_or_der(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
                certificate = Some(cert.der().to_vec());
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let trust = trust.ok_or("--tvs-cert TVS.pem or --itl ITLFile.tlv is required")?;
    let certificate = certificate.ok_or("the certificate to ask about (CERT.pem) is required")?;
    let device_name = device
        .parse()
        .map_err(|e| format!("--device {device}: {e}"))?;
    let address = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut client = if legacy {
        new_legacy(&address, trust)?
    } else {
        TvsClient::new(&[&address], trust).map_err(|e| e.to_string())?
    };
    let request = VerifyRequest::new(std::process::id(), device_name, certificate);
    let (_, answer) = client.verify(&request).map_err(|e| e.to_string())?;
    match (answer.roles(), answer.ttl_seconds()) {
        (Some(roles), Some(ttl_seconds)) => {
            let names: Vec<String> = roles.map(|r| r.to_string()).collect();
            println!("status: valid");
            println!("roles: {}", names.join(","));
            println!("ttl: {ttl_seconds}");
            Ok(true)
        }
        _ => {
            println!("status: invalid");
            Ok(false)
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("tvs_client: {e}");
            ExitCode::from(2)
        }
    }
}
