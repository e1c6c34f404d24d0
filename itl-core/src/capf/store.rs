//! The CAPF device store (feature `sqlite`): each device with the
//! operation scheduled for it, how it must authenticate and the key it
//! must generate, and the certificates issued to it.
//!
//! The file is the store's alone, as the TVS store's is (and checked by
//! the same code): marked with [`APPLICATION_ID`] (`CAPF`) and
//! [`SCHEMA_VERSION`], two tables, WAL mode, every call waiting at most
//! the store's bounded wait before [`StoreError::Busy`]; any other file is
//! refused untouched. An issuance and the completion of its operation are
//! one transaction: a certificate is never recorded without the
//! operation ending, nor the operation ending without it.
//!
//! ```
//! use cisco_itl::capf::store::{AuthMode, CapfStore, Device, KeyRequest, Operation};
//! let store = CapfStore::in_memory()?;
//! store.schedule(&Device::install("SEP001122334455", AuthMode::Password("1234".into()), KeyRequest::Rsa(2048))?)?;
//! let device = store.device("SEP001122334455")?.unwrap();
//! assert_eq!(device.operation, Operation::Install);
//! # Ok::<(), cisco_itl::capf::store::CapfStoreError>(())
//! ```

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

pub use super::codec::KeyRequest;
use super::codec::{Curve, valid_device_name};
use crate::tvs::store::StoreError;
use crate::tvs::store::sqlite::{Found, Schema, arm, db, fail, harden, inspect_marked, settle};

/// The mark of a CAPF store (`PRAGMA application_id`): `CAPF` in ASCII.
pub const APPLICATION_ID: u32 = u32::from_be_bytes(*b"CAPF");
/// The version of the store's schema (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = 2;
/// The smallest and largest RSA key a device may be asked for, in bits.
pub const RSA_BITS: core::ops::RangeInclusive<u16> = 1024..=4096;

const CREATE_DEVICES: &str = "CREATE TABLE capf_devices (
    name TEXT PRIMARY KEY NOT NULL,
    operation INTEGER NOT NULL CHECK (operation BETWEEN 0 AND 3),
    auth INTEGER NOT NULL CHECK (auth BETWEEN 0 AND 3),
    password TEXT,
    key_type INTEGER NOT NULL CHECK (key_type IN (0, 1)),
    key_param INTEGER NOT NULL CHECK (key_param BETWEEN 0 AND 65535)
) STRICT, WITHOUT ROWID";

const CREATE_CERTIFICATES: &str = "CREATE TABLE capf_certificates (
    serial BLOB PRIMARY KEY NOT NULL,
    device TEXT NOT NULL,
    der BLOB NOT NULL,
    not_after INTEGER NOT NULL,
    issued INTEGER NOT NULL
) STRICT, WITHOUT ROWID";

/// Why the CAPF store refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CapfStoreError {
    /// The database failed, stayed busy, or is not a CAPF store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The device name is not one CAPF carries.
    #[error("the device name {0:?} is not 1 to 64 letters, digits, '-', '_' or '.'")]
    BadDeviceName(String),
    /// An RSA key size outside 1,024 to 4,096 bits.
    #[error("an RSA key of {0} bits is outside the 1024 to 4096 a device may be asked for")]
    BadKeySize(u16),
    /// A password authentication without a password, or with one holding
    /// a NUL byte.
    #[error("the password is empty or holds a NUL byte")]
    BadPassword,
    /// The operation to complete is no longer the device's pending one.
    #[error("the device {0} has no pending operation of that kind any more; nothing was changed")]
    NotPending(String),
    /// A stored row is not what the store writes.
    #[error("the stored device {0} is corrupt")]
    Corrupt(String),
}

/// The operation scheduled for a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Nothing: the device is told so.
    None,
    /// Issue a certificate to the device.
    Install,
    /// Hand the device the certificate last issued to it.
    Fetch,
    /// Ask the device to delete its LSC.
    Delete,
}

impl Operation {
    const fn code(self) -> i64 {
        match self {
            Operation::None => 0,
            Operation::Install => 1,
            Operation::Fetch => 2,
            Operation::Delete => 3,
        }
    }

    const fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Operation::None),
            1 => Some(Operation::Install),
            2 => Some(Operation::Fetch),
            3 => Some(Operation::Delete),
            _ => None,
        }
    }

    /// The operation's name for people.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::None => "none",
            Operation::Install => "install",
            Operation::Fetch => "fetch",
            Operation::Delete => "delete",
        }
    }
}

/// How a device must prove who it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// Not at all.
    None,
    /// With this password (the phone's PIN).
    Password(String),
    /// By signing with a certificate the server trusts: an LSC.
    Lsc,
    /// By signing with a certificate the server trusts: a MIC.
    Mic,
}

