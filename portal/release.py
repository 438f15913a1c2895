"""Safe publishing: build into a fresh folder, check it, then switch the live site in one step.

Layout of the publish folder (``make publish`` uses ``publish/``)::

    publish/
      current  -> releases/20260101T120000Z-1a2b3c4   the live site (the web server's root)
      previous -> releases/20251231T090000Z-9f8e7d6   what `make rollback` restores
      releases/
        .incoming-...   a build in progress, or one that failed its checks (kept for
                        inspection; never served; removed by the next publish)

``publish`` builds with the production settings into ``releases/.incoming-<id>``, runs every
check of ``portal.checks`` over it, renames it to ``releases/<id>``, and only then points
``previous`` at the old release and ``current`` at the new one. Each pointer is switched by
renaming a new symbolic link over the old one, which is atomic: at every instant ``current``
names a complete, checked release, so a publish killed at any point (even with SIGKILL) leaves
the live site as it was. Releases other than current and previous are then removed.

``rollback`` swaps ``current`` and ``previous`` (so a second rollback undoes the first).
One publish or rollback runs at a time (a lock file).

When the system refuses a step (a full disk, a read-only file system, a folder the user may not
write, a file where a folder should be), the command prints one line naming the path and what to
do, and exits with status 1; ``current`` still names the release it named before.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from portal_core import os_errors

RELEASES = "releases"
CURRENT = "current"
PREVIOUS = "previous"
INCOMING = ".incoming-"


class PublishError(Exception):
    """Publishing stopped; the live site is unchanged."""


@contextmanager
def locked(publish_dir: Path) -> Iterator[None]:
    """Hold the publish folder's lock, or fail at once if another publish holds it."""
    publish_dir.mkdir(parents=True, exist_ok=True)
    with open(publish_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"another publish or rollback is running in {publish_dir}; wait for it"
            ) from None
        yield


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames, new links) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(folder)) from None
    finally:
        os.close(descriptor)


def pointer(publish_dir: Path, name: str) -> Path | None:
    """Return the release a pointer (current, previous) names, or None."""
    link = publish_dir / name
    if not link.is_symlink():
        return None
    return publish_dir / os.readlink(link)


def prepare_link(publish_dir: Path, name: str, release: Path) -> Path:
    """Make the link that is to replace `name`, under a temporary name; return it."""
    temporary = publish_dir / f".{name}.new"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    try:
        temporary.symlink_to(release.relative_to(publish_dir))
    except OSError as error:  # it names the link's target; the link is what failed
        raise OSError(error.errno, error.strerror, str(temporary)) from None
    return temporary


def point(publish_dir: Path, name: str, release: Path) -> None:
    """Point `name` at `release` atomically: its new link renamed over the old one.

    The new link is made beforehand (by `switch`) where possible, so that this step, the
    rename, needs nothing new from the disk.
    """
    temporary = publish_dir / f".{name}.new"
    wanted = str(release.relative_to(publish_dir))
    if not (temporary.is_symlink() and os.readlink(temporary) == wanted):
        prepare_link(publish_dir, name, release)
    os.replace(temporary, publish_dir / name)


def switch(publish_dir: Path, targets: dict[str, Path]) -> None:
    """Point each name (current, previous) at its release, changing nothing if one cannot be.

    Every new link is made first, under a temporary name: that is where the system can refuse
    (no space, no permission), and then nothing has changed. Only then is each renamed over the
    old link, which is atomic; the current link is switched last.
    """
    made: list[Path] = []
    try:
        for name, release in targets.items():
            made.append(prepare_link(publish_dir, name, release))
    except OSError:
        for temporary in made:
            temporary.unlink(missing_ok=True)
        raise
    for name in sorted(targets, key=lambda name: name == CURRENT):
        point(publish_dir, name, targets[name])


def after_switch(action: str, step: str, work) -> None:
    """Run a step that follows the switch: the new site is live, so a refusal only warns."""
    try:
        work()
    except OSError as error:
        print(f"{action}: warning: {step}: {os_errors.describe(error)}", flush=True)


