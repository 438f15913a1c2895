"""Events as iCalendar (.ics) files (RFC 5545), with the texts of one language.

iCalendar text is plain text: a title, summary or place is written as typed (markup included),
with only backslash, semicolon, comma and line breaks escaped as RFC 5545 requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Timezone, vText
from icalendar import Event as CalendarEvent

from .directory_pages import EventEntry
from .events import Event

PRODUCT_ID = "-//Covenant of Mayors Office//Covenant Portal//EN"


@dataclass
class TimeZones:
    """VTIMEZONE components for one build, each made once, covering the years of the events."""

    first: date
    last: date
    _made: dict[str, Timezone] = field(default_factory=dict)

    @classmethod
    def for_events(cls, events: Iterable[Event]) -> TimeZones:
        """Return a cache covering every event's dates, with a year's margin either side."""
        days = [day for e in events for day in (e.start_day, e.end_day)] or [date(2000, 1, 1)]
        return cls(date(min(days).year - 1, 1, 1), date(max(days).year + 2, 1, 1))

    def component(self, tzid: str) -> Timezone:
        """Return the VTIMEZONE of `tzid`."""
        if tzid not in self._made:
            self._made[tzid] = Timezone.from_tzid(tzid, first_date=self.first, last_date=self.last)
        return self._made[tzid]


def _event(entry: EventEntry, lang: str, base_url: str) -> CalendarEvent:
    event = entry.event
    host = urlsplit(base_url).hostname or "covenant-portal.invalid"
    item = CalendarEvent()
    item.add("uid", f"{event.slug}@{host}")
    item.add("dtstamp", datetime.combine(event.published, time(), tzinfo=UTC))
    if event.all_day:
        item.add("dtstart", event.start_day)
        item.add("dtend", event.end_day + timedelta(days=1))
    else:
        item.add("dtstart", event.starts_at)
        if event.ends_at is not None:
            item.add("dtend", event.ends_at)
    item.add("summary", entry.title.text, parameters={"LANGUAGE": entry.title.lang})
    if entry.summary is not None:
        item.add("description", entry.summary.text, parameters={"LANGUAGE": entry.summary.lang})
    if entry.place:
        item.add("location", entry.place)
    item.add("url", f"{base_url}/{entry.url}")
    item.add("status", "CONFIRMED")
    return item


def build_calendar(
    entries: Iterable[EventEntry], lang: str, base_url: str, name: str, zones: TimeZones
) -> bytes:
    """Return an iCalendar file holding `entries` (events as shown in `lang`).

    Events not written in `lang` carry their English text, marked LANGUAGE=en.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # NAME (RFC 7986) and X-WR-CALNAME are text, like SUMMARY; icalendar does not know them,
    # so their value is given as text to have , ; \ and line breaks escaped as RFC 5545 says
    calendar.add("name", vText(name), parameters={"LANGUAGE": lang})
    calendar.add("x-wr-calname", vText(name))
    entries = list(entries)
    for tzid in sorted({e.event.timezone for e in entries if not e.event.all_day}):
        calendar.add_component(zones.component(tzid))
    for entry in entries:
        calendar.add_component(_event(entry, lang, base_url))
    return calendar.to_ical()
