"""What editors' Markdown may contain: known metadata, plain text, and HTML that cannot run or load.

Content is written by editors in git, so the build rejects (rather than silently cleans) what
would break the site's guarantees, and names the file, the line and the fix:

- metadata keys outside ``PAGE_METADATA`` (a typo such as ``Titel:`` would otherwise vanish),
  and keys that would move a page out of its place (``Lang``, ``Slug``, ``URL``, ``Save_as``,
  ``Status``): the file's path alone says what a page is;
- a page without a title, and a title or summary longer than its limit (``page_text``);
- control characters, NUL and bidirectional controls anywhere in the source (``page_text``);
- raw HTML outside the allow-list of elements, attributes and URLs (``html_policy``), which
  reads the HTML as a browser does;
- file or folder names other than lower-case letters, digits and hyphens (they become the
  page's address);
- files in a language folder that are not ``.md`` pages (they would be silently ignored), and
  symbolic links anywhere under content/ (they can point outside the repository, or loop).

Text such as ``<script>`` inside code spans and code blocks is escaped by Markdown and is fine.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from build_engine.front_door import ReadPage, on_page_read
from pelican import signals
from portal_core.errors import NOTICE, PortalError, PortalErrors
from portal_core.facts import unconfirmed_facts
from portal_core.page_metadata import parse_page

from .html_policy import DEFAULT_PAGE_URL, Finding, html_findings
from .page_text import character_problems, length_problems

logger = logging.getLogger(__name__)

#: Metadata keys a page may carry when the settings do not say (lower case).
DEFAULT_PAGE_METADATA = ("title", "summary", "template", "translation-method", "modified")

#: Keys that would give a page another identity than its path, or hide it.
PLACE_KEYS = {
    "lang": "the language is the folder the file is in",
    "slug": "the page's address is its path below the language folder",
    "url": "the page's address is its path below the language folder",
    "save_as": "the page's address is its path below the language folder",
    "status": "every page in content/ is published; remove the file to unpublish it",
    "translation": "a file is a translation when its path mirrors an English page",
}

PAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A converted summary that is one paragraph of plain text (its characters are checked in the
#: source), so that it needs no HTML parse.
PLAIN_PARAGRAPH = re.compile(r"^<p>[^<&]*</p>$")


def locate(source: str, findings: list[Finding]) -> list[int | None]:
    """Return the source line of each finding.

    A finding's patterns are tried in turn; each search starts after the previous match of the
    same pattern, so that the same thing found twice gets two lines.
    """
    lines: list[int | None] = []
    searched_from: dict[str, int] = {}
    for finding in findings:
        line = None
        for needle in finding.needles:
            pattern = re.compile(needle, re.IGNORECASE | re.MULTILINE)
            start = searched_from.get(needle, 0)
            match = pattern.search(source, start)
            if match is None and start:
                match = pattern.search(source)
            if match is not None:
                searched_from[needle] = max(match.end(), match.start() + 1)
                line = source.count("\n", 0, match.start()) + 1
                break
        lines.append(line)
    return lines


def check_page_source(
    source: str,
    html: str,
    summary: str | None,
    path: str,
    allowed: tuple[str, ...],
    page_url: str = DEFAULT_PAGE_URL,
) -> list[PortalError]:
    """Return every policy problem of one Markdown page: metadata, text, then HTML.

    `page_url` is the page's absolute address: relative URLs in it resolve against it, and
    images must come from its origin.
    """
    problems = []
    header = parse_page(source)
    for key, field in header.metadata.items():
        line = field.line
        if key in PLACE_KEYS:
            problems.append(
                PortalError(
                    path,
                    f"metadata {key.capitalize()}: is not allowed here: {PLACE_KEYS[key]}; "
                    "remove the line",
                    line,
                )
            )
        elif key not in allowed:
            names = ", ".join(k.capitalize() for k in allowed)
            problems.append(
                PortalError(
                    path,
                    f"unknown metadata {key.capitalize()}:; use one of: {names} (or add it to "
                    "PAGE_METADATA in pelicanconf.py)",
                    line,
                )
            )
    if "title" not in header.metadata:
        first_line = source.removeprefix("\ufeff").split("\n", 1)[0]
        if not header.metadata and first_line.strip():
            problems.append(
                PortalError(
                    path,
                    "the first line is not a metadata line; a page starts with `Title: ...`, "
                    "then other `Key: value` lines, then a blank line, then the text",
                    1,
                )
            )
        else:
            problems.append(
                PortalError(path, "the page has no title; add `Title: ...` as its first line", 1)
            )
    characters = character_problems(source, path)
    problems += characters
    problems += length_problems(header, path)
    findings = html_findings(html, page_url)
    if summary and not PLAIN_PARAGRAPH.match(summary):
        findings += html_findings(summary, page_url)
    if characters:
        # the same characters, seen again in the HTML's text: reported once, from the source
        findings = [f for f in findings if f.kind != "character"]
    reported = set()
    for finding, line in zip(findings, locate(source, findings), strict=True):
        if (finding.message, line) not in reported:  # e.g. every cell of an aligned column
            reported.add((finding.message, line))
            problems.append(PortalError(path, finding.message, line))
    return problems


def name_problem(relative: str) -> str | None:
    """Say what is wrong with a page's path below content/ (it becomes its address), if anything."""
    parts = Path(relative).with_suffix("").parts[1:]  # below the language folder
    bad = [part for part in parts if not PAGE_NAME.match(part)]
    if not bad:
        return None
    fixed = "/".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "page" for p in parts)
    return (
        "the path becomes the page's address, so file and folder names use lower-case letters, "
        f"digits and hyphens only ({bad[0]!r} does not); rename it, e.g. to .../{fixed}.md"
    )


