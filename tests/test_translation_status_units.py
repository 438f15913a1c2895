"""Unit tests of translation status, page metadata and link parity, without running Pelican."""

from pathlib import Path

import pytest
from multilingual.link_parity import compare_links, page_links, shown_in
from multilingual.translation_status import (
    PageRecord,
    Status,
    catalogue_stats,
    compute_status,
    display_path,
    format_table,
    source_hash,
)
from portal_core.errors import PortalErrors
from portal_core.page_metadata import parse_page, set_metadata

LANGS = ("de", "en", "fi", "pl")
SOURCE = "Title: Benefits\nSummary: Why join.\nTemplate: page\n\nFirst paragraph.\n\n- one\n- two\n"


def test_source_hash_ignores_line_endings_trailing_space_and_other_metadata():
    reference = source_hash(SOURCE)
    assert len(reference) == 12 and int(reference, 16) >= 0
    same = [
        SOURCE.replace("\n", "\r\n"),
        SOURCE.replace("First paragraph.", "First paragraph.   "),
        SOURCE + "\n\n",
        SOURCE.replace("Template: page\n", "Template: home\nModified: 2026-11-01\n"),
        "\ufeff" + SOURCE,
    ]
    for text in same:
        assert source_hash(text) == reference, repr(text)


@pytest.mark.parametrize(
    "edit",
    [("First paragraph.", "First paragraph, changed."), ("Title: Benefits", "Title: Gains"),
     ("Summary: Why join.", "Summary: Why to join."), ("- two", "- two\n- three")],
)  # fmt: skip
def test_source_hash_changes_with_title_summary_or_body(edit):
    assert source_hash(SOURCE.replace(*edit)) != source_hash(SOURCE)


def test_parse_page_keeps_line_numbers_and_continuations():
    page = parse_page("Title: T\nSummary: first\n    second\nSource-Hash: abc\n\nBody\n")
    assert page.get("summary") == "first\nsecond"
    assert page.line_of("source-hash") == 4
    assert page.last_header_line == 4
    assert page.body == "Body\n"


def test_set_metadata_replaces_only_that_line():
    text = "Title: T\nSource-Hash: 000000000000\nTranslation-Method: machine\n\nBody  \n"
    changed = set_metadata(text, "Source-Hash", "abcdefabcdef")
    assert changed == text.replace("000000000000", "abcdefabcdef")


def test_set_metadata_adds_a_missing_line_after_the_header_keeping_crlf_and_bom():
    text = "\ufeffTitle: T\r\nTranslation-Method: human\r\n\r\nBody\r\n"
    changed = set_metadata(text, "Source-Hash", "abcdefabcdef")
    assert changed == (
        "\ufeffTitle: T\r\nTranslation-Method: human\r\nSource-Hash: abcdefabcdef\r\n\r\nBody\r\n"
    )
    assert parse_page(changed).get("source-hash") == "abcdefabcdef"


def test_set_metadata_keeps_the_key_spelling_and_replaces_continuations():
    text = "Title: T\nsource-hash: 1\n    2\nStatus: published\n\nBody\n"
    assert (
        set_metadata(text, "Source-Hash", "x")
        == "Title: T\nsource-hash: x\nStatus: published\n\nBody\n"
    )


def test_set_metadata_inside_dashed_header_and_without_header():
    dashed = "---\nTitle: T\n---\nBody\n"
    assert set_metadata(dashed, "Source-Hash", "x") == "---\nTitle: T\nSource-Hash: x\n---\nBody\n"
    assert set_metadata("Body only\n", "Source-Hash", "x") == "Source-Hash: x\n\nBody only\n"


def record(lang, text, path="benefits"):
    return PageRecord(path, lang, Path(f"content/{lang}/{path}.md"), text)


def translation(method="human", hash_value=None, body="Käännös."):
    lines = ["Title: Käännös", "Summary: S."]
    if method:
        lines.append(f"Translation-Method: {method}")
    if hash_value:
        lines.append(f"Source-Hash: {hash_value}")
    return "\n".join(lines) + "\n\n" + body + "\n"


