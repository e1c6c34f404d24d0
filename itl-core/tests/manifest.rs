//! Every fact of `vectors/manifest.json`, checked against the library.
//!
//! The manifest was written independently of this implementation. Each
//! entry is consumed key by key; a key this test does not know fails the
//! test, so a new fact added to the manifest is never silently ignored.
#![cfg(test)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cisco_itl::digest::{md5, sha1};
use cisco_itl::verify::{RecordField, VerifyError};
use cisco_itl::{DigestAlgorithm, Function, Header, ParseError, Record, TrustList};
use serde_json::{Map, Value};

const VECTORS: &str = "tests/data/vectors";

fn vectors() -> PathBuf {
    PathBuf::from(VECTORS)
}

fn manifest() -> Map<String, Value> {
    let text = std::fs::read_to_string(vectors().join("manifest.json")).unwrap();
    match serde_json::from_str::<Value>(&text).unwrap() {
        Value::Object(m) => m,
        other => panic!("manifest.json is not an object: {other}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An object whose keys are taken one at a time; what is left at the end
/// is what the test did not understand.
struct Facts {
    what: String,
    map: Map<String, Value>,
}

impl Facts {
    fn new(what: impl Into<String>, v: &Value) -> Self {
        let what = what.into();
        match v {
            Value::Object(m) => Facts {
                what,
                map: m.clone(),
            },
            other => panic!("{what}: expected an object, got {other}"),
        }
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    fn str(&mut self, key: &str) -> Option<String> {
        self.take(key).map(|v| match v {
            Value::String(s) => s,
            other => panic!("{}: {key} is not a string: {other}", self.what),
        })
    }

    fn u64(&mut self, key: &str) -> Option<u64> {
        self.take(key).map(|v| {
            v.as_u64()
                .unwrap_or_else(|| panic!("{}: {key} is not an integer: {v}", self.what))
        })
    }

    fn usize(&mut self, key: &str) -> Option<usize> {
        self.u64(key).map(|n| usize::try_from(n).unwrap())
    }

    fn bool(&mut self, key: &str) -> Option<bool> {
        self.take(key).map(|v| {
            v.as_bool()
                .unwrap_or_else(|| panic!("{}: {key} is not a boolean: {v}", self.what))
        })
    }

    fn array(&mut self, key: &str) -> Option<Vec<Value>> {
        self.take(key).map(|v| match v {
            Value::Array(a) => a,
            other => panic!("{}: {key} is not an array: {other}", self.what),
        })
    }

    /// Fails on any key nobody took.
    fn done(self) {
        let left: Vec<&String> = self.map.keys().collect();
        assert!(
            left.is_empty(),
            "{}: manifest keys this test does not understand: {left:?}",
            self.what
        );
    }
}

fn version_string((major, minor): (u8, u8)) -> String {
    format!("{major}.{minor}")
}

fn check_header(what: &str, h: &Header<'_>, v: &Value) {
    let mut f = Facts::new(format!("{what} header"), v);
    let what = f.what.clone();
    assert_eq!(
        h.digest().name(),
        f.str("digest").unwrap(),
        "{what}: digest"
    );
    assert_eq!(h.filename(), f.str("filename").unwrap(), "{what}: filename");
    assert_eq!(
        h.length(),
        f.usize("header_length").unwrap(),
        "{what}: header_length"
    );
    assert_eq!(h.as_bytes().len(), h.length(), "{what}: header bytes");
    assert_eq!(
        h.signature().len(),
        f.usize("signature_length").unwrap(),
        "{what}: signature_length"
    );
    assert_eq!(
        h.ca_name(),
        f.str("signer_issuer").unwrap(),
        "{what}: signer_issuer"
    );
    assert_eq!(
        h.signer_name(),
        f.str("signer_name").unwrap(),
        "{what}: signer_name"
    );
    assert_eq!(
        hex(h.signer_serial()),
        f.str("signer_serial").unwrap(),
        "{what}: signer_serial"
    );
    assert_eq!(
        u64::from(h.timestamp()),
        f.u64("timestamp").unwrap(),
        "{what}: timestamp"
    );
    assert_eq!(
        version_string(h.version()),
        f.str("version").unwrap(),
        "{what}: version"
    );
    assert_eq!(
        h.signer_version().map(version_string),
        f.str("signer_version"),
        "{what}: signer_version (absent in the manifest means absent in the file)"
    );
    f.done();
}

fn check_record(what: &str, r: &Record<'_>, v: &Value) {
    let mut f = Facts::new(what, v);
    assert_eq!(
        r.length(),
        f.usize("record_length").unwrap(),
        "{what}: record_length"
    );
    assert_eq!(r.as_bytes().len(), r.length(), "{what}: record bytes");
    assert_eq!(
        r.dns_name(),
        f.str("dns_name").as_deref(),
        "{what}: dns_name"
    );

    let functions: Vec<String> = f
        .array("functions")
        .unwrap()
        .into_iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let got: Vec<&str> = r.functions().map(Function::short_name).collect();
    assert_eq!(got, functions, "{what}: functions");
    assert_eq!(
        r.function().short_name(),
        functions[0],
        "{what}: function() is the first FUNCTION"
    );
    for name in &functions {
        let code = r
            .functions()
            .find(|g| g.short_name() == name)
            .unwrap()
            .code();
        assert!(
            r.has_function(Function::from_code(code)),
            "{what}: has {name}"
        );
    }

    assert_eq!(r.issuer(), f.str("issuer").unwrap(), "{what}: issuer");
    assert_eq!(r.subject(), f.str("subject").unwrap(), "{what}: subject");
    assert_eq!(hex(r.serial()), f.str("serial").unwrap(), "{what}: serial");
    assert_eq!(
        r.public_key().map(<[u8]>::len),
        f.usize("public_key_length"),
        "{what}: public_key_length"
    );
    assert_eq!(
        r.signature().map(<[u8]>::len),
        f.usize("signature_length"),
        "{what}: signature_length"
    );
    assert_eq!(
        r.certificate().map(<[u8]>::len),
        f.usize("certificate_length"),
        "{what}: certificate_length"
    );
    assert_eq!(
        r.certificate().map(|c| hex(&sha1(c))),
        f.str("certificate_sha1"),
        "{what}: certificate_sha1"
    );
    assert_eq!(
        r.cert_hash().map(hex),
        f.str("cert_hash"),
        "{what}: cert_hash"
    );
    let hash_algorithm = f.str("hash_algorithm");
    assert_eq!(
        r.hash_algorithm()
            .map(|code| DigestAlgorithm::from_code(code).name()),
        hash_algorithm.as_deref(),
        "{what}: hash_algorithm"
    );
    if hash_algorithm.as_deref() == Some("sha1") {
        assert_eq!(r.hash_algorithm(), Some(1), "{what}: sha1 is code 1");
    }
    assert_eq!(
        r.ip_address().map(hex),
        f.str("ip_address"),
        "{what}: ip_address"
    );
    f.done();
}

/// What each malformed or tampered vector gives. Every one must end in
/// one of these; none may verify.
enum Bad {
    Parse(ParseError),
    /// Parses; `verify()` fails with this error.
    Verify(VerifyError),
}

fn expected_bad(name: &str) -> Bad {
    match name {
        "bad-empty.tlv" => Bad::Parse(ParseError::Empty),
        // HEADERLENGTH (tag 2 at offset 5) rewritten from 336 to 0xfff0.
        "bad-header-length-past-end.tlv" => Bad::Parse(ParseError::HeaderLengthPastEnd {
            offset: 5,
            header_length: 0xfff0,
            file_length: 5173,
        }),
        // One byte of record 0's SUBJECTNAME changed: well-formed, but the
        // signature no longer covers these bytes.
        // The changed byte is in record 0's SUBJECTNAME, which no longer
        // matches the record's own certificate: caught before the signature.
        "bad-record-byte.tlv" => Bad::Verify(VerifyError::RecordMismatch(RecordField::Subject)),
        // Record 0 (right after the 336-byte header) says RECORDLENGTH 0.
        "bad-record-length-zero.tlv" => Bad::Parse(ParseError::RecordLengthZero { offset: 336 }),
        // One byte of the header's SIGNATURE changed.
        "bad-signature-byte.tlv" => Bad::Verify(VerifyError::BadSignature),
        // Two bytes after the last record: not enough for an element head.
        "bad-trailing-garbage.tlv" => Bad::Parse(ParseError::Truncated {
            offset: 5173,
            needed: 3,
            available: 2,
        }),
        // The last 100 bytes cut: the last record (725 bytes at 4448) runs
        // past the end.
        "bad-truncated.tlv" => Bad::Parse(ParseError::RecordLengthPastEnd {
            offset: 4448,
            record_length: 725,
            available: 625,
        }),
        other => panic!("{other}: a bad vector this test has no expectation for"),
    }
}

/// The original every `bad-*` file is a copy of.
const ORIGINAL: &str = "cucm-ITLFile.tlv";

fn check_bad(name: &str, bytes: &[u8]) {
    let original = std::fs::read(vectors().join(ORIGINAL)).unwrap();
    match expected_bad(name) {
        Bad::Parse(expected) => {
            let err = TrustList::parse(bytes).unwrap_err();
            assert_eq!(err, expected, "{name}: parse error");
            // The header alone: only the header-level faults reject it.
            match expected {
                ParseError::Empty | ParseError::HeaderLengthPastEnd { .. } => {
                    assert_eq!(
                        Header::parse(bytes).unwrap_err(),
                        expected,
                        "{name}: header"
                    );
                }
                _ => {
                    let h = Header::parse(bytes).unwrap();
                    let o = TrustList::parse(&original).unwrap();
                    assert_eq!(h, *o.header(), "{name}: header is the original's");
                }
            }
        }
        Bad::Verify(expected) => {
            let list = TrustList::parse(bytes).unwrap();
            let err = list.verify().unwrap_err();
            assert_eq!(err, expected, "{name}: verify error");
            // The signer is still found: the failure is the signature itself.
            assert_eq!(list.signer_record().map(|(i, _)| i), Some(0), "{name}");
            // Exactly one byte differs from the original, and where.
            assert_eq!(bytes.len(), original.len(), "{name}: length");
            let diffs: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i] != original[i])
                .collect();
            assert_eq!(diffs.len(), 1, "{name}: one byte changed");
            let at = diffs[0];
            let sig = list.header().signature_element();
            let sig_value = sig.offset + 3..sig.offset + sig.encoded_len();
            match name {
                "bad-signature-byte.tlv" => {
                    assert!(sig_value.contains(&at), "{name}: {at} in {sig_value:?}");
                    let o = TrustList::parse(&original).unwrap();
                    assert_ne!(list.header().signature(), o.header().signature());
                    assert!(list.records().eq(o.records()), "{name}: records unchanged");
                }
                "bad-record-byte.tlv" => {
                    let r0 = list.record(0).unwrap();
                    let range = r0.offset()..r0.offset() + r0.length();
                    assert!(range.contains(&at), "{name}: {at} in record 0 {range:?}");
                    assert_eq!(
                        r0.subject(),
                        "CN=cucm-1051-a-pub;OU=TAC;O}Cisco;L=Krakow;ST=Malopolska;C=PL"
                    );
                    assert_eq!(list.header(), TrustList::parse(&original).unwrap().header());
                }
                other => panic!("{other}: no byte-level expectation"),
            }
        }
    }
    // Whatever the failure, the file must never verify.
    if let Ok(list) = TrustList::parse(bytes) {
        assert!(list.verify().is_err(), "{name} verifies");
    }
}

fn check_entry(name: &str, v: &Value) {
    let path = vectors().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut f = Facts::new(name, v);

    assert_eq!(bytes.len(), f.usize("length").unwrap(), "{name}: length");
    if let Some(m) = f.str("md5") {
        assert_eq!(hex(&md5(&bytes)), m, "{name}: md5");
    }
    if let Some(s) = f.str("sha1") {
        assert_eq!(hex(&sha1(&bytes)), s, "{name}: sha1");
    }
    if let Some(note) = f.str("note") {
        assert!(!note.is_empty(), "{name}: empty note");
    }

    if let Some(expect) = f.str("expect") {
        assert!(
            name.starts_with("bad-"),
            "{name}: `expect` on a good vector"
        );
        assert_eq!(expect, "error or failed verification, never a crash");
        check_bad(name, &bytes);
        f.done();
        return;
    }
    assert!(
        !name.starts_with("bad-"),
        "{name}: bad vector without `expect`"
    );

    let is_tlv = Path::new(name).extension().is_some_and(|e| e == "tlv");
    let is_sgn = Path::new(name).extension().is_some_and(|e| e == "sgn");
    assert!(is_tlv || is_sgn, "{name}: unknown file type");

    if let Some(h) = f.take("header") {
        // The header layout is shared by .tlv and .sgn files.
        let header = Header::parse(&bytes).unwrap();
        check_header(name, &header, &h);
    }
    if is_sgn {
        // No .sgn module yet: the checksums above are all that is checked.
        f.done();
        return;
    }

    let list = TrustList::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(list.as_bytes(), &bytes[..], "{name}: as_bytes");

    if let Some(records) = f.array("records") {
        assert_eq!(list.len(), records.len(), "{name}: record count");
        assert_eq!(list.records().count(), records.len(), "{name}: records()");
        let mut end = list.header().length();
        for (i, (r, rv)) in list.records().zip(&records).enumerate() {
            assert_eq!(r.offset(), end, "{name} record {i}: offset");
            end += r.length();
            assert_eq!(list.record(i), Some(r), "{name}: record({i})");
            check_record(&format!("{name} record {i}"), &r, rv);
        }
        assert_eq!(end, bytes.len(), "{name}: records run to the end");
        assert_eq!(list.record(records.len()), None, "{name}: past the end");
    }

    if let Some(signed_by) = f.take("signed_by_record") {
        let index = match signed_by {
            Value::Null => None,
            v => Some(usize::try_from(v.as_u64().unwrap()).unwrap()),
        };
        assert_eq!(
            list.signer_record().map(|(i, _)| i),
            index,
            "{name}: signer_record"
        );
        if let Some((i, r)) = list.signer_record() {
            assert!(r.has_function(Function::Sast), "{name}: signer is SAST");
            assert_eq!(r.serial(), list.header().signer_serial(), "{name}");
            assert_eq!(r.issuer(), list.header().ca_name(), "{name}");
            assert_eq!(list.record(i), Some(r), "{name}");
        }
        if let Ok(v) = list.verify() {
            assert_eq!(v.signer_index, index, "{name}: verify().signer_index");
        }
    }

    if let Some(valid) = f.bool("self_signature_valid") {
        let result = list.verify();
        assert_eq!(result.is_ok(), valid, "{name}: verify() = {result:?}");
        if let Ok(v) = result {
            assert_eq!(v.digest, list.header().digest(), "{name}: verified digest");
            assert_eq!(v.anchor_index, None, "{name}");
            assert_eq!(
                Some(v.key_bits),
                list.header().modulus().key_bits(),
                "{name}: key size agrees with SIGNATUREMODULUS"
            );
            assert_eq!(v.key_bits / 8, list.header().signature().len(), "{name}");
        }
    }
    f.done();
}

#[test]
fn every_manifest_entry_holds() {
    let m = manifest();
    assert!(m.len() >= 18, "manifest has {} entries", m.len());
    for (name, v) in &m {
        check_entry(name, v);
    }
}

#[test]
fn manifest_lists_every_vector() {
    let m = manifest();
    let listed: BTreeSet<&str> = m.keys().map(String::as_str).collect();
    let mut on_disk = BTreeSet::new();
    for e in std::fs::read_dir(vectors()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".tlv") || name.ends_with(".sgn") {
            on_disk.insert(name);
        }
    }
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(listed, on_disk);
}

#[test]
fn every_bad_vector_fails_in_its_own_way() {
    let m = manifest();
    let bad: Vec<&String> = m.keys().filter(|k| k.starts_with("bad-")).collect();
    assert_eq!(bad.len(), 7, "{bad:?}");
    let mut parse_errors = 0;
    let mut verify_errors = 0;
    for name in bad {
        let bytes = std::fs::read(vectors().join(name)).unwrap();
        match TrustList::parse(&bytes) {
            Err(_) => parse_errors += 1,
            Ok(list) => {
                assert!(list.verify().is_err(), "{name}");
                verify_errors += 1;
            }
        }
    }
    assert_eq!((parse_errors, verify_errors), (5, 2));
}

/// A copy of a manifest entry with one edit, to prove the checks bite.
fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = manifest()[name].clone();
    edit(&mut v);
    v
}

