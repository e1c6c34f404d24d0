//! # itl-core
//!
//! Cisco's phone trust lists — the ITL and CTL `.tlv` files — and the signed
//! `.sgn` files: zero-copy parsing, lossless writing, signing, verification
//! and the decisions a phone makes about them.
//!
//! ```
//! # let bytes = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
//! use cisco_itl::TrustList;
//! let list = TrustList::parse(&bytes)?;
//! for record in list.records() {
//!     println!("{} {}", record.function(), record.subject());
//! }
//! # Ok::<(), cisco_itl::ParseError>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod build;
pub mod cert;
pub mod digest;
pub mod error;
pub mod function;
pub mod header;
pub mod key;
pub mod pem;
pub mod phone;
pub mod pkcs12;
pub mod record;
pub mod recovery;
pub mod show;
pub mod sign;
pub mod signed_file;
pub mod tag;
pub mod tlv;
pub mod trust_list;
pub mod tvs;
pub mod verify;
pub mod write;

pub use digest::{DigestAlgorithm, SignatureModulus};
pub use error::{ParseError, Region, WriteError};
pub use function::Function;
pub use header::Header;
pub use record::Record;
pub use trust_list::{ListKind, TrustList};
