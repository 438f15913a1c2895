"""The dev server (`make devserver`, portal.devserver) and `make serve` (portal.serve), run as
real processes on a copy of the project and driven by Debian's Chromium.

An editor's session: pages reload themselves after each build; a YAML, metadata or template
error shows on every page (status 500) with the file and line, and goes away by itself once
fixed; the server never stops because of content; it does not rebuild while nothing changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import lxml.html
import pytest
from conftest import (
    FIXTURE_SITE,
    PROJECT,
    Server,
    build_or_fail,
    copy_project,
    free_port,
    tree_digest,
)

from portal.serve import media_type

#: How soon an open page shows an edit or an error (the task: 2 s on the shipped site).
RELOAD_SECONDS = 2.0
#: How long a rebuild that renders every page (after a template fix) may take on a busy machine.
FULL_REBUILD_SECONDS = 120.0
FI_PAGE = "content/fi/supporters/benefits.md"
RECORD = "content/data/supporters/agence-energie-occitanie.yaml"
TEMPLATE = "theme/templates/page.html"


class DevServer(Server):
    """A dev server process started as `make devserver` starts it."""

    def __init__(self, project: Path, port: int, process: subprocess.Popen, log: Path) -> None:
        super().__init__(port, project / "output", project)
        self.project = project
        self.process = process
        self.log = log

    def output(self) -> str:
        """Return everything the server (and its builder process) printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def builds(self) -> int:
        """Return how many builds have finished (the server's line after each)."""
        return len(re.findall(r"^devserver: (Built|The build)", self.output(), re.M))

    def wait_for_builds(self, count: int, timeout: float) -> None:
        """Wait until `count` builds have finished; fail if the server stops."""
        deadline = time.monotonic() + timeout
        while self.builds() < count:
            assert self.process.poll() is None, f"the dev server stopped:\n{self.output()}"
            if time.monotonic() > deadline:
                pytest.fail(f"no build {count} within {timeout} s:\n{self.output()}")
            time.sleep(0.05)

    def alive(self) -> bool:
        """Tell whether the server process still runs."""
        return self.process.poll() is None

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace the first `old` in a project file, as an editor's save does."""
        path = self.project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def line_of(self, relative: str, needle: str) -> int:
        """Return the number of the first line of a project file that contains `needle`."""
        lines = (self.project / relative).read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if needle in line)


def without_reload_script(html: str) -> str:
    """Return a served page without the script the dev server adds to it."""
    return re.sub(r'<script src="/_devserver/reload\.js"[^>]*></script>', "", html, count=1)


