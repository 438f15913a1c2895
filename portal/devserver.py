"""The editors' dev server (`make devserver`): build, serve, rebuild on every change, reload.

Usage: ``python -m portal.devserver content -s pelicanconf.py -o output --fatal warnings
--bind 127.0.0.1 --port 8000``: Pelican's arguments, as for `make html`, plus where to listen.

Two processes:

- this one serves the output folder (portal.serve, with live reload) and watches the sources
  (watchfiles): the content folder, theme/, translations/, plugins/ and the settings files
  (``*.py`` at the top of the project), leaving out editors' temporary files. It never builds:
  a build forks worker processes, which is unsafe in a process that runs server threads, and
  nothing a build does (a plugin's bug, a crash) can take the server down;
- a builder process (`builder_main`) keeps one `portal.build.Builder` (one Pelican instance)
  for its whole life, so that a rebuild renders only what changed. It is started anew when
  plugins/ or the settings change (code that a running process cannot reload) and when it dies.

Every finished build, good or bad, moves open pages on: they reload themselves. After a failed
build, every page address answers with its problems (status 500), the lines `make html` prints,
which the terminal shows once, until a build succeeds. Content never stops the server.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pelican
from watchfiles import Change, DefaultFilter, watch

from portal.build import Builder, Outcome, settings_file
from portal.serve import LiveSite, PortInUse, open_server

#: Folders below the project that a build reads, besides the content folder.
SOURCE_FOLDERS = ("theme", "translations", "plugins")
#: Changes below these (and to the settings) need a new builder process: they are code.
CODE_FOLDERS = ("plugins",)
#: A burst of changes (a save, a checkout) makes one build: changes are gathered until none
#: has come for STEP_MS, for at most DEBOUNCE_MS.
STEP_MS = 50
DEBOUNCE_MS = 1600
#: The builder process's "now" is renewed when the (UTC) date changes.
SECONDS_A_DAY = 86_400
#: How long a builder process gets to finish its build when the server stops or replaces it.
STOP_SECONDS = 3


class SourceFilter(DefaultFilter):
    """watchfiles' default filter (.git, __pycache__, *.swp, *~, .#*, ...) and more editors'
    temporary files: Emacs' #autosave#, Vim's 4913 probe, Kate's swap files, GNOME's
    .goutputstream-*, LibreOffice's lock files, `sed -i`'s sedXXXXXX, *.tmp."""

    ignore_entity_patterns = (
        *DefaultFilter.ignore_entity_patterns,
        r"^#.*#$",
        r"^4913$",
        r"\.kate-swp$",
        r"^\.goutputstream-",
        r"^\.~lock\.",
        r"^sed[A-Za-z0-9]{6}$",
        r"\.tmp$",
    )


class SettingsFilter(SourceFilter):
    """Only the Python files at the top of the project: the settings and what they import."""

    def __init__(self, project: Path) -> None:
        super().__init__()
        self.project = project

    def __call__(self, change: Change, path: str) -> bool:
        """Tell whether a change in the project folder (not below it) concerns the settings."""
        file = Path(path)
        return (
            file.parent == self.project and file.suffix == ".py" and super().__call__(change, path)
        )


class Sources:
    """What the dev server watches, and which changes need a new builder process."""

    def __init__(self, project: Path, content: Path, ignored: Iterable[Path]) -> None:
        self.project = project
        self.folders = [content, *(project / name for name in SOURCE_FOLDERS)]
        self.folders = [folder for folder in dict.fromkeys(self.folders) if folder.is_dir()]
        self.code = [project / name for name in CODE_FOLDERS]
        self.filter = SourceFilter(ignore_paths=[str(path) for path in ignored])

    def is_code(self, path: str) -> bool:
        """Tell whether a changed file is code (plugins, settings) rather than content."""
        file = Path(path)
        if file.parent == self.project:
            return True
        return any(file.is_relative_to(folder) for folder in self.code)

    def watch(
        self, on_change: Callable[[set[str]], None], stop: threading.Event, say: Callable
    ) -> None:
        """Call `on_change` with the paths of each burst of changes, until `stop` is set."""
        watchers = [
            (self.folders, self.filter, True),
            ([self.project], SettingsFilter(self.project), False),
        ]
        for folders, accept, recursive in watchers:
            thread = threading.Thread(
                target=self._watch,
                args=(folders, accept, recursive, on_change, stop, say),
                name="watch",
                daemon=True,
            )
            thread.start()

    @staticmethod
    def _watch(folders, accept, recursive, on_change, stop, say) -> None:
        while not stop.is_set():
            try:
                for changes in watch(
                    *folders,
                    watch_filter=accept,
                    recursive=recursive,
                    step=STEP_MS,
                    debounce=DEBOUNCE_MS,
                    stop_event=stop,
                    raise_interrupt=False,
                ):
                    on_change({path for _change, path in changes})
            except Exception as error:  # a watched folder removed, too many watches...
                say(f"watching {', '.join(map(str, folders))} failed ({error}); trying again")
                stop.wait(1)


class BuilderProcess:
    """A builder process: one build per request, each answered with its Outcome."""

    def __init__(self, pelican_args: list[str]) -> None:
        self.pelican_args = pelican_args
        self.process: subprocess.Popen | None = None
        self.replies = None

    def start(self) -> None:
        """Start a new builder process."""
        read_end, write_end = os.pipe()
        command = [sys.executable, "-m", "portal.devserver", "--builder", str(write_end)]
        self.process = subprocess.Popen(
            [*command, *self.pelican_args],
            stdin=subprocess.PIPE,
            pass_fds=(write_end,),
        )
        os.close(write_end)
        self.replies = os.fdopen(read_end, "r", encoding="utf-8")

    def build(self) -> Outcome | None:
        """Run one build; return its Outcome, or None if the process ended instead."""
        try:
            self.process.stdin.write(b"build\n")
            self.process.stdin.flush()
            reply = self.replies.readline()
        except OSError:
            reply = ""
        if not reply:
            self.process.wait()
            return None
        fields = json.loads(reply)
        fields["problems"] = tuple(fields["problems"])
        return Outcome(**fields)

    @property
    def exit_status(self) -> int | None:
        """Return how the process ended (None while it runs)."""
        return self.process.poll() if self.process else None

    def stop(self, wait: float = STOP_SECONDS) -> None:
        """End the process: ask it to (end of its input), then terminate, then kill it."""
        process = self.process
        if process is None:
            return
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.replies is not None:
            self.replies.close()
        self.process = self.replies = None

    def interrupt(self) -> None:
        """End a build under way at once (its code changed); `build` then returns None."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()


