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
from directory.news import NewsItem
from serving.editor import DEFAULT_EDITOR, ENTRY

BUNDLE = PROJECT / DEFAULT_EDITOR["bundle"]


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
    for name in ("config.yml", "package.json", "package-lock.json"):
        shutil.copy2(PROJECT / "cms" / name, root / "cms" / name)
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


def test_a_news_item_made_in_the_editor_is_a_valid_record_the_site_shows(editor, chromium):
    root, base = editor
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    day = date.today() - timedelta(days=1)
    title = "Editors publish from the browser"
    summary = "A news item written in the browser editor, saved into the checkout."
    try:
        page.goto(f"{base}/admin/")
        page.get_by_role("button", name="Login").click()
        page.goto(f"{base}/admin/#/collections/news/new")
        page.locator('input[type="date"]').first.fill(day.isoformat())
        page.locator("[id^='en-field-']").nth(0).fill(title)
        page.locator("[id^='en-field-']").nth(1).fill(summary)
        page.get_by_role("button", name="Publish").click()
        page.get_by_text("Publish now").click()
        saved = root / "content" / "data" / "news" / "editors-publish-from-the-browser.yaml"
        deadline = time.monotonic() + 30
        while not saved.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        page.screenshot(path=str(root / "editor.png"))
        assert saved.exists(), (
            sorted(p.name for p in saved.parent.iterdir() if p.stat().st_mtime > time.time() - 300),
            page.inner_text("body")[:600],
        )

        data, source, problems = read_yaml(saved)
        assert problems == []
        record, problems = validate(NewsItem, data, source, {"slug": saved.stem})
        assert problems == [], [str(problem) for problem in problems]
        assert record.date == day
        assert record.title == {"en": title}
        assert record.summary == {"en": summary}

        # The dev server rebuilds after the save; the item gets its page and a place in the list.
        item_url = f"{base}/en/news/{saved.stem}/"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(item_url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(1)
        news = context.new_page()
        news.goto(f"{base}/en/news/")
        assert news.get_by_role("link", name=title).count() == 1
        news.goto(item_url)
        assert news.locator("h1").inner_text() == title
    finally:
        context.close()
    assert refused == []


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
