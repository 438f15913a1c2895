"""Broken and hostile input: a plain message naming file and line, a failed publish, no traceback.

Each case changes a copy of the project whose site has already been published, runs the real
`make publish` (python -m portal.release publish) and asserts that

- it exits non-zero,
- its output names the file (and the line where there is one) and says what is wrong,
- no Python traceback is shown,
- the published site (publish/current) is exactly what it was.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import icalendar
import lxml.etree
import lxml.html
import pytest
from conftest import (
    INLINE_SCRIPTS,
    copy_project,
    copy_published,
    run_build,
    run_module,
    tree_digest,
)
from ruamel.yaml import YAML

from portal.checks import feeds, page_policy
from portal.checks.site import BuiltSite

FI_PO = "translations/fi/LC_MESSAGES/messages.po"


def append(project: Path, name: str, text: str) -> int:
    """Append `text` to a file on a new paragraph; return the line it starts on."""
    path = project / name
    old = path.read_text(encoding="utf-8")
    path.write_text(old.rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
    return old.rstrip("\n").count("\n") + 3


def add_metadata(project: Path, name: str, line: str) -> None:
    """Insert a metadata line after the first line of a page."""
    path = project / name
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{first}\n{line}\n{rest}", encoding="utf-8")


def write(project: Path, name: str, data: str | bytes) -> None:
    """Create a file."""
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def replace(project: Path, name: str, old: str, new: str) -> int:
    """Replace the first `old` in a file with `new`; return the line it was on."""
    path = project / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.count("\n", 0, text.index(old)) + 1


def line_matching(project: Path, name: str, pattern: str) -> int:
    """Return the first line of a file matching a regular expression."""
    lines = (project / name).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if re.search(pattern, line))


Case = Callable[[Path], list[str]]


def md_missing_title(p: Path) -> list[str]:
    write(p, "content/en/untitled.md", "Summary: A page without a title.\n\nText.\n")
    return ["content/en/untitled.md:1: the page has no title; add `Title: ...`"]


def md_empty_file(p: Path) -> list[str]:
    write(p, "content/en/empty.md", "")
    return ["content/en/empty.md:1: the page has no title"]


def md_unknown_language_folder(p: Path) -> list[str]:
    write(p, "content/xx/page.md", "Title: Page\n\nText.\n")
    return ["content/xx/page.md: language folder 'xx' is not one of the 24 EU language codes"]


def md_page_outside_language_folders(p: Path) -> list[str]:
    write(p, "content/about.md", "Title: About\n\nText.\n")
    return ["content/about.md: a page must be inside a language folder"]


def md_orphan_translation(p: Path) -> list[str]:
    write(p, "content/fi/orphan.md", "Title: Orpo\n\nTeksti.\n")
    return [
        "content/fi/orphan.md: translation without an English source: there is no "
        "content/en/orphan.md"
    ]


def md_broken_metadata(p: Path) -> list[str]:
    replace(p, "content/en/supporters/benefits.md", "Title: ", "Title ")
    return ["content/en/supporters/benefits.md:1: the first line is not a metadata line"]


def md_unknown_metadata(p: Path) -> list[str]:
    add_metadata(p, "content/fi/news.md", "Titel: Uutiset")
    return ["content/fi/news.md:2: unknown metadata Titel:; use one of: Title, Summary"]


def md_language_override(p: Path) -> list[str]:
    add_metadata(p, "content/fi/credits.md", "Lang: de")
    return ["content/fi/credits.md:2: metadata Lang: is not allowed here: the language is the"]


def md_draft_status(p: Path) -> list[str]:
    add_metadata(p, "content/en/credits.md", "Status: draft")
    return ["content/en/credits.md:2: metadata Status: is not allowed here"]


def md_impossible_date(p: Path) -> list[str]:
    add_metadata(p, "content/en/credits.md", "Modified: 2024-02-30")
    return ["content/en/credits.md:2: '2024-02-30' is not a valid date"]


def md_raw_script(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", "<script>alert('hello')</script>")
    return [f"content/en/credits.md:{line}: raw HTML <script> is not allowed"]


def md_event_handler(p: Path) -> list[str]:
    line = append(
        p, "content/fi/credits.md", '<img src="/theme/css/portal.css" alt="x" onerror="alert(1)">'
    )
    return [f"content/fi/credits.md:{line}: event-handler attribute onerror= on <img>"]


def md_javascript_url(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", "[Click here](javascript:alert(document.cookie))")
    return [f"content/en/credits.md:{line}: javascript: URL in href= on <a> is not allowed"]


def md_iframe(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", '<iframe src="https://example.com/"></iframe>')
    return [f"content/en/credits.md:{line}: raw HTML <iframe> is not allowed"]


def md_inline_style(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", '<p style="color: red">Red</p>')
    return [f"content/en/credits.md:{line}: attribute style= on <p> is not allowed"]


def md_remote_image(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", "![Logo](https://cdn.example.com/logo.png)")
    return [
        f"content/en/credits.md:{line}: <img> loads 'https://cdn.example.com/logo.png' from "
        "another website"
    ]


def md_script_in_summary(p: Path) -> list[str]:
    replace(p, "content/en/credits.md", "Summary: ", "Summary: <script>alert(1)</script> ")
    return ["content/en/credits.md:2: raw HTML <script> is not allowed"]


def md_invalid_utf8(p: Path) -> list[str]:
    write(p, "content/en/credits.md", b"Title: Credits\n\nCaf\xe9 \xff\xfe\n")
    return ["content/en/credits.md: not valid UTF-8 (byte 19); save the file as UTF-8"]


def md_binary_file(p: Path) -> list[str]:
    write(p, "content/en/photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return ["content/en/photo.md: not valid UTF-8"]


def md_unknown_fact(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", "Write to {{helpdesk_mail}}.")
    return [f"content/en/credits.md:{line}: unknown placeholder {{{{helpdesk_mail}}}}; use one of"]


def md_broken_page_link(p: Path) -> list[str]:
    line = append(p, "content/fi/credits.md", "[Lisää]({filename}supporters/nope.md)")
    return [f"content/fi/credits.md:{line}: broken link {{filename}}supporters/nope.md"]


def md_image_without_alt(p: Path) -> list[str]:
    line = append(p, "content/en/credits.md", "![](/theme/css/portal.css)")
    return [f"content/en/credits.md:{line}: image portal.css has no alternative text"]


def md_unknown_template(p: Path) -> list[str]:
    add_metadata(p, "content/en/credits.md", "Template: fancy")
    return ["content/en/credits.md:2: template not found: Template: fancy names no template"]


def md_stray_file(p: Path) -> list[str]:
    write(p, "content/en/notes.txt", "to do: translate the benefits page\n")
    return ["content/en/notes.txt: not a page: only .md files are read"]


def md_html_page(p: Path) -> list[str]:
    write(p, "content/en/old.html", "<html><head><title>Old</title></head><body>x</body></html>")
    return ["content/en/old.html: content pages must be Markdown files ending in .md"]


def md_two_problems_in_two_files(p: Path) -> list[str]:
    first = append(p, "content/en/credits.md", "<style>p { color: red }</style>")
    second = append(p, "content/fi/credits.md", "{{nope}}")
    return [
        f"content/en/credits.md:{first}: raw HTML <style> is not allowed",
        f"content/fi/credits.md:{second}: unknown placeholder {{{{nope}}}}",
        "The build failed: 2 problems",
    ]


def md_nested_too_deeply(p: Path) -> list[str]:
    items = "\n".join("  " * depth + "- item" for depth in range(800))
    write(p, "content/en/deep.md", f"Title: Deep\n\n{items}\n")
    return ["content/en/deep.md: the text is nested too deeply for the Markdown converter"]


def md_symbolic_link_loop(p: Path) -> list[str]:
    (p / "content" / "en" / "again").symlink_to("..")
    return ["content/en/again: a symbolic link; content must be real files in the repository"]


def md_symbolic_link_outside(p: Path) -> list[str]:
    (p / "content" / "en" / "passwords.md").symlink_to("/etc/passwd")
    return ["content/en/passwords.md: a symbolic link; content must be real files"]


def md_name_that_is_not_an_address(p: Path) -> list[str]:
    shutil.copy(p / "content/en/credits.md", p / "content/en/Our Team.md")
    return [
        "content/en/Our Team.md: the path becomes the page's address",
        "rename it, e.g. to .../our-team.md",
    ]


def po_syntax_error(p: Path) -> list[str]:
    line = append(p, FI_PO, 'msgid "Broken\nmsgstr "Rikki"')
    return [f"{FI_PO}:{line}: not valid .po syntax: 'msgid \"Broken'"]


def po_placeholder_mismatch(p: Path) -> list[str]:
    msgstr = line_matching(p, FI_PO, r"^msgstr .*%\(language\)s")
    lines = (p / FI_PO).read_text(encoding="utf-8").splitlines()
    lines[msgstr - 1] = lines[msgstr - 1].replace("%(language)s", "%(kieli)s")
    (p / FI_PO).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [
        f"{FI_PO}:{msgstr - 1}: msgid ",
        "unknown named placeholder 'kieli'",
        "make the translation use the same placeholders",
    ]


def po_invalid_utf8(p: Path) -> list[str]:
    path = p / FI_PO
    old = path.read_bytes().rstrip(b"\n")
    path.write_bytes(old + b'\n\nmsgid "x"\nmsgstr "\xff"\n')
    line = old.count(b"\n") + 4  # the msgstr, after a blank line and the msgid
    return [f"{FI_PO}:{line}: not valid UTF-8"]


def po_unknown_language(p: Path) -> list[str]:
    shutil.copytree(p / "translations" / "fi", p / "translations" / "fin")
    return ["translations/fin: 'fin' is not one of the 24 EU language codes"]


def tpl_undefined_variable(p: Path) -> list[str]:
    line = replace(p, "theme/templates/page.html", "<h1>{{ page.title }}</h1>",
                   "<h1>{{ page.title }}</h1><p>{{ page_subtitle }}</p>")  # fmt: skip
    return [
        f"theme/templates/page.html:{line}: template error while writing ",
        "'page_subtitle' is undefined",
    ]


def tpl_syntax_error(p: Path) -> list[str]:
    line = replace(p, "theme/templates/page.html", "<h1>", "{% if %}<h1>")
    return [f"theme/templates/page.html:{line}: template syntax error"]


def tpl_missing_include(p: Path) -> list[str]:
    line = replace(p, "theme/templates/base.html", '"footer.html"', '"site-footer.html"')
    return [f"theme/templates/base.html:{line}: template not found: site-footer.html"]


def settings_syntax_error(p: Path) -> list[str]:
    line = replace(p, "pelicanconf.py", '"supporters@eumayors.eu",', '"supporters@eumayors.eu,')
    return [f"pelicanconf.py:{line}: Python syntax error: unterminated string literal"]


SUPPORTER = "content/data/supporters/alands-energikontor.yaml"
NEWS = "content/data/news/adaptation-toolkit.yaml"
EVENT = "content/data/events/nordic-heat-workshop.yaml"


def yaml_syntax_error(p: Path) -> list[str]:
    write(p, "content/data/supporters/broken.yaml", "name: [Broken network\ntype: other\n")
    return ["content/data/supporters/broken.yaml:", "(syntax): while parsing a flow sequence"]


def yaml_duplicate_key(p: Path) -> list[str]:
    first = line_matching(p, SUPPORTER, "^status:")
    replace(p, SUPPORTER, "status: active", "status: active\nstatus: suspended")
    return [f"{SUPPORTER}:{first + 1}: status: duplicate key (first given on line {first})"]


def yaml_unknown_field(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "city: Mariehamn", "city: Mariehamn\ncolour: blue") + 1
    return [f"{SUPPORTER}:{line}: colour: unknown field; check the spelling"]


def yaml_missing_field(p: Path) -> list[str]:
    replace(p, SUPPORTER, "head:\n  title: Director\n  name: Mats Lindqvist\n", "")
    return [f"{SUPPORTER}:1: head: required field is missing"]


def yaml_wrong_type(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "signatories: 9", "signatories: many")
    return [f"{SUPPORTER}:{line}: signatories: input should be a valid integer (got 'many')"]


def yaml_bad_country(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "country: FI", "country: XX")
    return [f"{SUPPORTER}:{line}: country: 'XX' is not an ISO 3166-1 alpha-2 country code"]


def yaml_javascript_url(p: Path) -> list[str]:
    line = line_matching(p, SUPPORTER, "^website:")
    replace(p, SUPPORTER, "https://energikontor-aland.example/", "javascript:alert(1)")
    return [f"{SUPPORTER}:{line}: website: URL scheme should be 'http' or 'https'"]


def yaml_bad_email(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "johanna.eriksson@energikontor-aland.example", "johanna@")
    return [f"{SUPPORTER}:{line}: contact.email: value is not a valid email address"]


def yaml_impossible_date(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "joined: 2019-06-04", "joined: 2019-02-30")
    return [f"{SUPPORTER}:{line}: joined: 2019-02-30 is not a date that exists"]


def yaml_duplicate_id(p: Path) -> list[str]:
    shutil.copy(p / SUPPORTER, p / SUPPORTER.replace(".yaml", ".yml"))
    return [
        "content/data/supporters/alands-energikontor.yml: id: duplicate id "
        f"'alands-energikontor', also {SUPPORTER}"
    ]


def yaml_unknown_language_key(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "  fi: Ahvenanmaan", "  xx: Ahvenanmaan")
    return [f"{SUPPORTER}:{line}: description.xx: unknown language 'xx'; use one of the 24"]


def yaml_empty_file(p: Path) -> list[str]:
    write(p, "content/data/news/empty.yaml", "")
    return ["content/data/news/empty.yaml:1: (file): the file must be a mapping"]


def yaml_invalid_utf8(p: Path) -> list[str]:
    write(p, "content/data/news/latin1.yaml", "title:\n  en: Café\n".encode("latin-1"))
    return ["content/data/news/latin1.yaml: (file): not valid UTF-8 (byte 16)"]


def yaml_10_mb_file(p: Path) -> list[str]:
    write(p, "content/data/news/huge.yaml", "title:\n  en: " + "x" * 10_000_000 + "\n")
    return ["content/data/news/huge.yaml: (file): 10.0 MB is too big for one record"]


def yaml_alias_bomb(p: Path) -> list[str]:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    write(p, "content/data/supporters/bomb.yaml", "\n".join(lines) + "\nname: *j\n")
    return ["content/data/supporters/bomb.yaml:2: (syntax): YAML alias *a (and 81 more)"]


def yaml_python_tag(p: Path) -> list[str]:
    write(p, "content/data/news/tagged.yaml", "title: !!python/object/apply:os.system [ls]\n")
    return ["content/data/news/tagged.yaml:1: (syntax): YAML tag", "is not supported"]


def yaml_unknown_reference(p: Path) -> list[str]:
    line = replace(p, NEWS, "  - klimabuendnis-steiermark", "  - no-such-supporter")
    return [f"{NEWS}:{line}: supporters[0]: no supporter 'no-such-supporter'"]


def yaml_event_ends_before_it_starts(p: Path) -> list[str]:
    replace(p, EVENT, "end: 2027-01-21 15:00", "end: 2027-01-19 15:00")
    return [f"{EVENT}:1: (file): end (2027-01-19 15:00:00) is before start"]


def yaml_unknown_time_zone(p: Path) -> list[str]:
    line = replace(p, EVENT, "timezone: Europe/Helsinki", "timezone: Mars/Olympus")
    return [f"{EVENT}:{line}: timezone: unknown time zone 'Mars/Olympus'"]


def yaml_bad_file_name(p: Path) -> list[str]:
    shutil.copy(p / NEWS, p / "content/data/news/New Toolkit.yaml")
    return ["content/data/news/New Toolkit.yaml: slug: the file name 'New Toolkit' is the slug"]


def yaml_list_instead_of_mapping(p: Path) -> list[str]:
    write(p, "content/data/events/list.yaml", "- title: Meeting\n- title: Workshop\n")
    return ["content/data/events/list.yaml:1: (file): the file must be a mapping", "(it is list)"]


BUILD_FAILURES: list[Case] = [
    md_missing_title, md_empty_file, md_unknown_language_folder,
    md_page_outside_language_folders, md_orphan_translation, md_broken_metadata,
    md_unknown_metadata, md_language_override, md_draft_status, md_impossible_date,
    md_raw_script, md_event_handler, md_javascript_url, md_iframe, md_inline_style,
    md_remote_image, md_script_in_summary, md_invalid_utf8, md_binary_file, md_unknown_fact,
    md_broken_page_link, md_image_without_alt, md_unknown_template, md_stray_file,
    md_html_page, md_two_problems_in_two_files, md_symbolic_link_loop, md_symbolic_link_outside,
    md_name_that_is_not_an_address, md_nested_too_deeply, po_syntax_error, po_placeholder_mismatch,
    po_invalid_utf8, po_unknown_language, tpl_undefined_variable, tpl_syntax_error,
    tpl_missing_include, settings_syntax_error, yaml_syntax_error, yaml_duplicate_key,
    yaml_unknown_field, yaml_missing_field, yaml_wrong_type, yaml_bad_country,
    yaml_javascript_url, yaml_bad_email, yaml_impossible_date, yaml_duplicate_id,
    yaml_unknown_language_key, yaml_empty_file, yaml_invalid_utf8, yaml_10_mb_file,
    yaml_alias_bomb, yaml_python_tag, yaml_unknown_reference, yaml_event_ends_before_it_starts,
    yaml_unknown_time_zone, yaml_bad_file_name, yaml_list_instead_of_mapping,
]  # fmt: skip


@pytest.fixture
def project(published_project, tmp_path) -> Path:
    """A copy of the published project, for one case to break."""
    return copy_published(published_project, tmp_path / "project")


def published_state(project: Path) -> tuple[str, str]:
    """Return which release is live and a digest of all its files."""
    current = project / "publish" / "current"
    return os.readlink(current), tree_digest(current)


def assert_publish_refused(project: Path, expected: list[str], stage: str = "build") -> str:
    """Run the publish; assert it fails plainly and leaves the published site as it was."""
    before = published_state(project)
    # the checks are narrowed to the links (the only one a case here can fail) to save time;
    # `make publish` runs them all, as the session's first publish does
    result = run_module(
        "portal.release", "publish", "--to", "publish", "--check-args=--only links", cwd=project
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for phrase in expected:
        assert phrase in output, f"{phrase!r} not in:\n{output}"
    assert "Traceback" not in output and 'File "' not in output, output
    assert f"publish stopped: the {stage} failed" in output
    assert "The published site is unchanged" in output
    assert published_state(project) == before
    return output


@pytest.mark.parametrize("case", BUILD_FAILURES, ids=lambda case: case.__name__)
def test_broken_input_stops_the_publish_plainly(project, case):
    assert_publish_refused(project, case(project))


def test_a_broken_link_the_build_cannot_see_is_stopped_by_the_checks(project):
    """A plain Markdown link to a missing page builds, but `make check` stops the publish.

    The message names the Markdown file and line first, then the built page.
    """
    line = append(project, "content/en/credits.md", "[More](/en/no-such-page/)")
    output = assert_publish_refused(project, [], stage="checks")
    assert re.search(
        rf"^content/en/credits\.md:{line}: broken link /en/no-such-page/ "
        r"\(no such page; fix the link in the page's Markdown text\); built into "
        r"\S+/publish/releases/\.incoming-[^/]+/en/credits/index\.html:\d+$",
        output,
        re.MULTILINE,
    ), output
    assert re.search(
        r"the build stays in \S+/publish/releases/\.incoming-\S+ for inspection", output
    )


def test_markup_in_titles_is_inert_text(tmp_path):
    """HTML in a page title (plain text by definition) is shown as text, never run."""
    project = copy_project(tmp_path / "project")
    title = "<script>alert('x')</script> & <b onmouseover=\"alert(1)\">Odd</b>"
    write(project, "content/en/odd.md", f"Title: {title}\nSummary: A page.\n\nText.\n")
    output = tmp_path / "output"
    result = run_build(project / "content", output, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = BuiltSite(output)
    problems, _summary = page_policy.check(site)
    assert problems == []
    for name in ("en/odd/index.html", "de/odd/index.html", "en/sitemap/index.html"):
        document = lxml.html.fromstring((output / name).read_bytes())
        assert not document.xpath(INLINE_SCRIPTS + " | //b | //*[@onmouseover]"), name
        texts = [e.text_content() for e in document.xpath("//h1 | //ul//a")]
        assert title in texts, name
    page = lxml.html.fromstring((output / "en/odd/index.html").read_bytes())
    assert title in page.findtext(".//title")


MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quoted" '


def test_markup_in_data_fields_is_inert_in_every_format(tmp_path):
    """HTML and script typed into YAML fields come out as text in pages, feeds, .ics and JSON."""
    project = copy_project(tmp_path / "project")
    yaml = YAML(typ="rt")

    def edit(name: str, change) -> None:
        path = project / name
        data = yaml.load(path.read_text(encoding="utf-8"))
        change(data)
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(data, handle)

    def supporter(data) -> None:
        data["name"] = MARKUP + data["name"]
        data["city"] = MARKUP
        data["description"]["en"] = MARKUP + data["description"]["en"]

    def news(data) -> None:
        data["title"]["en"] = MARKUP + data["title"]["en"]
        data["summary"]["en"] = MARKUP + data["summary"]["en"]

    def event(data) -> None:
        data["title"]["en"] = MARKUP + data["title"]["en"]
        data["venue"] = MARKUP

    edit(SUPPORTER, supporter)
    edit(NEWS, news)
    edit(EVENT, event)
    output = tmp_path / "output"
    result = run_build(project / "content", output, cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = BuiltSite(output)

    # pages: the text is there, as text; nothing runs
    assert page_policy.check(site)[0] == []
    showing = [n for n in site.html_files if "alert(1)" in site.text(n)]
    assert len(showing) > 24
    for name in showing:
        document = site.document(name)
        assert not document.xpath(INLINE_SCRIPTS + " | //*[@onerror] | //img[@src='x']"), name
        assert MARKUP.strip() in document.text_content(), name

    # feeds: RSS descriptions are HTML, so the text is escaped once more; Atom text is text
    assert feeds.check(site)[0] == []
    rss = lxml.etree.parse(str(output / "en/feeds/news.rss.xml"))
    descriptions = [d.text for d in rss.iter("description") if "alert(1)" in (d.text or "")]
    assert descriptions and all(html.unescape(d).startswith(MARKUP) for d in descriptions)
    atom = lxml.etree.parse(str(output / "en/feeds/news.atom.xml"))
    for element in atom.iter("{http://www.w3.org/2005/Atom}summary"):
        assert element.get("type", "text") == "text"

    # calendars: plain text properties
    ics_file = output / "en" / "calendar" / "nordic-heat-workshop.ics"
    ics = icalendar.Calendar.from_ical(ics_file.read_bytes())
    event_component = ics.walk("VEVENT")[0]
    assert str(event_component["SUMMARY"]).startswith(MARKUP)

    # the directory's JSON index: text values, with < > & escaped so it is inert even as HTML
    index_files = [n for n in site.with_suffix(".json") if "alert(1)" in site.text(n)]
    assert index_files
    for name in index_files:
        raw = (output / name).read_bytes()
        assert b"<" not in raw and b">" not in raw
        assert MARKUP in json.dumps(json.loads(raw), ensure_ascii=False).replace('\\"', '"')
