//! The phone's trust decisions (`docs/TRUST.md`): a phone's state
//! (`itl_phone`) and its decisions about new trust lists, signed
//! configurations, HTTPS servers and TVS servers, one at a time or as a
//! whole boot (`itl_phone_boot`, files fetched through the caller's
//! `itl_tftp`). TVS is reached through the caller's callbacks (`itl_tvs`),
//! so firmware keeps its own sockets; the networked build fills them from
//! an `itl_tvs_client` (`itl_tvs_client_tvs`).

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_void};
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard, PoisonError};

use itl::ListKind;
use itl::phone::{
    BootOutcome, BootStep, Fetched, ManualClock, Phone, Rejection, Rule, TftpSource, Trust,
};
use itl::tvs::server::TrustVerifier;

use crate::error::{Error, guard, guard_value, itl_result};
use crate::handle::{self, Tag, tags};
use crate::ptr::{
    ExchangeCallback, FetchCallback, Out, OutArray, ServerCertificateCallback, bytes_in,
    call_exchange, call_fetch, call_server_certificate, str_in, value_in,
};
use crate::trust_list::itl_trust_list;
use crate::types::{itl_policy, kind_of};

/// No decision (set when a call fails).
pub const ITL_TRUST_NONE: u32 = 0;
/// Trust on first use: the phone held no trust list, or only a blank ITL.
pub const ITL_TRUST_FIRST_USE: u32 = 1;
/// The installed ITL is blank (rollback): any signed configuration goes.
pub const ITL_TRUST_BLANK_ITL: u32 = 2;
/// The phone holds no trust list and takes the unsigned configuration.
pub const ITL_TRUST_UNSIGNED: u32 = 3;
/// Signed by SAST record `index` of the installed CTL.
pub const ITL_TRUST_CTL_SAST: u32 = 4;
/// Signed by CCM+TFTP or TFTP record `index` of the installed CTL.
pub const ITL_TRUST_CTL_TFTP: u32 = 5;
/// Signed by SAST record `index` of the installed ITL (the ITLRecovery
/// reset gets in this way).
pub const ITL_TRUST_ITL_SAST: u32 = 6;
/// Signed by CCM+TFTP or TFTP record `index` of the installed ITL.
pub const ITL_TRUST_ITL_TFTP: u32 = 7;
/// The certificate is record `index` of the installed CTL (HTTPS).
pub const ITL_TRUST_IN_CTL: u32 = 8;
/// The certificate is record `index` of the installed ITL (HTTPS).
pub const ITL_TRUST_IN_ITL: u32 = 9;
/// TVS server `index` (0-based, in the phone's list) vouched for it.
pub const ITL_TRUST_TVS: u32 = 10;
/// A TVS answer still in the phone's cache vouched for it.
pub const ITL_TRUST_TVS_CACHE: u32 = 11;

/// The index of a decision that has none: `ITL_NO_INDEX` (`SIZE_MAX`),
/// defined in the header by hand (cbindgen cannot spell `SIZE_MAX`).
const ITL_NO_INDEX: usize = usize::MAX;

/// The largest TVS message (10-byte header and 65,535 bytes of elements):
/// the capacity of the buffers the TVS callbacks fill.
pub const ITL_TVS_MAX_MESSAGE: usize = 65_545;

/// How the phone reaches its TVS servers: the caller's callbacks, called
/// during a decision on the calling thread, in order, for server 0, 1, 2
/// (at most the phone's server count).
///
/// Both callbacks return 0 on success and anything else when the server
/// cannot be reached (the phone then tries the next one). They must return
/// normally (no `longjmp`, no C++ exception). They are called with the
/// phone in use: a call into that same phone from them returns
/// `ITL_ERR_BUSY` and does nothing. In the networked build,
/// `itl_tvs_client_tvs` fills one that goes through an `itl_tvs_client`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_tvs {
    /// Passed to the callbacks untouched.
    pub userdata: *mut c_void,
    /// Writes the DER certificate server `server` presents when the phone
    /// connects (its `TVS.pem`) into `buf` (`capacity` bytes, which is
    /// `ITL_TVS_MAX_MESSAGE`) and its length into `*len`.
    pub server_certificate: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            server: usize,
            buf: *mut u8,
            capacity: usize,
            len: *mut usize,
        ) -> i32,
    >,
    /// Sends the encoded verify request (`request_len` bytes at `request`,
    /// valid during the call) to server `server` and writes its encoded
    /// response into `buf` (`capacity` bytes) and its length into `*len`.
    pub exchange: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            server: usize,
            request: *const u8,
            request_len: usize,
            buf: *mut u8,
            capacity: usize,
            len: *mut usize,
        ) -> i32,
    >,
}

