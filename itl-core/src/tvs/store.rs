//! Where a TVS server keeps the certificates it vouches for: each one
//! identified by the SHA-256 of its DER, with its roles and the time to
//! live of a "trusted" answer. An in-memory store, and (with the `sqlite`
//! feature) a persistent SQLite store; both behind [`CertificateStore`],
//! which is also the administration API (add, list, remove).
//!
//! ```
//! use cisco_itl::Function;
//! use cisco_itl::tvs::store::{CertificateStore, MemoryStore};
//! let pem = std::fs::read("tests/data/vectors/keys/callmanager-pub.pem").unwrap();
//! let der = cisco_itl::cert::CertInfo::from_pem(&pem).unwrap().der().to_vec();
//! let store = MemoryStore::new();
//! let id = store.add(&der, &[Function::CcmTftp], 86_400).unwrap();
//! let entry = store.lookup(&id).unwrap().unwrap();
//! assert_eq!(entry.roles, [Function::CcmTftp]);
//! let listing = store.list().unwrap();
//! assert_eq!((listing.entries.len(), listing.problems.len()), (1, 0));
//! assert!(store.remove(&id).unwrap());
//! assert!(store.lookup(&id).unwrap().is_none());
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use std::sync::RwLock;

use sha2::{Digest, Sha256};

use crate::cert::CertInfo;
use crate::function::Function;

/// The SHA-256 of a certificate's DER: how TVS names a certificate.
pub type CertificateId = [u8; 32];

/// The SHA-256 of `der`.
///
/// ```
/// let id = cisco_itl::tvs::store::certificate_id(b"");
/// assert_eq!(id[0], 0xe3);
/// ```
pub fn certificate_id(der: &[u8]) -> CertificateId {
    Sha256::digest(der).into()
}

/// One certificate TVS vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreEntry {
    /// The SHA-256 of [`StoreEntry::certificate`].
    pub id: CertificateId,
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// The roles TVS vouches for it in (one byte each on the wire).
    pub roles: Vec<Function>,
    /// How long a phone may keep a "trusted" answer, in seconds.
    pub ttl_seconds: u32,
}

/// Why the store refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// What was to be added is not an X.509 certificate.
    #[error("not an X.509 certificate: {0}")]
    BadCertificate(crate::cert::CertError),
    /// A role's code does not fit the one byte the wire gives it.
    #[error("role code {0} does not fit in one byte")]
    RoleNotEncodable(u16),
    /// The stored entry asked for is not what the store writes (edited by
    /// hand, or damaged). [`CertificateStore::list`] reports such rows
    /// one by one ([`Listing::problems`]) rather than failing.
    #[error("the stored entry for {id} is corrupt: {why}")]
    Corrupt {
        /// The entry's id, hex.
        id: String,
        /// What is wrong.
        why: Defect,
    },
    /// The database stayed locked (by another process, or every pooled
    /// connection was in use) past the store's bounded wait
    /// (`SqliteOptions::busy_wait`). Nothing was changed; asking again
    /// later may succeed.
    #[error(
        "the database was still busy after {waited:?}, the store's bounded wait; nothing was changed"
    )]
    Busy {
        /// How long the call waited before giving up.
        waited: Duration,
    },
    /// The database file is not a TVS certificate store: it was left
    /// untouched.
    #[error("refused to use the database file: {0}")]
    Refused(Refusal),
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
    /// A lock was poisoned by a panic in another thread.
    #[error("the store's lock is poisoned")]
    Poisoned,
}

/// What is wrong with a stored row: the store writes none of these, so
/// the row was edited by hand or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Defect {
    /// The row's id is not the SHA-256 of its certificate.
    #[error("its id is not the SHA-256 of its certificate")]
    IdMismatch,
    /// The row's certificate does not parse as X.509.
    #[error("its certificate is not an X.509 certificate")]
    NotACertificate,
    /// The row's time to live is not a number of seconds from 0 to
    /// 4,294,967,295.
    #[error("its TTL {0} is not a number of seconds from 0 to 4294967295")]
    TtlOutOfRange(i64),
    /// A column holds a value of another type than the store writes.
    #[error("its {column} is {found}, not {expected}")]
    WrongType {
        /// The column (`id`, `certificate`, `roles`, `TTL`).
        column: &'static str,
        /// What the store writes there.
        expected: &'static str,
        /// What the row holds.
        found: &'static str,
    },
}

