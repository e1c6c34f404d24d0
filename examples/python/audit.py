"""Which phones hold the current ITL, and would a bulk ITLRecovery reset reach them?

    python examples/python/audit.py                      # the built-in sample fleet
    python examples/python/audit.py ITL_DIR PHONES.csv   # your own

ITL_DIR holds the ITL files collected from the TFTP servers (older
collections in subfolders, so that a stale ITL can be told from an unknown
one); PHONES.csv has a device name column and the ITL SHA-1 each phone
reported in its DeviceTLInfo alarm. ``itl audit`` does the same with more
options (``--trust``, ``--json``, ``--only``, ``--recovery``). A collected
file that does not verify, or whose signer is not tied to the server it
names, is reported and never counted current.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from typing import Dict, List

from cisco_itl import audit


def main(argv: List[str]) -> int:
    if len(argv) == 2:
        itls, problems = audit.load_itls(argv[0])
        phones = audit.read_phones(argv[1])
    elif not argv:
        print(f"(no arguments: the built-in sample fleet in {audit.sample_fleet()})\n")
        itls, problems = audit.load_itls(audit.sample_fleet())
        phones = audit.sample_phones()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)

    report = audit.audit(itls, phones)

    print("Current ITL of each TFTP server:")
    for i in report.itls:
        if i.current:
            print(f"  {i.server:20} sha1 {i.sha1}  ITLRECOVERY record: {'yes' if i.recovery else 'NO'}")

    by_status: Dict[str, List[audit.PhoneStatus]] = defaultdict(list)
    for phone in report.phones:
        by_status[phone.status].append(phone)
    titles = {
        "current": "hold the current ITL",
        "stale": "hold a stale ITL (an older one of their TFTP server)",
        "suspicious": "hold a suspicious ITL (it does not verify, or its signer is not its server's)",
        "unknown": "hold an ITL no collected file matches",
        "none": "hold no ITL",
    }
    for status, title in titles.items():
        phones_here = by_status.get(status, [])
        print(f"\n{len(phones_here)} phones {title}:")
        for phone in phones_here[:20]:
            where = f" ({phone.itl.server}, {phone.itl.path})" if phone.itl else ""
            print(f"  {phone.device}{where}")
        if len(phones_here) > 20:
            print(f"  … and {len(phones_here) - 20} more")

    reach = Counter(phone.reset_reaches for phone in report.phones)
    print("\nA bulk ITLRecovery reset (utils itl reset):")
    print(f"  would reach {reach[True]} phones (their ITL carries the ITLRECOVERY record, or they hold none)")
    print(f"  would not reach {reach[False]} phones (their ITL predates the ITLRECOVERY record):")
    for phone in report.phones:
        if phone.reset_reaches is False:
            print(f"    {phone.device}: delete its ITL by hand (Settings > Security > Trust List)")
    if reach[None]:
        print(f"  cannot tell for {reach[None]} phones (unknown ITL)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
