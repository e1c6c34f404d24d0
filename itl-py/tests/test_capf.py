"""CAPF from Python (issue 19): the device store administrators fill, a
client that asks like a phone against an in-process server over TLS on
loopback, and ``itl capf schedule|list|remove``."""

from __future__ import annotations

import importlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

import pytest

import cisco_itl
from conftest import KEYS, key, read

DEVICE = "SEP001122334455"
# The TLS identity: a 2048-bit key (the server signs its handshakes with
# AWS-LC, which signs with nothing smaller); the issuer of the LSCs is the
# cluster's CAPF key.
IDENTITY = key("tvs-sub1.pem")
ISSUER = key("capf.pem")


# ---------------------------------------------------------------- helpers


@pytest.fixture()
def store(tmp_path: Path) -> cisco_itl.CapfStore:
    return cisco_itl.CapfStore(tmp_path / "capf.db")


@pytest.fixture()
def server(store: cisco_itl.CapfStore) -> Iterator[cisco_itl.CapfServer]:
    with cisco_itl.CapfServer(IDENTITY, store, issuer=ISSUER, days=30, deadline=20.0) as running:
        yield running


def client(server: cisco_itl.CapfServer) -> cisco_itl.CapfClient:
    return cisco_itl.CapfClient(server.address, capf_cert=IDENTITY, deadline=20.0)


def der_to_pem(label: str, der: bytes) -> str:
    import base64

    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def subject_san_and_key_match(certificate: bytes, private_key: bytes, tmp: Path) -> Tuple[str, str, bool]:
    """The certificate's subject CN, its SAN URI, and whether the PKCS#8
    key is the certificate's: by the ``cryptography`` package when the
    environment has it, else by ``openssl``."""
    crypto: Optional[Any]
    try:
        crypto = importlib.import_module("cryptography.x509")
        serialization: Any = importlib.import_module("cryptography.hazmat.primitives.serialization")
    except ImportError:
        crypto = None
    if crypto is not None:
        cert = crypto.load_der_x509_certificate(certificate)
        cn = cert.subject.get_attributes_for_oid(crypto.oid.NameOID.COMMON_NAME)[0].value
        san = cert.extensions.get_extension_for_class(crypto.SubjectAlternativeName).value
        uri = san.get_values_for_type(crypto.UniformResourceIdentifier)[0]
        pkey = serialization.load_der_private_key(private_key, password=None)
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        der = serialization.Encoding.DER
        same = pkey.public_key().public_bytes(der, spki) == cert.public_key().public_bytes(der, spki)
        return str(cn), str(uri), bool(same)
    if shutil.which("openssl") is None:
        pytest.skip("neither the cryptography package nor openssl is available")
    (tmp / "lsc.pem").write_text(der_to_pem("CERTIFICATE", certificate))
    (tmp / "key.pem").write_text(der_to_pem("PRIVATE KEY", private_key))

    def openssl(*args: str) -> str:
        return subprocess.run(["openssl", *args], capture_output=True, text=True, check=True, timeout=60).stdout

    subject = openssl("x509", "-in", str(tmp / "lsc.pem"), "-noout", "-subject", "-nameopt", "RFC2253")
    cn = next(part[3:] for part in subject.strip().removeprefix("subject=").split(",") if part.startswith("CN="))
    text = openssl("x509", "-in", str(tmp / "lsc.pem"), "-noout", "-ext", "subjectAltName")
    uri = next(w.removeprefix("URI:") for w in text.replace(",", " ").split() if w.startswith("URI:"))
    from_cert = openssl("x509", "-in", str(tmp / "lsc.pem"), "-noout", "-pubkey")
    from_key = openssl("pkey", "-in", str(tmp / "key.pem"), "-pubout")
    return cn, uri, from_cert == from_key


# ---------------------------------------------------------------- the store


