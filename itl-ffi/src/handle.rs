//! The registry of live handles.
//!
//! A handle given to C is the address of a heap object (in an `Arc`, so
//! that a call in flight keeps it alive), tagged with its kind. The address
//! is recorded here with the object; on every entry the pointer C passes is
//! looked up *before* anything is read through it. So a handle of another
//! kind, a freed handle, a double free and a stray pointer are all reported
//! (`ITL_ERR_BAD_HANDLE`) without touching memory that is not a live
//! handle, and no `unsafe` is needed to use a handle: the pointer is only a
//! key. (A freed handle's address may be given to a new handle later; a
//! stale pointer then names the new one, which is why C must still not use
//! a handle after freeing it.)
//!
//! Handles borrowed from another (a list's header and records) are
//! recorded with their owner and removed with it.
//!
//! Texts and byte buffers the library allocates for C (`itl_show`'s text,
//! a signed list) are recorded the same way, so that `itl_string_free` and
//! `itl_bytes_free` free only what the library gave out, once.

use std::collections::BTreeMap;
use std::ffi::{CString, c_char};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::{Error, guard_value};

/// The tag every handle object starts with: its kind, as a magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag(pub u64);

/// Tags of the handle kinds ("ITL" and a letter, in ASCII).
pub(crate) mod tags {
    use super::Tag;
    /// `itl_trust_list`.
    pub(crate) const TRUST_LIST: Tag = Tag(0x4954_4c5f_4c49_5354);
    /// `itl_header`.
    pub(crate) const HEADER: Tag = Tag(0x4954_4c5f_4844_5220);
    /// `itl_record`.
    pub(crate) const RECORD: Tag = Tag(0x4954_4c5f_5245_4320);
    /// `itl_signed_file`.
    pub(crate) const SIGNED_FILE: Tag = Tag(0x4954_4c5f_5347_4e20);
    /// `itl_signer`.
    pub(crate) const SIGNER: Tag = Tag(0x4954_4c5f_5347_4e52);
    /// `itl_builder`.
    pub(crate) const BUILDER: Tag = Tag(0x4954_4c5f_424c_4452);
    /// `itl_phone`.
    pub(crate) const PHONE: Tag = Tag(0x4954_4c5f_5048_4f4e);
    /// `itl_boot_report`.
    pub(crate) const BOOT_REPORT: Tag = Tag(0x4954_4c5f_424f_4f54);
    /// `itl_verifier`.
    pub(crate) const VERIFIER: Tag = Tag(0x4954_4c5f_5646_5952);
    /// `itl_encrypted_file`.
    pub(crate) const ENCRYPTED_FILE: Tag = Tag(0x4954_4c5f_454e_4352);
    /// `itl_tvs_client`.
    #[cfg(feature = "tvs-net")]
    pub(crate) const TVS_CLIENT: Tag = Tag(0x4954_4c5f_5456_5343);
    /// `itl_capf_client`.
    #[cfg(feature = "capf")]
    pub(crate) const CAPF_CLIENT: Tag = Tag(0x4954_4c5f_4341_5043);
    /// `itl_capf_enrolment`.
    #[cfg(feature = "capf")]
    pub(crate) const CAPF_ENROLMENT: Tag = Tag(0x4954_4c5f_4341_5045);
}

