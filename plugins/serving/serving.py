"""Pelican wiring of what servers need: 404 pages, old addresses, server files, assets, media.

Writes, after every page: a 404 page per language and a multilingual /404.html, a redirect
page at each old portal address, ``_redirects``, ``_headers`` and ``.htaccess`` (from the one
serving policy), the theme's fingerprinted assets, and the images and documents of
content/media/ (resized images among them: portal_core/media.py), and the browser editor
(editor.py). The nginx configuration needs the document root, so `make nginx-conf` writes it
outside the site (see nginx.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from build_engine.front_door import FileOutput, PageOutput, write
from pelican import signals
from pelican.generators import Generator
from portal_core.errors import PortalError, PortalErrors
from portal_core.here import Here, home_crumbs
from portal_core.languages import endonym
from portal_core.media import MediaLibrary, media_outputs
from portal_core.site import site_of
from portal_core.strings import N_

from .apache import htaccess
from .assets import asset_names, asset_outputs, lookup_asset
from .editor import editor_outputs
from .policy import content_security_policy, serving_policy
from .static_hosts import headers_file, redirects_file

logger = logging.getLogger(__name__)

NOT_FOUND_TITLE = N_("Page not found")


def static_dir(settings) -> Path:
    """Return the theme's static folder."""
    return Path(settings["THEME"]) / "static"


def install_serving_globals(generator) -> None:
    """Give templates `asset(name)` (fingerprinted URL path) and the CSP for a <meta> element."""
    folder = static_dir(generator.settings)
    names = asset_names(folder)

    def asset(relative: str) -> str:
        return lookup_asset(names, relative, folder)

    generator.env.globals.update(
        {
            "asset": asset,
            "content_security_policy_meta": content_security_policy(for_meta=True),
        }
    )


class ServingGenerator(Generator):
    """Writes the 404 pages, the old addresses' redirect pages and the hosts' server files."""

    def generate_context(self):
        """Read the serving policy from the settings, and content/media/ (refusing what may
        not be served, each file with what to do)."""
        self.policy = serving_policy(self.settings)
        self.media = MediaLibrary.scan(
            Path(self.settings["PATH"]), tuple(self.settings["LANGUAGES"])
        )
        if self.media.problems:
            raise PortalErrors(self.media.problems)

    def _check_moves(self, tree) -> None:
        """Every old address must lead to a page that exists."""
        problems = []
        for path in sorted({redirect.path for redirect in self.policy.redirects}):
            if tree.get(path, self.settings["DEFAULT_LANG"]) is None:
                problems.append(
                    PortalError(
                        "pelicanconf.py",
                        f"MOVED_PAGES sends old addresses to page {path!r}, which does not "
                        f"exist (there is no content/{self.settings['DEFAULT_LANG']}/{path}.md); "
                        "fix the page path",
                    )
                )
        if problems:
            raise PortalErrors(problems)

    def not_found_pages(self, site) -> list[PageOutput]:
        """Return /<lang>/404.html in every language and the multilingual /404.html."""
        outputs = []
        for lang in site.languages:
            here = Here(
                lang=lang,
                url=f"{lang}/404.html",
                title=site.translator(lang)(NOT_FOUND_TITLE),
                title_lang=lang,
                versions=[],
                breadcrumbs=home_crumbs(site.tree, lang),
                noindex=True,
            )
            outputs.append(PageOutput(here.url, "not_found", dict(here=here, page_lang=lang)))
        messages = []
        for lang in site.languages:
            text = site.translator(lang)(NOT_FOUND_TITLE)
            translated = lang == site.source_lang or text != NOT_FOUND_TITLE
            messages.append((lang, endonym(lang), text if translated else None))
        root = dict(page_lang=site.source_lang, messages=messages)
        outputs.append(PageOutput("404.html", "not_found_root", root))
        return outputs

    def moved_pages(self, tree) -> list[PageOutput]:
        """Return a redirect page with rel=canonical at every old address."""
        return [
            PageOutput(
                redirect.source.lstrip("/"),
                "moved",
                dict(
                    page_lang=redirect.lang,
                    redirect=redirect,
                    target=tree.get(redirect.path, redirect.lang),
                ),
            )
            for redirect in self.policy.redirects
        ]

    def server_files(self) -> list[FileOutput]:
        """Return the files static hosts and Apache read."""
        files = {
            "_redirects": redirects_file(self.policy),
            "_headers": headers_file(self.policy),
            ".htaccess": htaccess(self.policy),
        }
        return [
            FileOutput(name, lambda text=text: text.encode("utf-8"), inputs=text)
            for name, text in files.items()
        ]

    def generate_output(self, writer):
        """Write the 404 pages, the redirect pages, the server files and the assets."""
        site = site_of(self.context)
        self._check_moves(site.tree)
        outputs = [
            *self.not_found_pages(site),
            *self.moved_pages(site.tree),
            *self.server_files(),
            *asset_outputs(static_dir(self.settings)),
            *(
                FileOutput(path, make, inputs=inputs)
                for path, make, inputs in media_outputs(self.media)
            ),
            *editor_outputs(self.settings, Path(self.settings.get("PROJECT_DIR", "."))),
        ]
        write(self, outputs)


def get_generators(pelican):
    """Add the serving generator."""
    return ServingGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(install_serving_globals)
    signals.get_generators.connect(get_generators)
