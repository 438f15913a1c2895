"""Files for translators' tools: make l10n-export, l10n-import and l10n-diff."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, PROJECT, Site, build_or_fail, tree_digest
from lxml import etree
from multilingual.exchange import _rich
from translate.storage import po, xliff
from translate.storage.placeables.xliff import Ph

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
#: The OASIS XLIFF 1.2 schema (strict), as Debian's php-symfony-translation ships it with the
#: W3C schema of the xml: attributes beside it (`make system-deps` installs it).
SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")
#: Finnish words for the filled targets (the build checks that Finnish pages are Finnish).
FINNISH = "Tämä teksti on tuotu käännöstyökalusta suomeksi"


def l10n(content: Path, *args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """Run one translators' command on `content`, as the Makefile's l10n-* targets do."""
    env = dict(os.environ, PYTHONPATH=str(PROJECT), LANG="C.UTF-8")
    return subprocess.run(
        [sys.executable, "-m", "portal.l10n", "--content", str(content), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def site_copy(tmp_path) -> Path:
    content = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, content)
    return content


def export(content: Path, lang: str, out: Path) -> tuple[Path, Path]:
    result = l10n(content, "export", lang, "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / f"covenant-portal-{lang}.xlf", out / f"covenant-portal-{lang}.po"


class _LocalXmlSchema(etree.Resolver):
    """Resolve the schema's import of the W3C xml.xsd to the copy beside it (no network)."""

    def resolve(self, url, pubid, context):
        if url == "http://www.w3.org/2001/xml.xsd":
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


@pytest.fixture(scope="module")
def xliff_schema() -> etree.XMLSchema:
    strict = SCHEMAS / "xliff-core-1.2-strict.xsd"
    assert strict.is_file(), f"{strict} is missing: run make system-deps (php-symfony-translation)"
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmlSchema())
    return etree.XMLSchema(etree.parse(str(strict), parser))


def assert_valid(schema: etree.XMLSchema, file: Path) -> None:
    document = etree.parse(str(file))
    assert schema.validate(document), f"{file}: {schema.error_log}"


def fill(source: str) -> str:
    """Translate by script: Finnish words, then every protected piece of the English."""
    pieces = [str(part) for part in _rich(source)[0].sub if not isinstance(part, str)]
    return f"{FINNISH} " + " ".join(pieces) + "."


def test_xliff_is_version_1_2_and_read_back_by_translate_toolkit(site_copy, tmp_path, xliff_schema):
    xlf, po_file = export(site_copy, "fi", tmp_path / "l10n")
    assert_valid(xliff_schema, xlf)
    root = etree.parse(str(xlf)).getroot()
    assert root.tag == f"{{{XLIFF_12}}}xliff" and root.get("version") == "1.2"
    for unit in root.iter(f"{{{XLIFF_12}}}trans-unit"):
        assert unit.get("id") and unit.find(f"{{{XLIFF_12}}}source") is not None
    units = {
        u.xmlelement.get("id"): str(u.source) for u in xliff.xlifffile.parsefile(str(xlf)).units
    }
    # the only page Finnish lacks in the fixture, split into title, summary and paragraph
    assert units == {
        "page:supporters/benefits#title": "Fixture benefits",
        "page:supporters/benefits#summary": "The benefits, in English only.",
        "page:supporters/benefits#1": (
            "This page exists only in English. Back to [supporters]({filename}../supporters.md)."
        ),
    }
    link = root.find(f".//{{{XLIFF_12}}}ph[@id='2']")
    assert link.text == "]({filename}../supporters.md)"  # protected as an inline element
    entries = {
        u.getcontext(): u.source
        for u in po.pofile.parsefile(str(po_file)).units
        if not u.isheader()
    }
    assert entries == units
    # the schema does refuse what is not XLIFF 1.2: a unit without its source
    root.find(f".//{{{XLIFF_12}}}trans-unit").remove(root.find(f".//{{{XLIFF_12}}}source"))
    assert not xliff_schema.validate(root.getroottree())


