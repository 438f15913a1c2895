"""The 24 official EU languages, in the Interinstitutional Style Guide order, with CLDR names."""

from functools import cache

from babel import Locale

#: Order of the Interinstitutional Style Guide, section 7.2.1 (as EU language selectors use).
EU_LANGUAGES = (
    "bg", "es", "cs", "da", "de", "et", "el", "en", "fr", "ga", "hr", "it",
    "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv",
)  # fmt: skip


#: CLDR locale used to format dates and numbers where the bare language code means a non-EU
#: variant: CLDR's "en" is US English and its "pt" is Brazilian Portuguese.
FORMAT_LOCALES = {"en": "en_IE", "pt": "pt_PT"}


@cache
def locale(code: str) -> Locale:
    """Return Babel's CLDR locale for a language code."""
    return Locale.parse(code)


@cache
def format_locale(code: str) -> Locale:
    """Return the CLDR locale to format dates, numbers and names for readers of `code`."""
    return Locale.parse(FORMAT_LOCALES.get(code, code))


@cache
def endonym(code: str) -> str:
    """Return the language's name in the language itself ("suomi", "Deutsch")."""
    return locale(code).get_display_name(code)


@cache
def language_name(code: str, in_language: str) -> str:
    """Return the name of language `code` written in `in_language`."""
    return locale(code).get_display_name(in_language)
