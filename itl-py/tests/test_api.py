"""The public surface: docstrings everywhere, telling reprs, stubs that
match the module."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Set

import pytest

import cisco_itl
from cisco_itl import _native
from conftest import key, read

PUBLIC = [n for n in cisco_itl.__all__ if not n.startswith("_") and n not in ("FUNCTIONS", "TRUST_LIST_UPDATE_FAILED")]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_a_docstring(name: str) -> None:
    obj = getattr(cisco_itl, name)
    assert (obj.__doc__ or "").strip(), name
    if inspect.isclass(obj):
        for member, value in vars(obj).items():
            if member.startswith("_"):
                continue
            assert (getattr(value, "__doc__", None) or "").strip(), f"{name}.{member}"


def stub_names() -> Set[str]:
    tree = ast.parse((Path(_native.__file__).parent / "_native.pyi").read_text(encoding="utf-8"))
    names: Set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_the_stubs_cover_the_module() -> None:
    runtime = {n for n in dir(_native) if not n.startswith("_") or n == "__version__"}
    stubs = stub_names()
    assert runtime - stubs == set()
    for name in runtime:
        obj = getattr(_native, name)
        if not inspect.isclass(obj):
            continue
        tree = ast.parse((Path(_native.__file__).parent / "_native.pyi").read_text(encoding="utf-8"))
        cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)
        declared = {
            n.name if isinstance(n, ast.FunctionDef) else n.target.id  # type: ignore[union-attr]
            for n in cls.body
            if isinstance(n, ast.FunctionDef) or (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
        }
        members = {m for m in vars(obj) if not m.startswith("_")}
        assert members - declared == set(), name


def test_reprs_say_what_a_thing_is() -> None:
    itl = cisco_itl.TrustList.from_bytes(read("cucm-ITLFile.tlv"))
    assert repr(itl).startswith('<TrustList ITL "ITLFile.tlv": 6 records, signed by "CN=cucm-1051-a-pub;')
    assert repr(itl[0]).startswith('<Record 0 SAST "CN=cucm-1051-a-pub;')
    assert repr(itl.verify_with(key("callmanager-pub.pem"))) == "<Verified by trusted certificate 0: sha1, 1024-bit key>"
    assert repr(cisco_itl.SignedFile.from_bytes(read("cucm-SEP0011215A1AE3.cnf.xml.sgn"))).startswith(
        '<SignedFile "SEP0011215A1AE3.cnf.xml.sgn": 124-byte payload'
    )
    assert repr(cisco_itl.TrustListBuilder()) == '<TrustListBuilder ITL "ITLFile.tlv": 0 records, sha1, cucm layout>'
    assert repr(cisco_itl.Phone("SEP001122334455")) == '<Phone "SEP001122334455": no trust list>'
    assert repr(cisco_itl.show(read("cucm-ITLFile.tlv"))).startswith("<Shown verified: ")
    assert cisco_itl.TrustList.__module__ == "cisco_itl"
    assert cisco_itl.ParseError.__module__ == "cisco_itl.errors"


def test_version_and_constants() -> None:
    assert cisco_itl.__version__ == "0.1.0"
    assert cisco_itl.FUNCTIONS == ["SAST", "CCM", "CCM+TFTP", "TFTP", "CAPF", "APP-SERVER", "TVS"]
