//! What a phone trusts, and why: its state (installed CTL and ITL, TVS
//! servers, TVS cache, Security By Default support) and its decisions
//! about new trust lists, signed configuration files, HTTPS servers and
//! TVS servers (`docs/TRUST.md`), plus the boot sequence that drives them.
//!
//! Every decision returns a [`Trust`] saying which rule accepted, or a
//! [`Rejection`] saying why none did. A rejection never changes the
//! phone's trust lists.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cert::CertInfo;
use crate::digest::sha1;
use crate::encrypted::{DecryptError, EncryptedError, EncryptedFile};
use crate::function::Function;
use crate::key::Signer;
use crate::parse_error::ParseError;
use crate::signed_file::SignedFile;
use crate::trust_list::{ListKind, TrustList};
pub use crate::tvs::auth::{TvsAuthError, authenticate_tvs_certificate};
use crate::tvs::codec::{DeviceName, DeviceNameError, VerifyRequest, VerifyResponse};
use crate::tvs::server::TrustVerifier;
use crate::verify::{Policy, TrustAnchor, VerifyError};

/// The message a phone shows when it refuses a trust list.
pub const TRUST_LIST_UPDATE_FAILED: &str = "Trust List Update Failed";

/// Seconds since the Unix epoch, as the phone sees them.
pub trait Clock {
    /// The current time.
    fn now(&self) -> u64;
}

/// A clock the caller moves by hand (tests, simulations).
///
/// ```
/// use cisco_itl::phone::{Clock, ManualClock};
/// let c = ManualClock::new(100);
/// c.advance(5);
/// assert_eq!(c.now(), 105);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock(core::cell::Cell<u64>);

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: u64) -> Self {
        ManualClock(core::cell::Cell::new(now))
    }

    /// Moves the clock forward.
    pub fn advance(&self, seconds: u64) {
        self.0.set(self.0.get().saturating_add(seconds));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.0.get()
    }
}

/// The system clock.
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// Why something was trusted: the rule that accepted it.
///
/// Record and server numbers are 0-based indexes here; the [`Display`]
/// text, meant for people, counts from 1 like `show itl`.
///
/// ```
/// use cisco_itl::phone::Trust;
/// assert_eq!(
///     Trust::ItlSast { record: 4 }.to_string(),
///     "accepted: signed by SAST record 5 of the installed ITL"
/// );
/// ```
///
/// [`Display`]: core::fmt::Display
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trust {
    /// The phone held no trust list (or only a blank ITL): trust on first use.
    FirstUse,
    /// The phone holds a blank (rollback) ITL: any signed configuration goes.
    BlankItl,
    /// The phone holds no trust list and takes the unsigned configuration.
    Unsigned,
    /// The signer is SAST record `record` of the installed CTL.
    CtlSast {
        /// Index of the record in the installed CTL.
        record: usize,
    },
    /// The signer is CCM+TFTP or TFTP record `record` of the installed CTL.
    CtlTftp {
        /// Index of the record in the installed CTL.
        record: usize,
    },
    /// The signer is SAST record `record` of the installed ITL.
    ItlSast {
        /// Index of the record in the installed ITL.
        record: usize,
    },
    /// The signer is CCM+TFTP or TFTP record `record` of the installed ITL.
    ItlTftp {
        /// Index of the record in the installed ITL.
        record: usize,
    },
    /// The certificate is record `record` of the installed CTL (HTTPS).
    InCtl {
        /// Index of the record.
        record: usize,
    },
    /// The certificate is record `record` of the installed ITL (HTTPS).
    InItl {
        /// Index of the record.
        record: usize,
    },
    /// TVS server `server` vouched for the signer or certificate.
    Tvs {
        /// Index in the phone's TVS list.
        server: usize,
    },
    /// A TVS answer still in the phone's cache vouched for it.
    TvsCache,
}

impl core::fmt::Display for Trust {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let signed_by = |role: &str, list: &str, record: usize| {
            alloc::format!(
                "accepted: signed by {role} record {} of the installed {list}",
                record.saturating_add(1)
            )
        };
        let in_list = |list: &str, record: usize| {
            alloc::format!(
                "accepted: the certificate is record {} of the installed {list}",
                record.saturating_add(1)
            )
        };
        let text = match *self {
            Trust::FirstUse => String::from(
                "accepted: trust on first use (the phone held no trust list, or only a blank ITL)",
            ),
            Trust::BlankItl => String::from(
                "accepted: the installed ITL is blank (rollback), so any signed configuration goes",
            ),
            Trust::Unsigned => String::from(
                "accepted: the phone holds no trust list and takes the unsigned configuration",
            ),
            Trust::CtlSast { record } => signed_by("SAST", "CTL", record),
            Trust::CtlTftp { record } => signed_by("CCM+TFTP or TFTP", "CTL", record),
            Trust::ItlSast { record } => signed_by("SAST", "ITL", record),
            Trust::ItlTftp { record } => signed_by("CCM+TFTP or TFTP", "ITL", record),
            Trust::InCtl { record } => in_list("CTL", record),
            Trust::InItl { record } => in_list("ITL", record),
            Trust::Tvs { server } => alloc::format!(
                "accepted: TVS server {} vouched for the certificate",
                server.saturating_add(1)
            ),
            Trust::TvsCache => {
                String::from("accepted: a cached TVS answer vouches for the certificate")
            }
        };
        f.pad(&text)
    }
}

/// What happened when the phone turned to TVS.
///
/// ```
/// use cisco_itl::phone::TvsOutcome;
/// assert_eq!(
///     TvsOutcome::Refused { server: 0 }.to_string(),
///     "TVS server 1 said the certificate is not trusted"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TvsOutcome {
    /// The phone did not ask: no Security By Default, or no TVS server.
    NotAsked,
    /// The file's signer record carries no certificate to ask about.
    NoCertificate,
    /// No TVS server answered.
    Unreachable,
    /// Servers answered but none presented a certificate matching a TVS
    /// record of the installed lists.
    NotAuthenticated,
    /// TVS server `server` said the certificate is not trusted.
    Refused {
        /// Index in the phone's TVS list.
        server: usize,
    },
    /// TVS server `server` vouched for the certificate, but the file's
    /// signature does not verify with it.
    SignatureMismatch {
        /// Index in the phone's TVS list.
        server: usize,
    },
    /// TVS server `server` vouched for the certificate, but in no role that
    /// allows this use: none that may sign this file, or none at all (an
    /// empty ROLES element) for an HTTPS server (see [`Phone`]'s
    /// documentation for the mapping).
    WrongRoles {
        /// Index in the phone's TVS list.
        server: usize,
    },
    /// The phone's name and model give no valid TVS device name
    /// ([`Phone::tvs_device_name`]), so it could not ask.
    BadDeviceName(DeviceNameError),
}

