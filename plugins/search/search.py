"""Site search: a search page per language, and Pagefind's index, built with every build.

Pagefind indexes only elements marked ``data-pagefind-body``: base.html puts it on the main
content of real pages, so English fallbacks, 404 pages, search pages and editor-only pages
(``here.noindex``) stay out. Pagefind writes an index per language (``<html lang>``).

The pages reach Pagefind as the writer writes them (`SearchBuild`, through Pagefind's service
mode), not by a run of Pagefind over the finished output folder: only marked pages are read and
sent, indexing overlaps rendering, the dev server re-indexes only the languages whose pages
changed. Pagefind numbers pages in the order they reach it: the build sends them in the order it
writes them, which the content decides, so the bundle is the same on every machine (Pagefind's
command line takes them in the order the file system lists them, which differs between file
systems).
tests/test_search_index.py compares the bundle with the command line's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from build_engine.front_door import (
    BuildContext,
    FileOutput,
    Later,
    ListenerBase,
    PageOutput,
    Written,
    memory_slot,
    on_written,
    worker_processes,
    write,
)
from pelican import signals
from pelican.generators import Generator
from portal_core.errors import PortalError
from portal_core.here import Here, LanguageLink, home_crumbs
from portal_core.site import site_of
from portal_core.strings import N_

from .pagefind_service import PagefindService, decode_files, encode_file

logger = logging.getLogger(__name__)


SEARCH_TITLE = N_("Search")


def search_url(lang: str) -> str:
    """Return the URL (relative, no leading slash) of the search page in `lang`."""
    return f"{lang}/search/"


class SearchGenerator(Generator):
    """Writes /<lang>/search/ in every language."""

    def generate_context(self):
        """Nothing to read: the pages are the same in every language but for the interface."""

    def generate_output(self, writer):
        """Write the search page of every language."""
        site = site_of(self.context)
        languages = site.languages
        outputs = []
        for lang in languages:
            versions = [LanguageLink(code, search_url(code), code == lang) for code in languages]
            here = Here(
                lang=lang,
                url=search_url(lang),
                title=site.translator(lang)(SEARCH_TITLE),
                title_lang=lang,
                versions=versions,
                breadcrumbs=home_crumbs(site.tree, lang),
                noindex=True,
            )
            outputs.append(
                PageOutput(here.url + "index.html", "search", dict(here=here, page_lang=lang))
            )
        write(self, outputs)


def noindex_pages_marked_for_search(output: Path) -> list[Path]:
    """Return pages that tell robots "noindex" yet mark content for the site search."""
    found = []
    for file in sorted(Path(output).rglob("*.html")):
        text = file.read_text(encoding="utf-8", errors="replace")
        if "data-pagefind-body" not in text or "noindex" not in text:
            continue
        page = lxml.html.fromstring(text)
        robots = " ".join(page.xpath('//meta[@name="robots"]/@content')).lower()
        if "noindex" in robots and page.xpath("//*[@data-pagefind-body]"):
            found.append(file)
    return found


BUNDLE = "pagefind"
LANGUAGES_PER_INDEX = 4  # see SearchBuild.index_of
ENTRY = "pagefind-entry.json"
HTML_LANG = re.compile(rb"<html[^>]*\slang=\"([^\"]+)\"")
HTML_TAG = re.compile(rb"<html\b[^>]*>")
SEARCH_BODY = re.compile(rb"<main\b[^>]*\sdata-pagefind-body[\s>].*?</main>", re.DOTALL)


def search_document(html: bytes) -> bytes:
    """Return what Pagefind needs of a page: its <html> tag (the language) and the element marked
    ``data-pagefind-body``, when that is the page's one <main> and holds every other
    ``data-pagefind-*`` attribute of the page; else the whole page.

    Pagefind reads nothing else of a page whose body is marked this way (tests compare the
    bundle with the command line's over the full pages); a quarter of the bytes to encode,
    send and parse.
    """
    tag = HTML_TAG.search(html)
    bodies = SEARCH_BODY.findall(html)
    # every data-pagefind-* attribute of the page must be inside that element
    if (
        tag is None
        or len(bodies) != 1
        or html.count(b"data-pagefind-") != bodies[0].count(b"data-pagefind-")
    ):
        return html
    return b"<!DOCTYPE html>\n" + tag.group(0) + b"<body>" + bodies[0] + b"</body></html>\n"


@dataclass(frozen=True)
class PreparedPage:
    """What the index needs of one written page, made where the page was written."""

    lang: str
    stamp: tuple[int, int]  # the file's size and modification time (ns)
    sha: str  # sha256 of the search document
    encoded: bytes | None  # the document as an AddFile request carries it (encode_file), when
    # the build sends pages as they are written


def page_language(html: bytes, here) -> str | None:
    """Return the language of the index a written page goes to; None: not indexed."""
    if here is not None:
        return here.lang if here.indexable else None
    if b"data-pagefind-body" not in html:
        return None
    found = HTML_LANG.search(html)
    return found.group(1).decode() if found else "unknown"


def merged_entry(entries: list[dict]) -> bytes:
    """Return pagefind-entry.json for the languages of `entries` (one per language's index).

    Each index's entry has its one language and the same other keys (version, characters a word
    may hold); keys are sorted, so equal input gives equal bytes.
    """
    merged: dict = {}
    for entry in entries:
        common = {key: value for key, value in entry.items() if key != "languages"}
        if merged and common != {k: v for k, v in merged.items() if k != "languages"}:
            raise PortalError(ENTRY, "Pagefind's indexes disagree; `make clean`, then build again")
        merged = {**common, "languages": {**merged.get("languages", {}), **entry["languages"]}}
    return json.dumps(merged, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class LanguageBundle:
    """What the last build of this Pelican instance wrote for one language's index."""

    digest: str  # of the pages it indexed
    entry: dict  # the pagefind-entry.json of its index alone
    files: dict[str, str]  # bundle files (common ones too): sha256 of their bytes


@dataclass
class SearchMemory:
    """What the search index keeps between the builds of one Pelican instance."""

    bundles: dict[str, LanguageBundle] | None = None  # None: no build has indexed yet
    #: path: (size, modification time, sha256 of what Pagefind gets) of every page noted, so
    #: that a later build takes the digest of an unchanged page without reading it
    page_stamps: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    #: bundle file: (size, modification time) as last written
    file_stamps: dict[str, tuple[int, int]] = field(default_factory=dict)


class SearchIndex(ListenerBase):
    """The search index of one build: the pages marked for search, indexed by Pagefind.

    The engine tells it of every page written (`prepare`, in the worker that wrote the page,
    then `written`); a page is indexed when base.html marked it (``here.indexable``; a page
    rendered without a `Here` is checked for ``data-pagefind-body``), in the index of its
    language, as Pagefind's command line would. The languages are spread over one Pagefind
    service per worker process (see `index_of`).

    The first build of a Pelican instance sends each page as soon as it is written, so Pagefind
    indexes while the build renders. Later builds (the dev server's) only note the pages'
    digests; at the end, a language whose pages are all unchanged keeps the files it has, and
    only the others are indexed again, after the build (`Later`): editing one English page
    re-indexes English, not 24 languages.
    """

    def __init__(self, context: BuildContext) -> None:
        self.output = Path(context.output_path)
        self.memory = memory_slot(context.settings, "search", SearchMemory)
        self.remembered = self.memory.bundles
        self.stream = self.remembered is None
        self.service_count = max(1, worker_processes(context.settings))
        self.services: list[PagefindService] = []
        # each service's newest index, and how many languages it holds
        self.service_indexes: list[tuple[int, int]] = []
        # lang: (path, sha256) of each page, in the order written. Pagefind numbers a language's
        # pages in the order they reach it, so every build sends them in this order.
        self.pages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.indexes: dict[str, tuple[PagefindService, int]] = {}
        self.pending: list[tuple[PagefindService, int]] = []
        self.stamps: dict[str, tuple[int, int, str]] = {}
        self.stamps_before = self.memory.page_stamps

    def index_of(self, lang: str) -> tuple[PagefindService, int]:
        """Return the service and index of `lang`, starting them when needed.

        Languages go to the services in turn, and an index holds up to LANGUAGES_PER_INDEX of
        them: Pagefind writes the same files for a language as in an index of its own (its
        command line indexes all languages in one), and every GetFiles carries Pagefind's
        script and style files, so fewer indexes cost less time; but a GetFiles reply is held
        whole (base64 and decoded) in Pagefind and here, so bigger indexes cost more memory
        (BENCHMARKS.md has the figures).
        """
        if lang not in self.indexes:
            number = len(self.indexes) % self.service_count
            if number == len(self.services):
                service = PagefindService()
                self.services.append(service)
                self.service_indexes.append((service.new_index(), 0))
            service = self.services[number]
            index_id, languages = self.service_indexes[number]
            if languages == LANGUAGES_PER_INDEX:
                index_id, languages = service.new_index(), 0
            self.service_indexes[number] = (index_id, languages + 1)
            self.indexes[lang] = (service, index_id)
        return self.indexes[lang]

    def send(self, lang: str, relative: str, html: bytes) -> None:
        """Send one page to the index of its language."""
        self.send_encoded(lang, encode_file(relative, html.decode()))

    def send_encoded(self, lang: str, encoded: bytes) -> None:
        """Send one page encoded by `encode_file` to the index of its language."""
        service, index_id = self.index_of(lang)
        self.pending.append((service, service.add_encoded_file(index_id, encoded)))

    def prepare(self, written: Written, data: bytes) -> PreparedPage | None:
        """Make what the index needs of a page, in the process that wrote it."""
        if not written.name.endswith(".html"):
            return None
        lang = page_language(data, written.here)
        if lang is None:
            return None
        document = search_document(data)
        encoded = encode_file(written.name, document.decode()) if self.stream else None
        return PreparedPage(lang, written.stamp, hashlib.sha256(document).hexdigest(), encoded)

    def written(self, written: Written, prepared: PreparedPage | None) -> None:
        """Note a page written or kept; index it if it is marked for search."""
        name = written.name
        if name.startswith(f"{BUNDLE}/"):
            self.memory.file_stamps[name[len(BUNDLE) + 1 :]] = written.stamp
            return
        here = written.here
        if not name.endswith(".html") or (here is not None and not here.indexable):
            return
        if prepared is not None:
            self.stamps[name] = (*prepared.stamp, prepared.sha)
            self.pages[prepared.lang].append((name, prepared.sha))
            if prepared.encoded is not None:
                self.send_encoded(prepared.lang, prepared.encoded)
            return
        if not written.kept:
            return  # written, with nothing prepared: not a page for search
        before = self.stamps_before.get(name)
        if here is not None and before is not None and before[:2] == written.stamp:
            self.stamps[name] = before
            self.pages[here.lang].append((name, before[2]))
            return
        html = Path(written.path).read_bytes()
        lang = page_language(html, here)
        if lang is None:
            return
        document = search_document(html)
        sha = hashlib.sha256(document).hexdigest()
        self.stamps[name] = (*written.stamp, sha)
        self.pages[lang].append((name, sha))
        if self.stream:
            self.send(lang, name, document)

    def close(self) -> None:
        """Stop the Pagefind services."""
        for service in self.services:
            service.close()

    def _digest(self, lang: str) -> str:
        digest = hashlib.sha256()
        for relative, sha in self.pages[lang]:
            digest.update(f"{relative}\0{sha}\n".encode())
        return digest.hexdigest()

    def _intact(self, bundle: LanguageBundle) -> bool:
        """Tell whether the files a language's index wrote are still as written."""
        folder = self.output / BUNDLE
        for name in bundle.files:
            try:
                stat = (folder / name).stat()
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != self.memory.file_stamps.get(name):
                return False
        return True

    def finish(self) -> Later:
        """Give the bundle (pagefind/, exactly Pagefind's files) once every page is written."""
        self.memory.page_stamps = self.stamps
        return Later(self.bundle_outputs, background=not self.stream)

    def bundle_outputs(self) -> list[FileOutput]:
        """Index what changed; return every file of the bundle (kept or new) as outputs."""
        try:
            return self._bundle_outputs()
        except BaseException:
            self.memory.bundles = None  # the next build indexes afresh
            raise
        finally:
            self.close()

    def _bundle_outputs(self) -> list[FileOutput]:
        digests = {lang: self._digest(lang) for lang in self.pages}
        kept: dict[str, LanguageBundle] = {}
        for lang in sorted(self.pages):
            before = (self.remembered or {}).get(lang)
            if self.stream or lang in self.indexes:
                continue
            if before is not None and before.digest == digests[lang] and self._intact(before):
                kept[lang] = before
                continue
            for relative, _ in self.pages[lang]:  # in the order written, as a first build sends
                self.send(lang, relative, search_document((self.output / relative).read_bytes()))
        for service, message_id in self.pending:
            service.reply(message_id)
        languages_of: dict[tuple[PagefindService, int], list[str]] = defaultdict(list)
        for lang, index in self.indexes.items():
            languages_of[index].append(lang)
        requests = [
            (languages, service, service.request({"type": "GetFiles", "index_id": index_id}))
            for (service, index_id), languages in languages_of.items()
        ]
        fresh: dict[str, tuple[dict, dict[str, bytes]]] = {}
        for languages, service, request in requests:
            fresh.update(split_by_language(decode_files(service.reply(request)), languages))
        self.close()

        files: dict[str, bytes] = {}
        entries: dict[str, LanguageBundle] = dict(kept)
        for lang, (entry, bundle) in sorted(fresh.items()):
            for name, data in bundle.items():
                if files.setdefault(name, data) != data:
                    raise PortalError(self.output / BUNDLE / name, "Pagefind wrote two versions")
            shas = {name: hashlib.sha256(data).hexdigest() for name, data in bundle.items()}
            entries[lang] = LanguageBundle(digests[lang], entry, shas)
        shas = {name: sha for bundle in kept.values() for name, sha in bundle.files.items()}
        shas.update({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
        entry = merged_entry([entries[lang].entry for lang in sorted(entries)])
        files[ENTRY] = entry
        shas[ENTRY] = hashlib.sha256(entry).hexdigest()
        self.memory.bundles = entries
        logger.info(
            "search index: %r languages indexed, %r kept, in %r",
            len(fresh),
            len(kept),
            str(self.output / BUNDLE),
        )
        folder = self.output / BUNDLE
        return [
            FileOutput(
                f"{BUNDLE}/{name}",
                (lambda data=files[name]: data) if name in files else (folder / name).read_bytes,
                inputs=shas[name],
            )
            for name in sorted(shas)
        ]


def split_by_language(
    files: dict[str, bytes], languages: list[str]
) -> dict[str, tuple[dict, dict[str, bytes]]]:
    """Split the files of an index holding `languages` into each language's entry and files.

    A language's files are those Pagefind names after it (its meta file, index chunks and
    fragments: ``<lang>_<hash>``; its word-stemming ``wasm.<name>.pagefind``) and the files
    every index has (the scripts, styles, ``wasm.unknown.pagefind``): what an index of that
    language alone holds.
    """
    entry = json.loads(files[ENTRY])
    own: dict[str, set[str]] = {}
    for lang in languages:
        about = entry["languages"][lang]
        names = {f"pagefind.{about['hash']}.pf_meta"}
        if about.get("wasm"):
            names.add(f"wasm.{about['wasm']}.pagefind")
        prefixes = (f"index/{lang}_", f"fragment/{lang}_")
        names.update(name for name in files if name.startswith(prefixes))
        own[lang] = names
    anyone = set().union(*own.values())
    common = {name: data for name, data in files.items() if name not in anyone and name != ENTRY}
    return {
        lang: (
            {**entry, "languages": {lang: entry["languages"][lang]}},
            {**common, **{name: files[name] for name in own[lang]}},
        )
        for lang in languages
    }


def start_index(context: BuildContext) -> SearchIndex | ListenerBase:
    """Return the search index of a build (``SEARCH_INDEX = False``: none, and no bundle)."""
    if not context.settings.get("SEARCH_INDEX", True):
        return ListenerBase()
    return SearchIndex(context)


def get_generators(pelican):
    """Add the search page generator."""
    return SearchGenerator


def listen(pelican) -> None:
    """Give every build of this Pelican instance its search index."""
    on_written(pelican, start_index)


def register():
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(listen)
    signals.get_generators.connect(get_generators)
