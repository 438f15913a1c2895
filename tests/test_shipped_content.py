"""The shipped site carries every fact of the published Finnish page, in Finnish and English."""

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from conftest import EU_ORDER, PROJECT

REFERENCE = PROJECT.parent / "shared" / "reference" / "supporters-page.fi.txt"
SUPPORTER_PAGES = [
    "supporters/",
    "supporters/who-can-join/",
    "supporters/commitments/",
    "supporters/how-to-apply/",
    "supporters/benefits/",
]
FOOTER_PAGES = [
    "registration-form/",
    "news/",
    "calendar/",
    "sitemap/",
    "rss/",
    "credits/",
    "legal-notice/",
    "accessibility/",
]
HELPDESK = "supporters@eumayors.eu"


def reference_bullets() -> list[list[str]]:
    """Return the reference page's bulleted lists, in page order."""
    if not REFERENCE.exists():
        pytest.skip(f"reference page {REFERENCE} is not beside the repository")
    lists, current = [], []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("•"):
            current.append(line.strip().lstrip("•").strip())
        elif current:
            lists.append(current)
            current = []
    if current:
        lists.append(current)
    return lists


def normalise(text: str) -> str:
    """Fold white space and trailing punctuation so wording compares, not typography."""
    return re.sub(r"\s+", " ", text).strip().rstrip(";.,").lower()


def list_items(site, url: str) -> list[str]:
    """Return the text of each list item in the page's body."""
    page = site.page(url)
    return [normalise(li.text_content()) for li in page.xpath('//div[@class="page-body"]//li')]


def similar(a: str, b: str) -> bool:
    """Tell whether two sentences say the same with at most typographic differences."""
    return SequenceMatcher(None, a, b).ratio() >= 0.9


@pytest.mark.parametrize(
    ("index", "url", "count"),
    [(0, "/fi/supporters/commitments/", 6), (1, "/fi/supporters/how-to-apply/", 3),
     (2, "/fi/supporters/benefits/", 6)],
)  # fmt: skip
def test_finnish_pages_carry_every_reference_item(shipped_site, index, url, count):
    expected = [normalise(item) for item in reference_bullets()[index]]
    assert len(expected) == count
    items = list_items(shipped_site, url)
    assert len(items) == count, items
    for wanted, got in zip(expected, items, strict=True):
        assert similar(wanted, got), f"{url}: {got!r} does not match the reference {wanted!r}"


@pytest.mark.parametrize(
    ("url", "count", "ordered"),
    [("supporters/commitments/", 6, False), ("supporters/how-to-apply/", 3, True),
     ("supporters/benefits/", 6, False)],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["en", "fi"])
def test_lists_have_the_same_number_of_items(shipped_site, lang, url, count, ordered):
    page = shipped_site.page(f"/{lang}/{url}")
    tag = "ol" if ordered else "ul"
    items = page.xpath(f'//div[@class="page-body"]//{tag}/li')
    assert len(items) == count


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_helpdesk_address_and_commitment_statement(shipped_site, lang):
    who = shipped_site.page(f"/{lang}/supporters/who-can-join/")
    assert f"mailto:{HELPDESK}" in who.xpath('//div[@class="page-body"]//a/@href')
    commitments = shipped_site.page(f"/{lang}/supporters/commitments/")
    hrefs = commitments.xpath('//div[@class="page-body"]//a/@href')
    # the statement is sent by the Office; the page links the portal's join page instead of a
    # PDF address no public copy of the portal shows
    assert f"https://eu-mayors.ec.europa.eu/{lang}/join/supporter" in hrefs
    text = commitments.xpath('//div[@class="page-body"]')[0].text_content()
    keyword = {"en": "suspend", "fi": "keskeyttää"}[lang]
    assert keyword in text, "the suspension clause is missing"


def test_overview_links_the_four_pages(shipped_site):
    for lang in ("en", "fi"):
        hrefs = shipped_site.page(f"/{lang}/supporters/").xpath(
            '//div[@class="page-body"]//a/@href'
        )
        for path in SUPPORTER_PAGES[1:]:
            assert f"/{lang}/{path}" in hrefs


def test_finnish_overview_keeps_the_reference_wording(shipped_site):
    text = normalise(shipped_site.page("/fi/supporters/").text_content())
    assert "katalyyttejä" in text and "välittäjiä" in text


def test_supporter_and_footer_pages_exist_in_every_language(shipped_site):
    for lang in EU_ORDER:
        for path in ["", *SUPPORTER_PAGES, *FOOTER_PAGES]:
            assert shipped_site.exists(f"/{lang}/{path}"), f"/{lang}/{path}"


