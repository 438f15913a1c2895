"""The Supporters overview's illustration (drawn for the portal) and the weight of pages."""

from conftest import PROJECT
from portal_core.languages import EU_LANGUAGES

DRAWING = "/media/supporters-network.svg"


def test_every_language_shows_the_drawing_with_its_own_alternative_text(shipped_site):
    texts = {}
    for lang in EU_LANGUAGES:
        page = shipped_site.page(f"/{lang}/supporters/")
        (image,) = page.xpath(f'//div[@class="page-body"]//img[@src="{DRAWING}"]')
        assert (image.get("width"), image.get("height")) == ("640", "300")
        assert image.get("alt").strip(), lang
        texts[lang] = image.get("alt")
    assert len(set(texts.values())) == len(EU_LANGUAGES), "an alternative text is untranslated"
    assert shipped_site.exists(DRAWING)
    drawing = (PROJECT / "content/media/supporters-network.svg").read_text()
    assert 'viewBox="0 0 640 300"' in drawing and "<script" not in drawing and "href" not in drawing


def test_the_drawing_is_credited_as_made_for_the_portal(shipped_site):
    credits = shipped_site.page("/en/credits/").xpath('//div[@class="page-body"]')[0]
    assert "was made for this portal" in credits.text_content()


def test_a_content_page_without_images_weighs_at_most_30_kb(shipped_site):
    for url in ("/en/supporters/benefits/", "/fi/supporters/commitments/", "/de/credits/"):
        page = shipped_site.page(url)
        assert not page.xpath("//img"), url
        total = shipped_site.path(url).stat().st_size
        for href in page.xpath('//link[@rel="stylesheet"]/@href | //script/@src'):
            total += shipped_site.path(href).stat().st_size
        assert total <= 30 * 1024, f"{url}: {total} bytes"
