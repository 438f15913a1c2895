"""Build a site several times with one Pelican instance, as the dev server (--autoreload) does.

Usage: python rebuild_driver.py STEPS.json
STEPS.json: {"settings": path, "overrides": {...}, "steps": [{"write": {file: text},
"delete": [file], "snapshot": folder}, ...]}. Each step changes files, runs a build, and
copies the output to `snapshot` when given.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings


def main(argv: list[str]) -> int:
    """Run the steps of the plan named on the command line."""
    plan = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    settings = read_settings(plan["settings"], override=plan["overrides"])
    pelican = Pelican(settings)
    from build_engine.front_door import wait_for_late_outputs  # importable once plugins load

    for step in plan["steps"]:
        for file, text in step.get("write", {}).items():
            Path(file).parent.mkdir(parents=True, exist_ok=True)
            Path(file).write_text(text, encoding="utf-8")
        for file in step.get("delete", []):
            Path(file).unlink()
        pelican.run()
        # A rebuild's search index is written after the build; a snapshot waits for it.
        wait_for_late_outputs(settings)
        if step.get("snapshot"):
            shutil.copytree(settings["OUTPUT_PATH"], step["snapshot"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
