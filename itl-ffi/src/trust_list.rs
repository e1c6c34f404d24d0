//! Trust lists (`itl_trust_list`), their header (`itl_header`, shared with
//! signed files) and records (`itl_record`), and their verification.

use std::ffi::{CString, c_char};

use itl::cert::CertInfo;
use itl::header::Header;
use itl::record::Record;
use itl::verify::{Policy, TrustAnchor};
use itl::{Function, TrustList};

use crate::error::{Error, guard, guard_value, itl_result};
use crate::handle::{self, Owned, Part, Tag, tags};
use crate::ptr::{Out, OutArray, array_in, bytes_in};
use crate::types::{functions_of, itl_policy, kind_code};

/// A text field as a C string. The parser refuses NUL inside text, so this
/// only fails on a broken invariant.
fn c_text(s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::new(itl_result::ITL_ERR_PARSE, "text holds a NUL byte"))
}

/// A file header: the signer, the digest and signature, the file name and
/// time. Borrowed from the `itl_trust_list`, `itl_signed_file` or
/// `itl_encrypted_file` it was read from (never freed on its own).
pub struct itl_header {
    tag: Tag,
    version: (u8, u8),
    signer_version: Option<(u8, u8)>,
    length: usize,
    signer_name: CString,
    signer_serial: Box<[u8]>,
    ca_name: CString,
    digest: u8,
    signature_algorithm: u8,
    modulus: u8,
    signature: Box<[u8]>,
    filename: CString,
    timestamp: u32,
}

impl itl_header {
    /// A copy of a parsed header.
    pub(crate) fn from_view(h: &Header<'_>) -> Result<Self, Error> {
        Ok(itl_header {
            tag: tags::HEADER,
            version: h.version(),
            signer_version: h.signer_version(),
            length: h.length(),
            signer_name: c_text(h.signer_name())?,
            signer_serial: h.signer_serial().into(),
            ca_name: c_text(h.ca_name())?,
            digest: h.digest().code(),
            signature_algorithm: h.signature_algorithm(),
            modulus: h.modulus().0,
            signature: h.signature().into(),
            filename: c_text(h.filename())?,
            timestamp: h.timestamp(),
        })
    }
}

/// One record of a trust list: a certificate (or its hash) and its roles.
/// Borrowed from its `itl_trust_list` (never freed on its own).
pub struct itl_record {
    tag: Tag,
    offset: usize,
    length: usize,
    functions: Box<[u16]>,
    dns_name: Option<CString>,
    subject: CString,
    issuer: CString,
    // The byte fields are positions in the list's own bytes, which the
    // accessors hand out without a copy.
    serial: Span,
    public_key: Option<Span>,
    signature: Option<Span>,
    certificate: Option<Span>,
    ip_address: Option<Span>,
    cert_hash: Option<Span>,
    hash_algorithm: Option<u8>,
}

/// Where a field sits in the bytes it was parsed from.
type Span = std::ops::Range<usize>;

/// The span of `part`, a slice of `data`, in `data`.
fn span(data: &[u8], part: &[u8]) -> Span {
    let start = part.as_ptr().addr().saturating_sub(data.as_ptr().addr());
    start..start.saturating_add(part.len())
}

/// The bytes of a span of `data` (empty if it does not fit, which a span
/// made by `span` from the same bytes always does).
fn field<'d>(data: &'d [u8], span: &Span) -> &'d [u8] {
    data.get(span.clone()).unwrap_or_default()
}

