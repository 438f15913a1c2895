"""External addresses: each fact records its source, the build names the unconfirmed ones, and
`make check-external` requests every external link (tested against a server on 127.0.0.1)."""

import http.server
import subprocess
import sys
import threading

import pytest
from conftest import FIXTURE_SITE, PROJECT, run_build
from portal_core.errors import PortalError
from portal_core.facts import confirmed, substitute_facts, unconfirmed, unconfirmed_facts


def test_fact_with_lang_is_the_page_languages_address_and_stays_a_string():
    facts = {
        "join": confirmed("https://x.eu/{lang}/join", source="copy of x.eu", checked="2026-12-02"),
        "mail": "a@b.eu",
    }
    assert substitute_facts("[j]({{join}}) {{mail}}", facts, "f.md", "fi") == (
        "[j](https://x.eu/fi/join) a@b.eu"
    )
    assert facts["join"] == "https://x.eu/{lang}/join" and facts["join"].is_confirmed
    with pytest.raises(PortalError, match=r"f\.md:2: unknown placeholder \{\{nope\}\}"):
        substitute_facts("x\n{{nope}}", facts, "f.md", "fi")


def test_unconfirmed_and_sourceless_external_facts_are_listed():
    facts = {
        "seen": confirmed("https://a.eu/", source="copy", checked="2026-12-01"),
        "unseen": unconfirmed("https://b.eu/", why="no copy found"),
        "typed": "https://c.eu/",
        "mail": "x@y.eu",
    }
    assert unconfirmed_facts(facts) == [
        ("unseen", "https://b.eu/", "no copy found"),
        ("typed", "https://c.eu/", "no source recorded: write it with confirmed(...)"),
    ]
    with pytest.raises(ValueError, match="not a YYYY-MM-DD date"):
        confirmed("https://a.eu/", source="copy", checked="yesterday")


def test_shipped_facts_have_sources_and_no_invented_addresses():
    import pelicanconf

    facts = pelicanconf.FACTS
    values = " ".join(str(v) for v in facts.values())
    assert "commitment-statement.pdf" not in values and "supporters/application" not in values
    assert facts["join_page_url"] == "https://eu-mayors.ec.europa.eu/{lang}/join/supporter"
    for name in ("helpdesk_email", "join_page_url", "office_url"):
        assert facts[name].source and facts[name].checked, name


def test_build_names_unconfirmed_addresses_without_failing(tmp_path):
    result = run_build(FIXTURE_SITE, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if line.startswith("notice: ")]
    assert "not confirmed" in notices[0]
    listed = "\n".join(notices[1:])
    assert "twitter_url: https://twitter.com/eumayors" in listed
    assert "join_page_url" not in listed and "helpdesk_email" not in listed


def test_shipped_pages_link_the_join_page_in_their_own_language(shipped_site):
    for lang in ("en", "fi", "de"):
        hrefs = shipped_site.page(f"/{lang}/supporters/commitments/").xpath("//main//a/@href")
        assert f"https://eu-mayors.ec.europa.eu/{lang}/join/supporter" in hrefs


class Handler(http.server.BaseHTTPRequestHandler):
    """200 at /ok, a 301 from /moved to /ok, 404 everywhere else."""

    def do_GET(self):
        if self.path == "/ok":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>ok</p>")
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def check_external(folder):
    return subprocess.run(
        [sys.executable, "-m", "portal.check_external", str(folder), "--timeout", "5"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_external_reports_broken_and_redirected_links(tmp_path, local_server):
    site = tmp_path / "site"
    (site / "fi").mkdir(parents=True)
    (site / "fi" / "index.html").write_text(
        f'<a href="{local_server}/ok">a</a> <a href="{local_server}/missing">b</a>'
        f'<a href="{local_server}/moved#part">c</a> <a href="https://org.example/">sample</a>'
        '<a href="/fi/local/">own</a>'
    )
    result = check_external(site)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert f"broken: {local_server}/missing: " in out and "404" in out
    assert "(linked from fi/index.html)" in out
    assert f"moved: {local_server}/moved redirects to {local_server}/ok (HTTP 301)" in out
    assert "3 external addresses: 1 fine, 1 redirected, 1 broken" in out
    assert "1 on reserved example names skipped" in out


def test_check_external_passes_when_every_link_answers(tmp_path, local_server):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f'<a href="{local_server}/ok">a</a>')
    result = check_external(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 external addresses: 1 fine, 0 redirected, 0 broken" in result.stdout


def test_check_external_without_network_says_so_in_one_line(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<a href="https://no-such-host.h19-portal.internal/">x</a>')
    result = check_external(site)
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("check-external: skipped, it needs the network")
    assert "no-such-host.h19-portal.internal does not resolve" in lines[0]
