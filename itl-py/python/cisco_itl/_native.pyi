"""Type stubs of ``cisco_itl._native``, the compiled part of ``cisco_itl``."""

import os
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from typing_extensions import Self, TypeAlias

from typing import Protocol

BytesLike: TypeAlias = Union[bytes, bytearray, memoryview]
"""What a data, key or certificate argument accepts."""

StrPath: TypeAlias = Union[str, "os.PathLike[str]"]
"""A file path."""

FunctionName: TypeAlias = Literal["SAST", "CCM", "CCM+TFTP", "TFTP", "CAPF", "APP-SERVER", "TVS"]
"""A record's role, as ``Record.functions`` gives it."""

FunctionArg: TypeAlias = Union[str, int]
"""A role as an argument: a name (any case) or a FUNCTION code."""

Trusted: TypeAlias = Union["TrustList", BytesLike, Sequence[Union["TrustList", BytesLike]]]
"""What ``verify_with`` trusts: a list, certificate bytes (PEM or DER), or several."""

Digest: TypeAlias = Literal["sha1", "sha256", "sha512"]

__version__: str
FUNCTIONS: list[FunctionName]
TRUST_LIST_UPDATE_FAILED: str

class Record:
    """One record of a trust list: a certificate (or its hash) and its roles."""

    @property
    def length(self) -> int:
        """RECORDLENGTH: the record's byte count."""
    @property
    def offset(self) -> int:
        """The record's offset in its file."""
    @property
    def index(self) -> Optional[int]:
        """The record's index (0-based) in its list."""
    @property
    def functions(self) -> list[Union[FunctionName, int]]:
        """Every FUNCTION, in file order; the code (an int) when unknown."""
    @property
    def function(self) -> Union[FunctionName, int]:
        """The first FUNCTION."""
    @property
    def subject(self) -> str:
        """SUBJECTNAME."""
    @property
    def issuer(self) -> str:
        """ISSUERNAME."""
    @property
    def serial(self) -> str:
        """SERIALNUMBER, lowercase hex."""
    @property
    def dns_name(self) -> Optional[str]:
        """DNSNAME; None when absent."""
    @property
    def public_key(self) -> Optional[bytes]:
        """PUBLICKEY (PKCS#1 RSAPublicKey DER for RSA); None when absent."""
    @property
    def signature(self) -> Optional[bytes]:
        """The certificate's own signature; None when absent."""
    @property
    def certificate(self) -> Optional[bytes]:
        """The X.509 certificate, DER; None when the record carries only its hash."""
    @property
    def ip_address(self) -> Optional[str]:
        """IPADDRESS as text; None when absent."""
    @property
    def cert_hash(self) -> Optional[bytes]:
        """CERTHASH: the hash of the certificate's DER; None when absent."""
    @property
    def hash_algorithm(self) -> Optional[str]:
        """The algorithm of CERTHASH ("sha1"…); None when absent."""
    def has_function(self, function: FunctionArg) -> bool:
        """Whether any FUNCTION of the record is ``function``."""
    def to_bytes(self) -> bytes:
        """The record's bytes, as in the file."""
    def to_dict(self) -> dict[str, object]:
        """The record as a JSON-ready dict (bytes as lowercase hex)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Verified:
    """What a successful ``verify_with`` found."""

    @property
    def signer_index(self) -> Optional[int]:
        """The index of the verified file's own signing record, if any."""
    @property
    def trusted_index(self) -> Optional[int]:
        """Which item of ``trusted`` verified it."""
    @property
    def trusted_record(self) -> Optional[int]:
        """The record of the trusted TrustList that verified it; None for a certificate."""
    @property
    def digest(self) -> Digest:
        """The digest of the signature."""
    @property
    def key_bits(self) -> int:
        """The signer key's size in bits."""

