//! # cisco-itl
//!
//! Cisco's phone trust lists — the ITL and CTL `.tlv` files — and the signed
//! `.sgn` files: zero-copy parsing, lossless writing, building and signing,
//! verification, the `show itl` text, and the decisions a Cisco IP phone
//! makes about them (including the TVS it asks and the ITL recovery reset).
//!
//! Every input is treated as hostile: malformed bytes end in a typed error
//! with a byte offset, never a panic; a file is accepted only through a
//! verified signature from a signer the rules allow, and every field that
//! names a key or a signer is checked against what it claims.
//!
//! The examples below read the repository's test vectors (paths relative to
//! the `itl-core/` folder).
//!
//! ## Read
//!
//! ```
//! use cisco_itl::{Function, TrustList};
//! let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
//! let list = TrustList::parse(&bytes)?; // zero-copy, no allocation
//! assert_eq!(list.len(), 6);
//! for record in list.records() {
//!     println!("{:10} {}", record.function(), record.subject());
//! }
//! assert!(list.records().any(|r| r.function() == Function::Tvs));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A file whose kind is not known beforehand goes through
//! [`file::File::parse`], which tells a trust list, a signed file and an
//! encrypted configuration apart by their content (a broken list's error is
//! the list's, with its offset); [`diff::diff`] compares two lists.
//!
//! ## Verify
//!
//! A list verifies against its own signing record ([`TrustList::verify`]),
//! against certificates the caller trusts ([`TrustList::verify_with`]), or
//! against an installed list ([`TrustList::verify_with_list`]); a record's
//! key is the one [`verify::record_key`] gives, which refuses a record
//! whose PUBLICKEY or names disagree with its certificate.
//!
//! ```
//! use cisco_itl::{TrustList, cert::CertInfo, verify::{Policy, TrustAnchor}};
//! let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
//! let list = TrustList::parse(&bytes)?;
//! assert_eq!(list.verify()?.signer_index, Some(0));
//! let pem = std::fs::read("tests/data/vectors/keys/callmanager-pub.pem")?;
//! let anchor = TrustAnchor::from_certificate(&CertInfo::from_pem(&pem)?)?;
//! list.verify_with(&[anchor], &Policy::default())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Build and sign
//!
//! ```
//! use cisco_itl::{build::TrustListBuilder, cert::CertInfo, key::Signer, Function, ListKind, TrustList};
//! let signer = Signer::from_pem(&std::fs::read("tests/data/vectors/keys/callmanager-pub.pem")?)?;
//! let tvs = CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/tvs-pub.pem")?)?;
//! let bytes = TrustListBuilder::new(ListKind::Itl)
//!     .timestamp(1_773_075_583)
//!     .record(signer.certificate().clone(), Function::Sast)
//!     .record(signer.certificate().clone(), Function::Tftp)
//!     .record(tvs, Function::Tvs) // written as CERTHASH, as CUCM does
//!     .sign(&signer)?;
//! assert!(TrustList::parse(&bytes)?.verify().is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The phone
//!
//! [`phone::Phone`] holds what a phone has installed and decides, rule by
//! rule, whether to accept a new list, a configuration, an HTTPS server or
//! a TVS server; a [`tvs`] server answers it through the wire codec.
//!
//! ```
//! use cisco_itl::phone::{ManualClock, Phone, Trust};
//! use cisco_itl::tvs::server::InMemoryTvs;
//! let itl = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
//! let mut phone = Phone::new("SEP0011215A1AE3");
//! let (mut tvs, clock) = (InMemoryTvs::unreachable(), ManualClock::new(0));
//! let trust = phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock)?;
//! assert_eq!(trust, Trust::FirstUse);
//! println!("{trust}"); // "accepted: trust on first use (…)"
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Recovery
//!
//! [`recovery::reset`] re-signs the current ITL with the `ITLRecovery.p12`
//! identity, as `utils itl reset` does, after checking that it verifies
//! against what the caller trusts (here the publisher's `CallManager.pem`).
//!
//! ```
//! use cisco_itl::{TrustList, cert::CertInfo, pkcs12::Identity};
//! use cisco_itl::recovery::{Trusted, reset};
//! let itl = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
//! let p12 = std::fs::read("tests/data/vectors/keys/ITLRecovery.p12")?;
//! let identity = Identity::from_pkcs12(&p12, "Cluster-Security-Pw1")?;
//! let mut trusted = Trusted::new();
//! trusted.add_certificate(&CertInfo::from_pem(&std::fs::read("tests/data/vectors/keys/callmanager-pub.pem")?)?)?;
//! let reset_itl = reset(&TrustList::parse(&itl)?, &identity, &trusted)?;
//! assert_eq!(reset_itl, std::fs::read("tests/data/vectors/cucm-ITLFile-reset.tlv")?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Errors
//!
//! Each job has its own error enum, kept with its layer ([`ParseError`]
//! with the element reader, [`WriteError`] with the writer, [`VerifyError`],
//! [`Rejection`]…, all re-exported here), and [`Error`] wraps them all so
//! that `?` works in a caller's `main`. [`Error::category`] classifies any
//! of them ([`Category`]): the C library's codes and the Python module's
//! exceptions are both one table from it.
//!
//! ## Features
//!
//! - `std` (default): the system clock, builder timestamps, blinding
//!   randomness for signing, `std::error::Error`, streaming `show` output to
//!   `std::io::Write`. Without it the crate is `#![no_std]` and needs
//!   `alloc`: parsing, writing, signing, verifying, rendering and the phone
//!   model all work.
//! - `aws-lc`: signatures are checked on AWS-LC (`aws-lc-rs`),
//!   the same crypto provider the TLS of TVS uses, within a few percent of
//!   OpenSSL. Without it (the default) they are checked on the pure-Rust
//!   RustCrypto `rsa` crate (the `no_std` path). Signing always uses `rsa` (deterministic,
//!   byte-identical to CUCM's files).
//! - `parallel`: `Verifier::threads` verifies batches on several
//!   cores (rayon).
//! - `tvs-net`: TVS over TLS (`tvs::net`, rustls on AWS-LC).
//! - `legacy-tls`: TVS over TLS 1.0 to 1.2 with RSA key exchange and
//!   1024-bit keys, as 7900-series phones need, on the system OpenSSL (no
//!   forward secrecy; `docs/TRUST.md` says when to turn it on).
//! - `tftp`: `tftp`, a TFTP client (RFC 1350 read requests) to collect
//!   the trust lists a cluster's TFTP servers serve, with a deadline.
//! - `sqlite`: `tvs::store::SqliteStore` and `capf::store::CapfStore`.
//! - `capf`: `capf::issue`, the LSCs a CAPF server issues.
//! - `capf-net`: the CAPF server and client over TLS (`capf::net`,
//!   `docs/CAPF.md`).
//! - `cluster`: `cluster`, the what-if simulator of a CUCM cluster and
//!   its phones, and the safe-order planner (`docs/WHATIF.md`).
//!
//! The default features are `std` alone: what parsing and verifying need.
//! On docs.rs every feature is documented, each gated item with the
//! features it needs.
//!
//! [`verifier::Verifier`] keeps the keys it has checked, for audits of many
//! lists from a few signers (see `docs/PERFORMANCE.md`).
#![cfg_attr(not(feature = "std"), no_std)]
// docs.rs (`--cfg docsrs`, see `[package.metadata.docs.rs]`): each item
// gated on a feature is shown with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