impl itl_record {
    /// The record's fields; `r` must be parsed from `data`.
    fn from_view(r: &Record<'_>, data: &[u8]) -> Result<Self, Error> {
        let opt_text = |s: Option<&str>| s.map(c_text).transpose();
        let at = |part: Option<&[u8]>| part.map(|p| span(data, p));
        Ok(itl_record {
            tag: tags::RECORD,
            offset: r.offset(),
            length: r.length(),
            functions: r.functions().map(Function::code).collect(),
            dns_name: opt_text(r.dns_name())?,
            subject: c_text(r.subject())?,
            issuer: c_text(r.issuer())?,
            serial: span(data, r.serial()),
            public_key: at(r.public_key()),
            signature: at(r.signature()),
            certificate: at(r.certificate()),
            ip_address: at(r.ip_address()),
            cert_hash: at(r.cert_hash()),
            hash_algorithm: r.hash_algorithm(),
        })
    }
}

/// A parsed trust list (ITL or CTL): a copy of the file's bytes, its header
/// and its records. Immutable once made.
pub struct itl_trust_list {
    tag: Tag,
    data: Box<[u8]>,
    header: Box<itl_header>,
    records: Box<[itl_record]>,
}

impl itl_trust_list {
    /// Copies and parses a trust list; its records point into the copy.
    pub(crate) fn parse(data: &[u8]) -> Result<Self, Error> {
        let data: Box<[u8]> = data.into();
        let list = TrustList::parse(&data)?;
        let records = list
            .records()
            .map(|r| itl_record::from_view(&r, &data))
            .collect::<Result<Box<[_]>, _>>()?;
        let header = Box::new(itl_header::from_view(list.header())?);
        Ok(itl_trust_list {
            tag: tags::TRUST_LIST,
            header,
            data,
            records,
        })
    }

    /// The list's bytes (the library's copy).
    #[cfg_attr(not(feature = "tvs-net"), allow(dead_code))]
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The parsed view of the bytes (parsed again: cheap, and it parsed
    /// once already).
    pub(crate) fn view(&self) -> Result<TrustList<'_>, Error> {
        Ok(TrustList::parse(&self.data)?)
    }
}

handle::handle_kind!(itl_trust_list, TRUST_LIST, TrustList, |this| {
    let mut parts = vec![(handle::address(&*this.header), Part::Header)];
    parts.extend(
        this.records
            .iter()
            .enumerate()
            .map(|(i, r)| (handle::address(r), Part::Record(i))),
    );
    parts
});

/// Runs `f` on the header behind a borrowed `itl_header` handle.
pub(crate) fn with_header<T>(
    header: *const itl_header,
    f: impl FnOnce(&itl_header) -> Result<T, Error>,
) -> Result<T, Error> {
    let (owner, part) = handle::get_part(header as usize, "itl_header")?;
    let h: &itl_header = match (&owner, part) {
        (Owned::TrustList(l), Part::Header) => &l.header,
        (Owned::SignedFile(s), Part::Header) => s.header(),
        (Owned::EncryptedFile(e), Part::Header) => e.header(),
        _ => return Err(Error::bad_handle("the handle is not an itl_header")),
    };
    if h.tag != tags::HEADER {
        return Err(Error::bad_handle("the handle is not an itl_header"));
    }
    f(h)
}

/// Runs `f` on the record behind a borrowed `itl_record` handle.
/// `f` also gets the bytes of the record's list, which its byte fields
/// point into.
fn with_record<T>(
    record: *const itl_record,
    f: impl FnOnce(&itl_record, &[u8]) -> Result<T, Error>,
) -> Result<T, Error> {
    let (owner, part) = handle::get_part(record as usize, "itl_record")?;
    let (r, data) = match (&owner, part) {
        (Owned::TrustList(l), Part::Record(i)) => l.records.get(i).map(|r| (r, &l.data[..])),
        _ => None,
    }
    .filter(|(r, _)| r.tag == tags::RECORD)
    .ok_or_else(|| Error::bad_handle("the handle is not an itl_record"))?;
    f(r, data)
}

/// Writes a byte field's pointer and length.
fn give_slice(bytes: &[u8], data: *mut *const u8, len: *mut usize) -> Result<(), Error> {
    let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
    data.write(bytes.as_ptr());
    len.write(bytes.len());
    Ok(())
}

