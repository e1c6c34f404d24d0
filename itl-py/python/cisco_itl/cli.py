"""The ``itl`` command: show, verify, build, sign, strip, reset and audit
Cisco trust lists and signed files; encrypt and decrypt phone
configurations (``encrypt``, ``decrypt``); simulate a cluster (``whatif``)
and plan a safe order of operations (``plan``); administer the CAPF device
store (``capf schedule|list|remove``).

Exit status: 0 when everything asked for succeeded (shown files verified,
verified files verified), 1 when a file was read but not verified (or a
signed file, which carries no certificate to verify it with, was shown),
2 when a file could not be read or parsed, or the command line is wrong.
"""

from __future__ import annotations

import argparse
import csv
import errno
import getpass
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Iterator, List, Optional, Sequence, Tuple, Union

from . import _native
from .errors import CredentialError, DecryptError, Error, ParseError, PolicyError, VerificationError

__all__ = ["main", "Progress"]

OK, NOT_VERIFIED, UNREADABLE = 0, 1, 2


class Progress:
    """A one-line progress report on stderr, shown only when stderr is a
    terminal and there is more than one item; otherwise silent."""

    def __init__(self, total: int, label: str, stream: Optional[IO[str]] = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = total > 1 and _isatty(self.stream)
        self.done = 0
        self._last = 0.0

    def advance(self, count: int = 1) -> None:
        """Counts ``count`` more items done and redraws at most 20 times a second."""
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._last >= 0.05 or self.done >= self.total):
            self._last = now
            width = 30
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        """Clears the line."""
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 60) + "\r")
            self.stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _err(message: str) -> None:
    print(f"itl: {message}", file=sys.stderr)


def _read(path: str, limit: int = _native.MAX_LIST_BYTES) -> bytes:
    """A regular file of at most ``limit`` bytes (``-``: stdin); ``OSError``
    at once for a folder, a FIFO, a device or a larger file."""
    if path == "-":
        # In pieces: read(limit + 1) would allocate the whole limit first.
        data = bytearray()
        while len(data) <= limit:
            piece = sys.stdin.buffer.read(min(1 << 20, limit + 1 - len(data)))
            if not piece:
                return bytes(data)
            data += piece
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", "-")
    return _native.read_file(path, limit)


def _read_key(path: str) -> bytes:
    return _read(path, _native.MAX_KEY_FILE_BYTES)


def _write(path: str, data: bytes) -> None:
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(path).write_bytes(data)


def _error_fields(error: Optional[BaseException]) -> dict[str, object]:
    if error is None:
        return {"error": None, "error_type": None, "offset": None}
    # A file not read: its reason alone ("not a regular file (a FIFO)"),
    # the path being the result's own.
    message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return {
        "error": message,
        "error_type": type(error).__name__,
        "offset": getattr(error, "offset", None),
    }


def _status_of(error: Optional[BaseException]) -> str:
    if error is None:
        return "verified"
    if isinstance(error, (ParseError, OSError)):
        return "unreadable"
    return "not-verified"


def _exit_of(statuses: Sequence[str]) -> int:
    if "unreadable" in statuses:
        return UNREADABLE
    if "not-verified" in statuses:
        return NOT_VERIFIED
    return OK


class _Blamed(Exception):
    """A file given on the command line that is not what its option needs:
    ``itl: PATH: reason`` and exit 2."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _load_trusted(paths: Sequence[str]) -> List[Union[_native.TrustList, bytes]]:
    """Each ``--trust`` file: a trust list when it parses as one, else a
    certificate (PEM or DER). ``_Blamed`` names the trust file that is
    neither (and ``OSError`` one that cannot be read)."""
    trusted: List[Union[_native.TrustList, bytes]] = []
    for p in paths:
        data = _read(p)
        try:
            trusted.append(_native.TrustList.from_bytes(data))
            continue
        except ParseError as list_error:
            try:
                _native.certificate_der(data)
            except Error as e:
                # A list broken past its first bytes says where; garbage does not.
                as_list = f" (as a trust list: {list_error})" if list_error.offset else ""
                raise _Blamed(p, f"neither a trust list nor a certificate: {e}{as_list}") from None
        trusted.append(data)
    return trusted


# ---------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    """``itl show FILE``: what CUCM's ``show itl`` prints; the reason on
    stderr whenever the verdict is not "verified"."""
    try:
        data = _read(args.file, args.max_bytes)
    except OSError as e:
        _err(f"{args.file}: {e.strerror or e}")
        return UNREADABLE
    # The text is written as it is made; for JSON only the outcome is needed.
    shown = _native.show(data, kind=args.kind, text=False) if args.json else _native.show(data, kind=args.kind, out=sys.stdout)
    status = {
        "verified": OK,
        "not-verified": NOT_VERIFIED,
        "signed-file": NOT_VERIFIED,
        "malformed": UNREADABLE,
    }[shown.outcome]
    if args.json:
        _show_json(sys.stdout, args.file, data, shown)
    elif args.details:
        _show_details(sys.stdout, data)
    if shown.outcome == "malformed":
        _err(f"{args.file}: malformed: {shown.error}")
    elif shown.outcome == "not-verified":
        _err(f"{args.file}: not verified: {shown.error}")
    elif shown.outcome == "signed-file":
        _err(f"{args.file}: not verified: a signed file carries no certificate (itl verify --trust LIST checks it)")
    return status


def _show_details(out: IO[str], data: bytes) -> None:
    """``show --details``: after CUCM's text, the TIMESTAMP as a date and
    each record's certificate validity and key."""
    try:
        parsed = _native.parse_file(data)
    except ParseError:
        return
    head = parsed.to_dict(records=False) if isinstance(parsed, _native.TrustList) else parsed.to_dict()
    out.write("\nDetails\n")
    out.write(f"Timestamp: {head['timestamp_utc']} ({head['timestamp']})\n")
    if not isinstance(parsed, _native.TrustList):
        return
    for i, rec in enumerate(parsed.record_dicts(), start=1):
        functions = rec["functions"]
        roles = "+".join(str(f) for f in functions) if isinstance(functions, list) else ""
        if rec["not_after"] is None:
            cert = "no certificate in the list (CERTHASH only)"
        else:
            cert = f"{rec['key_algorithm']} {rec['key_bits']}-bit key, valid from {rec['not_before']} to {rec['not_after']}"
        out.write(f"Record {i} ({roles}): {rec['subject']}: {cert}\n")


_RECORDS = object()
"""Where the records go in ``show --json``'s document."""


def _show_json(out: IO[str], path: str, data: bytes, shown: _native.Shown) -> None:
    """Writes ``show --json``'s document, record by record: the text of
    ``json.dumps(doc, indent=2)``, without ever holding every record's
    dict (a 16 MiB list of small records made 3.4 GB of them)."""
    doc: dict[str, object] = {"schema": VERIFY_SCHEMA, "path": path, "outcome": shown.outcome, "error": shown.error}
    records: Optional[Iterator[dict[str, object]]] = None
    try:
        parsed = _native.parse_file(data)
        if not isinstance(parsed, _native.TrustList):
            doc.update(parsed.to_dict())
        else:
            listed = parsed
            doc.update(listed.to_dict(records=False))
            doc["records"] = _RECORDS
            records = listed.record_dicts()
    except ParseError as e:
        doc.update(_error_fields(e))
    doc["verified"] = shown.outcome == "verified"
    out.write("{")
    for i, (key, value) in enumerate(doc.items()):
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(key) + ": ")
        if value is _RECORDS and records is not None:
            _write_records(out, records)
        else:
            out.write(json.dumps(value, indent=2).replace("\n", "\n  "))
    out.write("\n}\n" if doc else "}\n")


