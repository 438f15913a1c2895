"""What editors' Markdown may contain: known metadata, and HTML that cannot run or load anything.

Content is written by editors in git, so the build rejects (rather than silently cleans) what
would break the site's guarantees, and names the file, the line and the fix:

- metadata keys outside ``PAGE_METADATA`` (a typo such as ``Titel:`` would otherwise vanish),
  and keys that would move a page out of its place (``Lang``, ``Slug``, ``URL``, ``Save_as``,
  ``Status``): the file's path alone says what a page is;
- a page without a title;
- raw HTML that runs script or loads something: ``<script>``, ``<style>``, ``<iframe>``,
  ``<object>``, ``<embed>``, ``<form>``, ``<link>``, ``<meta>``, ``<base>``; event-handler
  attributes (``onclick=``...), ``style=`` and ``srcdoc=``; ``javascript:``, ``vbscript:``,
  ``data:`` and ``file:`` URLs; images and media from other websites;
- file or folder names other than lower-case letters, digits and hyphens (they become the
  page's address);
- files in a language folder that are not ``.md`` pages (they would be silently ignored), and
  symbolic links anywhere under content/ (they can point outside the repository, or loop).

Other inline HTML (``<abbr>``, ``<kbd>``, ``<br>``, tables...) is allowed. Text such as
``<script>`` inside code spans and code blocks is escaped by Markdown and is fine.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from build_engine.front_door import ReadPage, on_page_read
from pelican import signals
from portal_core.errors import PortalError, PortalErrors
from portal_core.page_metadata import parse_page

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

NO_SCRIPT = ("content runs no scripts", "remove it")
NO_STYLE = ("styles belong in theme/static/css/, not in content", "remove it")
NO_EMBED = ("content embeds nothing from other pages or sites", "link to it instead")
NO_FORM = ("a static site cannot receive forms", "link to the form instead")
#: Element or attribute: (why it is not allowed, what to do).
FORBIDDEN_ELEMENTS = {
    "script": NO_SCRIPT,
    "noscript": NO_SCRIPT,
    "style": NO_STYLE,
    "link": ("content loads no stylesheets or other resources", "remove it"),
    "meta": ("page metadata goes in `Key: value` lines at the top of the file", "move it there"),
    "base": ("content cannot change the page's base address", "remove it"),
    "iframe": NO_EMBED,
    "frame": NO_EMBED,
    "frameset": NO_EMBED,
    "object": NO_EMBED,
    "embed": NO_EMBED,
    "applet": NO_EMBED,
    "form": NO_FORM,
}
FORBIDDEN_ATTRIBUTES = {"style": NO_STYLE, "srcdoc": NO_EMBED, "formaction": NO_FORM}
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "poster", "cite", "data", "background",
    "longdesc", "ping", "xlink:href", "manifest", "codebase",
}  # fmt: skip
#: Attributes that load something into the page (as opposed to links the reader follows).
ASSET_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}
FORBIDDEN_SCHEMES = ("javascript", "vbscript", "data", "file")
PAGE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


@dataclass(frozen=True)
class Finding:
    """One forbidden thing found in a page's HTML, and where to look for it in the source."""

    message: str
    needle: str  # a regular expression that finds it in the Markdown source


class PolicyParser(HTMLParser):
    """Collect the forbidden elements, attributes and URLs of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Check one start tag and its attributes."""
        if tag in FORBIDDEN_ELEMENTS:
            why, fix = FORBIDDEN_ELEMENTS[tag]
            self.findings.append(
                Finding(f"raw HTML <{tag}> is not allowed ({why}); {fix}", rf"<\s*{tag}\b")
            )
        for name, value in attrs:
            needle = rf"\b{re.escape(name)}\s*="
            if name.startswith("on"):
                why, fix = NO_SCRIPT
                message = (
                    f"event-handler attribute {name}= on <{tag}> is not allowed ({why}); {fix}"
                )
                self.findings.append(Finding(message, needle))
            elif name in FORBIDDEN_ATTRIBUTES:
                why, fix = FORBIDDEN_ATTRIBUTES[name]
                message = f"attribute {name}= on <{tag}> is not allowed ({why}); {fix}"
                self.findings.append(Finding(message, needle))
            elif name in URL_ATTRIBUTES and value and tag not in FORBIDDEN_ELEMENTS:
                self.check_url(tag, name, value)

    handle_startendtag = handle_starttag

    def check_url(self, tag: str, name: str, value: str) -> None:
        """Reject URLs that run script, embed data, or load assets from another site."""
        for url in value.split(",") if name == "srcset" else [value]:
            cleaned = re.sub(r"[\t\n\r]", "", url).strip()
            match = SCHEME.match(cleaned)
            scheme = match.group(1).lower() if match else ""
            if scheme in FORBIDDEN_SCHEMES:
                self.findings.append(
                    Finding(
                        f"{scheme}: URL in {name}= on <{tag}> is not allowed; link to a page "
                        "or a file instead",
                        rf"{scheme}\s*:|&#",
                    )
                )
            elif name in ASSET_ATTRIBUTES and (scheme or cleaned.startswith("//")):
                self.findings.append(
                    Finding(
                        f"<{tag}> loads {cleaned.split()[0]!r} from another website; every "
                        "image and media file must be stored in the site itself",
                        re.escape(cleaned.split()[0]),
                    )
                )


def html_findings(html: str) -> list[Finding]:
    """Return everything the policy forbids in an HTML fragment."""
    parser = PolicyParser()
    parser.feed(html)
    parser.close()
    return parser.findings


def locate(source: str, findings: list[Finding]) -> list[int | None]:
    """Return the source line of each finding (searching on after the previous match)."""
    lines: list[int | None] = []
    searched_from: dict[str, int] = {}
    for finding in findings:
        start = searched_from.get(finding.needle, 0)
        match = re.compile(finding.needle, re.IGNORECASE).search(source, start)
        if match is None and start:
            match = re.compile(finding.needle, re.IGNORECASE).search(source)
        if match is None:
            lines.append(None)
            continue
        searched_from[finding.needle] = match.end()
        lines.append(source.count("\n", 0, match.start()) + 1)
    return lines


def check_page_source(
    source: str, html: str, summary: str | None, path: str, allowed: tuple[str, ...]
) -> list[PortalError]:
    """Return every policy problem of one Markdown page: metadata, then HTML."""
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
    findings = html_findings(html)
    if summary:
        findings += html_findings(summary)
    for finding, line in zip(findings, locate(source, findings), strict=True):
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

    def check(page: ReadPage) -> None:
        why = name_problem(page.relative)
        problems = [PortalError(page.path, why)] if why else []
        problems += check_page_source(
            page.source, page.html, page.fields.get("summary"), page.path, allowed
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


def register():
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(check_pages)
    signals.page_generator_init.connect(check_content_files)
