"""Pagefind's index of the shipped site: one per language, the same pages as the sitemap."""

import json

import lxml.etree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_counts(site) -> dict[str, int]:
    """Return the number of pages each language's sitemap lists."""
    counts = {}
    for file in sorted(site.root.glob("sitemap-*.xml")):
        lang = file.stem.removeprefix("sitemap-")
        counts[lang] = len(lxml.etree.parse(str(file)).xpath("//s:url", namespaces=NS))
    return counts


def test_one_index_per_language_with_exactly_the_listed_pages(shipped_site):
    entry = json.loads((shipped_site.root / "pagefind" / "pagefind-entry.json").read_text())
    indexed = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    expected = sitemap_counts(shipped_site)
    expected["en"] -= 1  # the language chooser at / is in the sitemap, not in the search
    assert indexed == expected


def test_only_real_indexable_pages_are_marked_for_search(shipped_site):
    for file in shipped_site.html_files():
        if file.relative_to(shipped_site.root).parts[0] == "pagefind":
            continue
        page = shipped_site.page(shipped_site.url_of(file))
        marked = bool(page.xpath("//*[@data-pagefind-body]"))
        fallback = bool(page.xpath('//*[contains(@class, "notice-fallback")]'))
        noindex = "noindex" in " ".join(page.xpath('//meta[@name="robots"]/@content'))
        canonical = page.xpath('//link[@rel="canonical"]/@href')
        own = canonical == [shipped_site.url_of(file)]
        if marked:
            assert not fallback and not noindex and own, shipped_site.url_of(file)


def test_builds_with_search_and_sitemaps_are_byte_identical(fixture_site, tmp_path):
    from conftest import FIXTURE_SITE, build_or_fail

    again = build_or_fail(FIXTURE_SITE, tmp_path / "again")
    first = {
        p.relative_to(fixture_site.root): p for p in fixture_site.root.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again): p for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    differing = [
        str(name) for name in first if first[name].read_bytes() != second[name].read_bytes()
    ]
    assert not differing, differing