/// Why a database file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The path names a directory, a device, a FIFO…
    #[error("it is not a regular file")]
    NotAFile,
    /// The file is not empty and not an SQLite database.
    #[error("it is not an SQLite database")]
    NotSqlite,
    /// An SQLite database without the store's mark (`application_id` 0):
    /// another program's, or a store written before stores were marked
    /// (`docs/TRUST.md` says how to move one into a new store).
    #[error(
        "it is an SQLite database not marked as a TVS certificate store (application_id 0): another program's, or a store from before stores were marked"
    )]
    Unmarked,
    /// An SQLite database marked by another program.
    #[error("it belongs to another program (application_id {0:#010x})")]
    OtherApplication(u32),
    /// A store written by a newer version of this library.
    #[error("its schema version {0} is newer than this library's")]
    NewerSchema(u32),
    /// A marked store that also holds tables, views, indexes or triggers
    /// of its own (each named: `table accounts`).
    #[error("it holds {}, which a TVS certificate store does not", .0.join(", "))]
    OtherObjects(Vec<String>),
    /// A marked store whose certificate table is missing or not the one
    /// this library writes.
    #[error("its certificate table is missing or not the one this library writes")]
    UnknownSchema,
}

/// A stored row [`CertificateStore::list`] skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Its position among the stored rows (good and bad), ordered by id,
    /// counted from 1.
    pub row: usize,
    /// Its id as stored: hex, or the kind of value when it is not bytes.
    pub id: String,
    /// What is wrong with it.
    pub why: Defect,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} (id {}): {}", self.row, self.id, self.why)
    }
}

/// What [`CertificateStore::list`] found: every good entry, and every row
/// that is not one. One bad row never hides the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The good entries, ordered by id.
    pub entries: Vec<StoreEntry>,
    /// The rows skipped, in the same order.
    pub problems: Vec<BadRow>,
}

impl Listing {
    /// Whether every stored row was a good entry.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The entries if every stored row was good, otherwise the first bad
    /// row as [`StoreError::Corrupt`]: for callers that must not act on
    /// part of the store.
    pub fn complete(self) -> Result<Vec<StoreEntry>, StoreError> {
        match self.problems.into_iter().next() {
            None => Ok(self.entries),
            Some(bad) => Err(StoreError::Corrupt {
                id: bad.id,
                why: bad.why,
            }),
        }
    }
}

/// A TVS certificate store. Implementations are shared between the
/// server's connection threads, hence `Send + Sync`.
pub trait CertificateStore: Send + Sync {
    /// The entry for the certificate with this SHA-256, if any.
    fn lookup(&self, id: &CertificateId) -> Result<Option<StoreEntry>, StoreError>;

    /// Adds (or replaces) a certificate with its roles and time to live;
    /// returns its id. The DER must parse as X.509.
    fn add(
        &self,
        certificate: &[u8],
        roles: &[Function],
        ttl_seconds: u32,
    ) -> Result<CertificateId, StoreError>;

    /// Removes a certificate; whether it was there.
    fn remove(&self, id: &CertificateId) -> Result<bool, StoreError>;

    /// Every good entry, ordered by id, and every stored row that is not
    /// one (reported in [`Listing::problems`] and skipped).
    fn list(&self) -> Result<Listing, StoreError>;
}

/// Checks what [`CertificateStore::add`] is given and makes the entry.
fn new_entry(
    certificate: &[u8],
    roles: &[Function],
    ttl_seconds: u32,
) -> Result<StoreEntry, StoreError> {
    CertInfo::from_der(certificate).map_err(StoreError::BadCertificate)?;
    if let Some(code) = roles.iter().map(|r| r.code()).find(|c| *c > 0xff) {
        return Err(StoreError::RoleNotEncodable(code));
    }
    Ok(StoreEntry {
        id: certificate_id(certificate),
        certificate: certificate.to_vec(),
        roles: roles.to_vec(),
        ttl_seconds,
    })
}

