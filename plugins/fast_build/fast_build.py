"""Pelican wiring of the fast build: Markdown ahead of time, parallel rendering, kept pages.

Nothing here changes what the site contains: with ``FAST_BUILD = {"enabled": False}`` the
build takes the plain path, and the tests compare both outputs byte for byte. See
`markdown_cache`, `output` and `workers` for the parts.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from jinja2 import BytecodeCache
from pelican import signals

from .markdown_cache import FastMarkdown, MarkdownCache, fingerprint
from .memo import memory_on
from .options import options
from .output import MEMORY_KEY, FastWriter, OutputMemory, finish_build, remove_unwritten
from .workers import in_background, worker_count

logger = logging.getLogger(__name__)


def start_instance(pelican) -> None:
    """Check FAST_BUILD; give the instance a memory of its builds (for the dev server)."""
    settings = options(pelican.settings)
    if settings["enabled"] and settings["incremental"]:
        pelican.settings[MEMORY_KEY] = OutputMemory(clean_output=pelican.delete_outputdir)


def build_once(pelican) -> None:
    """Tell the fast build that this instance builds once (`make html`, not the dev server).

    Then nothing is kept for a next build: no page's render key is computed or remembered
    (the keys cost 0.1 s of the shipped site's 3 s build, for nothing when no build follows).
    """
    pelican.settings.pop(MEMORY_KEY, None)


def start_build(pelican) -> None:
    """Begin a build of the instance (called once per build, before its generators exist).

    After the first build, Pelican no longer empties the output folder (see end_build): here
    every file that the writer did not write last time (search index, sitemaps, feeds, copied
    assets) is removed instead, so that whoever makes it makes it afresh, as after a clean.
    """
    memory = pelican.settings.get(MEMORY_KEY)
    if memory is None:
        return
    memory.begin()
    if memory.builds and memory.clean_output:
        remove_unwritten(Path(pelican.output_path), memory.written, pelican.output_retention)


def _markdown_readers(generator) -> list:
    """Return the distinct readers that take a fast path (one instance per file extension).

    Such a reader (multilingual's FactsMarkdownReader) has a `converter` attribute and a
    `prepare(source_path)` method; see its docstring.
    """
    found = []
    for reader in generator.readers.readers.values():
        fast_capable = hasattr(type(reader), "converter") and hasattr(reader, "prepare")
        if fast_capable and reader not in found:
            found.append(reader)
    return found


def cache_file(settings: dict) -> Path:
    """Return the Markdown cache file of this site (one per content folder)."""
    site = hashlib.sha256(str(settings["PATH"]).encode()).hexdigest()[:16]
    return Path(settings["CACHE_PATH"]) / "fast_build" / f"markdown-{site}.pickle"


def convert_pages_ahead(generator) -> None:
    """Give the page readers the fast path and convert every page before Pelican reads them."""
    settings = options(generator.settings)
    readers = _markdown_readers(generator)
    if not settings["enabled"] or not readers:
        return
    reader = readers[0]
    cache = MarkdownCache(
        cache_file(generator.settings) if settings["cache"] else None,
        fingerprint(reader.settings["MARKDOWN"], reader.settings["FORMATTED_FIELDS"]),
    )
    fast = FastMarkdown(reader, cache)
    for each in readers:
        each.converter = fast
    extensions = {ext for each in readers for ext in each.file_extensions}
    paths = [
        os.path.abspath(os.path.join(generator.path, name))
        for name in generator.get_files(
            generator.settings["PAGE_PATHS"], exclude=generator.settings["PAGE_EXCLUDES"]
        )
        if name.rsplit(".", 1)[-1] in extensions
    ]
    workers = worker_count(settings["workers"]) if len(paths) >= settings["parallel_from"] else 1
    fast.start(paths, workers)


def save_markdown_cache(generator) -> None:
    """Save the converted Markdown once Pelican has read every page."""
    for reader in _markdown_readers(generator):
        if reader.converter is not None:
            reader.converter.stop()
            reader.converter.cache.save()
            return


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates, kept in memory for the life of the process.

    Pelican makes a new Jinja environment for every generator in every build, and each compiled
    base.html and the rest again (40 compilations per build). Jinja checks each cached entry
    against the template's source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.ahead: Callable[[], dict[str, bytes]] | None = None  # see compile_templates_ahead

    def load_bytecode(self, bucket) -> None:
        """Give the bucket the code compiled earlier, if any."""
        if self.ahead is not None:
            ahead, self.ahead = self.ahead, None
            for key, code in ahead().items():
                self.compiled.setdefault(key, code)
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        """Keep what was just compiled."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


PROCESS_BYTECODE = ProcessBytecodeCache()


def prepare_environment(generator) -> None:
    """Templates compile once per process, and their ``{% memo %}`` parts render once per key
    in a build (see memo.py); with FAST_BUILD off, neither."""
    env = getattr(generator, "env", None)
    if env is None or not options(generator.settings)["enabled"]:
        return
    if env.bytecode_cache is None:
        env.bytecode_cache = PROCESS_BYTECODE
    if hasattr(env, "memo_parts"):
        memory_on(env)


def compile_templates_ahead(generator) -> None:
    """Compile the theme's templates in a worker while Pelican reads the pages.

    Compiling them (0.2 s for the shipped theme) would otherwise hold up the first page of
    each kind; the bytecode comes back through the process bytecode cache, which Jinja checks
    against each template's source as always. Only the first build of a process does this.
    """
    env = getattr(generator, "env", None)
    if env is None or env.bytecode_cache is not PROCESS_BYTECODE or PROCESS_BYTECODE.compiled:
        return
    if worker_count(options(generator.settings)["workers"]) <= 1:
        return
    names = [name for name in env.list_templates() if not name.startswith("!")]

    def compile_all() -> dict[str, bytes]:
        for name in names:
            with contextlib.suppress(Exception):  # the build reports it when it loads it
                env.get_template(name)
        return PROCESS_BYTECODE.compiled

    PROCESS_BYTECODE.ahead = in_background(compile_all)


def fast_writer(pelican):
    """Use the writer that can keep unchanged files, unless FAST_BUILD is off."""
    return FastWriter if options(pelican.settings)["enabled"] else None


def end_build(pelican) -> None:
    """Remove what the previous build wrote and this one did not; keep the output next time."""
    memory = pelican.settings.get(MEMORY_KEY)
    if memory is None:
        return
    finish_build(memory)
    # The next build of this instance keeps the output folder and replaces only what changed.
    pelican.delete_outputdir = False
    collect_when_idle()


IDLE_SECONDS = 0.5  # after a dev-server build, when the collector walks everything


def collect_when_idle() -> None:
    """(dev server) Collect garbage once the build is over, then freeze what is left.

    The dev server's process holds the whole site (27,000 pages' worth of objects at 1,000
    supporters); a full collection walks all of it, 0.33 s, and Python started one in every
    second rebuild, in the middle of it (an edit took 1.50 and 1.18 s in turn, `gc.callbacks`).
    Here it runs half a second after the build, while the editor looks at the page; then every
    object left is frozen (`gc.freeze`), so that the next build's collections walk only what
    that build makes. Garbage among the frozen objects is found by the next of these passes.
    """

    def collect() -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    timer = threading.Timer(IDLE_SECONDS, collect)
    timer.daemon = True
    timer.start()


def register():
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(start_instance)
    signals.get_generators.connect(start_build)
    signals.page_generator_init.connect(convert_pages_ahead)
    signals.page_generator_init.connect(compile_templates_ahead)
    signals.page_generator_finalized.connect(save_markdown_cache)
    signals.get_writer.connect(fast_writer)
    signals.generator_init.connect(prepare_environment)
    signals.finalized.connect(end_build)
