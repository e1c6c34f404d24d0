"""Every vector against every fact of ``manifest.json``."""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List

import pytest

import cisco_itl
from conftest import VECTORS, read

NAMES: List[str] = sorted(p.name for p in VECTORS.iterdir() if p.suffix in (".tlv", ".sgn"))


def test_every_vector_file_is_in_the_manifest(manifest: Dict[str, Any]) -> None:
    assert sorted(manifest) == NAMES


def check_header(got: Any, want: Dict[str, Any]) -> None:
    assert got.digest == want["digest"]
    assert got.filename == want["filename"]
    assert got.header_length == want["header_length"]
    assert len(got.signature) == want["signature_length"]
    assert got.signer_issuer == want["signer_issuer"]
    assert got.signer_name == want["signer_name"]
    assert got.signer_serial == want["signer_serial"]
    assert got.timestamp == want["timestamp"]
    assert got.version == want["version"]
    assert got.signer_version == want.get("signer_version")


def check_record(r: cisco_itl.Record, want: Dict[str, Any]) -> None:
    assert r.length == want["record_length"]
    assert r.dns_name == want.get("dns_name")
    assert r.functions == want["functions"]
    assert r.function == want["functions"][0]
    assert r.issuer == want["issuer"]
    assert r.subject == want["subject"]
    assert r.serial == want["serial"]
    assert (len(r.public_key) if r.public_key is not None else None) == want.get("public_key_length")
    assert (len(r.signature) if r.signature is not None else None) == want.get("signature_length")
    assert (len(r.certificate) if r.certificate is not None else None) == want.get("certificate_length")
    cert_sha1 = hashlib.sha1(r.certificate).hexdigest() if r.certificate is not None else None
    assert cert_sha1 == want.get("certificate_sha1")
    assert (r.cert_hash.hex() if r.cert_hash is not None else None) == want.get("cert_hash")
    assert r.hash_algorithm == want.get("hash_algorithm")
    raw_ip = want.get("ip_address")
    expected_ip = ".".join(str(b) for b in bytes.fromhex(raw_ip)) if raw_ip is not None else None
    assert r.ip_address == expected_ip
    assert len(r.to_bytes()) == r.length


@pytest.mark.parametrize("name", NAMES)
def test_vector(name: str, manifest: Dict[str, Any]) -> None:
    want = manifest[name]
    data = read(name)
    assert len(data) == want["length"]
    if "expect" in want:
        # Malformed or tampered: a ParseError or a failed verification,
        # never a crash and never an accepted file.
        assert want["expect"] == "error or failed verification, never a crash"
        with pytest.raises((cisco_itl.ParseError, cisco_itl.VerificationError)):
            cisco_itl.TrustList.from_bytes(data).verify()
        return
    if name.endswith(".sgn"):
        sgn = cisco_itl.SignedFile.from_bytes(data)
        assert sgn.md5 == want["md5"] and sgn.sha1 == want["sha1"]
        if "header" in want:
            check_header(sgn, want["header"])
        assert sgn.to_bytes() == data
        assert len(sgn.payload) == len(data) - sgn.header_length
        return
    tl = cisco_itl.TrustList.from_bytes(data)
    assert tl.md5 == want["md5"] and tl.sha1 == want["sha1"]
    check_header(tl, want["header"])
    assert len(tl) == len(want["records"])
    for r, w in zip(tl.records, want["records"]):
        check_record(r, w)
    assert tl.signer_index == want["signed_by_record"]
    if want["self_signature_valid"]:
        signer = tl.verify()
        assert signer.index == want["signed_by_record"]
        assert signer == tl.records[want["signed_by_record"]]
    else:
        with pytest.raises(cisco_itl.VerificationError):
            tl.verify()
    assert tl.to_bytes() == data
    assert tl.kind == ("CTL" if want["header"]["filename"].upper().startswith("CTL") else "ITL")


def test_verify_many_agrees_with_the_manifest(manifest: Dict[str, Any]) -> None:
    lists = [n for n in NAMES if n.endswith(".tlv")]
    outcomes = cisco_itl.verify_many([VECTORS / n for n in lists], workers=2)
    assert [o.index for o in outcomes] == list(range(len(lists)))
    for name, o in zip(lists, outcomes):
        want = manifest[name]
        good = "expect" not in want and want["self_signature_valid"]
        assert o.ok is good, (name, o)
        assert bool(o) is good
        if good:
            assert o.signer_index == want["signed_by_record"]
            assert o.digest == want["header"]["digest"]
            assert o.error is None
        else:
            assert isinstance(o.error, (cisco_itl.ParseError, cisco_itl.VerificationError))