/// The callbacks as a `TrustVerifier`.
struct CallbackTvs {
    userdata: *mut c_void,
    server_certificate: ServerCertificateCallback,
    exchange: ExchangeCallback,
}

impl TrustVerifier for CallbackTvs {
    fn server_certificate(&mut self, server: usize) -> Option<Vec<u8>> {
        call_server_certificate(
            self.server_certificate,
            self.userdata,
            server,
            ITL_TVS_MAX_MESSAGE,
        )
    }

    fn exchange(&mut self, server: usize, request: &[u8]) -> Option<Vec<u8>> {
        call_exchange(
            self.exchange,
            self.userdata,
            server,
            request,
            ITL_TVS_MAX_MESSAGE,
        )
    }
}

/// No TVS server reachable.
struct NoTvs;

impl TrustVerifier for NoTvs {
    fn server_certificate(&mut self, _: usize) -> Option<Vec<u8>> {
        None
    }
    fn exchange(&mut self, _: usize, _: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

/// The verifier for an optional `itl_tvs`.
fn verifier(tvs: *const itl_tvs) -> Result<Box<dyn TrustVerifier>, Error> {
    if tvs.is_null() {
        return Ok(Box::new(NoTvs));
    }
    let t = value_in(tvs, "tvs")?;
    let server_certificate = t
        .server_certificate
        .ok_or_else(|| Error::null("tvs->server_certificate"))?;
    let exchange = t.exchange.ok_or_else(|| Error::null("tvs->exchange"))?;
    Ok(Box::new(CallbackTvs {
        userdata: t.userdata,
        server_certificate,
        exchange,
    }))
}

/// A phone's trust state: its name and model, installed CTL and ITL, TVS
/// servers and cache, settings, and whether it is locked.
pub struct itl_phone {
    tag: Tag,
    phone: Mutex<Phone>,
}

thread_local! {
    /// The phones whose lock this thread holds: a call in progress on each,
    /// whose TFTP or TVS callbacks may call back into the library.
    static HELD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Whether this thread holds the lock of the phone at `address`.
fn held_here(address: usize) -> bool {
    HELD.try_with(|held| held.try_borrow().is_ok_and(|h| h.contains(&address)))
        .unwrap_or(false)
}

/// A phone locked by this thread for one call, recorded in [`HELD`] until
/// the call is done (returned, or unwound by a panic).
struct Held<'a> {
    phone: MutexGuard<'a, Phone>,
    address: usize,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // During thread teardown the slot may be gone: nothing to forget.
        let _ = HELD.try_with(|held| {
            if let Ok(mut h) = held.try_borrow_mut() {
                if let Some(at) = h.iter().rposition(|a| *a == self.address) {
                    h.swap_remove(at);
                }
                // Nothing left allocated once the thread holds no phone.
                if h.is_empty() {
                    *h = Vec::new();
                }
            }
        });
    }
}

impl Deref for Held<'_> {
    type Target = Phone;
    fn deref(&self) -> &Phone {
        &self.phone
    }
}

impl DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut Phone {
        &mut self.phone
    }
}

impl itl_phone {
    /// Locks the phone for one call. A callback of a call on this phone,
    /// on the thread that made it, gets `ITL_ERR_BUSY` instead of the
    /// deadlock (or panic) re-locking the phone's mutex would be; other
    /// threads wait for the call to end.
    fn lock(&self) -> Result<Held<'_>, Error> {
        let address = handle::address(self);
        if held_here(address) {
            return Err(Error::busy(
                "the phone is in use by a call on this thread (a TFTP or TVS callback of a call \
                 on a phone may not call into the same phone)",
            ));
        }
        let phone = self.phone.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = HELD.try_with(|held| {
            if let Ok(mut h) = held.try_borrow_mut() {
                h.push(address);
            }
        });
        Ok(Held { phone, address })
    }
}

handle::handle_kind!(itl_phone, PHONE, Phone);

/// The rule and index of a decision: the core's one rule table.
fn trust_parts(t: Trust) -> (u32, usize) {
    (t.rule().code(), t.index().unwrap_or(ITL_NO_INDEX))
}

/// The decision of a rule and index.
fn trust_of(rule: u32, index: usize) -> Option<Trust> {
    Rule::from_code(rule).map(|rule| Trust::from_rule(rule, index))
}

