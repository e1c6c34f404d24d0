"""The phone's decisions: Cisco's troubleshooting walk-throughs, as in
``itl-core/tests/phone.rs``, with real signatures from the vectors' keys."""

from __future__ import annotations

import copy
from typing import Sequence, Tuple

import cisco_itl
from conftest import EXAMPLES, key, read

CONFIG = "SEP001122334455.cnf.xml.sgn"
TVS_REGENERATED = (key("../../tvs-pub-regenerated.pem"))


def name_of(data: bytes) -> str:
    """The name the phone asked for: the cluster file of the list's kind."""
    try:
        return "CTLFile.tlv" if cisco_itl.TrustList.from_bytes(data).kind == "CTL" else "ITLFile.tlv"
    except cisco_itl.ParseError:
        return "ITLFile.tlv"


def config(by: str) -> bytes:
    return cisco_itl.sign_file(b"<device><loadInformation/></device>", CONFIG, key(by), timestamp=1_773_075_600)


def pub_tvs(tls: bytes, trusted: Sequence[Tuple[str, str]]) -> cisco_itl.TvsServer:
    server = cisco_itl.TvsServer("cucm-1051-a-pub", tls)
    for name, role in trusted:
        server.trust(key(name), role)
    return server


def phone_with(itl: str) -> cisco_itl.Phone:
    p = cisco_itl.Phone("SEP001122334455", now=0)
    d = p.offer_trust_list(name_of(read(itl)), read(itl))
    assert (d.accepted, d.rule) == (True, "first-use")
    return p


def test_first_itl_is_trusted_then_same_signer_accepted_unknown_refused() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    nxt = read("cucm-ITLFile-rollback.tlv")
    d = phone.copy().offer_trust_list(name_of(nxt), nxt)
    assert (d.accepted, d.rule, d.record) == (True, "itl-sast", 0)
    assert d.reason == "accepted: signed by SAST record 1 of the installed ITL"
    before = phone.itl
    peer = read("peer-ITLFile-sha1.tlv")
    d = phone.offer_trust_list(name_of(peer), peer, cisco_itl.Tvs())
    assert (bool(d), d.rule, d.tvs) == (False, "untrusted", "unreachable")
    assert d.reason.startswith("refused: no installed trust list names the signer, and no TVS server answered")
    assert phone.itl == before and phone.ctl is None
    assert phone.locked and phone.status_message == cisco_itl.TRUST_LIST_UPDATE_FAILED == "Trust List Update Failed"


def test_tampered_first_itl_is_refused_even_on_first_use() -> None:
    phone = cisco_itl.Phone()
    d = phone.offer_trust_list("ITLFile.tlv", read("bad-signature-byte.tlv"))
    assert (d.accepted, d.rule) == (False, "self-signature")
    assert phone.itl is None
    d = phone.offer_trust_list("ITLFile.tlv", read("bad-truncated.tlv"))
    assert (d.accepted, d.rule) == (False, "malformed")
    assert "declares 725 bytes" in d.reason
    d = phone.offer_trust_list("ITLFile.tlv", read("cucm-CTLFile-tokenless.tlv"))
    assert d.rule == "wrong-kind"
    d = phone.offer_trust_list("SEP001122334455.cnf.xml", read("cucm-ITLFile.tlv"))
    assert d.rule == "not-a-trust-list-name"


def test_regenerated_callmanager_is_accepted_through_tvs_then_config_verifies() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    phone.now = 1_000
    tvs = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("callmanager-pub-regenerated.pem", "CCM+TFTP")])])
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    d = phone.offer_trust_list(name_of(regen), regen, tvs)
    assert (d.accepted, d.rule, d.server) == (True, "tvs", 0)
    assert d.reason == "accepted: TVS server 1 vouched for the certificate"
    assert tvs.queries == 1
    assert phone.itl is not None and phone.itl.to_bytes() == regen
    d = phone.offer_config(CONFIG, config("callmanager-pub-regenerated.pem"))
    assert (d.rule, d.record) == ("itl-tftp", 1)
    assert not phone.offer_config(CONFIG, config("capf.pem"))


