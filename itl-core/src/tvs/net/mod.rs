//! TVS over the network: TLS on TCP 2445, one verify request and one
//! answer per connection, for both ends.
//!
//! * [`TvsClient`] ([`client`]) is what a phone (or a tool) uses: it
//!   connects to up to three servers in order, authenticates each server's
//!   certificate the way a phone does (against the TVS records of its ITL
//!   or CTL, by issuer and serial then SHA-1 against CERTHASH, through a
//!   custom rustls verifier: no web PKI), sends one request and reads one
//!   answer. Each server attempt has one **deadline** covering name
//!   resolution, connection, handshake, request and answer: a server that
//!   trickles bytes cannot stretch it. It implements [`TrustVerifier`], so
//!   a phone (`cisco_itl::phone::Phone`) works against live servers.
//! * [`TvsNetServer`] ([`server`]) answers verify requests from a
//!   [`CertificateStore`]. It is event-driven (tokio, with tokio-rustls):
//!   an idle, half-open or trickling connection is a parked task that costs
//!   a few kilobytes, every connection has one deadline for the whole of
//!   it, addresses have a connection limit of their own, a panicking store
//!   or log costs one answer and never a slot, and shutdown returns within
//!   a bound whoever is connected.
//!
//! TLS runs on rustls with the AWS-LC provider, the same library that
//! checks the trust lists' signatures. AWS-LC signs only with RSA keys of
//! 2048 bits or more, so a server identity must be at least that large
//! (the client verifies whatever the provider's algorithms accept).
//!
//! With the `legacy-tls` feature, both ends can also speak TLS 1.0 to 1.2
//! with RSA key exchange and 1024-bit RSA identities, as 7900-series
//! phones need (`TvsNetServer::bind_legacy`, `TvsClient::new_legacy`):
//! the system OpenSSL at security level 0 runs those handshakes, and
//! everything after the handshake is the same code. It costs forward
//! secrecy and the protections TLS 1.2+ added; `docs/TRUST.md` says when
//! to turn it on.
//!
//! Firmware that runs its own sockets and TLS uses the codec directly
//! ([`crate::tvs::codec`]): bytes in, bytes out.
//!
//! [`TrustVerifier`]: crate::tvs::server::TrustVerifier
//! [`CertificateStore`]: crate::tvs::store::CertificateStore

use alloc::string::String;
use alloc::sync::Arc;
use core::time::Duration;

use rustls::crypto::CryptoProvider;

use crate::tvs::codec::TvsError;
use crate::tvs::store::StoreError;

pub mod client;
#[cfg(feature = "legacy-tls")]
pub(crate) mod legacy;
pub mod server;
pub(crate) mod service;

#[cfg(feature = "legacy-tls")]
pub use legacy::{LEGACY_TLS_WARNING, MIN_LEGACY_KEY_BITS};

pub use client::{ClientOptions, ServerTrust, TvsClient};
pub use server::{
    RequestLog, ServeStats, ServerOptions, ShutdownHandle, TvsNetServer, server_config,
};

/// What a network exchange was doing when its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Resolving the server's name.
    Resolving,
    /// Opening the TCP connection.
    Connecting,
    /// The TLS handshake.
    Handshake,
    /// Sending the request or the answer.
    Sending,
    /// Reading the request or the answer.
    Reading,
}

impl core::fmt::Display for Stage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Stage::Resolving => "resolving the server's name",
            Stage::Connecting => "connecting",
            Stage::Handshake => "in the TLS handshake",
            Stage::Sending => "sending",
            Stage::Reading => "reading",
        })
    }
}

/// Why a network exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The TLS identity (key and certificate PEM) is unusable.
    #[error("the TLS identity is unusable: {0}")]
    Identity(String),
    /// A socket failed.
    #[error("network error: {0}")]
    Io(#[from] std::io::Error),
    /// The exchange's deadline passed.
    #[error("the {} ms deadline passed while {stage}", deadline.as_millis())]
    Deadline {
        /// The deadline of the whole exchange.
        deadline: Duration,
        /// What the exchange was doing.
        stage: Stage,
    },
    /// TLS failed (handshake, certificate refused, alert).
    #[error("TLS error: {0}")]
    Tls(#[from] rustls::Error),
    /// A legacy TLS handshake (OpenSSL, with the `legacy-tls` feature)
    /// failed: OpenSSL's reason, e.g. no protocol version or cipher suite
    /// in common.
    #[error("TLS error: {0}")]
    LegacyTls(String),
    /// The peer sent bytes that are not a TVS message.
    #[error("TVS protocol error: {0}")]
    Protocol(#[from] TvsError),
    /// The answer is for another session.
    #[error("the answer is for session {found}, not {expected}")]
    WrongSession {
        /// The request's session id.
        expected: u32,
        /// The answer's.
        found: u32,
    },
    /// The certificate store failed.
    #[error("certificate store error: {0}")]
    Store(#[from] StoreError),
    /// A request's header announces more than a verify request holds.
    #[error(
        "the request announces {announced} bytes, more than the {limit} a verify request holds"
    )]
    RequestTooLarge {
        /// The payload length the header announces.
        announced: usize,
        /// The server's limit.
        limit: usize,
    },
    /// The certificate store panicked while answering (the connection is
    /// refused; the server goes on).
    #[error("the certificate store failed unexpectedly (it panicked)")]
    StorePanicked,
    /// No server address was given, or none resolved.
    #[error("no TVS server to ask")]
    NoServer,
    /// Every server failed; the last failure is kept.
    #[error("no TVS server answered; the last ({server}) said: {error}")]
    AllFailed {
        /// 1-based position of the last server tried.
        server: usize,
        /// Its failure.
        error: alloc::boxed::Box<NetError>,
    },
}

impl NetError {
    /// An I/O error, unwrapped to the TLS error it carries when TLS
    /// failed under it (rustls reports through `std::io::Error`), or to a
    /// [`NetError::Deadline`] when it is a timeout.
    pub(crate) fn from_io(e: std::io::Error, deadline: Duration, stage: Stage) -> NetError {
        use std::io::ErrorKind;
        if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) {
            return NetError::Deadline { deadline, stage };
        }
        let tls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned();
        match tls {
            Some(t) => NetError::Tls(t),
            None => NetError::Io(e),
        }
    }
}

/// The crypto provider of both ends: AWS-LC.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The length of the payload a TVS header announces (its bytes 8 and 9).
fn announced_len(header: &[u8]) -> usize {
    match header.get(8..10) {
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    }
}