impl core::fmt::Display for TvsOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            TvsOutcome::NotAsked => {
                f.write_str("TVS was not asked (no Security By Default, or no TVS server)")
            }
            TvsOutcome::NoCertificate => {
                f.write_str("there is no certificate of the signer to ask TVS about")
            }
            TvsOutcome::Unreachable => f.write_str("no TVS server answered"),
            TvsOutcome::NotAuthenticated => f.write_str(
                "no TVS server presented a certificate matching a TVS record of the installed lists",
            ),
            TvsOutcome::Refused { server } => write!(
                f,
                "TVS server {} said the certificate is not trusted",
                server.saturating_add(1)
            ),
            TvsOutcome::SignatureMismatch { server } => write!(
                f,
                "TVS server {} vouched for the certificate, but the file's signature does not verify with it",
                server.saturating_add(1)
            ),
            TvsOutcome::WrongRoles { server } => write!(
                f,
                "TVS server {} vouched for the certificate, but in no role that allows this use",
                server.saturating_add(1)
            ),
            TvsOutcome::BadDeviceName(error) => write!(
                f,
                "the phone could not ask TVS, having no valid TVS device name: {error}"
            ),
        }
    }
}

/// Why the phone refused.
///
/// ```
/// use cisco_itl::phone::{Rejection, TvsOutcome};
/// assert_eq!(
///     Rejection::Untrusted(TvsOutcome::NotAuthenticated).to_string(),
///     "refused: no installed trust list names the signer, and no TVS server presented a certificate matching a TVS record of the installed lists"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The file does not parse.
    #[error("refused: the file is malformed: {0}")]
    Malformed(ParseError),
    /// The file is larger than the phone accepts.
    #[error("refused: the file has {size} bytes, more than the {limit} the phone accepts")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// The phone's limit.
        limit: usize,
    },
    /// The requested name is not one a phone asks for a trust list
    /// (`CTLSEP<MAC>.tlv`, `CTLFile.tlv`, `ITLSEP<MAC>.tlv`, `ITLFile.tlv`).
    #[error("refused: {0} is not the name of a trust list")]
    NotATrustListName(String),
    /// The trust list is not of the kind requested (a CTL served as the
    /// ITL, a signed file served as a trust list…).
    #[error("refused: an {requested} was requested, but the file's signed name is {signed_name}")]
    WrongKind {
        /// The kind the requested name asks for.
        requested: &'static str,
        /// The FILENAME the file's header carries.
        signed_name: String,
    },
    /// A configuration's signed FILENAME is not the requested name.
    #[error("refused: {requested} was requested, but the file is signed as {signed_name}")]
    WrongFile {
        /// The requested name.
        requested: String,
        /// The FILENAME the file's header carries.
        signed_name: String,
    },
    /// A record of the new list disagrees with its own certificate.
    #[error("refused: record {} of the file disagrees with its certificate: {error}", .record + 1)]
    BadRecord {
        /// Index of the record (0-based).
        record: usize,
        /// How it disagrees.
        error: VerifyError,
    },
    /// Anti-rollback: the list is older than the installed list of its kind.
    #[error(
        "refused: the list is older (timestamp {offered}) than the installed one ({installed})"
    )]
    Rollback {
        /// The installed list's TIMESTAMP.
        installed: u32,
        /// The offered list's TIMESTAMP.
        offered: u32,
    },
    /// An encrypted configuration does not parse as one.
    #[error("refused: the encrypted configuration is malformed: {0}")]
    MalformedEncrypted(EncryptedError),
    /// The configuration is encrypted and the phone holds no key.
    #[error(
        "refused: the configuration is encrypted and the phone holds no key (LSC or MIC) to decrypt it"
    )]
    NoKey,
    /// The encrypted configuration's signature was accepted, but it could
    /// not be decrypted.
    #[error("refused: the encrypted configuration was not decrypted: {0}")]
    Decrypt(DecryptError),
    /// Anti-rollback: a blank ITL while a CTL is installed.
    #[error("refused: a blank (rollback) ITL while a CTL is installed")]
    BlankItlWithCtl,
    /// Anti-rollback: the list has the TIMESTAMP of the installed list of
    /// its kind but other bytes (the same bytes again are no change, and go
    /// through the usual rules).
    #[error(
        "refused: the list has the installed one's timestamp ({timestamp}) but different content"
    )]
    SameTimestamp {
        /// The TIMESTAMP both lists carry.
        timestamp: u32,
    },
    /// Trust on first use, but the file's own signature does not verify.
    #[error("refused: the file's own signature does not verify: {0}")]
    SelfSignature(VerifyError),
    /// The phone is locked after a refused trust list; configuration
    /// changes do not reach it.
    #[error(
        "refused: the phone is locked ({TRUST_LIST_UPDATE_FAILED}), no configuration change reaches it"
    )]
    Locked,
    /// No installed list and no TVS answer vouched for the signer.
    #[error("refused: no installed trust list names the signer, and {0}")]
    Untrusted(TvsOutcome),
}

/// The largest trust list or configuration file a phone accepts by
/// default: 1 MiB, far above real files (a CUCM ITL is 5 to 20 KB).
pub const DEFAULT_MAX_FILE_SIZE: usize = 1 << 20;

/// The model a [`Phone`] is unless told otherwise ([`Phone::with_model`]):
/// a 7965, so that its TVS device name is `CP-7965-SEP<MAC>`.
///
/// ```
/// assert_eq!(cisco_itl::phone::DEFAULT_MODEL, 7965);
/// ```
pub const DEFAULT_MODEL: u16 = 7965;

#[derive(Debug, Clone, PartialEq, Eq)]
struct CacheEntry {
    certificate: Vec<u8>,
    roles: Vec<Function>,
    expires_at: u64,
}

/// A phone's trust state.
///
/// **TVS roles.** A TVS "trusted" answer vouches for a certificate *in the
/// roles it lists*. A trust-list signer needs SAST, or for an ITL also
/// CCM+TFTP or TFTP; a configuration signer needs CCM+TFTP or TFTP; an
/// HTTPS server needs at least one role. An answer in other roles (or in
/// none: an empty ROLES element) is refused with
/// [`TvsOutcome::WrongRoles`], and an answer with no role is not cached.
///
/// **Anti-rollback** ([`Phone::with_anti_rollback`], off by default, as
/// real phones behave): refuse a list older than the installed list of its
/// kind, a list with the installed list's TIMESTAMP but other bytes, and a
/// blank ITL while a CTL is installed.
///
/// **TVS device name.** A phone is named `SEP<MAC>` (its CUCM name, which
/// its file names carry) but introduces itself to TVS as
/// `CP-<model>-SEP<MAC>` ([`Phone::tvs_device_name`]), from its model
/// ([`Phone::with_model`], default [`DEFAULT_MODEL`]) and that MAC.
///
/// ```
/// # let dir = "tests/data";
/// use cisco_itl::phone::{ManualClock, Phone, Trust};
/// use cisco_itl::tvs::server::InMemoryTvs;
/// let itl = std::fs::read(format!("{dir}/vectors/cucm-ITLFile.tlv")).unwrap();
/// let mut phone = Phone::new("SEP001122334455");
/// let (mut tvs, clock) = (InMemoryTvs::unreachable(), ManualClock::new(0));
/// assert_eq!(phone.offer_trust_list("ITLFile.tlv", &itl, &mut tvs, &clock), Ok(Trust::FirstUse));
/// assert_eq!(phone.itl(), Some(&itl[..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    settings: Settings,
    state: State,
}

/// What a phone is: set when it is made (the `with_*` builders) and never
/// changed by what it is offered.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settings {
    device_name: String,
    model: u16,
    tvs_servers: usize,
    security_by_default: bool,
    policy: Policy,
    anti_rollback: bool,
    max_file_size: usize,
    /// The Locally Significant Certificate CAPF issued, with its key.
    lsc: Option<Signer>,
    /// The Manufacturer Installed Certificate, with its key.
    mic: Option<Signer>,
}

