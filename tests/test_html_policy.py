"""The content policy through the real build: each way around the old policy is refused by name.

One build of the fixture site with a page per kind of hostile input, then one assertion per
kind on what the build printed (file, line, what is wrong and what to do); and, in Chromium, a
page made of the boldest markup the policy accepts, which runs nothing and loads nothing from
elsewhere.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, build_or_fail, run_build
from content_policy.content_policy import check_page_source
from content_policy.html_policy import html_findings

#: Markdown pages (path below content/en/, text) and what the build must say about each, by
#: line number (negative: a second message on the same line).
PAGES = {
    "comments": (
        "Title: Comments\n\n<!--><script>alert(1)</script>-->\n\n"
        "<!---><img src=x alt=x onerror=alert(1)>-->\n\n<!-- a --!><script>alert(2)</script>\n\n"
        "<!x><script>alert(3)</script>\n",
        {
            3: "raw HTML <script> is not allowed (content runs no scripts); remove it",
            5: "event-handler attribute onerror= on <img> is not allowed",
            7: "raw HTML <script> is not allowed",
            9: "raw HTML <script> is not allowed",
        },
    ),
    "bogus-comment": (
        "Title: Bogus\n\n<? x ><img src=/x alt=x onerror=alert(1)> ?>\n",
        {3: "event-handler attribute onerror= on <img> is not allowed"},
    ),
    "control-before-scheme": (
        'Title: Controls\n\n<a href="&#1;&#32;JaVa&#9;script:alert(1)">x</a>\n\n'
        "[y](&#x1f;javascript:alert(2))\n\n"
        '<a href="\x01javascript:alert(3)">z</a>\n',
        {
            3: "javascript: URL in href= on <a> is not allowed (links go to web pages, e-mail "
            "addresses or telephone numbers; a browser reads '\\x01 JaVa\\tscript:alert(1)' as "
            "'javascript:alert(1)'); link to a page or a file instead",
            5: "javascript: URL in href= on <a> is not allowed",
            7: "invisible character U+0001 (a control character) at column 10 is not allowed",
            -7: "javascript: URL in href= on <a> is not allowed (links go to web pages, e-mail "
            "addresses or telephone numbers; a browser reads '\\x01javascript:alert(3)' as",
        },
    ),
    "unlisted-attributes": (
        'Title: Attributes\n\n<a href="/en/" ping="https://evil.example/">x</a>\n\n'
        '<img src="/theme/images/favicon.svg" alt="x" srcset="https://evil.example/x.png 2x">\n\n'
        '<p><svg><image href="https://evil.example/x.png"/></svg></p>\n\n'
        '<p title="x" formaction="https://evil.example/">y</p>\n',
        {
            3: "attribute ping= on <a> is not allowed (a link sends nothing to anyone when it "
            "is followed); remove it",
            5: "attribute srcset= on <img> is not allowed",
            7: "raw HTML <svg> is not allowed (inline SVG can run script and load things); store "
            "it as an .svg file and use <img>",
            9: "attribute formaction= on <p> is not allowed",
        },
    ),
    "backslashes": (
        'Title: Backslashes\n\n<img src="\\\\evil.example/x.png" alt="x">\n\n'
        '<img src="/\\evil.example/x.png" alt="x">\n\n'
        "![x](https:\\\\\\\\evil.example/x.png)\n",
        {
            3: "<img> loads '\\\\\\\\evil.example/x.png' from another website; a browser reads "
            "'\\\\\\\\evil.example/x.png' as 'https://evil.example/x.png'; every image must be "
            "stored in the site itself: put the file in content/media/ and write ![what it "
            "shows]({media}name.png)",
            5: "<img> loads '/\\\\evil.example/x.png' from another website",
            7: "<img> loads 'https:\\\\\\\\evil.example/x.png' from another website",
        },
    ),
    "unfinished": (
        'Title: Unfinished\n\nText.\n\n<div>\n<img src="https://evil.example/?\n</div>\n',
        {6: "the HTML at the end of the text is unfinished: '<img src=\"https://evil.example/?'"},
    ),
    "page-elements": (
        "Title: Body\n\n</div></article></main><body onload=alert(1)>\n",
        {3: "raw HTML <body> is not allowed (the page's own <html>, <head> and <body> belong"},
    ),
    "bidi-and-nul": (
        "Title: Bidi\nSummary: Fine \u202ereversed\n\nText with \x00 in it.\n\n"
        "<p>A reference &#x2066;isolate.</p>\n",
        {
            2: "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) at column 15 is not "
            "allowed: a bidirectional control makes the text display in another order than "
            "it is written; delete it",
            4: "invisible character U+0000 (NUL) at column 11 is not allowed",
        },
    ),
    "references": (
        "Title: References\n\n<p>A reference &#x2066;isolate.</p>\n",
        {
            3: "invisible character U+2066 (LEFT-TO-RIGHT ISOLATE) is not allowed (it changes "
            "how the text displays or hides part of it); remove it, or the character reference "
            "that writes it (&#x2066;)",
        },
    ),
    "long-title": (
        "Title: " + "Long." * 2000 + "\nSummary: " + "s" * 401 + "\n\nText.\n",
        {
            1: "the title is 10,000 characters long; a title has at most 150 (it is the page's "
            "heading and its name in menus, the browser's tab and search results): shorten it",
            2: "the summary is 401 characters long; a summary has at most 400",
        },
    ),
}


@pytest.fixture(scope="module")
def refused_build(tmp_path_factory) -> tuple[Path, str]:
    """Build the fixture site with every hostile page; return the content folder and output."""
    root = tmp_path_factory.mktemp("hostile-html")
    content = root / "content"
    shutil.copytree(FIXTURE_SITE, content)
    for name, (text, _expected) in PAGES.items():
        (content / "en" / f"{name}.md").write_text(text, encoding="utf-8")
    result = run_build(content, root / "output")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    return content, output


@pytest.mark.parametrize("name", PAGES)
def test_each_kind_of_hostile_html_is_refused_with_file_line_and_fix(refused_build, name):
    content, output = refused_build
    for line, message in PAGES[name][1].items():
        assert f"{content}/en/{name}.md:{abs(line)}: {message}" in output, output


def test_only_the_listed_problems_are_reported(refused_build):
    """Nothing is reported twice or without its line, and nothing else is reported."""
    content, output = refused_build
    reported = [line for line in output.splitlines() if f"{content}/en/" in line]
    expected = sum(len(messages) for _text, messages in PAGES.values())
    assert len(reported) == len(set(reported)) == expected, "\n".join(reported)
    assert all(re.search(r"\.md:\d+: ", line) for line in reported), "\n".join(reported)


#: The boldest markup the policy accepts: odd comments, odd but same-site addresses, links to
#: other sites, every allowed element. If a script in it ran, the page's title would change.
BOLD = """Title: Bold

