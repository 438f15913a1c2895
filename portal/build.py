"""Run the Pelican build and report problems plainly: file, line and what to do, no traceback.

Usage (the Makefile's `html` target): ``python -m portal.build content -s pelicanconf.py -o output
--fatal warnings``. It takes Pelican's own arguments. Unlike ``pelican``, it

- prints every problem once, as ``path:line: message``, with paths relative to the project;
- reports every unreadable page in one run, and stops before writing anything when the input has
  a problem (so one broken page cannot cascade into misleading follow-up errors);
- exits non-zero on any error, and with ``--fatal warnings`` on any warning;
- never shows a Python traceback unless ``--debug`` is given;
- builds next to the output folder and puts the result in its place only when the build
  succeeded (`StagedOutput`): a failed build leaves the output folder exactly as it was.

`Builder` is the one way the project runs a build: once here, again and again in the dev
server's builder process (portal.devserver), with one Pelican instance. ``--autoreload`` and
``--listen`` are handed to Pelican unchanged (its own server, not `make devserver`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import gc
import importlib
import io
import logging
import os
import re
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import jinja2
import pelican
from fast_build.fast_build import build_once
from multilingual.errors import PortalError, PortalErrors
from pelican import signals
from pelican.generators import PelicanTemplateNotFound
from pelican.settings import DEFAULT_CONFIG, read_settings

from portal import os_errors

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".ics", ".j2")
PROJECT = Path(__file__).resolve().parent.parent
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

    def report_stop(self, printed: str, code: object) -> None:
        """Report a build that a plugin ended with SystemExit, from what it printed first.

        Such a plugin (the directory's `stop_build`) prints its problems on stderr, one per
        line under a heading that ends with a colon, and exits: its lines become problems.
        """
        lines = [
            line.strip()
            for line in printed.splitlines()
            if line.strip() and not line.rstrip().endswith(":")
        ]
        for line in lines:
            self.report(logging.ERROR, line)
        if not lines:
            self.report(
                logging.ERROR,
                f"a plugin stopped the build (exit status {code}) without saying why; rerun "
                "with --debug",
            )

    @property
    def failures(self) -> int:
        """Return how many problems fail the build: errors, and warnings when they are fatal."""
        return self.errors + (self.warnings if self.fatal_warnings else 0)


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


def code_frame(error: BaseException) -> tuple[str, int] | None:
    """Return the line of the project's own code (plugins, settings) where an error was raised."""
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        path = Path(frame.filename)
        if path.parent == PROJECT or path.is_relative_to(PROJECT / "plugins"):
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
    where = template_frame(error) or code_frame(error)
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


def configure_logging(problems: Problems, verbosity: int | None) -> PlainHandler:
    """Send every log record through the plain handler; return it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    show = verbosity if verbosity is not None else logging.WARNING
    handler = PlainHandler(problems, show)
    root.addHandler(handler)
    root.setLevel(min(show, logging.WARNING))
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

    The Pelican instance lives as long as the Builder, so that the fast build keeps what did
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
        printed = io.StringIO()  # what plugins print on stderr during the build
        try:
            with contextlib.redirect_stderr(printed):
                site = self._instance()
                problems.content_path = Path(site.settings["PATH"])
                problems.output_path = Path(site.settings["OUTPUT_PATH"])
                site.run()
        except BuildStopped:
            pass
        except SystemExit as stop:
            problems.report_stop(printed.getvalue(), stop.code)
            printed = None
        except Exception as error:
            if self.debug:
                traceback.print_exception(error, file=self.stream)
            problems.report_exception(error)
        finally:
            self.problems = None
            if printed is not None and printed.getvalue():
                self.stream.write(printed.getvalue())
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

    def close(self) -> None:
        """Stop listening to Pelican's signals (the instance is dropped)."""
        signals.page_generator_finalized.disconnect(self._stop_if_failed)
        signals.all_generators_finalized.disconnect(self._stop_if_failed)
        self.site = None


STAGING = ".building-"  # <output>.building-<pid>: a build in progress
SET_ASIDE = ".old-"  # <output>.old-<pid>: the previous output, between two renames
RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step
AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE).

    Return False where the system or the file system cannot, so that the caller renames in
    two steps instead; raise OSError for any other failure.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def remove_path(path: Path) -> None:
    """Remove a folder with everything in it, or a file or link."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def process_alive(pid: int) -> bool:
    """Tell whether a process with this id runs (a folder named after it is still in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StagedOutput:
    """A build written next to its output folder, put in the folder's place only if it succeeds.

    The build writes into ``<output>.building-<pid>``, a sibling on the same file system. On
    success the two are swapped in one step where the system can (renameat2's exchange, on
    Linux file systems that support it), else by renaming the old folder aside and the new one
    in; then the old one is removed. A failed or interrupted build never touches the output
    folder; what a killed one leaves behind is removed by the next build (and an output folder
    left aside by a build killed between its two renames is put back).

    What Pelican would have kept in the folder is kept: the entries named in OUTPUT_RETENTION
    that the build did not write itself are copied from the old folder into the new one, and
    with DELETE_OUTPUT_DIRECTORY off the whole old folder is copied in before the build.
    """

    def __init__(self, target: Path, retention: Sequence[str]) -> None:
        self.target = target
        self.folder = target.with_name(f"{target.name}{STAGING}{os.getpid()}")
        self.retention = tuple(retention)

    @classmethod
    def prepare(cls, settings: dict) -> StagedOutput | None:
        """Make the folder the build writes into; None: build in place (see below).

        An output folder that holds the content (``-o .``) is one Pelican never empties; it is
        built in place, as Pelican does.
        """
        target = Path(os.path.realpath(settings["OUTPUT_PATH"]))
        content = Path(os.path.realpath(settings["PATH"]))
        if target == content or target in content.parents:
            return None
        delete = settings.get("DELETE_OUTPUT_DIRECTORY", True)
        staged = cls(target, settings.get("OUTPUT_RETENTION", ()) if delete else ())
        staged.remove_leftovers()
        if not delete and target.is_dir():
            shutil.copytree(target, staged.folder, symlinks=True)
        else:
            staged.folder.mkdir(parents=True)
        return staged

    def remove_leftovers(self) -> None:
        """Remove what builds killed before they finished left next to the output folder."""
        parent, name = self.target.parent, self.target.name
        if not parent.is_dir():
            return
        for entry in sorted(parent.iterdir()):
            for marker in (STAGING, SET_ASIDE):
                pid = entry.name.removeprefix(name + marker)
                if not entry.name.startswith(name + marker) or not pid.isdigit():
                    continue
                if int(pid) != os.getpid() and process_alive(int(pid)):
                    continue  # another build is running
                if marker == SET_ASIDE and not self.target.exists():
                    os.rename(entry, self.target)  # killed between its two renames
                else:
                    remove_path(entry)

    def swap_in(self) -> None:
        """Put the finished build in the output folder's place and remove the old output."""
        for name in self.retention:
            kept, new = self.target / name, self.folder / name
            if (kept.exists() or kept.is_symlink()) and not (new.exists() or new.is_symlink()):
                if kept.is_dir() and not kept.is_symlink():
                    shutil.copytree(kept, new, symlinks=True)
                else:
                    shutil.copy2(kept, new, follow_symlinks=False)
        if not (self.target.exists() or self.target.is_symlink()):
            os.rename(self.folder, self.target)
            return
        if exchange(self.folder, self.target):
            old = self.folder
        else:
            old = self.target.with_name(f"{self.target.name}{SET_ASIDE}{os.getpid()}")
            os.rename(self.target, old)
            os.rename(self.folder, self.target)
        remove_path(old)

    def discard(self) -> None:
        """Remove the unfinished build."""
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)


