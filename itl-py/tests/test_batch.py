"""``verify_many``: input order, one outcome per item, the GIL released."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List

import pytest

import cisco_itl
from conftest import VECTORS, key, read

GOOD = ["cucm-ITLFile.tlv", "cucm-CTLFile-etoken.tlv", "peer-ITLFile-sha512-v1.1.tlv"]


def test_mixed_inputs_in_order(tmp_path: Path) -> None:
    unreadable = tmp_path / "missing.tlv"
    items: List[object] = [
        VECTORS / GOOD[0],
        read(GOOD[1]),
        str(VECTORS / "bad-truncated.tlv"),
        bytearray(read(GOOD[2])),
        b"",
        unreadable,
        memoryview(read("bad-signature-byte.tlv")),
    ]
    out = cisco_itl.verify_many(items)  # type: ignore[arg-type]
    assert [o.index for o in out] == list(range(7))
    assert [o.ok for o in out] == [True, True, False, True, False, False, False]
    assert [o.signer_index for o in out[:2]] == [0, 1]
    assert out[0].path == str(VECTORS / GOOD[0]) and out[1].path is None
    assert isinstance(out[2].error, cisco_itl.ParseError) and out[2].error.offset == 4448
    assert isinstance(out[4].error, cisco_itl.ParseError)
    assert isinstance(out[5].error, FileNotFoundError) and out[5].error.filename == str(unreadable)
    assert isinstance(out[6].error, cisco_itl.VerificationError)
    assert (out[3].digest, out[3].key_bits) == ("sha512", 2048)
    assert "ok" in repr(out[0]) and "ParseError" in repr(out[2])


@pytest.mark.parametrize("workers", [None, 1, 2, 3])
def test_workers_give_the_same_results(workers: int) -> None:
    items = [read(n) for n in GOOD + ["bad-record-byte.tlv"]] * 25
    out = cisco_itl.verify_many(items, workers=workers)
    assert [o.ok for o in out] == [True, True, True, False] * 25
    with pytest.raises(ValueError):
        cisco_itl.verify_many(items, workers=0)


def test_trusted_and_strict() -> None:
    items = [read("cucm-ITLFile.tlv"), read("peer-ITLFile-sha1.tlv"), read("cucm-ITLFile-reset.tlv")]
    out = cisco_itl.verify_many(items, trusted=key("callmanager-pub.pem"))
    assert [o.ok for o in out] == [True, False, False]
    out = cisco_itl.verify_many(items, trusted=cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")))
    assert [o.ok for o in out] == [True, False, True]
    out = cisco_itl.verify_many(items, strict=True)
    assert not any(o.ok for o in out)
    assert all(isinstance(o.error, cisco_itl.PolicyError) for o in out)
    assert cisco_itl.verify_many([]) == []
    with pytest.raises(TypeError):
        cisco_itl.verify_many([42])  # type: ignore[list-item]


def test_the_gil_is_released() -> None:
    """While a large batch verifies on another thread, this thread runs."""
    items = [read("peer-ITLFile-sha512-v1.1.tlv")] * 3000
    done = threading.Event()
    result: List[int] = []

    def work() -> None:
        result.append(sum(o.ok for o in cisco_itl.verify_many(items, workers=1)))
        done.set()

    t = threading.Thread(target=work)
    t.start()
    spins = 0
    while not done.is_set():
        spins += 1
    t.join()
    assert result == [3000]
    # Holding the GIL for the whole batch would leave this loop a handful
    # of turns at most (none can run during the call).
    assert spins > 1000


def test_verify_releases_the_gil_too() -> None:
    tl = cisco_itl.TrustList.from_bytes(read("peer-ITLFile-sha1.tlv"))
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(200):
                tl.verify()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
