"""Language negotiation: which language folder a visitor of the site root is sent to.

The algorithm is RFC 4647 "lookup" (section 3.4) over the language ranges of an HTTP
``Accept-Language`` header (RFC 9110, section 12.5.4), in the order of their quality values:

- ranges are tried from the highest quality value down; equal values keep the header's order;
- a range matches a language when it is the language or, after removing subtags from the end,
  becomes it (``de-AT`` -> ``de``; a single-letter subtag such as ``x`` goes with the one after);
- a language given with ``q=0`` is never chosen ("not acceptable");
- ``*`` accepts any language: it chooses the default language, unless that is excluded;
- nothing acceptable: None (the visitor stays on the language chooser).

The same algorithm runs in nginx (njs) and in the browser (``theme/static/js/languages.js``);
the tests check all three against one table of cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


@dataclass(frozen=True)
class LanguageRange:
    """One entry of an Accept-Language header: a language range and its quality value."""

    range: str  # lower case: "de-at", "fi", "*"
    quality: float


def parse_accept_language(header: str) -> list[LanguageRange]:
    """Return the valid language ranges of an Accept-Language header, in header order.

    Entries that break the grammar (a malformed range or quality value) are ignored, as
    RFC 9110 lets a server do; the rest of the header still counts.
    """
    ranges = []
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";")]
        tag = parts[0]
        if not tag or not _RANGE.fullmatch(tag):
            continue
        quality = 1.0
        valid = True
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                if not _QVALUE.fullmatch(value):
                    valid = False
                    break
                quality = float(value)
        if valid:
            ranges.append(LanguageRange(tag.lower(), quality))
    return ranges


def _truncations(tag: str) -> Iterable[str]:
    """Yield `tag` and each shorter tag RFC 4647 lookup falls back to ("de-at" -> "de")."""
    subtags = tag.split("-")
    while subtags:
        yield "-".join(subtags)
        subtags.pop()
        if len(subtags) >= 2 and len(subtags[-1]) == 1:
            subtags.pop()


def lookup(ranges: Sequence[LanguageRange], available: Sequence[str], default: str) -> str | None:
    """Return the language of `available` that best matches `ranges`, or None."""
    offered = {code.lower(): code for code in available}
    excluded = {r.range for r in ranges if r.quality == 0}
    ordered = sorted(
        (r for r in ranges if r.quality > 0),
        key=lambda r: -r.quality,  # sorted() is stable: equal quality keeps the header order
    )
    for language_range in ordered:
        if language_range.range == "*":
            if default.lower() in offered and default.lower() not in excluded:
                return offered[default.lower()]
            continue
        for candidate in _truncations(language_range.range):
            if candidate in offered and candidate not in excluded:
                return offered[candidate]
    return None


def negotiate(header: str | None, available: Sequence[str], default: str) -> str | None:
    """Return the language to send a visitor with this Accept-Language header to, or None."""
    return lookup(parse_accept_language(header or ""), available, default)
