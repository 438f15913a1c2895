"""The editor's configuration (cms/config.yml) is what the build's own definitions generate."""

from __future__ import annotations

from conftest import PROJECT
from directory.news import NewsItem
from directory.supporters import Supporter
from portal_core.languages import EU_LANGUAGES
from ruamel.yaml import YAML

from portal.editor_config import CONFIG_FILE, config_text, editor_config, metadata_keys

SETTINGS = PROJECT / "pelicanconf.py"


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def test_committed_configuration_equals_what_the_schemas_generate():
    expected = config_text(metadata_keys(SETTINGS))
    assert CONFIG_FILE.read_text(encoding="utf-8") == expected, (
        "cms/config.yml differs from the record models, page metadata keys or languages: "
        "run make cms-config and commit cms/config.yml"
    )


def test_every_model_field_and_language_has_its_editor_field():
    config = YAML(typ="safe").load(CONFIG_FILE.read_text(encoding="utf-8"))
    assert config["publish_mode"] == "editorial_workflow"
    assert config["i18n"]["locales"] == list(EU_LANGUAGES)
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
    assert [f["name"] for f in pages["fields"]][:-1] == list(metadata_keys(SETTINGS))


def test_a_field_the_generator_does_not_know_stops_it():
    import pytest

    from portal.editor_config import NoWidget

    with pytest.raises(NoWidget, match="page metadata key 'colour'"):
        editor_config(("title", "colour"))
