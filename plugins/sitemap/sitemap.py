"""sitemap.xml and robots.txt, read back from the written site; the HTML sitemap's tree.

The XML sitemaps are built after every generator has written its pages (the ``finalized``
signal), from the pages themselves: a page is listed when its ``rel=canonical`` is its own
address and it carries no ``<meta name="robots" content="noindex">``, with the hreflang
alternates it declares. Fallbacks (canonical: the English page), redirect pages, 404 and search
pages, and editor-only pages therefore stay out without any generator having to register, and
the sitemap cannot disagree with the pages' own hreflang links.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html
from jinja2 import pass_context
from pelican import signals

from .site_tree import site_tree

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: Folders of the output that hold no pages (assets, search index).
SKIPPED_FOLDERS = frozenset({"assets", "pagefind", "theme"})


@dataclass(frozen=True)
class ListedPage:
    """A page the sitemap lists: its address, language and declared alternates."""

    loc: str
    lang: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, href), as the page declares them


def page_address(output: Path, file: Path, siteurl: str) -> str:
    """Return the public address of a written HTML file."""
    relative = file.relative_to(output).as_posix()
    if relative == "index.html" or relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return f"{siteurl}/{relative}"


def read_listed_page(output: Path, file: Path, siteurl: str) -> ListedPage | None:
    """Return the sitemap entry of one written page, or None if it is not to be listed."""
    document = lxml.html.fromstring(file.read_bytes())
    head = document.find("head")
    if head is None:
        return None
    for meta in head.iterfind("meta"):
        if (meta.get("name") or "").lower() == "robots" and "noindex" in (
            meta.get("content") or ""
        ).lower():
            return None
    canonical = [
        link.get("href") for link in head.iterfind("link") if link.get("rel") == "canonical"
    ]
    address = page_address(output, file, siteurl)
    if canonical != [address]:
        return None
    alternates = tuple(
        (link.get("hreflang"), link.get("href"))
        for link in head.iterfind("link")
        if link.get("rel") == "alternate" and link.get("hreflang")
    )
    return ListedPage(address, document.get("lang") or "", alternates)


def listed_pages(output: Path, siteurl: str) -> list[ListedPage]:
    """Return every page of the written site that belongs in the sitemap, by address."""
    pages = []
    for file in sorted(Path(output).rglob("*.html")):
        if file.relative_to(output).parts[0] in SKIPPED_FOLDERS:
            continue
        page = read_listed_page(Path(output), file, siteurl)
        if page is not None:
            pages.append(page)
    return pages


def _serialise(root) -> bytes:
    return lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def urlset(pages: list[ListedPage]) -> bytes:
    """Return a sitemap (urlset) listing `pages` with their xhtml:link alternates."""
    root = lxml.etree.Element(
        f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS}
    )
    for page in pages:
        url = lxml.etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        lxml.etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = page.loc
        for hreflang, href in page.alternates:
            lxml.etree.SubElement(
                url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href
            )
    return _serialise(root)


def sitemap_index(locations: list[str]) -> bytes:
    """Return a sitemap index pointing at each sitemap of `locations`."""
    root = lxml.etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for location in locations:
        sitemap = lxml.etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        lxml.etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = location
    return _serialise(root)


def robots_txt(siteurl: str) -> str:
    """Return robots.txt: everything may be crawled; the sitemap's address where it is known."""
    lines = ["User-agent: *", "Disallow: /pagefind/", ""]
    if siteurl.startswith(("http://", "https://")):
        lines.append(f"Sitemap: {siteurl}/sitemap.xml")
    else:
        lines.append("# Sitemap: /sitemap.xml (absolute in production builds: publishconf.py)")
    return "\n".join(lines) + "\n"


def write_sitemaps(pelican) -> None:
    """Write sitemap.xml (an index), one sitemap-<lang>.xml per language, and robots.txt."""
    output = Path(pelican.output_path)
    siteurl = pelican.settings["SITEURL"]
    by_lang: dict[str, list[ListedPage]] = defaultdict(list)
    for page in listed_pages(output, siteurl):
        by_lang[page.lang].append(page)
    locations = []
    for lang in pelican.settings["LANGUAGES"]:
        if by_lang.get(lang):
            name = f"sitemap-{lang}.xml"
            (output / name).write_bytes(urlset(by_lang[lang]))
            locations.append(f"{siteurl}/{name}")
    (output / "sitemap.xml").write_bytes(sitemap_index(locations))
    (output / "robots.txt").write_text(robots_txt(siteurl), encoding="utf-8")
    logger.info("sitemaps of %r languages written", len(locations))


def install_site_tree(generator) -> None:
    """Give templates `sitemap_tree(lang)`, the nested pages of the HTML sitemap."""

    @pass_context
    def sitemap_tree(context, lang):
        return site_tree(context, lang)

    generator.env.globals["sitemap_tree"] = sitemap_tree


def register():
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(install_site_tree)
    signals.finalized.connect(write_sitemaps)