/// Checks the decision out-parameters and sets them to "no decision".
fn decision_out(rule: *mut u32, index: *mut usize) -> Result<(Out<u32>, Out<usize>), Error> {
    let (rule, index) = (Out::new(rule, "rule")?, Out::new(index, "index")?);
    rule.write(ITL_TRUST_NONE);
    index.write(ITL_NO_INDEX);
    Ok((rule, index))
}

fn decide(
    decision: Result<Trust, Rejection>,
    rule: &Out<u32>,
    index: &Out<usize>,
) -> Result<(), Error> {
    let (r, i) = trust_parts(decision?);
    rule.write(r);
    index.write(i);
    Ok(())
}

/// Applies a consuming setting to the phone behind the handle.
fn update(phone: *mut itl_phone, step: impl FnOnce(Phone) -> Phone) -> Result<(), Error> {
    let p = handle::get(phone.cast_const(), "phone")?;
    let mut guard = p.lock()?;
    let current = std::mem::replace(&mut *guard, Phone::new(""));
    *guard = step(current);
    Ok(())
}

/// A phone named `device_name` (`SEP` and its MAC, as in CUCM and in its
/// file names) with nothing installed, Security By Default, one TVS server
/// and the model 7965. Any name is accepted; one that is not `SEP` and 12
/// hex digits gives the phone no TVS device name, so it refuses what only
/// TVS could vouch for.
///
/// `device_name`: NUL-terminated UTF-8, copied.
/// `out`: receives the new phone, or NULL on failure; free it with
/// `itl_phone_free`.
/// Threads: a phone may be used from several threads: each call is
/// applied whole (a lock is held during a decision, TVS callbacks
/// included), in some order. A callback (TFTP or TVS) of a call on a
/// phone that calls into the same phone, on the same thread, gets
/// `ITL_ERR_BUSY` (never a deadlock), and the call it made does nothing.
///
/// Ownership: `device_name` is copied; the caller owns `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_new(
    device_name: *const c_char,
    out: *mut *mut itl_phone,
) -> itl_result {
    guard("itl_phone_new", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let name = str_in(device_name, "device_name")?;
        out.write(handle::new_handle(itl_phone {
            tag: tags::PHONE,
            phone: Mutex::new(Phone::new(name)),
        }));
        Ok(())
    })
}

/// Frees a phone and everything it holds.
///
/// Ownership: takes back `phone`. NULL is a no-op; anything that is not a
/// live phone is left alone and reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_free(phone: *mut itl_phone) {
    handle::free("itl_phone_free", phone);
}

/// Sets the phone's model number (default 7965), which its TVS device
/// name `CP-<model>-SEP<MAC>` carries; above 9999 it has none.
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_set_model(phone: *mut itl_phone, model: u16) -> itl_result {
    guard("itl_phone_set_model", || {
        update(phone, |p| p.with_model(model))
    })
}

/// Turns anti-rollback on or off (off by default, as real phones behave):
/// when on, a list older than the installed list of its kind, and a blank
/// ITL while a CTL is installed, are refused.
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_set_anti_rollback(phone: *mut itl_phone, on: bool) -> itl_result {
    guard("itl_phone_set_anti_rollback", || {
        update(phone, |p| p.with_anti_rollback(on))
    })
}

/// Sets the largest trust list or configuration the phone accepts, in
/// bytes (default 1 MiB).
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_set_max_file_size(phone: *mut itl_phone, bytes: usize) -> itl_result {
    guard("itl_phone_set_max_file_size", || {
        update(phone, |p| p.with_max_file_size(bytes))
    })
}

/// Sets how many TVS servers the phone's CallManager group lists (0 to 3;
/// more is taken as 3). Default 1.
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_set_tvs_servers(phone: *mut itl_phone, count: usize) -> itl_result {
    guard("itl_phone_set_tvs_servers", || {
        update(phone, |p| p.with_tvs_servers(count))
    })
}

/// Sets the signature policy (default: `itl_policy_default()`).
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_set_policy(phone: *mut itl_phone, policy: itl_policy) -> itl_result {
    guard("itl_phone_set_policy", || {
        update(phone, |p| p.with_policy(policy.into()))
    })
}

/// Makes the phone a model without Security By Default (7940/7960,
/// Jabber): no ITL, no TVS. It cannot be turned back on.
///
/// Ownership: `phone` stays the caller's.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_disable_security_by_default(phone: *mut itl_phone) -> itl_result {
    guard("itl_phone_disable_security_by_default", || {
        update(phone, Phone::without_security_by_default)
    })
}