/// What a phone has learned: its installed lists (parsed once, when
/// installed), its TVS cache, its lock and its TVS session counter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct State {
    ctl: Option<Installed>,
    itl: Option<Installed>,
    cache: Vec<CacheEntry>,
    lock: Lock,
    session: u32,
}

impl State {
    /// The one place the lock changes: an accepted list opens the phone, a
    /// refused one locks it.
    fn after_list(&mut self, accepted: bool) {
        self.lock = if accepted { Lock::Open } else { Lock::Locked };
    }
}

/// A parsed trust list, or why its bytes did not parse (never, for a list
/// the phone installed: it parsed before it was accepted).
type Parsed<'a> = Result<TrustList<'a>, ParseError>;

self_cell::self_cell!(
    /// An installed list's bytes and their parse, kept together.
    struct InstalledCell {
        owner: Vec<u8>,
        #[covariant]
        dependent: Parsed,
    }
);

/// A trust list the phone has installed: its bytes, parsed once.
struct Installed(InstalledCell);

impl Installed {
    fn new(bytes: Vec<u8>) -> Self {
        Installed(InstalledCell::new(bytes, |b| TrustList::parse(b)))
    }

    fn bytes(&self) -> &[u8] {
        self.0.borrow_owner()
    }

    fn list(&self) -> Option<&TrustList<'_>> {
        self.0.borrow_dependent().as_ref().ok()
    }
}

impl Clone for Installed {
    fn clone(&self) -> Self {
        Installed::new(self.bytes().to_vec())
    }
}

impl PartialEq for Installed {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Installed {}

impl core::fmt::Debug for Installed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Installed({} bytes)", self.bytes().len())
    }
}

/// Which trust lists a phone holds: what the rules of `docs/TRUST.md`
/// consult first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// No trust list: the first list is trusted on first use (rule 1) and
    /// the configuration goes unsigned.
    Nothing,
    /// Only a blank (rollback) ITL: the next list is trusted on first use
    /// and any signed configuration goes.
    BlankItl,
    /// An ITL and no CTL.
    Itl,
    /// A CTL and no ITL.
    Ctl,
    /// A CTL and an ITL (blank or not).
    Both,
}

/// Whether a refused trust list has locked the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lock {
    /// Configurations reach the phone.
    #[default]
    Open,
    /// A trust list was refused: the screen shows
    /// [`TRUST_LIST_UPDATE_FAILED`] and no configuration reaches the phone
    /// until a list is accepted outside a boot that refused one.
    Locked,
}

/// The rule by which a file or certificate was accepted, without its index:
/// one table for every binding. Its [`code`](Rule::code) is C's
/// `ITL_TRUST_*` value (0 is "no decision") and its [`as_str`](Rule::as_str)
/// name is Python's `Decision.rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// [`Trust::FirstUse`] (1).
    FirstUse = 1,
    /// [`Trust::BlankItl`] (2).
    BlankItl = 2,
    /// [`Trust::Unsigned`] (3).
    Unsigned = 3,
    /// [`Trust::CtlSast`] (4).
    CtlSast = 4,
    /// [`Trust::CtlTftp`] (5).
    CtlTftp = 5,
    /// [`Trust::ItlSast`] (6).
    ItlSast = 6,
    /// [`Trust::ItlTftp`] (7).
    ItlTftp = 7,
    /// [`Trust::InCtl`] (8).
    InCtl = 8,
    /// [`Trust::InItl`] (9).
    InItl = 9,
    /// [`Trust::Tvs`] (10).
    Tvs = 10,
    /// [`Trust::TvsCache`] (11).
    TvsCache = 11,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 11] = [
        Rule::FirstUse,
        Rule::BlankItl,
        Rule::Unsigned,
        Rule::CtlSast,
        Rule::CtlTftp,
        Rule::ItlSast,
        Rule::ItlTftp,
        Rule::InCtl,
        Rule::InItl,
        Rule::Tvs,
        Rule::TvsCache,
    ];

    /// The number C reports (`ITL_TRUST_*`).
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The rule of a C code; `None` for 0 and unknown codes.
    pub fn from_code(code: u32) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The name for programs, in kebab case (`"ctl-sast"`, `"tvs-cache"`…).
    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::FirstUse => "first-use",
            Rule::BlankItl => "blank-itl",
            Rule::Unsigned => "unsigned",
            Rule::CtlSast => "ctl-sast",
            Rule::CtlTftp => "ctl-tftp",
            Rule::ItlSast => "itl-sast",
            Rule::ItlTftp => "itl-tftp",
            Rule::InCtl => "in-ctl",
            Rule::InItl => "in-itl",
            Rule::Tvs => "tvs",
            Rule::TvsCache => "tvs-cache",
        }
    }
}

impl Trust {
    /// The rule that accepted, without its index.
    pub const fn rule(&self) -> Rule {
        match self {
            Trust::FirstUse => Rule::FirstUse,
            Trust::BlankItl => Rule::BlankItl,
            Trust::Unsigned => Rule::Unsigned,
            Trust::CtlSast { .. } => Rule::CtlSast,
            Trust::CtlTftp { .. } => Rule::CtlTftp,
            Trust::ItlSast { .. } => Rule::ItlSast,
            Trust::ItlTftp { .. } => Rule::ItlTftp,
            Trust::InCtl { .. } => Rule::InCtl,
            Trust::InItl { .. } => Rule::InItl,
            Trust::Tvs { .. } => Rule::Tvs,
            Trust::TvsCache => Rule::TvsCache,
        }
    }

    /// The record (of the installed list) or TVS server (of the phone's
    /// list) the rule names, 0-based; `None` for rules without one.
    pub const fn index(&self) -> Option<usize> {
        match *self {
            Trust::CtlSast { record }
            | Trust::CtlTftp { record }
            | Trust::ItlSast { record }
            | Trust::ItlTftp { record }
            | Trust::InCtl { record }
            | Trust::InItl { record } => Some(record),
            Trust::Tvs { server } => Some(server),
            Trust::FirstUse | Trust::BlankItl | Trust::Unsigned | Trust::TvsCache => None,
        }
    }

    /// The decision of a rule and its index (ignored by rules without
    /// one): the inverse of [`rule`](Trust::rule) and
    /// [`index`](Trust::index).
    pub const fn from_rule(rule: Rule, index: usize) -> Trust {
        match rule {
            Rule::FirstUse => Trust::FirstUse,
            Rule::BlankItl => Trust::BlankItl,
            Rule::Unsigned => Trust::Unsigned,
            Rule::CtlSast => Trust::CtlSast { record: index },
            Rule::CtlTftp => Trust::CtlTftp { record: index },
            Rule::ItlSast => Trust::ItlSast { record: index },
            Rule::ItlTftp => Trust::ItlTftp { record: index },
            Rule::InCtl => Trust::InCtl { record: index },
            Rule::InItl => Trust::InItl { record: index },
            Rule::Tvs => Trust::Tvs { server: index },
            Rule::TvsCache => Trust::TvsCache,
        }
    }
}

