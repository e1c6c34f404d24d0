"""Encrypted configurations (``SEP<MAC>.cnf.xml.enc.sgn``): the Python API
(``EncryptedFile``, ``encrypt_config``, ``Companion``, the phone's key) and
the ``itl encrypt`` / ``itl decrypt`` / ``itl show`` commands end to end,
with ``openssl`` as an independent check of the layout."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

import cisco_itl
from conftest import KEYS, REPO, VECTORS, key

DATA = REPO / "itl-core" / "tests" / "data"
PHONE = DATA / "phone-SEP0011215A1AE3.pem"
OTHER_PHONE = DATA / "phone-SEP001122334455-mic.pem"
TFTP = KEYS / "callmanager-pub.pem"
OTHER_SIGNER = KEYS / "callmanager-sub1.pem"
DEVICE = "SEP0011215A1AE3"
NAME = DEVICE + ".cnf.xml.enc.sgn"
XML = b"<device><deviceProtocol>SCCP</deviceProtocol><sshUserId>admin</sshUserId></device>\n"
TS = 1_773_075_600


def pem_cert(pem: bytes) -> bytes:
    """The CERTIFICATE block of a key+certificate PEM."""
    start = pem.index(b"-----BEGIN CERTIFICATE-----")
    end = pem.index(b"-----END CERTIFICATE-----") + len(b"-----END CERTIFICATE-----\n")
    return pem[start:end]


def phone_pem() -> bytes:
    return PHONE.read_bytes()


def encrypted(digest: str = "sha1", xml: bytes = XML) -> bytes:
    return cisco_itl.encrypt_config(DEVICE, xml, pem_cert(phone_pem()), key("callmanager-pub.pem"), digest, TS)


needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")


@pytest.fixture(scope="module")
def impostor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A key and certificate that name the same phone but are not its own
    (made with openssl): what a wrong key looks like."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    d = tmp_path_factory.mktemp("impostor")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={DEVICE}",
         "-keyout", str(d / "k.pem"), "-out", str(d / "c.pem")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    both = d / "impostor.pem"
    both.write_bytes((d / "k.pem").read_bytes() + (d / "c.pem").read_bytes())
    return both


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(("digest", "size"), [("sha1", 20), ("sha512", 64)])
def test_round_trip_and_layout(digest: str, size: int) -> None:
    data = encrypted(digest)
    f = cisco_itl.EncryptedFile.from_bytes(data)
    assert f.to_bytes() == data and f == cisco_itl.EncryptedFile(data) and hash(f) == hash(cisco_itl.EncryptedFile(data))
    assert f.filename == NAME and f.device == DEVICE and f.version == "2.0"
    assert f.digest == digest and f.plain_digest_algorithm == digest
    assert f.timestamp == TS
    assert f.signer_name.startswith("CN=cucm-1051-a-pub;")
    assert (f.iv_type, f.key_type, f.key_format, f.key_bits) == (0, 0, 1, 2048)
    assert len(f.iv) == 16 and len(f.wrapped_key) == 256
    assert f.padding_length == 16 - len(XML) % 16
    assert len(f.ciphertext) == len(XML) + f.padding_length
    assert f.plain_digest == hashlib.new(digest, XML).digest() and len(f.plain_digest) == size
    assert len(data) == f.header_length + len(f.ciphertext)
    assert f.md5 == hashlib.md5(data).hexdigest() and f.sha1 == hashlib.sha1(data).hexdigest()
    assert f.verify_with(key("callmanager-pub.pem")).digest == digest
    assert f.decrypt(phone_pem(), key("callmanager-pub.pem")) == XML
    assert pickle.loads(pickle.dumps(f)) == f
    assert repr(f).startswith(f'<EncryptedFile "{NAME}": {len(XML) + f.padding_length}-byte ciphertext for a 2048-bit key')


def test_a_fresh_key_and_iv_each_time() -> None:
    a, b = (cisco_itl.EncryptedFile.from_bytes(encrypted()) for _ in range(2))
    assert a.iv != b.iv and a.wrapped_key != b.wrapped_key and a.ciphertext != b.ciphertext
    assert a.plain_digest == b.plain_digest


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 4096])
def test_every_padding_length(length: int) -> None:
    xml = bytes(range(256)) * (length // 256) + bytes(range(length % 256))
    f = cisco_itl.EncryptedFile.from_bytes(encrypted(xml=xml))
    assert f.padding_length == 16 - length % 16
    assert f.decrypt(phone_pem(), key("callmanager-pub.pem")) == xml


def test_decrypt_takes_key_and_certificate_apart_and_a_trust_list() -> None:
    pem = phone_pem()
    key_only = pem[: pem.index(b"-----BEGIN CERTIFICATE-----")]
    f = cisco_itl.EncryptedFile.from_bytes(encrypted())
    assert f.decrypt(key_only, key("callmanager-pub.pem"), certificate=pem_cert(pem)) == XML
    # The phones' ITL names the TFTP key (CCM+TFTP record).
    itl = cisco_itl.TrustList.from_file(VECTORS / "cucm-ITLFile.tlv")
    assert f.decrypt(pem, itl) == XML
    with pytest.raises(cisco_itl.VerificationError):
        f.decrypt(pem, itl, functions=["TVS"])


def test_the_structure_is_shown_and_dumped() -> None:
    f = cisco_itl.EncryptedFile.from_bytes(encrypted())
    text = f.show()
    for word in ("ENCRYPTIONINFO", "IVINFO", "PADDINGLENGTH", "KEYINFO", "ENCRYPTEDKEY", "PLAINDIGEST"):
        assert word in text
    assert "only that phone can read it" in text
    d = f.to_dict()
    assert d["kind"] == "ENC.SGN" and d["filename"] == NAME
    enc = d["encryption"]
    assert isinstance(enc, dict)
    assert enc["device"] == DEVICE and enc["key_bits"] == 2048 and enc["iv"] == f.iv.hex()
    assert enc["plain_digest"] == hashlib.sha1(XML).hexdigest()
    assert d["payload_length"] == len(f.ciphertext)


def test_malformed_files_are_parse_errors() -> None:
    with pytest.raises(cisco_itl.ParseError):
        cisco_itl.EncryptedFile.from_bytes(b"")
    # A plain signed file carries no encryption block.
    with pytest.raises(cisco_itl.ParseError, match="no ENCRYPTIONINFO"):
        cisco_itl.EncryptedFile.from_bytes((VECTORS / "cucm-SEP0011215A1AE3.cnf.xml.sgn").read_bytes())
    # The payload cut short of a whole block.
    with pytest.raises(cisco_itl.ParseError, match="not a whole number of 16-byte blocks"):
        cisco_itl.EncryptedFile.from_bytes(encrypted()[:-1])
    with pytest.raises(TypeError):
        cisco_itl.EncryptedFile.from_bytes("text")  # type: ignore[arg-type]
    # PADDINGLENGTH (tag 20, two bytes) out of range: the offset of its tag.
    data = encrypted()
    pad = cisco_itl.EncryptedFile.from_bytes(data).padding_length
    at = data.index(bytes([20, 0, 2, 0, pad]))
    bad = data[: at + 4] + bytes([17]) + data[at + 5 :]
    with pytest.raises(cisco_itl.ParseError) as info:
        cisco_itl.EncryptedFile.from_bytes(bad)
    assert str(info.value) == f"PADDINGLENGTH (tag 20) at offset {at} is invalid: the padding is 1 to 16 bytes"
    assert info.value.offset == at


def test_every_region_tampered_is_refused_before_decryption() -> None:
    data = encrypted()
    f = cisco_itl.EncryptedFile.from_bytes(data)
    regions = {
        "iv": data.index(f.iv),
        "wrapped key": data.index(f.wrapped_key),
        "plain digest": data.index(f.plain_digest),
        "ciphertext": f.header_length,
        "last byte": len(data) - 1,
    }
    for what, at in regions.items():
        bad = bytearray(data)
        bad[at] ^= 0x01
        g = cisco_itl.EncryptedFile.from_bytes(bytes(bad))
        with pytest.raises(cisco_itl.VerificationError, match="signature") as info:
            g.decrypt(phone_pem(), key("callmanager-pub.pem"))
        assert not isinstance(info.value, cisco_itl.DecryptError), what


def test_another_signer_is_refused() -> None:
    data = cisco_itl.encrypt_config(DEVICE, XML, pem_cert(phone_pem()), OTHER_SIGNER.read_bytes(), "sha1", TS)
    f = cisco_itl.EncryptedFile.from_bytes(data)
    with pytest.raises(cisco_itl.VerificationError) as info:
        f.decrypt(phone_pem(), key("callmanager-pub.pem"))
    assert str(info.value).startswith("the signature is not accepted: ")
    assert f.decrypt(phone_pem(), OTHER_SIGNER.read_bytes()) == XML


def test_another_phones_key_is_refused_with_decrypt_error() -> None:
    f = cisco_itl.EncryptedFile.from_bytes(encrypted())
    with pytest.raises(cisco_itl.DecryptError) as info:
        f.decrypt(OTHER_PHONE.read_bytes(), key("callmanager-pub.pem"))
    assert str(info.value) == "the file is for SEP0011215A1AE3, the phone certificate for SEP001122334455"
    assert isinstance(info.value, cisco_itl.Error) and info.value.offset is None
    assert pickle.loads(pickle.dumps(info.value)).args == info.value.args


def test_a_wrong_key_for_the_same_phone_is_one_error(impostor: Path) -> None:
    # Encrypted for the impostor's certificate, opened with the phone's key,
    # and the other way round: the same sentence either way.
    for_impostor = cisco_itl.encrypt_config(DEVICE, XML, pem_cert(impostor.read_bytes()), TFTP.read_bytes(), "sha1", TS)
    for what, data, pem in [
        ("phone key", for_impostor, phone_pem()),
        ("impostor key", encrypted(), impostor.read_bytes()),
    ]:
        with pytest.raises(cisco_itl.DecryptError) as info:
            cisco_itl.EncryptedFile.from_bytes(data).decrypt(pem, TFTP.read_bytes())
        assert str(info.value) == "the phone's key does not open this file", what


def test_encrypt_refuses_bad_arguments() -> None:
    cert = pem_cert(phone_pem())
    with pytest.raises(cisco_itl.Error, match="not a phone's device name"):
        cisco_itl.encrypt_config("SEP12", XML, cert, TFTP.read_bytes())
    with pytest.raises(cisco_itl.CredentialError, match="the phone certificate for SEP0011215A1AE3"):
        cisco_itl.encrypt_config("SEP001122334455", XML, cert, TFTP.read_bytes())
    with pytest.raises(cisco_itl.Error, match="SHA-1 or SHA-512"):
        cisco_itl.encrypt_config(DEVICE, XML, cert, TFTP.read_bytes(), "sha256")
    with pytest.raises(ValueError, match="unknown digest"):
        cisco_itl.encrypt_config(DEVICE, XML, cert, TFTP.read_bytes(), "md5")
    with pytest.raises(cisco_itl.CredentialError):
        cisco_itl.encrypt_config(DEVICE, XML, b"not a certificate", TFTP.read_bytes())


def test_the_companion() -> None:
    cert = pem_cert(phone_pem())
    c = cisco_itl.Companion(load_information="SCCP45.9-4-2SR3S", capf_auth_mode=3, capf_nodes=["cucm-pub"])
    assert c.capf_port == 3804 and c.capf_nodes == ["cucm-pub"]
    xml = c.xml(cert)
    md5 = hashlib.md5(cisco_itl.certificate_der(cert)).hexdigest()
    assert "<fullConfig>false</fullConfig>" in xml and "<encrConfig>true</encrConfig>" in xml
    assert f"<certHash>{md5}</certHash>" in xml
    assert "<loadInformation>SCCP45.9-4-2SR3S</loadInformation>" in xml
    assert "<capf><phonePort>3804</phonePort><processNodeName>cucm-pub</processNodeName></capf>" in xml
    c.capf_nodes = ["a&b"]
    assert "<processNodeName>a&amp;b</processNodeName>" in c.xml(cert)
    sgn = cisco_itl.SignedFile.from_bytes(c.sign(DEVICE, cert, TFTP.read_bytes(), "sha512", TS))
    assert sgn.filename == DEVICE + ".cnf.xml.sgn" and sgn.digest == "sha512" and sgn.timestamp == TS
    assert sgn.payload == c.xml(cert).encode()
    sgn.verify_with(TFTP.read_bytes())
    with pytest.raises(cisco_itl.Error, match="not a phone's device name"):
        c.sign("phone", cert, TFTP.read_bytes())


def test_the_phone_decrypts_with_its_key() -> None:
    data = encrypted()
    itl = (VECTORS / "cucm-ITLFile.tlv").read_bytes()
    phone = cisco_itl.Phone(DEVICE, key=phone_pem(), now=TS)
    assert phone.certificate == cisco_itl.certificate_der(pem_cert(phone_pem()))
    assert phone.offer_trust_list("ITLFile.tlv", itl).accepted
    decision, plain = phone.offer_encrypted_config(NAME, data)
    assert decision.accepted and decision.rule == "itl-tftp" and plain == XML
    # Tampered: the signature is refused, nothing decrypted.
    bad = bytearray(data)
    bad[-1] ^= 1
    decision, plain = phone.offer_encrypted_config(NAME, bytes(bad))
    assert not decision.accepted and plain is None and decision.rule == "untrusted"
    # Another phone's key.
    phone.set_key(OTHER_PHONE.read_bytes())
    decision, plain = phone.offer_encrypted_config(NAME, data)
    assert (decision.accepted, decision.rule, plain) == (False, "decrypt", None)
    assert decision.reason == (
        "refused: the encrypted configuration was not decrypted: "
        "the file is for SEP0011215A1AE3, the phone certificate for SEP001122334455"
    )
    # No key at all.
    phone.set_key(None)
    assert phone.certificate is None
    decision, plain = phone.offer_encrypted_config(NAME, data)
    assert (decision.rule, plain) == ("no-key", None)
    assert "holds no key" in decision.reason
    decision, plain = phone.offer_encrypted_config(NAME, b"junk")
    assert (decision.rule, plain) == ("malformed-encrypted", None)
    with pytest.raises(cisco_itl.CredentialError):
        phone.set_key(b"not a key")
    with pytest.raises(TypeError):
        cisco_itl.Phone(DEVICE, certificate=pem_cert(phone_pem()))


@needs_openssl
def test_openssl_unwraps_the_key_and_decrypts_the_payload(tmp_path: Path) -> None:
    f = cisco_itl.EncryptedFile.from_bytes(encrypted("sha512"))
    (tmp_path / "wrapped").write_bytes(f.wrapped_key)
    aes = subprocess.run(
        ["openssl", "pkeyutl", "-decrypt", "-inkey", str(PHONE), "-in", str(tmp_path / "wrapped"),
         "-pkeyopt", "rsa_padding_mode:pkcs1"],
        check=True, capture_output=True, timeout=60,
    ).stdout
    assert len(aes) == 16
    (tmp_path / "payload").write_bytes(f.ciphertext)
    plain = subprocess.run(
        ["openssl", "enc", "-d", "-aes-128-cbc", "-nopad", "-K", aes.hex(), "-iv", f.iv.hex(),
         "-in", str(tmp_path / "payload")],
        check=True, capture_output=True, timeout=60,
    ).stdout
    assert plain == XML + b"\r" * f.padding_length
    assert hashlib.sha512(XML).digest() == f.plain_digest


# ---------------------------------------------------------------- the command


def itl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def files(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture()
def work(tmp_path: Path) -> Tuple[Path, Path]:
    """A folder with the configuration and the phone's certificate, and an empty output folder."""
    (tmp_path / "cnf.xml").write_bytes(XML)
    (tmp_path / "phone-cert.pem").write_bytes(pem_cert(phone_pem()))
    out = tmp_path / "out"
    out.mkdir()
    return tmp_path, out


