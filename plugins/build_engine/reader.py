"""The Markdown reader: facts filled in, links resolved, converted, checked, errors named.

Each page goes through `read_page`: its text is read (UTF-8), its ``{{fact}}`` placeholders and
``{filename}`` links are filled in (portal_core), Markdown converts it, and every check the
features registered (`front_door.on_page_read`) looks at it. Any problem is a PortalError
naming the file and, where there is one, the line.

Converted pages are kept in a disk cache keyed by the text Markdown converts and a fingerprint
of everything else that shapes the HTML (settings, library and Python versions, the converting
code). While Pelican reads pages one by one, worker processes read and convert the next ones
(`ReadAhead`), so reading overlaps converting; the results are the same either way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import markdown
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open
from portal_core import conversion
from portal_core.catalogues import catalogue_path, compile_catalogue
from portal_core.conversion import Converted, ReusableConverter, convert_markdown
from portal_core.errors import PortalError, PortalErrors
from portal_core.facts import substitute_facts
from portal_core.links import resolve_links
from portal_core.media import MediaLibrary, show_media
from portal_core.page_metadata import parse_page

from .disk_cache import DiskCache
from .memory import memory_of
from .options import options
from .outputs import ReadPage
from .workers import ordered_map, worker_count

logger = logging.getLogger(__name__)

CACHE_FORMAT = 2


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


def cache_file(settings: dict) -> Path:
    """Return the Markdown cache file of this site (one per content folder)."""
    site = hashlib.sha256(str(settings["PATH"]).encode()).hexdigest()[:16]
    return Path(settings["CACHE_PATH"]) / "build_engine" / f"markdown-{site}.pickle"


@dataclass(frozen=True)
class PageText:
    """What reading one page gave: its source as written, what Markdown made, the problems."""

    source: str
    converted: Converted
    problems: tuple[PortalError, ...]
    cache_key: bytes | None = None  # the Markdown cache's key of the converted text
    # converted now, not taken from the cache: what Markdown made, before the build added its
    # media attributes (SITEURL in front of addresses), as the cache keeps it
    fresh: Converted | None = None


def _failed(*problems: PortalError) -> PageText:
    return PageText("", Converted("", None, {}), problems)


class PageReading:
    """Reads pages for one build: prepares, converts (cache or Markdown), runs the checks."""

    def __init__(self, settings: dict, checks: list, cache: DiskCache) -> None:
        self.settings = settings
        self.checks = checks
        self.cache = cache
        self.converter = (
            ReusableConverter(settings["MARKDOWN"], settings["FORMATTED_FIELDS"])
            if options(settings)["enabled"]
            else None
        )
        self.media = MediaLibrary.scan(
            Path(settings["PATH"]), tuple(settings.get("LANGUAGES", (settings["DEFAULT_LANG"],)))
        )
        self.catalogues: dict = {}

    def gettext(self, lang: str):
        """Return the interface strings' gettext of `lang` (compiled on first use)."""
        if lang not in self.catalogues:
            path = catalogue_path(Path(self.settings.get("TRANSLATIONS_PATH", "")), lang)
            self.catalogues[lang] = (
                compile_catalogue(path, lang).gettext if path.is_file() else (lambda m: m)
            )
        return self.catalogues[lang]

    def page_lang(self, source_path: str) -> str:
        """Return the language of a page: the folder below the content folder it is in."""
        relative = os.path.relpath(source_path, self.settings["PATH"]).replace(os.sep, "/")
        return relative.split("/", 1)[0]

    def prepare(self, source_path: str) -> tuple[str, str]:
        """Return the page's text as written, and with facts filled in and links resolved."""
        try:
            with pelican_open(source_path) as text:
                raw = text
        except UnicodeDecodeError as error:
            raise PortalError(
                source_path, f"not valid UTF-8 (byte {error.start}); save the file as UTF-8"
            ) from None
        lang = self.page_lang(source_path)
        text = substitute_facts(raw, self.settings.get("FACTS", {}), source_path, lang)
        prepared = resolve_links(
            text,
            Path(source_path),
            Path(self.settings["PATH"]),
            self.settings["DEFAULT_LANG"],
            self.settings["SITEURL"],
        )
        prepared = self.media.resolve(prepared, source_path, lang, self.settings["DEFAULT_LANG"])
        return raw, prepared

    def convert(self, text: str) -> tuple[Converted, bytes, bool]:
        """Return the converted page, its cache key, and whether it was converted now."""
        key = self.cache.digest(text.encode("utf-8"))
        entry = self.cache.get(key)
        if entry is not None:
            return Converted(*entry), key, False
        if self.converter is not None:
            converted = self.converter.convert(text)
        else:
            converted = convert_markdown(
                text, self.settings["MARKDOWN"], self.settings["FORMATTED_FIELDS"]
            )
        self.cache.put(key, (converted.html, converted.meta, converted.fields))
        return converted, key, True

    def read(self, source_path: str) -> PageText:
        """Read, convert and check one page; problems are returned, not raised."""
        problems: list[PortalError] = []
        try:
            raw, text = self.prepare(source_path)
            converted, key, fresh = self.convert(text)
        except PortalError as error:
            return _failed(error)
        except PortalErrors as errors:
            return _failed(*errors.errors)
        except RecursionError:
            return _failed(
                PortalError(
                    source_path,
                    "the text is nested too deeply for the Markdown converter (lists or "
                    "quotes inside each other, hundreds of levels); flatten it",
                )
            )
        made = converted
        page = ReadPage(
            path=source_path,
            relative=os.path.relpath(source_path, self.settings["PATH"]).replace(os.sep, "/"),
            source=raw,
            html=converted.html,
            fields=converted.fields,
        )
        for check in self.checks:
            try:
                check(page)
            except PortalError as error:
                problems.append(error)
            except PortalErrors as errors:
                problems.extend(errors.errors)
        if not problems and self.media.files:
            # what editors wrote was checked; now the build's own attributes are added
            lang = self.page_lang(source_path)
            try:
                shown = show_media(
                    converted.html,
                    self.media,
                    lang,
                    self.settings["DEFAULT_LANG"],
                    self.settings["SITEURL"],
                    self.gettext(lang),
                )
            except PortalErrors as errors:
                return _failed(*errors.errors)
            converted = Converted(shown, converted.meta, converted.fields)
        return PageText(raw, converted, tuple(problems), key, made if fresh else None)


