//! The Rust side of `examples/python/bench.py`: the same measurements,
//! made on the core directly, so that the Python figures have a reference
//! from the same run on the same machine.
//!
//! ```text
//! cargo run --release -p cisco-itl-py --example bench_reference -- FILE… [--batch DIR]
//! ```
//!
//! For each FILE: the median time of one `TrustList::parse` + `verify`
//! (one-shot, as `TrustList.from_bytes(data).verify()` does from Python).
//! With `--batch DIR`: every `.tlv` of DIR read into memory, then verified
//! through a `Verifier` on 1 and 2 threads. Prints one JSON object per line.

use std::error::Error;
use std::time::Instant;

use cisco_itl::TrustList;
use cisco_itl::verifier::Verifier;

/// The median of `rounds` timings of `iterations` calls of `f`, in
/// seconds per call.
fn median_per_call(rounds: usize, iterations: usize, mut f: impl FnMut() -> bool) -> f64 {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                std::hint::black_box(f());
            }
            start.elapsed().as_secs_f64() / iterations as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(rounds / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut batch = None;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--batch" {
            batch = it.next().cloned();
        } else {
            files.push(a.clone());
        }
    }
    for path in &files {
        let data = std::fs::read(path)?;
        let seconds = median_per_call(15, 300, || {
            TrustList::parse(&data).is_ok_and(|l| l.verify().is_ok())
        });
        println!("{{\"what\": \"parse+verify\", \"file\": {path:?}, \"seconds\": {seconds:e}}}");
    }
    if let Some(dir) = batch {
        let mut paths: Vec<_> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tlv"))
            .collect();
        paths.sort();
        let data: Vec<Vec<u8>> = paths.iter().map(std::fs::read).collect::<Result<_, _>>()?;
        for threads in [1usize, 2] {
            let seconds = median_per_call(5, 1, || {
                let v = Verifier::new().threads(threads);
                v.verify_many(&data).iter().all(Result::is_ok)
            });
            println!(
                "{{\"what\": \"verify_many\", \"files\": {}, \"threads\": {threads}, \"seconds\": {seconds:e}}}",
                data.len()
            );
        }
    }
    Ok(())
}