@pytest.mark.parametrize("digest", ["sha1", "sha512"])
def test_encrypt_show_decrypt(work: Tuple[Path, Path], digest: str) -> None:
    d, out = work
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "--digest", digest,
            "-o", f"out/{NAME}", "--companion", f"out/{DEVICE}.cnf.xml.sgn", "--capf-node", "cucm-pub", cwd=d)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(f"wrote out/{NAME}: encrypted for {DEVICE}, signed as {NAME} ({digest}), ")
    assert files(out) == [f"{DEVICE}.cnf.xml.enc.sgn", f"{DEVICE}.cnf.xml.sgn"]
    f = cisco_itl.EncryptedFile.from_file(out / NAME)
    assert f.digest == digest and f.decrypt(phone_pem(), TFTP.read_bytes()) == XML
    companion = cisco_itl.SignedFile.from_file(out / f"{DEVICE}.cnf.xml.sgn")
    assert b"<encrConfig>true</encrConfig>" in companion.payload and b"cucm-pub" in companion.payload
    companion.verify_with(TFTP.read_bytes())

    # show: the header and the encryption block; exit 1 as for any signed file.
    r = itl("show", f"out/{NAME}", cwd=d)
    assert r.returncode == 1 and r.stdout == f.show()
    assert "ENCRYPTIONINFO" in r.stdout and "This is an encrypted configuration (.enc.sgn)" in r.stdout
    r = itl("show", "--json", f"out/{NAME}", cwd=d)
    assert r.returncode == 1 and '"encryption": {' in r.stdout and f'"iv": "{f.iv.hex()}"' in r.stdout

    # decrypt -o
    r = itl("decrypt", f"out/{NAME}", "--key", str(PHONE), "--trust", str(TFTP), "-o", "plain.xml", cwd=d)
    assert (r.returncode, r.stderr) == (0, f"wrote plain.xml: {len(XML)} bytes decrypted for {DEVICE}\n")
    assert (d / "plain.xml").read_bytes() == XML
    assert (d / "plain.xml").stat().st_mode & 0o077 == 0
    # decrypt to stdout, and to the default name beside the input.
    r = itl("decrypt", f"out/{NAME}", "--key", str(PHONE), "--trust", str(VECTORS / "cucm-ITLFile.tlv"), "-o", "-", cwd=d)
    assert (r.returncode, r.stdout) == (0, XML.decode())
    r = itl("decrypt", f"out/{NAME}", "--key", str(PHONE), "--trust", str(TFTP), cwd=d)
    assert r.returncode == 0 and (out / f"{DEVICE}.cnf.xml").read_bytes() == XML


