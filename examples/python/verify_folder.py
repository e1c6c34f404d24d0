"""Verifies every trust list under a folder, on every core, GIL released.

    python examples/python/verify_folder.py FOLDER [--trust CERT.pem] [--workers N]

Prints one line per file that does not verify, then a summary. Exits 0
when every list verified, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Optional

import cisco_itl


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("folder", type=Path)
    p.add_argument("--trust", type=Path, help="verify against this certificate instead of each list's own records")
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args(argv)

    paths = sorted(args.folder.rglob("*.tlv"))
    trusted = args.trust.read_bytes() if args.trust else None
    start = time.perf_counter()
    outcomes = cisco_itl.verify_many(paths, trusted=trusted, workers=args.workers)
    elapsed = time.perf_counter() - start
    bad = [o for o in outcomes if not o.ok]
    for o in bad:
        kind = type(o.error).__name__ if o.error else "?"
        print(f"{o.path}: {kind}: {o.error}")
    print(f"{len(outcomes) - len(bad)} of {len(outcomes)} lists verified in {elapsed * 1000:.1f} ms")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
