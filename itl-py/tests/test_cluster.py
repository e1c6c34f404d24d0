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
