"""What the build writes for servers: 404 pages, old addresses, hosts' files, assets."""

import hashlib
import re

import pytest
import rcssmin
from conftest import EU_ORDER, FIXTURE_SITE, PROJECT, run_build
from serving.apache import htaccess
from serving.policy import (
    content_security_policy,
    editor_content_security_policy,
    serving_policy,
)
from serving.static_hosts import headers_file, redirects_file

OLD = "/participation/as-a-network-of-local-authorities_{lang}.html"


@pytest.fixture(scope="module")
def policy():
    return serving_policy(
        {
            "LANGUAGES": EU_ORDER,
            "DEFAULT_LANG": "en",
            "MOVED_PAGES": {OLD: "supporters"},
        }
    )


def test_every_old_address_moves_to_the_supporters_page(policy):
    assert {(r.source, r.target) for r in policy.redirects} == {
        (OLD.format(lang=lang), f"/{lang}/supporters/") for lang in EU_ORDER
    }


def test_redirects_file_has_301s_and_language_rules(policy):
    lines = redirects_file(policy).splitlines()
    assert f"{OLD.format(lang='fi')} /fi/supporters/ 301" in lines
    assert "/ /fi/ 302 Language=fi" in lines
    assert len([line for line in lines if line.endswith(" 301")]) == 24


def test_headers_file_sends_security_headers_everywhere_and_caches_only_hashed_files(policy):
    text = headers_file(policy)
    everywhere = text.split("\n/*\n")[1].split("\n/\n")[0]
    assert "Content-Security-Policy" not in everywhere  # hosts would join it with the editor's
    assert "X-Content-Type-Options: nosniff" in everywhere
    assert "Cache-Control" not in everywhere  # hosts would join it with the rules below
    assert "/assets/*\n  Cache-Control: public, max-age=31536000, immutable" in text


CSP = "Content-Security-Policy"


