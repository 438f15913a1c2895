"""Translation notes of data records: validation, status, and the commands that write them.

Records are written into temporary folders and read with the build's loader; the commands run
as the Makefile runs them (`python -m portal.l10n`) on a copy of the fixture site with data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, PROJECT, Site, build_or_fail, run_build
from directory.data_loading import load_folder
from directory.news import NewsItem
from directory.record_translations import source_hash, source_text
from directory.site_data import load_site_data
from directory.translation_notes import record_status, with_block
from multilingual.translation_status import full_source_hash
from portal_core.translations import HASH_LENGTH, Status, text_hash

OVERLAY = PROJECT / "tests" / "fixtures" / "directory"

NEWS = """\
date: 2026-01-02
title:
  en: Two languages
  fi: Kaksi kieltä
summary:
  en: A summary
    over two lines.
  fi: Tiivistelmä.
body:
  en: |
    First paragraph.

    Second   paragraph.
  fi: Ensimmäinen kappale.
"""


def note(lang: str, method: str, value: str) -> str:
    return f'translations:\n  {lang}: {{method: {method}, source: "{value}"}}\n'


def load_news(folder: Path, text: str, name: str = "item.yaml"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return load_folder(folder, NewsItem, "slug")


def current_hash(tmp_path: Path) -> str:
    """Return the source hash of NEWS (read once without its Finnish note)."""
    records, problems = load_news(tmp_path / "hash", NEWS)
    assert not records  # Finnish text without a note is refused
    (message,) = [str(p) for p in problems]
    assert "item.yaml:4: title.fi: fi text without a translation note" in message
    assert "make l10n-stamp METHOD=human" in message
    records, problems = load_news(tmp_path / "ok", note("fi", "human", "0" * 12) + NEWS)
    assert problems == []
    return source_hash(records[0][0])


# -- the source hash ---------------------------------------------------------------------------


def test_source_hash_is_the_page_hash_function_over_the_english_fields(tmp_path):
    records, problems = load_news(tmp_path, note("fi", "human", "0" * 12) + NEWS)
    assert problems == []
    item = records[0][0]
    text = source_text(item)
    assert text == (
        "title: Two languages\nsummary: A summary over two lines.\n"
        "body: First paragraph.\n\nSecond paragraph.\n"
    )
    assert source_hash(item) == text_hash(text)[:HASH_LENGTH]
    # pages use the same function over their own text
    page = "Title: T\n\nBody.\n"
    assert full_source_hash(page) == text_hash("Title: T\nSummary: \n\nBody.\n")


@pytest.mark.parametrize(
    ("old", "new", "changes"),
    [
        ("  en: Two languages", "  en: Two new languages", True),
        ("    Second   paragraph.", "    Second paragraph, longer.", True),
        ("    Second   paragraph.", "    Second paragraph.", False),  # white space only
        ("  fi: Kaksi kieltä", "  fi: Kaksi uutta kieltä", False),  # a translation
        ("date: 2026-01-02", "date: 2026-01-03", False),  # not text
    ],
)
def test_source_hash_changes_with_the_english_text_only(tmp_path, old, new, changes):
    before = load_news(tmp_path / "a", note("fi", "human", "0" * 12) + NEWS)[0][0][0]
    after = load_news(tmp_path / "b", note("fi", "human", "0" * 12) + NEWS.replace(old, new))
    assert (source_hash(before) != source_hash(after[0][0][0])) is changes


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            note("fi", "human", "0" * 12)
            + NEWS.replace("  fi: Kaksi kieltä\n", "")
            + "  sv: Två språk\n",
            "item.yaml:16: body.sv: sv text without a translation note",
        ),
        (
            note("fi", "human", "0" * 12).replace(
                "  fi:", '  fi: {method: human, source: "000000000000"}\n  de:'
            )
            + NEWS,
            "item.yaml:3: translations.de: a translation note for de but no de text in title or "
            "summary or body; add the text, or remove this line",
        ),
        (
            note("en", "human", "0" * 12) + NEWS,
            "item.yaml:2: translations.en: English is the source text",
        ),
        (
            note("xx", "human", "0" * 12) + NEWS,
            "item.yaml:2: translations.xx: unknown language 'xx'; use one of the 24",
        ),
        (
            note("fi", "robot", "0" * 12) + NEWS,
            "item.yaml:2: translations.fi.method: method is 'robot'; write human",
        ),
        (
            "translations:\n  fi: {method: human, source: 123456789012}\n" + NEWS,
            "item.yaml:2: translations.fi.source: write the hash in quotes",
        ),
        (
            note("fi", "human", "not-a-hash") + NEWS,
            "item.yaml:2: translations.fi.source: 'not-a-hash' is not the hash of an English text",
        ),
        (
            note("fi", "human", "0" * 12) + NEWS.replace("  en: Two languages\n", ""),
            "item.yaml:4: title: the English text (en:) is required",
        ),
    ],
    ids=[
        "text-without-note",
        "note-without-text",
        "note-for-english",
        "unknown-language",
        "bad-method",
        "unquoted-hash",
        "bad-hash",
        "translation-without-english",
    ],
)
def test_bad_notes_are_refused_with_file_line_and_what_to_do(tmp_path, text, expected):
    records, problems = load_news(tmp_path, text)
    assert records == []
    assert any(expected in str(problem) for problem in problems), [str(p) for p in problems]


# -- status ------------------------------------------------------------------------------------


def statuses(tmp_path: Path, text: str) -> dict:
    folder = tmp_path / "data"
    (folder / "news").mkdir(parents=True, exist_ok=True)
    (folder / "news" / "item.yaml").write_text(text, encoding="utf-8")
    entries = record_status(load_site_data(folder), ("en", "fi", "sv", "de"), "content/data")
    return {entry.lang: entry for entry in entries}


def test_status_of_a_record_in_each_language(tmp_path):
    value = current_hash(tmp_path)
    two = (
        note("fi", "human", value).rstrip("\n")
        + f'\n  sv: {{method: machine, source: "{value}"}}\n'
    )
    text = two + NEWS.replace("  fi: Kaksi kieltä\n", "  fi: Kaksi kieltä\n  sv: Två språk\n")
    text = text.replace("  fi: Tiivistelmä.\n", "  fi: Tiivistelmä.\n  sv: Sammanfattning.\n")
    text = text.replace("  fi: Ensimmäinen kappale.\n", "  fi: Ensimmäinen.\n  sv: Första.\n")
    found = statuses(tmp_path / "a", text)
    assert {lang: e.status for lang, e in found.items()} == {
        "en": Status.SOURCE,
        "fi": Status.UP_TO_DATE,
        "sv": Status.MACHINE,
        "de": Status.MISSING,
    }
    assert found["fi"].file == "content/data/news/item.yaml"
    assert found["fi"].url == "fi/news/item/"
    assert found["fi"].source_hash == value == found["fi"].recorded_hash

    changed = statuses(tmp_path / "b", text.replace("  en: Two languages", "  en: Two others"))
    assert changed["fi"].status is Status.OUTDATED and changed["fi"].reason == "source-changed"
    assert changed["sv"].label == "outdated (machine-translated)"

    partial = statuses(tmp_path / "c", text.replace("  sv: Första.\n", ""))
    assert partial["sv"].status is Status.OUTDATED
    assert partial["sv"].untranslated == ("body",)
    assert partial["sv"].label == "outdated (not translated: body)"


# -- writing the block -------------------------------------------------------------------------


def test_the_block_goes_first_and_nothing_else_of_the_file_changes():
    from directory.translation_notes import Note

    text = "# a comment\n" + NEWS + "# the end\n"
    written = with_block(text, [Note("sv", "machine", "b" * 12), Note("fi", "human", "a" * 12)])
    assert written == (
        "# a comment\ntranslations:\n"
        '  fi: {method: human, source: "aaaaaaaaaaaa"}\n'
        '  sv: {method: machine, source: "bbbbbbbbbbbb"}\n' + NEWS + "# the end\n"
    )
    again = with_block(written, [Note("fi", "human", "c" * 12)])
    assert again == "# a comment\n" + note("fi", "human", "c" * 12) + NEWS + "# the end\n"
    # a block written by hand in the middle, in flow style, is replaced where it stands
    middle = NEWS.replace(
        "summary:", 'translations: {fi: {method: machine, source: "1"}}\nsummary:'
    )
    replaced = with_block(middle, [Note("fi", "human", "c" * 12)])
    assert replaced == NEWS.replace("summary:", note("fi", "human", "c" * 12) + "summary:")


# -- the commands ------------------------------------------------------------------------------


def l10n(content: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a translators' command as the Makefile does."""
    return subprocess.run(
        [sys.executable, "-m", "portal.l10n", "--content", str(content), *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(PROJECT)),
        timeout=300,
    )