def test_encrypt_takes_the_device_from_the_option(work: Tuple[Path, Path]) -> None:
    d, out = work
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "-o", "out/x.bin",
            "--device", DEVICE, cwd=d)
    assert r.returncode == 0, r.stderr
    assert cisco_itl.EncryptedFile.from_file(out / "x.bin").filename == NAME
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "-o", "out/y.bin", cwd=d)
    assert r.returncode == 2
    assert r.stderr == "itl: out/y.bin: the output is not named SEP<MAC>.cnf.xml.enc.sgn: pass --device SEP<MAC>\n"
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "-o", "out/" + NAME,
            "--device", "SEP001122334455", cwd=d)
    assert r.returncode == 2 and r.stderr == f"itl: out/{NAME}: the output names {DEVICE}, but --device is SEP001122334455\n"
    r = itl("encrypt", "cnf.xml", "--cert", str(OTHER_PHONE), "--sign", str(TFTP), "-o", "out/" + NAME, cwd=d)
    assert r.returncode == 2
    assert r.stderr == f"itl: {OTHER_PHONE}: the file is for {DEVICE}, the phone certificate for SEP001122334455\n"
    r = itl("encrypt", "missing.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "-o", "out/" + NAME, cwd=d)
    assert r.returncode == 2 and r.stderr == "itl: missing.xml: No such file or directory\n"
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "--digest", "sha256", "-o", "z", cwd=d)
    assert r.returncode == 2 and "invalid choice: 'sha256'" in r.stderr
    r = itl("encrypt", "cnf.xml", "--cert", "phone-cert.pem", "--sign", str(TFTP), "-o", "out/" + NAME,
            "--companion", "nowhere/companion.sgn", cwd=d)
    assert (r.returncode, r.stderr) == (2, "itl: nowhere/companion.sgn: No such file or directory\n")
    assert files(out) == ["x.bin"]


