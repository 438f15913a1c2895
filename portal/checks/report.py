"""A problem found in the built site, printed as ``file:line: what is wrong (what to do)``.

A problem in the part of a page made from Markdown (or from a data record) names that file
first, at the line where it was found, and the built file after it; the editor fixes the
source, not the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .sources import Source


@dataclass(frozen=True, order=True)
class Problem:
    """One failed check, naming the output file, the line where there is one, and the fix."""

    file: str  # relative to the site's root ("fi/supporters/index.html"), or "" for the site
    line: int | None
    message: str
    check: str = ""
    source: str = ""  # the Markdown file or record this part of the page came from, if known
    source_line: int | None = None
    source_lang: str = ""  # the language of the Markdown text

    @classmethod
    def found(
        cls, file: str, line: int | None, message: str, check: str, source: Source | None
    ) -> Problem:
        """Return a problem of output file `file`, with the source it came from if known."""
        if source is None:
            return cls(file, line, message, check)
        return cls(file, line, message, check, source.path, source.line, source.lang)

    def built_file(self, root: Path) -> str:
        """Return the output file, under `root`, and its line."""
        where = str(root / self.file) if self.file else str(root)
        return f"{where}:{self.line}" if self.line else where

    def format(self, root: Path, also: int = 0) -> str:
        """Return the problem as one line, the file shown under `root`.

        `also` counts other pages with the same problem from the same source line (the English
        text of a page shown as a fallback in other languages).
        """
        built = self.built_file(root)
        if also:
            built += f" and {also} more page{'s' if also != 1 else ''}"
        if self.source and self.source_line:
            return f"{self.source}:{self.source_line}: {self.message}; built into {built}"
        if self.source:
            return f"{built}: {self.message}; made from {self.source}"
        return f"{built}: {self.message}"


def grouped(problems: list[Problem]) -> list[tuple[Problem, int]]:
    """Return the distinct problems in order, one per source line, each with its other pages.

    A problem found at the same line of the same source in several pages (an English page
    shown as the fallback of other languages, its links pointing into each language) is one
    problem to fix; it is shown as found in the page of the text's own language where there is
    one.
    """
    groups: dict[tuple, list[Problem]] = {}
    for problem in sorted(set(problems), key=sort_key):
        if problem.source and problem.source_line:
            lang = problem.file.split("/", 1)[0]
            message = problem.message.replace(f"/{lang}/", f"/{problem.source_lang}/")
            key = (problem.source, problem.source_line, problem.check, message)
        else:
            key = (problem,)
        groups.setdefault(key, []).append(problem)
    shown = []
    for group in groups.values():
        own = [p for p in group if p.source_lang and p.file.startswith(f"{p.source_lang}/")]
        shown.append(((own or group)[0], len(group) - 1))
    return sorted(shown, key=lambda item: sort_key(item[0]))


def sort_key(problem: Problem) -> tuple:
    """Order problems by the file the editor fixes, then its line, then the message."""
    if problem.source and problem.source_line:
        return (problem.source, problem.source_line, problem.message, problem.file)
    return (problem.file, problem.line or 0, problem.message, "")


def line_of(text: str, needle: str, start: int = 0) -> int | None:
    """Return the 1-based line of the first occurrence of `needle` in `text`, if any."""
    if not needle:
        return None
    position = text.find(needle, start)
    if position < 0:
        return None
    return text.count("\n", 0, position) + 1
