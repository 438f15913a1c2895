"""What features declare to the engine (outputs) and what they hear back (written files).

A page (`PageOutput`: where, which template, the variables it gets) or any other file
(`FileOutput`: where, and a function that makes its bytes), each with its `inputs`: plain data
(str, numbers, dates, dataclasses, lists, tuples, dicts of them) naming what it shows beyond
the shared context; None means "make it every build". `front_door` takes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class PageOutput:
    """A page rendered from one of the theme's templates."""

    path: str  # below the output folder, e.g. "fi/supporters/index.html"
    template: str  # the template's name without ".html", e.g. "page"
    variables: Mapping[str, Any]  # what the template gets besides the shared context
    inputs: Any = None  # what the page shows beyond the shared context; None: always render


@dataclass(frozen=True)
class FileOutput:
    """Any other file: a feed, a calendar, a JSON index, a copied asset."""

    path: str  # below the output folder
    make: Callable[[], bytes]  # called only when the file must be (re)written
    inputs: Any = None  # what the bytes are made of beyond the shared context; None: always


Output = PageOutput | FileOutput


@dataclass(frozen=True)
class Later:
    """Outputs a listener can give only after every page is written (a search index).

    `make` returns them. With `background`, a build that keeps outputs for the next (the dev
    server's) makes and writes them after it has ended, while the editor looks at the pages;
    the next build waits for them first.
    """

    make: Callable[[], Iterable[FileOutput]]
    background: bool = False


@dataclass(frozen=True)
class Written:
    """A file the build wrote (or kept from the last build) in the output folder."""

    name: str  # below the output folder, "/"-separated
    path: str  # absolute
    output: PageOutput | FileOutput
    stamp: tuple[int, int]  # size and modification time (ns) of the file as written
    kept: bool = False  # True: unchanged since the last build, not written again

    @property
    def here(self):
        """Return the page's `Here` (what base.html renders it from), if the template got one."""
        if isinstance(self.output, PageOutput):
            return self.output.variables.get("here")
        return None


class WrittenListener(Protocol):
    """Hears of every file a build writes, in the order written."""

    def prepare(self, written: Written, data: bytes) -> Any:
        """Work on the bytes of a file just written, in the process that wrote it (a worker).

        The result must pickle; `written` gets it. Return None for nothing.
        """

    def written(self, written: Written, prepared: Any) -> None:
        """Take note of a written or kept file (in the build's own process)."""

    def finish(self) -> Iterable[FileOutput] | Later:
        """Return the listener's own outputs, once every other output is written."""


class ListenerBase:
    """A WrittenListener that does nothing; subclasses override what they need."""

    def prepare(self, written: Written, data: bytes) -> Any:
        """Nothing to prepare."""
        return None

    def written(self, written: Written, prepared: Any) -> None:
        """Nothing to note."""

    def finish(self) -> Iterable[FileOutput] | Later:
        """Nothing to add."""
        return ()


@dataclass(frozen=True)
class BuildContext:
    """What a listener factory gets: the build's output folder, settings and number."""

    output_path: str  # absolute
    settings: Mapping
    number: int  # 0 for the first build of the Pelican instance
    keeps: bool  # whether the builds of this instance keep unchanged outputs (dev server)


@dataclass(frozen=True)
class ReadPage:
    """A Markdown page as the engine's reader read it, for the checks features register."""

    path: str  # the source file, as Pelican names it
    relative: str  # below the content folder, "/"-separated ("fi/supporters.md")
    source: str  # the file's text, as written
    html: str  # the body converted to HTML (facts filled in, links resolved)
    fields: Mapping[str, str]  # formatted metadata fields converted to HTML ("summary")
