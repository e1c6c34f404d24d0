//! The networked TVS client (`itl_tvs_client`, cargo feature `tvs-net`,
//! `CISCO_ITL_TVS_NET` in the header): the core's `TvsClient`, TLS to TCP
//! 2445 on rustls and AWS-LC, with fail-over across up to three servers
//! and timeouts. It asks TVS about a certificate on its own
//! (`itl_tvs_client_verify`), or serves as a phone's TVS through the
//! `itl_tvs` callbacks (`itl_tvs_client_tvs`).

use std::ffi::{c_char, c_void};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use itl::cert::CertInfo;
use itl::tvs::codec::{DeviceName, VerifyRequest};
use itl::tvs::net::{ClientOptions, NetError, ServerTrust, TvsClient};
use itl::tvs::server::TrustVerifier;

use crate::error::{Error, guard, guard_value, itl_result};
use crate::handle::{self, Tag, tags};
use crate::phone::itl_tvs;
use crate::ptr::{Out, OutArray, array_in, bytes_in, str_in};
use crate::trust_list::itl_trust_list;
use crate::tvs::VerdictOut;

impl From<NetError> for Error {
    fn from(e: NetError) -> Self {
        // `network` in the one table of `error.rs`.
        itl::Error::from(e).into()
    }
}

/// One TVS server a client may ask.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_tvs_server {
    /// Its host name or IP address (an IPv6 address without brackets is
    /// fine), NUL-terminated UTF-8. Resolved when the client connects.
    pub host: *const c_char,
    /// Its TCP port; 0 means `ITL_TVS_PORT` (2445).
    pub port: u16,
}

/// A TVS client: its servers, in order, how it authenticates them, and
/// its deadline. It locks itself: calls on one client run one at a time.
pub struct itl_tvs_client {
    tag: Tag,
    client: Mutex<TvsClient>,
}

impl itl_tvs_client {
    fn lock(&self) -> MutexGuard<'_, TvsClient> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

handle::handle_kind!(itl_tvs_client, TVS_CLIENT, TvsClient);

/// The `host:port` addresses of the caller's servers.
fn addresses(servers: *const itl_tvs_server, count: usize) -> Result<Vec<String>, Error> {
    if count == 0 {
        return Err(Error::invalid("at least one server is needed"));
    }
    array_in(servers, count, "servers")?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let host = str_in(s.host, &format!("servers[{i}].host"))?;
            if host.is_empty() {
                return Err(Error::invalid(format!("`servers[{i}].host` is empty")));
            }
            let port = if s.port == 0 {
                itl::tvs::codec::PORT
            } else {
                s.port
            };
            Ok(if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            })
        })
        .collect()
}

/// The connection timeout and the deadline, 0 meaning the default.
fn options(connect_timeout_ms: u32, deadline_ms: u32) -> ClientOptions {
    let default = ClientOptions::default();
    let ms = |v: u32, d: Duration| {
        if v == 0 {
            d
        } else {
            Duration::from_millis(u64::from(v))
        }
    };
    ClientOptions {
        connect_timeout: ms(connect_timeout_ms, default.connect_timeout),
        deadline: ms(deadline_ms, default.deadline),
    }
}

/// Makes the client and gives C its handle.
fn new_client(
    servers: *const itl_tvs_server,
    server_count: usize,
    trust: impl FnOnce() -> Result<ServerTrust, Error>,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_tvs_client,
) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(std::ptr::null_mut());
    let addresses = addresses(servers, server_count)?;
    let trust = trust()?;
    let names: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let client =
        TvsClient::new(&names, trust)?.with_options(options(connect_timeout_ms, deadline_ms));
    out.write(handle::new_handle(itl_tvs_client {
        tag: tags::TVS_CLIENT,
        client: Mutex::new(client),
    }));
    Ok(())
}

/// The DER of a pinned certificate given as PEM or DER (the TVS and CAPF
/// clients' `*_new_pinned`).
pub(crate) fn pinned(certificate: *const u8, len: usize) -> Result<Vec<u8>, Error> {
    let bytes = bytes_in(certificate, len, "certificate")?;
    Ok(CertInfo::from_pem_or_der(bytes)?.der().to_vec())
}

