"""Every internal link and #fragment resolves; external links and e-mail addresses are well formed.

No network is used: external links are checked for syntax only. Links are read from every HTML
page (href, src, srcset, poster, action, cite, data), from stylesheets (url(), @import), from XML
files (feeds, sitemaps: <link>, <loc>, href=) and from robots.txt (Sitemap:).
"""

from __future__ import annotations

import ipaddress
import re
from functools import cached_property
from urllib.parse import unquote, urlsplit

import lxml.etree
from email_validator import EmailNotValidError, validate_email

from .report import Problem
from .site import BuiltSite
from .sources import Source, markdown_part

NAME = "links"
URL_ATTRIBUTES = ("href", "src", "poster", "action", "cite", "xlink:href")
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
UNSAFE_CHARACTERS = re.compile(r"[\s<>\"{}|\\^`]")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TELEPHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]*$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
#: Fragments every HTML document has (the top of the page).
IMPLICIT_FRAGMENTS = {"", "top"}


def source_hint(element, source: Source | None = None) -> str:
    """Tell where a link in a page comes from: the page's Markdown text, a record or templates."""
    if source is not None and source.kind == "record":
        return "fix the link in the record"
    if source is not None or markdown_part(element) is not None:
        return "fix the link in the page's Markdown text"
    return "fix the link in the templates (theme/templates/)"


class Origin:
    """Where a link was found; its source and what to fix are worked out only for a problem."""

    def __init__(
        self,
        hint: str = "",
        site: BuiltSite | None = None,
        name: str = "",
        element=None,
        attribute: str | None = None,
        reference: str = "",
    ) -> None:
        self.fixed_hint = hint
        self.site = site
        self.name = name
        self.element = element
        self.attribute = attribute
        self.reference = reference

    @cached_property
    def source(self) -> Source | None:
        """Return the Markdown file or record the link came from, if known."""
        if self.site is None or self.element is None:
            return None
        needle = self.reference.strip() or "]()"  # an empty Markdown link
        return self.site.source_of(self.name, self.element, needle, self.attribute)

    @cached_property
    def hint(self) -> str:
        """Return what to fix: the page's Markdown text, a record, the templates..."""
        if self.element is None:
            return self.fixed_hint
        return source_hint(self.element, self.source)


def host_problem(host: str | None) -> str | None:
    """Return what is wrong with a host name, or None."""
    if not host:
        return "it has no host name"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        return f"host name {host!r} is not valid"
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(HOST_LABEL.match(label) for label in labels):
        return f"host name {host!r} is not valid"
    if len(labels) < 2:
        return f"host name {host!r} has no domain (a public link needs one)"
    return None


def external_problem(url: str) -> str | None:
    """Return what is wrong with the syntax of an external http(s) URL, or None."""
    if UNSAFE_CHARACTERS.search(url):
        return "it contains a space or a character that must be percent-encoded"
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return "its port is not a number"
    return host_problem(parts.hostname)


def mailto_problem(url: str) -> str | None:
    """Return what is wrong with a mailto: link, or None."""
    addresses = unquote(url[len("mailto:") :].split("?", 1)[0])
    if not addresses.strip():
        return "it has no address"
    for address in addresses.split(","):
        try:
            validate_email(address.strip(), check_deliverability=False)
        except EmailNotValidError as error:
            return f"{address.strip()!r} is not a valid e-mail address ({error})"
    return None


