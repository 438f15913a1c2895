"""Refuse a page filed under one language and plainly written in another (language_check)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from portal_core.errors import PortalError
from portal_core.language_check import Verdicts, other_language
from portal_core.languages import endonym, language_name
from portal_core.page_metadata import parse_page

#: Elements whose text is not prose of the page's language.
NOT_PROSE = ("code", "pre", "kbd", "samp")


def page_text(title: str, html: str) -> str:
    """Return the prose of a page: its title and its body's text, without code."""
    if not html.strip():
        return title
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter(*NOT_PROSE)):
        element.drop_tree()
    return f"{title}\n\n{root.text_content()}"


def body_line(source: str) -> int:
    """Return the line of the first text of a page's body (after the metadata)."""
    page = parse_page(source)
    lines = source.replace("\r\n", "\n").split("\n")
    start = len(lines) - len(page.body.split("\n")) + 1
    for offset, line in enumerate(page.body.split("\n")):
        if line.strip():
            return start + offset
    return start


def wrong_language(
    lang: str,
    path: str,
    source: str,
    title: str,
    html: str,
    languages: tuple[str, ...],
    verdicts: Verdicts | None = None,
) -> PortalError | None:
    """Return the problem of a page in `lang`'s folder written in another language, or None.

    `verdicts`: those of the previous build, kept between the dev server's builds.
    """
    text = page_text(title, html)
    if verdicts is not None:
        found = verdicts.other_language(text, lang)
    else:
        found = other_language(text, lang, languages)
    if found is None:
        return None
    return PortalError(
        path,
        f"this page is filed under {lang} ({language_name(lang, 'en')}) but its text is in "
        f"{found.lang} ({language_name(found.lang, 'en')}, {endonym(found.lang)}); move it to "
        f"content/{found.lang}/ or put the {language_name(lang, 'en')} text in it",
        body_line(source),
    )


def check_page_languages(
    pages, languages: tuple[str, ...], verdicts: Verdicts | None = None
) -> list[PortalError]:
    """Return a problem for every page (Pelican's) whose text is in another language."""
    problems = []
    if verdicts is not None:
        verdicts.new_build()
    for page in pages:
        source = Path(page.source_path).read_text(encoding="utf-8")
        problem = wrong_language(
            page.lang, page.source_path, source, page.title, page._content, languages, verdicts
        )
        if problem is not None:
            problems.append(problem)
    return problems
