"""Alphabetical order for each language, from ICU's CLDR collation (Swedish Å Ä Ö after Z)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import icu

Item = TypeVar("Item")


@cache
def collator(lang: str) -> icu.Collator:
    """Return ICU's collator for `lang` (built once per language; it holds no build state)."""
    return icu.Collator.createInstance(icu.Locale(lang))


def sort_key(lang: str) -> Callable[[str], bytes]:
    """Return a key function that orders text the way readers of `lang` expect."""
    return collator(lang).getSortKey


def sorted_for(
    items: Iterable[Item], lang: str, text: Callable[[Item], str], tie: Callable[[Item], str]
) -> list[Item]:
    """Return `items` in the alphabetical order of `lang`, by `text`, then by `tie`."""
    key = sort_key(lang)
    return sorted(items, key=lambda item: (key(text(item)), tie(item)))
