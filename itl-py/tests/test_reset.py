"""ITL recovery: ``reset_itl`` as ``utils itl reset``, and only for an ITL
that verifies against what the caller trusts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import cisco_itl
from cisco_itl import _native
from conftest import KEYS, key, password, read

P12 = key("ITLRecovery.p12")
CM = key("callmanager-pub.pem")


def forged_itl() -> bytes:
    """The attacker's self-signed ITL: their key as SAST and CCM+TFTP, the
    cluster's public ITLRECOVERY record copied byte for byte from the
    genuine ITL. It verifies against itself."""
    evil = key("peer-asterisk.pem")
    genuine = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    recovery = genuine.records[4]
    assert recovery.subject.startswith("CN=ITLRECOVERY_")
    assert recovery.certificate is not None
    out = (
        cisco_itl.TrustListBuilder(timestamp=genuine.timestamp + 60)
        .add(evil, "SAST")
        .add(evil, "CCM+TFTP")
        .add(recovery.certificate, "SAST")
        .sign(evil)
    )
    assert cisco_itl.TrustList.from_bytes(out).verify().index == 0
    return out


def test_reset_is_byte_identical_to_cucms() -> None:
    out = cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=CM)
    assert out == read("cucm-ITLFile-reset.tlv")
    reset = cisco_itl.TrustList.from_bytes(out)
    assert reset.verify().index == 4
    assert reset.signer_name.startswith("CN=ITLRECOVERY_")


def test_each_kind_of_trust_resets_the_genuine_itl() -> None:
    # Another list holding the signer (here the reset ITL: its SAST record
    # is the CallManager certificate); the ITL itself vouches for nothing.
    other = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile-reset.tlv"))
    options: List[_native.Trusted] = [
        CM,
        cisco_itl.certificate_der(CM),
        other,
        read("cucm-ITLFile-reset.tlv"),
        read("cucm-CTLFile-tokenless.tlv"),
        [key("tvs-sub1.pem"), other],
    ]
    for trusted in options:
        assert cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=trusted) == read(
            "cucm-ITLFile-reset.tlv"
        )


def test_legacy_pkcs12_and_untrusted() -> None:
    out = cisco_itl.reset_itl(
        bytearray(read("cucm-ITLFile.tlv")),
        key("ITLRecovery-legacy.p12"),
        password(),
        trusted=CM,
    )
    assert out == read("cucm-ITLFile-reset.tlv")
    with pytest.raises(cisco_itl.VerificationError, match="not signed by a trusted certificate"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=key("tvs-sub1.pem"))


def test_the_attackers_self_signed_itl_is_not_laundered() -> None:
    forged = forged_itl()
    # Trust is required.
    with pytest.raises(TypeError, match="trusted"):
        cisco_itl.reset_itl(forged, P12, password())  # type: ignore[call-arg]
    with pytest.raises(cisco_itl.VerificationError, match="nothing trusted was given"):
        cisco_itl.reset_itl(forged, P12, password(), trusted=[])
    # Whatever of the cluster's is trusted, the attacker's signer is not it.
    for trusted in (
        CM,
        cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")),
        read("cucm-ITLFile-reset.tlv"),
        read("cucm-CTLFile-tokenless.tlv"),
    ):
        with pytest.raises(
            cisco_itl.VerificationError,
            match="^the current ITL is not signed by a trusted certificate: the signer is not among the trusted certificates$",
        ):
            cisco_itl.reset_itl(forged, P12, password(), trusted=trusted)
    # Nor does the forgery vouch for itself (`itl reset F --trust F`), nor
    # the genuine ITL for itself.
    for itl in (forged, read("cucm-ITLFile.tlv")):
        with pytest.raises(cisco_itl.VerificationError, match="a list cannot vouch for itself"):
            cisco_itl.reset_itl(itl, P12, password(), trusted=itl)


def test_refusals() -> None:
    with pytest.raises(cisco_itl.CredentialError, match="wrong password"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, "not the password", trusted=CM)
    with pytest.raises(cisco_itl.VerificationError, match="does not verify, so it is not re-signed"):
        cisco_itl.reset_itl(read("bad-signature-byte.tlv"), P12, password(), trusted=CM)
    with pytest.raises(cisco_itl.ParseError):
        cisco_itl.reset_itl(read("bad-truncated.tlv"), P12, password(), trusted=CM)
    with pytest.raises(cisco_itl.CredentialError, match="trusted certificate 2 is unusable"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=[CM, key("peer-apache-ec.pem")])
    with pytest.raises(TypeError, match="trusted must be"):
        cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), P12, password(), trusted=42)  # type: ignore[arg-type]
    # An ITL without the ITLRECOVERY record: no phone would take the result.
    old = cisco_itl.TrustListBuilder(timestamp=1).add(CM, "SAST").add(CM, "TFTP").sign(CM)
    with pytest.raises(cisco_itl.PolicyError, match="no SAST record for the recovery certificate"):
        cisco_itl.reset_itl(old, P12, password(), trusted=CM)


def test_pkcs12_certificate_is_the_recovery_record() -> None:
    der = cisco_itl.pkcs12_certificate(P12, password())
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    assert itl.records[4].certificate == der
    assert cisco_itl.certificate_der(key("itlrecovery.pem")) == der


def itl(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl.cli", *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def test_the_command_requires_trust_and_refuses_the_forgery(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text(password() + "\n")
    forged = tmp_path / "ITLFile.tlv"
    forged.write_bytes(forged_itl())
    args: List[str] = ["reset", str(forged), "--p12", str(KEYS / "ITLRecovery.p12"), "--password-file", str(pw)]
    # No --trust: exit 2, one line, nothing written.
    r = itl(*args)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("itl: reset: --trust is required")
    assert not (tmp_path / "ITLFile-reset.tlv").exists()
    # Trusting the publisher's CallManager, or the phones' ITL: refused.
    for trust in ("callmanager-pub.pem", "../cucm-ITLFile.tlv"):
        r = itl(*args, "--trust", str(KEYS / trust))
        assert r.returncode == 1, r.stderr
        assert "not reset: the current ITL is not signed by a trusted certificate" in r.stderr
        assert not (tmp_path / "ITLFile-reset.tlv").exists()
    # A --trust file that is neither a list nor a certificate.
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"not a certificate")
    r = itl(*args, "--trust", str(junk))
    assert r.returncode == 2 and "junk.pem: neither a trust list nor a certificate" in r.stderr
    # The genuine ITL with the right trust: CUCM's bytes.
    genuine = tmp_path / "genuine.tlv"
    genuine.write_bytes(read("cucm-ITLFile.tlv"))
    args[1] = str(genuine)
    r = itl(*args, "--trust", str(KEYS / "callmanager-pub.pem"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "genuine-reset.tlv").read_bytes() == read("cucm-ITLFile-reset.tlv")