<!-- a comment closed the old way --!><p id="after-comment">after a comment</p>

<? x <script>document.title='RAN'</script> ?>

<!---->

<p>A <a href="https:/en/supporters/">scheme-relative link</a>, an
<a href="\\\\other.example/">other site</a>, <a href="&#109;ailto:a@example.eu">mail</a>,
<a href="tel:+3222">phone</a> and <a href="JaVa&#0;script:document.title='RAN'">a null</a>.</p>

<img src="/theme/images/favicon.svg" alt="logo" width="16" height="16" loading="lazy">
<img src="../../theme/images/favicon.svg" alt="logo again">

<details open><summary>More</summary><p>Inside <kbd>Ctrl</kbd> <abbr title="x">X</abbr>
<del cite="https://other.example/">old</del> <ins>new</ins> <sup>1</sup><sub>2</sub>.</p>
</details>

<figure><figcaption>A table</figcaption><table><caption>T</caption><thead><tr><th scope="col"
abbr="a">A</th></tr></thead><tbody><tr><td colspan="1">1</td></tr></tbody></table></figure>

<blockquote cite="/en/"><p>Quoted</p></blockquote>

| plain | table |
|-------|-------|
| 1     | 2     |
"""


def test_the_boldest_accepted_page_runs_nothing_and_loads_only_from_itself(tmp_path, chromium):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "en" / "bold.md").write_text(BOLD, encoding="utf-8")
    output = build_or_fail(content, tmp_path / "output")
    page_file = output / "en" / "bold" / "index.html"
    html = page_file.read_text(encoding="utf-8")
    assert 'id="after-comment"' in html and "other.example" in html
    # without the page's Content-Security-Policy, which would block inline script: the policy
    # alone must keep the page inert
    csp = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
    assert csp.search(html)
    page_file.write_text(csp.sub("", html), encoding="utf-8")

    context = chromium.new_context()
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page_file.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    title = page.title()
    scripts = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.src || n.text)")
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => a.name))"
    )
    context.close()
    assert "RAN" not in title and dialogs == [], (title, dialogs)
    assert all(src.endswith(".js") and "/assets/js/" in src for src in scripts), scripts
    assert handlers == []
    assert requests and all(url.startswith("file://") for url in requests), requests


# the same rules, without a build

ALLOWED_KEYS = ("title", "summary")


def problems(source: str, html: str = "") -> list[str]:
    """Return the policy's problems of a page, its HTML given."""
    return [str(p) for p in check_page_source(source, html, None, "p.md", ALLOWED_KEYS)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\ud800b", "p.md:3: invisible character U+D800 (half of a surrogate pair, alone) at"),
        ("a\x85b", "p.md:3: invisible character U+0085 (a control character) at column 2"),
        ("a\x7fb", "p.md:3: invisible character U+007F (a control character) at column 2"),
        ("\u2069", "p.md:3: invisible character U+2069 (POP DIRECTIONAL ISOLATE) at column 1"),
        (
            "a\x0cb\x0bc",
            "p.md:3: invisible character U+000C (a control character) at column 2 "
            "(and 1 more on this line)",
        ),
    ],
)
def test_invisible_characters_are_refused_with_line_and_column(text, expected):
    assert problems(f"Title: T\n\n{text}\n")[0].startswith(expected)


