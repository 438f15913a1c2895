"""Phone first, on the shipped site: the folding main menu with News and Calendar, the call to
become a Supporter on every home page, the overview that answers on one page, and the weight of
those pages (HTML + CSS + JavaScript at most 30 KB, nothing from another origin)."""

from __future__ import annotations

from conftest import EU_ORDER

from bench.weight import LIMIT_BYTES, weigh

DETAIL_PAGES = ("who-can-join", "commitments", "how-to-apply", "benefits")


def test_main_menu_is_a_disclosure_with_news_and_calendar_in_every_language(shipped_site):
    for lang in EU_ORDER:
        nav = shipped_site.page(f"/{lang}/news/").xpath('//nav[@class="main-nav"]')[0]
        details = nav.xpath("./details")
        assert len(details) == 1 and details[0].get("open") is None, lang  # folded by default
        assert details[0].xpath("./summary")[0].text_content().strip(), lang
        hrefs = details[0].xpath(".//a/@href")
        assert f"/{lang}/news/" in hrefs and f"/{lang}/calendar/" in hrefs, lang
        current = details[0].xpath(".//a[@aria-current='page']/@href")
        assert current == [f"/{lang}/news/"], lang


def test_every_home_page_asks_the_visitor_to_become_a_supporter(shipped_site):
    english = None
    for lang in EU_ORDER:
        page = shipped_site.page(f"/{lang}/")
        section = page.xpath('//section[@class="home-join"]')
        assert len(section) == 1, lang
        heading = section[0].xpath(".//h2")[0].text_content()
        link = section[0].xpath('.//a[@class="call-to-action"]')[0]
        assert link.get("href") == f"/{lang}/supporters/how-to-apply/", lang
        title = shipped_site.page(f"/{lang}/supporters/how-to-apply/").xpath("//h1")[0]
        assert link.text_content() == title.text_content(), lang
        if lang == "en":
            english = heading
            assert heading == "Become a Covenant Supporter"
    for lang in EU_ORDER:
        if lang != "en":
            heading = shipped_site.page(f"/{lang}/").xpath('//section[@class="home-join"]//h2')[0]
            assert heading.text_content() != english, f"{lang}: not translated"


def test_overview_tells_each_section_with_links_to_the_details_in_every_language(shipped_site):
    for lang in EU_ORDER:
        page = shipped_site.page(f"/{lang}/supporters/")
        body = page.xpath('//div[@class="page-body"]')[0]
        headings = body.xpath("./h2/a/@href")
        assert headings == [f"/{lang}/supporters/{name}/" for name in DETAIL_PAGES], lang
        lists = body.xpath("./ul")
        assert [len(ul.xpath("./li")) for ul in lists] == [6, 6], lang  # commitments, benefits
        steps = body.xpath("./ol/li")
        assert len(steps) == 3, lang
        assert steps[0].xpath(".//a/@href") == [f"/{lang}/registration-form/"], lang
        # the same commitments as the detail page, word for word
        detail = shipped_site.page(f"/{lang}/supporters/commitments/")
        expected = [li.text_content() for li in detail.xpath('//div[@class="page-body"]/ul/li')]
        assert [li.text_content() for li in lists[0].xpath("./li")] == expected, lang


def test_overview_translations_say_how_they_were_made(shipped_site):
    for lang in EU_ORDER:
        page = shipped_site.page(f"/{lang}/supporters/")
        machine = page.xpath('//*[contains(@class, "notice-machine")]')
        outdated = page.xpath('//*[contains(@class, "notice-outdated")]')
        assert not outdated, lang
        assert bool(machine) == (lang not in ("en", "fi")), lang


def test_home_and_overview_weigh_at_most_30_kb_and_ask_no_other_origin(shipped_site):
    for lang in EU_ORDER:
        for url in (f"/{lang}/", f"/{lang}/supporters/", f"/{lang}/supporters/benefits/"):
            weight = weigh(shipped_site.root, url)
            assert weight.total <= LIMIT_BYTES, (url, weight.total, weight.assets)
            assert not weight.foreign, (url, weight.foreign)
