"""`make check` (portal.checks): passes on the shipped site, names every planted problem.

The unit tests build tiny sites by hand (a few HTML, feed and calendar files) and run one check
in-process; the integration tests run the whole checker as `make check` does.
"""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import icalendar
import pytest
from conftest import PROJECT, PUBLISH_LOG, needs_tool, run_module
from feedgen.feed import FeedGenerator
from serving.editor import editor_page

from portal.checks import accessibility, feeds, hreflang, links, page_policy
from portal.checks.site import BuiltSite

PAGE = (
    '<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>t</title>\n'
    '{head}\n<link rel="stylesheet" href="/theme/site.css">\n</head>\n'
    '<body class="template-{template}">\n{body}\n</body>\n</html>\n'
)


def write(root: Path, name: str, text: str) -> None:
    """Write one file of a hand-made site."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def page(body: str = "", lang: str = "en", head: str = "", template: str = "page") -> str:
    """Return a minimal valid page."""
    return PAGE.format(lang=lang, head=head, body=body, template=template)


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A hand-made site: a root page, two English pages and a stylesheet."""
    root = tmp_path / "site"
    write(root, "index.html", page('<a href="/en/">English</a>'))
    write(root, "en/index.html", page('<h1 id="top-title">Home</h1><a href="/en/about/">About</a>'))
    write(root, "en/about/index.html", page("<p id='who'>About</p>"))
    write(root, "theme/site.css", "body { color: #111; }\n")
    return root


def messages(problems) -> list[str]:
    """Return problems as `file:line: message` strings."""
    return [p.format(Path("out")) for p in problems]


# links


def test_links_resolve_pages_files_and_fragments(tiny):
    write(
        tiny,
        "en/about/index.html",
        page(
            '<a href="/en/">home</a> <a href="../">up</a> <a href="/en/#top-title">title</a>\n'
            '<a href="#who">self</a> <a href="#top">top</a> <a href="/theme/site.css">css</a>\n'
            '<a href="https://example.eu/a?b=c#d">out</a> <a href="mailto:a@example.eu">mail</a>'
            '\n<p id="who">x</p>'
        ),
    )
    problems, summary = links.check(BuiltSite(tiny))
    assert problems == []
    assert "links" in summary


def test_broken_links_are_named_with_page_line_and_fix(tiny):
    write(
        tiny,
        "en/about/index.html",
        page(
            '<div class="page-body">\n<a href="/en/nope/">a</a>\n<a href="/en/#nope">b</a>\n'
            '<a href="/en">c</a>\n<a href="https://exa mple.eu/">d</a>\n'
            '<a href="mailto:someone@">e</a>\n<a href="https://localhost/">f</a>\n'
            '<a href="ftp://example.eu/">g</a>\n</div>\n<img src="/theme/missing.png" alt="x">'
        ),
    )
    found = messages(links.check(BuiltSite(tiny))[0])
    expected = [
        "out/en/about/index.html:11: broken link /en/nope/ (no such page; fix the link in the "
        "page's Markdown text)",
        'out/en/about/index.html:12: broken fragment /en/#nope: no element with id="nope" on /en/',
        "out/en/about/index.html:13: broken link /en (a folder: add the trailing slash",
        "out/en/about/index.html:14: invalid external link 'https://exa mple.eu/': it contains "
        "a space",
        "out/en/about/index.html:15: invalid e-mail link 'mailto:someone@'",
        "out/en/about/index.html:16: invalid external link 'https://localhost/': host name "
        "'localhost' has no domain",
        "out/en/about/index.html:17: link 'ftp://example.eu/' uses the ftp: scheme",
        "out/en/about/index.html:19: broken link /theme/missing.png (no such file; fix the link "
        "in the templates",
    ]
    for wanted in expected:
        assert any(message.startswith(wanted) for message in found), (wanted, found)
    assert len(found) == len(expected)