def test_schedule_list_and_remove_round_trip(store: cisco_itl.CapfStore) -> None:
    a = store.schedule(DEVICE, password="4321")
    assert (a.name, a.operation, a.auth, a.password, a.key, a.key_bits, a.curve) == (
        DEVICE,
        "install",
        "password",
        "4321",
        "rsa-2048",
        2048,
        None,
    )
    b = store.schedule("SEP00112233AABB", "fetch", auth="none", key="P-384")
    assert (b.operation, b.auth, b.password, b.key, b.key_bits, b.curve) == ("fetch", "none", None, "P-384", None, "P-384")
    c = store.schedule("SEP0011223344CC", "delete", auth="lsc", key=4096)
    assert (c.auth, c.key) == ("lsc", "rsa-4096")
    assert [d.name for d in store.list()] == [DEVICE, "SEP0011223344CC", "SEP00112233AABB"]  # by name
    assert store.device(DEVICE) == a
    assert repr(a) == '<CapfDevice "SEP001122334455": install, password authentication, rsa-2048>'
    assert store.device("SEP999999999999") is None
    assert store.certificates(DEVICE) == []

    # Scheduling again replaces what was scheduled.
    again = store.schedule(DEVICE, "none", auth="mic", key="rsa-1024")
    assert store.device(DEVICE) == again
    assert (again.operation, again.auth, again.key) == ("none", "mic", "rsa-1024")

    assert store.remove("SEP00112233AABB") is True
    assert store.remove("SEP00112233AABB") is False
    assert [d.name for d in store.list()] == [DEVICE, "SEP0011223344CC"]

    # The file keeps it all.
    reopened = cisco_itl.CapfStore(store.path or "")
    assert [d.name for d in reopened.list()] == [DEVICE, "SEP0011223344CC"]
    assert reopened.device(DEVICE) == again


@pytest.mark.parametrize(
    "name,kwargs,message",
    [
        ("SEP 1", {}, "the device name \"SEP 1\" is not 1 to 64 letters"),
        ("", {}, "the device name \"\" is not 1 to 64"),
        ("x" * 65, {}, "is not 1 to 64 letters"),
        (DEVICE, {"key": 512}, "an RSA key of 512 bits is outside the 1024 to 4096"),
        (DEVICE, {"key": 70000}, "an RSA key of 70000 bits is outside"),
        (DEVICE, {"key": "P-192"}, "the key \"P-192\" is not an RSA size"),
        (DEVICE, {"password": ""}, "the password is empty or holds a NUL byte"),
        (DEVICE, {"password": "12\x0034"}, "the password is empty or holds a NUL byte"),
        (DEVICE, {"auth": "password"}, "password authentication needs a password"),
        (DEVICE, {"auth": "none", "password": "1234"}, "a password goes with password authentication only"),
        (DEVICE, {"auth": "kerberos"}, "the authentication \"kerberos\" is not password"),
        (DEVICE, {"operation": "renew"}, "the operation \"renew\" is not install"),
    ],
)
def test_invalid_requests_are_refused_and_change_nothing(
    store: cisco_itl.CapfStore, name: str, kwargs: dict[str, Any], message: str
) -> None:
    store.schedule("SEP00112233AABB")
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        store.schedule(name, **kwargs)
    assert [d.name for d in store.list()] == ["SEP00112233AABB"]


def test_a_key_of_another_type_is_a_type_error(store: cisco_itl.CapfStore) -> None:
    with pytest.raises(TypeError, match="key must be a number of RSA bits or a name"):
        store.schedule(DEVICE, key=[2048])  # type: ignore[arg-type]


def test_a_foreign_file_is_refused_untouched(tmp_path: Path) -> None:
    itl = tmp_path / "ITLFile.tlv"
    itl.write_bytes(read("cucm-ITLFile.tlv"))
    with pytest.raises(cisco_itl.Error, match="ITLFile.tlv: refused to use the database file: it is not an SQLite database"):
        cisco_itl.CapfStore(itl)
    assert itl.read_bytes() == read("cucm-ITLFile.tlv")


