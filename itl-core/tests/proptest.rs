//! Property tests: no input panics the parser, every error points inside
//! the input, and whatever parses writes back byte for byte.
#![cfg(test)]

use std::sync::OnceLock;

use cisco_itl::write::TrustListBuf;
use cisco_itl::{Header, ParseError, Record, TrustList};
use proptest::collection::vec;
use proptest::prelude::*;

const VECTORS: &str = "tests/data/vectors";

const GOOD: [&str; 9] = [
    "cucm-ITLFile.tlv",
    "cucm-ITLFile-rollback.tlv",
    "cucm-ITLFile-regen-callmanager.tlv",
    "cucm-ITLFile-reset.tlv",
    "cucm-CTLFile-tokenless.tlv",
    "cucm-CTLFile-etoken.tlv",
    "peer-CTLFile.tlv",
    "peer-ITLFile-sha1.tlv",
    "peer-ITLFile-sha512-v1.1.tlv",
];

fn good() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        GOOD.iter()
            .map(|n| std::fs::read(format!("{VECTORS}/{n}")).unwrap())
            .collect()
    })
}

/// Checks what an error says about its position against the input.
fn check_error(e: &ParseError, input: &[u8]) {
    let len = input.len();
    // Every kind names a position, and it lies within the input.
    assert!(e.offset().is_some_and(|o| o <= len), "{e:?} / {len}");
    match *e {
        ParseError::Empty => assert_eq!(len, 0),
        ParseError::Truncated {
            offset,
            needed,
            available,
        } => {
            assert!(offset <= len, "{e:?} / {len}");
            assert!(offset + available <= len, "{e:?} / {len}");
            assert!(needed > available, "{e:?}");
        }
        ParseError::HeaderLengthPastEnd {
            offset,
            header_length,
            file_length,
        } => {
            assert!(offset < len, "{e:?} / {len}");
            assert_eq!(file_length, len, "{e:?}");
            assert!(header_length > len, "{e:?}");
        }
        ParseError::HeaderLengthInconsistent {
            offset,
            header_length,
        } => {
            assert!(offset <= len, "{e:?} / {len}");
            assert!(header_length <= len, "{e:?} / {len}");
        }
        ParseError::RecordLengthZero { offset } => assert!(offset < len, "{e:?} / {len}"),
        ParseError::RecordLengthPastEnd {
            offset,
            record_length,
            available,
        } => {
            assert_eq!(offset + available, len, "{e:?}");
            assert!(record_length > available, "{e:?}");
        }
        ParseError::RecordLengthInconsistent {
            offset,
            record_length,
        } => {
            assert!(offset <= len, "{e:?} / {len}");
            assert!(record_length <= len, "{e:?} / {len}");
        }
        ParseError::ContainerOverrun { offset, length, .. } => {
            assert!(offset + 3 + length <= len, "{e:?} / {len}");
        }
        ParseError::MissingElement { offset, .. } => assert!(offset <= len, "{e:?} / {len}"),
        ParseError::DuplicateElement { offset, .. }
        | ParseError::BadUtf8 { offset, .. }
        | ParseError::DataAfterNul { offset, .. } => {
            assert!(offset + 3 <= len, "{e:?} / {len}");
        }
        ParseError::BadLength {
            offset,
            length,
            expected,
            ..
        } => {
            assert!(offset + 3 + length <= len, "{e:?} / {len}");
            assert_ne!(length, expected, "{e:?}");
        }
        ParseError::NoRecords { header_length } => assert_eq!(header_length, len, "{e:?}"),
        _ => panic!("a ParseError variant this test does not know: {e:?}"),
    }
}

/// Everything a caller may do with a parsed list; must not panic, and
/// what is parsed must write back identically.
fn exercise(list: &TrustList<'_>, input: &[u8]) {
    assert_eq!(list.as_bytes(), input);
    let n = list.records().count();
    assert_eq!(n, list.len());
    assert!(!list.is_empty());
    let mut end = list.header().length();
    for r in list.records() {
        assert_eq!(r.offset(), end);
        end += r.length();
        let _ = (r.functions().count(), r.elements().count(), r.dns_name());
    }
    assert_eq!(end, input.len());
    let _ = list.signer_record();
    let _ = list.verify();
    let written = TrustListBuf::from_view(list).to_bytes().unwrap();
    if written != input {
        let at = written
            .iter()
            .zip(input)
            .position(|(a, b)| a != b)
            .unwrap_or(written.len().min(input.len()));
        let show = |b: &[u8]| b[at.saturating_sub(8)..(at + 8).min(b.len())].to_vec();
        panic!(
            "written back differently: {} bytes vs {} read, first difference at {at}: \
             wrote {:?}, read {:?}",
            written.len(),
            input.len(),
            show(&written),
            show(input)
        );
    }
}

