//! Verifying many trust lists (`itl_verifier`): the core's batch
//! `Verifier`, which remembers the keys of the signing records it has
//! checked, so an audit of thousands of lists from a few signers decodes
//! each signer's key once.

use itl::verifier::Verifier;
use itl::verify::Verified;

use crate::error::{Error, guard, itl_result};
use crate::handle::{self, Tag, tags};
use crate::ptr::{Out, OutArray, array_in, bytes_in};
use crate::trust_list::anchor_of;
use crate::types::itl_policy;

/// How many signing records a verifier remembers unless told otherwise
/// (4,096 records of a few KB each). Past the limit, keys are still
/// checked, only not remembered, so hostile input cannot grow the cache.
pub const ITL_VERIFIER_DEFAULT_CACHE_LIMIT: usize = 4096;

/// The index written for a verification that has none: `ITL_NO_INDEX`.
const NO_INDEX: usize = usize::MAX;

/// A batch verifier: a policy, optionally trusted certificates, and the
/// keys it has checked. Immutable apart from its key cache, which it
/// locks itself: any number of threads may use one at once.
pub struct itl_verifier {
    tag: Tag,
    verifier: Verifier,
}

handle::handle_kind!(itl_verifier, VERIFIER, Verifier);

/// What a verification found. Plain values: nothing to free.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct itl_verified {
    /// The 0-based index of the list's own record that signed it. For a
    /// verifier made by `itl_verifier_new_trusting`, the list's own record
    /// that names the header's signer, if it has one (it played no part in
    /// the verification). `ITL_NO_INDEX` when there is none, or when the
    /// list did not verify.
    pub signer_index: usize,
    /// The 0-based index of the trusted certificate that verified it, for
    /// a verifier made by `itl_verifier_new_trusting`; `ITL_NO_INDEX`
    /// otherwise.
    pub anchor_index: usize,
    /// The signature's digest (`ITL_DIGEST_*`); 0 when not verified.
    pub digest: u8,
    /// The size of the signer's RSA key, in bits; 0 when not verified.
    pub key_bits: usize,
}

impl itl_verified {
    /// "Not verified".
    const NONE: itl_verified = itl_verified {
        signer_index: NO_INDEX,
        anchor_index: NO_INDEX,
        digest: 0,
        key_bits: 0,
    };
}

impl From<&Verified> for itl_verified {
    fn from(v: &Verified) -> Self {
        itl_verified {
            signer_index: v.signer_index.unwrap_or(NO_INDEX),
            anchor_index: v.anchor_index.unwrap_or(NO_INDEX),
            digest: v.digest.code(),
            key_bits: v.key_bits,
        }
    }
}

fn new_verifier(verifier: Verifier, out: &Out<*mut itl_verifier>) {
    out.write(handle::new_handle(itl_verifier {
        tag: tags::VERIFIER,
        verifier,
    }));
}

/// A verifier that checks each list against its own signing record (as
/// `itl_trust_list_verify_with_policy` does), remembering the key of every
/// signing record it has checked, up to `cache_limit` records.
///
/// `policy`: what a signature must meet (`itl_policy_default()` for what
/// phones accept).
/// `cache_limit`: how many signing records to remember
/// (`ITL_VERIFIER_DEFAULT_CACHE_LIMIT`; 0 remembers none).
/// `out`: receives the new verifier, or NULL on failure; free it with
/// `itl_verifier_free`.
/// Threads: a verifier may be used by any number of threads at once.
///
/// Ownership: the caller owns `*out` (free with `itl_verifier_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_new(
    policy: itl_policy,
    cache_limit: usize,
    out: *mut *mut itl_verifier,
) -> itl_result {
    guard("itl_verifier_new", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let verifier = Verifier::new()
            .with_policy(policy.into())
            .with_cache_limit(cache_limit);
        new_verifier(verifier, &out);
        Ok(())
    })
}