# ---------------------------------------------------------------- client and server


def test_password_install_issues_an_lsc_for_the_generated_key(
    store: cisco_itl.CapfStore, server: cisco_itl.CapfServer, tmp_path: Path
) -> None:
    store.schedule(DEVICE, password="4321")
    enrolment = client(server).enrol(DEVICE, password="4321")
    assert enrolment.kind == "installed"
    assert enrolment.certificate is not None and enrolment.key is not None
    cn, uri, same_key = subject_san_and_key_match(enrolment.certificate, enrolment.key, tmp_path)
    assert (cn, uri, same_key) == (DEVICE, DEVICE, True)
    pem = enrolment.pem()
    assert pem.startswith("-----BEGIN CERTIFICATE-----\n")
    assert "-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n" in pem
    assert cisco_itl.certificate_der(pem.encode()) == enrolment.certificate

    # Recorded, and the operation done.
    issued = store.certificates(DEVICE)
    assert [c.der for c in issued] == [enrolment.certificate]
    assert issued[0].device == DEVICE
    assert len(issued[0].serial) == 16 and issued[0].serial_hex == issued[0].serial.hex()
    device = store.device(DEVICE)
    assert device is not None and device.operation == "none"
    assert server.log[-1].startswith(f"capf: 127.0.0.1:") and "issued certificate" in server.log[-1]

    # Then: nothing to do, a fetch of the same certificate, a deletion.
    assert client(server).enrol(DEVICE, password="4321").kind == "nothing"
    store.schedule(DEVICE, "fetch", password="4321")
    fetched = client(server).enrol(DEVICE, password="4321")
    assert (fetched.kind, fetched.certificate, fetched.key) == ("fetched", enrolment.certificate, None)
    assert fetched.pem() == pem.split("-----BEGIN PRIVATE KEY-----")[0]
    store.schedule(DEVICE, "delete", password="4321")
    deleted = client(server).enrol(DEVICE, password="4321")
    assert (deleted.kind, deleted.certificate, repr(deleted)) == ("deleted", None, "<Enrolment deleted>")
    with pytest.raises(ValueError, match="carried no certificate"):
        deleted.pem()
    assert store.certificates(DEVICE) == []
    stats = server.shutdown()
    assert (stats["issued"], stats["served"], stats["panics"]) == (1, 4, 0)


def test_a_wrong_password_is_refused_and_changes_nothing(
    store: cisco_itl.CapfStore, server: cisco_itl.CapfServer
) -> None:
    scheduled = store.schedule(DEVICE, password="4321")
    with pytest.raises(cisco_itl.CapfRefused) as info:
        client(server).enrol(DEVICE, password="0000")
    assert info.value.reason == "invalid"
    assert str(info.value) == f"{server.address}: the server ended the session: invalid"
    assert store.certificates(DEVICE) == []
    assert store.device(DEVICE) == scheduled
    # No password at all is refused the same way.
    with pytest.raises(cisco_itl.CapfRefused):
        client(server).enrol(DEVICE)
    assert store.device(DEVICE) == scheduled
    assert any(line.endswith("refused: the password is wrong") for line in server.log)
    # The exception keeps its reason through pickling.
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), again.reason, str(again)) == (cisco_itl.CapfRefused, "invalid", str(info.value))


def test_an_unknown_device_is_refused(store: cisco_itl.CapfStore, server: cisco_itl.CapfServer) -> None:
    with pytest.raises(cisco_itl.CapfRefused) as info:
        client(server).enrol("SEP999999999999", password="4321")
    assert info.value.reason == "unknown device"
    assert store.list() == []


def test_no_authentication_with_an_ec_key(store: cisco_itl.CapfStore, server: cisco_itl.CapfServer) -> None:
    store.schedule(DEVICE, key="P-256")
    enrolment = client(server).enrol(DEVICE)
    assert enrolment.kind == "installed" and enrolment.key is not None
    # An EC key's PKCS#8 names id-ecPublicKey and prime256v1.
    assert bytes.fromhex("2a8648ce3d0201") in enrolment.key
    assert bytes.fromhex("2a8648ce3d030107") in enrolment.key