def test_tabs_line_breaks_and_marks_are_text():
    # LRM/RLM marks are not controls that reorder text; CRLF files are fine
    assert problems("Title: T\r\nSummary: S\r\n\r\na\tb \u200e\u200f é ∑\r\n") == []


def test_many_bad_lines_are_summed_up():
    found = problems("Title: T\n\n" + "x\x01\n" * 25)
    assert len(found) == 21
    assert found[-1] == (
        "p.md:23: 5 more lines hold invisible control characters; delete them all (retyping "
        "the text is the surest way)"
    )


def test_titles_and_summaries_have_a_length_limit():
    assert problems(f"Title: {'t' * 150}\nSummary: {'s' * 400}\n\nx\n") == []
    assert [p.split(";")[0] for p in problems(f"Title: {'t' * 151}\n\nx\n")] == [
        "p.md:1: the title is 151 characters long"
    ]


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        ("/theme/images/a.png", None),
        ("../../theme/images/a.png", None),
        ("//site.invalid/a.png", None),
        ("https:/\\evil.example/a.png", "from another website"),
        (" \x1f//evil.example/a.png", "from another website"),
        ("\t/\t/evil.example/a.png", "from another website"),
        ("https:evil.example/a.png", "when the site is served over http"),
        ("HTTPS://SITE.INVALID/a.png", "names this site by its full address"),
        ("http://[::1/a.png", "is not a valid address"),
        ("blob:https://site.invalid/x", "blob: URL in src= on <img> is not allowed; every"),
        ("java&#10;script:x", "javascript: URL in src= on <img> is not allowed; a browser reads"),
    ],
)
def test_image_addresses_are_judged_as_a_browser_reads_them(value, verdict):
    findings = html_findings(f'<img alt="x" src="{value}">')
    messages = [f.message for f in findings if f.kind != "character"]
    if verdict is None:
        assert messages == []
    else:
        assert len(messages) == 1 and verdict in messages[0], messages


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("javascript:x", None),
        ("JAVASCRIPT:x", None),
        ("&#x6A;avascript:x", ""),
        ("java&#x0A;script:x", "javascript:"),
        ("\x00javascript:x", "relative"),  # NUL is U+FFFD in a value: a relative address
        ("vbscript:x", None),
        ("data:text/html,x", None),
        ("file:///etc/passwd", None),
        ("java\x01script:x", "relative"),
        ("https:x", "relative"),
        ("mailto:a@example.eu", "relative"),
        ("tel:+3222", "relative"),
        ("/\\other.example/", "relative"),
    ],
)
def test_link_schemes_are_judged_after_normalisation(value, scheme):
    messages = [
        f.message for f in html_findings(f'<a href="{value}">x</a>') if f.kind != "character"
    ]
    if scheme == "relative":
        assert messages == []
    else:
        assert len(messages) == 1 and " URL in href= on <a> is not allowed" in messages[0]
        if scheme:
            assert "a browser reads" in messages[0]
