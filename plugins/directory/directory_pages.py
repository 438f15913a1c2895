"""What the directory, news and calendar pages show in each language, computed once per language.

`Directory` is shared with the templates (as DIRECTORY) and with the feed and iCalendar writers.
It holds one build's data; every per-language list is computed on first use and kept for the
build, so rendering thousands of pages does not repeat the work.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_interval, get_timezone_name
from babel.numbers import format_decimal
from portal_core.dates import day_text, time_text
from portal_core.languages import format_locale
from portal_core.strings import N_

from . import urls
from .collation import sorted_for
from .events import Event, past, upcoming
from .news import NewsItem, newest_first, published_by
from .record_fields import SOURCE_LANG, Localized, pick
from .site_data import SiteData
from .supporters import (
    STATUS_LABELS,
    TYPE_LABELS,
    Status,
    Supporter,
    SupporterType,
    is_report_overdue,
    report_due,
)


@dataclass(frozen=True)
class SupporterEntry:
    """A supporter as shown in one language."""

    supporter: Supporter
    url: str
    country_name: str
    country_url: str
    type_url: str
    overdue: bool
    report_due: date
    description: Localized
    languages: tuple[str, ...]
    signatories: str  # the number, written the way the language writes numbers
    joined: str  # the joining date, written the way the language writes dates (medium length)

    @property
    def id(self) -> str:
        """Return the supporter's id."""
        return self.supporter.id


@dataclass(frozen=True)
class Group:
    """Supporters that share a country, type or status, as listed on one page."""

    kind: str  # "country", "type", "status" or "report" (the overdue facet)
    key: str
    label: str  # country name in the page language, or an English msgid for type and status
    url: str
    entries: tuple[SupporterEntry, ...]

    @property
    def count(self) -> int:
        """Return how many supporters the group lists."""
        return len(self.entries)

    @property
    def active_count(self) -> int:
        """Return how many of them are active."""
        return sum(1 for entry in self.entries if entry.supporter.active)


@dataclass(frozen=True)
class Facet:
    """A group as the directory's filters, the map's table and a group's own pages show it:
    what it is, where its list is and how many it has, not the entries themselves (so that the
    pages showing it stay as they are when a supporter's text changes)."""

    kind: str
    key: str
    label: str
    url: str
    count: int
    active_count: int

    @classmethod
    def of(cls, group: Group) -> Facet:
        """Return the facet of `group`."""
        return cls(group.kind, group.key, group.label, group.url, group.count, group.active_count)


@dataclass(frozen=True)
class ListingPage:
    """One page of a list of supporters too long for one page (the listing without script)."""

    entries: tuple[SupporterEntry, ...]
    number: int  # from 1
    urls: tuple[str, ...]  # the URL of every page of the list, the first one's included

    @property
    def count(self) -> int:
        """Return how many pages the list has."""
        return len(self.urls)

    @property
    def url(self) -> str:
        """Return this page's URL."""
        return self.urls[self.number - 1]

    @property
    def previous_url(self) -> str | None:
        """Return the URL of the page before, if any."""
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        """Return the URL of the page after, if any."""
        return self.urls[self.number] if self.number < self.count else None


def listing_pages(
    entries: tuple[SupporterEntry, ...] | list[SupporterEntry], first_url: str, size: int
) -> list[ListingPage]:
    """Cut a list into pages of `size` entries: the first at `first_url`, page n at .../page/n/.

    An empty list still has its one (empty) page.
    """
    chunks = [tuple(entries[start : start + size]) for start in range(0, len(entries), size)]
    chunks = chunks or [()]
    page_urls = tuple(
        first_url if number == 1 else urls.listing_page_url(first_url, number)
        for number in range(1, len(chunks) + 1)
    )
    return [ListingPage(chunk, n, page_urls) for n, chunk in enumerate(chunks, start=1)]


@dataclass(frozen=True)
class NewsEntry:
    """A news item as shown in one language."""

    item: NewsItem
    url: str
    title: Localized
    summary: Localized
    body: tuple[Localized, ...]  # paragraphs
    real: bool  # the item's page in the page language is a page of that language


@dataclass(frozen=True)
class EventEntry:
    """An event as shown in one language."""

    event: Event
    url: str
    ics_url: str
    title: Localized
    summary: Localized | None
    real: bool
    date_text: str
    time_text: str
    place: str
    upcoming: bool
    organiser: SupporterEntry | None


@dataclass(frozen=True)
class FeedLink:
    """One feed of one language."""

    kind: str
    format: str
    url: str
    title: str
    media_type: str