def test_a_proof_by_the_lsc_just_issued(store: cisco_itl.CapfStore, server: cisco_itl.CapfServer) -> None:
    store.schedule(DEVICE, password="4321")
    first = client(server).enrol(DEVICE, password="4321")
    assert first.certificate is not None and first.key is not None
    store.schedule(DEVICE, auth="lsc")
    second = client(server).enrol(DEVICE, certificate=first.certificate, key=first.key, sha2=True)
    assert second.kind == "installed" and second.certificate is not None
    assert second.certificate != first.certificate
    # Both recorded (issued within the same second: their order is the serials').
    assert sorted(c.der for c in store.certificates(DEVICE)) == sorted([first.certificate, second.certificate])


def test_a_pinned_certificate_that_is_not_the_servers_is_not_trusted(
    store: cisco_itl.CapfStore, server: cisco_itl.CapfServer
) -> None:
    scheduled = store.schedule(DEVICE)
    wrong = cisco_itl.CapfClient(server.address, capf_cert=ISSUER)
    with pytest.raises(cisco_itl.ServerNotTrusted, match="is not the CAPF that the trust lists or the pinned certificate name"):
        wrong.enrol(DEVICE)
    assert issubclass(cisco_itl.ServerNotTrusted, cisco_itl.VerificationError)
    assert store.device(DEVICE) == scheduled and store.certificates(DEVICE) == []
    # The client said nothing: the server logged no device.
    assert all(DEVICE not in line for line in server.log)


def test_trust_through_the_capf_record_of_an_itl(store: cisco_itl.CapfStore, server: cisco_itl.CapfServer) -> None:
    store.schedule(DEVICE)
    pub = key("callmanager-pub.pem")
    itl = cisco_itl.TrustListBuilder().add(pub, "SAST").add(pub, "TFTP").add(IDENTITY, "CAPF").sign(pub)
    named = cisco_itl.CapfClient(server.address, lists=[itl], deadline=20.0)
    assert named.enrol(DEVICE).kind == "installed"
    # A parsed TrustList goes as well as its bytes.
    store.schedule(DEVICE)
    parsed = cisco_itl.CapfClient(server.address, lists=[cisco_itl.TrustList.from_bytes(itl)], deadline=20.0)
    assert parsed.enrol(DEVICE).kind == "installed"

    # The cluster's ITL names another CAPF; a TVS record is not a CAPF one.
    store.schedule(DEVICE)
    with pytest.raises(cisco_itl.ServerNotTrusted):
        cisco_itl.CapfClient(server.address, lists=[read("cucm-ITLFile.tlv")]).enrol(DEVICE)
    tvs_only = cisco_itl.TrustListBuilder().add(pub, "SAST").add(IDENTITY, "TVS").sign(pub)
    with pytest.raises(cisco_itl.ServerNotTrusted):
        cisco_itl.CapfClient(server.address, lists=[tvs_only]).enrol(DEVICE)
    device = store.device(DEVICE)
    assert device is not None and device.operation == "install"
    assert len(store.certificates(DEVICE)) == 2


def test_a_closed_port_is_a_connection_error(store: cisco_itl.CapfStore) -> None:
    srv = cisco_itl.CapfServer(IDENTITY, store)
    address = srv.address
    assert srv.shutdown() == {"served": 0, "turned_away": 0, "deadline_passed": 0, "panics": 0, "issued": 0}
    del srv
    with pytest.raises(ConnectionError, match=address):
        cisco_itl.CapfClient(address, capf_cert=IDENTITY, deadline=5.0).enrol(DEVICE)


