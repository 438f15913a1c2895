"""Run the build and report problems plainly: file, line and what to do, no traceback.

Usage (the Makefile's `html` target): ``python -m portal.build content -s pelicanconf.py -o output
--fatal warnings``. It takes Pelican's own arguments. Unlike ``pelican``, it

- prints every problem once, as ``path:line: message``, with paths relative to the project;
- reports every unreadable page in one run, and stops before writing anything when the input has
  a problem (so one broken page cannot cascade into misleading follow-up errors);
- exits non-zero on any error, and with ``--fatal warnings`` on any warning;
- never shows a Python traceback unless ``--debug`` is given;
- builds next to the output folder and puts the result in its place only when the build
  succeeded (portal.staging): a failed build leaves the output folder exactly as it was.

`Builder` is the one way the project runs a build: once here, again and again in the dev
server's builder process (portal.devserver), with one Pelican instance. Every problem reaches
it as one of our errors (PortalError: the build engine and the features name the file, the
line and what to do) or as a log record; anything else is a bug, reported as one.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import jinja2
import pelican
from build_engine.front_door import build_once, wait_for_late_outputs
from pelican import signals
from pelican.settings import DEFAULT_CONFIG, read_settings
from portal_core import os_errors
from portal_core.errors import NOTICE, PortalError, PortalErrors

from portal.staging import StagedOutput

PROJECT = Path(__file__).resolve().parent.parent
ONE_SHOT_GC_THRESHOLDS = (20_000, 20, 20)  # see _build_child()
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends


class BuildStopped(Exception):
    """The input has problems that were already reported; nothing more is built."""


@dataclass
class Problems:
    """The problems reported during one build, printed as they come."""

    root: Path
    stream: TextIO
    output_path: Path | None = None
    fatal_warnings: bool = False
    errors: int = 0
    warnings: int = 0
    hidden_warnings: int = 0
    lines: list[str] = field(default_factory=list)  # every problem line, as printed

    def relative(self, text: str) -> str:
        """Shorten absolute paths under the project to project-relative ones."""
        return text.replace(f"{self.root}/", "")

    def report(self, level: int, text: str) -> None:
        """Print one problem and count it."""
        text = self.relative(text)
        if level >= logging.ERROR:
            self.errors += 1
            label = "error"
        elif self.errors:
            # a warning after an error is most often its consequence (a page that could not be
            # read leaves its translations without a source...): count it, do not show it
            self.hidden_warnings += 1
            return
        else:
            self.warnings += 1
            label = "warning"
        for line in text.splitlines() or [""]:
            self.lines.append(f"{label}: {line}")
            print(self.lines[-1], file=self.stream)

    def report_exception(self, error: BaseException) -> None:
        """Report an exception as plain problems."""
        for text in describe_exception(error, self.output_path):
            self.report(logging.ERROR, text)

    @property
    def failures(self) -> int:
        """Return how many problems fail the build: errors, and warnings when they are fatal."""
        return self.errors + (self.warnings if self.fatal_warnings else 0)


def portal_errors(error: BaseException | None) -> list[PortalError] | None:
    """Return the PortalErrors an exception carries, or None if it is not one of ours."""
    if isinstance(error, PortalErrors):
        return error.errors
    if isinstance(error, PortalError):
        return [error]
    return None


def describe_exception(error: BaseException, output: Path | None = None) -> list[str]:
    """Turn an exception that ended a build into plain messages naming the file and the fix.

    `output` is the output folder, named when the system refuses a write whose file cannot be
    told.
    """
    ours = portal_errors(error)
    if ours is not None:
        return [str(e) for e in ours]
    if os_errors.is_environment_fault(error):
        return [os_errors.describe(error, error.filename or output, then="build again")]
    if isinstance(error, SyntaxError) and error.filename:
        return [f"{error.filename}:{error.lineno}: Python syntax error: {error.msg}"]
    if isinstance(error, jinja2.TemplateSyntaxError):
        # Pelican's own page generator loads each page's template before ours
        where = error.filename or error.name or "template"
        return [f"{where}:{error.lineno}: template syntax error: {error.message}"]
    return [
        f"{type(error).__name__}: {error} (unexpected: a bug in a plugin or a setting's value; "
        "rerun with --debug for the traceback)"
    ]


class PlainHandler(logging.Handler):
    """Log handler that prints Pelican's messages plainly and counts the problems.

    A record logged while one of our errors is being handled (Pelican logs "Could not
    process" for a page our reader refused, without the reason) stands for that error: its
    problems are printed instead of the record's text.
    """

    def __init__(self, problems: Problems, show_level: int) -> None:
        super().__init__(level=logging.DEBUG)
        self.problems = problems
        self.show_level = show_level

    def emit(self, record: logging.LogRecord) -> None:
        """Print a record; warnings and errors are problems."""
        try:
            if record.levelno < logging.WARNING:
                if record.levelno == NOTICE:
                    for line in self.problems.relative(record.getMessage()).splitlines():
                        print(f"notice: {line}", file=self.problems.stream)
                elif record.levelno >= self.show_level:
                    print(self.problems.relative(record.getMessage()), file=self.problems.stream)
                return
            for text in self.describe(record):
                self.problems.report(record.levelno, text)
        except Exception:  # a log handler must never raise
            self.handleError(record)

    def describe(self, record: logging.LogRecord) -> list[str]:
        """Return what a warning or error means, in plain words."""
        error = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        ours = portal_errors(error)
        if ours is not None and record.levelno >= logging.ERROR:
            return [str(e) for e in ours]
        if error is not None and os_errors.is_environment_fault(error):
            return [os_errors.describe(error, then="build again")]
        message = record.getMessage()
        if error is not None and record.levelno >= logging.ERROR:
            message = f"{message}: {type(error).__name__}: {error}"
        return [message]


def configure_logging(problems: Problems, verbosity: int | None) -> PlainHandler:
    """Send every log record through the plain handler; return it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    show = verbosity if verbosity is not None else logging.WARNING
    handler = PlainHandler(problems, show)
    root.addHandler(handler)
    root.setLevel(min(show, NOTICE))
    return handler


@dataclass(frozen=True)
class Outcome:
    """What one build came to: whether it succeeded, and its problems as printed."""

    ok: bool
    problems: tuple[str, ...]  # every problem line, as printed ("error: path:line: message")
    failures: int  # how many problems failed the build
    seconds: float


def settings_file(args) -> str | None:
    """Return the settings file Pelican reads for these arguments (pelicanconf.py by default)."""
    if args.settings is None and os.path.isfile(pelican.DEFAULT_CONFIG_NAME):
        return pelican.DEFAULT_CONFIG_NAME
    return args.settings


class Builder:
    """Builds a site with Pelican's arguments, again and again if asked, with one Pelican instance.

    `build()` runs one build and returns its Outcome; its problems are printed on `stream` as
    they come, in plain words. Nothing it meets escapes it but KeyboardInterrupt: a problem in
    the input, an exception in a plugin or a template, a settings file that does not run, or a
    plugin that ends the build with SystemExit all come back as problem lines.

    The Pelican instance lives as long as the Builder, so that the build engine keeps what did
    not change from one build to the next (the dev server's rebuilds); a build that failed
    leaves it usable, and one that could not create it tries again next time. `one_shot`
    (`make html`): one build, nothing kept for a next one. `output`, when set, is where the
    build writes instead of the settings' OUTPUT_PATH.
    """

    def __init__(
        self, argv: Sequence[str], stream: TextIO | None = None, *, one_shot: bool = False
    ) -> None:
        self.args = pelican.parse_arguments(list(argv))
        self.stream = stream or sys.stderr
        self.one_shot = one_shot
        self.output: Path | None = None
        self.root = Path.cwd().resolve()
        self.debug = self.args.verbosity == logging.DEBUG
        self.fatal_warnings = bool(self.args.fatal) and self.args.fatal.startswith("warning")
        self.problems: Problems | None = None  # those of the build under way
        self.site: pelican.Pelican | None = None
        self._settings: dict | None = None
        self.handler = configure_logging(self._new_problems(), self.args.verbosity)
        signals.page_generator_finalized.connect(self._stop_if_failed)
        signals.all_generators_finalized.connect(self._stop_if_failed)

    def _new_problems(self) -> Problems:
        return Problems(root=self.root, stream=self.stream, fatal_warnings=self.fatal_warnings)

    def _stop_if_failed(self, sender) -> None:
        if self.problems is not None and self.problems.failures:
            raise BuildStopped

    def settings(self) -> dict:
        """Return the settings a new Pelican instance gets; raise what reading them raises."""
        if self._settings is None:
            config = pelican.get_config(self.args)
            self._settings = read_settings(settings_file(self.args), override=config)
        return self._settings

    def _instance(self) -> pelican.Pelican:
        """Return the Pelican instance, created with freshly read settings if there is none."""
        if self.site is None:
            settings, self._settings = self.settings(), None
            if self.output is not None:
                settings["OUTPUT_PATH"] = str(self.output)
            cls = settings.get("PELICAN_CLASS", DEFAULT_CONFIG["PELICAN_CLASS"])
            if isinstance(cls, str):
                module, name = cls.rsplit(".", 1)
                cls = getattr(importlib.import_module(module), name)
            site = cls(settings)
            if self.one_shot:
                build_once(site)  # nothing to keep for a next build (the dev server's)
            self.site = site
        return self.site

    def build(self) -> Outcome:
        """Build the site once; return what came of it."""
        started = time.perf_counter()
        problems = self.problems = self._new_problems()
        self.handler.problems = problems
        try:
            site = self._instance()
            problems.output_path = Path(site.settings["OUTPUT_PATH"])
            site.run()
        except BuildStopped:
            pass
        except SystemExit as stop:
            problems.report(
                logging.ERROR,
                f"a plugin ended the build (SystemExit {stop.code!r}); plugins report problems "
                "as PortalErrors: rerun with --debug to see which",
            )
        except Exception as error:
            if self.debug:
                traceback.print_exception(error, file=self.stream)
            problems.report_exception(error)
        finally:
            self.problems = None
        if problems.hidden_warnings:
            print(
                f"({problems.hidden_warnings} later warnings are not shown: they may follow from "
                "the errors above.)",
                file=self.stream,
            )
        return Outcome(
            ok=not problems.failures,
            problems=tuple(problems.lines),
            failures=problems.failures,
            seconds=time.perf_counter() - started,
        )

    def wait_for_late_outputs(self) -> None:
        """Wait until what the last build writes after it has ended is written (search)."""
        if self.site is not None:
            wait_for_late_outputs(self.site.settings)

    def close(self) -> None:
        """Stop listening to Pelican's signals (the instance is dropped)."""
        signals.page_generator_finalized.disconnect(self._stop_if_failed)
        signals.all_generators_finalized.disconnect(self._stop_if_failed)
        self.site = None


def where(path: Path, root: Path) -> str:
    """Return `path` relative to the project when it is inside it, with a trailing slash."""
    path = Path(os.path.abspath(path))
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}/"


