"""Measures cisco_itl from Python against the Rust core, in the same run.

    python examples/python/bench.py [--files N] [--cache DIR] [--rust]

1. parse + verify per file, one-shot (``TrustList.from_bytes(d).verify()``),
   on every good vector, as the median of 15 rounds of 300 calls;
2. ``verify_many`` on N (default 10,000) distinct CUCM-size ITLs signed with
   SHA-256 by four 2048-bit signers (as ``benches/verify.rs``), from bytes
   and from files, on 1 and 2 workers.

With ``--rust`` the same is measured on the core (``cargo run --release
-p cisco-itl-py --example bench_reference``) and the ratios printed.
The generated ITLs are kept in ``--cache`` (default: a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import cisco_itl

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "itl-core" / "tests" / "data" / "vectors"
KEYS = VECTORS / "keys"
FILES = [
    "cucm-ITLFile.tlv",
    "cucm-ITLFile-reset.tlv",
    "cucm-ITLFile-rollback.tlv",
    "cucm-ITLFile-regen-callmanager.tlv",
    "cucm-CTLFile-tokenless.tlv",
    "cucm-CTLFile-etoken.tlv",
    "peer-CTLFile.tlv",
    "peer-ITLFile-sha1.tlv",
    "peer-ITLFile-sha512-v1.1.tlv",
]
SIGNERS = ["callmanager-pub-regenerated.pem", "callmanager-sub1.pem", "tvs-sub1.pem", "peer-sast.pem"]
OTHERS = ["tvs-pub.pem", "capf.pem", "itlrecovery.pem", "tvs-sub1.pem", "etoken1.pem"]
ROLES = ["TFTP", "CAPF", "SAST", "TVS", "CCM+TFTP"]


def median_per_call(f: Callable[[], object], rounds: int = 15, calls: int = 300) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            f()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def make_batch(folder: Path, n: int) -> List[Path]:
    """N distinct 6-record ITLs, SHA-256, from four 2048-bit signers
    (their timestamps differ, so do their signatures)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"ITL-{i:05}.tlv" for i in range(n)]
    if all(p.exists() for p in paths):
        return paths
    keys = {name: (KEYS / name).read_bytes() for name in SIGNERS + OTHERS}

    def make(i: int) -> None:
        signer = keys[SIGNERS[i % 4]]
        b = cisco_itl.TrustListBuilder("ITL", timestamp=1_700_000_000 + i, digest="sha256")
        b.add(signer, "SAST")
        for j in range(1, 6):
            b.add(keys[OTHERS[j % len(OTHERS)]], ROLES[j % len(ROLES)])
        paths[i].write_bytes(b.sign(signer))

    with ThreadPoolExecutor(2) as pool:  # signing releases the GIL
        list(pool.map(make, range(n)))
    return paths


def rust_reference(batch: Path, workspace: Path) -> Tuple[Dict[str, float], Dict[int, float]]:
    cmd = ["cargo", "run", "-q", "--release", "-p", "cisco-itl-py", "--example", "bench_reference", "--"]
    cmd += [str(VECTORS / f) for f in FILES] + ["--batch", str(batch)]
    out = subprocess.run(cmd, cwd=workspace, check=True, capture_output=True, text=True).stdout
    per_file: Dict[str, float] = {}
    batch_times: Dict[int, float] = {}
    for line in out.splitlines():
        doc = json.loads(line)
        if doc["what"] == "parse+verify":
            per_file[Path(doc["file"]).name] = doc["seconds"]
        else:
            batch_times[doc["threads"]] = doc["seconds"]
    return per_file, batch_times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--files", type=int, default=10_000)
    p.add_argument("--cache", type=Path, default=None)
    p.add_argument("--rust", action="store_true", help="measure the Rust core in the same run")
    p.add_argument("--workspace", type=Path, default=REPO, help="the Cargo workspace to run the Rust side in")
    args = p.parse_args()
    cache = args.cache or Path(tempfile.mkdtemp(prefix="itl-bench-"))
    paths = make_batch(cache, args.files)
    data = [q.read_bytes() for q in paths]

    rust_files: Dict[str, float] = {}
    rust_batch: Dict[int, float] = {}
    if args.rust:
        rust_files, rust_batch = rust_reference(cache, args.workspace)

    print("parse + verify, one file (median µs per call)")
    print(f"  {'file':36} {'Python':>8} {'Rust':>8} {'ratio':>6}")
    for name in FILES:
        raw = (VECTORS / name).read_bytes()
        py = median_per_call(lambda: cisco_itl.TrustList.from_bytes(raw).verify())
        rs = rust_files.get(name)
        ratio = f"{py / rs:6.2f}" if rs else "     -"
        print(f"  {name:36} {py * 1e6:8.1f} {rs * 1e6 if rs else float('nan'):8.1f} {ratio}")

    print(f"\nverify_many, {len(data)} distinct 2048-bit SHA-256 ITLs (median of 5, seconds)")
    for workers in (1, 2):
        from_bytes = statistics.median(_time(lambda: cisco_itl.verify_many(data, workers=workers)) for _ in range(5))
        from_files = statistics.median(_time(lambda: cisco_itl.verify_many(paths, workers=workers)) for _ in range(5))
        rs = rust_batch.get(workers)
        extra = f"   Rust (in memory) {rs:.3f}  ratio {from_bytes / rs:.2f}" if rs else ""
        print(f"  workers={workers}: from bytes {from_bytes:.3f}, from files {from_files:.3f}{extra}")
    assert all(o.ok for o in cisco_itl.verify_many(data))
    return 0


def _time(f: Callable[[], object]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