/// The bytes of at least one trust list handle (the TVS and CAPF clients'
/// `*_new_trusting_lists`).
pub(crate) fn list_bytes(
    lists: *const *const itl_trust_list,
    count: usize,
) -> Result<Vec<Vec<u8>>, Error> {
    if count == 0 {
        return Err(Error::invalid("at least one trust list is needed"));
    }
    array_in(lists, count, "lists")?
        .iter()
        .enumerate()
        .map(|(i, l)| Ok(handle::get(*l, &format!("lists[{i}]"))?.bytes().to_vec()))
        .collect()
}

/// A TVS client that accepts a server only when it presents exactly this
/// certificate (the cluster's `TVS.pem`, pinned). Nothing is connected
/// until the client is used.
///
/// `servers`, `server_count`: the servers to ask, in order (a phone's
/// CallManager group lists up to three); read during the call (the names
/// are copied).
/// `certificate`, `certificate_len`: the TVS certificate, PEM or DER (a
/// PEM with a key too is fine: its first CERTIFICATE block is used), read
/// during the call only.
/// `connect_timeout_ms`: how long to wait for a TCP connection, per
/// address (0: 3 seconds), within the deadline. `deadline_ms`: the whole
/// of one server attempt, name resolution, connection, TLS handshake,
/// request and answer (0: 5 seconds); a server that trickles its bytes
/// cannot stretch it, and when it passes the client tries the next server
/// (the error then reads "the N ms deadline passed while …").
/// `out`: receives the new client, or NULL on failure; free it with
/// `itl_tvs_client_free`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no server, an empty
/// host) or `ITL_ERR_BAD_KEY_OR_CERTIFICATE`.
/// Threads: a client may be shared; it locks itself, so calls on one
/// client run one at a time, each for as long as its network exchange
/// (bounded by the deadline of each server tried). Give each thread its own client to ask in
/// parallel.
///
/// Ownership: `servers` and `certificate` are read during the call only;
/// the caller owns `*out` (free with `itl_tvs_client_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_client_new_pinned(
    servers: *const itl_tvs_server,
    server_count: usize,
    certificate: *const u8,
    certificate_len: usize,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_tvs_client,
) -> itl_result {
    guard("itl_tvs_client_new_pinned", || {
        new_client(
            servers,
            server_count,
            || {
                Ok(ServerTrust::Certificate(pinned(
                    certificate,
                    certificate_len,
                )?))
            },
            connect_timeout_ms,
            deadline_ms,
            out,
        )
    })
}

/// A TVS client that accepts a server the way a phone does: a TVS record
/// of one of these trust lists (the installed ITL and CTL, tried in
/// order) names its certificate by issuer and serial, and its SHA-1 is the
/// record's CERTHASH. Nothing is connected until the client is used.
///
/// `lists`, `list_count`: at least one trust list; the client keeps a copy
/// of their bytes (a phone that installs new lists needs a new client:
/// `itl_phone_installed_list` gives them).
/// `servers`, `server_count`, `connect_timeout_ms`, `deadline_ms`,
/// `out`: as for `itl_tvs_client_new_pinned`.
/// Returns `ITL_OK`, `ITL_ERR_INVALID_ARGUMENT` (no server, no list, an
/// empty host) or `ITL_ERR_BAD_HANDLE`.
/// Threads: as for `itl_tvs_client_new_pinned`.
///
/// Ownership: `servers` and the `lists` array are read during the call
/// only, the lists borrowed for it (the caller may free them afterwards);
/// the caller owns `*out` (free with `itl_tvs_client_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_client_new_trusting_lists(
    servers: *const itl_tvs_server,
    server_count: usize,
    lists: *const *const itl_trust_list,
    list_count: usize,
    connect_timeout_ms: u32,
    deadline_ms: u32,
    out: *mut *mut itl_tvs_client,
) -> itl_result {
    guard("itl_tvs_client_new_trusting_lists", || {
        new_client(
            servers,
            server_count,
            || Ok(ServerTrust::Lists(list_bytes(lists, list_count)?)),
            connect_timeout_ms,
            deadline_ms,
            out,
        )
    })
}

