"""Run the Pelican build and report problems plainly: file, line and what to do, no traceback.

Usage (the Makefile's `html` target): ``python -m portal.build content -s pelicanconf.py -o output
--fatal warnings``. It takes Pelican's own arguments. Unlike ``pelican``, it

- prints every problem once, as ``path:line: message``, with paths relative to the project;
- reports every unreadable page in one run, and stops before writing anything when the input has
  a problem (so one broken page cannot cascade into misleading follow-up errors);
- exits non-zero on any error, and with ``--fatal warnings`` on any warning;
- never shows a Python traceback unless ``--debug`` is given.

``--autoreload`` and ``--listen`` are handed to Pelican unchanged (the development server).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import re
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import jinja2
import pelican
from build_engine.front_door import build_once
from pelican import signals
from pelican.generators import PelicanTemplateNotFound
from portal_core import os_errors
from portal_core.errors import PortalError, PortalErrors

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".ics", ".j2")
ONE_SHOT_GC_THRESHOLDS = (20_000, 20, 20)  # see run()


class BuildStopped(Exception):
    """The input has problems that were already reported; nothing more is built."""


@dataclass
class Problems:
    """The problems reported during one build, printed as they come."""

    root: Path
    stream: TextIO
    content_path: Path | None = None
    output_path: Path | None = None
    errors: int = 0
    warnings: int = 0
    hidden_warnings: int = 0

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
            print(f"{label}: {line}", file=self.stream)

    def report_exception(self, error: BaseException) -> None:
        """Report an exception as plain problems."""
        for text in describe_exception(error, self.output_path):
            self.report(logging.ERROR, text)


def portal_errors(error: BaseException) -> list[PortalError] | None:
    """Return the PortalErrors an exception carries, or None if it is not one of ours."""
    if isinstance(error, PortalErrors):
        return error.errors
    if isinstance(error, PortalError):
        return [error]
    return None


def template_frame(error: BaseException) -> tuple[str, int] | None:
    """Return the template file and line where a rendering error happened, if any."""
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            found = (frame.filename, frame.lineno)
    return found


def output_being_written(error: BaseException) -> str | None:
    """Return the output file being written when the error happened (Pelican or fast_build)."""
    tb = error.__traceback__
    name = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "write_file" and code.co_filename.endswith("writers.py"):
            name = tb.tb_frame.f_locals.get("name")
        elif code.co_name == "_render" and code.co_filename.endswith("fast_build/output.py"):
            name = getattr(tb.tb_frame.f_locals.get("job"), "name", None)  # fast_build's renderer
        tb = tb.tb_next
    return name if isinstance(name, str) else None


def describe_exception(error: BaseException, output: Path | None = None) -> list[str]:
    """Turn an exception into plain messages naming the file, the line and the fix.

    `output` is the output folder, named when the system refuses a write (a full disk...)
    whose file cannot be told.
    """
    ours = portal_errors(error)
    if ours is not None:
        return [str(e) for e in ours]
    if os_errors.is_environment_fault(error):
        path = error.filename or os_errors.path_in_traceback(error) or output
        return [os_errors.describe(error, path, then="build again")]
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = error.filename or error.name or "template"
        return [f"{where}:{error.lineno}: template syntax error: {error.message}"]
    if isinstance(error, jinja2.UndefinedError):
        where = template_frame(error)
        place = f"{where[0]}:{where[1]}: " if where else ""
        writing = output_being_written(error)
        page = f" while writing {writing}" if writing else ""
        return [
            f"{place}template error{page}: {error.message}; every variable a template uses must "
            "be defined (test optional ones with `is defined`)"
        ]
    if isinstance(error, jinja2.TemplateNotFound | PelicanTemplateNotFound):
        where = template_frame(error)
        if where:
            return [f"{where[0]}:{where[1]}: template not found: {error}; fix the name"]
        return [
            f"template not found: {error}; check the page's `Template:` line or the theme's "
            "templates/ folder"
        ]
    if isinstance(error, jinja2.TemplateError):
        where = template_frame(error)
        place = f"{where[0]}:{where[1]}: " if where else ""
        return [f"{place}template error: {error}"]
    if isinstance(error, SyntaxError) and error.filename:
        return [f"{error.filename}:{error.lineno}: Python syntax error: {error.msg}"]
    if isinstance(error, OSError) and error.filename:
        return [f"{error.filename}: {error.strerror or error}"]
    where = template_frame(error)
    place = f"{where[0]}:{where[1]}: " if where else ""
    writing = output_being_written(error)
    page = f" while writing {writing}" if writing else ""
    return [
        f"{place}{type(error).__name__}{page}: {error} (unexpected: a bug in a template, a "
        "plugin or a setting's value; rerun with --debug for the traceback)"
    ]


def line_containing(path: Path, needle: str) -> int | None:
    """Return the first line of `path` that contains `needle`, if any."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def line_quoting(path: Path, message: str) -> int | None:
    """Return the first line of `path` that contains the value quoted in `message`, if any."""
    quoted = re.search(r"'([^']+)'", message)
    return line_containing(path, quoted.group(1)) if quoted else None