/// A verifier that checks lists against certificates the caller trusts
/// instead of the lists' own records (as
/// `itl_trust_list_verify_with_certificate` does): a list verifies when
/// its header names one of them and that key verifies its signature. Each
/// certificate's key is decoded once, here.
///
/// `certificates`, `certificate_lens`, `count`: `count` (at least 1)
/// X.509 certificates, PEM or DER, read during the call only.
/// `policy`, `cache_limit`, `out`: as for `itl_verifier_new`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no certificate) or
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (one is unusable; the message says
/// which).
///
/// Ownership: the certificates are copied; the caller owns `*out` (free
/// with `itl_verifier_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_new_trusting(
    policy: itl_policy,
    cache_limit: usize,
    certificates: *const *const u8,
    certificate_lens: *const usize,
    count: usize,
    out: *mut *mut itl_verifier,
) -> itl_result {
    guard("itl_verifier_new_trusting", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        if count == 0 {
            return Err(Error::invalid("at least one certificate is needed"));
        }
        let pointers = array_in(certificates, count, "certificates")?;
        let lens = array_in(certificate_lens, count, "certificate_lens")?;
        let anchors = pointers
            .iter()
            .zip(lens)
            .enumerate()
            .map(|(i, (p, len))| {
                let cert = bytes_in(*p, *len, &format!("certificates[{i}]"))?;
                anchor_of(cert).map_err(|mut e| {
                    e.message = format!("certificate {i}: {}", e.message);
                    e
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let verifier = Verifier::new()
            .with_policy(policy.into())
            .with_cache_limit(cache_limit)
            .trusting(anchors);
        new_verifier(verifier, &out);
        Ok(())
    })
}

/// Frees a verifier and its key cache.
///
/// Ownership: takes back `verifier`. NULL is a no-op; anything that is
/// not a live verifier is left alone and reported in
/// `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_free(verifier: *mut itl_verifier) {
    handle::free("itl_verifier_free", verifier);
}

/// Parses and verifies one trust list.
///
/// `data`, `len`: the file, read during the call only.
/// `result`: receives what the verification found; on failure, the
/// "not verified" values (`ITL_NO_INDEX`, 0).
/// Returns `ITL_OK`, `ITL_ERR_PARSE`, `ITL_ERR_VERIFY` or
/// `ITL_ERR_POLICY`, with the reason in `itl_last_error_message()`.
/// Threads: any number of threads may verify with one verifier at once.
///
/// Ownership: `verifier` is borrowed; `data` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_verify(
    verifier: *const itl_verifier,
    data: *const u8,
    len: usize,
    result: *mut itl_verified,
) -> itl_result {
    guard("itl_verifier_verify", || {
        let result = Out::new(result, "result")?;
        result.write(itl_verified::NONE);
        let data = bytes_in(data, len, "data")?;
        let v = handle::get(verifier, "verifier")?;
        let verified = v.verifier.verify(data)?;
        result.write(itl_verified::from(&verified));
        Ok(())
    })
}

/// Parses and verifies `count` trust lists, in order, one result each
/// whatever fails.
///
/// `data`, `lens`, `count`: `count` files (`data[i]`, `lens[i]` bytes),
/// read during the call only; every `data[i]` must be non-NULL. With a
/// `count` of 0 the arrays may be NULL.
/// `results`: the caller's array of `count` codes: receives, for each
/// list, what `itl_verifier_verify` would return (`ITL_OK`,
/// `ITL_ERR_PARSE`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`). Call
/// `itl_verifier_verify` on one list for the message of its failure.
/// `verified`: the caller's array of `count` results, or NULL when not
/// wanted; "not verified" values for the lists that failed.
/// `verified_count`: receives how many lists verified.
/// Returns `ITL_OK` when the lists were judged (whatever the judgements),
/// or the code of a bad argument (nothing is verified then).
///
/// Ownership: `verifier` is borrowed; the input arrays are read during the
/// call only; the output arrays stay the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_verify_many(
    verifier: *const itl_verifier,
    data: *const *const u8,
    lens: *const usize,
    count: usize,
    results: *mut itl_result,
    verified: *mut itl_verified,
    verified_count: *mut usize,
) -> itl_result {
    guard("itl_verifier_verify_many", || {
        let verified_count = Out::new(verified_count, "verified_count")?;
        verified_count.write(0);
        let results_out = OutArray::new(results, count, "results")?;
        let verified_out = if verified.is_null() {
            None
        } else {
            Some(OutArray::new(verified, count, "verified")?)
        };
        let inputs: Vec<&[u8]> = if count == 0 {
            Vec::new()
        } else {
            let pointers = array_in(data, count, "data")?;
            let lens = array_in(lens, count, "lens")?;
            pointers
                .iter()
                .zip(lens)
                .enumerate()
                .map(|(i, (p, len))| bytes_in(*p, *len, &format!("data[{i}]")))
                .collect::<Result<_, _>>()?
        };
        let v = handle::get(verifier, "verifier")?;
        let outcomes = v.verifier.verify_many(&inputs);
        let codes: Vec<itl_result> = outcomes
            .iter()
            .map(|r| match r {
                Ok(_) => itl_result::ITL_OK,
                Err(e) => Error::from(e.clone()).code,
            })
            .collect();
        let found: Vec<itl_verified> = outcomes
            .iter()
            .map(|r| r.as_ref().map_or(itl_verified::NONE, itl_verified::from))
            .collect();
        // Both arrays hold `count` elements, as many as there are results.
        results_out.fill(&codes);
        if let Some(out) = verified_out {
            out.fill(&found);
        }
        verified_count.write(outcomes.iter().filter(|r| r.is_ok()).count());
        Ok(())
    })
}

/// How many signing records the verifier remembers (at most its cache
/// limit).
///
/// Ownership: `verifier` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_verifier_cached_keys(
    verifier: *const itl_verifier,
    count: *mut usize,
) -> itl_result {
    guard("itl_verifier_cached_keys", || {
        let count = Out::new(count, "count")?;
        count.write(handle::get(verifier, "verifier")?.verifier.cached_keys());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_limit_is_the_core_s() {
        assert_eq!(
            ITL_VERIFIER_DEFAULT_CACHE_LIMIT,
            itl::verifier::DEFAULT_CACHE_LIMIT
        );
    }
}
