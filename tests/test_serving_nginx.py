"""Debian's nginx with the generated configuration, over the built shipped site."""

import lxml.html
import pytest
from conftest import EU_ORDER, PROJECT, needs_tool, running_nginx
from negotiation_cases import CASES, EU, random_headers
from serving.editor import DEFAULT_EDITOR, ENTRY
from serving.negotiation import negotiate
from serving.policy import (
    MEDIA_TYPES,
    SUFFIX_MEDIA_TYPES,
    content_security_policy,
    editor_content_security_policy,
    media_type,
)

BUNDLE = PROJECT / DEFAULT_EDITOR["bundle"]

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def location(response) -> str | None:
    """Return where a redirect points, or None."""
    return response.headers.get("Location")


@pytest.mark.parametrize(
    ("header", "target"),
    [("fi", "/fi/"), ("de-AT,de;q=0.9", "/de/"), ("fi;q=0, sv;q=0.5", "/sv/")],
)
def test_root_redirects_to_the_negotiated_language(nginx_site, header, target):
    response = nginx_site.get("/", {"Accept-Language": header})
    assert response.status == 302
    assert location(response) == target
    assert "Accept-Language" in response.headers.get("Vary", "")


@pytest.mark.parametrize("header", ["sw", "fi;q=0", None])
def test_no_acceptable_language_gives_the_chooser(nginx_site, header):
    response = nginx_site.get("/", {"Accept-Language": header} if header else {})
    assert response.status == 200
    assert location(response) is None
    links = lxml.html.fromstring(response.body).xpath('//ul[@class="chooser-list"]//a')
    assert [a.get("hreflang") for a in links] == list(EU_ORDER)


def test_a_language_picked_by_hand_beats_the_browser(nginx_site):
    response = nginx_site.get("/", {"Accept-Language": "fi", "Cookie": "nf_lang=sv"})
    assert (response.status, location(response)) == (302, "/sv/")
    ignored = nginx_site.get("/", {"Accept-Language": "fi", "Cookie": "nf_lang=xx"})
    assert (ignored.status, location(ignored)) == (302, "/fi/")


@pytest.mark.parametrize(
    "path", ["/fi/supporters/commitments/", "/de/", "/en/supporters/", "/index.html"]
)
def test_deep_links_are_never_redirected(nginx_site, path):
    response = nginx_site.get(path, {"Accept-Language": "fi"})
    assert response.status == 200, path
    assert location(response) is None


def test_directory_without_slash_gets_its_canonical_address(nginx_site):
    response = nginx_site.get("/fi/supporters", {"Accept-Language": "de"})
    assert (response.status, location(response)) == (301, "/fi/supporters/")


@pytest.mark.parametrize("path", ["/", "/fi/supporters/", "/fi/no-such-page/"])
def test_security_headers_are_sent(nginx_site, path):
    response = nginx_site.get(path, {"Accept-Language": "sw"})
    for name, value in SECURITY_HEADERS.items():
        assert value in (response.headers.get(name) or ""), f"{path}: {name}"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_editor_gets_its_own_csp_and_visitor_pages_keep_the_sites(nginx_site, shipped_site):
    if not shipped_site.exists("/admin/"):
        needs_tool("decap-cms bundle", str(BUNDLE / ENTRY))  # skips, or fails in CI
    for path in ("/admin/", "/admin/config.yml", "/admin/page-format.js"):
        response = nginx_site.get(path)
        assert response.status == 200, path
        assert response.headers["Content-Security-Policy"] == editor_content_security_policy()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/", "/en/", "/en/supporters/", "/admin-not/", "/en/admin/"):
        response = nginx_site.get(path, {"Accept-Language": "sw"})
        assert response.headers["Content-Security-Policy"] == content_security_policy(), path
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_fingerprinted_assets_are_cached_for_a_year_pages_are_revalidated(nginx_site):
    page = nginx_site.get("/fi/supporters/")
    assert page.headers["Cache-Control"] == "no-cache"
    stylesheet = lxml.html.fromstring(page.body).xpath('//link[@rel="stylesheet"]/@href')[0]
    assert stylesheet.startswith("/assets/css/portal.")
    asset = nginx_site.get(stylesheet)
    assert asset.status == 200
    assert asset.headers["Content-Type"].startswith("text/css")
    assert "immutable" in asset.headers["Cache-Control"]
    assert "max-age=31536000" in asset.headers["Cache-Control"]


