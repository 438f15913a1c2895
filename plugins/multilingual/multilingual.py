"""Pelican wiring of the multilingual site: pages, fallbacks, gettext, translation status.

The logic lives in plain modules (page_tree, here, catalogues, facts, translation_status,
link_parity); this module only connects them to Pelican's signals.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import pass_context
from markdown import Markdown
from pelican import signals
from pelican.generators import Generator
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from .catalogues import load_catalogues
from .errors import PortalError
from .facts import substitute_facts
from .here import Crumb, Here, LanguageLink, here_for_variant
from .languages import endonym, format_locale, language_name
from .link_parity import check_tree_links
from .links import resolve_links
from .page_tree import build_tree, page_path
from .translation_status import (
    apply_status,
    catalogue_report,
    compute_status,
    json_text,
    tree_records,
)

logger = logging.getLogger(__name__)

RUNTIME_KEY = "_MULTILINGUAL"
STATUS_URL = "translation-status/"  # the editors' status page, kept out of navigation
STATUS_JSON = "translation-status.json"


class FactsMarkdownReader(MarkdownReader):
    """Markdown reader that fills in the ``{{fact}}`` placeholders before converting."""

    def read(self, source_path):
        """Read one Markdown file; errors name the file and line."""
        self._source_path = source_path
        try:
            with pelican_open(source_path) as text:
                raw = text
        except UnicodeDecodeError as error:
            raise PortalError(
                source_path, f"not valid UTF-8 (byte {error.start}); save the file as UTF-8"
            ) from None
        text = substitute_facts(raw, self.settings.get("FACTS", {}), source_path)
        text = resolve_links(
            text,
            Path(source_path),
            Path(self.settings["PATH"]),
            self.settings["DEFAULT_LANG"],
            self.settings["SITEURL"],
        )
        self._md = Markdown(**self.settings["MARKDOWN"])
        content = self._md.convert(text)
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        return content, metadata


def current_lang(context) -> str:
    """Return the language of the page a template is rendering."""
    return context.get("page_lang") or context["DEFAULT_LANG"]


def _runtime(context: dict) -> dict:
    """Return this build's catalogues, loaded once per run (so --autoreload sees changes)."""
    runtime = context.get(RUNTIME_KEY)
    if runtime is None:
        catalogues = load_catalogues(
            Path(context["TRANSLATIONS_PATH"]),
            tuple(context["LANGUAGES"]),
        )
        runtime = {"catalogues": catalogues}
        context[RUNTIME_KEY] = runtime
    return runtime


def catalogues(context: dict) -> dict:
    """Return this build's compiled gettext catalogues by language (for text outside templates)."""
    return _runtime(context)["catalogues"]


def translator(context: dict, lang: str):
    """Return the gettext function of `lang`'s interface catalogue (for generators' own pages)."""
    return catalogues(context)[lang].gettext


def install_l10n(generator) -> None:
    """Give a generator's Jinja environment gettext, Babel filters and language helpers."""
    catalogues = _runtime(generator.context)["catalogues"]

    @pass_context
    def gettext(context, message):
        return catalogues[current_lang(context)].gettext(message)

    @pass_context
    def ngettext(context, singular, plural, n):
        return catalogues[current_lang(context)].ngettext(singular, plural, n)

    @pass_context
    def date_filter(context, value, format="long"):
        return format_date(value, format=format, locale=format_locale(current_lang(context)))

    @pass_context
    def datetime_filter(context, value, format="medium"):
        return format_datetime(value, format=format, locale=format_locale(current_lang(context)))

    @pass_context
    def number_filter(context, value):
        return format_decimal(value, locale=format_locale(current_lang(context)))

    @pass_context
    def language_name_in_page(context, code):
        return language_name(code, current_lang(context))

    @pass_context
    def template_name(context):
        # the template being rendered ("page" for page.html, also inside base.html), so that
        # <body class="template-..."> tells checks and stylesheets which template made a page
        return context.name.rsplit("/", 1)[-1].split(".", 1)[0]

    env = generator.env
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters.update(
        {
            "format_date": date_filter,
            "format_datetime": datetime_filter,
            "format_number": number_filter,
            "language_name": language_name_in_page,
        }
    )
    env.globals.update({"endonym": endonym, "template_name": template_name})


