"""Unit tests of the content policy: what raw HTML and metadata a Markdown page may carry."""

import pytest
from content_policy.content_policy import check_page_source, html_findings
from markdown import Markdown

ALLOWED = ("title", "summary", "template", "translation-method", "modified", "source-hash")


def problems(source: str) -> list[str]:
    """Convert a page as the build does and return its policy problems as strings."""
    html = Markdown(extensions=["extra", "toc", "meta"], output_format="html5").convert(source)
    return [str(p) for p in check_page_source(source, html, None, "page.md", ALLOWED)]


@pytest.mark.parametrize(
    "markup",
    [
        "<abbr title='Covenant of Mayors'>CoM</abbr>",
        "Line<br>break",
        "<table><tr><td>1</td></tr></table>",
        "`<script>alert(1)</script>` in a code span",
        "    <script>alert(1)</script>\n",
        "[A page](/fi/supporters/) and [a site](https://example.eu/) and <mailto:a@example.eu>",
        '<img src="/assets/images/logo.svg" alt="Logo">',
    ],
)
def test_harmless_html_is_allowed(markup):
    assert problems(f"Title: T\n\n{markup}\n") == []


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<script>alert(1)</script>", "page.md:3: raw HTML <script> is not allowed"),
        ("<SCRIPT SRC=//x.eu/a.js></SCRIPT>", "page.md:3: raw HTML <script> is not allowed"),
        ("<style>p{}</style>", "page.md:3: raw HTML <style> is not allowed"),
        ('<iframe src="https://x.eu/"></iframe>', "page.md:3: raw HTML <iframe> is not allowed"),
        ("<form action=/x></form>", "page.md:3: raw HTML <form> is not allowed"),
        ("<p onclick='x()'>a</p>", "page.md:3: event-handler attribute onclick= on <p>"),
        ("<svg onload=alert(1)></svg>", "page.md:3: raw HTML <svg> is not allowed"),
        ('<p style="color:red">a</p>', "page.md:3: attribute style= on <p> is not allowed"),
        ("[x](javascript:alert(1))", "page.md:3: javascript: URL in href= on <a>"),
        ('<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>', "page.md:3: javascript: URL in href="),
        ("[x](data:text/html,<b>hi</b>)", "page.md:3: data: URL in href= on <a>"),
        ("![a](https://cdn.example.com/a.png)", "page.md:3: <img> loads 'https://cdn.example"),
        ("![a](//cdn.example.com/a.png)", "page.md:3: <img> loads '//cdn.example.com/a.png'"),
    ],
)
def test_html_that_runs_or_loads_something_is_rejected_with_its_line(markup, message):
    found = problems(f"Title: T\n\n{markup}\n")
    assert any(p.startswith(message) for p in found), found


def test_each_finding_gets_its_own_line():
    found = problems("Title: T\n\n<p onclick='a()'>1</p>\n\ntext\n\n<p onclick='b()'>2</p>\n")
    assert [p.split(": ", 1)[0] for p in found] == ["page.md:3", "page.md:7"]


def test_metadata_keys_are_checked_and_identity_keys_refused():
    found = problems("Title: T\nTitel: typo\nSlug: other\nLang: de\n\nText\n")
    assert found == [
        "page.md:2: unknown metadata Titel:; use one of: Title, Summary, Template, "
        "Translation-method, Modified, Source-hash (or add it to PAGE_METADATA in pelicanconf.py)",
        "page.md:3: metadata Slug: is not allowed here: the page's address is its path below the "
        "language folder; remove the line",
        "page.md:4: metadata Lang: is not allowed here: the language is the folder the file is "
        "in; remove the line",
    ]


def test_a_delimited_header_is_a_header():
    assert problems("---\nTitle: T\nSummary: S\n---\n\nText\n") == []


def test_a_page_needs_a_title():
    assert problems("Summary: S\n\nText\n") == [
        "page.md:1: the page has no title; add `Title: ...` as its first line"
    ]
    assert problems("Title T\n\nText\n")[0].startswith(
        "page.md:1: the first line is not a metadata line"
    )


def test_findings_are_reported_for_summaries_too():
    assert [f.message.split(" (")[0] for f in html_findings("<p>a</p><script>x</script>")] == [
        "raw HTML <script> is not allowed"
    ]
