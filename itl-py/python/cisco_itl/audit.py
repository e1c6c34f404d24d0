"""Fleet audit: which phones hold the current ITL.

Phones report the SHA-1 of the ITL they hold in the ``DeviceTLInfo``
alarm. Given a folder of ITL files collected from the cluster's TFTP
servers, and a CSV of phones with the hash each reported, the audit says
for every phone whether it holds the **current** ITL of a TFTP server, a
**stale** one (an older ITL of that server, from an earlier collection),
a **suspicious** one (a collected file that does not verify, or whose
signer is not tied to the server it names), an **unknown** one (no
collected file has that hash), or **none**; and whether a bulk ITLRecovery
reset (``utils itl reset``) would reach it: a phone accepts the reset ITL
only when the ITL it holds carries the ITLRECOVERY SAST record (a phone
holding no ITL accepts any on first use).

The folder: every ``*.tlv`` under it (subfolders included) is an ITL a
TFTP server served at some point. One file dropped into it cannot decide
what is current (the rules are in the compiled ``audit_itls``):

* a file that does not verify is reported (with why) and never current;
* lists are grouped by the TFTP server they name (the subject of their
  TFTP or CCM+TFTP record), and tied to it by a verified signer: signed by
  what ``trusted`` holds (``--trust``: the server's CallManager
  certificate, the ITL or CTL the phones hold), or by a SAST record of an
  older ITL of that server already tied (as a phone holding it would take
  it). Without ``trusted``, a server's oldest ITL is trusted on first use,
  but only while every other ITL naming that server follows from it: when
  two unrelated signers claim a server, nothing of it is current;
* a file not tied is **suspicious**, never current; of the tied ones the
  newest TIMESTAMP is current, older ones are stale;
* the ITLRECOVERY record is matched by key: the key of ``--recovery``'s
  certificate, else of the ITLRECOVERY records of the current ITLs.

Keep older collections in the folder so that the audit can tell a stale
ITL from an unknown one, and a new signer from an old one.

The CTLs: every ``*.tlv`` of the folder that is a CTL (``CTLFile.tlv``)
is audited by the same rules, apart from the ITLs, and each phone's
reported CTL hash is matched against them.

The reports (``REPORT...``, read by the compiled ``parse_device_reports``,
see ``docs/PYTHON.md``): what the phones sent in their ``DeviceTLInfo``
alarm, as XML alarm bodies, CUCM syslog lines, or a CSV export (any column
order: ``ITL_Signature`` is the ITL hash, ``CTL_Signature`` the CTL one;
``,``, ``;`` or tab; UTF-8, UTF-16 with a byte-order mark, or
Windows-1252). Hashes may be upper or lower case, with or without spaces
or ``:``; an empty hash or ``Not Installed`` means the phone holds none. A
row or line that cannot be read (a hash that is not a SHA-1, no device
name) is a problem naming its file and line, never an unknown hash. When a
device reports several times, its last report counts.

``itl audit`` with no arguments audits a built-in sample fleet.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import _native
from .errors import Error

__all__ = [
    "KnownItl",
    "PhoneReport",
    "PhoneStatus",
    "AuditReport",
    "load_itls",
    "load_lists",
    "read_phones",
    "read_reports",
    "parse_phones",
    "audit",
    "format_report",
    "sample_fleet",
    "sample_phones",
    "write_sample",
    "carries_recovery",
    "add_arguments",
    "run",
    "main",
]

StrPath = Union[str, "os.PathLike[str]"]

#: Where the built-in sample fleet's ITLs are.
SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "fleet"


class KnownItl(NamedTuple):
    """One collected ITL file."""

    path: str
    """The file, relative to the audited folder."""
    sha1: str
    """SHA-1 of the file, lowercase hex: what phones report."""
    server: str
    """The TFTP server it came from: the CN of its TFTP record's subject."""
    filename: str
    """FILENAME in its header."""
    timestamp: int
    """TIMESTAMP in its header."""
    current: bool
    """Whether it is the newest ITL of its server (``status == "current"``)."""
    recovery: bool
    """Whether it carries a SAST record holding the ITLRecovery key."""
    verified: bool
    """Whether its own signature verifies."""
    signer: str
    """SIGNERNAME."""
    status: str = "current"
    """``"current"``, ``"stale"``, ``"suspicious"`` (verifies, but its
    signer is not tied to the server it names) or ``"invalid"`` (does not
    verify)."""
    reason: Optional[str] = None
    """Why it is suspicious or invalid."""