def test_round_trip_export_fill_import_build(site_copy, tmp_path, xliff_schema):
    xlf, _po = export(site_copy, "fi", tmp_path / "l10n")
    store = xliff.xlifffile.parsefile(str(xlf))
    for unit in store.units:
        unit.rich_target = _rich(fill(str(unit.source)))
    returned = tmp_path / "returned-fi.xlf"
    returned.write_bytes(bytes(store))
    assert_valid(xliff_schema, returned)  # with its targets, as a CAT tool returns it

    result = l10n(site_copy, "import", str(returned))
    assert result.returncode == 0, result.stderr
    written = site_copy / "fi" / "supporters" / "benefits.md"
    text = written.read_text(encoding="utf-8")
    assert "Translation-Method: human" in text and "Source-Hash: " in text

    site = Site(build_or_fail(site_copy, tmp_path / "out"))
    page = site.page("/fi/supporters/benefits/")
    assert page.get("lang") == "fi"
    assert FINNISH in page.xpath("//article")[0].text_content()
    assert not page.xpath('//*[contains(@class, "notice")]')
    status = json.loads((site.root / "translation-status.json").read_text(encoding="utf-8"))
    entry = next(p for p in status["pages"] if p["path"] == "supporters/benefits")
    assert entry["languages"]["fi"]["status"] == "up-to-date"


def test_po_import_with_machine_records_the_method(site_copy, tmp_path):
    _xlf, po_file = export(site_copy, "fi", tmp_path / "l10n")
    store = po.pofile.parsefile(str(po_file))
    for unit in store.units:
        if not unit.isheader():
            unit.target = fill(unit.source)
    returned = tmp_path / "returned-fi.po"
    returned.write_bytes(bytes(store))
    result = l10n(site_copy, "import", "--machine", str(returned))
    assert result.returncode == 0, result.stderr
    text = (site_copy / "fi" / "supporters" / "benefits.md").read_text(encoding="utf-8")
    assert "Translation-Method: machine" in text


def test_a_tampered_link_or_placeholder_is_refused_and_nothing_written(site_copy, tmp_path):
    xlf, _po = export(site_copy, "fi", tmp_path / "l10n")
    store = xliff.xlifffile.parsefile(str(xlf))
    for unit in store.units:
        target = fill(str(unit.source)).replace("../supporters.md", "https://evil.example/")
        unit.target = target
    returned = tmp_path / "tampered.xlf"
    returned.write_bytes(bytes(store))
    before = tree_digest(site_copy)
    result = l10n(site_copy, "import", str(returned))
    assert result.returncode == 1
    assert (
        f"{returned}: page:supporters/benefits#1: keep links, placeholders and markup: missing "
        "']({filename}../supporters.md)'; not in the English ']({filename}https://evil.example/)'"
    ) in result.stderr
    assert tree_digest(site_copy) == before


def test_unknown_language_is_refused(site_copy, tmp_path):
    result = l10n(site_copy, "export", "xx", "--out", str(tmp_path / "l10n"))
    assert result.returncode == 1
    assert "'xx' is not a language to translate into" in result.stderr
    assert not (tmp_path / "l10n").exists()
    xlf, _po = export(site_copy, "fi", tmp_path / "l10n")
    xlf.write_text(xlf.read_text().replace('target-language="fi"', 'target-language="xx"'))
    before = tree_digest(site_copy)
    result = l10n(site_copy, "import", str(xlf))
    assert result.returncode == 1
    assert "'xx' is not a language to translate into" in result.stderr
    assert tree_digest(site_copy) == before


def test_diff_shows_what_changed_in_english_since_the_source_hash(site_copy):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=site_copy, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    english = site_copy / "en" / "supporters" / "commitments.md"
    english.write_text(english.read_text().replace("- second commitment", "- second, amended"))
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "edit")
    result = l10n(site_copy, "diff", str(site_copy / "fi" / "supporters" / "commitments.md"))
    assert result.returncode == 0, result.stderr
    assert "-- second commitment\n" in result.stdout
    assert "+- second, amended\n" in result.stdout
    # an up-to-date translation: nothing changed
    result = l10n(site_copy, "diff", str(site_copy / "fi" / "supporters.md"))
    assert "the English has not changed since this translation" in result.stdout


