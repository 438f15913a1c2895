"""The checks name the Markdown file and line (or the data record) a problem in a page came from.

A problem in the part of a page made from Markdown (its <div class="page-body">) names
content/<lang>/<path>.md and the line first, and tells the editor to fix the Markdown text; one in
the rest of the page names the output file and the templates. The sites are real builds of the
fixture site (three languages; every other language shows English fallbacks) and the shipped site.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, PROJECT, run_build, run_module

from portal.checks import links
from portal.checks.site import BuiltSite

FRESH = """Title: Fresh
Summary: A page only in English.

See [the plan](/en/nowhere/).

Then [the plan again](/en/nowhere/) and [a part](/en/#no-such-part).
"""
#: Languages of the fixture site's build other than English (each shows /en/fresh/ as fallback).
OTHER_LANGUAGES = 23


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project folder with the fixture site's content, changed, and its build in output/."""
    project = tmp_path_factory.mktemp("sources") / "project"
    shutil.copytree(FIXTURE_SITE, project / "content")
    (project / "content" / "en" / "fresh.md").write_text(FRESH, encoding="utf-8")
    # a broken link in the English page and in its Finnish translation (the German one is then
    # outdated, and keeps its text)
    for lang, sentence in (
        ("en", "See [the plan](/en/nope/)."),
        ("fi", "Katso [tämä](/fi/nope/)."),
    ):
        supporters = project / "content" / lang / "supporters.md"
        text = supporters.read_text(encoding="utf-8").rstrip("\n")
        supporters.write_text(f"{text}\n\n{sentence}\n", encoding="utf-8")
    result = run_build(project / "content", project / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def copy_of(built: Path, destination: Path) -> Path:
    """Copy the built project, to change its output or content for one test."""
    shutil.copytree(built, destination)
    return destination


def run_checks(project: Path, only: str):
    """Run `make check` over the project's output with its content folder; return the process."""
    return run_module(
        "portal.checks",
        "output",
        "--content",
        "content",
        "--only",
        only,
        cwd=project,
        env={"PYTHONPATH": str(PROJECT)},
    )


def line_of(path: Path, needle: str) -> int:
    """Return the line of a file that contains `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_broken_links_name_the_markdown_file_and_line(built, tmp_path):
    project = copy_of(built, tmp_path / "project")
    # a link in the template-made part of a page (planted after <main>, outside the page body)
    home = project / "output" / "en" / "index.html"
    text = home.read_text(encoding="utf-8")
    home.write_text(
        re.sub(r"(<main [^>]*>)", r'\1\n<a href="/en/gone-from-templates/">x</a>', text, count=1),
        encoding="utf-8",
    )
    result = run_checks(project, "links")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()

    fix = "(no such page; fix the link in the page's Markdown text); built into"
    fresh = "content/en/fresh.md"
    # the English text is shown in 24 languages: one problem to fix per line of the source
    assert any(
        re.fullmatch(
            rf"{fresh}:4: broken link /en/nowhere/ {re.escape(fix)} output/en/fresh/index\.html:"
            rf"\d+ and {OTHER_LANGUAGES} more pages",
            line,
        )
        for line in lines
    ), result.stdout
    # the second link to the same address is the second place the source has it
    assert any(line.startswith(f"{fresh}:6: broken link /en/nowhere/ {fix}") for line in lines)
    assert any(
        line.startswith(f'{fresh}:6: broken fragment /en/#no-such-part: no element with id="')
        for line in lines
    ), result.stdout
    # a translation names its own file
    supporters_line = line_of(project / "content/fi/supporters.md", "/fi/nope/")
    page = project / "output/fi/supporters/index.html"
    assert (
        f"content/fi/supporters.md:{supporters_line}: broken link /fi/nope/ {fix} "
        f"output/fi/supporters/index.html:{line_of(page, '/fi/nope/')}"
    ) in lines
    # the template's link names the output file and the templates
    assert (
        f"output/en/index.html:{line_of(home, 'gone-from-templates')}: broken link "
        "/en/gone-from-templates/ (no such page; fix the link in the templates (theme/templates/))"
    ) in lines
    # the English page is shown in 21 languages as a fallback (fi and de are translations)
    english = project / "content/en/supporters.md"
    assert any(
        line.startswith(f"content/en/supporters.md:{line_of(english, '/en/nope/')}: broken link")
        and re.search(r"built into output/en/supporters/index\.html:\d+ and 21 more pages$", line)
        for line in lines
    ), result.stdout
    assert len([line for line in lines if "broken" in line]) == 6
    assert "links: 6 problems" in result.stdout


def test_policy_problems_name_the_markdown_file_or_the_templates(built, tmp_path):
    """HTML that the build's content policy would let through, caught by the policy check.

    The build stops such HTML in Markdown itself (plugins/content_policy); the check is the
    second line of defence. The HTML is written into a page's Markdown and into its built
    page's body, as a build that let it through would have done.
    """
    project = copy_of(built, tmp_path / "project")
    markup = '<img src="/theme/images/favicon.svg" alt="Logo" onerror="alert(1)">'
    source = project / "content" / "fi" / "supporters.md"
    text = source.read_text(encoding="utf-8").rstrip("\n")
    source.write_text(f"{text}\n\nKuva: {markup}\n", encoding="utf-8")
    page = project / "output" / "fi" / "supporters" / "index.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace('<div class="page-body">', f'<div class="page-body">\n<p>{markup}</p>', 1)
    html = html.replace("<body ", '<body onload="start()" ', 1)
    page.write_text(html, encoding="utf-8")

    result = run_checks(project, "policy")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    output = "output/fi/supporters/index.html"
    assert (
        f"content/fi/supporters.md:{line_of(source, 'onerror')}: event-handler attribute "
        "onerror= on <img> (no inline script; remove it from the page's Markdown text); built "
        f"into {output}:{line_of(page, 'onerror')}"
    ) in lines
    assert (
        f"{output}:{line_of(page, 'onload')}: event-handler attribute onload= on <body> (no "
        "inline script; in theme/templates/)"
    ) in lines
    assert "policy: 2 problems" in result.stdout


def test_without_the_content_folder_the_output_file_is_named(built, tmp_path):
    """`make check OUTPUT=dir` of a site whose content is not at hand: the old message."""
    project = copy_of(built, tmp_path / "project")
    shutil.rmtree(project / "content")
    result = run_module(
        "portal.checks", "output", "--only", "links", cwd=project, env={"PYTHONPATH": str(PROJECT)}
    )
    assert result.returncode == 1
    page = project / "output/fi/supporters/index.html"
    assert (
        f"output/fi/supporters/index.html:{line_of(page, '/fi/nope/')}: broken link /fi/nope/ "
        "(no such page; fix the link in the page's Markdown text)"
    ) in result.stdout.splitlines()


def test_a_problem_in_a_record_page_names_the_record(shipped_site, tmp_path):
    """A supporter's website written in its YAML record: the record and its line are named."""
    record = "data/supporters/alands-energikontor.yaml"
    content = tmp_path / "content"
    (content / record).parent.mkdir(parents=True)
    text = (PROJECT / "content" / record).read_text(encoding="utf-8")
    bad = "https://energikontor-aland/"
    (content / record).write_text(text.replace("https://energikontor-aland.example/", bad))
    name = "fi/supporters/directory/alands-energikontor/index.html"
    page = tmp_path / "output" / name
    page.parent.mkdir(parents=True)
    html = (shipped_site.root / name).read_text(encoding="utf-8")
    page.write_text(html.replace("https://energikontor-aland.example/", bad), encoding="utf-8")

    problems = links.check(BuiltSite(tmp_path / "output", content=content))[0]
    found = [p.format(Path("out")) for p in problems if bad in p.message]
    # the page's line is the link's (<a href>), not the JSON-LD block's "url" above it, which
    # is data for search engines and not a link the reader follows
    link = f'href="{bad}"'
    assert found == [
        f"{content / record}:{line_of(content / record, bad)}: invalid external link "
        f"'{bad}': host name 'energikontor-aland' has no domain (a public link needs one) (fix "
        f"the link in the record); built into out/{name}:{line_of(page, link)}"
    ]
    # the other links of the page (its templates' links, broken in this one-page site) do not
    # name the record
    assert all(not p.source for p in problems if bad not in p.message)