class DevServer:
    """Runs builds when the sources change and tells the served pages what came of them."""

    def __init__(self, builder: BuilderProcess, live: LiveSite, sources: Sources, say) -> None:
        self.builder = builder
        self.live = live
        self.sources = sources
        self.say = say
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.changed: set[str] = set()
        self.restart = False
        self.building = False

    def on_change(self, paths: set[str]) -> None:
        """Note changed files (from the watcher's thread); the build loop takes them."""
        code = any(self.sources.is_code(path) for path in paths)
        with self.lock:
            self.changed |= paths
            self.restart = self.restart or code
            if code and self.building:
                self.builder.interrupt()  # its result would come from the old code
        self.wake.set()

    def run(self) -> None:
        """Build now, then after every change, until interrupted."""
        self.builder.start()
        died_last_time = False
        changed: set[str] = set()
        while True:
            with self.lock:
                self.building = True
            outcome = self.builder.build()
            with self.lock:
                self.building = False
                restart = self.restart
            if outcome is None and restart:
                self.builder.stop(wait=0)  # interrupted for new code: the loop starts it anew
            elif outcome is None:
                status = self.builder.exit_status
                self.builder.stop(wait=0)
                self.report_death(status, died_last_time)
                self.builder.start()
                if not died_last_time:
                    died_last_time = True
                    continue  # one more try with a fresh process before waiting for a change
            else:
                died_last_time = False
                self.report(outcome, changed)
            changed = self.wait_for_changes()

    def wait_for_changes(self) -> set[str]:
        """Wait for changed files; start a new builder process if code changed; return them."""
        self.wake.wait()
        with self.lock:
            self.wake.clear()
            changed, self.changed = self.changed, set()
            restart, self.restart = self.restart, False
        if restart:
            self.say("Code or settings changed: starting a new builder process.")
            self.builder.stop(wait=0 if self.builder.exit_status is not None else STOP_SECONDS)
            self.builder.start()
        return changed

    def report(self, outcome: Outcome, changed: set[str]) -> None:
        """Tell the pages and the terminal what a build came to."""
        self.live.finished(outcome.ok, outcome.problems, outcome.failures)
        what = f" after changes to {describe(changed, self.sources.project)}" if changed else ""
        if outcome.ok:
            self.say(f"Built{what} in {outcome.seconds:.2f} s; open pages reload.")
        else:
            count = outcome.failures
            problems = f"{count} problem{'s' if count != 1 else ''}"
            self.say(
                f"The build{what} failed in {outcome.seconds:.2f} s: {problems} (listed above). "
                "Every page shows them until they are fixed; save a fix and it rebuilds."
            )

    def report_death(self, status: int | None, again: bool) -> None:
        """Tell the pages and the terminal that the builder process died during a build."""
        line = (
            f"error: the builder process ended during the build (exit status {status}); its "
            "last messages are above"
        )
        self.live.finished(False, (line,), 1)
        then = "waiting for a change" if again else "trying once more with a new one"
        self.say(f"{line}; {then}.")