def test_absolute_links_to_the_site_address_are_internal(tiny):
    write(tiny, "index.html", page('<link rel="canonical" href="https://portal.example.eu/">'))
    write(tiny, "en/index.html", page('<a href="https://portal.example.eu/en/gone/">x</a>'))
    site = BuiltSite(tiny)
    assert site.site_url == "https://portal.example.eu"
    found = messages(links.check(site)[0])
    assert found == [
        "out/en/index.html:10: broken link https://portal.example.eu/en/gone/ (no such page; "
        "fix the link in the templates (theme/templates/))"
    ]


def test_stylesheet_references_are_checked(tiny):
    write(tiny, "theme/site.css", "body { color: #111; }\n.x { background: url(img/none.png); }\n")
    found = messages(links.check(BuiltSite(tiny))[0])
    assert found[0].startswith("out/theme/site.css:2: broken link img/none.png (no such file")


# content security policy


def test_policy_rejects_inline_script_style_handlers_and_foreign_assets(tiny):
    write(
        tiny,
        "en/index.html",
        page(
            '<script>alert(1)</script>\n<style>p{}</style>\n<p style="color:red">x</p>\n'
            '<button type="button" onclick="x()">b</button>\n'
            '<img src="https://cdn.example.com/a.png" alt="a">\n'
            '<script type="application/ld+json">{"@context": "https://schema.org"}</script>',
            head='<link rel="stylesheet" href="https://fonts.example.com/f.css">',
        ),
    )
    found = messages(page_policy.check(BuiltSite(tiny))[0])
    assert [m.split(": ", 1)[0] for m in found] == [
        "out/en/index.html:6",
        "out/en/index.html:10",
        "out/en/index.html:11",
        "out/en/index.html:12",
        "out/en/index.html:13",
        "out/en/index.html:14",
    ]
    text = "\n".join(found)
    for phrase in ("loads 'https://fonts.example.com/f.css' from another origin", "inline <script>",
                   "<style> element", "style= attribute on <p>", "onclick= on <button>",
                   "loads 'https://cdn.example.com/a.png'"):  # fmt: skip
        assert phrase in text
    assert "ld+json" not in text  # a data block is not a script


# hreflang


def cluster(root: Path, versions: dict[str, str], pages: dict[str, tuple[str, str]]) -> None:
    """Write pages {name: (lang, alternates-head)}; versions maps hreflang -> URL."""
    head = "\n".join(
        f'<link rel="alternate" hreflang="{code}" href="{url}">' for code, url in versions.items()
    )
    for name, (lang, extra) in pages.items():
        url = "/" + name.removesuffix("index.html")
        canonical = f'<link rel="canonical" href="{url}">'
        write(root, name, page(lang=lang, head=f"{canonical}\n{head}{extra}"))


def test_a_complete_hreflang_cluster_passes(tiny):
    versions = {"en": "/en/x/", "fi": "/fi/x/", "x-default": "/"}
    cluster(tiny, versions, {"en/x/index.html": ("en", ""), "fi/x/index.html": ("fi", "")})
    assert hreflang.check(BuiltSite(tiny))[0] == []


def test_hreflang_faults_are_named(tiny):
    versions = {"en": "/en/x/", "fi": "/fi/x/", "de": "/de/x/"}
    cluster(tiny, versions, {"en/x/index.html": ("en", ""), "fi/x/index.html": ("sv", "")})
    # /de/x/ is a fallback: its canonical points at the English page, and it lists nothing
    write(tiny, "de/x/index.html", page(lang="de", head='<link rel="canonical" href="/en/x/">'))
    found = "\n".join(messages(hreflang.check(BuiltSite(tiny))[0]))
    assert "out/en/x/index.html:7: the alternates have no hreflang x-default" in found
    assert 'out/fi/x/index.html:1: <html lang="sv"> in the fi/ folder' in found
    assert "out/en/x/index.html:8: hreflang fi points at /fi/x/, whose <html lang> is" in found
    assert "hreflang de points at /de/x/, a fallback page whose canonical is /en/x/" in found