class LinkChecker:
    """Resolve links found anywhere in the site; collect problems and count links."""

    def __init__(self, site: BuiltSite) -> None:
        self.site = site
        self.checked = 0
        self.problems: list[Problem] = []

    def problem(self, name: str, line: int | None, message: str, origin: Origin) -> None:
        """Record one problem, with the Markdown file or record it came from if known."""
        self.problems.append(Problem.found(name, line, message, NAME, origin.source))

    def check_element_link(self, name: str, element, attribute: str, reference: str) -> None:
        """Check one link of an element of page `name`."""
        origin = Origin(
            site=self.site, name=name, element=element, attribute=attribute, reference=reference
        )
        self.check_reference(name, element.sourceline, reference, origin)

    def check_reference(self, name: str, line: int | None, reference: str, origin: Origin) -> None:
        """Check one link found in file `name`."""
        self.checked += 1
        reference = reference.strip()
        parts = urlsplit(reference)
        scheme = parts.scheme.lower()
        if scheme and scheme not in ALLOWED_SCHEMES:
            self.problem(
                name,
                line,
                f"link {reference[:80]!r} uses the {scheme}: scheme; only http(s), mailto "
                f"and tel links are allowed ({origin.hint})",
                origin,
            )
            return
        if scheme == "mailto":
            why = mailto_problem(reference)
            if why:
                self.problem(
                    name, line, f"invalid e-mail link {reference!r}: {why} ({origin.hint})", origin
                )
            return
        if scheme == "tel":
            if not TELEPHONE.match(unquote(reference[4:])):
                self.problem(
                    name, line, f"invalid telephone link {reference!r} ({origin.hint})", origin
                )
            return
        absolute = self.site.absolute(reference, name)
        internal = self.site.internal_path(absolute)
        if internal is None:
            why = external_problem(absolute if scheme else reference)
            if why:
                self.problem(
                    name,
                    line,
                    f"invalid external link {reference!r}: {why} ({origin.hint})",
                    origin,
                )
            return
        path, fragment = internal
        target, why = self.site.file_for(path)
        if target is None:
            self.problem(name, line, f"broken link {reference} ({why}; {origin.hint})", origin)
            return
        if (
            fragment not in IMPLICIT_FRAGMENTS
            and target.endswith((".html", ".htm"))
            and fragment not in self.site.ids(target)
        ):
            where = "this page" if target == name else self.site.url_of(target)
            self.problem(
                name,
                line,
                f'broken fragment {reference}: no element with id="{fragment}" on {where} '
                f"({origin.hint}, or add the id)",
                origin,
            )

    def check_page(self, name: str) -> None:
        """Check every link of one HTML page."""
        document = self.site.document(name)
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in URL_ATTRIBUTES:
                value = element.get(attribute)
                if value is None:
                    continue
                if not value.strip():
                    if element.tag in ("a", "area"):
                        origin = Origin(
                            site=self.site, name=name, element=element, attribute=attribute
                        )
                        message = f"empty link on <{element.tag}> ({origin.hint})"
                        self.problem(name, element.sourceline, message, origin)
                    continue
                self.check_element_link(name, element, attribute, value)
            for attribute in SRCSET_ATTRIBUTES:
                for candidate in (element.get(attribute) or "").split(","):
                    if candidate.strip():
                        self.check_element_link(name, element, attribute, candidate.split()[0])
            if element.tag == "object" and element.get("data"):
                self.check_element_link(name, element, "data", element.get("data"))

    def check_stylesheet(self, name: str) -> None:
        """Check the url() and @import references of a stylesheet."""
        text = self.site.text(name)
        for match in CSS_URL.finditer(text):
            reference = match.group(2) if match.group(2) is not None else match.group(4)
            if not reference or reference.lower().startswith("data:"):
                continue  # data: URLs are the page policy's business
            line = text.count("\n", 0, match.start()) + 1
            self.check_reference(name, line, reference, Origin("fix the stylesheet"))

    def check_xml(self, name: str) -> None:
        """Check the links of an XML file (feeds, sitemaps)."""
        try:
            tree = lxml.etree.parse(str(self.site.root / name))
        except lxml.etree.XMLSyntaxError:
            return  # reported by the feeds check
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            local = lxml.etree.QName(element).localname
            if local in ("link", "loc") and element.text and element.text.strip():
                url = element.text.strip()
                if urlsplit(url).scheme or url.startswith("/"):
                    self.check_reference(name, element.sourceline, url, Origin("fix the generator"))
            href = element.get("href")
            if href:
                self.check_reference(name, element.sourceline, href, Origin("fix the generator"))

    def check_robots(self, name: str) -> None:
        """Check the Sitemap: lines of robots.txt."""
        for number, line in enumerate(self.site.text(name).splitlines(), start=1):
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                self.check_reference(name, number, value.strip(), Origin("fix robots.txt"))


def check(site: BuiltSite) -> tuple[list[Problem], str]:
    """Check every link of the site; return the problems and what was checked."""
    checker = LinkChecker(site)
    for name in site.html_files:
        checker.check_page(name)
    for name in site.with_suffix(".css"):
        checker.check_stylesheet(name)
    for name in site.with_suffix(".xml", ".rss", ".atom"):
        checker.check_xml(name)
    if "robots.txt" in site.file_set:
        checker.check_robots("robots.txt")
    return checker.problems, f"{checker.checked} links and fragments"
