"""The HTML sitemap: every page of a language as a tree nested by path.

Pages come from the page tree (real pages and English fallbacks), in the template context as
``PAGE_TREE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass(frozen=True)
class SitemapEntry:
    """One page in one language, as the HTML sitemap lists it."""

    path: str  # identity below the language folder: "supporters/directory/acme"
    lang: str
    url: str  # relative to SITEURL, no leading slash
    title: str
    title_lang: str  # differs from lang where the page is an English fallback


@dataclass
class SitemapNode:
    """A page with the pages below it."""

    entry: SitemapEntry
    children: list[SitemapNode] = field(default_factory=list)


def tree_entries(page_tree, lang: str) -> list[SitemapEntry]:
    """Return every page of the page tree in `lang` (fallbacks included)."""
    entries = []
    for path in page_tree.paths():
        variant = page_tree.get(path, lang)
        if variant is not None:
            entries.append(SitemapEntry(path, lang, variant.url, variant.title, variant.title_lang))
    return entries


def build_site_tree(
    entries: Iterable[SitemapEntry], order: Sequence[str] = ()
) -> list[SitemapNode]:
    """Nest entries by path; the home page ("index") comes first, at the top level.

    A page sits under the nearest listed page whose path is a prefix of its own. Siblings
    follow `order` (e.g. the navigation) first, then their paths.
    """
    by_path = {entry.path: SitemapNode(entry) for entry in entries}
    rank = {path: position for position, path in enumerate(order)}
    top: list[SitemapNode] = []
    for path in sorted(by_path):
        node = by_path[path]
        parts = PurePosixPath(path).parts
        parent = None
        for depth in range(len(parts) - 1, 0, -1):
            parent = by_path.get("/".join(parts[:depth]))
            if parent is not None:
                break
        (parent.children if parent is not None else top).append(node)

    def sort(nodes: list[SitemapNode]) -> None:
        nodes.sort(
            key=lambda n: (n.entry.path != "index", rank.get(n.entry.path, len(rank)), n.entry.path)
        )
        for node in nodes:
            sort(node.children)

    sort(top)
    return top


def site_tree(context: dict, lang: str) -> list[SitemapNode]:
    """Return the HTML sitemap of `lang`: the pages of the page tree."""
    entries = tree_entries(context["PAGE_TREE"], lang)
    order = [*context.get("MAIN_NAVIGATION", []), *context.get("FOOTER_PAGES", [])]
    return build_site_tree(entries, order)
