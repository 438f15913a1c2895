"""Field types shared by supporters, news items and events: text, dates, countries, languages.

Each type checks the form and the plausible range of its values, so that whatever validates
can be shown in every page, feed, JSON index and iCalendar file. The checks here depend on the
value only; those that depend on the build date are in site_data.check_dates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Annotated, ClassVar, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, localedata
from portal_core.languages import EU_LANGUAGES, format_locale, locale
from portal_core.translations import HASH_VALUE, METHODS
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

SOURCE_LANG = "en"

#: CLDR territory codes that are not countries (regions, groupings, unknown).
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})

#: Codes the EU uses where ISO 3166-1 has another (the EU's style guide writes EL and UK).
EU_COUNTRY_CODES = {"EL": "GR", "UK": "GB"}

#: No date in the data is before the Covenant of Mayors began (January 2008) or after this
#: century; the range keeps date arithmetic (reports due, iCalendar time zones) far from the
#: ends of Python's calendar, whatever the build date.
EARLIEST_DAY = date(2008, 1, 1)
LATEST_DAY = date(2099, 12, 31)

#: Longest text, in characters: one-line fields (names, titles, places), summaries, and
#: descriptions and bodies (a file is at most 500 kB, some 20,000 characters per language).
LINE_LIMIT = 250
SUMMARY_LIMIT = 1_000
LONG_TEXT_LIMIT = 20_000

#: Bidirectional embeddings, overrides and isolates: they reorder how text is shown, so a
#: name can read differently from what it is; the 24 site languages need none of them.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: Characters no text field may hold, in the Basic Multilingual Plane: control characters
#: (tab and line feed are checked apart), surrogates, the noncharacters U+FDD0-U+FDEF, U+FFFE
#: and U+FFFF, bidirectional controls, and the line and paragraph separators.
REFUSED_CHARACTERS = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff{BIDI_CONTROLS}"
    "\u2028\u2029]"
)
#: Characters beyond the Basic Multilingual Plane: the last two of each plane (U+1FFFE,
#: U+1FFFF, ...) are noncharacters too. A class of those 32 would make the search of every
#: text eight times slower, so they are looked for among these, which are rare.
SUPPLEMENTARY = re.compile("[\U00010000-\U0010ffff]")
LINE_BREAKS = re.compile(r"[\n\t]")

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?$")


class Record(BaseModel):
    """Base of every data model: unknown fields are errors, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _character(char: str) -> str:
    """Return ``U+202E RIGHT-TO-LEFT OVERRIDE`` for a character (its name where it has one)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _refused_character(char: str, position: int, multiline: bool) -> str:
    """Return what is wrong with a character refused_at found, and what to do."""
    code = ord(char)
    where = f"(character {position})"
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"contains U+{code:04X} {where}, half of a UTF-16 surrogate pair, which is not a "
            "character; write the character itself (or escape it as \\U0001F600 in quotes)"
        )
    if char in "\u2028\u2029":
        fix = "use an ordinary line break" if multiline else "remove it; the field is one line"
        return f"contains {_character(char)} {where}; {fix}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"contains the bidirectional control {_character(char)} {where}, which changes the "
            "order in which the text is shown and can disguise it; remove it"
        )
    if unicodedata.category(char) == "Cc":
        return f"contains the control character U+{code:04X} {where}; remove it"
    return f"contains U+{code:04X} {where}, which is not a character (a noncharacter); remove it"


def refused_at(text: str) -> int | None:
    """Return the index of the first character of `text` no text field may hold, or None."""
    found = REFUSED_CHARACTERS.search(text)
    end = found.start() if found else len(text)
    for match in SUPPLEMENTARY.finditer(text, 0, end):
        if ord(match.group()) & 0xFFFE == 0xFFFE:
            return match.start()
    return found.start() if found else None


def _text(value: str, multiline: bool, limit: int, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    refused = refused_at(value)
    if refused is not None:
        raise ValueError(_refused_character(value[refused], refused + 1, multiline))
    if not multiline:
        broken = LINE_BREAKS.search(value)
        if broken:
            kind = "line break" if broken.group() == "\n" else "tab"
            raise ValueError(
                f"contains a {kind} (character {broken.start() + 1}); {what} is one line: "
                "use a space"
            )
    if len(value) > limit:
        raise ValueError(
            f"is {len(value):,} characters long; {what} has at most {limit:,}: shorten it"
        )
    return value


def _text_type(multiline: bool, limit: int, what: str):
    """Return a text type: stripped, not empty, no refused characters, at most `limit` long."""
    return Annotated[StrictStr, AfterValidator(lambda value: _text(value, multiline, limit, what))]


#: One line of text (a name, title, place): numbers, booleans and lists are rejected rather
#: than converted; no control characters, at most LINE_LIMIT characters.
Line = _text_type(multiline=False, limit=LINE_LIMIT, what="a name, title or place")
#: A summary: line breaks and tabs allowed, at most SUMMARY_LIMIT characters.
Summary = _text_type(multiline=True, limit=SUMMARY_LIMIT, what="a summary")
#: A description or body: line breaks and tabs allowed, at most LONG_TEXT_LIMIT characters.
LongText = _text_type(multiline=True, limit=LONG_TEXT_LIMIT, what="a description or body")


def _in_range(day: date, shown: object) -> None:
    if day < EARLIEST_DAY:
        raise ValueError(
            f"{shown} is before {EARLIEST_DAY}: nothing here is older than the Covenant of "
            "Mayors (2008); check the year"
        )
    if day > LATEST_DAY:
        raise ValueError(f"{shown} is after {LATEST_DAY}; check the year")


def _day(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError("give a date without a time, as YYYY-MM-DD")
    if isinstance(value, date):
        _in_range(value, value)
        return value
    if not isinstance(value, str) or not DAY.match(value):
        raise ValueError(f"give a date as YYYY-MM-DD (got {value!r})")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date that exists") from None
    _in_range(day, value)
    return day


#: A calendar date written YYYY-MM-DD; impossible dates (2026-02-30) are rejected.
Day = Annotated[date, BeforeValidator(_day)]


def _when(value: object) -> date | datetime:
    if isinstance(value, str) and DAY.match(value):
        return _day(value)
    if not isinstance(value, str) or not DAY_AND_TIME.match(value):
        raise ValueError(f"give YYYY-MM-DD or YYYY-MM-DD HH:MM in local time (got {value!r})")
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise ValueError(f"{value} is not a date and time that exists") from None
    _in_range(moment.date(), value)
    return moment


def _keep_when(value: object) -> date | datetime:
    if not isinstance(value, date):
        raise ValueError("give YYYY-MM-DD or YYYY-MM-DD HH:MM")
    return value


#: A date (all-day) or a local date and time, without a UTC offset (the zone is a field).
When = Annotated[object, BeforeValidator(_when), AfterValidator(_keep_when)]


def _is_country(code: str) -> bool:
    return (
        len(code) == 2
        and code.isascii()
        and code.isalpha()
        and code not in NOT_COUNTRIES
        and code in Locale.parse(SOURCE_LANG).territories
    )


def folded_name(text: str) -> str:
    """Return `text` lower-cased, without accents, single-spaced ("Österreich" -> "osterreich")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def country_codes_by_name() -> dict[str, str]:
    """Return the code of every country by its CLDR name in each of the 24 languages, folded."""
    codes: dict[str, str] = {}
    for lang in EU_LANGUAGES:
        for names in (locale(lang).territories, format_locale(lang).territories):
            for code, name in names.items():
                if _is_country(code):
                    codes.setdefault(folded_name(name), code)
    return codes


