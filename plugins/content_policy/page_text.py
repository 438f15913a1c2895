"""What a page's text may hold: no invisible control characters, and titles of a readable length.

Control characters and NUL are invisible in editors and break pages, feeds and search; the
bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) make text
display in another order than it is stored (the "Trojan Source" trick), so a reviewer reading
the diff does not see what readers will. None of them has a use in the portal's languages, so
the whole source of a page (metadata included) is refused when it holds one. Tab, newline and
carriage return are the only controls a text file needs.
"""

from __future__ import annotations

import re
import unicodedata

from portal_core.errors import PortalError
from portal_core.page_metadata import PageFile

#: C0 controls but tab, newline and carriage return; DEL and the C1 controls; surrogates (a
#: Python string holds one only when it is unpaired); bidirectional embeddings, overrides and
#: isolates.
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: The longest `Title:` and `Summary:` values, in characters.
LENGTH_LIMITS = {
    "title": (
        150,
        "it is the page's heading and its name in menus, the browser's tab and search results",
    ),
    "summary": (400, "it is one or two sentences that search engines show under the title"),
}
#: How many lines with forbidden characters are reported one by one.
MAX_REPORTED_LINES = 20


def first_forbidden(text: str) -> str | None:
    """Return the first forbidden character in `text`, if any."""
    match = FORBIDDEN_CHARACTERS.search(text)
    return match.group() if match else None


def describe_character(character: str) -> str:
    """Name a character for a message: "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        name = "half of a surrogate pair, alone"
    elif code == 0:
        name = "NUL"
    else:
        name = unicodedata.name(character, "a control character")
    return f"U+{code:04X} ({name})"


def why_forbidden(character: str) -> str:
    """Say why a forbidden character is refused."""
    if character in BIDI_CONTROLS:
        return "a bidirectional control makes the text display in another order than it is written"
    if 0xD800 <= ord(character) <= 0xDFFF:
        return "it is broken text, not a character"
    return "control characters are invisible and break pages, feeds and search"


def character_problems(source: str, path: str) -> list[PortalError]:
    """Return one problem per line of `source` that holds a forbidden character."""
    problems: list[PortalError] = []
    if first_forbidden(source) is None:
        return problems
    lines = LINE_BREAK.split(source.removeprefix("\ufeff"))
    bad = [(number, line) for number, line in enumerate(lines, start=1) if first_forbidden(line)]
    for number, line in bad[:MAX_REPORTED_LINES]:
        match = FORBIDDEN_CHARACTERS.search(line)
        character = match.group()
        column = match.start() + 1
        others = len(FORBIDDEN_CHARACTERS.findall(line)) - 1
        more = f" (and {others} more on this line)" if others else ""
        problems.append(
            PortalError(
                path,
                f"invisible character {describe_character(character)} at column {column}{more} "
                f"is not allowed: {why_forbidden(character)}; delete it (it often comes with "
                "text copied from a PDF or a word processor)",
                number,
            )
        )
    if len(bad) > MAX_REPORTED_LINES:
        rest = len(bad) - MAX_REPORTED_LINES
        problems.append(
            PortalError(
                path,
                f"{rest} more lines hold invisible control characters; delete them all "
                "(retyping the text is the surest way)",
                bad[MAX_REPORTED_LINES][0],
            )
        )
    return problems


def length_problems(page: PageFile, path: str) -> list[PortalError]:
    """Return a problem for a `Title:` or `Summary:` longer than its limit."""
    problems: list[PortalError] = []
    for key, (limit, why) in LENGTH_LIMITS.items():
        field = page.metadata.get(key)
        if field is None or len(field.value) <= limit:
            continue
        problems.append(
            PortalError(
                path,
                f"the {key} is {len(field.value):,} characters long; a {key} has at most "
                f"{limit} ({why}): shorten it",
                field.line,
            )
        )
    return problems
