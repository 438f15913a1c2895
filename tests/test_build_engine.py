"""The fast build writes exactly what the plain path writes: byte for byte, cold, warm, and in
the dev server's rebuilds after edits."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from build_engine.memory import Build
from build_engine.options import options
from build_engine.workers import in_background, ordered_map
from build_engine.writing import Tracker, _same_answers, answer_digest
from conftest import EU_ORDER, FIXTURE_SITE, PROJECT, build_or_fail
from portal_core.conversion import ReusableConverter, convert_markdown
from portal_core.errors import PortalError

PLAIN = 'BUILD_ENGINE={"enabled": false}'
# Workers even for small sites, so that the tests take the parallel paths.
PARALLEL = 'BUILD_ENGINE={"workers": 2, "parallel_from": 1}'
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.toc": {}},
    "extensions": [
        "markdown.extensions.extra",
        "markdown.extensions.toc",
        "markdown.extensions.meta",
    ],
    "output_format": "html5",
}


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Return every file under `root` by its relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_same_tree(expected: Path, actual: Path) -> None:
    """Fail with the first differing files when two output folders differ in any byte."""
    want, got = tree_bytes(expected), tree_bytes(actual)
    assert sorted(got) == sorted(want), {
        "missing": sorted(set(want) - set(got))[:10],
        "extra": sorted(set(got) - set(want))[:10],
    }
    differing = [name for name in want if want[name] != got[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"


def cache_option(folder: Path) -> str:
    """Return the -e option that puts Pelican's cache in `folder`."""
    return f"CACHE_PATH={json.dumps(str(folder))}"


@pytest.mark.parametrize("content", [FIXTURE_SITE, PROJECT / "content"], ids=["fixture", "shipped"])
def test_the_engine_is_byte_identical_to_the_plain_path_cold_and_warm(tmp_path, content):
    plain = build_or_fail(content, tmp_path / "plain", "-e", PLAIN, cache_option(tmp_path / "c0"))
    cache = cache_option(tmp_path / "cache")
    cold = build_or_fail(content, tmp_path / "cold", "-e", PARALLEL, cache)
    assert any((tmp_path / "cache" / "build_engine").glob("markdown-*.pickle"))
    warm = build_or_fail(content, tmp_path / "warm", "-e", PARALLEL, cache)
    assert_same_tree(plain, cold)
    assert_same_tree(plain, warm)


def copy_site(source: Path, target: Path) -> Path:
    """Copy a content folder to edit it in a test."""
    shutil.copytree(source, target)
    return target


