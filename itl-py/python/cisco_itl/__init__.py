"""Cisco phone trust lists: ITL and CTL files, signed ``.sgn`` files, and
the rules a Cisco IP phone follows when it decides whom to trust.

The reference implementation's Rust core, from Python::

    import cisco_itl

    itl = cisco_itl.TrustList.from_file("ITLFile.tlv")
    signer = itl.verify()                  # the signing Record, or VerificationError
    for record in itl.records:
        print(record.functions, record.subject)
    print(itl.show())                      # what CUCM's `show itl` prints

Errors are the classes of :mod:`cisco_itl.errors`, re-exported here. The
``itl`` command (``python -m cisco_itl``) shows, verifies, builds, signs,
strips and resets files, audits a fleet (:mod:`cisco_itl.audit`), and
answers "will this lock my phones?" on a simulated cluster (``Cluster``,
``itl whatif``, ``itl plan``), and encrypts and decrypts phone
configurations (``EncryptedFile``, ``encrypt_config``, ``itl encrypt``,
``itl decrypt``), and schedules, asks for and serves phones' LSCs over
CAPF (``CapfStore``, ``CapfClient``, ``CapfServer``, ``itl capf``).
"""

from __future__ import annotations

from .errors import (
    CapfRefused,
    ClusterError,
    CredentialError,
    DecryptError,
    Error,
    ParseError,
    PolicyError,
    ServerNotTrusted,
    VerificationError,
)
from ._native import (
    FUNCTIONS,
    TRUST_LIST_UPDATE_FAILED,
    BootStep,
    CapfCertificate,
    CapfClient,
    CapfDevice,
    CapfServer,
    CapfStore,
    Cluster,
    Companion,
    Decision,
    EncryptedFile,
    Enrolment,
    Header,
    Phone,
    Plan,
    Record,
    Shown,
    SignedFile,
    TrustList,
    TrustListBuilder,
    Tvs,
    TvsServer,
    Verified,
    VerifyOutcome,
    WhatIfReport,
    __version__,
    certificate_der,
    diff_lists,
    expiries,
    encrypt_config,
    parse_file,
    pkcs12_certificate,
    reset_itl,
    show,
    sign_file,
    verify_many,
)

__all__ = [
    "FUNCTIONS",
    "TRUST_LIST_UPDATE_FAILED",
    "BootStep",
    "CapfCertificate",
    "CapfClient",
    "CapfDevice",
    "CapfRefused",
    "CapfServer",
    "CapfStore",
    "Cluster",
    "ClusterError",
    "Companion",
    "CredentialError",
    "Decision",
    "DecryptError",
    "EncryptedFile",
    "Enrolment",
    "Error",
    "Header",
    "ParseError",
    "Phone",
    "Plan",
    "PolicyError",
    "Record",
    "Shown",
    "ServerNotTrusted",
    "SignedFile",
    "TrustList",
    "TrustListBuilder",
    "Tvs",
    "TvsServer",
    "VerificationError",
    "Verified",
    "VerifyOutcome",
    "WhatIfReport",
    "__version__",
    "certificate_der",
    "diff_lists",
    "expiries",
    "encrypt_config",
    "parse_file",
    "pkcs12_certificate",
    "reset_itl",
    "show",
    "sign_file",
    "verify_many",
]
