"""A hostile environment: a full disk, a read-only folder, missing permissions, a bad SITEURL.

Each case makes the fault for real (a small tmpfs, a read-only bind mount, the command run as
the unprivileged user nobody; the tests run as root, whom permissions do not stop), runs the
real command (`make publish` / `make rollback` = python -m portal.release, `make html` =
python -m portal.build) and asserts that

- it exits non-zero,
- its output has the one plain line naming the path and what to do,
- no Python traceback is shown,
- the published site (publish/current: the link and every byte) is exactly what it was.

Mounting needs root; without it the cases are skipped, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, IN_CI, PROJECT, copy_published, run_module
from test_hostile_input import published_state

NOBODY = 65534
CHECKS_ONLY_LINKS = "--check-args=--only links"  # the checks cannot fail here; links are quick
ADVICE_SPACE = "no space left on the disk; free some space on that disk"
ADVICE_READ_ONLY = (
    "the file system is read-only; remount it read-write, or use a folder on a writable disk"
)
ADVICE_PERMISSION = (
    "permission denied; run it as a user who may write there, or change the owner of the "
    "folder (chown -R)"
)


def unavailable(message: str) -> None:
    """Skip a case the machine cannot make, but fail in CI, where it must run."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def can_mount(tmp_path_factory) -> None:
    """Make sure this process may mount file systems (root, mount(8), the capability)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        unavailable("mounting a file system needs root and mount(8)")
    probe = tmp_path_factory.mktemp("mount-probe")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    subprocess.run(["umount", str(probe)], check=True)


@pytest.fixture(scope="session")
def as_nobody() -> list[str]:
    """Return the command prefix that runs a command as the unprivileged user nobody."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        unavailable("running a command as nobody needs root and setpriv(1) (util-linux)")
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import lxml"], capture_output=True)
    if probe.returncode != 0:
        unavailable(f"nobody cannot run {sys.executable}: {probe.stderr.decode().strip()}")
    return prefix


def mount(*arguments: str) -> None:
    """Run mount(8), failing the test with its message if it fails."""
    result = subprocess.run(["mount", *arguments], capture_output=True, text=True)
    assert result.returncode == 0, f"mount {' '.join(arguments)}: {result.stderr}"


def unmount(path: Path) -> None:
    """Unmount `path` (lazily if something still holds it open)."""
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=True)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """Make a folder read-only for everyone, root included: a read-only bind mount over it."""
    mount("--bind", str(path), str(path))
    try:
        mount("-o", "remount,ro,bind", str(path))
        yield path
    finally:
        unmount(path)


def used(path: Path) -> tuple[int, int]:
    """Return the bytes and the inodes in use on the file system holding `path`."""
    stats = os.statvfs(path)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize, stats.f_files - stats.f_ffree


@contextmanager
def publish_on_tmpfs(project: Path, spare_bytes: int, spare_inodes: int) -> Iterator[Path]:
    """Move the project's publish folder onto a tmpfs with only so much room left."""
    publish = project / "publish"
    original = project / "publish.original"
    publish.rename(original)
    publish.mkdir()
    mount("-t", "tmpfs", "-o", "size=2g", "tmpfs", str(publish))
    try:
        shutil.copytree(original, publish, symlinks=True, dirs_exist_ok=True)
        size, inodes = used(publish)
        mount(
            "-o",
            f"remount,size={size + spare_bytes},nr_inodes={inodes + spare_inodes}",
            str(publish),
        )
        yield publish
    finally:
        unmount(publish)
        publish.rmdir()
        original.rename(publish)


@pytest.fixture
def project(published_project, tmp_path) -> Path:
    """A copy of the published project (the shipped site live in publish/current)."""
    return copy_published(published_project, tmp_path / "project")