class ReadAhead:
    """Pages read and converted by worker processes in the order Pelican will ask for them."""

    def __init__(self, reading: PageReading, source_paths: list[str], workers: int) -> None:
        self.reading = reading
        self.results: Iterator[PageText] | None = ordered_map(self._read, source_paths, workers)
        self.paths = iter(source_paths)
        self.ready: dict[str, PageText] = {}

    def _read(self, source_path: str) -> PageText:
        return self.reading.read(source_path)

    def take(self, source_path: str) -> PageText | None:
        """Return the page read ahead, or None if it was not among the pages read ahead."""
        while source_path not in self.ready and self.results is not None:
            try:
                path, result = next(self.paths), next(self.results)
            except StopIteration:
                self.stop()
                break
            if result.fresh is not None:  # converted by a worker: kept for the next build too
                made = result.fresh
                self.reading.cache.put(result.cache_key, (made.html, made.meta, made.fields))
            elif result.cache_key is not None:  # taken from the cache: still in use
                self.reading.cache.get(result.cache_key)
            self.ready[path] = result
        return self.ready.pop(source_path, None)

    def stop(self) -> None:
        """Stop the workers, if any are left (Pelican read fewer pages than expected)."""
        if self.results is not None:
            self.results.close()
            self.results = None


class PortalMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, reading through `PageReading` (see the module docstring)."""

    def read(self, source_path):
        """Return the page's HTML and metadata; raise PortalErrors naming every problem."""
        result = reading_of(self.settings).take(source_path)
        if result.problems:
            raise PortalErrors(list(result.problems))
        converted = result.converted
        if converted.meta is None:
            return converted.html, {}
        metadata, problems = self.metadata(source_path, result.source, converted)
        if problems:
            raise PortalErrors(problems)
        return converted.html, metadata

    def metadata(
        self, source_path: str, source: str, converted: Converted
    ) -> tuple[dict, list[PortalError]]:
        """Return the page's metadata as Pelican's Markdown reader makes it, and the problems
        of its values (a key given twice that may be given once; a value Pelican's parsers
        refuse, such as '2024-13-45' for a date), each at its line."""
        output, problems = {}, []
        header = parse_page(source)
        for name, value in converted.meta.items():
            name = name.lower()
            if name in converted.fields:
                value = converted.fields[name]
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(value) > 1:
                    problems.append(
                        PortalError(
                            source_path,
                            f"metadata {name.capitalize()}: is given {len(value)} times; keep one",
                            header.line_of(name),
                        )
                    )
                value = value[0]
            elif len(value) == 1:
                value = value[0]
            try:
                output[name] = self.process_metadata(name, value)
            except ValueError as error:
                # Pelican's metadata parsers ("'2024-13-45' is not a valid date")
                problems.append(
                    PortalError(
                        source_path,
                        f"{error}; correct the metadata line",
                        header.line_of(name),
                    )
                )
        return output, problems


