//! The Certificate Authority Proxy Function (CAPF, TCP 3804): the service
//! that issues phones their locally significant certificate (LSC).
//!
//! * [`codec`]: the wire protocol, bytes in and bytes out (no features).
//! * `store`: the devices, their pending operations and the issued
//!   certificates in SQLite (feature `sqlite`).
//! * `issue`: the LSC itself, built and signed (feature `capf`).
//! * `net`: the server and a client that asks like a phone, over TLS
//!   (feature `capf-net`).
//!
//! `docs/CAPF.md` describes the flows.

pub mod codec;
#[cfg(feature = "capf")]
pub mod issue;
#[cfg(feature = "capf-net")]
pub mod net;
#[cfg(feature = "sqlite")]
pub mod store;
