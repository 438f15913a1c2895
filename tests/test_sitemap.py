"""sitemap.xml, robots.txt and the HTML sitemap, on the fixture site built for production."""

import lxml.etree
import pytest
from conftest import EU_ORDER, PUBLISHED_URL
from sitemap.site_tree import SitemapEntry, build_site_tree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
# The fixture site: index, supporters, supporters/commitments in en, fi, de;
# supporters/benefits only in English.
REAL_PAGES = {lang: ["", "supporters/", "supporters/commitments/"] for lang in ("en", "fi", "de")}
REAL_PAGES["en"].append("supporters/benefits/")


def sitemap_entries(site) -> dict[str, dict[str, str]]:
    """Return {loc: {hreflang: href}} over every sitemap the index lists."""
    index = lxml.etree.parse(str(site.root / "sitemap.xml"))
    entries = {}
    for loc in index.xpath("//s:sitemap/s:loc/text()", namespaces=NS):
        assert loc.startswith(PUBLISHED_URL + "/")
        sitemap = lxml.etree.parse(str(site.root / loc[len(PUBLISHED_URL) + 1 :]))
        for url in sitemap.xpath("//s:url", namespaces=NS):
            (address,) = url.xpath("s:loc/text()", namespaces=NS)
            assert address not in entries, f"{address} listed twice"
            entries[address] = {
                link.get("hreflang"): link.get("href")
                for link in url.xpath("x:link[@rel='alternate']", namespaces=NS)
            }
    return entries


def test_sitemap_lists_every_real_page_and_nothing_else(published_fixture_site):
    entries = sitemap_entries(published_fixture_site)
    expected = {f"{PUBLISHED_URL}/"} | {
        f"{PUBLISHED_URL}/{lang}/{path}" for lang, paths in REAL_PAGES.items() for path in paths
    }
    assert set(entries) == expected


def test_sitemap_has_one_file_per_language_with_pages(published_fixture_site):
    index = lxml.etree.parse(str(published_fixture_site.root / "sitemap.xml"))
    locs = index.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    assert locs == [f"{PUBLISHED_URL}/sitemap-{lang}.xml" for lang in ("de", "en", "fi")]


def test_sitemap_alternates_are_reciprocal_and_absolute(published_fixture_site):
    entries = sitemap_entries(published_fixture_site)
    for address, alternates in entries.items():
        if address == f"{PUBLISHED_URL}/":
            continue
        assert alternates["x-default"] == f"{PUBLISHED_URL}/"
        own = address[len(PUBLISHED_URL) + 1 :].split("/")[0]
        assert alternates[own] == address, f"{address} is not its own alternate"
        for lang, href in alternates.items():
            if lang == "x-default":
                continue
            assert href in entries, f"{address}: alternate {href} is not in the sitemap"
            assert entries[href] == alternates, f"{href} and {address} disagree"


def test_page_only_in_english_has_only_itself(published_fixture_site):
    entries = sitemap_entries(published_fixture_site)
    assert entries[f"{PUBLISHED_URL}/en/supporters/benefits/"] == {
        "en": f"{PUBLISHED_URL}/en/supporters/benefits/",
        "x-default": f"{PUBLISHED_URL}/",
    }


def test_noindex_pages_are_left_out(published_fixture_site, tmp_path):
    from sitemap.sitemap import listed_pages

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<html lang="en"><head><meta name="robots" content="noindex">'
        '<link rel="canonical" href="https://x.eu/a/"></head></html>'
    )
    (tmp_path / "b.html").write_text(
        '<html lang="en"><head><link rel="canonical" href="https://x.eu/b.html"></head></html>'
    )
    assert [page.loc for page in listed_pages(tmp_path, "https://x.eu")] == ["https://x.eu/b.html"]


def test_robots_txt_points_at_the_sitemap(published_fixture_site):
    robots = (published_fixture_site.root / "robots.txt").read_text()
    assert f"Sitemap: {PUBLISHED_URL}/sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots.splitlines()


def test_published_pages_use_absolute_addresses(published_fixture_site):
    page = published_fixture_site.page("/fi/supporters/")
    assert page.xpath('//link[@rel="canonical"]/@href') == [f"{PUBLISHED_URL}/fi/supporters/"]
    assert page.xpath('//link[@rel="stylesheet"]/@href')[0].startswith(PUBLISHED_URL + "/assets/")


def test_html_sitemap_is_a_tree_in_the_page_language():
    entries = [
        SitemapEntry("supporters/commitments", "fi", "fi/supporters/commitments/", "S", "fi"),
        SitemapEntry("supporters", "fi", "fi/supporters/", "T", "fi"),
        SitemapEntry("supporters/directory/acme", "fi", "fi/supporters/directory/acme/", "A", "fi"),
        SitemapEntry("index", "fi", "fi/", "Etusivu", "fi"),
        SitemapEntry("news", "fi", "fi/news/", "News", "en"),
    ]
    tree = build_site_tree(entries, order=["news", "supporters"])
    assert [node.entry.path for node in tree] == ["index", "news", "supporters"]
    children = [node.entry.path for node in tree[2].children]
    assert children == ["supporters/commitments", "supporters/directory/acme"]


def test_shipped_html_sitemap_nests_the_supporter_pages(shipped_site):
    for lang in EU_ORDER:
        page = shipped_site.page(f"/{lang}/sitemap/")
        nested = page.xpath('//nav[@class="sitemap"]/ul/li/ul/li/a/@href')
        assert f"/{lang}/supporters/commitments/" in nested
        for link in page.xpath('//nav[@class="sitemap"]//a'):
            real = not shipped_site.page(link.get("href")).xpath(
                '//*[contains(@class, "notice-fallback")]'
            )
            assert (link.get("lang") is None) == real, f"/{lang}/sitemap/: {link.get('href')}"


@pytest.mark.parametrize("site_name", ["shipped_site", "published_fixture_site"])
def test_sitemaps_from_written_pages_equal_those_read_back_from_the_html(site_name, request):
    """The build lists pages from their `Here` as they are written; parsing every written page
    (what base.html actually put in its head) must give the same files, byte for byte."""
    from sitemap.sitemap import listed_pages, sitemap_files

    site = request.getfixturevalue(site_name)
    siteurl = PUBLISHED_URL if site_name == "published_fixture_site" else ""
    listed = listed_pages(site.root, siteurl)
    assert len(listed) >= sum(len(urls) for urls in REAL_PAGES.values())
    expected = sitemap_files(listed, EU_ORDER, siteurl)
    written = {path.name: path.read_bytes() for path in site.root.glob("sitemap*.xml")}
    assert written.keys() == expected.keys()
    for name, data in expected.items():
        assert written[name] == data, f"{name} differs from the pages' own head links"


def test_listed_pages_come_in_the_order_of_their_paths_component_by_component(tmp_path):
    import random

    from build_engine.front_door import BuildContext
    from sitemap.sitemap import SitemapListener

    parts = ["a", "a-b", "ab", "b", "index.html", "fi", "x.y", "a.b", "aa", "é", "Z"]
    rng = random.Random(7)
    paths = {"/".join(rng.choice(parts) for _ in range(rng.randint(1, 4))) for _ in range(3000)}
    pages = SitemapListener(BuildContext(str(tmp_path), {}, 0, False))
    pages.entries = {path: path for path in paths}  # each entry stands for its page
    assert pages.listed() == sorted(paths, key=lambda path: path.split("/"))
