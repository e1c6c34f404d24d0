//! Encrypted configurations (`SEP<MAC>.cnf.xml.enc.sgn`): parsing, the
//! header and the encryption block, decryption (after verification) with
//! the phone's key, and encryption for a phone's certificate signed by the
//! TFTP key.

use std::ffi::c_char;

use itl::cert::CertInfo;
use itl::encrypted::{
    DecryptError, EncryptError, EncryptedError, EncryptedFile, EncryptedFileBuilder,
};
use itl::verify::Policy;

use crate::build::{bytes_out, give, itl_signer};
use crate::error::{Error, guard, itl_result};
use crate::handle::{self, Part, Tag, tags};
use crate::ptr::{Out, OutArray, array_in, bytes_in, str_in};
use crate::trust_list::{anchor_of, itl_header, itl_trust_list};
use crate::types::{digest_of, functions_of, itl_policy};

/// A parsed encrypted configuration: a copy of its bytes and its header.
/// Immutable once made.
pub struct itl_encrypted_file {
    tag: Tag,
    data: Box<[u8]>,
    header: Box<itl_header>,
}

impl itl_encrypted_file {
    /// The header.
    pub(crate) fn header(&self) -> &itl_header {
        &self.header
    }

    /// The parsed view of the bytes (parsed again: cheap, and it parsed
    /// once already).
    fn view(&self) -> Result<EncryptedFile<'_>, Error> {
        EncryptedFile::parse(&self.data).map_err(parse_error)
    }
}

handle::handle_kind!(itl_encrypted_file, ENCRYPTED_FILE, EncryptedFile, |this| {
    vec![(handle::address(&*this.header), Part::Header)]
});

/// The encryption block of an encrypted configuration (header tags 16 to
/// 27) and its encrypted payload. The pointers point into the
/// `itl_encrypted_file` it was read from: valid until that file is freed;
/// never free them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_encryption_info {
    /// IVTYPE (tag 18), 0 in CUCM's files.
    pub iv_type: u8,
    /// IV (tag 19): the 16 bytes of the AES-128-CBC IV.
    pub iv: *const u8,
    /// PADDINGLENGTH (tag 20): how many `0x0D` bytes pad the plaintext (1
    /// to 16).
    pub padding_length: u16,
    /// KEYTYPE (tag 22), 0 in CUCM's files.
    pub key_type: u8,
    /// KEYLENGTH (tag 23): the phone key's size in bits.
    pub key_bits: u16,
    /// KEYFORMAT (tag 24), 1 (RSA PKCS#1 v1.5).
    pub key_format: u8,
    /// ENCRYPTEDKEY (tag 25): the AES key wrapped under the phone's public
    /// key.
    pub wrapped_key: *const u8,
    /// The length of `wrapped_key`.
    pub wrapped_key_len: usize,
    /// PLAINDIGESTALGORITHM (tag 26): `ITL_DIGEST_SHA1` or
    /// `ITL_DIGEST_SHA512`.
    pub digest: u8,
    /// PLAINDIGEST (tag 27): the plaintext's digest.
    pub plain_digest: *const u8,
    /// The length of `plain_digest` (20 or 64).
    pub plain_digest_len: usize,
    /// The encrypted payload (after the header): a whole number of 16-byte
    /// blocks. A buffer of this many bytes always holds the plaintext.
    pub ciphertext: *const u8,
    /// The length of `ciphertext`.
    pub ciphertext_len: usize,
}

/// A parse failure: `ITL_ERR_PARSE` with the core's message.
fn parse_error(e: EncryptedError) -> Error {
    e.into()
}

/// The code of a decryption failure (through the core's category), with
/// the core's message.
fn decrypt_error(e: &DecryptError) -> Error {
    e.clone().into()
}

/// The code of an encryption failure (through the core's category), with
/// the core's message.
fn encrypt_error(e: EncryptError) -> Error {
    e.into()
}

