//! Cisco's Trust Verification Service (TVS, TCP 2445): the service a phone asks about certificates its trust lists do not hold.

pub mod auth;
pub mod codec;
pub mod device_name;
#[cfg(feature = "tvs-net")]
pub mod net;
pub mod server;
#[cfg(feature = "std")]
pub mod store;
