//! Parsing is zero-copy: parsing every vector, walking every record and
//! calling every accessor allocates nothing. A counting global allocator
//! (allowed here, in a test binary; the crate itself forbids `unsafe`)
//! counts the allocations made on the measuring thread.
#![cfg(test)]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use cisco_itl::tlv::Item;
use cisco_itl::{Function, Header, Record, TrustList};

struct Counting;

thread_local! {
    // `const` thread-locals without destructors never allocate themselves.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    let on = COUNTING.try_with(Cell::get).unwrap_or(false);
    if on {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter only touches `const` thread-locals, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract is passed through.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    let out = f();
    COUNTING.with(|c| c.set(false));
    (COUNT.with(Cell::get), out)
}

fn all_tlv_vectors() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir("tests/data/vectors")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tlv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Every accessor of a record; returns a checksum so nothing is optimised out.
fn touch_record(r: &Record<'_>) -> usize {
    let mut n = r.length() + r.offset() + r.as_bytes().len();
    n += usize::from(r.function().code());
    for f in r.functions() {
        n += usize::from(f.code()) + usize::from(r.has_function(f));
    }
    n += usize::from(r.has_function(Function::Sast));
    n += r.dns_name().map_or(0, str::len);
    n += r.subject().len() + r.issuer().len() + r.serial().len();
    n += r.public_key().map_or(0, <[u8]>::len);
    n += r.signature().map_or(0, <[u8]>::len);
    n += r.certificate().map_or(0, <[u8]>::len);
    n += r.ip_address().map_or(0, <[u8]>::len);
    n += r.cert_hash().map_or(0, <[u8]>::len);
    n += usize::from(r.hash_algorithm().unwrap_or(0));
    n += usize::from(r.matches_signer(r.serial(), r.issuer()));
    for e in r.elements() {
        n += e.offset + e.value.len() + usize::from(e.tag.0) + e.encoded_len();
    }
    // Hashing the certificate is stack-only too.
    if let Some(c) = r.certificate() {
        n += usize::from(cisco_itl::digest::sha1(c)[0]);
    }
    n
}

fn touch_header(h: &Header<'_>) -> usize {
    let mut n = h.length() + h.as_bytes().len();
    let (a, b) = h.version();
    n += usize::from(a) + usize::from(b);
    n += h
        .signer_version()
        .map_or(0, |(a, b)| usize::from(a) + usize::from(b));
    n += h.signer_name().len() + h.signer_serial().len() + h.ca_name().len();
    n += usize::from(h.digest().code()) + h.digest().name().len();
    n += usize::from(h.signature_algorithm()) + usize::from(h.modulus().0);
    n += h.signature().len() + h.signature_element().offset;
    n += h.filename().len() + usize::try_from(h.timestamp()).unwrap_or(0);
    for i in h.items() {
        n += match i {
            Item::Element(e) => e.offset + e.encoded_len(),
            Item::Padding(at) => at,
        };
    }
    n
}

fn touch_list(list: &TrustList<'_>) -> usize {
    let mut n = list.as_bytes().len() + list.len() + usize::from(list.is_empty());
    n += touch_header(list.header());
    n += list.kind().as_str().len();
    for r in list.records() {
        n += touch_record(&r);
    }
    for i in 0..=list.len() {
        n += list.record(i).map_or(0, |r| r.length());
    }
    if let Some((i, r)) = list.signer_record() {
        n += i + r.length();
    }
    n += list.records_with(Function::Tvs).count();
    n += list.records_with(Function::Sast).count();
    let parts = list.signed_parts();
    n += parts[0].len() + parts[1].len();
    // The signed bytes' digest is held inline.
    if let Some(d) = list.header().digest().hash_parts(&parts) {
        n += d.as_ref().len();
    }
    n
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| black_box(vec![1u8; 100]));
    assert_eq!(n, 1);
    drop(v);
    let (n, s) = allocations(|| {
        let mut s = String::new();
        for _ in 0..100 {
            s.push_str("abcdefgh");
        }
        black_box(s)
    });
    assert!(n >= 2, "{n}");
    drop(s);
    let (n, ()) = allocations(|| ());
    assert_eq!(n, 0);
}

#[test]
fn parsing_and_reading_every_vector_allocates_nothing() {
    let files = all_tlv_vectors();
    assert_eq!(files.len(), 16, "the .tlv vectors");
    let (n, (parsed, failed, sum)) = allocations(|| {
        let (mut parsed, mut failed, mut sum) = (0usize, 0usize, 0usize);
        for (_, bytes) in &files {
            match Header::parse(black_box(bytes)) {
                Ok(h) => sum += touch_header(&h),
                Err(e) => sum += usize::from(matches!(e, cisco_itl::ParseError::Empty)),
            }
            match TrustList::parse(black_box(bytes)) {
                Ok(list) => {
                    parsed += 1;
                    sum += touch_list(&list);
                }
                Err(_) => failed += 1,
            }
        }
        (parsed, failed, black_box(sum))
    });
    assert_eq!(n, 0, "allocations while parsing and reading");
    // The measurement covered real work: 9 good lists and the 2 tampered
    // ones parse, the 5 malformed ones fail.
    assert_eq!((parsed, failed), (11, 5));
    assert!(sum > 0);
}

#[test]
fn errors_allocate_nothing_either() {
    let files = all_tlv_vectors();
    let (n, errors) = allocations(|| {
        let mut errors = 0;
        for (_, bytes) in &files {
            for cut in [0, 1, 7, 100, bytes.len() / 2] {
                if let Err(e) = TrustList::parse(black_box(&bytes[..cut.min(bytes.len())])) {
                    errors += 1;
                    black_box(e);
                }
            }
        }
        errors
    });
    assert_eq!(n, 0, "allocations while failing to parse");
    assert_eq!(errors, files.len() * 5);
}
