"""ITL recovery: ``reset_itl`` as ``utils itl reset``."""

from __future__ import annotations

import pytest

import cisco_itl
from conftest import key, password, read

P12 = key("ITLRecovery.p12")


def test_reset_is_byte_identical_to_cucms() -> None:
    out = cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password())
    assert out == read("cucm-ITLFile-reset.tlv")
    reset = cisco_itl.TrustList.from_bytes(out)
    assert reset.verify().index == 4
    assert reset.signer_name.startswith("CN=ITLRECOVERY_")


def test_legacy_pkcs12_and_trusted() -> None:
    out = cisco_itl.reset_itl(
        bytearray(read("cucm-ITLFile.tlv")),
        key("ITLRecovery-legacy.p12"),
        password(),
        trusted=key("callmanager-pub.pem"),
    )
    assert out == read("cucm-ITLFile-reset.tlv")
    with pytest.raises(cisco_itl.VerificationError, match="not signed by a trusted certificate"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=key("tvs-sub1.pem"))


def test_refusals() -> None:
    with pytest.raises(cisco_itl.CredentialError, match="wrong password"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, "not the password")
    with pytest.raises(cisco_itl.VerificationError, match="does not verify, so it is not re-signed"):
        cisco_itl.reset_itl(read("bad-signature-byte.tlv"), P12, password())
    with pytest.raises(cisco_itl.ParseError):
        cisco_itl.reset_itl(read("bad-truncated.tlv"), P12, password())
    # An ITL without the ITLRECOVERY record: no phone would take the result.
    pub = key("callmanager-pub.pem")
    old = cisco_itl.TrustListBuilder(timestamp=1).add(pub, "SAST").add(pub, "TFTP").sign(pub)
    with pytest.raises(cisco_itl.PolicyError, match="no SAST record for the recovery certificate"):
        cisco_itl.reset_itl(old, P12, password())


def test_pkcs12_certificate_is_the_recovery_record() -> None:
    der = cisco_itl.pkcs12_certificate(P12, password())
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    assert itl.records[4].certificate == der
    assert cisco_itl.certificate_der(key("itlrecovery.pem")) == der