/// Decides on a new CTL or ITL fetched as `name` (`CTLSEP<MAC>.tlv`,
/// `CTLFile.tlv`, `ITLSEP<MAC>.tlv` or `ITLFile.tlv`), by the rules of
/// `docs/TRUST.md`, and installs it when accepted. A refusal locks the
/// phone ("Trust List Update Failed") and changes nothing else.
///
/// `name`: NUL-terminated UTF-8. `data`, `len`: the file, read during the
/// call (the phone keeps a copy when it accepts it).
/// `tvs`: how to reach TVS, or NULL when no TVS server is reachable; read
/// during the call only.
/// `now`: the time, in seconds since the Unix epoch (TVS answers are
/// cached until their time to live runs out).
/// `rule`, `index`: receive the rule that accepted (`ITL_TRUST_*`) and its
/// record or server index (`ITL_NO_INDEX` when it has none);
/// `ITL_TRUST_NONE` and `ITL_NO_INDEX` on failure.
/// Returns `ITL_OK`, or `ITL_ERR_REJECTED` with the reason in
/// `itl_last_error_message()` ("refused: …").
///
/// Ownership: `phone` stays the caller's (it keeps its own copy of an accepted list); `name`, `data` and `*tvs` are read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_offer_trust_list(
    phone: *mut itl_phone,
    name: *const c_char,
    data: *const u8,
    len: usize,
    tvs: *const itl_tvs,
    now: u64,
    rule: *mut u32,
    index: *mut usize,
) -> itl_result {
    guard("itl_phone_offer_trust_list", || {
        let (rule, index) = decision_out(rule, index)?;
        let name = str_in(name, "name")?;
        let data = bytes_in(data, len, "data")?;
        let mut tvs = verifier(tvs)?;
        let p = handle::get(phone.cast_const(), "phone")?;
        let decision = p
            .lock()?
            .offer_trust_list(name, data, tvs.as_mut(), &ManualClock::new(now));
        decide(decision, &rule, &index)
    })
}

/// Decides on a signed configuration file fetched as `name`
/// (`SEP<MAC>.cnf.xml.sgn`): its signed FILENAME must be `name`, and its
/// signer a CCM+TFTP or TFTP record of the installed CTL or ITL, or a
/// certificate TVS vouched for in one of those roles whose answer is still
/// cached at `now`. A locked phone takes no configuration.
///
/// Arguments and results as for `itl_phone_offer_trust_list` (no TVS is
/// asked: a `.sgn` carries no certificate to ask about).
///
/// Ownership: `phone` is borrowed; `name` and `data` are read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_offer_config(
    phone: *const itl_phone,
    name: *const c_char,
    data: *const u8,
    len: usize,
    now: u64,
    rule: *mut u32,
    index: *mut usize,
) -> itl_result {
    guard("itl_phone_offer_config", || {
        let (rule, index) = decision_out(rule, index)?;
        let name = str_in(name, "name")?;
        let data = bytes_in(data, len, "data")?;
        let p = handle::get(phone, "phone")?;
        let decision = p.lock()?.offer_config(name, data, &ManualClock::new(now));
        decide(decision, &rule, &index)
    })
}

/// Decides on an HTTPS server's certificate (DER, read during the call):
/// the installed CTL, then the ITL, then the TVS cache, then TVS, whose
/// "trusted" answer is cached for its time to live.
///
/// Arguments and results as for `itl_phone_offer_trust_list`.
///
/// Ownership: `phone` stays the caller's (it caches TVS answers); `certificate` and `*tvs` are read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_check_server_certificate(
    phone: *mut itl_phone,
    certificate: *const u8,
    certificate_len: usize,
    tvs: *const itl_tvs,
    now: u64,
    rule: *mut u32,
    index: *mut usize,
) -> itl_result {
    guard("itl_phone_check_server_certificate", || {
        let (rule, index) = decision_out(rule, index)?;
        let cert = bytes_in(certificate, certificate_len, "certificate")?;
        let mut tvs = verifier(tvs)?;
        let p = handle::get(phone.cast_const(), "phone")?;
        let decision =
            p.lock()?
                .check_server_certificate(cert, tvs.as_mut(), &ManualClock::new(now));
        decide(decision, &rule, &index)
    })
}