def header_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """Return the rules of a _headers file: (path pattern, headers)."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("/"):
            rules.append((line, {}))
        else:
            name, _, value = line.strip().partition(": ")
            rules[-1][1][name] = value
    return rules


def matches(pattern: str, url: str) -> bool:
    """Tell whether a _headers path pattern matches `url` (a trailing * or an exact path)."""
    if pattern.endswith("*") and pattern.count("*") == 1:
        return url.startswith(pattern[:-1])
    return "*" not in pattern and url == pattern


def test_static_hosts_never_send_two_policies_and_the_editor_gets_its_own(fixture_site):
    # Both hosts join the values of all matching rules, and two policies are both enforced.
    rules = header_rules((fixture_site.root / "_headers").read_text(encoding="utf-8"))
    site, editor = content_security_policy(), editor_content_security_policy()
    meta = f'<meta http-equiv="Content-Security-Policy" content="{site.split("; frame")[0]}'
    pages = {fixture_site.url_of(f): f for f in fixture_site.html_files()}
    pages |= {"/" + f.relative_to(fixture_site.root).as_posix(): f for f in pages.values()}
    assert {"/", "/404.html", "/fi/"} <= set(pages)
    assert any(url.startswith("/participation/") for url in pages)
    without_header = []
    for url, file in pages.items():
        if url.startswith("/admin/"):
            continue
        found = [h[CSP] for p, h in rules if matches(p, url) and CSP in h]
        assert found in ([], [site]), url
        if not found:  # a page outside the language folders: its <meta> carries the policy
            text = file.read_text(encoding="utf-8").replace("&#39;", "'")
            assert meta in text, url
            without_header.append(url)
    assert not any(url.startswith(("/fi/", "/en/")) for url in without_header)
    for url in ("/admin/", "/admin/index.html", "/admin/decap-cms.js"):
        assert [h[CSP] for p, h in rules if matches(p, url) and CSP in h] == [editor], url


def test_htaccess_gives_the_editor_its_own_csp(policy):
    text = htaccess(policy)
    block = text.split('<If "%{REQUEST_URI} =~ m#^/admin/#">')[1].split("</If>")[0]
    assert f'Header always set Content-Security-Policy "{editor_content_security_policy()}"' in (
        block.replace('\\"', '"')
    )
    assert "'unsafe-eval'" in block and "'unsafe-eval'" not in text.split("<If")[0]


def test_htaccess_covers_negotiation_404_moves_and_headers(policy):
    text = htaccess(policy)
    assert f"Redirect 301 {OLD.format(lang='de')} /de/supporters/" in text
    assert "ErrorDocument 404 /fi/404.html" in text
    assert re.search(r"RewriteCond %\{HTTP:Accept-Language\} \^\\s\*fi\(", text)
    assert "RewriteRule ^$ /fi/ [R=302,L]" in text
    assert 'Header always set X-Content-Type-Options "nosniff"' in text
    assert "AddType application/wasm .wasm" in text
    assert "AddType text/calendar .ics" in text
    atom = '<FilesMatch "\\.atom\\.xml$">\n    ForceType application/atom+xml\n</FilesMatch>'
    assert atom in text
    assert re.search(r"^AddCharset utf-8 .*\.ics\b", text, re.M)


def test_headers_file_gives_the_feeds_their_types(policy):
    text = headers_file(policy)
    assert "/*.rss.xml\n  Content-Type: application/rss+xml; charset=utf-8" in text
    assert "/*.atom.xml\n  Content-Type: application/atom+xml; charset=utf-8" in text


@pytest.mark.parametrize("lang", ["fi", "de", "en"])
def test_404_page_per_language(fixture_site, lang):
    page = fixture_site.page(f"/{lang}/404.html")
    assert page.get("lang") == lang
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex"]
    assert not page.xpath('//link[@rel="canonical"]')
    assert not page.xpath("//*[@data-pagefind-body]")
    hrefs = page.xpath("//main//a/@href")
    assert f"/{lang}/" in hrefs and f"/{lang}/search/" in hrefs
    heading = page.xpath("//h1")[0].text_content()
    translated = {"fi": "Sivua ei löytynyt", "de": "Seite nicht gefunden"}  # as in their .po
    assert heading == translated.get(lang, "Page not found")


def test_multilingual_404_page_links_every_language(fixture_site):
    page = fixture_site.page("/404.html")
    links = page.xpath('//ul[@class="chooser-list"]//a')
    assert [a.get("hreflang") for a in links] == list(EU_ORDER)
    finnish = page.xpath('//li[@lang="fi"]')[0].text_content()
    assert "Sivua ei löytynyt" in finnish


@pytest.mark.parametrize("lang", EU_ORDER)
def test_old_address_has_a_redirect_page(fixture_site, lang):
    page = fixture_site.page(OLD.format(lang=lang))
    target = f"/{lang}/supporters/"
    assert page.get("lang") == lang
    assert page.xpath('//link[@rel="canonical"]/@href') == [target]
    assert page.xpath('//meta[@http-equiv="refresh"]/@content') == [f"0; url={target}"]
    assert target in page.xpath("//main//a/@href")
    assert fixture_site.exists(target)


def test_server_files_are_written(fixture_site):
    for name in ("_redirects", "_headers", ".htaccess"):
        assert (fixture_site.root / name).is_file(), name


def test_assets_are_fingerprinted(fixture_site):
    page = fixture_site.page("/fi/supporters/")
    stylesheet = page.xpath('//link[@rel="stylesheet"]/@href')[0]
    assert re.fullmatch(r"/assets/css/portal\.[0-9a-f]{12}\.css", stylesheet)
    # served without comments and spaces, and named by the hash of what is served
    written = fixture_site.path(stylesheet).read_bytes()
    source = (PROJECT / "theme" / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    assert written.decode("utf-8") == rcssmin.cssmin(source)
    assert len(written) < 0.9 * len(source.encode("utf-8")) and b"/*" not in written
    assert hashlib.sha256(written).hexdigest()[:12] in stylesheet
    scripts = page.xpath("//script/@src")
    assert scripts and all(
        re.fullmatch(r"/assets/js/[a-z-]+\.[0-9a-f]{12}\.js", s) for s in scripts
    )


def test_content_security_policy_meta_on_every_page(fixture_site):
    for file in fixture_site.html_files():
        if file.relative_to(fixture_site.root).parts[0] == "pagefind":
            continue
        page = fixture_site.page(fixture_site.url_of(file))
        csp = page.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
        assert csp and csp[0].startswith("default-src 'self'"), file
        assert "frame-ancestors" not in csp[0]  # ignored in <meta>; sent as a header


def test_moved_page_to_a_missing_page_is_a_clear_error(tmp_path):
    settings = tmp_path / "conf.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(PROJECT)!r})\n"
        "from pelicanconf import *\n"
        "MOVED_PAGES = {'/old/page_{lang}.html': 'no/such/page'}\n"
    )
    result = run_build(FIXTURE_SITE, tmp_path / "out", settings=settings)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "pelicanconf.py: MOVED_PAGES sends old addresses to page 'no/such/page'" in " ".join(
        output.split()
    )


def test_a_noindex_page_cannot_slip_into_the_search_index(tmp_path):
    from search.search import noindex_pages_marked_for_search

    (tmp_path / "editor.html").write_text(
        '<html><head><meta name="robots" content="noindex"></head>'
        "<body><main data-pagefind-body>x</main></body></html>"
    )
    (tmp_path / "fine.html").write_text(
        '<html><head><meta name="robots" content="noindex"></head><body>x</body></html>'
    )
    assert noindex_pages_marked_for_search(tmp_path) == [tmp_path / "editor.html"]