class BuildReading:
    """The reading of one build: pages read ahead in workers, or one by one as asked."""

    def __init__(self, reading: PageReading) -> None:
        self.reading = reading
        self.ahead: ReadAhead | None = None

    def start(self, source_paths: list[str], workers: int) -> None:
        """Read `source_paths` (in Pelican's reading order) ahead in `workers` processes."""
        self.stop()
        if workers > 1:
            self.ahead = ReadAhead(self.reading, source_paths, workers)

    def take(self, source_path: str) -> PageText:
        """Return the page, read ahead or read now."""
        result = self.ahead.take(source_path) if self.ahead is not None else None
        return result if result is not None else self.reading.read(source_path)

    def stop(self) -> None:
        """Stop reading ahead."""
        if self.ahead is not None:
            self.ahead.stop()
            self.ahead = None


READING_KEY = "reading"


def reading_of(settings: dict) -> BuildReading:
    """Return the reading of the build under way (made on first use in the build)."""
    memory = memory_of(settings)
    build = memory.build
    reading = getattr(build, "reading", None) if build is not None else None
    if reading is None:
        chosen = options(settings)
        cache_path = cache_file(settings) if chosen["enabled"] and chosen["cache"] else None
        cache = memory.slot(
            "markdown-cache",
            lambda: DiskCache(
                cache_path, fingerprint(settings["MARKDOWN"], settings["FORMATTED_FIELDS"])
            ),
        )
        cache.begin()
        reading = BuildReading(PageReading(settings, memory.page_checks, cache))
        if build is not None:
            build.reading = reading
    return reading


def read_ahead(generator) -> None:
    """Start reading the generator's Markdown pages ahead, in workers (fast path only)."""
    chosen = options(generator.settings)
    if not chosen["enabled"]:
        return
    extensions = set(PortalMarkdownReader.file_extensions)
    paths = [
        os.path.abspath(os.path.join(generator.path, name))
        for name in generator.get_files(
            generator.settings["PAGE_PATHS"], exclude=generator.settings["PAGE_EXCLUDES"]
        )
        if name.rsplit(".", 1)[-1] in extensions
    ]
    workers = worker_count(chosen["workers"]) if len(paths) >= chosen["parallel_from"] else 1
    reading_of(generator.settings).start(paths, workers)


def finish_reading(generator) -> None:
    """Stop reading ahead and save the Markdown cache once Pelican has read every page."""
    memory = memory_of(generator.settings)
    reading = getattr(memory.build, "reading", None)
    if reading is not None:
        reading.stop()
        reading.reading.cache.save()
