"""All the data of content/data/: supporters, news and events, loaded and checked together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from multilingual.errors import PortalError, PortalErrors

from .data_loading import Source, load_folder
from .events import Event
from .news import NewsItem
from .supporters import Supporter


@dataclass
class SiteData:
    """Every record of content/data/, by id, with the file each came from."""

    supporters: dict[str, Supporter] = field(default_factory=dict)
    news: dict[str, NewsItem] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)


def load_site_data(data_dir: Path, cache=None, workers: int = 1) -> SiteData:
    """Load supporters/, news/ and events/ under `data_dir`; a missing folder has no records.

    Raises PortalErrors listing every problem in every file, including references to unknown
    supporters. `cache`, `workers`: see data_loading.load_folder.
    """
    data = SiteData()
    problems: list[PortalError] = []
    for folder, model, id_field, target in (
        ("supporters", Supporter, "id", data.supporters),
        ("news", NewsItem, "slug", data.news),
        ("events", Event, "slug", data.events),
    ):
        records, found = load_folder(Path(data_dir) / folder, model, id_field, cache, workers)
        problems.extend(found)
        for record, source in records:
            key = getattr(record, id_field)
            target[key] = record
            data.sources[(folder, key)] = source
    problems.extend(_check_references(data))
    if problems:
        raise PortalErrors(problems)
    return data


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
