"""What lives between builds: one `BuildMemory` per Pelican instance, and the `Build` under way.

`make html` builds once and keeps nothing for a next build; the dev server builds again and
again with one Pelican instance, and whatever a build can reuse from the one before (pages
whose inputs did not change, compiled templates and catalogues, a feature's own results) is
kept here and nowhere else: no module or class keeps state from one build to the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from jinja2 import BytecodeCache

from .options import options

#: Where a Pelican instance's memory is kept: its settings, which every generator gets.
MEMORY_KEY = "BUILD_ENGINE_MEMORY"

T = TypeVar("T")


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates, kept for the life of the Pelican instance.

    Pelican makes a new Jinja environment for every generator in every build, and each would
    compile base.html and the rest again (40 compilations per build). Jinja checks each cached
    entry against the template's source, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.ahead: Callable[[], dict[str, bytes]] | None = None  # see engine.compile_ahead

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


@dataclass(frozen=True)
class Record:
    """What a build wrote at one path: the key of its inputs (None: none declared), its stamp,
    and what its template asked of the tracked shared values (see `writing.Tracker`): each
    question with the digest of its answer (None: something was asked that cannot be asked
    again, and the page is made again next time)."""

    key: str | None
    size: int
    mtime_ns: int
    questions: tuple | None = ()


@dataclass
class Build:
    """One build under way: what it has written so far, and who listens."""

    number: int
    output_path: str
    listeners: list = field(default_factory=list)  # WrittenListener, in registration order
    records: dict[str, Record] = field(default_factory=dict)  # by path below the output
    shared: dict[str, str | None] = field(default_factory=dict)  # shared name -> its digest
    #: shared values a page depends on only through what it asks of them (share_tracked)
    tracked: dict[str, Any] = field(default_factory=dict)
    #: digests of this build's answers to the questions pages ask of them, by question
    answers: dict[tuple, str | None] = field(default_factory=dict)
    #: the digest of each tracked value as a whole, and the names of those that are the same
    #: as in the last finished build (every question about them has the same answer)
    tracked_digests: dict[str, str] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)
    reading: Any = None  # reader.BuildReading: the Markdown pages of this build
    fresh_output: bool = False  # the output folder was empty when the build began


@dataclass
class BuildMemory:
    """Everything a Pelican instance keeps between its builds."""

    #: keep unchanged outputs between builds (the dev server); `make html` builds once
    keeps: bool
    builds: int = 0
    #: the last finished build's records: what it wrote at each path below the output
    records: dict[str, Record] = field(default_factory=dict)
    #: the last finished build's digests of its tracked values (Build.tracked_digests)
    tracked_digests: dict[str, str] = field(default_factory=dict)
    bytecode: ProcessBytecodeCache = field(default_factory=ProcessBytecodeCache)
    compiled_catalogues: dict = field(default_factory=dict)
    #: a feature's own memory by name (see `slot`)
    slots: dict[str, Any] = field(default_factory=dict)
    #: checks of every Markdown page, and listener factories, registered by features
    page_checks: list[Callable] = field(default_factory=list)
    listener_factories: list[Callable] = field(default_factory=list)
    build: Build | None = None
    #: the last build's outputs still being made after it ended (the dev server's search index)
    background: threading.Thread | None = None

    def slot(self, name: str, factory: Callable[[], T]) -> T:
        """Return the memory a feature keeps under `name` (made by `factory` the first time)."""
        if name not in self.slots:
            self.slots[name] = factory()
        return self.slots[name]

    def wait_for_background(self) -> None:
        """Wait until the outputs the last build made after it ended are written."""
        if self.background is not None:
            self.background.join()
            self.background = None


def memory_of(settings: dict) -> BuildMemory:
    """Return the memory of the Pelican instance whose settings these are (made on first use)."""
    memory = settings.get(MEMORY_KEY)
    if memory is None:
        chosen = options(settings)
        memory = BuildMemory(keeps=chosen["enabled"] and chosen["incremental"])
        settings[MEMORY_KEY] = memory
    return memory