class PhoneReport(NamedTuple):
    """What one phone reported (its ``DeviceTLInfo`` alarm)."""

    device: str
    """The device name."""
    itl_sha1: str
    """The SHA-1 of the ITL it holds, lowercase hex (empty: none)."""
    ctl_sha1: Optional[str] = None
    """The SHA-1 of the CTL it holds (empty: none; ``None``: the report
    does not say)."""
    itl_tftp_server: Optional[str] = None
    """``ITL_TFTP_Server``."""
    ctl_tftp_server: Optional[str] = None
    """``CTL_TFTP_Server``."""
    status_code: Optional[str] = None
    """``StatusCode``."""
    source: str = ""
    """Where it was read: ``file:line``."""


class PhoneStatus(NamedTuple):
    """What the audit says about one phone."""

    device: str
    """The device name."""
    sha1: str
    """The hash it reported, normalised (empty: no ITL)."""
    status: str
    """``"current"``, ``"stale"``, ``"suspicious"`` (it holds a collected
    ITL that is suspicious or invalid), ``"unknown"`` or ``"none"``."""
    itl: Optional[KnownItl]
    """The collected ITL it holds, when known."""
    reset_reaches: Optional[bool]
    """Whether an ITLRecovery reset would reach it; ``None`` when unknown."""
    ctl_sha1: Optional[str] = None
    """The CTL hash it reported (empty: none; ``None``: not reported)."""
    ctl_status: Optional[str] = None
    """Its CTL, as ``status`` for the ITL (``None``: not reported)."""
    ctl: Optional[KnownItl] = None
    """The collected CTL it holds, when known."""


class AuditReport(NamedTuple):
    """The audit of a fleet."""

    itls: List[KnownItl]
    """The collected ITLs, current first."""
    phones: List[PhoneStatus]
    """Every phone, in the order of the reports."""
    problems: List[str]
    """Files that could not be read, parsed or verified, files whose signer
    is not tied to their server, report rows that could not be read, and
    other findings, as sentences."""
    ctls: List[KnownItl] = []
    """The collected CTLs, current first."""
    report_problems: int = 0
    """How many report rows or lines could not be read (among ``problems``)."""

    def suspicious(self) -> List[KnownItl]:
        """The collected ITLs and CTLs that are suspicious or invalid."""
        return [i for i in list(self.itls) + list(self.ctls) if i.status in ("suspicious", "invalid")]

    def ctl_counts(self) -> Dict[str, int]:
        """Phones per CTL status (those whose report gives a CTL hash)."""
        out = {"reported": 0, "current": 0, "stale": 0, "suspicious": 0, "unknown": 0, "none": 0}
        for p in self.phones:
            if p.ctl_status is not None:
                out["reported"] += 1
                out[p.ctl_status] += 1
        return out

    def counts(self) -> Dict[str, int]:
        """Phones per status, and how many a reset would reach."""
        out = {"phones": len(self.phones), "current": 0, "stale": 0, "suspicious": 0, "unknown": 0, "none": 0}
        reach = 0
        for p in self.phones:
            out[p.status] += 1
            reach += p.reset_reaches is True
        out["reset_reaches"] = reach
        out["reset_misses"] = sum(1 for p in self.phones if p.reset_reaches is False)
        return out

    def to_dict(self) -> Dict[str, object]:
        """JSON-ready."""
        return {
            "itls": [i._asdict() for i in self.itls],
            "phones": [
                {
                    "device": p.device,
                    "sha1": p.sha1,
                    "status": p.status,
                    "server": p.itl.server if p.itl else None,
                    "itl": p.itl.path if p.itl else None,
                    "timestamp": p.itl.timestamp if p.itl else None,
                    "reset_reaches": p.reset_reaches,
                    "ctl_sha1": p.ctl_sha1,
                    "ctl_status": p.ctl_status,
                    "ctl": p.ctl.path if p.ctl else None,
                }
                for p in self.phones
            ],
            "ctls": [i._asdict() for i in self.ctls],
            "summary": self.counts(),
            "ctl_summary": self.ctl_counts(),
            "problems": self.problems,
        }


def carries_recovery(itl: _native.TrustList, recovery_certificate: bytes) -> bool:
    """Whether ``itl`` carries a SAST record holding the key of
    ``recovery_certificate`` (PEM or DER): matched by key, not by name, so
    that a record merely named ``ITLRECOVERY_…`` (a forgery, or one left
    from a regenerated recovery key) does not count."""
    itls, _ = _native.audit_itls([("itl", itl.to_bytes())], trusted=itl, recovery=recovery_certificate)
    return bool(itls[0]["recovery"])


