"""Field types shared by supporters, news items and events: text, dates, countries, languages."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, localedata
from multilingual.languages import EU_LANGUAGES
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StrictStr

SOURCE_LANG = "en"

#: CLDR territory codes that are not countries (regions, groupings, unknown).
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?$")


class Record(BaseModel):
    """Base of every data model: unknown fields are errors, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


#: Non-empty text; numbers, booleans and lists are rejected rather than converted.
Text = Annotated[StrictStr, AfterValidator(_text)]


def _day(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError("give a date without a time, as YYYY-MM-DD")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DAY.match(value):
        raise ValueError(f"give a date as YYYY-MM-DD (got {value!r})")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date that exists") from None


#: A calendar date written YYYY-MM-DD; impossible dates (2026-02-30) are rejected.
Day = Annotated[date, BeforeValidator(_day)]


def _when(value: object) -> date | datetime:
    if isinstance(value, str) and DAY.match(value):
        return _day(value)
    if not isinstance(value, str) or not DAY_AND_TIME.match(value):
        raise ValueError(f"give YYYY-MM-DD or YYYY-MM-DD HH:MM in local time (got {value!r})")
    try:
        return datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise ValueError(f"{value} is not a date and time that exists") from None


def _keep_when(value: object) -> date | datetime:
    if not isinstance(value, date):
        raise ValueError("give YYYY-MM-DD or YYYY-MM-DD HH:MM")
    return value


#: A date (all-day) or a local date and time, without a UTC offset (the zone is a field).
When = Annotated[object, BeforeValidator(_when), AfterValidator(_keep_when)]


def _country(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"give a two-letter ISO 3166-1 country code such as FI (got {value!r})")
    if value != value.upper():
        raise ValueError(f"write the country code in capitals: {value.upper()}")
    if (
        len(value) != 2
        or value in NOT_COUNTRIES
        or value not in Locale.parse(SOURCE_LANG).territories
    ):
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


#: Text in several site languages: {en: ..., fi: ...}; English is required.
LocalizedText = Annotated[dict[SiteLanguage, Text], AfterValidator(_has_source)]


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
