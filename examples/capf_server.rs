//! A CAPF server over TLS that issues LSCs to the devices scheduled in its
//! SQLite store.
//!
//! ```text
//! cargo run --features capf-net --example capf_server -- --port P \
//!     --identity CAPF.pem [--issuer CA.pem] --db FILE [--days N] [--deadline SECONDS] \
//!     [--install SEP<MAC> [--password PIN | --lsc | --mic] [--key-size BITS | --curve P-256] ...] \
//!     [--trust CERT.pem ...] [--legacy-tls]
//! ```
//!
//! `--identity` is the TLS identity (key and certificate PEM; at least
//! 2048 bits, AWS-LC signs with nothing smaller); LSCs are signed by
//! `--issuer` when given, by the identity otherwise, for `--days` days
//! (365 by default, 1 to 3560). `--deadline` bounds each connection (30
//! seconds by default; the phone generates its key within it). Each
//! `--install` schedules an
//! installation for a device, authenticated by the `--password` that
//! follows it, or by a signature with its LSC (`--lsc`) or MIC (`--mic`)
//! (none without), for an RSA key of `--key-size` bits (2048
//! by default) or an EC key on `--curve` (P-256, P-384, P-521). An LSC or
//! MIC proves the device when it is a `--trust` certificate or is signed
//! by one (the issuer's own certificate is always trusted). Prints
//! `serving on ADDRESS` on standard error, then one line per session.
//! `--legacy-tls` (built with `--features legacy-tls`) also speaks TLS 1.0
//! to 1.2 with RSA key exchange and 1024-bit identities, as 7900-series
//! phones need (no forward secrecy; a warning says so); built without the
//! feature, the flag is refused (exit 2). Exit 2 on unusable arguments or
//! files.

use std::process::ExitCode;
use std::sync::Arc;

use cisco_itl::capf::codec::{Curve, KeyRequest};
use cisco_itl::capf::issue::{DEFAULT_DAYS, Issuer};
use cisco_itl::capf::net::{CapfServer, ServerOptions};
use cisco_itl::capf::store::{AuthMode, CapfStore, Device};
use cisco_itl::cert::CertInfo;
use cisco_itl::key::Signer;

type Bind = Result<CapfServer, String>;

/// A server that speaks legacy TLS too.
#[cfg(feature = "legacy-tls")]
fn bind_legacy(
    a: (&str, u16),
    id: &[u8],
    s: Arc<CapfStore>,
    i: Arc<Issuer>,
    o: ServerOptions,
) -> Bind {
    CapfServer::bind_legacy(a, id, s, i, o).map_err(|e| e.to_string())
}

#[cfg(not(feature = "legacy-tls"))]
fn bind_legacy(
    _: (&str, u16),
    _: &[u8],
    _: Arc<CapfStore>,
    _: Arc<Issuer>,
    _: ServerOptions,
) -> Bind {
    Err("--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut port = 3804u16;
    let (mut identity, mut issuer, mut db) = (None, None, None);
    let mut days = DEFAULT_DAYS;
    let mut devices: Vec<Device> = Vec::new();
    let mut trusted: Vec<String> = Vec::new();
    let mut deadline = None;
    let mut legacy = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port {v}: not a port"))?;
            }
            "--identity" => identity = Some(value()?),
            "--issuer" => issuer = Some(value()?),
            "--db" => db = Some(value()?),
            "--days" => {
                let v = value()?;
                days = v
                    .parse()
                    .map_err(|_| format!("--days {v}: not a number of days"))?;
            }
            "--deadline" => {
                let v = value()?;
                let seconds: u64 = v
                    .parse()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .ok_or_else(|| format!("--deadline {v}: not 1 to 3600 seconds"))?;
                deadline = Some(std::time::Duration::from_secs(seconds));
            }
            "--install" => {
                let name = value()?;
                let device = Device::install(&name, AuthMode::None, KeyRequest::Rsa(2048))
                    .map_err(|e| format!("--install {name}: {e}"))?;
                devices.push(device);
            }
            "--lsc" | "--mic" => {
                let device = devices
                    .last_mut()
                    .ok_or_else(|| format!("{arg} must follow an --install"))?;
                device.auth = if arg == "--lsc" {
                    AuthMode::Lsc
                } else {
                    AuthMode::Mic
                };
            }
            "--trust" => trusted.push(value()?),
            "--password" | "--key-size" | "--curve" => {
                let v = value()?;
                let device = devices
                    .last_mut()
                    .ok_or_else(|| format!("{arg} must follow an --install"))?;
                match arg.as_str() {
                    "--password" => device.auth = AuthMode::Password(v),
                    "--key-size" => {
                        let bits = v
                            .parse()
                            .map_err(|_| format!("--key-size {v}: not a number of bits"))?;
                        device.key = KeyRequest::Rsa(bits);
                    }
                    _ => {
                        let curve = match v.as_str() {
                            "P-256" => Curve::P256,
                            "P-384" => Curve::P384,
                            "P-521" => Curve::P521,
                            _ => return Err(format!("--curve {v}: not P-256, P-384 or P-521")),
                        };
                        device.key = KeyRequest::Ec(curve);
                    }
                }
            }
            "--legacy-tls" => legacy = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if legacy && !cfg!(feature = "legacy-tls") {
        return Err(
            "--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into(),
        );
    }
    let identity = identity.ok_or("--identity is required")?;
    let db = db.ok_or("--db is required")?;
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    let identity_pem = read(&identity)?;
    let issuer_pem = match &issuer {
        Some(path) => read(path)?,
        None => identity_pem.clone(),
    };
    let signer = Signer::from_pem(&issuer_pem).map_err(|e| format!("the issuer: {e}"))?;
    let issuer = Issuer::new(signer, days).map_err(|e| e.to_string())?;
    let store = CapfStore::open(&db).map_err(|e| format!("{db}: {e}"))?;
    for device in &devices {
        store
            .schedule(device)
            .map_err(|e| format!("{}: {e}", device.name))?;
    }
    let (store, issuer) = (Arc::new(store), Arc::new(issuer));
    let mut options = ServerOptions::default();
    if let Some(deadline) = deadline {
        options.deadline = deadline;
    }
    for path in &trusted {
        let cert = CertInfo::from_pem_or_der(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
        options.trusted.push(cert.der().to_vec());
    }
    let address = ("0.0.0.0", port);
    let server = if legacy {
        bind_legacy(address, &identity_pem, store, issuer, options)?
    } else {
        CapfServer::bind(address, &identity_pem, store, issuer, options)
            .map_err(|e| e.to_string())?
    };
    let address = server.local_addr().map_err(|e| e.to_string())?;
    eprintln!("capf_server: serving on {address}");
    server.serve().map_err(|e| e.to_string())?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("capf_server: {e}");
            ExitCode::from(2)
        }
    }
}
