"""The tree of pages: every page path in every language, real or English fallback."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .errors import PortalError, PortalErrors


@dataclass
class Variant:
    """One page path in one language."""

    path: str  # the page's identity: its path below the language folder ("supporters/benefits")
    lang: str
    url: str  # relative to SITEURL, no leading slash ("fi/supporters/benefits/")
    title: str
    page: object  # the Pelican page whose text is shown (the English one for a fallback)
    real: bool  # False: the page does not exist in `lang` and English text is shown
    status: str = ""  # translation status (translation_status.Status), set by the build
    method: str | None = None  # Translation-Method of a translation: "human" or "machine"

    @property
    def title_lang(self) -> str:
        """Return the language the title is written in."""
        return self.lang if self.real else self.page.lang


@dataclass
class PageTree:
    """Every page path mapped to its variant in each language."""

    languages: tuple[str, ...]
    source_lang: str
    variants: dict[str, dict[str, Variant]] = field(default_factory=dict)

    def paths(self) -> list[str]:
        """Return all page paths, sorted."""
        return sorted(self.variants)

    def get(self, path: str, lang: str) -> Variant | None:
        """Return the variant of `path` in `lang`, or None if there is no such page."""
        return self.variants.get(path, {}).get(lang)

    def real_variants(self, path: str) -> list[Variant]:
        """Return the real (non-fallback) variants of `path` in language order."""
        by_lang = self.variants.get(path, {})
        return [by_lang[lang] for lang in self.languages if lang in by_lang and by_lang[lang].real]

    def breadcrumbs(self, path: str, lang: str) -> list[Variant]:
        """Return the variants above `path` in `lang`: home first, then each parent path."""
        trail = []
        home = self.get("index", lang)
        if home is not None and path != "index":
            trail.append(home)
        parts = path.split("/")
        for depth in range(1, len(parts)):
            parent = self.get("/".join(parts[:depth]), lang)
            if parent is not None:
                trail.append(parent)
        return trail

    def signature(self, lang: str) -> str:
        """Return a digest of what templates show of the other pages of the tree in `lang`.

        Navigation, footer, breadcrumbs, sitemap and the root chooser show other pages' title,
        address, the title's language and whether the page is real (PAGE_TREE.get(...)); a
        page's render key includes this digest, so a changed title re-renders every page of
        that language. A template that shows more of other pages must add it here.
        """
        digest = hashlib.sha256()
        for path in self.paths():
            variant = self.variants[path].get(lang)
            if variant is not None:
                shown = (path, variant.url, variant.title, variant.title_lang, variant.real)
                digest.update(repr(shown).encode())
        return digest.hexdigest()

    def fallbacks(self) -> list[Variant]:
        """Return every fallback variant."""
        return [v for by_lang in self.variants.values() for v in by_lang.values() if not v.real]


def page_url(path: str, lang: str) -> str:
    """Return the URL of page `path` in `lang`; the path "index" is the language's home."""
    return f"{lang}/" if path == "index" else f"{lang}/{path}/"


def page_path(relative_source: str, languages: tuple[str, ...], source: str) -> tuple[str, str]:
    """Split ``fi/supporters/benefits.md`` into ("fi", "supporters/benefits").

    A file outside a known language folder is a PortalError that says what to do.
    """
    parts = PurePosixPath(relative_source).parts
    if len(parts) < 2:
        raise PortalError(
            source,
            "a page must be inside a language folder; move it to content/<language>/ "
            f"(one of: {' '.join(languages)})",
        )
    if parts[0] not in languages:
        raise PortalError(
            source,
            f"language folder {parts[0]!r} is not one of the 24 EU language codes "
            f"({' '.join(languages)}); move the file to content/<language>/",
        )
    if not parts[-1].endswith(".md"):
        raise PortalError(source, "content pages must be Markdown files ending in .md")
    return parts[0], str(PurePosixPath(*parts[1:]).with_suffix(""))


def build_tree(pages, languages: tuple[str, ...], source_lang: str) -> PageTree:
    """Build the page tree from Pelican pages (objects with lang, slug, title, source path).

    Every source page gets a variant in every language: its translation where one exists,
    else a fallback showing the source text. A translation without a source page is an error.
    """
    tree = PageTree(languages=languages, source_lang=source_lang)
    by_path: dict[str, dict[str, object]] = {}
    problems = []
    for page in pages:
        by_path.setdefault(page.slug, {})[page.lang] = page
    for path, by_lang in sorted(by_path.items()):
        source = by_lang.get(source_lang)
        if source is None:
            for _lang, page in sorted(by_lang.items()):
                problems.append(
                    PortalError(
                        page.source_path,
                        f"translation without an English source: there is no "
                        f"content/{source_lang}/{path}.md; create it, or rename this file to "
                        "match an existing English page",
                    )
                )
            continue
        variants = {}
        for lang in languages:
            page = by_lang.get(lang)
            if page is not None:
                variants[lang] = Variant(path, lang, page_url(path, lang), page.title, page, True)
            else:
                variants[lang] = Variant(
                    path, lang, page_url(path, lang), source.title, source, False
                )
        tree.variants[path] = variants
    if problems:
        raise PortalErrors(problems)
    return tree
