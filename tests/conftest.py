"""Shared fixtures: builds of the shipped site and of the small fixture site, parsed output."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import lxml.html
import pytest

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = PROJECT / "tests" / "fixtures" / "site"
IN_CI = os.environ.get("CI", "").lower() == "true"


def run_build(
    content: Path,
    output: Path,
    *extra: str,
    settings: Path | None = None,
    cwd=None,
    env: dict | None = None,
):
    """Build `content` into `output` as the Makefile does (portal.build); return the process."""
    command = [
        sys.executable,
        "-m",
        "portal.build",
        str(content),
        "-s",
        str(settings or PROJECT / "pelicanconf.py"),
        "-o",
        str(output),
        "--fatal",
        "warnings",
        *extra,
    ]
    environment = dict(
        os.environ,
        SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1795996800"),
        PYTHONPATH=str(PROJECT),
    )
    environment.update(env or {})
    return subprocess.run(
        command, cwd=cwd or PROJECT, capture_output=True, text=True, env=environment, timeout=600
    )


def build_or_fail(content: Path, output: Path, *extra: str, **kwargs) -> Path:
    """Build and fail the test with Pelican's own output when the build fails."""
    result = run_build(content, output, *extra, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return output


def needs_tool(name: str, path: str | None = None) -> str:
    """Return the path of a command-line tool; skip without it, but fail in CI."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if not found:
        message = f"{name} is not installed (make system-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


class Site:
    """A built site: files and parsed pages."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, lxml.html.HtmlElement] = {}

    def path(self, url: str) -> Path:
        """Return the file that serves `url` ("/fi/supporters/" -> fi/supporters/index.html)."""
        relative = url.split("#")[0].lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        return self.root / relative

    def exists(self, url: str) -> bool:
        """Tell whether `url` is served by a file."""
        return self.path(url).is_file()

    def page(self, url: str) -> lxml.html.HtmlElement:
        """Return the parsed page at `url`."""
        if url not in self._cache:
            self._cache[url] = lxml.html.fromstring(self.path(url).read_bytes())
        return self._cache[url]

    def html_files(self) -> list[Path]:
        """Return every HTML file of the site."""
        return sorted(self.root.rglob("*.html"))

    def url_of(self, file: Path) -> str:
        """Return the URL a file is served at."""
        relative = file.relative_to(self.root).as_posix()
        if relative.endswith("index.html"):
            relative = relative[: -len("index.html")]
        return "/" + relative


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> Site:
    """The shipped content, built once for the session."""
    output = tmp_path_factory.mktemp("shipped") / "output"
    return Site(build_or_fail(PROJECT / "content", output))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Site:
    """The three-language fixture site (en, fi, de; benefits only in English)."""
    output = tmp_path_factory.mktemp("fixture") / "output"
    return Site(build_or_fail(FIXTURE_SITE, output))


PUBLISHED_URL = "https://portal.example.eu"


@pytest.fixture(scope="session")
def published_fixture_site(tmp_path_factory) -> Site:
    """The fixture site built for production (publishconf.py, absolute SITEURL)."""
    output = tmp_path_factory.mktemp("published") / "output"
    return Site(
        build_or_fail(
            FIXTURE_SITE,
            output,
            settings=PROJECT / "publishconf.py",
            env={"SITEURL": PUBLISHED_URL},
        )
    )


NGINX = "/usr/sbin/nginx"
NJS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")


class Response:
    """What a server answered, redirects not followed."""

    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        """Return the body as text."""
        return self.body.decode("utf-8", "replace")


class Server:
    """A web server on 127.0.0.1 serving a built site."""

    def __init__(self, port: int, root: Path, run_dir: Path) -> None:
        self.port = port
        self.root = root
        self.run_dir = run_dir

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict | None = None) -> Response:
        """Send one GET request; never follow redirects."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 15) -> None:
    """Wait until something accepts connections on `port`; fail if the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nginx did not listen on {port} within {seconds}s:\n{log.read_text()}")


