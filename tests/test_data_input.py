"""Values in content/data/ that used to pass validation and then crash or mislead: refused early.

Each test changes a copy of the project and runs the real build (or the real publish): a value
out of its range or form stops the build with ``file:line: field: what is wrong and what to do``,
no traceback and no "unexpected" crash; a value at the ends of the accepted range builds.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import icalendar
import lxml.etree
import lxml.html
import markupsafe
import pytest
from conftest import INLINE_SCRIPTS, PROJECT, copy_project, copy_published, run_build
from directory.record_fields import refused_at
from test_hostile_input import EVENT, NEWS, SUPPORTER, assert_publish_refused, replace, write

BUILD_DAY = "1795996800"  # 2026-11-30, as in every test build
ATOM = "{http://www.w3.org/2005/Atom}"


def build(project: Path, tmp_path: Path, epoch: str = BUILD_DAY, name: str = "output"):
    """Build the project's content with SOURCE_DATE_EPOCH `epoch`; return the process."""
    return run_build(
        project / "content", tmp_path / name, cwd=project, env={"SOURCE_DATE_EPOCH": epoch}
    )


def assert_refused(result, expected: list[str]) -> str:
    """Assert the build failed plainly, listing each expected message; return its output."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and 'File "' not in output, output
    assert "unexpected" not in output, output
    lines = [line.removeprefix("error: ") for line in output.splitlines()]
    for message in expected:
        assert any(line.startswith(message) for line in lines), f"{message!r} not in:\n{output}"
    # the messages themselves print plainly: no control, bidirectional or surrogate characters
    assert refused_at(output.replace("\n", "")) is None, output
    return output


def supporter_copy(project: Path, name: str, old: str, new: str) -> tuple[str, int]:
    """Copy the shipped Åland supporter to `name`.yaml with `old` replaced; return its path and
    the line of the change."""
    shown = f"content/data/supporters/{name}.yaml"
    write(project, shown, (PROJECT / SUPPORTER).read_text(encoding="utf-8"))
    return shown, replace(project, shown, old, new)


def test_dates_out_of_range_are_refused(tmp_path):
    """Dates before the Covenant, after 2099, facts after the build date, plans years ahead."""
    project = copy_project(tmp_path / "project")
    future, joined = supporter_copy(
        project, "future-member", "joined: 2019-06-04", "joined: 2099-01-01"
    )
    replace(project, future, "last_report: 2024-02-15\n", "")
    report_file, report = supporter_copy(
        project, "late-report", "last_report: 2024-02-15", "last_report: 9999-12-31"
    )
    ancient = replace(project, SUPPORTER, "joined: 2019-06-04", "joined: 0001-01-01")
    news = replace(project, NEWS, "date: 2025-09-08", "date: 2031-06-01")
    end = replace(project, EVENT, "end: 2027-01-21 15:00", "end: 9999-12-31 15:00")
    assert_refused(
        build(project, tmp_path),
        [
            f"{SUPPORTER}:{ancient}: joined: 0001-01-01 is before 2008-01-01: nothing here is "
            "older than the Covenant of Mayors (2008); check the year",
            f"{future}:{joined}: joined: 2099-01-01 is after the build date (2026-11-30); a "
            "supporter is added once it has joined: correct the date, or add the file then",
            f"{report_file}:{report}: last_report: 9999-12-31 is after 2099-12-31; check the year",
            f"{NEWS}:{news}: date: 2031-06-01 is more than 3 years after the build date "
            "(2026-11-30); check the year",
            f"{EVENT}:{end}: end: 9999-12-31 15:00 is after 2099-12-31; check the year",
        ],
    )


def test_the_build_date_decides_which_dates_are_facts_even_for_cached_records(tmp_path):
    """A supporter joining on 2027-03-01 is refused by a build dated 2026-11-30, listed by one
    dated 2027-06-01, and refused again by the earlier date when its record comes from the
    fast build's cache: the build-date checks run after loading, on every build."""
    project = copy_project(tmp_path / "project")
    shown, line = supporter_copy(project, "next-member", "joined: 2019-06-04", "joined: 2027-03-01")
    replace(project, shown, "last_report: 2024-02-15\n", "")
    replace(project, shown, "name: Ålands energikontor", "name: Next Member Network")
    refusal = (
        f"{shown}:{line}: joined: 2027-03-01 is after the build date (2026-11-30); a supporter "
        "is added once it has joined"
    )
    assert_refused(build(project, tmp_path, name="first"), [refusal])

    result = build(project, tmp_path, epoch="1811808000", name="later")  # 2027-06-01
    assert result.returncode == 0, result.stdout + result.stderr
    later = tmp_path / "later"
    profile = lxml.html.fromstring(
        (later / "en/supporters/directory/next-member/index.html").read_bytes()
    )
    assert profile.xpath("//h1")[0].text_content().strip() == "Next Member Network"
    feed = lxml.etree.parse(str(later / "en/feeds/supporters.atom.xml"))
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles[0] == "Next Member Network"  # the newest supporter

    caches = list((project / "cache" / "build_engine").glob("directory-records-*.pickle"))
    assert caches and b"Next Member Network" in caches[0].read_bytes()
    assert_refused(build(project, tmp_path, name="again"), [refusal])