/// Parses an encrypted configuration (`SEP<MAC>.cnf.xml.enc.sgn`): the
/// signed-file header with its encryption block and plaintext digest, and
/// a payload of whole AES blocks. Does not verify or decrypt it (see
/// `itl_encrypted_decrypt_with_certificate`).
///
/// `data`, `len`: the file, read during the call only (the handle keeps
/// its own copy); `data` must not be NULL.
/// `out`: receives the new handle, or NULL on failure; free it with
/// `itl_encrypted_free`.
/// Returns `ITL_OK` or `ITL_ERR_PARSE` (a malformed header, no encryption
/// block, an element of the block missing, twice or of the wrong size, a
/// payload that is not whole blocks).
/// Threads: the handle is immutable; any number of threads may use it.
///
/// Ownership: `data` is copied; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_parse(
    data: *const u8,
    len: usize,
    out: *mut *mut itl_encrypted_file,
) -> itl_result {
    guard("itl_encrypted_parse", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let data = bytes_in(data, len, "data")?;
        let file = EncryptedFile::parse(data).map_err(parse_error)?;
        let handle = itl_encrypted_file {
            tag: tags::ENCRYPTED_FILE,
            header: Box::new(itl_header::from_view(file.header())?),
            data: data.into(),
        };
        out.write(handle::new_handle(handle));
        Ok(())
    })
}

/// Frees an encrypted configuration and its header.
///
/// Ownership: takes back `file`. NULL is a no-op; anything that is not a
/// live encrypted file is left alone and reported in
/// `itl_last_error_message()`.
/// Threads: do not free a handle another thread is still using.
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_free(file: *mut itl_encrypted_file) {
    handle::free("itl_encrypted_free", file);
}

/// The file's header (signer, digest, FILENAME, TIMESTAMP…), read with
/// the `itl_header_*` functions.
///
/// `header`: receives a handle borrowed from the file: valid until the
/// file is freed; never free it.
///
/// Ownership: `file` is borrowed; `*header` is borrowed from it (valid until the file is freed; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_header(
    file: *const itl_encrypted_file,
    header: *mut *const itl_header,
) -> itl_result {
    guard("itl_encrypted_header", || {
        let header = Out::new(header, "header")?;
        header.write(std::ptr::null());
        let f = handle::get(file, "file")?;
        header.write(f.header());
        Ok(())
    })
}

/// The encryption block and the encrypted payload (`*info` is left
/// unchanged on failure).
///
/// Ownership: `file` is borrowed; the pointers of `*info` point into it (valid until it is freed; never free them).
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_info(
    file: *const itl_encrypted_file,
    info: *mut itl_encryption_info,
) -> itl_result {
    guard("itl_encrypted_info", || {
        let info = Out::new(info, "info")?;
        let f = handle::get(file, "file")?;
        let view = f.view()?;
        let i = view.info();
        let ciphertext = view.ciphertext();
        info.write(itl_encryption_info {
            iv_type: i.iv_type,
            iv: i.iv.as_ptr(),
            padding_length: i.padding_length,
            key_type: i.key_type,
            key_bits: i.key_bits,
            key_format: i.key_format,
            wrapped_key: i.wrapped_key.as_ptr(),
            wrapped_key_len: i.wrapped_key.len(),
            digest: i.digest.code(),
            plain_digest: i.plain_digest.as_ptr(),
            plain_digest_len: i.plain_digest.len(),
            ciphertext: ciphertext.as_ptr(),
            ciphertext_len: ciphertext.len(),
        });
        Ok(())
    })
}

/// Copies a decrypted configuration into the caller's buffer, or says how
/// large it must be.
fn plaintext_out(plain: &[u8], out: &OutArray<u8>, out_len: &Out<usize>) -> Result<(), Error> {
    out_len.write(plain.len());
    if out.fill(plain) {
        Ok(())
    } else {
        Err(Error::too_small("out", plain.len(), out.capacity()))
    }
}

