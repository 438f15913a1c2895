"""Other static-site generators (Hugo, Hugo + Pagefind, Eleventy) on the benchmark's Markdown pages.

Each generator gets, in the scenario folder, a copy of the Markdown pages of the language
folders (``content/<lang>/**/*.md``, the pages plain Pelican builds) whose Pelican header is
turned into YAML front matter, the bodies left byte for byte as they are; a minimal site
configuration; and one layout (an HTML5 page with ``<html lang>``, ``<title>`` and the body).
Every page is written at the portal's pretty URL: ``content/de/bench/page-0001.md`` at
``/de/bench/page-0001/``, ``content/de/index.md`` at ``/de/``.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from portal_core.page_metadata import BOM, LINE, parse_page

from . import PROJECT

#: Language folders of the content (two letters, as plain Pelican's PATH_METADATA reads them).
LANGUAGE_FOLDER = re.compile(r"[a-z]{2}")
ELEVENTY_PACKAGE = PROJECT / "bench" / "node" / "node_modules" / "@11ty" / "eleventy"
ELEVENTY_BIN = PROJECT / "bench" / "node" / "node_modules" / ".bin" / "eleventy"


def yaml_string(value: str) -> str:
    """Return `value` as a double-quoted YAML scalar that reads back as exactly `value`.

    Only characters YAML lets stand for themselves are written as they are; quotes,
    backslashes, line breaks, control characters and the characters some parsers take for
    line or file boundaries (U+0085, U+2028, U+2029, U+FEFF) are escaped.
    """
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif (
            0x20 <= code <= 0x7E
            or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or code >= 0x10000
        ) and char not in "\u2028\u2029\ufeff":
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:  # U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF, lone surrogates
            out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def front_matter(text: str) -> str:
    """Return the Markdown page `text` with its Pelican metadata header as YAML front matter.

    The header's ``Key: value`` lines (continuation lines joined with newlines, as Pelican
    reads them) become ``key: "value"`` lines between ``---`` lines, keys lower-cased as
    Pelican lower-cases them and values quoted, so that a title with a colon, a quote or a
    leading ``*`` stays a string. Everything after the header's lines (the blank line that
    ends it, then the body) is kept byte for byte. A byte-order mark is dropped: front matter
    must open the file. A page without a header raises ValueError.
    """
    page = parse_page(text)
    if not page.metadata:
        raise ValueError("the page has no Pelican metadata header")
    lines = LINE.findall(text.removeprefix(BOM))
    rest = "".join(lines[page.last_header_line :])
    fields = "".join(f"{key}: {yaml_string(meta.value)}\n" for key, meta in page.metadata.items())
    return f"---\n{fields}---\n{rest}"


def page_url_file(relative: Path) -> str:
    """Return the file a page at `relative` (``de/bench/page-0001.md``) is written to.

    ``de/bench/page-0001.md`` -> ``de/bench/page-0001/index.html``;
    ``de/index.md`` -> ``de/index.html`` (a folder's index page is the folder's address).
    """
    if relative.stem == "index":
        return (relative.parent / "index.html").as_posix()
    return (relative.with_suffix("") / "index.html").as_posix()


def markdown_pages(content: Path) -> list[Path]:
    """Return the Markdown pages of the language folders of `content`, relative to it."""
    pages = []
    for folder in sorted(content.iterdir()):
        if folder.is_dir() and LANGUAGE_FOLDER.fullmatch(folder.name):
            pages += sorted(path.relative_to(content) for path in folder.rglob("*.md"))
    return pages


def convert_pages(content: Path, destination: Path, rename_index: str | None = None) -> list[str]:
    """Copy the pages of `content` to `destination` with YAML front matter.

    `rename_index` names the file a folder's ``index.md`` is copied to (Hugo takes a folder
    with an ``index.md`` for a bundle of one page and its files, not for a section's page).
    Return the output files the pages must be written to, relative to the output folder.
    """
    expected = []
    for relative in markdown_pages(content):
        target = relative
        if rename_index and relative.name == "index.md":
            target = relative.with_name(rename_index)
        text = (content / relative).read_text(encoding="utf-8")
        (destination / target).parent.mkdir(parents=True, exist_ok=True)
        (destination / target).write_text(front_matter(text), encoding="utf-8")
        expected.append(page_url_file(relative))
    return expected


def check_written(name: str, output: Path, expected: list[str]) -> None:
    """Raise RuntimeError unless every expected page was written as an HTML page in its language.

    A page counts when its file exists and opens with the layout's doctype and the
    ``<html lang>`` of its language folder.
    """
    missing, wrong = [], []
    for relative in expected:
        path = output / relative
        if not path.is_file():
            missing.append(relative)
            continue
        with path.open(encoding="utf-8") as handle:
            start = handle.read(200)
        lang = relative.split("/", 1)[0]
        if not start.startswith("<!DOCTYPE html>") or f'<html lang="{lang}">' not in start:
            wrong.append(relative)
    if missing or wrong:
        problems = []
        if missing:
            problems.append(f"{len(missing)} missing (first: {', '.join(missing[:5])})")
        if wrong:
            problems.append(f"{len(wrong)} not the layout's page (first: {', '.join(wrong[:5])})")
        raise RuntimeError(
            f"{name} wrote {len(expected) - len(missing)} of {len(expected)} pages: "
            + "; ".join(problems)
        )


@dataclass
class OtherResult:
    """Cold builds of the same Markdown pages by another generator, in one scenario."""

    generator: str  # "Hugo", "Eleventy"
    name: str  # the generator and its version, e.g. "Hugo 0.111.3"
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    pages_expected: int = 0
    pages_written: int = 0  # HTML files in its output
    not_run: str = ""  # why it was not measured (not installed)


#: The layout every generator gets, in its own template language (lang, title, body).
LAYOUT = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""

HUGO_CONFIG = """# Hugo on the benchmark's Markdown pages: no theme, one layout.
# Written by bench/others.py.
baseURL = "http://localhost/"
title = "Hugo"
# Only the pages: no home page, lists, feeds, sitemap, robots.txt or 404 page. Sections stay:
# a language folder's index page is its section's page (content/<lang>/_index.md).
disableKinds = ["home", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[markup.goldmark.renderer]
# Raw HTML in the Markdown is written as it is, as Pelican writes it.
unsafe = true
"""

ELEVENTY_CONFIG = """// Eleventy on the benchmark's Markdown pages: no plugins, one layout.
// Written by bench/others.py.
module.exports = function (eleventyConfig) {
  eleventyConfig.addGlobalData("layout", "page.njk");
  return {
    dir: { input: "content", includes: "../layouts" },
    templateFormats: ["md"],
    // The pages are Markdown only, as Pelican reads them: no Liquid run over them first
    // (their {{fact}} placeholders are text to the other generators).
    markdownTemplateEngine: false,
  };
};
"""


class Hugo:
    """Hugo, the Debian package (``apt-get install hugo``)."""

    key = "Hugo"
    install = "`make bench-deps` installs it (apt-get install hugo)"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = root / "hugo"
        self.output = root / "hugo-output"
        self.cache = root / "hugo-cache"
        self.executable = shutil.which("hugo")

    def version(self) -> str:
        """Return Hugo's version ("0.111.3"), or "" when it says none."""
        said = subprocess.run(
            [self.executable, "version"], capture_output=True, text=True, timeout=60
        ).stdout
        match = re.search(r"v(\d+\.\d+\.\d+)", said)
        return match.group(1) if match else ""

    def prepare(self, content: Path) -> list[str]:
        """Write the site (configuration, layout, pages); return the pages it must write."""
        layouts = self.site / "layouts" / "_default"
        layouts.mkdir(parents=True)
        (self.site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        layout = LAYOUT.format(lang="{{ .Section }}", title="{{ .Title }}", body="{{ .Content }}")
        # One layout: Hugo looks up a page's as single.html and a section's as list.html.
        for name in ("single.html", "list.html"):
            (layouts / name).write_text(layout, encoding="utf-8")
        return convert_pages(content, self.site / "content", rename_index="_index.md")

    def clean(self, discard=shutil.rmtree) -> None:
        """Remove the output and every cache, for a cold build (`discard` removes a folder)."""
        for folder in (self.output, self.cache, self.site / "resources"):
            if folder.exists():
                discard(folder)

    def command(self) -> tuple[list[str], Path]:
        """Return the build command and the folder to run it in."""
        return [
            self.executable,
            "--source",
            str(self.site),
            "--destination",
            str(self.output),
            "--cacheDir",
            str(self.cache),
        ], self.root


class Eleventy:
    """Eleventy (npm package @11ty/eleventy), installed in bench/node/ by ``make bench-deps``."""

    key = "Eleventy"
    install = "`make bench-deps` installs it (npm ci --prefix bench/node)"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.site = root / "eleventy"
        self.output = root / "eleventy-output"
        node = shutil.which("node")
        self.executable = str(ELEVENTY_BIN) if node and ELEVENTY_BIN.exists() else None

    def version(self) -> str:
        """Return the installed package's version ("3.1.8")."""
        import json

        package = json.loads((ELEVENTY_PACKAGE / "package.json").read_text(encoding="utf-8"))
        return package.get("version", "")

    def prepare(self, content: Path) -> list[str]:
        """Write the site (configuration, layout, pages); return the pages it must write."""
        (self.site / "layouts").mkdir(parents=True)
        (self.site / "eleventy.config.cjs").write_text(ELEVENTY_CONFIG, encoding="utf-8")
        layout = LAYOUT.format(
            lang='{{ page.filePathStem.split("/")[1] }}',
            title="{{ title }}",
            body="{{ content | safe }}",
        )
        (self.site / "layouts" / "page.njk").write_text(layout, encoding="utf-8")
        return convert_pages(content, self.site / "content")

    def clean(self, discard=shutil.rmtree) -> None:
        """Remove the output, for a cold build (Eleventy keeps no cache without plugins)."""
        if self.output.exists():
            discard(self.output)

    def command(self) -> tuple[list[str], Path]:
        """Return the build command and the folder to run it in."""
        return [
            self.executable,
            "--config=eleventy.config.cjs",
            f"--output={self.output}",
            "--quiet",
        ], self.site


class HugoPagefind(Hugo):
    """Hugo, then Pagefind (the binary the pinned pagefind_bin package ships, as our build
    uses) indexing Hugo's output: the same work as our build with its search index."""

    key = "Hugo + Pagefind"
    install = Hugo.install

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.site = root / "hugo-pagefind"
        self.output = root / "hugo-pagefind-output"
        self.cache = root / "hugo-pagefind-cache"
        self.pagefind = _pagefind_executable()
        if self.pagefind is None:
            self.executable = None

    def version(self) -> str:
        """Return both versions ("0.111.3 + 1.5.2")."""
        said = subprocess.run(
            [self.pagefind, "--version"], capture_output=True, text=True, timeout=60
        ).stdout
        match = re.search(r"(\d+\.\d+\.\d+)", said)
        return f"{super().version()} + {match.group(1) if match else ''}"

    def command(self) -> tuple[list[str], Path]:
        """Return one command that builds with Hugo and then indexes the output with Pagefind."""
        hugo, folder = super().command()
        pagefind = [self.pagefind, "--site", str(self.output)]
        index = ["test", "-s", str(self.output / "pagefind" / "pagefind-entry.json")]  # written
        script = " && ".join(shlex.join(command) for command in (hugo, pagefind, index))
        return ["sh", "-c", script], folder


def _pagefind_executable() -> str | None:
    """Return the Pagefind binary of the pinned pagefind_bin package, or None."""
    try:
        import pagefind_bin

        return str(pagefind_bin.get_executable())
    except (ImportError, OSError):
        return None


GENERATORS = (Hugo, HugoPagefind, Eleventy)