def test_text_that_breaks_output_or_misleads_is_refused(tmp_path):
    """Control characters, NUL, lone surrogates, bidirectional overrides, overlong names,
    line breaks in one-line fields and odd field names: each refused with file, line, field."""
    project = copy_project(tmp_path / "project")
    bidi = replace(
        project, SUPPORTER, "name: Ålands energikontor", "name: Ålands \u202eenergikontor"
    )
    long_file, long_line = supporter_copy(
        project, "long-name", "name: Ålands energikontor", "name: " + "Å" * 10_000
    )
    nul_file, nul_line = supporter_copy(
        project, "nul-byte", "  fi: Ahvenanmaan", '  fi: "Ahvenanmaan\\0'
    )
    replace(project, nul_file, "energiatehokkuudessa.", 'energiatehokkuudessa."')
    title = replace(project, NEWS, "  en: New toolkit", '  en: "\\x07New toolkit')
    replace(project, NEWS, "climate adaptation\n", 'climate adaptation"\n')
    venue = replace(project, EVENT, "venue: Kuntatalo", 'venue: "Kunta\\ud800talo"')
    event_title = replace(project, EVENT, "  en: Nordic workshop", '  en: "Nordic\\nworkshop')
    replace(project, EVENT, "district heating\n", 'district heating"\n')
    key_file, key_line = supporter_copy(
        project, "odd-key", "city: Mariehamn", 'city: Mariehamn\n"\\u2066colour": blue'
    )
    raw = "content/data/news/raw-escape.yaml"
    write(project, raw, "date: 2026-01-02\ntitle:\n  en: Bell \x1b[31mred\nsummary:\n  en: S.\n")
    assert_refused(
        build(project, tmp_path),
        [
            f"{SUPPORTER}:{bidi}: name: contains the bidirectional control U+202E RIGHT-TO-LEFT "
            "OVERRIDE (character 8), which changes the order in which the text is shown and can "
            "disguise it; remove it",
            f"{long_file}:{long_line}: name: is 10,000 characters long; a name, title or place "
            "has at most 250: shorten it",
            f"{nul_file}:{nul_line}: description.fi: contains the control character U+0000 "
            "(character 12); remove it",
            f"{NEWS}:{title}: title.en: contains the control character U+0007 (character 1); "
            "remove it",
            f"{EVENT}:{venue}: venue: contains U+D800 (character 6), half of a UTF-16 surrogate "
            "pair, which is not a character; write the character itself",
            f"{EVENT}:{event_title}: title.en: contains a line break (character 7); a name, "
            "title or place is one line: use a space",
            f"{key_file}:{key_line + 1}: '\\u2066colour': the field name holds invisible or "
            "control characters; retype it",
            f"{raw}:3: (syntax): the character U+001B (column 12) is not allowed in a YAML "
            "file (a control character or noncharacter); remove it",
        ],
    )


def test_countries_written_the_eu_way_or_by_name_get_the_code_to_use(tmp_path):
    project = copy_project(tmp_path / "project")
    expected = []
    for name, value, hint in (
        (
            "united-kingdom",
            "UK",
            "'UK' is the EU's abbreviation; the ISO 3166-1 code is GB: use GB",
        ),
        ("greece", "EL", "'EL' is the EU's abbreviation; the ISO 3166-1 code is GR: use GR"),
        ("finland", "Finland", "give the country code, not its name: use FI for 'Finland'"),
        ("suomi", "suomi", "give the country code, not its name: use FI for 'suomi'"),
        ("germany", "DEUTSCHLAND", "give the country code, not its name: use DE for 'DEUTSCHLAND'"),
        ("austria", "Osterreich", "give the country code, not its name: use AT for 'Osterreich'"),
    ):
        shown, line = supporter_copy(project, name, "country: FI", f"country: {value}")
        expected.append(f"{shown}:{line}: country: {hint}")
    line = replace(project, EVENT, "country: FI", "country: el")
    expected.append(f"{EVENT}:{line}: country: 'el' is the EU's abbreviation; the ISO 3166-1")
    assert_refused(build(project, tmp_path), expected)


