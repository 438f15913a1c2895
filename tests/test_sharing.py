"""Good to share and find: Open Graph and Twitter tags, the preview picture, JSON-LD, <lastmod>.

Built on the fixture site with the directory overlay (supporters, news, events; one supporter
whose every field holds markup), at the directory tests' build date.
"""

from __future__ import annotations

import json
import struct
from datetime import date, datetime

import lxml.etree
import pytest
from conftest import EU_ORDER, Site, build_or_fail
from portal_core.structured_data import json_ld_script, json_ld_text
from sharing.open_graph import og_locale
from test_directory_build import EPOCH, PUBLIC, fixture_content

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
#: Facebook's locales (language_TERRITORY) of the 24 languages.
FACEBOOK_LOCALES = {
    "bg": "bg_BG", "es": "es_ES", "cs": "cs_CZ", "da": "da_DK", "de": "de_DE", "et": "et_EE",
    "el": "el_GR", "en": "en_IE", "fr": "fr_FR", "ga": "ga_IE", "hr": "hr_HR", "it": "it_IT",
    "lv": "lv_LV", "lt": "lt_LT", "hu": "hu_HU", "mt": "mt_MT", "nl": "nl_NL", "pl": "pl_PL",
    "pt": "pt_PT", "ro": "ro_RO", "sk": "sk_SK", "sl": "sl_SI", "fi": "fi_FI", "sv": "sv_SE",
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """The fixture site with directory data, built at 2026-11-30."""
    root = tmp_path_factory.mktemp("sharing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return Site(build_or_fail(fixture_content(root), root / "output"))


def meta(page, key: str) -> list[str]:
    """Return the contents of the <meta property|name=key> elements of a page's head."""
    return page.xpath(f'/html/head/meta[@property="{key}" or @name="{key}"]/@content')


def one(page, key: str) -> str:
    values = meta(page, key)
    assert len(values) == 1, (key, values)
    return values[0]


def shared_pages(site: Site) -> list:
    """Return every page but the old addresses' redirect pages, the multilingual 404 and the
    browser editor's (/admin/: Decap CMS, noindex, built when it is installed)."""
    return [
        file
        for file in site.html_files()
        if file.relative_to(site.root).parts[0] not in ("participation", "404.html", "admin")
    ]


# -- Open Graph and Twitter ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", EU_ORDER)
def test_open_graph_locales_are_facebooks_language_territory(lang):
    assert og_locale(lang) == FACEBOOK_LOCALES[lang]


def test_every_page_has_a_title_card(site):
    files = shared_pages(site)
    assert len(files) > 300
    for file in files:
        page = site.page(site.url_of(file))
        where = site.url_of(file)
        for key in ("og:type", "og:site_name", "og:title", "og:description", "og:url"):
            assert one(page, key).strip(), (where, key)
        assert one(page, "og:url").startswith(PUBLIC + "/"), where
        lang = page.get("lang")
        assert one(page, "og:locale") == FACEBOOK_LOCALES[lang], where
        assert one(page, "og:image") == f"{PUBLIC}/images/social-card.png", where
        assert (one(page, "og:image:width"), one(page, "og:image:height")) == ("1200", "630")
        assert one(page, "og:image:type") == "image/png"
        assert one(page, "og:image:alt").strip(), where
        assert one(page, "twitter:card") == "summary_large_image", where
        assert one(page, "twitter:image:alt") == one(page, "og:image:alt"), where


def test_title_card_speaks_the_pages_language_and_names_its_translations(site):
    page = site.page("/fi/supporters/")
    assert one(page, "og:title") == page.xpath("//h1")[0].text_content().strip()
    assert one(page, "og:description") == one(page, "description")
    assert one(page, "og:url") == f"{PUBLIC}/fi/supporters/"
    hreflangs = page.xpath('/html/head/link[@rel="alternate"][@hreflang]/@hreflang')
    real = sorted(FACEBOOK_LOCALES[lang] for lang in hreflangs if lang not in ("x-default", "fi"))
    assert sorted(meta(page, "og:locale:alternate")) == real == ["de_DE", "en_IE"]
    alt = one(page, "og:image:alt")
    assert alt.startswith("Aurinkopaneelein")  # the Finnish description of the picture


def test_a_fallback_page_points_its_card_at_the_original_and_names_only_real_versions(site):
    page = site.page("/fi/supporters/benefits/")  # only in English
    assert one(page, "og:url") == f"{PUBLIC}/en/supporters/benefits/"
    assert one(page, "og:locale") == "fi_FI"
    assert meta(page, "og:locale:alternate") == ["en_IE"]


def test_news_items_are_articles_other_pages_websites(site):
    assert one(site.page("/en/news/fixture-news-both/"), "og:type") == "article"
    assert one(site.page("/en/supporters/"), "og:type") == "website"
    assert one(site.page("/"), "og:type") == "website"


def test_the_language_chooser_has_a_card_naming_every_language(site):
    page = site.page("/")
    assert one(page, "og:url") == f"{PUBLIC}/"
    assert sorted(meta(page, "og:locale:alternate")) == ["de_DE", "fi_FI"]


def test_the_picture_is_a_png_of_the_size_the_pages_give(site):
    data = site.path("/images/social-card.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (1200, 630)
    assert len(data) < 300_000  # social sites take up to 5 MB; pages do not load it


# -- JSON-LD ------------------------------------------------------------------------------------


def json_ld(page) -> list[dict]:
    """Return the parsed JSON-LD blocks of a page."""
    return [json.loads(text) for text in page.xpath('//script[@type="application/ld+json"]/text()')]


def only_json_ld(site: Site, url: str) -> dict:
    blocks = json_ld(site.page(url))
    assert len(blocks) == 1, url
    assert blocks[0]["@context"] == "https://schema.org"
    return blocks[0]


def is_iso_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def assert_postal_address(address: dict, where: str) -> None:
    assert address["@type"] == "PostalAddress", where
    assert len(address["addressCountry"]) == 2 and address["addressCountry"].isupper(), where


def test_supporter_profile_is_an_organization(site):
    data = only_json_ld(site, "/fi/supporters/directory/sv-alfa/")
    assert data["@type"] == "Organization"
    page = site.page("/fi/supporters/directory/sv-alfa/")
    assert data["name"] == page.xpath("//h1")[0].text_content().strip()
    assert data["url"].startswith("https://")
    assert data["mainEntityOfPage"] == f"{PUBLIC}/fi/supporters/directory/sv-alfa/"
    assert_postal_address(data["address"], "sv-alfa")
    assert data["address"]["addressCountry"] == "SE"


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_event_has_what_search_engines_require(site, lang):
    url = f"/{lang}/calendar/fixture-upcoming/"
    data = only_json_ld(site, url)
    assert data["@type"] == "Event"
    # required: name, startDate, location (Place with address, or VirtualLocation with url)
    assert data["name"]
    assert data["startDate"] == "2026-12-10T10:00:00+02:00"
    assert data["endDate"] == "2026-12-10T12:00:00+02:00"
    assert is_iso_datetime(data["startDate"]) and is_iso_datetime(data["endDate"])
    places = [place for place in data["location"] if place["@type"] == "Place"]
    assert places and places[0]["name"] == "Hall <b>A</b>"  # text, as the record says
    assert_postal_address(places[0]["address"], url)
    assert places[0]["address"]["addressLocality"] == "Helsinki"
    # recommended
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["organizer"]["@type"] == "Organization" and data["organizer"]["name"]
    assert data["organizer"]["url"].startswith("https://")
    assert data["image"] == [f"{PUBLIC}/images/social-card.png"]
    assert data["description"].endswith("summary.") or data["description"].endswith("tiivistelmä.")
    assert data["inLanguage"] == url.split("/")[1]


def test_all_day_event_gives_its_days(site):
    data = only_json_ld(site, "/en/calendar/fixture-past/")
    assert (data["startDate"], data["endDate"]) == ("2026-05-01", "2026-05-02")
    assert data["organizer"]["name"]  # the office when no supporter organises it


def test_news_item_is_a_news_article(site):
    data = only_json_ld(site, "/fi/news/fixture-news-both/")
    assert data["@type"] == "NewsArticle"
    page = site.page("/fi/news/fixture-news-both/")
    assert data["headline"] == page.xpath("//h1")[0].text_content().strip()
    assert len(data["headline"]) <= 110
    assert data["datePublished"] == data["dateModified"] == "2026-11-01"
    assert date.fromisoformat(data["datePublished"])
    assert data["image"] == [f"{PUBLIC}/images/social-card.png"]
    assert data["author"][0]["@type"] == "Organization" and data["author"][0]["name"]
    assert data["publisher"]["name"] and data["publisher"]["url"].startswith("https://")
    assert data["inLanguage"] == "fi"


def test_markup_in_records_stays_inside_the_data_block(site):
    text = site.path("/en/supporters/directory/fi-xss/").read_text(encoding="utf-8")
    block = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert data["description"].startswith('<script>alert("xss")</script> Tags & "quotes"')
    assert data["name"] == "Kunta <b>Testi</b> ry"
    assert len(json_ld(site.page("/en/supporters/directory/fi-xss/"))) == 1


def test_json_ld_text_cannot_end_its_element():
    hostile = {"a": "</script><script>alert(1)</script>", "b": "<!-- & -->"}
    script = str(json_ld_script(hostile))
    inner = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "</" not in inner and "<!--" not in inner
    assert json.loads(inner) == hostile == json.loads(json_ld_text(hostile))
    assert str(json_ld_script(None)) == ""


def test_pages_of_no_record_carry_no_json_ld(site):
    assert json_ld(site.page("/en/supporters/")) == []
    assert json_ld(site.page("/en/supporters/directory/")) == []


# -- sitemaps' lastmod ---------------------------------------------------------------------------


def lastmods(site: Site, lang: str) -> dict[str, str | None]:
    """Return every listed address of a language's sitemap with its <lastmod> (or None)."""
    root = lxml.etree.parse(str(site.path(f"/sitemap-{lang}.xml")))
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.iterfind("s:url", SITEMAP_NS)
    }


def test_sitemap_lastmod_comes_from_the_records_own_dates(site):
    listed = lastmods(site, "en")
    assert listed["/en/news/fixture-news-both/"] == "2026-11-01"  # the item's date
    assert listed["/en/calendar/fixture-upcoming/"] == "2026-11-02"  # when it was announced
    assert listed["/en/supporters/directory/sv-alfa/"] == "2026-01-01"  # its last report
    assert listed["/en/supporters/directory/sv-aby/"] == "2025-03-01"  # joined, no report yet


def test_sitemap_lastmod_of_pages_is_their_modified_date(site, tmp_path):
    content = fixture_content(tmp_path)
    page = content / "fi" / "supporters.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("\n\n", "\nModified: 2026-10-05\n\n", 1), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        built = Site(build_or_fail(content, tmp_path / "output"))
    assert lastmods(built, "fi")["/fi/supporters/"] == "2026-10-05"
    assert one(built.page("/fi/supporters/"), "dcterms.modified") == "2026-10-05"
    assert lastmods(built, "en")["/en/supporters/"] is None  # says no date: none is made up
    assert not meta(built.page("/en/supporters/"), "dcterms.modified")


def test_every_lastmod_is_a_date_no_later_than_the_build(site):
    for lang in ("en", "fi", "de"):
        for loc, lastmod in lastmods(site, lang).items():
            if lastmod is not None:
                assert date.fromisoformat(lastmod) <= date(2026, 11, 30), (loc, lastmod)
