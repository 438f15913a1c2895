"""The benchmark's copy of Markdown pages for Hugo and Eleventy: Pelican header to YAML."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bench.others import check_written, convert_pages, front_matter, page_url_file, yaml_string
from bench.synth import markdown_page


def split(converted: str) -> tuple[dict, str]:
    """Return the front matter of `converted` as YAML 1.2 reads it, and the text after it."""
    assert converted.startswith("---\n")
    end = converted.index("\n---\n", 3)
    data = YAML(typ="safe", pure=True).load(converted[4 : end + 1])
    return data, converted[end + len("\n---\n") :]


def test_header_becomes_front_matter_and_the_rest_is_unchanged():
    text = (
        "Title: How to apply\n"
        "Summary: One sentence.\n"
        "Template: home\n"
        "\n"
        "Body with a [link]({filename}other.md) and <{{helpdesk_email}}>.\n"
        "\n"
        "## Heading\n"
    )
    converted = front_matter(text)
    assert converted == (
        "---\n"
        'title: "How to apply"\n'
        'summary: "One sentence."\n'
        'template: "home"\n'
        "---\n"
        "\n"
        "Body with a [link]({filename}other.md) and <{{helpdesk_email}}>.\n"
        "\n"
        "## Heading\n"
    )
    data, rest = split(converted)
    assert data == {"title": "How to apply", "summary": "One sentence.", "template": "home"}
    assert rest == text[text.index("\n\n") + 1 :]


def test_values_that_yaml_would_misread_stay_strings():
    values = {
        "title": 'A: title with "quotes", a # and a \\ backslash',
        "summary": "* starts like an alias or a list",
        "modified": "2026-11-26",
        "source-hash": "0012345e67",
    }
    text = "".join(f"{key.title()}: {value}\n" for key, value in values.items()) + "\nBody\n"
    data, rest = split(front_matter(text))
    assert data == values
    assert all(isinstance(value, str) for value in data.values())
    assert rest == "\nBody\n"


def test_keys_are_lower_cased_and_continuation_lines_joined():
    text = "TITLE: Long\nSummary: first line\n    second line\nTranslation-Method: human\n\nx\n"
    data, _ = split(front_matter(text))
    assert data == {
        "title": "Long",
        "summary": "first line\nsecond line",
        "translation-method": "human",
    }


def test_crlf_body_is_byte_identical_and_bom_dropped():
    body = "\r\nFirst paragraph.\r\n\r\n- item\r\n"
    text = "\ufeffTitle: Windows\r\nSummary: s\r\n" + body
    converted = front_matter(text)
    assert not converted.startswith("\ufeff")
    data, rest = split(converted)
    assert data == {"title": "Windows", "summary": "s"}
    assert rest == body


def test_delimited_header():
    text = "---\nTitle: Delimited\n---\nBody right after.\n"
    data, rest = split(front_matter(text))
    assert data == {"title": "Delimited"}
    assert rest == "Body right after.\n"


def test_a_page_without_header_is_refused():
    with pytest.raises(ValueError, match="no Pelican metadata header"):
        front_matter("Just text, no header.\n")


@pytest.mark.parametrize(
    "value",
    ["tab\there", "bell\x07del\x7f", "nel\x85", "ls\u2028ps\u2029", "bom\ufeff", "emoji 😀 ß ħ"],
)
def test_yaml_string_round_trips(value):
    quoted = yaml_string(value)
    assert "\n" not in quoted and "\u2028" not in quoted and "\x7f" not in quoted
    assert YAML(typ="safe", pure=True).load(f"key: {quoted}\n") == {"key": value}


def test_generated_pages_keep_their_bodies():
    for lang in ("en", "el", "mt"):
        text = markdown_page(lang, 3, 10, random.Random(lang))
        data, rest = split(front_matter(text))
        header, _, body = text.partition("\n\n")
        assert data["title"] == header.split("\n")[0].removeprefix("Title: ")
        assert set(data) == {"title", "summary"}
        assert rest == "\n" + body


def test_page_addresses():
    assert page_url_file(Path("de/bench/page-0001.md")) == "de/bench/page-0001/index.html"
    assert page_url_file(Path("de/index.md")) == "de/index.html"
    assert page_url_file(Path("fi/supporters.md")) == "fi/supporters/index.html"


def test_convert_pages(tmp_path):
    content = tmp_path / "content"
    for path in ("en/index.md", "en/bench/page-0000.md", "de/index.md", "data/README.md"):
        (content / path).parent.mkdir(parents=True, exist_ok=True)
        (content / path).write_text(f"Title: {path}\n\nBody of {path}\n", encoding="utf-8")
    (content / "data" / "x.yaml").write_text("name: x\n", encoding="utf-8")
    expected = convert_pages(content, tmp_path / "hugo", rename_index="_index.md")
    assert expected == ["de/index.html", "en/bench/page-0000/index.html", "en/index.html"]
    assert sorted(p.as_posix() for p in (tmp_path / "hugo").rglob("*.md")) == [
        (tmp_path / "hugo" / path).as_posix()
        for path in ("de/_index.md", "en/_index.md", "en/bench/page-0000.md")
    ]
    page = tmp_path / "hugo" / "en" / "bench" / "page-0000.md"
    assert page.read_text(encoding="utf-8") == (
        '---\ntitle: "en/bench/page-0000.md"\n---\n\nBody of en/bench/page-0000.md\n'
    )


def test_check_written_names_missing_and_foreign_pages(tmp_path):
    expected = ["de/index.html", "de/bench/page-0000/index.html", "en/index.html"]
    page = '<!DOCTYPE html>\n<html lang="{}">\n<title>t</title>\n'
    (tmp_path / "de" / "bench" / "page-0000").mkdir(parents=True)
    (tmp_path / "en").mkdir()
    (tmp_path / "de" / "index.html").write_text(page.format("de"), encoding="utf-8")
    (tmp_path / "en" / "index.html").write_text(page.format("en"), encoding="utf-8")
    check_written("Tool", tmp_path, ["de/index.html", "en/index.html"])
    (tmp_path / "en" / "index.html").write_text("<p>not a page</p>", encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        check_written("Tool", tmp_path, expected)
    message = str(raised.value)
    assert message.startswith("Tool wrote 2 of 3 pages")
    assert "1 missing (first: de/bench/page-0000/index.html)" in message
    assert "1 not the layout's page (first: en/index.html)" in message
