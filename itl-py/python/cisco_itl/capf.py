"""``itl capf``: the CAPF device store, for administrators.

``itl capf schedule --db FILE SEP<MAC> [--operation install|fetch|delete|none]
[--auth password|none|lsc|mic] [--password PIN | --password-file FILE]
[--key-size BITS | --curve
P-256|P-384|P-521]`` schedules what a phone gets at its next CAPF session;
``itl capf list --db FILE`` lists the devices with their pending operation
and the certificates issued to them; ``itl capf remove --db FILE SEP<MAC>``
forgets a device and its certificates. ``--json`` gives one document of
schema 1.

The store is the core's (``cisco_itl.CapfStore``, the file the CAPF server
reads): its rules decide what a device name, a key size and a password may
be. A device is named ``SEP`` and its MAC (12 hex digits; any MAC form such
as ``00:11:22:33:44:55`` becomes ``SEP001122334455``), or by another name
the store accepts.

Exit status: 0 done, 1 the device to remove is not in the store, 2 a bad
argument, or a file that is not a CAPF store (or cannot be opened).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from typing import List, Optional, Union

from . import _native
from .errors import Error

__all__ = ["add_arguments", "run", "device_name"]

OK, NOT_FOUND, FAILED = 0, 1, 2


_MAC = re.compile(
    r"[0-9A-Fa-f]{12}|[0-9A-Fa-f]{2}([:\-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
)


def device_name(text: str) -> str:
    """``SEP`` and 12 upper-case hex digits from a device name or a MAC in
    any of its forms; another name unchanged (the store judges it).
    ``ValueError`` for ``SEP`` followed by anything but a MAC."""
    t = text.strip()
    mac = t[3:] if t[:3].upper() == "SEP" else t
    if _MAC.fullmatch(mac):
        return "SEP" + re.sub(r"[:.\-]", "", mac).upper()
    if mac is not t:
        raise ValueError(f"{text!r} is not SEP followed by a MAC address (12 hex digits)")
    return t


def _key_text(key: str) -> str:
    if key.startswith("rsa-"):
        return f"an RSA key of {key[4:]} bits"
    return f"an EC key on {key}"


_AUTH_TEXT = {
    "password": "its password (PIN)",
    "none": "nothing (no authentication)",
    "lsc": "its current LSC",
    "mic": "its manufacturer-installed certificate (MIC)",
}

_SCHEDULED = {
    "install": "an installation is scheduled",
    "fetch": "a fetch of its last certificate is scheduled",
    "delete": "the deletion of its LSC is scheduled",
    "none": "nothing is scheduled",
}

_AUTH_SHORT = {
    "password": "password authentication",
    "none": "no authentication",
    "lsc": "authentication by its LSC",
    "mic": "authentication by its MIC",
}

_PENDING = {
    "install": "an installation pending",
    "fetch": "a fetch pending",
    "delete": "a deletion pending",
    "none": "nothing pending",
}


def _utc(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _device_json(device: _native.CapfDevice, certificates: List[_native.CapfCertificate]) -> dict[str, object]:
    return {
        "name": device.name,
        "operation": device.operation,
        "auth": device.auth,
        "key": device.key,
        "certificates": [
            {"serial": c.serial_hex, "not_after": c.not_after, "not_after_utc": _utc(c.not_after)} for c in certificates
        ],
    }


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``itl capf``."""
    sub = p.add_subparsers(
        dest="capf_command", metavar="ACTION", required=True, help="schedule, list or remove (itl capf ACTION --help)"
    )
    s = sub.add_parser(
        "schedule",
        help="schedule what a phone gets at its next CAPF session",
        description="Adds the device to the store, or replaces what was scheduled for it.",
        epilog="Exit status: 0 scheduled, 2 a bad name, key size, password or store file.",
    )
    s.add_argument("--db", required=True, metavar="FILE", help="the CAPF store (created when missing)")
    s.add_argument("device", metavar="SEP<MAC>", help="the device name, or its MAC")
    s.add_argument(
        "--operation",
        choices=["install", "fetch", "delete", "none"],
        default="install",
        help="install a new LSC (default), fetch the last one, delete it, or nothing",
    )
    s.add_argument(
        "--auth",
        choices=["password", "none", "lsc", "mic"],
        help="how the phone proves who it is (default: password with --password, else none)",
    )
    pin = s.add_mutually_exclusive_group()
    pin.add_argument(
        "--password",
        metavar="PIN",
        help="the password (PIN) of password authentication (other users can see it in the process list: "
        "prefer --password-file)",
    )
    pin.add_argument(
        "--password-file",
        metavar="FILE",
        help="read the PIN from the first line of FILE ('-': standard input)",
    )
    key = s.add_mutually_exclusive_group()
    key.add_argument("--key-size", type=int, metavar="BITS", help="an RSA key of BITS bits, 1024 to 4096 (default 2048)")
    key.add_argument("--curve", choices=["P-256", "P-384", "P-521"], help="an EC key on this curve")
    s.add_argument("--json", action="store_true", help='the device as JSON: {"schema": 1, ...} (default: text)')

    ls = sub.add_parser(
        "list",
        help="the devices of the store, their pending operation and issued certificates",
        epilog="Exit status: 0, 2 a file that is not a CAPF store.",
    )
    ls.add_argument("--db", required=True, metavar="FILE", help="the CAPF store")
    ls.add_argument("--json", action="store_true", help='the devices as JSON: {"schema": 1, ...} (default: text)')

    r = sub.add_parser(
        "remove",
        help="forget a device and the certificates issued to it",
        epilog="Exit status: 0 removed, 1 not in the store, 2 a file that is not a CAPF store.",
    )
    r.add_argument("--db", required=True, metavar="FILE", help="the CAPF store")
    r.add_argument("device", metavar="SEP<MAC>", help="the device name, or its MAC")
    r.add_argument("--json", action="store_true", help='the outcome as JSON: {"schema": 1, ...} (default: text)')