def _write_records(out: IO[str], records: Iterator[dict[str, object]]) -> None:
    """A JSON array at the second level of indentation, one item at a time."""
    first = True
    for record in records:
        out.write("[\n    " if first else ",\n    ")
        out.write(json.dumps(record, indent=2).replace("\n", "\n    "))
        first = False
    out.write("[]" if first else "\n  ]")


# ---------------------------------------------------------------- verify


VERIFY_SCHEMA = 1
"""The version of ``verify --json``'s document (and of ``show --json``'s)."""


def _verify_results(
    paths: Sequence[str],
    trusted: List[Union[_native.TrustList, bytes]],
    strict: bool,
    workers: Optional[int],
) -> Iterator[dict[str, object]]:
    """One result per path, in order, the same fields whatever the number
    of files: each file is what ``parse_file`` says it is (a broken list is
    a broken list, never retried as a signed file); the trust lists of a
    chunk are verified together on ``workers`` threads."""
    progress = Progress(len(paths), "verifying")
    chunk = 256
    try:
        for start in range(0, len(paths), chunk):
            part = paths[start : start + chunk]
            results: List[dict[str, object]] = []
            lists: List[Tuple[dict[str, object], bytes]] = []
            for path in part:
                r: dict[str, object] = {
                    "path": path,
                    "kind": None,
                    "status": None,
                    "signer": None,
                    "signer_record": None,
                    "digest": None,
                    "key_bits": None,
                    **_error_fields(None),
                }
                results.append(r)
                try:
                    data = _read(path)
                    parsed = _native.parse_file(data)
                except (OSError, ParseError) as e:
                    r.update(status="unreadable", **_error_fields(e))
                    continue
                r["signer"] = parsed.signer_name
                if isinstance(parsed, _native.TrustList):
                    r["kind"] = parsed.kind
                    lists.append((r, data))
                    continue
                r["kind"] = "ENC" if isinstance(parsed, _native.EncryptedFile) else "SGN"
                if not trusted:
                    r.update(
                        status="not-verified",
                        error="a signed file carries no certificate: pass --trust with the ITL, CTL or "
                        "certificate of its signer",
                        error_type="VerificationError",
                    )
                    continue
                try:
                    v = parsed.verify_with(trusted, strict=strict)
                except Error as e:
                    r.update(status=_status_of(e), **_error_fields(e))
                    continue
                r.update(status="verified", digest=v.digest, key_bits=v.key_bits)
            if lists:
                outcomes = _native.verify_many(
                    [d for _, d in lists], trusted=trusted or None, workers=workers, strict=strict
                )
                for (r, _), o in zip(lists, outcomes):
                    r.update(
                        status="verified" if o.ok else _status_of(o.error),
                        signer_record=None if o.signer_index is None else o.signer_index + 1,
                        digest=o.digest,
                        key_bits=o.key_bits,
                        **_error_fields(o.error),
                    )
            yield from results
            progress.advance(len(part))
    finally:
        progress.close()


def cmd_verify(args: argparse.Namespace) -> int:
    """``itl verify FILE…``: verifies trust lists (against their own
    signing record, or ``--trust``), signed files and encrypted
    configurations (``--trust``), one file or many alike."""
    trusted = _load_trusted(args.trust)
    results = list(_verify_results(args.files, trusted, args.strict, args.workers))
    if args.json:
        print(json.dumps({"schema": VERIFY_SCHEMA, "files": results}, indent=2))
    else:
        for r in results:
            if r["status"] == "verified":
                by = f"record {r['signer_record']}" if r["signer_record"] is not None else "a trusted key"
                print(f"{r['path']}: verified ({r['kind']}, signed by {by}, {r['digest']}, {r['key_bits']}-bit key)")
            elif r["status"] == "not-verified":
                print(f"{r['path']}: NOT verified: {r['error']}")
            else:
                where = f" (at byte offset {r['offset']})" if r["offset"] is not None and "offset" not in str(r["error"]) else ""
                print(f"{r['path']}: unreadable: {r['error']}{where}")
    return _exit_of([str(r["status"]) for r in results])


# ---------------------------------------------------------------- build


def cmd_build(args: argparse.Namespace) -> int:
    """``itl build``: a new ITL or CTL from certificates, signed."""
    builder = _native.TrustListBuilder(
        args.kind,
        filename=args.filename,
        timestamp=args.timestamp,
        digest=args.digest,
        layout=args.layout,
    )
    for spec in args.cert:
        path, sep, roles = spec.rpartition(":")
        if not sep or not path or not roles:
            _err(f"--cert {spec!r}: expected CERT.pem:ROLE[,ROLE…], such as callmanager.pem:SAST,TFTP")
            return UNREADABLE
        try:
            builder.add(_read_key(path), *[r.strip() for r in roles.split(",") if r.strip()])
        except OSError as e:
            _err(f"{path}: {e.strerror or e}")
            return UNREADABLE
        except (Error, ValueError) as e:
            _err(f"{path}: {e}")
            return UNREADABLE
    try:
        key = _read_key(args.sign)
        cert = _read_key(args.sign_cert) if args.sign_cert else None
        data = builder.sign(key, cert)
    except OSError as e:
        _err(f"{e.filename}: {e.strerror or e}")
        return UNREADABLE
    except Error as e:
        _err(str(e))
        return UNREADABLE
    _write(args.output, data)
    if args.output != "-":
        print(f"wrote {args.output}: {builder.kind} of {len(builder)} records, {len(data)} bytes", file=sys.stderr)
    return OK


# ---------------------------------------------------------------- sign / strip


def cmd_sign(args: argparse.Namespace) -> int:
    """``itl sign FILE``: a signed file (``.sgn``) of FILE's bytes."""
    output = args.output or args.file + ".sgn"
    filename = args.filename or (os.path.basename(output) if output != "-" else os.path.basename(args.file) + ".sgn")
    try:
        payload = _read(args.file)
        key = _read_key(args.key)
        cert = _read_key(args.cert) if args.cert else None
        data = _native.sign_file(payload, filename, key, args.digest, certificate=cert, timestamp=args.timestamp)
    except OSError as e:
        _err(f"{e.filename}: {e.strerror or e}")
        return UNREADABLE
    except Error as e:
        _err(str(e))
        return UNREADABLE
    _write(output, data)
    if output != "-":
        print(f"wrote {output}: signed as {filename}, {len(data)} bytes", file=sys.stderr)
    return OK


def _what(parsed: Union[_native.TrustList, _native.SignedFile, _native.EncryptedFile]) -> str:
    """What a parsed file is, for a sentence: "a trust list (CTL)"…"""
    if isinstance(parsed, _native.TrustList):
        return f"a trust list ({parsed.kind})"
    if isinstance(parsed, _native.EncryptedFile):
        return "an encrypted configuration (.enc.sgn)"
    return "a signed file (.sgn)"


