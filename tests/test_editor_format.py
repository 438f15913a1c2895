"""Our scripts in the editor read, write and stamp files as the build does (run in node).

cms/page-format.js, on every Markdown page of the site and on made-up headers: what it reads
must be what page_metadata.parse_page (the build's reader) reads, and writing back what it read
must give the file byte for byte. cms/translation-notes.js, on every record of the site: the
source hash it stamps must be the build's.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import PROJECT, needs_tool
from directory.data_loading import read_yaml, validate
from directory.events import Event
from directory.news import NewsItem
from directory.record_translations import source_hash
from directory.supporters import Supporter
from portal_core.page_metadata import parse_page
from portal_core.translations import text_hash

from portal.editor_config import PAGE_FIELDS

SCRIPT = PROJECT / "cms" / "page-format.js"
#: The order the editor gives toFile: its fields, then the text.
FIELD_ORDER = [*PAGE_FIELDS, "body"]
RUNNER = """
const format = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.map(([op, arg]) =>
  op === "read" ? format.fromFile(arg) : format.toFile(arg, %s)
);
process.stdout.write(JSON.stringify(out));
"""


def run(calls: list[tuple[str, object]]) -> list:
    """Run fromFile ("read", text) or toFile ("write", data) in node; return the results."""
    node = needs_tool("node")
    result = subprocess.run(
        [node, "-e", RUNNER % json.dumps(FIELD_ORDER), str(SCRIPT)],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def build_reads(text: str) -> dict:
    page = parse_page(text)
    return {**{key: field.value for key, field in page.metadata.items()}, "body": page.body}


PAGES = sorted(p for p in (PROJECT / "content").rglob("*.md") if p.parent.name != "data")


def test_every_page_of_the_site_reads_as_the_build_reads_it_and_writes_back_unchanged():
    texts = [page.read_text(encoding="utf-8") for page in PAGES]
    assert len(texts) > 300
    read = run([("read", text) for text in texts])
    for page, text, data in zip(PAGES, texts, read, strict=True):
        assert data == build_reads(text), page
    written = run([("write", data) for data in read])
    changed = [str(p) for p, text, out in zip(PAGES, texts, written, strict=True) if out != text]
    assert changed == []


@pytest.mark.parametrize(
    "text",
    [
        "---\nTitle: Delimited\nSummary: A header between dashes\n---\nText.\n",
        "Title: Two lines\nSummary: First line\n    second line\n\nText.\n",
        "Title: Colon: in a value\n\n\nText after two blank lines.\n",
        "\ufeffTitle: With a byte-order mark\r\n\r\nWindows line ends.\r\n",
        "Just text, no header.\n",
        "Title: Only a header\n",
    ],
)
def test_a_header_of_any_form_the_build_accepts_reads_the_same(text):
    (data,) = run([("read", text)])
    assert data == build_reads(text)


def test_an_optional_field_cleared_in_the_editor_is_left_out_not_written_empty():
    data = {
        "title": "A new page",
        "summary": "",
        "modified": None,
        "template": "   ",
        "translation-method": "machine",
        "body": "Some text.\n",
    }
    (text,) = run([("write", data)])
    assert text == "Title: A new page\nTranslation-Method: machine\n\nSome text.\n"
    assert build_reads(text) == {
        "title": "A new page",
        "translation-method": "machine",
        "body": "Some text.\n",
    }


def test_a_value_with_blank_lines_stays_in_the_header():
    # A blank line ends the header: the build would read the rest as the page's text.
    data = {"title": "Title", "summary": "One\n\n  two\r\nthree", "body": "Text.\n"}
    (text,) = run([("write", data)])
    assert build_reads(text) == {"title": "Title", "summary": "One\ntwo\nthree", "body": "Text.\n"}


NOTES_SCRIPT = PROJECT / "cms" / "translation-notes.js"
NOTES_RUNNER = """
const notes = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
Promise.all(input.map(([data, fields]) =>
  Promise.all([notes.sourceHash(data, fields), notes.stampedNotes(data, fields)])
)).then((out) => process.stdout.write(JSON.stringify(out)));
"""


def run_notes(calls: list[tuple[dict, list[str]]]) -> list:
    """Return [source hash, stamped notes or None] of each (record data, fields) in node."""
    node = needs_tool("node")
    result = subprocess.run(
        [node, "-e", NOTES_RUNNER, str(NOTES_SCRIPT)],
        input=json.dumps(calls, default=str),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def test_the_editor_stamps_the_source_hash_the_build_computes_for_every_record():
    models = {"news": NewsItem, "events": Event, "supporters": Supporter}
    ids = {"news": "slug", "events": "slug", "supporters": "id"}
    calls, expected = [], []
    for kind, model in models.items():
        for path in sorted((PROJECT / "content" / "data" / kind).glob("*.yaml")):
            data, source, problems = read_yaml(path)
            record, problems = validate(model, data, source, {ids[kind]: path.stem})
            assert problems == [] and record is not None, path
            calls.append((dict(data), list(model.TRANSLATED)))
            expected.append(source_hash(record))
    assert len(calls) > 30
    found = run_notes(calls)
    assert [hash_ for hash_, _ in found] == expected
    # Every shipped record has its notes: nothing to stamp.
    assert [notes for _, notes in found] == [None] * len(calls)


def test_a_text_written_in_the_editor_gets_a_human_note_and_an_existing_note_is_kept():
    data = {
        "title": {"en": "  Two   words\n", "fi": "Kaksi sanaa", "sv": ""},
        "summary": {"en": "First paragraph.\n \nSecond  one.", "de": "Zwei Wörter"},
        "translations": {"de": {"method": "machine", "source": "0123456789ab"}},
    }
    ((hash_, notes),) = run_notes([(data, ["title", "summary", "body"])])
    text = "title: Two words\nsummary: First paragraph.\n\nSecond one.\n"
    assert hash_ == text_hash(text)[:12]
    assert notes == {
        "de": {"method": "machine", "source": "0123456789ab"},
        "fi": {"method": "human", "source": hash_},
    }