class Header:
    """The signed header of a trust list, a signed file or an encrypted
    configuration (``TrustList.header``, ``SignedFile.header``,
    ``EncryptedFile.header``); the files' attributes of the same names read it."""

    @property
    def filename(self) -> str:
        """FILENAME: the name the file was signed as."""
    @property
    def version(self) -> str:
        """The format version: "1.2" in CUCM's lists, "1.0" in signed files, "2.0" encrypted."""
    @property
    def header_length(self) -> int:
        """HEADERLENGTH: the header's length in bytes."""
    @property
    def signer_name(self) -> str:
        """SIGNERNAME: the signer's subject, as written."""
    @property
    def signer_serial(self) -> str:
        """The signer's serial number, lowercase hex."""
    @property
    def signer_issuer(self) -> str:
        """CANAME: the signer's issuer, as written."""
    @property
    def digest(self) -> str:
        """"sha1", "sha256" or "sha512" ("unknown" for another code)."""
    @property
    def signature(self) -> bytes:
        """The signature bytes."""
    @property
    def timestamp(self) -> int:
        """TIMESTAMP: seconds since the Unix epoch."""
    @property
    def signer_version(self) -> Optional[str]:
        """The signer version (tag 28), None when absent."""
    def to_bytes(self) -> bytes:
        """The header's bytes, as in the file."""
    def to_dict(self) -> dict[str, object]:
        """The header as a JSON-ready dict (bytes as lowercase hex)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class TrustList:
    """An ITL or CTL trust list, read from its bytes without copying them."""

    def __init__(self, data: BytesLike) -> None: ...
    @staticmethod
    def from_bytes(data: BytesLike) -> "TrustList":
        """Parses a trust list; raises ParseError when malformed."""
    @staticmethod
    def from_file(path: StrPath) -> "TrustList":
        """Reads and parses a trust list file."""
    @property
    def header(self) -> Header:
        """The signed header (the same object each time)."""
    @property
    def kind(self) -> Literal["ITL", "CTL"]:
        """"ITL" or "CTL", from the header's FILENAME."""
    @property
    def version(self) -> str:
        """The format version, "1.2" in CUCM's lists."""
    @property
    def header_length(self) -> int:
        """HEADERLENGTH."""
    @property
    def signer_name(self) -> str:
        """SIGNERNAME: the signer's subject, as written."""
    @property
    def signer_serial(self) -> str:
        """The signer's serial number, lowercase hex."""
    @property
    def signer_issuer(self) -> str:
        """CANAME: the signer's issuer, as written."""
    @property
    def digest(self) -> str:
        """"sha1", "sha256" or "sha512" ("unknown" for another code)."""
    @property
    def signature(self) -> bytes:
        """The signature bytes."""
    @property
    def filename(self) -> str:
        """FILENAME: the name the list was signed as."""
    @property
    def timestamp(self) -> int:
        """TIMESTAMP: seconds since the Unix epoch."""
    @property
    def signer_version(self) -> Optional[str]:
        """The signer version (tag 28), None when absent."""
    @property
    def records(self) -> list[Record]:
        """The records, in file order."""
    @property
    def signer_index(self) -> Optional[int]:
        """The index of the signing record, None when no record is."""
    @property
    def md5(self) -> str:
        """MD5 of the whole file, lowercase hex."""
    @property
    def sha1(self) -> str:
        """SHA-1 of the whole file, lowercase hex."""
    def verify(self, *, strict: bool = False) -> Record:
        """Verifies against the list's own signing record; returns that record."""
    def verify_with(
        self,
        trusted: Trusted,
        *,
        functions: Optional[Sequence[FunctionArg]] = None,
        strict: bool = False,
    ) -> Verified:
        """Verifies against what the caller trusts, ignoring the list's own records."""
    def to_bytes(self) -> bytes:
        """The file's bytes, identical to what was read."""
    def show(self) -> str:
        """What CUCM's ``show itl`` (or ``show ctl``) prints."""
    def records_with(self, *functions: FunctionArg) -> list[Record]:
        """The records that carry any of ``functions``."""
    def to_dict(self, *, records: bool = True) -> dict[str, object]:
        """The list as a JSON-ready dict (bytes as lowercase hex);
        ``records=False`` leaves out ``"records"`` (see ``record_dicts``).
        ``ValueError`` for a list of more than 65,536 records with ``records``."""
    def record_dicts(self) -> RecordDicts:
        """The records' dicts, made one at a time as they are asked for."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Record]: ...
    def __getitem__(self, index: int) -> Record: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class SignedFile:
    """A signed file (.sgn): a header like a trust list's, then the payload."""

    def __init__(self, data: BytesLike) -> None: ...
    @staticmethod
    def from_bytes(data: BytesLike) -> "SignedFile":
        """Parses a signed file; raises ParseError when the header is malformed."""
    @staticmethod
    def from_file(path: StrPath) -> "SignedFile":
        """Reads and parses a signed file."""
    @property
    def header(self) -> Header:
        """The signed header (the same object each time)."""
    @property
    def payload(self) -> bytes:
        """The file without its header."""
    @property
    def filename(self) -> str:
        """FILENAME: the name the file was signed as."""
    @property
    def version(self) -> str:
        """The format version, "1.0" in CUCM's signed files."""
    @property
    def header_length(self) -> int:
        """The header's length in bytes."""
    @property
    def signer_name(self) -> str:
        """SIGNERNAME."""
    @property
    def signer_serial(self) -> str:
        """The signer's serial number, lowercase hex."""
    @property
    def signer_issuer(self) -> str:
        """CANAME."""
    @property
    def digest(self) -> str:
        """The digest of the signature."""
    @property
    def signature(self) -> bytes:
        """The signature bytes."""
    @property
    def timestamp(self) -> int:
        """TIMESTAMP."""
    @property
    def signer_version(self) -> Optional[str]:
        """The signer version (tag 28), None when absent."""
    @property
    def md5(self) -> str:
        """MD5 of the whole file."""
    @property
    def sha1(self) -> str:
        """SHA-1 of the whole file."""
    def verify_with(
        self,
        trusted: Trusted,
        *,
        functions: Optional[Sequence[FunctionArg]] = None,
        strict: bool = False,
    ) -> Verified:
        """Verifies against a TrustList's CCM+TFTP/TFTP records or certificates."""
    def to_bytes(self) -> bytes:
        """The file's bytes."""
    def show(self) -> str:
        """The header in the style of ``show itl``."""
    def to_dict(self) -> dict[str, object]:
        """The header as a JSON-ready dict."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class TrustListBuilder:
    """Builds and signs a new ITL or CTL from certificates."""

    filename: str
    """FILENAME written in the header."""
    timestamp: Optional[int]
    """TIMESTAMP; None: the time of signing."""
    @property
    def digest(self) -> Digest:
        """The digest to sign with."""
    @digest.setter
    def digest(self, value: str) -> None: ...
    @property
    def layout(self) -> Literal["cucm", "rfc4514"]:
        """The layout: CUCM's, or the independent builder's."""
    @layout.setter
    def layout(self, value: str) -> None: ...
    @property
    def version(self) -> str:
        """The format version."""
    @version.setter
    def version(self, value: str) -> None: ...
    def __init__(
        self,
        kind: Literal["ITL", "CTL", "itl", "ctl"] = "ITL",
        *,
        filename: Optional[str] = None,
        timestamp: Optional[int] = None,
        digest: str = "sha1",
        layout: str = "cucm",
        version: str = "1.2",
    ) -> None: ...
    @property
    def kind(self) -> Literal["ITL", "CTL"]:
        """"ITL" or "CTL"."""
    def add(
        self,
        certificate: BytesLike,
        *functions: FunctionArg,
        dns_name: Optional[str] = None,
        ip_address: Optional[str] = None,
    ) -> Self:
        """Adds a record for ``certificate`` with these functions; returns the builder."""
    def sign(self, key: BytesLike, certificate: Optional[BytesLike] = None) -> bytes:
        """Builds and signs the list; returns the file's bytes."""
    def __len__(self) -> int: ...