def _err(message: str) -> None:
    print(f"itl capf: {message}", file=sys.stderr)


def _open(path: str, create: bool) -> Optional[_native.CapfStore]:
    """The store, or ``None`` after saying why in one line."""
    if not create and not os.path.exists(path):
        _err(f"{path}: no such file")
        return None
    try:
        return _native.CapfStore(path)
    except (Error, OSError, ValueError) as e:
        message = " ".join(str(e).split())
        _err(message if message.startswith(path) else f"{path}: {message}")
        return None


def run(args: argparse.Namespace) -> int:
    """Runs ``itl capf``; returns the exit status."""
    try:
        if args.capf_command != "list":
            args.device = device_name(args.device)
    except ValueError as e:
        _err(str(e))
        return FAILED
    store = _open(args.db, create=args.capf_command == "schedule")
    if store is None:
        return FAILED
    try:
        if args.capf_command == "schedule":
            return _schedule(store, args)
        if args.capf_command == "list":
            return _list(store, args)
        return _remove(store, args)
    except (Error, ValueError, TypeError) as e:
        _err(" ".join(str(e).split()))
        return FAILED


#: The longest PIN file read.
MAX_PIN_FILE = 4096


def _pin_file(path: str) -> str:
    """The first line of ``path`` (``-``: standard input), at most
    ``MAX_PIN_FILE`` bytes; ``ValueError`` saying why it cannot be read."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_PIN_FILE + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(MAX_PIN_FILE + 1)
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror or e}") from None
    if len(data) > MAX_PIN_FILE:
        raise ValueError(f"{path}: more than {MAX_PIN_FILE} bytes, not a PIN file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the PIN is not UTF-8 text") from None
    # The first line, ended by LF or CRLF only (splitlines would also cut a
    # PIN at a form feed or a Unicode line separator).
    return text.split("\n", 1)[0].removesuffix("\r")


def _schedule(store: _native.CapfStore, args: argparse.Namespace) -> int:
    key: Union[str, int] = args.curve if args.curve is not None else (args.key_size if args.key_size is not None else 2048)
    password = _pin_file(args.password_file) if args.password_file is not None else args.password
    device = store.schedule(args.device, args.operation, auth=args.auth, password=password, key=key)
    if args.json:
        doc = {"schema": 1, "db": args.db, "device": _device_json(device, store.certificates(device.name))}
        print(json.dumps(doc, indent=2))
        return OK
    print(
        f"{device.name}: {_SCHEDULED[device.operation]}; the phone proves who it is by "
        f"{_AUTH_TEXT[device.auth]} and is asked for {_key_text(device.key)}."
    )
    return OK


def _list(store: _native.CapfStore, args: argparse.Namespace) -> int:
    devices = store.list()
    issued = {d.name: store.certificates(d.name) for d in devices}
    if args.json:
        doc = {"schema": 1, "db": args.db, "devices": [_device_json(d, issued[d.name]) for d in devices]}
        print(json.dumps(doc, indent=2))
        return OK
    if not devices:
        print(f"The store {args.db} holds no device.")
        return OK
    for d in devices:
        certs = issued[d.name]
        if certs:
            latest = max(c.not_after for c in certs)
            count = "1 certificate" if len(certs) == 1 else f"{len(certs)} certificates"
            held = f"{count} issued, the latest valid until {_utc(latest)}"
        else:
            held = "no certificate issued"
        print(f"{d.name}: {_PENDING[d.operation]}, {_AUTH_SHORT[d.auth]}, {_key_text(d.key)}; {held}.")
    print(f"{len(devices)} device{'s' if len(devices) != 1 else ''}.")
    return OK


def _remove(store: _native.CapfStore, args: argparse.Namespace) -> int:
    count = len(store.certificates(args.device))
    removed = store.remove(args.device)
    if args.json:
        doc = {"schema": 1, "db": args.db, "device": args.device, "removed": removed, "certificates_removed": count}
        print(json.dumps(doc, indent=2))
    elif removed:
        if count == 0:
            print(f"{args.device}: removed from the store (no certificate had been issued to it).")
        else:
            what = "the certificate" if count == 1 else f"the {count} certificates"
            print(f"{args.device}: removed from the store, with {what} issued to it.")
    else:
        _err(f"{args.db}: the store holds no device {args.device}; nothing was changed.")
    return OK if removed else NOT_FOUND