LONGEST_NAME = ("شبكة 👩‍👩‍👧 Ålands Ελληνικό " * 20)[:249] + "Z"


def test_values_at_the_ends_of_the_accepted_range_build(tmp_path):
    """Dates on 2008-01-01 and 2099-12-31 in the time zones furthest from UTC, a 250-character
    name in three scripts with emoji sequences, a 20,000-character description: the site builds
    on 2099-12-31 and on 9999-12-31 (SOURCE_DATE_EPOCH), and its pages, feeds and calendars
    parse."""
    project = copy_project(tmp_path / "project")
    text = (PROJECT / SUPPORTER).read_text(encoding="utf-8")
    text = text.replace("joined: 2019-06-04", "joined: 2099-12-31")
    text = text.replace("last_report: 2024-02-15\n", "")
    text = text.replace("name: Ålands energikontor", f"name: {LONGEST_NAME}")
    text = text.split("description:")[0] + f"description:\n  en: {('Word. ' * 4_000)[:20_000]}\n"
    text = re.sub(r"translations:\n(  .*\n)*", "", text)  # no Finnish text: no note
    write(project, "content/data/supporters/last-member.yaml", text)
    write(
        project,
        "content/data/events/first-day.yaml",
        "title:\n  en: First day\nstart: 2008-01-01 00:00\nend: 2008-01-01 00:30\n"
        "timezone: Pacific/Kiritimati\nonline: true\npublished: 2008-01-01\n",
    )
    write(
        project,
        "content/data/events/last-day.yaml",
        "title:\n  en: Last day\nstart: 2099-12-31\nend: 2099-12-31\n"
        "timezone: Pacific/Pago_Pago\ncity: Pago Pago\npublished: 2099-12-31\n",
    )
    write(
        project,
        "content/data/news/first-news.yaml",
        f"date: 2008-01-01\ntitle:\n  en: {LONGEST_NAME}\nsummary:\n  en: {'x' * 1000}\n",
    )
    for epoch, name in (("4102444799", "in-2099"), ("253402300799", "in-9999")):
        result = build(project, tmp_path, epoch=epoch, name=name)
        assert result.returncode == 0, result.stdout + result.stderr
        output = tmp_path / name
        page = lxml.html.fromstring(
            (output / "en/supporters/directory/last-member/index.html").read_bytes()
        )
        assert page.xpath("//h1")[0].text_content().strip() == LONGEST_NAME
        for ics in (
            "en/calendar/last-day.ics",
            "en/calendar/first-day.ics",
            "fi/calendar/events.ics",
        ):
            calendar = icalendar.Calendar.from_ical((output / ics).read_bytes())
            assert calendar.walk("VEVENT")
        for feed in sorted((output / "en" / "feeds").glob("*.xml")):
            lxml.etree.parse(str(feed))
        json.loads((output / "en/supporters/directory/index.json").read_bytes())
    supporters = lxml.etree.parse(str(tmp_path / "in-2099/en/feeds/supporters.atom.xml"))
    assert supporters.find(f"{ATOM}entry").findtext(f"{ATOM}title") == LONGEST_NAME


MARKUP = '<b onclick="alert(1)">Bold</b> & <script>x()</script>; one, two'


def unfold(ics: bytes) -> str:
    """Return an iCalendar file's text with its folded lines joined (RFC 5545, 3.1)."""
    return ics.decode("utf-8").replace("\r\n ", "")


