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
import os
import re
import shutil
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import lxml.html
from fast_build.options import options
from fast_build.output import PAGE_HOOKS, WRITTEN_EXTRAS, absolute
from fast_build.workers import worker_count
from multilingual.errors import PortalError
from multilingual.here import Here, LanguageLink, home_crumbs
from multilingual.multilingual import translator
from pelican import signals
from pelican.generators import Generator

from .pagefind_service import PagefindService, decode_files, encode_file

logger = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark an interface string for extraction; it is translated where it is used."""
    return message


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
        tree = self.context["PAGE_TREE"]
        languages = self.settings["LANGUAGES"]
        for lang in languages:
            versions = [LanguageLink(code, search_url(code), code == lang) for code in languages]
            here = Here(
                lang=lang,
                url=search_url(lang),
                title=translator(self.context, lang)(SEARCH_TITLE),
                title_lang=lang,
                versions=versions,
                breadcrumbs=home_crumbs(tree, lang),
                noindex=True,
            )
            writer.write_file(
                here.url + "index.html",
                self.get_template("search"),
                self.context,
                here=here,
                page_lang=lang,
                relative_urls=self.settings["RELATIVE_URLS"],
                url=here.url,
            )


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


def prepare_page(
    output: str, name: str, html: bytes, stamp: tuple[int, int], variables: dict
) -> PreparedPage | None:
    """Make what the index needs of a page (a fast_build page hook: run by the worker that
    wrote the page, so the build's own process neither reads it back nor encodes it)."""
    build = SearchBuild.current.get(absolute(output)) if name.endswith(".html") else None
    lang = page_language(html, variables.get("here")) if build is not None else None
    if lang is None:
        return None
    document = search_document(html)
    encoded = encode_file(name.replace(os.sep, "/"), document.decode()) if build.stream else None
    return PreparedPage(lang, stamp, hashlib.sha256(document).hexdigest(), encoded)


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
    """What the last build of this process wrote for one language's index."""

    digest: str  # of the pages it indexed
    entry: dict  # the pagefind-entry.json of its index alone
    files: dict[str, tuple[int, int]]  # bundle files (common ones too): size, modification time


class SearchBuild:
    """The search index of one build: the pages marked for search, indexed by Pagefind.

    Pages arrive through the writer's ``content_written`` signal; a page is indexed when base.html
    marked it (``here.indexable``; a page rendered without a `Here` is checked for
    ``data-pagefind-body``), in the index of its language, as Pagefind's command line would.
    The languages are spread over one Pagefind service per CPU (see `index_of`).

    The first build in a process sends each page as soon as it is written, so Pagefind indexes
    while the build renders. Later builds (the dev server's) only note the pages' digests; at the
    end, a language whose pages are all unchanged keeps the files it has, and only the others are
    indexed again: editing one English page re-indexes English, not 24 languages.
    """

    current: ClassVar[dict[str, SearchBuild]] = {}  # the build under way, by output folder
    memory: ClassVar[dict[str, dict[str, LanguageBundle]]] = {}  # the last one done, by output
    page_stamps: ClassVar[dict[str, dict[str, tuple[int, int, str]]]] = {}  # see `stamps`

    def __init__(self, output: Path, service_count: int) -> None:
        self.output = output
        self.remembered = SearchBuild.memory.get(str(output))
        self.stream = self.remembered is None
        self.service_count = max(1, service_count)
        self.services: list[PagefindService] = []
        # each service's newest index, and how many languages it holds
        self.service_indexes: list[tuple[int, int]] = []
        # lang: (path, sha256) of each page, in the order written. Pagefind numbers a language's
        # pages in the order they reach it, so every build sends them in this order.
        self.pages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.indexes: dict[str, tuple[PagefindService, int]] = {}
        self.pending: list[tuple[PagefindService, int]] = []
        # path: (size, modification time, sha256 of what Pagefind gets) of every page noted;
        # a later build takes the digest of a page whose file is unchanged without reading it.
        self.stamps: dict[str, tuple[int, int, str]] = {}
        self.stamps_before = SearchBuild.page_stamps.get(str(output), {})

    def index_of(self, lang: str) -> tuple[PagefindService, int]:
        """Return the service and index of `lang`, starting them when needed.

        Languages go to the services in turn, and an index holds up to LANGUAGES_PER_INDEX of
        them: Pagefind writes the same files for a language as in an index of its own (its
        command line indexes all languages in one), and every GetFiles carries Pagefind's
        script and style files, so fewer indexes cost less: the shipped site's last step took
        0.39 s with an index per language, 0.30 s with four languages per index, 0.29 s with
        one index per service. But a GetFiles reply is held whole (base64 and decoded) in
        Pagefind and here, so bigger indexes raise the build's peak memory: at 1,000 supporters
        625 MiB (PSS) with an index per language, 680 MiB with four languages per index, 751
        MiB with one index per service.
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

    def add(self, path: str, here, prepared: PreparedPage | None = None) -> None:
        """Note a page the writer wrote; index it if it is marked for search.

        `prepared`: what `prepare_page` made of it where it was written; without it, the page
        is read back.
        """
        if here is not None and not here.indexable:
            return
        prefix = f"{self.output}{os.sep}"
        if not path.startswith(prefix):
            return
        relative = path[len(prefix) :].replace(os.sep, "/")
        if prepared is not None:
            self.stamps[relative] = (*prepared.stamp, prepared.sha)
            self.pages[prepared.lang].append((relative, prepared.sha))
            if prepared.encoded is not None:
                self.send_encoded(prepared.lang, prepared.encoded)
            return
        if here is not None and not self.stream:
            stat = os.stat(path)
            before = self.stamps_before.get(relative)
            if before is not None and before[:2] == (stat.st_size, stat.st_mtime_ns):
                self.stamps[relative] = before
                self.pages[here.lang].append((relative, before[2]))
                return
        with open(path, "rb") as handle:
            html = handle.read()
            stat = os.fstat(handle.fileno())
        lang = page_language(html, here)
        if lang is None:
            return
        document = search_document(html)
        sha = hashlib.sha256(document).hexdigest()
        self.stamps[relative] = (stat.st_size, stat.st_mtime_ns, sha)
        self.pages[lang].append((relative, sha))
        if self.stream:
            self.send(lang, relative, document)

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
        for name, stamp in bundle.files.items():
            try:
                stat = (folder / name).stat()
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != stamp:
                return False
        return True

    def finish(self) -> None:
        """Index what changed and write the bundle: output/pagefind, exactly Pagefind's files."""
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
            entries[lang] = LanguageBundle(digests[lang], entry, dict.fromkeys(bundle, (0, 0)))
        keep = {name for bundle in kept.values() for name in bundle.files}
        entry = merged_entry([entries[lang].entry for lang in sorted(entries)])
        folder = self.output / BUNDLE
        stamps = write_bundle(folder, {**files, ENTRY: entry}, keep)
        for lang, bundle in entries.items():
            if lang in fresh:
                bundle.files = {name: stamps[name] for name in bundle.files}
        SearchBuild.memory[str(self.output)] = entries
        SearchBuild.page_stamps[str(self.output)] = self.stamps
        logger.info(
            "search index: %r languages indexed, %r kept, in %r",
            len(fresh),
            len(kept),
            str(folder),
        )


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


def write_bundle(folder: Path, files: dict[str, bytes], keep: set[str]) -> dict[str, tuple]:
    """Make `folder` hold exactly `files` and the `keep` files already there.

    A file already holding the same bytes is left as it is (the dev server rewrites little);
    anything else in the folder is removed. Return each written file's size and mtime.
    """
    stamps = {}
    wanted = set(files) | keep
    if folder.is_dir():
        for path in sorted(folder.rglob("*"), reverse=True):
            name = path.relative_to(folder).as_posix()
            if path.is_dir():
                if not any(path.iterdir()):
                    path.rmdir()
            elif name not in wanted:
                path.unlink()
    for name, data in sorted(files.items()):
        path = folder / name
        try:
            same = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
            path.parent.mkdir(parents=True, exist_ok=True)
        if not same:
            path.write_bytes(data)
        stat = path.stat()
        stamps[name] = (stat.st_size, stat.st_mtime_ns)
    return stamps


#: Search indexes being written after their build has finished, by output folder.
BACKGROUND: dict[str, threading.Thread] = {}


def wait_for_search_index(output: str | None = None) -> None:
    """Wait until the search index of every finished build (or of `output`'s) is written."""
    for folder, thread in list(BACKGROUND.items()):
        if output is None or folder == output:
            thread.join()
            BACKGROUND.pop(folder, None)


def _finish_in_background(build: SearchBuild) -> None:
    try:
        build.finish()
    except Exception as error:  # reported; the next build indexes afresh
        SearchBuild.memory.pop(str(build.output), None)
        logger.warning("the search index was not updated: %s", error)
    finally:
        build.close()


def start_build(pelican) -> None:
    """Begin a build's search index (once per build, before any page is written)."""
    output = Path(absolute(pelican.output_path))
    wait_for_search_index(str(output))  # the previous build's, if it is still being written
    previous = SearchBuild.current.pop(str(output), None)
    if previous is not None:  # a build that failed half-way
        previous.close()
    if pelican.settings.get("SEARCH_INDEX", True):
        count = worker_count(options(pelican.settings)["workers"])
        SearchBuild.current[str(output)] = SearchBuild(output, count)


def note_page(path, context) -> None:
    """Pass a written page to its build's search index (the ``content_written`` signal)."""
    build = SearchBuild.current.get(absolute(context["OUTPUT_PATH"]))
    path = str(path)
    if build is not None and path.endswith(".html"):
        path = path if os.path.isabs(path) else os.path.abspath(path)
        prepared = (context.get(WRITTEN_EXTRAS) or {}).get("search")
        build.add(path, context.get("here"), prepared)


def build_search_index(pelican) -> None:
    """Write Pagefind's bundle for the build (``SEARCH_INDEX = False`` turns it off).

    A first build writes it before it ends. A later build of the same process (the dev
    server's, after an edit) re-indexes the languages that changed in a thread, after the build
    has ended: the edited page can be seen at once, and search shows the edit a moment later
    (for one English page of the 1,000-supporter site, the English index: about 1.3 s). The
    next build waits for it first, so that no worker process is forked while it runs.
    """
    output = Path(absolute(pelican.output_path))
    build = SearchBuild.current.pop(str(output), None)
    if build is None:
        SearchBuild.memory.pop(str(output), None)
        shutil.rmtree(output / BUNDLE, ignore_errors=True)
        return
    if not build.stream:
        thread = threading.Thread(target=_finish_in_background, args=(build,), name="search")
        BACKGROUND[str(output)] = thread
        thread.start()
        return
    try:
        build.finish()
    finally:
        build.close()


def get_generators(pelican):
    """Add the search page generator."""
    return SearchGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.get_generators.connect(get_generators)
    signals.get_generators.connect(start_build)
    signals.content_written.connect(note_page)
    PAGE_HOOKS["search"] = prepare_page
    signals.finalized.connect(build_search_index)