def run(argv: list[str] | None = None, stream: TextIO | None = None) -> int:
    """Build the site once with Pelican's arguments, into its output folder; return the status."""
    stream = stream or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    args = pelican.parse_arguments(argv)
    if args.autoreload or args.listen:
        pelican.main(argv)  # Pelican's own server (bench/ measures it); `make devserver` is ours
        return 0
    builder = Builder(argv, stream, one_shot=True)
    staged = target = None
    with contextlib.suppress(Exception):  # the build reports what reading the settings raises
        target = Path(builder.settings()["OUTPUT_PATH"])
    existed = target is not None and target.exists()
    if target is not None:
        try:
            staged = StagedOutput.prepare(builder.settings())
        except OSError as error:
            for line in describe_exception(error):
                print(f"error: {line}", file=stream)
            left = where(target, builder.root)
            print(f"The build did not start; {left} is unchanged.", file=stream)
            return 1
        if staged is not None:
            builder.output = staged.folder
    in_place = target is not None and staged is None
    thresholds = gc.get_threshold()
    # Nearly everything a build makes lives until it ends (pages, contexts, templates), so
    # the collector's default pace (a young-generation pass every 700 allocations, the whole
    # heap every 70,000) mostly walks live objects: 0.11 s of the shipped site's main process
    # (`gc.callbacks`); at this pace, 0.04 s. Cycles are still collected in the young
    # generation, where most are made and freed.
    gc.set_threshold(*ONE_SHOT_GC_THRESHOLDS)
    try:
        outcome = builder.build()
        if outcome.ok and staged is not None:
            staged.swap_in()
            staged = None
    except KeyboardInterrupt:
        print("interrupted", file=stream)
        return 130
    except OSError as error:  # the swap
        print(f"error: the new build could not replace the output folder: {error}", file=stream)
        outcome = Outcome(ok=False, problems=(), failures=1, seconds=0.0)
    finally:
        gc.set_threshold(*thresholds)
        builder.close()
        if staged is not None:
            staged.discard()
    if outcome.ok:
        return 0
    count = outcome.failures
    if target is None:
        left = "no output folder was touched"
    elif in_place:
        left = f"{where(target, builder.root)} holds the content, so it was built in place"
    elif existed:
        left = f"{where(target, builder.root)} is unchanged"
    else:
        left = f"nothing was written to {where(target, builder.root)}"
    print(
        f"The build failed: {count} problem{'s' if count != 1 else ''} (listed above). "
        f"Fix them and build again; {left}.",
        file=stream,
    )
    return 1


def where(path: Path, root: Path) -> str:
    """Return `path` relative to the project when it is inside it, with a trailing slash."""
    path = Path(os.path.abspath(path))
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}/"


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