def parse_file(data: BytesLike) -> Union[TrustList, SignedFile, EncryptedFile]:
    """The file as what its header says it is: a ``TrustList`` (FILENAME
    ending in ``.tlv``; a broken one raises the list's ``ParseError`` with
    its offset), an ``EncryptedFile`` (an encryption block) or a
    ``SignedFile``."""

def diff_lists(old: BytesLike, new: BytesLike) -> Dict[str, Any]:
    """What changed from the trust list ``old`` to ``new``: records
    ``added``, ``removed``, ``changed`` (same functions and subject, another
    serial or hash; records numbered from 1), ``unchanged``, ``signer`` and
    ``timestamp`` (``None``, or ``{"old", "new"}``)."""

def expiries(data: BytesLike, now: int, within_days: int) -> List[Dict[str, Any]]:
    """Every record's certificate of the trust list ``data`` at ``now``
    (seconds since 1970): ``record`` (1-based), ``functions``, ``subject``,
    ``not_after`` (ISO 8601 UTC, ``None`` for a record holding only a hash),
    ``days_left``, ``status`` ("ok", "expiring" within ``within_days``,
    "expired", "unknown") and ``renewal`` (a sentence)."""

def sign_file(
    payload: BytesLike,
    filename: str,
    key: BytesLike,
    digest: str = "sha1",
    *,
    certificate: Optional[BytesLike] = None,
    timestamp: Optional[int] = None,
    layout: str = "cucm",
    version: str = "1.0",
) -> bytes:
    """Signs ``payload`` as the signed file ``filename``; returns its bytes."""

def reset_itl(
    itl: BytesLike,
    p12: BytesLike,
    password: str,
    *,
    trusted: Trusted,
) -> bytes:
    """``utils itl reset``: the ITL re-signed with the ITLRecovery identity,
    once it verifies against ``trusted`` (required: the publisher's
    CallManager certificate, the installed ITL or CTL, or the TFTP server's
    previous ITL)."""

def certificate_der(certificate: BytesLike) -> bytes:
    """A certificate's DER from PEM or DER; CredentialError when it is not one."""

def pkcs12_certificate(p12: BytesLike, password: str) -> bytes:
    """The certificate (DER) of a PKCS#12 file's identity."""