#[test]
#[should_panic(expected = "does not understand: [\"new_fact\"]")]
fn an_unknown_top_level_key_fails() {
    let v = edited("cucm-ITLFile.tlv", |v| v["new_fact"] = Value::from(1));
    check_entry("cucm-ITLFile.tlv", &v);
}

#[test]
#[should_panic(expected = "does not understand: [\"new_fact\"]")]
fn an_unknown_header_key_fails() {
    let v = edited("peer-CTLFile.tlv", |v| {
        v["header"]["new_fact"] = Value::from(1)
    });
    check_entry("peer-CTLFile.tlv", &v);
}

#[test]
#[should_panic(expected = "does not understand: [\"new_fact\"]")]
fn an_unknown_record_key_fails() {
    let v = edited("cucm-ITLFile.tlv", |v| {
        v["records"][3]["new_fact"] = Value::from(1)
    });
    check_entry("cucm-ITLFile.tlv", &v);
}

#[test]
#[should_panic(expected = "does not understand: [\"new_fact\"]")]
fn an_unknown_sgn_key_fails() {
    let v = edited("cucm-SEP0011215A1AE3.cnf.xml.sgn", |v| {
        v["new_fact"] = Value::from(1);
    });
    check_entry("cucm-SEP0011215A1AE3.cnf.xml.sgn", &v);
}

#[test]
#[should_panic(expected = "dns_name")]
fn an_absent_optional_field_means_none() {
    // CUCM's ITL records carry an empty DNSNAME: dropping it from the
    // manifest must fail, because absent means "no such element".
    let v = edited("cucm-ITLFile.tlv", |v| {
        v["records"][0].as_object_mut().unwrap().remove("dns_name");
    });
    check_entry("cucm-ITLFile.tlv", &v);
}

#[test]
#[should_panic(expected = "signer_version")]
fn an_absent_signer_version_means_none() {
    let v = edited("peer-CTLFile.tlv", |v| {
        v["header"]
            .as_object_mut()
            .unwrap()
            .remove("signer_version");
    });
    check_entry("peer-CTLFile.tlv", &v);
}
