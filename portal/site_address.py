"""The site's public address (SITEURL of a production build), checked before anything is built.

The address is pasted unescaped into every page, feed, sitemap and server file, so it must be an
absolute ``https://`` address with a host name, optionally a path (``https://example.org/portal``),
with nothing that would need escaping (quotes, spaces, ``<``, ``>``, backslashes, control
characters) and no ``?query`` or ``#fragment``. ``http://`` is accepted only for this machine
(localhost, 127.0.0.1, [::1]), to try a production build locally.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from urllib.parse import urlsplit

#: Hosts for which http:// is accepted (a production build tried on this machine).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
PAGE_NAME = re.compile(r"\.(html?|php|aspx?|jsp|xml|json|txt)$", re.IGNORECASE)
EXAMPLES = "e.g. https://supporters.example.eu or https://example.org/portal"


def character_problem(url: str) -> str | None:
    """Return the first character of `url` that would need escaping, described, or None."""
    for character in url:
        if character == " ":
            return "contains a space"
        if character in "\t\n\r\f\v" or ord(character) < 0x20 or ord(character) == 0x7F:
            return f"contains a control character ({character!r})"
        if character in "\"'`":
            return f"contains a quote ({character})"
        if character in "<>\\{}|^":
            return f"contains {character!r}, which would need escaping"
        if not character.isascii():
            return (
                f"contains {character!r}, which would need escaping (write an international "
                "host name in its xn-- form)"
            )
    return None


def host_problem(host: str) -> str | None:
    """Return what is wrong with the host name of the address, or None."""
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(HOST_LABEL.match(label) for label in labels):
        return f"has an invalid host name {host!r}"
    if len(labels) < 2 and host.lower() != "localhost":
        return f"has a host name without a domain ({host!r})"
    return None


def site_url_problem(url: str) -> str | None:
    """Return what is wrong with `url` as the site's public address, or None."""
    if not url:
        return "is empty"
    problem = character_problem(url)
    if problem:
        return problem
    if not ABSOLUTE.match(url):
        return "is not an absolute http(s) address (it must start with https://)"
    if "?" in url:
        return "has a query (?...)"
    if "#" in url:
        return "has a fragment (#...)"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        return f"uses {scheme}://"
    if "@" in parts.netloc:
        return "has a user name or password (...@) in it"
    host = parts.hostname
    if not host:
        return "has no host name"
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "has a port that is not a number"
    problem = host_problem(host)
    if problem:
        return problem
    if scheme == "http" and host.lower() not in LOOPBACK_HOSTS:
        return "uses http:// (accepted for localhost only)"
    path = parts.path.rstrip("/")
    segments = path.split("/")[1:] if path else []
    for segment in segments:
        if segment in ("", ".", ".."):
            return f"has an empty, '.' or '..' part in its path ({parts.path!r})"
        if not PATH_SEGMENT.match(segment):
            return f"has {segment!r} in its path; use letters, digits, '-', '_', '.' and '~'"
    if segments and PAGE_NAME.search(segments[-1]):
        return f"ends in a file name ({segments[-1]!r}), not the folder the site is served from"
    return None


def checked_site_url(default: str) -> str:
    """Return the site's address from the environment (else `default`), checked; exit if bad.

    The message is one line naming the value, where it came from and what is wrong.
    """
    if "SITEURL" in os.environ:
        url, origin = os.environ["SITEURL"], "the environment variable SITEURL"
    else:
        url, origin = default, "SITE_PUBLIC_URL in pelicanconf.py"
    problem = site_url_problem(url)
    if problem:
        sys.exit(
            f"publishconf.py: the site's address {url!r} (from {origin}) {problem}; "
            f"set it to the public https:// address of the site, {EXAMPLES}"
        )
    return url.rstrip("/")
