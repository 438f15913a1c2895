"""Dates and times in all 24 languages: CLDR's patterns, the year always in four digits."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import EU_ORDER
from directory.directory_pages import when_text
from directory.events import Event
from portal_core.dates import day_text, four_digit_years, moment_text

DAY = date(2027, 1, 20)
MOMENT = datetime(2027, 1, 20, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))
WIDTHS = ("short", "medium", "long", "full")


def test_year_fields_become_four_digits_and_quoted_text_stays():
    assert four_digit_years("dd.MM.yy") == "dd.MM.yyyy"
    assert four_digit_years("d.MM.y 'г'.") == "d.MM.yyyy 'г'."
    assert four_digit_years("d 'de' MMMM 'de' y") == "d 'de' MMMM 'de' yyyy"
    assert four_digit_years("'yy' yy") == "'yy' yyyy"


@pytest.mark.parametrize("lang", EU_ORDER)
def test_every_width_of_every_language_writes_the_whole_year(lang):
    for width in WIDTHS:
        assert "2027" in day_text(DAY, lang, width), (lang, width)
        text = moment_text(MOMENT, lang, width, ZoneInfo("Europe/Brussels"))
        assert "2027" in text, (lang, width)
        assert "27" not in text.replace("2027", ""), (lang, width, text)  # no day is 27


@pytest.mark.parametrize("lang", EU_ORDER)
def test_event_times_over_several_days_carry_whole_years(lang):
    event = Event.model_validate(
        {
            "slug": "e",
            "title": {"en": "T"},
            "published": "2026-12-01",
            "city": "Oulu",
            "start": "2027-01-20 09:00",
            "end": "2027-01-22 17:00",
            "timezone": "Europe/Berlin",
        }
    )
    dates, times = when_text(event, lang)
    assert "2027" in dates
    assert times.count("2027") == 2, times


def test_german_event_times_read_as_germans_write_them():
    event = Event.model_validate(
        {
            "slug": "e",
            "title": {"en": "T"},
            "published": "2026-12-01",
            "city": "Berlin",
            "start": "2027-01-20 09:00",
            "end": "2027-01-21 12:00",
            "timezone": "Europe/Berlin",
        }
    )
    assert when_text(event, "de")[1].startswith("20.01.2027 09:00 – 21.01.2027 12:00")
