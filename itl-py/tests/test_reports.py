"""What phones report (DeviceTLInfo) in each shape administrators meet, read
by ``parse_device_reports`` and audited by ``itl audit ITL_DIR REPORT...``
against the ITLs and CTLs of a folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import cisco_itl
from cisco_itl import _native, audit
from conftest import REPO, read

REPORTS = REPO / "itl-core" / "tests" / "data" / "reports"
ITL = "15092ad3a33b9e44b50a0aa4cdc32b588de87f52"  # cucm-ITLFile.tlv
CTL = "83d86b1f20ca13cb42f9ee05b6a647025497858b"  # cucm-CTLFile-tokenless.tlv


def folder(tmp_path: Path) -> Path:
    d = tmp_path / "tftp" / "cucm-pub" / "2026-03-10T101200Z"
    d.mkdir(parents=True)
    (d / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    (d / "CTLFile.tlv").write_bytes(read("cucm-CTLFile-tokenless.tlv"))
    return tmp_path / "tftp"


def run(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl", "audit", *args], capture_output=True, text=True, timeout=120
    )


def phones(out: str) -> List[Tuple[str, str, Any]]:
    report: Dict[str, Any] = json.loads(out)
    return [(p["device"], p["status"], p["ctl_status"]) for p in report["phones"]]


def entries(name: str) -> List[Tuple[str, int, Any, Any]]:
    got, _, _ = _native.parse_device_reports((REPORTS / name).read_bytes())
    return [(str(e["device"]), int(str(e["line"])), e["itl_sha1"], e["ctl_sha1"]) for e in got]


def test_the_hashes_are_the_vectors() -> None:
    assert cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).sha1 == ITL
    assert cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv")).sha1 == CTL


def test_csv_in_alarm_order_audits_the_itl_and_the_ctl(tmp_path: Path) -> None:
    # CTL_Signature comes first: the ITL hash is still ITL_Signature's.
    r = run(str(folder(tmp_path)), str(REPORTS / "alarm-order.csv"), "--json")
    assert r.returncode == 1, r.stderr  # a row could not be read
    assert phones(r.stdout) == [
        ("SEP0011215A1AE3", "current", "none"),
        ("SEP001122334455", "current", "current"),
        ("SEP00AABBCCDDEE", "none", "none"),
    ]
    report = json.loads(r.stdout)
    assert [c["path"] for c in report["ctls"]] == ["cucm-pub/2026-03-10T101200Z/CTLFile.tlv"]
    assert report["ctl_summary"] == {"reported": 3, "current": 1, "stale": 0, "suspicious": 0, "unknown": 0, "none": 2}
    bad = [p for p in report["problems"] if "alarm-order.csv" in p]
    assert bad == [
        f"{REPORTS / 'alarm-order.csv'}: line 5: the ITL_Signature of SEP00AABBCCDDEF is not a SHA-1 (40 hex digits): "
        "'9D 7D A7 3D 16 C1 50 1B 4D 27 DC 1E D7 92 11 F3 90 65 99'".replace("'", '"')
    ]


def test_the_text_report_names_the_bad_row_and_the_ctl(tmp_path: Path) -> None:
    r = run(str(folder(tmp_path)), str(REPORTS / "alarm-order.csv"))
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert "CTLs collected: 1 files" in lines
    assert any(l.startswith("  problem: ") and "alarm-order.csv: line 5: the ITL_Signature of SEP00AABBCCDDEF" in l for l in lines)
    row = next(l for l in lines if l.startswith("SEP001122334455"))
    assert row.split()[1] == "current" and row.split()[-1] == "current"
    assert "CTL: 3 phones report their CTL: 1 current, 0 stale, 0 unknown, 2 without a CTL." in lines
    assert "1 report row or line could not be read (see the problems above); its phone is not counted." in lines


def test_xml_alarms() -> None:
    assert entries("devicetlinfo.xml") == [("SEP0011215A1AE3", 3, ITL, None), ("SEP001122334455", 18, ITL, CTL)]
    _, problems, fmt = _native.parse_device_reports((REPORTS / "devicetlinfo.xml").read_bytes())
    assert (problems, fmt) == ([], "xml")


def test_syslog() -> None:
    assert entries("cucm-syslog.txt") == [
        ("SEP0011215A1AE3", 2, ITL, None),
        ("SEP001122334455", 3, ITL, CTL),
        ("SEP00AABBCCDDEE", 4, None, None),
    ]
    _, problems, fmt = _native.parse_device_reports((REPORTS / "cucm-syslog.txt").read_bytes())
    assert fmt == "syslog"
    assert problems == [
        (5, 'line 5: the ITL_Signature of SEP00AABBCCDDEF is not a SHA-1 (40 hex digits): "not-a-hash"')
    ]
    # Several reports: a device's last report counts.
    reports, _ = audit.read_reports([REPORTS / "cucm-syslog.txt", REPORTS / "devicetlinfo.xml"])
    assert [(p.device, p.itl_sha1, p.ctl_sha1) for p in reports] == [
        ("SEP0011215A1AE3", ITL, ""),
        ("SEP001122334455", ITL, CTL),
        ("SEP00AABBCCDDEE", "", ""),
    ]
    assert reports[0].source == f"{REPORTS / 'devicetlinfo.xml'}:3"


def test_excel_cp1252_semicolons(tmp_path: Path) -> None:
    assert entries("excel-cp1252.csv") == [("SEP0011215A1AE3", 2, ITL, None), ("SEP001122334455", 3, ITL, CTL)]
    r = run(str(folder(tmp_path)), str(REPORTS / "excel-cp1252.csv"), "--json")
    assert r.returncode == 0, r.stderr
    assert phones(r.stdout) == [("SEP0011215A1AE3", "current", "none"), ("SEP001122334455", "current", "current")]


def test_utf16_with_a_byte_order_mark(tmp_path: Path) -> None:
    assert entries("utf16.txt") == [("SEP0011215A1AE3", 2, ITL, None), ("SEP001122334455", 3, None, None)]
    r = run(str(folder(tmp_path)), str(REPORTS / "utf16.txt"), "--json")
    assert r.returncode == 0, r.stderr
    assert phones(r.stdout) == [("SEP0011215A1AE3", "current", "none"), ("SEP001122334455", "none", "none")]


def test_a_bad_hash_is_reported_with_its_line_never_unknown(tmp_path: Path) -> None:
    report = tmp_path / "phones.csv"
    report.write_text(f"Device Name,ITL_Signature\nSEPA,{ITL}\nSEPB,{ITL[:-1]}x\nSEPC,{ITL[:30]}\n", encoding="utf-8")
    reports, problems = audit.read_reports([report])
    assert [p.device for p in reports] == ["SEPA"]
    assert [p.split(": ", 2)[1] for p in problems] == ["line 3", "line 4"]
    with pytest.raises(ValueError, match=r"line 3: the ITL_Signature of SEPB is not a SHA-1 .*\(and 1 more\)"):
        audit.read_phones(report)
    r = run(str(folder(tmp_path)), str(report))
    assert r.returncode == 1
    assert "unknown" not in [l.split()[1] for l in r.stdout.splitlines() if l.startswith("SEP")]


def test_malformed_input_ends_in_exit_2_with_its_line(tmp_path: Path) -> None:
    r = run(str(folder(tmp_path)), str(REPORTS / "malformed.xml"))
    assert r.returncode == 2
    assert "malformed.xml: line 6, column 3: malformed XML: </Parameterlist> closes <ParameterList>" in r.stderr
    with pytest.raises(cisco_itl.ParseError, match="line 6, column 3"):
        _native.parse_device_reports((REPORTS / "malformed.xml").read_bytes())


def test_the_legacy_reader_takes_the_itl_column() -> None:
    # The former bug: the first "signature" column was CTL_Signature.
    text = f"DeviceName,CTL_Signature,ITL_Signature\nSEPA,Not Installed,{ITL}\n"
    assert audit.parse_phones(text) == [("SEPA", ITL)]