def cmd_strip(args: argparse.Namespace) -> int:
    """``itl strip FILE.sgn``: the payload of a signed file."""
    try:
        sgn = _native.parse_file(_read(args.file))
    except OSError as e:
        _err(f"{args.file}: {e.strerror or e}")
        return UNREADABLE
    except ParseError as e:
        _err(f"{args.file}: {e}")
        return UNREADABLE
    if not isinstance(sgn, _native.SignedFile):
        hint = " (itl decrypt opens it)" if isinstance(sgn, _native.EncryptedFile) else ""
        _err(f"{args.file}: {_what(sgn)}, not a signed file (.sgn): nothing to strip{hint}")
        return UNREADABLE
    output = args.output
    if output is None:
        output = args.file[: -len(".sgn")] if args.file.lower().endswith(".sgn") else args.file + ".payload"
    _write(output, sgn.payload)
    if output != "-":
        print(f"wrote {output}: {len(sgn.payload)} bytes (signed as {sgn.filename})", file=sys.stderr)
    return OK


# ---------------------------------------------------------------- encrypt / decrypt

_ENC_SUFFIX = ".cnf.xml.enc.sgn"


def _write_atomic(path: str, data: bytes, private: bool) -> None:
    """Writes ``path`` whole or not at all (``-``: stdout); see ``_write_all``."""
    if path == "-":
        _write(path, data)
        return
    _write_all([(path, data)], private)


def _write_all(files: Sequence[Tuple[str, bytes]], private: bool) -> None:
    """Writes every file whole or none of them: each to a temporary file in
    its folder, flushed to disk, and only once all are written renamed over
    their names. ``private`` keeps them readable by their owner only (a
    decrypted configuration); otherwise they get the usual permissions. An
    ``OSError`` names the file asked for, never the temporary one."""
    staged: List[Tuple[str, str]] = []
    try:
        for path, data in files:
            try:
                fd, tmp = tempfile.mkstemp(
                    dir=os.path.dirname(os.path.abspath(path)), prefix="." + os.path.basename(path) + ".", suffix=".tmp"
                )
            except OSError as e:
                raise OSError(e.errno, e.strerror, path) from None
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if not private:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as e:
                raise OSError(e.errno, e.strerror, path) from None
    finally:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _device_of_output(output: str) -> Optional[str]:
    """``SEP<MAC>`` of an output named ``SEP<MAC>.cnf.xml.enc.sgn`` (any case)."""
    base = os.path.basename(output)
    if base.lower().endswith(_ENC_SUFFIX):
        return base[: -len(_ENC_SUFFIX)]
    return None


def cmd_encrypt(args: argparse.Namespace) -> int:
    """``itl encrypt CNF.xml --cert PHONE.pem --sign TFTP.pem -o SEP<MAC>.cnf.xml.enc.sgn``:
    the configuration encrypted for one phone and signed; with ``--companion``
    also the signed ``SEP<MAC>.cnf.xml.sgn`` that tells the phone to fetch it.
    Nothing is written unless everything was made."""
    named = _device_of_output(args.output) if args.output != "-" else None
    device = args.device or named
    if device is None:
        _err(f"{args.output}: the output is not named SEP<MAC>{_ENC_SUFFIX}: pass --device SEP<MAC>")
        return UNREADABLE
    if args.device and named and named.upper() != args.device.upper():
        _err(f"{args.output}: the output names {named}, but --device is {args.device}")
        return UNREADABLE
    try:
        xml = _read(args.file)
        phone = _read_key(args.cert)
        key = _read_key(args.sign)
        cert = _read_key(args.sign_cert) if args.sign_cert else None
    except OSError as e:
        _err(_os_message(e, args))
        return UNREADABLE
    try:
        _native.certificate_der(phone)
    except Error as e:
        _err(f"{args.cert}: not a certificate: {e}")
        return UNREADABLE
    try:
        data = _native.encrypt_config(
            device, xml, phone, key, args.digest, args.timestamp, tftp_certificate=cert
        )
        companion = (
            _native.Companion(
                load_information=args.load_information,
                capf_auth_mode=args.capf_auth_mode,
                capf_nodes=args.capf_node,
            ).sign(device, phone, key, args.digest, args.timestamp, tftp_certificate=cert)
            if args.companion
            else None
        )
    except CredentialError as e:
        _err(f"{_credential_path(e, args)}: {e}")
        return UNREADABLE
    except Error as e:
        _err(f"{args.output}: not encrypted: {e}")
        return UNREADABLE
    if args.output == "-":
        if companion is not None:
            _write_all([(args.companion, companion)], private=False)
        _write(args.output, data)
    else:
        _write_all([(args.output, data)] + ([(args.companion, companion)] if companion is not None else []), False)
        print(
            f"wrote {args.output}: encrypted for {device}, signed as {device}{_ENC_SUFFIX} ({args.digest}), "
            f"{len(data)} bytes",
            file=sys.stderr,
        )
    if companion is not None:
        print(f"wrote {args.companion}: signed as {device}.cnf.xml.sgn ({args.digest}), {len(companion)} bytes", file=sys.stderr)
    return OK


def _credential_path(e: CredentialError, args: argparse.Namespace) -> str:
    """Which file of ``encrypt`` a credential error is about."""
    text = str(e)
    if "file is for" in text or "phone certificate" in text:
        return str(args.cert)
    return str(args.sign)


def cmd_decrypt(args: argparse.Namespace) -> int:
    """``itl decrypt FILE.enc.sgn --key PHONE.pem --trust CERT|LIST``: the
    configuration, once the signature verifies against ``--trust`` and the
    phone's key opens it. Exit 0 decrypted, 1 refused, 2 unreadable or bad
    arguments; nothing is written unless it exits 0."""
    output = args.output
    if output is None:
        base = args.file[: -len(".enc.sgn")] if args.file.lower().endswith(".enc.sgn") else args.file + ".xml"
        output = base if base != args.file else args.file + ".xml"
    try:
        data = _read(args.file)
        key = _read_key(args.key)
        cert = _read_key(args.cert) if args.cert else None
        trusted = _load_trusted(args.trust)
    except OSError as e:
        _err(_os_message(e, args))
        return UNREADABLE
    try:
        enc = _native.EncryptedFile.from_bytes(data)
    except ParseError as e:
        _err(f"{args.file}: not an encrypted configuration: {e}")
        return UNREADABLE
    try:
        plain = enc.decrypt(key, trusted, certificate=cert, strict=args.strict)
    except CredentialError as e:
        unusable = re.match(r"trusted certificate (\d+) is unusable", str(e))
        if unusable and int(unusable.group(1)) < len(args.trust):
            _err(f"{args.trust[int(unusable.group(1))]}: {e}")
        else:
            _err(f"{args.cert or args.key}: {e}")
        return UNREADABLE
    except (VerificationError, PolicyError) as e:
        _err(f"{args.file}: not decrypted: {e}")
        return NOT_VERIFIED
    except DecryptError as e:
        _err(f"{args.file}: not decrypted: {e}")
        return NOT_VERIFIED
    _write_atomic(output, plain, private=True)
    if output != "-":
        print(f"wrote {output}: {len(plain)} bytes decrypted for {enc.device}", file=sys.stderr)
    return OK


# ---------------------------------------------------------------- reset


def _password(args: argparse.Namespace) -> Optional[str]:
    if args.password_file:
        text = _read(args.password_file, _native.MAX_KEY_FILE_BYTES).decode("utf-8")
        return text.splitlines()[0] if text else ""
    env = os.environ.get("ITL_RECOVERY_PASSWORD")
    if env is not None:
        return env
    if sys.stdin.isatty():
        return getpass.getpass("ITLRecovery password: ")
    return None


