"""The fleet audit: current, stale, unknown, and whether a reset reaches."""

from __future__ import annotations

import csv
import io
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import pytest

import cisco_itl
from cisco_itl import audit
from conftest import EXAMPLES, KEYS, REPO, key, read

DATA = Path(__file__).resolve().parent / "data"
PUB_NOW = "cucm-1051-a-pub/ITLFile.tlv"
NOW = 1_776_254_400  # TIMESTAMP of the sample's current ITLs


def test_sample_fleet_is_what_the_generator_makes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_fleet", REPO / "itl-py" / "tools" / "make_sample_fleet.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.build(tmp_path)
    shipped = {p.relative_to(audit.SAMPLE_DIR).as_posix(): p.read_bytes() for p in audit.SAMPLE_DIR.rglob("*.tlv")}
    assert made == shipped


def test_sample_fleet() -> None:
    itls, problems = audit.load_itls(audit.sample_fleet())
    assert problems == []
    assert [(i.server, i.status, i.recovery) for i in itls] == [
        ("cucm-1051-a-pub", "current", True),
        ("cucm-1051-a-sub1", "current", True),
        ("cucm-1051-a-pub", "stale", True),
        ("cucm-1051-a-pub", "stale", False),
    ]
    report = audit.audit(itls, audit.sample_phones())
    assert report.counts() == {
        "phones": 14, "current": 8, "stale": 4, "suspicious": 0, "unknown": 1, "none": 1,
        "reset_reaches": 11, "reset_misses": 2,
    }  # fmt: skip
    assert report.suspicious() == []
    text = audit.format_report(report)
    assert "SEP0011215A1A08      stale      cucm-1051-a-pub          2023-05-14 12:00  NO" in text
    assert audit.format_report(report, only="unknown").count("SEP") == 1


def test_recovery_by_certificate() -> None:
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    recovery = cisco_itl.certificate_der(key("itlrecovery.pem"))
    assert audit.carries_recovery(itl, recovery)
    assert audit.carries_recovery(itl, key("itlrecovery.pem"))
    assert not audit.carries_recovery(itl, cisco_itl.certificate_der(key("capf.pem")))
    # Same name, same issuer, another key: not the recovery record.
    assert not audit.carries_recovery(itl, (DATA / "itlrecovery-regenerated.pem").read_bytes())


def test_csv_columns_and_hashes() -> None:
    text = "IP,Device Name,Model,ITL Signature\n10.0.0.1,SEPA,8861,AB:CD:EF\n10.0.0.2,SEPB,8861,\n,,,\n"
    assert audit.parse_phones(text) == [("SEPA", "abcdef"), ("SEPB", "")]
    with pytest.raises(ValueError, match="device name column"):
        audit.parse_phones("a,b\n1,2\n")
    assert audit.parse_phones("") == []


def test_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    (tmp_path / "broken.tlv").write_bytes(read("bad-truncated.tlv"))
    (tmp_path / "tampered.tlv").write_bytes(read("bad-signature-byte.tlv"))
    (tmp_path / "CTLFile.tlv").write_bytes(read("cucm-CTLFile-tokenless.tlv"))
    itls, problems = audit.load_itls(tmp_path)
    assert sorted(i.path for i in itls) == ["a/ITLFile.tlv", "tampered.tlv"]
    assert any(p.startswith("broken.tlv: unreadable") for p in problems)
    assert "tampered.tlv: does not verify: the signature does not verify" in problems
    assert any(p.startswith("CTLFile.tlv: a CTL") for p in problems)
    tampered = next(i for i in itls if i.path == "tampered.tlv")
    assert (tampered.status, tampered.current, tampered.verified) == ("invalid", False, False)


def fleet(n: int) -> List[Tuple[str, str]]:
    itls, _ = audit.load_itls(audit.sample_fleet())
    hashes = [i.sha1 for i in itls] + ["0" * 40, ""]
    return [(f"SEP{i:012X}", hashes[i % len(hashes)]) for i in range(n)]


def test_100000_phones_from_a_csv_on_disk(tmp_path: Path) -> None:
    """From the CSV on disk to the printed report, every phone counted and
    printed (no timing here: the figure in docs/PYTHON.md is measured
    apart)."""
    phones = fleet(100_000)
    csv_path = tmp_path / "phones.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Device Name", "ITL SHA1"])
        w.writerows((d, h.upper()) for d, h in phones)
    itls, _ = audit.load_itls(audit.sample_fleet())
    report = audit.audit(itls, audit.read_phones(csv_path))
    out = io.StringIO()
    out.write(audit.format_report(report))
    assert report.counts()["phones"] == 100_000
    assert out.getvalue().count("\n") > 100_000


