//! Legacy TLS (the `legacy-tls` feature): TLS 1.0 to 1.2 with RSA key
//! exchange and RSA identities down to 1024 bits, through the system
//! OpenSSL at security level 0, for the phones that speak nothing newer
//! (7900 series: TLSv1 with AES256-SHA against a 1024-bit `TVS.pem`).
//!
//! rustls never speaks TLS 1.0 nor RSA key exchange, so both ends switch
//! to OpenSSL when legacy TLS is asked for. What happens after the
//! handshake is the same code as with rustls: the server's deadline,
//! limits, slots and log, the client's deadline and [`ServerTrust`] check.
//!
//! The legacy contexts still offer what modern peers prefer first (TLS 1.3,
//! then TLS 1.2 with ECDHE and AES-GCM, the server's order winning); RSA
//! key exchange (`AES256-SHA`, `AES128-SHA`) is chosen only by a peer that
//! offers nothing better; no suite without encryption, without
//! authentication, or with 3DES or RC4 is offered. Compression,
//! renegotiation, session tickets and the session cache are off.
//!
//! [`ServerTrust`]: super::ServerTrust

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::pin::Pin;
use core::time::Duration;

use openssl::error::ErrorStack;
use openssl::pkey::{Id, PKey};
use openssl::ssl::{
    HandshakeError, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslOptions,
    SslSessionCacheMode, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{NetError, Stage};

/// The line a legacy server writes on standard error when it starts.
pub const LEGACY_TLS_WARNING: &str = "tvs: warning: legacy TLS is on: TLS 1.0 to 1.2 with RSA key exchange (no forward secrecy) and RSA identities down to 1024 bits are accepted, for phones that speak nothing newer";

/// The smallest RSA identity a legacy server takes, in bits.
pub const MIN_LEGACY_KEY_BITS: u32 = 1024;

/// The cipher suites below TLS 1.3, strongest first; the last two are the
/// RSA key exchange suites of the old phones. Security level 0 lets
/// OpenSSL use TLS 1.0, SHA-1 MACs and 1024-bit keys.
const CIPHERS: &str = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:\
AES256-SHA:AES128-SHA:@SECLEVEL=0";

fn stack(e: &ErrorStack) -> NetError {
    NetError::LegacyTls(e.to_string())
}

/// The settings both ends share.
fn builder(method: SslMethod) -> Result<SslContextBuilder, NetError> {
    let mut b = SslContext::builder(method).map_err(|e| stack(&e))?;
    b.set_min_proto_version(Some(SslVersion::TLS1))
        .map_err(|e| stack(&e))?;
    b.set_max_proto_version(Some(SslVersion::TLS1_3))
        .map_err(|e| stack(&e))?;
    b.set_cipher_list(CIPHERS).map_err(|e| stack(&e))?;
    b.set_security_level(0);
    b.set_options(
        SslOptions::NO_COMPRESSION
            | SslOptions::NO_RENEGOTIATION
            | SslOptions::NO_TICKET
            | SslOptions::CIPHER_SERVER_PREFERENCE,
    );
    b.set_session_cache_mode(SslSessionCacheMode::OFF);
    // An idle connection gives its read and write buffers back.
    b.set_mode(SslMode::RELEASE_BUFFERS);
    Ok(b)
}

/// The server context of a legacy TVS server: the identity read as
/// [`server_config`](super::server_config) reads it (the private key and
/// certificate chain of a PEM file such as `TVS.pem`), an RSA key of at
/// least [`MIN_LEGACY_KEY_BITS`] that matches the first certificate.
pub(crate) fn server_context(identity_pem: &[u8]) -> Result<SslContext, NetError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(identity_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| NetError::Identity(alloc::format!("certificates: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(identity_pem)
        .map_err(|e| NetError::Identity(alloc::format!("private key: {e}")))?;
    let identity = |what: &str, e: ErrorStack| NetError::Identity(alloc::format!("{what}: {e}"));
    let key =
        PKey::private_key_from_der(key.secret_der()).map_err(|e| identity("private key", e))?;
    if key.id() != Id::RSA || key.bits() < MIN_LEGACY_KEY_BITS {
        return Err(NetError::Identity(alloc::format!(
            "a legacy TLS identity must be an RSA key of at least {MIN_LEGACY_KEY_BITS} bits; this one is a {}-bit {}",
            key.bits(),
            if key.id() == Id::RSA {
                "RSA key"
            } else {
                "non-RSA key"
            }
        )));
    }
    let mut certs = chain.iter();
    let leaf = certs
        .next()
        .ok_or_else(|| NetError::Identity("no CERTIFICATE block".into()))?;
    let mut b = builder(SslMethod::tls_server())?;
    let leaf = X509::from_der(leaf).map_err(|e| identity("certificate", e))?;
    b.set_certificate(&leaf)
        .map_err(|e| identity("certificate", e))?;
    for extra in certs {
        let extra = X509::from_der(extra).map_err(|e| identity("certificate", e))?;
        b.add_extra_chain_cert(extra)
            .map_err(|e| identity("certificate", e))?;
    }
    // OpenSSL checks the key against the certificate here (and again
    // below, should a version not).
    let mismatch = |e| identity("the private key does not match the first certificate", e);
    b.set_private_key(&key).map_err(mismatch)?;
    b.check_private_key().map_err(mismatch)?;
    Ok(b.build())
}

/// The client context of a legacy TVS client. Its verify callback accepts
/// any chain: the client checks the certificate the server proved it
/// holds against its [`ServerTrust`](super::ServerTrust) right after the
/// handshake, with the very function rustls's verifier calls, before it
/// sends anything.
pub(super) fn client_context() -> Result<SslContext, NetError> {
    let mut b = builder(SslMethod::tls_client())?;
    b.set_verify_callback(SslVerifyMode::PEER, |_, _| true);
    Ok(b.build())
}

/// An OpenSSL failure during an exchange: a timeout is the deadline, an
/// I/O failure is [`NetError::Io`], anything else a TLS failure.
pub(super) fn ssl_error(e: openssl::ssl::Error, deadline: Duration, stage: Stage) -> NetError {
    match e.into_io_error() {
        Ok(io) => NetError::from_io(io, deadline, stage),
        Err(e) => NetError::LegacyTls(describe(&e)),
    }
}

/// OpenSSL's error, or what its code means when the error queue is empty.
fn describe(e: &openssl::ssl::Error) -> String {
    let text = e.to_string();
    if text.is_empty() {
        alloc::format!("OpenSSL error code {}", e.code().as_raw())
    } else {
        text
    }
}

/// The server's TLS handshake on a tokio stream.
pub(crate) async fn accept<S>(
    context: &SslContext,
    tcp: S,
    deadline: Duration,
) -> Result<tokio_openssl::SslStream<S>, NetError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let ssl = Ssl::new(context).map_err(|e| stack(&e))?;
    let mut tls = tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| stack(&e))?;
    Pin::new(&mut tls)
        .accept()
        .await
        .map_err(|e| ssl_error(e, deadline, Stage::Handshake))?;
    Ok(tls)
}

/// The client's TLS handshake on a blocking stream whose reads and writes
/// end at the exchange's deadline.
pub(super) fn connect<S>(
    context: &SslContext,
    stream: S,
    deadline: Duration,
) -> Result<openssl::ssl::SslStream<S>, NetError>
where
    S: std::io::Read + std::io::Write,
{
    let ssl = Ssl::new(context).map_err(|e| stack(&e))?;
    ssl.connect(stream).map_err(|e| match e {
        HandshakeError::SetupFailure(e) => stack(&e),
        HandshakeError::Failure(mid) => ssl_error(mid.into_error(), deadline, Stage::Handshake),
        // A read or write gave up: the stream's deadline passed.
        HandshakeError::WouldBlock(_) => NetError::Deadline {
            deadline,
            stage: Stage::Handshake,
        },
    })
}