def page_checker(settings: dict):
    """Return the check of every Markdown page the build reads (see `check_page_source`)."""
    allowed = tuple(settings.get("PAGE_METADATA", DEFAULT_PAGE_METADATA))
    site = settings.get("SITEURL") or settings.get("SITE_PUBLIC_URL") or DEFAULT_PAGE_URL

    def check(page: ReadPage) -> None:
        # the page's address is its path (PAGE_URL): what relative URLs in it resolve against
        path = Path(page.relative).with_suffix("").as_posix() + "/"
        page_url = f"{site.rstrip('/')}/{path}"
        why = name_problem(page.relative)
        problems = [PortalError(page.path, why)] if why else []
        problems += check_page_source(
            page.source, page.html, page.fields.get("summary"), page.path, allowed, page_url
        )
        if problems:
            raise PortalErrors(problems)

    return check


def check_pages(pelican) -> None:
    """Check every Markdown page as the build reads it."""
    on_page_read(pelican, page_checker(pelican.settings))


def symbolic_links(content_root: Path) -> list[Path]:
    """Return every symbolic link under the content folder (none is followed)."""
    found = []
    for folder, folders, files in os.walk(content_root):
        for name in sorted([*folders, *files]):
            if os.path.islink(os.path.join(folder, name)):
                found.append(Path(folder) / name)
    return sorted(found)


def stray_files(content_root: Path, excluded: list[str]) -> list[Path]:
    """Return the files under the content folder that are not Markdown pages."""
    found = []
    for folder, folders, files in os.walk(content_root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            relative = path.relative_to(content_root)
            if name.startswith(".") or relative.parts[0] in excluded or path.suffix == ".md":
                continue
            found.append(path)
    return found


def check_content_files(generator) -> None:
    """Refuse symbolic links under content/, and log every file that would be ignored.

    A link can point anywhere (outside the repository, or back up into a loop that Pelican
    would follow forty levels deep), so the build stops on one before reading anything.
    """
    root = Path(generator.path)
    links = symbolic_links(root)
    if links:
        raise PortalErrors(
            [
                PortalError(
                    link,
                    "a symbolic link; content must be real files in the repository: replace the "
                    "link by the file itself, or remove it",
                )
                for link in links
            ]
        )
    excluded = [str(p).strip("/") for p in generator.settings.get("PAGE_EXCLUDES", [])]
    for path in stray_files(root, excluded):
        logger.error(
            "%s: not a page: only .md files are read from the language folders; "
            "rename it to .md or remove it",
            path,
        )


def unconfirmed_addresses_notice(facts: dict) -> str:
    """Return the notice naming every external address in FACTS that nobody confirmed."""
    found = unconfirmed_facts(facts)
    if not found:
        return "every external address in FACTS (pelicanconf.py) records where it was confirmed"
    lines = [
        f"{len(found)} external address{'es' if len(found) != 1 else ''} in FACTS "
        "(pelicanconf.py) not confirmed; check each on the live site, then write it with "
        "confirmed(value, source=..., checked=...):"
    ]
    lines += [f"  {name}: {value} ({why})" for name, value, why in found]
    return "\n".join(lines)


def report_unconfirmed_addresses(pelican) -> None:
    """Say on every build which external addresses in FACTS are not confirmed.

    A notice, not a warning: the shipped site keeps links whose addresses could not be
    confirmed offline (the footer's social media), and `make html` fails on warnings.
    """
    logger.log(NOTICE, "%s", unconfirmed_addresses_notice(pelican.settings.get("FACTS", {})))


def register():
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(check_pages)
    signals.initialized.connect(report_unconfirmed_addresses)
    signals.page_generator_init.connect(check_content_files)