/// Writes an optional byte field, or reports it absent.
fn give_opt_slice(
    bytes: Option<&[u8]>,
    what: &str,
    data: *mut *const u8,
    len: *mut usize,
) -> Result<(), Error> {
    let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
    data.write(std::ptr::null());
    len.write(0);
    let bytes = bytes.ok_or_else(|| Error::not_found(format!("the record has no {what}")))?;
    data.write(bytes.as_ptr());
    len.write(bytes.len());
    Ok(())
}

// ---------------------------------------------------------------------
// Parsing and the list itself

/// Parses a trust list (`ITLFile.tlv`, `CTLFile.tlv`, a per-device copy)
/// from a buffer. Parsing checks every element of every record and
/// refuses malformed input with `ITL_ERR_PARSE` (the message names the
/// fault and its byte offset); it does not verify the signature (see
/// `itl_trust_list_verify`).
///
/// `data`, `len`: the file, read during the call only (the list keeps its
/// own copy). `data` must not be NULL, even for `len` 0 (an empty file,
/// which does not parse).
/// `out`: receives the new list, or NULL on failure. The caller owns it
/// and frees it with `itl_trust_list_free`.
/// Threads: the list is immutable; any number of threads may use it at
/// once.
///
/// Ownership: `data` is copied; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut itl_trust_list,
) -> itl_result {
    guard("itl_trust_list_parse", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let data = bytes_in(data, len, "data")?;
        out.write(handle::new_handle(itl_trust_list::parse(data)?));
        Ok(())
    })
}

/// Frees a trust list, with its header and records (every `itl_header` and
/// `itl_record` borrowed from it, and every pointer into them, becomes
/// invalid).
///
/// Ownership: takes back `list`. NULL is a no-op. Anything that is not a
/// live list (a list freed already, another kind of handle) is left alone
/// and reported in `itl_last_error_message()`.
/// Threads: do not free a list another thread is still using; a call in
/// flight on another thread keeps the memory alive until it returns, but
/// pointers it handed out die with the list.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_free(list: *mut itl_trust_list) {
    handle::free("itl_trust_list_free", list);
}

/// The number of records of a trust list (at least 1), or 0 when `list`
/// is not a live list (then `itl_last_error_message()` says why).
///
/// Threads: any thread.
///
/// Ownership: `list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_record_count(list: *const itl_trust_list) -> usize {
    guard_value("itl_trust_list_record_count", 0, || {
        Ok(handle::get(list, "list")?.records.len())
    })
}

/// The list's bytes (the library's copy of what was parsed).
///
/// `data`, `len`: receive a pointer into the list and the length. Valid
/// until the list is freed; do not free or modify.
///
/// Ownership: `list` is borrowed; `*data` points into it (valid until it is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_bytes(
    list: *const itl_trust_list,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_trust_list_bytes", || {
        give_slice(&handle::get(list, "list")?.data, data, len)
    })
}

/// The list's kind, from its signed FILENAME: `ITL_LIST_CTL` when the name
/// starts with `CTL`, `ITL_LIST_ITL` otherwise.
///
/// `kind`: receives the kind.
///
/// Ownership: `list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_kind(list: *const itl_trust_list, kind: *mut u32) -> itl_result {
    guard("itl_trust_list_kind", || {
        let kind = Out::new(kind, "kind")?;
        let l = handle::get(list, "list")?;
        kind.write(kind_code(l.view()?.kind()));
        Ok(())
    })
}

/// The list's header.
///
/// `header`: receives a handle borrowed from the list: valid until the
/// list is freed; never free it.
///
/// Ownership: `list` is borrowed; `*header` is borrowed from it (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_header(
    list: *const itl_trust_list,
    header: *mut *const itl_header,
) -> itl_result {
    guard("itl_trust_list_header", || {
        let header = Out::new(header, "header")?;
        header.write(std::ptr::null());
        let l = handle::get(list, "list")?;
        header.write(&*l.header);
        Ok(())
    })
}

