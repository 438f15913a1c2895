"""The browser editor at /admin/: in Chromium against `make cms`, it writes valid records.

A copy of the project runs `make cms` (decap-server writing into the copy, the dev server
serving /admin/ and passing the editor's /api/v1 to it). The test creates a news item in
English through Decap's form and checks that the file it saved validates with the build's own
model and that the dev server shows the new item. Decap CMS must be installed (make cms-deps,
which make test runs); in CI a missing editor or browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import IN_CI, PROJECT, copy_project, free_port
from directory.data_loading import read_yaml, validate
from directory.navigation import Navigation
from directory.news import NewsItem
from directory.record_translations import source_hash
from directory.supporters import Supporter
from playwright.sync_api import expect
from portal_core.page_metadata import parse_page, set_metadata
from serving.editor import DEFAULT_EDITOR, ENTRY

from portal.editor_config import WHEN_RULE

BUNDLE = PROJECT / DEFAULT_EDITOR["bundle"]
VNU_JAR = "node_modules/vnu-jar/build/dist/vnu.jar"  # the Makefile's, linked into the copy


def needs_editor() -> None:
    """Skip without Decap CMS (fail in CI, where make test installs it)."""
    if (
        not (BUNDLE / ENTRY).is_file()
        or not (PROJECT / "cms/node_modules/.bin/decap-server").exists()
    ):
        message = "Decap CMS is not installed (make cms-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 240) -> None:
    """Wait until `url` answers 200; fail if `make cms` ends first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make cms exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """`make cms` in a copy of the project; yields (project copy, base URL)."""
    needs_editor()
    root = copy_project(tmp_path_factory.mktemp("editor") / "project")
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(PROJECT / name, root / name)
    (root / "cms").mkdir()
    for path in (PROJECT / "cms").iterdir():  # configuration, our scripts, package files
        if path.is_file():
            shutil.copy2(path, root / "cms" / path.name)
    (root / "cms" / "node_modules").symlink_to(PROJECT / "cms" / "node_modules")
    (root / ".venv").symlink_to(PROJECT / ".venv")
    port, proxy_port = free_port(), free_port()
    log = root / "make-cms.log"
    command = [
        "make",
        "cms",
        # installed already (make test); never reinstall from the copy
        "-o",
        ".venv/bin/.installed",
        "-o",
        "cms/node_modules/.installed",
        f"PORT={port}",
        f"EDITOR_PROXY_PORT={proxy_port}",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=root, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/admin/", process, log)
        yield root, base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class EditorPage:
    """One browser page on the editor, signed in to the local backend; CSP refusals noted."""

    def __init__(self, chromium, base: str) -> None:
        self.base = base
        self.context = chromium.new_context(locale="en-GB")
        self.page = self.context.new_page()
        self.refused: list[str] = []
        self.page.on(
            "console",
            lambda m: self.refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        self.page.goto(f"{base}/admin/")
        self.page.get_by_role("button", name="Login").click()
        self.page.get_by_text("Quick add").wait_for(timeout=60_000)  # signed in

    def open(self, route: str) -> None:
        """Open a route of the editor ("/collections/news/new") and wait for its form."""
        self.page.goto(f"{self.base}/admin/#{route}")
        self.page.get_by_text("Writing in").first.wait_for(timeout=60_000)

    def field(self, name: str, index: int = 0):
        """Return the box of field `name` (Decap's ids are <name>-field-<n>)."""
        return self.page.locator(f":is(input, textarea)[id^='{name}-field-']").nth(index)

    def publish(self) -> None:
        self.page.get_by_role("button", name="Publish", exact=True).click()
        self.page.get_by_text("Publish now").click()

    def close(self) -> None:
        self.context.close()
        assert self.refused == []


def wait_for_file(path: Path, page, changed_after: float = 0.0, seconds: float = 30) -> str:
    """Wait until the editor has written `path` (after `changed_after`); return its text."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_mtime > changed_after:
            time.sleep(0.3)  # written whole
            return path.read_text(encoding="utf-8")
        time.sleep(0.2)
    pytest.fail(f"{path} was not written: {page.inner_text('body')[:600]}")


def wait_for_page(url: str, seconds: float = 180, containing: str = "") -> str:
    """Wait until the dev server has rebuilt `url` (with `containing` in it); return the page."""
    deadline = time.monotonic() + seconds
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
                if response.status == 200 and containing in text:
                    return text
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not show {containing!r} within {seconds}s")


def record(model, path: Path, id_field: str):
    """Validate a record file with the build's own model; return the record."""
    data, source, problems = read_yaml(path)
    assert problems == []
    found, problems = validate(model, data, source, {id_field: path.stem})
    assert problems == [], [str(problem) for problem in problems]
    return found


def test_a_news_item_in_english_and_finnish_is_a_valid_record_the_site_shows(editor, chromium):
    root, base = editor
    editor_page = EditorPage(chromium, base)
    day = date.today() - timedelta(days=1)
    title = "Editors publish from the browser"
    summary = "A news item written in the browser editor, saved into the checkout."
    title_fi = "Toimittajat julkaisevat selaimesta"
    summary_fi = "Selaimen muokkaimessa kirjoitettu uutinen, tallennettu työkopioon."
    try:
        editor_page.open("/collections/news/new")
        page = editor_page.page
        page.locator('input[type="date"]').first.fill(day.isoformat())
        editor_page.field("en", 0).fill(title)
        editor_page.field("fi", 0).fill(title_fi)
        editor_page.field("en", 1).fill(summary)
        editor_page.field("fi", 1).fill(summary_fi)
        editor_page.publish()
        saved = root / "content" / "data" / "news" / "editors-publish-from-the-browser.yaml"
        wait_for_file(saved, page)

        item = record(NewsItem, saved, "slug")
        assert item.date == day
        assert item.title == {"en": title, "fi": title_fi}
        assert item.summary == {"en": summary, "fi": summary_fi}
        # The Finnish text got the note make l10n-stamp METHOD=human would write.
        assert {lang: dict(note) for lang, note in item.translations.items()} == {
            "fi": {"method": "human", "source": source_hash(item)}
        }

        # The dev server rebuilds after the save: the item has its page in both languages and
        # is on the news list. The rebuild writes its pages one by one (the list may come after
        # the item's own pages), so each address is awaited, not only the first.
        wait_for_page(f"{base}/en/news/{saved.stem}/")
        wait_for_page(f"{base}/fi/news/{saved.stem}/", containing=title_fi)
        wait_for_page(f"{base}/en/news/", containing=f'href="/en/news/{saved.stem}/"')
        news = editor_page.context.new_page()
        news.goto(f"{base}/en/news/")
        expect(news.get_by_role("link", name=title)).to_have_count(1)
        news.goto(f"{base}/en/news/{saved.stem}/")
        expect(news.locator("h1")).to_have_text(title)
        news.goto(f"{base}/fi/news/{saved.stem}/")
        expect(news.locator("h1")).to_have_text(title_fi)
    finally:
        editor_page.close()


def test_a_supporters_description_edited_in_the_editor_is_saved_and_shown(editor, chromium):
    root, base = editor
    path = root / "content" / "data" / "supporters" / "agence-energie-occitanie.yaml"
    before = record(Supporter, path, "id")
    text = "A local energy agency in Occitania that now also trains municipal energy managers."
    editor_page = EditorPage(chromium, base)
    try:
        editor_page.open(f"/collections/supporters/entries/{path.stem}")
        description = editor_page.field("en")
        description.wait_for()
        assert description.input_value() == before.description["en"]
        description.fill(text)
        changed_after = path.stat().st_mtime
        editor_page.publish()
        wait_for_file(path, editor_page.page, changed_after)
    finally:
        editor_page.close()
    after = record(Supporter, path, "id")
    assert after.description == {**before.description, "en": text}
    assert after.model_dump(exclude={"description"}) == before.model_dump(exclude={"description"})
    wait_for_page(f"{base}/en/supporters/directory/{path.stem}/", containing="municipal energy")


def test_a_page_added_in_the_editor_and_put_in_the_menu_is_on_every_english_page(editor, chromium):
    root, base = editor
    title = "Energy poverty"
    summary = "How networks help their members tackle energy poverty."
    body = "Networks of local authorities share what works against energy poverty."
    saved = root / "content" / "en" / "energy-poverty.md"
    editor_page = EditorPage(chromium, base)
    try:
        page = editor_page.page
        editor_page.open("/collections/pages-en/new")
        editor_page.field("title").fill(title)
        editor_page.field("summary").fill(summary)
        expect(editor_page.field("title")).to_have_value(title)
        # The text box takes keys once its editor has mounted (on a busy machine, after the
        # form shows): the text typed is checked before publishing.
        text_box = page.locator("[data-slate-editor]").first
        text_box.click()
        page.keyboard.type(body)
        expect(text_box).to_contain_text(body)
        editor_page.publish()
        text = wait_for_file(saved, page)
    finally:
        editor_page.close()
    # The page's own format, as a person writes it; no file in another language.
    assert text == f"Title: {title}\nSummary: {summary}\n\n{body}\n"
    assert sorted(p.parent.name for p in root.glob("content/*/energy-poverty.md")) == ["en"]

    navigation = root / "content" / "data" / "navigation.yaml"
    changed_after = navigation.stat().st_mtime
    editor_page = EditorPage(chromium, base)
    try:
        page = editor_page.page
        editor_page.open("/collections/navigation/entries/navigation")
        entries = page.locator("[id^='mai-field-']")  # the main menu's entries
        expect(entries).to_have_count(8)
        page.get_by_role("button", name="Add main").click()
        expect(entries).to_have_count(9)
        entries.last.fill("energy-poverty")
        expect(entries.last).to_have_value("energy-poverty")
        editor_page.publish()
        wait_for_file(navigation, page, changed_after)
    finally:
        editor_page.close()
    data, source, problems = read_yaml(navigation)
    assert problems == []
    menu, problems = validate(Navigation, data, source, {})
    assert problems == [] and menu.main[-1] == "energy-poverty"
    home = wait_for_page(f"{base}/en/", containing='href="/en/energy-poverty/"')
    assert title in home
    assert body in wait_for_page(f"{base}/en/energy-poverty/")


@pytest.mark.parametrize("name", ["commitments", "who-can-join"])  # {{fact}}, {filename} links
def test_a_finnish_page_below_a_folder_edited_in_the_editor_changes_only_its_edited_line(
    editor, chromium, name
):
    root, base = editor
    path = root / "content" / "fi" / "supporters" / f"{name}.md"
    before = path.read_text(encoding="utf-8")
    summary = "Tämän sivun tiivistelmä on kirjoitettu uudelleen selaimen muokkaimessa."
    changed_after = path.stat().st_mtime
    editor_page = EditorPage(chromium, base)
    try:
        editor_page.open(f"/collections/pages-supporters-fi/entries/{path.stem}")
        box = editor_page.field("summary")
        expect(box).to_have_value(parse_page(before).get("summary"))
        box.fill(summary)
        editor_page.publish()
        after = wait_for_file(path, editor_page.page, changed_after)
    finally:
        editor_page.close()
    # Metadata, text, links and placeholders as they were: only the Summary line is new.
    assert after == set_metadata(before, "Summary", summary)
    wait_for_page(f"{base}/fi/supporters/{name}/", containing=summary)


def test_a_date_that_does_not_exist_and_an_unknown_country_are_refused_in_the_editor(
    editor, chromium
):
    root, base = editor
    editor_page = EditorPage(chromium, base)
    page = editor_page.page
    events = sorted((root / "content" / "data" / "events").iterdir())
    try:
        editor_page.open("/collections/events/new")
        editor_page.field("en").fill("A workshop on a day that does not exist")
        editor_page.field("start").fill("2027-02-29 10:00")
        editor_page.field("city").fill("Brussels")
        page.get_by_role("button", name="Publish", exact=True).click()
        page.get_by_text("Publish now").click()
        assert page.get_by_text(WHEN_RULE).first.is_visible()
        time.sleep(2)
        assert sorted((root / "content" / "data" / "events").iterdir()) == events

        # A country the build refuses (the EU is no country) is not offered; Finland is.
        editor_page.open("/collections/supporters/new")
        country = editor_page.field("country")
        country.fill("European Union")
        assert page.get_by_text("No options").is_visible()
        country.fill("Finland")
        assert page.get_by_text("Finland (FI)").is_visible()
    finally:
        editor_page.close()


def test_the_checkout_the_editor_wrote_into_builds_with_make_html(editor):
    """After the tests that save: every file they wrote passes the build's validation."""
    root, _ = editor
    result = subprocess.run(
        ["make", "html", "-o", ".venv/bin/.installed", "-o", VNU_JAR, "OUTPUT=html-output"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = root / "html-output"
    assert (output / "en" / "energy-poverty" / "index.html").is_file()
    assert (output / "fi" / "news" / "editors-publish-from-the-browser" / "index.html").is_file()


def test_admin_is_left_out_of_robots_sitemap_and_search(editor):
    root, base = editor
    with urllib.request.urlopen(f"{base}/robots.txt") as response:
        assert "Disallow: /admin/" in response.read().decode()
    with urllib.request.urlopen(f"{base}/admin/") as response:
        page = response.read().decode()
        policy = response.headers["Content-Security-Policy"]
    assert 'name="robots" content="noindex, nofollow"' in page
    assert "data-pagefind-body" not in page
    assert "script-src 'self' 'unsafe-eval'" in policy and "http:" not in policy
    with urllib.request.urlopen(f"{base}/en/") as response:
        visitor_policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in visitor_policy and "'unsafe-inline'" not in visitor_policy
    sitemap = (root / "output" / "sitemap-en.xml").read_text()
    assert "/admin/" not in sitemap
