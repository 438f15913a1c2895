"""Site search: a search page per language, and Pagefind's index built after every build.

Pagefind indexes only elements marked ``data-pagefind-body``: base.html puts it on the main
content of real pages, so English fallbacks, 404 pages, search pages and editor-only pages
(``here.noindex``) stay out. It splits the index by ``<html lang>``, one index per language.
"""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import lxml.html
from multilingual.errors import PortalError, PortalErrors
from multilingual.here import Here, LanguageLink, home_crumbs
from multilingual.multilingual import translator
from pelican import signals
from pelican.generators import Generator

logger = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark an interface string for extraction; it is translated where it is used."""
    return message


SEARCH_TITLE = N_("Search")


def search_url(lang: str) -> str:
    """Return the URL (relative, no leading slash) of the search page in `lang`."""
    return f"{lang}/search/"


class SearchGenerator(Generator):
    """Writes /<lang>/search/ in every language."""

    def generate_context(self):
        """Nothing to read: the pages are the same in every language but for the interface."""

    def generate_output(self, writer):
        """Write the search page of every language."""
        tree = self.context["PAGE_TREE"]
        languages = self.settings["LANGUAGES"]
        for lang in languages:
            versions = [LanguageLink(code, search_url(code), code == lang) for code in languages]
            here = Here(
                lang=lang,
                url=search_url(lang),
                title=translator(self.context, lang)(SEARCH_TITLE),
                title_lang=lang,
                versions=versions,
                breadcrumbs=home_crumbs(tree, lang),
                noindex=True,
            )
            writer.write_file(
                here.url + "index.html",
                self.get_template("search"),
                self.context,
                here=here,
                page_lang=lang,
                relative_urls=self.settings["RELATIVE_URLS"],
                url=here.url,
            )


def pagefind_command(output: Path) -> list[str]:
    """Return the command that indexes the built site in `output`."""
    import pagefind_bin

    return [str(pagefind_bin.get_executable()), "--site", str(output), "--silent"]


def noindex_pages_marked_for_search(output: Path) -> list[Path]:
    """Return pages that tell robots "noindex" yet mark content for the site search."""
    found = []
    for file in sorted(Path(output).rglob("*.html")):
        text = file.read_text(encoding="utf-8", errors="replace")
        if "data-pagefind-body" not in text or "noindex" not in text:
            continue
        page = lxml.html.fromstring(text)
        robots = " ".join(page.xpath('//meta[@name="robots"]/@content')).lower()
        if "noindex" in robots and page.xpath("//*[@data-pagefind-body]"):
            found.append(file)
    return found


def sort_entry_file(path: Path) -> None:
    """Rewrite Pagefind's entry file with sorted keys, so equal input builds equal bytes.

    Pagefind writes its languages in hash-map order, which changes from run to run.
    """
    entry = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(
        json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )


def build_search_index(pelican) -> None:
    """Run Pagefind over the written site (``SEARCH_INDEX = False`` turns it off)."""
    if not pelican.settings.get("SEARCH_INDEX", True):
        return
    output = Path(pelican.output_path)
    leaking = noindex_pages_marked_for_search(output)
    if leaking:
        raise PortalErrors(
            [
                PortalError(
                    file,
                    "the page says noindex but base.html marked it for search; render it "
                    "with Here(noindex=True) instead of writing the robots <meta> yourself",
                )
                for file in leaking
            ]
        )
    try:
        command = pagefind_command(output)
    except (ImportError, FileNotFoundError):
        raise PortalError(
            "requirements.txt",
            "Pagefind is not installed; run `make deps` (package pagefind-bin)",
        ) from None
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise PortalError(output, f"Pagefind failed:\n{result.stdout}{result.stderr}")
    sort_entry_file(output / "pagefind" / "pagefind-entry.json")
    logger.info("search index written to %r", str(output / "pagefind"))


def get_generators(pelican):
    """Add the search page generator."""
    return SearchGenerator


def register():
    """Connect the handlers to Pelican's signals."""
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(build_search_index)