# -- data records --------------------------------------------------------------------------------

OVERLAY = PROJECT / "tests" / "fixtures" / "directory"
#: German words for the filled record targets (the build checks the language of data fields).
GERMAN = "Dieser Text wurde aus dem Übersetzungswerkzeug auf Deutsch übernommen"
NEWS = "data/news/fixture-news-both.yaml"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """The fixture site with the directory's records (English, Finnish, some Swedish)."""
    content = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, content)
    shutil.copytree(OVERLAY, content, dirs_exist_ok=True)
    return content


def fill_file(xlf: Path, returned: Path, words: str, change=None) -> dict[str, str]:
    """Fill every target of an exported XLIFF file by script; return the English by unit."""
    store = xliff.xlifffile.parsefile(str(xlf))
    sources = {}
    for unit in store.units:
        source = str(unit.source)
        sources[unit.xmlelement.get("id")] = source
        pieces = [str(part) for part in _rich(source)[0].sub if isinstance(part, Ph)]
        target = " ".join([words, *pieces, "bitte"]) + "."
        unit.rich_target = _rich(change(target) if change else target)
    returned.write_bytes(bytes(store))
    return sources


def without_lang(lang: str, text: str) -> list[str]:
    """Return a record file's lines without those of `lang` (its text and its note)."""
    kept, inside = [], False
    for line in text.splitlines():
        if line.startswith(f"  {lang}:"):
            inside = True
        elif not (inside and (line.startswith("    ") or not line.strip())):
            inside = False
            kept.append(line)
    return kept


def record_status(content: Path, item: str, lang: str) -> str:
    result = l10n(content, "status", "--json")
    assert result.returncode == 0, result.stderr
    (record,) = [r for r in json.loads(result.stdout)["records"] if r["item"] == item]
    return record["languages"][lang]["status"]


def test_record_round_trip_export_fill_import_build(data_copy, tmp_path, xliff_schema):
    # every record lacks German: exported field by field, a paragraph a segment
    xlf, po_file = export(data_copy, "de", tmp_path / "first")
    assert_valid(xliff_schema, xlf)
    first = fill_file(xlf, tmp_path / "first-de.xlf", GERMAN)
    assert first["record:news/fixture-news-both#body.2"] == "Second paragraph."
    assert first["record:supporters/sv-alfa#description"] == "Fixture supporter Alfa regionförbund."
    po_units = {u.getcontext() for u in po.pofile.parsefile(str(po_file)).units}
    assert set(first) <= po_units
    result = l10n(data_copy, "import", "--machine", str(tmp_path / "first-de.xlf"))
    assert result.returncode == 0, result.stderr
    assert record_status(data_copy, "news/fixture-news-both", "de") == "machine"

    # the English changes: the record is outdated in German, and only its fields are exported
    item = data_copy / NEWS
    item.write_text(
        item.read_text().replace("en: English summary.", "en: Read https://example.org/r now."),
        encoding="utf-8",
    )
    assert record_status(data_copy, "news/fixture-news-both", "de") == "outdated"
    before = item.read_text(encoding="utf-8")
    xlf, _po = export(data_copy, "de", tmp_path / "second")
    second = fill_file(xlf, tmp_path / "second-de.xlf", f"Neu {GERMAN}")
    assert sorted(second) == [
        "record:news/fixture-news-both#body.1",
        "record:news/fixture-news-both#body.2",
        "record:news/fixture-news-both#summary",
        "record:news/fixture-news-both#title",
    ]
    result = l10n(data_copy, "import", str(tmp_path / "second-de.xlf"))
    assert result.returncode == 0, result.stderr
    after = item.read_text(encoding="utf-8")
    # German after Finnish, the rest of the file as it was, the note with the current hash
    assert "  fi: Suomenkielinen tiivistelmä.\n  de: Neu Dieser" in after
    assert "summary:\n  en: Read https://example.org/r now.\n  fi: " in after
    assert "  de: |\n    Neu Dieser Text" in after  # two paragraphs: a literal block
    assert without_lang("de", after) == without_lang("de", before)
    assert "  de: {method: human, source: " in after
    assert record_status(data_copy, "news/fixture-news-both", "de") == "up-to-date"

    site = Site(build_or_fail(data_copy, tmp_path / "out"))
    page = site.page("/de/news/fixture-news-both/")
    assert page.get("lang") == "de"
    text = " ".join(page.xpath("//main")[0].text_content().split())
    assert f"Neu {GERMAN} https://example.org/r bitte." in text
    status = json.loads((site.root / "translation-status.json").read_text(encoding="utf-8"))
    (record,) = [r for r in status["records"] if r["item"] == "news/fixture-news-both"]
    assert record["languages"]["de"]["status"] == "up-to-date"