def _read_folder(folder: StrPath) -> Tuple[List[Tuple[str, bytes]], List[Tuple[str, bytes]], List[str]]:
    """The ITLs and the CTLs under ``folder`` as ``(path, bytes)``, and the
    files that could not be read."""
    root = Path(folder)
    paths = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".tlv")
    problems: List[str] = []
    itls: List[Tuple[str, bytes]] = []
    ctls: List[Tuple[str, bytes]] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            tl = _native.TrustList.from_file(path)
        except (OSError, Error) as e:
            problems.append(f"{rel}: unreadable: {e}")
            continue
        (itls if tl.kind == "ITL" else ctls).append((rel, tl.to_bytes()))
    return itls, ctls, problems


def _audited(
    found: List[Tuple[str, bytes]],
    problems: List[str],
    recovery_certificate: Optional[bytes],
    trusted: Optional[_native.Trusted],
) -> List[KnownItl]:
    """The compiled audit's verdict on ``found`` (lists of one kind)."""
    if not found:
        return []
    audited, findings = _native.audit_itls(found, trusted=trusted, recovery=recovery_certificate)
    itls: List[KnownItl] = []
    for d in audited:
        status = str(d["status"])
        reason = d["reason"]
        if status == "invalid":
            problems.append(f"{d['path']}: does not verify: {reason}")
        elif status == "suspicious":
            problems.append(f"{d['path']}: suspicious, never current: {reason}")
        itls.append(
            KnownItl(
                path=str(d["path"]),
                sha1=str(d["sha1"]),
                server=str(d["server"]),
                filename=str(d["filename"]),
                timestamp=int(str(d["timestamp"])),
                current=status == "current",
                recovery=bool(d["recovery"]),
                verified=bool(d["verified"]),
                signer=str(d["signer"]),
                status=status,
                reason=None if reason is None else str(reason),
            )
        )
    problems.extend(findings)
    order = {"current": 0, "stale": 1, "suspicious": 2, "invalid": 3}
    itls.sort(key=lambda i: (order.get(i.status, 4), i.server, -i.timestamp, i.path))
    return itls


def load_itls(
    folder: StrPath,
    recovery_certificate: Optional[bytes] = None,
    workers: Optional[int] = None,
    trusted: Optional[_native.Trusted] = None,
) -> Tuple[List[KnownItl], List[str]]:
    """Reads every ``*.tlv`` under ``folder`` and tells the current ITL of
    each TFTP server from the stale, suspicious and invalid ones (see the
    module documentation). ``trusted``: what ties ITLs to their server (a
    ``TrustList``, trust list or certificate bytes, or a sequence of these);
    ``recovery_certificate``: the ITLRecovery certificate (PEM or DER).
    ``workers`` is accepted for compatibility and unused. Returns the ITLs
    and the problems met (files that do not parse are left out, CTLs are
    left out and named: :func:`load_lists` audits them too)."""
    del workers
    found, ctls, problems = _read_folder(folder)
    problems.extend(f"{rel}: a CTL, not an ITL: left out" for rel, _ in ctls)
    return _audited(found, problems, recovery_certificate, trusted), problems


def load_lists(
    folder: StrPath,
    recovery_certificate: Optional[bytes] = None,
    trusted: Optional[_native.Trusted] = None,
) -> Tuple[List[KnownItl], List[KnownItl], List[str]]:
    """Like :func:`load_itls`, and the CTLs of the folder audited by the same
    rules apart from the ITLs: ``(itls, ctls, problems)``."""
    found, ctls, problems = _read_folder(folder)
    itls = _audited(found, problems, recovery_certificate, trusted)
    return itls, _audited(ctls, problems, recovery_certificate, trusted), problems


def _normalise(sha1: str) -> str:
    return sha1.strip().lower().replace(":", "").replace(" ", "").replace("-", "")


