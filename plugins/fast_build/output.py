"""Writing many pages: rendered in worker processes, and kept when nothing they show changed.

A generator hands `write_pages` a list of `RenderJob`s instead of calling the writer once per
page. Every page still goes through the writer, in the same order, with the same context, so
overwrite checks and the ``content_written`` signal work as before; only where the HTML is
rendered changes. With FAST_BUILD off (or relative URLs, or pagination), `write_pages` is
exactly the plain loop over ``writer.write_file``.

Keeping pages (the dev server's rebuilds). A job may carry a `key`: a string that changes
whenever anything the page shows changes, besides what every page shares (templates, files the
generator names in `depends_on`, and the plain data of the shared context, all folded into the
key here). When a later build in the same process finds the same key, and the file in the output
is still the one it wrote, the page is neither rendered nor written again. Keys are only
compared within one process (`OutputMemory` lives on the Pelican instance), so a new process
(`make html`) always renders everything.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import time
from collections import ChainMap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import Writer

from .options import options
from .workers import ordered_map, worker_count

logger = logging.getLogger(__name__)

MEMORY_KEY = "FAST_BUILD_MEMORY"
#: Work on a written page's bytes, done where the page is written (in the worker that rendered
#: it): name -> function(OUTPUT_PATH, path below it, the page's UTF-8 bytes, the file's stamp
#: (size, modification time in ns), the job's variables) returning something picklable.
#: ``content_written`` receivers find the results under WRITTEN_EXTRAS in their context, by
#: name, and need not read the file back; a page this process wrote itself (or kept) comes
#: without them.
PAGE_HOOKS: dict[str, Callable[[str, str, bytes, tuple[int, int], dict], Any]] = {}
WRITTEN_EXTRAS = "fast_build_written_extras"
#: Parameters of Writer.write_file that are not template variables.
WRITER_PARAMETERS = frozenset(
    {"relative_urls", "paginated", "template_name", "override_output", "url"}
)
PAGINATION_VARIABLES = frozenset({"articles", "dates"})


@dataclass
class RenderJob:
    """One page to write: where, with which template, and the variables it gets."""

    name: str  # output path, relative to OUTPUT_PATH
    template: Any  # a Jinja template
    kwargs: dict  # what Writer.write_file gets besides name, template and context
    key: str | None = None  # what the page shows besides the shared context; None: always render


class Rendered:
    """Stands in for a template: returns the HTML a worker rendered."""

    def __init__(self, html: str) -> None:
        self.html = html

    def render(self, *args, **kwargs) -> str:
        """Return the HTML rendered earlier."""
        return self.html


@dataclass
class OutputMemory:
    """What the builds of one Pelican instance wrote, so that the next build can keep it."""

    clean_output: bool  # the settings ask for an output folder with nothing stale in it
    outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path: key, size, ns
    written: set[str] = field(default_factory=set)  # every file the last build wrote
    next_outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    next_written: set[str] = field(default_factory=set)
    builds: int = 0

    def begin(self) -> None:
        """Start a build: forget what an unfinished build recorded."""
        self.next_outputs = {}
        self.next_written = set()

    def finish(self) -> list[str]:
        """End a build that succeeded; return the files of the last build it did not write."""
        stale = sorted(self.written - self.next_written)
        self.outputs, self.written = self.next_outputs, self.next_written
        self.begin()
        self.builds += 1
        return stale


@lru_cache(maxsize=64)
def absolute(path: str) -> str:
    """Return `path` made absolute: for a build's output folder, the same for all its pages."""
    return os.path.abspath(path)


def local_context(context: dict, name: str, kwargs: dict) -> dict:
    """Return the variables a template gets, as Writer.write_file makes them (absolute URLs)."""
    localcontext = context.copy()
    localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
    localcontext["output_file"] = name
    localcontext.update({k: v for k, v in kwargs.items() if k not in WRITER_PARAMETERS})
    return localcontext


