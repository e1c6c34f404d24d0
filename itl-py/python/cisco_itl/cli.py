"""The ``itl`` command: show, verify, build, sign, strip, reset and audit
Cisco trust lists and signed files; encrypt and decrypt phone
configurations (``encrypt``, ``decrypt``); simulate a cluster (``whatif``)
and plan a safe order of operations (``plan``).

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


def _load_trusted(paths: Sequence[str]) -> List[Union[_native.TrustList, bytes]]:
    """Each ``--trust`` file: a trust list when it parses as one, else
    certificates (PEM or DER)."""
    trusted: List[Union[_native.TrustList, bytes]] = []
    for p in paths:
        data = _read(p)
        try:
            trusted.append(_native.TrustList.from_bytes(data))
        except ParseError:
            trusted.append(data)
    return trusted


# ---------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    """``itl show FILE``: what CUCM's ``show itl`` prints."""
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
    return status


_RECORDS = object()
"""Where the records go in ``show --json``'s document."""


def _show_json(out: IO[str], path: str, data: bytes, shown: _native.Shown) -> None:
    """Writes ``show --json``'s document, record by record: the text of
    ``json.dumps(doc, indent=2)``, without ever holding every record's
    dict (a 16 MiB list of small records made 3.4 GB of them)."""
    doc: dict[str, object] = {"path": path, "outcome": shown.outcome, "error": shown.error}
    records: Optional[Iterator[dict[str, object]]] = None
    try:
        if shown.outcome == "signed-file":
            try:
                doc.update(_native.EncryptedFile.from_bytes(data).to_dict())
            except ParseError:
                doc.update(_native.SignedFile.from_bytes(data).to_dict())
        else:
            listed = _native.TrustList.from_bytes(data)
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


def _verify_one(path: str, trusted: list[Union[_native.TrustList, bytes]], strict: bool) -> dict[str, object]:
    result: dict[str, object] = {"path": path, "kind": None, "signer_index": None, "signer": None}
    try:
        data = _read(path)
    except OSError as e:
        result.update(status="unreadable", **_error_fields(e))
        return result
    try:
        listed = _native.TrustList.from_bytes(data)
    except ParseError as e:
        try:
            sgn = _native.SignedFile.from_bytes(data)
        except ParseError:
            result.update(status="unreadable", **_error_fields(e))
            return result
        result["kind"] = "SGN"
        if not trusted:
            result.update(
                status="not-verified",
                error="a signed file carries no certificate: pass --trust with the ITL, CTL or certificate of its signer",
                error_type="VerificationError",
                offset=None,
            )
            return result
        try:
            v = sgn.verify_with(trusted, strict=strict)
        except Error as e:
            result.update(status=_status_of(e), **_error_fields(e))
            return result
        result.update(status="verified", digest=v.digest, key_bits=v.key_bits, **_error_fields(None))
        result["signer"] = sgn.signer_name
        return result
    result["kind"] = listed.kind
    result["signer_index"] = listed.signer_index
    result["signer"] = listed.signer_name
    try:
        if trusted:
            v = listed.verify_with(trusted, strict=strict)
            result.update(digest=v.digest, key_bits=v.key_bits)
        else:
            listed.verify(strict=strict)
            result.update(digest=listed.digest)
    except Error as e:
        result.update(status=_status_of(e), **_error_fields(e))
        return result
    result.update(status="verified", **_error_fields(None))
    return result


def _verify_batch(
    paths: Sequence[str],
    trusted: list[Union[_native.TrustList, bytes]],
    strict: bool,
    workers: Optional[int],
) -> Iterator[dict[str, object]]:
    progress = Progress(len(paths), "verifying")
    chunk = 512
    try:
        for start in range(0, len(paths), chunk):
            part = paths[start : start + chunk]
            outcomes = _native.verify_many(part, trusted=trusted or None, workers=workers, strict=strict)
            for path, o in zip(part, outcomes):
                yield {
                    "path": path,
                    "status": "verified" if o.ok else _status_of(o.error),
                    "signer_index": o.signer_index,
                    "digest": o.digest,
                    "key_bits": o.key_bits,
                    **_error_fields(o.error),
                }
            progress.advance(len(part))
    finally:
        progress.close()


def cmd_verify(args: argparse.Namespace) -> int:
    """``itl verify FILE…``: verifies trust lists (against their own
    signing record, or ``--trust``) and signed files (``--trust``)."""
    try:
        trusted = _load_trusted(args.trust)
    except OSError as e:
        _err(f"{e.filename}: {e.strerror or e}")
        return UNREADABLE
    lists = [p for p in args.files if not p.lower().endswith(".sgn")]
    if len(args.files) > 1 and len(lists) == len(args.files) and "-" not in args.files:
        results = list(_verify_batch(args.files, trusted, args.strict, args.workers))
    else:
        results = [_verify_one(p, trusted, args.strict) for p in args.files]
    if args.json:
        print(json.dumps(results if len(results) != 1 else results[0], indent=2))
    else:
        for r in results:
            if r["status"] == "verified":
                by = f"record {r['signer_index']}" if r.get("signer_index") is not None and not trusted else "a trusted key"
                print(f"{r['path']}: verified (signed by {by}, {r.get('digest')})")
            elif r["status"] == "not-verified":
                print(f"{r['path']}: NOT verified: {r['error']}")
            else:
                print(f"{r['path']}: unreadable: {r['error']}")
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


