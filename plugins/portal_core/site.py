"""What one build knows that every feature may read: the interface strings and the page tree.

Features do not reach into each other's wiring for these. The build engine makes one `Site`
per build, at the start, and puts it in the context (`site_of(context)`); the multilingual
feature gives it the page tree once it has read the pages (`Site.tree`); any feature reads
them from here. Templates see the same objects under their own names (``PAGE_TREE``...),
which the features share through the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .catalogues import catalogue_path, load_catalogues
from .errors import PortalError
from .page_tree import PageTree
from .strings import InterfaceStrings

CONTEXT_KEY = "PORTAL_SITE"


@dataclass
class Site:
    """One build's shared knowledge: settings, interface strings, and (once read) the pages."""

    settings: Mapping
    #: compiled catalogues kept between builds of one Pelican instance (the engine's memory)
    compiled_catalogues: dict = field(default_factory=dict)
    _strings: InterfaceStrings | None = None
    _tree: PageTree | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the site's languages, in the order of language selectors."""
        return tuple(self.settings["LANGUAGES"])

    @property
    def source_lang(self) -> str:
        """Return the source language (English)."""
        return self.settings["DEFAULT_LANG"]

    @property
    def strings(self) -> InterfaceStrings:
        """Return the interface strings of every language (read and checked on first use)."""
        if self._strings is None:
            self._strings = InterfaceStrings(
                load_catalogues(
                    Path(self.settings["TRANSLATIONS_PATH"]),
                    self.languages,
                    self.compiled_catalogues,
                )
            )
        return self._strings

    @property
    def tree(self) -> PageTree:
        """Return the page tree; a feature that needs it before the pages are read is an error."""
        if self._tree is None:
            raise PortalError(
                "pelicanconf.py",
                'the page tree is not built yet: PLUGINS must list "multilingual" before the '
                "features that use it",
            )
        return self._tree

    @tree.setter
    def tree(self, tree: PageTree) -> None:
        self._tree = tree

    def strings_signature(self) -> str:
        """Return a digest of the catalogue files the interface strings come from."""
        digest = hashlib.sha256()
        for lang in self.languages:
            path = catalogue_path(Path(self.settings["TRANSLATIONS_PATH"]), lang)
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()

    def translator(self, lang: str):
        """Return the gettext function of `lang` (plain text, for generators' own titles)."""
        return self.strings.catalogue(lang).gettext


def public_url(settings: Mapping) -> str:
    """Return the site's absolute address, for what must be absolute (feeds, calendars, Open
    Graph, structured data): SITEURL, else SITE_PUBLIC_URL (development builds)."""
    return (settings.get("SITEURL") or settings.get("SITE_PUBLIC_URL") or "").rstrip("/")


def site_of(context: Mapping) -> Site:
    """Return the build's Site from a generator's or template's context."""
    try:
        return context[CONTEXT_KEY]
    except KeyError:
        raise PortalError(
            "pelicanconf.py", 'PLUGINS must list "build_engine" first: it starts every build'
        ) from None
