"""Tools around the Pelican build: plain build errors, site checks and safe publishing.

The project's plugins (plugins/) are importable from here, as they are from pelicanconf.py.
"""

import sys
from pathlib import Path

_PLUGINS = str(Path(__file__).resolve().parent.parent / "plugins")
if _PLUGINS not in sys.path:
    sys.path.insert(0, _PLUGINS)