/// A record of the list, by 0-based index.
///
/// `index`: below `itl_trust_list_record_count(list)`, else
/// `ITL_ERR_INVALID_ARGUMENT`.
/// `record`: receives a handle borrowed from the list: valid until the
/// list is freed; never free it.
///
/// Ownership: `list` is borrowed; `*record` is borrowed from it (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_record(
    list: *const itl_trust_list,
    index: usize,
    record: *mut *const itl_record,
) -> itl_result {
    guard("itl_trust_list_record", || {
        let record = Out::new(record, "record")?;
        record.write(std::ptr::null());
        let l = handle::get(list, "list")?;
        let r = l.records.get(index).ok_or_else(|| {
            Error::invalid(format!(
                "record index {index} is past the last record ({} records)",
                l.records.len()
            ))
        })?;
        record.write(r);
        Ok(())
    })
}

/// The index of the list's signing record: the SAST record whose serial
/// and issuer are the header's signer's. `ITL_ERR_NOT_FOUND` when there is
/// none (then the list cannot verify by itself).
///
/// `index`: receives the 0-based index.
///
/// Ownership: `list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_signer_record(
    list: *const itl_trust_list,
    index: *mut usize,
) -> itl_result {
    guard("itl_trust_list_signer_record", || {
        let index = Out::new(index, "index")?;
        let l = handle::get(list, "list")?;
        let (i, _) = l
            .view()?
            .signer_record()
            .ok_or_else(|| Error::not_found("no SAST record names the header's signer"))?;
        index.write(i);
        Ok(())
    })
}

// ---------------------------------------------------------------------
// Verification

/// Verifies the list against its own signing record, under the policy
/// phones apply (`itl_policy_default()`): the signing record must be SAST,
/// agree with its certificate, be named truthfully by the header, and its
/// key must verify the signature.
///
/// `signer_index`: receives the 0-based index of the record that signed
/// it (`show itl` counts from 1). Unchanged on failure.
/// Returns `ITL_OK`, `ITL_ERR_VERIFY` (the message says why) or
/// `ITL_ERR_POLICY`.
/// Threads: several threads may verify the same or different lists at
/// once.
///
/// Ownership: `list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_verify(
    list: *const itl_trust_list,
    signer_index: *mut usize,
) -> itl_result {
    guard("itl_trust_list_verify", || {
        verify_self(list, Policy::default(), signer_index)
    })
}

/// `itl_trust_list_verify` under another policy (`itl_policy_strict()`,
/// or one of the caller's).
///
/// Ownership: `list` is borrowed for the call; `policy` is a value.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_verify_with_policy(
    list: *const itl_trust_list,
    policy: itl_policy,
    signer_index: *mut usize,
) -> itl_result {
    guard("itl_trust_list_verify_with_policy", || {
        verify_self(list, policy.into(), signer_index)
    })
}

fn verify_self(
    list: *const itl_trust_list,
    policy: Policy,
    signer_index: *mut usize,
) -> Result<(), Error> {
    let signer_index = Out::new(signer_index, "signer_index")?;
    let l = handle::get(list, "list")?;
    let v = l.view()?.verify_with_policy(&policy)?;
    signer_index.write(v.signer_index.unwrap_or(usize::MAX));
    Ok(())
}