def run_rebuilds(tmp_path: Path, content: Path, steps: list[dict]) -> None:
    """Build `content` once per step with one Pelican instance, as the dev server does."""
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "settings": str(PROJECT / "pelicanconf.py"),
                "overrides": {
                    "PATH": str(content),
                    "OUTPUT_PATH": str(tmp_path / "live"),
                    "CACHE_PATH": str(tmp_path / "cache"),
                    "BUILD_ENGINE": {"workers": 2, "parallel_from": 1},
                },
                "steps": steps,
            }
        ),
        encoding="utf-8",
    )
    env = dict(os.environ, SOURCE_DATE_EPOCH="1795996800")
    result = subprocess.run(
        [sys.executable, str(PROJECT / "tests" / "rebuild_driver.py"), str(plan)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dev_server_rebuilds_after_edits_equal_fresh_plain_builds(tmp_path):
    content = copy_site(FIXTURE_SITE, tmp_path / "content")
    english = content / "en" / "supporters" / "commitments.md"
    finnish = content / "fi" / "supporters.md"
    original = english.read_text(encoding="utf-8")
    edited_body = original + "\nA sentence added by the test.\n"
    edited_title = edited_body.replace("Title: ", "Title: Renamed ", 1)
    steps = [
        {"snapshot": str(tmp_path / "s0")},
        {"write": {str(english): edited_body}, "snapshot": str(tmp_path / "s1")},
        {"write": {str(english): edited_title}, "snapshot": str(tmp_path / "s2")},
        {"delete": [str(finnish)], "snapshot": str(tmp_path / "s3")},
        {"write": {str(content / "en" / "new-page.md"): "Title: New\n\nNew page.\n"}},
    ]
    run_rebuilds(tmp_path, content, steps)

    # Each state of the content, built afresh on the plain path, must equal the live output.
    states = [
        (tmp_path / "s0", {english: original}, []),
        (tmp_path / "s1", {english: edited_body}, []),
        (tmp_path / "s2", {english: edited_title}, []),
        (tmp_path / "s3", {}, [finnish]),
        (tmp_path / "live", {content / "en" / "new-page.md": "Title: New\n\nNew page.\n"}, []),
    ]
    rebuild = copy_site(FIXTURE_SITE, tmp_path / "replay")
    for number, (snapshot, writes, deletes) in enumerate(states):
        for file, text in writes.items():
            (rebuild / file.relative_to(content)).write_text(text, encoding="utf-8")
        for file in deletes:
            (rebuild / file.relative_to(content)).unlink()
        fresh = build_or_fail(rebuild, tmp_path / f"fresh{number}", "-e", PLAIN)
        assert_same_tree(fresh, snapshot)
    # The edit shows in English and in the German fallback, not in the Finnish translation.
    shown = {
        lang: "A sentence added by the test."
        in (tmp_path / "s1" / lang / "supporters" / "commitments" / "index.html").read_text(
            encoding="utf-8"
        )
        for lang in ("en", "sv", "fi")
    }
    assert shown == {"en": True, "sv": True, "fi": False}
    # A body edit rewrote the pages that show the edited text (English and the fallbacks) and
    # the pages of the languages whose translation it made outdated (German and Finnish, where
    # the status shows), and kept every other page.
    rewritten = {
        name
        for name in tree_bytes(tmp_path / "s1")
        if name.endswith(".html")
        and (tmp_path / "s1" / name).stat().st_mtime_ns
        != (tmp_path / "s0" / name).stat().st_mtime_ns
    }
    edited = {f"{lang}/supporters/commitments/index.html" for lang in EU_ORDER}
    assert edited <= rewritten
    untouched_languages = [lang for lang in EU_ORDER if lang not in ("en", "de", "fi")]
    # Content pages only: the 404 and search pages are written by generators of their own
    # that render every time (few pages).
    kept = [
        name
        for name in tree_bytes(tmp_path / "s1")
        if name.endswith("/index.html")
        and name.split("/")[0] in untouched_languages
        and "/search/" not in name
    ]
    assert set(kept) - edited, "the fixture should have other pages in those languages"
    assert not (set(kept) - edited) & rewritten
    # The Finnish overview became a fallback: its English text is shown in the Finnish folder.
    fallback = (tmp_path / "s3" / "fi" / "supporters" / "index.html").read_text(encoding="utf-8")
    assert "notice-fallback" in fallback


DOCUMENTS = [
    "Title: One\nSummary: A *short* summary.\n\n# Heading\n\n# Heading\n\nText[^1].\n\n"
    "[^1]: A footnote.\n\n*[HTML]: Hyper Text\n\nHTML here.\n",
    'Title: Two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n<div markdown="1">*inner*</div>\n\n'
    "Term\n:   Definition\n\n```\ncode\n```\n",
    "No metadata at all, a [link][ref] and a footnote[^1].\n\n[ref]: https://example.org\n"
    "[^1]: Second document's footnote.\n\n# Heading\n",
    "Title: Four\nSummary: Line one\n    line two\n\nHTML again, no abbreviation now.\n",
]


def test_reused_markdown_instances_convert_like_new_ones():
    converter = ReusableConverter(MARKDOWN, ["summary"])
    for text in DOCUMENTS * 2:
        assert converter.convert(text) == convert_markdown(text, MARKDOWN, ["summary"])


def _square_or_fail(number: int) -> int:
    if number == 5:
        raise ValueError("five")
    if number == 7:
        os.kill(os.getpid(), signal.SIGKILL)  # a worker that dies
    return number * number


def test_workers_return_results_in_order_and_errors_surface_in_the_caller():
    assert list(ordered_map(lambda n: n * n, list(range(50)), 3)) == [n * n for n in range(50)]
    results = ordered_map(_square_or_fail, [1, 2, 3, 4, 5, 6], 2)
    assert [next(results) for _ in range(4)] == [1, 4, 9, 16]
    with pytest.raises(ValueError, match="five"):
        next(results)


def test_a_dying_worker_costs_time_not_results():
    # Item 7 kills its worker (in the caller it would kill the test, so compute it safely).
    def safe(number: int) -> int:
        if number == 7 and os.getpid() == parent:
            return 49
        return _square_or_fail(number) if number != 5 else 25

    parent = os.getpid()
    assert list(ordered_map(safe, list(range(12)), 2)) == [n * n for n in range(12)]


def _slow_first(number: int) -> int:
    if number == 0:
        time.sleep(1.5)
    return os.getpid()


def test_a_free_worker_takes_the_next_item():
    """Items are taken one at a time, not dealt out in advance: while one worker is busy with a
    slow item, the other computes every item after it."""
    pids = list(ordered_map(_slow_first, list(range(21)), 2))
    assert os.getpid() not in pids
    assert pids[0] not in pids[1:]
    assert len(set(pids[1:])) == 1


def test_background_work_returns_its_result_or_is_done_again_here():
    parent = os.getpid()
    computed_in = in_background(lambda: os.getpid())
    assert computed_in() != parent and computed_in() == computed_in()  # once, in a worker

    def dies_in_the_worker() -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return "done here"

    assert in_background(dies_in_the_worker)() == "done here"
    with pytest.raises(ZeroDivisionError):  # an error is raised where the result is asked for
        in_background(lambda: 1 / 0)()


def test_engine_settings_name_a_bad_key():
    with pytest.raises(PortalError, match="BUILD_ENGINE has no key 'worker'"):
        options({"BUILD_ENGINE": {"worker": 2}})
    with pytest.raises(PortalError, match="must be of type int"):
        options({"BUILD_ENGINE": {"workers": "2"}})
    assert options({})["enabled"] is True


def test_dev_server_rebuilds_after_data_and_page_edits_equal_fresh_plain_builds(tmp_path):
    content = copy_site(PROJECT / "content", tmp_path / "content")
    record = content / "data" / "supporters" / "agence-energie-occitanie.yaml"
    page = content / "en" / "supporters" / "how-to-apply.md"
    record_text = record.read_text(encoding="utf-8").replace(
        "  en: A local energy agency", "  en: An edited local energy agency"
    )
    page_text = page.read_text(encoding="utf-8") + "\nA sentence added by the test.\n"
    steps = [
        {"snapshot": str(tmp_path / "s0")},
        {"write": {str(record): record_text}, "snapshot": str(tmp_path / "s1")},
        {"write": {str(page): page_text}, "snapshot": str(tmp_path / "s2")},
    ]
    run_rebuilds(tmp_path, content, steps)

    replay = copy_site(PROJECT / "content", tmp_path / "replay")
    for number, writes in enumerate([{}, {record: record_text}, {page: page_text}]):
        for file, text in writes.items():
            (replay / file.relative_to(content)).write_text(text, encoding="utf-8")
        fresh = build_or_fail(replay, tmp_path / f"fresh{number}", "-e", PLAIN)
        assert_same_tree(fresh, tmp_path / f"s{number}")
    profile = "en/supporters/directory/agence-energie-occitanie/index.html"
    assert "An edited local energy agency" in (tmp_path / "s1" / profile).read_text(
        encoding="utf-8"
    )
    # The record edit made again the pages that show the record, and kept the others: the
    # other supporters' profiles, the content pages, the lists it is not on.
    pages = [name for name in tree_bytes(tmp_path / "s1") if name.endswith(".html")]
    rewritten = {
        name
        for name in pages
        if (tmp_path / "s1" / name).stat().st_mtime_ns
        != (tmp_path / "s0" / name).stat().st_mtime_ns
    }
    edited = {
        f"{lang}/supporters/directory/agence-energie-occitanie/index.html" for lang in EU_ORDER
    }
    assert edited <= rewritten
    profiles = {
        name
        for name in pages
        if name.count("/") == 4 and name.split("/")[1:3] == ["supporters", "directory"]
    }
    assert len(profiles - edited) > 1000  # the fixture has other supporters' profiles...
    assert not (profiles - edited) & rewritten  # ...and none was made again
    content = {f"{lang}/supporters/benefits/index.html" for lang in EU_ORDER}
    assert content <= set(pages) and not content & rewritten
    other_country = {f"{lang}/supporters/directory/country/fi/index.html" for lang in EU_ORDER}
    assert other_country <= set(pages) and not other_country & rewritten
    assert len(rewritten) < len(pages) / 10, sorted(rewritten)[:50]
    # The Markdown edit left the directory's pages as they were: not rendered, not written.
    assert (tmp_path / "s2" / profile).stat().st_mtime_ns == (
        tmp_path / "s1" / profile
    ).stat().st_mtime_ns
    # ... and its feeds, calendars and filter index; the record edit had rewritten them.
    # (the directory's files, in the language folders; the editor's files under admin/ show
    # no record, and stay as they are after a record edit too)
    generated = [
        name
        for name in tree_bytes(tmp_path / "s2")
        if name.endswith((".xml", ".ics", ".json")) and name.split("/")[0] in EU_ORDER
    ]
    assert len(generated) > 300

    def stamp(snapshot, name):
        return (tmp_path / snapshot / name).stat().st_mtime_ns

    assert all(stamp("s2", name) == stamp("s1", name) for name in generated)
    assert all(stamp("s1", name) != stamp("s0", name) for name in generated)


def test_a_tracked_value_notes_what_a_page_asks_and_tells_a_changed_answer():
    @dataclass(frozen=True)
    class Shown:
        name: str

    class Value:
        def __init__(self, names):
            self.names = names
            self.title = "Directory"

        def entry(self, key, lang="en"):
            return Shown(f"{self.names[key]} ({lang})")

    build = Build(number=0, output_path="out")
    build.tracked["DIRECTORY"] = Value({"a": "Alpha", "b": "Beta"})
    questions: dict = {}
    tracker = Tracker(build.tracked["DIRECTORY"], "DIRECTORY", build.answers, questions)
    assert tracker.entry("a", lang="fi") == Shown("Alpha (fi)")
    assert tracker.title == "Directory"
    asked = tuple(questions.items())
    assert [question for question, _ in asked] == [
        ("DIRECTORY", "entry", ("a",), (("lang", "fi"),)),
        ("DIRECTORY", "title", None, ()),
    ]
    assert _same_answers(build, asked)

    # The next build: another record changed, and this page's answers are the same.
    after = Build(number=1, output_path="out")
    after.tracked["DIRECTORY"] = Value({"a": "Alpha", "b": "Beta, edited"})
    assert _same_answers(after, asked)
    # The record it shows changed: the page is made again.
    edited = Build(number=2, output_path="out")
    edited.tracked["DIRECTORY"] = Value({"a": "Alpha, edited", "b": "Beta"})
    assert not _same_answers(edited, asked)
    # ... and so when the value no longer answers the question at all.
    gone = Build(number=3, output_path="out")
    gone.tracked["DIRECTORY"] = Value({"b": "Beta"})
    assert not _same_answers(gone, asked)

    # A question whose arguments cannot be asked again makes the page always made again.
    questions.clear()
    assert tracker.entry("a", lang=Shown("fi")).name.startswith("Alpha (")
    assert not _same_answers(build, None if None in questions else tuple(questions.items()))
    # An answer whose repr shows no data cannot be told unchanged.
    assert answer_digest(object()) is None
    assert answer_digest([Shown("x")]) == answer_digest([Shown("x")])
