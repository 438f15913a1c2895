"""Open Graph and Twitter card metadata of a page: what a shared link shows.

Every page says what it is called and about (og:title, og:description), where it lives
(og:url: its canonical address, absolute), its language and the languages it is also
published in (og:locale and og:locale:alternate in Facebook's form, language_TERRITORY,
from CLDR), and the portal's picture (og:image, absolute, with its size and a description).
Twitter reads the Open Graph tags and needs only its card type and the picture's description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel.core import get_global
from portal_core import social_card
from portal_core.languages import FORMAT_LOCALES


@cache
def og_locale(lang: str) -> str:
    """Return the language_TERRITORY form of a language ("fi_FI"), from CLDR.

    The territory is the one whose conventions the site already writes dates in
    (FORMAT_LOCALES: en_IE, pt_PT), else CLDR's likeliest one for the language.
    """
    code = FORMAT_LOCALES.get(lang)
    if code is None:
        likely = get_global("likely_subtags")[lang]  # "fi_Latn_FI"
        code = f"{lang}_{likely.rsplit('_', 1)[1]}"
    return code


@dataclass(frozen=True)
class SharedPage:
    """What a shared link tells of its page."""

    title: str
    description: str
    path: str  # canonical address below the site's ("fi/supporters/"; "" for the root)
    lang: str
    languages: tuple[str, ...]  # every language the page is really published in
    kind: str = "website"  # og:type: "website", or "article" for news


@dataclass(frozen=True)
class MetaTag:
    """One <meta> element: Open Graph uses property=, Twitter name=."""

    attribute: str  # "property" or "name"
    key: str
    content: str


def open_graph(page: SharedPage, public: str, site_name: str, image_alt: str) -> list[MetaTag]:
    """Return the Open Graph and Twitter tags of a page, in the order <head> carries them."""
    tags = [
        ("og:type", page.kind),
        ("og:site_name", site_name),
        ("og:title", page.title),
        ("og:description", page.description or page.title),
        ("og:url", f"{public}/{page.path}"),
        ("og:locale", og_locale(page.lang)),
    ]
    tags += [
        ("og:locale:alternate", og_locale(lang)) for lang in page.languages if lang != page.lang
    ]
    tags += [
        ("og:image", social_card.url(public)),
        ("og:image:type", social_card.MEDIA_TYPE),
        ("og:image:width", str(social_card.WIDTH)),
        ("og:image:height", str(social_card.HEIGHT)),
        ("og:image:alt", image_alt),
    ]
    meta = [MetaTag("property", key, content) for key, content in tags]
    meta += [
        MetaTag("name", "twitter:card", "summary_large_image"),
        MetaTag("name", "twitter:image:alt", image_alt),
    ]
    return meta