def _country(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"give a two-letter ISO 3166-1 country code such as FI (got {value!r})")
    if value.upper() in EU_COUNTRY_CODES:
        raise ValueError(
            f"{value!r} is the EU's abbreviation; the ISO 3166-1 code is "
            f"{EU_COUNTRY_CODES[value.upper()]}: use {EU_COUNTRY_CODES[value.upper()]}"
        )
    if _is_country(value.upper()) and value != value.upper():
        raise ValueError(f"write the country code in capitals: {value.upper()}")
    if not _is_country(value):
        code = country_codes_by_name().get(folded_name(value))
        if code is not None:
            raise ValueError(f"give the country code, not its name: use {code} for {value!r}")
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (such as FI, NO)")
    return value


#: An ISO 3166-1 alpha-2 country code in capitals, known to CLDR ("NO" is Norway).
Country = Annotated[str, BeforeValidator(_country)]


def _language(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2,3}", value):
        raise ValueError(f"give a lower-case ISO 639 language code such as fi (got {value!r})")
    if not localedata.exists(value):
        raise ValueError(f"{value!r} is not a language code known to CLDR")
    return value


#: A language code (any language CLDR knows, not only the 24 EU ones), such as "uk" or "nb".
LanguageCode = Annotated[str, BeforeValidator(_language)]


