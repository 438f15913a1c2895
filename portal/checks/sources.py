"""Where a part of a built page came from: the page's Markdown file, a data record, or templates.

A page served at ``/<lang>/<path>/`` is made from ``content/<lang>/<path>.md``, or from the
English ``content/en/<path>.md`` when it is shown as an English fallback (its article then
carries ``lang="en"``): DESIGN.md, "Content layout mirrors English". Only the page's main
content element, ``<div class="page-body">`` (theme/templates/page.html), holds the Markdown's
HTML; everything else on the page comes from theme/templates/.

Supporter profiles, news items and events are made from one YAML record each
(``content/data/<kind>/<id>.yaml``); a value found on such a page that is written in its record
came from the record.

The line is found by searching the source for what the check found (a link's address, an
attribute): the k-th such element of the page's Markdown part is taken to be the k-th place
the source has it, since Markdown keeps the order of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from directory.urls import CALENDAR_PATH, DIRECTORY_PATH, NEWS_PATH

#: The class of the element that holds the page's Markdown, as HTML (theme/templates/page.html).
MARKDOWN_PART = "page-body"
#: Output folder of a record's page -> its folder under content/data/ (plugins/directory).
RECORD_PAGES = {DIRECTORY_PATH: "supporters", NEWS_PATH: "news", CALENDAR_PATH: "events"}
RECORD_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Source:
    """The file a part of a page came from, as the editor knows it, and the line if found."""

    path: str  # as shown to the editor: "content/en/credits.md"
    line: int | None
    kind: str  # "markdown" or "record"
    lang: str = ""  # the language of the Markdown text ("en" on an English fallback page)


def markdown_part(element):
    """Return the page's Markdown part the element is in (or is), or None."""
    for candidate in (element, *element.iterancestors()):
        if MARKDOWN_PART in (candidate.get("class") or "").split():
            return candidate
    return None


def nth_line(text: str, needle: str, index: int) -> int | None:
    """Return the line of the `index`-th place (0-based) `needle` is in `text` (any case).

    With fewer places than that, the first place is taken; None if there is none.
    """
    folded, needle = text.casefold(), needle.casefold()
    places = []
    start = folded.find(needle)
    while start >= 0:
        places.append(start)
        start = folded.find(needle, start + len(needle))
    if not places:
        return None
    place = places[index] if index < len(places) else places[0]
    return text.count("\n", 0, place) + 1


def rank(part, element, attribute: str | None) -> int:
    """Return how many elements like `element` come before it in `part`.

    Alike: the same value of `attribute`, or without one, the same tag.
    """
    if attribute is None:
        alike = (e for e in part.iter(element.tag))
    else:
        value = element.get(attribute)
        alike = (e for e in part.iter() if isinstance(e.tag, str) and e.get(attribute) == value)
    for index, candidate in enumerate(alike):
        if candidate is element:
            return index
    return 0


class ContentSources:
    """The content folder a site was built from, read on demand."""

    def __init__(self, content: Path) -> None:
        self.content = Path(content)
        self._texts: dict[Path, str | None] = {}

    def text(self, path: Path) -> str | None:
        """Return a source file's text, or None if it cannot be read."""
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = None
        return self._texts[path]

    def markdown_file(self, name: str, part) -> tuple[Path, str] | None:
        """Return the Markdown file page `name` was made from, and the language of its text.

        `name` is the page's output file (``fi/credits/index.html``); `part` its Markdown part.
        """
        parts = name.split("/")
        if len(parts) < 2 or parts[-1] != "index.html":
            return None
        path = "/".join(parts[1:-1]) or "index"
        # the language of the text: the fallback's article says lang="en", else <html lang>
        languages = part.xpath("ancestor-or-self::*[@lang][1]/@lang")
        lang = languages[0] if languages else parts[0]
        candidate = self.content / lang / f"{path}.md"
        return (candidate, lang) if self.text(candidate) is not None else None

    def record_file(self, name: str) -> Path | None:
        """Return the YAML record a profile, news or event page (``fi/news/x/index.html``) shows."""
        parts = name.split("/")
        if len(parts) < 3 or parts[-1] != "index.html":
            return None
        folder = RECORD_PAGES.get("/".join(parts[1:-2]))
        if folder is None:
            return None
        for suffix in RECORD_SUFFIXES:
            candidate = self.content / "data" / folder / f"{parts[-2]}{suffix}"
            if self.text(candidate) is not None:
                return candidate
        return None

    def locate(
        self, name: str, element, needle: str | None, attribute: str | None = None
    ) -> Source | None:
        """Return where `element` of page `name` came from, if not from the templates.

        `needle` is what to search the source for (a link's address, ``onclick=``...);
        `attribute` tells which elements are alike when the needle is in several places.
        """
        part = markdown_part(element)
        if part is not None:
            found = self.markdown_file(name, part)
            if found is None:
                return None
            path, lang = found
            text = self.text(path) or ""
            needles = [needle] if needle else []
            page_lang = name.split("/", 1)[0]
            if needle and lang != page_lang:
                # a fallback page's links to pages of the text's language point at the same
                # pages in the page's language (multilingual.here.localise_links)
                needles.append(needle.replace(f"/{page_lang}/", f"/{lang}/", 1))
            place = rank(part, element, attribute)
            lines = (nth_line(text, candidate, place) for candidate in needles)
            line = next((line for line in lines if line is not None), None)
            return Source(str(path), line, "markdown", lang)
        record = self.record_file(name)
        if record is None or not needle or not element.xpath("ancestor::main"):
            return None
        line = nth_line(self.text(record) or "", needle, 0)
        return Source(str(record), line, "record") if line else None