impl Rejection {
    /// The refusal's name for programs, in kebab case (`"too-large"`,
    /// `"untrusted"`…).
    pub fn rule(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::TooLarge { .. } => "too-large",
            Rejection::NotATrustListName(_) => "not-a-trust-list-name",
            Rejection::WrongKind { .. } => "wrong-kind",
            Rejection::WrongFile { .. } => "wrong-file",
            Rejection::BadRecord { .. } => "bad-record",
            Rejection::Rollback { .. } => "rollback",
            Rejection::MalformedEncrypted(_) => "malformed-encrypted",
            Rejection::NoKey => "no-key",
            Rejection::Decrypt(_) => "decrypt",
            Rejection::BlankItlWithCtl => "blank-itl-with-ctl",
            Rejection::SameTimestamp { .. } => "same-timestamp",
            Rejection::SelfSignature(_) => "self-signature",
            Rejection::Locked => "locked",
            Rejection::Untrusted(_) => "untrusted",
        }
    }
}

impl TvsOutcome {
    /// The outcome's name for programs, in kebab case (`"not-asked"`,
    /// `"wrong-roles"`…).
    pub fn name(&self) -> &'static str {
        match self {
            TvsOutcome::NotAsked => "not-asked",
            TvsOutcome::NoCertificate => "no-certificate",
            TvsOutcome::Unreachable => "unreachable",
            TvsOutcome::NotAuthenticated => "not-authenticated",
            TvsOutcome::Refused { .. } => "refused",
            TvsOutcome::SignatureMismatch { .. } => "signature-mismatch",
            TvsOutcome::WrongRoles { .. } => "wrong-roles",
            TvsOutcome::BadDeviceName(_) => "bad-device-name",
        }
    }
}

impl Phone {
    /// A phone named `device_name` (`SEP` + MAC, as in CUCM and in its
    /// file names) with nothing installed, Security By Default, one TVS
    /// server, and the model [`DEFAULT_MODEL`].
    ///
    /// The name is kept as given and never makes this panic. A name that
    /// is not `SEP` and 12 hexadecimal digits gives the phone no TVS device
    /// name, so it refuses whatever only TVS could vouch for, with
    /// [`TvsOutcome::BadDeviceName`], and asks no server; use
    /// [`Phone::try_new`] to refuse such a name at once.
    ///
    /// ```
    /// use cisco_itl::phone::Phone;
    /// let phone = Phone::new("SEP0011215A1AE3");
    /// assert_eq!(phone.device_name(), "SEP0011215A1AE3");
    /// assert_eq!(phone.tvs_device_name()?.as_str(), "CP-7965-SEP0011215A1AE3");
    /// assert!(Phone::new("my phone").tvs_device_name().is_err());
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn new(device_name: &str) -> Self {
        let settings = Settings {
            device_name: device_name.into(),
            model: DEFAULT_MODEL,
            tvs_servers: 1,
            security_by_default: true,
            policy: Policy::default(),
            anti_rollback: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            lsc: None,
            mic: None,
        };
        let state = State::default();
        Phone { settings, state }
    }

    /// A phone named `device_name`, like [`Phone::new`], but refusing a
    /// name that is not `SEP` and 12 hexadecimal digits (either case).
    ///
    /// ```
    /// use cisco_itl::phone::Phone;
    /// use cisco_itl::tvs::codec::DeviceNameError;
    /// assert!(Phone::try_new("SEP0011215A1AE3").is_ok());
    /// assert_eq!(Phone::try_new("SEP0011").err(), Some(DeviceNameError::BadSepName));
    /// ```
    pub fn try_new(device_name: &str) -> Result<Self, DeviceNameError> {
        DeviceName::from_sep_name(DEFAULT_MODEL, device_name)?;
        Ok(Phone::new(device_name))
    }

    /// Sets the phone's model number (default [`DEFAULT_MODEL`]), which
    /// its TVS device name carries in 4 digits. A model above 9999 gives
    /// it no TVS device name.
    ///
    /// ```
    /// use cisco_itl::phone::Phone;
    /// let phone = Phone::new("SEP0011215A1AE3").with_model(8841);
    /// assert_eq!(phone.model(), 8841);
    /// assert_eq!(phone.tvs_device_name()?.as_str(), "CP-8841-SEP0011215A1AE3");
    /// # Ok::<(), cisco_itl::tvs::codec::DeviceNameError>(())
    /// ```
    pub fn with_model(mut self, model: u16) -> Self {
        self.settings.model = model;
        self
    }

    /// Gives the phone its Locally Significant Certificate and key (what
    /// CAPF issues; [`Phone::enrol`] installs it), with which it decrypts an
    /// encrypted configuration ([`Phone::offer_encrypted_config`]) and
    /// proves itself to CAPF. Same as [`Phone::with_lsc`].
    pub fn with_key(self, key: Signer) -> Self {
        self.with_lsc(key)
    }

    /// Replaces (or, with `None`, removes) the phone's LSC. Same as
    /// [`Phone::set_lsc`].
    pub fn set_key(&mut self, key: Option<Signer>) {
        self.set_lsc(key);
    }

    /// Gives the phone its Locally Significant Certificate (issued by
    /// CAPF) and its key.
    pub fn with_lsc(mut self, lsc: Signer) -> Self {
        self.settings.lsc = Some(lsc);
        self
    }

    /// Gives the phone its Manufacturer Installed Certificate and its key:
    /// what it decrypts with and proves itself with until it holds an LSC.
    ///
    /// ```
    /// use cisco_itl::key::Signer;
    /// use cisco_itl::phone::Phone;
    /// let pem = std::fs::read("tests/data/vectors/keys/callmanager-pub.pem").unwrap();
    /// let phone = Phone::new("SEP001122334455").with_mic(Signer::from_pem(&pem).unwrap());
    /// assert!(phone.lsc().is_none());
    /// // Without an LSC the phone decrypts with its MIC.
    /// assert_eq!(phone.certificate(), phone.mic().map(|m| m.certificate()));
    /// ```
    pub fn with_mic(mut self, mic: Signer) -> Self {
        self.settings.mic = Some(mic);
        self
    }

    /// Replaces (or, with `None`, removes) the phone's LSC.
    pub fn set_lsc(&mut self, lsc: Option<Signer>) {
        self.settings.lsc = lsc;
    }

    /// Replaces (or, with `None`, removes) the phone's MIC.
    pub fn set_mic(&mut self, mic: Option<Signer>) {
        self.settings.mic = mic;
    }

    /// The phone's LSC and its key, when it holds one.
    pub fn lsc(&self) -> Option<&Signer> {
        self.settings.lsc.as_ref()
    }

    /// The phone's MIC and its key, when it holds one.
    pub fn mic(&self) -> Option<&Signer> {
        self.settings.mic.as_ref()
    }

    /// The certificate the phone decrypts with: its LSC, else its MIC
    /// (SPEC §7).
    pub fn certificate(&self) -> Option<&CertInfo> {
        self.device_key().map(Signer::certificate)
    }

    /// The key the phone decrypts with: its LSC's, else its MIC's.
    fn device_key(&self) -> Option<&Signer> {
        self.settings.lsc.as_ref().or(self.settings.mic.as_ref())
    }