/// Verifies an encrypted configuration against a certificate the caller
/// trusts (the TFTP certificate, PEM or DER, read during the call only),
/// then decrypts it with the phone's key and writes the configuration
/// into the caller's buffer. A file whose signature is not accepted is
/// never decrypted.
///
/// `phone`: the phone's key and certificate (its LSC or MIC; load it with
/// `itl_signer_from_pem` or `itl_signer_from_pkcs12`). The file's name
/// (`SEP<MAC>.cnf.xml.enc.sgn`) must be the certificate's device.
/// `out`, `capacity`: the caller's buffer (NULL with a capacity of 0 to
/// ask for the size). `itl_encryption_info.ciphertext_len` bytes always
/// suffice. Nothing is written into it unless the call succeeds.
/// `out_len`: receives the plaintext's length on success and on
/// `ITL_ERR_BUFFER_TOO_SMALL` (the size needed), 0 on any other failure.
/// Returns `ITL_OK`; `ITL_ERR_VERIFY` or `ITL_ERR_POLICY` (the signature
/// is not accepted); `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (an unusable
/// trusted certificate, or a phone certificate naming no device);
/// `ITL_ERR_DECRYPT` (the file names no phone, or another phone than the
/// certificate's, the key does not open the file, the padding does not
/// hold, the plaintext's digest differs); or
/// `ITL_ERR_BUFFER_TOO_SMALL`.
/// Threads: any number of threads may decrypt at once.
///
/// Ownership: `file` and `phone` are borrowed; `certificate` is read during the call only; the plaintext is copied into the caller's buffer (wipe it when done; the library wipes its own copy).
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_decrypt_with_certificate(
    file: *const itl_encrypted_file,
    certificate: *const u8,
    certificate_len: usize,
    policy: itl_policy,
    phone: *const itl_signer,
    out: *mut u8,
    capacity: usize,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_encrypted_decrypt_with_certificate", || {
        let out_len = Out::new(out_len, "out_len")?;
        out_len.write(0);
        let out = OutArray::new(out, capacity, "out")?;
        let anchor = anchor_of(bytes_in(certificate, certificate_len, "certificate")?)?;
        let (f, p) = (handle::get(file, "file")?, handle::get(phone, "phone")?);
        let policy: Policy = policy.into();
        let plain = f
            .view()?
            .decrypt_with(&[anchor], &policy, p.signer())
            .map_err(|e| decrypt_error(&e))?;
        plaintext_out(&plain, &out, &out_len)
    })
}

/// Verifies an encrypted configuration against a trust list, as a phone
/// does (the signer must be a record of `list` carrying one of
/// `functions`: `ITL_FUNCTION_CCM_TFTP` and `ITL_FUNCTION_TFTP` for a
/// configuration), then decrypts it with the phone's key into the caller's
/// buffer. Otherwise as `itl_encrypted_decrypt_with_certificate`.
///
/// `functions`, `function_count`: at least one FUNCTION code; read during
/// the call only.
///
/// Ownership: `file`, `list` and `phone` are borrowed; `functions` is read during the call only; the plaintext is copied into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_decrypt_with_list(
    file: *const itl_encrypted_file,
    list: *const itl_trust_list,
    functions: *const u16,
    function_count: usize,
    policy: itl_policy,
    phone: *const itl_signer,
    out: *mut u8,
    capacity: usize,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_encrypted_decrypt_with_list", || {
        let out_len = Out::new(out_len, "out_len")?;
        out_len.write(0);
        let out = OutArray::new(out, capacity, "out")?;
        let functions = functions_of(array_in(functions, function_count, "functions")?)?;
        let (f, l, p) = (
            handle::get(file, "file")?,
            handle::get(list, "list")?,
            handle::get(phone, "phone")?,
        );
        let policy: Policy = policy.into();
        let plain = f
            .view()?
            .decrypt_with_list(&l.view()?, &functions, &policy, p.signer())
            .map_err(|e| decrypt_error(&e))?;
        plaintext_out(&plain, &out, &out_len)
    })
}

