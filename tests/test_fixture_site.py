"""Feature tests on the three-language fixture site: files in, build, assertions on the output."""

from conftest import EU_ORDER

LANGS_WITH_CONTENT = ("de", "en", "fi")


def hreflangs(page):
    """Return {hreflang: href} of a page's alternate links."""
    return {
        link.get("hreflang"): link.get("href")
        for link in page.xpath('//head/link[@rel="alternate"][@hreflang]')
    }


def test_every_page_exists_in_all_24_languages(fixture_site):
    for path in ("", "supporters/", "supporters/commitments/", "supporters/benefits/"):
        for lang in EU_ORDER:
            assert fixture_site.exists(f"/{lang}/{path}"), f"/{lang}/{path} missing"


def test_html_lang_matches_the_language_folder(fixture_site):
    for lang in EU_ORDER:
        page = fixture_site.page(f"/{lang}/supporters/commitments/")
        assert page.get("lang") == lang


def test_selector_lists_the_languages_the_page_exists_in(fixture_site):
    page = fixture_site.page("/fi/supporters/commitments/")
    summary = page.xpath('//details[@class="language-selector"]/summary')[0]
    assert "Vaihda kieli, nykyinen kieli on suomi" in summary.text_content()
    links = page.xpath('//ul[@class="language-list"]/a | //ul[@class="language-list"]//a')
    assert [a.get("lang") for a in links] == ["de", "en", "fi"]  # EU order: de, en, fi
    for link in links:
        assert link.get("hreflang") == link.get("lang")
        assert link.get("href") == f"/{link.get('lang')}/supporters/commitments/"
    current = [a.get("lang") for a in links if a.get("aria-current")]
    assert current == ["fi"]
    assert [a.text_content() for a in links] == ["Deutsch", "English", "suomi"]


def test_selector_label_is_in_the_page_language(fixture_site):
    english = fixture_site.page("/en/supporters/")
    summary = english.xpath('//details[@class="language-selector"]/summary')[0]
    assert "Change language, current language is English" in summary.text_content()


def test_hreflang_is_reciprocal_and_self_referencing(fixture_site):
    for path in ("", "supporters/", "supporters/commitments/"):
        for lang in LANGS_WITH_CONTENT:
            alternates = hreflangs(fixture_site.page(f"/{lang}/{path}"))
            assert set(alternates) == {"de", "en", "fi", "x-default"}
            assert alternates[lang] == f"/{lang}/{path}"
            assert alternates["x-default"] == "/"
            for other, href in alternates.items():
                if other == "x-default":
                    continue
                back = hreflangs(fixture_site.page(href))
                assert back[lang] == f"/{lang}/{path}", f"{href} does not link back to {lang}"


def test_untranslated_page_has_only_its_real_version_in_hreflang(fixture_site):
    alternates = hreflangs(fixture_site.page("/en/supporters/benefits/"))
    assert alternates == {"en": "/en/supporters/benefits/", "x-default": "/"}


def test_fallback_page_says_so_in_its_language_and_marks_english_text(fixture_site):
    page = fixture_site.page("/fi/supporters/benefits/")
    assert page.get("lang") == "fi"
    notice = page.xpath('//*[contains(@class, "notice-fallback")]')[0].text_content()
    assert "Tätä sivua ei ole vielä käännetty tälle kielelle." in notice
    article = page.xpath("//article")[0]
    assert article.get("lang") == "en"
    assert "This page exists only in English." in article.text_content()
    # canonical points at the English page, and the fallback is in no hreflang graph
    assert page.xpath('//link[@rel="canonical"]/@href') == ["/en/supporters/benefits/"]
    assert hreflangs(page) == {}


def test_fallback_page_links_stay_in_the_readers_language(fixture_site):
    page = fixture_site.page("/fi/supporters/benefits/")
    hrefs = page.xpath("//article//a/@href")
    assert "/fi/supporters/" in hrefs


def test_no_page_links_to_a_fallback_in_hreflang(fixture_site):
    for file in fixture_site.html_files():
        page = fixture_site.page(fixture_site.url_of(file))
        for lang, href in hreflangs(page).items():
            if lang == "x-default":
                continue
            target = fixture_site.page(href)
            assert not target.xpath('//*[contains(@class, "notice-fallback")]'), (
                f"{fixture_site.url_of(file)} lists fallback {href} as hreflang {lang}"
            )


def test_canonical_of_a_real_page_is_itself(fixture_site):
    for lang in LANGS_WITH_CONTENT:
        page = fixture_site.page(f"/{lang}/supporters/")
        assert page.xpath('//link[@rel="canonical"]/@href') == [f"/{lang}/supporters/"]


def test_interface_strings_come_from_the_page_language_catalogue(fixture_site):
    finnish = fixture_site.page("/fi/supporters/")
    english = fixture_site.page("/en/supporters/")
    assert finnish.xpath('//a[@class="skip-link"]')[0].text == "Siirry pääsisältöön"
    assert english.xpath('//a[@class="skip-link"]')[0].text == "Skip to main content"
    assert finnish.xpath('//nav[@class="breadcrumbs wrapper"]//a')[0].text == "Etusivu"
    assert english.xpath('//nav[@class="breadcrumbs wrapper"]//a')[0].text == "Home"


def test_breadcrumbs_start_with_home_and_follow_the_path(fixture_site):
    page = fixture_site.page("/de/supporters/commitments/")
    crumbs = page.xpath('//nav[contains(@class, "breadcrumbs")]//li')
    links = [li.xpath(".//a/@href") for li in crumbs]
    assert links == [["/de/"], ["/de/supporters/"], []]
    assert crumbs[-1].get("aria-current") == "page"
    assert crumbs[-1].text_content() == "Verpflichtungen"


def test_fact_placeholders_are_filled_from_settings(fixture_site):
    for lang in LANGS_WITH_CONTENT:
        page = fixture_site.page(f"/{lang}/supporters/")
        assert "mailto:supporters@eumayors.eu" in page.xpath("//article//a/@href")
        assert "{{" not in page.text_content()


def test_root_is_the_language_chooser(fixture_site):
    root = fixture_site.page("/")
    links = root.xpath('//ul[@class="chooser-list"]//a')
    assert [a.get("lang") for a in links] == list(EU_ORDER)
    assert all(a.get("href") == f"/{a.get('lang')}/" for a in links)