def cmd_reset(args: argparse.Namespace) -> int:
    """``itl reset ITLFile.tlv --p12 ITLRecovery.p12 --trust CallManager.pem``:
    ``utils itl reset``, once the ITL verifies against what ``--trust`` names."""
    if not args.trust:
        _err(
            "reset: --trust is required: the publisher's CallManager certificate, the phones' ITL or CTL, "
            "or the TFTP server's previous ITL (an ITL that verifies only against itself, or a list given as "
            "its own trust, is never re-signed)"
        )
        return UNREADABLE
    try:
        password = _password(args)
        if password is None:
            _err("no password: use --password-file, ITL_RECOVERY_PASSWORD, or a terminal")
            return UNREADABLE
        itl = _read(args.file)
        p12 = _read(args.p12)
        trusted = _load_trusted(args.trust)
    except OSError as e:
        _err(f"{e.filename}: {e.strerror or e}")
        return UNREADABLE
    try:
        parsed = _native.parse_file(itl)
    except ParseError as e:
        _err(f"{args.file}: {e}")
        return UNREADABLE
    if not (isinstance(parsed, _native.TrustList) and parsed.kind == "ITL"):
        _err(f"{args.file}: {_what(parsed)}, not an ITL: reset re-signs an ITL (ITLFile.tlv) only")
        return UNREADABLE
    try:
        data = _native.reset_itl(itl, p12, password, trusted=trusted)
    except ParseError as e:
        _err(f"{args.file}: {e}")
        return UNREADABLE
    except CredentialError as e:
        _err(f"{args.p12}: {e}")
        return UNREADABLE
    except (VerificationError, PolicyError, Error) as e:
        _err(f"{args.file}: not reset: {e}")
        return NOT_VERIFIED
    output = args.output
    if output is None:
        stem = args.file[: -len(".tlv")] if args.file.lower().endswith(".tlv") else args.file
        output = stem + "-reset.tlv"
    _write(output, data)
    if output != "-":
        signer = _native.TrustList.from_bytes(data).verify()
        print(f"wrote {output}: signed by record {signer.index + 1 if signer.index is not None else '?'} ({signer.subject})", file=sys.stderr)
    return OK


# ---------------------------------------------------------------- expiry


def _list_paths(items: Sequence[str]) -> List[str]:
    """FILES and the ``.tlv`` files under DIRS (sorted), in the order given."""
    out: List[str] = []
    for item in items:
        if os.path.isdir(item):
            out.extend(sorted(str(p) for p in Path(item).rglob("*") if p.is_file() and p.name.lower().endswith(".tlv")))
        else:
            out.append(item)
    return out


def cmd_expiry(args: argparse.Namespace) -> int:
    """``itl expiry FILES|DIRS [--within DAYS]``: every certificate of the
    lists, when it expires, and what renewing it is. Exit 1 when one has
    expired or expires within DAYS."""
    now = args.now if args.now is not None else int(time.time())
    rows: List[dict[str, object]] = []
    unreadable = False
    for path in _list_paths(args.paths):
        try:
            data = _read(path)
            parsed = _native.parse_file(data)
        except (OSError, ParseError) as e:
            _err(f"{path}: {_error_fields(e)['error']}")
            unreadable = True
            continue
        if not isinstance(parsed, _native.TrustList):
            _err(f"{path}: {_what(parsed)}, not a trust list: it holds no certificate")
            unreadable = True
            continue
        # The rules (dates, horizon, what renewing is) are the core's.
        for e in _native.expiries(data, now, args.within):
            rows.append({"path": path, **e})
    if args.json:
        print(json.dumps({"schema": 1, "within_days": args.within, "certificates": rows}, indent=2))
    else:
        for r in rows:
            what = f"{r['path']}: record {r['record']} ({'+'.join(map(str, r['functions']))}) {r['subject']}"  # type: ignore[call-overload]
            if r["status"] == "unknown":
                print(f"{what}: the list holds only the certificate's hash, so its expiry is unknown here.")
                continue
            left = int(str(r["days_left"]))
            when = f"expired {-left} days ago" if left < 0 else f"expires in {left} days"
            flag = {"expired": "EXPIRED", "expiring": "EXPIRING", "ok": "ok"}[str(r["status"])]
            print(f"{what}: {flag}, {when} ({r['not_after']}); to renew: {r['renewal']}.")
    if unreadable:
        return UNREADABLE
    return NOT_VERIFIED if any(r["status"] in ("expired", "expiring") for r in rows) else OK


# ---------------------------------------------------------------- diff


def _record_text(r: dict[str, object]) -> str:
    return f"record {r['record']} ({'+'.join(map(str, r['functions']))}) {r['subject']}"  # type: ignore[call-overload]


def cmd_diff(args: argparse.Namespace) -> int:
    """``itl diff OLD NEW``: what changed, and what a phone holding OLD does
    with NEW. Exit 0 when the phone accepts NEW, 1 when it refuses it."""
    try:
        old, new = _read(args.old), _read(args.new)
    except OSError as e:
        _err(_os_message(e, args))
        return UNREADABLE
    for path, data in ((args.old, old), (args.new, new)):
        try:
            parsed = _native.parse_file(data)
        except ParseError as e:
            _err(f"{path}: {e}")
            return UNREADABLE
        if not isinstance(parsed, _native.TrustList):
            _err(f"{path}: {_what(parsed)}, not a trust list")
            return UNREADABLE
    d = _native.diff_lists(old, new)
    old_list, new_list = _native.TrustList.from_bytes(old), _native.TrustList.from_bytes(new)
    phone = _native.Phone("SEP001122334455")
    first = phone.offer_trust_list(f"{old_list.kind}File.tlv", old)
    decision = phone.offer_trust_list(f"{new_list.kind}File.tlv", new)
    verdict: dict[str, object] = {
        "installed": bool(first),
        "accepted": bool(decision),
        "rule": decision.rule,
        "reason": decision.reason,
        "tvs": decision.tvs,
        "locked": phone.locked,
    }
    if args.json:
        print(json.dumps({"schema": 1, "old": args.old, "new": args.new, **d, "phone": verdict}, indent=2))
    else:
        added, removed, changed = d["added"], d["removed"], d["changed"]
        print(
            f"Records: {len(changed)} changed, {len(added)} added, {len(removed)} removed, {d['unchanged']} unchanged."
        )
        for c in changed:
            o, n = c["old"], c["new"]
            parts = []
            if c["serial_changed"]:
                parts.append(f"serial {o['serial']} -> {n['serial']}")
            if c["hash_changed"]:
                parts.append(f"certificate hash {o['hash']} -> {n['hash']}")
            print(f"Changed: {_record_text(o)} (now record {n['record']}): {', '.join(parts)}.")
        for r in removed:
            print(f"Removed: {_record_text(r)}, serial {r['serial']}.")
        for r in added:
            print(f"Added: {_record_text(r)}, serial {r['serial']}.")
        signer = d["signer"]
        if not signer:
            print(f"Signer: unchanged ({new_list.signer_name}).")
        elif signer["old"] == signer["new"]:
            serials = [lst.to_dict(records=False)["signer_serial"] for lst in (old_list, new_list)]
            print(f"Signer: {signer['new']}, another certificate (serial {serials[0]} -> {serials[1]}).")
        else:
            print(f"Signer: {signer['old']} -> {signer['new']}.")
        stamp = d["timestamp"]
        if stamp:
            print(f"Timestamp: {_utc(stamp['old'])} -> {_utc(stamp['new'])}.")
        else:
            print(f"Timestamp: unchanged ({_utc(new_list.timestamp)}).")
        if not first:
            print(f"A phone with no list would refuse OLD itself: {first.reason}.")
        elif decision:
            print(f"A phone holding OLD accepts NEW (rule {decision.rule}): {decision.reason}.")
        else:
            tvs = f" TVS: {decision.tvs}." if decision.tvs else ""
            lock = (
                " The phone keeps OLD and is locked: delete its ITL on the phone, or offer a NEW signed by a key OLD "
                "trusts (itl reset signs with ITLRecovery)."
                if phone.locked
                else ""
            )
            print(f"A phone holding OLD REFUSES NEW (rule {decision.rule}): {decision.reason}.{tvs}{lock}")
    return OK if decision else NOT_VERIFIED


