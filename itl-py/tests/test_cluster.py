"""``cisco_itl.Cluster`` and the ``itl whatif`` / ``itl plan`` commands: the
what-if simulator from Python, on the built-in cluster and on small ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cisco_itl
from test_cli import itl

ONE_NODE = """
[[node]]
name = "pub"
tftp = true

[[phones]]
name = "desk"
count = 250
tftp = "pub"
group = ["pub"]

[[phones]]
name = "old"
count = 50
tftp = "pub"
group = ["pub"]
installed = "without-recovery"
"""


def test_builtin_cluster() -> None:
    cluster = cisco_itl.Cluster.builtin()
    assert cluster.nodes == ["cucm-pub", "cucm-sub1", "cucm-sub2"]
    assert cluster.phone_count == 100_000
    assert len(cluster.classes) == 20
    assert cluster.mode == "non-secure"
    assert repr(cluster) == "<Cluster 3 nodes, 100000 phones in 20 classes, non-secure>"
    assert "[[phones]]" in cisco_itl.Cluster.builtin_description()


def test_whatif_host_name_change_locks_the_publishers_single_tvs_phones() -> None:
    cluster = cisco_itl.Cluster.builtin()
    report = cluster.whatif(["regenerate-both:cucm-pub"])
    assert report.locked == 23_500
    assert report.phones == 100_000
    by_name = {c["name"]: c for c in report.classes}
    assert by_name["pub-8841"]["outcome"] == {"state": "locked"}
    assert by_name["pub-pair"]["locked"] == 0
    remedies = [r["remedy"] for r in by_name["pub-8841"]["remedies"]]
    assert "itl-reset-local" in remedies and "tvs-in-group" in remedies
    assert "23500 of 100000 phones locked at the end; at most 23500 cut off at any boot." in str(report)
    assert report.cut_off == 23_500
    assert json.loads(report.to_json())["peak_cut_off"] == 23_500
    # The cluster itself did not change.
    assert cluster.whatif(["reboot"]).locked == 0


def test_itl_recovery_reset_rescues_only_phones_with_the_recovery_record() -> None:
    cluster = cisco_itl.Cluster.from_toml(ONE_NODE)
    report = cluster.whatif(["regenerate-both:pub", "reboot", "itl-reset-localkey"])
    by_name = {c["name"]: c for c in report.classes}
    assert by_name["desk"]["locked"] == 0
    assert by_name["old"]["locked"] == 50


def test_apply_changes_the_cluster_and_refuses_a_second_regeneration_within_five_minutes() -> None:
    cluster = cisco_itl.Cluster.from_toml(ONE_NODE)
    start = cluster.now
    cluster.apply("regenerate-tvs:pub")
    with pytest.raises(cisco_itl.ClusterError, match="wait 300 s more"):
        cluster.apply("regenerate-callmanager:pub")
    cluster.apply("wait:300")
    assert cluster.now == start + 300
    assert cluster.boot().locked == 0
    cluster.apply("regenerate-callmanager:pub")
    assert cluster.boot().locked == 0


def test_plan_for_a_host_name_change() -> None:
    cluster = cisco_itl.Cluster.from_toml(ONE_NODE)
    plan = cluster.plan("new-hostname:pub", 4)
    assert plan.safe and plan.complete
    assert plan.steps == ["regenerate-tvs:pub", "wait:300", "regenerate-callmanager:pub"]
    assert str(plan).startswith("Safe plan for new-hostname:pub in 2 steps (and a wait)")
    worst = cluster.plan("new-hostname:pub", 1)
    assert not worst.safe and worst.peak_cut_off == 300 and worst.steps == ["regenerate-both:pub"]


def test_errors_are_cluster_errors() -> None:
    cluster = cisco_itl.Cluster.from_toml(ONE_NODE)
    for bad in (["regenerate-everything"], ["regenerate-tvs:nowhere"], ["set-group:desk:a,b,c,d"]):
        with pytest.raises(cisco_itl.ClusterError):
            cluster.whatif(bad)
    with pytest.raises(cisco_itl.ClusterError):
        cluster.plan("world-peace")
    with pytest.raises(cisco_itl.ClusterError, match="at most 8"):
        cluster.plan("rollback", 50)
    with pytest.raises(cisco_itl.ClusterError, match="not a host name"):
        cluster.apply("add-node:a,O=evil")
    with pytest.raises(ValueError):
        cisco_itl.Cluster.from_toml("[[node]]\nname = 1\n")
    with pytest.raises(cisco_itl.ClusterError, match="unknown field"):
        cisco_itl.Cluster.from_toml(ONE_NODE + "colour = 'red'\n")


def test_dot_graph() -> None:
    cluster = cisco_itl.Cluster.from_toml(ONE_NODE)
    cluster.apply("regenerate-both:pub")
    cluster.boot()
    dot = cluster.to_dot()
    assert dot.startswith("digraph trust {")
    assert '"class:desk" [shape=box, label="desk\\n250 phones\\nLOCKED", color=red, fontcolor=red];' in dot
    assert "color=red]" in dot  # the TVS the phones can no longer authenticate


def test_itl_whatif_and_plan_commands(tmp_path: Path) -> None:
    r = itl("whatif", "regenerate-both:cucm-pub")
    assert r.returncode == 1, r.stderr
    assert "23500 of 100000 phones locked at the end" in r.stdout
    r = itl("whatif", "regenerate-tvs:cucm-pub", "wait:300", "regenerate-callmanager:cucm-pub")
    assert r.returncode == 0, r.stdout
    description = tmp_path / "cluster.toml"
    description.write_text(ONE_NODE)
    r = itl("whatif", str(description), "regenerate-both:pub", "--json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["classes"][0]["locked"] == 250
    r = itl("plan", str(description), "new-hostname:pub")
    assert r.returncode == 0 and "Safe plan" in r.stdout
    r = itl("plan", str(description), "new-hostname:pub", "--steps", "1", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["safe"] is False
    r = itl("whatif", "--dot", "regenerate-both:cucm-pub")
    assert r.returncode == 0 and r.stdout.startswith("digraph trust {")
    for args in (
        ["whatif", "frobnicate"],
        ["whatif"],
        ["plan", "nowhere"],
        ["whatif", str(tmp_path / "missing.toml"), "reboot"],
        ["plan", "new-hostname:cucm-pub", "--steps", "-1"],
        ["plan", "new-hostname:cucm-pub", "--steps", "99"],
    ):
        r = itl(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr, args
        assert r.stderr.startswith("itl: ") or "error: argument --steps" in r.stderr, args


def test_cucm_versions_and_phones_that_were_off() -> None:
    ten = cisco_itl.Cluster.from_toml(ONE_NODE)
    assert ten.cucm_version == "10.5"
    twelve = cisco_itl.Cluster.from_toml('cucm-version = "12.5"\n' + ONE_NODE)
    assert twelve.cucm_version == "12.5"
    # A host name change locks the single-TVS phones under 10.5 only.
    assert ten.whatif(["regenerate-both:pub"]).locked == 300
    report = twelve.whatif(["regenerate-both:pub"])
    assert report.locked == 50  # only those installed before CUCM 10.0
    assert str(report).startswith("CUCM 12.5 rules.\n")
    assert report.to_dict()["cucm_version"] == "12.5"
    with pytest.raises(cisco_itl.ClusterError, match="no longer supported from CUCM 14SU3"):
        cisco_itl.Cluster.from_toml('cucm-version = "15"\n' + ONE_NODE).apply("mixed-mode-etokens")
    # A fifth of the desk phones off during the safe plan skip its ITL.
    off = cisco_itl.Cluster.from_toml(ONE_NODE.replace('group = ["pub"]\n', 'group = ["pub"]\noff = 0.2\n', 1))
    report = off.whatif(["regenerate-tvs:pub", "wait:300", "regenerate-callmanager:pub"])
    desk = {c["name"]: c for c in report.classes}["desk"]
    assert desk["off"]["phones"] == 50 and desk["off"]["locked"] == 50
    assert desk["off"]["outcome"] == {"state": "locked"}
    assert "desk: 50 of 250 off, 50 locked, LOCKED" in str(report)


def _lab_collection(tmp_path: Path) -> Path:
    from conftest import read

    stamp = tmp_path / "collected" / "cucm-1051-a-pub" / "2026-12-03T210400Z"
    stamp.mkdir(parents=True)
    (stamp / "ITLFile.tlv").write_bytes(read("cucm-ITLFile.tlv"))
    (stamp / "CTLFile.tlv").write_bytes(read("cucm-CTLFile-tokenless.tlv"))
    return tmp_path / "collected"


def test_twin_from_collected_files(tmp_path: Path) -> None:
    import hashlib

    from conftest import read

    folder = _lab_collection(tmp_path)
    twin = cisco_itl.Cluster.from_collected(folder)
    assert twin.nodes == ["cucm-1051-a-pub", "cucm-1051-a-sub1"]
    assert twin.mode == "tokenless"
    assert twin.classes == ["cucm-1051-a-pub-phones"]
    assert any("collection 2026-12-03T210400Z" in a for a in twin.assumptions)
    overlay = tmp_path / "overlay.toml"
    overlay.write_text('reported-group = ["cucm-1051-a-pub"]\n')
    sha1 = hashlib.sha1(read("cucm-ITLFile.tlv")).hexdigest().upper()
    phones = [("cucm-1051-a-pub", sha1), ("cucm-1051-a-pub", sha1.lower()), ("cucm-1051-a-pub", "Not Installed")]
    twin = cisco_itl.Cluster.from_collected(folder, overlay, phones)
    assert twin.classes == [f"cucm-1051-a-pub-{sha1[:8].lower()}", "cucm-1051-a-pub-no-itl"]
    assert twin.phone_count == 3
    report = twin.whatif(["non-secure-mode", "reboot", "regenerate-both:cucm-1051-a-pub"])
    # The phones without an ITL take one at the reboot, then lock with the others.
    assert report.locked == 3, str(report)
    assert report.to_dict()["assumptions"]
    # The command line.
    csv_file = tmp_path / "phones.csv"
    csv_file.write_text(
        "DeviceName,IPv4Address,ITL_Signature,ITL_TFTP_Server\n"
        + "".join(f"SEP00000000000{i},10.1.1.{i},{sig},{server}\n" for i, (server, sig) in enumerate(phones))
    )
    r = itl("whatif", "--collected", str(folder), "--phones", str(csv_file), "--overlay", str(overlay),
            "non-secure-mode", "reboot", "regenerate-both:cucm-1051-a-pub")
    assert r.returncode == 1, r.stderr
    assert "3 of 3 phones locked at the end" in r.stdout
    assert "Twin of collected files" in r.stdout
    r = itl("whatif", "--collected", str(folder), "reboot", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["classes"][0]["name"] == "cucm-1051-a-pub-phones"
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("Name,Hash\nSEP1,00\n")
    for args in (
        ["whatif", "--collected", str(tmp_path / "nowhere"), "reboot"],
        ["whatif", "--collected", str(folder), "--phones", str(bad_csv), "reboot"],
        ["whatif", "--phones", str(bad_csv), "reboot"],
    ):
        r = itl(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr, (args, r.stderr)
        assert r.stderr.startswith("itl: "), (args, r.stderr)