@dataclass
class Directory:
    """One build's supporters, news and events, presented per language."""

    data: SiteData
    today: date
    languages: tuple[str, ...]
    catalogues: Mapping[str, gettext_module.NullTranslations]
    _cache: dict[tuple, object] = field(default_factory=dict, repr=False)

    # -- helpers -----------------------------------------------------------------------------

    def catalogue(self, lang: str) -> gettext_module.NullTranslations:
        """Return the interface strings of `lang` (call its gettext/ngettext with literals)."""
        return self.catalogues.get(lang) or gettext_module.NullTranslations()

    def gettext(self, lang: str, message: str) -> str:
        """Return an interface string (marked elsewhere with N_) in `lang`."""
        return self.catalogue(lang).gettext(message)

    def digest(self) -> str:
        """Return a digest of what the pages show from the directory (the build engine's input).

        Everything shown derives from the records, the date and the languages; the catalogues
        are digested from their files by the engine itself. The records' repr shows every
        field's value, whether a record was parsed now or taken from the cache. Made once per
        Directory (each build makes its own).
        """

        def compute() -> str:
            data = self.data
            shown = repr((data.supporters, data.news, data.events, self.today, self.languages))
            return hashlib.sha256(shown.encode("utf-8")).hexdigest()

        return self._cached(("digest",), compute)

    def data_record(self, kind: str, key: str):
        """Return one record: `kind` is supporters, news or events."""
        return getattr(self.data, kind)[key]

    @staticmethod
    @lru_cache(maxsize=8192)
    def number(value: int, lang: str) -> str:
        """Return a number written the way `lang` writes numbers (1 234 in Finnish)."""
        return format_decimal(value, locale=format_locale(lang))

    def _cached(self, key: tuple, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @staticmethod
    def country_name(code: str, lang: str) -> str:
        """Return a country's name in `lang`, from CLDR."""
        return format_locale(lang).territories.get(code, code)

    # -- supporters --------------------------------------------------------------------------

    def entry(self, supporter_id: str, lang: str) -> SupporterEntry:
        """Return one supporter as shown in `lang`."""
        return self._cached(("entry", supporter_id, lang), lambda: self._entry(supporter_id, lang))

    def _entry(self, supporter_id: str, lang: str) -> SupporterEntry:
        supporter = self.data.supporters[supporter_id]
        locale = format_locale(lang)
        names = [locale.languages.get(code, code) for code in supporter.working_languages]
        return SupporterEntry(
            supporter=supporter,
            url=urls.profile_url(lang, supporter.id),
            country_name=self.country_name(supporter.country, lang),
            country_url=urls.country_url(lang, supporter.country),
            type_url=urls.type_url(lang, supporter.type),
            overdue=is_report_overdue(supporter, self.today),
            report_due=report_due(supporter),
            description=pick(supporter.description, lang),
            languages=tuple(sorted_for(names, lang, text=str, tie=str)),
            signatories=self.number(supporter.signatories, lang),
            joined=day_text(supporter.joined, lang, "medium"),
        )

    def supporters(self, lang: str) -> list[SupporterEntry]:
        """Return every supporter, in the alphabetical order of `lang`."""

        def compute():
            entries = [self.entry(key, lang) for key in sorted(self.data.supporters)]
            return sorted_for(entries, lang, text=lambda e: e.supporter.name, tie=lambda e: e.id)

        return self._cached(("supporters", lang), compute)

    def active_count(self, lang: str) -> int:
        """Return how many supporters are active."""
        return sum(1 for entry in self.supporters(lang) if entry.supporter.active)

    def overdue_count(self, lang: str) -> int:
        """Return how many active supporters are late with their report."""
        return sum(1 for entry in self.supporters(lang) if entry.overdue)

    def countries(self, lang: str) -> list[Group]:
        """Return one group per country that has supporters, by country name in `lang`."""

        def compute():
            groups: dict[str, list[SupporterEntry]] = {}
            for entry in self.supporters(lang):
                groups.setdefault(entry.supporter.country, []).append(entry)
            result = [
                Group("country", code, self.country_name(code, lang), urls.country_url(lang, code),
                      tuple(entries))
                for code, entries in groups.items()
            ]  # fmt: skip
            return sorted_for(result, lang, text=lambda g: g.label, tie=lambda g: g.key, names=True)

        return self._cached(("countries", lang), compute)

    def types(self, lang: str) -> list[Group]:
        """Return one group per type of organisation that has supporters, in a fixed order."""

        def compute():
            entries = self.supporters(lang)
            return [
                Group("type", kind.value, TYPE_LABELS[kind], urls.type_url(lang, kind.value),
                      tuple(e for e in entries if e.supporter.type == kind))
                for kind in SupporterType
                if any(e.supporter.type == kind for e in entries)
            ]  # fmt: skip

        return self._cached(("types", lang), compute)

    def statuses(self, lang: str) -> list[Group]:
        """Return the groups of active and of suspended supporters (those that have any)."""

        def compute():
            entries = self.supporters(lang)
            return [
                Group("status", status.value, STATUS_LABELS[status],
                      urls.status_url(lang, status.value),
                      tuple(e for e in entries if e.supporter.status == status))
                for status in Status
                if any(e.supporter.status == status for e in entries)
            ]  # fmt: skip

        return self._cached(("statuses", lang), compute)

    def reports(self, lang: str) -> list[Group]:
        """Return the group of active supporters whose activity report is overdue (if any)."""

        def compute():
            late = tuple(e for e in self.supporters(lang) if e.overdue)
            if not late:
                return []
            url = urls.report_url(lang, "overdue")
            return [Group("report", "overdue", OVERDUE_LABEL, url, late)]

        return self._cached(("reports", lang), compute)

    def facets(self, kind: str, lang: str) -> tuple[Facet, ...]:
        """Return the facets of the groups of `kind` (country, type, status, report) in `lang`."""
        groups = {
            "country": self.countries,
            "type": self.types,
            "status": self.statuses,
            "report": self.reports,
        }[kind]
        return self._cached(
            ("facets", kind, lang), lambda: tuple(Facet.of(group) for group in groups(lang))
        )

    def supporter_count(self, lang: str) -> int:
        """Return how many supporters the directory lists (the same in every language)."""
        return len(self.data.supporters)

    def groups(self, lang: str) -> list[Group]:
        """Return every country, type, status and report group."""
        return [*self.countries(lang), *self.types(lang), *self.statuses(lang), *self.reports(lang)]

    def country_counts(self, lang: str) -> dict[str, int]:
        """Return how many supporters each country has (countries without any left out)."""
        return {group.key: group.count for group in self.countries(lang)}

    @staticmethod
    def map_url(lang: str) -> str:
        """Return the URL of the map of Europe with the supporters per country."""
        return urls.map_url(lang)

    def listing(self, lang: str, size: int) -> list[ListingPage]:
        """Return the pages of the whole directory's list (the first is the directory page)."""
        return self._cached(
            ("listing", lang, size),
            lambda: listing_pages(self.supporters(lang), urls.directory_url(lang), size),
        )

    def newly_joined(self, lang: str, limit: int) -> list[SupporterEntry]:
        """Return the supporters that joined last, newest first (not those joining later)."""
        joined = [e for e in self.supporters(lang) if e.supporter.joined <= self.today]
        joined.sort(key=lambda e: (-e.supporter.joined.toordinal(), e.id))
        return joined[:limit]

    # -- news --------------------------------------------------------------------------------

    def news_entry(self, slug: str, lang: str) -> NewsEntry:
        """Return one news item as shown in `lang`."""
        return self._cached(("news", slug, lang), lambda: self._news_entry(slug, lang))

    def _news_entry(self, slug: str, lang: str) -> NewsEntry:
        item = self.data.news[slug]
        body = pick(item.body, lang)
        paragraphs = []
        if body is not None:
            for paragraph in body.text.split("\n\n"):
                if paragraph.strip():
                    paragraphs.append(Localized(" ".join(paragraph.split()), body.lang))
        return NewsEntry(
            item=item,
            url=urls.news_item_url(lang, slug),
            title=pick(item.title, lang),
            summary=pick(item.summary, lang),
            body=tuple(paragraphs),
            real=item.translated_into(lang) or lang == SOURCE_LANG,
        )

    def news(self, lang: str) -> list[NewsEntry]:
        """Return every published news item, newest first."""

        def compute():
            items = newest_first(published_by(self.data.news.values(), self.today))
            return [self.news_entry(item.slug, lang) for item in items]

        return self._cached(("news", lang), compute)

    def latest_news(self, lang: str, limit: int = 3) -> list[NewsEntry]:
        """Return the newest news items."""
        return self.news(lang)[:limit]

    def news_about(self, supporter_id: str, lang: str) -> list[NewsEntry]:
        """Return the news items that name a supporter, newest first."""
        index = self._cached(("news-by-supporter", lang), lambda: self._news_by_supporter(lang))
        return index.get(supporter_id, [])

    def _news_by_supporter(self, lang: str) -> dict[str, list[NewsEntry]]:
        index: dict[str, list[NewsEntry]] = {}
        for entry in self.news(lang):
            for supporter_id in entry.item.supporters:
                index.setdefault(supporter_id, []).append(entry)
        return index

    # -- events ------------------------------------------------------------------------------

    def event_entry(self, slug: str, lang: str) -> EventEntry:
        """Return one event as shown in `lang`."""
        return self._cached(("event", slug, lang), lambda: self._event_entry(slug, lang))

    def _event_entry(self, slug: str, lang: str) -> EventEntry:
        event = self.data.events[slug]
        date_text, time_text = when_text(event, lang)
        place = [part for part in (event.venue, event.city) if part]
        if event.country:
            place.append(self.country_name(event.country, lang))
        if event.online:
            place.insert(0, self.catalogue(lang).gettext("Online"))
        return EventEntry(
            event=event,
            url=urls.event_url(lang, slug),
            ics_url=urls.event_ics_url(lang, slug),
            title=pick(event.title, lang),
            summary=pick(event.summary, lang),
            real=event.translated_into(lang) or lang == SOURCE_LANG,
            date_text=date_text,
            time_text=time_text,
            place=", ".join(place),
            upcoming=event.is_upcoming(self.today),
            organiser=self.entry(event.organiser, lang) if event.organiser else None,
        )

    def upcoming_events(self, lang: str, limit: int | None = None) -> list[EventEntry]:
        """Return the events that have not ended, soonest first."""
        entries = self._cached(
            ("upcoming", lang),
            lambda: [
                self.event_entry(e.slug, lang)
                for e in upcoming(self.data.events.values(), self.today)
            ],
        )
        return entries if limit is None else entries[:limit]

    def past_events(self, lang: str) -> list[EventEntry]:
        """Return the events that have ended, most recent first."""
        return self._cached(
            ("past", lang),
            lambda: [
                self.event_entry(e.slug, lang) for e in past(self.data.events.values(), self.today)
            ],
        )

    def events_by(self, supporter_id: str, lang: str) -> list[EventEntry]:
        """Return the events a supporter organises: upcoming first, then past ones."""
        return [
            entry
            for entry in (*self.upcoming_events(lang), *self.past_events(lang))
            if entry.event.organiser == supporter_id
        ]

    # -- feeds -------------------------------------------------------------------------------

    def feeds(self, lang: str) -> list[FeedLink]:
        """Return the feeds of `lang`, with titles in `lang`."""

        def compute():
            links = []
            for kind in urls.FEED_KINDS:
                title = self.gettext(lang, FEED_TITLES[kind])
                for feed_format in urls.FEED_FORMATS:
                    links.append(
                        FeedLink(
                            kind, feed_format, urls.feed_url(lang, kind, feed_format),
                            f"{title} ({FORMAT_NAMES[feed_format]})", MEDIA_TYPES[feed_format],
                        )
                    )  # fmt: skip
            return links

        return self._cached(("feeds", lang), compute)


FEED_TITLES = {
    "news": N_("Covenant Supporters: news"),
    "events": N_("Covenant Supporters: events"),
    "supporters": N_("Covenant Supporters: newly joined"),
}
FEED_DESCRIPTIONS = {
    "news": N_("The latest news about Covenant Supporters."),
    "events": N_("Workshops, webinars and conferences for Covenant Supporters."),
    "supporters": N_("Networks and associations that have newly joined as Covenant Supporters."),
}
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom"}
#: The label of the overdue facet (the badge's text).
OVERDUE_LABEL = N_("Report overdue")
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


def when_text(event: Event, lang: str) -> tuple[str, str]:
    """Return the event's dates and its times (with the time zone) as text in `lang`.

    The times are "" for all-day events.
    """
    locale = format_locale(lang)
    zone = event.zone
    if event.all_day:
        if event.multi_day:
            return format_interval(event.start_day, event.end_day, "yMMMd", locale=locale), ""
        return day_text(event.start_day, lang, "full"), ""
    start = event.starts_at
    end = event.ends_at
    zone_name = get_timezone_name(start, width="long", locale=locale)
    if end is None:
        times = time_text(start, lang, zone)
    elif not event.multi_day:
        times = format_interval(start, end, "Hm", tzinfo=zone, locale=locale)
    else:
        return (
            format_interval(event.start_day, event.end_day, "yMMMd", locale=locale),
            "{} {} – {} {} ({})".format(
                day_text(start, lang, "short"),
                time_text(start, lang, zone),
                day_text(end, lang, "short"),
                time_text(end, lang, zone),
                zone_name,
            ),
        )
    return day_text(event.start_day, lang, "full"), f"{times} ({zone_name})"


def iso(value: date | datetime) -> str:
    """Return a date or date and time in ISO 8601, for `<time datetime>`."""
    return value.isoformat()
