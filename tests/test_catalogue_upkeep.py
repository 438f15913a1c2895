"""Interface catalogues cannot lose work: extraction, update, init (make l10n-*)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
from babel.messages.pofile import read_po
from conftest import EU_ORDER, PROJECT, copy_project
from multilingual import catalogue_upkeep
from pelican.settings import read_settings

TRANSLATIONS = PROJECT / "translations"
#: The names under which code and templates call the interface strings.
GETTEXT_NAMES = {"_", "N_", "gettext", "ngettext"}


def pot_msgids(path: Path = TRANSLATIONS / "messages.pot") -> set[str]:
    with open(path, "rb") as handle:
        return {message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(handle) if message.id}  # fmt: skip


def template_msgids() -> dict[str, str]:
    """Every literal string the templates translate, read by Jinja with the site's extensions.

    Independent of babel.cfg: the extensions are those the site renders with (pelicanconf).
    """
    settings = read_settings(str(PROJECT / "pelicanconf.py"))
    env = jinja2.Environment(extensions=settings["JINJA_ENVIRONMENT"]["extensions"])
    found = {}
    for template in sorted((PROJECT / "theme" / "templates").rglob("*.html")):
        source = template.read_text(encoding="utf-8")
        for _line, _function, message in env.extract_translations(source, GETTEXT_NAMES):
            strings = message if isinstance(message, tuple) else (message,)
            if strings and isinstance(strings[0], str):
                found[strings[0]] = str(template.relative_to(PROJECT))
    return found


def python_msgids() -> dict[str, str]:
    """Every literal first argument of N_, gettext, ngettext or _ in plugins/ and portal/."""
    found = {}
    for folder in ("plugins", "portal"):
        for module in sorted((PROJECT / folder).rglob("*.py")):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                first = node.args[0]
                if (
                    name in GETTEXT_NAMES
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                ):
                    found[first.value] = str(module.relative_to(PROJECT))
    return found


def test_every_string_in_use_is_in_messages_pot():
    used = {**template_msgids(), **python_msgids()}
    assert len(used) > 100  # the scan found the site's strings (116 when written)
    pot = pot_msgids()
    missing = {msgid: where for msgid, where in used.items() if msgid not in pot}
    assert not missing, f"not in translations/messages.pot (run make l10n-update): {missing}"
    # strings after a {% memo %} part of base.html (the issue that lost them)
    assert {"Home", "Skip to main content", "Read the English original"} <= pot


def test_extraction_reads_every_string_in_use():
    template = catalogue_upkeep.extract(PROJECT)
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    used = set(template_msgids()) | set(python_msgids())
    assert extracted == used


def test_extraction_refuses_a_template_it_cannot_parse(tmp_path):
    shutil.copy2(PROJECT / "babel.cfg", tmp_path / "babel.cfg")
    templates = tmp_path / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "broken.html").write_text(
        '{{ _("Before") }}\n{% cache "x" %}{{ _("After") }}{% endcache %}\n'
    )
    with pytest.raises(jinja2.TemplateSyntaxError):
        catalogue_upkeep.extract(tmp_path)


def translated_entries(po: Path) -> dict:
    """Return {(msgid, msgctxt): msgstr} of the translated, not fuzzy entries of a .po file."""
    with open(po, "rb") as handle:
        catalogue = read_po(handle)
    return {
        (m.id, m.context): m.string
        for m in catalogue
        if m.id and not m.fuzzy and (any(m.string) if isinstance(m.string, tuple) else m.string)
    }


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project with its Makefile, babel.cfg and the shared virtualenv."""
    copy = copy_project(tmp_path / "project")
    for name in ("Makefile", "babel.cfg", "requirements.txt"):
        shutil.copy2(PROJECT / name, copy / name)
    (copy / ".venv").symlink_to(PROJECT / ".venv")
    return copy


def make(copy: Path, *args: str) -> subprocess.CompletedProcess:
    # -o: the virtualenv is the project's, installed already
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/bin/.installed", *args],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1795996800"),
    )


def without_volatile_lines(po: Path) -> list[str]:
    """Return a .po file's lines without source references and the template's date."""
    return [
        line
        for line in po.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#:") and not line.startswith('"POT-Creation-Date:')
    ]


