"""In Chromium, over nginx with the generated configuration: search and the root's script."""

import re

import pytest
from conftest import running_nginx
from negotiation_cases import CASES, EU, random_headers
from serving.negotiation import negotiate

RESULT_LINKS = ".pagefind-ui__result-link"


@pytest.fixture(scope="module")
def fixture_nginx(fixture_site, tmp_path_factory):
    """The fixture site (real German pages) served by nginx."""
    with running_nginx(fixture_site.root, tmp_path_factory.mktemp("nginx-fixture")) as server:
        yield server


@pytest.fixture
def browse(chromium):
    """Open pages in a fresh browser context; collect console errors (CSP violations)."""
    contexts = []
    errors: list[str] = []

    def open_context(locale="en-GB", accept_language=None):
        headers = {"Accept-Language": accept_language} if accept_language else {}
        context = chromium.new_context(locale=locale, extra_http_headers=headers)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page

    open_context.errors = errors
    yield open_context
    for context in contexts:
        context.close()


def search(page, words: str) -> list[str]:
    """Type `words` into Pagefind's search box; return the result links in order.

    While it searches, Pagefind shows "Searching for <words>..." alone; the result list follows
    the message only once the search is done. Then it loads each result, so wait until as many
    links as the message announces (at most the five shown first) are there.
    """
    page.fill(".pagefind-ui__search-input", words)
    done = f'p.pagefind-ui__message:has-text("{words}") + ol.pagefind-ui__results'
    page.wait_for_selector(done, state="attached", timeout=20000)
    count = re.search(r"\d+", page.inner_text(".pagefind-ui__message").replace(words, ""))
    shown = min(int(count.group()), 5) if count else 0
    page.wait_for_function(
        f"document.querySelectorAll('{RESULT_LINKS}').length >= {shown}", timeout=20000
    )
    return [a.get_attribute("href") for a in page.query_selector_all(RESULT_LINKS)]


def test_finnish_search_finds_the_finnish_commitments_page_first(nginx_site, browse):
    page = browse(accept_language="fi")
    page.goto(f"{nginx_site.base_url}/fi/search/")
    assert page.is_hidden("#search-needs-script")
    results = search(page, "mobilisoimaan")  # only the commitments page uses it
    assert results[0] == "/fi/supporters/commitments/"
    assert all(href.startswith("/fi/") for href in results)
    assert "tulos" in page.inner_text(".pagefind-ui__message")  # Pagefind's Finnish interface
    assert not browse.errors, browse.errors


def test_english_search_finds_english_pages_only(nginx_site, browse):
    page = browse()
    page.goto(f"{nginx_site.base_url}/en/search/")
    results = search(page, "commitments")
    assert results and all(href.startswith("/en/") for href in results)
    assert not browse.errors, browse.errors


def test_german_search_shows_no_finnish_result(nginx_site, browse):
    page = browse(locale="de-DE")
    page.goto(f"{nginx_site.base_url}/de/search/")
    # Pagefind may match German words that share a start with the Finnish one ("alle");
    # what matters is that the Finnish index is never searched.
    assert not [href for href in search(page, "allekirjoittajia") if not href.startswith("/de/")]
    results = search(page, "mobilisieren")
    assert results[0] == "/de/supporters/commitments/"
    assert all(href.startswith("/de/") for href in results)
    assert not browse.errors, browse.errors


def test_search_in_a_language_without_pages_offers_english(fixture_nginx, browse):
    # The fixture site has no Swedish page: Pagefind has no Swedish index, and would
    # otherwise search another language's.
    page = browse(locale="sv-SE")
    page.goto(f"{fixture_nginx.base_url}/sv/search/?q=sitoumus")
    page.wait_for_selector("#search-unavailable:visible", timeout=15000)
    assert page.query_selector_all(RESULT_LINKS) == []
    assert page.get_attribute("#search-in-source", "href").endswith("/en/search/?q=sitoumus")
    assert not browse.errors, browse.errors


def test_german_search_never_shows_finnish_pages(fixture_nginx, browse):
    page = browse(locale="de-DE")
    page.goto(f"{fixture_nginx.base_url}/de/search/")
    assert search(page, "sitoumus") == []
    assert search(page, "Verpflichtung")[0] == "/de/supporters/commitments/"
    finnish = browse(locale="fi-FI")
    finnish.goto(f"{fixture_nginx.base_url}/fi/search/")
    assert search(finnish, "sitoumus")[0] == "/fi/supporters/commitments/"
    assert not browse.errors, browse.errors


def test_search_page_without_javascript_says_so(nginx_site, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{nginx_site.base_url}/fi/search/")
    notice = page.inner_text("#search-needs-script")
    assert "JavaScript" in notice
    assert page.get_attribute("#search-needs-script a", "href") == "/fi/sitemap/"
    context.close()


def test_script_sends_a_first_time_visitor_to_the_browser_language(nginx_site, browse):
    # The server sees a language it cannot serve; the browser's own list says Finnish.
    page = browse(locale="fi-FI", accept_language="sw")
    page.goto(f"{nginx_site.base_url}/")
    page.wait_for_url(f"{nginx_site.base_url}/fi/", timeout=10000)
    assert not browse.errors, browse.errors


def test_chooser_stays_without_a_matching_language(nginx_site, browse):
    page = browse(locale="sw-KE", accept_language="sw")
    page.goto(f"{nginx_site.base_url}/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.url == f"{nginx_site.base_url}/"
    assert len(page.query_selector_all(".chooser-list a")) == 24


def test_a_language_picked_by_hand_is_remembered(nginx_site, browse):
    page = browse(locale="sw-KE", accept_language="sw")
    page.goto(f"{nginx_site.base_url}/")
    page.click('.chooser-list a[hreflang="sv"]')
    page.wait_for_url(f"{nginx_site.base_url}/sv/")
    # Back at the root: the server reads the cookie, the script reads the stored choice.
    page.goto(f"{nginx_site.base_url}/")
    page.wait_for_url(f"{nginx_site.base_url}/sv/")
    # Picking another language in the selector changes the remembered one.
    page.goto(f"{nginx_site.base_url}/fi/supporters/")
    page.click("details.language-selector summary")
    page.click('.language-list a[hreflang="en"]')
    page.wait_for_url(f"{nginx_site.base_url}/en/supporters/")
    page.goto(f"{nginx_site.base_url}/")
    page.wait_for_url(f"{nginx_site.base_url}/en/")
    stored = page.evaluate("localStorage.getItem('portal-language')")
    assert stored == "en"


@pytest.mark.parametrize("path", ["/de/", "/sv/supporters/", "/index.html"])
def test_script_never_redirects_other_addresses(nginx_site, browse, path):
    page = browse(locale="fi-FI", accept_language="fi")
    page.goto(f"{nginx_site.base_url}{path}")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.url == f"{nginx_site.base_url}{path}"


def test_browser_lookup_agrees_with_the_reference(nginx_site, browse):
    page = browse(locale="sw-KE", accept_language="sw")
    page.goto(f"{nginx_site.base_url}/")
    headers = [header for header, _ in CASES] + random_headers(300)
    chosen = page.evaluate(
        """([headers, languages]) => headers.map((header) =>
            PortalLanguageLookup.lookup(PortalLanguageLookup.parse(header), languages, "en"))""",
        [headers, list(EU)],
    )
    disagreements = [
        f"{header!r}: browser {got!r}, reference {negotiate(header, EU, 'en')!r}"
        for header, got in zip(headers, chosen, strict=True)
        if got != negotiate(header, EU, "en")
    ]
    assert not disagreements, "\n".join(disagreements)
