"""Dates and times in each language's CLDR patterns, always with the year in four digits.

CLDR's short date patterns write two-digit years in many languages (German ``dd.MM.yy``:
"20.01.27"), which a reader cannot tell from a day and a month in a page that lists events
years apart. Every date the portal prints goes through these patterns instead: the language's
own pattern of the width asked for, its year field written ``yyyy``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from functools import cache

from babel.dates import format_date, format_datetime, format_time

from .languages import format_locale

#: a pattern's quoted literals ('de', 'г'.) and, outside them, its runs of the year field
_QUOTED_OR_YEAR = re.compile(r"'[^']*'|y+")


def four_digit_years(pattern: str) -> str:
    """Return a CLDR date pattern with every year field (``yy``, ``y``) as ``yyyy``."""
    return _QUOTED_OR_YEAR.sub(
        lambda match: match.group() if match.group().startswith("'") else "yyyy", pattern
    )


@cache
def date_pattern(lang: str, width: str = "long") -> str:
    """Return the date pattern of `width` (short, medium, long, full) for readers of `lang`."""
    return four_digit_years(format_locale(lang).date_formats[width].pattern)


@cache
def datetime_pattern(lang: str, width: str = "medium") -> str:
    """Return the date-and-time pattern of `width` for readers of `lang`, years in full."""
    locale = format_locale(lang)
    time_pattern = locale.time_formats[width].pattern
    return (
        str(locale.datetime_formats[width])
        .replace("{0}", time_pattern)
        .replace("{1}", date_pattern(lang, width))
    )


def day_text(value: date, lang: str, width: str = "long") -> str:
    """Return a date as readers of `lang` write it, the year in four digits."""
    return format_date(value, date_pattern(lang, width), locale=format_locale(lang))


def moment_text(value: datetime, lang: str, width: str = "medium", zone: tzinfo | None = None):
    """Return a date and time as readers of `lang` write them, the year in four digits."""
    return format_datetime(
        value, datetime_pattern(lang, width), tzinfo=zone, locale=format_locale(lang)
    )


def time_text(value: datetime | time, lang: str, zone: tzinfo | None = None) -> str:
    """Return a time of day (hours and minutes) as readers of `lang` write it."""
    return format_time(value, "short", tzinfo=zone, locale=format_locale(lang))