    /// Turns anti-rollback on or off: when on, a list older than the
    /// installed list of its kind ([`Rejection::Rollback`]), a list with
    /// its TIMESTAMP but other bytes ([`Rejection::SameTimestamp`]), and a
    /// blank ITL while a CTL is installed ([`Rejection::BlankItlWithCtl`])
    /// are refused. Off by default, as real phones behave.
    pub fn with_anti_rollback(mut self, on: bool) -> Self {
        self.settings.anti_rollback = on;
        self
    }

    /// Sets the largest trust list or configuration file the phone accepts
    /// (default [`DEFAULT_MAX_FILE_SIZE`]).
    pub fn with_max_file_size(mut self, bytes: usize) -> Self {
        self.settings.max_file_size = bytes;
        self
    }

    /// Sets how many TVS servers the phone's CallManager group lists (at most 3).
    pub fn with_tvs_servers(mut self, count: usize) -> Self {
        self.settings.tvs_servers = count.min(3);
        self
    }

    /// A model without Security By Default (7940/7960, Jabber…): no ITL,
    /// no TVS.
    pub fn without_security_by_default(mut self) -> Self {
        self.settings.security_by_default = false;
        self
    }

    /// Sets the signature policy (default: what phones accept).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.settings.policy = policy;
        self
    }

    /// The device name as given (`SEP` + MAC).
    pub fn device_name(&self) -> &str {
        &self.settings.device_name
    }

    /// The model number.
    ///
    /// ```
    /// use cisco_itl::phone::{DEFAULT_MODEL, Phone};
    /// assert_eq!(Phone::new("SEP0011215A1AE3").model(), DEFAULT_MODEL);
    /// ```
    pub fn model(&self) -> u16 {
        self.settings.model
    }

    /// The name the phone gives TVS in its requests:
    /// `CP-<model>-SEP<MAC>`, the MAC in upper case, made from its model
    /// and its `SEP` name; an error when either does not fit that form.
    ///
    /// ```
    /// use cisco_itl::phone::Phone;
    /// use cisco_itl::tvs::codec::DeviceNameError;
    /// let phone = Phone::new("SEP0011215a1ae3").with_model(7945);
    /// assert_eq!(phone.tvs_device_name()?.as_str(), "CP-7945-SEP0011215A1AE3");
    /// let phone = Phone::new("SEP0011215A1AE3").with_model(12_345);
    /// assert_eq!(phone.tvs_device_name(), Err(DeviceNameError::ModelTooLarge { model: 12_345 }));
    /// # Ok::<(), DeviceNameError>(())
    /// ```
    pub fn tvs_device_name(&self) -> Result<DeviceName, DeviceNameError> {
        DeviceName::from_sep_name(self.settings.model, &self.settings.device_name)
    }

    /// The installed CTL's bytes.
    pub fn ctl(&self) -> Option<&[u8]> {
        self.state.ctl.as_ref().map(Installed::bytes)
    }

    /// The installed ITL's bytes.
    pub fn itl(&self) -> Option<&[u8]> {
        self.state.itl.as_ref().map(Installed::bytes)
    }

    /// Whether the phone supports Security By Default.
    pub fn security_by_default(&self) -> bool {
        self.settings.security_by_default
    }

    /// Whether a refused trust list has locked the phone.
    pub fn is_locked(&self) -> bool {
        self.state.lock == Lock::Locked
    }

    /// The phone's lock.
    pub fn lock(&self) -> Lock {
        self.state.lock
    }

    /// Which trust lists the phone holds.
    pub fn stage(&self) -> Stage {
        match (self.state.ctl.is_some(), self.installed_itl()) {
            (false, None) => Stage::Nothing,
            (false, Some(itl)) if is_blank(itl) => Stage::BlankItl,
            (false, Some(_)) => Stage::Itl,
            (true, None) => Stage::Ctl,
            (true, Some(_)) => Stage::Both,
        }
    }

    /// What the screen shows: [`TRUST_LIST_UPDATE_FAILED`] while locked.
    pub fn status_message(&self) -> Option<&'static str> {
        self.is_locked().then_some(TRUST_LIST_UPDATE_FAILED)
    }

    /// Number of live entries in the TVS cache at `now`.
    pub fn cached_entries(&self, now: u64) -> usize {
        self.state
            .cache
            .iter()
            .filter(|e| e.expires_at > now)
            .count()
    }

    fn installed_ctl(&self) -> Option<&TrustList<'_>> {
        self.state.ctl.as_ref().and_then(Installed::list)
    }

    fn installed_itl(&self) -> Option<&TrustList<'_>> {
        self.state.itl.as_ref().and_then(Installed::list)
    }

    /// Whether the installed ITL is blank: no record with a function other
    /// than SAST (what "Prepare Cluster for Rollback" leaves).
    pub fn has_blank_itl(&self) -> bool {
        self.installed_itl().is_some_and(is_blank)
    }

    /// Decides on a new CTL or ITL (rules 1–6 of `docs/TRUST.md`) fetched
    /// as `name` (`CTLSEP<MAC>.tlv`, `CTLFile.tlv`, `ITLSEP<MAC>.tlv` or
    /// `ITLFile.tlv`), and installs it when accepted. The file must be a
    /// list of the requested kind (its signed FILENAME says so), no larger
    /// than the phone's limit, with every record agreeing with its own
    /// certificate. Installing a CTL that differs from the installed one
    /// flushes the TVS cache. A rejection locks the phone and changes
    /// nothing else.
    pub fn offer_trust_list(
        &mut self,
        name: &str,
        bytes: &[u8],
        tvs: &mut dyn TrustVerifier,
        clock: &dyn Clock,
    ) -> Result<Trust, Rejection> {
        let decision = requested_list_kind(name)
            .ok_or_else(|| Rejection::NotATrustListName(name.into()))
            .and_then(|kind| {
                self.judge_trust_list(kind, bytes, tvs, clock)
                    .map(|t| (kind, t))
            });
        match decision {
            Ok((kind, trust)) => {
                match kind {
                    ListKind::Ctl => {
                        // Installing a new CTL flushes the TVS certificate
                        // cache (the tokenless-CTL note's phone log:
                        // "tvsFlushCertCache: Completed TVS Certificate
                        // cache flush request"); the same CTL again is no
                        // update and flushes nothing.
                        if self.ctl() != Some(bytes) {
                            self.state.cache.clear();
                        }
                        self.state.ctl = Some(Installed::new(bytes.to_vec()));
                    }
                    ListKind::Itl => self.state.itl = Some(Installed::new(bytes.to_vec())),
                }
                self.state.after_list(true);
                Ok(trust)
            }
            Err(e) => {
                self.state.after_list(false);
                Err(e)
            }
        }
    }

    fn judge_trust_list(
        &mut self,
        kind: ListKind,
        bytes: &[u8],
        tvs: &mut dyn TrustVerifier,
        clock: &dyn Clock,
    ) -> Result<Trust, Rejection> {
        self.check_size(bytes)?;
        let new = TrustList::parse(bytes).map_err(Rejection::Malformed)?;
        let signed_name = new.header().filename();
        if declared_list_kind(signed_name) != Some(kind) {
            return Err(Rejection::WrongKind {
                requested: kind.as_str(),
                signed_name: signed_name.into(),
            });
        }
        new.check_records()
            .map_err(|(record, error)| Rejection::BadRecord { record, error })?;
        let policy = self.settings.policy;
        let (ctl, itl) = (self.installed_ctl(), self.installed_itl());
        if self.settings.anti_rollback {
            if kind == ListKind::Itl && is_blank(&new) && ctl.is_some() {
                return Err(Rejection::BlankItlWithCtl);
            }
            let installed = match kind {
                ListKind::Ctl => ctl.as_ref(),
                ListKind::Itl => itl.as_ref(),
            };
            if let Some(old) = installed {
                let (was, now) = (old.header().timestamp(), new.header().timestamp());
                if now < was {
                    return Err(Rejection::Rollback {
                        installed: was,
                        offered: now,
                    });
                }
                if now == was && old.as_bytes() != bytes {
                    return Err(Rejection::SameTimestamp { timestamp: now });
                }
            }
        }
        // Rule 1: nothing installed, or only a blank ITL.
        if matches!(self.stage(), Stage::Nothing | Stage::BlankItl) {
            new.verify_with_policy(&policy)
                .map_err(Rejection::SelfSignature)?;
            return Ok(Trust::FirstUse);
        }
        if let Some(ctl) = &ctl {
            // Rule 2: a SAST of the CTL.
            if let Ok((record, _)) = new.verify_with_list(ctl, &[Function::Sast], &policy) {
                return Ok(Trust::CtlSast { record });
            }
            // Rule 3: an ITL signed by the CTL's CCM+TFTP or TFTP.
            if kind == ListKind::Itl
                && let Ok((record, _)) =
                    new.verify_with_list(ctl, &[Function::CcmTftp, Function::Tftp], &policy)
            {
                return Ok(Trust::CtlTftp { record });
            }
        }
        // Rule 4: a SAST of the ITL.
        if let Some(itl) = &itl
            && let Ok((record, _)) = new.verify_with_list(itl, &[Function::Sast], &policy)
        {
            return Ok(Trust::ItlSast { record });
        }
        // Rule 5: TVS vouches for the signer's certificate, in a role that
        // may sign this kind of list.
        let cert = match new.signer_record().and_then(|(_, r)| r.certificate()) {
            Some(c) => c.to_vec(),
            None => {
                return Err(Rejection::Untrusted(
                    self.tvs_skipped(TvsOutcome::NoCertificate),
                ));
            }
        };
        let (server, roles) = self.ask_tvs(&cert, tvs, clock)?;
        if !roles_may_sign_list(kind, &roles) {
            return Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server }));
        }
        let anchor = CertInfo::from_der(&cert)
            .ok()
            .and_then(|c| TrustAnchor::from_certificate(&c).ok());
        match anchor.map(|a| new.verify_with(&[a], &policy)) {
            Some(Ok(_)) => Ok(Trust::Tvs { server }),
            _ => Err(Rejection::Untrusted(TvsOutcome::SignatureMismatch {
                server,
            })),
        }
        // Rule 6 is every `Err` above: the caller keeps its lists.
    }

    fn check_size(&self, bytes: &[u8]) -> Result<(), Rejection> {
        if bytes.len() > self.settings.max_file_size {
            return Err(Rejection::TooLarge {
                size: bytes.len(),
                limit: self.settings.max_file_size,
            });
        }
        Ok(())
    }

    fn tvs_skipped(&self, otherwise: TvsOutcome) -> TvsOutcome {
        if !self.settings.security_by_default || self.settings.tvs_servers == 0 {
            TvsOutcome::NotAsked
        } else {
            otherwise
        }
    }

    /// Asks the TVS servers in order about `certificate`; the first server
    /// that is reachable and authenticated answers. A "trusted" answer is
    /// cached for its time to live. Returns the server's index and the
    /// roles it vouched for.
    fn ask_tvs(
        &mut self,
        certificate: &[u8],
        tvs: &mut dyn TrustVerifier,
        clock: &dyn Clock,
    ) -> Result<(usize, Vec<Function>), Rejection> {
        if !self.settings.security_by_default || self.settings.tvs_servers == 0 {
            return Err(Rejection::Untrusted(TvsOutcome::NotAsked));
        }
        let device_name = self
            .tvs_device_name()
            .map_err(|e| Rejection::Untrusted(TvsOutcome::BadDeviceName(e)))?;
        let mut outcome = TvsOutcome::Unreachable;
        for server in 0..self.settings.tvs_servers {
            let Some(server_cert) = tvs.server_certificate(server) else {
                continue;
            };
            if self.authenticate_tvs(&server_cert).is_err() {
                outcome = TvsOutcome::NotAuthenticated;
                continue;
            }
            self.state.session = self.state.session.wrapping_add(1);
            let request = VerifyRequest::new(self.state.session, device_name, certificate);
            let Some(answer) = request
                .encode()
                .ok()
                .and_then(|wire| tvs.exchange(server, &wire))
                .and_then(|wire| {
                    VerifyResponse::decode(&wire)
                        .ok()
                        .map(VerifyResponse::into_owned)
                })
                .filter(|r| r.session_id == self.state.session)
            else {
                continue;
            };
            let (Some(roles), Some(ttl_seconds)) = (answer.roles(), answer.ttl_seconds()) else {
                return Err(Rejection::Untrusted(TvsOutcome::Refused { server }));
            };
            let roles: Vec<Function> = roles.collect();
            // The latest answer replaces any earlier one; an answer that
            // grants no role vouches for nothing, so it is not kept.
            self.state.cache.retain(|e| e.certificate != certificate);
            if !roles.is_empty() {
                self.state.cache.push(CacheEntry {
                    certificate: certificate.to_vec(),
                    roles: roles.clone(),
                    expires_at: clock.now().saturating_add(u64::from(ttl_seconds)),
                });
            }
            return Ok((server, roles));
        }
        Err(Rejection::Untrusted(outcome))
    }

    /// Authenticates a TVS server's certificate: a TVS record of the
    /// installed ITL (then CTL) must name it by issuer and serial, and its
    /// SHA-1 must equal the record's CERTHASH (or the SHA-1 of the
    /// record's certificate). Returns the matching record's index.
    pub fn authenticate_tvs(&self, certificate: &[u8]) -> Result<usize, TvsAuthError> {
        let lists: Vec<TrustList<'_>> = [self.installed_itl(), self.installed_ctl()]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        authenticate_tvs_certificate(&lists, certificate)
    }

    /// Decides on a signed configuration file fetched as `name`. Its
    /// signed FILENAME must be `name` (the MAC compared without regard to
    /// case), or the file is refused: another phone's configuration, or a
    /// trust list, is not this phone's configuration. With a blank ITL any
    /// signer goes; otherwise the signer must be a CCM+TFTP or TFTP record
    /// of the CTL or ITL, or a certificate TVS vouched for in one of those
    /// roles whose answer is still cached. A locked phone takes no
    /// configuration.
    pub fn offer_config(
        &self,
        name: &str,
        bytes: &[u8],
        clock: &dyn Clock,
    ) -> Result<Trust, Rejection> {
        if self.is_locked() {
            return Err(Rejection::Locked);
        }
        self.check_size(bytes)?;
        let sgn = SignedFile::parse(bytes).map_err(Rejection::Malformed)?;
        self.config_signer(name, &sgn, clock)
    }

    /// Decides on an encrypted configuration fetched as `name`
    /// (`SEP<MAC>.cnf.xml.enc.sgn`): its signature by the rules of
    /// [`Phone::offer_config`] first, then decryption with the phone's key
    /// (its LSC, else its MIC: [`Phone::certificate`]): the file must be for this phone's
    /// certificate, its key must open it, and the decrypted configuration
    /// must have the header's digest. Returns the trust and the
    /// configuration (wiped from memory when dropped). A file whose
    /// signature is refused is not decrypted at all.
    pub fn offer_encrypted_config(
        &self,
        name: &str,
        bytes: &[u8],
        clock: &dyn Clock,
    ) -> Result<(Trust, zeroize::Zeroizing<Vec<u8>>), Rejection> {
        if self.is_locked() {
            return Err(Rejection::Locked);
        }
        self.check_size(bytes)?;
        let file = EncryptedFile::parse(bytes).map_err(Rejection::MalformedEncrypted)?;
        let trust = self.config_signer(name, file.signed_file(), clock)?;
        let key = self.device_key().ok_or(Rejection::NoKey)?;
        let plain = file.decrypt_verified(key).map_err(Rejection::Decrypt)?;
        Ok((trust, plain))
    }

    /// Who may sign a configuration: the rules of [`Phone::offer_config`]
    /// after parsing.
    fn config_signer(
        &self,
        name: &str,
        sgn: &SignedFile<'_>,
        clock: &dyn Clock,
    ) -> Result<Trust, Rejection> {
        let signed_name = sgn.header().filename();
        if !same_file_name(name, signed_name) {
            return Err(Rejection::WrongFile {
                requested: name.into(),
                signed_name: signed_name.into(),
            });
        }
        let (ctl, itl) = (self.installed_ctl(), self.installed_itl());
        if self.stage() == Stage::Nothing {
            return Ok(Trust::Unsigned);
        }
        if itl.is_some_and(is_blank) {
            return Ok(Trust::BlankItl);
        }
        let tftp = [Function::CcmTftp, Function::Tftp];
        if let Some(ctl) = &ctl
            && let Ok((record, _)) = sgn.verify_with_list(ctl, &tftp, &self.settings.policy)
        {
            return Ok(Trust::CtlTftp { record });
        }
        if let Some(itl) = &itl
            && let Ok((record, _)) = sgn.verify_with_list(itl, &tftp, &self.settings.policy)
        {
            return Ok(Trust::ItlTftp { record });
        }
        if self.settings.security_by_default {
            let now = clock.now();
            let mut wrong_roles = false;
            for e in self.state.cache.iter().filter(|e| e.expires_at > now) {
                let ok = CertInfo::from_der(&e.certificate).is_ok_and(|c| {
                    sgn.verify_with_certificate(&c, &self.settings.policy)
                        .is_ok()
                });
                if ok && e.roles.iter().any(|f| f.is_tftp()) {
                    return Ok(Trust::TvsCache);
                }
                wrong_roles |= ok;
            }
            if wrong_roles {
                return Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server: 0 }));
            }
        }
        Err(Rejection::Untrusted(
            self.tvs_skipped(TvsOutcome::NoCertificate),
        ))
    }

    /// Decides on an HTTPS server's certificate (a directory on 8443…):
    /// the CTL, then the ITL, then the TVS cache, then TVS, whose
    /// "trusted" answer is cached for its time to live. A list's record
    /// vouches for the certificate when it carries it (and agrees with it,
    /// whatever its key type: RSA or EC) or its SHA-1 as CERTHASH. A TVS
    /// answer must grant at least one role ([`TvsOutcome::WrongRoles`]
    /// otherwise).
    pub fn check_server_certificate(
        &mut self,
        certificate: &[u8],
        tvs: &mut dyn TrustVerifier,
        clock: &dyn Clock,
    ) -> Result<Trust, Rejection> {
        let hash = sha1(certificate);
        let holds = |r: &crate::record::Record<'_>| {
            let named = r.certificate() == Some(certificate) || r.cert_hash() == Some(&hash[..]);
            // A record that disagrees with its own certificate vouches for
            // nothing. Only the record's fields are compared: the HTTPS
            // check needs no signing key, so an EC certificate goes too.
            named
                && r.certificate()
                    .is_none_or(|der| crate::verify::check_record(r, der).is_ok())
        };
        if let Some(record) = self
            .installed_ctl()
            .and_then(|l| l.records().position(|r| holds(&r)))
        {
            return Ok(Trust::InCtl { record });
        }
        if let Some(record) = self
            .installed_itl()
            .and_then(|l| l.records().position(|r| holds(&r)))
        {
            return Ok(Trust::InItl { record });
        }
        let now = clock.now();
        if self.settings.security_by_default
            && self
                .state
                .cache
                .iter()
                .any(|e| e.certificate == certificate && e.expires_at > now && !e.roles.is_empty())
        {
            return Ok(Trust::TvsCache);
        }
        self.state.cache.retain(|e| e.expires_at > now);
        let (server, roles) = self.ask_tvs(certificate, tvs, clock)?;
        if roles.is_empty() {
            return Err(Rejection::Untrusted(TvsOutcome::WrongRoles { server }));
        }
        Ok(Trust::Tvs { server })
    }

    /// Boots against a TFTP server: asks for `CTLSEP<MAC>.tlv` (else
    /// `CTLFile.tlv`), then — with Security By Default — `ITLSEP<MAC>.tlv`
    /// (else `ITLFile.tlv`), then the signed configuration
    /// `SEP<MAC>.cnf.xml.sgn` (`.enc.sgn` when encrypted) when it holds a
    /// trust list, or the unsigned `SEP<MAC>.cnf.xml` when it does not.
    /// A list refused during the boot leaves the phone locked for the rest
    /// of it (so it takes no configuration), even when the other list is
    /// accepted. Files are fetched with [`TftpSource::fetch_at_most`] and
    /// the phone's size limit: a larger file is refused
    /// ([`Rejection::TooLarge`]) as [`Phone::offer_trust_list`] or
    /// [`Phone::offer_config`] would refuse it, a list locking the phone.
    pub fn boot(
        &mut self,
        tftp: &dyn TftpSource,
        tvs: &mut dyn TrustVerifier,
        clock: &dyn Clock,
        encrypted_config: bool,
    ) -> Vec<BootStep> {
        let mut steps = Vec::new();
        let mut refused = false;
        let mac: String = self
            .settings
            .device_name
            .strip_prefix("SEP")
            .unwrap_or(&self.settings.device_name)
            .into();
        let mut lists = alloc::vec![(
            alloc::format!("CTLSEP{mac}.tlv"),
            String::from("CTLFile.tlv")
        )];
        if self.settings.security_by_default {
            lists.push((
                alloc::format!("ITLSEP{mac}.tlv"),
                String::from("ITLFile.tlv"),
            ));
        }
        let limit = self.settings.max_file_size;
        for (own, shared) in lists {
            let mut got = None;
            for name in [own, shared] {
                match tftp.fetch_at_most(&name, limit) {
                    Fetched::NotFound => steps.push(BootStep {
                        file: name,
                        outcome: BootOutcome::NotFound,
                    }),
                    Fetched::Bytes(bytes) => {
                        got = Some((name, Ok(bytes)));
                        break;
                    }
                    Fetched::TooLarge { size } => {
                        got = Some((name, Err(Rejection::TooLarge { size, limit })));
                        break;
                    }
                }
            }
            if let Some((file, fetched)) = got {
                let decision = match fetched {
                    Ok(bytes) => self.offer_trust_list(&file, &bytes, tvs, clock),
                    // What `offer_trust_list` does with a refused list.
                    Err(too_large) => {
                        self.state.after_list(false);
                        Err(too_large)
                    }
                };
                refused |= decision.is_err();
                steps.push(BootStep {
                    file,
                    outcome: BootOutcome::TrustList(decision),
                });
            }
        }
        // A list refused in this boot keeps the phone locked even when a
        // later list of the same boot is accepted.
        if refused {
            self.state.after_list(false);
        }
        if self.stage() != Stage::Nothing {
            let ext = if encrypted_config {
                "cnf.xml.enc.sgn"
            } else {
                "cnf.xml.sgn"
            };
            let file = alloc::format!("{}.{ext}", self.settings.device_name);
            let outcome = match tftp.fetch_at_most(&file, limit) {
                Fetched::Bytes(bytes) if encrypted_config => BootOutcome::Config(
                    self.offer_encrypted_config(&file, &bytes, clock)
                        .map(|(trust, _)| trust),
                ),
                Fetched::Bytes(bytes) => {
                    BootOutcome::Config(self.offer_config(&file, &bytes, clock))
                }
                // `offer_config` says Locked before it looks at the size.
                Fetched::TooLarge { .. } if self.is_locked() => {
                    BootOutcome::Config(Err(Rejection::Locked))
                }
                Fetched::TooLarge { size } => {
                    BootOutcome::Config(Err(Rejection::TooLarge { size, limit }))
                }
                Fetched::NotFound => BootOutcome::NotFound,
            };
            steps.push(BootStep { file, outcome });
        } else {
            let file = alloc::format!("{}.cnf.xml", self.settings.device_name);
            let outcome = match tftp.fetch_at_most(&file, limit) {
                Fetched::Bytes(_) => BootOutcome::Config(Ok(Trust::Unsigned)),
                Fetched::TooLarge { size } => {
                    BootOutcome::Config(Err(Rejection::TooLarge { size, limit }))
                }
                Fetched::NotFound => BootOutcome::NotFound,
            };
            steps.push(BootStep { file, outcome });
        }
        steps
    }
}