def test_hreflang_must_be_reciprocal(tiny):
    cluster(
        tiny,
        {"en": "/en/x/", "fi": "/fi/x/", "x-default": "/"},
        {"en/x/index.html": ("en", "")},
    )
    cluster(tiny, {"fi": "/fi/x/", "x-default": "/"}, {"fi/x/index.html": ("fi", "")})
    found = "\n".join(messages(hreflang.check(BuiltSite(tiny))[0]))
    assert "out/en/x/index.html:8: hreflang fi points at /fi/x/, which does not list the same " in (
        found
    )
    assert "lacks or differs on en" in found


# feeds and calendars


def feed(root: Path, lang: str, description: str = "<p>Text</p>", feed_id: str | None = None):
    """Write an RSS and an Atom feed made by feedgen."""
    generator = FeedGenerator()
    generator.id(feed_id or f"https://portal.example.eu/{lang}/news/")
    generator.title("News")
    generator.author(name="Covenant of Mayors Office")
    generator.link(href=f"https://portal.example.eu/{lang}/news.atom.xml", rel="self")
    generator.link(href=f"https://portal.example.eu/{lang}/news/", rel="alternate")
    generator.description("All news")
    generator.language(lang)
    entry = generator.add_entry()
    entry.id(f"https://portal.example.eu/{lang}/news/one/")
    entry.title("One")
    entry.link(href=f"https://portal.example.eu/{lang}/news/one/")
    entry.description(description)
    entry.updated(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    entry.published(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    (root / lang).mkdir(parents=True, exist_ok=True)
    generator.rss_file(str(root / lang / "news.rss.xml"), pretty=True)
    generator.atom_file(str(root / lang / "news.atom.xml"), pretty=True)


def calendar(root: Path, name: str, end: datetime.date, line_end: bytes = b"\r\n") -> None:
    """Write an iCalendar file with one event."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Covenant Portal//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "one@portal.example.eu")
    event.add("dtstamp", datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    event.add("dtstart", datetime.date(2026, 3, 2))
    event.add("dtend", end)
    event.add("summary", "Meeting")
    cal.add_component(event)
    (root / name).write_bytes(cal.to_ical().replace(b"\r\n", line_end))


def test_valid_feeds_and_calendars_pass(tiny):
    feed(tiny, "en")
    feed(tiny, "fi")
    calendar(tiny, "en/events.ics", datetime.date(2026, 3, 3))
    problems, summary = feeds.check(BuiltSite(tiny))
    assert problems == []
    assert summary == "4 feeds and 1 calendars"


def test_feed_and_calendar_faults_are_named(tiny):
    feed(tiny, "en", description="<p onclick='x()'>Hi</p><script>alert(1)</script>")
    feed(tiny, "fi", feed_id="https://portal.example.eu/en/news/")
    rss = tiny / "fi" / "news.rss.xml"
    rss.write_text(rss.read_text().replace("<description>All news</description>", ""))
    write(tiny, "de/news.rss.xml", "<rss version='2.0'><channel><title>x</title>")
    calendar(tiny, "en/events.ics", datetime.date(2026, 3, 1), line_end=b"\n")
    found = "\n".join(messages(feeds.check(BuiltSite(tiny))[0]))
    assert "out/de/news.rss.xml:1: not well-formed XML" in found
    assert "out/en/news.rss.xml:15: <description> carries unsafe HTML: raw HTML <script>" in found
    assert "onclick= on <p> is not allowed" in found
    assert "out/fi/news.rss.xml:3: <channel> has no <description>" in found
    assert "feed id 'https://portal.example.eu/en/news/' is also en/news.atom.xml's" in found
    assert "out/en/events.ics:1: line ends with LF only; iCalendar requires CRLF" in found
    assert "out/en/events.ics:9: VEVENT ends before it starts" in found


# the command line


def test_checker_refuses_a_folder_without_a_site(tmp_path):
    result = run_module("portal.checks", str(tmp_path), cwd=PROJECT)
    assert result.returncode == 2
    assert "no built site here" in result.stdout


def test_accessibility_sample_leaves_out_the_editor_page(tiny):
    """/admin/ is Decap CMS's page (built when it is installed): no template of ours, no axe."""
    write(tiny, "admin/index.html", editor_page("Portal"))
    write(tiny, "fi/index.html", page(lang="fi", template="home"))
    site = BuiltSite(tiny)
    assert "admin/index.html" in site.html_files
    others = [name for name in site.html_files if name != "admin/index.html"]
    assert accessibility.portal_pages(site) == others
    # one English and one Finnish page: the editor's (English, no template) is not a third
    assert accessibility.sample(site) == ["en/about/index.html", "fi/index.html"]


def test_accessibility_sample_covers_every_language_and_template(shipped_site):
    site = BuiltSite(shipped_site.root)
    chosen = accessibility.sample(site)
    # every page but the browser editor's (/admin/, present when Decap CMS is installed)
    pages = [n for n in site.html_files if not n.startswith("admin/")]
    keys = {(site.html_lang(n), accessibility.template_of(site, n)) for n in pages}
    assert {(site.html_lang(n), accessibility.template_of(site, n)) for n in chosen} == keys
    assert len({site.html_lang(n) for n in chosen}) == 24
    assert "" not in {accessibility.template_of(site, n) for n in chosen}


# the whole checker on real builds


def test_shipped_site_passes_every_check(published_project):
    """`make publish` of the shipped site ran every check, axe included, and they passed."""
    log = (published_project / PUBLISH_LOG).read_text(encoding="utf-8")
    assert re.search(r"checks: \S+ passed every check", log), log
    for check in ("html", "links", "policy", "hreflang", "feeds", "accessibility"):
        assert re.search(rf"^ *{check}: ok ", log, re.MULTILINE), log
    assert re.search(r"axe on \d+ pages \(24 languages, \d+ templates\)", log), log


def test_fixture_site_passes_the_static_checks(fixture_site):
    needs_tool("java")
    result = run_module(
        "portal.checks", str(fixture_site.root), "--skip", "accessibility", cwd=PROJECT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_planted_problems_are_named_with_their_page(shipped_site, tmp_path):
    """A broken link, an invalid element and an image without alt text each fail the check."""
    needs_tool("java")
    needs_tool("chromium", "/usr/bin/chromium")
    root = tmp_path / "output"
    shutil.copytree(shipped_site.root, root)
    site = BuiltSite(root)
    sampled = [n for n in accessibility.sample(site) if n.startswith("fi/")]
    image_page = next(n for n in sampled if accessibility.template_of(site, n) == "page")
    plants = {
        "fi/supporters/index.html": '<p><a href="/fi/nope/">Lue lisää</a></p>',
        "de/supporters/benefits/index.html": "<blink>Neu</blink>",
        image_page: '<p><img src="/theme/css/portal.css"></p>',
    }
    for name, html in plants.items():
        path = root / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('<div class="page-body">', f'<div class="page-body">\n{html}'))

    # every check over every page, but axe (slow) only on the page with the planted image
    result = run_module("portal.checks", str(root), "--axe-page", image_page, cwd=PROJECT)
    assert result.returncode == 1
    lines = result.stdout.splitlines()

    def reported(name: str, phrase: str) -> bool:
        text = (root / name).read_text(encoding="utf-8")
        line = text.count("\n", 0, text.index(plants[name])) + 1
        return any(s.startswith(f"{root}/{name}:{line}: ") and phrase in s for s in lines)

    assert reported("fi/supporters/index.html", "broken link /fi/nope/ (no such page")
    assert reported("de/supporters/benefits/index.html", "“blink” element is obsolete")
    assert reported(image_page, "An “img” element must have an “alt” attribute")
    assert reported(image_page, "accessibility: Images must have alternative text [image-alt")
    assert "Traceback" not in result.stdout + result.stderr
