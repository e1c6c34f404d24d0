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
//! assert_eq!(store.list().unwrap().len(), 1);
//! assert!(store.remove(&id).unwrap());
//! assert!(store.lookup(&id).unwrap().is_none());
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
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
    /// A stored row is not what the store writes (edited by hand, or
    /// another program's table).
    #[error("the stored entry for {id} is corrupt: {why}")]
    Corrupt {
        /// The entry's id, hex.
        id: String,
        /// What is wrong.
        why: &'static str,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
    /// A lock was poisoned by a panic in another thread.
    #[error("the store's lock is poisoned")]
    Poisoned,
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

    /// Every entry, ordered by id.
    fn list(&self) -> Result<Vec<StoreEntry>, StoreError>;
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

    fn list(&self) -> Result<Vec<StoreEntry>, StoreError> {
        let entries = self.entries.read().map_err(|_| StoreError::Poisoned)?;
        Ok(entries.values().cloned().collect())
    }
}

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::path::Path;
    use std::sync::Mutex;

    use rusqlite::{Connection, OptionalExtension, params};

    use super::{
        CertificateId, CertificateStore, StoreEntry, StoreError, certificate_id, new_entry,
    };
    use crate::function::Function;
    use alloc::vec::Vec;

    /// A store kept in an SQLite database (one table, `tvs_certificates`),
    /// which survives restarts. SQLite is compiled in (`rusqlite`'s
    /// `bundled` feature): nothing to install.
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
        connection: Mutex<Connection>,
    }

    fn db(e: rusqlite::Error) -> StoreError {
        StoreError::Database(alloc::format!("{e}"))
    }

    impl SqliteStore {
        /// Opens (creating if needed) the database at `path`.
        pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
            Self::with(Connection::open(path).map_err(db)?)
        }

        /// A database in memory (tests, examples).
        pub fn in_memory() -> Result<Self, StoreError> {
            Self::with(Connection::open_in_memory().map_err(db)?)
        }

        fn with(connection: Connection) -> Result<Self, StoreError> {
            connection
                .execute_batch(
                    "CREATE TABLE IF NOT EXISTS tvs_certificates (
                        sha256 BLOB PRIMARY KEY NOT NULL,
                        der BLOB NOT NULL,
                        roles BLOB NOT NULL,
                        ttl INTEGER NOT NULL
                    );",
                )
                .map_err(db)?;
            Ok(SqliteStore {
                connection: Mutex::new(connection),
            })
        }

        fn connection(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
            self.connection.lock().map_err(|_| StoreError::Poisoned)
        }
    }

    /// A row as stored, checked: its id is the SHA-256 of its DER, its TTL
    /// fits a `u32`.
    fn entry(
        id: Vec<u8>,
        der: Vec<u8>,
        roles: Vec<u8>,
        ttl: i64,
    ) -> Result<StoreEntry, StoreError> {
        let corrupt = |why| StoreError::Corrupt {
            id: crate::show::hex_string(&id, crate::show::Case::Lower, ""),
            why,
        };
        let computed = certificate_id(&der);
        if id.as_slice() != computed.as_slice() {
            return Err(corrupt("its id is not the SHA-256 of its certificate"));
        }
        let ttl_seconds = u32::try_from(ttl).map_err(|_| corrupt("its TTL is not a u32"))?;
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

    impl CertificateStore for SqliteStore {
        fn lookup(&self, id: &CertificateId) -> Result<Option<StoreEntry>, StoreError> {
            let row = self
                .connection()?
                .query_row(
                    "SELECT der, roles, ttl FROM tvs_certificates WHERE sha256 = ?1",
                    params![id.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(db)?;
            row.map(|(der, roles, ttl)| entry(id.to_vec(), der, roles, ttl))
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
            self.connection()?
                .execute(
                    "INSERT OR REPLACE INTO tvs_certificates (sha256, der, roles, ttl)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        e.id.as_slice(),
                        e.certificate,
                        role_bytes,
                        i64::from(ttl_seconds)
                    ],
                )
                .map_err(db)?;
            Ok(e.id)
        }

        fn remove(&self, id: &CertificateId) -> Result<bool, StoreError> {
            let n = self
                .connection()?
                .execute(
                    "DELETE FROM tvs_certificates WHERE sha256 = ?1",
                    params![id.as_slice()],
                )
                .map_err(db)?;
            Ok(n > 0)
        }

        fn list(&self) -> Result<Vec<StoreEntry>, StoreError> {
            let connection = self.connection()?;
            let mut statement = connection
                .prepare("SELECT sha256, der, roles, ttl FROM tvs_certificates ORDER BY sha256")
                .map_err(db)?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(db)?;
            let mut out = Vec::new();
            for row in rows {
                let (id, der, roles, ttl) = row.map_err(db)?;
                out.push(entry(id, der, roles, ttl)?);
            }
            Ok(out)
        }
    }
}