def test_example_script_runs() -> None:
    import subprocess
    import sys

    r = subprocess.run([sys.executable, str(EXAMPLES / "audit.py")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "would not reach" in r.stdout


# ---------------------------------------------------------------- poisoning
#
# One file dropped into the collected folder must not decide which ITL is
# current. Each of these made the dropped file "current" (and the genuine
# one "stale") before the audit tied ITLs to a verified signer.


def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "itls"
    shutil.copytree(audit.SAMPLE_DIR, folder)
    return folder


def pem_certificate(name: str) -> bytes:
    return cisco_itl.certificate_der(key(name))


def attackers_itl(timestamp: int) -> bytes:
    """A self-signed ITL naming the publisher: the attacker's key as SAST,
    the publisher's public CallManager certificate as its TFTP record (so
    the ITL names cucm-1051-a-pub), the cluster's public ITLRECOVERY
    certificate copied, signed by the attacker."""
    evil = key("peer-asterisk.pem")
    return (
        cisco_itl.TrustListBuilder("ITL", timestamp=timestamp)
        .add(evil, "SAST")
        .add(pem_certificate("callmanager-pub.pem"), "TFTP")
        .add(pem_certificate("itlrecovery.pem"), "SAST")
        .sign(evil)
    )


def statuses(itls: Sequence[audit.KnownItl]) -> List[Tuple[str, str]]:
    return sorted((i.path, i.status) for i in itls)


def phones_on(folder: Path, paths: Sequence[str]) -> List[Tuple[str, str]]:
    return [(f"SEP{n:012X}", cisco_itl.TrustList.from_file(folder / p).sha1) for n, p in enumerate(paths)]


def run_audit(folder: Path, *extra: str, phones: Optional[Path] = None) -> "subprocess.CompletedProcess[str]":
    if phones is None:
        phones = folder.parent / "phones.csv"
        phones.write_text("Device Name,ITL SHA1\nSEP001122334455,\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl.audit", str(folder), str(phones), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_newer_self_signed_itl_naming_the_publisher_is_never_current(tmp_path: Path) -> None:
    folder = sample_copy(tmp_path)
    (folder / "dropped").mkdir()
    (folder / "dropped" / "ITLFile.tlv").write_bytes(attackers_itl(NOW + 3600))
    trust = [key("callmanager-pub.pem"), key("callmanager-sub1.pem")]
    itls, problems = audit.load_itls(folder, trusted=trust)
    assert statuses(itls) == [
        ("cucm-1051-a-pub/2023-05-14/ITLFile.tlv", "stale"),
        ("cucm-1051-a-pub/2026-03-09/ITLFile.tlv", "stale"),
        (PUB_NOW, "current"),
        ("cucm-1051-a-sub1/ITLFile.tlv", "current"),
        ("dropped/ITLFile.tlv", "suspicious"),
    ]
    dropped = next(i for i in itls if i.path == "dropped/ITLFile.tlv")
    assert dropped.server == "cucm-1051-a-pub" and not dropped.current
    assert dropped.reason == (
        f"signed by {dropped.signer}, whom neither --trust nor an older ITL of this server tied to it vouches for"
    )
    assert any(p.startswith("dropped/ITLFile.tlv: suspicious, never current: signed by ") for p in problems)
    # A phone holding the dropped ITL is reported, not counted current.
    report = audit.audit(itls, phones_on(folder, [PUB_NOW, "dropped/ITLFile.tlv"]))
    assert [p.status for p in report.phones] == ["current", "suspicious"]
    assert report.counts()["suspicious"] == 1
    # The CTL the phones hold ties both servers the same way.
    by_ctl, _ = audit.load_itls(folder, trusted=cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv")))
    assert statuses(by_ctl) == statuses(itls)
    # Without --trust, the publisher is claimed by two unrelated signers:
    # nothing of it is current (a forgery may be older as well as newer).
    tofu, problems = audit.load_itls(folder)
    assert [i.status for i in tofu if i.server == "cucm-1051-a-pub"] == ["suspicious"] * 4
    assert [i.status for i in tofu if i.server == "cucm-1051-a-sub1"] == ["current"]
    assert any(
        "dropped/ITLFile.tlv is signed by" in p and "whom the ITL before it (cucm-1051-a-pub/ITLFile.tlv) does not vouch for" in p
        for p in problems
    )
    # The command says so and exits 1.
    r = run_audit(folder, "--trust", str(KEYS / "callmanager-pub.pem"), "--trust", str(KEYS / "callmanager-sub1.pem"))
    assert r.returncode == 1, r.stderr
    assert "  suspicious cucm-1051-a-pub" in r.stdout and "problem: dropped/ITLFile.tlv: suspicious" in r.stdout
    assert run_audit(sample_copy(tmp_path / "clean")).returncode == 0


def test_an_older_self_signed_itl_naming_the_publisher_is_never_current(tmp_path: Path) -> None:
    folder = sample_copy(tmp_path)
    (folder / "dropped").mkdir()
    (folder / "dropped" / "ITLFile.tlv").write_bytes(attackers_itl(1_600_000_000))
    itls, _ = audit.load_itls(folder, trusted=[key("callmanager-pub.pem"), key("callmanager-sub1.pem")])
    assert ("dropped/ITLFile.tlv", "suspicious") in statuses(itls)
    assert (PUB_NOW, "current") in statuses(itls)
    # Trusted on first use, it would be the oldest: it is not, as the
    # genuine ITLs do not follow from it.
    tofu, _ = audit.load_itls(folder)
    assert all(i.status == "suspicious" for i in tofu if i.server == "cucm-1051-a-pub")


def test_a_newer_tampered_copy_is_invalid_never_current(tmp_path: Path) -> None:
    folder = sample_copy(tmp_path)
    genuine = (folder / PUB_NOW).read_bytes()
    at = genuine.index(struct.pack(">I", NOW))
    tampered = genuine[:at] + struct.pack(">I", NOW + 86_400) + genuine[at + 4 :]
    assert cisco_itl.TrustList.from_bytes(tampered).timestamp == NOW + 86_400
    (folder / "cucm-1051-a-pub" / "ITLFile-copy.tlv").write_bytes(tampered)
    for trusted in (None, [key("callmanager-pub.pem"), key("callmanager-sub1.pem")]):
        itls, problems = audit.load_itls(folder, trusted=trusted)
        assert ("cucm-1051-a-pub/ITLFile-copy.tlv", "invalid") in statuses(itls)
        assert (PUB_NOW, "current") in statuses(itls)
        copy = next(i for i in itls if i.path.endswith("ITLFile-copy.tlv"))
        assert (copy.current, copy.verified, copy.reason) == (False, False, "the signature does not verify")
        assert "cucm-1051-a-pub/ITLFile-copy.tlv: does not verify: the signature does not verify" in problems
    report = audit.audit(itls, phones_on(folder, ["cucm-1051-a-pub/ITLFile-copy.tlv"]))
    assert report.phones[0].status == "suspicious"
    r = run_audit(folder)
    assert r.returncode == 1 and "  invalid    cucm-1051-a-pub" in r.stdout


def test_the_recovery_record_is_matched_by_key_not_by_name(tmp_path: Path) -> None:
    # The publisher's ITLRecovery key regenerated: the new ITL carries a
    # record of the same name and issuer but another key. A reset signed
    # with the new key misses phones on the older ITL.
    folder = tmp_path / "itls"
    (folder / "pub" / "old").mkdir(parents=True)
    (folder / "pub" / "old" / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    pub = key("callmanager-pub.pem")
    regenerated = (DATA / "itlrecovery-regenerated.pem").read_bytes()
    (folder / "pub" / "ITLFile.tlv").write_bytes(
        cisco_itl.TrustListBuilder("ITL", timestamp=NOW)
        .add(pub, "SAST")
        .add(pub, "CCM+TFTP")
        .add(regenerated, "SAST")
        .sign(pub)
    )
    phones = phones_on(folder, ["pub/ITLFile.tlv", "pub/old/ITLFile.tlv"])
    itls, problems = audit.load_itls(folder, trusted=pub)
    assert [(i.path, i.status, i.recovery) for i in itls] == [
        ("pub/ITLFile.tlv", "current", True),
        ("pub/old/ITLFile.tlv", "stale", False),
    ]
    assert [p.reset_reaches for p in audit.audit(itls, phones).phones] == [True, False]
    # Naming the old recovery certificate: the other way round.
    itls, _ = audit.load_itls(folder, trusted=pub, recovery_certificate=key("itlrecovery.pem"))
    assert [(i.path, i.recovery) for i in itls] == [("pub/ITLFile.tlv", False), ("pub/old/ITLFile.tlv", True)]
    # A forged ITL's record named ITLRECOVERY, holding the attacker's key,
    # does not count either.
    assert not audit.carries_recovery(
        cisco_itl.TrustList.from_bytes(attackers_itl(NOW)), (DATA / "itlrecovery-regenerated.pem").read_bytes()
    )


def test_many_dropped_files_stay_suspicious(tmp_path: Path) -> None:
    """A folder flooded with forgeries (newer and older, one signer) changes
    nothing: each is suspicious, the genuine ITLs keep their status."""
    folder = sample_copy(tmp_path)
    (folder / "dropped").mkdir()
    for n in range(100):
        (folder / "dropped" / f"ITLFile-{n}.tlv").write_bytes(attackers_itl(1_600_000_000 + n * 2_000_000))
    itls, problems = audit.load_itls(folder, trusted=cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv")))
    assert [i.path for i in itls if i.current] == [PUB_NOW, "cucm-1051-a-sub1/ITLFile.tlv"]
    assert sum(1 for i in itls if i.status == "suspicious") == 100
    assert sum(1 for p in problems if ": suspicious, never current: " in p) == 100
    # Trusted on first use, the oldest forgery is the anchor, and the
    # genuine ITLs do not follow from the forgery before them.
    tofu, problems = audit.load_itls(folder)
    assert not any(i.current for i in tofu if i.server == "cucm-1051-a-pub")
    assert any("whom the ITL before it (dropped/ITLFile-" in p and "nothing of it is current" in p for p in problems)


def copying_forgery(genuine: cisco_itl.TrustList, timestamp: int) -> bytes:
    """An ITL signed by the attacker that copies the genuine signer's
    record as SAST (so it "vouches" for the genuine ITL) and names the
    same server."""
    evil = key("peer-asterisk.pem")
    signer = next(r for r in genuine.records if r.certificate is not None and r.subject == genuine.signer_name)
    assert signer.certificate is not None
    return (
        cisco_itl.TrustListBuilder("ITL", timestamp=timestamp)
        .add(signer.certificate, "SAST")
        .add(signer.certificate, "CCM+TFTP")
        .add(evil, "SAST")
        .sign(evil)
    )


def test_a_backdated_forgery_vouching_for_the_genuine_itl_does_not_anchor_the_server(tmp_path: Path) -> None:
    # Reviewer's case: a forgery older than the genuine ITL, copying its
    # signer's record, "vouched" for it and so became the first-use anchor,
    # and a newer forgery by the same attacker then became current.
    genuine = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    folder = tmp_path / "itls"
    for sub, data in (
        ("pub", read("cucm-ITLFile.tlv")),
        ("old", copying_forgery(genuine, genuine.timestamp - 10)),
        ("new", copying_forgery(genuine, genuine.timestamp + 1000)),
    ):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "ITLFile.tlv").write_bytes(data)
    itls, problems = audit.load_itls(folder)
    assert len({i.server for i in itls}) == 1
    assert [i.status for i in itls] == ["suspicious"] * 3
    assert any("nothing of it is current" in p for p in problems)
    # With --trust, the genuine ITL alone is current.
    itls, _ = audit.load_itls(folder, trusted=key("callmanager-pub.pem"))
    assert statuses(itls) == [
        ("new/ITLFile.tlv", "suspicious"),
        ("old/ITLFile.tlv", "suspicious"),
        ("pub/ITLFile.tlv", "current"),
    ]
    assert run_audit(folder).returncode == 1


def test_two_itls_of_a_server_with_the_same_timestamp_are_never_both_current(tmp_path: Path) -> None:
    # Reviewer's case: a forgery with the genuine TIMESTAMP, whose path
    # sorts first, made both current.
    genuine = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    folder = tmp_path / "itls"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    (folder / "a" / "ITLFile.tlv").write_bytes(copying_forgery(genuine, genuine.timestamp))
    (folder / "b" / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    itls, problems = audit.load_itls(folder)
    assert [i.status for i in itls] == ["suspicious", "suspicious"]
    assert any("same TIMESTAMP" in p for p in problems)
    assert run_audit(folder).returncode == 1
    itls, problems = audit.load_itls(folder, trusted=key("callmanager-pub.pem"))
    assert statuses(itls) == [("a/ITLFile.tlv", "suspicious"), ("b/ITLFile.tlv", "current")]
    # Two copies of one ITL are one ITL: both current.
    (folder / "a" / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    itls, problems = audit.load_itls(folder)
    assert [i.status for i in itls] == ["current", "current"] and problems == []
