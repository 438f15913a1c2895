"""The engine's front door: the only names features use from the build engine.

Every file of the site reaches the output folder through `write`: a generator declares its
outputs (`PageOutput`, `FileOutput`, each with its inputs) and the engine decides the rest:
worker processes, keeping a file whose inputs did not change since the last build of the same
Pelican instance, removing files no longer built. Besides writing, a feature may

- `share` a value with every template (the shared context), with a digest of what it is made
  of, so that the engine can tell whether pages showing it may be kept; or `share_tracked` a
  large one (the directory's records), of which each page shows a part: the engine notes
  what each page asks of it and keeps the page while the answers stay the same;
- hear of every file written with `on_written`: each build gets a `WrittenListener` that is
  told of every file written or kept (`Written`), can work on a page's bytes where it was
  written (`prepare`, in the worker), and gives its own outputs at the end (`finish`);
- check every Markdown page as it is read with `on_page_read` (a `ReadPage`: source text,
  HTML, converted fields); its PortalErrors stop the build with file and line;
- keep its own memory between the builds of one Pelican instance with `memory_slot`, and
  its own results in a disk cache with `site_cache`;
- compute something over many items in the engine's worker processes with `in_workers`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .disk_cache import site_cache
from .memory import memory_of
from .options import options
from .outputs import (
    BuildContext,
    FileOutput,
    Later,
    ListenerBase,
    Output,
    PageOutput,
    ReadPage,
    Written,
    WrittenListener,
)
from .workers import ordered_map, worker_count
from .writing import TRACKED, digest_inputs, write_outputs

__all__ = [
    "BuildContext",
    "FileOutput",
    "Later",
    "ListenerBase",
    "PageOutput",
    "ReadPage",
    "Written",
    "WrittenListener",
    "in_workers",
    "keeps_outputs",
    "memory_slot",
    "on_page_read",
    "on_written",
    "share",
    "share_tracked",
    "site_cache",
    "wait_for_late_outputs",
    "worker_processes",
    "write",
]

T = TypeVar("T")


def write(generator, outputs: Iterable[Output]) -> None:
    """Write `outputs` (in this order) for `generator`: the only way into the output folder."""
    write_outputs(generator, list(outputs))


def share(generator, name: str, value: Any, inputs: Any) -> None:
    """Give every template `name`, made of `inputs` (plain data; None: pages declare their own).

    With None, the value's part in a page is in that page's inputs (the page tree: each page
    declares what it shows of it), and it does not stop pages from being kept.
    """
    generator.context[name] = value
    build = memory_of(generator.settings).build
    if build is not None:
        build.shared[name] = None if inputs is None else digest_inputs(inputs)


def share_tracked(generator, name: str, value: Any, digest: str) -> None:
    """Give every template `name`, a value each page shows a part of, asked for in the template
    (``DIRECTORY.news_about(supporter.id, here.lang)``); `digest` is a digest of all of it.

    In builds that keep outputs (the dev server), the engine notes every attribute a page reads
    of it and every method it calls (with text or number arguments), with a digest of each
    answer; the page is kept in the next build if each gets the same answer then (asked only
    when the value's `digest` changed: otherwise every answer is the same). A value must
    therefore give the same answers to the same questions within a build, and answers whose
    repr shows their data (dataclasses, records, lists, text, numbers). An output whose bytes
    are not made by a template (a FileOutput) names what it uses of the value in its own
    inputs.
    """
    generator.context[name] = value
    memory = memory_of(generator.settings)
    build = memory.build
    if build is not None:
        build.shared[name] = TRACKED
        if memory.keeps:
            build.tracked[name] = value
            build.tracked_digests[name] = digest
            if memory.tracked_digests.get(name) == digest:
                build.unchanged.add(name)


def on_written(pelican, factory: Callable[[BuildContext], WrittenListener]) -> None:
    """Give every build of `pelican` a listener, ``factory(build_context)``, made at its start."""
    memory_of(pelican.settings).listener_factories.append(factory)


def on_page_read(pelican, check: Callable[[ReadPage], None]) -> None:
    """Run ``check(page)`` on every Markdown page `pelican` reads; it raises PortalError(s)."""
    memory_of(pelican.settings).page_checks.append(check)


def memory_slot(settings: dict, name: str, factory: Callable[[], T]) -> T:
    """Return a feature's memory `name`, kept between the builds of one Pelican instance."""
    return memory_of(settings).slot(name, factory)


def keeps_outputs(settings: dict) -> bool:
    """Tell whether the builds of this Pelican instance keep unchanged outputs (dev server)."""
    return memory_of(settings).keeps


def in_workers(settings: dict) -> Callable[[Callable[[Any], Any], list], Iterator[Any]]:
    """Return a map over the engine's worker processes: ``mapper(func, items)`` yields
    ``func(item)`` for every item, in order (in this process when the engine is off).

    The workers are forked from the build, so `func` and the items need not pickle; results
    must. An item a worker fails at is computed again here, so its error is raised here.
    """
    workers = worker_processes(settings)
    return lambda func, items: ordered_map(func, items, workers)


def worker_processes(settings: dict) -> int:
    """Return how many processes work in parallel in this Pelican instance's builds."""
    chosen = options(settings)
    return worker_count(chosen["workers"]) if chosen["enabled"] else 1


def wait_for_late_outputs(settings: dict) -> None:
    """Wait until the outputs the last build makes after it has ended are written."""
    memory_of(settings).wait_for_background()


def build_once(pelican) -> None:
    """Tell the engine that this Pelican instance builds once (`make html`, not the dev server):
    then no output's key is computed or remembered, for nothing would use them."""
    memory_of(pelican.settings).keeps = False