@contextmanager
def running_nginx(root: Path, run_dir: Path):
    """Run Debian's nginx with the generated configuration over `root`; yield a Server."""
    from pelican.settings import read_settings
    from serving.nginx import write_nginx_files
    from serving.policy import serving_policy

    nginx = needs_tool("nginx", NGINX)
    needs_tool("the njs module of nginx (libnginx-mod-http-js)", str(NJS_MODULE))
    port = free_port()
    settings = read_settings(str(PROJECT / "pelicanconf.py"))
    lookup_js = (PROJECT / "theme" / "static" / "js" / "language-lookup.js").read_text()
    conf = write_nginx_files(
        serving_policy(settings), lookup_js, root, f"127.0.0.1:{port}", run_dir, standalone=True
    )
    log = run_dir / "error.log"
    log.touch()
    with open(run_dir / "nginx.out", "wb") as out:
        process = subprocess.Popen(
            [nginx, "-c", str(conf), "-e", str(log)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, process, log)
        yield Server(port, root, run_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def nginx_site(shipped_site, tmp_path_factory):
    """The shipped site served by nginx with the generated configuration."""
    with running_nginx(shipped_site.root, tmp_path_factory.mktemp("nginx")) as server:
        yield server


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    executable = needs_tool("chromium", CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


EU_ORDER = (
    "bg", "es", "cs", "da", "de", "et", "el", "en", "fr", "ga", "hr", "it",
    "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv",
)  # fmt: skip


#: What a build needs, copied for tests that change the site or publish it.
PROJECT_SOURCES = (
    "content",
    "theme",
    "translations",
    "plugins",
    "portal",
    "pelicanconf.py",
    "publishconf.py",
)


def copy_project(destination: Path) -> Path:
    """Copy the site's sources, settings and tools to `destination` (node_modules linked)."""
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    if (PROJECT / "node_modules").is_dir():
        (destination / "node_modules").symlink_to(PROJECT / "node_modules")
    return destination


def run_module(module: str, *args: str, cwd: Path, timeout: int = 900, env: dict | None = None):
    """Run `python -m module args` in `cwd` as the Makefile would; return the process."""
    env = dict(
        os.environ,
        SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1795996800"),
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def tree_digest(root: Path) -> str:
    """Return a digest of every file's path and bytes under `root` (symlinks followed)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def copy_published(published: Path, destination: Path) -> Path:
    """Copy a published project: its sources copied, its releases hard-linked (fast).

    A publish never writes into an existing release (it builds a new one and renames links),
    and the tests that check so compare digests, so sharing the release files' inodes is safe.
    """
    shutil.copytree(published, destination, symlinks=True, ignore=shutil.ignore_patterns("publish"))
    shutil.copytree(
        published / "publish", destination / "publish", symlinks=True, copy_function=os.link
    )
    return destination


#: Where the session's first publish leaves its output, inside the published project.
PUBLISH_LOG = "first-publish.log"


@pytest.fixture(scope="session")
def published_project(tmp_path_factory) -> Path:
    """A copy of the project with the shipped site published once, as `make publish` does.

    That publish runs every check (axe included) over the production build of the shipped
    site; its output is kept in PUBLISH_LOG for the test that says so.
    """
    needs_tool("java")
    needs_tool("chromium", "/usr/bin/chromium")
    project = copy_project(tmp_path_factory.mktemp("published") / "project")
    result = run_module("portal.release", "publish", "--to", "publish", cwd=project)
    (project / PUBLISH_LOG).write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        pytest.fail(f"the first publish failed:\n{result.stdout}\n{result.stderr}")
    return project


# A page's scripts without src that a browser would run, or whose text could end the element:
# a JSON-LD data block (type application/ld+json) is data, and it holds no "<" when it is
# escaped as the sharing plugin does.
INLINE_SCRIPTS = "//script[not(@src)][not(@type='application/ld+json') or contains(., '<')]"