fn check_input(input: &[u8]) {
    match Header::parse(input) {
        Ok(h) => {
            assert!(h.length() <= input.len());
            assert_eq!(h.as_bytes(), &input[..h.length()]);
        }
        Err(e) => check_error(&e, input),
    }
    if let Err(e) = Record::parse(input, 0) {
        check_error(&e, input);
    }
    match TrustList::parse(input) {
        Ok(list) => exercise(&list, input),
        Err(e) => check_error(&e, input),
    }
}

/// One mutation of a byte string; positions are taken modulo its length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Set(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        if let Mutation::Insert(_, b) = m {
            data.push(*b);
        }
        return;
    }
    let at = |p: usize| p % data.len();
    match *m {
        Mutation::Flip(p, b) => {
            let i = at(p);
            data[i] ^= b;
        }
        Mutation::Set(p, b) => {
            let i = at(p);
            data[i] = b;
        }
        Mutation::Insert(p, b) => {
            let i = p % (data.len() + 1);
            data.insert(i, b);
        }
        Mutation::Delete(p) => {
            let i = at(p);
            data.remove(i);
        }
        Mutation::Truncate(p) => {
            let i = at(p);
            data.truncate(i);
        }
    }
}

/// Element soup: plausible tags, short values, occasional padding bytes,
/// and a HEADERLENGTH / RECORDLENGTH that matches, so that parsing gets
/// past the first element.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    let element = (
        prop_oneof![0..=16u8, Just(28u8), any::<u8>()],
        vec(any::<u8>(), 0..24),
    );
    (
        vec(element.clone(), 0..16),
        vec(vec(element, 0..10), 0..4),
        any::<bool>(),
    )
        .prop_map(|(header, records, fix_lengths)| {
            let mut out = Vec::new();
            let mut head = vec![1, 0, 2, 1, 2, 2, 0, 2, 0, 0];
            for (tag, value) in header {
                push(&mut head, tag, &value);
            }
            if fix_lengths {
                let n = u16::try_from(head.len()).unwrap().to_be_bytes();
                head[8..10].copy_from_slice(&n);
            }
            out.extend(head);
            for rec in records {
                let mut r = vec![1, 0, 2, 0, 0];
                for (tag, value) in rec {
                    push(&mut r, tag, &value);
                }
                if fix_lengths {
                    let n = u16::try_from(r.len()).unwrap().to_be_bytes();
                    r[3..5].copy_from_slice(&n);
                }
                out.extend(r);
            }
            out
        })
}