def test_regenerating_both_certificates_on_a_single_node_locks_the_phone() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    assert phone.offer_config(CONFIG, config("callmanager-pub.pem")).rule == "itl-tftp"
    tvs = cisco_itl.Tvs([pub_tvs(TVS_REGENERATED, [("callmanager-pub-regenerated.pem", "CCM+TFTP")])])
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    before = phone.itl
    d = phone.offer_trust_list(name_of(regen), regen, tvs)
    assert (d.accepted, d.rule, d.tvs) == (False, "untrusted", "not-authenticated")
    assert tvs.queries == 0
    assert phone.locked and phone.itl == before
    for by in ("callmanager-pub.pem", "callmanager-pub-regenerated.pem"):
        d = phone.offer_config(CONFIG, config(by))
        assert (d.accepted, d.rule) == (False, "locked")


def test_a_second_nodes_tvs_rescues_the_double_regeneration() -> None:
    phone = cisco_itl.Phone("SEP001122334455", tvs_servers=2, now=1_000)
    phone.offer_trust_list("ITLFile.tlv", read("cucm-ITLFile.tlv"))
    publisher = pub_tvs(TVS_REGENERATED, [("callmanager-pub-regenerated.pem", "CCM+TFTP")])
    subscriber = cisco_itl.TvsServer("cucm-1051-a-sub1", key("tvs-sub1.pem")).trust(
        key("callmanager-pub-regenerated.pem"), "CCM+TFTP"
    )
    tvs = cisco_itl.Tvs()
    assert (tvs.add(publisher), tvs.add(subscriber)) == (0, 1)
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    d = phone.offer_trust_list(name_of(regen), regen, tvs)
    assert (d.rule, d.server) == ("tvs", 1)
    assert not phone.locked
    assert phone.authenticate_tvs(key("tvs-sub1.pem")) == 5


def test_itl_recovery_rescues_only_phones_holding_the_recovery_record() -> None:
    reset = read("cucm-ITLFile-reset.tlv")
    phone = phone_with("cucm-ITLFile.tlv")
    d = phone.offer_trust_list(name_of(reset), reset)
    assert (d.rule, d.record) == ("itl-sast", 4)
    pub = key("callmanager-pub.pem")
    old_itl = (
        cisco_itl.TrustListBuilder(timestamp=1_700_000_000)
        .add(pub, "SAST")
        .add(pub, "TFTP")
        .add(key("capf.pem"), "CAPF")
        .add(key("tvs-pub.pem"), "TVS")
        .sign(pub)
    )
    old = cisco_itl.Phone("SEP001122334455")
    assert old.offer_trust_list(name_of(old_itl), old_itl)
    tvs = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("callmanager-pub.pem", "CCM+TFTP")])])
    d = old.offer_trust_list(name_of(reset), reset, tvs)
    assert (d.accepted, d.rule, d.tvs, d.server) == (False, "untrusted", "refused", 0)
    assert old.locked
    assert old.itl is not None and old.itl.to_bytes() == old_itl


def test_ctl_only_phone_takes_an_itl_from_its_ccm_tftp_signer_only() -> None:
    phone = cisco_itl.Phone()
    ctl = read("cucm-CTLFile-tokenless.tlv")
    assert phone.offer_trust_list(name_of(ctl), ctl).rule == "first-use"
    assert phone.ctl is not None and phone.ctl.to_bytes() == ctl
    itl = read("cucm-ITLFile.tlv")
    d = phone.copy().offer_trust_list(name_of(itl), itl)
    assert (d.rule, d.record) == ("ctl-sast", 0)
    sub = key("callmanager-sub1.pem")
    sub_itl = cisco_itl.TrustListBuilder().add(sub, "SAST").add(sub, "TFTP").sign(sub)
    d = copy.copy(phone).offer_trust_list(name_of(sub_itl), sub_itl)
    assert (d.rule, d.record) == ("ctl-tftp", 3)
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    assert not phone.offer_trust_list(name_of(regen), regen)
    assert phone.itl is None


