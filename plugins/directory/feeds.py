"""RSS 2.0 and Atom feeds per language (feedgen): news, events and newly joined supporters.

A feed of language X lists only items written in X (no English fallback items), has its
channel title, description and <language> in X, an id of its own, and absolute links.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from html import escape

from feedgen.feed import FeedGenerator

from . import urls
from .directory_pages import FEED_DESCRIPTIONS, FEED_TITLES, Directory
from .supporters import TYPE_LABELS


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _channel(
    directory: Directory, lang: str, kind: str, feed_format: str, base_url: str, page_url: str
) -> FeedGenerator:
    feed = FeedGenerator()
    feed_link = f"{base_url}/{urls.feed_url(lang, kind, feed_format)}"
    feed.id(feed_link)
    title = directory.gettext(lang, FEED_TITLES[kind])
    feed.title(title)
    feed.subtitle(directory.gettext(lang, FEED_DESCRIPTIONS[kind]))
    feed.language(lang)
    # feedgen uses the last link as the RSS <link>: the page, not the feed itself.
    feed.link(href=feed_link, rel="self")
    feed.link(href=f"{base_url}/{page_url}", rel="alternate")
    feed.generator("Covenant Portal (feedgen)")
    return feed


def _entries(directory: Directory, lang: str, kind: str, base_url: str, limit: int) -> list[dict]:
    """Return the items of one feed as plain dicts (title, link, summary, published)."""
    entries = []
    if kind == "news":
        for entry in directory.news(lang):
            if entry.real:
                entries.append(
                    {
                        "title": entry.title.text,
                        "link": f"{base_url}/{entry.url}",
                        "summary": entry.summary.text,
                        "published": _midnight(entry.item.date),
                    }
                )
    elif kind == "events":
        items = [directory.event_entry(e.slug, lang) for e in directory.data.events.values()]
        items = [e for e in items if e.real and e.event.published <= directory.today]
        items.sort(key=lambda e: (-e.event.published.toordinal(), e.event.starts_at, e.event.slug))
        for entry in items:
            when = ", ".join(part for part in (entry.date_text, entry.time_text) if part)
            lines = [when, entry.place]
            if entry.summary is not None:
                lines.append(entry.summary.text)
            entries.append(
                {
                    "title": entry.title.text,
                    "link": f"{base_url}/{entry.url}",
                    "summary": "\n".join(line for line in lines if line),
                    "published": _midnight(entry.event.published),
                }
            )
    else:
        for entry in directory.newly_joined(lang, limit=len(directory.data.supporters)):
            if entry.description.lang != lang:
                continue
            kind_label = directory.gettext(lang, TYPE_LABELS[entry.supporter.type])
            entries.append(
                {
                    "title": entry.supporter.name,
                    "link": f"{base_url}/{entry.url}",
                    "summary": f"{kind_label}, {entry.country_name}. {entry.description.text}",
                    "published": _midnight(entry.supporter.joined),
                }
            )
    return entries[:limit]


def build_feed(
    directory: Directory,
    lang: str,
    kind: str,
    feed_format: str,
    base_url: str,
    built_at: datetime,
    limit: int,
    author: str | None = None,
) -> bytes:
    """Return one feed as XML: `kind` is news, events or supporters; `feed_format` rss or atom.

    The feed's update time is its newest item's date (else `built_at`), so the same input
    gives the same bytes. `author` (the site's AUTHOR) is the Atom feed's required <author>.
    """
    page = {
        "news": f"{lang}/{urls.NEWS_PATH}/",
        "events": f"{lang}/{urls.CALENDAR_PATH}/",
        "supporters": urls.directory_url(lang),
    }[kind]
    feed = _channel(directory, lang, kind, feed_format, base_url, page)
    if author:
        feed.author(name=author)
    entries = _entries(directory, lang, kind, base_url, limit)
    updated = max((e["published"] for e in entries), default=built_at)
    feed.updated(updated)
    feed.lastBuildDate(updated)
    for item in entries:
        entry = feed.add_entry(order="append")
        entry.id(item["link"])
        entry.guid(item["link"], permalink=True)
        entry.title(item["title"])
        entry.link(href=item["link"])
        if feed_format == "rss":
            # an RSS <description> is HTML: escape the text so that readers show it as text
            entry.description(escape(item["summary"], quote=False))
        else:
            entry.summary(item["summary"])  # an Atom summary without a type is plain text
        entry.published(item["published"])
        entry.updated(item["published"])
    if feed_format == "rss":
        return feed.rss_str(pretty=True)
    return feed.atom_str(pretty=True)