@pytest.fixture
def content(tmp_path) -> Path:
    """The fixture site with its directory data, every Finnish note removed."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, root)
    shutil.copytree(OVERLAY, root, dirs_exist_ok=True)
    for file in (root / "data").rglob("*.yaml"):
        text = file.read_text(encoding="utf-8")
        file.write_text(re.sub(r"translations:\n(  .*\n)*", "", text), encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_stamp_writes_a_note_for_every_language_with_text(content):
    before = snapshot(content)
    refused = l10n(content, "stamp")
    assert refused.returncode == 1
    assert "METHOD: data records have text without a translation note" in refused.stderr
    assert "METHOD=human" in refused.stderr and "METHOD=machine" in refused.stderr
    assert snapshot(content) == before

    done = l10n(content, "stamp", "--method", "human", "--lang", "fi")
    assert done.returncode == 0, done.stderr
    item = content / "data" / "news" / "fixture-news-both.yaml"
    lines = [line for line in done.stdout.splitlines() if "translations: fi: human" in line]
    assert len(lines) == 10  # the records with Finnish text
    records, problems = load_folder(content / "data" / "news", NewsItem, "slug")
    assert problems == []
    (record,) = [r for r, _source in records if r.slug == "fixture-news-both"]
    assert record.translations["fi"].method == "human"
    assert record.translations["fi"].source == source_hash(record)
    # only the block was added, first
    assert item.read_text(encoding="utf-8").split("\n", 2)[2] == before[
        str(item.relative_to(content))
    ].decode("utf-8")
    rest = l10n(content, "stamp", "--method", "machine").stdout.splitlines()
    assert [line.split("/content/")[1] for line in rest] == [
        "data/events/fixture-upcoming.yaml: translations: sv: machine, source 1bf4e44482be"
    ]
    again = l10n(content, "stamp", "--method", "machine")
    assert again.stdout.strip() == "Every translation has a Source-Hash."


def test_stamp_and_reviewed_change_nothing_when_a_record_is_broken(content):
    broken = content / "data" / "supporters" / "no-one.yaml"
    broken.write_text(broken.read_text().replace("country: NO", "country: Norway"))
    before = snapshot(content)
    result = l10n(content, "stamp", "--method", "machine")
    assert result.returncode == 1
    assert "data/supporters/no-one.yaml:3: country: give the country code" in result.stderr
    assert snapshot(content) == before
    unknown = l10n(content, "stamp", "--method", "machine", "--lang", "xx")
    assert unknown.returncode == 1 and "LANG: 'xx' is not a language to translate into" in (
        unknown.stderr
    )
    assert snapshot(content) == before


def test_reviewed_brings_an_outdated_record_up_to_date(content):
    assert l10n(content, "stamp", "--method", "machine").returncode == 0
    item = content / "data" / "news" / "fixture-news-both.yaml"
    item.write_text(item.read_text().replace("  en: ", "  en: Changed, ", 1))
    status = json.loads(l10n(content, "status", "--json").stdout)
    (record,) = [r for r in status["records"] if r["item"] == "news/fixture-news-both"]
    assert record["languages"]["fi"]["status"] == "outdated"
    assert record["languages"]["fi"]["reason"] == "source-changed"
    assert record["file"] == "content/data/news/fixture-news-both.yaml"

    missing_lang = l10n(content, "reviewed", str(item))
    assert missing_lang.returncode == 1 and "LANG: name the language(s) reviewed" in (
        missing_lang.stderr
    )
    no_text = l10n(content, "reviewed", "--lang", "sv", str(item))
    assert no_text.returncode == 1 and "no sv text to mark reviewed" in no_text.stderr

    done = l10n(content, "reviewed", "--human", "--lang", "fi", str(item))
    assert done.returncode == 0, done.stderr
    assert "fi: marked up to date" in done.stdout and "method human" in done.stdout
    status = json.loads(l10n(content, "status", "--json").stdout)
    (record,) = [r for r in status["records"] if r["item"] == "news/fixture-news-both"]
    assert record["languages"]["fi"]["status"] == "up-to-date"
    assert status["summary"]["fi"]["records"]["up-to-date"] == 1
    assert status["summary"]["fi"]["records"]["machine"] == 9
    assert status["summary"]["fi"]["records"]["missing"] == 3  # English-only records


def test_a_record_without_its_note_stops_the_build_and_the_status_page_shows_it(content, tmp_path):
    result = run_build(content, tmp_path / "out")
    assert result.returncode == 1
    assert "data/news/fixture-news-both.yaml:4: title.fi: fi text without a translation note" in (
        result.stderr
    )
    assert "make l10n-stamp METHOD=human (or METHOD=machine)" in result.stderr

    assert l10n(content, "stamp", "--method", "machine").returncode == 0
    item = content / "data" / "events" / "fixture-upcoming.yaml"
    item.write_text(item.read_text().replace("  en: ", "  en: New, ", 1))
    site = Site(build_or_fail(content, tmp_path / "built"))
    built = json.loads((site.root / "translation-status.json").read_text(encoding="utf-8"))
    assert built == json.loads(l10n(content, "status", "--json").stdout)
    page = site.page("/translation-status/")
    rows = page.xpath('//table[contains(@class, "status-records")]/tbody/tr')
    assert [row.xpath("string(th)") for row in rows] == [r["item"] for r in built["records"]]
    (upcoming,) = [row for row in rows if row.xpath("string(th)") == "events/fixture-upcoming"]
    languages = built["languages"]
    codes = dict(zip(languages, [td.text for td in upcoming.xpath("td")], strict=True))
    assert codes["en"] == "S" and codes["fi"] == "O" and codes["de"] == "-"
    todo = " ".join(page.xpath('//ul[@class="status-todo"]//li//text()'))
    assert (
        "content/data/events/fixture-upcoming.yaml (fi): outdated (machine-translated)"
        in " ".join(todo.split())
    )
    total = page.xpath('//tr[@id="total-fi"]/td/text()')
    assert [int(value) for value in total] == [
        built["summary"]["fi"]["total"][name] for name in built["statuses"]
    ]


def test_status_json_and_table_count_records_and_strings_together(content):
    assert l10n(content, "stamp", "--method", "human").returncode == 0
    status = json.loads(l10n(content, "status", "--json").stdout)
    for lang, summary in status["summary"].items():
        for name in status["statuses"]:
            parts = summary["pages"][name] + summary["records"][name] + summary["strings"][name]
            assert summary["total"][name] == parts, (lang, name)
        assert sum(summary["records"].values()) == 13  # 8 supporters, 3 news, 2 events
    assert status["summary"]["de"]["records"]["missing"] == 13
    assert status["summary"]["fi"]["records"]["up-to-date"] == 10
    catalogue = status["summary"]["de"]["catalogue"]
    assert status["summary"]["de"]["strings"]["up-to-date"] == catalogue["translated"]
    assert status["summary"]["de"]["strings"]["missing"] == len(catalogue["empty_strings"])
    table = l10n(content, "status").stdout
    assert "Data records (13 records):" in table
    assert "All: pages, data records and interface strings:" in table
    assert "news/fixture-news-both" in table