/// Authenticates a TVS server's certificate (DER, read during the call):
/// a TVS record of the installed ITL (then CTL) must name it by issuer and
/// serial, and its SHA-1 must be the record's CERTHASH.
///
/// `record`: receives the 0-based index of the matching record.
/// Returns `ITL_OK` or `ITL_ERR_REJECTED` (the message says why).
///
/// Ownership: `phone` is borrowed; `certificate` is read during the call only.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_authenticate_tvs(
    phone: *const itl_phone,
    certificate: *const u8,
    certificate_len: usize,
    record: *mut usize,
) -> itl_result {
    guard("itl_phone_authenticate_tvs", || {
        let record = Out::new(record, "record")?;
        let cert = bytes_in(certificate, certificate_len, "certificate")?;
        let p = handle::get(phone, "phone")?;
        let i = p.lock()?.authenticate_tvs(cert)?;
        record.write(i);
        Ok(())
    })
}

/// Whether a refused trust list has locked the phone (it then shows
/// "Trust List Update Failed" and takes no configuration); the next
/// accepted list unlocks it.
///
/// Ownership: `phone` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_is_locked(phone: *const itl_phone, locked: *mut bool) -> itl_result {
    guard("itl_phone_is_locked", || {
        let locked = Out::new(locked, "locked")?;
        locked.write(handle::get(phone, "phone")?.lock()?.is_locked());
        Ok(())
    })
}

/// What the phone's screen shows: `"Trust List Update Failed"` while
/// locked, NULL otherwise.
///
/// `message`: receives a static string (do not free) or NULL.
///
/// Ownership: `phone` is borrowed for the call; `*message` is static.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_status_message(
    phone: *const itl_phone,
    message: *mut *const c_char,
) -> itl_result {
    guard("itl_phone_status_message", || {
        let message = Out::new(message, "message")?;
        let locked = handle::get(phone, "phone")?.lock()?.is_locked();
        message.write(if locked {
            c"Trust List Update Failed".as_ptr()
        } else {
            std::ptr::null()
        });
        Ok(())
    })
}

/// Whether the installed ITL is blank: no record with a function other
/// than SAST (what "Prepare Cluster for Rollback" leaves).
///
/// Ownership: `phone` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_has_blank_itl(phone: *const itl_phone, blank: *mut bool) -> itl_result {
    guard("itl_phone_has_blank_itl", || {
        let blank = Out::new(blank, "blank")?;
        blank.write(handle::get(phone, "phone")?.lock()?.has_blank_itl());
        Ok(())
    })
}

/// The number of TVS answers in the phone's cache still alive at `now`.
///
/// Ownership: `phone` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_cached_entries(
    phone: *const itl_phone,
    now: u64,
    count: *mut usize,
) -> itl_result {
    guard("itl_phone_cached_entries", || {
        let count = Out::new(count, "count")?;
        count.write(handle::get(phone, "phone")?.lock()?.cached_entries(now));
        Ok(())
    })
}

/// The installed CTL or ITL, as a new trust list.
///
/// `kind`: `ITL_LIST_ITL` or `ITL_LIST_CTL`.
/// `out`: receives a new list (a copy: it stays valid whatever the phone
/// does next), or NULL; free it with `itl_trust_list_free`.
/// Returns `ITL_OK`, or `ITL_ERR_NOT_FOUND` when none is installed.
///
/// Ownership: `phone` is borrowed; the caller owns `*out` (free with `itl_trust_list_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_installed_list(
    phone: *const itl_phone,
    kind: u32,
    out: *mut *mut itl_trust_list,
) -> itl_result {
    guard("itl_phone_installed_list", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let kind = kind_of(kind)?;
        let p = handle::get(phone, "phone")?;
        let bytes = {
            let phone = p.lock()?;
            match kind {
                ListKind::Itl => phone.itl().map(<[u8]>::to_vec),
                ListKind::Ctl => phone.ctl().map(<[u8]>::to_vec),
            }
        }
        .ok_or_else(|| Error::not_found(format!("the phone holds no {}", kind.as_str())))?;
        out.write(handle::new_handle(itl_trust_list::parse(&bytes)?));
        Ok(())
    })
}