def refusals(d: Path, enc: str, impostor: Path) -> List[Tuple[List[str], int, str]]:
    """Each refused ``itl decrypt``: its arguments, exit status and message."""
    f = f"out/{NAME}"
    return [
        (["--key", str(PHONE), "--trust", str(OTHER_SIGNER)], 1,
         f"itl: {f}: not decrypted: the signature is not accepted: "),
        (["--key", str(OTHER_PHONE), "--trust", str(TFTP)], 1,
         f"itl: {f}: not decrypted: the file is for {DEVICE}, the phone certificate for SEP001122334455\n"),
        (["--key", str(impostor), "--trust", str(TFTP)], 1,
         f"itl: {f}: not decrypted: the phone's key does not open this file\n"),
        (["--key", "missing.pem", "--trust", str(TFTP)], 2, "itl: missing.pem: No such file or directory\n"),
        (["--key", "cnf.xml", "--trust", str(TFTP)], 2, "itl: cnf.xml: "),
        (["--key", str(PHONE), "--trust", "cnf.xml"], 2, "itl: cnf.xml: neither a trust list nor a certificate: "),
        (["--key", str(PHONE)], 2, "the following arguments are required: --trust"),
    ]


def test_decrypt_refusals_write_nothing(work: Tuple[Path, Path], impostor: Path) -> None:
    d, out = work
    (out / NAME).write_bytes(encrypted())
    for args, status, message in refusals(d, NAME, impostor):
        r = itl("decrypt", f"out/{NAME}", *args, "-o", "out/plain.xml", cwd=d)
        assert r.returncode == status, (args, r.stderr)
        if message.startswith("itl: "):
            assert r.stderr.startswith(message), (args, r.stderr)
        else:
            assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr and r.stdout == ""
        if message.startswith("itl: "):
            assert r.stderr.count("\n") == 1, r.stderr
        assert files(out) == [NAME], args
    # A signature by another key, with --trust the TFTP certificate.
    (out / "other.enc.sgn").write_bytes(
        cisco_itl.encrypt_config(DEVICE, XML, pem_cert(phone_pem()), OTHER_SIGNER.read_bytes(), "sha1", TS)
    )
    r = itl("decrypt", "out/other.enc.sgn", "--key", str(PHONE), "--trust", str(TFTP), cwd=d)
    assert r.returncode == 1 and r.stderr.startswith("itl: out/other.enc.sgn: not decrypted: the signature is not accepted")
    assert files(out) == [NAME, "other.enc.sgn"]