@pytest.fixture
def open_project(published_project) -> Iterator[Path]:
    """A copy of the published project that the user nobody can read (pytest's are 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-permissions-"))
    try:
        folder.chmod(0o755)
        yield copy_published(published_project, folder / "project")
    finally:
        shutil.rmtree(folder)


def add_previous_release(project: Path) -> str:
    """Give the published project a previous release (a copy of the live one) to roll back to."""
    publish = project / "publish"
    older = "20250101T000000Z-older"
    shutil.copytree(publish / "current", publish / "releases" / older, copy_function=os.link)
    (publish / "previous").symlink_to(f"releases/{older}")
    return older


def state(project: Path) -> tuple[str, str, str | None]:
    """Return which release is live, a digest of its files, and which release is previous."""
    previous = project / "publish" / "previous"
    return (*published_state(project), os.readlink(previous) if previous.is_symlink() else None)


def live_name(project: Path) -> str:
    """Return the name of the live release."""
    return Path(os.readlink(project / "publish" / "current")).name


def assert_refused(result: subprocess.CompletedProcess, *lines: str) -> str:
    """Assert a command failed plainly: non-zero, each expected line (a regular expression)
    printed whole, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    printed = output.splitlines()
    for line in lines:
        assert any(re.fullmatch(line, p) for p in printed), f"no line {line!r} in:\n{output}"
    assert "Traceback" not in output and 'File "' not in output, output
    return output


def stopped(action: str, why: str, live: str) -> str:
    """Return (as a regular expression) the last line of a stopped publish or rollback."""
    return (
        re.escape(f"{action} stopped: ")
        + why
        + re.escape(f". The published site is unchanged ({live} is still live).")
    )


def publish(project: Path, *prefix: str) -> subprocess.CompletedProcess:
    """Run `make publish` (python -m portal.release publish) in `project`."""
    command = [sys.executable, "-m", "portal.release", "publish", "--to", "publish"]
    return subprocess.run(
        [*prefix, *command, CHECKS_ONLY_LINKS],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1795996800"),
        timeout=900,
    )


def rollback(project: Path, *prefix: str) -> subprocess.CompletedProcess:
    """Run `make rollback` (python -m portal.release rollback) in `project`."""
    command = [sys.executable, "-m", "portal.release", "rollback", "--to", "publish"]
    return subprocess.run([*prefix, *command], cwd=project, capture_output=True, text=True)


# publish


def test_a_read_only_publish_folder_stops_the_publish(can_mount, project):
    before = state(project)
    folder = (project / "publish").resolve()
    with read_only(project / "publish"):
        result = publish(project)
        after = state(project)
    why = re.escape(f"{folder}/.lock: {ADVICE_READ_ONLY}, then publish again")
    assert_refused(result, stopped("publish", why, live_name(project)))
    assert after == before == state(project)


def test_a_read_only_releases_folder_stops_the_publish(can_mount, project):
    """The lock can be taken, but the build has nowhere to go: the incoming folder is named."""
    before = state(project)
    releases = (project / "publish" / "releases").resolve()
    with read_only(releases):
        result = publish(project)
        after = state(project)
    why = (
        re.escape(f"{releases}/")
        + r"\.incoming-[^/ ]+: "
        + re.escape(f"{ADVICE_READ_ONLY}, then publish again")
    )
    assert_refused(result, stopped("publish", why, live_name(project)))
    assert after == before == state(project)


def test_a_full_disk_during_the_build_stops_the_publish(can_mount, project):
    """16 MiB left for a 50 MiB release: the build names the file it could not write."""
    with publish_on_tmpfs(project, spare_bytes=16 << 20, spare_inodes=100_000) as folder:
        before = state(project)
        result = publish(project)
        after = state(project)
        left = sorted(p.name for p in (folder / "releases").iterdir())
    assert_refused(
        result,
        r"error: publish/releases/\.incoming-[^/ ]+/\S+: "
        + re.escape(f"{ADVICE_SPACE}, then build again"),
        re.escape("The build failed: 1 problem (listed above).") + ".*",
        stopped("publish", re.escape("the build failed (see above)"), live_name(project)),
    )
    assert after == before
    assert left == [live_name(project)]  # the failed build is removed, its space given back