def test_what_the_protocol_cannot_carry_is_refused_before_connecting(server: cisco_itl.CapfServer) -> None:
    c = client(server)
    with pytest.raises(ValueError, match="password is empty"):
        c.enrol(DEVICE, password="")
    with pytest.raises(ValueError, match="password is empty"):
        c.enrol(DEVICE, password="12\x0034")
    with pytest.raises(ValueError, match="device name"):
        c.enrol("bad name!")
    phone = cisco_itl.Phone(DEVICE)
    with pytest.raises(ValueError, match="password is empty"):
        phone.enrol(server.address, password="")
    # Nothing reached the server.
    assert server.log == []


def test_client_and_server_arguments() -> None:
    with pytest.raises(TypeError, match="give capf_cert="):
        cisco_itl.CapfClient("127.0.0.1:3804")
    with pytest.raises(TypeError, match="one of the two"):
        cisco_itl.CapfClient("127.0.0.1:3804", capf_cert=IDENTITY, lists=[])
    with pytest.raises(ValueError, match="deadline must be a positive number of seconds"):
        cisco_itl.CapfClient("127.0.0.1:3804", capf_cert=IDENTITY, deadline=0)
    with pytest.raises(ValueError, match="phones answer with version 2 or 3"):
        cisco_itl.CapfClient("127.0.0.1:3804", capf_cert=IDENTITY, version=9)
    c = cisco_itl.CapfClient("127.0.0.1:3804", capf_cert=IDENTITY)
    with pytest.raises(TypeError, match="needs both certificate= and key="):
        c.enrol(DEVICE, certificate=IDENTITY)
    with pytest.raises(TypeError, match="give password=, or certificate= with key=, or neither"):
        c.enrol(DEVICE, password="1", certificate=IDENTITY, key=IDENTITY)
    with pytest.raises(cisco_itl.CredentialError):
        c.enrol(DEVICE, certificate=IDENTITY, key=b"not a key")
    memory = cisco_itl.CapfStore.in_memory()
    with pytest.raises(ValueError, match="an LSC is valid for 1 to 3560 days"):
        cisco_itl.CapfServer(IDENTITY, memory, days=0)
    with pytest.raises(cisco_itl.CredentialError, match="the issuer"):
        cisco_itl.CapfServer(IDENTITY, memory, issuer=b"garbage")
    with pytest.raises(TypeError, match="store must be a CapfStore or the path of its file"):
        cisco_itl.CapfServer(IDENTITY, 42)  # type: ignore[arg-type]
    srv = cisco_itl.CapfServer(IDENTITY, memory)
    assert repr(srv) == f"<CapfServer {srv.address}: bound>"
    srv.serve_in_background()
    assert srv.serving
    with pytest.raises(RuntimeError, match="serving already"):
        srv.serve_in_background()
    srv.shutdown()
    assert not srv.serving and repr(srv).endswith(": stopped>")
    with pytest.raises(RuntimeError, match="was shut down"):
        srv.serve_in_background()


# ---------------------------------------------------------------- itl capf


def itl(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "cisco_itl", *args], capture_output=True, text=True, env=env, timeout=120)


