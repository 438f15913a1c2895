"""The metadata header of a Markdown page: read it with line numbers, rewrite one line of it.

The header follows the rules of Python-Markdown's ``meta`` extension, which Pelican uses:
``Key: value`` lines at the top of the file (optionally between ``---`` lines), continuation
lines indented by four or more spaces, ended by the first blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
BEGIN = re.compile(r"^-{3}(\s.*)?$")
END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")
BOM = "\ufeff"
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True)
class MetaField:
    """One metadata field: its value (continuation lines joined by newlines) and first line."""

    value: str
    line: int  # 1-based line number of the ``Key:`` line


@dataclass
class PageFile:
    """A Markdown page split into its metadata header and its body."""

    text: str  # the whole file, as read (BOM and line endings kept)
    metadata: dict[str, MetaField] = field(default_factory=dict)  # keys lower-cased
    body: str = ""  # the text after the header, line endings normalised to "\n"
    last_header_line: int = 0  # 1-based number of the header's last line (0: no header)

    def get(self, key: str) -> str | None:
        """Return the value of metadata `key` (case-insensitive), or None."""
        found = self.metadata.get(key.lower())
        return found.value if found else None

    def line_of(self, key: str) -> int | None:
        """Return the line number of metadata `key`, or None."""
        found = self.metadata.get(key.lower())
        return found.line if found else None


def parse_page(text: str) -> PageFile:
    """Split the text of a Markdown page into metadata and body, keeping line numbers."""
    lines = text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    page = PageFile(text=text)
    index = 0
    if lines and BEGIN.match(lines[0]):
        index = 1
    values: dict[str, list[str]] = {}
    lines_of: dict[str, int] = {}
    key = None
    while index < len(lines):
        line = lines[index]
        if line.strip() == "" or END.match(line):
            if END.match(line):
                page.last_header_line = index + 1
            index += 1
            break
        match = META_LINE.match(line)
        more = META_MORE.match(line)
        if match:
            key = match.group("key").lower()
            values.setdefault(key, []).append(match.group("value").strip())
            lines_of.setdefault(key, index + 1)
        elif more and key:
            values[key].append(more.group("value").strip())
        else:
            break
        page.last_header_line = index + 1
        index += 1
    page.metadata = {k: MetaField("\n".join(v), lines_of[k]) for k, v in values.items()}
    page.body = "\n".join(lines[index:]) if page.metadata else "\n".join(lines)
    return page


def set_metadata(text: str, key: str, value: str) -> str:
    """Return `text` with metadata `key` set to `value`, every other byte unchanged.

    An existing ``Key: value`` line (and its continuation lines) is replaced in place, keeping
    the spelling of the key; a missing key is added as a new line after the header's last line,
    with the file's own line ending. A file without a header gets one.
    """
    page = parse_page(text)
    has_bom = text.startswith(BOM)
    raw = text.removeprefix(BOM)
    lines = LINE.findall(raw)
    newline = _line_ending(lines)
    existing = page.metadata.get(key.lower())
    if existing is not None:
        index = existing.line - 1
        old = lines[index]
        ending = old[len(old.rstrip("\r\n")) :]
        spelled = META_LINE.match(old).group("key")
        indent = old[: len(old) - len(old.lstrip(" "))]
        end = index + 1
        while end < page.last_header_line and META_MORE.match(lines[end]) and lines[end].strip():
            end += 1
        lines[index:end] = [f"{indent}{spelled}: {value}{ending}"]
    elif page.metadata:
        at = page.last_header_line
        if at and END.match(lines[at - 1].rstrip("\r\n")):
            at -= 1  # before the closing "---" of a delimited header
        if at and not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += newline
        lines.insert(at, f"{key}: {value}{newline}")
    else:
        lines[0:0] = [f"{key}: {value}{newline}", newline]
    return (BOM if has_bom else "") + "".join(lines)


def _line_ending(lines: list[str]) -> str:
    """Return the line ending the file uses ("\\n" when it has none)."""
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
        if line.endswith("\r"):
            return "\r"
    return "\n"
