"""Bounded everywhere: every file the package reads is a regular file
under a limit, refused at once otherwise; ``itl`` ends every error in one
line and exit status 2; ``show --json`` streams its records."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tracemalloc
from contextlib import redirect_stdout
from pathlib import Path
from typing import List, Optional

import pytest

import cisco_itl
from cisco_itl import _native, audit, cli
from conftest import KEYS, VECTORS, read

ITL = str(VECTORS / "cucm-ITLFile.tlv")
# 1 MiB, what a phone accepts (read this way so that the tests run, and
# fail one by one, on a build without the limits).
LIMIT: int = getattr(_native, "MAX_LIST_BYTES", 1 << 20)
KEY_LIMIT: int = getattr(_native, "MAX_KEY_FILE_BYTES", 1 << 20)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def itl(*args: str, stdin: bytes = b"", cwd: Optional[Path] = None) -> subprocess.CompletedProcess[str]:
    """Runs ``itl``; the timeout only turns a hang (the old behaviour on a
    FIFO or /dev/zero) into a failure."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("ITL_RECOVERY_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl", *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def one_line_error(r: subprocess.CompletedProcess[str], path: str, reason: str) -> None:
    """Exit 2, and ``itl: PATH: reason`` alone on stderr."""
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr == f"itl: {path}: {reason}\n", r.stderr


def fifo(tmp_path: Path, name: str = "ITLFile.tlv") -> str:
    path = tmp_path / name
    os.mkfifo(path)
    return str(path)


def tiny_list(records: int) -> bytes:
    """The test ITL's header, then ``records`` of the smallest records (22
    bytes each): the list whose JSON made 230 times its size in dicts."""
    data = read("cucm-ITLFile.tlv")
    header = data[: cisco_itl.TrustList.from_bytes(data).header_length]

    def el(tag: int, value: bytes) -> bytes:
        return bytes([tag]) + struct.pack(">H", len(value)) + value

    body = el(3, b"a") + el(4, struct.pack(">H", 1)) + el(5, b"b") + el(6, b"\x01")
    return header + (el(1, struct.pack(">H", 5 + len(body))) + body) * records


# ---------------------------------------------------------------- files refused at once


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/dev/zero", "not a regular file (a character device)"),
        ("/dev/null", "not a regular file (a character device)"),
    ],
)
def test_show_refuses_a_device_at_once(path: str, reason: str) -> None:
    if not Path(path).exists():
        pytest.skip(f"no {path}")
    one_line_error(itl("show", path), path, reason)
    one_line_error(itl("show", "--json", path), path, reason)


