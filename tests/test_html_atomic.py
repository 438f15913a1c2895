"""`make html` (portal.build) builds next to the output folder and swaps the result in only when
the build succeeded: a failed, broken or killed build leaves the output exactly as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build_or_fail, copy_project, run_build, tree_digest


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project whose content is the small fixture site (to break and build)."""
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project / "content")
    shutil.copytree(FIXTURE_SITE, project / "content")
    return project


def build(project: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run `make html`'s command in the project: its content into its output/."""
    return run_build(
        project / "content",
        project / "output",
        *extra,
        settings=project / "pelicanconf.py",
        cwd=project,
    )


def leftovers(project: Path) -> list[str]:
    """Return what builds left next to output/ (staging folders, set-aside outputs)."""
    return sorted(p.name for p in project.iterdir() if p.name.startswith("output."))


def last_line(result: subprocess.CompletedProcess) -> str:
    """Return the last line the build printed on stderr."""
    return result.stderr.strip().splitlines()[-1]


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file (which must contain it)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SUPPORTER = """name: Test Energy Agency
type: energy-agency
country: FI
city: Tampere
website: https://agency.example/
contact:
  name: Test Person
  position: Adviser
  email: person@agency.example
head:
  title: Director
  name: Test Head
joined: 2020-01-01
status: active
last_report: 2024-10-01
signatories: 3
working_languages:
  - fi
description:
  en: A test agency.
"""


def test_a_successful_build_replaces_the_output_fully(project, tmp_path):
    fresh = build_or_fail(
        project / "content", tmp_path / "fresh", settings=project / "pelicanconf.py", cwd=project
    )
    output = project / "output"
    (output / "en" / "removed-page").mkdir(parents=True)
    (output / "en" / "removed-page" / "index.html").write_text("a page no longer built")
    (output / "stale.txt").write_text("stale")
    (output / "pagefind").mkdir()
    (output / "pagefind" / "stale-index.js").write_text("an old search index file")

    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    # exactly what a build into a new, empty folder writes: nothing stale, same bytes
    assert tree_digest(output) == tree_digest(fresh)
    assert not (output / "stale.txt").exists()
    assert leftovers(project) == []


@pytest.mark.parametrize(
    "breakage",
    ["metadata", "yaml", "template"],
    ids=["markdown-metadata-error", "yaml-record-error", "template-error-while-writing"],
)
def test_a_failed_build_leaves_the_output_as_it_was(project, breakage):
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    output = project / "output"
    (output / "stale.txt").write_text("from an earlier build")
    before = tree_digest(output)
    stamps = {p: p.stat().st_mtime_ns for p in output.rglob("*")}

    if breakage == "metadata":
        replace_in(project / "content/fi/supporters.md", "Title:", "Titel:")
        expected = "content/fi/supporters.md:1: unknown metadata Titel"
    elif breakage == "yaml":
        record = project / "content/data/supporters/test-agency.yaml"
        record.parent.mkdir(parents=True)
        record.write_text(SUPPORTER.replace("country: FI", "country: XX"), encoding="utf-8")
        expected = "content/data/supporters/test-agency.yaml:3: country:"
    else:
        # an undefined variable in the footer: the build fails while it writes the pages
        footer = project / "theme/templates/footer.html"
        footer.write_text(
            footer.read_text(encoding="utf-8") + "{{ no_such_variable.attribute }}\n",
            encoding="utf-8",
        )
        expected = "theme/templates/footer.html:"

    result = build(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert last_line(result).startswith("The build failed: ")
    assert last_line(result).endswith("; output/ is unchanged."), last_line(result)
    assert tree_digest(output) == before
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*")} == stamps
    assert leftovers(project) == []


def test_a_failed_first_build_writes_nothing(project):
    replace_in(project / "content/fi/supporters.md", "Title:", "Titel:")
    result = build(project)
    assert result.returncode == 1
    assert last_line(result).endswith("; nothing was written to output/.")
    assert not (project / "output").exists()
    assert leftovers(project) == []


def wait_for(condition, timeout: float = 300) -> None:
    """Poll until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.02)


def test_a_killed_build_leaves_the_output_as_it_was_and_the_next_one_clears_up(project):
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    output = project / "output"
    before = tree_digest(output)
    replace_in(project / "content/en/supporters.md", "Title: ", "Title: Killed ")

    def staging() -> list[Path]:
        return list(project.glob("output.building-*"))

    process = subprocess.Popen(
        [sys.executable, "-m", "portal.build", "content", "-s", "pelicanconf.py", "-o", "output"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: staging() and any(staging()[0].rglob("index.html")))
        assert process.poll() is None, "the build finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)  # the build and its workers
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert staging(), "the kill did not happen half-way"
    assert tree_digest(output) == before

    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert leftovers(project) == []
    assert "Killed" in (output / "en" / "supporters" / "index.html").read_text(encoding="utf-8")


def a_dead_process_id() -> int:
    """Return the id of no running process."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_an_output_left_aside_by_a_killed_swap_is_put_back(project):
    """Killed between renaming the old output aside and the new one in (where the file system
    cannot swap in one step): the next build, even a failed one, puts the old output back."""
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    output = project / "output"
    before = tree_digest(output)
    output.rename(project / f"output.old-{a_dead_process_id()}")
    replace_in(project / "content/fi/supporters.md", "Title:", "Titel:")

    result = build(project)
    assert result.returncode == 1
    assert tree_digest(output) == before
    assert leftovers(project) == []


def test_what_the_settings_keep_in_the_output_is_kept(project):
    """OUTPUT_RETENTION names what is not the build's but stays in the output folder: carried
    into the new output. The engine owns the folder: DELETE_OUTPUT_DIRECTORY on is refused."""
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    output = project / "output"
    (output / "keep-me").mkdir()
    (output / "keep-me" / "notes.txt").write_text("kept by the settings")
    (output / "stale.txt").write_text("not kept")
    retention = 'OUTPUT_RETENTION=["pagefind", "keep-me"]'

    result = build(project, "-e", retention)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / "keep-me" / "notes.txt").read_text() == "kept by the settings"
    assert not (output / "stale.txt").exists()

    before = tree_digest(output)
    result = build(project, "-e", "DELETE_OUTPUT_DIRECTORY=true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DELETE_OUTPUT_DIRECTORY must be False" in result.stderr
    assert tree_digest(output) == before
    assert leftovers(project) == []


def test_an_output_folder_that_holds_the_content_is_refused(tmp_path):
    """An output folder that holds the content (or lies in it) is refused before anything is
    written: a swap would replace the content, and the build would read its own output."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    before = tree_digest(tmp_path)
    for output in (site / "..", site / "output"):
        result = run_build(site, output)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "the output folder" in result.stderr and "the content folder" in result.stderr
        assert "build into a folder of its own" in result.stderr
        assert "Traceback" not in result.stderr
        assert tree_digest(tmp_path) == before
        assert not list(tmp_path.glob("*.building-*"))