def test_record_with_a_tampered_address_is_refused_and_nothing_written(data_copy, tmp_path):
    item = data_copy / NEWS
    item.write_text(
        item.read_text().replace("en: English summary.", "en: Read https://example.org/r now."),
        encoding="utf-8",
    )
    xlf, _po = export(data_copy, "de", tmp_path / "l10n")
    returned = tmp_path / "tampered-de.xlf"
    fill_file(xlf, returned, GERMAN, lambda t: t.replace("example.org/r", "evil.example/r"))
    before = tree_digest(data_copy)
    result = l10n(data_copy, "import", str(returned))
    assert result.returncode == 1
    assert (
        f"{returned}: record:news/fixture-news-both#summary: keep links, placeholders and "
        "markup: missing 'https://example.org/r'; not in the English 'https://evil.example/r'"
    ) in result.stderr
    assert tree_digest(data_copy) == before


def test_a_translation_of_a_record_that_does_not_exist_is_refused(data_copy, tmp_path):
    xlf, _po = export(data_copy, "de", tmp_path / "l10n")
    returned = tmp_path / "returned-de.xlf"
    fill_file(xlf, returned, GERMAN)
    (data_copy / "data" / "supporters" / "sv-zeta.yaml").unlink()
    before = tree_digest(data_copy)
    result = l10n(data_copy, "import", str(returned))
    assert result.returncode == 1
    assert (
        f"{returned}: record:supporters/sv-zeta#description: there is no record supporters/sv-zeta"
    ) in result.stderr
    assert "make l10n-export LANG=de" in result.stderr
    assert tree_digest(data_copy) == before


def test_diff_of_a_record_shows_what_changed_in_its_english(data_copy):
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=data_copy,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "base")
    item = data_copy / NEWS
    item.write_text(
        item.read_text().replace("en: English summary.", "en: Read https://example.org/r now."),
        encoding="utf-8",
    )
    git("commit", "-qam", "edit")
    result = l10n(data_copy, "diff", "--lang", "fi", str(item))
    assert result.returncode == 0, result.stderr
    assert "-summary: English summary.\n+summary: Read https://example.org/r now.\n" in (
        result.stdout
    )
    assert " title: Fixture news in two languages\n" in result.stdout  # the English, unchanged
    assert "Suomenkielinen" not in result.stdout  # the English only

    no_lang = l10n(data_copy, "diff", str(item))
    assert no_lang.returncode == 1 and "LANG: name the one language to compare" in no_lang.stderr
    no_text = l10n(data_copy, "diff", "--lang", "de", str(item))
    assert no_text.returncode == 1 and "no de translation note" in no_text.stderr
    upcoming = data_copy / "data" / "events" / "fixture-upcoming.yaml"
    same = l10n(data_copy, "diff", "--lang", "fi", str(upcoming))
    assert "the English has not changed since this translation" in same.stdout
