"""Makes the built-in sample fleet of ``itl audit`` (``python/cisco_itl/data/fleet/``)
from the repository's test vectors and keys. Signatures are deterministic
(PKCS#1 v1.5) and timestamps fixed, so the files come out identical each
time; the test suite checks that they do.

    python itl-py/tools/make_sample_fleet.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict

import cisco_itl

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "itl-core" / "tests" / "data" / "vectors"
OUT = Path(__file__).resolve().parents[1] / "python" / "cisco_itl" / "data" / "fleet"


def key(name: str) -> bytes:
    return (VECTORS / "keys" / name).read_bytes()


def build(out: Path) -> Dict[str, bytes]:
    """The sample ITLs, by path relative to ``out``."""
    pub, pub_new, sub1 = key("callmanager-pub.pem"), key("callmanager-pub-regenerated.pem"), key("callmanager-sub1.pem")
    capf, tvs_pub, tvs_sub1, recovery = key("capf.pem"), key("tvs-pub.pem"), key("tvs-sub1.pem"), key("itlrecovery.pem")
    files: Dict[str, bytes] = {}
    # The publisher's ITL of CUCM 9.x: no ITLRECOVERY record.
    files["cucm-1051-a-pub/2023-05-14/ITLFile.tlv"] = (
        cisco_itl.TrustListBuilder("ITL", timestamp=1_684_065_600)
        .add(pub, "SAST").add(pub, "TFTP").add(capf, "CAPF").add(tvs_pub, "TVS")
        .sign(pub)
    )
    # After the upgrade to 10.x: the real CUCM ITL of the vectors.
    files["cucm-1051-a-pub/2026-03-09/ITLFile.tlv"] = (VECTORS / "cucm-ITLFile.tlv").read_bytes()
    # Now: upgraded to 12.x, whose ITL is signed by the ITLRecovery key (so
    # phones holding the 10.x ITL take it by its ITLRECOVERY record), and
    # CallManager.pem regenerated on the publisher (its TFTP record).
    files["cucm-1051-a-pub/ITLFile.tlv"] = (
        cisco_itl.TrustListBuilder("ITL", timestamp=1_776_254_400)
        .add(recovery, "SAST").add(pub_new, "TFTP").add(capf, "CAPF").add(tvs_pub, "TVS")
        .add(tvs_sub1, "TVS")
        .sign(recovery)
    )
    # The subscriber's TFTP server signs its own ITL.
    files["cucm-1051-a-sub1/ITLFile.tlv"] = (
        cisco_itl.TrustListBuilder("ITL", timestamp=1_776_254_400)
        .add(sub1, "SAST").add(sub1, "TFTP").add(capf, "CAPF").add(tvs_sub1, "TVS")
        .add(recovery, "SAST").add(tvs_pub, "TVS")
        .sign(sub1)
    )
    return files


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for rel, data in build(out).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
