//! `show itl` rendering through a writer: the streamed text is exactly
//! `render()`'s for every vector; a 16 MiB list renders in constant extra
//! memory (a counting global allocator records the peak bytes held while
//! rendering; allowed here, in a test binary; the crate itself forbids
//! `unsafe`); and signed files (`.sgn`) are shown as such, by the library
//! and by the `show_itl` example.
#![cfg(test)]
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt;
use std::path::PathBuf;

use cisco_itl::show::{
    Outcome, SignedOutcome, is_signed_file, render, render_io, render_signed_file,
    render_signed_file_io, render_signed_file_to, render_to,
};
use cisco_itl::{ListKind, ParseError, TrustList};

const VECTORS: &str = "tests/data/vectors";

// ---------------------------------------------------------------------
// A global allocator that tracks the bytes held on the measuring thread.

struct Counting;

thread_local! {
    // `const` thread-locals without destructors never allocate themselves.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn held(delta: isize) {
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let _ = HELD.try_with(|h| {
            let now = h.get() + delta;
            h.set(now);
            let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
        });
    }
}

fn size(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter only touches `const` thread-locals, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        held(size(layout.size()));
        // SAFETY: the caller's contract is passed through.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        held(size(layout.size()));
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        held(size(new_size) - size(layout.size()));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        held(-size(layout.size()));
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f`; returns the most bytes it held allocated at once (on this
/// thread, beyond what was held before).
fn peak_bytes<T>(f: impl FnOnce() -> T) -> (usize, T) {
    HELD.with(|h| h.set(0));
    PEAK.with(|p| p.set(0));
    MEASURING.with(|m| m.set(true));
    let out = f();
    MEASURING.with(|m| m.set(false));
    (usize::try_from(PEAK.with(Cell::get)).unwrap_or(0), out)
}

/// A `fmt::Write` that keeps nothing: it counts bytes and lines.
#[derive(Default)]
struct Counter {
    bytes: usize,
    lines: usize,
}

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes += s.len();
        self.lines += s.bytes().filter(|&b| b == b'\n').count();
        Ok(())
    }
}

// ---------------------------------------------------------------------
// Helpers.

/// Every `.tlv` and `.sgn` of the vectors folder, sorted by name.
fn vectors() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(VECTORS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tlv" || x == "sgn"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{name}")).unwrap()
}

/// `cucm-ITLFile.tlv` with copies of its records appended until the file
/// is at least `target` bytes. It parses; its signature no longer verifies.
fn big_list(target: usize) -> Vec<u8> {
    let base = read("cucm-ITLFile.tlv");
    let header = TrustList::parse(&base).unwrap().header().length();
    let records = base[header..].to_vec();
    let mut out = base;
    out.reserve(target + records.len());
    while out.len() < target {
        out.extend_from_slice(&records);
    }
    out
}

// ---------------------------------------------------------------------
// (a) The streamed text is render()'s.

#[test]
fn render_to_writes_exactly_what_render_returns_for_every_vector() {
    let files = vectors();
    assert!(files.len() >= 18, "16 .tlv and 2 .sgn vectors: {files:?}");
    for (name, bytes) in &files {
        for kind in [None, Some(ListKind::Itl), Some(ListKind::Ctl)] {
            let rendered = render(bytes, kind);
            assert!(!rendered.text.is_empty());

            let mut text = String::new();
            let outcome = render_to(&mut text, bytes, kind).unwrap();
            assert_eq!(text, rendered.text, "{name} {kind:?}: render_to");
            assert_eq!(outcome, rendered.outcome, "{name} {kind:?}: outcome");

            let mut io = Vec::new();
            let outcome = render_io(&mut io, bytes, kind).unwrap();
            assert_eq!(io, rendered.text.as_bytes(), "{name} {kind:?}: render_io");
            assert_eq!(outcome, rendered.outcome, "{name} {kind:?}: io outcome");

            let mut count = Counter::default();
            render_to(&mut count, bytes, kind).unwrap();
            assert_eq!(count.bytes, rendered.text.len(), "{name}: counted bytes");
        }
    }
}

#[test]
fn the_outcomes_are_those_of_parse_and_verify() {
    for (name, bytes) in vectors() {
        let mut sink = Counter::default();
        let outcome = render_to(&mut sink, &bytes, None).unwrap();
        match TrustList::parse(&bytes) {
            Err(e) => assert_eq!(outcome, Outcome::ParseFailed(e), "{name}"),
            Ok(list) => match list.verify() {
                Ok(v) => assert_eq!(outcome, Outcome::Verified(v), "{name}"),
                Err(e) => assert_eq!(outcome, Outcome::VerificationFailed(e), "{name}"),
            },
        }
    }
}

/// A writer that fails once it has taken `room` bytes.
struct Full {
    room: usize,
}

impl fmt::Write for Full {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.room = self.room.checked_sub(s.len()).ok_or(fmt::Error)?;
        Ok(())
    }
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.room.checked_sub(buf.len()) {
            Some(left) => {
                self.room = left;
                Ok(buf.len())
            }
            None => Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn writer_errors_are_returned() {
    let itl = read("cucm-ITLFile.tlv");
    let sgn = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let (itl_len, sgn_len) = (
        render(&itl, None).text.len(),
        render_signed_file(&sgn).len(),
    );
    for part in [0, 1, 2, 3] {
        let room = itl_len * part / 4 + 10;
        assert_eq!(render_to(&mut Full { room }, &itl, None), Err(fmt::Error));
        let e = render_io(&mut Full { room }, &itl, None).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
        let room = sgn_len * part / 4 + 10;
        assert_eq!(
            render_signed_file_to(&mut Full { room }, &sgn),
            Err(fmt::Error)
        );
        let e = render_signed_file_io(&mut Full { room }, &sgn).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
    }
    // Room for all of it: no error.
    assert!(render_to(&mut Full { room: itl_len }, &itl, None).is_ok());
    assert!(render_signed_file_to(&mut Full { room: sgn_len }, &sgn).is_ok());
}

// ---------------------------------------------------------------------
// (b) Constant extra memory.

/// Renders `data` into a counter; returns the peak bytes held and what was
/// written.
fn streamed_peak(data: &[u8]) -> (usize, Counter, Outcome) {
    let mut sink = Counter::default();
    let (peak, outcome) = peak_bytes(|| render_to(&mut sink, data, None));
    (peak, sink, outcome.unwrap())
}

/// What the signature check itself may hold beyond the bound: nothing,
/// as both backends hash the signed parts in place.
fn verify_allowance(_data: &[u8]) -> usize {
    0
}

#[test]
fn rendering_a_16_mib_list_takes_constant_memory() {
    const BOUND: usize = 64 * 1024;
    let small = read("cucm-ITLFile.tlv");
    let one = big_list(1 << 20);
    let big = big_list(16 << 20);
    assert!(big.len() >= 16 << 20);
    let list = TrustList::parse(&big).unwrap();
    assert!(list.len() > 20_000, "{} records", list.len());

    let (small_peak, small_out, small_outcome) = streamed_peak(&small);
    assert!(matches!(small_outcome, Outcome::Verified(_)));
    let (one_peak, one_out, _) = streamed_peak(&one);
    let (big_peak, big_out, big_outcome) = streamed_peak(&big);
    eprintln!(
        "streamed peak: {small_peak} B for {} B ({} B out), {one_peak} B for {} B ({} B out), \
         {big_peak} B for {} B ({} B, {} lines out)",
        small.len(),
        small_out.bytes,
        one.len(),
        one_out.bytes,
        big.len(),
        big_out.bytes,
        big_out.lines,
    );
    // Everything was rendered: every record, to the last line.
    assert!(matches!(big_outcome, Outcome::VerificationFailed(_)));
    assert!(big_out.bytes > 8 << 20, "{} bytes out", big_out.bytes);
    assert!(big_out.lines > 10 * list.len(), "{} lines", big_out.lines);
    // The peak does not grow with the input.
    assert!(
        big_peak <= BOUND + verify_allowance(&big),
        "{big_peak} bytes held rendering {} bytes",
        big.len()
    );
    assert!(one_peak <= BOUND + verify_allowance(&one), "{one_peak}");
    assert!(small_peak <= BOUND, "{small_peak}");

    // The counter sees a whole-text rendering: render() holds at least
    // its text (the 1 MiB list's: the 16 MiB one's is no good in a test).
    let (collected_peak, r) = peak_bytes(|| render(&one, None).text.len());
    eprintln!("render() peak for {} B: {collected_peak} B", one.len());
    assert_eq!(r, one_out.bytes);
    assert!(collected_peak >= r, "{collected_peak} < {r}");
}

// ---------------------------------------------------------------------
// Signed files.

const NOT_CHECKED: &str = "The signature cannot be checked without the signer's certificate; \
                           verify it against the ITL or CTL that names its signer.";
const SIGNED_FILE: &str = "This is a signed file (.sgn), not a trust list: its header follows.";

#[test]
fn a_cucm_signed_file_shows_its_header() {
    let bytes = read("cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let mut text = String::new();
    let outcome = render_signed_file_to(&mut text, &bytes).unwrap();
    assert_eq!(outcome, SignedOutcome::NotVerified);
    assert_eq!(render_signed_file(&bytes), text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..11],
        [
            "The checksum value of the signed file: 7fa69d0a32ec99eef2acfc1d6437fdbb(MD5) \
             52cf8f2dae5f3a6cf5aea0800ef5f468229f8749(SHA1)",
            "Length of signed file: 476",
            SIGNED_FILE,
            "Version: 1.0",
            "HeaderLength: 352 (BYTES)",
            "BYTEPOS TAG LENGTH VALUE",
            "3 SIGNERID 2 149",
            "4 SIGNERNAME 62 CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL",
            "5 SERIALNUMBER 16 2A:E4:4D:A7:F2:37:0D:9E:26:0E:27:13:65:A4:A3:A6",
            "6 CANAME 62 CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL",
            "7 SIGNATUREINFO 2 15",
        ]
    );
    assert_eq!(lines[15], "12 SIGNATURE 128");
    assert_eq!(lines[16], "a8 f1 d4 79 96 c9 2a f6");
    // 128 signature bytes: 16 lines of 8.
    assert_eq!(
        lines[lines.len() - 5..],
        [
            "14 FILENAME 28",
            "15 TIMESTAMP 4",
            "Filename: SEP0011215A1AE3.cnf.xml.sgn",
            "Payload: 124 bytes after the header.",
            NOT_CHECKED,
        ]
    );
    assert_eq!(lines.len(), 16 + 16 + 5);
    assert!(text.ends_with(&format!("{NOT_CHECKED}\n")));
}

#[test]
fn a_peer_signed_file_shows_its_header() {
    let bytes = read("peer-SEPpeer.cnf.xml.sgn");
    let text = render_signed_file(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "Length of signed file: 592");
    assert_eq!(lines[2], SIGNED_FILE);
    assert_eq!(lines[4], "HeaderLength: 468 (BYTES)");
    // The independent builder's element order is kept.
    assert_eq!(
        lines[6..10],
        [
            "3 SIGNERID 2 145",
            "4 SIGNERNAME 60 C=NZ,ST=WGN,L=Wellington,O=Asterisk,OU=Asterisk,CN=Asterisk",
            "6 CANAME 60 C=NZ,ST=WGN,L=Wellington,O=Asterisk,OU=Asterisk,CN=Asterisk",
            "5 SERIALNUMBER 16 48:2F:A8:ED:D0:94:BA:97:AE:8B:15:44:2E:DB:61:1A",
        ]
    );
    assert_eq!(
        lines[lines.len() - 3..],
        [
            "Filename: SEPpeer.cnf.xml.sgn",
            "Payload: 124 bytes after the header.",
            NOT_CHECKED,
        ]
    );
    let mut io = Vec::new();
    let outcome = render_signed_file_io(&mut io, &bytes).unwrap();
    assert_eq!(outcome, SignedOutcome::NotVerified);
    assert_eq!(io, text.as_bytes());
}

#[test]
fn the_signed_file_header_lines_are_the_trust_list_ones() {
    // The same header, shown both ways, gives the same lines.
    let bytes = read("cucm-ITLFile.tlv");
    let list = render(&bytes, None).text;
    let signed = render_signed_file(&bytes);
    let header = |t: &str| -> Vec<String> {
        t.lines()
            .skip_while(|l| !l.starts_with("Version: "))
            .take_while(|l| !l.starts_with("ITL Record #:") && !l.starts_with("Filename: "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(header(&list), header(&signed));
    assert!(header(&list).len() > 20);
    assert!(signed.contains("\nPayload: 4837 bytes after the header.\n"));
}

#[test]
fn what_is_not_a_signed_file_says_so() {
    let mut text = String::new();
    let outcome = render_signed_file_to(&mut text, b"").unwrap();
    assert_eq!(outcome, SignedOutcome::ParseFailed(ParseError::Empty));
    assert_eq!(
        text,
        "The checksum value of the signed file: d41d8cd98f00b204e9800998ecf8427e(MD5) \
         da39a3ee5e6b4b0d3255bfef95601890afd80709(SHA1)\n\
         Length of signed file: 0\n\
         Error parsing the signed file!!\n"
    );
}

#[test]
fn only_the_sgn_vectors_are_signed_files() {
    let signed: Vec<String> = vectors()
        .into_iter()
        .filter(|(_, b)| is_signed_file(b))
        .map(|(n, _)| n)
        .collect();
    // The broken trust lists whose header parses are not signed files:
    // their FILENAME is ITLFile.tlv.
    assert_eq!(
        signed,
        [
            "cucm-SEP0011215A1AE3.cnf.xml.sgn",
            "peer-SEPpeer.cnf.xml.sgn"
        ]
    );
}

// ---------------------------------------------------------------------
// The example.

/// Runs `cargo run -q --example show_itl -- args` from the crate folder.
fn show_itl(args: &[&str]) -> std::process::Output {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(&dir);
    cmd.args(["run", "-q", "-p", "cisco-itl", "--example", "show_itl"]);
    // The same features as this test, so the build is shared.
    if !cfg!(feature = "aws-lc") {
        cmd.args(["--no-default-features", "--features", "std"]);
    }
    cmd.arg("--").args(args).output().unwrap()
}

#[test]
fn show_itl_shows_a_signed_file_and_exits_1() {
    let path = format!("{VECTORS}/cucm-SEP0011215A1AE3.cnf.xml.sgn");
    let out = show_itl(&[&path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        render_signed_file(&read("cucm-SEP0011215A1AE3.cnf.xml.sgn"))
    );
    // A trust list still shows as one, and verifies.
    let path = format!("{VECTORS}/cucm-ITLFile.tlv");
    let out = show_itl(&[&path]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        render(&read("cucm-ITLFile.tlv"), None).text
    );
    // A broken one does not parse.
    let out = show_itl(&[&format!("{VECTORS}/bad-trailing-garbage.tlv")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("Error parsing the ITL file!!\n"));
}