def test_ctl_and_itl_phone_accepts_a_tokenless_ctl_from_a_known_sast() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    etoken = read("cucm-CTLFile-etoken.tlv")
    with_etoken = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("etoken2.pem", "SAST")])])
    assert phone.offer_trust_list(name_of(etoken), etoken, with_etoken).rule == "tvs"
    tokenless = read("cucm-CTLFile-tokenless.tlv")
    d = phone.offer_trust_list(name_of(tokenless), tokenless)
    assert (d.rule, d.record) == ("itl-sast", 0)
    d = phone.offer_trust_list(name_of(tokenless), tokenless)
    assert (d.rule, d.record) == ("ctl-sast", 0)


def test_back_to_etokens_needs_the_etoken_certificate_in_tvs() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    tokenless = read("cucm-CTLFile-tokenless.tlv")
    assert phone.offer_trust_list(name_of(tokenless), tokenless)
    etoken = read("cucm-CTLFile-etoken.tlv")
    plain = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("callmanager-pub.pem", "CCM+TFTP")])])
    refused = phone.copy()
    d = refused.offer_trust_list(name_of(etoken), etoken, plain)
    assert (d.rule, d.tvs, d.server) == ("untrusted", "refused", 0)
    uploaded = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("etoken2.pem", "SAST")])])
    assert phone.offer_trust_list(name_of(etoken), etoken, uploaded).rule == "tvs"
    assert phone.ctl is not None and phone.ctl.to_bytes() == etoken


def test_blank_rollback_itl_accepts_any_signed_configuration() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    rollback = read("cucm-ITLFile-rollback.tlv")
    assert phone.offer_trust_list(name_of(rollback), rollback).rule == "itl-sast"
    assert phone.has_blank_itl
    for by in ("peer-asterisk.pem", "capf.pem", "callmanager-sub1.pem"):
        assert phone.offer_config(CONFIG, config(by)).rule == "blank-itl"
    peer = read("peer-ITLFile-sha1.tlv")
    assert phone.offer_trust_list(name_of(peer), peer).rule == "first-use"


def test_a_model_without_security_by_default_never_consults_tvs() -> None:
    phone = cisco_itl.Phone(security_by_default=False)
    assert not phone.security_by_default
    tvs = cisco_itl.Tvs(
        [
            pub_tvs(
                key("tvs-pub.pem"),
                [("callmanager-pub-regenerated.pem", "CCM+TFTP"), ("peer-asterisk.pem", "APP-SERVER")],
            )
        ]
    )
    assert phone.offer_trust_list("CTLFile.tlv", read("cucm-CTLFile-tokenless.tlv"), tvs)
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    d = phone.offer_trust_list(name_of(regen), regen, tvs)
    assert (d.rule, d.tvs) == ("untrusted", "not-asked")
    d = phone.check_server_certificate(key("peer-asterisk.pem"), tvs)
    assert (d.rule, d.tvs) == ("untrusted", "not-asked")
    assert tvs.queries == 0
    steps = cisco_itl.Phone(security_by_default=False).boot({"ITLFile.tlv": read("cucm-ITLFile.tlv")}, tvs)
    assert all(not s.file.startswith("ITL") for s in steps)


def test_https_certificate_goes_to_tvs_once_per_time_to_live() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    phone.now = 10_000
    directory = key("peer-asterisk.pem")
    tvs = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("peer-asterisk.pem", "APP-SERVER")])])
    assert (phone.check_server_certificate(directory, tvs).rule, tvs.queries) == ("tvs", 1)
    assert phone.cached_entries == 1
    phone.advance(86_399)
    assert (phone.check_server_certificate(directory, tvs).rule, tvs.queries) == ("tvs-cache", 1)
    phone.advance(1)
    assert phone.cached_entries == 0
    assert (phone.check_server_certificate(directory, tvs).rule, tvs.queries) == ("tvs", 2)
    d = phone.check_server_certificate(key("callmanager-pub.pem"), tvs)
    assert (d.rule, d.record) == ("in-itl", 0)
    d = phone.check_server_certificate(cisco_itl.certificate_der(key("capf.pem")), tvs)
    assert (d.rule, d.record) == ("in-itl", 2)
    assert tvs.queries == 2


