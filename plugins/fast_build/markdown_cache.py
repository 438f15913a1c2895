"""Markdown converted ahead of reading: in worker processes, and kept between builds.

The cache is keyed on the text Markdown converts (after facts and links are filled in, which
happens again in every build, so their checks never go stale) together with a fingerprint of
everything else that shapes the HTML: the Markdown settings, the Markdown version, and the
code that converts. The same key always means the same HTML.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import markdown
from multilingual import conversion
from multilingual.conversion import Converted, ReusableConverter

from .disk_cache import DiskCache
from .workers import ordered_map

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1


def fingerprint(markdown_settings: dict, formatted_fields) -> bytes:
    """Return a digest of everything besides the text that decides what Markdown makes."""
    digest = hashlib.sha256()
    for part in (
        CACHE_FORMAT,
        sys.version,
        markdown.__version__,
        repr(sorted(markdown_settings.items(), key=repr)),
        repr(sorted(formatted_fields)),
    ):
        digest.update(repr(part).encode() + b"\0")
    for module in (conversion, sys.modules[__name__], sys.modules[DiskCache.__module__]):
        digest.update(Path(module.__file__).read_bytes())
    return digest.digest()


class MarkdownCache(DiskCache):
    """Converted pages by the digest of their text."""

    def key(self, text: str) -> bytes:
        """Return the cache key of a page's prepared text."""
        return self.digest(text.encode("utf-8"))

    def get(self, key: bytes) -> Converted | None:
        """Return the converted page stored under `key`, if any."""
        entry = super().get(key)
        return None if entry is None else Converted(*entry)

    def put(self, key: bytes, converted: Converted) -> None:
        """Store a converted page."""
        super().put(key, (converted.html, converted.meta, converted.fields))


class FastMarkdown:
    """The reader's fast path: reused Markdown instances, a cache, conversion ahead of time.

    `start` forks workers that prepare and convert the pages in the order Pelican reads them;
    `text` takes each page's result as Pelican asks for it, so reading overlaps converting.
    """

    def __init__(self, reader, cache: MarkdownCache) -> None:
        self.reader = reader
        self.cache = cache
        self.converter = ReusableConverter(
            reader.settings["MARKDOWN"], reader.settings["FORMATTED_FIELDS"]
        )
        self.prepared: dict[str, str] = {}
        self.ahead: Iterator[tuple[str, tuple | None]] | None = None

    def text(self, source_path: str) -> str:
        """Return the prepared text of a page (prepared ahead of time when possible)."""
        while source_path not in self.prepared and self.ahead is not None:
            try:
                path, result = next(self.ahead)
            except StopIteration:
                self.ahead = None
                break
            if result is not None:
                text, key, converted = result
                self.prepared[path] = text
                if converted is not None:
                    self.cache.put(key, converted)
        text = self.prepared.pop(source_path, None)
        return self.reader.prepare(source_path) if text is None else text

    def convert(self, text: str) -> Converted:
        """Return the converted page, from the cache or converted now."""
        key = self.cache.key(text)
        converted = self.cache.get(key)
        if converted is None:
            converted = self.converter.convert(text)
            self.cache.put(key, converted)
        return converted

    def _ahead(self, source_path: str) -> tuple[str, tuple | None]:
        """Prepare one page and convert it unless cached; None where that fails.

        A failure is left for Pelican's reading of the page, which raises the same error.
        """
        try:
            text = self.reader.prepare(source_path)
        except Exception:
            return source_path, None
        key = self.cache.key(text)
        if key in self.cache.entries:
            return source_path, (text, key, None)
        try:
            return source_path, (text, key, self.converter.convert(text))
        except Exception:
            return source_path, (text, key, None)

    def start(self, source_paths: list[str], workers: int) -> None:
        """Start preparing and converting `source_paths` (in reading order) in `workers`."""
        self.stop()
        self.ahead = ordered_map(self._ahead, source_paths, workers)

    def stop(self) -> None:
        """Stop the workers, if any are left (Pelican read fewer pages than expected)."""
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None
