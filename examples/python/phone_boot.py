"""A phone through a lock and its rescue, decision by decision (the Python
twin of ``examples/phone_boot.rs``):

1. the phone boots and trusts the cluster's ITL;
2. on a single-node cluster ``CallManager.pem`` and ``TVS.pem`` are both
   regenerated: the next ITL is refused ("Trust List Update Failed") and
   configuration changes stop reaching the phone;
3. ``utils itl reset localkey`` re-signs the ITL with the ITLRecovery key:
   the phone, whose ITL holds the ITLRECOVERY record, accepts it;
4. the TFTP service signs with the new CallManager key again; the phone follows.

    python examples/python/phone_boot.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

import cisco_itl

DATA = Path(__file__).resolve().parents[1] / "data"
DEVICE = "SEP0011215A1AE3"
CONFIG = f"{DEVICE}.cnf.xml.sgn"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def config(signer: bytes, note: str) -> bytes:
    return cisco_itl.sign_file(f"<device><!-- {note} --></device>".encode(), CONFIG, signer, timestamp=1_773_075_600)


def show(title: str, steps: List[cisco_itl.BootStep], phone: cisco_itl.Phone) -> None:
    print(f"== {title}")
    for step in steps:
        what = step.decision.reason if step.decision is not None else "not on the TFTP server"
        print(f"   {step.file:32} {what}")
    if phone.status_message:
        print(f'   phone screen: "{phone.status_message}"')
    print()


def main() -> int:
    cm, cm_new = read("sample-signer.pem"), read("callmanager-regenerated.pem")
    phone = cisco_itl.Phone(DEVICE, now=1_773_075_600)

    tftp: Dict[str, bytes] = {"ITLFile.tlv": read("itl-10x.tlv"), CONFIG: config(cm, "first boot")}
    tvs = cisco_itl.Tvs([cisco_itl.TvsServer("cucm-pub", read("sample-tvs.pem")).trust(cm, "CCM+TFTP")])
    show("1. first boot", phone.boot(tftp, tvs), phone)

    tftp.update({"ITLFile.tlv": read("itl-regenerated.tlv"), CONFIG: config(cm_new, "after regeneration")})
    tvs = cisco_itl.Tvs([cisco_itl.TvsServer("cucm-pub", read("tvs-regenerated.pem")).trust(cm_new, "CCM+TFTP")])
    show("2. both certificates regenerated on a single node", phone.boot(tftp, tvs), phone)
    locked = phone.locked

    # Re-signed only once it verifies against what the administrator
    # trusts: the publisher's new CallManager.pem, which signed it.
    tftp["ITLFile.tlv"] = cisco_itl.reset_itl(
        read("itl-regenerated.tlv"), read("ITLRecovery.p12"), "Cluster-Security-Pw1", trusted=cm_new
    )
    show("3. utils itl reset localkey", phone.boot(tftp, tvs), phone)

    tftp["ITLFile.tlv"] = read("itl-regenerated.tlv")
    show("4. TFTP restarted: the ITL is signed by the new CallManager key", phone.boot(tftp, tvs), phone)

    if locked and not phone.locked:
        return 0
    print("the walk-through did not end as expected", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