def _utc(seconds: object) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(str(seconds))))


# ---------------------------------------------------------------- completion


def _commands(parser: argparse.ArgumentParser) -> List[Tuple[str, str, argparse.ArgumentParser]]:
    """Each subcommand: its name, help and parser."""
    out: List[Tuple[str, str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


def _options(parser: argparse.ArgumentParser) -> List[Tuple[List[str], str, bool]]:
    """Each option: its strings, help, and whether it takes a value; with
    those of its own subcommands (``itl capf schedule``…), once each."""
    out = [
        (list(a.option_strings), (a.help or "").replace("%%", "%"), a.nargs != 0)
        for a in parser._actions
        if a.option_strings and a.help != argparse.SUPPRESS
    ]
    for _, _, sub in _commands(parser):
        seen = {o for strings, _, _ in out for o in strings}
        out += [option for option in _options(sub) if not set(option[0]) & seen]
    return out


def completion_script(shell: str, parser: Optional[argparse.ArgumentParser] = None) -> str:
    """The ``itl`` completion script for bash, zsh or fish, generated from
    the command line's parser."""
    parser = parser or build_parser()
    commands = _commands(parser)
    if shell == "bash":
        # A command with actions of its own (itl capf schedule|list|remove):
        # its actions as the second word.
        nested = [(name, [n for n, _, _ in _commands(sub)]) for name, _, sub in commands if _commands(sub)]
        actions = (
            "  if [ \"$COMP_CWORD\" -eq 2 ]; then\n"
            "    case ${COMP_WORDS[1]} in\n"
            + "".join(
                f"      {name}) COMPREPLY=($(compgen -W \"{' '.join(words)}\" -- \"$cur\")); return ;;\n"
                for name, words in nested
            )
            + "    esac\n"
            "  fi\n"
            if nested
            else ""
        )
        cases = "".join(
            f"    {name}) opts=\"{' '.join(o for strings, _, _ in _options(sub) for o in strings)}\" ;;\n"
            for name, _, sub in commands
        )
        return (
            "# itl completion for bash: eval \"$(itl completion bash)\"\n"
            "_itl() {\n"
            "  local cur=${COMP_WORDS[COMP_CWORD]} opts\n"
            "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
            f"    COMPREPLY=($(compgen -W \"{' '.join(n for n, _, _ in commands)} --help --version\" -- \"$cur\"))\n"
            "    return\n"
            "  fi\n"
            f"{actions}"
            "  case ${COMP_WORDS[1]} in\n"
            f"{cases}"
            "    *) opts=\"\" ;;\n"
            "  esac\n"
            "  if [[ $cur == -* ]]; then\n"
            "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
            "  else\n"
            "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
            "  fi\n"
            "}\n"
            "complete -o filenames -F _itl itl\n"
        )
    if shell == "zsh":

        def q(text: str) -> str:
            return text.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")

        lines = ["#compdef itl", "# itl completion for zsh: itl completion zsh > \"${fpath[1]}/_itl\"", "_itl() {", "  local -a commands", "  commands=("]
        lines += [f"    '{name}:{q(help)}'" for name, help, _ in commands]
        lines += ["  )", "  if (( CURRENT == 2 )); then", "    _describe 'command' commands", "    return", "  fi", "  case $words[2] in"]
        for name, _, sub in commands:
            specs = []
            for strings, help, takes in _options(sub):
                for o in strings:
                    specs.append(f"'{o}[{q(help)}]" + (":value:_files'" if takes else "'"))
            lines.append(f"    {name}) _arguments {' '.join(specs)} '*:file:_files' ;;")
        lines += ["  esac", "}", "compdef _itl itl", ""]
        return "\n".join(lines)
    if shell == "fish":

        def f(text: str) -> str:
            return text.replace("\\", "\\\\").replace("'", "\\'")

        lines = ["# itl completion for fish: itl completion fish > ~/.config/fish/completions/itl.fish"]
        for name, help, _ in commands:
            lines.append(f"complete -c itl -f -n __fish_use_subcommand -a {name} -d '{f(help)}'")
        for name, _, sub in commands:
            for strings, help, takes in _options(sub):
                flags = " ".join(f"-l {o[2:]}" if o.startswith("--") else f"-s {o[1:]}" for o in strings)
                lines.append(
                    f"complete -c itl -n '__fish_seen_subcommand_from {name}' {flags}{' -r' if takes else ''} -d '{f(help)}'"
                )
        return "\n".join(lines) + "\n"
    raise ValueError(f"{shell!r}: bash, zsh or fish")


def cmd_completion(args: argparse.Namespace) -> int:
    """``itl completion bash|zsh|fish``: the shell completion script."""
    sys.stdout.write(completion_script(args.shell))
    return OK


# ---------------------------------------------------------------- audit


def cmd_audit(args: argparse.Namespace) -> int:
    """``itl audit [ITL_DIR REPORT...]``: which phones hold the current ITL and CTL."""
    from . import audit

    return audit.run(args)


def _reported_phones(path: str) -> List[Tuple[str, str]]:
    """``(ITL_TFTP_Server, ITL_Signature)`` per phone of a DeviceTLInfo
    report (XML alarms, syslog lines or a CSV export, read by the core's
    report reader). A row it cannot read refuses the report (``ValueError``):
    a twin missing phones would answer for another fleet."""
    from . import audit

    reports, problems = audit.read_reports([path])
    if problems:
        raise ValueError("; ".join(problems))
    return [(r.itl_tftp_server or "", r.itl_sha1) for r in reports]


def cmd_collect(args: argparse.Namespace) -> int:
    """``itl collect tftp HOST[:PORT]... [--mac MAC...] -o DIR``: the trust
    lists the TFTP servers serve."""
    from . import collect

    return collect.run(args)


def cmd_capf(args: argparse.Namespace) -> int:
    """``itl capf schedule|list|remove --db FILE``: the CAPF device store."""
    from . import capf

    return capf.run(args)


def _cluster(args: argparse.Namespace) -> Optional[_native.Cluster]:
    try:
        collected = getattr(args, "collected", None)
        if collected is not None:
            phones = _reported_phones(args.phones) if getattr(args, "phones", None) else None
            return _native.Cluster.from_collected(collected, args.overlay, phones)
        if getattr(args, "phones", None) or getattr(args, "overlay", None):
            _err("--phones and --overlay go with --collected DIR")
            return None
        if args.cluster is None:
            return _native.Cluster.builtin()
        return _native.Cluster.from_file(args.cluster)
    except (Error, OSError, ValueError) as e:
        _err(str(e))
        return None


def cmd_whatif(args: argparse.Namespace) -> int:
    """``itl whatif [CLUSTER.toml] OPERATION...``: what the operations would
    do to the phones. Exit 0 when no phone ends locked, 1 when some do."""
    cluster = _cluster(args)
    if cluster is None:
        return UNREADABLE
    if args.dot:
        try:
            for op in args.operations:
                cluster.apply(op)
            cluster.boot()
        except Error as e:
            _err(str(e))
            return UNREADABLE
        print(cluster.to_dot(), end="")
        return OK
    if not args.operations:
        _err("whatif needs at least one operation (for example regenerate-both:cucm-pub, reboot)")
        return UNREADABLE
    try:
        report = cluster.whatif(args.operations)
    except Error as e:
        _err(str(e))
        return UNREADABLE
    print(report.to_json() if args.json else str(report), end="\n" if args.json else "")
    return OK if report.locked == 0 else NOT_VERIFIED


def cmd_plan(args: argparse.Namespace) -> int:
    """``itl plan [CLUSTER.toml] GOAL``: the shortest safe order of
    operations. Exit 0 when one exists, 1 when only a least bad one does."""
    cluster = _cluster(args)
    if cluster is None:
        return UNREADABLE
    try:
        plan = cluster.plan(args.goal, args.steps)
    except Error as e:
        _err(str(e))
        return UNREADABLE
    print(plan.to_json() if args.json else str(plan), end="\n" if args.json else "")
    return OK if plan.safe else NOT_VERIFIED


def _cluster_and_words(args: argparse.Namespace, words: List[str]) -> List[str]:
    """The first word is a cluster description when it names a .toml file."""
    if words and words[0].endswith(".toml"):
        args.cluster = words[0]
        return words[1:]
    args.cluster = None
    return words


# ---------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="itl",
        description="Cisco phone trust lists (ITL/CTL) and signed files.",
        epilog="Exit status: 0 done (verified), 1 not verified, 2 unreadable or usage error.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_native.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("show", help="print what CUCM's `show itl` prints")
    s.add_argument("file", metavar="FILE", help="the trust list (.tlv), signed file (.sgn) or encrypted configuration; - for stdin")
    s.add_argument(
        "--kind",
        choices=["ITL", "CTL"],
        help="the list's kind when the file is too broken to say (default: from the header's FILENAME, else ITL)",
    )
    s.add_argument(
        "--json",
        action="store_true",
        help="the file's fields as JSON, with each certificate's validity and key (default: CUCM's text)",
    )
    s.add_argument(
        "--details",
        action="store_true",
        help="after CUCM's text, each record's certificate validity and key, and the TIMESTAMP as a date (default off)",
    )
    s.add_argument(
        "--max-bytes",
        type=_size,
        default=_native.MAX_LIST_BYTES,
        metavar="N",
        help=f"refuse files larger than N bytes (default {_native.MAX_LIST_BYTES}, what a phone accepts; "
        "suffixes K, M, G, T)",
    )
    s.set_defaults(func=cmd_show)

    v = sub.add_parser("verify", help="verify trust lists and signed files")
    v.add_argument("files", nargs="+", metavar="FILE", help="trust lists, signed files, encrypted configurations; - for stdin")
    v.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT|LIST",
        help="verify against this certificate (PEM/DER) or trust list instead of the file's own records (repeatable; "
        "default: a list against its own signing record; a signed file needs one)",
    )
    v.add_argument("--strict", action="store_true", help="refuse SHA-1 and keys under 2048 bits (default off)")
    v.add_argument(
        "--workers", type=_workers, default=None, metavar="N", help="threads for many files, at least 1 (default: one per core)"
    )
    v.add_argument(
        "--json",
        action="store_true",
        help='results as JSON: {"schema": 1, "files": [...]}, one object per file whatever their number (default: text)',
    )
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser("build", help="build and sign a new ITL or CTL")
    b.add_argument("--kind", choices=["ITL", "CTL"], default="ITL", help="the list to build (default ITL)")
    b.add_argument("--sign", required=True, metavar="KEY.pem", help="the signer's key (PEM with its certificate)")
    b.add_argument("--sign-cert", metavar="CERT.pem", help="the signer's certificate, when not in KEY.pem")
    b.add_argument(
        "--cert",
        action="append",
        required=True,
        metavar="CERT.pem:ROLES",
        help="a record: certificate and roles, comma-separated (SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS)",
    )
    b.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write (required); - for stdout")
    b.add_argument("--filename", help="FILENAME in the header (default ITLFile.tlv or CTLFile.tlv)")
    b.add_argument("--timestamp", type=_timestamp, metavar="SECONDS", help=_TIMESTAMP_HELP)
    b.add_argument("--digest", default="sha512", choices=["sha1", "sha256", "sha512"], help=_DIGEST_HELP)
    b.add_argument(
        "--layout",
        default="cucm",
        choices=["cucm", "rfc4514"],
        help="how names are written: cucm (CUCM's 'CN=a;OU=b' order) or rfc4514 ('CN=a,OU=b') (default cucm)",
    )
    b.set_defaults(func=cmd_build)

    g = sub.add_parser("sign", help="sign a file into a .sgn")
    g.add_argument("file", metavar="FILE", help="the payload to sign (a configuration XML…); - for stdin")
    g.add_argument("--key", required=True, metavar="KEY.pem", help="the signer's key (PEM with its certificate)")
    g.add_argument("--cert", metavar="CERT.pem", help="the signer's certificate, when not in KEY.pem")
    g.add_argument("-o", "--output", metavar="FILE.sgn", help="default FILE.sgn")
    g.add_argument("--filename", help="the signed name (default: the output's base name)")
    g.add_argument("--digest", default="sha512", choices=["sha1", "sha256", "sha512"], help=_DIGEST_HELP)
    g.add_argument("--timestamp", type=_timestamp, metavar="SECONDS", help=_TIMESTAMP_HELP)
    g.set_defaults(func=cmd_sign)

    t = sub.add_parser("strip", help="write the payload of a .sgn")
    t.add_argument("file", metavar="FILE.sgn", help="the signed file (a trust list or encrypted file is refused)")
    t.add_argument("-o", "--output", metavar="OUT", help="default FILE without .sgn; - for stdout")
    t.set_defaults(func=cmd_strip)

    e = sub.add_parser(
        "encrypt",
        help="encrypt a phone's configuration for its certificate and sign it (.enc.sgn)",
        description="Encrypts CNF.xml for one phone (a fresh AES-128 key wrapped for the phone certificate's RSA "
        "key), signs it with the TFTP key, and writes SEP<MAC>.cnf.xml.enc.sgn; with --companion also the signed "
        "SEP<MAC>.cnf.xml.sgn (fullConfig false, certHash, encrConfig true) that tells the phone to fetch it. "
        "Nothing is written unless every file was made.",
        epilog="Exit status: 0 written, 2 unreadable input, unusable key or certificate, or bad arguments.",
    )
    e.add_argument("file", metavar="CNF.xml", help="the configuration to encrypt")
    e.add_argument("--cert", required=True, metavar="PHONE_CERT.pem", help="the phone's certificate (LSC, else MIC), PEM or DER")
    e.add_argument("--sign", required=True, metavar="TFTP.pem", help="the TFTP signer's key (PEM with its certificate)")
    e.add_argument("--sign-cert", metavar="CERT.pem", help="the TFTP signer's certificate, when not in TFTP.pem")
    e.add_argument(
        "--digest", default="sha1", choices=["sha1", "sha512"], help="the signature's and the plaintext's digest (default sha1)"
    )
    e.add_argument(
        "-o", "--output", required=True, metavar="SEP<MAC>.cnf.xml.enc.sgn", help="the encrypted file; its name gives the device"
    )
    e.add_argument("--device", metavar="SEP<MAC>", help="the phone, when the output is not named SEP<MAC>.cnf.xml.enc.sgn")
    e.add_argument("--companion", metavar="SEP<MAC>.cnf.xml.sgn", help="also write the signed companion configuration")
    e.add_argument("--load-information", default="", metavar="LOAD", help="the companion's loadInformation (default empty)")
    e.add_argument(
        "--capf-auth-mode", type=int, default=0, choices=range(0, 5), metavar="N",
        help="the companion's capfAuthMode: 0 none scheduled, 1 password, 2 none, 3 LSC then MIC, 4 MIC (default 0)",
    )
    e.add_argument("--capf-node", action="append", default=[], metavar="NAME", help="a CAPF server of the companion (repeatable)")
    e.add_argument("--timestamp", type=_timestamp, metavar="SECONDS", help=_TIMESTAMP_HELP)
    e.set_defaults(func=cmd_encrypt)

    d = sub.add_parser(
        "decrypt",
        help="verify and decrypt an encrypted configuration (.enc.sgn) with the phone's key",
        description="Verifies FILE's signature against --trust first (a file whose signature is refused is never "
        "decrypted), then decrypts it with the phone's key: the file must be for the key certificate's device, the "
        "key must open it, the padding and the configuration's digest must hold. Nothing is written unless it "
        "exits 0 (a temporary file beside OUT, renamed when complete; OUT is readable by its owner only).",
        epilog="Exit status: 0 decrypted, 1 refused (signature, digest, padding, wrong key, another phone's file), "
        "2 unreadable or malformed input, unusable key, or bad arguments.",
    )
    d.add_argument("file", metavar="FILE.enc.sgn", help="the encrypted configuration")
    d.add_argument(
        "--key", required=True, metavar="PHONE_KEY.pem",
        help="the phone's private key and its certificate (LSC or MIC) in one PEM; or the key alone with --cert",
    )
    d.add_argument("--cert", metavar="CERT.pem", help="the phone's certificate, when not in PHONE_KEY.pem")
    d.add_argument(
        "--trust", action="append", required=True, metavar="CERT|LIST",
        help="required, repeatable: the TFTP signer's certificate (PEM/DER), or the phone's ITL or CTL "
        "(its CCM+TFTP and TFTP records)",
    )
    d.add_argument("-o", "--output", metavar="OUT.xml", help="default FILE without .enc.sgn (SEP<MAC>.cnf.xml); - for stdout")
    d.add_argument("--strict", action="store_true", help="refuse SHA-1 signatures and keys under 2048 bits")
    d.set_defaults(func=cmd_decrypt)

    r = sub.add_parser("reset", help="re-sign an ITL with the ITLRecovery key (utils itl reset)")
    r.add_argument("file", metavar="ITLFile.tlv", help="the current ITL (a CTL or a signed file is refused)")
    r.add_argument("--p12", required=True, metavar="ITLRecovery.p12", help="the ITLRecovery identity (required)")
    r.add_argument(
        "--password-file",
        metavar="F",
        help="file whose first line is the PKCS#12 password (else $ITL_RECOVERY_PASSWORD, else asked)",
    )
    r.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT|LIST",
        help="required, repeatable: the ITL must verify against this (the publisher's CallManager.pem, "
        "the phones' ITL or CTL, or the TFTP server's previous ITL)",
    )
    r.add_argument("-o", "--output", metavar="OUT", help="default ITLFile-reset.tlv beside the input")
    r.set_defaults(func=cmd_reset)

    a = sub.add_parser(
        "audit",
        help="which phones hold the current ITL and CTL (no arguments: a built-in sample fleet)",
        description="Compares the ITL and CTL hashes each phone reports (DeviceTLInfo: XML alarms, CUCM syslog "
        "or a CSV export) with the ITLs and CTLs collected from the TFTP servers.",
        epilog="Exit status: 0, 1 a collected list is suspicious or a report row could not be read, 2 unreadable input.",
    )
    from .audit import add_arguments

    add_arguments(a)
    a.set_defaults(func=cmd_audit)

    c = sub.add_parser(
        "collect",
        help="fetch the ITL and CTL files the TFTP servers serve, as phones do (for itl audit)",
        description="Asks each TFTP server for ITLFile.tlv, CTLFile.tlv and, per --mac, ITLSEP<MAC>.tlv and "
        "CTLSEP<MAC>.tlv; writes them to DIR/<server>/<UTC YYYY-MM-DDTHHMMSSZ>/.",
        epilog="Exit status: 0 every server answered (files not served are said), 2 a server was silent, "
        "too slow or misbehaved (named on standard error), or a bad argument.",
    )
    from .collect import add_arguments as collect_arguments

    collect_arguments(c)
    c.set_defaults(func=cmd_collect)

    w = sub.add_parser(
        "whatif",
        help="what operations on a cluster would do to its phones (no CLUSTER.toml: a built-in 3-node cluster)",
        description="Simulates the operations on a copy of the cluster; every class of phones boots at each "
        "'reboot' and at the end. Operations: regenerate-callmanager:NODE, regenerate-tvs:NODE, "
        "regenerate-both:NODE, itl-reset-localkey, itl-reset-remotekey, restart-tftp, mixed-mode-tokenless, "
        "mixed-mode-etokens, non-secure-mode, update-ctl, upload-phone-sast-trust, prepare-rollback, "
        "cancel-rollback, add-node:NODE[:tftp], remove-node:NODE, set-group:CLASS:NODE[,NODE...], "
        "set-tftp:CLASS:NODE, migrate:CLASS, rebuild, wait:SECONDS, reboot, regenerate-itlrecovery. "
        "A description may say cucm-version = \"12.5\" (see docs/WHATIF.md).",
        epilog="Exit status: 0 no phone locked, 1 phones locked, 2 unreadable description or bad operation.",
    )
    w.add_argument(
        "words", nargs="*", metavar="[CLUSTER.toml] OPERATION", help="a cluster description (default: the built-in one), then operations"
    )
    w.add_argument("--json", action="store_true", help="the report as JSON")
    w.add_argument("--dot", action="store_true", help="print who trusts whom after the operations (Graphviz DOT)")
    w.add_argument(
        "--collected",
        metavar="DIR",
        help="a twin of the cluster whose files 'itl collect' gathered in DIR (<server>/<stamp>/ITLFile.tlv)",
    )
    w.add_argument(
        "--phones",
        metavar="REPORT",
        help="with --collected: classes from a DeviceTLInfo CSV (DeviceName, ITL_Signature, ITL_TFTP_Server)",
    )
    w.add_argument(
        "--overlay",
        metavar="FILE",
        help="with --collected: TOML for what the files cannot tell (cucm-version, publisher, [[node]], [[phones]])",
    )
    w.set_defaults(func=lambda a: cmd_whatif(_with_operations(a)))

    pl = sub.add_parser(
        "plan",
        help="a safe order of operations to reach a goal (no CLUSTER.toml: the built-in cluster)",
        description="Goals: new-hostname:NODE, new-callmanager:NODE, new-tvs:NODE, new-itlrecovery, tokenless, "
        "etokens, non-secure, rollback.",
        epilog="Exit status: 0 a safe plan exists, 1 only a least bad one, 2 unreadable description or bad goal.",
    )
    pl.add_argument(
        "words", nargs="+", metavar="[CLUSTER.toml] GOAL", help="a cluster description (default: the built-in one), then the goal"
    )
    pl.add_argument("--steps", type=_steps, default=5, help="the most steps to search, 0 to 8 (default 5)")
    pl.add_argument("--json", action="store_true", help="the plan as JSON")
    pl.set_defaults(func=lambda a: cmd_plan(_with_goal(a)))
    x = sub.add_parser(
        "expiry",
        help="every certificate of the lists, when it expires, and what renewing it is",
        description="Lists each certificate of the trust lists (CallManager, TVS, CAPF, ITLRecovery, CTL records) "
        "with its expiry and days left, and what renewing it is (a regeneration of that node's certificate: "
        "itl whatif shows its effect on the phones). A record that holds only its certificate's hash (CUCM's TVS "
        "and CAPF records in an ITL) is listed as unknown.",
        epilog="Exit status: 0 none expires within DAYS, 1 one has expired or expires within DAYS, 2 unreadable file.",
    )
    x.add_argument("paths", nargs="+", metavar="FILE|DIR", help="trust lists, or folders searched for *.tlv")
    x.add_argument(
        "--within", type=_days, default=60, metavar="DAYS", help="warn about certificates expiring within DAYS days (default 60)"
    )
    x.add_argument("--now", type=_timestamp, metavar="SECONDS", help="the time to count from, seconds since 1970 (default now)")
    x.add_argument("--json", action="store_true", help='the certificates as JSON: {"schema": 1, ...} (default: text)')
    x.set_defaults(func=cmd_expiry)

    df = sub.add_parser(
        "diff",
        help="what changed between two trust lists, and what a phone holding OLD does with NEW",
        description="Records added, removed and changed (same functions and subject, another serial or certificate), "
        "signer and timestamp changes; then a phone that installed OLD on first use is offered NEW under the "
        "phone's rules (no TVS reachable).",
        epilog="Exit status: 0 the phone accepts NEW, 1 it refuses NEW, 2 unreadable file or not a trust list.",
    )
    df.add_argument("old", metavar="OLD", help="the list the phones hold")
    df.add_argument("new", metavar="NEW", help="the list they would be offered")
    df.add_argument("--json", action="store_true", help='the differences as JSON: {"schema": 1, ...} (default: text)')
    df.set_defaults(func=cmd_diff)

    cp = sub.add_parser(
        "capf",
        help="the CAPF device store: schedule, list and remove the phones that get an LSC",
        description="Administers the store the CAPF server reads: what each phone gets at its next CAPF session "
        "(install, fetch, delete), how it proves who it is, the key it generates, and the certificates issued.",
        epilog="Exit status: 0 done, 1 the device to remove is not in the store, 2 a bad argument or store file.",
    )
    from .capf import add_arguments as capf_arguments

    capf_arguments(cp)
    cp.set_defaults(func=cmd_capf)

    c = sub.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh, fish)",
        description='bash: eval "$(itl completion bash)"; zsh: itl completion zsh > "${fpath[1]}/_itl"; '
        "fish: itl completion fish > ~/.config/fish/completions/itl.fish",
    )
    c.add_argument("shell", choices=["bash", "zsh", "fish"], help="the shell")
    c.set_defaults(func=cmd_completion)
    return p


