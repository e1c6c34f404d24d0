//! `audit_itls`: the fleet audit's domain rules, which ITL of each TFTP
//! server is current, kept here so that one file dropped into the folder
//! cannot decide them.
//!
//! * An ITL that does not verify (its own signature, or a record that
//!   disagrees with its certificate) is *invalid*, with the reason, and
//!   never current.
//! * ITLs are grouped by the server they name (the CN of their TFTP or
//!   CCM+TFTP record), and tied to it by a verified signer: an ITL signed
//!   by what the caller trusts, or by a SAST record of the newest strictly
//!   older ITL of that server already tied (rule 4, as a phone holding it
//!   would). Two ITLs of a server with one TIMESTAMP and other content are
//!   reported, and neither is current. Without anything trusted, the
//!   server's oldest ITL is trusted on first use, only if a SAST record of
//!   its own holds its signer and every newer ITL of that server is
//!   vouched for by the one before it: otherwise nothing of it is tied (a
//!   forgery may be older as well as newer, and copy the genuine signer).
//! * An ITL not tied is *suspicious*, never current. Of the tied ITLs, the
//!   newest TIMESTAMP is *current*, the others *stale*.
//! * The ITLRECOVERY record is matched by key: the key of the certificate
//!   the caller gives, else the keys of the ITLRECOVERY SAST records of the
//!   current ITLs (tied, so a name there is the cluster's).

use cisco_itl::cert::CertInfo;
use cisco_itl::digest::sha1;
use cisco_itl::recovery::Trusted;
use cisco_itl::verify::{Policy, VerifyingKey, record_key};
use cisco_itl::{Function, TrustList};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyDict;

use crate::args::{bytes_arg, certificates_arg, hex};
use crate::builder::trusted_arg;
use crate::errors::{ItlError, Kind};

/// What the audit says of one collected ITL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Current,
    Stale,
    Suspicious,
    Invalid,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Stale => "stale",
            Status::Suspicious => "suspicious",
            Status::Invalid => "invalid",
        }
    }
}

/// One ITL's verdict.
#[derive(Debug, Clone)]
struct Audited {
    server: String,
    status: Status,
    reason: Option<String>,
    recovery: bool,
    verified: bool,
}

/// The value of the CN attribute of a subject written `CN=x;OU=y` or
/// `CN=x, OU=y`; the whole subject when it has none.
fn cn(subject: &str) -> &str {
    subject
        .split([';', ','])
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("CN"))
        .map_or(subject, |(_, v)| v.trim())
}

/// The TFTP server an ITL names: the CN of its first TFTP or CCM+TFTP
/// record, else of its signer.
fn server_of(list: &TrustList<'_>) -> String {
    list.records()
        .find(|r| r.has_function(Function::Tftp) || r.has_function(Function::CcmTftp))
        .map_or_else(
            || cn(list.header().signer_name()).to_owned(),
            |r| cn(r.subject()).to_owned(),
        )
}

/// Whether `list` verifies by itself as a phone checks it.
fn self_check(list: &TrustList<'_>) -> Result<(), String> {
    list.verify_with_policy(&Policy::default())
        .map_err(|e| e.to_string())?;
    list.check_records()
        .map_err(|(i, e)| format!("record {} disagrees with its certificate: {e}", i + 1))
}

/// A SAST record, as a phone holding its list takes a new list's signer
/// from it (rule 4).
struct Sast {
    serial: Vec<u8>,
    issuer: String,
    subject: String,
    key: VerifyingKey,
}

/// What tying ITLs needs of a verified one, read once so that comparing
/// every pair costs byte comparisons, not signature checks: the key that
/// verified it, and its SAST records.
struct Keys {
    signer: VerifyingKey,
    sast: Vec<Sast>,
}