fn push(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    if tag == 13 {
        return; // a padding byte
    }
    out.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
    out.extend_from_slice(value);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// (a) Arbitrary bytes up to 8 KiB.
    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..8192)) {
        check_input(&data);
    }

    /// (a) Arbitrary bytes behind a valid-looking start.
    #[test]
    fn arbitrary_tails_never_panic(cut in any::<usize>(), which in 0..GOOD.len(), tail in vec(any::<u8>(), 0..512)) {
        let file = &good()[which];
        let mut data = file[..cut % file.len()].to_vec();
        data.extend(tail);
        check_input(&data);
    }

    /// (a), (c) Element sequences with matching lengths, to reach the
    /// deeper checks.
    #[test]
    fn element_soup_never_panics(data in soup()) {
        check_input(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// (b) One to four mutations of a good vector.
    #[test]
    fn mutated_vectors_never_panic_and_write_back(which in 0..GOOD.len(), mutations in vec(mutation(), 1..=4)) {
        let mut data = good()[which].clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        check_input(&data);
    }
}

/// A header as a tree, re-encoded by this test (not by the library), so
/// that elements can be added anywhere and every length recomputed.
#[derive(Debug, Clone)]
enum Node {
    Leaf(u8, Vec<u8>),
    Container(u8, Vec<Node>),
    Pad,
}

fn children(value: &[u8], algo_info_inside: bool) -> Vec<Node> {
    cisco_itl::tlv::Elements::new(value, 0)
        .map(|e| {
            let e = e.unwrap();
            if algo_info_inside && e.tag.0 == 9 {
                Node::Container(9, children(e.value, false))
            } else {
                Node::Leaf(e.tag.0, e.value.to_vec())
            }
        })
        .collect()
}

fn tree(h: &Header<'_>) -> Vec<Node> {
    h.items()
        .map(|i| match i {
            cisco_itl::tlv::Item::Padding(_) => Node::Pad,
            cisco_itl::tlv::Item::Element(e) if e.tag.0 == 3 => {
                Node::Container(3, children(e.value, false))
            }
            cisco_itl::tlv::Item::Element(e) if e.tag.0 == 7 => {
                Node::Container(7, children(e.value, true))
            }
            cisco_itl::tlv::Item::Element(e) => Node::Leaf(e.tag.0, e.value.to_vec()),
        })
        .collect()
}

fn encode(nodes: &[Node], out: &mut Vec<u8>) {
    for n in nodes {
        match n {
            Node::Leaf(t, v) => push_element(out, *t, v),
            Node::Container(t, kids) => {
                let mut inner = Vec::new();
                encode(kids, &mut inner);
                push_element(out, *t, &inner);
            }
            Node::Pad => out.push(13),
        }
    }
}

fn push_element(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
    out.extend_from_slice(value);
}

/// Adds `(place, position, tag, value)` elements to a good vector's header
/// (place 0: top level, 1: SIGNERID, 2: SIGNATUREINFO, 3: SIGNATUREALGOINFO)
/// and fixes every length.
fn with_extra_elements(file: &[u8], extra: &[(u8, usize, u8, Vec<u8>)]) -> Vec<u8> {
    let list = TrustList::parse(file).unwrap();
    let mut nodes = tree(list.header());
    for (place, pos, tag, value) in extra {
        // At the top level a tag-2 element would be a second HEADERLENGTH
        // (a duplicate) and tag 13 a padding byte, not an element: the
        // property is about elements the reader does not interpret.
        let tag = if *place == 0 && matches!(*tag, 2 | 13) {
            99
        } else {
            *tag
        };
        let leaf = Node::Leaf(tag, value.clone());
        let target: &mut Vec<Node> = match place {
            0 => &mut nodes,
            1 | 2 => {
                let want = if *place == 1 { 3 } else { 7 };
                match nodes
                    .iter_mut()
                    .find(|n| matches!(n, Node::Container(t, _) if *t == want))
                {
                    Some(Node::Container(_, kids)) => kids,
                    _ => unreachable!(),
                }
            }
            _ => {
                let info = nodes
                    .iter_mut()
                    .find_map(|n| match n {
                        Node::Container(7, kids) => Some(kids),
                        _ => None,
                    })
                    .unwrap();
                info.iter_mut()
                    .find_map(|n| match n {
                        Node::Container(9, kids) => Some(kids),
                        _ => None,
                    })
                    .unwrap()
            }
        };
        let at = pos % (target.len() + 1);
        target.insert(at, leaf);
    }
    let mut head = Vec::new();
    encode(&nodes, &mut head);
    let total = u16::try_from(head.len()).unwrap().to_be_bytes();
    // HEADERLENGTH is the first top-level tag-2 element.
    let mut pos = 0;
    loop {
        if head[pos] == 13 {
            pos += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([head[pos + 1], head[pos + 2]]));
        if head[pos] == 2 {
            head[pos + 3..pos + 5].copy_from_slice(&total);
            break;
        }
        pos += 3 + len;
    }
    head.extend_from_slice(&file[list.header().length()..]);
    head
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Unknown elements added anywhere in a good header: the header docs
    /// say they are accepted and kept, so whatever parses must write back
    /// identically.
    #[test]
    fn unknown_header_elements_are_kept(
        which in 0..GOOD.len(),
        extra in vec((0..4u8, any::<usize>(), prop_oneof![0..=31u8, any::<u8>()], vec(any::<u8>(), 0..6)), 1..=3),
    ) {
        let data = with_extra_elements(&good()[which], &extra);
        check_input(&data);
    }
}

#[test]
fn the_header_tree_reencodes_every_vector() {
    for (name, file) in GOOD.iter().zip(good()) {
        assert_eq!(&with_extra_elements(file, &[]), file, "{name}");
    }
}

#[test]
fn every_good_vector_passes_the_checks() {
    for (name, file) in GOOD.iter().zip(good()) {
        let list = TrustList::parse(file).unwrap_or_else(|e| panic!("{name}: {e}"));
        exercise(&list, file);
        assert!(list.verify().is_ok(), "{name}");
    }
}

#[test]
fn every_truncation_of_a_vector_is_an_error_inside_it() {
    // Exhaustive over the smallest vector: every prefix fails, with an
    // error that points inside the prefix.
    let file = std::fs::read(format!("{VECTORS}/cucm-ITLFile-rollback.tlv")).unwrap();
    for n in 0..file.len() {
        let prefix = &file[..n];
        let e = TrustList::parse(prefix).unwrap_err();
        check_error(&e, prefix);
    }
}
