"""All the data of content/data/: supporters, news, events and the navigation, loaded and checked.

The checks that depend on more than one file (references between records) or on the build date
(a supporter cannot have joined after it) run here, on every build, after the records are
loaded: the fast build keeps records between builds by the bytes of their files, and a check
made while reading a record would not be made again for a record taken from that cache.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, date, datetime
from pathlib import Path

from portal_core.errors import PortalError, PortalErrors
from portal_core.language_check import Verdicts
from portal_core.languages import EU_LANGUAGES, endonym, language_name

from .data_loading import Mapper, Source, in_process, load_folder
from .events import Event
from .navigation import Navigation, load_navigation
from .news import NewsItem
from .supporters import Supporter, add_years

#: The kinds of record: folder below content/data/, model, and the field the file name gives.
KINDS = (("supporters", Supporter, "id"), ("news", NewsItem, "slug"), ("events", Event, "slug"))
#: News items and events are planned at most this many years after the build date.
YEARS_AHEAD = 3


@dataclass
class SiteData:
    """Every record of content/data/, by id, with the file each came from."""

    supporters: dict[str, Supporter] = field(default_factory=dict)
    news: dict[str, NewsItem] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    navigation: Navigation = field(default_factory=Navigation)
    navigation_source: Source | None = None


def load_site_data(
    data_dir: Path,
    cache=None,
    mapper: Mapper = in_process,
    today: date | None = None,
    verdicts: Verdicts | None = None,
) -> SiteData:
    """Load supporters/, news/, events/ and navigation.yaml under `data_dir`.

    A missing folder has no records; a missing navigation.yaml is an empty menu and footer.

    Raises PortalErrors listing every problem in every file, including references to unknown
    supporters and dates the build date `today` (by default the date of build_moment) rules
    out. `cache`, `mapper`: see data_loading.load_folder. `verdicts`: the language check's,
    kept between the dev server's builds (see check_languages).
    """
    data = SiteData()
    problems: list[PortalError] = []
    for folder, model, id_field in KINDS:
        target = getattr(data, folder)
        records, found = load_folder(Path(data_dir) / folder, model, id_field, cache, mapper)
        problems.extend(found)
        for record, source in records:
            key = getattr(record, id_field)
            target[key] = record
            data.sources[(folder, key)] = source
    data.navigation, data.navigation_source, found = load_navigation(Path(data_dir))
    problems.extend(found)
    problems.extend(_check_references(data))
    problems.extend(check_languages(data, verdicts))
    problems.extend(check_dates(data, build_moment().date() if today is None else today))
    if problems:
        raise PortalErrors(problems)
    return data


def _texts_by_language(value, location: tuple = ()):
    """Yield (location, language, text) of every text given per language in a record's data.

    A mapping whose keys are all language codes holds one text per language: a string, or a
    mapping with the string under ``text``.
    """
    if isinstance(value, Mapping):
        if value and all(key in EU_LANGUAGES for key in value):
            for lang, text in value.items():
                if isinstance(text, Mapping):
                    text = text.get("text")
                if isinstance(text, str):
                    yield (*location, lang), lang, text
            return
        for key, item in value.items():
            yield from _texts_by_language(item, (*location, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts_by_language(item, (*location, index))


def check_languages(data: SiteData, verdicts: Verdicts | None = None) -> list[PortalError]:
    """Refuse a text given under one language and plainly written in another.

    `verdicts`: those of the previous build (the dev server's), so that only texts that changed
    are judged again.
    """
    verdicts = (verdicts or Verdicts(EU_LANGUAGES)).new_build()
    problems = []
    for (folder, key), source in data.sources.items():
        record = getattr(data, folder)[key]
        for location, lang, text in _texts_by_language(record.model_dump()):
            found = verdicts.other_language(text, lang)
            if found is not None:
                problems.append(
                    source.error(
                        location,
                        f"this text is given as {language_name(lang, 'en')} ({lang}) but is "
                        f"written in {language_name(found.lang, 'en')} ({found.lang}, "
                        f"{endonym(found.lang)}); put it under {found.lang}: or write the "
                        f"{language_name(lang, 'en')} text",
                    )
                )
    return problems


def _check_references(data: SiteData) -> list[PortalError]:
    """Return a problem for each news item or event naming a supporter that does not exist."""
    problems = []
    for slug, item in data.news.items():
        for index, supporter in enumerate(item.supporters):
            if supporter not in data.supporters:
                problems.append(
                    data.sources[("news", slug)].error(
                        ("supporters", index),
                        f"no supporter {supporter!r} (no content/data/supporters/{supporter}.yaml)",
                    )
                )
    for slug, event in data.events.items():
        if event.organiser is not None and event.organiser not in data.supporters:
            problems.append(
                data.sources[("events", slug)].error(
                    ("organiser",),
                    f"no supporter {event.organiser!r} (no content/data/supporters/"
                    f"{event.organiser}.yaml)",
                )
            )
    return problems


def check_dates(data: SiteData, today: date) -> list[PortalError]:
    """Return a problem for each date the build date `today` rules out.

    A supporter's joining and report dates are facts: they cannot be after the build date.
    News items and events (start, end, publication) are planned at most YEARS_AHEAD years
    after it; a later date is a typing mistake.
    """
    problems = []
    build_date = f"the build date ({today.isoformat()})"

    def after_today(kind: str, key: str, name: str, day: date, what: str) -> None:
        if day > today:
            problems.append(
                data.sources[(kind, key)].error(
                    (name,),
                    f"{day.isoformat()} is after {build_date}; {what}",
                )
            )

    for key, supporter in data.supporters.items():
        after_today(
            "supporters",
            key,
            "joined",
            supporter.joined,
            "a supporter is added once it has joined: correct the date, or add the file then",
        )
        if supporter.last_report is not None:
            after_today(
                "supporters",
                key,
                "last_report",
                supporter.last_report,
                "give the date of a report already received",
            )
    latest = add_years(today, YEARS_AHEAD) if today.year + YEARS_AHEAD <= MAXYEAR else date.max
    ahead = f"more than {YEARS_AHEAD} years after {build_date}; check the year"

    def too_far(kind: str, key: str, name: str, day: date) -> None:
        if day > latest:
            problems.append(
                data.sources[(kind, key)].error((name,), f"{day.isoformat()} is {ahead}")
            )

    for key, item in data.news.items():
        too_far("news", key, "date", item.date)
    for key, event in data.events.items():
        too_far("events", key, "start", event.start_day)
        if event.end is not None:
            too_far("events", key, "end", event.end_day)
        too_far("events", key, "published", event.published)
    return problems


def build_moment(environ: Mapping[str, str] = os.environ) -> datetime:
    """Return the build's "now" in UTC: SOURCE_DATE_EPOCH when set, else the clock.

    Raises PortalError when SOURCE_DATE_EPOCH is not a whole number of seconds.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise PortalError(
            "SOURCE_DATE_EPOCH",
            f"{epoch!r} is not a number of seconds since 1970-01-01; unset it or fix it",
        ) from None
