"""The ``itl`` admin commands (issue 20): one verdict per file whatever the
number of files, one-line errors instead of tracebacks, the reasons and
1-based numbers people read, the details of ``show``, ``expiry``, ``diff``
and shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import cisco_itl
from conftest import KEYS, VECTORS, password

ITL = str(VECTORS / "cucm-ITLFile.tlv")
CTL = str(VECTORS / "cucm-CTLFile-tokenless.tlv")
SGN = str(VECTORS / "cucm-SEP0011215A1AE3.cnf.xml.sgn")
TRUNCATED = str(VECTORS / "bad-truncated.tlv")
PUB = str(KEYS / "callmanager-pub.pem")
TRUNCATED_REASON = "record at offset 4448 declares 725 bytes, only 625 remain"


def itl(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("ITL_RECOVERY_PASSWORD", None)
    return subprocess.run(
        [sys.executable, "-m", "cisco_itl", *args], capture_output=True, text=True, env=env, timeout=120
    )


def files_of(r: subprocess.CompletedProcess[str]) -> List[Dict[str, Any]]:
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1 and sorted(doc) == ["files", "schema"]
    files: List[Dict[str, Any]] = doc["files"]
    return files


# ------------------------------------------------------- one verdict per file


def test_parse_file_decides_by_content() -> None:
    assert isinstance(cisco_itl.parse_file((VECTORS / "cucm-ITLFile.tlv").read_bytes()), cisco_itl.TrustList)
    assert isinstance(cisco_itl.parse_file(Path(SGN).read_bytes()), cisco_itl.SignedFile)
    with pytest.raises(cisco_itl.ParseError) as e:
        cisco_itl.parse_file(Path(TRUNCATED).read_bytes())
    assert (str(e.value), e.value.offset) == (TRUNCATED_REASON, 4448)


def test_a_broken_list_is_unreadable_alone_or_with_others() -> None:
    alone = itl("verify", TRUNCATED)
    assert (alone.returncode, alone.stdout) == (2, f"{TRUNCATED}: unreadable: {TRUNCATED_REASON}\n")
    both = itl("verify", TRUNCATED, ITL)
    assert both.returncode == 2
    assert both.stdout.splitlines() == [
        f"{TRUNCATED}: unreadable: {TRUNCATED_REASON}",
        f"{ITL}: verified (ITL, signed by record 1, sha1, 1024-bit key)",
    ]


def test_verify_json_has_one_schema_for_one_file_or_many() -> None:
    one = files_of(itl("verify", "--json", ITL))
    many = files_of(itl("verify", "--json", ITL, TRUNCATED, SGN))
    fields = ["path", "kind", "status", "signer", "signer_record", "digest", "key_bits", "error", "error_type", "offset"]
    assert [list(f) for f in one + many] == [fields] * 4
    assert one[0] == many[0]
    assert (one[0]["kind"], one[0]["signer_record"], one[0]["key_bits"], one[0]["status"]) == ("ITL", 1, 1024, "verified")
    assert (many[1]["status"], many[1]["offset"], many[1]["kind"]) == ("unreadable", 4448, None)
    assert (many[2]["kind"], many[2]["status"]) == ("SGN", "not-verified")


# ------------------------------------------------------- no tracebacks


def test_output_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope" / "out")
    runs = [
        itl("build", "--sign", PUB, "--cert", f"{PUB}:SAST", "-o", missing),
        itl("sign", SGN, "--key", PUB, "-o", missing),
    ]
    pw = tmp_path / "pw"
    pw.write_text(password())
    runs.append(
        itl("reset", ITL, "--p12", str(KEYS / "ITLRecovery.p12"), "--trust", PUB, "--password-file", str(pw), "-o", missing)
    )
    for r in runs:
        assert (r.returncode, r.stderr) == (2, f"itl: {missing}: No such file or directory\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "--timestamp", "99999999999"], "99999999999: a TIMESTAMP is from 0 to 4294967295"),
        (["build", "--timestamp", "-5"], "-5: a TIMESTAMP is from 0 to 4294967295"),
        (["sign", SGN, "--key", PUB, "--timestamp", "-5"], "-5: a TIMESTAMP is from 0 to 4294967295"),
        (["verify", "--workers", "0", ITL], "0: at least 1 worker"),
    ],
)
def test_bad_numbers_are_usage_errors(args: List[str], message: str, tmp_path: Path) -> None:
    if args[0] == "build":
        args = args + ["--sign", PUB, "--cert", f"{PUB}:SAST", "-o", str(tmp_path / "x.tlv")]
    r = itl(*args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
    # The usage, then one error line naming the option.
    last = r.stderr.splitlines()[-1]
    assert last.startswith(f"itl {args[0]}: error: argument --") and last.endswith(message + (" (32 bits, until 2106)" if "TIMESTAMP" in message else ""))


# ------------------------------------------------------- show, verify, trust, strip, reset, help


def test_show_says_why_on_stderr() -> None:
    r = itl("show", TRUNCATED)
    assert r.returncode == 2 and r.stdout.endswith("Error parsing the ITL file!!\n")
    assert r.stderr == f"itl: {TRUNCATED}: malformed: {TRUNCATED_REASON}\n"
    bad = str(VECTORS / "bad-signature-byte.tlv")
    r = itl("show", bad)
    assert (r.returncode, r.stderr) == (1, f"itl: {bad}: not verified: the signature does not verify\n")
    assert itl("show", ITL).stderr == ""


def test_trust_file_that_is_neither_is_blamed() -> None:
    garbage = str(KEYS / "ITLRecovery.password")
    r = itl("verify", ITL, "--trust", garbage)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"itl: {garbage}: neither a trust list nor a certificate: not an X.509 certificate") and r.stderr.count("\n") == 1


def test_strip_and_reset_say_what_the_file_is(tmp_path: Path) -> None:
    r = itl("strip", ITL, "-o", str(tmp_path / "x"))
    assert (r.returncode, r.stderr) == (2, f"itl: {ITL}: a trust list (ITL), not a signed file (.sgn): nothing to strip\n")
    assert not (tmp_path / "x").exists()
    pw = tmp_path / "pw"
    pw.write_text(password())
    r = itl("reset", CTL, "--p12", str(KEYS / "ITLRecovery.p12"), "--trust", PUB, "--password-file", str(pw), "-o", str(tmp_path / "y"))
    assert (r.returncode, r.stderr) == (2, f"itl: {CTL}: a trust list (CTL), not an ITL: reset re-signs an ITL (ITLFile.tlv) only\n")


def test_every_option_has_help_with_its_default() -> None:
    from cisco_itl.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    assert isinstance(sub.choices, dict)
    for name, command in sub.choices.items():
        if name == "audit":  # another module's options
            continue
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
            if action.default not in (None, False, [], argparse_suppress()) and not action.required:
                assert "default" in action.help, f"{name} {action.option_strings} does not say its default"
    digest = itl("build", "--help").stdout
    assert "default sha512" in " ".join(digest.split())


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS


def test_build_signs_with_sha512_by_default(tmp_path: Path) -> None:
    out = tmp_path / "ITLFile.tlv"
    r = itl("build", "--sign", PUB, "--cert", f"{PUB}:SAST", "--timestamp", "1700000000", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert cisco_itl.TrustList.from_file(out).digest == "sha512"
    assert files_of(itl("verify", "--json", str(out)))[0]["digest"] == "sha512"


# ------------------------------------------------------- show --json and --details


def test_show_json_gives_each_certificate_validity_and_key() -> None:
    doc = json.loads(itl("show", "--json", ITL).stdout)
    assert (doc["schema"], doc["timestamp"], doc["timestamp_utc"]) == (1, 1773075583, "2026-03-09T16:59:43Z")
    first, capf = doc["records"][0], doc["records"][2]
    assert (first["not_before"], first["not_after"]) == ("2026-03-08T16:59:43Z", "2031-03-09T16:59:43Z")
    assert (first["key_algorithm"], first["key_bits"]) == ("RSA", 1024)
    # CUCM's CAPF record holds only the certificate's hash.
    assert (capf["not_after"], capf["key_bits"]) == (None, None)


def test_show_details_follows_cucm_text() -> None:
    plain = itl("show", ITL).stdout
    r = itl("show", "--details", ITL)
    assert r.returncode == 0 and r.stdout.startswith(plain)
    assert r.stdout[len(plain) :].splitlines()[:4] == [
        "",
        "Details",
        "Timestamp: 2026-03-09T16:59:43Z (1773075583)",
        "Record 1 (SAST): CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL: RSA 1024-bit key, "
        "valid from 2026-03-08T16:59:43Z to 2031-03-09T16:59:43Z",
    ]


# ------------------------------------------------------- expiry

# The vectors' certificates run from 2026-03-08T16:59:43Z to 2031-03-09T16:59:43Z (1930841983).
NOT_AFTER = 1930841983


def test_expiry_counts_days_and_says_how_to_renew() -> None:
    now = NOT_AFTER - 30 * 86400
    r = itl("expiry", ITL, "--now", str(now))
    assert r.returncode == 1  # 30 days left, within the default 60
    lines = r.stdout.splitlines()
    assert lines[0] == (
        f"{ITL}: record 1 (SAST) CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL: EXPIRING, expires in 30 days "
        "(2031-03-09T16:59:43Z); to renew: regenerate CallManager on cucm-1051-a-pub "
        "(see: itl whatif regenerate-callmanager:cucm-1051-a-pub)."
    )
    assert "record 5 (SAST) CN=ITLRECOVERY_cucm-1051-a-pub" in lines[4] and "itl whatif regenerate-itlrecovery" in lines[4]
    assert lines[3].endswith("the list holds only the certificate's hash, so its expiry is unknown here.")
    assert itl("expiry", ITL, "--now", str(now), "--within", "29").returncode == 0
    assert itl("expiry", ITL, "--now", str(now), "--within", "31").returncode == 1
    assert itl("expiry", ITL, "--now", str(NOT_AFTER + 86400), "--within", "0").returncode == 1  # expired


def test_expiry_of_a_folder_as_json() -> None:
    r = itl("expiry", "--json", str(VECTORS), "--now", str(NOT_AFTER - 1000 * 86400), "--within", "10")
    assert r.returncode == 2  # the bad-* vectors do not parse
    doc = json.loads(r.stdout)
    ctl = [c for c in doc["certificates"] if Path(c["path"]).name == "cucm-CTLFile-tokenless.tlv"]
    assert {c["days_left"] for c in ctl if c["days_left"] is not None} == {1000}
    assert {c["status"] for c in ctl} <= {"ok", "unknown"} and doc["within_days"] == 10
    r = itl("expiry", ITL, CTL, "--now", str(NOT_AFTER - 1000 * 86400), "--within", "1001")
    assert r.returncode == 1


# ------------------------------------------------------- diff


def test_diff_of_a_regenerated_callmanager_locks_the_phone() -> None:
    new = str(VECTORS / "cucm-ITLFile-regen-callmanager.tlv")
    r = itl("diff", ITL, new)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "Records: 2 changed, 0 added, 0 removed, 4 unchanged."
    assert lines[1].startswith("Changed: record 1 (SAST) CN=cucm-1051-a-pub;") and "serial 2ae44da7f2370d9e260e271365a4a3a6 -> 48cb96c4dbadbe172296d5234ab24c6b" in lines[1]
    assert lines[3] == (
        "Signer: CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL, another certificate "
        "(serial 2ae44da7f2370d9e260e271365a4a3a6 -> 48cb96c4dbadbe172296d5234ab24c6b)."
    )
    assert lines[-1].startswith("A phone holding OLD REFUSES NEW (rule untrusted)") and "locked" in lines[-1]
    doc = json.loads(itl("diff", "--json", ITL, new).stdout)
    assert (doc["schema"], doc["unchanged"], [c["old"]["record"] for c in doc["changed"]]) == (1, 4, [1, 2])
    assert (doc["phone"]["accepted"], doc["phone"]["locked"], doc["phone"]["rule"]) == (False, True, "untrusted")


def test_diff_of_a_reset_is_accepted_by_the_recovery_record() -> None:
    r = itl("diff", ITL, str(VECTORS / "cucm-ITLFile-reset.tlv"))
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "Records: 0 changed, 0 added, 0 removed, 6 unchanged."
    assert r.stdout.splitlines()[-1] == (
        "A phone holding OLD accepts NEW (rule itl-sast): accepted: signed by SAST record 5 of the installed ITL."
    )
    r = itl("diff", ITL, SGN)
    assert (r.returncode, r.stderr) == (2, f"itl: {SGN}: a signed file (.sgn), not a trust list\n")


# ------------------------------------------------------- completion


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_mentions_every_subcommand(shell: str) -> None:
    from cisco_itl.cli import _commands, build_parser

    r = itl("completion", shell)
    assert r.returncode == 0
    names = [name for name, _, _ in _commands(build_parser())]
    assert {"show", "verify", "expiry", "diff", "completion", "audit"} <= set(names)
    for name in names:
        assert name in r.stdout, name
    assert "--max-bytes" in r.stdout or "max-bytes" in r.stdout


def test_bash_completion_script_runs() -> None:
    import shutil

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    script = itl("completion", "bash").stdout
    probe = script + 'COMP_WORDS=(itl ver); COMP_CWORD=1; _itl; echo "${COMPREPLY[@]}"\n'
    probe += 'COMP_WORDS=(itl show --j); COMP_CWORD=2; _itl; echo "${COMPREPLY[@]}"\n'
    r = subprocess.run([bash, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.stdout.splitlines() == ["verify", "--json"]


def test_an_encrypted_configuration_is_one_too(tmp_path: Path) -> None:
    cnf = tmp_path / "c.xml"
    cnf.write_bytes(b"<device/>")
    enc = str(tmp_path / "SEP0011215A1AE3.cnf.xml.enc.sgn")
    phone = str(VECTORS.parent / "phone-SEP0011215A1AE3.pem")
    assert itl("encrypt", str(cnf), "--cert", phone, "--sign", PUB, "-o", enc).returncode == 0
    got = files_of(itl("verify", "--json", enc, "--trust", ITL))[0]
    assert (got["kind"], got["status"], got["signer_record"], got["key_bits"]) == ("ENC", "verified", None, 1024)
    r = itl("strip", enc)
    assert (r.returncode, r.stderr) == (
        2,
        f"itl: {enc}: an encrypted configuration (.enc.sgn), not a signed file (.sgn): nothing to strip "
        "(itl decrypt opens it)\n",
    )