/// Frees a client and closes any connection it holds.
///
/// Ownership: takes back `client`; an `itl_tvs` filled from it stops
/// working (its callbacks then fail, as for an unreachable server). NULL
/// is a no-op; anything that is not a live client is left alone and
/// reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_client_free(client: *mut itl_tvs_client) {
    handle::free("itl_tvs_client_free", client);
}

/// Asks TVS about a certificate: connects to the servers in order (TLS,
/// the server authenticated by the client's trust), sends one verify
/// request and reads the answer; the first server that connects,
/// authenticates and answers well wins.
///
/// `session_id`: chosen by the caller; the answer must repeat it.
/// `device_name`: the phone's TVS name, `CP-<model>-SEP<MAC>`
/// (`itl_phone_tvs_device_name`), NUL-terminated.
/// `certificate`, `certificate_len`: the DER asked about, read during the
/// call only.
/// `server`: receives the 0-based index of the server that answered.
/// `valid`: receives whether TVS vouches for the certificate.
/// `roles`, `roles_capacity`: the caller's array for the roles
/// (`ITL_FUNCTION_*` codes); NULL with a capacity of 0 is fine when the
/// roles are not wanted (the call then returns
/// `ITL_ERR_BUFFER_TOO_SMALL` for a valid answer that has any).
/// `role_count`: receives the number of roles (0 for an invalid answer).
/// `ttl_seconds`: receives how long the answer may be kept (0 for an
/// invalid answer).
/// Returns `ITL_OK` (an answer, valid or not), `ITL_ERR_INVALID_ARGUMENT`
/// (a malformed device name, a certificate too long for a message),
/// `ITL_ERR_NETWORK` (no server answered: the message says why the last
/// one failed; the outputs then say "no answer": `SIZE_MAX`, false, 0),
/// or `ITL_ERR_BUFFER_TOO_SMALL` (every output written but the roles).
/// Threads: the client is locked for the whole exchange.
///
/// Ownership: `client` is borrowed; `device_name` and `certificate` are
/// read during the call only; the roles are copied into the caller's array.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_client_verify(
    client: *const itl_tvs_client,
    session_id: u32,
    device_name: *const c_char,
    certificate: *const u8,
    certificate_len: usize,
    server: *mut usize,
    valid: *mut bool,
    roles: *mut u16,
    roles_capacity: usize,
    role_count: *mut usize,
    ttl_seconds: *mut u32,
) -> itl_result {
    guard("itl_tvs_client_verify", || {
        let server = Out::new(server, "server")?;
        let verdict = VerdictOut::new(valid, roles, roles_capacity, role_count, ttl_seconds)?;
        server.write(usize::MAX);
        verdict.write(false, &[], 0)?;
        let name = str_in(device_name, "device_name")?;
        let certificate = bytes_in(certificate, certificate_len, "certificate")?;
        let device_name = DeviceName::parse(name)
            .map_err(|e| Error::invalid(format!("device name {name:?}: {e}")))?;
        let request = VerifyRequest::new(session_id, device_name, certificate);
        // A request that cannot be encoded is the caller's, not the
        // network's: refused before connecting.
        request
            .encode()
            .map_err(|e| Error::invalid(e.to_string()))?;
        let c = handle::get(client, "client")?;
        let (index, answer) = c.lock().verify(&request)?;
        server.write(index);
        match (answer.roles(), answer.ttl_seconds()) {
            (Some(roles), Some(ttl_seconds)) => {
                let codes: Vec<u16> = roles.map(|r| r.code()).collect();
                verdict.write(true, &codes, ttl_seconds)
            }
            _ => verdict.write(false, &[], 0),
        }
    })
}