/// The name the phone gives TVS in its requests, `CP-<model>-SEP<MAC>`
/// (the MAC in upper case), made from its model and its `SEP` name.
///
/// `name`, `capacity`: the caller's buffer for the NUL-terminated name;
/// `ITL_TVS_DEVICE_NAME_SIZE` bytes suffice.
/// Returns `ITL_OK`, `ITL_ERR_BUFFER_TOO_SMALL`, or `ITL_ERR_NOT_FOUND`
/// when the phone's name or model gives no valid TVS name.
///
/// Ownership: `phone` is borrowed; the name is copied into the caller's buffer.
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_tvs_device_name(
    phone: *const itl_phone,
    name: *mut c_char,
    capacity: usize,
) -> itl_result {
    guard("itl_phone_tvs_device_name", || {
        let out = OutArray::new(name.cast::<u8>(), capacity, "name")?;
        let p = handle::get(phone, "phone")?;
        let device = p
            .lock()?
            .tvs_device_name()
            .map_err(|e| Error::not_found(format!("the phone has no TVS device name: {e}")))?;
        let mut bytes = device.as_str().as_bytes().to_vec();
        bytes.push(0);
        if out.fill(&bytes) {
            Ok(())
        } else {
            Err(Error::too_small("name", bytes.len(), capacity))
        }
    })
}

/// A decision in words, as the library says it ("accepted: signed by SAST
/// record 5 of the installed ITL"): record and server numbers counted from
/// 1, for people.
///
/// `rule`, `index`: a decision (`ITL_TRUST_*` other than `ITL_TRUST_NONE`,
/// and its index; any index for rules without one).
/// `text`: receives a string the caller frees with `itl_string_free`, or
/// NULL on failure.
///
/// Ownership: the caller owns `*text` (free with `itl_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_trust_text(rule: u32, index: usize, text: *mut *mut c_char) -> itl_result {
    guard("itl_trust_text", || {
        let text = Out::new(text, "text")?;
        text.write(std::ptr::null_mut());
        let trust = trust_of(rule, index)
            .ok_or_else(|| Error::invalid(format!("{rule} is not an ITL_TRUST_* rule")))?;
        text.write(handle::give_text(trust.to_string()));
        Ok(())
    })
}

// ---------------------------------------------------------------------
// Boot

/// Boot step outcome: the TFTP server has no such file.
pub const ITL_BOOT_NOT_FOUND: u32 = 0;
/// Boot step outcome: a trust list (CTL or ITL), accepted or refused.
pub const ITL_BOOT_TRUST_LIST: u32 = 1;
/// Boot step outcome: the configuration file, accepted or refused.
pub const ITL_BOOT_CONFIG: u32 = 2;

/// How a booting phone fetches files: the caller's callback, called during
/// `itl_phone_boot` on the calling thread, once per file name, in the
/// order of the boot.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_tftp {
    /// Passed to the callback untouched.
    pub userdata: *mut c_void,
    /// Gives the bytes of file `name` (NUL-terminated, valid during the
    /// call): points `*data` at them and writes their length into `*len`,
    /// then returns 0; returns anything else when the server has no such
    /// file. The bytes stay the caller's: they must remain valid and
    /// unchanged until the callback is called again or `itl_phone_boot`
    /// returns (the library copies them when the callback returns, once
    /// `*len` is within the phone's size limit: a larger file is refused
    /// as too large without a byte of it read). An empty file is a
    /// non-NULL `*data` with a `*len` of 0. Must return normally (no
    /// `longjmp`, no C++ exception).
    pub fetch: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            name: *const c_char,
            data: *mut *const u8,
            len: *mut usize,
        ) -> i32,
    >,
}

/// The callback as a `TftpSource`.
struct CallbackTftp {
    userdata: *mut c_void,
    fetch: FetchCallback,
}

impl TftpSource for CallbackTftp {
    fn fetch(&self, name: &str) -> Option<Vec<u8>> {
        match self.fetch_at_most(name, usize::MAX) {
            Fetched::Bytes(bytes) => Some(bytes),
            Fetched::NotFound | Fetched::TooLarge { .. } => None,
        }
    }

    /// The size the callback reports is checked before a byte is read: a
    /// file over the phone's limit is refused, never copied.
    fn fetch_at_most(&self, name: &str, limit: usize) -> Fetched {
        match CString::new(name) {
            Ok(name) => call_fetch(self.fetch, self.userdata, &name, limit),
            Err(_) => Fetched::NotFound,
        }
    }
}

/// One step of a boot, as the report keeps it.
struct Step {
    file: CString,
    outcome: u32,
    result: itl_result,
    rule: u32,
    index: usize,
    reason: Option<CString>,
}