def test_every_status_is_computed():
    current = source_hash(SOURCE)
    report = compute_status(
        [
            record("en", SOURCE),
            record("fi", translation("human", current)),
            record("de", translation("machine", current)),
            record("pl", translation("human", "0123456789ab")),
        ],
        LANGS,
        "en",
    )
    statuses = {lang: report.entry("benefits", lang).status for lang in LANGS}
    assert statuses == {
        "en": Status.SOURCE,
        "fi": Status.UP_TO_DATE,
        "de": Status.MACHINE,
        "pl": Status.OUTDATED,
    }
    assert report.entry("benefits", "pl").reason == "source-changed"
    assert report.counts("fi")["up-to-date"] == 1


def test_missing_translation_and_translation_without_hash():
    report = compute_status(
        [record("en", SOURCE), record("fi", translation("machine"))], LANGS, "en"
    )
    assert report.entry("benefits", "de").status is Status.MISSING
    unknown = report.entry("benefits", "fi")
    assert unknown.status is Status.OUTDATED and unknown.reason == "no-source-hash"
    assert report.counts("fi")["no-source-hash"] == 1


def test_a_longer_recorded_hash_matches_by_prefix():
    from multilingual.translation_status import full_source_hash

    full = full_source_hash(SOURCE)
    report = compute_status(
        [record("en", SOURCE), record("fi", translation("human", full[:20]))], LANGS, "en"
    )
    assert report.entry("benefits", "fi").status is Status.UP_TO_DATE


@pytest.mark.parametrize(
    ("text", "expected"),
    [(translation(None, "0123456789ab"), "content/fi/benefits.md: no Translation-Method"),
     (translation("robot", "0123456789ab"), "benefits.md:3: Translation-Method is 'robot'"),
     (translation("human", "not-a-hash"), "content/fi/benefits.md:4: Source-Hash 'not-a-hash'")],
)  # fmt: skip
def test_bad_metadata_is_an_error_naming_file_and_line(text, expected):
    with pytest.raises(PortalErrors) as raised:
        compute_status([record("en", SOURCE), record("fi", text)], LANGS, "en")
    assert expected in str(raised.value)


def test_translation_without_source_is_an_error_naming_the_file():
    with pytest.raises(PortalErrors, match=r"content/fi/orphan\.md: translation without"):
        compute_status([record("fi", translation(), "orphan")], LANGS, "en")


def test_source_hash_in_the_english_page_is_an_error():
    with pytest.raises(PortalErrors, match=r"content/en/benefits\.md:3: Source-Hash belongs"):
        compute_status([record("en", "Title: T\nSummary: S\nSource-Hash: abc\n\nx\n")], LANGS, "en")


POT = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Home"
msgstr ""

msgid "Contact"
msgstr ""

msgid "Follow us"
msgstr ""

msgid "News"
msgstr ""

msgid "%(n)s page"
msgid_plural "%(n)s pages"
msgstr[0] ""
msgstr[1] ""
"""

PO_PL = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
"(n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Home"
msgstr "Strona główna"

#, fuzzy
msgid "Contact"
msgstr "Kontakt"

msgid "Follow us"
msgstr ""

msgid "%(n)s page"
msgid_plural "%(n)s pages"
msgstr[0] "%(n)s strona"
msgstr[1] "%(n)s strony"
msgstr[2] ""
"""


def test_catalogue_stats_count_fuzzy_empty_absent_and_incomplete_plurals(tmp_path):
    pot = tmp_path / "messages.pot"
    po = tmp_path / "pl" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    pot.write_text(POT, encoding="utf-8")
    po.write_text(PO_PL, encoding="utf-8")
    stats = catalogue_stats(po, pot, "pl")
    # Home translated; Contact fuzzy; Follow us empty; News absent; plural misses its 3rd form
    assert (stats.total, stats.translated, stats.fuzzy, stats.empty) == (5, 1, 1, 3)
    assert stats.percent == 20.0 and not stats.complete
    po.write_text(PO_PL.replace('msgstr[2] ""', 'msgstr[2] "%(n)s stron"'), encoding="utf-8")
    assert catalogue_stats(po, pot, "pl").translated == 2
    missing = catalogue_stats(tmp_path / "xx.po", pot, "pl")
    assert not missing.exists and missing.empty == 5


