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

The CSV: a header row, then one phone per row. The device name column is
the first whose header contains ``device`` or ``name``; the hash column
the first whose header contains ``sha1``, ``hash`` or ``signature``. Other
columns are ignored. Hashes may be upper or lower case, with or without
``:`` separators; an empty hash means the phone holds no ITL.

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
    "PhoneStatus",
    "AuditReport",
    "load_itls",
    "read_phones",
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


class AuditReport(NamedTuple):
    """The audit of a fleet."""

    itls: List[KnownItl]
    """The collected ITLs, current first."""
    phones: List[PhoneStatus]
    """Every phone, in the CSV's order."""
    problems: List[str]
    """Files that could not be read, parsed or verified, files whose signer
    is not tied to their server, and other findings, as sentences."""

    def suspicious(self) -> List[KnownItl]:
        """The collected ITLs that are suspicious or invalid."""
        return [i for i in self.itls if i.status in ("suspicious", "invalid")]

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
                }
                for p in self.phones
            ],
            "summary": self.counts(),
            "problems": self.problems,
        }


def carries_recovery(itl: _native.TrustList, recovery_certificate: bytes) -> bool:
    """Whether ``itl`` carries a SAST record holding the key of
    ``recovery_certificate`` (PEM or DER): matched by key, not by name, so
    that a record merely named ``ITLRECOVERY_…`` (a forgery, or one left
    from a regenerated recovery key) does not count."""
    itls, _ = _native.audit_itls([("itl", itl.to_bytes())], trusted=itl, recovery=recovery_certificate)
    return bool(itls[0]["recovery"])


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
    and the problems met (files that do not parse are left out)."""
    del workers
    root = Path(folder)
    paths = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".tlv")
    problems: List[str] = []
    found: List[Tuple[str, bytes]] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            itl = _native.TrustList.from_file(path)
        except (OSError, Error) as e:
            problems.append(f"{rel}: unreadable: {e}")
            continue
        if itl.kind != "ITL":
            problems.append(f"{rel}: a {itl.kind}, not an ITL: left out")
            continue
        found.append((rel, itl.to_bytes()))
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
    return itls, problems


def _normalise(sha1: str) -> str:
    return sha1.strip().lower().replace(":", "").replace(" ", "").replace("-", "")


def parse_phones(text: str) -> List[Tuple[str, str]]:
    """Phones from CSV text: ``(device name, normalised SHA-1)`` pairs
    (see the module documentation for the columns)."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        return []
    lower = [h.strip().lower() for h in header]
    device = next((i for i, h in enumerate(lower) if "device" in h or "name" in h), None)
    sha = next((i for i, h in enumerate(lower) if "sha1" in h or "hash" in h or "signature" in h), None)
    if device is None or sha is None:
        raise ValueError(
            f"the CSV needs a device name column and an ITL SHA-1 column (header: {', '.join(header)})"
        )
    width = max(device, sha) + 1
    return [(row[device].strip(), _normalise(row[sha])) for row in rows if len(row) >= width and row[device].strip()]


def read_phones(path: StrPath) -> List[Tuple[str, str]]:
    """Phones from a CSV file (see :func:`parse_phones`)."""
    # A regular file of at most MAX_REPORT_BYTES (a FIFO, /dev/zero: OSError at once).
    return parse_phones(_native.read_file(path, _native.MAX_REPORT_BYTES).decode("utf-8-sig"))


def audit(itls: Sequence[KnownItl], phones: Iterable[Tuple[str, str]], problems: Optional[List[str]] = None) -> AuditReport:
    """Classifies each phone by the hash it reported."""
    by_hash = {i.sha1: i for i in itls}
    out: List[PhoneStatus] = []
    append = out.append
    for device, sha1 in phones:
        known = by_hash.get(sha1)
        if known is not None:
            status = known.status if known.status in ("current", "stale") else "suspicious"
            append(PhoneStatus(device, sha1, status, known, known.recovery))
        elif not sha1:
            # No ITL: the reset ITL is trusted on first use.
            append(PhoneStatus(device, sha1, "none", None, True))
        else:
            append(PhoneStatus(device, sha1, "unknown", None, None))
    return AuditReport(list(itls), out, list(problems or []))


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
    for p in report.problems:
        lines.append(f"  problem: {p}")
    if not summary_only:
        lines.append("")
        lines.append(f"{'DEVICE':20} {'STATUS':10} {'TFTP SERVER':24} {'ITL TIMESTAMP':16}  RESET REACHES")
        rows = [
            f"{p.device:20} {p.status:10} {p.itl.server if p.itl else '-':24} "
            f"{_when(p.itl.timestamp) if p.itl else '-':16}  {_REACH[p.reset_reaches]}"
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
    p.add_argument("phones", nargs="?", metavar="PHONES_CSV", help="CSV of phones and the ITL SHA-1 each reported")
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
    when a collected ITL is suspicious or invalid (a file that does not
    verify, or whose signer is not tied to its server), 2 when an input
    cannot be read."""
    if args.write_sample:
        itl_dir, csv_path = write_sample(args.write_sample)
        print(f"wrote {itl_dir} and {csv_path}; audit them with: itl audit {itl_dir} {csv_path}")
        return 0
    if (args.itl_dir is None) != (args.phones is None):
        print("itl audit: give both ITL_DIR and PHONES_CSV, or neither (the built-in sample)", file=sys.stderr)
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
        if args.itl_dir is None:
            itls, problems = load_itls(SAMPLE_DIR, recovery, trusted=trusted or None)
            phones = sample_phones()
            if not args.json:
                print(f"(the built-in sample fleet: {SAMPLE_DIR})\n")
        else:
            if not Path(args.itl_dir).is_dir():
                print(f"itl audit: {args.itl_dir}: not a folder", file=sys.stderr)
                return 2
            itls, problems = load_itls(args.itl_dir, recovery, trusted=trusted or None)
            phones = read_phones(args.phones)
    except (OSError, ValueError, Error) as e:
        print(f"itl audit: {e}", file=sys.stderr)
        return 2
    report = audit(itls, phones, problems)
    if args.json:
        # No indentation: json's C encoder only runs without it (100,000
        # phones in a tenth of a second instead of two).
        sys.stdout.write(json.dumps(report.to_dict()))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report, summary_only=args.summary, only=args.only))
    return 1 if report.suspicious() else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m cisco_itl.audit``: the same as ``itl audit``."""
    p = argparse.ArgumentParser(prog="itl audit", description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