def _site_language(value: object) -> str:
    if value not in EU_LANGUAGES:
        raise ValueError(
            f"unknown language {value!r}; use one of the 24 site languages: "
            + " ".join(EU_LANGUAGES)
        )
    return value


SiteLanguage = Annotated[str, BeforeValidator(_site_language)]


def _has_source(value: dict[str, str]) -> dict[str, str]:
    if SOURCE_LANG not in value:
        raise ValueError(f"the English text ({SOURCE_LANG}:) is required")
    return value


#: A title in several site languages: {en: ..., fi: ...}; English is required.
LocalizedLine = Annotated[dict[SiteLanguage, Line], AfterValidator(_has_source)]
#: A summary in several site languages.
LocalizedSummary = Annotated[dict[SiteLanguage, Summary], AfterValidator(_has_source)]
#: A description or body in several site languages.
LocalizedText = Annotated[dict[SiteLanguage, LongText], AfterValidator(_has_source)]


def _method(value: object) -> str:
    if value not in METHODS:
        raise ValueError(
            f"method is {value!r}; write human (translated or checked by a person) or machine"
        )
    return value


def _recorded_hash(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f'write the hash in quotes, as make l10n-stamp does (source: "1a2b3c4d5e6f"): '
            f"unquoted, YAML reads it as a number (got {value!r})"
        )
    if not HASH_VALUE.match(value):
        raise ValueError(
            f"{value!r} is not the hash of an English text (12 hex digits); do not edit it by "
            "hand: make l10n-stamp and make l10n-reviewed write it"
        )
    return value


class TranslationNote(Record):
    """How one language's text of a record was made: by whom, and from which English text."""

    method: Annotated[str, BeforeValidator(_method)]
    source: Annotated[str, BeforeValidator(_recorded_hash)]


class TranslatedRecord(Record):
    """A record with text by language, and a note for each translation (`translations`)."""

    #: The fields that hold text by language, in the order their English is hashed.
    TRANSLATED: ClassVar[tuple[str, ...]] = ()

    translations: dict[SiteLanguage, TranslationNote] = Field(default_factory=dict)

    def texts(self) -> list[dict[str, str]]:
        """Return every text of the record that varies by language."""
        return [text for name in self.TRANSLATED if (text := getattr(self, name))]

    def text_languages(self) -> list[str]:
        """Return the languages, English aside, that some text of the record is written in."""
        found = {lang for text in self.texts() for lang in text}
        found.discard(SOURCE_LANG)
        return [lang for lang in EU_LANGUAGES if lang in found]

    def untranslated(self, lang: str) -> tuple[str, ...]:
        """Return the fields that have English text but none in `lang`."""
        return tuple(
            name for name in self.TRANSLATED if (text := getattr(self, name)) and lang not in text
        )

    def written_in(self, lang: str) -> bool:
        """Tell whether every text of the record exists in `lang` (no English part)."""
        return all(lang in text for text in self.texts())

    def translated_into(self, lang: str) -> bool:
        """Tell whether some text of the record exists in `lang` (its page is of `lang`)."""
        return any(lang in text for text in self.texts())

    def page_languages(self, order: Iterable[str]) -> list[str]:
        """Return the languages, in `order`, that the record's page is a page of: those it
        has some text in (the rest is shown in English). A supporter's profile overrides it."""
        return [lang for lang in order if lang == SOURCE_LANG or self.translated_into(lang)]


def once_each(values: list[str]) -> list[str]:
    """Return `values`; raise ValueError naming the first one that is listed twice."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value} is listed twice; keep one")
        seen.add(value)
    return values


def _slug(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValueError(f"not a valid id (lower-case letters, digits, hyphens): {value!r}")
    return value


Slug = Annotated[str, BeforeValidator(_slug)]


def _timezone(value: object) -> str:
    wrong = f"unknown time zone {value!r}; use an IANA name such as Europe/Brussels"
    if not isinstance(value, str) or ("/" not in value and value != "UTC"):
        raise ValueError(wrong)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(wrong) from None
    return value


TimeZoneName = Annotated[str, BeforeValidator(_timezone)]


class Localized(NamedTuple):
    """A text picked for a page language, and the language it is really written in."""

    text: str
    lang: str


def pick(text: dict[str, str] | None, lang: str) -> Localized | None:
    """Return the text in `lang`, else the English one (marked as English), else None."""
    if not text:
        return None
    if lang in text:
        return Localized(text[lang], lang)
    return Localized(text[SOURCE_LANG], SOURCE_LANG)
