//! The TVS wire codec: verify requests and responses, encoded into and
//! decoded from the caller's buffers, so that firmware can run its own
//! socket (TLS to TCP port 2445: one request, one response).

use std::ffi::c_char;

use itl::Function;
use itl::tvs::codec::{DeviceName, TvsError, VerifyRequest, VerifyResponse};

use crate::error::{Error, guard, itl_result};
use crate::ptr::{Out, OutArray, array_in, bytes_in, str_in};

/// The TCP port TVS listens on (inside TLS).
pub const ITL_TVS_PORT: u16 = 2445;

/// Bytes a TVS device name takes with its NUL: `CP-7965-SEP0011215A1AE3`
/// is 23 characters.
pub const ITL_TVS_DEVICE_NAME_SIZE: usize = 24;

fn parse_error(e: TvsError) -> Error {
    Error::new(itl_result::ITL_ERR_PARSE, e.to_string())
}

fn encode_error(e: TvsError) -> Error {
    Error::invalid(e.to_string())
}

/// Copies an encoded message to the caller's buffer.
fn give_message(
    message: &[u8],
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> Result<(), Error> {
    let len = Out::new(len, "len")?;
    let array = OutArray::new(buf, capacity, "buf")?;
    len.write(message.len());
    if array.fill(message) {
        Ok(())
    } else {
        Err(Error::too_small("buf", message.len(), capacity))
    }
}

/// Encodes a verify request: the phone asks TVS about a certificate.
///
/// `session_id`: chosen by the phone; the response repeats it.
/// `device_name`: the phone's TVS name, `CP-<model>-SEP<MAC>`
/// (`CP-7965-SEP0011215A1AE3`; see `itl_phone_tvs_device_name`),
/// NUL-terminated.
/// `certificate`, `certificate_len`: the DER asked about (at most 65,505
/// bytes), read during the call only.
/// `buf`, `capacity`: the caller's buffer (`ITL_TVS_MAX_MESSAGE` always
/// suffices); NULL with a capacity of 0 asks for the size.
/// `len`: receives the message's length, also when the buffer is too
/// small (`ITL_ERR_BUFFER_TOO_SMALL`, nothing written).
/// Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL`, or
/// `ITL_ERR_INVALID_ARGUMENT` (a malformed device name, a certificate too
/// long for a message).
/// Threads: any thread.
///
/// Ownership: `device_name` and `certificate` are read during the call only; the message is written into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_request_encode(
    session_id: u32,
    device_name: *const c_char,
    certificate: *const u8,
    certificate_len: usize,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> itl_result {
    guard("itl_tvs_request_encode", || {
        let name = str_in(device_name, "device_name")?;
        let certificate = bytes_in(certificate, certificate_len, "certificate")?;
        let device_name = DeviceName::parse(name)
            .map_err(|e| Error::invalid(format!("device name {name:?}: {e}")))?;
        let request = VerifyRequest::new(session_id, device_name, certificate);
        give_message(&request.encode().map_err(encode_error)?, buf, capacity, len)
    })
}

/// Decodes a verify request (what a TVS server receives), checking every
/// rule of the protocol: one DEVICE NAME and one CERTIFICATE, nothing
/// else.
///
/// `message`, `len`: the bytes received.
/// `session_id`: receives the session id.
/// `device_name`, `device_name_capacity`: the caller's buffer for the
/// NUL-terminated device name; `ITL_TVS_DEVICE_NAME_SIZE` bytes suffice.
/// `certificate`, `certificate_len`: receive a pointer **into `message`**
/// (valid as long as the caller keeps `message`) and the length.
/// Returns `ITL_OK`, `ITL_ERR_PARSE` (the message says which rule failed
/// and at which offset) or `ITL_ERR_BUFFER_TOO_SMALL`.
///
/// Ownership: `message` stays the caller's; `*certificate` points into it; the name is copied into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_request_decode(
    message: *const u8,
    len: usize,
    session_id: *mut u32,
    device_name: *mut c_char,
    device_name_capacity: usize,
    certificate: *mut *const u8,
    certificate_len: *mut usize,
) -> itl_result {
    guard("itl_tvs_request_decode", || {
        let session_id = Out::new(session_id, "session_id")?;
        let name_out = OutArray::new(
            device_name.cast::<u8>(),
            device_name_capacity,
            "device_name",
        )?;
        let (cert_out, cert_len) = (
            Out::new(certificate, "certificate")?,
            Out::new(certificate_len, "certificate_len")?,
        );
        cert_out.write(std::ptr::null());
        cert_len.write(0);
        let message = bytes_in(message, len, "message")?;
        let view = VerifyRequest::decode(message).map_err(parse_error)?;
        let mut name = view.device_name.as_str().as_bytes().to_vec();
        name.push(0);
        if !name_out.fill(&name) {
            return Err(Error::too_small(
                "device_name",
                name.len(),
                device_name_capacity,
            ));
        }
        session_id.write(view.session_id);
        let cert = &view.certificate[..];
        cert_out.write(cert.as_ptr());
        cert_len.write(cert.len());
        Ok(())
    })
}

