"""`make publish` / `make rollback` (portal.release) and reproducible builds."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, PROJECT, copy_published, run_module, running_nginx, tree_digest

from portal import release


@pytest.fixture
def project(published_project, tmp_path) -> Path:
    """A copy of the project whose shipped site is published (publish/current)."""
    return copy_published(published_project, tmp_path / "project")


def live(project: Path) -> tuple[str, str]:
    """Return which release is live and a digest of all its files."""
    current = project / "publish" / "current"
    return os.readlink(current), tree_digest(current)


def retitle(project: Path, title: str) -> None:
    """Change the English credits page's title, so that a new release differs."""
    path = project / "content" / "en" / "credits.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Title: Credits", f"Title: {title}", 1), encoding="utf-8")


def served_title(project: Path) -> str:
    """Return the <h1> of /en/credits/ as the web server would serve it."""
    html = (project / "publish" / "current" / "en" / "credits" / "index.html").read_text()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_publish_switches_releases_and_rollback_restores_the_previous(project, tmp_path):
    first_link, first_digest = live(project)
    assert served_title(project) == "Credits"
    stale = project / "publish" / "releases" / ".incoming-killed-earlier"
    stale.mkdir()
    (stale / "index.html").write_text("half a site")

    with running_nginx(project / "publish" / "current", tmp_path / "nginx") as nginx:

        def title_from_nginx() -> str:
            response = nginx.get("/en/credits/")
            assert response.status == 200
            return response.text.split("<h1>", 1)[1].split("</h1>", 1)[0]

        assert title_from_nginx() == "Credits"
        retitle(project, "Credits and thanks")
        result = run_module(
            "portal.release", "publish", "--to", "publish", "--check-args=--only links", cwd=project
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "passed the checks run (links)" in result.stdout
        second_link, _digest = live(project)
        assert second_link != first_link
        assert served_title(project) == "Credits and thanks"
        assert title_from_nginx() == "Credits and thanks"  # nginx follows the switched link
        assert os.readlink(project / "publish" / "previous") == first_link
        releases = sorted(p.name for p in (project / "publish" / "releases").iterdir())
        assert releases == sorted([Path(first_link).name, Path(second_link).name])  # stale gone

        result = run_module("portal.release", "rollback", "--to", "publish", cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert live(project) == (first_link, first_digest)
        assert os.readlink(project / "publish" / "previous") == second_link
        assert title_from_nginx() == "Credits"

        result = run_module("portal.release", "rollback", "--to", "publish", cwd=project)
        assert live(project)[0] == second_link  # a second rollback undoes the first
        assert title_from_nginx() == "Credits and thanks"


def wait_for(condition, timeout: float = 120) -> None:
    """Poll until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the publish to get there")
        time.sleep(0.05)


@pytest.mark.parametrize("moment", ["during the build", "during the checks"])
def test_sigkill_half_way_leaves_the_published_site_intact(project, moment):
    before = live(project)
    retitle(project, "Half-published credits")
    releases = project / "publish" / "releases"

    def incoming() -> list[Path]:
        return list(releases.glob(".incoming-*"))

    env = dict(os.environ, SOURCE_DATE_EPOCH="1795996800")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.release", "publish", "--to", "publish"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if moment == "during the build":
            wait_for(lambda: incoming() and any(incoming()[0].rglob("*.html")))
        else:
            wait_for(lambda: incoming() and (incoming()[0] / "theme" / "css").is_dir())
            time.sleep(3)  # the build has finished; the checks are running
        assert process.poll() is None, "the publish finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)  # the publish and every process it started
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert incoming(), "the kill did not happen half-way"
    assert live(project) == before
    assert served_title(project) == "Credits"
    assert not (project / "publish" / "previous").exists()


def fake_build(pages: dict[str, str]):
    """Return a stand-in for release.run_step that 'builds' `pages` and passes the checks."""

    def run_step(command: list[str], project: Path) -> int:
        if command[2] == "portal.build":
            output = Path(command[command.index("-o") + 1])
            for name, text in pages.items():
                (output / name).parent.mkdir(parents=True, exist_ok=True)
                (output / name).write_text(text)
        return 0

    return run_step


def test_the_live_pointer_moves_last(tmp_path, monkeypatch):
    """If a publish dies while switching, `current` still names the old, complete release."""
    publish_dir = tmp_path / "publish"
    monkeypatch.setattr(release, "run_step", fake_build({"index.html": "one"}))
    first = release.publish(publish_dir, tmp_path)
    assert (publish_dir / "current" / "index.html").read_text() == "one"

    switched = []

    def dying_point(directory: Path, name: str, target: Path) -> None:
        if name == release.CURRENT:
            raise KeyboardInterrupt("killed while switching")
        switched.append(name)
        original_point(directory, name, target)

    original_point = release.point
    monkeypatch.setattr(release, "run_step", fake_build({"index.html": "two"}))
    monkeypatch.setattr(release, "point", dying_point)
    monkeypatch.setattr(release, "release_id", lambda project: "second")
    with pytest.raises(KeyboardInterrupt):
        release.publish(publish_dir, tmp_path)
    assert switched == [release.PREVIOUS]
    assert (publish_dir / "current").resolve() == first.resolve()
    assert (publish_dir / "current" / "index.html").read_text() == "one"


def test_failed_checks_keep_the_build_for_inspection(tmp_path, monkeypatch):
    publish_dir = tmp_path / "publish"
    monkeypatch.setattr(release, "run_step", fake_build({"index.html": "one"}))
    release.publish(publish_dir, tmp_path)

    def failing_checks(command: list[str], project: Path) -> int:
        fake_build({"index.html": "broken"})(command, project)
        return 1 if command[2] == "portal.checks" else 0

    monkeypatch.setattr(release, "run_step", failing_checks)
    with pytest.raises(release.PublishError, match="the checks failed"):
        release.publish(publish_dir, tmp_path)
    assert (publish_dir / "current" / "index.html").read_text() == "one"
    kept = list((publish_dir / "releases").glob(".incoming-*"))
    assert len(kept) == 1 and (kept[0] / "index.html").read_text() == "broken"


def test_rollback_without_a_previous_release_says_so(tmp_path, monkeypatch):
    publish_dir = tmp_path / "publish"
    with pytest.raises(release.PublishError, match="no previous release"):
        release.rollback(publish_dir)
    monkeypatch.setattr(release, "run_step", fake_build({"index.html": "one"}))
    release.publish(publish_dir, tmp_path)
    with pytest.raises(release.PublishError, match="no previous release"):
        release.rollback(publish_dir)
    assert (publish_dir / "current" / "index.html").read_text() == "one"


def test_one_publish_at_a_time(tmp_path):
    publish_dir = tmp_path / "publish"
    with (
        release.locked(publish_dir),
        pytest.raises(release.PublishError, match="another publish or rollback is running"),
        release.locked(publish_dir),
    ):
        pass


@pytest.mark.parametrize(
    ("content", "settings"),
    [(PROJECT / "content", "publishconf.py"), (FIXTURE_SITE, "pelicanconf.py")],
    ids=["shipped-production", "fixture-development"],
)
def test_two_builds_of_the_same_input_are_byte_identical(tmp_path, content, settings):
    outputs = []
    for seed in ("1", "2"):
        output = tmp_path / f"build-{seed}" / "output"
        result = run_module(
            "portal.build",
            str(content),
            "-s",
            settings,
            "-o",
            str(output),
            "--fatal",
            "warnings",
            cwd=PROJECT,
            env={"PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(output)
    first, second = outputs

    def files(root: Path) -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    names = files(first)
    assert names == files(second)
    assert len(names) > 50
    _match, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert mismatch == [] and errors == []