def parse_phones(text: str) -> List[Tuple[str, str]]:
    """Phones from CSV text: ``(device name, normalised SHA-1)`` pairs. The
    lenient reader of comma-separated text kept for existing callers (the
    device column is the first naming a device or name, the hash column
    the ITL's, else the first naming a SHA, hash or signature that is not
    the CTL's; hashes are not checked); :func:`read_reports` is the strict
    one the audit uses."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        return []
    lower = [h.strip().lower() for h in header]
    device = next((i for i, h in enumerate(lower) if "device" in h or "name" in h), None)
    hashy = [i for i, h in enumerate(lower) if "sha" in h or "hash" in h or "signature" in h]
    # ITL_Signature, not CTL_Signature (exports list the CTL first).
    sha = next((i for i in hashy if "itl" in lower[i]), None)
    if sha is None:
        sha = next((i for i in hashy if "ctl" not in lower[i]), None)
    if device is None or sha is None:
        raise ValueError(
            f"the CSV needs a device name column and an ITL SHA-1 column (header: {', '.join(header)})"
        )
    width = max(device, sha) + 1
    return [(row[device].strip(), _normalise(row[sha])) for row in rows if len(row) >= width and row[device].strip()]


def read_reports(paths: Sequence[StrPath]) -> Tuple[List[PhoneReport], List[str]]:
    """The phones' reports from files (XML alarms, syslog or CSV; see the
    module documentation), the last report of each device counting, in the
    order devices first appear; and the rows or lines left out, as
    sentences naming the file and line. ``ValueError`` (naming the file)
    for a file that is no report; ``OSError`` for one that cannot be read."""
    latest: Dict[str, PhoneReport] = {}
    problems: List[str] = []
    for path in paths:
        # A regular file of at most MAX_REPORT_BYTES (a FIFO, /dev/zero: OSError at once).
        data = _native.read_file(path, _native.MAX_REPORT_BYTES)
        name = os.fspath(path)
        try:
            entries, found, _ = _native.parse_device_reports(data, latest=True)
        except Error as e:
            raise ValueError(f"{name}: {e}") from e
        problems.extend(f"{name}: {sentence}" for _, sentence in found)
        for entry in entries:
            itl = entry["itl_sha1"]
            ctl = entry["ctl_sha1"]
            device = str(entry["device"])
            latest[device.upper()] = PhoneReport(
                device=device,
                itl_sha1="" if itl is None else str(itl),
                ctl_sha1=(None if not entry["ctl_reported"] else "" if ctl is None else str(ctl)),
                itl_tftp_server=None if entry["itl_tftp_server"] is None else str(entry["itl_tftp_server"]),
                ctl_tftp_server=None if entry["ctl_tftp_server"] is None else str(entry["ctl_tftp_server"]),
                status_code=None if entry["status_code"] is None else str(entry["status_code"]),
                source=f"{name}:{entry['line']}",
            )
    return list(latest.values()), problems


def read_phones(path: StrPath) -> List[Tuple[str, str]]:
    """Phones from a report file (see :func:`read_reports`) as ``(device
    name, normalised SHA-1)`` pairs; ``ValueError`` naming the first row
    that cannot be read, if any."""
    reports, problems = read_reports([path])
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValueError(problems[0] + more)
    return [(r.device, r.itl_sha1) for r in reports]


def _classify(sha1: str, by_hash: Dict[str, KnownItl]) -> Tuple[str, Optional[KnownItl]]:
    known = by_hash.get(sha1)
    if known is not None:
        return (known.status if known.status in ("current", "stale") else "suspicious"), known
    return ("none" if not sha1 else "unknown"), None


def audit(
    itls: Sequence[KnownItl],
    phones: Iterable[Union[Tuple[str, str], PhoneReport]],
    problems: Optional[List[str]] = None,
    ctls: Optional[Sequence[KnownItl]] = None,
    report_problems: int = 0,
) -> AuditReport:
    """Classifies each phone by the hashes it reported: ``phones`` are
    ``(device, sha1)`` pairs or :class:`PhoneReport` (whose CTL hash is
    matched against ``ctls``). ``report_problems``: how many of
    ``problems`` are report rows left out."""
    by_hash = {i.sha1: i for i in itls}
    ctl_by_hash = {c.sha1: c for c in ctls or []}
    out: List[PhoneStatus] = []
    append = out.append
    for phone in phones:
        ctl_sha1: Optional[str] = None
        if isinstance(phone, PhoneReport):
            device, sha1, ctl_sha1 = phone.device, phone.itl_sha1, phone.ctl_sha1
        else:
            device, sha1 = phone
        known = by_hash.get(sha1)
        ctl_status: Optional[str] = None
        ctl: Optional[KnownItl] = None
        if ctl_sha1 is not None:
            ctl_status, ctl = _classify(ctl_sha1, ctl_by_hash)
        if known is not None:
            status = known.status if known.status in ("current", "stale") else "suspicious"
            append(PhoneStatus(device, sha1, status, known, known.recovery, ctl_sha1, ctl_status, ctl))
        elif not sha1:
            # No ITL: the reset ITL is trusted on first use.
            append(PhoneStatus(device, sha1, "none", None, True, ctl_sha1, ctl_status, ctl))
        else:
            append(PhoneStatus(device, sha1, "unknown", None, None, ctl_sha1, ctl_status, ctl))
    return AuditReport(list(itls), out, list(problems or []), list(ctls or []), report_problems)


def _when(timestamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


_REACH = {True: "yes", False: "NO", None: "?"}


def format_report(report: AuditReport, *, summary_only: bool = False, only: Optional[str] = None) -> str:
    """The report as text: the collected ITLs, each phone (unless
    ``summary_only``; only those of status ``only`` when given), a summary."""
    lines: List[str] = []
    servers = sorted({i.server for i in report.itls})
    lines.append(f"ITLs collected: {len(report.itls)} files from {len(servers)} TFTP servers")
    for i in report.itls:
        lines.append(
            f"  {i.status:10} {i.server:24} {_when(i.timestamp)}  "
            f"sha1 {i.sha1}  ITLRECOVERY: {'yes' if i.recovery else 'NO '}  {i.path}"
        )
    if report.ctls:
        lines.append(f"CTLs collected: {len(report.ctls)} files")
        for i in report.ctls:
            lines.append(f"  {i.status:10} {i.server:24} {_when(i.timestamp)}  sha1 {i.sha1}  {i.path}")
    for p in report.problems:
        lines.append(f"  problem: {p}")
    ctl = bool(report.ctls) or any(p.ctl_status is not None for p in report.phones)
    if not summary_only:
        lines.append("")
        lines.append(
            f"{'DEVICE':20} {'STATUS':10} {'TFTP SERVER':24} {'ITL TIMESTAMP':16}  RESET REACHES"
            + ("  CTL" if ctl else "")
        )
        rows = [
            f"{p.device:20} {p.status:10} {p.itl.server if p.itl else '-':24} "
            f"{_when(p.itl.timestamp) if p.itl else '-':16}  "
            + (f"{_REACH[p.reset_reaches]:13}  {p.ctl_status or '-'}" if ctl else _REACH[p.reset_reaches])
            for p in report.phones
            if only is None or p.status == only
        ]
        lines.extend(rows)
    c = report.counts()
    lines.append("")
    lines.append(
        f"Summary: {c['phones']} phones: {c['current']} current, {c['stale']} stale, "
        + (f"{c['suspicious']} on a suspicious ITL, " if c["suspicious"] else "")
        + f"{c['unknown']} unknown, {c['none']} without an ITL. "
        f"An ITLRecovery reset would reach {c['reset_reaches']}, miss {c['reset_misses']}"
        + (f", and {c['unknown']} cannot be told." if c["unknown"] else ".")
    )
    if ctl:
        t = report.ctl_counts()
        lines.append(
            f"CTL: {t['reported']} phones report their CTL: {t['current']} current, {t['stale']} stale, "
            + (f"{t['suspicious']} on a suspicious CTL, " if t["suspicious"] else "")
            + f"{t['unknown']} unknown, {t['none']} without a CTL."
        )
    if report.report_problems:
        n = report.report_problems
        lines.append(
            f"{n} report row or line could not be read (see the problems above); its phone is not counted."
            if n == 1
            else f"{n} report rows or lines could not be read (see the problems above); their phones are not counted."
        )
    return "\n".join(lines) + "\n"


def sample_fleet() -> Path:
    """The folder of the built-in sample fleet's ITLs: cluster
    ``cucm-1051-a``, two TFTP servers (``pub`` and ``sub1``), the
    publisher's ITL before 10.x (no ITLRECOVERY record), after 10.x, and
    now (12.x: signed by the ITLRecovery key, ``CallManager.pem``
    regenerated), and the subscriber's ITL."""
    return SAMPLE_DIR