class PlainHandler(logging.Handler):
    """Log handler that prints Pelican's messages plainly and counts the problems."""

    def __init__(self, problems: Problems, show_level: int) -> None:
        super().__init__(level=logging.DEBUG)
        self.problems = problems
        self.show_level = show_level

    def emit(self, record: logging.LogRecord) -> None:
        """Print a record; warnings and errors are problems."""
        try:
            if record.levelno < logging.WARNING:
                if record.levelno >= self.show_level:
                    print(self.problems.relative(record.getMessage()), file=self.problems.stream)
                return
            for text in self.describe(record):
                self.problems.report(record.levelno, text)
        except Exception:  # a log handler must never raise
            self.handleError(record)

    def describe(self, record: logging.LogRecord) -> list[str]:
        """Return what a warning or error means, in plain words."""
        if record.msg == "Could not process %s" and record.args:
            # Pelican logs the failing file without the reason; the exception being handled
            # (attached to the record only with DEBUG) is the reason.
            error = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
            source = record.args[0]
            if self.problems.content_path is not None:
                source = self.problems.content_path / str(source)
            if error is None:
                return [f"{source}: could not be read"]
            ours = portal_errors(error)
            if ours is not None:
                return [str(e) for e in ours]
            if isinstance(error, RecursionError):
                return [
                    f"{source}: the text is nested too deeply for the Markdown converter (lists "
                    "or quotes inside each other, hundreds of levels); flatten it"
                ]
            if os_errors.is_environment_fault(error):
                return [os_errors.describe(error, error.filename or source, then="build again")]
            if isinstance(error, ValueError):
                # Pelican's metadata parsers ("'2024-13-45' is not a valid date")
                line = line_quoting(Path(source), str(error))
                where = f"{source}:{line}" if line else str(source)
                return [f"{where}: {error}; correct the metadata line"]
            return [f"{source}: {line}" for line in describe_exception(error)]
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and os_errors.is_environment_fault(error):
            # Pelican logs a file it could not delete or copy with the error attached
            return [os_errors.describe(error, then="build again")]
        if record.msg.startswith("Skipping %s: could not find information about"):
            path, missing = record.args
            return [
                f"{path}: the page has no {missing!r} metadata; add a line "
                f"`{str(missing).capitalize()}: ...` at the top of the file"
            ]
        if record.msg.startswith("Empty alt attribute for image %s in %s"):
            image, path = record.args
            line = line_containing(Path(path), str(image))
            where = f"{path}:{line}" if line else str(path)
            return [
                f"{where}: image {image} has no alternative text; write what it shows between "
                "its square brackets: ![what the image shows](...)"
            ]
        return [record.getMessage()]


def configure_logging(problems: Problems, verbosity: int | None) -> None:
    """Send every log record through the plain handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    show = verbosity if verbosity is not None else logging.WARNING
    root.addHandler(PlainHandler(problems, show))
    root.setLevel(min(show, logging.WARNING))


def run(argv: list[str] | None = None, stream: TextIO | None = None) -> int:
    """Build the site with Pelican's arguments; return the exit status."""
    stream = stream or sys.stderr
    args = pelican.parse_arguments(argv)
    if args.autoreload or args.listen:
        pelican.main(argv)
        return 0
    debug = args.verbosity == logging.DEBUG
    problems = Problems(root=Path.cwd().resolve(), stream=stream)
    problems.output_path = Path(args.output) if args.output else None
    configure_logging(problems, args.verbosity)
    fatal_warnings = bool(args.fatal) and args.fatal.startswith("warning")

    def stop_if_failed(sender) -> None:
        if problems.errors or (fatal_warnings and problems.warnings):
            raise BuildStopped

    signals.page_generator_finalized.connect(stop_if_failed)
    signals.all_generators_finalized.connect(stop_if_failed)
    thresholds = gc.get_threshold()
    # Nearly everything a build makes lives until it ends (pages, contexts, templates), so
    # the collector's default pace (a young-generation pass every 700 allocations, the whole
    # heap every 70,000) mostly walks live objects: 0.11 s of the shipped site's main process
    # (`gc.callbacks`); at this pace, 0.04 s. Cycles are still collected in the young
    # generation, where most are made and freed.
    gc.set_threshold(*ONE_SHOT_GC_THRESHOLDS)
    try:
        site, settings = pelican.get_instance(args)
        problems.content_path = Path(settings["PATH"])
        problems.output_path = Path(settings["OUTPUT_PATH"])
        build_once(site)  # nothing to keep for a next build (the dev server's)
        site.run()
    except BuildStopped:
        pass
    except KeyboardInterrupt:
        print("interrupted", file=stream)
        return 130
    except Exception as error:
        if debug:
            traceback.print_exception(error, file=stream)
        problems.report_exception(error)
    finally:
        gc.set_threshold(*thresholds)
        signals.page_generator_finalized.disconnect(stop_if_failed)
        signals.all_generators_finalized.disconnect(stop_if_failed)

    failed = problems.errors or (fatal_warnings and problems.warnings)
    if problems.hidden_warnings:
        print(
            f"({problems.hidden_warnings} later warnings are not shown: they may follow from the "
            "errors above.)",
            file=stream,
        )
    if failed:
        count = problems.errors + (problems.warnings if fatal_warnings else 0)
        print(
            f"The build failed: {count} problem{'s' if count != 1 else ''} (listed above). "
            "Fix them and build again; nothing was published.",
            file=stream,
        )
        return 1
    return 0


def leave(status: int) -> None:
    """End the process with `status` once the build is over.

    Everything the build wrote is closed by now; what is left is the interpreter's teardown,
    which frees the whole site (content objects, rendered pages, caches) object by object:
    about 0.3 s of the shipped site's 3 s build (BENCHMARKS.md). So the exit handlers run, the
    streams are flushed, and the process ends without it. With a thread still running, the
    normal exit waits for it as usual.
    """
    if any(
        not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        sys.exit(status)
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def main() -> None:
    """Command-line entry point."""
    leave(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
