"""Build a site several times with one Builder (one Pelican instance), as the dev server does.

Usage: python rebuild_driver.py STEPS.json
STEPS.json: {"settings": path, "overrides": {...}, "steps": [{"write": {file: text},
"delete": [file], "snapshot": folder, "fails": bool}, ...]}. Each step changes files, runs a
build with portal.build.Builder (the dev server's builder process runs the same), and copies
the output to `snapshot` when given. A build must succeed unless its step says it fails; then
it must fail, and its problem lines are printed on stdout as JSON.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from portal.build import Builder  # noqa: E402 (after the project is importable)


def main(argv: list[str]) -> int:
    """Run the steps of the plan named on the command line; 1 if a build came out otherwise."""
    plan = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    overrides = [f"{key}={json.dumps(value)}" for key, value in plan["overrides"].items()]
    builder = Builder(["-s", plan["settings"], "--fatal", "warnings", "-e", *overrides])

    failures = []
    for number, step in enumerate(plan["steps"]):
        for file, text in step.get("write", {}).items():
            Path(file).parent.mkdir(parents=True, exist_ok=True)
            Path(file).write_text(text, encoding="utf-8")
        for file in step.get("delete", []):
            Path(file).unlink()
        outcome = builder.build()
        if outcome.ok == step.get("fails", False):
            print(f"step {number}: the build {'succeeded' if outcome.ok else 'failed'}")
            return 1
        if not outcome.ok:
            failures.append(list(outcome.problems))
        # A rebuild's search index is written after the build; a snapshot waits for it.
        builder.wait_for_late_outputs()
        if step.get("snapshot"):
            shutil.copytree(plan["overrides"]["OUTPUT_PATH"], step["snapshot"])
    print(json.dumps(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
