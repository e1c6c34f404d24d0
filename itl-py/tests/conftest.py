"""Shared fixtures: the repository's test vectors and their keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "itl-core" / "tests" / "data" / "vectors"
KEYS = VECTORS / "keys"
EXAMPLES = REPO / "examples" / "python"


def read(name: str) -> bytes:
    """A vector's bytes."""
    return (VECTORS / name).read_bytes()


def key(name: str) -> bytes:
    """A file of ``keys/`` (PEM: private key, then certificate)."""
    return (KEYS / name).read_bytes()


def password() -> str:
    """The ITLRecovery password."""
    return (KEYS / "ITLRecovery.password").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def manifest() -> Dict[str, Any]:
    """``manifest.json`` of the vectors."""
    data: Dict[str, Any] = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))
    return data