@needs_fifo
def test_show_and_verify_refuse_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = fifo(tmp_path)
    one_line_error(itl("show", path), path, "not a regular file (a FIFO)")
    r = itl("verify", path, "--json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["files"][0]["status"] == "unreadable"
    assert json.loads(r.stdout)["files"][0]["error"] == "not a regular file (a FIFO)"
    r = itl("verify", path, ITL)
    assert r.stdout.splitlines()[0] == f"{path}: unreadable: not a regular file (a FIFO)"
    # A batch reads its files in Rust.
    r = itl("verify", path, ITL, "--json")
    assert r.returncode == 2 and [x["status"] for x in json.loads(r.stdout)["files"]] == ["unreadable", "verified"]
    r = itl("verify", ITL, "--trust", path)
    one_line_error(r, path, "not a regular file (a FIFO)")


def test_show_refuses_a_folder_and_says_so(tmp_path: Path) -> None:
    one_line_error(itl("show", str(tmp_path)), str(tmp_path), "not a regular file (a directory)")


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.tlv")
    one_line_error(itl("show", missing), missing, "No such file or directory")
    one_line_error(itl("strip", missing), missing, "No such file or directory")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.tlv"
    with open(big, "wb") as f:
        f.truncate(LIMIT + 1)  # sparse
    one_line_error(itl("show", str(big)), str(big), f"larger than {LIMIT} bytes")
    one_line_error(itl("show", "--json", str(big)), str(big), f"larger than {LIMIT} bytes")
    # The limit is a phone's (1 MiB); show --max-bytes raises it for inspection.
    assert LIMIT == 1 << 20
    r = itl("show", "--max-bytes", "2M", str(big))
    assert r.returncode == 2 and "larger than" not in r.stderr
    assert "Unable to parse the ITL file" in r.stdout or r.stdout
    # Stdin too.
    r = itl("show", "-", stdin=b"\0" * (LIMIT + 1))
    one_line_error(r, "-", f"larger than {LIMIT} bytes")


def test_a_key_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "key.pem"
    with open(big, "wb") as f:
        f.truncate(KEY_LIMIT + 1)
    payload = tmp_path / "x.cnf.xml"
    payload.write_bytes(b"<device/>")
    r = itl("sign", str(payload), "--key", str(big))
    one_line_error(r, str(big), f"larger than {KEY_LIMIT} bytes")


@needs_fifo
def test_a_cluster_description_naming_a_fifo_is_refused(tmp_path: Path) -> None:
    key = fifo(tmp_path, "capf.pem")
    description = tmp_path / "cluster.toml"
    description.write_text('capf = "capf.pem"\n[[node]]\nname = "pub"\ntftp = true\n', encoding="utf-8")
    r = itl("whatif", str(description), "reboot")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == f"itl: cluster description: {key}: not a regular file (a FIFO)\n"
    with pytest.raises(cisco_itl.ClusterError, match="not a regular file"):
        cisco_itl.Cluster.from_file(str(description))
    # The description itself.
    described = fifo(tmp_path, "fifo.toml")
    r = itl("plan", described, "tokenless")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr == f"itl: cluster description: {described}: not a regular file (a FIFO)\n"


# ---------------------------------------------------------------- no traceback


def test_a_csv_field_over_128_kib_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    itls = tmp_path / "itls"
    itls.mkdir()
    shutil.copy(ITL, itls / "ITLFile.tlv")
    phones = tmp_path / "phones.csv"
    phones.write_text("Device Name,ITL SHA1\nSEP001122334455," + "a" * (200 << 10) + "\n", encoding="utf-8")
    r = itl("audit", str(itls), str(phones))
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("itl"), r.stderr


def test_every_exception_ends_in_one_line_and_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever a command raises: ``itl: SUBJECT: reason``, exit 2."""

    def boom(_: object) -> int:
        raise RuntimeError("something\nunexpected")

    monkeypatch.setattr(cli, "cmd_show", boom)
    assert cli.main(["show", "x.tlv"]) == 2
    assert capsys.readouterr().err == "itl: x.tlv: something unexpected\n"

    def oom(_: object) -> int:
        raise MemoryError()

    monkeypatch.setattr(cli, "cmd_show", oom)
    assert cli.main(["show", "x.tlv"]) == 2
    assert capsys.readouterr().err == "itl: x.tlv: out of memory\n"

    def gone(_: object) -> int:
        raise PermissionError(13, "Permission denied", "/etc/shadow")

    monkeypatch.setattr(cli, "cmd_show", gone)
    assert cli.main(["show", "x.tlv"]) == 2
    assert capsys.readouterr().err == "itl: /etc/shadow: Permission denied\n"


# ---------------------------------------------------------------- the Python API


@needs_fifo
def test_the_api_refuses_a_fifo_and_dev_zero_without_hanging(tmp_path: Path) -> None:
    path = fifo(tmp_path)
    code = (
        "import sys, cisco_itl\n"
        "for p in sys.argv[1:]:\n"
        "    for read in (cisco_itl.TrustList.from_file, cisco_itl.SignedFile.from_file, cisco_itl._native.read_file):\n"
        "        try:\n"
        "            read(p)\n"
        "        except OSError as e:\n"
        "            print(type(e).__name__, e.strerror)\n"
        "    print(cisco_itl.verify_many([p])[0].error.strerror)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, path, "/dev/zero"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "OSError not a regular file (a FIFO)",
        "OSError not a regular file (a FIFO)",
        "OSError not a regular file (a FIFO)",
        "not a regular file (a FIFO)",
        "OSError not a regular file (a character device)",
        "OSError not a regular file (a character device)",
        "OSError not a regular file (a character device)",
        "not a regular file (a character device)",
    ]


def test_read_file_errors_are_the_usual_oserrors(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as dir_error:
        _native.read_file(tmp_path)
    assert dir_error.value.strerror == "not a regular file (a directory)"
    assert dir_error.value.filename == str(tmp_path)
    with pytest.raises(FileNotFoundError):
        _native.read_file(tmp_path / "missing")
    f = tmp_path / "ten"
    f.write_bytes(b"0123456789")
    assert _native.read_file(f, 10) == b"0123456789"
    with pytest.raises(OSError) as too_large:
        _native.read_file(f, 9)
    assert too_large.value.strerror == "larger than 9 bytes"
    big = tmp_path / "big.tlv"
    with open(big, "wb") as out:
        out.truncate(LIMIT + 1)
    with pytest.raises(OSError, match="larger than 1048576 bytes"):
        cisco_itl.TrustList.from_file(big)


# ---------------------------------------------------------------- show --json streams


def test_record_dicts_are_to_dicts_records_one_at_a_time() -> None:
    listed = cisco_itl.TrustList.from_file(ITL)
    whole = listed.to_dict()
    head = listed.to_dict(records=False)
    assert "records" not in head
    assert {k: v for k, v in whole.items() if k != "records"} == head
    assert list(listed.record_dicts()) == whole["records"] == [r.to_dict() for r in listed]
    it = listed.record_dicts()
    assert iter(it) is it
    assert next(it)["index"] == 0


def _old_document(path: str, data: bytes) -> str:
    """What ``show --json`` printed before it streamed: one json.dumps."""
    shown = cisco_itl.show(data)
    doc: dict[str, object] = {"schema": 1, "path": path, "outcome": shown.outcome, "error": shown.error}
    try:
        if shown.outcome == "signed-file":
            doc.update(cisco_itl.SignedFile.from_bytes(data).to_dict())
        else:
            doc.update(cisco_itl.TrustList.from_bytes(data).to_dict())
    except cisco_itl.ParseError as e:
        doc.update({"error": str(e), "error_type": type(e).__name__, "offset": e.offset})
    doc["verified"] = shown.outcome == "verified"
    return json.dumps(doc, indent=2) + "\n"


@pytest.mark.parametrize(
    "name",
    ["cucm-ITLFile.tlv", "cucm-CTLFile-etoken.tlv", "cucm-SEP0011215A1AE3.cnf.xml.sgn", "bad-truncated.tlv", "bad-signature-byte.tlv"],
)
def test_show_json_streams_the_same_text(name: str) -> None:
    path = str(VECTORS / name)
    r = itl("show", "--json", path)
    assert r.stdout == _old_document(path, read(name))


class _Counter(io.TextIOBase):
    """A stdout that counts what it is given and keeps nothing."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def test_show_json_memory_is_a_few_times_the_input(tmp_path: Path) -> None:
    """A list of 47,000 tiny records (1 MiB) made ~230 MiB of dicts before;
    now the Python heap peaks at a few times the file (tracemalloc counts
    every Python object, so this holds on any machine)."""
    data = tiny_list((LIMIT - 400) // 22)
    assert len(data) <= LIMIT
    path = tmp_path / "tiny.tlv"
    path.write_bytes(data)
    sink = _Counter()
    tracemalloc.start()
    try:
        with redirect_stdout(sink):
            status = cli.main(["show", "--json", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 1  # parsed, the signature no longer covers the records
    assert sink.chars > 10 * len(data)  # the document itself is large…
    assert peak < 3 * len(data), peak  # …and never held


def test_show_text_is_written_in_pieces() -> None:
    out = io.StringIO()
    shown = cisco_itl.show(read("cucm-ITLFile.tlv"), out=out)
    assert shown.text == "" and shown.outcome == "verified"
    assert out.getvalue() == cisco_itl.TrustList.from_file(ITL).show()
    assert cisco_itl.show(read("cucm-ITLFile.tlv"), text=False).text == ""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError("gone")

    with pytest.raises(BrokenPipeError):
        cisco_itl.show(read("cucm-ITLFile.tlv"), out=Closed())


def test_huge_inputs_give_an_exception_not_a_panic() -> None:
    """What would exhaust memory inside the extension (where a failed
    allocation aborts or panics) is refused at once with ``ValueError``."""
    many = cisco_itl.TrustList.from_bytes(tiny_list(65_537))
    with pytest.raises(ValueError, match="65537 records, more than the 65536"):
        many.to_dict()
    assert "records" not in many.to_dict(records=False)
    assert sum(1 for _ in many.record_dicts()) == 65_537
    huge = bytes(16 * 2**20 + 1)
    with pytest.raises(ValueError, match="pass out="):
        cisco_itl.show(huge)
    assert cisco_itl.show(huge, text=False).outcome == "malformed"
    assert cisco_itl.show(huge, out=_Counter()).outcome == "malformed"


@needs_fifo
def test_the_audit_reads_its_csv_and_certificates_bounded(tmp_path: Path) -> None:
    itls = tmp_path / "itls"
    itls.mkdir()
    shutil.copy(ITL, itls / "ITLFile.tlv")
    phones = fifo(tmp_path, "phones.csv")
    r = itl("audit", str(itls), phones)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "not a regular file (a FIFO)" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    good = tmp_path / "good.csv"
    good.write_text("Device Name,ITL SHA1\nSEP001122334455,\n", encoding="utf-8")
    r = itl("audit", str(itls), str(good), "--recovery", "/dev/zero")
    assert r.returncode == 2 and "not a regular file (a character device)" in r.stderr, r.stderr
    assert audit.read_phones(good) == [("SEP001122334455", "")]
    assert _native.MAX_REPORT_BYTES == 128 << 20


def test_stdin_is_read_in_pieces_up_to_the_limit() -> None:
    data = read("cucm-ITLFile.tlv")

    def show(limit: str) -> "subprocess.CompletedProcess[bytes]":
        return subprocess.run(
            [sys.executable, "-m", "cisco_itl", "show", "-", "--max-bytes", limit],
            input=data,
            capture_output=True,
            timeout=60,
        )

    # 1 TiB allowed: read as it comes, not allocated up front.
    r = show("1T")
    assert r.returncode == 0 and r.stdout.decode() == cisco_itl.TrustList.from_bytes(data).show()
    assert show(str(len(data))).returncode == 0
    r = show(str(len(data) - 1))
    assert r.returncode == 2 and r.stderr.decode() == f"itl: -: larger than {len(data) - 1} bytes\n"
