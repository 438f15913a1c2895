"""A built site on disk: its files, parsed pages, and how URLs map to files."""

from __future__ import annotations

import posixpath
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from .sources import ContentSources, Source

#: Base used to resolve URLs when the site has no absolute address (a development build).
LOCAL_BASE = "http://site.invalid"


class BuiltSite:
    """The output folder of a build, read once; pages are parsed on first use."""

    def __init__(
        self, root: Path, site_url: str | None = None, content: Path | None = None
    ) -> None:
        self.root = Path(root)
        self._documents: dict[str, lxml.html.HtmlElement] = {}
        self._texts: dict[str, str] = {}
        self.site_url = (self.detect_site_url() if site_url is None else site_url).rstrip("/")
        #: the content folder the site was built from, if known: problems then name their source
        self.sources = ContentSources(content) if content is not None else None

    def source_of(
        self, name: str, element, needle: str | None, attribute: str | None = None
    ) -> Source | None:
        """Return the Markdown file or record an element of page `name` came from, if known."""
        if self.sources is None:
            return None
        return self.sources.locate(name, element, needle, attribute)

    @cached_property
    def files(self) -> list[str]:
        """Return every file of the site, as sorted POSIX paths relative to the root."""
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in self.root.rglob("*")
            if path.is_file()
        )

    @cached_property
    def file_set(self) -> frozenset[str]:
        """Return the site's files as a set, for fast lookups."""
        return frozenset(self.files)

    @cached_property
    def folders(self) -> frozenset[str]:
        """Return every folder that holds a file, relative to the root ("" is the root)."""
        found = {""}
        for name in self.files:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                found.add("/".join(parts[:depth]))
        return frozenset(found)

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Return the files whose names end in one of `suffixes`."""
        return [name for name in self.files if name.endswith(suffixes)]

    @cached_property
    def html_files(self) -> list[str]:
        """Return every HTML page."""
        return self.with_suffix(".html", ".htm")

    def text(self, name: str) -> str:
        """Return a file's text (undecodable bytes replaced)."""
        if name not in self._texts:
            self._texts[name] = (self.root / name).read_text(encoding="utf-8", errors="replace")
        return self._texts[name]

    def document(self, name: str) -> lxml.html.HtmlElement:
        """Return the parsed HTML page `name`."""
        if name not in self._documents:
            data = (self.root / name).read_bytes()
            parser = lxml.html.HTMLParser(encoding="utf-8")
            try:
                self._documents[name] = lxml.html.document_fromstring(data, parser=parser)
            except lxml.etree.ParserError:
                self._documents[name] = lxml.html.document_fromstring(b"<html></html>")
        return self._documents[name]

    def detect_site_url(self) -> str:
        """Return the site's absolute address from the root page's canonical link, or ""."""
        if not (self.root / "index.html").is_file():
            return ""
        hrefs = self.document("index.html").xpath('//link[@rel="canonical"]/@href')
        if hrefs and urlsplit(hrefs[0]).scheme in ("http", "https"):
            return hrefs[0].rstrip("/")
        return ""

    @property
    def base(self) -> str:
        """Return the address URLs are resolved against."""
        return self.site_url or LOCAL_BASE

    def url_of(self, name: str) -> str:
        """Return the path a file is served at ("fi/index.html" -> "/fi/")."""
        if name == "index.html" or name.endswith("/index.html"):
            name = name[: -len("index.html")]
        return "/" + name

    def absolute(self, reference: str, name: str) -> str:
        """Resolve a reference found in file `name` to an absolute URL."""
        return urljoin(self.base + self.url_of(name), reference)

    def internal_path(self, url: str) -> tuple[str, str] | None:
        """Return (path, fragment) of an absolute URL inside the site, or None if external."""
        base = urlsplit(self.base)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
            return None
        prefix = base.path.rstrip("/")
        if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
            return None
        path = unquote(parts.path[len(prefix) :]) or "/"
        normalised = posixpath.normpath(path)
        if path.endswith("/") and normalised != "/":
            normalised += "/"
        return normalised, unquote(parts.fragment)

    def file_for(self, path: str) -> tuple[str | None, str]:
        """Return the file serving `path` ("/fi/" -> "fi/index.html") and, if none, why."""
        relative = path.lstrip("/")
        if relative.startswith(".."):
            return None, "outside the site"
        if relative == "" or relative.endswith("/"):
            candidate = relative + "index.html"
            if candidate in self.file_set:
                return candidate, ""
            return None, "no such page"
        if relative in self.file_set:
            return relative, ""
        if relative in self.folders and f"{relative}/index.html" in self.file_set:
            return None, "a folder: add the trailing slash (the server would redirect)"
        return None, "no such file"

    def ids(self, name: str) -> frozenset[str]:
        """Return the fragment targets of a page: every id, and the name of every <a>."""
        document = self.document(name)
        return frozenset(document.xpath("//@id") + document.xpath("//a/@name"))

    def html_lang(self, name: str) -> str | None:
        """Return a page's <html lang>, or None."""
        return self.document(name).get("lang")

    def canonical(self, name: str) -> str | None:
        """Return the internal path a page's canonical link points at, or None."""
        hrefs = self.document(name).xpath('//head/link[@rel="canonical"]/@href')
        if not hrefs:
            return None
        internal = self.internal_path(self.absolute(hrefs[0].strip(), name))
        return internal[0] if internal else None