class FastWriter(Writer):
    """Pelican's writer, which also records what it wrote and can keep an unchanged file."""

    def __init__(self, output_path, settings=None) -> None:
        super().__init__(output_path, settings=settings)
        self.memory: OutputMemory | None = (settings or {}).get(MEMORY_KEY)

    def _open_w(self, filename, encoding, override=False):
        handle = super()._open_w(filename, encoding, override=override)
        if self.memory is not None:
            self.memory.next_written.add(filename)
        return handle

    def account_file(
        self,
        name: str,
        context: dict,
        how: str,
        extras: dict | None = None,
        joined: str | None = None,
        **kwargs,
    ) -> None:
        """Account for `name` as written by this writer: it is in the output already.

        The file was kept from the last build, or a worker wrote it (`extras`: what the
        PAGE_HOOKS made of it there). `joined`: its path, if the caller has it from
        ``sanitised_join(output_path, name)`` already. The overwrite checks and the
        ``content_written`` signal are the writer's own.
        """
        path = joined or sanitised_join(self.output_path, name)
        if path in self._written_files or path in self._overridden_files:
            # let the writer raise (or skip) exactly as it does for a second write
            self._open_w(path, "utf-8", override=kwargs.get("override_output", False)).close()
        self._written_files.add(path)
        if self.memory is not None:
            self.memory.next_written.add(path)
        logger.debug("Accounting for %r, %s", path, how)
        if signals.content_written.receivers:
            # The variables local_context gives, as a view instead of a copy of the whole
            # context for each of 27,000 kept pages; receivers only read it.
            variables = {k: v for k, v in kwargs.items() if k not in WRITER_PARAMETERS}
            variables.update(output_file=name, localsiteurl=context.get("localsiteurl"))
            if extras:
                variables[WRITTEN_EXTRAS] = extras
            signals.content_written.send(path, context=ChainMap(variables, context))


def keeps_pages(writer) -> bool:
    """Tell whether `writer` can keep unchanged pages, so jobs' keys are worth computing."""
    return isinstance(writer, FastWriter) and writer.memory is not None


def _loader_folders(loader) -> list[str]:
    """Return the folders a Jinja loader (and the loaders inside it) reads templates from."""
    if isinstance(loader, FileSystemLoader):
        return list(loader.searchpath)
    if isinstance(loader, ChoiceLoader):
        return [folder for inner in loader.loaders for folder in _loader_folders(inner)]
    if isinstance(loader, PrefixLoader):
        return [folder for inner in loader.mapping.values() for folder in _loader_folders(inner)]
    return []


def _stamp_files(digest, paths: Iterable[str | Path]) -> None:
    """Add every file's path, size and modification time under `paths` to `digest`."""
    for top in paths:
        top = Path(top)
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())


#: Values whose repr is all there is to them.
SCALARS = (
    bool,
    int,
    float,
    str,
    bytes,
    Decimal,
    PurePath,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    Enum,
)


def _plain_data(digest, value, depth: int = 0) -> bool:
    """Add plain data (recursively) to `digest`; return True if `value` holds anything else."""
    if value is None or isinstance(value, SCALARS):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
        return False
    if depth < 8 and isinstance(value, list | tuple | set | frozenset):
        digest.update(b"[")
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        other = any([_plain_data(digest, item, depth + 1) for item in items])
        digest.update(b"]")
        return other
    if depth < 8 and isinstance(value, dict):
        digest.update(b"{")
        other = False
        for key in sorted(value, key=repr):
            other = _plain_data(digest, key, depth + 1) or other
            other = _plain_data(digest, value[key], depth + 1) or other
        digest.update(b"}")
        return other
    if isinstance(value, type) or callable(value):  # classes and functions: code, not data
        digest.update(f"code:{getattr(value, '__qualname__', type(value).__name__)};".encode())
        return False
    return True


#: Pelican's collections of content objects: what templates show of them is in the job keys.
PELICAN_COLLECTIONS = frozenset(
    {
        "articles",
        "authors",
        "categories",
        "dates",
        "draft_pages",
        "drafts",
        "drafts_translations",
        "generated_content",
        "hidden_articles",
        "hidden_pages",
        "pages",
        "period_archives",
        "related_posts",
        "static_content",
        "static_links",
        "tags",
        "translations",
    }
)


def shared_signature(generator, depends_on: Iterable[str | Path], covered: Iterable[str]) -> bytes:
    """Return a digest of what every page shares: templates, named files, the shared context.

    Plain data in the context is digested as it is; an object by its ``render_digest()``. Keys
    in `covered` (and Pelican's content collections) are left out: the job keys cover them.
    Any other object cannot be told unchanged, so the digest differs in every build and no
    page is kept.
    """
    digest = hashlib.sha256()
    _stamp_files(digest, _loader_folders(generator.env.loader))
    _stamp_files(digest, depends_on)
    skip = PELICAN_COLLECTIONS | set(covered) | {MEMORY_KEY}
    for key in sorted(k for k in generator.context if k not in skip):
        value = generator.context[key]
        digest.update(f"\0{key}=".encode())
        if hasattr(value, "render_digest"):
            digest.update(value.render_digest().encode())
        elif _plain_data(digest, value):
            logger.debug("%r in the context has no render_digest(): no page is kept", key)
            digest.update(os.urandom(16))
    return digest.digest()