/// An object C holds a pointer to.
pub(crate) enum Entry {
    /// An owned handle.
    Owned(Owned),
    /// A handle borrowed from an owned one: the owner, and which part.
    Borrowed(Owned, Part),
    /// A string given to C (`itl_string_free`), owned here until then.
    Text(#[expect(dead_code, reason = "owned here while C reads it")] CString),
    /// A byte buffer given to C (`itl_bytes_free`), owned here until then.
    Bytes(#[expect(dead_code, reason = "owned here while C reads it")] Vec<u8>),
}

/// The part of an owner a borrowed handle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Its header.
    Header,
    /// Its record at this index.
    Record(usize),
}

/// The owned handle kinds.
#[derive(Clone)]
pub(crate) enum Owned {
    /// `itl_trust_list`.
    TrustList(Arc<crate::trust_list::itl_trust_list>),
    /// `itl_signed_file`.
    SignedFile(Arc<crate::signed_file::itl_signed_file>),
    /// `itl_signer`.
    Signer(Arc<crate::build::itl_signer>),
    /// `itl_builder`.
    Builder(Arc<crate::build::itl_builder>),
    /// `itl_phone`.
    Phone(Arc<crate::phone::itl_phone>),
    /// `itl_boot_report`.
    BootReport(Arc<crate::phone::itl_boot_report>),
    /// `itl_verifier`.
    Verifier(Arc<crate::verifier::itl_verifier>),
    /// `itl_encrypted_file`.
    EncryptedFile(Arc<crate::encrypted::itl_encrypted_file>),
    /// `itl_tvs_client`.
    #[cfg(feature = "tvs-net")]
    TvsClient(Arc<crate::tvs_net::itl_tvs_client>),
    /// `itl_capf_client`.
    #[cfg(feature = "capf")]
    CapfClient(Arc<crate::capf::itl_capf_client>),
    /// `itl_capf_enrolment`.
    #[cfg(feature = "capf")]
    CapfEnrolment(Arc<crate::capf::itl_capf_enrolment>),
}

impl Owned {
    fn name(&self) -> &'static str {
        match self {
            Owned::TrustList(_) => "itl_trust_list",
            Owned::SignedFile(_) => "itl_signed_file",
            Owned::Signer(_) => "itl_signer",
            Owned::Builder(_) => "itl_builder",
            Owned::Phone(_) => "itl_phone",
            Owned::BootReport(_) => "itl_boot_report",
            Owned::Verifier(_) => "itl_verifier",
            Owned::EncryptedFile(_) => "itl_encrypted_file",
            #[cfg(feature = "tvs-net")]
            Owned::TvsClient(_) => "itl_tvs_client",
            #[cfg(feature = "capf")]
            Owned::CapfClient(_) => "itl_capf_client",
            #[cfg(feature = "capf")]
            Owned::CapfEnrolment(_) => "itl_capf_enrolment",
        }
    }
}

impl Entry {
    fn name(&self) -> &'static str {
        match self {
            Entry::Owned(o) => o.name(),
            Entry::Borrowed(_, Part::Header) => "itl_header",
            Entry::Borrowed(_, Part::Record(_)) => "itl_record",
            Entry::Text(_) => "string",
            Entry::Bytes(_) => "byte buffer",
        }
    }
}

/// Live objects by address.
static LIVE: Mutex<BTreeMap<usize, Entry>> = Mutex::new(BTreeMap::new());

fn live() -> MutexGuard<'static, BTreeMap<usize, Entry>> {
    // Nothing panics while holding the lock; should it ever, the map is
    // still consistent (each operation is one insert or remove).
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Releases the map's memory once it is empty, so that a program that
/// freed everything ends with nothing allocated by the registry.
fn shrink(map: &mut BTreeMap<usize, Entry>) {
    if map.is_empty() {
        *map = BTreeMap::new();
    }
}

/// An owned handle kind.
pub(crate) trait Handle: Send + Sync + Sized + 'static {
    /// The C type's name, for messages.
    const NAME: &'static str;
    /// The kind's tag.
    const TAG: Tag;
    /// The object's tag (its first field).
    fn tag(&self) -> Tag;
    /// Wraps the object for the registry.
    fn wrap(this: Arc<Self>) -> Owned;
    /// The object, when the entry is of this kind.
    fn unwrap(owned: &Owned) -> Option<&Arc<Self>>;
    /// The handles borrowed from this one: their addresses and parts.
    fn parts(&self) -> Vec<(usize, Part)> {
        Vec::new()
    }
}

