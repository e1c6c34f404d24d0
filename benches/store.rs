//! The SQLite certificate store under siege: lookups, as a TVS server
//! makes them, while another process writes to the database in a loop,
//! holds a write transaction open, or while the store's own administration
//! API writes in a loop. Prints, for each case, how many lookups were
//! answered and their latency (p50, p99, max): no criterion, the figure is
//! the tail under interference, not a mean.
//!
//! Four threads look up the store's certificates in turn, each pausing
//! 1 ms between lookups (about 3,500 lookups a second, more than the TLS
//! server can ask for), for 10 s per case. The "other process" is this
//! program started again, with `rusqlite` of its own, as an
//! administration tool or another program would be.
//!
//! ```text
//! cargo bench -p cisco-itl-bench --bench store
//! ```
//!
//! Run without `--bench` (as `cargo test --all-targets` does), each case
//! lasts 0.2 s, a smoke test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use cisco_itl::Function;
use cisco_itl::cert::CertInfo;
use cisco_itl::tvs::store::{CertificateId, CertificateStore, SqliteStore, certificate_id};

const ROLE: &str = "CISCO_ITL_STORE_BENCH_ROLE";
const DB: &str = "CISCO_ITL_STORE_BENCH_DB";
const READERS: usize = 4;
const PAUSE: Duration = Duration::from_millis(1);

/// Every certificate of the vectors' `keys/` folder.
fn certificates() -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(common::vectors().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| CertInfo::from_pem(&std::fs::read(p).unwrap()).ok())
        .map(|c| c.der().to_vec())
        .collect()
}

/// The other process: what it does to the database until its standard
/// input closes; prints how many transactions it committed.
fn other(role: &str, db: &str) {
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = Arc::clone(&stop);
    thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        stopper.store(true, Ordering::SeqCst);
    });
    let c = rusqlite::Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(30)).unwrap();
    let der = certificates().swap_remove(0);
    let id = certificate_id(&der);
    let mut commits = 0u64;
    println!("ready");
    std::io::stdout().flush().unwrap();
    while !stop.load(Ordering::SeqCst) {
        match role {
            // One row rewritten per transaction, as fast as it goes.
            "write-loop" => {
                c.execute_batch("BEGIN IMMEDIATE").unwrap();
                c.execute(
                    "INSERT OR REPLACE INTO tvs_certificates (sha256, der, roles, ttl)
                     VALUES (?1, ?2, x'01', ?3)",
                    rusqlite::params![id.as_slice(), der, 1 + (commits % 1000) as i64],
                )
                .unwrap();
                c.execute_batch("COMMIT").unwrap();
            }
            // A write transaction held for a second, then another.
            "hold" => {
                c.execute_batch("BEGIN EXCLUSIVE; UPDATE tvs_certificates SET ttl = ttl;")
                    .unwrap();
                let until = Instant::now() + Duration::from_secs(1);
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(5));
                }
                c.execute_batch("COMMIT").unwrap();
            }
            other => panic!("unknown role {other}"),
        }
        commits += 1;
    }
    println!("{commits}");
}

/// The other process, running.
struct Other(Child, BufReader<std::process::ChildStdout>);

impl Other {
    fn start(role: &str, db: &Path) -> Other {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, role)
            .env(DB, db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        Other(child, out)
    }

    /// Stops it; its commits.
    fn stop(mut self) -> u64 {
        drop(self.0.stdin.take());
        let mut line = String::new();
        self.1.read_line(&mut line).unwrap();
        self.0.wait().unwrap();
        line.trim().parse().unwrap()
    }
}

struct Figures {
    latencies: Vec<Duration>,
    answered: usize,
    failed: usize,
}

/// `READERS` threads looking up `ids` in turn for `length`.
fn siege(store: &Arc<SqliteStore>, ids: &[CertificateId], length: Duration) -> Figures {
    let end = Instant::now() + length;
    let threads: Vec<_> = (0..READERS)
        .map(|t| {
            let (store, ids) = (Arc::clone(store), ids.to_vec());
            thread::spawn(move || {
                let mut out = Figures {
                    latencies: Vec::new(),
                    answered: 0,
                    failed: 0,
                };
                let mut i = t;
                while Instant::now() < end {
                    let start = Instant::now();
                    let answer = store.lookup(&ids[i % ids.len()]);
                    out.latencies.push(start.elapsed());
                    match answer {
                        Ok(Some(_)) => out.answered += 1,
                        _ => out.failed += 1,
                    }
                    i += 1;
                    thread::sleep(PAUSE);
                }
                out
            })
        })
        .collect();
    let mut all = Figures {
        latencies: Vec::new(),
        answered: 0,
        failed: 0,
    };
    for t in threads {
        let f = t.join().unwrap();
        all.latencies.extend(f.latencies);
        all.answered += f.answered;
        all.failed += f.failed;
    }
    all.latencies.sort();
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    if let (Ok(role), Ok(db)) = (std::env::var(ROLE), std::env::var(DB)) {
        other(&role, &db);
        return;
    }
    let length = if common::full_run() {
        Duration::from_secs(10)
    } else {
        Duration::from_millis(200)
    };
    let dir = std::env::temp_dir().join(format!("cisco-itl-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tvs.sqlite");
    let certificates = certificates();
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let ids: Vec<CertificateId> = certificates
        .iter()
        .map(|der| store.add(der, &[Function::CcmTftp], 86_400).unwrap())
        .collect();

    println!(
        "{} certificates, {READERS} threads each looking one up every {PAUSE:?}, {length:?} per case",
        ids.len()
    );
    println!("| while | lookups | answered | p50 | p99 | max | writes/s |");
    println!("|---|---|---|---|---|---|---|");
    let report = |what: &str, f: Figures, writes: Option<u64>| {
        let total = f.answered + f.failed;
        println!(
            "| {what} | {total} | {} ({:.1} %) | {} | {} | {} | {} |",
            f.answered,
            100.0 * f.answered as f64 / total.max(1) as f64,
            ms(percentile(&f.latencies, 0.50)),
            ms(percentile(&f.latencies, 0.99)),
            ms(f.latencies.last().copied().unwrap_or_default()),
            writes.map_or("–".into(), |w| format!(
                "{:.0}",
                w as f64 / length.as_secs_f64()
            )),
        );
    };

    report("nothing else", siege(&store, &ids, length), None);

    let other = Other::start("write-loop", &path);
    let f = siege(&store, &ids, length);
    report("another process writes in a loop", f, Some(other.stop()));

    let other = Other::start("hold", &path);
    let f = siege(&store, &ids, length);
    report(
        "another process holds a write transaction (1 s, again and again)",
        f,
        Some(other.stop()),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let writer = {
        let (store, stop, writes) = (Arc::clone(&store), Arc::clone(&stop), Arc::clone(&writes));
        let der = certificates[0].clone();
        thread::spawn(move || {
            let mut ttl = 0;
            while !stop.load(Ordering::SeqCst) {
                ttl = (ttl + 1) % 1000;
                if store.add(&der, &[Function::CcmTftp], 1 + ttl).is_ok() {
                    writes.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    let f = siege(&store, &ids, length);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    report(
        "this process's `add` writes in a loop",
        f,
        Some(writes.load(Ordering::SeqCst)),
    );

    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