def _render(job: RenderJob, context: dict) -> str:
    """Render one job's template as the writer would."""
    return job.template.render(local_context(context, job.name, job.kwargs))


def _plain_loop_only(generator, jobs: list[RenderJob], enabled: bool) -> bool:
    """Tell whether these jobs must be written one by one, exactly as Pelican does."""
    if not enabled or generator.settings.get("RELATIVE_URLS"):
        return True
    return any(
        PAGINATION_VARIABLES & job.kwargs.keys() or job.kwargs.get("paginated") for job in jobs
    )


def write_pages(
    generator,
    writer,
    jobs: list[RenderJob],
    depends_on: Iterable[str | Path] = (),
    covered: Iterable[str] = (),
) -> None:
    """Write every job's page through `writer`, in order; render in workers, keep unchanged ones.

    `depends_on` names files and folders (besides templates) that every page depends on, such
    as the interface-string catalogues; `covered` names context variables whose part in a page
    the jobs' keys already cover (see `shared_signature`).
    """
    context = generator.context
    settings = options(generator.settings)
    if _plain_loop_only(generator, jobs, settings["enabled"]):
        for job in jobs:
            writer.write_file(job.name, job.template, context, **job.kwargs)
        return

    memory = writer.memory if isinstance(writer, FastWriter) else None
    keys: list[str | None] = [None] * len(jobs)
    kept: dict[int, str] = {}  # index: the kept file's path
    if memory is not None:
        shared = shared_signature(generator, depends_on, covered)
        for index, job in enumerate(jobs):
            if job.key is None:
                continue
            keys[index] = key = hashlib.sha256(shared + job.key.encode("utf-8")).hexdigest()
            before = memory.outputs.get(job.name)
            if before is not None and before[0] == key:
                path = sanitised_join(writer.output_path, job.name)
                if _unchanged_file(path, before):
                    kept[index] = path

    started = time.perf_counter()
    todo = [index for index in range(len(jobs)) if index not in kept]
    workers = worker_count(settings["workers"]) if len(todo) >= settings["parallel_from"] else 1
    first = None
    if workers > 1:
        # Render one page here first: the templates it includes get compiled, and the data
        # they load get cached, once in this process instead of once in every worker.
        first = todo.pop(0)
        first_html = _render(jobs[first], context)
    direct = workers > 1 and _can_write_directly(writer, [jobs[index] for index in todo])
    if direct:  # workers render and write; this process keeps the writer's books
        output_path = writer.output_path
        done = ordered_map(lambda index: _write(output_path, jobs[index], context), todo, workers)
    elif workers > 1:  # workers render; the writer writes
        done = ordered_map(lambda index: _render(jobs[index], context), todo, workers)
    else:
        done = (stamp for stamp in ())
    try:
        for index, job in enumerate(jobs):
            if index in kept:
                how = "kept, unchanged"
                writer.account_file(job.name, context, how, joined=kept[index], **job.kwargs)
                memory.next_outputs[job.name] = memory.outputs[job.name]
                continue
            if index == first:
                writer.write_file(job.name, Rendered(first_html), context, **job.kwargs)
                stamp = None
            elif direct:
                stamp, extras = next(done)
                how = "written by a worker"
                writer.account_file(job.name, context, how, extras=extras, **job.kwargs)
            else:
                template = Rendered(next(done)) if workers > 1 else job.template
                writer.write_file(job.name, template, context, **job.kwargs)
                stamp = None
            if memory is not None and keys[index] is not None:
                if stamp is None:
                    stamp = _stamp(os.stat(sanitised_join(writer.output_path, job.name)))
                memory.next_outputs[job.name] = (keys[index], *stamp)
    finally:
        done.close()
    logger.debug(
        "Wrote %r pages, kept %r (%r workers) in %.2f s",
        len(todo) + (first is not None),
        len(kept),
        workers,
        time.perf_counter() - started,
    )


