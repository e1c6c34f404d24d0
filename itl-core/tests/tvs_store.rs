//! The TVS certificate stores: the same behaviour in memory and in SQLite,
//! refusals of what is not a certificate, and (SQLite) persistence, lying
//! rows reported one by one, files that are not a store refused untouched,
//! and lookups that keep answering while another process holds the
//! database or writes to it in a loop.
#![cfg(test)]

mod common;
use common::*;

use cisco_itl::Function;
use cisco_itl::tvs::store::{CertificateStore, MemoryStore, StoreError, certificate_id};

/// The administration API, on any store.
fn exercise(store: &dyn CertificateStore) {
    let cm = cert("callmanager-pub.pem");
    let tvs = cert("tvs-pub.pem");
    let empty = store.list().unwrap();
    assert_eq!((empty.entries.len(), empty.is_clean()), (0, true));
    let cm_id = store.add(cm.der(), &[Function::CcmTftp], 86_400).unwrap();
    assert_eq!(cm_id, certificate_id(cm.der()));
    let tvs_id = store
        .add(tvs.der(), &[Function::Tvs, Function::AppServer], 600)
        .unwrap();
    let entry = store.lookup(&cm_id).unwrap().unwrap();
    assert_eq!(entry.certificate, cm.der());
    assert_eq!(entry.roles, [Function::CcmTftp]);
    assert_eq!(entry.ttl_seconds, 86_400);
    let listed = store.list().unwrap().complete().unwrap();
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
    assert_eq!(store.list().unwrap().entries.len(), 2);
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

    use std::io::{BufRead, BufReader, Read};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    use std::thread;
    use std::time::Duration;

    use cisco_itl::tvs::store::{
        APPLICATION_ID, BadRow, Defect, Refusal, SCHEMA_VERSION, SqliteOptions, SqliteStore,
    };
    use rusqlite::params;

    /// How long anything that must end is given before the test fails:
    /// far beyond every bounded wait below, so that it only catches a
    /// wait that has no bound.
    const BOUND: Duration = Duration::from_secs(30);

    /// `f`'s result, or a failure if it has not returned within [`BOUND`].
    fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(BOUND)
            .expect("returned within the bound (a wait without bound?)")
    }

    /// A directory of its own for each test, so that every file SQLite
    /// might leave beside a database is seen.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("cisco-itl-store-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        fn path(&self, file: &str) -> PathBuf {
            self.0.join(file)
        }

        /// Every file of the directory with its bytes.
        fn contents(&self) -> Vec<(PathBuf, Vec<u8>)> {
            let mut files: Vec<_> = std::fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().path())
                .map(|p| {
                    let bytes = if p.is_file() {
                        std::fs::read(&p).unwrap()
                    } else {
                        Vec::new()
                    };
                    (p, bytes)
                })
                .collect();
            files.sort();
            files
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A store at `path` holding CallManager's certificate (CCM+TFTP) and
    /// TVS's (TVS), closed; their ids.
    fn make_store(path: &Path) -> (Vec<u8>, Vec<u8>) {
        let store = SqliteStore::open(path).unwrap();
        let cm = store
            .add(
                cert("callmanager-pub.pem").der(),
                &[Function::CcmTftp],
                86_400,
            )
            .unwrap();
        let tvs = store
            .add(cert("tvs-pub.pem").der(), &[Function::Tvs], 600)
            .unwrap();
        (cm.to_vec(), tvs.to_vec())
    }

    fn id(bytes: &[u8]) -> [u8; 32] {
        bytes.try_into().unwrap()
    }

    // ---- Another process ------------------------------------------------

    const ROLE: &str = "CISCO_ITL_STORE_TEST_ROLE";
    const DB: &str = "CISCO_ITL_STORE_TEST_DB";
    const READY: &str = "CISCO-ITL-OTHER-READY";
    const DONE: &str = "CISCO-ITL-OTHER-DONE";

    /// What another process does to the database, in this test binary
    /// started again by [`Other::start`] to run only this test. Run as a
    /// test of the suite (the variables unset), it does nothing.
    #[test]
    fn another_process() {
        let (Ok(role), Ok(path)) = (std::env::var(ROLE), std::env::var(DB)) else {
            return;
        };
        // Told to stop when the test closes our standard input.
        let stop = Arc::new(AtomicBool::new(false));
        let stopper = Arc::clone(&stop);
        thread::spawn(move || {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            stopper.store(true, Ordering::SeqCst);
        });
        let wait = || {
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(5));
            }
        };
        let c = rusqlite::Connection::open(&path).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        let mut count = 0u64;
        match role.as_str() {
            // An administrator's session, or a tool, holding a write
            // transaction open.
            "hold" => {
                c.execute_batch("BEGIN EXCLUSIVE; UPDATE tvs_certificates SET ttl = ttl;")
                    .unwrap();
                println!("{READY}");
                wait();
                c.execute_batch("ROLLBACK").unwrap();
            }
            // A tool that takes the database for itself (exclusive
            // locking mode keeps its lock after the transaction).
            "exclusive" => {
                c.execute_batch(
                    "PRAGMA locking_mode = EXCLUSIVE;
                     BEGIN EXCLUSIVE; UPDATE tvs_certificates SET ttl = ttl; COMMIT;",
                )
                .unwrap();
                println!("{READY}");
                wait();
            }
            // Another program rewriting a row in a tight loop, one
            // transaction each.
            "write-loop" => {
                let tvs = cert("tvs-pub.pem");
                let tvs_id = certificate_id(tvs.der());
                let role = [u8::try_from(Function::Tvs.code()).unwrap()];
                while !stop.load(Ordering::SeqCst) {
                    c.execute_batch("BEGIN IMMEDIATE").unwrap();
                    c.execute(
                        "INSERT OR REPLACE INTO tvs_certificates (sha256, der, roles, ttl)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![
                            tvs_id.as_slice(),
                            tvs.der(),
                            role.as_slice(),
                            1 + (count % 1000) as i64
                        ],
                    )
                    .unwrap();
                    c.execute_batch("COMMIT").unwrap();
                    count += 1;
                    if count == 1 {
                        println!("{READY}");
                    }
                }
            }
            other => panic!("unknown role {other}"),
        }
        println!("{DONE} {count}");
    }

    /// Another process working on the database, until stopped (or
    /// killed, when the test fails first).
    struct Other {
        child: Child,
        lines: mpsc::Receiver<String>,
    }

    impl Other {
        /// Starts it and waits until it is doing `role`.
        fn start(role: &str, db: &Path) -> Other {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "sqlite::another_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(ROLE, role)
                .env(DB, db)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap();
            let out = child.stdout.take().unwrap();
            let (tx, lines) = mpsc::channel();
            thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            let other = Other { child, lines };
            other.expect(READY);
            other
        }

        /// What follows `token` on the first line that holds it.
        fn expect(&self, token: &str) -> String {
            loop {
                let line = self
                    .lines
                    .recv_timeout(BOUND)
                    .unwrap_or_else(|e| panic!("the other process never said {token}: {e}"));
                if let Some(i) = line.find(token) {
                    return line[i + token.len()..].trim().to_string();
                }
            }
        }

        /// Stops it; how many writes it made.
        fn stop(mut self) -> u64 {
            drop(self.child.stdin.take());
            let count = self.expect(DONE).parse().unwrap();
            assert!(self.child.wait().unwrap().success());
            count
        }
    }

    impl Drop for Other {
        fn drop(&mut self) {
            // Only if the test failed before stopping it.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    // ---- The store under siege ----------------------------------------

    #[test]
    fn lookups_answer_while_another_process_holds_the_database() {
        let dir = Dir::new("hold");
        let path = dir.path("tvs.sqlite");
        let (cm, _) = make_store(&path);
        let store = SqliteStore::open(&path).unwrap();
        let other = Other::start("hold", &path);
        let answers = bounded(move || {
            let answers: Vec<_> = (0..8).map(|_| store.lookup(&id(&cm))).collect();
            (answers, store.list())
        });
        other.stop();
        for answer in answers.0 {
            assert_eq!(answer.unwrap().unwrap().roles, [Function::CcmTftp]);
        }
        assert_eq!(answers.1.unwrap().entries.len(), 2);
    }

    #[test]
    fn a_write_behind_another_process_is_busy_after_the_bounded_wait() {
        let dir = Dir::new("busy-write");
        let path = dir.path("tvs.sqlite");
        let (cm, _) = make_store(&path);
        let wait = Duration::from_millis(200);
        let store = Arc::new(
            SqliteStore::open_with(&path, SqliteOptions::default().busy_wait(wait)).unwrap(),
        );
        let capf = cert("capf.pem");
        let other = Other::start("hold", &path);
        let (written, looked_up) = {
            let (store, der) = (Arc::clone(&store), capf.der().to_vec());
            bounded(move || {
                (
                    store.add(&der, &[Function::Capf], 60),
                    store.lookup(&id(&cm)),
                )
            })
        };
        other.stop();
        match written {
            Err(StoreError::Busy { waited }) => assert!(waited >= wait, "{waited:?}"),
            other => panic!("{other:?}"),
        }
        assert!(looked_up.unwrap().is_some(), "reads go on meanwhile");
        // Nothing was written; once the other process is gone, the
        // administration API works again.
        let capf_id = certificate_id(capf.der());
        assert_eq!(store.lookup(&capf_id).unwrap(), None);
        store.add(capf.der(), &[Function::Capf], 60).unwrap();
        assert!(store.lookup(&capf_id).unwrap().is_some());
    }

    #[test]
    fn opening_a_database_another_process_holds_exclusively_is_busy_after_the_bounded_wait() {
        let dir = Dir::new("busy-open");
        let path = dir.path("tvs.sqlite");
        make_store(&path);
        let other = Other::start("exclusive", &path);
        let wait = Duration::from_millis(200);
        let opened = {
            let path = path.clone();
            bounded(move || {
                SqliteStore::open_with(&path, SqliteOptions::default().busy_wait(wait)).map(drop)
            })
        };
        other.stop();
        match opened {
            Err(StoreError::Busy { waited }) => assert!(waited >= wait, "{waited:?}"),
            other => panic!("{other:?}"),
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.list().unwrap().entries.len(), 2);
    }

    #[test]
    fn lookups_answer_while_another_process_writes_in_a_loop() {
        let dir = Dir::new("write-loop");
        let path = dir.path("tvs.sqlite");
        let (cm, tvs) = make_store(&path);
        let store = SqliteStore::open(&path).unwrap();
        let other = Other::start("write-loop", &path);
        let answers = bounded(move || {
            (0..1000)
                .map(|_| (store.lookup(&id(&cm)), store.lookup(&id(&tvs))))
                .collect::<Vec<_>>()
        });
        let writes = other.stop();
        assert!(writes > 0);
        for (cm, tvs) in answers {
            assert_eq!(cm.unwrap().unwrap().ttl_seconds, 86_400);
            let tvs = tvs.unwrap().unwrap();
            assert_eq!(tvs.roles, [Function::Tvs]);
            assert!((1..=1000).contains(&tvs.ttl_seconds) || tvs.ttl_seconds == 600);
        }
    }

    #[test]
    fn lookups_from_many_threads_go_on_while_the_store_writes() {
        let dir = Dir::new("threads");
        let path = dir.path("tvs.sqlite");
        let (cm, _) = make_store(&path);
        let store = Arc::new(
            SqliteStore::open_with(
                &path,
                SqliteOptions::default()
                    .readers(2)
                    .busy_wait(Duration::from_secs(5)),
            )
            .unwrap(),
        );
        let capf = cert("capf.pem").der().to_vec();
        let writer = {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                for ttl in 0..200 {
                    store.add(&capf, &[Function::Capf], ttl).unwrap();
                }
            })
        };
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (store, cm) = (Arc::clone(&store), id(&cm));
                thread::spawn(move || {
                    for _ in 0..200 {
                        assert!(store.lookup(&cm).unwrap().is_some());
                    }
                })
            })
            .collect();
        bounded(move || {
            writer.join().unwrap();
            for r in readers {
                r.join().unwrap();
            }
        });
        assert_eq!(store.list().unwrap().entries.len(), 3);
    }

    // ---- Rows that lie --------------------------------------------------

    #[test]
    fn list_reports_each_lying_row_and_lists_the_others() {
        let dir = Dir::new("lies");
        let path = dir.path("tvs.sqlite");
        let (cm, tvs) = make_store(&path);
        let store = SqliteStore::open(&path).unwrap();
        let capf = store
            .add(cert("capf.pem").der(), &[Function::Capf], 60)
            .unwrap();
        let sast = store
            .add(cert("peer-sast.pem").der(), &[Function::Sast], 60)
            .unwrap();
        drop(store);
        // Somebody edits the table by hand.
        let raw = rusqlite::Connection::open(&path).unwrap();
        // CallManager's id now holds TVS's certificate.
        raw.execute(
            "UPDATE tvs_certificates SET der = ?1 WHERE sha256 = ?2",
            params![cert("tvs-pub.pem").der(), cm],
        )
        .unwrap();
        // CAPF's TTL is negative (the table's checks switched off).
        raw.execute_batch("PRAGMA ignore_check_constraints = ON")
            .unwrap();
        raw.execute(
            "UPDATE tvs_certificates SET ttl = -1 WHERE sha256 = ?1",
            params![capf.as_slice()],
        )
        .unwrap();
        // Bytes that are not a certificate, under their own SHA-256.
        let junk = b"not a certificate".as_slice();
        let junk_id = certificate_id(junk);
        raw.execute(
            "INSERT INTO tvs_certificates VALUES (?1, ?2, x'01', 60)",
            params![junk_id.as_slice(), junk],
        )
        .unwrap();
        // An id that is text, written while the table's types were
        // switched off through the schema, then the schema restored.
        let strict: String = raw
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'tvs_certificates'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let loose = "CREATE TABLE tvs_certificates (sha256 BLOB PRIMARY KEY NOT NULL, \
                     der BLOB NOT NULL, roles BLOB NOT NULL, ttl INTEGER NOT NULL) WITHOUT ROWID";
        let set_schema = |sql: &str| {
            let raw = rusqlite::Connection::open(&path).unwrap();
            raw.execute_batch("PRAGMA writable_schema = ON").unwrap();
            raw.execute(
                "UPDATE sqlite_schema SET sql = ?1 WHERE name = 'tvs_certificates'",
                params![sql],
            )
            .unwrap();
        };
        drop(raw);
        set_schema(loose);
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO tvs_certificates VALUES ('forged', ?1, x'01', 60)",
                params![cert("capf.pem").der()],
            )
            .unwrap();
        set_schema(&strict);

        let store = SqliteStore::open(&path).unwrap();
        let listing = store.list().unwrap();
        // The good ones are listed...
        let good: Vec<_> = listing.entries.iter().map(|e| e.id).collect();
        let mut expected_good = vec![id(&tvs), sast];
        expected_good.sort();
        assert_eq!(good, expected_good);
        // ...and each lie is reported, by its place among the rows
        // (ordered by id: text before bytes) and its id.
        let mut ids: Vec<[u8; 32]> = vec![id(&cm), id(&tvs), capf, sast, junk_id];
        ids.sort();
        let row = |i: &[u8; 32]| 2 + ids.iter().position(|x| x == i).unwrap();
        let hex = |i: &[u8]| i.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut expected = vec![
            BadRow {
                row: 1,
                id: "<text>".into(),
                why: Defect::WrongType {
                    column: "id",
                    expected: "bytes",
                    found: "text",
                },
            },
            BadRow {
                row: row(&id(&cm)),
                id: hex(&cm),
                why: Defect::IdMismatch,
            },
            BadRow {
                row: row(&capf),
                id: hex(&capf),
                why: Defect::TtlOutOfRange(-1),
            },
            BadRow {
                row: row(&junk_id),
                id: hex(&junk_id),
                why: Defect::NotACertificate,
            },
        ];
        expected.sort_by_key(|b| b.row);
        assert_eq!(listing.problems, expected);
        let lie = &listing.problems[1];
        assert_eq!(
            lie.to_string(),
            format!("row {} (id {}): {}", lie.row, lie.id, lie.why)
        );
        assert_eq!(
            Defect::IdMismatch.to_string(),
            "its id is not the SHA-256 of its certificate"
        );
        // Whoever needs all or nothing still gets it.
        assert!(matches!(
            listing.complete(),
            Err(StoreError::Corrupt {
                why: Defect::WrongType { .. },
                ..
            })
        ));
        // Looked up, a lie is an error, the truth an answer.
        assert!(matches!(
            store.lookup(&id(&cm)),
            Err(StoreError::Corrupt {
                why: Defect::IdMismatch,
                ..
            })
        ));
        assert!(matches!(
            store.lookup(&capf),
            Err(StoreError::Corrupt {
                why: Defect::TtlOutOfRange(-1),
                ..
            })
        ));
        assert_eq!(
            store.lookup(&sast).unwrap().unwrap().roles,
            [Function::Sast]
        );
    }

    // ---- Whose file ------------------------------------------------------

    /// Opens `path`, which must be refused with nothing in the directory
    /// written, created or removed; why.
    fn refused_untouched(dir: &Dir, path: &Path) -> Refusal {
        let before = dir.contents();
        let opened = SqliteStore::open(path);
        assert_eq!(dir.contents(), before, "{} was touched", path.display());
        match opened {
            Err(StoreError::Refused(why)) => why,
            other => panic!("{}: {other:?}", path.display()),
        }
    }

    #[test]
    fn another_programs_file_is_refused_untouched() {
        let dir = Dir::new("foreign");
        // Another program's database.
        let accounts = dir.path("accounts.sqlite");
        let raw = rusqlite::Connection::open(&accounts).unwrap();
        raw.execute_batch(
            "CREATE TABLE accounts (name TEXT, balance INTEGER);
             INSERT INTO accounts VALUES ('alice', 10);",
        )
        .unwrap();
        drop(raw);
        assert_eq!(refused_untouched(&dir, &accounts), Refusal::Unmarked);
        // Another marked one, in WAL mode, open in that program meanwhile.
        let marked = dir.path("fossil.sqlite");
        let raw = rusqlite::Connection::open(&marked).unwrap();
        raw.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA application_id = 252006674;
             CREATE TABLE blob (rid INTEGER PRIMARY KEY);",
        )
        .unwrap();
        // Its mark is still in its write-ahead log, the file's header
        // says 0...
        assert_eq!(refused_untouched(&dir, &marked), Refusal::Unmarked);
        // ...until it is folded into the file.
        raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        assert_eq!(
            refused_untouched(&dir, &marked),
            Refusal::OtherApplication(0x0f05_5112)
        );
        drop(raw);
        // A store written before stores were marked (the same table,
        // application_id 0).
        let old = dir.path("old-tvs.sqlite");
        rusqlite::Connection::open(&old)
            .unwrap()
            .execute_batch(
                "CREATE TABLE tvs_certificates (sha256 BLOB PRIMARY KEY NOT NULL,
                 der BLOB NOT NULL, roles BLOB NOT NULL, ttl INTEGER NOT NULL);",
            )
            .unwrap();
        assert_eq!(refused_untouched(&dir, &old), Refusal::Unmarked);
        // Not SQLite at all; too short to be; not a file.
        let text = dir.path("notes.txt");
        std::fs::write(&text, b"certificates: see the wiki\n".repeat(10)).unwrap();
        assert_eq!(refused_untouched(&dir, &text), Refusal::NotSqlite);
        let short = dir.path("short.sqlite");
        std::fs::write(&short, b"SQLite format 3\0").unwrap();
        assert_eq!(refused_untouched(&dir, &short), Refusal::NotSqlite);
        let sub = dir.path("sub");
        std::fs::create_dir(&sub).unwrap();
        assert_eq!(refused_untouched(&dir, &sub), Refusal::NotAFile);
        // The refusal says what is wrong.
        let message = SqliteStore::open(&marked).unwrap_err().to_string();
        assert!(
            message.contains("another program (application_id 0x0f055112)"),
            "{message}"
        );
    }

    #[test]
    fn a_store_holding_anything_else_is_refused_untouched() {
        let dir = Dir::new("extra");
        // Somebody added a table and a view to a store.
        let extra = dir.path("extra.sqlite");
        make_store(&extra);
        rusqlite::Connection::open(&extra)
            .unwrap()
            .execute_batch(
                "CREATE TABLE notes (text TEXT);
                 CREATE VIEW ids AS SELECT sha256 FROM tvs_certificates;",
            )
            .unwrap();
        assert_eq!(
            refused_untouched(&dir, &extra),
            Refusal::OtherObjects(vec!["table notes".into(), "view ids".into()])
        );
        // A trigger hidden under a name SQLite keeps for itself (SQLite
        // lets a file name it so): it would run on every insert.
        let hidden = dir.path("hidden.sqlite");
        make_store(&hidden);
        rusqlite::Connection::open(&hidden)
            .unwrap()
            .execute_batch(
                "PRAGMA writable_schema = ON;
                 INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES
                   ('trigger', 'sqlite_persist', 'tvs_certificates', 0,
                    'CREATE TRIGGER sqlite_persist AFTER INSERT ON tvs_certificates BEGIN SELECT 1; END');
                 PRAGMA writable_schema = OFF;",
            )
            .unwrap();
        assert_eq!(
            refused_untouched(&dir, &hidden),
            Refusal::OtherObjects(vec!["trigger sqlite_persist".into()])
        );
        // An index and a table hidden under the names of SQLite's own
        // automatic index and statistics table, with SQL of their own.
        for (name, object, listed) in [
            (
                "index.sqlite",
                "('index', 'sqlite_autoindex_tvs_certificates_9', 'tvs_certificates', 0,
                  'CREATE UNIQUE INDEX sqlite_autoindex_tvs_certificates_9 ON tvs_certificates(ttl)')",
                "index sqlite_autoindex_tvs_certificates_9",
            ),
            (
                "stat.sqlite",
                "('table', 'sqlite_stat1', 'sqlite_stat1', 0,
                  'CREATE TABLE sqlite_stat1(tbl,idx,stat,extra)')",
                "table sqlite_stat1",
            ),
        ] {
            let path = dir.path(name);
            make_store(&path);
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch(&format!(
                    "PRAGMA writable_schema = ON;
                     INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES {object};
                     PRAGMA writable_schema = OFF;"
                ))
                .unwrap();
            assert_eq!(
                refused_untouched(&dir, &path),
                Refusal::OtherObjects(vec![listed.into()])
            );
        }
        // ANALYZE's own statistics table is SQLite's: the store opens.
        let analyzed = dir.path("analyzed.sqlite");
        make_store(&analyzed);
        rusqlite::Connection::open(&analyzed)
            .unwrap()
            .execute_batch("ANALYZE")
            .unwrap();
        assert!(SqliteStore::open(&analyzed).is_ok());
        // A store of a newer schema.
        let newer = dir.path("newer.sqlite");
        make_store(&newer);
        rusqlite::Connection::open(&newer)
            .unwrap()
            .execute_batch("PRAGMA user_version = 2")
            .unwrap();
        assert_eq!(refused_untouched(&dir, &newer), Refusal::NewerSchema(2));
        // A marked file whose table is not the store's.
        let other = dir.path("other.sqlite");
        make_store(&other);
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch(
                "DROP TABLE tvs_certificates;
                 CREATE TABLE tvs_certificates (sha256 BLOB PRIMARY KEY, der BLOB, roles BLOB, ttl INTEGER);",
            )
            .unwrap();
        assert_eq!(refused_untouched(&dir, &other), Refusal::UnknownSchema);
    }

    #[test]
    fn a_missing_or_empty_file_becomes_a_marked_store_in_wal_mode() {
        let dir = Dir::new("fresh");
        let empty = dir.path("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        for path in [dir.path("missing.sqlite"), empty] {
            let store = SqliteStore::open(&path).unwrap();
            exercise(&store);
            let raw = rusqlite::Connection::open(&path).unwrap();
            let pragma = |name: &str| -> String {
                raw.query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .unwrap()
            };
            assert_eq!(pragma("application_id"), APPLICATION_ID.to_string());
            assert_eq!(pragma("user_version"), SCHEMA_VERSION.to_string());
            assert_eq!(pragma("journal_mode"), "wal");
            drop((raw, store));
            // Marked, it opens again as it is.
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.list().unwrap().entries.len(), 1);
        }
    }

    // ---- The administration API ------------------------------------------

    #[test]
    fn sqlite_store_in_memory() {
        exercise(&SqliteStore::in_memory().unwrap());
    }

    #[test]
    fn sqlite_store_survives_a_restart() {
        let dir = Dir::new("restart");
        let path = dir.path("tvs.sqlite");
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
    }
}