def test_a_full_disk_at_the_switch_leaves_the_live_site(can_mount, project):
    """The build and the checks pass, then the disk fills up: the links cannot be switched.

    The disk is filled (every inode used) while the publish process is stopped (SIGSTOP) during
    its checks, so that the switch is the first thing to meet the full disk.
    """
    with publish_on_tmpfs(project, spare_bytes=1 << 30, spare_inodes=0) as folder:
        # room for one more release of the same size, and a little
        _size, inodes = used(folder)
        mount("-o", f"remount,nr_inodes={2 * inodes + 3000}", str(folder))
        before = state(project)
        command = [sys.executable, "-m", "portal.release", "publish", "--to", "publish"]
        process = subprocess.Popen(
            [*command, CHECKS_ONLY_LINKS],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(os.environ, SOURCE_DATE_EPOCH="1795996800"),
        )
        lines = []
        filled = 0
        for line in process.stdout:
            lines.append(line)
            if line.startswith("publish: checking"):
                os.kill(process.pid, signal.SIGSTOP)  # its checks go on; it waits for them
                try:
                    filler = folder / "filler"
                    filler.mkdir()
                    while True:
                        (filler / str(filled)).touch()
                        filled += 1
                except OSError as error:
                    assert error.errno == 28, error  # ENOSPC
                finally:
                    os.kill(process.pid, signal.SIGCONT)
        process.wait(timeout=600)
        result = subprocess.CompletedProcess(process.args, process.returncode, "".join(lines), "")
        after = state(project)
        temporary = [p.name for p in folder.iterdir() if p.name.endswith(".new")]
    assert filled > 0, "".join(lines)
    why = re.escape(f"{folder.resolve()}/.previous.new: {ADVICE_SPACE}, then publish again")
    assert_refused(result, stopped("publish", why, live_name(project)))
    assert after == before
    assert temporary == []


@pytest.mark.parametrize("folder_owner", ["root", "nobody"])
def test_missing_permissions_stop_the_publish(as_nobody, open_project, folder_owner):
    """Publishing as nobody: into root's publish folder, or (owning it) into root's releases."""
    project = open_project
    publish_dir = (project / "publish").resolve()
    if folder_owner == "nobody":
        os.chown(publish_dir, NOBODY, NOBODY)
        os.chown(publish_dir / ".lock", NOBODY, NOBODY)
        path = re.escape(f"{publish_dir}/releases/") + r"\.incoming-[^/ ]+"
    else:
        path = re.escape(f"{publish_dir}/.lock")
    before = state(project)
    result = publish(project, *as_nobody)
    why = path + re.escape(f": {ADVICE_PERMISSION}, then publish again")
    assert_refused(result, stopped("publish", why, live_name(project)))
    assert state(project) == before


def test_a_file_where_the_publish_folder_should_be(tmp_path):
    (tmp_path / "elsewhere").write_text("not a folder\n", encoding="utf-8")
    target = tmp_path / "elsewhere" / "site"
    result = run_module("portal.release", "publish", "--to", str(target), cwd=PROJECT)
    why = re.escape(
        f"{target}: a part of this path is a file where a folder should be; move that file out "
        "of the way, then publish again"
    )
    unchanged = re.escape(". The published site is unchanged (nothing is published yet).")
    assert_refused(result, re.escape("publish stopped: ") + why + unchanged)


# rollback


def test_rollback_in_a_read_only_folder_leaves_the_live_site(can_mount, project):
    older = add_previous_release(project)
    before = state(project)
    assert before[2] == f"releases/{older}"
    folder = (project / "publish").resolve()
    with read_only(project / "publish"):
        result = rollback(project)
        after = state(project)
    why = re.escape(f"{folder}/.lock: {ADVICE_READ_ONLY}, then roll back again")
    assert_refused(result, stopped("rollback", why, live_name(project)))
    assert after == before == state(project)


def test_rollback_without_permission_to_switch_the_links(as_nobody, open_project):
    """nobody may take the lock (the file is writable) but not make links in the folder."""
    project = open_project
    add_previous_release(project)
    (project / "publish" / ".lock").chmod(0o666)
    before = state(project)
    result = rollback(project, *as_nobody)
    why = re.escape(
        f"{(project / 'publish').resolve()}/.previous.new: {ADVICE_PERMISSION}, "
        "then roll back again"
    )
    assert_refused(result, stopped("rollback", why, live_name(project)))
    assert state(project) == before
    # and as the owner the same rollback works, twice (the second undoes the first)
    assert rollback(project).returncode == 0
    assert state(project)[0] == before[2]
    assert rollback(project).returncode == 0
    assert state(project) == before


# the build (make html)