def test_itl_capf_schedule_list_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "capf.db")
    r = itl("capf", "schedule", "--db", db, "00:11:22:33:44:55", "--password", "4321")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == (
        f"{DEVICE}: an installation is scheduled; the phone proves who it is by its password (PIN) "
        "and is asked for an RSA key of 2048 bits.\n"
    )
    r = itl("capf", "schedule", "--db", db, "SEP00112233aabb", "--operation", "fetch", "--curve", "P-384", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout) == {
        "schema": 1,
        "db": db,
        "device": {"name": "SEP00112233AABB", "operation": "fetch", "auth": "none", "key": "P-384", "certificates": []},
    }
    r = itl("capf", "list", "--db", db)
    assert (r.returncode, r.stdout.splitlines()) == (
        0,
        [
            f"{DEVICE}: an installation pending, password authentication, an RSA key of 2048 bits; no certificate issued.",
            "SEP00112233AABB: a fetch pending, no authentication, an EC key on P-384; no certificate issued.",
            "2 devices.",
        ],
    )
    doc = json.loads(itl("capf", "list", "--db", db, "--json").stdout)
    assert doc["schema"] == 1 and sorted(doc) == ["db", "devices", "schema"]
    assert [(d["name"], d["operation"], d["auth"], d["key"]) for d in doc["devices"]] == [
        (DEVICE, "install", "password", "rsa-2048"),
        ("SEP00112233AABB", "fetch", "none", "P-384"),
    ]
    # The password stays in the store.
    assert "4321" not in itl("capf", "list", "--db", db, "--json").stdout

    r = itl("capf", "remove", "--db", db, "SEP00112233AABB")
    assert (r.returncode, r.stdout) == (0, "SEP00112233AABB: removed from the store (no certificate had been issued to it).\n")
    r = itl("capf", "remove", "--db", db, "SEP00112233AABB")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == f"itl capf: {db}: the store holds no device SEP00112233AABB; nothing was changed.\n"
    r = itl("capf", "remove", "--db", db, DEVICE, "--json")
    assert (r.returncode, json.loads(r.stdout)) == (
        0,
        {"schema": 1, "db": db, "device": DEVICE, "removed": True, "certificates_removed": 0},
    )
    r = itl("capf", "list", "--db", db)
    assert (r.returncode, r.stdout) == (0, f"The store {db} holds no device.\n")


def test_itl_capf_lists_the_certificates_issued(tmp_path: Path) -> None:
    db = tmp_path / "capf.db"
    store = cisco_itl.CapfStore(db)
    store.schedule(DEVICE, key="rsa-2048")
    with cisco_itl.CapfServer(IDENTITY, store, issuer=ISSUER, days=30) as srv:
        client(srv).enrol(DEVICE)
    issued = store.certificates(DEVICE)
    assert len(issued) == 1
    r = itl("capf", "list", "--db", str(db))
    assert r.returncode == 0
    import time

    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued[0].not_after))
    assert r.stdout.splitlines()[0] == (
        f"{DEVICE}: nothing pending, no authentication, an RSA key of 2048 bits; "
        f"1 certificate issued, the latest valid until {until}."
    )
    doc = json.loads(itl("capf", "list", "--db", str(db), "--json").stdout)
    assert doc["devices"][0]["certificates"] == [
        {"serial": issued[0].serial_hex, "not_after": issued[0].not_after, "not_after_utc": until}
    ]
    r = itl("capf", "remove", "--db", str(db), DEVICE)
    assert r.stdout == f"{DEVICE}: removed from the store, with the certificate issued to it.\n"
    assert store.certificates(DEVICE) == []


@pytest.mark.parametrize(
    "args,message",
    [
        (["SEP0011"], "'SEP0011' is not SEP followed by a MAC address (12 hex digits)"),
        (["bad name!"], "the device name \"bad name!\" is not 1 to 64 letters, digits, '-', '_' or '.'"),
        ([DEVICE, "--password", ""], "the password is empty or holds a NUL byte"),
        ([DEVICE, "--key-size", "512"], "an RSA key of 512 bits is outside the 1024 to 4096 a device may be asked for"),
        ([DEVICE, "--auth", "none", "--password", "12"], "a password goes with password authentication only, not with none"),
        ([DEVICE, "--auth", "password"], "password authentication needs a password (the PIN the phone is given)"),
    ],
)
def test_itl_capf_schedule_refuses_bad_input_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    db = str(tmp_path / "capf.db")
    r = itl("capf", "schedule", "--db", db, *args)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"itl capf: {message}\n")


