"""A problem found in the built site, printed as ``file:line: what is wrong (what to do)``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One failed check, naming the output file, the line where there is one, and the fix."""

    file: str  # relative to the site's root ("fi/supporters/index.html"), or "" for the site
    line: int | None
    message: str
    check: str = ""

    def format(self, root: Path) -> str:
        """Return the problem as one line, the file shown under `root`."""
        where = str(root / self.file) if self.file else str(root)
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


def line_of(text: str, needle: str, start: int = 0) -> int | None:
    """Return the 1-based line of the first occurrence of `needle` in `text`, if any."""
    if not needle:
        return None
    position = text.find(needle, start)
    if position < 0:
        return None
    return text.count("\n", 0, position) + 1
