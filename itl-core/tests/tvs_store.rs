//! The TVS certificate stores: the same behaviour in memory and in SQLite,
//! refusals of what is not a certificate, and (SQLite) persistence and
//! corrupt rows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::*;

use cisco_itl::Function;
use cisco_itl::tvs::store::{CertificateStore, MemoryStore, StoreError, certificate_id};

/// The administration API, on any store.
fn exercise(store: &dyn CertificateStore) {
    let cm = cert("callmanager-pub.pem");
    let tvs = cert("tvs-pub.pem");
    assert_eq!(store.list().unwrap(), []);
    let cm_id = store.add(cm.der(), &[Function::CcmTftp], 86_400).unwrap();
    assert_eq!(cm_id, certificate_id(cm.der()));
    let tvs_id = store
        .add(tvs.der(), &[Function::Tvs, Function::AppServer], 600)
        .unwrap();
    let entry = store.lookup(&cm_id).unwrap().unwrap();
    assert_eq!(entry.certificate, cm.der());
    assert_eq!(entry.roles, [Function::CcmTftp]);
    assert_eq!(entry.ttl_seconds, 86_400);
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed.windows(2).all(|w| w[0].id < w[1].id),
        "ordered by id"
    );
    // Adding again replaces roles and TTL.
    store.add(cm.der(), &[Function::Sast], 60).unwrap();
    let entry = store.lookup(&cm_id).unwrap().unwrap();
    assert_eq!(
        (entry.roles.as_slice(), entry.ttl_seconds),
        (&[Function::Sast][..], 60)
    );
    assert_eq!(store.list().unwrap().len(), 2);
    // Refusals change nothing.
    assert!(matches!(
        store.add(b"not a certificate", &[Function::Ccm], 1),
        Err(StoreError::BadCertificate(_))
    ));
    assert_eq!(
        store.add(tvs.der(), &[Function::Unknown(300)], 1),
        Err(StoreError::RoleNotEncodable(300))
    );
    assert_eq!(
        store.lookup(&tvs_id).unwrap().unwrap().roles,
        [Function::Tvs, Function::AppServer]
    );
    // Removal.
    assert!(store.remove(&tvs_id).unwrap());
    assert!(!store.remove(&tvs_id).unwrap());
    assert_eq!(store.lookup(&tvs_id).unwrap(), None);
    assert_eq!(store.lookup(&[0u8; 32]).unwrap(), None);
}

#[test]
fn memory_store() {
    exercise(&MemoryStore::new());
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use cisco_itl::tvs::store::SqliteStore;

    #[test]
    fn sqlite_store_in_memory() {
        exercise(&SqliteStore::in_memory().unwrap());
    }

    fn temp_db(name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("cisco-itl-{name}-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn sqlite_store_survives_a_restart() {
        let path = temp_db("restart");
        let cm = cert("callmanager-pub.pem");
        let id = {
            let store = SqliteStore::open(&path).unwrap();
            store.add(cm.der(), &[Function::CcmTftp], 42).unwrap()
        };
        let store = SqliteStore::open(&path).unwrap();
        let entry = store.lookup(&id).unwrap().unwrap();
        assert_eq!(
            (entry.roles, entry.ttl_seconds),
            (vec![Function::CcmTftp], 42)
        );
        drop(store);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_row_that_lies_about_its_certificate_is_corrupt() {
        let path = temp_db("corrupt");
        let cm = cert("callmanager-pub.pem");
        let tvs = cert("tvs-pub.pem");
        let store = SqliteStore::open(&path).unwrap();
        let id = store.add(cm.der(), &[Function::CcmTftp], 42).unwrap();
        drop(store);
        // Somebody edits the table: CallManager's id now holds TVS's DER.
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "UPDATE tvs_certificates SET der = ?1 WHERE sha256 = ?2",
            rusqlite::params![tvs.der(), id.as_slice()],
        )
        .unwrap();
        drop(raw);
        let store = SqliteStore::open(&path).unwrap();
        assert!(matches!(store.lookup(&id), Err(StoreError::Corrupt { .. })));
        assert!(matches!(store.list(), Err(StoreError::Corrupt { .. })));
        drop(store);
        std::fs::remove_file(&path).unwrap();
    }
}