def test_english_and_finnish_are_real_pages_not_fallbacks(shipped_site):
    for lang in ("en", "fi"):
        for path in ["", *SUPPORTER_PAGES, *FOOTER_PAGES]:
            page = shipped_site.page(f"/{lang}/{path}")
            assert not page.xpath('//*[contains(@class, "notice-fallback")]'), f"/{lang}/{path}"


def test_root_lists_24_languages_by_endonym(shipped_site):
    root = shipped_site.page("/")
    names = [a.text_content() for a in root.xpath('//ul[@class="chooser-list"]//a')]
    assert names[:3] == ["български", "español", "čeština"]
    assert "Gaeilge" in names and "Malti" in names and "suomi" in names
    assert len(names) == 24


def test_footer_has_social_links_and_support_line(shipped_site):
    page = shipped_site.page("/fi/supporters/")
    footer = page.xpath("//footer")[0]
    hrefs = footer.xpath(".//a/@href")
    assert "https://twitter.com/eumayors" in hrefs
    assert "/fi/rss/" in hrefs
    for path in FOOTER_PAGES:
        assert f"/fi/{path}" in hrefs
    assert "Euroopan komission poliittisella tuella" in footer.text_content()


def test_facts_are_identical_in_every_language(shipped_site):
    """The helpdesk address is typed once: every mailto on the site uses it.

    Supporters' own contact addresses (on directory profiles, from content/data/) are facts of
    those organisations, not of the site, and are left out.
    """
    for file in shipped_site.html_files():
        page = shipped_site.page(shipped_site.url_of(file))
        addresses = page.xpath(
            '//a[starts-with(@href, "mailto:")][not(ancestor::*[@class="supporter-contact"])]/@href'
        )
        for address in addresses:
            assert address == f"mailto:{HELPDESK}", f"{file}: {address}"


def test_no_inline_script_style_or_event_handler(shipped_site):
    for file in shipped_site.html_files():
        page = shipped_site.page(shipped_site.url_of(file))
        assert not page.xpath("//style"), file
        # The only script without src is a JSON-LD data block, which a browser never runs
        inline = page.xpath("//script[not(@src)]")
        assert [script.get("type") for script in inline] in ([], ["application/ld+json"]), file
        assert not page.xpath("//*[@style]"), file
        handlers = [a for el in page.iter() for a in el.attrib if a.lower().startswith("on")]
        assert not handlers, f"{file}: {handlers}"


def test_every_hreflang_is_reciprocal_and_real(shipped_site):
    for file in shipped_site.html_files():
        url = shipped_site.url_of(file)
        page = shipped_site.page(url)
        links = {
            link.get("hreflang"): link.get("href")
            for link in page.xpath('//head/link[@rel="alternate"][@hreflang]')
        }
        if not links:
            continue
        assert links.get("x-default") == "/"
        for lang, href in links.items():
            if lang == "x-default":
                continue
            assert shipped_site.exists(href), f"{url}: hreflang {lang} -> missing {href}"
            target = shipped_site.page(href)
            assert target.get("lang") == lang
            assert not target.xpath('//*[contains(@class, "notice-fallback")]'), href
            if url != "/":
                back = {
                    link.get("hreflang"): link.get("href")
                    for link in target.xpath('//head/link[@rel="alternate"][@hreflang]')
                }
                assert back.get(page.get("lang")) == url, f"{href} does not link back to {url}"


def test_assets_are_self_hosted(shipped_site):
    for file in shipped_site.html_files():
        page = shipped_site.page(shipped_site.url_of(file))
        for src in page.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src"):
            assert not re.match(r"(https?:)?//", src), f"{file}: {src}"
        if file.relative_to(shipped_site.root).parts[0] == "admin":
            continue  # the browser editor (Decap CMS, when installed) is styled by its script
        assert Path(shipped_site.path(page.xpath("//link[@rel='stylesheet']/@href")[0])).exists()


def test_dates_are_formatted_by_babel_in_the_page_language(shipped_site):
    def modified(lang):
        page = shipped_site.page(f"/{lang}/supporters/")
        return page.xpath('//p[@class="page-modified"]')[0].text_content()

    assert modified("fi") == "Sivua päivitetty viimeksi 2. joulukuuta 2026"
    assert modified("en") == "Page last updated: 2 December 2026"  # EU English, not US


def test_portuguese_pages_use_european_portuguese_cldr_data(shipped_site):
    """CLDR's bare "pt" is Brazilian; the EU language is European Portuguese (pt_PT)."""
    page = shipped_site.page("/pt/supporters/directory/country/ro/")
    text = page.xpath("//main")[0].text_content()
    assert "Roménia" in text and "Romênia" not in text