def devserver_command(port: int) -> list[str]:
    """Return the command `make devserver PORT=port` runs."""
    return [
        sys.executable,
        "-m",
        "portal.devserver",
        "content",
        "-s",
        "pelicanconf.py",
        "-o",
        "output",
        "--fatal",
        "warnings",
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@pytest.fixture(scope="module")
def devserver(tmp_path_factory):
    """The dev server on a copy of the project (the shipped site), after its first build."""
    project = copy_project(tmp_path_factory.mktemp("devserver") / "project")
    port = free_port()
    log = project.parent / "devserver.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            devserver_command(port),
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DevServer(project, port, process, log)
    try:
        server.wait_for_builds(1, timeout=600)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # as Ctrl-C: the server stops its builder
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def test_the_first_build_is_served_with_the_sites_rules(devserver):
    assert "devserver: Built in" in devserver.output()
    page = devserver.get("/fi/supporters/benefits/")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # the live-reload script is added as the page is served, never written into the site
    assert '<script src="/_devserver/reload.js"' in page.text
    on_disk = (devserver.root / "fi/supporters/benefits/index.html").read_text(encoding="utf-8")
    assert "_devserver" not in on_disk
    assert without_reload_script(page.text) == on_disk
    assert (
        devserver.get("/_devserver/reload.js")
        .headers["Content-Type"]
        .startswith("application/javascript")
    )

    moved = devserver.get("/fi/supporters/benefits")
    assert moved.status == 301 and moved.headers["Location"] == "/fi/supporters/benefits/"

    missing = devserver.get("/fi/no-such-page/")
    assert missing.status == 404
    assert lxml.html.fromstring(missing.body).get("lang") == "fi"
    assert "Content-Security-Policy" in missing.headers
    root_missing = devserver.get("/no-such-page.html")
    assert root_missing.status == 404
    root_404 = (devserver.root / "404.html").read_text(encoding="utf-8")
    assert without_reload_script(root_missing.text) == root_404

    types = {
        "/fi/calendar/events.ics": "text/calendar; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/fi/supporters/directory/index.json": "application/json; charset=utf-8",
    }
    svg = next(devserver.root.glob("assets/images/*.svg")).relative_to(devserver.root)
    types[f"/{svg.as_posix()}"] = "image/svg+xml"
    for address, media in types.items():
        response = devserver.get(address)
        assert (response.status, response.headers["Content-Type"]) == (200, media), address
    assert media_type(Path("fonts/x.woff2")) == "font/woff2"  # the site ships no font yet


def test_a_second_server_on_the_same_port_says_so_in_one_line(devserver):
    for command, name in [
        (devserver_command(devserver.port), "devserver"),
        ([sys.executable, "-m", "portal.serve", "output", "--port", str(devserver.port)], "serve"),
    ]:
        result = subprocess.run(
            command, cwd=devserver.project, capture_output=True, text=True, timeout=60
        )
        said = (result.stdout + result.stderr).strip().splitlines()
        assert result.returncode == 1
        assert said == [
            f"port {devserver.port} is in use: stop the other server or run make {name} "
            f"PORT={devserver.port + 1}"
        ]
    assert devserver.alive()


def test_open_pages_follow_edits_and_errors_by_themselves(devserver, chromium):
    """The editor's session, in one open page: an edit, then three kinds of error and their
    fixes; the page follows each by itself and the server stays up."""
    page = chromium.new_page()
    from playwright.sync_api import expect

    timings: dict[str, float] = {}
    try:
        page.goto(f"{devserver.base_url}/fi/supporters/benefits/")
        heading = page.locator("h1").first.inner_text()
        time.sleep(2)  # as an editor reads the page: what the first build left to do ends
        main = page.locator("main")

        def shows(text: str, label: str, seconds: float = RELOAD_SECONDS) -> None:
            started = time.monotonic()
            expect(main).to_contain_text(text, timeout=seconds * 1000)
            timings[label] = time.monotonic() - started
            assert devserver.alive(), devserver.output()

        # an edit of the Finnish page
        sentence = "Tämä lause lisättiin testissä."
        builds = devserver.builds()
        with open(devserver.project / FI_PAGE, "a", encoding="utf-8") as handle:
            handle.write(f"\n{sentence}\n")
        shows(sentence, "markdown edit")

        # a YAML record with a field that is wrong
        line = devserver.line_of(RECORD, "type: energy-agency")
        devserver.edit(RECORD, "type: energy-agency", "type: energy-agencies")
        shows(f"{RECORD}:{line}: type:", "yaml error")
        assert page.locator("h1").inner_text() == "The build failed"
        status = devserver.get("/en/")
        assert status.status == 500 and f"{RECORD}:{line}: type:" in status.text
        # a file that is not a page is served as it is (whatever the failed build left)
        data = next(devserver.root.rglob("*.json")).relative_to(devserver.root).as_posix()
        served = devserver.get(f"/{data}")
        assert (served.status, served.headers["Content-Type"]) == (
            200,
            "application/json; charset=utf-8",
        )
        devserver.edit(RECORD, "type: energy-agencies", "type: energy-agency")
        shows(sentence, "yaml fix")
        assert page.locator("h1").first.inner_text() == heading

        # a metadata key misspelt in a Markdown page
        devserver.edit(FI_PAGE, "Title:", "Titel:")
        shows(f"{FI_PAGE}:1: unknown metadata Titel", "metadata error")
        devserver.edit(FI_PAGE, "Titel:", "Title:")
        shows(sentence, "metadata fix")

        # a Jinja syntax error in a template
        template = (devserver.project / TEMPLATE).read_text(encoding="utf-8")
        lines = template.splitlines(keepends=True)
        lines.insert(2, "{% if %}\n")
        (devserver.project / TEMPLATE).write_text("".join(lines), encoding="utf-8")
        shows(f"{TEMPLATE}:3: template syntax error", "template error")
        (devserver.project / TEMPLATE).write_text(template, encoding="utf-8")
        shows(sentence, "template fix", FULL_REBUILD_SECONDS)  # every page is rendered again
        assert page.locator("h1").first.inner_text() == heading
    finally:
        page.close()
        print(json.dumps({k: round(v, 2) for k, v in timings.items()}))

    # the terminal showed each problem once, in the plain form, never a traceback
    output = devserver.output()
    assert output.count(f"error: {FI_PAGE}:1: unknown metadata Titel") == 1
    assert "Traceback" not in output
    assert devserver.builds() >= builds + 7


@pytest.mark.parametrize("state", ["built", "failed"])
def test_an_idle_server_does_not_rebuild(devserver, state):
    """Nothing changes, nothing is built, after a good build and while an error stands (the
    old dev server rebuilt a page with an error in a loop): both processes wait (CPU)."""
    if state == "failed":
        builds = devserver.builds()
        devserver.edit(FI_PAGE, "Title:", "Titel:")
        devserver.wait_for_builds(builds + 1, timeout=120)
        assert devserver.get("/fi/").status == 500
    try:
        time.sleep(2)  # what the last build left to finish (the search index, the collector)
        builds = devserver.builds()
        server = devserver.process.pid
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
        pids = [server, *map(int, children)]  # the server and its builder process

        def cpu_seconds() -> float:
            ticks = 0
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
            return ticks / os.sysconf("SC_CLK_TCK")

        before = cpu_seconds()
        time.sleep(10)
        used = cpu_seconds() - before
        assert devserver.builds() == builds, devserver.output()
        assert len(pids) == 2
        assert used < 0.5, f"{used:.2f} s of CPU in 10 s while idle"
        print(f"idle ({state}): {used:.3f} s CPU in 10 s ({len(pids)} processes)")
    finally:
        if state == "failed":
            builds = devserver.builds()
            devserver.edit(FI_PAGE, "Titel:", "Title:")
            devserver.wait_for_builds(builds + 1, timeout=120)


def test_make_serve_serves_a_built_site_without_live_reload(tmp_path):
    output = build_or_fail(FIXTURE_SITE, tmp_path / "output")
    before = tree_digest(output)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.serve", str(output), "--port", str(port)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(port, output, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = server.get("/fi/supporters/")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert page.status == 200
        assert page.body == (output / "fi/supporters/index.html").read_bytes()
        assert page.headers["X-Frame-Options"] == "DENY"
        missing = server.get("/de/nothing-here/")
        assert missing.status == 404
        assert missing.body == (output / "de/404.html").read_bytes()
        assert server.get("/_devserver/events").status == 404
        (tmp_path / "secret.txt").write_text("next to the site, not in it")
        assert server.get("/../secret.txt").status == 404
        assert server.get("/%2e%2e/secret.txt").status == 404
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert tree_digest(output) == before


def test_the_builder_recovers_from_failed_builds_exactly(tmp_path):
    """One Builder (as in the dev server's builder process) through failing builds: each build
    after a fix writes what a fresh build of the same input writes."""
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project / "content")
    shutil.copytree(FIXTURE_SITE, project / "content")
    content = project / "content"
    directory_page = "Title: Directory\nTemplate: directory\n\nEvery supporter.\n"
    (content / "en/supporters/directory.md").write_text(directory_page, encoding="utf-8")
    record = content / "data/supporters/test-agency.yaml"
    good_record = (PROJECT / RECORD).read_text(encoding="utf-8")
    page = content / "fi/supporters.md"
    good_page = page.read_text(encoding="utf-8")
    template = project / TEMPLATE
    good_template = template.read_text(encoding="utf-8")
    steps = [
        {"write": {str(record): good_record}, "snapshot": str(tmp_path / "s0")},
        {"write": {str(record): good_record.replace("country: FR", "country: XX")}, "fails": True},
        {"write": {str(record): good_record}, "snapshot": str(tmp_path / "s2")},
        {"write": {str(page): good_page.replace("Title:", "Titel:")}, "fails": True},
        {"write": {str(page): good_page + "\nLisätty.\n"}, "snapshot": str(tmp_path / "s4")},
        {"write": {str(template): good_template.replace("{{", "{% if %}{{", 1)}, "fails": True},
        {"write": {str(template): good_template}, "snapshot": str(tmp_path / "s6")},
    ]
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "settings": str(project / "pelicanconf.py"),
                "overrides": {
                    "PATH": str(content),
                    "OUTPUT_PATH": str(tmp_path / "live"),
                    "CACHE_PATH": str(tmp_path / "cache"),
                    "FAST_BUILD": {"workers": 2, "parallel_from": 1},
                },
                "steps": steps,
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(PROJECT / "tests" / "rebuild_driver.py"), str(plan)],
        cwd=project,
        capture_output=True,
        text=True,
        env=dict(os.environ, SOURCE_DATE_EPOCH="1795996800"),
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    line = good_record.splitlines().index("country: FR") + 1
    assert any(
        f"content/data/supporters/test-agency.yaml:{line}: country:" in p for p in failures[0]
    )
    assert any("content/fi/supporters.md:1: unknown metadata Titel" in p for p in failures[1])
    assert any(f"{TEMPLATE}:" in p and "template syntax error" in p for p in failures[2])

    replay = tmp_path / "replay"
    shutil.copytree(FIXTURE_SITE, replay)
    (replay / "data/supporters").mkdir(parents=True)
    (replay / "en/supporters/directory.md").write_text(directory_page, encoding="utf-8")
    states = {
        "s0": {"data/supporters/test-agency.yaml": good_record},
        "s4": {"fi/supporters.md": good_page + "\nLisätty.\n"},
    }
    for snapshot in ("s0", "s2", "s4", "s6"):
        for name, text in states.get(snapshot, {}).items():
            (replay / name).write_text(text, encoding="utf-8")
        fresh = build_or_fail(
            replay,
            tmp_path / f"fresh-{snapshot}",
            "-e",
            'FAST_BUILD={"enabled": false}',
            settings=project / "pelicanconf.py",
            cwd=project,
        )
        assert tree_digest(tmp_path / snapshot) == tree_digest(fresh), snapshot


