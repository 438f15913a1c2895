"""Unit tests of the multilingual plugin's plain modules, without running Pelican."""

import re
from types import SimpleNamespace

import pytest
from portal_core.catalogues import load_catalogues
from portal_core.errors import PortalError, PortalErrors
from portal_core.facts import substitute_facts
from portal_core.here import localise_links
from portal_core.links import resolve_links
from portal_core.page_tree import build_tree, page_path

LANGS = ("de", "en", "fi")


def fake_page(lang, slug, title="T"):
    return SimpleNamespace(
        lang=lang, slug=slug, title=f"{title}-{lang}", source_path=f"{lang}/{slug}.md"
    )


def test_tree_gives_every_page_a_variant_in_every_language():
    tree = build_tree([fake_page("en", "a"), fake_page("fi", "a")], LANGS, "en")
    assert [v.lang for v in tree.real_variants("a")] == ["en", "fi"]
    german = tree.get("a", "de")
    assert not german.real and german.url == "de/a/" and german.title == "T-en"
    assert german.title_lang == "en"


def test_translation_without_source_is_an_error_naming_the_file():
    with pytest.raises(PortalErrors) as raised:
        build_tree([fake_page("fi", "orphan")], LANGS, "en")
    message = str(raised.value)
    assert "fi/orphan.md" in message and "content/en/orphan.md" in message


def test_breadcrumbs_follow_parent_paths():
    pages = [fake_page("en", s) for s in ("index", "a", "a/b")]
    tree = build_tree(pages, LANGS, "en")
    assert [c.url for c in tree.breadcrumbs("a/b", "fi")] == ["fi/", "fi/a/"]
    assert tree.get("index", "de").url == "de/"


@pytest.mark.parametrize("path", ["xx/page.md", "page.md", "en-gb/page.md"])
def test_unknown_language_folder_is_rejected(path):
    with pytest.raises(PortalError, match="language folder"):
        page_path(path, LANGS, f"content/{path}")


def test_page_path_splits_language_and_identity():
    assert page_path("fi/supporters/benefits.md", LANGS, "x") == ("fi", "supporters/benefits")


def test_facts_are_substituted_and_unknown_ones_named_with_line():
    assert substitute_facts("a {{ mail }} b", {"mail": "x@y.eu"}, "f.md") == "a x@y.eu b"
    with pytest.raises(PortalError) as raised:
        substitute_facts("line one\n{{nope}}", {"mail": "x"}, "f.md")
    assert str(raised.value).startswith("f.md:2: unknown placeholder {{nope}}")


def test_links_resolve_to_the_language_of_the_linking_page(tmp_path):
    (tmp_path / "en" / "s").mkdir(parents=True)
    (tmp_path / "fi").mkdir()
    for name in ("en/index.md", "en/s/a.md", "en/s/b.md", "fi/index.md"):
        (tmp_path / name).write_text("x")
    source = tmp_path / "fi" / "index.md"
    text = "[a]({filename}s/a.md#part) [home]({filename}/en/index.md)"
    assert resolve_links(text, source, tmp_path, "en", "") == "[a](/fi/s/a/#part) [home](/en/)"
    with pytest.raises(PortalError, match="broken link"):
        resolve_links("x\n[c]({filename}s/c.md)", source, tmp_path, "en", "")


def test_localise_links_rewrites_only_source_language_links():
    html = '<a href="/en/a/">a</a> <a href="https://x.eu/en/">b</a>'
    assert (
        localise_links(html, "", "en", "fi")
        == '<a href="/fi/a/">a</a> <a href="https://x.eu/en/">b</a>'
    )


def test_catalogue_errors_name_file_and_line(tmp_path):
    po = tmp_path / "fi" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hei %(nimi)s"\n',
        encoding="utf-8",
    )
    with pytest.raises(PortalErrors) as raised:
        load_catalogues(tmp_path, ("en", "fi"))
    assert "messages.po:6" in str(raised.value)
    po.write_text('msgid "x"\nmsgstr "y\n', encoding="utf-8")
    with pytest.raises(PortalErrors, match=r"messages\.po"):
        load_catalogues(tmp_path, ("en", "fi"))


def test_missing_catalogue_falls_back_to_english(tmp_path):
    catalogues = load_catalogues(tmp_path, ("en", "fi"))
    assert catalogues["fi"].gettext("Home") == "Home"


def test_memoised_gettext_gives_what_jinjas_own_newstyle_gettext_gives_for_escaped_text():
    """Every interface string of every language, with and without variables, twice (the second
    call comes from memory), rendered both ways in an autoescaping environment: ours equals
    Jinja's own newstyle gettext over the escaped translation (interface strings are text;
    Jinja's own marks the translation safe), with Markup variables kept and str ones escaped."""
    from pathlib import Path

    from conftest import EU_ORDER, PROJECT
    from jinja2 import Environment
    from markupsafe import Markup, escape
    from portal_core.templates import memoised_gettext

    catalogues = load_catalogues(Path(PROJECT / "translations"), EU_ORDER)
    messages = sorted(
        {message for lang in EU_ORDER for message in catalogues[lang]._catalog if message}
        | {"100%% sure <b>%(name)s</b>", "plain <i>markup</i> & 50%%", "See %(link)s & more"},
        key=str,
    )
    singular = [m for m in messages if isinstance(m, str)]
    assert len(singular) > 100
    link = Markup('<a href="/en/">home</a>')
    calls = [
        (m, {name: link if name == "link" else "<x>" for name in re.findall(r"%\((\w+)\)", m)})
        for m in singular
    ]
    assert sum(1 for _, variables in calls if variables) > 5
    template = "{% for m, v in calls %}[{{ _(m, **v) }}]{% endfor %}"

    def render(install) -> str:
        env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        install(env)
        return "".join(
            env.from_string(template).render(calls=calls, page_lang=lang, DEFAULT_LANG="en")
            for lang in EU_ORDER
            for _ in range(2)
        )

    def jinja_own(env):
        from jinja2 import pass_context
        from portal_core.templates import current_lang

        @pass_context
        def gettext(context, message):
            return escape(catalogues[current_lang(context)].gettext(message))

        env.install_gettext_callables(gettext, lambda s, p, n: s, newstyle=True)

    def ours(env):
        jinja_own(env)
        fast = memoised_gettext(lambda lang: catalogues[lang].gettext)
        env.globals.update(gettext=fast, _=fast)

    expected = render(jinja_own)
    assert "[100% sure &lt;b&gt;&lt;x&gt;&lt;/b&gt;]" in expected
    assert "[plain &lt;i&gt;markup&lt;/i&gt; &amp; 50%]" in expected
    assert '[See <a href="/en/">home</a> &amp; more]' in expected
    assert "[Yhteystiedot]" in expected
    assert render(ours) == expected
