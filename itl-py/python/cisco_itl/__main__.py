"""``python -m cisco_itl``: the ``itl`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