/// A store in memory, lost when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RwLock<BTreeMap<CertificateId, StoreEntry>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CertificateStore for MemoryStore {
    fn lookup(&self, id: &CertificateId) -> Result<Option<StoreEntry>, StoreError> {
        let entries = self.entries.read().map_err(|_| StoreError::Poisoned)?;
        Ok(entries.get(id).cloned())
    }

    fn add(
        &self,
        certificate: &[u8],
        roles: &[Function],
        ttl_seconds: u32,
    ) -> Result<CertificateId, StoreError> {
        let entry = new_entry(certificate, roles, ttl_seconds)?;
        let id = entry.id;
        self.entries
            .write()
            .map_err(|_| StoreError::Poisoned)?
            .insert(id, entry);
        Ok(id)
    }

    fn remove(&self, id: &CertificateId) -> Result<bool, StoreError> {
        let mut entries = self.entries.write().map_err(|_| StoreError::Poisoned)?;
        Ok(entries.remove(id).is_some())
    }

    fn list(&self) -> Result<Listing, StoreError> {
        let entries = self.entries.read().map_err(|_| StoreError::Poisoned)?;
        Ok(Listing {
            entries: entries.values().cloned().collect(),
            problems: Vec::new(),
        })
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::{APPLICATION_ID, SCHEMA_VERSION, SqliteOptions, SqliteStore};

#[cfg(feature = "sqlite")]
pub(crate) mod sqlite {
    use std::collections::VecDeque;
    use std::io::Read;
    use std::path::Path;
    use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
    use std::time::{Duration, Instant};

    use rusqlite::config::DbConfig;
    use rusqlite::types::Value;
    use rusqlite::{
        Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params,
    };

    use super::{
        BadRow, CertificateId, CertificateStore, Defect, Listing, Refusal, StoreEntry, StoreError,
        certificate_id, new_entry,
    };
    use crate::cert::CertInfo;
    use crate::function::Function;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// The mark of a TVS certificate store (`PRAGMA application_id`, bytes
    /// 68–71 of the file): `TVSc` in ASCII.
    pub const APPLICATION_ID: u32 = u32::from_be_bytes(*b"TVSc");

    /// The version of the store's schema (`PRAGMA user_version`).
    pub const SCHEMA_VERSION: u32 = 1;

    /// The store's one table, as SQLite keeps its text in `sqlite_schema`.
    /// Typed (`STRICT`) and checked, so that even a hand-written row
    /// holds bytes, a 32-byte id and a TTL that fits a `u32`.
    const CREATE_TABLE: &str = "CREATE TABLE tvs_certificates (
    sha256 BLOB PRIMARY KEY NOT NULL CHECK (length(sha256) = 32),
    der BLOB NOT NULL,
    roles BLOB NOT NULL,
    ttl INTEGER NOT NULL CHECK (ttl BETWEEN 0 AND 4294967295)
) STRICT, WITHOUT ROWID";

    /// The longest wait the store arms, whatever it is asked.
    const MAX_WAIT: Duration = Duration::from_secs(3600);

    /// The most read-only connections a store opens, whatever it is asked.
    const MAX_READERS: usize = 64;

    /// How an [`SqliteStore`] waits and reads.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cisco_itl::tvs::store::SqliteOptions;
    /// let options = SqliteOptions::default()
    ///     .busy_wait(Duration::from_millis(250))
    ///     .readers(8);
    /// assert_eq!((options.busy_wait, options.readers), (Duration::from_millis(250), 8));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[non_exhaustive]
    pub struct SqliteOptions {
        /// The longest one call (open, lookup, add, remove, list) waits
        /// for a lock another process holds, or for a pooled connection,
        /// before it fails with [`StoreError::Busy`]. 100 ms by default;
        /// at most an hour.
        pub busy_wait: Duration,
        /// How many read-only connections lookups and listings share
        /// (4 by default; at least 1, at most 64). Writes have a
        /// connection of their own.
        pub readers: usize,
    }

    impl Default for SqliteOptions {
        fn default() -> Self {
            SqliteOptions {
                busy_wait: Duration::from_millis(100),
                readers: 4,
            }
        }
    }

    impl SqliteOptions {
        /// With this bounded wait.
        pub fn busy_wait(mut self, wait: Duration) -> Self {
            self.busy_wait = wait;
            self
        }

        /// With this many read-only connections (at least 1, at most 64).
        pub fn readers(mut self, readers: usize) -> Self {
            self.readers = readers;
            self
        }

        fn wait(&self) -> Duration {
            self.busy_wait.min(MAX_WAIT)
        }
    }

    /// Connections taken by one caller at a time, waited for up to a
    /// deadline, first come first served (a caller that has just given a
    /// connection back cannot take it again ahead of one that waits).
    #[derive(Debug)]
    struct Pool {
        state: Mutex<PoolState>,
        changed: Condvar,
    }

    #[derive(Debug)]
    struct PoolState {
        idle: Vec<Connection>,
        /// The tickets of the callers waiting, oldest first.
        queue: VecDeque<u64>,
        next_ticket: u64,
    }

    /// A connection out of its pool, given back when dropped (panics
    /// included).
    struct Lease<'a> {
        pool: &'a Pool,
        connection: Option<Connection>,
    }

    impl Drop for Lease<'_> {
        fn drop(&mut self) {
            if let Some(c) = self.connection.take() {
                self.pool.lock().idle.push(c);
                self.pool.changed.notify_all();
            }
        }
    }

    impl Pool {
        fn new(connections: Vec<Connection>) -> Self {
            Pool {
                state: Mutex::new(PoolState {
                    idle: connections,
                    queue: VecDeque::new(),
                    next_ticket: 0,
                }),
                changed: Condvar::new(),
            }
        }

        /// The pool's state. Its lock is held only to take or give back a
        /// connection, never while one is used, and nothing it guards can
        /// be left half-changed by a panic.
        fn lock(&self) -> MutexGuard<'_, PoolState> {
            self.state.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// A connection, or [`StoreError::Busy`] if none is free by
        /// `deadline`.
        fn take(&self, start: Instant, deadline: Instant) -> Result<Lease<'_>, StoreError> {
            let mut state = self.lock();
            if state.queue.is_empty()
                && let Some(c) = state.idle.pop()
            {
                return Ok(Lease {
                    pool: self,
                    connection: Some(c),
                });
            }
            let ticket = state.next_ticket;
            state.next_ticket = state.next_ticket.wrapping_add(1);
            state.queue.push_back(ticket);
            loop {
                if state.queue.front() == Some(&ticket)
                    && let Some(c) = state.idle.pop()
                {
                    state.queue.pop_front();
                    drop(state);
                    // The next in line may find a connection too.
                    self.changed.notify_all();
                    return Ok(Lease {
                        pool: self,
                        connection: Some(c),
                    });
                }
                let now = Instant::now();
                if now >= deadline {
                    state.queue.retain(|t| *t != ticket);
                    drop(state);
                    self.changed.notify_all();
                    return Err(StoreError::Busy {
                        waited: now.duration_since(start),
                    });
                }
                state = self
                    .changed
                    .wait_timeout(state, deadline.duration_since(now))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }

        /// Runs `f` on a connection of the pool, its busy timeout armed
        /// for what is left until `deadline`.
        fn with<R>(
            &self,
            start: Instant,
            deadline: Instant,
            f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
        ) -> Result<R, StoreError> {
            let mut lease = self.take(start, deadline)?;
            let connection = lease.connection.as_mut().ok_or(StoreError::Poisoned)?;
            arm(connection, deadline)?;
            f(connection)
        }
    }

    /// A store kept in an SQLite database file, which survives restarts.
    /// SQLite is compiled in (`rusqlite`'s `bundled` feature): nothing to
    /// install.
    ///
    /// The file is the store's alone: marked with [`APPLICATION_ID`] and
    /// [`SCHEMA_VERSION`], one table (`tvs_certificates`), in WAL mode.
    /// A missing or empty file is made a store; a marked store is opened;
    /// any other file is refused ([`StoreError::Refused`]) without a byte
    /// of it written. Lookups and listings read through a small pool of
    /// read-only connections, which neither the store's own writes nor
    /// another process writing to or holding the database hold up; writes
    /// go through a connection of their own, each in one transaction.
    /// Every call waits at most [`SqliteOptions::busy_wait`] for a lock,
    /// then fails with [`StoreError::Busy`].
    ///
    /// ```
    /// use cisco_itl::Function;
    /// use cisco_itl::tvs::store::{CertificateStore, SqliteStore};
    /// let pem = std::fs::read("tests/data/vectors/keys/tvs-pub.pem").unwrap();
    /// let der = cisco_itl::cert::CertInfo::from_pem(&pem).unwrap().der().to_vec();
    /// let store = SqliteStore::in_memory().unwrap();
    /// let id = store.add(&der, &[Function::Tvs], 3600).unwrap();
    /// assert_eq!(store.lookup(&id).unwrap().unwrap().ttl_seconds, 3600);
    /// ```
    #[derive(Debug)]
    pub struct SqliteStore {
        // Declared (so dropped) before the writer: the last connection to
        // close, the writer, folds the write-ahead log into the file.
        /// Read-only connections; `None` in memory, where the writer reads.
        readers: Option<Pool>,
        /// The one connection that writes.
        writer: Pool,
        wait: Duration,
    }

    pub(crate) fn db(e: rusqlite::Error) -> StoreError {
        StoreError::Database(format!("{e}"))
    }

    /// An SQLite error, "busy" and "locked" made [`StoreError::Busy`].
    pub(crate) fn fail(e: rusqlite::Error, start: Instant) -> StoreError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
                waited: start.elapsed(),
            },
            _ => db(e),
        }
    }

    /// Arms the connection's busy timeout for what is left until
    /// `deadline` (none left: a lock held elsewhere fails at once).
    pub(crate) fn arm(connection: &Connection, deadline: Instant) -> Result<(), StoreError> {
        let left = deadline.saturating_duration_since(Instant::now());
        connection.busy_timeout(left.min(MAX_WAIT)).map_err(db)
    }

    /// What the file at a path is, from its first 100 bytes, read before
    /// SQLite opens it (so that a refused file is never written to).
    pub(crate) enum Found {
        /// Missing or empty: to be made a store.
        Fresh,
        /// Marked as a store.
        Marked,
    }

    fn inspect(path: &Path) -> Result<Found, StoreError> {
        inspect_marked(path, APPLICATION_ID)
    }

    /// What the file at `path` is, for a store marked `application_id`
    /// (shared with the CAPF store).
    pub(crate) fn inspect_marked(path: &Path, application_id: u32) -> Result<Found, StoreError> {
        let io = |e: std::io::Error| StoreError::Database(format!("{}: {e}", path.display()));
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Fresh),
            Err(e) => return Err(io(e)),
        };
        if !meta.is_file() {
            return Err(StoreError::Refused(Refusal::NotAFile));
        }
        if meta.len() == 0 {
            return Ok(Found::Fresh);
        }
        // Opened without waiting (a FIFO put in its place meanwhile would
        // block `open`), and checked again once open.
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        }
        let mut file = options.open(path).map_err(io)?;
        if !file.metadata().map_err(io)?.is_file() {
            return Err(StoreError::Refused(Refusal::NotAFile));
        }
        let mut header = [0u8; 100];
        match file.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(StoreError::Refused(Refusal::NotSqlite));
            }
            Err(e) => return Err(io(e)),
        }
        if header.get(..16) != Some(b"SQLite format 3\0".as_slice()) {
            return Err(StoreError::Refused(Refusal::NotSqlite));
        }
        let mut id = [0u8; 4];
        id.copy_from_slice(header.get(68..72).unwrap_or(&[0; 4]));
        match u32::from_be_bytes(id) {
            found if found == application_id => Ok(Found::Marked),
            0 => Err(StoreError::Refused(Refusal::Unmarked)),
            other => Err(StoreError::Refused(Refusal::OtherApplication(other))),
        }
    }

    /// No SQL of the file's schema runs with more rights than it needs,
    /// and the schema cannot be written as data.
    pub(crate) fn harden(connection: &Connection) -> Result<(), StoreError> {
        connection
            .set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(db)?;
        connection
            .set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
            .map_err(db)?;
        Ok(())
    }

    /// What a store file must hold: its mark, its version and its tables
    /// (name and the text SQLite keeps of each).
    pub(crate) struct Schema {
        /// `PRAGMA application_id`.
        pub(crate) application_id: u32,
        /// `PRAGMA user_version`.
        pub(crate) version: u32,
        /// Each table's name and `CREATE TABLE` statement.
        pub(crate) tables: &'static [(&'static str, &'static str)],
    }

    /// The TVS store's schema.
    const SCHEMA: Schema = Schema {
        application_id: APPLICATION_ID,
        version: SCHEMA_VERSION,
        tables: &[("tvs_certificates", CREATE_TABLE)],
    };

    /// Checks the database in one transaction and, when it is empty and
    /// `fresh`, makes it a store of `schema` (mark, version, tables) in the
    /// same one. A refusal rolls back: nothing was written. Shared by the
    /// TVS and CAPF stores.
    pub(crate) fn settle(
        connection: &mut Connection,
        fresh: bool,
        start: Instant,
        schema: &Schema,
    ) -> Result<(), StoreError> {
        let failed = |e| fail(e, start);
        let behaviour = if fresh {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let tx = connection
            .transaction_with_behavior(behaviour)
            .map_err(failed)?;
        let application: i64 = tx
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(failed)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(failed)?;
        let objects = {
            let mut statement = tx
                .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
                .map_err(failed)?;
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .map_err(failed)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(failed)?
        };
        // `application_id` is a signed 32-bit integer in SQLite.
        match (application as u32, version) {
            (0, 0) if fresh && objects.is_empty() => {
                let mut batch = format!(
                    "PRAGMA application_id = {};\nPRAGMA user_version = {};\n",
                    schema.application_id, schema.version
                );
                for (_, create) in schema.tables {
                    batch.push_str(create);
                    batch.push_str(";\n");
                }
                tx.execute_batch(&batch).map_err(failed)?;
                tx.commit().map_err(failed)
            }
            (application, version) if application == schema.application_id => {
                let version = u32::try_from(version)
                    .map_err(|_| StoreError::Refused(Refusal::UnknownSchema))?;
                if version > schema.version {
                    return Err(StoreError::Refused(Refusal::NewerSchema(version)));
                }
                if version < schema.version {
                    return Err(StoreError::Refused(Refusal::UnknownSchema));
                }
                let mut found = alloc::vec![false; schema.tables.len()];
                let mut others = Vec::new();
                for (kind, name, sql) in objects {
                    let table = schema
                        .tables
                        .iter()
                        .enumerate()
                        .find(|(_, (t, _))| *t == name);
                    match table {
                        Some((i, (_, create))) if kind == "table" => {
                            if sql.as_deref() != Some(*create) {
                                return Err(StoreError::Refused(Refusal::UnknownSchema));
                            }
                            if let Some(seen) = found.get_mut(i) {
                                *seen = true;
                            }
                        }
                        _ if sqlites_own(&kind, &name, sql.as_deref(), schema) => {}
                        _ => others.push(format!("{kind} {name}")),
                    }
                }
                if !others.is_empty() {
                    return Err(StoreError::Refused(Refusal::OtherObjects(others)));
                }
                if !found.iter().all(|seen| *seen) {
                    return Err(StoreError::Refused(Refusal::UnknownSchema));
                }
                tx.commit().map_err(failed)
            }
            (0, _) => Err(StoreError::Refused(Refusal::Unmarked)),
            (other, _) => Err(StoreError::Refused(Refusal::OtherApplication(other))),
        }
    }

    /// Whether a schema object is one SQLite makes itself: the automatic
    /// index of a table's key (which has no SQL text) and the statistics
    /// tables `ANALYZE` makes (with exactly their SQL). A name is not
    /// enough (SQLite does not stop a file from naming an index, a
    /// trigger or a table `sqlite_…`): a trigger or a view is never
    /// SQLite's own.
    fn sqlites_own(kind: &str, name: &str, sql: Option<&str>, schema: &Schema) -> bool {
        match (kind, sql) {
            ("index", None) => schema.tables.iter().any(|(table, _)| {
                name.strip_prefix("sqlite_autoindex_")
                    .and_then(|rest| rest.strip_prefix(table))
                    .is_some_and(|rest| rest.starts_with('_'))
            }),
            ("table", Some(sql)) => matches!(
                (name, sql),
                ("sqlite_stat1", "CREATE TABLE sqlite_stat1(tbl,idx,stat)")
                    | (
                        "sqlite_stat4",
                        "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)"
                    )
            ),
            _ => false,
        }
    }

    impl SqliteStore {
        /// Opens the store at `path` with the default options, making a
        /// missing or empty file a store; refuses any other file.
        pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
            Self::open_with(path, SqliteOptions::default())
        }

        /// Opens the store at `path`, making a missing or empty file a
        /// store: [`StoreError::Refused`] (the file untouched) when it is
        /// anything but a missing or empty file or a store;
        /// [`StoreError::Busy`] when another process keeps it locked past
        /// `options.busy_wait` (a connection in exclusive locking mode).
        pub fn open_with(
            path: impl AsRef<Path>,
            options: SqliteOptions,
        ) -> Result<Self, StoreError> {
            let path = path.as_ref();
            let wait = options.wait();
            let start = Instant::now();
            let deadline = start + wait;
            let fresh = matches!(inspect(path)?, Found::Fresh);
            let mut writer = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(db)?;
            harden(&writer)?;
            arm(&writer, deadline)?;
            settle(&mut writer, fresh, start, &SCHEMA)?;
            let mode: String = writer
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(|e| fail(e, start))?;
            if !mode.eq_ignore_ascii_case("wal") {
                arm(&writer, deadline)?;
                let mode: String = writer
                    .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                    .map_err(|e| fail(e, start))?;
                if !mode.eq_ignore_ascii_case("wal") {
                    // SQLite answers with the mode it kept when the file
                    // system cannot share the log's index.
                    return Err(StoreError::Database(format!(
                        "the database cannot be put in WAL mode (it stays in {mode} mode)"
                    )));
                }
            }
            writer
                .execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(db)?;
            let count = options.readers.clamp(1, MAX_READERS);
            let mut readers = Vec::with_capacity(count);
            for _ in 0..count {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(db)?;
                harden(&reader)?;
                readers.push(reader);
            }
            Ok(SqliteStore {
                readers: Some(Pool::new(readers)),
                writer: Pool::new(alloc::vec![writer]),
                wait,
            })
        }

        /// A store in memory (tests, examples): one connection, which
        /// reads and writes.
        pub fn in_memory() -> Result<Self, StoreError> {
            let mut connection = Connection::open_in_memory().map_err(db)?;
            harden(&connection)?;
            settle(&mut connection, true, Instant::now(), &SCHEMA)?;
            Ok(SqliteStore {
                readers: None,
                writer: Pool::new(alloc::vec![connection]),
                wait: SqliteOptions::default().wait(),
            })
        }

        fn readers(&self) -> &Pool {
            self.readers.as_ref().unwrap_or(&self.writer)
        }

        /// Now, and the deadline of a call starting now.
        fn clock(&self) -> (Instant, Instant) {
            let start = Instant::now();
            (start, start + self.wait)
        }

        /// Runs `f` in one write transaction, taken at once (so that a
        /// lock held elsewhere is waited for, within the deadline, before
        /// anything is written).
        fn write<R>(
            &self,
            f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
        ) -> Result<R, StoreError> {
            let (start, deadline) = self.clock();
            self.writer.with(start, deadline, |c| {
                let tx = c
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(|e| fail(e, start))?;
                let out = f(&tx).map_err(|e| fail(e, start))?;
                tx.commit().map_err(|e| fail(e, start))?;
                Ok(out)
            })
        }
    }

    /// How a value that is not what a column holds is named.
    fn kind(value: &Value) -> &'static str {
        match value {
            Value::Null => "NULL",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }

    fn blob(value: Value, column: &'static str) -> Result<Vec<u8>, Defect> {
        match value {
            Value::Blob(b) => Ok(b),
            other => Err(Defect::WrongType {
                column,
                expected: "bytes",
                found: kind(&other),
            }),
        }
    }

    /// A row as stored, checked: its id is the SHA-256 of its DER, which
    /// is X.509; its TTL fits a `u32`.
    fn check_row(id: Value, der: Value, roles: Value, ttl: Value) -> Result<StoreEntry, Defect> {
        let id = blob(id, "id")?;
        let der = blob(der, "certificate")?;
        let roles = blob(roles, "roles")?;
        let ttl = match ttl {
            Value::Integer(t) => t,
            other => {
                return Err(Defect::WrongType {
                    column: "TTL",
                    expected: "an integer",
                    found: kind(&other),
                });
            }
        };
        let computed = certificate_id(&der);
        if id.as_slice() != computed.as_slice() {
            return Err(Defect::IdMismatch);
        }
        CertInfo::from_der(&der).map_err(|_| Defect::NotACertificate)?;
        let ttl_seconds = u32::try_from(ttl).map_err(|_| Defect::TtlOutOfRange(ttl))?;
        Ok(StoreEntry {
            id: computed,
            certificate: der,
            roles: roles
                .iter()
                .map(|b| Function::from_code(u16::from(*b)))
                .collect(),
            ttl_seconds,
        })
    }

    /// A stored id as [`BadRow::id`] shows it.
    fn show_id(id: &Value) -> String {
        match id {
            Value::Blob(b) => crate::hex::lower(b),
            other => format!("<{}>", kind(other)),
        }
    }

    impl CertificateStore for SqliteStore {
        fn lookup(&self, id: &CertificateId) -> Result<Option<StoreEntry>, StoreError> {
            let (start, deadline) = self.clock();
            let row = self.readers().with(start, deadline, |c| {
                c.prepare_cached("SELECT der, roles, ttl FROM tvs_certificates WHERE sha256 = ?1")
                    .and_then(|mut s| {
                        s.query_row(params![id.as_slice()], |r| {
                            Ok((r.get::<_, Value>(0)?, r.get(1)?, r.get(2)?))
                        })
                        .optional()
                    })
                    .map_err(|e| fail(e, start))
            })?;
            // Checked once the connection is back in the pool.
            row.map(|(der, roles, ttl)| {
                check_row(Value::Blob(id.to_vec()), der, roles, ttl).map_err(|why| {
                    StoreError::Corrupt {
                        id: crate::hex::lower(id),
                        why,
                    }
                })
            })
            .transpose()
        }

        fn add(
            &self,
            certificate: &[u8],
            roles: &[Function],
            ttl_seconds: u32,
        ) -> Result<CertificateId, StoreError> {
            let e = new_entry(certificate, roles, ttl_seconds)?;
            let role_bytes: Vec<u8> = e
                .roles
                .iter()
                .map(|r| u8::try_from(r.code()).unwrap_or(u8::MAX))
                .collect();
            self.write(|tx| {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO tvs_certificates (sha256, der, roles, ttl)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    e.id.as_slice(),
                    e.certificate,
                    role_bytes,
                    i64::from(ttl_seconds)
                ])
            })?;
            Ok(e.id)
        }

        fn remove(&self, id: &CertificateId) -> Result<bool, StoreError> {
            let n = self.write(|tx| {
                tx.prepare_cached("DELETE FROM tvs_certificates WHERE sha256 = ?1")?
                    .execute(params![id.as_slice()])
            })?;
            Ok(n > 0)
        }

        fn list(&self) -> Result<Listing, StoreError> {
            let (start, deadline) = self.clock();
            let rows = self.readers().with(start, deadline, |c| {
                let failed = |e| fail(e, start);
                let mut statement = c
                    .prepare_cached(
                        "SELECT sha256, der, roles, ttl FROM tvs_certificates ORDER BY sha256",
                    )
                    .map_err(failed)?;
                // Read as SQLite values, whatever their type, so that a
                // row of the wrong type is reported, not fatal.
                let rows = statement
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, Value>(0)?,
                            r.get::<_, Value>(1)?,
                            r.get::<_, Value>(2)?,
                            r.get::<_, Value>(3)?,
                        ))
                    })
                    .map_err(failed)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(failed)
            })?;
            // Checked once the connection is back in the pool.
            let mut listing = Listing::default();
            for (n, (id, der, roles, ttl)) in rows.into_iter().enumerate() {
                let shown = show_id(&id);
                match check_row(id, der, roles, ttl) {
                    Ok(entry) => listing.entries.push(entry),
                    Err(why) => listing.problems.push(BadRow {
                        row: n + 1,
                        id: shown,
                        why,
                    }),
                }
            }
            Ok(listing)
        }
    }
}
