//! What changed between two trust lists: records added, removed and
//! changed, the signer and the timestamp (`itl diff OLD NEW`).
//!
//! A record is known by its functions and subject: a record of the same
//! functions and subject in both lists whose serial or certificate hash
//! differs is *changed* (a regenerated certificate); one found only in the
//! old list is *removed*, only in the new one *added*.

use alloc::string::String;
use alloc::vec::Vec;

use crate::function::Function;
use crate::record::Record;
use crate::trust_list::TrustList;

/// A record as the comparison sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    /// Its index in its list (0-based).
    pub index: usize,
    /// Its functions, in file order.
    pub functions: Vec<Function>,
    /// Its SUBJECTNAME.
    pub subject: String,
    /// Its SERIALNUMBER's bytes.
    pub serial: Vec<u8>,
    /// SHA-1 of its certificate, else its CERTHASH; empty when it has neither.
    pub hash: Vec<u8>,
}

impl RecordSummary {
    /// The summary of `record`, the `index`th of its list.
    pub fn of(index: usize, record: &Record<'_>) -> Self {
        let hash = match (record.certificate(), record.cert_hash()) {
            (Some(der), _) => crate::digest::sha1(der).to_vec(),
            (None, Some(h)) => h.to_vec(),
            (None, None) => Vec::new(),
        };
        RecordSummary {
            index,
            functions: record.functions().collect(),
            subject: record.subject().into(),
            serial: record.serial().to_vec(),
            hash,
        }
    }

    fn same_identity(&self, other: &Self) -> bool {
        self.functions == other.functions && self.subject == other.subject
    }

    fn same_content(&self, other: &Self) -> bool {
        self.same_identity(other) && self.serial == other.serial && self.hash == other.hash
    }
}

/// A record present in both lists under the same functions and subject,
/// with another serial or hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The record in the old list.
    pub old: RecordSummary,
    /// The record in the new list.
    pub new: RecordSummary,
}

impl Changed {
    /// Whether the serial differs.
    pub fn serial_changed(&self) -> bool {
        self.old.serial != self.new.serial
    }

    /// Whether the certificate (or its hash) differs.
    pub fn hash_changed(&self) -> bool {
        self.old.hash != self.new.hash
    }
}

/// The differences between two trust lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDiff {
    /// Records only in the new list, in its order.
    pub added: Vec<RecordSummary>,
    /// Records only in the old list, in its order.
    pub removed: Vec<RecordSummary>,
    /// Records in both with another serial or hash, in the old list's order.
    pub changed: Vec<Changed>,
    /// How many records are the same in both.
    pub unchanged: usize,
    /// The old and new header signer (SIGNERNAME), when they differ.
    pub signer: Option<(String, String)>,
    /// The old and new TIMESTAMP, when they differ.
    pub timestamp: Option<(u32, u32)>,
}

impl ListDiff {
    /// Whether the records, signer and timestamp are all the same.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.signer.is_none()
            && self.timestamp.is_none()
    }
}

/// Compares `old` with `new`.
///
/// ```
/// use cisco_itl::{TrustList, diff::diff};
/// let old = std::fs::read("tests/data/vectors/cucm-ITLFile.tlv")?;
/// let new = std::fs::read("tests/data/vectors/cucm-ITLFile-regen-callmanager.tlv")?;
/// let d = diff(&TrustList::parse(&old)?, &TrustList::parse(&new)?);
/// // The same node signs both, with its regenerated certificate.
/// let (was, now) = d.signer.clone().unwrap();
/// assert_eq!(was, now);
/// assert_eq!((d.changed.len(), d.unchanged), (2, 4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff(old: &TrustList<'_>, new: &TrustList<'_>) -> ListDiff {
    let olds: Vec<RecordSummary> = old
        .records()
        .enumerate()
        .map(|(i, r)| RecordSummary::of(i, &r))
        .collect();
    let mut news: Vec<Option<RecordSummary>> = new
        .records()
        .enumerate()
        .map(|(i, r)| Some(RecordSummary::of(i, &r)))
        .collect();
    let mut unchanged = 0;
    let mut left = Vec::new();
    // Identical records first, so that a changed one pairs with what is left.
    for o in olds {
        match news
            .iter_mut()
            .find(|n| n.as_ref().is_some_and(|n| n.same_content(&o)))
        {
            Some(slot) => {
                *slot = None;
                unchanged += 1;
            }
            None => left.push(o),
        }
    }
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for o in left {
        match news
            .iter_mut()
            .find(|n| n.as_ref().is_some_and(|n| n.same_identity(&o)))
            .and_then(Option::take)
        {
            Some(n) => changed.push(Changed { old: o, new: n }),
            None => removed.push(o),
        }
    }
    let (oh, nh) = (old.header(), new.header());
    ListDiff {
        added: news.into_iter().flatten().collect(),
        removed,
        changed,
        unchanged,
        signer: (oh.signer_name() != nh.signer_name() || oh.signer_serial() != nh.signer_serial())
            .then(|| (oh.signer_name().into(), nh.signer_name().into())),
        timestamp: (oh.timestamp() != nh.timestamp()).then_some((oh.timestamp(), nh.timestamp())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/data/vectors/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn a_list_against_itself_is_empty() {
        let a = list("cucm-ITLFile.tlv");
        let l = TrustList::parse(&a).unwrap();
        let d = diff(&l, &l);
        assert!(d.is_empty());
        assert_eq!(d.unchanged, 6);
    }

    #[test]
    fn a_regenerated_callmanager_is_a_change_of_its_records() {
        let (a, b) = (
            list("cucm-ITLFile.tlv"),
            list("cucm-ITLFile-regen-callmanager.tlv"),
        );
        let (old, new) = (TrustList::parse(&a).unwrap(), TrustList::parse(&b).unwrap());
        let d = diff(&old, &new);
        let changed: Vec<_> = d
            .changed
            .iter()
            .map(|c| {
                (
                    c.old.index,
                    c.new.index,
                    c.serial_changed(),
                    c.hash_changed(),
                )
            })
            .collect();
        assert_eq!((d.added.len(), d.removed.len()), (0, 0));
        assert_eq!(changed, expected_regen_changes());
        assert_eq!(d.unchanged + d.changed.len(), old.len());
    }

    /// SAST (record 0), TFTP (record 1) and TVS (record 3) of the publisher
    /// carry its CallManager certificate or the TVS hash of the same node.
    fn expected_regen_changes() -> Vec<(usize, usize, bool, bool)> {
        vec![(0, 0, true, true), (1, 1, true, true)]
    }

    #[test]
    fn an_itl_against_a_ctl_adds_and_removes() {
        let (a, b) = (list("cucm-ITLFile.tlv"), list("cucm-CTLFile-tokenless.tlv"));
        let (old, new) = (TrustList::parse(&a).unwrap(), TrustList::parse(&b).unwrap());
        let d = diff(&old, &new);
        let counts = (d.added.len(), d.removed.len(), d.changed.len(), d.unchanged);
        assert_eq!(counts, (2, 4, 0, 2));
        assert_eq!(d.removed.len() + d.changed.len() + d.unchanged, old.len());
        assert_eq!(d.added.len() + d.changed.len() + d.unchanged, new.len());
        // Both were signed by the same node at the same second.
        assert_eq!((d.signer.clone(), d.timestamp), (None, None));
    }
}
