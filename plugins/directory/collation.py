"""Alphabetical order for each language, from ICU's CLDR collation (Swedish Å Ä Ö after Z).

Country names in Maltese and Irish begin with the definite article ("il-Belġju", "l-Awstrija";
"an Fhrainc", "an tSeicia", "na hOileáin Fhilipíneacha"). CLDR's collation sorts text as it is
(its Maltese tailoring orders the alphabet, ċ after c, għ after g, ħ after h, ż after z; Irish
has no tailoring), so such a list falls into runs by article: every "il-" together, then every
"l-". Readers look a country up by its noun, as Maltese and Irish dictionaries and gazetteers
list it; `name_sort_key` therefore drops the article, and in Irish the mutation the article
causes (the h of lenition, the t before s or a vowel, the h before a vowel), before ICU's
collation of the language compares them: "l-Awstrija, il-Belġju, Ċipru, id-Danimarka";
"an Bheilg" is filed under B, "an tSeicia" under S.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import icu

Item = TypeVar("Item")

#: The definite article before a name, with what it does to the name's first letters.
ARTICLES = {
    # il-, l- (before a vowel) and the assimilated forms iċ-, id-, in-, ir-, is-, it-, ix-,
    # iż-, iz-; capitalised at the start of a sentence
    "mt": re.compile(r"^(?:[Ii][lċdnrstxżz]|[Ll])-(?=\w)"),
    # an (singular), na (plural); then t- or t before s or a vowel, h before a vowel, or
    # lenition (an h after the first consonant)
    "ga": re.compile(r"^(?:[Aa]n|[Nn]a) (?:t-?(?=[SAEIOUÁÉÍÓÚ])|h-?(?=[AEIOUÁÉÍÓÚ]))?"),
}
_IRISH_LENITION = re.compile(r"^([BCDFGMPST])h")


def without_article(text: str, lang: str) -> str:
    """Return a name as readers of `lang` file it: without its definite article."""
    pattern = ARTICLES.get(lang)
    if pattern is None:
        return text
    match = pattern.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    if lang == "ga" and match.group().rstrip() in ("an", "An", "na", "Na"):
        rest = _IRISH_LENITION.sub(r"\1", rest)
    return rest


@cache
def collator(lang: str) -> icu.Collator:
    """Return ICU's collator for `lang` (built once per language; it holds no build state)."""
    return icu.Collator.createInstance(icu.Locale(lang))


def sort_key(lang: str) -> Callable[[str], bytes]:
    """Return a key function that orders text the way readers of `lang` expect."""
    return collator(lang).getSortKey


def name_sort_key(lang: str) -> Callable[[str], tuple[bytes, bytes]]:
    """Return a key function for place names in `lang`: by the name without its article,
    then by the whole name."""
    key = sort_key(lang)
    return lambda text: (key(without_article(text, lang)), key(text))


def sorted_for(
    items: Iterable[Item],
    lang: str,
    text: Callable[[Item], str],
    tie: Callable[[Item], str],
    names: bool = False,
) -> list[Item]:
    """Return `items` in the alphabetical order of `lang`, by `text`, then by `tie`.

    `names`: the texts are place names, filed without their article (`name_sort_key`).
    """
    key = name_sort_key(lang) if names else sort_key(lang)
    return sorted(items, key=lambda item: (key(text(item)), tie(item)))