/// Verifies the list against an installed one: the signer must be a
/// record of `installed` that carries one of `functions` (for instance the
/// SAST records of the installed CTL) and names the header's signer, and
/// its key must verify the signature. The list's own records are ignored.
///
/// `installed`: the list already trusted.
/// `functions`, `function_count`: FUNCTION codes (`ITL_FUNCTION_*`), at
/// least one; read during the call only.
/// `installed_index`: receives the 0-based index, in `installed`, of the
/// record that verified it.
/// Returns `ITL_OK`, `ITL_ERR_VERIFY` or `ITL_ERR_POLICY`.
///
/// Ownership: `list` and `installed` are borrowed for the call; `functions` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_verify_with_list(
    list: *const itl_trust_list,
    installed: *const itl_trust_list,
    functions: *const u16,
    function_count: usize,
    policy: itl_policy,
    installed_index: *mut usize,
) -> itl_result {
    guard("itl_trust_list_verify_with_list", || {
        let installed_index = Out::new(installed_index, "installed_index")?;
        let functions = functions_of(array_in(functions, function_count, "functions")?)?;
        let (l, i) = (
            handle::get(list, "list")?,
            handle::get(installed, "installed")?,
        );
        let (index, _) = l
            .view()?
            .verify_with_list(&i.view()?, &functions, &policy.into())?;
        installed_index.write(index);
        Ok(())
    })
}

