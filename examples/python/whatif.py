"""Will this lock my phones? The cluster simulator from Python.

With no argument it takes the built-in three-node cluster (100,000 phones
in 20 classes) and asks what a host name change on the publisher would do,
which phones a second node's TVS would have saved, and the safe order to
do it in. With a cluster description (TOML, see docs/WHATIF.md) and a node,
it asks the same of that cluster.

    python examples/python/whatif.py [CLUSTER.toml NODE]

Exit status: 0 when a safe plan exists, 1 when none does, 2 on a bad
description or node.
"""

from __future__ import annotations

import sys

import cisco_itl


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 2:
            cluster = cisco_itl.Cluster.from_file(argv[0])
            node = argv[1]
        elif not argv:
            cluster = cisco_itl.Cluster.builtin()
            node = cluster.nodes[0]
        else:
            print(__doc__, file=sys.stderr)
            return 2
        print(f"{cluster!r}\n")
        report = cluster.whatif([f"regenerate-both:{node}"])
        print(f"A host name change on {node} locks {report.locked} of {report.phones} phones.")
        for c in report.classes:
            if c["locked"]:
                saviours = [r["node"] for r in c["remedies"] if r["remedy"] == "tvs-in-group"]
                also = f"; a group with {' or '.join(saviours)} would have saved them" if saviours else ""
                print(f"  {c['name']}: {c['locked']} locked{also}")
        plan = cluster.plan(f"new-hostname:{node}")
        print()
        print(plan, end="")
        return 0 if plan.safe else 1
    except cisco_itl.ClusterError as e:
        print(f"whatif: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
