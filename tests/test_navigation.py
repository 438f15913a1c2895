"""The menu and footer from content/data/navigation.yaml: read, checked, shown on every page."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURE_SITE, PROJECT, Site, build_or_fail, run_build
from directory.navigation import Navigation, load_navigation


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "navigation.yaml").write_text(text, encoding="utf-8")
    return folder


def messages(folder: Path) -> list[str]:
    return [str(problem) for problem in load_navigation(folder)[2]]


def test_shipped_navigation_validates_and_lists_the_supporter_pages():
    navigation, source, problems = load_navigation(PROJECT / "content" / "data")
    assert problems == []
    assert navigation.main[0] == "supporters"
    assert "supporters/directory" in navigation.main
    assert "legal-notice" in navigation.footer
    assert source.line_of(("footer", 0)) > source.line_of(("main", 0))


def test_missing_file_is_an_empty_menu(tmp_path):
    assert load_navigation(tmp_path) == (Navigation(), None, [])


def test_bad_entries_are_named_with_file_line_and_field(tmp_path):
    folder = write(
        tmp_path,
        "main:\n  - supporters\n  - Supporters/Benefits.md\n"
        "footer:\n  - news\n  - news\nmenu: []\n",
    )
    found = messages(folder)
    shown = str(folder / "navigation.yaml")
    assert any(
        m.startswith(f"{shown}:3: main[1]: give the page's path below content/en/") for m in found
    ), found
    assert any(m.startswith(f"{shown}:4: footer: news is listed twice") for m in found), found
    assert any(m.startswith(f"{shown}:7: menu: unknown field") for m in found), found


def test_menu_and_footer_follow_the_file_and_a_missing_page_stops_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    write(content / "data", "main:\n  - supporters/benefits\n  - supporters\nfooter:\n  - index\n")
    site = Site(build_or_fail(content, tmp_path / "output"))
    page = site.page("/fi/")
    menu = page.xpath('//nav[@class="main-nav"]//a/@href')
    assert menu == ["/fi/supporters/benefits/", "/fi/supporters/"]
    assert page.xpath('//nav[@class="footer-pages"]//a/@href') == ["/fi/"]

    write(content / "data", "main:\n  - supporters\n  - supporters/no-such-page\n")
    result = run_build(content, tmp_path / "output-2")
    assert result.returncode != 0
    assert (
        "data/navigation.yaml:3: main[1]: no page content/en/supporters/no-such-page.md"
        in result.stdout + result.stderr
    )