def die_with_parent(parent: int) -> None:
    """Ask Linux to end this process when its parent ends (prctl PR_SET_PDEATHSIG).

    The build runs in a child of the command the user started: if that command is killed,
    its build must not go on writing next to the output folder. Where the call is not
    available, the child ends with its parent's process group (Ctrl-C, a killed job) only.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the call
        sys.exit(1)


def _build_child(builder: Builder, parent: int, failed_text: str) -> None:
    """The build's process: build, print what came of it, exit with 0 (success) or 1."""
    die_with_parent(parent)
    # Nearly everything a build makes lives until it ends (pages, contexts, templates), so
    # the collector's default pace (a young-generation pass every 700 allocations, the whole
    # heap every 70,000) mostly walks live objects: 0.11 s of the shipped site's main process
    # (`gc.callbacks`); at this pace, 0.04 s. Cycles are still collected in the young
    # generation, where most are made and freed.
    gc.set_threshold(*ONE_SHOT_GC_THRESHOLDS)
    try:
        outcome = builder.build()
    except KeyboardInterrupt:
        print("interrupted", file=builder.stream)
        sys.exit(130)
    if not outcome.ok:
        count = outcome.failures
        print(
            f"The build failed: {count} problem{'s' if count != 1 else ''} (listed above). "
            f"Fix them and build again; {failed_text}.",
            file=builder.stream,
            flush=True,
        )
        sys.exit(1)
    sys.exit(0)