/// The kind of list a phone asks for under `name`: `CTLSEP<MAC>.tlv` and
/// `CTLFile.tlv` are CTLs, `ITLSEP<MAC>.tlv` and `ITLFile.tlv` ITLs (any
/// case); other names are not trust lists.
fn requested_list_kind(name: &str) -> Option<ListKind> {
    let upper = name.to_ascii_uppercase();
    let stem = upper.strip_suffix(".TLV")?;
    let (kind, rest) = if let Some(rest) = stem.strip_prefix("CTL") {
        (ListKind::Ctl, rest)
    } else {
        (ListKind::Itl, stem.strip_prefix("ITL")?)
    };
    let device = rest
        .strip_prefix("SEP")
        .is_some_and(|mac| mac.len() == 12 && mac.bytes().all(|b| b.is_ascii_hexdigit()));
    (rest == "FILE" || device).then_some(kind)
}

/// The kind a list's signed FILENAME declares: a `.tlv` name whose base
/// starts with `CTL` is a CTL, any other `.tlv` name an ITL (per-device
/// copies carry the cluster file's name, and other builders write other
/// names); anything else is not a trust list.
fn declared_list_kind(signed_name: &str) -> Option<ListKind> {
    let ext = signed_name.get(signed_name.len().saturating_sub(4)..)?;
    ext.eq_ignore_ascii_case(".tlv")
        .then(|| ListKind::from_filename(signed_name))
}

