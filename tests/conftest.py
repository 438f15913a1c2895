"""Shared fixtures: builds of the shipped site and of the small fixture site, parsed output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = PROJECT / "tests" / "fixtures" / "site"
IN_CI = os.environ.get("CI", "").lower() == "true"


def run_build(content: Path, output: Path, *extra: str, settings: Path | None = None, cwd=None):
    """Build `content` into `output` with Pelican as the Makefile does; return the process."""
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(settings or PROJECT / "pelicanconf.py"),
        "-o",
        str(output),
        "--fatal",
        "warnings",
        *extra,
    ]
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1795996800"))
    return subprocess.run(
        command, cwd=cwd or PROJECT, capture_output=True, text=True, env=env, timeout=600
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


EU_ORDER = (
    "bg", "es", "cs", "da", "de", "et", "el", "en", "fr", "ga", "hr", "it",
    "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv",
)  # fmt: skip