def sample_phones(count: int = 14) -> List[Tuple[str, str]]:
    """The sample fleet's phones (``count`` of them, the mix repeated): on
    each current ITL, on the stale ones, one with an unknown hash, one
    without an ITL."""
    itls, _ = load_itls(SAMPLE_DIR)
    current = [i for i in itls if i.current]
    stale = [i for i in itls if not i.current]
    mix: List[str] = []
    for i in current:
        mix.extend([i.sha1] * 3)
    for i in stale:
        mix.extend([i.sha1] * 2)
    mix.append("5d41402abc4b2a76b9719d911017c592aaaabbbb")
    mix.append("")
    return [(f"SEP{0x0011215A1A00 + n:012X}", mix[n % len(mix)]) for n in range(count)]


def write_sample(folder: StrPath, count: int = 14) -> Tuple[Path, Path]:
    """Writes the sample fleet to ``folder`` (``itls/`` and ``phones.csv``)
    and returns both paths, to try the file-based audit on."""
    root = Path(folder)
    itl_dir = root / "itls"
    for src in SAMPLE_DIR.rglob("*.tlv"):
        dst = itl_dir / src.relative_to(SAMPLE_DIR)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
    csv_path = root / "phones.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Device Name", "ITL SHA1"])
        w.writerows((d, h.upper()) for d, h in sample_phones(count))
    return itl_dir, csv_path


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The audit's command-line arguments."""
    p.add_argument("itl_dir", nargs="?", metavar="ITL_DIR", help="folder of ITL files collected from the TFTP servers")
    p.add_argument(
        "reports",
        nargs="*",
        metavar="REPORT",
        help="what the phones reported (DeviceTLInfo): XML alarms, CUCM syslog, or a CSV export; "
        "several files: a device's last report counts",
    )
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT|LIST",
        help="repeatable: what ties ITLs to their TFTP server (its CallManager certificate, the ITL or CTL the phones hold); "
        "without it, each server's oldest ITL is trusted on first use",
    )
    p.add_argument("--recovery", metavar="CERT", help="the ITLRecovery certificate (PEM or DER), whose record is found by key")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--summary", action="store_true", help="no line per phone")
    p.add_argument(
        "--only", choices=["current", "stale", "suspicious", "unknown", "none"], help="list only phones of this status"
    )
    p.add_argument("--write-sample", metavar="DIR", help="write the sample fleet (itls/, phones.csv) to DIR and stop")