def cmd_strip(args: argparse.Namespace) -> int:
    """``itl strip FILE.sgn``: the payload of a signed file."""
    try:
        sgn = _native.SignedFile.from_bytes(_read(args.file))
    except OSError as e:
        _err(f"{args.file}: {e.strerror or e}")
        return UNREADABLE
    except ParseError as e:
        _err(f"{args.file}: {e}")
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
    for path, item in zip(args.trust, trusted):
        if isinstance(item, bytes):
            try:
                _native.certificate_der(item)
            except Error as e:
                _err(f"{path}: neither a trust list nor a certificate: {e}")
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
    for path, item in zip(args.trust, trusted):
        if isinstance(item, bytes):
            try:
                _native.certificate_der(item)
            except Error as e:
                _err(f"{path}: neither a trust list nor a certificate: {e}")
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
        print(f"wrote {output}: signed by record {signer.index} ({signer.subject})", file=sys.stderr)
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
    s.add_argument("file", metavar="FILE")
    s.add_argument("--kind", choices=["ITL", "CTL"], help="the list's kind when the file is too broken to say")
    s.add_argument("--json", action="store_true", help="the file's fields as JSON (written record by record)")
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
    v.add_argument("files", nargs="+", metavar="FILE")
    v.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="CERT|LIST",
        help="verify against this certificate (PEM/DER) or trust list instead of the file's own records (repeatable)",
    )
    v.add_argument("--strict", action="store_true", help="refuse SHA-1 and keys under 2048 bits")
    v.add_argument("--workers", type=int, default=None, help="threads for many files (default: one per core)")
    v.add_argument("--json", action="store_true", help="results as JSON")
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser("build", help="build and sign a new ITL or CTL")
    b.add_argument("--kind", choices=["ITL", "CTL"], default="ITL")
    b.add_argument("--sign", required=True, metavar="KEY.pem", help="the signer's key (PEM with its certificate)")
    b.add_argument("--sign-cert", metavar="CERT.pem", help="the signer's certificate, when not in KEY.pem")
    b.add_argument(
        "--cert",
        action="append",
        required=True,
        metavar="CERT.pem:ROLES",
        help="a record: certificate and roles, comma-separated (SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS)",
    )
    b.add_argument("-o", "--output", required=True, metavar="OUT")
    b.add_argument("--filename", help="FILENAME in the header (default ITLFile.tlv or CTLFile.tlv)")
    b.add_argument("--timestamp", type=int, help="TIMESTAMP (default now)")
    b.add_argument("--digest", default="sha1", choices=["sha1", "sha256", "sha512"])
    b.add_argument("--layout", default="cucm", choices=["cucm", "rfc4514"])
    b.set_defaults(func=cmd_build)

    g = sub.add_parser("sign", help="sign a file into a .sgn")
    g.add_argument("file", metavar="FILE")
    g.add_argument("--key", required=True, metavar="KEY.pem", help="the signer's key (PEM with its certificate)")
    g.add_argument("--cert", metavar="CERT.pem", help="the signer's certificate, when not in KEY.pem")
    g.add_argument("-o", "--output", metavar="FILE.sgn", help="default FILE.sgn")
    g.add_argument("--filename", help="the signed name (default: the output's base name)")
    g.add_argument("--digest", default="sha1", choices=["sha1", "sha256", "sha512"])
    g.add_argument("--timestamp", type=int, help="TIMESTAMP (default now)")
    g.set_defaults(func=cmd_sign)

    t = sub.add_parser("strip", help="write the payload of a .sgn")
    t.add_argument("file", metavar="FILE.sgn")
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
    e.add_argument("--timestamp", type=int, help="TIMESTAMP (default now)")
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
    d.add_argument("file", metavar="FILE.enc.sgn")
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
    r.add_argument("file", metavar="ITLFile.tlv")
    r.add_argument("--p12", required=True, metavar="ITLRecovery.p12")
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
    w.add_argument("words", nargs="*", metavar="[CLUSTER.toml] OPERATION")
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
    pl.add_argument("words", nargs="+", metavar="[CLUSTER.toml] GOAL")
    pl.add_argument("--steps", type=_steps, default=5, help="the most steps to search, 0 to 8 (default 5)")
    pl.add_argument("--json", action="store_true", help="the plan as JSON")
    pl.set_defaults(func=lambda a: cmd_plan(_with_goal(a)))
    return p


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
    for name in ("phones", "file", "cluster"):
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
