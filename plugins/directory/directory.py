"""Pelican wiring of the supporter directory, news, calendar, feeds and iCalendar files.

The logic lives in plain modules (site_data, supporters, news, events, directory_pages, feeds,
calendar_files); this module reads the settings, shares `DIRECTORY` with the templates and
writes the generated pages and files of every language.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pydantic
import ruamel.yaml
from fast_build.disk_cache import site_cache
from fast_build.options import options
from fast_build.output import (
    RenderJob,
    keeps_pages,
    shared_signature,
    write_files,
    write_pages,
)
from fast_build.workers import worker_count
from multilingual.errors import PortalError, PortalErrors
from multilingual.here import Crumb, Here, LanguageLink
from multilingual.multilingual import RUNTIME_KEY, catalogues
from pelican import signals
from pelican.generators import Generator

from . import data_loading, events, news, record_fields, site_data, supporters, urls
from .calendar_files import TimeZones, build_calendar
from .directory_pages import Directory
from .feeds import build_feed
from .search_index import search_index
from .site_data import build_moment, load_site_data

logger = logging.getLogger(__name__)

#: The last build's pages and files by output folder, and the digest of what they came from.
PREVIOUS_JOBS: dict[str, tuple[bytes | None, list, list, set]] = {}

#: The modules that read and check records: the record cache is emptied when one changes.
RECORD_CODE = (data_loading, record_fields, supporters, news, events, site_data)

#: DIRECTORY_SETTINGS in pelicanconf.py overrides these.
DEFAULT_SETTINGS = {
    "data_path": "data",  # below PATH: supporters/, news/ and events/
    "feed_items": 20,  # items per feed
    "home_news": 3,  # news items on each home page
    "home_events": 3,  # upcoming events on each home page
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
    return {**DEFAULT_SETTINGS, **given}


def public_url(settings: dict) -> str:
    """Return the absolute site address for feeds and calendars: SITEURL, else SITE_PUBLIC_URL."""
    return (settings.get("SITEURL") or settings.get("SITE_PUBLIC_URL") or "").rstrip("/")


def stop_build(problems: list[PortalError]) -> NoReturn:
    """Print every problem as ``file:line: message`` on stderr and stop with exit status 1.

    Pelican prints a traceback for any exception a generator raises; editors need the list
    of problems only, so this leaves through SystemExit, which Pelican does not catch.
    """
    count = len(problems)
    print(
        f"{count} problem{'s' if count != 1 else ''} in the site's data; the build stopped:",
        file=sys.stderr,
    )
    for problem in problems:
        print(str(problem), file=sys.stderr)
    raise SystemExit(1)


def trail(tree, parent_path: str, lang: str) -> list[Crumb]:
    """Return the breadcrumbs of a page below the content page `parent_path`."""
    variants = [*tree.breadcrumbs(parent_path, lang), tree.get(parent_path, lang)]
    return [Crumb(v.title, v.url, v.title_lang) for v in variants if v is not None]


class DirectoryGenerator(Generator):
    """Writes the directory, news and event pages, feeds and iCalendar files in every language."""

    def generate_context(self):
        """Load and check content/data/, and share the Directory with the templates.

        Problems in the data are printed one per line as ``file:line: field: message`` and the
        build stops with exit status 1, without a Python traceback.
        """
        try:
            self._load()
        except PortalErrors as errors:
            stop_build(errors.errors)
        except PortalError as error:
            stop_build([error])

    def _load(self) -> None:
        self.options = directory_settings(self.settings)
        tree = self.context.get("PAGE_TREE")
        if tree is None:
            raise PortalError(
                "pelicanconf.py", 'PLUGINS must list "multilingual" before "directory"'
            )
        cache = site_cache(
            self.settings,
            "directory-records",
            [module.__file__ for module in RECORD_CODE],
            (pydantic.VERSION, ruamel.yaml.__version__),
        )
        fast = options(self.settings)
        workers = worker_count(fast["workers"]) if fast["enabled"] else 1
        data_path = Path(self.settings["PATH"]) / self.options["data_path"]
        self.built_at = build_moment()
        data = load_site_data(data_path, cache, workers, today=self.built_at.date())
        if cache is not None:
            cache.save()
        self.languages = tuple(self.settings["LANGUAGES"])
        self.source_lang = self.settings["DEFAULT_LANG"]
        problems = []
        for kind, (path, template) in PARENT_PAGES.items():
            if getattr(data, kind) and tree.get(path, self.source_lang) is None:
                problems.append(
                    PortalError(
                        f"content/{self.source_lang}/{path}.md",
                        f"(file): missing; the {kind} of content/data/ are listed there "
                        f"(create it with the line `Template: {template}`)",
                    )
                )
        if problems:
            raise PortalErrors(problems)
        self.tree = tree
        self.directory = Directory(
            data=data,
            today=self.built_at.date(),
            languages=self.languages,
            catalogues=catalogues(self.context),
        )
        self.context["DIRECTORY"] = self.directory
        self.context["DIRECTORY_OPTIONS"] = self.options
        self.context["FEED_BASE_URL"] = public_url(self.settings)
        logger.info(
            "directory: %r supporters, %r news items, %r events (today is %r)",
            len(data.supporters),
            len(data.news),
            len(data.events),
            self.built_at.date().isoformat(),
        )

    # -- writing -----------------------------------------------------------------------------

    def _inputs(self, depends_on, covered) -> bytes:
        """Return a digest of everything the pages and files are made from (see generate_output):
        the shared context (DIRECTORY's records, settings, template and catalogue files), what
        the pages show of the page tree in each language, and the build moment."""
        digest = hashlib.sha256(shared_signature(self, depends_on, covered))
        for lang in self.languages:
            digest.update(f"{lang}:{self.tree.signature(lang)}\n".encode())
        digest.update(self.built_at.isoformat().encode())
        return digest.digest()

    def _here(self, lang, url_of, title, title_lang, real_langs, parent, path) -> Here:
        versions = [LanguageLink(code, url_of(code), code == lang) for code in real_langs]
        fallback = lang not in real_langs
        if (parent, lang) not in self.trails:  # the same for every page below `parent`
            self.trails[(parent, lang)] = trail(self.tree, parent, lang)
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
        )

    def _page(self, writer, template: str, here: Here, **values) -> None:
        """Queue a page; generate_output writes them all (in this order) with write_pages."""
        key = None
        if self.track:
            if here.lang not in self.signatures:
                self.signatures[here.lang] = self.tree.signature(here.lang)
            key = f"{template}|{self.signatures[here.lang]}|{here!r}"
        self.jobs.append(
            RenderJob(
                here.url + "index.html",
                self.get_template(template),
                dict(
                    here=here,
                    page_lang=here.lang,
                    relative_urls=self.settings["RELATIVE_URLS"],
                    url=here.url,
                    **values,
                ),
                key=key,
            )
        )

    def _file(self, relative: str, make: Callable[[], bytes]) -> None:
        """Queue a feed, calendar or JSON file; `make` returns its bytes when it is written.

        Pelican's writer renders only templates; write_files writes these (in workers).
        """
        if relative in self.written:
            raise PortalError(relative, "(file): written twice; two records share a name")
        self.written.add(relative)
        self.files.append((relative, make))

    def generate_output(self, writer):
        """Write every generated page and file, language by language."""
        self.written: set[str] = set()
        self.trails: dict[tuple[str, str], list[Crumb]] = {}
        self.jobs: list[RenderJob] = []
        self.files: list[tuple[str, Callable[[], bytes]]] = []
        # Render keys (what a page shows besides the shared context, in which the fast build
        # digests DIRECTORY) let the dev server keep unchanged pages.
        self.track, self.signatures = keeps_pages(writer), {}
        self.zones = TimeZones.for_events(self.directory.data.events.values())
        depends_on = [self.settings["TRANSLATIONS_PATH"]]
        covered = ("PAGE_TREE", RUNTIME_KEY, "TRANSLATION_STATUS")
        inputs = self._inputs(depends_on, covered) if self.track else None
        previous = PREVIOUS_JOBS.get(self.output_path)
        if inputs is not None and previous is not None and previous[0] == inputs:
            # Same records, pages, templates, catalogues and settings as the last build of
            # this process (the dev server after a Markdown edit): the same pages and files,
            # so their 27,000 descriptions are not made again; write_pages keeps them.
            self.jobs = previous[1]
            templates = {job.template.name for job in self.jobs}
            fresh = {name: self.get_template(name.removesuffix(".html")) for name in templates}
            for job in self.jobs:
                job.template = fresh[job.template.name]
            self.files, self.written = previous[2], previous[3]
        else:
            for lang in self.languages:
                self._write_supporter_pages(writer, lang)
                self._write_news_pages(writer, lang)
                self._write_event_pages(writer, lang)
                self._write_feeds(lang)
        PREVIOUS_JOBS[self.output_path] = (inputs, self.jobs, self.files, self.written)
        write_pages(self, writer, self.jobs, depends_on=depends_on, covered=covered)
        # Feeds, calendars and the filter index show the records (DIRECTORY in the shared
        # context), the catalogues and the build moment (feeds' dates), not the pages.
        files_key = f"built at {self.built_at.isoformat()}"
        write_files(self, self.files, files_key, depends_on=depends_on, covered=covered)

    def _write_supporter_pages(self, writer, lang: str) -> None:
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
                [code for code in self.languages if code in supporter.description],
                urls.DIRECTORY_PATH,
                f"{urls.DIRECTORY_PATH}/{supporter.id}",
            )
            self._page(writer, "supporter", here, entry=entry)
        for group in directory.groups(lang):
            url_of = {
                "country": urls.country_url,
                "type": urls.type_url,
                "status": urls.status_url,
            }[group.kind]
            label = group.label if group.kind == "country" else directory.gettext(lang, group.label)
            title = directory.gettext(lang, GROUP_TITLES[group.kind]) % {"name": label}
            here = self._here(
                lang,
                lambda code, g=group, u=url_of: u(code, g.key),
                title,
                lang,
                self.languages,
                urls.DIRECTORY_PATH,
                f"{urls.DIRECTORY_PATH}/{group.kind}/{group.key}",
            )
            self._page(writer, "directory_group", here, group=group)
        siteurl = self.settings["SITEURL"]
        self._file(urls.index_url(lang), lambda: search_index(directory, lang, siteurl))

    def _write_news_pages(self, writer, lang: str) -> None:
        for entry in self.directory.news(lang):
            item = entry.item
            here = self._here(
                lang,
                lambda code, i=item: urls.news_item_url(code, i.slug),
                entry.title.text,
                entry.title.lang,
                item.languages(self.languages),
                urls.NEWS_PATH,
                f"{urls.NEWS_PATH}/{item.slug}",
            )
            self._page(writer, "news_item", here, entry=entry)

    def _write_event_pages(self, writer, lang: str) -> None:
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
                event.languages(self.languages),
                urls.CALENDAR_PATH,
                f"{urls.CALENDAR_PATH}/{event.slug}",
            )
            self._page(writer, "event", here, entry=entry)
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


def N_(message: str) -> str:
    """Mark an interface string for extraction; it is translated where it is shown."""
    return message


GROUP_TITLES = {
    "country": N_("Supporters by country: %(name)s"),
    "type": N_("Supporters by type: %(name)s"),
    "status": N_("Supporters by status: %(name)s"),
}


def get_generators(pelican):
    """Add the directory generator (after the multilingual one, which builds PAGE_TREE)."""
    return DirectoryGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.get_generators.connect(get_generators)