def test_itl_capf_schedule_reads_the_pin_from_a_file_or_standard_input(tmp_path: Path) -> None:
    db = str(tmp_path / "capf.db")
    pin = tmp_path / "pin.txt"
    pin.write_text("2468\nsecond line ignored\n")
    r = itl("capf", "schedule", "--db", db, DEVICE, "--password-file", str(pin))
    assert (r.returncode, r.stderr) == (0, "")
    device = cisco_itl.CapfStore(db).device(DEVICE)
    assert device is not None and (device.auth, device.password) == ("password", "2468")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "cisco_itl", "capf", "schedule", "--db", db, DEVICE, "--password-file", "-"],
        input="1357\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (r.returncode, r.stderr) == (0, "")
    device = cisco_itl.CapfStore(db).device(DEVICE)
    assert device is not None and device.password == "1357"
    # Never printed, in text or JSON.
    assert "1357" not in r.stdout
    # A missing file, a file too large, both options, an empty PIN: one line, exit 2.
    r = itl("capf", "schedule", "--db", db, DEVICE, "--password-file", str(tmp_path / "none"))
    assert (r.returncode, r.stdout) == (2, "") and r.stderr.startswith("itl capf: ") and "No such file" in r.stderr
    big = tmp_path / "big"
    big.write_bytes(b"1" * 5000)
    r = itl("capf", "schedule", "--db", db, DEVICE, "--password-file", str(big))
    assert (r.returncode, r.stderr) == (2, f"itl capf: {big}: more than 4096 bytes, not a PIN file\n")
    r = itl("capf", "schedule", "--db", db, DEVICE, "--password", "1", "--password-file", str(pin))
    assert r.returncode == 2 and "not allowed with argument" in r.stderr
    empty = tmp_path / "empty"
    empty.write_text("")
    r = itl("capf", "schedule", "--db", db, DEVICE, "--password-file", str(empty))
    assert (r.returncode, r.stderr) == (2, "itl capf: the password is empty or holds a NUL byte\n")
    device = cisco_itl.CapfStore(db).device(DEVICE)
    assert device is not None and device.password == "1357"


@pytest.mark.parametrize("command", [["list"], ["remove", DEVICE], ["schedule", DEVICE]])
def test_a_corrupt_or_foreign_db_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(bytes(range(256)) * 20)
    r = itl("capf", command[0], "--db", str(junk), *command[1:])
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"itl capf: {junk}: refused to use the database file: it is not an SQLite database\n"
    assert junk.read_bytes() == bytes(range(256)) * 20
    itl_file = str(KEYS.parent / "cucm-ITLFile.tlv")
    r = itl("capf", command[0], "--db", itl_file, *command[1:])
    assert (r.returncode, len(r.stderr.splitlines())) == (2, 1)


