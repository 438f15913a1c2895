"""Build-speed benchmark of the portal against Hugo and Hugo + Pagefind (``python -m bench``)."""

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT / "plugins") not in sys.path:
    sys.path.insert(0, str(PROJECT / "plugins"))