def run(args: argparse.Namespace) -> int:
    """Runs the audit for parsed arguments; returns the exit status: 0, 1
    when a collected ITL or CTL is suspicious or invalid (a file that does
    not verify, or whose signer is not tied to its server) or a report row
    could not be read, 2 when an input cannot be read."""
    if args.write_sample:
        itl_dir, csv_path = write_sample(args.write_sample)
        print(f"wrote {itl_dir} and {csv_path}; audit them with: itl audit {itl_dir} {csv_path}")
        return 0
    if (args.itl_dir is None) != (not args.reports):
        print("itl audit: give ITL_DIR and at least one REPORT, or neither (the built-in sample)", file=sys.stderr)
        return 2
    recovery: Optional[bytes] = None
    trusted: List[Union[_native.TrustList, bytes]] = []
    try:
        if args.recovery:
            data = _native.read_file(args.recovery, _native.MAX_KEY_FILE_BYTES)
            recovery = _native.certificate_der(data)
        for path in getattr(args, "trust", []):
            data = _native.read_file(path)
            try:
                trusted.append(_native.TrustList.from_bytes(data))
            except Error:
                try:
                    _native.certificate_der(data)
                except Error as e:
                    print(f"itl audit: {path}: neither a trust list nor a certificate: {e}", file=sys.stderr)
                    return 2
                trusted.append(data)
        phones: Sequence[Union[Tuple[str, str], PhoneReport]]
        bad_rows: List[str] = []
        if args.itl_dir is None:
            itls, ctls, problems = load_lists(SAMPLE_DIR, recovery, trusted=trusted or None)
            phones = sample_phones()
            if not args.json:
                print(f"(the built-in sample fleet: {SAMPLE_DIR})\n")
        else:
            if not Path(args.itl_dir).is_dir():
                print(f"itl audit: {args.itl_dir}: not a folder", file=sys.stderr)
                return 2
            itls, ctls, problems = load_lists(args.itl_dir, recovery, trusted=trusted or None)
            phones, bad_rows = read_reports(args.reports)
    except (OSError, ValueError, Error) as e:
        print(f"itl audit: {e}", file=sys.stderr)
        return 2
    report = audit(itls, phones, problems + bad_rows, ctls, len(bad_rows))
    if args.json:
        # No indentation: json's C encoder only runs without it (100,000
        # phones in a tenth of a second instead of two).
        sys.stdout.write(json.dumps(report.to_dict()))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report, summary_only=args.summary, only=args.only))
    return 1 if report.suspicious() or report.report_problems else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m cisco_itl.audit``: the same as ``itl audit``."""
    p = argparse.ArgumentParser(prog="itl audit", description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
