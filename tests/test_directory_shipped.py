"""The shipped sample data and the directory, news, calendar and feeds it gives in 24 languages."""

from __future__ import annotations

from datetime import date

import feedparser
import icalendar
import lxml.etree
import pytest
from conftest import EU_ORDER, PROJECT
from directory.site_data import load_site_data
from directory.supporters import Status, SupporterType, is_report_overdue
from portal_core.languages import EU_LANGUAGES

EU_COUNTRIES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip
BUILD_DAY = date(2026, 11, 30)  # the SOURCE_DATE_EPOCH of the test builds


@pytest.fixture(scope="module")
def sample():
    return load_site_data(PROJECT / "content" / "data")


def test_sample_data_is_broad_enough(sample):
    supporters = list(sample.supporters.values())
    countries = {s.country for s in supporters}
    assert len(supporters) >= 40
    assert len(countries) >= 20
    assert countries - EU_COUNTRIES >= {"NO", "UA", "CH"}
    assert {s.type for s in supporters} == set(SupporterType)
    assert {s.status for s in supporters} == set(Status)
    overdue = [s.id for s in supporters if is_report_overdue(s, BUILD_DAY)]
    assert 0 < len(overdue) < len(supporters)
    assert len(sample.news) >= 10
    assert len(sample.events) >= 8
    assert any(e.is_upcoming(BUILD_DAY) for e in sample.events.values())
    assert any(not e.is_upcoming(BUILD_DAY) for e in sample.events.values())


def test_sample_text_is_in_english_and_finnish(sample):
    for supporter in sample.supporters.values():
        assert {"en", "fi"} <= set(supporter.description), supporter.id
    for item in [*sample.news.values(), *sample.events.values()]:
        assert item.written_in("en") and item.written_in("fi")


def test_sample_uses_example_domains_only(sample):
    for supporter in sample.supporters.values():
        assert supporter.website.host.endswith(".example"), supporter.id
        assert supporter.contact.email.endswith(".example"), supporter.id


def test_directory_pages_exist_in_every_language(shipped_site, sample):
    countries = {s.country.lower() for s in sample.supporters.values()}
    types = {s.type.value for s in sample.supporters.values()}
    for lang in EU_ORDER:
        assert shipped_site.exists(f"/{lang}/supporters/directory/")
        for supporter_id in sample.supporters:
            assert shipped_site.exists(f"/{lang}/supporters/directory/{supporter_id}/")
        for country in countries:
            assert shipped_site.exists(f"/{lang}/supporters/directory/country/{country}/")
        for kind in types:
            assert shipped_site.exists(f"/{lang}/supporters/directory/type/{kind}/")
        for slug in sample.news:
            assert shipped_site.exists(f"/{lang}/news/{slug}/")
        for slug in sample.events:
            assert shipped_site.exists(f"/{lang}/calendar/{slug}/")
            assert shipped_site.exists(f"/{lang}/calendar/{slug}.ics")


def test_directory_counts_every_supporter(shipped_site, sample):
    page = shipped_site.page("/en/supporters/directory/")
    rows = page.xpath('//table[@id="supporter-table"]/tbody/tr')
    assert len(rows) == len(sample.supporters)
    heading = page.xpath('//*[@id="directory-count"]')[0].text_content()
    assert heading == f"{len(sample.supporters)} Covenant Supporters"


def test_directory_is_linked_from_navigation_and_home(shipped_site):
    for lang in EU_ORDER:
        nav = shipped_site.page(f"/{lang}/").xpath('//nav[@class="main-nav"]//a/@href')
        assert f"/{lang}/supporters/directory/" in nav
        home = shipped_site.page(f"/{lang}/").xpath('//p[@class="home-directory"]/a/@href')
        assert home == [f"/{lang}/supporters/directory/"]


def test_every_shipped_feed_parses(shipped_site):
    for lang in EU_LANGUAGES:
        for kind in ("news", "events", "supporters"):
            for fmt in ("rss", "atom"):
                parsed = feedparser.parse(
                    shipped_site.path(f"/{lang}/feeds/{kind}.{fmt}.xml").read_bytes()
                )
                assert not parsed.bozo, (lang, kind, fmt, parsed.bozo_exception)
                assert parsed.feed.title
                assert parsed.entries, (lang, kind, fmt)  # no feed is empty


def test_every_profile_page_is_in_its_languages_sitemap(shipped_site):
    """A profile is a page of every language (facts and labels translated), whatever its
    description is written in."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    ids = sorted(path.stem for path in (PROJECT / "content/data/supporters").glob("*.yaml"))
    for lang in EU_LANGUAGES:
        sitemap = lxml.etree.parse(str(shipped_site.path(f"/sitemap-{lang}.xml")))
        listed = set(sitemap.xpath("//s:loc/text()", namespaces=namespace))
        for supporter in ids:
            assert f"/{lang}/supporters/directory/{supporter}/" in listed, (lang, supporter)


def test_every_shipped_calendar_file_parses(shipped_site):
    files = sorted(shipped_site.root.glob("*/calendar/*.ics"))
    assert len(files) >= 24 * 9
    for file in files:
        calendar = icalendar.Calendar.from_ical(file.read_bytes())
        assert calendar.walk("VEVENT"), file


def test_every_record_is_in_the_language_of_each_feed_and_sitemap(shipped_site, sample):
    """The shipped records are written in all 24 languages (issue #15): no feed entry falls back
    to English, and every news item and event page is a page of its language."""
    namespace = {
        "a": "http://www.w3.org/2005/Atom",
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    }
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for lang in EU_LANGUAGES:
        for kind in ("news", "events", "supporters"):
            feed = lxml.etree.parse(str(shipped_site.path(f"/{lang}/feeds/{kind}.atom.xml")))
            entries = feed.xpath("//a:entry", namespaces=namespace)
            assert entries, (lang, kind)
            marked = [e for e in feed.iter() if e.get(xml_lang) not in (None, lang)]
            assert not marked, (lang, kind, [e.tag for e in marked][:3])
        sitemap = lxml.etree.parse(str(shipped_site.path(f"/sitemap-{lang}.xml")))
        listed = set(sitemap.xpath("//s:loc/text()", namespaces=namespace))
        shown = [slug for slug, item in sample.news.items() if item.date <= BUILD_DAY]
        for slug in shown:
            assert any(url.endswith(f"/{lang}/news/{slug}/") for url in listed), (lang, slug)
        for slug in sample.events:
            assert any(url.endswith(f"/{lang}/calendar/{slug}/") for url in listed), (lang, slug)
