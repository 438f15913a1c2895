"""Pelican wiring of the supporter directory, news, calendar, feeds and iCalendar files.

The logic lives in plain modules (site_data, supporters, news, events, directory_pages, feeds,
calendar_files); this module reads the settings, shares `DIRECTORY` with the templates and
writes the generated pages and files of every language.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

import pydantic
import ruamel.yaml
from build_engine.front_door import (
    FileOutput,
    PageOutput,
    in_workers,
    keeps_outputs,
    memory_slot,
    share,
    share_tracked,
    site_cache,
    write,
)
from pelican import signals
from pelican.generators import Generator
from portal_core.errors import PortalError, PortalErrors
from portal_core.here import Crumb, Here, LanguageLink
from portal_core.language_check import Verdicts
from portal_core.languages import EU_LANGUAGES
from portal_core.site import public_url, site_of
from portal_core.strings import N_

from . import (
    data_loading,
    events,
    navigation,
    news,
    record_fields,
    record_translations,
    site_data,
    structured_data,
    supporters,
    urls,
)
from .calendar_files import TimeZones, build_calendar
from .directory_pages import Directory, Facet, Group, listing_pages
from .europe_map import BaseMap, base_map, map_svg, read_atlas
from .feeds import build_feed
from .search_index import search_index
from .site_data import build_moment, load_site_data
from .translation_notes import record_status

logger = logging.getLogger(__name__)

#: The modules that read and check records: the record cache is emptied when one changes.
RECORD_CODE = (
    data_loading,
    record_fields,
    record_translations,
    supporters,
    news,
    events,
    navigation,
    site_data,
)

#: DIRECTORY_SETTINGS in pelicanconf.py overrides these.
DEFAULT_SETTINGS = {
    "data_path": "data",  # below PATH: supporters/, news/ and events/
    "feed_items": 20,  # items per feed
    "home_news": 3,  # news items on each home page
    "home_events": 3,  # upcoming events on each home page
    "page_size": 50,  # supporters per page of a list (the directory, a country...) without script
    # the countries the directory's map draws: world-atlas's Natural Earth TopoJSON, below
    # the project's folder (npm, package.json: `make node-deps` installs it)
    "map_data": "node_modules/world-atlas/countries-50m.json",
}
#: The content page each kind of record hangs below, and the template it needs.
PARENT_PAGES = {
    "supporters": (urls.DIRECTORY_PATH, "directory"),
    "news": (urls.NEWS_PATH, "news"),
    "events": (urls.CALENDAR_PATH, "calendar"),
}


def directory_settings(settings: dict) -> dict:
    """Return DEFAULT_SETTINGS updated with DIRECTORY_SETTINGS; an unknown key is an error."""
    given = settings.get("DIRECTORY_SETTINGS", {})
    unknown = sorted(set(given) - set(DEFAULT_SETTINGS))
    if unknown:
        raise PortalError(
            "pelicanconf.py",
            f"DIRECTORY_SETTINGS: unknown key {unknown[0]!r}; known keys: "
            + ", ".join(sorted(DEFAULT_SETTINGS)),
        )
    options = {**DEFAULT_SETTINGS, **given}
    size = options["page_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise PortalError(
            "pelicanconf.py",
            f"DIRECTORY_SETTINGS: page_size must be a whole number from 1 (got {size!r})",
        )
    return options


def trail(tree, parent_path: str, lang: str) -> list[Crumb]:
    """Return the breadcrumbs of a page below the content page `parent_path`."""
    variants = [*tree.breadcrumbs(parent_path, lang), tree.get(parent_path, lang)]
    return [Crumb(v.title, v.url, v.title_lang) for v in variants if v is not None]


@dataclass
class Declared:
    """The directory's outputs of one build, and a digest of everything they were made from."""

    digest: str
    outputs: list


