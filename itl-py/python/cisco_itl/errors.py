"""The exceptions of ``cisco_itl``.

Every error of the Rust core reaches Python as one of these, with the
core's message and, where the core names one, the byte offset at fault::

    Error                   base of them all (a subclass of Exception)
    ├── ParseError          malformed bytes (also a ValueError)
    ├── VerificationError   a signature, a signer or a record not accepted
    ├── CredentialError     a bad key, certificate, PKCS#12 file or password
    ├── PolicyError         genuine, but a rule refuses it (a weak digest or
    │                       key under ``strict``, no ITLRecovery record, the
    │                       phone refusing a file or a TVS server…)
    ├── ClusterError        a cluster description, operation or goal the
    │                       what-if simulator cannot take (also a ValueError)
    ├── DecryptError        an encrypted configuration (.enc.sgn) whose
    │                       signature was accepted but that was not
    │                       decrypted: another phone's file, a wrong key,
    │                       bad padding, a digest mismatch
    ├── CapfRefused         a CAPF server ended the session without what
    │                       was asked: a wrong password or proof, an
    │                       unknown device (``reason`` says which)
    └── ServerNotTrusted    a CAPF server that is not the CAPF the trust
                            lists (or the pinned certificate) name; also
                            a VerificationError

CAPF network failures are the usual ``TimeoutError`` and ``ConnectionError``
(``OSError`` subclasses); a CAPF store given a bad device name, key size or
password raises ``ValueError``.

Files that cannot be read raise the usual ``OSError`` subclasses.

The class is one table from the core's error category, shared with the C
library's result codes: see "Errors" in ``docs/C.md``. The classes are
defined here, in Python, and only here: the compiled module binds these
very classes (PyO3's ``import_exception!``) and raises them.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

__all__ = [
    "Error",
    "ParseError",
    "VerificationError",
    "CredentialError",
    "PolicyError",
    "ClusterError",
    "DecryptError",
    "CapfRefused",
    "ServerNotTrusted",
]


class Error(Exception):
    """Base class of every error ``cisco_itl`` raises.

    ``offset`` is the byte offset (from the start of the file) of the
    element at fault, when there is one, else ``None``.
    """

    offset: Optional[int]

    def __init__(self, message: str, *, offset: Optional[int] = None) -> None:
        super().__init__(message)
        self.offset = offset

    def __reduce__(self) -> Tuple[Callable[..., "Error"], Tuple[object, ...]]:
        return (_rebuild, (type(self), str(self), self.offset))

    def __repr__(self) -> str:
        at = "" if self.offset is None else f", offset={self.offset}"
        return f"{type(self).__name__}({str(self)!r}{at})"


def _rebuild(cls: type, message: str, offset: Optional[int]) -> Error:
    error: Error = cls(message, offset=offset)
    return error


class ParseError(Error, ValueError):
    """The bytes are not a well-formed trust list or signed file.

    ``offset`` points at the element or field at fault.
    """


class VerificationError(Error):
    """A signature does not verify, its signer is not trusted, or a record
    disagrees with its own certificate."""


class CredentialError(Error):
    """A private key, certificate, PKCS#12 file or password is unusable."""


class PolicyError(Error):
    """The file is well formed and genuine, but a rule refuses it: a SHA-1
    digest or a key under 2048 bits under ``strict``, an ITL without the
    ITLRecovery record for a reset, the phone's rules refusing a file or a
    TVS server's certificate."""


class ClusterError(Error, ValueError):
    """The cluster simulator cannot take this: a wrong description, an
    unknown node, class, operation or goal, a regeneration CUCM refuses
    within five minutes, a key pool used up."""


class DecryptError(Error):
    """An encrypted configuration (``.enc.sgn``) was not decrypted although
    its signature was accepted: the file is for another phone than the
    key's certificate (or its name names no phone), the key does not open
    it (one error for every way a wrong key shows), the header announces
    more padding than the payload holds, or the decrypted configuration's
    digest differs from the header's. Nothing decrypted is returned.

    A refused signature is a ``VerificationError`` (or ``PolicyError``), and
    the file is not decrypted at all; a malformed file is a ``ParseError``.
    """


class CapfRefused(Error):
    """A CAPF server ended the session without doing what was asked: no
    certificate was issued and nothing was recorded. ``reason`` is the
    server's reason: ``"invalid"`` (a wrong password or proof of identity)
    or ``"unknown device"`` (the store has no such device)."""

    reason: Optional[str]

    def __init__(self, message: str, *, offset: Optional[int] = None, reason: Optional[str] = None) -> None:
        super().__init__(message, offset=offset)
        self.reason = reason

    def __reduce__(self) -> Tuple[Callable[..., "Error"], Tuple[object, ...]]:
        return (_rebuild_refused, (type(self), str(self), self.offset, self.reason))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, reason={self.reason!r})"


def _rebuild_refused(cls: type, message: str, offset: Optional[int], reason: Optional[str]) -> Error:
    error: Error = cls(message, offset=offset, reason=reason)
    return error


class ServerNotTrusted(VerificationError):
    """The server is not the CAPF the trust lists name (no CAPF record of
    the lists carries its certificate's hash) or not the pinned
    certificate: the client said nothing to it."""