def test_search_engine_files_have_the_right_types(nginx_site):
    wasm = nginx_site.get("/pagefind/wasm.fi.pagefind")
    assert wasm.status == 200
    entry = nginx_site.get("/pagefind/pagefind-entry.json")
    assert entry.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("path", "lang"),
    [("/fi/no-such-page/", "fi"), ("/de/supporters/nothing-here", "de"), ("/nowhere", "en")],
)
def test_missing_page_gives_the_404_page_of_its_language(nginx_site, path, lang):
    response = nginx_site.get(path)
    assert response.status == 404
    page = lxml.html.fromstring(response.body)
    assert page.get("lang") == lang
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    if lang == "fi":
        assert "Sivua ei löytynyt" in page.xpath("//h1")[0].text_content()
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("lang", EU_ORDER)
def test_old_addresses_move_permanently(nginx_site, lang):
    old = f"/participation/as-a-network-of-local-authorities_{lang}.html"
    response = nginx_site.get(old)
    assert (response.status, location(response)) == (301, f"/{lang}/supporters/")
    assert nginx_site.get(location(response)).status == 200


def test_nginx_agrees_with_the_reference_negotiation(nginx_site):
    headers = [header for header, _ in CASES] + random_headers(80)
    disagreements = []
    for header in headers:
        response = nginx_site.get("/", {"Accept-Language": header})
        expected = negotiate(header, EU, "en")
        got = location(response)
        want = f"/{expected}/" if expected else None
        if got != want:
            disagreements.append(f"{header!r}: nginx {got!r}, reference {want!r}")
    assert not disagreements, "\n".join(disagreements)


def media_type_of(response) -> str:
    """Return the media type of a response, without parameters."""
    return response.headers["Content-Type"].split(";")[0].strip()


def test_every_type_of_the_policy_is_served_as_the_policy_says(tmp_path):
    """One file per extension (and per double suffix) of the policy, through nginx."""
    root = tmp_path / "root"
    root.mkdir()
    names = [f"file.{ext}" for _, extensions in MEDIA_TYPES for ext in extensions]
    names += [f"feed{suffix}" for suffix, _ in SUFFIX_MEDIA_TYPES]
    for name in names:
        (root / name).write_bytes(b"x")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with running_nginx(root, run_dir) as server:
        served = {name: media_type_of(server.get(f"/{name}")) for name in names}
    expected = {name: media_type(f"/{name}") for name in names}
    assert served == expected
    assert expected["feed.atom.xml"] == "application/atom+xml"
    assert expected["file.ics"] == "text/calendar"


def published_file(site, pattern: str) -> str:
    """Return the URL path of the first file of the built site matching a glob pattern."""
    found = sorted(site.root.glob(pattern))
    assert found, pattern
    return "/" + found[0].relative_to(site.root).as_posix()


@pytest.mark.parametrize(
    ("pattern", "media"),
    [
        ("fi/calendar/*.ics", "text/calendar"),
        ("fi/calendar/events.ics", "text/calendar"),
        ("fi/feeds/*.rss.xml", "application/rss+xml"),
        ("fi/feeds/*.atom.xml", "application/atom+xml"),
        ("sitemap-fi.xml", "application/xml"),
        ("translation-status.json", "application/json"),
        ("assets/images/*.svg", "image/svg+xml"),
        ("assets/js/*.js", "application/javascript"),
    ],
)
def test_the_sites_calendars_feeds_and_data_have_their_types(
    nginx_site, shipped_site, pattern, media
):
    path = published_file(shipped_site, pattern)
    response = nginx_site.get(path)
    assert response.status == 200, path
    assert media_type_of(response) == media, path
    if media != "image/svg+xml":
        assert "charset=utf-8" in response.headers["Content-Type"], path
    assert "Content-Security-Policy" in response.headers, path
