"""The Pelican names the portal relies on beyond the plugin interface exist in this Pelican."""

import importlib

import pelican
import pytest
from build_engine.pelican_contract import CHECKED_VERSION, RELIED_ON
from conftest import FIXTURE_SITE, PROJECT
from pelican.contents import Page
from pelican.settings import read_settings


def test_the_installed_pelican_is_the_one_the_list_was_checked_against():
    assert pelican.__version__ == CHECKED_VERSION, (
        f"Pelican {pelican.__version__} is installed; plugins/build_engine/pelican_contract.py "
        f"was checked against {CHECKED_VERSION}: check every name there, then update it"
    )


def resolve(dotted: str):
    """Return the object a dotted name names (module, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


INSTANCE_ATTRIBUTES = {
    "pelican.contents.Content.relative_source_path",
    "pelican.contents.Content.override_url",
    "pelican.readers.Readers.reader_classes",
}


@pytest.mark.parametrize("name", sorted(set(RELIED_ON) - INSTANCE_ATTRIBUTES))
def test_each_name_relied_on_exists(name):
    assert resolve(name) is not None


def test_instance_attributes_relied_on_exist():
    settings = read_settings(str(PROJECT / "pelicanconf.py"), override={"PATH": str(FIXTURE_SITE)})
    readers = resolve("pelican.readers.Readers")(settings)
    assert isinstance(readers.reader_classes, dict) and "md" in readers.reader_classes
    source = FIXTURE_SITE / "en" / "supporters.md"
    page = Page("text", metadata={"title": "T"}, settings=settings, source_path=str(source))
    assert page.relative_source_path == "en/supporters.md"
    page.override_url = "en/"
    assert page.url == "en/"