class VerifyOutcome:
    """The outcome of one input of ``verify_many``."""

    @property
    def index(self) -> int:
        """The input's position in the batch."""
    @property
    def path(self) -> Optional[str]:
        """The file's path as given, None for bytes."""
    @property
    def ok(self) -> bool:
        """Whether it parsed and verified."""
    @property
    def signer_index(self) -> Optional[int]:
        """The index of its signing record, when checked against its own records."""
    @property
    def digest(self) -> Optional[Digest]:
        """The digest of its signature, None when it did not verify."""
    @property
    def key_bits(self) -> Optional[int]:
        """The signer key's size, None when it did not verify."""
    @property
    def error(self) -> Optional[Exception]:
        """Why it did not verify (a cisco_itl.Error or an OSError); None when ok."""
    def __bool__(self) -> bool: ...

def verify_many(
    items: Iterable[Union[BytesLike, StrPath]],
    trusted: Optional[Trusted] = None,
    workers: Optional[int] = None,
    *,
    strict: bool = False,
) -> list[VerifyOutcome]:
    """Parses and verifies every item with the GIL released; one outcome per item."""

class Shown:
    """The ``show itl`` text of a file, and how it ended."""

    @property
    def text(self) -> str:
        """The text."""
    @property
    def outcome(self) -> Literal["verified", "not-verified", "signed-file", "malformed"]:
        """How the file ended."""
    @property
    def error(self) -> Optional[str]:
        """Why it did not verify or parse."""

def audit_itls(
    files: Sequence[Tuple[str, BytesLike]],
    *,
    trusted: Optional[Trusted] = None,
    recovery: Optional[BytesLike] = None,
) -> Tuple[List[Dict[str, object]], List[str]]:
    """The fleet audit's verdict on collected ITLs (``(path, bytes)``
    pairs): per file a dict (``path``, ``sha1``, ``server``, ``filename``,
    ``timestamp``, ``status``: ``"current"``, ``"stale"``, ``"suspicious"``
    or ``"invalid"``, ``reason``, ``recovery``, ``verified``, ``signer``),
    and sentences about the fleet."""

def parse_device_reports(
    data: BytesLike, *, latest: bool = False
) -> Tuple[List[Dict[str, object]], List[Tuple[int, str]], str]:
    """Reads a DeviceTLInfo report (XML alarms, CUCM syslog lines or a CSV
    export in any column order, separator and encoding): ``(entries,
    problems, format)``. Each entry a dict (``device``, ``line``,
    ``itl_sha1``, ``ctl_sha1``: lowercase hex or ``None``,
    ``itl_tftp_server``, ``ctl_tftp_server``, ``status_code``,
    ``itl_reported``, ``ctl_reported``); each problem a row or line left
    out, ``(line, sentence)``; ``format`` ``"xml"``, ``"syslog"`` or
    ``"csv"``. ``latest``: only the last report of each device.
    ``ParseError`` for input that is none of these."""

def tftp_read(
    host: str,
    port: int,
    filename: str,
    *,
    deadline: float = 10.0,
    packet_timeout: float = 1.0,
    retries: int = 5,
    max_bytes: int = ...,
) -> bytes:
    """``filename`` from the TFTP server at ``host``:``port`` (RFC 1350
    read request, octet mode), within ``deadline`` seconds, at most
    ``max_bytes`` (default ``MAX_LIST_BYTES``). ``FileNotFoundError`` when
    not served, ``TimeoutError`` when the server is silent or too slow,
    ``ConnectionError`` when it refuses or misbehaves, ``OSError`` when the
    host does not resolve, ``ValueError`` for a name TFTP cannot carry."""

def show(
    data: BytesLike,
    kind: Optional[Literal["ITL", "CTL"]] = None,
    *,
    text: bool = True,
    out: Optional[SupportsWrite] = None,
) -> Shown:
    """Renders ``data`` as CUCM's ``show itl`` does (a .sgn by its header);
    with ``out`` the text is written to it 64 KiB at a time (``text`` is
    then empty), with ``text=False`` only the outcome is found. ``ValueError``
    for ``data`` over 16 MiB without ``out`` or ``text=False``."""

class SupportsWrite(Protocol):
    """A text stream: ``sys.stdout``, an ``io.StringIO``."""

    def write(self, text: str, /) -> object: ...

class RecordDicts:
    """The iterator of ``TrustList.record_dicts()``."""

    def __iter__(self) -> Iterator[dict[str, object]]: ...
    def __next__(self) -> dict[str, object]: ...

MAX_LIST_BYTES: int
"""The largest trust list or signed file read from a path (1 MiB, what a phone accepts)."""
MAX_KEY_FILE_BYTES: int
"""The largest key, certificate or PKCS#12 file read from a path (1 MiB)."""
MAX_REPORT_BYTES: int
"""The largest report (a CSV of phones) read from a path (128 MiB)."""

