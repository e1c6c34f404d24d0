//! Verifying many trust lists: a [`Verifier`] keeps the keys of the
//! signing records whose signatures it has verified, so an audit of
//! thousands of lists from a few signers decodes each signer's certificate
//! and key once, and verifies a batch in input order, in parallel over
//! cores with the `parallel` feature.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::collections::HashMap;
use std::sync::RwLock;

use crate::error::Error;
use crate::trust_list::TrustList;
use crate::verify::{
    Policy, TrustAnchor, Verified, VerifyingKey, check_signature, check_signer_name, record_key,
};

/// How many signing records a [`Verifier`] remembers by default. Past the
/// limit, keys are still checked, just not remembered, so hostile input
/// cannot grow the cache without bound (4,096 records of a few KB each).
pub const DEFAULT_CACHE_LIMIT: usize = 4096;

/// How many bytes of signing records and keys a [`Verifier`] remembers by
/// default: 8 MiB, room for the [`DEFAULT_CACHE_LIMIT`] records of a real
/// cluster (about 1.5 KB each with their key), far less than 4,096 records
/// of the 64 KiB a record can reach.
pub const DEFAULT_CACHE_BYTES: usize = 8 << 20;

/// Verifies trust lists, remembering the signing records whose signature
/// it has verified (by their exact bytes) with the key [`record_key`] gave
/// for them. A record is remembered only once a list it signed verified,
/// so lists that fail leave nothing behind; the cache is bounded by entries
/// ([`Verifier::with_cache_limit`]) and by bytes
/// ([`Verifier::with_cache_bytes`]: each entry counts its record's bytes
/// and its key's PKCS#1 DER).
///
/// A `Verifier` is `Send + Sync`: share one between threads.
///
/// ```
/// use cisco_itl::verifier::Verifier;
/// let itl = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv").unwrap();
/// let ctl = std::fs::read("tests/data/vectors/cucm-CTLFile-tokenless.tlv").unwrap();
/// let verifier = Verifier::new();
/// let results = verifier.verify_many(&[&itl[..], &ctl[..], b"not a list"]);
/// assert!(results[0].is_ok() && results[1].is_ok());
/// assert!(results[2].is_err());
/// // Each list's signing record is remembered (the CTL's carries the
/// // node's DNSNAME and IPADDRESS, so its bytes differ from the ITL's).
/// assert_eq!(verifier.cached_keys(), 2);
/// verifier.verify(&itl).unwrap(); // the ITL's key is not decoded again
/// assert_eq!(verifier.cached_keys(), 2);
/// ```
#[derive(Debug)]
pub struct Verifier {
    policy: Policy,
    anchors: Vec<TrustAnchor>,
    cache: RwLock<KeyCache>,
    cache_limit: usize,
    cache_bytes: usize,
    #[cfg(feature = "parallel")]
    threads: usize,
}

/// The remembered keys, by signing record, and the bytes they count.
#[derive(Debug, Default)]
struct KeyCache {
    keys: HashMap<Box<[u8]>, Arc<VerifyingKey>>,
    bytes: usize,
}

/// The bytes an entry counts: its record and its key's DER.
fn entry_bytes(record: &[u8], key: &VerifyingKey) -> usize {
    record.len().saturating_add(key.as_pkcs1_der().len())
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            policy: Policy::default(),
            anchors: Vec::new(),
            cache: RwLock::default(),
            cache_limit: DEFAULT_CACHE_LIMIT,
            cache_bytes: DEFAULT_CACHE_BYTES,
            #[cfg(feature = "parallel")]
            threads: 1,
        }
    }
}

impl Verifier {
    /// A verifier that checks each list against its own signing record
    /// under the default [`Policy`], sequentially.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the policy.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Verifies lists against these anchors instead of their own records
    /// (see [`TrustList::verify_with`]); each anchor's key is decoded once.
    pub fn trusting(mut self, anchors: Vec<TrustAnchor>) -> Self {
        self.anchors = anchors;
        self
    }

    /// Sets how many signing records are remembered (default
    /// [`DEFAULT_CACHE_LIMIT`]; 0 remembers none).
    pub fn with_cache_limit(mut self, records: usize) -> Self {
        self.cache_limit = records;
        self
    }

    /// Sets how many bytes of signing records and keys are remembered
    /// (default [`DEFAULT_CACHE_BYTES`]; 0 remembers none). A record that
    /// would pass the budget is still checked, just not remembered.
    pub fn with_cache_bytes(mut self, bytes: usize) -> Self {
        self.cache_bytes = bytes;
        self
    }

    /// With the `parallel` feature: how many threads
    /// [`Verifier::verify_many`] uses. 1 (the default) verifies on the
    /// calling thread; 0 uses one thread per core.
    #[cfg(feature = "parallel")]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// How many signing records are remembered.
    pub fn cached_keys(&self) -> usize {
        self.cache.read().map(|c| c.keys.len()).unwrap_or(0)
    }

    /// How many bytes the remembered records and keys count (never more
    /// than [`Verifier::with_cache_bytes`]).
    pub fn cached_bytes(&self) -> usize {
        self.cache.read().map(|c| c.bytes).unwrap_or(0)
    }

    /// Parses and verifies one list.
    pub fn verify(&self, bytes: &[u8]) -> Result<Verified, Error> {
        let list = TrustList::parse(bytes)?;
        if !self.anchors.is_empty() {
            return Ok(list.verify_with(&self.anchors, &self.policy)?);
        }
        let (index, record) = list.find_signer()?;
        let cached = self
            .cache
            .read()
            .ok()
            .and_then(|c| c.keys.get(record.as_bytes()).cloned());
        let known = cached.is_some();
        let key = match cached {
            Some(key) => key,
            None => Arc::new(record_key(&record)?),
        };
        check_signer_name(list.header(), &record)?;
        let v = check_signature(list.header(), &list.signed_parts(), &key, &self.policy)?;
        // Only a key whose signature verified is remembered: junk lists
        // with records of their own leave nothing behind.
        if !known {
            self.remember(record.as_bytes(), key);
        }
        Ok(Verified {
            signer_index: Some(index),
            ..v
        })
    }

    /// Parses and verifies every input; the results are in input order,
    /// one per input, whatever fails.
    pub fn verify_many<B: AsRef<[u8]> + Sync>(&self, inputs: &[B]) -> Vec<Result<Verified, Error>> {
        #[cfg(feature = "parallel")]
        if self.threads != 1 {
            use rayon::prelude::*;
            let run = || {
                inputs
                    .par_iter()
                    .map(|b| self.verify(b.as_ref()))
                    .collect::<Vec<_>>()
            };
            return match rayon::ThreadPoolBuilder::new()
                .num_threads(self.threads)
                .build()
            {
                Ok(pool) => pool.install(run),
                Err(_) => run(),
            };
        }
        inputs.iter().map(|b| self.verify(b.as_ref())).collect()
    }

    /// Remembers `record`'s key while there is room, in entries and in
    /// bytes.
    fn remember(&self, record: &[u8], key: Arc<VerifyingKey>) {
        let size = entry_bytes(record, &key);
        let Ok(mut cache) = self.cache.write() else {
            return;
        };
        let fits = cache.keys.len() < self.cache_limit
            && cache
                .bytes
                .checked_add(size)
                .is_some_and(|total| total <= self.cache_bytes);
        if fits && !cache.keys.contains_key(record) {
            cache.keys.insert(record.into(), key);
            cache.bytes = cache.bytes.saturating_add(size);
        }
    }
}