impl AuthMode {
    const fn code(&self) -> i64 {
        match self {
            AuthMode::None => 0,
            AuthMode::Password(_) => 1,
            AuthMode::Lsc => 2,
            AuthMode::Mic => 3,
        }
    }
}

/// A device and what is scheduled for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Device {
    /// Its name (`SEP<MAC>`).
    pub name: String,
    /// Its pending operation.
    pub operation: Operation,
    /// How it must authenticate.
    pub auth: AuthMode,
    /// The key it must generate for an installation.
    pub key: KeyRequest,
}

impl Device {
    /// A device to be issued a certificate.
    pub fn install(name: &str, auth: AuthMode, key: KeyRequest) -> Result<Self, CapfStoreError> {
        let device = Device {
            name: name.to_string(),
            operation: Operation::Install,
            auth,
            key,
        };
        device.check()?;
        Ok(device)
    }

    fn check(&self) -> Result<(), CapfStoreError> {
        if !valid_device_name(&self.name) {
            return Err(CapfStoreError::BadDeviceName(self.name.clone()));
        }
        if let KeyRequest::Rsa(bits) = self.key
            && !RSA_BITS.contains(&bits)
        {
            return Err(CapfStoreError::BadKeySize(bits));
        }
        if let AuthMode::Password(p) = &self.auth
            && (p.is_empty() || p.as_bytes().contains(&0) || p.len() > 1024)
        {
            return Err(CapfStoreError::BadPassword);
        }
        Ok(())
    }
}

/// A certificate the server issued.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Issued {
    /// Its serial number (big-endian bytes, as in the certificate).
    pub serial: Vec<u8>,
    /// The device it was issued to.
    pub device: String,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// The end of its validity, seconds since 1970.
    pub not_after: u64,
}

/// The CAPF store in an SQLite file (or in memory), with one connection
/// behind a lock: CAPF writes on every enrolment, and SQLite has one
/// writer at a time anyway.
#[derive(Debug)]
pub struct CapfStore {
    connection: Mutex<Connection>,
    wait: Duration,
}

/// The default bounded wait of a call.
const WAIT: Duration = Duration::from_millis(2000);

/// The CAPF store's schema.
const SCHEMA: Schema = Schema {
    application_id: APPLICATION_ID,
    version: SCHEMA_VERSION,
    tables: &[
        ("capf_devices", CREATE_DEVICES),
        ("capf_certificates", CREATE_CERTIFICATES),
    ],
};

/// A device row, checked.
fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Device, String>> {
    let name: String = r.get(0)?;
    let operation: i64 = r.get(1)?;
    let auth: i64 = r.get(2)?;
    let password: Option<String> = r.get(3)?;
    let key_type: i64 = r.get(4)?;
    let key_param: i64 = r.get(5)?;
    let operation = Operation::from_code(operation);
    let auth = match (auth, password) {
        (0, _) => Some(AuthMode::None),
        (1, Some(p)) => Some(AuthMode::Password(p)),
        (2, _) => Some(AuthMode::Lsc),
        (3, _) => Some(AuthMode::Mic),
        _ => None,
    };
    let key = match (key_type, u16::try_from(key_param).ok()) {
        (0, Some(bits)) => Some(KeyRequest::Rsa(bits)),
        (1, Some(c)) => u8::try_from(c)
            .ok()
            .and_then(Curve::from_code)
            .map(KeyRequest::Ec),
        _ => None,
    };
    Ok(match (operation, auth, key) {
        (Some(operation), Some(auth), Some(key)) => {
            let device = Device {
                name: name.clone(),
                operation,
                auth,
                key,
            };
            device.check().map(|()| device).map_err(|_| name)
        }
        _ => Err(name),
    })
}

