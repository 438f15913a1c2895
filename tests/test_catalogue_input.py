"""Translators' catalogues as hostile or broken input: interface strings are text.

A catalogue entry with markup, invisible control characters or an oversized text, a plural
formula that is not CLDR's, or a msgid given twice stops the real build (and the publish) with
`file:line: msgid ...: what to do` and no traceback. Harmless characters (`&`, `< 5`, quotes)
build and come out as text, escaped once, in pages, feeds, .ics files and JSON; markup reaches a
page only from a template, through a placeholder.
"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import icalendar
import lxml.etree
import lxml.html
import pytest
from babel.messages.plurals import get_plural
from conftest import EU_ORDER, PROJECT, copy_project, copy_published, run_build
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup
from portal_core.catalogues import (
    PLURAL_SAMPLE,
    forbidden_character,
    load_catalogues,
    markup_in,
    read_entries,
    size_limit,
)
from portal_core.errors import PortalErrors
from portal_core.languages import format_locale
from portal_core.strings import InterfaceStrings
from portal_core.templates import install_template_helpers
from test_hostile_input import assert_publish_refused

FI_PO = "translations/fi/LC_MESSAGES/messages.po"
PL_PO = "translations/pl/LC_MESSAGES/messages.po"
NEWSLETTER = "Subscribe to the monthly newsletter"  # in the footer of every page
CALENDAR = "Covenant Supporters: events"  # the .ics calendar name and the events feeds' title
FOUND = "%(num)s supporter found"  # plural; the directory's JSON index
NO_TRACEBACK = ("Traceback", 'File "')


def po_string(text: str) -> str:
    """Return `text` as a quoted .po string (backslashes and quotes escaped, nothing else)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_msgstr(project: Path, po: str, msgid: str, text: str, form: int | None = None) -> int:
    """Replace the translation of `msgid` (its msgstr[form] for a plural); return its line."""
    path = project / po
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"msgid {po_string(msgid)}")
    keyword = "msgstr" if form is None else f"msgstr[{form}]"
    number = next(n for n in range(start, len(lines)) if lines[n].startswith(keyword + " "))
    lines[number] = f"{keyword} {po_string(text)}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def msgid_line(project: Path, po: str, msgid: str) -> int:
    """Return the line of `msgid` in a catalogue."""
    lines = (project / po).read_text(encoding="utf-8").split("\n")
    return lines.index(f"msgid {po_string(msgid)}") + 1


def build(project: Path, output: Path):
    """Build the copied project with its own settings (and so its own catalogues)."""
    return run_build(project / "content", output, settings=project / "pelicanconf.py", cwd=project)


def assert_build_refused(project: Path, output: Path, expected: list[str]) -> str:
    """Build; assert it fails with every expected phrase, no traceback and no site written."""
    result = build(project, output)
    text = result.stdout + result.stderr
    assert result.returncode != 0, text
    for phrase in expected:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    assert not any(marker in text for marker in NO_TRACEBACK), text
    assert f"nothing was written to {output}/" in text
    assert not output.exists()
    return text


MARKUP_REFUSED = "the translation contains markup"
PLAIN_TEXT_FIX = "interface strings are plain text, shown as typed"

#: (msgstr of NEWSLETTER, the markup the message quotes)
MARKUP_CASES = [
    ('Tilaa <a href="https://evil.example/">uutiskirje</a>', '<a href="https://evil.example/">'),
    ("Tilaa</span><script src=/x.js></script>", "</span>"),
    ("<!-- kommentti --> Tilaa uutiskirje", "<!-- kommentti -->"),
    ("<!DOCTYPE html> Tilaa", "<!DOCTYPE html>"),
    ("<?xml version='1.0'?> Tilaa", "<?xml version='1.0'?>"),
    ("Tilaa &amp; lue", "&amp;"),
    ("Tilaa &#60;b&#62; uutiskirje", "&#60;"),
    ("Tilaa &#x3C;b&#x3E; uutiskirje", "&#x3C;"),
    ("© &copy 2026", "&copy"),
]