def read_file(path: Union[str, "os.PathLike[str]"], limit: int = ...) -> bytes:
    """A regular file of at most ``limit`` bytes (default ``MAX_LIST_BYTES``);
    ``OSError`` at once for a folder, a FIFO, a device or a larger file."""

DecisionRule: TypeAlias = Literal[
    "first-use", "blank-itl", "unsigned", "ctl-sast", "ctl-tftp", "itl-sast", "itl-tftp",
    "in-ctl", "in-itl", "tvs", "tvs-cache",
    "malformed", "too-large", "not-a-trust-list-name", "wrong-kind", "wrong-file", "bad-record",
    "rollback", "malformed-encrypted", "no-key", "decrypt", "blank-itl-with-ctl",
    "same-timestamp", "self-signature", "locked", "untrusted",
]
"""The names of the phone's rules: those that accept (the core's ``Rule``)
and those that refuse (``Rejection``)."""

class Decision:
    """A phone's answer: ``accepted``, the ``rule`` that decided, and ``reason``."""

    @property
    def accepted(self) -> bool:
        """Whether the phone accepted."""
    @property
    def rule(self) -> DecisionRule:
        """The rule that decided ("first-use", "itl-sast", "untrusted"…)."""
    @property
    def reason(self) -> str:
        """Why, in a sentence."""
    @property
    def record(self) -> Optional[int]:
        """The record (0-based) that decided or is at fault."""
    @property
    def server(self) -> Optional[int]:
        """The TVS server (0-based) that answered."""
    @property
    def tvs(self) -> Optional[str]:
        """For "untrusted": what happened with TVS."""
    def __bool__(self) -> bool: ...

class BootStep:
    """One file a booting phone asked its TFTP server for."""

    @property
    def file(self) -> str:
        """The file name requested."""
    @property
    def found(self) -> bool:
        """Whether the TFTP server had it."""
    @property
    def kind(self) -> Optional[Literal["trust-list", "config"]]:
        """What the file was taken as; None when not found."""
    @property
    def decision(self) -> Optional[Decision]:
        """What the phone decided; None when not found."""

class TvsServer:
    """A TVS server: the certificate it presents and those it vouches for."""

    def __init__(self, name: str, certificate: BytesLike) -> None: ...
    @property
    def name(self) -> str:
        """The server's name."""
    @property
    def certificate(self) -> bytes:
        """The certificate it presents, DER."""
    @property
    def entries(self) -> list[tuple[bytes, list[Union[FunctionName, int]], int]]:
        """The certificates it vouches for: (der, roles, ttl)."""
    def trust(self, certificate: BytesLike, *roles: FunctionArg, ttl: Optional[int] = None) -> Self:
        """Vouches for ``certificate`` in ``roles``; returns the server."""
    def __len__(self) -> int: ...

class Tvs:
    """The TVS servers a phone reaches, in order."""

    def __init__(self, servers: Optional[Sequence[TvsServer]] = None) -> None: ...
    @staticmethod
    def unreachable() -> "Tvs":
        """No server reachable."""
    def add(self, server: TvsServer) -> int:
        """Adds a server; returns its index."""
    @property
    def servers(self) -> list[TvsServer]:
        """The servers, in order."""
    @property
    def queries(self) -> int:
        """How many verify requests the servers answered."""
    def __len__(self) -> int: ...