impl CapfStore {
    /// Opens the store at `path`, making a missing or empty file a store;
    /// refuses any other file untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CapfStoreError> {
        let path = path.as_ref();
        let start = Instant::now();
        let fresh = matches!(inspect_marked(path, APPLICATION_ID)?, Found::Fresh);
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db)?;
        harden(&connection)?;
        arm(&connection, start + WAIT)?;
        settle(&mut connection, fresh, start, &SCHEMA)?;
        let mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| fail(e, start))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "the database cannot be put in WAL mode (it stays in {mode} mode)"
            ))
            .into());
        }
        connection
            .execute_batch("PRAGMA synchronous = NORMAL")
            .map_err(db)?;
        Ok(CapfStore {
            connection: Mutex::new(connection),
            wait: WAIT,
        })
    }

    /// A store in memory (tests, examples).
    pub fn in_memory() -> Result<Self, CapfStoreError> {
        let mut connection = Connection::open_in_memory().map_err(db)?;
        harden(&connection)?;
        settle(&mut connection, true, Instant::now(), &SCHEMA)?;
        Ok(CapfStore {
            connection: Mutex::new(connection),
            wait: WAIT,
        })
    }

    /// With this bounded wait per call (at most an hour).
    pub fn with_busy_wait(mut self, wait: Duration) -> Self {
        self.wait = wait.min(Duration::from_secs(3600));
        self
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-call leaves SQLite's own state consistent (an open
        // transaction is rolled back when dropped).
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one immediate transaction, within the bounded wait.
    fn write<R>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<R, CapfStoreError>,
    ) -> Result<R, CapfStoreError> {
        let start = Instant::now();
        let mut connection = self.lock();
        arm(&connection, start + self.wait)?;
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| fail(e, start))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| fail(e, start))?;
        Ok(out)
    }

    /// Schedules `device` (adding it, or replacing what was scheduled).
    pub fn schedule(&self, device: &Device) -> Result<(), CapfStoreError> {
        device.check()?;
        let (key_type, key_param) = match device.key {
            KeyRequest::Rsa(bits) => (0, i64::from(bits)),
            KeyRequest::Ec(curve) => (1, i64::from(curve.code())),
        };
        let password = match &device.auth {
            AuthMode::Password(p) => Some(p.as_str()),
            _ => None,
        };
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO capf_devices VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    device.name,
                    device.operation.code(),
                    device.auth.code(),
                    password,
                    key_type,
                    key_param
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    /// Removes a device and the certificates issued to it; whether it was
    /// there.
    pub fn remove(&self, name: &str) -> Result<bool, CapfStoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM capf_certificates WHERE device = ?1", [name])
                .map_err(db)?;
            let n = tx
                .execute("DELETE FROM capf_devices WHERE name = ?1", [name])
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    /// The device called `name`, if any.
    pub fn device(&self, name: &str) -> Result<Option<Device>, CapfStoreError> {
        let start = Instant::now();
        let connection = self.lock();
        arm(&connection, start + self.wait)?;
        let row = connection
            .query_row(
                "SELECT name, operation, auth, password, key_type, key_param FROM capf_devices WHERE name = ?1",
                [name],
                device_row,
            )
            .optional()
            .map_err(|e| fail(e, start))?;
        match row {
            None => Ok(None),
            Some(Ok(d)) => Ok(Some(d)),
            Some(Err(name)) => Err(CapfStoreError::Corrupt(name)),
        }
    }

    /// Every device, by name.
    pub fn list(&self) -> Result<Vec<Device>, CapfStoreError> {
        let start = Instant::now();
        let connection = self.lock();
        arm(&connection, start + self.wait)?;
        let mut statement = connection
            .prepare("SELECT name, operation, auth, password, key_type, key_param FROM capf_devices ORDER BY name")
            .map_err(db)?;
        let rows = statement
            .query_map([], device_row)
            .map_err(|e| fail(e, start))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(db)?.map_err(CapfStoreError::Corrupt)?);
        }
        Ok(out)
    }

    /// The certificates issued to `name`, oldest first.
    pub fn certificates(&self, name: &str) -> Result<Vec<Issued>, CapfStoreError> {
        let start = Instant::now();
        let connection = self.lock();
        arm(&connection, start + self.wait)?;
        let mut statement = connection
            .prepare("SELECT serial, device, der, not_after FROM capf_certificates WHERE device = ?1 ORDER BY issued")
            .map_err(db)?;
        let rows = statement
            .query_map([name], |r| {
                let not_after: i64 = r.get(3)?;
                Ok(Issued {
                    serial: r.get(0)?,
                    device: r.get(1)?,
                    der: r.get(2)?,
                    not_after: u64::try_from(not_after).unwrap_or(0),
                })
            })
            .map_err(|e| fail(e, start))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e, start).into())
    }

    /// Ends `operation` for the device, in one transaction with recording
    /// `issued` (an installation's certificate) and, for a deletion,
    /// forgetting the device's certificates. Refused, nothing changed,
    /// when the operation is no longer pending.
    pub fn complete(
        &self,
        name: &str,
        operation: Operation,
        issued: Option<&Issued>,
    ) -> Result<(), CapfStoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE capf_devices SET operation = 0 WHERE name = ?1 AND operation = ?2",
                    params![name, operation.code()],
                )
                .map_err(db)?;
            if n != 1 {
                return Err(CapfStoreError::NotPending(name.to_string()));
            }
            if let Some(cert) = issued {
                let not_after = i64::try_from(cert.not_after).unwrap_or(i64::MAX);
                tx.execute(
                    // `issued` orders a device's certificates as they were
                    // issued (two may share a second, hence `not_after`).
                    "INSERT INTO capf_certificates VALUES (?1, ?2, ?3, ?4,
                     (SELECT coalesce(max(issued), 0) + 1 FROM capf_certificates))",
                    params![cert.serial, cert.device, cert.der, not_after],
                )
                .map_err(db)?;
            }
            if operation == Operation::Delete {
                tx.execute("DELETE FROM capf_certificates WHERE device = ?1", [name])
                    .map_err(db)?;
            }
            Ok(())
        })
    }
}