impl Step {
    fn of(step: BootStep) -> Self {
        let (outcome, decision) = match step.outcome {
            BootOutcome::NotFound => (ITL_BOOT_NOT_FOUND, None),
            BootOutcome::TrustList(d) => (ITL_BOOT_TRUST_LIST, Some(d)),
            BootOutcome::Config(d) => (ITL_BOOT_CONFIG, Some(d)),
        };
        let text = |t: String| CString::new(t.replace('\0', "\u{FFFD}")).unwrap_or_default();
        let (result, (rule, index), reason) = match decision {
            None => (
                itl_result::ITL_ERR_NOT_FOUND,
                (ITL_TRUST_NONE, ITL_NO_INDEX),
                None,
            ),
            Some(Ok(t)) => (itl_result::ITL_OK, trust_parts(t), None),
            Some(Err(r)) => (
                itl_result::ITL_ERR_REJECTED,
                (ITL_TRUST_NONE, ITL_NO_INDEX),
                Some(text(r.to_string())),
            ),
        };
        Step {
            file: text(step.file),
            outcome,
            result,
            rule,
            index,
            reason,
        }
    }
}

/// What a boot did: the files the phone asked for, in order, and what
/// became of each. Immutable; made by `itl_phone_boot`.
pub struct itl_boot_report {
    tag: Tag,
    steps: Box<[Step]>,
}

handle::handle_kind!(itl_boot_report, BOOT_REPORT, BootReport);

/// One file a booting phone asked for, read from an `itl_boot_report`.
/// Its strings are owned by the report: valid until it is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct itl_boot_step {
    /// The file name asked for (`CTLSEP0011215A1AE3.tlv`, `ITLFile.tlv`,
    /// `SEP0011215A1AE3.cnf.xml.sgn`…), NUL-terminated.
    pub file: *const c_char,
    /// `ITL_BOOT_NOT_FOUND`, `ITL_BOOT_TRUST_LIST` or `ITL_BOOT_CONFIG`.
    pub outcome: u32,
    /// `ITL_OK` (accepted), `ITL_ERR_REJECTED` (refused: `reason` says
    /// why) or `ITL_ERR_NOT_FOUND` (the server has no such file).
    pub result: itl_result,
    /// The rule that accepted (`ITL_TRUST_*`), `ITL_TRUST_NONE` otherwise.
    pub rule: u32,
    /// Its record or server index, `ITL_NO_INDEX` when it has none.
    pub index: usize,
    /// Why the file was refused ("refused: …"), NUL-terminated; NULL
    /// unless `result` is `ITL_ERR_REJECTED`.
    pub reason: *const c_char,
}

/// Boots the phone against a TFTP server, as the phone's firmware does:
/// asks for `CTLSEP<MAC>.tlv` (else `CTLFile.tlv`), then, with Security
/// By Default, `ITLSEP<MAC>.tlv` (else `ITLFile.tlv`), offering each list
/// found (`itl_phone_offer_trust_list`); then the signed configuration
/// `SEP<MAC>.cnf.xml.sgn` (`SEP<MAC>.cnf.xml.enc.sgn` when
/// `encrypted_config`) when it holds a trust list
/// (`itl_phone_offer_config`), or the unsigned `SEP<MAC>.cnf.xml` when it
/// holds none. A refused list locks the phone as in
/// `itl_phone_offer_trust_list`.
///
/// `tftp`: the caller's fetch callback (required), called on this thread
/// during the call, with the phone in use: a call into the same phone from
/// it returns `ITL_ERR_BUSY` and does nothing. The length it reports is
/// checked against the phone's size limit (`itl_phone_set_max_file_size`,
/// default 1 MiB) before anything is copied: a larger file is a refused
/// step ("refused: the file has N bytes, more than the 1048576 the phone
/// accepts"), a list refused that way locking the phone.
/// `tvs`: how to reach TVS, or NULL when no TVS server is reachable.
/// `now`: the time, in seconds since the Unix epoch.
/// `out`: receives the report (or NULL on failure); free it with
/// `itl_boot_report_free`.
/// Returns `ITL_OK` whenever the boot ran, whatever was accepted: the
/// report says what became of each file (`itl_boot_report_step`).
///
/// Ownership: `phone` stays the caller's; `*tftp` and `*tvs` are read
/// during the call only; the bytes the callback points at stay the
/// caller's; the caller owns `*out` (free with `itl_boot_report_free`).
#[unsafe(no_mangle)]
pub extern "C" fn itl_phone_boot(
    phone: *mut itl_phone,
    tftp: *const itl_tftp,
    tvs: *const itl_tvs,
    now: u64,
    encrypted_config: bool,
    out: *mut *mut itl_boot_report,
) -> itl_result {
    guard("itl_phone_boot", || {
        let out = Out::new(out, "out")?;
        out.write(std::ptr::null_mut());
        let t = value_in(tftp, "tftp")?;
        let source = CallbackTftp {
            userdata: t.userdata,
            fetch: t.fetch.ok_or_else(|| Error::null("tftp->fetch"))?,
        };
        let mut tvs = verifier(tvs)?;
        let p = handle::get(phone.cast_const(), "phone")?;
        let steps = p.lock()?.boot(
            &source,
            tvs.as_mut(),
            &ManualClock::new(now),
            encrypted_config,
        );
        out.write(handle::new_handle(itl_boot_report {
            tag: tags::BOOT_REPORT,
            steps: steps.into_iter().map(Step::of).collect(),
        }));
        Ok(())
    })
}

