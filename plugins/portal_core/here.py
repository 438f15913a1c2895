"""What a template needs to know about the page it renders: language, versions, trail."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from .languages import EU_LANGUAGES, endonym
from .page_tree import PageTree, Variant


@dataclass(frozen=True)
class LanguageLink:
    """A version of the current page in one language, for the selector and hreflang."""

    lang: str
    url: str
    current: bool = False

    @property
    def name(self) -> str:
        """Return the language's own name."""
        return endonym(self.lang)


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb trail."""

    title: str
    url: str
    lang: str


@dataclass(frozen=True)
class HeadLinks:
    """What a page's <head> says about its address: canonical, or noindex, and alternates."""

    canonical: str | None  # absolute address; None: the page is "noindex"
    alternates: tuple[tuple[str, str], ...]  # (hreflang, absolute address), x-default last


@dataclass
class Here:
    """The page being rendered, as the base template sees it."""

    lang: str
    url: str
    title: str
    title_lang: str
    versions: list[LanguageLink]  # real versions (the source and its translations)
    breadcrumbs: list[Crumb] = field(default_factory=list)
    fallback: bool = False
    canonical: str = ""
    path: str | None = None
    status: str = ""  # translation status: source, up-to-date, machine, outdated, missing
    machine: bool = False  # a machine translation (readers get a notice)
    original_url: str = ""  # the source-language page this one translates
    html: str = ""
    noindex: bool = False  # utility pages (404, search): kept out of search engines and search
    modified: date | None = None  # when the content last changed (its own dates), if known

    @property
    def indexable(self) -> bool:
        """Tell whether search engines and the site search should index this page."""
        return not (self.fallback or self.noindex)

    @property
    def outdated(self) -> bool:
        """Tell whether the page translates an older text of its source (readers get a notice)."""
        return self.status == "outdated"

    def __post_init__(self) -> None:
        if not self.canonical:
            self.canonical = self.url

    @property
    def selector(self) -> list[LanguageLink]:
        """Return the languages the selector offers: the real versions plus the current one."""
        links = {link.lang: link for link in self.versions}
        links[self.lang] = LanguageLink(self.lang, self.url, current=True)
        return sorted(links.values(), key=lambda link: EU_LANGUAGES.index(link.lang))

    @property
    def hreflang(self) -> list[LanguageLink]:
        """Return the hreflang alternates: none on a fallback page, else every real version."""
        return self.versions if self.indexable else []

    def head_links(self, siteurl: str) -> HeadLinks:
        """Return the page's canonical and alternate links, as base.html writes them and the
        sitemap lists them: both take them from here."""
        canonical = None if self.noindex else f"{siteurl}/{self.canonical}"
        alternates = [(version.lang, f"{siteurl}/{version.url}") for version in self.hreflang]
        if alternates:
            alternates.append(("x-default", f"{siteurl}/"))
        return HeadLinks(canonical, tuple(alternates))


def content_date(page) -> date | None:
    """Return when a Markdown page's content last changed: its Modified, else its Date."""
    for key in ("modified", "date"):
        value = page.metadata.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return None


def home_crumbs(tree: PageTree, lang: str) -> list[Crumb]:
    """Return the breadcrumb trail of a page generated in `lang` outside the page tree."""
    home = tree.get("index", lang)
    return [Crumb(home.title, home.url, home.title_lang)] if home else []


def localise_links(html: str, siteurl: str, source_lang: str, lang: str) -> str:
    """Point the source language's internal page links at the same pages in `lang`."""
    prefix = re.escape(f"{siteurl}/{source_lang}/")
    return re.sub(rf'href="{prefix}', f'href="{siteurl}/{lang}/', html)


def here_for_variant(tree: PageTree, variant: Variant, siteurl: str) -> Here:
    """Return what the templates need to render one page variant."""
    source = tree.get(variant.path, tree.source_lang)
    versions = [
        LanguageLink(v.lang, v.url, current=v.lang == variant.lang)
        for v in tree.real_variants(variant.path)
    ]
    crumbs = [
        Crumb(v.title, v.url, v.title_lang) for v in tree.breadcrumbs(variant.path, variant.lang)
    ]
    html = variant.page.content
    if not variant.real:
        html = localise_links(html, siteurl, tree.source_lang, variant.lang)
    return Here(
        lang=variant.lang,
        url=variant.url,
        title=variant.title,
        title_lang=variant.title_lang,
        versions=versions,
        breadcrumbs=crumbs,
        fallback=not variant.real,
        canonical=variant.url if variant.real else source.url,
        path=variant.path,
        html=Markup(html),
        status=variant.status,
        machine=variant.real and variant.method == "machine",
        original_url=source.url,
        modified=content_date(variant.page),
    )


def page_digest(page) -> str:
    """Return a digest of a page's converted text, metadata and template."""
    metadata = sorted(page.metadata.items(), key=lambda item: item[0])
    text = repr((page.template, metadata)) + "\0" + page.content
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
