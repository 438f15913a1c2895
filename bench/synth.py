"""Synthetic sites for the benchmark: the shipped pages plus generated pages and supporters.

Everything is generated from a seeded random source, so the same options give the same files.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from multilingual.languages import EU_LANGUAGES

#: Letters used to make up words, so that every language's text has its own script and accents.
ALPHABETS = {
    "bg": "абвгдежзийклмнопрстуфхцчшщъюя",
    "el": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ",
    "cs": "abcčdeéěfghiíjklmnňoprřsštťuúůvyýzž",
    "da": "abcdefghijklmnoprstuvyæøå",
    "de": "abcdefghijklmnopqrstuvwxyzäöüß",
    "et": "abdeghijklmnoprstuvõäöü",
    "es": "abcdefghijlmnñopqrstuvyzáéíóú",
    "fi": "adehijklmnoprstuvyäö",
    "fr": "abcdefghijlmnopqrstuvxyzàâçéèêëîïôûù",
    "ga": "abcdefghilmnoprstuáéíóú",
    "hr": "abcčćdđefghijklmnoprsštuvzž",
    "hu": "abcdefghijklmnoprstuvzáéíóöőúüű",
    "it": "abcdefghilmnopqrstuvzàèéìòù",
    "lt": "abcdefghijklmnoprstuvyząčęėįšųūž",
    "lv": "abcdefghijklmnoprstuvzāčēģīķļņšūž",
    "mt": "abdefgħhijklmnopqrstuvwxzċġż",
    "nl": "abcdefghijklmnoprstuvwz",
    "pl": "abcdefghijklmnoprstuwyząćęłńóśźż",
    "pt": "abcdefghijlmnopqrstuvxzáâãàçéêíóôõú",
    "ro": "abcdefghijlmnoprstuvzăâîșț",
    "sk": "abcčdďefghiíjklľmnňoóprsštťuúvyýzž",
    "sl": "abcčdefghijklmnoprsštuvzž",
    "sv": "abdefghijklmnoprstuvyåäö",
}
DEFAULT_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
FACT_NAMES = ("helpdesk_email", "application_form_url", "office_url")


@dataclass(frozen=True)
class Scale:
    """How big a synthetic site is."""

    languages: int = 24
    supporters: int = 0
    pages: int = 50
    seed: int = 20240607

    def describe(self) -> str:
        """Return the scale in words, as the report prints it."""
        return (
            f"{self.languages} languages x {self.pages} extra Markdown pages, "
            f"{self.supporters} supporters"
        )


class Words:
    """Made-up words in the letters of one language."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        self.letters = ALPHABETS.get(lang, DEFAULT_ALPHABET)
        self.rng = rng

    def word(self) -> str:
        """Return one word of 2 to 11 letters."""
        return "".join(self.rng.choice(self.letters) for _ in range(self.rng.randint(2, 11)))

    def sentence(self, low: int = 6, high: int = 22) -> str:
        """Return a capitalised sentence ending in a full stop."""
        text = " ".join(self.word() for _ in range(self.rng.randint(low, high)))
        return text[:1].upper() + text[1:] + "."

    def paragraph(self) -> str:
        """Return a paragraph of two to six sentences."""
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))


def markdown_page(lang: str, number: int, count: int, rng: random.Random) -> str:
    """Return the Markdown of generated page `number` (of `count`) in `lang`.

    The page uses what editors use: metadata, headings, lists, a table, emphasis, links to
    other generated pages with ``{filename}`` and a fact placeholder.
    """
    words = Words(lang, rng)
    title = words.sentence(2, 6).rstrip(".")
    lines = [
        f"Title: {title} {number}",
        f"Summary: {words.sentence()}",
        "",
        words.paragraph(),
        "",
    ]
    for section in range(rng.randint(2, 4)):
        lines += [f"## {words.sentence(2, 5).rstrip('.')} {section + 1}", "", words.paragraph(), ""]
        if rng.random() < 0.6:
            lines += [f"- {words.sentence(3, 10)}" for _ in range(rng.randint(3, 7))] + [""]
        if rng.random() < 0.3:
            lines += [
                f"| {words.word()} | {words.word()} | {words.word()} |",
                "| --- | --- | ---: |",
                *(
                    f"| {words.word()} | *{words.word()}* | {rng.randint(1, 99999)} |"
                    for _ in range(rng.randint(2, 6))
                ),
                "",
            ]
    first, second = ((number + 1 + rng.randrange(max(count - 1, 1))) % count for _ in "ab")
    lines += [
        f"{words.sentence()} [{words.word()}]({{filename}}page-{first:04d}.md), "
        f"[{words.word()}]({{filename}}page-{second:04d}.md#{words.word()}) "
        f"**{words.word()}** <{{{{{rng.choice(FACT_NAMES)}}}}}>.",
        "",
    ]
    return "\n".join(lines)


def make_site(root: Path, project: Path, scale: Scale) -> Path:
    """Write a synthetic content folder under `root` and return it.

    It holds the shipped content (copied from `project`/content), `scale.pages` generated
    pages under ``bench/`` in each of the first `scale.languages` languages, and
    `scale.supporters` supporter records when the directory plugin can read them.
    """
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(project / "content", content)
    languages = EU_LANGUAGES[: scale.languages]
    if "en" not in languages:
        languages = ("en", *languages[:-1])
    for lang in languages:
        rng = random.Random(f"{scale.seed}-{lang}")
        folder = content / lang / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(scale.pages):
            text = markdown_page(lang, number, scale.pages, rng)
            (folder / f"page-{number:04d}.md").write_text(text, encoding="utf-8")
    return content


PLAIN_SETTINGS = '''"""Plain Pelican 4.12 on the benchmark's pages: default theme, no plugins.

Written by the benchmark. The URL scheme is the portal's, so both builds write the same pages.
"""

PATH = "content"
PAGE_PATHS = [""]
PAGE_EXCLUDES = ["data"]
ARTICLE_PATHS = []
STATIC_PATHS = []
PATH_METADATA = r"(?P<lang>[a-z]{{2}})/(?P<slug>.+)\\.md"
PAGE_URL = PAGE_LANG_URL = "{{lang}}/{{slug}}/"
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = "{{lang}}/{{slug}}/index.html"
PAGE_TRANSLATION_ID = "slug"
DEFAULT_LANG = "en"
SITENAME = "Plain Pelican"
SITEURL = ""
TIMEZONE = "Europe/Brussels"
PLUGINS = []
FEED_ALL_ATOM = None
DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# The portal's pages name templates of its own theme ("Template: sitemap"); in the default theme
# each of those names is the plain page template.
THEME_TEMPLATES_OVERRIDES = ["template-aliases"]
MARKDOWN = {markdown!r}
'''


def template_names(content: Path) -> set[str]:
    """Return the template names that pages ask for with a ``Template:`` line."""
    names = set()
    for source in content.rglob("*.md"):
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                if key.strip().lower() == "template":
                    names.add(value.strip())
    return names


def write_plain_settings(root: Path, content: Path, markdown: dict) -> Path:
    """Write the plain Pelican settings (and template aliases) for `content`; return the file."""
    aliases = root / "template-aliases"
    aliases.mkdir(exist_ok=True)
    for name in sorted(template_names(content)):
        (aliases / f"{name}.html").write_text('{% extends "page.html" %}\n', encoding="utf-8")
    settings = root / "plainconf.py"
    settings.write_text(PLAIN_SETTINGS.format(markdown=markdown), encoding="utf-8")
    return settings
