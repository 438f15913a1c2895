"""Interface strings: one `N_`, the strings of one build, and how they go into HTML.

A translation is text. `interface_text` escapes it and fills its ``%(name)s`` placeholders: a
placeholder given Markup (a link the template made) goes in as markup, anything else is
escaped. Catalogues are read and checked by `catalogues`; `InterfaceStrings` holds one build's
compiled catalogue of every language.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping

from markupsafe import Markup, escape


def N_(message: str) -> str:
    """Mark an interface string for extraction; it is translated where it is shown."""
    return message


def interface_text(translation: str, variables: Mapping, autoescape: bool = True) -> Markup | str:
    """Return an interface string filled with `variables`, as HTML text when `autoescape`.

    The translation is escaped like any other text and the result is Markup: a variable that
    is Markup (markup the template made, e.g. a link) goes in as it is, any other is escaped.
    Without autoescaping (not HTML) it is plain %-formatting. Either way the string is always
    %-formatted, so "%%" is "%" (as Jinja's newstyle gettext does).
    """
    if autoescape:
        return escape(translation) % variables
    return translation % variables


class InterfaceStrings:
    """The compiled interface catalogue of every language of one build."""

    def __init__(self, catalogues: Mapping[str, gettext.NullTranslations]) -> None:
        self.catalogues = dict(catalogues)

    def catalogue(self, lang: str) -> gettext.NullTranslations:
        """Return the catalogue of `lang` (the English strings where it has none)."""
        return self.catalogues.get(lang) or gettext.NullTranslations()

    def gettext(self, lang: str, message: str) -> str:
        """Return `message` translated into `lang` (plain text, not yet escaped)."""
        return self.catalogue(lang).gettext(message)

    def ngettext(self, lang: str, singular: str, plural: str, count: int) -> str:
        """Return the plural form of `lang` for `count` (plain text, not yet escaped)."""
        return self.catalogue(lang).ngettext(singular, plural, count)