def build(
    output: Path, settings: str = "pelicanconf.py", env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run `make html`'s command over the fixture site into `output`."""
    command = [sys.executable, "-m", "portal.build", str(FIXTURE_SITE), "-s", settings]
    return subprocess.run(
        [*command, "-o", str(output), "--fatal", "warnings"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1795996800", **(env or {})),
        timeout=600,
    )


def test_a_full_disk_during_make_html_names_the_file(can_mount, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mount("-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk))
    try:
        result = build(disk / "output")
    finally:
        unmount(disk)
    # make html writes next to output/ (output.building-<pid>/) and swaps it in on success
    output = assert_refused(
        result,
        "error: " + re.escape(f"{disk}/output") + r"(\.building-\d+)?/\S+: "
        + re.escape(ADVICE_SPACE) + ", then build again",
        re.escape("The build failed: 1 problem (listed above).") + ".*",
    )  # fmt: skip
    assert "a bug in a template" not in output


def test_a_read_only_output_folder_for_make_html(can_mount, tmp_path):
    (tmp_path / "disk").mkdir()
    with read_only(tmp_path / "disk"):
        result = build(tmp_path / "disk" / "output")
    # make html creates output.building-<pid>/ beside output/ first: that is refused
    assert_refused(
        result,
        re.escape(f"error: {tmp_path}/disk/output") + r"(\.building-\d+)?: "
        + re.escape(f"{ADVICE_READ_ONLY}, then build again"),
    )  # fmt: skip


# SITEURL (publishconf.py)

BAD_SITE_URLS = {
    "quote": ("https://exa'mple.org", "contains a quote (')"),
    "double-quote": ('https://example.org/"><script>', 'contains a quote (")'),
    "space": ("https://example.org/our portal", "contains a space"),
    "angle-bracket": ("https://example.org/<portal>", "contains '<', which would need escaping"),
    "backslash": ("https://example.org\\portal", "contains '\\\\', which would need escaping"),
    "control-character": ("https://example.org/\x07", "contains a control character ('\\x07')"),
    "no-host": ("https:///portal", "has no host name"),
    "http-nothing-else": ("http://", "has no host name"),
    "http": ("http://supporters.example.org", "uses http:// (accepted for localhost only)"),
    "javascript": (
        "javascript:alert(document.domain)",
        "is not an absolute http(s) address (it must start with https://)",
    ),
    "no-scheme": (
        "supporters.example.org",
        "is not an absolute http(s) address (it must start with https://)",
    ),
    "trailing-page-path": (
        "https://example.org/portal/index.html",
        "ends in a file name ('index.html'), not the folder the site is served from",
    ),
    "query": ("https://example.org/portal?lang=fi", "has a query (?...)"),
    "fragment": ("https://example.org/#portal", "has a fragment (#...)"),
    "user-name": ("https://editor@example.org", "has a user name or password (...@) in it"),
    "no-domain": ("https://portal", "has a host name without a domain ('portal')"),
    "empty-path-segment": (
        "https://example.org//portal",
        "has an empty, '.' or '..' part in its path ('//portal')",
    ),
}


@pytest.mark.parametrize("case", BAD_SITE_URLS, ids=list(BAD_SITE_URLS))
def test_a_bad_site_url_stops_the_production_build_in_one_line(tmp_path, case):
    url, problem = BAD_SITE_URLS[case]
    output = tmp_path / "output"
    result = build(output, "publishconf.py", env={"SITEURL": url})
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"publishconf.py: the site's address {url!r} (from the environment variable SITEURL) "
        f"{problem}; set it to the public https:// address of the site, e.g. "
        "https://supporters.example.eu or https://example.org/portal"
    ]
    assert not output.exists()


def test_a_bad_site_url_stops_the_publish(project):
    before = state(project)
    result = run_module(
        "portal.release", "publish", "--to", "publish", cwd=project, env={"SITEURL": "https://"}
    )
    assert_refused(
        result,
        re.escape("publishconf.py: the site's address 'https://' (from the environment variable")
        + ".* has no host name; .*",
        stopped("publish", re.escape("the build failed (see above)"), live_name(project)),
    )
    assert state(project) == before
    assert [p.name for p in (project / "publish" / "releases").iterdir()] == [live_name(project)]


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://example.org/portal", "https://example.org/portal"),
        ("https://example.org/portal/", "https://example.org/portal"),
        ("http://localhost:8080", "http://localhost:8080"),
    ],
)
def test_a_good_site_url_is_accepted(tmp_path, url, base):
    output = tmp_path / "output"
    result = build(output, "publishconf.py", env={"SITEURL": url})
    assert result.returncode == 0, result.stdout + result.stderr
    home = (output / "fi" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}/fi/">' in home
    assert f'href="{base}/fi/supporters/"' in home