def test_tvs_ttl_and_roles() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    server = cisco_itl.TvsServer("pub", key("tvs-pub.pem")).trust(key("peer-asterisk.pem"), "APP-SERVER", ttl=60)
    assert server.entries[0][1:] == (["APP-SERVER"], 60) and len(server) == 1
    tvs = cisco_itl.Tvs([server])
    assert phone.check_server_certificate(key("peer-asterisk.pem"), tvs).rule == "tvs"
    phone.advance(60)
    assert phone.check_server_certificate(key("peer-asterisk.pem"), tvs).rule == "tvs"
    assert tvs.queries == 2
    # TVS vouches for the regenerated CallManager only as an application server.
    wrong = cisco_itl.Tvs([pub_tvs(key("tvs-pub.pem"), [("callmanager-pub-regenerated.pem", "APP-SERVER")])])
    regen = read("cucm-ITLFile-regen-callmanager.tlv")
    d = phone.offer_trust_list(name_of(regen), regen, wrong)
    assert (d.rule, d.tvs) == ("untrusted", "wrong-roles")


def test_an_empty_roles_answer_grants_no_https_trust() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    # TVS answers "valid" with an empty ROLES element: no role, no trust.
    tvs = cisco_itl.Tvs([cisco_itl.TvsServer("pub", key("tvs-pub.pem")).trust(key("peer-asterisk.pem"))])
    for queries in (1, 2):
        d = phone.check_server_certificate(key("peer-asterisk.pem"), tvs)
        assert (d.accepted, d.rule, d.tvs, d.server) == (False, "untrusted", "wrong-roles", 0)
        assert tvs.queries == queries  # nothing cached: asked again


def test_tvs_server_authentication_checks_serial_issuer_and_hash() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    assert phone.authenticate_tvs(key("tvs-pub.pem")) == 3
    for cert in (TVS_REGENERATED, key("capf.pem")):
        try:
            phone.authenticate_tvs(cert)
            raise AssertionError("authenticated")
        except cisco_itl.PolicyError as e:  # rejected, as in C
            assert "no TVS record" in str(e)


def test_anti_rollback_and_size_limit() -> None:
    phone = cisco_itl.Phone(anti_rollback=True)
    pub = key("callmanager-pub.pem")
    newer = cisco_itl.TrustListBuilder(timestamp=2_000).add(pub, "SAST").add(pub, "TFTP").sign(pub)
    older = cisco_itl.TrustListBuilder(timestamp=1_000).add(pub, "SAST").add(pub, "TFTP").sign(pub)
    assert phone.offer_trust_list("ITLFile.tlv", newer)
    d = phone.offer_trust_list("ITLFile.tlv", older)
    assert (d.rule, d.accepted) == ("rollback", False)
    # The installed TIMESTAMP with other content: refused; the same bytes: no change.
    other = cisco_itl.TrustListBuilder(timestamp=2_000).add(pub, "SAST").add(pub, "CCM+TFTP").sign(pub)
    d = phone.offer_trust_list("ITLFile.tlv", other)
    assert (d.rule, d.accepted) == ("same-timestamp", False)
    assert d.reason == "refused: the list has the installed one's timestamp (2000) but different content"
    assert phone.offer_trust_list("ITLFile.tlv", newer).rule == "itl-sast"
    small = cisco_itl.Phone(max_file_size=100)
    assert small.offer_trust_list("ITLFile.tlv", newer).rule == "too-large"
    d = phone_with("cucm-ITLFile.tlv").offer_config("SEP00112233445F.cnf.xml.sgn", config("callmanager-pub.pem"))
    assert d.rule == "wrong-file"


