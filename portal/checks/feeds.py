"""Every feed parses and has the elements RSS 2.0 / Atom require; every .ics calendar parses.

Feeds are found by content, not by name: any ``.xml``, ``.rss`` or ``.atom`` file whose root is
``<rss>`` or Atom's ``<feed>``. HTML carried in feeds (RSS descriptions, Atom html/xhtml text)
must be as inert as the site's own pages: no script, style, event handler or script URL.
"""

from __future__ import annotations

import email.utils
import re
from collections import Counter
from datetime import datetime

import feedparser
import icalendar
import lxml.etree
from content_policy.content_policy import html_findings

from .report import Problem, line_of
from .site import BuiltSite

NAME = "feeds"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
FIX = "fix the feed generator"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def atom(tag: str) -> str:
    """Return the qualified name of an Atom element."""
    return f"{{{ATOM}}}{tag}"


class FeedChecker:
    """Check feeds and calendars file by file; collect problems."""

    def __init__(self, site: BuiltSite) -> None:
        self.site = site
        self.problems: list[Problem] = []
        self.feed_ids: dict[str, str] = {}
        self.feeds = 0
        self.calendars = 0

    def add(self, name: str, line: int | None, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(name, line, message, NAME))

    def folder_language(self, name: str) -> str | None:
        """Return the language folder a file is in, if any ("fi/news.rss.xml" -> "fi")."""
        first = name.split("/", 1)[0] if "/" in name else None
        return first if first and len(first) in (2, 3) and first.isalpha() else None

    def check_language(self, name: str, line: int | None, lang: str | None) -> None:
        """Check a feed's declared language against the folder it is in."""
        if not lang:
            self.add(name, line, f"the feed does not say its language ({FIX})")
            return
        if not LANGUAGE_TAG.match(lang):
            self.add(name, line, f"feed language {lang!r} is not a language tag ({FIX})")
            return
        folder = self.folder_language(name)
        if folder and lang.split("-")[0].lower() != folder:
            self.add(name, line, f"feed language {lang!r} in the {folder}/ folder ({FIX})")

    def check_html(self, name: str, element, what: str) -> None:
        """Check HTML carried by a feed element: it must be inert."""
        html = element.text or ""
        if not html.strip():
            return
        for finding in html_findings(html):
            self.add(name, element.sourceline, f"{what} carries unsafe HTML: {finding.message}")

    def check_rss(self, name: str, root) -> None:
        """Check an RSS 2.0 feed."""
        if root.get("version") != "2.0":
            self.add(name, root.sourceline, f'<rss> must have version="2.0" ({FIX})')
        channels = root.findall("channel")
        if len(channels) != 1:
            self.add(name, root.sourceline, f"<rss> must hold exactly one <channel> ({FIX})")
            return
        channel = channels[0]
        for required in ("title", "link", "description"):
            found = channel.find(required)
            if found is None or not (found.text or "").strip():
                self.add(name, channel.sourceline, f"<channel> has no <{required}> ({FIX})")
        link = channel.find("link")
        if link is not None and link.text and not re.match(r"^https?://", link.text.strip()):
            self.add(name, link.sourceline, f"<channel><link> must be an absolute URL ({FIX})")
        language = channel.find("language")
        self.check_language(
            name,
            channel.sourceline,
            language.text.strip() if language is not None and language.text else None,
        )
        for element in channel.iter("pubDate", "lastBuildDate"):
            self.check_rfc822(name, element)
        guids = []
        for item in channel.findall("item"):
            title, description = item.find("title"), item.find("description")
            if title is None and description is None:
                self.add(name, item.sourceline, f"<item> has neither title nor description ({FIX})")
            item_link = item.find("link")
            if item_link is not None and not re.match(r"^https?://", (item_link.text or "")):
                self.add(
                    name, item_link.sourceline, f"<item><link> must be an absolute URL ({FIX})"
                )
            guid = item.find("guid")
            if guid is not None:
                guids.append((guid.text or "").strip())
                permalink = guid.get("isPermaLink", "true") != "false"
                if permalink and not re.match(r"^https?://", (guid.text or "").strip()):
                    self.add(
                        name,
                        guid.sourceline,
                        f'<guid> is not a URL; add isPermaLink="false" or use the URL ({FIX})',
                    )
            if description is not None:
                self.check_html(name, description, "<description>")
            for encoded in item.iter(f"{{{CONTENT}}}encoded"):
                self.check_html(name, encoded, "<content:encoded>")
        for guid, count in Counter(guids).items():
            if count > 1:
                self.add(name, None, f"<guid> {guid!r} is used by {count} items ({FIX})")

    def check_rfc822(self, name: str, element) -> None:
        """Check an RSS date."""
        text = (element.text or "").strip()
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is None:
            self.add(name, element.sourceline, f"<{element.tag}> {text!r} is not an RFC 822 date")

    def check_atom_text(self, name: str, element) -> None:
        """Check an Atom text construct (title, summary, content) that may carry HTML."""
        kind = element.get("type", "text")
        tag = lxml.etree.QName(element).localname
        if kind == "html":
            self.check_html(name, element, f"<{tag}>")
        elif kind == "xhtml":
            markup = "".join(lxml.etree.tostring(child, encoding="unicode") for child in element)
            for finding in html_findings(markup):
                self.add(
                    name, element.sourceline, f"<{tag}> carries unsafe HTML: {finding.message}"
                )

    def check_atom(self, name: str, root) -> None:
        """Check an Atom feed (RFC 4287)."""
        entries = root.findall(atom("entry"))
        for required in ("id", "title", "updated"):
            count = len(root.findall(atom(required)))
            if count != 1:
                self.add(
                    name, root.sourceline, f"<feed> must have exactly one <{required}> ({FIX})"
                )
        feed_id = root.findtext(atom("id"), "").strip()
        if feed_id:
            other = self.feed_ids.setdefault(feed_id, name)
            if other != name:
                self.add(name, root.sourceline, f"feed id {feed_id!r} is also {other}'s ({FIX})")
        if not root.findall(atom("author")) and not all(
            entry.findall(atom("author")) for entry in entries
        ):
            self.add(name, root.sourceline, f"<feed> has no <author>, nor has every entry ({FIX})")
        if not any(link.get("rel") == "self" for link in root.findall(atom("link"))):
            self.add(name, root.sourceline, f'<feed> has no <link rel="self"> ({FIX})')
        self.check_language(
            name, root.sourceline, root.get("{http://www.w3.org/XML/1998/namespace}lang")
        )
        for element in root.iter(atom("updated"), atom("published")):
            if not RFC3339.match((element.text or "").strip()):
                self.add(name, element.sourceline, f"{element.text!r} is not an RFC 3339 date")
        ids = []
        for entry in entries:
            for required in ("id", "title", "updated"):
                if len(entry.findall(atom(required))) != 1:
                    self.add(
                        name,
                        entry.sourceline,
                        f"<entry> must have exactly one <{required}> ({FIX})",
                    )
            ids.append(entry.findtext(atom("id"), "").strip())
            alternate = [
                link
                for link in entry.findall(atom("link"))
                if link.get("rel", "alternate") == "alternate"
            ]
            if entry.find(atom("content")) is None and not alternate:
                self.add(name, entry.sourceline, f"<entry> has neither content nor a link ({FIX})")
            for text in entry.iter(atom("title"), atom("summary"), atom("content")):
                self.check_atom_text(name, text)
        for entry_id, count in Counter(ids).items():
            if count > 1:
                self.add(name, None, f"entry id {entry_id!r} is used by {count} entries ({FIX})")

    def check_feed_file(self, name: str) -> None:
        """Check one XML file if it is a feed."""
        path = self.site.root / name
        try:
            root = lxml.etree.parse(str(path)).getroot()
        except lxml.etree.XMLSyntaxError as error:
            self.add(name, error.lineno, f"not well-formed XML: {error.msg} ({FIX})")
            return
        if root.tag == "rss":
            self.feeds += 1
            self.check_rss(name, root)
        elif root.tag == atom("feed"):
            self.feeds += 1
            self.check_atom(name, root)
        else:
            return
        parsed = feedparser.parse(path.read_bytes())
        if parsed.bozo and not isinstance(
            parsed.bozo_exception, feedparser.CharacterEncodingOverride
        ):
            self.add(name, None, f"feed readers cannot parse it: {parsed.bozo_exception} ({FIX})")

    def check_calendar(self, name: str) -> None:
        """Check one iCalendar file (RFC 5545)."""
        self.calendars += 1
        data = (self.site.root / name).read_bytes()
        text = data.decode("utf-8", errors="replace")
        bare = re.search(rb"(?<!\r)\n", data)
        if bare:
            line = data.count(b"\n", 0, bare.start()) + 1
            self.add(name, line, f"line ends with LF only; iCalendar requires CRLF ({FIX})")
        try:
            calendars = icalendar.Calendar.from_ical(data, multiple=True)
        except ValueError as error:
            self.add(name, None, f"not a valid iCalendar file: {error} ({FIX})")
            return
        if len(calendars) != 1:
            self.add(name, None, f"holds {len(calendars)} calendars instead of one ({FIX})")
            return
        calendar = calendars[0]
        if str(calendar.get("VERSION", "")) != "2.0":
            self.add(name, 1, f"VCALENDAR has no VERSION:2.0 ({FIX})")
        if not calendar.get("PRODID"):
            self.add(name, 1, f"VCALENDAR has no PRODID ({FIX})")
        uids = []
        for component in calendar.walk():
            for property_name, error in getattr(component, "errors", []):
                self.add(
                    name,
                    line_of(text, f"\n{property_name}"),
                    f"{component.name} property {property_name}: {error} ({FIX})",
                )
            if component.name != "VEVENT":
                continue
            uid = str(component.get("UID", ""))
            line = line_of(text, f"UID:{uid}") if uid else None
            uids.append(uid)
            for required in ("UID", "DTSTAMP", "DTSTART"):
                if component.get(required) is None:
                    self.add(name, line, f"VEVENT has no {required} ({FIX})")
            if component.get("DTEND") is not None and component.get("DURATION") is not None:
                self.add(name, line, f"VEVENT has both DTEND and DURATION ({FIX})")
            start, end = component.get("DTSTART"), component.get("DTEND")
            if start is not None and end is not None and not self.in_order(start.dt, end.dt):
                self.add(name, line, f"VEVENT ends before it starts ({FIX})")
        for uid, count in Counter(uids).items():
            if uid and count > 1:
                self.add(name, line_of(text, f"UID:{uid}"), f"UID {uid!r} is used {count} times")

    @staticmethod
    def in_order(start, end) -> bool:
        """Tell whether an event's end is not before its start (dates or datetimes)."""
        try:
            if isinstance(start, datetime) != isinstance(end, datetime):
                return True  # mixed kinds are reported by the parser's own errors
            return end >= start
        except TypeError:
            return True


def check(site: BuiltSite) -> tuple[list[Problem], str]:
    """Check every feed and calendar of the site."""
    checker = FeedChecker(site)
    for name in site.with_suffix(".xml", ".rss", ".atom"):
        checker.check_feed_file(name)
    for name in site.with_suffix(".ics"):
        checker.check_calendar(name)
    return checker.problems, f"{checker.feeds} feeds and {checker.calendars} calendars"