def check_page_location(content) -> None:
    """Reject content outside a language folder; give each language's home page its URL."""
    settings = content.settings
    if content.source_path is None or "LANGUAGES" not in settings:
        return
    relative = content.relative_source_path
    lang, path = page_path(relative, tuple(settings["LANGUAGES"]), content.source_path)
    if path == "index":
        content.override_url = f"{lang}/"


class MultilingualGenerator(Generator):
    """Writes every page in every language (real or English fallback) and the root chooser."""

    def generate_context(self):
        """Build the page tree from the pages Pelican read, and share it with templates."""
        pages = []
        for page in self.context.get("pages", []):
            pages.append(page)
            pages.extend(page.translations)
        languages = tuple(self.settings["LANGUAGES"])
        source_lang = self.settings["DEFAULT_LANG"]
        self.tree = build_tree(pages, languages, source_lang)
        self.status = compute_status(
            tree_records(self.tree),
            languages,
            source_lang,
            catalogue_report(Path(self.settings["TRANSLATIONS_PATH"]), languages),
        )
        apply_status(self.tree, self.status)
        check_tree_links(self.tree, self.status, self.settings["SITEURL"])
        self.context["PAGE_TREE"] = self.tree
        self.context["TRANSLATION_STATUS"] = self.status

    def generate_output(self, writer):
        """Write each page variant, then the language chooser at the site root."""
        siteurl = self.settings["SITEURL"]
        for path in self.tree.paths():
            for lang in self.settings["LANGUAGES"]:
                variant = self.tree.get(path, lang)
                here = here_for_variant(self.tree, variant, siteurl)
                writer.write_file(
                    variant.url + "index.html",
                    self.get_template(variant.page.template),
                    self.context,
                    page=variant.page,
                    here=here,
                    page_lang=lang,
                    relative_urls=self.settings["RELATIVE_URLS"],
                    url=variant.url,
                )
        self.write_translation_status(writer)
        writer.write_file(
            "index.html",
            self.get_template("root"),
            self.context,
            page_lang=self.settings["DEFAULT_LANG"],
            relative_urls=self.settings["RELATIVE_URLS"],
            url="",
        )

    def write_translation_status(self, writer) -> None:
        """Write the editors' status page (HTML, English, noindex) and the same data as JSON."""
        source_lang = self.settings["DEFAULT_LANG"]
        url = STATUS_URL
        home = self.tree.get("index", source_lang)
        here = Here(
            lang=source_lang,
            url=url,
            title="Translation status",
            title_lang=source_lang,
            versions=[LanguageLink(source_lang, url, current=True)],
            breadcrumbs=[Crumb(home.title, home.url, source_lang)] if home else [],
            noindex=True,
        )
        writer.write_file(
            url + "index.html",
            self.get_template("translation_status"),
            self.context,
            here=here,
            page_lang=source_lang,
            report=self.status,
            status_json=STATUS_JSON,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=url,
        )
        target = Path(self.output_path) / STATUS_JSON
        target.write_text(json_text(self.status), encoding="utf-8")
        logger.info("Wrote %r and %r", url, STATUS_JSON)


def get_generators(pelican):
    """Add the multilingual generator after Pelican's own."""
    return MultilingualGenerator


def add_reader(readers) -> None:
    """Read Markdown with fact placeholders."""
    for extension in FactsMarkdownReader.file_extensions:
        readers.reader_classes[extension] = FactsMarkdownReader


def register():
    """Connect the handlers to Pelican's signals."""
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(install_l10n)
    signals.content_object_init.connect(check_page_location)
    signals.get_generators.connect(get_generators)
