//! CAPF over the network (feature `capf-net`): TLS on TCP 3804.
//!
//! * [`CapfServer`] ([`server`]) runs the install, fetch and delete flows
//!   for the devices of a [`CapfStore`](crate::capf::store::CapfStore),
//!   issuing with an [`Issuer`](crate::capf::issue::Issuer). It shares the
//!   TVS server's machinery: a tokio runtime, one deadline for the whole of
//!   each connection, per-address and total connection limits with a slot
//!   guard given back on every path, store and issuer behind
//!   `catch_unwind`, bounded messages, one log line per connection.
//! * [`CapfClient`] ([`client`]) asks like a phone: it authenticates the
//!   server against the CAPF record of an ITL or CTL (or a pinned
//!   certificate) before it sends a byte, proves who it is (password,
//!   nothing, or a signature with an LSC or MIC), generates the key pair
//!   asked for and returns the certificate with its key, all within one
//!   deadline.

use alloc::string::String;

use crate::capf::codec::{CapfError, Command, Reason};
use crate::capf::issue::IssueError;
use crate::capf::store::CapfStoreError;
use crate::tvs::net::NetError;

pub mod client;
mod enrol;
mod proof;
pub mod server;

pub use client::{CapfClient, CapfTrust, ClientOptions, Enrolment, Proof};
pub use enrol::CapfAuthMode;
pub use proof::ProofKey;
#[cfg(feature = "legacy-tls")]
pub use server::LEGACY_TLS_WARNING;
pub use server::{CapfLog, CapfServer, ServeStats, ServerOptions, ShutdownHandle};

/// The largest message either end reads: a certificate or a public key
/// and a few small elements. A header announcing more is refused before
/// anything is allocated for it.
pub const MAX_MESSAGE_PAYLOAD: usize = 16 * 1024;

/// Why a CAPF exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CapfNetError {
    /// The network or TLS failed, or the deadline passed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The peer sent bytes that are not a CAPF message.
    #[error("CAPF protocol error: {0}")]
    Protocol(#[from] CapfError),
    /// The peer sent a message the flow did not expect here.
    #[error("a {found} came where the flow expected a {expected}")]
    OutOfOrder {
        /// What the flow expected.
        expected: Command,
        /// What came.
        found: Command,
    },
    /// A message of another session.
    #[error("the message is for session {found}, not {expected}")]
    WrongSession {
        /// This session's id.
        expected: u32,
        /// The message's.
        found: u32,
    },
    /// A header announces more than a CAPF message holds.
    #[error("the message announces {announced} bytes, more than the {limit} a CAPF message holds")]
    MessageTooLarge {
        /// The payload length announced.
        announced: usize,
        /// The limit.
        limit: usize,
    },
    /// The device store failed.
    #[error("device store error: {0}")]
    Store(#[from] CapfStoreError),
    /// The certificate could not be issued.
    #[error("the certificate was not issued: {0}")]
    Issue(#[from] IssueError),
    /// The store or the issuer panicked (the session ends; the server
    /// goes on).
    #[error("the device store or the issuer failed unexpectedly (it panicked)")]
    Panicked,
    /// The server is not the CAPF the trust lists (or the pinned
    /// certificate) name.
    #[error("the server is not the CAPF that the trust lists or the pinned certificate name")]
    ServerNotTrusted,
    /// The server ended the session with this reason, without the
    /// certificate asked for (a refusal: wrong password, unknown device,
    /// nothing to do).
    #[error("the server ended the session: {reason}")]
    Refused {
        /// The reason it gave.
        reason: Reason,
    },
    /// The phone refused a step (its answer's reason was not ok).
    #[error("the phone refused the step: {reason}")]
    PhoneRefused {
        /// The reason it gave.
        reason: Reason,
    },
    /// The server handed over a certificate for another key than the one
    /// the client generated.
    #[error("the server's certificate is not for the key generated for it")]
    NotOurKey,
    /// The phone's proof of identity is not accepted.
    #[error("the device's proof of identity is refused: {0}")]
    BadProof(&'static str),
    /// A key could not be generated, read or used.
    #[error("key error: {0}")]
    Key(String),
    /// A phone with no trust list installed has no CAPF record to
    /// authenticate a server with, and asks nobody.
    #[error("the phone has no ITL or CTL installed to authenticate a CAPF server with")]
    NoTrustList,
    /// The phone's `capfAuthMode` asks for a certificate (LSC or MIC) it
    /// does not hold.
    #[error("the phone holds no certificate (LSC or MIC) to prove itself with")]
    NoCertificate,
    /// The certificate the server gave is not one the phone can keep as
    /// its LSC (its LSC is left as it was).
    #[error("the phone cannot keep the certificate as its LSC: {0}")]
    LscUnusable(String),
}
