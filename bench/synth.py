"""Synthetic sites for the benchmark: the shipped pages plus generated pages and supporters.

Everything is generated from a seeded random source, so the same options give the same files.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from directory.record_translations import fields_source_text
from multilingual.translation_status import source_hash
from portal_core.languages import EU_LANGUAGES
from portal_core.translations import HASH_LENGTH, text_hash

#: Letters used to make up words, so that every language's text has its own script and accents.
ALPHABETS = {
    "bg": "абвгдежзийклмнопрстуфхцчшщъюя",
    "el": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ",
    "cs": "abcčdeéěfghiíjklmnňoprřsštťuúůvyýzž",
    "da": "abcdefghijklmnoprstuvyæøå",
    "de": "abcdefghijklmnopqrstuvwxyzäöüß",
    "et": "abdeghijklmnoprstuvõäöü",
    # Spanish without á é í ó ú: with every letter as likely as the next, they made a sixth of
    # the text, as in Hungarian and in no Spanish, and the build's language check (py3langid)
    # took 2 in 5 paragraphs for Hungarian; ñ keeps the text Spanish-looking.
    "es": "abcdefghijlmnñopqrstuvyz",
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
#: English (the other languages' letters are above). Without j, q, v, x and z, the rarest
#: letters of English: with them as likely as the others, py3langid took about 1 in 800
#: paragraphs for Maltese, and the build's language check refused them.
DEFAULT_ALPHABET = "abcdefghiklmnoprstuwy"
FACT_NAMES = ("helpdesk_email", "join_page_url", "office_url")  # confirmed FACTS (pelicanconf.py)


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


#: Made-up words per language. Text draws them by Zipf's law (the word of rank r about 1/r as
#: often as the commonest), as words occur in real text: 200 pages of a language use about
#: 8,000 different words (Heaps' law from the shipped pages, 515 to 748 words in 1,600 to
#: 2,600, gives 3,600 for English and 10,000 for Finnish). Until session 3 every word was new
#: letters: 60,000 different words per language, which made the search index (whose cost
#: grows with the words it holds) 3 to 4 times dearer than real pages make it.
VOCABULARY_SIZE = 12_000
_VOCABULARIES: dict[str, tuple[list[str], list[float]]] = {}


def vocabulary(lang: str) -> tuple[list[str], list[float]]:
    """Return the made-up words of `lang` (the same on every run) and their Zipf weights,
    cumulated."""
    if lang not in _VOCABULARIES:
        letters = ALPHABETS.get(lang, DEFAULT_ALPHABET)
        rng = random.Random(f"vocabulary-{lang}")
        words: dict[str, None] = {}
        while len(words) < VOCABULARY_SIZE:
            words["".join(rng.choice(letters) for _ in range(rng.randint(2, 11)))] = None
        cumulated, total = [], 0.0
        for rank in range(1, VOCABULARY_SIZE + 1):
            total += 1 / rank
            cumulated.append(total)
        _VOCABULARIES[lang] = (list(words), cumulated)
    return _VOCABULARIES[lang]


class Words:
    """Made-up words in the letters of one language, as often as words occur in real text."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        self.words, self.weights = vocabulary(lang)
        self.rng = rng

    def word(self) -> str:
        """Return one word of 2 to 11 letters."""
        return self.rng.choices(self.words, cum_weights=self.weights)[0]

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
    other generated pages with ``{filename}`` and a fact placeholder. Its shape (sections, lists
    and their items, tables, links) is the same in every language, as the build's parity check
    asks of a translation; only the words differ.
    """
    words = Words(lang, rng)
    layout = random.Random(f"layout-{number}")
    title = words.sentence(2, 6).rstrip(".")
    lines = [
        f"Title: {title} {number}",
        f"Summary: {words.sentence()}",
        "",
        words.paragraph(),
        "",
    ]
    for section in range(layout.randint(2, 4)):
        lines += [f"## {words.sentence(2, 5).rstrip('.')} {section + 1}", "", words.paragraph(), ""]
        if layout.random() < 0.6:
            lines += [f"- {words.sentence(3, 10)}" for _ in range(layout.randint(3, 7))] + [""]
        if layout.random() < 0.3:
            # No column alignment (---:): Python-Markdown writes it as style=, which the
            # content policy refuses in a page.
            lines += [
                f"| {words.word()} | {words.word()} | {words.word()} |",
                "| --- | --- | --- |",
                *(
                    f"| {words.word()} | *{words.word()}* | {layout.randint(1, 99999)} |"
                    for _ in range(layout.randint(2, 6))
                ),
                "",
            ]
    # Links and facts are the same in every language (translations keep the source's links).
    shared = random.Random(f"links-{number}")
    first, second = ((number + 1 + shared.randrange(max(count - 1, 1))) % count for _ in "ab")
    anchor, fact = f"part-{shared.randrange(9)}", shared.choice(FACT_NAMES)
    lines += [
        f"{words.sentence()} [{words.word()}]({{filename}}page-{first:04d}.md), "
        f"[{words.word()}]({{filename}}page-{second:04d}.md#{anchor}) "
        f"**{words.word()}** <{{{{{fact}}}}}>.",
        "",
    ]
    return "\n".join(lines)


SUPPORTER_TYPES = (
    "european-network",
    "national-association",
    "regional-association",
    "energy-agency",
    "other",
)
COUNTRIES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
             "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "NO",
             "UA", "GE")  # fmt: skip


def supporter_yaml(number: int, languages: tuple[str, ...], rng: random.Random) -> str:
    """Return the YAML record of generated supporter `number`, described in a few languages."""
    described = [
        "en",
        *rng.sample(
            [code for code in languages if code != "en"],
            k=min(len(languages) - 1, rng.randint(1, 6)),
        ),
    ]
    name = Words("en", rng).sentence(2, 5).rstrip(".") + f" {number}"
    kind, country = rng.choice(SUPPORTER_TYPES), rng.choice(COUNTRIES)
    city = Words("en", rng).word().title()
    signatories = rng.randint(1, 400)
    description = {code: Words(code, rng).paragraph() for code in described}
    # Each translation records how it was made and which English text it translates, as
    # make l10n-stamp writes it; the build refuses text in a language without such a note.
    hashed = text_hash(fields_source_text({"description": description}, ("description",)))
    lines = [
        "translations:",
        *(
            f"  {code}: {{method: {'machine' if number % 4 == 3 else 'human'}, "
            f'source: "{hashed[:HASH_LENGTH]}"}}'
            for code in described[1:]
        ),
        f"name: {json.dumps(name)}",
        f"type: {kind}",
        f"country: {country}",
        f"city: {json.dumps(city)}",
        f"website: https://supporter-{number}.example/",
        "contact:",
        f"  name: Contact Person {number}",
        "  position: Energy adviser",
        f"  email: contact-{number}@supporter-{number}.example",
        "head:",
        "  title: Director",
        f"  name: Head Person {number}",
        f"joined: {2012 + number % 13}-{1 + number % 12:02d}-{1 + number % 28:02d}",
        f"status: {'suspended' if number % 17 == 5 else 'active'}",
        *([f"last_report: 2025-{1 + number % 12:02d}-15"] if number % 3 else []),
        f"signatories: {signatories}",
        f"working_languages: [{', '.join(sorted(set(described[:3])))}]",
        "description:",
        *(
            f"  {code}: {json.dumps(text, ensure_ascii=False)}"
            for code, text in description.items()
        ),
    ]
    return "\n".join(lines) + "\n"


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
    sources = {}
    for lang in ("en", *(code for code in languages if code != "en")):
        rng = random.Random(f"{scale.seed}-{lang}")
        folder = content / lang / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(scale.pages):
            text = markdown_page(lang, number, scale.pages, rng)
            if lang == "en":
                sources[number] = text
            else:
                # a translation records how it was made and which English text it translates
                method = "machine" if number % 4 == 3 else "human"
                header, _, body = text.partition("\n\n")
                text = (
                    f"{header}\nTranslation-Method: {method}\n"
                    f"Source-Hash: {source_hash(sources[number])}\n\n{body}"
                )
            (folder / f"page-{number:04d}.md").write_text(text, encoding="utf-8")
    folder = content / "data" / "supporters"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{scale.seed}-supporters")
    for number in range(scale.supporters):
        text = supporter_yaml(number, EU_LANGUAGES, rng)
        (folder / f"bench-supporter-{number:04d}.yaml").write_text(text, encoding="utf-8")
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
