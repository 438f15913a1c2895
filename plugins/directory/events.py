"""Events: one per file in content/data/events/, with local times in the event's time zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import HttpUrl, StrictBool, model_validator

from .record_fields import (
    Country,
    Day,
    Line,
    LocalizedLine,
    LocalizedSummary,
    Slug,
    TimeZoneName,
    TranslatedRecord,
    When,
)

DEFAULT_TIMEZONE = "Europe/Brussels"


class Event(TranslatedRecord):
    """One event, from content/data/events/<slug>.yaml."""

    TRANSLATED = ("title", "summary")

    slug: Slug
    title: LocalizedLine
    summary: LocalizedSummary | None = None
    start: When
    end: When | None = None
    timezone: TimeZoneName = DEFAULT_TIMEZONE
    online: StrictBool = False
    venue: Line | None = None
    city: Line | None = None
    country: Country | None = None
    link: HttpUrl | None = None
    organiser: Slug | None = None
    published: Day

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.end is not None:
            if isinstance(self.start, datetime) != isinstance(self.end, datetime):
                raise ValueError("start and end must both be dates, or both dates with a time")
            if self.end < self.start:
                raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if not self.online and not (self.venue or self.city):
            raise ValueError("give a venue or city, or online: true")
        if self.published > self.start_day:
            raise ValueError(f"published ({self.published}) is after the start ({self.start})")
        return self

    @property
    def all_day(self) -> bool:
        """Tell whether the event is given by dates only, without times."""
        return not isinstance(self.start, datetime)

    @property
    def zone(self) -> ZoneInfo:
        """Return the event's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def start_day(self) -> date:
        """Return the day the event starts."""
        return self.start.date() if isinstance(self.start, datetime) else self.start

    @property
    def end_day(self) -> date:
        """Return the day the event ends (its start day when no end is given)."""
        end = self.end if self.end is not None else self.start
        return end.date() if isinstance(end, datetime) else end

    @property
    def starts_at(self) -> datetime:
        """Return the start as an aware date and time (midnight for all-day events)."""
        start = (
            self.start if isinstance(self.start, datetime) else datetime.combine(self.start, time())
        )
        return start.replace(tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime | None:
        """Return the end as an aware date and time, or None when no end is given."""
        if self.end is None:
            return None
        if isinstance(self.end, datetime):
            return self.end.replace(tzinfo=self.zone)
        return datetime.combine(self.end + timedelta(days=1), time()).replace(tzinfo=self.zone)

    @property
    def multi_day(self) -> bool:
        """Tell whether the event spans more than one day."""
        return self.end_day != self.start_day

    def is_upcoming(self, today: date) -> bool:
        """Tell whether the event has not ended before `today`."""
        return self.end_day >= today


def upcoming(events: Iterable[Event], today: date) -> list[Event]:
    """Return events that end today or later, soonest first."""
    return sorted((e for e in events if e.is_upcoming(today)), key=lambda e: (e.starts_at, e.slug))


def past(events: Iterable[Event], today: date) -> list[Event]:
    """Return events that ended before today, most recent first."""
    ended = [e for e in events if not e.is_upcoming(today)]
    return sorted(ended, key=lambda e: (e.starts_at, e.slug), reverse=True)


def newest_announced(events: Iterable[Event]) -> list[Event]:
    """Return events by publication date, newest first (for the events feed)."""
    return sorted(events, key=lambda e: (-e.published.toordinal(), e.starts_at, e.slug))
