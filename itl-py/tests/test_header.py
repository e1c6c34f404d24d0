"""``Header``: the one class of the signed header that trust lists, signed
files and encrypted configurations share, and the files' own attributes
that read it."""

from __future__ import annotations

import pickle
from typing import Any, Dict, Union

import pytest

import cisco_itl
from conftest import REPO, key, read

FIELDS = ("filename", "version", "header_length", "signer_name", "signer_serial", "signer_issuer", "digest", "timestamp")

File = Union[cisco_itl.TrustList, cisco_itl.SignedFile, cisco_itl.EncryptedFile]


def parse(name: str) -> File:
    data = read(name)
    if name.endswith(".tlv"):
        return cisco_itl.TrustList.from_bytes(data)
    return cisco_itl.SignedFile.from_bytes(data)


def with_header(manifest: Dict[str, Any]) -> list[str]:
    return sorted(n for n, facts in manifest.items() if isinstance(facts, dict) and "header" in facts)


def test_the_manifest_header_facts(manifest: Dict[str, Any]) -> None:
    names = with_header(manifest)
    # Every trust list of the vectors (the manifest gives no .sgn header).
    assert len(names) == 9 and all(n.endswith(".tlv") for n in names)
    for name in names:
        facts = manifest[name]["header"]
        f = parse(name)
        h = f.header
        assert isinstance(h, cisco_itl.Header)
        for field in FIELDS:
            # The header's attribute, and the file's of the same name.
            assert getattr(h, field) == facts[field] == getattr(f, field), (name, field)
        assert len(h.signature) == facts["signature_length"] == len(f.signature), name
        assert h.signer_version == facts.get("signer_version") == f.signer_version, name


def test_one_header_object_per_file() -> None:
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    assert itl.header is itl.header
    assert itl.header == cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).header
    assert hash(itl.header) == hash(cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).header)
    assert itl.header != cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv")).header
    assert itl.header != itl


def test_header_bytes_and_dict() -> None:
    data = read("cucm-ITLFile.tlv")
    itl = cisco_itl.TrustList.from_bytes(data)
    h = itl.header
    assert h.to_bytes() == data[:336]
    whole = itl.to_dict(records=False)
    assert h.to_dict() == {k: whole[k] for k in h.to_dict()}
    assert sorted(h.to_dict()) == sorted(
        [
            "version",
            "header_length",
            "signer_name",
            "signer_serial",
            "signer_issuer",
            "digest",
            "signature",
            "filename",
            "timestamp",
            "timestamp_utc",
            "signer_version",
        ]
    )
    assert h.to_dict()["signature"] == h.signature.hex()
    assert repr(h) == (
        '<Header "ITLFile.tlv" version 1.2: signed by '
        '"CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL" with sha1>'
    )


def test_signed_file_header() -> None:
    data = read("cucm-SEP0011215A1AE3.cnf.xml.sgn")
    f = cisco_itl.SignedFile.from_bytes(data)
    assert f.header.filename == "SEP0011215A1AE3.cnf.xml.sgn"
    assert f.header.version == "1.0"
    assert f.header.to_bytes() + f.payload == data
    assert f.header.header_length == f.header_length == len(data) - len(f.payload)


def test_encrypted_file_header() -> None:
    phone = (REPO / "itl-core" / "tests" / "data" / "phone-SEP0011215A1AE3.pem").read_bytes()
    cert = phone[phone.index(b"-----BEGIN CERTIFICATE-----") :]
    data = cisco_itl.encrypt_config("SEP0011215A1AE3", b"<device/>\n", cert, key("callmanager-pub.pem"), "sha512", 1_773_075_600)
    f = cisco_itl.EncryptedFile.from_bytes(data)
    h = f.header
    assert (h.filename, h.version, h.digest, h.timestamp) == ("SEP0011215A1AE3.cnf.xml.enc.sgn", "2.0", "sha512", 1_773_075_600)
    assert (f.filename, f.version, f.digest, f.timestamp) == (h.filename, h.version, h.digest, h.timestamp)
    assert h.to_bytes() == data[: h.header_length]
    assert h.to_bytes() + f.ciphertext == data


def test_the_parsed_view_keeps_its_own_bytes() -> None:
    # The view is parsed once, from bytes the object keeps: a bytearray
    # changed afterwards changes nothing (it was copied), the header still
    # reads after the file object is gone, and after a pickle round trip.
    data = read("cucm-ITLFile.tlv")
    buffer = bytearray(data)
    itl = cisco_itl.TrustList.from_bytes(buffer)
    buffer[:] = bytes(len(buffer))
    assert itl.to_bytes() == data and itl.filename == "ITLFile.tlv" and len(itl) == 6
    assert itl[5].to_bytes() == data[itl[5].offset : itl[5].offset + itl[5].length]
    h = itl.header
    del itl
    assert h.filename == "ITLFile.tlv" and h.to_bytes() == data[:336]
    back = pickle.loads(pickle.dumps(cisco_itl.SignedFile.from_bytes(read("cucm-SEP0011215A1AE3.cnf.xml.sgn"))))
    assert back.header.filename == "SEP0011215A1AE3.cnf.xml.sgn"


@pytest.mark.parametrize("cls", [cisco_itl.TrustList, cisco_itl.SignedFile, cisco_itl.EncryptedFile])
def test_malformed_bytes_still_raise_at_construction(cls: type) -> None:
    with pytest.raises(cisco_itl.ParseError) as info:
        cls(b"\x01")
    assert info.value.offset is not None
