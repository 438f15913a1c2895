"""schema.org descriptions of the directory's records, for search engines (JSON-LD).

A supporter's profile is an Organization, an event page an Event, a news item a NewsArticle,
each with the properties search engines ask for: Google's structured-data documentation
requires an Event's name, startDate and location (a Place with its address, or a
VirtualLocation with its address on the web), and recommends endDate, eventStatus,
eventAttendanceMode, organizer, description and image; for an article it recommends headline,
datePublished, dateModified, author and image. Texts are those the page shows, in the
language it shows them in; addresses are absolute.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal_core import social_card
from portal_core.here import Here
from portal_core.structured_data import SCHEMA_ORG

from .directory_pages import EventEntry, NewsEntry, SupporterEntry
from .events import Event


def office(settings: Mapping) -> dict:
    """Return the Covenant of Mayors Office, which publishes the portal, as an Organization."""
    return {
        "@type": "Organization",
        "name": settings["AUTHOR"],
        "url": settings["FACTS"]["office_url"],
    }


def postal_address(city: str | None, country: str | None) -> dict:
    """Return a PostalAddress of a city and country (ISO 3166 code), leaving out what is unknown."""
    address = {"@type": "PostalAddress"}
    if city:
        address["addressLocality"] = city
    if country:
        address["addressCountry"] = country
    return address


def organization(entry: SupporterEntry, public: str) -> dict:
    """Return a supporter as an Organization."""
    supporter = entry.supporter
    return {
        "@type": "Organization",
        "@id": f"{public}/{entry.url}#organization",
        "name": supporter.name,
        "url": str(supporter.website),
        "address": postal_address(supporter.city, supporter.country),
    }


def supporter_data(entry: SupporterEntry, here: Here, public: str) -> dict:
    """Return the structured data of a supporter's profile."""
    data = {"@context": SCHEMA_ORG, **organization(entry, public)}
    data["description"] = entry.description.text
    data["mainEntityOfPage"] = f"{public}/{here.url}"
    data["knowsLanguage"] = list(entry.supporter.working_languages)
    return data


def attendance_mode(event: Event) -> str:
    """Return how people attend: online, in person, or both."""
    if event.online and (event.venue or event.city):
        return f"{SCHEMA_ORG}/MixedEventAttendanceMode"
    if event.online:
        return f"{SCHEMA_ORG}/OnlineEventAttendanceMode"
    return f"{SCHEMA_ORG}/OfflineEventAttendanceMode"


def event_locations(event: Event, page_url: str) -> list[dict]:
    """Return where the event happens: its place, and its address on the web if online."""
    locations = []
    if event.venue or event.city:
        locations.append(
            {
                "@type": "Place",
                "name": event.venue or event.city,
                "address": postal_address(event.city, event.country),
            }
        )
    if event.online:
        locations.append({"@type": "VirtualLocation", "url": str(event.link or page_url)})
    return locations


def event_data(entry: EventEntry, here: Here, public: str, settings: Mapping) -> dict:
    """Return the structured data of an event page."""
    event = entry.event
    page_url = f"{public}/{here.url}"
    if event.all_day:
        start, end = event.start_day.isoformat(), event.end_day.isoformat()
    else:
        start = event.starts_at.isoformat()
        end = event.ends_at.isoformat() if event.ends_at else None
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        "name": entry.title.text,
        "url": page_url,
        "startDate": start,
        "eventStatus": f"{SCHEMA_ORG}/EventScheduled",
        "eventAttendanceMode": attendance_mode(event),
        "location": event_locations(event, page_url),
        "organizer": organization(entry.organiser, public) if entry.organiser else office(settings),
        "image": [social_card.url(public)],
        "inLanguage": entry.title.lang,
    }
    if end:
        data["endDate"] = end
    if entry.summary:
        data["description"] = entry.summary.text
    return data


def news_data(entry: NewsEntry, here: Here, public: str, settings: Mapping) -> dict:
    """Return the structured data of a news item."""
    item = entry.item
    return {
        "@context": SCHEMA_ORG,
        "@type": "NewsArticle",
        "headline": entry.title.text,
        "description": entry.summary.text,
        "datePublished": item.date.isoformat(),
        "dateModified": item.date.isoformat(),
        "author": [office(settings)],
        "publisher": office(settings),
        "image": [social_card.url(public)],
        "inLanguage": entry.title.lang,
        "mainEntityOfPage": f"{public}/{here.url}",
    }


def structured_data(entry, here: Here, public: str, settings: Mapping) -> dict | None:
    """Return the structured data of a record's page (None for anything else)."""
    if isinstance(entry, SupporterEntry):
        return supporter_data(entry, here, public)
    if isinstance(entry, EventEntry):
        return event_data(entry, here, public, settings)
    if isinstance(entry, NewsEntry):
        return news_data(entry, here, public, settings)
    return None