def _stamp(stat: os.stat_result) -> tuple[int, int]:
    """Return what tells a file apart from a later rewrite of it: size and modification time."""
    return stat.st_size, stat.st_mtime_ns


def _can_write_directly(writer, jobs: list[RenderJob]) -> bool:
    """Tell whether workers may write these files themselves: no file is written twice."""
    if not isinstance(writer, FastWriter):
        return False
    names = [sanitised_join(writer.output_path, job.name) for job in jobs]
    taken = writer._written_files | writer._overridden_files
    overriding = any(job.kwargs.get("override_output") for job in jobs)
    return not overriding and len(set(names)) == len(names) and not taken.intersection(names)


def _write(output_path: str, job: RenderJob, context: dict) -> tuple[tuple[int, int], dict]:
    """Render one job and write its file (in a worker); return its stamp and PAGE_HOOKS' work."""
    data = _render(job, context).encode("utf-8")
    path = sanitised_join(output_path, job.name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    stamp = _stamp(os.stat(path))
    extras = {
        name: hook(output_path, job.name, data, stamp, job.kwargs)
        for name, hook in PAGE_HOOKS.items()
    }
    return stamp, extras


def finish_build(memory: OutputMemory) -> None:
    """End a build: remove the files the last build wrote and this one did not."""
    for path in memory.finish():
        if memory.clean_output:
            try:
                os.remove(path)
                logger.debug("Removed %r, no longer built", path)
            except FileNotFoundError:
                pass


def _write_bytes(output_path: str, name: str, make) -> tuple[int, int]:
    """Make one file's bytes and write them (in a worker); return the file's stamp."""
    path = Path(output_path) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make())
    return _stamp(path.stat())


def write_files(
    generator,
    files: list[tuple[str, Callable[[], bytes]]],
    key: str | None = None,
    depends_on: Iterable[str | Path] = (),
    covered: Iterable[str] = (),
) -> None:
    """Write files that are not rendered templates (feeds, calendars, JSON), in workers.

    Each item is (path below OUTPUT_PATH, function returning the bytes). With FAST_BUILD off,
    or few files, they are made and written here, one after the other, in order.

    `key` names what the files are made from besides the shared context (see write_pages for
    `depends_on` and `covered`); given one, a later build of the same process (the dev server)
    keeps every file whose key is unchanged and which is still as it wrote it.
    """
    settings = options(generator.settings)
    output_path = generator.output_path
    memory = generator.settings.get(MEMORY_KEY) if settings["enabled"] else None
    keys: dict[str, str] = {}
    todo = files
    if memory is not None and key is not None:
        shared = shared_signature(generator, depends_on, covered)
        for name, _ in files:
            keys[name] = hashlib.sha256(shared + f"{key}\0{name}".encode()).hexdigest()
        todo = []
        for name, make in files:
            before = memory.outputs.get(name)
            path = os.path.join(output_path, name)
            if before is not None and before[0] == keys[name] and _unchanged_file(path, before):
                memory.next_outputs[name] = before
                memory.next_written.add(path)
            else:
                todo.append((name, make))
    workers = 1
    if settings["enabled"] and len(todo) >= settings["parallel_from"]:
        workers = worker_count(settings["workers"])
    done = ordered_map(lambda item: _write_bytes(output_path, *item), todo, workers)
    try:
        for (name, _), stamp in zip(todo, done, strict=True):
            if memory is not None:
                path = os.path.join(output_path, name)
                memory.next_written.add(path)
                if name in keys:
                    memory.next_outputs[name] = (keys[name], *stamp)
    finally:
        done.close()


def _unchanged_file(path: str, before: tuple[str, int, int]) -> bool:
    """Tell whether a file is still the one the last build wrote."""
    try:
        return _stamp(os.stat(path)) == before[1:]
    except OSError:
        return False


def remove_unwritten(output: Path, written: set[str], retention: Iterable[str]) -> None:
    """Remove every file under `output` that is not in `written` (or kept by retention).

    A link to a folder is neither entered nor removed (as os.walk does). Walked with scandir's
    entries, whose types and paths come with the listing: os.walk checks every folder for a
    link once more, and the path of every file was joined again; 0.48 -> 0.25 s (cProfile) of a
    dev-server rebuild at 1,000 supporters (55,000 files and folders).
    """
    kept_names = set(retention)
    folders = [os.fspath(output)]
    top = True
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if top and entry.name in kept_names:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif not entry.is_dir() and entry.path not in written:
                    os.remove(entry.path)
        top = False