/// The `server_certificate` callback of an `itl_tvs` filled by
/// `itl_tvs_client_tvs`: connects to server `server` (keeping the
/// connection for the exchange) and writes the certificate it proved it
/// holds.
extern "C" fn client_server_certificate(
    userdata: *mut c_void,
    server: usize,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> i32 {
    guard_value("itl_tvs_client (server_certificate callback)", -1, || {
        let out = OutArray::new(buf, capacity, "buf")?;
        let len = Out::new(len, "len")?;
        let c = handle::get(userdata.cast_const().cast::<itl_tvs_client>(), "userdata")?;
        let der = c.lock().server_certificate(server).ok_or_else(|| {
            Error::new(
                itl_result::ITL_ERR_NETWORK,
                format!("TVS server {} cannot be reached", server.saturating_add(1)),
            )
        })?;
        if !out.fill(&der) {
            return Err(Error::too_small("buf", der.len(), capacity));
        }
        len.write(der.len());
        Ok(0)
    })
}

/// The `exchange` callback of an `itl_tvs` filled by `itl_tvs_client_tvs`:
/// sends the request to server `server` (on the connection its
/// certificate came from) and writes the answer.
extern "C" fn client_exchange(
    userdata: *mut c_void,
    server: usize,
    request: *const u8,
    request_len: usize,
    buf: *mut u8,
    capacity: usize,
    len: *mut usize,
) -> i32 {
    guard_value("itl_tvs_client (exchange callback)", -1, || {
        let out = OutArray::new(buf, capacity, "buf")?;
        let len = Out::new(len, "len")?;
        let request = bytes_in(request, request_len, "request")?;
        let c = handle::get(userdata.cast_const().cast::<itl_tvs_client>(), "userdata")?;
        let answer = c.lock().exchange(server, request).ok_or_else(|| {
            Error::new(
                itl_result::ITL_ERR_NETWORK,
                format!("TVS server {} did not answer", server.saturating_add(1)),
            )
        })?;
        if !out.fill(&answer) {
            return Err(Error::too_small("buf", answer.len(), capacity));
        }
        len.write(answer.len());
        Ok(0)
    })
}

/// Fills an `itl_tvs` that reaches TVS through this client, for the
/// phone's decisions (`itl_phone_offer_trust_list`,
/// `itl_phone_check_server_certificate`, `itl_phone_boot`): the phone's
/// server 0, 1, 2 are the client's servers in order. Each connection is
/// authenticated twice: by the client's trust during the handshake, then
/// by the phone against its installed lists. A server the client cannot
/// reach or authenticate is one the phone cannot reach.
///
/// `tvs`: receives the callbacks, with the client as their `userdata`.
/// The library's callbacks look the client up on every call, so an
/// `itl_tvs` outliving its client only fails (as if no server were
/// reachable); it never touches freed memory.
/// Threads: a phone's decision connects (certificate callback) and then
/// sends (exchange callback) under two separate locks of the client: use
/// a client for one decision at a time (one client per phone, or per
/// thread), or another decision may take the connection, and its own
/// exchange then goes over a new connection the client authenticates
/// again.
///
/// Ownership: `client` is borrowed for the call, and must stay alive
/// (not freed) while `*tvs` is used; `*tvs` holds no reference of its own
/// and needs no freeing.
#[unsafe(no_mangle)]
pub extern "C" fn itl_tvs_client_tvs(
    client: *const itl_tvs_client,
    tvs: *mut itl_tvs,
) -> itl_result {
    guard("itl_tvs_client_tvs", || {
        let out = Out::new(tvs, "tvs")?;
        handle::get(client, "client")?;
        out.write(itl_tvs {
            userdata: client.cast_mut().cast::<c_void>(),
            server_certificate: Some(client_server_certificate),
            exchange: Some(client_exchange),
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_spelled_for_the_resolver() {
        let servers = [
            itl_tvs_server {
                host: c"cucm-pub".as_ptr(),
                port: 0,
            },
            itl_tvs_server {
                host: c"::1".as_ptr(),
                port: 2446,
            },
            itl_tvs_server {
                host: c"[::1]".as_ptr(),
                port: 1,
            },
        ];
        assert_eq!(
            addresses(servers.as_ptr(), 3).map_err(|e| e.code),
            Ok(vec![
                "cucm-pub:2445".to_string(),
                "[::1]:2446".to_string(),
                "[::1]:1".to_string()
            ])
        );
        assert_eq!(
            addresses(servers.as_ptr(), 0).map_err(|e| e.code),
            Err(itl_result::ITL_ERR_INVALID_ARGUMENT)
        );
    }
}
