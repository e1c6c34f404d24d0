"""The ``itl`` command through ``subprocess``: output and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import cisco_itl
from conftest import KEYS, VECTORS, password, read

ITL = str(VECTORS / "cucm-ITLFile.tlv")
PUB = str(KEYS / "callmanager-pub.pem")


def itl(*args: str, stdin: bytes = b"", cwd: "Path | None" = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("ITL_RECOVERY_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_console_script_is_installed() -> None:
    exe = shutil.which("itl") or str(Path(sys.executable).parent / "itl")
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"itl {cisco_itl.__version__}"


def test_show_exit_codes() -> None:
    r = itl("show", ITL)
    assert r.returncode == 0
    assert r.stdout == cisco_itl.TrustList.from_file(ITL).show()
    r = itl("show", str(VECTORS / "bad-signature-byte.tlv"))
    assert r.returncode == 1 and r.stdout.endswith("Verification of the ITL file failed.\n")
    r = itl("show", str(VECTORS / "bad-truncated.tlv"))
    assert r.returncode == 2
    r = itl("show", str(VECTORS / "cucm-SEP0011215A1AE3.cnf.xml.sgn"))
    assert r.returncode == 1 and "This is a signed file (.sgn)" in r.stdout
    r = itl("show", "/nonexistent.tlv")
    assert r.returncode == 2 and "No such file" in r.stderr


def test_show_json() -> None:
    r = itl("show", "--json", ITL)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["verified"] is True and doc["outcome"] == "verified"
    assert doc["sha1"] == "15092ad3a33b9e44b50a0aa4cdc32b588de87f52"
    assert [rec["functions"] for rec in doc["records"]][:2] == [["SAST"], ["TFTP"]]
    r = itl("show", "--json", str(VECTORS / "bad-truncated.tlv"))
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert (doc["outcome"], doc["error_type"], doc["offset"]) == ("malformed", "ParseError", 4448)


def test_verify() -> None:
    r = itl("verify", ITL)
    assert r.returncode == 0 and "verified (ITL, signed by record 1, sha1, 1024-bit key)" in r.stdout
    r = itl("verify", ITL, "--strict")
    assert r.returncode == 1 and "NOT verified" in r.stdout
    r = itl("verify", ITL, "--trust", PUB)
    assert r.returncode == 0
    r = itl("verify", str(VECTORS / "peer-ITLFile-sha1.tlv"), "--trust", ITL)
    assert r.returncode == 1
    r = itl("verify", str(VECTORS / "bad-empty.tlv"))
    assert r.returncode == 2 and "unreadable" in r.stdout
    sgn = str(VECTORS / "cucm-SEP0011215A1AE3.cnf.xml.sgn")
    assert itl("verify", sgn).returncode == 1
    assert itl("verify", sgn, "--trust", ITL).returncode == 0
    assert itl("verify", sgn, "--trust", str(KEYS / "capf.pem")).returncode == 1


def test_verify_many_files_json() -> None:
    files = sorted(str(p) for p in VECTORS.glob("*.tlv"))
    r = itl("verify", "--json", "--workers", "2", *files)
    assert r.returncode == 2  # some do not even parse
    doc = json.loads(r.stdout)["files"]
    assert [d["path"] for d in doc] == files
    status = {Path(str(d["path"])).name: d["status"] for d in doc}
    assert status["cucm-ITLFile.tlv"] == "verified"
    assert status["bad-signature-byte.tlv"] == "not-verified"
    assert status["bad-truncated.tlv"] == "unreadable"
    good = [f for f in files if not Path(f).name.startswith("bad-")]
    assert itl("verify", *good).returncode == 0
    # No progress bar when stderr is not a terminal.
    assert itl("verify", *good).stderr == ""


def test_build_sign_strip(tmp_path: Path) -> None:
    out = tmp_path / "ITLFile.tlv"
    r = itl(
        "build",
        "--kind", "ITL",
        "--sign", PUB,
        "--cert", f"{PUB}:SAST",
        "--cert", f"{PUB}:TFTP",
        "--cert", f"{KEYS / 'tvs-pub.pem'}:TVS",
        "--timestamp", "1700000000",
        "-o", str(out),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    tl = cisco_itl.TrustList.from_file(out)
    assert ([r.functions for r in tl], tl.timestamp) == ([["SAST"], ["TFTP"], ["TVS"]], 1_700_000_000)
    assert itl("verify", str(out)).returncode == 0
    bad = itl("build", "--sign", PUB, "--cert", f"{PUB}:NOPE", "-o", str(out))
    assert bad.returncode == 2 and "unknown function" in bad.stderr
    assert itl("build", "--sign", PUB, "--cert", PUB, "-o", str(out)).returncode == 2

    cfg = tmp_path / "SEP001122334455.cnf.xml"
    cfg.write_bytes(b"<device/>")
    r = itl("sign", str(cfg), "--key", PUB, "--digest", "sha256")
    assert r.returncode == 0, r.stderr
    sgn = cisco_itl.SignedFile.from_file(str(cfg) + ".sgn")
    assert (sgn.filename, sgn.payload, sgn.digest) == ("SEP001122334455.cnf.xml.sgn", b"<device/>", "sha256")
    assert itl("verify", str(cfg) + ".sgn", "--trust", str(out)).returncode == 0
    cfg.unlink()
    r = itl("strip", str(cfg) + ".sgn")
    assert r.returncode == 0 and cfg.read_bytes() == b"<device/>"
    r = itl("strip", str(cfg) + ".sgn", "-o", "-")
    assert r.returncode == 0 and r.stdout == "<device/>"
    assert itl("strip", str(VECTORS / "bad-empty.tlv")).returncode == 2


def test_reset(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text(password() + "\n")
    work = tmp_path / "ITLFile.tlv"
    work.write_bytes(read("cucm-ITLFile.tlv"))
    args: List[str] = ["reset", str(work), "--p12", str(KEYS / "ITLRecovery.p12"), "--trust", str(KEYS / "callmanager-pub.pem")]
    r = itl(*args, "--password-file", str(pw))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "ITLFile-reset.tlv").read_bytes() == read("cucm-ITLFile-reset.tlv")
    assert "signed by record 5" in r.stderr
    pw.write_text("wrong\n")
    r = itl(*args, "--password-file", str(pw))
    assert r.returncode == 2 and "wrong password" in r.stderr
    assert itl(*args).returncode == 2  # no password, no terminal
    work.write_bytes(read("bad-signature-byte.tlv"))
    pw.write_text(password())
    r = itl(*args, "--password-file", str(pw), "-o", str(tmp_path / "x.tlv"))
    assert r.returncode == 1 and "not reset" in r.stderr


def test_audit_sample_and_files(tmp_path: Path) -> None:
    r = itl("audit")
    assert r.returncode == 0, r.stderr
    assert "Summary: 14 phones: 8 current, 4 stale, 1 unknown, 1 without an ITL." in r.stdout
    r = itl("audit", "--write-sample", str(tmp_path))
    assert r.returncode == 0
    r = itl("audit", str(tmp_path / "itls"), str(tmp_path / "phones.csv"), "--json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["summary"] == {
        "phones": 14, "current": 8, "stale": 4, "suspicious": 0, "unknown": 1, "none": 1,
        "reset_reaches": 11, "reset_misses": 2,
    }  # fmt: skip
    r = itl("audit", str(tmp_path / "itls"), str(tmp_path / "phones.csv"), "--summary", "--recovery", str(KEYS / "itlrecovery.pem"))
    assert r.returncode == 0 and "SEP" not in r.stdout and "reach 11, miss 2" in r.stdout
    assert itl("audit", str(tmp_path / "itls")).returncode == 2
    assert itl("audit", str(tmp_path / "nope"), str(tmp_path / "phones.csv")).returncode == 2


def test_usage_errors_exit_2() -> None:
    assert itl().returncode == 2
    assert itl("frobnicate").returncode == 2
    assert itl("verify").returncode == 2


@pytest.mark.parametrize("command", ["show", "verify", "build", "sign", "strip", "reset", "audit"])
def test_help(command: str) -> None:
    r = itl(command, "--help")
    assert r.returncode == 0 and "usage: itl" in r.stdout
