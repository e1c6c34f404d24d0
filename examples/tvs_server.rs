//! A TVS server over TLS.
//!
//! ```text
//! cargo run --features tvs-net,sqlite --example tvs_server -- --port P --identity TVS.pem \
//!     --trust CERT.pem:ROLES:TTL [--trust …] [--db FILE] [--bind ADDR] [--legacy-tls]
//! ```
//!
//! ROLES is a comma list of `SAST,CCM,CCM+TFTP,TFTP,CAPF,APP-SERVER,TVS`;
//! TTL is in seconds. `--identity` is a PEM holding the server's private
//! key and certificate (RSA, at least 2048 bits). With `--db FILE` the
//! certificates live in an SQLite database (kept across restarts; the
//! `--trust` entries are added to it), otherwise in memory. The server
//! listens on 127.0.0.1 unless `--bind` says otherwise, logs one line per
//! request on standard error, and runs until it is killed.
//!
//! With no arguments it serves built-in sample certificates (the lab
//! cluster's CallManager, before and after regeneration, as CCM+TFTP) on
//! 127.0.0.1:2445 with a built-in identity, and says so.
//!
//! `--legacy-tls` (built with `--features legacy-tls`) also speaks TLS 1.0
//! to 1.2 with RSA key exchange (`AES256-SHA`, `AES128-SHA`) and takes a
//! 1024-bit identity, as 7900-series phones need; the server then writes
//! one warning line when it starts. It costs forward secrecy: see
//! `docs/TRUST.md`. Built without the feature, the flag is refused (exit 2).
//!
//! Exit codes: 2 when the arguments, the identity, the database or the
//! port are unusable.

use std::process::ExitCode;
use std::sync::Arc;

use cisco_itl::Function;
use cisco_itl::cert::CertInfo;
use cisco_itl::tvs::net::{ServerOptions, TvsNetServer};
use cisco_itl::tvs::store::{CertificateStore, MemoryStore, SqliteStore};

const SAMPLE_IDENTITY: &[u8] = include_bytes!("data/sample-tvs-2048.pem");
const SAMPLE_TRUST: [&[u8]; 2] = [
    include_bytes!("data/sample-signer.pem"),
    include_bytes!("data/callmanager-regenerated.pem"),
];

/// Parses `SAST,CCM+TFTP,…`.
fn roles(list: &str) -> Result<Vec<Function>, String> {
    list.split(',')
        .map(|r| {
            let f = match r.trim() {
                "SAST" => Function::Sast,
                "CCM" => Function::Ccm,
                "CCM+TFTP" => Function::CcmTftp,
                "TFTP" => Function::Tftp,
                "CAPF" => Function::Capf,
                "APP-SERVER" => Function::AppServer,
                "TVS" => Function::Tvs,
                other => return Err(format!("unknown role {other:?}")),
            };
            Ok(f)
        })
        .collect()
}

/// Parses `CERT.pem:ROLES:TTL` (the path may itself hold colons).
fn trust(arg: &str) -> Result<(Vec<u8>, Vec<Function>, u32), String> {
    let mut parts = arg.rsplitn(3, ':');
    let (ttl, list, path) = match (parts.next(), parts.next(), parts.next()) {
        (Some(t), Some(r), Some(p)) => (t, r, p),
        _ => return Err(format!("--trust {arg}: expected CERT.pem:ROLES:TTL")),
    };
    let ttl: u32 = ttl
        .parse()
        .map_err(|_| format!("--trust {arg}: the TTL {ttl:?} is not a number of seconds"))?;
    let pem = cisco_itl::fs::read_bounded(path, cisco_itl::fs::MAX_KEY_FILE_BYTES)
        .map_err(|e| format!("{path}: {e}"))?;
    let cert = CertInfo::from_pem_or_der(&pem).map_err(|e| format!("{path}: {e}"))?;
    Ok((cert.der().to_vec(), roles(list)?, ttl))
}

/// A server that speaks legacy TLS too.
#[cfg(feature = "legacy-tls")]
fn bind_legacy(
    address: (&str, u16),
    identity: &[u8],
    store: Arc<dyn CertificateStore>,
) -> Result<TvsNetServer, String> {
    TvsNetServer::bind_legacy(address, identity, store, ServerOptions::default())
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "legacy-tls"))]
fn bind_legacy(
    _: (&str, u16),
    _: &[u8],
    _: Arc<dyn CertificateStore>,
) -> Result<TvsNetServer, String> {
    Err("--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut port = 2445u16;
    let mut bind = String::from("127.0.0.1");
    let mut identity: Option<Vec<u8>> = None;
    let mut trusted = Vec::new();
    let mut db: Option<String> = None;
    let mut legacy = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port {v}: not a port"))?;
            }
            "--bind" => bind = value()?,
            "--identity" => {
                let path = value()?;
                identity = Some(
                    cisco_itl::fs::read_bounded(&path, cisco_itl::fs::MAX_KEY_FILE_BYTES)
                        .map_err(|e| format!("{path}: {e}"))?,
                );
            }
            "--trust" => trusted.push(trust(&value()?)?),
            "--db" => db = Some(value()?),
            "--legacy-tls" => legacy = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let sample = args.is_empty();
    // Refused before anything is opened when the feature is missing.
    if legacy && !cfg!(feature = "legacy-tls") {
        return Err(
            "--legacy-tls: built without legacy-tls; rebuild with --features legacy-tls".into(),
        );
    }
    if sample {
        for pem in SAMPLE_TRUST {
            let cert = CertInfo::from_pem(pem).map_err(|e| e.to_string())?;
            trusted.push((cert.der().to_vec(), vec![Function::CcmTftp], 86_400));
        }
    }
    let identity = match (identity, sample) {
        (Some(i), _) => i,
        (None, true) => SAMPLE_IDENTITY.to_vec(),
        (None, false) => return Err("--identity TVS.pem is required".into()),
    };
    let store: Arc<dyn CertificateStore> = match &db {
        Some(path) => Arc::new(SqliteStore::open(path).map_err(|e| format!("{path}: {e}"))?),
        None => Arc::new(MemoryStore::new()),
    };
    for (der, roles, ttl) in &trusted {
        store.add(der, roles, *ttl).map_err(|e| e.to_string())?;
    }
    let server = if legacy {
        bind_legacy((bind.as_str(), port), &identity, Arc::clone(&store))
    } else {
        TvsNetServer::bind(
            (bind.as_str(), port),
            &identity,
            Arc::clone(&store),
            ServerOptions::default(),
        )
        .map_err(|e| e.to_string())
    }
    .map_err(|e| format!("{bind}:{port}: {e}"))?;
    let addr = server.local_addr().map_err(|e| e.to_string())?;
    let listing = store.list().map_err(|e| e.to_string())?;
    for bad in &listing.problems {
        eprintln!("tvs_server: skipping a bad entry of the database: {bad}");
    }
    let count = listing.entries.len();
    if sample {
        eprintln!(
            "tvs_server: no arguments, so serving the built-in sample certificates ({count}) with a built-in identity on {addr}"
        );
    } else {
        eprintln!("tvs_server: serving {count} certificates on {addr}");
    }
    server.serve().map_err(|e| e.to_string())?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tvs_server: {e}");
            ExitCode::from(2)
        }
    }
}
