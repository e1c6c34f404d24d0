"""Round trips: identical bytes back, built lists that reproduce CUCM's
files byte for byte, signed files made, verified and stripped."""

from __future__ import annotations

import pickle

import pytest

import cisco_itl
from conftest import VECTORS, key, read

PUB, CAPF, TVS_PUB, TVS_SUB1, RECOVERY = (
    key("callmanager-pub.pem"),
    key("capf.pem"),
    key("tvs-pub.pem"),
    key("tvs-sub1.pem"),
    key("itlrecovery.pem"),
)


@pytest.mark.parametrize("name", sorted(p.name for p in VECTORS.glob("*.tlv") if not p.name.startswith("bad-")))
def test_identical_bytes_back(name: str) -> None:
    data = read(name)
    for made in (
        cisco_itl.TrustList.from_bytes(data),
        cisco_itl.TrustList(bytearray(data)),
        cisco_itl.TrustList(memoryview(data)),
        cisco_itl.TrustList.from_file(VECTORS / name),
        cisco_itl.TrustList.from_file(str(VECTORS / name)),
    ):
        assert made.to_bytes() == data
        assert b"".join(r.to_bytes() for r in made) == data[made.header_length :]
    tl = cisco_itl.TrustList.from_bytes(data)
    assert tl.to_bytes() is data  # bytes are kept, not copied
    assert pickle.loads(pickle.dumps(tl)) == tl
    assert hash(cisco_itl.TrustList(bytes(data))) == hash(tl)


def test_builder_reproduces_cucm_itl() -> None:
    original = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    builder = (
        cisco_itl.TrustListBuilder("ITL", timestamp=original.timestamp)
        .add(PUB, "SAST")
        .add(PUB, "TFTP")
        .add(CAPF, "CAPF")
        .add(TVS_PUB, "TVS")
        .add(RECOVERY, "SAST")
        .add(TVS_SUB1, "TVS")
    )
    assert len(builder) == 6
    assert builder.sign(PUB) == original.to_bytes()


def test_builder_reproduces_cucm_tokenless_ctl() -> None:
    original = cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv"))
    pub_node = {"dns_name": "cucm-1051-a-pub", "ip_address": "10.48.47.155"}
    data = (
        cisco_itl.TrustListBuilder("CTL", timestamp=original.timestamp)
        .add(PUB, "SAST", **pub_node)
        .add(PUB, "CCM+TFTP", **pub_node)
        .add(CAPF, "CAPF", **pub_node)
        .add(key("callmanager-sub1.pem"), "CCM+TFTP", dns_name="cucm-1051-a-sub1", ip_address="10.48.47.156")
        .sign(PUB)
    )
    assert data == original.to_bytes()


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("layout", ["cucm", "rfc4514"])
def test_built_lists_parse_and_verify(digest: str, layout: str) -> None:
    b = cisco_itl.TrustListBuilder("ITL", timestamp=1_700_000_000, digest=digest, layout=layout, filename="ITLSEP001122334455.tlv")
    b.add(PUB, "SAST").add(PUB, "TFTP").add(TVS_PUB, "TVS").add(CAPF, 4).add(key("peer-asterisk.pem"), "APP-SERVER", 99)
    tl = cisco_itl.TrustList.from_bytes(b.sign(PUB))
    assert (tl.digest, tl.filename, tl.timestamp, len(tl)) == (digest, "ITLSEP001122334455.tlv", 1_700_000_000, 5)
    assert tl.verify().index == 0
    assert tl.records[4].functions == ["APP-SERVER", 99]
    assert tl.records[4].has_function(99) and tl.records[4].has_function("app_server")
    if layout == "cucm":
        assert ";" in tl.signer_name and tl.signer_version is None
        assert tl.records[2].certificate is None and tl.records[2].cert_hash is not None
    else:
        assert tl.signer_name.startswith("C=") and "," in tl.signer_name
        assert tl.signer_version == "1.0"
        assert tl.records[2].certificate is not None
    assert tl.verify_with(PUB).key_bits == 1024


def test_builder_with_a_separate_der_key_and_certificate() -> None:
    import base64
    import re

    def block(label: str) -> bytes:
        m = re.search(rb"-----BEGIN " + label.encode() + rb"-----(.*?)-----END", PUB, re.S)
        assert m is not None
        return base64.b64decode(b"".join(m.group(1).split()))

    der_key = block("RSA PRIVATE KEY")
    der_cert = block("CERTIFICATE")
    assert cisco_itl.certificate_der(PUB) == der_cert
    data = cisco_itl.TrustListBuilder(timestamp=1).add(der_cert, "SAST").sign(der_key, der_cert)
    assert cisco_itl.TrustList.from_bytes(data).verify().index == 0
    with pytest.raises(cisco_itl.CredentialError, match="certificate="):
        cisco_itl.TrustListBuilder(timestamp=1).add(der_cert, "SAST").sign(der_key)
    with pytest.raises(cisco_itl.CredentialError, match="does not match"):
        cisco_itl.TrustListBuilder(timestamp=1).add(der_cert, "SAST").sign(der_key, CAPF)


