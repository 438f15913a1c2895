"""RSS 2.0 and Atom feeds per language (feedgen): news, events and newly joined supporters.

A feed of language X lists every item: in X where the item has text in X, else in English,
marked as English where the format allows (Atom: ``xml:lang`` on the entry, and on its summary
when that alone is English; RSS 2.0 has no language per item, so such an item carries
``dc:language``, Dublin Core's element, which feed readers know). An item links to its page in
X. The feed has its channel title, description and <language> in X, an id of its own, and
absolute links; none is empty while there are records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from html import escape

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from . import urls
from .directory_pages import FEED_DESCRIPTIONS, FEED_TITLES, Directory
from .record_fields import SOURCE_LANG
from .supporters import TYPE_LABELS

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class _EntryLanguage(BaseEntryExtension):
    """feedgen entry extension: ``xml:lang`` on an Atom entry (and its summary) written in
    another language than its feed."""

    def __init__(self) -> None:
        self.lang: str | None = None
        self.summary_lang: str | None = None

    def extend_atom(self, entry):
        """Mark the entry's language, and its summary's where that differs."""
        if self.lang:
            entry.set(XML_LANG, self.lang)
        summary = entry.find("summary")
        if self.summary_lang and self.summary_lang != self.lang and summary is not None:
            summary.set(XML_LANG, self.summary_lang)
        return entry

    def extend_rss(self, item):
        """RSS items are marked with dc:language instead."""
        return item


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
            entries.append(
                {
                    "title": entry.title.text,
                    "link": f"{base_url}/{entry.url}",
                    "summary": entry.summary.text,
                    "published": _midnight(entry.item.date),
                    "lang": entry.title.lang,
                    "summary_lang": entry.summary.lang,
                }
            )
    elif kind == "events":
        items = [directory.event_entry(e.slug, lang) for e in directory.data.events.values()]
        items = [e for e in items if e.event.published <= directory.today]
        items.sort(key=lambda e: (-e.event.published.toordinal(), e.event.starts_at, e.event.slug))
        for entry in items:
            # an event not in `lang` is described in English: its dates and place too
            shown = (
                entry
                if entry.title.lang == lang
                else directory.event_entry(entry.event.slug, SOURCE_LANG)
            )
            when = ", ".join(part for part in (shown.date_text, shown.time_text) if part)
            lines = [when, shown.place]
            if entry.summary is not None:
                lines.append(entry.summary.text)
            entries.append(
                {
                    "title": entry.title.text,
                    "link": f"{base_url}/{entry.url}",
                    "summary": "\n".join(line for line in lines if line),
                    "published": _midnight(entry.event.published),
                    "lang": entry.title.lang,
                    "summary_lang": entry.summary.lang if entry.summary else entry.title.lang,
                }
            )
    else:
        for entry in directory.newly_joined(lang, limit=len(directory.data.supporters)):
            # a description not in `lang` is shown in English with English labels
            text_lang = entry.description.lang
            shown = entry if text_lang == lang else directory.entry(entry.id, text_lang)
            kind_label = directory.gettext(text_lang, TYPE_LABELS[entry.supporter.type])
            entries.append(
                {
                    "title": entry.supporter.name,
                    "link": f"{base_url}/{entry.url}",
                    "summary": f"{kind_label}, {shown.country_name}. {entry.description.text}",
                    "published": _midnight(entry.supporter.joined),
                    "lang": text_lang,
                    "summary_lang": text_lang,
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
    foreign = any(item["lang"] != lang for item in entries)
    if foreign and feed_format == "rss":
        feed.load_extension("dc", atom=False, rss=True)
    if feed_format == "atom":
        feed.register_extension("entry_language", BaseExtension, _EntryLanguage, rss=False)
    for item in entries:
        entry = feed.add_entry(order="append")
        entry.id(item["link"])
        entry.guid(item["link"], permalink=True)
        entry.title(item["title"])
        entry.link(href=item["link"])
        if feed_format == "rss":
            # an RSS <description> is HTML: escape the text so that readers show it as text
            entry.description(escape(item["summary"], quote=False))
            if item["lang"] != lang:
                entry.dc.dc_language(item["lang"])
        else:
            entry.summary(item["summary"])  # an Atom summary without a type is plain text
            if item["lang"] != lang:
                entry.entry_language.lang = item["lang"]
            if item["summary_lang"] != item["lang"]:
                entry.entry_language.summary_lang = item["summary_lang"]
        entry.published(item["published"])
        entry.updated(item["published"])
    if feed_format == "rss":
        return feed.rss_str(pretty=True)
    return feed.atom_str(pretty=True)
