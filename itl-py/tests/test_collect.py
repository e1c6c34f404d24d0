"""``itl collect tftp``: a fake TFTP server in a thread (tftpd-hpa is
tested by ``.ci/test-tftp``), a silent one, and the argument rules."""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest

import cisco_itl
from cisco_itl import _native, collect
from conftest import read


def _serve(listener: socket.socket, files: Dict[str, bytes]) -> None:
    """Answers read requests until the listener is closed."""
    while True:
        try:
            packet, client = listener.recvfrom(600)
        except OSError:
            return
        name = packet[2:].split(b"\0")[0].decode()
        transfer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        transfer.bind(("127.0.0.1", 0))
        transfer.settimeout(5)
        with transfer:
            if name not in files:
                transfer.sendto(struct.pack("!HH", 5, 1) + b"File not found\0", client)
                continue
            data = files[name]
            for block in range(1, len(data) // 512 + 2):
                transfer.sendto(struct.pack("!HH", 3, block) + data[(block - 1) * 512 : block * 512], client)
                try:
                    transfer.recvfrom(16)
                except OSError:
                    break


@pytest.fixture()
def server() -> Iterator[int]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    files = {
        "ITLFile.tlv": read("cucm-ITLFile.tlv"),
        "CTLFile.tlv": read("cucm-CTLFile-tokenless.tlv"),
        "ITLSEP001122334455.tlv": read("cucm-ITLFile-reset.tlv"),
    }
    thread = threading.Thread(target=_serve, args=(listener, files), daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    listener.close()


def itl(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-m", "cisco_itl", *args], capture_output=True, text=True, timeout=120)


def test_tftp_read(server: int) -> None:
    assert _native.tftp_read("127.0.0.1", server, "ITLFile.tlv") == read("cucm-ITLFile.tlv")
    with pytest.raises(FileNotFoundError, match="CTLSEP001122334455.tlv: not found on the server"):
        _native.tftp_read("127.0.0.1", server, "CTLSEP001122334455.tlv")
    with pytest.raises(ValueError, match="deadline"):
        _native.tftp_read("127.0.0.1", server, "ITLFile.tlv", deadline=0)


def test_collect_writes_the_layout_the_audit_reads(server: int, tmp_path: Path) -> None:
    r = itl("collect", "tftp", f"127.0.0.1:{server}", "--mac", "0011.2233.4455", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    (folder,) = (tmp_path / "127.0.0.1").iterdir()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{6}Z", folder.name)
    assert sorted(p.name for p in folder.iterdir()) == ["CTLFile.tlv", "ITLFile.tlv", "ITLSEP001122334455.tlv"]
    assert (folder / "ITLSEP001122334455.tlv").read_bytes() == read("cucm-ITLFile-reset.tlv")
    assert f"127.0.0.1:{server}: CTLSEP001122334455.tlv: not served" in r.stdout.splitlines()
    sha1 = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).sha1
    assert f"127.0.0.1:{server}: ITLFile.tlv: {len(read('cucm-ITLFile.tlv'))} bytes (ITL, sha1 {sha1})" in r.stdout


def test_a_silent_server_ends_in_exit_2_naming_it(tmp_path: Path) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    with silent:
        start = time.monotonic()
        r = itl("collect", "tftp", f"127.0.0.1:{port}", "--deadline", "1", "-o", str(tmp_path))
        elapsed = time.monotonic() - start
    assert r.returncode == 2
    assert r.stderr.startswith(f"itl collect: 127.0.0.1:{port}: ITLFile.tlv: ")
    assert elapsed < 30
    assert not (tmp_path / "127.0.0.1").exists()


def test_arguments() -> None:
    assert collect.parse_server("cucm-pub") == ("cucm-pub", 69)
    assert collect.parse_server("10.0.0.1:6969") == ("10.0.0.1", 6969)
    assert collect.parse_server("[::1]:69") == ("::1", 69)
    assert collect.parse_server("fe80::1") == ("fe80::1", 69)
    for bad in ("", "host:x", "host:0", "a b"):
        with pytest.raises(ValueError):
            collect.parse_server(bad)
    assert collect.parse_mac("00:11:22:aa:bb:cc") == "001122AABBCC"
    assert collect.parse_mac("SEP0011.22AA.BBCC") == "001122AABBCC"
    with pytest.raises(ValueError, match="MAC"):
        collect.parse_mac("0011")
    assert collect.files_for(["001122AABBCC"]) == [
        "ITLFile.tlv",
        "CTLFile.tlv",
        "ITLSEP001122AABBCC.tlv",
        "CTLSEP001122AABBCC.tlv",
    ]
    assert collect.stamp(0) == "1970-01-01T000000Z"
    r = itl("collect", "tftp", "a", "a:70", "-o", "/nonexistent")
    assert (r.returncode, r.stderr) == (2, "itl collect: give each server once (its folder is named by its host)\n")
