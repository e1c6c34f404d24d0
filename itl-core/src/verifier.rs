//! Verifying many trust lists: a [`Verifier`] keeps the keys it has
//! checked, so an audit of thousands of lists from a few signers decodes
//! each signer's certificate and key once, and verifies a batch in input
//! order, in parallel over cores with the `parallel` feature.

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

/// Verifies trust lists, remembering every signing record it has checked
/// (by its exact bytes) with the key [`record_key`] gave for it.
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
    cache: RwLock<HashMap<Box<[u8]>, Arc<VerifyingKey>>>,
    cache_limit: usize,
    #[cfg(feature = "parallel")]
    threads: usize,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            policy: Policy::default(),
            anchors: Vec::new(),
            cache: RwLock::default(),
            cache_limit: DEFAULT_CACHE_LIMIT,
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
        self.cache.read().map(|c| c.len()).unwrap_or(0)
    }

    /// Parses and verifies one list.
    pub fn verify(&self, bytes: &[u8]) -> Result<Verified, Error> {
        let list = TrustList::parse(bytes)?;
        if !self.anchors.is_empty() {
            return Ok(list.verify_with(&self.anchors, &self.policy)?);
        }
        let (index, record) = list.find_signer()?;
        let key = self.key_of(record.as_bytes(), || record_key(&record))?;
        check_signer_name(list.header(), &record)?;
        let v = check_signature(list.header(), &list.signed_parts(), &key, &self.policy)?;
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

    /// The key remembered for `record`, or the one `check` gives, which is
    /// remembered while there is room.
    fn key_of(
        &self,
        record: &[u8],
        check: impl FnOnce() -> Result<VerifyingKey, crate::verify::VerifyError>,
    ) -> Result<Arc<VerifyingKey>, crate::verify::VerifyError> {
        if let Some(key) = self.cache.read().ok().and_then(|c| c.get(record).cloned()) {
            return Ok(key);
        }
        let key = Arc::new(check()?);
        if let Ok(mut cache) = self.cache.write()
            && cache.len() < self.cache_limit
        {
            cache.insert(record.into(), Arc::clone(&key));
        }
        Ok(key)
    }
}
