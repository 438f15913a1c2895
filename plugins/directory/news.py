"""News items: one per file in content/data/news/, newest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import Field, HttpUrl, field_validator

from .record_fields import (
    Day,
    LocalizedLine,
    LocalizedSummary,
    LocalizedText,
    Slug,
    TranslatedRecord,
    once_each,
)


class NewsItem(TranslatedRecord):
    """One news item, from content/data/news/<slug>.yaml."""

    TRANSLATED = ("title", "summary", "body")

    slug: Slug
    date: Day
    title: LocalizedLine
    summary: LocalizedSummary
    body: LocalizedText | None = None
    supporters: list[Slug] = Field(default_factory=list)
    link: HttpUrl | None = None

    @field_validator("supporters")
    @classmethod
    def _each_supporter_once(cls, value: list[str]) -> list[str]:
        return once_each(value)


def newest_first(items: Iterable[NewsItem]) -> list[NewsItem]:
    """Return news items by date, newest first (ties by slug, for stable output)."""
    return sorted(items, key=lambda item: (-item.date.toordinal(), item.slug))


def published_by(items: Iterable[NewsItem], today: date) -> list[NewsItem]:
    """Return the items dated today or earlier (an item dated later is not out yet)."""
    return [item for item in items if item.date <= today]