class Phone:
    """A Cisco IP phone's trust state and decisions."""

    @property
    def now(self) -> int:
        """The phone's clock, seconds since the epoch."""
    @now.setter
    def now(self, value: Optional[int]) -> None: ...
    def __init__(
        self,
        device_name: str = "SEP001122334455",
        *,
        tvs_servers: int = 1,
        security_by_default: bool = True,
        anti_rollback: bool = False,
        strict: bool = False,
        max_file_size: Optional[int] = None,
        now: Optional[int] = None,
        key: Optional[BytesLike] = None,
        certificate: Optional[BytesLike] = None,
    ) -> None: ...
    def set_key(self, key: Optional[BytesLike], certificate: Optional[BytesLike] = None) -> None:
        """Gives the phone its own key (LSC or MIC; a PEM with its certificate, or
        ``certificate``); ``None`` takes it away."""
    def set_mic(self, key: Optional[BytesLike], certificate: Optional[BytesLike] = None) -> None:
        """Gives the phone its manufacturer's certificate (MIC) and key."""
    @property
    def certificate(self) -> Optional[bytes]:
        """The certificate the phone decrypts with (DER): its LSC, else its MIC."""
    @property
    def lsc(self) -> Optional[bytes]:
        """The phone's LSC (DER); None when it holds none."""
    @property
    def mic(self) -> Optional[bytes]:
        """The phone's MIC (DER); None when it holds none."""
    def enrol(
        self,
        server: str,
        *,
        mode: Literal["password", "none", "lsc-then-mic", "mic"] = "password",
        password: Optional[str] = None,
        deadline: float = 60.0,
    ) -> Enrolment:
        """Asks CAPF for the phone's LSC as a phone does and keeps what it is given."""
    def offer_encrypted_config(self, name: str, data: BytesLike) -> Tuple[Decision, Optional[bytes]]:
        """Decides on an encrypted configuration fetched as ``name``: the signature
        first, then decryption with the phone's key. The decision and the
        configuration (None when refused)."""
    def offer_trust_list(self, name: str, data: BytesLike, tvs: Optional[Tvs] = None) -> Decision:
        """Decides on a CTL or ITL fetched as ``name``; installs it when accepted."""
    def offer_config(self, name: str, data: BytesLike) -> Decision:
        """Decides on a signed configuration file fetched as ``name``."""
    def check_server_certificate(self, certificate: BytesLike, tvs: Optional[Tvs] = None) -> Decision:
        """Decides on an HTTPS server's certificate."""
    def authenticate_tvs(self, certificate: BytesLike) -> int:
        """The TVS record that names this TVS server's certificate."""
    def boot(
        self,
        files: Mapping[str, BytesLike],
        tvs: Optional[Tvs] = None,
        *,
        encrypted_config: bool = False,
    ) -> list[BootStep]:
        """Boots against a TFTP server holding ``files``."""
    @property
    def device_name(self) -> str:
        """The device name."""
    @property
    def itl(self) -> Optional[TrustList]:
        """The installed ITL."""
    @property
    def ctl(self) -> Optional[TrustList]:
        """The installed CTL."""
    @property
    def locked(self) -> bool:
        """Whether a refused trust list has locked the phone."""
    @property
    def status_message(self) -> Optional[str]:
        """"Trust List Update Failed" while locked."""
    @property
    def has_blank_itl(self) -> bool:
        """Whether the installed ITL is blank."""
    @property
    def security_by_default(self) -> bool:
        """Whether the phone supports Security By Default."""
    @property
    def cached_entries(self) -> int:
        """Live entries in the TVS cache."""
    def advance(self, seconds: int) -> None:
        """Moves the phone's clock forward."""
    def copy(self) -> "Phone":
        """An independent copy of the phone."""
    def __copy__(self) -> "Phone": ...
    def __deepcopy__(self, memo: object) -> "Phone": ...


class WhatIfReport:
    """What a cluster simulation found; ``str(report)`` is the table."""

    @property
    def locked(self) -> int: ...
    @property
    def cut_off(self) -> int: ...
    @property
    def peak_cut_off(self) -> int: ...
    @property
    def phones(self) -> int: ...
    @property
    def classes(self) -> list[dict[str, Any]]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Plan:
    """The planner's answer; ``str(plan)`` says it in sentences."""

    @property
    def safe(self) -> bool: ...
    @property
    def steps(self) -> list[str]: ...
    @property
    def peak_cut_off(self) -> int: ...
    @property
    def cut_off_at_end(self) -> int: ...
    @property
    def explored(self) -> int: ...
    @property
    def complete(self) -> bool: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Cluster:
    """A simulated CUCM cluster and its phones, in classes."""

    @staticmethod
    def builtin() -> Cluster: ...
    @staticmethod
    def builtin_description() -> str: ...
    @staticmethod
    def from_toml(text: str, base: Optional[Union[str, os.PathLike[str]]] = None) -> Cluster: ...
    @staticmethod
    def from_file(path: Union[str, os.PathLike[str]]) -> Cluster: ...
    @staticmethod
    def from_collected(
        folder: Union[str, os.PathLike[str]],
        overlay: Optional[Union[str, os.PathLike[str]]] = None,
        phones: Optional[Sequence[Tuple[str, str]]] = None,
    ) -> Cluster: ...
    def whatif(self, operations: Sequence[str]) -> WhatIfReport: ...
    def plan(self, goal: str, max_steps: int = 5) -> Plan: ...
    def apply(self, operation: str) -> None: ...
    def boot(self) -> WhatIfReport: ...
    def to_dot(self) -> str: ...
    @property
    def nodes(self) -> list[str]: ...
    @property
    def classes(self) -> list[str]: ...
    @property
    def phone_count(self) -> int: ...
    @property
    def mode(self) -> Literal["non-secure", "etoken", "tokenless"]: ...
    @property
    def cucm_version(self) -> str: ...
    @property
    def assumptions(self) -> list[str]: ...
    @property
    def now(self) -> int: ...