def _days(text: str) -> int:
    """``--within``: a whole number of days, 0 or more."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 <= n <= 100_000:
        raise argparse.ArgumentTypeError(f"{text}: from 0 to 100000 days")
    return n


_TIMESTAMP_HELP = "TIMESTAMP in the header, seconds since 1970 from 0 to 4294967295 (default now)"
_DIGEST_HELP = (
    "the signature's digest (default sha512, which verify --strict accepts; sha1 only for phones whose "
    "firmware cannot check SHA-512, such as the 7900 series)"
)


def _timestamp(text: str) -> int:
    """``--timestamp``: seconds since 1970 that fit the header's 32 bits."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= n <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError(f"{text}: a TIMESTAMP is from 0 to 4294967295 (32 bits, until 2106)")
    return n


def _workers(text: str) -> int:
    """``--workers``: at least one thread."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text}: at least 1 worker")
    return n


def _size(text: str) -> int:
    """``--max-bytes``: a number of bytes, with an optional K, M, G or T (binary) suffix."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = t[-1:] if t[-1:] in ("K", "M", "G", "T") else ""
    try:
        n = int(t[: len(t) - len(unit)]) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (such as 1048576, 512K or 16M)") from None
    if n < 0 or n > 1 << 40:
        raise argparse.ArgumentTypeError(f"{text!r}: a size from 0 to 1 TiB")
    return n


