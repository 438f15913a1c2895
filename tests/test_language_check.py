"""Text filed under one language but plainly written in another is refused, naming where."""

from __future__ import annotations

import shutil

import markdown
import pytest
from conftest import FIXTURE_SITE, PROJECT, run_build
from directory.site_data import check_languages, load_site_data
from multilingual.page_language import wrong_language
from portal_core import language_check
from portal_core.errors import PortalErrors
from portal_core.language_check import MIN_LETTERS, Verdicts, letters, other_language
from portal_core.languages import EU_LANGUAGES
from portal_core.page_metadata import parse_page

FINNISH = (
    "Oksitaniassa toimiva paikallinen energiatoimisto, joka neuvoo kuntia ja asukkaita "
    "korjausrakentamisessa ja uusiutuvassa energiassa."
)


def test_finnish_text_saved_under_sv_stops_the_build(tmp_path):
    content = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "sv").mkdir()
    shutil.copy2(content / "fi" / "supporters.md", content / "sv" / "supporters.md")
    result = run_build(content, tmp_path / "out")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "sv/supporters.md:6: this page is filed under sv (Swedish) but its text is in fi "
        "(Finnish, suomi); move it to content/fi/ or put the Swedish text in it"
    ) in output
    assert not (tmp_path / "out").exists()  # nothing was written


def test_a_data_text_in_the_wrong_language_names_its_field_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "content" / "data", data)
    record = data / "supporters" / "agence-energie-occitanie.yaml"
    text = record.read_text(encoding="utf-8")
    # the Swedish description replaced by Finnish text (the last field of the file; the
    # translation notes at the top have an sv key too)
    start = text.index("\n  sv: ", text.index("\ndescription:\n")) + 1
    line = text.count("\n", 0, start) + 1
    record.write_text(text[:start] + f"  sv: {FINNISH}\n", encoding="utf-8")
    with pytest.raises(PortalErrors) as raised:
        load_site_data(data)
    message = str(raised.value)
    assert f"agence-energie-occitanie.yaml:{line}: description.sv: this text" in message
    assert "is given as Swedish (sv) but is written in Finnish (fi, suomi)" in message


def test_shipped_pages_and_data_are_in_their_languages():
    """Every page and data text of the site (24 languages, short texts, names) passes."""
    checked = 0
    for file in sorted((PROJECT / "content").glob("*/**/*.md")):
        lang = file.relative_to(PROJECT / "content").parts[0]
        if lang not in EU_LANGUAGES:
            continue
        source = file.read_text(encoding="utf-8")
        page = parse_page(source)
        html = markdown.markdown(page.body)
        assert (
            wrong_language(lang, str(file), source, page.get("title") or "", html, EU_LANGUAGES)
            is None
        )
        checked += 1
    assert checked > 300
    assert check_languages(load_site_data(PROJECT / "content" / "data")) == []


def test_short_texts_and_names_are_not_judged():
    assert other_language("Covenant of Mayors Office", "fi", EU_LANGUAGES) is None
    assert other_language("Klimabündnis Steiermark", "fi", EU_LANGUAGES) is None
    assert other_language(FINNISH, "fi", EU_LANGUAGES) is None
    found = other_language(FINNISH, "sv", EU_LANGUAGES)
    assert found is not None and found.lang == "fi"
    assert sum(c.isalpha() for c in "Uusi työkalupakki kunnille") < MIN_LETTERS
    # names in three scripts are not plainly in any language (Greek is what the model prefers)
    names = "شبكة Ålands Ελληνικό " * 12
    assert other_language(names, "en", EU_LANGUAGES) is None
    greek = "Η περιγραφή αυτού του οργανισμού δεν έχει ακόμη μεταφραστεί σε αυτή τη γλώσσα."
    assert other_language(greek, "en", EU_LANGUAGES).lang == "el"


def test_a_rebuild_judges_only_the_texts_that_changed(monkeypatch):
    """The dev server's builds keep the verdicts: a text is judged once while it stays, a new
    text (an edit) is judged, a text gone from the previous build is forgotten."""
    expected = other_language(FINNISH, "sv", EU_LANGUAGES)
    judged = []
    detect = language_check.detect
    monkeypatch.setattr(
        language_check, "detect", lambda text, langs: judged.append(text) or detect(text, langs)
    )
    swedish = (
        "Ett lokalt energikontor i Occitanien som ger kommuner och invånare råd om renovering "
        "och förnybar energi."
    )
    verdicts = Verdicts(EU_LANGUAGES)
    verdicts.new_build()
    assert verdicts.other_language(swedish, "sv") is None
    assert judged == [swedish]
    # an edit puts Finnish text under sv: judged, and refused as in a first build
    verdicts.new_build()
    assert verdicts.other_language(swedish, "sv") is None
    found = verdicts.other_language(FINNISH, "sv")
    assert found == expected and found.lang == "fi"
    assert judged == [swedish, FINNISH]
    # the next build without the Finnish text, then one with it again
    verdicts.new_build()
    assert verdicts.other_language(swedish, "sv") is None
    verdicts.new_build()
    assert verdicts.other_language(FINNISH, "sv").lang == "fi"
    assert judged == [swedish, FINNISH, FINNISH]


def test_letters_are_counted_up_to_what_the_check_needs():
    assert letters("Äbc 12 déf, ω!") == 7
    assert letters("ab1 c", enough=40) == 3  # fewer than asked: all of them
    assert letters("é" * 1000, enough=40) == 40  # stops at what is enough