/// Frees a boot report and its strings.
///
/// Ownership: takes back `report`; the strings of its steps die with it.
/// NULL is a no-op; anything that is not a live report is left alone and
/// reported in `itl_last_error_message()`.
#[unsafe(no_mangle)]
pub extern "C" fn itl_boot_report_free(report: *mut itl_boot_report) {
    handle::free("itl_boot_report_free", report);
}

/// The number of files the boot asked for (at least 2), or 0 when
/// `report` is not a live report (then `itl_last_error_message()` says
/// why).
///
/// Threads: any thread (a report is immutable).
///
/// Ownership: `report` is borrowed for the call.
#[unsafe(no_mangle)]
pub extern "C" fn itl_boot_report_step_count(report: *const itl_boot_report) -> usize {
    guard_value("itl_boot_report_step_count", 0, || {
        Ok(handle::get(report, "report")?.steps.len())
    })
}

/// Step `index` (0-based, in the order of the boot) of a boot report.
///
/// `step`: receives the step; its `file` and `reason` point into the
/// report. Returns `ITL_OK`, or `ITL_ERR_INVALID_ARGUMENT` for an index
/// past the last step.
///
/// Ownership: `report` is borrowed; the strings written into `*step` are
/// owned by the report (valid until `itl_boot_report_free`; do not free).
#[unsafe(no_mangle)]
pub extern "C" fn itl_boot_report_step(
    report: *const itl_boot_report,
    index: usize,
    step: *mut itl_boot_step,
) -> itl_result {
    guard("itl_boot_report_step", || {
        let out = Out::new(step, "step")?;
        let r = handle::get(report, "report")?;
        let s = r.steps.get(index).ok_or_else(|| {
            Error::invalid(format!(
                "index {index} is past the last step ({} steps)",
                r.steps.len()
            ))
        })?;
        out.write(itl_boot_step {
            file: s.file.as_ptr(),
            outcome: s.outcome,
            result: s.result,
            rule: s.rule,
            index: s.index,
            reason: s.reason.as_ref().map_or(std::ptr::null(), |r| r.as_ptr()),
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip() {
        for rule in ITL_TRUST_FIRST_USE..=ITL_TRUST_TVS_CACHE {
            let t = trust_of(rule, 4);
            assert!(t.is_some(), "rule {rule}");
            if let Some(t) = t {
                assert_eq!(trust_parts(t).0, rule);
            }
        }
        assert!(trust_of(ITL_TRUST_NONE, 0).is_none());
        assert!(trust_of(99, 0).is_none());
    }

    /// The header's `ITL_TRUST_*` constants are the core's rule codes.
    #[test]
    fn trust_constants_are_the_rule_codes() {
        let constants = [
            ITL_TRUST_FIRST_USE,
            ITL_TRUST_BLANK_ITL,
            ITL_TRUST_UNSIGNED,
            ITL_TRUST_CTL_SAST,
            ITL_TRUST_CTL_TFTP,
            ITL_TRUST_ITL_SAST,
            ITL_TRUST_ITL_TFTP,
            ITL_TRUST_IN_CTL,
            ITL_TRUST_IN_ITL,
            ITL_TRUST_TVS,
            ITL_TRUST_TVS_CACHE,
        ];
        let codes: Vec<u32> = Rule::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(constants.to_vec(), codes);
        assert_eq!(trust_of(ITL_TRUST_NONE, 0), None);
        for rule in Rule::ALL {
            let trust = Trust::from_rule(rule, 3);
            assert_eq!(trust_of(trust_parts(trust).0, 3), Some(trust));
        }
    }

    #[test]
    fn the_buffer_holds_the_largest_message() {
        assert_eq!(
            ITL_TVS_MAX_MESSAGE,
            itl::tvs::codec::HEADER_LEN + itl::tvs::codec::MAX_PAYLOAD_LEN
        );
    }
}
