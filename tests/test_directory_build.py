"""Build tests of the directory, news, calendar, feeds and iCalendar files on a small fixture.

The fixture is the shared three-language site (tests/fixtures/site) plus tests/fixtures/directory
(data files and the directory, news, calendar and feeds pages), built with a fixed
SOURCE_DATE_EPOCH (2026-11-30).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import icalendar
import lxml.etree
import pytest
from conftest import EU_ORDER, FIXTURE_SITE, PROJECT, Site, build_or_fail, run_build

OVERLAY = PROJECT / "tests" / "fixtures" / "directory"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPOCH = "1795996800"  # 2026-11-30 00:00 UTC
PUBLIC = "https://supporters.eumayors.example"
SWEDISH = ["sv-alfa", "sv-zeta", "sv-aby", "sv-angby", "sv-orebro"]


def fixture_content(root: Path) -> Path:
    """Copy the fixture site and the directory overlay into `root`/content."""
    content = root / "content"
    shutil.copytree(FIXTURE_SITE, content)
    shutil.copytree(OVERLAY, content, dirs_exist_ok=True)
    return content


@pytest.fixture(scope="session")
def directory_site(tmp_path_factory) -> Site:
    """The fixture site with directory data, built at 2026-11-30."""
    root = tmp_path_factory.mktemp("directory")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return Site(build_or_fail(fixture_content(root), root / "output"))


def row_ids(page) -> list[str]:
    return page.xpath('//table[@id="supporter-table"]/tbody/tr/@data-id')


def row(page, supporter_id):
    return page.xpath(f'//tr[@data-id="{supporter_id}"]')[0]


def text(element) -> str:
    return " ".join(element.text_content().split())


# -- pages in every language -------------------------------------------------------------------


def test_every_generated_page_exists_in_all_24_languages(directory_site):
    paths = [
        "supporters/directory/",
        "supporters/directory/sv-aby/",
        "supporters/directory/country/se/",
        "supporters/directory/country/no/",
        "supporters/directory/type/energy-agency/",
        "supporters/directory/status/suspended/",
        "news/",
        "news/fixture-news-both/",
        "news/fixture-news-english/",
        "calendar/",
        "calendar/fixture-upcoming/",
        "calendar/fixture-past/",
    ]
    for lang in EU_ORDER:
        for path in paths:
            assert directory_site.exists(f"/{lang}/{path}"), f"/{lang}/{path}"
            assert directory_site.page(f"/{lang}/{path}").get("lang") == lang
        for name in ("supporters/directory/index.json", "calendar/events.ics"):
            assert directory_site.exists(f"/{lang}/{name}")


def test_news_dated_after_the_build_date_is_not_published(directory_site):
    assert not directory_site.exists("/en/news/fixture-news-future/")
    hrefs = directory_site.page("/en/news/").xpath("//a/@href")
    assert "/en/news/fixture-news-both/" in hrefs
    assert "/en/news/fixture-news-future/" not in hrefs


def test_directory_counts_supporters_and_active_ones(directory_site):
    page = directory_site.page("/en/supporters/directory/")
    assert text(page.xpath('//*[@id="directory-count"]')[0]) == "8 Covenant Supporters"
    summary = [text(li) for li in page.xpath('//ul[@class="directory-summary"]/li')]
    assert summary == [
        "7 active supporters",
        "1 suspended supporter",
        "1 active supporter is late with its activity report",
    ]
    finnish = directory_site.page("/fi/supporters/directory/")
    assert text(finnish.xpath('//*[@id="directory-count"]')[0]) == "8 yleiskokouksen tukijaa"


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("fi", "1 podmiot wspierający Porozumienie"),
        ("no", "2 podmioty wspierające Porozumienie"),
        ("se", "5 podmiotów wspierających Porozumienie"),
    ],
)
def test_polish_counts_use_the_polish_plural_forms(directory_site, country, expected):
    page = directory_site.page(f"/pl/supporters/directory/country/{country}/")
    line = text(page.xpath('//p[@class="directory-summary-line"]')[0])
    assert line.startswith(expected + ".")


def test_country_names_are_localised_and_norway_is_no(directory_site):
    expected = {"en": "Norway", "fi": "Norja", "de": "Norwegen", "pl": "Norwegia", "sv": "Norge"}
    for lang, name in expected.items():
        page = directory_site.page(f"/{lang}/supporters/directory/no-one/")
        country = page.xpath('//a[contains(@href, "/country/no/")]')[0]
        assert country.text_content() == name
        title = directory_site.page(f"/{lang}/supporters/directory/country/no/").xpath("//h1")[0]
        assert name in title.text_content()


@pytest.mark.parametrize(
    ("lang", "order"),
    [
        ("sv", SWEDISH),
        ("fi", SWEDISH),
        ("de", ["sv-aby", "sv-alfa", "sv-angby", "sv-orebro", "sv-zeta"]),
    ],
)
def test_lists_sort_in_the_alphabet_of_the_page_language(directory_site, lang, order):
    page = directory_site.page(f"/{lang}/supporters/directory/country/se/")
    assert row_ids(page) == order
    names = [text(row(page, i).xpath("./th")[0]) for i in row_ids(page)]
    assert names != sorted(names) or lang == "de"  # code-point order puts Ä before Å


def test_country_table_links_sort_by_localised_name(directory_site):
    links = directory_site.page("/fi/supporters/directory/").xpath(
        '//table[@id="country-table"]//a[contains(@href, "/country/")]'
    )
    assert [a.text_content() for a in links] == ["Norja", "Ruotsi", "Suomi"]
    english = directory_site.page("/en/supporters/directory/").xpath(
        '//table[@id="country-table"]//a[contains(@href, "/country/")]/@href'
    )
    assert english == [
        "/en/supporters/directory/country/fi/",
        "/en/supporters/directory/country/no/",
        "/en/supporters/directory/country/se/",
    ]


def test_overdue_reports_are_marked_against_the_build_date(directory_site):
    page = directory_site.page("/en/supporters/directory/")
    overdue = {
        i for i in row_ids(page) if row(page, i).xpath('.//*[contains(@class, "badge-overdue")]')
    }
    assert overdue == {"no-one"}  # reported 2024-11-29: two years and a day
    assert "Suspended" in text(row(page, "no-two"))
    profile = directory_site.page("/fi/supporters/directory/no-one/")
    assert profile.xpath('//*[contains(@class, "badge-overdue")]')
    assert "Raportti myöhässä" in text(profile.xpath("//article")[0])


def test_status_and_type_pages_list_the_right_supporters(directory_site):
    suspended = directory_site.page("/en/supporters/directory/status/suspended/")
    assert row_ids(suspended) == ["no-two"]
    agencies = directory_site.page("/en/supporters/directory/type/energy-agency/")
    assert set(row_ids(agencies)) == {"sv-aby", "no-one"}


def test_profile_shows_facts_localised(directory_site):
    page = directory_site.page("/fi/supporters/directory/sv-alfa/")
    article = text(page.xpath("//article")[0])
    assert "1 234" in article.replace("\xa0", " ")  # signatories with the Finnish separator
    assert "15. tammikuuta 2020" in article  # joined, in Finnish
    assert "englanti, ruotsi, suomi" in article  # working languages, Finnish order and names
    assert page.xpath('//a[@href="https://sv-alfa.example/"]')


def sitemap_locs(site: Site, lang: str) -> set[str]:
    tree = lxml.etree.parse(str(site.path(f"/sitemap-{lang}.xml")))
    return set(tree.xpath("//s:url/s:loc/text()", namespaces={"s": SITEMAP_NS}))


def test_profile_without_description_in_the_language_is_a_page_of_that_language(directory_site):
    """Its facts and labels are Swedish; only the description is English, marked and noted."""
    page = directory_site.page("/sv/supporters/directory/sv-alfa/")
    description = page.xpath('//div[@class="profile-description"]')[0]
    assert description.get("lang") == "en"
    (notice,) = page.xpath('//*[contains(@class, "notice-partial")]')
    assert text(notice) == "Delar av den här sidan har ännu inte översatts. De visas på engelska."
    assert not page.xpath('//*[contains(@class, "notice-fallback")]')
    assert page.xpath('//link[@rel="canonical"]/@href') == ["/sv/supporters/directory/sv-alfa/"]
    hreflangs = page.xpath('//link[@rel="alternate"][@hreflang]/@hreflang')
    assert set(hreflangs) == {*EU_ORDER, "x-default"}
    assert page.xpath("//main/@data-pagefind-body") == [""]  # in the Swedish search index
    assert "/sv/supporters/directory/sv-alfa/" in sitemap_locs(directory_site, "sv")
    finnish = directory_site.page("/fi/supporters/directory/sv-alfa/")
    assert finnish.xpath('//div[@class="profile-description"]')[0].get("lang") is None
    assert not finnish.xpath('//*[contains(@class, "notice-")]')  # human, whole, up to date


def test_record_page_with_some_text_in_the_language_is_a_page_of_it(directory_site):
    """The event has a Swedish title (machine-translated), no Swedish summary."""
    page = directory_site.page("/sv/calendar/fixture-upcoming/")
    assert text(page.xpath("//h1")[0]) == "Testverkstad"
    assert page.xpath("//h1/@lang") == []
    (summary,) = [p for p in page.xpath("//article/p") if "Workshop summary" in text(p)]
    assert summary.get("lang") == "en"
    assert notice_classes(page) == {"notice-partial", "notice-machine"}
    assert page.xpath('//link[@rel="canonical"]/@href') == ["/sv/calendar/fixture-upcoming/"]
    assert set(page.xpath('//link[@rel="alternate"][@hreflang]/@hreflang')) == {
        "en",
        "fi",
        "sv",
        "x-default",
    }
    assert page.xpath("//main/@data-pagefind-body") == [""]
    assert "/sv/calendar/fixture-upcoming/" in sitemap_locs(directory_site, "sv")
    # nothing translated: a whole-page fallback, as before
    german = directory_site.page("/de/calendar/fixture-upcoming/")
    assert notice_classes(german) == {"notice-fallback"}
    assert german.xpath('//link[@rel="canonical"]/@href') == ["/en/calendar/fixture-upcoming/"]
    assert german.xpath("//main/@data-pagefind-body") == []
    assert "/de/calendar/fixture-upcoming/" not in sitemap_locs(directory_site, "de")
    # a human, whole and current translation gets no notice
    assert notice_classes(directory_site.page("/fi/calendar/fixture-upcoming/")) == set()


def notice_classes(page) -> set[str]:
    return {
        name
        for element in page.xpath('//main//*[contains(@class, "notice")]')
        for name in element.get("class").split()
        if name.startswith("notice-")
    }


def test_news_list_marks_english_fallback_items(directory_site):
    page = directory_site.page("/fi/news/")
    links = {a.get("href"): a for a in page.xpath('//ul[@class="news-list"]//a')}
    assert links["/fi/news/fixture-news-both/"].get("lang") is None
    assert links["/fi/news/fixture-news-both/"].text_content() == "Testiuutinen kahdella kielellä"
    assert links["/fi/news/fixture-news-english/"].get("lang") == "en"
    item = directory_site.page("/fi/news/fixture-news-english/")
    assert item.xpath('//*[contains(@class, "notice-fallback")]')
    assert item.xpath('//link[@rel="canonical"]/@href') == ["/en/news/fixture-news-english/"]


def test_calendar_lists_upcoming_and_past_events_with_date_time_and_place(directory_site):
    page = directory_site.page("/fi/calendar/")
    headings = [text(h) for h in page.xpath('//div[@class="calendar"]/h2')]
    assert headings[:2] == ["Tulevat tapahtumat", "Menneet tapahtumat"]
    lists = page.xpath('//ul[@class="event-list"]')
    upcoming = text(lists[0])
    assert "Testityöpaja" in upcoming
    assert "torstai 10. joulukuuta 2026" in upcoming
    assert "10.00–12.00" in upcoming and "Itä-Euroopan normaaliaika" in upcoming
    assert "Helsinki, Suomi" in upcoming
    assert "1.–2.5.2026" in text(lists[1]) or "1.–2. toukokuuta 2026" in text(lists[1])


def test_home_page_shows_latest_news_and_next_events(directory_site):
    page = directory_site.page("/fi/")
    hrefs = page.xpath("//main//a/@href")
    assert "/fi/news/fixture-news-both/" in hrefs
    assert "/fi/calendar/fixture-upcoming/" in hrefs
    assert "/fi/calendar/fixture-past/" not in hrefs  # past events are not "next"


# -- feeds ---------------------------------------------------------------------------------


def feed(site: Site, lang: str, kind: str, fmt: str):
    parsed = feedparser.parse(site.path(f"/{lang}/feeds/{kind}.{fmt}.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_every_feed_parses_with_its_language_and_a_distinct_id(directory_site):
    ids = set()
    for lang in EU_ORDER:
        for kind in ("news", "events", "supporters"):
            rss = feed(directory_site, lang, kind, "rss")
            atom = feed(directory_site, lang, kind, "atom")
            assert rss.feed.language == lang
            assert rss.feed.title and rss.feed.description and rss.feed.link.startswith(PUBLIC)
            assert atom.feed.title and atom.feed.updated
            ids.add(atom.feed.id)
    assert len(ids) == 24 * 3


def test_feed_titles_are_in_the_feed_language(directory_site):
    assert feed(directory_site, "fi", "news", "rss").feed.title == "Yleiskokouksen tukijat: uutiset"
    assert feed(directory_site, "en", "events", "atom").feed.title == "Covenant Supporters: events"


def test_every_feed_lists_every_item_marking_english_ones(directory_site):
    english = feed(directory_site, "en", "news", "rss")
    assert [e.link for e in english.entries] == [
        f"{PUBLIC}/en/news/fixture-news-both/",
        f"{PUBLIC}/en/news/fixture-news-english/",
    ]
    for lang in EU_ORDER:
        for kind, count in (("news", 2), ("events", 2), ("supporters", 8)):
            for fmt in ("rss", "atom"):
                assert len(feed(directory_site, lang, kind, fmt).entries) == count, (lang, kind)
    finnish = feed(directory_site, "fi", "news", "atom")
    assert [e.link for e in finnish.entries] == [
        f"{PUBLIC}/fi/news/fixture-news-both/",
        f"{PUBLIC}/fi/news/fixture-news-english/",
    ]
    assert finnish.entries[0].title == "Testiuutinen kahdella kielellä"
    # Atom: the English entry says so (xml:lang); the Finnish one inherits the feed's language
    raw = lxml.etree.fromstring(directory_site.path("/fi/feeds/news.atom.xml").read_bytes())
    entries = raw.findall(f"{ATOM}entry")
    assert [e.get(XML_LANG) for e in entries] == [None, "en"]
    assert raw.get(XML_LANG) == "fi"
    assert finnish.entries[1].title_detail.language == "en"
    # RSS 2.0 has no language per item: Dublin Core's dc:language marks it
    rss = lxml.etree.fromstring(directory_site.path("/de/feeds/news.rss.xml").read_bytes())
    assert [item.findtext(f"{DC}language") for item in rss.iter("item")] == ["en", "en"]
    assert rss.findtext("channel/language") == "de"
    # an English supporter item in the Swedish feed is English throughout, labels included
    swedish = feed(directory_site, "sv", "supporters", "atom")
    (alfa,) = [e for e in swedish.entries if e.link.endswith("/sv/supporters/directory/sv-alfa/")]
    assert alfa.summary.startswith("Regional association, Sweden. ")


def test_a_partly_translated_item_marks_its_english_summary(directory_site):
    raw = lxml.etree.fromstring(directory_site.path("/sv/feeds/events.atom.xml").read_bytes())
    (entry,) = [
        e for e in raw.findall(f"{ATOM}entry") if "fixture-upcoming" in e.findtext(f"{ATOM}id")
    ]
    assert entry.findtext(f"{ATOM}title") == "Testverkstad"
    assert entry.get(XML_LANG) is None
    assert entry.find(f"{ATOM}summary").get(XML_LANG) == "en"


def test_every_page_head_advertises_the_feeds_of_its_language(directory_site):
    for url in ("/fi/", "/fi/supporters/directory/sv-aby/", "/de/calendar/fixture-past/"):
        lang = url.split("/")[1]
        links = directory_site.page(url).xpath('//head/link[@rel="alternate"][@type]')
        assert len(links) == 6
        assert {link.get("href") for link in links} == {
            f"/{lang}/feeds/{kind}.{fmt}.xml"
            for kind in ("news", "events", "supporters")
            for fmt in ("rss", "atom")
        }


def test_rss_page_lists_every_feed_of_its_language(directory_site):
    page = directory_site.page("/fi/rss/")
    hrefs = page.xpath('//table[@class="feed-table"]//a/@href')
    assert len(hrefs) == 6 and all(h.startswith("/fi/feeds/") for h in hrefs)
    addresses = [text(code) for code in page.xpath('//table[@class="feed-table"]//code')]
    assert f"{PUBLIC}/fi/feeds/news.rss.xml" in addresses


# -- iCalendar -------------------------------------------------------------------------------


def test_calendar_files_parse_with_required_properties(directory_site):
    whole = icalendar.Calendar.from_ical(
        directory_site.path("/fi/calendar/events.ics").read_bytes()
    )
    events = whole.walk("VEVENT")
    assert len(events) == 2
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL"):
            assert name in event, name
    single = icalendar.Calendar.from_ical(
        directory_site.path("/fi/calendar/fixture-upcoming.ics").read_bytes()
    )
    (event,) = single.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Testityöpaja"
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert single.walk("VTIMEZONE")
    assert str(event["URL"]) == f"{PUBLIC}/fi/calendar/fixture-upcoming/"
    past = icalendar.Calendar.from_ical(
        directory_site.path("/fi/calendar/fixture-past.ics").read_bytes()
    )
    (all_day,) = past.walk("VEVENT")
    assert str(all_day["SUMMARY"]) == "Fixture conference"
    assert all_day["SUMMARY"].params["LANGUAGE"] == "en"


# -- escaping --------------------------------------------------------------------------------


def test_markup_in_yaml_text_is_text_in_every_output(directory_site):
    markers = (
        '<script>alert("',
        "<b>Testi</b>",
        "<i>Espoo</i>",
        "<img src=x",
        "<b>A</b>",
        "<em>English",
    )
    for file in directory_site.root.rglob("*"):
        if file.suffix not in {".html", ".xml", ".json"}:
            continue
        raw = file.read_text(encoding="utf-8")
        for marker in markers:
            assert marker not in raw, f"{file}: {marker}"
    profile = directory_site.page("/en/supporters/directory/fi-xss/")
    assert text(profile.xpath("//h1")[0]) == "Kunta <b>Testi</b> ry"
    description = text(profile.xpath('//div[@class="profile-description"]')[0])
    assert description.startswith('<script>alert("xss")</script> Tags & "quotes"')
    # The JSON-LD data block carries the name as data: escaped, so it cannot close the element
    (data_block,) = profile.xpath("//script[not(@src)]")
    assert data_block.get("type") == "application/ld+json" and "<" not in data_block.text
    assert "Kunta \\u003cb\\u003eTesti" in data_block.text
    assert not profile.xpath("//b")
    news = feed(directory_site, "en", "news", "rss")
    assert news.entries[1].title == '<script>alert("news")</script> English only'
    index = json.loads(directory_site.path("/en/supporters/directory/index.json").read_bytes())
    assert "Kunta <b>Testi</b> ry" in [s["name"] for s in index["supporters"]]
    calendar = icalendar.Calendar.from_ical(
        directory_site.path("/en/calendar/fixture-upcoming.ics").read_bytes()
    )
    assert str(calendar.walk("VEVENT")[0]["DESCRIPTION"]).startswith("<img src=x onerror")


def test_json_index_matches_the_table_and_has_plural_texts(directory_site):
    index = json.loads(directory_site.path("/pl/supporters/directory/index.json").read_bytes())
    page = directory_site.page("/pl/supporters/directory/")
    assert [s["id"] for s in index["supporters"]] == row_ids(page)
    assert index["found"][1] == "Znaleziono 1 podmiot"
    assert index["found"][2] == "Znaleziono 2 podmioty"
    assert index["found"][5] == "Znaleziono 5 podmiotów"
    form = page.xpath('//form[@id="directory-search"]')[0]
    assert form.get("hidden") is not None  # shown by the script only
    assert form.get("data-index") == "/pl/supporters/directory/index.json"
    scripts = page.xpath("//script/@src")
    filters = [src for src in scripts if "/directory-filter." in src]
    assert len(filters) == 1 and filters[0].startswith("/assets/js/")  # fingerprinted, self-hosted
    assert all(directory_site.exists(src) for src in scripts)


def test_build_is_reproducible(directory_site, tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        again = build_or_fail(fixture_content(tmp_path), tmp_path / "output")
    first = sorted(
        p.relative_to(directory_site.root) for p in directory_site.root.rglob("*") if p.is_file()
    )
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for relative in first:
        assert (directory_site.root / relative).read_bytes() == (again / relative).read_bytes(), (
            relative
        )


# -- errors ----------------------------------------------------------------------------------


def test_broken_data_gives_every_problem_and_no_traceback(tmp_path):
    content = fixture_content(tmp_path)
    broken = content / "data" / "supporters" / "broken.yaml"
    broken.write_text(
        (content / "data" / "supporters" / "no-one.yaml")
        .read_text(encoding="utf-8")
        .replace("country: NO", "country: Norway")
        .replace("joined: 2015-01-01", "joined: 2015-02-30\nstatus: active")
        .replace("website: https://", "website: ftp://"),
        encoding="utf-8",
    )
    (content / "data" / "news" / "bad.yaml").write_text("date: 2026-01-01\ntitle: {en: T, xx: U}\n")
    result = run_build(content, tmp_path / "output")
    assert result.returncode == 1
    report = result.stderr
    assert "Traceback" not in report + result.stdout
    shown = "data/supporters/broken.yaml"
    for expected in (
        f"{shown}:5: country: ",  # lines 1-2: the translation note
        f"{shown}:6: website: URL scheme should be 'http' or 'https'",
        f"{shown}:14: joined: 2015-02-30 is not a date that exists",
        f"{shown}:16: status: duplicate key (first given on line 15); keep one",
        "data/news/bad.yaml:1: summary: required field is missing",
        "data/news/bad.yaml:2: title.xx: unknown language 'xx'",
    ):
        assert any(expected in line for line in report.splitlines()), (expected, report)
