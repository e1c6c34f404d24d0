"""Malformed input: the right exception class, with its offset; never a crash."""

from __future__ import annotations

import random
from typing import Type

import pytest

import cisco_itl
from conftest import key, read

BAD = {
    "bad-empty.tlv": (cisco_itl.ParseError, 0, "the file is empty"),
    "bad-header-length-past-end.tlv": (cisco_itl.ParseError, 5, "header length 65520 at offset 5"),
    "bad-record-length-zero.tlv": (cisco_itl.ParseError, 336, "declares a length of zero"),
    "bad-trailing-garbage.tlv": (cisco_itl.ParseError, 5173, "is truncated"),
    "bad-truncated.tlv": (cisco_itl.ParseError, 4448, "declares 725 bytes, only 625 remain"),
}

TAMPERED = {
    "bad-signature-byte.tlv": "the signature does not verify",
    "bad-record-byte.tlv": "SUBJECTNAME does not match its CERTIFICATE",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_raises_parse_error_with_offset(name: str) -> None:
    cls, offset, text = BAD[name]
    with pytest.raises(cls) as info:
        cisco_itl.TrustList.from_bytes(read(name))
    assert info.value.offset == offset
    assert text in str(info.value)
    # ParseError is also a ValueError, and every error a cisco_itl.Error.
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, cisco_itl.Error)


@pytest.mark.parametrize("name", sorted(TAMPERED))
def test_tampered_raises_verification_error(name: str) -> None:
    tl = cisco_itl.TrustList.from_bytes(read(name))
    with pytest.raises(cisco_itl.VerificationError, match=TAMPERED[name]) as info:
        tl.verify()
    assert info.value.offset is None
    assert not isinstance(info.value, ValueError)


def test_hierarchy() -> None:
    for cls in (cisco_itl.ParseError, cisco_itl.VerificationError, cisco_itl.CredentialError, cisco_itl.PolicyError):
        assert issubclass(cls, cisco_itl.Error)
    assert issubclass(cisco_itl.Error, Exception)
    assert issubclass(cisco_itl.ParseError, ValueError)
    e = cisco_itl.ParseError("x", offset=3)
    assert (str(e), e.offset) == ("x", 3)
    assert repr(e) == "ParseError('x', offset=3)"


def test_errors_pickle() -> None:
    import pickle

    try:
        cisco_itl.TrustList.from_bytes(read("bad-truncated.tlv"))
    except cisco_itl.ParseError as e:
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is cisco_itl.ParseError
        assert (str(back), back.offset) == (str(e), e.offset)


def test_strict_policy_is_a_policy_error() -> None:
    tl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    with pytest.raises(cisco_itl.PolicyError, match="SHA-1"):
        tl.verify(strict=True)
    # A SHA-512 list with a 2048-bit key passes the strict policy.
    assert cisco_itl.TrustList.from_bytes(read("peer-ITLFile-sha512-v1.1.tlv")).verify(strict=True).index == 0


@pytest.mark.parametrize(
    "call, cls",
    [
        (lambda: cisco_itl.sign_file(b"x", "a.sgn", b"not a key"), cisco_itl.CredentialError),
        (lambda: cisco_itl.sign_file(b"x", "a.sgn", key("capf.pem")[:200]), cisco_itl.CredentialError),
        (lambda: cisco_itl.TrustListBuilder().add(b"junk", "SAST"), cisco_itl.CredentialError),
        (lambda: cisco_itl.TrustListBuilder().sign(key("capf.pem")), cisco_itl.Error),
        (lambda: cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), key("ITLRecovery.p12"), "wrong", trusted=read("cucm-ITLFile.tlv")), cisco_itl.CredentialError),
        (lambda: cisco_itl.reset_itl(read("cucm-ITLFile.tlv"), b"\x30\x03\x02", "x", trusted=read("cucm-ITLFile.tlv")), cisco_itl.CredentialError),
        (lambda: cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv")).verify_with(b"junk"), cisco_itl.CredentialError),
        (lambda: cisco_itl.SignedFile.from_bytes(b"\x01"), cisco_itl.ParseError),
        # The phone refusing a TVS server is a refusal like any other (C's
        # ITL_ERR_REJECTED): category `rejected`, PolicyError.
        (lambda: cisco_itl.Phone().authenticate_tvs(b"junk"), cisco_itl.PolicyError),
    ],
)
def test_each_error_has_its_class(call: object, cls: Type[BaseException]) -> None:
    assert callable(call)
    with pytest.raises(cls):
        call()


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        cisco_itl.TrustList.from_bytes("a str")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cisco_itl.TrustList.from_bytes(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cisco_itl.TrustListBuilder().add(key("capf.pem"), "NOT-A-ROLE")
    with pytest.raises(ValueError):
        cisco_itl.TrustListBuilder(digest="md5")
    with pytest.raises(ValueError):
        cisco_itl.TrustListBuilder("XTL")  # type: ignore[arg-type]


def test_missing_file_is_an_os_error(tmp_path: object) -> None:
    with pytest.raises(FileNotFoundError) as info:
        cisco_itl.TrustList.from_file("/nonexistent/ITLFile.tlv")
    assert info.value.filename == "/nonexistent/ITLFile.tlv"


def test_random_mutations_never_crash() -> None:
    """Thousands of mutated copies of each vector: every one ends in a
    value, a ParseError or a VerificationError; never another exception,
    never a crash, and a changed signed byte never verifies."""
    rng = random.Random(11)
    originals = [read(n) for n in ("cucm-ITLFile.tlv", "cucm-CTLFile-etoken.tlv", "peer-ITLFile-sha512-v1.1.tlv")]
    for original in originals:
        for _ in range(700):
            data = bytearray(original)
            for _ in range(rng.randint(1, 4)):
                op = rng.random()
                if op < 0.6 and data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
                elif op < 0.8:
                    del data[rng.randrange(len(data) + 1) :]
                else:
                    at = rng.randrange(len(data) + 1)
                    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            mutated = bytes(data)
            try:
                tl = cisco_itl.TrustList.from_bytes(mutated)
                _ = (tl.records, tl.signer_index, tl.show(), tl.to_dict(), repr(tl))
                tl.verify()
                assert mutated == original, "a mutated list verified"
            except (cisco_itl.ParseError, cisco_itl.VerificationError, cisco_itl.PolicyError):
                pass
            cisco_itl.show(mutated)