def test_extract_and_update_leave_every_catalogue_as_it_is(project_copy):
    catalogues = sorted((project_copy / "translations").glob("*/LC_MESSAGES/messages.po"))
    assert [po.parts[-3] for po in catalogues] == sorted(EU_ORDER)
    before = {po: translated_entries(po) for po in catalogues}
    lines = {po: without_volatile_lines(po) for po in catalogues}
    result = make(project_copy, "l10n-update")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept" not in result.stdout
    for po in catalogues:
        assert translated_entries(po) == before[po], po
        # nothing else changed either: the shipped catalogues are up to date with the code
        assert without_volatile_lines(po) == lines[po], po
    assert pot_msgids(project_copy / "translations" / "messages.pot") == pot_msgids()


def test_update_keeps_a_translation_whose_string_left_and_prune_drops_it(project_copy):
    base = project_copy / "theme" / "templates" / "base.html"
    base.write_text(base.read_text().replace('_("Home")', '_("Front page")'))
    german = project_copy / "translations" / "de" / "LC_MESSAGES" / "messages.po"

    result = make(project_copy, "l10n-update")
    assert result.returncode == 0, result.stderr
    assert (
        "translations/de/LC_MESSAGES/messages.po: kept 1 translated entry no longer in "
        "messages.pot as obsolete (#~): 'Home'; `make l10n-update PRUNE=1` drops them"
    ) in result.stdout
    assert '#~ msgid "Home"\n#~ msgstr "Startseite"' in german.read_text()

    # the string comes back: its translation is taken up again
    base.write_text(base.read_text().replace('_("Front page")', '_("Home")'))
    result = make(project_copy, "l10n-update")
    assert (
        "translations/de/LC_MESSAGES/messages.po: took up again the obsolete translation of 'Home'"
    ) in result.stdout
    assert translated_entries(german)[("Home", None)] == "Startseite"

    base.write_text(base.read_text().replace('_("Home")', '_("Front page")'))
    make(project_copy, "l10n-update")
    result = make(project_copy, "l10n-update", "PRUNE=1")
    assert result.returncode == 0, result.stderr
    assert (
        "translations/de/LC_MESSAGES/messages.po: dropped 1 translated entry (PRUNE): 'Home'"
    ) in result.stdout
    assert 'msgid "Home"' not in german.read_text()


def test_init_refuses_an_existing_catalogue_and_a_language_not_of_the_site(project_copy):
    finnish = project_copy / "translations" / "fi" / "LC_MESSAGES" / "messages.po"
    before = finnish.read_bytes()
    result = make(project_copy, "l10n-init", "LANG=fi")
    assert result.returncode != 0
    assert (
        "translations/fi/LC_MESSAGES/messages.po: this catalogue exists already and would be "
        "replaced by an empty one; `make l10n-update` brings it up to date" in result.stderr
    )
    assert finnish.read_bytes() == before

    for code in ("xx", "no", "en_GB"):
        result = make(project_copy, "l10n-init", f"LANG={code}")
        assert result.returncode != 0
        assert f"'{code}' is not one of the site's languages" in result.stderr
        assert not (project_copy / "translations" / code).exists()

    result = make(project_copy, "l10n-init")  # LANG from the environment is not a language code
    assert result.returncode != 0
    assert "usage: make l10n-init LANG=xx" in result.stdout

    # the commands' own exit status is 1 (run as the Makefile runs them: portal.l10n)
    env = dict(os.environ, PYTHONPATH=str(project_copy), LANG="C.UTF-8")
    command = [str(project_copy / ".venv" / "bin" / "python"), "-m", "portal.l10n"]
    result = subprocess.run(
        [*command, "init", "fi"], cwd=project_copy, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "this catalogue exists already" in result.stderr
    assert finnish.read_bytes() == before

    # a missing catalogue of one of the 24 is started from messages.pot
    shutil.rmtree(project_copy / "translations" / "fi")
    result = make(project_copy, "l10n-init", "LANG=fi")
    assert result.returncode == 0, result.stderr
    with open(finnish, "rb") as handle:
        started = read_po(handle)
    assert str(started.locale) == "fi"
    messages = [m for m in started if m.id]
    assert len(messages) == len(pot_msgids(project_copy / "translations" / "messages.pot"))
    assert translated_entries(finnish) == {}
