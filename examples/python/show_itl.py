"""Reads a trust list, lists its records, verifies it, prints `show itl`.

    python examples/python/show_itl.py [ITLFile.tlv]

Without an argument it builds, signs and shows a small ITL of its own.
Exits 0 when the list verifies, 1 when it does not, 2 when it does not parse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cisco_itl

REPO = Path(__file__).resolve().parents[2]


def sample() -> bytes:
    """A small ITL, built and signed here from the example keys."""
    signer = (REPO / "examples" / "data" / "sample-signer.pem").read_bytes()
    tvs = (REPO / "examples" / "data" / "sample-tvs.pem").read_bytes()
    builder = cisco_itl.TrustListBuilder("ITL", timestamp=1_773_075_583)
    builder.add(signer, "SAST").add(signer, "TFTP").add(tvs, "TVS")
    return builder.sign(signer)


def main(argv: list[str]) -> int:
    try:
        itl = cisco_itl.TrustList.from_file(argv[0]) if argv else cisco_itl.TrustList.from_bytes(sample())
    except cisco_itl.ParseError as e:
        print(f"not a trust list: {e} (at byte {e.offset})", file=sys.stderr)
        return 2
    except OSError as e:
        print(e, file=sys.stderr)
        return 2
    print(f"{itl.kind} {itl.filename}: {len(itl)} records, signed by {itl.signer_name} ({itl.digest})")
    for record in itl:
        functions = "+".join(str(f) for f in record.functions)
        held = "certificate" if record.certificate is not None else "hash only"
        print(f"  {record.index}: {functions:10} {record.subject} [{held}]")
    try:
        signer = itl.verify()
        print(f"verified: signed by record {signer.index}\n")
        status = 0
    except cisco_itl.VerificationError as e:
        print(f"NOT verified: {e}\n")
        status = 1
    print(itl.show(), end="")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