/// Verifies the list against a certificate the caller trusts: the header
/// must name it (serial, issuer and subject) and its key must verify the
/// signature. The list's own records are ignored.
///
/// `certificate`, `certificate_len`: an X.509 certificate, PEM or DER
/// (a PEM file with a key too is fine: its first CERTIFICATE block is
/// used); read during the call only.
/// Returns `ITL_OK`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`, or
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` when the certificate is unusable.
///
/// Ownership: `list` is borrowed; `certificate` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_verify_with_certificate(
    list: *const itl_trust_list,
    certificate: *const u8,
    certificate_len: usize,
    policy: itl_policy,
) -> itl_result {
    guard("itl_trust_list_verify_with_certificate", || {
        let anchor = anchor_of(bytes_in(certificate, certificate_len, "certificate")?)?;
        let l = handle::get(list, "list")?;
        l.view()?.verify_with(&[anchor], &policy.into())?;
        Ok(())
    })
}

/// The trust anchor of a PEM or DER certificate.
pub(crate) fn anchor_of(certificate: &[u8]) -> Result<TrustAnchor, Error> {
    let cert = CertInfo::from_pem_or_der(certificate)?;
    TrustAnchor::from_certificate(&cert).map_err(|e| {
        Error::new(
            itl_result::ITL_ERR_BAD_KEY_OR_CERTIFICATE,
            format!("the certificate cannot verify signatures: {e}"),
        )
    })
}

/// Checks that every record carrying a CERTIFICATE agrees with it (its
/// PUBLICKEY, serial, names, CERTHASH and SIGNATURE are the
/// certificate's). A phone refuses a list that fails this.
///
/// `bad_index`: receives the 0-based index of the first record that
/// disagrees (on `ITL_ERR_VERIFY`); unchanged on `ITL_OK`.
///
/// Ownership: `list` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_list_check_records(
    list: *const itl_trust_list,
    bad_index: *mut usize,
) -> itl_result {
    guard("itl_trust_list_check_records", || {
        let bad_index = Out::new(bad_index, "bad_index")?;
        let l = handle::get(list, "list")?;
        l.view()?.check_records().map_err(|(i, e)| {
            bad_index.write(i);
            Error::from(e)
        })
    })
}

// ---------------------------------------------------------------------
// Header fields

/// The header's format version: CUCM's trust lists say 1.2, signed files
/// 1.0.
///
/// Ownership: `header` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_version(
    header: *const itl_header,
    major: *mut u8,
    minor: *mut u8,
) -> itl_result {
    guard("itl_header_version", || {
        let (major, minor) = (Out::new(major, "major")?, Out::new(minor, "minor")?);
        with_header(header, |h| {
            major.write(h.version.0);
            minor.write(h.version.1);
            Ok(())
        })
    })
}

/// The signer version (tag 28) some non-CUCM builders write;
/// `ITL_ERR_NOT_FOUND` when the header has none (CUCM's).
///
/// Ownership: `header` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_signer_version(
    header: *const itl_header,
    major: *mut u8,
    minor: *mut u8,
) -> itl_result {
    guard("itl_header_signer_version", || {
        let (major, minor) = (Out::new(major, "major")?, Out::new(minor, "minor")?);
        with_header(header, |h| {
            let (a, b) = h
                .signer_version
                .ok_or_else(|| Error::not_found("the header has no signer version"))?;
            major.write(a);
            minor.write(b);
            Ok(())
        })
    })
}

/// The header's length in bytes (HEADERLENGTH): where the records, or a
/// signed file's payload, start.
///
/// Ownership: `header` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_length(header: *const itl_header, length: *mut usize) -> itl_result {
    guard("itl_header_length", || {
        let length = Out::new(length, "length")?;
        with_header(header, |h| {
            length.write(h.length);
            Ok(())
        })
    })
}

/// SIGNERNAME: the signer certificate's subject, as written
/// (`CN=cucm-pub;OU=TAC;…`).
///
/// `name`: receives a NUL-terminated string owned by the header's list or
/// file: valid until that is freed; do not free it.
///
/// Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_signer_name(
    header: *const itl_header,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_header_signer_name", || {
        let name = Out::new(name, "name")?;
        with_header(header, |h| {
            name.write(h.signer_name.as_ptr());
            Ok(())
        })
    })
}

/// CANAME: the signer certificate's issuer, as written.
///
/// `name`: as for `itl_header_signer_name`.
///
/// Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_ca_name(
    header: *const itl_header,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_header_ca_name", || {
        let name = Out::new(name, "name")?;
        with_header(header, |h| {
            name.write(h.ca_name.as_ptr());
            Ok(())
        })
    })
}

/// FILENAME: the name the file was signed as (`ITLFile.tlv`,
/// `SEP0011215A1AE3.cnf.xml.sgn`).
///
/// `name`: as for `itl_header_signer_name`.
///
/// Ownership: `header` is borrowed for the call; `*name` points into the header's list or signed file (valid until that is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_filename(
    header: *const itl_header,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_header_filename", || {
        let name = Out::new(name, "name")?;
        with_header(header, |h| {
            name.write(h.filename.as_ptr());
            Ok(())
        })
    })
}

/// SERIALNUMBER: the signer certificate's serial, raw bytes.
///
/// `data`, `len`: receive a pointer owned by the header's list or file
/// (valid until that is freed; do not free) and the length.
///
/// Ownership: `header` is borrowed for the call; `*data` points into the header's list or signed file (valid until that is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_signer_serial(
    header: *const itl_header,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_header_signer_serial", || {
        with_header(header, |h| give_slice(&h.signer_serial, data, len))
    })
}

/// The signature bytes.
///
/// `data`, `len`: as for `itl_header_signer_serial`.
///
/// Ownership: `header` is borrowed for the call; `*data` points into the header's list or signed file (valid until that is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_signature(
    header: *const itl_header,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_header_signature", || {
        with_header(header, |h| give_slice(&h.signature, data, len))
    })
}

/// The signature's parameters as written: the digest code
/// (`ITL_DIGEST_*`, or another value the file holds), the signature
/// algorithm (0: RSA PKCS#1 v1.5) and the SIGNATUREMODULUS code (the key
/// size: 0 for 512, 1 for 1024, 2 for 2048, 3 for 4096 bits).
///
/// Ownership: `header` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_signature_info(
    header: *const itl_header,
    digest: *mut u8,
    signature_algorithm: *mut u8,
    modulus: *mut u8,
) -> itl_result {
    guard("itl_header_signature_info", || {
        let digest = Out::new(digest, "digest")?;
        let algorithm = Out::new(signature_algorithm, "signature_algorithm")?;
        let modulus = Out::new(modulus, "modulus")?;
        with_header(header, |h| {
            digest.write(h.digest);
            algorithm.write(h.signature_algorithm);
            modulus.write(h.modulus);
            Ok(())
        })
    })
}

/// TIMESTAMP: when the file was signed, in seconds since the Unix epoch.
///
/// Ownership: `header` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_header_timestamp(
    header: *const itl_header,
    timestamp: *mut u32,
) -> itl_result {
    guard("itl_header_timestamp", || {
        let timestamp = Out::new(timestamp, "timestamp")?;
        with_header(header, |h| {
            timestamp.write(h.timestamp);
            Ok(())
        })
    })
}

// ---------------------------------------------------------------------
// Record fields

/// Where the record is in the file: the offset of its first byte and its
/// length (RECORDLENGTH).
///
/// Ownership: `record` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_span(
    record: *const itl_record,
    offset: *mut usize,
    length: *mut usize,
) -> itl_result {
    guard("itl_record_span", || {
        let (offset, length) = (Out::new(offset, "offset")?, Out::new(length, "length")?);
        with_record(record, |r, _| {
            offset.write(r.offset);
            length.write(r.length);
            Ok(())
        })
    })
}

/// The record's first FUNCTION code (`ITL_FUNCTION_*`, or a code the
/// format does not define, kept as read).
///
/// Ownership: `record` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_function(record: *const itl_record, function: *mut u16) -> itl_result {
    guard("itl_record_function", || {
        let function = Out::new(function, "function")?;
        with_record(record, |r, _| {
            function.write(r.functions.first().copied().unwrap_or(u16::MAX));
            Ok(())
        })
    })
}

/// Every FUNCTION code of the record, in file order (CUCM writes one; a
/// record may carry several).
///
/// `functions`, `capacity`: the caller's array; NULL with a capacity of 0
/// asks for the count only.
/// `count`: receives the number of codes. When it is above `capacity`,
/// nothing is copied and `ITL_ERR_BUFFER_TOO_SMALL` is returned.
///
/// Ownership: `record` is borrowed for the call; the codes are copied into the caller's array.
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_functions(
    record: *const itl_record,
    functions: *mut u16,
    capacity: usize,
    count: *mut usize,
) -> itl_result {
    guard("itl_record_functions", || {
        let count = Out::new(count, "count")?;
        let array = OutArray::new(functions, capacity, "functions")?;
        with_record(record, |r, _| {
            count.write(r.functions.len());
            if array.fill(&r.functions) {
                Ok(())
            } else {
                Err(Error::too_small(
                    "functions",
                    r.functions.len(),
                    array.capacity(),
                ))
            }
        })
    })
}

/// Whether any FUNCTION of the record is `function`.
///
/// Ownership: `record` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_has_function(
    record: *const itl_record,
    function: u16,
    has: *mut bool,
) -> itl_result {
    guard("itl_record_has_function", || {
        let has = Out::new(has, "has")?;
        with_record(record, |r, _| {
            has.write(r.functions.contains(&function));
            Ok(())
        })
    })
}

/// SUBJECTNAME, as written.
///
/// `name`: receives a NUL-terminated string owned by the record's list:
/// valid until the list is freed; do not free it.
///
/// Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_subject(
    record: *const itl_record,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_record_subject", || {
        let name = Out::new(name, "name")?;
        with_record(record, |r, _| {
            name.write(r.subject.as_ptr());
            Ok(())
        })
    })
}

/// ISSUERNAME, as written.
///
/// `name`: as for `itl_record_subject`.
///
/// Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_issuer(
    record: *const itl_record,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_record_issuer", || {
        let name = Out::new(name, "name")?;
        with_record(record, |r, _| {
            name.write(r.issuer.as_ptr());
            Ok(())
        })
    })
}

/// DNSNAME (empty in CUCM's ITLs, the host name in its CTLs);
/// `ITL_ERR_NOT_FOUND` when the record has none.
///
/// `name`: as for `itl_record_subject`; NULL when absent.
///
/// Ownership: `record` is borrowed for the call; `*name` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_dns_name(
    record: *const itl_record,
    name: *mut *const c_char,
) -> itl_result {
    guard("itl_record_dns_name", || {
        let name = Out::new(name, "name")?;
        name.write(std::ptr::null());
        with_record(record, |r, _| {
            let dns = r
                .dns_name
                .as_ref()
                .ok_or_else(|| Error::not_found("the record has no DNSNAME"))?;
            name.write(dns.as_ptr());
            Ok(())
        })
    })
}

/// SERIALNUMBER: the certificate's serial, raw bytes.
///
/// `data`, `len`: receive a pointer owned by the record's list (valid
/// until the list is freed; do not free) and the length.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_serial(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_serial", || {
        with_record(record, |r, bytes| {
            give_slice(field(bytes, &r.serial), data, len)
        })
    })
}

/// CERTIFICATE: the X.509 certificate, DER; `ITL_ERR_NOT_FOUND` when the
/// record carries none (CUCM's TVS and CAPF records of an ITL carry only
/// its hash, an eToken record only its key).
///
/// `data`, `len`: as for `itl_record_serial`; NULL and 0 when absent.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_certificate(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_certificate", || {
        with_record(record, |r, bytes| {
            give_opt_slice(
                r.certificate.as_ref().map(|s| field(bytes, s)),
                "CERTIFICATE",
                data,
                len,
            )
        })
    })
}

/// CERTHASH: the SHA-1 of the certificate's DER (TVS and CAPF records of
/// CUCM's ITLs); `ITL_ERR_NOT_FOUND` when absent.
///
/// `data`, `len`: as for `itl_record_certificate`.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_cert_hash(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_cert_hash", || {
        with_record(record, |r, bytes| {
            give_opt_slice(
                r.cert_hash.as_ref().map(|s| field(bytes, s)),
                "CERTHASH",
                data,
                len,
            )
        })
    })
}

/// HASH ALGORITHM: the code of CERTHASH's hash (1: SHA-1);
/// `ITL_ERR_NOT_FOUND` when absent.
///
/// Ownership: `record` is borrowed for the call; the values are copied out.
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_hash_algorithm(
    record: *const itl_record,
    algorithm: *mut u8,
) -> itl_result {
    guard("itl_record_hash_algorithm", || {
        let algorithm = Out::new(algorithm, "algorithm")?;
        with_record(record, |r, _| {
            let a = r
                .hash_algorithm
                .ok_or_else(|| Error::not_found("the record has no HASH ALGORITHM"))?;
            algorithm.write(a);
            Ok(())
        })
    })
}

/// PUBLICKEY: the certificate's key (PKCS#1 `RSAPublicKey` DER for RSA);
/// `ITL_ERR_NOT_FOUND` when absent.
///
/// `data`, `len`: as for `itl_record_certificate`.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_public_key(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_public_key", || {
        with_record(record, |r, bytes| {
            give_opt_slice(
                r.public_key.as_ref().map(|s| field(bytes, s)),
                "PUBLICKEY",
                data,
                len,
            )
        })
    })
}

/// SIGNATURE: the certificate's own signature; `ITL_ERR_NOT_FOUND` when
/// absent.
///
/// `data`, `len`: as for `itl_record_certificate`.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_signature(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_signature", || {
        with_record(record, |r, bytes| {
            give_opt_slice(
                r.signature.as_ref().map(|s| field(bytes, s)),
                "SIGNATURE",
                data,
                len,
            )
        })
    })
}

/// IPADDRESS, raw (4 bytes in CUCM's CTLs); `ITL_ERR_NOT_FOUND` when
/// absent.
///
/// `data`, `len`: as for `itl_record_certificate`.
///
/// Ownership: `record` is borrowed for the call; `*data` points into the record's list (valid until the list is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_record_ip_address(
    record: *const itl_record,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_record_ip_address", || {
        with_record(record, |r, bytes| {
            give_opt_slice(
                r.ip_address.as_ref().map(|s| field(bytes, s)),
                "IPADDRESS",
                data,
                len,
            )
        })
    })
}