extern crate alloc;

// Before the modules that use it (TVS and CAPF).
#[macro_use]
mod wire_enum;

pub mod build;
pub mod capf;
pub mod cert;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod device_report;
pub mod diff;
pub mod digest;
pub mod encrypted;
pub mod error;
pub mod expiry;
pub mod file;
#[cfg(feature = "std")]
pub mod fs;
pub mod function;
pub mod header;
pub mod hex;
pub mod key;
mod parse_error;
pub mod pem;
pub mod phone;
pub mod pkcs12;
pub mod record;
pub mod recovery;
pub mod show;
pub mod sign;
pub mod signed_file;
pub mod tag;
#[cfg(feature = "tftp")]
pub mod tftp;
pub mod tlv;
pub mod trust_list;
pub mod tvs;
#[cfg(feature = "std")]
pub mod verifier;
pub mod verify;
pub mod write;

pub use build::BuildError;
pub use cert::CertError;
pub use device_report::ReportError;
pub use digest::{DigestAlgorithm, SignatureModulus};
pub use error::{Category, Error, ParseError, Region, WriteError};
pub use function::Function;
pub use header::Header;
pub use key::KeyError;
pub use phone::{Rejection, TvsAuthError};
pub use pkcs12::Pkcs12Error;
pub use record::Record;
pub use recovery::RecoveryError;
pub use sign::SignError;
pub use trust_list::{ListKind, TrustList};
pub use tvs::codec::{DeviceName, DeviceNameError, TvsError};
pub use verify::VerifyError;

/// The README's code, compiled and run as doc tests so that it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
