"""Link parity: a translation links to the same targets and e-mail addresses as its source.

Targets are compared language-neutrally: ``/fi/supporters/`` in a Finnish page and
``/en/supporters/`` in the English page are both the site page ``/*/supporters/``. Same-page
fragments (``#top``) are ignored, and so are fragments of other pages, whose ids come from the
(translated) headings. E-mail addresses count whether linked (``mailto:``) or typed as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import lxml.html
from portal_core.errors import PortalError, PortalErrors

from .translation_status import display_path

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ANY_LANG = "*"
MEDIA = "media"  # content/media/<lang>/ files are served at /media/<lang>/
EXTERNAL_IN_LANG = re.compile(r"^https?://[^/]+/[a-z]{2}/", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """One link target of a page: its language-neutral key and the href as the page has it."""

    key: str
    shown: str

    @property
    def is_email(self) -> bool:
        """Tell whether the target is an e-mail address."""
        return self.key.startswith("mailto:")


def _neutral(href: str, lang: str, languages: tuple[str, ...], siteurl: str) -> str | None:
    """Return the language-neutral key of an href, or None for a same-page fragment."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href.lower().startswith("mailto:"):
        address = unquote(href[len("mailto:") :].split("?", 1)[0])
        return f"mailto:{address.strip().lower()}"
    target = href.split("#", 1)[0]
    if siteurl and target.startswith(siteurl + "/"):
        target = target[len(siteurl) :]
    if target.startswith("/") and not target.startswith("//"):
        parts = target.split("/")
        if len(parts) > 1 and parts[1] == lang and lang in languages:
            parts[1] = ANY_LANG
        elif len(parts) > 3 and parts[1] == MEDIA and parts[2] in languages:
            parts[2] = ANY_LANG  # a document's version in some language (or the English one)
        target = "/".join(parts)
    elif EXTERNAL_IN_LANG.match(target) and lang in languages:
        # a {{fact}} with {lang}: the other site's page in the reader's language
        scheme_host, _, path = target.partition("://")[2].partition("/")
        parts = path.split("/")
        if parts[0] == lang:
            parts[0] = ANY_LANG
            target = target.partition("://")[0] + "://" + scheme_host + "/" + "/".join(parts)
    return target


def page_links(
    html: str, lang: str, languages: tuple[str, ...], siteurl: str = ""
) -> dict[str, Link]:
    """Return the link targets and e-mail addresses of a page's HTML body, by neutral key."""
    if not html.strip():
        return {}
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    links: dict[str, Link] = {}
    for element in root.iter("a", "area"):
        href = element.get("href")
        if href is None:
            continue
        key = _neutral(href, lang, languages, siteurl)
        if key is not None:
            shown = key if key.startswith("mailto:") else href.split("#", 1)[0]
            links.setdefault(key, Link(key, shown))
    for address in EMAIL.findall(root.text_content()):
        key = f"mailto:{address.lower()}"
        links.setdefault(key, Link(key, key))
    return links


def shown_in(link: Link, lang: str) -> str:
    """Return how a link of the source reads in a page of `lang` (``/*/x/`` -> ``/fi/x/``)."""
    if link.key.startswith(f"/{ANY_LANG}/"):
        return f"/{lang}/" + link.key[len(f"/{ANY_LANG}/") :]
    if f"/{ANY_LANG}/" in link.key:
        return link.key.replace(f"/{ANY_LANG}/", f"/{lang}/", 1)
    return link.shown


def _describe(link: Link, lang: str) -> str:
    """Return how a message names a link: "e-mail address x@y.eu" or "link /fi/page/"."""
    if link.is_email:
        return f"e-mail address {link.key[len('mailto:') :]}"
    return f"link {shown_in(link, lang)}"


def compare_links(
    translation: dict[str, Link], source: dict[str, Link]
) -> tuple[list[Link], list[Link]]:
    """Return the links only the translation has, and those only the source has (sorted)."""
    extra = [translation[key] for key in sorted(set(translation) - set(source))]
    missing = [source[key] for key in sorted(set(source) - set(translation))]
    return extra, missing


def check_tree_links(tree, report, siteurl: str = "") -> None:
    """Check every translation of the tree against its source page; raise PortalErrors.

    A translation whose Source-Hash matches its source (or that has none yet) must have exactly
    the source's link targets and e-mail addresses. A translation of an older source text
    (status outdated, the source changed since) may differ in links until it is updated, but
    an e-mail address that the source does not have is still an error.
    """
    problems: list[PortalError] = []
    for path in tree.paths():
        source = tree.get(path, tree.source_lang)
        source_file = display_path(source.page.source_path)
        source_links = page_links(source.page.content, source.lang, tree.languages, siteurl)
        for variant in tree.real_variants(path):
            if variant.lang == tree.source_lang:
                continue
            entry = report.entry(path, variant.lang)
            links = page_links(variant.page.content, variant.lang, tree.languages, siteurl)
            extra, missing = compare_links(links, source_links)
            file = display_path(variant.page.source_path)
            if entry.reason == "source-changed":
                extra = [link for link in extra if link.is_email]
                missing = []
            for link in extra:
                what = _describe(link, variant.lang)
                problems.append(
                    PortalError(
                        file,
                        f"{what} is not in the English source ({source_file}); use the "
                        "same target as the English page (addresses and URLs are {{fact}} "
                        "placeholders, pages are {filename} links)",
                    )
                )
            for link in missing:
                what = _describe(link, variant.lang)
                problems.append(
                    PortalError(
                        file,
                        f"missing {what} that the English source ({source_file}) has; "
                        "add it to the translation",
                    )
                )
    if problems:
        raise PortalErrors(problems)