fn keys_of(list: &TrustList<'_>) -> Option<Keys> {
    let (_, signer) = list.signer_record()?;
    Some(Keys {
        signer: record_key(&signer).ok()?,
        sast: list
            .records_with(Function::Sast)
            .filter_map(|r| {
                Some(Sast {
                    serial: r.serial().to_vec(),
                    issuer: r.issuer().to_owned(),
                    subject: r.subject().to_owned(),
                    key: record_key(&r).ok()?,
                })
            })
            .collect(),
    })
}

/// The audit of `items` (each a parsed ITL with its path), in their order.
fn classify(
    items: &[(&str, TrustList<'_>)],
    trusted: &Trusted,
    recovery: Option<&[VerifyingKey]>,
) -> (Vec<Audited>, Vec<String>) {
    let mut problems = Vec::new();
    let mut out: Vec<Audited> = items
        .iter()
        .map(|(_, list)| {
            let check = self_check(list);
            Audited {
                server: server_of(list),
                status: if check.is_ok() {
                    Status::Suspicious
                } else {
                    Status::Invalid
                },
                reason: check.err(),
                recovery: false,
                verified: false,
            }
        })
        .collect();
    for a in &mut out {
        a.verified = a.status != Status::Invalid;
    }
    // Verified ITLs only: one that does not verify vouches for nothing.
    let keys: Vec<Option<Keys>> = items
        .iter()
        .zip(&out)
        .map(|((_, list), a)| keys_of(list).filter(|_| a.verified))
        .collect();
    let mut servers: Vec<String> = out.iter().map(|a| a.server.clone()).collect();
    servers.sort();
    servers.dedup();
    for server in &servers {
        // The server's verified ITLs, oldest first.
        let mut group: Vec<usize> = (0..items.len())
            .filter(|&i| {
                out.get(i)
                    .is_some_and(|a| a.verified && &a.server == server)
            })
            .collect();
        group.sort_by_key(|&i| {
            items
                .get(i)
                .map(|(path, l)| (l.header().timestamp(), *path))
        });
        let ts = |i: usize| items.get(i).map_or(0, |(_, l)| l.header().timestamp());
        let path = |i: usize| items.get(i).map_or("", |(p, _)| *p);
        let signer = |i: usize| items.get(i).map_or("", |(_, l)| l.header().signer_name());
        // Two ITLs with one TIMESTAMP and other content: a phone holding
        // one refuses the other, so at most one is genuine.
        let clashes = |i: usize| {
            group.iter().any(|&j| {
                ts(j) == ts(i)
                    && items.get(j).map(|(_, l)| l.as_bytes())
                        != items.get(i).map(|(_, l)| l.as_bytes())
            })
        };
        let clash: Vec<usize> = group.iter().copied().filter(|&i| clashes(i)).collect();
        if !clash.is_empty() {
            problems.push(format!(
                "{server}: {} ITLs of it have the same TIMESTAMP and other content ({}); none of them is current",
                clash.len(),
                clash.iter().map(|&i| path(i)).collect::<Vec<_>>().join(", ")
            ));
        }
        // Whether ITL `by` has a SAST record naming the signer of ITL
        // `for_` and holding the key that verified it: a phone holding
        // `by` takes `for_` by rule 4.
        let vouches = |by: usize, for_: usize| -> bool {
            let (Some((_, b)), Some(Some(ka)), Some(Some(kb))) =
                (items.get(for_), keys.get(by), keys.get(for_))
            else {
                return false;
            };
            let h = b.header();
            ka.sast.iter().any(|s| {
                s.serial == h.signer_serial()
                    && s.issuer == h.ca_name()
                    && s.subject == h.signer_name()
                    && s.key == kb.signer
            })
        };
        let mut tied = vec![false; group.len()];
        let mut reasons: Vec<Option<String>> = vec![None; group.len()];
        if trusted.is_empty() {
            // Trust on first use: the oldest ITL, signed by a SAST record of
            // its own, and every newer one vouched for by the one before it
            // (what the phones held), else nothing of the server.
            let first = group.first().copied().unwrap_or_default();
            let why = if !clash.is_empty() {
                Some("ITLs of this server have the same TIMESTAMP and other content".to_owned())
            } else if !vouches(first, first) {
                Some(format!(
                    "the oldest ITL of this server ({}) is not signed by a SAST record of its own",
                    path(first)
                ))
            } else {
                group.windows(2).find_map(|w| {
                    let &[before, i] = w else {
                        return None;
                    };
                    if ts(before) == ts(i) {
                        return None;
                    }
                    (!vouches(before, i)).then(|| {
                        format!(
                            "{} is signed by {}, whom the ITL before it ({}) does not vouch for",
                            path(i),
                            signer(i),
                            path(before)
                        )
                    })
                })
            };
            match why {
                None => tied.iter_mut().for_each(|t| *t = true),
                Some(why) => {
                    if clash.is_empty() {
                        problems.push(format!(
                            "{server}: its ITLs do not follow one from another from the oldest: {why}; nothing of it is current: pass --trust (the server's CallManager certificate, or the ITL the phones hold) to tell the genuine from the forged"
                        ));
                    }
                    reasons.iter_mut().for_each(|r| {
                        *r = Some(format!(
                            "nothing of this server is current without --trust: {why}"
                        ));
                    });
                }
            }
        } else {
            for pos in 0..group.len() {
                let i = group.get(pos).copied().unwrap_or_default();
                let anchored = items.get(i).is_some_and(|(_, l)| {
                    l.verify_with(trusted.anchors(), &Policy::default()).is_ok()
                });
                // Only the newest strictly older tied ITLs, what the phones
                // held, vouch for it.
                let before: Vec<usize> = group
                    .iter()
                    .zip(&tied)
                    .take(pos)
                    .filter(|&(&j, &t)| t && ts(j) < ts(i))
                    .map(|(&j, _)| j)
                    .collect();
                let newest_before = before.iter().map(|&j| ts(j)).max();
                let chained = before
                    .iter()
                    .any(|&j| Some(ts(j)) == newest_before && vouches(j, i));
                if let Some(t) = tied.get_mut(pos) {
                    *t = anchored || chained;
                }
            }
            for (pos, &i) in group.iter().enumerate() {
                let both_tied = tied.get(pos).copied().unwrap_or_default()
                    && group.iter().zip(&tied).any(|(&j, &t)| {
                        t && clash.contains(&j) && clash.contains(&i) && ts(j) == ts(i) && j != i
                    });
                if both_tied && let (Some(t), Some(r)) = (tied.get_mut(pos), reasons.get_mut(pos)) {
                    *t = false;
                    *r = Some(
                        "another ITL of this server, tied to it too, has the same TIMESTAMP and other content"
                            .to_owned(),
                    );
                }
            }
        }
        let newest = group
            .iter()
            .zip(&tied)
            .filter(|(_, t)| **t)
            .map(|(&i, _)| ts(i))
            .max();
        for ((&i, &t), reason) in group.iter().zip(&tied).zip(reasons) {
            let (Some(a), Some((_, list))) = (out.get_mut(i), items.get(i)) else {
                continue;
            };
            if t {
                a.status = if Some(list.header().timestamp()) == newest {
                    Status::Current
                } else {
                    Status::Stale
                };
            } else {
                a.reason = Some(reason.unwrap_or_else(|| {
                    format!(
                        "signed by {}, whom neither --trust nor an older ITL of this server tied to it vouches for",
                        list.header().signer_name()
                    )
                }));
            }
        }
    }

    // The recovery key: given, else those of the current ITLs' ITLRECOVERY
    // SAST records.
    let recovery_keys: Vec<VerifyingKey> = match recovery {
        Some(keys) => keys.to_vec(),
        None => {
            let mut keys: Vec<VerifyingKey> = Vec::new();
            for (a, (_, list)) in out.iter().zip(items) {
                if a.status != Status::Current {
                    continue;
                }
                for r in list.records_with(Function::Sast) {
                    if cn(r.subject())
                        .to_ascii_uppercase()
                        .starts_with("ITLRECOVERY")
                        && let Ok(k) = record_key(&r)
                        && !keys.contains(&k)
                    {
                        keys.push(k);
                    }
                }
            }
            if keys.len() > 1 {
                problems.push(format!(
                    "the current ITLs carry {} different ITLRECOVERY keys: pass --recovery with the certificate of ITLRecovery.p12",
                    keys.len()
                ));
            }
            keys
        }
    };
    for (a, (_, list)) in out.iter_mut().zip(items) {
        a.recovery = list
            .records_with(Function::Sast)
            .any(|r| record_key(&r).is_ok_and(|k| recovery_keys.contains(&k)));
    }
    (out, problems)
}

/// The fleet audit's verdict on collected ITLs: ``files`` is a sequence of
/// ``(path, bytes)``; ``trusted`` what ties ITLs to their server (a
/// ``TrustList``, trust list or certificate bytes, or a sequence of these;
/// see ``reset_itl``); ``recovery`` the ITLRecovery certificate (PEM or
/// DER), whose record is found by key.
///
/// Returns ``(itls, problems)``: per file, in order, a dict with ``path``,
/// ``sha1``, ``server``, ``filename``, ``timestamp``, ``status``
/// (``"current"``, ``"stale"``, ``"suspicious"``: its signer is not tied to
/// the server; ``"invalid"``: it does not verify), ``reason`` (why it is
/// suspicious or invalid, else ``None``), ``recovery``, ``verified`` and
/// ``signer``; and sentences about the fleet as a whole. Raises
/// ``ParseError`` for a file that is not a trust list, ``CredentialError``
/// for an unusable certificate.
#[pyfunction]
#[pyo3(signature = (files, *, trusted = None, recovery = None))]
pub(crate) fn audit_itls<'py>(
    py: Python<'py>,
    files: Vec<(String, PyBackedBytes)>,
    trusted: Option<&Bound<'_, PyAny>>,
    recovery: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<Bound<'py, PyDict>>, Vec<String>)> {
    let trusted = match trusted {
        Some(t) => trusted_arg(t)?,
        None => Trusted::new(),
    };
    let recovery: Option<Vec<VerifyingKey>> = match recovery {
        Some(r) => Some(recovery_keys(&bytes_arg(r, "recovery")?)?),
        None => None,
    };
    let (lists, (audited, problems)) = py.detach(|| -> Result<_, ItlError> {
        let lists = files
            .iter()
            .map(|(path, data)| Ok((path.as_str(), TrustList::parse(data)?)))
            .collect::<Result<Vec<_>, ItlError>>()?;
        let verdict = classify(&lists, &trusted, recovery.as_deref());
        Ok((lists, verdict))
    })?;
    let mut out = Vec::with_capacity(lists.len());
    for ((path, list), a) in lists.iter().zip(&audited) {
        let h = list.header();
        let d = PyDict::new(py);
        d.set_item("path", *path)?;
        d.set_item("sha1", hex(&sha1(list.as_bytes())))?;
        d.set_item("server", &a.server)?;
        d.set_item("filename", h.filename())?;
        d.set_item("timestamp", h.timestamp())?;
        d.set_item("status", a.status.name())?;
        d.set_item("reason", a.reason.as_deref())?;
        d.set_item("recovery", a.recovery)?;
        d.set_item("verified", a.verified)?;
        d.set_item("signer", h.signer_name())?;
        out.push(d);
    }
    Ok((out, problems))
}

/// The keys of the certificates in `data` (PEM or DER).
fn recovery_keys(data: &[u8]) -> Result<Vec<VerifyingKey>, ItlError> {
    certificates_arg(data)?
        .iter()
        .map(|c: &CertInfo| {
            VerifyingKey::from_certificate(c).map_err(|e| {
                ItlError::new(
                    Kind::Credential,
                    format!("the recovery certificate is unusable: {e}"),
                )
            })
        })
        .collect()
}