/// Implements [`Handle`] for a handle type whose first field is `tag`:
/// `handle_kind!(itl_phone, PHONE, Phone)` names it `"itl_phone"`, gives it
/// the tag `tags::PHONE` and registers it as `Owned::Phone`; an optional
/// `|this| expr` lists the handles borrowed from it ([`Handle::parts`]).
macro_rules! handle_kind {
    ($ty:ident, $tag:ident, $variant:ident) => {
        $crate::handle::handle_kind!($ty, $tag, $variant, |_this| ::std::vec::Vec::new());
    };
    ($ty:ident, $tag:ident, $variant:ident, |$this:ident| $parts:expr) => {
        impl $crate::handle::Handle for $ty {
            const NAME: &'static str = stringify!($ty);
            const TAG: $crate::handle::Tag = $crate::handle::tags::$tag;
            fn tag(&self) -> $crate::handle::Tag {
                self.tag
            }
            fn wrap(this: ::std::sync::Arc<Self>) -> $crate::handle::Owned {
                $crate::handle::Owned::$variant(this)
            }
            fn unwrap(owned: &$crate::handle::Owned) -> Option<&::std::sync::Arc<Self>> {
                match owned {
                    $crate::handle::Owned::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn parts(&self) -> Vec<(usize, $crate::handle::Part)> {
                let $this = self;
                $parts
            }
        }
    };
}
pub(crate) use handle_kind;

/// The address C sees for an object.
pub(crate) fn address<T>(object: &T) -> usize {
    std::ptr::from_ref(object) as usize
}

/// Records a new handle (and the handles borrowed from it) and returns the
/// pointer C gets.
pub(crate) fn new_handle<T: Handle>(object: T) -> *mut T {
    let arc = Arc::new(object);
    let ptr = Arc::as_ptr(&arc).cast_mut();
    let parts = arc.parts();
    let owned = T::wrap(arc);
    let mut map = live();
    for (addr, part) in parts {
        map.insert(addr, Entry::Borrowed(owned.clone(), part));
    }
    map.insert(ptr as usize, Entry::Owned(owned));
    ptr
}

fn wrong_kind(expected: &str, ptr: usize, found: Option<&Entry>) -> Error {
    match found {
        Some(entry) => Error::bad_handle(format!(
            "the handle is of kind {}, not {expected}",
            entry.name()
        )),
        None if ptr == 0 => Error::null(expected),
        None => Error::bad_handle(format!(
            "{ptr:#x} is not a live {expected} handle (freed, or never given out by the library)"
        )),
    }
}

/// The object behind an owned handle, kept alive for the call.
pub(crate) fn get<T: Handle>(ptr: *const T, what: &str) -> Result<Arc<T>, Error> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    let addr = ptr as usize;
    let map = live();
    let entry = map.get(&addr);
    match entry {
        Some(Entry::Owned(owned)) => match T::unwrap(owned) {
            Some(arc) if arc.tag() == T::TAG => Ok(Arc::clone(arc)),
            _ => Err(wrong_kind(T::NAME, addr, entry)),
        },
        _ => Err(wrong_kind(T::NAME, addr, entry)),
    }
}

/// The owner and part behind a borrowed handle, kept alive for the call.
pub(crate) fn get_part(addr: usize, expected: &str) -> Result<(Owned, Part), Error> {
    if addr == 0 {
        return Err(Error::null(expected));
    }
    let map = live();
    match map.get(&addr) {
        Some(Entry::Borrowed(owner, part)) => {
            let name = match part {
                Part::Header => "itl_header",
                Part::Record(_) => "itl_record",
            };
            if name == expected {
                Ok((owner.clone(), *part))
            } else {
                Err(wrong_kind(expected, addr, map.get(&addr)))
            }
        }
        other => Err(wrong_kind(expected, addr, other)),
    }
}

/// Frees an owned handle: NULL does nothing; anything else that is not a
/// live handle of this kind is reported (the thread's message) and left
/// alone.
pub(crate) fn free<T: Handle>(function: &str, ptr: *mut T) {
    guard_value(function, (), || {
        if ptr.is_null() {
            return Ok(());
        }
        let addr = ptr as usize;
        let removed = {
            let mut map = live();
            let ok = matches!(
                map.get(&addr),
                Some(Entry::Owned(o)) if T::unwrap(o).is_some()
            );
            if !ok {
                let e = wrong_kind(T::NAME, addr, map.get(&addr));
                return Err(Error::bad_handle(format!("nothing freed: {}", e.message)));
            }
            let removed = map.remove(&addr);
            if let Some(Entry::Owned(o)) = &removed
                && let Some(arc) = T::unwrap(o)
            {
                for (part, _) in arc.parts() {
                    map.remove(&part);
                }
            }
            shrink(&mut map);
            removed
        };
        // The object itself is dropped here, outside the lock (or later, by
        // a call still using it on another thread).
        drop(removed);
        Ok(())
    });
}

/// Gives C a string it must free with `itl_string_free`.
pub(crate) fn give_text(text: String) -> *mut c_char {
    let text = CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default();
    let ptr = text.as_ptr().cast_mut();
    live().insert(ptr as usize, Entry::Text(text));
    ptr
}

/// Gives C a byte buffer it must free with `itl_bytes_free`. The buffer
/// always has its own allocation (even when empty), so that its address
/// names it alone.
pub(crate) fn give_bytes(mut bytes: Vec<u8>) -> (*mut u8, usize) {
    let len = bytes.len();
    if bytes.capacity() == 0 {
        bytes.reserve_exact(1);
    }
    let ptr = bytes.as_mut_ptr();
    live().insert(ptr as usize, Entry::Bytes(bytes));
    (ptr, len)
}

/// Frees what [`give_text`] or [`give_bytes`] gave out.
fn free_given(function: &str, addr: usize, text: bool) {
    guard_value(function, (), || {
        if addr == 0 {
            return Ok(());
        }
        let removed = {
            let mut map = live();
            let ok = matches!(
                (map.get(&addr), text),
                (Some(Entry::Text(_)), true) | (Some(Entry::Bytes(_)), false)
            );
            if !ok {
                let what = if text { "string" } else { "byte buffer" };
                let found = match map.get(&addr) {
                    Some(e) => format!("it is of kind {}", e.name()),
                    None => "it is not live (freed already, or not from the library)".into(),
                };
                return Err(Error::bad_handle(format!(
                    "nothing freed: {addr:#x} is not a {what} the library gave out; {found}"
                )));
            }
            let removed = map.remove(&addr);
            shrink(&mut map);
            removed
        };
        drop(removed);
        Ok(())
    });
}

/// Frees a string the library allocated (`itl_show`'s text, a trust
/// decision's words…).
///
/// Ownership: takes back `text`; it must not be used afterwards.
/// NULL is a no-op. A pointer that is not a live string from the library
/// (freed already, borrowed from a handle, or foreign) is left alone and
/// reported in `itl_last_error_message()`: freeing twice is harmless.
/// Threads: any thread may free a string made on another.
#[unsafe(no_mangle)]
pub extern "C" fn itl_string_free(text: *mut c_char) {
    free_given("itl_string_free", text as usize, true);
}

/// Frees a byte buffer the library allocated (a built or re-signed list, a
/// signed file).
///
/// Ownership: takes back `data`; it must not be used afterwards.
/// NULL is a no-op. A pointer that is not a live buffer from the library
/// is left alone and reported in `itl_last_error_message()`.
/// Threads: any thread may free a buffer made on another.
#[unsafe(no_mangle)]
pub extern "C" fn itl_bytes_free(data: *mut u8) {
    free_given("itl_bytes_free", data as usize, false);
}
