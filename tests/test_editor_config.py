"""The editor's configuration (cms/config.yml) is what the build's own definitions generate."""

from __future__ import annotations

import json

from conftest import PROJECT
from directory.news import NewsItem
from directory.supporters import Supporter
from portal_core.languages import EU_LANGUAGES
from ruamel.yaml import YAML

from portal.editor_config import (
    CONFIG_FILE,
    TRANSLATED_FILE,
    config_text,
    editor_config,
    metadata_keys,
    translated_fields_text,
)

SETTINGS = PROJECT / "pelicanconf.py"


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def test_committed_configuration_equals_what_the_schemas_generate():
    expected = config_text(metadata_keys(SETTINGS))
    assert CONFIG_FILE.read_text(encoding="utf-8") == expected, (
        "cms/config.yml differs from the record models, page metadata keys or languages: "
        "run make cms-config and commit cms/config.yml"
    )


def test_the_translated_fields_the_editor_stamps_are_the_models():
    assert TRANSLATED_FILE.read_text(encoding="utf-8") == translated_fields_text(), (
        "cms/translated-fields.json differs from the models' TRANSLATED: run make cms-config"
    )
    fields = json.loads(TRANSLATED_FILE.read_text(encoding="utf-8"))
    assert fields["news"] == list(NewsItem.TRANSLATED) == ["title", "summary", "body"]
    assert fields["supporters"] == ["description"]


def test_every_model_field_and_language_has_its_editor_field():
    config = YAML(typ="safe").load(CONFIG_FILE.read_text(encoding="utf-8"))
    assert config["publish_mode"] == "editorial_workflow"
    assert sorted(config["i18n"]["locales"]) == sorted(EU_LANGUAGES)
    assert config["i18n"]["locales"][:2] == ["en", "fi"]  # the editor's two panes
    assert config["i18n"]["structure"] == "multiple_folders"
    news = collection(config, "news")
    assert [f["name"] for f in news["fields"]] == [n for n in NewsItem.model_fields if n != "slug"]
    title = next(f for f in news["fields"] if f["name"] == "title")
    assert sorted(f["name"] for f in title["fields"]) == sorted(EU_LANGUAGES)
    assert [f["name"] for f in title["fields"] if f["required"]] == ["en"]
    supporters = collection(config, "supporters")
    assert [f["name"] for f in supporters["fields"]] == [
        n for n in Supporter.model_fields if n != "id"
    ]
    country = next(f for f in supporters["fields"] if f["name"] == "country")
    codes = {option["value"] for option in country["options"]}
    assert {"FI", "NO", "UA"} <= codes and not codes & {"EU", "UK", "EL", "ZZ"}
    pages = collection(config, "pages")
    assert sorted(f["name"] for f in pages["fields"]) == sorted([*metadata_keys(SETTINGS), "body"])
    assert pages["format"] == "pelican-page" and pages["i18n"] is True


def test_pages_of_every_folder_and_language_are_in_the_editor():
    config = YAML(typ="safe").load(CONFIG_FILE.read_text(encoding="utf-8"))
    folders = {c["folder"] for c in config["collections"] if c.get("format") == "pelican-page"}
    # Decap puts the pages at the top of content/<lang>/ in one collection with its languages
    # (folder "content"); every folder below a language's folder has one per language.
    below = {
        page.parent.relative_to(PROJECT).as_posix()
        for page in (PROJECT / "content").glob("*/*/*.md")
        if page.parts[-3] in EU_LANGUAGES
    }
    assert "content/fi/supporters" in below
    assert folders == {"content", "content/en", *below}
    pages = [c for c in config["collections"] if c.get("format") == "pelican-page"]
    # New pages start in English: Decap would save a new entry of the collection with every
    # language as 24 files, 23 of them empty.
    assert [c["folder"] for c in pages if c["create"] and c["folder"].count("/") == 1] == [
        "content/en"
    ]
    assert collection(config, "pages")["create"] is False


def test_a_field_the_generator_does_not_know_stops_it():
    import pytest

    from portal.editor_config import NoWidget

    with pytest.raises(NoWidget, match="page metadata key 'colour'"):
        editor_config(("title", "colour"))