def describe(paths: set[str], project: Path, shown: int = 3) -> str:
    """Return a short list of files or folders, relative to the project where they are in it."""
    names = sorted(
        str(Path(p).relative_to(project)) if Path(p).is_relative_to(project) else p for p in paths
    )
    listed = ", ".join(names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")


def builder_main(argv: list[str]) -> int:
    """The builder process: a build for every line on stdin, its Outcome as JSON on the reply fd.

    Unless SOURCE_DATE_EPOCH is set, the builds' "now" (feeds' dates, overdue reports,
    upcoming events) is the moment the process started, renewed when the date changes: with
    the clock's every second, each rebuild would write every feed and calendar again (432
    files on the shipped site) instead of keeping them.
    """
    replies = os.fdopen(int(argv[0]), "w", encoding="utf-8")
    builder = Builder(argv[1:], sys.stderr)
    moment = None if os.environ.get("SOURCE_DATE_EPOCH") else int(time.time())
    try:
        while sys.stdin.readline():
            if moment is not None:
                now = int(time.time())
                if now // SECONDS_A_DAY != moment // SECONDS_A_DAY:
                    moment = now
                os.environ["SOURCE_DATE_EPOCH"] = str(moment)
            outcome = builder.build()
            replies.write(json.dumps(dataclasses.asdict(outcome)) + "\n")
            replies.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the server is gone
        return 0
    return 0


def parse_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Return the server's options and Pelican's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m portal.devserver",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("--bind", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on")
    parser.add_argument("--log", action="store_true", help="print every request")
    parser.add_argument(
        "--editor-proxy",
        metavar="URL",
        help="pass the editor's /api/v1 requests to this local backend (make cms: decap-server)",
    )
    parser.add_argument("--help", action="help", help="show this help and exit")
    return parser.parse_known_args(argv)


def stop_on_terminate(signum, frame) -> None:
    """Turn SIGTERM into the same clean stop as Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the dev server until Ctrl-C; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--builder"]:
        return builder_main(argv[1:])
    options, pelican_args = parse_arguments(argv)
    args = pelican.parse_arguments(pelican_args)  # only for the folders; the builder reads all
    project = Path.cwd().resolve()
    content = (project / (args.path or "content")).resolve()
    output = (project / (args.output or "output")).resolve()

    def say(line: str) -> None:
        print(f"devserver: {line}", file=sys.stderr, flush=True)

    live = LiveSite()
    try:
        server = open_server(options.bind, options.port, output, "devserver", live)
    except PortInUse as error:
        print(error, file=sys.stderr)
        return 1
    server.log_requests = options.log
    server.editor_proxy = options.editor_proxy.rstrip("/") if options.editor_proxy else None
    signal.signal(signal.SIGTERM, stop_on_terminate)
    stop = threading.Event()
    ignored = [output, project / "cache", project / ".git"]
    sources = Sources(project, content, ignored)
    serving = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    serving.start()
    watched = describe({str(folder) for folder in sources.folders}, project, shown=5)
    settings = settings_file(args) or "settings"
    say(
        f"serving {output.name}/ on http://{options.bind}:{options.port}/ (Ctrl-C stops); "
        f"watching {watched} and {settings}; building..."
    )
    devserver = DevServer(BuilderProcess(pelican_args), live, sources, say)
    sources.watch(devserver.on_change, stop, say)
    try:
        devserver.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        devserver.builder.stop()
        say("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