/// Encrypts a phone's configuration for its certificate and signs it with
/// the TFTP key: `SEP<MAC>.cnf.xml.enc.sgn` (version 2.0). A fresh
/// AES-128 key and IV come from the operating system; the key is wrapped
/// with RSA PKCS#1 v1.5 under the certificate's public key.
///
/// `device`: the phone's name, `SEP` and 12 hex digits, NUL-terminated;
/// FILENAME is `<device>.cnf.xml.enc.sgn`.
/// `plaintext`, `plaintext_len`: the configuration (may be empty; not
/// NULL), read during the call only.
/// `phone_certificate`, `phone_certificate_len`: the phone's certificate
/// (LSC or MIC, PEM or DER); when its subject names a device, it must be
/// `device`.
/// `tftp`: the TFTP signer (`CallManager.pem`).
/// `digest`: `ITL_DIGEST_SHA1` (CUCM's default) or `ITL_DIGEST_SHA512`:
/// the signature's and the plaintext's digest. `timestamp`: seconds since
/// the epoch.
/// `out`, `out_len`: receive the file (NULL and 0 on failure); free it
/// with `itl_bytes_free`.
/// Returns `ITL_OK`; `ITL_ERR_INVALID_ARGUMENT` (a device name that is
/// not `SEP<MAC>`, SHA-256, an unknown digest code);
/// `ITL_ERR_BAD_KEY_OR_CERTIFICATE` (an unusable phone certificate, one
/// naming another device, an unusable TFTP certificate); or
/// `ITL_ERR_SIGN`.
/// Threads: any number of threads may encrypt at once.
///
/// Ownership: `tftp` is borrowed; `device`, `plaintext` and `phone_certificate` are read during the call only; the caller owns `*out` (free with `itl_bytes_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_encrypted_encrypt(
    device: *const c_char,
    plaintext: *const u8,
    plaintext_len: usize,
    phone_certificate: *const u8,
    phone_certificate_len: usize,
    tftp: *const itl_signer,
    digest: u8,
    timestamp: u32,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> itl_result {
    guard("itl_encrypted_encrypt", || {
        let (out, out_len) = bytes_out(out, out_len)?;
        let device = str_in(device, "device")?;
        let plaintext = bytes_in(plaintext, plaintext_len, "plaintext")?;
        let cert = bytes_in(
            phone_certificate,
            phone_certificate_len,
            "phone_certificate",
        )?;
        let digest = digest_of(digest)?;
        let t = handle::get(tftp, "tftp")?;
        let cert = CertInfo::from_pem_or_der(cert)?;
        let bytes = EncryptedFileBuilder::new(device, plaintext.to_vec())
            .digest(digest)
            .timestamp(timestamp)
            .encrypt_and_sign(&cert, t.signer())
            .map_err(encrypt_error)?;
        give(bytes, &out, &out_len);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use itl::verify::VerifyError;
    use itl_result::*;

    #[test]
    fn decrypt_errors_keep_their_codes_apart() {
        let cases = [
            (
                DecryptError::Signature(VerifyError::BadSignature),
                ITL_ERR_VERIFY,
            ),
            (DecryptError::WrongKey, ITL_ERR_DECRYPT),
            (DecryptError::BadPadding, ITL_ERR_DECRYPT),
            (DecryptError::DigestMismatch, ITL_ERR_DECRYPT),
            (
                DecryptError::WrongDevice {
                    file: "SEP000000000001".into(),
                    certificate: "SEP000000000002".into(),
                },
                // Python's DecryptError too (one category, `decrypt`).
                ITL_ERR_DECRYPT,
            ),
            (DecryptError::NoDevice, ITL_ERR_BAD_KEY_OR_CERTIFICATE),
        ];
        for (e, code) in cases {
            let err = decrypt_error(&e);
            assert_eq!(err.code, code, "{e}");
            assert_eq!(err.message, e.to_string());
        }
        let bad = encrypt_error(EncryptError::BadDevice("phone".into()));
        assert_eq!(bad.code, ITL_ERR_INVALID_ARGUMENT);
    }
}