class EncryptedFile:
    """An encrypted configuration (SEP<MAC>.cnf.xml.enc.sgn), read without copying."""

    def __init__(self, data: BytesLike) -> None: ...
    @staticmethod
    def from_bytes(data: BytesLike) -> "EncryptedFile":
        """Parses an encrypted configuration; raises ParseError when malformed."""
    @staticmethod
    def from_file(path: StrPath) -> "EncryptedFile":
        """Reads and parses an encrypted configuration."""
    @property
    def header(self) -> Header:
        """The signed header (the same object each time)."""
    @property
    def filename(self) -> str:
        """FILENAME: the name the file was signed as."""
    @property
    def device(self) -> Optional[str]:
        """The device (SEP<MAC>) FILENAME names; None when it names none."""
    @property
    def version(self) -> str:
        """The format version, "2.0"."""
    @property
    def header_length(self) -> int:
        """The header's length in bytes."""
    @property
    def signer_name(self) -> str:
        """SIGNERNAME."""
    @property
    def signer_serial(self) -> str:
        """The signer's serial number, lowercase hex."""
    @property
    def signer_issuer(self) -> str:
        """CANAME."""
    @property
    def digest(self) -> str:
        """The digest of the signature."""
    @property
    def signature(self) -> bytes:
        """The signature bytes."""
    @property
    def timestamp(self) -> int:
        """TIMESTAMP."""
    @property
    def signer_version(self) -> Optional[str]:
        """The signer version (tag 28), None when absent."""
    @property
    def iv_type(self) -> int:
        """IVTYPE (tag 18)."""
    @property
    def iv(self) -> bytes:
        """IV (tag 19): 16 bytes."""
    @property
    def padding_length(self) -> int:
        """PADDINGLENGTH (tag 20): 1 to 16."""
    @property
    def key_type(self) -> int:
        """KEYTYPE (tag 22)."""
    @property
    def key_bits(self) -> int:
        """KEYLENGTH (tag 23): the phone key's size in bits."""
    @property
    def key_format(self) -> int:
        """KEYFORMAT (tag 24): 1, RSA PKCS#1 v1.5."""
    @property
    def wrapped_key(self) -> bytes:
        """ENCRYPTEDKEY (tag 25): the AES key wrapped for the phone."""
    @property
    def plain_digest_algorithm(self) -> Literal["sha1", "sha512"]:
        """PLAINDIGESTALGORITHM (tag 26)."""
    @property
    def plain_digest(self) -> bytes:
        """PLAINDIGEST (tag 27): the configuration's digest."""
    @property
    def ciphertext(self) -> bytes:
        """The encrypted payload."""
    @property
    def md5(self) -> str:
        """MD5 of the whole file."""
    @property
    def sha1(self) -> str:
        """SHA-1 of the whole file."""
    def verify_with(
        self,
        trusted: Trusted,
        *,
        functions: Optional[Sequence[FunctionArg]] = None,
        strict: bool = False,
    ) -> Verified:
        """Verifies against a TrustList's CCM+TFTP/TFTP records or certificates."""
    def decrypt(
        self,
        key: BytesLike,
        trusted: Trusted,
        *,
        certificate: Optional[BytesLike] = None,
        functions: Optional[Sequence[FunctionArg]] = None,
        strict: bool = False,
    ) -> bytes:
        """Verifies against ``trusted``, then decrypts with the phone's key."""
    def to_bytes(self) -> bytes:
        """The file's bytes."""
    def show(self) -> str:
        """The header and the encryption block in the style of ``show itl``."""
    def to_dict(self) -> dict[str, object]:
        """The header and the encryption block as a JSON-ready dict."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def encrypt_config(
    device: str,
    xml: BytesLike,
    phone_certificate: BytesLike,
    tftp_key: BytesLike,
    digest: str = "sha1",
    timestamp: Optional[int] = None,
    *,
    tftp_certificate: Optional[BytesLike] = None,
) -> bytes:
    """SEP<MAC>.cnf.xml.enc.sgn: ``xml`` encrypted for the phone certificate, signed by the TFTP key."""

class Companion:
    """The companion SEP<MAC>.cnf.xml.sgn served beside an encrypted configuration."""

    ip_address_mode: int
    load_information: str
    capf_auth_mode: int
    capf_nodes: list[str]
    capf_port: int
    def __init__(
        self,
        *,
        load_information: str = "",
        capf_auth_mode: int = 0,
        capf_nodes: Sequence[str] = (),
        capf_port: int = 3804,
        ip_address_mode: int = 0,
    ) -> None: ...
    def xml(self, phone_certificate: BytesLike) -> str:
        """The companion's XML for this phone certificate."""
    def sign(
        self,
        device: str,
        phone_certificate: BytesLike,
        tftp_key: BytesLike,
        digest: str = "sha1",
        timestamp: Optional[int] = None,
        *,
        tftp_certificate: Optional[BytesLike] = None,
    ) -> bytes:
        """Builds and signs <device>.cnf.xml.sgn."""

CapfOperation: TypeAlias = Literal["install", "fetch", "delete", "none"]
"""A CAPF device's pending operation."""

