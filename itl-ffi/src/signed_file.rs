//! Signed files (`.sgn`: a configuration, a ring list…): the trust-list
//! header, then the payload. Parsing, verifying against a trust list or a
//! certificate, and the payload.

use itl::signed_file::SignedFile;
use itl::verify::Policy;

use crate::error::{Error, guard, itl_result};
use crate::handle::{self, Part, Tag, tags};
use crate::ptr::{Out, array_in, bytes_in};
use crate::trust_list::{anchor_of, itl_header, itl_trust_list};
use crate::types::{functions_of, itl_policy};

/// A parsed signed file: a copy of its bytes and its header. Immutable
/// once made.
pub struct itl_signed_file {
    tag: Tag,
    data: Box<[u8]>,
    header: Box<itl_header>,
}

impl itl_signed_file {
    /// The header.
    pub(crate) fn header(&self) -> &itl_header {
        &self.header
    }

    fn view(&self) -> Result<SignedFile<'_>, Error> {
        Ok(SignedFile::parse(&self.data)?)
    }
}

handle::handle_kind!(itl_signed_file, SIGNED_FILE, SignedFile, |this| {
    vec![(handle::address(&*this.header), Part::Header)]
});

/// Parses a signed file (`SEP<MAC>.cnf.xml.sgn`…): its header; the rest is
/// the payload. Does not verify it (see
/// `itl_signed_file_verify_with_list`).
///
/// `data`, `len`: the file, read during the call only (the handle keeps
/// its own copy); `data` must not be NULL.
/// `out`: receives the new handle, or NULL on failure; free it with
/// `itl_signed_file_free`.
/// Threads: the handle is immutable; any number of threads may use it.
///
/// Ownership: `data` is copied; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut itl_signed_file,
) -> itl_result {
    guard("itl_signed_file_parse", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let data = bytes_in(data, len, "data")?;
        let sgn = SignedFile::parse(data)?;
        let file = itl_signed_file {
            tag: tags::SIGNED_FILE,
            header: Box::new(itl_header::from_view(sgn.header())?),
            data: data.into(),
        };
        out.write(handle::new_handle(file));
        Ok(())
    })
}

/// Frees a signed file and its header.
///
/// Ownership: takes back `file`. NULL is a no-op; anything that is not a
/// live signed file is left alone and reported in
/// `itl_last_error_message()`.
/// Threads: do not free a handle another thread is still using.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_free(file: *mut itl_signed_file) {
    handle::free("itl_signed_file_free", file);
}

/// The file's header (signer, digest, FILENAME, TIMESTAMP…).
///
/// `header`: receives a handle borrowed from the file: valid until the
/// file is freed; never free it.
///
/// Ownership: `file` is borrowed; `*header` is borrowed from it (valid until the file is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_header(
    file: *const itl_signed_file,
    header: *mut *const itl_header,
) -> itl_result {
    guard("itl_signed_file_header", || {
        let header = Out::new(header, "header")?;
        header.write(std::ptr::null());
        let f = handle::get(file, "file")?;
        header.write(f.header());
        Ok(())
    })
}

/// The payload: the file with its header stripped (the configuration XML).
/// Verify the file first: the payload of an unverified file is untrusted.
///
/// `data`, `len`: receive a pointer owned by the file (valid until it is
/// freed; do not free) and the length (which may be 0).
///
/// Ownership: `file` is borrowed; `*data` points into it (valid until it is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_payload(
    file: *const itl_signed_file,
    data: *mut *const u8,
    len: *mut usize,
) -> itl_result {
    guard("itl_signed_file_payload", || {
        let (data, len) = (Out::new(data, "data")?, Out::new(len, "len")?);
        let f = handle::get(file, "file")?;
        let payload = f.view()?.payload();
        data.write(payload.as_ptr());
        len.write(payload.len());
        Ok(())
    })
}

/// Verifies the file against a trust list: the signer must be a record of
/// `list` carrying one of `functions` (a phone checks a configuration
/// against the `ITL_FUNCTION_CCM_TFTP` and `ITL_FUNCTION_TFTP` records of
/// its CTL or ITL) and named by the header, and its key must verify the
/// signature.
///
/// `functions`, `function_count`: at least one FUNCTION code; read during
/// the call only.
/// `record_index`: receives the 0-based index, in `list`, of the record
/// that verified it.
/// Returns `ITL_OK`, `ITL_ERR_VERIFY` or `ITL_ERR_POLICY`.
/// Threads: any number of threads may verify at once.
///
/// Ownership: `file` and `list` are borrowed for the call; `functions` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_verify_with_list(
    file: *const itl_signed_file,
    list: *const itl_trust_list,
    functions: *const u16,
    function_count: usize,
    policy: itl_policy,
    record_index: *mut usize,
) -> itl_result {
    guard("itl_signed_file_verify_with_list", || {
        let record_index = Out::new(record_index, "record_index")?;
        let functions = functions_of(array_in(functions, function_count, "functions")?)?;
        let (f, l) = (handle::get(file, "file")?, handle::get(list, "list")?);
        let policy: Policy = policy.into();
        let (index, _) = f
            .view()?
            .verify_with_list(&l.view()?, &functions, &policy)?;
        record_index.write(index);
        Ok(())
    })
}

/// Verifies the file against a certificate the caller trusts (PEM or DER,
/// read during the call only): the header must name it and its key must
/// verify the signature.
///
/// Returns `ITL_OK`, `ITL_ERR_VERIFY`, `ITL_ERR_POLICY`, or
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` when the certificate is unusable.
///
/// Ownership: `file` is borrowed; `certificate` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_signed_file_verify_with_certificate(
    file: *const itl_signed_file,
    certificate: *const u8,
    certificate_len: usize,
    policy: itl_policy,
) -> itl_result {
    guard("itl_signed_file_verify_with_certificate", || {
        let anchor = anchor_of(bytes_in(certificate, certificate_len, "certificate")?)?;
        let f = handle::get(file, "file")?;
        f.view()?.verify_with(&[anchor], &policy.into())?;
        Ok(())
    })
}
