"""The Python examples run and end as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, VECTORS


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)


def test_show_itl() -> None:
    r = run(str(EXAMPLES / "show_itl.py"))
    assert r.returncode == 0, r.stderr
    assert "verified: signed by record 0" in r.stdout
    assert r.stdout.endswith("The ITL file was verified successfully.\n")
    assert run(str(EXAMPLES / "show_itl.py"), str(VECTORS / "bad-signature-byte.tlv")).returncode == 1
    r = run(str(EXAMPLES / "show_itl.py"), str(VECTORS / "bad-truncated.tlv"))
    assert r.returncode == 2 and "at byte 4448" in r.stderr


def test_phone_boot() -> None:
    r = run(str(EXAMPLES / "phone_boot.py"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count('phone screen: "Trust List Update Failed"') == 1
    assert "accepted: signed by SAST record 5 of the installed ITL" in r.stdout


def test_verify_folder(tmp_path: Path) -> None:
    r = run(str(EXAMPLES / "verify_folder.py"), str(VECTORS))
    assert r.returncode == 1
    assert "ParseError" in r.stdout and "of 18 lists verified" not in r.stdout
    good = tmp_path / "good"
    good.mkdir()
    for name in ("cucm-ITLFile.tlv", "peer-CTLFile.tlv"):
        (good / name).write_bytes((VECTORS / name).read_bytes())
    r = run(str(EXAMPLES / "verify_folder.py"), str(good), "--workers", "2")
    assert r.returncode == 0 and "2 of 2 lists verified" in r.stdout


def test_audit_example() -> None:
    r = run(str(EXAMPLES / "audit.py"))
    assert r.returncode == 0, r.stderr
    assert "8 phones hold the current ITL" in r.stdout
    assert "would not reach 2 phones" in r.stdout


def test_whatif_example(tmp_path: Path) -> None:
    r = run(str(EXAMPLES / "whatif.py"))
    assert r.returncode == 0, r.stderr
    assert "A host name change on cucm-pub locks 23500 of 100000 phones." in r.stdout
    assert "pub-8841: 14000 locked; a group with cucm-sub1 or cucm-sub2 would have saved them" in r.stdout
    assert "Safe plan for new-hostname:cucm-pub in 2 steps (and a wait)" in r.stdout
    description = tmp_path / "one.toml"
    description.write_text('[[node]]\nname = "pub"\ntftp = true\n[[phones]]\nname = "desk"\ncount = 5\ntftp = "pub"\ngroup = ["pub"]\n')
    r = run(str(EXAMPLES / "whatif.py"), str(description), "pub")
    assert r.returncode == 0 and "locks 5 of 5 phones" in r.stdout
    r = run(str(EXAMPLES / "whatif.py"), str(description), "nowhere")
    assert r.returncode == 2 and "no node named" in r.stderr