def run(argv: Sequence[str]) -> int:
    """Build the site once with Pelican's arguments; return the exit status.

    The settings are read and the folder next to the output prepared here; the build itself
    runs in a process of its own, forked from this one: when it ends, the standard library
    ends it without freeing the whole site object by object (content, rendered pages, caches),
    which the interpreter's teardown would do for a good tenth of the build's time. If it
    succeeded, its folder is swapped in for the output folder here.
    """
    args = pelican.parse_arguments(list(argv))
    if args.autoreload or args.listen:
        print(
            "portal.build builds once; serve the site with `make serve`, or build on every "
            "change with `make devserver`",
            file=sys.stderr,
        )
        return 2
    stream = sys.stderr
    builder = Builder(argv, stream, one_shot=True)
    staged = target = None
    with contextlib.suppress(Exception):  # the build reports what reading the settings raises
        target = Path(builder.settings()["OUTPUT_PATH"])
    if target is not None:
        try:
            staged = StagedOutput.prepare(builder.settings())
        except (OSError, PortalError) as error:
            for line in describe_exception(error):
                print(f"error: {line}", file=stream)
            left = where(target, builder.root)
            print(f"The build did not start; {left} is unchanged.", file=stream)
            return 1
        builder.output = staged.folder
        shown = where(target, builder.root)
        failed_text = (
            f"{shown} is unchanged" if target.exists() else f"nothing was written to {shown}"
        )
    else:
        failed_text = "no output folder was touched"
    child = multiprocessing.get_context("fork").Process(
        target=_build_child, args=(builder, os.getpid(), failed_text), name="build"
    )
    try:
        child.start()
        child.join()
    except KeyboardInterrupt:
        child.join()
    status = child.exitcode
    status = 128 - status if status < 0 else status  # a signal's number, as a shell shows it
    try:
        if status == 0 and staged is not None:
            staged.swap_in()
            staged = None
    except OSError as error:
        print(f"error: the new build could not replace the output folder: {error}", file=stream)
        status = 1
    finally:
        builder.close()
        if staged is not None:
            staged.discard()
    return status


def main() -> None:
    """Command-line entry point."""
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