def release_id(project: Path) -> str:
    """Return a new release's name: UTC time and, in a git checkout, the commit."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{stamp}-{commit}" if commit else stamp


def remove_leftovers(releases: Path, keep: set[Path]) -> None:
    """Remove builds a killed or failed publish left behind, and releases no pointer names."""
    for child in releases.iterdir():
        if child.resolve() in keep:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def run_step(command: list[str], project: Path) -> int:
    """Run one step of the publish (build, checks) with its output shown; return its status."""
    return subprocess.run(command, cwd=project, check=False).returncode


def publish(
    publish_dir: Path,
    project: Path,
    content: str = "content",
    settings: str = "publishconf.py",
    check_arguments: tuple[str, ...] = (),
) -> Path:
    """Build, check and switch to a new release; return it. Raise PublishError on failure."""
    publish_dir = publish_dir.resolve()
    with locked(publish_dir):
        releases = publish_dir / RELEASES
        releases.mkdir(exist_ok=True)
        for name in (CURRENT, PREVIOUS):
            if (publish_dir / name).exists() and not (publish_dir / name).is_symlink():
                raise PublishError(f"{publish_dir / name} is not a link; move it out of the way")
        live = pointer(publish_dir, CURRENT)
        before = pointer(publish_dir, PREVIOUS)
        remove_leftovers(releases, {p.resolve() for p in (live, before) if p})

        name = release_id(project)
        while (releases / name).exists():
            name += "-1"
        incoming = releases / f"{INCOMING}{name}"
        incoming.mkdir()  # here, so that a folder the build cannot write is named at once
        build = [sys.executable, "-m", "portal.build", content, "-s", settings]
        build += ["-o", str(incoming), "--fatal", "warnings"]
        print(f"publish: building {name} into {incoming}", flush=True)
        if run_step(build, project) != 0:
            shutil.rmtree(incoming, ignore_errors=True)
            raise PublishError("the build failed (see above)")

        print(f"publish: checking {incoming}", flush=True)
        checks = [sys.executable, "-m", "portal.checks", str(incoming), "--content", content]
        checks += check_arguments
        if run_step(checks, project) != 0:
            raise PublishError(
                f"the checks failed (see above); the build stays in {incoming} for inspection "
                "until the next publish"
            )

        release = releases / name
        os.rename(incoming, release)
        sync_folder(releases)
        switch(publish_dir, {PREVIOUS: live, CURRENT: release} if live else {CURRENT: release})
        # the new release is live: what follows cannot fail the publish
        after_switch("publish", "flushing the new links", lambda: sync_folder(publish_dir))
        keep = {release.resolve(), *(p.resolve() for p in [live] if p)}
        after_switch("publish", "removing old releases", lambda: remove_leftovers(releases, keep))
        return release


def rollback(publish_dir: Path) -> Path:
    """Make the previous release live again (and the current one the previous)."""
    publish_dir = publish_dir.resolve()
    with locked(publish_dir):
        live = pointer(publish_dir, CURRENT)
        before = pointer(publish_dir, PREVIOUS)
        if before is None or not (before / "index.html").is_file():
            raise PublishError(f"there is no previous release in {publish_dir} to roll back to")
        switch(publish_dir, {PREVIOUS: live, CURRENT: before} if live else {CURRENT: before})
        after_switch("rollback", "flushing the new links", lambda: sync_folder(publish_dir))
        return before


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m portal.release", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("action", choices=["publish", "rollback", "status"])
    parser.add_argument("--to", default="publish", help="the publish folder (default: publish)")
    parser.add_argument("--content", default="content", help="the content folder")
    parser.add_argument("--settings", default="publishconf.py", help="the Pelican settings")
    parser.add_argument(
        "--check-args", default="", help="extra arguments for portal.checks (space-separated)"
    )
    return parser.parse_args(argv)


def stopped(action: str, publish_dir: Path, why: str) -> int:
    """Say in one line why an action stopped and which release is still live; return 1."""
    try:
        live = pointer(publish_dir.resolve(), CURRENT)
        still = f"{live.name} is still live" if live else "nothing is published yet"
    except OSError:
        still = f"{publish_dir / CURRENT} could not be read"
    print(f"{action} stopped: {why}. The published site is unchanged ({still}).", flush=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; return the exit status."""
    args = parse_arguments(argv)
    publish_dir = Path(args.to)
    try:
        if args.action == "publish":
            release = publish(
                publish_dir,
                Path.cwd(),
                args.content,
                args.settings,
                tuple(args.check_args.split()),
            )
            print(f"publish: {release.name} is live ({publish_dir / CURRENT})")
        elif args.action == "rollback":
            release = rollback(publish_dir)
            print(f"rollback: {release.name} is live again ({publish_dir / CURRENT})")
        else:
            for name in (CURRENT, PREVIOUS):
                target = pointer(publish_dir.resolve(), name)
                print(f"{name}: {target.name if target else '(none)'}")
    except PublishError as error:
        return stopped(args.action, publish_dir, str(error))
    except OSError as error:
        again = {"publish": "publish again", "rollback": "roll back again"}.get(args.action, "")
        return stopped(args.action, publish_dir, os_errors.describe(error, then=again))
    return 0


if __name__ == "__main__":
    sys.exit(main())