def test_decrypt_tampered_and_unreadable(work: Tuple[Path, Path]) -> None:
    d, out = work
    data = bytearray(encrypted())
    data[-1] ^= 0x80
    (out / NAME).write_bytes(bytes(data))
    r = itl("decrypt", f"out/{NAME}", "--key", str(PHONE), "--trust", str(TFTP), "-o", "out/plain.xml", cwd=d)
    assert r.returncode == 1 and r.stderr.startswith(f"itl: out/{NAME}: not decrypted: the signature is not accepted: ")
    # Malformed: cut mid-block.
    (out / "cut.enc.sgn").write_bytes(encrypted()[:-3])
    r = itl("decrypt", "out/cut.enc.sgn", "--key", str(PHONE), "--trust", str(TFTP), "-o", "out/plain.xml", cwd=d)
    assert r.returncode == 2
    assert r.stderr == (
        "itl: out/cut.enc.sgn: not an encrypted configuration: "
        f"the encrypted payload is {len(XML) + 16 - len(XML) % 16 - 3} bytes, not a whole number of 16-byte blocks\n"
    )
    # A folder and a missing file.
    r = itl("decrypt", "out", "--key", str(PHONE), "--trust", str(TFTP), "-o", "out/plain.xml", cwd=d)
    assert r.returncode == 2 and r.stderr.startswith("itl: out: ")
    r = itl("decrypt", "nothing.enc.sgn", "--key", str(PHONE), "--trust", str(TFTP), cwd=d)
    assert r.returncode == 2 and r.stderr == "itl: nothing.enc.sgn: No such file or directory\n"
    # The output's folder does not exist: nothing written, exit 2.
    (out / "good.enc.sgn").write_bytes(encrypted())
    r = itl("decrypt", "out/good.enc.sgn", "--key", str(PHONE), "--trust", str(TFTP), "-o", "nowhere/plain.xml", cwd=d)
    assert (r.returncode, r.stderr) == (2, "itl: nowhere/plain.xml: No such file or directory\n")
    assert files(out) == sorted(["cut.enc.sgn", "good.enc.sgn", NAME])
    assert files(d) == ["cnf.xml", "out", "phone-cert.pem"]
