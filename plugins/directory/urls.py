"""Where each generated page and file lives, relative to SITEURL (no leading slash)."""

from __future__ import annotations

DIRECTORY_PATH = "supporters/directory"
NEWS_PATH = "news"
CALENDAR_PATH = "calendar"
FEED_KINDS = ("news", "events", "supporters")
FEED_FORMATS = ("rss", "atom")


def directory_url(lang: str) -> str:
    """Return the URL of the directory page."""
    return f"{lang}/{DIRECTORY_PATH}/"


def profile_url(lang: str, supporter_id: str) -> str:
    """Return the URL of a supporter's profile page."""
    return f"{lang}/{DIRECTORY_PATH}/{supporter_id}/"


def country_url(lang: str, country: str) -> str:
    """Return the URL of the page listing the supporters of one country."""
    return f"{lang}/{DIRECTORY_PATH}/country/{country.lower()}/"


def type_url(lang: str, supporter_type: str) -> str:
    """Return the URL of the page listing the supporters of one type."""
    return f"{lang}/{DIRECTORY_PATH}/type/{supporter_type}/"


def status_url(lang: str, status: str) -> str:
    """Return the URL of the page listing the active or the suspended supporters."""
    return f"{lang}/{DIRECTORY_PATH}/status/{status}/"


def report_url(lang: str, report: str) -> str:
    """Return the URL of the page listing the supporters whose activity report is overdue."""
    return f"{lang}/{DIRECTORY_PATH}/report/{report}/"


def listing_page_url(first_url: str, number: int) -> str:
    """Return the URL of page `number` (from 2) of a list whose first page is `first_url`."""
    return f"{first_url}page/{number}/"


def map_url(lang: str) -> str:
    """Return the URL of the directory's map of Europe (SVG)."""
    return f"{lang}/{DIRECTORY_PATH}/map.svg"


def index_url(lang: str) -> str:
    """Return the URL of the directory's JSON index for the instant filter."""
    return f"{lang}/{DIRECTORY_PATH}/index.json"


def news_item_url(lang: str, slug: str) -> str:
    """Return the URL of a news item's page."""
    return f"{lang}/{NEWS_PATH}/{slug}/"


def event_url(lang: str, slug: str) -> str:
    """Return the URL of an event's page."""
    return f"{lang}/{CALENDAR_PATH}/{slug}/"


def event_ics_url(lang: str, slug: str) -> str:
    """Return the URL of one event as an iCalendar file."""
    return f"{lang}/{CALENDAR_PATH}/{slug}.ics"


def calendar_ics_url(lang: str) -> str:
    """Return the URL of every event as one iCalendar file."""
    return f"{lang}/{CALENDAR_PATH}/events.ics"


def feed_url(lang: str, kind: str, feed_format: str) -> str:
    """Return the URL of a feed: kind is news, events or supporters; format rss or atom."""
    return f"{lang}/feeds/{kind}.{feed_format}.xml"