def test_a_crashing_plugin_does_not_take_the_server_down(devserver):
    """A builder process that dies in a build is replaced and tried once more, then the server
    waits for a change; pages show what happened; the fix brings the site back."""
    plugin = devserver.project / "plugins/sitemap/sitemap.py"
    code = plugin.read_text(encoding="utf-8")
    hook = "    def finish(self) -> list[FileOutput]:\n"  # the sitemap listener, every build
    assert hook in code
    plugin.write_text(code.replace(hook, f"{hook}        import os\n\n        os._exit(3)\n", 1))
    ended = "devserver: error: the builder process ended during the build (exit status 3)"
    deadline = time.monotonic() + 300
    while devserver.output().count(ended) < 2:
        assert devserver.alive() and time.monotonic() < deadline, devserver.output()
        time.sleep(0.1)
    assert "waiting for a change" in devserver.output().splitlines()[-1]
    page = devserver.get("/fi/supporters/benefits/")
    assert page.status == 500 and "exit status 3" in page.text

    builds = devserver.builds()
    plugin.write_text(code, encoding="utf-8")
    devserver.wait_for_builds(builds + 1, timeout=300)
    assert devserver.get("/fi/supporters/benefits/").status == 200
    assert devserver.output().count(ended) == 2  # no loop


def test_editors_temporary_files_start_no_build(tmp_path):
    from watchfiles import Change

    from portal.devserver import SettingsFilter, Sources

    sources = Sources(tmp_path, tmp_path / "content", [tmp_path / "output"])
    temporary = [
        ".benefits.md.swp",  # Vim
        "4913",  # Vim's probe
        "benefits.md~",
        ".#benefits.md",  # Emacs' lock
        "#benefits.md#",  # Emacs' autosave
        "benefits.md.kate-swp",
        ".goutputstream-ABC123",  # GNOME
        ".~lock.benefits.md#",  # LibreOffice
        "sedAb12Cd",  # sed -i
        "benefits.md.tmp",
    ]
    for name in temporary:
        assert not sources.filter(Change.added, str(tmp_path / "content/fi" / name)), name
    assert not sources.filter(Change.modified, str(tmp_path / "output/fi/index.html"))
    assert not sources.filter(Change.modified, str(tmp_path / "plugins/x/__pycache__/y.pyc"))
    assert sources.filter(Change.modified, str(tmp_path / "content/fi/supporters/benefits.md"))
    settings = SettingsFilter(tmp_path)
    assert settings(Change.modified, str(tmp_path / "pelicanconf.py"))
    assert not settings(Change.modified, str(tmp_path / "README.md"))
    assert sources.is_code(str(tmp_path / "pelicanconf.py"))
    assert sources.is_code(str(tmp_path / "plugins/sitemap/sitemap.py"))
    assert not sources.is_code(str(tmp_path / "theme/templates/page.html"))