def test_markup_typed_in_a_field_comes_out_as_content_data_readme_says(tmp_path):
    """Pages, feeds and the JSON index escape it for their format; iCalendar, whose text is plain
    text (RFC 5545), keeps it as typed with only , ; \\ and line breaks escaped."""
    project = copy_project(tmp_path / "project")
    replace(project, EVENT, "  en: Nordic workshop on low-carbon district heating",
            f"  en: '{MARKUP}'")  # fmt: skip
    replace(project, EVENT, "  en: Two days of site visits and discussions for municipalities "
            "and their associations.", f"  en: '{MARKUP}\n\n    second line'")  # fmt: skip
    replace(project, EVENT, "venue: Kuntatalo", f"venue: '{MARKUP}'")
    replace(project, NEWS, "  en: New toolkit helps small municipalities plan climate adaptation",
            f"  en: '{MARKUP}'")  # fmt: skip
    replace(project, SUPPORTER, "name: Ålands energikontor", f"name: '{MARKUP}'")
    result = build(project, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    output = tmp_path / "output"
    as_xml = html.escape(MARKUP, quote=False)  # < > & as XML requires them escaped

    # pages: escaped as HTML (< > & " ' as references); the reader sees the text, nothing runs
    raw = (output / "en/calendar/nordic-heat-workshop/index.html").read_text(encoding="utf-8")
    assert str(markupsafe.escape(MARKUP)) in raw and "<b " not in raw and "<script>x" not in raw
    page = lxml.html.fromstring(raw)
    assert page.xpath("//h1")[0].text_content().strip() == MARKUP
    assert not page.xpath("//b[@onclick] | " + INLINE_SCRIPTS)

    # JSON index: a JSON string with < > & written as \u003c \u003e \u0026
    raw = (output / "en/supporters/directory/index.json").read_text(encoding="utf-8")
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert '\\u003cb onclick=\\"alert(1)\\"\\u003eBold\\u003c/b\\u003e \\u0026' in raw
    assert MARKUP in [s["name"] for s in json.loads(raw)["supporters"]]

    # RSS: <title> escaped once as XML; <description> is HTML, escaped as HTML and then as XML
    raw = (output / "en/feeds/news.rss.xml").read_text(encoding="utf-8")
    assert f"<title>{as_xml}</title>" in raw
    raw = (output / "en/feeds/events.rss.xml").read_text(encoding="utf-8")
    assert html.escape(as_xml, quote=False) + "\nsecond line</description>" in raw
    (description,) = [
        item.findtext("description")
        for item in lxml.etree.fromstring(raw.encode("utf-8")).iter("item")
        if item.findtext("title") == MARKUP
    ]
    assert html.unescape(description).endswith(f"{MARKUP}\nsecond line")

    # Atom: title and summary are text (no type attribute), escaped once as XML
    raw = (output / "en/feeds/events.atom.xml").read_text(encoding="utf-8")
    assert f"<title>{as_xml}</title>" in raw and f"{as_xml}\nsecond line</summary>" in raw
    atom = lxml.etree.fromstring(raw.encode("utf-8"))
    (entry,) = [e for e in atom.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == MARKUP]
    assert entry.find(f"{ATOM}title").get("type") is None
    assert entry.find(f"{ATOM}summary").get("type") is None

    # iCalendar: plain text, the characters as typed; RFC 5545 escapes only , ; \ and newlines
    ics = unfold((output / "en/calendar/nordic-heat-workshop.ics").read_bytes())
    as_ics = MARKUP.replace(";", "\\;").replace(",", "\\,")
    for line in (
        f"NAME;LANGUAGE=en:{as_ics}",
        f"X-WR-CALNAME:{as_ics}",
        f"SUMMARY;LANGUAGE=en:{as_ics}",
        f"DESCRIPTION;LANGUAGE=en:{as_ics}\\nsecond line",
        f"LOCATION:{as_ics}\\, Helsinki\\, Finland",
    ):
        assert f"\r\n{line}\r\n" in ics, line
    assert "&lt;" not in ics and "&amp;" not in ics and "&#34;" not in ics
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == MARKUP
    assert str(event["DESCRIPTION"]) == f"{MARKUP}\nsecond line"


@pytest.fixture
def project(published_project, tmp_path) -> Path:
    """A copy of the published project, for one case to break."""
    return copy_published(published_project, tmp_path / "project")


def joins_in_2099(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "joined: 2019-06-04", "joined: 2099-01-01")
    replace(p, SUPPORTER, "last_report: 2024-02-15\n", "")
    return [f"{SUPPORTER}:{line}: joined: 2099-01-01 is after the build date (2026-11-30)"]


def bidirectional_override(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "name: Ålands energikontor", "name: \u202eÅlands energikontor")
    return [f"{SUPPORTER}:{line}: name: contains the bidirectional control U+202E"]


def country_uk(p: Path) -> list[str]:
    line = replace(p, SUPPORTER, "country: FI", "country: UK")
    return [
        f"{SUPPORTER}:{line}: country: 'UK' is the EU's abbreviation; the ISO 3166-1 code is GB"
    ]


@pytest.mark.parametrize(
    "case", [joins_in_2099, bidirectional_override, country_uk], ids=lambda case: case.__name__
)
def test_publish_stops_on_a_refused_value(project, case):
    output = assert_publish_refused(project, case(project))
    assert "unexpected" not in output
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", output)
