"""Translation status on built sites: notices, the editors' page and JSON, commands, link parity."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EU_ORDER, FIXTURE_SITE, PROJECT, Site, build_or_fail, run_build

FI_OUTDATED = "Tämän sivun englanninkielinen alkuperäinen on voinut muuttua"
FI_MACHINE = "Tämä sivu on konekäännös."
EN_MACHINE = "This page has been machine-translated."


def l10n(content: Path, *args: str) -> subprocess.CompletedProcess:
    """Run one translators' command (as the Makefile's l10n-* targets do) on `content`."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "plugins"))
    return subprocess.run(
        [sys.executable, "-m", "portal.l10n", "--content", str(content), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def status_json(site: Site) -> dict:
    """Return the site's translation-status.json."""
    return json.loads((site.root / "translation-status.json").read_text(encoding="utf-8"))


def statuses(site: Site, path: str) -> dict[str, str]:
    """Return {language: status} of one page in the site's JSON."""
    page = next(p for p in status_json(site)["pages"] if p["path"] == path)
    return {lang: entry["status"] for lang, entry in page["languages"].items()}


def notice_classes(page) -> set[str]:
    """Return the notice-* classes on a built page."""
    classes = set()
    for element in page.xpath('//main//*[contains(@class, "notice")]'):
        classes.update(c for c in element.get("class").split() if c.startswith("notice-"))
    return classes


@pytest.fixture
def site_copy(tmp_path) -> Path:
    """A temporary copy of the fixture site's content."""
    content = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, content)
    return content


def build(content: Path, name: str) -> Site:
    """Build `content` into a fresh output folder beside it."""
    return Site(build_or_fail(content, content.parent / name))


def test_fixture_translations_show_their_status(fixture_site):
    assert statuses(fixture_site, "supporters/commitments")["fi"] == "up-to-date"
    assert statuses(fixture_site, "supporters/commitments")["de"] == "machine"
    assert notice_classes(fixture_site.page("/fi/supporters/commitments/")) == set()
    assert notice_classes(fixture_site.page("/en/supporters/commitments/")) == set()
    german = fixture_site.page("/de/supporters/commitments/")
    assert notice_classes(german) == {"notice-machine"}
    notice = german.xpath('//*[contains(@class, "notice-machine")]')[0]
    assert notice.get("role") == "note"
    assert notice.xpath(".//a/@href") == ["/en/supporters/commitments/"]
    assert notice.xpath(".//a/@hreflang") == ["en"]
    # a fallback keeps its own notice and is not called machine-translated
    assert notice_classes(fixture_site.page("/de/supporters/benefits/")) == {"notice-fallback"}


def test_status_json_matches_every_built_page(fixture_site):
    data = status_json(fixture_site)
    assert data["languages"] == list(EU_ORDER)
    expected_notices = {
        "source": set(),
        "up-to-date": set(),
        "missing": {"notice-fallback"},
        "outdated": {"notice-outdated"},
        "machine": {"notice-machine"},
    }
    checked = 0
    for page in data["pages"]:
        for entry in page["languages"].values():
            built = fixture_site.page("/" + entry["url"])
            wanted = set(expected_notices[entry["status"]])
            if entry["method"] == "machine":
                wanted.add("notice-machine")
            assert notice_classes(built) == wanted, f"/{entry['url']}: {entry}"
            checked += 1
    assert checked == 4 * 24
    summary = data["summary"]
    for lang in EU_ORDER:
        pages = [p["languages"][lang]["status"] for p in data["pages"]]
        for status in data["statuses"]:
            assert summary[lang]["pages"][status] == pages.count(status)


def test_editing_the_english_source_makes_translations_outdated_until_reviewed(site_copy):
    english = site_copy / "en" / "supporters" / "commitments.md"
    english.write_text(english.read_text().replace("- second commitment", "- second, amended"))
    site = build(site_copy, "out1")
    assert statuses(site, "supporters/commitments") == {
        **{lang: "missing" for lang in EU_ORDER},
        "en": "source",
        "fi": "outdated",
        "de": "outdated",
    }
    assert statuses(site, "supporters")["fi"] == "up-to-date"  # other pages are not affected
    finnish = site.page("/fi/supporters/commitments/")
    assert notice_classes(finnish) == {"notice-outdated"}
    notice = finnish.xpath('//*[contains(@class, "notice-outdated")]')[0]
    assert FI_OUTDATED in notice.text_content()
    assert notice.xpath(".//a/@href") == ["/en/supporters/commitments/"]
    german = site.page("/de/supporters/commitments/")
    assert notice_classes(german) == {"notice-outdated", "notice-machine"}
    # machine-translated and outdated: each notice is a paragraph of its own, never run together
    notice = german.xpath('//*[contains(@class, "notice-outdated")]')[0]
    paragraphs = [p.text_content().strip() for p in notice.xpath("./p")]
    assert len(paragraphs) == 3, paragraphs
    assert paragraphs[0].startswith("Diese Seite wurde maschinell übersetzt.")
    assert paragraphs[1].startswith("Das englische Original dieser Seite")
    assert paragraphs[2] == "Englisches Original lesen"
    assert all(p.endswith(".") for p in paragraphs[:2])

    finnish_file = site_copy / "fi" / "supporters" / "commitments.md"
    before = finnish_file.read_bytes()
    result = l10n(site_copy, "reviewed", str(finnish_file))
    assert result.returncode == 0, result.stderr
    assert "marked up to date" in result.stdout
    after = finnish_file.read_bytes()
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 1 and changed[0][1].startswith(b"Source-Hash: ")

    site = build(site_copy, "out2")
    assert notice_classes(site.page("/fi/supporters/commitments/")) == set()
    assert statuses(site, "supporters/commitments")["de"] == "outdated"

    german_file = site_copy / "de" / "supporters" / "commitments.md"
    result = l10n(site_copy, "reviewed", "--human", str(german_file))
    assert result.returncode == 0, result.stderr
    assert "Translation-Method: human" in german_file.read_text()
    site = build(site_copy, "out3")
    assert statuses(site, "supporters/commitments")["de"] == "up-to-date"
    assert notice_classes(site.page("/de/supporters/commitments/")) == set()


def test_notices_are_in_the_page_language(site_copy):
    finnish_file = site_copy / "fi" / "supporters.md"
    finnish_file.write_text(
        finnish_file.read_text().replace("Translation-Method: human", "Translation-Method: machine")
    )
    site = build(site_copy, "out")
    finnish = site.page("/fi/supporters/")
    assert FI_MACHINE in finnish.xpath('//*[contains(@class, "notice-machine")]')[0].text_content()
    assert EN_MACHINE not in finnish.text_content()
    assert "Lue englanninkielinen alkuperäinen" in finnish.text_content()


def test_metadata_only_edits_of_the_source_keep_translations_up_to_date(site_copy):
    english = site_copy / "en" / "supporters.md"
    english.write_text(english.read_text().replace("Summary:", "Modified: 2026-11-20\nSummary:", 1))
    site = build(site_copy, "out")
    assert statuses(site, "supporters")["fi"] == "up-to-date"


def test_l10n_status_prints_the_figures_of_the_json(fixture_site):
    result = l10n(FIXTURE_SITE, "status", "--json")
    assert result.returncode == 0, result.stderr
    built = (fixture_site.root / "translation-status.json").read_text(encoding="utf-8")
    assert result.stdout == built

    table = l10n(FIXTURE_SITE, "status")
    assert table.returncode == 0, table.stderr
    summary = json.loads(built)["summary"]
    rows = {}
    for line in table.stdout.splitlines():
        if line[:2] in EU_ORDER:
            rows.setdefault(line[:2], line.split())
    assert list(rows) == list(EU_ORDER)
    for lang, row in rows.items():
        figures = [int(value) for value in row[2:7]]
        assert figures == [summary[lang]["pages"][s] for s in json.loads(built)["statuses"]]
        catalogue = summary[lang]["catalogue"]
        if catalogue["exists"]:
            assert f"{catalogue['translated']}/{catalogue['total']}" in row


def test_status_page_is_for_editors_only(fixture_site):
    page = fixture_site.page("/translation-status/")
    assert page.get("lang") == "en"
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    assert page.xpath("//body/@data-pagefind-ignore") == ["all"]
    assert not page.xpath('//link[@rel="alternate"][@hreflang]')
    rows = page.xpath('//table[contains(@class, "status-matrix")]/tbody/tr/th/text()')
    assert rows == [p["path"] for p in status_json(fixture_site)["pages"]]
    cell = page.xpath('//tr[th="supporters/commitments"]/td[contains(@class, "status-machine")]')
    assert [a.get("href") for td in cell for a in td.xpath(".//a")] == [
        "/de/supporters/commitments/"
    ]
    for file in fixture_site.html_files():
        if "translation-status" in file.as_posix():
            continue
        assert "translation-status" not in file.read_text(encoding="utf-8"), file


def test_a_wrong_address_or_foreign_link_in_a_translation_stops_the_build(site_copy):
    finnish = site_copy / "fi" / "supporters.md"
    text = finnish.read_text()
    assert "<{{helpdesk_email}}>" in text
    finnish.write_text(
        text.replace("<{{helpdesk_email}}>", "<helpdesk@example.eu>")
        + "\nLisää: [muu sivusto](https://example.org/)\n"
    )
    result = run_build(site_copy, site_copy.parent / "out")
    output = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert result.returncode != 0
    assert "fi/supporters.md: e-mail address helpdesk@example.eu is not in the English" in output
    assert "fi/supporters.md: link https://example.org/ is not in the English source" in output
    assert "fi/supporters.md: missing e-mail address supporters@eumayors.eu" in output
    assert "en/supporters.md" in output  # names the source to compare with


def test_a_missing_page_link_is_named_with_the_readers_url(site_copy):
    german = site_copy / "de" / "supporters.md"
    german.write_text(
        re.sub(r"\[([^]]+)\]\(\{filename\}supporters/benefits\.md\)", r"\1", german.read_text())
    )
    result = run_build(site_copy, site_copy.parent / "out")
    output = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert result.returncode != 0
    assert "de/supporters.md: missing link /de/supporters/benefits/ that the English" in output


def test_outdated_translations_may_differ_in_links_but_not_in_addresses(site_copy):
    english = site_copy / "en" / "supporters.md"
    english.write_text(
        english.read_text() + "\nSee also [the office](https://eu-mayors.ec.europa.eu/).\n"
    )
    site = build(site_copy, "out")  # the translations lack the new link: outdated, not an error
    assert statuses(site, "supporters")["fi"] == "outdated"
    finnish = site_copy / "fi" / "supporters.md"
    finnish.write_text(finnish.read_text().replace("<{{helpdesk_email}}>", "<helpdesk@example.eu>"))
    result = run_build(site_copy, site_copy.parent / "out2")
    assert result.returncode != 0
    assert "helpdesk@example.eu is not in the English" in re.sub(
        r"\s+", " ", result.stdout + result.stderr
    )


def test_stamp_records_the_hash_once_and_reviewed_refuses_wrong_files(site_copy):
    german = site_copy / "de" / "index.md"
    german.write_text(re.sub(r"Source-Hash: \w+\n", "", german.read_text()))
    first = l10n(site_copy, "stamp")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Source-Hash") == 1 and "de/index.md" in first.stdout
    assert "Every translation has a Source-Hash." in l10n(site_copy, "stamp").stdout
    english = l10n(site_copy, "reviewed", str(site_copy / "en" / "index.md"))
    assert english.returncode == 1 and "English source, not a translation" in english.stderr
    absent = l10n(site_copy, "reviewed", str(site_copy / "fi" / "nothing.md"))
    assert absent.returncode == 1 and "nothing.md: no such file" in absent.stderr


def test_bad_status_metadata_stops_the_build_naming_the_file(site_copy):
    finnish = site_copy / "fi" / "supporters.md"
    finnish.write_text(
        re.sub(r"Source-Hash: \w+", "Source-Hash: edited by hand", finnish.read_text())
    )
    result = run_build(site_copy, site_copy.parent / "out")
    output = re.sub(r"\s+", " ", result.stdout + result.stderr)
    assert result.returncode != 0
    assert "fi/supporters.md:4: Source-Hash 'edited by hand' is not a hash" in output
    assert "make l10n-reviewed FILE=" in output


def test_changing_one_english_page_makes_all_its_translations_outdated(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    english = content / "en" / "supporters" / "benefits.md"
    english.write_text(
        english.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8"
    )
    site = build(content, "out")
    benefits = statuses(site, "supporters/benefits")
    translated = [
        lang for lang in EU_ORDER if (content / lang / "supporters" / "benefits.md").exists()
    ]
    assert "fi" in translated
    for lang in translated:
        expected = "source" if lang == "en" else "outdated"
        assert benefits[lang] == expected, lang
        if lang != "en":
            assert "notice-outdated" in notice_classes(site.page(f"/{lang}/supporters/benefits/"))
    assert statuses(site, "supporters/commitments")["fi"] == "up-to-date"


#: Finnish pages whose text is the published Finnish page (the human translation of record);
#: the other Finnish pages were drafted by the project and are marked machine-translated.
FINNISH_OF_RECORD = {
    "supporters",
    "supporters/who-can-join",
    "supporters/commitments",
    "supporters/how-to-apply",
    "supporters/benefits",
}


def test_shipped_translations_are_stamped_and_finnish_is_up_to_date(shipped_site):
    data = status_json(shipped_site)
    for page in data["pages"]:
        finnish = page["languages"]["fi"]
        if page["path"] in FINNISH_OF_RECORD:
            assert (finnish["status"], finnish["method"]) == ("up-to-date", "human"), page["path"]
        else:
            assert (finnish["status"], finnish["method"]) == ("machine", "machine"), page["path"]
        for lang, entry in page["languages"].items():
            assert entry["reason"] != "no-source-hash", (
                f"content/{entry['file']} has no Source-Hash: check it, then run `make l10n-stamp`"
            )
            if entry["status"] == "outdated":
                pytest.fail(f"content/{entry['file']} ({lang}) is outdated: see make l10n-status")