/// Whether a configuration signed as `signed` is the file `requested`:
/// equal names, the MAC of a `SEP<MAC>` name compared without regard to
/// case.
fn same_file_name(requested: &str, signed: &str) -> bool {
    fn split(name: &str) -> Option<(&str, &str)> {
        name.get(..3).filter(|p| p.eq_ignore_ascii_case("SEP"))?;
        let mac = name
            .get(3..15)
            .filter(|m| m.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some((mac, name.get(15..)?))
    }
    match (split(requested), split(signed)) {
        (Some((m1, r1)), Some((m2, r2))) => m1.eq_ignore_ascii_case(m2) && r1 == r2,
        _ => requested == signed,
    }
}

/// Whether TVS roles let a certificate sign a list of `kind`: SAST, or for
/// an ITL also CCM+TFTP or TFTP.
fn roles_may_sign_list(kind: ListKind, roles: &[Function]) -> bool {
    roles
        .iter()
        .any(|f| *f == Function::Sast || (kind == ListKind::Itl && f.is_tftp()))
}

fn is_blank(list: &TrustList<'_>) -> bool {
    list.records()
        .all(|r| r.functions().all(|f| f == Function::Sast))
}

/// Where a booting phone fetches files.
pub trait TftpSource {
    /// The file's bytes, or `None` when the server has no such file.
    fn fetch(&self, name: &str) -> Option<Vec<u8>>;

    /// The file's bytes when it holds at most `limit` bytes (the phone's
    /// [`Phone::with_max_file_size`]); [`Phone::boot`] asks this way. The
    /// default fetches, then checks the size. A source that learns a
    /// file's size before its bytes (a C callback, a transfer that
    /// announces its size) overrides it to refuse a larger file before
    /// copying or reading any of it.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cisco_itl::phone::{Fetched, TftpSource};
    /// let mut files = BTreeMap::new();
    /// files.insert(String::from("ITLFile.tlv"), vec![0u8; 10]);
    /// assert_eq!(files.fetch_at_most("ITLFile.tlv", 9), Fetched::TooLarge { size: 10 });
    /// assert_eq!(files.fetch_at_most("ITLFile.tlv", 10), Fetched::Bytes(vec![0; 10]));
    /// assert_eq!(files.fetch_at_most("CTLFile.tlv", 10), Fetched::NotFound);
    /// ```
    fn fetch_at_most(&self, name: &str, limit: usize) -> Fetched {
        match self.fetch(name) {
            None => Fetched::NotFound,
            Some(bytes) if bytes.len() > limit => Fetched::TooLarge { size: bytes.len() },
            Some(bytes) => Fetched::Bytes(bytes),
        }
    }
}

/// What [`TftpSource::fetch_at_most`] gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The server has no such file.
    NotFound,
    /// The file, within the limit.
    Bytes(Vec<u8>),
    /// The file is larger than the limit: its size, as the source gave it.
    TooLarge {
        /// The file's size in bytes.
        size: usize,
    },
}

impl TftpSource for alloc::collections::BTreeMap<String, Vec<u8>> {
    fn fetch(&self, name: &str) -> Option<Vec<u8>> {
        self.get(name).cloned()
    }
}

/// One file a booting phone asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootStep {
    /// The file name requested.
    pub file: String,
    /// What happened.
    pub outcome: BootOutcome,
}

/// What happened to one requested file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootOutcome {
    /// The TFTP server has no such file.
    NotFound,
    /// A trust list, accepted or refused.
    TrustList(Result<Trust, Rejection>),
    /// A configuration file, accepted or refused.
    Config(Result<Trust, Rejection>),
}