def test_a_missing_db_is_not_created_by_list_or_remove(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    r = itl("capf", "list", "--db", str(db))
    assert (r.returncode, r.stderr) == (2, f"itl capf: {db}: no such file\n")
    r = itl("capf", "remove", "--db", str(db), DEVICE)
    assert r.returncode == 2 and not db.exists()


def test_completion_offers_the_capf_options() -> None:
    script = itl("completion", "bash").stdout
    line = next(x for x in script.splitlines() if x.strip().startswith("capf) opts="))
    for option in ("--db", "--operation", "--auth", "--password", "--key-size", "--curve", "--json"):
        assert option in line


def test_bash_completes_the_capf_actions() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    script = itl("completion", "bash").stdout
    probe = script + 'COMP_WORDS=(itl capf ""); COMP_CWORD=2; _itl; echo "${COMPREPLY[@]}"\n'
    probe += 'COMP_WORDS=(itl capf re); COMP_CWORD=2; _itl; echo "${COMPREPLY[@]}"\n'
    probe += 'COMP_WORDS=(itl capf schedule --cu); COMP_CWORD=3; _itl; echo "${COMPREPLY[@]}"\n'
    r = subprocess.run([bash, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.stdout.splitlines() == ["schedule list remove", "remove", "--curve"]


# ---------------------------------------------------------------- a phone

MIC = (Path(__file__).resolve().parents[2] / "itl-core" / "tests" / "data" / "phone-SEP001122334455-mic.pem").read_bytes()
CONFIG = DEVICE + ".cnf.xml.enc.sgn"
XML = b"<device><fullConfig>true</fullConfig></device>"


def pem_block(pem: bytes, label: str) -> bytes:
    start = pem.index(b"-----BEGIN " + label.encode())
    end_marker = b"-----END " + label.encode() + b"-----"
    return pem[start : pem.index(end_marker) + len(end_marker)] + b"\n"


def test_a_phone_enrols_and_boots_on_a_configuration_encrypted_for_its_lsc(store: cisco_itl.CapfStore) -> None:
    mic_cert = pem_block(MIC, "CERTIFICATE")
    pub = key("callmanager-pub.pem")
    itl = cisco_itl.TrustListBuilder().add(pub, "SAST").add(pub, "TFTP").add(IDENTITY, "CAPF").sign(pub)
    with cisco_itl.CapfServer(IDENTITY, store, issuer=ISSUER, trusted=[mic_cert], deadline=20.0) as server:
        phone = cisco_itl.Phone(DEVICE)
        phone.set_mic(MIC)
        assert phone.mic == cisco_itl.certificate_der(mic_cert)
        assert phone.lsc is None and phone.certificate == phone.mic
        # No list installed: the phone asks nobody.
        with pytest.raises(cisco_itl.ServerNotTrusted):
            phone.enrol(server.address, password="4321", deadline=20.0)
        assert phone.offer_trust_list("ITLFile.tlv", itl).rule == "first-use"

        store.schedule(DEVICE, auth="password", password="4321")
        with pytest.raises(cisco_itl.CapfRefused):
            phone.enrol(server.address, password="1111", deadline=20.0)
        assert phone.lsc is None
        for_mic = cisco_itl.encrypt_config(DEVICE, XML, mic_cert, pub)
        assert phone.offer_encrypted_config(CONFIG, for_mic)[1] == XML

        enrolment = phone.enrol(server.address, password="4321", deadline=20.0)
        assert enrolment.kind == "installed"
        assert phone.lsc == enrolment.certificate and phone.certificate == phone.lsc
        assert [c.der for c in store.certificates(DEVICE)] == [enrolment.certificate]
        assert enrolment.certificate is not None
        for_lsc = cisco_itl.encrypt_config(DEVICE, XML, enrolment.certificate, pub)
        steps = phone.boot({"ITLFile.tlv": itl, CONFIG: for_lsc}, encrypted_config=True)
        decision = steps[-1].decision
        assert decision is not None and decision.accepted and decision.rule == "itl-tftp"
        assert phone.offer_encrypted_config(CONFIG, for_lsc)[1] == XML
        # With an LSC the phone decrypts with it, not with its MIC.
        refused, plain = phone.offer_encrypted_config(CONFIG, for_mic)
        assert plain is None and refused.rule == "decrypt"

        # Re-keying proved by the LSC, then deletion proved by the MIC.
        store.schedule(DEVICE, auth="lsc")
        assert phone.enrol(server.address, mode="lsc-then-mic", deadline=20.0).kind == "installed"
        assert phone.lsc not in (None, enrolment.certificate)
        store.schedule(DEVICE, operation="delete", auth="mic")
        assert phone.enrol(server.address, mode="mic", deadline=20.0).kind == "deleted"
        assert phone.lsc is None and phone.certificate == phone.mic
        assert phone.offer_encrypted_config(CONFIG, for_mic)[1] == XML

    bare = cisco_itl.Phone(DEVICE)
    bare.offer_trust_list("ITLFile.tlv", itl)
    with pytest.raises(cisco_itl.CredentialError):
        bare.enrol("127.0.0.1:9", mode="mic")
    with pytest.raises(ValueError):
        bare.enrol("127.0.0.1:9", mode="pin")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bare.enrol("127.0.0.1:9", mode="none", password="1")