def test_table_figures_are_the_report_counts():
    current = source_hash(SOURCE)
    report = compute_status(
        [
            record("en", SOURCE),
            record("fi", translation("human", current)),
            record("de", translation("machine")),
            record("en", SOURCE, "other"),
        ],
        LANGS,
        "en",
    )
    table = format_table(report)
    rows = {}
    for line in table.splitlines():
        if line[:2] in LANGS:
            rows.setdefault(line[:2], line.split())  # the counts table comes first
    for lang in LANGS:
        counts = report.counts(lang)
        figures = [int(value) for value in rows[lang][2:7]]
        assert figures == [counts[str(status)] for status in Status]
    assert "make l10n-stamp" in table  # the German page has no Source-Hash


LINKS_EN = """<p><a href="/en/supporters/">overview</a> <a href="/en/news/#latest">news</a>
<a href="#top">top</a> <a href="https://eu-mayors.ec.europa.eu/">office</a>
<a href="&#109;&#97;&#105;&#108;&#116;&#111;&#58;a@b.eu">a@b.eu</a></p>"""


def test_page_links_are_language_neutral_without_fragments():
    links = page_links(LINKS_EN, "en", LANGS)
    assert set(links) == {
        "/*/supporters/",
        "/*/news/",
        "https://eu-mayors.ec.europa.eu/",
        "mailto:a@b.eu",
    }
    finnish = LINKS_EN.replace("/en/", "/fi/").replace("#latest", "#uusimmat")
    assert set(page_links(finnish, "fi", LANGS)) == set(links)
    assert shown_in(links["/*/supporters/"], "fi") == "/fi/supporters/"


def test_compare_links_reports_a_wrong_address_and_an_extra_link():
    source = page_links(LINKS_EN, "en", LANGS)
    maltese = LINKS_EN.replace("a@b.eu", "x@b.eu").replace("/en/news/", "https://example.org/")
    maltese = maltese.replace("/en/", "/mt/")
    extra, missing = compare_links(page_links(maltese, "mt", (*LANGS, "mt")), source)
    assert {link.key for link in extra} == {"mailto:x@b.eu", "https://example.org/"}
    assert {link.key for link in missing} == {"mailto:a@b.eu", "/*/news/"}


def test_a_typed_address_counts_like_a_linked_one():
    source = page_links('<p><a href="mailto:a@b.eu">a@b.eu</a></p>', "en", LANGS)
    typed = page_links("<p>Kirjoita osoitteeseen a@c.eu.</p>", "fi", LANGS)
    extra, missing = compare_links(typed, source)
    assert [link.key for link in extra] == ["mailto:a@c.eu"]
    assert [link.key for link in missing] == ["mailto:a@b.eu"]


def test_display_path_resolves_like_pathlib_with_folders_resolved_once(tmp_path, monkeypatch):
    def by_pathlib(path) -> str:
        try:
            return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(path)

    (tmp_path / "site" / "fi").mkdir(parents=True)
    (tmp_path / "site" / "fi" / "page.md").write_text("x", encoding="utf-8")
    (tmp_path / "elsewhere.md").write_text("x", encoding="utf-8")
    (tmp_path / "site" / "fi" / "linked.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "alias").symlink_to(tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    paths = [
        "fi/page.md",
        "fi/linked.md",  # a link: where it points, outside the working folder
        "fi/../fi/page.md",
        str(tmp_path / "alias" / "fi" / "page.md"),
        str(tmp_path / "site" / "fi" / "missing.md"),
        "/",
        ".",
    ]
    assert [display_path(path) for path in paths] == [by_pathlib(path) for path in paths]
    assert display_path("fi/../fi/page.md") == "fi/page.md"
    assert display_path("fi/linked.md") == "fi/linked.md"  # resolves outside: shown as given
    assert display_path(tmp_path / "alias" / "fi" / "page.md") == "fi/page.md"