def _steps(text: str) -> int:
    """``--steps``: a whole number from 0 to 8 (argparse turns the error into a usage error)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= n <= 8:
        raise argparse.ArgumentTypeError("the planner searches 0 to 8 steps")
    return n


def _with_operations(args: argparse.Namespace) -> argparse.Namespace:
    if getattr(args, "collected", None) is not None:
        args.cluster = None
        args.operations = list(args.words)
    else:
        args.operations = _cluster_and_words(args, list(args.words))
    return args


def _with_goal(args: argparse.Namespace) -> argparse.Namespace:
    rest = _cluster_and_words(args, list(args.words))
    if len(rest) != 1:
        args.goal = ""
    else:
        args.goal = rest[0]
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the ``itl`` command; returns its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
        return status
    except BrokenPipeError:
        # `itl … | head`: the reader left; say nothing more.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return OK
    except KeyboardInterrupt:
        return 130
    except _Blamed as e:
        _err(f"{e.path}: {e.reason}")
        return UNREADABLE
    except OSError as e:
        _err(_os_message(e, args))
        return UNREADABLE
    except csv.Error as e:
        _err(f"{_subject(args)}: not a readable CSV file: {_one_line(e)}")
        return UNREADABLE
    except MemoryError:
        _err(f"{_subject(args)}: out of memory")
        return UNREADABLE
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as e:  # noqa: BLE001 - every error ends in one line and 2, never a traceback
        # Also a PyO3 PanicException (a BaseException): a bug, said in one line.
        what = "internal error (please report): " if type(e).__name__ == "PanicException" else ""
        _err(f"{_subject(args)}: {what}{_one_line(e) or type(e).__name__}")
        return UNREADABLE


def _subject(args: argparse.Namespace) -> str:
    """The file a command is about, for an error's message."""
    for name in ("phones", "file", "cluster", "db"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            return value
    files = getattr(args, "files", None)
    if isinstance(files, list) and len(files) == 1:
        return str(files[0])
    return str(getattr(args, "command", "itl"))


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


def _os_message(e: OSError, args: argparse.Namespace) -> str:
    """``PATH: reason`` for an ``OSError``."""
    reason = e.strerror or _one_line(e) or type(e).__name__
    path = e.filename if e.filename is not None else _subject(args)
    return f"{path}: {reason}"


if __name__ == "__main__":
    sys.exit(main())