@pytest.mark.parametrize(("msgstr", "quoted"), MARKUP_CASES, ids=[c[1] for c in MARKUP_CASES])
def test_markup_in_a_translation_stops_the_build(tmp_path, msgstr, quoted):
    project = copy_project(tmp_path / "project")
    line = set_msgstr(project, FI_PO, NEWSLETTER, msgstr)
    assert_build_refused(
        project,
        tmp_path / "output",
        [
            f"{FI_PO}:{line}: msgid {NEWSLETTER!r}: {MARKUP_REFUSED} {quoted!r}; {PLAIN_TEXT_FIX}",
            "a link or emphasis comes from the template, through a %(name)s placeholder",
        ],
    )


#: (msgstr of NEWSLETTER, how the message names the character)
CHARACTER_CASES = [
    ("Tilaa\x00uutiskirje", "U+0000"),
    ("Tilaa\\auutiskirje", "U+0007"),  # the .po escape \a
    ("Tilaa\\tuutiskirje", "U+0009 TAB"),
    ("Tilaa\x1buutiskirje", "U+001B"),
    ("Tilaa\x85uutiskirje", "U+0085"),
    ("Tilaa \u202eejrikstuu", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("Tilaa \u202auutiskirje", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("Tilaa \u2067uutiskirje\u2069", "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("Tilaa \ufffe", "U+FFFE"),
]


@pytest.mark.parametrize(("msgstr", "named"), CHARACTER_CASES, ids=[c[1] for c in CHARACTER_CASES])
def test_control_and_bidirectional_characters_stop_the_build(tmp_path, msgstr, named):
    project = copy_project(tmp_path / "project")
    path = project / FI_PO
    line = set_msgstr(project, FI_PO, NEWSLETTER, "PLACEHOLDER")
    # written as they are (po_string would double the backslash of \a and \t)
    text = path.read_text(encoding="utf-8").replace('"PLACEHOLDER"', f'"{msgstr}"')
    path.write_text(text, encoding="utf-8")
    assert_build_refused(
        project,
        tmp_path / "output",
        [
            f"{FI_PO}:{line}: msgid {NEWSLETTER!r}: the translation contains the invisible "
            f"character {named}",
            "delete it (interface strings are plain text",
        ],
    )


def test_an_unpaired_surrogate_stops_the_build_at_its_line(tmp_path):
    """A surrogate encoded in the file (CESU-8 style) is not UTF-8; the message names its line."""
    project = copy_project(tmp_path / "project")
    line = set_msgstr(project, FI_PO, NEWSLETTER, "PLACEHOLDER")
    path = project / FI_PO
    path.write_bytes(path.read_bytes().replace(b"PLACEHOLDER", b"Tilaa \xed\xa0\x80"))
    assert_build_refused(project, tmp_path / "output", [f"{FI_PO}:{line}: not valid UTF-8"])


def test_a_megabyte_translation_stops_the_build(tmp_path):
    project = copy_project(tmp_path / "project")
    line = set_msgstr(project, FI_PO, NEWSLETTER, "uutiskirje " * 100_000)
    limit = 100 + 4 * len(NEWSLETTER)
    assert_build_refused(
        project,
        tmp_path / "output",
        [
            f"{FI_PO}:{line}: msgid {NEWSLETTER!r}: the translation has 1,100,000 characters, "
            f"more than this string's limit of {limit} (4 times the English text plus 100, at "
            "most 2,000); shorten it",
        ],
    )


def test_a_polish_plural_formula_that_is_not_cldrs_stops_the_build(tmp_path):
    """Czech's formula is self-consistent with three forms, but Polish says 22 like 2."""
    project = copy_project(tmp_path / "project")
    path = project / PL_PO
    text = path.read_text(encoding="utf-8")
    header = re.search(r'^"Plural-Forms: .*$', text, re.MULTILINE)
    line = text.count("\n", 0, header.start()) + 1
    czech = "(n == 1 ? 0 : n >= 2 && n <= 4 ? 1 : 2)"
    path.write_text(
        text.replace(header.group(), f'"Plural-Forms: nplurals=3; plural={czech};\\n"'),
        encoding="utf-8",
    )
    polish = "n == 1 ? 0 : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : 2"
    assert_build_refused(
        project,
        tmp_path / "output",
        [
            f"{PL_PO}:{line}: the plural formula {czech!r} is not CLDR's for 'pl': for n = 22 it "
            "selects msgstr[2], CLDR's selects msgstr[1]; "
            f'put "Plural-Forms: nplurals=3; plural={polish};\\n" in the header and order the '
            "msgstr[0]..msgstr[2] of each plural entry as that formula numbers the forms",
        ],
    )


def test_a_plural_formula_with_too_few_forms_names_the_header_not_an_entry(tmp_path):
    """Babel alone stops at the first plural entry ("more translations than num_plurals")."""
    project = copy_project(tmp_path / "project")
    path = project / PL_PO
    text = path.read_text(encoding="utf-8")
    header = re.search(r'^"Plural-Forms: .*$', text, re.MULTILINE)
    line = text.count("\n", 0, header.start()) + 1
    path.write_text(
        text.replace(header.group(), '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'),
        encoding="utf-8",
    )
    output = assert_build_refused(
        project,
        tmp_path / "output",
        [f"{PL_PO}:{line}: nplurals=2, but 'pl' has 3 plural forms in CLDR; put "],
    )
    assert "num_plurals" not in output


def test_a_msgid_given_twice_stops_the_build_naming_both_lines(tmp_path):
    project = copy_project(tmp_path / "project")
    first = msgid_line(project, FI_PO, NEWSLETTER)
    path = project / FI_PO
    text = path.read_text(encoding="utf-8").rstrip("\n")
    second = text.count("\n") + 3
    path.write_text(
        text + f'\n\nmsgid {po_string(NEWSLETTER)}\nmsgstr "Tilaa uutiskirje"\n',
        encoding="utf-8",
    )
    assert_build_refused(
        project,
        tmp_path / "output",
        [
            f"{FI_PO}:{second}: msgid {NEWSLETTER!r} appears twice, on lines {first} and "
            f"{second}; keep one of the two entries",
        ],
    )


# --- harmless characters and placeholders, on the real output ---------------------------------

SPECIAL = "Tilaa & lue < 5 minuutissa: \"uutiskirje\" 'nyt' > muut"
CALENDAR_NAME = 'Tukijat & kumppanit: < 5 "tapahtumaa"'
FOUND_FORMS = ('%(num)s tukija & "osuma"', "%(num)s tukijaa & < 5 'osumaa'")
PLACEHOLDER_MSGID = "Go to %(link)s or read %(name)s"
PLACEHOLDER_FI = "Siirry: %(link)s tai lue %(name)s & muut"
PLAIN_VALUE = "<b>lihavoitu</b> & muut"
PLACEHOLDER_TEMPLATE = (
    '<p class="test-placeholder">{% set home_link %}<a href="{{ SITEURL }}/{{ here.lang }}/">'
    '{{ _("Home") }}</a>{% endset %}{{ _("' + PLACEHOLDER_MSGID + '", link=home_link, '
    'name="' + PLAIN_VALUE + '") }}</p>\n'
)


@pytest.fixture(scope="module")
def special_site(tmp_path_factory) -> Path:
    """The shipped site with Finnish strings full of harmless special characters, and a
    footer sentence that takes a link (Markup) and a plain string through placeholders."""
    root = tmp_path_factory.mktemp("special")
    project = copy_project(root / "project")
    set_msgstr(project, FI_PO, NEWSLETTER, SPECIAL)
    set_msgstr(project, FI_PO, CALENDAR, CALENDAR_NAME)
    set_msgstr(project, FI_PO, FOUND, FOUND_FORMS[0], form=0)
    set_msgstr(project, FI_PO, FOUND, FOUND_FORMS[1], form=1)
    po = project / FI_PO
    po.write_text(
        po.read_text(encoding="utf-8").rstrip("\n")
        + f"\n\n#, python-format\nmsgid {po_string(PLACEHOLDER_MSGID)}\n"
        f"msgstr {po_string(PLACEHOLDER_FI)}\n",
        encoding="utf-8",
    )
    footer = project / "theme" / "templates" / "footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + PLACEHOLDER_TEMPLATE, encoding="utf-8")
    output = root / "output"
    result = build(project, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def newsletter_texts(document) -> list[str]:
    return [
        span.text_content()
        for span in document.xpath("//footer//li/span")
        if span.getprevious() is not None and span.getprevious().get("href", "").startswith("http")
    ]


def test_harmless_special_characters_show_as_text_escaped_once(special_site):
    pages = sorted((special_site / "fi").rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        raw = page.read_bytes().decode("utf-8")
        document = lxml.html.fromstring(raw)
        assert SPECIAL in newsletter_texts(document), page
        assert "&amp;amp;" not in raw and "&amp;lt;" not in raw, page
        assert "Tilaa &amp; lue &lt; 5 minuutissa:" in raw, page
    english = lxml.html.fromstring((special_site / "en" / "index.html").read_bytes())
    assert "Subscribe to the monthly newsletter" in newsletter_texts(english)


def test_the_site_name_with_an_ampersand_reads_the_same_and_is_escaped_once(special_site):
    raw = (special_site / "en" / "index.html").read_bytes().decode("utf-8")
    document = lxml.html.fromstring(raw)
    name = "Covenant of Mayors for Climate & Energy"
    assert document.findtext(".//title").endswith(name)
    assert document.xpath("string(//*[@class='site-name-main'])") == name
    assert "Climate &amp; Energy" in raw and "&amp;amp;" not in raw


def test_a_placeholder_takes_markup_from_the_template_and_text_from_a_string(special_site):
    """{% set %} gives Markup, which stays a link; a plain str value is escaped as text."""
    raw = (special_site / "fi" / "index.html").read_bytes().decode("utf-8")
    document = lxml.html.fromstring(raw)
    (paragraph,) = document.xpath("//p[@class='test-placeholder']")
    assert [(a.get("href"), a.text_content()) for a in paragraph.iter("a")] == [("/fi/", "Etusivu")]
    assert not paragraph.xpath(".//b")
    assert paragraph.text_content() == f"Siirry: Etusivu tai lue {PLAIN_VALUE} & muut"
    assert (
        '<p class="test-placeholder">Siirry: <a href="/fi/">Etusivu</a> tai lue '
        "&lt;b&gt;lihavoitu&lt;/b&gt; &amp; muut &amp; muut</p>"
    ) in raw


def test_calendar_name_and_feed_titles_carry_the_catalogue_text_as_text(special_site):
    """The .ics calendar name and the events feeds' titles come from the catalogue: text."""
    calendar = icalendar.Calendar.from_ical((special_site / "fi/calendar/events.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == CALENDAR_NAME
    assert str(calendar["NAME"]) == CALENDAR_NAME
    rss = lxml.etree.parse(str(special_site / "fi/feeds/events.rss.xml"))
    (rss_title,) = rss.xpath("/rss/channel/title")
    assert rss_title.text == CALENDAR_NAME and len(rss_title) == 0
    atom = lxml.etree.parse(str(special_site / "fi/feeds/events.atom.xml"))
    namespace = {"a": "http://www.w3.org/2005/Atom"}
    (atom_title,) = atom.xpath("/a:feed/a:title", namespaces=namespace)
    assert atom_title.text == CALENDAR_NAME and len(atom_title) == 0
    assert atom_title.get("type", "text") == "text"
    # the feeds' own list on the calendar page shows the title as text
    page = lxml.html.fromstring((special_site / "fi/rss/index.html").read_bytes())
    assert any(CALENDAR_NAME in cell.text_content() for cell in page.iter("td", "th", "a"))


def test_directory_index_holds_the_plural_forms_as_inert_text(special_site):
    raw = (special_site / "fi/supporters/directory/index.json").read_bytes()
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    found = json.loads(raw)["found"]
    assert found[1] == FOUND_FORMS[0] % {"num": "1"}
    assert found[2] == FOUND_FORMS[1] % {"num": "2"}


# --- the same Jinja wiring as the build, on a template string ---------------------------------


def render_with_build_wiring(tmp_path: Path, template: str, lang: str, **variables) -> str:
    """Render `template` in an environment given the build's template helpers."""
    po = tmp_path / "fi" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    header = (PROJECT / FI_PO).read_text(encoding="utf-8").split("\n\n", 1)[0]
    po.write_text(
        header
        + "\n\n"
        + f"msgid {po_string('See %(link)s, %(name)s')}\n"
        + f"msgstr {po_string('Katso %(link)s, %(name)s & muut')}\n\n"
        + f"msgid {po_string('%(num)s link: %(link)s')}\n"
        + f"msgid_plural {po_string('%(num)s links: %(link)s')}\n"
        + f"msgstr[0] {po_string('%(num)s linkki & %(link)s')}\n"
        + f"msgstr[1] {po_string('%(num)s linkkiä & %(link)s')}\n",
        encoding="utf-8",
    )
    env = Environment(autoescape=True, undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    install_template_helpers(env, InterfaceStrings(load_catalogues(tmp_path, ("en", "fi"))))
    return env.from_string(template).render(page_lang=lang, DEFAULT_LANG="en", **variables)


LINK = Markup('<a href="/fi/">etusivu</a>')


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{{ _('See %(link)s, %(name)s', link=link, name=name) }}",
            'Katso <a href="/fi/">etusivu</a>, &lt;i&gt;x&lt;/i&gt; &amp; muut',
        ),
        (
            "{{ gettext('See %(link)s, %(name)s', link=link, name=name) }}",
            'Katso <a href="/fi/">etusivu</a>, &lt;i&gt;x&lt;/i&gt; &amp; muut',
        ),
        (
            "{{ ngettext('%(num)s link: %(link)s', '%(num)s links: %(link)s', 3, link=link) }}",
            '3 linkkiä &amp; <a href="/fi/">etusivu</a>',
        ),
        (
            "{{ ngettext('%(num)s link: %(link)s', '%(num)s links: %(link)s', 1, link=name) }}",
            "1 linkki &amp; &lt;i&gt;x&lt;/i&gt;",
        ),
        (
            "{% trans link=link, name=name %}See {{ link }}, {{ name }}{% endtrans %}",
            'Katso <a href="/fi/">etusivu</a>, &lt;i&gt;x&lt;/i&gt; &amp; muut',
        ),
        (
            "{{ _('Untranslated <b>%(name)s</b> & 100%%', name=name) }}",
            "Untranslated &lt;b&gt;&lt;i&gt;x&lt;/i&gt;&lt;/b&gt; &amp; 100%",
        ),
    ],
)
def test_template_markup_comes_only_through_markup_placeholders(tmp_path, template, expected):
    html = render_with_build_wiring(tmp_path, template, "fi", link=LINK, name="<i>x</i>")
    assert html == expected
    document = lxml.html.fragment_fromstring(html, create_parent="p")
    assert [a.get("href") for a in document.iter("a")] == (["/fi/"] if "<a " in expected else [])
    assert not document.xpath(".//i | .//b")


# --- the rules themselves, on the shipped catalogues ------------------------------------------


def test_shipped_catalogues_pass_and_use_under_half_the_size_limit():
    catalogues = load_catalogues(PROJECT / "translations", EU_ORDER)
    assert sorted(catalogues) == sorted(EU_ORDER)
    largest = 0.0
    for lang in EU_ORDER:
        text = (PROJECT / "translations" / lang / "LC_MESSAGES" / "messages.po").read_text(
            encoding="utf-8"
        )
        for entry in read_entries(text):
            if entry.msgid:
                for _line, translation in entry.translations():
                    largest = max(largest, len(translation) / size_limit(entry.english()))
    assert 0.1 < largest < 0.5


def test_babels_plural_formulas_partition_numbers_as_cldrs_rules():
    """babel.messages.plurals (the build's reference) numbers forms as CLDR's categories."""
    for lang in EU_ORDER:
        locale = format_locale(lang)
        formula = gettext.c2py(get_plural(locale).plural_expr)
        pairs = {(locale.plural_form(n), formula(n)) for n in PLURAL_SAMPLE}
        categories = {category for category, _ in pairs}
        forms = {form for _, form in pairs}
        assert len(pairs) == len(categories) == len(forms), (lang, sorted(pairs))
        assert forms == set(range(get_plural(locale).num_plurals)), lang


@pytest.mark.parametrize(
    "text",
    ["Climate & Energy", "a < 5", "x <5", "'quoted' \"text\"", "AT&T", "R&D;", "&#;", "a > b"],
)
def test_plain_characters_are_not_markup(text):
    assert markup_in(text) is None
    assert forbidden_character(text) is None


def test_a_line_break_is_allowed_only_where_the_english_string_has_one():
    assert forbidden_character("a\nb", allowed="\n") is None
    assert forbidden_character("a\nb") == "\n"


# --- the publish: refused, and the published site unchanged ------------------------------------


@pytest.fixture
def published_copy(published_project, tmp_path) -> Path:
    """A copy of the published project, for one case to break."""
    return copy_published(published_project, tmp_path / "project")


def test_a_link_in_a_footer_string_stops_the_publish(published_copy):
    line = set_msgstr(
        published_copy, FI_PO, NEWSLETTER, 'Tilaa <a href="https://evil.example/">uutiskirje</a>'
    )
    assert_publish_refused(
        published_copy,
        [
            f"{FI_PO}:{line}: msgid {NEWSLETTER!r}: {MARKUP_REFUSED} "
            "'<a href=\"https://evil.example/\">'"
        ],
    )


def test_a_msgid_given_twice_stops_the_publish(published_copy):
    first = msgid_line(published_copy, FI_PO, NEWSLETTER)
    path = published_copy / FI_PO
    text = path.read_text(encoding="utf-8").rstrip("\n")
    second = text.count("\n") + 3
    path.write_text(text + f'\n\nmsgid {po_string(NEWSLETTER)}\nmsgstr "Tilaa"\n', encoding="utf-8")
    assert_publish_refused(
        published_copy,
        [f"{FI_PO}:{second}: msgid {NEWSLETTER!r} appears twice, on lines {first} and {second}"],
    )


def test_a_polish_plural_formula_that_is_not_cldrs_stops_the_publish(published_copy):
    path = published_copy / PL_PO
    text = path.read_text(encoding="utf-8")
    header = re.search(r'^"Plural-Forms: .*$', text, re.MULTILINE)
    line = text.count("\n", 0, header.start()) + 1
    path.write_text(
        text.replace(header.group(), '"Plural-Forms: nplurals=3; plural=(n != 1 ? 2 : 0);\\n"'),
        encoding="utf-8",
    )
    assert_publish_refused(
        published_copy,
        [
            f"{PL_PO}:{line}: the plural formula '(n != 1 ? 2 : 0)' is not CLDR's for 'pl': "
            "for n = 2 it selects msgstr[2], CLDR's selects msgstr[1]"
        ],
    )


def test_a_plural_entry_with_a_form_too_many_is_named_at_its_msgid(tmp_path):
    po = tmp_path / "fi" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    header = (PROJECT / FI_PO).read_text(encoding="utf-8").split("\n\n", 1)[0]
    line = header.count("\n") + 3
    po.write_text(
        header + '\n\nmsgid "One"\nmsgid_plural "Many"\nmsgstr[0] "a"\nmsgstr[1] "b"\n'
        'msgstr[5] "c"\n',
        encoding="utf-8",
    )
    with pytest.raises(PortalErrors) as raised:
        load_catalogues(tmp_path, ("en", "fi"))
    assert [str(error) for error in raised.value.errors] == [
        f"{po}:{line}: msg has more translations than num_plurals of catalog (fix the .po "
        "syntax; `make l10n-compile` shows the same error)"
    ]
