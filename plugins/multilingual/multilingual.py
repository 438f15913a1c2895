"""Pelican wiring of the multilingual site: pages, fallbacks, gettext, translation status.

The logic lives in plain modules (page_tree, here, catalogues, facts, translation_status,
link_parity); this module only connects them to Pelican's signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fast_build.output import RenderJob, keeps_pages, write_pages
from jinja2 import pass_context
from pelican import signals
from pelican.generators import Generator
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from .catalogues import interface_text, load_catalogues
from .conversion import Converted, convert_markdown
from .errors import PortalError
from .facts import substitute_facts
from .here import Crumb, Here, LanguageLink, here_for_variant, page_digest, render_key
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
    """Markdown reader that fills in the ``{{fact}}`` placeholders before converting.

    `converter`, when set (the fast_build plugin sets it), gives the prepared text (`text`) and
    converts it (`convert`) instead of a new Markdown instance per page; its results must equal
    `prepare`'s and `convert_markdown`'s.
    """

    converter = None

    def read(self, source_path):
        """Read one Markdown file; errors name the file and line."""
        self._source_path = source_path
        if self.converter is not None:
            converted = self.converter.convert(self.converter.text(source_path))
        else:
            converted = convert_markdown(
                self.prepare(source_path),
                self.settings["MARKDOWN"],
                self.settings["FORMATTED_FIELDS"],
            )
        metadata = self.metadata(converted) if converted.meta is not None else {}
        return converted.html, metadata

    def prepare(self, source_path) -> str:
        """Return the page's Markdown with facts filled in and ``{filename}`` links resolved."""
        try:
            with pelican_open(source_path) as text:
                raw = text
        except UnicodeDecodeError as error:
            raise PortalError(
                source_path, f"not valid UTF-8 (byte {error.start}); save the file as UTF-8"
            ) from None
        text = substitute_facts(raw, self.settings.get("FACTS", {}), source_path)
        return resolve_links(
            text,
            Path(source_path),
            Path(self.settings["PATH"]),
            self.settings["DEFAULT_LANG"],
            self.settings["SITEURL"],
        )

    def metadata(self, converted: Converted) -> dict:
        """Return the page's metadata as Pelican's Markdown reader makes it."""
        output = {}
        for name, value in converted.meta.items():
            name = name.lower()
            if name in converted.fields:
                output[name] = self.process_metadata(name, converted.fields[name])
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(value) > 1:
                    logger.warning(
                        "Duplicate definition of `%s` for %s. Using first one.",
                        name,
                        self._source_path,
                    )
                output[name] = self.process_metadata(name, value[0])
            elif len(value) > 1:
                output[name] = self.process_metadata(name, value)
            else:
                output[name] = self.process_metadata(name, value[0])
        return output


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


def memoised_gettext(gettext_of):
    """Return the ``gettext`` (and ``_``) of templates, remembering strings without variables.

    A call gives ``interface_text`` of the translation: escaped as text when autoescaping,
    with Markup variables kept and others escaped, always %-formatted (as Jinja's newstyle
    gettext, which marks the translation safe instead). The interface strings of a page are
    then looked up and formatted once per language and build instead of on every page
    (100,000 calls for the shipped site). `gettext_of(lang)` is the language's catalogue
    lookup. tests/test_multilingual_units.py compares it with Jinja's own over escaped text.
    """
    remembered: dict[tuple[str, bool, str], str] = {}

    @pass_context
    def gettext(__context, __string, **variables):
        lang = current_lang(__context)
        autoescape = __context.eval_ctx.autoescape
        key = (lang, autoescape, __string)
        if not variables and key in remembered:
            return remembered[key]
        rv = interface_text(gettext_of(lang)(__string), variables, autoescape)
        if not variables:
            remembered[key] = rv
        return rv

    return gettext


def interface_ngettext(ngettext_of: Callable[[str], Callable[[str, str, int], str]]) -> Callable:
    """Return the ``ngettext`` of templates: `ngettext_of(lang)`'s plural form as text.

    As Jinja's newstyle ngettext, `num` is a variable unless given, and the string is always
    %-formatted; the translation is escaped as text (``interface_text``), not marked safe.
    """

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        translation = ngettext_of(current_lang(__context))(__singular, __plural, __num)
        return interface_text(translation, variables, __context.eval_ctx.autoescape)

    return ngettext


def install_l10n(generator) -> None:
    """Give a generator's Jinja environment gettext, Babel filters and language helpers."""
    catalogues = _runtime(generator.context)["catalogues"]

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
    # Not install_gettext_callables: Jinja's newstyle wrappers mark every translation safe,
    # so markup in a msgstr would reach the page. Ours escape it (catalogues.interface_text).
    # `{% trans %}` blocks call these same globals; newstyle_gettext tells Jinja to leave the
    # %-formatting of their variables to them.
    env.newstyle_gettext = True
    text_gettext = memoised_gettext(lambda lang: catalogues[lang].gettext)
    text_ngettext = interface_ngettext(lambda lang: catalogues[lang].ngettext)
    # `_` is ours too: Jinja's alias would look `gettext` up again on every call.
    env.globals.update(gettext=text_gettext, _=text_gettext, ngettext=text_ngettext)
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
        relative_urls = self.settings["RELATIVE_URLS"]
        for lang in self.settings["LANGUAGES"]:
            endonym(lang)  # load CLDR names once here, not in every worker process
        track = keeps_pages(writer)  # compute render keys only when pages can be kept
        if track:
            signatures = {lang: self.tree.signature(lang) for lang in self.settings["LANGUAGES"]}
        digests = {}
        jobs = []
        for path in self.tree.paths():
            for lang in self.settings["LANGUAGES"]:
                variant = self.tree.get(path, lang)
                here = here_for_variant(self.tree, variant, siteurl)
                key = None
                if track:
                    if id(variant.page) not in digests:
                        digests[id(variant.page)] = page_digest(variant.page)
                    key = render_key(here, digests[id(variant.page)], signatures[lang])
                jobs.append(
                    RenderJob(
                        variant.url + "index.html",
                        self.get_template(variant.page.template),
                        dict(
                            page=variant.page,
                            here=here,
                            page_lang=lang,
                            relative_urls=relative_urls,
                            url=variant.url,
                        ),
                        key=key,
                    )
                )
        write_pages(
            self,
            writer,
            jobs,
            depends_on=[self.settings["TRANSLATIONS_PATH"]],
            # in the keys (the tree), in the catalogues' files (the runtime), or shown only
            # on the status page, which is written apart (the status)
            covered=("PAGE_TREE", RUNTIME_KEY, "TRANSLATION_STATUS"),
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