class DirectoryGenerator(Generator):
    """Writes the directory, news and event pages, feeds and iCalendar files in every language."""

    def generate_context(self):
        """Load and check content/data/, and share the Directory with the templates.

        Problems in the data stop the build: PortalErrors, one per problem, as
        ``file:line: field: message``.
        """
        self.options = directory_settings(self.settings)
        cache = site_cache(
            self.settings,
            "directory-records",
            [module.__file__ for module in RECORD_CODE],
            (pydantic.VERSION, ruamel.yaml.__version__),
        )
        data_path = Path(self.settings["PATH"]) / self.options["data_path"]
        self.built_at = build_moment()
        mapper = in_workers(self.settings)
        verdicts = memory_slot(self.settings, "record-languages", lambda: Verdicts(EU_LANGUAGES))
        data = load_site_data(data_path, cache, mapper, self.built_at.date(), verdicts)
        if cache is not None:
            cache.save()
        self.site = site_of(self.context)
        self.languages = self.site.languages
        self.source_lang = self.site.source_lang
        self.directory = Directory(
            data=data,
            today=self.built_at.date(),
            languages=self.languages,
            catalogues=self.site.strings.catalogues,
        )
        self.site.record_status = record_status(
            data, self.languages, f"content/{self.options['data_path']}"
        )
        # each page depends on what it asks of the records, not on all of them: after an edit
        # of one record, only the pages that show it are made again in the dev server
        share_tracked(self, "DIRECTORY", self.directory, self.directory.digest())
        share(self, "DIRECTORY_OPTIONS", self.options, inputs=self.options)
        self.base_map = self._base_map()
        size = {"width": self.base_map.width, "height": self.base_map.height}
        share(self, "DIRECTORY_MAP", size, inputs=size)
        # The menu and the footer links of every page (content/data/navigation.yaml).
        main, footer = data.navigation.main, data.navigation.footer
        share(self, "MAIN_NAVIGATION", main, inputs=main)
        share(self, "FOOTER_PAGES", footer, inputs=footer)
        share(self, "FEED_BASE_URL", public_url(self.settings), inputs=public_url(self.settings))
        logger.info(
            "directory: %r supporters, %r news items, %r events (today is %r)",
            len(data.supporters),
            len(data.news),
            len(data.events),
            self.built_at.date().isoformat(),
        )

    def _check_parent_pages(self) -> None:
        """Every kind of record with records needs its content page (the list's intro), and
        every page the navigation lists must exist in the source language."""
        data = self.directory.data
        problems = navigation.missing_pages(
            data.navigation,
            data.navigation_source,
            lambda path: self.tree.get(path, self.source_lang) is not None,
            self.source_lang,
        )
        for kind, (path, template) in PARENT_PAGES.items():
            if getattr(self.directory.data, kind) and self.tree.get(path, self.source_lang) is None:
                problems.append(
                    PortalError(
                        f"content/{self.source_lang}/{path}.md",
                        f"(file): missing; the {kind} of content/data/ are listed there "
                        f"(create it with the line `Template: {template}`)",
                    )
                )
        if problems:
            raise PortalErrors(problems)

    # -- writing -----------------------------------------------------------------------------

    def _declaration_digest(self) -> str:
        """Return a digest of everything the outputs' declarations are made from: the records,
        what the pages show of the page tree in each language, the interface strings, the
        build moment and the settings the outputs use."""
        digest = hashlib.sha256()
        digest.update(self.directory.digest().encode())
        for lang in self.languages:
            digest.update(f"{lang}:{self.tree.signature(lang)}\n".encode())
        shown = (
            self.site.strings_signature(),
            self.built_at.isoformat(),
            self.options,
            public_url(self.settings),
            self.settings["SITEURL"],
            self.settings.get("AUTHOR"),
        )
        digest.update(repr(shown).encode())
        return digest.hexdigest()

    def _here(
        self, lang, url_of, title, title_lang, real_langs, parent, path, record=None, modified=None
    ) -> Here:
        """Return the `Here` of a generated page; `record`: (kind, id) of the record it shows.

        A record's page in a language it has some text in is a page of that language: only
        its untranslated parts are in English (marked, and noted: `Here.partial`), and its
        translation's method and status give the machine and outdated notices, as a Markdown
        page's do. In a language it has no text in, it is an English fallback.
        """
        versions = [LanguageLink(code, url_of(code), code == lang) for code in real_langs]
        fallback = lang not in real_langs
        if (parent, lang) not in self.trails:  # the same for every page below `parent`
            self.trails[(parent, lang)] = trail(self.tree, parent, lang)
        entry = self.record_entries.get((*record, lang)) if record else None
        source = record is not None and lang == self.source_lang
        return Here(
            lang=lang,
            url=url_of(lang),
            title=title,
            title_lang=title_lang,
            versions=versions,
            breadcrumbs=list(self.trails[(parent, lang)]),
            fallback=fallback,
            canonical=url_of(self.source_lang) if fallback else url_of(lang),
            path=path,
            modified=modified,
            status=str(entry.status) if entry and entry.reason != "incomplete" else "",
            machine=bool(entry and entry.method == "machine"),
            original_url=url_of(self.source_lang) if record else "",
            partial=record is not None
            and not fallback
            and not source
            and bool(self.directory.data_record(*record).untranslated(lang)),
        )

    def _page(self, template: str, here: Here, **values) -> None:
        """Declare a page; generate_output writes them all, in this order."""
        if here.lang not in self.signatures:
            self.signatures[here.lang] = self.tree.signature(here.lang)
        self.pages.append(
            PageOutput(
                here.url + "index.html",
                template,
                dict(here=here, page_lang=here.lang, **values),
                # beyond the shared context (and what the template asks of DIRECTORY): what
                # the page shows of the other pages of its language, its place, and the
                # records it shows (entry, group, listing), by digest
                inputs=(
                    self.signatures[here.lang],
                    here,
                    {name: self._digest(value) for name, value in values.items()}
                    if self.keeps
                    else None,
                ),
            )
        )

    def _digest(self, value) -> str:
        """Return a digest of a page's record value (an entry, a group's facet, a listing) and
        of the records and entries in it, each made once per build: a record is in an entry
        per language, an entry in several lists, a list on several pages."""
        found = self.digests.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if is_dataclass(value):
            parts = (getattr(value, field.name) for field in fields(value))
            shown = f"{type(value).__name__}({self._parts(parts)})"
        elif isinstance(value, tuple):
            shown = f"({self._parts(value)})"
        else:
            shown = repr(value)
        digest = hashlib.sha256(shown.encode("utf-8")).hexdigest()
        self.digests[id(value)] = (value, digest)  # the value is held: its id stays its own
        return digest

    def _parts(self, items) -> str:
        """Return the parts of a value: records, entries and lists by their digest (made once),
        plain values (text, dates, a Localized text) as they are."""
        return "\0".join(
            self._digest(item)
            if is_dataclass(item) or isinstance(item, pydantic.BaseModel)
            or (isinstance(item, tuple) and item and not isinstance(item[0], str))
            else repr(item)
            for item in items
        )  # fmt: skip

    def _file(self, relative: str, make: Callable[[], bytes]) -> None:
        """Declare a feed, calendar or JSON file; `make` returns its bytes when it is written.

        They show the records (all of DIRECTORY's: its digest), the catalogues and the build
        moment (the feeds' dates), not the pages.
        """
        inputs = ("built at", self.built_at, self.directory.digest() if self.keeps else None)
        self.files.append(FileOutput(relative, make, inputs=inputs))

    def generate_output(self, writer):
        """Write every generated page and file, language by language."""
        self.tree = self.site.tree
        self._check_parent_pages()
        self.trails: dict[tuple[str, str], list[Crumb]] = {}
        self.pages: list[PageOutput] = []
        self.files: list[FileOutput] = []
        self.signatures: dict[str, str] = {}
        self.record_entries = {
            (entry.kind, entry.key, entry.lang): entry for entry in self.site.record_status
        }
        self.zones = TimeZones.for_events(self.directory.data.events.values())
        self.keeps = keeps_outputs(self.settings)
        self.digests: dict[int, tuple[object, str]] = {}
        previous = memory_slot(self.settings, "directory", lambda: [None])
        digest = self._declaration_digest() if keeps_outputs(self.settings) else ""
        if previous[0] is not None and previous[0].digest == digest:
            # Same records, pages, catalogues and settings as the last build of this Pelican
            # instance (the dev server after a Markdown edit): the same outputs, so their
            # 27,000 declarations are not made again; the engine keeps them.
            outputs = previous[0].outputs
        else:
            for lang in self.languages:
                self._write_supporter_pages(lang)
                self._write_news_pages(lang)
                self._write_event_pages(lang)
                self._write_feeds(lang)
            outputs = self.pages + self.files
        previous[0] = Declared(digest, outputs) if digest else None
        write(self, outputs)

    def _base_map(self) -> BaseMap:
        """Return the countries of the directory's map, drawn from the geographic data package.

        Kept between the builds of one Pelican instance while the data file is unchanged.
        """
        project = Path(self.settings.get("PROJECT_DIR") or Path.cwd())
        path = project / self.options["map_data"]
        try:
            stamp = (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        except OSError:
            stamp = None
        kept = memory_slot(self.settings, "directory-map", dict)
        if stamp is None or stamp not in kept:
            drawn = base_map(read_atlas(path))
            if stamp is None:
                return drawn
            kept.clear()
            kept[stamp] = drawn
        return kept[stamp]

    def _write_supporter_pages(self, lang: str) -> None:
        directory = self.directory
        if not directory.data.supporters:
            return
        for entry in directory.supporters(lang):
            supporter = entry.supporter
            here = self._here(
                lang,
                lambda code, s=supporter: urls.profile_url(code, s.id),
                supporter.name,
                lang,
                supporter.page_languages(self.languages),
                urls.DIRECTORY_PATH,
                f"{urls.DIRECTORY_PATH}/{supporter.id}",
                ("supporters", supporter.id),
                modified=max(supporter.joined, supporter.last_report or supporter.joined),
            )
            self._page("supporter", here, entry=entry)
        size = self.options["page_size"]
        for group in directory.groups(lang):
            url_of = {
                "country": urls.country_url,
                "type": urls.type_url,
                "status": urls.status_url,
                "report": urls.report_url,
            }[group.kind]
            label = group.label if group.kind == "country" else directory.gettext(lang, group.label)
            title = directory.gettext(lang, GROUP_TITLES[group.kind]) % {"name": label}
            for listing in listing_pages(group.entries, url_of(lang, group.key), size):
                self._listing_page(
                    lang,
                    lambda code, g=group, u=url_of: u(code, g.key),
                    title,
                    f"{urls.DIRECTORY_PATH}/{group.kind}/{group.key}",
                    group,
                    listing,
                )
        # the whole list: its first page is the directory page itself (a content page)
        page = self.tree.get(urls.DIRECTORY_PATH, lang)
        if page is not None:
            everyone = Group(
                "all", "", "", urls.directory_url(lang), tuple(directory.supporters(lang))
            )
            for listing in directory.listing(lang, size)[1:]:
                self._listing_page(
                    lang, urls.directory_url, page.title, urls.DIRECTORY_PATH, everyone, listing,
                    title_lang=page.title_lang,
                )  # fmt: skip
        siteurl = self.settings["SITEURL"]
        self._file(urls.index_url(lang), lambda: search_index(directory, lang, siteurl))
        base = self.base_map
        counts = directory.country_counts(lang)
        title = directory.gettext(lang, MAP_TITLE)
        self._file(
            urls.map_url(lang),
            lambda: map_svg(
                base,
                counts,
                {code: directory.number(count, lang) for code, count in counts.items()},
                {code: directory.country_name(code, lang) for code in counts},
                title,
                lang,
            ),
        )

    def _listing_page(self, lang, first_url_of, title, path, group, listing, title_lang=None):
        """Declare one page of a list of supporters; pages after the first say which they are."""
        number = listing.number
        if number > 1:
            page_text = self.directory.gettext(lang, PAGE_OF) % {
                "num": self.directory.number(number, lang),
                "total": self.directory.number(listing.count, lang),
            }
            title = f"{title} ({page_text})"
            path = f"{path}/page/{number}"

        def url_of(code):
            first = first_url_of(code)
            return first if number == 1 else urls.listing_page_url(first, number)

        here = self._here(
            lang, url_of, title, title_lang or lang, self.languages, urls.DIRECTORY_PATH, path
        )
        # the group as its pages show it (kind, counts), not all its entries: a page lists
        # only its own (listing), and is made again only when they or the counts change
        self._page("directory_group", here, group=Facet.of(group), listing=listing)

    def _write_news_pages(self, lang: str) -> None:
        for entry in self.directory.news(lang):
            item = entry.item
            here = self._here(
                lang,
                lambda code, i=item: urls.news_item_url(code, i.slug),
                entry.title.text,
                entry.title.lang,
                item.page_languages(self.languages),
                urls.NEWS_PATH,
                f"{urls.NEWS_PATH}/{item.slug}",
                ("news", item.slug),
                modified=item.date,
            )
            self._page("news_item", here, entry=entry)

    def _write_event_pages(self, lang: str) -> None:
        directory = self.directory
        if not directory.data.events:
            return
        entries = [*directory.upcoming_events(lang), *directory.past_events(lang)]
        base = public_url(self.settings)
        for entry in entries:
            event = entry.event
            here = self._here(
                lang,
                lambda code, e=event: urls.event_url(code, e.slug),
                entry.title.text,
                entry.title.lang,
                event.page_languages(self.languages),
                urls.CALENDAR_PATH,
                f"{urls.CALENDAR_PATH}/{event.slug}",
                ("events", event.slug),
                modified=event.published,
            )
            self._page("event", here, entry=entry)
            self._file(
                entry.ics_url,
                lambda entry=entry: build_calendar(
                    [entry], lang, base, entry.title.text, self.zones
                ),
            )
        name = directory.catalogue(lang).gettext("Covenant Supporters: events")
        self._file(
            urls.calendar_ics_url(lang),
            lambda: build_calendar(entries, lang, base, name, self.zones),
        )

    def _write_feeds(self, lang: str) -> None:
        base = public_url(self.settings)
        for link in self.directory.feeds(lang):
            self._file(
                link.url,
                lambda link=link: build_feed(
                    self.directory,
                    lang,
                    link.kind,
                    link.format,
                    base,
                    self.built_at,
                    self.options["feed_items"],
                    author=self.settings.get("AUTHOR"),
                ),
            )


GROUP_TITLES = {
    "country": N_("Supporters by country: %(name)s"),
    "type": N_("Supporters by type: %(name)s"),
    "status": N_("Supporters by status: %(name)s"),
    "report": N_("Supporters whose activity report is overdue"),
}
PAGE_OF = N_("Page %(num)s of %(total)s")
MAP_TITLE = N_("Covenant Supporters by country")


def install_structured_data(generator) -> None:
    """Give templates `structured_data(entry, here)`: the schema.org data of a record's page."""
    settings = generator.settings
    public = public_url(settings)

    def page_structured_data(entry, here):
        return structured_data.structured_data(entry, here, public, settings)

    generator.env.globals["structured_data"] = page_structured_data


def get_generators(pelican):
    """Add the directory generator (after the multilingual one, which builds PAGE_TREE)."""
    return DirectoryGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(install_structured_data)
    signals.get_generators.connect(get_generators)