def test_builder_attributes() -> None:
    b = cisco_itl.TrustListBuilder("ctl")
    assert (b.kind, b.filename, b.digest, b.layout, b.version, b.timestamp) == ("CTL", "CTLFile.tlv", "sha1", "cucm", "1.2", None)
    b.digest, b.layout, b.filename, b.timestamp, b.version = "SHA-256", "rfc4514", "x.tlv", 5, "1.1"
    assert (b.digest, b.layout, b.filename, b.timestamp, b.version) == ("sha256", "rfc4514", "x.tlv", 5, "1.1")
    assert "CTL" in repr(b)
    with pytest.raises(ValueError):
        b.add(PUB)


def test_signed_file_reproduces_cucm_and_verifies() -> None:
    original = cisco_itl.SignedFile.from_bytes(read("cucm-SEP0011215A1AE3.cnf.xml.sgn"))
    made = cisco_itl.sign_file(original.payload, original.filename, PUB, timestamp=original.timestamp)
    assert made == original.to_bytes()
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    v = original.verify_with(itl)
    assert (v.trusted_index, v.trusted_record, v.signer_index) == (0, 1, None)  # the TFTP record
    assert original.verify_with(PUB).trusted_record is None
    # Only CCM+TFTP and TFTP records sign configuration files, by default.
    with pytest.raises(cisco_itl.VerificationError):
        original.verify_with(itl, functions=["CAPF", "TVS"])
    assert original.verify_with(itl, functions=["SAST"]).trusted_record == 0
    with pytest.raises(cisco_itl.VerificationError):
        original.verify_with(CAPF)


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_sign_verify_strip(digest: str) -> None:
    payload = b"<device><loadInformation/></device>"
    data = cisco_itl.sign_file(payload, "SEP001122334455.cnf.xml.sgn", PUB, digest, timestamp=42)
    sgn = cisco_itl.SignedFile.from_bytes(data)
    assert (sgn.payload, sgn.filename, sgn.digest, sgn.timestamp, sgn.version) == (
        payload,
        "SEP001122334455.cnf.xml.sgn",
        digest,
        42,
        "1.0",
    )
    assert sgn.verify_with([CAPF, PUB]).trusted_index == 1
    tampered = bytearray(data)
    tampered[-1] ^= 1
    with pytest.raises(cisco_itl.VerificationError):
        cisco_itl.SignedFile.from_bytes(bytes(tampered)).verify_with(PUB)
    assert pickle.loads(pickle.dumps(sgn)) == sgn
    assert sgn.to_dict()["payload_length"] == len(payload)
    assert "Payload: 35 bytes after the header." in sgn.show()


def test_verify_with_a_trusted_list_reports_the_record() -> None:
    ctl = cisco_itl.TrustList.from_bytes(read("cucm-CTLFile-tokenless.tlv"))
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    v = itl.verify_with(ctl)
    assert (v.trusted_index, v.trusted_record, v.signer_index, v.digest, v.key_bits) == (0, 0, 0, "sha1", 1024)
    v = itl.verify_with([CAPF, ctl], functions=["CCM+TFTP"])
    assert (v.trusted_index, v.trusted_record) == (1, 1)
    # The bytes of a list are a list, not a certificate.
    v = itl.verify_with([CAPF, ctl.to_bytes()], functions=["CCM+TFTP"])
    assert (v.trusted_index, v.trusted_record) == (1, 1)
    with pytest.raises(cisco_itl.VerificationError):
        itl.verify_with(ctl, functions=["CAPF"])
    with pytest.raises(cisco_itl.VerificationError):
        cisco_itl.TrustList.from_bytes(read("peer-ITLFile-sha1.tlv")).verify_with(itl)
    with pytest.raises(TypeError):
        itl.verify_with(42)  # type: ignore[arg-type]


def test_show_matches_the_rust_renderer() -> None:
    tl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    text = tl.show()
    assert text.startswith("The checksum value of the ITL file: f0dc87a3c81bb8d80368475693ba32b5(MD5)")
    assert text.endswith("The ITL file was verified successfully.\n")
    shown = cisco_itl.show(read("cucm-ITLFile.tlv"))
    assert (shown.text, shown.outcome, shown.error) == (text, "verified", None)
    assert cisco_itl.show(read("bad-signature-byte.tlv")).outcome == "not-verified"
    assert cisco_itl.show(read("bad-truncated.tlv")).outcome == "malformed"
    assert cisco_itl.show(read("cucm-SEP0011215A1AE3.cnf.xml.sgn")).outcome == "signed-file"
    assert cisco_itl.show(b"", kind="CTL").outcome == "malformed"


def test_to_dict_is_json_ready() -> None:
    import json

    d = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).to_dict()
    text = json.dumps(d)
    assert json.loads(text)["records"][3]["cert_hash"] == "49cddffac0862388a955053f12d24a1fce4db50d"
    assert d["signer_index"] == 0 and d["kind"] == "ITL" and d["sha1"] == "15092ad3a33b9e44b50a0aa4cdc32b588de87f52"


def test_records_and_indexing() -> None:
    tl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    assert [r.index for r in tl] == list(range(6))
    assert tl[-1] == tl[5] and tl[0] != tl[1]
    with pytest.raises(IndexError):
        tl[6]
    with pytest.raises(IndexError):
        tl[-7]
    assert [r.index for r in tl.records_with("TVS")] == [3, 5]
    assert [r.index for r in tl.records_with("SAST", "CAPF")] == [0, 2, 4]
    assert {tl[0], tl[0]} == {tl[0]}
