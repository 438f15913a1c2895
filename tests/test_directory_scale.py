"""The directory at 1,000 supporters: paged lists without script, filters and sorting in the
address in Chromium (over nginx with the generated configuration), the overdue facet, the
map's numbers, accessibility, and nothing asked of another origin.

The site is the directory fixture (tests/fixtures/site + tests/fixtures/directory) with 1,000
supporters more from the benchmark's generator (bench/synth.py), built at 2026-11-30.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import lxml.etree
import pytest
from conftest import EU_ORDER, Site, build_or_fail, running_nginx
from portal_core.languages import EU_LANGUAGES
from ruamel.yaml import YAML
from test_directory_build import EPOCH, fixture_content

from bench.synth import supporter_yaml

GENERATED = 1000
PAGE_SIZE = 50  # DIRECTORY_SETTINGS page_size in pelicanconf.py (the default)
DIRECTORY = "/en/supporters/directory/"
ROWS = "#supporter-table tbody tr"


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("directory-1000")
    content = fixture_content(root)
    rng = random.Random("directory-scale")
    folder = content / "data" / "supporters"
    for number in range(GENERATED):
        text = supporter_yaml(number, EU_LANGUAGES, rng)
        (folder / f"bench-supporter-{number:04d}.yaml").write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return Site(build_or_fail(content, root / "output"))


@pytest.fixture(scope="module")
def records(big_site) -> dict[str, dict]:
    """The supporter records as written, by id (the file name)."""
    folder = big_site.root.parent / "content" / "data" / "supporters"
    yaml = YAML(typ="safe")
    return {path.stem: yaml.load(path.read_text("utf-8")) for path in folder.glob("*.yaml")}


@pytest.fixture(scope="module")
def server(big_site, tmp_path_factory):
    with running_nginx(big_site.root, tmp_path_factory.mktemp("nginx-directory")) as running:
        yield running


@pytest.fixture
def browser_page(chromium, server):
    """A page in a fresh context that records every request and every console error."""
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.requests = []
    page.errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    foreign = [url for url in page.requests if not url.startswith(server.base_url + "/")]
    assert not foreign, foreign  # nothing is asked of another origin
    assert not page.errors, page.errors  # no script error, no CSP violation
    context.close()


def index_of(site: Site, lang: str = "en") -> dict:
    return json.loads(site.path(f"/{lang}/supporters/directory/index.json").read_bytes())


def row_ids(page) -> list[str]:
    return page.xpath('//table[@id="supporter-table"]/tbody/tr/@data-id')


def shown_ids(page) -> list[str]:
    return page.eval_on_selector_all(ROWS, "rows => rows.map(row => row.dataset.id)")


def open_directory(page, server, query: str = "") -> None:
    page.goto(f"{server.base_url}{DIRECTORY}{query}")
    page.wait_for_selector("#directory-search:not([hidden])")


# -- without script ----------------------------------------------------------------------------


def test_the_whole_list_comes_in_pages_of_fifty_that_together_list_everyone_once(big_site, records):
    total = len(records)
    pages = -(-total // PAGE_SIZE)
    assert pages > 20
    listed = []
    for number in range(1, pages + 1):
        url = DIRECTORY if number == 1 else f"{DIRECTORY}page/{number}/"
        page = big_site.page(url)
        ids = row_ids(page)
        assert 0 < len(ids) <= PAGE_SIZE, url
        listed += ids
        pager = page.xpath('//nav[@class="pager"]')[0]
        assert f"Page {number} of {pages}" in pager.text_content()
        assert pager.xpath(".//a[@aria-current='page']/@href") == [url]
        assert len(pager.xpath(".//a[not(@rel)]")) == pages
        if number > 1:
            assert f"(Page {number} of {pages})" in page.xpath("//h1")[0].text_content()
    assert not big_site.exists(f"{DIRECTORY}page/{pages + 1}/")
    assert not big_site.exists(f"{DIRECTORY}page/1/")  # page 1 is the directory page itself
    # everyone once, in the same alphabetical order as the script's index
    assert listed == [entry["id"] for entry in index_of(big_site)["supporters"]]
    assert sorted(listed) == sorted(records)


def test_long_facet_lists_come_in_pages_too(big_site):
    overdue = [s["id"] for s in index_of(big_site)["supporters"] if s["overdue"]]
    assert len(overdue) > PAGE_SIZE
    first = big_site.page(f"{DIRECTORY}report/overdue/")
    second = big_site.page(f"{DIRECTORY}report/overdue/page/2/")
    assert len(row_ids(first)) == PAGE_SIZE
    assert row_ids(first) + row_ids(second) == overdue[: len(row_ids(first) + row_ids(second))]


def test_overdue_facet_lists_exactly_the_active_supporters_whose_report_is_late(big_site, records):
    today = "2026-11-30"

    def late(record) -> bool:
        last = str(record.get("last_report") or record["joined"])
        due = f"{int(last[:4]) + 2}{last[4:]}"
        return record["status"] == "active" and due < today

    expected = {key for key, record in records.items() if late(record)}
    for lang in ("en", "fi", "pl"):
        base = f"/{lang}/supporters/directory/report/overdue/"
        listed, number = [], 1
        while big_site.exists(base if number == 1 else f"{base}page/{number}/"):
            page = big_site.page(base if number == 1 else f"{base}page/{number}/")
            listed += row_ids(page)
            number += 1
        assert set(listed) == expected and len(listed) == len(expected), lang
        facet = big_site.page(f"/{lang}/supporters/directory/").xpath(
            '//nav[@class="directory-filters"]//a[contains(@href, "/report/overdue/")]'
        )
        assert len(facet) == 1


def test_map_numbers_equal_the_records_and_the_table_in_every_language(big_site, records):
    expected = Counter(record["country"] for record in records.values())
    for lang in EU_ORDER:
        svg = lxml.etree.fromstring(
            big_site.path(f"/{lang}/supporters/directory/map.svg").read_bytes()
        )
        counts = {
            path.get("data-country"): int(path.get("data-count"))
            for path in svg.iter("{http://www.w3.org/2000/svg}path")
            if path.get("data-country")
        }
        assert counts == dict(expected), lang
        labels = {
            text.get("data-country"): int(re.sub(r"\D", "", text.text))
            for text in svg.iter("{http://www.w3.org/2000/svg}text")
        }
        assert labels == dict(expected), lang
        page = big_site.page(f"/{lang}/supporters/directory/")
        table = {
            row.get("data-country"): int(re.sub(r"\D", "", row.xpath("./td")[0].text_content()))
            for row in page.xpath('//table[@id="country-table"]/tbody/tr')
        }
        assert table == dict(expected), lang
        image = page.xpath('//section[@class="country-map"]//img')[0]
        assert image.get("src") == f"/{lang}/supporters/directory/map.svg"
        assert image.get("alt")


def test_map_is_small_and_self_contained(big_site):
    svg = big_site.path("/en/supporters/directory/map.svg").read_bytes()
    assert len(svg) < 40_000
    assert b"<script" not in svg and b"<style" not in svg and b"href" not in svg


# -- with script, in Chromium ------------------------------------------------------------------


def test_filters_come_from_the_address_and_go_back_into_it(big_site, server, browser_page):
    page = browser_page
    index = index_of(big_site)
    open_directory(page, server, "?country=FI&sort=signatories")
    assert page.input_value("#directory-country") == "FI"
    assert page.input_value("#directory-sort") == "signatories"
    finnish = [s for s in index["supporters"] if s["country"] == "FI"]
    ordered = sorted(finnish, key=lambda s: (-s["signatories"], index["supporters"].index(s)))
    assert shown_ids(page) == [s["id"] for s in ordered]
    assert page.is_hidden(".pager")  # the script shows every match; the pages are for no script

    page.select_option("#directory-type", "energy-agency")
    assert page.url.endswith("?country=FI&type=energy-agency&sort=signatories")
    agencies = [s["id"] for s in ordered if s["type"] == "energy-agency"]
    assert shown_ids(page) == agencies

    page.check("#directory-overdue")
    assert "overdue=1" in page.url
    assert shown_ids(page) == [i for i in agencies if index_by_id(index)[i]["overdue"]]

    page.go_back()
    page.wait_for_url("**?country=FI&type=energy-agency&sort=signatories")
    assert not page.is_checked("#directory-overdue")
    assert shown_ids(page) == agencies
    page.go_back()
    page.wait_for_url("**?country=FI&sort=signatories")
    assert page.input_value("#directory-type") == ""
    assert shown_ids(page) == [s["id"] for s in ordered]

    # a shared link opens the same list in another browser
    shared = page.context.browser.new_context().new_page()
    shared.goto(f"{server.base_url}{DIRECTORY}?country=FI&type=energy-agency&sort=signatories")
    shared.wait_for_selector("#directory-search:not([hidden])")
    assert shown_ids(shared) == agencies
    shared.context.close()


def test_typing_replaces_the_step_instead_of_adding_one(big_site, server, browser_page):
    page = browser_page
    open_directory(page, server)
    page.select_option("#directory-country", "SE")
    page.fill("#directory-query", "energy")
    assert page.evaluate("location.search") == "?q=energy&country=SE"
    page.go_back()
    page.wait_for_url(f"**{DIRECTORY}")
    assert page.input_value("#directory-query") == ""
    assert len(shown_ids(page)) == index_of(big_site)["total"]


def index_by_id(index: dict) -> dict[str, dict]:
    return {s["id"]: s for s in index["supporters"]}


@pytest.mark.parametrize("order", ["name", "country", "signatories", "joined"])
def test_sorting(big_site, server, browser_page, order):
    page = browser_page
    index = index_of(big_site)
    entries = index["supporters"]
    position = {s["id"]: n for n, s in enumerate(entries)}
    keys = {
        "name": lambda s: position[s["id"]],
        "country": lambda s: (index["countries"][s["country"]]["rank"], position[s["id"]]),
        "signatories": lambda s: (-s["signatories"], position[s["id"]]),
        "joined": lambda s: (-int(s["joined"].replace("-", "")), position[s["id"]]),
    }
    open_directory(page, server, f"?sort={order}&status=active")
    expected = [s["id"] for s in sorted(entries, key=keys[order]) if s["status"] == "active"]
    assert shown_ids(page) == expected
    if order == "country":
        names = page.eval_on_selector_all(
            f"{ROWS} td:first-of-type", "cells => cells.map(c => c.textContent)"
        )
        first = index_by_id(index)[expected[0]]["country"]
        assert names[0] == index["countries"][first]["name"]
    found = page.inner_text("#directory-found")
    assert found == index["found"][len(expected)]


def test_overdue_box_shows_the_same_supporters_as_the_no_script_facet(
    big_site, server, browser_page
):
    page = browser_page
    open_directory(page, server, "?overdue=1")
    assert page.is_checked("#directory-overdue")
    shown = shown_ids(page)
    badges = page.eval_on_selector_all(
        ROWS, "rows => rows.every(row => row.querySelector('.badge-overdue'))"
    )
    assert badges
    overdue = [s["id"] for s in index_of(big_site)["supporters"] if s["overdue"]]
    assert shown == overdue


def test_values_the_form_does_not_offer_fall_back_to_the_whole_list(big_site, server, browser_page):
    page = browser_page
    open_directory(page, server, "?country=XX&sort=%3Cscript%3E")
    assert page.input_value("#directory-country") == ""
    assert page.input_value("#directory-sort") == "name"
    assert len(shown_ids(page)) == index_of(big_site)["total"]


def test_no_accessibility_violation_on_the_new_parts(big_site, server, browser_page):
    from axe_playwright_python.sync_playwright import Axe

    from portal.checks.accessibility import AXE_OPTIONS

    page = browser_page
    axe = Axe()
    pages = [
        f"{DIRECTORY}?country=SE&overdue=1&sort=joined",
        "/fi/supporters/directory/",
        f"{DIRECTORY}page/2/",
        f"{DIRECTORY}report/overdue/",
        "/en/",
        "/de/",
    ]
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            page.goto(server.base_url + url)
            if "directory/?" in url or url.endswith("/directory/"):
                page.wait_for_selector("#directory-search:not([hidden])")
            results = axe.run(page, options=AXE_OPTIONS).response
            assert results["violations"] == [], (url, width, results["violations"])


def test_main_menu_folds_on_a_phone_and_is_open_on_a_wide_screen(server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{server.base_url}/en/")
    news = page.locator(".main-nav a[href='/en/news/']")
    assert page.is_visible(".main-nav summary") and not news.is_visible()
    page.click(".main-nav summary")
    assert news.is_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server.base_url}/en/")
    assert not page.is_visible(".main-nav summary")
    assert news.is_visible() and page.locator(".main-nav a[href='/en/calendar/']").is_visible()


def test_directory_index_is_what_the_script_needs_and_no_more(big_site):
    index = index_of(big_site, "fi")
    assert set(index["supporters"][0]) == {
        "id", "name", "match", "country", "type", "status", "overdue", "signatories",
        "signatories_text", "joined", "joined_text",
    }  # fmt: skip
    size = len(big_site.path("/fi/supporters/directory/index.json").read_bytes())
    assert size < 400 * len(index["supporters"])  # bytes per supporter
