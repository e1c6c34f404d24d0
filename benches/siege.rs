//! The TVS server under siege, on loopback (release build; 127.0.0.1
//! only; every loop bounded): while one attacker holds 600 connections (a
//! third idle TCP, a third half-open TLS, a third trickling its
//! ClientHello one byte every 2 s) and reopens those the server closes, a
//! phone-like client sends ~20 requests a second. Prints the share
//! answered, the latency percentiles and the process's memory; then the
//! plain throughput table (new TLS connection per request, 1/8/32 client
//! threads) and how long a client with a 2 s deadline takes against a
//! trickling server.
//!
//! `cargo bench -p cisco-itl-bench --bench siege` (30 s of siege); without
//! `--bench` (as `cargo test --all-targets` runs it) a 3 s smoke run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

// Shared with the siege test of the core (itl-core/tests/tvs_siege.rs).
#[path = "../itl-core/tests/common/siege.rs"]
mod siege;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use cisco_itl::Function;
use cisco_itl::cert::CertInfo;
use cisco_itl::tvs::codec::{Verdict, VerifyRequest};
use cisco_itl::tvs::net::{
    ClientOptions, RequestLog, ServerOptions, ServerTrust, TvsClient, TvsNetServer,
};
use cisco_itl::tvs::store::{CertificateStore, MemoryStore};
use siege::{Kind, Siege, percentile};

/// A vector key's PEM (benches run from their package's folder, `benches/`).
fn key(name: &str) -> Vec<u8> {
    std::fs::read(format!("../itl-core/tests/data/vectors/keys/{name}")).unwrap()
}

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.trim_start_matches(field).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn request(i: u32) -> VerifyRequest<'static> {
    VerifyRequest {
        session_id: i,
        device_name: "CP-7965-SEP0011215A1AE3".parse().unwrap(),
        certificate: CertInfo::from_pem(&key("callmanager-pub.pem"))
            .unwrap()
            .der()
            .to_vec()
            .into(),
    }
}

fn client(addr: SocketAddr) -> TvsClient {
    let pinned = CertInfo::from_pem(&key("tvs-sub1.pem"))
        .unwrap()
        .der()
        .to_vec();
    TvsClient::new(&[&addr.to_string()], ServerTrust::Certificate(pinned))
        .unwrap()
        .with_options(ClientOptions {
            connect_timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(3),
        })
}

/// One request; its latency when answered "valid".
fn ask(c: &mut TvsClient, i: u32) -> Option<Duration> {
    let start = Instant::now();
    match c.verify(&request(i)) {
        Ok((_, a)) if matches!(a.verdict, Verdict::Valid { .. }) => Some(start.elapsed()),
        _ => None,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let siege_for = if full {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(3)
    };
    let store = MemoryStore::new();
    store
        .add(
            CertInfo::from_pem(&key("callmanager-pub.pem"))
                .unwrap()
                .der(),
            &[Function::CcmTftp],
            3600,
        )
        .unwrap();
    let server = TvsNetServer::bind(
        "127.0.0.1:0",
        &key("tvs-sub1.pem"),
        Arc::new(store) as Arc<dyn CertificateStore>,
        ServerOptions {
            // The attacker and the phone share 127.0.0.1: the address limit
            // is raised so that the server really holds all 600.
            max_per_address: 4096,
            log: Arc::new(|_: &RequestLog| {}),
            ..ServerOptions::default()
        },
    )
    .unwrap();
    let addr = server.local_addr().unwrap();
    let stop = server.shutdown_handle().unwrap();
    let serving = std::thread::spawn(move || server.serve().unwrap());
    println!(
        "siege: server with deadline 5 s, 4096 connections, identity RSA-2048; rss at start {}",
        status("VmRSS:")
    );

    let attack = Siege::start(
        addr,
        &[Kind::Idle, Kind::HalfOpen, Kind::Trickle],
        200,
        Duration::from_secs(2),
        siege_for + Duration::from_secs(30),
    );
    let mut c = client(addr);
    let mut latencies = Vec::new();
    let (mut asked, mut i) = (0u32, 0u32);
    let start = Instant::now();
    while start.elapsed() < siege_for {
        let due = start + Duration::from_millis(50) * i;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        i += 1;
        asked += 1;
        if let Some(l) = ask(&mut c, i) {
            latencies.push(l);
        }
    }
    let threads = std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count);
    let (opened, closed) = (
        attack.counters.opened.load(Ordering::SeqCst),
        attack.counters.closed.load(Ordering::SeqCst),
    );
    drop(attack);
    latencies.sort();
    println!(
        "siege: {} s, {asked} requests at ~20/s: {} answered ({:.1}%), p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        siege_for.as_secs(),
        latencies.len(),
        100.0 * latencies.len() as f64 / f64::from(asked.max(1)),
        percentile(&latencies, 50).as_secs_f64() * 1e3,
        percentile(&latencies, 95).as_secs_f64() * 1e3,
        percentile(&latencies, 99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!(
        "siege: attacker opened {opened} connections (600 held at a time), the server closed {closed}; process rss {} (peak {}), {threads} threads",
        status("VmRSS:"),
        status("VmHWM:")
    );

    // Throughput: a new TLS connection per request, as phones do.
    let per_thread = if full { 500 } else { 10 };
    for threads in [1usize, 8, 32] {
        let start = Instant::now();
        let mut all: Vec<Duration> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let mut c = client(addr);
                        (0..per_thread)
                            .filter_map(|n| ask(&mut c, (t * per_thread + n) as u32))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let took = start.elapsed();
        all.sort();
        println!(
            "throughput: {threads:>2} client threads, {} of {} answered, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
            all.len(),
            threads * per_thread,
            all.len() as f64 / took.as_secs_f64(),
            percentile(&all, 50).as_secs_f64() * 1e3,
            percentile(&all, 99).as_secs_f64() * 1e3,
        );
    }
    stop.shutdown();
    serving.join().unwrap();

    // A client with a 2 s deadline against a server that trickles.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let fake = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut tcp, _)) = listener.accept() {
            let mut hello = [0u8; 512];
            let _ = tcp.read(&mut hello);
            for byte in [0x16u8, 0x03, 0x03, 0x40, 0x00].into_iter().chain([2; 95]) {
                if tcp.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    });
    let mut c = client(fake).with_options(ClientOptions {
        connect_timeout: Duration::from_secs(1),
        deadline: Duration::from_secs(2),
    });
    let start = Instant::now();
    let outcome = c.verify(&request(1));
    println!(
        "deadline: a client with a 2 s deadline against a trickling server returned after {:.3} s ({})",
        start.elapsed().as_secs_f64(),
        match outcome {
            Ok(_) => "answered".to_string(),
            Err(e) => e.to_string(),
        }
    );
}
