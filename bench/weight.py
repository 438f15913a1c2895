"""Page weight: the bytes of a page's HTML, CSS and JavaScript, and requests to other origins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

CSS_URL = re.compile(
    r"""@import\s+(?:url\()?\s*["']?(?P<bare>[^"')\s;]+)|url\(\s*["']?(?P<url>[^"')]+)["']?\s*\)"""
)

LIMIT_BYTES = 30 * 1024

#: Elements and attributes that make a browser fetch something while loading the page.
FETCHING = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
}
#: <link rel> values that are navigation hints, not requests made while loading.
NOT_FETCHED_RELS = {"canonical", "alternate", "next", "prev", "author", "help", "license"}


@dataclass
class Weight:
    """What loading one page costs, before compression."""

    page: str
    html_bytes: int
    assets: dict[str, int] = field(default_factory=dict)  # CSS and JS by URL
    other_requests: list[str] = field(default_factory=list)  # URLs of other resources
    foreign: list[str] = field(default_factory=list)  # requests to another origin

    @property
    def total(self) -> int:
        """Return HTML + CSS + JavaScript in bytes."""
        return self.html_bytes + sum(self.assets.values())

    @property
    def ok(self) -> bool:
        """Tell whether the page is within the limit and asks no other origin for anything."""
        return self.total <= LIMIT_BYTES and not self.foreign


def file_for(root: Path, url: str) -> Path:
    """Return the output file that serves a same-origin URL path."""
    path = urlsplit(url).path.lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return root / path


def weigh(root: Path, page_url: str, site_origin: str = "http://127.0.0.1") -> Weight:
    """Weigh the page served at `page_url` from the built site in `root`."""
    page_file = file_for(root, page_url)
    html = page_file.read_bytes()
    weight = Weight(page=page_url, html_bytes=len(html))
    base = urljoin(site_origin, page_url)
    tree = lxml.html.fromstring(html)
    for element in tree.iter(*FETCHING):
        attribute = FETCHING[element.tag]
        value = element.get(attribute)
        if not value:
            continue
        if element.tag == "link":
            rels = set((element.get("rel") or "").lower().split())
            if not rels or rels <= NOT_FETCHED_RELS:
                continue
        url = urljoin(base, value)
        if urlsplit(url).netloc != urlsplit(site_origin).netloc:
            weight.foreign.append(url)
            continue
        is_code = element.tag == "script" or "stylesheet" in (element.get("rel") or "").lower()
        if is_code:
            weight.assets[urlsplit(url).path] = file_for(root, url).stat().st_size
        else:
            weight.other_requests.append(urlsplit(url).path)
    for css in [url for url in weight.assets if url.endswith(".css")]:
        _follow_css(root, css, urljoin(site_origin, css), site_origin, weight)
    return weight


def _follow_css(root: Path, path: str, base: str, site_origin: str, weight: Weight) -> None:
    """Add what a stylesheet imports (CSS) or loads (fonts, images) to `weight`."""
    text = file_for(root, path).read_text(encoding="utf-8")
    for match in CSS_URL.finditer(text):
        value = match.group("url") or match.group("bare") or ""
        if not value or value.startswith("data:"):
            continue
        url = urljoin(base, value)
        target = urlsplit(url).path
        if urlsplit(url).netloc != urlsplit(site_origin).netloc:
            weight.foreign.append(url)
        elif match.group(0).startswith("@import") and target not in weight.assets:
            weight.assets[target] = file_for(root, url).stat().st_size
            _follow_css(root, target, url, site_origin, weight)
        else:
            weight.other_requests.append(target)
