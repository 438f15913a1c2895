"""Facts that are the same in every language, written in content as ``{{name}}`` placeholders.

Every fact that is an address on another site says where it was confirmed and when
(`confirmed`), or that nobody could confirm it yet (`unconfirmed`); the build names the
unconfirmed ones on every run (`unconfirmed_facts`). A fact may contain ``{lang}``: it is the
language of the page it is written in (the portal's join page exists in every language).
"""

from __future__ import annotations

import re

from .errors import PortalError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
EXTERNAL = re.compile(r"^https?://", re.IGNORECASE)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Fact(str):
    """A fact's value (a plain string everywhere it is used) with where it comes from.

    `source` is the public copy or page that shows the value, `checked` the day it was seen
    there (YYYY-MM-DD); an unconfirmed fact has no source and says why in `note`.
    """

    source: str | None
    checked: str | None
    note: str

    def __new__(cls, value: str, source: str | None, checked: str | None, note: str = ""):
        fact = super().__new__(cls, value)
        fact.source, fact.checked, fact.note = source, checked, note
        return fact

    def __reduce__(self):
        # so that settings travel to worker processes whole
        return (Fact, (str(self), self.source, self.checked, self.note))

    @property
    def is_confirmed(self) -> bool:
        """Tell whether someone saw this value where `source` says, on `checked`."""
        return bool(self.source and self.checked)

    def for_lang(self, lang: str) -> str:
        """Return the value for a page in `lang` (``{lang}`` filled in)."""
        return str(self).replace("{lang}", lang)


def confirmed(value: str, source: str, checked: str, note: str = "") -> Fact:
    """Return a fact seen at `source` (an address or a description of a copy) on `checked`."""
    if not DATE.match(checked):
        raise ValueError(f"FACTS: {value!r}: checked={checked!r} is not a YYYY-MM-DD date")
    return Fact(value, source, checked, note)


def unconfirmed(value: str, why: str) -> Fact:
    """Return a fact nobody could confirm yet; `why` says what was tried."""
    return Fact(value, None, None, why)


def unconfirmed_facts(facts: dict) -> list[tuple[str, str, str]]:
    """Return (name, value, why) of every external address in `facts` without a confirmation.

    A plain string among the facts (not made with `confirmed` or `unconfirmed`) that is an
    external address counts as unconfirmed: nobody recorded where it comes from.
    """
    found = []
    for name, value in facts.items():
        if not EXTERNAL.match(str(value)):
            continue
        if isinstance(value, Fact):
            if not value.is_confirmed:
                found.append((name, str(value), value.note or "no source recorded"))
        else:
            found.append((name, str(value), "no source recorded: write it with confirmed(...)"))
    return found


def substitute_facts(text: str, facts: dict[str, str], path: str, lang: str = "en") -> str:
    """Replace every ``{{name}}`` in `text` with ``facts[name]`` for a page in `lang`.

    An unknown name is a PortalError naming the file, the line and the known names.
    """

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in facts:
            line = text.count("\n", 0, match.start()) + 1
            known = ", ".join(sorted(facts))
            raise PortalError(
                path,
                f"unknown placeholder {{{{{name}}}}}; use one of: {known} "
                "(or add it to FACTS in pelicanconf.py)",
                line,
            )
        return str(facts[name]).replace("{lang}", lang)

    return PLACEHOLDER.sub(replace, text)