/// Encodes a verify response (what a TVS server answers).
///
/// `session_id`: the request's.
/// `valid`: whether TVS vouches for the certificate. An invalid answer
/// carries nothing else: `roles` and `ttl_seconds` are then ignored.
/// `roles`, `role_count`: the roles (`ITL_FUNCTION_*` codes, each below
/// 256) it vouches for the certificate in; `roles` may be NULL when
/// `role_count` is 0.
/// `ttl_seconds`: how long the phone may keep the answer (a day: 86400).
/// `buf`, `capacity`, `len`: as for `itl_tvs_request_encode`.
///
/// Ownership: `roles` is read during the call only; the message is written into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_response_encode(
    session_id: u32,
    valid: bool,
    roles: *const u16,
    role_count: usize,
    ttl_seconds: u32,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> itl_result {
    guard("itl_tvs_response_encode", || {
        let response = if valid {
            let codes: &[u16] = if roles.is_null() && role_count == 0 {
                &[]
            } else {
                array_in(roles, role_count, "roles")?
            };
            let roles = codes.iter().map(|c| Function::from_code(*c));
            VerifyResponse::valid(session_id, roles, ttl_seconds).map_err(encode_error)?
        } else {
            VerifyResponse::invalid(session_id)
        };
        give_message(
            &response.encode().map_err(encode_error)?,
            buf,
            capacity,
            len,
        )
    })
}

/// Decodes a verify response (what the phone receives), checking every
/// rule of the protocol.
///
/// `message`, `len`: the bytes received.
/// `session_id`: receives the session id (compare it with the request's).
/// `valid`: receives whether TVS vouches for the certificate.
/// `roles`, `roles_capacity`: the caller's array for the role codes; NULL
/// with a capacity of 0 is fine for an invalid answer or to ask the count.
/// `role_count`: receives the number of roles (0 for an invalid answer).
/// `ttl_seconds`: receives the time to live (0 for an invalid answer).
/// Returns `ITL_OK`, `ITL_ERR_PARSE`, or `ITL_ERR_BUFFER_TOO_SMALL` (every
/// other output written, the roles not).
///
/// Ownership: `message` is read during the call only; the roles are copied into the caller's array.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_response_decode(
    message: *const u8,
    len: usize,
    session_id: *mut u32,
    valid: *mut bool,
    roles: *mut u16,
    roles_capacity: usize,
    role_count: *mut usize,
    ttl_seconds: *mut u32,
) -> itl_result {
    guard("itl_tvs_response_decode", || {
        let session_id = Out::new(session_id, "session_id")?;
        let verdict = VerdictOut::new(valid, roles, roles_capacity, role_count, ttl_seconds)?;
        let message = bytes_in(message, len, "message")?;
        let view = VerifyResponse::decode(message).map_err(parse_error)?;
        let codes: Vec<u16> = view
            .roles()
            .map(|r| r.map(Function::code).collect())
            .unwrap_or_default();
        session_id.write(view.session_id);
        verdict.write(
            view.status().is_valid(),
            &codes,
            view.ttl_seconds().unwrap_or(0),
        )
    })
}

/// The out-parameters of a TVS verdict (valid, roles, role count, time to
/// live), checked together, written together.
pub(crate) struct VerdictOut {
    valid: Out<bool>,
    roles: OutArray<u16>,
    capacity: usize,
    role_count: Out<usize>,
    ttl: Out<u32>,
}

impl VerdictOut {
    /// Checks the pointers, in this order.
    pub(crate) fn new(
        valid: *mut bool,
        roles: *mut u16,
        roles_capacity: usize,
        role_count: *mut usize,
        ttl_seconds: *mut u32,
    ) -> Result<Self, Error> {
        Ok(VerdictOut {
            valid: Out::new(valid, "valid")?,
            roles: OutArray::new(roles, roles_capacity, "roles")?,
            capacity: roles_capacity,
            role_count: Out::new(role_count, "role_count")?,
            ttl: Out::new(ttl_seconds, "ttl_seconds")?,
        })
    }

    /// Writes the verdict; the roles only when they fit (the count always,
    /// so the caller can grow its array).
    pub(crate) fn write(&self, valid: bool, codes: &[u16], ttl_seconds: u32) -> Result<(), Error> {
        self.valid.write(valid);
        self.role_count.write(codes.len());
        self.ttl.write(ttl_seconds);
        if self.roles.fill(codes) {
            Ok(())
        } else {
            Err(Error::too_small("roles", codes.len(), self.capacity))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_name_fits() {
        assert_eq!(
            ITL_TVS_DEVICE_NAME_SIZE,
            itl::tvs::codec::DEVICE_NAME_LEN + 1
        );
        assert_eq!(ITL_TVS_PORT, itl::tvs::codec::PORT);
    }

    #[test]
    fn a_response_round_trips() {
        let mut buf = [0u8; 64];
        let mut len = 0usize;
        let roles = [2u16, 21];
        let rc = itl_tvs_response_encode(
            7,
            true,
            roles.as_ptr(),
            2,
            600,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
        );
        assert_eq!(rc, itl_result::ITL_OK);
        let (mut session, mut valid, mut count, mut ttl) = (0u32, false, 0usize, 0u32);
        let mut got = [0u16; 4];
        let rc = itl_tvs_response_decode(
            buf.as_ptr(),
            len,
            &mut session,
            &mut valid,
            got.as_mut_ptr(),
            got.len(),
            &mut count,
            &mut ttl,
        );
        assert_eq!(rc, itl_result::ITL_OK);
        assert_eq!((session, valid, count, ttl), (7, true, 2, 600));
        assert_eq!(got.get(..2), Some(&roles[..]));
    }
}
