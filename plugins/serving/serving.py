"""Pelican wiring of what servers need: 404 pages, old addresses, server files, assets.

Writes, after every page: a 404 page per language and a multilingual /404.html, a redirect
page at each old portal address, ``_redirects``, ``_headers`` and ``.htaccess`` (from the one
serving policy), and the theme's fingerprinted assets. The nginx configuration needs the
document root, so `make nginx-conf` writes it outside the site (see nginx.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from multilingual.errors import PortalError, PortalErrors
from multilingual.here import Here, home_crumbs
from multilingual.languages import endonym
from multilingual.multilingual import translator
from pelican import signals
from pelican.generators import Generator

from .apache import htaccess
from .assets import asset_names, lookup_asset, write_assets
from .policy import content_security_policy, serving_policy
from .static_hosts import headers_file, redirects_file

logger = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark an interface string for extraction; it is translated where it is used."""
    return message


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
        """Read the serving policy from the settings."""
        self.policy = serving_policy(self.settings)

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

    def _write(self, writer, name: str, template: str, lang: str, **context) -> None:
        writer.write_file(
            name,
            self.get_template(template),
            self.context,
            page_lang=lang,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=name,
            **context,
        )

    def write_not_found_pages(self, writer, tree) -> None:
        """Write /<lang>/404.html in every language and the multilingual /404.html."""
        for lang in self.settings["LANGUAGES"]:
            gettext = translator(self.context, lang)
            here = Here(
                lang=lang,
                url=f"{lang}/404.html",
                title=gettext(NOT_FOUND_TITLE),
                title_lang=lang,
                versions=[],
                breadcrumbs=home_crumbs(tree, lang),
                noindex=True,
            )
            self._write(writer, here.url, "not_found", lang, here=here)
        messages = []
        for lang in self.settings["LANGUAGES"]:
            text = translator(self.context, lang)(NOT_FOUND_TITLE)
            translated = lang == self.settings["DEFAULT_LANG"] or text != NOT_FOUND_TITLE
            messages.append((lang, endonym(lang), text if translated else None))
        self._write(
            writer, "404.html", "not_found_root", self.settings["DEFAULT_LANG"], messages=messages
        )

    def write_moved_pages(self, writer, tree) -> None:
        """Write a redirect page with rel=canonical at every old address."""
        for redirect in self.policy.redirects:
            target = tree.get(redirect.path, redirect.lang)
            self._write(
                writer,
                redirect.source.lstrip("/"),
                "moved",
                redirect.lang,
                redirect=redirect,
                target=target,
            )

    def write_server_files(self) -> None:
        """Write the files static hosts and Apache read."""
        output = Path(self.output_path)
        files = {
            "_redirects": redirects_file(self.policy),
            "_headers": headers_file(self.policy),
            ".htaccess": htaccess(self.policy),
        }
        for name, text in files.items():
            (output / name).write_text(text, encoding="utf-8")
            logger.debug("wrote %r", name)

    def generate_output(self, writer):
        """Write the 404 pages, the redirect pages, the server files and the assets."""
        tree = self.context["PAGE_TREE"]
        self._check_moves(tree)
        self.write_not_found_pages(writer, tree)
        self.write_moved_pages(writer, tree)
        self.write_server_files()
        write_assets(static_dir(self.settings), Path(self.output_path))


def get_generators(pelican):
    """Add the serving generator."""
    return ServingGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.generator_init.connect(install_serving_globals)
    signals.get_generators.connect(get_generators)