def test_boot_sequence_asks_in_order_and_falls_back() -> None:
    files = {"ITLFile.tlv": read("cucm-ITLFile.tlv"), CONFIG: config("callmanager-pub.pem")}
    phone = cisco_itl.Phone("SEP001122334455", now=0)
    steps = phone.boot(files)
    assert [s.file for s in steps] == [
        "CTLSEP001122334455.tlv",
        "CTLFile.tlv",
        "ITLSEP001122334455.tlv",
        "ITLFile.tlv",
        CONFIG,
    ]
    assert [s.found for s in steps] == [False, False, False, True, True]
    assert steps[0].decision is None and steps[0].kind is None
    assert steps[3].kind == "trust-list" and steps[3].decision is not None and steps[3].decision.rule == "first-use"
    assert steps[4].kind == "config" and steps[4].decision is not None and steps[4].decision.rule == "itl-tftp"
    assert cisco_itl.Phone("SEP001122334455").boot({})[-1].file == "SEP001122334455.cnf.xml"
    from types import MappingProxyType

    assert cisco_itl.Phone("SEP001122334455").boot(MappingProxyType(files))[3].found
    secure = cisco_itl.Phone("SEP001122334455").boot(files, encrypted_config=True)
    assert secure[-1].file == "SEP001122334455.cnf.xml.enc.sgn" and not secure[-1].found
    per_device = dict(files, **{"ITLSEP001122334455.tlv": read("cucm-ITLFile-rollback.tlv")})
    p = cisco_itl.Phone("SEP001122334455")
    steps = p.boot(per_device)
    assert any(s.file == "ITLSEP001122334455.tlv" for s in steps)
    assert not any(s.file == "ITLFile.tlv" for s in steps)
    assert p.itl is not None and p.itl.to_bytes() == read("cucm-ITLFile-rollback.tlv")


def test_phone_boot_walkthrough_like_the_rust_example() -> None:
    """``examples/phone_boot.rs``, step by step: lock, then ITLRecovery rescue."""
    data = EXAMPLES.parent / "data"
    itl, itl_regen = (data / "itl-10x.tlv").read_bytes(), (data / "itl-regenerated.tlv").read_bytes()
    cm, cm_new = (data / "sample-signer.pem").read_bytes(), (data / "callmanager-regenerated.pem").read_bytes()
    device = "SEP0011215A1AE3"
    cfg = f"{device}.cnf.xml.sgn"
    phone = cisco_itl.Phone(device, now=1_773_075_600)
    tftp = {"ITLFile.tlv": itl, cfg: cisco_itl.sign_file(b"<device/>", cfg, cm, timestamp=1)}
    tvs = cisco_itl.Tvs([cisco_itl.TvsServer("cucm-pub", (data / "sample-tvs.pem").read_bytes()).trust(cm, "CCM+TFTP")])
    assert all(s.decision is None or s.decision.accepted for s in phone.boot(tftp, tvs))
    tftp.update({"ITLFile.tlv": itl_regen, cfg: cisco_itl.sign_file(b"<device/>", cfg, cm_new, timestamp=2)})
    tvs = cisco_itl.Tvs([cisco_itl.TvsServer("cucm-pub", (data / "tvs-regenerated.pem").read_bytes()).trust(cm_new, "CCM+TFTP")])
    steps = phone.boot(tftp, tvs)
    assert [s.decision.rule for s in steps if s.decision is not None] == ["untrusted", "locked"]
    assert phone.locked
    tftp["ITLFile.tlv"] = cisco_itl.reset_itl(
        itl_regen, (data / "ITLRecovery.p12").read_bytes(), "Cluster-Security-Pw1", trusted=cm_new
    )
    steps = phone.boot(tftp, tvs)
    assert not phone.locked
    assert [s.decision.rule for s in steps if s.decision is not None] == ["itl-sast", "itl-tftp"]
    tftp["ITLFile.tlv"] = itl_regen
    steps = phone.boot(tftp, tvs)
    assert [s.decision.rule for s in steps if s.decision is not None] == ["itl-sast", "itl-tftp"]


def test_reprs() -> None:
    phone = phone_with("cucm-ITLFile.tlv")
    assert repr(phone) == "<Phone 'SEP001122334455': ITL>" or repr(phone) == '<Phone "SEP001122334455": ITL>'
    d = phone.offer_config(CONFIG, config("capf.pem"))
    assert repr(d).startswith("<Decision refused \"untrusted\"")
    assert str(d) == d.reason
    assert "TvsServer" in repr(cisco_itl.TvsServer("x", key("tvs-pub.pem")))
    assert "Tvs" in repr(cisco_itl.Tvs.unreachable())
