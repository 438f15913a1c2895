"""Pelican wiring of the multilingual site: every page in every language, translation status.

The logic lives in portal_core (page tree, `Here`) and in this package's plain modules
(translation_status, link_parity); this module reads the pages Pelican found into the page
tree, gives it to the build's `Site`, and declares the pages to the build engine.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from build_engine.front_door import FileOutput, PageOutput, memory_slot, share, write
from pelican import signals
from pelican.generators import Generator
from portal_core.errors import PortalError, PortalErrors
from portal_core.here import Crumb, Here, LanguageLink, here_for_variant, page_digest
from portal_core.language_check import Verdicts
from portal_core.languages import endonym
from portal_core.page_metadata import parse_page
from portal_core.page_tree import build_tree, page_path
from portal_core.site import site_of

from .link_parity import check_tree_links
from .page_language import check_page_languages
from .prose_facts import check_prose
from .translation_status import (
    apply_status,
    catalogue_report,
    compute_status,
    json_text,
    tree_records,
)

logger = logging.getLogger(__name__)

STATUS_URL = "translation-status/"  # the editors' status page, kept out of navigation
STATUS_JSON = "translation-status.json"


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
        self.check_templates(pages)
        languages = tuple(self.settings["LANGUAGES"])
        verdicts = memory_slot(self.settings, "page-languages", lambda: Verdicts(languages))
        problems = check_page_languages(pages, languages, verdicts)
        if problems:
            raise PortalErrors(problems)
        source_lang = self.settings["DEFAULT_LANG"]
        self.tree = build_tree(pages, languages, source_lang)
        self.status = compute_status(
            tree_records(self.tree),
            languages,
            source_lang,
            catalogue_report(
                Path(self.settings["TRANSLATIONS_PATH"]),
                languages,
                memory_slot(self.settings, "catalogues-read", dict),
            ),
        )
        apply_status(self.tree, self.status)
        check_tree_links(self.tree, self.status, self.settings["SITEURL"])
        problems = check_prose(self.tree, self.status, Path(self.settings["PATH"]))
        if problems:
            raise PortalErrors(problems)
        site_of(self.context).tree = self.tree
        # Each page declares what it shows of the tree (its language's signature) and of the
        # status (its own, in its Here); the status page is made every build.
        share(self, "PAGE_TREE", self.tree, inputs=None)
        share(self, "TRANSLATION_STATUS", self.status, inputs=None)

    def check_templates(self, pages) -> None:
        """Refuse a page whose `Template:` names a template the theme does not have."""
        known = set(self.env.list_templates())
        extensions = self.settings["TEMPLATE_EXTENSIONS"]
        problems = []
        for page in pages:
            name = page.template
            if any(f"{name}{extension}" in known for extension in extensions):
                continue
            source = Path(page.source_path)
            line = parse_page(source.read_text(encoding="utf-8")).line_of("template")
            problems.append(
                PortalError(
                    source,
                    f"template not found: Template: {name} names no template of the theme "
                    f"(there is no theme/templates/{name}.html); use an existing one, such as "
                    "page, or add that file",
                    line,
                )
            )
        if problems:
            raise PortalErrors(problems)

    def generate_output(self, writer):
        """Write each page variant, the editors' status page, and the language chooser."""
        siteurl = self.settings["SITEURL"]
        for lang in self.settings["LANGUAGES"]:
            endonym(lang)  # load CLDR names once here, not in every worker process
        signatures = {lang: self.tree.signature(lang) for lang in self.settings["LANGUAGES"]}
        digests: dict[int, str] = {}
        outputs = []
        for path in self.tree.paths():
            for lang in self.settings["LANGUAGES"]:
                variant = self.tree.get(path, lang)
                here = here_for_variant(self.tree, variant, siteurl)
                if id(variant.page) not in digests:
                    digests[id(variant.page)] = page_digest(variant.page)
                outputs.append(
                    PageOutput(
                        variant.url + "index.html",
                        variant.page.template,
                        dict(page=variant.page, here=here, page_lang=lang),
                        # the page's text (which also decides here.html), what it shows of the
                        # other pages of its language, and everything else in `here`
                        inputs=(
                            digests[id(variant.page)],
                            signatures[lang],
                            replace(here, html=""),
                        ),
                    )
                )
        outputs += self.translation_status_outputs()
        outputs.append(
            PageOutput("index.html", "root", dict(page_lang=self.settings["DEFAULT_LANG"]))
        )
        write(self, outputs)

    def translation_status_outputs(self) -> list:
        """Return the editors' status page (HTML, English, noindex) and the same data as JSON."""
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
        status = self.status
        status.add_records(site_of(self.context).record_status)
        return [
            PageOutput(
                url + "index.html",
                "translation_status",
                dict(here=here, page_lang=source_lang, report=status, status_json=STATUS_JSON),
            ),
            FileOutput(STATUS_JSON, lambda: json_text(status).encode("utf-8")),
        ]


def get_generators(pelican):
    """Add the multilingual generator after Pelican's own."""
    return MultilingualGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.content_object_init.connect(check_page_location)
    signals.get_generators.connect(get_generators)
