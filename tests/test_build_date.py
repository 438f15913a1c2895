"""The same tree built on two days: what follows the calendar changes, and only that.

The workflows rebuild main every day (tests/test_workflows.py) because the site's truth moves
with the date of the build (SOURCE_DATE_EPOCH): a report falls overdue, an event passes, a
news item dated ahead appears. This builds the fixture site with the directory overlay on
2026-11-30 and again on 2027-01-02, and checks each change on the pages and in the feeds.
"""

from __future__ import annotations

import feedparser
import pytest
from conftest import Site, build_or_fail
from test_directory_build import EPOCH, fixture_content

DAY = 86_400
#: 2026-11-30 (the directory tests' date) and 33 days later, 2027-01-02.
DATES = {"before": int(EPOCH), "after": int(EPOCH) + 33 * DAY}


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Site]:
    """The same content built on each of DATES."""
    root = tmp_path_factory.mktemp("build-date")
    content = fixture_content(root)
    built = {}
    for name, epoch in DATES.items():
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", str(epoch))
            built[name] = Site(build_or_fail(content, root / f"output-{name}"))
    return built


def overdue(site: Site, supporter: str) -> bool:
    """Tell whether a supporter's profile says its report is overdue."""
    page = site.page(f"/en/supporters/directory/{supporter}/")
    return bool(page.xpath('//*[contains(@class, "badge-overdue")]'))


def calendar_section(site: Site, heading: str) -> list[str]:
    """Return the event titles listed under a heading of the English calendar page."""
    page = site.page("/en/calendar/")
    following = page.xpath(f'//h2[normalize-space()="{heading}"]/following-sibling::*[1]')[0]
    return [" ".join(a.text_content().split()) for a in following.xpath(".//li//a[1]")]


def test_the_content_is_the_same_and_the_dates_differ(sites):
    assert DATES["after"] - DATES["before"] == 33 * DAY
    before, after = sites["before"], sites["after"]
    assert before.exists("/en/supporters/directory/sv-zeta/")
    assert after.exists("/en/supporters/directory/sv-zeta/")


@pytest.mark.parametrize(
    "supporter",
    [
        "sv-zeta",  # last report 2024-11-30: due 2026-11-30, overdue from 2026-12-01
        "fi-xss",  # joined 2024-12-01, no report: due 2026-12-01
    ],
)
def test_a_report_falls_overdue_when_its_day_has_passed(sites, supporter):
    assert not overdue(sites["before"], supporter)
    assert overdue(sites["after"], supporter)


def test_a_report_that_was_on_time_stays_on_time(sites):
    # sv-alfa reported on 2026-01-01: due 2028-01-01
    assert not overdue(sites["before"], "sv-alfa")
    assert not overdue(sites["after"], "sv-alfa")


def test_an_event_moves_from_upcoming_to_past_once_it_has_ended(sites):
    before, after = sites["before"], sites["after"]
    assert calendar_section(before, "Upcoming events") == ["Fixture workshop"]
    assert "Fixture workshop" not in calendar_section(before, "Past events")
    assert "Fixture workshop" in calendar_section(after, "Past events")
    assert calendar_section(after, "Upcoming events") == []  # "No events are planned"
    event = "/en/calendar/fixture-upcoming/"
    assert not before.page(event).xpath('//*[contains(@class, "badge-past")]')
    assert after.page(event).xpath('//*[contains(@class, "badge-past")]')


def test_news_dated_ahead_appears_on_its_day(sites):
    before, after = sites["before"], sites["after"]
    item = "/en/news/fixture-news-future/"
    assert not before.exists(item)
    assert after.exists(item)
    titles = {name: site.page("/en/news/").text_content() for name, site in sites.items()}
    assert "Not published yet" not in titles["before"]
    assert "Not published yet" in titles["after"]
    feeds = {
        name: feedparser.parse(site.path("/en/feeds/news.atom.xml").read_bytes())
        for name, site in sites.items()
    }
    assert "Not published yet" not in [entry.title for entry in feeds["before"].entries]
    assert "Not published yet" in [entry.title for entry in feeds["after"].entries]
    assert "fixture-news-future" in site_sitemap(after) and "fixture-news-future" not in (
        site_sitemap(before)
    )


def site_sitemap(site: Site) -> str:
    """Return the English sitemap's text."""
    return site.path("/sitemap-en.xml").read_text(encoding="utf-8")