CapfAuth: TypeAlias = Literal["password", "none", "lsc", "mic"]
"""How a CAPF device proves who it is."""

class CapfDevice:
    """A device of the CAPF store and the operation scheduled for it."""

    @property
    def name(self) -> str:
        """Its name (SEP<MAC>)."""
    @property
    def operation(self) -> CapfOperation:
        """The pending operation ("none": done, or nothing asked)."""
    @property
    def auth(self) -> CapfAuth:
        """How it must prove who it is."""
    @property
    def password(self) -> Optional[str]:
        """The password of password authentication, else None."""
    @property
    def key(self) -> str:
        """The key it must generate: "rsa-2048", "P-256", "P-384", "P-521"."""
    @property
    def key_bits(self) -> Optional[int]:
        """The RSA key size, None for an EC key."""
    @property
    def curve(self) -> Optional[Literal["P-256", "P-384", "P-521"]]:
        """The curve of an EC key, None for RSA."""

class CapfCertificate:
    """A certificate the CAPF server issued and recorded."""

    @property
    def device(self) -> str:
        """The device it was issued to."""
    @property
    def serial(self) -> bytes:
        """Its serial number, big-endian bytes."""
    @property
    def serial_hex(self) -> str:
        """Its serial number, lower-case hex."""
    @property
    def der(self) -> bytes:
        """The certificate, DER."""
    @property
    def not_after(self) -> int:
        """The end of its validity, seconds since 1970."""

class CapfStore:
    """The CAPF device store (an SQLite file that is the store's alone)."""

    def __init__(self, path: StrPath) -> None: ...
    @staticmethod
    def in_memory() -> "CapfStore":
        """A store in memory."""
    @property
    def path(self) -> Optional[str]:
        """The file, None in memory."""
    def schedule(
        self,
        device: str,
        operation: CapfOperation = "install",
        *,
        auth: Optional[CapfAuth] = None,
        password: Optional[str] = None,
        key: Union[str, int, None] = None,
    ) -> CapfDevice:
        """Schedules an operation for a device; ValueError for a bad name, key or password."""
    def remove(self, device: str) -> bool:
        """Removes a device and its certificates; whether it was there."""
    def device(self, name: str) -> Optional[CapfDevice]:
        """The device called name, None when absent."""
    def list(self) -> List[CapfDevice]:
        """Every device, by name."""
    def certificates(self, device: str) -> List[CapfCertificate]:
        """The certificates issued to device, oldest first."""

class Enrolment:
    """What a CAPF session ended with."""

    @property
    def kind(self) -> Literal["installed", "fetched", "deleted", "nothing"]:
        """What the session did."""
    @property
    def certificate(self) -> Optional[bytes]:
        """The LSC (DER) of an installation or fetch."""
    @property
    def key(self) -> Optional[bytes]:
        """The private key of an installation, PKCS#8 DER."""
    def pem(self) -> str:
        """The certificate (then the key) as PEM; ValueError without a certificate."""

class CapfClient:
    """Asks a CAPF server for an LSC the way a phone does, over TLS."""

    def __init__(
        self,
        server: str,
        *,
        capf_cert: Optional[BytesLike] = None,
        lists: Optional[Sequence[Union[TrustList, BytesLike]]] = None,
        deadline: float = 60.0,
        connect_timeout: float = 3.0,
        version: int = 3,
    ) -> None: ...
    @property
    def server(self) -> str:
        """The server asked."""
    def enrol(
        self,
        device: str,
        *,
        password: Optional[str] = None,
        certificate: Optional[BytesLike] = None,
        key: Optional[BytesLike] = None,
        mic: bool = False,
        sha2: bool = False,
    ) -> Enrolment:
        """Runs one session for device; CapfRefused, ServerNotTrusted, TimeoutError, ConnectionError."""

class CapfServer:
    """A CAPF server over TLS, for tests and scripts."""

    def __init__(
        self,
        identity: BytesLike,
        store: Union[CapfStore, StrPath],
        *,
        issuer: Optional[BytesLike] = None,
        days: int = 365,
        address: str = "127.0.0.1:0",
        auth: CapfAuth = "password",
        trusted: Optional[Sequence[BytesLike]] = None,
        deadline: float = 30.0,
        workers: int = 2,
    ) -> None: ...
    @property
    def address(self) -> str:
        """The address it listens on, "host:port"."""
    @property
    def port(self) -> int:
        """The port it listens on."""
    @property
    def log(self) -> list[str]:
        """One line per session so far (the latest ones past 10,000)."""
    @property
    def serving(self) -> bool:
        """Whether it is serving."""
    def serve_in_background(self) -> None:
        """Starts serving on a thread of its own."""
    def shutdown(self) -> Dict[str, int]:
        """Stops it; what it did (served, turned_away, deadline_passed, panics, issued)."""
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> bool: ...
