"""Collecting the trust lists a cluster's TFTP servers serve.

``itl collect tftp HOST[:PORT]... [--mac MAC...] -o DIR`` asks each server,
as a phone does (TFTP read requests, RFC 1350, octet mode: the compiled
``tftp_read``), for ``ITLFile.tlv`` and ``CTLFile.tlv``, and for each
``--mac`` for ``ITLSEP<MAC>.tlv`` and ``CTLSEP<MAC>.tlv``, and writes what
it gets to ``DIR/<server>/<stamp>/`` where ``<server>`` is the host as
given (without the port) and ``<stamp>`` the UTC time of the collection,
``YYYY-MM-DDTHHMMSSZ``: the layout ``itl audit`` reads (keep older
collections beside newer ones) and the cluster simulator reads.

A file a server does not serve is said and skipped. A server that is
silent, too slow (``--deadline`` seconds for each file, 10 by default),
refuses, or sends malformed packets or more than ``MAX_LIST_BYTES`` is
named on standard error, its other files are not asked for, and the exit
status is 2; the other servers are still asked.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from . import _native
from .errors import Error

__all__ = ["add_arguments", "run", "parse_server", "parse_mac", "files_for", "stamp", "collect_server"]


def parse_server(text: str) -> Tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address: the
    host and the port (69 by default). ``ValueError`` when malformed."""
    t = text.strip()
    port: Optional[str] = None
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?", t)
    if m:
        host, port = m.group(1), m.group(2)
    elif t.count(":") > 1:
        ipaddress.IPv6Address(t)
        host = t
    else:
        host, _, rest = t.partition(":")
        port = rest or None
    if not host or not re.fullmatch(r"[A-Za-z0-9._:-]+", host) or (port is not None and not port.isdigit()):
        raise ValueError(f"{text!r} is not a TFTP server (HOST or HOST:PORT)")
    n = 69 if port is None else int(port)
    if not 1 <= n <= 65535:
        raise ValueError(f"{text!r}: the port must be 1 to 65535")
    return host, n


def parse_mac(text: str) -> str:
    """A MAC as ``001122334455`` (upper case) from ``00:11:22:33:44:55``,
    ``0011.2233.4455``, ``00-11-…`` or ``SEP001122334455``. ``ValueError``
    otherwise."""
    t = text.strip().upper()
    t = t[3:] if t.startswith("SEP") else t
    digits = re.sub(r"[:.\-]", "", t)
    if not re.fullmatch(r"[0-9A-F]{12}", digits):
        raise ValueError(f"{text!r} is not a MAC address (12 hex digits)")
    return digits


def files_for(macs: Sequence[str]) -> List[str]:
    """The files asked of each server."""
    out = ["ITLFile.tlv", "CTLFile.tlv"]
    for mac in macs:
        out += [f"ITLSEP{mac}.tlv", f"CTLSEP{mac}.tlv"]
    return out


def stamp(when: Optional[float] = None) -> str:
    """The collection's folder name: UTC ``YYYY-MM-DDTHHMMSSZ``."""
    return time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime(time.time() if when is None else when))


def collect_server(
    host: str, port: int, files: Sequence[str], folder: Path, deadline: float
) -> Tuple[List[str], Optional[str]]:
    """Asks ``host`` for ``files`` and writes each one served to
    ``folder``. Returns the lines to print and, when the server failed,
    why."""
    lines: List[str] = []
    name = host if port == 69 else f"{host}:{port}"
    for file in files:
        try:
            data = _native.tftp_read(host, port, file, deadline=deadline, packet_timeout=min(1.0, deadline))
        except FileNotFoundError:
            lines.append(f"{name}: {file}: not served")
            continue
        except (OSError, ValueError) as e:
            return lines, f"{name}: {e}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file).write_bytes(data)
        try:
            tl = _native.TrustList.from_bytes(data)
            what = f"{tl.kind}, sha1 {tl.sha1}"
        except Error as e:
            what = f"not a trust list: {e}"
        lines.append(f"{name}: {file}: {len(data)} bytes ({what}) -> {folder / file}")
    return lines, None


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``itl collect``."""
    p.add_argument("source", choices=["tftp"], help="where from: tftp (the cluster's TFTP servers)")
    p.add_argument("servers", nargs="+", metavar="HOST[:PORT]", help="TFTP servers (port 69 by default)")
    p.add_argument(
        "--mac",
        action="append",
        default=[],
        metavar="MAC",
        help="repeatable: also ask for ITLSEP<MAC>.tlv and CTLSEP<MAC>.tlv",
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="write to DIR/<server>/<UTC stamp>/")
    p.add_argument(
        "--deadline",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="the longest one file's transfer may take (default 10)",
    )


def run(args: argparse.Namespace) -> int:
    """Runs ``itl collect``: 0 when every server answered, 2 when one did
    not (or an argument is wrong)."""
    try:
        servers = [parse_server(s) for s in args.servers]
        macs = [parse_mac(m) for m in args.mac]
    except ValueError as e:
        print(f"itl collect: {e}", file=sys.stderr)
        return 2
    if not 0 < args.deadline <= 3600:
        print("itl collect: --deadline must be more than 0 and at most 3600 seconds", file=sys.stderr)
        return 2
    hosts = [h for h, _ in servers]
    if len(set(hosts)) != len(hosts):
        print("itl collect: give each server once (its folder is named by its host)", file=sys.stderr)
        return 2
    files = files_for(macs)
    when = stamp()
    failed = 0
    for host, port in servers:
        lines, failure = collect_server(host, port, files, Path(args.output) / host / when, args.deadline)
        for line in lines:
            print(line)
        sys.stdout.flush()
        if failure is not None:
            failed += 1
            print(f"itl collect: {failure}", file=sys.stderr)
    return 2 if failed else 0
